//! `authsim sweep` and `authsim merge`.

use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Instant;

use authsim_sim::runner::RunOptions;
use authsim_sim::sweep::{RunError, Sweep, SweepFile, parse_rows, parse_shard, run_blocks};
use clap::Args;
use indicatif::{ProgressBar, ProgressStyle};
use rayon::prelude::*;

use crate::Failure;
use crate::output;

#[derive(Args)]
pub struct SweepArgs {
    /// Sweep file (TOML with a [sweep] section).
    file: PathBuf,
    /// Output folder (default: out/<sweep name>).
    #[arg(long)]
    out: Option<PathBuf>,
    /// Parallel runs (each run is single-threaded); results do not depend on it.
    #[arg(long, default_value_t = default_jobs())]
    jobs: usize,
    /// Run only shard k of N (1-based), e.g. 2/4; `authsim merge` joins shards.
    #[arg(long)]
    shard: Option<String>,
    /// Override a value in every variant's scenario: path.to.key=value (repeatable).
    #[arg(long = "set", value_name = "PATH=VALUE")]
    set: Vec<String>,
    /// Also write each run's transmissions as DIR/run-<index>.pcapng (index as
    /// in runs.csv; docs/wireshark.md). Meant for small sweeps.
    #[arg(long, value_name = "DIR")]
    pcap_dir: Option<PathBuf>,
    /// No progress bar.
    #[arg(long)]
    quiet: bool,
}

#[derive(Args)]
pub struct MergeArgs {
    /// Output folder for the merged results.
    #[arg(long)]
    out: PathBuf,
    /// Shard output folders.
    #[arg(required = true)]
    shards: Vec<PathBuf>,
}

fn default_jobs() -> usize {
    std::thread::available_parallelism().map_or(1, |n| n.get())
}

pub fn sweep(a: SweepArgs) -> Result<(), Failure> {
    let shard = a
        .shard
        .as_deref()
        .map(parse_shard)
        .transpose()
        .map_err(Failure::input)?;
    if a.jobs == 0 {
        return Err(Failure::BadInput("--jobs must be at least 1".into()));
    }
    let sweep = Sweep::load(&a.file, &a.set).map_err(Failure::input)?;
    let out = a
        .out
        .clone()
        .unwrap_or_else(|| PathBuf::from("out").join(&sweep.file.name));
    let plans = sweep.shard(shard);
    let pool = rayon::ThreadPoolBuilder::new()
        .num_threads(a.jobs)
        .build()
        .map_err(Failure::run)?;
    let bar = if a.quiet {
        ProgressBar::hidden()
    } else {
        ProgressBar::new(plans.len() as u64)
    };
    bar.set_style(
        ProgressStyle::with_template("{msg} [{bar:30}] {pos}/{len} runs, {per_sec}, ETA {eta}")
            .unwrap_or_else(|_| ProgressStyle::default_bar())
            .progress_chars("=> "),
    );
    bar.set_message(sweep.file.name.clone());
    if let Some(dir) = &a.pcap_dir {
        std::fs::create_dir_all(dir)
            .map_err(|e| Failure::RunFailed(format!("cannot create {}: {e}", dir.display())))?;
    }
    let opts = RunOptions {
        trace: a.pcap_dir.is_some(),
    };
    let started = Instant::now();
    let failed = AtomicBool::new(false);
    // Results are collected in plan order, whatever the number of threads.
    let results: Vec<Result<String, RunError>> = pool.install(|| {
        plans
            .par_iter()
            .map(|p| {
                if failed.load(Ordering::Relaxed) {
                    return Err(RunError::Skipped);
                }
                let r = sweep.run_one_with(p, &opts).and_then(|(rows, result)| {
                    let Some(dir) = &a.pcap_dir else {
                        return Ok(rows);
                    };
                    let path = dir.join(format!("run-{}.pcapng", p.index));
                    output::write_pcap(&path, &result)
                        .map(|_| rows)
                        .map_err(|e| RunError::Failed {
                            index: p.index,
                            label: sweep.file.sweep.variants[p.variant].label.clone(),
                            message: e.to_string(),
                        })
                });
                if r.is_err() {
                    failed.store(true, Ordering::Relaxed);
                }
                bar.inc(1);
                r
            })
            .collect()
    });
    bar.finish_and_clear();
    let mut runs = sweep.runs_header();
    for r in results {
        runs.push_str(&r.map_err(Failure::run)?);
    }
    std::fs::create_dir_all(&out)
        .map_err(|e| Failure::RunFailed(format!("cannot create {}: {e}", out.display())))?;
    write(&out.join("sweep.toml"), &sweep.text)?;
    let files = match shard {
        Some((k, n)) => {
            write(&out.join("runs.csv"), &runs)?;
            write(
                &out.join("shard.txt"),
                &format!("shard {k}/{n} of {} runs\n", sweep.runs.len()),
            )?;
            vec![out.join("runs.csv")]
        }
        None => finish(&sweep.file, &out, &runs)?,
    };
    if !a.quiet {
        eprintln!(
            "done: {} runs in {:.2} s wall with {} jobs",
            plans.len(),
            started.elapsed().as_secs_f64(),
            a.jobs
        );
        for f in files {
            eprintln!("  wrote {}", f.display());
        }
    }
    Ok(())
}

