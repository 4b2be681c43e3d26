//! Access barring: ACB (TS 36.331 §5.3.3.11, SIB2 `ac-BarringInfo`) and
//! EAB (TS 22.011 §4.3.4, TS 36.331 §5.3.3.12, SIB14), from the eNB's
//! broadcast to the device's draw (docs/protocols/overload.md, "Access
//! barring").
//!
//! - The eNB ([`BarringControl`]) broadcasts SystemInformation once per
//!   period to its cell — one transmission per period, not one per device.
//! - The devices' radios receive it once per cell: [`SibReceiver`] is the
//!   cell's receiving end in the population node and keeps the last SIB2
//!   and SIB14 in a [`CellBroadcast`] that every device of the cell shares
//!   (the devices are identical receivers of one broadcast; keeping a copy
//!   per device would cost 10^6 copies and change nothing).
//! - A device reads the current [`CellBroadcast`] when it attempts
//!   ([`DeviceBarring::check`]): EAB first, then ACB's draw.

use std::sync::{Arc, Mutex};

use rand::RngExt;

use crate::core::{Addr, Ctx, Endpoint, Incoming, Interface, Nanos, TimerKey, time::SECOND};
use crate::wire::rrc_sib::{
    AC_BARRING_FACTORS, AcBarringConfig, EabCategory, EabConfig, SystemInformation,
};

/// The index of a population node's cell receiver: no device has it (a
/// population is far smaller than 2^32 − 2).
pub const CELL_INDEX: u32 = u32::MAX - 1;

/// What the cell last broadcast: the barring a device finds when it looks.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Barring {
    pub acb: Option<AcBarringConfig>,
    pub eab: Option<EabConfig>,
}

/// One cell's system information as its devices received it.
#[derive(Debug, Default)]
pub struct CellBroadcast(Mutex<Barring>);

impl CellBroadcast {
    pub fn new(initial: Barring) -> Self {
        Self(Mutex::new(initial))
    }
    /// The barring in force now.
    pub fn current(&self) -> Barring {
        *self.0.lock().unwrap_or_else(|p| p.into_inner())
    }
    fn receive(&self, si: &SystemInformation) {
        let mut b = self.0.lock().unwrap_or_else(|p| p.into_inner());
        match si {
            SystemInformation::Sib2 { mo_signalling, .. } => b.acb = *mo_signalling,
            SystemInformation::Sib14 { eab } => b.eab = *eab,
        }
    }
}

/// Where a device stands for EAB (TS 22.011 §4.3.4): in its HPLMN, or
/// roaming (in a most preferred PLMN of the country or not).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Roaming {
    Home,
    Preferred,
    NotPreferred,
}

/// What a device of the cell knows about barring: the shared broadcast,
/// and how the population is configured.
#[derive(Clone, Debug)]
pub struct DeviceBarring {
    pub cell: Arc<CellBroadcast>,
    /// Devices with `index % 100 <` this are configured for EAB.
    pub eab_percent: u8,
    pub roaming: Roaming,
    /// How often a device barred by EAB reads SIB14 again (its broadcast
    /// period).
    pub eab_recheck: Nanos,
}

impl PartialEq for DeviceBarring {
    fn eq(&self, o: &Self) -> bool {
        Arc::ptr_eq(&self.cell, &o.cell)
            && (self.eab_percent, self.roaming, self.eab_recheck)
                == (o.eab_percent, o.roaming, o.eab_recheck)
    }
}

/// The outcome of a device's barring check.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Check {
    Pass,
    /// Barred by ACB for this long (Tbarring, T305).
    AcBarred(Nanos),
    /// Barred by EAB: read SIB14 again after this long.
    EabBarred(Nanos),
}

/// The access class of device `index`: 0..9, as the last digit of its
/// IMSI (TS 22.011 §4.2: classes 0–9 are allocated randomly; the IMSI's
/// last digit is the usual allocation).
pub fn access_class(index: u32) -> u8 {
    (index % 10) as u8
}

/// ACB for one attempt (TS 36.331 §5.3.3.11): a draw `rand` in [0, 1)
/// below the factor passes; else the device is barred for
/// (0.7 + 0.6 · rand') · ac-BarringTime with a second draw.
pub fn acb_draw(acb: &AcBarringConfig, rng: &mut crate::core::SimRng) -> Option<Nanos> {
    let rand: f64 = rng.random_range(0.0..1.0);
    if rand < f64::from(acb.factor_pct) / 100.0 {
        return None;
    }
    let rand2: f64 = rng.random_range(0.0..1.0);
    let t = (0.7 + 0.6 * rand2) * f64::from(acb.time_s) * SECOND as f64;
    Some(t as Nanos)
}

