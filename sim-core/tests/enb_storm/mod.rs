//! The eNB storm of the RAN-side overload tests (ran_overload.rs,
//! barring.rs; each says `mod enb_storm;`): one scenario text, so the files
//! differ only in the mechanism they switch on.

use std::path::Path;

use authsim_sim::report::RunResult;
use authsim_sim::runner::{RunOptions, run};
use authsim_sim::scenario::Scenario;

/// 6 000 devices within 2 s at an MME of 250 attaches/s (1 ms per
/// message, four messages per attach): 12x its capacity.
pub const STORM: &str = r#"
name = "enb-storm-test"
[run]
seed = 5
[protocol]
name = "eps-aka"
[protocol.ran]
[protocol.retry]
[population]
devices = 6000
arrivals = { pattern = "uniform", window_s = 2.0 }
[nodes.ue]
profile = "constrained-device"
[nodes.enb]
profile = "enb"
[nodes.mme]
profile = "slow-mme"
servers = 1
[nodes.hss]
profile = "server"
[profiles.slow-mme]
base = "server"
per_input_us = 1000.0
[profiles.enb]
base = "server"
per_input_us = 50.0
[[links]]
between = ["ue", "mme"]
latency = { dist = "fixed", ms = 10.0 }
[[links]]
between = ["mme", "hss"]
latency = { dist = "fixed", ms = 5.0 }
[[links]]
between = ["ue", "enb"]
latency = { dist = "fixed", ms = 5.0 }
[[links]]
between = ["enb", "mme"]
latency = { dist = "fixed", ms = 2.0 }
[outputs]
plots = false
"#;

/// The storm with `extra` tables (e.g. `[protocol.overload]`) added.
pub fn storm(extra: &str) -> RunResult {
    let text = STORM.replace("[population]", &format!("{extra}\n[population]"));
    let scn = Scenario::parse(&text, Path::new("enb-storm.toml"), &[]).unwrap();
    run(&scn, 5, &RunOptions::default()).unwrap().0
}

/// Transmissions of the message `kind` over the whole run.
pub fn sent(r: &RunResult, kind: &str) -> u64 {
    r.messages
        .iter()
        .filter(|m| m.kind == kind)
        .map(|m| m.counters.transmissions)
        .sum()
}

/// Devices the MME authenticated, and the time of the last such verdict (s).
pub fn authenticated_by_mme(r: &RunResult) -> (usize, f64) {
    let mut s: Vec<_> = r
        .auth
        .iter()
        .filter(|a| &*a.reporter_node == "mme" && a.outcome == "authenticated")
        .map(|a| (a.subject, a.time))
        .collect();
    let last = s.iter().map(|&(_, t)| t).max().unwrap_or(0) as f64 / 1e9;
    s.sort_unstable();
    s.dedup_by_key(|&mut (d, _)| d);
    (s.len(), last)
}
