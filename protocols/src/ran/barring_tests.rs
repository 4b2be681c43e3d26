//! Sans-IO tests of access barring: the UE's ACB draw and EAB check, the
//! cell's receiver, the eNB's broadcast and adaptive rule, and a UE that
//! waits out T305 / EabRecheck before its RRC connection request.

use std::sync::Arc;

use rand::SeedableRng;

use super::barring::*;
use super::{Access, Enb, EnbConfig};
use crate::aka::SqnState;
use crate::aka::device::State;
use crate::aka::test_support::milenage;
use crate::core::{
    Addr, Ctx, Destination, Effects, Endpoint, Incoming, Interface, Nanos, SimRng, TimerCmd,
    TimerKey, TimerKind, time::SECOND,
};
use crate::eps_aka::{Config, Ue};
use crate::wire::rrc::{EstablishmentCause, RrcConnectionRequest};
use crate::wire::rrc_sib::{AcBarringConfig, EabCategory, EabConfig, SystemInformation};
use crate::wire::s1ap::{OverloadAction, S1ap};

const CELL: Addr = Addr::new(0, CELL_INDEX);
const ENB: Addr = Addr::new(3, 0);

fn rng() -> SimRng {
    SimRng::seed_from_u64(7)
}

fn ctx<'a>(now: Nanos, rng: &'a mut SimRng, fx: &'a mut Effects) -> Ctx<'a> {
    Ctx {
        me: ENB,
        now,
        wait: 0,
        rng,
        fx,
    }
}

fn acb(factor_pct: u8, time_s: u16) -> AcBarringConfig {
    AcBarringConfig { factor_pct, time_s }
}

#[test]
fn acb_passes_the_factor_share_and_bars_for_0_7_to_1_3_times_the_barring_time() {
    let mut r = rng();
    let none = acb(0, 16);
    for _ in 0..1000 {
        let t = acb_draw(&none, &mut r).expect("p00 bars every attempt");
        assert!((11_200_000_000..20_800_000_000).contains(&t), "{t}");
    }
    for (factor, lo, hi) in [(50u8, 4800, 5200), (95, 9440, 9560), (5, 440, 560)] {
        let a = acb(factor, 4);
        let passed = (0..10_000)
            .filter(|_| acb_draw(&a, &mut r).is_none())
            .count();
        assert!((lo..=hi).contains(&passed), "p{factor}: {passed}");
    }
}

#[test]
fn eab_bars_by_category_and_access_class_bit() {
    let eab = |category| EabConfig {
        category,
        barred_classes: 0b10_0000_0001, // AC 0 and 9
    };
    use Roaming::*;
    assert!(eab_bars(&eab(EabCategory::All), 0, Home));
    assert!(eab_bars(&eab(EabCategory::All), 9, Home));
    assert!(!eab_bars(&eab(EabCategory::All), 5, Home));
    assert!(!eab_bars(&eab(EabCategory::Roaming), 0, Home));
    assert!(eab_bars(&eab(EabCategory::Roaming), 0, Preferred));
    assert!(!eab_bars(
        &eab(EabCategory::RoamingNotPreferred),
        0,
        Preferred
    ));
    assert!(eab_bars(
        &eab(EabCategory::RoamingNotPreferred),
        0,
        NotPreferred
    ));
}

fn device_barring(initial: Barring, eab_percent: u8) -> DeviceBarring {
    DeviceBarring {
        cell: Arc::new(CellBroadcast::new(initial)),
        eab_percent,
        roaming: Roaming::Home,
        eab_recheck: 640_000_000,
    }
}

#[test]
fn eab_is_checked_before_acb_and_only_for_devices_configured_for_it() {
    let all_classes = EabConfig {
        category: EabCategory::All,
        barred_classes: 0x3ff,
    };
    let b = device_barring(
        Barring {
            acb: Some(acb(0, 4)),
            eab: Some(all_classes),
        },
        30,
    );
    let mut r = rng();
    // Index 29 is configured for EAB (29 % 100 < 30), index 30 is not.
    assert_eq!(b.check(29, &mut r), Check::EabBarred(640_000_000));
    assert_eq!(b.label(29, b.check(29, &mut r)), "eab_barred");
    let c = b.check(30, &mut r);
    assert!(matches!(c, Check::AcBarred(_)));
    assert_eq!(b.label(30, c), "acb_barred_other_device");
    let open = device_barring(Barring::default(), 100);
    assert_eq!(open.check(29, &mut r), Check::Pass);
}

