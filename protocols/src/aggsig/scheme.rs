//! The four ways a meter can authenticate its readings, and what each party holds.

use bls12_381::{G1Affine, G2Affine, Scalar};
use p256::ecdsa::{SigningKey, VerifyingKey};
use zeroize::Zeroizing;

use super::bls::{self, MinSig, Variant};
use super::{SigError, ecdsa, ibas};
use crate::core::CryptoOps;
use crate::crypto::{ct_eq, hmac_sha256};

/// Domain tag of the readings' BLS signatures (basic scheme, min-sig variant).
pub const BLS_DST: &[u8] = bls::DST_MIN_SIG_NUL;

/// Octets of an HMAC-SHA-256 tag (untruncated).
pub const HMAC_LEN: usize = 32;

/// How readings are authenticated.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Scheme {
    /// BLS min-sig: 48-octet signatures, aggregated by the gateway.
    BlsAggregate,
    /// Gentry–Ramzan IBAS: (S, T) of 144 octets, aggregated by the gateway.
    Ibas,
    /// ECDSA-P256 per reading.
    Ecdsa,
    /// HMAC-SHA-256 per reading under a meter–MDMS key.
    Hmac,
}

impl Scheme {
    pub const ALL: [Scheme; 4] = [
        Scheme::BlsAggregate,
        Scheme::Ibas,
        Scheme::Ecdsa,
        Scheme::Hmac,
    ];

    /// The name a scenario writes.
    pub const fn name(self) -> &'static str {
        match self {
            Scheme::BlsAggregate => "bls-aggregate",
            Scheme::Ibas => "ibas",
            Scheme::Ecdsa => "ecdsa",
            Scheme::Hmac => "hmac",
        }
    }

    pub fn from_name(name: &str) -> Option<Scheme> {
        Scheme::ALL.into_iter().find(|s| s.name() == name)
    }

    /// The octet a batch carries.
    pub const fn code(self) -> u8 {
        match self {
            Scheme::BlsAggregate => 1,
            Scheme::Ibas => 2,
            Scheme::Ecdsa => 3,
            Scheme::Hmac => 4,
        }
    }

    pub fn from_code(c: u8) -> Option<Scheme> {
        Scheme::ALL.into_iter().find(|s| s.code() == c)
    }

    /// Whether the gateway aggregates the readings' signatures.
    pub const fn aggregates(self) -> bool {
        matches!(self, Scheme::BlsAggregate | Scheme::Ibas)
    }

    /// Octets of one reading's signature or tag (and of an aggregate).
    pub const fn sig_len(self) -> usize {
        match self {
            Scheme::BlsAggregate => MinSig::SIG_LEN,
            Scheme::Ibas => ibas::SIG_LEN,
            Scheme::Ecdsa => ecdsa::SIG_LEN,
            Scheme::Hmac => HMAC_LEN,
        }
    }
}

/// The octets a meter signs for one reading: meter id ‖ interval ‖ value (20 octets, all
/// big-endian). Distinct meters give distinct messages, as the basic BLS scheme requires.
pub fn reading_message(meter_id: u64, interval: u32, value: u64) -> [u8; 20] {
    let mut m = [0u8; 20];
    m[..8].copy_from_slice(&meter_id.to_be_bytes());
    m[8..12].copy_from_slice(&interval.to_be_bytes());
    m[12..].copy_from_slice(&value.to_be_bytes());
    m
}

/// IBAS's state string w for an interval: every meter signs once per interval.
pub fn ibas_state(interval: u32) -> [u8; 12] {
    let mut w = *b"ivl:\0\0\0\0\0\0\0\0";
    w[8..].copy_from_slice(&interval.to_be_bytes());
    w
}

/// The IBAS identity of a meter: its id, 8 octets big-endian.
pub fn ibas_identity(meter_id: u64) -> [u8; 8] {
    meter_id.to_be_bytes()
}

/// A meter's IBAS material: the PKG's Q, the installation key that seals the key issue, and
/// the private key once issued.
pub struct IbasMeterKey {
    pub q: G2Affine,
    pub install_key: Zeroizing<[u8; 32]>,
    pub key: Option<ibas::PrivateKey>,
}

/// A meter's signing material.
pub enum MeterKey {
    Bls(Scalar),
    Ibas(Box<IbasMeterKey>),
    Ecdsa(SigningKey),
    Hmac(Zeroizing<[u8; 32]>),
}

impl Drop for MeterKey {
    fn drop(&mut self) {
        if let MeterKey::Bls(s) = self {
            *s = Scalar::zero();
        }
    }
}

impl MeterKey {
    pub fn scheme(&self) -> Scheme {
        match self {
            MeterKey::Bls(_) => Scheme::BlsAggregate,
            MeterKey::Ibas(_) => Scheme::Ibas,
            MeterKey::Ecdsa(_) => Scheme::Ecdsa,
            MeterKey::Hmac(_) => Scheme::Hmac,
        }
    }

    /// The signature or tag of `msg`; `None` while an IBAS key has not been issued.
    pub fn sign<R: rand::CryptoRng + ?Sized>(
        &self,
        meter_id: u64,
        interval: u32,
        msg: &[u8],
        rng: &mut R,
        ops: &mut CryptoOps,
    ) -> Option<Vec<u8>> {
        Some(match self {
            MeterKey::Bls(sk) => MinSig::encode_sig(&bls::sign::<MinSig>(sk, msg, BLS_DST, ops)),
            MeterKey::Ibas(k) => {
                let _ = meter_id;
                ibas::sign(k.key.as_ref()?, &ibas_state(interval), msg, rng, ops)
                    .to_bytes()
                    .to_vec()
            }
            MeterKey::Ecdsa(k) => ecdsa::sign(k, msg, ops).to_vec(),
            MeterKey::Hmac(k) => hmac_sha256(&k[..], &[msg], ops).to_vec(),
        })
    }
}

/// What the MDMS holds about one meter.
pub enum MeterRecord {
    Bls(G2Affine),
    Ibas(ibas::VerifierIdentity),
    Ecdsa(VerifyingKey),
    Hmac(Zeroizing<[u8; 32]>),
}

/// A per-reading check (ECDSA, HMAC): Ok if the signature or tag is right.
pub fn verify_single(
    rec: &MeterRecord,
    msg: &[u8],
    sig: &[u8],
    ops: &mut CryptoOps,
) -> Result<(), SigError> {
    match rec {
        MeterRecord::Ecdsa(vk) => ecdsa::verify(vk, msg, sig, ops),
        MeterRecord::Hmac(k) => {
            let t = hmac_sha256(&k[..], &[msg], ops);
            if ct_eq(&t, sig) {
                Ok(())
            } else {
                Err(SigError::Invalid)
            }
        }
        MeterRecord::Bls(_) | MeterRecord::Ibas(_) => Err(SigError::Invalid),
    }
}

/// Decoded individual signatures of an aggregating scheme.
#[derive(Clone, Debug)]
pub enum Sigs {
    Bls(Vec<G1Affine>),
    Ibas(Vec<ibas::Signature>),
}
