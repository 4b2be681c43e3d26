//! `authsim run`, `validate` and `list`.

use std::path::{Path, PathBuf};

use authsim_sim::protocols::PROTOCOLS;
use authsim_sim::replications::replication_seed;
use authsim_sim::report::RunResult;
use authsim_sim::runner::{self, RunOptions, peak_rss_bytes};
use authsim_sim::scenario::Scenario;
use authsim_sim::sweep;
use clap::Args;
use rayon::prelude::*;

use crate::Failure;
use crate::manifest::{self, InputFile, Kind, Manifest};
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
    /// Write one CSV line per transmitted message: time_s, from, to (endpoints; `;` between
    /// broadcast receivers), interface, message, bytes, sender_node, pdu_hex.
    #[arg(long)]
    trace: Option<PathBuf>,
    /// Write every transmission as a pcapng capture for Wireshark (docs/wireshark.md).
    #[arg(long)]
    pcap: Option<PathBuf>,
    /// No progress or performance report on stderr.
    #[arg(long)]
    quiet: bool,
    /// Write into a folder holding another scenario's or a sweep's results.
    #[arg(long)]
    force: bool,
    /// After the run, time each cryptographic primitive it counted (AES and
    /// SHA-256 blocks, P-256, X25519, BLS12-381 operations) alone on this
    /// machine (0.2 s per primitive, counted in the reported total) and report
    /// the simulation's wall time against the time of that work alone.
    #[arg(long, alias = "p256-floor")]
    crypto_floor: bool,
    /// Threads one run may use: a device population whose devices are
    /// independent (EPS-AKA, UMTS AKA) hands each window's inputs to them on
    /// this many threads. The outputs are the same bytes for any number
    /// (docs/architecture.md, "Parallel windows"). Off (1) by default: on
    /// 2 cores it did not pay (docs/performance.md, "Threads in one run").
    #[arg(long, default_value_t = 1)]
    threads: usize,
}

fn load(file: &Path, set: &[String]) -> Result<Scenario, Failure> {
    Scenario::load(file, set).map_err(Failure::input)
}

pub fn run(a: RunArgs) -> Result<(), Failure> {
    let started_at = manifest::now();
    if a.threads == 0 {
        return Err(Failure::BadInput("--threads must be at least 1".into()));
    }
    if crate::cmd_attacks::is_matrix_file(&a.file) {
        // An attack matrix is a sweep of attacked runs (`authsim sweep`).
        if !a.set.is_empty() || a.seed.is_some() || a.trace.is_some() || a.pcap.is_some() {
            return Err(Failure::BadInput(format!(
                "{}: an attack matrix takes no --set, --seed, --trace or --pcap",
                a.file.display()
            )));
        }
        return crate::cmd_attacks::run(crate::cmd_attacks::MatrixArgs {
            file: &a.file,
            out: a.out.clone(),
            jobs: std::thread::available_parallelism().map_or(1, |n| n.get()),
            quiet: a.quiet,
            force: a.force,
        });
    }
    let scn = load(&a.file, &a.set)?;
    // Hashed for the manifest as it is now, not after a long run.
    let scenario = std::fs::read(&a.file)
        .map(|bytes| InputFile {
            path: a.file.display().to_string(),
            sha256: manifest::sha256_hex(&bytes),
        })
        .map_err(|e| Failure::BadInput(format!("cannot read {}: {e}", a.file.display())))?;
    let seed = a.seed.unwrap_or(scn.run.seed);
    let out = a
        .out
        .clone()
        .unwrap_or_else(|| PathBuf::from("out").join(&scn.name));
    manifest::claim_folder(&out, Kind::Run, &scn.name, a.force)?;
    if !a.quiet {
        eprintln!(
            "running `{}` ({}, {} devices, seed {seed})...",
            scn.name,
            scn.protocol.name(),
            scn.population.devices
        );
    }
    let opts = RunOptions {
        trace: a.trace.is_some() || a.pcap.is_some(),
        threads: a.threads,
        release_freed_memory: Some(crate::release_freed_memory),
    };
    let t0 = std::time::Instant::now();
    let (result, perf) = runner::run(&scn, seed, &opts).map_err(Failure::run)?;
    let mut files =
        output::write_run(&out, &scn, &result, a.trace.as_deref()).map_err(Failure::run)?;
    if let Some(path) = &a.pcap {
        files.push(output::write_pcap(path, &result).map_err(Failure::run)?);
    }
    if !scn.attacks.is_empty() {
        files.push(attacks_csv(&scn, seed, &result, &out)?);
    }
    if scn.run.replications > 1 {
        files.extend(replications(&scn, seed, &result, &out, a.quiet)?);
    }
    // Measured before the total is taken, so "in all" is the command's time.
    let floor_t0 = std::time::Instant::now();
    let floor = (a.crypto_floor && !a.quiet).then(|| crypto_floor(&result, perf.sim_s));
    let floor_s = floor_t0.elapsed().as_secs_f64();
    let total_s = t0.elapsed().as_secs_f64();
    let reps = scn.run.replications;
    let m = Manifest {
        authsim_version: manifest::VERSION.into(),
        git_commit: manifest::git_commit(),
        kind: Kind::Run,
        name: scn.name.clone(),
        command: manifest::command_line(),
        inputs: vec![scenario],
        seed,
        run_seeds: (0..reps).map(|r| replication_seed(seed, r)).collect(),
        shard: None,
        jobs: if reps > 1 {
            rayon::current_num_threads()
        } else {
            1
        },
        threads_per_run: a.threads,
        started: started_at,
        finished: String::new(),
        files: Default::default(),
    };
    files.push(m.write(&out, &files)?);
    if !a.quiet {
        let sim_s = result.end_time as f64 / 1e9;
        eprintln!(
            "done: {} devices, {} inputs handled, {} deliveries, simulated {:.3} s in {:.3} s wall (+{:.3} s setup, +{:.3} s results and outputs{}; {:.3} s in all): {:.0} events/s, {:.1} simulated s per wall s, peak memory {}",
            result.devices,
            perf.inputs,
            perf.deliveries,
            sim_s,
            perf.sim_s,
            perf.build_s,
            total_s - perf.build_s - perf.sim_s - floor_s,
            if floor.is_some() {
                format!(", +{floor_s:.3} s timing the crypto floor")
            } else {
                String::new()
            },
            total_s,
            (perf.inputs + perf.deliveries) as f64 / perf.sim_s.max(1e-9),
            sim_s / perf.sim_s.max(1e-9),
            peak_rss_bytes().map_or("unknown".into(), |b| format!(
                "{:.1} MiB",
                b as f64 / 1048576.0
            )),
        );
        if a.threads > 1 {
            eprintln!(
                "  {} of {} inputs handled apart on {} threads",
                perf.handled_apart, perf.inputs, a.threads
            );
        }
        if let Some(lines) = floor {
            eprint!("{lines}");
        }
        for f in files {
            eprintln!("  wrote {}", f.display());
        }
    }
    Ok(())
}

