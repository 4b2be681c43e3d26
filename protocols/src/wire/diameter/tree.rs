//! An owned AVP tree: decodes any Diameter message and re-encodes it byte for
//! byte. Only the tests use it, to build PDUs the typed encoders would not
//! write (reordered, duplicated, unknown or corrupted AVPs) and to check the
//! typed encoders against an independent encoding.

use super::avp::{self, *};
use super::doic::{self, OcOlr};
use super::s6a::{
    AuthenticationInfo, AuthenticationInformationAnswer, AuthenticationInformationRequest,
    DiameterResult, EutranVector, NO_STATE_MAINTAINED, RequestedAuthInfo, UtranVector,
    VendorSpecificApplicationId,
};
use super::{Header, decode_refs};
use crate::wire::WireError;

/// Every AVP this module knows, for [`is_grouped_s6a`].
const S6A_DICTIONARY: &[AvpDef] = &[
    USER_NAME,
    AUTH_APPLICATION_ID,
    VENDOR_SPECIFIC_APPLICATION_ID,
    SESSION_ID,
    ORIGIN_HOST,
    VENDOR_ID,
    RESULT_CODE,
    AUTH_SESSION_STATE,
    DESTINATION_REALM,
    DESTINATION_HOST,
    ORIGIN_REALM,
    EXPERIMENTAL_RESULT,
    EXPERIMENTAL_RESULT_CODE,
    CONFIDENTIALITY_KEY,
    INTEGRITY_KEY,
    VISITED_PLMN_ID,
    REQUESTED_EUTRAN_AUTHENTICATION_INFO,
    REQUESTED_UTRAN_GERAN_AUTHENTICATION_INFO,
    NUMBER_OF_REQUESTED_VECTORS,
    RE_SYNCHRONIZATION_INFO,
    IMMEDIATE_RESPONSE_PREFERRED,
    AUTHENTICATION_INFO,
    E_UTRAN_VECTOR,
    UTRAN_VECTOR,
    ITEM_NUMBER,
    RAND,
    XRES,
    AUTN,
    KASME,
    doic::OC_SUPPORTED_FEATURES,
    doic::OC_FEATURE_VECTOR,
    doic::OC_OLR,
    doic::OC_SEQUENCE_NUMBER,
    doic::OC_VALIDITY_DURATION,
    doic::OC_REPORT_TYPE,
    doic::OC_REDUCTION_PERCENTAGE,
];

/// Whether `(code, vendor)` is a Grouped AVP of [`S6A_DICTIONARY`].
fn is_grouped_s6a(code: u32, vendor: Option<u32>) -> bool {
    S6A_DICTIONARY
        .iter()
        .any(|d| d.grouped && d.code == code && d.vendor == vendor)
}

/// An owned AVP.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Avp {
    pub code: u32,
    /// Vendor-ID; `Some` sets the V bit.
    pub vendor: Option<u32>,
    /// The M bit.
    pub mandatory: bool,
    pub data: AvpData,
}

/// AVP data: raw octets (any basic type, already encoded) or child AVPs.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum AvpData {
    Octets(Vec<u8>),
    Grouped(Vec<Avp>),
}

impl Avp {
    /// An AVP of `def`, with the M bit if `def` is sent with it.
    pub fn octets(def: AvpDef, data: &[u8]) -> Self {
        Self {
            code: def.code,
            vendor: def.vendor,
            mandatory: def.mandatory,
            data: AvpData::Octets(data.to_vec()),
        }
    }
    /// Unsigned32 / Enumerated.
    pub fn u32(def: AvpDef, v: u32) -> Self {
        Self::octets(def, &v.to_be_bytes())
    }
    /// Unsigned64.
    pub fn u64(def: AvpDef, v: u64) -> Self {
        Self::octets(def, &v.to_be_bytes())
    }
    /// UTF8String / DiameterIdentity.
    pub fn text(def: AvpDef, s: &str) -> Self {
        Self::octets(def, s.as_bytes())
    }
    pub fn grouped(def: AvpDef, children: Vec<Avp>) -> Self {
        Self {
            code: def.code,
            vendor: def.vendor,
            mandatory: def.mandatory,
            data: AvpData::Grouped(children),
        }
    }

    fn header_len(&self) -> usize {
        if self.vendor.is_some() {
            VENDOR_HEADER_LEN
        } else {
            HEADER_LEN
        }
    }

