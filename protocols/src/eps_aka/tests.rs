//! Whole EPS-AKA exchanges through the in-memory test router.

use std::sync::Arc;

use super::*;
use crate::aka::SqnState;
use crate::aka::test_support::*;
use crate::core::{Addr, Interface, Outcome, Prim};
use crate::wire::nas::{self, AuthenticationRequest, AuthenticationResponse, NasMessage};

const UE: Addr = dev(3);
const MME: Addr = SERVING;
const HSS: Addr = HOME;

fn ue(cfg: &Arc<Config>, index: u32, key: u8) -> Ue {
    Ue::new(cfg.clone(), index, MME, milenage(key), SqnState::default())
}

/// One UE (subscriber 3, K from `ue_key`) and an HSS with four subscribers
/// (K from `hss_key`, SEQ_HE from `hss_seq`).
fn net(cfg: Config, ue_key: u8, hss_key: u8, hss_seq: u64) -> Net<Ue, Mme, Hss> {
    let cfg = Arc::new(cfg);
    Net {
        devices: vec![(UE, ue(&cfg, UE.index, ue_key))],
        serving: Mme::new(cfg.clone(), HSS),
        home: Hss::new(cfg, subscribers(4, |_| hss_key, hss_seq)),
    }
}

#[test]
fn attach_authenticates_both_sides_with_real_sizes() {
    let mut n = net(Config::default(), 1, 1, 1);
    let mut r = n.router(1);
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
    assert!(mutually_authenticated(&r, UE));
    assert_eq!(size(&r, "AuthenticationRequest"), 36);
    assert_eq!(size(&r, "AuthenticationResponse"), 3 + 8);
    // Every PDU on the wire decodes as the kind it was labelled with.
    for p in &r.log {
        match p.interface {
            Interface::Nas => assert_eq!(nas::decode_any(&p.pdu).unwrap().kind(), p.kind),
            _ => assert!(p.kind == "AIR" || p.kind == "AIA"),
        }
    }
    // The crypto counts are pinned exactly by
    // crypto_per_attach_is_what_docs_counting_md_states.
    assert!(r.timers.is_empty(), "all timers cancelled: {:?}", r.timers);
}

#[test]
fn a_benign_exchange_ignores_nothing() {
    // Two attaches, the second served from the MME's stock of vectors.
    let cfg = Config {
        vectors_per_request: 2,
        ..Config::default()
    };
    let mut n = net(cfg, 1, 1, 1);
    let mut r = n.router(1);
    r.start(UE);
    r.start(UE);
    assert_eq!(verdicts(&r, MME), 2);
    assert_eq!(verdicts(&r, UE), 2);
    assert_nothing_ignored(&r);
}

#[test]
fn unexpected_messages_are_counted_not_dropped() {
    let mut n = net(Config::default(), 1, 1, 1);
    let mut r = n.router(1);
    // A response from a UE the MME has no context for, and noise.
    let res = NasMessage::AuthenticationResponse(AuthenticationResponse { res: vec![0; 8] });
    r.inject(UE, MME, Interface::Nas, res.encode());
    r.inject(UE, MME, Interface::Nas, vec![0xff]);
    r.inject(MME, HSS, Interface::S6a, vec![0xff]);
    // A challenge to a UE that has not attached.
    let challenge = NasMessage::AuthenticationRequest(AuthenticationRequest {
        nas_ksi: 0,
        rand: [1; 16],
        autn: [2; 16],
    });
    r.inject(MME, UE, Interface::Nas, challenge.encode());
    assert_eq!(
        r.crypto
            .get(&UE)
            .copied()
            .unwrap_or_default()
            .get(Prim::AesBlock),
        0
    );
    // A full attach, then its AIA again: no request waits for it.
    r.start(UE);
    let aia = r.log.iter().find(|p| p.kind == "AIA").unwrap().pdu.clone();
    r.inject(HSS, MME, Interface::S6a, aia);
    assert!(mutually_authenticated(&r, UE));
    assert_ignored(&r, MME, &["AuthenticationResponse", "undecodable", "AIA"]);
    assert_ignored(&r, HSS, &["undecodable"]);
    assert_ignored(&r, UE, &["AuthenticationRequest"]);
}

#[test]
fn stale_sequence_number_triggers_resynchronisation() {
    // The UE has already accepted a high SQN; the HSS restarts from 1.
    let mut n = net(Config::default(), 1, 1, 1);
    n.router(1).start(UE);
    n.home = Hss::new(Arc::new(Config::default()), subscribers(4, |_| 1, 0));
    let mut r = n.router(1);
    r.start(UE);
    let k = r.kinds();
    assert!(k.contains(&"AuthenticationFailure"), "{k:?}");
    assert_eq!(count(&r, "AIR"), 2);
    assert!(authenticated(&r, MME, UE), "{k:?}");
}

#[test]
fn a_network_without_the_key_is_detected_by_the_ue() {
    let mut n = net(Config::default(), 1, 2, 1);
    let mut r = n.router(1);
    r.start(UE);
    assert!(detected(&r, UE, "network_mac_failure"));
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
    let mut r = n.router(1);
    r.tamper = Some(flip("AuthenticationResponse", |len| len - 1));
    r.start(UE);
    assert!(rejected(&r, MME, UE, "res_mismatch"));
    assert!(r.kinds().contains(&"AuthenticationReject"));
}

#[test]
fn lost_challenge_is_retransmitted_on_t3460() {
    let mut n = net(Config::default(), 1, 1, 1);
    let mut r = n.router(1);
    r.tamper = Some(drop_first("AuthenticationResponse"));
    r.start(UE);
    assert!(!authenticated(&r, MME, UE));
    assert!(r.fire_next_timer()); // T3460 at the MME: same challenge again
    assert!(authenticated(&r, MME, UE), "{:?}", r.kinds());
    assert_eq!(count(&r, "AuthenticationRequest"), 2);
}

#[test]
fn t3460_gives_up_after_the_allowed_retransmissions() {
    let mut n = net(Config::default(), 1, 1, 1);
    let mut r = n.router(1);
    r.tamper = Some(drop_all("AuthenticationResponse"));
    r.start(UE);
    fire_until(&mut r, 50, |_| false);
    assert!(failed(&r, MME, "t3460_expired"));
    // Each UE attach attempt (5) gets challenges until one side gives up.
    let reqs = count(&r, "AuthenticationRequest");
    assert!(reqs >= 5, "{reqs}");
}

