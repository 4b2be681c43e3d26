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

use std::sync::atomic::AtomicU64;
use std::sync::{Arc, OnceLock};

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

/// The first routing failure of a run, shared by all its nodes: once set,
/// every node stops handling inputs and the engine reports it.
pub(crate) type Halt = Arc<OnceLock<Unroutable>>;
