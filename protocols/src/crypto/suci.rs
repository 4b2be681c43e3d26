//! SUPI concealment: the ECIES protection schemes of TS 33.501 Annex C.3,
//! profile A (X25519, `x25519-dalek`) and profile B (P-256 with point
//! compression, `p256`).
//!
//! UE side (C.3.2): an ephemeral key pair, the ECDH shared key with the home
//! network public key, the ANSI X9.63 KDF (SHA-256, SharedInfo1 = the
//! ephemeral public key as sent) giving a 128-bit encryption key, a 128-bit
//! ICB and a 256-bit MAC key; AES-128-CTR over the scheme input; the MAC tag
//! is HMAC-SHA-256 over the ciphertext cut to 64 bits. Scheme output =
//! ephemeral public key ‖ ciphertext ‖ MAC tag. The home network's SIDF
//! (C.3.3) does the same from its private key and checks the tag in constant
//! time before it decrypts.
//!
//! Counted operations: AES blocks, SHA-256 compressions, X25519 (profile A)
//! and P-256 (profile B) scalar multiplications.

use aes::Aes128;
use ctr::Ctr128BE;
use ctr::cipher::{KeyIvInit, StreamCipher};
use p256::elliptic_curve::point::AffineCoordinates;
use p256::elliptic_curve::sec1::ToSec1Point;
use zeroize::Zeroize;

use super::{ct_eq, hmac_sha256, sha256};
use crate::core::{CryptoOps, Prim};

/// MAC tag length of both profiles (TS 33.501 C.3.4).
pub const MAC_LEN: usize = 8;

/// The ECIES profile (protection scheme identifier of TS 33.501 Annex C.1).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Profile {
    A,
    B,
}

impl Profile {
    /// Protection scheme identifier: 1 for profile A, 2 for profile B.
    pub const fn scheme_id(self) -> u8 {
        match self {
            Profile::A => 1,
            Profile::B => 2,
        }
    }

    /// Length of the ephemeral public key in the scheme output: 32 octets
    /// (X25519 u-coordinate) or 33 (compressed P-256 point).
    pub const fn eph_key_len(self) -> usize {
        match self {
            Profile::A => 32,
            Profile::B => 33,
        }
    }
}

/// Why concealment or de-concealment failed.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum SuciError {
    #[error(
        "profile {0:?}: the private key is not a valid scalar (zero or not below the group order)"
    )]
    BadPrivateKey(Profile),
    #[error("profile {0:?}: the public key is not a valid point ({1} octets given)")]
    BadPublicKey(Profile, usize),
    #[error(
        "profile {profile:?}: scheme output of {len} octets is shorter than the {need} of ephemeral key and MAC tag"
    )]
    Truncated {
        profile: Profile,
        len: usize,
        need: usize,
    },
    #[error("profile {0:?}: the MAC tag does not verify")]
    MacMismatch(Profile),
    #[error("MSIN {0:?} is not 1 to 10 decimal digits")]
    BadMsin(String),
}

/// The keys the X9.63 KDF derives from the shared key (TS 33.501 C.3.4).
pub struct EciesKeys {
    pub enc_key: [u8; 16],
    pub icb: [u8; 16],
    pub mac_key: [u8; 32],
}

impl Drop for EciesKeys {
    fn drop(&mut self) {
        self.enc_key.zeroize();
        self.icb.zeroize();
        self.mac_key.zeroize();
    }
}

/// What the UE computes, with the intermediate values Annex C.4 lists.
pub struct Concealment {
    pub eph_public: Vec<u8>,
    pub shared_key: [u8; 32],
    pub keys: EciesKeys,
    pub ciphertext: Vec<u8>,
    pub mac: [u8; MAC_LEN],
}

impl Drop for Concealment {
    fn drop(&mut self) {
        self.shared_key.zeroize();
    }
}

impl Concealment {
    /// Ephemeral public key ‖ ciphertext ‖ MAC tag (TS 33.501 C.3.2).
    pub fn scheme_output(&self) -> Vec<u8> {
        [&self.eph_public[..], &self.ciphertext, &self.mac].concat()
    }
}

