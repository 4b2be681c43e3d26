//! CS mobility management (MM) messages of TS 24.008 used by UMTS AKA: the
//! location updating procedure (§4.4) and the authentication procedure
//! (§4.3.2) between the MS and the VLR.
//!
//! Every message starts with a 2-octet header (TS 24.007 §11.2.3): octet 1 is
//! the skip indicator (0) in bits 8-5 and the protocol discriminator 0x5 (MM)
//! in bits 4-1; octet 2 carries the message type (§10.4, table 10.2) in bits
//! 6-1 and, in messages sent by the MS, the send sequence number N(SD) in bits
//! 8-7 (TS 24.007 §11.2.3.2.3, modulo 4 since R99). Messages from the network
//! have bits 8-7 zero. Information elements follow in the order of the message
//! tables of §9.2, in the formats of TS 24.007 §11.2.1.1.
//!
//! | Message (type) | After the header | Octets |
//! |---|---|---|
//! | Location updating request (0x08), §9.2.15 | CKSN + LU type (1), LAI (5), classmark 1 (1), mobile identity LV, [0x33 classmark for UMTS TLV 3] | 23 with a 15-digit IMSI and the UMTS classmark |
//! | Authentication request (0x12), §9.2.2 | spare + CKSN (1), RAND (16), [0x20 AUTN TLV 16] | 37 (UMTS), 19 (GSM) |
//! | Authentication response (0x14), §9.2.3 | SRES = RES[0..4] (4), [0x21 RES extension TLV 1..12] | 6 + (2 + \|RES\| − 4 if \|RES\| > 4): 12 for an 8-octet RES |
//! | Authentication failure (0x1c), §9.2.3a | reject cause (1), [0x22 AUTS TLV 14] | 3, or 19 with AUTS |
//! | Authentication reject (0x11), §9.2.1 | — | 2 |
//! | Location updating accept (0x02), §9.2.13 | LAI (5), [0xA1 follow-on proceed] | 7 (8) |
//! | Location updating reject (0x04), §9.2.14 | reject cause (1) | 3 |
//!
//! Decoders are strict (spare bits zero, canonical digits, no unmodelled
//! optional IEs), so every accepted PDU re-encodes to the same bytes.

use super::ie::{
    decode_imsi_identity, digits_len, expect_iei, lv_array, lv_bounded, put_imsi, put_lv,
};
use super::{Message, Reader, WireError, inherent_message_methods};

/// Protocol discriminator of CS mobility management (TS 24.007 §11.2.3.1.1).
pub const PD_MM: u8 = 0x5;
/// Octets of the MM header.
pub const HEADER_LEN: usize = 2;

/// MM message types (TS 24.008 §10.4, table 10.2), bits 6-1.
pub mod msg_type {
    pub const LOCATION_UPDATING_ACCEPT: u8 = 0x02;
    pub const LOCATION_UPDATING_REJECT: u8 = 0x04;
    pub const LOCATION_UPDATING_REQUEST: u8 = 0x08;
    pub const AUTHENTICATION_REJECT: u8 = 0x11;
    pub const AUTHENTICATION_REQUEST: u8 = 0x12;
    pub const AUTHENTICATION_RESPONSE: u8 = 0x14;
    pub const AUTHENTICATION_FAILURE: u8 = 0x1c;
}

/// Ciphering key sequence number "no key is available" (§10.5.1.2).
pub const CKSN_NO_KEY: u8 = 7;

/// Location updating type values (§10.5.3.5, bits 2-1).
pub mod lu_type {
    pub const NORMAL: u8 = 0;
    pub const PERIODIC: u8 = 1;
    pub const IMSI_ATTACH: u8 = 2;
}

/// IEIs of the optional IEs that are modelled.
const IEI_CLASSMARK_FOR_UMTS: u8 = 0x33;
const IEI_AUTN: u8 = 0x20;
const IEI_RES_EXTENSION: u8 = 0x21;
const IEI_AUTS: u8 = 0x22;
const IEI_FOLLOW_ON_PROCEED: u8 = 0xa1;

