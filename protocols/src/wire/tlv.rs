//! The one TLV format for messages without a standard encoding
//! (group-authentication tokens, MDMS–gateway messages, group AKA extensions).
//!
//! Layout (all integers big-endian), documented in docs/wire-formats.md:
//!
//! ```text
//! message := msg_type:u8 || version:u8 (=1) || length:u16 || field*
//! field   := tag:u8 || length:u16 || value[length]
//! ```
//!
//! `length` in the message header counts the fields that follow it. Field
//! widths are real: a P-256 point is 33 octets (SEC1 compressed), a scalar 32,
//! a SHA-256 hash 32, an identifier 8, an AES-GCM nonce 12 and tag 16.
//! Decoders check every length and report the offset of the first problem.

use super::{Reader, WireError};

pub const VERSION: u8 = 1;
/// Bytes of the message header.
pub const HEADER_LEN: usize = 4;
/// Bytes of a field header.
pub const FIELD_HEADER_LEN: usize = 3;

/// Writes one TLV message at the end of a buffer; [`Writer::finish`] fills in
/// the message length.
#[derive(Debug)]
pub struct Writer<'a> {
    out: &'a mut Vec<u8>,
    /// Offset of the message header in `out`.
    start: usize,
}

impl<'a> Writer<'a> {
    pub fn begin(out: &'a mut Vec<u8>, msg_type: u8) -> Self {
        let start = out.len();
        out.extend_from_slice(&[msg_type, VERSION, 0, 0]);
        Self { out, start }
    }
    pub fn field(self, tag: u8, value: &[u8]) -> Self {
        assert!(value.len() <= u16::MAX as usize, "TLV field too long");
        self.out.push(tag);
        self.out
            .extend_from_slice(&(value.len() as u16).to_be_bytes());
        self.out.extend_from_slice(value);
        self
    }
    pub fn u32(self, tag: u8, v: u32) -> Self {
        self.field(tag, &v.to_be_bytes())
    }
    pub fn u64(self, tag: u8, v: u64) -> Self {
        self.field(tag, &v.to_be_bytes())
    }
    pub fn finish(self) {
        let body = self.out.len() - self.start - HEADER_LEN;
        assert!(body <= u16::MAX as usize, "TLV message too long");
        self.out[self.start + 2..self.start + 4].copy_from_slice(&(body as u16).to_be_bytes());
    }
}

/// One decoded field, borrowing the PDU.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Field<'a> {
    pub tag: u8,
    /// Offset of the value inside the PDU.
    pub offset: usize,
    pub value: &'a [u8],
}

/// A parsed TLV message: its type and fields in order.
#[derive(Clone, Debug)]
pub struct Parsed<'a> {
    pub msg_type: u8,
    pub fields: Vec<Field<'a>>,
    /// Index of the next field `take` will return.
    next: usize,
    end_offset: usize,
}

/// Reads the message type without parsing the rest.
pub fn peek_type(pdu: &[u8]) -> Result<u8, WireError> {
    Reader::new(pdu).u8("message type")
}

impl<'a> Parsed<'a> {
    pub fn parse(pdu: &'a [u8]) -> Result<Self, WireError> {
        let mut r = Reader::new(pdu);
        let msg_type = r.u8("message type")?;
        let version = r.u8("version")?;
        if version != VERSION {
            return Err(WireError::new(1, "version", "not the TLV version 1"));
        }
        let len = r.u16("message length")? as usize;
        if len != r.remaining() {
            return Err(WireError::new(
                2,
                "message length",
                "differs from the bytes that follow",
            ));
        }
        let mut fields = Vec::new();
        while !r.is_empty() {
            let tag = r.u8("field tag")?;
            let flen = r.u16("field length")? as usize;
            let offset = r.offset();
            let value = r.bytes(flen, "field value")?;
            fields.push(Field { tag, offset, value });
        }
        Ok(Self {
            msg_type,
            fields,
            next: 0,
            end_offset: pdu.len(),
        })
    }

    /// Takes the next field, which must carry `tag`.
    pub fn take(&mut self, tag: u8, what: &'static str) -> Result<Field<'a>, WireError> {
        match self.fields.get(self.next) {
            Some(f) if f.tag == tag => {
                self.next += 1;
                Ok(*f)
            }
            Some(f) => Err(WireError::new(
                f.offset - FIELD_HEADER_LEN,
                what,
                "another tag where this field belongs",
            )),
            None => Err(WireError::new(self.end_offset, what, "missing")),
        }
    }
    /// Takes the next field if it carries `tag`.
    pub fn take_opt(&mut self, tag: u8) -> Option<Field<'a>> {
        match self.fields.get(self.next) {
            Some(f) if f.tag == tag => {
                self.next += 1;
                Some(*f)
            }
            _ => None,
        }
    }
    /// Takes the next field as a fixed-size array.
    pub fn take_array<const N: usize>(
        &mut self,
        tag: u8,
        what: &'static str,
    ) -> Result<[u8; N], WireError> {
        let f = self.take(tag, what)?;
        f.value
            .try_into()
            .map_err(|_| WireError::new(f.offset, what, "wrong length"))
    }
    pub fn take_u32(&mut self, tag: u8, what: &'static str) -> Result<u32, WireError> {
        Ok(u32::from_be_bytes(self.take_array::<4>(tag, what)?))
    }
    pub fn take_u64(&mut self, tag: u8, what: &'static str) -> Result<u64, WireError> {
        Ok(u64::from_be_bytes(self.take_array::<8>(tag, what)?))
    }
    /// Fails if fields remain unread.
    pub fn finish(&self) -> Result<(), WireError> {
        match self.fields.get(self.next) {
            None => Ok(()),
            Some(f) => Err(WireError::new(
                f.offset - FIELD_HEADER_LEN,
                "field",
                "unexpected after the last field",
            )),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trip() {
        let mut pdu = Vec::new();
        Writer::begin(&mut pdu, 7)
            .u32(1, 42)
            .field(2, &[9; 33])
            .finish();
        assert_eq!(pdu.len(), HEADER_LEN + 3 + 4 + 3 + 33);
        let mut m = Parsed::parse(&pdu).unwrap();
        assert_eq!(m.msg_type, 7);
        assert_eq!(m.take_u32(1, "n").unwrap(), 42);
        assert_eq!(m.take_array::<33>(2, "point").unwrap(), [9; 33]);
        m.finish().unwrap();
    }

    #[test]
    fn malformed_inputs_name_offsets() {
        let mut pdu = Vec::new();
        Writer::begin(&mut pdu, 7).u32(1, 42).finish();
        for cut in 0..pdu.len() {
            assert!(Parsed::parse(&pdu[..cut]).is_err(), "cut at {cut}");
        }
        let mut bad = pdu.clone();
        bad[1] = 2;
        assert_eq!(Parsed::parse(&bad).unwrap_err().offset, 1);
        let mut m = Parsed::parse(&pdu).unwrap();
        let e = m.take(2, "point").unwrap_err();
        assert_eq!(e.offset, 4);
        let e = m.take_array::<8>(1, "id").unwrap_err();
        assert_eq!(e.offset, 7);
    }
}
