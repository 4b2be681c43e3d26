//! The random access model's bad input through the `authsim` binary: a
//! `[protocol.ran.rach]` value out of range is a usage error (exit 2) that
//! names its field, never a panic.

use std::path::PathBuf;
use std::process::Command;

#[test]
fn bad_rach_parameters_exit_2_naming_the_field() {
    let scenario =
        PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("scenarios/rach-tr37868/model2.toml");
    for (set, field) in [
        (
            "protocol.ran.rach.preambles=-5",
            "protocol.ran.rach.preambles",
        ),
        (
            "protocol.ran.rach.preambles=65",
            "protocol.ran.rach.preambles",
        ),
        (
            "protocol.ran.rach.opportunity_period_ms=0",
            "protocol.ran.rach.opportunity_period_ms",
        ),
        (
            "protocol.ran.rach.backoff_indicator_ms=-1",
            "protocol.ran.rach.backoff_indicator_ms",
        ),
        (
            "protocol.ran.rach.max_preamble_tx=0",
            "protocol.ran.rach.max_preamble_tx",
        ),
        (
            "protocol.ran.rach.rar_window_ms=11",
            "protocol.ran.rach.rar_window_ms",
        ),
        (
            "protocol.ran.rach.grants_per_rar=0",
            "protocol.ran.rach.grants_per_rar",
        ),
        (
            "protocol.ran.rach.harq_error=1.5",
            "protocol.ran.rach.harq_error",
        ),
        (
            "protocol.ran.rach.max_harq_tx=9",
            "protocol.ran.rach.max_harq_tx",
        ),
        (
            "protocol.ran.rach.contention_resolution_ms=4",
            "protocol.ran.rach.contention_resolution_ms",
        ),
    ] {
        let o = Command::new(env!("CARGO_BIN_EXE_authsim"))
            .args(["validate", &scenario.display().to_string(), "--set", set])
            .output()
            .expect("runs");
        let err = String::from_utf8_lossy(&o.stderr);
        assert_eq!(o.status.code(), Some(2), "{set}: {err}");
        assert!(err.contains(field), "{set}: expected `{field}` in: {err}");
        assert!(!err.contains("panicked"), "{err}");
    }
}
