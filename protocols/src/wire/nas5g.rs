//! 5GS NAS (TS 24.501): the 5G mobility management (5GMM) messages that
//! 5G-AKA and EAP-AKA' run over N1, and the security protected envelope.
//!
//! A plain 5GMM message starts with a 3-octet header (§9.1-§9.3): the
//! extended protocol discriminator 0x7E, a spare half octet and the security
//! header type (0 = plain), the message type (§9.7). IEs follow in the order
//! of the message tables of §8.2 with the formats of TS 24.007 §11.2.1.1; of a
//! message's optional IEs only those listed per message are modelled, in
//! table order. Decoders are strict: they accept exactly what the encoders
//! write, so `encode(decode(b)) == b` for every accepted `b`.
//!
//! A security protected message (§9.1.1, §4.4.3) is a 7-octet header (EPD,
//! security header type, MAC, sequence number) around a plain message; its
//! MAC is 128-NIA2 under K_NASint over sequence number ‖ plain message
//! ([`SecurityProtected5g::nia2`]).

pub mod identity;

use self::identity::MobileIdentity5gs;
use super::ie::{expect_iei, lv_array, lv_bounded, lv_e, put_lv, put_lv_e};
use super::{Message, Reader, WireError, delegate_to_variants, inherent_message_methods};
use crate::core::CryptoOps;
use crate::crypto::eia2;

/// Extended protocol discriminator of 5GMM (TS 24.007 §11.2.3.1.1A).
pub const EPD_5GMM: u8 = 0x7e;
/// Octets of the plain 5GMM header.
pub const PLAIN_HEADER_LEN: usize = 3;
/// ngKSI value meaning "no key is available" (§9.11.3.32).
pub const NGKSI_NO_KEY: u8 = 7;

/// 5GMM message types (§9.7, table 9.7.1).
pub mod msg_type {
    pub const REGISTRATION_REQUEST: u8 = 0x41;
    pub const REGISTRATION_ACCEPT: u8 = 0x42;
    pub const REGISTRATION_REJECT: u8 = 0x44;
    pub const AUTHENTICATION_REQUEST: u8 = 0x56;
    pub const AUTHENTICATION_RESPONSE: u8 = 0x57;
    pub const AUTHENTICATION_REJECT: u8 = 0x58;
    pub const AUTHENTICATION_FAILURE: u8 = 0x59;
    pub const AUTHENTICATION_RESULT: u8 = 0x5a;
    pub const SECURITY_MODE_COMMAND: u8 = 0x5d;
    pub const SECURITY_MODE_COMPLETE: u8 = 0x5e;
    pub const SECURITY_MODE_REJECT: u8 = 0x5f;
}

/// 5GS registration type values (§9.11.3.7, bits 3-1; bit 4 is "follow-on request").
pub mod registration_type {
    pub const INITIAL: u8 = 1;
    pub const MOBILITY_UPDATING: u8 = 2;
    pub const PERIODIC_UPDATING: u8 = 3;
    pub const EMERGENCY: u8 = 4;
}

/// 5GMM cause (§9.11.3.2), one octet.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct Cause5gmm(pub u8);

impl Cause5gmm {
    pub const ILLEGAL_UE: Self = Self(3);
    pub const MAC_FAILURE: Self = Self(20);
    pub const SYNCH_FAILURE: Self = Self(21);
    pub const CONGESTION: Self = Self(22);
    pub const UE_SECURITY_CAPABILITIES_MISMATCH: Self = Self(23);
    pub const SECURITY_MODE_REJECTED_UNSPECIFIED: Self = Self(24);
    pub const NGKSI_ALREADY_IN_USE: Self = Self(71);
    pub const NON_5G_AUTHENTICATION_UNACCEPTABLE: Self = Self(26);
}

/// A UE security capability advertising 5G-EA0..3 and 5G-IA0..3 (§9.11.3.54,
/// octets 1-2).
pub const TYPICAL_UE_SECURITY_CAPABILITY: [u8; 2] = [0xf0, 0xf0];

/// REGISTRATION REQUEST (§8.2.6), UE to AMF.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RegistrationRequest {
    /// ngKSI (half octet; [`NGKSI_NO_KEY`] on first registration).
    pub ngksi: u8,
    /// 5GS registration type (half octet: follow-on request bit 4, type bits 3-1).
    pub registration_type: u8,
    /// SUCI or 5G-GUTI.
    pub identity: MobileIdentity5gs,
    /// UE security capability value (IEI 0x2E), 2..=8 octets.
    pub ue_security_capability: Option<Vec<u8>>,
}

