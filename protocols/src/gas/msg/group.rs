//! Harn and Chien messages: the initiator's session start and the members'
//! broadcast tokens. Both schemes share the layout; only the message types
//! and the token width (scalar 32 / point 33) differ.

use super::{ID_LEN, SESSION_LEN, fld, msg, pack_ids, parse, tag, take_ids};
use crate::wire::WireError;
use crate::wire::tlv::Writer;

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
    pub fn encode(&self, msg_type: u8) -> Vec<u8> {
        Writer::new(msg_type)
            .u32(tag::SESSION, self.session)
            .field(tag::IDS, &pack_ids(&self.ids))
            .finish()
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
    pub fn encode(&self, msg_type: u8) -> Vec<u8> {
        Writer::new(msg_type)
            .u32(tag::SESSION, self.session)
            .u64(tag::ID, self.id)
            .field(
                if N == super::POINT_LEN {
                    tag::POINT
                } else {
                    tag::SCALAR
                },
                &self.value,
            )
            .finish()
    }
    pub fn decode(pdu: &[u8], msg_type: u8) -> Result<Self, WireError> {
        let mut m = parse(pdu, msg_type, "group token")?;
        let session = m.take_u32(tag::SESSION, "session index")?;
        let id = m.take_u64(tag::ID, "identifier")?;
        let t = if N == super::POINT_LEN {
            tag::POINT
        } else {
            tag::SCALAR
        };
        let value = m.take_array::<N>(t, "token")?;
        m.finish()?;
        Ok(Self { session, id, value })
    }
}

#[cfg(test)]
mod tests {
    use super::super::{POINT_LEN, SCALAR_LEN, assert_truncations_fail};
    use super::*;

    #[test]
    fn start_round_trip_and_truncation() {
        let s = Start {
            session: 3,
            ids: vec![1, 2, 0xdead_beef],
        };
        for ty in [HARN_START, CHIEN_START] {
            let pdu = s.encode(ty);
            assert_eq!(pdu.len(), Start::len(3));
            assert_eq!(Start::decode(&pdu, ty).unwrap(), s);
            assert_truncations_fail(&pdu, |p| Start::decode(p, ty));
        }
        // An empty or ragged identifier list is malformed.
        let empty = Writer::new(HARN_START)
            .u32(tag::SESSION, 1)
            .field(tag::IDS, &[])
            .finish();
        assert!(Start::decode(&empty, HARN_START).is_err());
        let ragged = Writer::new(HARN_START)
            .u32(tag::SESSION, 1)
            .field(tag::IDS, &[0; 9])
            .finish();
        assert!(Start::decode(&ragged, HARN_START).is_err());
    }

    #[test]
    fn token_round_trip_and_truncation() {
        let h = Token::<SCALAR_LEN> {
            session: 9,
            id: 4,
            value: [7; SCALAR_LEN],
        };
        let pdu = h.encode(HARN_TOKEN);
        assert_eq!(pdu.len(), Token::<SCALAR_LEN>::LEN);
        assert_eq!(Token::decode(&pdu, HARN_TOKEN).unwrap(), h);
        assert_truncations_fail(&pdu, |p| Token::<SCALAR_LEN>::decode(p, HARN_TOKEN));

        let c = Token::<POINT_LEN> {
            session: 9,
            id: 4,
            value: [2; POINT_LEN],
        };
        let pdu = c.encode(CHIEN_TOKEN);
        assert_eq!(pdu.len(), Token::<POINT_LEN>::LEN);
        assert_eq!(Token::decode(&pdu, CHIEN_TOKEN).unwrap(), c);
        assert_truncations_fail(&pdu, |p| Token::<POINT_LEN>::decode(p, CHIEN_TOKEN));
        // A Harn token is not a Chien token.
        assert!(Token::<POINT_LEN>::decode(&h.encode(CHIEN_TOKEN), CHIEN_TOKEN).is_err());
    }
}
