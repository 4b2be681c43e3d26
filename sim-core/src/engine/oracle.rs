//! The per-message engine: the test oracle of the windowed one.
//!
//! Each delivery costs one scheduled nexosim event (at its arrival time, on
//! the sender) and one port send; timers and arrivals use one pending wake-up
//! each. nexosim's own scheduler orders everything, so the windowed engine's
//! agenda is checked against it (`tests/engines.rs`).

use nexosim::model::{Context, Model, schedulable};
use nexosim::ports::{Output, QuerySource};
use nexosim::simulation::{Mailbox, QueryId, SimInit};
use serde::{Deserialize, Serialize};

use authsim_protocols::core::Nanos;

use super::{NodeModel, to_nanos, to_time};
use crate::metrics::NodeReport;
use crate::node::{Delivery, Event, NodeCore, Router};

/// What a step asks nexosim to do, in the order asked.
enum Order {
    Arrive(Nanos),
    Deliver(Nanos, Delivery),
    Wake(Nanos),
}

impl Router for Vec<Order> {
    fn arrival(&mut self, at: Nanos) {
        self.push(Order::Arrive(at));
    }
    fn deliver(&mut self, at: Nanos, d: Delivery) {
        self.push(Order::Deliver(at, d));
    }
    fn wake(&mut self, at: Nanos) {
        self.push(Order::Wake(at));
    }
}

/// A node and its scratch list of orders.
pub(crate) struct OracleEnv {
    core: NodeCore,
    orders: Vec<Order>,
}

#[derive(Serialize, Deserialize)]
pub(crate) struct PerMessageNode {
    /// Output ports indexed by destination node id (connected where a link exists).
    #[serde(skip)]
    outs: Vec<Output<Delivery>>,
}

#[Model(type Env = OracleEnv)]
impl PerMessageNode {
    /// A message arrives from another node.
    pub async fn receive(&mut self, d: Delivery, cx: &Context<Self>, env: &mut OracleEnv) {
        self.step(to_nanos(cx.time()), Event::Deliver(d), cx, env)
            .await;
    }

    /// Hands a delivery to its destination at its arrival time. A delivery
    /// to this node's own endpoints is handled here: a node has no port to
    /// its own mailbox (a full mailbox would deadlock it).
    #[nexosim(schedulable)]
    async fn emit(&mut self, d: Delivery, cx: &Context<Self>, env: &mut OracleEnv) {
        if d.to.node == env.core.id() {
            self.step(to_nanos(cx.time()), Event::Deliver(d), cx, env)
                .await;
        } else if let Some(out) = self.outs.get_mut(d.to.node as usize) {
            out.send(d).await;
        }
    }

    /// Fires due timers.
    #[nexosim(schedulable)]
    async fn wake(&mut self, at: Nanos, cx: &Context<Self>, env: &mut OracleEnv) {
        self.step(to_nanos(cx.time()), Event::Wake(at), cx, env)
            .await;
    }

    /// Starts the endpoints whose arrival is due.
    #[nexosim(schedulable)]
    async fn arrive(&mut self, _: (), cx: &Context<Self>, env: &mut OracleEnv) {
        self.step(to_nanos(cx.time()), Event::Arrive, cx, env).await;
    }

    #[nexosim(init)]
    async fn init(&mut self, cx: &Context<Self>, env: &mut OracleEnv) {
        self.step(0, Event::Init, cx, env).await;
    }

    /// Hands over what the node measured (called once, after the run).
    pub async fn report(&mut self, _: (), _cx: &Context<Self>, env: &mut OracleEnv) -> NodeReport {
        env.core.take_report()
    }

    /// One step of the node, then what it asked for, scheduled in order;
    /// a delivery at `now` to another node goes straight to its port.
    async fn step(&mut self, now: Nanos, event: Event, cx: &Context<Self>, env: &mut OracleEnv) {
        env.core.step(now, event, &mut env.orders);
        for order in env.orders.drain(..) {
            // Scheduled times are later than `now`, so scheduling cannot fail.
            match order {
                Order::Arrive(at) => {
                    let _ = cx.schedule_event(to_time(at), schedulable!(Self::arrive), ());
                }
                Order::Deliver(at, d) if at > now => {
                    let _ = cx.schedule_event(to_time(at), schedulable!(Self::emit), d);
                }
                Order::Deliver(_, d) => {
                    if let Some(out) = self.outs.get_mut(d.to.node as usize) {
                        out.send(d).await;
                    }
                }
                Order::Wake(at) => {
                    let _ = cx.schedule_event(to_time(at), schedulable!(Self::wake), at);
                }
            }
        }
    }
}

impl NodeModel for PerMessageNode {
    type Port = Delivery;

    fn build(
        core: NodeCore,
        outs: Vec<Output<Delivery>>,
        _lookahead: Nanos,
        _until: Option<Nanos>,
    ) -> (Self, OracleEnv) {
        let env = OracleEnv {
            core,
            orders: Vec::new(),
        };
        (PerMessageNode { outs }, env)
    }

    fn connect(out: &mut Output<Delivery>, to: &Mailbox<Self>) {
        out.connect(PerMessageNode::receive, to);
    }

    fn report_query(bench: &mut SimInit, of: &Mailbox<Self>) -> QueryId<(), NodeReport> {
        QuerySource::new()
            .connect(PerMessageNode::report, of)
            .register(bench)
    }
}
