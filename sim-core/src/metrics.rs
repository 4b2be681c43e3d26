//! Metrics recorded where things happen, never re-derived afterwards.

use std::collections::BTreeMap;

use authsim_protocols::core::{Addr, CryptoOps, Interface, Nanos, Outcome};

/// Counters for one (interface, message kind).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct MessageCounters {
    /// Transmissions: one per send by one node (a broadcast is one).
    pub transmissions: u64,
    /// Deliveries scheduled to receivers that were not lost.
    pub deliveries: u64,
    /// Deliveries lost on the link.
    pub lost: u64,
    /// Encoded PDU bytes, summed over transmissions.
    pub bytes: u64,
    /// Lower-layer header bytes, summed over transmissions (separate column).
    pub overhead_bytes: u64,
}

impl MessageCounters {
    pub fn merge(&mut self, o: &MessageCounters) {
        self.transmissions += o.transmissions;
        self.deliveries += o.deliveries;
        self.lost += o.lost;
        self.bytes += o.bytes;
        self.overhead_bytes += o.overhead_bytes;
    }
}

pub type MessageKey = (Interface, &'static str);

/// The reason of an authenticated verdict caused by adversary input
/// (`NodeReport::adversary_caused`): a false acceptance (docs/threats.md).
pub const ADVERSARY_INPUT: &str = "adversary_input";

/// How an outcome is labelled in CSV.
pub fn outcome_label(o: &Outcome) -> (&'static str, &'static str, Addr) {
    match o {
        Outcome::Authenticated {
            subject,
            relayed_by,
            ..
        } => {
            // A relayed final message is visible as such (no claim of an attack).
            let reason = if relayed_by.is_some() { "relayed" } else { "" };
            ("authenticated", reason, *subject)
        }
        Outcome::Rejected { subject, reason } => ("rejected", reason, *subject),
        Outcome::AttackDetected { subject, what } => ("attack_detected", what, *subject),
        Outcome::Failed { subject, reason } => ("failed", reason, *subject),
    }
}

/// One verdict reported by an endpoint.
#[derive(Clone, Debug, PartialEq)]
pub struct AuthRecord {
    pub time: Nanos,
    pub reporter: Addr,
    pub outcome: Outcome,
}

/// Orders trace lines of equal departure time across nodes: the order in which
/// the transmissions were made.
pub type TraceKey = [u64; 6];

/// Everything one node measured; collected after the run.
#[derive(Clone, Debug, Default)]
pub struct NodeReport {
    pub node: u16,
    pub messages: BTreeMap<MessageKey, MessageCounters>,
    pub crypto: CryptoOps,
    /// Inputs handled (messages, timers, starts).
    pub inputs: u64,
    pub timer_expiries: u64,
    /// Total service time, summed over inputs.
    pub busy_ns: u128,
    /// Waiting time before service, summed and max (FIFO servers only).
    pub wait_ns_total: u128,
    pub wait_ns_max: Nanos,
    /// Time the last input finished service.
    pub last_finish: Nanos,
    /// Time of the last input handled (the run's end when no stop time is
    /// given).
    pub last_event: Nanos,
    /// Inputs the node's endpoints ignored, by the label they gave (a message
    /// kind unexpected in their state, `"undecodable"`, ...).
    pub ignored: BTreeMap<&'static str, u64>,
    /// Events the endpoints counted that send nothing (`Effects::count`:
    /// an attempt barred by the cell's system information), by label.
    pub counted: BTreeMap<&'static str, u64>,
    pub records: Vec<AuthRecord>,
    /// Indices into `records` (ascending) of the authenticated verdicts given
    /// while handling a PDU an adversary made (forged, altered, replayed or
    /// substituted): verdicts caused by adversary input, labelled
    /// [`ADVERSARY_INPUT`] in auth.csv. Empty in runs without adversary.
    pub adversary_caused: Vec<usize>,
    /// Start time per hosted endpoint that was started (population nodes).
    pub starts: Vec<Option<Nanos>>,
    /// Traced transmissions: (departure time, handling order, record).
    pub trace: Vec<(Nanos, TraceKey, crate::trace::Transmission)>,
    /// Endpoints the node hosts (devices of a population, 1 for a server).
    pub endpoints: u32,
    /// Bytes this node's radio sent: PDU bytes per transmission plus the link's
    /// lower-layer header bytes (a broadcast is sent once).
    pub tx_bytes: u64,
    /// Bytes this node's radio received: PDU plus header bytes per delivery
    /// handed to it (lost deliveries are not received).
    pub rx_bytes: u64,
    /// Inputs whose endpoint handled them apart, on the node's threads (a
    /// performance figure, not a result: the outputs do not depend on it).
    pub handled_apart: u64,
    /// The most inputs pending in the node's agenda at once, and the most
    /// timer entries (live or not yet swept) its timer queue held: what its
    /// memory grows with (performance figures, not results).
    pub peak_pending: u64,
    pub peak_timer_entries: u64,
    /// Transmissions and device energy by attach attempt (storm runs).
    pub attribution: Option<Box<crate::node::Attribution>>,
}
