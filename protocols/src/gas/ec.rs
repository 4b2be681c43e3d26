//! Counted P-256 point operations and the 33-octet compressed SEC1 encoding.
//!
//! Scalar multiplications and additions go through these wrappers so the
//! `P256Mul` / `P256MulBase` / `P256Add` counts are exactly the work done.
//! (De)compression costs a field inversion / square root that no `Prim`
//! prices; it is not counted.

use p256::elliptic_curve::group::{Group, GroupEncoding};
use p256::{ProjectivePoint, Scalar};
use subtle::ConstantTimeEq;

use crate::core::{CryptoOps, Prim};

/// Octets of a compressed SEC1 point.
pub const POINT_LEN: usize = 33;

/// `k · p` for a variable base `p`, counted.
pub fn mul(p: &ProjectivePoint, k: &Scalar, ops: &mut CryptoOps) -> ProjectivePoint {
    ops.add(Prim::P256Mul, 1);
    p * k
}

/// `k · G` for the generator (p256's precomputed basepoint table), counted.
///
/// `GENERATOR * k` would be a variable-base multiplication: only
/// `Group::mul_by_generator` uses the table.
pub fn mul_base(k: &Scalar, ops: &mut CryptoOps) -> ProjectivePoint {
    ops.add(Prim::P256MulBase, 1);
    ProjectivePoint::mul_by_generator(k)
}

/// `a + b`, counted.
pub fn add(a: &ProjectivePoint, b: &ProjectivePoint, ops: &mut CryptoOps) -> ProjectivePoint {
    ops.add(Prim::P256Add, 1);
    a + b
}

/// Sum of points: one addition per point after the first; the empty sum is
/// the identity.
pub fn sum<'a>(
    points: impl Iterator<Item = &'a ProjectivePoint>,
    ops: &mut CryptoOps,
) -> ProjectivePoint {
    let mut acc: Option<ProjectivePoint> = None;
    for p in points {
        acc = Some(match acc {
            None => *p,
            Some(a) => add(&a, p, ops),
        });
    }
    acc.unwrap_or(ProjectivePoint::IDENTITY)
}

/// Compressed SEC1 encoding (the identity encodes as 33 zero octets).
pub fn encode(p: &ProjectivePoint) -> [u8; POINT_LEN] {
    p.to_bytes().into()
}

/// Decodes a compressed point, refusing the identity (a zero token or a zero
/// session point would make every check trivially pass) and any non-canonical
/// form (the SEC1 decoder also takes the 0x05 "compact" tag), so each point
/// has exactly one accepted encoding.
///
/// Decompression (a field square root plus the canonical re-encoding check)
/// is not a counted primitive, and in a broadcast scheme every receiver decodes
/// the same bytes: a small per-thread cache keyed by the exact bytes returns
/// the same answer without recomputing it (Chien GAS with m = 1000 decodes
/// 10^6 tokens, 10^3 distinct). Results and counts are unchanged.
pub fn decode(b: &[u8; POINT_LEN]) -> Option<ProjectivePoint> {
    DECODED.with(|cache| {
        let mut cache = cache.borrow_mut();
        let slot = slot_of(b);
        if let Some((key, value)) = &cache[slot]
            && key == b
        {
            return *value;
        }
        let value = decode_uncached(b);
        cache[slot] = Some((*b, value));
        value
    })
}

const CACHE_SLOTS: usize = 8192;

type DecodeCache = Vec<Option<([u8; POINT_LEN], Option<ProjectivePoint>)>>;

thread_local! {
    static DECODED: std::cell::RefCell<DecodeCache> = std::cell::RefCell::new(vec![None; CACHE_SLOTS]);
}

/// Direct-mapped slot from the x-coordinate bytes (uniform for real points).
fn slot_of(b: &[u8; POINT_LEN]) -> usize {
    let mut x = [0u8; 8];
    x.copy_from_slice(&b[1..9]);
    (u64::from_le_bytes(x) ^ b[0] as u64) as usize % CACHE_SLOTS
}

fn decode_uncached(b: &[u8; POINT_LEN]) -> Option<ProjectivePoint> {
    let p: Option<ProjectivePoint> = ProjectivePoint::from_bytes(&(*b).into()).into();
    p.filter(|p| !bool::from(p.is_identity()) && encode(p) == *b)
}

/// Constant-time point equality.
pub fn ct_eq(a: &ProjectivePoint, b: &ProjectivePoint) -> bool {
    a.ct_eq(b).into()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::gas::field;

    #[test]
    fn encode_decode_and_counts() {
        let mut ops = CryptoOps::default();
        let p = mul_base(&field::from_id(5), &mut ops);
        let q = mul(&p, &field::from_id(3), &mut ops);
        let r = sum([p, q, p].iter(), &mut ops);
        assert!(ct_eq(&r, &mul_base(&field::from_id(25), &mut ops)));
        assert_eq!(ops.get(Prim::P256Mul), 1);
        assert_eq!(ops.get(Prim::P256MulBase), 2);
        assert_eq!(ops.get(Prim::P256Add), 2);
        assert_eq!(decode(&encode(&r)), Some(r));
        assert_eq!(decode(&[0; POINT_LEN]), None, "identity refused");
        let mut bad = encode(&r);
        bad[0] = 0x05;
        assert_eq!(decode(&bad), None);
    }
}
