//! Diameter AVPs (RFC 6733 §4): the S6a AVP dictionary, the borrowed
//! [`AvpRef`] view for decoding and the helpers that write AVPs straight into
//! a PDU.
//!
//! ```text
//! AVP := code:u32 || flags:u8 (V M P rrrrr) || length:u24
//!        || [vendor-id:u32 if V] || data || padding to a multiple of 4
//! ```
//!
//! `length` counts header and data but not the padding.

use crate::wire::{Reader, WireError};

/// AVP flag bits (RFC 6733 §4.1).
pub const FLAG_VENDOR: u8 = 0x80;
pub const FLAG_MANDATORY: u8 = 0x40;
/// The 'P' bit and the five reserved bits: always 0 here (RFC 6733 §4.1).
const FLAGS_RESERVED: u8 = 0x3f;

/// AVP header octets without / with the Vendor-ID field.
pub const HEADER_LEN: usize = 8;
pub const VENDOR_HEADER_LEN: usize = 12;

/// Vendor-ID of 3GPP.
pub const VENDOR_3GPP: u32 = 10415;

/// One AVP definition: code, vendor, name, whether the data is Grouped and
/// whether it is sent with the M bit.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct AvpDef {
    pub code: u32,
    pub vendor: Option<u32>,
    pub name: &'static str,
    pub grouped: bool,
    /// The M bit this implementation sets when sending (all S6a AVPs have M
    /// "must"; vendor extensions leave it clear so that others skip them).
    pub mandatory: bool,
}

impl AvpDef {
    /// Same code and vendor (names and types follow from those).
    #[inline]
    pub fn is(&self, other: AvpDef) -> bool {
        self.code == other.code && self.vendor == other.vendor
    }
}

const fn base(code: u32, name: &'static str, grouped: bool) -> AvpDef {
    AvpDef {
        code,
        vendor: None,
        name,
        grouped,
        mandatory: true,
    }
}

const fn tgpp(code: u32, name: &'static str, grouped: bool) -> AvpDef {
    AvpDef {
        code,
        vendor: Some(VENDOR_3GPP),
        name,
        grouped,
        mandatory: true,
    }
}

// Base protocol AVPs (RFC 6733 §4.5, §7.6).
pub const USER_NAME: AvpDef = base(1, "User-Name", false);
pub const AUTH_APPLICATION_ID: AvpDef = base(258, "Auth-Application-Id", false);
pub const VENDOR_SPECIFIC_APPLICATION_ID: AvpDef =
    base(260, "Vendor-Specific-Application-Id", true);
pub const SESSION_ID: AvpDef = base(263, "Session-Id", false);
pub const ORIGIN_HOST: AvpDef = base(264, "Origin-Host", false);
pub const VENDOR_ID: AvpDef = base(266, "Vendor-Id", false);
pub const RESULT_CODE: AvpDef = base(268, "Result-Code", false);
pub const AUTH_SESSION_STATE: AvpDef = base(277, "Auth-Session-State", false);
pub const DESTINATION_REALM: AvpDef = base(283, "Destination-Realm", false);
pub const DESTINATION_HOST: AvpDef = base(293, "Destination-Host", false);
pub const ORIGIN_REALM: AvpDef = base(296, "Origin-Realm", false);
pub const EXPERIMENTAL_RESULT: AvpDef = base(297, "Experimental-Result", true);
pub const EXPERIMENTAL_RESULT_CODE: AvpDef = base(298, "Experimental-Result-Code", false);

// 3GPP AVPs (TS 29.229 §6.3 for the keys, TS 29.272 §7.3 for the rest).
pub const CONFIDENTIALITY_KEY: AvpDef = tgpp(625, "Confidentiality-Key", false);
pub const INTEGRITY_KEY: AvpDef = tgpp(626, "Integrity-Key", false);
pub const VISITED_PLMN_ID: AvpDef = tgpp(1407, "Visited-PLMN-Id", false);
pub const REQUESTED_EUTRAN_AUTHENTICATION_INFO: AvpDef =
    tgpp(1408, "Requested-EUTRAN-Authentication-Info", true);
pub const REQUESTED_UTRAN_GERAN_AUTHENTICATION_INFO: AvpDef =
    tgpp(1409, "Requested-UTRAN-GERAN-Authentication-Info", true);
pub const NUMBER_OF_REQUESTED_VECTORS: AvpDef = tgpp(1410, "Number-Of-Requested-Vectors", false);
pub const RE_SYNCHRONIZATION_INFO: AvpDef = tgpp(1411, "Re-Synchronization-Info", false);
pub const IMMEDIATE_RESPONSE_PREFERRED: AvpDef = tgpp(1412, "Immediate-Response-Preferred", false);
pub const AUTHENTICATION_INFO: AvpDef = tgpp(1413, "Authentication-Info", true);
pub const E_UTRAN_VECTOR: AvpDef = tgpp(1414, "E-UTRAN-Vector", true);
pub const UTRAN_VECTOR: AvpDef = tgpp(1415, "UTRAN-Vector", true);
pub const ITEM_NUMBER: AvpDef = tgpp(1419, "Item-Number", false);
pub const RAND: AvpDef = tgpp(1447, "RAND", false);
pub const XRES: AvpDef = tgpp(1448, "XRES", false);
pub const AUTN: AvpDef = tgpp(1449, "AUTN", false);
pub const KASME: AvpDef = tgpp(1450, "KASME", false);

