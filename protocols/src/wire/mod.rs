//! Wire encodings: every message size in authsim is the length of one of these.
//!
//! 3GPP messages use their real formats (`nas`, `diameter`); schemes without a
//! standard encoding use the one documented TLV format in [`tlv`]. Decoders
//! never panic: malformed input gives a [`WireError`] naming the byte offset.

pub mod diameter;
pub mod group;
pub mod map;
pub mod mm;
pub mod nas;
pub mod tlv;

use std::fmt;

/// A decoding failure at a byte offset of the PDU.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct WireError {
    /// Offset (from the start of the PDU) where decoding failed.
    pub offset: usize,
    /// What was expected or wrong there.
    pub what: String,
}

impl WireError {
    pub fn new(offset: usize, what: impl Into<String>) -> Self {
        Self {
            offset,
            what: what.into(),
        }
    }
}

impl fmt::Display for WireError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "malformed PDU at byte offset {}: {}",
            self.offset, self.what
        )
    }
}

impl std::error::Error for WireError {}

/// A bounds-checked cursor over a PDU; every read reports its offset on error.
#[derive(Clone, Debug)]
pub struct Reader<'a> {
    buf: &'a [u8],
    pos: usize,
    /// Offset of `buf[0]` inside the whole PDU, for error messages.
    base: usize,
}

impl<'a> Reader<'a> {
    #[inline]
    pub fn new(buf: &'a [u8]) -> Self {
        Self {
            buf,
            pos: 0,
            base: 0,
        }
    }
    /// A reader over a sub-slice that reports offsets relative to the whole PDU.
    #[inline]
    pub fn with_base(buf: &'a [u8], base: usize) -> Self {
        Self { buf, pos: 0, base }
    }
    /// Absolute offset of the next byte.
    #[inline]
    pub fn offset(&self) -> usize {
        self.base + self.pos
    }
    #[inline]
    pub fn remaining(&self) -> usize {
        self.buf.len() - self.pos
    }
    #[inline]
    pub fn is_empty(&self) -> bool {
        self.remaining() == 0
    }
    #[cold]
    fn short(&self, n: usize, what: &str) -> WireError {
        self.err(format!("{what}: need {n} bytes, {} left", self.remaining()))
    }
    #[inline]
    pub fn err(&self, what: impl Into<String>) -> WireError {
        WireError::new(self.offset(), what)
    }
    #[inline]
    pub fn u8(&mut self, what: &str) -> Result<u8, WireError> {
        Ok(self.bytes(1, what)?[0])
    }
    #[inline]
    pub fn u16(&mut self, what: &str) -> Result<u16, WireError> {
        let b = self.bytes(2, what)?;
        Ok(u16::from_be_bytes([b[0], b[1]]))
    }
    #[inline]
    pub fn u24(&mut self, what: &str) -> Result<u32, WireError> {
        let b = self.bytes(3, what)?;
        Ok(u32::from_be_bytes([0, b[0], b[1], b[2]]))
    }
    #[inline]
    pub fn u32(&mut self, what: &str) -> Result<u32, WireError> {
        let b = self.bytes(4, what)?;
        Ok(u32::from_be_bytes([b[0], b[1], b[2], b[3]]))
    }
    #[inline]
    pub fn bytes(&mut self, n: usize, what: &str) -> Result<&'a [u8], WireError> {
        if self.remaining() < n {
            return Err(self.short(n, what));
        }
        let s = &self.buf[self.pos..self.pos + n];
        self.pos += n;
        Ok(s)
    }
    #[inline]
    pub fn array<const N: usize>(&mut self, what: &str) -> Result<[u8; N], WireError> {
        let mut a = [0u8; N];
        a.copy_from_slice(self.bytes(N, what)?);
        Ok(a)
    }
    #[inline]
    pub fn rest(&mut self) -> &'a [u8] {
        let s = &self.buf[self.pos..];
        self.pos = self.buf.len();
        s
    }
    /// Fails unless all input was consumed.
    #[inline]
    pub fn finish(&self, what: &str) -> Result<(), WireError> {
        if self.is_empty() {
            Ok(())
        } else {
            Err(self.err(format!("{what}: {} trailing bytes", self.remaining())))
        }
    }
}
