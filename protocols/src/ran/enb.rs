//! The eNB: RRC connection establishment (TS 36.331 §5.3.3) for the
//! devices, gated by the MME's S1 overload state (TS 36.413 §8.7.6.2).
//! Its work per message is small (its own profile prices it): it keeps no
//! per-device state, only whether the MME asked for overload reduction.

use rand::RngExt;

use super::barring::{BarringConfig, BarringControl};
use super::rach::{Access, Rach, RachConfig, SharedRachStats};
use crate::core::{
    Addr, Ctx, Endpoint, Incoming, Interface, Nanos, TimerKey, TimerKind, time::SECOND,
};
use crate::wire::rrc::{
    DlCcch, EstablishmentCause, RrcConnectionReject, RrcConnectionRequest, RrcConnectionSetup,
};
use crate::wire::s1ap::{OverloadAction, S1ap};

/// How the eNB rejects while the MME is overloaded.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct EnbConfig {
    /// waitTime of every reject (T302, 1..=16 s).
    pub wait_time_s: u8,
    /// extendedWaitTime for delay-tolerant requests, drawn uniformly in
    /// whole seconds from this range (1..=1800 s), so that the rejected
    /// devices do not come back together.
    pub extended_wait_min_s: u16,
    pub extended_wait_max_s: u16,
    /// Paced returns instead of a uniform draw: the rejected devices are
    /// given return slots `pace` apart (1 / the attach rate the MME is
    /// engineered for), each at least `extended_wait_min_s` away, at most
    /// `extended_wait_max_s`; the wait is the slot's distance rounded up
    /// to whole seconds.
    pub pace: Option<Nanos>,
}

/// One eNB.
pub struct Enb {
    cfg: EnbConfig,
    /// The MME's OVERLOAD START in force: its action and the share (%) of
    /// the barred requests to reject.
    overload: Option<(OverloadAction, u8)>,
    transaction: u8,
    /// With `pace`: the next free return slot (absolute time).
    next_slot: Nanos,
    /// Access barring broadcast to the cell (`barring.rs`), if configured.
    barring: Option<BarringControl>,
    /// The cell's random access (`rach.rs`), if modelled: a request is
    /// answered only once its device's random access succeeded.
    rach: Option<Rach<(Addr, EstablishmentCause)>>,
}

/// Whether `action` bars requests with `cause` (TS 36.413 §8.7.6.2).
pub fn barred(action: OverloadAction, cause: EstablishmentCause) -> bool {
    use EstablishmentCause as C;
    match action {
        OverloadAction::RejectNonEmergencyMoDt => {
            matches!(cause, C::MoData | C::DelayTolerantAccess)
        }
        OverloadAction::RejectRrcCrSignalling => {
            matches!(cause, C::MoData | C::MoSignalling | C::DelayTolerantAccess)
        }
        OverloadAction::PermitEmergencySessionsAndMtOnly => {
            !matches!(cause, C::Emergency | C::MtAccess)
        }
        OverloadAction::PermitHighPrioritySessionsAndMtOnly => {
            !matches!(cause, C::HighPriorityAccess | C::MtAccess)
        }
        OverloadAction::RejectDelayTolerantAccess => cause == C::DelayTolerantAccess,
    }
}

impl Enb {
    pub fn new(cfg: EnbConfig) -> Self {
        Self {
            cfg,
            overload: None,
            transaction: 0,
            next_slot: 0,
            barring: None,
            rach: None,
        }
    }

    /// An eNB whose devices reach it by random access (TR 37.868), counting
    /// into `stats`.
    pub fn with_rach(mut self, cfg: RachConfig, stats: SharedRachStats) -> Self {
        self.rach = Some(Rach::new(cfg, stats));
        self
    }

    /// The random access model, if configured.
    pub fn rach(&self) -> Option<&Rach<(Addr, EstablishmentCause)>> {
        self.rach.as_ref()
    }

    /// An eNB that also broadcasts access barring to its cell.
    pub fn with_barring(mut self, cfg: BarringConfig) -> Self {
        self.barring = Some(BarringControl::new(cfg));
        self
    }

    /// The barring state, if configured.
    pub fn barring(&self) -> Option<&BarringControl> {
        self.barring.as_ref()
    }

    /// Whether an OVERLOAD START is in force.
    pub fn overloaded(&self) -> bool {
        self.overload.is_some()
    }

