//! Writes one run's results: CSV tables, the JSON summary, the trace and PNGs.

use std::path::{Path, PathBuf};

use std::collections::BTreeMap;

use authsim_plots::{Bar, Canvas, LineChart, PlotError, Scale, Series};
use authsim_sim::atomic_file::{AtomicFile, AtomicWriteError, produce_atomic, write_atomic};
use authsim_sim::replications::{runs_csv, summarize, summary_csv};
use authsim_sim::report::RunResult;
use authsim_sim::scenario::{PlotFormat, Scenario};
use authsim_sim::sweep::{PlotKind, Row, SweepFile, cells, stats};

/// Why results could not be written.
#[derive(Debug, thiserror::Error)]
pub enum OutputError {
    #[error("cannot write {}: {source}", .path.display())]
    Write {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("cannot create {}: {source}", .path.display())]
    Create {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("{0}")]
    Json(#[from] serde_json::Error),
    #[error("{0}")]
    Plot(Box<dyn std::error::Error + Send + Sync>),
    #[error("cannot write the capture {}: {source}", .path.display())]
    Pcap {
        path: PathBuf,
        source: authsim_sim::pcap::PcapError,
    },
    #[error("plot x axis")]
    NoXAxis,
    #[error("plot {file}: {}: {problem}", .path.display())]
    Goodput {
        file: String,
        path: PathBuf,
        problem: String,
    },
    #[error("plot {file}: no run has the metric `{metric}` (see docs/outputs.md for metric names)")]
    NoMetric { file: String, metric: String },
}

impl From<AtomicWriteError> for OutputError {
    fn from(e: AtomicWriteError) -> Self {
        OutputError::Write {
            path: e.path,
            source: e.source,
        }
    }
}

impl OutputError {
    fn plot(e: impl std::error::Error + Send + Sync + 'static) -> Self {
        OutputError::Plot(Box::new(e))
    }
}

/// Writes `text` to `path` atomically (never a truncated file under its name).
fn write(path: PathBuf, text: &str, written: &mut Vec<PathBuf>) -> Result<(), OutputError> {
    write_atomic(&path, text.as_bytes())?;
    written.push(path);
    Ok(())
}

/// Lets `produce` write a temporary name and moves it to `path` when complete;
/// errors name `path`, not the temporary name.
fn atomically(
    path: &Path,
    produce: impl FnOnce(&Path) -> Result<(), OutputError>,
) -> Result<(), OutputError> {
    let mut temp_name = String::new();
    let produced = produce_atomic(path, |tmp| {
        temp_name = tmp.display().to_string();
        produce(tmp)
    });
    match produced {
        Ok(committed) => Ok(committed?),
        Err(e) => Err(OutputError::Plot(
            e.to_string()
                .replace(&temp_name, &path.display().to_string())
                .into(),
        )),
    }
}

/// One chart's files, in the formats the scenario or sweep asks for (`outputs.formats`).
struct ChartFiles {
    png: PathBuf,
    svg: PathBuf,
    /// PNG unless only SVG is asked for (an empty list is refused when the file loads).
    write_png: bool,
    write_svg: bool,
}

impl ChartFiles {
    /// `name` is the PNG's file name; the SVG takes the same name with `.svg`.
    fn new(dir: &Path, name: &str, formats: &[PlotFormat]) -> ChartFiles {
        let png = dir.join(name);
        let write_svg = formats.contains(&PlotFormat::Svg);
        ChartFiles {
            svg: png.with_extension("svg"),
            png,
            write_png: formats.contains(&PlotFormat::Png) || !write_svg,
            write_svg,
        }
    }

