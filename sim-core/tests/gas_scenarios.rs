//! The three GAS scenarios end to end: the shipped scenario files run and
//! authenticate every honest node, and for several (n, m, t) and u the
//! loss-free message counts (and every role's crypto work) equal the closed
//! forms of docs/counting.md ("Secret-sharing group authentication") times the
//! number of groups / gateways. The expected numbers are computed here from
//! those formulas, independently of the simulator and of `gas::counting`.

use std::collections::{BTreeMap, BTreeSet};
use std::path::PathBuf;

use authsim_protocols::core::{Addr, CryptoOps, Interface, Prim};
use authsim_sim::report::RunResult;
use authsim_sim::runner::{RunOptions, run};
use authsim_sim::scenario::{Scenario, ScenarioError};

fn path(name: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../scenarios")
        .join(format!("{name}.toml"))
}

fn load(name: &str, set: &[String]) -> Result<Scenario, ScenarioError> {
    let p = path(name);
    let text = std::fs::read_to_string(&p).unwrap();
    Scenario::parse(&text, &p, set)
}

fn simulate(name: &str, set: &[String]) -> RunResult {
    let scn = load(name, set).unwrap_or_else(|e| panic!("{e}"));
    run(&scn, scn.run.seed, &RunOptions::default()).unwrap().0
}

/// The threshold GAS without the MDMS–gateway phase: two nodes, one link.
const THRESHOLD_INTRA: &str = r#"
name = "threshold-intra"
[run]
seed = 3
[protocol]
name = "threshold-gas"
group_size = 10
threshold = 5
[population]
devices = 100
arrivals = { pattern = "poisson", rate_per_s = 20.0 }
[nodes.meter]
profile = "constrained-device"
[nodes.smart_meter]
profile = "server"
[[links]]
between = ["meter", "smart_meter"]
latency = { dist = "exponential", base_ms = 2.0, mean_ms = 10.0 }
"#;

fn sets(kv: &[(&str, String)]) -> Vec<String> {
    kv.iter().map(|(k, v)| format!("{k}={v}")).collect()
}

/// (transmissions, deliveries, bytes) per (interface, kind).
type Counts = BTreeMap<(Interface, String), (u64, u64, u64)>;

fn counts(r: &RunResult) -> Counts {
    r.messages
        .iter()
        .map(|m| {
            assert_eq!(m.counters.lost, 0, "loss-free run");
            (
                (m.interface, m.kind.to_string()),
                (
                    m.counters.transmissions,
                    m.counters.deliveries,
                    m.counters.bytes,
                ),
            )
        })
        .collect()
}

fn add(c: &mut Counts, i: Interface, kind: &str, tx: u64, del: u64, bytes: u64) {
    let e = c.entry((i, kind.to_string())).or_default();
    e.0 += tx;
    e.1 += del;
    e.2 += bytes;
}

fn crypto_of(r: &RunResult, node: &str) -> CryptoOps {
    r.nodes.iter().find(|n| n.name == node).unwrap().crypto
}

fn ops(v: &[(Prim, u64)]) -> CryptoOps {
    let mut o = CryptoOps::default();
    for &(p, n) in v {
        o.add(p, n);
    }
    o
}

fn times(o: CryptoOps, k: u64) -> CryptoOps {
    let mut r = CryptoOps::default();
    for p in Prim::ALL {
        r.add(p, o.get(p) * k);
    }
    r
}

fn sum(a: CryptoOps, b: CryptoOps) -> CryptoOps {
    let mut r = a;
    r.merge(&b);
    r
}

/// Verdicts: (reporter node, outcome) -> [(reporter, subject)].
fn verdicts(r: &RunResult) -> BTreeMap<(String, &'static str), Vec<(Addr, Addr)>> {
    let mut v: BTreeMap<_, Vec<_>> = BTreeMap::new();
    for a in &r.auth {
        v.entry((a.reporter_node.to_string(), a.outcome))
            .or_default()
            .push((a.reporter, a.subject));
    }
    v
}

// ---------------------------------------------------------------- Harn / Chien

