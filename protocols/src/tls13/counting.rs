//! Closed forms of one handshake's cost, from the message layout and the key
//! schedule's HMAC calls (docs/protocols/proxy-multiparty.md, "Baseline");
//! `tests.rs` checks them against the roles, sim-core against whole runs.

use crate::crypto::sha256_blocks;

/// Octets on the wire: ClientHello record, server flight, client Finished.
pub const CLIENT_HELLO_LEN: usize = 170;
pub const SERVER_FLIGHT_LEN: usize = 165;
pub const FINISHED_LEN: usize = 58;
/// Messages of one handshake on `dev_server`.
pub const MESSAGES: u64 = 3;
pub const OCTETS: u64 = (CLIENT_HELLO_LEN + SERVER_FLIGHT_LEN + FINISHED_LEN) as u64;

/// Handshake messages in the transcript: ClientHello, ServerHello,
/// EncryptedExtensions, Finished (without record headers).
const CH: usize = 165;
const SH: usize = 96;
const EE: usize = 6;
const FIN: usize = 36;
/// The ClientHello without its binders list.
const CH_TRUNCATED: usize = CH - 35;

/// One HMAC-SHA-256 with a key of at most 64 octets over `len` octets.
const fn hmac(len: usize) -> u64 {
    sha256_blocks(64 + len) + sha256_blocks(64 + 32)
}
/// HKDF-Expand-Label with a label of `label` octets and a context of `ctx`.
const fn expand(label: usize, ctx: usize) -> u64 {
    hmac(2 + 1 + 6 + label + 1 + ctx + 1)
}
const EXTRACT: u64 = hmac(32);
const EMPTY_HASH: u64 = sha256_blocks(0);
const FINISHED_MAC: u64 = expand(8, 0) + hmac(32);
const TRAFFIC_KEYS: u64 = expand(3, 0) + expand(2, 0);
const EARLY: u64 = EXTRACT + EMPTY_HASH + expand(10, 32);
const HANDSHAKE: u64 = EMPTY_HASH + expand(7, 32) + EXTRACT + expand(12, 32) * 2;
const APPLICATION: u64 = EMPTY_HASH + expand(7, 32) + EXTRACT + expand(12, 32) * 2;
/// The binder of the hello.
const BINDER: u64 = EARLY + sha256_blocks(CH_TRUNCATED) + FINISHED_MAC;
/// Handshake keys, the server's Finished, the client's Finished, the
/// application secrets: the same calls on both sides.
const REST: u64 = sha256_blocks(CH + SH)
    + HANDSHAKE
    + TRAFFIC_KEYS * 2
    + sha256_blocks(CH + SH + EE)
    + FINISHED_MAC
    + sha256_blocks(CH + SH + EE + FIN)
    + FINISHED_MAC
    + APPLICATION;

/// SHA-256 blocks the device computes in one handshake.
pub const DEVICE_SHA256_BLOCKS: u64 = BINDER + REST;
/// SHA-256 blocks the MTC server computes in one handshake.
pub const SERVER_SHA256_BLOCKS: u64 = BINDER + REST;
/// X25519 scalar multiplications per side (key pair, shared secret).
pub const X25519_PER_SIDE: u64 = 2;
/// AEAD plaintext octets per side: EncryptedExtensions ‖ Finished ‖ type,
/// then Finished ‖ type.
pub const AEAD_BYTES_PER_SIDE: u64 = (EE + FIN + 1 + FIN + 1) as u64;
