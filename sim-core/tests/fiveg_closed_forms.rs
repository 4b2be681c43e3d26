//! Loss-free simulated 5G-AKA counts equal the closed forms of
//! docs/counting.md ("5G-AKA"), at every n of the group-size sweep
//! (lai2012-fig9.toml) and for every SUCI protection scheme. Expected sizes
//! come from encoding representative messages with the wire codecs (fields
//! of the lengths the roles use), not from the simulator's output.

use std::collections::BTreeMap;
use std::path::Path;

use authsim_protocols::wire::Message;
use authsim_protocols::wire::nas5g::identity::{MobileIdentity5gs, Plmn, Suci};
use authsim_protocols::wire::nas5g::{
    AuthenticationRequest, AuthenticationResponse, Nas5gMessage, RegistrationRequest,
    SecurityModeCommand, SecurityModeComplete, SecurityProtected5g,
};
use authsim_protocols::wire::sbi::{
    self, AuthResult, AuthType, AuthenticationInfo, AuthenticationInfoRequest,
    AuthenticationInfoResult, AuthenticationVector, Av5gAka, Av5gHeAka, Body, ConfirmationData,
    ConfirmationDataResponse, Head, Link, Method, SbiMessage, UeAuthenticationCtx,
};

mod common;

use common::{scheme_output_len, suci};

fn n1_bytes(protection: &str) -> u64 {
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
        rand_autn: Some(([0; 16], [0; 16])),
        eap: None,
    });
    let response = Nas5gMessage::AuthenticationResponse(AuthenticationResponse {
        res_star: Some([0; 16]),
        eap: None,
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
    [&registration, &challenge, &response]
        .iter()
        .map(|m| m.encoded_len() as u64)
        .sum::<u64>()
        + protected(&smc)
        + protected(&complete)
}

fn sbi_len(stream_id: u32, head: Head, body: Body) -> u64 {
    SbiMessage {
        stream_id,
        head,
        body,
    }
    .encode()
    .len() as u64
}

fn request(authority: &str, method: Method, path: String, body: Body) -> u64 {
    let head = Head::Request {
        method,
        authority: authority.into(),
        path,
    };
    sbi_len(1, head, body)
}

fn response(status: u16, location: Option<String>, body: Body) -> u64 {
    sbi_len(1, Head::Response { status, location }, body)
}

/// (N12, N13) octets per registration.
fn sbi_bytes(protection: &str) -> (u64, u64) {
    let ausf = "ausf.5gc.mnc001.mcc001.3gppnetwork.org";
    let udm = "udm.5gc.mnc001.mcc001.3gppnetwork.org";
    let snn = "5G:mnc001.mcc001.3gppnetwork.org".to_string();
    let h = |n: usize| "0".repeat(2 * n);
    let ctx = "00000000-0000-4000-8000-000000000001";
    let base = format!("https://{ausf}");
    let n12 = request(
        ausf,
        Method::Post,
        sbi::AUSF_UE_AUTHENTICATIONS.into(),
        Body::AuthenticationInfo(AuthenticationInfo {
            supi_or_suci: suci(protection),
            serving_network_name: snn.clone(),
            resynchronization_info: None,
        }),
    ) + response(
        201,
        Some(format!("{base}{}/{ctx}", sbi::AUSF_UE_AUTHENTICATIONS)),
        Body::UeAuthenticationCtx(UeAuthenticationCtx {
            auth_type: AuthType::FiveGAka,
            five_g_auth_data: Av5gAka {
                rand: h(16),
                hxres_star: h(16),
                autn: h(16),
            },
            links: BTreeMap::from([(
                "5g-aka".to_string(),
                Link {
                    href: format!("{base}{}", sbi::confirmation_path(ctx)),
                },
            )]),
            serving_network_name: None,
        }),
    ) + request(
        ausf,
        Method::Put,
        sbi::confirmation_path(ctx),
        Body::ConfirmationData(ConfirmationData { res_star: h(16) }),
    ) + response(
        200,
        None,
        Body::ConfirmationDataResponse(ConfirmationDataResponse {
            auth_result: AuthResult::AuthenticationSuccess,
            supi: Some("imsi-001010000000000".into()),
            kseaf: Some(h(32)),
        }),
    );
    let n13 = request(
        udm,
        Method::Post,
        sbi::generate_auth_data_path(&suci(protection)),
        Body::AuthenticationInfoRequest(AuthenticationInfoRequest {
            serving_network_name: snn,
            resynchronization_info: None,
            ausf_instance_id: "6f1d3c2a-8e4b-4c7d-9a2e-5b0c1d2e3f40".into(),
        }),
    ) + response(
        200,
        None,
        Body::AuthenticationInfoResult(AuthenticationInfoResult {
            auth_type: AuthType::FiveGAka,
            authentication_vector: AuthenticationVector::FiveGHeAka(Av5gHeAka {
                rand: h(16),
                xres_star: h(16),
                autn: h(16),
                kausf: h(32),
            }),
            supi: "imsi-001010000000000".into(),
        }),
    );
    (n12, n13)
}

/// The n axis of the group-size sweep (scenarios/lai2012-fig9.toml), so the
/// forms hold at every n the sweep plots.
fn fig9_group_sizes() -> Vec<u64> {
    use authsim_sim::sweep::Sweep;
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("../scenarios/lai2012-fig9.toml");
    let sweep = Sweep::load(&path, &[]).unwrap();
    let mut n: Vec<u64> = sweep
        .runs
        .iter()
        .map(|p| p.point[0].as_integer().unwrap() as u64)
        .collect();
    n.sort_unstable();
    n.dedup();
    assert!(n.len() >= 10 && n.contains(&1), "the sweep's n axis: {n:?}");
    n
}

#[test]
fn counts_per_interface_equal_the_closed_forms_at_every_n() {
    for protection in ["null", "a", "b"] {
        let (n12, n13) = sbi_bytes(protection);
        for n in fig9_group_sizes() {
            assert_eq!(
                common::fiveg_interface_counts("5g-aka.toml", protection, n),
                [
                    (5 * n, n1_bytes(protection) * n),
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
        [(111, (1124, 617)), (151, (1204, 698)), (152, (1206, 700))]
    );
}