/// AUTHENTICATION REQUEST (§8.2.1), AMF to UE.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct AuthenticationRequest {
    /// ngKSI (half octet).
    pub ngksi: u8,
    /// ABBA (§9.11.3.10), 2..=255 octets (0x0000 today).
    pub abba: Vec<u8>,
    /// Authentication parameter RAND (IEI 0x21) and AUTN (IEI 0x20): present
    /// for 5G-AKA, absent for EAP-AKA' (which carries them in the EAP message).
    pub rand_autn: Option<([u8; 16], [u8; 16])>,
    /// EAP message (IEI 0x78), 4..=1500 octets.
    pub eap: Option<Vec<u8>>,
}

/// AUTHENTICATION RESPONSE (§8.2.2), UE to AMF.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct AuthenticationResponse {
    /// Authentication response parameter (IEI 0x2D): RES* (16 octets).
    pub res_star: Option<[u8; 16]>,
    /// EAP message (IEI 0x78).
    pub eap: Option<Vec<u8>>,
}

/// AUTHENTICATION FAILURE (§8.2.4), UE to AMF.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct AuthenticationFailure {
    /// #20 MAC failure, #21 synch failure, #26 non-5G authentication unacceptable.
    pub cause: Cause5gmm,
    /// Authentication failure parameter (IEI 0x30): AUTS, with #21.
    pub auts: Option<[u8; 14]>,
}

/// AUTHENTICATION RESULT (§8.2.3), AMF to UE: the EAP-Success (or a
/// final EAP-Failure) of an EAP based primary authentication.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct AuthenticationResult {
    /// ngKSI (half octet).
    pub ngksi: u8,
    /// EAP message (LV-E, mandatory), 4..=1500 octets.
    pub eap: Vec<u8>,
    /// ABBA (IEI 0x38), 2..=255 octets.
    pub abba: Option<Vec<u8>>,
}

/// SECURITY MODE COMMAND (§8.2.25), AMF to UE.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SecurityModeCommand {
    /// Type of ciphering algorithm, 0..=15 (5G-EA0, 128-5G-EA1, ...).
    pub ciphering_algorithm: u8,
    /// Type of integrity protection algorithm, 0..=15 (5G-IA0, 128-5G-IA1, 128-5G-IA2 = 2, ...).
    pub integrity_algorithm: u8,
    /// ngKSI (half octet).
    pub ngksi: u8,
    /// Replayed UE security capabilities, 2..=8 octets (§9.11.3.54).
    pub replayed_ue_security_capability: Vec<u8>,
    /// IMEISV request (IEI 0xE-, TV 1): `Some(true)` requests the IMEISV.
    pub imeisv_request: Option<bool>,
}

/// SECURITY MODE COMPLETE (§8.2.26), UE to AMF.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SecurityModeComplete {
    /// NAS message container (IEI 0x71): the full Registration Request when
    /// the initial one carried only cleartext IEs (§4.4.6).
    pub nas_message_container: Option<Vec<u8>>,
}

/// REGISTRATION ACCEPT (§8.2.7), AMF to UE.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RegistrationAccept {
    /// 5GS registration result value (§9.11.3.6), one octet (1 = 3GPP access).
    pub result: u8,
    /// 5G-GUTI (IEI 0x77).
    pub guti: Option<identity::Guti5g>,
}

/// One plain 5GMM message.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Nas5gMessage {
    RegistrationRequest(RegistrationRequest),
    RegistrationAccept(RegistrationAccept),
    /// REGISTRATION REJECT (§8.2.9): header + 5GMM cause.
    RegistrationReject(Cause5gmm),
    AuthenticationRequest(AuthenticationRequest),
    AuthenticationResponse(AuthenticationResponse),
    /// AUTHENTICATION REJECT (§8.2.5), with an EAP-Failure for EAP-AKA'.
    AuthenticationReject(Option<Vec<u8>>),
    AuthenticationFailure(AuthenticationFailure),
    AuthenticationResult(AuthenticationResult),
    SecurityModeCommand(SecurityModeCommand),
    SecurityModeComplete(SecurityModeComplete),
    /// SECURITY MODE REJECT (§8.2.27): header + 5GMM cause (#23, #24).
    SecurityModeReject(Cause5gmm),
}

