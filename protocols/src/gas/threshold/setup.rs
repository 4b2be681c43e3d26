//! Registration (§4.1) and the §4.4 long-term keys: offline, not simulated.
//!
//! The smart meter draws its master key X and the polynomial f of degree
//! t − 1 (sc = f(0)), computes b_i = h(X ‖ ID_i) and f(ID_i) for every node,
//! publishes h(sc·G), and hands each node (f(ID_i), b_i) over a secure channel.
//! The returned structures are what each party stores afterwards.

use p256::Scalar;
use rand::CryptoRng;
use zeroize::Zeroizing;

use crate::core::CryptoOps;
use crate::gas::field::{self, Poly};
use crate::gas::msg::intra::GaChallenge;
use crate::gas::msg::uplink::MgAggregate;
use crate::gas::{SetupError, check_ids, ec};

use super::derive;

/// What the smart meter keeps: X and f (sc = f(0)). It needs f, not only sc,
/// to identify a node that sends a wrong token (see `identify`).
pub struct LeaderKeys {
    pub(crate) x: Zeroizing<[u8; 32]>,
    pub(crate) f: Poly,
    pub(crate) t: usize,
}

impl LeaderKeys {
    /// The threshold t the polynomial was drawn for.
    pub fn t(&self) -> usize {
        self.t
    }
}

/// What one meter node keeps: its identifier, f(ID_i) and b_i.
#[derive(Clone)]
pub struct NodeKeys {
    pub id: u64,
    pub(crate) share: Zeroizing<Scalar>,
    pub(crate) b: Zeroizing<[u8; 32]>,
    pub(crate) t: u16,
}

impl NodeKeys {
    /// A copy holding a wrong share (f(ID_i) + 1): a faulty or malicious
    /// registered node, for attack tests and failure scenarios.
    pub fn with_corrupted_share(&self) -> Self {
        let mut k = self.clone();
        *k.share += Scalar::ONE;
        k
    }
}

/// Result of registering n nodes with one smart meter.
pub struct Registration {
    pub leader: LeaderKeys,
    /// In the order of the identifiers given.
    pub nodes: Vec<NodeKeys>,
    /// The published h(sc·G) (§4.1 step 5).
    pub verifier: [u8; 32],
}

/// §4.1: registers `node_ids` (non-zero, distinct) for threshold `t`.
/// The offline work is added to `ops`.
pub fn register<R: CryptoRng + ?Sized>(
    t: usize,
    node_ids: &[u64],
    rng: &mut R,
    ops: &mut CryptoOps,
) -> Result<Registration, SetupError> {
    let n = node_ids.len();
    if t == 0 || t > n || t > u16::MAX as usize {
        return Err(SetupError::Threshold { t, n });
    }
    check_ids(node_ids.iter().copied())?;
    if GaChallenge::len(n) - crate::wire::tlv::HEADER_LEN > u16::MAX as usize {
        return Err(SetupError::TooLarge(n));
    }
    let mut x = Zeroizing::new([0u8; 32]);
    rng.fill_bytes(&mut *x);
    let f = Poly::random(t, rng);
    let verifier = derive::point_hash(&ec::mul_base(&f.secret(), ops), ops);
    let nodes = node_ids
        .iter()
        .map(|&id| NodeKeys {
            id,
            share: Zeroizing::new(f.eval(&field::from_id(id), ops)),
            b: derive::node_key(&x, id, ops),
            t: t as u16,
        })
        .collect();
    Ok(Registration {
        leader: LeaderKeys { x, f, t },
        nodes,
        verifier,
    })
}

/// MDMS: its identifier and the key k it shares with the auth server.
#[derive(Clone)]
pub struct MdmsKeys {
    pub id: u64,
    pub(crate) k: Zeroizing<[u8; 32]>,
}

/// Gateway: its identifier and g_u, shared with the auth server.
#[derive(Clone)]
pub struct GatewayKeys {
    pub id: u64,
    pub(crate) g_u: Zeroizing<[u8; 32]>,
}

/// Smart meter: its identifier ID_S and κ_S, shared with the auth server
/// (the paper leaves the meter points' origin open; see the doc).
#[derive(Clone)]
pub struct MeterUplinkKeys {
    pub id: u64,
    pub(crate) kappa: Zeroizing<[u8; 32]>,
}

/// The §4.4 long-term keys of one MDMS, one gateway and its smart meters.
pub struct UplinkRegistration {
    pub mdms: MdmsKeys,
    pub gateway: GatewayKeys,
    pub meters: Vec<MeterUplinkKeys>,
}

fn random_key<R: CryptoRng + ?Sized>(rng: &mut R) -> Zeroizing<[u8; 32]> {
    let mut k = Zeroizing::new([0u8; 32]);
    rng.fill_bytes(&mut *k);
    k
}

/// Draws k, g_u and one κ_S per smart meter (identifiers distinct, non-zero).
pub fn register_uplink<R: CryptoRng + ?Sized>(
    id_mdms: u64,
    id_gw: u64,
    meter_ids: &[u64],
    rng: &mut R,
) -> Result<UplinkRegistration, SetupError> {
    check_ids(meter_ids.iter().copied())?;
    if meter_ids.is_empty() || meter_ids.len() > MgAggregate::MAX_METERS {
        return Err(SetupError::TooLarge(meter_ids.len()));
    }
    Ok(UplinkRegistration {
        mdms: MdmsKeys {
            id: id_mdms,
            k: random_key(rng),
        },
        gateway: GatewayKeys {
            id: id_gw,
            g_u: random_key(rng),
        },
        meters: meter_ids
            .iter()
            .map(|&id| MeterUplinkKeys {
                id,
                kappa: random_key(rng),
            })
            .collect(),
    })
}
