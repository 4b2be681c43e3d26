//! NAS EPS mobility management (EMM) messages of TS 24.301 used by EPS-AKA.
//!
//! Plain messages start with a 2-octet header (TS 24.301 §9.1): octet 1 is the
//! security header type (0 = plain) in bits 8-5 and the protocol discriminator
//! 0x7 (EMM) in bits 4-1, octet 2 the message type (§9.8). Information elements
//! follow in the order of the message tables of §8.2 with the formats of
//! TS 24.007 §11.2.1.1 (V, LV, LV-E, TV, TLV). A security protected message
//! (§9.1, §4.4) is a 6-octet envelope (header, MAC, sequence number) around a
//! plain message: see [`SecurityProtected`].
//!
//! Decoders are strict: they accept exactly the encodings the encoders produce
//! (spare bits zero, canonical digit filler), so `encode(decode(b)) == b` holds
//! for every accepted `b`. The one exception to "every octet is modelled" is the
//! non-imperative part of the Attach request, kept verbatim.

use super::ie::{
    IDENTITY_GUTI, IDENTITY_IMEISV, IDENTITY_IMSI, decode_digits, digits_len, expect_iei,
    half_octets, low_half_with_spare, lv_array, lv_bounded, lv_e, put_digits, put_imsi, put_lv,
    put_lv_e,
};
pub use super::ie::{decode_imsi_identity, encode_imsi_identity};
use super::{Message, Reader, WireError, delegate_to_variants, inherent_message_methods};

/// Protocol discriminator of EPS mobility management (TS 24.007 §11.2.3.1.1).
pub const PD_EMM: u8 = 0x7;
/// Octets of the plain EMM header (security header type + PD, message type).
pub const PLAIN_HEADER_LEN: usize = 2;

/// EMM message types (TS 24.301 §9.8, table 9.8.1).
pub mod msg_type {
    pub const ATTACH_REQUEST: u8 = 0x41;
    pub const ATTACH_REJECT: u8 = 0x44;
    pub const AUTHENTICATION_REQUEST: u8 = 0x52;
    pub const AUTHENTICATION_RESPONSE: u8 = 0x53;
    pub const AUTHENTICATION_REJECT: u8 = 0x54;
    pub const AUTHENTICATION_FAILURE: u8 = 0x5c;
    pub const SECURITY_MODE_COMMAND: u8 = 0x5d;
    pub const SECURITY_MODE_COMPLETE: u8 = 0x5e;
    pub const SECURITY_MODE_REJECT: u8 = 0x5f;
}

/// NAS key set identifier value meaning "no key is available" (§9.9.3.21).
///
/// A NAS KSI is a half octet: bit 4 is the type of security context flag
/// (0 native, 1 mapped), bits 3-1 the key set identifier.
pub const KSI_NO_KEY: u8 = 7;

/// EPS attach type values (§9.9.3.11).
pub mod attach_type {
    pub const EPS_ATTACH: u8 = 1;
    pub const COMBINED_EPS_IMSI_ATTACH: u8 = 2;
    pub const EPS_EMERGENCY_ATTACH: u8 = 6;
}

/// A realistic UE network capability (§9.9.3.34): EEA0-2 and EIA1-2 for
/// E-UTRA (octets 1-2) plus UEA0-1/UIA1 for UTRA (octets 3-4).
pub const TYPICAL_UE_NETWORK_CAPABILITY: [u8; 4] = [0xe0, 0x60, 0xc0, 0x40];

/// A minimal ESM PDN CONNECTIVITY REQUEST (TS 24.301 §8.3.20) for the ESM
/// message container of an Attach request: EPS bearer identity 0 + PD ESM,
/// PTI 1, message type 0xd0, PDN type IPv4 + request type "initial request",
/// then the ESM information transfer flag (TV, IEI 0xD-) set to "required".
pub const MINIMAL_PDN_CONNECTIVITY_REQUEST: [u8; 5] = [0x02, 0x01, 0xd0, 0x11, 0xd1];

/// EMM cause (§9.9.3.9), one octet.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct EmmCause(pub u8);