fn receive(rx: &mut SibReceiver, interface: Interface, pdu: &[u8]) -> Effects {
    let (mut r, mut fx) = (rng(), Effects::default());
    rx.on_message(
        Incoming {
            from: ENB,
            interface,
            pdu,
        },
        &mut ctx(0, &mut r, &mut fx),
    );
    fx
}

#[test]
fn the_cell_receiver_keeps_the_last_sib2_and_sib14() {
    let cell = Arc::new(CellBroadcast::default());
    let mut rx = SibReceiver { cell: cell.clone() };
    let sib2 = SystemInformation::Sib2 {
        mo_signalling: Some(acb(30, 8)),
        t300_ms: 1000,
    };
    assert!(
        receive(&mut rx, Interface::Bcch, &sib2.encode())
            .ignored
            .is_empty()
    );
    let eab = EabConfig {
        category: EabCategory::All,
        barred_classes: 1,
    };
    let sib14 = SystemInformation::Sib14 { eab: Some(eab) };
    receive(&mut rx, Interface::Bcch, &sib14.encode());
    assert_eq!(
        cell.current(),
        Barring {
            acb: Some(acb(30, 8)),
            eab: Some(eab)
        }
    );
    // SIB2 without ac-BarringInfo lifts ACB and leaves EAB.
    let lift = SystemInformation::Sib2 {
        mo_signalling: None,
        t300_ms: 1000,
    };
    receive(&mut rx, Interface::Bcch, &lift.encode());
    assert_eq!(cell.current().acb, None);
    assert_eq!(cell.current().eab, Some(eab));
    assert_eq!(
        receive(&mut rx, Interface::Bcch, &[0xff]).ignored,
        ["undecodable"]
    );
    assert_eq!(receive(&mut rx, Interface::Nas, &[0]).ignored, ["nas"]);
}

fn adaptive_cfg() -> BarringConfig {
    BarringConfig {
        cell: CELL,
        period: 640_000_000,
        t300_ms: 1000,
        acb: None,
        adaptive: Some(Adaptive {
            min_factor_pct: 5,
            step_pct: 10,
            time_s: 16,
            update: 2 * SECOND,
        }),
        eab: None,
        rrc_reject: false,
    }
}

#[test]
fn adaptive_factor_halves_under_overload_and_climbs_back_by_steps() {
    let mut c = BarringControl::new(adaptive_cfg());
    let mut seen = Vec::new();
    let mut t = 0;
    for overloaded in [true, true, true, true, true] {
        c.update(t, overloaded);
        // A second look within the update period changes nothing.
        c.update(t + SECOND, overloaded);
        seen.push(c.factor());
        t += 2 * SECOND;
    }
    assert_eq!(seen, [Some(50), Some(25), Some(10), Some(5), Some(5)]);
    seen.clear();
    for _ in 0..11 {
        c.update(t, false);
        seen.push(c.factor());
        t += 2 * SECOND;
    }
    // 5+10 = 15, 25, 35 -> 40, 50, 60, 70, 80, 90, 100 -> lifted.
    assert_eq!(
        seen,
        [
            Some(15),
            Some(25),
            Some(40),
            Some(50),
            Some(60),
            Some(70),
            Some(80),
            Some(90),
            None,
            None,
            None
        ]
    );
}

fn sibs(fx: &Effects) -> Vec<SystemInformation> {
    fx.transmits
        .iter()
        .map(|t| {
            assert_eq!(
                (t.interface, &t.to),
                (Interface::Bcch, &Destination::Unicast(CELL))
            );
            SystemInformation::decode(&t.pdu).unwrap()
        })
        .collect()
}

fn armed(fx: &Effects) -> Option<Nanos> {
    fx.timers.iter().find_map(|c| match c {
        TimerCmd::Arm { key, at } if *key == TimerKey::own(TimerKind::SiBroadcast) => Some(*at),
        _ => None,
    })
}

