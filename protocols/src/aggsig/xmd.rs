//! Counting for RFC 9380 `expand_message_xmd` with SHA-256, used where a scheme hashes to a
//! scalar (IBAS's H3): the hash-to-curve primitives are priced whole, this one by blocks.

use bls12_381::Scalar;
use bls12_381::hash_to_curve::{ExpandMsgXmd, HashToField};
use sha2_v09::Sha256;

use crate::core::{CryptoOps, Prim};
use crate::crypto::sha256_blocks;

/// SHA-256 compressions of `expand_message_xmd(msg, dst, len)` (RFC 9380 §5.3.1):
/// b_0 = H(Z_pad ‖ msg ‖ I2OSP(len, 2) ‖ 0 ‖ DST′), then ⌈len/32⌉ blocks
/// b_i = H(b_{i−1} ⊕ … ‖ I2OSP(i, 1) ‖ DST′), with DST′ = DST ‖ I2OSP(|DST|, 1).
pub fn xmd_blocks(msg_len: usize, dst_len: usize, out_len: usize) -> u64 {
    let dst_prime = dst_len + 1;
    let b0 = sha256_blocks(64 + msg_len + 2 + 1 + dst_prime);
    let ell = out_len.div_ceil(32) as u64;
    b0 + ell * sha256_blocks(32 + 1 + dst_prime)
}

/// hash_to_field(msg, 1) into the BLS12-381 scalar field (RFC 9380 §5.2, L = 48).
pub fn hash_to_scalar(parts: &[&[u8]], dst: &[u8], ops: &mut CryptoOps) -> Scalar {
    let msg: Vec<u8> = parts.concat();
    let mut out = [Scalar::zero()];
    <Scalar as HashToField>::hash_to_field::<ExpandMsgXmd<Sha256>>(&msg, dst, &mut out);
    ops.add(Prim::Sha256Block, xmd_blocks(msg.len(), dst.len(), 48));
    out[0]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn block_count_follows_rfc9380_layout() {
        // 64 + 0 + 3 + 44 = 111 octets: 2 blocks; two output blocks of 32 + 1 + 44 = 77: 2 each.
        assert_eq!(xmd_blocks(0, 43, 48), 2 + 2 * 2);
        assert_eq!(xmd_blocks(100, 43, 48), 4 + 2 * 2);
    }

    #[test]
    fn hash_to_scalar_depends_on_message_and_dst() {
        let mut ops = CryptoOps::default();
        let a = hash_to_scalar(&[b"m"], b"DST-A", &mut ops);
        let b = hash_to_scalar(&[b"m"], b"DST-B", &mut ops);
        let c = hash_to_scalar(&[b"n"], b"DST-A", &mut ops);
        assert_ne!(a, b);
        assert_ne!(a, c);
        assert_eq!(a, hash_to_scalar(&[b"", b"m"], b"DST-A", &mut ops));
        assert_eq!(ops.get(Prim::Sha256Block), 4 * xmd_blocks(1, 5, 48));
    }
}
