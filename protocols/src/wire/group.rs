//! Wire extensions of group AKA for MTC (Lai et al. 2012 §3.1, as refined in
//! docs/protocols/group-aka.md): one NAS IE in the Attach request, one NAS IE
//! appended to the standard Authentication request, and vendor-specific AVPs
//! in the S6a AIR/AIA. Everything else is the unchanged EPS encoding.
//!
//! **NAS** (TS 24.301 formats, TS 24.007 §11.2.1.1 TLV IEs):
//! - *Group identity* IE, IEI 0x3F, TLV, value = group id (4 octets, big-endian),
//!   6 octets in all, sent as the only IE of the Attach request's
//!   non-imperative part (24 + 6 = 30 octets with a 15-digit IMSI).
//! - *Group authentication request*: the 36-octet AUTHENTICATION REQUEST
//!   (§8.2.7) followed by the *group authentication parameter RAND_G* IE,
//!   IEI 0x3E, TLV, 16 octets: 54 octets. The message type stays 0x52; a UE
//!   that does not know the IE ignores it (TS 24.301 §7.6.1) and then fails
//!   the MAC check, since MAC_i is not made with its own K.
//!
//! Neither IEI is assigned in the corresponding TS 24.301 message tables
//! (checked against Rel-17); they would need a 3GPP allocation to deploy.
//!
//! **S6a** (RFC 6733 AVP format): vendor-specific AVPs with Vendor-Id 32473,
//! the IANA private enterprise number reserved for documentation (RFC 5612),
//! all with the M bit clear so that a standard HSS or MME skips them
//! (RFC 6733 §4.1; the S6a decoders here do the same):
//!
//! | Code | Name | Type | Where |
//! |---|---|---|---|
//! | 1 | Group-Id | Unsigned32 | AIR: ask for group material; inside Group-Authentication-Info |
//! | 2 | Group-Authentication-Info | Grouped | AIA |
//! | 3 | RAND-G | OctetString (16) | in 2 |
//! | 4 | GAK | OctetString (32) | in 2 |
//! | 5 | Group-SQN-Start | Unsigned64 | in 2: the MME may use SQN_G = start + 1 ..= start + count |
//! | 6 | Group-SQN-Count | Unsigned32 | in 2 |
//! | 7 | Group-Member-First | Unsigned32 | in 2: member list as an IMSI index range |
//! | 8 | Group-Member-Count | Unsigned32 | in 2 |
//! | 9 | GAK-Lifetime | Unsigned32 (seconds) | in 2 |
//!
//! A refused group request is answered with Experimental-Result {Vendor-Id
//! 32473, [`RESULT_GROUP_MEMBERSHIP_DENIED`]}.
//!
//! The AIR with Group-Id is 16 octets longer than the plain AIR; the AIA with
//! Group-Authentication-Info 184 octets longer than the plain AIA.

use super::diameter::avp::{Avp, AvpData, AvpRef};
use super::diameter::{
    self, APP_ID_S6A, AuthenticationInformationAnswer, AuthenticationInformationRequest,
    CMD_AUTHENTICATION_INFORMATION, Header, Message,
};
use super::nas::{self, AuthenticationRequest, NasMessage};
use super::{Reader, WireError};

/// IANA private enterprise number reserved for documentation (RFC 5612).
pub const VENDOR_AUTHSIM: u32 = 32473;
/// Experimental-Result-Code (vendor [`VENDOR_AUTHSIM`]): the subscriber is
/// not a member of the requested group, or the group is unknown.
pub const RESULT_GROUP_MEMBERSHIP_DENIED: u32 = 5901;

/// IEI of the Group identity IE in the Attach request.
pub const IEI_GROUP_IDENTITY: u8 = 0x3f;
/// IEI of the RAND_G IE appended to the Authentication request.
pub const IEI_RAND_G: u8 = 0x3e;
/// Octets of the standard Authentication request.
const AUTH_REQUEST_LEN: usize = 36;
/// Octets of the group authentication request.
pub const GROUP_AUTH_REQUEST_LEN: usize = AUTH_REQUEST_LEN + 2 + 16;

/// Label of the group authentication request for metrics.
pub const KIND_GROUP_AUTHENTICATION_REQUEST: &str = "GroupAuthenticationRequest";

