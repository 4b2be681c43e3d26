//! MME overload control through the RAN in whole runs
//! (docs/protocols/overload.md): an eNB node answers the UEs' RRC connection
//! requests; with `[protocol.overload]` the MME sends OVERLOAD START/STOP and
//! the eNB rejects delay-tolerant requests with an extended wait time.
//! Each test runs the same storm with the mechanism switched off.

mod enb_storm;

use enb_storm::{STORM, authenticated_by_mme, sent, storm};
use std::path::Path;

use authsim_sim::runner::{RunOptions, run};
use authsim_sim::scenario::Scenario;

/// The MME's capacity: 1 / (4 messages x 1 ms).
const CAPACITY_PER_S: f64 = 250.0;

const OVERLOAD: &str = "[protocol.overload]\nstart_wait_s = 1.0\nstop_wait_s = 0.5\ncheck_interval_s = 0.5\nextended_wait_min_s = 5\nextended_wait_max_s = 600\nreturn_rate_per_s = 240.0\n";

#[test]
fn overload_start_keeps_goodput_near_the_mme_capacity() {
    let off = storm("");
    let on = storm(OVERLOAD);
    // Through the eNB without overload control: every request is set up,
    // no S1 message is sent, the MME's queue passes T3460 and the storm
    // collapses (procedures fail, devices retry).
    assert_eq!(sent(&off, "RRCConnectionReject"), 0);
    assert_eq!(sent(&off, "OverloadStart"), 0);
    let (off_n, off_last) = authenticated_by_mme(&off);
    let off_goodput = off_n as f64 / off_last;
    // With it: OVERLOAD START and STOP reach the eNB, which rejects with
    // extended wait times; every device authenticates with one challenge,
    // at >= 90 % of the MME's capacity until the storm drains.
    assert!(sent(&on, "OverloadStart") >= 1);
    assert_eq!(sent(&on, "OverloadStart"), sent(&on, "OverloadStop"));
    assert!(sent(&on, "RRCConnectionReject") > 1000);
    assert_eq!(
        sent(&on, "RRCConnectionRequest"),
        sent(&on, "RRCConnectionReject") + sent(&on, "RRCConnectionSetup")
    );
    let (on_n, on_last) = authenticated_by_mme(&on);
    assert_eq!(on_n, 6000);
    assert_eq!(sent(&on, "AuthenticationRequest"), 6000);
    let on_goodput = on_n as f64 / on_last;
    assert!(
        on_goodput >= 0.9 * CAPACITY_PER_S,
        "goodput {on_goodput:.0}/s with overload start"
    );
    assert!(
        on_goodput > off_goodput,
        "{on_goodput:.0}/s vs {off_goodput:.0}/s without"
    );
    assert!(on.auth.iter().all(|a| a.outcome != "failed"));
}

#[test]
fn the_ran_node_alone_changes_no_verdict() {
    // 300 devices within 2 s: no overload; the eNB sets every request up.
    let small = STORM.replace("devices = 6000", "devices = 300");
    let scn = Scenario::parse(&small, Path::new("ran.toml"), &[]).unwrap();
    let r = run(&scn, 5, &RunOptions::default()).unwrap().0;
    assert_eq!(sent(&r, "RRCConnectionRequest"), 300);
    assert_eq!(sent(&r, "RRCConnectionSetup"), 300);
    assert_eq!(authenticated_by_mme(&r).0, 300);
    assert!(r.nodes.iter().all(|n| n.ignored_inputs() == 0));
}

#[test]
fn bad_ran_parameters_name_their_field() {
    for (table, field) in [
        ("[protocol.ran]\nt300_ms = 50.0\n", "protocol.ran.t300_ms"),
        (
            "[protocol.overload]\nextended_wait_max_s = 1801\n",
            "protocol.overload.extended_wait_max_s",
        ),
        (
            "[protocol.overload]\naction = \"reject_all\"\n",
            "protocol.overload.action",
        ),
        (
            "[protocol.overload]\nstop_wait_s = 2.0\n",
            "protocol.overload.stop_wait_s",
        ),
    ] {
        let text = if table.starts_with("[protocol.ran]") {
            STORM.replace("[protocol.ran]\n", table)
        } else {
            STORM.replace("[population]", &format!("{table}\n[population]"))
        };
        let err = Scenario::parse(&text, Path::new("ran.toml"), &[])
            .unwrap_err()
            .to_string();
        assert!(err.contains(field), "{field}: {err}");
    }
    // Overload control needs an eNB.
    let text = STORM
        .replace("[protocol.ran]\n", "")
        .replace("[nodes.enb]\nprofile = \"enb\"\n", "")
        .replace(
            "[[links]]\nbetween = [\"ue\", \"enb\"]\nlatency = { dist = \"fixed\", ms = 5.0 }\n",
            "",
        )
        .replace(
            "[[links]]\nbetween = [\"enb\", \"mme\"]\nlatency = { dist = \"fixed\", ms = 2.0 }\n",
            "",
        )
        .replace("[population]", &format!("{OVERLOAD}\n[population]"));
    let err = Scenario::parse(&text, Path::new("ran.toml"), &[])
        .unwrap_err()
        .to_string();
    assert!(err.contains("protocol.overload"), "{err}");
}