/// A decoded AVP borrowing the PDU, with its offsets for error messages.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct AvpRef<'a> {
    pub code: u32,
    pub vendor: Option<u32>,
    pub mandatory: bool,
    /// PDU offset of the AVP header.
    pub offset: usize,
    /// PDU offset of the data.
    pub data_offset: usize,
    pub data: &'a [u8],
}

impl<'a> AvpRef<'a> {
    pub fn is(&self, def: AvpDef) -> bool {
        self.code == def.code && self.vendor == def.vendor
    }

    fn wrong_len(&self, name: &'static str) -> WireError {
        WireError::new(self.data_offset, name, "wrong data length")
    }

    /// Data of exactly `N` octets.
    pub fn array<const N: usize>(&self, name: &'static str) -> Result<[u8; N], WireError> {
        self.data.try_into().map_err(|_| self.wrong_len(name))
    }

    /// Data of `min..=max` octets.
    pub fn octets(
        &self,
        name: &'static str,
        min: usize,
        max: usize,
    ) -> Result<&'a [u8], WireError> {
        if (min..=max).contains(&self.data.len()) {
            Ok(self.data)
        } else {
            Err(self.wrong_len(name))
        }
    }

    /// Unsigned32 / Enumerated.
    pub fn u32(&self, name: &'static str) -> Result<u32, WireError> {
        Ok(u32::from_be_bytes(self.array::<4>(name)?))
    }

    /// Unsigned64.
    pub fn u64(&self, name: &'static str) -> Result<u64, WireError> {
        Ok(u64::from_be_bytes(self.array::<8>(name)?))
    }

    /// UTF8String / DiameterIdentity.
    pub fn text(&self, name: &'static str) -> Result<&'a str, WireError> {
        std::str::from_utf8(self.data)
            .map_err(|e| WireError::new(self.data_offset + e.valid_up_to(), name, "invalid UTF-8"))
    }

    /// The data parsed as child AVPs (Grouped).
    pub fn children(&self) -> Result<Vec<AvpRef<'a>>, WireError> {
        parse_avps(self.data, self.data_offset)
    }
}

/// Parses a sequence of padded AVPs; `base` is the PDU offset of `buf[0]`.
pub fn parse_avps(buf: &[u8], base: usize) -> Result<Vec<AvpRef<'_>>, WireError> {
    AvpIter::new(buf, base).collect()
}

/// The AVPs of a sequence of padded AVPs, one at a time and without
/// allocating; `base` is the PDU offset of `buf[0]`. Yields the first
/// malformed AVP as an error, then stops.
#[derive(Clone, Debug)]
pub struct AvpIter<'a> {
    buf: &'a [u8],
    pos: usize,
    base: usize,
    failed: bool,
}

impl<'a> AvpIter<'a> {
    pub fn new(buf: &'a [u8], base: usize) -> Self {
        Self {
            buf,
            pos: 0,
            base,
            failed: false,
        }
    }

    #[inline]
    fn next_avp(&mut self) -> Result<AvpRef<'a>, WireError> {
        let (buf, pos) = (self.buf, self.pos);
        let Some(h) = buf.get(pos..pos + HEADER_LEN) else {
            return Err(self.short_header());
        };
        let offset = self.base + pos;
        let code = u32::from_be_bytes([h[0], h[1], h[2], h[3]]);
        let flags = h[4];
        if flags & FLAGS_RESERVED != 0 {
            return Err(reserved_flags(offset));
        }
        let len = u32::from_be_bytes([0, h[5], h[6], h[7]]) as usize;
        let vendor_bit = flags & FLAG_VENDOR != 0;
        let header = if vendor_bit {
            VENDOR_HEADER_LEN
        } else {
            HEADER_LEN
        };
        if len < header {
            return Err(too_short(offset));
        }
        let left = buf.len() - pos;
        let padded = len.next_multiple_of(4);
        if padded > left {
            return Err(overrun(offset));
        }
        // In bounds from here on: `header <= len <= padded <= left`.
        let vendor = vendor_bit.then(|| {
            let v = &buf[pos + HEADER_LEN..pos + VENDOR_HEADER_LEN];
            u32::from_be_bytes([v[0], v[1], v[2], v[3]])
        });
        let data = &buf[pos + header..pos + len];
        let padding = &buf[pos + len..pos + padded];
        if let Some(i) = padding.iter().position(|&b| b != 0) {
            return Err(WireError::new(offset + len + i, "AVP padding", "not zero"));
        }
        self.pos = pos + padded;
        Ok(AvpRef {
            code,
            vendor,
            mandatory: flags & FLAG_MANDATORY != 0,
            offset,
            data_offset: offset + header,
            data,
        })
    }

    /// The error for fewer than 8 octets left: reads field by field so the
    /// message names the first field that does not fit.
    #[cold]
    fn short_header(&self) -> WireError {
        let mut r = Reader::with_base(&self.buf[self.pos..], self.base + self.pos);
        let offset = r.offset();
        if let Err(e) = r.u32("AVP code") {
            return e;
        }
        let flags = match r.u8("AVP flags") {
            Ok(f) => f,
            Err(e) => return e,
        };
        if flags & FLAGS_RESERVED != 0 {
            return reserved_flags(offset);
        }
        match r.u24("AVP length") {
            Err(e) => e,
            Ok(_) => unreachable!("fewer than 8 octets left"),
        }
    }
}

