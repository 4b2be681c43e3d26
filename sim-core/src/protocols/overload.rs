//! The overload-control tables an AKA protocol may carry (docs/protocols/overload.md):
//! `[protocol.congestion]` (NAS congestion rejects with T3346 at the serving
//! node), `[protocol.retry]` (the devices' T3411/T3402 rules), `[protocol.ran]`
//! (an eNB node between the devices and the MME) and `[protocol.overload]`
//! (S1 OVERLOAD START/STOP with RRC rejects) and `[protocol.doic]` (Diameter
//! overload control, RFC 7683, between MME and HSS). All are off unless the
//! scenario writes the table.

use authsim_protocols::core::Addr;
use authsim_protocols::eps_aka::{Congestion, DoicReporting, Retry};
use authsim_protocols::ran::{Access, EnbConfig, OverloadControl};
use authsim_protocols::wire::rrc::{EstablishmentCause, MAX_EXTENDED_WAIT_S};
use authsim_protocols::wire::s1ap::OverloadAction;
use serde::Deserialize;

use super::aka::invalid;
use crate::spec::{FieldError, seconds, to_seconds};

/// `[protocol.congestion]`.
#[derive(Debug, Clone, Deserialize, PartialEq)]
#[serde(default, deny_unknown_fields)]
pub struct CongestionParams {
    /// A new ATTACH REQUEST that waited longer than this in the MME's queue
    /// is rejected with cause #22.
    pub max_wait_s: f64,
    /// The range T3346 is drawn from, uniformly in whole seconds.
    pub t3346_min_s: f64,
    pub t3346_max_s: f64,
}

impl Default for CongestionParams {
    /// authsim's choice (the specifications leave the values to the
    /// operator): reject past 1 s of queueing, well inside T3460 (6 s);
    /// back off 1 to 15 minutes.
    fn default() -> Self {
        Self {
            max_wait_s: 1.0,
            t3346_min_s: 60.0,
            t3346_max_s: 900.0,
        }
    }
}

impl CongestionParams {
    pub fn config(&self) -> Congestion {
        Congestion {
            max_wait: seconds(self.max_wait_s),
            t3346_min: seconds(self.t3346_min_s),
            t3346_max: seconds(self.t3346_max_s),
        }
    }

    pub fn validate(&self) -> Result<(), FieldError> {
        if !(self.max_wait_s.is_finite() && self.max_wait_s >= 0.0) {
            return Err(invalid(
                "congestion.max_wait_s",
                "must be a number of seconds >= 0",
            ));
        }
        // GPRS timer 2 says 2 s at the least and 186 min at the most.
        let t3346 = 2.0..=11_160.0;
        if !(t3346.contains(&self.t3346_min_s)) {
            return Err(invalid("congestion.t3346_min_s", "must be 2..=11160 s"));
        }
        if !(t3346.contains(&self.t3346_max_s) && self.t3346_max_s >= self.t3346_min_s) {
            return Err(invalid(
                "congestion.t3346_max_s",
                "must be t3346_min_s..=11160 s",
            ));
        }
        Ok(())
    }
}

/// `[protocol.retry]`.
#[derive(Debug, Clone, Deserialize, PartialEq)]
#[serde(default, deny_unknown_fields)]
pub struct RetryParams {
    pub t3411_s: f64,
    pub t3402_s: f64,
    /// T3402 periods before a device gives up (`Failed`, `attach_gave_up`).
    pub max_t3402: u32,
}

impl Default for RetryParams {
    fn default() -> Self {
        let r = Retry::default();
        Self {
            t3411_s: to_seconds(r.t3411),
            t3402_s: to_seconds(r.t3402),
            max_t3402: r.max_t3402,
        }
    }
}

impl RetryParams {
    pub fn config(&self) -> Retry {
        Retry {
            t3411: seconds(self.t3411_s),
            t3402: seconds(self.t3402_s),
            max_t3402: self.max_t3402,
        }
    }

    pub fn validate(&self) -> Result<(), FieldError> {
        for (f, v) in [
            ("retry.t3411_s", self.t3411_s),
            ("retry.t3402_s", self.t3402_s),
        ] {
            if !(v.is_finite() && v > 0.0) {
                return Err(invalid(f, "must be a positive number of seconds"));
            }
        }
        Ok(())
    }
}

