//! One simulated node: hosted endpoints, their processing, outgoing links,
//! timers and metrics. Pure logic; `model.rs` wires it into nexosim.
//!
//! Processing follows a FIFO-by-entry discipline without extra events: an input
//! is handed to its endpoint when it arrives, with `now` set to the time its
//! service starts (after the inputs queued before it), and everything it sends
//! leaves when its service ends. Since service start times are monotone in
//! arrival order, this is exactly a FIFO queue in front of `servers` servers.

use std::fmt::Write as _;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};

use authsim_protocols::core::{
    Addr, Ctx, Destination, Effects, Incoming, Interface, Nanos, SimRng, TimerCmd, TimerId,
};
use rand::SeedableRng;

use crate::host::Host;
use crate::link::LinkState;
use crate::metrics::{AuthRecord, NodeReport};
use crate::profile::Profile;
use crate::timers::TimerQueue;

/// A message travelling between nodes.
#[derive(Clone, Debug)]
pub struct Delivery {
    pub from: Addr,
    pub to: Addr,
    pub interface: Interface,
    pub kind: &'static str,
    /// The encoded PDU (moved, not copied, for a unicast).
    pub pdu: Vec<u8>,
}

// nexosim requires scheduled event payloads to be serializable (for its
// save/restore feature). authsim never restores a run, so a delivery serializes
// for inspection but refuses to deserialize.
impl serde::Serialize for Delivery {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        use serde::ser::SerializeStruct;
        let mut st = s.serialize_struct("Delivery", 5)?;
        st.serialize_field("from", &self.from.to_string())?;
        st.serialize_field("to", &self.to.to_string())?;
        st.serialize_field("interface", self.interface.name())?;
        st.serialize_field("kind", self.kind)?;
        st.serialize_field("pdu", &self.pdu)?;
        st.end()
    }
}

impl<'de> serde::Deserialize<'de> for Delivery {
    fn deserialize<D: serde::Deserializer<'de>>(_: D) -> Result<Self, D::Error> {
        Err(serde::de::Error::custom(
            "authsim does not restore saved simulations",
        ))
    }
}

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
}

/// One input to a hosted endpoint.
pub enum Input {
    Start(u32),
    Message(Delivery),
    Timer(u32, TimerId),
}

/// A delivery to hand to nexosim at `at`.
pub type Scheduled = (Nanos, Delivery);

pub struct NodeCore {
    pub id: u16,
    pub name: String,
    host: Box<dyn Host>,
    profile: Profile,
    service: Service,
    servers_free: Vec<Nanos>,
    links: Vec<Option<LinkState>>,
    arrivals: Vec<(Nanos, u32)>,
    next_arrival: usize,
    pub timers: TimerQueue,
    /// The earliest timer wake-up already requested from nexosim.
    pub wake_at: Option<Nanos>,
    rng: SimRng,
    net_rng: SimRng,
    fx: Effects,
    trace: Option<Arc<AtomicU64>>,
    pub report: NodeReport,
    /// Deliveries to hand to nexosim after the current handler.
    pub outbox: Vec<Scheduled>,
    /// Messages addressed to a node this one has no link to.
    pub unroutable: Vec<(Addr, Addr)>,
}

impl NodeCore {
    pub fn new(s: NodeSetup) -> Self {
        let servers = match s.service {
            Service::Fifo { servers } => servers.max(1) as usize,
            Service::PerEndpoint => 0,
        };
        let report = NodeReport {
            node: s.id,
            starts: if s.arrivals.is_empty() {
                Vec::new()
            } else {
                vec![None; s.host.len() as usize]
            },
            endpoints: s.host.len(),
            ..Default::default()
        };
        Self {
            id: s.id,
            name: s.name,
            host: s.host,
            profile: s.profile,
            service: s.service,
            servers_free: vec![0; servers],
            links: s.links,
            arrivals: s.arrivals,
            next_arrival: 0,
            timers: TimerQueue::default(),
            wake_at: None,
            rng: SimRng::seed_from_u64(s.endpoint_seed),
            net_rng: SimRng::seed_from_u64(s.network_seed),
            fx: Effects::default(),
            trace: s.trace,
            report,
            outbox: Vec::new(),
            unroutable: Vec::new(),
        }
    }

    /// Starts every endpoint whose arrival time is `now` or earlier; returns the
    /// time of the next arrival, if any.
    pub fn start_due(&mut self, now: Nanos) -> Option<Nanos> {
        while let Some(&(at, index)) = self.arrivals.get(self.next_arrival) {
            if at > now {
                return Some(at);
            }
            self.next_arrival += 1;
            if let Some(slot) = self.report.starts.get_mut(index as usize) {
                *slot = Some(now);
            }
            self.handle(now, Input::Start(index));
        }
        None
    }

    /// Fires every live timer due at `now`.
    pub fn fire_due_timers(&mut self, now: Nanos) {
        while let Some((index, id)) = self.timers.pop_due(now) {
            self.report.timer_expiries += 1;
            self.handle(now, Input::Timer(index, id));
        }
    }

    /// The wake-up to request from nexosim, if the earliest live timer is
    /// earlier than any already requested.
    pub fn wake_needed(&mut self, now: Nanos) -> Option<Nanos> {
        let at = self.timers.next_deadline()?.max(now + 1);
        if self.wake_at.is_none_or(|w| at < w) {
            self.wake_at = Some(at);
            return Some(at);
        }
        None
    }

