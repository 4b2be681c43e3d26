//! Sweeps: many runs of several protocol variants over axes of values, with
//! replications, run in parallel, shardable, and summarised.
//!
//! Every run writes tidy rows `(run, variant, axes..., replication, seed, metric,
//! value)` to `runs.csv`. Everything else (summary with confidence intervals,
//! improvements of a scheme over baselines, plots) is derived from that text, so
//! merging shards reproduces exactly the files an unsharded run writes.

use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::path::{Path, PathBuf};

use serde::Deserialize;

use crate::build::derive_seed;
use crate::report::{RunResult, percentile};
use crate::runner::{self, RunOptions};
use crate::scenario::{Scenario, ScenarioError};

/// A sweep run that did not give its rows.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum RunError {
    /// The run failed (`message` is the runner's).
    #[error("run {index} ({label}): {message}")]
    Failed {
        index: usize,
        label: String,
        message: String,
    },
    /// Not started because another run had failed.
    #[error("skipped after an earlier failure")]
    Skipped,
}

/// A `runs.csv` line that is not a run row.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum RowError {
    #[error("runs.csv line {line}: expected {expected} fields, got {got}")]
    Fields {
        line: usize,
        expected: usize,
        got: usize,
    },
    #[error("runs.csv line {line}: bad {what} `{text}`")]
    Number {
        line: usize,
        what: &'static str,
        text: String,
    },
}

/// A `--shard k/N` that is not one.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum ShardError {
    #[error("--shard `{0}`: expected k/N")]
    Form(String),
    #[error("--shard `{0}`: k is not a number")]
    K(String),
    #[error("--shard `{0}`: N is not a number")]
    N(String),
    #[error("--shard `{0}`: need 1 <= k <= N")]
    Range(String),
}

#[derive(Debug, Clone, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct SweepFile {
    pub name: String,
    #[serde(default)]
    pub description: String,
    pub sweep: SweepSpec,
}

#[derive(Debug, Clone, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct SweepSpec {
    /// Root seed: run seeds derive from it, the axis values and the replication
    /// (not the variant, so every variant sees the same devices and arrivals).
    pub seed: u64,
    #[serde(default = "one")]
    pub replications: u32,
    pub variants: Vec<Variant>,
    pub axes: Vec<Axis>,
    #[serde(default)]
    pub compare: Vec<Compare>,
    #[serde(default)]
    pub plots: Vec<PlotSpec>,
}

fn one() -> u32 {
    1
}

#[derive(Debug, Clone, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct Variant {
    pub label: String,
    /// Base scenario, relative to the sweep file.
    pub scenario: PathBuf,
    /// Extra `path=value` overrides for this variant.
    #[serde(default)]
    pub set: Vec<String>,
    /// Scenario paths that take an axis value for this variant only: path -> axis name.
    #[serde(default)]
    pub bind: BTreeMap<String, String>,
}

#[derive(Debug, Clone, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct Axis {
    /// Column name in the outputs.
    pub name: String,
    /// Scenario paths set to the axis value in every variant.
    #[serde(default)]
    pub set: Vec<String>,
    pub values: Vec<toml::Value>,
}

/// Improvement I = 1 - C_scheme / C_baseline of one variant over others.
#[derive(Debug, Clone, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct Compare {
    pub scheme: String,
    pub baselines: Vec<String>,
    pub metrics: Vec<String>,
}

#[derive(Debug, Clone, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct PlotSpec {
    pub file: String,
    /// "metric": the metric's mean per variant; "improvement": I per baseline.
    pub kind: PlotKind,
    pub metric: String,
    /// The axis on the x axis.
    pub x: String,
    pub title: String,
    pub y_label: String,
    #[serde(default)]
    pub x_label: Option<String>,
    #[serde(default)]
    pub log_x: bool,
    #[serde(default)]
    pub log_y: bool,
    /// Divide by the value of this axis (e.g. per device).
    #[serde(default)]
    pub per: Option<String>,
    /// Only these variants (default: all).
    #[serde(default)]
    pub variants: Vec<String>,
    /// Published figures drawn beside the measured ones, labelled as reference.
    #[serde(default)]
    pub reference: Vec<ReferenceSeries>,
}

