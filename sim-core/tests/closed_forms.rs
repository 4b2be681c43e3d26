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
        oc_supported_features: None,
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
        &authsim_protocols::eps_aka::realm::epc_host("hss", &cfg.plmn_digits),
        &authsim_protocols::eps_aka::realm::epc_realm(&cfg.plmn_digits),
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
        replayed_ue_security_capabilities: nas::TYPICAL_UE_NETWORK_CAPABILITY.to_vec(),
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
    // The documented constants: 94 NAS octets per attach; AIR 352, AIA 248 + 148 b.
    assert_eq!(nas_bytes_per_attach(), 94);
    assert_eq!(s6a_sizes(1), (352, 396));
    assert_eq!(s6a_sizes(5).1 - s6a_sizes(1).1, 4 * 148);
}

/// Per variant of the Fig. 9 sweep, at n devices: ((device-SN transmissions,
/// bytes), (SN-HN transmissions, bytes)), the closed forms of docs/counting.md.
/// A new baseline in the sweep is one line here.
type Fig9Form = fn(u64) -> ((u64, u64), (u64, u64));
const FIG9_FORMS: &[(&str, Fig9Form)] = &[
    ("EPS-AKA", |n| ((5 * n, 94 * n), (2 * n, (600 + 148) * n))),
    ("UMTS AKA", |n| ((4 * n, 79 * n), (2 * n, (75 + 153) * n))),
    ("Group AKA", |n| ((5 * n, 118 * n - 18), (2, 948))),
    // SUCI profile A; the per-registration sizes are asserted from the codecs
    // in fiveg_closed_forms.rs (N1 151, N12 1204, N13 698).
    ("5G-AKA", |n| ((5 * n, 151 * n), (6 * n, (1204 + 698) * n))),
    // SUCI profile A; sizes asserted in eap_closed_forms.rs (N1 266, N12 1261, N13 704).
    ("EAP-AKA'", |n| {
        ((6 * n, 266 * n), (6 * n, (1261 + 704) * n))
    }),
];

/// Every point of the Lai 2012 Fig. 9 sweep equals the closed forms of
/// docs/counting.md (loss-free, one group of n devices), for every variant.
#[test]
fn fig9_sweep_counts_equal_the_closed_forms_at_every_n() {
    use authsim_sim::sweep::Sweep;
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("../scenarios/lai2012-fig9.toml");
    let sweep = Sweep::load(&path, &[]).unwrap();
    let variants = &sweep.file.sweep.variants;
    let mut checked = 0;
    for plan in sweep.runs.iter().filter(|p| p.replication == 0) {
        let n: u64 = plan.point[0].as_integer().unwrap() as u64;
        let label = variants[plan.variant].label.as_str();
        let (r, _) = run(sweep.scenario(plan), plan.seed, &RunOptions::default()).unwrap();
        let seg = |s: &str| {
            r.interface_totals()
                .iter()
                .filter(|(i, _)| i.segment() == Some(s))
                .fold((0, 0), |(t, b), (_, c)| (t + c.transmissions, b + c.bytes))
        };
        let form = FIG9_FORMS
            .iter()
            .find(|(l, _)| *l == label)
            .unwrap_or_else(|| panic!("no closed form for variant {label}"))
            .1;
        assert_eq!((seg("device_sn"), seg("sn_hn")), form(n), "{label} n={n}");
        let ok = r
            .auth
            .iter()
            .filter(|a| a.outcome == "authenticated")
            .count() as u64;
        assert_eq!(
            ok,
            2 * n,
            "{label} n={n}: every device authenticated on both sides"
        );
        checked += 1;
    }
    assert_eq!(variants.len(), FIG9_FORMS.len(), "a form per variant");
    assert_eq!(checked, variants.len() * 11);
}

/// Every metric a shipped sweep compares or plots exists in its runs, so no
/// curve or improvement row is silently empty.
#[test]
fn shipped_sweeps_reference_existing_metrics() {
    use authsim_sim::sweep::{Sweep, metrics};
    for file in ["lai2012-fig9.toml", "group-storm.toml"] {
        let path = Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("../scenarios")
            .join(file);
        let sweep = Sweep::load(&path, &[]).unwrap();
        let s = &sweep.file.sweep;
        for plan in sweep
            .runs
            .iter()
            .filter(|p| p.replication == 0)
            .take(s.variants.len() * 2)
        {
            let (r, _) = run(sweep.scenario(plan), plan.seed, &RunOptions::default()).unwrap();
            let names: Vec<String> = metrics(&r).into_iter().map(|(n, _)| n).collect();
            let wanted = s
                .compare
                .iter()
                .flat_map(|c| c.metrics.clone())
                .chain(s.plots.iter().map(|p| p.metric.clone()));
            for w in wanted {
                assert!(
                    names.contains(&w),
                    "{file}: variant {} has no metric `{w}`",
                    s.variants[plan.variant].label
                );
            }
        }
    }
}
