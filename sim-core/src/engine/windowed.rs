//! The windowed engine's nexosim model, hosting one [`NodeCore`].
//!
//! Every link into a node is at least `lookahead` long, so when a node's
//! earliest pending input is at `t`, every input it will get before
//! `t + lookahead` has already been sent (before `t`, by a node handling an
//! earlier window). One nexosim event (`tick`) therefore handles a whole
//! window of inputs in the order the per-message engine would, and what the
//! window sends leaves as one port message per destination node. The cost
//! per message is a queue push and pop instead of a scheduled event, a future
//! and two mailbox hops.
//!
//! A node with a link into it that can deliver with zero latency (log-normal,
//! or fixed at 0) has no lookahead: its window is one instant, and inputs for
//! that instant sent by nodes handling it later are handled when they come.
//!
//! The model holds only its output ports (nexosim models must be
//! serializable); the node's state lives in the model environment.

use nexosim::model::{Context, Model, schedulable};
use nexosim::ports::{Output, QuerySource};
use nexosim::simulation::{Mailbox, QueryId, SimInit};
use serde::{Deserialize, Serialize};

use authsim_protocols::core::Nanos;

use super::agenda::{Agenda, Pending};
use super::{NodeModel, to_nanos, to_time};
use crate::metrics::NodeReport;
use crate::node::NodeCore;

/// A node and its agenda.
pub(crate) struct WindowedEnv {
    core: NodeCore,
    agenda: Agenda,
}

impl WindowedEnv {
    /// Handles, in order, every pending input of the window starting at `from`.
    fn run_window(&mut self, from: Nanos, until: Option<Nanos>) {
        let end = self.agenda.window_end(from, until);
        if self.core.can_handle_apart() {
            self.agenda.unpack_before(end);
            let mut window = Vec::new();
            self.agenda
                .for_each_before(end, |at, event| window.push((at, event)));
            self.core.handle_apart(end, &window);
        }
        while let Some(p) = self.agenda.pop_before(end) {
            if let Some(next) = self.agenda.peek_next() {
                self.core.prefetch_for(next);
            }
            if self.core.is_tracing() {
                let order = self.agenda.handling_order(&p);
                self.core.set_handling_order(order);
            }
            self.core.step(p.at, p.event, &mut self.agenda);
        }
        self.core.end_window();
    }
}

#[derive(Serialize, Deserialize)]
pub(crate) struct WindowedNode {
    /// Output ports indexed by destination node id (connected where a link exists).
    #[serde(skip)]
    outs: Vec<Output<Vec<Pending>>>,
    /// Stop time (inclusive), as given to nexosim.
    until: Option<Nanos>,
}

#[Model(type Env = WindowedEnv)]
impl WindowedNode {
    /// Deliveries from another node's window: later than this node's current
    /// window, or, without lookahead, possibly for the current instant.
    pub async fn receive(
        &mut self,
        batch: Vec<Pending>,
        cx: &Context<Self>,
        env: &mut WindowedEnv,
    ) {
        env.agenda.receive(batch);
        let now = to_nanos(cx.time());
        if env.agenda.next_at().is_some_and(|at| at <= now) {
            env.run_window(now, self.until);
            self.flush(env).await;
        }
        self.request_tick(cx, env);
    }

    /// Handles the window starting at the earliest pending input.
    #[nexosim(schedulable)]
    async fn tick(&mut self, at: Nanos, cx: &Context<Self>, env: &mut WindowedEnv) {
        env.agenda.tick_started(at);
        env.run_window(to_nanos(cx.time()), self.until);
        self.flush(env).await;
        self.request_tick(cx, env);
    }

    #[nexosim(init)]
    async fn init(&mut self, cx: &Context<Self>, env: &mut WindowedEnv) {
        env.run_window(0, self.until);
        self.flush(env).await;
        self.request_tick(cx, env);
    }

    /// Hands over what the node measured (called once, after the run).
    pub async fn report(
        &mut self,
        _: (),
        _cx: &Context<Self>,
        env: &mut WindowedEnv,
    ) -> NodeReport {
        let mut report = env.core.take_report();
        report.peak_pending = env.agenda.peak_pending() as u64;
        report
    }

    /// Sends this window's deliveries, one batch per destination node.
    async fn flush(&mut self, env: &mut WindowedEnv) {
        for (dst, batch) in env.agenda.batches() {
            if let Some(out) = self.outs.get_mut(dst) {
                out.send(batch).await;
            }
        }
    }

    /// Schedules a window at the earliest pending input unless one is already
    /// due at or before it.
    fn request_tick(&mut self, cx: &Context<Self>, env: &mut WindowedEnv) {
        if let Some(at) = env.agenda.next_tick(self.until) {
            // Pending inputs are later than the current time, so this cannot fail.
            let _ = cx.schedule_event(to_time(at), schedulable!(Self::tick), at);
        }
    }
}

impl NodeModel for WindowedNode {
    type Port = Vec<Pending>;

    fn build(
        mut core: NodeCore,
        outs: Vec<Output<Vec<Pending>>>,
        lookahead: Nanos,
        until: Option<Nanos>,
    ) -> (Self, WindowedEnv) {
        core.trace_in_handling_order();
        let agenda = Agenda::new(core.id(), outs.len(), lookahead);
        (WindowedNode { outs, until }, WindowedEnv { core, agenda })
    }

    fn connect(out: &mut Output<Vec<Pending>>, to: &Mailbox<Self>) {
        out.connect(WindowedNode::receive, to);
    }

    fn report_query(bench: &mut SimInit, of: &Mailbox<Self>) -> QueryId<(), NodeReport> {
        QuerySource::new()
            .connect(WindowedNode::report, of)
            .register(bench)
    }
}
