//! Whole UMTS AKA exchanges through the in-memory test router.

use std::sync::Arc;

use super::*;
use crate::aka::SqnState;
use crate::aka::test_support::*;
use crate::core::{Addr, Interface, Prim};
use crate::testing::Router;
use crate::wire::map::MapMessage;
use crate::wire::mm::{self, MmMessage};

const MS: Addr = dev(3);
const VLR: Addr = SERVING;
const HLR: Addr = HOME;

fn ms(cfg: &Arc<Config>, index: u32, key: u8) -> Ms {
    Ms::new(cfg.clone(), index, VLR, milenage(key), SqnState::default())
}

/// One MS (subscriber 3, K from `ms_key`) and an HLR with four subscribers
/// (K from `hlr_key`, SEQ_HE from `hlr_seq`).
fn net(cfg: Config, ms_key: u8, hlr_key: u8, hlr_seq: u64) -> Net<Ms, Vlr, Hlr> {
    let cfg = Arc::new(cfg);
    Net {
        devices: vec![(MS, ms(&cfg, MS.index, ms_key))],
        serving: Vlr::new(cfg.clone(), HLR),
        home: Hlr::new(cfg, subscribers(4, |_| hlr_key, hlr_seq)),
    }
}

#[test]
fn location_updating_authenticates_both_sides_with_real_sizes() {
    let mut n = net(Config::default(), 1, 1, 1);
    let mut r = n.router(1);
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
    assert!(mutually_authenticated(&r, MS));
    assert_eq!(size(&r, "LocationUpdatingRequest"), 23);
    assert_eq!(size(&r, "SendAuthInfo"), 75);
    assert_eq!(size(&r, "SendAuthInfoResult"), 153);
    assert_eq!(size(&r, "AuthenticationRequest"), 37);
    assert_eq!(size(&r, "AuthenticationResponse"), 12);
    assert_eq!(size(&r, "LocationUpdatingAccept"), 7);
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
    assert!(n.devices[0].1.is_registered());
    assert_eq!(n.serving.contexts(), 1);
}

#[test]
fn a_benign_exchange_ignores_nothing() {
    // Two location updatings, the second served from the VLR's stock.
    let cfg = Config {
        quintets_per_request: 2,
        ..Config::default()
    };
    let mut n = net(cfg, 1, 1, 1);
    let mut r = n.router(1);
    attach_all(&mut r, [MS; 2]);
    assert_eq!(verdicts(&r, VLR), 2);
    assert_eq!(verdicts(&r, MS), 2);
    assert_nothing_ignored(&r);
}

#[test]
fn unexpected_messages_are_counted_not_dropped() {
    let mut n = net(Config::default(), 1, 1, 1);
    let mut r = n.router(1);
    // A response from an MS the VLR has no context for, and noise.
    let res = MmMessage::AuthenticationResponse(mm::AuthenticationResponse { res: vec![0; 8] });
    r.inject(MS, VLR, Interface::UmtsAir, res.encode());
    r.inject(MS, VLR, Interface::UmtsAir, vec![0xff]);
    r.inject(VLR, HLR, Interface::Map, vec![0xff]);
    // An accept to an MS that has not asked for one.
    let accept = MmMessage::LocationUpdatingAccept(mm::LocationUpdatingAccept {
        lai: Config::default().lai(),
        follow_on_proceed: false,
    });
    r.inject(VLR, MS, Interface::UmtsAir, accept.encode());
    // A full location updating, then its MAP result again.
    r.start(MS);
    let end = r.log.iter().find(|p| p.kind == "SendAuthInfoResult");
    r.inject(HLR, VLR, Interface::Map, end.unwrap().pdu.clone());
    assert!(mutually_authenticated(&r, MS));
    let label = [
        "AuthenticationResponse",
        "undecodable",
        "SendAuthInfoResult",
    ];
    assert_ignored(&r, VLR, &label);
    assert_ignored(&r, HLR, &["undecodable"]);
    assert_ignored(&r, MS, &["LocationUpdatingAccept"]);
}

