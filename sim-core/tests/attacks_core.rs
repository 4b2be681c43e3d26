//! `air_flood`: a rogue peer inside the core network floods the home node
//! (Diameter AIR to the HSS, MAP SendAuthenticationInfo to the HLR) with
//! random or victims' IMSIs. What the home node spends per request, how it
//! answers, and that the honest devices still authenticate.

mod three_nodes;

use authsim_sim::attacks::{AttackRow, measure};
use authsim_sim::runner::{RunOptions, run};

const EPS: (&str, [&str; 3]) = ("eps-aka", ["ue", "mme", "hss"]);
const UMTS: (&str, [&str; 3]) = ("umts-aka", ["ms", "vlr", "hlr"]);

fn entry(target: &str, imsis: &str) -> String {
    format!(
        "[[attacks]]\nclass = \"air_flood\"\ntarget = \"{target}\"\nstart_s = 0.5\nstop_s = 1.5\nrate_per_s = 100.0\nsources = 10\n{imsis}"
    )
}

fn measured(p: (&str, [&str; 3]), imsis: &str) -> AttackRow {
    measured_with(p, imsis, "")
}

/// With `home` appended to both runs' scenarios (a `[protocol.home]` table).
fn measured_with((protocol, nodes): (&str, [&str; 3]), imsis: &str, home: &str) -> AttackRow {
    let text = |attacks: &str| {
        three_nodes::scenario(
            "air-flood",
            3,
            50,
            protocol,
            nodes,
            &format!("{attacks}{home}"),
        )
    };
    let with = three_nodes::parse("air-flood", &text(&entry(nodes[2], imsis))).unwrap();
    let without = three_nodes::parse("air-flood", &text("")).unwrap();
    let opts = RunOptions::default();
    let (a, _) = run(&with, 3, &opts).unwrap();
    let (b, _) = run(&without, 3, &opts).unwrap();
    measure(&a, &b, "air_flood")
}

#[test]
fn unknown_imsis_cost_the_home_node_a_lookup_and_are_answered_user_unknown() {
    for p in [EPS, UMTS] {
        let r = measured(p, "");
        let what = format!("{}: {r:?}", p.0);
        assert_eq!(r.injected, 100, "{what}");
        assert_eq!(r.false_acceptances, 0, "{what}");
        assert_eq!(r.false_alarms, 0, "{what}");
        // Every request reached the home node and was answered 5001 /
        // unknownSubscriber; no crypto was spent on it.
        assert_eq!(r.extra_inputs, 100, "{what}");
        assert!(
            r.detections
                .contains("adversary0:counted:home_answer_user_unknown=100"),
            "{what}"
        );
        assert_eq!(r.extra_crypto_ops, 0, "{what}");
        assert_eq!(
            r.honest_authenticated, r.honest_authenticated_baseline,
            "{what}"
        );
    }
}

#[test]
fn victims_imsis_cost_a_vector_each_and_the_victims_still_authenticate() {
    for p in [EPS, UMTS] {
        let r = measured(p, "imsis = \"victims\"\n");
        let what = format!("{}: {r:?}", p.0);
        assert_eq!(r.injected, 100, "{what}");
        assert_eq!(r.false_acceptances, 0, "{what}");
        assert!(
            r.detections
                .contains("adversary0:counted:home_answer_success=100"),
            "{what}"
        );
        // A vector per request: f1..f5 (and, for EPS, K_ASME's KDF) at least.
        assert!(r.extra_crypto_ops >= 5 * 100, "{what}");
        // The SQN steps stay inside the USIM's window (TS 33.102 Annex C):
        // no synch failure, every honest device authenticated.
        assert_eq!(r.extra_auth_failures, 0, "{what}");
        assert_eq!(
            r.honest_authenticated, r.honest_authenticated_baseline,
            "{what}"
        );
    }
}

#[test]
fn an_allow_list_at_the_home_node_discards_the_rogue_peers_requests_before_any_work() {
    for p in [EPS, UMTS] {
        let [_, serving, home] = p.1;
        let victims = "imsis = \"victims\"\n";
        let open = measured(p, victims);
        let listed = measured_with(
            p,
            victims,
            &format!("[protocol.home]\nallowed_peers = [\"{serving}\"]\n"),
        );
        let what = format!("{}: {open:?}\n{listed:?}", p.0);
        assert_eq!(listed.injected, 100, "{what}");
        // Every request reached the home node and was discarded there,
        // counted, before any lookup: no vector, no answer.
        assert_eq!(listed.extra_inputs, 100, "{what}");
        assert!(
            listed
                .detections
                .contains(&format!("{home}:ignored:unknown_peer=100")),
            "{what}"
        );
        assert!(!listed.detections.contains("home_answer"), "{what}");
        assert_eq!(listed.extra_crypto_ops, 0, "{what}");
        assert_eq!(listed.extra_tx_bytes, 0, "{what}");
        // Without the list the same flood cost a vector per request.
        assert!(open.extra_crypto_ops >= 5 * 100, "{what}");
        assert!(open.extra_tx_bytes > 0, "{what}");
        // The listed serving node's own requests are answered as before.
        assert_eq!(
            listed.honest_authenticated, listed.honest_authenticated_baseline,
            "{what}"
        );
        assert_eq!(listed.honest_authenticated_baseline, 50, "{what}");
        assert_eq!(listed.false_acceptances, 0, "{what}");
    }
}

#[test]
fn an_allow_list_names_nodes_of_the_protocol() {
    let (protocol, nodes) = EPS;
    let parse = |home: &str| {
        three_nodes::parse(
            "air-flood",
            &three_nodes::scenario("air-flood", 3, 50, protocol, nodes, home),
        )
    };
    let e = parse("[protocol.home]\nallowed_peers = [\"mme\", \"vlr\"]\n").unwrap_err();
    assert!(
        e.contains("protocol.home.allowed_peers[1]") && e.contains("`vlr`"),
        "{e}"
    );
    let e = parse("[protocol.home]\nallowed_peers = []\n").unwrap_err();
    assert!(e.contains("protocol.home.allowed_peers"), "{e}");
    let e = parse("[protocol.home]\npeers = [\"mme\"]\n").unwrap_err();
    assert!(e.contains("peers"), "{e}");
}

#[test]
fn air_flood_entries_name_their_field() {
    let (protocol, nodes) = EPS;
    let parse = |attacks: &str| {
        three_nodes::parse(
            "air-flood",
            &three_nodes::scenario("air-flood", 3, 50, protocol, nodes, attacks),
        )
    };
    let e = parse(&entry("mme", "")).unwrap_err();
    assert!(
        e.contains("attacks[0].target") && e.contains("`hss`"),
        "{e}"
    );
    let e = parse(&entry("hss", "imsis = \"everyone\"\n")).unwrap_err();
    assert!(e.contains("unknown variant `everyone`"), "{e}");
    let flood = "[[attacks]]\nclass = \"attach_flood\"\ntarget = \"mme\"\nstop_s = 1.0\nrate_per_s = 10.0\nimsis = \"victims\"\n";
    let e = parse(flood).unwrap_err();
    assert!(e.contains("attacks[0].imsis"), "{e}");
    // 5G-AKA's UDM has no flood of its own yet.
    let spec = parse(&entry("hss", "")).unwrap();
    let e = authsim_sim::attacks::validate(&spec.attacks, "5g-aka", 50).unwrap_err();
    assert_eq!(e.field, "attacks[0].class");
    assert!(e.message.contains("eps-aka, umts-aka"), "{e}");
}
