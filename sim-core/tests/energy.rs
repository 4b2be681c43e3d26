//! Profiles with energy fields, their validation, and energy in nodes.csv
//! recomputed from a run's own counts.

use std::path::Path;

use authsim_protocols::core::{CryptoOps, Prim};
use authsim_sim::profile::Profile;
use authsim_sim::runner::{RunOptions, run};
use authsim_sim::scenario::Scenario;

const BASE: &str = r#"
name = "energy-test"
[run]
seed = 11
[protocol]
name = "eps-aka"
[population]
devices = 12
arrivals = { pattern = "uniform", window_s = 1.0 }
[nodes.ue]
profile = "dev"
[nodes.mme]
profile = "core"
[nodes.hss]
profile = "server"
[profiles.dev]
base = "meter-node"
per_input_us = 150.0
per_input_uj = 0.75
prim_ns = { aes_block = 9000.0 }
prim_uj = { aes_block = 0.0625, sha256_block = 0.53125, p256_mul = 85.0 }
tx_uj_per_byte = 14.5
rx_uj_per_byte = 2.25
[profiles.core]
base = "server"
prim_uj = { aes_block = 0.001, sha256_block = 0.002 }
per_input_uj = 3.5
tx_uj_per_byte = 0.01
rx_uj_per_byte = 0.02
[[links]]
between = ["ue", "mme"]
latency = { dist = "uniform", min_ms = 10.0, max_ms = 30.0 }
header_bytes = 7
[[links]]
between = ["mme", "hss"]
latency = { dist = "fixed", ms = 5.0 }
[outputs]
plots = false
"#;

fn parse(text: &str) -> Result<Scenario, authsim_sim::scenario::ScenarioError> {
    Scenario::parse(text, Path::new("energy.toml"), &[])
}

#[test]
fn energy_fields_parse_and_price_a_known_op_count_exactly() {
    let scn = parse(BASE).unwrap();
    let dev = scn.profile("dev").unwrap();
    // Set keys override, the rest comes from the base (meter-node).
    let base = Profile::meter_node();
    assert_eq!(dev.name, "dev");
    assert_eq!(dev.per_input_ns, 150_000.0);
    assert_eq!(dev.prim_ns[Prim::AesBlock as usize], 9000.0);
    assert_eq!(
        dev.prim_ns[Prim::Sha256Block as usize],
        base.prim_ns[Prim::Sha256Block as usize]
    );
    assert_eq!(
        dev.prim_uj[Prim::AeadByte as usize],
        base.prim_uj[Prim::AeadByte as usize]
    );
    let mut ops = CryptoOps::default();
    ops.add(Prim::AesBlock, 16);
    ops.add(Prim::Sha256Block, 8);
    ops.add(Prim::P256Mul, 2);
    // Binary fractions: the sums are exact.
    assert_eq!(
        dev.crypto_energy_uj(&ops, 4),
        16.0 * 0.0625 + 8.0 * 0.53125 + 2.0 * 85.0 + 4.0 * 0.75
    );
    assert_eq!(dev.radio_energy_uj(100, 40), 100.0 * 14.5 + 40.0 * 2.25);
    // Every built-in can be a base.
    for b in Profile::BUILTIN {
        let text = BASE.replace("base = \"meter-node\"", &format!("base = \"{b}\""));
        assert!(parse(&text).is_ok(), "base {b}");
    }
}

#[test]
fn bad_energy_values_are_errors_naming_the_field() {
    let cases: &[(&str, &str, &str)] = &[
        (
            "per_input_uj = 0.75",
            "per_input_uj = -0.75",
            "profiles.dev.per_input_uj",
        ),
        (
            "tx_uj_per_byte = 14.5",
            "tx_uj_per_byte = -1.0",
            "profiles.dev.tx_uj_per_byte",
        ),
        (
            "rx_uj_per_byte = 2.25",
            "rx_uj_per_byte = nan",
            "profiles.dev.rx_uj_per_byte",
        ),
        (
            "p256_mul = 85.0 }",
            "p256_mul = -85.0 }",
            "profiles.dev.prim_uj.p256_mul",
        ),
        (
            "p256_mul = 85.0 }",
            "p256_mull = 85.0 }",
            "profiles.dev.prim_uj.p256_mull",
        ),
        (
            "base = \"meter-node\"",
            "base = \"laptop\"",
            "profiles.dev.base",
        ),
        (
            "seed = 11",
            "seed = 11\nreplications = 0",
            "run.replications",
        ),
    ];
    for (from, to, field) in cases {
        assert!(BASE.contains(from), "{from}");
        let e = parse(&BASE.replacen(from, to, 1)).expect_err(to);
        assert_eq!(e.field.as_deref(), Some(*field), "{to}: {e}");
        assert!(e.line.is_some(), "{to}: {e}");
        assert!(e.to_string().contains(field), "{e}");
    }
    // Unknown keys stay errors.
    let e = parse(&BASE.replacen("per_input_uj = 0.75", "per_input_mj = 0.75", 1)).unwrap_err();
    assert!(e.message.contains("per_input_mj"), "{e}");
}