fn write(path: &Path, text: &str) -> Result<(), Failure> {
    std::fs::write(path, text)
        .map_err(|e| Failure::RunFailed(format!("cannot write {}: {e}", path.display())))
}

/// Writes runs.csv and everything derived from it.
fn finish(file: &SweepFile, out: &Path, runs: &str) -> Result<Vec<PathBuf>, Failure> {
    write(&out.join("runs.csv"), runs)?;
    let rows = parse_rows(runs, file.sweep.axes.len()).map_err(Failure::run)?;
    write(&out.join("summary.csv"), &file.summary_csv(&rows))?;
    let mut files = vec![out.join("runs.csv"), out.join("summary.csv")];
    if !file.sweep.compare.is_empty() {
        write(&out.join("improvements.csv"), &file.improvements_csv(&rows))?;
        files.push(out.join("improvements.csv"));
    }
    files.extend(output::sweep_plots(out, file, &rows).map_err(Failure::run)?);
    Ok(files)
}

pub fn merge(a: MergeArgs) -> Result<(), Failure> {
    let mut text: Option<String> = None;
    let mut blocks: Vec<(usize, String)> = Vec::new();
    for dir in &a.shards {
        let t = std::fs::read_to_string(dir.join("sweep.toml"))
            .map_err(|e| Failure::BadInput(format!("{}: no sweep.toml ({e})", dir.display())))?;
        match &text {
            None => text = Some(t),
            Some(first) if *first != t => {
                return Err(Failure::BadInput(format!(
                    "{}: a shard of a different sweep",
                    dir.display()
                )));
            }
            _ => {}
        }
        let runs = std::fs::read_to_string(dir.join("runs.csv"))
            .map_err(|e| Failure::BadInput(format!("{}: no runs.csv ({e})", dir.display())))?;
        // Records, not lines: a quoted label may hold a line break.
        let shard =
            run_blocks(&runs).map_err(|e| Failure::BadInput(format!("{}: {e}", dir.display())))?;
        for (run, block) in shard {
            match blocks.last_mut() {
                Some((r, b)) if *r == run => b.push_str(&block),
                _ => blocks.push((run, block)),
            }
        }
    }
    let text = text.ok_or_else(|| Failure::BadInput("no shards given".into()))?;
    let file: SweepFile =
        toml::from_str(&text).map_err(|e| Failure::BadInput(format!("sweep.toml: {e}")))?;
    blocks.sort_by_key(|b| b.0);
    let expected = file.run_count();
    let indices: Vec<usize> = blocks.iter().map(|b| b.0).collect();
    if indices != (0..expected).collect::<Vec<_>>() {
        let missing = (0..expected).filter(|i| !indices.contains(i)).count();
        return Err(Failure::BadInput(format!(
            "shards do not cover the sweep exactly once: {} run blocks for {expected} runs, {missing} missing",
            indices.len()
        )));
    }
    let mut runs = file.runs_header();
    for (_, b) in blocks {
        runs.push_str(&b);
    }
    std::fs::create_dir_all(&a.out).map_err(Failure::run)?;
    write(&a.out.join("sweep.toml"), &text)?;
    let files = finish(&file, &a.out, &runs)?;
    for f in files {
        eprintln!("  wrote {}", f.display());
    }
    Ok(())
}
