//! The scenario and sweep loader fuzz targets as bounded randomized tests:
//! mutants of the seed corpus (`fuzz/corpus/*_toml`) must load or be refused,
//! never panic.

use std::path::Path;

use rand::{Rng, RngExt, SeedableRng};

use authsim_protocols::core::SimRng;
use authsim_sim::fuzzing::{scenario_toml, sweep_toml};

fn corpus(name: &str) -> Vec<Vec<u8>> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../fuzz/corpus")
        .join(name);
    let mut files: Vec<_> = std::fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .collect();
    files.sort();
    files
        .into_iter()
        .map(|p| std::fs::read(p).unwrap())
        .collect()
}

/// Text-aware mutants: flipped and replaced octets, TOML punctuation and
/// numbers spliced in, cut lines.
fn mutant(seed: &[u8], rng: &mut SimRng) -> Vec<u8> {
    const SPLICE: &[&[u8]] = &[
        b"=",
        b"[",
        b"]]",
        b"\"",
        b"\n",
        b"-1",
        b"1e308",
        b"nan",
        b"0",
        b"{",
        b"}",
        b",",
        b"4294967296",
        b"[[links]]\n",
        b"loss = 2.0\n",
        b"devices = 0\n",
    ];
    let mut v = seed.to_vec();
    for _ in 0..rng.random_range(1..=3) {
        if v.is_empty() {
            v.push(b'x');
        }
        let i = rng.random_range(0..v.len());
        match rng.random_range(0..4) {
            0 => v[i] ^= 1 << rng.random_range(0..8),
            1 => v[i] = rng.next_u32() as u8,
            2 => {
                let s = SPLICE[rng.random_range(0..SPLICE.len())];
                v.splice(i..i, s.iter().copied());
            }
            _ => {
                let end = (i + rng.random_range(0..80)).min(v.len());
                v.drain(i..end);
            }
        }
    }
    v
}

const MUTANTS: usize = 300;

#[test]
fn scenario_and_sweep_loaders_refuse_mutants_without_panicking() {
    let mut rng = SimRng::seed_from_u64(12);
    for (name, load) in [
        ("scenario_toml", scenario_toml as fn(&[u8]) -> bool),
        ("sweep_toml", sweep_toml),
    ] {
        let seeds = corpus(name);
        assert!(!seeds.is_empty());
        let mut accepted = 0;
        for seed in &seeds {
            assert!(load(seed), "{name}: a shipped file loads");
            for _ in 0..MUTANTS {
                accepted += usize::from(load(&mutant(seed, &mut rng)));
            }
        }
        // Some mutants (a changed comment, a changed number) still load.
        assert!(accepted > 0, "{name}");
    }
}
