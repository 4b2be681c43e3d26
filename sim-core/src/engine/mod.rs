//! Assembles the nexosim bench from node setups, runs it, collects reports.
//!
//! One engine runs the simulation: the windowed one ([`windowed`]), where a
//! node handles, in one nexosim event, every input earlier than its earliest
//! pending input plus the shortest latency into it (its lookahead), in the
//! order a per-message engine would. With the `oracle` feature (tests), the
//! per-message engine itself is built too, one nexosim event per delivery,
//! timer wake-up and arrival, to check the windowed one against
//! (`tests/engines.rs`). Both go through the same node logic
//! ([`NodeCore::step`]) and the same runner ([`run_bench`]).

mod agenda;
mod calendar;
#[cfg(feature = "oracle")]
mod oracle;
mod windowed;

use std::time::Duration;

use nexosim::model::{BuildContext, Model, ProtoModel};
use nexosim::ports::Output;
use nexosim::simulation::{ExecutionError, Mailbox, QueryId, SimInit, SimulationError};
use nexosim::time::MonotonicTime;

use authsim_protocols::core::Nanos;

use crate::metrics::NodeReport;
use crate::node::{Halt, NodeCore, NodeSetup};

pub use crate::node::{RouteGap, Unroutable};

/// What one simulation run produced.
#[derive(Debug)]
pub struct RunOutput {
    pub reports: Vec<NodeReport>,
    /// Simulated time at the end of the run.
    pub end_time: Nanos,
    /// nexosim events are not counted by nexosim; we count inputs handled.
    pub inputs: u64,
    /// Inputs handled apart on a node's threads (`run_threads`).
    pub handled_apart: u64,
    /// Summed over nodes: the most inputs pending and timer entries held at
    /// once (`NodeReport::peak_pending`, `peak_timer_entries`).
    pub peak_pending: u64,
    pub peak_timer_entries: u64,
}

