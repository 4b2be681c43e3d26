//! The per-reading ECDSA-P256 baseline (FIPS 186-5, deterministic nonces of RFC 6979 with
//! SHA-256), with the `p256` crate's `ecdsa`. Each reading carries its own 64-octet r ‖ s.
//!
//! Counted work: signing = the message hash, RFC 6979's HMAC-DRBG (five HMACs when the first
//! candidate k is accepted, which fails with probability below 2^-32), one base-point
//! multiplication, one inversion and two scalar multiplications; verifying = the hash, one
//! inversion (s⁻¹), two scalar multiplications (u1, u2) and u1·G + u2·Q (a base-point and a
//! variable-base multiplication and one addition).

use p256::ecdsa::signature::{Signer, Verifier};
use p256::ecdsa::{Signature, SigningKey, VerifyingKey};

use super::SigError;
use crate::core::{CryptoOps, Prim};
use crate::crypto::sha256_blocks;

/// Octets of r ‖ s.
pub const SIG_LEN: usize = 64;
/// Octets of a compressed SEC1 public key.
pub const PK_LEN: usize = 33;

/// SHA-256 compressions of one HMAC-SHA-256 with a 32-octet key over `len` octets.
const fn hmac_blocks(len: usize) -> u64 {
    sha256_blocks(64 + len) + sha256_blocks(64 + 32)
}

/// RFC 6979 §3.2 steps d–h for a 32-octet x and h1: K = HMAC(V ‖ 00 ‖ x ‖ h1), V = HMAC(V),
/// K = HMAC(V ‖ 01 ‖ x ‖ h1), V = HMAC(V), then one V = HMAC(V) for the candidate k.
const RFC6979_BLOCKS: u64 = 2 * hmac_blocks(32 + 1 + 32 + 32) + 3 * hmac_blocks(32);

/// A signing key from 32 secret octets (big-endian scalar in [1, n − 1]).
pub fn signing_key(secret: &[u8; 32]) -> Result<SigningKey, SigError> {
    SigningKey::from_slice(secret).map_err(|_| SigError::BadEncoding {
        what: "ECDSA secret",
    })
}

/// A fresh signing key from the simulation's RNG.
pub fn random_signing_key<R: rand::CryptoRng + ?Sized>(rng: &mut R) -> SigningKey {
    loop {
        let mut b = [0u8; 32];
        rng.fill_bytes(&mut b);
        if let Ok(k) = SigningKey::from_slice(&b) {
            return k;
        }
    }
}

/// The compressed public key.
pub fn public_key_bytes(key: &SigningKey) -> [u8; PK_LEN] {
    let p = key.verifying_key().to_sec1_point(true);
    let mut out = [0u8; PK_LEN];
    out.copy_from_slice(p.as_bytes());
    out
}

/// A public key from its SEC1 encoding.
pub fn verifying_key(bytes: &[u8]) -> Result<VerifyingKey, SigError> {
    VerifyingKey::from_sec1_bytes(bytes).map_err(|_| SigError::BadEncoding {
        what: "ECDSA public key",
    })
}

/// r ‖ s of `msg` (SHA-256, RFC 6979 nonce).
pub fn sign(key: &SigningKey, msg: &[u8], ops: &mut CryptoOps) -> [u8; SIG_LEN] {
    ops.add(Prim::Sha256Block, sha256_blocks(msg.len()) + RFC6979_BLOCKS);
    ops.add(Prim::P256MulBase, 1);
    ops.add(Prim::ScalarInv, 1);
    ops.add(Prim::ScalarMul, 2);
    let sig: Signature = key.sign(msg);
    let mut out = [0u8; SIG_LEN];
    out.copy_from_slice(&sig.to_bytes());
    out
}

/// Verifies r ‖ s on `msg`.
pub fn verify(
    key: &VerifyingKey,
    msg: &[u8],
    sig: &[u8],
    ops: &mut CryptoOps,
) -> Result<(), SigError> {
    let sig = Signature::from_slice(sig).map_err(|_| SigError::BadEncoding {
        what: "ECDSA signature",
    })?;
    ops.add(Prim::Sha256Block, sha256_blocks(msg.len()));
    ops.add(Prim::ScalarInv, 1);
    ops.add(Prim::ScalarMul, 2);
    ops.add(Prim::P256MulBase, 1);
    ops.add(Prim::P256Mul, 1);
    ops.add(Prim::P256Add, 1);
    key.verify(msg, &sig).map_err(|_| SigError::Invalid)
}
