//! The MDMS's check of one batch: the aggregate first, and when it fails, bisection over the
//! individual signatures (group testing: a failing set is split in halves, each half's
//! signatures are aggregated and checked, down to single readings).
//!
//! Each reading's pairing input (BLS: H(m_i); IBAS: P_{i,0} + c_i·P_{i,1}) is computed once,
//! when the batch is prepared, and reused by every sub-aggregate a bisection checks.
//! With b bad readings among n, bisection checks at most 2·b·⌈log2 n⌉ subsets.

use bls12_381::{G1Affine, G1Projective, G2Affine, G2Projective};

use super::bls::{MinSig, Variant};
use super::ibas;
use super::scheme::{BLS_DST, MeterRecord, Sigs, ibas_state};
use crate::core::{CryptoOps, Prim};

/// One batch's readings, prepared for aggregate checks.
pub enum Prepared {
    /// (pk_i, H(m_i)).
    Bls(Vec<(G2Affine, G1Affine)>),
    /// Q, P_w and the signers' terms.
    Ibas(Box<IbasPrepared>),
}

/// An IBAS batch prepared for checks.
pub struct IbasPrepared {
    q: G2Affine,
    pw: G1Affine,
    terms: Vec<G1Affine>,
}

/// Why a reading cannot be prepared.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct WrongRecord;

impl Prepared {
    /// Prepares the readings (`records[i]` signed `msgs[i]`) of one interval.
    pub fn new(
        records: &[&MeterRecord],
        msgs: &[&[u8]],
        interval: u32,
        ibas_q: Option<&G2Affine>,
        ops: &mut CryptoOps,
    ) -> Result<Self, WrongRecord> {
        match (records.first(), ibas_q) {
            (Some(MeterRecord::Bls(_)), _) => records
                .iter()
                .zip(msgs)
                .map(|(r, m)| match r {
                    MeterRecord::Bls(pk) => Ok((*pk, MinSig::hash(m, BLS_DST, ops))),
                    _ => Err(WrongRecord),
                })
                .collect::<Result<_, _>>()
                .map(Prepared::Bls),
            (Some(MeterRecord::Ibas(_)), Some(q)) => {
                let w = ibas_state(interval);
                let terms = records
                    .iter()
                    .zip(msgs)
                    .map(|(r, m)| match r {
                        MeterRecord::Ibas(who) => Ok(ibas::signer_term(who, m, &w, ops)),
                        _ => Err(WrongRecord),
                    })
                    .collect::<Result<_, _>>()?;
                Ok(Prepared::Ibas(Box::new(IbasPrepared {
                    q: *q,
                    pw: ibas::h2(&w, ops),
                    terms,
                })))
            }
            _ => Err(WrongRecord),
        }
    }

    pub fn len(&self) -> usize {
        match self {
            Prepared::Bls(p) => p.len(),
            Prepared::Ibas(p) => p.terms.len(),
        }
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Checks the aggregate the gateway sent (already decoded).
    pub fn check_aggregate(&self, agg: &Aggregate, ops: &mut CryptoOps) -> bool {
        match (self, agg) {
            (Prepared::Bls(pairs), Aggregate::Bls(s)) => MinSig::pairing_check(pairs, s, ops),
            (Prepared::Ibas(p), Aggregate::Ibas(s)) => {
                ibas::verify_terms(&p.q, &p.pw, &p.terms, s, ops).is_ok()
            }
            _ => false,
        }
    }

    /// Checks the readings at `idx` against the aggregate of their individual signatures.
    fn check_subset(&self, sigs: &Sigs, idx: &[usize], ops: &mut CryptoOps) -> bool {
        let extra = idx.len().saturating_sub(1) as u64;
        match (self, sigs) {
            (Prepared::Bls(pairs), Sigs::Bls(s)) => {
                ops.add(Prim::G1Add, extra);
                let agg: G1Affine = idx
                    .iter()
                    .fold(G1Projective::identity(), |a, &i| a + s[i])
                    .into();
                let sub: Vec<_> = idx.iter().map(|&i| pairs[i]).collect();
                MinSig::pairing_check(&sub, &agg, ops)
            }
            (Prepared::Ibas(p), Sigs::Ibas(s)) => {
                ops.add(Prim::G1Add, extra);
                ops.add(Prim::G2Add, extra);
                let agg = ibas::Signature {
                    s: idx
                        .iter()
                        .fold(G1Projective::identity(), |a, &i| a + s[i].s)
                        .into(),
                    t: idx
                        .iter()
                        .fold(G2Projective::identity(), |a, &i| a + s[i].t)
                        .into(),
                };
                let sub: Vec<_> = idx.iter().map(|&i| p.terms[i]).collect();
                ibas::verify_terms(&p.q, &p.pw, &sub, &agg, ops).is_ok()
            }
            _ => false,
        }
    }

    /// The indices of the bad readings of a batch whose aggregate failed, by bisection over
    /// the individual signatures; also the number of subsets checked.
    pub fn bisect(&self, sigs: &Sigs, ops: &mut CryptoOps) -> Bisection {
        let mut out = Bisection::default();
        let all: Vec<usize> = (0..self.len()).collect();
        // The whole set is known to fail: split it at once.
        self.split(sigs, &all, ops, &mut out);
        out
    }

    fn split(&self, sigs: &Sigs, idx: &[usize], ops: &mut CryptoOps, out: &mut Bisection) {
        if idx.len() == 1 {
            out.bad.push(idx[0]);
            return;
        }
        let (l, r) = idx.split_at(idx.len() / 2);
        for half in [l, r] {
            out.checks += 1;
            if !self.check_subset(sigs, half, ops) {
                self.split(sigs, half, ops, out);
            }
        }
    }
}

/// A decoded aggregate signature.
pub enum Aggregate {
    Bls(G1Affine),
    Ibas(ibas::Signature),
}

/// What a bisection found.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Bisection {
    /// Indices of the readings whose signature is bad, ascending.
    pub bad: Vec<usize>,
    /// Sub-aggregates checked.
    pub checks: u64,
}