const IEI_UE_SECURITY_CAPABILITY: u8 = 0x2e;
const IEI_RAND: u8 = 0x21;
const IEI_AUTN: u8 = 0x20;
const IEI_EAP: u8 = 0x78;
const IEI_RES: u8 = 0x2d;
const IEI_AUTH_FAILURE_PARAMETER: u8 = 0x30;
const IEI_IMEISV_REQUEST: u8 = 0xe; // type 1: IEI in the upper half octet
const IEI_NAS_MESSAGE_CONTAINER: u8 = 0x71;
const IEI_5G_GUTI: u8 = 0x77;
const IEI_ABBA: u8 = 0x38;

fn put_eap(out: &mut Vec<u8>, eap: &Option<Vec<u8>>) {
    if let Some(e) = eap {
        assert!(
            (4..=1500).contains(&e.len()),
            "EAP message is 4..=1500 octets"
        );
        out.push(IEI_EAP);
        put_lv_e(out, e);
    }
}

fn eap_len(eap: &Option<Vec<u8>>) -> usize {
    eap.as_ref().map_or(0, |e| 3 + e.len())
}

/// An optional IE that comes next if the next octet is its IEI.
fn next_is(r: &Reader<'_>, iei: u8, buf: &[u8], base: usize) -> bool {
    buf.get(r.offset() - base) == Some(&iei)
}

fn read_eap(r: &mut Reader<'_>) -> Result<Vec<u8>, WireError> {
    expect_iei(r, IEI_EAP, "EAP message")?;
    let at = r.offset();
    let v = lv_e(r, "EAP message")?;
    if !(4..=1500).contains(&v.len()) {
        return Err(WireError::new(at, "EAP message", "length not in 4..=1500"));
    }
    Ok(v.to_vec())
}

fn half_with_spare(r: &mut Reader<'_>, what: &'static str) -> Result<u8, WireError> {
    super::ie::low_half_with_spare(r, what)
}

impl Nas5gMessage {
    /// The message type octet (§9.7).
    pub fn message_type(&self) -> u8 {
        match self {
            Self::RegistrationRequest(_) => msg_type::REGISTRATION_REQUEST,
            Self::RegistrationAccept(_) => msg_type::REGISTRATION_ACCEPT,
            Self::RegistrationReject(_) => msg_type::REGISTRATION_REJECT,
            Self::AuthenticationRequest(_) => msg_type::AUTHENTICATION_REQUEST,
            Self::AuthenticationResponse(_) => msg_type::AUTHENTICATION_RESPONSE,
            Self::AuthenticationReject(_) => msg_type::AUTHENTICATION_REJECT,
            Self::AuthenticationFailure(_) => msg_type::AUTHENTICATION_FAILURE,
            Self::AuthenticationResult(_) => msg_type::AUTHENTICATION_RESULT,
            Self::SecurityModeCommand(_) => msg_type::SECURITY_MODE_COMMAND,
            Self::SecurityModeComplete(_) => msg_type::SECURITY_MODE_COMPLETE,
            Self::SecurityModeReject(_) => msg_type::SECURITY_MODE_REJECT,
        }
    }

