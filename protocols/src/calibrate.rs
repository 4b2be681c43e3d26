//! Measures this machine's cost of each counted primitive with the same
//! implementations the protocols use, to price `CryptoOps` for a node class.
//!
//! The timing loop is deliberately simple and robust (no criterion): find an
//! iteration count that fills one batch of `batch_ms`, warm up for `warmup_ms`,
//! time `batches` batches and keep the median per-operation time. The median of
//! several batches ignores the odd batch disturbed by another process.
//!
//! The BLS12-381 primitives (`aggsig`) are measured with zkcrypto's `bls12_381`, as the
//! aggregate-signature schemes call it; `Pairing` is one Miller loop and one final
//! exponentiation.

use std::hint::black_box;
use std::time::{Duration, Instant};

use aes::Aes128;
use aes::cipher::{BlockCipherEncrypt, KeyInit};
use p256::elliptic_curve::Field;
use p256::elliptic_curve::group::Group;
use p256::{ProjectivePoint, Scalar};
use rand::SeedableRng;

use crate::core::{CryptoOps, Prim, SimRng};
use crate::gas::aead;

/// How long to measure.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Budget {
    /// Warm-up time per primitive.
    pub warmup: Duration,
    /// Target duration of one timed batch.
    pub batch: Duration,
    /// Number of timed batches (the median is kept).
    pub batches: usize,
}

impl Budget {
    /// A budget of about `total` per primitive: a fifth warm-up, the rest in 7 batches.
    pub fn per_primitive(total: Duration) -> Self {
        let warmup = total / 5;
        let batches = 7;
        let batch = (total - warmup) / batches as u32;
        Self {
            warmup,
            batch: batch.max(Duration::from_micros(50)),
            batches,
        }
    }
}

impl Default for Budget {
    /// About 0.5 s per primitive.
    fn default() -> Self {
        Self::per_primitive(Duration::from_millis(500))
    }
}

/// One primitive's measured cost.
#[derive(Clone, Debug, PartialEq)]
pub struct Measurement {
    pub prim: Prim,
    /// Median time of one operation over the batches, in ns.
    pub ns: f64,
    /// Fastest and slowest batch, ns per operation.
    pub min_ns: f64,
    pub max_ns: f64,
    /// Operations timed per batch.
    pub ops_per_batch: u64,
    /// What was timed.
    pub what: &'static str,
}

/// (median, min, max) ns per operation and operations per batch.
pub type Timing = (f64, f64, f64, u64);

/// Times `f`, which performs `ops_per_call` operations per call; returns
/// (median, min, max) ns per operation and the calls per batch.
pub fn time_op(budget: &Budget, ops_per_call: u64, mut f: impl FnMut()) -> Timing {
    // Calibrate: double the call count until one run takes a tenth of a batch.
    let mut calls: u64 = 1;
    loop {
        let t = Instant::now();
        for _ in 0..calls {
            f();
        }
        let e = t.elapsed();
        if e >= budget.batch / 10 || calls >= 1 << 40 {
            let per_call = e.as_secs_f64() / calls as f64;
            calls = ((budget.batch.as_secs_f64() / per_call.max(1e-12)) as u64).max(1);
            break;
        }
        calls *= 2;
    }
    let warm = Instant::now();
    while warm.elapsed() < budget.warmup {
        f();
    }
    let mut per_op: Vec<f64> = (0..budget.batches.max(1))
        .map(|_| {
            let t = Instant::now();
            for _ in 0..calls {
                f();
            }
            t.elapsed().as_nanos() as f64 / (calls * ops_per_call) as f64
        })
        .collect();
    per_op.sort_by(f64::total_cmp);
    let median = per_op[per_op.len() / 2];
    (
        median,
        per_op[0],
        per_op[per_op.len() - 1],
        calls * ops_per_call,
    )
}

/// [`time_op`] of one P-256 variable-base scalar multiplication.
fn p256_variable_base(budget: &Budget) -> Timing {
    let mut rng = SimRng::seed_from_u64(0x9256);
    let k = Scalar::random(&mut rng);
    let mut acc = ProjectivePoint::GENERATOR * Scalar::random(&mut rng);
    time_op(budget, 1, || {
        acc = black_box(acc) * black_box(k);
    })
}

/// [`time_op`] of one P-256 fixed-base (generator) scalar multiplication,
/// as `gas::ec::mul_base` does it: p256's precomputed generator table
/// (`GENERATOR * s` would be a variable-base multiplication).
fn p256_fixed_base(budget: &Budget) -> Timing {
    let mut s = Scalar::from(0x9256u64);
    time_op(budget, 1, || {
        black_box(ProjectivePoint::mul_by_generator(black_box(&s)));
        s += Scalar::ONE;
    })
}

/// Bytes of plaintext per AES-GCM call when timing `AeadByte`.
pub const AEAD_MESSAGE_BYTES: usize = 1024;

/// Measures every primitive that has an implementation here, in `Prim` order.
pub fn measure_all(budget: &Budget) -> Vec<Measurement> {
    measure(budget, |_| true)
}