#[test]
fn stale_sequence_number_triggers_resynchronisation() {
    let mut n = net(Config::default(), 1, 1, 1);
    n.router(1).start(MS);
    // The HLR restarts from SEQ 0: its next quintet is stale for the USIM.
    n.home = Hlr::new(Arc::new(Config::default()), subscribers(4, |_| 1, 0));
    let mut r = n.router(1);
    r.start(MS);
    assert_eq!(size(&r, "AuthenticationFailure"), 19, "synch failure");
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
    // It returns the RAND of the challenge the AUTS answers: the HLR verifies
    // MAC-S with it and resynchronises silently (a wrong RAND would be
    // reported as a forged AUTS).
    let challenge = r.log.iter().find(|p| p.kind == "AuthenticationRequest");
    let MmMessage::AuthenticationRequest(a) = MmMessage::decode(&challenge.unwrap().pdu).unwrap()
    else {
        panic!("not an AuthenticationRequest")
    };
    assert_eq!(b.arg.re_synchronisation_info.unwrap().rand, a.rand);
    assert_eq!(r.outcomes_of(HLR), []);
    assert!(authenticated(&r, VLR, MS), "{:?}", r.kinds());
}

#[test]
fn a_network_without_the_key_is_detected_by_the_ms() {
    let mut n = net(Config::default(), 1, 2, 1);
    let mut r = n.router(1);
    r.start(MS);
    assert!(detected(&r, MS, "network_mac_failure"));
    assert!(rejected(&r, VLR, MS, "ms_reported_mac_failure"));
    assert!(!authenticated(&r, VLR, MS));
    assert!(!authenticated(&r, MS, VLR));
}

#[test]
fn a_wrong_res_is_rejected_by_the_vlr() {
    let mut n = net(Config::default(), 1, 1, 1);
    let mut r = n.router(1);
    r.tamper = Some(flip("AuthenticationResponse", |_| 3)); // inside SRES
    r.start(MS);
    assert!(rejected(&r, VLR, MS, "res_mismatch"));
    assert!(r.kinds().contains(&"AuthenticationReject"));
    assert!(rejected(&r, MS, VLR, "authentication_reject"));
}

#[test]
fn lost_response_is_recovered_by_t3260() {
    let mut n = net(Config::default(), 1, 1, 1);
    let mut r = n.router(1);
    r.tamper = Some(drop_first("AuthenticationResponse"));
    r.start(MS);
    assert!(!authenticated(&r, VLR, MS));
    assert!(r.fire_next_timer()); // T3260 at the VLR (12 s) before T3210 (20 s)
    assert_eq!(r.now, Config::default().t3260);
    assert!(authenticated(&r, VLR, MS), "{:?}", r.kinds());
    assert_eq!(count(&r, "AuthenticationRequest"), 2);
    // The second answer reuses the stored RES: Milenage ran once.
    assert_eq!(r.crypto[&MS].get(Prim::AesBlock), 5);
    assert!(r.timers.is_empty());
    // It is the MS's third message, N(SD) 2, and the VLR takes it: the first
    // answer may have been lost after the first challenge.
    let second = r.log.iter().rfind(|p| p.kind == "AuthenticationResponse");
    assert_eq!(
        MmMessage::decode_with_nsd(&second.unwrap().pdu).unwrap().1,
        2
    );
    assert_nothing_ignored(&r);
}

/// N(SD) is outside RES: a response whose N(SD) was changed in flight is
/// discarded as out of sequence (TS 24.007 §11.2.3.2.3.3) and counted, for
/// each value but the MS's own.
#[test]
fn an_altered_send_sequence_number_is_discarded_and_counted() {
    for nsd in [0, 2, 3] {
        let mut n = net(Config::default(), 1, 1, 1);
        let mut r = n.router(1);
        r.tamper = Some(Box::new(move |p| {
            let mut b = p.pdu.clone();
            if p.kind == "AuthenticationResponse" {
                b[1] = (nsd << 6) | (b[1] & 0x3f);
            }
            Some(b)
        }));
        r.start(MS);
        assert_eq!(verdicts(&r, VLR), 0, "N(SD) {nsd}");
        assert_ignored(&r, VLR, &["nsd_out_of_sequence"]);
    }
    // A location updating request must open the connection with N(SD) 0.
    let mut n = net(Config::default(), 1, 1, 1);
    let mut r = n.router(1);
    r.tamper = Some(Box::new(|p| {
        let mut b = p.pdu.clone();
        b[1] |= 0x40;
        Some(b)
    }));
    r.start(MS);
    assert_eq!(r.kinds(), ["LocationUpdatingRequest"]);
    assert_ignored(&r, VLR, &["nsd_out_of_sequence"]);
}

#[test]
fn t3260_gives_up_after_the_allowed_retransmissions() {
    let mut n = net(Config::default(), 1, 1, 1);
    let mut r = n.router(1);
    r.tamper = Some(drop_all("AuthenticationResponse"));
    r.start(MS);
    fire_until(&mut r, 50, |_| false);
    assert!(failed(&r, VLR, "t3260_expired"));
    assert!(failed(&r, MS, "t3210_expired"));
}

