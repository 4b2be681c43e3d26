//! Whole-exchange tests of the threshold GAS through `testing::Router`.

use rand::SeedableRng;

use super::*;
use crate::core::{Addr, CryptoOps, Endpoint, Interface, Outcome, Prim, SimRng, time};
use crate::gas::msg::intra::{GaJoin, GaRequest, GaToken, GskDelivery};
use crate::gas::msg::uplink::{MgAggregate, MgAuth, MgSessionMdms};
use crate::gas::{Member, ec, field};
use crate::testing::Router;

const LEADER: Addr = Addr::new(0, 0);

struct Group {
    leader: SmartMeter,
    nodes: Vec<MeterNode>,
    members: Vec<Member>,
}

fn group(n: usize, t: usize) -> Group {
    group_with(n, t, |_, n| n)
}

/// `tweak(i, node)` may replace node i (offline, wrong share, ...).
fn group_with(n: usize, t: usize, tweak: impl Fn(usize, MeterNode) -> MeterNode) -> Group {
    let mut rng = SimRng::seed_from_u64(21);
    let members: Vec<Member> = (0..n)
        .map(|i| Member {
            id: 1000 + 17 * i as u64,
            addr: Addr::new(1, i as u32),
        })
        .collect();
    let ids: Vec<u64> = members.iter().map(|m| m.id).collect();
    let reg = register(t, &ids, &mut rng, &mut CryptoOps::default()).unwrap();
    let nodes = reg
        .nodes
        .into_iter()
        .enumerate()
        .map(|(i, k)| tweak(i, MeterNode::new(k, LEADER)))
        .collect();
    let leader = SmartMeter::new(reg.leader, members.clone(), ThresholdConfig::new(t));
    Group {
        leader,
        nodes,
        members,
    }
}

fn router(g: &mut Group) -> Router<'_> {
    let mut r = Router::new(99);
    r.add(LEADER, &mut g.leader);
    for (m, n) in g.members.iter().zip(g.nodes.iter_mut()) {
        r.add(m.addr, n as &mut dyn Endpoint);
    }
    r
}

fn auth_by_leader(r: &Router<'_>) -> Vec<Addr> {
    r.outcomes_of(LEADER)
        .into_iter()
        .filter_map(|o| match o {
            Outcome::Authenticated { subject, .. } => Some(subject),
            _ => None,
        })
        .collect()
}

fn leader_authenticated_by(r: &Router<'_>) -> Vec<Addr> {
    r.outcomes
        .iter()
        .filter(|(_, o)| {
            matches!(
                o,
                Outcome::Authenticated {
                    subject: LEADER,
                    ..
                }
            )
        })
        .map(|(a, _)| *a)
        .collect()
}

#[test]
fn all_nodes_authenticate_and_share_the_gsk() {
    let mut g = group(5, 3);
    let addrs: Vec<Addr> = g.members.iter().map(|m| m.addr).collect();
    let mut r = router(&mut g);
    r.start(LEADER);
    assert_eq!(auth_by_leader(&r), addrs);
    assert_eq!(leader_authenticated_by(&r), addrs);
    assert_eq!(r.ignored, vec![], "a benign exchange ignores nothing");
    assert!(
        r.outcomes
            .iter()
            .all(|(_, o)| matches!(o, Outcome::Authenticated { key_id: 1, .. }))
    );
    // Counted work, happy path: node 1 P256Mul; leader 2 MulBase + (m − 1) additions.
    let node = r.crypto[&addrs[0]];
    assert_eq!(
        (
            node.get(Prim::P256Mul),
            node.get(Prim::P256MulBase),
            node.get(Prim::ScalarInv)
        ),
        (1, 0, 1)
    );
    assert_eq!(node.get(Prim::ScalarMul), 2 * (5 - 2) + 2);
    let lead = r.crypto[&LEADER];
    assert_eq!(
        (
            lead.get(Prim::P256Mul),
            lead.get(Prim::P256MulBase),
            lead.get(Prim::P256Add)
        ),
        (0, 2, 4)
    );
    assert_eq!(lead.get(Prim::AeadByte), 5 * 32);
    drop(r);
    let gsk = g.leader.gsk().copied().unwrap();
    assert!(g.nodes.iter().all(|n| n.gsk() == Some(&gsk)));
    // A second session uses a fresh P_s, hence a fresh GSK.
    let mut r = router(&mut g);
    r.rng = SimRng::seed_from_u64(100);
    r.start(LEADER);
    assert_eq!(auth_by_leader(&r).len(), 5);
    drop(r);
    assert_ne!(g.leader.gsk().copied().unwrap(), gsk);
}