/// Every participant authenticates the m − 1 others, once, and nothing else is said.
fn check_broadcast_group_verdicts(r: &RunResult, groups: u32, n: u32, m: u32) {
    let v = verdicts(r);
    assert_eq!(
        v.keys().cloned().collect::<Vec<_>>(),
        vec![("member".to_string(), "authenticated")],
        "only members' authentications: {v:?}"
    );
    let got: BTreeSet<(Addr, Addr)> = v[&("member".to_string(), "authenticated")]
        .iter()
        .copied()
        .collect();
    let mut want = BTreeSet::new();
    for g in 0..groups {
        for i in 0..m {
            for j in 0..m {
                if i != j {
                    want.insert((Addr::new(0, g * n + i), Addr::new(0, g * n + j)));
                }
            }
        }
    }
    assert_eq!(got.len(), r.auth.len(), "no verdict twice");
    assert_eq!(got, want);
}

#[test]
fn harn_scenario_authenticates_every_participant() {
    let r = simulate("harn-gas", &[]);
    check_broadcast_group_verdicts(&r, 100, 10, 8);
}

#[test]
fn chien_scenario_authenticates_every_participant() {
    let r = simulate("chien-gas", &[]);
    check_broadcast_group_verdicts(&r, 100, 10, 8);
}

const SHAPES: &[(u32, u32, u32)] = &[(2, 2, 1), (3, 3, 2), (5, 3, 2), (10, 8, 5), (12, 12, 12)];

#[test]
fn harn_counts_match_the_closed_forms() {
    let groups = 7u64;
    for &(n, m, t) in SHAPES {
        let k = 3u64;
        let r = simulate(
            "harn-gas",
            &sets(&[
                ("protocol.group_size", n.to_string()),
                ("protocol.participants", m.to_string()),
                ("protocol.threshold", t.to_string()),
                ("protocol.k", k.to_string()),
                ("protocol.sessions", "1".into()),
                ("population.devices", (groups * n as u64).to_string()),
            ]),
        );
        let m = m as u64;
        let mut want = Counts::new();
        // HarnStart: 1 transmission, m − 1 deliveries, 14 + 8m octets.
        add(&mut want, Interface::Han, "HarnStart", 1, m - 1, 14 + 8 * m);
        // HarnToken: m transmissions, m(m − 1) deliveries, 57m octets.
        add(
            &mut want,
            Interface::Han,
            "HarnToken",
            m,
            m * (m - 1),
            57 * m,
        );
        for c in want.values_mut() {
            *c = (c.0 * groups, c.1 * groups, c.2 * groups);
        }
        assert_eq!(counts(&r), want, "harn n={n} m={m} t={t}");
        // Member: (m − 2) + k(m + 1) ScalarMul, 1 ScalarInv, 1 SHA-256 block.
        let member = ops(&[
            (Prim::ScalarMul, (m - 2) + k * (m + 1)),
            (Prim::ScalarInv, 1),
            (Prim::Sha256Block, 1),
        ]);
        assert_eq!(crypto_of(&r, "member"), times(member, groups * m));
        assert_eq!(crypto_of(&r, "channel"), CryptoOps::default());
        check_broadcast_group_verdicts(&r, groups as u32, n, m as u32);
    }
}

#[test]
fn chien_counts_match_the_closed_forms() {
    let groups = 6u64;
    for &(n, m, t) in SHAPES {
        let r = simulate(
            "chien-gas",
            &sets(&[
                ("protocol.group_size", n.to_string()),
                ("protocol.participants", m.to_string()),
                ("protocol.threshold", t.to_string()),
                ("population.devices", (groups * n as u64).to_string()),
            ]),
        );
        let m = m as u64;
        let mut want = Counts::new();
        add(
            &mut want,
            Interface::Han,
            "ChienStart",
            1,
            m - 1,
            14 + 8 * m,
        );
        add(
            &mut want,
            Interface::Han,
            "ChienToken",
            m,
            m * (m - 1),
            58 * m,
        );
        for c in want.values_mut() {
            *c = (c.0 * groups, c.1 * groups, c.2 * groups);
        }
        assert_eq!(counts(&r), want, "chien n={n} m={m} t={t}");
        // Member: 2m − 2 ScalarMul, 1 ScalarInv, 1 P256Mul, m − 1 P256Add, 1 SHA-256 block.
        let member = ops(&[
            (Prim::ScalarMul, 2 * m - 2),
            (Prim::ScalarInv, 1),
            (Prim::P256Mul, 1),
            (Prim::P256Add, m - 1),
            (Prim::Sha256Block, 1),
        ]);
        assert_eq!(crypto_of(&r, "member"), times(member, groups * m));
        check_broadcast_group_verdicts(&r, groups as u32, n, m as u32);
    }
}

