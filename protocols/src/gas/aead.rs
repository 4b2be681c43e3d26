//! AES-256-GCM with counting: E_k(·) of the threshold scheme.
//!
//! `AeadByte` counts plaintext (= ciphertext minus tag) octets, the unit the
//! node profiles price; the GHASH over the associated data is not counted.

use aes_gcm::aead::{Aead, KeyInit, Payload};
use aes_gcm::{Aes256Gcm, Key};
use zeroize::Zeroizing;

use crate::core::{CryptoOps, Prim};

pub const KEY_LEN: usize = 32;
pub const NONCE_LEN: usize = 12;
pub const TAG_LEN: usize = 16;

fn cipher(key: &[u8; KEY_LEN]) -> Aes256Gcm {
    Aes256Gcm::new(&Key::<Aes256Gcm>::from(*key))
}

/// Encrypts `plaintext`; returns ciphertext ‖ 16-octet tag.
pub fn seal(
    key: &[u8; KEY_LEN],
    nonce: &[u8; NONCE_LEN],
    aad: &[u8],
    plaintext: &[u8],
    ops: &mut CryptoOps,
) -> Vec<u8> {
    ops.add(Prim::AeadByte, plaintext.len() as u64);
    cipher(key)
        .encrypt(
            &(*nonce).into(),
            Payload {
                msg: plaintext,
                aad,
            },
        )
        .expect("AES-GCM encryption only fails beyond 2^36 octets")
}

/// Decrypts and authenticates; `None` if the tag does not verify.
pub fn open(
    key: &[u8; KEY_LEN],
    nonce: &[u8; NONCE_LEN],
    aad: &[u8],
    ciphertext: &[u8],
    ops: &mut CryptoOps,
) -> Option<Zeroizing<Vec<u8>>> {
    ops.add(
        Prim::AeadByte,
        ciphertext.len().saturating_sub(TAG_LEN) as u64,
    );
    cipher(key)
        .decrypt(
            &(*nonce).into(),
            Payload {
                msg: ciphertext,
                aad,
            },
        )
        .ok()
        .map(Zeroizing::new)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn seal_open_and_tamper() {
        let mut ops = CryptoOps::default();
        let ct = seal(&[7; 32], &[1; 12], b"aad", &[42; 32], &mut ops);
        assert_eq!(ct.len(), 32 + TAG_LEN);
        assert_eq!(
            open(&[7; 32], &[1; 12], b"aad", &ct, &mut ops).as_deref(),
            Some(&vec![42u8; 32])
        );
        assert_eq!(ops.get(Prim::AeadByte), 64);
        let mut bad = ct.clone();
        bad[3] ^= 1;
        assert!(open(&[7; 32], &[1; 12], b"aad", &bad, &mut ops).is_none());
        assert!(open(&[7; 32], &[1; 12], b"aaD", &ct, &mut ops).is_none());
    }
}
