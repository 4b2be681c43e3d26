//! Counted arithmetic in the P-256 scalar field: Shamir polynomials and
//! Lagrange coefficients.
//!
//! Every multiplication and inversion goes through [`mul`] / [`inv`], so the
//! `ScalarMul` / `ScalarInv` counts are exactly the work done. Additions and
//! subtractions are not priced (no `Prim` for them; they are ~100x cheaper).

use p256::Scalar;
use p256::elliptic_curve::Field;
use p256::elliptic_curve::ops::Reduce;
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
    use p256::elliptic_curve::PrimeField;
    Scalar::from_repr((*b).into()).into()
}

/// Product of `factors`, counting one multiplication per factor after the first.
/// The empty product is 1 and costs nothing.
pub fn product(factors: impl Iterator<Item = Scalar>, ops: &mut CryptoOps) -> Scalar {
    let mut acc: Option<Scalar> = None;
    for f in factors {
        acc = Some(match acc {
            None => f,
            Some(a) => mul(&a, &f, ops),
        });
    }
    acc.unwrap_or(Scalar::ONE)
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
}
