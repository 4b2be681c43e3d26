//! S6a Authentication-Information-Request / -Answer (TS 29.272 §7.2.5-6).
//!
//! Encoders write the AVPs in the order of the command ABNF; decoders accept
//! any order (Session-Id first, RFC 6733 §8.8), reject duplicates of
//! single-valued AVPs, skip unknown AVPs whose M bit is clear and reject
//! unknown AVPs whose M bit is set (RFC 6733 §4.1).

use super::avp::{self, AvpDef, AvpIter, AvpRef, VENDOR_3GPP, padded_len};
use super::doic::{self, OcOlr};
use super::{APP_ID_S6A, CMD_AUTHENTICATION_INFORMATION, HEADER_LEN, Header};
use crate::wire::{Message, WireError, delegate_to_variants, inherent_message_methods};

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
    /// OC-Supported-Features (RFC 7683): the MME's OC-Feature-Vector when it
    /// supports DOIC.
    pub oc_supported_features: Option<u64>,
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
    /// OC-Supported-Features (RFC 7683): the HSS's selected features, only
    /// in answers to requests that announced DOIC.
    pub oc_supported_features: Option<u64>,
    /// OC-OLR (RFC 7683): the HSS's overload report.
    pub oc_olr: Option<OcOlr>,
    pub authentication_info: Option<AuthenticationInfo>,
}

/// An S6a message this module models.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum S6aMessage {
    Air(AuthenticationInformationRequest),
    Aia(AuthenticationInformationAnswer),
}

// AVPs each context knows (RFC 6733 §4.1: unknown ones with M set fail).
const AIR_AVPS: [AvpDef; 12] = [
    avp::SESSION_ID,
    avp::VENDOR_SPECIFIC_APPLICATION_ID,
    avp::AUTH_SESSION_STATE,
    avp::ORIGIN_HOST,
    avp::ORIGIN_REALM,
    avp::DESTINATION_HOST,
    avp::DESTINATION_REALM,
    avp::USER_NAME,
    doic::OC_SUPPORTED_FEATURES,
    avp::REQUESTED_EUTRAN_AUTHENTICATION_INFO,
    avp::REQUESTED_UTRAN_GERAN_AUTHENTICATION_INFO,
    avp::VISITED_PLMN_ID,
];
const AIA_AVPS: [AvpDef; 10] = [
    avp::SESSION_ID,
    avp::VENDOR_SPECIFIC_APPLICATION_ID,
    avp::RESULT_CODE,
    avp::EXPERIMENTAL_RESULT,
    avp::AUTH_SESSION_STATE,
    avp::ORIGIN_HOST,
    avp::ORIGIN_REALM,
    doic::OC_SUPPORTED_FEATURES,
    doic::OC_OLR,
    avp::AUTHENTICATION_INFO,
];
const VSAI_AVPS: [AvpDef; 2] = [avp::VENDOR_ID, avp::AUTH_APPLICATION_ID];
const REQUESTED_INFO_AVPS: [AvpDef; 3] = [
    avp::NUMBER_OF_REQUESTED_VECTORS,
    avp::IMMEDIATE_RESPONSE_PREFERRED,
    avp::RE_SYNCHRONIZATION_INFO,
];
const EXPERIMENTAL_RESULT_AVPS: [AvpDef; 2] = [avp::VENDOR_ID, avp::EXPERIMENTAL_RESULT_CODE];
const AUTHENTICATION_INFO_AVPS: [AvpDef; 2] = [avp::E_UTRAN_VECTOR, avp::UTRAN_VECTOR];
const E_UTRAN_VECTOR_AVPS: [AvpDef; 5] = [
    avp::ITEM_NUMBER,
    avp::RAND,
    avp::XRES,
    avp::AUTN,
    avp::KASME,
];
const UTRAN_VECTOR_AVPS: [AvpDef; 6] = [
    avp::ITEM_NUMBER,
    avp::RAND,
    avp::XRES,
    avp::AUTN,
    avp::CONFIDENTIALITY_KEY,
    avp::INTEGRITY_KEY,
];