#[derive(Debug, thiserror::Error)]
pub enum EngineError {
    #[error("simulation failed to start: {0}")]
    Init(#[from] SimulationError),
    #[error("simulation failed: {0}")]
    Sim(#[from] ExecutionError),
    /// A message with no route stops the run.
    #[error(transparent)]
    Unroutable(#[from] Unroutable),
    #[error("node setups must be listed in id order: position {position} holds node id {id}")]
    NodeOrder { position: usize, id: u16 },
}

/// Runs the nodes until no event is left or `until` is reached.
pub fn run(setups: Vec<NodeSetup>, until: Option<Nanos>) -> Result<RunOutput, EngineError> {
    run_threads(setups, until, 1)
}

/// [`run`], letting a node whose endpoints are independent hand each window's
/// inputs to them on up to `threads` threads (the outputs are the same for
/// any number; docs/architecture.md, "Parallel windows").
pub fn run_threads(
    setups: Vec<NodeSetup>,
    until: Option<Nanos>,
    threads: usize,
) -> Result<RunOutput, EngineError> {
    run_on::<windowed::WindowedNode>(setups, until, threads)
}

/// Which engine runs a bench (both give identical results).
#[cfg(feature = "oracle")]
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Engine {
    /// One nexosim event per node and window (what [`run`] uses).
    Windowed,
    /// One nexosim event and one port message per delivery: the test oracle.
    PerMessage,
}

/// [`run`] on a given engine.
#[cfg(feature = "oracle")]
pub fn run_with(
    setups: Vec<NodeSetup>,
    until: Option<Nanos>,
    engine: Engine,
) -> Result<RunOutput, EngineError> {
    match engine {
        Engine::Windowed => run_on::<windowed::WindowedNode>(setups, until, 1),
        Engine::PerMessage => run_on::<oracle::PerMessageNode>(setups, until, 1),
    }
}

pub(crate) fn to_time(ns: Nanos) -> MonotonicTime {
    MonotonicTime::EPOCH + Duration::from_nanos(ns)
}

pub(crate) fn to_nanos(t: MonotonicTime) -> Nanos {
    t.duration_since(MonotonicTime::EPOCH).as_nanos() as Nanos
}

/// A nexosim model hosting one node, as the runner builds and wires it.
pub(crate) trait NodeModel: Model {
    /// What travels on a port from one node to another.
    type Port: Clone + Send + 'static;
    /// The model and its environment for `core`; `outs` are its ports by
    /// destination node id, `lookahead` the shortest latency into it.
    fn build(
        core: NodeCore,
        outs: Vec<Output<Self::Port>>,
        lookahead: Nanos,
        until: Option<Nanos>,
    ) -> (Self, Self::Env);
    /// Connects a port to the input of the node behind `to`.
    fn connect(out: &mut Output<Self::Port>, to: &Mailbox<Self>);
    /// The query that hands over a node's report after the run.
    fn report_query(bench: &mut SimInit, of: &Mailbox<Self>) -> QueryId<(), NodeReport>;
}

struct Proto<M: Model> {
    model: M,
    env: M::Env,
}

impl<M: Model> ProtoModel for Proto<M> {
    type Model = M;
    fn build(self, _: &mut BuildContext<Self>) -> (M, M::Env) {
        (self.model, self.env)
    }
}

fn run_on<M: NodeModel>(
    setups: Vec<NodeSetup>,
    until: Option<Nanos>,
    threads: usize,
) -> Result<RunOutput, EngineError> {
    // Node ids are positions: ports are indexed by them, and nexosim's origin
    // ids (which order simultaneous events) follow the order models are added.
    if let Some((position, s)) = setups.iter().enumerate().find(|(i, s)| s.id as usize != *i) {
        return Err(EngineError::NodeOrder { position, id: s.id });
    }
    let halt = Halt::default();
    let mut cores: Vec<NodeCore> = setups
        .into_iter()
        .map(|s| NodeCore::new(s, halt.clone(), threads))
        .collect();
    // Each device's procedure usually ends in one verdict at each end.
    let endpoints: usize = cores.iter().map(|c| c.endpoints() as usize).sum();
    for core in &mut cores {
        core.reserve_records(endpoints);
    }
    let lookaheads = lookaheads(&cores);
    run_bench::<M>(cores, &lookaheads, until, &halt)
}

/// The shortest latency of the links into each node (`Nanos::MAX` for a
/// node nothing can reach).
fn lookaheads(cores: &[NodeCore]) -> Vec<Nanos> {
    let mut into = vec![Nanos::MAX; cores.len()];
    for c in cores {
        for (dst, slot) in into.iter_mut().enumerate() {
            if let Some(l) = c.min_latency_to(dst) {
                *slot = (*slot).min(l);
            }
        }
    }
    into
}

/// The one runner: wires one model per node, runs, collects the reports.
fn run_bench<M: NodeModel>(
    cores: Vec<NodeCore>,
    lookaheads: &[Nanos],
    until: Option<Nanos>,
    halt: &Halt,
) -> Result<RunOutput, EngineError> {
    let n = cores.len();
    let mailboxes: Vec<Mailbox<M>> = (0..n).map(|_| Mailbox::new()).collect();
    let mut bench = SimInit::with_num_threads(1);
    let mut protos = Vec::with_capacity(n);
    for (core, &lookahead) in cores.into_iter().zip(lookaheads) {
        let mut outs: Vec<Output<M::Port>> = (0..n).map(|_| Output::default()).collect();
        for (dst, out) in outs.iter_mut().enumerate() {
            // Deliveries to a node's own endpoints never leave it (NodeCore::step).
            if dst != core.id() as usize && core.min_latency_to(dst).is_some() {
                M::connect(out, &mailboxes[dst]);
            }
        }
        let name = core.name().to_string();
        let (model, env) = M::build(core, outs, lookahead, until);
        protos.push((Proto { model, env }, name));
    }
    let queries: Vec<QueryId<(), NodeReport>> = mailboxes
        .iter()
        .map(|mbox| M::report_query(&mut bench, mbox))
        .collect();
    for ((proto, name), mbox) in protos.into_iter().zip(mailboxes) {
        bench = bench.add_model(proto, mbox, &name);
    }
    let mut sim = bench.init(MonotonicTime::EPOCH)?;
    match until {
        Some(t) => sim.step_until(to_time(t)),
        None => sim.run(),
    }?;
    if let Some(failure) = halt.get() {
        return Err(failure.clone().into());
    }
    let mut reports = Vec::with_capacity(n);
    for q in &queries {
        reports.push(sim.process_query(q, ())?);
    }
    // Without a stop time a run ends at its last event: the last input any
    // node handled.
    let end_time = match until {
        Some(_) => to_nanos(sim.time()),
        None => reports.iter().map(|r| r.last_event).max().unwrap_or(0),
    };
    let inputs = reports.iter().map(|r| r.inputs).sum();
    let handled_apart = reports.iter().map(|r| r.handled_apart).sum();
    let peak_pending = reports.iter().map(|r| r.peak_pending).sum();
    let peak_timer_entries = reports.iter().map(|r| r.peak_timer_entries).sum();
    Ok(RunOutput {
        reports,
        end_time,
        inputs,
        handled_apart,
        peak_pending,
        peak_timer_entries,
    })
}
