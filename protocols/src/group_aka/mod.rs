//! Group authentication and key agreement for MTC (Lai et al. 2012 §3.1),
//! built on EPS-AKA: the first member of a group to attach (the leader) runs
//! EPS-AKA and its S6a exchange also brings the MME a group authentication
//! key GAK; the MME then authenticates every other member of the group
//! locally, with a fresh per-member challenge derived from GAK, without
//! contacting the HSS.
//!
//! Three roles: [`Member`] (MTC device with its USIM and the group key GK),
//! [`Mme`] and [`Hss`]. The construction, the flow, what changed from the
//! paper and the security argument are in docs/protocols/group-aka.md; the
//! wire extensions in [`crate::wire::group`].

mod hss;
mod member;
mod mme;

pub use crate::aka::Subscriber;
pub use hss::Hss;
pub use member::Member;
pub use mme::Mme;

use zeroize::Zeroize;

use crate::core::{CryptoOps, Nanos, time::SECOND};
use crate::crypto::{kdf, milenage::Milenage};

/// KDF FC value for GAK = KDF(GK, FC_GAK, P0 = RAND_G, P1 = group id).
///
/// TS 33.220 Annex B.2 controls the FC space; 0xF0/0xF1 are taken from its
/// top end, which no 3GPP specification allocates to our knowledge. A
/// deployment would need an allocation.
pub const FC_GAK: u8 = 0xf0;
/// KDF FC value for K_i,G ‖ OPc_i,G = KDF(GAK, FC_MEMBER_KEY, P0 = group id, P1 = IMSI).
pub const FC_MEMBER_KEY: u8 = 0xf1;

/// Parameters shared by the three roles.
#[derive(Clone, Debug, PartialEq)]
pub struct Config {
    /// Serving network id (TS 24.008 §10.5.1.3 encoding), also the KDF's SN id.
    pub plmn: [u8; 3],
    /// The PLMN's digits, prefix of every IMSI (MCC + MNC).
    pub plmn_digits: String,
    /// NAS timer T3460 (MME, authentication and security mode): 6 s.
    pub t3460: Nanos,
    /// Retransmissions on T3460 expiry before the procedure is aborted (4).
    pub t3460_max_retx: u32,
    /// UE attach guard timer T3410 (15 s).
    pub t3410: Nanos,
    /// Attach attempts before the device gives up (5).
    pub attach_max_attempts: u32,
    /// Diameter answer timeout at the MME (Tx): 5 s.
    pub diameter_timeout: Nanos,
    /// AIR retransmissions on Tx expiry before giving up (2).
    pub diameter_max_retx: u32,
    /// How long the MME may use one GAK (sent by the HSS in whole seconds,
    /// GAK-Lifetime): 1 h. After that the next member refreshes it.
    pub gak_lifetime: Nanos,
    /// Group sequence numbers the HSS reserves for one GAK
    /// (Group-SQN-Count): 2^16. When the MME has used them all, the next
    /// member refreshes GAK.
    pub group_sqn_block: u32,
}

impl Default for Config {
    fn default() -> Self {
        Self {
            plmn: [0x00, 0xf1, 0x10],
            plmn_digits: "00101".into(),
            t3460: 6 * SECOND,
            t3460_max_retx: 4,
            t3410: 15 * SECOND,
            attach_max_attempts: 5,
            diameter_timeout: 5 * SECOND,
            diameter_max_retx: 2,
            gak_lifetime: 3600 * SECOND,
            group_sqn_block: 1 << 16,
        }
    }
}

/// One group as the HSS provisions it: its id, the group key GK shared with
/// the members, and the members as a range of subscriber indices.
#[derive(Clone, PartialEq, Eq)]
pub struct Group {
    pub id: u32,
    pub gk: [u8; 32],
    /// First member's subscriber index.
    pub first: u32,
    /// Number of members (indices first .. first + count).
    pub count: u32,
}

impl Group {
    pub fn contains(&self, index: u32) -> bool {
        index >= self.first && index - self.first < self.count
    }
}

impl Drop for Group {
    fn drop(&mut self) {
        self.gk.zeroize();
    }
}

impl std::fmt::Debug for Group {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Group")
            .field("id", &self.id)
            .field("first", &self.first)
            .field("count", &self.count)
            .finish_non_exhaustive()
    }
}

/// GAK = KDF(GK, FC = 0xF0, P0 = RAND_G, P1 = group id): HSS and members.
/// Four SHA-256 compressions.
pub fn derive_gak(
    gk: &[u8; 32],
    rand_g: &[u8; 16],
    group_id: u32,
    ops: &mut CryptoOps,
) -> [u8; 32] {
    kdf::kdf(gk, FC_GAK, &[rand_g, &group_id.to_be_bytes()], ops).expect("KDF parameters are short")
}

/// The member's group MILENAGE instance: K_i,G ‖ OPc_i,G =
/// KDF(GAK, FC = 0xF1, P0 = group id, P1 = IMSI as ASCII digits), split into
/// two 128-bit halves. Binds every challenge to one member and one group.
/// Four SHA-256 compressions.
pub fn member_milenage(gak: &[u8; 32], group_id: u32, imsi: &str, ops: &mut CryptoOps) -> Milenage {
    let mut out = kdf::kdf(
        gak,
        FC_MEMBER_KEY,
        &[&group_id.to_be_bytes(), imsi.as_bytes()],
        ops,
    )
    .expect("KDF parameters are short");
    let mut k = [0u8; 16];
    let mut opc = [0u8; 16];
    k.copy_from_slice(&out[..16]);
    opc.copy_from_slice(&out[16..]);
    out.zeroize();
    let m = Milenage::new(k, opc);
    k.zeroize();
    opc.zeroize();
    m
}

/// A 48-bit SQN from its integer value.
pub(crate) fn sqn48(v: u64) -> [u8; 6] {
    let b = v.to_be_bytes();
    [b[2], b[3], b[4], b[5], b[6], b[7]]
}

/// The integer value of a 48-bit SQN.
pub(crate) fn sqn_value(s: &[u8; 6]) -> u64 {
    let mut b = [0u8; 8];
    b[2..].copy_from_slice(s);
    u64::from_be_bytes(b)
}

#[cfg(test)]
mod tests;
