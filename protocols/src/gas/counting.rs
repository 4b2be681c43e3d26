//! Closed-form message counts of each scheme's loss-free, all-honest flow
//! (docs/counting.md), computed from the encoders' own size constants.
//!
//! n = registered members/nodes, m = participants, u = smart meters asked
//! in the MDMS–gateway phase. A broadcast to k receivers is one transmission
//! and k deliveries (docs/counting.md, "Rules").

use crate::core::{CryptoOps, Interface, Prim};
use crate::crypto::sha256_blocks;
use crate::gas::hash::LABEL_LEN;
use crate::gas::msg::group::{Start, Token};
use crate::gas::msg::intra::{GSK_LEN, GaChallenge, GaJoin, GaRequest, GaToken, GskDelivery};
use crate::gas::msg::uplink::{
    MgAccessRequest, MgAggregate, MgAuth, MgMeterPoint, MgSessionGateway, MgSessionMdms,
    SESSION_PT_LEN,
};
use crate::gas::msg::{HT_NONCE_LEN, ID_LEN, POINT_LEN, R_LEN, SCALAR_LEN, SID_LEN};

/// Count of one message type on one interface.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct KindCount {
    pub interface: Interface,
    pub kind: &'static str,
    pub transmissions: u64,
    pub deliveries: u64,
    /// Encoded octets of each transmission.
    pub size: u64,
}

impl KindCount {
    const fn new(
        interface: Interface,
        kind: &'static str,
        tx: usize,
        rx: usize,
        size: usize,
    ) -> Self {
        Self {
            interface,
            kind,
            transmissions: tx as u64,
            deliveries: rx as u64,
            size: size as u64,
        }
    }
    /// Octets transmitted (each broadcast counted once).
    pub fn bytes(&self) -> u64 {
        self.transmissions * self.size
    }
    /// Octets delivered (each broadcast counted per receiver).
    pub fn delivered_bytes(&self) -> u64 {
        self.deliveries * self.size
    }
}

/// Harn with m participants: 1 + m transmissions, m² − 1 deliveries.
pub fn harn(m: usize) -> Vec<KindCount> {
    vec![
        KindCount::new(Interface::Han, "HarnStart", 1, m - 1, Start::len(m)),
        KindCount::new(
            Interface::Han,
            "HarnToken",
            m,
            m * (m - 1),
            Token::<SCALAR_LEN>::LEN,
        ),
    ]
}

/// Chien with m participants: same flow as Harn, point tokens.
pub fn chien(m: usize) -> Vec<KindCount> {
    vec![
        KindCount::new(Interface::Han, "ChienStart", 1, m - 1, Start::len(m)),
        KindCount::new(
            Interface::Han,
            "ChienToken",
            m,
            m * (m - 1),
            Token::<POINT_LEN>::LEN,
        ),
    ]
}

/// Threshold GAS nodes–smart meter phase and GSK distribution, n registered
/// nodes of which m take part: 3m + 2 transmissions, n + 4m deliveries.
pub fn threshold_intra(n: usize, m: usize) -> Vec<KindCount> {
    vec![
        KindCount::new(Interface::Han, GaRequest::KIND, 1, n, GaRequest::LEN),
        KindCount::new(Interface::Han, GaJoin::KIND, m, m, GaJoin::LEN),
        KindCount::new(Interface::Han, GaChallenge::KIND, 1, m, GaChallenge::len(m)),
        KindCount::new(Interface::Han, GaToken::KIND, m, m, GaToken::LEN),
        KindCount::new(Interface::Han, GskDelivery::KIND, m, m, GskDelivery::LEN),
    ]
}

