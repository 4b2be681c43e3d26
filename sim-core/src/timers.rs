//! Per-node timer queue with lazy cancellation.
//!
//! Protocol timers (T3460, Diameter Tx, T3410) are nearly always cancelled long
//! before they expire. Putting each into nexosim's scheduler would bloat its heap
//! with dead entries (measured: heap pops dominate at 10^6 devices), so a node
//! keeps its timers here and asks nexosim for one wake-up at the earliest live one.
//!
//! Timers of one kind have one duration, so their deadlines arrive in order: each
//! distinct duration gets a FIFO lane (push and pop O(1), sequential memory). A
//! deadline that would break a lane's order goes to a fallback heap.
//!
//! A cancelled or re-armed timer leaves a dead entry behind until it reaches
//! the front. An overloaded server arms its T3460s hundreds of seconds ahead
//! and may re-arm them meanwhile, so once dead entries outnumber live ones
//! (and there are many) the lanes and the heap are swept: the queue holds at
//! most about twice its live timers.

use std::cmp::Reverse;
use std::collections::{BinaryHeap, VecDeque};

use authsim_protocols::core::{Nanos, TimerKey};
use rustc_hash::FxHashMap;

type Entry = (Nanos, u64, u32, TimerKey);

/// Lanes beyond this many distinct durations go to the heap.
const MAX_LANES: usize = 16;

/// Dead entries tolerated before a sweep, on top of one per live timer.
const SWEEP_SLACK: usize = 4096;

#[derive(Clone, Debug, Default)]
pub struct TimerQueue {
    /// (duration, entries in deadline order).
    lanes: Vec<(Nanos, VecDeque<Entry>)>,
    heap: BinaryHeap<Reverse<Entry>>,
    /// (endpoint index, timer id) -> sequence number of the live arming.
    live: FxHashMap<(u32, TimerKey), u64>,
    seq: u64,
    /// [`Self::earliest`] as last found, with the timer it names; `None` when
    /// unknown. Every input asks for the next deadline, but most arm a later
    /// timer or cancel another one, which cannot change the answer.
    cached: Option<Option<Earliest>>,
    /// Entries in the lanes and the heap, live or dead.
    held: usize,
    /// The most entries held at once.
    peak: usize,
}

/// The earliest live timer: deadline, where it is (`Some(lane)` or `None`
/// for the heap), and whose it is.
#[derive(Clone, Copy, Debug)]
struct Earliest {
    at: Nanos,
    place: Option<usize>,
    key: (u32, TimerKey),
}

impl TimerQueue {
    /// Arms timer `id` of endpoint `index` at `at`, armed at time `now`.
    pub fn arm(&mut self, index: u32, id: TimerKey, now: Nanos, at: Nanos) {
        // A strictly later deadline of another timer leaves the earliest
        // where it is (ties are decided by position, so they recompute).
        match self.cached {
            Some(Some(e)) if at > e.at && e.key != (index, id) => {}
            _ => self.cached = None,
        }
        self.seq += 1;
        self.live.insert((index, id), self.seq);
        if self.held >= 2 * self.live.len() + SWEEP_SLACK {
            self.sweep();
        }
        self.held += 1;
        self.peak = self.peak.max(self.held);
        let entry = (at, self.seq, index, id);
        let duration = at.saturating_sub(now);
        if let Some((_, lane)) = self.lanes.iter_mut().find(|(d, _)| *d == duration) {
            if lane.back().is_none_or(|b| b.0 <= at) {
                lane.push_back(entry);
                return;
            }
        } else if self.lanes.len() < MAX_LANES {
            self.lanes.push((duration, VecDeque::from([entry])));
            return;
        }
        self.heap.push(Reverse(entry));
    }

    pub fn cancel(&mut self, index: u32, id: TimerKey) {
        if let Some(Some(e)) = self.cached
            && e.key == (index, id)
        {
            self.cached = None;
        }
        self.live.remove(&(index, id));
    }

