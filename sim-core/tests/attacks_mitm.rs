//! The man-in-the-middle classes of `[[attacks]]` (relay, modification,
//! replay, desync) against EPS-AKA and UMTS AKA: each is stopped by the
//! check it targets, counted per node and reason, with no false acceptance;
//! a relay succeeds and is reported as one.

mod three_nodes;

use authsim_sim::attacks::{AttackRow, measure_scenario};
use authsim_sim::runner::{RunOptions, run};
use authsim_sim::scenario::Scenario;

const EPS: [&str; 3] = ["ue", "mme", "hss"];
const UMTS: [&str; 3] = ["ms", "vlr", "hlr"];

fn scenario(protocol: &str, nodes: [&str; 3], attacks: &str) -> String {
    three_nodes::scenario("mitm-test", 5, 40, protocol, nodes, attacks)
}

fn parse(text: &str) -> Result<Scenario, String> {
    three_nodes::parse("mitm-test", text)
}

/// A man-in-the-middle entry on devices 0..20 of the device node, active
/// over the whole run, plus `extra` lines.
fn entry(class: &str, device: &str, extra: &str) -> String {
    format!(
        "[[attacks]]\nclass = \"{class}\"\ntarget = \"{device}\"\nstart_s = 0.0\nstop_s = 100.0\nsources = 20\n{extra}\n"
    )
}

/// The attack row, and the authenticated verdicts the relayed devices
/// themselves gave (the measure leaves them out of its count).
fn measured(protocol: &str, nodes: [&str; 3], class: &str, extra: &str) -> (AttackRow, usize) {
    let with = parse(&scenario(protocol, nodes, &entry(class, nodes[0], extra))).unwrap();
    let without = parse(&scenario(protocol, nodes, "")).unwrap();
    let opts = RunOptions::default();
    let (a, _) = run(&with, 5, &opts).unwrap();
    let (b, _) = run(&without, 5, &opts).unwrap();
    let victims_accepting = a
        .auth
        .iter()
        .filter(|r| r.outcome == "authenticated" && r.reporter.node == 0 && r.reporter.index < 20)
        .count();
    (measure_scenario(&a, &b, &with.attacks), victims_accepting)
}

fn has(r: &AttackRow, detection: &str) -> bool {
    r.detections.split(';').any(|d| d.starts_with(detection))
}

fn both() -> [(&'static str, [&'static str; 3]); 2] {
    [("eps-aka", EPS), ("umts-aka", UMTS)]
}

/// The victims' traffic goes through the relay: every one authenticates,
/// reported as relayed, nothing rejected; the adversary held every PDU.
#[test]
fn a_relay_with_delay_succeeds_and_is_reported_as_a_relay() {
    for (p, nodes) in both() {
        let (r, _) = measured(p, nodes, "relay", "delay_ms = 50.0");
        let what = format!("{p}: {r:?}");
        assert_eq!(r.relayed, 20, "{what}");
        assert_eq!(r.false_acceptances, 0, "{what}");
        assert_eq!(r.extra_rejections, 0, "{what}");
        assert_eq!(
            r.honest_authenticated + r.relayed,
            r.honest_authenticated_baseline,
            "{what}"
        );
        assert!(
            r.injected >= 4 * 20,
            "four or more PDUs per attach held: {what}"
        );
    }
}

/// RAND or AUTN altered: the USIM's MAC-A check; RES altered: the serving
/// node's RES check; the NAS MAC of the SMC altered: the UE's integrity
/// check and its SECURITY MODE REJECT. No victim is accepted.
#[test]
fn each_modified_field_is_caught_by_its_check() {
    for (p, nodes) in both() {
        let [dev, serving, _] = nodes;
        let mut cases = vec![
            (
                "rand",
                format!("{dev}:attack_detected:network_mac_failure=20"),
            ),
            (
                "autn",
                format!("{dev}:attack_detected:network_mac_failure=20"),
            ),
            ("res", format!("{serving}:rejected:res_mismatch=20")),
        ];
        if p == "eps-aka" {
            cases.push((
                "mac",
                format!("{dev}:attack_detected:smc_integrity_failure"),
            ));
        }
        for (field, check) in cases {
            let (r, accepting) =
                measured(p, nodes, "modification", &format!("field = \"{field}\""));
            let what = format!("{p} {field}: {r:?}");
            assert!(has(&r, &check), "{what}");
            assert_eq!(r.false_acceptances, 0, "{what}");
            assert_eq!(r.relayed, 0, "no victim is accepted by the network: {what}");
            if field != "res" {
                // (With RES altered the challenge was genuine: the UMTS MS
                // rightly accepts the network at the challenge.)
                assert_eq!(accepting, 0, "no victim accepts the network: {what}");
            }
            assert!(r.injected >= 20, "{what}");
            if field == "mac" {
                assert!(r.security_mode_rejects >= 20, "{what}");
                assert!(has(&r, "mme:rejected:security_mode_reject"), "{what}");
            } else {
                assert_eq!(r.security_mode_rejects, 0, "{what}");
            }
        }
    }
}

