//! `authsim calibrate`: measures this machine's per-primitive costs and writes
//! a `[profiles.NAME]` snippet a scenario can paste.

use std::fmt::Write as _;
use std::path::PathBuf;
use std::time::Duration;

use authsim_protocols::calibrate::{Budget, measure_all};
use authsim_protocols::core::Prim;
use authsim_sim::scenario::builtin_profile;
use clap::Args;

use crate::Failure;

#[derive(Args)]
pub struct CalibrateArgs {
    /// Write the profile snippet (TOML) to this file; it is also printed.
    #[arg(long)]
    out: Option<PathBuf>,
    /// Profile name in the snippet: `[profiles.NAME]`.
    #[arg(long, default_value = "this-machine")]
    name: String,
    /// Built-in profile the snippet starts from (per-input cost, energy, radio).
    #[arg(long, default_value = "server")]
    base: String,
    /// Measuring time per primitive, in milliseconds (warm-up plus 7 batches).
    #[arg(long, default_value_t = 500)]
    budget_ms: u64,
    /// Active power of one core in watts: also write prim_uj = ns x watts.
    #[arg(long)]
    watts: Option<f64>,
}

/// TOML number text for a float: shortest round-trip form, always with a dot.
fn num(v: f64) -> String {
    let s = format!("{v}");
    if s.contains(['.', 'e', 'E']) {
        s
    } else {
        format!("{s}.0")
    }
}

/// Rounds to 4 significant digits (measurements are not more precise than that).
fn round4(v: f64) -> f64 {
    if v <= 0.0 || !v.is_finite() {
        return v;
    }
    // Exact powers of ten on both sides, so the result prints without noise.
    let e = 3 - v.log10().floor() as i32;
    if e >= 0 {
        let f = 10f64.powi(e);
        (v * f).round() / f
    } else {
        let f = 10f64.powi(-e);
        (v / f).round() * f
    }
}

pub fn run(a: CalibrateArgs) -> Result<(), Failure> {
    if a.name.is_empty()
        || !a
            .name
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_')
    {
        return Err(Failure::BadInput(format!(
            "--name `{}`: use letters, digits, `-` and `_`",
            a.name
        )));
    }
    if builtin_profile(&a.base).is_none() {
        return Err(Failure::BadInput(format!(
            "--base `{}`: not a built-in profile",
            a.base
        )));
    }
    if a.budget_ms == 0 {
        return Err(Failure::BadInput("--budget-ms must be at least 1".into()));
    }
    if let Some(w) = a.watts
        && !(w.is_finite() && w >= 0.0)
    {
        return Err(Failure::BadInput(format!("--watts must be >= 0, got {w}")));
    }
    let budget = Budget::per_primitive(Duration::from_millis(a.budget_ms));
    eprintln!(
        "measuring {} primitives, about {} ms each...",
        Prim::COUNT,
        a.budget_ms
    );
    let m = measure_all(&budget);
    println!(
        "{:<14} {:>14} {:>14} {:>14}  what",
        "primitive", "ns/op (median)", "fastest batch", "slowest batch"
    );
    for x in &m {
        println!(
            "{:<14} {:>14.2} {:>14.2} {:>14.2}  {}",
            x.prim.name(),
            x.ns,
            x.min_ns,
            x.max_ns,
            x.what
        );
    }
    let cpu = cpu_model().unwrap_or_else(|| "unknown CPU".into());
    let mut s = String::new();
    let _ = writeln!(
        s,
        "# Measured by `authsim calibrate` on {cpu} ({} primitives, {} ms each; median of 7 batches).",
        m.len(),
        a.budget_ms
    );
    let _ = writeln!(s, "[profiles.{}]", a.name);
    let _ = writeln!(s, "base = \"{}\"", a.base);
    let prim_ns: Vec<String> = m
        .iter()
        .map(|x| format!("{} = {}", x.prim.name(), num(round4(x.ns))))
        .collect();
    let _ = writeln!(s, "prim_ns = {{ {} }}", prim_ns.join(", "));
    if let Some(w) = a.watts {
        // W x ns = nJ = 1e-3 uJ.
        let prim_uj: Vec<String> = m
            .iter()
            .map(|x| {
                format!(
                    "{} = {}",
                    x.prim.name(),
                    num(round4(round4(x.ns) * w * 1e-3))
                )
            })
            .collect();
        let _ = writeln!(s, "prim_uj = {{ {} }}", prim_uj.join(", "));
    }
    println!();
    print!("{s}");
    if let Some(path) = &a.out {
        authsim_sim::atomic_file::write_atomic(path, s.as_bytes()).map_err(Failure::run)?;
        eprintln!("wrote {}", path.display());
    }
    Ok(())
}

/// The CPU model from /proc/cpuinfo (Linux), if known.
fn cpu_model() -> Option<String> {
    let info = std::fs::read_to_string("/proc/cpuinfo").ok()?;
    let line = info.lines().find(|l| l.starts_with("model name"))?;
    Some(line.split_once(':')?.1.trim().to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers_are_toml_floats_rounded_to_four_digits() {
        assert_eq!(num(3.0), "3.0");
        assert_eq!(num(0.5), "0.5");
        assert_eq!(round4(123_456.0), 123_500.0);
        assert_eq!(round4(0.012_345_6), 0.012_35);
        assert_eq!(round4(0.0), 0.0);
    }
}