#[test]
fn batched_quintets_stay_at_the_vlr_for_later_authentications() {
    let cfg = Config {
        quintets_per_request: 3,
        ..Config::default()
    };
    let mut n = net(cfg, 1, 1, 1);
    {
        let mut r = n.router(1);
        r.start(MS);
        assert_eq!(size(&r, "SendAuthInfoResult"), 330);
        attach_all(&mut r, [MS; 2]);
        assert_eq!(count(&r, "SendAuthInfo"), 1);
        assert_eq!(verdicts(&r, VLR), 3);
        r.start(MS);
        assert_eq!(count(&r, "SendAuthInfo"), 2);
    }
    assert_eq!(n.serving.stored_quintets(MS), 2);
}

#[test]
fn unknown_subscriber_is_rejected() {
    let mut n = net(Config::default(), 1, 1, 1);
    n.devices[0].1 = ms(&Arc::new(Config::default()), 999, 1);
    let mut r = n.router(1);
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
    assert!(rejected(&r, MS, VLR, "location_updating_reject"));
}

#[test]
fn a_gsm_challenge_is_refused_by_the_usim() {
    let mut n = net(Config::default(), 1, 1, 1);
    let mut r = n.router(1);
    // Keep the MS waiting: the VLR never hears the request.
    r.tamper = Some(drop_all("LocationUpdatingRequest"));
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
    let mut r = n.router(1);
    r.tamper = Some(drop_all("SendAuthInfoResult"));
    r.start(MS);
    assert!(r.fire_next_timer()); // MAP timer at 15 s, before T3210 (20 s)
    assert_eq!(r.now, Config::default().map_timeout);
    assert_eq!(count(&r, "SendAuthInfo"), 2);
    let timed_out = |r: &Router| rejected(r, VLR, MS, "map_timeout");
    fire_until(&mut r, 20, timed_out);
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
        for n_ms in [1u32, 2, 5, 10] {
            let cfg = Arc::new(Config {
                quintets_per_request: b,
                ..Config::default()
            });
            let mut net = Net {
                devices: (0..n_ms).map(|i| (dev(i), ms(&cfg, i, 1))).collect(),
                serving: Vlr::new(cfg.clone(), HLR),
                home: Hlr::new(cfg.clone(), subscribers(n_ms, |_| 1, 1)),
            };
            let mut r = net.router(7);
            attach_all(&mut r, (0..n_ms).map(dev));
            let n = n_ms as usize;
            assert_eq!(per_interface(&r, Interface::UmtsAir), (4 * n, 79 * n));
            assert_eq!(
                per_interface(&r, Interface::Map),
                (2 * n, n * (75 + END[b as usize])),
                "b = {b}"
            );
            assert_eq!(verdicts(&r, VLR), n);
        }
    }
}

/// Issue 10, untested paths: an unknown IMSI gets a MAP returnError with
/// unknownSubscriber (1) (TS 29.002 §17.6.6) in the TCAP End.
#[test]
fn an_unknown_imsi_gets_the_map_error_unknown_subscriber() {
    use crate::wire::map::{SaiOutcome, error_code};
    let mut n = net(Config::default(), 1, 1, 1);
    n.devices[0].1 = ms(&Arc::new(Config::default()), 999, 1);
    let mut r = n.router(1);
    r.start(MS);
    let pdu = &r
        .log
        .iter()
        .find(|p| p.kind == "SendAuthInfoError")
        .unwrap()
        .pdu;
    let MapMessage::End(end) = MapMessage::decode(pdu).unwrap() else {
        panic!("a TCAP End");
    };
    assert_eq!(
        end.outcome,
        SaiOutcome::Error(error_code::UNKNOWN_SUBSCRIBER)
    );
    assert!(rejected(&r, MS, VLR, "location_updating_reject"));
}

/// An MS whose key differs from the HLR's answers with MAC failure; the VLR
/// ends the procedure with MM AUTHENTICATION REJECT (05 11, TS 24.008 §9.2.1).
#[test]
fn a_wrong_key_ends_in_mm_authentication_reject() {
    let mut n = net(Config::default(), 2, 1, 1);
    let mut r = n.router(1);
    r.start(MS);
    let reject = &r.log.iter().find(|p| p.kind == "AuthenticationReject");
    assert_eq!(reject.map(|p| p.pdu.as_slice()), Some(&[0x05, 0x11][..]));
    assert!(rejected(&r, VLR, MS, "ms_reported_mac_failure"));
    assert!(rejected(&r, MS, VLR, "authentication_reject"));
}

