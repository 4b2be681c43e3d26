//! How long one counted P-256 operation takes on this machine, in wall time
//! and in this thread's CPU time (Linux `schedstat`; robust when the machine
//! is shared). Ignored by default; run with
//!
//! ```text
//! cargo test --release -p authsim-protocols --test p256_timing -- --ignored --nocapture
//! ```
//!
//! and multiply by a run's `p256_mul` / `p256_mul_base` counts (nodes.csv)
//! to see how much of its time the P-256 arithmetic alone accounts for.
//! `benches/primitives.rs` (`p256_*`) measures the same with Criterion.
//! Scalar-field multiplications and inversions (Harn tokens, Lagrange
//! weights) and point additions are timed too.

use std::hint::black_box;
use std::time::Instant;

use authsim_protocols::core::CryptoOps;
use authsim_protocols::gas::{ec, field};

/// This thread's CPU time in ns (first field of /proc/thread-self/schedstat).
fn cpu_ns() -> Option<u64> {
    std::fs::read_to_string("/proc/thread-self/schedstat")
        .ok()?
        .split_whitespace()
        .next()?
        .parse()
        .ok()
}

/// (wall, cpu) ns per call of `f`, best of `rounds` rounds of `n` calls.
fn time(n: u32, rounds: u32, mut f: impl FnMut()) -> (f64, Option<f64>) {
    let (mut wall, mut cpu) = (f64::MAX, f64::MAX);
    let mut have_cpu = true;
    for _ in 0..rounds {
        let (t0, c0) = (Instant::now(), cpu_ns());
        for _ in 0..n {
            f();
        }
        let (t1, c1) = (Instant::now(), cpu_ns());
        wall = wall.min((t1 - t0).as_nanos() as f64 / n as f64);
        match (c0, c1) {
            (Some(a), Some(b)) => cpu = cpu.min((b - a) as f64 / n as f64),
            _ => have_cpu = false,
        }
    }
    (wall, have_cpu.then_some(cpu))
}

#[test]
#[ignore = "timing, not a check: run with --ignored --nocapture"]
fn p256_operation_times() {
    let mut ops = CryptoOps::default();
    let k = field::from_id(0x1234_5678_9abc_def1) * field::from_id(0x0fed_cba9_8765_4321);
    let p = ec::mul_base(&k, &mut ops);
    let enc = ec::encode(&p);
    let show = |name: &str, (wall, cpu): (f64, Option<f64>)| {
        let cpu = cpu.map_or("n/a".into(), |c| format!("{:.3} us", c / 1e3));
        println!("{name:<14} wall {:>10.3} us   cpu {cpu:>12}", wall / 1e3);
    };
    show(
        "p256_mul",
        time(200, 5, || {
            black_box(black_box(&p) * black_box(&k));
        }),
    );
    // ec::mul on one base again and again (a group's members on one
    // public point) uses a table of its multiples.
    show(
        "p256_mul_same",
        time(200, 5, || {
            black_box(ec::mul(black_box(&p), black_box(&k), &mut ops));
        }),
    );
    show(
        "p256_mul_base",
        time(200, 5, || {
            black_box(ec::mul_base(black_box(&k), &mut ops));
        }),
    );
    show(
        "p256_decode",
        time(1000, 5, || {
            black_box(ec::decode(black_box(&enc)));
        }),
    );
    show(
        "p256_encode",
        time(1000, 5, || {
            black_box(ec::encode(black_box(&p)));
        }),
    );
    let q = ec::mul_base(&(k + k), &mut ops);
    show(
        "p256_add",
        time(100_000, 5, || {
            black_box(ec::add(black_box(&p), black_box(&q), &mut ops));
        }),
    );
    show(
        "scalar_mul",
        time(1_000_000, 5, || {
            black_box(field::mul(black_box(&k), black_box(&k), &mut ops));
        }),
    );
    show(
        "scalar_inv",
        time(10_000, 5, || {
            black_box(field::inv(black_box(&k), &mut ops));
        }),
    );
}