/// AVP codes (vendor [`VENDOR_AUTHSIM`]).
pub mod avp_code {
    pub const GROUP_ID: u32 = 1;
    pub const GROUP_AUTHENTICATION_INFO: u32 = 2;
    pub const RAND_G: u32 = 3;
    pub const GAK: u32 = 4;
    pub const GROUP_SQN_START: u32 = 5;
    pub const GROUP_SQN_COUNT: u32 = 6;
    pub const GROUP_MEMBER_FIRST: u32 = 7;
    pub const GROUP_MEMBER_COUNT: u32 = 8;
    pub const GAK_LIFETIME: u32 = 9;
}

// ---- NAS ----

/// The Attach request's non-imperative part carrying the Group identity IE.
pub fn group_identity_ie(group_id: u32) -> Vec<u8> {
    let mut v = vec![IEI_GROUP_IDENTITY, 4];
    v.extend_from_slice(&group_id.to_be_bytes());
    v
}

/// The group id from an Attach request's non-imperative part: `None` if it
/// is empty; an error unless it is exactly one Group identity IE. `base` is
/// the PDU offset of `optional_ies[0]`.
pub fn parse_group_identity(optional_ies: &[u8], base: usize) -> Result<Option<u32>, WireError> {
    if optional_ies.is_empty() {
        return Ok(None);
    }
    let mut r = Reader::with_base(optional_ies, base);
    let iei = r.u8("IEI")?;
    if iei != IEI_GROUP_IDENTITY {
        return Err(WireError::new(
            base,
            format!("optional IE {iei:#04x}: only the group identity (0x3f) is modelled"),
        ));
    }
    let at = r.offset();
    let len = r.u8("group identity length")?;
    if len != 4 {
        return Err(WireError::new(
            at,
            format!("group identity: length {len}, expected 4"),
        ));
    }
    let id = r.u32("group id")?;
    r.finish("group identity")?;
    Ok(Some(id))
}

/// AUTHENTICATION REQUEST with the RAND_G IE: the challenge of one group member.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct GroupAuthenticationRequest {
    pub nas_ksi: u8,
    /// RAND_i, fresh for this member.
    pub rand: [u8; 16],
    /// AUTN_i = (SQN_G ⊕ AK_i) ‖ AMF ‖ MAC_i.
    pub autn: [u8; 16],
    /// The group randomness from which the member derives GAK.
    pub rand_g: [u8; 16],
}

impl GroupAuthenticationRequest {
    pub fn encode(&self) -> Vec<u8> {
        let mut out = NasMessage::AuthenticationRequest(AuthenticationRequest {
            nas_ksi: self.nas_ksi,
            rand: self.rand,
            autn: self.autn,
        })
        .encode();
        out.extend_from_slice(&[IEI_RAND_G, 16]);
        out.extend_from_slice(&self.rand_g);
        out
    }

    pub fn decode(pdu: &[u8]) -> Result<Self, WireError> {
        if pdu.len() < AUTH_REQUEST_LEN {
            return Err(WireError::new(
                pdu.len(),
                format!(
                    "group authentication request: {} octets, expected 54",
                    pdu.len()
                ),
            ));
        }
        let NasMessage::AuthenticationRequest(base) = NasMessage::decode(&pdu[..AUTH_REQUEST_LEN])?
        else {
            return Err(WireError::new(1, "not an authentication request"));
        };
        let mut r = Reader::with_base(&pdu[AUTH_REQUEST_LEN..], AUTH_REQUEST_LEN);
        let iei = r.u8("IEI")?;
        if iei != IEI_RAND_G {
            return Err(WireError::new(
                AUTH_REQUEST_LEN,
                format!("expected IEI 0x3e (RAND_G), found {iei:#04x}"),
            ));
        }
        let at = r.offset();
        let len = r.u8("RAND_G length")?;
        if len != 16 {
            return Err(WireError::new(
                at,
                format!("RAND_G: length {len}, expected 16"),
            ));
        }
        let rand_g = r.array::<16>("RAND_G")?;
        r.finish("group authentication request")?;
        Ok(Self {
            nas_ksi: base.nas_ksi,
            rand: base.rand,
            autn: base.autn,
            rand_g,
        })
    }
}

/// A NAS PDU of group AKA: the group challenge or any standard EMM PDU.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum GroupNas {
    GroupAuthenticationRequest(GroupAuthenticationRequest),
    Emm(nas::Nas),
}

impl GroupNas {
    pub fn kind(&self) -> &'static str {
        match self {
            Self::GroupAuthenticationRequest(_) => KIND_GROUP_AUTHENTICATION_REQUEST,
            Self::Emm(n) => n.kind(),
        }
    }

    pub fn encode(&self) -> Vec<u8> {
        match self {
            Self::GroupAuthenticationRequest(m) => m.encode(),
            Self::Emm(n) => n.encode(),
        }
    }
}

