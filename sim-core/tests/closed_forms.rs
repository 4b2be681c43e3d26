//! Loss-free simulated counts equal the closed forms of docs/counting.md.
//!
//! Expected byte counts come from encoding representative messages with the wire
//! codecs (fields of the same lengths as the simulation uses), not from the
//! simulator's own output.

use std::path::Path;

use authsim_protocols::core::Interface;
use authsim_protocols::eps_aka::{Config, imsi};
use authsim_protocols::wire::diameter::{
    AuthenticationInfo, AuthenticationInformationAnswer, AuthenticationInformationRequest,
    DiameterResult, EutranVector, RequestedAuthInfo, VendorSpecificApplicationId,
};
use authsim_protocols::wire::nas::{self, NasMessage};
use authsim_sim::report::RunResult;
use authsim_sim::runner::{RunOptions, run};
use authsim_sim::scenario::Scenario;

fn scenario(devices: u32, vectors: u32) -> Scenario {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("../scenarios/quickstart.toml");
    Scenario::load(
        &path,
        &[
            format!("population.devices={devices}"),
            format!("protocol.vectors_per_request={vectors}"),
            "outputs.plots=false".into(),
        ],
    )
    .unwrap()
}

fn counts(r: &RunResult, iface: Interface) -> (u64, u64) {
    let t = r.interface_totals();
    let c = t.get(&iface).copied().unwrap_or_default();
    (c.transmissions, c.bytes)
}

/// AIR and AIA sizes as the MME and HSS build them (same field lengths).
fn s6a_sizes(vectors: u32) -> (u64, u64) {
    let cfg = Config::default();
    let realm = "epc.mnc001.mcc001.3gppnetwork.org".to_string();
    let air = AuthenticationInformationRequest {
        hop_by_hop: 1,
        end_to_end: 1,
        session_id: format!("mme.{realm};{:010};{:010}", 1_700_000_000u32, 1),
        vendor_specific_application_id: Some(VendorSpecificApplicationId::S6A),
        origin_host: format!("mme.{realm}"),
        origin_realm: realm.clone(),
        destination_host: None,
        destination_realm: realm,
        user_name: imsi(&cfg.plmn_digits, 0),
        requested_eutran: Some(RequestedAuthInfo {
            number_of_requested_vectors: Some(vectors),
            immediate_response_preferred: true,
            re_synchronization_info: None,
        }),
        requested_utran_geran: None,
        visited_plmn_id: cfg.plmn,
    };
    let v = EutranVector {
        item_number: Some(1),
        rand: [0; 16],
        xres: vec![0; 8],
        autn: [0; 16],
        kasme: [0; 32],
    };
    let info = AuthenticationInfo {
        eutran_vectors: vec![v; vectors as usize],
        utran_vectors: vec![],
    };
    let aia = AuthenticationInformationAnswer::answering(
        &air,
        "hss.authsim",
        "authsim",
        DiameterResult::SUCCESS,
        Some(info),
    );
    (air.encode().len() as u64, aia.encode().len() as u64)
}

/// NAS bytes of one attach: Attach Request + Authentication Request/Response + protected SMC/SMComplete.
fn nas_bytes_per_attach() -> u64 {
    let attach = NasMessage::AttachRequest(nas::AttachRequest {
        nas_ksi: nas::KSI_NO_KEY,
        attach_type: nas::attach_type::EPS_ATTACH,
        identity: nas::EpsMobileIdentity::Imsi(imsi("00101", 0)),
        ue_network_capability: nas::TYPICAL_UE_NETWORK_CAPABILITY.to_vec(),
        esm_message_container: nas::MINIMAL_PDN_CONNECTIVITY_REQUEST.to_vec(),
        optional_ies: vec![],
    });
    let req = NasMessage::AuthenticationRequest(nas::AuthenticationRequest {
        nas_ksi: 0,
        rand: [0; 16],
        autn: [0; 16],
    });
    let resp = NasMessage::AuthenticationResponse(nas::AuthenticationResponse { res: vec![0; 8] });
    let smc = NasMessage::SecurityModeCommand(nas::SecurityModeCommand {
        ciphering_algorithm: 0,
        integrity_algorithm: 2,
        nas_ksi: 0,
        replayed_ue_security_capabilities: nas::TYPICAL_UE_NETWORK_CAPABILITY[..2].to_vec(),
        imeisv_request: None,
    });
    let smcc = NasMessage::SecurityModeComplete(nas::SecurityModeComplete { imeisv: None });
    let protected = nas::SecurityProtected::HEADER_LEN as u64;
    [attach, req, resp]
        .iter()
        .map(|m| m.encode().len() as u64)
        .sum::<u64>()
        + protected
        + smc.encode().len() as u64
        + protected
        + smcc.encode().len() as u64
}

#[test]
fn eps_aka_counts_equal_the_closed_form() {
    for n in [1u32, 2, 10, 100, 1000] {
        for b in [1u32, 3, 5] {
            let (r, _) = run(&scenario(n, b), 1, &RunOptions::default()).unwrap();
            let n64 = n as u64;
            // NAS: 5 messages per attach; S6a: one AIR/AIA pair per attach (each
            // device attaches once, so a batch of b vectors is fetched once).
            assert_eq!(
                counts(&r, Interface::Nas),
                (5 * n64, n64 * nas_bytes_per_attach()),
                "nas n={n} b={b}"
            );
            let (air, aia) = s6a_sizes(b);
            assert_eq!(
                counts(&r, Interface::S6a),
                (2 * n64, n64 * (air + aia)),
                "s6a n={n} b={b}"
            );
            let ok = r
                .auth
                .iter()
                .filter(|a| a.outcome == "authenticated")
                .count();
            assert_eq!(ok as u32, 2 * n, "both sides authenticate every device");
        }
    }
    // The documented constants: 92 NAS octets per attach; AIR 352, AIA 192 + 148 b.
    assert_eq!(nas_bytes_per_attach(), 92);
    assert_eq!(s6a_sizes(1), (352, 340));
    assert_eq!(s6a_sizes(5).1 - s6a_sizes(1).1, 4 * 148);
}
