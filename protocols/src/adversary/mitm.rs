//! A man in the middle on one device's radio link (`[[attacks]]` classes
//! `relay`, `modification`, `replay` and `desync`): the simulator routes
//! the victim device's uplink to this endpoint, which forwards it to the
//! serving node under its own address and forwards the serving node's
//! answers back to the device. Between `start` and `stop` it tampers:
//!
//! - [`Tamper::Relay`]: holds every PDU for a fixed delay, changes nothing;
//! - [`Tamper::Modify`]: flips one bit of a chosen field (RAND, AUTN, RES,
//!   the NAS MAC) of the PDU carrying it;
//! - [`Tamper::Replay`]: records the first PDU of a kind and re-sends it at
//!   a fixed rate (uplink ones to the serving node on the victim's session,
//!   a challenge to another victim device);
//! - [`Tamper::Desync`]: lets the victim accept a genuine challenge, drops
//!   its answer so the attempt fails, and answers the device's next attempt
//!   with that recorded (now stale) challenge: the USIM reports a synch
//!   failure and the network pays a resynchronisation (AUTS) round trip.
//!
//! Every PDU the adversary alters, replays, substitutes or holds back is
//! sent from its own timer (`AttackTick`), so the simulator counts these
//! as the adversary's injections; PDUs forwarded untouched are not.
//! It holds no key: nothing it sends was computed with one.

use std::collections::VecDeque;

use crate::core::{Addr, Ctx, Endpoint, Incoming, Interface, Nanos, TimerKey, TimerKind};
use crate::wire::mm::MmMessage;
use crate::wire::nas::{self, Nas, NasMessage};

use super::injector::Dialect;

/// A field the modification attack alters (one bit flipped).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Field {
    /// RAND of the AUTHENTICATION REQUEST (downlink).
    Rand,
    /// AUTN of the AUTHENTICATION REQUEST (downlink).
    Autn,
    /// RES of the AUTHENTICATION RESPONSE (uplink).
    Res,
    /// The NAS MAC of the SECURITY MODE COMMAND (downlink; EPS only: UMTS
    /// MM messages carry no MAC).
    Mac,
    /// RAND_G of group AKA's group challenge (downlink; group AKA only).
    RandG,
}

/// The PDU kind the replay attack records and re-sends.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Recorded {
    /// ATTACH REQUEST / LOCATION UPDATING REQUEST (uplink).
    AttachRequest,
    /// AUTHENTICATION RESPONSE (uplink).
    AuthenticationResponse,
    /// SECURITY MODE COMPLETE (uplink, EPS only).
    SecurityModeComplete,
    /// AUTHENTICATION REQUEST (downlink), re-sent to another victim device.
    AuthenticationRequest,
}

impl Recorded {
    fn uplink(self) -> bool {
        !matches!(self, Recorded::AuthenticationRequest)
    }
}

/// What the man in the middle does while active.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Tamper {
    Relay {
        delay: Nanos,
    },
    Modify(Field),
    /// `first`: the first re-send; then every `interval`; a recorded
    /// challenge goes to `other` (another victim device).
    Replay {
        pdu: Recorded,
        first: Nanos,
        interval: Nanos,
        other: Addr,
    },
    Desync,
}

/// Where the desynchronisation stands for this victim.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Phase {
    /// Waiting for the victim's first challenge.
    Fresh,
    /// The challenge was recorded and forwarded; the attempt is starved.
    Starving,
    /// The next attempt's challenge is to be replaced by the recorded one.
    Substitute,
    /// Done: everything is forwarded.
    Faithful,
}

