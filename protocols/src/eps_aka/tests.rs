//! Whole EPS-AKA exchanges through the in-memory test router.

use std::sync::Arc;

use super::*;
use crate::aka::{HeSqn, SqnState};
use crate::core::{Addr, Outcome, Prim};
use crate::crypto::milenage::{Milenage, opc};
use crate::testing::Router;

const UE: Addr = Addr::new(0, 3);
const MME: Addr = Addr::new(1, 0);
const HSS: Addr = Addr::new(2, 0);

fn keys(i: u8) -> ([u8; 16], [u8; 16]) {
    let k = [i; 16];
    let op = [0x5a; 16];
    (k, opc(&k, &op, &mut Default::default()))
}

struct Net {
    ue: Ue,
    mme: Mme,
    hss: Hss,
}

fn net(cfg: Config, ue_key: u8, hss_key: u8, hss_seq: u64) -> Net {
    let cfg = Arc::new(cfg);
    let (k, o) = keys(ue_key);
    let ue = Ue::new(
        cfg.clone(),
        UE.index,
        MME,
        Milenage::new(k, o),
        SqnState::default(),
    );
    let subs = (0..4)
        .map(|_| {
            let (k, o) = keys(hss_key);
            Subscriber {
                milenage: Milenage::new(k, o),
                sqn: HeSqn::new(hss_seq),
            }
        })
        .collect();
    Net {
        ue,
        mme: Mme::new(cfg.clone(), HSS),
        hss: Hss::new(cfg, subs),
    }
}

fn router(n: &mut Net) -> Router<'_> {
    let mut r = Router::new(1);
    r.add(UE, &mut n.ue);
    r.add(MME, &mut n.mme);
    r.add(HSS, &mut n.hss);
    r
}

fn authenticated(r: &Router, who: Addr, subject: Addr) -> bool {
    r.outcomes_of(who)
        .iter()
        .any(|o| matches!(o, Outcome::Authenticated { subject: s, .. } if *s == subject))
}

#[test]
fn attach_authenticates_both_sides_with_real_sizes() {
    let mut n = net(Config::default(), 1, 1, 1);
    let mut r = router(&mut n);
    r.start(UE);
    assert_eq!(
        r.kinds(),
        [
            "AttachRequest",
            "AIR",
            "AIA",
            "AuthenticationRequest",
            "AuthenticationResponse",
            "SecurityModeCommand",
            "SecurityModeComplete"
        ]
    );
    assert!(authenticated(&r, MME, UE));
    assert!(authenticated(&r, UE, MME));
    let size = |k: &str| r.log.iter().find(|p| p.kind == k).unwrap().pdu.len();
    assert_eq!(size("AuthenticationRequest"), 36);
    assert_eq!(size("AuthenticationResponse"), 3 + 8);
    // Every PDU on the wire decodes as the kind it was labelled with.
    for p in &r.log {
        match p.interface {
            crate::core::Interface::Nas => {
                assert_eq!(crate::wire::nas::decode_any(&p.pdu).unwrap().kind(), p.kind)
            }
            _ => assert!(p.kind == "AIR" || p.kind == "AIA"),
        }
    }
    // The UE ran Milenage and the KDFs; the MME only KDF + EIA2; HSS Milenage + KDF.
    assert!(r.crypto[&UE].get(Prim::AesBlock) > 0 && r.crypto[&UE].get(Prim::Sha256Block) > 0);
    assert!(r.crypto[&HSS].get(Prim::AesBlock) > 0);
    assert!(r.timers.is_empty(), "all timers cancelled: {:?}", r.timers);
}

#[test]
fn stale_sequence_number_triggers_resynchronisation() {
    // The UE has already accepted a high SQN; the HSS restarts from 1.
    let mut n = net(Config::default(), 1, 1, 1);
    {
        let mut r = router(&mut n);
        r.start(UE);
    }
    n.hss = {
        let cfg = Arc::new(Config::default());
        let (k, o) = keys(1);
        Hss::new(
            cfg,
            (0..4)
                .map(|_| Subscriber {
                    milenage: Milenage::new(k, o),
                    sqn: HeSqn::new(0),
                })
                .collect(),
        )
    };
    let mut r = router(&mut n);
    r.start(UE);
    let k = r.kinds();
    assert!(k.contains(&"AuthenticationFailure"), "{k:?}");
    assert_eq!(k.iter().filter(|&&x| x == "AIR").count(), 2);
    assert!(authenticated(&r, MME, UE), "{k:?}");
}

#[test]
fn a_network_without_the_key_is_detected_by_the_ue() {
    let mut n = net(Config::default(), 1, 2, 1);
    let mut r = router(&mut n);
    r.start(UE);
    assert!(r.outcomes_of(UE).iter().any(|o| matches!(
        o,
        Outcome::AttackDetected {
            what: "network_mac_failure",
            ..
        }
    )));
    assert!(
        r.outcomes_of(MME)
            .iter()
            .any(|o| matches!(o, Outcome::Rejected { .. }))
    );
    assert!(!authenticated(&r, MME, UE));
}