/// The header of an AIR (`request`) or AIA.
fn s6a_header(request: bool, hop_by_hop: u32, end_to_end: u32) -> Header {
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

/// Padded octets of a text AVP.
fn text_len(def: AvpDef, s: &str) -> usize {
    padded_len(def, s.len())
}

impl AuthenticationInformationRequest {
    pub(crate) fn header(&self) -> Header {
        s6a_header(true, self.hop_by_hop, self.end_to_end)
    }

    /// An AIR with every field empty or zero (a target for [`Self::decode_into`]).
    pub fn empty() -> Self {
        Self {
            hop_by_hop: 0,
            end_to_end: 0,
            session_id: String::new(),
            vendor_specific_application_id: None,
            origin_host: String::new(),
            origin_realm: String::new(),
            destination_host: None,
            destination_realm: String::new(),
            user_name: String::new(),
            oc_supported_features: None,
            requested_eutran: None,
            requested_utran_geran: None,
            visited_plmn_id: [0; 3],
        }
    }

    /// [`Self::decode`] into `self`, reusing its strings' buffers. On success
    /// `self` equals what `decode` returns; on error (the same error) its
    /// content is unspecified.
    pub fn decode_into(&mut self, pdu: &[u8]) -> Result<(), WireError> {
        let header = Header::decode(pdu)?;
        let m = Avps::parse(&pdu[HEADER_LEN..], HEADER_LEN, pdu.len(), "AIR", &AIR_AVPS)?;
        check_header(&header, true)?;
        m.reject_unknown()?;
        // Fields in the order `decode` has always checked them, so that the
        // first error is the same.
        set_text(&mut self.session_id, m.session_id()?);
        m.check_auth_session_state()?;
        let requested = |def: AvpDef| {
            m.opt(def)?
                .map(|a| RequestedAuthInfo::from_ref(&a, def))
                .transpose()
        };
        self.hop_by_hop = header.hop_by_hop;
        self.end_to_end = header.end_to_end;
        self.vendor_specific_application_id = m.vendor_specific_application_id()?;
        set_text(&mut self.origin_host, m.text(avp::ORIGIN_HOST)?);
        set_text(&mut self.origin_realm, m.text(avp::ORIGIN_REALM)?);
        match m.opt_text(avp::DESTINATION_HOST)? {
            Some(h) => set_text(self.destination_host.get_or_insert_default(), h),
            None => self.destination_host = None,
        }
        set_text(&mut self.destination_realm, m.text(avp::DESTINATION_REALM)?);
        set_text(&mut self.user_name, m.text(avp::USER_NAME)?);
        self.oc_supported_features = m.oc_supported_features()?;
        self.requested_eutran = requested(avp::REQUESTED_EUTRAN_AUTHENTICATION_INFO)?;
        self.requested_utran_geran = requested(avp::REQUESTED_UTRAN_GERAN_AUTHENTICATION_INFO)?;
        self.visited_plmn_id = m
            .one(avp::VISITED_PLMN_ID)?
            .array(avp::VISITED_PLMN_ID.name)?;
        Ok(())
    }
}

impl Message for AuthenticationInformationRequest {
    fn kind(&self) -> &'static str {
        "AIR"
    }

    fn encoded_len(&self) -> usize {
        HEADER_LEN
            + text_len(avp::SESSION_ID, &self.session_id)
            + self
                .vendor_specific_application_id
                .map_or(0, |_| VendorSpecificApplicationId::ENCODED_LEN)
            + padded_len(avp::AUTH_SESSION_STATE, 4)
            + text_len(avp::ORIGIN_HOST, &self.origin_host)
            + text_len(avp::ORIGIN_REALM, &self.origin_realm)
            + self
                .destination_host
                .as_deref()
                .map_or(0, |h| text_len(avp::DESTINATION_HOST, h))
            + text_len(avp::DESTINATION_REALM, &self.destination_realm)
            + text_len(avp::USER_NAME, &self.user_name)
            + self
                .oc_supported_features
                .map_or(0, |_| doic::supported_features_len())
            + self.requested_eutran.as_ref().map_or(0, |r| {
                r.encoded_len(avp::REQUESTED_EUTRAN_AUTHENTICATION_INFO)
            })
            + self.requested_utran_geran.as_ref().map_or(0, |r| {
                r.encoded_len(avp::REQUESTED_UTRAN_GERAN_AUTHENTICATION_INFO)
            })
            + padded_len(avp::VISITED_PLMN_ID, 3)
    }

    /// The AVPs in the order of the command ABNF.
    fn encode_into(&self, out: &mut Vec<u8>) {
        let start = self.header().begin(out);
        avp::put_octets(out, avp::SESSION_ID, self.session_id.as_bytes());
        if let Some(a) = self.vendor_specific_application_id {
            a.put(out);
        }
        avp::put_u32(out, avp::AUTH_SESSION_STATE, NO_STATE_MAINTAINED);
        avp::put_octets(out, avp::ORIGIN_HOST, self.origin_host.as_bytes());
        avp::put_octets(out, avp::ORIGIN_REALM, self.origin_realm.as_bytes());
        if let Some(h) = &self.destination_host {
            avp::put_octets(out, avp::DESTINATION_HOST, h.as_bytes());
        }
        avp::put_octets(
            out,
            avp::DESTINATION_REALM,
            self.destination_realm.as_bytes(),
        );
        avp::put_octets(out, avp::USER_NAME, self.user_name.as_bytes());
        if let Some(f) = self.oc_supported_features {
            doic::put_supported_features(out, f);
        }
        if let Some(r) = &self.requested_eutran {
            r.put(out, avp::REQUESTED_EUTRAN_AUTHENTICATION_INFO);
        }
        if let Some(r) = &self.requested_utran_geran {
            r.put(out, avp::REQUESTED_UTRAN_GERAN_AUTHENTICATION_INFO);
        }
        avp::put_octets(out, avp::VISITED_PLMN_ID, &self.visited_plmn_id);
        Header::finish(out, start);
        debug_assert_eq!(out.len() - start, self.encoded_len());
    }

    fn decode(pdu: &[u8]) -> Result<Self, WireError> {
        let mut m = Self::empty();
        m.decode_into(pdu)?;
        Ok(m)
    }
}

