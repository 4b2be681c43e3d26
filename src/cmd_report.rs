//! `authsim report`: runs the shipped sweeps and renders docs/results.md from
//! the CSV files they write, so the documented results cannot go stale
//! (`--check`, run by CI, fails when the committed file differs).
//!
//! Everything the page states as a number comes from those CSVs: the tables
//! and the figures in the prose. Closed forms (5n + 2, ...) are the counting
//! rules of docs/counting.md, checked against the simulation by tests. No
//! wall-clock time appears, so the page is byte-identical on every machine.

use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::path::{Path, PathBuf};

use authsim_sim::sweep::SweepFile;
use clap::{Args, Parser};

use crate::Failure;
use crate::cmd_sweep::SweepArgs;

#[derive(Args)]
pub struct ReportArgs {
    /// The page to write (or, with --check, to compare with).
    #[arg(long, default_value = "docs/results.md")]
    out: PathBuf,
    /// The threats page whose measured part is rendered from the attack
    /// matrix (crate::report_threats; checked with --check like --out).
    #[arg(long, default_value = "docs/threats.md")]
    threats: PathBuf,
    /// Compare a fresh rendering with --out instead of writing it; exit 1 if they differ.
    #[arg(long)]
    check: bool,
    /// Folder for the sweeps' outputs (one subfolder per sweep, replaced).
    #[arg(long, default_value = "target/results")]
    work: PathBuf,
    /// Parallel runs per sweep.
    #[arg(long)]
    jobs: Option<usize>,
    /// Render from the sweep outputs already in --work, without running them.
    #[arg(long)]
    no_run: bool,
}

/// The sweeps the page reports, by file stem under `scenarios/`.
const SWEEPS: [&str; 7] = [
    "lai2012-fig9",
    "group-storm",
    "gas-compare-n",
    "energy-comparison-sweep",
    "aggregate-signatures-sweep",
    "aggregate-signatures-interval",
    "proxy-multiparty-n",
];

/// `authsim sweep`'s own arguments, parsed from a command line built here.
#[derive(Parser)]
struct SweepCommand {
    #[command(flatten)]
    args: SweepArgs,
}

pub fn report(a: ReportArgs) -> Result<(), Failure> {
    let mut results = BTreeMap::new();
    for stem in SWEEPS {
        let file = PathBuf::from("scenarios").join(format!("{stem}.toml"));
        let out = a.work.join(stem);
        if !a.no_run {
            run_sweep(&file, &out, a.jobs)?;
        }
        results.insert(stem, SweepResult::read(&out)?);
    }
    threats(&a)?;
    let page = render(&results)?;
    if a.check {
        let committed = std::fs::read_to_string(&a.out)
            .map_err(|e| Failure::BadInput(format!("{}: {e}", a.out.display())))?;
        if committed != page {
            let fresh = a.work.join("results.md");
            std::fs::write(&fresh, &page).map_err(Failure::run)?;
            return Err(Failure::RunFailed(format!(
                "{} differs from a fresh rendering ({}): run `authsim report` and commit the result",
                a.out.display(),
                fresh.display()
            )));
        }
        eprintln!("{}: up to date", a.out.display());
    } else {
        std::fs::write(&a.out, &page)
            .map_err(|e| Failure::RunFailed(format!("cannot write {}: {e}", a.out.display())))?;
        eprintln!("  wrote {}", a.out.display());
    }
    Ok(())
}

/// Runs the attack matrix and renders (or, with --check, compares) the
/// measured part of the threats page.
fn threats(a: &ReportArgs) -> Result<(), Failure> {
    use crate::report_threats::{MATRIX, render};
    let out = a.work.join(MATRIX);
    if !a.no_run {
        let file = PathBuf::from("scenarios").join(format!("{MATRIX}.toml"));
        run_sweep(&file, &out, a.jobs)?;
    }
    let current = std::fs::read_to_string(&a.threats)
        .map_err(|e| Failure::BadInput(format!("{}: {e}", a.threats.display())))?;
    let page = render(&current, &out, &a.threats)?;
    if a.check {
        if current != page {
            let fresh = a.work.join("threats.md");
            std::fs::write(&fresh, &page).map_err(Failure::run)?;
            return Err(Failure::RunFailed(format!(
                "{} differs from a fresh rendering ({}): run `authsim report` and commit the result",
                a.threats.display(),
                fresh.display()
            )));
        }
        eprintln!("{}: up to date", a.threats.display());
    } else if current != page {
        std::fs::write(&a.threats, &page).map_err(|e| {
            Failure::RunFailed(format!("cannot write {}: {e}", a.threats.display()))
        })?;
        eprintln!("  wrote {}", a.threats.display());
    }
    Ok(())
}

