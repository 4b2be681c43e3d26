//! Diameter Overload Indication Conveyance (RFC 7683): the OC-Supported-Features
//! and OC-OLR AVPs that S6a carries (TS 29.272 §7.2.5-6 list both in AIR/AIA).
//!
//! ```text
//! OC-Supported-Features ::= < AVP Header: 621 >  [ OC-Feature-Vector ] *[ AVP ]
//! OC-OLR ::= < AVP Header: 623 >  < OC-Sequence-Number > < OC-Report-Type >
//!            [ OC-Reduction-Percentage ] [ OC-Validity-Duration ] *[ AVP ]
//! ```
//!
//! RFC 7683 §7 (and the IANA AVP code registry): base AVPs (no Vendor-ID),
//! sent with the M bit clear, so that a node without DOIC skips them. Codes
//! 625/626 are also 3GPP's Confidentiality-Key/Integrity-Key, which carry
//! Vendor-ID 10415: code and vendor together tell them apart.

use super::avp::{self, AvpDef, padded_len};
use super::s6a::Avps;
use crate::wire::WireError;

const fn oc(code: u32, name: &'static str, grouped: bool) -> AvpDef {
    AvpDef {
        code,
        vendor: None,
        name,
        grouped,
        mandatory: false,
    }
}

pub const OC_SUPPORTED_FEATURES: AvpDef = oc(621, "OC-Supported-Features", true);
pub const OC_FEATURE_VECTOR: AvpDef = oc(622, "OC-Feature-Vector", false);
pub const OC_OLR: AvpDef = oc(623, "OC-OLR", true);
pub const OC_SEQUENCE_NUMBER: AvpDef = oc(624, "OC-Sequence-Number", false);
pub const OC_VALIDITY_DURATION: AvpDef = oc(625, "OC-Validity-Duration", false);
pub const OC_REPORT_TYPE: AvpDef = oc(626, "OC-Report-Type", false);
pub const OC_REDUCTION_PERCENTAGE: AvpDef = oc(627, "OC-Reduction-Percentage", false);

/// OC-Feature-Vector bit OLR_DEFAULT_ALGO (RFC 7683 §7.2): the loss
/// abatement algorithm, the only one modelled.
pub const OLR_DEFAULT_ALGO: u64 = 0x0000_0000_0000_0001;
/// OC-Validity-Duration when the AVP is absent (RFC 7683 §7.4), seconds.
pub const DEFAULT_VALIDITY_S: u32 = 30;
/// Largest OC-Validity-Duration (RFC 7683 §7.4), seconds.
pub const MAX_VALIDITY_S: u32 = 86_400;

const SUPPORTED_FEATURES_AVPS: [AvpDef; 1] = [OC_FEATURE_VECTOR];
const OLR_AVPS: [AvpDef; 4] = [
    OC_SEQUENCE_NUMBER,
    OC_REPORT_TYPE,
    OC_REDUCTION_PERCENTAGE,
    OC_VALIDITY_DURATION,
];

/// OC-Report-Type (RFC 7683 §7.6).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ReportType {
    /// 0: requests with this Destination-Host (or routed to this host).
    Host,
    /// 1: requests with this Destination-Realm and no Destination-Host.
    Realm,
}

impl ReportType {
    fn value(self) -> u32 {
        match self {
            Self::Host => 0,
            Self::Realm => 1,
        }
    }
}

/// An Overload Report (RFC 7683 §7.3) for the loss algorithm.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct OcOlr {
    /// Higher means newer (§7.5).
    pub sequence_number: u64,
    pub report_type: ReportType,
    /// Share of requests the reacting node must not send, 0..=100 (§7.7);
    /// `None`: the AVP is absent (0, no reduction).
    pub reduction_percentage: Option<u32>,
    /// Seconds, 0..=86400 (§7.4); 0 ends the overload; `None`: absent (30 s).
    pub validity_duration: Option<u32>,
}

impl OcOlr {
    /// The reduction it asks for (absent: 0 %).
    pub fn reduction(&self) -> u32 {
        self.reduction_percentage.unwrap_or(0)
    }

    /// Its validity in seconds (absent: 30 s).
    pub fn validity_s(&self) -> u32 {
        self.validity_duration.unwrap_or(DEFAULT_VALIDITY_S)
    }

