//! The real aggregate-signature metering roles (BLS, then IBAS with its PKG) behind an attacker steered by the input; no authenticated verdict may come from it.
#![no_main]

use authsim_protocols::adversary::{run_endpoints, targets};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    for build in [targets::aggsig_bls, targets::aggsig_ibas] {
        if let Err(v) = run_endpoints(build, data) {
            panic!("{v}");
        }
    }
});
