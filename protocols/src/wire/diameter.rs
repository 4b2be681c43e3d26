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
//! The message length counts everything including AVP padding. The generic
//! layer ([`Message`], [`avp::Avp`]) keeps every AVP in order and re-encodes
//! byte for byte; the typed layer ([`s6a`]) checks the command ABNF: mandatory
//! AVPs present, data lengths right, unknown AVPs skipped unless their M bit is
//! set.

pub mod avp;
pub mod s6a;

use super::{Reader, WireError};
pub use avp::{Avp, AvpData, AvpDef, AvpRef, VENDOR_3GPP};
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

    /// Encodes the header followed by `avps`.
    ///
    /// # Panics
    /// If the command code exceeds 24 bits or the message 2^24 - 1 octets.
    pub fn encode_with(&self, avps: &[Avp]) -> Vec<u8> {
        assert!(self.command_code < 1 << 24, "command code is 24 bits");
        let len = HEADER_LEN + avps.iter().map(Avp::padded_len).sum::<usize>();
        assert!(
            len < 1 << 24,
            "Diameter message longer than 2^24 - 1 octets"
        );
        let mut out = Vec::with_capacity(len);
        out.push(VERSION);
        out.extend_from_slice(&(len as u32).to_be_bytes()[1..]);
        out.push(self.flags());
        out.extend_from_slice(&self.command_code.to_be_bytes()[1..]);
        out.extend_from_slice(&self.application_id.to_be_bytes());
        out.extend_from_slice(&self.hop_by_hop.to_be_bytes());
        out.extend_from_slice(&self.end_to_end.to_be_bytes());
        for a in avps {
            a.encode_into(&mut out);
        }
        debug_assert_eq!(out.len(), len);
        out
    }

    /// Starts a message in `out` (which must be empty): the header with a
    /// zero length, back-patched by [`Header::finish`] once the AVPs follow.
    ///
    /// # Panics
    /// If the command code exceeds 24 bits.
    #[inline]
    pub(crate) fn begin(&self, out: &mut Vec<u8>) {
        assert!(self.command_code < 1 << 24, "command code is 24 bits");
        debug_assert!(out.is_empty());
        let mut h = [0u8; HEADER_LEN];
        h[0] = VERSION;
        h[4..8].copy_from_slice(&self.command_code.to_be_bytes());
        h[4] = self.flags();
        h[8..12].copy_from_slice(&self.application_id.to_be_bytes());
        h[12..16].copy_from_slice(&self.hop_by_hop.to_be_bytes());
        h[16..20].copy_from_slice(&self.end_to_end.to_be_bytes());
        out.extend_from_slice(&h);
    }

    /// Fills in the message length of a message begun with [`Header::begin`].
    ///
    /// # Panics
    /// If the message is 2^24 octets or longer.
    #[inline]
    pub(crate) fn finish(out: &mut [u8]) {
        let len = out.len();
        assert!(
            len < 1 << 24,
            "Diameter message longer than 2^24 - 1 octets"
        );
        out[1..4].copy_from_slice(&(len as u32).to_be_bytes()[1..]);
    }

    /// Decodes the header and checks the version and the message length
    /// against `pdu.len()`.
    pub fn decode(pdu: &[u8]) -> Result<Self, WireError> {
        let mut r = Reader::new(pdu);
        let version = r.u8("version")?;
        if version != VERSION {
            return Err(WireError::new(
                0,
                format!("Diameter version {version}, expected 1"),
            ));
        }
        let len = r.u24("message length")? as usize;
        if len != pdu.len() {
            return Err(WireError::new(
                1,
                format!("message length says {len} octets, PDU has {}", pdu.len()),
            ));
        }
        if len < HEADER_LEN {
            return Err(WireError::new(
                1,
                format!("message length {len} is shorter than the 20-octet header"),
            ));
        }
        let flags = r.u8("command flags")?;
        if flags & FLAGS_RESERVED != 0 {
            return Err(WireError::new(
                4,
                format!("reserved command flag bits set ({flags:#04x})"),
            ));
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

/// A generic Diameter message: header and AVP tree, in wire order.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Message {
    pub header: Header,
    pub avps: Vec<Avp>,
}

impl Message {
    pub fn encode(&self) -> Vec<u8> {
        self.header.encode_with(&self.avps)
    }

    /// Decodes with the S6a dictionary deciding which AVPs are Grouped.
    pub fn decode(pdu: &[u8]) -> Result<Self, WireError> {
        Self::decode_with(pdu, &avp::is_grouped_s6a)
    }

    /// Decodes with `is_grouped(code, vendor)` deciding which AVPs are Grouped.
    pub fn decode_with(
        pdu: &[u8],
        is_grouped: &dyn Fn(u32, Option<u32>) -> bool,
    ) -> Result<Self, WireError> {
        let (header, refs) = decode_refs(pdu)?;
        let avps = refs
            .iter()
            .map(|r| Avp::from_ref(r, is_grouped))
            .collect::<Result<_, _>>()?;
        Ok(Self { header, avps })
    }
}

/// The header and the top-level AVPs of a message, borrowing `pdu`.
pub fn decode_refs(pdu: &[u8]) -> Result<(Header, Vec<AvpRef<'_>>), WireError> {
    let header = Header::decode(pdu)?;
    let avps = avp::parse_avps(&pdu[HEADER_LEN..], HEADER_LEN)?;
    Ok((header, avps))
}

#[cfg(test)]
mod tests;
