//! The schemes' hash functions, SHA-256 with a distinct 8-octet label per use.
//!
//! The papers write h, H, h_t, h_1 and h_2 and reuse h_1 for three different
//! values; here every use has its own fixed-length label, so no two uses can
//! collide on the same input (domain separation). All inputs after the label
//! have a fixed length per use, so the secret-prefix constructions
//! (`h(b_i ‖ …)`) are not exposed to length extension.

use p256::Scalar;

use crate::core::CryptoOps;
use crate::crypto::sha256;
use crate::gas::field;

/// Octets of every label.
pub const LABEL_LEN: usize = 8;

/// One use of SHA-256; the label is hashed first.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Domain {
    /// Harn H(s) and Chien h(s·P_j): the published verifiers.
    Verifier,
    /// Threshold h: h(sc·P_s), h(V) and the published h(sc·G).
    H,
    /// Threshold node key b_i = h(X ‖ ID_i).
    NodeKey,
    /// Threshold h_t, the per-session "randomly selected" hash: the label is
    /// followed by the session's 16-octet selector nonce.
    Ht,
    /// h_1 for the group session key GSK.
    H1Gsk,
    /// h_1 for AUTH / AUTH'.
    H1Auth,
    /// h_1 for the MDMS–gateway session key SK.
    H1Sk,
    /// h_2, x-coordinate of a mapped point.
    H2X,
    /// h_2, y-coordinate of a mapped point.
    H2Y,
    /// AES-256-GCM key from a long-term secret (k_i from b_i).
    AeadKey,
}

impl Domain {
    pub const fn label(self) -> &'static [u8; LABEL_LEN] {
        match self {
            Domain::Verifier => b"gas/verf",
            Domain::H => b"gas/h___",
            Domain::NodeKey => b"gas/bkey",
            Domain::Ht => b"gas/ht__",
            Domain::H1Gsk => b"gas/h1gk",
            Domain::H1Auth => b"gas/h1au",
            Domain::H1Sk => b"gas/h1sk",
            Domain::H2X => b"gas/h2x_",
            Domain::H2Y => b"gas/h2y_",
            Domain::AeadKey => b"gas/aead",
        }
    }
}

/// SHA-256(label ‖ parts…), counted.
pub fn hash(domain: Domain, parts: &[&[u8]], ops: &mut CryptoOps) -> [u8; 32] {
    let mut all: Vec<&[u8]> = Vec::with_capacity(parts.len() + 1);
    all.push(domain.label());
    all.extend_from_slice(parts);
    sha256(&all, ops)
}

/// h_2: maps an input to a point (x, y) of the scalar field, each coordinate
/// its own domain-separated hash (two SHA-256 calls).
pub fn h2(parts: &[&[u8]], ops: &mut CryptoOps) -> (Scalar, Scalar) {
    let x = field::from_hash(&hash(Domain::H2X, parts, ops));
    let y = field::from_hash(&hash(Domain::H2Y, parts, ops));
    (x, y)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn labels_are_distinct_and_fixed_length() {
        let all = [
            Domain::Verifier,
            Domain::H,
            Domain::NodeKey,
            Domain::Ht,
            Domain::H1Gsk,
            Domain::H1Auth,
            Domain::H1Sk,
            Domain::H2X,
            Domain::H2Y,
            Domain::AeadKey,
        ];
        for (i, a) in all.iter().enumerate() {
            for b in &all[i + 1..] {
                assert_ne!(a.label(), b.label());
            }
        }
        let mut ops = CryptoOps::default();
        assert_ne!(
            hash(Domain::H1Auth, &[b"x"], &mut ops),
            hash(Domain::H1Sk, &[b"x"], &mut ops)
        );
    }
}
