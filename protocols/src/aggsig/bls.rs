//! BLS signatures on BLS12-381 (Boneh–Lynn–Shacham 2001; aggregation: Boneh, Gentry, Lynn,
//! Shacham, EUROCRYPT 2003), as the IETF CFRG draft draft-irtf-cfrg-bls-signature-05 defines
//! them: sk ∈ Z_r, pk = sk·g, σ = sk·H(m), verify e(pk, H(m)) = e(g, σ).
//!
//! Both variants of the draft: [`MinPk`] (pk in G1, 48 octets; σ in G2, 96 octets — the
//! Ethereum consensus suite, whose published vectors test this code) and [`MinSig`] (pk in G2,
//! σ in G1, 48 octets — what the metering protocol uses: a meter's signing is one hash to G1
//! and one G1 multiplication, and every reading it sends carries 48 octets, not 96).
//!
//! - `aggregate`: σ = Σ σ_i (n − 1 additions).
//! - `aggregate_verify` (distinct messages): Π_i e(pk_i, H(m_i)) = e(g, σ) — n + 1 Miller loops
//!   and one final exponentiation; the messages must be distinct (basic scheme, draft §3.1.1).
//! - `fast_aggregate_verify` (one message, proof-of-possession keys): e(Σ pk_i, H(m)) = e(g, σ)
//!   — two Miller loops.

use bls12_381::hash_to_curve::{ExpandMsgXmd, HashToCurve};
use bls12_381::{G1Affine, G1Projective, G2Affine, G2Prepared, G2Projective, Scalar};
use bls12_381::{Gt, multi_miller_loop};
use sha2_v09::Sha256;

use super::SigError;
use crate::core::{CryptoOps, Prim};

/// Ciphersuite tags of the draft (§4.2.1 basic, §4.2.3 proof of possession).
pub const DST_MIN_PK_POP: &[u8] = b"BLS_SIG_BLS12381G2_XMD:SHA-256_SSWU_RO_POP_";
pub const DST_MIN_PK_NUL: &[u8] = b"BLS_SIG_BLS12381G2_XMD:SHA-256_SSWU_RO_NUL_";
pub const DST_MIN_SIG_NUL: &[u8] = b"BLS_SIG_BLS12381G1_XMD:SHA-256_SSWU_RO_NUL_";

/// One variant of the draft: which group holds keys and which holds signatures.
pub trait Variant {
    /// A public key (affine point of the key group).
    type Pk: Copy + PartialEq + core::fmt::Debug;
    /// A signature (affine point of the signature group).
    type Sig: Copy + PartialEq + core::fmt::Debug;
    const PK_LEN: usize;
    const SIG_LEN: usize;
    /// pk = sk·g.
    fn sk_to_pk(sk: &Scalar, ops: &mut CryptoOps) -> Self::Pk;
    /// H(m) into the signature group.
    fn hash(msg: &[u8], dst: &[u8], ops: &mut CryptoOps) -> Self::Sig;
    /// sk·P in the signature group.
    fn sig_mul(p: &Self::Sig, sk: &Scalar, ops: &mut CryptoOps) -> Self::Sig;
    /// Σ σ_i.
    fn sig_sum(sigs: &[Self::Sig], ops: &mut CryptoOps) -> Self::Sig;
    /// Σ pk_i.
    fn pk_sum(pks: &[Self::Pk], ops: &mut CryptoOps) -> Self::Pk;
    /// Π e(pk_i, h_i) · e(−g, σ) = 1, as one multi-Miller loop and one final exponentiation.
    fn pairing_check(pairs: &[(Self::Pk, Self::Sig)], sig: &Self::Sig, ops: &mut CryptoOps)
    -> bool;
    fn pk_is_identity(pk: &Self::Pk) -> bool;
    fn sig_is_identity(sig: &Self::Sig) -> bool;
    fn encode_pk(pk: &Self::Pk) -> Vec<u8>;
    fn encode_sig(sig: &Self::Sig) -> Vec<u8>;
    /// Decompression with the subgroup check (KeyValidate's first half, draft §2.5).
    fn decode_pk(b: &[u8], ops: &mut CryptoOps) -> Result<Self::Pk, SigError>;
    fn decode_sig(b: &[u8], ops: &mut CryptoOps) -> Result<Self::Sig, SigError>;
}

