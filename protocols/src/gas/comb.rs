//! One point multiplied by many scalars: a table of the point's multiples.
//!
//! In the broadcast schemes every member multiplies the same public point by
//! its own scalar (Chien: T_i = c_i·P_j; threshold GAS: T_i = c_i·P_s). A
//! variable-base multiplication costs ~256 doublings and 64 additions; with
//! a table of d·16^i·P (i < 64, d < 16, built once for ~1200 point
//! operations) it costs 64 additions. [`ec::mul`](super::ec::mul) builds a
//! table for a base it has used many times and keeps the last two per
//! thread. Each product is still computed; results and counts are unchanged.

use std::cell::RefCell;

use p256::elliptic_curve::PrimeField;
use p256::elliptic_curve::group::Group;
use p256::{ProjectivePoint, Scalar};
use subtle::{ConditionallySelectable, ConstantTimeEq};

/// Nibbles of a scalar.
const DIGITS: usize = 64;

/// d·16^i·P for every digit position i and nibble d (d = 0: the identity).
pub struct Comb {
    base: ProjectivePoint,
    table: Box<[[ProjectivePoint; 16]; DIGITS]>,
}

impl Comb {
    pub fn new(base: ProjectivePoint) -> Self {
        let mut table = Box::new([[ProjectivePoint::IDENTITY; 16]; DIGITS]);
        let mut step = base; // 16^i·P
        for row in table.iter_mut() {
            row[1] = step;
            for d in 2..16 {
                row[d] = row[d - 1] + step;
            }
            for _ in 0..4 {
                step = step.double();
            }
        }
        Self { base, table }
    }

    /// k·P: one addition per nibble of k, each table entry picked in
    /// constant time.
    pub fn mul(&self, k: &Scalar) -> ProjectivePoint {
        let bytes = k.to_repr(); // big-endian
        let mut acc = ProjectivePoint::IDENTITY;
        for (i, row) in self.table.iter().enumerate() {
            let nibble = (bytes[31 - i / 2] >> (4 * (i % 2))) & 0x0f;
            let mut pick = ProjectivePoint::IDENTITY;
            for (d, entry) in row.iter().enumerate() {
                pick.conditional_assign(entry, (d as u8).ct_eq(&nibble));
            }
            acc += pick;
        }
        acc
    }
}

/// Tables kept per thread, and how often recent bases without one were used.
#[derive(Default)]
struct Recent {
    tables: Vec<Comb>,
    uses: Vec<(ProjectivePoint, u32)>,
}

/// Tables kept per thread (~100 KB each), most recent last.
const KEPT: usize = 2;
/// Bases counted per thread.
const COUNTED: usize = 8;
/// A base gets a table on its 16th use. A table costs about four plain
/// multiplications and saves three quarters of each later one: it pays from
/// ~21 uses on, and a small group's base (10 meters of a smart meter among
/// 10^4) never gets one.
const BUILD_AT: u32 = 16;

thread_local! {
    static RECENT: RefCell<Recent> = RefCell::new(Recent::default());
}

/// k·P, by a table once P has been a base [`BUILD_AT`] times on this thread,
/// else by the plain multiplication.
pub fn mul(p: &ProjectivePoint, k: &Scalar) -> ProjectivePoint {
    let same = |q: &ProjectivePoint| bool::from(q.ct_eq(p));
    RECENT.with(|recent| {
        let mut r = recent.borrow_mut();
        if let Some(comb) = r.tables.iter().find(|c| same(&c.base)) {
            return comb.mul(k);
        }
        let uses = match r.uses.iter().position(|(q, _)| same(q)) {
            Some(i) => {
                r.uses[i].1 += 1;
                r.uses[i].1
            }
            None => {
                if r.uses.len() == COUNTED {
                    r.uses.remove(0);
                }
                r.uses.push((*p, 1));
                1
            }
        };
        if uses < BUILD_AT {
            return p * k;
        }
        r.uses.retain(|(q, _)| !same(q));
        if r.tables.len() == KEPT {
            r.tables.remove(0);
        }
        let comb = Comb::new(*p);
        let product = comb.mul(k);
        r.tables.push(comb);
        product
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::gas::field;
    use p256::elliptic_curve::Field;
    use rand::SeedableRng;

    #[test]
    fn table_products_equal_plain_ones() {
        let mut rng = crate::core::SimRng::seed_from_u64(9);
        let p = ProjectivePoint::GENERATOR * Scalar::random(&mut rng);
        let comb = Comb::new(p);
        let mut ks: Vec<Scalar> = (0..20).map(|_| Scalar::random(&mut rng)).collect();
        ks.extend([Scalar::ZERO, Scalar::ONE, -Scalar::ONE, field::from_id(16)]);
        for k in &ks {
            assert_eq!(comb.mul(k), p * k);
            // Through the per-thread cache: plain at first, then by table.
            assert_eq!(mul(&p, k), p * k);
        }
        let q = p.double();
        for k in &ks {
            assert_eq!(mul(&q, k), q * k);
            assert_eq!(mul(&p, k), p * k);
        }
    }
}