#[derive(Debug, Clone, Copy, Deserialize, PartialEq, Eq)]
#[serde(rename_all = "snake_case")]
pub enum PlotKind {
    Metric,
    Improvement,
}

#[derive(Debug, Clone, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct ReferenceSeries {
    pub label: String,
    pub points: Vec<[f64; 2]>,
}

/// One run of a sweep.
#[derive(Debug, Clone, PartialEq)]
pub struct RunPlan {
    pub index: usize,
    pub variant: usize,
    pub point: Vec<toml::Value>,
    pub replication: u32,
    pub seed: u64,
}

/// A loaded, validated sweep.
#[derive(Debug, Clone)]
pub struct Sweep {
    pub file: SweepFile,
    pub path: PathBuf,
    /// The sweep file's text (copied into outputs so shards can be merged).
    pub text: String,
    /// Scenario of each variant at each point (validated).
    scenarios: BTreeMap<(usize, usize), Scenario>,
    pub runs: Vec<RunPlan>,
}

fn value_text(v: &toml::Value) -> String {
    match v {
        toml::Value::String(s) => s.clone(),
        other => other.to_string(),
    }
}

fn err(path: &Path, field: Option<String>, message: String) -> ScenarioError {
    ScenarioError {
        file: path.into(),
        line: None,
        field,
        message,
    }
}

impl Sweep {
    /// Reads a sweep file and validates every variant at every point.
    pub fn load(path: &Path, overrides: &[String]) -> Result<Sweep, ScenarioError> {
        let text = std::fs::read_to_string(path)
            .map_err(|e| err(path, None, format!("cannot read: {e}")))?;
        Self::parse(&text, path, overrides)
    }