/// `--crypto-floor`: times each primitive the run counted on its own, here
/// and now, with the implementations the protocols call, and says what the
/// run's counted work alone would take and the simulation's wall time against
/// it (how much the simulator adds around the crypto). One line per
/// primitive, then the total and the ratio.
fn crypto_floor(result: &RunResult, sim_s: f64) -> String {
    use authsim_protocols::calibrate::{Budget, measure};
    use authsim_protocols::core::Prim;
    let count = |prim: Prim| result.nodes.iter().map(|n| n.crypto.get(prim)).sum::<u64>();
    let budget = Budget::per_primitive(std::time::Duration::from_millis(200));
    let measured = measure(&budget, |prim| count(prim) > 0);
    let mut text = String::new();
    let mut floor_s = 0.0;
    for m in &measured {
        let n = count(m.prim);
        let s = n as f64 * m.ns / 1e9;
        floor_s += s;
        text += &format!(
            "crypto floor: {n} x {} at {:.1} ns each here = {s:.6} s\n",
            m.prim.name(),
            m.ns
        );
    }
    let untimed: Vec<&str> = Prim::ALL
        .iter()
        .filter(|&&p| count(p) > 0 && !measured.iter().any(|m| m.prim == p))
        .map(|p| p.name())
        .collect();
    if !untimed.is_empty() {
        text += &format!("crypto floor: not timed here: {}\n", untimed.join(", "));
    }
    text += &format!(
        "crypto floor: the counted work alone takes {floor_s:.3} s; simulation / crypto floor = {:.2}\n",
        sim_s / floor_s.max(1e-12)
    );
    text
}

/// attacks.csv: the run against the same scenario and seed without its
/// adversaries (docs/threats.md).
fn attacks_csv(
    scn: &Scenario,
    seed: u64,
    result: &RunResult,
    out: &Path,
) -> Result<PathBuf, Failure> {
    let mut honest = scn.clone();
    honest.attacks.clear();
    let (baseline, _) = runner::run(&honest, seed, &RunOptions::default()).map_err(Failure::run)?;
    let row = authsim_sim::attacks::measure_scenario(result, &baseline, &scn.attacks);
    let text = row.csv_text(&scn.name, seed);
    output::write_file(&out.join("attacks.csv"), &text).map_err(Failure::run)
}

/// Runs replications 1..R (replication 0 is `first`, already written) in
/// parallel and writes their summary; returns the files written.
fn replications(
    scn: &Scenario,
    seed: u64,
    first: &RunResult,
    out: &Path,
    quiet: bool,
) -> Result<Vec<PathBuf>, Failure> {
    let reps = scn.run.replications;
    let seeds: Vec<u64> = (0..reps).map(|r| replication_seed(seed, r)).collect();
    if !quiet {
        eprintln!(
            "running replications 1..{} (seeds derived from {seed})...",
            reps - 1
        );
    }
    let rest: Vec<Vec<(String, f64)>> = seeds[1..]
        .par_iter()
        .map(|&s| {
            runner::run(scn, s, &RunOptions::default())
                .map(|(r, _)| sweep::metrics(&r))
                .map_err(|e| Failure::RunFailed(format!("replication with seed {s}: {e}")))
        })
        .collect::<Result<_, _>>()?;
    let mut runs = vec![sweep::metrics(first)];
    runs.extend(rest);
    output::write_replications(out, scn, &seeds, &runs).map_err(Failure::run)
}

pub fn list() {
    println!("Protocols:");
    for p in PROTOCOLS {
        println!("  {:<14} {}", p.name, p.summary);
        println!("    nodes: {}", p.nodes.join(", "));
        for param in (p.params)() {
            println!("    protocol.{:<22} {param}", param.key);
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
        (
            "run.replications",
            "independent replications (>= 1); summary with 95 % CIs",
        ),
        (
            "profiles.NAME.*",
            "base, per_input_us, prim_ns.<primitive>, per_input_uj, prim_uj.<primitive>, tx_uj_per_byte, rx_uj_per_byte",
        ),
        (
            "[[links]] between, latency, bandwidth_mbps, loss, header_bytes",
            "latency = {dist = fixed|uniform|exponential|lognormal, ...}",
        ),
        (
            "outputs.per_auth_csv, outputs.plots, outputs.storm",
            "what to write",
        ),
    ] {
        println!("  {k:<40} {v}");
    }
    println!();
    println!(
        "Built-in profiles (docs/profiles.md): {}",
        authsim_sim::profile::Profile::BUILTIN.join(", ")
    );
}