#[test]
fn batched_vectors_serve_later_attaches_without_the_hss() {
    let cfg = Config {
        vectors_per_request: 3,
        ..Config::default()
    };
    let mut n = net(cfg, 1, 1, 1);
    let mut r = n.router(1);
    attach_all(&mut r, [UE; 3]);
    assert_eq!(count(&r, "AIR"), 1);
    assert_eq!(verdicts(&r, MME), 3);
    r.start(UE);
    assert_eq!(count(&r, "AIR"), 2);
}

#[test]
fn unknown_subscriber_is_rejected() {
    let mut n = net(Config::default(), 1, 1, 1);
    n.devices[0].1 = ue(&Arc::new(Config::default()), 999, 1);
    let mut r = n.router(1);
    r.start(UE);
    assert!(rejected(&r, UE, MME, "attach_reject"));
}

#[test]
fn tampered_security_mode_command_is_refused() {
    let mut n = net(Config::default(), 1, 1, 1);
    let mut r = n.router(1);
    r.tamper = Some(flip("SecurityModeCommand", |_| 2)); // inside the MAC
    r.start(UE);
    assert!(detected(&r, UE, "smc_integrity_failure"));
    assert!(!authenticated(&r, MME, UE));
}

/// Issue 19: the MME's integrity check of the SECURITY MODE COMPLETE. An
/// altered MAC octet is an attack reported by the MME; the device is not
/// authenticated by it.
#[test]
fn tampered_security_mode_complete_is_detected_by_the_mme() {
    let mut n = net(Config::default(), 1, 1, 1);
    let mut r = n.router(1);
    r.tamper = Some(flip("SecurityModeComplete", |_| 1)); // a MAC octet
    r.start(UE);
    assert!(detected(&r, MME, "nas_integrity_failure"));
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
    let mut r = n.router(1);
    r.tamper = Some(drop_first("SecurityModeComplete"));
    r.start(UE);
    assert!(authenticated(&r, UE, MME));
    assert!(!authenticated(&r, MME, UE));
    assert!(r.fire_next_timer()); // T3460: the SMC again; the registered UE answers again
    assert!(authenticated(&r, MME, UE), "{:?}", r.kinds());
    assert_eq!(verdicts(&r, UE), 1, "the UE reports its verdict once");
}

/// Issue 10, defect 1: the fuzzer's trigger PDUs are a SECURITY MODE
/// COMPLETE and a SECURITY MODE COMMAND whose only change is the header type.
#[test]
fn the_issue_trigger_pdus_differ_from_genuine_ones_only_in_the_header_type() {
    for (hex, ht, inner) in [
        ("37109aa93d00075e", 3, "SecurityModeComplete"),
        ("47109aa93d00075e", 4, "SecurityModeComplete"),
        ("278b48836500075d020002e060", 2, "SecurityModeCommand"),
    ] {
        let pdu = hex::decode(hex).unwrap();
        let Ok(nas::Nas::Protected(p)) = nas::decode_any(&pdu) else {
            panic!("{hex} is a protected EMM message");
        };
        assert_eq!((p.header_type, p.seq), (ht, 0));
        assert_eq!(p.decode_inner().unwrap().kind(), inner);
    }
}

#[test]
fn a_security_mode_complete_with_another_header_type_authenticates_nothing() {
    for ht in 1..=3 {
        let mut n = net(Config::default(), 1, 1, 1);
        let mut r = n.router(1);
        r.tamper = Some(with_header_type("SecurityModeComplete", ht));
        r.start(UE);
        assert!(authenticated(&r, UE, MME));
        assert!(!authenticated(&r, MME, UE), "header type {ht} accepted");
        assert_ignored(&r, MME, &["security_header_type"]);
        // Discarded, not fatal: the genuine complete answering T3460 counts.
        r.tamper = None;
        assert!(r.fire_next_timer());
        assert!(
            authenticated(&r, MME, UE),
            "header type {ht}: {:?}",
            r.kinds()
        );
    }
}

#[test]
fn a_security_mode_command_with_another_header_type_is_discarded_by_the_ue() {
    for ht in [1, 2, 4] {
        let mut n = net(Config::default(), 1, 1, 1);
        let mut r = n.router(1);
        r.tamper = Some(with_header_type("SecurityModeCommand", ht));
        r.start(UE);
        assert!(!authenticated(&r, UE, MME), "header type {ht} accepted");
        assert_eq!(count(&r, "SecurityModeComplete"), 0);
        assert_ignored(&r, UE, &["security_header_type"]);
        assert!(!authenticated(&r, MME, UE));
    }
}

/// Forwards NAS between one UE and the MME under its own address.
struct Relay {
    ue: Addr,
}

