//! TLV encodings of the proxy multiparty messages (format: [`crate::wire::tlv`],
//! layout table in docs/wire-formats.md, "Proxy multiparty").
//!
//! Message types 0xa0–0xaf are reserved for this module. Every field tag has
//! one meaning in all messages ([`tag`]), so a dissector can name a field
//! without knowing the message. Field widths are the real ones: identifier 8,
//! nonce 16, compressed point 33, signature 65 (R ‖ s), public warrant 149
//! (m_w ‖ R_w); each message's length is a constant of these widths.

use super::delegation::{PUBLIC_WARRANT_LEN, PublicWarrant};
use super::schnorr::{POINT_LEN, SIG_LEN, Signature};
use crate::wire::tlv::{FIELD_HEADER_LEN, HEADER_LEN, Parsed, Writer};
use crate::wire::{Message, WireError, delegate_to_variants, inherent_message_methods};

/// Octets of a freshness nonce.
pub const NONCE_LEN: usize = 16;
pub type Nonce = [u8; NONCE_LEN];

/// Field tags, one meaning each.
pub mod tag {
    pub const DEVICE: u8 = 1;
    pub const AP: u8 = 2;
    pub const N_D: u8 = 3;
    pub const N_AP: u8 = 4;
    pub const N_CN: u8 = 5;
    pub const N_S: u8 = 6;
    pub const DEVICE_KEY: u8 = 7;
    /// Public warrant CN → MTC server.
    pub const W_CN_S: u8 = 8;
    /// The MTC server's proxy signature on behalf of the CN.
    pub const SIG_S: u8 = 9;
    /// Public warrant MTC server → CN.
    pub const W_S_CN: u8 = 10;
    /// The CN's proxy signature on behalf of the MTC server.
    pub const SIG_CN: u8 = 11;
    /// Public warrant CN → MTCAP.
    pub const W_CN_AP: u8 = 12;
    /// The MTCAP's proxy signature on behalf of the CN.
    pub const SIG_AP: u8 = 13;
    /// The device's own signature.
    pub const SIG_D: u8 = 14;
    pub const CAUSE: u8 = 15;
}

/// Message types.
pub mod msg_type {
    pub const HELLO: u8 = 0xa0;
    pub const AUTH_REQUEST: u8 = 0xa1;
    pub const CRED_REQUEST: u8 = 0xa2;
    pub const CRED_RESPONSE: u8 = 0xa3;
    pub const AUTH_VECTOR: u8 = 0xa4;
    pub const CHALLENGE: u8 = 0xa5;
    pub const RESPONSE: u8 = 0xa6;
    pub const CONFIRM: u8 = 0xa7;
    pub const REJECT: u8 = 0xa8;
}

/// One field type's encoding.
pub trait FieldCodec: Sized {
    /// Octets of the value.
    const LEN: usize;
    fn put<'a>(&self, w: Writer<'a>, tag: u8) -> Writer<'a>;
    fn take(m: &mut Parsed<'_>, tag: u8, what: &'static str) -> Result<Self, WireError>;
}

impl FieldCodec for u64 {
    const LEN: usize = 8;
    fn put<'a>(&self, w: Writer<'a>, tag: u8) -> Writer<'a> {
        w.u64(tag, *self)
    }
    fn take(m: &mut Parsed<'_>, tag: u8, what: &'static str) -> Result<Self, WireError> {
        m.take_u64(tag, what)
    }
}

impl FieldCodec for u8 {
    const LEN: usize = 1;
    fn put<'a>(&self, w: Writer<'a>, tag: u8) -> Writer<'a> {
        w.field(tag, &[*self])
    }
    fn take(m: &mut Parsed<'_>, tag: u8, what: &'static str) -> Result<Self, WireError> {
        Ok(m.take_array::<1>(tag, what)?[0])
    }
}

impl<const N: usize> FieldCodec for [u8; N] {
    const LEN: usize = N;
    fn put<'a>(&self, w: Writer<'a>, tag: u8) -> Writer<'a> {
        w.field(tag, self)
    }
    fn take(m: &mut Parsed<'_>, tag: u8, what: &'static str) -> Result<Self, WireError> {
        m.take_array::<N>(tag, what)
    }
}