fn run_sweep(file: &Path, out: &Path, jobs: Option<usize>) -> Result<(), Failure> {
    if out.exists() {
        std::fs::remove_dir_all(out)
            .map_err(|e| Failure::RunFailed(format!("cannot replace {}: {e}", out.display())))?;
    }
    eprintln!("running {} ...", file.display());
    let mut argv: Vec<String> = ["sweep", &file.display().to_string(), "--out"]
        .iter()
        .map(|s| s.to_string())
        .collect();
    argv.push(out.display().to_string());
    argv.push("--quiet".into());
    if let Some(j) = jobs {
        argv.extend(["--jobs".into(), j.to_string()]);
    }
    let cmd = SweepCommand::try_parse_from(&argv).map_err(Failure::input)?;
    crate::cmd_sweep::sweep(cmd.args)
}

/// What one sweep wrote: its file and the means of summary.csv and
/// improvements.csv, keyed by (variant or "scheme|baseline", point, metric).
struct SweepResult {
    file: SweepFile,
    summary: BTreeMap<(String, String, String), (f64, u64)>,
    improvements: BTreeMap<(String, String, String), f64>,
}

impl SweepResult {
    fn read(dir: &Path) -> Result<Self, Failure> {
        let text = std::fs::read_to_string(dir.join("sweep.toml"))
            .map_err(|e| Failure::RunFailed(format!("{}: no sweep.toml ({e})", dir.display())))?;
        let file: SweepFile = toml::from_str(&text).map_err(Failure::run)?;
        let mut summary = BTreeMap::new();
        for rec in records(&dir.join("summary.csv"))? {
            // variant, point (one axis), metric, samples, mean, ...
            let samples = rec[3].parse().map_err(Failure::run)?;
            let mean = rec[4].parse().map_err(Failure::run)?;
            summary.insert(
                (rec[0].clone(), rec[1].clone(), rec[2].clone()),
                (mean, samples),
            );
        }
        let mut improvements = BTreeMap::new();
        if dir.join("improvements.csv").exists() {
            for rec in records(&dir.join("improvements.csv"))? {
                // scheme, baseline, point, metric, samples, improvement, ...
                let v = rec[5].parse().map_err(Failure::run)?;
                improvements.insert((rec[1].clone(), rec[2].clone(), rec[3].clone()), v);
            }
        }
        Ok(Self {
            file,
            summary,
            improvements,
        })
    }

    /// Mean of `metric` for `variant` at `point` (the single axis's value).
    fn mean(&self, variant: &str, point: &str, metric: &str) -> Result<f64, Failure> {
        self.summary
            .get(&(variant.into(), point.into(), metric.into()))
            .map(|v| v.0)
            .ok_or_else(|| missing(&self.file.name, variant, point, metric))
    }

    /// Mean, or 0 when no replication counted it (e.g. a reject reason).
    fn mean_or_zero(&self, variant: &str, point: &str, metric: &str) -> f64 {
        self.mean(variant, point, metric).unwrap_or(0.0)
    }

    /// Total over all replications (mean × samples; absent: 0).
    fn total(&self, variant: &str, point: &str, metric: &str) -> f64 {
        self.summary
            .get(&(variant.into(), point.into(), metric.into()))
            .map_or(0.0, |(m, n)| m * *n as f64)
    }

    /// Improvement of the compared scheme over `baseline`.
    fn improvement(&self, baseline: &str, point: &str, metric: &str) -> Result<f64, Failure> {
        self.improvements
            .get(&(baseline.into(), point.into(), metric.into()))
            .copied()
            .ok_or_else(|| missing(&self.file.name, baseline, point, metric))
    }

    /// Metric names present for `variant` at `point` that start with `prefix`.
    fn metrics_with(&self, variant: &str, point: &str, prefix: &str) -> Vec<String> {
        self.summary
            .keys()
            .filter(|(v, p, m)| v == variant && p == point && m.starts_with(prefix))
            .map(|k| k.2.clone())
            .collect()
    }

    fn labels(&self) -> Vec<&str> {
        self.file
            .sweep
            .variants
            .iter()
            .map(|v| v.label.as_str())
            .collect()
    }

    fn axis_values(&self) -> Vec<String> {
        self.file
            .points()
            .into_iter()
            .map(|p| p.join(","))
            .collect()
    }

    fn plot_files(&self) -> String {
        let files: Vec<String> = self
            .file
            .sweep
            .plots
            .iter()
            .map(|p| format!("`{}`", p.file))
            .collect();
        files.join(", ")
    }

    /// "33 points × 3 replications = 297 runs"
    fn size(&self) -> String {
        let points = self.file.points().len();
        let r = self.file.sweep.replications;
        format!(
            "{} variants × {points} points × {r} replications = {} runs",
            self.file.sweep.variants.len(),
            self.file.run_count()
        )
    }
}

