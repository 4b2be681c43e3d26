//! Closed forms of what one gateway's interval costs (docs/protocols/aggregate-signatures.md,
//! "Closed forms"), checked against simulated exchanges in the tests: n readings in
//! k = ⌈n / B⌉ batches of at most B, no reading altered.

use super::msg::{ID_LEN, INTERVAL_LEN, SEQ_LEN};
use super::scheme::Scheme;
use super::xmd::xmd_blocks;
use crate::core::{CryptoOps, Prim};
use crate::crypto::sha256_blocks;
use crate::wire::tlv::{FIELD_HEADER_LEN, HEADER_LEN};

/// Octets of a reading's message (meter id ‖ interval ‖ value).
const MSG_LEN: usize = 20;

/// Batches for n readings of at most `b` each.
pub fn batches(n: u64, b: u64) -> u64 {
    n.div_ceil(b)
}

/// Octets of one `MeterReading`: 36 + L.
pub fn reading_bytes(s: Scheme) -> u64 {
    (HEADER_LEN + 3 * FIELD_HEADER_LEN + ID_LEN + INTERVAL_LEN + 8 + FIELD_HEADER_LEN + s.sig_len())
        as u64
}

/// WAN octets (PDUs) of one interval: k·(36 [+ 3 + L]) + n·e.
pub fn wan_bytes(s: Scheme, n: u64, b: u64) -> u64 {
    let k = batches(n, b);
    let fixed = (HEADER_LEN
        + FIELD_HEADER_LEN
        + ID_LEN
        + FIELD_HEADER_LEN
        + INTERVAL_LEN
        + FIELD_HEADER_LEN
        + 1
        + FIELD_HEADER_LEN
        + SEQ_LEN
        + FIELD_HEADER_LEN) as u64;
    let agg = if s.aggregates() {
        (FIELD_HEADER_LEN + s.sig_len()) as u64
    } else {
        0
    };
    k * (fixed + agg) + n * s.entry_len() as u64
}

/// The MDMS's primitives for one interval of one gateway.
pub fn mdms_ops(s: Scheme, n: u64, b: u64) -> CryptoOps {
    let k = batches(n, b);
    let mut o = CryptoOps::default();
    match s {
        Scheme::BlsAggregate => {
            o.add(Prim::HashToG1, n);
            o.add(Prim::MillerLoop, n + k);
            o.add(Prim::FinalExp, k);
            o.add(Prim::G1Decompress, k);
        }
        Scheme::Ibas => {
            let h3_msg = 2 + MSG_LEN + 2 + 8 + 2 + 12;
            o.add(
                Prim::Sha256Block,
                n * xmd_blocks(h3_msg, super::ibas::DST_H3.len(), 48),
            );
            o.add(Prim::G1Mul, n);
            o.add(Prim::G1Add, 2 * n - k);
            o.add(Prim::HashToG1, k);
            o.add(Prim::MillerLoop, 3 * k);
            o.add(Prim::FinalExp, k);
            o.add(Prim::G1Decompress, k);
            o.add(Prim::G2Decompress, k);
        }
        Scheme::Ecdsa => {
            o.add(Prim::Sha256Block, n * sha256_blocks(MSG_LEN));
            o.add(Prim::ScalarInv, n);
            o.add(Prim::ScalarMul, 2 * n);
            o.add(Prim::P256MulBase, n);
            o.add(Prim::P256Mul, n);
            o.add(Prim::P256Add, n);
        }
        Scheme::Hmac => {
            o.add(
                Prim::Sha256Block,
                n * (sha256_blocks(64 + MSG_LEN) + sha256_blocks(64 + 32)),
            );
        }
    }
    o
}

/// Miller loops of a BLS bisection that finds one bad reading among m = 2^j: both halves
/// are checked at each of j levels, Σ_l 2·(m/2^l + 1) = 2(m − 1) + 2j; under IBAS each check
/// costs three, 6j.
pub fn bisection_miller_loops(s: Scheme, j: u32) -> u64 {
    let m = 1u64 << j;
    match s {
        Scheme::BlsAggregate => 2 * (m - 1) + 2 * j as u64,
        Scheme::Ibas => 6 * j as u64,
        _ => 0,
    }
}
