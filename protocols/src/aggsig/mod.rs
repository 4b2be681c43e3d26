//! Signatures for authenticated smart-metering readings (Lai 2012 §3.3): BLS aggregate
//! signatures, the Gentry–Ramzan identity-based aggregate signature (IBAS), and the two
//! per-reading baselines, ECDSA-P256 and HMAC-SHA-256 (docs/protocols/aggregate-signatures.md).
//!
//! The pairing-based schemes run on BLS12-381 with zkcrypto's `bls12_381` (pure safe Rust,
//! audited for Zcash, with raw pairings, multi-Miller loops and RFC 9380 hash-to-curve, which
//! IBAS needs and which `blst`'s safe API does not offer). Every function adds the primitives
//! it performed to a `CryptoOps`, like the rest of `crypto/`.

pub mod batch;
pub mod bls;
pub mod closed_form;
pub mod ecdsa;
pub mod gateway;
pub mod ibas;
pub mod keygen;
pub mod mdms;
pub mod meter;
pub mod msg;
pub mod pkg;
pub mod scheme;
pub mod setup;
mod xmd;

#[cfg(test)]
mod tests;

use bls12_381::Scalar;
use thiserror::Error;

/// Why a key, signature or aggregate was refused.
#[derive(Clone, Copy, Debug, Error, PartialEq, Eq)]
pub enum SigError {
    /// The encoding is not a point of the expected subgroup (or not canonical).
    #[error("{what} is not a valid encoding")]
    BadEncoding { what: &'static str },
    /// The identity point where a key or signature must not be the identity.
    #[error("{what} is the point at infinity")]
    Infinity { what: &'static str },
    /// Nothing to aggregate or verify.
    #[error("empty aggregate")]
    Empty,
    /// Keys and messages of an aggregate do not pair up.
    #[error("{keys} keys for {messages} messages")]
    LengthMismatch { keys: usize, messages: usize },
    /// Two messages of a distinct-message aggregate are equal (the basic scheme needs them
    /// distinct, IETF BLS draft §3.1.1).
    #[error("messages {0} and {1} of the aggregate are equal")]
    DuplicateMessage(usize, usize),
    /// The signature equation does not hold.
    #[error("signature does not verify")]
    Invalid,
}

/// A scalar drawn uniformly (64 random bytes reduced mod r: bias below 2^-256) and non-zero.
pub fn random_scalar<R: rand::CryptoRng + ?Sized>(rng: &mut R) -> Scalar {
    loop {
        let mut wide = [0u8; 64];
        rng.fill_bytes(&mut wide);
        let s = Scalar::from_bytes_wide(&wide);
        if s != Scalar::zero() {
            return s;
        }
    }
}

/// A scalar from its 32-byte big-endian encoding (the IETF/consensus-spec secret-key form);
/// `None` if it is not below the group order or is zero.
pub fn scalar_from_be(bytes: &[u8; 32]) -> Option<Scalar> {
    let mut le = *bytes;
    le.reverse();
    Option::<Scalar>::from(Scalar::from_bytes(&le)).filter(|s| *s != Scalar::zero())
}

/// The 32-byte big-endian encoding of a scalar.
pub fn scalar_to_be(s: &Scalar) -> [u8; 32] {
    let mut b = s.to_bytes();
    b.reverse();
    b
}
