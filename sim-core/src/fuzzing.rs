//! Entry points of the scenario and sweep loader fuzz targets (`fuzz/`),
//! also run as bounded randomized tests (`tests/loader_fuzz.rs`): any bytes
//! must give a scenario or an error naming what is wrong, never a panic.

use std::path::PathBuf;

use crate::scenario::Scenario;
use crate::sweep::Sweep;

/// The path a fuzzed file claims: inside `scenarios/`, so a sweep's
/// variant paths reach the shipped scenario files.
pub fn input_path() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../scenarios/fuzz-input.toml")
}

/// Loads `data` as a scenario file; whether it was accepted.
pub fn scenario_toml(data: &[u8]) -> bool {
    std::str::from_utf8(data).is_ok_and(|t| Scenario::parse(t, &input_path(), &[]).is_ok())
}

/// Loads `data` as a sweep file; whether it was accepted.
pub fn sweep_toml(data: &[u8]) -> bool {
    std::str::from_utf8(data).is_ok_and(|t| Sweep::parse(t, &input_path(), &[]).is_ok())
}