/// A typical mobile station classmark 1 (§10.5.1.5): revision level "R99 or
/// later" (10), ES IND 1, A5/1 available, RF power capability 111.
pub const TYPICAL_CLASSMARK_1: u8 = 0x57;
/// A typical mobile station classmark 2 (§10.5.1.6) for the "classmark for
/// UMTS" IE: octet 3 as classmark 1; SS screening indicator 01 and MT SMS
/// supported; CM3 present and A5/3 supported.
pub const TYPICAL_CLASSMARK_2: [u8; 3] = [0x57, 0x18, 0x82];

/// Reject cause (§10.5.3.6), one octet.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct RejectCause(pub u8);

impl RejectCause {
    pub const IMSI_UNKNOWN_IN_HLR: Self = Self(2);
    pub const ILLEGAL_MS: Self = Self(3);
    pub const NETWORK_FAILURE: Self = Self(17);
    pub const MAC_FAILURE: Self = Self(20);
    pub const SYNCH_FAILURE: Self = Self(21);
    pub const CONGESTION: Self = Self(22);
    pub const GSM_AUTHENTICATION_UNACCEPTABLE: Self = Self(23);
}

/// Location area identification (§10.5.1.3): MCC/MNC (3 octets, as in the
/// PLMN identity) and the location area code.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Lai {
    pub plmn: [u8; 3],
    pub lac: u16,
}

impl Lai {
    /// Octets on the wire.
    const LEN: usize = 5;

    fn encode_into(&self, out: &mut Vec<u8>) {
        out.extend_from_slice(&self.plmn);
        out.extend_from_slice(&self.lac.to_be_bytes());
    }
    fn decode(r: &mut Reader<'_>) -> Result<Self, WireError> {
        Ok(Self {
            plmn: r.array::<3>("location area identification: MCC/MNC")?,
            lac: r.u16("location area identification: LAC")?,
        })
    }
}

/// LOCATION UPDATING REQUEST (§9.2.15), MS to network.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct LocationUpdatingRequest {
    /// Ciphering key sequence number (3 bits, see [`CKSN_NO_KEY`]).
    pub cksn: u8,
    /// Follow-on request pending (bit 4 of the location updating type).
    pub follow_on_request: bool,
    /// Location updating type (2 bits, see [`lu_type`]).
    pub lu_type: u8,
    /// The LAI stored in the SIM (the last registered location area).
    pub lai: Lai,
    pub classmark_1: u8,
    /// The MS's IMSI (6..=15 digits); TMSI identities are not modelled.
    pub imsi: String,
    /// Mobile station classmark for UMTS (IEI 0x33, a classmark 2 value):
    /// present when the MS is in Iu mode.
    pub classmark_for_umts: Option<[u8; 3]>,
}

/// AUTHENTICATION REQUEST (§9.2.2), network to MS.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct AuthenticationRequest {
    /// Ciphering key sequence number (3 bits).
    pub cksn: u8,
    pub rand: [u8; 16],
    /// AUTN (IEI 0x20) for a UMTS challenge; `None` for a GSM challenge.
    pub autn: Option<[u8; 16]>,
}

/// AUTHENTICATION RESPONSE (§9.2.3), MS to network.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct AuthenticationResponse {
    /// RES (4..=16 octets): its first four octets travel as the SRES field,
    /// the rest in the "authentication response parameter (extension)" IE.
    pub res: Vec<u8>,
}

/// AUTHENTICATION FAILURE (§9.2.3a), MS to network.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct AuthenticationFailure {
    /// MAC failure (#20), synch failure (#21) or GSM authentication unacceptable (#23).
    pub cause: RejectCause,
    /// AUTS (IEI 0x22), present with synch failure.
    pub auts: Option<[u8; 14]>,
}

