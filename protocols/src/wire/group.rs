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

use super::diameter::avp::{self, AvpDef, AvpRef, padded_len};
use super::diameter::{
    self, AuthenticationInformationAnswer, AuthenticationInformationRequest, Header,
};
use super::nas::{self, AuthenticationRequest, NasMessage};
use super::{Message, Reader, WireError, delegate_to_variants, inherent_message_methods};

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

/// A vendor AVP of this extension: M bit clear, so standard nodes skip it.
const fn vendor_def(code: u32, name: &'static str, grouped: bool) -> AvpDef {
    AvpDef {
        code,
        vendor: Some(VENDOR_AUTHSIM),
        name,
        grouped,
        mandatory: false,
    }
}

pub const GROUP_ID: AvpDef = vendor_def(avp_code::GROUP_ID, "Group-Id", false);
pub const GROUP_AUTHENTICATION_INFO: AvpDef = vendor_def(
    avp_code::GROUP_AUTHENTICATION_INFO,
    "Group-Authentication-Info",
    true,
);
pub const RAND_G: AvpDef = vendor_def(avp_code::RAND_G, "RAND-G", false);
pub const GAK: AvpDef = vendor_def(avp_code::GAK, "GAK", false);
pub const GROUP_SQN_START: AvpDef = vendor_def(avp_code::GROUP_SQN_START, "Group-SQN-Start", false);
pub const GROUP_SQN_COUNT: AvpDef = vendor_def(avp_code::GROUP_SQN_COUNT, "Group-SQN-Count", false);
pub const GROUP_MEMBER_FIRST: AvpDef =
    vendor_def(avp_code::GROUP_MEMBER_FIRST, "Group-Member-First", false);
pub const GROUP_MEMBER_COUNT: AvpDef =
    vendor_def(avp_code::GROUP_MEMBER_COUNT, "Group-Member-Count", false);