fn missing(sweep: &str, variant: &str, point: &str, metric: &str) -> Failure {
    Failure::RunFailed(format!(
        "{sweep}: no `{metric}` for `{variant}` at {point} in the sweep's CSV files"
    ))
}

fn records(path: &Path) -> Result<Vec<Vec<String>>, Failure> {
    let mut r = csv::Reader::from_path(path)
        .map_err(|e| Failure::RunFailed(format!("{}: {e}", path.display())))?;
    r.records()
        .map(|rec| {
            rec.map(|r| r.iter().map(str::to_string).collect())
                .map_err(|e| Failure::RunFailed(format!("{}: {e}", path.display())))
        })
        .collect()
}

/// A percentage with one decimal, `-0.0` written `0.0`.
fn pct(v: f64) -> String {
    let s = format!("{:.1} %", v * 100.0);
    if s == "-0.0 %" { "0.0 %".into() } else { s }
}

/// A count that is a mean over replications: an integer when it is one.
fn count(v: f64) -> String {
    if (v - v.round()).abs() < 1e-9 {
        format!("{}", v.round() as i64)
    } else {
        format!("{v:.1}")
    }
}

/// Energy in J, in the unit that fits (mJ, µJ).
fn energy(j: f64) -> String {
    if j >= 1e-3 {
        format!("{:.2} mJ", j * 1e3)
    } else {
        format!("{:.0} µJ", j * 1e6)
    }
}

type Results<'a> = BTreeMap<&'a str, SweepResult>;

fn get<'a>(r: &'a Results, stem: &str) -> &'a SweepResult {
    &r[stem]
}

fn render(r: &Results) -> Result<String, Failure> {
    let mut s = String::new();
    s.push_str(
        "# Results (measured)\n\n\
         <!-- Generated by `authsim report` from the shipped sweeps' CSV files; do not edit by\n\
         hand. CI (`.ci/run`) runs `authsim report --check` and fails when this file differs. -->\n\n\
         Every number on this page comes from the CSV files the shipped sweeps write\n\
         (`summary.csv`, `improvements.csv`: means over each sweep's replications); nothing is\n\
         copied from the papers. `cargo run --release -- report` runs the sweeps (their outputs\n\
         land in `target/results/`) and writes this page; a sweep's own command, shown in each\n\
         section, writes the same CSV files and the plots named there.\n",
    );
    fig9(&mut s, get(r, "lai2012-fig9"))?;
    storm(&mut s, get(r, "group-storm"))?;
    gas(&mut s, get(r, "gas-compare-n"))?;
    energy_section(&mut s, get(r, "energy-comparison-sweep"))?;
    aggsig(
        &mut s,
        get(r, "aggregate-signatures-sweep"),
        get(r, "aggregate-signatures-interval"),
    )?;
    proxy(&mut s, get(r, "proxy-multiparty-n"))?;
    Ok(s)
}

