//! An attack-matrix file (`[attack_matrix]`, sim-core's attack_matrix):
//! `authsim sweep FILE` (and `authsim run FILE`) run every cell and its
//! protocol's same-seed baseline, then write attacks.csv (a row per cell),
//! the detection-matrix heat map, the amplification bars and goodput and
//! latency against the flood rate (docs/threats.md).

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use authsim_plots::{Bar, HeatMap, LineChart, Scale, Series};
use authsim_sim::attack_matrix::{CellRow, Matrix, csv_text};
use authsim_sim::report::RunResult;
use authsim_sim::runner::{self, RunOptions};
use rayon::prelude::*;

use crate::Failure;
use crate::manifest::{self, InputFile, Kind, Manifest};
use crate::output;

/// What the command line asked for.
pub struct MatrixArgs<'a> {
    pub file: &'a Path,
    pub out: Option<PathBuf>,
    pub jobs: usize,
    pub quiet: bool,
    pub force: bool,
}

/// Whether `file` is an attack-matrix file (unreadable files are not: the
/// caller's own loader then names the error).
pub fn is_matrix_file(file: &Path) -> bool {
    std::fs::read_to_string(file).is_ok_and(|t| authsim_sim::attack_matrix::is_matrix_text(&t))
}

/// Runs the matrix and writes its outputs.
pub fn run(a: MatrixArgs<'_>) -> Result<(), Failure> {
    let started_at = manifest::now();
    let matrix = Matrix::load(a.file).map_err(Failure::input)?;
    let bytes = std::fs::read(a.file)
        .map_err(|e| Failure::BadInput(format!("cannot read {}: {e}", a.file.display())))?;
    let name = matrix.file.name.clone();
    let out = a
        .out
        .unwrap_or_else(|| PathBuf::from("out").join(format!("{name}-sweep")));
    manifest::claim_folder(&out, Kind::Sweep, &name, a.force)?;
    std::fs::create_dir_all(&out)
        .map_err(|e| Failure::RunFailed(format!("cannot create {}: {e}", out.display())))?;
    let seed = matrix.file.attack_matrix.seed;
    if !a.quiet {
        eprintln!(
            "attack matrix `{name}`: {} cells over {} protocols (+{} baselines), seed {seed}...",
            matrix.cells.len(),
            matrix.baselines.len(),
            matrix.baselines.len()
        );
    }
    let t0 = std::time::Instant::now();
    let pool = rayon::ThreadPoolBuilder::new()
        .num_threads(a.jobs.max(1))
        .build()
        .map_err(|e| Failure::RunFailed(format!("thread pool: {e}")))?;
    let run = |scn: &authsim_sim::scenario::Scenario| {
        runner::run(scn, seed, &RunOptions::default())
            .map(|(r, _)| r)
            .map_err(|e| Failure::RunFailed(format!("{}: {e}", scn.name)))
    };
    let (baselines, rows) = pool.install(|| {
        let baselines: BTreeMap<String, RunResult> = matrix
            .baselines
            .par_iter()
            .map(|(p, scn)| run(scn).map(|r| (p.clone(), r)))
            .collect::<Result<_, _>>()?;
        let rows: Vec<CellRow> = matrix
            .cells
            .par_iter()
            .map(|cell| {
                let r = run(&matrix.scenario(cell))?;
                Ok(CellRow::measure(cell, &r, &baselines[&cell.protocol]))
            })
            .collect::<Result<_, Failure>>()?;
        Ok::<_, Failure>((baselines, rows))
    })?;
    let sim_s = t0.elapsed().as_secs_f64();
    let mut files =
        vec![output::write_file(&out.join("attacks.csv"), &csv_text(&rows)).map_err(Failure::run)?];
    files.extend(plots(&out, &name, &rows)?);
    let m = Manifest {
        authsim_version: manifest::VERSION.into(),
        git_commit: manifest::git_commit(),
        kind: Kind::Sweep,
        name: name.clone(),
        command: manifest::command_line(),
        inputs: vec![InputFile {
            path: a.file.display().to_string(),
            sha256: manifest::sha256_hex(&bytes),
        }],
        seed,
        run_seeds: vec![seed; baselines.len() + rows.len()],
        shard: None,
        jobs: a.jobs,
        threads_per_run: 1,
        started: started_at,
        finished: String::new(),
        files: Default::default(),
    };
    files.push(m.write(&out, &files)?);
    if !a.quiet {
        let injected: u64 = rows.iter().map(|r| r.row.injected).sum();
        eprintln!(
            "done: {} runs ({} cells and their baselines), {injected} adversary PDUs, in {sim_s:.3} s wall on {} jobs",
            rows.len() + baselines.len(),
            rows.len(),
            a.jobs
        );
        for f in files {
            eprintln!("  wrote {}", f.display());
        }
    }
    Ok(())
}

