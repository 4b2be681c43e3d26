//! Sans-IO tests of the eNB and of the MME's overload state machine.

use rand::SeedableRng;

use super::*;
use crate::core::{
    Ctx, Effects, Endpoint, Incoming, Interface, SimRng, TimerCmd, TimerKey, TimerKind,
    time::SECOND,
};
use crate::wire::rrc::{DlCcch, RrcConnectionRequest};
use crate::wire::s1ap::{OverloadAction, S1ap};

const MS: Nanos = SECOND / 1000;

fn control() -> OverloadControl {
    OverloadControl {
        start_wait: SECOND,
        stop_wait: 200 * MS,
        check_interval: SECOND,
        action: OverloadAction::RejectDelayTolerantAccess,
        traffic_load_reduction: None,
    }
}

/// One input with `wait` at `now`; returns the effects.
fn observe(o: &mut MmeOverload, now: Nanos, wait: Nanos, rng: &mut SimRng) -> Effects {
    let mut fx = Effects::default();
    let mut cx = Ctx {
        me: Addr::new(1, 0),
        now,
        wait,
        rng,
        fx: &mut fx,
    };
    o.observe(&mut cx);
    fx
}

fn check(o: &mut MmeOverload, now: Nanos, rng: &mut SimRng) -> Effects {
    let mut fx = Effects::default();
    let mut cx = Ctx {
        me: Addr::new(1, 0),
        now,
        wait: 0,
        rng,
        fx: &mut fx,
    };
    o.on_check(&mut cx);
    fx
}

fn s1(fx: &Effects) -> Vec<S1ap> {
    fx.transmits
        .iter()
        .map(|t| {
            assert_eq!(t.interface, Interface::S1Mme);
            S1ap::decode(&t.pdu).unwrap()
        })
        .collect()
}

#[test]
fn mme_starts_above_the_threshold_once_and_stops_after_a_quiet_interval() {
    let mut rng = SimRng::seed_from_u64(1);
    let enb = Addr::new(3, 0);
    let mut o = MmeOverload::new(control(), vec![enb]);
    assert!(
        s1(&observe(&mut o, 0, SECOND, &mut rng)).is_empty(),
        "at the threshold: no start"
    );
    let fx = observe(&mut o, MS, SECOND + 1, &mut rng);
    assert_eq!(
        s1(&fx),
        vec![S1ap::OverloadStart {
            action: OverloadAction::RejectDelayTolerantAccess,
            traffic_load_reduction: None
        }]
    );
    assert_eq!(
        fx.timers,
        vec![TimerCmd::Arm {
            key: TimerKey::own(TimerKind::OverloadCheck),
            at: MS + SECOND
        }]
    );
    assert!(o.is_overloaded());
    // Still loaded: a second start is not sent; the check re-arms.
    assert!(s1(&observe(&mut o, 2 * MS, 3 * SECOND, &mut rng)).is_empty());
    let fx = check(&mut o, MS + SECOND, &mut rng);
    assert!(s1(&fx).is_empty());
    assert_eq!(fx.timers.len(), 1);
    // An interval whose last input waited less than stop_wait: OVERLOAD STOP.
    observe(&mut o, SECOND + 400 * MS, 5 * SECOND, &mut rng);
    observe(&mut o, SECOND + 500 * MS, 199 * MS, &mut rng);
    assert_eq!(
        s1(&check(&mut o, MS + 2 * SECOND, &mut rng)),
        vec![S1ap::OverloadStop]
    );
    assert!(!o.is_overloaded());
    // A stale check after the stop is counted as ignored.
    let fx = check(&mut o, 5 * SECOND, &mut rng);
    assert_eq!(fx.ignored, vec!["OverloadCheck"]);
}

#[test]
fn an_interval_without_inputs_stops_the_overload() {
    let mut rng = SimRng::seed_from_u64(2);
    let mut o = MmeOverload::new(control(), vec![Addr::new(3, 0)]);
    observe(&mut o, 0, 2 * SECOND, &mut rng);
    assert_eq!(
        s1(&check(&mut o, SECOND, &mut rng)),
        vec![S1ap::OverloadStop]
    );
}

fn enb_cfg() -> EnbConfig {
    EnbConfig {
        wait_time_s: 4,
        extended_wait_min_s: 10,
        extended_wait_max_s: 20,
        pace: None,
    }
}

fn deliver(enb: &mut Enb, interface: Interface, pdu: Vec<u8>, rng: &mut SimRng) -> Effects {
    let mut fx = Effects::default();
    let mut cx = Ctx {
        me: Addr::new(3, 0),
        now: 0,
        wait: 0,
        rng,
        fx: &mut fx,
    };
    let from = if interface == Interface::S1Mme {
        Addr::new(1, 0)
    } else {
        Addr::new(0, 7)
    };
    enb.on_message(
        Incoming {
            from,
            interface,
            pdu: &pdu,
        },
        &mut cx,
    );
    fx
}

fn request(cause: EstablishmentCause) -> Vec<u8> {
    RrcConnectionRequest {
        random_value: 42,
        cause,
    }
    .encode()
}

fn answer(fx: &Effects) -> DlCcch {
    assert_eq!(fx.transmits.len(), 1);
    let t = &fx.transmits[0];
    assert_eq!(
        (t.interface, &t.to),
        (
            Interface::RrcDl,
            &crate::core::Destination::Unicast(Addr::new(0, 7))
        )
    );
    DlCcch::decode(&t.pdu).unwrap()
}