pub const GAK_LIFETIME: AvpDef = vendor_def(avp_code::GAK_LIFETIME, "GAK-Lifetime", false);

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
            "optional IE",
            "only the group identity (0x3f) is modelled",
        ));
    }
    let at = r.offset();
    if r.u8("group identity length")? != 4 {
        return Err(WireError::new(at, "group identity", "length is not 4"));
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

impl Message for GroupAuthenticationRequest {
    fn kind(&self) -> &'static str {
        KIND_GROUP_AUTHENTICATION_REQUEST
    }

    fn encoded_len(&self) -> usize {
        GROUP_AUTH_REQUEST_LEN
    }

    fn encode_into(&self, out: &mut Vec<u8>) {
        NasMessage::AuthenticationRequest(AuthenticationRequest {
            nas_ksi: self.nas_ksi,
            rand: self.rand,
            autn: self.autn,
        })
        .encode_into(out);
        out.extend_from_slice(&[IEI_RAND_G, 16]);
        out.extend_from_slice(&self.rand_g);
    }

    fn decode(pdu: &[u8]) -> Result<Self, WireError> {
        if pdu.len() < AUTH_REQUEST_LEN {
            return Err(WireError::new(
                pdu.len(),
                "group authentication request",
                "shorter than 54 octets",
            ));
        }
        let NasMessage::AuthenticationRequest(base) = NasMessage::decode(&pdu[..AUTH_REQUEST_LEN])?
        else {
            return Err(WireError::new(
                1,
                "message type",
                "not an authentication request",
            ));
        };
        let mut r = Reader::with_base(&pdu[AUTH_REQUEST_LEN..], AUTH_REQUEST_LEN);
        if r.u8("RAND_G IEI")? != IEI_RAND_G {
            return Err(WireError::new(AUTH_REQUEST_LEN, "RAND_G IEI", "not 0x3e"));
        }
        let at = r.offset();
        if r.u8("RAND_G length")? != 16 {
            return Err(WireError::new(at, "RAND_G", "length is not 16"));
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

impl Message for GroupNas {
    delegate_to_variants!(GroupAuthenticationRequest, Emm);

    /// A plain authentication request longer than 36 octets is the group
    /// challenge; anything else is decoded as a standard EMM PDU.
    fn decode(pdu: &[u8]) -> Result<Self, WireError> {
        if pdu.len() > AUTH_REQUEST_LEN
            && pdu[..2] == [nas::PD_EMM, nas::msg_type::AUTHENTICATION_REQUEST]
        {
            GroupAuthenticationRequest::decode(pdu).map(Self::GroupAuthenticationRequest)
        } else {
            nas::Nas::decode(pdu).map(Self::Emm)
        }
    }
}

/// Decodes a NAS PDU of group AKA ([`GroupNas::decode`]).
pub fn decode_nas(pdu: &[u8]) -> Result<GroupNas, WireError> {
    GroupNas::decode(pdu)
}

// ---- S6a ----

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
    /// Padded octets of the Group-Authentication-Info AVP.
    const ENCODED_LEN: usize = padded_len(
        GROUP_AUTHENTICATION_INFO,
        padded_len(GROUP_ID, 4)
            + padded_len(RAND_G, 16)
            + padded_len(GAK, 32)
            + padded_len(GROUP_SQN_START, 8)
            + padded_len(GROUP_SQN_COUNT, 4)
            + padded_len(GROUP_MEMBER_FIRST, 4)
            + padded_len(GROUP_MEMBER_COUNT, 4)
            + padded_len(GAK_LIFETIME, 4),
    );

    fn put(&self, out: &mut Vec<u8>) {
        let g = avp::begin_group(out, GROUP_AUTHENTICATION_INFO);
        avp::put_u32(out, GROUP_ID, self.group_id);
        avp::put_octets(out, RAND_G, &self.rand_g);
        avp::put_octets(out, GAK, &self.gak);
        avp::put_u64(out, GROUP_SQN_START, self.sqn_start);
        avp::put_u32(out, GROUP_SQN_COUNT, self.sqn_count);
        avp::put_u32(out, GROUP_MEMBER_FIRST, self.member_first);
        avp::put_u32(out, GROUP_MEMBER_COUNT, self.member_count);
        avp::put_u32(out, GAK_LIFETIME, self.lifetime_s);
        avp::end_group(out, g);
    }

    /// Parses the Grouped AVP; every child must be present exactly once, in
    /// any order; unknown children with the M bit clear are skipped.
    pub fn from_ref(a: &AvpRef<'_>) -> Result<Self, WireError> {
        let children = a.children()?;
        let end = a.data_offset + a.data.len();
        let one = |def: AvpDef| -> Result<AvpRef<'_>, WireError> {
            let mut it = children.iter().filter(|c| c.is(def));
            let first = it.next().ok_or(WireError::new(
                end,
                def.name,
                "missing in Group-Authentication-Info",
            ))?;
            if let Some(dup) = it.next() {
                return Err(WireError::new(
                    dup.offset,
                    def.name,
                    "occurs more than once",
                ));
            }
            Ok(*first)
        };
        // Codes 1..=9 of the vendor are this extension's; others with M fail.
        if let Some(c) = children.iter().find(|c| {
            c.mandatory && !(c.vendor == Some(VENDOR_AUTHSIM) && (1..=9).contains(&c.code))
        }) {
            return Err(WireError::new(
                c.offset,
                GROUP_AUTHENTICATION_INFO.name,
                "unknown AVP with the M bit set",
            ));
        }
        let u32_of = |def: AvpDef| one(def)?.u32(def.name);
        Ok(Self {
            group_id: u32_of(GROUP_ID)?,
            rand_g: one(RAND_G)?.array(RAND_G.name)?,
            gak: one(GAK)?.array(GAK.name)?,
            sqn_start: one(GROUP_SQN_START)?.u64(GROUP_SQN_START.name)?,
            sqn_count: u32_of(GROUP_SQN_COUNT)?,
            member_first: u32_of(GROUP_MEMBER_FIRST)?,
            member_count: u32_of(GROUP_MEMBER_COUNT)?,
            lifetime_s: u32_of(GAK_LIFETIME)?,
        })
    }
}

/// An AIR of group AKA: the standard AIR and, to ask for group material, the
/// Group-Id AVP after the standard AVPs (the `*[ AVP ]` position of the
/// TS 29.272 ABNF).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct GroupAir {
    pub air: AuthenticationInformationRequest,
    pub group_id: Option<u32>,
}

impl Message for GroupAir {
    fn kind(&self) -> &'static str {
        self.air.kind()
    }

    fn encoded_len(&self) -> usize {
        air_len(&self.air, self.group_id)
    }

    fn encode_into(&self, out: &mut Vec<u8>) {
        encode_air_into(out, &self.air, self.group_id)
    }

    fn decode(pdu: &[u8]) -> Result<Self, WireError> {
        let air = AuthenticationInformationRequest::decode(pdu)?;
        let group_id = find_top_level(pdu, GROUP_ID)?
            .map(|a| a.u32(GROUP_ID.name))
            .transpose()?;
        Ok(Self { air, group_id })
    }
}

