//! S6a Authentication-Information-Request / -Answer (TS 29.272 §7.2.5-6).
//!
//! Encoders write the AVPs in the order of the command ABNF; decoders accept
//! any order (Session-Id first, RFC 6733 §8.8), reject duplicates of
//! single-valued AVPs, skip unknown AVPs whose M bit is clear and reject
//! unknown AVPs whose M bit is set (RFC 6733 §4.1).

use super::avp::{self, Avp, AvpDef, AvpRef, VENDOR_3GPP};
use super::{APP_ID_S6A, CMD_AUTHENTICATION_INFORMATION, Header, decode_refs};
use crate::wire::WireError;

/// Auth-Session-State NO_STATE_MAINTAINED (RFC 6733 §8.11), the S6a value.
pub const NO_STATE_MAINTAINED: u32 = 1;

/// Vendor-Specific-Application-Id (RFC 6733 §6.11), optional in AIR/AIA.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct VendorSpecificApplicationId {
    pub vendor_id: u32,
    pub auth_application_id: u32,
}

impl VendorSpecificApplicationId {
    /// {Vendor-Id 10415, Auth-Application-Id 16777251}.
    pub const S6A: Self = Self {
        vendor_id: VENDOR_3GPP,
        auth_application_id: APP_ID_S6A,
    };
}

/// Requested-EUTRAN-Authentication-Info (§7.3.11) or
/// Requested-UTRAN-GERAN-Authentication-Info (§7.3.12): same children.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RequestedAuthInfo {
    /// Number-Of-Requested-Vectors (§7.3.14).
    pub number_of_requested_vectors: Option<u32>,
    /// Immediate-Response-Preferred (§7.3.16): presence is the signal; it is
    /// sent with value 1 (any value decodes as `true`).
    pub immediate_response_preferred: bool,
    /// Re-Synchronization-Info (§7.3.15): RAND || AUTS, after a synch failure.
    pub re_synchronization_info: Option<[u8; 30]>,
}

/// Authentication-Information-Request (§7.2.5): command 318, R and P set.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct AuthenticationInformationRequest {
    pub hop_by_hop: u32,
    pub end_to_end: u32,
    /// e.g. "mme.epc.mnc001.mcc001.3gppnetwork.org;1700000000;1;42".
    pub session_id: String,
    pub vendor_specific_application_id: Option<VendorSpecificApplicationId>,
    pub origin_host: String,
    pub origin_realm: String,
    pub destination_host: Option<String>,
    pub destination_realm: String,
    /// The IMSI as text.
    pub user_name: String,
    pub requested_eutran: Option<RequestedAuthInfo>,
    pub requested_utran_geran: Option<RequestedAuthInfo>,
    /// MCC/MNC as encoded in TS 24.008 §10.5.1.3 (§7.3.9).
    pub visited_plmn_id: [u8; 3],
}

/// Result of an answer: Result-Code (RFC 6733 §7.1) or Experimental-Result
/// (§7.6) with a vendor's result code (TS 29.272 §7.4).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum DiameterResult {
    Base(u32),
    Experimental { vendor_id: u32, code: u32 },
}

impl DiameterResult {
    pub const SUCCESS: Self = Self::Base(2001);
    pub const UNABLE_TO_COMPLY: Self = Self::Base(5012);
    pub const ERROR_USER_UNKNOWN: Self = Self::tgpp(5001);
    pub const ERROR_ROAMING_NOT_ALLOWED: Self = Self::tgpp(5004);
    pub const ERROR_UNKNOWN_EPS_SUBSCRIPTION: Self = Self::tgpp(5420);
    pub const AUTHENTICATION_DATA_UNAVAILABLE: Self = Self::tgpp(4181);

    const fn tgpp(code: u32) -> Self {
        Self::Experimental {
            vendor_id: VENDOR_3GPP,
            code,
        }
    }