/// Replaces the text of `s` with `t`, keeping its buffer.
fn set_text(s: &mut String, t: &str) {
    s.clear();
    s.push_str(t);
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
            oc_supported_features: None,
            oc_olr: None,
            authentication_info,
        }
    }

    pub(crate) fn header(&self) -> Header {
        s6a_header(false, self.hop_by_hop, self.end_to_end)
    }

    /// An AIA with every field empty or zero (a target for [`Self::decode_into`]).
    pub fn empty() -> Self {
        Self {
            hop_by_hop: 0,
            end_to_end: 0,
            session_id: String::new(),
            vendor_specific_application_id: None,
            result: DiameterResult::Base(0),
            origin_host: String::new(),
            origin_realm: String::new(),
            oc_supported_features: None,
            oc_olr: None,
            authentication_info: None,
        }
    }

    /// [`Self::decode`] into `self`, reusing its strings' buffers. On success
    /// `self` equals what `decode` returns; on error (the same error) its
    /// content is unspecified.
    pub fn decode_into(&mut self, pdu: &[u8]) -> Result<(), WireError> {
        let header = Header::decode(pdu)?;
        let m = Avps::parse(&pdu[HEADER_LEN..], HEADER_LEN, pdu.len(), "AIA", &AIA_AVPS)?;
        check_header(&header, false)?;
        m.reject_unknown()?;
        set_text(&mut self.session_id, m.session_id()?);
        let result = match (m.opt(avp::RESULT_CODE)?, m.opt(avp::EXPERIMENTAL_RESULT)?) {
            (Some(rc), None) => DiameterResult::Base(rc.u32(avp::RESULT_CODE.name)?),
            (None, Some(er)) => {
                let g = Avps::group(&er, avp::EXPERIMENTAL_RESULT, &EXPERIMENTAL_RESULT_AVPS)?;
                DiameterResult::Experimental {
                    vendor_id: g.u32(avp::VENDOR_ID)?,
                    code: g.u32(avp::EXPERIMENTAL_RESULT_CODE)?,
                }
            }
            (Some(rc), Some(er)) => {
                return Err(WireError::new(
                    rc.offset.max(er.offset),
                    "Result-Code / Experimental-Result",
                    "both present",
                ));
            }
            (None, None) => {
                return Err(WireError::new(
                    pdu.len(),
                    "Result-Code / Experimental-Result",
                    "missing",
                ));
            }
        };
        m.check_auth_session_state()?;
        self.hop_by_hop = header.hop_by_hop;
        self.end_to_end = header.end_to_end;
        self.vendor_specific_application_id = m.vendor_specific_application_id()?;
        self.result = result;
        set_text(&mut self.origin_host, m.text(avp::ORIGIN_HOST)?);
        set_text(&mut self.origin_realm, m.text(avp::ORIGIN_REALM)?);
        self.oc_supported_features = m.oc_supported_features()?;
        self.oc_olr = m
            .opt(doic::OC_OLR)?
            .map(|a| OcOlr::from_ref(&a))
            .transpose()?;
        self.authentication_info = m
            .opt(avp::AUTHENTICATION_INFO)?
            .map(|a| AuthenticationInfo::from_ref(&a))
            .transpose()?;
        Ok(())
    }
}