/// Decodes a plain authentication request longer than 36 octets as the group
/// challenge, anything else with [`nas::decode_any`].
pub fn decode_nas(pdu: &[u8]) -> Result<GroupNas, WireError> {
    if pdu.len() > AUTH_REQUEST_LEN
        && pdu[..2] == [nas::PD_EMM, nas::msg_type::AUTHENTICATION_REQUEST]
    {
        GroupAuthenticationRequest::decode(pdu).map(GroupNas::GroupAuthenticationRequest)
    } else {
        nas::decode_any(pdu).map(GroupNas::Emm)
    }
}

// ---- S6a ----

fn vendor_avp(code: u32, data: &[u8]) -> Avp {
    Avp {
        code,
        vendor: Some(VENDOR_AUTHSIM),
        mandatory: false,
        data: AvpData::Octets(data.to_vec()),
    }
}

/// The Group-Id AVP.
pub fn group_id_avp(group_id: u32) -> Avp {
    vendor_avp(avp_code::GROUP_ID, &group_id.to_be_bytes())
}

/// The group material an HSS hands to the MME (Group-Authentication-Info).
#[derive(Clone, PartialEq, Eq)]
pub struct GroupAuthInfo {
    pub group_id: u32,
    pub rand_g: [u8; 16],
    /// GAK = KDF(GK, RAND_G, group id).
    pub gak: [u8; 32],
    /// The MME may use SQN_G = sqn_start + 1 ..= sqn_start + sqn_count.
    pub sqn_start: u64,
    pub sqn_count: u32,
    /// Members: the subscriber indices member_first .. member_first + member_count.
    pub member_first: u32,
    pub member_count: u32,
    /// How long the MME may use GAK, in seconds.
    pub lifetime_s: u32,
}

impl Drop for GroupAuthInfo {
    fn drop(&mut self) {
        use zeroize::Zeroize;
        self.gak.zeroize();
    }
}

impl std::fmt::Debug for GroupAuthInfo {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("GroupAuthInfo")
            .field("group_id", &self.group_id)
            .field("rand_g", &hex::encode(self.rand_g))
            .field("sqn_start", &self.sqn_start)
            .field("sqn_count", &self.sqn_count)
            .field("member_first", &self.member_first)
            .field("member_count", &self.member_count)
            .field("lifetime_s", &self.lifetime_s)
            .finish_non_exhaustive()
    }
}

impl GroupAuthInfo {
    pub fn to_avp(&self) -> Avp {
        Avp {
            code: avp_code::GROUP_AUTHENTICATION_INFO,
            vendor: Some(VENDOR_AUTHSIM),
            mandatory: false,
            data: AvpData::Grouped(vec![
                group_id_avp(self.group_id),
                vendor_avp(avp_code::RAND_G, &self.rand_g),
                vendor_avp(avp_code::GAK, &self.gak),
                vendor_avp(avp_code::GROUP_SQN_START, &self.sqn_start.to_be_bytes()),
                vendor_avp(avp_code::GROUP_SQN_COUNT, &self.sqn_count.to_be_bytes()),
                vendor_avp(
                    avp_code::GROUP_MEMBER_FIRST,
                    &self.member_first.to_be_bytes(),
                ),
                vendor_avp(
                    avp_code::GROUP_MEMBER_COUNT,
                    &self.member_count.to_be_bytes(),
                ),
                vendor_avp(avp_code::GAK_LIFETIME, &self.lifetime_s.to_be_bytes()),
            ]),
        }
    }

