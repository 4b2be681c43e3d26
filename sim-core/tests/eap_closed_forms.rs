//! Loss-free simulated EAP-AKA' counts equal the closed forms of
//! docs/counting.md ("EAP-AKA'"), at several n and for every SUCI
//! protection scheme. Expected sizes come from encoding representative
//! messages with the wire codecs (fields of the lengths the roles use), not
//! from the simulator's output.

use std::collections::BTreeMap;

use authsim_protocols::wire::Message;
use authsim_protocols::wire::eap::{AkaPrime, Attribute, EapPacket, KDF_1, subtype};
use authsim_protocols::wire::nas5g::identity::{MobileIdentity5gs, Plmn, Suci};
use authsim_protocols::wire::nas5g::{
    AuthenticationRequest, AuthenticationResponse, AuthenticationResult, Nas5gMessage,
    RegistrationRequest, SecurityModeCommand, SecurityModeComplete, SecurityProtected5g,
};
use authsim_protocols::wire::sbi::{
    self, AuthResult, AuthType, AuthenticationInfo, AuthenticationInfoRequest,
    AuthenticationInfoResult, AuthenticationVector, AvEapAkaPrime, Body, EapSession, Head, Link,
    Method, SbiMessage, UeAuthenticationCtxEap,
};

mod common;

use common::{scheme_output_len, suci};

const SNN: &str = "5G:mnc001.mcc001.3gppnetwork.org";

/// EAP-Request/AKA'-Challenge, EAP-Response/AKA'-Challenge (RES of 8
/// octets, MILENAGE's default), EAP-Success.
fn eap_packets() -> (Vec<u8>, Vec<u8>, Vec<u8>) {
    let request = EapPacket::Request {
        identifier: 1,
        method: AkaPrime {
            subtype: subtype::CHALLENGE,
            attributes: vec![
                Attribute::Rand([0; 16]),
                Attribute::Autn([0; 16]),
                Attribute::Kdf(KDF_1),
                Attribute::KdfInput(SNN.as_bytes().to_vec()),
                Attribute::Mac([0; 16]),
            ],
        },
    };
    let response = EapPacket::Response {
        identifier: 1,
        method: AkaPrime {
            subtype: subtype::CHALLENGE,
            attributes: vec![Attribute::Res(vec![0; 8]), Attribute::Mac([0; 16])],
        },
    };
    (
        request.encode(),
        response.encode(),
        EapPacket::Success { identifier: 1 }.encode(),
    )
}

fn n1_bytes(protection: &str) -> u64 {
    let (request, response, success) = eap_packets();
    let registration = Nas5gMessage::RegistrationRequest(RegistrationRequest {
        ngksi: 7,
        registration_type: 1,
        identity: MobileIdentity5gs::Suci(Suci {
            plmn: Plmn::new("001", "01").unwrap(),
            routing_indicator: "0".into(),
            protection_scheme: 0,
            hn_key_id: 0,
            scheme_output: vec![0; scheme_output_len(protection)],
        }),
        ue_security_capability: Some(vec![0xf0, 0xf0]),
    });
    let challenge = Nas5gMessage::AuthenticationRequest(AuthenticationRequest {
        ngksi: 0,
        abba: vec![0, 0],
        rand_autn: None,
        eap: Some(request),
    });
    let answer = Nas5gMessage::AuthenticationResponse(AuthenticationResponse {
        res_star: None,
        eap: Some(response),
    });
    let result = Nas5gMessage::AuthenticationResult(AuthenticationResult {
        ngksi: 0,
        eap: success,
        abba: Some(vec![0, 0]),
    });
    let smc = Nas5gMessage::SecurityModeCommand(SecurityModeCommand {
        ciphering_algorithm: 0,
        integrity_algorithm: 2,
        ngksi: 0,
        replayed_ue_security_capability: vec![0xf0, 0xf0],
        imeisv_request: None,
    });
    let complete = Nas5gMessage::SecurityModeComplete(SecurityModeComplete {
        nas_message_container: None,
    });
    let protected = |m: &Nas5gMessage| (SecurityProtected5g::HEADER_LEN + m.encoded_len()) as u64;
    [&registration, &challenge, &answer, &result]
        .iter()
        .map(|m| m.encoded_len() as u64)
        .sum::<u64>()
        + protected(&smc)
        + protected(&complete)
}

