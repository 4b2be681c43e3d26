//! Sweeps: many runs of several protocol variants over axes of values, with
//! replications, run in parallel, shardable, and summarised.
//!
//! Every run writes tidy rows `(run, variant, axes..., replication, seed, metric,
//! value)` to `runs.csv`. Everything else (summary with confidence intervals,
//! improvements of a scheme over baselines, plots) is derived from that text, so
//! merging shards reproduces exactly the files an unsharded run writes.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

use crate::build::derive_seed;
use crate::csv_table::{ReadError, Split, read_split};
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

/// A `runs.csv` record that is not a run row.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
#[error("runs.csv {0}")]
pub struct RowError(#[from] pub ReadError);

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
    #[serde(default)]
    pub outputs: SweepOutputs,
}

/// `[outputs]` of a sweep file.
#[derive(Debug, Clone, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct SweepOutputs {
    /// File formats of every plot (as a scenario's `outputs.formats`).
    #[serde(default = "png_only")]
    pub formats: Vec<crate::scenario::PlotFormat>,
}

fn png_only() -> Vec<crate::scenario::PlotFormat> {
    vec![crate::scenario::PlotFormat::Png]
}

impl Default for SweepOutputs {
    fn default() -> Self {
        SweepOutputs {
            formats: png_only(),
        }
    }
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
    /// "metric": the metric's mean per variant; "improvement": I per baseline;
    /// "goodput_over_time": each variant's goodput per second over time at
    /// `x` = `at` (storm runs; `metric` unused).
    pub kind: PlotKind,
    #[serde(default)]
    pub metric: String,
    /// The value of axis `x` a `goodput_over_time` plot is drawn at.
    #[serde(default)]
    pub at: Option<toml::Value>,
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
    GoodputOverTime,
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
    /// Each variant's scenario file (resolved path) and the text it was
    /// built from, so a checkpoint can tell whether an input changed.
    pub variant_files: Vec<(PathBuf, String)>,
}