impl EmmCause {
    pub const ILLEGAL_UE: Self = Self(3);
    pub const EPS_SERVICES_NOT_ALLOWED: Self = Self(7);
    pub const NETWORK_FAILURE: Self = Self(17);
    pub const MAC_FAILURE: Self = Self(20);
    pub const SYNCH_FAILURE: Self = Self(21);
    pub const CONGESTION: Self = Self(22);
    pub const UE_SECURITY_CAPABILITIES_MISMATCH: Self = Self(23);
    pub const SECURITY_MODE_REJECTED_UNSPECIFIED: Self = Self(24);
    pub const NON_EPS_AUTHENTICATION_UNACCEPTABLE: Self = Self(26);
}

/// EPS mobile identity (§9.9.3.12): an IMSI (BCD digits, TS 24.008 §10.5.1.4)
/// or a GUTI.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum EpsMobileIdentity {
    /// IMSI as 6..=15 decimal digits, e.g. "001010123456789".
    Imsi(String),
    Guti(Guti),
}

/// GUTI fields of an EPS mobile identity (§9.9.3.12, type 110).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Guti {
    /// MCC + MNC as encoded on the wire (3 octets, TS 24.008 §10.5.1.3).
    pub plmn: [u8; 3],
    pub mme_group_id: u16,
    pub mme_code: u8,
    pub m_tmsi: u32,
}

/// ATTACH REQUEST (§8.2.4), UE to network.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct AttachRequest {
    /// NAS key set identifier (half octet, see [`KSI_NO_KEY`]).
    pub nas_ksi: u8,
    /// EPS attach type (3 bits, see [`attach_type`]).
    pub attach_type: u8,
    pub identity: EpsMobileIdentity,
    /// UE network capability value, 2..=13 octets (§9.9.3.34).
    pub ue_network_capability: Vec<u8>,
    /// ESM message container value (§9.9.3.15), e.g. a PDN CONNECTIVITY
    /// REQUEST; carried as LV-E.
    pub esm_message_container: Vec<u8>,
    /// The non-imperative part (optional IEs such as DRX parameter or MS
    /// network capability), kept verbatim and not interpreted.
    pub optional_ies: Vec<u8>,
}

/// AUTHENTICATION REQUEST (§8.2.7), network to UE: always 36 octets.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct AuthenticationRequest {
    /// NAS key set identifier ASME (half octet).
    pub nas_ksi: u8,
    pub rand: [u8; 16],
    pub autn: [u8; 16],
}

/// AUTHENTICATION RESPONSE (§8.2.8), UE to network: 3 + |RES| octets.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct AuthenticationResponse {
    /// RES, 4..=16 octets (§9.9.3.4).
    pub res: Vec<u8>,
}

/// AUTHENTICATION FAILURE (§8.2.5), UE to network.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct AuthenticationFailure {
    /// MAC failure, synch failure or non-EPS authentication unacceptable.
    pub cause: EmmCause,
    /// AUTS of the authentication failure parameter (IEI 0x30, §9.9.3.1);
    /// present with synch failure.
    pub auts: Option<[u8; 14]>,
}

/// SECURITY MODE COMMAND (§8.2.20), network to UE.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SecurityModeCommand {
    /// Type of ciphering algorithm, 0..=7 (EEA0, 128-EEA1, ...; §9.9.3.23).
    pub ciphering_algorithm: u8,
    /// Type of integrity protection algorithm, 0..=7 (EIA0, 128-EIA1, ...).
    pub integrity_algorithm: u8,
    /// NAS key set identifier (half octet).
    pub nas_ksi: u8,
    /// Replayed UE security capabilities, 2..=5 octets (§9.9.3.36).
    pub replayed_ue_security_capabilities: Vec<u8>,
    /// IMEISV request (TV, IEI 0xC-, TS 24.008 §10.5.5.10): `Some(true)`
    /// requests the IMEISV; `None` omits the IE.
    pub imeisv_request: Option<bool>,
}

/// SECURITY MODE COMPLETE (§8.2.21), UE to network.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SecurityModeComplete {
    /// IMEISV (IEI 0x23, mobile identity type 3) as 16 decimal digits.
    pub imeisv: Option<String>,
}

/// ATTACH REJECT (§8.2.3), network to UE.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct AttachReject {
    pub cause: EmmCause,
    /// ESM message container (IEI 0x78, TLV-E), e.g. a PDN CONNECTIVITY REJECT.
    pub esm_message_container: Option<Vec<u8>>,
    /// T3346 value (IEI 0x5F, GPRS timer 2, §9.9.3.16A, TLV of 3 octets):
    /// the back-off the network asks for with cause #22 (§5.5.1.2.5).
    pub t3346: Option<GprsTimer2>,
}