/// Threshold GAS MDMS–gateway phase with u smart meters: u + 7
/// transmissions, 2u + 6 deliveries.
pub fn threshold_uplink(u: usize) -> Vec<KindCount> {
    vec![
        KindCount::new(
            Interface::Wan,
            MgAccessRequest::KIND,
            1,
            1,
            MgAccessRequest::LEN,
        ),
        KindCount::new(
            Interface::Nan,
            MgAccessRequest::KIND,
            1,
            u,
            MgAccessRequest::LEN,
        ),
        KindCount::new(Interface::Nan, MgMeterPoint::KIND, u, u, MgMeterPoint::LEN),
        KindCount::new(Interface::Wan, MgAggregate::KIND, 1, 1, MgAggregate::len(u)),
        KindCount::new(
            Interface::AuthServer,
            MgAggregate::KIND,
            1,
            1,
            MgAggregate::len(u),
        ),
        KindCount::new(
            Interface::AuthServer,
            MgSessionMdms::KIND,
            1,
            1,
            MgSessionMdms::LEN,
        ),
        KindCount::new(
            Interface::AuthServer,
            MgSessionGateway::KIND,
            1,
            1,
            MgSessionGateway::LEN,
        ),
        KindCount::new(Interface::Wan, MgAuth::KIND, 1, 1, MgAuth::LEN),
    ]
}

/// Crypto work of one role in the loss-free, all-honest flow.
fn ops(list: &[(Prim, usize)]) -> CryptoOps {
    let mut o = CryptoOps::default();
    for &(p, n) in list {
        o.add(p, n as u64);
    }
    o
}

/// SHA-256 blocks of one labelled hash over `len` octets after the label.
fn h(len: usize) -> usize {
    sha256_blocks(LABEL_LEN + len) as usize
}

/// Multiplications of one Lagrange coefficient over `p` points (p ≥ 2).
const fn lagrange_muls(p: usize) -> usize {
    2 * (p - 2) + 1
}

/// Harn member, per session: token (m − 2) + k(m + 1) mult., 1 inv.; H(Σ c_i).
pub fn harn_member_ops(m: usize, k: usize) -> CryptoOps {
    ops(&[
        (Prim::ScalarMul, (m - 2) + k * (m + 1)),
        (Prim::ScalarInv, 1),
        (Prim::Sha256Block, h(SCALAR_LEN)),
    ])
}

/// Chien member, per session: c_i and T_i = c_i·P_j; Σ T_i and its hash.
pub fn chien_member_ops(m: usize) -> CryptoOps {
    ops(&[
        (Prim::ScalarMul, lagrange_muls(m) + 1),
        (Prim::ScalarInv, 1),
        (Prim::P256Mul, 1),
        (Prim::P256Add, m - 1),
        (Prim::Sha256Block, h(POINT_LEN)),
    ])
}

/// Threshold meter node, per session (m ≥ 2 participants).
pub fn threshold_node_ops(m: usize) -> CryptoOps {
    ops(&[
        (Prim::ScalarMul, lagrange_muls(m) + 1),
        (Prim::ScalarInv, 1),
        (Prim::P256Mul, 1),
        // v_i, then k_i.
        (
            Prim::Sha256Block,
            h(HT_NONCE_LEN + 32 + POINT_LEN + SID_LEN + ID_LEN) + h(32),
        ),
        (Prim::AeadByte, GSK_LEN),
    ])
}

/// Threshold smart meter (leader), per session, no failing node.
pub fn threshold_leader_ops(m: usize) -> CryptoOps {
    let per_token = h(32 + ID_LEN) + h(HT_NONCE_LEN + 32 + POINT_LEN + SID_LEN + ID_LEN);
    ops(&[
        // sc·r
        (Prim::ScalarMul, 1),
        // P_s = r·G and sc·P_s = (sc·r)·G
        (Prim::P256MulBase, 2),
        (Prim::P256Add, m - 1),
        (
            Prim::Sha256Block,
            // h(sc·P_s), b_i and v_i per token, h(V), GSK, k_i per node
            2 * h(POINT_LEN) + m * per_token + h(POINT_LEN + 32 + SCALAR_LEN) + m * h(32),
        ),
        (Prim::AeadByte, m * GSK_LEN),
    ])
}

/// MDMS–gateway phase, per smart meter: P_t = h_2(κ ‖ SID ‖ ID_S).
pub fn uplink_meter_ops() -> CryptoOps {
    ops(&[(Prim::Sha256Block, 2 * h(32 + SID_LEN + ID_LEN))])
}