#[test]
fn wrong_share_is_identified_and_excluded() {
    let mut g = group_with(5, 3, |i, n| {
        if i == 2 {
            let keys = n.keys_for_test().with_corrupted_share();
            MeterNode::new(keys, LEADER)
        } else {
            n
        }
    });
    let addrs: Vec<Addr> = g.members.iter().map(|m| m.addr).collect();
    let mut r = router(&mut g);
    r.start(LEADER);
    let bad = addrs[2];
    assert!(r.outcomes_of(LEADER).contains(&Outcome::Rejected {
        subject: bad,
        reason: "wrong_share"
    }));
    let honest: Vec<Addr> = addrs.iter().copied().filter(|&a| a != bad).collect();
    assert_eq!(auth_by_leader(&r), honest);
    assert_eq!(leader_authenticated_by(&r), honest);
    // Identification: all m tokens present, so straight to the per-token
    // check: one fixed-base product each, after the two of the challenge.
    // Per token c_i costs 2(m − 2) + 1 (λ_i) + (t − 1) (Horner) + 1
    // multiplications and one inversion, plus r·c_i: m(2m + t − 2) in all.
    let lead = r.crypto[&LEADER];
    assert_eq!(lead.get(Prim::P256MulBase), 2 + 5);
    assert_eq!(lead.get(Prim::ScalarMul), 1 + 5 * (2 * 5 + 3 - 2));
    assert_eq!(lead.get(Prim::ScalarInv), 5);
    drop(r);
    assert!(g.nodes[2].gsk().is_none());
}

#[test]
fn non_member_is_rejected_and_honest_nodes_authenticate() {
    // Node 4 is offline; an intruder joins under its identifier and answers
    // the challenge without knowing b_4.
    let mut g = group_with(5, 3, |i, n| if i == 4 { n.offline() } else { n });
    let victim = g.members[4];
    let addrs: Vec<Addr> = g.members.iter().map(|m| m.addr).collect();
    let intruder = Addr::new(6, 66);
    let mut r = router(&mut g);
    r.start(LEADER);
    // An unregistered identifier is refused at once.
    r.inject(
        intruder,
        LEADER,
        Interface::Han,
        GaJoin { sid: 1, id: 4242 }.encode(),
    );
    assert_eq!(
        r.outcomes_of(LEADER),
        vec![Outcome::Rejected {
            subject: intruder,
            reason: "not_a_member"
        }]
    );
    // With the intruder all n "joined": the challenge goes out at once.
    r.inject(
        intruder,
        LEADER,
        Interface::Han,
        GaJoin {
            sid: 1,
            id: victim.id,
        }
        .encode(),
    );
    assert_eq!(r.kinds().iter().filter(|k| **k == GaToken::KIND).count(), 4);
    let point = ec::mul_base(&field::from_id(9), &mut CryptoOps::default());
    let forged = GaToken {
        sid: 1,
        id: victim.id,
        v: [0x5a; 32],
        token: ec::encode(&point),
    };
    r.inject(intruder, LEADER, Interface::Han, forged.encode());
    assert!(r.outcomes_of(LEADER).contains(&Outcome::AttackDetected {
        subject: intruder,
        what: "token_mac_mismatch"
    }));
    assert!(r.fire_next_timer(), "token timer");
    assert_eq!(auth_by_leader(&r), addrs[..4].to_vec());
    assert!(r.outcomes_of(LEADER).contains(&Outcome::Failed {
        subject: victim.addr,
        reason: "no_token"
    }));
    assert_eq!(leader_authenticated_by(&r), addrs[..4].to_vec());
    // Identification took the subset path: 4 present of m = 5 challenged,
    // c_i for each (2(m − 2) + 1 + (t − 1) + 1 mult., 1 inv.), then one
    // check (r·Σc_i)·G against the 3-addition sum.
    let lead = r.crypto[&LEADER];
    assert_eq!(lead.get(Prim::P256MulBase), 2 + 1);
    assert_eq!(lead.get(Prim::ScalarMul), 1 + 4 * (2 * 3 + 1 + 2 + 1) + 1);
    assert_eq!(lead.get(Prim::P256Add), 3);
}

#[test]
fn token_replayed_from_an_earlier_session_is_detected() {
    let mut g = group(4, 3);
    let addrs: Vec<Addr> = g.members.iter().map(|m| m.addr).collect();
    let a = addrs[1];
    let mut r = router(&mut g);
    r.start(LEADER);
    let old = r
        .log
        .iter()
        .find(|p| p.from == a && p.kind == GaToken::KIND)
        .unwrap()
        .pdu
        .clone();
    // Verbatim replay in session 2 (old SID).
    let old_verbatim = old.clone();
    r.tamper = Some(Box::new(move |p| {
        Some(if p.from == a && p.kind == GaToken::KIND {
            old_verbatim.clone()
        } else {
            p.pdu.clone()
        })
    }));
    r.outcomes.clear();
    r.start(LEADER);
    assert!(r.outcomes_of(LEADER).contains(&Outcome::Rejected {
        subject: a,
        reason: "stale_session"
    }));
    assert!(r.fire_next_timer());
    let others: Vec<Addr> = addrs.iter().copied().filter(|&x| x != a).collect();
    assert_eq!(auth_by_leader(&r), others);
    // Replay with the SID rewritten: v_i binds the session nonce and SID.
    let mut relabelled = GaToken::decode(&old).unwrap();
    relabelled.sid = 3;
    let relabelled = relabelled.encode();
    r.tamper = Some(Box::new(move |p| {
        Some(if p.from == a && p.kind == GaToken::KIND {
            relabelled.clone()
        } else {
            p.pdu.clone()
        })
    }));
    r.outcomes.clear();
    r.start(LEADER);
    assert!(r.outcomes_of(LEADER).contains(&Outcome::AttackDetected {
        subject: a,
        what: "token_mac_mismatch"
    }));
    assert!(r.fire_next_timer());
    assert_eq!(auth_by_leader(&r), others);
    assert!(r.outcomes_of(LEADER).contains(&Outcome::Failed {
        subject: a,
        reason: "no_token"
    }));
}

