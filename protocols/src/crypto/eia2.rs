//! 128-EIA2 (TS 33.401 Annex B.2.3): AES-128-CMAC over
//! COUNT(32) ‖ BEARER(5) ‖ DIRECTION(1) ‖ 0^26 ‖ MESSAGE, truncated to 32 bits.
//! It protects NAS messages after the security mode command.
//!
//! AES blocks are counted as CMAC performs them: one for the subkey
//! L = E_K(0^128) plus one per 128-bit block of the input (at least one).
//!
//! CMAC (NIST SP 800-38B) is written out here over an encryption-only AES key
//! schedule; tests check it against the `cmac` crate and the TS 33.401
//! Annex C.2 test sets.

// Encryption-only key schedule: CMAC never decrypts.
use aes::Aes128Enc as Aes128;
use aes::cipher::KeyInit;

use super::aes_blocks::with_block_encrypt;

use super::ct_eq;
use crate::core::{CryptoOps, Prim};

/// A message bit length larger than the message supplied.
#[derive(Clone, Copy, Debug, PartialEq, Eq, thiserror::Error)]
#[error("EIA2 bit length {bits} exceeds the {bytes}-octet message")]
pub struct BitLengthTooLong {
    pub bits: usize,
    pub bytes: usize,
}

/// AES block encryptions of one 128-EIA2 MAC over a `message_bits`-bit message.
pub const fn aes_blocks(message_bits: usize) -> u64 {
    let blocks = (64 + message_bits).div_ceil(128);
    1 + if blocks == 0 { 1 } else { blocks as u64 }
}

/// The 64-bit prefix COUNT ‖ BEARER ‖ DIRECTION ‖ 0^26. Only the low 5 bits
/// of `bearer` and the low bit of `direction` (0 uplink, 1 downlink) are used.
fn header(count: u32, bearer: u8, direction: u8) -> [u8; 8] {
    debug_assert!(bearer < 32 && direction < 2);
    let mut h = [0u8; 8];
    h[..4].copy_from_slice(&count.to_be_bytes());
    h[4] = ((bearer & 0x1f) << 3) | ((direction & 1) << 2);
    h
}

/// 128-EIA2 MAC-I over a byte-aligned message.
pub fn eia2(
    key: &[u8; 16],
    count: u32,
    bearer: u8,
    direction: u8,
    message: &[u8],
    ops: &mut CryptoOps,
) -> [u8; 4] {
    let tag = cmac_bytes(key, &header(count, bearer, direction), message, ops);
    [tag[0], tag[1], tag[2], tag[3]]
}

/// Runs a CMAC computation `f` with AES-128 under `key` in one backend call,
/// counting every block it encrypts.
fn with_counted_aes(
    key: &[u8; 16],
    ops: &mut CryptoOps,
    f: impl FnOnce(&mut dyn FnMut(&mut [u8; 16])) -> [u8; 16],
) -> [u8; 16] {
    let cipher = Aes128::new(key.into());
    let mut blocks = 0;
    let tag = with_block_encrypt(&cipher, |aes| {
        f(&mut |b: &mut [u8; 16]| {
            aes(b);
            blocks += 1;
        })
    });
    ops.add(Prim::AesBlock, blocks);
    tag
}

/// AES-CMAC (NIST SP 800-38B) over `prefix || message` (whole octets), without
/// copying them together. Counts 1 + max(1, ceil(len / 16)) AES blocks.
fn cmac_bytes(key: &[u8; 16], prefix: &[u8], message: &[u8], ops: &mut CryptoOps) -> [u8; 16] {
    with_counted_aes(key, ops, |enc| {
        let mut l = [0u8; 16];
        enc(&mut l);
        let k1 = dbl(&l);
        let total = prefix.len() + message.len();
        let n = total.div_ceil(16).max(1);
        let octet = |i: usize| match i.checked_sub(prefix.len()) {
            None => prefix[i],
            Some(j) => message[j],
        };
        let mut x = [0u8; 16];
        for block in 0..n - 1 {
            for (j, xj) in x.iter_mut().enumerate() {
                *xj ^= octet(block * 16 + j);
            }
            enc(&mut x);
        }
        // Last block: a complete one is XORed with K1; otherwise pad 1 0* and use K2.
        let start = (n - 1) * 16;
        let rest = total - start;
        let mut last = [0u8; 16];
        for (j, lj) in last.iter_mut().enumerate().take(rest) {
            *lj = octet(start + j);
        }
        let subkey = if rest == 16 {
            k1
        } else {
            last[rest] = 0x80;
            dbl(&k1)
        };
        for i in 0..16 {
            x[i] ^= last[i] ^ subkey[i];
        }
        enc(&mut x);
        x
    })
}

