//! Builds the nexosim bench from node setups, runs it, collects reports.

use nexosim::model::{BuildContext, ProtoModel};
use nexosim::ports::{Output, QuerySource};
use nexosim::simulation::{Mailbox, QueryId, SimInit};
use nexosim::time::MonotonicTime;

use authsim_protocols::core::{Addr, Nanos};

use crate::metrics::NodeReport;
use crate::model::{NodeModel, WindowedNode, to_nanos, to_time};
use crate::node::{NodeCore, NodeSetup};

/// What one simulation run produced.
#[derive(Debug)]
pub struct RunOutput {
    pub reports: Vec<NodeReport>,
    /// Simulated time at the end of the run.
    pub end_time: Nanos,
    /// nexosim events are not counted by nexosim; we count inputs handled.
    pub inputs: u64,
}

#[derive(Debug, thiserror::Error)]
pub enum EngineError {
    #[error("simulation failed: {0}")]
    Sim(String),
    #[error("node {from} sent to {to}, but no link joins their nodes")]
    Unroutable { from: Addr, to: Addr },
}

struct ProtoNode {
    model: NodeModel,
    core: NodeCore,
}

impl ProtoModel for ProtoNode {
    type Model = NodeModel;
    fn build(self, _: &mut BuildContext<Self>) -> (NodeModel, NodeCore) {
        (self.model, self.core)
    }
}

/// Which engine runs a bench (both give identical results; see [`run_with`]).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Engine {
    /// The windowed engine when every link has a positive minimum latency,
    /// the per-message engine otherwise.
    Auto,
    /// One nexosim event and one port message per delivery ([`NodeModel`]).
    PerMessage,
    /// One nexosim event per node and window ([`WindowedNode`]); falls back
    /// to the per-message engine if a link can deliver with zero latency.
    Windowed,
}

/// Runs the nodes until no event is left or `until` is reached.
pub fn run(setups: Vec<NodeSetup>, until: Option<Nanos>) -> Result<RunOutput, EngineError> {
    run_with(setups, until, Engine::Auto)
}

/// [`run`] with a choice of engine.
pub fn run_with(
    setups: Vec<NodeSetup>,
    until: Option<Nanos>,
    engine: Engine,
) -> Result<RunOutput, EngineError> {
    let mut cores: Vec<NodeCore> = setups.into_iter().map(NodeCore::new).collect();
    // Each device's procedure usually ends in one verdict at each end.
    let endpoints: usize = cores.iter().map(|c| c.endpoints() as usize).sum();
    for core in &mut cores {
        core.reserve_records(endpoints);
    }
    // Node ids are positions (nexosim's origin ids follow the order models are added).
    let positional = cores.iter().enumerate().all(|(i, c)| c.id as usize == i);
    let lookahead = positional.then(|| lookaheads(&cores)).flatten();
    match (engine, lookahead) {
        (Engine::Auto | Engine::Windowed, Some(lookahead)) => {
            let n = cores.len();
            for (core, l) in cores.iter_mut().zip(lookahead) {
                core.use_agenda(n, l);
            }
            run_windowed(cores, until)
        }
        _ => run_per_message(cores, until),
    }
}

/// The shortest latency of the links into each node, if all are positive
/// (a node nothing can reach gets `Nanos::MAX`).
fn lookaheads(cores: &[NodeCore]) -> Option<Vec<Nanos>> {
    let n = cores.len();
    let mut into = vec![Nanos::MAX; n];
    for c in cores {
        for (dst, slot) in into.iter_mut().enumerate() {
            if let Some(l) = c.min_latency_to(dst) {
                *slot = (*slot).min(l);
            }
        }
    }
    into.iter().all(|&l| l > 0).then_some(into)
}