/// GPRS timer 2 (TS 24.301 §9.9.3.16A → TS 24.008 §10.5.7.4): one value
/// octet, bits 8-6 the unit, bits 5-1 a count of 0..=31 units.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct GprsTimer2(u8);

impl GprsTimer2 {
    /// Unit "multiples of 2 seconds" (000).
    pub const UNIT_2S: u8 = 0b000;
    /// Unit "multiples of 1 minute" (001).
    pub const UNIT_1MIN: u8 = 0b001;
    /// Unit "multiples of decihours" (010).
    pub const UNIT_DECIHOUR: u8 = 0b010;
    /// "Timer is deactivated" (111).
    pub const UNIT_DEACTIVATED: u8 = 0b111;
    /// The timer deactivated (count zero).
    pub const DEACTIVATED: Self = Self(Self::UNIT_DEACTIVATED << 5);

    /// The value octet, if its unit is one the encoder produces (TS 24.008
    /// lets a receiver read units 011..=110 as minutes; this strict decoder
    /// refuses them, as no encoder here writes them).
    pub fn from_octet(octet: u8) -> Option<Self> {
        matches!(
            octet >> 5,
            Self::UNIT_2S | Self::UNIT_1MIN | Self::UNIT_DECIHOUR | Self::UNIT_DEACTIVATED
        )
        .then_some(Self(octet))
    }

    /// `unit` and `count` (0..=31) as one octet; `None` for another unit or count.
    pub fn new(unit: u8, count: u8) -> Option<Self> {
        if count > 31 {
            return None;
        }
        Self::from_octet((unit << 5) | count)
    }

    /// The closest value not above `seconds` in the finest unit that holds
    /// it: 2 s steps up to 62 s, minutes up to 31 min, decihours up to
    /// 186 min (longer values are capped there).
    pub fn from_seconds(seconds: u64) -> Self {
        let (unit, step) = if seconds <= 62 {
            (Self::UNIT_2S, 2)
        } else if seconds <= 31 * 60 {
            (Self::UNIT_1MIN, 60)
        } else {
            (Self::UNIT_DECIHOUR, 360)
        };
        Self((unit << 5) | (seconds / step).min(31) as u8)
    }

    pub fn octet(self) -> u8 {
        self.0
    }

    /// The duration in seconds, `None` when deactivated.
    pub fn seconds(self) -> Option<u64> {
        let count = u64::from(self.0 & 0x1f);
        match self.0 >> 5 {
            Self::UNIT_2S => Some(2 * count),
            Self::UNIT_1MIN => Some(60 * count),
            Self::UNIT_DECIHOUR => Some(360 * count),
            _ => None,
        }
    }
}

/// One plain EMM message.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum NasMessage {
    AttachRequest(AttachRequest),
    AuthenticationRequest(AuthenticationRequest),
    AuthenticationResponse(AuthenticationResponse),
    AuthenticationFailure(AuthenticationFailure),
    /// AUTHENTICATION REJECT (§8.2.6): header only.
    AuthenticationReject,
    SecurityModeCommand(SecurityModeCommand),
    SecurityModeComplete(SecurityModeComplete),
    /// SECURITY MODE REJECT (§8.2.22): header + EMM cause.
    SecurityModeReject(EmmCause),
    AttachReject(AttachReject),
}

/// IEIs of the optional IEs that are modelled.
const IEI_AUTH_FAILURE_PARAMETER: u8 = 0x30;
const IEI_IMEISV: u8 = 0x23;
const IEI_IMEISV_REQUEST: u8 = 0xc; // type 1: IEI in the upper half octet
const IEI_ESM_MESSAGE_CONTAINER: u8 = 0x78;
const IEI_T3346_VALUE: u8 = 0x5f;

impl NasMessage {
    /// The message type octet (§9.8).
    pub fn message_type(&self) -> u8 {
        match self {
            Self::AttachRequest(_) => msg_type::ATTACH_REQUEST,
            Self::AuthenticationRequest(_) => msg_type::AUTHENTICATION_REQUEST,
            Self::AuthenticationResponse(_) => msg_type::AUTHENTICATION_RESPONSE,
            Self::AuthenticationFailure(_) => msg_type::AUTHENTICATION_FAILURE,
            Self::AuthenticationReject => msg_type::AUTHENTICATION_REJECT,
            Self::SecurityModeCommand(_) => msg_type::SECURITY_MODE_COMMAND,
            Self::SecurityModeComplete(_) => msg_type::SECURITY_MODE_COMPLETE,
            Self::SecurityModeReject(_) => msg_type::SECURITY_MODE_REJECT,
            Self::AttachReject(_) => msg_type::ATTACH_REJECT,
        }
    }

