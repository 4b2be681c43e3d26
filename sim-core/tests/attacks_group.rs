//! `[[attacks]]` against group AKA for MTC (Lai 2012 §3.1,
//! docs/protocols/group-aka.md): each class stopped by its named check, with
//! no false acceptance and no false alarm, but for the compromised member,
//! whose success is the scheme's documented insider break.

use std::path::Path;

use authsim_sim::attacks::{AttackRow, measure_scenario};
use authsim_sim::report::RunResult;
use authsim_sim::runner::{RunOptions, run};
use authsim_sim::scenario::Scenario;

const SEED: u64 = 7;
const DEVICES: u32 = 40;

/// A loss-free group AKA network: `DEVICES` devices in groups of 10,
/// starting within 2 s, and the `attacks` lines.
fn scenario(attacks: &str) -> String {
    format!(
        r#"
name = "attack-group-test"
[run]
seed = {SEED}
[protocol]
name = "group-aka"
group_size = 10
[population]
devices = {DEVICES}
arrivals = {{ pattern = "uniform", window_s = 2.0 }}
[nodes.ue]
profile = "constrained-device"
[nodes.mme]
profile = "server"
[nodes.hss]
profile = "server"
[[links]]
between = ["ue", "mme"]
latency = {{ dist = "fixed", ms = 10.0 }}
[[links]]
between = ["mme", "hss"]
latency = {{ dist = "fixed", ms = 5.0 }}
{attacks}
"#
    )
}

fn parse(text: &str) -> Result<Scenario, String> {
    Scenario::parse(text, Path::new("attack-group-test.toml"), &[]).map_err(|e| e.to_string())
}

/// An injecting entry at `rate` per second from 0 to 2.5 s, 100 sources.
fn injecting(class: &str, target: &str, rate: f64) -> String {
    format!(
        "[[attacks]]\nclass = \"{class}\"\ntarget = \"{target}\"\nstart_s = 0.0\nstop_s = 2.5\nrate_per_s = {rate}\nsources = 100\n"
    )
}

/// A man-in-the-middle entry on devices 0..20, active over the whole run.
fn in_path(class: &str, extra: &str) -> String {
    format!(
        "[[attacks]]\nclass = \"{class}\"\ntarget = \"ue\"\nstart_s = 0.0\nstop_s = 100.0\nsources = 20\n{extra}\n"
    )
}

/// A replay of `pdu` from devices 0..20's sessions, 20 re-sends a second each.
fn replay(pdu: &str) -> String {
    in_path("replay", &format!("pdu = \"{pdu}\"\nrate_per_s = 20.0"))
}

/// The attack row, and both runs.
fn measured(entry: &str) -> (AttackRow, RunResult, RunResult) {
    let with = parse(&scenario(entry)).unwrap();
    let without = parse(&scenario("")).unwrap();
    let opts = RunOptions::default();
    let (a, _) = run(&with, SEED, &opts).unwrap();
    let (b, _) = run(&without, SEED, &opts).unwrap();
    (measure_scenario(&a, &b, &with.attacks), a, b)
}

fn has(r: &AttackRow, detection: &str) -> bool {
    r.detections.split(';').any(|d| d.starts_with(detection))
}

/// The count of one `node:outcome:reason` in the detections column (0 if absent).
fn count(r: &AttackRow, key: &str) -> u64 {
    r.detections
        .split(';')
        .find_map(|d| d.strip_prefix(key)?.strip_prefix('=')?.parse().ok())
        .unwrap_or(0)
}

/// Sum over the device node of a per-node figure, attack run minus baseline.
fn device_extra(a: &RunResult, b: &RunResult, f: fn(&authsim_sim::report::NodeRow) -> f64) -> f64 {
    f(&a.nodes[0]) - f(&b.nodes[0])
}

/// A fake MME's forged group challenges: a member that is attaching derives
/// GAK and its group MILENAGE key and runs MILENAGE before MAC_i fails
/// (`attack_detected.network_mac_failure`); a member not attaching ignores
/// the challenge. Every forged challenge is one or the other. Refusing one
/// (AUTHENTICATION FAILURE #20) makes the MME end the member's genuine
/// procedure: a denial of service measured as lost honest goodput, never an
/// acceptance.
#[test]
fn forged_group_challenges_cost_attaching_members_work_and_fail_mac_i() {
    let (r, a, b) = measured(&injecting("group_challenge_flood", "ue", 2000.0));
    assert_eq!(r.injected, 5000, "{r:?}");
    assert_eq!((r.false_acceptances, r.false_alarms), (0, 0), "{r:?}");
    let refused = count(&r, "ue:attack_detected:network_mac_failure");
    let ignored = count(&r, "ue:ignored:GroupAuthenticationRequest");
    assert!(refused > 0 && ignored > 0, "{r:?}");
    assert_eq!(
        refused + ignored,
        r.injected,
        "each forged challenge checked or ignored: {r:?}"
    );
    let crypto = device_extra(&a, &b, |n| n.crypto.0.iter().sum::<u64>() as f64);
    assert!(crypto > 0.0, "the members' work: {crypto} {r:?}");
    assert!(device_extra(&a, &b, |n| n.energy_total_j()) > 0.0);
    assert!(has(&r, "mme:rejected:ue_reported_mac_failure"), "{r:?}");
    assert!(
        r.honest_authenticated < r.honest_authenticated_baseline,
        "{r:?}"
    );
}

