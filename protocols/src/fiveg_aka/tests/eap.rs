//! Whole EAP-AKA' registrations (TS 33.501 §6.1.3.1) through the test
//! router: the same four roles with the UDM's method set to EAP-AKA'.

use super::*;
use crate::testing::{Passed, Tamper};
use crate::wire::eap::{Attribute, EapPacket, subtype};
use crate::wire::nas5g::Nas5gMessage;

fn eap_cfg(protection: Option<Profile>) -> Config {
    let mut c =
        Config::with_protection(protection, Config::default_hn_private(protection)).unwrap();
    c.method = AuthMethod::EapAkaPrime;
    c
}

fn net(protection: Option<Profile>, ue_key: u8) -> Net5g {
    let cfg = eap_cfg(protection);
    Net5g::new(cfg.clone(), cfg, ue_key, 1, 1)
}

const EAP_FLOW: [&str; 12] = [
    "RegistrationRequest",
    "AuthenticationInfo",
    "AuthenticationInfoRequest",
    "AuthenticationInfoResult",
    "UEAuthenticationCtx",
    "AuthenticationRequest",
    "AuthenticationResponse",
    "EapSession",
    "EapSession",
    "AuthenticationResult",
    "SecurityModeCommand",
    "SecurityModeComplete",
];

/// The EAP packet inside an N1 message.
fn eap_of(p: &Passed) -> Option<EapPacket> {
    let eap = match Nas5g::decode(&p.pdu).ok()? {
        Nas5g::Plain(Nas5gMessage::AuthenticationRequest(m)) => m.eap?,
        Nas5g::Plain(Nas5gMessage::AuthenticationResponse(m)) => m.eap?,
        Nas5g::Plain(Nas5gMessage::AuthenticationReject(e)) => e?,
        Nas5g::Plain(Nas5gMessage::AuthenticationResult(m)) => m.eap,
        _ => return None,
    };
    EapPacket::decode(&eap).ok()
}

/// Rewrites the EAP packet of every `kind` N1 message with `f` (its AT_MAC
/// is not recomputed).
fn tamper_eap(kind: &'static str, f: impl Fn(&mut EapPacket) + 'static) -> Tamper<'static> {
    Box::new(move |p| {
        if p.kind != kind {
            return Some(p.pdu.clone());
        }
        let Ok(Nas5g::Plain(m)) = Nas5g::decode(&p.pdu) else {
            return Some(p.pdu.clone());
        };
        let m = match m {
            Nas5gMessage::AuthenticationRequest(mut r) => {
                let mut e = EapPacket::decode(r.eap.as_ref().unwrap()).unwrap();
                f(&mut e);
                r.eap = Some(e.encode());
                Nas5gMessage::AuthenticationRequest(r)
            }
            Nas5gMessage::AuthenticationResponse(mut r) => {
                let mut e = EapPacket::decode(r.eap.as_ref().unwrap()).unwrap();
                f(&mut e);
                r.eap = Some(e.encode());
                Nas5gMessage::AuthenticationResponse(r)
            }
            other => other,
        };
        Some(m.encode())
    })
}

fn response_subtypes(r: &Router) -> Vec<u8> {
    r.log
        .iter()
        .filter(|p| p.kind == "AuthenticationResponse")
        .filter_map(|p| eap_of(p)?.method().map(|m| m.subtype))
        .collect()
}

#[test]
fn eap_aka_prime_registration_authenticates_both_sides() {
    for protection in [None, Some(Profile::A), Some(Profile::B)] {
        let mut n = net(protection, 1);
        let mut r = n.router(5);
        r.start(UE);
        assert_eq!(r.kinds(), EAP_FLOW, "{protection:?}");
        assert!(authenticated(&r, AMF, UE) && authenticated(&r, UE, AMF));
        assert_labels_decode(&r);
        assert_nothing_ignored(&r);
        assert!(r.timers.is_empty(), "all timers cancelled: {:?}", r.timers);
        // Request: header 3, ngKSI 1, ABBA 3, EAP IE 3 + 108 (RAND, AUTN,
        // KDF, KDF_INPUT with the 32-octet SNN, MAC). Response: 3 + 3 + 40
        // (AT_RES of 8 octets: 12, AT_MAC 20). Result: 3 + 1 + 2 + 4 + ABBA 4.
        assert_eq!(size(&r, "AuthenticationRequest"), 3 + 1 + 3 + 3 + 108);
        assert_eq!(size(&r, "AuthenticationResponse"), 3 + 3 + 40);
        assert_eq!(size(&r, "AuthenticationResult"), 3 + 1 + 2 + 4 + 4);
        let result = r
            .log
            .iter()
            .find(|p| p.kind == "AuthenticationResult")
            .unwrap();
        assert!(matches!(eap_of(result), Some(EapPacket::Success { .. })));
        for p in r.log.iter().filter(|p| p.interface != Interface::N1) {
            crate::wire::sbi::tests::assert_schema(&SbiMessage::decode(&p.pdu).unwrap().body);
        }
        drop(r);
        assert_eq!(n.ausf.contexts(), 0, "the EAP session ends with its result");
    }
}