    fn data_len(&self) -> usize {
        match &self.data {
            AvpData::Octets(d) => d.len(),
            AvpData::Grouped(children) => children.iter().map(Avp::padded_len).sum(),
        }
    }

    /// The AVP Length field: header + data, without padding.
    pub fn avp_len(&self) -> usize {
        self.header_len() + self.data_len()
    }

    /// Octets on the wire, with padding.
    pub fn padded_len(&self) -> usize {
        self.avp_len().next_multiple_of(4)
    }

    /// Appends the AVP and its padding.
    ///
    /// # Panics
    /// If the AVP is longer than the 24-bit length field allows.
    pub fn encode_into(&self, out: &mut Vec<u8>) {
        let len = self.avp_len();
        assert!(len < 1 << 24, "AVP longer than 2^24 - 1 octets");
        out.extend_from_slice(&self.code.to_be_bytes());
        let mut flags = 0;
        if self.vendor.is_some() {
            flags |= FLAG_VENDOR;
        }
        if self.mandatory {
            flags |= FLAG_MANDATORY;
        }
        out.push(flags);
        out.extend_from_slice(&(len as u32).to_be_bytes()[1..]);
        if let Some(v) = self.vendor {
            out.extend_from_slice(&v.to_be_bytes());
        }
        match &self.data {
            AvpData::Octets(d) => out.extend_from_slice(d),
            AvpData::Grouped(children) => {
                for c in children {
                    c.encode_into(out);
                }
            }
        }
        out.resize(out.len() + (self.padded_len() - len), 0);
    }

    /// Builds the owned tree from a decoded view, parsing the data of AVPs for
    /// which `is_grouped(code, vendor)` holds as child AVPs.
    pub fn from_ref(
        r: &AvpRef<'_>,
        is_grouped: &dyn Fn(u32, Option<u32>) -> bool,
    ) -> Result<Self, WireError> {
        let data = if is_grouped(r.code, r.vendor) {
            let children = r
                .children()?
                .iter()
                .map(|c| Avp::from_ref(c, is_grouped))
                .collect::<Result<_, _>>()?;
            AvpData::Grouped(children)
        } else {
            AvpData::Octets(r.data.to_vec())
        };
        Ok(Self {
            code: r.code,
            vendor: r.vendor,
            mandatory: r.mandatory,
            data,
        })
    }
}

/// A Diameter message as header and AVP tree, in wire order.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct AvpMessage {
    pub header: Header,
    pub avps: Vec<Avp>,
}

impl AvpMessage {
    /// # Panics
    /// If the command code exceeds 24 bits or the message 2^24 - 1 octets.
    pub fn encode(&self) -> Vec<u8> {
        let mut out = Vec::new();
        let start = self.header.begin(&mut out);
        for a in &self.avps {
            a.encode_into(&mut out);
        }
        Header::finish(&mut out, start);
        out
    }

    /// Decodes with the S6a dictionary deciding which AVPs are Grouped.
    pub fn decode(pdu: &[u8]) -> Result<Self, WireError> {
        let (header, refs) = decode_refs(pdu)?;
        let avps = refs
            .iter()
            .map(|r| Avp::from_ref(r, &is_grouped_s6a))
            .collect::<Result<_, _>>()?;
        Ok(Self { header, avps })
    }
}

impl AuthenticationInformationRequest {
    /// The AVPs in ABNF order.
    pub fn avps(&self) -> Vec<Avp> {
        let mut v = vec![Avp::text(avp::SESSION_ID, &self.session_id)];
        v.extend(self.vendor_specific_application_id.map(vsai));
        v.push(Avp::u32(avp::AUTH_SESSION_STATE, NO_STATE_MAINTAINED));
        v.push(Avp::text(avp::ORIGIN_HOST, &self.origin_host));
        v.push(Avp::text(avp::ORIGIN_REALM, &self.origin_realm));
        if let Some(h) = &self.destination_host {
            v.push(Avp::text(avp::DESTINATION_HOST, h));
        }
        v.push(Avp::text(avp::DESTINATION_REALM, &self.destination_realm));
        v.push(Avp::text(avp::USER_NAME, &self.user_name));
        v.extend(self.oc_supported_features.map(supported_features));
        if let Some(r) = &self.requested_eutran {
            v.push(requested(r, avp::REQUESTED_EUTRAN_AUTHENTICATION_INFO));
        }
        if let Some(r) = &self.requested_utran_geran {
            v.push(requested(r, avp::REQUESTED_UTRAN_GERAN_AUTHENTICATION_INFO));
        }
        v.push(Avp::octets(avp::VISITED_PLMN_ID, &self.visited_plmn_id));
        v
    }
}

