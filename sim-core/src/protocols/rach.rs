//! `[protocol.ran.rach]`: the cell's random access (TR 37.868 §6.2, the
//! model in `authsim_protocols::ran::rach`, docs/protocols/overload.md
//! "Random access"). Off unless the scenario writes the table; every field
//! defaults to TR 37.868's value.

use authsim_protocols::core::time::MILLISECOND;
use authsim_protocols::ran::rach::RachConfig;
use serde::Deserialize;

use super::aka::invalid;
use crate::spec::FieldError;

/// `[protocol.ran.rach]`. Integers are read signed and floats as given so
/// that a negative or out-of-range value is refused naming its field.
#[derive(Debug, Clone, Deserialize, PartialEq)]
#[serde(default, deny_unknown_fields)]
pub struct RachParams {
    /// Contention-based preambles (1..=64).
    pub preambles: i64,
    /// One PRACH opportunity per this many ms (1..=20, whole subframes).
    pub opportunity_period_ms: i64,
    /// Backoff indicator (TS 36.321 table 7.2-1: 0..=960 ms).
    pub backoff_indicator_ms: i64,
    /// preambleTransMax (3..=200 in SIB2; 1 allowed for studies).
    pub max_preamble_tx: i64,
    /// ra-ResponseWindowSize (2..=10 subframes).
    pub rar_window_ms: i64,
    /// UL grants per RAR subframe (>= 1).
    pub grants_per_rar: i64,
    /// Probability that one Msg3 or Msg4 transmission fails (0..=1).
    pub harq_error: f64,
    /// maxHARQ-Msg3Tx, also Msg4's bound (1..=8).
    pub max_harq_tx: i64,
    /// mac-ContentionResolutionTimer (8..=64 subframes).
    pub contention_resolution_ms: i64,
}

impl Default for RachParams {
    /// TR 37.868 §6.2.2.1.
    fn default() -> Self {
        let c = RachConfig::default();
        Self {
            preambles: i64::from(c.preambles),
            opportunity_period_ms: (c.opportunity_period / MILLISECOND) as i64,
            backoff_indicator_ms: (c.backoff_indicator / MILLISECOND) as i64,
            max_preamble_tx: i64::from(c.max_preamble_tx),
            rar_window_ms: (c.rar_window / MILLISECOND) as i64,
            grants_per_rar: i64::from(c.grants_per_rar),
            harq_error: c.harq_error,
            max_harq_tx: i64::from(c.max_harq_tx),
            contention_resolution_ms: (c.contention_resolution / MILLISECOND) as i64,
        }
    }
}

impl RachParams {
    /// The model's configuration (call after [`RachParams::validate`]).
    pub fn config(&self) -> RachConfig {
        let ms = |v: i64| v.max(0) as u64 * MILLISECOND;
        RachConfig {
            preambles: self.preambles.clamp(1, 64) as u16,
            opportunity_period: ms(self.opportunity_period_ms),
            backoff_indicator: ms(self.backoff_indicator_ms),
            max_preamble_tx: self.max_preamble_tx.clamp(1, 200) as u8,
            rar_window: ms(self.rar_window_ms),
            grants_per_rar: self.grants_per_rar.clamp(1, 1024) as u16,
            harq_error: self.harq_error,
            max_harq_tx: self.max_harq_tx.clamp(1, 8) as u8,
            contention_resolution: ms(self.contention_resolution_ms),
        }
    }

    pub fn validate(&self) -> Result<(), FieldError> {
        let ranges: [(&str, i64, i64, i64, &str); 8] = [
            ("preambles", self.preambles, 1, 64, "1..=64 (TS 36.321)"),
            (
                "opportunity_period_ms",
                self.opportunity_period_ms,
                1,
                20,
                "1..=20 ms (TS 36.211 PRACH configurations)",
            ),
            (
                "backoff_indicator_ms",
                self.backoff_indicator_ms,
                0,
                960,
                "0..=960 ms (TS 36.321 table 7.2-1)",
            ),
            (
                "max_preamble_tx",
                self.max_preamble_tx,
                1,
                200,
                "1..=200 (preambleTransMax)",
            ),
            (
                "rar_window_ms",
                self.rar_window_ms,
                2,
                10,
                "2..=10 ms (ra-ResponseWindowSize)",
            ),
            (
                "grants_per_rar",
                self.grants_per_rar,
                1,
                1024,
                "1..=1024 UL grants per RAR subframe",
            ),
            (
                "max_harq_tx",
                self.max_harq_tx,
                1,
                8,
                "1..=8 (maxHARQ-Msg3Tx)",
            ),
            (
                "contention_resolution_ms",
                self.contention_resolution_ms,
                8,
                64,
                "8..=64 ms (mac-ContentionResolutionTimer)",
            ),
        ];
        for (field, v, lo, hi, why) in ranges {
            if !(lo..=hi).contains(&v) {
                return Err(invalid(
                    &format!("ran.rach.{field}"),
                    &format!("must be {why}"),
                ));
            }
        }
        if !(self.harq_error.is_finite() && (0.0..=1.0).contains(&self.harq_error)) {
            return Err(invalid(
                "ran.rach.harq_error",
                "must be a probability 0..=1",
            ));
        }
        Ok(())
    }
}
