//! EAP-AKA' key derivation (RFC 9048 §3.3, §3.4; TS 33.501 §6.1.3.1):
//! CK'/IK' from CK, IK, the access network name and SQN ⊕ AK (TS 33.402
//! Annex A.2, FC 0x20), the PRF' key schedule (K_encr, K_aut, K_re, MSK,
//! EMSK) and AT_MAC with HMAC-SHA-256-128 under K_aut.
//!
//! In 5G, K_AUSF is the first 256 bits of EMSK (TS 33.501 §6.1.3.1 step 9).

use zeroize::Zeroize;

use super::kdf::{KdfParamTooLong, kdf};
use super::{ct_eq, hmac_sha256};
use crate::core::CryptoOps;

/// FC for CK'/IK' (TS 33.402 A.2).
pub const FC_CK_IK_PRIME: u8 = 0x20;
/// Octets of PRF' output the key schedule takes (16 + 32 + 32 + 64 + 64).
const MK_LEN: usize = 208;
/// AT_MAC value length: HMAC-SHA-256 truncated to 128 bits (RFC 9048 §3.4.1).
pub const AT_MAC_LEN: usize = 16;

/// CK' ‖ IK' = KDF(CK ‖ IK, 0x20, access network name, SQN ⊕ AK): CK' is the
/// first 128 bits, IK' the last (RFC 9048 §3.3).
pub fn ck_ik_prime(
    ck: &[u8; 16],
    ik: &[u8; 16],
    network_name: &[u8],
    sqn_xor_ak: &[u8; 6],
    ops: &mut CryptoOps,
) -> Result<([u8; 16], [u8; 16]), KdfParamTooLong> {
    let mut key = [0u8; 32];
    key[..16].copy_from_slice(ck);
    key[16..].copy_from_slice(ik);
    let out = kdf(&key, FC_CK_IK_PRIME, &[network_name, sqn_xor_ak], ops);
    key.zeroize();
    let mut out = out?;
    let mut ck_p = [0u8; 16];
    let mut ik_p = [0u8; 16];
    ck_p.copy_from_slice(&out[..16]);
    ik_p.copy_from_slice(&out[16..]);
    out.zeroize();
    Ok((ck_p, ik_p))
}

/// PRF'(K, S) = T1 ‖ T2 ‖ … with T1 = HMAC-SHA-256(K, S ‖ 0x01) and
/// Tn = HMAC-SHA-256(K, Tn-1 ‖ S ‖ n) (RFC 9048 §3.4.1), cut to `out.len()`
/// (at most 255 × 32 octets).
pub fn prf_prime(key: &[u8], s: &[u8], out: &mut [u8], ops: &mut CryptoOps) {
    debug_assert!(out.len() <= 255 * 32);
    let mut t = [0u8; 32];
    for (i, chunk) in out.chunks_mut(32).enumerate() {
        let n = [(i + 1) as u8];
        let prev: &[u8] = if i == 0 { &[] } else { &t };
        let next = hmac_sha256(key, &[prev, s, &n], ops);
        t = next;
        chunk.copy_from_slice(&t[..chunk.len()]);
    }
    t.zeroize();
}

/// The EAP-AKA' keys (RFC 9048 §3.3); wiped on drop.
#[derive(Clone)]
pub struct Keys {
    pub k_encr: [u8; 16],
    pub k_aut: [u8; 32],
    pub k_re: [u8; 32],
    pub msk: [u8; 64],
    pub emsk: [u8; 64],
}

impl Drop for Keys {
    fn drop(&mut self) {
        self.k_encr.zeroize();
        self.k_aut.zeroize();
        self.k_re.zeroize();
        self.msk.zeroize();
        self.emsk.zeroize();
    }
}

impl std::fmt::Debug for Keys {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("eap_aka_prime::Keys { .. }")
    }
}