/// Issue 19: a forged AUTS is reported by the HLR as an attack naming the
/// subscriber's device (docs/protocols/umts-aka.md).
#[test]
fn a_forged_auts_is_reported_by_the_hlr() {
    let mut n = net(Config::default(), 1, 1, 1);
    n.router(1).start(MS);
    n.home = Hlr::new(Arc::new(Config::default()), subscribers(4, |_| 1, 0));
    let mut r = n.router(1);
    r.tamper = Some(flip("AuthenticationFailure", |len| len - 1)); // MAC-S
    r.start(MS);
    let forged = crate::core::Outcome::AttackDetected {
        subject: crate::aka::subscriber_device(MS.index),
        what: "resync_auts_mac_failure",
    };
    assert_eq!(r.outcomes_of(HLR), [forged]);
    assert_eq!(count(&r, "AuthenticationFailure"), 1);
}

/// Issue 19: the crypto work per registration of docs/counting.md, per node and
/// exactly, for batches of b = 1..3 quintets each used up by b registrations.
/// The MS runs MILENAGE once per challenge (5 AES blocks: TEMP, f2/f5, f1, f3,
/// f4; CK ‖ IK are the keys, nothing derived); the HLR runs it once per quintet;
/// the VLR only compares RES with XRES (no primitive).
#[test]
fn crypto_per_registration_is_what_docs_counting_md_states() {
    const MILENAGE: u64 = 5;
    for b in 1u8..=3 {
        let cfg = Config {
            quintets_per_request: b,
            ..Config::default()
        };
        let mut n = net(cfg, 1, 1, 1);
        let mut r = n.router(1);
        for _ in 0..b {
            r.start(MS);
        }
        assert_eq!(verdicts(&r, VLR), b as usize);
        assert_eq!(count(&r, "SendAuthInfo"), 1);
        let k = u64::from(b);
        assert_crypto(&r, MS, k * MILENAGE, 0);
        assert_crypto(&r, VLR, 0, 0);
        assert_crypto(&r, HLR, k * MILENAGE, 0);
    }
}

/// Issue 19 (a mutant of `Device::is_registered` survived): an MS counts as
/// registered only once its location updating is accepted: not before it
/// starts, not after the network without its key was detected and the
/// procedure rejected.
#[test]
fn an_ms_is_registered_only_after_an_accepted_location_updating() {
    let mut n = net(Config::default(), 1, 2, 1);
    assert!(!n.devices[0].1.is_registered());
    let mut r = n.router(1);
    r.start(MS);
    assert!(detected(&r, MS, "network_mac_failure"));
    drop(r);
    assert!(!n.devices[0].1.is_registered());
    let mut n = net(Config::default(), 1, 1, 1);
    n.router(1).start(MS);
    assert!(n.devices[0].1.is_registered());
}

/// Issue 19 (a mutant of the device's `attaching` guard survived): a GSM
/// challenge reaching an MS that is already registered is counted as
/// ignored; the MS sends no AUTHENTICATION FAILURE and stays registered.
#[test]
fn a_registered_ms_ignores_a_gsm_challenge() {
    let mut n = net(Config::default(), 1, 1, 1);
    let mut r = n.router(1);
    r.start(MS);
    assert!(mutually_authenticated(&r, MS));
    let gsm = MmMessage::AuthenticationRequest(mm::AuthenticationRequest {
        cksn: 0,
        rand: [7; 16],
        autn: None,
    });
    r.inject(VLR, MS, Interface::UmtsAir, gsm.encode());
    assert_ignored(&r, MS, &["AuthenticationRequest"]);
    assert_eq!(count(&r, "AuthenticationFailure"), 0);
    drop(r);
    assert!(n.devices[0].1.is_registered());
}

/// Issue 19 (mutants of the MS's `session_key` survived): after a location
/// updating the MS holds CK ‖ IK of the challenge it accepted, f3 and f4 of
/// TS 35.206 on its RAND — the keys the quintet gave the VLR.
#[test]
fn the_ms_holds_ck_and_ik_of_the_accepted_challenge() {
    let mut n = net(Config::default(), 1, 1, 1);
    let mut r = n.router(1);
    r.start(MS);
    let challenge = r.log.iter().find(|p| p.kind == "AuthenticationRequest");
    let Ok(MmMessage::AuthenticationRequest(c)) = MmMessage::decode(&challenge.unwrap().pdu) else {
        panic!("no challenge");
    };
    drop(r);
    let rand = c.rand;
    let ms = &n.devices[0].1;
    let (_, ck, ik, _) = milenage(1).f2345(&rand, &mut Default::default());
    let mut expected = [0u8; 32];
    expected[..16].copy_from_slice(&ck);
    expected[16..].copy_from_slice(&ik);
    assert_eq!(ms.key(), Some(&expected));
}

