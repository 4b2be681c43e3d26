//! Threshold GAS, MDMS–gateway authentication phase (§4.4).

use super::{
    GCM_NONCE_LEN, GCM_TAG_LEN, HASH_LEN, ID_LEN, METER_ENTRY_LEN, R_LEN, SCALAR_LEN, SID_LEN, fld,
    msg, parse, tag,
};
use crate::wire::tlv::{self, Writer};
use crate::wire::{Message, WireError, inherent_message_methods};

pub const MG_ACCESS_REQUEST: u8 = 0x70;
pub const MG_METER_POINT: u8 = 0x71;
pub const MG_AGGREGATE: u8 = 0x72;
pub const MG_SESSION_MDMS: u8 = 0x73;
pub const MG_SESSION_GATEWAY: u8 = 0x74;
pub const MG_AUTH: u8 = 0x75;

/// Plaintext of E_k: SID ‖ x_s ‖ y_s.
pub const SESSION_PT_LEN: usize = SID_LEN + 2 * SCALAR_LEN;
/// E_k ciphertext including the GCM tag.
pub const SESSION_CT_LEN: usize = SESSION_PT_LEN + GCM_TAG_LEN;

/// One smart meter's point P_t = (x, y) with its identifier.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct MeterEntry {
    pub id: u64,
    pub x: [u8; SCALAR_LEN],
    pub y: [u8; SCALAR_LEN],
}

impl MeterEntry {
    fn bytes(&self) -> [u8; METER_ENTRY_LEN] {
        let mut b = [0u8; METER_ENTRY_LEN];
        b[..ID_LEN].copy_from_slice(&self.id.to_be_bytes());
        b[ID_LEN..ID_LEN + SCALAR_LEN].copy_from_slice(&self.x);
        b[ID_LEN + SCALAR_LEN..].copy_from_slice(&self.y);
        b
    }
    fn parse(f: tlv::Field<'_>) -> Result<Self, WireError> {
        let b: &[u8; METER_ENTRY_LEN] = f
            .value
            .try_into()
            .map_err(|_| WireError::new(f.offset, "meter point", "wrong length"))?;
        let mut id = [0u8; ID_LEN];
        id.copy_from_slice(&b[..ID_LEN]);
        let mut x = [0u8; SCALAR_LEN];
        x.copy_from_slice(&b[ID_LEN..ID_LEN + SCALAR_LEN]);
        let mut y = [0u8; SCALAR_LEN];
        y.copy_from_slice(&b[ID_LEN + SCALAR_LEN..]);
        Ok(Self {
            id: u64::from_be_bytes(id),
            x,
            y,
        })
    }
}

/// Step 1, MDMS → gateway (and forwarded unchanged, gateway → smart meters):
/// SID ‖ ID_MDMS.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct MgAccessRequest {
    pub sid: u64,
    pub id_mdms: u64,
}

impl MgAccessRequest {
    pub const KIND: &'static str = "MgAccessRequest";
    pub const LEN: usize = msg(fld(SID_LEN) + fld(ID_LEN));
}

impl Message for MgAccessRequest {
    fn kind(&self) -> &'static str {
        Self::KIND
    }
    fn encoded_len(&self) -> usize {
        Self::LEN
    }
    fn encode_into(&self, out: &mut Vec<u8>) {
        Writer::begin(out, MG_ACCESS_REQUEST)
            .u64(tag::SID, self.sid)
            .u64(tag::ID_MDMS, self.id_mdms)
            .finish();
    }
    fn decode(pdu: &[u8]) -> Result<Self, WireError> {
        let mut m = parse(pdu, MG_ACCESS_REQUEST, Self::KIND)?;
        let sid = m.take_u64(tag::SID, "SID")?;
        let id_mdms = m.take_u64(tag::ID_MDMS, "ID_MDMS")?;
        m.finish()?;
        Ok(Self { sid, id_mdms })
    }
}

/// Step 2 (paper eq. 5), smart meter → gateway: SID ‖ (ID_S, P_t).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct MgMeterPoint {
    pub sid: u64,
    pub entry: MeterEntry,
}

impl MgMeterPoint {
    pub const KIND: &'static str = "MgMeterPoint";
    pub const LEN: usize = msg(fld(SID_LEN) + fld(METER_ENTRY_LEN));
}

