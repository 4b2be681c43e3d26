//! The adversary's 5G NAS (TS 24.501) for 5G-AKA: what [`super::injector`]
//! forges and what [`super::mitm`] recognises and alters on N1. Like the
//! EPS and UMTS dialects it holds no key: identities in the clear, a SUCI
//! scheme output of the right shape but random content, random RAND, AUTN
//! and RES*.

use rand::Rng;

use crate::core::{Addr, Ctx, Interface};
use crate::crypto::suci::msin_bcd;
use crate::wire::nas5g::identity::{MobileIdentity5gs, Plmn, SCHEME_NULL, Suci};
use crate::wire::nas5g::{
    AuthenticationRequest, AuthenticationResponse, NGKSI_NO_KEY, Nas5g, Nas5gMessage,
    RegistrationRequest, TYPICAL_UE_SECURITY_CAPABILITY, registration_type,
};

/// How the adversary writes the SUCI of a registration it forges.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum SuciForm {
    /// The null scheme: the MSIN in the clear (any SUPI, known or not).
    Null,
    /// ECIES profile A's shape (32-octet ephemeral X25519 key ‖ 5-octet
    /// ciphertext ‖ 8-octet MAC tag), random content: the UDM's SIDF does its
    /// key agreement before the MAC tag fails (TS 33.501 Annex C.3.3).
    ProfileA,
}

/// The home network public key identifier the 5G-AKA configuration
/// provisions (`fiveg_aka::Config`; public, as the SUCI carries it).
const HN_KEY_ID: u8 = 1;

/// Octets of a profile A scheme output for a 10-digit MSIN.
const PROFILE_A_OUTPUT: usize = 32 + 5 + 8;

/// The SUCI the adversary sends for subscriber `index` of `plmn_digits`.
fn suci(plmn_digits: &str, index: u32, form: SuciForm, cx: &mut Ctx<'_>) -> Suci {
    let (mcc, mnc) = plmn_digits.split_at(3);
    let (protection_scheme, hn_key_id, scheme_output) = match form {
        SuciForm::Null => {
            let supi = crate::aka::imsi(plmn_digits, index);
            let bcd = msin_bcd(&supi[plmn_digits.len()..])
                .unwrap_or_else(|e| unreachable!("an IMSI's MSIN is 10 digits: {e}"));
            (SCHEME_NULL, 0, bcd)
        }
        SuciForm::ProfileA => {
            let mut out = vec![0u8; PROFILE_A_OUTPUT];
            cx.rng.fill_bytes(&mut out);
            (1, HN_KEY_ID, out)
        }
    };
    Suci {
        plmn: Plmn {
            mcc: mcc.into(),
            mnc: mnc.into(),
        },
        routing_indicator: "0".into(),
        protection_scheme,
        hn_key_id,
        scheme_output,
    }
}

/// A REGISTRATION REQUEST (initial registration) with the SUCI of `index`.
pub fn send_registration(
    to: Addr,
    plmn_digits: &str,
    index: u32,
    form: SuciForm,
    cx: &mut Ctx<'_>,
) {
    let msg = Nas5gMessage::RegistrationRequest(RegistrationRequest {
        ngksi: NGKSI_NO_KEY,
        registration_type: registration_type::INITIAL,
        identity: MobileIdentity5gs::Suci(suci(plmn_digits, index, form, cx)),
        ue_security_capability: Some(TYPICAL_UE_SECURITY_CAPABILITY.to_vec()),
    });
    cx.fx.send_msg(to, Interface::N1, &msg);
}

/// A fake AMF's AUTHENTICATION REQUEST: random RAND and AUTN, ABBA 0x0000.
pub fn send_fake_challenge(to: Addr, cx: &mut Ctx<'_>) {
    let mut rand = [0u8; 16];
    let mut autn = [0u8; 16];
    cx.rng.fill_bytes(&mut rand);
    cx.rng.fill_bytes(&mut autn);
    let msg = Nas5gMessage::AuthenticationRequest(AuthenticationRequest {
        ngksi: 0,
        abba: vec![0, 0],
        rand_autn: Some((rand, autn)),
        eap: None,
    });
    cx.fx.send_msg(to, Interface::N1, &msg);
}

