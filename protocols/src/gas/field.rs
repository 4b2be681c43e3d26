//! Counted arithmetic in the P-256 scalar field: Shamir polynomials and
//! Lagrange coefficients.
//!
//! Every multiplication and inversion goes through [`mul`] / [`inv`], so the
//! `ScalarMul` / `ScalarInv` counts are exactly the work done. Additions and
//! subtractions are not priced (no `Prim` for them; they are ~100x cheaper).

use p256::Scalar;
use p256::elliptic_curve::ops::Reduce;
use p256::elliptic_curve::{Field, PrimeField};
use rand::CryptoRng;
use zeroize::Zeroize;

use crate::core::{CryptoOps, Prim};

/// `a · b`, counted.
pub fn mul(a: &Scalar, b: &Scalar, ops: &mut CryptoOps) -> Scalar {
    ops.add(Prim::ScalarMul, 1);
    a * b
}

/// `a⁻¹`, counted; `None` for zero.
pub fn inv(a: &Scalar, ops: &mut CryptoOps) -> Option<Scalar> {
    ops.add(Prim::ScalarInv, 1);
    a.invert().into()
}

/// A member identifier as a field element (the x-coordinate of its share).
pub fn from_id(id: u64) -> Scalar {
    Scalar::from(id)
}

/// A uniformly random non-zero scalar.
pub fn random_nonzero<R: CryptoRng + ?Sized>(rng: &mut R) -> Scalar {
    loop {
        let s = Scalar::random(rng);
        if !bool::from(s.is_zero()) {
            return s;
        }
    }
}

/// A 32-byte hash output reduced modulo the group order q.
///
/// The bias is below 2^-32 because q > 2^256 − 2^224; acceptable for
/// deriving interpolation points, never used for keys.
pub fn from_hash(h: &[u8; 32]) -> Scalar {
    <Scalar as Reduce<p256::FieldBytes>>::reduce(&(*h).into())
}

/// Big-endian 32-octet encoding.
pub fn to_bytes(s: &Scalar) -> [u8; 32] {
    s.to_bytes().into()
}

/// Parses a canonical (< q) 32-octet encoding.
pub fn from_bytes(b: &[u8; 32]) -> Option<Scalar> {
    Scalar::from_repr((*b).into()).into()
}

/// Product of `factors`, counting one multiplication per factor after the first.
/// The empty product is 1 and costs nothing.
///
/// Lagrange weights multiply differences of member identifiers, factors of
/// at most 64 bits and a sign: four of them are multiplied exactly as
/// integers (at most 256 bits) and reduced once, so the host does one field
/// multiplication per four such factors. The value and the count are those of
/// one field multiplication per factor.
pub fn product(factors: impl Iterator<Item = Scalar>, ops: &mut CryptoOps) -> Scalar {
    let mut acc: Option<Scalar> = None;
    let mut small = SmallProduct::default();
    let mut count = 0u64;
    for f in factors {
        count += 1;
        match small_signed(&f) {
            Some((negative, v)) => {
                if let Some(p) = small.push(negative, v) {
                    acc = Some(acc.map_or(p, |a| a * p));
                }
            }
            None => acc = Some(acc.map_or(f, |a| a * f)),
        }
    }
    if let Some(p) = small.finish() {
        acc = Some(acc.map_or(p, |a| a * p));
    }
    ops.add(Prim::ScalarMul, count.saturating_sub(1));
    acc.unwrap_or(Scalar::ONE)
}

/// `s` as ±v with v < 2^64, if it is that small.
fn small_signed(s: &Scalar) -> Option<(bool, u64)> {
    let fits = |b: &p256::FieldBytes| {
        b[..24]
            .iter()
            .all(|&x| x == 0)
            .then(|| u64::from_be_bytes(b[24..].try_into().expect("8 octets")))
    };
    fits(&s.to_repr())
        .map(|v| (false, v))
        .or_else(|| fits(&(-*s).to_repr()).map(|v| (true, v)))
}

/// Up to four factors of at most 64 bits, multiplied as integers.
#[derive(Default)]
struct SmallProduct {
    factors: [u64; 4],
    len: usize,
    negative: bool,
}

impl SmallProduct {
    /// Adds a factor; returns the product of four once they are in.
    fn push(&mut self, negative: bool, v: u64) -> Option<Scalar> {
        self.factors[self.len] = v;
        self.len += 1;
        self.negative ^= negative;
        (self.len == 4).then(|| self.take())
    }

    /// The product of the factors left, if any.
    fn finish(&mut self) -> Option<Scalar> {
        (self.len > 0).then(|| self.take())
    }