impl AuthenticationInformationAnswer {
    /// The AVPs in ABNF order.
    pub fn avps(&self) -> Vec<Avp> {
        let mut v = vec![Avp::text(avp::SESSION_ID, &self.session_id)];
        v.extend(self.vendor_specific_application_id.map(vsai));
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
        v.extend(self.oc_supported_features.map(supported_features));
        v.extend(self.oc_olr.as_ref().map(olr));
        if let Some(info) = &self.authentication_info {
            v.push(authentication_info(info));
        }
        v
    }
}

fn supported_features(f: u64) -> Avp {
    Avp::grouped(
        doic::OC_SUPPORTED_FEATURES,
        vec![Avp::u64(doic::OC_FEATURE_VECTOR, f)],
    )
}

fn olr(o: &OcOlr) -> Avp {
    let mut c = vec![
        Avp::u64(doic::OC_SEQUENCE_NUMBER, o.sequence_number),
        Avp::u32(
            doic::OC_REPORT_TYPE,
            match o.report_type {
                doic::ReportType::Host => 0,
                doic::ReportType::Realm => 1,
            },
        ),
    ];
    c.extend(
        o.reduction_percentage
            .map(|p| Avp::u32(doic::OC_REDUCTION_PERCENTAGE, p)),
    );
    c.extend(
        o.validity_duration
            .map(|v| Avp::u32(doic::OC_VALIDITY_DURATION, v)),
    );
    Avp::grouped(doic::OC_OLR, c)
}

fn vsai(a: VendorSpecificApplicationId) -> Avp {
    Avp::grouped(
        avp::VENDOR_SPECIFIC_APPLICATION_ID,
        vec![
            Avp::u32(avp::VENDOR_ID, a.vendor_id),
            Avp::u32(avp::AUTH_APPLICATION_ID, a.auth_application_id),
        ],
    )
}

fn requested(r: &RequestedAuthInfo, def: AvpDef) -> Avp {
    let mut children = Vec::new();
    if let Some(n) = r.number_of_requested_vectors {
        children.push(Avp::u32(avp::NUMBER_OF_REQUESTED_VECTORS, n));
    }
    if r.immediate_response_preferred {
        children.push(Avp::u32(avp::IMMEDIATE_RESPONSE_PREFERRED, 1));
    }
    if let Some(s) = &r.re_synchronization_info {
        children.push(Avp::octets(avp::RE_SYNCHRONIZATION_INFO, s));
    }
    Avp::grouped(def, children)
}

fn vector_head(item_number: Option<u32>, rand: &[u8], xres: &[u8], autn: &[u8]) -> Vec<Avp> {
    let mut c: Vec<Avp> = item_number
        .map(|n| Avp::u32(avp::ITEM_NUMBER, n))
        .into_iter()
        .collect();
    c.extend([
        Avp::octets(avp::RAND, rand),
        Avp::octets(avp::XRES, xres),
        Avp::octets(avp::AUTN, autn),
    ]);
    c
}

fn eutran(v: &EutranVector) -> Avp {
    let mut c = vector_head(v.item_number, &v.rand, &v.xres, &v.autn);
    c.push(Avp::octets(avp::KASME, &v.kasme));
    Avp::grouped(avp::E_UTRAN_VECTOR, c)
}

fn utran(v: &UtranVector) -> Avp {
    let mut c = vector_head(v.item_number, &v.rand, &v.xres, &v.autn);
    c.push(Avp::octets(avp::CONFIDENTIALITY_KEY, &v.ck));
    c.push(Avp::octets(avp::INTEGRITY_KEY, &v.ik));
    Avp::grouped(avp::UTRAN_VECTOR, c)
}

fn authentication_info(info: &AuthenticationInfo) -> Avp {
    let e = info.eutran_vectors.iter().map(eutran);
    let u = info.utran_vectors.iter().map(utran);
    Avp::grouped(avp::AUTHENTICATION_INFO, e.chain(u).collect())
}