/// LOCATION UPDATING ACCEPT (§9.2.13), network to MS.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct LocationUpdatingAccept {
    pub lai: Lai,
    /// Follow-on proceed (type 2 IE 0xA1).
    pub follow_on_proceed: bool,
}

/// One MM message.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum MmMessage {
    LocationUpdatingRequest(LocationUpdatingRequest),
    AuthenticationRequest(AuthenticationRequest),
    AuthenticationResponse(AuthenticationResponse),
    AuthenticationFailure(AuthenticationFailure),
    /// AUTHENTICATION REJECT (§9.2.1): header only.
    AuthenticationReject,
    LocationUpdatingAccept(LocationUpdatingAccept),
    /// LOCATION UPDATING REJECT (§9.2.14): header + reject cause.
    LocationUpdatingReject(RejectCause),
}

impl MmMessage {
    /// The message type (bits 6-1 of octet 2).
    pub fn message_type(&self) -> u8 {
        match self {
            Self::LocationUpdatingRequest(_) => msg_type::LOCATION_UPDATING_REQUEST,
            Self::AuthenticationRequest(_) => msg_type::AUTHENTICATION_REQUEST,
            Self::AuthenticationResponse(_) => msg_type::AUTHENTICATION_RESPONSE,
            Self::AuthenticationFailure(_) => msg_type::AUTHENTICATION_FAILURE,
            Self::AuthenticationReject => msg_type::AUTHENTICATION_REJECT,
            Self::LocationUpdatingAccept(_) => msg_type::LOCATION_UPDATING_ACCEPT,
            Self::LocationUpdatingReject(_) => msg_type::LOCATION_UPDATING_REJECT,
        }
    }

    /// Whether the MS sends this message (and so carries N(SD)).
    pub fn from_ms(&self) -> bool {
        matches!(
            self,
            Self::LocationUpdatingRequest(_)
                | Self::AuthenticationResponse(_)
                | Self::AuthenticationFailure(_)
        )
    }

    /// Encodes with send sequence number `nsd` (0..=3) in bits 8-7 of the
    /// message type octet.
    ///
    /// # Panics
    /// If `nsd` > 3, if a network message gets `nsd` ≠ 0, or a field is out
    /// of its specified range (a RES of 3 octets, a non-digit IMSI): these
    /// are caller bugs, not input errors.
    pub fn encode_with_nsd(&self, nsd: u8) -> Vec<u8> {
        let mut out = Vec::with_capacity(self.encoded_len());
        self.encode_with_nsd_into(nsd, &mut out);
        out
    }

    fn encode_with_nsd_into(&self, nsd: u8, out: &mut Vec<u8>) {
        assert!(nsd <= 3, "N(SD) is two bits");
        assert!(
            nsd == 0 || self.from_ms(),
            "messages from the network carry no N(SD)"
        );
        out.extend_from_slice(&[PD_MM, (nsd << 6) | self.message_type()]);
        match self {
            Self::LocationUpdatingRequest(m) => {
                assert!(m.cksn <= 7 && m.lu_type <= 3, "CKSN 3 bits, LU type 2 bits");
                out.push((m.cksn << 4) | (u8::from(m.follow_on_request) << 3) | m.lu_type);
                m.lai.encode_into(out);
                out.push(m.classmark_1);
                out.push(digits_len(m.imsi.len()) as u8);
                put_imsi(out, &m.imsi);
                if let Some(cm) = &m.classmark_for_umts {
                    out.push(IEI_CLASSMARK_FOR_UMTS);
                    put_lv(out, cm);
                }
            }
            Self::AuthenticationRequest(m) => {
                assert!(m.cksn <= 7, "CKSN is 3 bits");
                out.push(m.cksn);
                out.extend_from_slice(&m.rand);
                if let Some(autn) = &m.autn {
                    out.push(IEI_AUTN);
                    put_lv(out, autn);
                }
            }
            Self::AuthenticationResponse(m) => {
                assert!(
                    (4..=16).contains(&m.res.len()),
                    "RES must be 4..=16 octets, got {}",
                    m.res.len()
                );
                out.extend_from_slice(&m.res[..4]);
                if m.res.len() > 4 {
                    out.push(IEI_RES_EXTENSION);
                    put_lv(out, &m.res[4..]);
                }
            }
            Self::AuthenticationFailure(m) => {
                out.push(m.cause.0);
                if let Some(auts) = &m.auts {
                    out.push(IEI_AUTS);
                    put_lv(out, auts);
                }
            }
            Self::AuthenticationReject => {}
            Self::LocationUpdatingAccept(m) => {
                m.lai.encode_into(out);
                if m.follow_on_proceed {
                    out.push(IEI_FOLLOW_ON_PROCEED);
                }
            }
            Self::LocationUpdatingReject(cause) => out.push(cause.0),
        }
    }

