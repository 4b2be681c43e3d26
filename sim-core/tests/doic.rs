//! Diameter overload control (RFC 7683) in whole runs: an access storm whose
//! bottleneck is the HSS, with DOIC switched on and off
//! (docs/protocols/overload.md, "DOIC").

use std::path::Path;

use authsim_sim::report::RunResult;
use authsim_sim::runner::{RunOptions, run};
use authsim_sim::scenario::Scenario;

/// 8 000 devices within 2 s; a fast MME (80 us per message) in front of an
/// HSS of 3 ms per request (about 330 AIRs/s): twelve times its capacity.
const STORM: &str = r#"
name = "doic-test"
[run]
seed = 9
[protocol]
name = "eps-aka"
[protocol.retry]
[population]
devices = 8000
arrivals = { pattern = "uniform", window_s = 2.0 }
[nodes.ue]
profile = "constrained-device"
[nodes.mme]
profile = "fast-mme"
servers = 1
[nodes.hss]
profile = "slow-hss"
servers = 1
[profiles.fast-mme]
base = "server"
per_input_us = 80.0
[profiles.slow-hss]
base = "server"
per_input_us = 3000.0
[[links]]
between = ["ue", "mme"]
latency = { dist = "fixed", ms = 10.0 }
[[links]]
between = ["mme", "hss"]
latency = { dist = "fixed", ms = 5.0 }
[outputs]
plots = false
"#;

const DOIC: &str = "[protocol.doic]\nenter_wait_s = 1.0\nexit_wait_s = 0.1\nreduction_percentage = 10\nadaptive = true\n";
const T3346: &str =
    "[protocol.congestion]\nmax_wait_s = 1.0\nt3346_min_s = 5.0\nt3346_max_s = 60.0\n";

fn storm(extra: &str) -> RunResult {
    let text = STORM.replace("[population]", &format!("{extra}\n[population]"));
    let scn = Scenario::parse(&text, Path::new("doic.toml"), &[]).unwrap();
    run(&scn, 9, &RunOptions::default()).unwrap().0
}

fn counters(r: &RunResult, kind: &str) -> (u64, u64) {
    r.messages
        .iter()
        .filter(|m| m.kind == kind)
        .fold((0, 0), |(t, b), m| {
            (t + m.counters.transmissions, b + m.counters.bytes)
        })
}

fn verdicts(r: &RunResult, outcome: &str, reason: &str) -> usize {
    r.auth
        .iter()
        .filter(|a| &*a.reporter_node == "mme" && a.outcome == outcome && a.reason == reason)
        .count()
}

#[test]
fn doic_keeps_an_overloaded_hss_answering_in_time() {
    let off = storm("");
    let on = storm(&format!("{DOIC}{T3346}"));
    // Without DOIC the HSS's queue passes the MME's Diameter Tx: AIRs are
    // retransmitted and attaches rejected for S6a time-outs, many of them.
    let timeouts_off = verdicts(&off, "rejected", "s6a_timeout");
    assert!(timeouts_off > 8000, "{timeouts_off}");
    // With it the MME sheds the reported share and every device gets in.
    assert_eq!(verdicts(&on, "authenticated", ""), 8000);
    let timeouts_on = verdicts(&on, "rejected", "s6a_timeout");
    assert!(
        timeouts_on * 4 < timeouts_off,
        "{timeouts_on} vs {timeouts_off}"
    );
    let (airs_off, _) = counters(&off, "AIR");
    let (airs_on, _) = counters(&on, "AIR");
    assert!(airs_on * 2 < airs_off, "{airs_on} AIRs vs {airs_off}");
    // And the storm is over sooner (131 s against 846 s with seed 9).
    assert!(on.end_time * 3 < off.end_time);
    // Throttled attaches were answered with cause #22 and T3346 (no verdict).
    assert!(counters(&on, "AttachReject").0 > 0);
    assert_eq!(verdicts(&on, "rejected", "diameter_overload"), 0);
}

#[test]
fn without_t3346_a_throttled_attach_is_rejected_with_a_verdict() {
    let on = storm(DOIC);
    assert!(verdicts(&on, "rejected", "diameter_overload") > 0);
}

#[test]
fn the_doic_avps_are_counted_in_the_bytes() {
    // Same run without overload (40 devices): every AIR grows by the 24
    // octets of OC-Supported-Features, every AIA by the same 24 (no report
    // while the HSS keeps up).
    let small = |extra: &str| {
        let text = STORM
            .replace("devices = 8000", "devices = 40")
            .replace("[population]", &format!("{extra}\n[population]"));
        let scn = Scenario::parse(&text, Path::new("doic.toml"), &[]).unwrap();
        run(&scn, 9, &RunOptions::default()).unwrap().0
    };
    let (off, on) = (small(""), small(DOIC));
    for kind in ["AIR", "AIA"] {
        let ((n_off, b_off), (n_on, b_on)) = (counters(&off, kind), counters(&on, kind));
        assert_eq!(n_off, 40);
        assert_eq!(n_on, 40);
        assert_eq!(b_on - b_off, 24 * 40, "{kind}");
    }
}

#[test]
fn bad_doic_parameters_name_their_field() {
    for (table, field) in [
        (
            "[protocol.doic]\nreduction_percentage = 0\n",
            "protocol.doic.reduction_percentage",
        ),
        (
            "[protocol.doic]\nreduction_percentage = 101\n",
            "protocol.doic.reduction_percentage",
        ),
        (
            "[protocol.doic]\nexit_wait_s = 2.0\n",
            "protocol.doic.exit_wait_s",
        ),
        (
            "[protocol.doic]\nenter_wait_s = 0.0\n",
            "protocol.doic.enter_wait_s",
        ),
        (
            "[protocol.doic]\nvalidity_s = 86401\n",
            "protocol.doic.validity_s",
        ),
        ("[protocol.doic]\nsurprise = 1\n", "surprise"),
    ] {
        let text = STORM.replace("[population]", &format!("{table}\n[population]"));
        let err = Scenario::parse(&text, Path::new("doic.toml"), &[])
            .unwrap_err()
            .to_string();
        assert!(err.contains(field), "{field}: {err}");
    }
}
