//! Diameter base protocol (RFC 6733) and the S6a authentication-information
//! messages (TS 29.272 §5.2.3.1, §7.2.5-6).
//!
//! ```text
//! header := version:u8 (=1) || length:u24 || flags:u8 (R P E T rrrr)
//!           || command-code:u24 || application-id:u32
//!           || hop-by-hop-id:u32 || end-to-end-id:u32          (20 octets)
//! message := header || AVP*                      (AVPs: see [`avp`])
//! ```
//!
//! The message length counts everything including AVP padding. The typed
//! layer ([`s6a`]) writes AVPs straight into the PDU and checks the command
//! ABNF when reading: mandatory AVPs present, data lengths right, unknown AVPs
//! skipped unless their M bit is set. The tests keep a generic AVP tree
//! (`tree`) that re-encodes any message byte for byte, to build and check
//! PDUs the typed layer would not write.

pub mod avp;
pub mod doic;
pub mod s6a;
#[cfg(test)]
pub(crate) mod tree;

use super::{Reader, WireError};
pub use avp::{AvpDef, AvpRef, VENDOR_3GPP};
pub use doic::{OLR_DEFAULT_ALGO, OcOlr, ReportType};
pub use s6a::{
    AuthenticationInfo, AuthenticationInformationAnswer, AuthenticationInformationRequest,
    DiameterResult, EutranVector, RequestedAuthInfo, S6aMessage, UtranVector,
    VendorSpecificApplicationId,
};

/// The only Diameter version (RFC 6733 §3).
pub const VERSION: u8 = 1;
/// Octets of the message header.
pub const HEADER_LEN: usize = 20;
/// Application-ID of S6a/S6d (TS 29.272 §7.1.8).
pub const APP_ID_S6A: u32 = 16777251;
/// Command code of Authentication-Information (TS 29.272 §7.2.2).
pub const CMD_AUTHENTICATION_INFORMATION: u32 = 318;

/// Command flag bits (RFC 6733 §3).
pub const FLAG_REQUEST: u8 = 0x80;
pub const FLAG_PROXIABLE: u8 = 0x40;
pub const FLAG_ERROR: u8 = 0x20;
pub const FLAG_RETRANSMITTED: u8 = 0x10;
const FLAGS_RESERVED: u8 = 0x0f;

/// The 20-octet message header without its length.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Header {
    pub request: bool,
    pub proxiable: bool,
    pub error: bool,
    pub retransmitted: bool,
    /// 24 bits.
    pub command_code: u32,
    pub application_id: u32,
    pub hop_by_hop: u32,
    pub end_to_end: u32,
}

impl Header {
    fn flags(&self) -> u8 {
        let bit = |on: bool, flag: u8| if on { flag } else { 0 };
        bit(self.request, FLAG_REQUEST)
            | bit(self.proxiable, FLAG_PROXIABLE)
            | bit(self.error, FLAG_ERROR)
            | bit(self.retransmitted, FLAG_RETRANSMITTED)
    }

    /// Starts a message at the end of `out`: the header with a zero length,
    /// back-patched by [`Header::finish`] once the AVPs follow. Returns the
    /// offset of the message in `out`.
    ///
    /// # Panics
    /// If the command code exceeds 24 bits.
    #[inline]
    pub(crate) fn begin(&self, out: &mut Vec<u8>) -> usize {
        assert!(self.command_code < 1 << 24, "command code is 24 bits");
        let start = out.len();
        let mut h = [0u8; HEADER_LEN];
        h[0] = VERSION;
        h[4..8].copy_from_slice(&self.command_code.to_be_bytes());
        h[4] = self.flags();
        h[8..12].copy_from_slice(&self.application_id.to_be_bytes());
        h[12..16].copy_from_slice(&self.hop_by_hop.to_be_bytes());
        h[16..20].copy_from_slice(&self.end_to_end.to_be_bytes());
        out.extend_from_slice(&h);
        start
    }

    /// Fills in the message length of the message begun with
    /// [`Header::begin`] at `start`, which runs to the end of `out`.
    ///
    /// # Panics
    /// If the message is 2^24 octets or longer.
    #[inline]
    pub(crate) fn finish(out: &mut [u8], start: usize) {
        let len = out.len() - start;
        assert!(
            len < 1 << 24,
            "Diameter message longer than 2^24 - 1 octets"
        );
        out[start + 1..start + 4].copy_from_slice(&(len as u32).to_be_bytes()[1..]);
    }

    /// Decodes the header and checks the version and the message length
    /// against `pdu.len()`.
    pub fn decode(pdu: &[u8]) -> Result<Self, WireError> {
        let mut r = Reader::new(pdu);
        let version = r.u8("version")?;
        if version != VERSION {
            return Err(WireError::new(0, "version", "not Diameter version 1"));
        }
        let len = r.u24("message length")? as usize;
        if len != pdu.len() {
            return Err(WireError::new(
                1,
                "message length",
                "differs from the PDU length",
            ));
        }
        if len < HEADER_LEN {
            return Err(WireError::new(
                1,
                "message length",
                "shorter than the 20-octet header",
            ));
        }
        let flags = r.u8("command flags")?;
        if flags & FLAGS_RESERVED != 0 {
            return Err(WireError::new(4, "command flags", "reserved bits set"));
        }
        Ok(Self {
            request: flags & FLAG_REQUEST != 0,
            proxiable: flags & FLAG_PROXIABLE != 0,
            error: flags & FLAG_ERROR != 0,
            retransmitted: flags & FLAG_RETRANSMITTED != 0,
            command_code: r.u24("command code")?,
            application_id: r.u32("application id")?,
            hop_by_hop: r.u32("hop-by-hop id")?,
            end_to_end: r.u32("end-to-end id")?,
        })
    }
}

/// The header and the top-level AVPs of a message, borrowing `pdu`.
pub fn decode_refs(pdu: &[u8]) -> Result<(Header, Vec<AvpRef<'_>>), WireError> {
    let header = Header::decode(pdu)?;
    let avps = avp::parse_avps(&pdu[HEADER_LEN..], HEADER_LEN)?;
    Ok((header, avps))
}

#[cfg(test)]
pub(super) mod tests;
