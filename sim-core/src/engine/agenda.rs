//! A node's agenda in the windowed engine: its pending inputs, in the order
//! the per-message engine would handle them, and what its window sends.

use authsim_protocols::core::Nanos;

use authsim_protocols::core::{Addr, Interface};

use super::calendar::{Calendar, Pack, le};
use crate::node::{Cause, Delivery, Event, Router};
use crate::pdu::Pdu;

/// One input waiting in a node's agenda, ordered as the per-message engine
/// orders its events: by time, then by origin node in descending id, then by
/// the origin's scheduling sequence.
///
/// That tie order is what nexosim 1.0 does with the per-message engine: its
/// scheduler groups the events of one time by origin model, and its
/// single-threaded executor runs them last-spawned-first; a node's own events
/// (arrive, wake) have the node as origin, a delivery has its sender.
#[derive(Clone, Debug)]
pub(crate) struct Pending {
    pub(crate) at: Nanos,
    origin: u16,
    seq: u64,
    pub(crate) event: Event,
}

#[derive(Debug)]
pub(crate) struct Agenda {
    /// The node this agenda belongs to.
    me: u16,
    /// Inputs not handled yet (their time, origin and sequence are the
    /// calendar's keys).
    pending: Calendar<Event>,
    /// Scheduling sequence: counts what the per-message engine would schedule
    /// (deliveries, arrive and wake events), in its order.
    seq: u64,
    /// Shortest latency of any link into this node: every input earlier than
    /// `now + lookahead` is known at `now`.
    lookahead: Nanos,
    /// Outgoing deliveries per destination node, sent at the end of a window.
    batches: Vec<Vec<Pending>>,
    /// The earliest window start already requested from nexosim.
    tick_at: Option<Nanos>,
    /// (time, origin) of the delivery group being handled and its first sequence.
    group: (Nanos, u16, u64),
    /// The most inputs pending at once.
    peak: usize,
}

impl Agenda {
    /// The agenda of node `me` among `nodes`, with its start due at time 0.
    pub(crate) fn new(me: u16, nodes: usize, lookahead: Nanos) -> Self {
        // Buckets near an eighth of the lookahead keep them short; with no
        // lookahead, a window is one instant and the width only tunes speed.
        let width = match lookahead {
            0 => 1_000,
            l => l / 8,
        };
        let mut agenda = Self {
            me,
            pending: Calendar::new(width),
            seq: 0,
            lookahead,
            batches: (0..nodes).map(|_| Vec::new()).collect(),
            tick_at: None,
            group: (0, 0, 0),
            peak: 0,
        };
        agenda.pending.push(0, me, 0, Event::Init);
        agenda
    }

    fn pending(at: Nanos, origin: u16, seq: u64, event: Event) -> Pending {
        Pending {
            at,
            origin,
            seq,
            event,
        }
    }

    /// Adds inputs sent by another node's window.
    pub(crate) fn receive(&mut self, batch: Vec<Pending>) {
        for p in batch {
            self.pending.push(p.at, p.origin, p.seq, p.event);
        }
        self.peak = self.peak.max(self.pending.len());
    }

    /// The end (exclusive) of the window that starts at `from`: every input
    /// before it is known now. Without lookahead, a window is the instant
    /// `from`; inputs for it that come later are handled as they come.
    pub(crate) fn window_end(&self, from: Nanos, until: Option<Nanos>) -> Nanos {
        let end = from.saturating_add(self.lookahead.max(1));
        match until {
            Some(u) => end.min(u.saturating_add(1)),
            None => end,
        }
    }

    /// Removes the earliest pending input if it is due before `end`.
    pub(crate) fn pop_before(&mut self, end: Nanos) -> Option<Pending> {
        let (at, ord, event) = self.pending.pop_before(end)?;
        Some(Pending {
            at,
            origin: u16::MAX - (ord >> 48) as u16,
            seq: ord & ((1 << 48) - 1),
            event,
        })
    }

    /// Unpacks the inputs due before `end` that wait packed, so that
    /// [`Self::for_each_before`] sees them.
    pub(crate) fn unpack_before(&mut self, end: Nanos) {
        self.pending.unpack_before(end);
    }