/// ANSI X9.63 KDF with SHA-256: 64 octets from Z and SharedInfo1
/// (two hash blocks, counters 1 and 2).
pub fn x963_kdf(shared: &[u8; 32], shared_info: &[u8], ops: &mut CryptoOps) -> EciesKeys {
    let mut b1 = sha256(&[shared, &1u32.to_be_bytes(), shared_info], ops);
    let mut b2 = sha256(&[shared, &2u32.to_be_bytes(), shared_info], ops);
    let mut keys = EciesKeys {
        enc_key: [0; 16],
        icb: [0; 16],
        mac_key: b2,
    };
    keys.enc_key.copy_from_slice(&b1[..16]);
    keys.icb.copy_from_slice(&b1[16..]);
    b1.zeroize();
    b2.zeroize();
    keys
}

fn aes_ctr(keys: &EciesKeys, data: &mut [u8], ops: &mut CryptoOps) {
    let mut c = Ctr128BE::<Aes128>::new(&keys.enc_key.into(), &keys.icb.into());
    c.apply_keystream(data);
    ops.add(Prim::AesBlock, data.len().div_ceil(16) as u64);
}

fn mac_tag(keys: &EciesKeys, ciphertext: &[u8], ops: &mut CryptoOps) -> [u8; MAC_LEN] {
    let mut full = hmac_sha256(&keys.mac_key, &[ciphertext], ops);
    let mut tag = [0u8; MAC_LEN];
    tag.copy_from_slice(&full[..MAC_LEN]);
    full.zeroize();
    tag
}

fn p256_secret(profile: Profile, private: &[u8; 32]) -> Result<p256::SecretKey, SuciError> {
    p256::SecretKey::from_slice(private).map_err(|_| SuciError::BadPrivateKey(profile))
}

/// A P-256 public key as TS 33.501 C.3.4.2 allows it: compressed (33 octets,
/// tag 02/03) or uncompressed (65 octets, tag 04); SEC1's other forms are refused.
fn p256_public(public: &[u8]) -> Result<p256::PublicKey, SuciError> {
    let bad = || SuciError::BadPublicKey(Profile::B, public.len());
    match (public.first(), public.len()) {
        (Some(2 | 3), 33) | (Some(4), 65) => {}
        _ => return Err(bad()),
    }
    p256::PublicKey::from_sec1_bytes(public).map_err(|_| bad())
}

/// ECDH on P-256: the x-coordinate of private × public (one variable-base
/// multiplication).
fn p256_shared(
    secret: &p256::SecretKey,
    public: &p256::PublicKey,
    ops: &mut CryptoOps,
) -> [u8; 32] {
    ops.add(Prim::P256Mul, 1);
    let point = (public.to_projective() * *secret.to_nonzero_scalar()).to_affine();
    point.x().into()
}

/// The public key that goes with a private key: 32 octets (profile A) or a
/// compressed 33-octet point (profile B).
pub fn public_key(
    profile: Profile,
    private: &[u8; 32],
    ops: &mut CryptoOps,
) -> Result<Vec<u8>, SuciError> {
    match profile {
        Profile::A => {
            let s = x25519_dalek::StaticSecret::from(*private);
            ops.add(Prim::X25519Mul, 1);
            Ok(x25519_dalek::PublicKey::from(&s).as_bytes().to_vec())
        }
        Profile::B => {
            let s = p256_secret(profile, private)?;
            ops.add(Prim::P256MulBase, 1);
            Ok(s.public_key().to_sec1_point(true).as_bytes().to_vec())
        }
    }
}

/// The shared key from one side's private key and the other's public key.
fn shared_key(
    profile: Profile,
    private: &[u8; 32],
    public: &[u8],
    ops: &mut CryptoOps,
) -> Result<[u8; 32], SuciError> {
    match profile {
        Profile::A => {
            let public: [u8; 32] = public
                .try_into()
                .map_err(|_| SuciError::BadPublicKey(profile, public.len()))?;
            let s = x25519_dalek::StaticSecret::from(*private);
            ops.add(Prim::X25519Mul, 1);
            let shared = s.diffie_hellman(&x25519_dalek::PublicKey::from(public));
            // An all-zero output means a small-order public key (RFC 7748 §6.1).
            if !shared.was_contributory() {
                return Err(SuciError::BadPublicKey(profile, 32));
            }
            Ok(*shared.as_bytes())
        }
        Profile::B => {
            let s = p256_secret(profile, private)?;
            Ok(p256_shared(&s, &p256_public(public)?, ops))
        }
    }
}

