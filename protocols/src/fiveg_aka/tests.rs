//! Whole 5G-AKA registrations through the in-memory test router.

use std::sync::Arc;

use super::*;
use crate::aka::SqnState;
use crate::aka::test_support::*;
use crate::core::{Addr, Interface, Prim};
use crate::crypto::suci::Profile;
use crate::testing::Router;
use crate::wire::Message;
use crate::wire::nas5g::Nas5g;
use crate::wire::sbi::{Body, SbiMessage};

const UE: Addr = dev(3);
const AMF: Addr = SERVING;
const AUSF: Addr = HOME;
const UDM: Addr = Addr::new(3, 0);

/// One UE, an AMF, an AUSF and a UDM with four subscribers.
struct Net5g {
    ue: Ue,
    amf: Amf,
    ausf: Ausf,
    udm: Udm,
}

impl Net5g {
    fn new(ue_cfg: Config, net_cfg: Config, ue_key: u8, udm_key: u8, udm_seq: u64) -> Self {
        let (ue_cfg, cfg) = (Arc::new(ue_cfg), Arc::new(net_cfg));
        Self {
            ue: Ue::new(ue_cfg, UE.index, AMF, milenage(ue_key), SqnState::default()),
            amf: Amf::new(cfg.clone(), AUSF),
            ausf: Ausf::new(cfg.clone(), UDM),
            udm: Udm::new(cfg, subscribers(4, |_| udm_key, udm_seq)),
        }
    }

    fn with(protection: Option<Profile>) -> Self {
        let cfg =
            Config::with_protection(protection, Config::default_hn_private(protection)).unwrap();
        Self::new(cfg.clone(), cfg, 1, 1, 1)
    }

    fn router(&mut self, seed: u64) -> Router<'_> {
        let mut r = Router::new(seed);
        r.add(UE, &mut self.ue);
        r.add(AMF, &mut self.amf);
        r.add(AUSF, &mut self.ausf);
        r.add(UDM, &mut self.udm);
        r
    }
}

const FLOW: [&str; 11] = [
    "RegistrationRequest",
    "AuthenticationInfo",
    "AuthenticationInfoRequest",
    "AuthenticationInfoResult",
    "UEAuthenticationCtx",
    "AuthenticationRequest",
    "AuthenticationResponse",
    "ConfirmationData",
    "ConfirmationDataResponse",
    "SecurityModeCommand",
    "SecurityModeComplete",
];

/// Every PDU decodes as the kind it was labelled with, on its interface.
/// The body of the `nth` (from 0) SBI message of `kind` the router carried.
fn nth_sbi_body(r: &Router, kind: &str, nth: usize) -> Option<Body> {
    r.log
        .iter()
        .filter(|p| p.kind == kind)
        .nth(nth)
        .map(|p| SbiMessage::decode(&p.pdu).unwrap().body)
}

fn assert_labels_decode(r: &Router) {
    for p in &r.log {
        let kind = match p.interface {
            Interface::N1 => Nas5g::decode(&p.pdu).unwrap().kind(),
            Interface::N12 | Interface::N13 => SbiMessage::decode(&p.pdu).unwrap().kind(),
            other => panic!("unexpected interface {other}"),
        };
        assert_eq!(kind, p.kind);
    }
}