    /// Decodes an MM message and its send sequence number.
    pub fn decode_with_nsd(pdu: &[u8]) -> Result<(Self, u8), WireError> {
        let mut r = Reader::new(pdu);
        let octet1 = r.u8("skip indicator / protocol discriminator")?;
        if octet1 & 0x0f != PD_MM {
            return Err(WireError::new(0, "protocol discriminator", "not MM (0x5)"));
        }
        if octet1 >> 4 != 0 {
            return Err(WireError::new(0, "skip indicator", "not 0"));
        }
        let octet2 = r.u8("message type")?;
        let nsd = octet2 >> 6;
        let msg = match octet2 & 0x3f {
            msg_type::LOCATION_UPDATING_REQUEST => {
                let at = r.offset();
                let octet = r.u8("CKSN / location updating type")?;
                if octet & 0x84 != 0 {
                    return Err(WireError::new(
                        at,
                        "CKSN / location updating type",
                        "spare bit set",
                    ));
                }
                let lai = Lai::decode(&mut r)?;
                let classmark_1 = r.u8("mobile station classmark 1")?;
                let id_at = r.offset() + 1;
                let id = lv_bounded(&mut r, 1, 8, "mobile identity")?;
                let imsi = decode_imsi_identity(id, id_at)?;
                let classmark_for_umts = if r.is_empty() {
                    None
                } else {
                    expect_iei(
                        &mut r,
                        IEI_CLASSMARK_FOR_UMTS,
                        "mobile station classmark for UMTS",
                    )?;
                    Some(lv_array::<3>(&mut r, "mobile station classmark for UMTS")?)
                };
                Self::LocationUpdatingRequest(LocationUpdatingRequest {
                    cksn: octet >> 4,
                    follow_on_request: octet & 0x08 != 0,
                    lu_type: octet & 0x03,
                    lai,
                    classmark_1,
                    imsi,
                    classmark_for_umts,
                })
            }
            msg_type::AUTHENTICATION_REQUEST => {
                let at = r.offset();
                let octet = r.u8("spare / CKSN")?;
                if octet & 0xf8 != 0 {
                    return Err(WireError::new(
                        at,
                        "spare / CKSN",
                        "spare half octet or CKSN bit 4 is not 0",
                    ));
                }
                let rand = r.array::<16>("RAND")?;
                let autn = if r.is_empty() {
                    None
                } else {
                    expect_iei(&mut r, IEI_AUTN, "AUTN")?;
                    Some(lv_array::<16>(&mut r, "AUTN")?)
                };
                Self::AuthenticationRequest(AuthenticationRequest {
                    cksn: octet,
                    rand,
                    autn,
                })
            }
            msg_type::AUTHENTICATION_RESPONSE => {
                let mut res = r.bytes(4, "SRES")?.to_vec();
                if !r.is_empty() {
                    expect_iei(
                        &mut r,
                        IEI_RES_EXTENSION,
                        "authentication response parameter (extension)",
                    )?;
                    res.extend_from_slice(lv_bounded(&mut r, 1, 12, "RES extension")?);
                }
                Self::AuthenticationResponse(AuthenticationResponse { res })
            }
            msg_type::AUTHENTICATION_FAILURE => {
                let cause = RejectCause(r.u8("reject cause")?);
                let auts = if r.is_empty() {
                    None
                } else {
                    expect_iei(&mut r, IEI_AUTS, "authentication failure parameter")?;
                    Some(lv_array::<14>(&mut r, "AUTS")?)
                };
                Self::AuthenticationFailure(AuthenticationFailure { cause, auts })
            }
            msg_type::AUTHENTICATION_REJECT => Self::AuthenticationReject,
            msg_type::LOCATION_UPDATING_ACCEPT => {
                let lai = Lai::decode(&mut r)?;
                let follow_on_proceed = if r.is_empty() {
                    false
                } else {
                    expect_iei(&mut r, IEI_FOLLOW_ON_PROCEED, "follow-on proceed")?;
                    true
                };
                Self::LocationUpdatingAccept(LocationUpdatingAccept {
                    lai,
                    follow_on_proceed,
                })
            }
            msg_type::LOCATION_UPDATING_REJECT => {
                Self::LocationUpdatingReject(RejectCause(r.u8("reject cause")?))
            }
            _ => {
                return Err(WireError::new(
                    1,
                    "message type",
                    "not a modelled MM message",
                ));
            }
        };
        if nsd != 0 && !msg.from_ms() {
            return Err(WireError::new(
                1,
                "N(SD)",
                "set in a message from the network",
            ));
        }
        r.finish("end of message (unsupported optional IE?)")?;
        Ok((msg, nsd))
    }
}