    pub fn parse(text: &str, path: &Path, overrides: &[String]) -> Result<Sweep, ScenarioError> {
        let file: SweepFile = toml::from_str(text).map_err(|e| {
            let line = e
                .span()
                .map(|s| text[..s.start.min(text.len())].lines().count().max(1));
            ScenarioError {
                file: path.into(),
                line,
                field: None,
                message: e.message().to_string(),
            }
        })?;
        let s = &file.sweep;
        let f = |field: &str, m: &str| Err(err(path, Some(field.into()), m.into()));
        if s.variants.is_empty() {
            return f("sweep.variants", "at least one variant");
        }
        if s.replications == 0 {
            return f("sweep.replications", "must be at least 1");
        }
        const RESERVED: [&str; 13] = [
            "run",
            "variant",
            "replication",
            "seed",
            "metric",
            "value",
            "samples",
            "mean",
            "sd",
            "ci95_low",
            "ci95_high",
            "scheme",
            "baseline",
        ];
        for (i, a) in s.axes.iter().enumerate() {
            if RESERVED.contains(&a.name.as_str()) || s.axes[..i].iter().any(|b| b.name == a.name) {
                return f(
                    &format!("sweep.axes[{i}].name"),
                    &format!(
                        "`{}` is taken: an axis name must be unique and not an output column",
                        a.name
                    ),
                );
            }
            if a.values.is_empty() {
                return f(&format!("sweep.axes[{i}].values"), "at least one value");
            }
        }
        let axis_names: Vec<&str> = s.axes.iter().map(|a| a.name.as_str()).collect();
        let labels: Vec<&str> = s.variants.iter().map(|v| v.label.as_str()).collect();
        for (i, v) in s.variants.iter().enumerate() {
            for axis in v.bind.values() {
                if !axis_names.contains(&axis.as_str()) {
                    return f(
                        &format!("sweep.variants[{i}].bind"),
                        &format!("no axis named `{axis}`"),
                    );
                }
            }
        }
        for (i, c) in s.compare.iter().enumerate() {
            for l in std::iter::once(&c.scheme).chain(&c.baselines) {
                if !labels.contains(&l.as_str()) {
                    return f(
                        &format!("sweep.compare[{i}]"),
                        &format!("no variant labelled `{l}`"),
                    );
                }
            }
        }
        for (i, p) in s.plots.iter().enumerate() {
            if !axis_names.contains(&p.x.as_str()) {
                return f(
                    &format!("sweep.plots[{i}].x"),
                    &format!("no axis named `{}`", p.x),
                );
            }
            if let Some(per) = &p.per
                && !axis_names.contains(&per.as_str())
            {
                return f(
                    &format!("sweep.plots[{i}].per"),
                    &format!("no axis named `{per}`"),
                );
            }
        }
        // Cross product of the axes.
        let mut points: Vec<Vec<toml::Value>> = vec![Vec::new()];
        for a in &s.axes {
            points = points
                .into_iter()
                .flat_map(|p| {
                    a.values.iter().map(move |v| {
                        let mut q = p.clone();
                        q.push(v.clone());
                        q
                    })
                })
                .collect();
        }
        let base = path.parent().unwrap_or(Path::new("."));
        let mut scenarios = BTreeMap::new();
        let mut runs = Vec::new();
        for (vi, v) in s.variants.iter().enumerate() {
            let scn_path = base.join(&v.scenario);
            let scn_text = std::fs::read_to_string(&scn_path).map_err(|e| {
                err(
                    path,
                    Some(format!("sweep.variants[{vi}].scenario")),
                    format!("cannot read {}: {e}", scn_path.display()),
                )
            })?;
            for (pi, point) in points.iter().enumerate() {
                let mut sets: Vec<String> = v.set.clone();
                for (a, value) in s.axes.iter().zip(point) {
                    for p in &a.set {
                        sets.push(format!("{p}={value}"));
                    }
                    for (p, axis) in &v.bind {
                        if *axis == a.name {
                            sets.push(format!("{p}={value}"));
                        }
                    }
                }
                sets.extend(overrides.iter().cloned());
                let scn = Scenario::parse(&scn_text, &scn_path, &sets)?;
                scenarios.insert((vi, pi), scn);
            }
        }
        for (vi, _) in s.variants.iter().enumerate() {
            for point in &points {
                for r in 0..s.replications {
                    let label: Vec<String> = s
                        .axes
                        .iter()
                        .zip(point)
                        .map(|(a, v)| format!("{}={}", a.name, value_text(v)))
                        .collect();
                    let seed = derive_seed(s.seed, &format!("{}/rep{r}", label.join(",")));
                    runs.push(RunPlan {
                        index: runs.len(),
                        variant: vi,
                        point: point.clone(),
                        replication: r,
                        seed,
                    });
                }
            }
        }
        Ok(Sweep {
            file,
            path: path.into(),
            text: text.to_string(),
            scenarios,
            runs,
        })
    }

    fn point_index(&self, plan: &RunPlan) -> usize {
        let per_variant = self.runs.len() / self.file.sweep.variants.len();
        (plan.index % per_variant) / self.file.sweep.replications as usize
    }

    pub fn scenario(&self, plan: &RunPlan) -> &Scenario {
        &self.scenarios[&(plan.variant, self.point_index(plan))]
    }

    /// Runs of shard `k` of `n` (1-based), or all.
    pub fn shard(&self, shard: Option<(usize, usize)>) -> Vec<&RunPlan> {
        self.runs
            .iter()
            .filter(|r| shard.is_none_or(|(k, n)| r.index % n == k - 1))
            .collect()
    }

    /// Runs one plan and returns its metric rows as CSV lines.
    pub fn run_one(&self, plan: &RunPlan) -> Result<String, RunError> {
        let scn = self.scenario(plan);
        let (result, _) =
            runner::run(scn, plan.seed, &RunOptions::default()).map_err(|e| RunError::Failed {
                index: plan.index,
                label: self.file.sweep.variants[plan.variant].label.clone(),
                message: e.to_string(),
            })?;
        let mut out = String::new();
        let prefix = self.row_prefix(plan);
        for (metric, value) in metrics(&result) {
            let _ = writeln!(out, "{prefix},{metric},{}", fmt_value(value));
        }
        Ok(out)
    }