#[test]
fn registration_authenticates_both_sides_with_every_protection_scheme() {
    // Registration Request: header 3, ngKSI/type 1, identity LV-E 2 + 8 +
    // scheme output, UE security capability TLV 2 + 2. Scheme output: BCD
    // MSIN (5), or ephemeral key (32 / 33) + ciphertext (5) + MAC tag (8).
    for (protection, output) in [(None, 5), (Some(Profile::A), 45), (Some(Profile::B), 46)] {
        let mut n = Net5g::with(protection);
        let mut r = n.router(7);
        r.start(UE);
        assert_eq!(r.kinds(), FLOW, "{protection:?}");
        assert!(authenticated(&r, AMF, UE) && authenticated(&r, UE, AMF));
        assert_eq!(size(&r, "RegistrationRequest"), 3 + 1 + 2 + 8 + output + 4);
        // ngKSI, ABBA LV (3), RAND TV (17), AUTN TLV (18).
        assert_eq!(size(&r, "AuthenticationRequest"), 3 + 1 + 3 + 17 + 18);
        assert_eq!(size(&r, "AuthenticationResponse"), 3 + 18);
        assert_labels_decode(&r);
        assert_nothing_ignored(&r);
        assert!(r.timers.is_empty(), "all timers cancelled: {:?}", r.timers);
        let ue_ops = r.crypto[&UE];
        let udm_ops = r.crypto[&UDM];
        match protection {
            None => assert_eq!(ue_ops.get(Prim::P256Mul) + udm_ops.get(Prim::P256Mul), 0),
            Some(Profile::A) => assert_eq!(ue_ops.get(Prim::P256Mul), 0),
            Some(Profile::B) => {
                assert_eq!(
                    (ue_ops.get(Prim::P256MulBase), ue_ops.get(Prim::P256Mul)),
                    (1, 1)
                );
                assert_eq!(udm_ops.get(Prim::P256Mul), 1);
            }
        }
        drop(r);
        assert_eq!(
            n.ausf.contexts(),
            0,
            "the AUSF context ends at confirmation"
        );
    }
}

#[test]
fn sbi_messages_are_http2_frames_with_hpack_and_the_schema_json() {
    let mut n = Net5g::with(Some(Profile::A));
    let mut r = n.router(1);
    r.start(UE);
    for p in r.log.iter().filter(|p| p.interface != Interface::N1) {
        let m = SbiMessage::decode(&p.pdu).unwrap();
        let json = m.body.json();
        // HEADERS frame header + HPACK block + DATA frame header + JSON.
        let block_len = u32::from_be_bytes([0, p.pdu[0], p.pdu[1], p.pdu[2]]) as usize;
        assert_eq!(p.pdu.len(), 9 + block_len + 9 + json.len(), "{}", p.kind);
        assert_eq!(&p.pdu[p.pdu.len() - json.len()..], &json[..]);
        crate::wire::sbi::tests::assert_schema(&m.body);
    }
    let ctx = r
        .log
        .iter()
        .find(|p| p.kind == "UEAuthenticationCtx")
        .unwrap();
    match SbiMessage::decode(&ctx.pdu).unwrap().body {
        Body::UeAuthenticationCtx(c) => {
            assert!(c.links["5g-aka"].href.ends_with("/5g-aka-confirmation"))
        }
        other => panic!("{other:?}"),
    }
}

#[test]
fn a_wrong_key_is_a_mac_failure_and_ends_in_authentication_reject() {
    let cfg = Config::default();
    let mut n = Net5g::new(cfg.clone(), cfg, 2, 1, 1);
    let mut r = n.router(1);
    r.start(UE);
    assert!(detected(&r, UE, "network_mac_failure"));
    assert_eq!(count(&r, "AuthenticationFailure"), 1);
    assert!(rejected(&r, AMF, UE, "ue_reported_mac_failure"));
    assert!(rejected(&r, UE, AMF, "authentication_reject"));
    assert_nothing_ignored(&r);
}

#[test]
fn a_stale_sqn_resynchronises_through_ausf_and_udm() {
    let cfg = Config::default();
    let mut n = Net5g::new(cfg.clone(), cfg, 1, 1, 1);
    {
        let mut r = n.router(1);
        r.start(UE);
        assert!(authenticated(&r, AMF, UE));
    }
    // A UDM whose SEQ_HE starts over: the next AUTN is stale for the USIM.
    n.udm = Udm::new(Arc::new(Config::default()), subscribers(4, |_| 1, 1));
    let mut r = n.router(2);
    r.start(UE);
    assert_eq!(count(&r, "AuthenticationFailure"), 1);
    assert_eq!(count(&r, "AuthenticationInfoRequest"), 2);
    let resync = nth_sbi_body(&r, "AuthenticationInfo", 1);
    assert!(
        matches!(resync, Some(Body::AuthenticationInfo(i)) if i.resynchronization_info.is_some())
    );
    assert!(authenticated(&r, AMF, UE) && authenticated(&r, UE, AMF));
    assert_nothing_ignored(&r);
}

