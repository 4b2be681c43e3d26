//! Overload control in whole runs (docs/protocols/overload.md): each
//! mechanism against the same storm with it switched off.

use std::path::Path;

use authsim_sim::report::RunResult;
use authsim_sim::runner::{RunOptions, run};
use authsim_sim::scenario::Scenario;

/// 6 000 devices within 2 s at an MME of about 250 attaches/s (1 ms per
/// message): 12x its capacity, so queueing waits pass T3460 (6 s).
const STORM: &str = r#"
name = "overload-test"
[run]
seed = 5
[protocol]
name = "eps-aka"
[population]
devices = 6000
arrivals = { pattern = "uniform", window_s = 2.0 }
[nodes.ue]
profile = "constrained-device"
[nodes.mme]
profile = "slow-mme"
servers = 1
[nodes.hss]
profile = "server"
[profiles.slow-mme]
base = "server"
per_input_us = 1000.0
[[links]]
between = ["ue", "mme"]
latency = { dist = "fixed", ms = 10.0 }
[[links]]
between = ["mme", "hss"]
latency = { dist = "fixed", ms = 5.0 }
[outputs]
plots = false
"#;

fn storm(extra: &str) -> RunResult {
    let text = STORM.replace("[population]", &format!("{extra}\n[population]"));
    let scn = Scenario::parse(&text, Path::new("overload.toml"), &[]).unwrap();
    run(&scn, 5, &RunOptions::default()).unwrap().0
}

fn sent(r: &RunResult, kind: &str) -> u64 {
    r.messages
        .iter()
        .filter(|m| m.kind == kind)
        .map(|m| m.counters.transmissions)
        .sum()
}

fn authenticated_by_mme(r: &RunResult) -> usize {
    let mut s: Vec<_> = r
        .auth
        .iter()
        .filter(|a| &*a.reporter_node == "mme" && a.outcome == "authenticated")
        .map(|a| a.subject)
        .collect();
    s.sort_unstable();
    s.dedup();
    s.len()
}

fn failed(r: &RunResult) -> usize {
    r.auth.iter().filter(|a| a.outcome == "failed").count()
}

const CONGESTION: &str = "[protocol.congestion]\nmax_wait_s = 1.0\nt3346_min_s = 20.0\nt3346_max_s = 60.0\n[protocol.retry]\n";

#[test]
fn nas_congestion_control_keeps_the_mme_out_of_collapse() {
    let off = storm("");
    let on = storm(CONGESTION);
    // Without control the queue passes T3460: challenges are retransmitted
    // and procedures fail; no congestion reject is ever sent.
    assert_eq!(sent(&off, "AttachReject"), 0);
    assert!(sent(&off, "AuthenticationRequest") > 6000);
    assert!(failed(&off) > 0);
    // With it, the MME defers what it cannot serve at once: every device
    // authenticates, each with one challenge, and no procedure fails.
    assert!(sent(&on, "AttachReject") > 0);
    assert_eq!(authenticated_by_mme(&on), 6000);
    assert_eq!(sent(&on, "AuthenticationRequest"), 6000);
    assert_eq!(failed(&on), 0);
}

#[test]
fn bad_overload_parameters_name_their_field() {
    for (table, field) in [
        (
            "[protocol.congestion]\nt3346_min_s = 1.0\n",
            "protocol.congestion.t3346_min_s",
        ),
        (
            "[protocol.congestion]\nt3346_min_s = 60.0\nt3346_max_s = 30.0\n",
            "protocol.congestion.t3346_max_s",
        ),
        (
            "[protocol.congestion]\nmax_wait_s = -1.0\n",
            "protocol.congestion.max_wait_s",
        ),
        (
            "[protocol.retry]\nt3411_s = 0.0\n",
            "protocol.retry.t3411_s",
        ),
    ] {
        let text = STORM.replace("[population]", &format!("{table}\n[population]"));
        let err = Scenario::parse(&text, Path::new("overload.toml"), &[])
            .unwrap_err()
            .to_string();
        assert!(err.contains(field), "{field}: {err}");
    }
}
