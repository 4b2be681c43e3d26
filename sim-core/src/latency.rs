//! Link latency distributions (rand_distr), sampled in nanoseconds.

use authsim_protocols::core::{Nanos, SimRng};
use rand_distr::uniform::Error as UniformError;
use rand_distr::{Distribution, Exp, ExpError, LogNormal, NormalError, Uniform};

/// Latency parameters no sampler can be built for (validation catches them first).
#[derive(Debug, thiserror::Error)]
pub enum LatencyError {
    #[error("uniform latency: max {max} ns < min {min} ns")]
    UniformOrder { min: Nanos, max: Nanos },
    #[error("{0}")]
    Uniform(#[from] UniformError),
    #[error("{0}")]
    Exponential(#[from] ExpError),
    #[error("lognormal latency needs median > 0 and sigma >= 0")]
    LogNormalShape,
    #[error("{0}")]
    LogNormal(#[from] NormalError),
}

/// A one-way propagation + processing-free delay distribution.
#[derive(Clone, Debug, PartialEq)]
pub enum Latency {
    Fixed(Nanos),
    /// Uniform on [min, max].
    Uniform {
        min: Nanos,
        max: Nanos,
    },
    /// `base` plus an exponential with the given mean (a common queueing-ish jitter).
    ShiftedExponential {
        base: Nanos,
        mean: Nanos,
    },
    /// Log-normal with the given median and shape sigma (heavy-tailed RTTs).
    LogNormal {
        median: Nanos,
        sigma: f64,
    },
}

/// A latency ready to sample (distribution objects built once).
#[derive(Clone, Debug)]
pub enum LatencySampler {
    Fixed(Nanos),
    Uniform(Uniform<f64>),
    ShiftedExponential { base: f64, exp: Exp<f64> },
    LogNormal(LogNormal<f64>),
}

impl Latency {
    /// Builds the sampler; fails on parameters rand_distr rejects.
    pub fn sampler(&self) -> Result<LatencySampler, LatencyError> {
        Ok(match *self {
            Latency::Fixed(v) => LatencySampler::Fixed(v),
            Latency::Uniform { min, max } => {
                if max < min {
                    return Err(LatencyError::UniformOrder { min, max });
                }
                if max == min {
                    LatencySampler::Fixed(min)
                } else {
                    LatencySampler::Uniform(Uniform::new_inclusive(min as f64, max as f64)?)
                }
            }
            Latency::ShiftedExponential { base, mean } => {
                if mean == 0 {
                    LatencySampler::Fixed(base)
                } else {
                    LatencySampler::ShiftedExponential {
                        base: base as f64,
                        exp: Exp::new(1.0 / mean as f64)?,
                    }
                }
            }
            Latency::LogNormal { median, sigma } => {
                if median == 0 || !(sigma.is_finite() && sigma >= 0.0) {
                    return Err(LatencyError::LogNormalShape);
                }
                LatencySampler::LogNormal(LogNormal::new((median as f64).ln(), sigma)?)
            }
        })
    }

    /// Mean of the distribution in nanoseconds (for closed-form cross-checks).
    pub fn mean_ns(&self) -> f64 {
        match *self {
            Latency::Fixed(v) => v as f64,
            Latency::Uniform { min, max } => (min as f64 + max as f64) / 2.0,
            Latency::ShiftedExponential { base, mean } => base as f64 + mean as f64,
            Latency::LogNormal { median, sigma } => median as f64 * (sigma * sigma / 2.0).exp(),
        }
    }
}

impl LatencySampler {
    pub fn sample(&self, rng: &mut SimRng) -> Nanos {
        match self {
            LatencySampler::Fixed(v) => *v,
            LatencySampler::Uniform(u) => u.sample(rng).round() as Nanos,
            LatencySampler::ShiftedExponential { base, exp } => {
                (base + exp.sample(rng)).round() as Nanos
            }
            LatencySampler::LogNormal(l) => l.sample(rng).round() as Nanos,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use rand::SeedableRng;

    #[test]
    fn samples_stay_in_range_and_means_match() {
        let mut rng = SimRng::seed_from_u64(1);
        let u = Latency::Uniform {
            min: 1_000,
            max: 3_000,
        }
        .sampler()
        .unwrap();
        let e = Latency::ShiftedExponential {
            base: 500,
            mean: 1_000,
        }
        .sampler()
        .unwrap();
        let (mut su, mut se) = (0f64, 0f64);
        let n = 20_000;
        for _ in 0..n {
            let x = u.sample(&mut rng);
            assert!((1_000..=3_000).contains(&x));
            su += x as f64;
            let y = e.sample(&mut rng);
            assert!(y >= 500);
            se += y as f64;
        }
        assert!((su / n as f64 - 2_000.0).abs() < 30.0);
        assert!((se / n as f64 - 1_500.0).abs() < 40.0);
    }

    #[test]
    fn bad_parameters_are_errors() {
        assert!(Latency::Uniform { min: 5, max: 1 }.sampler().is_err());
        assert!(
            Latency::LogNormal {
                median: 0,
                sigma: 1.0
            }
            .sampler()
            .is_err()
        );
        assert!(
            Latency::LogNormal {
                median: 10,
                sigma: f64::NAN
            }
            .sampler()
            .is_err()
        );
    }
}