    fn take(&mut self) -> Scalar {
        let mut f = [1u64; 4];
        f[..self.len].copy_from_slice(&self.factors[..self.len]);
        let p = from_u256(mul_128(
            f[0] as u128 * f[1] as u128,
            f[2] as u128 * f[3] as u128,
        ));
        let p = if self.negative { -p } else { p };
        *self = Self::default();
        p
    }
}

/// a·b exactly, as four 64-bit words, least significant first.
fn mul_128(a: u128, b: u128) -> [u64; 4] {
    let lo = |x: u128| x as u64 as u128;
    let hi = |x: u128| x >> 64;
    let (a0, a1, b0, b1) = (lo(a), hi(a), lo(b), hi(b));
    let (ll, lh, hl, hh) = (a0 * b0, a0 * b1, a1 * b0, a1 * b1);
    let mid = hi(ll) + lo(lh) + lo(hl);
    let top = hi(mid) + hi(lh) + hi(hl) + lo(hh);
    [ll as u64, mid as u64, top as u64, (hi(top) + hi(hh)) as u64]
}

/// A 256-bit integer (words least significant first) reduced modulo q.
fn from_u256(w: [u64; 4]) -> Scalar {
    let mut b = [0u8; 32];
    for (i, word) in w.iter().enumerate() {
        b[24 - 8 * i..32 - 8 * i].copy_from_slice(&word.to_be_bytes());
    }
    <Scalar as Reduce<p256::FieldBytes>>::reduce(&b.into())
}

/// Lagrange basis coefficient λ_i(at) = Π_{j≠i} (at − x_j) / (x_i − x_j).
///
/// `others` are the x-coordinates of every other point of the set. With
/// `m − 1` others this costs 2(m − 2) + 1 multiplications and one inversion
/// (nothing when there are no others). `None` if some x_j equals x_i.
pub fn lagrange(
    xi: &Scalar,
    others: impl Iterator<Item = Scalar> + Clone,
    at: &Scalar,
    ops: &mut CryptoOps,
) -> Option<Scalar> {
    if others.clone().next().is_none() {
        return Some(Scalar::ONE);
    }
    let num = product(others.clone().map(|xj| *at - xj), ops);
    let den = product(others.map(|xj| *xi - xj), ops);
    let den_inv = inv(&den, ops)?;
    Some(mul(&num, &den_inv, ops))
}

/// The Lagrange coefficient at zero, λ_i(0) = Π_{j≠i} x_j / (x_j − x_i),
/// the weight Harn's tokens and the threshold scheme's c_i use.
pub fn lagrange_at_zero(
    xi: &Scalar,
    others: impl Iterator<Item = Scalar> + Clone,
    ops: &mut CryptoOps,
) -> Option<Scalar> {
    lagrange(xi, others, &Scalar::ZERO, ops)
}

/// Value at `at` of the unique polynomial of degree `points.len() − 1`
/// through `points` (distinct x). `None` on a repeated x.
pub fn interpolate(
    points: &[(Scalar, Scalar)],
    at: &Scalar,
    ops: &mut CryptoOps,
) -> Option<Scalar> {
    let mut acc = Scalar::ZERO;
    for (i, (xi, yi)) in points.iter().enumerate() {
        let others = points
            .iter()
            .enumerate()
            .filter(move |(j, _)| *j != i)
            .map(|(_, (xj, _))| *xj);
        let l = lagrange(xi, others, at, ops)?;
        acc += mul(yi, &l, ops);
    }
    Some(acc)
}

/// A secret polynomial f(x) = a_0 + a_1 x + … + a_{t−1} x^{t−1}; zeroized on drop.
pub struct Poly {
    coeffs: Vec<Scalar>,
}

impl Poly {
    /// Random polynomial of degree `t − 1` (t ≥ 1) with uniformly random
    /// coefficients, the constant term included (it is the secret).
    pub fn random<R: CryptoRng + ?Sized>(t: usize, rng: &mut R) -> Self {
        assert!(t >= 1, "a polynomial needs at least one coefficient");
        let coeffs = (0..t).map(|_| Scalar::random(&mut *rng)).collect();
        Self { coeffs }
    }

    /// The secret f(0).
    pub fn secret(&self) -> Scalar {
        self.coeffs[0]
    }

    /// f(x) by Horner's rule: t − 1 multiplications.
    pub fn eval(&self, x: &Scalar, ops: &mut CryptoOps) -> Scalar {
        let mut it = self.coeffs.iter().rev();
        let mut acc = *it.next().expect("t >= 1");
        for a in it {
            acc = mul(&acc, x, ops) + a;
        }
        acc
    }
}