fn fig9(s: &mut String, f: &SweepResult) -> Result<(), Failure> {
    // The compared scheme and its baselines, in the sweep file's order: a
    // baseline added to the sweep gets its rows without a change here.
    let compare = f
        .file
        .sweep
        .compare
        .first()
        .ok_or_else(|| Failure::RunFailed(format!("{}: no [[sweep.compare]]", f.file.name)))?;
    let group = compare.scheme.as_str();
    let baselines: Vec<&str> = compare.baselines.iter().map(String::as_str).collect();
    let (eps, umts) = (baselines[0], baselines[1]);
    let last = f.axis_values().last().cloned().unwrap_or_default();
    let _ = write!(
        s,
        "\n## Lai 2012, Fig. 9: group AKA vs {}\n\n\
         `cargo run --release -- sweep scenarios/lai2012-fig9.toml`\n({}). One group of n MTC\n\
         devices, each attaching once; every variant of a point uses the same seed (same keys,\n\
         same attach times). I = 1 − C_group / C_baseline:\n\n\
         | n | baseline | messages | bytes | SN–HN msgs | SN–HN bytes | device–SN msgs | mean latency |\n\
         |---|---|---|---|---|---|---|---|\n",
        and_list(&baselines),
        f.size()
    );
    let shown = ["1", "2", "10", "100", "1000"];
    for &b in &baselines {
        for n in shown {
            let _ = write!(s, "| {n} | {b} |");
            for m in [
                "tx.total",
                "bytes.total",
                "tx.sn_hn",
                "bytes.sn_hn",
                "tx.device_sn",
                "latency.role_serving.mean_s",
            ] {
                let _ = write!(s, " {} |", pct(f.improvement(b, n, m)?));
            }
            s.push('\n');
        }
    }
    let imp = |b: &str, m: &str| f.improvement(b, &last, m).map(pct);
    let s6a_per_msg = f.mean(eps, "1", "bytes.s6a")? / f.mean(eps, "1", "tx.s6a")?;
    let n_last: f64 = last.parse().map_err(Failure::run)?;
    let extra_per_member = (f.mean(group, &last, "bytes.device_sn")?
        - f.mean(eps, &last, "bytes.device_sn")?)
        / n_last;
    let _ = write!(
        s,
        "\nWhat the curves show, and why (closed forms in docs/counting.md, which a test checks\n\
         against the simulation at every n):\n\
         - **SN–HN signalling** falls as 1 − 1/n: group AKA makes one S6a exchange per group\n\
         \x20 instead of one per device ({} at n = {last}), which is the paper's main claim.\n\
         - **All messages** improve far less ({} over EPS-AKA, {} over UMTS AKA at n = {last}):\n\
         \x20 every member still runs its NAS messages (5n + 2 against 7n for EPS-AKA, 6n for\n\
         \x20 UMTS AKA), and at n = 1 group AKA is no better than EPS-AKA ({}) and worse than\n\
         \x20 UMTS AKA ({}), which has no message for the security mode procedure.\n\
         - **Bytes** improve more than messages ({} vs EPS-AKA at n = {last}) because the\n\
         \x20 Diameter messages saved are large ({:.0} octets per S6a message on average, EPS-AKA at\n\
         \x20 n = 1) while the group IEs cost a member {:.1} octets more on the device–SN segment\n\
         \x20 than EPS-AKA does. For one device group AKA costs more ({} vs EPS-AKA, {} vs UMTS\n\
         \x20 AKA's compact MAP/BER encoding).\n\
         - **Latency** improves ({} at n = {last} vs EPS-AKA) because members do not wait for a\n\
         \x20 round trip to the remote HN.\n\
         - Device–SN messages do not improve ({} vs EPS-AKA, {} vs UMTS AKA): the scheme saves\n\
         \x20 core signalling, not radio signalling.\n",
        imp(eps, "tx.sn_hn")?,
        imp(eps, "tx.total")?,
        imp(umts, "tx.total")?,
        pct(f.improvement(eps, "1", "tx.total")?),
        pct(f.improvement(umts, "1", "tx.total")?),
        imp(eps, "bytes.total")?,
        s6a_per_msg,
        extra_per_member,
        pct(f.improvement(eps, "1", "bytes.total")?),
        pct(f.improvement(umts, "1", "bytes.total")?),
        imp(eps, "latency.role_serving.mean_s")?,
        imp(eps, "tx.device_sn")?,
        imp(umts, "tx.device_sn")?,
    );
    for &b in &baselines[2..] {
        let per_device = |m: &str| f.mean(b, "1", m);
        let (tx, bytes) = (per_device("tx.sn_hn")?, per_device("bytes.sn_hn")?);
        let _ = write!(
            s,
            "- Against **{b}** (beyond the paper) the SN–HN side is the SBI: {} messages and\n\
             \x20 {} octets per device ({:.0} octets per message, JSON bodies in HTTP/2 frames),\n\
             \x20 so group AKA saves {} of its SN–HN bytes and {} of all bytes at n = {last};\n\
             \x20 for one device {} of all bytes, and {} of the mean latency at n = {last}.\n",
            count(tx),
            count(bytes),
            bytes / tx,
            imp(b, "bytes.sn_hn")?,
            imp(b, "bytes.total")?,
            pct(f.improvement(b, "1", "bytes.total")?),
            imp(b, "latency.role_serving.mean_s")?,
        );
    }
    let _ = write!(s, "\nPlots: {}.\n", f.plot_files());
    Ok(())
}

/// "A, B and C".
fn and_list(items: &[&str]) -> String {
    match items {
        [] => String::new(),
        [one] => (*one).to_string(),
        [init @ .., last] => format!("{} and {last}", init.join(", ")),
    }
}

/// "10000 devices attach within 10 s (Beta(3, 4) arrivals, TR 37.868)", from
/// a scenario file the sweep uses.
fn population(file: &str) -> Result<String, Failure> {
    use authsim_sim::scenario::{ArrivalSpec, Scenario};
    let scn = Scenario::load(Path::new(file), &[]).map_err(Failure::input)?;
    let when = match scn.population.arrivals {
        ArrivalSpec::AllAtOnce { at_s } => format!("all at {at_s} s"),
        ArrivalSpec::Uniform { window_s, .. } => format!("uniformly within {window_s} s"),
        ArrivalSpec::Poisson { rate_per_s, .. } => format!("as a Poisson stream of {rate_per_s}/s"),
        ArrivalSpec::Beta {
            window_s,
            alpha,
            beta,
            ..
        } => format!("within {window_s} s (Beta({alpha}, {beta}) arrivals, TR 37.868)"),
    };
    Ok(format!("{} devices attach {when}", scn.population.devices))
}

