//! EAP packets (RFC 3748 §4) of the method EAP-AKA' (type 50, RFC 9048),
//! as 5G carries them in the NAS EAP message IE (TS 24.501 §9.11.2.2) and
//! in the SBI's base64 `eapPayload` (TS 29.509).
//!
//! A Request or Response is Code, Identifier, Length (2 octets), Type (50),
//! Subtype, 2 reserved octets and attributes; an attribute is Type, Length
//! in multiples of 4 octets and its value (RFC 4187 §8.1). Success and
//! Failure are the 4-octet header alone. Only the attributes EAP-AKA' uses
//! here are modelled; decoding is strict (reserved octets and padding zero,
//! no unknown attribute, skippable or not), so `encode(decode(b)) == b`.

use super::{Message, Reader, WireError};

/// EAP codes (RFC 3748 §4).
pub mod code {
    pub const REQUEST: u8 = 1;
    pub const RESPONSE: u8 = 2;
    pub const SUCCESS: u8 = 3;
    pub const FAILURE: u8 = 4;
}

/// EAP method type of EAP-AKA' (RFC 9048 §6).
pub const TYPE_AKA_PRIME: u8 = 50;

/// EAP-AKA' subtypes (RFC 4187 §11).
pub mod subtype {
    pub const CHALLENGE: u8 = 1;
    pub const AUTHENTICATION_REJECT: u8 = 2;
    pub const SYNCHRONIZATION_FAILURE: u8 = 4;
    pub const CLIENT_ERROR: u8 = 14;
}

/// Attribute types (RFC 4187 §11, RFC 9048 §6).
pub mod at {
    pub const RAND: u8 = 1;
    pub const AUTN: u8 = 2;
    pub const RES: u8 = 3;
    pub const AUTS: u8 = 4;
    pub const MAC: u8 = 11;
    pub const CLIENT_ERROR_CODE: u8 = 22;
    pub const KDF_INPUT: u8 = 23;
    pub const KDF: u8 = 24;
}

/// The one key derivation function of RFC 9048 §3.2 (CK'/IK' with
/// HMAC-SHA-256 PRF'), the only one authsim offers and accepts.
pub const KDF_1: u16 = 1;

/// Octets of the EAP header (Code, Identifier, Length).
pub const HEADER_LEN: usize = 4;
/// Octets of the EAP-AKA' header after the EAP header (Type, Subtype, Reserved).
pub const METHOD_HEADER_LEN: usize = 4;

/// One EAP-AKA' attribute.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Attribute {
    Rand([u8; 16]),
    Autn([u8; 16]),
    /// RES of 4..=16 octets (its length in bits goes on the wire).
    Res(Vec<u8>),
    Auts([u8; 14]),
    Mac([u8; 16]),
    ClientErrorCode(u16),
    /// The network name (5G: the serving network name, TS 33.501 §6.1.3.1).
    KdfInput(Vec<u8>),
    Kdf(u16),
}

impl Attribute {
    fn type_octet(&self) -> u8 {
        match self {
            Attribute::Rand(_) => at::RAND,
            Attribute::Autn(_) => at::AUTN,
            Attribute::Res(_) => at::RES,
            Attribute::Auts(_) => at::AUTS,
            Attribute::Mac(_) => at::MAC,
            Attribute::ClientErrorCode(_) => at::CLIENT_ERROR_CODE,
            Attribute::KdfInput(_) => at::KDF_INPUT,
            Attribute::Kdf(_) => at::KDF,
        }
    }

    /// Octets of the attribute: type, length and a value padded to 4n.
    pub fn encoded_len(&self) -> usize {
        match self {
            Attribute::Rand(_) | Attribute::Autn(_) | Attribute::Mac(_) => 20,
            Attribute::Res(v) | Attribute::KdfInput(v) => 4 + v.len().div_ceil(4) * 4,
            Attribute::Auts(_) => 16,
            Attribute::ClientErrorCode(_) | Attribute::Kdf(_) => 4,
        }
    }

