//! EPS-AKA (TS 33.401 §6.1) with the attach and NAS security mode procedures
//! (TS 24.301) and S6a authentication information retrieval (TS 29.272).
//!
//! Three roles: [`Ue`] (device with its USIM), [`Mme`] (serving network) and
//! [`Hss`] (home network with the AuC). The flow, the timers and what each side
//! checks are written up in docs/protocols/eps-aka.md.

pub mod congestion;
pub mod doic;
pub(crate) mod hss;
pub(crate) mod mme;
pub mod realm;
pub(crate) mod ue;

pub use crate::aka::device::Retry;
pub use crate::aka::{Subscriber, imsi, imsi_index, imsi_into};
pub use congestion::Congestion;
pub use doic::DoicReporting;
pub use hss::Hss;
pub use mme::Mme;
pub use ue::Ue;

use crate::core::{Nanos, time::SECOND};

/// Parameters shared by the three roles.
#[derive(Clone, Debug, PartialEq)]
pub struct Config {
    /// Serving network id: MCC/MNC as encoded in the PLMN identity (TS 24.008
    /// §10.5.1.3), e.g. 00f110 for MCC 001, MNC 01. Also the KDF's SN id.
    pub plmn: [u8; 3],
    /// The PLMN's digits, prefix of every IMSI (MCC + MNC).
    pub plmn_digits: String,
    /// Vectors the MME asks for in one AIR (TS 29.272 allows 1..=5 per request).
    pub vectors_per_request: u32,
    /// NAS timer T3460 (MME, authentication and security mode): 6 s by default.
    pub t3460: Nanos,
    /// Retransmissions on T3460 expiry before the procedure is aborted (4).
    pub t3460_max_retx: u32,
    /// UE attach guard timer T3410 (15 s).
    pub t3410: Nanos,
    /// Attach attempts before the UE gives up (5).
    pub attach_max_attempts: u32,
    /// Diameter answer timeout at the MME (Tx).
    pub diameter_timeout: Nanos,
    /// AIR retransmissions on Tx expiry before giving up.
    pub diameter_max_retx: u32,
    /// NAS congestion rejects with T3346 at the MME (off by default).
    pub congestion: Option<Congestion>,
    /// The UEs' T3411/T3402 retry rules (off by default: retry at once).
    pub retry: Option<Retry>,
    /// Diameter overload control (RFC 7683) between MME and HSS, with the
    /// HSS's overload detection (off by default).
    pub doic: Option<DoicReporting>,
    /// The eNB the UEs attach through (off by default: NAS directly).
    pub ran: Option<crate::ran::Access>,
    /// S1 overload control at the MME towards that eNB (needs `ran`).
    pub overload: Option<crate::ran::OverloadControl>,
    /// Access barring the UEs read from the cell's broadcast (needs `ran`).
    pub barring: Option<crate::ran::barring::DeviceBarring>,
}

impl Default for Config {
    fn default() -> Self {
        Self {
            plmn: [0x00, 0xf1, 0x10],
            plmn_digits: "00101".into(),
            vectors_per_request: 1,
            t3460: 6 * SECOND,
            t3460_max_retx: 4,
            t3410: 15 * SECOND,
            attach_max_attempts: 5,
            diameter_timeout: 5 * SECOND,
            diameter_max_retx: 2,
            congestion: None,
            retry: None,
            doic: None,
            ran: None,
            overload: None,
            barring: None,
        }
    }
}

/// Integrity algorithm used by the security mode procedure: 128-EIA2.
pub const EIA2: u8 = 2;
/// Ciphering algorithm: EEA0 (null), so the simulated messages stay readable;
/// ciphering would not change any size.
pub const EEA0: u8 = 0;
/// UE network capability advertised in the attach request (TS 24.301 §9.9.3.34).
/// Its octets EEA, EIA, UEA and UIA are the UE security capability
/// (§9.9.3.36), which the security mode command replays in full (§5.4.3.2).
pub const UE_NETWORK_CAPABILITY: [u8; 4] = crate::wire::nas::TYPICAL_UE_NETWORK_CAPABILITY;

/// 128-EIA2 direction bits (TS 33.401 B.2.3).
pub const UPLINK: u8 = 0;
pub const DOWNLINK: u8 = 1;

/// Protects the first message of a new NAS security context in one direction
/// (NAS COUNT and sequence number 0, bearer 0): 128-EIA2 over
/// (sequence number || message) (TS 24.301 §4.4.3.3), in the security header
/// `header`. EEA0 leaves the message itself as it is. The envelope is built
/// around the encoded message in one buffer: the same bytes as
/// `nas::protect(header, MAC, 0, inner.encode())`.
pub fn protect_first(
    k_int: &[u8; 16],
    header: u8,
    direction: u8,
    inner: &crate::wire::nas::NasMessage,
    ops: &mut crate::core::CryptoOps,
) -> Vec<u8> {
    use crate::wire::nas;
    let seq = 0u8;
    let mut pdu = Vec::with_capacity(nas::SecurityProtected::HEADER_LEN + 16);
    nas::begin_protected(&mut pdu, header, seq);
    inner.encode_into(&mut pdu);
    let mac = crate::crypto::eia2::eia2(
        k_int,
        seq as u32,
        0,
        direction,
        nas::mac_input_of(&pdu),
        ops,
    );
    nas::set_mac(&mut pdu, mac);
    pdu
}

#[cfg(test)]
mod doic_tests;
#[cfg(test)]
mod overload_tests;
#[cfg(test)]
mod tests;