fn storm(s: &mut String, f: &SweepResult) -> Result<(), Failure> {
    let labels = f.labels();
    let _ = write!(
        s,
        "\n## Beyond the paper: a group attach storm under loss\n\n\
         `cargo run --release -- sweep scenarios/group-storm.toml`\n({}): {} (in groups for\n\
         group AKA) through one MME/VLR core and one HSS/HLR core of a remote HN\n\
         (scenarios/group-storm/), with loss on both links. Serving-network verdicts, means over\n\
         the replications:\n\n\
         | loss | protocol | SN–HN msgs | home busy (s) | home max wait (s) | p50 (s) | p95 (s) | p99 (s) | devices authenticated |\n\
         |---|---|---|---|---|---|---|---|---|\n",
        f.size(),
        population("scenarios/group-storm/group-aka.toml")?
    );
    let points = f.axis_values();
    for p in &points {
        for v in &labels {
            let _ = writeln!(
                s,
                "| {p} | {v} | {} | {:.2} | {:.3} | {:.3} | {:.3} | {:.3} | {} |",
                count(f.mean(v, p, "tx.sn_hn")?),
                f.mean(v, p, "busy_s.role_home")?,
                f.mean_or_zero(v, p, "wait_max_s.role_home"),
                f.mean(v, p, "latency.role_serving.p50_s")?,
                f.mean(v, p, "latency.role_serving.p95_s")?,
                f.mean(v, p, "latency.role_serving.p99_s")?,
                count(f.mean(v, p, "auth.role_serving.authenticated_devices")?),
            );
        }
    }
    let reps = f.file.sweep.replications;
    let _ = write!(
        s,
        "\nVerdicts at the serving network other than `authenticated`, summed over the {reps}\n\
         replications (outcome.reason, as in `auth.csv`; none at loss 0 unless listed):\n\n\
         | loss | protocol | verdicts |\n|---|---|---|\n"
    );
    for p in &points {
        for v in &labels {
            let mut parts = Vec::new();
            for kind in ["rejected.", "failed.", "attack_detected."] {
                for m in f.metrics_with(v, p, &format!("auth.role_serving.{kind}")) {
                    let reason = m.trim_start_matches("auth.role_serving.");
                    parts.push(format!("{reason}: {}", count(f.total(v, p, &m))));
                }
            }
            if !parts.is_empty() {
                let _ = writeln!(s, "| {p} | {v} | {} |", parts.join(", "));
            }
        }
    }
    let (eps, group) = (labels[0], labels[2]);
    let p0 = &points[0];
    let worst = points.last().cloned().unwrap_or_default();
    let group_misses = f.total(group, &worst, "auth.role_serving.rejected_devices")
        + f.total(group, &worst, "auth.role_serving.failed_devices");
    let _ = write!(
        s,
        "\n- The home network is the bottleneck for EPS-AKA and UMTS AKA ({:.2} s of HSS busy time\n\
         \x20 for EPS-AKA without loss, queues of up to {:.3} s); group AKA removes {} of that load\n\
         \x20 and its queue.\n\
         - Under loss the tail is set by the retransmission timers, not by the home network\n\
         \x20 (T3460 for EPS-AKA and group AKA, T3260 and T3210 for UMTS AKA; their values in\n\
         \x20 docs/protocols/). At loss {worst} some devices give up after their retries (table above);\n\
         \x20 group AKA members, whose challenges come from the MME itself, {}.\n",
        f.mean(eps, p0, "busy_s.role_home")?,
        f.mean(eps, p0, "wait_max_s.role_home")?,
        pct(1.0 - f.mean(group, p0, "busy_s.role_home")? / f.mean(eps, p0, "busy_s.role_home")?),
        if group_misses == 0.0 {
            "all complete".to_string()
        } else {
            let eps_misses = f.total(eps, &worst, "auth.role_serving.rejected_devices")
                + f.total(eps, &worst, "auth.role_serving.failed_devices");
            format!(
                "do not all complete either: {} device {} other than `authenticated` over\n  \
                 {reps} replications, against {} for EPS-AKA",
                count(group_misses),
                if group_misses == 1.0 {
                    "verdict"
                } else {
                    "verdicts"
                },
                count(eps_misses)
            )
        }
    );
    Ok(())
}