// --------------------------------------------------------------- threshold GAS

/// Smart meters authenticate each participating node and vice versa; the
/// MDMS authenticates every gateway; nothing else is reported.
fn check_threshold_verdicts(r: &RunResult, groups: u32, n: u32, m: u32, gateways: Option<u32>) {
    let v = verdicts(r);
    let mut keys = vec![
        ("meter".to_string(), "authenticated"),
        ("smart_meter".to_string(), "authenticated"),
    ];
    if gateways.is_some() {
        keys.insert(0, ("mdms".to_string(), "authenticated"));
    }
    assert_eq!(v.keys().cloned().collect::<Vec<_>>(), keys, "{v:?}");
    let set = |k: &str| -> BTreeSet<(Addr, Addr)> {
        v[&(k.to_string(), "authenticated")]
            .iter()
            .copied()
            .collect()
    };
    let mut by_leader = BTreeSet::new();
    let mut by_node = BTreeSet::new();
    for g in 0..groups {
        for i in 0..m {
            let node = Addr::new(0, g * n + i);
            let leader = Addr::new(1, g);
            by_leader.insert((leader, node));
            by_node.insert((node, leader));
        }
    }
    assert_eq!(set("smart_meter"), by_leader);
    assert_eq!(set("meter"), by_node);
    if let Some(w) = gateways {
        let want: BTreeSet<(Addr, Addr)> =
            (0..w).map(|w| (Addr::new(3, w), Addr::new(2, w))).collect();
        assert_eq!(set("mdms"), want);
    }
    let distinct: usize = v.values().map(|x| x.len()).sum();
    assert_eq!(distinct, r.auth.len());
    assert_eq!(
        r.auth.len(),
        (by_leader.len() + by_node.len()) + gateways.unwrap_or(0) as usize,
        "no verdict twice"
    );
}

#[test]
fn threshold_scenario_authenticates_every_honest_node() {
    let r = simulate("threshold-gas", &[]);
    check_threshold_verdicts(&r, 100, 10, 8, Some(10));
}