    fn row_prefix(&self, plan: &RunPlan) -> String {
        let mut p = format!(
            "{},{}",
            plan.index,
            csv_field(&self.file.sweep.variants[plan.variant].label)
        );
        for v in &plan.point {
            let _ = write!(p, ",{}", csv_field(&value_text(v)));
        }
        let _ = write!(p, ",{},{}", plan.replication, plan.seed);
        p
    }

    pub fn runs_header(&self) -> String {
        self.file.runs_header()
    }
}

fn csv_field(s: &str) -> String {
    if s.contains([',', '"', '\n']) {
        format!("\"{}\"", s.replace('"', "\"\""))
    } else {
        s.to_string()
    }
}

fn fmt_value(v: f64) -> String {
    if v.fract() == 0.0 && v.abs() < 9.0e15 {
        format!("{}", v as i64)
    } else {
        format!("{v}")
    }
}

/// The flat metrics of one run (names documented in docs/outputs.md).
pub fn metrics(r: &RunResult) -> Vec<(String, f64)> {
    let mut m: Vec<(String, f64)> = Vec::new();
    let mut total = crate::metrics::MessageCounters::default();
    let mut segments: BTreeMap<&str, crate::metrics::MessageCounters> = BTreeMap::new();
    for (iface, c) in r.interface_totals() {
        if let Some(seg) = iface.segment() {
            segments.entry(seg).or_default().merge(&c);
        }
        m.push((format!("tx.{iface}"), c.transmissions as f64));
        m.push((format!("deliveries.{iface}"), c.deliveries as f64));
        m.push((format!("bytes.{iface}"), c.bytes as f64));
        m.push((format!("lost.{iface}"), c.lost as f64));
        total.merge(&c);
    }
    for (seg, c) in segments {
        m.push((format!("tx.{seg}"), c.transmissions as f64));
        m.push((format!("bytes.{seg}"), c.bytes as f64));
    }
    m.push(("tx.total".into(), total.transmissions as f64));
    m.push(("deliveries.total".into(), total.deliveries as f64));
    m.push(("bytes.total".into(), total.bytes as f64));
    // Verdict counts, and the number of distinct (reporter, subject) pairs with a
    // verdict: devices, whichever side reports (a device that re-registers after
    // a lost accept has two verdicts but counts once).
    // (reporter, subject) packed in one integer: 10^6 of them sort fast.
    let pair = |a: &crate::report::AuthRow| {
        let addr =
            |x: authsim_protocols::core::Addr| (u128::from(x.node) << 32) | u128::from(x.index);
        (addr(a.reporter) << 48) | addr(a.subject)
    };
    let mut distinct: BTreeMap<(&str, &str), Vec<u128>> = BTreeMap::new();
    let mut rows = r.auth.iter().peekable();
    while let Some(first) = rows.next() {
        // Runs of one (node, outcome), as in `outcome_counts`.
        let pairs = distinct
            .entry((&*first.reporter_node, first.outcome))
            .or_default();
        pairs.push(pair(first));
        while let Some(a) = rows.next_if(|a| a.same_kind(first)) {
            pairs.push(pair(a));
        }
    }
    for pairs in distinct.values_mut() {
        pairs.sort_unstable();
        pairs.dedup();
    }
    let aliases = |node: &str| -> Vec<String> {
        std::iter::once(node.to_string())
            .chain(crate::protocols::role_of(&r.protocol, node).map(|x| format!("role_{x}")))
            .collect()
    };
    for ((node, outcome, reason), n) in r.outcome_counts() {
        for name in aliases(&node) {
            let metric = if reason.is_empty() {
                format!("auth.{name}.{outcome}")
            } else {
                format!("auth.{name}.{outcome}.{reason}")
            };
            m.push((metric, n as f64));
        }
    }
    for ((node, outcome), subjects) in &distinct {
        for name in aliases(node) {
            m.push((
                format!("auth.{name}.{outcome}_devices"),
                subjects.len() as f64,
            ));
        }
    }
    for n in &r.nodes {
        // Each node's metrics under its own name and, where the protocol gives
        // it one, under its protocol-neutral role (`role_serving`, ...), so
        // variants with different node names compare.
        let names: Vec<String> = std::iter::once(n.name.clone())
            .chain(crate::protocols::role_of(&r.protocol, &n.name).map(|x| format!("role_{x}")))
            .collect();
        let l = r.latencies(&n.name, "authenticated");
        for name in &names {
            if !l.is_empty() {
                let mean = l.iter().map(|&x| x as f64).sum::<f64>() / l.len() as f64;
                m.push((format!("latency.{name}.mean_s"), mean / 1e9));
                for (q, qn) in [(0.5, "p50"), (0.95, "p95"), (0.99, "p99")] {
                    m.push((
                        format!("latency.{name}.{qn}_s"),
                        percentile(&l, q) as f64 / 1e9,
                    ));
                }
            }
            m.push((format!("busy_s.{name}"), n.busy_ns as f64 / 1e9));
            if n.servers > 0 && n.inputs > 0 {
                m.push((
                    format!("wait_mean_s.{name}"),
                    n.wait_ns_total as f64 / n.inputs as f64 / 1e9,
                ));
                m.push((format!("wait_max_s.{name}"), n.wait_ns_max as f64 / 1e9));
            }
        }
        for p in authsim_protocols::core::Prim::ALL {
            let c = n.crypto.get(p);
            if c > 0 {
                m.push((format!("crypto.{}.{}", n.name, p.name()), c as f64));
            }
        }
        for name in &names {
            m.push((format!("energy.{name}.total_j"), n.energy_total_j()));
            if let Some(e) = n.energy_per_endpoint_j() {
                m.push((format!("energy.{name}.per_endpoint_j"), e));
            }
        }
    }
    m.push(("end_time_s".into(), r.end_time as f64 / 1e9));
    m
}

