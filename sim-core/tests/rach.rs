//! The random access model in whole runs (docs/protocols/overload.md,
//! "Random access"): the storm of ran_overload.rs through the eNB with and
//! without `[protocol.ran.rach]`. Fails if the model is switched off.

mod enb_storm;

use enb_storm::{STORM, authenticated_by_mme, sent, storm};
use std::path::Path;

use authsim_sim::scenario::Scenario;

const RACH: &str = "[protocol.ran.rach]\n";

#[test]
fn the_rach_delays_and_collides_a_storm_and_every_access_is_accounted_for() {
    let off = storm("");
    let on = storm(RACH);
    assert!(off.rach.is_none(), "no model without the table");
    assert!(off.summary_json().get("rach").is_none());
    let r = on.rach.as_ref().expect("the eNB kept random access counts");
    // 6 000 devices within 2 s: about 15 per 5 ms opportunity on 54
    // preambles, so preambles collide and accesses take time.
    assert!(r.collided_raos > 100, "{r:?}");
    assert!(r.collision_probability() > 0.0);
    assert!(r.mean_delay_s() >= 0.015, "at least 15 subframes: {r:?}");
    assert!(r.mean_preamble_tx() > 1.0);
    // Every connection request entered the random access, and every one
    // that ended either succeeded (and was answered) or failed (counted at
    // the eNB, no answer: T300 runs out at the device).
    let requests = sent(&on, "RRCConnectionRequest");
    let answered = sent(&on, "RRCConnectionSetup") + sent(&on, "RRCConnectionReject");
    assert_eq!(answered, r.successes, "one answer per success");
    assert!(r.successes + r.failures <= requests);
    let counted = on
        .nodes
        .iter()
        .find(|n| n.name == "enb")
        .and_then(|n| n.counted.get("rach_access_failure").copied())
        .unwrap_or(0);
    assert_eq!(counted, r.failures, "each access failure counted");
    assert_eq!(
        r.tx_histogram.iter().sum::<u64>(),
        r.successes,
        "preamble transmissions of each success"
    );
    assert!(on.summary_json()["rach"]["collision_probability"].is_number());
    // Only devices whose random access succeeded reach the MME.
    let (authenticated, _) = authenticated_by_mme(&on);
    assert!(authenticated > 0 && authenticated as u64 <= r.successes);
    // The same scenario and seed give the same counts.
    assert_eq!(storm(RACH).rach.as_ref(), Some(r));
}

#[test]
fn a_light_load_sees_the_model_but_hardly_a_collision() {
    let small = STORM
        .replace("devices = 6000", "devices = 200")
        .replace("[population]", "[protocol.ran.rach]\n[population]");
    let scn = Scenario::parse(&small, Path::new("rach.toml"), &[]).unwrap();
    let r = authsim_sim::runner::run(&scn, 5, &Default::default())
        .unwrap()
        .0;
    let s = r.rach.expect("modelled");
    assert_eq!(s.failures, 0);
    assert!(s.access_success_probability() == 1.0);
    assert!(s.collision_probability() < 0.01, "{s:?}");
    assert_eq!(s.successes, 200);
}

#[test]
fn bad_rach_parameters_name_their_field() {
    for (line, field) in [
        ("preambles = -5", "protocol.ran.rach.preambles"),
        ("harq_error = -0.1", "protocol.ran.rach.harq_error"),
        ("max_preamble_tx = 0", "protocol.ran.rach.max_preamble_tx"),
        (
            "contention_resolution_ms = 100",
            "protocol.ran.rach.contention_resolution_ms",
        ),
    ] {
        let text = STORM.replace(
            "[population]",
            &format!("[protocol.ran.rach]\n{line}\n[population]"),
        );
        let err = Scenario::parse(&text, Path::new("rach.toml"), &[])
            .unwrap_err()
            .to_string();
        assert!(err.contains(field), "{line}: {err}");
    }
}
