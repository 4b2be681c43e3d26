//! Harn and Chien messages: the initiator's session start and the members'
//! broadcast tokens. Both schemes share the layout; only the message types
//! and the token width (scalar 32 / point 33) differ.

use super::{ID_LEN, POINT_LEN, SCALAR_LEN, SESSION_LEN, fld, msg, pack_ids, parse, tag, take_ids};
use crate::wire::tlv::{self, Writer};
use crate::wire::{Message, WireError, inherent_message_methods};

pub const HARN_START: u8 = 0x60;
pub const HARN_TOKEN: u8 = 0x61;
pub const CHIEN_START: u8 = 0x62;
pub const CHIEN_TOKEN: u8 = 0x63;

/// Start: session index j ‖ the m participants' identifiers.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Start {
    pub session: u32,
    pub ids: Vec<u64>,
}

impl Start {
    /// Encoded length for m participants.
    pub const fn len(m: usize) -> usize {
        msg(fld(SESSION_LEN) + fld(ID_LEN * m))
    }
    /// The encoding with message type `msg_type` ([`HARN_START`] or [`CHIEN_START`]).
    pub fn encode(&self, msg_type: u8) -> Vec<u8> {
        let mut out = Vec::with_capacity(Self::len(self.ids.len()));
        self.encode_into(msg_type, &mut out);
        out
    }
    fn encode_into(&self, msg_type: u8, out: &mut Vec<u8>) {
        Writer::begin(out, msg_type)
            .u32(tag::SESSION, self.session)
            .field(tag::IDS, &pack_ids(&self.ids))
            .finish();
    }
    pub fn decode(pdu: &[u8], msg_type: u8) -> Result<Self, WireError> {
        let mut m = parse(pdu, msg_type, "group start")?;
        let session = m.take_u32(tag::SESSION, "session index")?;
        let ids = take_ids(&mut m)?;
        m.finish()?;
        Ok(Self { session, ids })
    }
}

/// Token: session index j ‖ ID_i ‖ token (N octets).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Token<const N: usize> {
    pub session: u32,
    pub id: u64,
    pub value: [u8; N],
}

impl<const N: usize> Token<N> {
    pub const LEN: usize = msg(fld(SESSION_LEN) + fld(ID_LEN) + fld(N));
    /// The tag of the token field: a point (Chien) or a scalar (Harn).
    const VALUE_TAG: u8 = if N == POINT_LEN {
        tag::POINT
    } else {
        tag::SCALAR
    };
    /// The encoding with message type `msg_type` ([`HARN_TOKEN`] or [`CHIEN_TOKEN`]).
    pub fn encode(&self, msg_type: u8) -> Vec<u8> {
        let mut out = Vec::with_capacity(Self::LEN);
        self.encode_into(msg_type, &mut out);
        out
    }
    fn encode_into(&self, msg_type: u8, out: &mut Vec<u8>) {
        Writer::begin(out, msg_type)
            .u32(tag::SESSION, self.session)
            .u64(tag::ID, self.id)
            .field(Self::VALUE_TAG, &self.value)
            .finish();
    }
    pub fn decode(pdu: &[u8], msg_type: u8) -> Result<Self, WireError> {
        let mut m = parse(pdu, msg_type, "group token")?;
        let session = m.take_u32(tag::SESSION, "session index")?;
        let id = m.take_u64(tag::ID, "identifier")?;
        let value = m.take_array::<N>(Self::VALUE_TAG, "token")?;
        m.finish()?;
        Ok(Self { session, id, value })
    }
}

/// Any Harn or Chien message, told apart by its message type.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum GroupMessage {
    HarnStart(Start),
    HarnToken(Token<SCALAR_LEN>),
    ChienStart(Start),
    ChienToken(Token<POINT_LEN>),
}

impl GroupMessage {
    fn msg_type(&self) -> u8 {
        match self {
            Self::HarnStart(_) => HARN_START,
            Self::HarnToken(_) => HARN_TOKEN,
            Self::ChienStart(_) => CHIEN_START,
            Self::ChienToken(_) => CHIEN_TOKEN,
        }
    }
}

impl Message for GroupMessage {
    fn kind(&self) -> &'static str {
        match self {
            Self::HarnStart(_) => "HarnStart",
            Self::HarnToken(_) => "HarnToken",
            Self::ChienStart(_) => "ChienStart",
            Self::ChienToken(_) => "ChienToken",
        }
    }
    fn encoded_len(&self) -> usize {
        match self {
            Self::HarnStart(s) | Self::ChienStart(s) => Start::len(s.ids.len()),
            Self::HarnToken(_) => Token::<SCALAR_LEN>::LEN,
            Self::ChienToken(_) => Token::<POINT_LEN>::LEN,
        }
    }
    fn encode_into(&self, out: &mut Vec<u8>) {
        let ty = self.msg_type();
        match self {
            Self::HarnStart(s) | Self::ChienStart(s) => s.encode_into(ty, out),
            Self::HarnToken(t) => t.encode_into(ty, out),
            Self::ChienToken(t) => t.encode_into(ty, out),
        }
    }
    fn decode(pdu: &[u8]) -> Result<Self, WireError> {
        match tlv::peek_type(pdu)? {
            HARN_START => Start::decode(pdu, HARN_START).map(Self::HarnStart),
            HARN_TOKEN => Token::decode(pdu, HARN_TOKEN).map(Self::HarnToken),
            CHIEN_START => Start::decode(pdu, CHIEN_START).map(Self::ChienStart),
            CHIEN_TOKEN => Token::decode(pdu, CHIEN_TOKEN).map(Self::ChienToken),
            _ => Err(WireError::new(
                0,
                "message type",
                "not a Harn or Chien message",
            )),
        }
    }
}

inherent_message_methods!(GroupMessage);

#[cfg(test)]
mod tests {
    use super::*;

    fn start_with_ids(ids: &[u8]) -> Vec<u8> {
        let mut pdu = Vec::new();
        Writer::begin(&mut pdu, HARN_START)
            .u32(tag::SESSION, 1)
            .field(tag::IDS, ids)
            .finish();
        pdu
    }

    #[test]
    fn an_empty_or_ragged_identifier_list_is_malformed() {
        assert!(Start::decode(&start_with_ids(&[0; 8]), HARN_START).is_ok());
        assert!(Start::decode(&start_with_ids(&[]), HARN_START).is_err());
        assert!(Start::decode(&start_with_ids(&[0; 9]), HARN_START).is_err());
    }

    #[test]
    fn a_harn_token_is_not_a_chien_token() {
        let h = Token::<SCALAR_LEN> {
            session: 9,
            id: 4,
            value: [7; SCALAR_LEN],
        };
        assert!(Token::<POINT_LEN>::decode(&h.encode(CHIEN_TOKEN), CHIEN_TOKEN).is_err());
        assert!(Token::<SCALAR_LEN>::decode(&h.encode(HARN_TOKEN), CHIEN_TOKEN).is_err());
        let m = GroupMessage::decode(&h.encode(HARN_TOKEN)).unwrap();
        assert_eq!(m, GroupMessage::HarnToken(h));
    }

    #[test]
    fn sizes_match_the_documented_octets() {
        assert_eq!(Start::len(3), 4 + 7 + 27);
        assert_eq!(Token::<SCALAR_LEN>::LEN, 4 + 7 + 11 + 35);
        assert_eq!(Token::<POINT_LEN>::LEN, 4 + 7 + 11 + 36);
    }
}
