//! Independent replications of one scenario (`[run] replications = R`): their
//! seeds and the summary of their metrics with 95 % confidence intervals.
//!
//! Replication 0 runs with the scenario's seed, so its per-run files are exactly
//! those of a single run; replication r ≥ 1 runs with
//! `derive_seed(seed, "rep{r}")`. Metrics are those of a sweep run
//! (`sweep::metrics`), summarised with the sweep's Student-t statistics.

use std::collections::BTreeMap;
use std::fmt::Write as _;

use crate::build::derive_seed;
use crate::sweep::stats;

/// The seed of replication `r` of a run with root seed `seed`.
pub fn replication_seed(seed: u64, r: u32) -> u64 {
    if r == 0 {
        seed
    } else {
        derive_seed(seed, &format!("rep{r}"))
    }
}

/// One metric over the replications that reported it.
#[derive(Clone, Debug, PartialEq)]
pub struct MetricSummary {
    pub metric: String,
    pub n: usize,
    pub mean: f64,
    pub sd: f64,
    pub ci95_low: f64,
    pub ci95_high: f64,
}

/// Summarises each metric over the replications (in replication order) that
/// have it; metrics sorted by name.
pub fn summarize(runs: &[Vec<(String, f64)>]) -> Vec<MetricSummary> {
    let mut by_metric: BTreeMap<&str, Vec<f64>> = BTreeMap::new();
    for run in runs {
        for (m, v) in run {
            by_metric.entry(m.as_str()).or_default().push(*v);
        }
    }
    by_metric
        .into_iter()
        .map(|(metric, v)| {
            let (mean, sd, h) = stats(&v);
            MetricSummary {
                metric: metric.to_string(),
                n: v.len(),
                mean,
                sd,
                ci95_low: mean - h,
                ci95_high: mean + h,
            }
        })
        .collect()
}

/// Number text as in the sweep outputs: integers without a fraction.
fn fmt_value(v: f64) -> String {
    if v.fract() == 0.0 && v.abs() < 9.0e15 {
        format!("{}", v as i64)
    } else {
        format!("{v}")
    }
}

/// `replications.csv`: `metric,n,mean,sd,ci95_low,ci95_high`.
pub fn summary_csv(rows: &[MetricSummary]) -> String {
    let mut s = String::from("metric,n,mean,sd,ci95_low,ci95_high\n");
    for r in rows {
        let _ = writeln!(
            s,
            "{},{},{},{},{},{}",
            r.metric,
            r.n,
            fmt_value(r.mean),
            fmt_value(r.sd),
            fmt_value(r.ci95_low),
            fmt_value(r.ci95_high)
        );
    }
    s
}

/// `replications_runs.csv`: `replication,seed,metric,value`, one row per
/// replication and metric (the values behind the summary).
pub fn runs_csv(seeds: &[u64], runs: &[Vec<(String, f64)>]) -> String {
    let mut s = String::from("replication,seed,metric,value\n");
    for (r, (seed, run)) in seeds.iter().zip(runs).enumerate() {
        for (m, v) in run {
            let _ = writeln!(s, "{r},{seed},{m},{}", fmt_value(*v));
        }
    }
    s
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn seeds_keep_replication_zero() {
        assert_eq!(replication_seed(7, 0), 7);
        assert_eq!(replication_seed(7, 1), derive_seed(7, "rep1"));
        assert_ne!(replication_seed(7, 1), replication_seed(7, 2));
    }

    #[test]
    fn summary_has_t_intervals_and_counts_present_values() {
        let runs = vec![
            vec![("a".to_string(), 1.0), ("b".to_string(), 5.0)],
            vec![("a".to_string(), 2.0)],
            vec![("a".to_string(), 3.0)],
        ];
        let s = summarize(&runs);
        assert_eq!(s[0].metric, "a");
        assert_eq!(s[0].n, 3);
        assert_eq!(s[0].mean, 2.0);
        let h = 4.303 / 3f64.sqrt();
        assert!((s[0].ci95_high - 2.0 - h).abs() < 1e-12);
        assert_eq!((s[1].n, s[1].mean, s[1].sd), (1, 5.0, 0.0));
        let csv = summary_csv(&s);
        assert!(csv.starts_with("metric,n,mean,sd,ci95_low,ci95_high\na,3,2,1,"));
        assert!(csv.contains("\nb,1,5,0,5,5\n"), "{csv}");
        let runs_csv = runs_csv(&[7, 8, 9], &runs);
        assert!(runs_csv.contains("\n1,8,a,2\n"), "{runs_csv}");
    }
}