/// How an axis value is written in runs.csv and summary.csv (strings bare).
pub fn value_text(v: &toml::Value) -> String {
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

/// Whether TOML text is a scenario (it has `[run]` or `[protocol]` and no
/// `[sweep]`): the two file kinds are easy to mix up on the command line.
pub fn is_scenario_text(text: &str) -> bool {
    toml::from_str::<toml::Table>(text).is_ok_and(|t| {
        !t.contains_key("sweep") && (t.contains_key("run") || t.contains_key("protocol"))
    })
}

/// Whether TOML text is a sweep file (it has a `[sweep]` section).
pub fn is_sweep_text(text: &str) -> bool {
    toml::from_str::<toml::Table>(text).is_ok_and(|t| t.contains_key("sweep"))
}

/// `authsim sweep --seed / --replications`: values replacing the sweep
/// file's `sweep.seed` and `sweep.replications`.
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct SweepFlags {
    pub seed: Option<u64>,
    pub replications: Option<u32>,
}

/// Rejects a command-line `--set` that would change nothing or undo the
/// sweep: the seed and replications of a run (a sweep derives them), outputs
/// (a sweep writes none per run), the sweep's own keys, and paths an axis or a
/// variant's `bind` sets at every point (the override would flatten the axis).
fn check_overrides(
    file: &SweepFile,
    path: &Path,
    overrides: &[String],
) -> Result<(), ScenarioError> {
    for o in overrides {
        let key = o.split_once('=').map_or(o.as_str(), |(k, _)| k).trim();
        let under = |p: &str| key == p || key.starts_with(&format!("{p}."));
        let why = if under("run.seed") {
            Some("a sweep derives every run's seed from `sweep.seed`: use `--seed`".to_string())
        } else if under("run.replications") || under("sweep.replications") {
            Some("a sweep's replications are `sweep.replications`: use `--replications`".into())
        } else if under("sweep.seed") {
            Some("use `--seed`".into())
        } else if under("sweep") {
            Some(
                "--set changes the variants' scenarios, not the sweep file: edit the sweep file"
                    .into(),
            )
        } else if under("outputs") {
            Some("a sweep writes no per-run outputs, so `outputs.*` would change nothing".into())
        } else {
            let axis = file
                .sweep
                .axes
                .iter()
                .find(|a| a.set.iter().any(|p| p == key));
            let bound = file
                .sweep
                .variants
                .iter()
                .find_map(|v| v.bind.get(key).map(|a| (v, a)));
            match (axis, bound) {
                (Some(a), _) => Some(format!(
                    "axis `{}` sets `{key}` at every point; the override would make all its points equal",
                    a.name
                )),
                (None, Some((v, a))) => Some(format!(
                    "variant `{}` binds `{key}` to axis `{a}`; the override would make all its points equal",
                    v.label
                )),
                (None, None) => None,
            }
        };
        if let Some(why) = why {
            return Err(err(path, None, format!("--set `{o}`: {why}")));
        }
    }
    Ok(())
}

impl Sweep {
    /// Reads a sweep file and validates every variant at every point.
    pub fn load(path: &Path, overrides: &[String]) -> Result<Sweep, ScenarioError> {
        Self::load_with(path, overrides, SweepFlags::default())
    }

    /// [`Sweep::load`] with the sweep's seed and replications replaced by
    /// `flags`. The sweep text kept for the outputs (`sweep.toml`) then holds
    /// the replaced values, so shards run with the same flags merge.
    pub fn load_with(
        path: &Path,
        overrides: &[String],
        flags: SweepFlags,
    ) -> Result<Sweep, ScenarioError> {
        let text = std::fs::read_to_string(path)
            .map_err(|e| err(path, None, format!("cannot read: {e}")))?;
        if flags == SweepFlags::default() {
            return Self::parse(&text, path, overrides);
        }
        let mut table: toml::Table = match toml::from_str(&text) {
            Ok(t) => t,
            // Reported with its line by `parse`.
            Err(_) => return Self::parse(&text, path, overrides),
        };
        if let Some(toml::Value::Table(sweep)) = table.get_mut("sweep") {
            if let Some(seed) = flags.seed {
                let seed = i64::try_from(seed)
                    .map_err(|_| err(path, None, format!("--seed {seed}: at most {}", i64::MAX)))?;
                sweep.insert("seed".into(), toml::Value::Integer(seed));
            }
            if let Some(r) = flags.replications {
                sweep.insert("replications".into(), toml::Value::Integer(r.into()));
            }
        }
        let text = toml::to_string(&table).map_err(|e| {
            err(
                path,
                None,
                format!("cannot apply --seed/--replications: {e}"),
            )
        })?;
        Self::parse(&text, path, overrides)
    }

    pub fn parse(text: &str, path: &Path, overrides: &[String]) -> Result<Sweep, ScenarioError> {
        if is_scenario_text(text) {
            return Err(err(
                path,
                None,
                format!(
                    "this is a scenario file, not a sweep (no [sweep] section): use `authsim run {}`",
                    path.display()
                ),
            ));
        }
        let file: SweepFile =
            toml::from_str(text).map_err(|e| crate::scenario::toml_error(text, path, &e))?;
        check_overrides(&file, path, overrides)?;
        let s = &file.sweep;
        let f = |field: &str, m: &str| Err(err(path, Some(field.into()), m.into()));
        if s.variants.is_empty() {
            return f("sweep.variants", "at least one variant");
        }
        if s.replications == 0 {
            return f("sweep.replications", "must be at least 1");
        }
        if let Err(e) = crate::scenario::check_formats(&file.outputs.formats) {
            return f(&e.field, &e.message);
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
            let axis = s.axes.iter().find(|a| a.name == p.x);
            match (p.kind, &p.at) {
                (PlotKind::GoodputOverTime, None) => {
                    return f(
                        &format!("sweep.plots[{i}].at"),
                        "a goodput_over_time plot needs the value of its axis `x` to draw at",
                    );
                }
                (PlotKind::GoodputOverTime, Some(v))
                    if !axis.is_some_and(|a| a.values.contains(v)) =>
                {
                    return f(
                        &format!("sweep.plots[{i}].at"),
                        &format!("{v} is not a value of axis `{}`", p.x),
                    );
                }
                (PlotKind::Metric | PlotKind::Improvement, _) if p.metric.is_empty() => {
                    return f(&format!("sweep.plots[{i}].metric"), "missing");
                }
                (PlotKind::Metric | PlotKind::Improvement, Some(_)) => {
                    return f(
                        &format!("sweep.plots[{i}].at"),
                        "only a goodput_over_time plot is drawn at one value",
                    );
                }
                _ => {}
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
        let mut variant_files = Vec::new();
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
            variant_files.push((scn_path, scn_text));
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
            variant_files,
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
        self.run_one_with(plan, &RunOptions::default())
            .map(|(rows, _)| rows)
    }

    /// [`Self::run_one`] with run options (a trace for `--pcap-dir`); also
    /// returns the run's result.
    pub fn run_one_with(
        &self,
        plan: &RunPlan,
        opts: &RunOptions,
    ) -> Result<(String, RunResult), RunError> {
        let scn = self.scenario(plan);
        let (result, _) = runner::run(scn, plan.seed, opts).map_err(|e| RunError::Failed {
            index: plan.index,
            label: self.file.sweep.variants[plan.variant].label.clone(),
            message: e.to_string(),
        })?;
        let mut w = RunsTable::headerless();
        let head = RunHead {
            run: plan.index,
            variant: self.file.sweep.variants[plan.variant].label.clone(),
        };
        let point: Vec<String> = plan.point.iter().map(value_text).collect();
        for (metric, value) in metrics(&result) {
            let tail = RunTail {
                replication: plan.replication,
                seed: plan.seed,
                metric,
                value,
            };
            w.row(&head, &point, &tail);
        }
        Ok((w.into_text(), result))
    }

    pub fn runs_header(&self) -> String {
        self.file.runs_header()
    }
}

/// The columns of a `runs.csv` row before the axes (one column per axis, named in
/// the sweep file; see [`crate::csv_table`]).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
struct RunHead {
    run: usize,
    variant: String,
}

/// The columns of a `runs.csv` row after the axes.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
struct RunTail {
    replication: u32,
    seed: u64,
    metric: String,
    #[serde(serialize_with = "value_text_ser")]
    value: f64,
}

/// runs.csv: run, variant, one column per axis, replication, seed, metric, value.
type RunsTable = Split<RunHead, RunTail>;

/// The columns of a `summary.csv` row before the axes.
#[derive(Default, Serialize)]
struct SummaryHead<'a> {
    variant: &'a str,
}

/// Mean, sample sd and 95 % CI of `samples` values: the tail of a summary.csv or
/// improvements.csv row (the mean is named by the table).
#[derive(Default, Serialize)]
struct SummaryTail<'a> {
    metric: &'a str,
    samples: usize,
    #[serde(serialize_with = "value_text_ser")]
    mean: f64,
    #[serde(serialize_with = "value_text_ser")]
    sd: f64,
    #[serde(serialize_with = "value_text_ser")]
    ci95_low: f64,
    #[serde(serialize_with = "value_text_ser")]
    ci95_high: f64,
}

/// The columns of an `improvements.csv` row before the axes.
#[derive(Default, Serialize)]
struct ImprovementHead<'a> {
    scheme: &'a str,
    baseline: &'a str,
}

