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

#[cfg(test)]
mod tests {
    use super::*;

    const UE: Addr = Addr::new(0, 7);
    const OTHER: Addr = Addr::new(0, 8);

    fn tally(messages: u64, octets: u64) -> Tally {
        Tally { messages, octets }
    }

    /// Issue 19 (mutants of `totals` and `csv` survived): the totals sum
    /// every interface's tallies, all and wasted, and wasted.csv has a row
    /// per interface.
    #[test]
    fn totals_and_the_csv_cover_every_interface() {
        let mut w = Wasted::default();
        let nas = InterfaceSplit {
            all: tally(3, 30),
            wasted: tally(1, 10),
            ..Default::default()
        };
        let s6a = InterfaceSplit {
            all: tally(2, 200),
            wasted: tally(2, 200),
            ..Default::default()
        };
        w.by_interface.insert(Interface::Nas, nas);
        w.by_interface.insert(Interface::S6a, s6a);
        assert_eq!(w.totals(), (tally(5, 230), tally(3, 210)));
        // wasted.csv: one row per interface, in the interfaces' order.
        assert_eq!(
            w.csv(),
            "interface,messages,octets,wasted_messages,wasted_octets,unattributed_messages,unattributed_octets\n\
             nas,3,30,1,10,0,0\n\
             s6a,2,200,2,200,0,0\n"
        );
    }

    /// Issue 19 (mutants of `from_nodes` survived): a device's earliest
    /// success decides which of its attempts succeeded (a later verdict for
    /// an older attempt does not), and a success with no attempt (0) makes
    /// no attempt successful.
    #[test]
    fn the_earliest_success_decides_which_attempt_succeeded() {
        let mut mme = Attribution::new(0);
        // Attempt 2 authenticated at 5, then attempt 1 (late) at 9; the
        // other device only by an input of no attempt.
        mme.successes = vec![(9, UE, 1), (5, UE, 2), (4, OTHER, 0)];
        let cost = AttemptCost {
            attempt: 2,
            sent: vec![(Interface::Nas, tally(1, 100))],
            energy_uj: 0.0,
        };
        mme.current.insert(UE, cost);
        let w = Wasted::from_nodes(&[(true, &mme)]);
        assert_eq!(w.successful_attempts, 1);
        assert_eq!(w.totals(), (tally(1, 100), tally(0, 0)));
    }
}