    /// Decodes a plain message at offset `base` of a larger PDU.
    fn decode_at(buf: &[u8], base: usize) -> Result<Self, WireError> {
        let mut r = Reader::with_base(buf, base);
        if r.u8("extended protocol discriminator")? != EPD_5GMM {
            return Err(WireError::new(
                base,
                "extended protocol discriminator",
                "not 5GMM (0x7E)",
            ));
        }
        if r.u8("security header type")? != 0 {
            return Err(WireError::new(
                base + 1,
                "security header type",
                "not 0 (plain 5GS NAS message) or spare half octet set",
            ));
        }
        let type_at = r.offset();
        let msg = match r.u8("message type")? {
            msg_type::REGISTRATION_REQUEST => {
                let o = r.u8("ngKSI / 5GS registration type")?;
                let id_at = r.offset() + 2;
                let id = lv_e(&mut r, "5GS mobile identity")?;
                let identity = MobileIdentity5gs::decode(id, id_at)?;
                let ue_security_capability = if r.is_empty() {
                    None
                } else {
                    expect_iei(&mut r, IEI_UE_SECURITY_CAPABILITY, "UE security capability")?;
                    Some(lv_bounded(&mut r, 2, 8, "UE security capability")?.to_vec())
                };
                Self::RegistrationRequest(RegistrationRequest {
                    ngksi: o >> 4,
                    registration_type: o & 0x0f,
                    identity,
                    ue_security_capability,
                })
            }
            msg_type::REGISTRATION_ACCEPT => {
                let result = lv_array::<1>(&mut r, "5GS registration result")?[0];
                let guti = if r.is_empty() {
                    None
                } else {
                    expect_iei(&mut r, IEI_5G_GUTI, "5G-GUTI")?;
                    let at = r.offset() + 2;
                    match MobileIdentity5gs::decode(lv_e(&mut r, "5G-GUTI")?, at)? {
                        MobileIdentity5gs::Guti(g) => Some(g),
                        MobileIdentity5gs::Suci(_) => {
                            return Err(WireError::new(at, "5G-GUTI", "identity is not a 5G-GUTI"));
                        }
                    }
                };
                Self::RegistrationAccept(RegistrationAccept { result, guti })
            }
            msg_type::REGISTRATION_REJECT => {
                Self::RegistrationReject(Cause5gmm(r.u8("5GMM cause")?))
            }
            msg_type::SECURITY_MODE_REJECT => {
                Self::SecurityModeReject(Cause5gmm(r.u8("5GMM cause")?))
            }
            msg_type::AUTHENTICATION_REQUEST => {
                let ngksi = half_with_spare(&mut r, "ngKSI")?;
                let abba = lv_bounded(&mut r, 2, 255, "ABBA")?.to_vec();
                let rand_autn = if next_is(&r, IEI_RAND, buf, base) {
                    r.u8("authentication parameter RAND")?;
                    let rand = r.array::<16>("RAND")?;
                    expect_iei(&mut r, IEI_AUTN, "authentication parameter AUTN")?;
                    Some((rand, lv_array::<16>(&mut r, "AUTN")?))
                } else {
                    None
                };
                let eap = if r.is_empty() {
                    None
                } else {
                    Some(read_eap(&mut r)?)
                };
                Self::AuthenticationRequest(AuthenticationRequest {
                    ngksi,
                    abba,
                    rand_autn,
                    eap,
                })
            }
            msg_type::AUTHENTICATION_RESPONSE => {
                let res_star = if next_is(&r, IEI_RES, buf, base) {
                    r.u8("authentication response parameter")?;
                    Some(lv_array::<16>(&mut r, "RES*")?)
                } else {
                    None
                };
                let eap = if r.is_empty() {
                    None
                } else {
                    Some(read_eap(&mut r)?)
                };
                Self::AuthenticationResponse(AuthenticationResponse { res_star, eap })
            }
            msg_type::AUTHENTICATION_REJECT => Self::AuthenticationReject(if r.is_empty() {
                None
            } else {
                Some(read_eap(&mut r)?)
            }),
            msg_type::AUTHENTICATION_FAILURE => {
                let cause = Cause5gmm(r.u8("5GMM cause")?);
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
            msg_type::AUTHENTICATION_RESULT => {
                let ngksi = half_with_spare(&mut r, "ngKSI")?;
                let at = r.offset();
                let eap = lv_e(&mut r, "EAP message")?.to_vec();
                if !(4..=1500).contains(&eap.len()) {
                    return Err(WireError::new(at, "EAP message", "length not in 4..=1500"));
                }
                let abba = if r.is_empty() {
                    None
                } else {
                    expect_iei(&mut r, IEI_ABBA, "ABBA")?;
                    Some(lv_bounded(&mut r, 2, 255, "ABBA")?.to_vec())
                };
                Self::AuthenticationResult(AuthenticationResult { ngksi, eap, abba })
            }
            msg_type::SECURITY_MODE_COMMAND => {
                let algs = r.u8("selected NAS security algorithms")?;
                let ngksi = half_with_spare(&mut r, "ngKSI")?;
                let replayed = lv_bounded(&mut r, 2, 8, "replayed UE security capabilities")?;
                let imeisv_request = if r.is_empty() {
                    None
                } else {
                    let at = r.offset();
                    let o = r.u8("IMEISV request")?;
                    if o >> 4 != IEI_IMEISV_REQUEST || o & 0x0e != 0 {
                        return Err(WireError::new(
                            at,
                            "IMEISV request",
                            "unexpected IEI or spare bits",
                        ));
                    }
                    Some(o & 1 == 1)
                };
                Self::SecurityModeCommand(SecurityModeCommand {
                    ciphering_algorithm: algs >> 4,
                    integrity_algorithm: algs & 0x0f,
                    ngksi,
                    replayed_ue_security_capability: replayed.to_vec(),
                    imeisv_request,
                })
            }
            msg_type::SECURITY_MODE_COMPLETE => {
                let nas_message_container = if r.is_empty() {
                    None
                } else {
                    expect_iei(&mut r, IEI_NAS_MESSAGE_CONTAINER, "NAS message container")?;
                    let at = r.offset();
                    let v = lv_e(&mut r, "NAS message container")?;
                    if v.is_empty() {
                        return Err(WireError::new(at, "NAS message container", "empty"));
                    }
                    Some(v.to_vec())
                };
                Self::SecurityModeComplete(SecurityModeComplete {
                    nas_message_container,
                })
            }
            _ => {
                return Err(WireError::new(
                    type_at,
                    "message type",
                    "not a modelled 5GMM message",
                ));
            }
        };
        r.finish("end of message (unsupported optional IE?)")?;
        Ok(msg)
    }
}

impl Message for Nas5gMessage {
    fn kind(&self) -> &'static str {
        match self {
            Self::RegistrationRequest(_) => "RegistrationRequest",
            Self::RegistrationAccept(_) => "RegistrationAccept",
            Self::RegistrationReject(_) => "RegistrationReject",
            Self::AuthenticationRequest(_) => "AuthenticationRequest",
            Self::AuthenticationResponse(_) => "AuthenticationResponse",
            Self::AuthenticationReject(_) => "AuthenticationReject",
            Self::AuthenticationFailure(_) => "AuthenticationFailure",
            Self::AuthenticationResult(_) => "AuthenticationResult",
            Self::SecurityModeCommand(_) => "SecurityModeCommand",
            Self::SecurityModeComplete(_) => "SecurityModeComplete",
            Self::SecurityModeReject(_) => "SecurityModeReject",
        }
    }