/// Parsed `runs.csv` rows.
#[derive(Debug, Clone)]
pub struct Row {
    pub run: usize,
    pub variant: String,
    pub point: Vec<String>,
    pub replication: u32,
    pub metric: String,
    pub value: f64,
}

/// Splits one CSV line (quoted fields allowed).
fn split_csv(line: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut cur = String::new();
    let mut quoted = false;
    let mut chars = line.chars().peekable();
    while let Some(c) = chars.next() {
        match (c, quoted) {
            ('"', true) if chars.peek() == Some(&'"') => {
                cur.push('"');
                chars.next();
            }
            ('"', _) => quoted = !quoted,
            (',', false) => out.push(std::mem::take(&mut cur)),
            (c, _) => cur.push(c),
        }
    }
    out.push(cur);
    out
}

pub fn parse_rows(text: &str, axes: usize) -> Result<Vec<Row>, RowError> {
    let mut rows = Vec::new();
    for (i, line) in text.lines().enumerate().skip(1) {
        if line.is_empty() {
            continue;
        }
        let f = split_csv(line);
        if f.len() != axes + 6 {
            return Err(RowError::Fields {
                line: i + 1,
                expected: axes + 6,
                got: f.len(),
            });
        }
        let num = |s: &str, what: &'static str| {
            s.parse::<f64>().map_err(|_| RowError::Number {
                line: i + 1,
                what,
                text: s.into(),
            })
        };
        rows.push(Row {
            run: num(&f[0], "run")? as usize,
            variant: f[1].clone(),
            point: f[2..2 + axes].to_vec(),
            replication: num(&f[2 + axes], "replication")? as u32,
            metric: f[4 + axes].clone(),
            value: num(&f[5 + axes], "value")?,
        });
    }
    Ok(rows)
}

