//! The aggregate-signatures scenario end to end: the `metering.*` metrics are the run's own
//! counts and priced busy time per reading and per second, scaled exactly; a lossy
//! meter–PKG link makes IBAS meters retransmit their key requests (counted) and give up
//! after the last one; the new parameters are validated.

use std::collections::BTreeMap;
use std::path::PathBuf;

use authsim_protocols::core::Interface;
use authsim_sim::report::RunResult;
use authsim_sim::runner::{RunOptions, run};
use authsim_sim::scenario::Scenario;
use authsim_sim::sweep::metrics;

fn scenario(set: &[&str]) -> Result<Scenario, String> {
    let p = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../scenarios/aggregate-signatures/one-gateway.toml");
    let text = std::fs::read_to_string(&p).unwrap();
    let set: Vec<String> = set.iter().map(|s| s.to_string()).collect();
    Scenario::parse(&text, &p, &set).map_err(|e| e.to_string())
}

fn simulate(set: &[&str]) -> RunResult {
    let scn = scenario(set).unwrap_or_else(|e| panic!("{e}"));
    run(&scn, scn.run.seed, &RunOptions::default()).unwrap().0
}

fn metric(m: &[(String, f64)], name: &str) -> f64 {
    m.iter()
        .find(|(n, _)| n == name)
        .unwrap_or_else(|| panic!("no {name}"))
        .1
}

#[test]
fn metering_metrics_scale_the_runs_own_counts() {
    let r = simulate(&["protocol.scheme=\"hmac\"", "protocol.interval_s=300.0"]);
    let m = metrics(&r);
    let mdms = r.nodes.iter().find(|n| n.name == "mdms").unwrap();
    let wan = r.interface_totals()[&Interface::Wan].bytes as f64;
    let readings = r
        .auth
        .iter()
        .filter(|a| &*a.reporter_node == "mdms")
        .count() as f64;
    assert_eq!(readings, 10.0);
    assert_eq!(metric(&m, "metering.readings"), readings);
    let busy = mdms.busy_ns as f64 / 1e9;
    assert_eq!(metric(&m, "metering.mdms_s_per_reading"), busy / readings);
    assert_eq!(metric(&m, "metering.wan_bytes_per_s"), wan / 300.0);
    let fleet_busy = 1e6 * (busy / readings);
    assert_eq!(metric(&m, "metering.fleet_mdms_busy_s"), fleet_busy);
    assert_eq!(
        metric(&m, "metering.fleet_mdms_utilisation"),
        fleet_busy / 300.0
    );
    // Two servers halve the utilisation; another fleet scales it.
    let r2 = simulate(&[
        "protocol.scheme=\"hmac\"",
        "protocol.interval_s=300.0",
        "nodes.mdms.servers=2",
        "protocol.fleet_meters=2000000",
    ]);
    let m2 = metrics(&r2);
    let u = metric(&m, "metering.fleet_mdms_utilisation");
    assert!((metric(&m2, "metering.fleet_mdms_utilisation") - u).abs() < 1e-12 * u.max(1.0));
    // Only aggregate-signatures runs have them.
    assert!(m.iter().any(|(n, _)| n.starts_with("metering.")));
}

#[test]
fn lost_key_issues_are_retransmitted_and_counted() {
    let base = [
        "protocol.scheme=\"ibas\"",
        "population.devices=20",
        "protocol.meters_per_gateway=20",
    ];
    let lossy = |loss: &str, attempts: &str| {
        let mut set = base.to_vec();
        set.push(loss);
        set.push(attempts);
        simulate(&set)
    };
    let r = lossy("links[2].loss=0.3", "protocol.key_request_attempts=4");
    let requests = r
        .messages
        .iter()
        .filter(|m| m.kind == "KeyRequest")
        .map(|m| m.counters.transmissions)
        .sum::<u64>();
    assert!(requests > 20, "losses make meters ask again: {requests}");
    let mut outcomes: BTreeMap<(&str, &str), u64> = BTreeMap::new();
    for a in &r.auth {
        if &*a.reporter_node == "meter" {
            *outcomes.entry((a.outcome, a.reason)).or_default() += 1;
        }
    }
    let keyed = outcomes.get(&("authenticated", "")).copied().unwrap_or(0);
    let gave_up = outcomes
        .get(&("failed", "no key issue"))
        .copied()
        .unwrap_or(0);
    assert_eq!(keyed + gave_up, 20, "{outcomes:?}");
    // Every meter that got its key reported, and only those.
    let readings = r
        .auth
        .iter()
        .filter(|a| &*a.reporter_node == "mdms")
        .count() as u64;
    assert_eq!(readings, keyed);
    // With one attempt each meter sends one request, and on an almost dead link (loss must
    // stay below 1) nearly every meter gives up after it.
    let dead = lossy("links[2].loss=0.99", "protocol.key_request_attempts=1");
    let requests = dead
        .messages
        .iter()
        .filter(|m| m.kind == "KeyRequest")
        .map(|m| m.counters.transmissions)
        .sum::<u64>();
    assert_eq!(requests, 20);
    let gave_up = dead
        .auth
        .iter()
        .filter(|a| a.reason == "no key issue")
        .count();
    assert!(gave_up >= 15, "{gave_up}");
}

#[test]
fn new_parameters_are_validated() {
    for (set, field) in [
        ("protocol.fleet_meters=0", "fleet_meters"),
        ("protocol.key_request_attempts=0", "key_request_attempts"),
        ("protocol.key_request_guard_s=0.0", "key_request_guard_s"),
    ] {
        let e = scenario(&[set])
            .err()
            .unwrap_or_else(|| panic!("{set} accepted"));
        assert!(e.contains(field), "{set}: {e}");
    }
}
