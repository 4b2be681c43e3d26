//! Which device attach attempt each transmission was made for, so that a
//! storm can count the messages, octets and device energy spent on attempts
//! that failed (docs/protocols/overload.md, "Wasted messages and retry
//! energy"). Kept only when the scenario sets `outputs.storm`.
//!
//! The rule, engine-side and without reading any encoding:
//! - a device opens a new attempt when it transmits while handling its start
//!   or one of its own timers (a retry after T3410/T300, or after a back-off:
//!   T3411, T3402, T3346, T302); what it sends in answer to the network
//!   continues its current attempt;
//! - every message carries the attempt it was sent for (its [`Cause`]); what a
//!   node sends while handling a message is sent for that message's attempt
//!   (so the HSS's answers follow the MME's requests, which follow the
//!   device's), and what a server sends on a timer of a device's context for
//!   the latest attempt of that device the server has seen;
//! - what a node sends on its own timers or at its start has no cause
//!   (unattributed, reported apart).

use std::collections::BTreeMap;

use authsim_protocols::core::{Addr, Interface, Nanos};
use rustc_hash::FxHashMap;

/// The device attempt a message was sent for: a device address and its
/// attempt number as counted by the device's node, from 1 (saturating at
/// `u16::MAX`). Seven octets aligned to one (node, attempt, index), so that
/// a [`super::Delivery`] still fits in 64 octets; a device on a node numbered
/// 255 or above has no cause (its attempts are not attributed).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Cause([u8; 7]);

impl Cause {
    /// No device attempt (a node's own timer, a start of a server, or a run
    /// that does not attribute).
    pub const NONE: Cause = Cause([u8::MAX, 0, 0, 0, 0, 0, 0]);
    /// No device attempt, and the PDU was made by an adversary
    /// (`Transmit::adversary_made`): carried here so that a delivery stays
    /// within 64 octets. Set only on an adversary's own transmissions,
    /// never passed on by the node that receives it.
    pub const ADVERSARY: Cause = Cause([u8::MAX, 0xff, 0xff, 0, 0, 0, 0]);

    pub fn new(device: Addr, attempt: u16) -> Self {
        let Ok(node) = u8::try_from(device.node) else {
            return Self::NONE;
        };
        if node == u8::MAX {
            return Self::NONE;
        }
        let [a0, a1] = attempt.to_be_bytes();
        let [i0, i1, i2, i3] = device.index.to_be_bytes();
        Self([node, a0, a1, i0, i1, i2, i3])
    }

    pub fn device(self) -> Option<Addr> {
        let [node, _, _, i0, i1, i2, i3] = self.0;
        (node != u8::MAX).then(|| Addr::new(node.into(), u32::from_be_bytes([i0, i1, i2, i3])))
    }

    pub fn attempt(self) -> u16 {
        u16::from_be_bytes([self.0[1], self.0[2]])
    }

    /// Its seven octets (a delivery packed while it waits in an agenda).
    pub(crate) fn to_bytes(self) -> [u8; 7] {
        self.0
    }

    pub(crate) fn from_bytes(b: [u8; 7]) -> Self {
        Self(b)
    }
}

impl Default for Cause {
    fn default() -> Self {
        Self::NONE
    }
}

/// Messages and their encoded octets.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Tally {
    pub messages: u64,
    pub octets: u64,
}

impl Tally {
    fn add(&mut self, o: Tally) {
        self.messages += o.messages;
        self.octets += o.octets;
    }
}

/// What one attempt cost at one node.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct AttemptCost {
    pub attempt: u16,
    /// Transmissions by interface (a few interfaces per node: a short list).
    pub sent: Vec<(Interface, Tally)>,
    /// Energy of the inputs handled for the attempt (population nodes), µJ.
    pub energy_uj: f64,
}

impl AttemptCost {
    fn add(&mut self, o: &AttemptCost) {
        for &(i, t) in &o.sent {
            self.send(i, t);
        }
        self.energy_uj += o.energy_uj;
    }

    fn send(&mut self, interface: Interface, t: Tally) {
        match self.sent.iter_mut().find(|(i, _)| *i == interface) {
            Some((_, s)) => s.add(t),
            None => self.sent.push((interface, t)),
        }
    }
}

/// One node's attribution of its transmissions and device energy to attempts.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Attribution {
    /// Attempts opened per hosted device (population nodes).
    opened: Vec<u16>,
    /// The latest attempt of each device this node handled a message for.
    latest: FxHashMap<Addr, u16>,
    /// Each device's latest attempt at this node and what it cost here.
    pub current: FxHashMap<Addr, AttemptCost>,
    /// Attempts this node saw superseded by a later one of the same device:
    /// failed, whatever the device's outcome (one entry, attempt 0).
    pub superseded: AttemptCost,
    /// Transmissions for no device attempt, by interface.
    pub unattributed: BTreeMap<Interface, Tally>,
    /// `authenticated` verdicts this node reported: (time, subject, attempt
    /// of the input that produced it, 0 if it had no cause for the subject).
    pub successes: Vec<(Nanos, Addr, u16)>,
}

impl Attribution {
    /// For a node hosting `devices` devices (0 for a server).
    pub fn new(devices: u32) -> Self {
        Self {
            opened: vec![0; devices as usize],
            ..Default::default()
        }
    }