fn run_windowed(cores: Vec<NodeCore>, until: Option<Nanos>) -> Result<RunOutput, EngineError> {
    let n = cores.len();
    let mailboxes: Vec<Mailbox<WindowedNode>> = (0..n).map(|_| Mailbox::new()).collect();
    let mut bench = SimInit::with_num_threads(1);
    let mut queries: Vec<QueryId<(), NodeReport>> = Vec::with_capacity(n);
    let mut protos = Vec::with_capacity(n);
    for core in cores {
        let mut outs: Vec<Output<Vec<crate::node::Pending>>> =
            (0..n).map(|_| Output::default()).collect();
        for (dst, out) in outs.iter_mut().enumerate() {
            // Deliveries to a node's own endpoints never leave it (node.rs).
            if dst != core.id as usize && core.min_latency_to(dst).is_some() {
                out.connect(WindowedNode::receive, &mailboxes[dst]);
            }
        }
        let name = core.name.clone();
        protos.push((
            ProtoWindowed {
                model: WindowedNode { outs, until },
                core,
            },
            name,
        ));
    }
    for mbox in &mailboxes {
        queries.push(
            QuerySource::new()
                .connect(WindowedNode::report, mbox)
                .register(&mut bench),
        );
    }
    for ((proto, name), mbox) in protos.into_iter().zip(mailboxes) {
        bench = bench.add_model(proto, mbox, &name);
    }
    let mut sim = bench
        .init(MonotonicTime::EPOCH)
        .map_err(|e| EngineError::Sim(e.to_string()))?;
    match until {
        Some(t) => sim.step_until(to_time(t)),
        None => sim.run(),
    }
    .map_err(|e| EngineError::Sim(e.to_string()))?;
    let mut reports = Vec::with_capacity(n);
    for q in &queries {
        reports.push(
            sim.process_query(q, ())
                .map_err(|e| EngineError::Sim(e.to_string()))?,
        );
    }
    // Without a stop time the per-message engine ends at its last event: the
    // last input any node processed.
    let end_time = match until {
        Some(_) => to_nanos(sim.time()),
        None => reports.iter().map(|r| r.last_event).max().unwrap_or(0),
    };
    let inputs = reports.iter().map(|r| r.inputs).sum();
    Ok(RunOutput {
        reports,
        end_time,
        inputs,
    })
}

struct ProtoWindowed {
    model: WindowedNode,
    core: NodeCore,
}

impl ProtoModel for ProtoWindowed {
    type Model = WindowedNode;
    fn build(self, _: &mut BuildContext<Self>) -> (WindowedNode, NodeCore) {
        (self.model, self.core)
    }
}

fn run_per_message(cores: Vec<NodeCore>, until: Option<Nanos>) -> Result<RunOutput, EngineError> {
    let n = cores.len();
    let mailboxes: Vec<Mailbox<NodeModel>> = (0..n).map(|_| Mailbox::new()).collect();
    let mut bench = SimInit::with_num_threads(1);
    let mut queries: Vec<QueryId<(), NodeReport>> = Vec::with_capacity(n);
    let mut protos = Vec::with_capacity(n);
    for core in cores {
        let mut outs: Vec<Output<Delivery>> = (0..n).map(|_| Output::default()).collect();
        for (dst, out) in outs.iter_mut().enumerate() {
            // Deliveries to a node's own endpoints never leave it (model.rs).
            if dst != core.id as usize && core.min_latency_to(dst).is_some() {
                out.connect(NodeModel::receive, &mailboxes[dst]);
            }
        }
        let name = core.name.clone();
        protos.push((
            ProtoNode {
                model: NodeModel { outs },
                core,
            },
            name,
        ));
    }
    for (i, mbox) in mailboxes.iter().enumerate() {
        queries.push(
            QuerySource::new()
                .connect(NodeModel::report, mbox)
                .register(&mut bench),
        );
        let _ = i;
    }
    for ((proto, name), mbox) in protos.into_iter().zip(mailboxes) {
        bench = bench.add_model(proto, mbox, &name);
    }
    let mut sim = bench
        .init(MonotonicTime::EPOCH)
        .map_err(|e| EngineError::Sim(e.to_string()))?;
    match until {
        Some(t) => sim.step_until(to_time(t)),
        None => sim.run(),
    }
    .map_err(|e| EngineError::Sim(e.to_string()))?;
    let end_time = to_nanos(sim.time());
    let mut reports = Vec::with_capacity(n);
    for q in &queries {
        reports.push(
            sim.process_query(q, ())
                .map_err(|e| EngineError::Sim(e.to_string()))?,
        );
    }
    let inputs = reports.iter().map(|r| r.inputs).sum();
    Ok(RunOutput {
        reports,
        end_time,
        inputs,
    })
}

use crate::node::Delivery;
