//! The real 5G-AKA roles (UE, AMF/SEAF, AUSF, UDM) behind an attacker steered by the input; no authenticated verdict may come from it.
#![no_main]

use authsim_protocols::adversary::{run_endpoints, targets};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    if let Err(v) = run_endpoints(targets::fiveg_aka, data) {
        panic!("{v}");
    }
});
