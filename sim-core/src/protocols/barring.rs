//! `[protocol.barring]`: access class barring and extended access barring
//! broadcast by the eNB (needs `[protocol.ran]`; docs/protocols/overload.md,
//! "Access barring"), and the population host that gives the devices' node
//! its cell receiver.

use std::sync::Arc;

use authsim_protocols::core::{Addr, Endpoint};
use authsim_protocols::ran::barring::{
    Adaptive, Barring, BarringConfig, CELL_INDEX, CellBroadcast, DeviceBarring, Roaming,
    SibReceiver,
};
use authsim_protocols::wire::rrc_sib::{
    AC_BARRING_FACTORS, AcBarringConfig, EabCategory, EabConfig, t300_broadcastable,
};
use serde::Deserialize;

use super::aka::invalid;
use crate::host::Host;
use crate::spec::{FieldError, seconds};

/// `[protocol.barring]`.
#[derive(Debug, Clone, Deserialize, PartialEq)]
#[serde(default, deny_unknown_fields)]
pub struct BarringParams {
    /// The SIB2/SIB14 broadcast period (si-Periodicity: 80..=5120 ms).
    pub period_ms: f64,
    /// Static ACB: ac-BarringFactor (% of attempts that pass; one of
    /// 0, 5, 10, 15, 20, 25, 30, 40, 50, 60, 70, 75, 80, 85, 90, 95).
    pub ac_barring_factor: Option<u8>,
    /// ac-BarringTime (4, 8, .., 512 s), static and adaptive.
    pub ac_barring_time_s: u16,
    /// Adaptive ACB from the MME's OVERLOAD START/STOP (needs
    /// `[protocol.overload]`).
    pub adaptive: bool,
    /// The adaptive rule's floor, step up, and update period.
    pub min_factor: u8,
    pub step: u8,
    pub update_s: f64,
    /// Devices configured for EAB (%: device `i` is when `i % 100` is below).
    pub eab_percent: u8,
    /// eab-Category: "a" (all), "b" (roaming), "c" (roaming, not in a most
    /// preferred PLMN).
    pub eab_category: String,
    /// Access classes (0..=9) EAB bars while the MME's OVERLOAD START is in
    /// force (needs `[protocol.overload]`); empty: no EAB.
    pub eab_barred_classes: Vec<u8>,
    /// Where the devices are: "home", "roaming_preferred", "roaming_not_preferred".
    pub roaming: String,
    /// Whether OVERLOAD START still makes the eNB reject RRC requests
    /// (false: barring alone answers it).
    pub rrc_reject: bool,
}

impl Default for BarringParams {
    /// authsim's choice: SIBs every 640 ms; ac-BarringTime 16 s; adaptive
    /// factor at least 5 %, up by 10 points per 2.56 s; no EAB devices.
    fn default() -> Self {
        Self {
            period_ms: 640.0,
            ac_barring_factor: None,
            ac_barring_time_s: 16,
            adaptive: false,
            min_factor: 5,
            step: 10,
            update_s: 2.56,
            eab_percent: 0,
            eab_category: "a".into(),
            eab_barred_classes: Vec::new(),
            roaming: "home".into(),
            rrc_reject: true,
        }
    }
}

impl BarringParams {
    fn category(&self) -> Option<EabCategory> {
        Some(match self.eab_category.as_str() {
            "a" => EabCategory::All,
            "b" => EabCategory::Roaming,
            "c" => EabCategory::RoamingNotPreferred,
            _ => return None,
        })
    }

    fn roaming_status(&self) -> Option<Roaming> {
        Some(match self.roaming.as_str() {
            "home" => Roaming::Home,
            "roaming_preferred" => Roaming::Preferred,
            "roaming_not_preferred" => Roaming::NotPreferred,
            _ => return None,
        })
    }

    fn eab(&self) -> Option<EabConfig> {
        if self.eab_barred_classes.is_empty() {
            return None;
        }
        Some(EabConfig {
            category: self.category().unwrap_or(EabCategory::All),
            barred_classes: self.eab_barred_classes.iter().fold(0, |m, &c| m | 1 << c),
        })
    }

    /// The eNB's side; `cell` is the devices' cell receiver.
    pub fn enb(&self, cell: Addr, t300_ms: f64) -> BarringConfig {
        BarringConfig {
            cell,
            period: seconds(self.period_ms / 1000.0),
            t300_ms: t300_ms as u16,
            acb: self.ac_barring_factor.map(|f| AcBarringConfig {
                factor_pct: f,
                time_s: self.ac_barring_time_s,
            }),
            adaptive: self.adaptive.then(|| Adaptive {
                min_factor_pct: self.min_factor,
                step_pct: self.step,
                time_s: self.ac_barring_time_s,
                update: seconds(self.update_s),
            }),
            eab: self.eab(),
            rrc_reject: self.rrc_reject,
        }
    }

