//! Secret-sharing group authentication schemes (GAS).
//!
//! - [`harn`]: Harn 2013, Shamir (t, m, n) GAS with scalar tokens (basic
//!   one-time scheme and the multiple-authentication variant GAS2);
//! - [`chien`]: Chien 2017, tokens as points T_i = c_i·P_j on per-session
//!   points, shares reusable;
//! - [`threshold`]: the smart-metering threshold GAS (Sensors 2018): node
//!   registration, nodes–smart meter group authentication with identification
//!   of failing nodes, group session key distribution and the MDMS–gateway
//!   phase.
//!
//! All arithmetic is real (P-256 scalar field and points, SHA-256, AES-GCM)
//! and counted where it is done (see [`field`], [`ec`], [`hash`], [`aead`]).
//! docs/protocols/{harn,chien,threshold}-gas.md give equations, flows and the
//! interpretations made; docs/counting.md the closed-form counts.

pub mod aead;
pub mod comb;
pub mod counting;
pub mod ec;
pub mod field;
pub mod group;
pub mod hash;
pub mod msg;

pub mod chien;
pub mod harn;
pub mod threshold;

use crate::core::Addr;

/// Why a setup (registration, dealing) was refused.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum SetupError {
    #[error("threshold t = {t} must be between 1 and the group size n = {n}")]
    Threshold { t: usize, n: usize },
    #[error("identifier {0} is zero or repeated (identifiers are share x-coordinates)")]
    BadId(u64),
    #[error("group of {0} members exceeds what one message can list")]
    TooLarge(usize),
    #[error("{sessions} sessions exceed the safe budget of {max} (J·n ≤ k·t)")]
    OverBudget { sessions: usize, max: usize },
    #[error("{0}")]
    Invalid(&'static str),
}

/// Checks identifiers: non-zero and pairwise distinct.
pub(crate) fn check_ids(ids: impl Iterator<Item = u64>) -> Result<(), SetupError> {
    let mut seen: Vec<u64> = ids.collect();
    seen.sort_unstable();
    for w in seen.windows(2) {
        if w[0] == w[1] {
            return Err(SetupError::BadId(w[0]));
        }
    }
    match seen.first() {
        Some(0) => Err(SetupError::BadId(0)),
        _ => Ok(()),
    }
}

/// A member's identifier and address.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Member {
    pub id: u64,
    pub addr: Addr,
}