    fn encoded_len(&self) -> usize {
        PLAIN_HEADER_LEN
            + match self {
                Self::RegistrationRequest(m) => {
                    1 + 2
                        + m.identity.encoded_len()
                        + m.ue_security_capability.as_ref().map_or(0, |c| 2 + c.len())
                }
                Self::RegistrationAccept(m) => 2 + m.guti.map_or(0, |_| 3 + 11),
                Self::RegistrationReject(_) | Self::SecurityModeReject(_) => 1,
                Self::AuthenticationRequest(m) => {
                    1 + 1 + m.abba.len() + m.rand_autn.map_or(0, |_| 17 + 18) + eap_len(&m.eap)
                }
                Self::AuthenticationResponse(m) => m.res_star.map_or(0, |_| 18) + eap_len(&m.eap),
                Self::AuthenticationReject(eap) => eap_len(eap),
                Self::AuthenticationFailure(m) => 1 + m.auts.map_or(0, |_| 16),
                Self::AuthenticationResult(m) => {
                    1 + 2 + m.eap.len() + m.abba.as_ref().map_or(0, |a| 2 + a.len())
                }
                Self::SecurityModeCommand(m) => {
                    2 + 1
                        + m.replayed_ue_security_capability.len()
                        + usize::from(m.imeisv_request.is_some())
                }
                Self::SecurityModeComplete(m) => {
                    m.nas_message_container.as_ref().map_or(0, |c| 3 + c.len())
                }
            }
    }