    /// The devices' side, sharing the cell's broadcast.
    pub fn devices(&self, cell: Arc<CellBroadcast>) -> DeviceBarring {
        DeviceBarring {
            cell,
            eab_percent: self.eab_percent,
            roaming: self.roaming_status().unwrap_or(Roaming::Home),
            eab_recheck: seconds(self.period_ms / 1000.0),
        }
    }

    /// What a device camped on the cell has read before the first broadcast
    /// (the eNB's first one, at 0 s, says the same).
    pub fn initial(&self) -> Barring {
        Barring {
            acb: self.ac_barring_factor.map(|f| AcBarringConfig {
                factor_pct: f,
                time_s: self.ac_barring_time_s,
            }),
            eab: None,
        }
    }

    /// Checks the table; `overload`: whether `[protocol.overload]` is set;
    /// `t300_ms`: the devices' T300, which SIB2 must be able to say.
    pub fn validate(&self, overload: bool, t300_ms: f64) -> Result<(), FieldError> {
        if !(80.0..=5120.0).contains(&self.period_ms) {
            return Err(invalid("barring.period_ms", "must be 80..=5120 ms"));
        }
        if t300_ms.fract() != 0.0 || !t300_broadcastable(t300_ms as u16) {
            return Err(invalid(
                "ran.t300_ms",
                "with [protocol.barring] SIB2 broadcasts T300: one of 100, 200, 300, 400, 600, 1000, 1500, 2000",
            ));
        }
        let factor_ok = |f: u8| AC_BARRING_FACTORS.contains(&f);
        if self.ac_barring_factor.is_some_and(|f| !factor_ok(f)) {
            return Err(invalid(
                "barring.ac_barring_factor",
                "must be one of 0, 5, 10, 15, 20, 25, 30, 40, 50, 60, 70, 75, 80, 85, 90, 95 (TS 36.331)",
            ));
        }
        if !(self.ac_barring_time_s.is_power_of_two()
            && (4..=512).contains(&self.ac_barring_time_s))
        {
            return Err(invalid(
                "barring.ac_barring_time_s",
                "must be 4, 8, 16, 32, 64, 128, 256 or 512 (TS 36.331)",
            ));
        }
        if self.adaptive {
            if self.ac_barring_factor.is_some() {
                return Err(invalid(
                    "barring.adaptive",
                    "either a static ac_barring_factor or adaptive, not both",
                ));
            }
            if !overload {
                return Err(invalid(
                    "barring.adaptive",
                    "needs [protocol.overload] (the MME's load signal)",
                ));
            }
            if !factor_ok(self.min_factor) {
                return Err(invalid(
                    "barring.min_factor",
                    "must be a value of ac-BarringFactor",
                ));
            }
            if !(1..=95).contains(&self.step) {
                return Err(invalid("barring.step", "must be 1..=95"));
            }
            if !(self.update_s.is_finite() && self.update_s > 0.0) {
                return Err(invalid(
                    "barring.update_s",
                    "must be a positive number of seconds",
                ));
            }
        }
        if self.eab_percent > 100 {
            return Err(invalid("barring.eab_percent", "must be 0..=100"));
        }
        if self.category().is_none() {
            return Err(invalid(
                "barring.eab_category",
                "must be \"a\", \"b\" or \"c\"",
            ));
        }
        if self.roaming_status().is_none() {
            return Err(invalid(
                "barring.roaming",
                "must be \"home\", \"roaming_preferred\" or \"roaming_not_preferred\"",
            ));
        }
        if self.eab_barred_classes.iter().any(|&c| c > 9) {
            return Err(invalid(
                "barring.eab_barred_classes",
                "access classes are 0..=9",
            ));
        }
        if !self.eab_barred_classes.is_empty() && !overload {
            return Err(invalid(
                "barring.eab_barred_classes",
                "EAB is in force while the MME is overloaded: needs [protocol.overload]",
            ));
        }
        if self.ac_barring_factor.is_none() && !self.adaptive && self.eab().is_none() {
            return Err(invalid(
                "barring",
                "bars nothing: set ac_barring_factor, adaptive or eab_barred_classes",
            ));
        }
        Ok(())
    }
}

/// A population of devices in one cell: the devices at their indices, the
/// cell's receiver at [`CELL_INDEX`].
pub struct CellPopulation<E> {
    pub devices: Vec<E>,
    pub receiver: SibReceiver,
}

impl<E: Endpoint + Send> Host for CellPopulation<E> {
    fn len(&self) -> u32 {
        self.devices.len() as u32
    }
    fn endpoint(&mut self, index: u32) -> Option<&mut dyn Endpoint> {
        if index == CELL_INDEX {
            return Some(&mut self.receiver);
        }
        self.devices
            .get_mut(index as usize)
            .map(|e| e as &mut dyn Endpoint)
    }
}