    /// Parses the Grouped AVP; every child must be present exactly once, in
    /// any order; unknown children with the M bit clear are skipped.
    pub fn from_ref(a: &AvpRef<'_>) -> Result<Self, WireError> {
        let children = a.children()?;
        let end = a.data_offset + a.data.len();
        let one = |code: u32, name: &str| -> Result<AvpRef<'_>, WireError> {
            let mut it = children
                .iter()
                .filter(|c| c.code == code && c.vendor == Some(VENDOR_AUTHSIM));
            let first = it.next().ok_or_else(|| {
                WireError::new(end, format!("Group-Authentication-Info: missing {name}"))
            })?;
            if let Some(dup) = it.next() {
                return Err(WireError::new(
                    dup.offset,
                    format!("Group-Authentication-Info: {name} twice"),
                ));
            }
            Ok(*first)
        };
        if let Some(c) = children.iter().find(|c| {
            c.mandatory && !(c.vendor == Some(VENDOR_AUTHSIM) && (1..=9).contains(&c.code))
        }) {
            return Err(WireError::new(
                c.offset,
                format!(
                    "Group-Authentication-Info: unknown AVP {} with the M bit set",
                    c.code
                ),
            ));
        }
        let u32_of = |code, name| one(code, name)?.u32(name);
        Ok(Self {
            group_id: u32_of(avp_code::GROUP_ID, "Group-Id")?,
            rand_g: one(avp_code::RAND_G, "RAND-G")?.array("RAND-G")?,
            gak: one(avp_code::GAK, "GAK")?.array("GAK")?,
            sqn_start: u64::from_be_bytes(
                one(avp_code::GROUP_SQN_START, "Group-SQN-Start")?.array("Group-SQN-Start")?,
            ),
            sqn_count: u32_of(avp_code::GROUP_SQN_COUNT, "Group-SQN-Count")?,
            member_first: u32_of(avp_code::GROUP_MEMBER_FIRST, "Group-Member-First")?,
            member_count: u32_of(avp_code::GROUP_MEMBER_COUNT, "Group-Member-Count")?,
            lifetime_s: u32_of(avp_code::GAK_LIFETIME, "GAK-Lifetime")?,
        })
    }
}

fn header(request: bool, hop_by_hop: u32, end_to_end: u32) -> Header {
    Header {
        request,
        proxiable: true,
        error: false,
        retransmitted: false,
        command_code: CMD_AUTHENTICATION_INFORMATION,
        application_id: APP_ID_S6A,
        hop_by_hop,
        end_to_end,
    }
}

/// Encodes an AIR, with the Group-Id AVP after the standard AVPs (the
/// `*[ AVP ]` position of the TS 29.272 ABNF) when `group_id` is given.
pub fn encode_air(air: &AuthenticationInformationRequest, group_id: Option<u32>) -> Vec<u8> {
    let mut avps = air.avps();
    avps.extend(group_id.map(group_id_avp));
    Message {
        header: header(true, air.hop_by_hop, air.end_to_end),
        avps,
    }
    .encode()
}

/// Encodes an AIA, with Group-Authentication-Info after the standard AVPs
/// when `info` is given.
pub fn encode_aia(aia: &AuthenticationInformationAnswer, info: Option<&GroupAuthInfo>) -> Vec<u8> {
    let mut avps = aia.avps();
    avps.extend(info.map(GroupAuthInfo::to_avp));
    Message {
        header: header(false, aia.hop_by_hop, aia.end_to_end),
        avps,
    }
    .encode()
}

/// The top-level vendor AVP `code` of a Diameter PDU, if present once.
fn find_top_level<'a>(
    pdu: &'a [u8],
    code: u32,
    name: &str,
) -> Result<Option<AvpRef<'a>>, WireError> {
    let (_, refs) = diameter::decode_refs(pdu)?;
    let mut it = refs
        .into_iter()
        .filter(|a| a.code == code && a.vendor == Some(VENDOR_AUTHSIM));
    let first = it.next();
    if let Some(dup) = it.next() {
        return Err(WireError::new(
            dup.offset,
            format!("{name} occurs more than once"),
        ));
    }
    Ok(first)
}

/// The standard AIR and its Group-Id, if any.
pub fn decode_air(
    pdu: &[u8],
) -> Result<(AuthenticationInformationRequest, Option<u32>), WireError> {
    let air = AuthenticationInformationRequest::decode(pdu)?;
    let group = find_top_level(pdu, avp_code::GROUP_ID, "Group-Id")?
        .map(|a| a.u32("Group-Id"))
        .transpose()?;
    Ok((air, group))
}

/// The standard AIA and its Group-Authentication-Info, if any.
pub fn decode_aia(
    pdu: &[u8],
) -> Result<(AuthenticationInformationAnswer, Option<GroupAuthInfo>), WireError> {
    let aia = AuthenticationInformationAnswer::decode(pdu)?;
    let info = find_top_level(
        pdu,
        avp_code::GROUP_AUTHENTICATION_INFO,
        "Group-Authentication-Info",
    )?
    .map(|a| GroupAuthInfo::from_ref(&a))
    .transpose()?;
    Ok((aia, info))
}

#[cfg(test)]
mod tests;