    /// Decodes a plain message that starts at offset `base` of a larger PDU
    /// (errors report offsets in that PDU).
    fn decode_at(buf: &[u8], base: usize) -> Result<Self, WireError> {
        let mut r = Reader::with_base(buf, base);
        let octet1 = r.u8("security header type / protocol discriminator")?;
        if octet1 & 0x0f != PD_EMM {
            return Err(WireError::new(
                base,
                "protocol discriminator",
                "not EMM (0x7)",
            ));
        }
        if octet1 >> 4 != 0 {
            return Err(WireError::new(
                base,
                "security header type",
                "not 0 (plain NAS message)",
            ));
        }
        let type_offset = r.offset();
        let msg = match r.u8("message type")? {
            msg_type::ATTACH_REQUEST => Self::AttachRequest(AttachRequest::decode_body(&mut r)?),
            msg_type::AUTHENTICATION_REQUEST => {
                let nas_ksi = low_half_with_spare(&mut r, "NAS key set identifier ASME")?;
                let rand = r.array::<16>("RAND")?;
                let autn = lv_array::<16>(&mut r, "AUTN")?;
                Self::AuthenticationRequest(AuthenticationRequest {
                    nas_ksi,
                    rand,
                    autn,
                })
            }
            msg_type::AUTHENTICATION_RESPONSE => {
                let res = lv_bounded(&mut r, 4, 16, "authentication response parameter (RES)")?;
                Self::AuthenticationResponse(AuthenticationResponse { res: res.to_vec() })
            }
            msg_type::AUTHENTICATION_FAILURE => {
                let cause = EmmCause(r.u8("EMM cause")?);
                let auts = if r.is_empty() {
                    None
                } else {
                    expect_iei(
                        &mut r,
                        IEI_AUTH_FAILURE_PARAMETER,
                        "authentication failure parameter",
                    )?;
                    Some(lv_array::<14>(&mut r, "AUTS")?)
                };
                Self::AuthenticationFailure(AuthenticationFailure { cause, auts })
            }
            msg_type::AUTHENTICATION_REJECT => Self::AuthenticationReject,
            msg_type::SECURITY_MODE_COMMAND => {
                Self::SecurityModeCommand(SecurityModeCommand::decode_body(&mut r)?)
            }
            msg_type::SECURITY_MODE_COMPLETE => {
                let imeisv = if r.is_empty() {
                    None
                } else {
                    expect_iei(&mut r, IEI_IMEISV, "IMEISV")?;
                    let at = r.offset() + 1;
                    let value = lv_bounded(&mut r, 1, 9, "IMEISV")?;
                    let digits = decode_digits(value, at, IDENTITY_IMEISV, "IMEISV")?;
                    if digits.len() != 16 {
                        return Err(WireError::new(at, "IMEISV", "digit count is not 16"));
                    }
                    Some(digits)
                };
                Self::SecurityModeComplete(SecurityModeComplete { imeisv })
            }
            msg_type::SECURITY_MODE_REJECT => {
                Self::SecurityModeReject(EmmCause(r.u8("EMM cause")?))
            }
            msg_type::ATTACH_REJECT => {
                let cause = EmmCause(r.u8("EMM cause")?);
                // Optional IEs in the order of table 8.2.3.1: ESM message
                // container (0x78), then T3346 value (0x5F).
                let mut esm_message_container = None;
                if r.peek() == Some(IEI_ESM_MESSAGE_CONTAINER) {
                    expect_iei(&mut r, IEI_ESM_MESSAGE_CONTAINER, "ESM message container")?;
                    esm_message_container = Some(lv_e(&mut r, "ESM message container")?.to_vec());
                }
                let t3346 = if r.is_empty() {
                    None
                } else {
                    expect_iei(&mut r, IEI_T3346_VALUE, "T3346 value")?;
                    let v = lv_array::<1>(&mut r, "T3346 value")?;
                    let at = r.offset() - 1;
                    Some(GprsTimer2::from_octet(v[0]).ok_or(WireError::new(
                        at,
                        "T3346 value",
                        "unknown timer unit",
                    ))?)
                };
                Self::AttachReject(AttachReject {
                    cause,
                    esm_message_container,
                    t3346,
                })
            }
            _ => {
                return Err(WireError::new(
                    type_offset,
                    "message type",
                    "not a modelled EMM message",
                ));
            }
        };
        r.finish("end of message (unsupported optional IE?)")?;
        Ok(msg)
    }
}