impl Message for MgMeterPoint {
    fn kind(&self) -> &'static str {
        Self::KIND
    }
    fn encoded_len(&self) -> usize {
        Self::LEN
    }
    fn encode_into(&self, out: &mut Vec<u8>) {
        Writer::begin(out, MG_METER_POINT)
            .u64(tag::SID, self.sid)
            .field(tag::METER, &self.entry.bytes())
            .finish();
    }
    fn decode(pdu: &[u8]) -> Result<Self, WireError> {
        let mut m = parse(pdu, MG_METER_POINT, Self::KIND)?;
        let sid = m.take_u64(tag::SID, "SID")?;
        let entry = MeterEntry::parse(m.take(tag::METER, "meter point")?)?;
        m.finish()?;
        Ok(Self { sid, entry })
    }
}

/// Step 3 (paper eq. 6 plus ID_GW), gateway → MDMS, forwarded unchanged
/// MDMS → auth server: SID ‖ ID_MDMS ‖ ID_GW ‖ (ID_S, P_t) × u.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct MgAggregate {
    pub sid: u64,
    pub id_mdms: u64,
    pub id_gw: u64,
    pub entries: Vec<MeterEntry>,
}

impl MgAggregate {
    pub const KIND: &'static str = "MgAggregate";
    /// Encoded length for u meters.
    pub const fn len(u: usize) -> usize {
        msg(fld(SID_LEN) + fld(ID_LEN) + fld(ID_LEN) + u * fld(METER_ENTRY_LEN))
    }
    /// Most meters one aggregate can carry (TLV message length is 16 bits).
    pub const MAX_METERS: usize =
        (u16::MAX as usize - (Self::len(0) - tlv::HEADER_LEN)) / fld(METER_ENTRY_LEN);
}

impl Message for MgAggregate {
    fn kind(&self) -> &'static str {
        Self::KIND
    }
    fn encoded_len(&self) -> usize {
        Self::len(self.entries.len())
    }
    fn encode_into(&self, out: &mut Vec<u8>) {
        let mut w = Writer::begin(out, MG_AGGREGATE)
            .u64(tag::SID, self.sid)
            .u64(tag::ID_MDMS, self.id_mdms)
            .u64(tag::ID_GW, self.id_gw);
        for e in &self.entries {
            w = w.field(tag::METER, &e.bytes());
        }
        w.finish();
    }
    fn decode(pdu: &[u8]) -> Result<Self, WireError> {
        let mut m = parse(pdu, MG_AGGREGATE, Self::KIND)?;
        let sid = m.take_u64(tag::SID, "SID")?;
        let id_mdms = m.take_u64(tag::ID_MDMS, "ID_MDMS")?;
        let id_gw = m.take_u64(tag::ID_GW, "ID_GW")?;
        let mut entries = vec![MeterEntry::parse(m.take(tag::METER, "meter point")?)?];
        while let Some(f) = m.take_opt(tag::METER) {
            entries.push(MeterEntry::parse(f)?);
        }
        m.finish()?;
        Ok(Self {
            sid,
            id_mdms,
            id_gw,
            entries,
        })
    }
}

/// Step 5, auth server → MDMS: SID ‖ GCM nonce ‖ E_k(SID ‖ x_s ‖ y_s) ‖ tag.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct MgSessionMdms {
    pub sid: u64,
    pub nonce: [u8; GCM_NONCE_LEN],
    pub ciphertext: [u8; SESSION_CT_LEN],
}

impl MgSessionMdms {
    pub const KIND: &'static str = "MgSessionMdms";
    pub const LEN: usize = msg(fld(SID_LEN) + fld(GCM_NONCE_LEN) + fld(SESSION_CT_LEN));
}

impl Message for MgSessionMdms {
    fn kind(&self) -> &'static str {
        Self::KIND
    }
    fn encoded_len(&self) -> usize {
        Self::LEN
    }
    fn encode_into(&self, out: &mut Vec<u8>) {
        Writer::begin(out, MG_SESSION_MDMS)
            .u64(tag::SID, self.sid)
            .field(tag::NONCE, &self.nonce)
            .field(tag::CIPHERTEXT, &self.ciphertext)
            .finish();
    }
    fn decode(pdu: &[u8]) -> Result<Self, WireError> {
        let mut m = parse(pdu, MG_SESSION_MDMS, Self::KIND)?;
        let sid = m.take_u64(tag::SID, "SID")?;
        let nonce = m.take_array(tag::NONCE, "GCM nonce")?;
        let ciphertext = m.take_array(tag::CIPHERTEXT, "E_k(SID, P_s)")?;
        m.finish()?;
        Ok(Self {
            sid,
            nonce,
            ciphertext,
        })
    }
}

