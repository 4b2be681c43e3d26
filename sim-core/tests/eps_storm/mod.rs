//! The plain EPS-AKA storm of overload.rs and wasted.rs (each says
//! `mod eps_storm;`): devices straight to one slow MME, one scenario text.

use std::path::Path;

use authsim_sim::report::RunResult;
use authsim_sim::runner::{RunOptions, run};
use authsim_sim::scenario::Scenario;

/// `devices` within 2 s at an MME of about 250 attaches/s (1 ms per
/// message); `protocol` tables go under `[protocol]`, `outputs` lines under
/// `[outputs]`.
pub fn text(name: &str, seed: u64, devices: u32, protocol: &str, outputs: &str) -> String {
    format!(
        r#"
name = "{name}"
[run]
seed = {seed}
[protocol]
name = "eps-aka"
{protocol}
[population]
devices = {devices}
arrivals = {{ pattern = "uniform", window_s = 2.0 }}
[nodes.ue]
profile = "constrained-device"
[nodes.mme]
profile = "slow-mme"
servers = 1
[nodes.hss]
profile = "server"
[profiles.slow-mme]
base = "server"
per_input_us = 1000.0
[[links]]
between = ["ue", "mme"]
latency = {{ dist = "fixed", ms = 10.0 }}
[[links]]
between = ["mme", "hss"]
latency = {{ dist = "fixed", ms = 5.0 }}
[outputs]
plots = false
{outputs}
"#
    )
}

/// The storm of [`text`], run with `seed`.
pub fn storm(name: &str, seed: u64, devices: u32, protocol: &str, outputs: &str) -> RunResult {
    let text = text(name, seed, devices, protocol, outputs);
    let scn = Scenario::parse(&text, Path::new(&format!("{name}.toml")), &[]).unwrap();
    run(&scn, seed, &RunOptions::default()).unwrap().0
}
