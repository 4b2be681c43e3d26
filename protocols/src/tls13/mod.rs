//! A TLS 1.3 (RFC 8446) PSK-DHE handshake between an MTC device and its MTC
//! server: the device↔server leg of the baseline the proxy multiparty scheme
//! is compared with (docs/protocols/proxy-multiparty.md, "Baseline").
//!
//! External PSK provisioned per device (the service contract), `psk_dhe_ke`
//! with X25519 for forward secrecy, TLS_AES_128_GCM_SHA256, no certificates:
//! one ClientHello, one server flight (ServerHello + encrypted
//! EncryptedExtensions and Finished) and the client's encrypted Finished.
//!
//! - [`schedule`]: HKDF and the RFC 8446 §7.1 key schedule, every SHA-256
//!   block counted (checked against RFC 8448).
//! - [`record`]: AES-128-GCM record protection (§5.2–5.3), counted.
//! - [`msg`]: the records on the wire and their decoders.
//! - [`client`], [`server`]: the two sides, sans-IO.

pub mod client;
pub mod counting;
pub mod msg;
pub mod record;
pub mod schedule;
pub mod server;

#[cfg(test)]
mod tests;