impl Message for NasMessage {
    fn kind(&self) -> &'static str {
        match self {
            Self::AttachRequest(_) => "AttachRequest",
            Self::AuthenticationRequest(_) => "AuthenticationRequest",
            Self::AuthenticationResponse(_) => "AuthenticationResponse",
            Self::AuthenticationFailure(_) => "AuthenticationFailure",
            Self::AuthenticationReject => "AuthenticationReject",
            Self::SecurityModeCommand(_) => "SecurityModeCommand",
            Self::SecurityModeComplete(_) => "SecurityModeComplete",
            Self::SecurityModeReject(_) => "SecurityModeReject",
            Self::AttachReject(_) => "AttachReject",
        }
    }

    fn encoded_len(&self) -> usize {
        PLAIN_HEADER_LEN
            + match self {
                Self::AttachRequest(m) => {
                    1 + 1
                        + m.identity.encoded_len()
                        + 1
                        + m.ue_network_capability.len()
                        + 2
                        + m.esm_message_container.len()
                        + m.optional_ies.len()
                }
                Self::AuthenticationRequest(_) => 1 + 16 + 1 + 16,
                Self::AuthenticationResponse(m) => 1 + m.res.len(),
                Self::AuthenticationFailure(m) => 1 + m.auts.map_or(0, |a| 2 + a.len()),
                Self::AuthenticationReject => 0,
                Self::SecurityModeCommand(m) => {
                    2 + 1
                        + m.replayed_ue_security_capabilities.len()
                        + usize::from(m.imeisv_request.is_some())
                }
                Self::SecurityModeComplete(m) => {
                    m.imeisv.as_ref().map_or(0, |d| 2 + digits_len(d.len()))
                }
                Self::SecurityModeReject(_) => 1,
                Self::AttachReject(m) => {
                    1 + m.esm_message_container.as_ref().map_or(0, |e| 3 + e.len())
                        + m.t3346.map_or(0, |_| 3)
                }
            }
    }

    fn encode_into(&self, out: &mut Vec<u8>) {
        out.reserve(self.encoded_len());
        out.extend_from_slice(&[PD_EMM, self.message_type()]);
        match self {
            Self::AttachRequest(m) => m.encode_body(out),
            Self::AuthenticationRequest(m) => {
                out.push(half_octets(0, m.nas_ksi));
                out.extend_from_slice(&m.rand);
                put_lv(out, &m.autn);
            }
            Self::AuthenticationResponse(m) => {
                assert!(
                    (4..=16).contains(&m.res.len()),
                    "RES must be 4..=16 octets, got {}",
                    m.res.len()
                );
                put_lv(out, &m.res);
            }
            Self::AuthenticationFailure(m) => {
                out.push(m.cause.0);
                if let Some(auts) = &m.auts {
                    out.push(IEI_AUTH_FAILURE_PARAMETER);
                    put_lv(out, auts);
                }
            }
            Self::AuthenticationReject => {}
            Self::SecurityModeCommand(m) => m.encode_body(out),
            Self::SecurityModeComplete(m) => {
                if let Some(imeisv) = &m.imeisv {
                    assert_eq!(imeisv.len(), 16, "IMEISV must have 16 digits");
                    out.extend_from_slice(&[IEI_IMEISV, digits_len(imeisv.len()) as u8]);
                    put_digits(out, IDENTITY_IMEISV, imeisv);
                }
            }
            Self::SecurityModeReject(cause) => out.push(cause.0),
            Self::AttachReject(m) => {
                out.push(m.cause.0);
                if let Some(esm) = &m.esm_message_container {
                    out.push(IEI_ESM_MESSAGE_CONTAINER);
                    put_lv_e(out, esm);
                }
                if let Some(t) = m.t3346 {
                    out.extend_from_slice(&[IEI_T3346_VALUE, 1, t.octet()]);
                }
            }
        }
    }

    /// Decodes a plain EMM message (security header type 0).
    fn decode(pdu: &[u8]) -> Result<Self, WireError> {
        Self::decode_at(pdu, 0)
    }
}