#[test]
fn an_unknown_subscriber_and_an_undecodable_suci_are_rejected() {
    // Subscriber 3 is unknown to a UDM with three subscribers.
    let cfg = Arc::new(Config::default());
    let mut n = Net5g::with(Some(Profile::A));
    n.udm = Udm::new(cfg, subscribers(3, |_| 1, 1));
    let mut r = n.router(1);
    r.start(UE);
    assert!(rejected(&r, AMF, UE, "user_not_found"));
    assert!(rejected(&r, UE, AMF, "registration_reject"));

    // The UE conceals with the profile B key while the SIDF holds profile A's.
    let a = Config::default();
    let b = Config::with_protection(Some(Profile::B), ANNEX_C4_PROFILE_B_HN_PRIVATE).unwrap();
    let mut n = Net5g::new(b, a, 1, 1, 1);
    let mut r = n.router(1);
    r.start(UE);
    assert!(rejected(&r, AMF, UE, "authentication_rejected"));
    assert!(rejected(&r, UE, AMF, "registration_reject"));
    assert_nothing_ignored(&r);
}

#[test]
fn a_wrong_res_star_fails_the_hres_check_at_the_seaf() {
    let mut n = Net5g::with(None);
    let mut r = n.router(1);
    r.tamper = Some(flip("AuthenticationResponse", |len| len - 1));
    r.start(UE);
    assert!(rejected(&r, AMF, UE, "res_mismatch"));
    assert!(rejected(&r, UE, AMF, "authentication_reject"));
    assert_eq!(count(&r, "ConfirmationData"), 0, "the AUSF is not asked");
}

#[test]
fn a_lost_authentication_request_is_retransmitted_on_t3560() {
    let mut n = Net5g::with(None);
    let mut r = n.router(1);
    r.tamper = Some(drop_first("AuthenticationRequest"));
    r.start(UE);
    assert!(!authenticated(&r, AMF, UE));
    assert!(r.fire_next_timer());
    assert_eq!(count(&r, "AuthenticationRequest"), 2);
    assert!(authenticated(&r, AMF, UE) && authenticated(&r, UE, AMF));
}

#[test]
fn a_non_5g_vector_is_refused_with_cause_26() {
    // A UDM without the AMF separation bit cannot be configured; the bit is
    // cleared in flight (octet 7 of AUTN: AUTN TLV starts after RAND).
    let mut n = Net5g::with(None);
    let mut r = n.router(1);
    r.tamper = Some(Box::new(|p| {
        let mut b = p.pdu.clone();
        if p.kind == "AuthenticationRequest" {
            let at = b.len() - 16 + 6;
            b[at] &= !crate::aka::AMF_SEPARATION_BIT;
        }
        Some(b)
    }));
    r.start(UE);
    assert_eq!(count(&r, "AuthenticationFailure"), 1);
    assert!(rejected(&r, UE, AMF, "authentication_reject"));
}