    /// The extendedWaitTime of one reject, in seconds.
    fn extended_wait(&mut self, cx: &mut Ctx<'_>) -> u16 {
        let (lo, hi) = (self.cfg.extended_wait_min_s, self.cfg.extended_wait_max_s);
        let Some(pace) = self.cfg.pace else {
            return if hi > lo {
                cx.rng.random_range(lo..=hi)
            } else {
                lo
            };
        };
        let slot = self.next_slot.max(cx.now + u64::from(lo) * SECOND);
        self.next_slot = slot + pace;
        let s = (slot - cx.now).div_ceil(SECOND);
        s.clamp(u64::from(lo), u64::from(hi)) as u16
    }

    fn on_request(&mut self, req: RrcConnectionRequest, msg: Incoming<'_>, cx: &mut Ctx<'_>) {
        if let Some(b) = self.barring.as_mut() {
            b.on_request(cx);
        }
        match self.rach.as_mut() {
            // The request stands for the device's random access: its first
            // preamble goes in the next PRACH opportunity; the answer (Msg4)
            // follows contention resolution.
            Some(rach) => {
                rach.arrive(cx.now, (msg.from, req.cause));
                self.arm_rach(cx);
            }
            None => self.answer(msg.from, req.cause, cx),
        }
    }

    fn arm_rach(&self, cx: &mut Ctx<'_>) {
        if let Some(at) = self.rach.as_ref().and_then(Rach::next_wake) {
            cx.fx
                .arm(TimerKey::own(TimerKind::RachOpportunity), at.max(cx.now));
        }
    }

    /// PRACH opportunities and random access ends due now: a device whose
    /// access succeeded gets its answer; one whose preamble transmissions
    /// all failed gets none (its T300 expires) and is counted.
    fn on_rach(&mut self, cx: &mut Ctx<'_>) {
        let Some(rach) = self.rach.as_mut() else {
            return cx.fx.ignore(TimerKind::RachOpportunity.name());
        };
        for f in rach.on_wake(cx.now, cx.rng) {
            match f.access {
                Access::Done { .. } => self.answer(f.who.0, f.who.1, cx),
                Access::Failed => cx.fx.count("rach_access_failure"),
            }
        }
        self.arm_rach(cx);
    }

    /// Answers a connection request of `cause` from `to`: a setup, or a
    /// reject while the MME's overload action bars the cause.
    fn answer(&mut self, to: Addr, cause: EstablishmentCause, cx: &mut Ctx<'_>) {
        let rejects = self.barring.as_ref().is_none_or(|b| b.cfg.rrc_reject);
        let reject = match self.overload {
            Some((action, share)) if rejects && barred(action, cause) => {
                share >= 100 || cx.rng.random_range(0..100u8) < share
            }
            _ => false,
        };
        let answer = if reject {
            let extended =
                (cause == EstablishmentCause::DelayTolerantAccess).then(|| self.extended_wait(cx));
            DlCcch::Reject(RrcConnectionReject {
                wait_time_s: self.cfg.wait_time_s,
                extended_wait_time_s: extended,
            })
        } else {
            self.transaction = (self.transaction + 1) % 4;
            DlCcch::Setup(RrcConnectionSetup {
                transaction_id: self.transaction,
            })
        };
        cx.fx.send_msg(to, Interface::RrcDl, &answer);
    }
}

impl Endpoint for Enb {
    /// The first system information broadcast (with barring configured).
    fn start(&mut self, cx: &mut Ctx<'_>) {
        let overloaded = self.overloaded();
        match self.barring.as_mut() {
            Some(b) => b.on_broadcast(overloaded, cx),
            None => cx.fx.ignore("start"),
        }
    }

    fn on_message(&mut self, msg: Incoming<'_>, cx: &mut Ctx<'_>) {
        match msg.interface {
            Interface::RrcUl => match RrcConnectionRequest::decode(msg.pdu) {
                Ok(req) => self.on_request(req, msg, cx),
                Err(_) => cx.fx.ignore("undecodable"),
            },
            Interface::S1Mme => match S1ap::decode(msg.pdu) {
                Ok(S1ap::OverloadStart {
                    action,
                    traffic_load_reduction,
                }) => self.overload = Some((action, traffic_load_reduction.unwrap_or(100))),
                Ok(S1ap::OverloadStop) => self.overload = None,
                Err(_) => cx.fx.ignore("undecodable"),
            },
            other => cx.fx.ignore(other.name()),
        }
    }

    fn on_timer(&mut self, key: TimerKey, cx: &mut Ctx<'_>) {
        if key == TimerKey::own(TimerKind::RachOpportunity) {
            return self.on_rach(cx);
        }
        let overloaded = self.overloaded();
        match self.barring.as_mut() {
            Some(b) if key == TimerKey::own(TimerKind::SiBroadcast) => {
                b.on_broadcast(overloaded, cx)
            }
            _ => cx.fx.ignore(key.kind().name()),
        }
    }
}