#[test]
fn replayed_request_is_refused_by_nodes() {
    let mut g = group(3, 2);
    let node = g.members[0].addr;
    let mut r = router(&mut g);
    r.start(LEADER);
    r.outcomes.clear();
    r.inject(LEADER, node, Interface::Han, GaRequest { sid: 1 }.encode());
    assert_eq!(
        r.outcomes_of(node),
        vec![Outcome::Rejected {
            subject: LEADER,
            reason: "stale_session"
        }]
    );
}

#[test]
fn tampered_gsk_ciphertext_is_detected() {
    let mut g = group(4, 2);
    let addrs: Vec<Addr> = g.members.iter().map(|m| m.addr).collect();
    let target = addrs[3];
    let mut r = router(&mut g);
    r.tamper = Some(Box::new(move |p| {
        let mut pdu = p.pdu.clone();
        if p.kind == GskDelivery::KIND && p.to == crate::core::Destination::Unicast(target) {
            let last = pdu.len() - 20;
            pdu[last] ^= 0x01;
        }
        Some(pdu)
    }));
    r.start(LEADER);
    assert_eq!(
        r.outcomes_of(target),
        vec![Outcome::AttackDetected {
            subject: LEADER,
            what: "gsk_auth_failed"
        }]
    );
    assert_eq!(leader_authenticated_by(&r), addrs[..3].to_vec());
    drop(r);
    assert!(g.nodes[3].gsk().is_none());
}

#[test]
fn too_few_participants_fail() {
    let mut g = group_with(4, 3, |i, n| if i >= 2 { n.offline() } else { n });
    let addrs: Vec<Addr> = g.members.iter().map(|m| m.addr).collect();
    let mut r = router(&mut g);
    r.start(LEADER);
    assert!(r.fire_next_timer());
    assert_eq!(
        r.outcomes_of(LEADER),
        vec![
            Outcome::Failed {
                subject: addrs[0],
                reason: "below_threshold"
            },
            Outcome::Failed {
                subject: addrs[1],
                reason: "below_threshold"
            },
        ]
    );
}

#[test]
fn meter_node_state_stays_small() {
    let size = std::mem::size_of::<MeterNode>();
    println!("MeterNode: {size} octets");
    assert!(size <= 192, "{size}");
}

#[test]
fn malformed_pdus_are_rejected_without_panicking() {
    let mut g = group(3, 2);
    let addrs: Vec<Addr> = g.members.iter().map(|m| m.addr).collect();
    let mut r = router(&mut g);
    r.start(LEADER);
    let pdus: Vec<Vec<u8>> = r.log.iter().map(|p| p.pdu.clone()).collect();
    let stranger = Addr::new(5, 5);
    for pdu in &pdus {
        for cut in 0..pdu.len() {
            for to in std::iter::once(LEADER).chain(addrs.iter().copied()) {
                r.inject(stranger, to, Interface::Han, pdu[..cut].to_vec());
            }
        }
    }
    assert!(r.outcomes.iter().any(|(_, o)| matches!(
        o,
        Outcome::Rejected {
            reason: "malformed_pdu",
            ..
        }
    )));
    assert!(r.outcomes.iter().all(
        |(_, o)| !matches!(o, Outcome::Authenticated { subject, .. } if *subject == stranger)
    ));
}

struct Uplink {
    mdms: Mdms,
    gw: Gateway,
    auth: AuthServer,
    meters: Vec<SmartMeter>,
}

const MDMS: Addr = Addr::new(9, 0);
const GW: Addr = Addr::new(8, 0);
const AS: Addr = Addr::new(7, 0);

fn uplink(u: usize) -> Uplink {
    let mut rng = SimRng::seed_from_u64(31);
    let ids: Vec<u64> = (0..u as u64).map(|i| 50 + i).collect();
    let up = register_uplink(1, 2, &ids, &mut rng).unwrap();
    let meters = up
        .meters
        .iter()
        .map(|k| {
            let reg = register(1, &[1], &mut rng, &mut CryptoOps::default()).unwrap();
            SmartMeter::new(
                reg.leader,
                vec![Member {
                    id: 1,
                    addr: Addr::new(3, 0),
                }],
                ThresholdConfig::new(1),
            )
            .with_uplink(k.clone(), GW)
        })
        .collect();
    let meter_addrs = (0..u).map(|i| Addr::new(2, i as u32)).collect();
    Uplink {
        mdms: Mdms::new(up.mdms.clone(), GW, AS, time::SECOND),
        gw: Gateway::new(up.gateway.clone(), MDMS, meter_addrs, time::SECOND),
        auth: AuthServer::new(
            up.mdms,
            MDMS,
            vec![GatewayRecord {
                keys: up.gateway,
                addr: GW,
            }],
            up.meters,
        ),
        meters,
    }
}