    /// The result code, base or experimental.
    pub fn code(&self) -> u32 {
        match *self {
            Self::Base(code) | Self::Experimental { code, .. } => code,
        }
    }

    /// 2xxx codes (RFC 6733 §7.1.2).
    pub fn is_success(&self) -> bool {
        (2000..3000).contains(&self.code())
    }
}

/// E-UTRAN-Vector (§7.3.18).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct EutranVector {
    pub item_number: Option<u32>,
    pub rand: [u8; 16],
    /// 4..=16 octets.
    pub xres: Vec<u8>,
    pub autn: [u8; 16],
    pub kasme: [u8; 32],
}

/// UTRAN-Vector (§7.3.19).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct UtranVector {
    pub item_number: Option<u32>,
    pub rand: [u8; 16],
    /// 4..=16 octets.
    pub xres: Vec<u8>,
    pub autn: [u8; 16],
    pub ck: [u8; 16],
    pub ik: [u8; 16],
}

/// Authentication-Info (§7.3.17).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct AuthenticationInfo {
    pub eutran_vectors: Vec<EutranVector>,
    pub utran_vectors: Vec<UtranVector>,
}

/// Authentication-Information-Answer (§7.2.6): command 318, R clear, P set.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct AuthenticationInformationAnswer {
    /// Echoes the request's.
    pub hop_by_hop: u32,
    /// Echoes the request's.
    pub end_to_end: u32,
    /// Echoes the request's.
    pub session_id: String,
    pub vendor_specific_application_id: Option<VendorSpecificApplicationId>,
    pub result: DiameterResult,
    pub origin_host: String,
    pub origin_realm: String,
    pub authentication_info: Option<AuthenticationInfo>,
}

/// An S6a message this module models.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum S6aMessage {
    Air(AuthenticationInformationRequest),
    Aia(AuthenticationInformationAnswer),
}

// AVPs each context knows (RFC 6733 §4.1: unknown ones with M set fail).
const AIR_AVPS: &[AvpDef] = &[
    avp::SESSION_ID,
    avp::VENDOR_SPECIFIC_APPLICATION_ID,
    avp::AUTH_SESSION_STATE,
    avp::ORIGIN_HOST,
    avp::ORIGIN_REALM,
    avp::DESTINATION_HOST,
    avp::DESTINATION_REALM,
    avp::USER_NAME,
    avp::REQUESTED_EUTRAN_AUTHENTICATION_INFO,
    avp::REQUESTED_UTRAN_GERAN_AUTHENTICATION_INFO,
    avp::VISITED_PLMN_ID,
];
const AIA_AVPS: &[AvpDef] = &[
    avp::SESSION_ID,
    avp::VENDOR_SPECIFIC_APPLICATION_ID,
    avp::RESULT_CODE,
    avp::EXPERIMENTAL_RESULT,
    avp::AUTH_SESSION_STATE,
    avp::ORIGIN_HOST,
    avp::ORIGIN_REALM,
    avp::AUTHENTICATION_INFO,
];
const VSAI_AVPS: &[AvpDef] = &[avp::VENDOR_ID, avp::AUTH_APPLICATION_ID];
const REQUESTED_INFO_AVPS: &[AvpDef] = &[
    avp::NUMBER_OF_REQUESTED_VECTORS,
    avp::IMMEDIATE_RESPONSE_PREFERRED,
    avp::RE_SYNCHRONIZATION_INFO,
];
const EXPERIMENTAL_RESULT_AVPS: &[AvpDef] = &[avp::VENDOR_ID, avp::EXPERIMENTAL_RESULT_CODE];
const AUTHENTICATION_INFO_AVPS: &[AvpDef] = &[avp::E_UTRAN_VECTOR, avp::UTRAN_VECTOR];
const E_UTRAN_VECTOR_AVPS: &[AvpDef] = &[
    avp::ITEM_NUMBER,
    avp::RAND,
    avp::XRES,
    avp::AUTN,
    avp::KASME,
];
const UTRAN_VECTOR_AVPS: &[AvpDef] = &[
    avp::ITEM_NUMBER,
    avp::RAND,
    avp::XRES,
    avp::AUTN,
    avp::CONFIDENTIALITY_KEY,
    avp::INTEGRITY_KEY,
];