fn gas(s: &mut String, f: &SweepResult) -> Result<(), Failure> {
    let labels = f.labels();
    let _ = write!(
        s,
        "\n## Sensors 2018, Fig. 9 / Table 2: Harn vs Chien vs the threshold GAS\n\n\
         `cargo run --release -- sweep scenarios/gas-compare-n.toml`\n({}; and\n\
         `gas-compare-m.toml` for m at fixed n). One group of n nodes, all taking part (m = n),\n\
         intra-group phase; meter nodes on the sourced `constrained-device` profile, the smart\n\
         meter on `smart-meter` (docs/profiles.md):\n\n\
         | n = m | scheme | transmissions | deliveries | bytes | P-256 mults (all nodes) | busy per node (ms) | mean latency (s) |\n\
         |---|---|---|---|---|---|---|---|\n",
        f.size()
    );
    let mults = |v: &str, p: &str| -> f64 {
        let mut t = 0.0;
        for m in f.metrics_with(v, p, "crypto.") {
            if m.ends_with(".p256_mul") || m.ends_with(".p256_mul_base") {
                t += f.mean_or_zero(v, p, &m);
            }
        }
        t
    };
    let busy_ms = |v: &str, p: &str| -> Result<f64, Failure> {
        let n: f64 = p.parse().map_err(Failure::run)?;
        Ok(f.mean(v, p, "busy_s.role_device")? / n * 1e3)
    };
    for p in ["10", "100", "1000"] {
        for v in &labels {
            let _ = writeln!(
                s,
                "| {p} | {v} | {} | {} | {} | {} | {:.2} | {:.3} |",
                count(f.mean(v, p, "tx.total")?),
                count(f.mean(v, p, "deliveries.total")?),
                count(f.mean(v, p, "bytes.total")?),
                count(mults(v, p)),
                busy_ms(v, p)?,
                f.mean(v, p, "latency.role_device.mean_s")?,
            );
        }
    }
    let (harn, chien, threshold) = (labels[0], labels[1], labels[2]);
    let last = "1000";
    let _ = write!(
        s,
        "\n- Counted as **transmissions** (a broadcast counts once), Harn and Chien need m + 1 and\n\
         \x20 the proposed scheme 3m + 2 ({} and {} at m = {last}); counted as **deliveries** (each\n\
         \x20 receiver), Harn and Chien need m² − 1 and the proposed scheme 5m ({} and {}). The\n\
         \x20 paper's claim that its tree-shaped exchange needs fewer communications holds for\n\
         \x20 deliveries (and for anything a node must receive and process), not for\n\
         \x20 transmissions: both columns are reported.\n\
         - Harn's scheme needs no elliptic-curve work; Chien's gives each member m point\n\
         \x20 additions; the proposed scheme puts the EC work on the smart meter (m token checks),\n\
         \x20 so a node's processing grows far less with n: {:.2} ms per node at n = {last} against\n\
         \x20 {:.2} ms for Chien and {:.2} ms for Harn.\n\n\
         Plots: {}.\n",
        count(f.mean(harn, last, "tx.total")?),
        count(f.mean(threshold, last, "tx.total")?),
        count(f.mean(harn, last, "deliveries.total")?),
        count(f.mean(threshold, last, "deliveries.total")?),
        busy_ms(threshold, last)?,
        busy_ms(chien, last)?,
        busy_ms(harn, last)?,
        f.plot_files()
    );
    Ok(())
}

fn energy_section(s: &mut String, f: &SweepResult) -> Result<(), Failure> {
    let labels = f.labels();
    let classes = f.axis_values();
    let _ = write!(
        s,
        "\n## Energy per device\n\n\
         `cargo run --release -- sweep scenarios/energy-comparison-sweep.toml`\n({}): energy per\n\
         device and authentication (crypto priced per primitive, radio per byte sent and\n\
         received; sources in docs/profiles.md):\n\n| protocol |",
        f.size()
    );
    for c in &classes {
        let _ = write!(s, " `{c}` |");
    }
    s.push_str("\n|---|");
    for _ in &classes {
        s.push_str("---|");
    }
    s.push('\n');
    let e = |v: &str, c: &str| f.mean(v, c, "energy.role_device.per_endpoint_j");
    for v in &labels {
        let _ = write!(s, "| {v} |");
        for c in &classes {
            let _ = write!(s, " {} |", energy(e(v, c)?));
        }
        s.push('\n');
    }
    let (eps, group) = (labels[0], labels[1]);
    let c0 = &classes[0];
    let (ge, ee) = (e(group, c0)?, e(eps, c0)?);
    let _ = write!(
        s,
        "\nOn `{c0}`, group AKA costs a device {} EPS-AKA ({} against {}){}.\n",
        if ge > ee { "more than" } else { "no more than" },
        energy(ge),
        energy(ee),
        if ge > ee {
            ":\nits challenge carries RAND_G and its attach the group IE, even though it saves the\n\
             core network most of its signalling"
        } else {
            ""
        }
    );
    suci_cost(s, f)
}