/// UE side: conceals `scheme_input` (e.g. the BCD MSIN) for the home network
/// public key `hn_public`, with the ephemeral private key `eph_private`.
pub fn conceal(
    profile: Profile,
    hn_public: &[u8],
    eph_private: &[u8; 32],
    scheme_input: &[u8],
    ops: &mut CryptoOps,
) -> Result<Concealment, SuciError> {
    let eph_public = public_key(profile, eph_private, ops)?;
    let shared_key = shared_key(profile, eph_private, hn_public, ops)?;
    let keys = x963_kdf(&shared_key, &eph_public, ops);
    let mut ciphertext = scheme_input.to_vec();
    aes_ctr(&keys, &mut ciphertext, ops);
    let mac = mac_tag(&keys, &ciphertext, ops);
    Ok(Concealment {
        eph_public,
        shared_key,
        keys,
        ciphertext,
        mac,
    })
}

/// SIDF side: recovers the scheme input from a scheme output, or fails if it
/// is too short, its ephemeral key is invalid or its MAC tag is wrong.
pub fn deconceal(
    profile: Profile,
    hn_private: &[u8; 32],
    scheme_output: &[u8],
    ops: &mut CryptoOps,
) -> Result<Vec<u8>, SuciError> {
    let klen = profile.eph_key_len();
    if scheme_output.len() < klen + MAC_LEN {
        return Err(SuciError::Truncated {
            profile,
            len: scheme_output.len(),
            need: klen + MAC_LEN,
        });
    }
    let (eph_public, rest) = scheme_output.split_at(klen);
    let (ciphertext, mac) = rest.split_at(rest.len() - MAC_LEN);
    let mut shared = shared_key(profile, hn_private, eph_public, ops)?;
    let keys = x963_kdf(&shared, eph_public, ops);
    shared.zeroize();
    if !ct_eq(&mac_tag(&keys, ciphertext, ops), mac) {
        return Err(SuciError::MacMismatch(profile));
    }
    let mut plain = ciphertext.to_vec();
    aes_ctr(&keys, &mut plain, ops);
    Ok(plain)
}

/// The scheme input of an IMSI-type SUPI: the MSIN in BCD, two digits an
/// octet, the first digit in the low nibble, an odd count padded with 0xF
/// (TS 33.501 C.3.2 / TS 24.501 §9.11.3.4: "001002086" → 00 01 20 80 F6).
pub fn msin_bcd(msin: &str) -> Result<Vec<u8>, SuciError> {
    if msin.is_empty() || msin.len() > 10 || !msin.bytes().all(|b| b.is_ascii_digit()) {
        return Err(SuciError::BadMsin(msin.to_string()));
    }
    let d: Vec<u8> = msin.bytes().map(|b| b - b'0').collect();
    Ok(d.chunks(2)
        .map(|p| p[0] | (p.get(1).copied().unwrap_or(0xF) << 4))
        .collect())
}

