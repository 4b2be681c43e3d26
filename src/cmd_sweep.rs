//! `authsim sweep` and `authsim merge`.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Instant;

use authsim_sim::atomic_file::{remove_stale_temps, write_atomic};
use authsim_sim::journal::{JOURNAL_FILE, Journal, JournalHeader};
use authsim_sim::runner::RunOptions;
use authsim_sim::sweep::{
    RunError, RunPlan, Sweep, SweepFile, SweepFlags, parse_rows, parse_shard, run_blocks,
};
use clap::Args;
use indicatif::{ProgressBar, ProgressStyle};
use rayon::prelude::*;

use crate::Failure;
use crate::manifest::{self, InputFile, Kind, Manifest};
use crate::output;
use crate::signals;

#[derive(Args)]
pub struct SweepArgs {
    /// Sweep file (TOML with a [sweep] section).
    file: PathBuf,
    /// Output folder (default: out/<sweep name>-sweep).
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
    /// Root seed, overriding `sweep.seed` (run seeds derive from it).
    #[arg(long)]
    seed: Option<u64>,
    /// Replications per variant and point, overriding `sweep.replications`.
    #[arg(long, value_parser = clap::value_parser!(u32).range(1..))]
    replications: Option<u32>,
    /// No progress bar.
    #[arg(long)]
    quiet: bool,
    /// Continue an interrupted sweep from the journal in its output folder
    /// (refused if the sweep file, a variant file, the seeds or the binary changed).
    #[arg(long)]
    resume: bool,
    /// Write into a folder holding another scenario's results, or start over
    /// although it holds an interrupted sweep's journal.
    #[arg(long)]
    force: bool,
}

#[derive(Args)]
pub struct MergeArgs {
    /// Output folder for the merged results.
    #[arg(long)]
    out: PathBuf,
    /// Shard output folders.
    #[arg(required = true)]
    shards: Vec<PathBuf>,
    /// Write into a folder holding another scenario's results.
    #[arg(long)]
    force: bool,
}

/// An attack-matrix file (docs/threats.md): its own runner, since each cell
/// needs its same-seed baseline; the flags it cannot honour are refused.
fn matrix(a: &SweepArgs) -> Result<(), Failure> {
    let unsupported = [
        ("--shard", a.shard.is_some()),
        ("--set", !a.set.is_empty()),
        ("--pcap-dir", a.pcap_dir.is_some()),
        ("--seed", a.seed.is_some()),
        ("--replications", a.replications.is_some()),
        ("--resume", a.resume),
    ];
    if let Some((flag, _)) = unsupported.iter().find(|f| f.1) {
        return Err(Failure::BadInput(format!(
            "{}: an attack matrix takes no {flag} (edit its [attack_matrix] table)",
            a.file.display()
        )));
    }
    crate::cmd_attacks::run(crate::cmd_attacks::MatrixArgs {
        file: &a.file,
        out: a.out.clone(),
        jobs: a.jobs,
        quiet: a.quiet,
        force: a.force,
    })
}

fn default_jobs() -> usize {
    std::thread::available_parallelism().map_or(1, |n| n.get())
}

/// A storm run's `goodput.csv` as `goodput/run-<index>.csv` in the sweep's
/// folder (index as in runs.csv), written before the run is journaled so a
/// resumed sweep has every finished run's series; the `goodput_over_time`
/// plots read them.
fn write_goodput(
    out: &Path,
    index: usize,
    r: &authsim_sim::report::RunResult,
) -> Result<(), authsim_sim::atomic_file::AtomicWriteError> {
    if !r.storm {
        return Ok(());
    }
    let dir = out.join(output::GOODPUT_DIR);
    std::fs::create_dir_all(&dir).map_err(|source| authsim_sim::atomic_file::AtomicWriteError {
        path: dir.clone(),
        source,
    })?;
    let csv = authsim_sim::storm::goodput_csv(r);
    write_atomic(&dir.join(format!("run-{index}.csv")), csv.as_bytes())
}