/// The labels of the energy sweep's 5G-AKA variants, one per SUCI
/// protection scheme (scenarios/energy-comparison-sweep.toml).
const SUCI_VARIANTS: [&str; 3] = [
    "5G-AKA (null SUCI)",
    "5G-AKA (SUCI profile A)",
    "5G-AKA (SUCI profile B)",
];

/// What concealing the SUPI costs a device: its elliptic-curve work per
/// registration and its energy over the null scheme's, per device class.
fn suci_cost(s: &mut String, f: &SweepResult) -> Result<(), Failure> {
    if !SUCI_VARIANTS.iter().all(|v| f.labels().contains(v)) {
        return Ok(());
    }
    let [null, a, b] = SUCI_VARIANTS;
    let classes = f.axis_values();
    let c0 = &classes[0];
    let per_device = |v: &str, m: &str| -> Result<f64, Failure> {
        Ok(f.mean_or_zero(v, c0, m) / f.mean(v, c0, "auth.ue.authenticated_devices")?)
    };
    let _ = write!(
        s,
        "\nSUCI concealment (5G-AKA, TS 33.501 Annex C), the device's elliptic-curve work per\n\
         registration: X25519 multiplications with profile A: {}; P-256 multiplications with\n\
         profile B: {} fixed-base and {} variable-base; none with the null scheme. Energy per\n\
         device and registration, and what concealment adds to the null scheme's:\n\n\
         | device class | null scheme | profile A | profile B |\n|---|---|---|---|\n",
        count(per_device(a, "crypto.ue.x25519_mul")?),
        count(per_device(b, "crypto.ue.p256_mul_base")?),
        count(per_device(b, "crypto.ue.p256_mul")?),
    );
    let e = |v: &str, c: &str| f.mean(v, c, "energy.role_device.per_endpoint_j");
    for c in &classes {
        let base = e(null, c)?;
        let more = |v: &str| -> Result<String, Failure> {
            let x = e(v, c)?;
            Ok(format!(
                "{} (+{}, +{})",
                energy(x),
                energy(x - base),
                pct(x / base - 1.0)
            ))
        };
        let _ = writeln!(
            s,
            "| `{c}` | {} | {} | {} |",
            energy(base),
            more(a)?,
            more(b)?
        );
    }
    Ok(())
}

/// Seconds in the unit that fits (s, ms, µs).
fn seconds(v: f64) -> String {
    if v >= 1.0 {
        format!("{v:.2} s")
    } else if v >= 1e-3 {
        format!("{:.2} ms", v * 1e3)
    } else {
        format!("{:.1} µs", v * 1e6)
    }
}

/// Whether an MDMS at `utilisation` (busy time / interval on its servers) keeps up.
fn keeps_up(utilisation: f64) -> String {
    if utilisation <= 1.0 {
        format!("keeps up ({})", pct(utilisation))
    } else {
        format!(
            "does not keep up ({}: {} servers needed)",
            pct(utilisation),
            utilisation.ceil()
        )
    }
}

