//! The 5G key hierarchy of TS 33.501 Annex A on the TS 33.220 KDF
//! ([`super::kdf::kdf`]): RES*/XRES* (A.4), HRES*/HXRES* (A.5), K_AUSF (A.2),
//! K_SEAF (A.6), K_AMF (A.7) and the NAS keys (A.8).
//!
//! The serving network name (TS 33.501 §6.1.1.4, TS 24.501 §9.12.1) binds
//! RES*, K_AUSF and K_SEAF to the network the UE sees; [`ServingNetworkName`]
//! holds one that fits the KDF's two-octet length field, so the derivations
//! that take it cannot fail. The SUPI of K_AMF is checked the same way.
//!
//! SHA-256 compressions are counted through [`super::hmac_sha256`] and
//! [`super::sha256`].

use zeroize::Zeroize;

use super::kdf::{KdfParamTooLong, kdf};
use super::{ct_eq, sha256};
use crate::core::CryptoOps;

/// FC for K_AUSF (TS 33.501 A.2).
pub const FC_KAUSF: u8 = 0x6A;
/// FC for RES*/XRES* (TS 33.501 A.4).
pub const FC_RES_STAR: u8 = 0x6B;
/// FC for K_SEAF (TS 33.501 A.6).
pub const FC_KSEAF: u8 = 0x6C;
/// FC for K_AMF (TS 33.501 A.7).
pub const FC_KAMF: u8 = 0x6D;
/// FC for algorithm keys (TS 33.501 A.8).
pub const FC_ALG_KEY_5G: u8 = 0x69;
/// Algorithm type distinguisher N-NAS-enc-alg (TS 33.501 Table A.8-1).
pub const N_NAS_ENC_ALG: u8 = 0x01;
/// Algorithm type distinguisher N-NAS-int-alg (TS 33.501 Table A.8-1).
pub const N_NAS_INT_ALG: u8 = 0x02;
/// 128-NIA2 / 128-NEA2 algorithm identity (TS 33.501 §5.11.1).
pub const ALG_ID_2: u8 = 0x02;

/// A serving network name that the KDF can take (at most 65535 octets).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ServingNetworkName(String);

/// A serving network name that is not `5G:`-prefixed or too long for the KDF.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum SnnError {
    #[error("serving network name {0:?} does not start with \"5G:\" (TS 24.501 §9.12.1)")]
    Prefix(String),
    #[error(transparent)]
    TooLong(#[from] KdfParamTooLong),
}

impl ServingNetworkName {
    /// Checks the `5G:` prefix and the KDF length limit; the rest (SNN-network-
    /// identifier, NID) is taken as given, as a UE takes it from the network.
    pub fn new(name: &str) -> Result<Self, SnnError> {
        if !name.starts_with("5G:") {
            return Err(SnnError::Prefix(name.to_string()));
        }
        u16::try_from(name.len()).map_err(|_| KdfParamTooLong {
            index: 0,
            len: name.len(),
        })?;
        Ok(Self(name.to_string()))
    }

    /// `5G:mncXXX.mccYYY.3gppnetwork.org` for a PLMN (TS 24.501 §9.12.1, with
    /// the two-digit MNC padded by a leading zero as TS 23.003 §28.2 writes it).
    pub fn for_plmn(mcc: u16, mnc: u16) -> Self {
        Self(format!("5G:mnc{mnc:03}.mcc{mcc:03}.3gppnetwork.org"))
    }