/// `[protocol.ran]`: the UEs attach through an eNB (node `enb`), each
/// attempt starting with an RRC connection request (docs/protocols/overload.md).
#[derive(Debug, Clone, Deserialize, PartialEq)]
#[serde(default, deny_unknown_fields)]
pub struct RanParams {
    /// T300 (TS 36.331 §7.3: 100..=2000 ms).
    pub t300_ms: f64,
    /// Whether the devices request with establishment cause
    /// delayTolerantAccess (MTC devices configured for low access priority)
    /// or mo-Signalling.
    pub delay_tolerant: bool,
    /// `[protocol.ran.rach]`: random access before the connection request
    /// is answered (TR 37.868); absent: none modelled. Boxed: kept out of
    /// every other protocol's size.
    pub rach: Option<Box<super::rach::RachParams>>,
}

impl Default for RanParams {
    /// T300 1000 ms (a common operator setting); delay-tolerant MTC devices.
    fn default() -> Self {
        Self {
            t300_ms: 1000.0,
            delay_tolerant: true,
            rach: None,
        }
    }
}

impl RanParams {
    pub fn config(&self, enb: Addr) -> Access {
        Access {
            enb,
            t300: seconds(self.t300_ms / 1000.0),
            cause: if self.delay_tolerant {
                EstablishmentCause::DelayTolerantAccess
            } else {
                EstablishmentCause::MoSignalling
            },
        }
    }

    pub fn validate(&self) -> Result<(), FieldError> {
        if !(100.0..=2000.0).contains(&self.t300_ms) {
            return Err(invalid("ran.t300_ms", "must be 100..=2000 ms (TS 36.331)"));
        }
        match &self.rach {
            Some(r) => r.validate(),
            None => Ok(()),
        }
    }
}

/// `[protocol.overload]`: S1 overload control (needs `[protocol.ran]`).
#[derive(Debug, Clone, Deserialize, PartialEq)]
#[serde(default, deny_unknown_fields)]
pub struct OverloadParams {
    /// OVERLOAD START when an input waited longer than this at the MME.
    pub start_wait_s: f64,
    /// OVERLOAD STOP after a check interval in which no input waited this long.
    pub stop_wait_s: f64,
    pub check_interval_s: f64,
    /// "reject_delay_tolerant" or "reject_non_emergency_mo_dt".
    pub action: String,
    /// Traffic Load Reduction Indication, 1..=99 %; absent: reject all.
    pub traffic_load_reduction: Option<u8>,
    /// The eNB's waitTime (1..=16 s) and extendedWaitTime range (1..=1800 s).
    pub wait_time_s: u8,
    pub extended_wait_min_s: u16,
    pub extended_wait_max_s: u16,
    /// Paced returns: the eNB spreads the rejected devices' extended wait
    /// times so that they come back at this many per second (absent: a
    /// uniform draw from the range).
    pub return_rate_per_s: Option<f64>,
}

impl Default for OverloadParams {
    /// authsim's choice (left to the operator): start past 1 s of
    /// queueing (as NAS congestion control), stop after a 1 s interval
    /// below 0.2 s; extended wait 5..90 s.
    fn default() -> Self {
        Self {
            start_wait_s: 1.0,
            stop_wait_s: 0.2,
            check_interval_s: 1.0,
            action: "reject_delay_tolerant".into(),
            traffic_load_reduction: None,
            wait_time_s: 16,
            extended_wait_min_s: 5,
            extended_wait_max_s: 90,
            return_rate_per_s: None,
        }
    }
}

impl OverloadParams {
    fn action(&self) -> Option<OverloadAction> {
        match self.action.as_str() {
            "reject_delay_tolerant" => Some(OverloadAction::RejectDelayTolerantAccess),
            "reject_non_emergency_mo_dt" => Some(OverloadAction::RejectNonEmergencyMoDt),
            _ => None,
        }
    }

    pub fn control(&self) -> OverloadControl {
        OverloadControl {
            start_wait: seconds(self.start_wait_s),
            stop_wait: seconds(self.stop_wait_s),
            check_interval: seconds(self.check_interval_s),
            action: self
                .action()
                .unwrap_or(OverloadAction::RejectDelayTolerantAccess),
            traffic_load_reduction: self.traffic_load_reduction,
        }
    }

    pub fn enb(&self) -> EnbConfig {
        EnbConfig {
            wait_time_s: self.wait_time_s,
            extended_wait_min_s: self.extended_wait_min_s,
            extended_wait_max_s: self.extended_wait_max_s,
            pace: self.return_rate_per_s.map(|r| seconds(1.0 / r)),
        }
    }