/// Whether EAB bars a device (TS 36.331 §5.3.3.12): configured for EAB,
/// of the category the broadcast names, its access class's bit set.
pub fn eab_bars(eab: &EabConfig, class: u8, roaming: Roaming) -> bool {
    let category = match eab.category {
        EabCategory::All => true,
        EabCategory::Roaming => roaming != Roaming::Home,
        EabCategory::RoamingNotPreferred => roaming == Roaming::NotPreferred,
    };
    category && eab.barred_classes & (1 << class) != 0
}

impl DeviceBarring {
    /// Whether device `index` is configured for EAB.
    pub fn eab_configured(&self, index: u32) -> bool {
        index % 100 < u32::from(self.eab_percent)
    }

    /// The check before an RRC connection request: EAB for a device
    /// configured for it, then ACB (TS 36.331 §5.3.3.2).
    pub fn check(&self, index: u32, rng: &mut crate::core::SimRng) -> Check {
        let now = self.cell.current();
        if let Some(eab) = &now.eab
            && self.eab_configured(index)
            && eab_bars(eab, access_class(index), self.roaming)
        {
            return Check::EabBarred(self.eab_recheck);
        }
        match now.acb.as_ref().and_then(|a| acb_draw(a, rng)) {
            Some(t) => Check::AcBarred(t),
            None => Check::Pass,
        }
    }

    /// The label a barred attempt is counted under: the barring and the
    /// kind of device (configured for EAB or not).
    pub fn label(&self, index: u32, check: Check) -> &'static str {
        match (check, self.eab_configured(index)) {
            (Check::EabBarred(_), _) => "eab_barred",
            (Check::AcBarred(_), true) => "acb_barred_eab_device",
            (Check::AcBarred(_), false) => "acb_barred_other_device",
            (Check::Pass, _) => "not_barred",
        }
    }
}

/// The cell's receiving end in a population node (index [`CELL_INDEX`]):
/// stores each broadcast in the cell's [`CellBroadcast`].
pub struct SibReceiver {
    pub cell: Arc<CellBroadcast>,
}

impl Endpoint for SibReceiver {
    fn start(&mut self, _: &mut Ctx<'_>) {}
    fn on_message(&mut self, msg: Incoming<'_>, cx: &mut Ctx<'_>) {
        if msg.interface != Interface::Bcch {
            return cx.fx.ignore(msg.interface.name());
        }
        match SystemInformation::decode(msg.pdu) {
            Ok(si) => self.cell.receive(&si),
            Err(_) => cx.fx.ignore("undecodable"),
        }
    }
    fn on_timer(&mut self, key: TimerKey, cx: &mut Ctx<'_>) {
        cx.fx.ignore(key.kind().name());
    }
}

/// The adaptive ACB rule (authsim's; the specifications leave it to the
/// operator): every `update`, while the MME's OVERLOAD START is in force
/// the barring factor halves (to the next value of the enumeration at or
/// below half, not below `min_factor_pct`); without it the factor grows by
/// `step_pct` (to the next value at or above), and ACB is lifted when it
/// would pass 95. The MME's start/stop hysteresis and the
/// update period are the rule's hysteresis: the factor moves one step per
/// period at most.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Adaptive {
    pub min_factor_pct: u8,
    pub step_pct: u8,
    pub time_s: u16,
    pub update: Nanos,
}

/// The eNB's barring: what it broadcasts, where, how often.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct BarringConfig {
    /// The cell's receiver ([`CELL_INDEX`] of the device node).
    pub cell: Addr,
    /// The broadcast period of SIB2 and SIB14.
    pub period: Nanos,
    /// T300 as SIB2 broadcasts it.
    pub t300_ms: u16,
    /// Static ACB, always in force.
    pub acb: Option<AcBarringConfig>,
    /// Adaptive ACB (exclusive with `acb`).
    pub adaptive: Option<Adaptive>,
    /// EAB, in force while the MME's OVERLOAD START is, then released one
    /// access class per period.
    pub eab: Option<EabConfig>,
    /// Whether the eNB still rejects barred causes with RRC connection
    /// rejects under OVERLOAD START (false: barring alone answers it).
    pub rrc_reject: bool,
}