/// Measures the primitives `wanted` selects (those with an implementation
/// here), in `Prim` order; the others are not timed at all.
pub fn measure(budget: &Budget, wanted: impl Fn(Prim) -> bool) -> Vec<Measurement> {
    let mut rng = SimRng::seed_from_u64(0x00ca_11b7);
    let mut out = Vec::new();
    let mut push = |prim: Prim, what: &'static str, timed: &mut dyn FnMut() -> Timing| {
        if !wanted(prim) {
            return;
        }
        let r = timed();
        out.push(Measurement {
            prim,
            ns: r.0,
            min_ns: r.1,
            max_ns: r.2,
            ops_per_batch: r.3,
            what,
        })
    };

    // AES-128 block: the `aes` crate's Aes128, as Milenage and 128-EIA2 use it.
    let cipher = Aes128::new(&[0x46u8; 16].into());
    let mut block = [0x23u8; 16];
    push(
        Prim::AesBlock,
        "AES-128 encryption of one block (aes crate, as in Milenage/EIA2)",
        &mut || {
            time_op(budget, 1, || {
                cipher.encrypt_block((&mut block).into());
                black_box(&block);
            })
        },
    );

    // SHA-256 compression: one 64-byte block through sha2's compression function.
    let mut state = [0x6a09_e667u32; 8];
    let blocks = [[0x5au8; 64]];
    push(
        Prim::Sha256Block,
        "SHA-256 compression of one 64-byte block (sha2 crate)",
        &mut || {
            time_op(budget, 1, || {
                sha2::block_api::compress256(black_box(&mut state), black_box(&blocks));
            })
        },
    );

    push(
        Prim::P256Mul,
        "P-256 variable-base scalar multiplication (p256 crate)",
        &mut || p256_variable_base(budget),
    );
    push(
        Prim::P256MulBase,
        "P-256 fixed-base (generator) scalar multiplication (p256 crate)",
        &mut || p256_fixed_base(budget),
    );
    let p = ProjectivePoint::GENERATOR * Scalar::random(&mut rng);
    let q = ProjectivePoint::GENERATOR * Scalar::random(&mut rng);
    let mut sum = p;
    push(
        Prim::P256Add,
        "P-256 point addition, projective (p256 crate)",
        &mut || {
            time_op(budget, 1, || {
                sum = black_box(sum) + black_box(q);
            })
        },
    );
    let mut x = Scalar::random(&mut rng);
    push(
        Prim::ScalarInv,
        "inversion in the P-256 scalar field (p256 crate)",
        &mut || {
            time_op(budget, 1, || {
                let inv = Option::<Scalar>::from(black_box(x).invert()).unwrap_or(Scalar::ONE);
                x = inv + Scalar::ONE;
            })
        },
    );
    let y = Scalar::random(&mut rng);
    let mut z = x;
    push(
        Prim::ScalarMul,
        "multiplication in the P-256 scalar field (p256 crate)",
        &mut || {
            time_op(budget, 1, || {
                z = black_box(z) * black_box(y);
            })
        },
    );

    // AES-256-GCM: seal a 1 KiB message (cipher setup and tag included, as the
    // protocols pay them per message), priced per plaintext byte.
    let key = [7u8; aead::KEY_LEN];
    let nonce = [9u8; aead::NONCE_LEN];
    let msg = vec![0x11u8; AEAD_MESSAGE_BYTES];
    let mut ops = CryptoOps::default();
    push(
        Prim::AeadByte,
        "AES-256-GCM seal of a 1024-byte message, per byte (aes-gcm crate)",
        &mut || {
            time_op(budget, AEAD_MESSAGE_BYTES as u64, || {
                black_box(aead::seal(&key, &nonce, b"", black_box(&msg), &mut ops));
            })
        },
    );

    // X25519: one Diffie-Hellman (a variable-base Montgomery ladder), as the
    // SUCI profile A computes it.
    let secret = x25519_dalek::StaticSecret::from([0x35u8; 32]);
    let mut peer = x25519_dalek::PublicKey::from(&x25519_dalek::StaticSecret::from([0x77u8; 32]));
    push(
        Prim::X25519Mul,
        "X25519 scalar multiplication (x25519-dalek, as in SUCI profile A)",
        &mut || {
            time_op(budget, 1, || {
                let shared = secret.diffie_hellman(black_box(&peer));
                peer = x25519_dalek::PublicKey::from(*shared.as_bytes());
            })
        },
    );
    measure_bls12_381(budget, &mut rng, &mut push);
    // Report in `Prim` order (the profile's column order), whatever order they ran in.
    out.sort_by_key(|m| m.prim as usize);
    out
}

