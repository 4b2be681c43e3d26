//! Closed forms of one successful procedure: the work each party does and
//! the octets on each interface, per device (docs/protocols/proxy-multiparty.md,
//! "Costs"). Tests compare them with what the roles count and the simulator
//! measures; nothing here feeds the simulation.

use super::msg::{
    PxAuthRequest, PxAuthVector, PxChallenge, PxConfirm, PxCredRequest, PxCredResponse, PxHello,
    PxResponse,
};
use crate::core::{CryptoOps, Interface, Prim};

/// Work of one Schnorr signature (without its hash).
const SIGN: [(Prim, u64); 2] = [(Prim::P256MulBase, 1), (Prim::ScalarMul, 1)];
/// Work of one Schnorr verification.
const VERIFY: [(Prim, u64); 3] = [
    (Prim::P256MulBase, 1),
    (Prim::P256Mul, 1),
    (Prim::P256Add, 1),
];
/// Work of recomputing Y_P from a warrant.
const PROXY_KEY: [(Prim, u64); 2] = [(Prim::P256Mul, 1), (Prim::P256Add, 2)];

/// The parties.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Party {
    Device,
    Mtcap,
    Cn,
    Server,
}

/// (signatures made, ordinary verifications, proxy verifications) per device.
pub const fn signatures(p: Party) -> (u64, u64, u64) {
    match p {
        // σ_D; σ_AP, σ_CN, σ_S checked.
        Party::Device => (1, 0, 3),
        // σ_AP; σ_CN and σ_S checked, then σ_D.
        Party::Mtcap => (1, 1, 2),
        // σ_CN; σ_S checked, then σ_D.
        Party::Cn => (1, 1, 1),
        // σ_S; σ_D checked.
        Party::Server => (1, 1, 0),
    }
}

/// The point and scalar operations (no hashes) of `p` for one device.
pub fn point_ops(p: Party) -> CryptoOps {
    let (sign, verify, proxy) = signatures(p);
    let mut ops = CryptoOps::default();
    for (prim, n) in SIGN {
        ops.add(prim, n * sign);
    }
    for (prim, n) in VERIFY {
        ops.add(prim, n * (verify + proxy));
    }
    for (prim, n) in PROXY_KEY {
        ops.add(prim, n * proxy);
    }
    ops
}

/// (messages, octets) on each interface for one successful device.
pub const fn per_device(i: Interface) -> (u64, u64) {
    match i {
        Interface::DevAp => (
            3,
            (PxHello::LEN + PxChallenge::LEN + PxResponse::LEN) as u64,
        ),
        Interface::ApCn => (
            3,
            (PxAuthRequest::LEN + PxAuthVector::LEN + PxConfirm::LEN) as u64,
        ),
        Interface::CnServer => (
            3,
            (PxCredRequest::LEN + PxCredResponse::LEN + PxConfirm::LEN) as u64,
        ),
        _ => (0, 0),
    }
}
