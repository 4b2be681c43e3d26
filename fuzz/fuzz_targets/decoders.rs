//! Every wire and GAS decoder on the input; accepted bytes must round-trip exactly.
#![no_main]

use authsim_protocols::adversary::decoders;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    if let Err(e) = decoders::all(data) {
        panic!("{e}");
    }
});