impl AttachRequest {
    fn encode_body(&self, out: &mut Vec<u8>) {
        assert!(self.attach_type <= 7, "EPS attach type is 3 bits");
        out.push(half_octets(self.nas_ksi, self.attach_type));
        out.push(self.identity.encoded_len() as u8);
        self.identity.encode_into(out);
        assert!(
            (2..=13).contains(&self.ue_network_capability.len()),
            "UE network capability must be 2..=13 octets"
        );
        put_lv(out, &self.ue_network_capability);
        put_lv_e(out, &self.esm_message_container);
        out.extend_from_slice(&self.optional_ies);
    }

    fn decode_body(r: &mut Reader<'_>) -> Result<Self, WireError> {
        let at = r.offset();
        let octet = r.u8("NAS key set identifier / EPS attach type")?;
        if octet & 0x08 != 0 {
            return Err(WireError::new(at, "EPS attach type", "spare bit 4 set"));
        }
        let at = r.offset() + 1;
        let id = lv_bounded(r, 4, 11, "EPS mobile identity")?;
        let identity = EpsMobileIdentity::decode(id, at)?;
        let ue_network_capability = lv_bounded(r, 2, 13, "UE network capability")?.to_vec();
        let esm_message_container = lv_e(r, "ESM message container")?.to_vec();
        Ok(Self {
            nas_ksi: octet >> 4,
            attach_type: octet & 0x07,
            identity,
            ue_network_capability,
            esm_message_container,
            optional_ies: r.rest().to_vec(),
        })
    }
}

impl SecurityModeCommand {
    fn encode_body(&self, out: &mut Vec<u8>) {
        assert!(
            self.ciphering_algorithm <= 7 && self.integrity_algorithm <= 7,
            "NAS security algorithm identifiers are 3 bits"
        );
        out.push((self.ciphering_algorithm << 4) | self.integrity_algorithm);
        out.push(half_octets(0, self.nas_ksi));
        assert!(
            (2..=5).contains(&self.replayed_ue_security_capabilities.len()),
            "replayed UE security capabilities must be 2..=5 octets"
        );
        put_lv(out, &self.replayed_ue_security_capabilities);
        if let Some(requested) = self.imeisv_request {
            out.push((IEI_IMEISV_REQUEST << 4) | u8::from(requested));
        }
    }

    fn decode_body(r: &mut Reader<'_>) -> Result<Self, WireError> {
        let at = r.offset();
        let algorithms = r.u8("selected NAS security algorithms")?;
        if algorithms & 0x88 != 0 {
            return Err(WireError::new(
                at,
                "selected NAS security algorithms",
                "spare bit set",
            ));
        }
        let nas_ksi = low_half_with_spare(r, "NAS key set identifier")?;
        let caps = lv_bounded(r, 2, 5, "replayed UE security capabilities")?.to_vec();
        let imeisv_request = if r.is_empty() {
            None
        } else {
            let at = r.offset();
            match r.u8("IMEISV request")? {
                0xc0 => Some(false),
                0xc1 => Some(true),
                octet if octet >> 4 == IEI_IMEISV_REQUEST => {
                    return Err(WireError::new(at, "IMEISV request", "reserved value"));
                }
                _ => {
                    return Err(WireError::new(
                        at,
                        "optional IE",
                        "not modelled in a security mode command",
                    ));
                }
            }
        };
        Ok(Self {
            ciphering_algorithm: algorithms >> 4,
            integrity_algorithm: algorithms & 0x07,
            nas_ksi,
            replayed_ue_security_capabilities: caps,
            imeisv_request,
        })
    }
}

impl EpsMobileIdentity {
    /// The value part of the IE (without its length octet).
    ///
    /// # Panics
    /// If an IMSI does not have 6..=15 decimal digits (TS 23.003 §2.2).
    pub fn encode(&self) -> Vec<u8> {
        let mut v = Vec::with_capacity(self.encoded_len());
        self.encode_into(&mut v);
        v
    }

    /// Octets of [`Self::encode`]'s output.
    fn encoded_len(&self) -> usize {
        match self {
            Self::Imsi(imsi) => digits_len(imsi.len()),
            Self::Guti(_) => 11,
        }
    }

