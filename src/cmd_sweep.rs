//! `authsim sweep` and `authsim merge`.

use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Instant;

use authsim_sim::sweep::{
    RunError, Sweep, SweepFile, SweepFlags, parse_rows, parse_shard, run_blocks,
};
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
    /// Root seed, overriding `sweep.seed` (run seeds derive from it).
    #[arg(long)]
    seed: Option<u64>,
    /// Replications per variant and point, overriding `sweep.replications`.
    #[arg(long, value_parser = clap::value_parser!(u32).range(1..))]
    replications: Option<u32>,
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
    let flags = SweepFlags {
        seed: a.seed,
        replications: a.replications,
    };
    let sweep = Sweep::load_with(&a.file, &a.set, flags).map_err(Failure::input)?;
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
                let r = sweep.run_one(p);
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
        let missing: Vec<usize> = (0..expected).filter(|i| !indices.contains(i)).collect();
        return Err(Failure::BadInput(format!(
            "shards do not cover the sweep exactly once: {} run blocks for {expected} runs, {} missing{}",
            indices.len(),
            missing.len(),
            missing_shards(&a.shards, &missing)
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

/// Names the shards that hold the `missing` runs, from the `shard k/N`
/// line every shard folder's shard.txt carries (run i belongs to shard
/// i mod N + 1): ": shard 2/4 (runs 1, 5, 9, ...) not given".
fn missing_shards(dirs: &[PathBuf], missing: &[usize]) -> String {
    let count = |dir: &PathBuf| -> Option<usize> {
        let t = std::fs::read_to_string(dir.join("shard.txt")).ok()?;
        let spec = t.strip_prefix("shard ")?.split_whitespace().next()?;
        parse_shard(spec).ok().map(|(_, n)| n)
    };
    let counts: Vec<Option<usize>> = dirs.iter().map(count).collect();
    let n = match counts.first() {
        Some(Some(n)) if counts.iter().all(|c| *c == Some(*n)) => *n,
        _ => {
            let shown: Vec<String> = missing.iter().take(10).map(|i| i.to_string()).collect();
            let more = if missing.len() > 10 { ", ..." } else { "" };
            return format!(" (runs {}{more})", shown.join(", "));
        }
    };
    let mut by_shard: std::collections::BTreeMap<usize, Vec<usize>> = Default::default();
    for &i in missing {
        by_shard.entry(i % n + 1).or_default().push(i);
    }
    let parts: Vec<String> = by_shard
        .iter()
        .map(|(k, runs)| {
            let shown: Vec<String> = runs.iter().take(5).map(|i| i.to_string()).collect();
            let more = if runs.len() > 5 { ", ..." } else { "" };
            format!("shard {k}/{n} (runs {}{more})", shown.join(", "))
        })
        .collect();
    format!(": not given: {}", parts.join("; "))
}