impl Message for AuthenticationInformationAnswer {
    fn kind(&self) -> &'static str {
        "AIA"
    }

    fn encoded_len(&self) -> usize {
        HEADER_LEN
            + text_len(avp::SESSION_ID, &self.session_id)
            + self
                .vendor_specific_application_id
                .map_or(0, |_| VendorSpecificApplicationId::ENCODED_LEN)
            + match self.result {
                DiameterResult::Base(_) => padded_len(avp::RESULT_CODE, 4),
                DiameterResult::Experimental { .. } => padded_len(
                    avp::EXPERIMENTAL_RESULT,
                    padded_len(avp::VENDOR_ID, 4) + padded_len(avp::EXPERIMENTAL_RESULT_CODE, 4),
                ),
            }
            + padded_len(avp::AUTH_SESSION_STATE, 4)
            + text_len(avp::ORIGIN_HOST, &self.origin_host)
            + text_len(avp::ORIGIN_REALM, &self.origin_realm)
            + self
                .oc_supported_features
                .map_or(0, |_| doic::supported_features_len())
            + self.oc_olr.as_ref().map_or(0, OcOlr::encoded_len)
            + self
                .authentication_info
                .as_ref()
                .map_or(0, AuthenticationInfo::encoded_len)
    }

    /// The AVPs in the order of the command ABNF.
    ///
    /// # Panics
    /// If an XRES is not 4..=16 octets.
    fn encode_into(&self, out: &mut Vec<u8>) {
        let start = self.header().begin(out);
        avp::put_octets(out, avp::SESSION_ID, self.session_id.as_bytes());
        if let Some(a) = self.vendor_specific_application_id {
            a.put(out);
        }
        match self.result {
            DiameterResult::Base(code) => avp::put_u32(out, avp::RESULT_CODE, code),
            DiameterResult::Experimental { vendor_id, code } => {
                let g = avp::begin_group(out, avp::EXPERIMENTAL_RESULT);
                avp::put_u32(out, avp::VENDOR_ID, vendor_id);
                avp::put_u32(out, avp::EXPERIMENTAL_RESULT_CODE, code);
                avp::end_group(out, g);
            }
        }
        avp::put_u32(out, avp::AUTH_SESSION_STATE, NO_STATE_MAINTAINED);
        avp::put_octets(out, avp::ORIGIN_HOST, self.origin_host.as_bytes());
        avp::put_octets(out, avp::ORIGIN_REALM, self.origin_realm.as_bytes());
        if let Some(f) = self.oc_supported_features {
            doic::put_supported_features(out, f);
        }
        if let Some(olr) = &self.oc_olr {
            olr.put(out);
        }
        if let Some(info) = &self.authentication_info {
            info.put(out);
        }
        Header::finish(out, start);
        debug_assert_eq!(out.len() - start, self.encoded_len());
    }

    fn decode(pdu: &[u8]) -> Result<Self, WireError> {
        let mut m = Self::empty();
        m.decode_into(pdu)?;
        Ok(m)
    }
}

impl Message for S6aMessage {
    delegate_to_variants!(Air, Aia);