/// detection-matrix.png, amplification.png, amplification-crypto.png,
/// and for the classes run at several rates goodput-vs-rate.png and
/// latency-vs-rate.png.
fn plots(out: &Path, name: &str, rows: &[CellRow]) -> Result<Vec<PathBuf>, Failure> {
    let mut files = Vec::new();
    let plot_err = |e: authsim_plots::PlotError| Failure::RunFailed(e.to_string());
    let mut protocols: Vec<&str> = Vec::new();
    let mut columns: Vec<String> = Vec::new();
    for r in rows {
        if !protocols.contains(&r.protocol.as_str()) {
            protocols.push(&r.protocol);
        }
        if !columns.contains(&r.label) {
            columns.push(r.label.clone());
        }
    }
    // A cell run at several rates: detected over injected, all rates together.
    let share = |p: &str, c: &str| {
        let (d, n) = rows
            .iter()
            .filter(|r| r.protocol == p && r.label == c)
            .fold((0u64, 0u64), |(d, n), r| {
                (d + r.detected.min(r.row.injected), n + r.row.injected)
            });
        (n > 0).then(|| d as f64 / n as f64)
    };
    let values: Vec<Option<f64>> = protocols
        .iter()
        .flat_map(|p| columns.iter().map(move |c| (p, c)))
        .map(|(p, c)| share(p, c))
        .collect();
    let row_names: Vec<String> = protocols.iter().map(|p| p.to_string()).collect();
    let path = out.join("detection-matrix.png");
    authsim_plots::heat_map(
        &path,
        &HeatMap {
            title: &format!(
                "{name}: share of adversary PDUs detected (rejected or attack detected)"
            ),
            value_label: "detected / injected, all rates of a cell",
            rows: &row_names,
            columns: &columns,
            values: &values,
            range: (0.0, 1.0),
        },
    )
    .map_err(plot_err)?;
    files.push(path);
    // Amplification of the highest rate of each cell (the floods' worst case).
    let top: Vec<&CellRow> = rows
        .iter()
        .filter(|r| {
            !rows.iter().any(|o| {
                o.protocol == r.protocol
                    && o.label == r.label
                    && o.rate_per_s.unwrap_or(0.0) > r.rate_per_s.unwrap_or(0.0)
            })
        })
        .collect();
    for (file, what, pick) in [
        (
            "amplification.png",
            "network inputs (messages received) per adversary PDU",
            0usize,
        ),
        (
            "amplification-crypto.png",
            "crypto operations per adversary PDU",
            2,
        ),
    ] {
        let bars: Vec<Bar> = top
            .iter()
            .filter_map(|r| {
                let a = r.amplification()?;
                let v = [a.0, a.1, a.2][pick];
                Some(Bar::new(r.label.clone(), r.protocol.clone(), v))
            })
            .collect();
        let path = out.join(file);
        authsim_plots::grouped_bar_chart(
            &path,
            &format!("{name}: {what}, beyond the baseline (highest rate of each cell)"),
            what,
            &bars,
        )
        .map_err(plot_err)?;
        files.push(path);
    }
    // Goodput and latency against the rate, for cells run at several rates.
    let mut series_keys: Vec<(String, String)> = Vec::new();
    for r in rows {
        let k = (r.protocol.clone(), r.label.clone());
        let several = rows
            .iter()
            .filter(|o| o.protocol == r.protocol && o.label == r.label && o.rate_per_s.is_some())
            .count()
            > 1;
        if several && !series_keys.contains(&k) {
            series_keys.push(k);
        }
    }
    if series_keys.is_empty() {
        return Ok(files);
    }
    type Metric = fn(&CellRow) -> Option<f64>;
    let charts: [(&str, &str, &str, Metric); 2] = [
        (
            "goodput-vs-rate.png",
            "honest devices authenticated / baseline",
            "honest goodput against the attack rate",
            CellRow::goodput_share,
        ),
        (
            "latency-vs-rate.png",
            "honest attach latency p95 (ms)",
            "honest 95th percentile attach latency against the attack rate",
            |r| r.honest_p95_ms,
        ),
    ];
    for (file, y_label, what, metric) in charts {
        let series: Vec<Series> = series_keys
            .iter()
            .map(|(p, l)| {
                let pts = rows
                    .iter()
                    .filter(|r| &r.protocol == p && &r.label == l)
                    .filter_map(|r| Some((r.rate_per_s?, metric(r)?)))
                    .collect();
                Series::new(format!("{p} {l}"), pts)
            })
            .collect();
        let path = out.join(file);
        authsim_plots::line_chart(
            &path,
            &LineChart {
                title: &format!("{name}: {what}"),
                x_label: "adversary PDUs per second",
                y_label,
                x_scale: Scale::Log10,
                y_scale: Scale::Linear,
                series: &series,
                ..Default::default()
            },
        )
        .map_err(plot_err)?;
        files.push(path);
    }
    Ok(files)
}