    pub(crate) fn encoded_len(&self) -> usize {
        padded_len(
            OC_OLR,
            padded_len(OC_SEQUENCE_NUMBER, 8)
                + padded_len(OC_REPORT_TYPE, 4)
                + self
                    .reduction_percentage
                    .map_or(0, |_| padded_len(OC_REDUCTION_PERCENTAGE, 4))
                + self
                    .validity_duration
                    .map_or(0, |_| padded_len(OC_VALIDITY_DURATION, 4)),
        )
    }

    /// # Panics
    /// If the percentage exceeds 100 or the validity 86400 s (the decoder
    /// refuses both, so the encoder does not write them).
    pub(crate) fn put(&self, out: &mut Vec<u8>) {
        assert!(self.reduction() <= 100, "OC-Reduction-Percentage > 100");
        assert!(
            self.validity_s() <= MAX_VALIDITY_S,
            "OC-Validity-Duration > 86400"
        );
        let g = avp::begin_group(out, OC_OLR);
        avp::put_u64(out, OC_SEQUENCE_NUMBER, self.sequence_number);
        avp::put_u32(out, OC_REPORT_TYPE, self.report_type.value());
        if let Some(p) = self.reduction_percentage {
            avp::put_u32(out, OC_REDUCTION_PERCENTAGE, p);
        }
        if let Some(v) = self.validity_duration {
            avp::put_u32(out, OC_VALIDITY_DURATION, v);
        }
        avp::end_group(out, g);
    }

    /// Decodes the OC-OLR `a`; values outside the RFC's ranges and unknown
    /// report types are errors naming their offset.
    pub(crate) fn from_ref(a: &avp::AvpRef<'_>) -> Result<Self, WireError> {
        let g = Avps::group(a, OC_OLR, &OLR_AVPS)?;
        let sequence_number = g.one(OC_SEQUENCE_NUMBER)?.u64(OC_SEQUENCE_NUMBER.name)?;
        let t = g.one(OC_REPORT_TYPE)?;
        let report_type = match t.u32(OC_REPORT_TYPE.name)? {
            0 => ReportType::Host,
            1 => ReportType::Realm,
            _ => {
                return Err(WireError::new(
                    t.data_offset,
                    OC_REPORT_TYPE.name,
                    "neither HOST_REPORT (0) nor REALM_REPORT (1)",
                ));
            }
        };
        let bounded = |def: AvpDef, max: u32, problem: &'static str| {
            g.opt(def)?
                .map(|a| match a.u32(def.name)? {
                    v if v <= max => Ok(v),
                    _ => Err(WireError::new(a.data_offset, def.name, problem)),
                })
                .transpose()
        };
        Ok(Self {
            sequence_number,
            report_type,
            reduction_percentage: bounded(OC_REDUCTION_PERCENTAGE, 100, "above 100")?,
            validity_duration: bounded(OC_VALIDITY_DURATION, MAX_VALIDITY_S, "above 86400 s")?,
        })
    }
}

/// Octets of an OC-Supported-Features carrying `features` (always with its
/// OC-Feature-Vector: authsim announces the loss algorithm explicitly).
pub(crate) fn supported_features_len() -> usize {
    padded_len(OC_SUPPORTED_FEATURES, padded_len(OC_FEATURE_VECTOR, 8))
}

pub(crate) fn put_supported_features(out: &mut Vec<u8>, features: u64) {
    let g = avp::begin_group(out, OC_SUPPORTED_FEATURES);
    avp::put_u64(out, OC_FEATURE_VECTOR, features);
    avp::end_group(out, g);
}

/// The feature vector of OC-Supported-Features `a` (absent vector: only
/// the default algorithm, RFC 7683 §7.2, so [`OLR_DEFAULT_ALGO`]). Zero is
/// reserved and refused.
pub(crate) fn supported_features_from_ref(a: &avp::AvpRef<'_>) -> Result<u64, WireError> {
    let g = Avps::group(a, OC_SUPPORTED_FEATURES, &SUPPORTED_FEATURES_AVPS)?;
    match g.opt(OC_FEATURE_VECTOR)? {
        None => Ok(OLR_DEFAULT_ALGO),
        Some(v) => match v.u64(OC_FEATURE_VECTOR.name)? {
            0 => Err(WireError::new(
                v.data_offset,
                OC_FEATURE_VECTOR.name,
                "zero is reserved",
            )),
            f => Ok(f),
        },
    }
}
