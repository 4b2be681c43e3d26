//! Malicious insiders in the threshold GAS (`wrong_share_nodes`): registered
//! meter nodes holding a wrong share answer the smart meter's challenge with
//! wrong tokens. Sensors 2018 §3.4 claims their identification and exclusion;
//! the run measures it: each is named (`rejected.wrong_share` at the smart
//! meter), none is authenticated, the honest ones still are — or, with fewer
//! than t honest ones left, nobody is.

use std::path::Path;

use authsim_protocols::core::Addr;
use authsim_sim::report::RunResult;
use authsim_sim::runner::{RunOptions, run};
use authsim_sim::scenario::Scenario;

const N: u32 = 10;
const GROUPS: u32 = 10;

fn simulate(wrong: u32, threshold: u32) -> RunResult {
    let text = format!(
        r#"
name = "insiders"
[run]
seed = 3
[protocol]
name = "threshold-gas"
group_size = {N}
threshold = {threshold}
wrong_share_nodes = {wrong}
[population]
devices = {}
arrivals = {{ pattern = "uniform", window_s = 5.0 }}
[nodes.meter]
profile = "constrained-device"
[nodes.smart_meter]
profile = "server"
[[links]]
between = ["meter", "smart_meter"]
latency = {{ dist = "fixed", ms = 10.0 }}
"#,
        N * GROUPS
    );
    let scn =
        Scenario::parse(&text, Path::new("insiders.toml"), &[]).unwrap_or_else(|e| panic!("{e}"));
    run(&scn, 3, &RunOptions::default()).unwrap().0
}

/// Meter node i of group g (endpoint g·n + i of node 0).
fn insider(a: Addr, wrong: u32) -> bool {
    a.node == 0 && a.index % N < wrong
}

/// The smart meters' verdicts on meter nodes: (outcome, reason, insider?) → count.
fn verdicts(r: &RunResult, wrong: u32) -> std::collections::BTreeMap<(String, String, bool), u64> {
    let mut m = std::collections::BTreeMap::new();
    for a in r
        .auth
        .iter()
        .filter(|a| &*a.reporter_node == "smart_meter" && a.subject.node == 0)
    {
        *m.entry((
            a.outcome.to_string(),
            a.reason.to_string(),
            insider(a.subject, wrong),
        ))
        .or_default() += 1;
    }
    m
}

#[test]
fn wrong_shares_are_identified_and_excluded_and_honest_nodes_authenticate() {
    let wrong = 2;
    let v = verdicts(&simulate(wrong, 5), wrong);
    let count =
        |o: &str, r: &str, ins: bool| v.get(&(o.into(), r.into(), ins)).copied().unwrap_or(0);
    // Every insider identified by name, none authenticated.
    assert_eq!(
        count("rejected", "wrong_share", true),
        (wrong * GROUPS) as u64,
        "{v:?}"
    );
    assert!(
        !v.keys().any(|(o, _, ins)| *ins && o == "authenticated"),
        "{v:?}"
    );
    // Every honest node authenticated, none accused.
    let honest: u64 = v
        .iter()
        .filter(|((o, _, ins), _)| !*ins && o == "authenticated")
        .map(|(_, n)| n)
        .sum();
    assert_eq!(honest, ((N - wrong) * GROUPS) as u64, "{v:?}");
    assert_eq!(count("rejected", "wrong_share", false), 0, "{v:?}");
    // Without insiders nobody is accused (no false alarm).
    let clean = verdicts(&simulate(0, 5), 0);
    assert!(
        !clean.keys().any(|(o, _, _)| o != "authenticated"),
        "{clean:?}"
    );
}

#[test]
fn with_fewer_than_t_honest_nodes_nobody_is_authenticated() {
    let wrong = 6; // 4 honest of 10, t = 5
    let v = verdicts(&simulate(wrong, 5), wrong);
    assert!(!v.keys().any(|(o, _, _)| o == "authenticated"), "{v:?}");
    assert!(
        v.keys()
            .any(|(o, r, _)| o == "rejected" && r == "wrong_share"),
        "{v:?}"
    );
}
