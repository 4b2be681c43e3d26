//! Whole UMTS AKA exchanges through the in-memory test router.

use std::sync::Arc;

use super::*;
use crate::aka::{HeSqn, SqnState};
use crate::core::{Addr, Interface, Outcome, Prim};
use crate::crypto::milenage::{Milenage, opc};
use crate::testing::Router;
use crate::wire::map::MapMessage;
use crate::wire::mm::{self, MmMessage};

const MS: Addr = Addr::new(0, 3);
const VLR: Addr = Addr::new(1, 0);
const HLR: Addr = Addr::new(2, 0);

fn keys(i: u8) -> ([u8; 16], [u8; 16]) {
    let k = [i; 16];
    let op = [0x5a; 16];
    (k, opc(&k, &op, &mut Default::default()))
}

fn subscribers(n: usize, key: u8, seq: u64) -> Vec<Subscriber> {
    (0..n)
        .map(|_| {
            let (k, o) = keys(key);
            Subscriber {
                milenage: Milenage::new(k, o),
                sqn: HeSqn::new(seq),
            }
        })
        .collect()
}

struct Net {
    ms: Ms,
    vlr: Vlr,
    hlr: Hlr,
}

fn net(cfg: Config, ms_key: u8, hlr_key: u8, hlr_seq: u64) -> Net {
    let cfg = Arc::new(cfg);
    let (k, o) = keys(ms_key);
    let ms = Ms::new(
        cfg.clone(),
        MS.index,
        VLR,
        Milenage::new(k, o),
        SqnState::default(),
    );
    Net {
        ms,
        vlr: Vlr::new(cfg.clone(), HLR),
        hlr: Hlr::new(cfg, subscribers(4, hlr_key, hlr_seq)),
    }
}

fn router(n: &mut Net) -> Router<'_> {
    let mut r = Router::new(1);
    r.add(MS, &mut n.ms);
    r.add(VLR, &mut n.vlr);
    r.add(HLR, &mut n.hlr);
    r
}

fn authenticated(r: &Router, who: Addr, subject: Addr) -> bool {
    r.outcomes_of(who)
        .iter()
        .any(|o| matches!(o, Outcome::Authenticated { subject: s, .. } if *s == subject))
}

fn count(r: &Router, kind: &str) -> usize {
    r.log.iter().filter(|p| p.kind == kind).count()
}

#[test]
fn location_updating_authenticates_both_sides_with_real_sizes() {
    let mut n = net(Config::default(), 1, 1, 1);
    let mut r = router(&mut n);
    r.start(MS);
    assert_eq!(
        r.kinds(),
        [
            "LocationUpdatingRequest",
            "SendAuthInfo",
            "SendAuthInfoResult",
            "AuthenticationRequest",
            "AuthenticationResponse",
            "LocationUpdatingAccept"
        ]
    );
    assert!(authenticated(&r, VLR, MS));
    assert!(authenticated(&r, MS, VLR));
    let size = |k: &str| r.log.iter().find(|p| p.kind == k).unwrap().pdu.len();
    assert_eq!(size("LocationUpdatingRequest"), 23);
    assert_eq!(size("SendAuthInfo"), 75);
    assert_eq!(size("SendAuthInfoResult"), 153);
    assert_eq!(size("AuthenticationRequest"), 37);
    assert_eq!(size("AuthenticationResponse"), 12);
    assert_eq!(size("LocationUpdatingAccept"), 7);
    // Every PDU decodes as the kind it was labelled with; the MS numbers its
    // messages N(SD) 0, 1.
    for p in &r.log {
        match p.interface {
            Interface::UmtsAir => assert_eq!(MmMessage::decode(&p.pdu).unwrap().kind(), p.kind),
            Interface::Map => assert_eq!(MapMessage::decode(&p.pdu).unwrap().kind(), p.kind),
            other => panic!("unexpected interface {other}"),
        }
    }
    let resp = r
        .log
        .iter()
        .find(|p| p.kind == "AuthenticationResponse")
        .unwrap();
    assert_eq!(MmMessage::decode_with_nsd(&resp.pdu).unwrap().1, 1);
    // The MS ran Milenage (5 AES blocks: TEMP, f2/f5, f1, f3, f4); the HLR
    // generated one quintet (5); the VLR only compared RES.
    assert_eq!(r.crypto[&MS].get(Prim::AesBlock), 5);
    assert_eq!(r.crypto[&HLR].get(Prim::AesBlock), 5);
    assert!(r.crypto[&VLR].is_empty());
    assert!(r.timers.is_empty(), "all timers cancelled: {:?}", r.timers);
    drop(r);
    assert!(n.ms.is_registered());
    assert_eq!(n.vlr.contexts(), 1);
}