fn enb_input(enb: &mut Enb, now: Nanos, input: Option<(Interface, Vec<u8>)>) -> Effects {
    let (mut r, mut fx) = (rng(), Effects::default());
    let mut cx = ctx(now, &mut r, &mut fx);
    match input {
        None => enb.on_timer(TimerKey::own(TimerKind::SiBroadcast), &mut cx),
        Some((interface, pdu)) => enb.on_message(
            Incoming {
                from: if interface == Interface::S1Mme {
                    Addr::new(1, 0)
                } else {
                    Addr::new(0, 7)
                },
                interface,
                pdu: &pdu,
            },
            &mut cx,
        ),
    }
    fx
}

#[test]
fn enb_broadcasts_once_per_period_while_in_use_and_bars_under_overload_start() {
    let cfg = BarringConfig {
        eab: Some(EabConfig {
            category: EabCategory::All,
            barred_classes: 0x3ff,
        }),
        ..adaptive_cfg()
    };
    let enb_cfg = EnbConfig {
        wait_time_s: 4,
        extended_wait_min_s: 10,
        extended_wait_max_s: 20,
        pace: None,
    };
    let mut enb = Enb::new(enb_cfg).with_barring(cfg);
    let (mut r, mut fx) = (rng(), Effects::default());
    enb.start(&mut ctx(0, &mut r, &mut fx));
    // SIB2 without barring, SIB14 without EAB, once, to the cell.
    assert_eq!(
        sibs(&fx),
        [
            SystemInformation::Sib2 {
                mo_signalling: None,
                t300_ms: 1000
            },
            SystemInformation::Sib14 { eab: None }
        ]
    );
    // Nobody uses the cell yet: nothing more is scheduled.
    assert_eq!(armed(&fx), None);
    let req = RrcConnectionRequest {
        random_value: 1,
        cause: EstablishmentCause::DelayTolerantAccess,
    }
    .encode();
    // A request schedules the next broadcast one period later...
    let fx = enb_input(&mut enb, SECOND, Some((Interface::RrcUl, req.clone())));
    assert_eq!(armed(&fx), Some(SECOND + 640_000_000));
    // ...which schedules another (the cell was in use)...
    let fx = enb_input(&mut enb, SECOND + 640_000_000, None);
    assert_eq!(sibs(&fx).len(), 2);
    assert_eq!(armed(&fx), Some(SECOND + 1_280_000_000));
    // ...and a quiet period ends the broadcasts.
    let fx = enb_input(&mut enb, SECOND + 1_280_000_000, None);
    assert_eq!(sibs(&fx).len(), 2);
    assert_eq!(armed(&fx), None);
    let fx = enb_input(&mut enb, 2 * SECOND, Some((Interface::RrcUl, req.clone())));
    assert_eq!(armed(&fx), Some(2 * SECOND + 640_000_000));
    // OVERLOAD START: with rrc_reject = false the eNB still sets up; its
    // next broadcast bars (ACB p50, EAB on).
    let start = S1ap::OverloadStart {
        action: OverloadAction::RejectDelayTolerantAccess,
        traffic_load_reduction: None,
    };
    enb_input(
        &mut enb,
        2 * SECOND,
        Some((Interface::S1Mme, start.encode())),
    );
    let fx = enb_input(&mut enb, 2 * SECOND, Some((Interface::RrcUl, req)));
    assert_eq!(fx.transmits[0].kind, "RRCConnectionSetup");
    // (The adaptive rule's update period, 2 s, has passed since its last step.)
    let fx = enb_input(&mut enb, 5 * SECOND, None);
    let s = sibs(&fx);
    assert_eq!(
        s[0],
        SystemInformation::Sib2 {
            mo_signalling: Some(acb(50, 16)),
            t300_ms: 1000
        }
    );
    assert!(matches!(s[1], SystemInformation::Sib14 { eab: Some(_) }));
    assert!(armed(&fx).is_some());
    assert!(enb.barring().is_some_and(|b| b.factor() == Some(50)));
    // OVERLOAD STOP: EAB is released one access class per period, AC 0 first.
    enb_input(
        &mut enb,
        5 * SECOND,
        Some((Interface::S1Mme, S1ap::OverloadStop.encode())),
    );
    let mut t = 5 * SECOND;
    let mut masks = Vec::new();
    for _ in 0..11 {
        t += 640_000_000;
        let fx = enb_input(&mut enb, t, None);
        masks.push(match sibs(&fx)[1] {
            SystemInformation::Sib14 { eab } => eab.map_or(0, |e| e.barred_classes),
            _ => unreachable!(),
        });
    }
    assert_eq!(
        masks,
        [
            0x3fe, 0x3fc, 0x3f8, 0x3f0, 0x3e0, 0x3c0, 0x380, 0x300, 0x200, 0, 0
        ]
    );
}