impl Message for MmMessage {
    /// The TS 24.008 name; the interface, `umts_air`, tells these apart from
    /// the EMM messages of the same name.
    fn kind(&self) -> &'static str {
        match self {
            Self::LocationUpdatingRequest(_) => "LocationUpdatingRequest",
            Self::AuthenticationRequest(_) => "AuthenticationRequest",
            Self::AuthenticationResponse(_) => "AuthenticationResponse",
            Self::AuthenticationFailure(_) => "AuthenticationFailure",
            Self::AuthenticationReject => "AuthenticationReject",
            Self::LocationUpdatingAccept(_) => "LocationUpdatingAccept",
            Self::LocationUpdatingReject(_) => "LocationUpdatingReject",
        }
    }

    fn encoded_len(&self) -> usize {
        HEADER_LEN
            + match self {
                Self::LocationUpdatingRequest(m) => {
                    1 + Lai::LEN
                        + 1
                        + 1
                        + digits_len(m.imsi.len())
                        + m.classmark_for_umts.map_or(0, |c| 2 + c.len())
                }
                Self::AuthenticationRequest(m) => 1 + 16 + m.autn.map_or(0, |a| 2 + a.len()),
                Self::AuthenticationResponse(m) => {
                    m.res.len() + if m.res.len() > 4 { 2 } else { 0 }
                }
                Self::AuthenticationFailure(m) => 1 + m.auts.map_or(0, |a| 2 + a.len()),
                Self::AuthenticationReject => 0,
                Self::LocationUpdatingAccept(m) => Lai::LEN + usize::from(m.follow_on_proceed),
                Self::LocationUpdatingReject(_) => 1,
            }
    }

    /// Encodes with N(SD) = 0 (every network message, and the MS's first).
    fn encode_into(&self, out: &mut Vec<u8>) {
        self.encode_with_nsd_into(0, out)
    }

    /// Decodes an MM message, dropping N(SD).
    fn decode(pdu: &[u8]) -> Result<Self, WireError> {
        Self::decode_with_nsd(pdu).map(|(m, _)| m)
    }
}

inherent_message_methods!(MmMessage);

#[cfg(test)]
pub(super) mod tests {
    use super::*;