    fn encode_into(&self, out: &mut Vec<u8>) {
        out.reserve(self.encoded_len());
        out.extend_from_slice(&[EPD_5GMM, 0, self.message_type()]);
        match self {
            Self::RegistrationRequest(m) => {
                assert!(m.ngksi <= 15 && m.registration_type <= 15, "half octets");
                out.push((m.ngksi << 4) | m.registration_type);
                let len = u16::try_from(m.identity.encoded_len()).expect("identity fits LV-E");
                out.extend_from_slice(&len.to_be_bytes());
                m.identity.encode_into(out);
                if let Some(c) = &m.ue_security_capability {
                    assert!(
                        (2..=8).contains(&c.len()),
                        "UE security capability is 2..=8 octets"
                    );
                    out.push(IEI_UE_SECURITY_CAPABILITY);
                    put_lv(out, c);
                }
            }
            Self::RegistrationAccept(m) => {
                put_lv(out, &[m.result]);
                if let Some(g) = m.guti {
                    out.extend_from_slice(&[IEI_5G_GUTI, 0, 11]);
                    MobileIdentity5gs::Guti(g).encode_into(out);
                }
            }
            Self::RegistrationReject(cause) | Self::SecurityModeReject(cause) => out.push(cause.0),
            Self::AuthenticationRequest(m) => {
                assert!(m.ngksi <= 15, "ngKSI is a half octet");
                assert!((2..=255).contains(&m.abba.len()), "ABBA is 2..=255 octets");
                out.push(m.ngksi);
                put_lv(out, &m.abba);
                if let Some((rand, autn)) = &m.rand_autn {
                    out.push(IEI_RAND);
                    out.extend_from_slice(rand);
                    out.push(IEI_AUTN);
                    put_lv(out, autn);
                }
                put_eap(out, &m.eap);
            }
            Self::AuthenticationResponse(m) => {
                if let Some(res) = &m.res_star {
                    out.push(IEI_RES);
                    put_lv(out, res);
                }
                put_eap(out, &m.eap);
            }
            Self::AuthenticationReject(eap) => put_eap(out, eap),
            Self::AuthenticationFailure(m) => {
                out.push(m.cause.0);
                if let Some(auts) = &m.auts {
                    out.push(IEI_AUTH_FAILURE_PARAMETER);
                    put_lv(out, auts);
                }
            }
            Self::AuthenticationResult(m) => {
                assert!(m.ngksi <= 15, "ngKSI is a half octet");
                assert!(
                    (4..=1500).contains(&m.eap.len()),
                    "EAP message is 4..=1500 octets"
                );
                out.push(m.ngksi);
                put_lv_e(out, &m.eap);
                if let Some(a) = &m.abba {
                    assert!((2..=255).contains(&a.len()), "ABBA is 2..=255 octets");
                    out.push(IEI_ABBA);
                    put_lv(out, a);
                }
            }
            Self::SecurityModeCommand(m) => {
                assert!(
                    m.ciphering_algorithm <= 15 && m.integrity_algorithm <= 15 && m.ngksi <= 15
                );
                assert!(
                    (2..=8).contains(&m.replayed_ue_security_capability.len()),
                    "replayed UE security capabilities are 2..=8 octets"
                );
                out.push((m.ciphering_algorithm << 4) | m.integrity_algorithm);
                out.push(m.ngksi);
                put_lv(out, &m.replayed_ue_security_capability);
                if let Some(req) = m.imeisv_request {
                    out.push((IEI_IMEISV_REQUEST << 4) | u8::from(req));
                }
            }
            Self::SecurityModeComplete(m) => {
                if let Some(c) = &m.nas_message_container {
                    assert!(!c.is_empty(), "NAS message container is not empty");
                    out.push(IEI_NAS_MESSAGE_CONTAINER);
                    put_lv_e(out, c);
                }
            }
        }
    }

    fn decode(pdu: &[u8]) -> Result<Self, WireError> {
        Self::decode_at(pdu, 0)
    }
}

/// Security header types of 5GS NAS messages (§9.3.1).
pub mod header_type {
    pub const PLAIN: u8 = 0;
    pub const INTEGRITY_PROTECTED: u8 = 1;
    pub const INTEGRITY_PROTECTED_CIPHERED: u8 = 2;
    pub const INTEGRITY_PROTECTED_NEW_CONTEXT: u8 = 3;
    pub const INTEGRITY_PROTECTED_CIPHERED_NEW_CONTEXT: u8 = 4;
}

/// A security protected 5GS NAS message (§9.1.1): EPD, security header type,
/// MAC (4), sequence number (1), then the plain message (or its ciphertext).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SecurityProtected5g {
    /// 1..=4, see [`header_type`].
    pub header_type: u8,
    pub mac: [u8; 4],
    pub seq: u8,
    pub inner: Vec<u8>,
}