/// The man-in-the-middle endpoint for one victim device.
pub struct Mitm {
    dialect: Dialect,
    victim: Addr,
    serving: Addr,
    tamper: Tamper,
    start: Nanos,
    stop: Nanos,
    /// PDUs waiting for their `AttackTick`, in sending order, each with
    /// whether the adversary made it (altered, substituted) or only holds
    /// a genuine one back (a relay's delay).
    pending: VecDeque<(Addr, Interface, &'static str, Vec<u8>, bool)>,
    next_tag: u32,
    recorded: Option<(&'static str, Vec<u8>)>,
    phase: Phase,
}

/// The adversary's own timer: a replay tick (own) or a pending PDU (tagged
/// with a sequence number in the peer slot, so several can be armed).
const REPLAY_TICK: TimerKey = TimerKey::own(TimerKind::AttackTick);

impl Mitm {
    /// A man in the middle between `victim` and `serving`, tampering from
    /// `start` to `stop` (outside it, everything is forwarded untouched).
    pub fn new(
        dialect: Dialect,
        victim: Addr,
        serving: Addr,
        tamper: Tamper,
        start: Nanos,
        stop: Nanos,
    ) -> Self {
        Self {
            dialect,
            victim,
            serving,
            tamper,
            start,
            stop,
            pending: VecDeque::new(),
            next_tag: 0,
            recorded: None,
            phase: Phase::Fresh,
        }
    }

    fn interface(&self) -> Interface {
        match self.dialect {
            Dialect::Eps | Dialect::Group { .. } => Interface::Nas,
            Dialect::Umts => Interface::UmtsAir,
            Dialect::FiveG(_) => Interface::N1,
        }
    }

    /// Sends `pdu` from the adversary's own timer at `at` (counted as an
    /// injection); `made`: the adversary made it rather than holding a
    /// genuine one back.
    fn hold(
        &mut self,
        to: Addr,
        (kind, pdu, made): (&'static str, Vec<u8>, bool),
        at: Nanos,
        cx: &mut Ctx<'_>,
    ) {
        let interface = self.interface();
        self.pending.push_back((to, interface, kind, pdu, made));
        let tag = Addr::new(0, self.next_tag);
        self.next_tag = self.next_tag.wrapping_add(1);
        cx.fx
            .arm(TimerKey::for_peer(tag, TimerKind::AttackTick), at);
    }

    fn active(&self, now: Nanos) -> bool {
        (self.start..self.stop).contains(&now)
    }
}

/// What the adversary recognises of a PDU: its kind label and role.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Seen {
    Attach,
    Challenge,
    Response,
    SecurityModeCommand,
    SecurityModeComplete,
    Other,
}

fn classify(dialect: Dialect, pdu: &[u8]) -> (&'static str, Seen) {
    match dialect {
        Dialect::Group { .. } => match super::group::group_challenge_kind(pdu) {
            Some(kind) => (kind, Seen::Challenge),
            None => classify(Dialect::Eps, pdu),
        },
        Dialect::Eps => match nas::decode_any(pdu) {
            Ok(m) => {
                let seen = match &m {
                    Nas::Plain(NasMessage::AttachRequest(_)) => Seen::Attach,
                    Nas::Plain(NasMessage::AuthenticationRequest(_)) => Seen::Challenge,
                    Nas::Plain(NasMessage::AuthenticationResponse(_)) => Seen::Response,
                    Nas::Protected(_) => match m.kind() {
                        "SecurityModeCommand" => Seen::SecurityModeCommand,
                        "SecurityModeComplete" => Seen::SecurityModeComplete,
                        _ => Seen::Other,
                    },
                    _ => Seen::Other,
                };
                (m.kind(), seen)
            }
            Err(_) => ("undecodable", Seen::Other),
        },
        Dialect::Umts => match MmMessage::decode(pdu) {
            Ok(m) => {
                let seen = match &m {
                    MmMessage::LocationUpdatingRequest(_) => Seen::Attach,
                    MmMessage::AuthenticationRequest(_) => Seen::Challenge,
                    MmMessage::AuthenticationResponse(_) => Seen::Response,
                    _ => Seen::Other,
                };
                (m.kind(), seen)
            }
            Err(_) => ("undecodable", Seen::Other),
        },
        Dialect::FiveG(_) => {
            use super::fiveg::Seen5g;
            let (kind, seen) = super::fiveg::classify(pdu);
            let seen = match seen {
                Seen5g::Registration => Seen::Attach,
                Seen5g::Challenge => Seen::Challenge,
                Seen5g::Response => Seen::Response,
                Seen5g::SecurityModeCommand => Seen::SecurityModeCommand,
                Seen5g::SecurityModeComplete => Seen::SecurityModeComplete,
                Seen5g::Other => Seen::Other,
            };
            (kind, seen)
        }
    }
}

/// `pdu` with one bit of `field` flipped, if `pdu` carries it.
fn flip(dialect: Dialect, field: Field, pdu: &[u8]) -> Option<Vec<u8>> {
    use super::group::GroupField;
    match dialect {
        Dialect::Group { .. } => {
            let group_field = match field {
                Field::Rand => Some(GroupField::Rand),
                Field::Autn => Some(GroupField::Autn),
                Field::RandG => Some(GroupField::RandG),
                Field::Res | Field::Mac => None,
            };
            group_field
                .and_then(|f| super::group::flip(f, pdu))
                .or_else(|| flip(Dialect::Eps, field, pdu))
        }
        Dialect::Eps => match (field, nas::decode_any(pdu).ok()?) {
            (Field::Rand, Nas::Plain(NasMessage::AuthenticationRequest(mut m))) => {
                m.rand[0] ^= 1;
                Some(NasMessage::AuthenticationRequest(m).encode())
            }
            (Field::Autn, Nas::Plain(NasMessage::AuthenticationRequest(mut m))) => {
                // A bit of MAC-A (the last 8 octets of AUTN).
                m.autn[15] ^= 1;
                Some(NasMessage::AuthenticationRequest(m).encode())
            }
            (Field::Res, Nas::Plain(NasMessage::AuthenticationResponse(mut m))) => {
                *m.res.first_mut()? ^= 1;
                Some(NasMessage::AuthenticationResponse(m).encode())
            }
            (Field::Mac, Nas::Protected(mut p))
                if NasMessage::decode(&p.inner)
                    .is_ok_and(|m| matches!(m, NasMessage::SecurityModeCommand(_))) =>
            {
                p.mac[0] ^= 1;
                Some(Nas::Protected(p).encode())
            }
            _ => None,
        },
        Dialect::Umts => {
            let (m, nsd) = MmMessage::decode_with_nsd(pdu).ok()?;
            match (field, m) {
                (Field::Rand, MmMessage::AuthenticationRequest(mut m)) => {
                    m.rand[0] ^= 1;
                    Some(MmMessage::AuthenticationRequest(m).encode())
                }
                (Field::Autn, MmMessage::AuthenticationRequest(mut m)) => {
                    m.autn.as_mut()?[15] ^= 1;
                    Some(MmMessage::AuthenticationRequest(m).encode())
                }
                (Field::Res, MmMessage::AuthenticationResponse(mut m)) => {
                    *m.res.first_mut()? ^= 1;
                    Some(MmMessage::AuthenticationResponse(m).encode_with_nsd(nsd))
                }
                _ => None,
            }
        }
        Dialect::FiveG(_) => {
            use super::fiveg::Field5g;
            let field = match field {
                Field::Rand => Field5g::Rand,
                Field::Autn => Field5g::Autn,
                Field::Res => Field5g::ResStar,
                Field::Mac => Field5g::Mac,
                Field::RandG => return None,
            };
            super::fiveg::flip(field, pdu)
        }
    }
}

impl Endpoint for Mitm {
    fn start(&mut self, cx: &mut Ctx<'_>) {
        if let Tamper::Replay { first, .. } = self.tamper
            && first < self.stop
        {
            cx.fx.arm(REPLAY_TICK, first.max(cx.now));
        }
    }

    fn on_message(&mut self, m: Incoming<'_>, cx: &mut Ctx<'_>) {
        let uplink = m.from == self.victim;
        if m.interface != self.interface() || !(uplink || m.from == self.serving) {
            return cx.fx.ignore("adversary_received");
        }
        let to = if uplink { self.serving } else { self.victim };
        let (kind, seen) = classify(self.dialect, m.pdu);
        let now = cx.now;
        if !self.active(now) && self.phase != Phase::Starving && self.phase != Phase::Substitute {
            cx.fx.send(to, m.interface, kind, m.pdu.to_vec());
            return;
        }
        match self.tamper {
            Tamper::Relay { delay } => {
                self.hold(to, (kind, m.pdu.to_vec(), false), now + delay, cx)
            }
            Tamper::Modify(field) => match flip(self.dialect, field, m.pdu) {
                Some(altered) => self.hold(to, (kind, altered, true), now, cx),
                None => cx.fx.send(to, m.interface, kind, m.pdu.to_vec()),
            },
            Tamper::Replay { pdu, .. } => {
                let wanted = match pdu {
                    Recorded::AttachRequest => Seen::Attach,
                    Recorded::AuthenticationResponse => Seen::Response,
                    Recorded::SecurityModeComplete => Seen::SecurityModeComplete,
                    Recorded::AuthenticationRequest => Seen::Challenge,
                };
                if seen == wanted && uplink == pdu.uplink() && self.recorded.is_none() {
                    self.recorded = Some((kind, m.pdu.to_vec()));
                }
                cx.fx.send(to, m.interface, kind, m.pdu.to_vec());
            }
            Tamper::Desync => match (self.phase, uplink, seen) {
                (Phase::Fresh, false, Seen::Challenge) => {
                    self.recorded = Some((kind, m.pdu.to_vec()));
                    self.phase = Phase::Starving;
                    cx.fx.send(to, m.interface, kind, m.pdu.to_vec());
                }
                // The attempt is starved (its answer and the network's
                // retransmissions dropped) until the device tries again.
                (Phase::Starving, true, Seen::Attach) => {
                    self.phase = Phase::Substitute;
                    cx.fx.send(to, m.interface, kind, m.pdu.to_vec());
                }
                (Phase::Starving, _, _) => cx.fx.ignore("adversary_dropped"),
                (Phase::Substitute, false, Seen::Challenge) => {
                    self.phase = Phase::Faithful;
                    cx.fx.ignore("adversary_dropped");
                    if let Some((kind, stale)) = self.recorded.clone() {
                        self.hold(self.victim, (kind, stale, true), now, cx);
                    }
                }
                _ => cx.fx.send(to, m.interface, kind, m.pdu.to_vec()),
            },
        }
    }

    fn on_timer(&mut self, key: TimerKey, cx: &mut Ctx<'_>) {
        if key.peer().is_some() {
            if let Some((to, interface, kind, pdu, made)) = self.pending.pop_front() {
                if made {
                    cx.fx.inject(to, interface, kind, pdu);
                } else {
                    cx.fx.send(to, interface, kind, pdu);
                }
            }
            return;
        }
        let Tamper::Replay {
            pdu,
            interval,
            other,
            ..
        } = self.tamper
        else {
            return;
        };
        if cx.now >= self.stop {
            return;
        }
        if let Some((kind, bytes)) = self.recorded.clone() {
            let to = if pdu.uplink() { self.serving } else { other };
            cx.fx.inject(to, self.interface(), kind, bytes);
        } else {
            // Nothing recorded yet: this tick has nothing to replay.
            cx.fx.ignore("adversary_nothing_recorded");
        }
        let next = cx.now + interval;
        if next < self.stop {
            cx.fx.arm(REPLAY_TICK, next);
        }
    }
}