    fn encode_into(&self, out: &mut Vec<u8>) {
        let len = self.encoded_len();
        assert!(len / 4 <= 255, "attribute longer than 1020 octets");
        out.push(self.type_octet());
        out.push((len / 4) as u8);
        let padded = |out: &mut Vec<u8>, v: &[u8]| {
            out.extend_from_slice(v);
            out.resize(out.len() + (4 - v.len() % 4) % 4, 0);
        };
        match self {
            Attribute::Rand(v) | Attribute::Autn(v) | Attribute::Mac(v) => {
                out.extend_from_slice(&[0, 0]);
                out.extend_from_slice(v);
            }
            Attribute::Res(v) => {
                assert!((4..=16).contains(&v.len()), "RES is 4..=16 octets");
                out.extend_from_slice(&((v.len() * 8) as u16).to_be_bytes());
                padded(out, v);
            }
            Attribute::KdfInput(v) => {
                assert!(!v.is_empty(), "AT_KDF_INPUT names a network");
                out.extend_from_slice(&(v.len() as u16).to_be_bytes());
                padded(out, v);
            }
            Attribute::Auts(v) => out.extend_from_slice(v),
            Attribute::ClientErrorCode(c) | Attribute::Kdf(c) => {
                out.extend_from_slice(&c.to_be_bytes())
            }
        }
    }

    /// Reads one attribute at the reader's position.
    fn decode(r: &mut Reader<'_>) -> Result<Self, WireError> {
        let at = r.offset();
        let ty = r.u8("attribute type")?;
        let units = r.u8("attribute length")? as usize;
        if units == 0 {
            return Err(WireError::new(at + 1, "attribute length", "zero"));
        }
        let body_at = r.offset();
        let body = r.bytes(units * 4 - 2, "attribute value")?;
        let fixed = |n: usize, what| {
            if body.len() != n {
                return Err(WireError::new(at + 1, what, "wrong attribute length"));
            }
            Ok(())
        };
        let reserved_zero = |what| {
            if body[..2] != [0, 0] {
                return Err(WireError::new(body_at, what, "reserved octets not zero"));
            }
            Ok(())
        };
        let padded = |what, actual: usize| {
            if actual == 0 || actual > body.len() - 2 || body.len() - 2 - actual >= 4 {
                return Err(WireError::new(
                    body_at,
                    what,
                    "length does not fit the attribute",
                ));
            }
            if body[2 + actual..].iter().any(|&b| b != 0) {
                return Err(WireError::new(
                    body_at + 2 + actual,
                    what,
                    "padding not zero",
                ));
            }
            Ok(body[2..2 + actual].to_vec())
        };
        let arr16 = |what| -> Result<[u8; 16], WireError> {
            fixed(18, what)?;
            reserved_zero(what)?;
            let mut v = [0u8; 16];
            v.copy_from_slice(&body[2..]);
            Ok(v)
        };
        let u16_of = |what| -> Result<u16, WireError> {
            fixed(2, what)?;
            Ok(u16::from_be_bytes([body[0], body[1]]))
        };
        Ok(match ty {
            at::RAND => Attribute::Rand(arr16("AT_RAND")?),
            at::AUTN => Attribute::Autn(arr16("AT_AUTN")?),
            at::MAC => Attribute::Mac(arr16("AT_MAC")?),
            at::RES => {
                let bits = u16::from_be_bytes([body[0], body[1]]) as usize;
                if !bits.is_multiple_of(8) || !(32..=128).contains(&bits) {
                    return Err(WireError::new(
                        body_at,
                        "AT_RES",
                        "RES is not 4..=16 octets",
                    ));
                }
                Attribute::Res(padded("AT_RES", bits / 8)?)
            }
            at::KDF_INPUT => {
                let n = u16::from_be_bytes([body[0], body[1]]) as usize;
                Attribute::KdfInput(padded("AT_KDF_INPUT", n)?)
            }
            at::AUTS => {
                fixed(14, "AT_AUTS")?;
                let mut v = [0u8; 14];
                v.copy_from_slice(body);
                Attribute::Auts(v)
            }
            at::CLIENT_ERROR_CODE => Attribute::ClientErrorCode(u16_of("AT_CLIENT_ERROR_CODE")?),
            at::KDF => Attribute::Kdf(u16_of("AT_KDF")?),
            _ => return Err(WireError::new(at, "attribute type", "not modelled")),
        })
    }
}

