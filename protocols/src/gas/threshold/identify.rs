//! Identification of nodes whose tokens are wrong (§3.4 / §5.4 made concrete).
//!
//! The leader dealt f and drew P_s = r·G, so it can recompute any node's
//! correct token c_i·P_s = (r·c_i)·G with one fixed-base multiplication,
//! where c_i = f(ID_i)·λ_i and λ_i is the Lagrange weight at 0 over the
//! challenged set M. The procedure, cheapest first:
//!
//! 1. if some challenged tokens are missing or were dropped (bad v_i), check
//!    the valid ones together: Σ_{i∈S} T_i = (r·Σ_{i∈S} c_i)·G — one
//!    fixed-base multiplication; if it holds every token in S is accepted
//!    (the common case: honest nodes around a dropped forgery);
//! 2. otherwise check each token on its own: T_i = (r·c_i)·G.
//!
//! (When all m tokens are present and the paper's sum check failed, step 1
//! would repeat that check and is skipped.) The exact per-token check never
//! accepts a wrong token, and an honest token always passes, so the result
//! does not depend on how many nodes cheat.

use p256::{ProjectivePoint, Scalar};
use zeroize::Zeroizing;

use crate::core::CryptoOps;
use crate::gas::ec;
use crate::gas::field::{self, Poly};

/// For each `(index into ids, token)` of `present`, whether the token equals
/// the correct c_i·P_s. `all_present_failed` says the full sum check already
/// failed with every challenged token present (step 1 then cannot help).
pub fn identify(
    f: &Poly,
    r: &Scalar,
    ids: &[u64],
    present: &[(usize, ProjectivePoint)],
    all_present_failed: bool,
    ops: &mut CryptoOps,
) -> Vec<bool> {
    let weights: Zeroizing<Vec<Option<Scalar>>> = Zeroizing::new(
        present
            .iter()
            .map(|&(i, _)| {
                let xi = field::from_id(ids[i]);
                let others = ids
                    .iter()
                    .enumerate()
                    .filter(move |(j, _)| *j != i)
                    .map(|(_, &id)| field::from_id(id));
                let lambda = field::lagrange_at_zero(&xi, others, ops)?;
                Some(field::mul(&f.eval(&xi, ops), &lambda, ops))
            })
            .collect(),
    );
    if !all_present_failed && weights.iter().all(Option::is_some) {
        let c_sum: Scalar = weights.iter().flatten().sum();
        let expected = ec::mul_base(&field::mul(r, &c_sum, ops), ops);
        let got = ec::sum(present.iter().map(|(_, t)| t), ops);
        if ec::ct_eq(&got, &expected) {
            return vec![true; present.len()];
        }
    }
    present
        .iter()
        .zip(weights.iter())
        .map(|((_, t), c)| match c {
            Some(c) => ec::ct_eq(t, &ec::mul_base(&field::mul(r, c, ops), ops)),
            None => false,
        })
        .collect()
}