#[test]
fn a_wrong_key_is_refused_with_authentication_reject_inside_eap() {
    let mut n = net(None, 2);
    let mut r = n.router(1);
    r.start(UE);
    assert!(detected(&r, UE, "network_mac_failure"));
    assert_eq!(response_subtypes(&r), [subtype::AUTHENTICATION_REJECT]);
    assert_eq!(
        count(&r, "AuthenticationFailure"),
        0,
        "no 5GMM failure under EAP"
    );
    assert!(rejected(&r, AMF, UE, "ausf_eap_failure"));
    assert!(rejected(&r, UE, AMF, "authentication_reject"));
    let reject = r
        .log
        .iter()
        .find(|p| p.kind == "AuthenticationReject")
        .unwrap();
    assert!(matches!(eap_of(reject), Some(EapPacket::Failure { .. })));
    assert_nothing_ignored(&r);
}

#[test]
fn a_stale_sqn_resynchronises_inside_the_eap_session() {
    let mut n = net(None, 1);
    {
        let mut r = n.router(1);
        r.start(UE);
        assert!(authenticated(&r, AMF, UE));
    }
    n.udm = Udm::new(Arc::new(eap_cfg(None)), subscribers(4, |_| 1, 1));
    let mut r = n.router(2);
    r.start(UE);
    assert_eq!(
        response_subtypes(&r),
        [subtype::SYNCHRONIZATION_FAILURE, subtype::CHALLENGE]
    );
    assert_eq!(count(&r, "AuthenticationInfoRequest"), 2);
    let resync = nth_sbi_body(&r, "AuthenticationInfoRequest", 1);
    assert!(
        matches!(resync, Some(Body::AuthenticationInfoRequest(i)) if i.resynchronization_info.is_some())
    );
    assert!(authenticated(&r, AMF, UE) && authenticated(&r, UE, AMF));
    assert_nothing_ignored(&r);
    drop(r);
    assert_eq!(n.ausf.contexts(), 0);
}

#[test]
fn a_forged_at_mac_is_a_client_error_and_the_session_fails() {
    let mut n = net(None, 1);
    let mut r = n.router(1);
    r.tamper = Some(tamper_eap("AuthenticationRequest", |e| {
        e.set_mac([0x42; 16])
    }));
    r.start(UE);
    assert!(detected(&r, UE, "eap_mac_failure"));
    assert_eq!(response_subtypes(&r), [subtype::CLIENT_ERROR]);
    assert!(rejected(&r, AMF, UE, "ausf_eap_failure"));
    assert!(!authenticated(&r, AMF, UE) && !authenticated(&r, UE, AMF));
}

#[test]
fn a_changed_at_res_fails_the_servers_mac_check() {
    let mut n = net(None, 1);
    let mut r = n.router(1);
    r.tamper = Some(tamper_eap("AuthenticationResponse", |e| {
        if let EapPacket::Response { method, .. } = e {
            for a in &mut method.attributes {
                if let Attribute::Res(v) = a {
                    v[0] ^= 1;
                }
            }
        }
    }));
    r.start(UE);
    assert!(rejected(&r, AMF, UE, "ausf_eap_failure"));
    assert!(rejected(&r, UE, AMF, "authentication_reject"));
    assert_eq!(count(&r, "SecurityModeCommand"), 0);
}

#[test]
fn kdf_negotiation_accepts_only_kdf_1() {
    // Only KDF 2 offered: nothing the peer supports, Authentication-Reject.
    let mut n = net(None, 1);
    let mut r = n.router(1);
    r.tamper = Some(tamper_eap("AuthenticationRequest", |e| {
        if let EapPacket::Request { method, .. } = e {
            for a in &mut method.attributes {
                if let Attribute::Kdf(k) = a {
                    *k = 2;
                }
            }
        }
    }));
    r.start(UE);
    assert_eq!(response_subtypes(&r), [subtype::AUTHENTICATION_REJECT]);
    assert!(!authenticated(&r, UE, AMF));

    // KDF 2 first, then 1: the peer answers with AT_KDF 1 alone.
    let mut n = net(None, 1);
    let mut r = n.router(1);
    r.tamper = Some(tamper_eap("AuthenticationRequest", |e| {
        if let EapPacket::Request { method, .. } = e {
            method.attributes.insert(2, Attribute::Kdf(2));
        }
    }));
    r.start(UE);
    let answer = r
        .log
        .iter()
        .find(|p| p.kind == "AuthenticationResponse")
        .unwrap();
    let m = eap_of(answer).unwrap();
    assert_eq!(m.method().unwrap().attributes, [Attribute::Kdf(1)]);
    assert!(
        rejected(&r, AMF, UE, "ausf_eap_failure"),
        "the server offered only KDF 1"
    );
}