    const IMSI: &str = "001010123456789";
    const LAI: Lai = Lai {
        plmn: [0x00, 0xf1, 0x10],
        lac: 0x0001,
    };

    fn lu_request() -> LocationUpdatingRequest {
        LocationUpdatingRequest {
            cksn: CKSN_NO_KEY,
            follow_on_request: false,
            lu_type: lu_type::IMSI_ATTACH,
            lai: LAI,
            classmark_1: TYPICAL_CLASSMARK_1,
            imsi: IMSI.into(),
            classmark_for_umts: Some(TYPICAL_CLASSMARK_2),
        }
    }

    pub(crate) fn samples() -> Vec<(MmMessage, u8)> {
        let mut gsm_only = lu_request();
        gsm_only.classmark_for_umts = None;
        gsm_only.follow_on_request = true;
        gsm_only.imsi = "00101012345678".into();
        vec![
            (MmMessage::LocationUpdatingRequest(lu_request()), 0),
            (MmMessage::LocationUpdatingRequest(gsm_only), 3),
            (
                MmMessage::AuthenticationRequest(AuthenticationRequest {
                    cksn: 2,
                    rand: [0x11; 16],
                    autn: Some([0x22; 16]),
                }),
                0,
            ),
            (
                MmMessage::AuthenticationRequest(AuthenticationRequest {
                    cksn: 0,
                    rand: [0x12; 16],
                    autn: None,
                }),
                0,
            ),
            (
                MmMessage::AuthenticationResponse(AuthenticationResponse { res: vec![0x33; 8] }),
                1,
            ),
            (
                MmMessage::AuthenticationResponse(AuthenticationResponse { res: vec![0x34; 4] }),
                2,
            ),
            (
                MmMessage::AuthenticationResponse(AuthenticationResponse {
                    res: vec![0x35; 16],
                }),
                0,
            ),
            (
                MmMessage::AuthenticationFailure(AuthenticationFailure {
                    cause: RejectCause::MAC_FAILURE,
                    auts: None,
                }),
                1,
            ),
            (
                MmMessage::AuthenticationFailure(AuthenticationFailure {
                    cause: RejectCause::SYNCH_FAILURE,
                    auts: Some([0x44; 14]),
                }),
                1,
            ),
            (MmMessage::AuthenticationReject, 0),
            (
                MmMessage::LocationUpdatingAccept(LocationUpdatingAccept {
                    lai: LAI,
                    follow_on_proceed: false,
                }),
                0,
            ),
            (
                MmMessage::LocationUpdatingAccept(LocationUpdatingAccept {
                    lai: LAI,
                    follow_on_proceed: true,
                }),
                0,
            ),
            (
                MmMessage::LocationUpdatingReject(RejectCause::IMSI_UNKNOWN_IN_HLR),
                0,
            ),
        ]
    }

    #[test]
    fn n_sd_round_trips() {
        for (m, nsd) in samples() {
            let pdu = m.encode_with_nsd(nsd);
            assert_eq!(MmMessage::decode_with_nsd(&pdu), Ok((m.clone(), nsd)));
            assert_eq!(pdu[1] >> 6, nsd, "{m:?}");
        }
    }

    #[test]
    fn sizes_follow_ts_24_008() {
        let size = |m: MmMessage| m.encode().len();
        assert_eq!(size(MmMessage::LocationUpdatingRequest(lu_request())), 23);
        let auth = |autn| {
            MmMessage::AuthenticationRequest(AuthenticationRequest {
                cksn: 0,
                rand: [0; 16],
                autn,
            })
        };
        assert_eq!(size(auth(Some([0; 16]))), 37);
        assert_eq!(size(auth(None)), 19);
        let resp =
            |n| MmMessage::AuthenticationResponse(AuthenticationResponse { res: vec![0; n] });
        assert_eq!(size(resp(4)), 6);
        assert_eq!(size(resp(8)), 12);
        assert_eq!(size(resp(16)), 20);
        let fail = |auts| {
            MmMessage::AuthenticationFailure(AuthenticationFailure {
                cause: RejectCause::SYNCH_FAILURE,
                auts,
            })
        };
        assert_eq!(size(fail(None)), 3);
        assert_eq!(size(fail(Some([0; 14]))), 19);
        assert_eq!(size(MmMessage::AuthenticationReject), 2);
        let accept = MmMessage::LocationUpdatingAccept(LocationUpdatingAccept {
            lai: LAI,
            follow_on_proceed: false,
        });
        assert_eq!(size(accept), 7);
        assert_eq!(
            size(MmMessage::LocationUpdatingReject(RejectCause::ILLEGAL_MS)),
            3
        );
    }