#[test]
fn threshold_counts_match_the_closed_forms() {
    let groups = 12u64;
    // (n, m, t, u): u = 5 leaves the last of three gateways with 2 meters.
    let cases: &[(u32, u32, u32, u64, bool)] = &[
        (1, 1, 1, 1, true),
        (3, 3, 2, 4, true),
        (5, 3, 2, 5, true),
        (10, 8, 5, 12, true),
        (7, 7, 7, 3, false),
    ];
    for &(n, m, t, u, mdms) in cases {
        let set = sets(&[
            ("protocol.group_size", n.to_string()),
            ("protocol.participants", m.to_string()),
            ("protocol.threshold", t.to_string()),
            ("protocol.meters_per_gateway", u.to_string()),
            ("protocol.mdms_phase", mdms.to_string()),
            ("population.devices", (groups * n as u64).to_string()),
        ]);
        let r = if mdms {
            simulate("threshold-gas", &set)
        } else {
            let scn = Scenario::parse(THRESHOLD_INTRA, &PathBuf::from("intra.toml"), &set)
                .unwrap_or_else(|e| panic!("{e}"));
            run(&scn, 3, &RunOptions::default()).unwrap().0
        };
        let (n, m) = (n as u64, m as u64);
        let mut want = Counts::new();
        // Nodes–smart meter phase and GSK distribution, per group.
        for _ in 0..groups {
            add(&mut want, Interface::Han, "GaRequest", 1, n, 15);
            add(&mut want, Interface::Han, "GaJoin", m, m, 26 * m);
            add(&mut want, Interface::Han, "GaChallenge", 1, m, 73 + 8 * m);
            add(&mut want, Interface::Han, "GaToken", m, m, 97 * m);
            add(&mut want, Interface::Han, "GskDelivery", m, m, 92 * m);
        }
        // MDMS–gateway phase, per gateway with u_w smart meters.
        let per_gateway: Vec<u64> = if mdms {
            (0..groups.div_ceil(u))
                .map(|w| u.min(groups - w * u))
                .collect()
        } else {
            Vec::new()
        };
        for &uw in &per_gateway {
            add(&mut want, Interface::Wan, "MgAccessRequest", 1, 1, 26);
            add(&mut want, Interface::Nan, "MgAccessRequest", 1, uw, 26);
            add(&mut want, Interface::Nan, "MgMeterPoint", uw, uw, 90 * uw);
            add(&mut want, Interface::Wan, "MgAggregate", 1, 1, 37 + 75 * uw);
            let agg = 37 + 75 * uw;
            add(&mut want, Interface::AuthServer, "MgAggregate", 1, 1, agg);
            add(&mut want, Interface::AuthServer, "MgSessionMdms", 1, 1, 121);
            add(
                &mut want,
                Interface::AuthServer,
                "MgSessionGateway",
                1,
                1,
                34,
            );
            add(&mut want, Interface::Wan, "MgAuth", 1, 1, 50);
        }
        let label = format!("threshold n={n} m={m} t={t} u={u} mdms={mdms}");
        assert_eq!(counts(&r), want, "{label}");
        // Totals per group: 3m + 2 transmissions, n + 4m deliveries, 88 + 223m octets.
        let han = r.interface_totals()[&Interface::Han];
        assert_eq!(
            (han.transmissions, han.deliveries, han.bytes),
            (
                groups * (3 * m + 2),
                groups * (n + 4 * m),
                groups * (88 + 223 * m)
            ),
            "{label}"
        );

        // Crypto work per role (docs/counting.md, "Crypto work per role and session").
        // (For m = 1 the Lagrange weight is the empty product: c_i = f(ID_i)·1
        // is one multiplication and there is nothing to invert.)
        let (node_mul, node_inv) = if m >= 2 { (2 * m - 2, 1) } else { (1, 0) };
        let node = ops(&[
            (Prim::ScalarMul, node_mul),
            (Prim::ScalarInv, node_inv),
            (Prim::P256Mul, 1),
            (Prim::Sha256Block, 3),
            (Prim::AeadByte, 32),
        ]);
        assert_eq!(crypto_of(&r, "meter"), times(node, groups * m), "{label}");
        let leader = ops(&[
            (Prim::ScalarMul, 1),
            (Prim::P256MulBase, 2),
            (Prim::P256Add, m - 1),
            (Prim::Sha256Block, 4 * m + 4),
            (Prim::AeadByte, 32 * m),
        ]);
        let uplink_meter = ops(&[(Prim::Sha256Block, if mdms { 4 } else { 0 })]);
        assert_eq!(
            crypto_of(&r, "smart_meter"),
            times(sum(leader, uplink_meter), groups),
            "{label}"
        );
        if mdms {
            let (mut gw, mut md, mut aus) = Default::default();
            for &uw in &per_gateway {
                let interp = [
                    (Prim::ScalarMul, 2 * uw * (uw + 1)),
                    (Prim::ScalarInv, uw + 1),
                ];
                let with = |extra: &[(Prim, u64)]| {
                    ops(&interp.iter().chain(extra).copied().collect::<Vec<_>>())
                };
                gw = sum(gw, with(&[(Prim::Sha256Block, 7)]));
                md = sum(md, with(&[(Prim::Sha256Block, 3), (Prim::AeadByte, 72)]));
                aus = sum(
                    aus,
                    with(&[(Prim::Sha256Block, 4 * uw + 4), (Prim::AeadByte, 72)]),
                );
            }
            assert_eq!(crypto_of(&r, "gateway"), gw, "{label}");
            assert_eq!(crypto_of(&r, "mdms"), md, "{label}");
            assert_eq!(crypto_of(&r, "auth_server"), aus, "{label}");
        }
        let gateways = mdms.then_some(per_gateway.len() as u32);
        check_threshold_verdicts(&r, groups as u32, n as u32, m as u32, gateways);
    }
}

// ---------------------------------------------------------------- bad input

fn field_of(name: &str, set: &[(&str, &str)]) -> (Option<String>, String) {
    let set: Vec<String> = set.iter().map(|(k, v)| format!("{k}={v}")).collect();
    let e = load(name, &set).expect_err("must be refused");
    (e.field, e.message)
}

