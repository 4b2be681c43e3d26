//! A node's state and its one processing path, shared by every engine: an
//! [`Event`] is handled, its effects become deliveries, timers and metrics,
//! and what must happen later goes to the engine's [`Router`].

use std::sync::Arc;
use std::sync::atomic::AtomicU64;

use authsim_protocols::core::{
    Addr, Ctx, Effects, Incoming, Interface, Nanos, SimRng, TimerCmd, TimerKey,
};
use rand::SeedableRng;

use super::servers::Servers;
use super::{Delivery, Event, Halt, NodeSetup, RouteGap, Router, Unroutable};
use crate::host::Host;
use crate::link::{LinkState, Timing};
use crate::metrics::{AuthRecord, MessageCounters, MessageKey, NodeReport};
use crate::profile::Profile;
use crate::timers::TimerQueue;

/// One input to a hosted endpoint.
enum Input {
    Start(u32),
    Message(Delivery),
    Timer(u32, TimerKey),
}

/// How trace lines are ordered among equal departure times.
pub(super) enum TraceOrder {
    /// A global counter in handling order (the per-message engine).
    Global(Arc<AtomicU64>),
    /// The handling order the per-message engine would have, given per input
    /// by the windowed engine, then lines written so far by this node.
    Handling { order: [u64; 5], lines: u64 },
}

pub(crate) struct NodeCore {
    pub(super) id: u16,
    pub(super) name: String,
    host: Box<dyn Host>,
    profile: Profile,
    servers: Servers,
    pub(super) links: Vec<Option<LinkState>>,
    arrivals: Vec<(Nanos, u32)>,
    next_arrival: usize,
    timers: TimerQueue,
    /// The earliest timer wake-up already requested from the engine.
    wake_at: Option<Nanos>,
    rng: SimRng,
    pub(super) net_rng: SimRng,
    fx: Effects,
    pub(super) trace: Option<TraceOrder>,
    pub(super) report: NodeReport,
    /// Deliveries made by the input being handled.
    pub(super) outbox: Vec<(Nanos, Delivery)>,
    /// Scratch: one link timing per node a transmission uses (kept for its capacity).
    pub(super) timings: Vec<(u16, Timing)>,
    /// Message counters, folded into `report.messages` by `take_report`.
    pub(super) counters: Vec<(MessageKey, MessageCounters)>,
    halt: Halt,
}

