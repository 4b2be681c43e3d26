//! What a storm spent on attach attempts that failed: messages, octets and
//! device energy (docs/protocols/overload.md, "Wasted messages and retry
//! energy"), from each node's [`Attribution`].
//!
//! An attempt succeeded if the serving network (the node whose role is
//! `serving`) reported its device authenticated while handling an input of
//! that attempt, the first time it authenticated the device; every other
//! attempt failed: rejected, timed out, abandoned, superseded by a retry, or
//! still unfinished when the run ended.

use std::collections::BTreeMap;

use authsim_protocols::core::{Addr, Interface, Nanos};
use rustc_hash::FxHashMap;

use crate::node::{AttemptCost, Attribution, Tally};

/// One interface's transmissions split by what their attempt became.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct InterfaceSplit {
    /// Every transmission on the interface.
    pub all: Tally,
    /// For attempts that failed.
    pub wasted: Tally,
    /// For no device attempt (a node's own timers).
    pub unattributed: Tally,
}

/// A run's split of transmissions and device energy by attempt outcome.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Wasted {
    pub by_interface: BTreeMap<Interface, InterfaceSplit>,
    /// Device energy (population nodes) spent on failed attempts, J.
    pub retry_energy_j: f64,
    /// Device energy spent on successful attempts, J.
    pub success_energy_j: f64,
    /// Attempts the devices opened, and those that succeeded.
    pub attempts: u64,
    pub successful_attempts: u64,
}

impl Wasted {
    /// Sums over interfaces: (all, wasted).
    pub fn totals(&self) -> (Tally, Tally) {
        let mut all = Tally::default();
        let mut wasted = Tally::default();
        for s in self.by_interface.values() {
            all.messages += s.all.messages;
            all.octets += s.all.octets;
            wasted.messages += s.wasted.messages;
            wasted.octets += s.wasted.octets;
        }
        (all, wasted)
    }

    /// From each node's attribution, with whether the node is the serving
    /// network (its verdicts decide which attempt succeeded).
    pub fn from_nodes(nodes: &[(bool, &Attribution)]) -> Self {
        let mut first: FxHashMap<Addr, (Nanos, u16)> = FxHashMap::default();
        for (_, a) in nodes.iter().filter(|(serving, _)| *serving) {
            for &(time, subject, attempt) in &a.successes {
                let e = first.entry(subject).or_insert((time, attempt));
                if (time, attempt) < *e {
                    *e = (time, attempt);
                }
            }
        }
        let mut w = Wasted {
            successful_attempts: first.values().filter(|(_, a)| *a > 0).count() as u64,
            ..Default::default()
        };
        for (_, a) in nodes {
            w.attempts += a.opened_total();
            w.add(&a.superseded, false);
            for (device, cost) in &a.current {
                let ok = first.get(device).is_some_and(|&(_, s)| s == cost.attempt);
                w.add(cost, ok);
            }
            for (&i, &t) in &a.unattributed {
                let s = w.by_interface.entry(i).or_default();
                add(&mut s.all, t);
                add(&mut s.unattributed, t);
            }
        }
        w
    }

    fn add(&mut self, cost: &AttemptCost, succeeded: bool) {
        for &(i, t) in &cost.sent {
            let s = self.by_interface.entry(i).or_default();
            add(&mut s.all, t);
            if !succeeded {
                add(&mut s.wasted, t);
            }
        }
        match succeeded {
            true => self.success_energy_j += cost.energy_uj * 1e-6,
            false => self.retry_energy_j += cost.energy_uj * 1e-6,
        }
    }

    /// `wasted.csv`: per interface, every transmission and those for
    /// attempts that failed (messages and encoded octets), and those for no
    /// attempt.
    pub fn csv(&self) -> String {
        #[derive(serde::Serialize, Default)]
        struct Row {
            interface: &'static str,
            messages: u64,
            octets: u64,
            wasted_messages: u64,
            wasted_octets: u64,
            unattributed_messages: u64,
            unattributed_octets: u64,
        }
        crate::csv_table::serde_csv(self.by_interface.iter().map(|(i, s)| Row {
            interface: i.name(),
            messages: s.all.messages,
            octets: s.all.octets,
            wasted_messages: s.wasted.messages,
            wasted_octets: s.wasted.octets,
            unattributed_messages: s.unattributed.messages,
            unattributed_octets: s.unattributed.octets,
        }))
    }
}

fn add(t: &mut Tally, o: Tally) {
    t.messages += o.messages;
    t.octets += o.octets;
}
