//! UMTS AKA (TS 33.102 §6.3) in the CS domain: MM location updating and
//! authentication (TS 24.008) between the MS and the VLR, and MAP
//! SendAuthenticationInfo (TS 29.002) between the VLR and the HLR/AuC.
//!
//! Three roles: [`Ms`] (device with its USIM), [`Vlr`] (serving network) and
//! [`Hlr`] (home network with the AuC). The flow, the timers and what each
//! side checks are written up in docs/protocols/umts-aka.md.

mod hlr;
mod ms;
mod nsd;
mod vlr;

pub use crate::aka::Subscriber;
pub use hlr::Hlr;
pub use ms::Ms;
pub use vlr::Vlr;

use crate::core::{Nanos, time::SECOND};

/// Parameters shared by the three roles.
#[derive(Clone, Debug, PartialEq)]
pub struct Config {
    /// Serving network id: MCC/MNC as encoded in the PLMN identity (TS 24.008
    /// §10.5.1.3), e.g. 00f110 for MCC 001, MNC 01.
    pub plmn: [u8; 3],
    /// The PLMN's digits, prefix of every IMSI (MCC + MNC).
    pub plmn_digits: String,
    /// Location area code of the VLR's location area.
    pub lac: u16,
    /// Quintets the VLR asks for in one SendAuthenticationInfo (1..=5, TS 29.002).
    pub quintets_per_request: u8,
    /// MM timer T3260 (VLR, authentication request): 12 s.
    pub t3260: Nanos,
    /// Retransmissions of the challenge on T3260 expiry before giving up (4).
    pub t3260_max_retx: u32,
    /// MS location updating guard timer T3210 (20 s).
    pub t3210: Nanos,
    /// Location updating attempts before the MS gives up (4, the attempt
    /// counter limit of TS 24.008 §4.4.4.9).
    pub lu_max_attempts: u32,
    /// MAP operation timer at the VLR (sendAuthenticationInfo is class 1 with
    /// timer "m", 15..30 s; TS 29.002 §17.6): 15 s.
    pub map_timeout: Nanos,
    /// Re-invocations of SendAuthenticationInfo on timeout before giving up (2).
    pub map_max_retx: u32,
}

impl Default for Config {
    fn default() -> Self {
        Self {
            plmn: [0x00, 0xf1, 0x10],
            plmn_digits: "00101".into(),
            lac: 0x0001,
            quintets_per_request: 1,
            t3260: 12 * SECOND,
            t3260_max_retx: 4,
            t3210: 20 * SECOND,
            lu_max_attempts: 4,
            map_timeout: 15 * SECOND,
            map_max_retx: 2,
        }
    }
}

impl Config {
    /// The VLR's location area identification.
    pub fn lai(&self) -> crate::wire::mm::Lai {
        crate::wire::mm::Lai {
            plmn: self.plmn,
            lac: self.lac,
        }
    }
}

#[cfg(test)]
mod tests;
