//! The sweep loader on the input: a sweep or an error, never a panic.
#![no_main]

use libfuzzer_sys::fuzz_target;
fuzz_target!(|data: &[u8]| {
    authsim_sim::fuzzing::sweep_toml(data);
});