#[test]
fn stale_sequence_number_triggers_resynchronisation() {
    let mut n = net(Config::default(), 1, 1, 1);
    {
        let mut r = router(&mut n);
        r.start(MS);
    }
    // The HLR restarts from SEQ 0: its next quintet is stale for the USIM.
    n.hlr = Hlr::new(Arc::new(Config::default()), subscribers(4, 1, 0));
    let mut r = router(&mut n);
    r.start(MS);
    let fail = r
        .log
        .iter()
        .find(|p| p.kind == "AuthenticationFailure")
        .expect("synch failure");
    assert_eq!(fail.pdu.len(), 19);
    assert_eq!(count(&r, "SendAuthInfo"), 2);
    let resync = r
        .log
        .iter()
        .filter(|p| p.kind == "SendAuthInfo")
        .nth(1)
        .unwrap();
    assert_eq!(
        resync.pdu.len(),
        75 + 36,
        "Re-SynchronisationInfo = RAND || AUTS"
    );
    let MapMessage::Begin(b) = MapMessage::decode(&resync.pdu).unwrap() else {
        panic!("not a Begin")
    };
    assert!(b.arg.re_synchronisation_info.is_some());
    assert!(authenticated(&r, VLR, MS), "{:?}", r.kinds());
}

#[test]
fn a_network_without_the_key_is_detected_by_the_ms() {
    let mut n = net(Config::default(), 1, 2, 1);
    let mut r = router(&mut n);
    r.start(MS);
    assert!(r.outcomes_of(MS).iter().any(|o| matches!(
        o,
        Outcome::AttackDetected {
            what: "network_mac_failure",
            ..
        }
    )));
    assert!(r.outcomes_of(VLR).iter().any(|o| matches!(
        o,
        Outcome::Rejected {
            reason: "ms_reported_mac_failure",
            ..
        }
    )));
    assert!(!authenticated(&r, VLR, MS));
    assert!(!authenticated(&r, MS, VLR));
}

#[test]
fn a_wrong_res_is_rejected_by_the_vlr() {
    let mut n = net(Config::default(), 1, 1, 1);
    let mut r = router(&mut n);
    r.tamper = Some(Box::new(|p| {
        let mut b = p.pdu.clone();
        if p.kind == "AuthenticationResponse" {
            b[3] ^= 1; // inside SRES
        }
        Some(b)
    }));
    r.start(MS);
    assert!(r.outcomes_of(VLR).iter().any(|o| matches!(
        o,
        Outcome::Rejected {
            reason: "res_mismatch",
            ..
        }
    )));
    assert!(r.kinds().contains(&"AuthenticationReject"));
    assert!(r.outcomes_of(MS).iter().any(|o| matches!(
        o,
        Outcome::Rejected {
            reason: "authentication_reject",
            ..
        }
    )));
}