/// Issue 19 (a mutant of the MS's accept guard survived): a LOCATION
/// UPDATING ACCEPT reaching an MS that is attaching but has not yet accepted
/// a challenge is counted as ignored and registers nothing.
#[test]
fn an_accept_before_the_challenge_is_ignored() {
    let mut n = net(Config::default(), 1, 1, 1);
    let mut r = n.router(1);
    r.tamper = Some(drop_all("SendAuthInfo"));
    r.start(MS);
    let accept = MmMessage::LocationUpdatingAccept(mm::LocationUpdatingAccept {
        lai: Config::default().lai(),
        follow_on_proceed: false,
    });
    r.inject(VLR, MS, Interface::UmtsAir, accept.encode());
    assert_ignored(&r, MS, &["LocationUpdatingAccept"]);
    assert_eq!(verdicts(&r, MS), 0);
    drop(r);
    assert!(!n.devices[0].1.is_registered());
    assert!(n.devices[0].1.key().is_none());
}

/// Issue 19 (a mutant of `Vlr::contexts` returning 1 survived): the VLR
/// holds one context per registered MS.
#[test]
fn the_vlr_holds_one_context_per_registered_ms() {
    let cfg = Arc::new(Config::default());
    let other = dev(1);
    let mut n = Net {
        devices: vec![
            (MS, ms(&cfg, MS.index, 1)),
            (other, ms(&cfg, other.index, 1)),
        ],
        serving: Vlr::new(cfg.clone(), HLR),
        home: Hlr::new(cfg, subscribers(4, |_| 1, 1)),
    };
    assert_eq!(n.serving.contexts(), 0);
    let mut r = n.router(1);
    attach_all(&mut r, [MS, other]);
    assert_mutually_authenticated(&r, [MS, other]);
    drop(r);
    assert_eq!(n.serving.contexts(), 2);
}

/// Issue 19 (a mutant of the VLR's quintet guard survived): a MAP result
/// without quintets is a refusal — the VLR challenges nothing and rejects
/// the MS (network failure), as for a MAP error.
#[test]
fn a_map_result_without_quintets_is_a_refusal() {
    use crate::wire::map::SaiOutcome;
    let mut n = net(Config::default(), 1, 1, 1);
    let mut r = n.router(1);
    r.tamper = Some(Box::new(|p| {
        Some(if p.kind == "SendAuthInfoResult" {
            let Ok(MapMessage::End(mut end)) = MapMessage::decode(&p.pdu) else {
                panic!("not a TC-END");
            };
            end.outcome = SaiOutcome::Result(Vec::new());
            MapMessage::End(end).encode()
        } else {
            p.pdu.clone()
        })
    }));
    r.start(MS);
    assert_eq!(count(&r, "AuthenticationRequest"), 0);
    assert!(rejected(&r, VLR, MS, "hlr_refused"));
}

/// Issue 19 (a mutant of the VLR's sequence check survived: it looked at
/// N(SD) outside a challenge): an AUTHENTICATION RESPONSE replayed after
/// the location updating is ignored by the AKA core as unexpected, not as
/// out of sequence, and accepts nothing more.
#[test]
fn a_response_replayed_after_the_location_updating_is_ignored_as_unexpected() {
    let mut n = net(Config::default(), 1, 1, 1);
    let mut r = n.router(1);
    r.start(MS);
    assert!(mutually_authenticated(&r, MS));
    let resp = r.log.iter().find(|p| p.kind == "AuthenticationResponse");
    let (msg, nsd) = MmMessage::decode_with_nsd(&resp.unwrap().pdu).unwrap();
    // As sent (N(SD) 1), and with an N(SD) no sequence would accept next.
    r.inject(MS, VLR, Interface::UmtsAir, msg.encode_with_nsd(nsd));
    r.inject(MS, VLR, Interface::UmtsAir, msg.encode_with_nsd(3));
    assert_ignored(
        &r,
        VLR,
        &["AuthenticationResponse", "AuthenticationResponse"],
    );
    assert_eq!(count(&r, "LocationUpdatingAccept"), 1);
}
