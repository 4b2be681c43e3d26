//! TLS 1.3 record protection with AES-128-GCM (RFC 8446 §5.2–5.3): the inner
//! plaintext is the content followed by its real content type; the record
//! header is the additional data; the nonce is the IV XOR the sequence number.
//! `AeadByte` counts plaintext octets, as in `gas/aead.rs`.

use aes_gcm::aead::{Aead, KeyInit, Payload};
use aes_gcm::{Aes128Gcm, Key};
use zeroize::Zeroizing;

use super::schedule::TrafficKeys;
use crate::core::{CryptoOps, Prim};

pub const TAG_LEN: usize = 16;
pub const HEADER_LEN: usize = 5;
/// Record content types (§5.1).
pub const HANDSHAKE: u8 = 22;
pub const ALERT: u8 = 21;
pub const APPLICATION_DATA: u8 = 23;
/// legacy_record_version of every record but the ClientHello's.
pub const TLS12: u16 = 0x0303;

fn nonce(keys: &TrafficKeys, seq: u64) -> [u8; 12] {
    let mut n = keys.iv;
    for (a, b) in n[4..].iter_mut().zip(seq.to_be_bytes()) {
        *a ^= b;
    }
    n
}

fn header(len: usize) -> [u8; HEADER_LEN] {
    let [a, b] = (len as u16).to_be_bytes();
    [APPLICATION_DATA, 0x03, 0x03, a, b]
}

/// The whole protected record (header ‖ ciphertext ‖ tag) of `content` of
/// type `content_type`.
pub fn seal(
    keys: &TrafficKeys,
    seq: u64,
    content: &[u8],
    content_type: u8,
    ops: &mut CryptoOps,
) -> Vec<u8> {
    let mut inner = Zeroizing::new(Vec::with_capacity(content.len() + 1));
    inner.extend_from_slice(content);
    inner.push(content_type);
    ops.add(Prim::AeadByte, inner.len() as u64);
    let hdr = header(inner.len() + TAG_LEN);
    let ct = Aes128Gcm::new(&Key::<Aes128Gcm>::from(keys.key))
        .encrypt(
            &nonce(keys, seq).into(),
            Payload {
                msg: &inner,
                aad: &hdr,
            },
        )
        .expect("AES-GCM encryption only fails beyond 2^36 octets");
    let mut out = Vec::with_capacity(HEADER_LEN + ct.len());
    out.extend_from_slice(&hdr);
    out.extend_from_slice(&ct);
    out
}

/// Opens one protected record (header included): the content and its type,
/// or `None` if the tag fails or the inner plaintext has no content type.
pub fn open(
    keys: &TrafficKeys,
    seq: u64,
    record: &[u8],
    ops: &mut CryptoOps,
) -> Option<(Zeroizing<Vec<u8>>, u8)> {
    if record.len() < HEADER_LEN + TAG_LEN {
        return None;
    }
    let (hdr, body) = record.split_at(HEADER_LEN);
    ops.add(Prim::AeadByte, (body.len() - TAG_LEN) as u64);
    let mut inner = Zeroizing::new(
        Aes128Gcm::new(&Key::<Aes128Gcm>::from(keys.key))
            .decrypt(
                &nonce(keys, seq).into(),
                Payload {
                    msg: body,
                    aad: hdr,
                },
            )
            .ok()?,
    );
    // Strip the zero padding, then the content type (§5.4).
    while inner.last() == Some(&0) {
        inner.pop();
    }
    let ty = inner.pop()?;
    Some((inner, ty))
}
