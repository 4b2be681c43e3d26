//! authsim: command-line front end.
//!
//! Exit codes: 0 success, 1 the run failed (or `verify` found a difference),
//! 2 bad input (scenario, flags, hex), 130 a sweep stopped by Ctrl-C / SIGTERM.

mod cmd_attacks;
mod cmd_calibrate;
mod cmd_milenage;
mod cmd_milenage_5g;
mod cmd_report;
mod cmd_run;
mod cmd_suci;
mod cmd_sweep;
mod cmd_validate;
mod cmd_verify;
mod manifest;
mod output;
mod report_threats;
mod signals;

use std::process::ExitCode;

use clap::{Parser, Subcommand};

/// mimalloc: the engine allocates and frees millions of small PDUs and contexts;
/// glibc malloc fragments under that load (measured: 10^6-device runs spent >12 %
/// in malloc/free and slowed superlinearly). The `mimalloc` feature (default)
/// switches it; without it heap profilers see every allocation.
#[cfg(feature = "mimalloc")]
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

/// Returns the memory the allocator holds freed to the OS now (between a
/// run's simulation and its result tables; `RunOptions::release_freed_memory`).
fn release_freed_memory() {
    // SAFETY: `mi_collect` takes no pointer; it only walks mimalloc's own
    // heaps and arenas, and any thread may call it at any time.
    #[cfg(feature = "mimalloc")]
    unsafe {
        libmimalloc_sys::mi_collect(true);
    }
}

#[derive(Parser)]
#[command(
    name = "authsim",
    version,
    about = "Discrete-event simulator of what authentication costs cellular and IoT networks"
)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Run a scenario and write CSV, JSON and PNG results.
    Run(cmd_run::RunArgs),
    /// Run a sweep: several protocol variants over axes of values, with replications.
    Sweep(cmd_sweep::SweepArgs),
    /// Merge the outputs of sweep shards into the files an unsharded sweep writes.
    Merge(cmd_sweep::MergeArgs),
    /// Check an output folder against its manifest.json (SHA-256 of every file).
    Verify(cmd_verify::VerifyArgs),
    /// Run the shipped sweeps and write docs/results.md from their CSV files (--check: compare).
    Report(cmd_report::ReportArgs),
    /// Check a scenario or sweep file without running it (a sweep: every variant at every axis value).
    Validate(cmd_validate::ValidateArgs),
    /// List protocols, their nodes and parameters, and the scenario keys.
    List,
    /// Compute Milenage outputs (TS 35.206) and optionally K_ASME as JSON.
    Milenage(cmd_milenage::MilenageArgs),
    /// Conceal a SUPI into a SUCI (TS 33.501 Annex C, profile A or B), or de-conceal one.
    Suci(cmd_suci::SuciArgs),
    /// Measure this machine's cost per crypto primitive; write a profile snippet.
    Calibrate(cmd_calibrate::CalibrateArgs),
}

/// A failure with the exit code it maps to.
#[derive(Debug, thiserror::Error)]
pub enum Failure {
    /// Bad input (scenario, flags, hex): exit code 2.
    #[error("{0}")]
    BadInput(String),
    /// The run failed: exit code 1.
    #[error("run failed: {0}")]
    RunFailed(String),
    /// `verify` found files that differ from the manifest: exit code 1.
    #[error("verification failed: {0}")]
    Mismatch(String),
    /// Stopped by a signal, resumable: exit code 130.
    #[error("stopped: {0}")]
    Stopped(String),
}

impl Failure {
    /// Bad input, described by `e`.
    pub fn input(e: impl std::fmt::Display) -> Self {
        Failure::BadInput(e.to_string())
    }

    /// A failed run, described by `e`.
    pub fn run(e: impl std::fmt::Display) -> Self {
        Failure::RunFailed(e.to_string())
    }

    fn exit_code(&self) -> u8 {
        match self {
            Failure::BadInput(_) => 2,
            Failure::RunFailed(_) | Failure::Mismatch(_) => 1,
            Failure::Stopped(_) => signals::STOPPED_EXIT,
        }
    }
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    let result = match cli.command {
        Command::Run(args) => cmd_run::run(args),
        Command::Sweep(args) => cmd_sweep::sweep(args),
        Command::Merge(args) => cmd_sweep::merge(args),
        Command::Verify(args) => cmd_verify::verify(args),
        Command::Validate(args) => cmd_validate::validate(args),
        Command::Report(args) => cmd_report::report(args),
        Command::List => {
            cmd_run::list();
            Ok(())
        }
        Command::Milenage(args) => cmd_milenage::run(args),
        Command::Suci(args) => cmd_suci::run(args),
        Command::Calibrate(args) => cmd_calibrate::run(args),
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(failure) => {
            eprintln!("error: {failure}");
            ExitCode::from(failure.exit_code())
        }
    }
}
