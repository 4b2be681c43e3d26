//! Crypto primitives with operation counting.
//!
//! Every function that does cryptographic work takes `ops: &mut CryptoOps` and
//! adds the primitive operations it actually performed (AES blocks, SHA-256
//! compressions, ...). The simulator prices those counts with a node profile;
//! nothing here knows about time.

pub mod aes_blocks;
pub mod eap_aka_prime;
pub mod eia2;
pub mod kdf;
pub mod kdf_5g;
pub mod milenage;
pub mod suci;

use hmac::{Hmac, KeyInit, Mac};
use sha2::{Digest, Sha256};
use subtle::ConstantTimeEq;

use crate::core::{CryptoOps, Prim};

/// Number of SHA-256 compression-function calls for a message of `len` bytes
/// (padding adds 0x80 and a 64-bit length).
pub const fn sha256_blocks(len: usize) -> u64 {
    ((len + 9).div_ceil(64)) as u64
}

/// SHA-256 over the concatenation of `parts`.
pub fn sha256(parts: &[&[u8]], ops: &mut CryptoOps) -> [u8; 32] {
    let mut h = Sha256::new();
    let mut len = 0;
    for p in parts {
        h.update(p);
        len += p.len();
    }
    ops.add(Prim::Sha256Block, sha256_blocks(len));
    h.finalize().into()
}

/// HMAC-SHA-256 over the concatenation of `parts` (keys up to 64 bytes).
pub fn hmac_sha256(key: &[u8], parts: &[&[u8]], ops: &mut CryptoOps) -> [u8; 32] {
    let mut m = <Hmac<Sha256> as KeyInit>::new_from_slice(key).expect("HMAC takes any key length");
    let mut len = 0;
    for p in parts {
        m.update(p);
        len += p.len();
    }
    // Inner hash over (64-byte key block || message), outer over (key block || 32-byte digest);
    // a key longer than 64 bytes is hashed first.
    let key_hash = if key.len() > 64 {
        sha256_blocks(key.len())
    } else {
        0
    };
    ops.add(
        Prim::Sha256Block,
        key_hash + sha256_blocks(64 + len) + sha256_blocks(64 + 32),
    );
    m.finalize().into_bytes().into()
}

/// Constant-time equality of two byte strings (lengths are not secret).
pub fn ct_eq(a: &[u8], b: &[u8]) -> bool {
    a.len() == b.len() && bool::from(a.ct_eq(b))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sha256_known_answer_and_block_count() {
        let mut ops = CryptoOps::default();
        let d = sha256(&[b"a", b"bc"], &mut ops);
        assert_eq!(
            hex::encode(d),
            "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
        );
        assert_eq!(ops.get(Prim::Sha256Block), 1);
        assert_eq!(sha256_blocks(55), 1);
        assert_eq!(sha256_blocks(56), 2);
    }

    #[test]
    fn hmac_rfc4231_case_2() {
        let mut ops = CryptoOps::default();
        let m = hmac_sha256(b"Jefe", &[b"what do ya want ", b"for nothing?"], &mut ops);
        assert_eq!(
            hex::encode(m),
            "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843"
        );
        assert_eq!(ops.get(Prim::Sha256Block), 4);
    }

    #[test]
    fn ct_eq_compares_content_and_length() {
        assert!(ct_eq(b"abc", b"abc"));
        assert!(!ct_eq(b"abc", b"abd"));
        assert!(!ct_eq(b"abc", b"ab"));
    }
}