fn uplink_router(u: &mut Uplink) -> Router<'_> {
    let mut r = Router::new(77);
    r.add(MDMS, &mut u.mdms);
    r.add(GW, &mut u.gw);
    r.add(AS, &mut u.auth);
    for (i, m) in u.meters.iter_mut().enumerate() {
        r.add(Addr::new(2, i as u32), m as &mut dyn Endpoint);
    }
    r
}

#[test]
fn mdms_authenticates_gateway_and_both_derive_sk() {
    let mut u = uplink(4);
    let mut r = uplink_router(&mut u);
    r.start(MDMS);
    r.start(MDMS);
    assert_eq!(
        r.outcomes_of(MDMS),
        vec![
            Outcome::Authenticated {
                subject: GW,
                key_id: 1,
                relayed_by: None,
            },
            Outcome::Authenticated {
                subject: GW,
                key_id: 2,
                relayed_by: None,
            }
        ]
    );
    assert!(r.outcomes.iter().all(|(a, _)| *a == MDMS));
    assert_eq!(r.ignored, vec![], "a benign exchange ignores nothing");
    drop(r);
    assert!(u.mdms.session_key().is_some());
    assert_eq!(u.mdms.session_key(), u.gw.session_key());
}

#[test]
fn forged_auth_prime_is_detected() {
    let mut u = uplink(3);
    let mut r = uplink_router(&mut u);
    r.tamper = Some(Box::new(|p| {
        Some(if p.kind == MgAuth::KIND {
            let mut m = MgAuth::decode(&p.pdu).unwrap();
            m.auth[0] ^= 0x80;
            m.encode()
        } else {
            p.pdu.clone()
        })
    }));
    r.start(MDMS);
    assert_eq!(
        r.outcomes_of(MDMS),
        vec![Outcome::AttackDetected {
            subject: GW,
            what: "auth_mismatch"
        }]
    );
    drop(r);
    assert!(u.mdms.session_key().is_none());
}

#[test]
fn tampered_session_value_and_meter_point_are_detected() {
    let mut u = uplink(2);
    let mut r = uplink_router(&mut u);
    r.tamper = Some(Box::new(|p| {
        let mut pdu = p.pdu.clone();
        if p.kind == MgSessionMdms::KIND {
            let at = pdu.len() - 1;
            pdu[at] ^= 1;
        }
        Some(pdu)
    }));
    r.start(MDMS);
    assert_eq!(
        r.outcomes_of(MDMS),
        vec![Outcome::AttackDetected {
            subject: AS,
            what: "session_auth_failed"
        }]
    );
    // A meter point altered on its way to the auth server.
    r.tamper = Some(Box::new(|p| {
        Some(
            if p.kind == MgAggregate::KIND && p.interface == Interface::AuthServer {
                let mut m = MgAggregate::decode(&p.pdu).unwrap();
                m.entries[1].y[31] ^= 1;
                m.encode()
            } else {
                p.pdu.clone()
            },
        )
    }));
    r.outcomes.clear();
    r.start(MDMS);
    assert_eq!(
        r.outcomes_of(AS),
        vec![Outcome::AttackDetected {
            subject: GW,
            what: "meter_point_invalid"
        }]
    );
    assert!(r.fire_next_timer());
    assert_eq!(
        r.outcomes_of(MDMS).last(),
        Some(&Outcome::Failed {
            subject: GW,
            reason: "timeout"
        })
    );
}

/// A timer that fires in a phase it does not belong to is counted, not dropped.
#[test]
fn stale_and_unexpected_timers_are_counted_as_ignored() {
    use crate::core::{TimerKey, TimerKind};
    let mut g = group(3, 2);
    let fx = crate::testing::effects_of(LEADER, |cx| {
        g.leader.on_timer(TimerKey::own(TimerKind::GroupTokens), cx);
        g.nodes[0].on_timer(TimerKey::own(TimerKind::T3410), cx);
    });
    assert_eq!(fx.ignored, vec!["stale_timer", "unexpected_timer"]);
    assert!(fx.outcomes.is_empty() && fx.transmits.is_empty());
}

/// Issue 10, defect 3: the leader's genuine GSK delivery, delivered with a
/// spoofed source, authenticates the leader (whose b_i opened it), not the
/// source; the source shows as a relay.
#[test]
fn a_gsk_delivery_from_a_spoofed_source_names_the_key_holder() {
    let mut g = group(4, 2);
    let addrs: Vec<Addr> = g.members.iter().map(|m| m.addr).collect();
    let (target, spoofed) = (addrs[1], addrs[3]);
    let mut r = router(&mut g);
    let held = std::rc::Rc::new(std::cell::RefCell::new(None));
    let keep = held.clone();
    r.tamper = Some(Box::new(move |p| {
        if p.kind == GskDelivery::KIND && p.to == crate::core::Destination::Unicast(target) {
            *keep.borrow_mut() = Some(p.pdu.clone());
            return None;
        }
        Some(p.pdu.clone())
    }));
    r.start(LEADER);
    assert_eq!(r.outcomes_of(target), vec![]);
    let pdu = held.borrow_mut().take().expect("delivery held back");
    r.inject(spoofed, target, crate::core::Interface::Han, pdu);
    assert_eq!(
        r.outcomes_of(target),
        vec![Outcome::Authenticated {
            subject: LEADER,
            key_id: 1,
            relayed_by: Some(spoofed),
        }]
    );
}