impl AuthenticationInformationRequest {
    pub fn kind(&self) -> &'static str {
        "AIR"
    }

    fn header(&self) -> Header {
        Header {
            request: true,
            proxiable: true,
            error: false,
            retransmitted: false,
            command_code: CMD_AUTHENTICATION_INFORMATION,
            application_id: APP_ID_S6A,
            hop_by_hop: self.hop_by_hop,
            end_to_end: self.end_to_end,
        }
    }

    /// The AVPs in ABNF order.
    pub fn avps(&self) -> Vec<Avp> {
        let mut v = vec![Avp::text(avp::SESSION_ID, &self.session_id)];
        v.extend(self.vendor_specific_application_id.map(|a| a.to_avp()));
        v.push(Avp::u32(avp::AUTH_SESSION_STATE, NO_STATE_MAINTAINED));
        v.push(Avp::text(avp::ORIGIN_HOST, &self.origin_host));
        v.push(Avp::text(avp::ORIGIN_REALM, &self.origin_realm));
        if let Some(h) = &self.destination_host {
            v.push(Avp::text(avp::DESTINATION_HOST, h));
        }
        v.push(Avp::text(avp::DESTINATION_REALM, &self.destination_realm));
        v.push(Avp::text(avp::USER_NAME, &self.user_name));
        if let Some(r) = &self.requested_eutran {
            v.push(r.to_avp(avp::REQUESTED_EUTRAN_AUTHENTICATION_INFO));
        }
        if let Some(r) = &self.requested_utran_geran {
            v.push(r.to_avp(avp::REQUESTED_UTRAN_GERAN_AUTHENTICATION_INFO));
        }
        v.push(Avp::octets(avp::VISITED_PLMN_ID, &self.visited_plmn_id));
        v
    }

    pub fn encode(&self) -> Vec<u8> {
        self.header().encode_with(&self.avps())
    }

    pub fn decode(pdu: &[u8]) -> Result<Self, WireError> {
        let (header, refs) = decode_refs(pdu)?;
        check_header(&header, true)?;
        let m = Avps::new(refs, pdu.len(), "AIR", AIR_AVPS)?;
        let session_id = m.session_id()?;
        m.check_auth_session_state()?;
        let requested = |def: AvpDef| {
            m.opt(def)?
                .map(|a| RequestedAuthInfo::from_ref(&a, def))
                .transpose()
        };
        Ok(Self {
            hop_by_hop: header.hop_by_hop,
            end_to_end: header.end_to_end,
            session_id,
            vendor_specific_application_id: m.vendor_specific_application_id()?,
            origin_host: m.text(avp::ORIGIN_HOST)?,
            origin_realm: m.text(avp::ORIGIN_REALM)?,
            destination_host: m.opt_text(avp::DESTINATION_HOST)?,
            destination_realm: m.text(avp::DESTINATION_REALM)?,
            user_name: m.text(avp::USER_NAME)?,
            requested_eutran: requested(avp::REQUESTED_EUTRAN_AUTHENTICATION_INFO)?,
            requested_utran_geran: requested(avp::REQUESTED_UTRAN_GERAN_AUTHENTICATION_INFO)?,
            visited_plmn_id: m
                .one(avp::VISITED_PLMN_ID)?
                .array(avp::VISITED_PLMN_ID.name)?,
        })
    }
}