impl crate::core::Endpoint for Relay {
    fn start(&mut self, _: &mut crate::core::Ctx<'_>) {}
    fn on_message(&mut self, m: crate::core::Incoming<'_>, cx: &mut crate::core::Ctx<'_>) {
        let to = if m.from == self.ue { MME } else { self.ue };
        let kind = nas::decode_any(m.pdu).map_or("undecodable", |n| n.kind());
        cx.fx.send(to, m.interface, kind, m.pdu.to_vec());
    }
    fn on_timer(&mut self, _: crate::core::TimerKey, _: &mut crate::core::Ctx<'_>) {}
}

/// Issue 10, defect 2: the verdict names the subscriber whose K_ASME the
/// complete proved, and shows the relay it came through.
#[test]
fn a_relayed_attach_authenticates_the_subscriber_and_names_the_relay() {
    const RELAY: Addr = Addr::new(7, 0);
    let cfg = Arc::new(Config::default());
    let mut n = Net {
        devices: vec![(
            UE,
            Ue::new(
                cfg.clone(),
                UE.index,
                RELAY,
                milenage(1),
                SqnState::default(),
            ),
        )],
        serving: Mme::new(cfg.clone(), HSS),
        home: Hss::new(cfg, subscribers(4, |_| 1, 1)),
    };
    let mut relay = Relay { ue: UE };
    let mut r = n.router(1);
    r.add(RELAY, &mut relay);
    r.start(UE);
    let verdicts = r.outcomes_of(MME);
    assert_eq!(
        verdicts,
        [Outcome::Authenticated {
            subject: UE,
            key_id: 0,
            relayed_by: Some(RELAY)
        }]
    );
    // A direct attach names no relay.
    let mut n = net(Config::default(), 1, 1, 1);
    let mut r = n.router(1);
    r.start(UE);
    assert_eq!(
        r.outcomes_of(MME),
        [Outcome::authenticated(UE, 0, UE)],
        "no relay"
    );
}

/// Issue 10, untested paths: an unknown IMSI gets an AIA with
/// Experimental-Result {10415, 5001 DIAMETER_ERROR_USER_UNKNOWN}
/// (TS 29.272 §7.4.3) and the UE an ATTACH REJECT #7.
#[test]
fn an_unknown_imsi_gets_experimental_result_5001() {
    use crate::wire::diameter::{AuthenticationInformationAnswer as Aia, DiameterResult};
    let mut n = net(Config::default(), 1, 1, 1);
    n.devices[0].1 = ue(&Arc::new(Config::default()), 999, 1);
    let mut r = n.router(1);
    r.start(UE);
    let aia = Aia::decode(&first_pdu(&r, "AIA")).unwrap();
    assert_eq!(aia.result, DiameterResult::ERROR_USER_UNKNOWN);
    assert_eq!(
        aia.result,
        DiameterResult::Experimental {
            vendor_id: 10415,
            code: 5001
        }
    );
    assert!(aia.authentication_info.is_none());
    assert_eq!(first_pdu(&r, "AttachReject"), [0x07, 0x44, 7]);
    assert!(rejected(&r, MME, UE, "hss_refused"));
    assert!(rejected(&r, UE, MME, "attach_reject"));
}

/// A UE whose key differs from the HSS's answers with MAC failure (#20); the
/// MME ends the procedure with AUTHENTICATION REJECT (07 54, §8.2.6).
#[test]
fn a_wrong_key_ends_in_authentication_reject() {
    let mut n = net(Config::default(), 2, 1, 1);
    let mut r = n.router(1);
    r.start(UE);
    assert_eq!(first_pdu(&r, "AuthenticationFailure"), [0x07, 0x5c, 20]);
    assert_eq!(first_pdu(&r, "AuthenticationReject"), [0x07, 0x54]);
    assert!(rejected(&r, MME, UE, "ue_reported_mac_failure"));
    assert!(rejected(&r, UE, MME, "authentication_reject"));
    assert!(r.timers.is_empty(), "{:?}", r.timers);
}

/// A forged SMC MAC gets SECURITY MODE REJECT #24 (07 5f 18, §8.2.22),
/// which ends the MME's procedure.
#[test]
fn a_forged_security_mode_command_gets_security_mode_reject() {
    let mut n = net(Config::default(), 1, 1, 1);
    let mut r = n.router(1);
    r.tamper = Some(flip("SecurityModeCommand", |_| 1)); // a MAC octet
    r.start(UE);
    assert_eq!(first_pdu(&r, "SecurityModeReject"), [0x07, 0x5f, 24]);
    assert!(detected(&r, UE, "smc_integrity_failure"));
    assert!(rejected(&r, MME, UE, "security_mode_reject"));
    assert!(!authenticated(&r, UE, MME) && !authenticated(&r, MME, UE));
}

/// Issue 19: the ME's AMF separation-bit check (TS 33.401 §6.1.1). A
/// challenge that is genuine for the UE's key and fresh, but built with the
/// UMTS AMF (separation bit 0), is refused with EMM cause #26 before the
/// USIM runs: the MME rejects with "authentication_failure". Without the
/// check the USIM would accept it and the UE answer with a RES.
#[test]
fn a_challenge_without_the_amf_separation_bit_is_refused_with_cause_26() {
    use crate::aka::{AMF_UMTS, HeSqn, generate_vector};
    let mut n = net(Config::default(), 1, 1, 1);
    let mut r = n.router(1);
    let sqn = HeSqn::new(1).next();
    let umts = generate_vector(
        &milenage(1),
        sqn,
        AMF_UMTS,
        [7; 16],
        &mut Default::default(),
    );
    let forged = NasMessage::AuthenticationRequest(AuthenticationRequest {
        nas_ksi: 0,
        rand: umts.rand,
        autn: umts.autn,
    })
    .encode();
    r.tamper = Some(Box::new(move |p| {
        Some(if p.kind == "AuthenticationRequest" {
            forged.clone()
        } else {
            p.pdu.clone()
        })
    }));
    r.start(UE);
    assert_eq!(first_pdu(&r, "AuthenticationFailure"), [0x07, 0x5c, 26]);
    assert_eq!(count(&r, "AuthenticationResponse"), 0);
    assert_eq!(first_pdu(&r, "AuthenticationReject"), [0x07, 0x54]);
    assert_eq!(
        r.outcomes_of(MME),
        [Outcome::Rejected {
            subject: UE,
            reason: "authentication_failure"
        }]
    );
    assert_eq!(
        r.outcomes_of(UE),
        [Outcome::Rejected {
            subject: MME,
            reason: "authentication_reject"
        }]
    );
    // The ME refused before the USIM computed anything.
    assert_eq!(r.crypto[&UE].get(Prim::AesBlock), 0);
}

/// SHA-256 compressions of one HMAC-SHA-256 KDF (TS 33.220 B.2) with a key of
/// at most 64 octets and an `s`-octet S: the inner hash over the 64-octet
/// ipad block and S (with 9 octets of padding and length), the outer hash
/// over the opad block and the 32-octet inner digest.
fn kdf_sha256_blocks(s: usize) -> u64 {
    ((64 + s + 9).div_ceil(64) + (64 + 32 + 9_usize).div_ceil(64)) as u64
}

/// AES blocks of one 128-EIA2 MAC over the MAC input of `pdu` (sequence
/// number ‖ message): CMAC's subkey block plus one per 128-bit block of the
/// 64-bit COUNT ‖ BEARER ‖ DIRECTION prefix and the input (TS 33.401 B.2.3).
fn eia2_aes_blocks(pdu: &[u8]) -> u64 {
    let input = pdu.len() - (nas::SecurityProtected::HEADER_LEN - 1);
    1 + (8 + input).div_ceil(16) as u64
}

/// Issue 19: the crypto work per attach of docs/counting.md, per node and
/// exactly. Milenage: 5 AES blocks for f1..f5 (USIM check or one vector);
/// K_ASME (S = 14 octets) and K_NASint (S = 7 octets) by the KDF; one
/// 128-EIA2 MAC over each protected message as it was on the wire (the
/// SECURITY MODE COMMAND's is one AES block longer than the COMPLETE's).
#[test]
fn crypto_per_attach_is_what_docs_counting_md_states() {
    for attaches in [1u64, 2] {
        let cfg = Config {
            vectors_per_request: attaches as u32,
            ..Config::default()
        };
        let mut n = net(cfg, 1, 1, 1);
        let mut r = n.router(1);
        for _ in 0..attaches {
            r.start(UE);
        }
        assert_eq!(verdicts(&r, MME), attaches as usize);
        let (smc, complete) = (
            first_pdu(&r, "SecurityModeCommand"),
            first_pdu(&r, "SecurityModeComplete"),
        );
        assert_eq!(
            (smc.len(), complete.len()),
            (15, 8),
            "docs/counting.md sizes"
        );
        let (mac_smc, mac_complete) = (eia2_aes_blocks(&smc), eia2_aes_blocks(&complete));
        assert_eq!((mac_smc, mac_complete), (3, 2));
        let (milenage, kasme, k_nas_int) = (5, kdf_sha256_blocks(14), kdf_sha256_blocks(7));
        assert_eq!((kasme, k_nas_int), (4, 4));
        // UE: USIM check, K_ASME, K_NASint, verify the command, protect the complete.
        let ue_aes = milenage + mac_smc + mac_complete;
        assert_crypto(&r, UE, attaches * ue_aes, attaches * (kasme + k_nas_int));
        // MME: K_NASint, protect the command, verify the complete.
        let mme_aes = mac_smc + mac_complete;
        assert_crypto(&r, MME, attaches * mme_aes, attaches * k_nas_int);
        // HSS: Milenage and K_ASME per vector (all in one AIR here).
        assert_crypto(&r, HSS, attaches * milenage, attaches * kasme);
        assert_eq!(count(&r, "AIR"), 1);
    }
}

/// Issue 19: an AUTS whose MAC-S does not verify (here altered on its way) is
/// reported by the HSS as an attack naming the subscriber's device. SQN_HE
/// stays and fresh vectors follow (TS 33.102 §6.3.5); the next one happens to
/// be fresh for the USIM's SQN array, so the attach then completes.
#[test]
fn a_forged_auts_is_reported_by_the_hss() {
    let mut n = net(Config::default(), 1, 1, 1);
    n.router(1).start(UE);
    n.home = Hss::new(Arc::new(Config::default()), subscribers(4, |_| 1, 0));
    let mut r = n.router(1);
    r.tamper = Some(flip("AuthenticationFailure", |len| len - 1)); // MAC-S
    r.start(UE);
    let forged = Outcome::AttackDetected {
        subject: crate::aka::subscriber_device(UE.index),
        what: "resync_auts_mac_failure",
    };
    assert_eq!(r.outcomes_of(HSS), [forged]);
    assert_eq!(count(&r, "AIR"), 2);
    assert_eq!(count(&r, "AuthenticationFailure"), 1);
    assert!(mutually_authenticated(&r, UE));
    drop(r);
    // An untouched AUTS resynchronises silently.
    n.home = Hss::new(Arc::new(Config::default()), subscribers(4, |_| 1, 0));
    let mut r = n.router(1);
    r.start(UE);
    assert_eq!(r.outcomes_of(HSS), []);
    assert!(authenticated(&r, MME, UE));
}

/// A tamper that replaces the SECURITY MODE COMMAND with one edited by
/// `edit` and MACed again with the right K_NASint (what an MME with the
/// right key but another algorithm choice, or a bidding-down relay holding
/// the key, would send), so that only the edited field differs.
fn resigned_security_mode_command(
    edit: impl Fn(&mut nas::SecurityModeCommand) + 'static,
) -> crate::testing::Tamper<'static> {
    use crate::crypto::kdf;
    let mut challenge = None;
    Box::new(move |p| {
        let Ok(decoded) = nas::decode_any(&p.pdu) else {
            return Some(p.pdu.clone());
        };
        match decoded {
            nas::Nas::Plain(NasMessage::AuthenticationRequest(r)) => {
                challenge = Some((r.rand, r.autn));
            }
            nas::Nas::Protected(sp) => {
                if let Ok(NasMessage::SecurityModeCommand(mut smc)) = sp.decode_inner() {
                    let (rand, autn) = challenge.expect("the challenge came first");
                    let ops = &mut Default::default();
                    let (_, ck, ik, _) = milenage(1).with_rand(&rand, ops).f2345(ops);
                    let sqn_xor_ak: [u8; 6] = autn[..6].try_into().unwrap();
                    let kasme = kdf::kasme(&ck, &ik, &Config::default().plmn, &sqn_xor_ak, ops);
                    let k_int = kdf::nas_key(&kasme, kdf::NAS_INT_ALG, EIA2, ops);
                    edit(&mut smc);
                    return Some(protect_first(
                        &k_int,
                        nas::header_type::INTEGRITY_PROTECTED_NEW_CONTEXT,
                        DOWNLINK,
                        &NasMessage::SecurityModeCommand(smc),
                        ops,
                    ));
                }
            }
            _ => {}
        }
        Some(p.pdu.clone())
    })
}

/// Issue 19: the UE's algorithm and capability checks of the SECURITY MODE
/// COMMAND (TS 24.301 §5.4.3.3, TS 33.401 §7.2.4.4), each isolated from the
/// MAC check: the command is MACed correctly with K_NASint, only the
/// selected integrity algorithm (128-EIA1 instead of the 128-EIA2 the key
/// was derived for) or the replayed UE security capabilities (a bidding-down
/// attempt) differ. Unedited, the re-signed command is accepted, so the
/// refusals come from the edited field alone.
#[test]
fn a_correctly_maced_security_mode_command_with_another_algorithm_or_capabilities_is_refused() {
    let run = |edit: fn(&mut nas::SecurityModeCommand)| {
        let mut n = net(Config::default(), 1, 1, 1);
        let mut r = n.router(1);
        r.tamper = Some(resigned_security_mode_command(edit));
        r.start(UE);
        let refused = detected(&r, UE, "smc_integrity_failure");
        let rejected = count(&r, "SecurityModeReject") == 1;
        (refused && rejected, mutually_authenticated(&r, UE))
    };
    // Control: re-signing alone changes nothing.
    assert_eq!(run(|_| {}), (false, true));
    // 128-EIA1 named while the MAC is 128-EIA2 under the EIA2 key.
    assert_eq!(run(|smc| smc.integrity_algorithm = 1), (true, false));
    // Capabilities replayed as if the UE lacked 128-EIA2 (octet 2 lists
    // the EIAs: 0x60 is EIA1 and EIA2, 0x40 EIA1 alone).
    assert_eq!(
        run(|smc| smc.replayed_ue_security_capabilities[1] = 0x40),
        (true, false)
    );
}

/// Issue 19 (a mutant of `downlink` survived): only cause #22 congestion is
/// a congestion reject. An ATTACH REJECT #7 (an unknown IMSI) ends the
/// attach for good even when the device retries abnormal failures: no T3411,
/// no second ATTACH REQUEST. Read as congestion without T3346 it would be
/// retried like a lost attempt.
#[test]
fn a_permanent_attach_reject_is_not_retried_like_congestion() {
    let cfg = Arc::new(Config {
        retry: Some(crate::aka::device::Retry::default()),
        ..Config::default()
    });
    let mut n = net((*cfg).clone(), 1, 1, 1);
    n.devices[0].1 = ue(&cfg, 999, 1);
    let mut r = n.router(1);
    r.start(UE);
    while r.fire_next_timer() {}
    assert_eq!(first_pdu(&r, "AttachReject"), [0x07, 0x44, 7]);
    assert_eq!(count(&r, "AttachRequest"), 1);
    assert_eq!(
        r.outcomes_of(UE),
        [Outcome::Rejected {
            subject: MME,
            reason: "attach_reject"
        }]
    );
}

/// Issue 19 (a mutant of `AirBuilder::build` survived): every AIR opens its
/// own Diameter session (RFC 6733 §8.8, Session-Id globally and eternally
/// unique), so the resynchronisation AIR after a stale SQN carries a new
/// Session-Id, of the same fixed width.
#[test]
fn each_air_opens_its_own_diameter_session() {
    use crate::wire::diameter::AuthenticationInformationRequest as Air;
    let mut n = net(Config::default(), 1, 1, 1);
    n.router(1).start(UE);
    n.home = Hss::new(Arc::new(Config::default()), subscribers(4, |_| 1, 0));
    let mut r = n.router(1);
    r.start(UE);
    let ids: Vec<String> = r
        .log
        .iter()
        .filter(|p| p.kind == "AIR")
        .map(|p| Air::decode(&p.pdu).unwrap().session_id)
        .collect();
    assert_eq!(ids.len(), 2);
    assert_ne!(ids[0], ids[1]);
    assert_eq!(ids[0].len(), ids[1].len());
}

/// Issue 19 (mutants of `Mme::contexts` survived): a fresh MME holds no UE
/// context, and one after a UE registered.
#[test]
fn the_mme_holds_a_context_once_a_ue_attached() {
    let mut n = net(Config::default(), 1, 1, 1);
    assert_eq!(n.serving.contexts(), 0);
    n.router(1).start(UE);
    assert_eq!(n.serving.contexts(), 1);
}

/// Issue 19 (a mutant of `on_aia` survived): an AIA that reports success but
/// carries no vector is a refusal too; the MME rejects the attach instead of
/// challenging without a vector.
#[test]
fn a_successful_aia_without_vectors_is_a_refusal() {
    use crate::wire::diameter::AuthenticationInformationAnswer as Aia;
    let mut n = net(Config::default(), 1, 1, 1);
    let mut r = n.router(1);
    r.tamper = Some(Box::new(|p| {
        Some(if p.kind == "AIA" {
            let mut aia = Aia::decode(&p.pdu).unwrap();
            assert!(aia.result.is_success());
            aia.authentication_info = None;
            aia.encode()
        } else {
            p.pdu.clone()
        })
    }));
    r.start(UE);
    assert_eq!(count(&r, "AuthenticationRequest"), 0);
    assert!(rejected(&r, MME, UE, "hss_refused"));
}

/// The eNB of the RRC access tests; no endpoint answers there, so the tests
/// play its answers themselves.
const ENB: Addr = Addr::new(4, 0);
const T300: crate::core::Nanos = crate::core::time::SECOND;

fn through_an_enb() -> Config {
    Config {
        ran: Some(crate::ran::Access {
            enb: ENB,
            t300: T300,
            cause: crate::wire::rrc::EstablishmentCause::DelayTolerantAccess,
        }),
        ..Config::default()
    }
}

fn deadline(r: &crate::testing::Router, kind: crate::core::TimerKind) -> Option<u64> {
    r.timers
        .get(&(UE, crate::core::TimerKey::own(kind)))
        .copied()
}

fn from_the_enb(r: &mut crate::testing::Router, msg: crate::wire::rrc::DlCcch) {
    r.inject(ENB, UE, Interface::RrcDl, msg.encode());
}

/// Issue 19 (mutants of the device's RRC access in `aka/device.rs`
/// survived the protocols' tests): through an eNB the UE first asks for an
/// RRC connection under T300, with its establishment cause; the ATTACH
/// REQUEST follows the connection setup, and the attach then authenticates
/// both sides. An RRC message once the connection is set up, or one that
/// does not decode, is counted as ignored.
#[test]
fn through_an_enb_the_attach_request_follows_the_rrc_connection_setup() {
    use crate::core::TimerKind::{T300 as T300_TIMER, T3410};
    use crate::wire::rrc::{DlCcch, EstablishmentCause, RrcConnectionRequest, RrcConnectionSetup};
    let mut n = net(through_an_enb(), 1, 1, 1);
    let mut r = n.router(1);
    r.start(UE);
    assert_eq!(r.kinds(), ["RRCConnectionRequest"]);
    assert_eq!(r.log[0].to, crate::core::Destination::Unicast(ENB));
    let req = RrcConnectionRequest::decode(&r.log[0].pdu).unwrap();
    assert_eq!(req.cause, EstablishmentCause::DelayTolerantAccess);
    assert!(req.random_value < 1 << 40);
    assert_eq!(deadline(&r, T300_TIMER), Some(T300));
    assert_eq!(deadline(&r, T3410), None, "no ATTACH REQUEST yet");
    let setup = || DlCcch::Setup(RrcConnectionSetup { transaction_id: 0 });
    from_the_enb(&mut r, setup());
    assert_eq!(deadline(&r, T300_TIMER), None, "T300 stops");
    assert_eq!(r.kinds()[1], "AttachRequest");
    assert_mutually_authenticated(&r, [UE]);
    assert_nothing_ignored(&r);
    from_the_enb(&mut r, setup());
    r.inject(ENB, UE, Interface::RrcDl, vec![0xff]);
    assert_ignored(&r, UE, &["RRCConnectionSetup", "undecodable"]);
    assert_eq!(count(&r, "AttachRequest"), 1);
}

/// Issue 19 (device RRC mutants): an RRC connection reject with an extended
/// wait time starts T3346 with it, a plain reject T302 with its wait time
/// (TS 36.331 §5.3.3.8, TS 24.301 §5.5.1.2.6); each expiry asks for a
/// connection again. An expired T300 is a failed attempt: the UE retries at
/// once and, after the attempts it is allowed, fails with `t300_expired`
/// without ever having sent an ATTACH REQUEST.
#[test]
fn rrc_rejects_defer_the_attach_and_t300_expiries_use_up_the_attempts() {
    use crate::core::TimerKind::{T300 as T300_TIMER, T302, T3346};
    use crate::core::time::SECOND;
    use crate::wire::rrc::{DlCcch, RrcConnectionReject};
    let mut n = net(through_an_enb(), 1, 1, 1);
    let mut r = n.router(1);
    r.start(UE);
    let reject = |wait_time_s, extended_wait_time_s| {
        DlCcch::Reject(RrcConnectionReject {
            wait_time_s,
            extended_wait_time_s,
        })
    };
    from_the_enb(&mut r, reject(4, Some(30)));
    assert_eq!(deadline(&r, T300_TIMER), None);
    assert_eq!(deadline(&r, T3346), Some(30 * SECOND));
    assert_eq!(deadline(&r, T302), None);
    assert!(r.fire_next_timer());
    assert_eq!(count(&r, "RRCConnectionRequest"), 2);
    assert_eq!(deadline(&r, T300_TIMER), Some(30 * SECOND + T300));
    from_the_enb(&mut r, reject(4, None));
    assert_eq!(deadline(&r, T302), Some(34 * SECOND));
    assert_eq!(deadline(&r, T3346), None);
    assert!(r.fire_next_timer());
    assert_eq!(count(&r, "RRCConnectionRequest"), 3);
    // No answer any more: five T300 expiries (attach_max_attempts) end it.
    fire_until(&mut r, 20, |r| failed(r, UE, "t300_expired"));
    assert!(failed(&r, UE, "t300_expired"));
    assert_eq!(count(&r, "RRCConnectionRequest"), 3 + 4);
    assert_eq!(count(&r, "AttachRequest"), 0);
    assert!(r.timers.keys().all(|(a, _)| *a != UE), "{:?}", r.timers);
    assert_nothing_ignored(&r);
}

/// Issue 19 (a device RRC mutant): a timer that is not T300 expiring while
/// the UE waits for its RRC connection (a stray T3410) is counted as
/// ignored, not taken for a failed connection attempt.
#[test]
fn a_stray_guard_expiry_while_accessing_is_ignored() {
    use crate::core::TimerKind::{T300 as T300_TIMER, T3410};
    let mut n = net(through_an_enb(), 1, 1, 1);
    let mut r = n.router(1);
    r.start(UE);
    r.timers
        .insert((UE, crate::core::TimerKey::own(T3410)), T300 / 2);
    assert!(r.fire_next_timer());
    assert_ignored(&r, UE, &["T3410"]);
    assert_eq!(count(&r, "RRCConnectionRequest"), 1);
    assert_eq!(deadline(&r, T300_TIMER), Some(T300));
}

/// Issue 19 (mutants of `Device::congested` survived): a congestion reject
/// whose T3346 value is zero is an abnormal case (TS 24.301 §5.5.1.2.5):
/// a UE with the retry rules waits T3411 as after a lost attempt; it does
/// not start a T3346 of zero length, and the attach goes on.
#[test]
fn a_congestion_reject_with_a_zero_t3346_is_an_abnormal_failure() {
    use crate::core::TimerKind::{T3346, T3410, T3411};
    let cfg = Config {
        retry: Some(Retry::default()),
        ..Config::default()
    };
    let mut n = net(cfg, 1, 1, 1);
    let mut r = n.router(1);
    r.tamper = Some(drop_all("AttachRequest"));
    r.start(UE);
    let zero = nas::GprsTimer2::from_seconds(0);
    assert_eq!(zero.seconds(), Some(0));
    let reject = NasMessage::AttachReject(nas::AttachReject {
        cause: nas::EmmCause::CONGESTION,
        esm_message_container: None,
        t3346: Some(zero),
    });
    r.inject(MME, UE, Interface::Nas, reject.encode());
    assert_eq!(deadline(&r, T3411), Some(Retry::default().t3411));
    assert_eq!(deadline(&r, T3346), None);
    assert_eq!(deadline(&r, T3410), None);
    assert!(r.outcomes_of(UE).is_empty());
}

/// Issue 19 (mutants of the device's `attaching` guards survived): without
/// NAS security anyone can send an AUTHENTICATION REJECT or an ATTACH
/// REJECT, so a registered UE ignores them (and counts them): it stays
/// registered, reports no `Rejected` verdict and starts no back-off timer.
#[test]
fn a_registered_ue_ignores_unprotected_rejects() {
    use crate::aka::device::State;
    let cfg = Config {
        retry: Some(Retry::default()),
        ..Config::default()
    };
    let mut n = net(cfg, 1, 1, 1);
    let mut r = n.router(1);
    r.start(UE);
    assert!(mutually_authenticated(&r, UE));
    let attach_reject = |cause, t3346| {
        NasMessage::AttachReject(nas::AttachReject {
            cause,
            esm_message_container: None,
            t3346,
        })
    };
    let sixty = Some(nas::GprsTimer2::from_seconds(60));
    for msg in [
        NasMessage::AuthenticationReject,
        attach_reject(nas::EmmCause::EPS_SERVICES_NOT_ALLOWED, None),
        attach_reject(nas::EmmCause::CONGESTION, sixty),
    ] {
        r.inject(MME, UE, Interface::Nas, msg.encode());
    }
    assert_ignored(
        &r,
        UE,
        &["AuthenticationReject", "AttachReject", "AttachReject"],
    );
    assert_eq!(r.outcomes_of(UE).len(), 1, "{:?}", r.outcomes_of(UE));
    assert!(r.timers.keys().all(|(a, _)| *a != UE), "{:?}", r.timers);
    drop(r);
    assert_eq!(n.devices[0].1.state(), State::Registered);
}

/// Issue 19 (mutants of the device's timer dispatch survived): a timer that
/// expires outside the state it belongs to is counted as ignored and starts
/// nothing: a back-off timer (T3346) once the UE is registered, and the
/// attach guard (T3410) while the UE waits out T3411.
#[test]
fn timers_outside_their_state_are_ignored() {
    use crate::core::TimerKey;
    use crate::core::TimerKind::{T3346, T3410, T3411};
    let mut n = net(Config::default(), 1, 1, 1);
    let mut r = n.router(1);
    r.start(UE);
    assert!(mutually_authenticated(&r, UE));
    r.timers.insert((UE, TimerKey::own(T3346)), 1);
    assert!(r.fire_next_timer());
    assert_ignored(&r, UE, &["T3346"]);
    assert_eq!(count(&r, "AttachRequest"), 1);

    let cfg = Config {
        retry: Some(Retry::default()),
        ..Config::default()
    };
    let mut n = net(cfg, 1, 1, 1);
    let mut r = n.router(1);
    r.tamper = Some(drop_all("AttachRequest"));
    r.start(UE);
    assert!(r.fire_next_timer()); // T3410: the attempt failed, T3411 runs
    let t3411 = deadline(&r, T3411).unwrap();
    r.timers.insert((UE, TimerKey::own(T3410)), t3411 - 1);
    assert!(r.fire_next_timer());
    assert_ignored(&r, UE, &["T3410"]);
    assert_eq!(count(&r, "AttachRequest"), 1);
    assert_eq!(deadline(&r, T3411), Some(t3411));
}

/// Issue 19 (a surviving mutant deleted the `WaitVectors` arm of the MME's
/// `on_attach`): an ATTACH REQUEST repeated while the AIR is pending is
/// counted as ignored; the MME keeps waiting for that AIR's answer instead
/// of opening a second one.
#[test]
fn an_attach_request_repeated_while_the_air_is_pending_opens_no_second_air() {
    let mut n = net(Config::default(), 1, 1, 1);
    let mut r = n.router(1);
    r.tamper = Some(drop_all("AIA"));
    r.start(UE);
    assert_eq!(r.kinds(), ["AttachRequest", "AIR", "AIA"]);
    let attach = first_pdu(&r, "AttachRequest");
    r.inject(UE, MME, Interface::Nas, attach);
    assert_ignored(&r, MME, &["AttachRequest"]);
    assert_eq!(count(&r, "AIR"), 1);
}

/// Issue 19 (a surviving mutant deleted the `WaitResponse | WaitSecurityMode`
/// arm of the MME's `on_attach`): a UE that restarts its attach while the
/// challenge is outstanding (here the challenge was lost) gets the same
/// challenge again, from the vector in hand: no second AIR, and the attach
/// then completes on both sides.
#[test]
fn an_attach_request_repeated_during_the_challenge_gets_the_challenge_again() {
    let mut n = net(Config::default(), 1, 1, 1);
    let mut r = n.router(1);
    r.tamper = Some(drop_first("AuthenticationRequest"));
    r.start(UE);
    assert_eq!(count(&r, "AuthenticationRequest"), 1);
    let attach = first_pdu(&r, "AttachRequest");
    r.inject(UE, MME, Interface::Nas, attach);
    let challenges = r.pdus("AuthenticationRequest");
    assert_eq!(challenges.len(), 2);
    assert_eq!(challenges[0], challenges[1]);
    assert_eq!(count(&r, "AIR"), 1);
    assert_mutually_authenticated(&r, [UE]);
}

/// The MME hands out the key set identifiers KSI_ASME 0..=6 in turn and never
/// 7, which means "no key" (TS 24.301 §9.9.3.21): the eighth attach is keyed
/// with KSI 0 again, in the challenge and in the verdict alike.
#[test]
fn key_set_identifiers_cycle_through_0_to_6_and_never_7() {
    let mut n = net(Config::default(), 1, 1, 1);
    let mut r = n.router(1);
    attach_all(&mut r, [UE; 9]);
    let keys: Vec<u32> = r
        .outcomes_of(MME)
        .iter()
        .filter_map(|o| match o {
            Outcome::Authenticated { key_id, .. } => Some(*key_id),
            _ => None,
        })
        .collect();
    assert_eq!(keys, [0, 1, 2, 3, 4, 5, 6, 0, 1]);
    let challenged: Vec<u32> = r
        .log
        .iter()
        .filter(|p| p.kind == "AuthenticationRequest")
        .map(|p| match NasMessage::decode(&p.pdu).unwrap() {
            NasMessage::AuthenticationRequest(a) => a.nas_ksi as u32,
            other => panic!("{other:?}"),
        })
        .collect();
    assert_eq!(challenged, keys);
}

/// A USIM that keeps reporting synch failures (here every AUTS is forged, so
/// the HSS never resynchronises and every vector stays stale) costs the
/// network at most two resynchronisations per attach (TS 24.301 §5.4.2.7 f):
/// the third synch failure ends the procedure at the MME without an
/// AUTHENTICATION REJECT.
#[test]
fn synch_failures_resynchronise_at_most_twice_per_attach() {
    let cfg = Arc::new(Config::default());
    // The USIM has accepted SEQ 1000 at every IND: every SQN the HSS (from 0) makes is stale.
    let mut sqn = SqnState::default();
    for ind in 0..crate::aka::sqn::IND_COUNT {
        assert!(sqn.accept(&crate::aka::sqn::join(1000, ind)));
    }
    let mut n = net(Config::default(), 1, 1, 0);
    n.devices[0].1 = Ue::new(cfg, UE.index, MME, milenage(1), sqn);
    let mut r = n.router(1);
    r.tamper = Some(flip("AuthenticationFailure", |len| len - 1)); // MAC-S of AUTS
    r.start(UE);
    assert_eq!(count(&r, "AIR"), 3, "{:?}", r.kinds());
    assert_eq!(count(&r, "AuthenticationRequest"), 3);
    assert_eq!(count(&r, "AuthenticationFailure"), 3);
    assert_eq!(count(&r, "AuthenticationReject"), 0);
    assert!(rejected(&r, MME, UE, "authentication_failure"));
    assert!(!authenticated(&r, MME, UE));
    let forged = r
        .outcomes_of(HSS)
        .iter()
        .filter(|o| {
            matches!(
                o,
                Outcome::AttackDetected {
                    what: "resync_auts_mac_failure",
                    ..
                }
            )
        })
        .count();
    assert_eq!(forged, 2);
}

/// A wrong RES ends the procedure for good: the genuine RES arriving after
/// the AUTHENTICATION REJECT (delayed, or replayed by an attacker) is counted
/// as ignored and authenticates nothing, and no T3460 is left to retransmit.
#[test]
fn after_a_wrong_res_the_right_one_comes_too_late() {
    let mut n = net(Config::default(), 1, 1, 1);
    let mut r = n.router(1);
    r.tamper = Some(flip("AuthenticationResponse", |len| len - 1));
    r.start(UE);
    assert!(rejected(&r, MME, UE, "res_mismatch"));
    r.tamper = None;
    let mut genuine = first_pdu(&r, "AuthenticationResponse");
    *genuine.last_mut().unwrap() ^= 1;
    r.inject(UE, MME, Interface::Nas, genuine);
    assert!(!authenticated(&r, MME, UE));
    assert_eq!(count(&r, "SecurityModeCommand"), 0);
    assert_ignored(&r, MME, &["AuthenticationResponse"]);
    assert!(
        !r.timers.keys().any(|(a, _)| *a == MME),
        "MME timers: {:?}",
        r.timers
    );
}

/// An AUTHENTICATION FAILURE only answers a challenge in progress: sent to
/// the MME after the UE has attached (unprotected, so anyone can send it) it
/// is counted as ignored and changes nothing: no reject, no verdict, no
/// request to the HSS.
#[test]
fn an_authentication_failure_outside_a_challenge_is_ignored() {
    let mut n = net(Config::default(), 1, 1, 1);
    let mut r = n.router(1);
    r.start(UE);
    assert!(mutually_authenticated(&r, UE));
    for cause in [nas::EmmCause::MAC_FAILURE, nas::EmmCause::SYNCH_FAILURE] {
        let failure = NasMessage::AuthenticationFailure(nas::AuthenticationFailure {
            cause,
            auts: (cause == nas::EmmCause::SYNCH_FAILURE).then_some([7; 14]),
        });
        r.inject(UE, MME, Interface::Nas, failure.encode());
    }
    assert_ignored(&r, MME, &["AuthenticationFailure", "AuthenticationFailure"]);
    assert_eq!(r.outcomes_of(MME).len(), 1, "{:?}", r.outcomes_of(MME));
    assert_eq!(count(&r, "AuthenticationReject"), 0);
    assert_eq!(count(&r, "AIR"), 1);
}

/// The MME's per-UE timers act only in their own step and re-arm with their
/// configured periods: for a registered UE a T3460 or Diameter Tx expiry is
/// counted as ignored and sends nothing; while the challenges are lost T3460
/// runs again a full T3460 after each expiry, and while the AIAs are lost the
/// AIR is sent again with the Diameter timeout re-armed the same way.
#[test]
fn mme_timers_rearm_with_their_periods_and_act_only_in_their_step() {
    use crate::core::TimerKey;
    use crate::core::TimerKind::{DiameterTx, T3460};
    let cfg = Config::default();
    let (t3460, tx) = (cfg.t3460, cfg.diameter_timeout);
    let mme_timer = |r: &crate::testing::Router, kind| {
        r.timers.get(&(MME, TimerKey::for_peer(UE, kind))).copied()
    };

    let mut n = net(Config::default(), 1, 1, 1);
    let mut r = n.router(1);
    r.start(UE);
    assert!(mutually_authenticated(&r, UE));
    let sent = r.log.len();
    for kind in [T3460, DiameterTx] {
        r.timers
            .insert((MME, TimerKey::for_peer(UE, kind)), r.now + 1);
        assert!(r.fire_next_timer());
    }
    assert_ignored(&r, MME, &["T3460", "DiameterTx"]);
    assert_eq!(r.log.len(), sent, "{:?}", r.kinds());

    let mut n = net(Config::default(), 1, 1, 1);
    let mut r = n.router(1);
    r.tamper = Some(drop_all("AuthenticationRequest"));
    r.start(UE);
    assert_eq!(mme_timer(&r, T3460), Some(t3460));
    assert!(r.fire_next_timer()); // T3460 (6 s) before the UE's T3410 (15 s)
    assert_eq!(count(&r, "AuthenticationRequest"), 2);
    assert_eq!(mme_timer(&r, T3460), Some(2 * t3460));

    let mut n = net(Config::default(), 1, 1, 1);
    let mut r = n.router(1);
    r.tamper = Some(drop_all("AIA"));
    r.start(UE);
    assert_eq!(mme_timer(&r, DiameterTx), Some(tx));
    assert!(r.fire_next_timer()); // Diameter Tx (5 s) before T3410 (15 s)
    assert_eq!(count(&r, "AIR"), 2);
    assert_eq!(mme_timer(&r, DiameterTx), Some(2 * tx));
}