impl FieldCodec for Signature {
    const LEN: usize = SIG_LEN;
    fn put<'a>(&self, w: Writer<'a>, tag: u8) -> Writer<'a> {
        w.field(tag, &self.to_bytes())
    }
    fn take(m: &mut Parsed<'_>, tag: u8, what: &'static str) -> Result<Self, WireError> {
        Ok(Signature::from_bytes(&m.take_array::<SIG_LEN>(tag, what)?))
    }
}

impl FieldCodec for PublicWarrant {
    const LEN: usize = PUBLIC_WARRANT_LEN;
    fn put<'a>(&self, w: Writer<'a>, tag: u8) -> Writer<'a> {
        w.field(tag, &self.encode())
    }
    fn take(m: &mut Parsed<'_>, tag: u8, what: &'static str) -> Result<Self, WireError> {
        let f = m.take(tag, what)?;
        PublicWarrant::decode(f.value, f.offset)
    }
}

/// Declares one message: its struct, `KIND`, constant `LEN` and codec.
macro_rules! px_message {
    ($(#[$doc:meta])* $name:ident = $ty:expr; $($field:ident : $t:ty = $tag:expr),+ $(,)?) => {
        $(#[$doc])*
        #[derive(Clone, Debug, PartialEq, Eq)]
        pub struct $name {
            $(pub $field: $t,)+
        }

        impl $name {
            pub const KIND: &'static str = stringify!($name);
            pub const LEN: usize = HEADER_LEN $(+ FIELD_HEADER_LEN + <$t as FieldCodec>::LEN)+;
        }

        impl Message for $name {
            fn kind(&self) -> &'static str {
                Self::KIND
            }
            fn encoded_len(&self) -> usize {
                Self::LEN
            }
            fn encode_into(&self, out: &mut Vec<u8>) {
                let w = Writer::begin(out, $ty);
                $(let w = self.$field.put(w, $tag);)+
                w.finish();
            }
            fn decode(pdu: &[u8]) -> Result<Self, WireError> {
                let mut m = Parsed::parse(pdu)?;
                if m.msg_type != $ty {
                    return Err(WireError::new(0, Self::KIND, "wrong message type"));
                }
                $(let $field = <$t as FieldCodec>::take(&mut m, $tag, stringify!($field))?;)+
                m.finish()?;
                Ok(Self { $($field,)+ })
            }
        }

        inherent_message_methods!($name);
    };
}

px_message! {
    /// 1, device → MTCAP: identity and the device's nonce.
    PxHello = msg_type::HELLO;
    device: u64 = tag::DEVICE,
    n_d: Nonce = tag::N_D,
}

px_message! {
    /// 2, MTCAP → CN: the device's request with the MTCAP's nonce.
    PxAuthRequest = msg_type::AUTH_REQUEST;
    device: u64 = tag::DEVICE,
    ap: u64 = tag::AP,
    n_d: Nonce = tag::N_D,
    n_ap: Nonce = tag::N_AP,
}

px_message! {
    /// 3, CN → MTC server: vouch for this device, fresh for n_d and n_cn.
    PxCredRequest = msg_type::CRED_REQUEST;
    device: u64 = tag::DEVICE,
    n_d: Nonce = tag::N_D,
    n_cn: Nonce = tag::N_CN,
}

px_message! {
    /// 4, MTC server → CN: σ_S, its proxy signature on behalf of the CN.
    PxCredResponse = msg_type::CRED_RESPONSE;
    device: u64 = tag::DEVICE,
    n_s: Nonce = tag::N_S,
    sig_s: Signature = tag::SIG_S,
}

px_message! {
    /// 5, CN → MTCAP: the device's key vouched for by both proxy signatures.
    PxAuthVector = msg_type::AUTH_VECTOR;
    device: u64 = tag::DEVICE,
    n_d: Nonce = tag::N_D,
    n_ap: Nonce = tag::N_AP,
    n_cn: Nonce = tag::N_CN,
    n_s: Nonce = tag::N_S,
    device_key: [u8; POINT_LEN] = tag::DEVICE_KEY,
    w_cn_s: PublicWarrant = tag::W_CN_S,
    sig_s: Signature = tag::SIG_S,
    w_s_cn: PublicWarrant = tag::W_S_CN,
    sig_cn: Signature = tag::SIG_CN,
}

px_message! {
    /// 6, MTCAP → device: three proxy signatures with their warrants.
    PxChallenge = msg_type::CHALLENGE;
    ap: u64 = tag::AP,
    n_d: Nonce = tag::N_D,
    n_ap: Nonce = tag::N_AP,
    n_cn: Nonce = tag::N_CN,
    n_s: Nonce = tag::N_S,
    w_cn_ap: PublicWarrant = tag::W_CN_AP,
    sig_ap: Signature = tag::SIG_AP,
    w_cn_s: PublicWarrant = tag::W_CN_S,
    sig_s: Signature = tag::SIG_S,
    w_s_cn: PublicWarrant = tag::W_S_CN,
    sig_cn: Signature = tag::SIG_CN,
}

px_message! {
    /// 7, device → MTCAP: the device's own signature over all four nonces.
    PxResponse = msg_type::RESPONSE;
    device: u64 = tag::DEVICE,
    n_ap: Nonce = tag::N_AP,
    sig_d: Signature = tag::SIG_D,
}

px_message! {
    /// 8, MTCAP → CN and CN → MTC server: the device's signature, so that
    /// the CN and the MTC server authenticate the device too.
    PxConfirm = msg_type::CONFIRM;
    device: u64 = tag::DEVICE,
    ap: u64 = tag::AP,
    n_ap: Nonce = tag::N_AP,
    sig_d: Signature = tag::SIG_D,
}

px_message! {
    /// A refusal, relayed towards the device: [`Cause`] as one octet.
    PxReject = msg_type::REJECT;
    device: u64 = tag::DEVICE,
    cause: u8 = tag::CAUSE,
}

/// Why a node refused a device (the `cause` octet of [`PxReject`]).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[repr(u8)]
pub enum Cause {
    /// The MTC server or the CN does not know the device.
    UnknownDevice = 1,
    /// The device is outside the scope of a warrant on the path.
    NotDelegated = 2,
    /// A proxy signature on the path failed (forged, expired, wrong delegator).
    BadSignature = 3,
}

impl Cause {
    pub fn from_u8(v: u8) -> Option<Self> {
        match v {
            1 => Some(Cause::UnknownDevice),
            2 => Some(Cause::NotDelegated),
            3 => Some(Cause::BadSignature),
            _ => None,
        }
    }
    pub const fn reason(self) -> &'static str {
        match self {
            Cause::UnknownDevice => "unknown_device",
            Cause::NotDelegated => "device_not_delegated",
            Cause::BadSignature => "bad_proxy_signature",
        }
    }
}