/// A subscriber announcing a group it is not a member of: the MME's member
/// list (or, without group material yet, the HSS's 5901) refuses it.
#[test]
fn a_non_member_is_refused_by_the_member_list() {
    let (r, _, _) = measured(&injecting("non_member", "mme", 100.0));
    assert_eq!(r.injected, 250, "{r:?}");
    assert_eq!((r.false_acceptances, r.false_alarms), (0, 0), "{r:?}");
    assert_eq!(
        count(&r, "mme:rejected:not_group_member"),
        r.injected,
        "{r:?}"
    );
    assert_eq!(r.extra_crypto_ops, 0, "refused before any crypto: {r:?}");
    assert_eq!(r.honest_authenticated, r.honest_authenticated_baseline);
}

/// A revoked device (or any device without GK) attaching under a member's
/// IMSI and group gets the genuine group challenge and cannot compute RES_i:
/// the MME's RES check refuses it.
#[test]
fn a_device_without_the_group_key_fails_the_res_check() {
    let (r, _, _) = measured(&injecting("impersonation", "mme", 100.0));
    assert_eq!(r.injected, 250, "{r:?}");
    assert_eq!((r.false_acceptances, r.false_alarms), (0, 0), "{r:?}");
    assert_eq!(count(&r, "mme:rejected:res_mismatch"), r.injected, "{r:?}");
}

/// The scheme's documented insider break (docs/protocols/group-aka.md,
/// "A compromised member"): with its group's GK an insider answers the group
/// challenge addressed to any other member of its group, and the MME
/// authenticates it under that member's identity. Only the leader path
/// (EPS-AKA with the member's own K) stops it. The test demonstrates the
/// break: it fails if the scheme ever starts refusing the insider.
#[test]
fn a_compromised_member_impersonates_the_other_members_of_its_group() {
    let (r, _, _) = measured(&injecting("compromised_member", "mme", 100.0));
    assert_eq!(r.injected, 250, "{r:?}");
    assert_eq!(r.false_alarms, 0, "{r:?}");
    let leader_path = count(&r, "adversary0:attack_detected:network_mac_failure");
    assert!(r.false_acceptances > 200, "the break: {r:?}");
    assert_eq!(r.false_acceptances + leader_path, r.injected, "{r:?}");
    // The MME's verdicts were given on the insider's own PDUs, so they carry
    // the reason `adversary_input`, not `relayed` (docs/threats.md).
    assert_eq!(r.relayed, 0, "{r:?}");
    assert_eq!(
        r.honest_authenticated, r.honest_authenticated_baseline,
        "{r:?}"
    );
}

/// One bit of RAND_G, RAND_i or MAC_i altered in a member's group challenge:
/// the member's MAC_i check refuses it (RAND_G gives another GAK, RAND_i
/// another MILENAGE output). A member that leads its group gets a plain
/// EPS-AKA challenge, which has no RAND_G: it goes through (relayed).
#[test]
fn an_altered_group_challenge_fails_mac_i_and_altered_answers_fail_the_mme() {
    for (field, check) in [
        ("rand_g", "ue:attack_detected:network_mac_failure"),
        ("rand", "ue:attack_detected:network_mac_failure"),
        ("autn", "ue:attack_detected:network_mac_failure"),
        ("res", "mme:rejected:res_mismatch"),
        ("mac", "ue:attack_detected:smc_integrity_failure"),
    ] {
        let (r, _, _) = measured(&in_path("modification", &format!("field = \"{field}\"")));
        let what = format!("{field}: {r:?}");
        assert_eq!((r.false_acceptances, r.false_alarms), (0, 0), "{what}");
        assert!(count(&r, check) > 0, "{what}");
        if field != "mac" {
            assert_eq!(count(&r, check) + r.relayed, 20, "every victim: {what}");
        }
    }
}

/// A recorded group challenge re-sent to another member is refused by that
/// member's MAC_i check (K_i,G is bound to the IMSI) or ignored by a member
/// not attaching; a replayed AUTHENTICATION RESPONSE or SECURITY MODE
/// COMPLETE meets a finished procedure at the MME and is ignored, counted.
#[test]
fn replayed_group_challenges_and_answers_are_refused_or_ignored() {
    for (pdu, check) in [
        (
            "authentication_request",
            "ue:ignored:GroupAuthenticationRequest",
        ),
        (
            "authentication_response",
            "mme:ignored:AuthenticationResponse",
        ),
        ("security_mode_complete", "mme:ignored:SecurityProtected"),
    ] {
        let (r, _, _) = measured(&replay(pdu));
        let what = format!("{pdu}: {r:?}");
        assert_eq!((r.false_acceptances, r.false_alarms), (0, 0), "{what}");
        assert!(r.injected > 1000, "{what}");
        assert!(has(&r, check), "{what}");
    }
}

/// The group classes and RAND_G belong to group AKA: elsewhere the entry is
/// refused, naming the field.
#[test]
fn group_classes_are_refused_for_other_protocols() {
    let eps = |attack: &str| {
        scenario(attack).replace(
            "name = \"group-aka\"\ngroup_size = 10",
            "name = \"eps-aka\"",
        )
    };
    let e = parse(&eps(&injecting("group_challenge_flood", "ue", 10.0))).unwrap_err();
    assert!(
        e.contains("attacks[0].class") && e.contains("group AKA only"),
        "{e}"
    );
    let e = parse(&eps(&in_path("modification", "field = \"rand_g\""))).unwrap_err();
    assert!(
        e.contains("attacks[0].field") && e.contains("rand_g"),
        "{e}"
    );
}