/// Two-sided 95 % Student t quantile for `df` degrees of freedom.
pub fn t95(df: usize) -> f64 {
    const T: [f64; 30] = [
        12.706, 4.303, 3.182, 2.776, 2.571, 2.447, 2.365, 2.306, 2.262, 2.228, 2.201, 2.179, 2.160,
        2.145, 2.131, 2.120, 2.110, 2.101, 2.093, 2.086, 2.080, 2.074, 2.069, 2.064, 2.060, 2.056,
        2.052, 2.048, 2.045, 2.042,
    ];
    match df {
        0 => f64::NAN,
        d if d <= 30 => T[d - 1],
        d if d <= 60 => 2.000 + (2.042 - 2.000) * (60 - d) as f64 / 30.0,
        d if d <= 120 => 1.980 + (2.000 - 1.980) * (120 - d) as f64 / 60.0,
        _ => 1.960,
    }
}

/// Mean, sample standard deviation and 95 % CI half-width.
pub fn stats(v: &[f64]) -> (f64, f64, f64) {
    let n = v.len();
    let mean = v.iter().sum::<f64>() / n as f64;
    if n < 2 {
        return (mean, 0.0, 0.0);
    }
    let var = v.iter().map(|x| (x - mean).powi(2)).sum::<f64>() / (n - 1) as f64;
    let sd = var.sqrt();
    (mean, sd, t95(n - 1) * sd / (n as f64).sqrt())
}

/// Key of one summary cell: (variant, point, metric).
pub type CellKey = (String, Vec<String>, String);

/// Groups replications: (variant, point, metric) -> values in replication order.
pub fn cells(rows: &[Row]) -> BTreeMap<CellKey, Vec<(u32, f64)>> {
    let mut m: BTreeMap<CellKey, Vec<(u32, f64)>> = BTreeMap::new();
    for r in rows {
        m.entry((r.variant.clone(), r.point.clone(), r.metric.clone()))
            .or_default()
            .push((r.replication, r.value));
    }
    for v in m.values_mut() {
        v.sort_by_key(|x| x.0);
    }
    m
}

impl SweepFile {
    /// The header of runs.csv (one writer for sweeps and merges).
    pub fn runs_header(&self) -> String {
        let mut h = String::from("run,variant");
        for a in &self.sweep.axes {
            let _ = write!(h, ",{}", csv_field(&a.name));
        }
        h.push_str(",replication,seed,metric,value\n");
        h
    }

    /// Number of runs the whole sweep has (variants × points × replications).
    pub fn run_count(&self) -> usize {
        self.sweep.variants.len() * self.points().len() * self.sweep.replications as usize
    }

    /// `summary.csv`: mean, sd and 95 % CI per variant, point and metric.
    pub fn summary_csv(&self, rows: &[Row]) -> String {
        let mut s = String::from("variant");
        for a in &self.sweep.axes {
            let _ = write!(s, ",{}", csv_field(&a.name));
        }
        s.push_str(",metric,samples,mean,sd,ci95_low,ci95_high\n");
        for ((variant, point, metric), vals) in self.ordered_cells(rows) {
            let v: Vec<f64> = vals.iter().map(|x| x.1).collect();
            let (mean, sd, h) = stats(&v);
            let _ = write!(s, "{}", csv_field(&variant));
            for p in &point {
                let _ = write!(s, ",{}", csv_field(p));
            }
            let _ = writeln!(
                s,
                ",{metric},{},{},{},{},{}",
                v.len(),
                fmt_value(mean),
                fmt_value(sd),
                fmt_value(mean - h),
                fmt_value(mean + h)
            );
        }
        s
    }

    /// Cells in sweep order: variants and points as declared, metrics sorted.
    fn ordered_cells(&self, rows: &[Row]) -> Vec<(CellKey, Vec<(u32, f64)>)> {
        let points = self.points();
        let rank = |k: &CellKey| {
            let v = self
                .sweep
                .variants
                .iter()
                .position(|x| x.label == k.0)
                .unwrap_or(usize::MAX);
            let p = points.iter().position(|x| *x == k.1).unwrap_or(usize::MAX);
            (v, p, k.2.clone())
        };
        let mut v: Vec<_> = cells(rows).into_iter().collect();
        v.sort_by_cached_key(|(k, _)| rank(k));
        v
    }

