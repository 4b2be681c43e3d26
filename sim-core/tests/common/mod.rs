//! Helpers shared by the 5G closed-form tests (each test file that needs them
//! says `mod common;`).

use std::path::Path;

use authsim_protocols::core::Interface;
use authsim_sim::runner::{RunOptions, run};
use authsim_sim::scenario::Scenario;

/// (transmissions, bytes) on N1, N12 and N13 of one loss-free run of the
/// shipped scenario `file` (under scenarios/) with `n` devices and the SUCI
/// `protection` scheme.
pub fn fiveg_interface_counts(file: &str, protection: &str, n: u64) -> [(u64, u64); 3] {
    let path = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../scenarios")
        .join(file);
    let sets = [
        format!("population.devices={n}"),
        format!("protocol.protection=\"{protection}\""),
        "outputs.plots=false".into(),
    ];
    let s = Scenario::load(&path, &sets).unwrap();
    let (r, _) = run(&s, 1, &RunOptions::default()).unwrap();
    let t = r.interface_totals();
    [Interface::N1, Interface::N12, Interface::N13].map(|i| {
        let c = t.get(&i).copied().unwrap_or_default();
        (c.transmissions, c.bytes)
    })
}

/// Octets of the SUCI scheme output: BCD MSIN (5), or ephemeral key + 5 + tag 8.
pub fn scheme_output_len(protection: &str) -> usize {
    match protection {
        "null" => 5,
        "a" => 32 + 5 + 8,
        _ => 33 + 5 + 8,
    }
}

/// The SUCI string on the SBI: the MSIN digits or the scheme output in hex.
pub fn suci(protection: &str) -> String {
    match protection {
        "null" => "suci-0-001-01-0-0-0-0000000000".into(),
        p => {
            let scheme = if p == "a" { 1 } else { 2 };
            format!(
                "suci-0-001-01-0-{scheme}-1-{}",
                "ab".repeat(scheme_output_len(p))
            )
        }
    }
}