#[test]
fn a_foreign_network_name_is_refused() {
    let mut n = net(None, 1);
    let mut r = n.router(1);
    r.tamper = Some(tamper_eap("AuthenticationRequest", |e| {
        if let EapPacket::Request { method, .. } = e {
            for a in &mut method.attributes {
                if let Attribute::KdfInput(v) = a {
                    v[10] = b'9';
                }
            }
        }
    }));
    r.start(UE);
    assert_eq!(response_subtypes(&r), [subtype::AUTHENTICATION_REJECT]);
    assert!(!authenticated(&r, UE, AMF));
}

#[test]
fn a_lost_eap_response_gets_the_same_answer_to_the_retransmitted_request() {
    let mut n = net(None, 1);
    let mut r = n.router(1);
    r.tamper = Some(drop_first("AuthenticationResponse"));
    r.start(UE);
    assert!(r.fire_next_timer());
    let answers: Vec<&Passed> = r
        .log
        .iter()
        .filter(|p| p.kind == "AuthenticationResponse")
        .collect();
    assert_eq!(answers.len(), 2);
    assert_eq!(answers[0].pdu, answers[1].pdu);
    assert!(authenticated(&r, AMF, UE) && authenticated(&r, UE, AMF));
}

/// Per registration (loss-free), per node, as docs/counting.md derives
/// them: a KDF or HMAC with a 32-octet key costs 2 (outer), 1 (key block)
/// and ⌈(message + 9) / 64⌉ SHA-256 blocks. CK'/IK': S = 43 octets, 4; PRF'
/// for 208 octets: T1 over 24 octets 4, T2..T7 over 56 octets 5 each: 34;
/// AT_MAC over the 108-octet request 5, over the 40-octet response 4;
/// K_SEAF, K_AMF, K_NASint 4 each. AES: MILENAGE 5, 128-NIA2 3 + 2, SUCI
/// AES-CTR 1 (profiles A/B).
#[test]
fn eap_crypto_per_registration_is_what_docs_counting_md_states() {
    for (protection, suci_sha, suci_aes) in [
        (None, 0, 0),
        (Some(Profile::A), 8, 1),
        (Some(Profile::B), 8, 1),
    ] {
        let mut n = net(protection, 1);
        let mut r = n.router(3);
        r.start(UE);
        assert!(authenticated(&r, AMF, UE));
        let get = |a: Addr, p: Prim| r.crypto[&a].get(p);
        // UE: CK'/IK' 4, PRF' 34, AT_MAC 5 + 4, K_SEAF, K_AMF, K_NASint 12.
        assert_eq!(get(UE, Prim::AesBlock), 10 + suci_aes, "{protection:?}");
        assert_eq!(get(UE, Prim::Sha256Block), 59 + suci_sha, "{protection:?}");
        // AMF: K_AMF 4, K_NASint 4; NIA2 3 + 2. No HRES* under EAP.
        assert_crypto(&r, AMF, 5, 8);
        // AUSF: PRF' 34, AT_MAC 5 + 4, K_SEAF 4.
        assert_crypto(&r, AUSF, 0, 47);
        // UDM: MILENAGE 5, CK'/IK' 4 (+ SIDF).
        assert_eq!(get(UDM, Prim::AesBlock), 5 + suci_aes, "{protection:?}");
        assert_eq!(get(UDM, Prim::Sha256Block), 4 + suci_sha, "{protection:?}");
    }
}

/// Issue 19 (a mutant of the AMF's EAP guard on AUTHENTICATION FAILURE
/// survived): under EAP-AKA' a 5GMM synch failure carries no RAND to
/// resynchronise with (the UE reports it inside EAP): the AMF rejects the
/// UE and asks the AUSF nothing more.
#[test]
fn a_5gmm_synch_failure_under_eap_is_no_resynchronisation() {
    use crate::wire::nas5g::{AuthenticationFailure, Cause5gmm};
    let mut n = net(None, 1);
    let mut r = n.router(1);
    r.tamper = Some(drop_all("AuthenticationResponse"));
    r.start(UE);
    let failure = Nas5gMessage::AuthenticationFailure(AuthenticationFailure {
        cause: Cause5gmm::SYNCH_FAILURE,
        auts: Some([7; 14]),
    });
    r.inject(UE, AMF, Interface::N1, failure.encode());
    assert!(rejected(&r, AMF, UE, "authentication_failure"));
    assert_eq!(count(&r, "AuthenticationInfo"), 1);
}