/// The BLS12-381 primitives of `aggsig`, in `Prim` order.
fn measure_bls12_381(
    budget: &Budget,
    rng: &mut SimRng,
    push: &mut impl FnMut(Prim, &'static str, &mut dyn FnMut() -> Timing),
) {
    use bls12_381::hash_to_curve::{ExpandMsgXmd, HashToCurve};
    use bls12_381::{G1Affine, G1Projective, G2Affine, G2Prepared, G2Projective, pairing};

    let k = crate::aggsig::random_scalar(rng);
    let p1: G1Affine = (G1Affine::generator() * crate::aggsig::random_scalar(rng)).into();
    let p2: G2Affine = (G2Affine::generator() * crate::aggsig::random_scalar(rng)).into();
    push(
        Prim::Pairing,
        "BLS12-381 pairing: Miller loop + final exponentiation (bls12_381 crate)",
        &mut || {
            time_op(budget, 1, || {
                black_box(pairing(black_box(&p1), black_box(&p2)));
            })
        },
    );
    let prepared = G2Prepared::from(p2);
    push(
        Prim::MillerLoop,
        "BLS12-381 Miller loop, G2 line preparation included (bls12_381 crate)",
        &mut || {
            time_op(budget, 1, || {
                let q = G2Prepared::from(black_box(p2));
                black_box(bls12_381::multi_miller_loop(&[(black_box(&p1), &q)]));
            })
        },
    );
    let ml = bls12_381::multi_miller_loop(&[(&p1, &prepared)]);
    push(
        Prim::FinalExp,
        "BLS12-381 final exponentiation (bls12_381 crate)",
        &mut || {
            time_op(budget, 1, || {
                black_box(black_box(ml).final_exponentiation());
            })
        },
    );
    let mut a1 = G1Projective::from(p1);
    push(
        Prim::G1Mul,
        "BLS12-381 G1 scalar multiplication (bls12_381 crate)",
        &mut || {
            time_op(budget, 1, || {
                a1 = black_box(a1) * black_box(k);
            })
        },
    );
    let mut a2 = G2Projective::from(p2);
    push(
        Prim::G2Mul,
        "BLS12-381 G2 scalar multiplication (bls12_381 crate)",
        &mut || {
            time_op(budget, 1, || {
                a2 = black_box(a2) * black_box(k);
            })
        },
    );
    push(
        Prim::G1Add,
        "BLS12-381 G1 addition, projective + affine (bls12_381 crate)",
        &mut || {
            time_op(budget, 1, || {
                a1 = black_box(a1) + black_box(p1);
            })
        },
    );
    push(
        Prim::G2Add,
        "BLS12-381 G2 addition, projective + affine (bls12_381 crate)",
        &mut || {
            time_op(budget, 1, || {
                a2 = black_box(a2) + black_box(p2);
            })
        },
    );
    let msg = [0x42u8; 32];
    push(
        Prim::HashToG1,
        "RFC 9380 hash to G1 of a 32-byte message, SHA-256 XMD (bls12_381 crate)",
        &mut || {
            time_op(budget, 1, || {
                black_box(<G1Projective as HashToCurve<
                    ExpandMsgXmd<sha2_v09::Sha256>,
                >>::hash_to_curve(
                    black_box(&msg),
                    crate::aggsig::bls::DST_MIN_SIG_NUL,
                ));
            })
        },
    );
    push(
        Prim::HashToG2,
        "RFC 9380 hash to G2 of a 32-byte message, SHA-256 XMD (bls12_381 crate)",
        &mut || {
            time_op(budget, 1, || {
                black_box(<G2Projective as HashToCurve<
                    ExpandMsgXmd<sha2_v09::Sha256>,
                >>::hash_to_curve(
                    black_box(&msg), crate::aggsig::bls::DST_MIN_PK_POP
                ));
            })
        },
    );
    let c1 = p1.to_compressed();
    push(
        Prim::G1Decompress,
        "BLS12-381 G1 point decompression with subgroup check (bls12_381 crate)",
        &mut || {
            time_op(budget, 1, || {
                black_box(G1Affine::from_compressed(black_box(&c1)));
            })
        },
    );
    let c2 = p2.to_compressed();
    push(
        Prim::G2Decompress,
        "BLS12-381 G2 point decompression with subgroup check (bls12_381 crate)",
        &mut || {
            time_op(budget, 1, || {
                black_box(G2Affine::from_compressed(black_box(&c2)));
            })
        },
    );
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn measures_every_implemented_primitive_positive() {
        let b = Budget {
            warmup: Duration::from_micros(200),
            batch: Duration::from_micros(300),
            batches: 3,
        };
        let m = measure_all(&b);
        let prims: Vec<Prim> = m.iter().map(|x| x.prim).collect();
        assert_eq!(prims, Prim::ALL.to_vec());
        for x in &m {
            assert!(x.ns > 0.0 && x.ns.is_finite(), "{x:?}");
            assert!(x.min_ns <= x.ns && x.ns <= x.max_ns, "{x:?}");
        }
    }

    #[test]
    fn budget_split() {
        let b = Budget::per_primitive(Duration::from_millis(700));
        assert_eq!(b.batches, 7);
        assert_eq!(b.warmup, Duration::from_millis(140));
        assert_eq!(b.batch, Duration::from_millis(80));
    }
}
