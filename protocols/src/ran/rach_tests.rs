//! Sans-IO tests of the random access model (`rach.rs`).

use std::sync::{Arc, Mutex};

use rand::SeedableRng;

use super::rach::{Access, Failure, Finished, Rach, RachConfig, RachStats};
use crate::core::{Nanos, SimRng, time::MILLISECOND};

const MS: Nanos = MILLISECOND;

fn rach(cfg: RachConfig) -> Rach<u32> {
    Rach::new(cfg, Arc::new(Mutex::new(RachStats::default())))
}

/// Runs the model until nothing is left; every access that ended, with the
/// time it was handed back.
fn drain(r: &mut Rach<u32>, rng: &mut SimRng) -> Vec<(Nanos, Finished<u32>)> {
    let mut out = Vec::new();
    while let Some(t) = r.next_wake() {
        out.extend(r.on_wake(t, rng).into_iter().map(|f| (t, f)));
    }
    out
}

fn fails(s: &RachStats, why: Failure) -> u64 {
    s.failed_tx[why as usize]
}

#[test]
fn defaults_are_tr_37_868() {
    let c = RachConfig::default();
    assert_eq!(c.preambles, 54);
    assert_eq!(c.opportunity_period, 5 * MS);
    assert_eq!(c.backoff_indicator, 20 * MS);
    assert_eq!(c.max_preamble_tx, 10);
    assert_eq!(c.max_harq_tx, 5);
    assert_eq!(c.harq_error, 0.1);
    assert_eq!(c.contention_resolution, 48 * MS);
}

#[test]
fn two_devices_on_one_preamble_collide_and_both_back_off() {
    let cfg = RachConfig {
        preambles: 1,
        ..RachConfig::default()
    };
    let mut r = rach(cfg);
    let mut rng = SimRng::seed_from_u64(1);
    r.arrive(MS, 1);
    r.arrive(2 * MS, 2); // both in the opportunity at 5 ms
    assert_eq!(r.next_wake(), Some(5 * MS));
    assert!(r.on_wake(5 * MS, &mut rng).is_empty());
    let s = r.stats();
    assert_eq!((s.preamble_tx, s.collided_raos), (2, 1));
    assert_eq!(fails(&s, Failure::Collision), 2);
    assert_eq!(r.contending(), 2, "both wait for another opportunity");
}

#[test]
fn a_lone_device_is_never_a_collision() {
    let mut r = rach(RachConfig::default());
    let mut rng = SimRng::seed_from_u64(2);
    r.arrive(0, 7);
    let done = drain(&mut r, &mut rng);
    let s = r.stats();
    assert_eq!(s.collided_raos, 0);
    assert_eq!(fails(&s, Failure::Collision), 0);
    assert_eq!(done.len(), 1);
    assert_eq!(done[0].1.who, 7);
}

/// TR 37.868: a lone preamble is detected with probability 1 − e^(−i) at
/// its i-th transmission. Without HARQ errors a device succeeds at its first
/// transmission with 1 − e^(−1) ≈ 0.632, at its second with
/// e^(−1) (1 − e^(−2)) ≈ 0.318.
#[test]
fn detection_probability_grows_with_the_transmission() {
    let cfg = RachConfig {
        harq_error: 0.0,
        ..RachConfig::default()
    };
    let mut rng = SimRng::seed_from_u64(3);
    let trials = 20_000;
    let mut by_tx = [0u32; 10];
    for _ in 0..trials {
        let mut r = rach(cfg);
        r.arrive(0, 0);
        for (_, f) in drain(&mut r, &mut rng) {
            match f.access {
                Access::Done { preamble_tx, .. } => by_tx[usize::from(preamble_tx) - 1] += 1,
                Access::Failed => panic!("1 - e^-10 is all but certain"),
            }
        }
    }
    let share = |n: u32| f64::from(n) / f64::from(trials);
    let first = 1.0 - (-1.0f64).exp();
    let second = (-1.0f64).exp() * (1.0 - (-2.0f64).exp());
    // Four standard deviations of a binomial share over 20 000 trials.
    let tol = |p: f64| 4.0 * (p * (1.0 - p) / f64::from(trials)).sqrt();
    assert!((share(by_tx[0]) - first).abs() < tol(first), "{by_tx:?}");
    assert!((share(by_tx[1]) - second).abs() < tol(second), "{by_tx:?}");
}

#[test]
fn max_preamble_transmissions_end_in_failure() {
    // Every Msg3 fails: no transmission can succeed.
    let cfg = RachConfig {
        harq_error: 1.0,
        max_preamble_tx: 3,
        ..RachConfig::default()
    };
    let mut r = rach(cfg);
    let mut rng = SimRng::seed_from_u64(4);
    r.arrive(0, 9);
    let done = drain(&mut r, &mut rng);
    assert_eq!(done.len(), 1);
    assert_eq!(done[0].1.access, Access::Failed);
    let s = r.stats();
    assert_eq!((s.preamble_tx, s.failures, s.successes), (3, 1, 0));
    assert_eq!(s.failed_tx.iter().sum::<u64>(), 3);
    assert_eq!(s.access_success_probability(), 0.0);
    assert!(s.tx_histogram.iter().all(|&n| n == 0));
}