/// Runs the sweep's runs (those of `shard`), journaling each as it finishes.
pub fn sweep(a: SweepArgs) -> Result<(), Failure> {
    let started_at = manifest::now();
    let shard = a
        .shard
        .as_deref()
        .map(parse_shard)
        .transpose()
        .map_err(Failure::input)?;
    if a.jobs == 0 {
        return Err(Failure::BadInput("--jobs must be at least 1".into()));
    }
    if crate::cmd_attacks::is_matrix_file(&a.file) {
        return matrix(&a);
    }
    let flags = SweepFlags {
        seed: a.seed,
        replications: a.replications,
    };
    let sweep = Sweep::load_with(&a.file, &a.set, flags).map_err(Failure::input)?;
    let out = a
        .out
        .clone()
        .unwrap_or_else(|| default_out(&sweep.file.name));
    manifest::claim_folder(&out, Kind::Sweep, &sweep.file.name, a.force)?;
    std::fs::create_dir_all(&out)
        .map_err(|e| Failure::RunFailed(format!("cannot create {}: {e}", out.display())))?;
    // Leftovers of a process killed while writing an output.
    remove_stale_temps(&out)
        .map_err(|e| Failure::RunFailed(format!("cannot clean {}: {e}", out.display())))?;
    let header = journal_header(&sweep, &a.file, &a.set, a.shard.as_deref());
    let (journal, mut done) = open_journal(&out, &header, &a)?;
    let all_plans = sweep.shard(shard);
    if let Some(run) = done
        .keys()
        .find(|r| !all_plans.iter().any(|p| p.index == **r))
    {
        return Err(Failure::BadInput(format!(
            "{}: run {run} is not a run of this sweep{}",
            journal.path().display(),
            a.shard
                .as_deref()
                .map_or(String::new(), |s| format!(" shard {s}"))
        )));
    }
    let plans: Vec<&RunPlan> = all_plans
        .iter()
        .copied()
        .filter(|p| !done.contains_key(&p.index))
        .collect();
    if !done.is_empty() {
        eprintln!(
            "resuming: {} of {} runs already done ({})",
            done.len(),
            all_plans.len(),
            journal.path().display()
        );
    }
    let journal = Arc::new(Mutex::new(journal));
    let resume = signals::resume_command(&manifest::command_line());
    let stop = signals::install(journal.clone(), resume.clone())?;
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
    // Runs already share the cores (--jobs): each keeps to one thread.
    let opts = RunOptions {
        trace: a.pcap_dir.is_some(),
        threads: 1,
        // Sweep runs are small and many: returning memory after each cost
        // time (measured) and saves nothing that matters.
        release_freed_memory: None,
    };
    let started = Instant::now();
    let failed = AtomicBool::new(false);
    // Results are collected in plan order, whatever the number of threads.
    let results: Vec<Result<String, RunFailure>> = pool.install(|| {
        plans
            .par_iter()
            .map(|p| {
                if failed.load(Ordering::Relaxed) || stop.load(Ordering::SeqCst) {
                    return Err(RunFailure::NotStarted);
                }
                let r = sweep
                    .run_one_with(p, &opts)
                    .and_then(|(rows, result)| {
                        write_goodput(&out, p.index, &result).map_err(|e| RunError::Failed {
                            index: p.index,
                            label: sweep.file.sweep.variants[p.variant].label.clone(),
                            message: e.to_string(),
                        })?;
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
                    })
                    .map_err(|e| RunFailure::Failed(Failure::run(e)))
                    .and_then(|rows| {
                        let mut j = journal.lock().unwrap_or_else(|e| e.into_inner());
                        j.append(p.index, &rows)
                            .map(|()| rows)
                            .map_err(|e| RunFailure::Failed(Failure::run(e)))
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
    let mut stopped = false;
    for (plan, r) in plans.iter().zip(results) {
        match r {
            Ok(rows) => {
                done.insert(plan.index, rows);
            }
            Err(RunFailure::Failed(f)) => return Err(f),
            Err(RunFailure::NotStarted) => stopped = true,
        }
    }
    let journal_path = out.join(JOURNAL_FILE);
    if stopped {
        return Err(Failure::Stopped(format!(
            "{} of {} runs done and kept in {}; resume with:\n  {resume}",
            done.len(),
            all_plans.len(),
            journal_path.display()
        )));
    }
    let mut runs = sweep.runs_header();
    for p in &all_plans {
        runs.push_str(&done[&p.index]);
    }
    write(&out.join("sweep.toml"), &sweep.text)?;
    let mut files = vec![out.join("sweep.toml")];
    match shard {
        Some((k, n)) => {
            write(&out.join("runs.csv"), &runs)?;
            write(
                &out.join("shard.txt"),
                &format!("shard {k}/{n} of {} runs\n", sweep.runs.len()),
            )?;
            files.extend([out.join("runs.csv"), out.join("shard.txt")]);
        }
        None => files.extend(finish(&sweep.file, &out, &runs)?),
    };
    let mut inputs = vec![InputFile::of_text(&a.file, &sweep.text)];
    for (path, text) in &sweep.variant_files {
        let f = InputFile::of_text(path, text);
        if !inputs.contains(&f) {
            inputs.push(f);
        }
    }
    let m = Manifest {
        authsim_version: manifest::VERSION.into(),
        git_commit: manifest::git_commit(),
        kind: Kind::Sweep,
        name: sweep.file.name.clone(),
        command: manifest::command_line(),
        inputs,
        seed: sweep.file.sweep.seed,
        run_seeds: all_plans.iter().map(|p| p.seed).collect(),
        shard: a.shard.clone(),
        jobs: a.jobs,
        threads_per_run: 1,
        started: started_at,
        finished: String::new(),
        files: Default::default(),
    };
    let manifest_path = m.write(&out, &files)?;
    // Every output is in place: the checkpoint has served its purpose.
    std::fs::remove_file(&journal_path).map_err(|e| {
        Failure::RunFailed(format!("cannot remove {}: {e}", journal_path.display()))
    })?;
    if !a.quiet {
        eprintln!(
            "done: {} runs in {:.2} s wall with {} jobs",
            plans.len(),
            started.elapsed().as_secs_f64(),
            a.jobs
        );
        for f in files.iter().chain([&manifest_path]) {
            eprintln!("  wrote {}", f.display());
        }
    }
    Ok(())
}

/// Why a planned run gave no rows.
enum RunFailure {
    /// It failed, or its journal record could not be written.
    Failed(Failure),
    /// Not started: an earlier run failed, or a stop was requested.
    NotStarted,
}

/// A sweep's default folder: distinct from a run's `out/<name>`, so a
/// scenario and a sweep of the same name never mix their files.
pub fn default_out(name: &str) -> PathBuf {
    PathBuf::from("out").join(format!("{name}-sweep"))
}

/// What the sweep is, for the journal: a resume must find the same.
fn journal_header(
    sweep: &Sweep,
    file: &Path,
    overrides: &[String],
    shard: Option<&str>,
) -> JournalHeader {
    let mut seeds = Vec::with_capacity(sweep.runs.len() * 8);
    for r in &sweep.runs {
        seeds.extend_from_slice(&r.seed.to_le_bytes());
    }
    // Named as the sweep file names them (relative to it), so a resume from
    // another working folder or through another path to the sweep file matches.
    let mut variant_files: Vec<(String, String)> = Vec::new();
    for (v, (_, text)) in sweep.file.sweep.variants.iter().zip(&sweep.variant_files) {
        let f = (
            v.scenario.display().to_string(),
            manifest::sha256_hex(text.as_bytes()),
        );
        if !variant_files.contains(&f) {
            variant_files.push(f);
        }
    }
    JournalHeader {
        authsim_version: manifest::VERSION.into(),
        git_commit: manifest::git_commit(),
        sweep_file: file.display().to_string(),
        sweep_sha256: manifest::sha256_hex(sweep.text.as_bytes()),
        variant_files,
        overrides: overrides.to_vec(),
        seed: sweep.file.sweep.seed,
        run_seeds_sha256: manifest::sha256_hex(&seeds),
        runs: sweep.runs.len(),
        shard: shard.map(str::to_string),
    }
}

/// Opens the journal of `out` to resume, or starts one; returns it and the
/// runs it already holds.
fn open_journal(
    out: &Path,
    header: &JournalHeader,
    a: &SweepArgs,
) -> Result<(Journal, BTreeMap<usize, String>), Failure> {
    let path = out.join(JOURNAL_FILE);
    let create = || Journal::create(&path, header).map_err(Failure::run);
    if !path.exists() {
        if a.resume && !a.quiet {
            eprintln!(
                "no journal in {}: starting from the beginning",
                out.display()
            );
        }
        return Ok((create()?, BTreeMap::new()));
    }
    if !a.resume {
        if a.force {
            return Ok((create()?, BTreeMap::new()));
        }
        return Err(Failure::BadInput(format!(
            "{} holds the journal of an interrupted sweep: add --resume to continue it, or --force to start over",
            out.display()
        )));
    }
    let (journal, recovered) = Journal::open(&path).map_err(|e| {
        Failure::BadInput(format!(
            "cannot resume: {e} (--force without --resume starts over)"
        ))
    })?;
    if recovered.truncated > 0 {
        eprintln!(
            "{}: cut off a torn last record ({} octets) left by an interruption",
            path.display(),
            recovered.truncated
        );
    }
    let Some(old) = recovered.header else {
        return Ok((create()?, BTreeMap::new()));
    };
    let diff = old.differences(header);
    if !diff.is_empty() {
        return Err(Failure::BadInput(format!(
            "cannot resume the sweep in {}: {}. Run without --resume and with --force to start over",
            out.display(),
            diff.join("; ")
        )));
    }
    Ok((journal, recovered.runs.into_iter().collect()))
}

fn write(path: &Path, text: &str) -> Result<(), Failure> {
    write_atomic(path, text.as_bytes()).map_err(Failure::run)
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
    // The storm runs' goodput series (written as each run finished).
    let mut indices: Vec<usize> = rows.iter().map(|r| r.run).collect();
    indices.dedup();
    files.extend(
        indices
            .into_iter()
            .map(|i| out.join(output::GOODPUT_DIR).join(format!("run-{i}.csv")))
            .filter(|p| p.is_file()),
    );
    Ok(files)
}

/// Copies the shards' `goodput/run-<index>.csv` files into the merged folder.
fn merge_goodput(shards: &[PathBuf], out: &Path) -> Result<(), Failure> {
    for dir in shards {
        let from = dir.join(output::GOODPUT_DIR);
        let Ok(entries) = std::fs::read_dir(&from) else {
            continue;
        };
        let mut names: Vec<_> = entries
            .filter_map(|e| e.ok().map(|e| e.file_name()))
            .collect();
        names.sort();
        std::fs::create_dir_all(out.join(output::GOODPUT_DIR)).map_err(Failure::run)?;
        for name in names {
            let bytes = std::fs::read(from.join(&name)).map_err(Failure::run)?;
            write_atomic(&out.join(output::GOODPUT_DIR).join(&name), &bytes)
                .map_err(Failure::run)?;
        }
    }
    Ok(())
}

pub fn merge(a: MergeArgs) -> Result<(), Failure> {
    let started_at = manifest::now();
    let mut inputs = Vec::new();
    let mut text: Option<String> = None;
    let mut blocks: Vec<(usize, String)> = Vec::new();
    for dir in &a.shards {
        let t = std::fs::read_to_string(dir.join("sweep.toml"))
            .map_err(|e| Failure::BadInput(format!("{}: no sweep.toml ({e})", dir.display())))?;
        inputs.push(InputFile::of_text(&dir.join("sweep.toml"), &t));
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
        inputs.push(InputFile::of_text(&dir.join("runs.csv"), &runs));
        // The axes say how many columns a run row has.
        let file: SweepFile = toml::from_str(text.as_deref().unwrap_or_default())
            .map_err(|e| Failure::BadInput(format!("{}: {e}", dir.join("sweep.toml").display())))?;
        // Records, not lines: a quoted label may hold a line break.
        let shard = run_blocks(&runs, file.sweep.axes.len())
            .map_err(|e| Failure::BadInput(format!("{}: {e}", dir.display())))?;
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
    manifest::claim_folder(&a.out, Kind::Sweep, &file.name, a.force)?;
    std::fs::create_dir_all(&a.out).map_err(Failure::run)?;
    write(&a.out.join("sweep.toml"), &text)?;
    let mut files = vec![a.out.join("sweep.toml")];
    merge_goodput(&a.shards, &a.out)?;
    files.extend(finish(&file, &a.out, &runs)?);
    let m = Manifest {
        authsim_version: manifest::VERSION.into(),
        git_commit: manifest::git_commit(),
        kind: Kind::Sweep,
        name: file.name.clone(),
        command: manifest::command_line(),
        inputs,
        seed: file.sweep.seed,
        // The shards' manifests list their runs' seeds.
        run_seeds: Vec::new(),
        shard: None,
        jobs: 1,
        threads_per_run: 1,
        started: started_at,
        finished: String::new(),
        files: Default::default(),
    };
    files.push(m.write(&a.out, &files)?);
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