/// Any proxy multiparty message, decoded by its type octet.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum PxMessage {
    Hello(PxHello),
    AuthRequest(PxAuthRequest),
    CredRequest(PxCredRequest),
    CredResponse(PxCredResponse),
    AuthVector(PxAuthVector),
    Challenge(PxChallenge),
    Response(PxResponse),
    Confirm(PxConfirm),
    Reject(PxReject),
}

impl Message for PxMessage {
    delegate_to_variants!(
        Hello,
        AuthRequest,
        CredRequest,
        CredResponse,
        AuthVector,
        Challenge,
        Response,
        Confirm,
        Reject
    );
    fn decode(pdu: &[u8]) -> Result<Self, WireError> {
        let ty = crate::wire::tlv::peek_type(pdu)?;
        Ok(match ty {
            msg_type::HELLO => Self::Hello(PxHello::decode(pdu)?),
            msg_type::AUTH_REQUEST => Self::AuthRequest(PxAuthRequest::decode(pdu)?),
            msg_type::CRED_REQUEST => Self::CredRequest(PxCredRequest::decode(pdu)?),
            msg_type::CRED_RESPONSE => Self::CredResponse(PxCredResponse::decode(pdu)?),
            msg_type::AUTH_VECTOR => Self::AuthVector(PxAuthVector::decode(pdu)?),
            msg_type::CHALLENGE => Self::Challenge(PxChallenge::decode(pdu)?),
            msg_type::RESPONSE => Self::Response(PxResponse::decode(pdu)?),
            msg_type::CONFIRM => Self::Confirm(PxConfirm::decode(pdu)?),
            msg_type::REJECT => Self::Reject(PxReject::decode(pdu)?),
            _ => return Err(WireError::new(0, "message type", "not a proxy message")),
        })
    }
}

