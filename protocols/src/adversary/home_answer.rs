//! A rogue agent on the serving node's home interface answering in the home
//! node's place (`[[attacks]]` class `fake_home_answer`): forged Diameter
//! AIAs (S6a, EPS-AKA) or MAP SendAuthenticationInfo results (UMTS AKA)
//! towards the MME / VLR for the IMSIs of attaching victim devices.
//!
//! The agent stands in the S6a / MAP path — a compromised Diameter relay
//! (DRA/DEA) or an SS7 node between the serving node and the HSS/HLR — so it
//! sees the serving node's requests and can answer with the right
//! hop-by-hop id, end-to-end id and Session-Id (MAP: the dialogue's
//! transaction id). Diameter and MAP carry no end-to-end integrity, so the
//! serving node cannot tell its answer from the home node's; only the
//! victim's USIM, which checks MAC-A (and SQN) of the challenge, can.
//!
//! For a victim subscriber's first request the agent answers at once with
//! a forged vector ([`Forgery`]) and forwards the request to the home node
//! as well; the home node's genuine answer, which arrives later, is
//! forwarded unchanged and finds no pending request at the serving node
//! (RFC 6733 §3: an answer with an unknown Hop-by-Hop Identifier is
//! discarded; there it is counted as an ignored input). Every other
//! request and answer is forwarded untouched. The forged answers are sent
//! from the adversary's own timer (counted as its injections) and marked
//! adversary-made. It holds no key: nothing it sends was computed with one.

use std::collections::VecDeque;

use rand::Rng;
use rustc_hash::FxHashSet;

use super::home_flood::HomeDialect;
use crate::aka::imsi::imsi_index;
use crate::core::{Addr, Ctx, Endpoint, Incoming, Interface, Nanos, TimerKey, TimerKind};
use crate::wire::diameter::{
    AuthenticationInfo, AuthenticationInformationAnswer as Aia,
    AuthenticationInformationRequest as Air, DiameterResult, EutranVector,
};
use crate::wire::map::{MapMessage, Quintuplet, SaiEnd, SaiOutcome};

/// What the agent puts in its answers.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Forgery {
    /// A vector of random RAND, AUTN (but its AMF, which is in the clear),
    /// XRES and keys: the USIM's MAC-A check fails.
    Random,
    /// The first vector of the last genuine answer the agent forwarded (the
    /// home node's vector for another subscriber, recorded in flight):
    /// genuine bytes, but computed with another subscriber's key, so the
    /// victim's MAC-A check fails. Until a genuine answer has passed, a
    /// victim's request is forwarded untouched.
    Replayed,
}

/// Counted label of a home answer the agent forwarded after it had already
/// answered that request itself (the race it won).
pub const GENUINE_AFTER_FORGERY: &str = "genuine_answer_after_forgery";

/// A vector of either dialect, recorded or forged.
#[derive(Clone)]
enum Vector {
    Eutran(EutranVector),
    Utran(Quintuplet),
}

/// The rogue agent between one serving node and its home node.
pub struct HomeAnswerAgent {
    dialect: HomeDialect,
    forgery: Forgery,
    serving: Addr,
    home: Addr,
    plmn_digits: String,
    /// Subscribers 0..victims are attacked.
    victims: u32,
    start: Nanos,
    stop: Nanos,
    /// Victims whose first request was answered with a forgery.
    forged: FxHashSet<u32>,
    /// Request ids answered with a forgery (their genuine answers are counted).
    answered: FxHashSet<u32>,
    recorded: Option<Vector>,
    /// Forged answers waiting for their `AttackTick`.
    pending: VecDeque<(&'static str, Vec<u8>)>,
    next_tag: u32,
}

impl HomeAnswerAgent {
    /// An agent between `serving` and `home`, forging from `start` to `stop`
    /// for subscribers `0..victims` of PLMN `plmn_digits`.
    #[allow(clippy::too_many_arguments)]
    pub fn new(
        dialect: HomeDialect,
        forgery: Forgery,
        (serving, home): (Addr, Addr),
        plmn_digits: String,
        victims: u32,
        start: Nanos,
        stop: Nanos,
    ) -> Self {
        Self {
            dialect,
            forgery,
            serving,
            home,
            plmn_digits,
            victims,
            start,
            stop,
            forged: FxHashSet::default(),
            answered: FxHashSet::default(),
            recorded: None,
            pending: VecDeque::new(),
            next_tag: 0,
        }
    }

    fn interface(&self) -> Interface {
        match self.dialect {
            HomeDialect::Diameter => Interface::S6a,
            HomeDialect::Map => Interface::Map,
        }
    }

    /// The vector of this victim's forged answer, if the agent has one.
    fn forged_vector(&self, cx: &mut Ctx<'_>) -> Option<Vector> {
        match self.forgery {
            Forgery::Replayed => self.recorded.clone(),
            Forgery::Random => {
                let mut b = [0u8; 16];
                let mut rand = || {
                    cx.rng.fill_bytes(&mut b);
                    b
                };
                let (r, mut autn, ck, ik, xres) = (rand(), rand(), rand(), rand(), rand());
                // AMF travels in the clear (AUTN octets 7-8): the agent copies
                // what the home node uses, so the forgery passes the
                // separation-bit check and meets the MAC-A check.
                autn[6..8].copy_from_slice(match self.dialect {
                    HomeDialect::Diameter => &crate::aka::AMF_EPS,
                    HomeDialect::Map => &crate::aka::AMF_UMTS,
                });
                Some(match self.dialect {
                    HomeDialect::Diameter => {
                        let mut kasme = [0u8; 32];
                        kasme[..16].copy_from_slice(&ck);
                        kasme[16..].copy_from_slice(&ik);
                        Vector::Eutran(EutranVector {
                            item_number: Some(1),
                            rand: r,
                            xres: xres[..8].to_vec(),
                            autn,
                            kasme,
                        })
                    }
                    HomeDialect::Map => Vector::Utran(Quintuplet {
                        rand: r,
                        xres: xres[..8].to_vec(),
                        ck,
                        ik,
                        autn,
                    }),
                })
            }
        }
    }