    /// The cause of a message input: a device takes its own attempt from a
    /// message sent for it, else its current attempt; a server the message's.
    pub fn of_message(&mut self, me: Addr, population: bool, cause: Cause) -> Cause {
        if population {
            return match cause.device() {
                Some(d) if d == me => cause,
                _ => Cause::new(me, self.opened_of(me.index)),
            };
        }
        if let Some(d) = cause.device() {
            let l = self.latest.entry(d).or_insert(cause.attempt());
            *l = (*l).max(cause.attempt());
        }
        cause
    }

    /// The cause of a timer of a server's device context (`peer`): the
    /// latest attempt of that device seen here.
    pub fn of_peer_timer(&self, peer: Option<Addr>) -> Cause {
        peer.and_then(|p| self.latest.get(&p).map(|&a| Cause::new(p, a)))
            .unwrap_or(Cause::NONE)
    }

    /// Attempts opened by the hosted devices.
    pub fn opened_total(&self) -> u64 {
        self.opened.iter().map(|&n| u64::from(n)).sum()
    }

    /// The current attempt of a hosted device.
    pub fn opened_of(&self, index: u32) -> u16 {
        self.opened.get(index as usize).copied().unwrap_or(0)
    }

    /// A hosted device transmits on its start or own timer: a new attempt.
    pub fn open(&mut self, me: Addr) -> Cause {
        let Some(n) = self.opened.get_mut(me.index as usize) else {
            return Cause::NONE;
        };
        *n = n.saturating_add(1);
        Cause::new(me, *n)
    }

    /// The cost slot of `cause` at this node: its device's current attempt,
    /// or `superseded` for an earlier one; a later attempt supersedes the
    /// current one. `None` without a cause.
    fn slot(&mut self, cause: Cause) -> Option<&mut AttemptCost> {
        let device = cause.device()?;
        let attempt = cause.attempt();
        let cur = self.current.entry(device).or_insert_with(|| AttemptCost {
            attempt,
            ..Default::default()
        });
        if attempt > cur.attempt {
            let old = std::mem::replace(
                cur,
                AttemptCost {
                    attempt,
                    ..Default::default()
                },
            );
            self.superseded.add(&old);
        } else if attempt < cur.attempt {
            return Some(&mut self.superseded);
        }
        self.current.get_mut(&device)
    }

    /// One transmission of `octets` encoded octets for `cause`.
    pub fn sent(&mut self, cause: Cause, interface: Interface, octets: u64) {
        let t = Tally {
            messages: 1,
            octets,
        };
        match self.slot(cause) {
            Some(s) => s.send(interface, t),
            None => self.unattributed.entry(interface).or_default().add(t),
        }
    }

    /// Energy of an input handled for `cause` (devices only).
    pub fn spent(&mut self, cause: Cause, energy_uj: f64) {
        if let Some(s) = self.slot(cause) {
            s.energy_uj += energy_uj;
        }
    }

    /// An `authenticated` verdict about `subject`, reported while handling
    /// an input for `cause`.
    pub fn succeeded(&mut self, time: Nanos, subject: Addr, cause: Cause) {
        let attempt = match cause.device() {
            Some(d) if d == subject => cause.attempt(),
            _ => 0,
        };
        self.successes.push((time, subject, attempt));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const UE: Addr = Addr { node: 0, index: 3 };

    #[test]
    fn a_later_attempt_supersedes_the_current_one() {
        let mut a = Attribution::new(0);
        a.sent(Cause::new(UE, 1), Interface::S6a, 10);
        a.sent(Cause::new(UE, 2), Interface::S6a, 20);
        // A late message of attempt 1 is superseded at once.
        a.sent(Cause::new(UE, 1), Interface::S6a, 5);
        let cur = &a.current[&UE];
        assert_eq!(cur.attempt, 2);
        assert_eq!(
            cur.sent,
            vec![(
                Interface::S6a,
                Tally {
                    messages: 1,
                    octets: 20
                }
            )]
        );
        assert_eq!(
            a.superseded.sent,
            vec![(
                Interface::S6a,
                Tally {
                    messages: 2,
                    octets: 15
                }
            )]
        );
        a.sent(Cause::NONE, Interface::S6a, 7);
        assert_eq!(a.unattributed[&Interface::S6a].messages, 1);
    }

    #[test]
    fn a_cause_keeps_the_whole_device_address() {
        let d = Addr::new(2, 0x0123_4567);
        assert_eq!(Cause::new(d, 7).device(), Some(d));
        assert_eq!(Cause::new(d, 7).attempt(), 7);
        assert_eq!(Cause::NONE.device(), None);
        assert_eq!(Cause::new(Addr::new(255, 1), 1), Cause::NONE);
    }

    #[test]
    fn devices_number_their_attempts_and_servers_follow() {
        let mut dev = Attribution::new(5);
        assert_eq!(dev.open(UE), Cause::new(UE, 1));
        assert_eq!(dev.open(UE), Cause::new(UE, 2));
        // A message sent for another device's attempt (a broadcast) counts
        // for this device's current attempt.
        let other = Cause::new(Addr::new(0, 1), 9);
        assert_eq!(dev.of_message(UE, true, other), Cause::new(UE, 2));
        let mut mme = Attribution::new(0);
        assert_eq!(mme.of_peer_timer(Some(UE)), Cause::NONE);
        mme.of_message(Addr::new(1, 0), false, Cause::new(UE, 2));
        mme.of_message(Addr::new(1, 0), false, Cause::new(UE, 1));
        assert_eq!(mme.of_peer_timer(Some(UE)), Cause::new(UE, 2));
    }
}
