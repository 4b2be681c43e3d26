//! NAS level congestion control at the MME (TS 23.401 §4.3.7.4.2, TS 24.301
//! §5.5.1.2.5): an ATTACH REQUEST that finds the MME overloaded is rejected
//! with EMM cause #22 and a T3346 back-off value, before any context, HSS
//! request or crypto is spent on it.
//!
//! The load signal is the queueing wait the host measured for this very
//! request (`Ctx::wait`): how long it stood in the MME's queue before service.
//! It is what a device would see as delay, it needs no model of the MME's
//! internals, and the role stays sans-IO. The back-off is drawn uniformly
//! from a range so that rejected devices do not come back together (TS
//! 23.401 §4.3.7.4.2.4: "the MME should select the Mobility Management
//! back-off timer value so that deferred requests are not synchronized").

use rand::RngExt;

use crate::core::{Nanos, SimRng, time::SECOND};
use crate::wire::nas::GprsTimer2;

/// When the MME rejects a new attach for congestion, and with which T3346.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Congestion {
    /// A new ATTACH REQUEST that waited longer than this is rejected.
    pub max_wait: Nanos,
    /// T3346 is drawn uniformly from `t3346_min..=t3346_max` (whole seconds,
    /// then rounded down to what GPRS timer 2 can say: 2 s steps up to 62 s,
    /// minutes up to 31 min, decihours beyond).
    pub t3346_min: Nanos,
    pub t3346_max: Nanos,
}

impl Congestion {
    /// The T3346 value to reject with, or `None` to admit the request.
    pub fn back_off(&self, wait: Nanos, rng: &mut SimRng) -> Option<GprsTimer2> {
        if wait <= self.max_wait {
            return None;
        }
        Some(self.t3346(rng))
    }

    /// A T3346 value drawn from the range (for any reject that defers the
    /// device: its own congestion, or an overloaded HSS under DOIC).
    pub fn t3346(&self, rng: &mut SimRng) -> GprsTimer2 {
        let (lo, hi) = (self.t3346_min / SECOND, self.t3346_max / SECOND);
        let seconds = if hi > lo {
            rng.random_range(lo..=hi)
        } else {
            lo
        };
        GprsTimer2::from_seconds(seconds)
    }
}

#[cfg(test)]
mod tests {
    use rand::SeedableRng;

    use super::*;

    fn c() -> Congestion {
        Congestion {
            max_wait: SECOND,
            t3346_min: 60 * SECOND,
            t3346_max: 1200 * SECOND,
        }
    }

    #[test]
    fn admits_below_the_threshold_and_rejects_above() {
        let mut rng = SimRng::seed_from_u64(1);
        assert_eq!(c().back_off(SECOND, &mut rng), None);
        assert!(c().back_off(SECOND + 1, &mut rng).is_some());
    }

    #[test]
    fn t3346_is_spread_over_the_range() {
        let mut rng = SimRng::seed_from_u64(2);
        let values: Vec<u64> = (0..2000)
            .map(|_| {
                c().back_off(2 * SECOND, &mut rng)
                    .unwrap()
                    .seconds()
                    .unwrap()
            })
            .collect();
        assert!(values.iter().all(|&s| (60..=1200).contains(&s)));
        let distinct: std::collections::BTreeSet<_> = values.iter().collect();
        // Minute steps over 60..=1200 s: 20 values, all drawn.
        assert_eq!(distinct.len(), 20);
        let mean = values.iter().sum::<u64>() as f64 / values.len() as f64;
        assert!((560.0..=640.0).contains(&mean), "mean {mean}");
    }
}