    /// Calls `f` with every pending input due before `end` (time and event),
    /// in no particular order, without removing any (after
    /// [`Self::unpack_before`]).
    pub(crate) fn for_each_before<'s>(&'s self, end: Nanos, f: impl FnMut(Nanos, &'s Event)) {
        self.pending.for_each_before(end, f);
    }

    /// The input that comes next, if cheaply known (a hint).
    pub(crate) fn peek_next(&self) -> Option<&Event> {
        self.pending.peek_next()
    }

    /// Time of the earliest pending input.
    pub(crate) fn next_at(&mut self) -> Option<Nanos> {
        self.pending.next_at()
    }

    /// The global order in which the per-message engine would handle `p`,
    /// for trace lines: (time, origin descending, own event 0 / delivery 1,
    /// receivers of one origin in reverse order of their first delivery,
    /// sequence).
    pub(crate) fn handling_order(&mut self, p: &Pending) -> [u64; 5] {
        let origin_desc = u64::from(u16::MAX - p.origin);
        match &p.event {
            // A delivery to this node's own endpoints is handled by the
            // per-message engine's emit event, an own event.
            Event::Deliver(_) if p.origin != self.me => {
                if (self.group.0, self.group.1) != (p.at, p.origin) {
                    self.group = (p.at, p.origin, p.seq);
                }
                [p.at, origin_desc, 1, u64::MAX - self.group.2, p.seq]
            }
            _ => [p.at, origin_desc, 0, 0, p.seq],
        }
    }

    /// This window's deliveries, one batch per destination node.
    pub(crate) fn batches(&mut self) -> impl Iterator<Item = (usize, Vec<Pending>)> + '_ {
        self.batches
            .iter_mut()
            .enumerate()
            .filter(|(_, b)| !b.is_empty())
            .map(|(dst, b)| (dst, std::mem::take(b)))
    }

    /// The most inputs that were pending at once (a performance figure).
    pub(crate) fn peak_pending(&self) -> usize {
        self.peak
    }

    /// A window was requested at `at` and starts now.
    pub(crate) fn tick_started(&mut self, at: Nanos) {
        if self.tick_at == Some(at) {
            self.tick_at = None;
        }
    }

    /// When to start the next window: at the earliest pending input, unless
    /// that is after `until` or a window is already requested at or before it.
    pub(crate) fn next_tick(&mut self, until: Option<Nanos>) -> Option<Nanos> {
        let at = self.next_at()?;
        if until.is_some_and(|u| at > u) || self.tick_at.is_some_and(|t| t <= at) {
            return None;
        }
        self.tick_at = Some(at);
        Some(at)
    }

    fn push_own(&mut self, at: Nanos, event: Event) {
        self.seq += 1;
        self.pending.push(at, self.me, self.seq, event);
        self.peak = self.peak.max(self.pending.len());
    }
}

/// What the per-message engine would schedule goes to the agenda (own
/// inputs) or to the destination's batch (deliveries to other nodes).
impl Router for Agenda {
    fn arrival(&mut self, at: Nanos) {
        self.push_own(at, Event::Arrive);
    }

    fn deliver(&mut self, at: Nanos, d: Delivery) {
        let dst = d.to.node;
        if dst == self.me {
            // A broadcast medium inside one node: after this input, so
            // handled later in this window or in a later one.
            self.push_own(at, Event::Deliver(d));
        } else {
            self.seq += 1;
            let p = Self::pending(at, self.me, self.seq, Event::Deliver(d));
            self.batches[dst as usize].push(p);
        }
    }

    fn wake(&mut self, at: Nanos) {
        self.push_own(at, Event::Wake(at));
    }
}

/// Octets of a packed delivery before its PDU: from, to (node, index),
/// (interface, kind) entry, cause, PDU length.
const DELIVERY_HEAD: usize = 2 + 4 + 2 + 4 + 1 + 7 + 2;

