//! The MME side of S1 overload control (TS 23.401 §4.3.7.4.1, TS 36.413
//! §8.7.6/8.7.7). Which load starts and stops it is left open by the
//! specifications; authsim uses the queueing wait the host measured for each
//! input (`Ctx::wait`, the same signal as NAS congestion control) with a
//! hysteresis:
//!
//! - **start**: an input that waited longer than `start_wait` while the MME
//!   is not overloaded sends OVERLOAD START to every eNB;
//! - **stop**: while overloaded the MME looks at its load every
//!   `check_interval` (timer `OverloadCheck`): if the last input of the
//!   interval waited less than `stop_wait`, or no input came, it sends
//!   OVERLOAD STOP.
//!
//! Checking at intervals rather than per input bounds how often the eNBs
//! are toggled, and lets an MME that sees no input at all (every new attach
//! rejected at the eNB) still stop. The last wait, not the largest, decides:
//! the queue the MME still has to work off is what the next attaches meet,
//! and waiting for a whole quiet interval would leave the MME idle.

use crate::core::{Addr, Ctx, Interface, Nanos, TimerKey, TimerKind};
use crate::wire::s1ap::{OverloadAction, S1ap};

/// The MME's overload thresholds and what it asks of the eNBs.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct OverloadControl {
    pub start_wait: Nanos,
    pub stop_wait: Nanos,
    pub check_interval: Nanos,
    pub action: OverloadAction,
    /// Traffic Load Reduction Indication sent with OVERLOAD START (`None`:
    /// reject all traffic the action names).
    pub traffic_load_reduction: Option<u8>,
}

/// The state machine: overloaded or not, and the wait of the last input of
/// the current check interval (`None`: no input yet).
#[derive(Clone, Debug)]
pub struct MmeOverload {
    cfg: OverloadControl,
    enbs: Vec<Addr>,
    overloaded: bool,
    last_wait: Option<Nanos>,
}

impl MmeOverload {
    pub fn new(cfg: OverloadControl, enbs: Vec<Addr>) -> Self {
        Self {
            cfg,
            enbs,
            overloaded: false,
            last_wait: None,
        }
    }

    pub fn is_overloaded(&self) -> bool {
        self.overloaded
    }

    /// Every input the MME handles passes here first, with its wait.
    pub fn observe(&mut self, cx: &mut Ctx<'_>) {
        if self.overloaded {
            self.last_wait = Some(cx.wait);
        } else if cx.wait > self.cfg.start_wait {
            self.overloaded = true;
            self.last_wait = None;
            let start = S1ap::OverloadStart {
                action: self.cfg.action,
                traffic_load_reduction: self.cfg.traffic_load_reduction,
            };
            self.tell_enbs(&start, cx);
            cx.fx.arm(
                TimerKey::own(TimerKind::OverloadCheck),
                cx.now + self.cfg.check_interval,
            );
        }
    }

    /// `OverloadCheck` expired: stop, or look again after another interval.
    pub fn on_check(&mut self, cx: &mut Ctx<'_>) {
        if !self.overloaded {
            return cx.fx.ignore(TimerKind::OverloadCheck.name());
        }
        if self.last_wait.is_none_or(|w| w < self.cfg.stop_wait) {
            self.overloaded = false;
            return self.tell_enbs(&S1ap::OverloadStop, cx);
        }
        self.last_wait = None;
        cx.fx.arm(
            TimerKey::own(TimerKind::OverloadCheck),
            cx.now + self.cfg.check_interval,
        );
    }

    fn tell_enbs(&self, msg: &S1ap, cx: &mut Ctx<'_>) {
        for &enb in &self.enbs {
            cx.fx.send_msg(enb, Interface::S1Mme, msg);
        }
    }
}
