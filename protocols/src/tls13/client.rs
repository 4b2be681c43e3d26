//! The device's side of the handshake, embedded in a device role (it is not an
//! endpoint of its own: the baseline device runs it after EPS-AKA).

use rand::Rng;
use zeroize::Zeroizing;

use super::msg::{ClientFinished, ClientHello, ServerFlight, handshake_message, hs};
use super::record::{self, HANDSHAKE};
use super::schedule::{Early, HASH_LEN, TrafficKeys, finished_mac, transcript};
use crate::core::{CryptoOps, Prim};
use crate::crypto::ct_eq;

/// Octets of the external PSK.
pub const PSK_LEN: usize = 32;

/// Why the client refused the server's flight.
#[derive(Clone, Copy, Debug, PartialEq, Eq, thiserror::Error)]
pub enum ClientError {
    #[error("the server's key share is of small order")]
    BadKeyShare,
    #[error("the protected record does not open")]
    BadRecord,
    #[error("EncryptedExtensions or Finished malformed")]
    Malformed,
    #[error("the server's Finished does not verify")]
    BadFinished,
}

/// A handshake in progress: what the client keeps between its hello and the
/// server's flight.
pub struct Pending {
    ephemeral: Zeroizing<[u8; 32]>,
    hello: Vec<u8>,
    early: Early,
}

/// The client's first flight: the ClientHello and what to keep.
pub fn hello(
    identity: u64,
    psk: &[u8; PSK_LEN],
    rng: &mut (impl Rng + ?Sized),
    ops: &mut CryptoOps,
) -> (ClientHello, Pending) {
    let mut ephemeral = Zeroizing::new([0; 32]);
    rng.fill_bytes(ephemeral.as_mut());
    let secret = x25519_dalek::StaticSecret::from(*ephemeral);
    ops.add(Prim::X25519Mul, 1);
    let key_share = *x25519_dalek::PublicKey::from(&secret).as_bytes();
    let mut random = [0; 32];
    rng.fill_bytes(&mut random);
    let mut ch = ClientHello {
        random,
        key_share,
        identity,
        binder: [0; 32],
    };
    let early = Early::of(psk, ops);
    let unbound = ch.handshake();
    let th = transcript(&[ClientHello::truncated(&unbound)], ops);
    ch.binder = early.binder(&th, ops);
    let hello = ch.handshake();
    (
        ch,
        Pending {
            ephemeral,
            hello,
            early,
        },
    )
}

/// The X25519 shared secret, refusing small-order shares (RFC 7748 §6.1).
pub fn shared(
    private: &[u8; 32],
    public: &[u8; 32],
    ops: &mut CryptoOps,
) -> Option<Zeroizing<[u8; 32]>> {
    ops.add(Prim::X25519Mul, 1);
    let s = x25519_dalek::StaticSecret::from(*private)
        .diffie_hellman(&x25519_dalek::PublicKey::from(*public));
    s.was_contributory().then(|| Zeroizing::new(*s.as_bytes()))
}

/// Checks the server's flight; on success the client's Finished and the
/// client application traffic secret (the session key).
pub fn finish(
    p: &Pending,
    flight: &ServerFlight,
    ops: &mut CryptoOps,
) -> Result<(ClientFinished, [u8; HASH_LEN]), ClientError> {
    let ecdhe =
        shared(&p.ephemeral, &flight.hello.key_share, ops).ok_or(ClientError::BadKeyShare)?;
    let sh = flight.hello.handshake();
    let hs = p
        .early
        .handshake(&ecdhe, &transcript(&[&p.hello, &sh], ops), ops);
    let server_keys = TrafficKeys::of(&hs.server, ops);
    let (inner, ty) =
        record::open(&server_keys, 0, &flight.protected, ops).ok_or(ClientError::BadRecord)?;
    // EncryptedExtensions (empty) ‖ Finished (32 octets).
    const EE: [u8; 6] = [hs::ENCRYPTED_EXTENSIONS, 0, 0, 2, 0, 0];
    if ty != HANDSHAKE || inner.len() != EE.len() + 4 + HASH_LEN || inner[..6] != EE {
        return Err(ClientError::Malformed);
    }
    let (ee, fin) = inner.split_at(EE.len());
    if fin[..4] != [hs::FINISHED, 0, 0, HASH_LEN as u8] {
        return Err(ClientError::Malformed);
    }
    let expected = finished_mac(&hs.server, &transcript(&[&p.hello, &sh, ee], ops), ops);
    if !ct_eq(&expected, &fin[4..]) {
        return Err(ClientError::BadFinished);
    }
    let th = transcript(&[&p.hello, &sh, ee, fin], ops);
    let verify = finished_mac(&hs.client, &th, ops);
    let client_fin = handshake_message(hs::FINISHED, &verify);
    let client_keys = TrafficKeys::of(&hs.client, ops);
    let protected = record::seal(&client_keys, 0, &client_fin, HANDSHAKE, ops);
    let (c_ap, _) = hs.application(&th, ops);
    Ok((ClientFinished { protected }, c_ap))
}