/// Issue 19: the leader's threshold test `present.len() < t` at its edge.
/// All five nodes join; the tokens of the nodes from `present` on are lost.
/// Returns the router after the token timer, and the leader's counted work
/// before that timer and after it.
fn run_with_tokens_from(g: &mut Group, present: usize) -> (Router<'_>, CryptoOps, CryptoOps) {
    let lost: Vec<Addr> = g.members[present..].iter().map(|m| m.addr).collect();
    let mut r = router(g);
    r.tamper = Some(Box::new(move |p| {
        (p.kind != GaToken::KIND || !lost.contains(&p.from)).then(|| p.pdu.clone())
    }));
    r.start(LEADER);
    let before = r.crypto[&LEADER];
    assert!(r.fire_next_timer(), "token timer");
    let after = r.crypto[&LEADER];
    (r, before, after)
}

/// Exactly t − 1 tokens: the leader concludes without any further work (no
/// identification, no GSK) and fails the present nodes as below threshold.
#[test]
fn t_minus_one_tokens_fail_below_threshold_without_identification() {
    let (n, t) = (5, 3);
    let mut g = group(n, t);
    let addrs: Vec<Addr> = g.members.iter().map(|m| m.addr).collect();
    let (r, before, after) = run_with_tokens_from(&mut g, t - 1);
    let mut want: Vec<Outcome> = addrs[t - 1..]
        .iter()
        .map(|&subject| Outcome::Failed {
            subject,
            reason: "no_token",
        })
        .collect();
    want.extend(addrs[..t - 1].iter().map(|&subject| Outcome::Failed {
        subject,
        reason: "below_threshold",
    }));
    assert_eq!(r.outcomes_of(LEADER), want);
    for p in Prim::ALL {
        assert_eq!(after.get(p), before.get(p), "{p:?} spent below threshold");
    }
    assert_eq!(count_kind(&r, GskDelivery::KIND), 0);
}

/// Exactly t tokens: the threshold is met, the subset check of
/// identification runs once and the t nodes are authenticated.
#[test]
fn exactly_t_tokens_authenticate_through_the_subset_check() {
    let (n, t) = (5u64, 3u64);
    let mut g = group(n as usize, t as usize);
    let addrs: Vec<Addr> = g.members.iter().map(|m| m.addr).collect();
    let (r, before, after) = run_with_tokens_from(&mut g, t as usize);
    assert_eq!(auth_by_leader(&r), addrs[..t as usize].to_vec());
    assert_eq!(leader_authenticated_by(&r), addrs[..t as usize].to_vec());
    // The subset check: c_i for each of the t present tokens (2(m − 2) + 1
    // + (t − 1) + 1 multiplications, one inversion), r·Σc_i, one fixed-base
    // multiplication, t − 1 additions.
    let spent = |p| after.get(p) - before.get(p);
    assert_eq!(
        spent(Prim::ScalarMul),
        t * (2 * (n - 2) + 1 + (t - 1) + 1) + 1
    );
    assert_eq!(spent(Prim::ScalarInv), t);
    assert_eq!(spent(Prim::P256MulBase), 1);
    assert_eq!(spent(Prim::P256Add), t - 1);
    assert_eq!(spent(Prim::P256Mul), 0);
    assert_eq!(count_kind(&r, GskDelivery::KIND), t as usize);
}

fn count_kind(r: &Router<'_>, kind: &str) -> usize {
    r.kinds().iter().filter(|k| **k == kind).count()
}

/// The leader's one armed timer after a session started at 5 s whose
/// messages of `lost` kind were all lost.
fn leader_deadline_with_lost(g: &mut Group, lost: &'static str) -> crate::core::Nanos {
    let mut r = router(g);
    r.now = 5 * time::SECOND;
    r.tamper = Some(Box::new(move |p| (p.kind != lost).then(|| p.pdu.clone())));
    r.start(LEADER);
    let armed: Vec<_> = r.timers.iter().filter(|((a, _), _)| *a == LEADER).collect();
    assert_eq!(armed.len(), 1);
    *armed[0].1
}

/// Issue 19 (mutants of `next_sid` and of the join and token timers'
/// deadlines survived): each session takes the next SID, and the leader
/// waits its configured join time from the request (every join lost) and
/// its token time from the challenge (every token lost).
#[test]
fn each_session_takes_the_next_sid_and_the_leaders_timers_run_from_now() {
    let cfg = ThresholdConfig::new(2);
    let mut g = group(3, 2);
    assert_eq!(g.leader.next_sid(), 1);
    let joins = leader_deadline_with_lost(&mut g, GaJoin::KIND);
    assert_eq!(joins, 5 * time::SECOND + cfg.join_timeout);
    assert_eq!(g.leader.next_sid(), 2);
    let tokens = leader_deadline_with_lost(&mut g, GaToken::KIND);
    assert_eq!(tokens, 5 * time::SECOND + cfg.token_timeout);
}

