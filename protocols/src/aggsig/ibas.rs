//! The Gentry–Ramzan identity-based aggregate signature (C. Gentry, Z. Ramzan,
//! "Identity-Based Aggregate Signatures", PKC 2006, LNCS 3958, pp. 257–273, §4), written for
//! the asymmetric pairing e: G1 × G2 → GT of BLS12-381 (g1, g2 the generators).
//!
//! - PKG setup: master secret s ∈ Z_r, public Q = s·g2.
//! - Key extraction for identity ID: P_{ID,j} = H1(ID, j) ∈ G1 for j = 0, 1; the private key
//!   is (s·P_{ID,0}, s·P_{ID,1}).
//! - Signing message m_i under the state string w (one per aggregate: here the reporting
//!   interval): P_w = H2(w) ∈ G1, c_i = H3(m_i, ID_i, w) ∈ Z_r, fresh r_i,
//!   S_i = r_i·P_w + s·P_{ID_i,0} + c_i·s·P_{ID_i,1} ∈ G1, T_i = r_i·g2 ∈ G2; σ_i = (w, S_i, T_i).
//! - Aggregation: S = Σ S_i, T = Σ T_i (same w).
//! - Verification: e(S, g2) = e(P_w, T) · e(Σ_i (P_{ID_i,0} + c_i·P_{ID_i,1}), Q), checked as
//!   e(S, −g2) · e(P_w, T) · e(A, Q) = 1: three Miller loops and one final exponentiation for
//!   any n, plus n hashes to Z_r and n G1 multiplications (P_{ID,j} are per identity and are
//!   cached by a verifier that knows its signers: [`VerifierIdentity`]).
//!
//! A signer must never sign two different messages under one w (the paper's condition); the
//! meter signs one reading per interval, and w names the interval.

use bls12_381::hash_to_curve::{ExpandMsgXmd, HashToCurve};
use bls12_381::{G1Affine, G1Projective, G2Affine, G2Prepared, G2Projective, Scalar};
use bls12_381::{Gt, multi_miller_loop};
use sha2_v09::Sha256;

use super::{SigError, random_scalar, xmd};
use crate::core::{CryptoOps, Prim};

/// Domain tags of the three random oracles (distinct, so the oracles are independent).
pub const DST_H1: &[u8] = b"AUTHSIM-IBAS-GR06-H1_BLS12381G1_XMD:SHA-256_SSWU_RO_";
pub const DST_H2: &[u8] = b"AUTHSIM-IBAS-GR06-H2_BLS12381G1_XMD:SHA-256_SSWU_RO_";
pub const DST_H3: &[u8] = b"AUTHSIM-IBAS-GR06-H3_XMD:SHA-256_SCALAR_";

/// Octets of one signature or aggregate: S (compressed G1) ‖ T (compressed G2).
pub const SIG_LEN: usize = 48 + 96;

/// The PKG: its master secret and public parameter Q.
pub struct Pkg {
    s: Scalar,
    pub q: G2Affine,
}

impl Drop for Pkg {
    fn drop(&mut self) {
        // `Scalar` is `Copy` without `Zeroize`: overwrite it.
        self.s = Scalar::zero();
    }
}

/// An identity's private key (s·P_{ID,0}, s·P_{ID,1}).
#[derive(Clone, Debug, PartialEq)]
pub struct PrivateKey {
    pub id: Vec<u8>,
    pub d0: G1Affine,
    pub d1: G1Affine,
}

/// What a verifier keeps per identity: P_{ID,0}, P_{ID,1} (two hashes, once).
#[derive(Clone, Debug, PartialEq)]
pub struct VerifierIdentity {
    pub id: Vec<u8>,
    pub p0: G1Affine,
    pub p1: G1Affine,
}

/// One signature, or an aggregate of signatures under the same w.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Signature {
    pub s: G1Affine,
    pub t: G2Affine,
}

/// H1(ID, j): j as one octet, then the identity.
fn h1(id: &[u8], j: u8, ops: &mut CryptoOps) -> G1Affine {
    let mut m = Vec::with_capacity(1 + id.len());
    m.push(j);
    m.extend_from_slice(id);
    ops.add(Prim::HashToG1, 1);
    <G1Projective as HashToCurve<ExpandMsgXmd<Sha256>>>::hash_to_curve(&m, DST_H1).into()
}

/// P_w = H2(w).
pub fn h2(w: &[u8], ops: &mut CryptoOps) -> G1Affine {
    ops.add(Prim::HashToG1, 1);
    <G1Projective as HashToCurve<ExpandMsgXmd<Sha256>>>::hash_to_curve(w, DST_H2).into()
}