impl Keys {
    /// MK = PRF'(IK' ‖ CK', "EAP-AKA'" ‖ Identity), split into K_encr, K_aut,
    /// K_re, MSK and EMSK in that order (RFC 9048 §3.3).
    pub fn derive(
        ck_prime: &[u8; 16],
        ik_prime: &[u8; 16],
        identity: &[u8],
        ops: &mut CryptoOps,
    ) -> Self {
        let mut key = [0u8; 32];
        key[..16].copy_from_slice(ik_prime);
        key[16..].copy_from_slice(ck_prime);
        let mut s = Vec::with_capacity(8 + identity.len());
        s.extend_from_slice(b"EAP-AKA'");
        s.extend_from_slice(identity);
        let mut mk = [0u8; MK_LEN];
        prf_prime(&key, &s, &mut mk, ops);
        key.zeroize();
        let mut keys = Keys {
            k_encr: [0; 16],
            k_aut: [0; 32],
            k_re: [0; 32],
            msk: [0; 64],
            emsk: [0; 64],
        };
        keys.k_encr.copy_from_slice(&mk[..16]);
        keys.k_aut.copy_from_slice(&mk[16..48]);
        keys.k_re.copy_from_slice(&mk[48..80]);
        keys.msk.copy_from_slice(&mk[80..144]);
        keys.emsk.copy_from_slice(&mk[144..208]);
        mk.zeroize();
        keys
    }

    /// K_AUSF for EAP-AKA' in 5G: the most significant 256 bits of EMSK
    /// (TS 33.501 §6.1.3.1).
    pub fn kausf(&self) -> [u8; 32] {
        let mut k = [0u8; 32];
        k.copy_from_slice(&self.emsk[..32]);
        k
    }
}

/// AT_MAC value: HMAC-SHA-256-128 under K_aut over the whole EAP packet with
/// the AT_MAC value field set to zero (RFC 9048 §3.4.1, RFC 4187 §10.15).
pub fn at_mac(k_aut: &[u8; 32], packet_with_zero_mac: &[u8], ops: &mut CryptoOps) -> [u8; 16] {
    let mut full = hmac_sha256(k_aut, &[packet_with_zero_mac], ops);
    let mut out = [0u8; AT_MAC_LEN];
    out.copy_from_slice(&full[..AT_MAC_LEN]);
    full.zeroize();
    out
}