/// Issue 19 (mutants of the leader's dispatch survived): a smart meter
/// without the MDMS–gateway role rejects an access request as malformed (it
/// is not silently dropped), and a join timer firing outside the joining
/// phase is counted as stale and challenges nobody.
#[test]
fn a_leader_refuses_what_its_phase_and_role_do_not_expect() {
    use crate::core::{Incoming, TimerKey, TimerKind};
    use crate::gas::msg::uplink::MgAccessRequest;
    let mut g = group(3, 2);
    let from = Addr::new(3, 0);
    let req = MgAccessRequest { sid: 1, id_mdms: 7 }.encode();
    let fx = crate::testing::effects_of(LEADER, |cx| {
        let msg = Incoming {
            from,
            interface: Interface::Han,
            pdu: &req,
        };
        g.leader.on_message(msg, cx);
        g.leader.on_timer(TimerKey::own(TimerKind::GroupJoin), cx);
    });
    assert_eq!(
        fx.outcomes,
        vec![Outcome::Rejected {
            subject: from,
            reason: "malformed_pdu"
        }]
    );
    assert_eq!(fx.ignored, vec!["stale_timer"]);
    assert!(fx.transmits.is_empty());
}

/// Issue 19 (mutants of the gateway's meter-point checks survived): while it
/// collects, the gateway refuses a point of another session and a second
/// point of the same meter; with every point in, the session completes.
#[test]
fn the_gateway_refuses_points_of_another_session_and_repeated_points() {
    use crate::gas::msg::uplink::MgMeterPoint;
    let mut u = uplink(3);
    let mut r = uplink_router(&mut u);
    r.tamper = Some(Box::new(|p| {
        (p.kind != MgMeterPoint::KIND).then(|| p.pdu.clone())
    }));
    r.start(MDMS);
    r.tamper = None;
    let points: Vec<Vec<u8>> = r
        .pdus(MgMeterPoint::KIND)
        .iter()
        .map(|p| p.to_vec())
        .collect();
    assert_eq!(points.len(), 3);
    let mut other = MgMeterPoint::decode(&points[0]).unwrap();
    other.sid += 1;
    let meter0 = Addr::new(2, 0);
    r.inject(meter0, GW, Interface::Nan, other.encode());
    r.inject(meter0, GW, Interface::Nan, points[0].clone());
    r.inject(meter0, GW, Interface::Nan, points[0].clone());
    let refused: Vec<_> = r.outcomes_of(GW);
    let reasons: Vec<&str> = refused
        .iter()
        .map(|o| match o {
            Outcome::Rejected { reason, .. } => *reason,
            other => panic!("{other:?}"),
        })
        .collect();
    assert_eq!(reasons, ["unexpected_session", "duplicate_point"]);
    for (i, p) in points.iter().enumerate().skip(1) {
        r.inject(Addr::new(2, i as u32), GW, Interface::Nan, p.clone());
    }
    assert!(matches!(
        r.outcomes_of(MDMS)[..],
        [Outcome::Authenticated { subject: GW, .. }]
    ));
}

/// Issue 19 (mutants of the gateway's meter timer survived): with one
/// meter's point lost, the gateway waits its configured time from the
/// access request, then sends the points it has.
#[test]
fn the_gateway_sends_the_points_it_has_when_its_meter_timer_fires() {
    use crate::gas::msg::uplink::MgMeterPoint;
    let mut u = uplink(3);
    let mut r = uplink_router(&mut u);
    r.now = 5 * time::SECOND;
    r.tamper = Some(crate::aka::test_support::drop_first(MgMeterPoint::KIND));
    r.start(MDMS);
    assert!(r.pdus(MgAggregate::KIND).is_empty());
    let gw_timers: Vec<_> = r.timers.iter().filter(|((a, _), _)| *a == GW).collect();
    assert_eq!(gw_timers.len(), 1);
    assert_eq!(*gw_timers[0].1, 6 * time::SECOND, "1 s from the request");
    while r.timers.keys().any(|(a, _)| *a == GW) {
        assert!(r.fire_next_timer());
    }
    let sent = r.pdus(MgAggregate::KIND);
    assert_eq!(MgAggregate::decode(sent[0]).unwrap().entries.len(), 2);
}

/// Issue 19 (mutants of the MDMS's session checks survived): the MDMS
/// refuses a second aggregate and a second session message of a session it
/// has, and an aggregate naming another MDMS.
#[test]
fn the_mdms_refuses_repeated_and_misaddressed_session_messages() {
    let mut u = uplink(3);
    let mut r = uplink_router(&mut u);
    r.start(MDMS);
    assert!(matches!(
        r.outcomes_of(MDMS)[..],
        [Outcome::Authenticated { subject: GW, .. }]
    ));
    let agg = r.pdus(MgAggregate::KIND)[0].to_vec();
    let session = r.pdus(MgSessionMdms::KIND)[0].to_vec();
    r.inject(GW, MDMS, Interface::Wan, agg.clone());
    r.inject(AS, MDMS, Interface::AuthServer, session);
    assert_eq!(
        r.rejections(MDMS),
        ["unexpected_session", "unexpected_session"]
    );
    drop(r);
    // A new session whose aggregate names another MDMS.
    let mut r2 = uplink_router(&mut u);
    r2.tamper = Some(Box::new(|p| {
        Some(
            if p.kind == MgAggregate::KIND && p.to == crate::core::Destination::Unicast(MDMS) {
                let mut a = MgAggregate::decode(&p.pdu).unwrap();
                a.id_mdms += 1;
                a.encode()
            } else {
                p.pdu.clone()
            },
        )
    }));
    r2.start(MDMS);
    assert_eq!(r2.rejections(MDMS), ["malformed_pdu"]);
    assert!(r2.pdus(MgAggregate::KIND).len() == 1, "not forwarded");
}

