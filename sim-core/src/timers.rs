//! Per-node timer queue with lazy cancellation.
//!
//! Protocol timers (T3460, Diameter Tx) are nearly always cancelled long before
//! they expire. Putting each into nexosim's scheduler would bloat its heap with
//! dead entries (measured: heap pops dominate at 10^6 devices), so a node keeps
//! its timers here and asks nexosim for one wake-up at the earliest live one.

use std::cmp::Reverse;
use std::collections::{BinaryHeap, HashMap};

use authsim_protocols::core::{Nanos, TimerId};

#[derive(Debug, Default)]
pub struct TimerQueue {
    heap: BinaryHeap<Reverse<(Nanos, u64, u32, TimerId)>>,
    /// (endpoint index, timer id) -> sequence number of the live arming.
    live: HashMap<(u32, TimerId), u64>,
    seq: u64,
}

impl TimerQueue {
    pub fn arm(&mut self, index: u32, id: TimerId, at: Nanos) {
        self.seq += 1;
        self.live.insert((index, id), self.seq);
        self.heap.push(Reverse((at, self.seq, index, id)));
    }

    pub fn cancel(&mut self, index: u32, id: TimerId) {
        self.live.remove(&(index, id));
    }

    fn is_live(&self, seq: u64, index: u32, id: TimerId) -> bool {
        self.live.get(&(index, id)) == Some(&seq)
    }

    /// Deadline of the earliest live timer, dropping dead entries on the way.
    pub fn next_deadline(&mut self) -> Option<Nanos> {
        while let Some(&Reverse((at, seq, index, id))) = self.heap.peek() {
            if self.is_live(seq, index, id) {
                return Some(at);
            }
            self.heap.pop();
        }
        None
    }

    /// Removes and returns the earliest live timer due at or before `now`.
    pub fn pop_due(&mut self, now: Nanos) -> Option<(u32, TimerId)> {
        let at = self.next_deadline()?;
        if at > now {
            return None;
        }
        let Reverse((_, _, index, id)) = self.heap.pop()?;
        self.live.remove(&(index, id));
        Some((index, id))
    }

    pub fn live_count(&self) -> usize {
        self.live.len()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cancelled_and_rearmed_timers_do_not_fire() {
        let mut q = TimerQueue::default();
        q.arm(1, 7, 100);
        q.arm(2, 7, 50);
        q.cancel(2, 7);
        q.arm(1, 7, 300); // re-arm replaces the 100 deadline
        q.arm(3, 1, 200);
        assert_eq!(q.next_deadline(), Some(200));
        assert_eq!(q.pop_due(150), None);
        assert_eq!(q.pop_due(250), Some((3, 1)));
        assert_eq!(q.pop_due(1_000), Some((1, 7)));
        assert_eq!(q.pop_due(1_000), None);
        assert_eq!(q.live_count(), 0);
    }
}