    pub fn validate(&self) -> Result<(), FieldError> {
        for (f, v) in [
            ("overload.start_wait_s", self.start_wait_s),
            ("overload.stop_wait_s", self.stop_wait_s),
        ] {
            if !(v.is_finite() && v >= 0.0) {
                return Err(invalid(f, "must be a number of seconds >= 0"));
            }
        }
        if self.stop_wait_s > self.start_wait_s {
            return Err(invalid("overload.stop_wait_s", "must be <= start_wait_s"));
        }
        if !(self.check_interval_s.is_finite() && self.check_interval_s > 0.0) {
            return Err(invalid(
                "overload.check_interval_s",
                "must be a positive number of seconds",
            ));
        }
        if self.action().is_none() {
            return Err(invalid(
                "overload.action",
                "must be \"reject_delay_tolerant\" or \"reject_non_emergency_mo_dt\"",
            ));
        }
        if matches!(self.traffic_load_reduction, Some(p) if !(1..=99).contains(&p)) {
            return Err(invalid(
                "overload.traffic_load_reduction",
                "must be 1..=99 %",
            ));
        }
        if matches!(self.return_rate_per_s, Some(r) if !(r.is_finite() && r > 0.0)) {
            return Err(invalid(
                "overload.return_rate_per_s",
                "must be a positive number per second",
            ));
        }
        if !(1..=16).contains(&self.wait_time_s) {
            return Err(invalid(
                "overload.wait_time_s",
                "must be 1..=16 s (TS 36.331)",
            ));
        }
        let ext = 1..=MAX_EXTENDED_WAIT_S;
        if !ext.contains(&self.extended_wait_min_s) {
            return Err(invalid(
                "overload.extended_wait_min_s",
                "must be 1..=1800 s",
            ));
        }
        if !(ext.contains(&self.extended_wait_max_s)
            && self.extended_wait_max_s >= self.extended_wait_min_s)
        {
            return Err(invalid(
                "overload.extended_wait_max_s",
                "must be extended_wait_min_s..=1800 s",
            ));
        }
        Ok(())
    }
}

/// `[protocol.doic]`: the HSS's overload detection and report (RFC 7683,
/// loss algorithm); the MME reacts whenever the table is present.
#[derive(Debug, Clone, Deserialize, PartialEq)]
#[serde(default, deny_unknown_fields)]
pub struct DoicParams {
    /// An AIR that queued longer than this at the HSS starts its overload.
    pub enter_wait_s: f64,
    /// An AIR that queued less than this ends it (< enter_wait_s).
    pub exit_wait_s: f64,
    /// OC-Reduction-Percentage (1..=100); with `adaptive`, the least.
    pub reduction_percentage: u32,
    /// Scale the reduction with the HSS's wait (docs/protocols/overload.md).
    pub adaptive: bool,
    /// OC-Validity-Duration in whole seconds (1..=86400).
    pub validity_s: u32,
}

impl Default for DoicParams {
    fn default() -> Self {
        let d = DoicReporting::default();
        Self {
            enter_wait_s: to_seconds(d.enter_wait),
            exit_wait_s: to_seconds(d.exit_wait),
            reduction_percentage: d.reduction_percentage,
            adaptive: d.adaptive,
            validity_s: d.validity_s,
        }
    }
}

impl DoicParams {
    pub fn config(&self) -> DoicReporting {
        DoicReporting {
            enter_wait: seconds(self.enter_wait_s),
            exit_wait: seconds(self.exit_wait_s),
            reduction_percentage: self.reduction_percentage,
            adaptive: self.adaptive,
            validity_s: self.validity_s,
        }
    }

    pub fn validate(&self) -> Result<(), FieldError> {
        if !(self.enter_wait_s.is_finite() && self.enter_wait_s > 0.0) {
            return Err(invalid(
                "doic.enter_wait_s",
                "must be a positive number of seconds",
            ));
        }
        if !(self.exit_wait_s.is_finite()
            && self.exit_wait_s >= 0.0
            && self.exit_wait_s < self.enter_wait_s)
        {
            return Err(invalid(
                "doic.exit_wait_s",
                "must be seconds >= 0 and below enter_wait_s (hysteresis)",
            ));
        }
        if !(1..=100).contains(&self.reduction_percentage) {
            return Err(invalid("doic.reduction_percentage", "must be 1..=100"));
        }
        if !(1..=86_400).contains(&self.validity_s) {
            return Err(invalid(
                "doic.validity_s",
                "must be 1..=86400 s (RFC 7683 §7.4)",
            ));
        }
        Ok(())
    }
}
