//! The overload-control tables an AKA protocol may carry (docs/protocols/overload.md):
//! `[protocol.congestion]` (NAS congestion rejects with T3346 at the serving
//! node), `[protocol.retry]` (the devices' T3411/T3402 rules) and
//! `[protocol.doic]` (Diameter overload control, RFC 7683, between MME and
//! HSS). Each is off unless the scenario writes the table.

use authsim_protocols::eps_aka::{Congestion, DoicReporting, Retry};
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
