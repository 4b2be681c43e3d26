//! Threshold GAS, nodes–smart meter phase (§4.2) and group session key
//! distribution (§4.3).

use super::{
    GCM_NONCE_LEN, GCM_TAG_LEN, HASH_LEN, HT_NONCE_LEN, ID_LEN, POINT_LEN, SID_LEN, fld, msg,
    pack_ids, parse, tag, take_ids,
};
use crate::wire::WireError;
use crate::wire::tlv::Writer;

pub const GA_REQUEST: u8 = 0x68;
pub const GA_JOIN: u8 = 0x69;
pub const GA_CHALLENGE: u8 = 0x6a;
pub const GA_TOKEN: u8 = 0x6b;
pub const GSK_DELIVERY: u8 = 0x6c;

/// Octets of the GSK (an h_1 output).
pub const GSK_LEN: usize = HASH_LEN;
/// Octets of the GSK ciphertext including the GCM tag.
pub const GSK_CT_LEN: usize = GSK_LEN + GCM_TAG_LEN;

/// Step 1, leader → all n nodes (broadcast): SID.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct GaRequest {
    pub sid: u64,
}

impl GaRequest {
    pub const KIND: &'static str = "GaRequest";
    pub const LEN: usize = msg(fld(SID_LEN));
    pub fn encode(&self) -> Vec<u8> {
        Writer::new(GA_REQUEST).u64(tag::SID, self.sid).finish()
    }
    pub fn decode(pdu: &[u8]) -> Result<Self, WireError> {
        let mut m = parse(pdu, GA_REQUEST, Self::KIND)?;
        let sid = m.take_u64(tag::SID, "SID")?;
        m.finish()?;
        Ok(Self { sid })
    }
}

/// Step 2, node → leader: SID ‖ ID_i (the node joins the participant set).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct GaJoin {
    pub sid: u64,
    pub id: u64,
}

impl GaJoin {
    pub const KIND: &'static str = "GaJoin";
    pub const LEN: usize = msg(fld(SID_LEN) + fld(ID_LEN));
    pub fn encode(&self) -> Vec<u8> {
        Writer::new(GA_JOIN)
            .u64(tag::SID, self.sid)
            .u64(tag::ID, self.id)
            .finish()
    }
    pub fn decode(pdu: &[u8]) -> Result<Self, WireError> {
        let mut m = parse(pdu, GA_JOIN, Self::KIND)?;
        let sid = m.take_u64(tag::SID, "SID")?;
        let id = m.take_u64(tag::ID, "identifier")?;
        m.finish()?;
        Ok(Self { sid, id })
    }
}

/// Step 3, leader → the m participants (broadcast): SID ‖ h_t selector
/// nonce ‖ session point P_s ‖ participant identifiers.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct GaChallenge {
    pub sid: u64,
    pub nonce: [u8; HT_NONCE_LEN],
    pub point: [u8; POINT_LEN],
    pub ids: Vec<u64>,
}

impl GaChallenge {
    pub const KIND: &'static str = "GaChallenge";
    /// Encoded length for m participants.
    pub const fn len(m: usize) -> usize {
        msg(fld(SID_LEN) + fld(HT_NONCE_LEN) + fld(POINT_LEN) + fld(ID_LEN * m))
    }
    pub fn encode(&self) -> Vec<u8> {
        Writer::new(GA_CHALLENGE)
            .u64(tag::SID, self.sid)
            .field(tag::NONCE, &self.nonce)
            .field(tag::POINT, &self.point)
            .field(tag::IDS, &pack_ids(&self.ids))
            .finish()
    }
    pub fn decode(pdu: &[u8]) -> Result<Self, WireError> {
        let mut m = parse(pdu, GA_CHALLENGE, Self::KIND)?;
        let sid = m.take_u64(tag::SID, "SID")?;
        let nonce = m.take_array(tag::NONCE, "h_t selector nonce")?;
        let point = m.take_array(tag::POINT, "session point P_s")?;
        let ids = take_ids(&mut m)?;
        m.finish()?;
        Ok(Self {
            sid,
            nonce,
            point,
            ids,
        })
    }
}

/// Step 6, node → leader: SID ‖ ID_i ‖ v_i ‖ T_i.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct GaToken {
    pub sid: u64,
    pub id: u64,
    pub v: [u8; HASH_LEN],
    pub token: [u8; POINT_LEN],
}

