//! The JSON text of the SBI bodies, written by hand: octet for octet what
//! `serde_json::to_writer` writes for the bodies' serde derives (compact
//! form, fields in declaration order, `None` fields left out, an
//! internally tagged enum's tag first, map keys in `BTreeMap` order,
//! strings escaped as serde_json escapes them).
//!
//! Why: serde_json passes every string one octet at a time through its
//! escape table, and each message's JSON is written twice (encoding, and
//! the strict decoder's comparison); that was the largest single cost of
//! the SBI codec in the 5G storm's profile (docs/performance.md). The SBI's
//! strings (hex, SUPI/SUCI, URIs, causes) need no escape, so a string is
//! checked once and copied whole. `sbi::tests::hand_written_json_is_serde_json`
//! compares both writers on every sample and on strings holding every
//! octet class serde_json treats apart.

use std::collections::BTreeMap;

use super::{
    AuthResult, AuthType, AuthenticationInfo, AuthenticationInfoRequest, AuthenticationInfoResult,
    AuthenticationVector, Av5gAka, Body, ConfirmationData, ConfirmationDataResponse, EapSession,
    Link, ProblemDetails, ResynchronizationInfo, UeAuthenticationCtx, UeAuthenticationCtxEap,
};

/// Appends the JSON text of `body` to `out`.
pub(super) fn body_into(body: &Body, out: &mut Vec<u8>) {
    match body {
        Body::AuthenticationInfo(b) => authentication_info(b, out),
        Body::UeAuthenticationCtx(b) => ue_authentication_ctx(b, out),
        Body::UeAuthenticationCtxEap(b) => ue_authentication_ctx_eap(b, out),
        Body::EapSession(b) => eap_session(b, out),
        Body::ConfirmationData(b) => confirmation_data(b, out),
        Body::ConfirmationDataResponse(b) => confirmation_data_response(b, out),
        Body::AuthenticationInfoRequest(b) => authentication_info_request(b, out),
        Body::AuthenticationInfoResult(b) => authentication_info_result(b, out),
        Body::ProblemDetails(b) => problem_details(b, out),
    }
}

/// Whether serde_json escapes octet `b` in a string (its `ESCAPE` table:
/// control characters, `"` and `\`; `/`, DEL and non-ASCII go as they are).
pub(super) fn escaped(b: u8) -> bool {
    b < 0x20 || b == b'"' || b == b'\\'
}

/// Where the first octet that serde_json escapes is in `bytes`, if any.
/// Each 16-octet chunk is tested without an early exit, so the compiler
/// tests it as one vector (an octet-by-octet scan was 5 % of the storm).
pub(super) fn first_escaped(bytes: &[u8]) -> Option<usize> {
    const CHUNK: usize = 16;
    let mut chunks = bytes.chunks_exact(CHUNK);
    for (i, c) in (&mut chunks).enumerate() {
        if c.iter().fold(false, |e, &b| e | escaped(b)) {
            return c.iter().position(|&b| escaped(b)).map(|p| i * CHUNK + p);
        }
    }
    let tail = bytes.len() - chunks.remainder().len();
    chunks
        .remainder()
        .iter()
        .position(|&b| escaped(b))
        .map(|p| tail + p)
}

/// A JSON string as serde_json writes it.
fn string(s: &str, out: &mut Vec<u8>) {
    let bytes = s.as_bytes();
    out.reserve(bytes.len() + 2);
    out.push(b'"');
    if first_escaped(bytes).is_some() {
        for &b in bytes {
            match b {
                b'"' => out.extend_from_slice(b"\\\""),
                b'\\' => out.extend_from_slice(b"\\\\"),
                0x08 => out.extend_from_slice(b"\\b"),
                0x09 => out.extend_from_slice(b"\\t"),
                0x0a => out.extend_from_slice(b"\\n"),
                0x0c => out.extend_from_slice(b"\\f"),
                0x0d => out.extend_from_slice(b"\\r"),
                0x00..=0x1f => {
                    const DIGITS: &[u8; 16] = b"0123456789abcdef";
                    out.extend_from_slice(b"\\u00");
                    out.push(DIGITS[usize::from(b >> 4)]);
                    out.push(DIGITS[usize::from(b & 0xf)]);
                }
                _ => out.push(b),
            }
        }
    } else {
        out.extend_from_slice(bytes);
    }
    out.push(b'"');
}

/// `,"name":` then the string, when the field is present.
fn opt_string(key: &[u8], value: &Option<String>, out: &mut Vec<u8>) {
    if let Some(v) = value {
        out.extend_from_slice(key);
        string(v, out);
    }
}

fn auth_type(t: AuthType, out: &mut Vec<u8>) {
    out.extend_from_slice(match t {
        AuthType::FiveGAka => b"\"5G_AKA\"",
        AuthType::EapAkaPrime => b"\"EAP_AKA_PRIME\"",
    });
}

fn auth_result(r: AuthResult, out: &mut Vec<u8>) {
    out.extend_from_slice(match r {
        AuthResult::AuthenticationSuccess => b"\"AUTHENTICATION_SUCCESS\"",
        AuthResult::AuthenticationFailure => b"\"AUTHENTICATION_FAILURE\"",
    });
}