/// An EAP-AKA' Request or Response: subtype and attributes in order.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct AkaPrime {
    pub subtype: u8,
    pub attributes: Vec<Attribute>,
}

impl AkaPrime {
    /// The first attribute `pick` selects.
    pub fn find<T>(&self, pick: impl Fn(&Attribute) -> Option<T>) -> Option<T> {
        self.attributes.iter().find_map(pick)
    }
    pub fn rand(&self) -> Option<[u8; 16]> {
        self.find(|a| match a {
            Attribute::Rand(v) => Some(*v),
            _ => None,
        })
    }
    pub fn autn(&self) -> Option<[u8; 16]> {
        self.find(|a| match a {
            Attribute::Autn(v) => Some(*v),
            _ => None,
        })
    }
    pub fn res(&self) -> Option<&[u8]> {
        self.attributes.iter().find_map(|a| match a {
            Attribute::Res(v) => Some(&v[..]),
            _ => None,
        })
    }
    pub fn auts(&self) -> Option<[u8; 14]> {
        self.find(|a| match a {
            Attribute::Auts(v) => Some(*v),
            _ => None,
        })
    }
    pub fn mac(&self) -> Option<[u8; 16]> {
        self.find(|a| match a {
            Attribute::Mac(v) => Some(*v),
            _ => None,
        })
    }
    pub fn kdf_input(&self) -> Option<&[u8]> {
        self.attributes.iter().find_map(|a| match a {
            Attribute::KdfInput(v) => Some(&v[..]),
            _ => None,
        })
    }
    /// The AT_KDF values in the order offered.
    pub fn kdfs(&self) -> Vec<u16> {
        self.attributes
            .iter()
            .filter_map(|a| match a {
                Attribute::Kdf(k) => Some(*k),
                _ => None,
            })
            .collect()
    }

    fn encoded_len(&self) -> usize {
        METHOD_HEADER_LEN
            + self
                .attributes
                .iter()
                .map(Attribute::encoded_len)
                .sum::<usize>()
    }
}

/// One EAP packet.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum EapPacket {
    Request { identifier: u8, method: AkaPrime },
    Response { identifier: u8, method: AkaPrime },
    Success { identifier: u8 },
    Failure { identifier: u8 },
}

impl EapPacket {
    pub fn identifier(&self) -> u8 {
        match self {
            EapPacket::Request { identifier, .. }
            | EapPacket::Response { identifier, .. }
            | EapPacket::Success { identifier }
            | EapPacket::Failure { identifier } => *identifier,
        }
    }

    fn code(&self) -> u8 {
        match self {
            EapPacket::Request { .. } => code::REQUEST,
            EapPacket::Response { .. } => code::RESPONSE,
            EapPacket::Success { .. } => code::SUCCESS,
            EapPacket::Failure { .. } => code::FAILURE,
        }
    }

    pub fn method(&self) -> Option<&AkaPrime> {
        match self {
            EapPacket::Request { method, .. } | EapPacket::Response { method, .. } => Some(method),
            _ => None,
        }
    }

    /// Offset of the AT_MAC value in the encoding, if the packet has AT_MAC.
    pub fn mac_value_offset(&self) -> Option<usize> {
        let m = self.method()?;
        let mut at = HEADER_LEN + METHOD_HEADER_LEN;
        for a in &m.attributes {
            if matches!(a, Attribute::Mac(_)) {
                return Some(at + 4);
            }
            at += a.encoded_len();
        }
        None
    }