/// Checks a received MAC-I in constant time.
pub fn eia2_verify(
    key: &[u8; 16],
    count: u32,
    bearer: u8,
    direction: u8,
    message: &[u8],
    mac: &[u8; 4],
    ops: &mut CryptoOps,
) -> bool {
    ct_eq(&eia2(key, count, bearer, direction, message, ops), mac)
}

/// 128-EIA2 over the first `bit_len` bits of `message` (the spec's LENGTH).
///
/// Byte-aligned lengths go through [`eia2`]; others use [`cmac_bits`], since
/// the `cmac` crate only pads whole octets.
pub fn eia2_bits(
    key: &[u8; 16],
    count: u32,
    bearer: u8,
    direction: u8,
    message: &[u8],
    bit_len: usize,
    ops: &mut CryptoOps,
) -> Result<[u8; 4], BitLengthTooLong> {
    if bit_len > message.len() * 8 {
        return Err(BitLengthTooLong {
            bits: bit_len,
            bytes: message.len(),
        });
    }
    if bit_len.is_multiple_of(8) {
        return Ok(eia2(
            key,
            count,
            bearer,
            direction,
            &message[..bit_len / 8],
            ops,
        ));
    }
    let mut m = Vec::with_capacity(8 + message.len());
    m.extend_from_slice(&header(count, bearer, direction));
    m.extend_from_slice(&message[..bit_len.div_ceil(8)]);
    let tag = cmac_bits(key, &m, 64 + bit_len, ops);
    Ok([tag[0], tag[1], tag[2], tag[3]])
}

/// Doubling in GF(2^128) for CMAC subkeys (NIST SP 800-38B §6.1).
fn dbl(x: &[u8; 16]) -> [u8; 16] {
    let mut out = [0u8; 16];
    for i in 0..16 {
        let next = if i < 15 { x[i + 1] >> 7 } else { 0 };
        out[i] = (x[i] << 1) | next;
    }
    // Branch-free: XOR 0x87 when the shifted-out bit was set.
    out[15] ^= 0x87 & (x[0] >> 7).wrapping_neg();
    out
}

