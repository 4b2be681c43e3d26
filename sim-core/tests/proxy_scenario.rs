//! The proxy multiparty scenario end to end: for several n the loss-free
//! message counts and octets per interface and every node's point and scalar
//! work equal the closed forms of docs/protocols/proxy-multiparty.md
//! ("Costs") times n, every party's verdicts are the expected ones, and the
//! warrant expiry and scope parameters produce the documented rejections.

use std::collections::BTreeMap;
use std::path::PathBuf;

use authsim_protocols::core::{Interface, Prim};
use authsim_protocols::proxy::counting::{Party, per_device, point_ops};
use authsim_sim::report::RunResult;
use authsim_sim::runner::{RunOptions, run};
use authsim_sim::scenario::Scenario;

fn simulate(set: &[&str]) -> RunResult {
    let p = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../scenarios/proxy-multiparty.toml");
    let text = std::fs::read_to_string(&p).unwrap();
    let set: Vec<String> = set.iter().map(|s| s.to_string()).collect();
    let scn = Scenario::parse(&text, &p, &set).unwrap_or_else(|e| panic!("{e}"));
    run(&scn, scn.run.seed, &RunOptions::default()).unwrap().0
}

/// (reporter node, outcome, reason) -> count.
fn outcomes(r: &RunResult) -> BTreeMap<(String, &'static str, &'static str), u64> {
    let mut m = BTreeMap::new();
    for a in &r.auth {
        *m.entry((a.reporter_node.to_string(), a.outcome, a.reason))
            .or_default() += 1;
    }
    m
}

#[test]
fn counts_match_the_closed_forms_at_several_n() {
    for n in [1u64, 7, 60] {
        let r = simulate(&[&format!("population.devices={n}")]);
        let mut per_iface: BTreeMap<Interface, (u64, u64)> = BTreeMap::new();
        for m in &r.messages {
            assert_eq!(m.counters.lost, 0);
            let e = per_iface.entry(m.interface).or_default();
            e.0 += m.counters.transmissions;
            e.1 += m.counters.bytes;
        }
        for i in [Interface::DevAp, Interface::ApCn, Interface::CnServer] {
            let (tx, bytes) = per_device(i);
            assert_eq!(per_iface[&i], (tx * n, bytes * n), "{i} at n = {n}");
        }
        assert_eq!(per_iface.len(), 3);
        for (node, party) in [
            ("device", Party::Device),
            ("mtcap", Party::Mtcap),
            ("cn", Party::Cn),
            ("mtc_server", Party::Server),
        ] {
            let got = r.nodes.iter().find(|x| x.name == node).unwrap();
            assert_eq!(got.ignored_inputs(), 0, "{node}");
            let want = point_ops(party);
            for p in Prim::ALL.into_iter().filter(|p| *p != Prim::Sha256Block) {
                assert_eq!(
                    got.crypto.get(p),
                    want.get(p) * n,
                    "{node} {} n = {n}",
                    p.name()
                );
            }
        }
        let o = outcomes(&r);
        let auth = |node: &str, reason: &str| o[&(node.to_string(), "authenticated", reason)];
        assert_eq!(auth("device", ""), 3 * n);
        assert_eq!(auth("mtcap", ""), n);
        // The CN's verdict on the MTC server is direct, on the device relayed
        // by the MTCAP; the server's on the device relayed by the CN.
        assert_eq!(auth("cn", ""), n);
        assert_eq!(auth("cn", "relayed"), n);
        assert_eq!(auth("mtc_server", "relayed"), n);
        assert_eq!(o.len(), 5, "nothing but these verdicts: {o:?}");
    }
}

#[test]
fn expired_warrants_and_undelegated_devices_are_counted_rejections() {
    // Warrants valid for 1 ms: every credential check fails at the CN.
    let r = simulate(&["population.devices=20", "protocol.warrant_validity_s=0.001"]);
    let o = outcomes(&r);
    assert_eq!(o[&("cn".into(), "rejected", "warrant_expired")], 20);
    assert_eq!(o[&("device".into(), "rejected", "bad_proxy_signature")], 20);
    // Only 5 of 20 devices delegated.
    let r = simulate(&["population.devices=20", "protocol.delegated_devices=5"]);
    let o = outcomes(&r);
    assert_eq!(
        o[&("mtc_server".into(), "rejected", "device_not_delegated")],
        15
    );
    assert_eq!(
        o[&("device".into(), "rejected", "device_not_delegated")],
        15
    );
    assert_eq!(o[&("device".into(), "authenticated", "")], 3 * 5);
    assert_eq!(o[&("mtc_server".into(), "authenticated", "relayed")], 5);
}

#[test]
fn bad_parameters_name_the_field() {
    let p = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../scenarios/proxy-multiparty.toml");
    let text = std::fs::read_to_string(&p).unwrap();
    for (set, field) in [
        (
            "protocol.delegated_devices=1001",
            "protocol.delegated_devices",
        ),
        (
            "protocol.warrant_validity_s=-1",
            "protocol.warrant_validity_s",
        ),
        ("protocol.guard_s=0", "protocol.guard_s"),
    ] {
        let e = Scenario::parse(&text, &p, &[set.to_string()]).unwrap_err();
        assert!(e.to_string().contains(field), "{set}: {e}");
    }
}