    /// Decodes an AIR or AIA, chosen by the R flag.
    fn decode(pdu: &[u8]) -> Result<Self, WireError> {
        if Header::decode(pdu)?.request {
            AuthenticationInformationRequest::decode(pdu).map(Self::Air)
        } else {
            AuthenticationInformationAnswer::decode(pdu).map(Self::Aia)
        }
    }
}

inherent_message_methods!(
    AuthenticationInformationRequest,
    AuthenticationInformationAnswer,
    S6aMessage
);

impl VendorSpecificApplicationId {
    /// Octets of the encoded AVP: a group header and two Unsigned32 children.
    const ENCODED_LEN: usize = padded_len(
        avp::VENDOR_SPECIFIC_APPLICATION_ID,
        padded_len(avp::VENDOR_ID, 4) + padded_len(avp::AUTH_APPLICATION_ID, 4),
    );

    fn put(self, out: &mut Vec<u8>) {
        let g = avp::begin_group(out, avp::VENDOR_SPECIFIC_APPLICATION_ID);
        avp::put_u32(out, avp::VENDOR_ID, self.vendor_id);
        avp::put_u32(out, avp::AUTH_APPLICATION_ID, self.auth_application_id);
        avp::end_group(out, g);
    }
}

impl RequestedAuthInfo {
    fn encoded_len(&self, def: AvpDef) -> usize {
        let u32_len = padded_len(avp::NUMBER_OF_REQUESTED_VECTORS, 4);
        padded_len(
            def,
            self.number_of_requested_vectors.map_or(0, |_| u32_len)
                + if self.immediate_response_preferred {
                    padded_len(avp::IMMEDIATE_RESPONSE_PREFERRED, 4)
                } else {
                    0
                }
                + self
                    .re_synchronization_info
                    .map_or(0, |_| padded_len(avp::RE_SYNCHRONIZATION_INFO, 30)),
        )
    }

    fn put(&self, out: &mut Vec<u8>, def: AvpDef) {
        let g = avp::begin_group(out, def);
        if let Some(n) = self.number_of_requested_vectors {
            avp::put_u32(out, avp::NUMBER_OF_REQUESTED_VECTORS, n);
        }
        if self.immediate_response_preferred {
            avp::put_u32(out, avp::IMMEDIATE_RESPONSE_PREFERRED, 1);
        }
        if let Some(r) = &self.re_synchronization_info {
            avp::put_octets(out, avp::RE_SYNCHRONIZATION_INFO, r);
        }
        avp::end_group(out, g);
    }

