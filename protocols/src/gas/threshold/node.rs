//! A meter node: answers the smart meter's group authentication (§4.2) and
//! receives the group session key (§4.3).
//!
//! State is a few fixed-size fields (about 150 octets, no heap): 10^5 nodes
//! are simulated at once. The participant list arrives with the challenge and
//! is read in place, never stored.

use p256::Scalar;
use zeroize::Zeroizing;

use crate::core::{Addr, Ctx, Endpoint, Incoming, Interface, Outcome, TimerKey};
use crate::gas::msg::intra::{
    GA_CHALLENGE, GA_REQUEST, GSK_DELIVERY, GSK_LEN, GaChallenge, GaJoin, GaRequest, GaToken,
    GskDelivery, gsk_aad,
};
use crate::gas::{aead, check_ids, ec, field};
use crate::wire::tlv;

use super::derive;
use super::setup::NodeKeys;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum State {
    Idle,
    Joined { sid: u64 },
    AwaitGsk { sid: u64 },
}

/// Meter node endpoint; `start` does nothing (the smart meter initiates).
pub struct MeterNode {
    keys: NodeKeys,
    leader: Addr,
    /// Whether this node joins sessions (false: switched off / asleep).
    participate: bool,
    /// Highest SID joined: older requests are replays.
    last_sid: u64,
    state: State,
    gsk: Option<Zeroizing<[u8; 32]>>,
}

impl MeterNode {
    pub fn new(keys: NodeKeys, leader: Addr) -> Self {
        Self {
            keys,
            leader,
            participate: true,
            last_sid: 0,
            state: State::Idle,
            gsk: None,
        }
    }
    /// A node that ignores group authentication requests.
    pub fn offline(mut self) -> Self {
        self.participate = false;
        self
    }
    pub fn id(&self) -> u64 {
        self.keys.id
    }
    /// The provisioned keys (tests build faulty nodes from them).
    #[cfg(test)]
    pub(crate) fn keys_for_test(&self) -> &NodeKeys {
        &self.keys
    }
    /// The smart meter this node is registered with.
    pub fn leader(&self) -> Addr {
        self.leader
    }
    /// The group session key received in the last completed session.
    pub fn gsk(&self) -> Option<&[u8; 32]> {
        self.gsk.as_deref()
    }

    /// Step 2: join a fresh session.
    fn on_request(&mut self, from: Addr, pdu: &[u8], cx: &mut Ctx<'_>) {
        let Ok(req) = GaRequest::decode(pdu) else {
            return cx.fx.outcome(Outcome::Rejected {
                subject: from,
                reason: "malformed_pdu",
            });
        };
        if !self.participate {
            return;
        }
        if req.sid <= self.last_sid {
            return cx.fx.outcome(Outcome::Rejected {
                subject: from,
                reason: "stale_session",
            });
        }
        self.last_sid = req.sid;
        self.state = State::Joined { sid: req.sid };
        let join = GaJoin {
            sid: req.sid,
            id: self.keys.id,
        };
        cx.fx.send_msg(self.leader, Interface::Han, &join);
    }

    /// Steps 4–6: c_i = f(ID_i)·λ_i, T_i = c_i·P_s, v_i = h_t(b_i ‖ T_i ‖ SID ‖ ID_i).
    fn on_challenge(&mut self, from: Addr, pdu: &[u8], cx: &mut Ctx<'_>) {
        let Ok(ch) = GaChallenge::decode(pdu) else {
            return cx.fx.outcome(Outcome::Rejected {
                subject: from,
                reason: "malformed_pdu",
            });
        };
        if self.state != (State::Joined { sid: ch.sid }) {
            return cx.fx.outcome(Outcome::Rejected {
                subject: from,
                reason: "unexpected_session",
            });
        }
        let me = self.keys.id;
        let valid_set = ch.ids.len() >= self.keys.t as usize
            && ch.ids.contains(&me)
            && check_ids(ch.ids.iter().copied()).is_ok();
        let Some(ps) = ec::decode(&ch.point).filter(|_| valid_set) else {
            return cx.fx.outcome(Outcome::Rejected {
                subject: from,
                reason: "bad_challenge",
            });
        };
        let ops = &mut cx.fx.crypto;
        let xi = field::from_id(me);
        let others = ch
            .ids
            .iter()
            .filter(|&&r| r != me)
            .map(|&r| field::from_id(r));
        let Some(lambda) = field::lagrange_at_zero(&xi, others, ops) else {
            return cx.fx.outcome(Outcome::Rejected {
                subject: from,
                reason: "bad_challenge",
            });
        };
        let c: Zeroizing<Scalar> = Zeroizing::new(field::mul(&self.keys.share, &lambda, ops));
        let token = ec::encode(&ec::mul(&ps, &c, ops));
        let v = derive::token_check(&ch.nonce, &self.keys.b, &token, ch.sid, me, ops);
        self.state = State::AwaitGsk { sid: ch.sid };
        let msg = GaToken {
            sid: ch.sid,
            id: me,
            v,
            token,
        };
        cx.fx.send_msg(self.leader, Interface::Han, &msg);
    }

    /// §4.3 step 2: decrypt the GSK; success authenticates the leader (only
    /// the holder of X can derive b_i and so k_i).
    fn on_gsk(&mut self, from: Addr, pdu: &[u8], cx: &mut Ctx<'_>) {
        let Ok(d) = GskDelivery::decode(pdu) else {
            return cx.fx.outcome(Outcome::Rejected {
                subject: from,
                reason: "malformed_pdu",
            });
        };
        if self.state != (State::AwaitGsk { sid: d.sid }) || d.id != self.keys.id {
            return cx.fx.outcome(Outcome::Rejected {
                subject: from,
                reason: "unexpected_session",
            });
        }
        let ops = &mut cx.fx.crypto;
        let k = derive::aead_key(&self.keys.b, ops);
        let aad = gsk_aad(d.sid, d.id);
        let gsk = aead::open(&k, &d.nonce, &aad, &d.ciphertext, ops)
            .and_then(|pt| <[u8; GSK_LEN]>::try_from(pt.as_slice()).ok());
        match gsk {
            Some(g) => {
                self.gsk = Some(Zeroizing::new(g));
                self.state = State::Idle;
                // The key that opened the delivery is b_i, shared with the
                // smart meter this node is registered with: that meter is
                // the one authenticated, whoever transported the bytes.
                let leader = self.leader;
                cx.fx
                    .outcome(Outcome::authenticated(leader, d.sid as u32, from));
            }
            None => cx.fx.outcome(Outcome::AttackDetected {
                subject: from,
                what: "gsk_auth_failed",
            }),
        }
    }
}

impl Endpoint for MeterNode {
    fn start(&mut self, _cx: &mut Ctx<'_>) {}

    fn on_message(&mut self, msg: Incoming<'_>, cx: &mut Ctx<'_>) {
        match tlv::peek_type(msg.pdu) {
            Ok(GA_REQUEST) => self.on_request(msg.from, msg.pdu, cx),
            Ok(GA_CHALLENGE) => self.on_challenge(msg.from, msg.pdu, cx),
            Ok(GSK_DELIVERY) => self.on_gsk(msg.from, msg.pdu, cx),
            _ => cx.fx.outcome(Outcome::Rejected {
                subject: msg.from,
                reason: "malformed_pdu",
            }),
        }
    }

    /// Arms no timers, so an expiry is a host error: counted, not acted on.
    fn on_timer(&mut self, _id: TimerKey, cx: &mut Ctx<'_>) {
        cx.fx.ignore("unexpected_timer");
    }
}