fn resynchronization_info(r: &ResynchronizationInfo, out: &mut Vec<u8>) {
    out.extend_from_slice(br#"{"rand":"#);
    string(&r.rand, out);
    out.extend_from_slice(br#","auts":"#);
    string(&r.auts, out);
    out.push(b'}');
}

fn links(map: &BTreeMap<String, Link>, out: &mut Vec<u8>) {
    out.push(b'{');
    for (i, (name, link)) in map.iter().enumerate() {
        if i > 0 {
            out.push(b',');
        }
        string(name, out);
        out.extend_from_slice(br#":{"href":"#);
        string(&link.href, out);
        out.push(b'}');
    }
    out.push(b'}');
}

fn authentication_info(b: &AuthenticationInfo, out: &mut Vec<u8>) {
    out.extend_from_slice(br#"{"supiOrSuci":"#);
    string(&b.supi_or_suci, out);
    out.extend_from_slice(br#","servingNetworkName":"#);
    string(&b.serving_network_name, out);
    if let Some(r) = &b.resynchronization_info {
        out.extend_from_slice(br#","resynchronizationInfo":"#);
        resynchronization_info(r, out);
    }
    out.push(b'}');
}

fn av_5g_aka(av: &Av5gAka, out: &mut Vec<u8>) {
    out.extend_from_slice(br#"{"rand":"#);
    string(&av.rand, out);
    out.extend_from_slice(br#","hxresStar":"#);
    string(&av.hxres_star, out);
    out.extend_from_slice(br#","autn":"#);
    string(&av.autn, out);
    out.push(b'}');
}

fn ue_authentication_ctx(b: &UeAuthenticationCtx, out: &mut Vec<u8>) {
    out.extend_from_slice(br#"{"authType":"#);
    auth_type(b.auth_type, out);
    out.extend_from_slice(br#","5gAuthData":"#);
    av_5g_aka(&b.five_g_auth_data, out);
    out.extend_from_slice(br#","_links":"#);
    links(&b.links, out);
    opt_string(br#","servingNetworkName":"#, &b.serving_network_name, out);
    out.push(b'}');
}

fn ue_authentication_ctx_eap(b: &UeAuthenticationCtxEap, out: &mut Vec<u8>) {
    out.extend_from_slice(br#"{"authType":"#);
    auth_type(b.auth_type, out);
    out.extend_from_slice(br#","5gAuthData":"#);
    string(&b.five_g_auth_data, out);
    out.extend_from_slice(br#","_links":"#);
    links(&b.links, out);
    out.push(b'}');
}

fn eap_session(b: &EapSession, out: &mut Vec<u8>) {
    out.extend_from_slice(br#"{"eapPayload":"#);
    string(&b.eap_payload, out);
    opt_string(br#","kSeaf":"#, &b.k_seaf, out);
    if let Some(l) = &b.links {
        out.extend_from_slice(br#","_links":"#);
        links(l, out);
    }
    if let Some(r) = b.auth_result {
        out.extend_from_slice(br#","authResult":"#);
        auth_result(r, out);
    }
    opt_string(br#","supi":"#, &b.supi, out);
    out.push(b'}');
}

fn confirmation_data(b: &ConfirmationData, out: &mut Vec<u8>) {
    out.extend_from_slice(br#"{"resStar":"#);
    string(&b.res_star, out);
    out.push(b'}');
}

fn confirmation_data_response(b: &ConfirmationDataResponse, out: &mut Vec<u8>) {
    out.extend_from_slice(br#"{"authResult":"#);
    auth_result(b.auth_result, out);
    opt_string(br#","supi":"#, &b.supi, out);
    opt_string(br#","kseaf":"#, &b.kseaf, out);
    out.push(b'}');
}

fn authentication_info_request(b: &AuthenticationInfoRequest, out: &mut Vec<u8>) {
    out.extend_from_slice(br#"{"servingNetworkName":"#);
    string(&b.serving_network_name, out);
    if let Some(r) = &b.resynchronization_info {
        out.extend_from_slice(br#","resynchronizationInfo":"#);
        resynchronization_info(r, out);
    }
    out.extend_from_slice(br#","ausfInstanceId":"#);
    string(&b.ausf_instance_id, out);
    out.push(b'}');
}

fn authentication_vector(v: &AuthenticationVector, out: &mut Vec<u8>) {
    match v {
        AuthenticationVector::FiveGHeAka(av) => {
            out.extend_from_slice(br#"{"avType":"5G_HE_AKA","rand":"#);
            string(&av.rand, out);
            out.extend_from_slice(br#","xresStar":"#);
            string(&av.xres_star, out);
            out.extend_from_slice(br#","autn":"#);
            string(&av.autn, out);
            out.extend_from_slice(br#","kausf":"#);
            string(&av.kausf, out);
        }
        AuthenticationVector::EapAkaPrime(av) => {
            out.extend_from_slice(br#"{"avType":"EAP_AKA_PRIME","rand":"#);
            string(&av.rand, out);
            out.extend_from_slice(br#","xres":"#);
            string(&av.xres, out);
            out.extend_from_slice(br#","autn":"#);
            string(&av.autn, out);
            out.extend_from_slice(br#","ckPrime":"#);
            string(&av.ck_prime, out);
            out.extend_from_slice(br#","ikPrime":"#);
            string(&av.ik_prime, out);
        }
    }
    out.push(b'}');
}

fn authentication_info_result(b: &AuthenticationInfoResult, out: &mut Vec<u8>) {
    out.extend_from_slice(br#"{"authType":"#);
    auth_type(b.auth_type, out);
    out.extend_from_slice(br#","authenticationVector":"#);
    authentication_vector(&b.authentication_vector, out);
    out.extend_from_slice(br#","supi":"#);
    string(&b.supi, out);
    out.push(b'}');
}

fn problem_details(b: &ProblemDetails, out: &mut Vec<u8>) {
    out.extend_from_slice(br#"{"status":"#);
    let status = super::Status::new(b.status);
    out.extend_from_slice(status.as_bytes());
    out.extend_from_slice(br#","cause":"#);
    string(&b.cause, out);
    out.push(b'}');
}
