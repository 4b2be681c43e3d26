//! Access barring in whole runs (docs/protocols/overload.md, "Access
//! barring"): the eNB broadcasts SIB2 / SIB14 once per period, the UEs
//! check it before each RRC connection request and count barred attempts.
//! Each test runs the same storm with the mechanism switched off.

mod enb_storm;

use authsim_sim::report::RunResult;
use enb_storm::{STORM, authenticated_by_mme, sent, storm};
use std::path::Path;

use authsim_sim::scenario::Scenario;

const OVERLOAD: &str =
    "[protocol.overload]\nstart_wait_s = 1.0\nstop_wait_s = 0.5\ncheck_interval_s = 0.5\n";

fn counted(r: &RunResult, what: &str) -> u64 {
    r.nodes
        .iter()
        .filter(|n| n.name == "ue")
        .filter_map(|n| n.counted.get(what))
        .sum()
}

/// SystemInformation messages: at most one SIB2 and one SIB14 per 640 ms
/// period of the run (plus the one at 0 s), never one per device.
fn assert_broadcast_per_period(r: &RunResult, kind: &str) {
    let n = sent(r, kind);
    let periods = (r.end_time as f64 / 0.64e9).ceil() as u64 + 1;
    assert!(n >= 1 && n <= periods, "{kind}: {n} for {periods} periods");
}

#[test]
fn static_acb_bars_and_counts_attempts_and_broadcasts_once_per_period() {
    let off = storm("");
    let on = storm("[protocol.barring]\nac_barring_factor = 30\nac_barring_time_s = 16\n");
    assert_eq!(sent(&off, "SystemInformation(SIB2)"), 0);
    assert!(off.nodes.iter().all(|n| n.counted.is_empty()));
    assert_broadcast_per_period(&on, "SystemInformation(SIB2)");
    let barred = counted(&on, "acb_barred_other_device");
    // p30: about 70 % of the first draws are barred, and many again after T305.
    assert!(barred > 4200, "{barred} barred attempts");
    assert_eq!(counted(&on, "eab_barred"), 0);
    // Barred attempts send nothing: the requests are the draws that passed.
    assert!(sent(&on, "RRCConnectionRequest") < sent(&off, "RRCConnectionRequest"));
    let (on_n, on_last) = authenticated_by_mme(&on);
    let (off_n, off_last) = authenticated_by_mme(&off);
    // ACB delays, it never refuses: every device gets in, later.
    assert_eq!((on_n, off_n), (6000, 6000));
    assert!(on_last > off_last, "{on_last} s vs {off_last} s");
    assert!(on.nodes.iter().all(|n| n.ignored_inputs() == 0));
}

#[test]
fn adaptive_acb_follows_the_mme_overload_and_bars_instead_of_rejecting() {
    let off = storm("");
    let on = storm(&format!(
        "{OVERLOAD}[protocol.barring]\nadaptive = true\nrrc_reject = false\nupdate_s = 1.28\n"
    ));
    assert!(sent(&on, "OverloadStart") >= 1);
    // Barring alone answers the overload: no RRC reject.
    assert_eq!(sent(&on, "RRCConnectionReject"), 0);
    assert!(counted(&on, "acb_barred_other_device") > 1000);
    assert_broadcast_per_period(&on, "SystemInformation(SIB2)");
    assert_eq!(authenticated_by_mme(&on).0, 6000);
    // In this 2 s burst the factor steps down too late to help goodput
    // (docs/protocols/overload.md): what it must do is bar, and let every
    // device in.
    assert_eq!(sent(&off, "SystemInformation(SIB2)"), 0);
}

#[test]
fn eab_bars_configured_devices_while_the_mme_is_overloaded() {
    let on = storm(&format!(
        "{OVERLOAD}[protocol.barring]\neab_percent = 100\neab_barred_classes = [0, 1, 2, 3, 4, 5, 6, 7]\nrrc_reject = false\n"
    ));
    assert!(sent(&on, "OverloadStart") >= 1);
    assert!(counted(&on, "eab_barred") > 1000);
    assert_eq!(counted(&on, "acb_barred_eab_device"), 0);
    assert_broadcast_per_period(&on, "SystemInformation(SIB14)");
    assert_eq!(sent(&on, "SystemInformation(SIB2)"), 0);
    // EAB for category b bars no device at home: nothing is counted.
    let home = storm(&format!(
        "{OVERLOAD}[protocol.barring]\neab_percent = 100\neab_category = \"b\"\neab_barred_classes = [0, 1, 2, 3, 4, 5, 6, 7]\nrrc_reject = false\n"
    ));
    assert_eq!(counted(&home, "eab_barred"), 0);
    assert_eq!(authenticated_by_mme(&on).0, 6000);
}

#[test]
fn bad_barring_parameters_name_their_field() {
    for (table, field) in [
        (
            "[protocol.barring]\nac_barring_factor = 35\n",
            "protocol.barring.ac_barring_factor",
        ),
        (
            "[protocol.barring]\nac_barring_factor = 50\nac_barring_time_s = 10\n",
            "protocol.barring.ac_barring_time_s",
        ),
        (
            "[protocol.barring]\nadaptive = true\n",
            "protocol.barring.adaptive",
        ),
        (
            "[protocol.barring]\neab_barred_classes = [3]\n",
            "protocol.barring.eab_barred_classes",
        ),
        ("[protocol.barring]\n", "protocol.barring"),
        (
            "[protocol.barring]\nac_barring_factor = 50\nperiod_ms = 10.0\n",
            "protocol.barring.period_ms",
        ),
    ] {
        let text = STORM.replace("[population]", &format!("{table}\n[population]"));
        let err = Scenario::parse(&text, Path::new("barring.toml"), &[])
            .unwrap_err()
            .to_string();
        assert!(err.contains(field), "{field}: {err}");
    }
}
