//! KeyGen of draft-irtf-cfrg-bls-signature-05 §2.3: a BLS secret key from input keying
//! material (IKM, at least 32 octets of entropy) with HKDF-SHA-256 (RFC 5869). A meter's
//! key can so be derived from the seed written into it at manufacture rather than drawn by
//! the enrolment. Ethereum's EIP-2333 defines its master key (`derive_master_SK`, through
//! `HKDF_mod_r`) as exactly this function with an empty `key_info`, so EIP-2333's published
//! test cases test it (`aggsig/tests.rs`).

use bls12_381::Scalar;
use thiserror::Error;

use crate::core::CryptoOps;
use crate::crypto::{hmac_sha256, sha256};

/// The draft's initial salt; it is hashed before every attempt.
const SALT: &[u8] = b"BLS-SIG-KEYGEN-SALT-";
/// L = ⌈3·⌈log2 r⌉ / 16⌉ = 48 octets: reduced mod r, the bias is below 2^-128.
const L: usize = 48;

/// The IKM is shorter than the 32 octets the draft requires.
#[derive(Clone, Copy, Debug, Error, PartialEq, Eq)]
#[error("KeyGen needs at least 32 octets of IKM, got {0}")]
pub struct ShortIkm(pub usize);

/// SK = KeyGen(IKM, key_info): repeat salt = SHA-256(salt), PRK = HKDF-Extract(salt,
/// IKM ‖ I2OSP(0, 1)), OKM = HKDF-Expand(PRK, key_info ‖ I2OSP(L, 2), L), SK = OS2IP(OKM)
/// mod r, until SK ≠ 0.
pub fn key_gen(ikm: &[u8], key_info: &[u8], ops: &mut CryptoOps) -> Result<Scalar, ShortIkm> {
    if ikm.len() < 32 {
        return Err(ShortIkm(ikm.len()));
    }
    let mut salt = sha256(&[SALT], ops);
    loop {
        let prk = hmac_sha256(&salt, &[ikm, &[0u8]], ops);
        let okm = hkdf_expand_48(&prk, &[key_info, &(L as u16).to_be_bytes()], ops);
        // OS2IP of 48 big-endian octets, reduced mod r: little-endian into 64 octets.
        let mut wide = [0u8; 64];
        for (w, o) in wide.iter_mut().zip(okm.iter().rev()) {
            *w = *o;
        }
        let sk = Scalar::from_bytes_wide(&wide);
        if sk != Scalar::zero() {
            return Ok(sk);
        }
        salt = sha256(&[&salt], ops);
    }
}

/// HKDF-Expand (RFC 5869 §2.3) of L = 48 octets: T(1) ‖ T(2)[..16].
fn hkdf_expand_48(prk: &[u8; 32], info: &[&[u8]], ops: &mut CryptoOps) -> [u8; L] {
    let mut okm = [0u8; L];
    let mut t: Vec<u8> = Vec::new();
    for (i, chunk) in okm.chunks_mut(32).enumerate() {
        let counter = [i as u8 + 1];
        let mut parts: Vec<&[u8]> = vec![&t];
        parts.extend_from_slice(info);
        parts.push(&counter);
        let block = hmac_sha256(prk, &parts, ops);
        chunk.copy_from_slice(&block[..chunk.len()]);
        t = block.to_vec();
    }
    okm
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::aggsig::scalar_to_be;

    /// RFC 5869 A.1 (test case 1): Extract from the published salt and IKM gives the
    /// published PRK; Expand's output is T(1) ‖ T(2) ‖ ..., so the first 42 of our 48
    /// octets are the published 42-octet OKM.
    #[test]
    fn hkdf_matches_rfc5869_case_1() {
        let ops = &mut CryptoOps::default();
        let salt = hex::decode("000102030405060708090a0b0c").unwrap();
        let prk = hmac_sha256(&salt, &[&[0x0b; 22]], ops);
        assert_eq!(
            hex::encode(prk),
            "077709362c2e32df0ddc3f0dc47bba6390b6c73bb50f9c3122ec844ad7c2b3e5"
        );
        let info = hex::decode("f0f1f2f3f4f5f6f7f8f9").unwrap();
        let okm = hkdf_expand_48(&prk, &[&info], ops);
        assert_eq!(
            hex::encode(&okm[..42]),
            "3cb25f25faacd57a90434f64d0362f2a2d2d0a90cf1a5a4c5db02d56ecc4c5bf34007208d5b887185865"
        );
    }

    /// EIP-2333 test cases 0, 1 and 2: `derive_master_SK(seed)` = `HKDF_mod_r(seed)` = this
    /// KeyGen with empty key_info (the EIP publishes the keys as decimal integers; here
    /// their 32-octet big-endian hex).
    #[test]
    fn key_gen_matches_eip2333_master_keys() {
        let cases = [
            (
                "c55257c360c07c72029aebc1b53c05ed0362ada38ead3e3e9efa3708e5349553\
                 1f09a6987599d18264c1e1c92f2cf141630c7a3c4ab7c81b2f001698e7463b04",
                // 6083874454709270928345386274498605044986640685124978867557563392430687146096
                "0d7359d57963ab8fbbde1852dcf553fedbc31f464d80ee7d40ae683122b45070",
            ),
            (
                "3141592653589793238462643383279502884197169399375105820974944592",
                // 29757020647961307431480504535336562678282505419141012933316116377660817309383
                "41c9e07822b092a93fd6797396338c3ada4170cc81829fdfce6b5d34bd5e7ec7",
            ),
            (
                "0099ff991111002299dd7744ee3355bbdd8844115566cc55663355668888cc00",
                // 27580842291869792442942448775674722299803720648445448686099262467207037398656
                "3cfa341ab3910a7d00d933d8f7c4fe87c91798a0397421d6b19fd5b815132e80",
            ),
        ];
        for (seed, sk) in cases {
            let ikm = hex::decode(seed).unwrap();
            let got = key_gen(&ikm, b"", &mut CryptoOps::default()).unwrap();
            assert_eq!(hex::encode(scalar_to_be(&got)), sk, "seed {seed}");
        }
    }

    #[test]
    fn short_ikm_is_refused() {
        assert_eq!(
            key_gen(&[7u8; 31], b"", &mut CryptoOps::default()),
            Err(ShortIkm(31))
        );
    }

    #[test]
    fn key_info_separates_keys() {
        let ops = &mut CryptoOps::default();
        let a = key_gen(&[7u8; 32], b"", ops).unwrap();
        let b = key_gen(&[7u8; 32], b"meter", ops).unwrap();
        assert_ne!(scalar_to_be(&a), scalar_to_be(&b));
    }
}
