//! The smart meter: group leader of its meter nodes (§4.2, §4.3), and one of
//! the meters answering the gateway in the MDMS–gateway phase (§4.4).
//!
//! ```text
//! start ─ GaRequest(SID) ─▶ n nodes            (broadcast)
//!        ◀─ GaJoin(SID, ID_i) ─ m nodes
//!        ─ GaChallenge(SID, η, P_s, M) ─▶ m    (broadcast; all n joined or join timer)
//!        ◀─ GaToken(SID, ID_i, v_i, T_i) ─ m
//!   check v_i; h(ΣT_i) = h(sc·P_s)? else identify (see `identify`)
//!        ─ GskDelivery(SID, ID_i, E_{k_i}(GSK)) ─▶ each authenticated node
//! ```

use p256::{ProjectivePoint, Scalar};
use rand::Rng;
use zeroize::Zeroizing;

use crate::core::{Addr, Ctx, Endpoint, Incoming, Interface, Outcome, TimerKey, TimerKind};
use crate::crypto::ct_eq;
use crate::gas::field;
use crate::gas::msg::intra::{
    GA_JOIN, GA_TOKEN, GaChallenge, GaJoin, GaRequest, GaToken, GskDelivery, gsk_aad,
};
use crate::gas::msg::uplink::MG_ACCESS_REQUEST;
use crate::gas::msg::{GCM_NONCE_LEN, HT_NONCE_LEN};
use crate::gas::{Member, aead, ec};
use crate::wire::tlv;

use super::identify::identify;
use super::setup::{LeaderKeys, MeterUplinkKeys};
use super::uplink::MeterUplink;
use super::{ThresholdConfig, derive};

const JOIN_TIMER: TimerKey = TimerKey::own(TimerKind::GroupJoin);
const TOKEN_TIMER: TimerKey = TimerKey::own(TimerKind::GroupTokens);

/// One challenged participant, as the leader tracks it.
struct Slot {
    member: Member,
    /// b_i, once a token with a valid v_i arrived.
    b: Option<Zeroizing<[u8; 32]>>,
    token: Option<ProjectivePoint>,
}

enum Phase {
    Idle,
    Joining {
        sid: u64,
        joined: Vec<Member>,
    },
    Tokens {
        sid: u64,
        nonce: [u8; HT_NONCE_LEN],
        r: Zeroizing<Scalar>,
        ps: ProjectivePoint,
        /// h(sc·P_s), computed when P_s is drawn.
        expected: [u8; 32],
        slots: Vec<Slot>,
    },
}

/// Smart meter endpoint. `start` runs one nodes–smart meter group
/// authentication; it answers §4.4 access requests when an uplink is set.
pub struct SmartMeter {
    keys: LeaderKeys,
    /// The registered nodes (n of them, sorted by identifier).
    nodes: Vec<Member>,
    cfg: ThresholdConfig,
    next_sid: u64,
    phase: Phase,
    gsk: Option<Zeroizing<[u8; 32]>>,
    uplink: Option<MeterUplink>,
}

impl SmartMeter {
    pub fn new(keys: LeaderKeys, mut nodes: Vec<Member>, cfg: ThresholdConfig) -> Self {
        nodes.sort_by_key(|m| m.id);
        Self {
            keys,
            nodes,
            cfg,
            next_sid: 1,
            phase: Phase::Idle,
            gsk: None,
            uplink: None,
        }
    }
    /// Makes this smart meter answer the gateway in the MDMS–gateway phase.
    pub fn with_uplink(mut self, keys: MeterUplinkKeys, gateway: Addr) -> Self {
        self.uplink = Some(MeterUplink::new(keys, gateway));
        self
    }
    /// The group session key of the last successful session.
    pub fn gsk(&self) -> Option<&[u8; 32]> {
        self.gsk.as_deref()
    }
    /// The SID the next `start` will use.
    pub fn next_sid(&self) -> u64 {
        self.next_sid
    }

    fn member(&self, id: u64) -> Option<Member> {
        self.nodes
            .binary_search_by_key(&id, |m| m.id)
            .ok()
            .map(|i| self.nodes[i])
    }

    fn on_join(&mut self, from: Addr, pdu: &[u8], cx: &mut Ctx<'_>) {
        let Ok(join) = GaJoin::decode(pdu) else {
            return cx.fx.outcome(Outcome::Rejected {
                subject: from,
                reason: "malformed_pdu",
            });
        };
        let Some(member) = self.member(join.id) else {
            return cx.fx.outcome(Outcome::Rejected {
                subject: from,
                reason: "not_a_member",
            });
        };
        let n = self.nodes.len();
        let Phase::Joining { sid, joined } = &mut self.phase else {
            return cx.fx.outcome(Outcome::Rejected {
                subject: from,
                reason: "unexpected_session",
            });
        };
        if join.sid != *sid {
            return cx.fx.outcome(Outcome::Rejected {
                subject: from,
                reason: "unexpected_session",
            });
        }
        if !joined.iter().any(|m| m.id == join.id) {
            joined.push(member);
        }
        if joined.len() == n {
            self.challenge(cx);
        }
    }