    /// `improvements.csv`: I = 1 - C_scheme / C_baseline per point, metric and
    /// baseline, paired by replication (the same seed gives the same devices).
    pub fn improvements_csv(&self, rows: &[Row]) -> String {
        let mut s = String::from("scheme,baseline");
        for a in &self.sweep.axes {
            let _ = write!(s, ",{}", csv_field(&a.name));
        }
        s.push_str(",metric,samples,improvement,sd,ci95_low,ci95_high\n");
        let cells = cells(rows);
        for c in &self.sweep.compare {
            for b in &c.baselines {
                for point in self.points() {
                    for metric in &c.metrics {
                        let Some(sv) =
                            cells.get(&(c.scheme.clone(), point.clone(), metric.clone()))
                        else {
                            continue;
                        };
                        let Some(bv) = cells.get(&(b.clone(), point.clone(), metric.clone()))
                        else {
                            continue;
                        };
                        let pairs: Vec<f64> = sv
                            .iter()
                            .filter_map(|(r, x)| {
                                bv.iter().find(|(rb, _)| rb == r).map(|(_, y)| (x, y))
                            })
                            .filter(|(_, y)| **y != 0.0)
                            .map(|(x, y)| 1.0 - x / y)
                            .collect();
                        if pairs.is_empty() {
                            continue;
                        }
                        let (mean, sd, h) = stats(&pairs);
                        let _ = write!(s, "{},{}", csv_field(&c.scheme), csv_field(b));
                        for p in &point {
                            let _ = write!(s, ",{}", csv_field(p));
                        }
                        let _ = writeln!(
                            s,
                            ",{metric},{},{},{},{},{}",
                            pairs.len(),
                            fmt_value(mean),
                            fmt_value(sd),
                            fmt_value(mean - h),
                            fmt_value(mean + h)
                        );
                    }
                }
            }
        }
        s
    }

    /// All points (axis values as text), in the order the sweep runs them.
    pub fn points(&self) -> Vec<Vec<String>> {
        let mut points: Vec<Vec<String>> = vec![Vec::new()];
        for a in &self.sweep.axes {
            points = points
                .into_iter()
                .flat_map(|p| {
                    a.values.iter().map(move |v| {
                        let mut q = p.clone();
                        q.push(value_text(v));
                        q
                    })
                })
                .collect();
        }
        points
    }
}

/// Parses a `k/N` shard spec (1 ≤ k ≤ N).
pub fn parse_shard(s: &str) -> Result<(usize, usize), ShardError> {
    let (k, n) = s
        .split_once('/')
        .ok_or_else(|| ShardError::Form(s.into()))?;
    let k: usize = k.trim().parse().map_err(|_| ShardError::K(s.into()))?;
    let n: usize = n.trim().parse().map_err(|_| ShardError::N(s.into()))?;
    if n == 0 || k == 0 || k > n {
        return Err(ShardError::Range(s.into()));
    }
    Ok((k, n))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn stats_and_t_quantiles() {
        let (m, sd, h) = stats(&[1.0, 2.0, 3.0]);
        assert_eq!(m, 2.0);
        assert!((sd - 1.0).abs() < 1e-12);
        assert!((h - 4.303 / 3f64.sqrt()).abs() < 1e-9);
        assert_eq!(stats(&[5.0]), (5.0, 0.0, 0.0));
        assert_eq!(t95(1000), 1.96);
    }

    #[test]
    fn csv_split_handles_quotes() {
        assert_eq!(split_csv("a,\"b,c\",\"d\"\"e\""), vec!["a", "b,c", "d\"e"]);
    }

    #[test]
    fn shard_specs() {
        assert_eq!(parse_shard("2/4"), Ok((2, 4)));
        assert!(parse_shard("0/4").is_err());
        assert!(parse_shard("5/4").is_err());
        assert!(parse_shard("x").is_err());
    }
}