/// An AUTHENTICATION REJECT (5G-AKA: no EAP message), sent without
/// integrity protection as only a fake AMF can.
pub fn send_reject(to: Addr, cx: &mut Ctx<'_>) {
    cx.fx
        .send_msg(to, Interface::N1, &Nas5gMessage::AuthenticationReject(None));
}

/// An AUTHENTICATION RESPONSE with a random RES* (the adversary has no K).
pub fn send_forged_response(to: Addr, cx: &mut Ctx<'_>) {
    let mut res_star = [0u8; 16];
    cx.rng.fill_bytes(&mut res_star);
    let msg = Nas5gMessage::AuthenticationResponse(AuthenticationResponse {
        res_star: Some(res_star),
        eap: None,
    });
    cx.fx.send_msg(to, Interface::N1, &msg);
}

/// Whether `pdu` is a plain AUTHENTICATION REQUEST.
pub fn is_challenge(pdu: &[u8]) -> bool {
    matches!(
        Nas5g::decode(pdu),
        Ok(Nas5g::Plain(Nas5gMessage::AuthenticationRequest(_)))
    )
}

/// What the man in the middle recognises of an N1 PDU (see `mitm::Seen`).
pub enum Seen5g {
    Registration,
    Challenge,
    Response,
    SecurityModeCommand,
    SecurityModeComplete,
    Other,
}

/// The kind label and role of an N1 PDU.
pub fn classify(pdu: &[u8]) -> (&'static str, Seen5g) {
    match Nas5g::decode(pdu) {
        Ok(Nas5g::Plain(m)) => {
            let seen = match &m {
                Nas5gMessage::RegistrationRequest(_) => Seen5g::Registration,
                Nas5gMessage::AuthenticationRequest(_) => Seen5g::Challenge,
                Nas5gMessage::AuthenticationResponse(_) => Seen5g::Response,
                _ => Seen5g::Other,
            };
            (m.kind(), seen)
        }
        Ok(Nas5g::Protected(p)) => match p.decode_inner() {
            Ok(Nas5gMessage::SecurityModeCommand(_)) => {
                ("SecurityModeCommand", Seen5g::SecurityModeCommand)
            }
            Ok(Nas5gMessage::SecurityModeComplete(_)) => {
                ("SecurityModeComplete", Seen5g::SecurityModeComplete)
            }
            _ => ("SecurityProtected", Seen5g::Other),
        },
        Err(_) => ("undecodable", Seen5g::Other),
    }
}

/// A field the modification attack alters in 5G NAS (one bit flipped).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Field5g {
    Rand,
    /// A bit of MAC-A (the last octet of AUTN).
    Autn,
    ResStar,
    /// The NAS MAC of the SECURITY MODE COMMAND.
    Mac,
}

/// `pdu` with one bit of `field` flipped, if `pdu` carries it.
pub fn flip(field: Field5g, pdu: &[u8]) -> Option<Vec<u8>> {
    match (field, Nas5g::decode(pdu).ok()?) {
        (Field5g::Rand, Nas5g::Plain(Nas5gMessage::AuthenticationRequest(mut m))) => {
            m.rand_autn.as_mut()?.0[0] ^= 1;
            Some(Nas5gMessage::AuthenticationRequest(m).encode())
        }
        (Field5g::Autn, Nas5g::Plain(Nas5gMessage::AuthenticationRequest(mut m))) => {
            m.rand_autn.as_mut()?.1[15] ^= 1;
            Some(Nas5gMessage::AuthenticationRequest(m).encode())
        }
        (Field5g::ResStar, Nas5g::Plain(Nas5gMessage::AuthenticationResponse(mut m))) => {
            m.res_star.as_mut()?[0] ^= 1;
            Some(Nas5gMessage::AuthenticationResponse(m).encode())
        }
        (Field5g::Mac, Nas5g::Protected(mut p))
            if matches!(p.decode_inner(), Ok(Nas5gMessage::SecurityModeCommand(_))) =>
        {
            p.mac[0] ^= 1;
            Some(Nas5g::Protected(p).encode())
        }
        _ => None,
    }
}