/// Per registration (loss-free), per node, as docs/counting.md derives them:
/// SHA-256 blocks: KDF with a 32-octet key = 2 (inner: key block + S) + 2
/// (outer) while S ≤ 55 octets, 3 + 2 for RES* (S = 63 octets); AES blocks:
/// MILENAGE 5, 128-NIA2 over the 15-octet SMC 3 and the 10-octet complete 2,
/// ECIES AES-CTR over the 5-octet MSIN 1; SUCI: X9.63 KDF 2 × 2 blocks,
/// HMAC tag 4 blocks.
#[test]
fn crypto_per_registration_is_what_docs_counting_md_states() {
    for (protection, suci_sha, suci_aes, p256, x25519) in [
        (None, 0, 0, (0, 0, 0), (0, 0)),
        (Some(Profile::A), 8, 1, (0, 0, 0), (2, 1)),
        (Some(Profile::B), 8, 1, (1, 1, 1), (0, 0)),
    ] {
        let mut n = Net5g::with(protection);
        let mut r = n.router(3);
        r.start(UE);
        assert!(authenticated(&r, AMF, UE));
        let get = |a: Addr, p: Prim| r.crypto[&a].get(p);
        // UE: USIM 5 + NIA2 3 + 2 (+ CTR); K_AUSF, K_SEAF, K_AMF, K_NASint 4 each, RES* 5.
        assert_eq!(get(UE, Prim::AesBlock), 10 + suci_aes, "{protection:?}");
        assert_eq!(get(UE, Prim::Sha256Block), 21 + suci_sha, "{protection:?}");
        assert_eq!(
            (get(UE, Prim::P256MulBase), get(UE, Prim::P256Mul)),
            (p256.0, p256.1)
        );
        // AMF: HRES* 1, K_AMF 4, K_NASint 4; NIA2 3 + 2.
        assert_eq!(
            (get(AMF, Prim::AesBlock), get(AMF, Prim::Sha256Block)),
            (5, 9)
        );
        // AUSF: HXRES* 1, K_SEAF 4.
        assert_eq!(
            (get(AUSF, Prim::AesBlock), get(AUSF, Prim::Sha256Block)),
            (0, 5)
        );
        // UDM: MILENAGE 5 (+ CTR), XRES* 5 + K_AUSF 4 (+ SIDF KDF and tag).
        assert_eq!(get(UDM, Prim::AesBlock), 5 + suci_aes, "{protection:?}");
        assert_eq!(get(UDM, Prim::Sha256Block), 9 + suci_sha, "{protection:?}");
        assert_eq!(get(UDM, Prim::P256Mul), p256.2);
        assert_eq!(
            (get(UE, Prim::X25519Mul), get(UDM, Prim::X25519Mul)),
            x25519
        );
        for node in [AMF, AUSF] {
            assert_eq!(get(node, Prim::X25519Mul) + get(node, Prim::P256Mul), 0);
        }
    }
}

mod eap;

/// A forged SMC MAC gets SECURITY MODE REJECT #24 (7e 00 5f 18, TS 24.501
/// §8.2.27), which ends the AMF's procedure at once (no T3560 run-out).
#[test]
fn a_forged_security_mode_command_gets_security_mode_reject() {
    let mut n = Net5g::with(None);
    let mut r = n.router(1);
    r.tamper = Some(flip("SecurityModeCommand", |_| 2)); // a MAC octet
    r.start(UE);
    assert!(detected(&r, UE, "smc_integrity_failure"));
    let reject = r
        .log
        .iter()
        .find(|p| p.kind == "SecurityModeReject")
        .unwrap();
    assert_eq!(reject.pdu, [0x7e, 0x00, 0x5f, 24]);
    assert!(rejected(&r, AMF, UE, "security_mode_reject"));
    assert!(!authenticated(&r, UE, AMF) && !authenticated(&r, AMF, UE));
    assert!(
        !r.timers.iter().any(|t| format!("{t:?}").contains("T3560")),
        "T3560 stopped: {:?}",
        r.timers
    );
}

/// T3520 (TS 24.501 §5.4.1.3.7): after AUTHENTICATION FAILURE the UE waits
/// T3520; an answer stops it, no answer aborts the procedure
/// (`Failed(t3520_expired)`) before the registration attempts run out.
#[test]
fn t3520_runs_after_authentication_failure() {
    // Answered (AUTHENTICATION REJECT): stopped.
    let cfg = Config::default();
    let mut n = Net5g::new(cfg.clone(), cfg, 2, 1, 1);
    let mut r = n.router(1);
    r.start(UE);
    assert!(rejected(&r, UE, AMF, "authentication_reject"));
    assert!(r.timers.is_empty(), "T3520 stopped: {:?}", r.timers);

    // Unanswered: every AUTHENTICATION REJECT is lost. (With the default
    // 15 s of both, T3510, started earlier, always expires first.)
    let cfg = Config {
        t3520: 5 * crate::core::time::SECOND,
        ..Config::default()
    };
    let mut n = Net5g::new(cfg.clone(), cfg, 2, 1, 1);
    let mut r = n.router(1);
    r.tamper = Some(drop_all("AuthenticationReject"));
    r.start(UE);
    fire_until(&mut r, 20, |r| {
        failed(r, UE, "t3520_expired") || failed(r, UE, "t3510_expired")
    });
    assert!(failed(&r, UE, "t3520_expired"));
    assert!(!failed(&r, UE, "t3510_expired"));
}

