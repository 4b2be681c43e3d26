//! `authsim validate`: checks a scenario or a sweep file without running it.

use std::path::{Path, PathBuf};

use authsim_sim::scenario::Scenario;
use authsim_sim::sweep::{Sweep, SweepFlags, is_sweep_text};
use clap::Args;

use crate::Failure;

#[derive(Args)]
pub struct ValidateArgs {
    /// Scenario file or sweep file (TOML); a sweep is checked with every
    /// variant at every axis value.
    file: PathBuf,
    /// Override a scenario value: path.to.key=value (repeatable; in a sweep,
    /// applied to every variant's scenario, as `authsim sweep --set` does).
    #[arg(long = "set", value_name = "PATH=VALUE")]
    set: Vec<String>,
}

pub fn validate(a: ValidateArgs) -> Result<(), Failure> {
    let text = std::fs::read_to_string(&a.file)
        .map_err(|e| Failure::BadInput(format!("{}: cannot read: {e}", a.file.display())))?;
    if is_sweep_text(&text) {
        validate_sweep(&a.file, &a.set)
    } else if authsim_sim::attack_matrix::is_matrix_text(&text) {
        validate_matrix(&a.file, &a.set)
    } else {
        validate_scenario(&a.file, &a.set)
    }
}

/// Parses, checks and builds the scenario's nodes (keys, arrivals, links)
/// with its seed, without running it.
fn validate_scenario(file: &Path, set: &[String]) -> Result<(), Failure> {
    let scn = Scenario::load(file, set).map_err(Failure::input)?;
    scn.build(scn.run.seed)
        .map_err(|e| Failure::BadInput(format!("{}: {e}", file.display())))?;
    println!(
        "{}: ok (scenario `{}`, protocol `{}`, {} devices)",
        file.display(),
        scn.name,
        scn.protocol.name(),
        scn.population.devices
    );
    Ok(())
}

/// Loads the sweep (which checks every variant's scenario at every point)
/// and builds each of those scenarios once, with its first run's seed.
fn validate_sweep(file: &Path, set: &[String]) -> Result<(), Failure> {
    let sweep = Sweep::load_with(file, set, SweepFlags::default()).map_err(Failure::input)?;
    let variants = &sweep.file.sweep.variants;
    let mut built = 0;
    for plan in sweep.runs.iter().filter(|p| p.replication == 0) {
        let scn = sweep.scenario(plan);
        scn.build(plan.seed).map_err(|e| {
            let point: Vec<String> = sweep
                .file
                .sweep
                .axes
                .iter()
                .zip(&plan.point)
                .map(|(a, v)| format!("{} = {v}", a.name))
                .collect();
            Failure::BadInput(format!(
                "{}: variant `{}` at {}: {e}",
                file.display(),
                variants[plan.variant].label,
                point.join(", ")
            ))
        })?;
        built += 1;
    }
    println!(
        "{}: ok (sweep `{}`, {} variants, {built} scenarios built, {} runs)",
        file.display(),
        sweep.file.name,
        variants.len(),
        sweep.runs.len()
    );
    Ok(())
}

/// An attack matrix: every cell's scenario checked and built with the seed.
fn validate_matrix(file: &Path, set: &[String]) -> Result<(), Failure> {
    if !set.is_empty() {
        return Err(Failure::BadInput(format!(
            "{}: an attack matrix takes no --set (edit its [attack_matrix] table)",
            file.display()
        )));
    }
    let m = authsim_sim::attack_matrix::Matrix::load(file).map_err(Failure::input)?;
    let seed = m.file.attack_matrix.seed;
    for cell in &m.cells {
        m.scenario(cell).build(seed).map_err(|e| {
            Failure::BadInput(format!(
                "{}: cell {} × {}: {e}",
                file.display(),
                cell.protocol,
                cell.label()
            ))
        })?;
    }
    println!(
        "{}: ok (attack matrix `{}`, {} protocols, {} cells)",
        file.display(),
        m.file.name,
        m.baselines.len(),
        m.cells.len()
    );
    Ok(())
}
