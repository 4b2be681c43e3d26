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

/// `k · p` for a variable base `p`, counted (by a table of `p`'s multiples
/// when one base is multiplied repeatedly, see [`comb`](super::comb)).
pub fn mul(p: &ProjectivePoint, k: &Scalar, ops: &mut CryptoOps) -> ProjectivePoint {
    ops.add(Prim::P256Mul, 1);
    super::comb::mul(p, k)
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
        let set = &mut cache[set_of(b)];
        if let Some(way) = set
            .iter()
            .position(|e| e.as_ref().is_some_and(|(k, _)| k == b))
        {
            // Most recently used first.
            set[..=way].rotate_right(1);
            return set[0].as_ref().and_then(|e| e.1);
        }
        let value = decode_uncached(b);
        set.rotate_right(1);
        set[0] = Some((*b, value));
        value
    })
}

/// Sets of [`WAYS`] entries (least recently used evicted): a direct-mapped
/// cache let two of a group's m points that share a slot evict each other at
/// every receiver.
const SETS: usize = 2048;
const WAYS: usize = 4;

type DecodeCache = Vec<[Option<([u8; POINT_LEN], Option<ProjectivePoint>)>; WAYS]>;

thread_local! {
    static DECODED: std::cell::RefCell<DecodeCache> =
        std::cell::RefCell::new(vec![Default::default(); SETS]);
}

/// Set from the x-coordinate bytes (uniform for real points).
fn set_of(b: &[u8; POINT_LEN]) -> usize {
    let mut x = [0u8; 8];
    x.copy_from_slice(&b[1..9]);
    (u64::from_le_bytes(x) ^ b[0] as u64) as usize % SETS
}

fn decode_uncached(b: &[u8; POINT_LEN]) -> Option<ProjectivePoint> {
    let p: Option<ProjectivePoint> = ProjectivePoint::from_bytes(&(*b).into()).into();
    p.filter(|p| !bool::from(p.is_identity()) && encode(p) == *b)
}

/// Sum of encoded points, counted like [`sum`] (one addition per point after
/// the first); `None` if one does not [`decode`].
///
/// Every participant of a Harn/Chien-style broadcast group sums the same m
/// public tokens, so the last few sums are kept per thread, keyed by the
/// exact list of encodings: a repeated list gives the same point without
/// adding again (Chien GAS with m = 1000: 10^3 identical sums of 10^3
/// points). Results and counts are unchanged.
pub fn sum_encoded(points: &[[u8; POINT_LEN]], ops: &mut CryptoOps) -> Option<ProjectivePoint> {
    ops.add(Prim::P256Add, points.len().saturating_sub(1) as u64);
    SUMS.with(|memo| {
        let mut memo = memo.borrow_mut();
        if let Some(i) = memo.iter().position(|(k, _)| k.as_slice() == points) {
            memo[..=i].rotate_right(1);
            return memo[0].1;
        }
        let mut uncounted = CryptoOps::default();
        let sum = points
            .iter()
            .map(decode)
            .collect::<Option<Vec<_>>>()
            .map(|ps| self::sum(ps.iter(), &mut uncounted));
        if memo.len() == SUM_MEMO {
            memo.pop();
        }
        memo.insert(0, (points.to_vec(), sum));
        sum
    })
}

/// Sums kept per thread by [`sum_encoded`] (most recent first).
const SUM_MEMO: usize = 8;

type SumMemo = Vec<(Vec<[u8; POINT_LEN]>, Option<ProjectivePoint>)>;

thread_local! {
    static SUMS: std::cell::RefCell<SumMemo> = const { std::cell::RefCell::new(Vec::new()) };
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

    #[test]
    fn decode_cache_keeps_points_that_share_a_set() {
        // More points than ways in one set, looked up round-robin: every
        // answer stays right (and each is cached after its first decode).
        let mut ops = CryptoOps::default();
        let mut same_set = Vec::new();
        let mut k = 1u64;
        let first = encode(&mul_base(&field::from_id(k), &mut ops));
        while same_set.len() < WAYS + 2 {
            let e = encode(&mul_base(&field::from_id(k), &mut ops));
            if set_of(&e) == set_of(&first) {
                same_set.push(e);
            }
            k += 1;
        }
        for _ in 0..3 {
            for e in &same_set {
                assert_eq!(decode(e).map(|p| encode(&p)), Some(*e));
            }
        }
    }

    #[test]
    fn sums_of_encoded_points_count_every_addition_also_when_remembered() {
        let mut ops = CryptoOps::default();
        let ps: Vec<ProjectivePoint> = (1..=5u64)
            .map(|k| mul_base(&field::from_id(k), &mut ops))
            .collect();
        let enc: Vec<[u8; POINT_LEN]> = ps.iter().map(encode).collect();
        let want = sum(ps.iter(), &mut CryptoOps::default());
        for _ in 0..2 {
            let mut ops = CryptoOps::default();
            let got = sum_encoded(&enc, &mut ops).unwrap();
            assert!(ct_eq(&got, &want));
            assert_eq!(ops.get(Prim::P256Add), 4);
        }
        // Another list, then one that does not decode.
        let mut ops = CryptoOps::default();
        assert!(ct_eq(
            &sum_encoded(&enc[..2], &mut ops).unwrap(),
            &(ps[0] + ps[1])
        ));
        assert_eq!(ops.get(Prim::P256Add), 1);
        assert_eq!(sum_encoded(&[enc[0], [0; POINT_LEN]], &mut ops), None);
    }
}