/// Issue 19 (a mutant silencing the auth server's `on_timer` survived):
/// the auth server arms no timer, so any timer reaching it is counted.
#[test]
fn a_timer_at_the_auth_server_is_counted_as_ignored() {
    use crate::core::{TimerKey, TimerKind};
    let mut u = uplink(1);
    let key = TimerKey::own(TimerKind::T3410);
    let fx = crate::testing::effects_of(AS, |cx| u.auth.on_timer(key, cx));
    assert_eq!(fx.ignored, vec!["unexpected_timer"]);
}

/// Messages of the `kinds` are held back (logged, not delivered).
fn hold(kinds: &'static [&'static str]) -> crate::testing::Tamper<'static> {
    Box::new(move |p| (!kinds.contains(&p.kind)).then(|| p.pdu.clone()))
}

/// Issue 19 (mutants of the session checks of the gateway and the MDMS
/// survived): while the auth server's answers are held back, a session
/// message of another SID and a second aggregate are refused; the genuine
/// answers then complete the session.
#[test]
fn session_messages_out_of_turn_are_refused_by_gateway_and_mdms() {
    use crate::gas::msg::uplink::MgSessionGateway;
    let mut u = uplink(3);
    let mut r = uplink_router(&mut u);
    r.tamper = Some(hold(&[MgSessionMdms::KIND, MgSessionGateway::KIND]));
    r.start(MDMS);
    let to_mdms = r.pdus(MgSessionMdms::KIND)[0].to_vec();
    let agg = r.pdus(MgAggregate::KIND)[0].to_vec();
    r.inject(GW, MDMS, Interface::Wan, agg);
    let mut wrong = MgSessionMdms::decode(&to_mdms).unwrap();
    wrong.sid += 1;
    r.inject(AS, MDMS, Interface::AuthServer, wrong.encode());
    assert_eq!(
        r.rejections(MDMS),
        ["unexpected_session", "unexpected_session"]
    );
    r.tamper = None;
    r.inject(AS, MDMS, Interface::AuthServer, to_mdms);
    let to_gw = r.pdus(MgSessionGateway::KIND)[0].to_vec();
    let mut wrong = MgSessionGateway::decode(&to_gw).unwrap();
    wrong.sid += 1;
    r.inject(AS, GW, Interface::AuthServer, wrong.encode());
    assert_eq!(r.rejections(GW), ["unexpected_session"]);
    r.inject(AS, GW, Interface::AuthServer, to_gw);
    assert!(matches!(
        r.outcomes_of(MDMS)[..],
        [.., Outcome::Authenticated { subject: GW, .. }]
    ));
}

/// Issue 19 (a mutant of the MDMS's session check survived): a session
/// message before the session's aggregate (here an earlier session's,
/// relabelled) is refused as out of turn, without opening it.
#[test]
fn a_session_message_before_the_aggregate_is_refused_by_the_mdms() {
    use crate::gas::msg::uplink::MgAccessRequest;
    let mut u = uplink(3);
    let mut r = uplink_router(&mut u);
    r.start(MDMS);
    let earlier = r.pdus(MgSessionMdms::KIND)[0].to_vec();
    drop(r);
    let mut r = uplink_router(&mut u);
    r.tamper = Some(hold(&[MgAggregate::KIND]));
    r.start(MDMS);
    let req = r.pdus(MgAccessRequest::KIND)[0].to_vec();
    let mut early = MgSessionMdms::decode(&earlier).unwrap();
    early.sid = MgAccessRequest::decode(&req).unwrap().sid;
    let before = r.crypto.get(&MDMS).copied().unwrap_or_default();
    r.inject(AS, MDMS, Interface::AuthServer, early.encode());
    assert_eq!(r.rejections(MDMS), ["unexpected_session"]);
    assert_eq!(r.crypto.get(&MDMS).copied().unwrap_or_default(), before);
}

/// Rewrites every message of `kind` (type `M`) with `edit`.
fn rewrite<M: crate::wire::Message + 'static>(
    kind: &'static str,
    edit: impl Fn(&mut M) + 'static,
) -> crate::testing::Tamper<'static> {
    Box::new(move |p| {
        Some(if p.kind == kind {
            let mut m = M::decode(&p.pdu).unwrap();
            edit(&mut m);
            m.encode()
        } else {
            p.pdu.clone()
        })
    })
}