#[test]
fn a_wrong_res_is_rejected_by_the_mme() {
    // A UE without the key cannot even pass its own MAC check, so the wrong RES
    // is produced by altering the response in flight.
    let mut n = net(Config::default(), 1, 1, 1);
    let mut r = router(&mut n);
    r.tamper = Some(Box::new(|p| {
        let mut b = p.pdu.clone();
        if p.kind == "AuthenticationResponse" {
            let last = b.len() - 1;
            b[last] ^= 1;
        }
        Some(b)
    }));
    r.start(UE);
    assert!(r.outcomes_of(MME).iter().any(|o| matches!(
        o,
        Outcome::Rejected {
            reason: "res_mismatch",
            ..
        }
    )));
    assert!(r.kinds().contains(&"AuthenticationReject"));
}

#[test]
fn lost_challenge_is_retransmitted_on_t3460() {
    let mut n = net(Config::default(), 1, 1, 1);
    let mut r = router(&mut n);
    let mut dropped = false;
    r.tamper = Some(Box::new(move |p| {
        if p.kind == "AuthenticationResponse" && !dropped {
            dropped = true;
            return None;
        }
        Some(p.pdu.clone())
    }));
    r.start(UE);
    assert!(!authenticated(&r, MME, UE));
    assert!(r.fire_next_timer()); // T3460 at the MME: same challenge again
    assert!(authenticated(&r, MME, UE), "{:?}", r.kinds());
    let reqs = r
        .log
        .iter()
        .filter(|p| p.kind == "AuthenticationRequest")
        .count();
    assert_eq!(reqs, 2);
}

#[test]
fn t3460_gives_up_after_the_allowed_retransmissions() {
    let mut n = net(Config::default(), 1, 1, 1);
    let mut r = router(&mut n);
    r.tamper = Some(Box::new(|p| {
        if p.kind == "AuthenticationResponse" {
            None
        } else {
            Some(p.pdu.clone())
        }
    }));
    r.start(UE);
    let mut fired = 0;
    while r.fire_next_timer() && fired < 50 {
        fired += 1;
    }
    assert!(r.outcomes_of(MME).iter().any(|o| matches!(
        o,
        Outcome::Failed {
            reason: "t3460_expired",
            ..
        }
    )));
    let reqs = r
        .log
        .iter()
        .filter(|p| p.kind == "AuthenticationRequest")
        .count();
    // Each UE attach attempt (5) gets challenges until one side gives up.
    assert!(reqs >= 5, "{reqs}");
}

#[test]
fn batched_vectors_serve_later_attaches_without_the_hss() {
    let cfg = Config {
        vectors_per_request: 3,
        ..Config::default()
    };
    let mut n = net(cfg, 1, 1, 1);
    let mut r = router(&mut n);
    r.start(UE);
    r.start(UE);
    r.start(UE);
    assert_eq!(r.kinds().iter().filter(|&&k| k == "AIR").count(), 1);
    assert_eq!(
        r.outcomes_of(MME)
            .iter()
            .filter(|o| matches!(o, Outcome::Authenticated { .. }))
            .count(),
        3
    );
    r.start(UE);
    assert_eq!(r.kinds().iter().filter(|&&k| k == "AIR").count(), 2);
}

#[test]
fn unknown_subscriber_is_rejected() {
    let mut n = net(Config::default(), 1, 1, 1);
    let cfg = Arc::new(Config::default());
    let (k, o) = keys(1);
    n.ue = Ue::new(cfg, 999, MME, Milenage::new(k, o), SqnState::default());
    let mut r = router(&mut n);
    r.start(UE);
    assert!(r.outcomes_of(UE).iter().any(|o| matches!(
        o,
        Outcome::Rejected {
            reason: "attach_reject",
            ..
        }
    )));
}

#[test]
fn tampered_security_mode_command_is_refused() {
    let mut n = net(Config::default(), 1, 1, 1);
    let mut r = router(&mut n);
    r.tamper = Some(Box::new(|p| {
        let mut b = p.pdu.clone();
        if p.kind == "SecurityModeCommand" {
            b[2] ^= 0x01; // inside the MAC
        }
        Some(b)
    }));
    r.start(UE);
    assert!(r.outcomes_of(UE).iter().any(|o| matches!(
        o,
        Outcome::AttackDetected {
            what: "smc_integrity_failure",
            ..
        }
    )));
    assert!(!authenticated(&r, MME, UE));
}

#[test]
fn per_device_state_stays_small() {
    // 10^6 devices must fit in memory and cache (docs/performance.md): keys,
    // the sparse SQN array of TS 33.102 Annex C, the last challenge, K_ASME.
    assert!(
        std::mem::size_of::<Ue>() <= 160,
        "{}",
        std::mem::size_of::<Ue>()
    );
    assert!(std::mem::size_of::<Subscriber>() <= 64);
}

#[test]
fn lost_security_mode_complete_is_recovered_by_t3460() {
    let mut n = net(Config::default(), 1, 1, 1);
    let mut r = router(&mut n);
    let mut dropped = false;
    r.tamper = Some(Box::new(move |p| {
        if p.kind == "SecurityModeComplete" && !dropped {
            dropped = true;
            return None;
        }
        Some(p.pdu.clone())
    }));
    r.start(UE);
    assert!(authenticated(&r, UE, MME));
    assert!(!authenticated(&r, MME, UE));
    assert!(r.fire_next_timer()); // T3460: the SMC again; the registered UE answers again
    assert!(authenticated(&r, MME, UE), "{:?}", r.kinds());
    let ue_verdicts = r
        .outcomes_of(UE)
        .iter()
        .filter(|o| matches!(o, Outcome::Authenticated { .. }))
        .count();
    assert_eq!(ue_verdicts, 1, "the UE reports its verdict once");
}
