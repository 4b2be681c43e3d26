//! The adversary of an attack scenario (`[[attacks]]`): one endpoint that,
//! from `start` to `stop`, injects one crafted PDU every `interval` towards
//! its target, and plays its part when the network answers (a device
//! without the key answers a challenge with a RES it cannot compute).
//!
//! It forges only what an outsider can: identities in the clear, random
//! RAND/AUTN/RES. Everything the network spends on it is measured by the
//! simulator like any other traffic (docs/threats.md).

use rand::{Rng, RngExt};

use crate::core::{Addr, Ctx, Endpoint, Incoming, Interface, Nanos, TimerKey, TimerKind};
use crate::wire::mm::{self, LocationUpdatingRequest, MmMessage};
use crate::wire::nas::{self, Nas, NasMessage};

/// The protocol whose messages the adversary forges.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Dialect {
    /// EPS NAS (EPS-AKA).
    Eps,
    /// UMTS MM (UMTS AKA).
    Umts,
    /// 5G NAS (5G-AKA), with the SUCI form of forged registrations
    /// ([`super::fiveg`]).
    FiveG(super::fiveg::SuciForm),
    /// EPS NAS with group AKA's extensions (group AKA for MTC, Lai 2012):
    /// attaches announce the claimed subscriber's group, devices split into
    /// consecutive groups of `group_size` ([`super::group`]).
    Group { group_size: u32 },
}

/// What the adversary does with each injection.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Move {
    /// Signalling DoS: an attach (location updating) request with a random
    /// IMSI of the home PLMN outside the first `known` subscribers, each of
    /// which costs the serving node a home request.
    FloodRandomIdentities { known: u32 },
    /// Impersonation: an attach with the IMSI of subscriber `i % victims`
    /// (round robin), then a random RES for the challenge (no key).
    ImpersonateDevice { victims: u32 },
    /// False base station: a challenge with random RAND and AUTN to device
    /// `i % devices` of the target node.
    FakeNetworkChallenge { devices: u32 },
    /// False base station: an AUTHENTICATION REJECT, which carries no
    /// integrity protection, to device `i % devices` (Lai 2012 §2.4).
    FakeReject { devices: u32 },
    /// Fake MME of group AKA: a group challenge with random RAND_i, AUTN
    /// and RAND_G to device `i % devices` ([`super::group`]).
    GroupChallengeFlood { devices: u32 },
    /// Group AKA: an attach under subscriber `i % victims`'s IMSI
    /// announcing a group it is not a member of (of `groups`).
    ForeignGroup { victims: u32, groups: u32 },
}

/// The adversary endpoint.
pub struct Injector {
    dialect: Dialect,
    mv: Move,
    /// The serving node (flood, impersonation) or device node (fake network).
    target: Addr,
    plmn_digits: String,
    start: Nanos,
    stop: Nanos,
    interval: Nanos,
    /// This source's place among `stride` sources taking turns: its n-th
    /// injection is the adversary's `turn + n × stride`-th (round robin
    /// over victims and devices across sources).
    turn: u64,
    stride: u64,
    injected: u64,
    answered: u64,
}

impl Injector {
    /// `interval` > 0; injections at `start`, `start + interval`, … < `stop`;
    /// `(turn, stride)`: this source's turn among `stride` sources.
    #[allow(clippy::too_many_arguments)]
    pub fn new(
        dialect: Dialect,
        mv: Move,
        target: Addr,
        plmn_digits: String,
        start: Nanos,
        stop: Nanos,
        interval: Nanos,
        (turn, stride): (u64, u64),
    ) -> Self {
        assert!(interval > 0, "an injection interval is positive");
        Self {
            dialect,
            mv,
            target,
            plmn_digits,
            start,
            stop,
            interval,
            turn,
            stride: stride.max(1),
            injected: 0,
            answered: 0,
        }
    }

    /// PDUs injected on the adversary's own initiative.
    pub fn injected(&self) -> u64 {
        self.injected
    }