/// AES-CMAC (NIST SP 800-38B) over the first `bits` bits of `m`, for bit
/// strings whose length is not a multiple of 8. `m` must hold at least
/// `bits.div_ceil(8)` octets; bits past `bits` are ignored.
fn cmac_bits(key: &[u8; 16], m: &[u8], bits: usize, ops: &mut CryptoOps) -> [u8; 16] {
    with_counted_aes(key, ops, |enc| {
        let mut k1 = [0u8; 16];
        enc(&mut k1);
        k1 = dbl(&k1);
        let n = bits.div_ceil(128).max(1);
        let mut x = [0u8; 16];
        for block in m.chunks(16).take(n - 1) {
            for (xi, bi) in x.iter_mut().zip(block) {
                *xi ^= bi;
            }
            enc(&mut x);
        }
        // Last block: complete blocks use K1; otherwise pad 1 0* and use K2.
        let rest = bits - (n - 1) * 128;
        let mut last = [0u8; 16];
        let start = (n - 1) * 16;
        let take = rest.div_ceil(8);
        last[..take].copy_from_slice(&m[start..start + take]);
        let subkey = if rest == 128 {
            k1
        } else {
            if !rest.is_multiple_of(8) {
                last[rest / 8] &= 0xffu8 << (8 - rest % 8);
            }
            last[rest / 8] |= 0x80 >> (rest % 8);
            dbl(&k1)
        };
        for i in 0..16 {
            x[i] ^= last[i] ^ subkey[i];
        }
        enc(&mut x);
        x
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    /// TS 33.401 Annex C.2 128-EIA2 test sets 1..7, transcribed from the
    /// srsRAN project's security unit tests (tests/unittests/security). Set 8
    /// (16448 bits) is left out for size; set 7 covers multi-block messages.
    /// (key, COUNT, BEARER, DIRECTION, LENGTH in bits, MESSAGE, MAC-I)
    const SETS: &[(&str, u32, u8, u8, usize, &str, &str)] = &[
        (
            "2bd6459f82c5b300952c49104881ff48",
            0x38a6f056,
            0x18,
            0,
            58,
            "3332346263393840",
            "118c6eb8",
        ),
        (
            "d3c5d592327fb11c4035c6680af8c6d1",
            0x398a59b4,
            0x1a,
            1,
            64,
            "484583d5afe082ae",
            "b93787e6",
        ),
        (
            "7e5e94431e11d73828d739cc6ced4573",
            0x36af6144,
            0x18,
            1,
            254,
            "b3d3c9170a4e1632f60f861013d22d84b726b6a278d802d1eeaf1321ba5929dc",
            "1f60b01d",
        ),
        (
            "d3419be821087acd02123a9248033359",
            0xc7590ea9,
            0x17,
            0,
            511,
            "bbb057038809496bcff86d6fbc8ce5b135a06b166054f2d565be8ace75dc851e\
             0bcdd8f07141c495872fb5d8c0c66a8b6da556663e4e461205d84580bee5bc7e",
            "6846a2f0",
        ),
        (
            "83fd23a244a74cf358da3019f1722635",
            0x36af6144,
            0x0f,
            1,
            768,
            "35c68716633c66fb750c266865d53c11ea05b1e9fa49c8398d48e1efa5909d39\
             47902837f5ae96d5a05bc8d61ca8dbef1b13a4b4abfe4fb1006045b674bb5472\
             9304c382be53a5af05556176f6eaa2ef1d05e4b083181ee674cda5a485f74d7a",
            "e657e182",
        ),
        (
            "6832a65cff4473621ebdd4ba26a921fe",
            0x36af6144,
            0x18,
            0,
            383,
            "d3c53839626820717765667620323837636240981ba6824c1bfb1ab485472029\
             b71d808ce33e2cc3c0b5fc1f3de8a6dc",
            "f0668c1e",
        ),
        (
            "5d0a80d8134ae19677824b671e838af4",
            0x7827fab2,
            0x05,
            1,
            2558,
            "70dedf2dc42c5cbd3a96f8a0b11418b3608d5733604a2cd36aabc70ce3193bb5\
             153be2d3c06dfdb2d16e9c357158be6a41d6b861e491db3fbfeb518efcf048d7\
             d58953730ff30c9ec470ffcd663dc34201c36addc0111c35b38afee7cfdb582e\
             3731f8b4baa8d1a89c06e81199a9716227be344efcb436ddd0f096c064c3b5e2\
             c399993fc77394f9e09720a811850ef23b2ee05d9e6173609d86e1c0c18ea51a\
             012a00bb413b9cb8188a703cd6bae31cc67b34b1b00019e6a2b2a690f02671fe\
             7c9ef8dec0094e533763478d58d2c5f5b827a0148c5948a96931acf84f465a64\
             e62ce74007e991e37ea823fa0fb21923b79905b733b631e6c7d6860a3831ac35\
             1a9c730c52ff72d9d308eedbab21fde143a0ea17e23edc1f74cbb3638a2033aa\
             a15464eaa733385dbbeb6fd73509b857e6a419dca1d8907af977fbac4dfa35ec",
            "f4cc8fa3",
        ),
    ];

    #[test]
    fn annex_c2_test_sets() {
        for (i, &(key, count, bearer, dir, bits, msg, mac)) in SETS.iter().enumerate() {
            let key: [u8; 16] = hex::decode(key).unwrap().try_into().unwrap();
            let msg = hex::decode(msg).unwrap();
            let mut ops = CryptoOps::default();
            let got = eia2_bits(&key, count, bearer, dir, &msg, bits, &mut ops).unwrap();
            assert_eq!(hex::encode(got), mac, "test set {}", i + 1);
            assert_eq!(ops.get(Prim::AesBlock), aes_blocks(bits), "set {}", i + 1);
        }
    }

    #[test]
    fn byte_aligned_sets_through_eia2_and_verify() {
        for &(key, count, bearer, dir, bits, msg, mac) in
            SETS.iter().filter(|s| s.4.is_multiple_of(8))
        {
            let key: [u8; 16] = hex::decode(key).unwrap().try_into().unwrap();
            let msg = hex::decode(msg).unwrap();
            let mac: [u8; 4] = hex::decode(mac).unwrap().try_into().unwrap();
            let mut ops = CryptoOps::default();
            assert_eq!(eia2(&key, count, bearer, dir, &msg, &mut ops), mac);
            assert!(eia2_verify(&key, count, bearer, dir, &msg, &mac, &mut ops));
            let mut bad = mac;
            bad[3] ^= 1;
            assert!(!eia2_verify(&key, count, bearer, dir, &msg, &bad, &mut ops));
            assert_eq!(ops.get(Prim::AesBlock), 3 * aes_blocks(bits));
        }
    }

    /// Our byte-level CMAC agrees with the `cmac` crate, however the input
    /// is split between prefix and message.
    #[test]
    fn cmac_bytes_matches_cmac_crate() {
        use cmac::{Cmac, Mac};
        let key = [0x5c; 16];
        for len in [0usize, 1, 7, 8, 9, 15, 16, 17, 24, 31, 32, 33, 48, 100] {
            let m: Vec<u8> = (0..len as u8).map(|b| b.wrapping_mul(37)).collect();
            let mut crate_mac = <Cmac<aes::Aes128> as cmac::KeyInit>::new((&key).into());
            crate_mac.update(&m);
            let want: [u8; 16] = crate_mac.finalize().into_bytes().into();
            for split in [0, len / 3, len.min(8), len] {
                let mut ops = CryptoOps::default();
                let got = cmac_bytes(&key, &m[..split], &m[split..], &mut ops);
                assert_eq!(got, want, "len {len} split {split}");
                assert_eq!(ops.get(Prim::AesBlock), 1 + len.div_ceil(16).max(1) as u64);
            }
        }
    }

    /// Our bit-level CMAC agrees with the `cmac` crate on whole octets,
    /// including the empty, exact-block and partial-block cases.
    #[test]
    fn cmac_bits_matches_cmac_crate() {
        use cmac::{Cmac, Mac};
        let key = [0x2b; 16];
        for len in [0usize, 1, 15, 16, 17, 31, 32, 33, 48, 100] {
            let m: Vec<u8> = (0..len as u8).collect();
            let mut crate_mac = <Cmac<aes::Aes128> as cmac::KeyInit>::new((&key).into());
            crate_mac.update(&m);
            let want: [u8; 16] = crate_mac.finalize().into_bytes().into();
            let mut ops = CryptoOps::default();
            assert_eq!(cmac_bits(&key, &m, len * 8, &mut ops), want, "len {len}");
            assert_eq!(
                ops.get(Prim::AesBlock),
                1 + (len * 8).div_ceil(128).max(1) as u64
            );
        }
    }

    #[test]
    fn forty_byte_message_costs_four_blocks() {
        let mut ops = CryptoOps::default();
        eia2(&[1; 16], 7, 1, 0, &[0xab; 40], &mut ops);
        // 8-octet header + 40 octets = 3 blocks, plus the subkey.
        assert_eq!(ops.get(Prim::AesBlock), 4);
    }

    #[test]
    fn bit_length_beyond_message_is_an_error() {
        let mut ops = CryptoOps::default();
        assert_eq!(
            eia2_bits(&[0; 16], 0, 0, 0, &[0; 2], 17, &mut ops),
            Err(BitLengthTooLong { bits: 17, bytes: 2 })
        );
        assert!(ops.is_empty());
    }
}