/// The tail of an improvements.csv row: as [`SummaryTail`], the mean named `improvement`.
#[derive(Default, Serialize)]
struct ImprovementTail<'a> {
    metric: &'a str,
    samples: usize,
    #[serde(serialize_with = "value_text_ser")]
    improvement: f64,
    #[serde(serialize_with = "value_text_ser")]
    sd: f64,
    #[serde(serialize_with = "value_text_ser")]
    ci95_low: f64,
    #[serde(serialize_with = "value_text_ser")]
    ci95_high: f64,
}

/// A number as `fmt_value` writes it: the text of a value does not depend on how the
/// `csv` crate would format a float (integers without `.0`).
fn value_text_ser<S: serde::Serializer>(v: &f64, s: S) -> Result<S::Ok, S::Error> {
    s.serialize_str(&fmt_value(*v))
}

/// Number text of the sweep and replication outputs: integers without a
/// fraction (and without a negative zero's sign), other values as Rust
/// prints them.
pub(crate) fn fmt_value(v: f64) -> String {
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
        for (what, c) in &n.counted {
            m.push((format!("counted.{}.{what}", n.name), *c as f64));
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
    m.extend(crate::storm::metrics(r));
    if let Some(rach) = &r.rach {
        m.extend(crate::rach_report::metrics(rach));
    }
    m.extend(crate::protocols::aggregate_signatures::metrics(r));
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

/// Parses runs.csv text (a header line, then one record per metric) with the
/// row types that wrote it.
pub fn parse_rows(text: &str, axes: usize) -> Result<Vec<Row>, RowError> {
    let rows = read_split::<RunHead, RunTail>(text, axes)?;
    Ok(rows
        .into_iter()
        .map(|r| Row {
            run: r.head.run,
            variant: r.head.variant,
            point: r.middle,
            replication: r.tail.replication,
            metric: r.tail.metric,
            value: r.tail.value,
        })
        .collect())
}

/// Splits a shard's runs.csv (`axes` axis columns) into one block per run: (run index,
/// its records as CSV text, in file order). The records are read with the row types
/// and written again by the writer that wrote them, so a block is byte-identical to
/// the sweep's own text.
pub fn run_blocks(text: &str, axes: usize) -> Result<Vec<(usize, String)>, RowError> {
    let mut blocks: Vec<(usize, RunsTable)> = Vec::new();
    for r in read_split::<RunHead, RunTail>(text, axes)? {
        let run = r.head.run;
        if blocks.last().is_none_or(|b| b.0 != run) {
            blocks.push((run, RunsTable::headerless()));
        }
        if let Some((_, w)) = blocks.last_mut() {
            w.row(&r.head, &r.middle, &r.tail);
        }
    }
    Ok(blocks
        .into_iter()
        .map(|(run, w)| (run, w.into_text()))
        .collect())
}

/// Two-sided 95 % Student t quantile t_{0.975,df} for `df` degrees of
/// freedom (NaN for 0), from `statrs`, for any `df`.
///
/// Rounded to three decimals, the precision of the published tables the
/// intervals have always been computed with (12.706, 4.303, ...): so the
/// shipped outputs do not change, while `df` above 30 now gets the true
/// quantile rather than a linear interpolation between table rows.
pub fn t95(df: usize) -> f64 {
    use statrs::distribution::{ContinuousCDF, StudentsT};
    if df == 0 {
        return f64::NAN;
    }
    match StudentsT::new(0.0, 1.0, df as f64) {
        Ok(t) => (t.inverse_cdf(0.975) * 1000.0).round() / 1000.0,
        Err(_) => f64::NAN,
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
        RunsTable::header_text(self.axis_names())
    }

    fn axis_names(&self) -> impl Iterator<Item = &str> {
        self.sweep.axes.iter().map(|a| a.name.as_str())
    }

    /// Number of runs the whole sweep has (variants × points × replications).
    pub fn run_count(&self) -> usize {
        self.sweep.variants.len() * self.points().len() * self.sweep.replications as usize
    }

    /// `summary.csv`: mean, sd and 95 % CI per variant, point and metric.
    pub fn summary_csv(&self, rows: &[Row]) -> String {
        let cells = self.ordered_cells(rows);
        let mut w = Split::<SummaryHead, SummaryTail>::new(self.axis_names());
        for ((variant, point, metric), vals) in &cells {
            let v: Vec<f64> = vals.iter().map(|x| x.1).collect();
            let (mean, sd, h) = stats(&v);
            let tail = SummaryTail {
                metric,
                samples: v.len(),
                mean,
                sd,
                ci95_low: mean - h,
                ci95_high: mean + h,
            };
            w.row(&SummaryHead { variant }, point, &tail);
        }
        w.into_text()
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
        let mut w = Split::<ImprovementHead, ImprovementTail>::new(self.axis_names());
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
                        let pairs = crate::improvement::paired(sv, bv);
                        if pairs.is_empty() {
                            continue;
                        }
                        let (mean, sd, h) = stats(&pairs);
                        let head = ImprovementHead {
                            scheme: &c.scheme,
                            baseline: b,
                        };
                        let tail = ImprovementTail {
                            metric,
                            samples: pairs.len(),
                            improvement: mean,
                            sd,
                            ci95_low: mean - h,
                            ci95_high: mean + h,
                        };
                        w.row(&head, &point, &tail);
                    }
                }
            }
        }
        w.into_text()
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

    /// Issue 19 (mutants of `metrics` survived): the per-node metrics a
    /// sweep plots are the run's own figures in seconds — latency mean and
    /// quantiles, busy time, queueing waits (FIFO servers only), crypto
    /// counts (those that occurred), end time — and each `_devices` count
    /// counts a (reporter, subject) pair once.
    #[test]
    fn run_metrics_are_the_runs_own_figures() {
        use authsim_protocols::core::{Addr, Prim};
        let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("../scenarios/quickstart.toml");
        let scn = Scenario::load(&path, &["population.devices=20".to_string()]).unwrap();
        let (r, _) = runner::run(&scn, scn.run.seed, &RunOptions::default()).unwrap();
        let m: BTreeMap<String, f64> = metrics(&r).into_iter().collect();
        assert_eq!(m["auth.ue.authenticated_devices"], 20.0);
        assert_eq!(m["auth.mme.authenticated_devices"], 20.0);
        let secs = |ns: u64| ns as f64 / 1e9;
        let latency = m["latency.ue.mean_s"];
        assert!(latency > 0.02 && latency < 1.0, "{latency}");
        for n in &r.nodes {
            let name = &n.name;
            let l = r.latencies(name, "authenticated");
            if !l.is_empty() {
                let mean = l.iter().map(|&x| x as f64).sum::<f64>() / l.len() as f64;
                assert_eq!(m[&format!("latency.{name}.mean_s")], mean / 1e9);
                for (q, qn) in [(0.5, "p50"), (0.95, "p95"), (0.99, "p99")] {
                    let got = m[&format!("latency.{name}.{qn}_s")];
                    assert_eq!(got, secs(percentile(&l, q)));
                }
            }
            assert_eq!(m[&format!("busy_s.{name}")], n.busy_ns as f64 / 1e9);
            let wait = m.get(&format!("wait_mean_s.{name}")).copied();
            if n.servers > 0 {
                let mean = n.wait_ns_total as f64 / n.inputs as f64 / 1e9;
                assert_eq!(wait, Some(mean), "{name}");
                assert_eq!(m[&format!("wait_max_s.{name}")], secs(n.wait_ns_max));
            } else {
                assert_eq!(wait, None, "{name}: not a FIFO server");
            }
            for p in Prim::ALL {
                let c = n.crypto.get(p);
                let got = m.get(&format!("crypto.{name}.{}", p.name())).copied();
                assert_eq!(got, (c > 0).then_some(c as f64), "{name} {}", p.name());
            }
        }
        assert_eq!(m["end_time_s"], secs(r.end_time));
        // Set by hand on the run's rows: queueing at the MME, an HSS that had
        // no input, and two verdicts of one MME endpoint about endpoints of
        // two nodes with the same index (two pairs, not one).
        let mut r = r;
        let node = |r: &RunResult, name: &str| r.nodes.iter().position(|n| n.name == name);
        let (mme, hss) = (node(&r, "mme").unwrap(), node(&r, "hss").unwrap());
        (r.nodes[mme].wait_ns_total, r.nodes[mme].inputs) = (3_000_000_000, 2);
        r.nodes[mme].wait_ns_max = 2_000_000_000;
        r.nodes[hss].inputs = 0;
        let reporter = Addr::new(1, 0);
        for subject in [Addr::new(0, 5), Addr::new(2, 5)] {
            r.auth.push(crate::report::AuthRow {
                time: 1,
                reporter_node: "mme".into(),
                reporter,
                subject,
                outcome: "attack_detected",
                reason: "test",
                latency: None,
            });
        }
        let m: BTreeMap<String, f64> = metrics(&r).into_iter().collect();
        assert_eq!(m["wait_mean_s.mme"], 1.5);
        assert_eq!(m["wait_max_s.mme"], 2.0);
        assert!(!m.contains_key("wait_mean_s.hss"), "no input: no mean wait");
        assert_eq!(m["auth.mme.attack_detected_devices"], 2.0);
    }

    #[test]
    fn stats_and_t_quantiles() {
        let (m, sd, h) = stats(&[1.0, 2.0, 3.0]);
        assert_eq!(m, 2.0);
        assert!((sd - 1.0).abs() < 1e-12);
        assert!((h - 4.303 / 3f64.sqrt()).abs() < 1e-9);
        assert_eq!(stats(&[5.0]), (5.0, 0.0, 0.0));
        // Two values: the t interval with one degree of freedom.
        let (m, sd, h) = stats(&[1.0, 3.0]);
        assert_eq!((m, sd), (2.0, 2f64.sqrt()));
        assert!((h - t95(1) * sd / 2f64.sqrt()).abs() < 1e-12 && h > 10.0);
        // Sweep numbers: integers without a fraction or a negative zero's sign.
        assert_eq!(fmt_value(3.0), "3");
        assert_eq!(fmt_value(-0.0), "0");
        assert_eq!(fmt_value(2.5), "2.5");
        assert_eq!(fmt_value(1e19), "10000000000000000000");
        assert_eq!(t95(1000), 1.962);
    }

    /// Published two-sided 95 % quantiles (e.g. NIST/SEMATECH e-Handbook, table 1.3.6.7.2).
    #[test]
    fn t_quantiles_match_published_values() {
        for (df, t) in [
            (1, 12.706),
            (2, 4.303),
            (3, 3.182),
            (4, 2.776),
            (9, 2.262),
            (29, 2.045),
            (30, 2.042),
            (40, 2.021),
            (60, 2.000),
            (100, 1.984),
        ] {
            assert_eq!(t95(df), t, "df = {df}");
        }
        assert_eq!(t95(1_000_000), 1.960);
        assert!(t95(0).is_nan());
    }

    #[test]
    fn improvements_csv_pairs_replications_with_one_formula() {
        let file: SweepFile = toml::from_str(
            r#"
name = "i"
[sweep]
seed = 1
[[sweep.variants]]
label = "group"
scenario = "g.toml"
[[sweep.variants]]
label = "eps"
scenario = "e.toml"
[[sweep.axes]]
name = "n"
values = [1, 10]
[[sweep.compare]]
scheme = "group"
baselines = ["eps"]
metrics = ["tx.total"]
"#,
        )
        .unwrap();
        let row = |variant: &str, n: &str, replication: u32, value: f64| Row {
            run: 0,
            variant: variant.into(),
            point: vec![n.into()],
            replication,
            metric: "tx.total".into(),
            value,
        };
        let rows = [
            // n = 1: the same cost, I = 0; n = 10: 3/4 and 6/8 of the baseline, I = 0.25.
            row("group", "1", 0, 5.0),
            row("eps", "1", 0, 5.0),
            row("group", "10", 0, 30.0),
            row("group", "10", 1, 60.0),
            row("eps", "10", 1, 80.0),
            row("eps", "10", 0, 40.0),
        ];
        let text = file.improvements_csv(&rows);
        let lines: Vec<&str> = text.lines().collect();
        assert_eq!(
            lines,
            [
                "scheme,baseline,n,metric,samples,improvement,sd,ci95_low,ci95_high",
                "group,eps,1,tx.total,1,0,0,0,0",
                "group,eps,10,tx.total,2,0.25,0,0.25,0.25",
            ]
        );
    }

    #[test]
    fn hostile_labels_round_trip_through_runs_csv() {
        let label = "EPS, \"quoted\"\nsecond line";
        let mut w = RunsTable::new(["n"]);
        for run in 0..2 {
            let head = RunHead {
                run,
                variant: label.into(),
            };
            for metric in ["tx.total", "a,b"] {
                let tail = RunTail {
                    replication: 0,
                    seed: 7,
                    metric: metric.into(),
                    value: 1.5,
                };
                w.row(&head, ["1,2"], &tail);
            }
        }
        let text = w.into_text();
        assert!(text.starts_with("run,variant,n,replication,seed,metric,value\n"));
        assert!(
            text.contains("\"EPS, \"\"quoted\"\"\nsecond line\""),
            "{text}"
        );
        let rows = parse_rows(&text, 1).unwrap();
        assert_eq!(rows.len(), 4);
        assert_eq!(rows[3].variant, label);
        assert_eq!(rows[3].point, vec!["1,2"]);
        assert_eq!(rows[3].metric, "a,b");
        assert_eq!(rows[3].value, 1.5);
        let blocks = run_blocks(&text, 1).unwrap();
        assert_eq!(blocks.iter().map(|b| b.0).collect::<Vec<_>>(), vec![0, 1]);
        let header_len = text.find("0,").unwrap();
        let joined: String = blocks.iter().map(|b| b.1.as_str()).collect();
        assert_eq!(&text[header_len..], joined);
    }

    #[test]
    fn shard_specs() {
        assert_eq!(parse_shard("2/4"), Ok((2, 4)));
        assert!(parse_shard("0/4").is_err());
        assert!(parse_shard("5/4").is_err());
        assert!(parse_shard("x").is_err());
    }
}