    /// Drops every dead entry (order kept: lanes stay in deadline order).
    fn sweep(&mut self) {
        let live = &self.live;
        let alive = |e: &Entry| live.get(&(e.2, e.3)) == Some(&e.1);
        for (_, lane) in &mut self.lanes {
            lane.retain(alive);
        }
        self.heap.retain(|Reverse(e)| alive(e));
        self.held = self.lanes.iter().map(|(_, l)| l.len()).sum::<usize>() + self.heap.len();
        self.cached = None;
    }

    fn is_live(&self, e: &Entry) -> bool {
        self.live.get(&(e.2, e.3)) == Some(&e.1)
    }

    /// Drops dead entries at the front of every lane and the heap top.
    fn prune(&mut self) {
        let live = &self.live;
        let alive = |e: &Entry| live.get(&(e.2, e.3)) == Some(&e.1);
        for (_, lane) in &mut self.lanes {
            while lane.front().is_some_and(|e| !alive(e)) {
                lane.pop_front();
                self.held -= 1;
            }
        }
        while self.heap.peek().is_some_and(|Reverse(e)| !alive(e)) {
            self.heap.pop();
            self.held -= 1;
        }
    }

    /// The earliest live entry (the heap wins ties, then the first lane).
    fn earliest(&mut self) -> Option<Earliest> {
        if let Some(e) = self.cached {
            return e;
        }
        self.prune();
        let of = |e: &Entry, place| Earliest {
            at: e.0,
            place,
            key: (e.2, e.3),
        };
        let mut best = self.heap.peek().map(|Reverse(e)| of(e, None));
        for (i, (_, lane)) in self.lanes.iter().enumerate() {
            if let Some(e) = lane.front()
                && best.is_none_or(|b| e.0 < b.at)
            {
                best = Some(of(e, Some(i)));
            }
        }
        self.cached = Some(best);
        best
    }

    /// Deadline of the earliest live timer.
    pub fn next_deadline(&mut self) -> Option<Nanos> {
        self.earliest().map(|e| e.at)
    }

    /// Removes and returns the earliest live timer due at or before `now`.
    pub fn pop_due(&mut self, now: Nanos) -> Option<(u32, TimerKey)> {
        let Earliest { at, place, .. } = self.earliest()?;
        if at > now {
            return None;
        }
        self.cached = None;
        let e = match place {
            Some(i) => self.lanes[i].1.pop_front()?,
            None => self.heap.pop()?.0,
        };
        debug_assert!(self.is_live(&e));
        self.held -= 1;
        self.live.remove(&(e.2, e.3));
        Some((e.2, e.3))
    }

    /// Calls `f` with the endpoint and deadline of every live timer due
    /// before `end` (lanes are in deadline order, so each is read only up to
    /// `end`).
    pub fn for_each_due_before(&self, end: Nanos, mut f: impl FnMut(u32, Nanos)) {
        for (_, lane) in &self.lanes {
            for e in lane.iter().take_while(|e| e.0 < end) {
                if self.is_live(e) {
                    f(e.2, e.0);
                }
            }
        }
        for Reverse(e) in &self.heap {
            if e.0 < end && self.is_live(e) {
                f(e.2, e.0);
            }
        }
    }

    pub fn live_count(&self) -> usize {
        self.live.len()
    }

    /// Entries held now, live or dead (what the queue's memory grows with).
    pub fn held(&self) -> usize {
        self.held
    }