    fn from_ref(a: &AvpRef<'_>, def: AvpDef) -> Result<Self, WireError> {
        let g = Avps::group(a, def, &REQUESTED_INFO_AVPS)?;
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

// Both vector AVPs start with Item-Number, RAND, XRES and AUTN.

/// Padded octets of a vector's Item-Number, RAND, XRES and AUTN.
fn head_len(item_number: Option<u32>, xres: &[u8]) -> usize {
    item_number.map_or(0, |_| padded_len(avp::ITEM_NUMBER, 4))
        + padded_len(avp::RAND, 16)
        + padded_len(avp::XRES, xres.len())
        + padded_len(avp::AUTN, 16)
}

/// Writes a vector's Item-Number, RAND, XRES and AUTN.
///
/// # Panics
/// If the XRES is not 4..=16 octets.
fn put_head(out: &mut Vec<u8>, item_number: Option<u32>, rand: &[u8], xres: &[u8], autn: &[u8]) {
    assert!(
        (4..=16).contains(&xres.len()),
        "XRES must be 4..=16 octets, got {}",
        xres.len()
    );
    if let Some(n) = item_number {
        avp::put_u32(out, avp::ITEM_NUMBER, n);
    }
    avp::put_octets(out, avp::RAND, rand);
    avp::put_octets(out, avp::XRES, xres);
    avp::put_octets(out, avp::AUTN, autn);
}

/// A vector's Item-Number, RAND, XRES and AUTN.
type Head = (Option<u32>, [u8; 16], Vec<u8>, [u8; 16]);

fn read_head<const N: usize>(v: &Avps<'_, N>) -> Result<Head, WireError> {
    Ok((
        v.opt_u32(avp::ITEM_NUMBER)?,
        v.array(avp::RAND)?,
        v.xres()?,
        v.array(avp::AUTN)?,
    ))
}

impl EutranVector {
    fn encoded_len(&self) -> usize {
        padded_len(
            avp::E_UTRAN_VECTOR,
            head_len(self.item_number, &self.xres) + padded_len(avp::KASME, 32),
        )
    }

    fn put(&self, out: &mut Vec<u8>) {
        let g = avp::begin_group(out, avp::E_UTRAN_VECTOR);
        put_head(out, self.item_number, &self.rand, &self.xres, &self.autn);
        avp::put_octets(out, avp::KASME, &self.kasme);
        avp::end_group(out, g);
    }

    fn from_ref(a: &AvpRef<'_>) -> Result<Self, WireError> {
        let v = Avps::group(a, avp::E_UTRAN_VECTOR, &E_UTRAN_VECTOR_AVPS)?;
        let (item_number, rand, xres, autn) = read_head(&v)?;
        let kasme = v.array(avp::KASME)?;
        Ok(Self {
            item_number,
            rand,
            xres,
            autn,
            kasme,
        })
    }
}

impl UtranVector {
    fn encoded_len(&self) -> usize {
        padded_len(
            avp::UTRAN_VECTOR,
            head_len(self.item_number, &self.xres)
                + padded_len(avp::CONFIDENTIALITY_KEY, 16)
                + padded_len(avp::INTEGRITY_KEY, 16),
        )
    }

    fn put(&self, out: &mut Vec<u8>) {
        let g = avp::begin_group(out, avp::UTRAN_VECTOR);
        put_head(out, self.item_number, &self.rand, &self.xres, &self.autn);
        avp::put_octets(out, avp::CONFIDENTIALITY_KEY, &self.ck);
        avp::put_octets(out, avp::INTEGRITY_KEY, &self.ik);
        avp::end_group(out, g);
    }

    fn from_ref(a: &AvpRef<'_>) -> Result<Self, WireError> {
        let v = Avps::group(a, avp::UTRAN_VECTOR, &UTRAN_VECTOR_AVPS)?;
        let (item_number, rand, xres, autn) = read_head(&v)?;
        let ck = v.array(avp::CONFIDENTIALITY_KEY)?;
        let ik = v.array(avp::INTEGRITY_KEY)?;
        Ok(Self {
            item_number,
            rand,
            xres,
            autn,
            ck,
            ik,
        })
    }
}

impl AuthenticationInfo {
    fn encoded_len(&self) -> usize {
        padded_len(
            avp::AUTHENTICATION_INFO,
            self.eutran_vectors
                .iter()
                .map(EutranVector::encoded_len)
                .sum::<usize>()
                + self
                    .utran_vectors
                    .iter()
                    .map(UtranVector::encoded_len)
                    .sum::<usize>(),
        )
    }

    fn put(&self, out: &mut Vec<u8>) {
        let g = avp::begin_group(out, avp::AUTHENTICATION_INFO);
        for v in &self.eutran_vectors {
            v.put(out);
        }
        for v in &self.utran_vectors {
            v.put(out);
        }
        avp::end_group(out, g);
    }

    fn from_ref(a: &AvpRef<'_>) -> Result<Self, WireError> {
        let g = Avps::group(a, avp::AUTHENTICATION_INFO, &AUTHENTICATION_INFO_AVPS)?;
        let mut info = Self::default();
        for e in g.all(avp::E_UTRAN_VECTOR) {
            info.eutran_vectors.push(EutranVector::from_ref(&e?)?);
        }
        for u in g.all(avp::UTRAN_VECTOR) {
            info.utran_vectors.push(UtranVector::from_ref(&u?)?);
        }
        Ok(info)
    }
}

/// Checks command code, application and flags of an AIR (`request`) or AIA.
fn check_header(h: &Header, request: bool) -> Result<(), WireError> {
    if h.command_code != CMD_AUTHENTICATION_INFORMATION {
        return Err(WireError::new(
            5,
            "command code",
            "not Authentication-Information (318)",
        ));
    }
    if h.application_id != APP_ID_S6A {
        return Err(WireError::new(8, "application id", "not S6a (16777251)"));
    }
    if h.request != request || !h.proxiable {
        let want = if request {
            "expected R and P set"
        } else {
            "expected R clear, P set"
        };
        return Err(WireError::new(4, "command flags", want));
    }
    if h.error {
        return Err(WireError::new(
            4,
            "command flags",
            "E bit set: protocol error answers are not modelled",
        ));
    }
    Ok(())
}

/// The first occurrence of one known AVP in a message or group (its code
/// and vendor are those of the slot's definition), and the offset of its
/// second occurrence if any (an error when it is read). Offsets are PDU
/// offsets (Diameter messages are shorter than 2^24 octets); 20 bytes, so the
/// slot array of a message stays small.
#[derive(Clone, Copy)]
struct Slot {
    /// PDU offset of the AVP header, `NONE` if absent.
    offset: u32,
    data_offset: u32,
    data_len: u32,
    mandatory: bool,
    /// PDU offset of the second occurrence, `NONE` if none.
    dup: u32,
}

const NONE: u32 = u32::MAX;

impl Slot {
    const EMPTY: Slot = Slot {
        offset: NONE,
        data_offset: 0,
        data_len: 0,
        mandatory: false,
        dup: NONE,
    };
}

/// The AVPs of a message or Grouped AVP, checked against the `N` AVPs the
/// ABNF of that context names. Parsed in one pass without allocating: each
/// known AVP lands in its slot; the first unknown AVP with the M bit set is
/// kept for [`Avps::reject_unknown`].
pub(super) struct Avps<'a, const N: usize> {
    known: &'static [AvpDef; N],
    slots: [Slot; N],
    /// The AVP bytes and their PDU offset, for iterating repeated AVPs.
    buf: &'a [u8],
    base: usize,
    /// PDU offset of the first AVP, if any.
    first_offset: Option<usize>,
    unknown: Option<AvpRef<'a>>,
    /// Offset just past the message / group, reported for missing AVPs.
    end: usize,
    context: &'static str,
}

impl<'a, const N: usize> Avps<'a, N> {
    /// Parses every AVP of `buf` (PDU offset `base`), failing on the first
    /// malformed one. Unknown mandatory AVPs are checked separately.
    fn parse(
        buf: &'a [u8],
        base: usize,
        end: usize,
        context: &'static str,
        known: &'static [AvpDef; N],
    ) -> Result<Self, WireError> {
        let mut m = Self {
            known,
            slots: [Slot::EMPTY; N],
            buf,
            base,
            first_offset: None,
            unknown: None,
            end,
            context,
        };
        for a in AvpIter::new(buf, base) {
            let a = a?;
            m.first_offset.get_or_insert(a.offset);
            match known.iter().position(|&d| a.is(d)) {
                Some(i) => {
                    let slot = &mut m.slots[i];
                    if slot.offset == NONE {
                        *slot = Slot {
                            offset: a.offset as u32,
                            data_offset: a.data_offset as u32,
                            data_len: a.data.len() as u32,
                            mandatory: a.mandatory,
                            dup: NONE,
                        };
                    } else if slot.dup == NONE {
                        slot.dup = a.offset as u32;
                    }
                }
                None => {
                    if a.mandatory && m.unknown.is_none() {
                        m.unknown = Some(a);
                    }
                }
            }
        }
        Ok(m)
    }