impl AuthenticationInformationAnswer {
    /// An answer to `req`, echoing its hop-by-hop id, end-to-end id,
    /// Session-Id and Vendor-Specific-Application-Id.
    pub fn answering(
        req: &AuthenticationInformationRequest,
        origin_host: &str,
        origin_realm: &str,
        result: DiameterResult,
        authentication_info: Option<AuthenticationInfo>,
    ) -> Self {
        Self {
            hop_by_hop: req.hop_by_hop,
            end_to_end: req.end_to_end,
            session_id: req.session_id.clone(),
            vendor_specific_application_id: req.vendor_specific_application_id,
            result,
            origin_host: origin_host.into(),
            origin_realm: origin_realm.into(),
            authentication_info,
        }
    }

    pub fn kind(&self) -> &'static str {
        "AIA"
    }

    fn header(&self) -> Header {
        Header {
            request: false,
            proxiable: true,
            error: false,
            retransmitted: false,
            command_code: CMD_AUTHENTICATION_INFORMATION,
            application_id: APP_ID_S6A,
            hop_by_hop: self.hop_by_hop,
            end_to_end: self.end_to_end,
        }
    }

    /// The AVPs in ABNF order.
    ///
    /// # Panics
    /// If an XRES is not 4..=16 octets.
    pub fn avps(&self) -> Vec<Avp> {
        let mut v = vec![Avp::text(avp::SESSION_ID, &self.session_id)];
        v.extend(self.vendor_specific_application_id.map(|a| a.to_avp()));
        v.push(match self.result {
            DiameterResult::Base(code) => Avp::u32(avp::RESULT_CODE, code),
            DiameterResult::Experimental { vendor_id, code } => Avp::grouped(
                avp::EXPERIMENTAL_RESULT,
                vec![
                    Avp::u32(avp::VENDOR_ID, vendor_id),
                    Avp::u32(avp::EXPERIMENTAL_RESULT_CODE, code),
                ],
            ),
        });
        v.push(Avp::u32(avp::AUTH_SESSION_STATE, NO_STATE_MAINTAINED));
        v.push(Avp::text(avp::ORIGIN_HOST, &self.origin_host));
        v.push(Avp::text(avp::ORIGIN_REALM, &self.origin_realm));
        if let Some(info) = &self.authentication_info {
            v.push(info.to_avp());
        }
        v
    }

    pub fn encode(&self) -> Vec<u8> {
        self.header().encode_with(&self.avps())
    }

    pub fn decode(pdu: &[u8]) -> Result<Self, WireError> {
        let (header, refs) = decode_refs(pdu)?;
        check_header(&header, false)?;
        let m = Avps::new(refs, pdu.len(), "AIA", AIA_AVPS)?;
        let session_id = m.session_id()?;
        let result = match (m.opt(avp::RESULT_CODE)?, m.opt(avp::EXPERIMENTAL_RESULT)?) {
            (Some(rc), None) => DiameterResult::Base(rc.u32(avp::RESULT_CODE.name)?),
            (None, Some(er)) => {
                let g = Avps::group(&er, avp::EXPERIMENTAL_RESULT, EXPERIMENTAL_RESULT_AVPS)?;
                DiameterResult::Experimental {
                    vendor_id: g.u32(avp::VENDOR_ID)?,
                    code: g.u32(avp::EXPERIMENTAL_RESULT_CODE)?,
                }
            }
            (Some(rc), Some(er)) => {
                return Err(WireError::new(
                    rc.offset.max(er.offset),
                    "AIA carries both Result-Code and Experimental-Result",
                ));
            }
            (None, None) => {
                return Err(WireError::new(
                    pdu.len(),
                    "AIA: missing Result-Code or Experimental-Result",
                ));
            }
        };
        m.check_auth_session_state()?;
        Ok(Self {
            hop_by_hop: header.hop_by_hop,
            end_to_end: header.end_to_end,
            session_id,
            vendor_specific_application_id: m.vendor_specific_application_id()?,
            result,
            origin_host: m.text(avp::ORIGIN_HOST)?,
            origin_realm: m.text(avp::ORIGIN_REALM)?,
            authentication_info: m
                .opt(avp::AUTHENTICATION_INFO)?
                .map(|a| AuthenticationInfo::from_ref(&a))
                .transpose()?,
        })
    }
}

