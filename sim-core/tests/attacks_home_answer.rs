//! `fake_home_answer`: a rogue agent in the serving node's home path (a
//! compromised Diameter relay, an SS7 node) answers the victims' first
//! authentication-data requests with forged vectors — random, or genuine
//! ones recorded from other subscribers' answers. The serving node cannot
//! tell them from the home node's and challenges the victims with them;
//! the victims' USIMs refuse every one (MAC-A check), no false acceptance,
//! and the home node's genuine answers that lose the race are discarded
//! and counted at the serving node.

mod three_nodes;

use authsim_sim::attacks::{AttackRow, measure};
use authsim_sim::report::RunResult;
use authsim_sim::runner::{RunOptions, run};

const EPS: (&str, [&str; 3]) = ("eps-aka", ["ue", "mme", "hss"]);
const UMTS: (&str, [&str; 3]) = ("umts-aka", ["ms", "vlr", "hlr"]);
const DEVICES: u32 = 50;
const VICTIMS: u32 = 20;

fn entry(target: &str, vectors: &str) -> String {
    format!(
        "[[attacks]]\nclass = \"fake_home_answer\"\ntarget = \"{target}\"\nstop_s = 10.0\nsources = {VICTIMS}\n{vectors}"
    )
}

fn runs((protocol, nodes): (&str, [&str; 3]), vectors: &str) -> (RunResult, RunResult) {
    let text =
        |attacks: &str| three_nodes::scenario("fake-home", 4, DEVICES, protocol, nodes, attacks);
    let with = three_nodes::parse("fake-home", &text(&entry(nodes[1], vectors))).unwrap();
    let without = three_nodes::parse("fake-home", &text("")).unwrap();
    let opts = RunOptions::default();
    let (a, _) = run(&with, 3, &opts).unwrap();
    let (b, _) = run(&without, 3, &opts).unwrap();
    (a, b)
}

/// Verdicts of `outcome` (with `reason`, if given) reported by node `node`
/// about devices 0..VICTIMS (victims) or the others.
fn verdicts(
    r: &RunResult,
    node: &str,
    outcome: &str,
    reason: Option<&str>,
    victims: bool,
) -> usize {
    r.auth
        .iter()
        .filter(|a| *a.reporter_node == *node && a.outcome == outcome)
        .filter(|a| reason.is_none_or(|r| a.reason == r))
        .filter(|a| {
            let device = if a.reporter.node == 0 {
                a.reporter
            } else {
                a.subject
            };
            (device.index < VICTIMS) == victims
        })
        .count()
}

fn check(p: (&str, [&str; 3]), vectors: &str) -> AttackRow {
    let (a, b) = runs(p, vectors);
    let r = measure(&a, &b, "fake_home_answer");
    let what = format!("{} {vectors}: {r:?}", p.0);
    let [device, serving, _] = p.1;
    // One forged answer per victim (a replaying agent forwards the requests
    // that come before any genuine answer it could record); nothing the
    // adversary made was accepted.
    let forged = r.injected;
    assert!(
        forged > VICTIMS as u64 * 9 / 10 && forged <= VICTIMS as u64,
        "{what}"
    );
    assert_eq!(r.false_acceptances, 0, "{what}");
    assert_eq!(r.false_alarms, 0, "{what}");
    // Every victim's USIM refused the forged challenge (MAC-A), and no
    // victim was authenticated by the network or authenticated it.
    assert_eq!(
        verdicts(
            &a,
            device,
            "attack_detected",
            Some("network_mac_failure"),
            true
        ),
        forged as usize,
        "{what}"
    );
    // A victim whose request was forged is authenticated by nobody.
    let unforged = VICTIMS as usize - forged as usize;
    assert_eq!(
        verdicts(&a, serving, "authenticated", None, true),
        unforged,
        "{what}"
    );
    // The honest devices are untouched.
    assert_eq!(
        verdicts(&a, serving, "authenticated", None, false),
        (DEVICES - VICTIMS) as usize,
        "{what}"
    );
    // The home node's genuine answers to the victims' requests arrived after
    // the forgeries: discarded at the serving node, and counted.
    let answer = if p.0 == "eps-aka" {
        "AIA"
    } else {
        "SendAuthInfoResult"
    };
    let ignored = a
        .nodes
        .iter()
        .find(|n| n.name == serving)
        .and_then(|n| n.ignored.get(answer).copied())
        .unwrap_or(0);
    assert_eq!(ignored, forged, "{what}");
    assert!(
        r.detections.contains(&format!(
            "adversary0:counted:genuine_answer_after_forgery={forged}"
        )),
        "{what}"
    );
    r
}

#[test]
fn random_vectors_from_a_rogue_home_agent_fail_every_victims_mac_check() {
    for p in [EPS, UMTS] {
        check(p, "");
    }
}

#[test]
fn replayed_vectors_of_other_subscribers_fail_every_victims_mac_check() {
    for p in [EPS, UMTS] {
        check(p, "vectors = \"replayed\"\n");
    }
}

#[test]
fn fake_home_answer_entries_name_their_field() {
    let (protocol, nodes) = EPS;
    let parse = |attacks: &str| {
        three_nodes::parse(
            "fake-home",
            &three_nodes::scenario("fake-home", 3, DEVICES, protocol, nodes, attacks),
        )
    };
    let e = parse(&entry("hss", "")).unwrap_err();
    assert!(
        e.contains("attacks[0].target") && e.contains("`mme`"),
        "{e}"
    );
    let e = parse(&entry("mme", "vectors = \"fresh\"\n")).unwrap_err();
    assert!(e.contains("unknown variant `fresh`"), "{e}");
    let e = parse(&entry("mme", "rate_per_s = 5.0\n")).unwrap_err();
    assert!(e.contains("attacks[0].rate_per_s"), "{e}");
    let e = parse(&format!("{}{}", entry("mme", ""), entry("mme", ""))).unwrap_err();
    assert!(e.contains("attacks[1].class"), "{e}");
    let e = parse(&entry("mme", "").replace("sources = 20", "sources = 51")).unwrap_err();
    assert!(e.contains("attacks[0].sources"), "{e}");
    let flood = "[[attacks]]\nclass = \"attach_flood\"\ntarget = \"mme\"\nstop_s = 1.0\nrate_per_s = 10.0\nvectors = \"random\"\n";
    let e = parse(flood).unwrap_err();
    assert!(e.contains("attacks[0].vectors"), "{e}");
    let spec = parse(&entry("mme", "")).unwrap();
    let e = authsim_sim::attacks::validate(&spec.attacks, "5g-aka", DEVICES).unwrap_err();
    assert_eq!(e.field, "attacks[0].class");
}