    /// The most entries held at once.
    pub fn peak_held(&self) -> usize {
        self.peak
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use authsim_protocols::core::TimerKind;

    #[test]
    fn cancelled_and_rearmed_timers_do_not_fire() {
        let mut q = TimerQueue::default();
        const A: TimerKey = TimerKey::own(TimerKind::T3460);
        const B: TimerKey = TimerKey::own(TimerKind::T3410);
        q.arm(1, A, 0, 100);
        q.arm(2, A, 0, 50);
        q.cancel(2, A);
        q.arm(1, A, 0, 300); // re-arm replaces the 100 deadline
        q.arm(3, B, 0, 200);
        assert_eq!(q.next_deadline(), Some(200));
        assert_eq!(q.pop_due(150), None);
        assert_eq!(q.pop_due(250), Some((3, B)));
        assert_eq!(q.pop_due(1_000), Some((1, A)));
        assert_eq!(q.pop_due(1_000), None);
        assert_eq!(q.live_count(), 0);
    }

    /// The cached answer is always the one a fresh search gives, through
    /// arms (earlier, later, tied, re-arms), cancels and pops.
    #[test]
    fn cached_earliest_matches_a_fresh_search() {
        const KINDS: [TimerKind; 3] = [TimerKind::T3410, TimerKind::T3460, TimerKind::DiameterTx];
        let mut q = TimerQueue::default();
        let mut x = 0x9e37_79b9_7f4a_7c15u64;
        let mut now = 0;
        for step in 0..20_000 {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            let index = (x % 50) as u32;
            let id = TimerKey::own(KINDS[((x >> 8) % 3) as usize]);
            match (x >> 16) % 4 {
                0 | 1 => {
                    let duration = [100, 250, 1_000][((x >> 20) % 3) as usize] + (x >> 30) % 2;
                    q.arm(index, id, now, now + duration);
                }
                2 => q.cancel(index, id),
                _ => {
                    now += (x >> 24) % 40;
                    q.pop_due(now);
                }
            }
            let cached = q.earliest().map(|e| (e.at, e.place, e.key));
            let mut fresh = q.clone();
            fresh.cached = None;
            let fresh = fresh.earliest().map(|e| (e.at, e.place, e.key));
            assert_eq!(cached, fresh, "step {step}");
        }
    }

    /// Re-arming and cancelling far-future timers (an overloaded server's
    /// T3460s) keeps at most about two entries per live timer, and the
    /// survivors still fire in order.
    #[test]
    fn dead_entries_are_swept() {
        let mut q = TimerQueue::default();
        let key = TimerKey::own(TimerKind::T3460);
        for round in 0..50u64 {
            for i in 0..1_000u32 {
                q.arm(i, key, round, 1_000_000 + round * 10 + u64::from(i));
                if i.is_multiple_of(2) {
                    q.cancel(i, key);
                }
            }
            // At most two entries per timer live during the round, plus the slack.
            assert!(
                q.held() <= 2 * 1_000 + SWEEP_SLACK + 1,
                "round {round}: {} held",
                q.held()
            );
        }
        assert_eq!(q.live_count(), 500);
        assert!(q.peak_held() < 50 * 1_000, "swept: peak {}", q.peak_held());
        let mut last = 0;
        let mut fired = 0;
        while let Some(at) = q.next_deadline() {
            let (i, _) = q.pop_due(at).unwrap();
            assert!(i % 2 == 1 && at >= last);
            last = at;
            fired += 1;
        }
        assert_eq!((fired, q.held()), (500, 0));
    }

    #[test]
    fn lanes_and_heap_fire_in_deadline_order() {
        let mut q = TimerQueue::default();
        // Many durations (more than the lanes) and out-of-order arms.
        let mut expected = Vec::new();
        for i in 0..200u32 {
            let now = (i as u64 * 37) % 101;
            let at = now + 1 + (i as u64 * 7919) % 500;
            q.arm(i, TimerKey::own(TimerKind::T3410), now, at);
            expected.push((at, i));
        }
        expected.sort();
        let mut got = Vec::new();
        while let Some(at) = q.next_deadline() {
            let (i, _) = q.pop_due(at).unwrap();
            got.push((at, i));
        }
        let at_only = |v: &Vec<(u64, u32)>| v.iter().map(|x| x.0).collect::<Vec<_>>();
        assert_eq!(at_only(&got), at_only(&expected));
        assert_eq!(got.len(), 200);
    }
}
