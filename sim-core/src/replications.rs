//! Independent replications of one scenario (`[run] replications = R`): their
//! seeds and the summary of their metrics with 95 % confidence intervals.
//!
//! Replication 0 runs with the scenario's seed, so its per-run files are exactly
//! those of a single run; replication r ≥ 1 runs with
//! `derive_seed(seed, "rep{r}")`. Metrics are those of a sweep run
//! (`sweep::metrics`), summarised with the sweep's Student-t statistics.

use std::collections::BTreeMap;

use serde::Serialize;

use crate::build::derive_seed;
use crate::csv_table::serde_csv;
use crate::sweep::{fmt_value, stats};

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

/// A row of `replications.csv`; its field names are the header. Numbers are
/// text from `fmt_value`, so they read as in the sweep outputs.
#[derive(Serialize, Default)]
struct SummaryRow<'a> {
    metric: &'a str,
    n: usize,
    mean: String,
    sd: String,
    ci95_low: String,
    ci95_high: String,
}

/// A row of `replications_runs.csv`; its field names are the header.
#[derive(Serialize, Default)]
struct RunRow<'a> {
    replication: usize,
    seed: u64,
    metric: &'a str,
    value: String,
}

/// `replications.csv`: `metric,n,mean,sd,ci95_low,ci95_high`.
pub fn summary_csv(rows: &[MetricSummary]) -> String {
    serde_csv(rows.iter().map(|r| SummaryRow {
        metric: &r.metric,
        n: r.n,
        mean: fmt_value(r.mean),
        sd: fmt_value(r.sd),
        ci95_low: fmt_value(r.ci95_low),
        ci95_high: fmt_value(r.ci95_high),
    }))
}

/// `replications_runs.csv`: `replication,seed,metric,value`, one row per
/// replication and metric (the values behind the summary).
pub fn runs_csv(seeds: &[u64], runs: &[Vec<(String, f64)>]) -> String {
    serde_csv(
        seeds
            .iter()
            .zip(runs)
            .enumerate()
            .flat_map(|(r, (&seed, run))| {
                run.iter().map(move |(m, v)| RunRow {
                    replication: r,
                    seed,
                    metric: m,
                    value: fmt_value(*v),
                })
            }),
    )
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
        assert!((s[0].ci95_low - (2.0 - h)).abs() < 1e-12);
        assert_eq!((s[1].n, s[1].mean, s[1].sd), (1, 5.0, 0.0));
        let csv = summary_csv(&s);
        assert!(csv.starts_with("metric,n,mean,sd,ci95_low,ci95_high\na,3,2,1,"));
        assert!(csv.contains("\nb,1,5,0,5,5\n"), "{csv}");
        let rc = runs_csv(&[7, 8, 9], &runs);
        assert!(
            rc.starts_with("replication,seed,metric,value\n0,7,a,1\n"),
            "{rc}"
        );
        assert!(rc.contains("\n1,8,a,2\n"), "{rc}");
        assert_eq!(summary_csv(&[]), "metric,n,mean,sd,ci95_low,ci95_high\n");
        let odd = vec![vec![("x,\"y\"".to_string(), 0.5)]];
        assert_eq!(
            runs_csv(&[1], &odd),
            "replication,seed,metric,value\n0,1,\"x,\"\"y\"\"\",0.5\n"
        );
    }
}