/// An AIA of group AKA: the standard AIA and, when the HSS grants group
/// material, Group-Authentication-Info after the standard AVPs.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct GroupAia {
    pub aia: AuthenticationInformationAnswer,
    pub info: Option<GroupAuthInfo>,
}

impl Message for GroupAia {
    fn kind(&self) -> &'static str {
        self.aia.kind()
    }

    fn encoded_len(&self) -> usize {
        aia_len(&self.aia, self.info.as_ref())
    }

    fn encode_into(&self, out: &mut Vec<u8>) {
        encode_aia_into(out, &self.aia, self.info.as_ref())
    }

    fn decode(pdu: &[u8]) -> Result<Self, WireError> {
        let aia = AuthenticationInformationAnswer::decode(pdu)?;
        let info = find_top_level(pdu, GROUP_AUTHENTICATION_INFO)?
            .map(|a| GroupAuthInfo::from_ref(&a))
            .transpose()?;
        Ok(Self { aia, info })
    }
}

inherent_message_methods!(GroupAuthenticationRequest, GroupNas, GroupAir, GroupAia);

fn air_len(air: &AuthenticationInformationRequest, group_id: Option<u32>) -> usize {
    air.encoded_len() + group_id.map_or(0, |_| padded_len(GROUP_ID, 4))
}

fn aia_len(aia: &AuthenticationInformationAnswer, info: Option<&GroupAuthInfo>) -> usize {
    aia.encoded_len() + info.map_or(0, |_| GroupAuthInfo::ENCODED_LEN)
}

fn encode_air_into(
    out: &mut Vec<u8>,
    air: &AuthenticationInformationRequest,
    group_id: Option<u32>,
) {
    let start = out.len();
    air.encode_into(out);
    if let Some(id) = group_id {
        avp::put_u32(out, GROUP_ID, id);
        Header::finish(out, start);
    }
}

fn encode_aia_into(
    out: &mut Vec<u8>,
    aia: &AuthenticationInformationAnswer,
    info: Option<&GroupAuthInfo>,
) {
    let start = out.len();
    aia.encode_into(out);
    if let Some(info) = info {
        info.put(out);
        Header::finish(out, start);
    }
}

/// Encodes an AIR, with the Group-Id AVP when `group_id` is given
/// ([`GroupAir`] without owning the AIR).
pub fn encode_air(air: &AuthenticationInformationRequest, group_id: Option<u32>) -> Vec<u8> {
    let mut out = Vec::with_capacity(air_len(air, group_id));
    encode_air_into(&mut out, air, group_id);
    out
}

/// Encodes an AIA, with Group-Authentication-Info when `info` is given
/// ([`GroupAia`] without owning the AIA).
pub fn encode_aia(aia: &AuthenticationInformationAnswer, info: Option<&GroupAuthInfo>) -> Vec<u8> {
    let mut out = Vec::with_capacity(aia_len(aia, info));
    encode_aia_into(&mut out, aia, info);
    out
}

/// The top-level vendor AVP `def` of a Diameter PDU, if present once.
fn find_top_level(pdu: &[u8], def: AvpDef) -> Result<Option<AvpRef<'_>>, WireError> {
    let (_, refs) = diameter::decode_refs(pdu)?;
    let mut it = refs.into_iter().filter(|a| a.is(def));
    let first = it.next();
    if let Some(dup) = it.next() {
        return Err(WireError::new(
            dup.offset,
            def.name,
            "occurs more than once",
        ));
    }
    Ok(first)
}

/// The standard AIR and its Group-Id, if any ([`GroupAir::decode`]).
pub fn decode_air(
    pdu: &[u8],
) -> Result<(AuthenticationInformationRequest, Option<u32>), WireError> {
    GroupAir::decode(pdu).map(|g| (g.air, g.group_id))
}

/// The standard AIA and its Group-Authentication-Info, if any
/// ([`GroupAia::decode`]).
pub fn decode_aia(
    pdu: &[u8],
) -> Result<(AuthenticationInformationAnswer, Option<GroupAuthInfo>), WireError> {
    GroupAia::decode(pdu).map(|g| (g.aia, g.info))
}

#[cfg(test)]
pub(super) mod tests;