    #[test]
    fn hand_assembled_bytes() {
        // Location updating request, N(SD) 0: CKSN 7 + IMSI attach, LAI
        // 00f110/0001, classmark 1, IMSI 001010123456789 (type 1, odd), UMTS classmark.
        let pdu = MmMessage::LocationUpdatingRequest(lu_request()).encode();
        assert_eq!(
            hex::encode(&pdu),
            "05087200f1100001570809101010325476983303571882"
        );
        // Authentication response with N(SD) 1 and an 8-octet RES.
        let pdu = MmMessage::AuthenticationResponse(AuthenticationResponse {
            res: (1..=8).collect(),
        })
        .encode_with_nsd(1);
        assert_eq!(hex::encode(&pdu), "055401020304210405060708");
        // Authentication request: CKSN 0, RAND, AUTN TLV 0x20.
        let pdu = MmMessage::AuthenticationRequest(AuthenticationRequest {
            cksn: 0,
            rand: [0xaa; 16],
            autn: Some([0xbb; 16]),
        })
        .encode();
        assert_eq!(&pdu[..3], &[0x05, 0x12, 0x00]);
        assert_eq!(&pdu[19..21], &[0x20, 0x10]);
    }

    #[test]
    fn errors_name_the_offset() {
        let pdu = MmMessage::LocationUpdatingRequest(lu_request()).encode();
        let mut bad = pdu.clone();
        bad[0] = 0x06;
        assert_eq!(MmMessage::decode(&bad).unwrap_err().offset, 0);
        let mut bad = pdu.clone();
        bad[2] |= 0x04; // spare bit
        assert_eq!(MmMessage::decode(&bad).unwrap_err().offset, 2);
        let mut bad = pdu.clone();
        bad[10] = 0x0e; // identity type 6
        assert_eq!(MmMessage::decode(&bad).unwrap_err().offset, 10);
        let mut bad = pdu.clone();
        bad[18] = 0x34; // wrong IEI
        assert_eq!(MmMessage::decode(&bad).unwrap_err().offset, 18);
        let mut bad = pdu.clone();
        bad.push(0);
        assert_eq!(MmMessage::decode(&bad).unwrap_err().offset, 23);
        // N(SD) in a message from the network.
        let mut bad = MmMessage::AuthenticationReject.encode();
        bad[1] |= 0x40;
        assert_eq!(MmMessage::decode(&bad).unwrap_err().offset, 1);
        assert_eq!(MmMessage::decode(&[0x05, 0x3f]).unwrap_err().offset, 1);
        assert_eq!(MmMessage::decode(&[]).unwrap_err().offset, 0);
    }

    #[test]
    fn decoded_variants_re_encode_with_their_n_sd() {
        let mut accepted = 0;
        for (m, nsd) in samples() {
            for v in crate::wire::contract_tests::variants(&m.encode_with_nsd(nsd)) {
                if let Ok((m, nsd)) = MmMessage::decode_with_nsd(&v) {
                    assert_eq!(
                        m.encode_with_nsd(nsd),
                        v,
                        "non-canonical: {}",
                        hex::encode(&v)
                    );
                    accepted += 1;
                }
            }
        }
        assert!(accepted > 2_000, "only {accepted} variants decoded");
    }
}
