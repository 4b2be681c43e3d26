//! The plain data of a scenario that protocols read: the population, the
//! nodes, the links, and the error a value check reports.
//!
//! A leaf module: `scenario` parses TOML into these types and `protocols`
//! reads them, so neither of the two depends on the other.

use authsim_protocols::core::{Nanos, time::SECOND};
use serde::Deserialize;

use crate::latency::Latency;
use crate::link::LinkSpec;
use crate::workload::Arrivals;

/// A value that fails a check: the dotted field path and what is wrong.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
#[error("{field}: {message}")]
pub struct FieldError {
    /// Dotted field path, e.g. `protocol.group_size`.
    pub field: String,
    pub message: String,
}

impl FieldError {
    pub fn new(field: impl Into<String>, message: impl Into<String>) -> Self {
        Self {
            field: field.into(),
            message: message.into(),
        }
    }
}

#[derive(Debug, Clone, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct PopulationSpec {
    /// Number of MTC devices.
    pub devices: u32,
    pub arrivals: ArrivalSpec,
    /// AKA protocols: share of devices attaching with an IMSI the home
    /// network does not know (0..=1; exact count, seeded choice).
    #[serde(default)]
    pub unknown_imsi_share: f64,
    /// AKA protocols: share of devices whose USIM key differs from the home
    /// network's record (0..=1; exact count, seeded choice).
    #[serde(default)]
    pub wrong_key_share: f64,
}

#[derive(Debug, Clone, Deserialize, PartialEq)]
#[serde(tag = "pattern", rename_all = "snake_case", deny_unknown_fields)]
pub enum ArrivalSpec {
    AllAtOnce {
        #[serde(default)]
        at_s: f64,
    },
    Uniform {
        #[serde(default)]
        start_s: f64,
        window_s: f64,
    },
    Poisson {
        #[serde(default)]
        start_s: f64,
        rate_per_s: f64,
    },
    Beta {
        #[serde(default)]
        start_s: f64,
        window_s: f64,
        #[serde(default = "three")]
        alpha: f64,
        #[serde(default = "four")]
        beta: f64,
    },
}

/// Beta(3, 4): the access pattern of 3GPP TR 37.868.
fn three() -> f64 {
    3.0
}
fn four() -> f64 {
    4.0
}

#[derive(Debug, Clone, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct NodeSpec {
    /// A built-in profile name (`Profile::BUILTIN`) or a key of `[profiles]`.
    pub profile: String,
    /// FIFO servers (cores) for server nodes; ignored for device populations.
    #[serde(default = "one")]
    pub servers: u32,
}

pub(crate) fn one() -> u32 {
    1
}

#[derive(Debug, Clone, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct LinkConfig {
    /// The two node names this link joins (both directions, same spec).
    pub between: [String; 2],
    pub latency: LatencySpec,
    pub bandwidth_mbps: Option<f64>,
    #[serde(default)]
    pub loss: f64,
    #[serde(default)]
    pub header_bytes: u32,
}

#[derive(Debug, Clone, Deserialize, PartialEq)]
#[serde(tag = "dist", rename_all = "snake_case", deny_unknown_fields)]
pub enum LatencySpec {
    Fixed { ms: f64 },
    Uniform { min_ms: f64, max_ms: f64 },
    Exponential { base_ms: f64, mean_ms: f64 },
    Lognormal { median_ms: f64, sigma: f64 },
}

fn ms(v: f64) -> Nanos {
    (v * 1e6).round() as Nanos
}

/// Scenario seconds to simulated nanoseconds.
pub fn seconds(v: f64) -> Nanos {
    (v * SECOND as f64).round() as Nanos
}

/// Simulated nanoseconds to scenario seconds (for defaults taken from the
/// protocols crate, whose times are nanoseconds).
pub fn to_seconds(v: Nanos) -> f64 {
    v as f64 / SECOND as f64
}

impl LatencySpec {
    pub fn to_latency(&self) -> Latency {
        match *self {
            LatencySpec::Fixed { ms: v } => Latency::Fixed(ms(v)),
            LatencySpec::Uniform { min_ms, max_ms } => Latency::Uniform {
                min: ms(min_ms),
                max: ms(max_ms),
            },
            LatencySpec::Exponential { base_ms, mean_ms } => Latency::ShiftedExponential {
                base: ms(base_ms),
                mean: ms(mean_ms),
            },
            LatencySpec::Lognormal { median_ms, sigma } => Latency::LogNormal {
                median: ms(median_ms),
                sigma,
            },
        }
    }
}

impl ArrivalSpec {
    pub fn to_arrivals(&self) -> Arrivals {
        match *self {
            ArrivalSpec::AllAtOnce { at_s } => Arrivals::AllAtOnce { at_s },
            ArrivalSpec::Uniform { start_s, window_s } => Arrivals::Uniform { start_s, window_s },
            ArrivalSpec::Poisson {
                start_s,
                rate_per_s,
            } => Arrivals::Poisson {
                start_s,
                rate_per_s,
            },
            ArrivalSpec::Beta {
                start_s,
                window_s,
                alpha,
                beta,
            } => Arrivals::Beta {
                start_s,
                window_s,
                alpha,
                beta,
            },
        }
    }
}

/// The spec of the link joining two named nodes, if any (either order).
pub fn link_between(links: &[LinkConfig], a: &str, b: &str) -> Option<LinkSpec> {
    links
        .iter()
        .find(|l| {
            (l.between[0] == a && l.between[1] == b) || (l.between[0] == b && l.between[1] == a)
        })
        .map(|l| LinkSpec {
            latency: l.latency.to_latency(),
            bandwidth_bps: l.bandwidth_mbps.map(|m| m * 1e6),
            loss: l.loss,
            header_bytes: l.header_bytes,
        })
}