impl NodeCore {
    pub(crate) fn new(s: NodeSetup, halt: Halt) -> Self {
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
            servers: Servers::new(s.service),
            links: s.links,
            arrivals: s.arrivals,
            next_arrival: 0,
            timers: TimerQueue::default(),
            wake_at: None,
            rng: SimRng::seed_from_u64(s.endpoint_seed),
            net_rng: SimRng::seed_from_u64(s.network_seed),
            fx: Effects::default(),
            trace: s.trace.map(TraceOrder::Global),
            report,
            outbox: Vec::new(),
            timings: Vec::new(),
            counters: Vec::new(),
            halt,
        }
    }

    pub(crate) fn id(&self) -> u16 {
        self.id
    }

    pub(crate) fn name(&self) -> &str {
        &self.name
    }

    /// The shortest latency of this node's outgoing link to `to`, if any.
    pub(crate) fn min_latency_to(&self, to: usize) -> Option<Nanos> {
        self.links
            .get(to)
            .and_then(|l| l.as_ref())
            .map(|l| l.min_latency())
    }

    /// Endpoints hosted by this node.
    pub(crate) fn endpoints(&self) -> u32 {
        self.host.len()
    }

    /// Reserves room for `n` verdict records (a hint: with 10^6 devices the
    /// records vector would otherwise be copied and re-faulted as it doubles;
    /// reserved but unused room is never touched).
    pub(crate) fn reserve_records(&mut self, n: usize) {
        self.report.records.reserve(n);
    }

    /// Whether trace lines are collected.
    pub(crate) fn is_tracing(&self) -> bool {
        self.trace.is_some()
    }

    /// Orders trace lines by the handling order given with
    /// [`Self::set_handling_order`] instead of a global counter.
    pub(crate) fn trace_in_handling_order(&mut self) {
        if self.trace.is_some() {
            self.trace = Some(TraceOrder::Handling {
                order: [0; 5],
                lines: 0,
            });
        }
    }

    /// The global handling order of the next step (see `engine::agenda`).
    pub(crate) fn set_handling_order(&mut self, next: [u64; 5]) {
        if let Some(TraceOrder::Handling { order, .. }) = &mut self.trace {
            *order = next;
        }
    }

    /// Handles `event` at `now`, then the node's own deliveries it makes at
    /// `now`; everything later goes to `router`. Does nothing once the run
    /// has failed.
    pub(crate) fn step(&mut self, now: Nanos, event: Event, router: &mut impl Router) {
        if self.halt.get().is_some() {
            return;
        }
        self.report.last_event = self.report.last_event.max(now);
        match event {
            Event::Init | Event::Arrive => {
                if let Some(next) = self.start_due(now) {
                    router.arrival(next);
                }
            }
            Event::Wake(at) => {
                if self.wake_at == Some(at) {
                    self.wake_at = None;
                }
                self.fire_due_timers(now);
            }
            Event::Deliver(d) => self.handle(now, Input::Message(d)),
        }
        self.settle(now, router);
    }

    /// Routes the outbox; deliveries to this node's own endpoints at `now`
    /// (a zero-latency medium inside one node; a node has no port to itself)
    /// are handled right away, in the order sent, and so may send more.
    fn settle(&mut self, now: Nanos, router: &mut impl Router) {
        let mut own_now = Vec::new();
        loop {
            for (at, d) in self.outbox.drain(..) {
                if at == now && d.to.node == self.id {
                    own_now.push(d);
                } else {
                    router.deliver(at, d);
                }
            }
            if own_now.is_empty() {
                break;
            }
            for d in own_now.drain(..) {
                self.handle(now, Input::Message(d));
            }
        }
        if let Some(at) = self.wake_needed(now) {
            router.wake(at);
        }
    }

    /// Starts every endpoint whose arrival time is `now` or earlier; returns the
    /// time of the next arrival, if any.
    fn start_due(&mut self, now: Nanos) -> Option<Nanos> {
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
    fn fire_due_timers(&mut self, now: Nanos) {
        while let Some((index, id)) = self.timers.pop_due(now) {
            self.report.timer_expiries += 1;
            self.handle(now, Input::Timer(index, id));
        }
    }

    /// The wake-up to ask for, if the earliest live timer is earlier than any
    /// already asked for.
    fn wake_needed(&mut self, now: Nanos) -> Option<Nanos> {
        let at = self.timers.next_deadline()?.max(now + 1);
        if self.wake_at.is_none_or(|w| at < w) {
            self.wake_at = Some(at);
            return Some(at);
        }
        None
    }

    /// Hands one input to its endpoint and turns the effects into deliveries
    /// (in `outbox`), armed timers and metrics.
    fn handle(&mut self, now: Nanos, input: Input) {
        let index = match &input {
            Input::Start(i) | Input::Timer(i, _) => *i,
            Input::Message(d) => d.to.index,
        };
        if let Input::Message(d) = &input {
            let header = self
                .links
                .get(d.from.node as usize)
                .and_then(|l| l.as_ref())
                .map_or(0, |l| l.rx_overhead_bytes());
            self.report.rx_bytes += d.pdu.len() as u64 + header;
        }
        let start = self.servers.start(now);
        let me = Addr::new(self.id, index);
        self.fx.clear();
        let Some(ep) = self.host.endpoint(index) else {
            // Starts and timers name hosted endpoints; a message may not.
            if let Input::Message(d) = &input {
                let endpoints = self.host.len();
                self.fail(
                    d.from,
                    d.to,
                    d.interface,
                    d.kind,
                    RouteGap::NoEndpoint { endpoints },
                );
            }
            return;
        };
        let mut cx = Ctx {
            me,
            now: start,
            wait: start - now,
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
        if self.servers.occupy(finish) {
            self.report.wait_ns_total += (start - now) as u128;
            self.report.wait_ns_max = self.report.wait_ns_max.max(start - now);
        }
        self.report.inputs += 1;
        self.report.busy_ns += service as u128;
        self.report.last_finish = self.report.last_finish.max(finish);
        self.report.crypto.merge(&self.fx.crypto);
        for what in self.fx.ignored.drain(..) {
            *self.report.ignored.entry(what).or_default() += 1;
        }
        for outcome in self.fx.outcomes.drain(..) {
            self.report.records.push(AuthRecord {
                time: finish,
                reporter: me,
                outcome,
            });
        }
        for cmd in self.fx.timers.drain(..) {
            match cmd {
                TimerCmd::Arm { key, at } => self.timers.arm(index, key, start, at),
                TimerCmd::Cancel { key } => self.timers.cancel(index, key),
            }
        }
        // Drained in place so the buffer keeps its capacity for the next input.
        let mut transmits = std::mem::take(&mut self.fx.transmits);
        for t in transmits.drain(..) {
            self.transmit(me, finish, t);
        }
        self.fx.transmits = transmits;
    }

    /// Records the run's first routing failure, which stops every node.
    pub(super) fn fail(
        &mut self,
        from: Addr,
        to: Addr,
        interface: Interface,
        kind: &'static str,
        gap: RouteGap,
    ) {
        let _ = self.halt.set(Unroutable {
            node: self.name.clone(),
            from,
            to,
            interface,
            kind,
            gap,
        });
    }

    /// Asks the CPU to fetch the endpoint `next` goes to while the current
    /// input is handled: with 10^6 devices their states (300 MB) do not fit
    /// in cache, and each input would otherwise start with misses.
    pub(crate) fn prefetch_for(&mut self, next: &Event) {
        if self.host.len() < 2 {
            return;
        }
        let index = match next {
            Event::Deliver(d) => d.to.index,
            Event::Arrive => match self.arrivals.get(self.next_arrival) {
                Some(&(_, index)) => index,
                None => return,
            },
            _ => return,
        };
        if let Some(ep) = self.host.endpoint(index) {
            crate::prefetch::prefetch(
                ep as *const dyn authsim_protocols::core::Endpoint as *const u8,
                std::mem::size_of_val(ep),
            );
        }
    }

    /// What the node measured, handed over once after the run.
    pub(crate) fn take_report(&mut self) -> NodeReport {
        for (k, c) in self.counters.drain(..) {
            self.report.messages.entry(k).or_default().merge(&c);
        }
        std::mem::take(&mut self.report)
    }
}