impl S6aMessage {
    pub fn kind(&self) -> &'static str {
        match self {
            Self::Air(m) => m.kind(),
            Self::Aia(m) => m.kind(),
        }
    }

    pub fn encode(&self) -> Vec<u8> {
        match self {
            Self::Air(m) => m.encode(),
            Self::Aia(m) => m.encode(),
        }
    }

    /// Decodes an AIR or AIA, chosen by the R flag.
    pub fn decode(pdu: &[u8]) -> Result<Self, WireError> {
        if Header::decode(pdu)?.request {
            AuthenticationInformationRequest::decode(pdu).map(Self::Air)
        } else {
            AuthenticationInformationAnswer::decode(pdu).map(Self::Aia)
        }
    }
}

impl VendorSpecificApplicationId {
    fn to_avp(self) -> Avp {
        Avp::grouped(
            avp::VENDOR_SPECIFIC_APPLICATION_ID,
            vec![
                Avp::u32(avp::VENDOR_ID, self.vendor_id),
                Avp::u32(avp::AUTH_APPLICATION_ID, self.auth_application_id),
            ],
        )
    }
}

impl RequestedAuthInfo {
    fn to_avp(&self, def: AvpDef) -> Avp {
        let mut children = Vec::new();
        if let Some(n) = self.number_of_requested_vectors {
            children.push(Avp::u32(avp::NUMBER_OF_REQUESTED_VECTORS, n));
        }
        if self.immediate_response_preferred {
            children.push(Avp::u32(avp::IMMEDIATE_RESPONSE_PREFERRED, 1));
        }
        if let Some(r) = &self.re_synchronization_info {
            children.push(Avp::octets(avp::RE_SYNCHRONIZATION_INFO, r));
        }
        Avp::grouped(def, children)
    }

    fn from_ref(a: &AvpRef<'_>, def: AvpDef) -> Result<Self, WireError> {
        let g = Avps::group(a, def, REQUESTED_INFO_AVPS)?;
        let immediate = g.opt(avp::IMMEDIATE_RESPONSE_PREFERRED)?;
        if let Some(i) = &immediate {
            i.u32(avp::IMMEDIATE_RESPONSE_PREFERRED.name)?;
        }
        Ok(Self {
            number_of_requested_vectors: g.opt_u32(avp::NUMBER_OF_REQUESTED_VECTORS)?,
            immediate_response_preferred: immediate.is_some(),
            re_synchronization_info: g
                .opt(avp::RE_SYNCHRONIZATION_INFO)?
                .map(|r| r.array(avp::RE_SYNCHRONIZATION_INFO.name))
                .transpose()?,
        })
    }
}

fn check_xres(xres: &[u8]) {
    assert!(
        (4..=16).contains(&xres.len()),
        "XRES must be 4..=16 octets, got {}",
        xres.len()
    );
}

/// The optional Item-Number child of a vector.
fn item_number(n: Option<u32>) -> Vec<Avp> {
    n.map(|n| Avp::u32(avp::ITEM_NUMBER, n))
        .into_iter()
        .collect()
}

impl EutranVector {
    fn to_avp(&self) -> Avp {
        check_xres(&self.xres);
        let mut c = item_number(self.item_number);
        c.extend([
            Avp::octets(avp::RAND, &self.rand),
            Avp::octets(avp::XRES, &self.xres),
            Avp::octets(avp::AUTN, &self.autn),
            Avp::octets(avp::KASME, &self.kasme),
        ]);
        Avp::grouped(avp::E_UTRAN_VECTOR, c)
    }
}