/// Public keys in G1, signatures in G2.
#[derive(Clone, Copy, Debug)]
pub struct MinPk;
/// Public keys in G2, signatures in G1.
#[derive(Clone, Copy, Debug)]
pub struct MinSig;

fn g1_decode(b: &[u8], what: &'static str, ops: &mut CryptoOps) -> Result<G1Affine, SigError> {
    let arr: &[u8; 48] = b.try_into().map_err(|_| SigError::BadEncoding { what })?;
    ops.add(Prim::G1Decompress, 1);
    Option::from(G1Affine::from_compressed(arr)).ok_or(SigError::BadEncoding { what })
}

fn g2_decode(b: &[u8], what: &'static str, ops: &mut CryptoOps) -> Result<G2Affine, SigError> {
    let arr: &[u8; 96] = b.try_into().map_err(|_| SigError::BadEncoding { what })?;
    ops.add(Prim::G2Decompress, 1);
    Option::from(G2Affine::from_compressed(arr)).ok_or(SigError::BadEncoding { what })
}

fn g1_sum(ps: &[G1Affine], ops: &mut CryptoOps) -> G1Affine {
    ops.add(Prim::G1Add, ps.len().saturating_sub(1) as u64);
    ps.iter()
        .fold(G1Projective::identity(), |acc, p| acc + p)
        .into()
}

fn g2_sum(ps: &[G2Affine], ops: &mut CryptoOps) -> G2Affine {
    ops.add(Prim::G2Add, ps.len().saturating_sub(1) as u64);
    ps.iter()
        .fold(G2Projective::identity(), |acc, p| acc + p)
        .into()
}

/// Whether a multi-Miller-loop result is 1 after the final exponentiation.
fn is_one(terms: &[(&G1Affine, &G2Prepared)], ops: &mut CryptoOps) -> bool {
    ops.add(Prim::MillerLoop, terms.len() as u64);
    ops.add(Prim::FinalExp, 1);
    multi_miller_loop(terms).final_exponentiation() == Gt::identity()
}

impl Variant for MinPk {
    type Pk = G1Affine;
    type Sig = G2Affine;
    const PK_LEN: usize = 48;
    const SIG_LEN: usize = 96;
    fn sk_to_pk(sk: &Scalar, ops: &mut CryptoOps) -> G1Affine {
        ops.add(Prim::G1Mul, 1);
        (G1Affine::generator() * sk).into()
    }
    fn hash(msg: &[u8], dst: &[u8], ops: &mut CryptoOps) -> G2Affine {
        ops.add(Prim::HashToG2, 1);
        <G2Projective as HashToCurve<ExpandMsgXmd<Sha256>>>::hash_to_curve(msg, dst).into()
    }
    fn sig_mul(p: &G2Affine, sk: &Scalar, ops: &mut CryptoOps) -> G2Affine {
        ops.add(Prim::G2Mul, 1);
        (p * sk).into()
    }
    fn sig_sum(sigs: &[G2Affine], ops: &mut CryptoOps) -> G2Affine {
        g2_sum(sigs, ops)
    }
    fn pk_sum(pks: &[G1Affine], ops: &mut CryptoOps) -> G1Affine {
        g1_sum(pks, ops)
    }
    fn pairing_check(pairs: &[(G1Affine, G2Affine)], sig: &G2Affine, ops: &mut CryptoOps) -> bool {
        let prepared: Vec<G2Prepared> = pairs.iter().map(|(_, h)| G2Prepared::from(*h)).collect();
        let neg_g = -G1Affine::generator();
        let sig_p = G2Prepared::from(*sig);
        let mut terms: Vec<(&G1Affine, &G2Prepared)> = pairs
            .iter()
            .zip(&prepared)
            .map(|((pk, _), h)| (pk, h))
            .collect();
        terms.push((&neg_g, &sig_p));
        is_one(&terms, ops)
    }
    fn pk_is_identity(pk: &G1Affine) -> bool {
        bool::from(pk.is_identity())
    }
    fn sig_is_identity(sig: &G2Affine) -> bool {
        bool::from(sig.is_identity())
    }
    fn encode_pk(pk: &G1Affine) -> Vec<u8> {
        pk.to_compressed().to_vec()
    }
    fn encode_sig(sig: &G2Affine) -> Vec<u8> {
        sig.to_compressed().to_vec()
    }
    fn decode_pk(b: &[u8], ops: &mut CryptoOps) -> Result<G1Affine, SigError> {
        g1_decode(b, "public key", ops)
    }
    fn decode_sig(b: &[u8], ops: &mut CryptoOps) -> Result<G2Affine, SigError> {
        g2_decode(b, "signature", ops)
    }
}