/// A delivery waiting in a later span is kept as its fields and PDU octets
/// (41 + PDU octets in all with the calendar's key, against a 64-octet
/// delivery, a heap block for its PDU and the queue's own entry); its
/// (interface, kind) pair is an index into a table of the few pairs a node
/// receives. Broadcast PDUs (shared), other events, PDUs over 64 KiB and a
/// 257th pair stay whole.
impl Pack for Event {
    type Dict = Vec<(Interface, &'static str)>;

    fn pack(self, dict: &mut Self::Dict, buf: &mut Vec<u8>) -> Option<Self> {
        let Event::Deliver(d) = &self else {
            return Some(self);
        };
        let Pdu::Owned(pdu) = &d.pdu else {
            return Some(self);
        };
        let Ok(len) = u16::try_from(pdu.len()) else {
            return Some(self);
        };
        let pair = match dict
            .iter()
            .position(|&(i, k)| i == d.interface && k == d.kind)
        {
            Some(p) => p,
            None if dict.len() <= u8::MAX as usize => {
                dict.push((d.interface, d.kind));
                dict.len() - 1
            }
            None => return Some(self),
        };
        buf.reserve(DELIVERY_HEAD + pdu.len());
        buf.extend_from_slice(&d.from.node.to_le_bytes());
        buf.extend_from_slice(&d.from.index.to_le_bytes());
        buf.extend_from_slice(&d.to.node.to_le_bytes());
        buf.extend_from_slice(&d.to.index.to_le_bytes());
        buf.push(pair as u8);
        buf.extend_from_slice(&d.cause.to_bytes());
        buf.extend_from_slice(&len.to_le_bytes());
        buf.extend_from_slice(pdu);
        None
    }

    fn unpack(dict: &Self::Dict, b: &[u8]) -> (Self, usize) {
        let (interface, kind) = dict[b[12] as usize];
        let len = u16::from_le_bytes(le(b, 20)) as usize;
        let d = Delivery {
            from: Addr::new(u16::from_le_bytes(le(b, 0)), u32::from_le_bytes(le(b, 2))),
            to: Addr::new(u16::from_le_bytes(le(b, 6)), u32::from_le_bytes(le(b, 8))),
            interface,
            kind,
            pdu: Pdu::Owned(b[DELIVERY_HEAD..DELIVERY_HEAD + len].to_vec()),
            cause: Cause::from_bytes(le(b, 13)),
        };
        (Event::Deliver(d), DELIVERY_HEAD + len)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A delivery comes out of its packed form as it went in, and what does
    /// not pack (a shared PDU, a wake-up) is given back untouched.
    #[test]
    fn deliveries_pack_and_unpack_to_the_same_fields() {
        let d = Delivery {
            from: Addr::new(1, 0),
            to: Addr::new(0, 987_654),
            interface: Interface::Nas,
            kind: "AuthenticationRequest",
            pdu: Pdu::Owned((0..36).collect()),
            cause: Cause::new(Addr::new(0, 987_654), 3),
        };
        let mut dict = Vec::new();
        let mut buf = vec![0xAA];
        assert!(
            Event::Deliver(d.clone())
                .pack(&mut dict, &mut buf)
                .is_none()
        );
        assert!(
            Event::Deliver(d.clone())
                .pack(&mut dict, &mut buf)
                .is_none()
        );
        assert_eq!(dict.len(), 1, "one entry per (interface, kind)");
        assert_eq!(buf.len(), 1 + 2 * (DELIVERY_HEAD + 36));
        let (back, used) = Event::unpack(&dict, &buf[1..]);
        assert_eq!(used, DELIVERY_HEAD + 36);
        let Event::Deliver(back) = back else {
            panic!("not a delivery")
        };
        assert_eq!(
            (back.from, back.to, back.interface, back.kind, back.cause),
            (d.from, d.to, d.interface, d.kind, d.cause)
        );
        assert_eq!(back.pdu, d.pdu);
        let shared = Delivery {
            pdu: Pdu::shared(vec![1, 2, 3]),
            ..d
        };
        assert!(Event::Deliver(shared).pack(&mut dict, &mut buf).is_some());
        assert!(Event::Wake(5).pack(&mut dict, &mut buf).is_some());
        assert_eq!(buf.len(), 1 + 2 * (DELIVERY_HEAD + 36), "nothing written");
    }
}