/// After a failed transmission the next one is in the first opportunity
/// after a back-off uniform in [0, 20 ms]: a collision at 0 fails when the
/// RAR window ends (9 ms), so the next opportunity is one of 10..=30 ms, and
/// the draws cover that range.
#[test]
fn back_off_is_uniform_up_to_the_indicator() {
    let cfg = RachConfig {
        preambles: 1,
        ..RachConfig::default()
    };
    let mut seen = std::collections::BTreeSet::new();
    for seed in 0..200 {
        let mut r = rach(cfg);
        let mut rng = SimRng::seed_from_u64(seed);
        r.arrive(0, 1);
        r.arrive(0, 2);
        r.on_wake(0, &mut rng);
        let next = r.next_wake().expect("both back off");
        assert!((10 * MS..=30 * MS).contains(&next), "{next}");
        assert_eq!(next % (5 * MS), 0, "an opportunity");
        seen.insert(next);
    }
    assert_eq!(
        seen.len(),
        5,
        "10, 15, 20, 25 and 30 ms all drawn: {seen:?}"
    );
}

/// Without HARQ errors a first-transmission success at 0 completes at
/// 15 ms: RAR at 4 ms, Msg3 at 10 ms, Msg4 at 14 ms received by 15 ms.
#[test]
fn a_first_time_success_takes_fifteen_subframes() {
    let cfg = RachConfig {
        harq_error: 0.0,
        ..RachConfig::default()
    };
    let mut checked = 0;
    for seed in 0..50 {
        let mut r = rach(cfg);
        let mut rng = SimRng::seed_from_u64(seed);
        r.arrive(0, 1);
        for (t, f) in drain(&mut r, &mut rng) {
            if let Access::Done {
                preamble_tx: 1,
                delay,
            } = f.access
            {
                assert_eq!((t, delay), (15 * MS, 15 * MS));
                checked += 1;
            }
        }
    }
    assert!(checked > 10);
}

/// A contention resolution timer shorter than Msg4's way expires: the
/// transmission fails as Msg4, when the timer expires (Msg3 at 10 ms + 2).
#[test]
fn contention_resolution_timer_expiry_fails_the_attempt() {
    let cfg = RachConfig {
        harq_error: 0.0,
        contention_resolution: 2 * MS,
        max_preamble_tx: 1,
        ..RachConfig::default()
    };
    let mut expired = 0;
    for seed in 0..50 {
        let mut r = rach(cfg);
        let mut rng = SimRng::seed_from_u64(seed);
        r.arrive(0, 1);
        let done = drain(&mut r, &mut rng);
        assert_eq!(done.len(), 1);
        assert_eq!(done[0].1.access, Access::Failed);
        let s = r.stats();
        if fails(&s, Failure::Msg4) == 1 {
            assert_eq!(done[0].0, 12 * MS);
            expired += 1;
        } else {
            assert_eq!(fails(&s, Failure::NotDetected), 1);
            assert_eq!(done[0].0, 9 * MS, "the end of the RAR window");
        }
    }
    assert!(expired > 10);
}

#[test]
fn a_rar_window_grants_at_most_its_capacity() {
    let cfg = RachConfig {
        preambles: u16::MAX,
        harq_error: 0.0,
        ..RachConfig::default()
    };
    let mut r = rach(cfg);
    let mut rng = SimRng::seed_from_u64(5);
    for i in 0..100 {
        r.arrive(0, i);
    }
    r.on_wake(0, &mut rng);
    let s = r.stats();
    let failed: u64 = s.failed_tx.iter().sum();
    // 3 grants per RAR subframe, 5 subframes: 15 devices go on to Msg3.
    assert_eq!(100 - failed, 15, "{s:?}");
    assert!(fails(&s, Failure::NoGrant) > 30, "{s:?}");
}

#[test]
fn metrics_follow_the_counts_and_runs_repeat() {
    let run = |seed| {
        let mut r = rach(RachConfig::default());
        let mut rng = SimRng::seed_from_u64(seed);
        for i in 0..2_000u32 {
            r.arrive(Nanos::from(i) * MS / 4, i);
        }
        let done = drain(&mut r, &mut rng);
        (r.stats(), done)
    };
    let (s, done) = run(6);
    assert_eq!(run(6).0, s, "same seed, same counts");
    assert_eq!(done.len(), 2_000, "every access ends");
    assert_eq!(s.successes + s.failures, 2_000);
    assert!(s.collided_raos > 0, "2 000 devices in 0.5 s collide");
    let raos = s.opportunities * 54;
    assert_eq!(
        s.collision_probability(),
        s.collided_raos as f64 / raos as f64
    );
    assert_eq!(s.tx_histogram.iter().sum::<u64>(), s.successes);
    assert_eq!(s.delay_histogram_ms.iter().sum::<u64>(), s.successes);
    assert!(s.mean_preamble_tx() >= 1.0);
    assert!(s.mean_delay_s() >= 0.015);
    let p50 = s.delay_quantile_ms(0.5).unwrap();
    let p99 = s.delay_quantile_ms(0.99).unwrap();
    assert!(15 <= p50 && p50 <= p99, "{p50} {p99}");
}
