//! Diameter AVPs (RFC 6733 §4): the owned [`Avp`] tree for encoding, the
//! borrowed [`AvpRef`] view for decoding, and the S6a AVP dictionary.
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

/// One AVP definition: code, vendor, name and whether the data is Grouped.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct AvpDef {
    pub code: u32,
    pub vendor: Option<u32>,
    pub name: &'static str,
    pub grouped: bool,
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
    }
}

const fn tgpp(code: u32, name: &'static str, grouped: bool) -> AvpDef {
    AvpDef {
        code,
        vendor: Some(VENDOR_3GPP),
        name,
        grouped,
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

/// Every AVP this module knows, for [`is_grouped_s6a`].
pub const S6A_DICTIONARY: &[AvpDef] = &[
    USER_NAME,
    AUTH_APPLICATION_ID,
    VENDOR_SPECIFIC_APPLICATION_ID,
    SESSION_ID,
    ORIGIN_HOST,
    VENDOR_ID,
    RESULT_CODE,
    AUTH_SESSION_STATE,
    DESTINATION_REALM,
    DESTINATION_HOST,
    ORIGIN_REALM,
    EXPERIMENTAL_RESULT,
    EXPERIMENTAL_RESULT_CODE,
    CONFIDENTIALITY_KEY,
    INTEGRITY_KEY,
    VISITED_PLMN_ID,
    REQUESTED_EUTRAN_AUTHENTICATION_INFO,
    REQUESTED_UTRAN_GERAN_AUTHENTICATION_INFO,
    NUMBER_OF_REQUESTED_VECTORS,
    RE_SYNCHRONIZATION_INFO,
    IMMEDIATE_RESPONSE_PREFERRED,
    AUTHENTICATION_INFO,
    E_UTRAN_VECTOR,
    UTRAN_VECTOR,
    ITEM_NUMBER,
    RAND,
    XRES,
    AUTN,
    KASME,
];

/// Whether `(code, vendor)` is a Grouped AVP of [`S6A_DICTIONARY`].
pub fn is_grouped_s6a(code: u32, vendor: Option<u32>) -> bool {
    S6A_DICTIONARY
        .iter()
        .any(|d| d.grouped && d.code == code && d.vendor == vendor)
}

/// An owned AVP.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Avp {
    pub code: u32,
    /// Vendor-ID; `Some` sets the V bit.
    pub vendor: Option<u32>,
    /// The M bit.
    pub mandatory: bool,
    pub data: AvpData,
}

/// AVP data: raw octets (any basic type, already encoded) or child AVPs.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum AvpData {
    Octets(Vec<u8>),
    Grouped(Vec<Avp>),
}

impl Avp {
    /// An AVP of `def` with the M bit set (all S6a AVPs have M "must").
    pub fn octets(def: AvpDef, data: &[u8]) -> Self {
        Self {
            code: def.code,
            vendor: def.vendor,
            mandatory: true,
            data: AvpData::Octets(data.to_vec()),
        }
    }
    /// Unsigned32 / Enumerated.
    pub fn u32(def: AvpDef, v: u32) -> Self {
        Self::octets(def, &v.to_be_bytes())
    }
    /// UTF8String / DiameterIdentity.
    pub fn text(def: AvpDef, s: &str) -> Self {
        Self::octets(def, s.as_bytes())
    }
    pub fn grouped(def: AvpDef, children: Vec<Avp>) -> Self {
        Self {
            code: def.code,
            vendor: def.vendor,
            mandatory: true,
            data: AvpData::Grouped(children),
        }
    }

    fn header_len(&self) -> usize {
        if self.vendor.is_some() {
            VENDOR_HEADER_LEN
        } else {
            HEADER_LEN
        }
    }

    fn data_len(&self) -> usize {
        match &self.data {
            AvpData::Octets(d) => d.len(),
            AvpData::Grouped(children) => children.iter().map(Avp::padded_len).sum(),
        }
    }

    /// The AVP Length field: header + data, without padding.
    pub fn avp_len(&self) -> usize {
        self.header_len() + self.data_len()
    }

    /// Octets on the wire, with padding.
    pub fn padded_len(&self) -> usize {
        self.avp_len().next_multiple_of(4)
    }

    /// Appends the AVP and its padding.
    ///
    /// # Panics
    /// If the AVP is longer than the 24-bit length field allows.
    pub fn encode_into(&self, out: &mut Vec<u8>) {
        let len = self.avp_len();
        assert!(len < 1 << 24, "AVP longer than 2^24 - 1 octets");
        out.extend_from_slice(&self.code.to_be_bytes());
        let mut flags = 0;
        if self.vendor.is_some() {
            flags |= FLAG_VENDOR;
        }
        if self.mandatory {
            flags |= FLAG_MANDATORY;
        }
        out.push(flags);
        out.extend_from_slice(&(len as u32).to_be_bytes()[1..]);
        if let Some(v) = self.vendor {
            out.extend_from_slice(&v.to_be_bytes());
        }
        match &self.data {
            AvpData::Octets(d) => out.extend_from_slice(d),
            AvpData::Grouped(children) => {
                for c in children {
                    c.encode_into(out);
                }
            }
        }
        out.resize(out.len() + (self.padded_len() - len), 0);
    }