    pub fn as_bytes(&self) -> &[u8] {
        self.0.as_bytes()
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// Runs the KDF on parameters whose lengths the caller's types already bound.
fn kdf_bounded(key: &[u8], fc: u8, params: &[&[u8]], ops: &mut CryptoOps) -> [u8; 32] {
    match kdf(key, fc, params, ops) {
        Ok(out) => out,
        // Every caller passes fixed-size arrays and a ServingNetworkName or a
        // checked SUPI, all under 65536 octets.
        Err(e) => unreachable!("bounded KDF parameter: {e}"),
    }
}

fn ck_ik(ck: &[u8; 16], ik: &[u8; 16]) -> [u8; 32] {
    let mut key = [0u8; 32];
    key[..16].copy_from_slice(ck);
    key[16..].copy_from_slice(ik);
    key
}

fn low_half(mut full: [u8; 32]) -> [u8; 16] {
    let mut out = [0u8; 16];
    out.copy_from_slice(&full[16..]);
    full.zeroize();
    out
}

/// RES* (UE) or XRES* (ARPF): the 128 least significant bits of
/// KDF(CK ‖ IK, 0x6B, SNN, RAND, RES) (TS 33.501 A.4).
pub fn res_star(
    ck: &[u8; 16],
    ik: &[u8; 16],
    snn: &ServingNetworkName,
    rand: &[u8; 16],
    res: &[u8],
    ops: &mut CryptoOps,
) -> Result<[u8; 16], KdfParamTooLong> {
    let mut key = ck_ik(ck, ik);
    let out = kdf(&key, FC_RES_STAR, &[snn.as_bytes(), rand, res], ops);
    key.zeroize();
    out.map(low_half)
}

/// HRES* (SEAF) or HXRES* (AUSF): the 128 least significant bits of
/// SHA-256(RAND ‖ RES*) (TS 33.501 A.5).
pub fn hres_star(rand: &[u8; 16], res_star: &[u8; 16], ops: &mut CryptoOps) -> [u8; 16] {
    low_half(sha256(&[rand, res_star], ops))
}

/// K_AUSF = KDF(CK ‖ IK, 0x6A, SNN, SQN ⊕ AK) (TS 33.501 A.2).
pub fn kausf(
    ck: &[u8; 16],
    ik: &[u8; 16],
    snn: &ServingNetworkName,
    sqn_xor_ak: &[u8; 6],
    ops: &mut CryptoOps,
) -> [u8; 32] {
    let mut key = ck_ik(ck, ik);
    let out = kdf_bounded(&key, FC_KAUSF, &[snn.as_bytes(), sqn_xor_ak], ops);
    key.zeroize();
    out
}

/// K_SEAF = KDF(K_AUSF, 0x6C, SNN) (TS 33.501 A.6).
pub fn kseaf(kausf: &[u8; 32], snn: &ServingNetworkName, ops: &mut CryptoOps) -> [u8; 32] {
    kdf_bounded(kausf, FC_KSEAF, &[snn.as_bytes()], ops)
}

/// K_AMF = KDF(K_SEAF, 0x6D, SUPI, ABBA) (TS 33.501 A.7). For an IMSI-type
/// SUPI, P0 is the IMSI's digits as characters (A.7.0), e.g. `b"001010000000001"`.
pub fn kamf(
    kseaf: &[u8; 32],
    supi: &[u8],
    abba: &[u8],
    ops: &mut CryptoOps,
) -> Result<[u8; 32], KdfParamTooLong> {
    kdf(kseaf, FC_KAMF, &[supi, abba], ops)
}

/// K_NASenc / K_NASint: the 128 least significant bits of
/// KDF(K_AMF, 0x69, algorithm type distinguisher, algorithm identity)
/// (TS 33.501 A.8). Use [`N_NAS_ENC_ALG`] or [`N_NAS_INT_ALG`].
pub fn nas_key(
    kamf: &[u8; 32],
    alg_type_distinguisher: u8,
    alg_id: u8,
    ops: &mut CryptoOps,
) -> [u8; 16] {
    low_half(kdf_bounded(
        kamf,
        FC_ALG_KEY_5G,
        &[&[alg_type_distinguisher], &[alg_id]],
        ops,
    ))
}

/// Compares a received RES* (AUSF) or HRES* (SEAF) with the expected value in
/// constant time.
pub fn check(expected: &[u8; 16], received: &[u8]) -> bool {
    ct_eq(expected, received)
}

/// Parses `name = hex` lines of a vector file written by a test script.
#[cfg(test)]
pub(crate) fn vector_file(text: &str) -> std::collections::HashMap<&str, Vec<u8>> {
    text.lines()
        .filter_map(|l| l.split_once(" = "))
        .map(|(k, v)| (k.trim(), hex::decode(v.trim()).expect("hex value")))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::core::Prim;
    use crate::crypto::milenage::{Milenage, opc};

    /// Values computed a second way by `protocols/tests/data/kdf_5g_vectors.py`
    /// (MILENAGE and the KDF written out in Python, sharing no code with this
    /// crate; MILENAGE self-checked against TS 35.208 test set 1).
    const VECTORS: &str = include_str!("../../tests/data/kdf_5g_vectors.txt");

    fn arr<const N: usize>(v: &[u8]) -> [u8; N] {
        v.try_into().unwrap()
    }

    struct Case {
        k: [u8; 16],
        op_c: [u8; 16],
        rand: [u8; 16],
        sqn: [u8; 6],
        amf: [u8; 2],
    }

    /// The full chain from MILENAGE inputs, checked against the script's values.
    fn check_chain(name: &str, c: &Case) {
        let v = vector_file(VECTORS);
        let get = |k: &str| v[format!("{name}.{k}").as_str()].as_slice();
        let snn = ServingNetworkName::for_plmn(1, 1);
        let mut ops = CryptoOps::default();
        let m = Milenage::new(c.k, c.op_c);
        let (res, ck, ik, ak) = m.f2345(&c.rand, &mut ops);
        let sqn_xor_ak: [u8; 6] = std::array::from_fn(|i| c.sqn[i] ^ ak[i]);
        let mac_a = m.f1(&c.rand, &c.sqn, &c.amf, &mut ops);
        assert_eq!(get("autn"), [&sqn_xor_ak[..], &c.amf, &mac_a].concat());
        let xres = res_star(&ck, &ik, &snn, &c.rand, &res, &mut ops).unwrap();
        assert_eq!(xres[..], *get("xres_star"));
        let ka = kausf(&ck, &ik, &snn, &sqn_xor_ak, &mut ops);
        assert_eq!(ka[..], *get("kausf"));
        assert_eq!(hres_star(&c.rand, &xres, &mut ops)[..], *get("hxres_star"));
        let ks = kseaf(&ka, &snn, &mut ops);
        assert_eq!(ks[..], *get("kseaf"));
        let km = kamf(&ks, b"001010000000001", &[0, 0], &mut ops).unwrap();
        assert_eq!(km[..], *get("kamf"));
        for alg in [1u8, 2] {
            assert_eq!(
                nas_key(&km, N_NAS_ENC_ALG, alg, &mut ops)[..],
                *get(&format!("knas_enc_{alg}"))
            );
            assert_eq!(
                nas_key(&km, N_NAS_INT_ALG, alg, &mut ops)[..],
                *get(&format!("knas_int_{alg}"))
            );
        }
    }

    /// flipk/pfk-milenage (GitHub), main.cc and expected_output.txt: K, OP, RAND,
    /// SQN 000000005a82, AMF 8000, SNN "5G:mnc001.mcc001.3gppnetwork.org" give
    /// K_AUSF b631fe10… and XRES* 57e71328… (also in the free5GC UDM record the
    /// file quotes). That publishes A.2 and A.4; K_SEAF, HXRES*, K_AMF and the
    /// NAS keys of the same chain come from the independent Python script.
    #[test]
    fn published_chain_flipk_pfk_milenage() {
        let k: [u8; 16] = std::array::from_fn(|i| i as u8);
        let op: [u8; 16] = std::array::from_fn(|i| (i as u8) * 0x11);
        let mut ops = CryptoOps::default();
        let case = Case {
            k,
            op_c: opc(&k, &op, &mut ops),
            rand: arr(&hex::decode("f87a8a8cd94de52eb4d960ea52f664de").unwrap()),
            sqn: [0, 0, 0, 0, 0x5a, 0x82],
            amf: [0x80, 0],
        };
        // The published values themselves, not only the script's copy of them.
        let v = vector_file(VECTORS);
        assert_eq!(
            hex::encode(&v["flipk.kausf"]),
            "b631fe100c0cfa577cbcd16087d5349468aba134ac2042e57bbb4c978586ef91"
        );
        assert_eq!(
            hex::encode(&v["flipk.xres_star"]),
            "57e71328a395de5705a9799d09994b31"
        );
        check_chain("flipk", &case);
    }

    /// TS 35.208 test set 19 in a 5G network (the CLI example's inputs).
    #[test]
    fn chain_test_set_19() {
        let case = Case {
            k: arr(&hex::decode("5122250214c33e723a5dd523fc145fc0").unwrap()),
            op_c: arr(&hex::decode("981d464c7c52eb6e5036234984ad0bcf").unwrap()),
            rand: arr(&hex::decode("81e92b6c0ee0e12ebceba8d92a99dfa5").unwrap()),
            sqn: arr(&hex::decode("16f3b3f70fc2").unwrap()),
            amf: [0xc3, 0xab],
        };
        check_chain("set19", &case);
    }

    #[test]
    fn operation_counts() {
        let snn = ServingNetworkName::for_plmn(1, 1);
        let mut ops = CryptoOps::default();
        // S = 1 + (32+2) + (16+2) + (8+2) = 63 octets: inner hash over 64+63
        // octets (3 blocks with padding), outer over 64+32 (2 blocks).
        res_star(&[1; 16], &[2; 16], &snn, &[3; 16], &[4; 8], &mut ops).unwrap();
        assert_eq!(ops.get(Prim::Sha256Block), 3 + 2);
        let mut ops = CryptoOps::default();
        hres_star(&[0; 16], &[0; 16], &mut ops);
        assert_eq!(ops.get(Prim::Sha256Block), 1);
        assert_eq!(ops.get(Prim::AesBlock), 0);
    }

    #[test]
    fn serving_network_names() {
        assert_eq!(
            ServingNetworkName::for_plmn(1, 1).as_str(),
            "5G:mnc001.mcc001.3gppnetwork.org"
        );
        assert_eq!(
            ServingNetworkName::for_plmn(208, 93).as_str(),
            "5G:mnc093.mcc208.3gppnetwork.org"
        );
        assert!(matches!(
            ServingNetworkName::new("mnc001.mcc001"),
            Err(SnnError::Prefix(_))
        ));
        let long = format!("5G:{}", "a".repeat(65535));
        assert!(matches!(
            ServingNetworkName::new(&long),
            Err(SnnError::TooLong(_))
        ));
        assert!(ServingNetworkName::new("5G:mnc001.mcc001.3gppnetwork.org").is_ok());
    }

    #[test]
    fn res_star_check_is_exact() {
        let x = [7u8; 16];
        assert!(check(&x, &[7; 16]));
        let mut y = x;
        y[15] ^= 1;
        assert!(!check(&x, &y));
        assert!(!check(&x, &[7; 8]));
    }
}