    /// [`Self::encode`] appended to `out`.
    fn encode_into(&self, out: &mut Vec<u8>) {
        match self {
            Self::Imsi(imsi) => put_imsi(out, imsi),
            Self::Guti(g) => {
                out.push(0xf0 | IDENTITY_GUTI);
                out.extend_from_slice(&g.plmn);
                out.extend_from_slice(&g.mme_group_id.to_be_bytes());
                out.push(g.mme_code);
                out.extend_from_slice(&g.m_tmsi.to_be_bytes());
            }
        }
    }

    /// Decodes the value part that starts at PDU offset `at`.
    fn decode(v: &[u8], at: usize) -> Result<Self, WireError> {
        let Some(&first) = v.first() else {
            return Err(WireError::new(at, "EPS mobile identity", "empty"));
        };
        match first & 0x07 {
            IDENTITY_IMSI => decode_imsi_identity(v, at).map(Self::Imsi),
            IDENTITY_GUTI => {
                if first != 0xf0 | IDENTITY_GUTI {
                    return Err(WireError::new(at, "GUTI", "octet 3 must be 0xf6"));
                }
                let mut r = Reader::with_base(&v[1..], at + 1);
                let g = Guti {
                    plmn: r.array::<3>("GUTI MCC/MNC")?,
                    mme_group_id: r.u16("GUTI MME group ID")?,
                    mme_code: r.u8("GUTI MME code")?,
                    m_tmsi: r.u32("GUTI M-TMSI")?,
                };
                r.finish("GUTI")?;
                Ok(Self::Guti(g))
            }
            _ => Err(WireError::new(
                at,
                "EPS mobile identity",
                "type is neither IMSI nor GUTI",
            )),
        }
    }
}

/// A security protected NAS message (§9.1, §4.4): header type 1..=4, MAC,
/// sequence number and the (possibly ciphered) plain NAS message.
///
/// Layout: octet 1 = `header_type << 4 | 0x7`, octets 2-5 MAC, octet 6 NAS
/// sequence number, then the inner message. The MAC is computed by the caller
/// over [`SecurityProtected::mac_input`] = sequence number || inner message
/// (§4.4.3.3), with COUNT, BEARER = 0 and DIRECTION as 128-EIA inputs.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SecurityProtected {
    /// 1 integrity protected, 2 + ciphered, 3 with new EPS security context,
    /// 4 ciphered with new EPS security context (see [`header_type`]).
    pub header_type: u8,
    pub mac: [u8; 4],
    pub seq: u8,
    /// The plain NAS message, or its ciphertext for header types 2 and 4.
    pub inner: Vec<u8>,
}

/// Security header types of protected EMM messages (§9.3.1).
pub mod header_type {
    pub const PLAIN: u8 = 0;
    pub const INTEGRITY_PROTECTED: u8 = 1;
    pub const INTEGRITY_PROTECTED_CIPHERED: u8 = 2;
    pub const INTEGRITY_PROTECTED_NEW_CONTEXT: u8 = 3;
    pub const INTEGRITY_PROTECTED_CIPHERED_NEW_CONTEXT: u8 = 4;
}

impl SecurityProtected {
    /// Octets before the inner message.
    pub const HEADER_LEN: usize = 6;

    /// Decodes the inner message as a plain EMM message; error offsets count
    /// from the start of the protected PDU. For header types 2 and 4 the caller
    /// must decipher first (with EEA0 the inner message is already plain).
    pub fn decode_inner(&self) -> Result<NasMessage, WireError> {
        NasMessage::decode_at(&self.inner, Self::HEADER_LEN)
    }

    /// The octets the MAC covers: sequence number || inner message (§4.4.3.3).
    pub fn mac_input(&self) -> Vec<u8> {
        let mut v = Vec::with_capacity(1 + self.inner.len());
        v.push(self.seq);
        v.extend_from_slice(&self.inner);
        v
    }
}