    /// Challenges answered with a forged RES.
    pub fn answered(&self) -> u64 {
        self.answered
    }

    fn interface(&self) -> Interface {
        match self.dialect {
            Dialect::Eps | Dialect::Group { .. } => Interface::Nas,
            Dialect::Umts => Interface::UmtsAir,
            Dialect::FiveG(_) => Interface::N1,
        }
    }

    fn attach(&self, index: u32, cx: &mut Ctx<'_>) {
        match self.dialect {
            Dialect::Eps => {
                crate::eps_aka::ue::send_attach_request(
                    self.target,
                    &self.plmn_digits,
                    index,
                    Vec::new(),
                    cx,
                );
            }
            Dialect::Group { group_size } => super::group::send_attach(
                self.target,
                &self.plmn_digits,
                index,
                super::group::group_of(index, group_size),
                cx,
            ),
            Dialect::Umts => {
                let msg = MmMessage::LocationUpdatingRequest(LocationUpdatingRequest {
                    cksn: mm::CKSN_NO_KEY,
                    follow_on_request: false,
                    lu_type: mm::lu_type::IMSI_ATTACH,
                    lai: crate::umts_aka::Config::default().lai(),
                    classmark_1: mm::TYPICAL_CLASSMARK_1,
                    imsi: crate::aka::imsi(&self.plmn_digits, index),
                    classmark_for_umts: Some(mm::TYPICAL_CLASSMARK_2),
                });
                cx.fx.send(
                    self.target,
                    Interface::UmtsAir,
                    msg.kind(),
                    msg.encode_with_nsd(0),
                );
            }
            Dialect::FiveG(form) => {
                super::fiveg::send_registration(self.target, &self.plmn_digits, index, form, cx)
            }
        }
    }

    fn inject(&mut self, cx: &mut Ctx<'_>) {
        let i = self.turn + self.injected * self.stride;
        self.injected += 1;
        match self.mv {
            Move::FloodRandomIdentities { known } => {
                let index = cx.rng.random_range(known.max(1)..=MAX_MSIN_INDEX);
                self.attach(index, cx);
            }
            Move::ImpersonateDevice { victims } => {
                let victim = (i % victims.max(1) as u64) as u32;
                match self.dialect {
                    // The victim's SUPI in the clear: a SUCI the UDM resolves.
                    Dialect::FiveG(_) => super::fiveg::send_registration(
                        self.target,
                        &self.plmn_digits,
                        victim,
                        super::fiveg::SuciForm::Null,
                        cx,
                    ),
                    _ => self.attach(victim, cx),
                }
            }
            Move::FakeReject { devices } => {
                let to = Addr::new(self.target.node, (i % devices.max(1) as u64) as u32);
                match self.dialect {
                    Dialect::Eps | Dialect::Group { .. } => {
                        cx.fx
                            .send_msg(to, Interface::Nas, &NasMessage::AuthenticationReject)
                    }
                    Dialect::Umts => {
                        cx.fx
                            .send_msg(to, Interface::UmtsAir, &MmMessage::AuthenticationReject)
                    }
                    Dialect::FiveG(_) => super::fiveg::send_reject(to, cx),
                }
            }
            Move::GroupChallengeFlood { devices } => {
                let to = Addr::new(self.target.node, (i % devices.max(1) as u64) as u32);
                super::group::send_forged_challenge(to, cx);
            }
            Move::ForeignGroup { victims, groups } => {
                let victim = (i % victims.max(1) as u64) as u32;
                let group_size = match self.dialect {
                    Dialect::Group { group_size } => group_size,
                    _ => victims,
                };
                let foreign = super::group::foreign_group(victim, group_size, groups);
                super::group::send_attach(self.target, &self.plmn_digits, victim, foreign, cx);
            }
            Move::FakeNetworkChallenge { devices } => {
                let to = Addr::new(self.target.node, (i % devices.max(1) as u64) as u32);
                if let Dialect::FiveG(_) = self.dialect {
                    return super::fiveg::send_fake_challenge(to, cx);
                }
                let mut rand = [0u8; 16];
                let mut autn = [0u8; 16];
                cx.rng.fill_bytes(&mut rand);
                cx.rng.fill_bytes(&mut autn);
                match self.dialect {
                    Dialect::Eps | Dialect::Group { .. } => {
                        let msg = NasMessage::AuthenticationRequest(nas::AuthenticationRequest {
                            nas_ksi: 0,
                            rand,
                            autn,
                        });
                        cx.fx.send_msg(to, Interface::Nas, &msg);
                    }
                    Dialect::Umts => {
                        let msg = MmMessage::AuthenticationRequest(mm::AuthenticationRequest {
                            cksn: 0,
                            rand,
                            autn: Some(autn),
                        });
                        cx.fx.send_msg(to, Interface::UmtsAir, &msg);
                    }
                    Dialect::FiveG(_) => unreachable!("sent above"),
                }
            }
        }
    }