/// Issue 19 (a mutant of the AMF's step check on EAP responses survived):
/// an EAP response replayed during the security mode step is ignored, not
/// relayed to the AUSF's EAP session again.
#[test]
fn an_eap_response_replayed_during_the_security_mode_step_is_not_relayed() {
    let mut n = net(None, 1);
    let mut r = n.router(1);
    r.tamper = Some(drop_all("SecurityModeComplete"));
    r.start(UE);
    assert_eq!(count(&r, "EapSession"), 2);
    let resp = r.log.iter().find(|p| p.kind == "AuthenticationResponse");
    let resp = resp.unwrap().pdu.clone();
    r.inject(UE, AMF, Interface::N1, resp);
    assert_ignored(&r, AMF, &["AuthenticationResponse"]);
    assert_eq!(count(&r, "EapSession"), 2);
}

/// Issue 19 (mutants of `Ausf::contexts` survived): an EAP session waiting
/// for the UDM's resynchronised vector is an AUSF context.
#[test]
fn an_eap_session_being_resynchronised_is_an_ausf_context() {
    let mut n = net(None, 1);
    n.router(1).start(UE);
    n.udm = Udm::new(Arc::new(eap_cfg(None)), subscribers(4, |_| 1, 1));
    let mut r = n.router(2);
    let mut results = 0;
    // The UDM's answer to the resynchronising request is lost.
    r.tamper = Some(Box::new(move |p| {
        if p.kind == "AuthenticationInfoResult" {
            results += 1;
            if results == 2 {
                return None;
            }
        }
        Some(p.pdu.clone())
    }));
    r.start(UE);
    assert_eq!(count(&r, "AuthenticationInfoRequest"), 2);
    drop(r);
    assert_eq!(n.ausf.contexts(), 1);
}

/// Issue 19 (mutants of the AUSF's resynchronisation limit survived): a
/// USIM that keeps reporting synch failures inside EAP (here every AUTS is
/// forged, so the UDM never resynchronises and every vector stays stale)
/// costs the network at most two resynchronisations; the third failure ends
/// the EAP session without a fourth request to the UDM.
#[test]
fn eap_synch_failures_resynchronise_at_most_twice() {
    use crate::aka::sqn::{IND_COUNT, join};
    // The USIM has accepted SEQ 1000 at every IND: every SQN the UDM makes is stale.
    let mut sqn = SqnState::default();
    for ind in 0..IND_COUNT {
        assert!(sqn.accept(&join(1000, ind)));
    }
    let mut n = net(None, 1);
    n.ue = Ue::new(Arc::new(eap_cfg(None)), UE.index, AMF, milenage(1), sqn);
    let mut r = n.router(1);
    r.tamper = Some(tamper_eap("AuthenticationResponse", |e| {
        if let EapPacket::Response { method, .. } = e {
            for a in &mut method.attributes {
                if let Attribute::Auts(auts) = a {
                    auts[13] ^= 1; // MAC-S
                }
            }
        }
    }));
    r.start(UE);
    assert_eq!(count(&r, "AuthenticationInfoRequest"), 3, "{:?}", r.kinds());
    assert_eq!(response_subtypes(&r), [subtype::SYNCHRONIZATION_FAILURE; 3]);
    assert!(!authenticated(&r, AMF, UE));
}

/// Issue 19 (mutants of the UE's AUTHENTICATION RESULT check survived): an
/// EAP-Success whose Identifier is not that of the challenge the UE answered
/// is counted as ignored.
#[test]
fn an_eap_success_for_another_identifier_is_ignored_by_the_ue() {
    use crate::wire::nas5g::AuthenticationResult;
    let mut n = net(None, 1);
    let mut r = n.router(1);
    r.start(UE);
    assert!(authenticated(&r, UE, AMF));
    let Some(EapPacket::Success { identifier }) = r
        .log
        .iter()
        .find(|p| p.kind == "AuthenticationResult")
        .and_then(eap_of)
    else {
        panic!("no EAP-Success");
    };
    let other = EapPacket::Success {
        identifier: identifier.wrapping_add(1),
    };
    let result = Nas5gMessage::AuthenticationResult(AuthenticationResult {
        ngksi: 0,
        eap: other.encode(),
        abba: None,
    });
    r.inject(AMF, UE, Interface::N1, result.encode());
    assert_ignored(&r, UE, &["AuthenticationResult"]);
}

/// Issue 19 (a mutant silencing the AUSF's `on_timer` survived): the AUSF
/// arms no timer, so any timer reaching it is counted as ignored.
#[test]
fn a_timer_at_the_ausf_is_counted_as_ignored() {
    use crate::core::{Endpoint, TimerKey, TimerKind};
    let mut n = net(None, 1);
    let key = TimerKey::own(TimerKind::T3560);
    let fx = crate::testing::effects_of(AUSF, |cx| n.ausf.on_timer(key, cx));
    assert_eq!(fx.ignored, vec![key.kind().name()]);
}
