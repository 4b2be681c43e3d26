//! Schnorr signatures over P-256 with the commitment R sent in full:
//! σ = (R, s), R = r·G, e = H_d(R ‖ parts…), s = r + e·x mod q;
//! valid iff s·G = R + e·Y.
//!
//! The one signing primitive of the proxy scheme: the delegator's warrant
//! signature, the proxy signature (under x_P) and a device's own signature
//! are all this equation in different hash domains ([`Domain`]).
//! Every point and scalar operation is counted.

use p256::{ProjectivePoint, Scalar};
use rand::CryptoRng;
use zeroize::Zeroize;

use super::hash::{Domain, challenge};
use crate::core::CryptoOps;
use crate::gas::{ec, field};

pub use crate::gas::ec::POINT_LEN;
/// Octets of a scalar (big-endian, canonical).
pub const SCALAR_LEN: usize = 32;
/// Octets of an encoded signature: R (compressed) ‖ s.
pub const SIG_LEN: usize = POINT_LEN + SCALAR_LEN;

/// A signing key and its public key Y = x·G; the secret is wiped on drop.
pub struct KeyPair {
    secret: Scalar,
    public: ProjectivePoint,
}

impl KeyPair {
    /// A fresh key pair; key generation is offline (provisioning), but its
    /// one generator multiplication is counted for completeness.
    pub fn generate<R: CryptoRng + ?Sized>(rng: &mut R, ops: &mut CryptoOps) -> Self {
        Self::from_secret(field::random_nonzero(rng), ops)
    }
    /// The pair of a given non-zero secret (test vectors, derived keys).
    pub fn from_secret(secret: Scalar, ops: &mut CryptoOps) -> Self {
        let public = ec::mul_base(&secret, ops);
        Self { secret, public }
    }
    pub fn public(&self) -> &ProjectivePoint {
        &self.public
    }
    pub fn public_bytes(&self) -> [u8; POINT_LEN] {
        ec::encode(&self.public)
    }
    pub(crate) fn secret(&self) -> &Scalar {
        &self.secret
    }
}

impl Drop for KeyPair {
    fn drop(&mut self) {
        self.secret.zeroize();
    }
}

impl std::fmt::Debug for KeyPair {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "KeyPair({})", hex::encode(self.public_bytes()))
    }
}

/// An encoded signature (R, s).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Signature {
    pub r: [u8; POINT_LEN],
    pub s: [u8; SCALAR_LEN],
}

impl Signature {
    pub fn to_bytes(&self) -> [u8; SIG_LEN] {
        let mut b = [0u8; SIG_LEN];
        b[..POINT_LEN].copy_from_slice(&self.r);
        b[POINT_LEN..].copy_from_slice(&self.s);
        b
    }
    pub fn from_bytes(b: &[u8; SIG_LEN]) -> Self {
        let mut r = [0u8; POINT_LEN];
        let mut s = [0u8; SCALAR_LEN];
        r.copy_from_slice(&b[..POINT_LEN]);
        s.copy_from_slice(&b[POINT_LEN..]);
        Self { r, s }
    }
}

/// Signs with a fresh nonce r drawn from `rng`.
pub fn sign<R: CryptoRng + ?Sized>(
    secret: &Scalar,
    domain: Domain,
    parts: &[&[u8]],
    rng: &mut R,
    ops: &mut CryptoOps,
) -> Signature {
    let mut r = field::random_nonzero(rng);
    let sig = sign_with_nonce(secret, domain, parts, &r, ops);
    r.zeroize();
    sig
}

/// Signs with the given nonce: one generator multiplication, one hash, one
/// scalar multiplication. Only tests choose the nonce (known answers).
pub(crate) fn sign_with_nonce(
    secret: &Scalar,
    domain: Domain,
    parts: &[&[u8]],
    nonce: &Scalar,
    ops: &mut CryptoOps,
) -> Signature {
    let r_point = ec::encode(&ec::mul_base(nonce, ops));
    let e = challenge_over(domain, &r_point, parts, ops);
    let s = *nonce + field::mul(&e, secret, ops);
    Signature {
        r: r_point,
        s: field::to_bytes(&s),
    }
}

/// Checks s·G = R + e·Y: one generator and one variable-base multiplication,
/// one addition, one hash. A non-canonical s or an undecodable R (or the
/// identity) fails.
pub fn verify(
    public: &ProjectivePoint,
    domain: Domain,
    parts: &[&[u8]],
    sig: &Signature,
    ops: &mut CryptoOps,
) -> bool {
    let (Some(r), Some(s)) = (ec::decode(&sig.r), field::from_bytes(&sig.s)) else {
        return false;
    };
    let e = challenge_over(domain, &sig.r, parts, ops);
    let lhs = ec::mul_base(&s, ops);
    let rhs = ec::add(&r, &ec::mul(public, &e, ops), ops);
    ec::ct_eq(&lhs, &rhs)
}

