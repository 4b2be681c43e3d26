//! 5G-AKA (TS 33.501 §6.1.3.2) with 5GS registration and NAS security
//! mode (TS 24.501) on N1 and the SBI services of the AUSF (N12, TS 29.509)
//! and the UDM (N13, TS 29.503), on the shared AKA core.
//!
//! Four roles: [`Ue`] (device with its USIM, conceals its SUPI in a SUCI),
//! [`Amf`] (AMF with the SEAF: the serving node of the core, HRES* check,
//! K_AMF, NAS security mode), [`Ausf`] (keeps XRES* and K_AUSF, checks RES*,
//! gives K_SEAF and the SUPI) and [`Udm`] (SIDF de-conceals the SUCI, ARPF
//! makes the 5G HE AV). Flow, sizes and simplifications:
//! docs/protocols/5g-aka.md.

pub(crate) mod amf;
pub(crate) mod ausf;
pub mod eap;
pub(crate) mod suci_id;
pub(crate) mod udm;
pub(crate) mod ue;

pub use crate::aka::{Subscriber, imsi, imsi_index};
pub use amf::Amf;
pub use ausf::Ausf;
pub use eap::AuthMethod;
pub use udm::Udm;
pub use ue::Ue;

use crate::core::{CryptoOps, Nanos, time::SECOND};
use crate::crypto::kdf_5g::ServingNetworkName;
use crate::crypto::suci::{self, Profile, SuciError};

/// Parameters shared by the four roles.
#[derive(Clone, Debug, PartialEq)]
pub struct Config {
    /// Home (and serving) PLMN: MCC and MNC digits; no roaming is modelled.
    pub mcc: String,
    pub mnc: String,
    /// MCC ‖ MNC, the prefix of every IMSI.
    pub plmn_digits: String,
    /// "5G:mnc<MNC>.mcc<MCC>.3gppnetwork.org" (TS 24.501 §9.12.1) of that PLMN.
    pub snn: ServingNetworkName,
    /// Routing indicator of the SUCIs (TS 23.003 §2.2B), 1 to 4 digits.
    pub routing_indicator: String,
    /// SUPI protection: `None` is the null scheme, else ECIES profile A or B.
    pub protection: Option<Profile>,
    /// Home network public key identifier (TS 23.003 §2.2B), 1..=255.
    pub hn_key_id: u8,
    /// The home network key pair of `protection` (the UDM's SIDF keeps the
    /// private key, the USIMs the public one).
    pub hn_private: [u8; 32],
    pub hn_public: Vec<u8>,
    /// ABBA (TS 33.501 A.7.1): 0x0000, the only value defined.
    pub abba: [u8; 2],
    /// The AUSF's NF instance id (`ausfInstanceId`, a UUID).
    pub ausf_instance_id: String,
    /// AMF T3560 (authentication and security mode retransmission): 6 s.
    pub t3560: Nanos,
    /// Retransmissions on T3560 expiry before the procedure is aborted (4,
    /// TS 24.501 §5.4.1.3.7).
    pub t3560_max_retx: u32,
    /// UE registration guard T3510 (15 s).
    pub t3510: Nanos,
    /// UE wait after AUTHENTICATION FAILURE, T3520 (15 s, TS 24.501 table 10.2.1).
    pub t3520: Nanos,
    /// Registration attempts before the UE gives up (5, the attempt counter
    /// limit of TS 24.501 §5.5.1.2.7).
    pub registration_max_attempts: u32,
    /// The AMF's wait for an AUSF response, and the retries after it.
    pub sbi_timeout: Nanos,
    pub sbi_max_retx: u32,
    /// The primary authentication method of every subscription (the UDM
    /// chooses it; the UE answers whichever the network runs).
    pub method: AuthMethod,
}

/// The profile A home network private key of TS 33.501 Annex C.4.3 (test
/// data, used unless a scenario sets another).
pub const ANNEX_C4_PROFILE_A_HN_PRIVATE: [u8; 32] = [
    0xc5, 0x3c, 0x22, 0x20, 0x8b, 0x61, 0x86, 0x0b, 0x06, 0xc6, 0x2e, 0x54, 0x06, 0xa7, 0xb3, 0x30,
    0xc2, 0xb5, 0x77, 0xaa, 0x55, 0x58, 0x98, 0x15, 0x10, 0xd1, 0x28, 0x24, 0x7d, 0x38, 0xbd, 0x1d,
];
/// The profile B home network private key of TS 33.501 Annex C.4.4.
pub const ANNEX_C4_PROFILE_B_HN_PRIVATE: [u8; 32] = [
    0xf1, 0xab, 0x10, 0x74, 0x47, 0x7e, 0xbc, 0xc7, 0xf5, 0x54, 0xea, 0x1c, 0x5f, 0xc3, 0x68, 0xb1,
    0x61, 0x67, 0x30, 0x15, 0x5e, 0x00, 0x41, 0xac, 0x44, 0x7d, 0x63, 0x01, 0x97, 0x5f, 0xec, 0xda,
];

impl Config {
    /// The configuration for SUPI protection `protection` with home network
    /// private key `hn_private` (its public key derived here).
    pub fn with_protection(
        protection: Option<Profile>,
        hn_private: [u8; 32],
    ) -> Result<Self, SuciError> {
        let hn_public = match protection {
            Some(p) => suci::public_key(p, &hn_private, &mut CryptoOps::default())?,
            None => Vec::new(),
        };
        Ok(Self {
            mcc: "001".into(),
            mnc: "01".into(),
            plmn_digits: "00101".into(),
            snn: ServingNetworkName::for_plmn(1, 1),
            routing_indicator: "0".into(),
            protection,
            hn_key_id: 1,
            hn_private,
            hn_public,
            abba: [0, 0],
            ausf_instance_id: "6f1d3c2a-8e4b-4c7d-9a2e-5b0c1d2e3f40".into(),
            t3560: 6 * SECOND,
            t3560_max_retx: 4,
            t3510: 15 * SECOND,
            t3520: 15 * SECOND,
            registration_max_attempts: 5,
            sbi_timeout: 5 * SECOND,
            sbi_max_retx: 2,
            method: AuthMethod::FiveGAka,
        })
    }

    /// The default private key of a profile (Annex C.4 test data).
    pub fn default_hn_private(protection: Option<Profile>) -> [u8; 32] {
        match protection {
            Some(Profile::B) => ANNEX_C4_PROFILE_B_HN_PRIVATE,
            _ => ANNEX_C4_PROFILE_A_HN_PRIVATE,
        }
    }
}

impl Default for Config {
    /// Profile A with the Annex C.4.3 home network key.
    fn default() -> Self {
        match Self::with_protection(Some(Profile::A), ANNEX_C4_PROFILE_A_HN_PRIVATE) {
            Ok(c) => c,
            Err(e) => unreachable!("the Annex C.4 key is valid: {e}"),
        }
    }
}

/// The 5G-IA of the security mode command: 128-NIA2.
pub const NIA2: u8 = 2;
/// The 5G-EA: 5G-EA0 (null), so messages stay readable; ciphering changes no size.
pub const NEA0: u8 = 0;
/// 128-NIA2 direction bits (TS 33.501 D.3.1.1).
pub const UPLINK: u8 = 0;
pub const DOWNLINK: u8 = 1;

#[cfg(test)]
mod tests;