/// Issue 19 (mutants of the meter node's challenge and GSK checks
/// survived): a node refuses a challenge whose participant list is below t
/// or leaves it out, and a GSK delivery addressed to another node's
/// identifier; `MeterNode::id` is its registered identifier.
#[test]
fn meter_nodes_refuse_challenges_and_deliveries_not_meant_for_them() {
    use crate::gas::msg::intra::GaChallenge;
    let mut g = group(3, 2);
    let ids: Vec<u64> = g.members.iter().map(|m| m.id).collect();
    let addrs: Vec<Addr> = g.members.iter().map(|m| m.addr).collect();
    for (node, id) in g.nodes.iter().zip(&ids) {
        assert_eq!(node.id(), *id);
    }
    // Below t: only node 0 listed (t = 2).
    let only_first = ids[0];
    let mut r = router(&mut g);
    r.tamper = Some(rewrite(GaChallenge::KIND, move |c: &mut GaChallenge| {
        c.ids = vec![only_first];
    }));
    r.start(LEADER);
    assert_eq!(r.rejections(addrs[0]), ["bad_challenge"]);
    drop(r);
    // Node 0 left out of a list of t others.
    let others = vec![ids[1], ids[2]];
    let mut r = router(&mut g);
    r.tamper = Some(rewrite(GaChallenge::KIND, move |c: &mut GaChallenge| {
        c.ids = others.clone();
    }));
    r.start(LEADER);
    assert_eq!(r.rejections(addrs[0]), ["bad_challenge"]);
    drop(r);
    // Node 0's GSK delivery relabelled with node 1's identifier.
    let (to0, id1) = (addrs[0], ids[1]);
    let mut r = router(&mut g);
    r.tamper = Some(Box::new(move |p| {
        Some(
            if p.kind == GskDelivery::KIND && p.to == crate::core::Destination::Unicast(to0) {
                let mut d = GskDelivery::decode(&p.pdu).unwrap();
                d.id = id1;
                d.encode()
            } else {
                p.pdu.clone()
            },
        )
    }));
    r.start(LEADER);
    assert_eq!(r.rejections(addrs[0]), ["unexpected_session"]);
}

/// Issue 19 (mutants of the dealers' argument checks survived): the
/// threshold dealer refuses t = 0 and t > n and a group whose challenge
/// would not fit one message (and nothing smaller); the uplink dealer
/// refuses no meters and more than an aggregate carries; `LeaderKeys::t`
/// is the threshold dealt, and every key is drawn afresh.
#[test]
fn the_dealers_refuse_what_they_cannot_deal() {
    use crate::gas::SetupError;
    use crate::gas::msg::intra::GaChallenge;
    let mut rng = SimRng::seed_from_u64(3);
    let ops = &mut CryptoOps::default();
    let ids = [1, 2, 3];
    for t in [0, 4] {
        let got = register(t, &ids, &mut rng, ops);
        assert!(matches!(got, Err(SetupError::Threshold { t: tt, n: 3 }) if tt == t));
    }
    assert_eq!(register(3, &ids, &mut rng, ops).unwrap().leader.t(), 3);
    // The largest group whose challenge fits a u16 length.
    let body = |n: usize| GaChallenge::len(n) - crate::wire::tlv::HEADER_LEN;
    let n_max = (1..)
        .take_while(|&n| body(n) <= u16::MAX as usize)
        .last()
        .unwrap();
    let many: Vec<u64> = (1..=n_max as u64 + 1).collect();
    assert!(register(1, &many[..n_max], &mut rng, ops).is_ok());
    let too_many = register(1, &many, &mut rng, ops);
    assert!(matches!(too_many, Err(SetupError::TooLarge(n)) if n == n_max + 1));
    // t beyond a u16 is refused as too large a group, not as a bad threshold.
    let huge: Vec<u64> = (1..=u16::MAX as u64).collect();
    let t_max = register(u16::MAX as usize, &huge, &mut rng, ops);
    assert!(matches!(t_max, Err(SetupError::TooLarge(_))));
    // The uplink dealer.
    assert!(matches!(
        register_uplink(1, 2, &[], &mut rng),
        Err(SetupError::TooLarge(0))
    ));
    let max = MgAggregate::MAX_METERS;
    let meters: Vec<u64> = (10..10 + max as u64 + 1).collect();
    assert!(register_uplink(1, 2, &meters[..max], &mut rng).is_ok());
    let over = register_uplink(1, 2, &meters, &mut rng);
    assert!(matches!(over, Err(SetupError::TooLarge(n)) if n == max + 1));
    let a = register_uplink(1, 2, &[5, 6], &mut rng).unwrap();
    let b = register_uplink(1, 2, &[5, 6], &mut rng).unwrap();
    assert_ne!(*a.mdms.k, *b.mdms.k, "fresh keys");
    assert_ne!(*a.mdms.k, [0; 32]);
}

/// Issue 19 (a mutant of the MDMS's session timer survived): with the
/// access request lost, the MDMS waits its configured time from the start.
#[test]
fn the_mdms_session_timer_runs_from_the_start() {
    use crate::gas::msg::uplink::MgAccessRequest;
    let mut u = uplink(2);
    let mut r = uplink_router(&mut u);
    r.now = 5 * time::SECOND;
    r.tamper = Some(hold(&[MgAccessRequest::KIND]));
    r.start(MDMS);
    let armed: Vec<_> = r.timers.iter().filter(|((a, _), _)| *a == MDMS).collect();
    assert_eq!(armed.len(), 1);
    assert_eq!(*armed[0].1, 6 * time::SECOND);
}