/// A key holder's own signature on `msg` (domain H_s, key-prefixed:
/// e = H_s(R ‖ Y ‖ msg)).
pub fn sign_own<R: CryptoRng + ?Sized>(
    key: &KeyPair,
    msg: &[u8],
    rng: &mut R,
    ops: &mut CryptoOps,
) -> Signature {
    sign(
        key.secret(),
        Domain::Standard,
        &[&key.public_bytes(), msg],
        rng,
        ops,
    )
}

/// Verifies [`sign_own`]'s signature under the encoded key `public`; an
/// undecodable key fails.
pub fn verify_own(
    public: &[u8; POINT_LEN],
    msg: &[u8],
    sig: &Signature,
    ops: &mut CryptoOps,
) -> bool {
    ec::decode(public).is_some_and(|y| verify(&y, Domain::Standard, &[public, msg], sig, ops))
}

/// e = H_d(R ‖ parts…).
fn challenge_over(
    domain: Domain,
    r: &[u8; POINT_LEN],
    parts: &[&[u8]],
    ops: &mut CryptoOps,
) -> Scalar {
    let mut all: Vec<&[u8]> = Vec::with_capacity(parts.len() + 1);
    all.push(r);
    all.extend_from_slice(parts);
    challenge(domain, &all, ops)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::core::{Prim, SimRng};
    use rand::SeedableRng;

    /// RFC 6979 Appendix A.2.5: the P-256 key pair used by all its ECDSA
    /// vectors (x and U = x·G), a published check of key generation.
    #[test]
    fn key_generation_matches_rfc6979_a25() {
        let x = hex::decode("c9afa9d845ba75166b5c215767b1d6934e50c3db36e89b127b8a622b120f6721")
            .unwrap();
        let x = field::from_bytes(&x.try_into().unwrap()).unwrap();
        let kp = KeyPair::from_secret(x, &mut CryptoOps::default());
        // Compressed: x = Ux, prefix 03 because Uy = 7903…2299 is odd, so the
        // encoding fixes both published coordinates.
        assert_eq!(
            hex::encode(kp.public_bytes()),
            "0360fed4ba255a9d31c961eb74c6356d68c049b8923b61fa6ce669622e60f29fb6"
        );
    }

    #[test]
    fn round_trip_counts_and_rejections() {
        let mut rng = SimRng::seed_from_u64(1);
        let mut ops = CryptoOps::default();
        let kp = KeyPair::generate(&mut rng, &mut ops);
        let mut ops = CryptoOps::default();
        let sig = sign(kp.secret(), Domain::Standard, &[b"m"], &mut rng, &mut ops);
        assert_eq!(
            (ops.get(Prim::P256MulBase), ops.get(Prim::ScalarMul)),
            (1, 1)
        );
        let mut ops = CryptoOps::default();
        assert!(verify(
            kp.public(),
            Domain::Standard,
            &[b"m"],
            &sig,
            &mut ops
        ));
        assert_eq!(
            (
                ops.get(Prim::P256MulBase),
                ops.get(Prim::P256Mul),
                ops.get(Prim::P256Add)
            ),
            (1, 1, 1)
        );
        assert!(!verify(
            kp.public(),
            Domain::Standard,
            &[b"n"],
            &sig,
            &mut ops
        ));
        assert!(!verify(kp.public(), Domain::Proxy, &[b"m"], &sig, &mut ops));
        let other = KeyPair::generate(&mut rng, &mut ops);
        assert!(!verify(
            other.public(),
            Domain::Standard,
            &[b"m"],
            &sig,
            &mut ops
        ));
        let mut bad = sig;
        bad.s[31] ^= 1;
        assert!(!verify(
            kp.public(),
            Domain::Standard,
            &[b"m"],
            &bad,
            &mut ops
        ));
        bad = sig;
        bad.s = [0xff; 32];
        assert!(!verify(
            kp.public(),
            Domain::Standard,
            &[b"m"],
            &bad,
            &mut ops
        ));
        bad = sig;
        bad.r = [0; POINT_LEN];
        assert!(!verify(
            kp.public(),
            Domain::Standard,
            &[b"m"],
            &bad,
            &mut ops
        ));
        assert_eq!(Signature::from_bytes(&sig.to_bytes()), sig);
    }
}