/// c = H3(m, ID, w), each field length-prefixed (two octets) so the split is unambiguous.
fn h3(m: &[u8], id: &[u8], w: &[u8], ops: &mut CryptoOps) -> Scalar {
    let l = |x: &[u8]| (x.len().min(u16::MAX as usize) as u16).to_be_bytes();
    xmd::hash_to_scalar(&[&l(m), m, &l(id), id, &l(w), w], DST_H3, ops)
}

impl Pkg {
    /// Setup: s uniform in Z_r \ {0}, Q = s·g2.
    pub fn setup<R: rand::CryptoRng + ?Sized>(rng: &mut R, ops: &mut CryptoOps) -> Self {
        let s = random_scalar(rng);
        ops.add(Prim::G2Mul, 1);
        Pkg {
            s,
            q: (G2Affine::generator() * s).into(),
        }
    }

    /// Extract: the private key of `id`.
    pub fn extract(&self, id: &[u8], ops: &mut CryptoOps) -> PrivateKey {
        let p0 = h1(id, 0, ops);
        let p1 = h1(id, 1, ops);
        ops.add(Prim::G1Mul, 2);
        PrivateKey {
            id: id.to_vec(),
            d0: (p0 * self.s).into(),
            d1: (p1 * self.s).into(),
        }
    }
}

impl VerifierIdentity {
    /// The verifier's per-identity precomputation: P_{ID,0}, P_{ID,1}.
    pub fn new(id: &[u8], ops: &mut CryptoOps) -> Self {
        VerifierIdentity {
            id: id.to_vec(),
            p0: h1(id, 0, ops),
            p1: h1(id, 1, ops),
        }
    }
}

/// σ_i on `m` under state `w` (the paper's Sign).
pub fn sign<R: rand::CryptoRng + ?Sized>(
    key: &PrivateKey,
    w: &[u8],
    m: &[u8],
    rng: &mut R,
    ops: &mut CryptoOps,
) -> Signature {
    let pw = h2(w, ops);
    let c = h3(m, &key.id, w, ops);
    let mut r = random_scalar(rng);
    // S = r·P_w + d0 + c·d1 (two multiplications, two additions); T = r·g2.
    ops.add(Prim::G1Mul, 2);
    ops.add(Prim::G1Add, 2);
    ops.add(Prim::G2Mul, 1);
    let s = pw * r + G1Projective::from(key.d0) + key.d1 * c;
    let t = G2Affine::generator() * r;
    r.zeroize_scalar();
    Signature {
        s: s.into(),
        t: t.into(),
    }
}

/// Overwrites a secret scalar (`Scalar` implements neither `Drop` nor `Zeroize`).
trait ZeroizeScalar {
    fn zeroize_scalar(&mut self);
}
impl ZeroizeScalar for Scalar {
    fn zeroize_scalar(&mut self) {
        *self = Scalar::zero();
    }
}

/// S = Σ S_i, T = Σ T_i (all under one w).
pub fn aggregate(sigs: &[Signature], ops: &mut CryptoOps) -> Result<Signature, SigError> {
    if sigs.is_empty() {
        return Err(SigError::Empty);
    }
    let n = sigs.len() as u64 - 1;
    ops.add(Prim::G1Add, n);
    ops.add(Prim::G2Add, n);
    let s = sigs.iter().fold(G1Projective::identity(), |a, x| a + x.s);
    let t = sigs.iter().fold(G2Projective::identity(), |a, x| a + x.t);
    Ok(Signature {
        s: s.into(),
        t: t.into(),
    })
}

/// Verifies an aggregate of the signatures by `signers[i]` on `msgs[i]`, all under `w`.
/// Within one aggregate an identity may appear once (one reading per meter and interval).
pub fn verify(
    q: &G2Affine,
    signers: &[&VerifierIdentity],
    msgs: &[&[u8]],
    w: &[u8],
    sig: &Signature,
    ops: &mut CryptoOps,
) -> Result<(), SigError> {
    if signers.len() != msgs.len() {
        return Err(SigError::LengthMismatch {
            keys: signers.len(),
            messages: msgs.len(),
        });
    }
    if signers.is_empty() {
        return Err(SigError::Empty);
    }
    let terms: Vec<G1Affine> = signers
        .iter()
        .zip(msgs)
        .map(|(who, m)| signer_term(who, m, w, ops))
        .collect();
    let pw = h2(w, ops);
    verify_terms(q, &pw, &terms, sig, ops)
}

/// One signer's verification term P_{ID,0} + c·P_{ID,1}, c = H3(m, ID, w): a hash to Z_r,
/// one G1 multiplication and one addition. Computed once per reading, it serves every
/// sub-aggregate a bisection checks.
pub fn signer_term(who: &VerifierIdentity, m: &[u8], w: &[u8], ops: &mut CryptoOps) -> G1Affine {
    let c = h3(m, &who.id, w, ops);
    ops.add(Prim::G1Mul, 1);
    ops.add(Prim::G1Add, 1);
    (G1Projective::from(who.p0) + who.p1 * c).into()
}