impl Variant for MinSig {
    type Pk = G2Affine;
    type Sig = G1Affine;
    const PK_LEN: usize = 96;
    const SIG_LEN: usize = 48;
    fn sk_to_pk(sk: &Scalar, ops: &mut CryptoOps) -> G2Affine {
        ops.add(Prim::G2Mul, 1);
        (G2Affine::generator() * sk).into()
    }
    fn hash(msg: &[u8], dst: &[u8], ops: &mut CryptoOps) -> G1Affine {
        ops.add(Prim::HashToG1, 1);
        <G1Projective as HashToCurve<ExpandMsgXmd<Sha256>>>::hash_to_curve(msg, dst).into()
    }
    fn sig_mul(p: &G1Affine, sk: &Scalar, ops: &mut CryptoOps) -> G1Affine {
        ops.add(Prim::G1Mul, 1);
        (p * sk).into()
    }
    fn sig_sum(sigs: &[G1Affine], ops: &mut CryptoOps) -> G1Affine {
        g1_sum(sigs, ops)
    }
    fn pk_sum(pks: &[G2Affine], ops: &mut CryptoOps) -> G2Affine {
        g2_sum(pks, ops)
    }
    fn pairing_check(pairs: &[(G2Affine, G1Affine)], sig: &G1Affine, ops: &mut CryptoOps) -> bool {
        let prepared: Vec<G2Prepared> = pairs.iter().map(|(pk, _)| G2Prepared::from(*pk)).collect();
        let neg_sig = -*sig;
        let g = G2Prepared::from(G2Affine::generator());
        let mut terms: Vec<(&G1Affine, &G2Prepared)> = pairs
            .iter()
            .zip(&prepared)
            .map(|((_, h), pk)| (h, pk))
            .collect();
        terms.push((&neg_sig, &g));
        is_one(&terms, ops)
    }
    fn pk_is_identity(pk: &G2Affine) -> bool {
        bool::from(pk.is_identity())
    }
    fn sig_is_identity(sig: &G1Affine) -> bool {
        bool::from(sig.is_identity())
    }
    fn encode_pk(pk: &G2Affine) -> Vec<u8> {
        pk.to_compressed().to_vec()
    }
    fn encode_sig(sig: &G1Affine) -> Vec<u8> {
        sig.to_compressed().to_vec()
    }
    fn decode_pk(b: &[u8], ops: &mut CryptoOps) -> Result<G2Affine, SigError> {
        g2_decode(b, "public key", ops)
    }
    fn decode_sig(b: &[u8], ops: &mut CryptoOps) -> Result<G1Affine, SigError> {
        g1_decode(b, "signature", ops)
    }
}

/// pk = sk·g (SkToPk, draft §2.4).
pub fn sk_to_pk<V: Variant>(sk: &Scalar, ops: &mut CryptoOps) -> V::Pk {
    V::sk_to_pk(sk, ops)
}

