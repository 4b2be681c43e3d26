//! Threshold GAS, nodes–smart meter phase (§4.2) and group session key
//! distribution (§4.3).

use super::{
    GCM_NONCE_LEN, GCM_TAG_LEN, HASH_LEN, HT_NONCE_LEN, ID_LEN, POINT_LEN, SID_LEN, fld, msg,
    pack_ids, parse, tag, take_ids,
};
use crate::wire::tlv::Writer;
use crate::wire::{Message, WireError, inherent_message_methods};

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
}

impl Message for GaRequest {
    fn kind(&self) -> &'static str {
        Self::KIND
    }
    fn encoded_len(&self) -> usize {
        Self::LEN
    }
    fn encode_into(&self, out: &mut Vec<u8>) {
        Writer::begin(out, GA_REQUEST)
            .u64(tag::SID, self.sid)
            .finish();
    }
    fn decode(pdu: &[u8]) -> Result<Self, WireError> {
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
}

impl Message for GaJoin {
    fn kind(&self) -> &'static str {
        Self::KIND
    }
    fn encoded_len(&self) -> usize {
        Self::LEN
    }
    fn encode_into(&self, out: &mut Vec<u8>) {
        Writer::begin(out, GA_JOIN)
            .u64(tag::SID, self.sid)
            .u64(tag::ID, self.id)
            .finish();
    }
    fn decode(pdu: &[u8]) -> Result<Self, WireError> {
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
}

impl Message for GaChallenge {
    fn kind(&self) -> &'static str {
        Self::KIND
    }
    fn encoded_len(&self) -> usize {
        Self::len(self.ids.len())
    }
    fn encode_into(&self, out: &mut Vec<u8>) {
        Writer::begin(out, GA_CHALLENGE)
            .u64(tag::SID, self.sid)
            .field(tag::NONCE, &self.nonce)
            .field(tag::POINT, &self.point)
            .field(tag::IDS, &pack_ids(&self.ids))
            .finish();
    }
    fn decode(pdu: &[u8]) -> Result<Self, WireError> {
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
}

impl Message for GaToken {
    fn kind(&self) -> &'static str {
        Self::KIND
    }
    fn encoded_len(&self) -> usize {
        Self::LEN
    }
    fn encode_into(&self, out: &mut Vec<u8>) {
        Writer::begin(out, GA_TOKEN)
            .u64(tag::SID, self.sid)
            .u64(tag::ID, self.id)
            .field(tag::HASH, &self.v)
            .field(tag::POINT, &self.token)
            .finish();
    }
    fn decode(pdu: &[u8]) -> Result<Self, WireError> {
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
}

impl Message for GskDelivery {
    fn kind(&self) -> &'static str {
        Self::KIND
    }
    fn encoded_len(&self) -> usize {
        Self::LEN
    }
    fn encode_into(&self, out: &mut Vec<u8>) {
        Writer::begin(out, GSK_DELIVERY)
            .u64(tag::SID, self.sid)
            .u64(tag::ID, self.id)
            .field(tag::NONCE, &self.nonce)
            .field(tag::CIPHERTEXT, &self.ciphertext)
            .finish();
    }
    fn decode(pdu: &[u8]) -> Result<Self, WireError> {
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

inherent_message_methods!(GaRequest, GaJoin, GaChallenge, GaToken, GskDelivery);

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sizes_match_the_documented_octets() {
        assert_eq!(GaRequest::LEN, 15);
        assert_eq!(GaJoin::LEN, 26);
        assert_eq!(GaChallenge::len(1), 81);
        assert_eq!(GaToken::LEN, 97);
        assert_eq!(GskDelivery::LEN, 92);
    }
}
