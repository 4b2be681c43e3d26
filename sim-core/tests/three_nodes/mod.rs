//! The device–serving–home network of the `[[attacks]]` tests (attacks.rs,
//! attacks_mitm.rs; each says `mod three_nodes;`): one scenario text, so the
//! two files differ only in what they attack.

use std::path::Path;

use authsim_sim::scenario::Scenario;

/// A loss-free `protocol` network of the three `nodes` (device, serving,
/// home), `devices` devices starting within 2 s, and the `attacks` lines.
pub fn scenario(
    name: &str,
    seed: u64,
    devices: u32,
    protocol: &str,
    nodes: [&str; 3],
    attacks: &str,
) -> String {
    let [dev, serving, home] = nodes;
    format!(
        r#"
name = "{name}"
[run]
seed = {seed}
[protocol]
name = "{protocol}"
[population]
devices = {devices}
arrivals = {{ pattern = "uniform", window_s = 2.0 }}
[nodes.{dev}]
profile = "constrained-device"
[nodes.{serving}]
profile = "server"
[nodes.{home}]
profile = "server"
[[links]]
between = ["{dev}", "{serving}"]
latency = {{ dist = "fixed", ms = 10.0 }}
[[links]]
between = ["{serving}", "{home}"]
latency = {{ dist = "fixed", ms = 5.0 }}
{attacks}
"#
    )
}

/// Parses a scenario text as the file `name`.toml, the error as text.
pub fn parse(name: &str, text: &str) -> Result<Scenario, String> {
    Scenario::parse(text, Path::new(&format!("{name}.toml")), &[]).map_err(|e| e.to_string())
}