impl SecurityProtected5g {
    pub const HEADER_LEN: usize = 7;

    /// Decodes the inner octets as a plain 5GMM message (header types 1 and 3,
    /// or after deciphering); error offsets count from the protected PDU.
    pub fn decode_inner(&self) -> Result<Nas5gMessage, WireError> {
        Nas5gMessage::decode_at(&self.inner, Self::HEADER_LEN)
    }

    /// 128-NIA2 MAC (TS 33.501 §6.4.3, D.3.1.3 = 128-EIA2 with the 5G inputs):
    /// COUNT = NAS COUNT (overflow ‖ SQN), BEARER = NAS connection identifier
    /// (0 for 3GPP access, §6.4.3.1), DIRECTION 0 uplink / 1 downlink, over
    /// sequence number ‖ inner message.
    pub fn nia2(
        &self,
        k_nas_int: &[u8; 16],
        count: u32,
        direction: u8,
        ops: &mut CryptoOps,
    ) -> [u8; 4] {
        let mut input = Vec::with_capacity(1 + self.inner.len());
        input.push(self.seq);
        input.extend_from_slice(&self.inner);
        eia2::eia2(
            k_nas_int,
            count,
            NAS_CONNECTION_3GPP,
            direction,
            &input,
            ops,
        )
    }

    /// Protects `inner` with header type `header_type`, computing the MAC.
    pub fn protect(
        header_type: u8,
        inner: Vec<u8>,
        k_nas_int: &[u8; 16],
        count: u32,
        direction: u8,
        ops: &mut CryptoOps,
    ) -> Self {
        let mut m = Self {
            header_type,
            mac: [0; 4],
            seq: count as u8,
            inner,
        };
        m.mac = m.nia2(k_nas_int, count, direction, ops);
        m
    }

    /// Checks the MAC in constant time.
    pub fn verify(
        &self,
        k_nas_int: &[u8; 16],
        count: u32,
        direction: u8,
        ops: &mut CryptoOps,
    ) -> bool {
        crate::crypto::ct_eq(&self.nia2(k_nas_int, count, direction, ops), &self.mac)
    }
}

/// BEARER input of 128-NIA2 for NAS over 3GPP access (TS 33.501 §6.4.3.1).
pub const NAS_CONNECTION_3GPP: u8 = 0;

impl Message for SecurityProtected5g {
    /// The inner message's label if it decodes as plain, otherwise "SecurityProtected".
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
        assert!(
            (1..=4).contains(&self.header_type),
            "protected header type is 1..=4"
        );
        out.reserve(self.encoded_len());
        out.extend_from_slice(&[EPD_5GMM, self.header_type]);
        out.extend_from_slice(&self.mac);
        out.push(self.seq);
        out.extend_from_slice(&self.inner);
    }

    fn decode(pdu: &[u8]) -> Result<Self, WireError> {
        let mut r = Reader::new(pdu);
        if r.u8("extended protocol discriminator")? != EPD_5GMM {
            return Err(WireError::new(
                0,
                "extended protocol discriminator",
                "not 5GMM (0x7E)",
            ));
        }
        let header_type = r.u8("security header type")?;
        if !(1..=4).contains(&header_type) {
            return Err(WireError::new(
                1,
                "security header type",
                "not 1..=4 (protected) or spare set",
            ));
        }
        let mac = r.array::<4>("message authentication code")?;
        let seq = r.u8("sequence number")?;
        let inner = r.rest().to_vec();
        if inner.is_empty() {
            return Err(WireError::new(7, "NAS message", "PDU ends early"));
        }
        Ok(Self {
            header_type,
            mac,
            seq,
            inner,
        })
    }
}

/// A 5GS NAS PDU on N1: plain or security protected.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Nas5g {
    Plain(Nas5gMessage),
    Protected(SecurityProtected5g),
}

impl Message for Nas5g {
    delegate_to_variants!(Plain, Protected);

    fn decode(pdu: &[u8]) -> Result<Self, WireError> {
        match pdu.get(1) {
            Some(0) => Nas5gMessage::decode(pdu).map(Self::Plain),
            _ => SecurityProtected5g::decode(pdu).map(Self::Protected),
        }
    }
}

inherent_message_methods!(Nas5gMessage, SecurityProtected5g, Nas5g);

#[cfg(test)]
pub(crate) mod tests;