fn sbi_len(head: Head, body: Body) -> u64 {
    SbiMessage {
        stream_id: 1,
        head,
        body,
    }
    .encode()
    .len() as u64
}

fn request(authority: &str, path: String, body: Body) -> u64 {
    let head = Head::Request {
        method: Method::Post,
        authority: authority.into(),
        path,
    };
    sbi_len(head, body)
}

fn response(status: u16, location: Option<String>, body: Body) -> u64 {
    sbi_len(Head::Response { status, location }, body)
}

/// (N12, N13) octets per registration.
fn sbi_bytes(protection: &str) -> (u64, u64) {
    let (eap_request, eap_response, success) = eap_packets();
    let ausf = "ausf.5gc.mnc001.mcc001.3gppnetwork.org";
    let udm = "udm.5gc.mnc001.mcc001.3gppnetwork.org";
    let h = |n: usize| "0".repeat(2 * n);
    let ctx = "00000000-0000-4000-8000-000000000001";
    let base = format!("https://{ausf}");
    let session = |payload: &[u8]| EapSession {
        eap_payload: sbi::base64_of(payload),
        k_seaf: None,
        links: None,
        auth_result: None,
        supi: None,
    };
    let n12 = request(
        ausf,
        sbi::AUSF_UE_AUTHENTICATIONS.into(),
        Body::AuthenticationInfo(AuthenticationInfo {
            supi_or_suci: suci(protection),
            serving_network_name: SNN.into(),
            resynchronization_info: None,
        }),
    ) + response(
        201,
        Some(format!("{base}{}/{ctx}", sbi::AUSF_UE_AUTHENTICATIONS)),
        Body::UeAuthenticationCtxEap(UeAuthenticationCtxEap {
            auth_type: AuthType::EapAkaPrime,
            five_g_auth_data: sbi::base64_of(&eap_request),
            links: BTreeMap::from([(
                "eap-session".to_string(),
                Link {
                    href: format!("{base}{}", sbi::eap_session_path(ctx)),
                },
            )]),
        }),
    ) + request(
        ausf,
        sbi::eap_session_path(ctx),
        Body::EapSession(session(&eap_response)),
    ) + response(
        200,
        None,
        Body::EapSession(EapSession {
            k_seaf: Some(h(32)),
            auth_result: Some(AuthResult::AuthenticationSuccess),
            supi: Some("imsi-001010000000000".into()),
            ..session(&success)
        }),
    );
    let n13 = request(
        udm,
        sbi::generate_auth_data_path(&suci(protection)),
        Body::AuthenticationInfoRequest(AuthenticationInfoRequest {
            serving_network_name: SNN.into(),
            resynchronization_info: None,
            ausf_instance_id: "6f1d3c2a-8e4b-4c7d-9a2e-5b0c1d2e3f40".into(),
        }),
    ) + response(
        200,
        None,
        Body::AuthenticationInfoResult(AuthenticationInfoResult {
            auth_type: AuthType::EapAkaPrime,
            authentication_vector: AuthenticationVector::EapAkaPrime(AvEapAkaPrime {
                rand: h(16),
                xres: h(8),
                autn: h(16),
                ck_prime: h(16),
                ik_prime: h(16),
            }),
            supi: "imsi-001010000000000".into(),
        }),
    );
    (n12, n13)
}

#[test]
fn eap_counts_per_interface_equal_the_closed_forms_at_every_n() {
    for protection in ["null", "a", "b"] {
        let (n12, n13) = sbi_bytes(protection);
        for n in [1u64, 2, 10, 100] {
            assert_eq!(
                common::fiveg_interface_counts("eap-aka-prime.toml", protection, n),
                [
                    (6 * n, n1_bytes(protection) * n),
                    (4 * n, n12 * n),
                    (2 * n, n13 * n)
                ],
                "{protection}, n = {n}"
            );
        }
    }
    // The per-registration sizes docs/counting.md states.
    assert_eq!(
        ["null", "a", "b"].map(|p| (n1_bytes(p), sbi_bytes(p))),
        [(226, (1181, 623)), (266, (1261, 704)), (267, (1263, 706))]
    );
}