/// Issue 19 (mutants of `aka/device.rs` survived): T3520 starts when the UE
/// sends AUTHENTICATION FAILURE and runs for the configured time from then
/// (TS 24.501 §5.4.1.3.7), here from 3 s on; unanswered, it is T3520 that
/// aborts the procedure when it expires, not a later timer.
#[test]
fn t3520_runs_its_configured_time_from_the_authentication_failure() {
    use crate::core::time::SECOND;
    use crate::core::{TimerKey, TimerKind};
    let cfg = Config {
        t3520: 5 * SECOND,
        ..Config::default()
    };
    let mut n = Net5g::new(cfg.clone(), cfg, 2, 1, 1);
    let mut r = n.router(1);
    r.tamper = Some(drop_all("AuthenticationReject"));
    r.now = 3 * SECOND;
    r.start(UE);
    assert_eq!(count(&r, "AuthenticationFailure"), 1);
    assert_eq!(
        r.timers.get(&(UE, TimerKey::own(TimerKind::T3520))),
        Some(&(8 * SECOND))
    );
    fire_until(&mut r, 20, |r| {
        failed(r, UE, "t3520_expired") || failed(r, UE, "t3510_expired")
    });
    assert!(failed(&r, UE, "t3520_expired"));
    assert_eq!(r.now, 8 * SECOND);
}

/// `ctx_id` writes the digits itself; it is the zero-padded UUID-shaped
/// id `format!` gave, at both ends of the u32 range.
#[test]
fn ctx_id_is_the_zero_padded_uuid_shape() {
    for n in [0, 1, 9, 10, 12_345, 999_999_999, 1_000_000_000, u32::MAX] {
        assert_eq!(
            super::ausf::ctx_id(n),
            format!("00000000-0000-4000-8000-{n:012}")
        );
    }
}

/// Issue 19 (mutants of `SeVector::rand` survived): a resynchronisation
/// request carries the RAND of the challenge the UE refused (RAND ‖ AUTS,
/// TS 33.501 §6.1.3.3.2).
#[test]
fn a_resynchronisation_carries_the_rand_of_the_refused_challenge() {
    use crate::wire::nas5g::Nas5gMessage;
    let cfg = Config::default();
    let mut n = Net5g::new(cfg.clone(), cfg, 1, 1, 1);
    n.router(1).start(UE);
    // A UDM whose SEQ_HE starts over: the next AUTN is stale for the USIM.
    n.udm = Udm::new(Arc::new(Config::default()), subscribers(4, |_| 1, 1));
    let mut r = n.router(2);
    r.start(UE);
    let Ok(Nas5g::Plain(Nas5gMessage::AuthenticationRequest(c))) =
        Nas5g::decode(&first_pdu(&r, "AuthenticationRequest"))
    else {
        panic!("no challenge");
    };
    let (rand, _) = c.rand_autn.unwrap();
    let Some(Body::AuthenticationInfo(i)) = nth_sbi_body(&r, "AuthenticationInfo", 1) else {
        panic!("no resynchronisation request");
    };
    let resync = i.resynchronization_info.unwrap();
    assert_eq!(resync.rand, crate::wire::sbi::hex_of(&rand));
}

/// Issue 19 (mutants of `Amf::contexts` survived): the AMF holds one
/// context per registered UE.
#[test]
fn the_amf_holds_a_context_once_a_ue_registered() {
    let mut n = Net5g::with(None);
    assert_eq!(n.amf.contexts(), 0);
    n.router(1).start(UE);
    assert_eq!(n.amf.contexts(), 1);
}

