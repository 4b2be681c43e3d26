//! One simulated node: hosted endpoints, their processing, outgoing links,
//! timers and metrics. Pure logic: an engine (`crate::engine`) decides when
//! each [`Event`] happens and carries what the node sends ([`Router`]).
//!
//! Processing follows a FIFO-by-entry discipline without extra events: an input
//! is handed to its endpoint when it arrives, with `now` set to the time its
//! service starts (after the inputs queued before it), and everything it sends
//! leaves when its service ends. Since service start times are monotone in
//! arrival order, this is exactly a FIFO queue in front of `servers` servers.

mod attribution;
mod delivery;
mod node_core;
mod servers;
mod transmit;

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};

use authsim_protocols::core::{Addr, Interface, Nanos};

use crate::host::Host;
use crate::link::LinkState;
use crate::profile::Profile;

pub use attribution::{AttemptCost, Attribution, Cause, Tally};
pub use delivery::Delivery;
pub(crate) use node_core::NodeCore;

/// How a node serves its inputs.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Service {
    /// A shared FIFO queue in front of `servers` identical servers (MME, HSS).
    Fifo { servers: u32 },
    /// Every hosted endpoint processes on its own (a population of devices).
    PerEndpoint,
}

/// Everything needed to build a node.
pub struct NodeSetup {
    pub id: u16,
    pub name: String,
    pub host: Box<dyn Host>,
    pub profile: Profile,
    pub service: Service,
    /// Outgoing links indexed by destination node id.
    pub links: Vec<Option<LinkState>>,
    /// Start commands (time, endpoint index), sorted by time.
    pub arrivals: Vec<(Nanos, u32)>,
    pub endpoint_seed: u64,
    pub network_seed: u64,
    /// Global trace sequence counter when tracing is on.
    pub trace: Option<Arc<AtomicU64>>,
    /// Whether to attribute transmissions and device energy to attach
    /// attempts (`outputs.storm`).
    pub attribute: bool,
}

/// What happens to a node at one time; each engine schedules these its own way.
#[derive(Clone, Debug)]
pub(crate) enum Event {
    /// The node's start (nexosim `init`): starts due at time 0.
    Init,
    /// Starts of the population due now.
    Arrive,
    /// The timer wake-up requested for this time.
    Wake(Nanos),
    /// A message arriving.
    Deliver(Delivery),
}

/// Where a node's step puts what must happen later: the engine's scheduling.
pub(crate) trait Router {
    /// The next start of this node's population is due at `at` (> now).
    fn arrival(&mut self, at: Nanos);
    /// `d` reaches its destination at `at` (>= now; deliveries to the
    /// node's own endpoints at `now` never get here, the node handles them).
    fn deliver(&mut self, at: Nanos, d: Delivery);
    /// The node's earliest live timer expires at `at` (> now).
    fn wake(&mut self, at: Nanos);
}

/// A transmission, or a delivery, with nowhere to go: a run error.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("node `{node}`: {from} sent {interface} {kind} to {to}, but {gap}")]
pub struct Unroutable {
    /// The node that found the gap (the sender's for a missing link, the
    /// receiver's for a missing endpoint).
    pub node: String,
    pub from: Addr,
    pub to: Addr,
    pub interface: Interface,
    pub kind: &'static str,
    pub gap: RouteGap,
}

/// Why a message has no route.
#[derive(Clone, Copy, Debug, PartialEq, Eq, thiserror::Error)]
pub enum RouteGap {
    #[error("no link joins their nodes")]
    NoLink,
    #[error("its node hosts only {endpoints} endpoints")]
    NoEndpoint { endpoints: u32 },
}

/// The earliest routing failure of a run, shared by all its nodes.
///
/// Nodes that run side by side on threads find failures in no fixed order,
/// so the failure kept is the earliest by (time, node id) — the one the
/// sequential order meets first — and a node stops handling inputs later
/// than it. Which failure a run reports is then the same for any thread count.
#[derive(Clone, Debug, Default)]
pub(crate) struct Halt(Arc<HaltState>);

#[derive(Debug)]
struct HaltState {
    /// Time of the earliest failure so far (`Nanos::MAX`: none): read by
    /// every input, so an atomic rather than the lock.
    at: AtomicU64,
    first: Mutex<Option<(Nanos, u16, Unroutable)>>,
}

impl Default for HaltState {
    fn default() -> Self {
        Self {
            at: AtomicU64::new(Nanos::MAX),
            first: Mutex::new(None),
        }
    }
}

impl Halt {
    /// Records a failure found by node `node` at `now`, unless an earlier
    /// one is known.
    pub(crate) fn fail(&self, now: Nanos, node: u16, failure: Unroutable) {
        let mut first = self.0.first.lock().unwrap_or_else(|e| e.into_inner());
        if first
            .as_ref()
            .is_none_or(|(t, n, _)| (now, node) < (*t, *n))
        {
            *first = Some((now, node, failure));
            self.0.at.store(now, Ordering::Relaxed);
        }
    }

    /// Whether an input at `now` comes after the earliest failure: the run's
    /// outcome is decided and the input is not handled.
    pub(crate) fn stops(&self, now: Nanos) -> bool {
        now > self.0.at.load(Ordering::Relaxed)
    }

    /// Whether any failure is known.
    pub(crate) fn failed(&self) -> bool {
        self.0.at.load(Ordering::Relaxed) != Nanos::MAX
    }

    /// The earliest failure, once the run is over.
    pub(crate) fn first(&self) -> Option<Unroutable> {
        let first = self.0.first.lock().unwrap_or_else(|e| e.into_inner());
        first.as_ref().map(|(_, _, f)| f.clone())
    }
}

#[cfg(test)]
mod tests {
    use super::{Halt, RouteGap, Unroutable};
    use authsim_protocols::core::{Addr, Interface};

    fn failure(node: &str) -> Unroutable {
        Unroutable {
            node: node.to_string(),
            from: Addr { node: 0, index: 0 },
            to: Addr { node: 1, index: 9 },
            interface: Interface::Nas,
            kind: "test",
            gap: RouteGap::NoLink,
        }
    }

    #[test]
    fn the_earliest_failure_by_time_then_node_is_kept_whatever_the_order_found() {
        let halt = Halt::default();
        assert!(!halt.failed() && !halt.stops(u64::MAX - 1));
        halt.fail(5_000, 2, failure("late"));
        halt.fail(3_000, 4, failure("earlier"));
        halt.fail(3_000, 1, failure("earlier, lower node"));
        halt.fail(3_000, 3, failure("same time, higher node"));
        halt.fail(9_000, 0, failure("later"));
        assert_eq!(halt.first().unwrap().node, "earlier, lower node");
        assert!(halt.failed());
        assert!(
            !halt.stops(3_000),
            "inputs at the failure's time are still handled"
        );
        assert!(halt.stops(3_001));
    }
}