    /// Whether `pdu` is a challenge (AUTHENTICATION REQUEST) of the dialect.
    fn is_challenge(&self, pdu: &[u8]) -> bool {
        match self.dialect {
            Dialect::Eps => matches!(
                nas::decode_any(pdu),
                Ok(Nas::Plain(NasMessage::AuthenticationRequest(_)))
            ),
            Dialect::Group { .. } => super::group::is_challenge(pdu),
            Dialect::Umts => matches!(
                MmMessage::decode(pdu),
                Ok(MmMessage::AuthenticationRequest(_))
            ),
            Dialect::FiveG(_) => super::fiveg::is_challenge(pdu),
        }
    }

    /// A RES of the usual length that the adversary cannot compute.
    fn forge_response(&mut self, to: Addr, cx: &mut Ctx<'_>) {
        let mut res = [0u8; 8];
        cx.rng.fill_bytes(&mut res);
        self.answered += 1;
        match self.dialect {
            Dialect::Eps | Dialect::Group { .. } => crate::eps_aka::ue::send_response(to, &res, cx),
            Dialect::Umts => {
                let msg = MmMessage::AuthenticationResponse(mm::AuthenticationResponse {
                    res: res.to_vec(),
                });
                cx.fx
                    .send(to, Interface::UmtsAir, msg.kind(), msg.encode_with_nsd(1));
            }
            Dialect::FiveG(_) => super::fiveg::send_forged_response(to, cx),
        }
    }
}

/// The largest subscriber index an IMSI with a 10-digit MSIN can carry.
const MAX_MSIN_INDEX: u32 = u32::MAX;

const TICK: TimerKey = TimerKey::own(TimerKind::AttackTick);

impl Endpoint for Injector {
    fn start(&mut self, cx: &mut Ctx<'_>) {
        let at = self.start.max(cx.now);
        if at < self.stop {
            cx.fx.arm(TICK, at);
        }
    }

    fn on_message(&mut self, m: Incoming<'_>, cx: &mut Ctx<'_>) {
        let impersonating = matches!(self.mv, Move::ImpersonateDevice { .. });
        if impersonating && m.interface == self.interface() && self.is_challenge(m.pdu) {
            self.forge_response(m.from, cx);
            cx.fx.all_adversary_made();
        } else {
            // The network's answers to the adversary (rejects, failures):
            // counted, not acted on.
            cx.fx.ignore("adversary_received");
        }
    }

    fn on_timer(&mut self, _: TimerKey, cx: &mut Ctx<'_>) {
        if cx.now >= self.stop {
            return;
        }
        self.inject(cx);
        // Nothing an injector sends was sent by a genuine endpoint.
        cx.fx.all_adversary_made();
        let next = cx.now + self.interval;
        if next < self.stop {
            cx.fx.arm(TICK, next);
        }
    }
}