#[test]
fn lost_response_is_recovered_by_t3260() {
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
    r.start(MS);
    assert!(!authenticated(&r, VLR, MS));
    assert!(r.fire_next_timer()); // T3260 at the VLR (12 s) before T3210 (20 s)
    assert_eq!(r.now, Config::default().t3260);
    assert!(authenticated(&r, VLR, MS), "{:?}", r.kinds());
    assert_eq!(count(&r, "AuthenticationRequest"), 2);
    // The second answer reuses the stored RES: Milenage ran once.
    assert_eq!(r.crypto[&MS].get(Prim::AesBlock), 5);
    assert!(r.timers.is_empty());
}

#[test]
fn t3260_gives_up_after_the_allowed_retransmissions() {
    let mut n = net(Config::default(), 1, 1, 1);
    let mut r = router(&mut n);
    r.tamper = Some(Box::new(|p| {
        if p.kind == "AuthenticationResponse" {
            None
        } else {
            Some(p.pdu.clone())
        }
    }));
    r.start(MS);
    let mut fired = 0;
    while r.fire_next_timer() && fired < 50 {
        fired += 1;
    }
    assert!(r.outcomes_of(VLR).iter().any(|o| matches!(
        o,
        Outcome::Failed {
            reason: "t3260_expired",
            ..
        }
    )));
    assert!(r.outcomes_of(MS).iter().any(|o| matches!(
        o,
        Outcome::Failed {
            reason: "t3210_expired",
            ..
        }
    )));
}

#[test]
fn batched_quintets_stay_at_the_vlr_for_later_authentications() {
    let cfg = Config {
        quintets_per_request: 3,
        ..Config::default()
    };
    let mut n = net(cfg, 1, 1, 1);
    {
        let mut r = router(&mut n);
        r.start(MS);
        let end = r
            .log
            .iter()
            .find(|p| p.kind == "SendAuthInfoResult")
            .unwrap();
        assert_eq!(end.pdu.len(), 330);
        r.start(MS);
        r.start(MS);
        assert_eq!(count(&r, "SendAuthInfo"), 1);
        assert_eq!(
            r.outcomes_of(VLR)
                .iter()
                .filter(|o| matches!(o, Outcome::Authenticated { .. }))
                .count(),
            3
        );
        r.start(MS);
        assert_eq!(count(&r, "SendAuthInfo"), 2);
    }
    assert_eq!(n.vlr.stored_quintets(MS), 2);
}

#[test]
fn unknown_subscriber_is_rejected() {
    let mut n = net(Config::default(), 1, 1, 1);
    let (k, o) = keys(1);
    n.ms = Ms::new(
        Arc::new(Config::default()),
        999,
        VLR,
        Milenage::new(k, o),
        SqnState::default(),
    );
    let mut r = router(&mut n);
    r.start(MS);
    assert_eq!(
        r.kinds(),
        [
            "LocationUpdatingRequest",
            "SendAuthInfo",
            "SendAuthInfoError",
            "LocationUpdatingReject"
        ]
    );
    let reject = r.log.last().unwrap();
    assert_eq!(
        MmMessage::decode(&reject.pdu).unwrap(),
        MmMessage::LocationUpdatingReject(mm::RejectCause::IMSI_UNKNOWN_IN_HLR)
    );
    assert!(r.outcomes_of(MS).iter().any(|o| matches!(
        o,
        Outcome::Rejected {
            reason: "location_updating_reject",
            ..
        }
    )));
}

#[test]
fn a_gsm_challenge_is_refused_by_the_usim() {
    let mut n = net(Config::default(), 1, 1, 1);
    let mut r = router(&mut n);
    // Keep the MS waiting: the VLR never hears the request.
    r.tamper = Some(Box::new(|p| {
        if p.kind == "LocationUpdatingRequest" {
            None
        } else {
            Some(p.pdu.clone())
        }
    }));
    r.start(MS);
    let gsm = MmMessage::AuthenticationRequest(mm::AuthenticationRequest {
        cksn: 0,
        rand: [7; 16],
        autn: None,
    });
    r.inject(VLR, MS, Interface::UmtsAir, gsm.encode());
    let fail = r.log.last().unwrap();
    assert_eq!(
        MmMessage::decode(&fail.pdu).unwrap(),
        MmMessage::AuthenticationFailure(mm::AuthenticationFailure {
            cause: mm::RejectCause::GSM_AUTHENTICATION_UNACCEPTABLE,
            auts: None
        })
    );
}