fn aggsig(s: &mut String, f: &SweepResult, iv: &SweepResult) -> Result<(), Failure> {
    let labels = f.labels();
    let points = f.axis_values();
    let _ = write!(
        s,
        "\n## Lai 2012 §3.3: aggregate signatures on smart-metering readings\n\n\
         `cargo run --release -- sweep scenarios/aggregate-signatures-sweep.toml`\n({}). One\n\
         gateway of n meters, one 15-minute interval; WAN octets and times per interval, MDMS\n\
         priced by the `server` profile, the gateway by `gateway`, the meter by `smart-meter`\n\
         (docs/protocols/aggregate-signatures.md):\n\n\
         | n | scheme | WAN octets | MDMS time | gateway time | meter energy per reading |\n\
         |---|---|---|---|---|---|\n",
        f.size()
    );
    for p in &points {
        for v in &labels {
            let _ = writeln!(
                s,
                "| {p} | {v} | {} | {} | {} | {} |",
                count(f.mean(v, p, "bytes.wan")?),
                seconds(f.mean(v, p, "busy_s.mdms")?),
                seconds(f.mean(v, p, "busy_s.gateway")?),
                energy(f.mean(v, p, "energy.meter.per_endpoint_j")?),
            );
        }
    }
    let last = points.last().cloned().unwrap_or_default();
    let fleet = f.mean(labels[0], &last, "metering.fleet_meters")?;
    let interval = f.mean(labels[0], &last, "metering.interval_s")?;
    let _ = write!(
        s,
        "\n**Does the MDMS keep up with {} meters at a {}-minute interval?** Its measured\n\
         time per reading at n = {last}, times {} readings per interval, over the {} s\n\
         interval on one core of the `server` profile (`metering.fleet_mdms_utilisation`):\n\n\
         | scheme | MDMS time per reading | MDMS time per interval | verdict |\n|---|---|---|---|\n",
        count(fleet),
        count(interval / 60.0),
        count(fleet),
        count(interval)
    );
    for v in &labels {
        let _ = writeln!(
            s,
            "| {v} | {} | {} | {} |",
            seconds(f.mean(v, &last, "metering.mdms_s_per_reading")?),
            seconds(f.mean(v, &last, "metering.fleet_mdms_busy_s")?),
            keeps_up(f.mean(v, &last, "metering.fleet_mdms_utilisation")?),
        );
    }
    let _ = write!(s, "\nPlots: {}.\n", f.plot_files());
    let ivl = iv.labels();
    let ivp = iv.axis_values();
    let _ = write!(
        s,
        "\nOver the reporting interval, `cargo run --release -- sweep\n\
         scenarios/aggregate-signatures-interval.toml` ({}): MDMS utilisation for {} meters in\n\
         gateways of 100, and one gateway's WAN octets per second:\n\n| interval |",
        iv.size(),
        count(fleet)
    );
    for v in &ivl {
        let _ = write!(s, " {v} |");
    }
    s.push_str("\n|---|");
    for _ in &ivl {
        s.push_str("---|");
    }
    s.push('\n');
    for p in &ivp {
        let _ = write!(s, "| {p} s |");
        for v in &ivl {
            let _ = write!(
                s,
                " {}, {} octets/s |",
                pct(iv.mean(v, p, "metering.fleet_mdms_utilisation")?),
                count((iv.mean(v, p, "metering.wan_bytes_per_s")? * 10.0).round() / 10.0)
            );
        }
        s.push('\n');
    }
    let _ = write!(s, "\nPlots: {}.\n", iv.plot_files());
    Ok(())
}

/// Lai 2012 §3.2: proxy multiparty authentication against its baseline.
fn proxy(s: &mut String, f: &SweepResult) -> Result<(), Failure> {
    let labels = f.labels();
    let (px, base) = (labels[0], labels[1]);
    let _ = write!(
        s,
        "\n## Lai 2012 §3.2: proxy multiparty authentication vs its baseline\n\n\
         `cargo run --release -- sweep scenarios/proxy-multiparty-n.toml`\n({}). n devices per\n\
         MTCAP and per MTC server, arriving over 10 s. Proxy: warrant proxy signatures\n\
         (docs/protocols/proxy-multiparty.md); baseline: EPS-AKA device–CN, then TLS 1.3\n\
         PSK-DHE device–MTC server. Per device: messages and octets on all interfaces, device\n\
         energy, mean time to the device's verdicts; I = 1 − C_proxy / C_base; proxy devices\n\
         that timed out:\n\n\
         | n | msgs proxy / base | octets proxy / base | I (octets) | device energy proxy / base | I (energy) | latency proxy / base | proxy timeouts |\n\
         |---|---|---|---|---|---|---|---|\n",
        f.size()
    );
    for n in f.axis_values() {
        let per = |v: &str, m: &str| -> Result<f64, Failure> {
            Ok(f.mean(v, &n, m)? / n.parse::<f64>().map_err(Failure::run)?)
        };
        let e = |v: &str| f.mean(v, &n, "energy.role_device.per_endpoint_j");
        let l = |v: &str| f.mean(v, &n, "latency.role_device.mean_s");
        let _ = writeln!(
            s,
            "| {n} | {} / {} | {} / {} | {} | {} / {} | {} | {:.3} s / {:.3} s | {} |",
            count(per(px, "tx.total")?),
            count(per(base, "tx.total")?),
            count(per(px, "bytes.total")?),
            count(per(base, "bytes.total")?),
            pct(f.improvement(base, &n, "bytes.total")?),
            energy(e(px)?),
            energy(e(base)?),
            pct(f.improvement(base, &n, "energy.role_device.per_endpoint_j")?),
            l(px)?,
            l(base)?,
            count(f.mean_or_zero(px, &n, "auth.device.failed.timeout")),
        );
    }
    s.push_str(
        "\nThe proxy scheme sends fewer messages but more octets (warrants and signatures travel\n\
         with every attach) and costs the device P-256 work the baseline's X25519 and HMACs do\n\
         not; in exchange it also authenticates the MTCAP and the CN to the MTC server, which\n\
         the baseline does not. Where proxy devices time out, the single MTCAP is saturated and\n\
         the comparison mixes cost with failure.\n",
    );
    Ok(())
}