    /// Hands one input to its endpoint and turns the effects into scheduled
    /// deliveries (in `outbox`), armed timers and metrics.
    pub fn handle(&mut self, now: Nanos, input: Input) {
        let index = match &input {
            Input::Start(i) | Input::Timer(i, _) => *i,
            Input::Message(d) => d.to.index,
        };
        if let Input::Message(d) = &input {
            let header = self
                .links
                .get(d.from.node as usize)
                .and_then(|l| l.as_ref())
                .map_or(0, |l| l.spec.header_bytes as u64);
            self.report.rx_bytes += d.pdu.len() as u64 + header;
        }
        let start = match self.service {
            Service::Fifo { .. } => now.max(self.servers_free.iter().copied().min().unwrap_or(now)),
            Service::PerEndpoint => now,
        };
        let me = Addr::new(self.id, index);
        self.fx.clear();
        let Some(ep) = self.host.endpoint(index) else {
            self.unroutable.push((me, me));
            return;
        };
        let mut cx = Ctx {
            me,
            now: start,
            rng: &mut self.rng,
            fx: &mut self.fx,
        };
        match &input {
            Input::Start(_) => ep.start(&mut cx),
            Input::Timer(_, id) => ep.on_timer(*id, &mut cx),
            Input::Message(d) => ep.on_message(
                Incoming {
                    from: d.from,
                    interface: d.interface,
                    pdu: &d.pdu,
                },
                &mut cx,
            ),
        }
        let service = self.profile.service_time(&self.fx.crypto);
        let finish = start + service;
        if let Service::Fifo { .. } = self.service {
            if let Some(slot) = self.servers_free.iter_mut().min() {
                *slot = finish;
            }
            self.report.wait_ns_total += (start - now) as u128;
            self.report.wait_ns_max = self.report.wait_ns_max.max(start - now);
        }
        self.report.inputs += 1;
        self.report.busy_ns += service as u128;
        self.report.last_finish = self.report.last_finish.max(finish);
        self.report.crypto.merge(&self.fx.crypto);
        for outcome in self.fx.outcomes.drain(..) {
            self.report.records.push(AuthRecord {
                time: finish,
                reporter: me,
                outcome,
            });
        }
        for cmd in self.fx.timers.drain(..) {
            match cmd {
                TimerCmd::Arm { id, at } => self.timers.arm(index, id, start, at),
                TimerCmd::Cancel { id } => self.timers.cancel(index, id),
            }
        }
        let transmits = std::mem::take(&mut self.fx.transmits);
        for t in transmits {
            self.transmit(me, finish, t);
        }
    }

    fn transmit(&mut self, from: Addr, ready: Nanos, t: authsim_protocols::core::Transmit) {
        let receivers: Vec<Addr> = match t.to {
            Destination::Unicast(a) => vec![a],
            Destination::Broadcast(v) => v,
        };
        let pdu = t.pdu;
        let first_delivery = self.outbox.len();
        let counters = self
            .report
            .messages
            .entry((t.interface, t.kind))
            .or_default();
        counters.transmissions += 1;
        counters.bytes += pdu.len() as u64;
        self.report.tx_bytes += pdu.len() as u64;
        // One serialization per link used by this transmission (a broadcast on one
        // medium is serialized once), then one delivery per receiver.
        let mut timings: Vec<(u16, crate::link::Timing)> = Vec::new();
        let mut overhead_counted = false;
        for to in &receivers {
            let Some(link) = self
                .links
                .get_mut(to.node as usize)
                .and_then(|l| l.as_mut())
            else {
                self.unroutable.push((from, *to));
                continue;
            };
            let timing = match timings.iter().find(|(n, _)| *n == to.node) {
                Some((_, t)) => *t,
                None => {
                    let t = link.transmit(ready, pdu.len());
                    timings.push((to.node, t));
                    t
                }
            };
            let counters = self
                .report
                .messages
                .entry((t.interface, t.kind))
                .or_default();
            if !overhead_counted {
                counters.overhead_bytes += link.spec.header_bytes as u64;
                self.report.tx_bytes += link.spec.header_bytes as u64;
                overhead_counted = true;
            }
            match link.deliver(timing, &mut self.net_rng) {
                Some(at) => {
                    counters.deliveries += 1;
                    self.outbox.push((
                        at,
                        Delivery {
                            from,
                            to: *to,
                            interface: t.interface,
                            kind: t.kind,
                            pdu: Vec::new(),
                        },
                    ));
                }
                None => counters.lost += 1,
            }
        }
        // Hand the bytes to this transmission's deliveries: copies for all but the
        // last (a broadcast), the original moved into the last (every unicast).
        let delivered = &mut self.outbox[first_delivery..];
        if let Some((last, rest)) = delivered.split_last_mut() {
            for (_, d) in rest {
                d.pdu = pdu.clone();
            }
            if self.trace.is_none() {
                last.1.pdu = pdu;
                return;
            }
            last.1.pdu = pdu.clone();
        }
        if let Some(seq) = &self.trace {
            let departs = timings.first().map_or(ready, |(_, t)| t.departs);
            let mut line = String::with_capacity(64 + 2 * pdu.len());
            let to = receivers
                .iter()
                .map(|a| a.to_string())
                .collect::<Vec<_>>()
                .join(";");
            let _ = write!(
                line,
                "{:.9},{},{},{},{},{},{},",
                departs as f64 / 1e9,
                from,
                to,
                t.interface,
                t.kind,
                pdu.len(),
                self.name
            );
            for b in pdu.iter() {
                let _ = write!(line, "{b:02x}");
            }
            self.report
                .trace
                .push((departs, seq.fetch_add(1, Ordering::Relaxed), line));
        }
    }
}