#[cold]
fn reserved_flags(offset: usize) -> WireError {
    WireError::new(offset + 4, "AVP flags", "P or reserved bits set")
}

#[cold]
fn too_short(offset: usize) -> WireError {
    WireError::new(offset + 5, "AVP length", "shorter than the AVP header")
}

#[cold]
fn overrun(offset: usize) -> WireError {
    WireError::new(offset + 5, "AVP length", "overruns the octets left")
}

impl<'a> Iterator for AvpIter<'a> {
    type Item = Result<AvpRef<'a>, WireError>;

    #[inline]
    fn next(&mut self) -> Option<Self::Item> {
        if self.failed || self.pos == self.buf.len() {
            return None;
        }
        let item = self.next_avp();
        self.failed = item.is_err();
        Some(item)
    }
}

// ---- Encoding ----
//
// The typed S6a encoders write AVPs straight into the output buffer with
// these helpers (the tests check them against an owned AVP tree).

/// Octets of the AVP header of `def` (with the Vendor-ID field if any).
#[inline]
pub(crate) const fn header_len(def: AvpDef) -> usize {
    if def.vendor.is_some() {
        VENDOR_HEADER_LEN
    } else {
        HEADER_LEN
    }
}

/// Octets on the wire (padded) of an AVP of `def` with `data_len` data octets.
#[inline]
pub(crate) const fn padded_len(def: AvpDef, data_len: usize) -> usize {
    (header_len(def) + data_len).next_multiple_of(4)
}

/// Writes the header of an AVP of `def` whose Length field is `len`.
#[inline]
fn put_header(out: &mut Vec<u8>, def: AvpDef, len: usize) {
    assert!(len < 1 << 24, "AVP longer than 2^24 - 1 octets");
    let mut h = [0u8; VENDOR_HEADER_LEN];
    h[..4].copy_from_slice(&def.code.to_be_bytes());
    h[4..8].copy_from_slice(&(len as u32).to_be_bytes());
    h[4] = if def.mandatory { FLAG_MANDATORY } else { 0 };
    match def.vendor {
        Some(v) => {
            h[4] |= FLAG_VENDOR;
            h[8..].copy_from_slice(&v.to_be_bytes());
            out.extend_from_slice(&h);
        }
        None => out.extend_from_slice(&h[..HEADER_LEN]),
    }
}

/// Appends an AVP of `def` carrying `data`, and its padding.
#[inline]
pub(crate) fn put_octets(out: &mut Vec<u8>, def: AvpDef, data: &[u8]) {
    let len = header_len(def) + data.len();
    put_header(out, def, len);
    out.extend_from_slice(data);
    out.resize(out.len() + (len.next_multiple_of(4) - len), 0);
}

/// Appends an Unsigned32 / Enumerated AVP of `def`.
#[inline]
pub(crate) fn put_u32(out: &mut Vec<u8>, def: AvpDef, v: u32) {
    put_octets(out, def, &v.to_be_bytes());
}

/// Appends an Unsigned64 AVP of `def`.
#[inline]
pub(crate) fn put_u64(out: &mut Vec<u8>, def: AvpDef, v: u64) {
    put_octets(out, def, &v.to_be_bytes());
}

/// Starts a Grouped AVP of `def`; its children follow, then [`end_group`]
/// with the returned position fills in the length.
#[inline]
pub(crate) fn begin_group(out: &mut Vec<u8>, def: AvpDef) -> usize {
    let at = out.len();
    put_header(out, def, 0);
    at
}

/// Back-patches the Length field of the Grouped AVP begun at `at`. Children
/// are padded, so the group needs no padding of its own.
#[inline]
pub(crate) fn end_group(out: &mut [u8], at: usize) {
    let len = out.len() - at;
    assert!(len < 1 << 24, "AVP longer than 2^24 - 1 octets");
    out[at + 5..at + 8].copy_from_slice(&(len as u32).to_be_bytes()[1..]);
}
