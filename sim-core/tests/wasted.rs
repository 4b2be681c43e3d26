//! Wasted messages and retry energy of a storm (docs/protocols/overload.md,
//! "Wasted messages and retry energy"): every transmission is attributed,
//! device energy splits exactly, and only failed attempts count as wasted.

mod eps_storm;

use authsim_sim::report::RunResult;
use authsim_sim::wasted::Wasted;

/// `devices` within 2 s at an MME of about 250 attaches/s (1 ms per message).
fn storm(devices: u32, extra: &str) -> RunResult {
    eps_storm::storm("wasted-test", 3, devices, extra, "storm = true")
}

const CONGESTION: &str = "[protocol.congestion]\nmax_wait_s = 1.0\nt3346_min_s = 20.0\nt3346_max_s = 60.0\n[protocol.retry]\n";

fn wasted(r: &RunResult) -> &Wasted {
    r.wasted.as_ref().expect("storm runs attribute")
}

/// Every transmission of messages.csv is in exactly one attempt (or none),
/// and the devices' energy splits into failed and successful attempts.
fn check_accounting(r: &RunResult) {
    let w = wasted(r);
    let totals = r.interface_totals();
    assert_eq!(
        w.by_interface.keys().collect::<Vec<_>>(),
        totals.keys().collect::<Vec<_>>()
    );
    for (i, c) in &totals {
        let s = w.by_interface[i];
        assert_eq!(s.all.messages, c.transmissions, "{i}");
        assert_eq!(s.all.octets, c.bytes, "{i}");
        assert!(s.wasted.messages + s.unattributed.messages <= s.all.messages);
    }
    let devices: f64 = r
        .nodes
        .iter()
        .filter(|n| n.name == "ue")
        .map(|n| n.energy_total_j())
        .sum();
    let split = w.retry_energy_j + w.success_energy_j;
    assert!(
        (split - devices).abs() <= 1e-9 * devices,
        "{split} vs {devices}"
    );
}

#[test]
fn a_storm_within_capacity_wastes_nothing() {
    let r = storm(200, "");
    check_accounting(&r);
    let w = wasted(&r);
    assert_eq!(w.attempts, 200);
    assert_eq!(w.successful_attempts, 200);
    assert_eq!(w.totals().1.messages, 0);
    assert_eq!(w.retry_energy_j, 0.0);
    assert!(w.success_energy_j > 0.0);
}

#[test]
fn an_uncontrolled_collapse_wastes_most_messages_on_every_interface() {
    let r = storm(6000, "");
    check_accounting(&r);
    let w = wasted(&r);
    let (all, wasted) = w.totals();
    assert!(w.attempts > 6000, "retries open attempts: {}", w.attempts);
    assert!(wasted.messages * 2 > all.messages, "{wasted:?} of {all:?}");
    // The HSS's answers follow the MME's requests to their attempt.
    for (i, s) in &w.by_interface {
        assert!(s.wasted.messages > 0, "{i}");
        assert_eq!(s.unattributed.messages, 0, "{i}");
    }
    assert!(w.retry_energy_j > w.success_energy_j);
}

#[test]
fn congestion_rejects_are_failed_attempts() {
    let r = storm(3000, CONGESTION);
    check_accounting(&r);
    let w = wasted(&r);
    let rejects: u64 = r
        .messages
        .iter()
        .filter(|m| m.kind == "AttachReject")
        .map(|m| m.counters.transmissions)
        .sum();
    assert!(rejects > 0);
    // Each reject ends an attempt (its request and the reject are wasted);
    // every device authenticates once, on its last attempt.
    assert_eq!(w.successful_attempts, 3000);
    assert!(w.attempts >= 3000 + rejects);
    assert!(w.totals().1.messages >= 2 * rejects);
    assert!(w.retry_energy_j > 0.0);
}