    /// A request from the serving node: (request id, subscriber index, the
    /// forged answer for it given `v`).
    fn on_request(&mut self, pdu: &[u8], cx: &mut Ctx<'_>) {
        let forge = (self.start..self.stop).contains(&cx.now);
        let answer = match self.dialect {
            HomeDialect::Diameter => Air::decode(pdu).ok().and_then(|air| {
                let index = imsi_index(&self.plmn_digits, &air.user_name)?;
                self.should_forge(forge, index).then_some(())?;
                let Vector::Eutran(v) = self.forged_vector(cx)? else {
                    return None;
                };
                self.forged.insert(index);
                self.answered.insert(air.hop_by_hop);
                let info = AuthenticationInfo {
                    eutran_vectors: vec![v],
                    utran_vectors: Vec::new(),
                };
                let host = crate::eps_aka::realm::epc_host("hss", &self.plmn_digits);
                let realm = crate::eps_aka::realm::epc_realm(&self.plmn_digits);
                let aia = Aia::answering(&air, &host, &realm, DiameterResult::SUCCESS, Some(info));
                Some((aia.kind(), aia.encode()))
            }),
            HomeDialect::Map => match MapMessage::decode(pdu) {
                Ok(MapMessage::Begin(b)) => (|| {
                    let index = imsi_index(&self.plmn_digits, &b.arg.imsi)?;
                    self.should_forge(forge, index).then_some(())?;
                    let Vector::Utran(q) = self.forged_vector(cx)? else {
                        return None;
                    };
                    self.forged.insert(index);
                    self.answered.insert(b.otid);
                    let end = MapMessage::End(SaiEnd {
                        dtid: b.otid,
                        dialogue: b.dialogue,
                        invoke_id: b.invoke_id,
                        outcome: SaiOutcome::Result(vec![q]),
                    });
                    Some((end.kind(), end.encode()))
                })(),
                _ => None,
            },
        };
        if let Some(answer) = answer {
            self.pending.push_back(answer);
            let tag = Addr::new(0, self.next_tag);
            self.next_tag = self.next_tag.wrapping_add(1);
            cx.fx
                .arm(TimerKey::for_peer(tag, TimerKind::AttackTick), cx.now);
        }
    }

    fn should_forge(&self, active: bool, index: u32) -> bool {
        active && index < self.victims && !self.forged.contains(&index)
    }

    /// A home node's answer: its id, and its first vector recorded.
    fn on_answer(&mut self, pdu: &[u8]) -> Option<u32> {
        match self.dialect {
            HomeDialect::Diameter => {
                let aia = Aia::decode(pdu).ok()?;
                if let Some(v) = aia
                    .authentication_info
                    .as_ref()
                    .and_then(|i| i.eutran_vectors.first())
                {
                    self.recorded = Some(Vector::Eutran(v.clone()));
                }
                Some(aia.hop_by_hop)
            }
            HomeDialect::Map => match MapMessage::decode(pdu).ok()? {
                MapMessage::End(e) => {
                    if let SaiOutcome::Result(q) = &e.outcome
                        && let Some(q) = q.first()
                    {
                        self.recorded = Some(Vector::Utran(q.clone()));
                    }
                    Some(e.dtid)
                }
                MapMessage::Begin(_) => None,
            },
        }
    }
}

impl Endpoint for HomeAnswerAgent {
    fn start(&mut self, _: &mut Ctx<'_>) {}

    fn on_message(&mut self, m: Incoming<'_>, cx: &mut Ctx<'_>) {
        let interface = self.interface();
        if m.interface != interface {
            return cx.fx.ignore("adversary_received");
        }
        let request = m.from == self.serving;
        let kind = match (self.dialect, request) {
            (HomeDialect::Diameter, true) => Air::decode(m.pdu).map_or("undecodable", |a| a.kind()),
            (HomeDialect::Diameter, false) => {
                Aia::decode(m.pdu).map_or("undecodable", |a| a.kind())
            }
            (HomeDialect::Map, _) => MapMessage::decode(m.pdu).map_or("undecodable", |d| d.kind()),
        };
        if request {
            // Answered (or not) first, then forwarded: the home node's
            // genuine answer arrives after the forgery.
            self.on_request(m.pdu, cx);
            cx.fx.send(self.home, interface, kind, m.pdu.to_vec());
        } else if m.from == self.home {
            if self
                .on_answer(m.pdu)
                .is_some_and(|id| self.answered.remove(&id))
            {
                cx.fx.count(GENUINE_AFTER_FORGERY);
            }
            cx.fx.send(self.serving, interface, kind, m.pdu.to_vec());
        } else {
            cx.fx.ignore("adversary_received");
        }
    }

    fn on_timer(&mut self, _: TimerKey, cx: &mut Ctx<'_>) {
        if let Some((kind, pdu)) = self.pending.pop_front() {
            let interface = self.interface();
            cx.fx.inject(self.serving, interface, kind, pdu);
        }
    }
}