/// Parses nodes.csv into (header, rows of fields).
fn table(csv: &str) -> (Vec<String>, Vec<Vec<String>>) {
    let mut lines = csv.lines();
    let header = lines
        .next()
        .unwrap()
        .split(',')
        .map(str::to_string)
        .collect();
    let rows = lines
        .map(|l| l.split(',').map(str::to_string).collect())
        .collect();
    (header, rows)
}

#[test]
fn energy_in_nodes_csv_equals_the_formula_on_the_runs_own_counts() {
    let scn = parse(BASE).unwrap();
    let (r, _) = run(&scn, scn.run.seed, &RunOptions::default()).unwrap();
    let (h, rows) = table(&r.nodes_csv());
    let col = |name: &str| h.iter().position(|c| c == name).unwrap();
    let num = |row: &Vec<String>, name: &str| -> f64 { row[col(name)].parse().unwrap() };
    let mut tx_total = 0.0;
    let mut rx_total = 0.0;
    for row in &rows {
        let prof = scn.profile(&row[col("profile")]).unwrap();
        let mut crypto = 0.0;
        for p in Prim::ALL {
            crypto += num(row, p.name()) * prof.prim_uj[p as usize];
        }
        crypto += num(row, "inputs") * prof.per_input_uj;
        let (tx, rx) = (num(row, "tx_bytes"), num(row, "rx_bytes"));
        let radio = tx * prof.tx_uj_per_byte + rx * prof.rx_uj_per_byte;
        let close = |a: f64, b: f64| (a - b).abs() <= 1e-12 * b.abs().max(1e-12);
        let name = &row[0];
        assert!(
            close(num(row, "energy_crypto_j"), crypto * 1e-6),
            "{name} crypto"
        );
        assert!(
            close(num(row, "energy_radio_j"), radio * 1e-6),
            "{name} radio"
        );
        assert!(close(num(row, "energy_total_j"), (crypto + radio) * 1e-6));
        let per = &row[col("energy_per_endpoint_j")];
        if name == "ue" {
            assert_eq!(num(row, "endpoints"), 12.0);
            assert!(close(per.parse().unwrap(), (crypto + radio) * 1e-6 / 12.0));
            // The device did real work on both sides of the radio.
            assert!(crypto > 0.0 && tx > 0.0 && rx > 0.0);
        } else {
            assert_eq!(per, "", "{name}: servers have no per-endpoint energy");
        }
        tx_total += tx;
        rx_total += rx;
    }
    // Bytes sent are the encoded PDUs plus the link headers of every
    // transmission; without loss, every byte sent is received.
    let msgs: f64 = r
        .messages
        .iter()
        .map(|m| (m.counters.bytes + m.counters.overhead_bytes) as f64)
        .sum();
    assert_eq!(tx_total, msgs);
    assert_eq!(rx_total, tx_total);
    // The header bytes are in there: 7 per NAS transmission.
    let nas_tx: u64 = r
        .messages
        .iter()
        .filter(|m| m.interface.name() == "nas")
        .map(|m| m.counters.transmissions)
        .sum();
    let nas_over: u64 = r
        .messages
        .iter()
        .filter(|m| m.interface.name() == "nas")
        .map(|m| m.counters.overhead_bytes)
        .sum();
    assert_eq!(nas_over, 7 * nas_tx);
    // summary.json carries the same numbers.
    let j = r.summary_json();
    let ue = &j["energy"]["ue"];
    let row = rows.iter().find(|r| r[0] == "ue").unwrap();
    assert_eq!(ue["total_j"].as_f64().unwrap(), num(row, "energy_total_j"));
    assert_eq!(
        ue["tx_bytes"].as_u64().unwrap() as f64,
        num(row, "tx_bytes")
    );
}

#[test]
fn free_profile_costs_no_energy() {
    let text = BASE
        .replace("profile = \"dev\"", "profile = \"free\"")
        .replace("profile = \"core\"", "profile = \"free\"")
        .replace(
            "[nodes.hss]\nprofile = \"server\"",
            "[nodes.hss]\nprofile = \"free\"",
        );
    let scn = parse(&text).unwrap();
    let (r, _) = run(&scn, 1, &RunOptions::default()).unwrap();
    for n in &r.nodes {
        assert_eq!(n.energy_total_j(), 0.0, "{}", n.name);
        assert!(n.tx_bytes > 0);
    }
}
