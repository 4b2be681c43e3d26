//! Overload control in whole runs (docs/protocols/overload.md): each
//! mechanism against the same storm with it switched off.

mod eps_storm;

use std::path::Path;

use authsim_sim::report::RunResult;
use authsim_sim::scenario::Scenario;

/// 6 000 devices within 2 s at an MME of about 250 attaches/s: 12x its
/// capacity, so queueing waits pass T3460 (6 s).
fn storm(extra: &str) -> RunResult {
    eps_storm::storm("overload-test", 5, 6000, extra, "")
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
        let text = eps_storm::text("overload-test", 5, 6000, table, "");
        let err = Scenario::parse(&text, Path::new("overload.toml"), &[])
            .unwrap_err()
            .to_string();
        assert!(err.contains(field), "{field}: {err}");
    }
}