/// Step 5, auth server → gateway: SID ‖ R.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct MgSessionGateway {
    pub sid: u64,
    pub r: [u8; R_LEN],
}

impl MgSessionGateway {
    pub const KIND: &'static str = "MgSessionGateway";
    pub const LEN: usize = msg(fld(SID_LEN) + fld(R_LEN));
}

impl Message for MgSessionGateway {
    fn kind(&self) -> &'static str {
        Self::KIND
    }
    fn encoded_len(&self) -> usize {
        Self::LEN
    }
    fn encode_into(&self, out: &mut Vec<u8>) {
        Writer::begin(out, MG_SESSION_GATEWAY)
            .u64(tag::SID, self.sid)
            .field(tag::RAND, &self.r)
            .finish();
    }
    fn decode(pdu: &[u8]) -> Result<Self, WireError> {
        let mut m = parse(pdu, MG_SESSION_GATEWAY, Self::KIND)?;
        let sid = m.take_u64(tag::SID, "SID")?;
        let r = m.take_array(tag::RAND, "R")?;
        m.finish()?;
        Ok(Self { sid, r })
    }
}

/// Step 8, gateway → MDMS: SID ‖ AUTH'.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct MgAuth {
    pub sid: u64,
    pub auth: [u8; HASH_LEN],
}

impl MgAuth {
    pub const KIND: &'static str = "MgAuth";
    pub const LEN: usize = msg(fld(SID_LEN) + fld(HASH_LEN));
}

impl Message for MgAuth {
    fn kind(&self) -> &'static str {
        Self::KIND
    }
    fn encoded_len(&self) -> usize {
        Self::LEN
    }
    fn encode_into(&self, out: &mut Vec<u8>) {
        Writer::begin(out, MG_AUTH)
            .u64(tag::SID, self.sid)
            .field(tag::HASH, &self.auth)
            .finish();
    }
    fn decode(pdu: &[u8]) -> Result<Self, WireError> {
        let mut m = parse(pdu, MG_AUTH, Self::KIND)?;
        let sid = m.take_u64(tag::SID, "SID")?;
        let auth = m.take_array(tag::HASH, "AUTH'")?;
        m.finish()?;
        Ok(Self { sid, auth })
    }
}

/// AAD of E_k: SID ‖ ID_MDMS.
pub fn session_aad(sid: u64, id_mdms: u64) -> [u8; SID_LEN + ID_LEN] {
    let mut a = [0u8; SID_LEN + ID_LEN];
    a[..SID_LEN].copy_from_slice(&sid.to_be_bytes());
    a[SID_LEN..].copy_from_slice(&id_mdms.to_be_bytes());
    a
}

inherent_message_methods!(
    MgAccessRequest,
    MgMeterPoint,
    MgAggregate,
    MgSessionMdms,
    MgSessionGateway,
    MgAuth
);

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_aggregate_needs_a_meter() {
        let empty = MgAggregate {
            sid: 1,
            id_mdms: 2,
            id_gw: 9,
            entries: vec![],
        }
        .encode();
        assert!(MgAggregate::decode(&empty).is_err());
    }

    #[test]
    fn sizes_match_the_documented_octets() {
        assert_eq!(MgAccessRequest::LEN, 26);
        assert_eq!(MgMeterPoint::LEN, 90);
        assert_eq!(MgAggregate::len(1), 112);
        assert_eq!(MgSessionMdms::LEN, 121);
        assert_eq!(MgSessionGateway::LEN, 34);
        assert_eq!(MgAuth::LEN, 50);
        let max = MgAggregate::len(MgAggregate::MAX_METERS);
        assert!(max - tlv::HEADER_LEN <= u16::MAX as usize);
        assert!(
            MgAggregate::len(MgAggregate::MAX_METERS + 1) - tlv::HEADER_LEN > u16::MAX as usize
        );
    }
}