/// The eNB's barring state.
#[derive(Clone, Debug)]
pub struct BarringControl {
    pub cfg: BarringConfig,
    /// The adaptive factor in force (`None`: no ACB).
    factor: Option<u8>,
    next_update: Nanos,
    /// RRC requests since the last broadcast.
    requests: u64,
    /// Whether a broadcast is scheduled.
    armed: bool,
    /// The access classes SIB14 bars now (bit per class).
    eab_mask: u16,
    next_eab_release: Nanos,
}

impl BarringControl {
    pub fn new(cfg: BarringConfig) -> Self {
        Self {
            cfg,
            factor: None,
            next_update: 0,
            requests: 0,
            armed: false,
            eab_mask: 0,
            next_eab_release: 0,
        }
    }

    /// EAB while the MME is overloaded: all configured classes barred; once
    /// it is not, one class is released per broadcast period (lowest
    /// first), so that the barred devices do not all come back at once
    /// (authsim's rule: lifting the whole bitmap at OVERLOAD STOP sends
    /// every barred device to the MME within one period).
    fn update_eab(&mut self, now: Nanos, overloaded: bool) {
        let Some(eab) = self.cfg.eab else { return };
        if overloaded {
            self.eab_mask = eab.barred_classes;
            self.next_eab_release = now + self.cfg.period;
        } else if self.eab_mask != 0 && now >= self.next_eab_release {
            self.eab_mask &= self.eab_mask - 1;
            self.next_eab_release = now + self.cfg.period;
        }
    }

    /// What the cell broadcasts now.
    pub fn barring(&self) -> Barring {
        let acb = match (self.cfg.acb, self.cfg.adaptive) {
            (Some(a), _) => Some(a),
            (None, Some(ad)) => self.factor.map(|f| AcBarringConfig {
                factor_pct: f,
                time_s: ad.time_s,
            }),
            (None, None) => None,
        };
        Barring {
            acb,
            eab: self
                .cfg
                .eab
                .filter(|_| self.eab_mask != 0)
                .map(|e| EabConfig {
                    barred_classes: self.eab_mask,
                    ..e
                }),
        }
    }

    /// The adaptive factor in force (`None`: not barring).
    pub fn factor(&self) -> Option<u8> {
        self.factor
    }

    /// One step of the adaptive rule, if one is due at `now`.
    pub fn update(&mut self, now: Nanos, overloaded: bool) {
        let Some(ad) = self.cfg.adaptive else { return };
        if now < self.next_update {
            return;
        }
        self.next_update = now + ad.update;
        self.factor = if overloaded {
            let half = self.factor.unwrap_or(100) / 2;
            let f = AC_BARRING_FACTORS
                .iter()
                .rev()
                .find(|&&f| f <= half)
                .copied()
                .unwrap_or(0);
            Some(f.max(ad.min_factor_pct))
        } else {
            self.factor.and_then(|f| {
                let up = f + ad.step_pct;
                AC_BARRING_FACTORS.iter().find(|&&v| v >= up).copied()
            })
        };
    }

    /// A connection request arrived: the cell is in use, so its system
    /// information is broadcast (again) if it is not already scheduled.
    pub fn on_request(&mut self, cx: &mut Ctx<'_>) {
        self.requests += 1;
        if !self.armed {
            self.armed = true;
            cx.fx.arm(
                TimerKey::own(crate::core::TimerKind::SiBroadcast),
                cx.now + self.cfg.period,
            );
        }
    }

    /// The broadcast period came: update, broadcast, and schedule the next
    /// one while the cell is in use or barring is not at rest (a cell with
    /// nothing to say stops, so that a run can end; its last broadcast
    /// stays what the devices read).
    pub fn on_broadcast(&mut self, overloaded: bool, cx: &mut Ctx<'_>) {
        self.update(cx.now, overloaded);
        self.update_eab(cx.now, overloaded);
        let now = self.barring();
        if self.cfg.acb.is_some() || self.cfg.adaptive.is_some() {
            let sib2 = SystemInformation::Sib2 {
                mo_signalling: now.acb,
                t300_ms: self.cfg.t300_ms,
            };
            cx.fx.send_msg(self.cfg.cell, Interface::Bcch, &sib2);
        }
        if self.cfg.eab.is_some() {
            let sib14 = SystemInformation::Sib14 { eab: now.eab };
            cx.fx.send_msg(self.cfg.cell, Interface::Bcch, &sib14);
        }
        let busy = self.requests > 0 || overloaded || self.factor.is_some() || now.eab.is_some();
        self.requests = 0;
        self.armed = busy;
        if busy {
            cx.fx.arm(
                TimerKey::own(crate::core::TimerKind::SiBroadcast),
                cx.now + self.cfg.period,
            );
        }
    }
}
