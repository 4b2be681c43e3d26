//! TLV encodings of every secret-sharing GAS message (format: [`crate::wire::tlv`]).
//!
//! Field widths are the real ones: P-256 point 33 octets (compressed SEC1),
//! scalar 32, hash 32, identifier 8, session id 8, session index 4, AES-GCM
//! nonce 12 and tag 16. Each message's encoded length is a `const fn` of these
//! widths (and of the set sizes m or u), so the closed-form byte counts in
//! docs/counting.md come from the same constants the encoders use.
//!
//! Message types 0x60–0x7f are reserved for this module.

pub mod group;
pub mod intra;
pub mod uplink;

use crate::wire::WireError;
use crate::wire::tlv::{self, FIELD_HEADER_LEN, HEADER_LEN};

pub use crate::gas::aead::{NONCE_LEN as GCM_NONCE_LEN, TAG_LEN as GCM_TAG_LEN};
pub use crate::gas::ec::POINT_LEN;

pub const SCALAR_LEN: usize = 32;
pub const HASH_LEN: usize = 32;
pub const ID_LEN: usize = 8;
/// Threshold and MDMS–gateway session identifiers (SID).
pub const SID_LEN: usize = 8;
/// Harn/Chien session index j into the published per-session list.
pub const SESSION_LEN: usize = 4;
/// The per-session nonce that selects h_t.
pub const HT_NONCE_LEN: usize = 16;
/// The auth server's random number R.
pub const R_LEN: usize = 16;
/// A meter point entry: ID_S ‖ x ‖ y.
pub const METER_ENTRY_LEN: usize = ID_LEN + 2 * SCALAR_LEN;

/// Field tags, shared by all GAS messages.
pub mod tag {
    pub const SID: u8 = 1;
    pub const ID: u8 = 2;
    pub const IDS: u8 = 3;
    pub const POINT: u8 = 4;
    pub const SCALAR: u8 = 5;
    pub const HASH: u8 = 6;
    pub const NONCE: u8 = 7;
    pub const CIPHERTEXT: u8 = 8;
    pub const SESSION: u8 = 9;
    pub const METER: u8 = 10;
    pub const RAND: u8 = 11;
    pub const ID_MDMS: u8 = 12;
    pub const ID_GW: u8 = 13;
}

/// Encoded size of one field carrying `n` value octets.
pub const fn fld(n: usize) -> usize {
    FIELD_HEADER_LEN + n
}

/// Encoded size of a message whose fields total `fields` octets.
pub const fn msg(fields: usize) -> usize {
    HEADER_LEN + fields
}

/// Parses the header and checks the message type.
pub(crate) fn parse<'a>(
    pdu: &'a [u8],
    msg_type: u8,
    name: &'static str,
) -> Result<tlv::Parsed<'a>, WireError> {
    let m = tlv::Parsed::parse(pdu)?;
    if m.msg_type != msg_type {
        return Err(WireError::new(0, name, "wrong message type"));
    }
    Ok(m)
}

/// Decodes a list of 8-octet identifiers packed in one field (at least one).
pub(crate) fn take_ids(m: &mut tlv::Parsed<'_>) -> Result<Vec<u64>, WireError> {
    let f = m.take(tag::IDS, "identifier list")?;
    if f.value.is_empty() || f.value.len() % ID_LEN != 0 {
        return Err(WireError::new(
            f.offset,
            "identifier list",
            "length is not a non-zero multiple of 8",
        ));
    }
    Ok(f.value
        .chunks_exact(ID_LEN)
        .map(|c| u64::from_be_bytes(c.try_into().expect("chunk of ID_LEN")))
        .collect())
}

/// Packs identifiers into one field value.
pub(crate) fn pack_ids(ids: &[u64]) -> Vec<u8> {
    ids.iter().flat_map(|id| id.to_be_bytes()).collect()
}

/// Test helper: every strict prefix of `pdu` and a corrupted type must fail to
/// decode, and decoding must never panic.
#[cfg(test)]
pub(crate) fn assert_truncations_fail<T: std::fmt::Debug>(
    pdu: &[u8],
    decode: impl Fn(&[u8]) -> Result<T, WireError>,
) {
    for cut in 0..pdu.len() {
        assert!(
            decode(&pdu[..cut]).is_err(),
            "prefix of {cut} octets decoded"
        );
    }
    let mut wrong_type = pdu.to_vec();
    wrong_type[0] ^= 0x80;
    assert!(decode(&wrong_type).is_err());
    let mut extra = pdu.to_vec();
    extra.extend_from_slice(&[99, 0, 1, 0]);
    let body = (extra.len() - HEADER_LEN) as u16;
    extra[2..4].copy_from_slice(&body.to_be_bytes());
    assert!(decode(&extra).is_err(), "trailing field accepted");
}