    /// RFC 6733 §4.1: an unknown AVP with the M bit set fails the message.
    fn reject_unknown(&self) -> Result<(), WireError> {
        match &self.unknown {
            None => Ok(()),
            Some(a) => Err(WireError::new(
                a.offset,
                self.context,
                "unknown AVP with the M bit set",
            )),
        }
    }

    /// The children of Grouped AVP `a` (of definition `def`).
    pub(super) fn group(
        a: &AvpRef<'a>,
        def: AvpDef,
        known: &'static [AvpDef; N],
    ) -> Result<Self, WireError> {
        let g = Self::parse(
            a.data,
            a.data_offset,
            a.data_offset + a.data.len(),
            def.name,
            known,
        )?;
        g.reject_unknown()?;
        Ok(g)
    }

    /// Every occurrence of `def`, in order (the AVPs were checked by `parse`).
    fn all(&self, def: AvpDef) -> impl Iterator<Item = Result<AvpRef<'a>, WireError>> + use<'a, N> {
        AvpIter::new(self.buf, self.base).filter(move |a| a.as_ref().map_or(true, |a| a.is(def)))
    }

    /// The AVP if present; an error if it occurs twice.
    pub(super) fn opt(&self, def: AvpDef) -> Result<Option<AvpRef<'a>>, WireError> {
        let Some(i) = self.known.iter().position(|d| d.is(def)) else {
            debug_assert!(false, "{} is not an AVP of {}", def.name, self.context);
            return Ok(None);
        };
        let slot = &self.slots[i];
        if slot.dup != NONE {
            return Err(WireError::new(
                slot.dup as usize,
                def.name,
                "occurs more than once",
            ));
        }
        if slot.offset == NONE {
            return Ok(None);
        }
        let start = slot.data_offset as usize - self.base;
        Ok(Some(AvpRef {
            code: def.code,
            vendor: def.vendor,
            mandatory: slot.mandatory,
            offset: slot.offset as usize,
            data_offset: slot.data_offset as usize,
            data: &self.buf[start..start + slot.data_len as usize],
        }))
    }