/// Checks a received AT_MAC value in constant time.
pub fn verify_at_mac(
    k_aut: &[u8; 32],
    packet_with_zero_mac: &[u8],
    mac: &[u8],
    ops: &mut CryptoOps,
) -> bool {
    ct_eq(&at_mac(k_aut, packet_with_zero_mac, ops), mac)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::core::Prim;
    use crate::crypto::kdf_5g::vector_file;

    fn arr<const N: usize>(s: &str) -> [u8; N] {
        hex::decode(s).unwrap().try_into().unwrap()
    }

    struct Rfc {
        network: &'static str,
        ck_prime: &'static str,
        ik_prime: &'static str,
        k_encr: &'static str,
        k_aut: &'static str,
        k_re: &'static str,
        msk: &'static str,
        emsk: &'static str,
    }

    /// RFC 9048's test vectors (the appendix carried over from RFC 5448
    /// Appendix C), cases 1 (network name "WLAN") and 2 ("HRPD"): MILENAGE test
    /// set 19 outputs CK, IK, AUTN, identity "0555444333222111". The same
    /// values appear in free5GC's AUSF test (eap_aka_prime PRF test).
    const CASES: [Rfc; 2] = [
        Rfc {
            network: "WLAN",
            ck_prime: "0093962d0dd84aa5684b045c9edffa04",
            ik_prime: "ccfc230ca74fcc96c0a5d61164f5a76c",
            k_encr: "766fa0a6c317174b812d52fbcd11a179",
            k_aut: "0842ea722ff6835bfa2032499fc3ec23c2f0e388b4f07543ffc677f1696d71ea",
            k_re: "cf83aa8bc7e0aced892acc98e76a9b2095b558c7795c7094715cb3393aa7d17a",
            msk: "67c42d9aa56c1b79e295e3459fc3d187d42be0bf818d3070e362c5e967a4d544\
                  e8ecfe19358ab3039aff03b7c930588c055babee58a02650b067ec4e9347c75a",
            emsk: "f861703cd775590e16c7679ea3874ada866311de290764d760cf76df647ea01c\
                   313f69924bdd7650ca9bac141ea075c4ef9e8029c0e290cdbad5638b63bc23fb",
        },
        Rfc {
            network: "HRPD",
            ck_prime: "3820f0277fa5f77732b1fb1d90c1a0da",
            ik_prime: "db94a0ab557ef6c9ab48619ca05b9a9f",
            k_encr: "05ad73ac915fce89ac77e1520d82187b",
            k_aut: "5b4acaef62c6ebb8882b2f3d534c4b35277337a00184f20ff25d224c04be2afd",
            k_re: "3f90bf5c6e5ef325ff04eb5ef6539fa8cca8398194fbd00be425b3f40dba10ac",
            msk: "87b321570117cd6c95ab6c436fb5073ff15cf85505d2bc5bb7355fc21ea8a757\
                  57e8f86a2b138002e05752913bb43b82f868a96117e91a2d95f526677d572900",
            emsk: "c891d5f20f148a1007553e2dea555c9cb672e9675f4a66b4bafa027379f93aee\
                   539a5979d0a0042b9d2ae28bed3b17a31dc8ab75072b80bd0c1da612466e402c",
        },
    ];

    #[test]
    fn rfc9048_cases_1_and_2() {
        let ck = arr::<16>("5349fbe098649f948f5d2e973a81c00f");
        let ik = arr::<16>("9744871ad32bf9bbd1dd5ce54e3e2e5a");
        let autn = arr::<16>("bb52e91c747ac3ab2a5c23d15ee351d5");
        let sqn_xor_ak: [u8; 6] = autn[..6].try_into().unwrap();
        for c in &CASES {
            let mut ops = CryptoOps::default();
            let (ckp, ikp) =
                ck_ik_prime(&ck, &ik, c.network.as_bytes(), &sqn_xor_ak, &mut ops).unwrap();
            assert_eq!(hex::encode(ckp), c.ck_prime, "{}", c.network);
            assert_eq!(hex::encode(ikp), c.ik_prime, "{}", c.network);
            let keys = Keys::derive(&ckp, &ikp, b"0555444333222111", &mut ops);
            assert_eq!(hex::encode(keys.k_encr), c.k_encr);
            assert_eq!(hex::encode(keys.k_aut), c.k_aut);
            assert_eq!(hex::encode(keys.k_re), c.k_re);
            assert_eq!(hex::encode(keys.msk), c.msk);
            assert_eq!(hex::encode(keys.emsk), c.emsk);
            assert_eq!(keys.kausf()[..], keys.emsk[..32]);
            // CK'/IK': 4 compressions; PRF': 7 HMACs over a 32-octet key.
            assert!(ops.get(Prim::Sha256Block) >= 4 + 7 * 4);
        }
    }

    /// The Python script's independent computation of case 1 (same values).
    #[test]
    fn python_script_agrees_with_rfc_case_1() {
        let v = vector_file(include_str!("../../tests/data/kdf_5g_vectors.txt"));
        assert_eq!(
            hex::encode(&v["set19.eap_wlan.ck_prime"]),
            CASES[0].ck_prime
        );
        assert_eq!(hex::encode(&v["set19.eap_wlan.emsk"]), CASES[0].emsk);
    }

    /// HMAC-SHA-256 truncated to 128 bits: RFC 4231 test case 5 ("Test With
    /// Truncation", key 0x0c × 20), padded to a 32-octet K_aut would change the
    /// key, so this checks the truncation on the raw HMAC and AT_MAC on K_aut.
    #[test]
    fn at_mac_is_hmac_sha256_128() {
        let mut ops = CryptoOps::default();
        let full = hmac_sha256(&[0x0c; 20], &[b"Test With Truncation"], &mut ops);
        assert_eq!(hex::encode(&full[..16]), "a3b6167473100ee06e0c796c2955552b");
        let k_aut = arr::<32>(CASES[0].k_aut);
        let packet = [
            1u8, 7, 0, 28, 50, 1, 0, 0, 11, 5, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
        ];
        let mac = at_mac(&k_aut, &packet, &mut ops);
        assert_eq!(mac[..], hmac_sha256(&k_aut, &[&packet], &mut ops)[..16]);
        assert!(verify_at_mac(&k_aut, &packet, &mac, &mut ops));
        let mut bad = mac;
        bad[0] ^= 0x80;
        assert!(!verify_at_mac(&k_aut, &packet, &bad, &mut ops));
        assert!(!verify_at_mac(&k_aut, &packet, &mac[..8], &mut ops));
    }

    #[test]
    fn prf_prime_chains_blocks() {
        let mut ops = CryptoOps::default();
        let mut out = [0u8; 40];
        prf_prime(b"key", b"S", &mut out, &mut ops);
        let t1 = hmac_sha256(b"key", &[b"S", &[1]], &mut ops);
        let t2 = hmac_sha256(b"key", &[&t1, b"S", &[2]], &mut ops);
        assert_eq!(out[..32], t1);
        assert_eq!(out[32..], t2[..8]);
    }
}