/// The MSIN digits of a BCD scheme input, or `None` if a nibble is not a
/// digit (a 0xF filler is allowed only as the last nibble).
pub fn msin_from_bcd(bcd: &[u8]) -> Option<String> {
    let mut s = String::with_capacity(bcd.len() * 2);
    for (i, &b) in bcd.iter().enumerate() {
        let (lo, hi) = (b & 0xF, b >> 4);
        if lo > 9 {
            return None;
        }
        s.push(char::from(b'0' + lo));
        match hi {
            0..=9 => s.push(char::from(b'0' + hi)),
            0xF if i + 1 == bcd.len() => {}
            _ => return None,
        }
    }
    (!s.is_empty()).then_some(s)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn arr<const N: usize>(s: &str) -> [u8; N] {
        hex::decode(s).unwrap().try_into().unwrap()
    }

    /// One Annex C.4 data set (IMSI-based SUPI, MCC 274, MNC 012, MSIN 001002086).
    struct AnnexC4 {
        profile: Profile,
        hn_private: &'static str,
        hn_public: &'static str,
        eph_private: &'static str,
        eph_public: &'static str,
        shared: &'static str,
        enc_key: &'static str,
        icb: &'static str,
        mac_key: &'static str,
        ciphertext: &'static str,
        mac: &'static str,
    }

    /// TS 33.501 Annex C.4.3.1 (profile A) and C.4.4.1 (profile B), as also
    /// used by open5gs' lib/crypt ECIES test.
    const ANNEX: [AnnexC4; 2] = [
        AnnexC4 {
            profile: Profile::A,
            hn_private: "c53c22208b61860b06c62e5406a7b330c2b577aa5558981510d128247d38bd1d",
            hn_public: "5a8d38864820197c3394b92613b20b91633cbd897119273bf8e4a6f4eec0a650",
            eph_private: "c80949f13ebe61af4ebdbd293ea4f942696b9e815d7e8f0096bbf6ed7de62256",
            eph_public: "b2e92f836055a255837debf850b528997ce0201cb82adfe4be1f587d07d8457d",
            shared: "028ddf890ec83cdf163947ce45f6ec1a0e3070ea5fe57e2b1f05139f3e82422a",
            enc_key: "2ba342cabd2b3b1e5e4e890da11b65f6",
            icb: "e2622cb0cdd08204e721c8ea9b95a7c6",
            mac_key: "d9846966fb7cf5fcf11266c5957dea60b83fff2b7c940690a4bfe57b1eb52bd2",
            ciphertext: "cb02352410",
            mac: "cddd9e730ef3fa87",
        },
        AnnexC4 {
            profile: Profile::B,
            hn_private: "f1ab1074477ebcc7f554ea1c5fc368b1616730155e0041ac447d6301975fecda",
            hn_public: "0272da71976234ce833a6907425867b82e074d44ef907dfb4b3e21c1c2256ebcd1",
            eph_private: "99798858a1dc6a2c68637149a4b1dbfd1fdff5addd62a2142f06699ed7602529",
            eph_public: "039aab8376597021e855679a9778ea0b67396e68c66df32c0f41e9acca2da9b9d1",
            shared: "6c7e6518980025b982fbb2ff746e3c2e85a196d252099a7ad23ea7b4c0959cae",
            enc_key: "8a65c3aed80295c12bd55087e965702a",
            icb: "ef285b4061c3baee858ab6ec68487dae",
            mac_key: "a5ebac0bc48d9cf7ae5ce39cd840ac6c761aec04078fab954d634f923e901c64",
            ciphertext: "46a33fc271",
            mac: "6ac7dae96aa30a4d",
        },
    ];

    #[test]
    fn annex_c4_ue_side() {
        let input = msin_bcd("001002086").unwrap();
        assert_eq!(hex::encode(&input), "00012080f6");
        for t in &ANNEX {
            let mut ops = CryptoOps::default();
            let hn_private = arr::<32>(t.hn_private);
            assert_eq!(
                hex::encode(public_key(t.profile, &hn_private, &mut ops).unwrap()),
                t.hn_public
            );
            let c = conceal(
                t.profile,
                &hex::decode(t.hn_public).unwrap(),
                &arr(t.eph_private),
                &input,
                &mut ops,
            )
            .unwrap();
            assert_eq!(hex::encode(&c.eph_public), t.eph_public, "{:?}", t.profile);
            assert_eq!(hex::encode(c.shared_key), t.shared);
            assert_eq!(hex::encode(c.keys.enc_key), t.enc_key);
            assert_eq!(hex::encode(c.keys.icb), t.icb);
            assert_eq!(hex::encode(c.keys.mac_key), t.mac_key);
            assert_eq!(hex::encode(&c.ciphertext), t.ciphertext);
            assert_eq!(hex::encode(c.mac), t.mac);
            assert_eq!(
                hex::encode(c.scheme_output()),
                format!("{}{}{}", t.eph_public, t.ciphertext, t.mac)
            );
        }
    }

    #[test]
    fn annex_c4_sidf_side() {
        for t in &ANNEX {
            let mut ops = CryptoOps::default();
            let output = hex::decode(format!("{}{}{}", t.eph_public, t.ciphertext, t.mac)).unwrap();
            let plain = deconceal(t.profile, &arr(t.hn_private), &output, &mut ops).unwrap();
            assert_eq!(msin_from_bcd(&plain).as_deref(), Some("001002086"));
            // One flipped bit anywhere: the tag check fails (or the key is invalid).
            for i in [0, t.profile.eph_key_len(), output.len() - 1] {
                let mut bad = output.clone();
                bad[i] ^= 0x01;
                assert!(deconceal(t.profile, &arr(t.hn_private), &bad, &mut ops).is_err());
            }
            let short = &output[..t.profile.eph_key_len() + MAC_LEN - 1];
            assert!(matches!(
                deconceal(t.profile, &arr(t.hn_private), short, &mut ops),
                Err(SuciError::Truncated { .. })
            ));
        }
    }

    #[test]
    fn operation_counts() {
        let t = &ANNEX[1];
        let mut ops = CryptoOps::default();
        let input = msin_bcd("001002086").unwrap();
        conceal(
            Profile::B,
            &hex::decode(t.hn_public).unwrap(),
            &arr(t.eph_private),
            &input,
            &mut ops,
        )
        .unwrap();
        assert_eq!(ops.get(Prim::P256MulBase), 1);
        assert_eq!(ops.get(Prim::P256Mul), 1);
        assert_eq!(ops.get(Prim::AesBlock), 1);
        // KDF: 2 × SHA-256 of 32+4+33 = 69 octets (2 blocks each); HMAC over
        // 5 octets: inner 64+5 octets (2 blocks), outer 64+32 (2 blocks).
        assert_eq!(ops.get(Prim::Sha256Block), 2 * 2 + 2 + 2);
        assert_eq!(ops.get(Prim::X25519Mul), 0);

        // Profile A: ephemeral public key and shared key, one ladder each;
        // the SIDF's de-concealment one more.
        let a = &ANNEX[0];
        let mut ops = CryptoOps::default();
        let c = conceal(
            Profile::A,
            &hex::decode(a.hn_public).unwrap(),
            &arr(a.eph_private),
            &input,
            &mut ops,
        )
        .unwrap();
        assert_eq!((ops.get(Prim::X25519Mul), ops.get(Prim::P256Mul)), (2, 0));
        let mut ops = CryptoOps::default();
        deconceal(Profile::A, &arr(a.hn_private), &c.scheme_output(), &mut ops).unwrap();
        assert_eq!(ops.get(Prim::X25519Mul), 1);
    }

    #[test]
    fn bad_keys_are_errors() {
        let mut ops = CryptoOps::default();
        assert_eq!(
            public_key(Profile::B, &[0; 32], &mut ops),
            Err(SuciError::BadPrivateKey(Profile::B))
        );
        assert_eq!(
            public_key(Profile::B, &[0xff; 32], &mut ops),
            Err(SuciError::BadPrivateKey(Profile::B))
        );
        // SEC1's compact form (tag 05) and an x-coordinate above p.
        let mut above_p = [0xff; 33];
        above_p[0] = 2;
        for hn_public in [[5; 33], above_p] {
            assert!(matches!(
                conceal(Profile::B, &hn_public, &[1; 32], b"x", &mut ops),
                Err(SuciError::BadPublicKey(Profile::B, 33))
            ));
        }
        assert!(matches!(
            conceal(Profile::A, &[0; 32], &[1; 32], b"x", &mut ops),
            Err(SuciError::BadPublicKey(Profile::A, 32))
        ));
        assert!(matches!(
            conceal(Profile::A, &[9; 31], &[1; 32], b"x", &mut ops),
            Err(SuciError::BadPublicKey(Profile::A, 31))
        ));
    }

    #[test]
    fn msin_bcd_round_trip_and_errors() {
        for m in ["1", "12", "0123456789", "001002086"] {
            assert_eq!(msin_from_bcd(&msin_bcd(m).unwrap()).as_deref(), Some(m));
        }
        assert!(msin_bcd("").is_err());
        assert!(msin_bcd("12a").is_err());
        assert!(msin_bcd("01234567890").is_err());
        assert_eq!(msin_from_bcd(&[0xF1, 0x00]), None);
        assert_eq!(msin_from_bcd(&[0x1A]), None);
        assert_eq!(msin_from_bcd(&[]), None);
    }
}