/// Replayed PDUs: an uplink one on the victim's session finds the serving
/// node in another state (ignored, counted), a replayed attach opens a
/// procedure nobody can answer (it times out), a challenge replayed to
/// another device fails its MAC check or is ignored. Never an acceptance.
#[test]
fn replayed_pdus_are_refused_and_counted() {
    for (p, nodes) in both() {
        let [dev, serving, _] = nodes;
        let mut cases = vec![
            ("attach_request", format!("{serving}:failed:")),
            (
                "authentication_response",
                format!("{serving}:ignored:AuthenticationResponse"),
            ),
            (
                "authentication_request",
                format!("{dev}:ignored:AuthenticationRequest"),
            ),
        ];
        if p == "eps-aka" {
            cases.push((
                "security_mode_complete",
                format!("{serving}:ignored:SecurityProtected"),
            ));
        }
        for (pdu, check) in cases {
            let extra = format!("pdu = \"{pdu}\"\nrate_per_s = 20.0");
            let (r, _) = measured(p, nodes, "replay", &extra);
            let what = format!("{p} {pdu}: {r:?}");
            assert!(has(&r, &check), "{what}");
            assert_eq!(r.false_acceptances, 0, "{what}");
            assert!(r.injected > 1000, "{what}");
            assert!(r.extra_ignored + r.extra_rejections > 0, "{what}");
        }
    }
}

/// A stale recorded challenge answering a victim's second attempt: the USIM
/// refuses it (synch failure, AUTS) and the network pays a resynchronisation
/// round trip with the home node; the victims still authenticate.
#[test]
fn a_stale_challenge_costs_a_resynchronisation() {
    for (p, nodes) in both() {
        let (r, _) = measured(p, nodes, "desync", "");
        let what = format!("{p}: {r:?}");
        assert_eq!(r.injected, 20, "one stale challenge per victim: {what}");
        assert!(r.extra_auth_failures >= 20, "{what}");
        assert!(
            r.extra_home_messages >= 2 * 20,
            "a home round trip each: {what}"
        );
        assert_eq!(r.false_acceptances, 0, "{what}");
        assert_eq!(r.relayed, 20, "{what}");
    }
}

#[test]
fn man_in_the_middle_entries_name_their_bad_field() {
    for (extra, class, field) in [
        ("", "modification", "attacks[0].field"),
        (
            "field = \"rand\"\nrate_per_s = 5.0",
            "modification",
            "attacks[0].rate_per_s",
        ),
        (
            "pdu = \"attach_request\"",
            "replay",
            "attacks[0].rate_per_s",
        ),
        ("rate_per_s = 5.0", "replay", "attacks[0].pdu"),
        ("", "relay", "attacks[0].delay_ms"),
        ("delay_ms = -1.0", "relay", "attacks[0].delay_ms"),
        ("field = \"res\"", "desync", "attacks[0].field"),
    ] {
        let e = parse(&scenario("eps-aka", EPS, &entry(class, "ue", extra))).unwrap_err();
        assert!(e.contains(field), "{class} {extra}: {e}");
    }
    let e = parse(&scenario(
        "umts-aka",
        UMTS,
        &entry("modification", "ms", "field = \"mac\""),
    ))
    .unwrap_err();
    assert!(
        e.contains("attacks[0].field") && e.contains("no NAS MAC"),
        "{e}"
    );
    let e = parse(&scenario(
        "eps-aka",
        EPS,
        &entry("relay", "mme", "delay_ms = 1.0"),
    ))
    .unwrap_err();
    assert!(e.contains("attacks[0].target"), "{e}");
    let many = entry("relay", "ue", "delay_ms = 1.0").replace("sources = 20", "sources = 41");
    let e = parse(&scenario("eps-aka", EPS, &many)).unwrap_err();
    assert!(e.contains("attacks[0].sources"), "{e}");
    let two = entry("relay", "ue", "delay_ms = 1.0") + &entry("desync", "ue", "");
    let e = parse(&scenario("eps-aka", EPS, &two)).unwrap_err();
    assert!(e.contains("attacks[1].class"), "{e}");
}

/// A known weakness, demonstrated: AUTHENTICATION REJECT carries no
/// integrity protection (TS 24.301 §4.4.4.2 lets the UE process it
/// unprotected; TS 24.008 for the MS), so a false base station ends the
/// attaches of the devices it reaches (Lai 2012 §2.4). Nothing is accepted:
/// the break is a denial of service, counted as the devices' rejections
/// and the honest goodput lost.
#[test]
fn an_unprotected_reject_from_a_fake_network_ends_attaches() {
    for (p, nodes) in both() {
        let entry = format!(
            "[[attacks]]\nclass = \"fake_reject\"\ntarget = \"{}\"\nstart_s = 0.0\nstop_s = 2.0\nrate_per_s = 200.0\n",
            nodes[0]
        );
        let with = parse(&scenario(p, nodes, &entry)).unwrap();
        let without = parse(&scenario(p, nodes, "")).unwrap();
        let (a, _) = run(&with, 5, &RunOptions::default()).unwrap();
        let (b, _) = run(&without, 5, &RunOptions::default()).unwrap();
        let r = measure_scenario(&a, &b, &with.attacks);
        let what = format!("{p}: {r:?}");
        assert_eq!(r.injected, 400, "{what}");
        assert_eq!(r.false_acceptances, 0, "{what}");
        let dev = nodes[0];
        assert!(
            has(&r, &format!("{dev}:rejected:authentication_reject")),
            "{what}"
        );
        assert!(
            r.honest_authenticated < r.honest_authenticated_baseline,
            "the reject ends honest attaches: {what}"
        );
    }
    let e = parse(&scenario(
        "eps-aka",
        EPS,
        "[[attacks]]\nclass = \"fake_reject\"\ntarget = \"mme\"\nstop_s = 1.0\nrate_per_s = 1.0\n",
    ))
    .unwrap_err();
    assert!(e.contains("attacks[0].target"), "{e}");
}