/// Interpolating at one point over u + 1 points: (u + 1)·2u mult., u + 1 inv.
fn fs_ops(u: usize) -> [(Prim, usize); 2] {
    [
        (Prim::ScalarMul, (u + 1) * (lagrange_muls(u + 1) + 1)),
        (Prim::ScalarInv, u + 1),
    ]
}

/// Gateway: h_2(g_u ‖ R ‖ SID), f_s(0), AUTH', SK.
pub fn uplink_gateway_ops(u: usize) -> CryptoOps {
    let [m, i] = fs_ops(u);
    ops(&[
        m,
        i,
        (
            Prim::Sha256Block,
            2 * h(32 + R_LEN + SID_LEN)
                + h(SID_LEN + ID_LEN + SCALAR_LEN)
                + h(SCALAR_LEN + SID_LEN),
        ),
    ])
}

/// MDMS: open E_k, f_s(0), AUTH, SK.
pub fn uplink_mdms_ops(u: usize) -> CryptoOps {
    let [m, i] = fs_ops(u);
    ops(&[
        m,
        i,
        (Prim::AeadByte, SESSION_PT_LEN),
        (
            Prim::Sha256Block,
            h(SID_LEN + ID_LEN + SCALAR_LEN) + h(SCALAR_LEN + SID_LEN),
        ),
    ])
}

/// Auth server: check u meter points, h_2(g_u ‖ R ‖ SID), f_s(x_s), seal E_k.
pub fn uplink_auth_server_ops(u: usize) -> CryptoOps {
    let [m, i] = fs_ops(u);
    ops(&[
        m,
        i,
        (Prim::AeadByte, SESSION_PT_LEN),
        (
            Prim::Sha256Block,
            u * 2 * h(32 + SID_LEN + ID_LEN) + 2 * h(32 + R_LEN + SID_LEN),
        ),
    ])
}

