//! HKDF-SHA-256 (RFC 5869) and the TLS 1.3 key schedule (RFC 8446 §7.1) for
//! an external PSK with (EC)DHE. Every HMAC is counted in SHA-256 blocks.

use crate::core::CryptoOps;
use crate::crypto::{hmac_sha256, sha256};

/// Octets of a SHA-256 output, and so of every secret here.
pub const HASH_LEN: usize = 32;
pub type Secret = [u8; HASH_LEN];

/// AES-128-GCM key and IV lengths (TLS_AES_128_GCM_SHA256).
pub const KEY_LEN: usize = 16;
pub const IV_LEN: usize = 12;

/// HKDF-Extract(salt, IKM); an absent salt is a string of `HASH_LEN` zeros.
pub fn extract(salt: Option<&Secret>, ikm: &[u8], ops: &mut CryptoOps) -> Secret {
    hmac_sha256(salt.unwrap_or(&[0; HASH_LEN]), &[ikm], ops)
}

/// HKDF-Expand-Label(secret, label, context, out.len()) with the "tls13 "
/// prefix (§7.1). Outputs here never exceed one HMAC block (32 octets).
pub fn expand_label(
    secret: &Secret,
    label: &str,
    context: &[u8],
    out: &mut [u8],
    ops: &mut CryptoOps,
) {
    assert!(
        out.len() <= HASH_LEN,
        "expand_label: one HKDF block at most"
    );
    let full = 6 + label.len();
    let mut info = Vec::with_capacity(4 + full + context.len());
    info.extend_from_slice(&(out.len() as u16).to_be_bytes());
    info.push(full as u8);
    info.extend_from_slice(b"tls13 ");
    info.extend_from_slice(label.as_bytes());
    info.push(context.len() as u8);
    info.extend_from_slice(context);
    // T(1) = HMAC(PRK, info ‖ 0x01).
    let t1 = hmac_sha256(secret, &[&info, &[1]], ops);
    out.copy_from_slice(&t1[..out.len()]);
}

/// Derive-Secret(secret, label, transcript hash).
pub fn derive_secret(
    secret: &Secret,
    label: &str,
    transcript: &[u8; HASH_LEN],
    ops: &mut CryptoOps,
) -> Secret {
    let mut out = [0; HASH_LEN];
    expand_label(secret, label, transcript, &mut out, ops);
    out
}

/// Transcript-Hash of the handshake messages so far (§4.4.1), computed over
/// their concatenation each time it is needed (counted as computed).
pub fn transcript(messages: &[&[u8]], ops: &mut CryptoOps) -> [u8; HASH_LEN] {
    sha256(messages, ops)
}

/// The key and IV of one traffic secret (§7.3).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct TrafficKeys {
    pub key: [u8; KEY_LEN],
    pub iv: [u8; IV_LEN],
}

impl TrafficKeys {
    pub fn of(secret: &Secret, ops: &mut CryptoOps) -> Self {
        let mut key = [0; KEY_LEN];
        let mut iv = [0; IV_LEN];
        expand_label(secret, "key", &[], &mut key, ops);
        expand_label(secret, "iv", &[], &mut iv, ops);
        Self { key, iv }
    }
}

/// verify_data of a Finished message or a PSK binder (§4.4.4, §4.2.11.2):
/// HMAC(finished_key(base), transcript hash).
pub fn finished_mac(
    base: &Secret,
    transcript: &[u8; HASH_LEN],
    ops: &mut CryptoOps,
) -> [u8; HASH_LEN] {
    let mut fk = [0; HASH_LEN];
    expand_label(base, "finished", &[], &mut fk, ops);
    hmac_sha256(&fk, &[transcript], ops)
}

/// The early secret of an external PSK and its binder key ("ext binder").
pub struct Early {
    pub secret: Secret,
    pub binder_key: Secret,
}

impl Early {
    pub fn of(psk: &[u8], ops: &mut CryptoOps) -> Self {
        let secret = extract(None, psk, ops);
        let empty = transcript(&[], ops);
        let binder_key = derive_secret(&secret, "ext binder", &empty, ops);
        Self { secret, binder_key }
    }

    /// The binder over the transcript hash of the truncated ClientHello.
    pub fn binder(&self, truncated_hello_hash: &[u8; HASH_LEN], ops: &mut CryptoOps) -> Secret {
        finished_mac(&self.binder_key, truncated_hello_hash, ops)
    }

    /// The handshake secret from the (EC)DHE shared secret and its traffic
    /// secrets over Transcript-Hash(ClientHello ‖ ServerHello).
    pub fn handshake(
        &self,
        ecdhe: &[u8; 32],
        hello_hash: &[u8; HASH_LEN],
        ops: &mut CryptoOps,
    ) -> Handshake {
        let empty = transcript(&[], ops);
        let derived = derive_secret(&self.secret, "derived", &empty, ops);
        let secret = extract(Some(&derived), ecdhe, ops);
        Handshake {
            client: derive_secret(&secret, "c hs traffic", hello_hash, ops),
            server: derive_secret(&secret, "s hs traffic", hello_hash, ops),
            secret,
        }
    }
}

/// The handshake secret and the two handshake traffic secrets.
pub struct Handshake {
    pub secret: Secret,
    pub client: Secret,
    pub server: Secret,
}

impl Handshake {
    /// The application traffic secrets (client, server) over the transcript
    /// up to the server's Finished: the session keys both sides end with.
    pub fn application(
        &self,
        server_finished_hash: &[u8; HASH_LEN],
        ops: &mut CryptoOps,
    ) -> (Secret, Secret) {
        let empty = transcript(&[], ops);
        let derived = derive_secret(&self.secret, "derived", &empty, ops);
        let master = extract(Some(&derived), &[0; HASH_LEN], ops);
        (
            derive_secret(&master, "c ap traffic", server_finished_hash, ops),
            derive_secret(&master, "s ap traffic", server_finished_hash, ops),
        )
    }
}
