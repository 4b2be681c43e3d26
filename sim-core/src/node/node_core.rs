//! A node's state and its one processing path, shared by every engine: an
//! [`Event`] is handled, its effects become deliveries, timers and metrics,
//! and what must happen later goes to the engine's [`Router`].

use std::sync::Arc;
use std::sync::atomic::AtomicU64;

use authsim_protocols::core::{
    Addr, Ctx, Effects, Incoming, Interface, Nanos, SimRng, TimerCmd, TimerKey,
};
use rand::SeedableRng;
use rustc_hash::FxHashMap;

use super::servers::Servers;
use super::{Attribution, Cause, Delivery, Event, Halt, NodeSetup, RouteGap, Router, Unroutable};
use crate::host::{Host, Job, JobInput};
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
    /// Threads this node may hand a window's inputs to (1: none).
    threads: usize,
    /// Effects of inputs of the current window already handed to their
    /// endpoints apart (`handle_apart`), by endpoint, applied in turn by `handle`.
    ready: FxHashMap<u32, Effects>,
    /// Effects buffers kept for their capacity.
    spare: Vec<Effects>,
    /// Whether the node hosts a population (devices that start on arrival).
    population: bool,
    /// Attribution of transmissions to attach attempts (storm runs only).
    attribution: Option<Box<Attribution>>,
    /// The attempt the input being handled is for, whether it may open a
    /// new one (a device's start or own timer), and its received octets.
    pub(super) cause: Cause,
    opens: bool,
    rx_input: u64,
    /// Whether the input being handled was made by an adversary: the
    /// authenticated verdicts it causes are marked (`NodeReport::adversary_caused`).
    input_adversary_made: bool,
    /// Whether that input came over a serving–home interface (S6a, MAP,
    /// N12, N13): a forged home answer. What the node sends while handling
    /// it is marked adversary-made too, since it carries the forgery (a
    /// challenge built from a forged vector; docs/threats.md,
    /// `fake_home_answer`).
    input_forged_home: bool,
}

/// Fewer inputs than this in a window are not worth a thread.
const MIN_APART: usize = 16;

