//! Wire encodings: every message size in authsim is the length of one of these.
//!
//! 3GPP messages use their real formats (`nas`, `mm`, `diameter`, `map`);
//! schemes without a standard encoding use the one documented TLV format in
//! [`tlv`]. Every message type implements [`Message`], the one contract the
//! generic tests (`contract_tests`) check for all of them. Decoders never
//! panic: malformed input gives a [`WireError`] naming the field and the byte
//! offset.

pub mod diameter;
pub mod eap;
pub mod group;
mod ie;
pub mod map;
pub mod mm;
pub mod nas;
pub mod nas5g;
mod per;
pub mod rrc;
pub mod rrc_sib;
pub mod s1ap;
pub mod sbi;
pub mod tlv;

#[cfg(test)]
mod contract_tests;

use crate::core::{Addr, Destination, Effects, Interface, Transmit};

/// One encoded message type: what it is called, how long it is, its bytes,
/// and how it is read back.
pub trait Message: Sized {
    /// The label counted in messages.csv; must be what the decoder names
    /// these bytes.
    fn kind(&self) -> &'static str;
    /// Exact length of [`Message::encode_into`]'s output.
    fn encoded_len(&self) -> usize;
    /// Appends the encoding to `out`.
    ///
    /// # Panics
    /// If a field is out of its specified range (e.g. a RES of 3 octets, a
    /// non-digit IMSI): these are caller bugs, not input errors.
    fn encode_into(&self, out: &mut Vec<u8>);
    /// The encoding in a buffer reserved once.
    fn encode(&self) -> Vec<u8> {
        let mut out = Vec::with_capacity(self.encoded_len());
        self.encode_into(&mut out);
        out
    }
    /// Reads one whole PDU; never panics.
    fn decode(pdu: &[u8]) -> Result<Self, WireError>;
}

/// `kind`, `encoded_len` and `encode_into` of a [`Message`] enum whose every
/// variant holds one message: those of the message it holds.
macro_rules! delegate_to_variants {
    ($($variant:ident),+ $(,)?) => {
        fn kind(&self) -> &'static str {
            match self {
                $(Self::$variant(m) => m.kind(),)+
            }
        }
        fn encoded_len(&self) -> usize {
            match self {
                $(Self::$variant(m) => m.encoded_len(),)+
            }
        }
        fn encode_into(&self, out: &mut Vec<u8>) {
            match self {
                $(Self::$variant(m) => m.encode_into(out),)+
            }
        }
    };
}
pub(crate) use delegate_to_variants;

/// The [`Message`] methods as inherent methods too, so callers use them
/// without importing the trait.
macro_rules! inherent_message_methods {
    ($($t:ty),* $(,)?) => {$(
        impl $t {
            /// See [`Message::kind`](crate::wire::Message::kind).
            pub fn kind(&self) -> &'static str {
                crate::wire::Message::kind(self)
            }
            /// See [`Message::encoded_len`](crate::wire::Message::encoded_len).
            pub fn encoded_len(&self) -> usize {
                crate::wire::Message::encoded_len(self)
            }
            /// See [`Message::encode_into`](crate::wire::Message::encode_into).
            pub fn encode_into(&self, out: &mut Vec<u8>) {
                crate::wire::Message::encode_into(self, out)
            }
            /// See [`Message::encode`](crate::wire::Message::encode).
            pub fn encode(&self) -> Vec<u8> {
                crate::wire::Message::encode(self)
            }
            /// See [`Message::decode`](crate::wire::Message::decode).
            pub fn decode(pdu: &[u8]) -> Result<Self, crate::wire::WireError> {
                <Self as crate::wire::Message>::decode(pdu)
            }
        }
    )*};
}
pub(crate) use inherent_message_methods;

/// Sending a typed message: the kind label comes from the message.
impl Effects {
    /// Sends `msg` to one endpoint.
    pub fn send_msg<M: Message>(&mut self, to: Addr, interface: Interface, msg: &M) {
        self.transmits.push(Transmit {
            to: Destination::Unicast(to),
            interface,
            kind: msg.kind(),
            pdu: msg.encode(),
            adversary_made: false,
        });
    }

    /// Sends `msg` as one transmission heard by every endpoint of `to`.
    pub fn broadcast_msg<M: Message>(&mut self, to: Vec<Addr>, interface: Interface, msg: &M) {
        self.transmits.push(Transmit {
            to: Destination::Broadcast(to),
            interface,
            kind: msg.kind(),
            pdu: msg.encode(),
            adversary_made: false,
        });
    }
}

/// A decoding failure: which field, what is wrong with it, and where.
///
/// All parts are static or plain numbers, so a failed decode allocates
/// nothing (mutated and hostile inputs fail often).
#[derive(Clone, Copy, Debug, PartialEq, Eq, thiserror::Error)]
#[error("malformed PDU at byte offset {offset}: {what}: {problem}")]
pub struct WireError {
    /// Offset (from the start of the PDU) where decoding failed.
    pub offset: usize,
    /// The field or structure being read, e.g. "AUTN" or "Origin-Realm".
    pub what: &'static str,
    /// What is wrong with it, e.g. "PDU ends early".
    pub problem: &'static str,
}

impl WireError {
    pub const fn new(offset: usize, what: &'static str, problem: &'static str) -> Self {
        Self {
            offset,
            what,
            problem,
        }
    }
}

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
    /// The next byte without consuming it (an optional IE's IEI).
    #[inline]
    pub fn peek(&self) -> Option<u8> {
        self.buf.get(self.pos).copied()
    }
    /// An error at the next byte.
    #[inline]
    pub fn err(&self, what: &'static str, problem: &'static str) -> WireError {
        WireError::new(self.offset(), what, problem)
    }
    #[inline]
    pub fn u8(&mut self, what: &'static str) -> Result<u8, WireError> {
        Ok(self.bytes(1, what)?[0])
    }
    #[inline]
    pub fn u16(&mut self, what: &'static str) -> Result<u16, WireError> {
        Ok(u16::from_be_bytes(self.array(what)?))
    }
    #[inline]
    pub fn u24(&mut self, what: &'static str) -> Result<u32, WireError> {
        let [a, b, c] = self.array(what)?;
        Ok(u32::from_be_bytes([0, a, b, c]))
    }
    #[inline]
    pub fn u32(&mut self, what: &'static str) -> Result<u32, WireError> {
        Ok(u32::from_be_bytes(self.array(what)?))
    }
    #[inline]
    pub fn bytes(&mut self, n: usize, what: &'static str) -> Result<&'a [u8], WireError> {
        if self.remaining() < n {
            return Err(self.err(what, "PDU ends early"));
        }
        let s = &self.buf[self.pos..self.pos + n];
        self.pos += n;
        Ok(s)
    }
    #[inline]
    pub fn array<const N: usize>(&mut self, what: &'static str) -> Result<[u8; N], WireError> {
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
    pub fn finish(&self, what: &'static str) -> Result<(), WireError> {
        if self.is_empty() {
            Ok(())
        } else {
            Err(self.err(what, "trailing bytes"))
        }
    }
}