impl UtranVector {
    fn to_avp(&self) -> Avp {
        check_xres(&self.xres);
        let mut c = item_number(self.item_number);
        c.extend([
            Avp::octets(avp::RAND, &self.rand),
            Avp::octets(avp::XRES, &self.xres),
            Avp::octets(avp::AUTN, &self.autn),
            Avp::octets(avp::CONFIDENTIALITY_KEY, &self.ck),
            Avp::octets(avp::INTEGRITY_KEY, &self.ik),
        ]);
        Avp::grouped(avp::UTRAN_VECTOR, c)
    }
}

impl AuthenticationInfo {
    fn to_avp(&self) -> Avp {
        let eutran = self.eutran_vectors.iter().map(EutranVector::to_avp);
        let utran = self.utran_vectors.iter().map(UtranVector::to_avp);
        Avp::grouped(avp::AUTHENTICATION_INFO, eutran.chain(utran).collect())
    }

    fn from_ref(a: &AvpRef<'_>) -> Result<Self, WireError> {
        let g = Avps::group(a, avp::AUTHENTICATION_INFO, AUTHENTICATION_INFO_AVPS)?;
        let mut info = Self::default();
        for e in g.all(avp::E_UTRAN_VECTOR) {
            let v = Avps::group(e, avp::E_UTRAN_VECTOR, E_UTRAN_VECTOR_AVPS)?;
            info.eutran_vectors.push(EutranVector {
                item_number: v.opt_u32(avp::ITEM_NUMBER)?,
                rand: v.array(avp::RAND)?,
                xres: v.xres()?,
                autn: v.array(avp::AUTN)?,
                kasme: v.array(avp::KASME)?,
            });
        }
        for u in g.all(avp::UTRAN_VECTOR) {
            let v = Avps::group(u, avp::UTRAN_VECTOR, UTRAN_VECTOR_AVPS)?;
            info.utran_vectors.push(UtranVector {
                item_number: v.opt_u32(avp::ITEM_NUMBER)?,
                rand: v.array(avp::RAND)?,
                xres: v.xres()?,
                autn: v.array(avp::AUTN)?,
                ck: v.array(avp::CONFIDENTIALITY_KEY)?,
                ik: v.array(avp::INTEGRITY_KEY)?,
            });
        }
        Ok(info)
    }
}

/// Checks command code, application and flags of an AIR (`request`) or AIA.
fn check_header(h: &Header, request: bool) -> Result<(), WireError> {
    if h.command_code != CMD_AUTHENTICATION_INFORMATION {
        return Err(WireError::new(
            5,
            format!("command code {}, expected 318", h.command_code),
        ));
    }
    if h.application_id != APP_ID_S6A {
        return Err(WireError::new(
            8,
            format!(
                "application id {}, expected S6a (16777251)",
                h.application_id
            ),
        ));
    }
    if h.request != request || !h.proxiable {
        let want = if request {
            "R and P set"
        } else {
            "R clear, P set"
        };
        return Err(WireError::new(4, format!("command flags: expected {want}")));
    }
    if h.error {
        return Err(WireError::new(
            4,
            "E bit set: protocol error answers are not modelled",
        ));
    }
    Ok(())
}

/// The AVPs of a message or Grouped AVP, checked against the AVPs the ABNF
/// of that context names.
struct Avps<'a> {
    list: Vec<AvpRef<'a>>,
    /// Offset just past the message / group, reported for missing AVPs.
    end: usize,
    context: &'static str,
}

impl<'a> Avps<'a> {
    fn new(
        list: Vec<AvpRef<'a>>,
        end: usize,
        context: &'static str,
        known: &[AvpDef],
    ) -> Result<Self, WireError> {
        if let Some(a) = list
            .iter()
            .find(|a| a.mandatory && !known.iter().any(|&d| a.is(d)))
        {
            let vendor = a.vendor.map(|v| format!(" vendor {v}")).unwrap_or_default();
            return Err(WireError::new(
                a.offset,
                format!(
                    "{context}: unknown AVP {}{vendor} with the M bit set",
                    a.code
                ),
            ));
        }
        Ok(Self { list, end, context })
    }