    /// Step 3: fresh P_s = r·G and h_t selector η to the joined nodes.
    fn challenge(&mut self, cx: &mut Ctx<'_>) {
        let Phase::Joining { sid, joined } = std::mem::replace(&mut self.phase, Phase::Idle) else {
            return;
        };
        cx.fx.cancel(JOIN_TIMER);
        if joined.len() < self.cfg.t {
            for m in &joined {
                cx.fx.outcome(Outcome::Failed {
                    subject: m.addr,
                    reason: "below_threshold",
                });
            }
            return;
        }
        let mut joined = joined;
        joined.sort_by_key(|m| m.id);
        let ops = &mut cx.fx.crypto;
        let r = Zeroizing::new(field::random_nonzero(&mut *cx.rng));
        let ps = ec::mul_base(&r, ops);
        // sc·P_s = (sc·r)·G: the leader knows r, fixed-base is cheaper.
        let sc_r = Zeroizing::new(field::mul(&self.keys.f.secret(), &r, ops));
        let expected = derive::point_hash(&ec::mul_base(&sc_r, ops), ops);
        let mut nonce = [0u8; HT_NONCE_LEN];
        cx.rng.fill_bytes(&mut nonce);
        let msg = GaChallenge {
            sid,
            nonce,
            point: ec::encode(&ps),
            ids: joined.iter().map(|m| m.id).collect(),
        };
        let to = joined.iter().map(|m| m.addr).collect();
        cx.fx.broadcast_msg(to, Interface::Han, &msg);
        let slots = joined
            .into_iter()
            .map(|member| Slot {
                member,
                b: None,
                token: None,
            })
            .collect();
        self.phase = Phase::Tokens {
            sid,
            nonce,
            r,
            ps,
            expected,
            slots,
        };
        cx.fx.arm(TOKEN_TIMER, cx.now + self.cfg.token_timeout);
    }

    /// Step 7, per token: v_i must match h_t(b_i ‖ T_i ‖ SID ‖ ID_i).
    fn on_token(&mut self, from: Addr, pdu: &[u8], cx: &mut Ctx<'_>) {
        let Ok(tok) = GaToken::decode(pdu) else {
            return cx.fx.outcome(Outcome::Rejected {
                subject: from,
                reason: "malformed_pdu",
            });
        };
        let Phase::Tokens {
            sid, nonce, slots, ..
        } = &mut self.phase
        else {
            return cx.fx.outcome(Outcome::Rejected {
                subject: from,
                reason: "unexpected_session",
            });
        };
        if tok.sid != *sid {
            // A replay and a token delayed past its session look the same.
            return cx.fx.outcome(Outcome::Rejected {
                subject: from,
                reason: "stale_session",
            });
        }
        let Some(slot) = slots.iter_mut().find(|s| s.member.id == tok.id) else {
            return cx.fx.outcome(Outcome::Rejected {
                subject: from,
                reason: "not_a_participant",
            });
        };
        if slot.token.is_some() {
            return cx.fx.outcome(Outcome::Rejected {
                subject: from,
                reason: "duplicate_token",
            });
        }
        let ops = &mut cx.fx.crypto;
        let b = derive::node_key(&self.keys.x, tok.id, ops);
        let v = derive::token_check(nonce, &b, &tok.token, tok.sid, tok.id, ops);
        if !ct_eq(&v, &tok.v) {
            return cx.fx.outcome(Outcome::AttackDetected {
                subject: from,
                what: "token_mac_mismatch",
            });
        }
        let Some(point) = ec::decode(&tok.token) else {
            return cx.fx.outcome(Outcome::AttackDetected {
                subject: from,
                what: "invalid_token_point",
            });
        };
        slot.b = Some(b);
        slot.token = Some(point);
        if slots.iter().all(|s| s.token.is_some()) {
            self.conclude(cx);
        }
    }