/// Sum of transmissions, deliveries and transmitted octets.
pub fn totals(counts: &[KindCount]) -> (u64, u64, u64) {
    counts.iter().fold((0, 0, 0), |(t, d, b), c| {
        (t + c.transmissions, d + c.deliveries, b + c.bytes())
    })
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeMap;

    use rand::SeedableRng;

    use super::*;
    use crate::core::{Addr, Destination, Endpoint, Outcome, SimRng, time};
    use crate::gas::Member;
    use crate::gas::chien::{self, ChienConfig};
    use crate::gas::group::Roster;
    use crate::gas::harn::{self, HarnConfig, HarnVariant};
    use crate::gas::threshold::{
        self, AuthServer, Gateway, GatewayRecord, Mdms, MeterNode, SmartMeter, ThresholdConfig,
    };
    use crate::testing::Router;

    /// What the router logged, per (interface, kind): (tx, deliveries, octets, size).
    fn measured(r: &Router<'_>) -> BTreeMap<(Interface, &'static str), (u64, u64, u64, u64)> {
        let mut out = BTreeMap::new();
        for p in &r.log {
            let rx = match &p.to {
                Destination::Unicast(_) => 1,
                Destination::Broadcast(v) => v.len() as u64,
            };
            let e = out
                .entry((p.interface, p.kind))
                .or_insert((0, 0, 0, p.pdu.len() as u64));
            e.0 += 1;
            e.1 += rx;
            e.2 += p.pdu.len() as u64;
            assert_eq!(e.3, p.pdu.len() as u64, "{} sizes vary", p.kind);
        }
        out
    }

    fn assert_matches(r: &Router<'_>, expected: &[KindCount]) {
        let got = measured(r);
        assert_eq!(got.len(), expected.len(), "message types: {got:?}");
        for c in expected {
            let g = got
                .get(&(c.interface, c.kind))
                .unwrap_or_else(|| panic!("{} not sent", c.kind));
            assert_eq!(
                *g,
                (c.transmissions, c.deliveries, c.bytes(), c.size),
                "{}",
                c.kind
            );
        }
    }

    fn members(n: usize) -> Vec<Member> {
        (0..n)
            .map(|i| Member {
                id: 100 + i as u64,
                addr: Addr::new(1, i as u32),
            })
            .collect()
    }

    /// The polynomials written in docs/counting.md.
    #[test]
    fn documented_totals() {
        let delivered = |c: &[KindCount]| c.iter().map(KindCount::delivered_bytes).sum::<u64>();
        for m in 2..40u64 {
            let mu = m as usize;
            assert_eq!(totals(&harn(mu)), (1 + m, m * m - 1, 14 + 65 * m));
            assert_eq!(delivered(&harn(mu)), (m - 1) * (14 + 65 * m));
            assert_eq!(totals(&chien(mu)), (1 + m, m * m - 1, 14 + 66 * m));
            assert_eq!(delivered(&chien(mu)), (m - 1) * (14 + 66 * m));
            for n in m..m + 5 {
                let c = threshold_intra(n as usize, mu);
                assert_eq!(totals(&c), (3 * m + 2, n + 4 * m, 88 + 223 * m));
                assert_eq!(delivered(&c), 15 * n + 288 * m + 8 * m * m);
            }
            let c = threshold_uplink(mu);
            assert_eq!(totals(&c), (m + 7, 2 * m + 6, 331 + 240 * m));
            assert_eq!(delivered(&c), 305 + 266 * m);
        }
    }

    #[test]
    fn harn_and_chien_match_closed_forms() {
        for (n, m, t) in [(3, 3, 2), (5, 4, 3), (8, 8, 8)] {
            let mut rng = SimRng::seed_from_u64(n as u64);
            let mut ops = Default::default();
            let roster = Roster::new(members(n)).unwrap();
            let ids: Vec<u64> = roster.members()[..m].iter().map(|x| x.id).collect();

            let cfg = HarnConfig {
                t,
                variant: HarnVariant::Basic,
                token_timeout: time::SECOND,
            };
            let mut hs = harn::setup(&cfg, roster.clone(), &mut rng, &mut ops).unwrap();
            hs[0].set_participants(ids.clone());
            let mut r = Router::new(1);
            for (mb, h) in roster.members().iter().zip(hs.iter_mut()) {
                r.add(mb.addr, h as &mut dyn Endpoint);
            }
            r.start(roster.members()[0].addr);
            assert_matches(&r, &harn(m));
            let ok = r
                .outcomes
                .iter()
                .filter(|(_, o)| matches!(o, Outcome::Authenticated { .. }))
                .count();
            assert_eq!(ok, m * (m - 1));
            for mb in &roster.members()[..m] {
                assert_eq!(r.crypto[&mb.addr], harn_member_ops(m, 1), "Harn member");
            }

            let cfg = ChienConfig {
                t,
                sessions: 2,
                token_timeout: time::SECOND,
            };
            let mut cs = chien::setup(&cfg, roster.clone(), &mut rng, &mut ops).unwrap();
            cs[0].set_participants(ids.clone());
            let mut r = Router::new(2);
            for (mb, c) in roster.members().iter().zip(cs.iter_mut()) {
                r.add(mb.addr, c as &mut dyn Endpoint);
            }
            r.start(roster.members()[0].addr);
            assert_matches(&r, &chien(m));
            let ok = r
                .outcomes
                .iter()
                .filter(|(_, o)| matches!(o, Outcome::Authenticated { .. }))
                .count();
            assert_eq!(ok, m * (m - 1));
            for mb in &roster.members()[..m] {
                assert_eq!(r.crypto[&mb.addr], chien_member_ops(m), "Chien member");
            }
        }
    }

    #[test]
    fn threshold_intra_matches_closed_form() {
        for (n, m, t) in [(3, 3, 2), (10, 10, 5), (10, 7, 7)] {
            let mut rng = SimRng::seed_from_u64(7);
            let mut ops = Default::default();
            let nodes = members(n);
            let ids: Vec<u64> = nodes.iter().map(|x| x.id).collect();
            let reg = threshold::register(t, &ids, &mut rng, &mut ops).unwrap();
            let leader = Addr::new(0, 0);
            let mut sm = SmartMeter::new(reg.leader, nodes.clone(), ThresholdConfig::new(t));
            let mut ns: Vec<MeterNode> = reg
                .nodes
                .into_iter()
                .enumerate()
                .map(|(i, k)| {
                    let node = MeterNode::new(k, leader);
                    if i < m { node } else { node.offline() }
                })
                .collect();
            let mut r = Router::new(3);
            r.add(leader, &mut sm);
            for (mb, nd) in nodes.iter().zip(ns.iter_mut()) {
                r.add(mb.addr, nd as &mut dyn Endpoint);
            }
            r.start(leader);
            if m < n {
                assert!(r.fire_next_timer(), "join timer");
            }
            assert_matches(&r, &threshold_intra(n, m));
            let (tx, rx, _) = totals(&threshold_intra(n, m));
            assert_eq!((tx, rx), ((3 * m + 2) as u64, (n + 4 * m) as u64));
            let ok = r
                .outcomes
                .iter()
                .filter(|(_, o)| matches!(o, Outcome::Authenticated { .. }))
                .count();
            assert_eq!(
                ok,
                2 * m,
                "leader authenticates m nodes, m nodes the leader"
            );
            assert_eq!(r.crypto[&leader], threshold_leader_ops(m), "leader");
            for mb in &nodes[..m] {
                assert_eq!(r.crypto[&mb.addr], threshold_node_ops(m), "node");
            }
        }
    }

    #[test]
    fn threshold_uplink_matches_closed_form() {
        for u in [1usize, 3, 6] {
            let mut rng = SimRng::seed_from_u64(11);
            let mut ops = Default::default();
            let meter_ids: Vec<u64> = (1..=u as u64).collect();
            let up = threshold::register_uplink(900, 800, &meter_ids, &mut rng).unwrap();
            let (mdms_a, gw_a, as_a) = (Addr::new(9, 0), Addr::new(8, 0), Addr::new(7, 0));
            let meter_addrs: Vec<Addr> = (0..u).map(|i| Addr::new(2, i as u32)).collect();
            let mut meters: Vec<SmartMeter> = up
                .meters
                .iter()
                .map(|k| {
                    // A smart meter with one node; only its uplink matters here.
                    let reg = threshold::register(1, &[1], &mut rng, &mut ops).unwrap();
                    let node = vec![Member {
                        id: 1,
                        addr: Addr::new(3, 0),
                    }];
                    SmartMeter::new(reg.leader, node, ThresholdConfig::new(1))
                        .with_uplink(k.clone(), gw_a)
                })
                .collect();
            let mut mdms = Mdms::new(up.mdms.clone(), gw_a, as_a, time::SECOND);
            let mut gw = Gateway::new(
                up.gateway.clone(),
                mdms_a,
                meter_addrs.clone(),
                time::SECOND,
            );
            let mut auth = AuthServer::new(
                up.mdms.clone(),
                mdms_a,
                vec![GatewayRecord {
                    keys: up.gateway.clone(),
                    addr: gw_a,
                }],
                up.meters.clone(),
            );
            let mut r = Router::new(4);
            r.add(mdms_a, &mut mdms);
            r.add(gw_a, &mut gw);
            r.add(as_a, &mut auth);
            for (a, sm) in meter_addrs.iter().zip(meters.iter_mut()) {
                r.add(*a, sm as &mut dyn Endpoint);
            }
            r.start(mdms_a);
            assert_matches(&r, &threshold_uplink(u));
            let (tx, rx, _) = totals(&threshold_uplink(u));
            assert_eq!((tx, rx), ((u + 7) as u64, (2 * u + 6) as u64));
            assert_eq!(
                r.outcomes_of(mdms_a),
                vec![Outcome::Authenticated {
                    subject: gw_a,
                    key_id: 1,
                    relayed_by: None,
                }]
            );
            for a in &meter_addrs {
                assert_eq!(r.crypto[a], uplink_meter_ops(), "smart meter");
            }
            assert_eq!(r.crypto[&gw_a], uplink_gateway_ops(u), "gateway");
            assert_eq!(r.crypto[&mdms_a], uplink_mdms_ops(u), "MDMS");
            assert_eq!(r.crypto[&as_a], uplink_auth_server_ops(u), "auth server");
            drop(r);
            assert!(mdms.session_key().is_some());
            assert_eq!(mdms.session_key(), gw.session_key());
        }
    }
}