/// e(S, −g2) · e(P_w, T) · e(Σ terms, Q) = 1: |terms| − 1 additions, three Miller loops,
/// one final exponentiation.
pub fn verify_terms(
    q: &G2Affine,
    pw: &G1Affine,
    terms: &[G1Affine],
    sig: &Signature,
    ops: &mut CryptoOps,
) -> Result<(), SigError> {
    if terms.is_empty() {
        return Err(SigError::Empty);
    }
    ops.add(Prim::G1Add, terms.len() as u64 - 1);
    let a: G1Affine = terms
        .iter()
        .fold(G1Projective::identity(), |acc, t| acc + t)
        .into();
    let neg_s = -sig.s;
    let g2 = G2Prepared::from(G2Affine::generator());
    let t = G2Prepared::from(sig.t);
    let q = G2Prepared::from(*q);
    ops.add(Prim::MillerLoop, 3);
    ops.add(Prim::FinalExp, 1);
    let ok = multi_miller_loop(&[(&neg_s, &g2), (pw, &t), (&a, &q)]).final_exponentiation()
        == Gt::identity();
    if ok { Ok(()) } else { Err(SigError::Invalid) }
}

impl Signature {
    /// S ‖ T, compressed.
    pub fn to_bytes(&self) -> [u8; SIG_LEN] {
        let mut out = [0u8; SIG_LEN];
        out[..48].copy_from_slice(&self.s.to_compressed());
        out[48..].copy_from_slice(&self.t.to_compressed());
        out
    }

    /// Decodes S ‖ T with subgroup checks.
    pub fn from_bytes(b: &[u8], ops: &mut CryptoOps) -> Result<Self, SigError> {
        let what = "IBAS signature";
        if b.len() != SIG_LEN {
            return Err(SigError::BadEncoding { what });
        }
        let s: [u8; 48] = b[..48]
            .try_into()
            .map_err(|_| SigError::BadEncoding { what })?;
        let t: [u8; 96] = b[48..]
            .try_into()
            .map_err(|_| SigError::BadEncoding { what })?;
        ops.add(Prim::G1Decompress, 1);
        ops.add(Prim::G2Decompress, 1);
        let s =
            Option::from(G1Affine::from_compressed(&s)).ok_or(SigError::BadEncoding { what })?;
        let t =
            Option::from(G2Affine::from_compressed(&t)).ok_or(SigError::BadEncoding { what })?;
        Ok(Signature { s, t })
    }
}

impl PrivateKey {
    /// d0 ‖ d1, compressed (what the PKG's key issue carries).
    pub fn to_bytes(&self) -> [u8; 96] {
        let mut out = [0u8; 96];
        out[..48].copy_from_slice(&self.d0.to_compressed());
        out[48..].copy_from_slice(&self.d1.to_compressed());
        out
    }

    /// Decodes d0 ‖ d1 for `id`, with subgroup checks.
    pub fn from_bytes(id: &[u8], b: &[u8], ops: &mut CryptoOps) -> Result<Self, SigError> {
        let what = "IBAS private key";
        let arr: &[u8; 96] = b.try_into().map_err(|_| SigError::BadEncoding { what })?;
        let d0: [u8; 48] = arr[..48]
            .try_into()
            .map_err(|_| SigError::BadEncoding { what })?;
        let d1: [u8; 48] = arr[48..]
            .try_into()
            .map_err(|_| SigError::BadEncoding { what })?;
        ops.add(Prim::G1Decompress, 2);
        let d0 =
            Option::from(G1Affine::from_compressed(&d0)).ok_or(SigError::BadEncoding { what })?;
        let d1 =
            Option::from(G1Affine::from_compressed(&d1)).ok_or(SigError::BadEncoding { what })?;
        Ok(PrivateKey {
            id: id.to_vec(),
            d0,
            d1,
        })
    }
}

/// e(d_j, g2) = e(P_{ID,j}, Q) for j = 0, 1: a meter can check the key the PKG issued
/// (four Miller loops, two final exponentiations).
pub fn check_private_key(
    q: &G2Affine,
    key: &PrivateKey,
    ops: &mut CryptoOps,
) -> Result<(), SigError> {
    let g2 = G2Prepared::from(G2Affine::generator());
    let qp = G2Prepared::from(*q);
    for (j, d) in [(0u8, key.d0), (1, key.d1)] {
        let p = h1(&key.id, j, ops);
        let neg_d = -d;
        ops.add(Prim::MillerLoop, 2);
        ops.add(Prim::FinalExp, 1);
        if multi_miller_loop(&[(&neg_d, &g2), (&p, &qp)]).final_exponentiation() != Gt::identity() {
            return Err(SigError::Invalid);
        }
    }
    Ok(())
}