/// Issue 19 (mutants of the AMF's PLMN check survived): a SUCI of another
/// PLMN — another MNC, or another MCC — is refused before the AUSF is asked.
#[test]
fn a_suci_of_another_plmn_is_refused_as_foreign() {
    for (mcc, mnc) in [("001", "02"), ("002", "01")] {
        let net_cfg = Config::default();
        let mut ue_cfg = net_cfg.clone();
        (ue_cfg.mcc, ue_cfg.mnc) = (mcc.into(), mnc.into());
        let mut n = Net5g::new(ue_cfg, net_cfg, 1, 1, 1);
        let mut r = n.router(1);
        r.start(UE);
        assert!(rejected(&r, AMF, UE, "foreign_suci"), "{mcc}-{mnc}");
        assert_eq!(count(&r, "AuthenticationInfo"), 0);
    }
}

/// Issue 19 (a mutant deleting the `WaitVectors` arm of the AMF's
/// registration survived): a registration repeated while the AUSF is being
/// asked is counted as ignored and opens no second request.
#[test]
fn a_registration_repeated_while_the_ausf_is_asked_opens_no_second_request() {
    let mut n = Net5g::with(None);
    let mut r = n.router(1);
    r.tamper = Some(drop_all("UEAuthenticationCtx"));
    r.start(UE);
    let reg = first_pdu(&r, "RegistrationRequest");
    r.inject(UE, AMF, Interface::N1, reg);
    assert_ignored(&r, AMF, &["RegistrationRequest"]);
    assert_eq!(count(&r, "AuthenticationInfo"), 1);
}

/// Issue 19 (a mutant deleting the `WaitResponse | WaitSecurityMode` arm
/// survived): a UE that repeats its registration while the challenge is
/// outstanding (here it was lost) gets the same challenge again, with no
/// second request to the AUSF, and the registration then completes.
#[test]
fn a_registration_repeated_during_the_challenge_gets_the_challenge_again() {
    let mut n = Net5g::with(None);
    let mut r = n.router(1);
    r.tamper = Some(drop_first("AuthenticationRequest"));
    r.start(UE);
    let reg = first_pdu(&r, "RegistrationRequest");
    r.inject(UE, AMF, Interface::N1, reg);
    let challenges = r.pdus("AuthenticationRequest");
    assert_eq!(challenges.len(), 2);
    assert_eq!(challenges[0], challenges[1]);
    assert_eq!(count(&r, "AuthenticationInfo"), 1);
    assert!(authenticated(&r, AMF, UE) && authenticated(&r, UE, AMF));
}

/// Issue 19 (a mutant of the SEAF's step check survived): an
/// AUTHENTICATION RESPONSE replayed during the security mode step is
/// ignored before HRES* is computed — it costs the AMF no crypto.
#[test]
fn a_response_outside_the_challenge_costs_the_amf_no_crypto() {
    let mut n = Net5g::with(None);
    let mut r = n.router(1);
    r.tamper = Some(drop_all("SecurityModeComplete"));
    r.start(UE);
    let resp = first_pdu(&r, "AuthenticationResponse");
    let before = r.crypto[&AMF];
    r.inject(UE, AMF, Interface::N1, resp);
    assert_ignored(&r, AMF, &["AuthenticationResponse"]);
    assert_eq!(r.crypto[&AMF], before);
}

/// Issue 19 (a mutant of the AMF's SECURITY MODE COMPLETE check survived:
/// MAC or inner type instead of both): a complete whose MAC was altered is
/// detected as an integrity failure and establishes nothing.
#[test]
fn a_security_mode_complete_with_a_wrong_mac_is_detected() {
    let mut n = Net5g::with(None);
    let mut r = n.router(1);
    // Octets 2..6 of a protected 5GMM message are its MAC.
    r.tamper = Some(flip("SecurityModeComplete", |_| 2));
    r.start(UE);
    assert!(detected(&r, AMF, "nas_integrity_failure"));
    assert!(!authenticated(&r, AMF, UE));
}

/// Issue 19 (mutants of `Ausf::contexts` survived): the AUSF holds the
/// context of a 5G-AKA authentication until the confirmation arrives.
#[test]
fn the_ausf_holds_a_context_until_the_confirmation() {
    let mut n = Net5g::with(None);
    let mut r = n.router(1);
    r.tamper = Some(drop_all("ConfirmationData"));
    r.start(UE);
    drop(r);
    assert_eq!(n.ausf.contexts(), 1);
}