#[test]
fn enb_sets_up_until_overload_start_then_rejects_delay_tolerant_requests_with_extended_wait() {
    let mut rng = SimRng::seed_from_u64(3);
    let mut enb = Enb::new(enb_cfg());
    let dt = EstablishmentCause::DelayTolerantAccess;
    assert!(matches!(
        answer(&deliver(&mut enb, Interface::RrcUl, request(dt), &mut rng)),
        DlCcch::Setup(_)
    ));
    let start = S1ap::OverloadStart {
        action: OverloadAction::RejectDelayTolerantAccess,
        traffic_load_reduction: None,
    };
    assert!(
        deliver(&mut enb, Interface::S1Mme, start.encode(), &mut rng)
            .transmits
            .is_empty()
    );
    assert!(enb.overloaded());
    let mut waits = std::collections::BTreeSet::new();
    for _ in 0..200 {
        match answer(&deliver(&mut enb, Interface::RrcUl, request(dt), &mut rng)) {
            DlCcch::Reject(r) => {
                assert_eq!(r.wait_time_s, 4);
                waits.insert(r.extended_wait_time_s.unwrap());
            }
            other => panic!("{other:?}"),
        }
    }
    assert_eq!(waits, (10..=20).collect());
    // mo-Signalling is not delay tolerant: still set up.
    let sig = request(EstablishmentCause::MoSignalling);
    assert!(matches!(
        answer(&deliver(&mut enb, Interface::RrcUl, sig, &mut rng)),
        DlCcch::Setup(_)
    ));
    deliver(
        &mut enb,
        Interface::S1Mme,
        S1ap::OverloadStop.encode(),
        &mut rng,
    );
    assert!(matches!(
        answer(&deliver(&mut enb, Interface::RrcUl, request(dt), &mut rng)),
        DlCcch::Setup(_)
    ));
}

#[test]
fn traffic_load_reduction_rejects_that_share() {
    let mut rng = SimRng::seed_from_u64(4);
    let mut enb = Enb::new(enb_cfg());
    let start = S1ap::OverloadStart {
        action: OverloadAction::RejectNonEmergencyMoDt,
        traffic_load_reduction: Some(30),
    };
    deliver(&mut enb, Interface::S1Mme, start.encode(), &mut rng);
    let rejects = (0..2000)
        .filter(|_| {
            let fx = deliver(
                &mut enb,
                Interface::RrcUl,
                request(EstablishmentCause::MoData),
                &mut rng,
            );
            matches!(answer(&fx), DlCcch::Reject(r) if r.extended_wait_time_s.is_none())
        })
        .count();
    assert!((500..700).contains(&rejects), "{rejects}");
}

#[test]
fn enb_counts_what_it_cannot_use() {
    let mut rng = SimRng::seed_from_u64(5);
    let mut enb = Enb::new(enb_cfg());
    assert_eq!(
        deliver(&mut enb, Interface::RrcUl, vec![0xff], &mut rng).ignored,
        vec!["undecodable"]
    );
    assert_eq!(
        deliver(&mut enb, Interface::S1Mme, vec![0x00], &mut rng).ignored,
        vec!["undecodable"]
    );
    assert_eq!(
        deliver(&mut enb, Interface::Nas, vec![0x07], &mut rng).ignored,
        vec!["nas"]
    );
}

#[test]
fn overload_actions_bar_the_causes_of_ts_36_413() {
    use EstablishmentCause as C;
    use OverloadAction as A;
    assert!(barred(A::RejectNonEmergencyMoDt, C::DelayTolerantAccess));
    assert!(!barred(A::RejectNonEmergencyMoDt, C::MoSignalling));
    assert!(barred(A::RejectRrcCrSignalling, C::MoSignalling));
    assert!(!barred(A::PermitEmergencySessionsAndMtOnly, C::Emergency));
    assert!(barred(A::PermitHighPrioritySessionsAndMtOnly, C::MoData));
    assert!(!barred(A::RejectDelayTolerantAccess, C::MoData));
}

#[test]
fn paced_rejects_get_return_slots_at_the_engineered_rate() {
    let mut rng = SimRng::seed_from_u64(6);
    // 4 returns per second, at least 10 s, at most 20 s away.
    let cfg = EnbConfig {
        pace: Some(SECOND / 4),
        ..enb_cfg()
    };
    let mut enb = Enb::new(cfg);
    let start = S1ap::OverloadStart {
        action: OverloadAction::RejectDelayTolerantAccess,
        traffic_load_reduction: None,
    };
    deliver(&mut enb, Interface::S1Mme, start.encode(), &mut rng);
    let waits: Vec<u16> = (0..60)
        .map(|_| {
            match answer(&deliver(
                &mut enb,
                Interface::RrcUl,
                request(EstablishmentCause::DelayTolerantAccess),
                &mut rng,
            )) {
                DlCcch::Reject(r) => r.extended_wait_time_s.unwrap(),
                other => panic!("{other:?}"),
            }
        })
        .collect();
    // All at now = 0: slots 10 s, 10.25 s, ... rounded up; four per second,
    // then capped at the maximum.
    assert_eq!(&waits[..6], &[10, 11, 11, 11, 11, 12]);
    assert_eq!(waits.iter().filter(|&&w| w == 15).count(), 4);
    assert_eq!(waits.iter().filter(|&&w| w == 20).count(), 60 - 37);
}