    /// Draws the chart into temporary files, moves each into place when complete (so a
    /// folder never holds a truncated plot under its final name) and records them.
    fn draw(
        self,
        written: &mut Vec<PathBuf>,
        draw: impl FnOnce(Canvas<'_>) -> Result<(), PlotError>,
    ) -> Result<(), OutputError> {
        let plot = |c: Canvas<'_>| draw(c).map_err(OutputError::plot);
        match (self.write_png, self.write_svg) {
            (true, false) => atomically(&self.png, |png| plot(Canvas::new(png)))?,
            (false, _) => atomically(&self.svg, |svg| plot(Canvas::svg_only(svg)))?,
            (true, true) => atomically(&self.png, |png| {
                atomically(&self.svg, |svg| plot(Canvas::new(png).with_svg(svg)))
            })?,
        }
        self.record(written);
        Ok(())
    }

    fn record(self, written: &mut Vec<PathBuf>) {
        if self.write_png {
            written.push(self.png);
        }
        if self.write_svg {
            written.push(self.svg);
        }
    }
}

/// Writes the run's traced transmissions as pcapng (`--pcap`, `--pcap-dir`);
/// the run must have been traced (`RunOptions { trace: true }`). Written atomically
/// like every other output.
pub fn write_pcap(path: &Path, r: &RunResult) -> Result<PathBuf, OutputError> {
    let names: Vec<String> = r.nodes.iter().map(|n| n.name.clone()).collect();
    let out = AtomicFile::create(path)?;
    let out = authsim_sim::pcap::write_pcapng(out, &r.trace, &names).map_err(|source| {
        OutputError::Pcap {
            path: path.into(),
            source,
        }
    })?;
    out.commit()?;
    Ok(path.into())
}

/// Writes one output file (atomically); returns its path.
pub fn write_file(path: &Path, text: &str) -> Result<PathBuf, OutputError> {
    let mut written = Vec::new();
    write(path.to_path_buf(), text, &mut written)?;
    Ok(path.to_path_buf())
}

/// Writes everything a run produces into `dir`; returns the files written.
pub fn write_run(
    dir: &Path,
    scn: &Scenario,
    r: &RunResult,
    trace: Option<&Path>,
) -> Result<Vec<PathBuf>, OutputError> {
    std::fs::create_dir_all(dir).map_err(|source| OutputError::Create {
        path: dir.into(),
        source,
    })?;
    let mut written = Vec::new();
    write(dir.join("messages.csv"), &r.messages_csv(), &mut written)?;
    write(dir.join("nodes.csv"), &r.nodes_csv(), &mut written)?;
    if scn.outputs.per_auth_csv {
        write(dir.join("auth.csv"), &r.auth_csv(), &mut written)?;
    }
    let summary = serde_json::to_string_pretty(&r.summary_json())?;
    write(dir.join("summary.json"), &(summary + "\n"), &mut written)?;
    if let Some(path) = trace {
        let names: Vec<String> = r.nodes.iter().map(|n| n.name.clone()).collect();
        let text = authsim_sim::trace::trace_csv(&r.trace, &names);
        write(path.to_path_buf(), &text, &mut written)?;
    }
    if scn.outputs.storm {
        let csv = authsim_sim::storm::goodput_csv(r);
        write(dir.join("goodput.csv"), &csv, &mut written)?;
        if let Some(w) = &r.wasted {
            write(dir.join("wasted.csv"), &w.csv(), &mut written)?;
        }
    }
    if let Some(rach) = &r.rach {
        let csv = authsim_sim::rach_report::csv(rach);
        write(dir.join("rach.csv"), &csv, &mut written)?;
    }
    if scn.outputs.plots {
        plot_run(dir, r, &scn.outputs.formats, &mut written)?;
        if let Some(rach) = &r.rach {
            plot_rach(dir, rach, &scn.outputs.formats, &mut written)?;
        }
        if scn.outputs.storm {
            plot_goodput(dir, r, &scn.outputs.formats, &mut written)?;
        }
    }
    Ok(written)
}

/// `rach_delay_cdf.png`: the access delay CDF of the successful random
/// accesses (`[protocol.ran.rach]`, TR 37.868 §6.2.1).
fn plot_rach(
    dir: &Path,
    rach: &authsim_sim::rach_report::RachStats,
    formats: &[PlotFormat],
    written: &mut Vec<PathBuf>,
) -> Result<(), OutputError> {
    let series = [Series::new(
        "successful accesses",
        authsim_sim::rach_report::delay_cdf(rach),
    )];
    ChartFiles::new(dir, "rach_delay_cdf.png", formats).draw(written, |canvas| {
        authsim_plots::line_chart(
            canvas,
            &LineChart {
                title: "Random access delay CDF (TR 37.868 §6.2.1)",
                x_label: "access delay (ms)",
                y_label: "share of successful accesses",
                x_scale: Scale::Linear,
                y_scale: Scale::Linear,
                series: &series,
                reference: &[],
                points_only: false,
                ci_label: "",
            },
        )
    })
}

/// `goodput.png`: devices authenticated per second over the run (`outputs.storm`).
fn plot_goodput(
    dir: &Path,
    r: &RunResult,
    formats: &[PlotFormat],
    written: &mut Vec<PathBuf>,
) -> Result<(), OutputError> {
    let series = [Series::new(
        "first authentication at the serving network",
        authsim_sim::storm::goodput_series(r),
    )];
    let title = format!(
        "Goodput over time — {} ({}, {} devices)",
        r.scenario, r.protocol, r.devices
    );
    ChartFiles::new(dir, "goodput.png", formats).draw(written, |canvas| {
        authsim_plots::line_chart(
            canvas,
            &LineChart {
                title: &title,
                x_label: "time (s)",
                y_label: "devices authenticated per second",
                x_scale: Scale::Linear,
                y_scale: Scale::Linear,
                series: &series,
                reference: &[],
                points_only: false,
                ci_label: "",
            },
        )
    })
}

fn plot_run(
    dir: &Path,
    r: &RunResult,
    formats: &[PlotFormat],
    written: &mut Vec<PathBuf>,
) -> Result<(), OutputError> {
    let title = |what: &str| {
        format!(
            "{what} — {} ({}, {} devices)",
            r.scenario, r.protocol, r.devices
        )
    };
    // Which nodes report verdicts, in node order.
    let reporters: Vec<&str> = r
        .nodes
        .iter()
        .map(|n| n.name.as_str())
        .filter(|n| !r.latencies(n, "authenticated").is_empty())
        .collect();
    let cdf: Vec<(String, Vec<f64>)> = reporters
        .iter()
        .map(|n| {
            (
                format!("verdicts at {n}"),
                r.latencies(n, "authenticated")
                    .iter()
                    .map(|&x| x as f64 / 1e6)
                    .collect(),
            )
        })
        .collect();
    let p = ChartFiles::new(dir, "latency_cdf.png", formats);
    p.draw(written, |canvas| {
        authsim_plots::cdf_chart(
            canvas,
            &title("Authentication latency"),
            "latency from procedure start (ms)",
            &cdf,
        )
    })?;

    let series: Vec<Series> = reporters
        .iter()
        .map(|n| Series {
            label: format!("verdicts at {n}"),
            points: r
                .auth
                .iter()
                .filter(|a| &*a.reporter_node == *n && a.outcome == "authenticated")
                .filter_map(|a| a.latency.map(|l| (a.time as f64 / 1e9, l as f64 / 1e6)))
                .collect(),
            ci: None,
        })
        .collect();
    let p = ChartFiles::new(dir, "latency_over_time.png", formats);
    p.draw(written, |canvas| {
        authsim_plots::scatter_time(
            canvas,
            &title("Latency over time"),
            "completion time (s)",
            "latency (ms)",
            &series,
        )
    })?;

    let bars: Vec<Bar> = r
        .messages
        .iter()
        .map(|m| Bar {
            group: m.interface.name().to_string(),
            label: m.kind.to_string(),
            value: m.counters.transmissions as f64,
        })
        .collect();
    let p = ChartFiles::new(dir, "messages.png", formats);
    p.draw(written, |canvas| {
        authsim_plots::grouped_bar_chart(
            canvas,
            &title("Transmissions per interface and message"),
            "transmissions",
            &bars,
        )
    })?;

    // Energy per endpoint of population nodes, and of server nodes per device of
    // the population they serve (their total over `population.devices`), so the
    // bars compare; crypto and processing vs radio.
    let mut bars = Vec::new();
    for n in &r.nodes {
        let (group, per) = match n.energy_per_endpoint_j() {
            Some(_) => (
                format!("{} (per endpoint)", n.name),
                n.endpoints.max(1) as f64,
            ),
            None => (
                format!("{} (per device served)", n.name),
                r.devices.max(1) as f64,
            ),
        };
        bars.push(Bar::new(
            group.clone(),
            "crypto",
            n.energy_crypto_j / per * 1e3,
        ));
        bars.push(Bar::new(group, "radio", n.energy_radio_j / per * 1e3));
    }
    let p = ChartFiles::new(dir, "energy.png", formats);
    p.draw(written, |canvas| {
        authsim_plots::grouped_bar_chart(
            canvas,
            &title("Energy by node: crypto and processing vs radio"),
            "energy (mJ)",
            &bars,
        )
    })?;
    Ok(())
}

/// Writes the replications' summary (`replications.csv`), their values
/// (`replications_runs.csv`) and, with plots on, the latency percentiles with
/// 95 % confidence intervals; returns the files written.
pub fn write_replications(
    dir: &Path,
    scn: &Scenario,
    seeds: &[u64],
    runs: &[Vec<(String, f64)>],
) -> Result<Vec<PathBuf>, OutputError> {
    let mut written = Vec::new();
    let rows = summarize(runs);
    write(
        dir.join("replications.csv"),
        &summary_csv(&rows),
        &mut written,
    )?;
    write(
        dir.join("replications_runs.csv"),
        &runs_csv(seeds, runs),
        &mut written,
    )?;
    if !scn.outputs.plots {
        return Ok(written);
    }
    // latency.<node>.pXX_s -> one series per reporting node over the percentiles.
    let mut series: BTreeMap<String, Series> = BTreeMap::new();
    for row in &rows {
        let Some(rest) = row.metric.strip_prefix("latency.") else {
            continue;
        };
        let Some((node, stat)) = rest.rsplit_once('.') else {
            continue;
        };
        // The same node's figures also appear under its role name (`role_serving`, …):
        // plot each node once, under its own name.
        if !scn.nodes.contains_key(node) {
            continue;
        }
        let q = match stat {
            "p50_s" => 50.0,
            "p95_s" => 95.0,
            "p99_s" => 99.0,
            _ => continue,
        };
        let s = series.entry(node.to_string()).or_insert_with(|| Series {
            label: format!("verdicts at {node}"),
            points: Vec::new(),
            ci: Some(Vec::new()),
        });
        s.points.push((q, row.mean * 1e3));
        if let Some(ci) = s.ci.as_mut() {
            ci.push((row.ci95_low * 1e3, row.ci95_high * 1e3));
        }
    }
    let series: Vec<Series> = series.into_values().collect();
    let path = ChartFiles::new(dir, "replications_latency.png", &scn.outputs.formats);
    let title = format!(
        "Authentication latency percentiles, mean over {} replications — {} ({})",
        runs.len(),
        scn.name,
        scn.protocol.name()
    );
    let ci_label = ci_label(runs.len());
    path.draw(&mut written, |canvas| {
        authsim_plots::line_chart(
            canvas,
            &LineChart {
                title: &title,
                x_label: "percentile",
                y_label: "latency (ms)",
                x_scale: Scale::Linear,
                y_scale: Scale::Linear,
                series: &series,
                reference: &[],
                // p50, p95 and p99 are three statistics, not a curve.
                points_only: true,
                ci_label: &ci_label,
            },
        )
    })?;
    Ok(written)
}

/// What a chart's error bars are (the intervals come from `stats`/`summarize`: Student t).
fn ci_label(replications: usize) -> String {
    format!(
        "error bars: 95 % confidence interval of the mean (Student t) over {replications} replications"
    )
}

/// The folder of a sweep's per-run `goodput.csv` files (`run-<index>.csv`).
pub const GOODPUT_DIR: &str = "goodput";

/// A `goodput_over_time` plot: per variant, the devices authenticated per
/// second over time at `x` = `at`, read from the runs' `goodput/run-<index>.csv`
/// (the mean over replications per one-second bin; a run that drained
/// earlier counts 0 in later bins).
fn goodput_over_time(
    dir: &Path,
    file: &SweepFile,
    rows: &[Row],
    spec: &authsim_sim::sweep::PlotSpec,
    written: &mut Vec<PathBuf>,
) -> Result<(), OutputError> {
    let axes: Vec<&str> = file.sweep.axes.iter().map(|a| a.name.as_str()).collect();
    let xi = axes
        .iter()
        .position(|a| *a == spec.x)
        .ok_or(OutputError::NoXAxis)?;
    let at = spec
        .at
        .as_ref()
        .map(authsim_sim::sweep::value_text)
        .unwrap_or_default();
    // Runs at the point, by (variant order, other axes' values).
    let mut runs: BTreeMap<(usize, String), Vec<usize>> = BTreeMap::new();
    for r in rows.iter().filter(|r| r.point.get(xi) == Some(&at)) {
        let Some(vi) = file
            .sweep
            .variants
            .iter()
            .position(|v| v.label == r.variant)
        else {
            continue;
        };
        if !spec.variants.is_empty() && !spec.variants.contains(&r.variant) {
            continue;
        }
        let others: Vec<String> = r
            .point
            .iter()
            .enumerate()
            .filter(|(i, _)| *i != xi)
            .map(|(i, v)| format!("{}={v}", axes[i]))
            .collect();
        let label = match others.join(", ") {
            o if o.is_empty() => r.variant.clone(),
            o => format!("{} ({o})", r.variant),
        };
        let v = runs.entry((vi, label)).or_default();
        if !v.contains(&r.run) {
            v.push(r.run);
        }
    }
    let mut series = Vec::new();
    for ((_, label), indices) in runs {
        let mut sum: Vec<f64> = Vec::new();
        for i in &indices {
            let path = dir.join(GOODPUT_DIR).join(format!("run-{i}.csv"));
            let bad = |problem: String| OutputError::Goodput {
                file: spec.file.clone(),
                path: path.clone(),
                problem,
            };
            let text = std::fs::read_to_string(&path).map_err(|e| bad(e.to_string()))?;
            for (line, l) in text.lines().enumerate().skip(1) {
                let n: f64 = l
                    .split_once(',')
                    .and_then(|(_, n)| n.parse().ok())
                    .ok_or_else(|| {
                        bad(format!(
                            "line {}: expected time_s,authenticated_per_s",
                            line + 1
                        ))
                    })?;
                if sum.len() < line {
                    sum.resize(line, 0.0);
                }
                sum[line - 1] += n;
            }
        }
        let reps = indices.len().max(1) as f64;
        let points = sum
            .iter()
            .enumerate()
            .map(|(t, n)| (t as f64, n / reps))
            .collect();
        series.push(Series::new(&label, points));
    }
    if series.is_empty() {
        return Err(OutputError::NoMetric {
            file: spec.file.clone(),
            metric: format!("goodput over time at {}={at}", spec.x),
        });
    }
    let scale = |log: bool| if log { Scale::Log10 } else { Scale::Linear };
    let x_label = spec.x_label.clone().unwrap_or_else(|| "time (s)".into());
    ChartFiles::new(dir, &spec.file, &file.outputs.formats).draw(written, |canvas| {
        authsim_plots::line_chart(
            canvas,
            &LineChart {
                title: &spec.title,
                x_label: &x_label,
                y_label: &spec.y_label,
                x_scale: Scale::Linear,
                y_scale: scale(spec.log_y),
                series: &series,
                reference: &[],
                points_only: false,
                ci_label: "",
            },
        )
    })
}

/// Draws the plots a sweep file asks for; returns the files written.
pub fn sweep_plots(
    dir: &Path,
    file: &SweepFile,
    rows: &[Row],
) -> Result<Vec<PathBuf>, OutputError> {
    let cells = cells(rows);
    let axes: Vec<&str> = file.sweep.axes.iter().map(|a| a.name.as_str()).collect();
    let points = file.points();
    let mut written = Vec::new();
    for spec in &file.sweep.plots {
        if spec.kind == PlotKind::GoodputOverTime {
            goodput_over_time(dir, file, rows, spec, &mut written)?;
            continue;
        }
        let xi = axes
            .iter()
            .position(|a| *a == spec.x)
            .ok_or(OutputError::NoXAxis)?;
        let per = spec
            .per
            .as_deref()
            .and_then(|p| axes.iter().position(|a| *a == p));
        let num = |s: &str| s.parse::<f64>().unwrap_or(f64::NAN);
        // Other axes' values name the series, so every curve varies only x.
        let others = |p: &Vec<String>| -> String {
            p.iter()
                .enumerate()
                .filter(|(i, _)| *i != xi)
                .map(|(i, v)| format!("{}={v}", axes[i]))
                .collect::<Vec<_>>()
                .join(", ")
        };
        let mut series: BTreeMap<(usize, String), Series> = BTreeMap::new();
        let mut add = |order: usize, label: String, p: &Vec<String>, vals: &[f64]| {
            if vals.is_empty() {
                return;
            }
            let scale = per.map_or(1.0, |i| num(&p[i]));
            let (mean, _, h) = stats(vals);
            let key = match others(p) {
                o if o.is_empty() => label,
                o => format!("{label} ({o})"),
            };
            let s = series
                .entry((order, key.clone()))
                .or_insert_with(|| Series {
                    label: key,
                    points: Vec::new(),
                    // One value has no interval.
                    ci: (vals.len() >= 2).then(Vec::new),
                });
            s.points.push((num(&p[xi]), mean / scale));
            if let Some(ci) = s.ci.as_mut() {
                ci.push(((mean - h) / scale, (mean + h) / scale));
            }
        };
        match spec.kind {
            PlotKind::Metric => {
                for (vi, v) in file.sweep.variants.iter().enumerate() {
                    if !spec.variants.is_empty() && !spec.variants.contains(&v.label) {
                        continue;
                    }
                    for p in &points {
                        if let Some(c) =
                            cells.get(&(v.label.clone(), p.clone(), spec.metric.clone()))
                        {
                            let vals: Vec<f64> = c.iter().map(|x| x.1).collect();
                            add(vi, v.label.clone(), p, &vals);
                        }
                    }
                }
            }
            PlotKind::Improvement => {
                let mut order = 0;
                for c in &file.sweep.compare {
                    for b in &c.baselines {
                        order += 1;
                        for p in &points {
                            let (Some(sv), Some(bv)) = (
                                cells.get(&(c.scheme.clone(), p.clone(), spec.metric.clone())),
                                cells.get(&(b.clone(), p.clone(), spec.metric.clone())),
                            ) else {
                                continue;
                            };
                            let pairs = authsim_sim::improvement::paired(sv, bv);
                            add(order, format!("{} vs {b}", c.scheme), p, &pairs);
                        }
                    }
                }
            }
            PlotKind::GoodputOverTime => {}
        }
        let series: Vec<Series> = series.into_values().collect();
        if series.is_empty() {
            return Err(OutputError::NoMetric {
                file: spec.file.clone(),
                metric: spec.metric.clone(),
            });
        }
        let reference: Vec<Series> = spec
            .reference
            .iter()
            .map(|r| Series {
                label: r.label.clone(),
                points: r.points.iter().map(|p| (p[0], p[1])).collect(),
                ci: None,
            })
            .collect();
        let path = ChartFiles::new(dir, &spec.file, &file.outputs.formats);
        let scale = |log: bool| if log { Scale::Log10 } else { Scale::Linear };
        let x_label = spec.x_label.clone().unwrap_or_else(|| spec.x.clone());
        path.draw(&mut written, |canvas| {
            authsim_plots::line_chart(
                canvas,
                &LineChart {
                    title: &spec.title,
                    x_label: &x_label,
                    y_label: &spec.y_label,
                    x_scale: scale(spec.log_x),
                    y_scale: scale(spec.log_y),
                    series: &series,
                    reference: &reference,
                    points_only: false,
                    ci_label: &ci_label(file.sweep.replications as usize),
                },
            )
        })?;
    }
    Ok(written)
}
