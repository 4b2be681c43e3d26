//! One run gives the same bytes on any number of threads: a population of
//! independent devices hands each window's inputs to them on several threads
//! (docs/architecture.md, "Parallel windows"), and every output — CSVs,
//! summary, per-verdict rows, storm goodput, trace — stays what one thread
//! gives. Each case also checks that inputs really were handled apart (or,
//! for roles that are not independent, that none were), so a path that never
//! runs cannot pass for an equal one.

use std::path::Path;

use authsim_sim::report::RunResult;
use authsim_sim::runner::{Perf, RunOptions, run};
use authsim_sim::scenario::Scenario;
use authsim_sim::storm::goodput_csv;

fn scenario(file: &str, set: &[&str]) -> Scenario {
    let path = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../scenarios")
        .join(file);
    let set: Vec<String> = set.iter().map(|s| s.to_string()).collect();
    Scenario::load(&path, &set).unwrap()
}

fn run_on(scn: &Scenario, threads: usize) -> (RunResult, Perf) {
    let opts = RunOptions {
        trace: true,
        threads,
        ..Default::default()
    };
    run(scn, scn.run.seed, &opts).unwrap()
}

/// Runs `scn` on 1, 2 and 4 threads and compares every output; returns the
/// inputs handled apart on 2 and 4 threads.
fn same_bytes(scn: &Scenario) -> [u64; 2] {
    let (one, p1) = run_on(scn, 1);
    assert_eq!(p1.handled_apart, 0, "one thread hands nothing apart");
    let names: Vec<String> = one.nodes.iter().map(|n| n.name.clone()).collect();
    let mut apart = [0; 2];
    for (slot, threads) in [2, 4].into_iter().enumerate() {
        let (r, p) = run_on(scn, threads);
        assert_eq!(p.inputs, p1.inputs, "{threads} threads: inputs");
        assert_eq!(one.messages_csv(), r.messages_csv(), "{threads} threads");
        assert_eq!(one.nodes_csv(), r.nodes_csv(), "{threads} threads");
        assert_eq!(one.auth_csv(), r.auth_csv(), "{threads} threads");
        assert_eq!(one.summary_json(), r.summary_json(), "{threads} threads");
        assert_eq!(goodput_csv(&one), goodput_csv(&r), "{threads} threads");
        assert_eq!(one.trace.len(), r.trace.len(), "{threads} threads");
        if let Some(i) = (0..one.trace.len()).find(|&i| one.trace[i] != r.trace[i]) {
            panic!(
                "{threads} threads: trace line {i} differs:\n  {}\n  {}",
                one.trace[i].csv_line(&names),
                r.trace[i].csv_line(&names)
            );
        }
        assert!(one == r, "{threads} threads: results differ");
        apart[slot] = p.handled_apart;
    }
    apart
}

#[test]
fn an_eps_aka_storm_gives_the_same_bytes_on_1_2_and_4_threads() {
    let scn = scenario("eps-aka-storm.toml", &["population.devices=4000"]);
    let apart = same_bytes(&scn);
    // Starts, challenges and security mode commands of the devices.
    assert!(apart.iter().all(|&a| a > 8_000), "handled apart: {apart:?}");
}

/// MME waits pass T3460 and T3410: retransmissions and device timers that
/// expire inside windows (an endpoint with a timer due in the window is
/// handled in sequence).
#[test]
fn an_overloaded_storm_with_retransmissions_gives_the_same_bytes() {
    let scn = scenario(
        "eps-aka-storm.toml",
        &[
            "population.devices=3000",
            "profiles.mme-core.per_input_us=2500",
        ],
    );
    let (r, _) = run_on(&scn, 1);
    let ue = r.nodes.iter().find(|n| n.name == "ue").unwrap();
    assert!(ue.timer_expiries > 0, "device timers expire in this storm");
    let apart = same_bytes(&scn);
    assert!(apart.iter().all(|&a| a > 0), "handled apart: {apart:?}");
}

/// Long windows (400 ms links) and a T3410 of 0.5 s (shorter than the round trip) behind a slow MME: device
/// timers expire in the same window as a late answer to the same device, the
/// case where handing the answer apart first would change the bytes.
#[test]
fn device_timers_due_inside_a_window_keep_the_order() {
    let text = r#"
name = "timers-in-windows"
[run]
seed = 5
[protocol]
name = "eps-aka"
t3410_s = 0.5
[population]
devices = 1500
arrivals = { pattern = "uniform", window_s = 1.0 }
[nodes.ue]
profile = "constrained-device"
[nodes.mme]
profile = "slow-mme"
servers = 1
[nodes.hss]
profile = "server"
[profiles.slow-mme]
base = "server"
per_input_us = 300.0
[[links]]
between = ["ue", "mme"]
latency = { dist = "fixed", ms = 400.0 }
[[links]]
between = ["mme", "hss"]
latency = { dist = "fixed", ms = 1.0 }
"#;
    let scn = Scenario::parse(text, Path::new("timers.toml"), &[]).unwrap();
    let (r, _) = run_on(&scn, 1);
    let ue = r.nodes.iter().find(|n| n.name == "ue").unwrap();
    assert!(
        ue.timer_expiries > 100,
        "T3410 expiries: {}",
        ue.timer_expiries
    );
    let apart = same_bytes(&scn);
    assert!(apart.iter().all(|&a| a > 0), "handled apart: {apart:?}");
}

#[test]
fn the_quick_start_and_an_attacked_run_give_the_same_bytes() {
    // Arrivals within half a second: windows of more than a few inputs.
    let dense = ["population.arrivals.window_s=0.5"];
    for file in ["quickstart.toml", "attacks-eps-aka.toml"] {
        let apart = same_bytes(&scenario(file, &dense));
        assert!(
            apart.iter().all(|&a| a > 0),
            "{file}: handled apart: {apart:?}"
        );
    }
}

/// The 5G UE draws an ephemeral key for its SUCI: its population is not
/// hosted as independent, so nothing is handed apart, and the bytes agree.
#[test]
fn a_population_that_draws_randomness_stays_in_sequence() {
    let scn = scenario("5g-aka-storm.toml", &["population.devices=1000"]);
    assert_eq!(same_bytes(&scn), [0, 0]);
}