    /// Builds the owned tree from a decoded view, parsing the data of AVPs for
    /// which `is_grouped(code, vendor)` holds as child AVPs.
    pub fn from_ref(
        r: &AvpRef<'_>,
        is_grouped: &dyn Fn(u32, Option<u32>) -> bool,
    ) -> Result<Self, WireError> {
        let data = if is_grouped(r.code, r.vendor) {
            let children = r
                .children()?
                .iter()
                .map(|c| Avp::from_ref(c, is_grouped))
                .collect::<Result<_, _>>()?;
            AvpData::Grouped(children)
        } else {
            AvpData::Octets(r.data.to_vec())
        };
        Ok(Self {
            code: r.code,
            vendor: r.vendor,
            mandatory: r.mandatory,
            data,
        })
    }
}

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

    fn wrong_len(&self, name: &str, expected: &str) -> WireError {
        WireError::new(
            self.data_offset,
            format!(
                "{name}: data is {} octets, expected {expected}",
                self.data.len()
            ),
        )
    }

    /// Data of exactly `N` octets.
    pub fn array<const N: usize>(&self, name: &str) -> Result<[u8; N], WireError> {
        self.data
            .try_into()
            .map_err(|_| self.wrong_len(name, &N.to_string()))
    }

    /// Data of `min..=max` octets.
    pub fn octets(&self, name: &str, min: usize, max: usize) -> Result<&'a [u8], WireError> {
        if (min..=max).contains(&self.data.len()) {
            Ok(self.data)
        } else {
            Err(self.wrong_len(name, &format!("{min}..={max}")))
        }
    }

    /// Unsigned32 / Enumerated.
    pub fn u32(&self, name: &str) -> Result<u32, WireError> {
        Ok(u32::from_be_bytes(self.array::<4>(name)?))
    }

    /// UTF8String / DiameterIdentity.
    pub fn text(&self, name: &str) -> Result<&'a str, WireError> {
        std::str::from_utf8(self.data).map_err(|e| {
            WireError::new(
                self.data_offset + e.valid_up_to(),
                format!("{name}: invalid UTF-8"),
            )
        })
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
            return Err(reserved_flags(offset, code, flags));
        }
        let len = u32::from_be_bytes([0, h[5], h[6], h[7]]) as usize;
        let vendor_bit = flags & FLAG_VENDOR != 0;
        let header = if vendor_bit {
            VENDOR_HEADER_LEN
        } else {
            HEADER_LEN
        };
        if len < header {
            return Err(too_short(offset, code, len, header));
        }
        let left = buf.len() - pos;
        let padded = len.next_multiple_of(4);
        if padded > left {
            return Err(overrun(offset, code, len, left));
        }
        // In bounds from here on: `header <= len <= padded <= left`.
        let vendor = vendor_bit.then(|| {
            let v = &buf[pos + HEADER_LEN..pos + VENDOR_HEADER_LEN];
            u32::from_be_bytes([v[0], v[1], v[2], v[3]])
        });
        let data = &buf[pos + header..pos + len];
        let padding = &buf[pos + len..pos + padded];
        if let Some(i) = padding.iter().position(|&b| b != 0) {
            return Err(WireError::new(
                offset + len + i,
                format!("AVP {code}: non-zero padding"),
            ));
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
        let code = match r.u32("AVP code") {
            Ok(c) => c,
            Err(e) => return e,
        };
        let flags = match r.u8("AVP flags") {
            Ok(f) => f,
            Err(e) => return e,
        };
        if flags & FLAGS_RESERVED != 0 {
            return reserved_flags(offset, code, flags);
        }
        match r.u24("AVP length") {
            Err(e) => e,
            Ok(_) => unreachable!("fewer than 8 octets left"),
        }
    }
}

#[cold]
fn reserved_flags(offset: usize, code: u32, flags: u8) -> WireError {
    WireError::new(
        offset + 4,
        format!("AVP {code}: P or reserved flag bits set ({flags:#04x})"),
    )
}

#[cold]
fn too_short(offset: usize, code: u32, len: usize, header: usize) -> WireError {
    WireError::new(
        offset + 5,
        format!("AVP {code}: length {len} is shorter than its {header}-octet header"),
    )
}

#[cold]
fn overrun(offset: usize, code: u32, len: usize, left: usize) -> WireError {
    WireError::new(
        offset + 5,
        format!(
            "AVP {code}: length {len} (padded {}) overruns the {left} octets left",
            len.next_multiple_of(4)
        ),
    )
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

// ---- Direct encoding (no intermediate tree) ----
//
// The typed S6a encoders write AVPs straight into the output buffer with
// these helpers; the bytes are those of [`Avp::encode_into`] for the same
// AVPs (every AVP of `def` with the M bit set, as [`Avp::octets`] builds).

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

/// Writes the header of an AVP of `def` (M bit set) whose Length field is `len`.
#[inline]
fn put_header(out: &mut Vec<u8>, def: AvpDef, len: usize) {
    assert!(len < 1 << 24, "AVP longer than 2^24 - 1 octets");
    let mut h = [0u8; VENDOR_HEADER_LEN];
    h[..4].copy_from_slice(&def.code.to_be_bytes());
    h[4..8].copy_from_slice(&(len as u32).to_be_bytes());
    h[4] = FLAG_MANDATORY;
    match def.vendor {
        Some(v) => {
            h[4] |= FLAG_VENDOR;
            h[8..].copy_from_slice(&v.to_be_bytes());
            out.extend_from_slice(&h);
        }
        None => out.extend_from_slice(&h[..HEADER_LEN]),
    }
}

/// Appends an AVP of `def` (M bit set) carrying `data`, and its padding.
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
