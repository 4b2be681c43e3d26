//! `authsim run`, `validate` and `list`.

use std::path::{Path, PathBuf};

use authsim_sim::protocols::PROTOCOLS;
use authsim_sim::runner::{self, RunOptions, peak_rss_bytes};
use authsim_sim::scenario::Scenario;
use clap::Args;

use crate::Failure;
use crate::output;

#[derive(Args)]
pub struct RunArgs {
    /// Scenario file (TOML).
    file: PathBuf,
    /// Output folder (default: out/<scenario name>).
    #[arg(long)]
    out: Option<PathBuf>,
    /// Seed, overriding `run.seed`.
    #[arg(long)]
    seed: Option<u64>,
    /// Override a scenario value: path.to.key=value (repeatable).
    #[arg(long = "set", value_name = "PATH=VALUE")]
    set: Vec<String>,
    /// Write one line per transmitted message (time, from, to, interface, kind, bytes, hex PDU).
    #[arg(long)]
    trace: Option<PathBuf>,
    /// No progress or performance report on stderr.
    #[arg(long)]
    quiet: bool,
}

fn load(file: &Path, set: &[String]) -> Result<Scenario, Failure> {
    Scenario::load(file, set).map_err(|e| Failure::BadInput(e.to_string()))
}

pub fn validate(file: &Path, set: &[String]) -> Result<(), Failure> {
    let scn = load(file, set)?;
    println!(
        "{}: ok (scenario `{}`, protocol `{}`, {} devices)",
        file.display(),
        scn.name,
        scn.protocol.name(),
        scn.population.devices
    );
    Ok(())
}

pub fn run(a: RunArgs) -> Result<(), Failure> {
    let scn = load(&a.file, &a.set)?;
    let seed = a.seed.unwrap_or(scn.run.seed);
    let out = a
        .out
        .clone()
        .unwrap_or_else(|| PathBuf::from("out").join(&scn.name));
    if !a.quiet {
        eprintln!(
            "running `{}` ({}, {} devices, seed {seed})...",
            scn.name,
            scn.protocol.name(),
            scn.population.devices
        );
    }
    let opts = RunOptions {
        trace: a.trace.is_some(),
    };
    let (result, perf) = runner::run(&scn, seed, &opts).map_err(Failure::RunFailed)?;
    let files =
        output::write_run(&out, &scn, &result, a.trace.as_deref()).map_err(Failure::RunFailed)?;
    if !a.quiet {
        let sim_s = result.end_time as f64 / 1e9;
        eprintln!(
            "done: {} devices, {} inputs handled, {} deliveries, simulated {:.3} s in {:.3} s wall (+{:.3} s setup): {:.0} events/s, {:.1} simulated s per wall s, peak memory {}",
            result.devices,
            perf.inputs,
            perf.deliveries,
            sim_s,
            perf.sim_s,
            perf.build_s,
            (perf.inputs + perf.deliveries) as f64 / perf.sim_s.max(1e-9),
            sim_s / perf.sim_s.max(1e-9),
            peak_rss_bytes().map_or("unknown".into(), |b| format!(
                "{:.1} MiB",
                b as f64 / 1048576.0
            )),
        );
        for f in files {
            eprintln!("  wrote {}", f.display());
        }
    }
    Ok(())
}

pub fn list() {
    println!("Protocols:");
    for p in PROTOCOLS {
        println!("  {:<12} {}", p.name, p.summary);
        println!("    nodes: {}", p.nodes.join(", "));
        for (k, v) in p.params {
            println!("    protocol.{k:<22} {v}");
        }
    }
    println!();
    println!("Scenario keys (see docs/scenario-format.md):");
    for (k, v) in [
        (
            "name, description",
            "scenario name (names the output folder) and free text",
        ),
        (
            "run.seed, run.until_s",
            "seed; optional stop time in simulated seconds",
        ),
        (
            "protocol.name",
            "one of the protocols above, plus its parameters",
        ),
        ("population.devices", "number of devices (>= 1)"),
        (
            "population.arrivals.pattern",
            "all_at_once | uniform | poisson | beta (TR 37.868: beta, alpha 3, beta 4)",
        ),
        (
            "population.arrivals.*",
            "at_s / start_s, window_s, rate_per_s, alpha, beta",
        ),
        (
            "nodes.NAME.profile, .servers",
            "processing profile and FIFO servers of each node",
        ),
        ("profiles.NAME.*", "base, per_input_us, prim_ns.<primitive>"),
        (
            "[[links]] between, latency, bandwidth_mbps, loss, header_bytes",
            "latency = {dist = fixed|uniform|exponential|lognormal, ...}",
        ),
        ("outputs.per_auth_csv, outputs.plots", "what to write"),
    ] {
        println!("  {k:<40} {v}");
    }
}