    /// Step 8 and identification: decide who is authenticated, then §4.3.
    fn conclude(&mut self, cx: &mut Ctx<'_>) {
        let Phase::Tokens {
            sid,
            r,
            ps,
            expected,
            slots,
            ..
        } = std::mem::replace(&mut self.phase, Phase::Idle)
        else {
            return;
        };
        cx.fx.cancel(TOKEN_TIMER);
        let t = self.cfg.t;
        let present: Vec<(usize, ProjectivePoint)> = slots
            .iter()
            .enumerate()
            .filter_map(|(i, s)| s.token.map(|tok| (i, tok)))
            .collect();
        for s in slots.iter().filter(|s| s.token.is_none()) {
            cx.fx.outcome(Outcome::Failed {
                subject: s.member.addr,
                reason: "no_token",
            });
        }
        if present.len() < t {
            for &(i, _) in &present {
                cx.fx.outcome(Outcome::Failed {
                    subject: slots[i].member.addr,
                    reason: "below_threshold",
                });
            }
            return;
        }
        let all_present = present.len() == slots.len();
        let sum_ok = all_present && {
            let v = ec::sum(present.iter().map(|(_, tok)| tok), &mut cx.fx.crypto);
            ct_eq(&derive::point_hash(&v, &mut cx.fx.crypto), &expected)
        };
        let passed = if sum_ok {
            vec![true; present.len()]
        } else {
            let ids: Vec<u64> = slots.iter().map(|s| s.member.id).collect();
            identify(
                &self.keys.f,
                &r,
                &ids,
                &present,
                all_present,
                &mut cx.fx.crypto,
            )
        };
        let mut good = Vec::with_capacity(present.len());
        for (&(i, _), &ok) in present.iter().zip(&passed) {
            if ok {
                good.push(i);
            } else {
                cx.fx.outcome(Outcome::Rejected {
                    subject: slots[i].member.addr,
                    reason: "wrong_share",
                });
            }
        }
        if good.len() < t {
            for &i in &good {
                cx.fx.outcome(Outcome::Failed {
                    subject: slots[i].member.addr,
                    reason: "below_threshold",
                });
            }
            return;
        }
        let gsk = derive::gsk(&ps, &self.keys.x, &self.keys.f.secret(), &mut cx.fx.crypto);
        for &i in &good {
            let slot = &slots[i];
            let Some(b) = slot.b.as_ref() else { continue };
            cx.fx.outcome(Outcome::Authenticated {
                subject: slot.member.addr,
                key_id: sid as u32,
                relayed_by: None,
            });
            let k = derive::aead_key(b, &mut cx.fx.crypto);
            let mut nonce = [0u8; GCM_NONCE_LEN];
            cx.rng.fill_bytes(&mut nonce);
            let aad = gsk_aad(sid, slot.member.id);
            let ct = aead::seal(&k, &nonce, &aad, &*gsk, &mut cx.fx.crypto);
            let Ok(ciphertext) = ct.try_into() else {
                continue;
            };
            let msg = GskDelivery {
                sid,
                id: slot.member.id,
                nonce,
                ciphertext,
            };
            cx.fx.send_msg(slot.member.addr, Interface::Han, &msg);
        }
        self.gsk = Some(gsk);
    }
}

impl Endpoint for SmartMeter {
    /// Step 1: broadcast a group authentication request to all n nodes.
    fn start(&mut self, cx: &mut Ctx<'_>) {
        let sid = self.next_sid;
        self.next_sid += 1;
        // A session still running is abandoned; its token timer must not
        // end the new one.
        cx.fx.cancel(TOKEN_TIMER);
        self.phase = Phase::Joining {
            sid,
            joined: Vec::with_capacity(self.nodes.len()),
        };
        let to = self.nodes.iter().map(|m| m.addr).collect();
        cx.fx.broadcast_msg(to, Interface::Han, &GaRequest { sid });
        cx.fx.arm(JOIN_TIMER, cx.now + self.cfg.join_timeout);
    }

    fn on_message(&mut self, msg: Incoming<'_>, cx: &mut Ctx<'_>) {
        match tlv::peek_type(msg.pdu) {
            Ok(GA_JOIN) => self.on_join(msg.from, msg.pdu, cx),
            Ok(GA_TOKEN) => self.on_token(msg.from, msg.pdu, cx),
            Ok(MG_ACCESS_REQUEST) if self.uplink.is_some() => {
                if let Some(u) = self.uplink.as_mut() {
                    u.on_access_request(msg, cx);
                }
            }
            _ => cx.fx.outcome(Outcome::Rejected {
                subject: msg.from,
                reason: "malformed_pdu",
            }),
        }
    }

    fn on_timer(&mut self, id: TimerKey, cx: &mut Ctx<'_>) {
        match id {
            JOIN_TIMER if matches!(self.phase, Phase::Joining { .. }) => self.challenge(cx),
            TOKEN_TIMER if matches!(self.phase, Phase::Tokens { .. }) => self.conclude(cx),
            _ => cx.fx.ignore("stale_timer"),
        }
    }
}
