//! The real 5G roles (UE, AMF/SEAF, AUSF, UDM) running EAP-AKA' behind an attacker steered by the input; no authenticated verdict may come from it.
#![no_main]

use authsim_protocols::adversary::{run_endpoints, targets};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    if let Err(v) = run_endpoints(targets::eap_aka_prime, data) {
        panic!("{v}");
    }
});
