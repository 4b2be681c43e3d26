//! The nexosim models hosting one [`NodeCore`] each.
//!
//! The models hold only their output ports (nexosim models must be
//! serializable); the protocol state lives in the model environment.
//!
//! Two engines, with identical results (tests/engines.rs):
//! - [`NodeModel`], per message: each delivery costs one scheduled event (at
//!   its arrival time, on the sender) and one port send; timers and arrivals
//!   use one pending wake-up each. Used when a link can have zero latency.
//! - [`WindowedNode`], windowed: a node processes all its inputs earlier than
//!   its earliest pending input plus the shortest latency into it in one
//!   nexosim event, in the per-message engine's order, and sends what that
//!   window produced as one port message per destination node.

use std::time::Duration;

use nexosim::model::{Context, Model, schedulable};
use nexosim::ports::Output;
use nexosim::time::MonotonicTime;
use serde::{Deserialize, Serialize};

use authsim_protocols::core::Nanos;

use crate::metrics::NodeReport;
use crate::node::{Delivery, Input, NodeCore, Pending};

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

    /// Hands a delivery to its destination at its arrival time. A delivery
    /// to this node's own endpoints is handled here: a node has no port to
    /// its own mailbox (a full mailbox would deadlock it).
    #[nexosim(schedulable)]
    async fn emit(&mut self, d: Delivery, cx: &Context<Self>, env: &mut NodeCore) {
        if d.to.node == env.id {
            let now = to_nanos(cx.time());
            env.handle(now, Input::Message(d));
            self.after(now, cx, env).await;
        } else if let Some(out) = self.outs.get_mut(d.to.node as usize) {
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
        env.take_report()
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
        loop {
            // Zero-latency deliveries to this node's own endpoints, handled
            // right after, in the order they were sent.
            let mut own_now = Vec::new();
            for (at, d) in env.outbox.drain(..) {
                if at > now {
                    let _ = cx.schedule_event(to_time(at), schedulable!(Self::emit), d);
                } else if d.to.node == env.id {
                    own_now.push(d);
                } else if let Some(out) = self.outs.get_mut(d.to.node as usize) {
                    out.send(d).await;
                }
            }
            if own_now.is_empty() {
                break;
            }
            for d in own_now {
                env.handle(now, Input::Message(d));
            }
        }
        if let Some(at) = env.wake_needed(now) {
            let _ = cx.schedule_event(to_time(at), schedulable!(Self::wake), at);
        }
    }
}

/// The nexosim model of the windowed engine, hosting one [`NodeCore`].
///
/// Every link into a node is at least `lookahead` long, so when a node's
/// earliest pending input is at `t`, every input it will get before
/// `t + lookahead` has already been sent (before `t`, by a node processing an
/// earlier window). One nexosim event (`tick`) therefore processes a whole
/// window of inputs in the order the per-message engine ([`NodeModel`])
/// would, and what the window sends leaves as one port message per
/// destination node. Results are identical to the per-message engine's; the
/// cost per message is a heap push and pop instead of a scheduled event, a
/// future and two mailbox hops.
#[derive(Serialize, Deserialize)]
pub struct WindowedNode {
    /// Output ports indexed by destination node id (connected where a link exists).
    #[serde(skip)]
    pub outs: Vec<Output<Vec<Pending>>>,
    /// Stop time (inclusive), as given to nexosim.
    pub until: Option<Nanos>,
}

#[Model(type Env = NodeCore)]
impl WindowedNode {
    /// Deliveries from another node's window, all later than this node's
    /// current window.
    pub async fn receive(&mut self, batch: Vec<Pending>, cx: &Context<Self>, env: &mut NodeCore) {
        for p in batch {
            env.agenda.pending.push(p);
        }
        self.request_tick(cx, env);
    }

    /// Processes the window starting at the earliest pending input.
    #[nexosim(schedulable)]
    async fn tick(&mut self, at: Nanos, cx: &Context<Self>, env: &mut NodeCore) {
        if env.agenda.tick_at == Some(at) {
            env.agenda.tick_at = None;
        }
        let now = to_nanos(cx.time());
        env.run_window(now, self.until);
        self.flush(env).await;
        self.request_tick(cx, env);
    }

    #[nexosim(init)]
    async fn init(&mut self, cx: &Context<Self>, env: &mut NodeCore) {
        env.run_window(0, self.until);
        self.flush(env).await;
        self.request_tick(cx, env);
    }

    /// Hands over what the node measured (called once, after the run).
    pub async fn report(&mut self, _: (), _cx: &Context<Self>, env: &mut NodeCore) -> NodeReport {
        env.take_report()
    }

    /// Sends this window's deliveries, one batch per destination node.
    async fn flush(&mut self, env: &mut NodeCore) {
        for (dst, batch) in env.agenda.batches.iter_mut().enumerate() {
            if batch.is_empty() {
                continue;
            }
            let batch = std::mem::take(batch);
            if let Some(out) = self.outs.get_mut(dst) {
                out.send(batch).await;
            }
        }
    }

    /// Schedules a window at the earliest pending input unless one is already
    /// due at or before it.
    fn request_tick(&mut self, cx: &Context<Self>, env: &mut NodeCore) {
        let Some(at) = env.next_pending() else {
            return;
        };
        if self.until.is_some_and(|u| at > u) || env.agenda.tick_at.is_some_and(|t| t <= at) {
            return;
        }
        env.agenda.tick_at = Some(at);
        // Pending inputs are later than the current time, so this cannot fail.
        let _ = cx.schedule_event(to_time(at), schedulable!(Self::tick), at);
    }
}