impl NodeCore {
    pub(crate) fn new(s: NodeSetup, halt: Halt, threads: usize) -> Self {
        let population = !s.arrivals.is_empty();
        let attribution = s
            .attribute
            .then(|| Box::new(Attribution::new(if population { s.host.len() } else { 0 })));
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
            threads: threads.max(1),
            ready: FxHashMap::default(),
            spare: Vec::new(),
            population,
            attribution,
            cause: Cause::NONE,
            opens: false,
            rx_input: 0,
            input_adversary_made: false,
            input_forged_home: false,
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
            self.rx_input = d.pdu.len() as u64 + header;
            self.report.rx_bytes += self.rx_input;
        } else {
            self.rx_input = 0;
        }
        self.input_adversary_made =
            matches!(&input, Input::Message(d) if d.cause == Cause::ADVERSARY);
        self.input_forged_home = self.input_adversary_made
            && matches!(&input, Input::Message(d) if d.interface.segment() == Some("sn_hn"));
        let start = self.servers.start(now);
        let me = Addr::new(self.id, index);
        self.attribute_input(me, &input);
        let ready = match self.ready.is_empty() {
            true => None,
            false => self.ready.remove(&index),
        };
        match ready {
            Some(fx) => {
                let used = std::mem::replace(&mut self.fx, fx);
                self.spare.push(used);
            }
            None => {
                if !self.call_endpoint(me, now, start, &input) {
                    return;
                }
            }
        }
        self.apply(me, index, now, start);
    }

    /// Sets the attempt the input is for (docs: `node/attribution.rs`).
    fn attribute_input(&mut self, me: Addr, input: &Input) {
        let Some(at) = self.attribution.as_deref_mut() else {
            return;
        };
        self.opens = false;
        self.cause = match input {
            Input::Message(d) => at.of_message(me, self.population, d.cause),
            Input::Start(_) | Input::Timer(..) if self.population => {
                self.opens = true;
                Cause::new(me, at.opened_of(me.index))
            }
            Input::Timer(_, key) => at.of_peer_timer(key.peer()),
            Input::Start(_) => Cause::NONE,
        };
    }

    /// Hands `input` to its endpoint, its effects into `self.fx`; false if
    /// no endpoint has its index (a run error for a message).
    fn call_endpoint(&mut self, me: Addr, now: Nanos, start: Nanos, input: &Input) -> bool {
        let index = me.index;
        self.fx.clear();
        let Some(ep) = self.host.endpoint(index) else {
            // Starts and timers name hosted endpoints; a message may not.
            if let Input::Message(d) = input {
                let endpoints = self.host.len();
                self.fail(
                    d.from,
                    d.to,
                    d.interface,
                    d.kind,
                    RouteGap::NoEndpoint { endpoints },
                );
            }
            return false;
        };
        let mut cx = Ctx {
            me,
            now: start,
            wait: start - now,
            rng: &mut self.rng,
            fx: &mut self.fx,
        };
        match input {
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
        true
    }

    /// Turns the effects of the input just handled into deliveries (in
    /// `outbox`), armed timers and metrics.
    fn apply(&mut self, me: Addr, index: u32, now: Nanos, start: Nanos) {
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
        if let Some(at) = self.attribution.as_deref_mut() {
            if self.opens && !self.fx.transmits.is_empty() {
                self.cause = at.open(me);
            }
            for o in &self.fx.outcomes {
                if let authsim_protocols::core::Outcome::Authenticated { subject, .. } = o {
                    at.succeeded(finish, *subject, self.cause);
                }
            }
        }
        for what in self.fx.counted.drain(..) {
            *self.report.counted.entry(what).or_default() += 1;
        }
        for outcome in self.fx.outcomes.drain(..) {
            if self.input_adversary_made
                && matches!(
                    outcome,
                    authsim_protocols::core::Outcome::Authenticated { .. }
                )
            {
                self.report.adversary_caused.push(self.report.records.len());
            }
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
        let tx_before = self.report.tx_bytes;
        for mut t in transmits.drain(..) {
            t.adversary_made |= self.input_forged_home;
            self.transmit(me, finish, t);
        }
        self.fx.transmits = transmits;
        if self.population
            && let Some(at) = self.attribution.as_deref_mut()
        {
            // The same prices as nodes.csv's energy, for this input alone.
            let tx = self.report.tx_bytes - tx_before;
            let uj = self.profile.crypto_energy_uj(&self.fx.crypto, 1)
                + self.profile.radio_energy_uj(tx, self.rx_input);
            at.spent(self.cause, uj);
        }
    }

    /// Whether this node may hand inputs to its endpoints apart: it has
    /// threads to spare, every endpoint serves itself (no shared queue whose
    /// wait depends on earlier inputs) and nothing it sends comes back to it
    /// within a window (no link to itself).
    pub(crate) fn can_handle_apart(&self) -> bool {
        self.threads > 1
            && matches!(self.servers, Servers::PerEndpoint)
            && self.links.get(self.id as usize).is_none_or(|l| l.is_none())
            && self.halt.get().is_none()
    }

    /// Before a window ending at `end` whose pending inputs are `window`:
    /// hands each endpoint's first input of the window to it on the node's
    /// threads, if the host's endpoints are independent, keeping the effects
    /// for `handle` to apply in the sequential order. Only an endpoint's
    /// first input qualifies (an endpoint with one known input and no live
    /// timer due at or before it): nothing else can reach it earlier in the
    /// window (its own timers come after it, and nothing sent in a window
    /// comes back within it), so its state and `now` (service starts on arrival) are what the
    /// sequential engine would give it; it must not draw randomness (checked:
    /// the node's generator is shared in the sequential order).
    pub(crate) fn handle_apart(&mut self, end: Nanos, window: &[(Nanos, &Event)]) {
        let len = self.host.len();
        let mut inputs: Vec<(u32, Nanos, JobInput<'_>)> = Vec::with_capacity(window.len());
        for &(at, event) in window {
            if let Event::Deliver(d) = event
                && d.to.index < len
            {
                inputs.push((d.to.index, at, JobInput::Message(d)));
            }
        }
        let due = self.arrivals.get(self.next_arrival..).unwrap_or_default();
        for &(at, index) in due.iter().take_while(|(at, _)| *at < end) {
            if index < len {
                inputs.push((index, at, JobInput::Start));
            }
        }
        if inputs.len() < MIN_APART {
            return;
        }
        // Each endpoint's earliest live timer due in the window.
        let mut timed: FxHashMap<u32, Nanos> = FxHashMap::default();
        self.timers.for_each_due_before(end, |i, at| {
            let t = timed.entry(i).or_insert(at);
            *t = (*t).min(at);
        });
        inputs.sort_by_key(|x| x.0);
        let mut jobs = Vec::with_capacity(inputs.len());
        for group in inputs.chunk_by_mut(|a, b| a.0 == b.0) {
            let [(index, now, input)] = group else {
                continue;
            };
            // A timer fires no earlier than its deadline: one due after the
            // input comes after it.
            if timed.get(index).is_some_and(|at| at <= now) {
                continue;
            }
            let mut fx = self.spare.pop().unwrap_or_default();
            fx.clear();
            jobs.push(Job {
                index: *index,
                me: Addr::new(self.id, *index),
                now: *now,
                input: std::mem::replace(input, JobInput::Start),
                fx,
                rng: SimRng::seed_from_u64(0),
            });
        }
        if jobs.len() < MIN_APART || !self.host.handle_apart(&mut jobs, self.threads) {
            self.spare.extend(jobs.into_iter().map(|j| j.fx));
            return;
        }
        for job in jobs {
            // A role hosted as independent that draws randomness is a bug in
            // its registry entry: its outputs would depend on the threads.
            assert!(
                !job.drew(),
                "node `{}`: endpoint {} drew from the node's generator but is hosted as independent",
                self.name,
                job.index
            );
            self.report.handled_apart += 1;
            self.ready.insert(job.index, job.fx);
        }
    }

    /// The window is over: every effect handed apart has been applied
    /// (unless the run failed meanwhile).
    pub(crate) fn end_window(&mut self) {
        debug_assert!(self.ready.is_empty() || self.halt.get().is_some());
        self.spare.extend(self.ready.drain().map(|(_, fx)| fx));
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

    pub(super) fn attribution_mut(&mut self) -> Option<&mut Attribution> {
        self.attribution.as_deref_mut()
    }

    /// What the node measured, handed over once after the run.
    pub(crate) fn take_report(&mut self) -> NodeReport {
        for (k, c) in self.counters.drain(..) {
            self.report.messages.entry(k).or_default().merge(&c);
        }
        self.report.attribution = self.attribution.take();
        self.report.peak_timer_entries = self.timers.peak_held() as u64;
        std::mem::take(&mut self.report)
    }
}