impl GaToken {
    pub const KIND: &'static str = "GaToken";
    pub const LEN: usize = msg(fld(SID_LEN) + fld(ID_LEN) + fld(HASH_LEN) + fld(POINT_LEN));
    pub fn encode(&self) -> Vec<u8> {
        Writer::new(GA_TOKEN)
            .u64(tag::SID, self.sid)
            .u64(tag::ID, self.id)
            .field(tag::HASH, &self.v)
            .field(tag::POINT, &self.token)
            .finish()
    }
    pub fn decode(pdu: &[u8]) -> Result<Self, WireError> {
        let mut m = parse(pdu, GA_TOKEN, Self::KIND)?;
        let sid = m.take_u64(tag::SID, "SID")?;
        let id = m.take_u64(tag::ID, "identifier")?;
        let v = m.take_array(tag::HASH, "verification value v_i")?;
        let token = m.take_array(tag::POINT, "token T_i")?;
        m.finish()?;
        Ok(Self { sid, id, v, token })
    }
}

/// §4.3, leader → each authenticated node: SID ‖ ID_i ‖ GCM nonce ‖
/// E_{k_i}(GSK) ‖ tag, with AAD = SID ‖ ID_i.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct GskDelivery {
    pub sid: u64,
    pub id: u64,
    pub nonce: [u8; GCM_NONCE_LEN],
    pub ciphertext: [u8; GSK_CT_LEN],
}

impl GskDelivery {
    pub const KIND: &'static str = "GskDelivery";
    pub const LEN: usize = msg(fld(SID_LEN) + fld(ID_LEN) + fld(GCM_NONCE_LEN) + fld(GSK_CT_LEN));
    pub fn encode(&self) -> Vec<u8> {
        Writer::new(GSK_DELIVERY)
            .u64(tag::SID, self.sid)
            .u64(tag::ID, self.id)
            .field(tag::NONCE, &self.nonce)
            .field(tag::CIPHERTEXT, &self.ciphertext)
            .finish()
    }
    pub fn decode(pdu: &[u8]) -> Result<Self, WireError> {
        let mut m = parse(pdu, GSK_DELIVERY, Self::KIND)?;
        let sid = m.take_u64(tag::SID, "SID")?;
        let id = m.take_u64(tag::ID, "identifier")?;
        let nonce = m.take_array(tag::NONCE, "GCM nonce")?;
        let ciphertext = m.take_array(tag::CIPHERTEXT, "GSK ciphertext")?;
        m.finish()?;
        Ok(Self {
            sid,
            id,
            nonce,
            ciphertext,
        })
    }
}

/// AAD binding a GSK ciphertext to its session and recipient.
pub fn gsk_aad(sid: u64, id: u64) -> [u8; SID_LEN + ID_LEN] {
    let mut a = [0u8; SID_LEN + ID_LEN];
    a[..SID_LEN].copy_from_slice(&sid.to_be_bytes());
    a[SID_LEN..].copy_from_slice(&id.to_be_bytes());
    a
}

#[cfg(test)]
mod tests {
    use super::super::assert_truncations_fail;
    use super::*;

    #[test]
    fn round_trips_sizes_and_truncations() {
        let r = GaRequest { sid: 5 };
        let pdu = r.encode();
        assert_eq!(pdu.len(), GaRequest::LEN);
        assert_eq!(GaRequest::decode(&pdu).unwrap(), r);
        assert_truncations_fail(&pdu, GaRequest::decode);

        let j = GaJoin { sid: 5, id: 77 };
        let pdu = j.encode();
        assert_eq!(pdu.len(), GaJoin::LEN);
        assert_eq!(GaJoin::decode(&pdu).unwrap(), j);
        assert_truncations_fail(&pdu, GaJoin::decode);

        let c = GaChallenge {
            sid: 5,
            nonce: [3; 16],
            point: [2; 33],
            ids: vec![1, 2, 3, 4],
        };
        let pdu = c.encode();
        assert_eq!(pdu.len(), GaChallenge::len(4));
        assert_eq!(GaChallenge::decode(&pdu).unwrap(), c);
        assert_truncations_fail(&pdu, GaChallenge::decode);

        let t = GaToken {
            sid: 5,
            id: 77,
            v: [9; 32],
            token: [3; 33],
        };
        let pdu = t.encode();
        assert_eq!(pdu.len(), GaToken::LEN);
        assert_eq!(GaToken::decode(&pdu).unwrap(), t);
        assert_truncations_fail(&pdu, GaToken::decode);

        let g = GskDelivery {
            sid: 5,
            id: 77,
            nonce: [1; 12],
            ciphertext: [8; GSK_CT_LEN],
        };
        let pdu = g.encode();
        assert_eq!(pdu.len(), GskDelivery::LEN);
        assert_eq!(GskDelivery::decode(&pdu).unwrap(), g);
        assert_truncations_fail(&pdu, GskDelivery::decode);
    }

    #[test]
    fn sizes_match_the_documented_octets() {
        assert_eq!(GaRequest::LEN, 15);
        assert_eq!(GaJoin::LEN, 26);
        assert_eq!(GaChallenge::len(1), 81);
        assert_eq!(GaToken::LEN, 97);
        assert_eq!(GskDelivery::LEN, 92);
    }
}
