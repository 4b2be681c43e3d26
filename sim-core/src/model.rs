//! The nexosim model hosting one [`NodeCore`].
//!
//! The model itself holds only its output ports (nexosim models must be
//! serializable); the protocol state lives in the model environment. Each
//! delivery costs one scheduled event (at its arrival time, on the sender) and
//! one port send; timers and arrivals use one pending wake-up each.

use std::time::Duration;

use nexosim::model::{Context, Model, schedulable};
use nexosim::ports::Output;
use nexosim::time::MonotonicTime;
use serde::{Deserialize, Serialize};

use authsim_protocols::core::Nanos;

use crate::metrics::NodeReport;
use crate::node::{Delivery, Input, NodeCore};

pub fn to_time(ns: Nanos) -> MonotonicTime {
    MonotonicTime::EPOCH + Duration::from_nanos(ns)
}

pub fn to_nanos(t: MonotonicTime) -> Nanos {
    t.duration_since(MonotonicTime::EPOCH).as_nanos() as Nanos
}

#[derive(Serialize, Deserialize)]
pub struct NodeModel {
    /// Output ports indexed by destination node id (connected where a link exists).
    #[serde(skip)]
    pub outs: Vec<Output<Delivery>>,
}

#[Model(type Env = NodeCore)]
impl NodeModel {
    /// A message arrives from another node.
    pub async fn receive(&mut self, d: Delivery, cx: &Context<Self>, env: &mut NodeCore) {
        let now = to_nanos(cx.time());
        env.handle(now, Input::Message(d));
        self.after(now, cx, env).await;
    }

    /// Hands a delivery to its destination at its arrival time.
    #[nexosim(schedulable)]
    async fn emit(&mut self, d: Delivery) {
        if let Some(out) = self.outs.get_mut(d.to.node as usize) {
            out.send(d).await;
        }
    }

    /// Fires due timers.
    #[nexosim(schedulable)]
    async fn wake(&mut self, at: Nanos, cx: &Context<Self>, env: &mut NodeCore) {
        if env.wake_at == Some(at) {
            env.wake_at = None;
        }
        let now = to_nanos(cx.time());
        env.fire_due_timers(now);
        self.after(now, cx, env).await;
    }

    /// Starts the endpoints whose arrival is due, then waits for the next one.
    #[nexosim(schedulable)]
    async fn arrive(&mut self, _: (), cx: &Context<Self>, env: &mut NodeCore) {
        let now = to_nanos(cx.time());
        self.start_and_chain(now, cx, env).await;
    }

    #[nexosim(init)]
    async fn init(&mut self, cx: &Context<Self>, env: &mut NodeCore) {
        self.start_and_chain(0, cx, env).await;
    }

    /// Hands over what the node measured (called once, after the run).
    pub async fn report(&mut self, _: (), _cx: &Context<Self>, env: &mut NodeCore) -> NodeReport {
        std::mem::take(&mut env.report)
    }

    async fn start_and_chain(&mut self, now: Nanos, cx: &Context<Self>, env: &mut NodeCore) {
        if let Some(next) = env.start_due(now) {
            // `next > now` by construction, so scheduling cannot fail.
            let _ = cx.schedule_event(to_time(next), schedulable!(Self::arrive), ());
        }
        self.after(now, cx, env).await;
    }

    /// Schedules what the last handler produced.
    async fn after(&mut self, now: Nanos, cx: &Context<Self>, env: &mut NodeCore) {
        for (at, d) in env.outbox.drain(..) {
            if at > now {
                let _ = cx.schedule_event(to_time(at), schedulable!(Self::emit), d);
            } else if let Some(out) = self.outs.get_mut(d.to.node as usize) {
                out.send(d).await;
            }
        }
        if let Some(at) = env.wake_needed(now) {
            let _ = cx.schedule_event(to_time(at), schedulable!(Self::wake), at);
        }
    }
}
