//! What the engine holds during a collapse grows with what is in flight,
//! not with everything that happened: counted by the engine's own report
//! (pending inputs and timer entries at their peak), not by timing.

#[allow(dead_code)] // `storm` returns no `Perf`; this file uses `text`.
mod eps_storm;

use std::path::Path;

use authsim_sim::runner::{Perf, RunOptions, run};
use authsim_sim::scenario::Scenario;

fn collapse(devices: u32) -> Perf {
    let text = eps_storm::text("storm-memory", 3, devices, "", "");
    let scn = Scenario::parse(&text, Path::new("storm-memory.toml"), &[]).unwrap();
    run(&scn, 3, &RunOptions::default()).unwrap().1
}

/// 6 000 devices in 2 s at an MME of 250 attaches/s: the queue passes
/// T3410 and retransmissions feed it (about 20 inputs per device). Each
/// device has at most three live timers (its T3410, the MME's T3460 and
/// Diameter Tx for it), and the timer queue keeps at most two entries per
/// live timer plus a fixed slack per node; a delivery or a start is pending
/// at most once. (The collapse itself is not linear in the devices: twice
/// the devices make three times the inputs, so the peaks are bounded by
/// what is in flight, not compared across sizes.)
#[test]
fn a_collapse_holds_what_is_in_flight() {
    let devices = 6_000u64;
    let p = collapse(devices as u32);
    assert!(
        p.inputs > 15 * devices,
        "not a collapse ({} inputs)",
        p.inputs
    );
    assert!(
        p.peak_timer_entries <= 2 * 3 * devices + 3 * 4_097,
        "{} timer entries",
        p.peak_timer_entries
    );
    assert!(
        p.peak_pending <= p.deliveries + devices + 3,
        "{} pending",
        p.peak_pending
    );
    assert!(p.peak_pending > 1_000 && p.peak_timer_entries > devices);
}
