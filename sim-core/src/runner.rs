//! Runs one scenario (one seed) and turns node reports into a result.

use std::sync::Arc;
use std::sync::atomic::AtomicU64;
use std::time::Instant;

use authsim_protocols::core::Nanos;

use crate::build::BuildError;
use crate::engine::{self, EngineError, RunOutput};
use crate::node::NodeSetup;
use crate::report::RunResult;
use crate::scenario::{Scenario, seconds};

/// Options that do not change results.
#[derive(Clone, Debug, Default)]
pub struct RunOptions {
    /// Collect one trace line per transmission.
    pub trace: bool,
    /// Threads a node with independent endpoints may use inside one window
    /// (0 or 1: none besides the engine's own). Results are the same for any
    /// number.
    pub threads: usize,
    /// Called once the engine has dropped the nodes, before the result
    /// tables are built: the CLI passes its allocator's "return freed memory
    /// now". mimalloc returns freed blocks to the OS only on later allocator
    /// calls, and turning records into rows makes none, so without it a
    /// 10^7-device run held the freed device state and the new tables at once
    /// (peak 4.3–5.1 GiB instead of 3.4; docs/performance.md).
    pub release_freed_memory: Option<fn()>,
}

/// How long the run took and how big it got (not part of the results).
#[derive(Clone, Debug, Default)]
pub struct Perf {
    /// Building the nodes (keys, arrivals), wall seconds.
    pub build_s: f64,
    /// The simulation itself, wall seconds.
    pub sim_s: f64,
    pub inputs: u64,
    pub deliveries: u64,
    /// Inputs handled apart on a node's threads (`RunOptions::threads`).
    pub handled_apart: u64,
    /// Summed over nodes: the most inputs pending and timer entries held at
    /// once (what the engine's memory grows with; 0 for the per-message
    /// engine's pending inputs, which nexosim holds).
    pub peak_pending: u64,
    pub peak_timer_entries: u64,
}

/// Why a run produced no result: its nodes could not be built, or the
/// engine stopped it (an unroutable message, a nexosim failure).
#[derive(Debug, thiserror::Error)]
pub enum RunError {
    #[error(transparent)]
    Build(#[from] BuildError),
    #[error(transparent)]
    Engine(#[from] EngineError),
}

pub fn run(scn: &Scenario, seed: u64, opts: &RunOptions) -> Result<(RunResult, Perf), RunError> {
    run_on(scn, seed, opts, |setups, until| {
        engine::run_threads(setups, until, opts.threads)
    })
}

/// [`run`] on a given engine (both engines give identical results; tests
/// compare them).
#[cfg(feature = "oracle")]
pub fn run_with_engine(
    scn: &Scenario,
    seed: u64,
    opts: &RunOptions,
    engine: engine::Engine,
) -> Result<(RunResult, Perf), RunError> {
    run_on(scn, seed, opts, |setups, until| {
        engine::run_with(setups, until, engine)
    })
}

fn run_on(
    scn: &Scenario,
    seed: u64,
    opts: &RunOptions,
    engine: impl FnOnce(Vec<NodeSetup>, Option<Nanos>) -> Result<RunOutput, EngineError>,
) -> Result<(RunResult, Perf), RunError> {
    let t0 = Instant::now();
    let (mut setups, rach) = scn.build_run(seed)?;
    let names: Vec<(String, String)> = setups
        .iter()
        .map(|s| (s.name.clone(), s.profile.name.clone()))
        .collect();
    let servers: Vec<u32> = setups
        .iter()
        .map(|s| match s.service {
            crate::node::Service::Fifo { servers } => servers,
            crate::node::Service::PerEndpoint => 0,
        })
        .collect();
    if opts.trace {
        let seq = Arc::new(AtomicU64::new(0));
        for s in &mut setups {
            s.trace = Some(seq.clone());
        }
    }
    for s in &mut setups {
        s.attribute = scn.outputs.storm;
    }
    let build_s = t0.elapsed().as_secs_f64();
    let t1 = Instant::now();
    let out = engine(setups, scn.run.until_s.map(seconds))?;
    let sim_s = t1.elapsed().as_secs_f64();
    // The run ends with the last input served, not with a stale timer wake-up.
    let end_time = match scn.run.until_s {
        Some(_) => out.end_time,
        None => out.reports.iter().map(|r| r.last_finish).max().unwrap_or(0),
    };
    if let Some(release) = opts.release_freed_memory {
        release();
    }
    let mut result = RunResult::from_reports(scn, seed, &names, &servers, out.reports, end_time);
    result.rach = rach.map(|s| s.lock().unwrap_or_else(|p| p.into_inner()).clone());
    let deliveries = result.messages.iter().map(|m| m.counters.deliveries).sum();
    Ok((
        result,
        Perf {
            build_s,
            sim_s,
            inputs: out.inputs,
            deliveries,
            handled_apart: out.handled_apart,
            peak_pending: out.peak_pending,
            peak_timer_entries: out.peak_timer_entries,
        },
    ))
}

/// Peak resident memory of this process in bytes (Linux), if known.
pub fn peak_rss_bytes() -> Option<u64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let line = status.lines().find(|l| l.starts_with("VmHWM:"))?;
    let kb: u64 = line.split_whitespace().nth(1)?.parse().ok()?;
    Some(kb * 1024)
}