#[test]
fn bad_gas_parameters_name_the_field() {
    for name in ["harn-gas", "chien-gas", "threshold-gas"] {
        let (f, msg) = field_of(name, &[("protocol.threshold", "9")]);
        assert_eq!(f.as_deref(), Some("protocol.threshold"), "{name}: {msg}");
        assert!(msg.contains("participants = 8"), "{msg}");

        let (f, msg) = field_of(name, &[("protocol.participants", "11")]);
        assert_eq!(f.as_deref(), Some("protocol.participants"), "{name}: {msg}");

        let (f, msg) = field_of(name, &[("population.devices", "1005")]);
        assert_eq!(f.as_deref(), Some("population.devices"), "{name}: {msg}");
        assert!(
            msg.contains("divisible by protocol.group_size = 10"),
            "{msg}"
        );

        let (f, _) = field_of(name, &[("protocol.group_size", "0")]);
        assert_eq!(f.as_deref(), Some("protocol.group_size"));

        let (f, _) = field_of(name, &[("protocol.token_timeout_s", "0")]);
        assert_eq!(f.as_deref(), Some("protocol.token_timeout_s"));
    }
    let (f, msg) = field_of("harn-gas", &[("protocol.sessions", "5")]);
    assert_eq!(f.as_deref(), Some("protocol.sessions"), "{msg}");
    assert!(msg.contains("k·t/n = 2"), "{msg}");
    let (f, _) = field_of("harn-gas", &[("protocol.participants", "1")]);
    assert_eq!(f.as_deref(), Some("protocol.participants"));
    let (f, _) = field_of("threshold-gas", &[("protocol.meters_per_gateway", "0")]);
    assert_eq!(f.as_deref(), Some("protocol.meters_per_gateway"));
    // Without the MDMS phase its nodes are not part of the protocol.
    let (f, msg) = field_of("threshold-gas", &[("protocol.mdms_phase", "false")]);
    assert_eq!(f.as_deref(), Some("nodes.auth_server"), "{msg}");
    // The Harn/Chien relay link is required.
    let (f, msg) = field_of(
        "chien-gas",
        &[("links[0].between", r#"["member", "member"]"#)],
    );
    assert!(f.is_some(), "{msg}");
}

// ------------------------------------------------------------ the channel relay

/// The group medium adds no delay and no loss of its own: with free
/// processing and a fixed 10 ms medium, every participant has all tokens
/// (its own, the initiator's after one hop, the others' after two) 20 ms
/// after its group started; the idle `channel` node handles nothing, and
/// each member receives exactly the PDUs delivered to it: the former relay's
/// 6-octet sender prefix is no longer counted (issue 15).
#[test]
fn broadcast_medium_adds_no_delay() {
    for name in ["harn-gas", "chien-gas"] {
        let r = simulate(
            name,
            &sets(&[
                ("nodes.member.profile", "\"free\"".into()),
                ("links[0].latency", "{dist = \"fixed\", ms = 10.0}".into()),
            ]),
        );
        assert_eq!(r.auth.len(), 100 * 8 * 7);
        for a in &r.auth {
            if let Some(l) = a.latency {
                assert_eq!(l, 20_000_000, "{name}: {a:?}");
            }
        }
        assert_eq!(
            r.auth.iter().filter(|a| a.latency.is_some()).count(),
            100 * 14
        );
        let node = |name: &str| r.nodes.iter().find(|n| n.name == name).unwrap();
        let channel = node("channel");
        assert_eq!(
            (channel.inputs, channel.rx_bytes, channel.tx_bytes),
            (0, 0, 0)
        );
        assert_eq!(channel.profile, "free");
        let delivered: u64 = r.messages.iter().map(|m| m.counters.deliveries).sum();
        let received: u64 = r
            .messages
            .iter()
            .map(|m| m.counters.deliveries * (m.counters.bytes / m.counters.transmissions))
            .sum();
        assert!(delivered > 0);
        assert_eq!(node("member").rx_bytes, received, "{name}: PDU bytes only");
        assert!(
            r.messages
                .iter()
                .all(|m| m.kind.ends_with("Start") || m.kind.ends_with("Token"))
        );
    }
}