fn ue_with(barring: DeviceBarring) -> Ue {
    let cfg = Config {
        ran: Some(Access {
            enb: ENB,
            t300: SECOND,
            cause: EstablishmentCause::DelayTolerantAccess,
        }),
        barring: Some(barring),
        ..Config::default()
    };
    Ue::new(
        Arc::new(cfg),
        12,
        Addr::new(1, 0),
        milenage(1),
        SqnState::default(),
    )
}

fn own_timer(fx: &Effects) -> Option<(TimerKind, Nanos)> {
    fx.timers.iter().find_map(|c| match c {
        TimerCmd::Arm { key, at } => Some((key.kind(), *at)),
        _ => None,
    })
}

#[test]
fn a_barred_ue_sends_nothing_counts_the_attempt_and_tries_again_when_t305_expires() {
    let b = device_barring(
        Barring {
            acb: Some(acb(0, 4)),
            eab: None,
        },
        0,
    );
    let cell = b.cell.clone();
    let mut ue = ue_with(b);
    let (mut r, mut fx) = (rng(), Effects::default());
    ue.start(&mut ctx(0, &mut r, &mut fx));
    assert!(fx.transmits.is_empty());
    assert_eq!(fx.counted, ["acb_barred_other_device"]);
    let (kind, at) = own_timer(&fx).unwrap();
    assert_eq!(kind, TimerKind::T305);
    assert!((2_800_000_000..5_200_000_000).contains(&at), "{at}");
    assert_eq!(ue.state(), State::Waiting);
    // The cell lifts ACB; when T305 expires the request goes out.
    let mut rx = SibReceiver { cell };
    let lift = SystemInformation::Sib2 {
        mo_signalling: None,
        t300_ms: 1000,
    };
    receive(&mut rx, Interface::Bcch, &lift.encode());
    let mut fx = Effects::default();
    ue.on_timer(
        TimerKey::own(TimerKind::T305),
        &mut ctx(at, &mut r, &mut fx),
    );
    assert_eq!(fx.transmits.len(), 1);
    assert_eq!(fx.transmits[0].kind, "RRCConnectionRequest");
    assert!(fx.counted.is_empty());
    assert_eq!(ue.state(), State::Accessing);
}

#[test]
fn an_eab_barred_ue_reads_sib14_again_each_recheck() {
    let b = device_barring(
        Barring {
            acb: None,
            eab: Some(EabConfig {
                category: EabCategory::All,
                barred_classes: 1 << 2, // device 12: AC 2
            }),
        },
        100,
    );
    let cell = b.cell.clone();
    let mut ue = ue_with(b);
    let (mut r, mut fx) = (rng(), Effects::default());
    ue.start(&mut ctx(0, &mut r, &mut fx));
    assert_eq!(fx.counted, ["eab_barred"]);
    assert_eq!(own_timer(&fx), Some((TimerKind::EabRecheck, 640_000_000)));
    let mut fx = Effects::default();
    ue.on_timer(
        TimerKey::own(TimerKind::EabRecheck),
        &mut ctx(640_000_000, &mut r, &mut fx),
    );
    assert_eq!(fx.counted, ["eab_barred"]);
    let mut rx = SibReceiver { cell };
    receive(
        &mut rx,
        Interface::Bcch,
        &SystemInformation::Sib14 { eab: None }.encode(),
    );
    let mut fx = Effects::default();
    ue.on_timer(
        TimerKey::own(TimerKind::EabRecheck),
        &mut ctx(1_280_000_000, &mut r, &mut fx),
    );
    assert_eq!(fx.transmits[0].kind, "RRCConnectionRequest");
}