#[test]
fn map_timeout_reinvokes_then_rejects() {
    let mut n = net(Config::default(), 1, 1, 1);
    let mut r = router(&mut n);
    r.tamper = Some(Box::new(|p| {
        if p.interface == Interface::Map && p.kind != "SendAuthInfo" {
            None
        } else {
            Some(p.pdu.clone())
        }
    }));
    r.start(MS);
    assert!(r.fire_next_timer()); // MAP timer at 15 s, before T3210 (20 s)
    assert_eq!(r.now, Config::default().map_timeout);
    assert_eq!(count(&r, "SendAuthInfo"), 2);
    let timed_out = |r: &Router| {
        r.outcomes_of(VLR).iter().any(|o| {
            matches!(
                o,
                Outcome::Rejected {
                    reason: "map_timeout",
                    ..
                }
            )
        })
    };
    let mut fired = 0;
    while !timed_out(&r) && r.fire_next_timer() && fired < 20 {
        fired += 1;
    }
    assert!(timed_out(&r));
    // One invocation and map_max_retx (2) re-invocations; the MS's repeated
    // requests meanwhile start no new dialogue.
    assert_eq!(count(&r, "SendAuthInfo"), 3);
    assert_eq!(r.log.last().unwrap().kind, "LocationUpdatingReject");
}

/// Closed form (docs/counting.md): n MSs each attaching once, loss-free,
/// batch size b. UmtsAir: 4n transmissions, 79n octets; MAP: 2n
/// transmissions, n (75 + End(b)) octets with End(b) = 153, 242, 330, 416, 500.
#[test]
fn counted_transmissions_and_bytes_match_the_closed_form() {
    const END: [usize; 6] = [0, 153, 242, 330, 416, 500];
    for b in 1..=5u8 {
        for n_ms in [1usize, 2, 5, 10] {
            let cfg = Arc::new(Config {
                quintets_per_request: b,
                ..Config::default()
            });
            let mut mss: Vec<Ms> = (0..n_ms as u32)
                .map(|i| {
                    let (k, o) = keys(1);
                    Ms::new(
                        cfg.clone(),
                        i,
                        VLR,
                        Milenage::new(k, o),
                        SqnState::default(),
                    )
                })
                .collect();
            let mut vlr = Vlr::new(cfg.clone(), HLR);
            let mut hlr = Hlr::new(cfg.clone(), subscribers(n_ms, 1, 1));
            let mut r = Router::new(7);
            for (i, ms) in mss.iter_mut().enumerate() {
                r.add(Addr::new(0, i as u32), ms);
            }
            r.add(VLR, &mut vlr);
            r.add(HLR, &mut hlr);
            for i in 0..n_ms {
                r.start(Addr::new(0, i as u32));
            }
            let on = |i: Interface| r.log.iter().filter(move |p| p.interface == i);
            let n = n_ms;
            assert_eq!(on(Interface::UmtsAir).count(), 4 * n);
            assert_eq!(
                on(Interface::UmtsAir).map(|p| p.pdu.len()).sum::<usize>(),
                79 * n
            );
            assert_eq!(on(Interface::Map).count(), 2 * n);
            assert_eq!(
                on(Interface::Map).map(|p| p.pdu.len()).sum::<usize>(),
                n * (75 + END[b as usize]),
                "b = {b}"
            );
            assert_eq!(
                r.outcomes
                    .iter()
                    .filter(|(a, o)| *a == VLR && matches!(o, Outcome::Authenticated { .. }))
                    .count(),
                n
            );
        }
    }
}
