//! The proxy multiparty baseline end to end (EPS-AKA device–CN, then TLS 1.3
//! PSK-DHE device–MTC server): for several n the loss-free messages and octets
//! per interface and the MTC server's and device's TLS work equal the closed
//! forms of docs/protocols/proxy-multiparty.md ("Baseline") times n, and every
//! verdict is the expected one.

use std::collections::BTreeMap;
use std::path::PathBuf;

use authsim_protocols::core::{Interface, Prim};
use authsim_protocols::tls13::counting as tls;
use authsim_sim::report::RunResult;
use authsim_sim::runner::{RunOptions, run};
use authsim_sim::scenario::Scenario;

fn simulate(set: &[&str]) -> RunResult {
    let p = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../scenarios/proxy-baseline.toml");
    let text = std::fs::read_to_string(&p).unwrap();
    let set: Vec<String> = set.iter().map(|s| s.to_string()).collect();
    let scn = Scenario::parse(&text, &p, &set).unwrap_or_else(|e| panic!("{e}"));
    run(&scn, scn.run.seed, &RunOptions::default()).unwrap().0
}

/// EPS-AKA per device (docs/protocols/proxy-multiparty.md, "Baseline"):
/// NAS AttachRequest 24 + AuthenticationRequest 36 + AuthenticationResponse 11
/// + SecurityModeCommand 15 + SecurityModeComplete 8; S6a AIR 352 + AIA 396.
const NAS: (u64, u64) = (5, 24 + 36 + 11 + 15 + 8);
const S6A: (u64, u64) = (2, 352 + 396);
/// The device's EPS-AKA SHA-256 blocks (K_ASME and the NAS keys).
const EPS_DEVICE_SHA256: u64 = 8;

#[test]
fn counts_match_the_closed_forms_at_several_n() {
    for n in [1u64, 7, 60] {
        let r = simulate(&[&format!("population.devices={n}")]);
        let mut per_iface: BTreeMap<Interface, (u64, u64)> = BTreeMap::new();
        for m in &r.messages {
            assert_eq!(m.counters.lost, 0);
            let e = per_iface.entry(m.interface).or_default();
            e.0 += m.counters.transmissions;
            e.1 += m.counters.bytes;
        }
        assert_eq!(per_iface[&Interface::Nas], (NAS.0 * n, NAS.1 * n));
        assert_eq!(per_iface[&Interface::S6a], (S6A.0 * n, S6A.1 * n));
        assert_eq!(
            per_iface[&Interface::DevServer],
            (tls::MESSAGES * n, tls::OCTETS * n)
        );
        assert_eq!(per_iface.len(), 3);
        let node = |name: &str| r.nodes.iter().find(|x| x.name == name).unwrap();
        for name in ["device", "mme", "hss", "mtc_server"] {
            assert_eq!(node(name).ignored_inputs(), 0, "{name}");
        }
        let (dev, srv) = (&node("device").crypto, &node("mtc_server").crypto);
        assert_eq!(dev.get(Prim::X25519Mul), tls::X25519_PER_SIDE * n);
        assert_eq!(srv.get(Prim::X25519Mul), tls::X25519_PER_SIDE * n);
        assert_eq!(dev.get(Prim::AeadByte), tls::AEAD_BYTES_PER_SIDE * n);
        assert_eq!(srv.get(Prim::AeadByte), tls::AEAD_BYTES_PER_SIDE * n);
        assert_eq!(
            dev.get(Prim::Sha256Block),
            (tls::DEVICE_SHA256_BLOCKS + EPS_DEVICE_SHA256) * n
        );
        assert_eq!(srv.get(Prim::Sha256Block), tls::SERVER_SHA256_BLOCKS * n);
        // No signatures anywhere in the baseline.
        for name in ["device", "mme", "hss", "mtc_server"] {
            assert_eq!(node(name).crypto.get(Prim::P256Mul), 0);
            assert_eq!(node(name).crypto.get(Prim::P256MulBase), 0);
        }
        let mut o: BTreeMap<(String, &str), u64> = BTreeMap::new();
        for a in &r.auth {
            *o.entry((a.reporter_node.to_string(), a.outcome))
                .or_default() += 1;
        }
        // The device authenticates the MME and the MTC server; each of them the device.
        assert_eq!(o[&("device".into(), "authenticated")], 2 * n);
        assert_eq!(o[&("mme".into(), "authenticated")], n);
        assert_eq!(o[&("mtc_server".into(), "authenticated")], n);
        assert_eq!(o.len(), 3, "nothing but these verdicts: {o:?}");
    }
}

/// A short TLS guard with a slow server: devices fail with `timeout`,
/// counted, nothing ignored.
#[test]
fn a_slow_server_path_ends_in_counted_timeouts() {
    let r = simulate(&[
        "population.devices=5",
        "protocol.tls_guard_s=0.05",
        "links[2].latency={ dist = \"fixed\", ms = 100.0 }",
    ]);
    let timeouts = r
        .auth
        .iter()
        .filter(|a| a.outcome == "failed" && a.reason == "timeout")
        .count();
    assert_eq!(timeouts, 5);
}