    /// The children of Grouped AVP `a` (of definition `def`).
    fn group(a: &AvpRef<'a>, def: AvpDef, known: &[AvpDef]) -> Result<Self, WireError> {
        Self::new(a.children()?, a.data_offset + a.data.len(), def.name, known)
    }

    fn all(&self, def: AvpDef) -> impl Iterator<Item = &AvpRef<'a>> {
        self.list.iter().filter(move |a| a.is(def))
    }

    /// The AVP if present; an error if it occurs twice.
    fn opt(&self, def: AvpDef) -> Result<Option<AvpRef<'a>>, WireError> {
        let mut it = self.all(def);
        let first = it.next().copied();
        match it.next() {
            Some(dup) => Err(WireError::new(
                dup.offset,
                format!("{}: {} occurs more than once", self.context, def.name),
            )),
            None => Ok(first),
        }
    }

    fn one(&self, def: AvpDef) -> Result<AvpRef<'a>, WireError> {
        self.opt(def)?.ok_or_else(|| {
            WireError::new(
                self.end,
                format!(
                    "{}: missing mandatory {} ({})",
                    self.context, def.name, def.code
                ),
            )
        })
    }

    fn u32(&self, def: AvpDef) -> Result<u32, WireError> {
        self.one(def)?.u32(def.name)
    }

    fn opt_u32(&self, def: AvpDef) -> Result<Option<u32>, WireError> {
        self.opt(def)?.map(|a| a.u32(def.name)).transpose()
    }

    fn text(&self, def: AvpDef) -> Result<String, WireError> {
        Ok(self.one(def)?.text(def.name)?.to_owned())
    }

    fn opt_text(&self, def: AvpDef) -> Result<Option<String>, WireError> {
        self.opt(def)?
            .map(|a| a.text(def.name).map(str::to_owned))
            .transpose()
    }

    fn array<const N: usize>(&self, def: AvpDef) -> Result<[u8; N], WireError> {
        self.one(def)?.array(def.name)
    }

    fn xres(&self) -> Result<Vec<u8>, WireError> {
        Ok(self.one(avp::XRES)?.octets(avp::XRES.name, 4, 16)?.to_vec())
    }

    /// Session-Id, which must be the first AVP (RFC 6733 §8.8).
    fn session_id(&self) -> Result<String, WireError> {
        let s = self.one(avp::SESSION_ID)?;
        match self.list.first() {
            Some(first) if first.offset != s.offset => Err(WireError::new(
                first.offset,
                format!("{}: Session-Id must be the first AVP", self.context),
            )),
            _ => Ok(s.text(avp::SESSION_ID.name)?.to_owned()),
        }
    }

    fn check_auth_session_state(&self) -> Result<(), WireError> {
        let a = self.one(avp::AUTH_SESSION_STATE)?;
        match a.u32(avp::AUTH_SESSION_STATE.name)? {
            NO_STATE_MAINTAINED => Ok(()),
            other => Err(WireError::new(
                a.data_offset,
                format!("Auth-Session-State {other}, S6a uses NO_STATE_MAINTAINED (1)"),
            )),
        }
    }

    fn vendor_specific_application_id(
        &self,
    ) -> Result<Option<VendorSpecificApplicationId>, WireError> {
        let Some(a) = self.opt(avp::VENDOR_SPECIFIC_APPLICATION_ID)? else {
            return Ok(None);
        };
        let g = Self::group(&a, avp::VENDOR_SPECIFIC_APPLICATION_ID, VSAI_AVPS)?;
        Ok(Some(VendorSpecificApplicationId {
            vendor_id: g.u32(avp::VENDOR_ID)?,
            auth_application_id: g.u32(avp::AUTH_APPLICATION_ID)?,
        }))
    }
}