impl Drop for Poly {
    fn drop(&mut self) {
        self.coeffs.zeroize();
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use rand::SeedableRng;

    #[test]
    fn shamir_reconstructs_from_any_t_shares() {
        let mut rng = crate::core::SimRng::seed_from_u64(1);
        let mut ops = CryptoOps::default();
        let f = Poly::random(3, &mut rng);
        let shares: Vec<(Scalar, Scalar)> = [3u64, 7, 11, 20]
            .iter()
            .map(|&id| (from_id(id), f.eval(&from_id(id), &mut ops)))
            .collect();
        assert_eq!(ops.get(Prim::ScalarMul), 4 * 2);
        for skip in 0..4 {
            let subset: Vec<_> = shares
                .iter()
                .enumerate()
                .filter(|(i, _)| *i != skip)
                .map(|(_, p)| *p)
                .collect();
            assert_eq!(
                interpolate(&subset, &Scalar::ZERO, &mut ops),
                Some(f.secret())
            );
            // Two shares of a degree-2 polynomial do not give the secret.
            assert_ne!(
                interpolate(&subset[..2], &Scalar::ZERO, &mut ops),
                Some(f.secret())
            );
        }
    }

    #[test]
    fn lagrange_counts_and_weights_sum_to_one() {
        let xs: Vec<Scalar> = [2u64, 5, 9, 14].iter().map(|&i| from_id(i)).collect();
        let mut ops = CryptoOps::default();
        let mut sum = Scalar::ZERO;
        for (i, xi) in xs.iter().enumerate() {
            let others = xs
                .iter()
                .enumerate()
                .filter(move |(j, _)| *j != i)
                .map(|(_, x)| *x);
            sum += lagrange_at_zero(xi, others, &mut ops).unwrap();
        }
        // Interpolating the constant polynomial 1 gives 1.
        assert_eq!(sum, Scalar::ONE);
        let m = 4;
        assert_eq!(ops.get(Prim::ScalarMul), (m * (2 * (m - 2) + 1)) as u64);
        assert_eq!(ops.get(Prim::ScalarInv), m as u64);
        // Repeated x: no coefficient.
        let dup = [from_id(2)];
        assert_eq!(
            lagrange_at_zero(&from_id(2), dup.iter().copied(), &mut ops),
            None
        );
    }

    #[test]
    fn scalar_encoding_rejects_non_canonical() {
        assert_eq!(from_bytes(&to_bytes(&from_id(77))), Some(from_id(77)));
        assert_eq!(from_bytes(&[0xff; 32]), None);
    }

    #[test]
    fn products_of_small_and_large_factors_equal_plain_products() {
        let mut rng = crate::core::SimRng::seed_from_u64(5);
        let big = Scalar::random(&mut rng);
        let edge = [
            0u64,
            1,
            2,
            3,
            u64::MAX,
            u64::MAX - 1,
            1 << 63,
            0x1234_5678_9abc_def0,
        ];
        let mut factors: Vec<Scalar> = Vec::new();
        for (i, &v) in edge.iter().chain(edge[1..].iter()).enumerate() {
            let x = Scalar::from(v);
            factors.push(if i % 3 == 1 { -x } else { x });
            if i % 5 == 4 {
                factors.push(big);
            }
        }
        for n in 0..factors.len() {
            for skip_zero in [false, true] {
                let fs: Vec<Scalar> = factors[..n]
                    .iter()
                    .copied()
                    .filter(|f| !(skip_zero && bool::from(f.is_zero())))
                    .collect();
                let want = fs.iter().fold(Scalar::ONE, |a, f| a * f);
                let mut ops = CryptoOps::default();
                assert_eq!(product(fs.iter().copied(), &mut ops), want, "{n}");
                assert_eq!(ops.get(Prim::ScalarMul), fs.len().saturating_sub(1) as u64);
            }
        }
        // Differences of identifiers, as the Lagrange weights take them.
        let ids: Vec<u64> = (0..50).map(|i| 1 + 977 * i).collect();
        let xi = from_id(ids[7]);
        let diffs = || {
            ids.iter()
                .map(|&x| xi - from_id(x))
                .filter(|d| !bool::from(d.is_zero()))
        };
        let want = diffs().fold(Scalar::ONE, |a, f| a * f);
        assert_eq!(product(diffs(), &mut CryptoOps::default()), want);
    }
}
