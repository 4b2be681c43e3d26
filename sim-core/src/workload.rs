//! Device arrival patterns: when each device starts its procedure.

use authsim_protocols::core::{Nanos, SimRng, time::SECOND};
use rand::RngExt;
use rand::SeedableRng;
use rand_distr::{Beta, BetaError, Distribution, Exp, ExpError};

/// Arrival parameters the distributions reject (validation catches them first).
#[derive(Debug, thiserror::Error)]
pub enum ArrivalError {
    #[error("poisson rate: {0}")]
    PoissonRate(ExpError),
    #[error("beta arrivals: {0}")]
    Beta(BetaError),
}

/// How start commands are spread over time (3GPP TR 37.868 uses Beta(3,4)).
#[derive(Clone, Debug, PartialEq)]
pub enum Arrivals {
    AllAtOnce {
        at_s: f64,
    },
    Uniform {
        start_s: f64,
        window_s: f64,
    },
    Poisson {
        start_s: f64,
        rate_per_s: f64,
    },
    Beta {
        start_s: f64,
        window_s: f64,
        alpha: f64,
        beta: f64,
    },
}

impl Arrivals {
    /// Sorted start times for `count` devices; device i gets the i-th time.
    pub fn times(&self, count: u32, seed: u64) -> Result<Vec<Nanos>, ArrivalError> {
        let mut rng = SimRng::seed_from_u64(seed);
        let ns = |s: f64| (s * SECOND as f64).round() as Nanos;
        let mut t: Vec<Nanos> = match *self {
            Arrivals::AllAtOnce { at_s } => vec![ns(at_s); count as usize],
            Arrivals::Uniform { start_s, window_s } => (0..count)
                .map(|_| ns(start_s + window_s * rng.random::<f64>()))
                .collect(),
            Arrivals::Poisson {
                start_s,
                rate_per_s,
            } => {
                let exp = Exp::new(rate_per_s).map_err(ArrivalError::PoissonRate)?;
                let mut now = start_s;
                (0..count)
                    .map(|_| {
                        now += exp.sample(&mut rng);
                        ns(now)
                    })
                    .collect()
            }
            Arrivals::Beta {
                start_s,
                window_s,
                alpha,
                beta,
            } => {
                let b = Beta::new(alpha, beta).map_err(ArrivalError::Beta)?;
                (0..count)
                    .map(|_| ns(start_s + window_s * b.sample(&mut rng)))
                    .collect()
            }
        };
        t.sort_unstable();
        Ok(t)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn patterns_are_sorted_and_in_window() {
        for a in [
            Arrivals::Uniform {
                start_s: 1.0,
                window_s: 2.0,
            },
            Arrivals::Beta {
                start_s: 1.0,
                window_s: 2.0,
                alpha: 3.0,
                beta: 4.0,
            },
        ] {
            let t = a.times(10_000, 5).unwrap();
            assert!(t.windows(2).all(|w| w[0] <= w[1]));
            assert!(t[0] >= SECOND && *t.last().unwrap() <= 3 * SECOND);
        }
        // Beta(3,4) has mean 3/7 of the window.
        let t = Arrivals::Beta {
            start_s: 0.0,
            window_s: 7.0,
            alpha: 3.0,
            beta: 4.0,
        }
        .times(20_000, 1)
        .unwrap();
        let mean = t.iter().map(|&x| x as f64).sum::<f64>() / t.len() as f64 / SECOND as f64;
        assert!((mean - 3.0).abs() < 0.05, "{mean}");
        let p = Arrivals::Poisson {
            start_s: 0.0,
            rate_per_s: 1000.0,
        }
        .times(10_000, 2)
        .unwrap();
        let span = *p.last().unwrap() as f64 / SECOND as f64;
        assert!((span - 10.0).abs() < 0.5, "{span}");
    }
}