    /// The encoding with the AT_MAC value zeroed: what AT_MAC covers
    /// (RFC 4187 §10.15).
    pub fn encode_with_zero_mac(&self) -> Vec<u8> {
        let mut out = self.encode();
        if let Some(at) = self.mac_value_offset() {
            out[at..at + 16].fill(0);
        }
        out
    }

    /// Sets the AT_MAC value (no-op without AT_MAC).
    pub fn set_mac(&mut self, mac: [u8; 16]) {
        if let EapPacket::Request { method, .. } | EapPacket::Response { method, .. } = self {
            for a in &mut method.attributes {
                if let Attribute::Mac(v) = a {
                    *v = mac;
                }
            }
        }
    }
}

impl Message for EapPacket {
    fn kind(&self) -> &'static str {
        match self {
            EapPacket::Request { method, .. } | EapPacket::Response { method, .. } => {
                match method.subtype {
                    subtype::CHALLENGE => "AKA'-Challenge",
                    subtype::AUTHENTICATION_REJECT => "AKA'-Authentication-Reject",
                    subtype::SYNCHRONIZATION_FAILURE => "AKA'-Synchronization-Failure",
                    subtype::CLIENT_ERROR => "AKA'-Client-Error",
                    _ => "AKA'",
                }
            }
            EapPacket::Success { .. } => "EAP-Success",
            EapPacket::Failure { .. } => "EAP-Failure",
        }
    }

    fn encoded_len(&self) -> usize {
        HEADER_LEN + self.method().map_or(0, AkaPrime::encoded_len)
    }

    fn encode_into(&self, out: &mut Vec<u8>) {
        let len = self.encoded_len();
        assert!(len <= u16::MAX as usize, "EAP packet fits its length field");
        out.reserve(len);
        out.push(self.code());
        out.push(self.identifier());
        out.extend_from_slice(&(len as u16).to_be_bytes());
        if let Some(m) = self.method() {
            out.extend_from_slice(&[TYPE_AKA_PRIME, m.subtype, 0, 0]);
            for a in &m.attributes {
                a.encode_into(out);
            }
        }
    }

    fn decode(pdu: &[u8]) -> Result<Self, WireError> {
        let mut r = Reader::new(pdu);
        let c = r.u8("EAP code")?;
        let identifier = r.u8("EAP identifier")?;
        let len = u16::from_be_bytes(r.array::<2>("EAP length")?) as usize;
        if len != pdu.len() {
            return Err(WireError::new(2, "EAP length", "not the packet's length"));
        }
        let packet = match c {
            code::SUCCESS => EapPacket::Success { identifier },
            code::FAILURE => EapPacket::Failure { identifier },
            code::REQUEST | code::RESPONSE => {
                if r.u8("EAP type")? != TYPE_AKA_PRIME {
                    return Err(WireError::new(4, "EAP type", "not EAP-AKA' (50)"));
                }
                let st = r.u8("EAP-AKA' subtype")?;
                if !matches!(
                    st,
                    subtype::CHALLENGE
                        | subtype::AUTHENTICATION_REJECT
                        | subtype::SYNCHRONIZATION_FAILURE
                        | subtype::CLIENT_ERROR
                ) {
                    return Err(WireError::new(5, "EAP-AKA' subtype", "not modelled"));
                }
                if r.array::<2>("EAP-AKA' reserved")? != [0, 0] {
                    return Err(WireError::new(6, "EAP-AKA' reserved", "not zero"));
                }
                let mut attributes = Vec::new();
                while !r.is_empty() {
                    attributes.push(Attribute::decode(&mut r)?);
                }
                let method = AkaPrime {
                    subtype: st,
                    attributes,
                };
                if c == code::REQUEST {
                    EapPacket::Request { identifier, method }
                } else {
                    EapPacket::Response { identifier, method }
                }
            }
            _ => return Err(WireError::new(0, "EAP code", "not 1..=4")),
        };
        r.finish("end of EAP packet")?;
        Ok(packet)
    }
}

super::inherent_message_methods!(EapPacket);

#[cfg(test)]
pub(crate) mod tests;