/// σ = sk·H(m) (CoreSign, draft §2.6).
pub fn sign<V: Variant>(sk: &Scalar, msg: &[u8], dst: &[u8], ops: &mut CryptoOps) -> V::Sig {
    let h = V::hash(msg, dst, ops);
    V::sig_mul(&h, sk, ops)
}

/// e(pk, H(m)) = e(g, σ) (CoreVerify, draft §2.7); an identity key is refused (KeyValidate).
pub fn verify<V: Variant>(
    pk: &V::Pk,
    msg: &[u8],
    sig: &V::Sig,
    dst: &[u8],
    ops: &mut CryptoOps,
) -> Result<(), SigError> {
    aggregate_verify::<V>(&[*pk], &[msg], sig, dst, ops)
}

/// σ = Σ σ_i (Aggregate, draft §2.8).
pub fn aggregate<V: Variant>(sigs: &[V::Sig], ops: &mut CryptoOps) -> Result<V::Sig, SigError> {
    if sigs.is_empty() {
        return Err(SigError::Empty);
    }
    Ok(V::sig_sum(sigs, ops))
}

/// Π e(pk_i, H(m_i)) = e(g, σ) over distinct messages (basic-scheme AggregateVerify, draft
/// §3.1.1 with CoreAggregateVerify §2.9): n hashes, n + 1 Miller loops, one final exp.
pub fn aggregate_verify<V: Variant>(
    pks: &[V::Pk],
    msgs: &[&[u8]],
    sig: &V::Sig,
    dst: &[u8],
    ops: &mut CryptoOps,
) -> Result<(), SigError> {
    if pks.len() != msgs.len() {
        return Err(SigError::LengthMismatch {
            keys: pks.len(),
            messages: msgs.len(),
        });
    }
    if pks.is_empty() {
        return Err(SigError::Empty);
    }
    if pks.iter().any(V::pk_is_identity) {
        return Err(SigError::Infinity { what: "public key" });
    }
    check_distinct(msgs)?;
    let pairs: Vec<(V::Pk, V::Sig)> = pks
        .iter()
        .zip(msgs)
        .map(|(pk, m)| (*pk, V::hash(m, dst, ops)))
        .collect();
    if V::pairing_check(&pairs, sig, ops) {
        Ok(())
    } else {
        Err(SigError::Invalid)
    }
}

/// e(Σ pk_i, H(m)) = e(g, σ): one message signed by every key (FastAggregateVerify, draft
/// §3.3.4). Sound only for keys whose possession was proven (the POP ciphersuite).
pub fn fast_aggregate_verify<V: Variant>(
    pks: &[V::Pk],
    msg: &[u8],
    sig: &V::Sig,
    dst: &[u8],
    ops: &mut CryptoOps,
) -> Result<(), SigError> {
    if pks.is_empty() {
        return Err(SigError::Empty);
    }
    if pks.iter().any(V::pk_is_identity) {
        return Err(SigError::Infinity { what: "public key" });
    }
    let apk = V::pk_sum(pks, ops);
    let h = V::hash(msg, dst, ops);
    if V::pairing_check(&[(apk, h)], sig, ops) {
        Ok(())
    } else {
        Err(SigError::Invalid)
    }
}

/// The messages of a basic-scheme aggregate must be pairwise distinct (sorted comparison:
/// n log n, no hashing, nothing priced — the MDMS knows each reading's meter and interval).
fn check_distinct(msgs: &[&[u8]]) -> Result<(), SigError> {
    let mut idx: Vec<usize> = (0..msgs.len()).collect();
    idx.sort_unstable_by(|&a, &b| msgs[a].cmp(msgs[b]));
    for w in idx.windows(2) {
        if msgs[w[0]] == msgs[w[1]] {
            return Err(SigError::DuplicateMessage(w[0].min(w[1]), w[0].max(w[1])));
        }
    }
    Ok(())
}