impl Message for SecurityProtected {
    /// The inner message's label if it decodes as plain (header types 1 and
    /// 3, or EEA0), otherwise "SecurityProtected".
    fn kind(&self) -> &'static str {
        self.decode_inner()
            .map_or("SecurityProtected", |m| m.kind())
    }

    fn encoded_len(&self) -> usize {
        Self::HEADER_LEN + self.inner.len()
    }

    /// # Panics
    /// If `header_type` is not 1..=4.
    fn encode_into(&self, out: &mut Vec<u8>) {
        out.reserve(self.encoded_len());
        out.extend_from_slice(&envelope_header(self.header_type, self.mac, self.seq));
        out.extend_from_slice(&self.inner);
    }

    fn decode(pdu: &[u8]) -> Result<Self, WireError> {
        let mut r = Reader::new(pdu);
        let octet1 = r.u8("security header type / protocol discriminator")?;
        if octet1 & 0x0f != PD_EMM {
            return Err(WireError::new(0, "protocol discriminator", "not EMM (0x7)"));
        }
        let header_type = octet1 >> 4;
        if !(1..=4).contains(&header_type) {
            return Err(WireError::new(
                0,
                "security header type",
                "not 1..=4 (protected)",
            ));
        }
        let mac = r.array::<4>("message authentication code")?;
        let seq = r.u8("sequence number")?;
        if r.remaining() < PLAIN_HEADER_LEN {
            return Err(r.err(
                "protected NAS message",
                "inner message shorter than 2 octets",
            ));
        }
        Ok(Self {
            header_type,
            mac,
            seq,
            inner: r.rest().to_vec(),
        })
    }
}

/// The six octets before the inner message of a protected PDU.
///
/// # Panics
/// If `header_type` is not 1..=4.
fn envelope_header(header_type: u8, mac: [u8; 4], seq: u8) -> [u8; SecurityProtected::HEADER_LEN] {
    assert!(
        (1..=4).contains(&header_type),
        "security header type of a protected EMM message is 1..=4"
    );
    let [m0, m1, m2, m3] = mac;
    [(header_type << 4) | PD_EMM, m0, m1, m2, m3, seq]
}

/// Wraps an encoded plain message in a security protected envelope.
///
/// # Panics
/// If `header_type` is not 1..=4.
pub fn protect(header_type: u8, mac: [u8; 4], seq: u8, inner: &[u8]) -> Vec<u8> {
    let mut out = Vec::with_capacity(SecurityProtected::HEADER_LEN + inner.len());
    out.extend_from_slice(&envelope_header(header_type, mac, seq));
    out.extend_from_slice(inner);
    out
}

/// Starts a protected PDU in `out` (empty): the envelope header with a zero
/// MAC, to be followed by the inner message ([`NasMessage::encode_into`]) and
/// completed by [`set_mac`] over [`mac_input_of`]. Gives the bytes of
/// [`protect`] without encoding the inner message separately.
///
/// # Panics
/// If `header_type` is not 1..=4.
pub fn begin_protected(out: &mut Vec<u8>, header_type: u8, seq: u8) {
    debug_assert!(out.is_empty());
    out.extend_from_slice(&envelope_header(header_type, [0; 4], seq));
}

/// The octets the MAC covers in a PDU built with [`begin_protected`]:
/// sequence number || inner message.
pub fn mac_input_of(pdu: &[u8]) -> &[u8] {
    &pdu[SecurityProtected::HEADER_LEN - 1..]
}

/// Writes the MAC into a PDU built with [`begin_protected`].
pub fn set_mac(pdu: &mut [u8], mac: [u8; 4]) {
    pdu[1..5].copy_from_slice(&mac);
}

/// The slice of an encoded protected PDU the MAC covers: octets 6.. (sequence
/// number || inner message, §4.4.3.3). Fails unless `pdu` is a well-formed
/// protected EMM envelope.
pub fn mac_input(pdu: &[u8]) -> Result<&[u8], WireError> {
    SecurityProtected::decode(pdu)?;
    Ok(mac_input_of(pdu))
}

/// A decoded EMM PDU: a plain message or a protected envelope.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Nas {
    Plain(NasMessage),
    Protected(SecurityProtected),
}

impl Message for Nas {
    delegate_to_variants!(Plain, Protected);

    /// A plain (security header type 0) or protected (1..=4) EMM PDU.
    fn decode(pdu: &[u8]) -> Result<Self, WireError> {
        let octet1 = Reader::new(pdu).u8("security header type / protocol discriminator")?;
        if octet1 >> 4 == header_type::PLAIN {
            NasMessage::decode(pdu).map(Nas::Plain)
        } else {
            SecurityProtected::decode(pdu).map(Nas::Protected)
        }
    }
}

inherent_message_methods!(NasMessage, SecurityProtected, Nas);

/// Decodes a plain (security header type 0) or protected (1..=4) EMM PDU.
pub fn decode_any(pdu: &[u8]) -> Result<Nas, WireError> {
    Nas::decode(pdu)
}

#[cfg(test)]
pub(super) mod tests;