inherent_message_methods!(PxMessage);

#[cfg(test)]
pub(crate) mod tests {
    use super::*;
    use crate::proxy::warrant::{Purpose, Warrant};

    pub(crate) fn warrant(purpose: Purpose) -> PublicWarrant {
        PublicWarrant {
            warrant: Warrant {
                delegator: 1,
                delegator_pk: [2; POINT_LEN],
                proxy: 2,
                proxy_pk: [3; POINT_LEN],
                not_before_ms: 0,
                not_after_ms: 10,
                purpose,
                first: 1000,
                last: 1999,
            },
            r_w: [2; POINT_LEN],
        }
    }

    pub(crate) fn samples() -> Vec<PxMessage> {
        let sig = |b: u8| Signature {
            r: [2; POINT_LEN],
            s: [b; 32],
        };
        let w = warrant(Purpose::DeviceCredential);
        vec![
            PxMessage::Hello(PxHello {
                device: 1000,
                n_d: [1; 16],
            }),
            PxMessage::AuthRequest(PxAuthRequest {
                device: 1000,
                ap: 3,
                n_d: [1; 16],
                n_ap: [2; 16],
            }),
            PxMessage::CredRequest(PxCredRequest {
                device: 1000,
                n_d: [1; 16],
                n_cn: [3; 16],
            }),
            PxMessage::CredResponse(PxCredResponse {
                device: 1000,
                n_s: [4; 16],
                sig_s: sig(5),
            }),
            PxMessage::AuthVector(PxAuthVector {
                device: 1000,
                n_d: [1; 16],
                n_ap: [2; 16],
                n_cn: [3; 16],
                n_s: [4; 16],
                device_key: [3; POINT_LEN],
                w_cn_s: w,
                sig_s: sig(5),
                w_s_cn: w,
                sig_cn: sig(6),
            }),
            PxMessage::Challenge(PxChallenge {
                ap: 3,
                n_d: [1; 16],
                n_ap: [2; 16],
                n_cn: [3; 16],
                n_s: [4; 16],
                w_cn_ap: warrant(Purpose::AccessPoint),
                sig_ap: sig(7),
                w_cn_s: w,
                sig_s: sig(5),
                w_s_cn: w,
                sig_cn: sig(6),
            }),
            PxMessage::Response(PxResponse {
                device: 1000,
                n_ap: [2; 16],
                sig_d: sig(8),
            }),
            PxMessage::Confirm(PxConfirm {
                device: 1000,
                ap: 3,
                n_ap: [2; 16],
                sig_d: sig(8),
            }),
            PxMessage::Reject(PxReject {
                device: 1000,
                cause: Cause::NotDelegated as u8,
            }),
        ]
    }

    #[test]
    fn lengths_are_the_field_widths() {
        assert_eq!(PxHello::LEN, 4 + 11 + 19);
        assert_eq!(PxResponse::LEN, 4 + 11 + 19 + 68);
        assert_eq!(
            PxChallenge::LEN,
            4 + 11 + 4 * 19 + 3 * (3 + PUBLIC_WARRANT_LEN) + 3 * (3 + SIG_LEN)
        );
        // The sizes docs/wire-formats.md lists, in type order.
        let sizes: Vec<usize> = samples().iter().map(|m| m.encoded_len()).collect();
        assert_eq!(sizes, [34, 64, 53, 102, 567, 751, 102, 113, 19]);
        for m in samples() {
            assert_eq!(m.encode().len(), m.encoded_len(), "{}", m.kind());
            assert_eq!(PxMessage::decode(&m.encode()), Ok(m));
        }
    }
}