    pub(super) fn one(&self, def: AvpDef) -> Result<AvpRef<'a>, WireError> {
        self.opt(def)?
            .ok_or(WireError::new(self.end, def.name, "missing mandatory AVP"))
    }

    fn u32(&self, def: AvpDef) -> Result<u32, WireError> {
        self.one(def)?.u32(def.name)
    }

    fn opt_u32(&self, def: AvpDef) -> Result<Option<u32>, WireError> {
        self.opt(def)?.map(|a| a.u32(def.name)).transpose()
    }

    fn text(&self, def: AvpDef) -> Result<&'a str, WireError> {
        self.one(def)?.text(def.name)
    }

    fn opt_text(&self, def: AvpDef) -> Result<Option<&'a str>, WireError> {
        self.opt(def)?.map(|a| a.text(def.name)).transpose()
    }

    fn array<const L: usize>(&self, def: AvpDef) -> Result<[u8; L], WireError> {
        self.one(def)?.array(def.name)
    }

    fn xres(&self) -> Result<Vec<u8>, WireError> {
        Ok(self.one(avp::XRES)?.octets(avp::XRES.name, 4, 16)?.to_vec())
    }

    /// Session-Id, which must be the first AVP (RFC 6733 §8.8).
    fn session_id(&self) -> Result<&'a str, WireError> {
        let s = self.one(avp::SESSION_ID)?;
        match self.first_offset {
            Some(first) if first != s.offset => Err(WireError::new(
                first,
                avp::SESSION_ID.name,
                "not the first AVP",
            )),
            _ => s.text(avp::SESSION_ID.name),
        }
    }

    /// OC-Supported-Features (RFC 7683 §7.1), if present: its feature vector.
    fn oc_supported_features(&self) -> Result<Option<u64>, WireError> {
        self.opt(doic::OC_SUPPORTED_FEATURES)?
            .map(|a| doic::supported_features_from_ref(&a))
            .transpose()
    }

    fn check_auth_session_state(&self) -> Result<(), WireError> {
        let a = self.one(avp::AUTH_SESSION_STATE)?;
        match a.u32(avp::AUTH_SESSION_STATE.name)? {
            NO_STATE_MAINTAINED => Ok(()),
            _ => Err(WireError::new(
                a.data_offset,
                avp::AUTH_SESSION_STATE.name,
                "not NO_STATE_MAINTAINED (1), which S6a uses",
            )),
        }
    }

    fn vendor_specific_application_id(
        &self,
    ) -> Result<Option<VendorSpecificApplicationId>, WireError> {
        let Some(a) = self.opt(avp::VENDOR_SPECIFIC_APPLICATION_ID)? else {
            return Ok(None);
        };
        let g = Avps::group(&a, avp::VENDOR_SPECIFIC_APPLICATION_ID, &VSAI_AVPS)?;
        Ok(Some(VendorSpecificApplicationId {
            vendor_id: g.u32(avp::VENDOR_ID)?,
            auth_application_id: g.u32(avp::AUTH_APPLICATION_ID)?,
        }))
    }
}
