//! Wall-clock cost of the 3GPP primitives and the GAS P-256 operations on
//! this machine, to calibrate the per-node-class profiles that price
//! `CryptoOps` counts.

use std::hint::black_box;

use authsim_protocols::aka::{self, AMF_EPS, HeSqn, SqnState};
use authsim_protocols::core::CryptoOps;
use authsim_protocols::crypto::eia2::eia2;
use authsim_protocols::crypto::kdf::{NAS_INT_ALG, kasme, nas_key};
use authsim_protocols::crypto::milenage::{Milenage, opc};
use authsim_protocols::gas::{ec, field};
use criterion::{Criterion, criterion_group, criterion_main};

const K: [u8; 16] = [0x46; 16];
const OP: [u8; 16] = [0xcd; 16];
const RAND: [u8; 16] = [0x23; 16];
const SQN: [u8; 6] = [0, 0, 0, 0, 0, 0x21];

fn milenage(c: &mut Criterion) {
    let mut ops = CryptoOps::default();
    let m = Milenage::from_op(K, &OP, &mut ops);
    c.bench_function("milenage_opc", |b| {
        b.iter(|| opc(black_box(&K), black_box(&OP), &mut ops))
    });
    c.bench_function("milenage_f1", |b| {
        b.iter(|| m.f1(black_box(&RAND), &SQN, &AMF_EPS, &mut ops))
    });
    c.bench_function("milenage_f2345", |b| {
        b.iter(|| m.f2345(black_box(&RAND), &mut ops))
    });
}

fn aka_core(c: &mut Criterion) {
    let mut ops = CryptoOps::default();
    let m = Milenage::from_op(K, &OP, &mut ops);
    c.bench_function("aka_generate_vector", |b| {
        b.iter(|| aka::generate_vector(&m, SQN, AMF_EPS, black_box(RAND), &mut ops))
    });
    // A fresh vector and USIM state per iteration, so every check accepts.
    let mut he = HeSqn::default();
    let v = aka::generate_vector(&m, he.next(), AMF_EPS, RAND, &mut ops);
    c.bench_function("aka_usim_check", |b| {
        b.iter_batched(
            SqnState::default,
            |mut usim| aka::usim_check(&m, black_box(&v.rand), &v.autn, &mut usim, &mut ops),
            criterion::BatchSize::SmallInput,
        )
    });
}

fn kdf(c: &mut Criterion) {
    let mut ops = CryptoOps::default();
    let k = kasme(&[1; 16], &[2; 16], &[0x00, 0xf1, 0x10], &[3; 6], &mut ops);
    c.bench_function("kdf_kasme", |b| {
        b.iter(|| {
            kasme(
                black_box(&[1; 16]),
                &[2; 16],
                &[0x00, 0xf1, 0x10],
                &[3; 6],
                &mut ops,
            )
        })
    });
    c.bench_function("kdf_nas_key", |b| {
        b.iter(|| nas_key(black_box(&k), NAS_INT_ALG, 2, &mut ops))
    });
}

fn integrity(c: &mut Criterion) {
    let mut ops = CryptoOps::default();
    let msg = [0x5a; 40];
    c.bench_function("eia2_40_bytes", |b| {
        b.iter(|| eia2(&[7; 16], 0x1234, 1, 0, black_box(&msg), &mut ops))
    });
}

/// The counted P-256 operations (`P256Mul`, `P256MulBase`, `P256Add`) and
/// the uncounted SEC1 (de)compression every GAS token goes through.
fn p256(c: &mut Criterion) {
    let mut ops = CryptoOps::default();
    let k = field::from_id(0x1234_5678_9abc_def1) * field::from_id(0x0fed_cba9_8765_4321);
    let p = ec::mul_base(&k, &mut ops);
    let q = ec::mul_base(&(k + k), &mut ops);
    let enc = ec::encode(&p);
    c.bench_function("p256_mul", |b| {
        b.iter(|| ec::mul(black_box(&p), black_box(&k), &mut ops))
    });
    c.bench_function("p256_mul_base", |b| {
        b.iter(|| ec::mul_base(black_box(&k), &mut ops))
    });
    c.bench_function("p256_add", |b| {
        b.iter(|| ec::add(black_box(&p), black_box(&q), &mut ops))
    });
    c.bench_function("p256_encode", |b| b.iter(|| ec::encode(black_box(&p))));
    c.bench_function("p256_decode", |b| b.iter(|| ec::decode(black_box(&enc))));
}

criterion_group!(benches, milenage, aka_core, kdf, integrity, p256);
criterion_main!(benches);
