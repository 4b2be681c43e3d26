//! Builds the nexosim bench from node setups, runs it, collects reports.

use nexosim::model::{BuildContext, ProtoModel};
use nexosim::ports::{Output, QuerySource};
use nexosim::simulation::{Mailbox, QueryId, SimInit};
use nexosim::time::MonotonicTime;

use authsim_protocols::core::{Addr, Nanos};

use crate::metrics::NodeReport;
use crate::model::{NodeModel, to_nanos, to_time};
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

/// Runs the nodes until no event is left or `until` is reached.
pub fn run(setups: Vec<NodeSetup>, until: Option<Nanos>) -> Result<RunOutput, EngineError> {
    let n = setups.len();
    let mailboxes: Vec<Mailbox<NodeModel>> = (0..n).map(|_| Mailbox::new()).collect();
    let mut bench = SimInit::with_num_threads(1);
    let mut queries: Vec<QueryId<(), NodeReport>> = Vec::with_capacity(n);
    let mut protos = Vec::with_capacity(n);
    for s in setups {
        let mut outs: Vec<Output<Delivery>> = (0..n).map(|_| Output::default()).collect();
        for (dst, link) in s.links.iter().enumerate() {
            if link.is_some() {
                outs[dst].connect(NodeModel::receive, &mailboxes[dst]);
            }
        }
        let name = s.name.clone();
        protos.push((
            ProtoNode {
                model: NodeModel { outs },
                core: NodeCore::new(s),
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
