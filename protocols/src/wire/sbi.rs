//! The 5G service based interface (SBI) messages of 5G-AKA: N12
//! (Nausf_UEAuthentication, TS 29.509) and N13 (Nudm_UEAuthentication,
//! TS 29.503), as one HTTP/2 request or response each.
//!
//! A message is what one side writes on its HTTP/2 connection for one
//! stream (RFC 9113): a HEADERS frame (9-octet frame header, flag
//! END_HEADERS) carrying the HPACK block (RFC 7541) of the request or
//! response headers, then a DATA frame (9-octet frame header, flag
//! END_STREAM) carrying the JSON body, with the field names of TS 29.509 /
//! TS 29.503: serde_json's compact text of the serde types below, written
//! by hand (`sbi/json.rs`, tested against serde_json). Its size is the length of those octets; the connection
//! preface, SETTINGS, WINDOW_UPDATE and the TCP/TLS layers below are not
//! counted (docs/wire-formats.md, "SBI").
//!
//! HPACK blocks are what a fresh `loona-hpack` encoder writes for the
//! header list (as the first request on a new connection: no dynamic table
//! entry is reused), written by `sbi/hpack.rs` without its table search and
//! tested against it. That crate does not Huffman-code string literals (RFC
//! 7541 §5.2 makes it optional), so a block is the size an encoder without
//! Huffman coding sends; docs/wire-formats.md says why this crate.
//!
//! Decoding is strict: a PDU decodes only if encoding the decoded message
//! gives the same octets back, so `encode(decode(b)) == b`; the JSON is
//! read by a reader that takes only that text (`sbi/parse.rs`), with
//! serde_json's parse as the tests' reference.

use std::borrow::Cow;
use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use super::{Message, WireError};

/// First capacity of an encoding: above the largest 5G-AKA message
/// (docs/counting.md), so the buffer is allocated once.
const ENCODE_CAPACITY: usize = 640;

thread_local! {
    /// The re-encoded header block of the strict decode's check, reused
    /// from PDU to PDU.
    static CANONICAL: std::cell::RefCell<Vec<u8>> = const { std::cell::RefCell::new(Vec::new()) };
}

/// Octets of an HTTP/2 frame header (RFC 9113 §4.1).
pub const FRAME_HEADER_LEN: usize = 9;
const FRAME_DATA: u8 = 0x0;
const FRAME_HEADERS: u8 = 0x1;
const FLAG_END_STREAM: u8 = 0x1;
const FLAG_END_HEADERS: u8 = 0x4;

/// API roots and resources (TS 29.509 §6.1.1, §6.1.3; TS 29.503 §6.3.1, §6.3.3).
pub const AUSF_UE_AUTHENTICATIONS: &str = "/nausf-auth/v1/ue-authentications";
pub const CONFIRMATION_5G_AKA: &str = "5g-aka-confirmation";
/// The EAP session resource of an authentication context (TS 29.509 §6.1.3.4).
pub const EAP_SESSION: &str = "eap-session";
const UDM_UEAU: &str = "/nudm-ueau/v1/";
const GENERATE_AUTH_DATA: &str = "/security-information/generate-auth-data";

/// Content types (TS 29.500 §5.4; TS 29.509 §6.1.3.2.3.1 for the HAL body).
pub const JSON: &str = "application/json";
pub const HAL_JSON: &str = "application/3gppHal+json";
pub const PROBLEM_JSON: &str = "application/problem+json";

/// `ResynchronizationInfo` (TS 29.503 §6.3.6.2).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct ResynchronizationInfo {
    pub rand: String,
    pub auts: String,
}

/// `AuthenticationInfo` (TS 29.509 §6.1.6.2): the body of
/// Nausf_UEAuthentication_Authenticate (POST ue-authentications).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct AuthenticationInfo {
    pub supi_or_suci: String,
    pub serving_network_name: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub resynchronization_info: Option<ResynchronizationInfo>,
}

/// `AuthType` (TS 29.509 §6.1.6.3).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum AuthType {
    #[serde(rename = "5G_AKA")]
    FiveGAka,
    #[serde(rename = "EAP_AKA_PRIME")]
    EapAkaPrime,
}

/// `Av5gAka` (TS 29.509 §6.1.6.2): the 5G SE AV as the SEAF receives it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct Av5gAka {
    pub rand: String,
    pub hxres_star: String,
    pub autn: String,
}

/// `LinksValueSchema` / `Link` (TS 29.571 §5.2.4).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Link {
    pub href: String,
}

/// `UEAuthenticationCtx` (TS 29.509 §6.1.6.2), the 201 answer to
/// AuthenticationInfo; for 5G-AKA `5gAuthData` is an `Av5gAka` and
/// `_links` holds the `5g-aka` confirmation resource.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct UeAuthenticationCtx {
    pub auth_type: AuthType,
    #[serde(rename = "5gAuthData")]
    pub five_g_auth_data: Av5gAka,
    #[serde(rename = "_links")]
    pub links: BTreeMap<String, Link>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub serving_network_name: Option<String>,
}

/// `UEAuthenticationCtx` for EAP-AKA' (TS 29.509 §6.1.6.2): `5gAuthData`
/// is an `EapPayload` (the base64 EAP-Request/AKA'-Challenge) and `_links`
/// holds the `eap-session` resource. Same schema name as
/// [`UeAuthenticationCtx`]; a separate type so each variant keeps a plain
/// struct with `deny_unknown_fields`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct UeAuthenticationCtxEap {
    pub auth_type: AuthType,
    #[serde(rename = "5gAuthData")]
    pub five_g_auth_data: String,
    #[serde(rename = "_links")]
    pub links: BTreeMap<String, Link>,
}

/// `EapSession` (TS 29.509 §6.1.6.2.4): the EAP packet (base64) both ways
/// on the `eap-session` resource; the AUSF's last answer adds
/// `authResult`, and on success K_SEAF and the SUPI.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct EapSession {
    pub eap_payload: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub k_seaf: Option<String>,
    #[serde(rename = "_links", default, skip_serializing_if = "Option::is_none")]
    pub links: Option<BTreeMap<String, Link>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub auth_result: Option<AuthResult>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub supi: Option<String>,
}

/// `ConfirmationData` (TS 29.509 §6.1.6.2): RES* for the 5G-AKA confirmation.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct ConfirmationData {
    pub res_star: String,
}

/// `AuthResult` (TS 29.509 §6.1.6.3).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum AuthResult {
    AuthenticationSuccess,
    AuthenticationFailure,
}

/// `ConfirmationDataResponse` (TS 29.509 §6.1.6.2).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct ConfirmationDataResponse {
    pub auth_result: AuthResult,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub supi: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub kseaf: Option<String>,
}

/// `AuthenticationInfoRequest` (TS 29.503 §6.3.6.2): the body of
/// Nudm_UEAuthentication_Get (POST generate-auth-data).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct AuthenticationInfoRequest {
    pub serving_network_name: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub resynchronization_info: Option<ResynchronizationInfo>,
    pub ausf_instance_id: String,
}

/// `Av5GHeAka` (TS 29.503 §6.3.6.2), the 5G HE AV; `avType` is
/// written by [`AuthenticationVector`]'s tag.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct Av5gHeAka {
    pub rand: String,
    pub xres_star: String,
    pub autn: String,
    pub kausf: String,
}

/// `AvEapAkaPrime` (TS 29.503 §6.3.6.2): the EAP-AKA' vector (RAND, XRES,
/// AUTN, CK', IK'); `avType` is written by [`AuthenticationVector`]'s tag.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct AvEapAkaPrime {
    pub rand: String,
    pub xres: String,
    pub autn: String,
    pub ck_prime: String,
    pub ik_prime: String,
}

/// `AuthenticationVector` (TS 29.503 §6.3.6.3): one of the AV types,
/// told apart by `avType` (`AvType`, §6.3.6.3).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "avType")]
pub enum AuthenticationVector {
    #[serde(rename = "5G_HE_AKA")]
    FiveGHeAka(Av5gHeAka),
    #[serde(rename = "EAP_AKA_PRIME")]
    EapAkaPrime(AvEapAkaPrime),
}

/// `AuthenticationInfoResult` (TS 29.503 §6.3.6.2).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct AuthenticationInfoResult {
    pub auth_type: AuthType,
    pub authentication_vector: AuthenticationVector,
    pub supi: String,
}

/// `ProblemDetails` (TS 29.571 §5.2.4) with the application error of
/// TS 29.509 §6.1.7 / TS 29.503 §6.3.7 in `cause`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ProblemDetails {
    pub status: u16,
    pub cause: String,
}

/// The JSON body of one message, by its TS 29.509 / 29.503 type.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Body {
    AuthenticationInfo(AuthenticationInfo),
    UeAuthenticationCtx(UeAuthenticationCtx),
    UeAuthenticationCtxEap(UeAuthenticationCtxEap),
    EapSession(EapSession),
    ConfirmationData(ConfirmationData),
    ConfirmationDataResponse(ConfirmationDataResponse),
    AuthenticationInfoRequest(AuthenticationInfoRequest),
    AuthenticationInfoResult(AuthenticationInfoResult),
    ProblemDetails(ProblemDetails),
}

impl Body {
    /// The schema name, which is also the message kind.
    pub fn name(&self) -> &'static str {
        match self {
            Body::AuthenticationInfo(_) => "AuthenticationInfo",
            Body::UeAuthenticationCtx(_) | Body::UeAuthenticationCtxEap(_) => "UEAuthenticationCtx",
            Body::EapSession(_) => "EapSession",
            Body::ConfirmationData(_) => "ConfirmationData",
            Body::ConfirmationDataResponse(_) => "ConfirmationDataResponse",
            Body::AuthenticationInfoRequest(_) => "AuthenticationInfoRequest",
            Body::AuthenticationInfoResult(_) => "AuthenticationInfoResult",
            Body::ProblemDetails(_) => "ProblemDetails",
        }
    }

    /// The JSON text (serde_json's compact form).
    pub fn json(&self) -> Vec<u8> {
        let mut out = Vec::new();
        self.json_into(&mut out);
        out
    }

    /// Appends the JSON text to `out` (serde_json's compact form, written
    /// by hand: `sbi/json.rs`).
    pub fn json_into(&self, out: &mut Vec<u8>) {
        json::body_into(self, out);
    }

    fn content_type(&self) -> &'static str {
        match self {
            Body::UeAuthenticationCtx(_) | Body::UeAuthenticationCtxEap(_) => HAL_JSON,
            Body::ProblemDetails(_) => PROBLEM_JSON,
            _ => JSON,
        }
    }
}

/// The request line or status of a message.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Head {
    /// `:method` POST or PUT, `:authority` (the NF's FQDN) and `:path`.
    Request {
        method: Method,
        authority: String,
        path: String,
    },
    /// `:status`, and `location` for a 201 (TS 29.509 §6.1.3.2.3.1).
    Response {
        status: u16,
        location: Option<String>,
    },
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Method {
    Post,
    Put,
}

impl Method {
    fn as_str(self) -> &'static str {
        match self {
            Method::Post => "POST",
            Method::Put => "PUT",
        }
    }
}

/// One SBI request or response on one HTTP/2 stream.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SbiMessage {
    /// The HTTP/2 stream (odd, client-initiated; RFC 9113 §5.1.1).
    pub stream_id: u32,
    pub head: Head,
    pub body: Body,
}

/// The HTTP/2 stream of the `id`-th request of a client (ids from 1):
/// 1, 3, 5, ... kept below 2^31.
pub const fn stream_of(id: u32) -> u32 {
    ((id.wrapping_sub(1) % (1 << 30)) << 1) | 1
}

/// The request id of a stream built by [`stream_of`] (modulo 2^30).
pub const fn id_of(stream: u32) -> u32 {
    (stream >> 1) + 1
}

/// The FQDN of an NF of the home PLMN (TS 23.003 §28.3.2.3):
/// `<nf>.5gc.mnc<MNC>.mcc<MCC>.3gppnetwork.org`.
pub fn nf_fqdn(nf: &str, mcc: &str, mnc: &str) -> String {
    format!("{nf}.5gc.mnc{mnc:0>3}.mcc{mcc}.3gppnetwork.org")
}

/// Where the first `AUSF_UE_AUTHENTICATIONS` in a path or URI ends (a
/// path starts with it, a URI has it after its authority).
fn api_root_end(path_or_uri: &str) -> Option<usize> {
    // The root starts with '/', so its first occurrence is at the first
    // '/' where the rest starts with it: what `str::find` finds, without
    // building a substring searcher on every call (it showed in the profile).
    let bytes = path_or_uri.as_bytes();
    let at = (0..bytes.len())
        .filter(|&i| bytes[i] == b'/')
        .find(|&i| bytes[i..].starts_with(AUSF_UE_AUTHENTICATIONS.as_bytes()))?;
    Some(at + AUSF_UE_AUTHENTICATIONS.len())
}

/// The concatenation of `parts` in one allocation of the exact size
/// (`format!` goes through the formatting machinery, which showed in the
/// profile for the paths and URIs built per registration).
pub fn concat(parts: &[&str]) -> String {
    let mut s = String::with_capacity(parts.iter().map(|p| p.len()).sum());
    for p in parts {
        s.push_str(p);
    }
    s
}

/// `:path` of the 5G-AKA confirmation of authentication context `ctx`.
pub fn confirmation_path(ctx: &str) -> String {
    concat(&[AUSF_UE_AUTHENTICATIONS, "/", ctx, "/", CONFIRMATION_5G_AKA])
}

/// The authentication context of a confirmation path or URI.
pub fn confirmation_ctx(path_or_uri: &str) -> Option<&str> {
    // The suffix first: it is required below too, and it rules out the
    // other resources' paths without searching for the API root.
    if !path_or_uri.ends_with(CONFIRMATION_5G_AKA) {
        return None;
    }
    let start = api_root_end(path_or_uri)?;
    let rest = path_or_uri[start..].strip_prefix('/')?;
    let ctx = rest.strip_suffix(CONFIRMATION_5G_AKA)?.strip_suffix('/')?;
    (!ctx.is_empty() && !ctx.contains('/')).then_some(ctx)
}

/// `:path` of the EAP session of authentication context `ctx`.
pub fn eap_session_path(ctx: &str) -> String {
    concat(&[AUSF_UE_AUTHENTICATIONS, "/", ctx, "/", EAP_SESSION])
}

/// The authentication context of an EAP session path or URI.
pub fn eap_session_ctx(path_or_uri: &str) -> Option<&str> {
    // The suffix first: it is required below too, and it rules out the
    // other resources' paths without searching for the API root.
    if !path_or_uri.ends_with(EAP_SESSION) {
        return None;
    }
    let start = api_root_end(path_or_uri)?;
    let rest = path_or_uri[start..].strip_prefix('/')?;
    let ctx = rest.strip_suffix(EAP_SESSION)?.strip_suffix('/')?;
    (!ctx.is_empty() && !ctx.contains('/')).then_some(ctx)
}

/// Standard base64 with padding (RFC 4648 §4), the `EapPayload` format.
pub fn base64_of(b: &[u8]) -> String {
    use base64::Engine;
    base64::engine::general_purpose::STANDARD.encode(b)
}

/// The octets of a base64 `EapPayload`, if it is canonical base64.
pub fn base64_octets(s: &str) -> Option<Vec<u8>> {
    use base64::Engine;
    base64::engine::general_purpose::STANDARD.decode(s).ok()
}

/// `:path` of Nudm_UEAuthentication_Get for `supi_or_suci`.
pub fn generate_auth_data_path(supi_or_suci: &str) -> String {
    concat(&[UDM_UEAU, supi_or_suci, GENERATE_AUTH_DATA])
}

/// The `supiOrSuci` of a generate-auth-data path.
pub fn generate_auth_data_subject(path: &str) -> Option<&str> {
    let s = path
        .strip_prefix(UDM_UEAU)?
        .strip_suffix(GENERATE_AUTH_DATA)?;
    is_path_subject(s).then_some(s)
}

/// Whether `supi_or_suci` can be the subject of a generate-auth-data path
/// (what [`generate_auth_data_subject`] gives back from
/// [`generate_auth_data_path`]): one non-empty path segment.
pub fn is_path_subject(supi_or_suci: &str) -> bool {
    !supi_or_suci.is_empty() && !supi_or_suci.contains('/')
}

impl SbiMessage {
    /// Appends the HPACK block of the header list, in its encoding order,
    /// to `out`, from a fresh encoder (see the module comment). The list
    /// borrows from the message; only a status code is formatted.
    fn header_block_into(&self, out: &mut Vec<u8>) {
        let status = match &self.head {
            Head::Response { status, .. } => Status::new(*status),
            Head::Request { .. } => Status::new(0),
        };
        let mut h: [(&[u8], &[u8]); 5] = [(b"", b""); 5];
        let n = match &self.head {
            Head::Request {
                method,
                authority,
                path,
            } => {
                h[0] = (b":method", method.as_str().as_bytes());
                h[1] = (b":scheme", b"https");
                h[2] = (b":authority", authority.as_bytes());
                h[3] = (b":path", path.as_bytes());
                4
            }
            Head::Response { location, .. } => {
                h[0] = (b":status", status.as_bytes());
                match location {
                    Some(l) => {
                        h[1] = (b"location", l.as_bytes());
                        2
                    }
                    None => 1,
                }
            }
        };
        h[n] = (b"content-type", self.body.content_type().as_bytes());
        // Every name here is in the static table, so the encoder codes each
        // header as an index or a literal with an indexed name and adds
        // nothing to its dynamic table: each header's octets are those a
        // fresh encoder writes for it alone, and a block is their
        // concatenation (`hpack_block_is_per_header` checks it).
        for &(name, value) in &h[..=n] {
            if !hpack::write(name, value, out) {
                hpack_header_into((name, value), out);
            }
        }
    }

    /// Both frames straight into `out`: each frame header is written with a
    /// zero length and patched once its payload is in place, so neither the
    /// header block nor the JSON text is built in a buffer of its own.
    fn frames_into(&self, out: &mut Vec<u8>) {
        let at = out.len();
        frame_header(out, 0, FRAME_HEADERS, FLAG_END_HEADERS, self.stream_id);
        self.header_block_into(out);
        patch_len(out, at);
        let at = out.len();
        frame_header(out, 0, FRAME_DATA, FLAG_END_STREAM, self.stream_id);
        self.body.json_into(out);
        patch_len(out, at);
    }
}

/// Appends the octets a fresh `loona-hpack` encoder writes for `header`
/// (for a name `hpack::write` does not know: none of the codec's own).
fn hpack_header_into(header: (&[u8], &[u8]), out: &mut Vec<u8>) {
    // Writing to a Vec never fails.
    let _ = loona_hpack::Encoder::new().encode_header_into(header, out);
}

/// Payloads this codec writes are below the default SETTINGS_MAX_FRAME_SIZE
/// (RFC 9113 §6.5.2); a larger frame is refused on decoding, as encoding
/// could not give it back.
const MAX_FRAME_PAYLOAD: usize = 1 << 14;
const TOO_LARGE: &str = "payload above the default SETTINGS_MAX_FRAME_SIZE";

/// Writes the payload length of the frame whose header starts at `at`.
fn patch_len(out: &mut [u8], at: usize) {
    let len = out.len() - at - FRAME_HEADER_LEN;
    assert!(
        len < MAX_FRAME_PAYLOAD,
        "one frame within the default SETTINGS_MAX_FRAME_SIZE"
    );
    out[at..at + 3].copy_from_slice(&(len as u32).to_be_bytes()[1..]);
}

/// An HTTP status code as decimal text, without an allocation.
struct Status {
    digits: [u8; 5],
    start: usize,
}

impl Status {
    fn new(mut code: u16) -> Self {
        let mut digits = [b'0'; 5];
        let mut start = 5;
        loop {
            start -= 1;
            digits[start] = b'0' + (code % 10) as u8;
            code /= 10;
            if code == 0 {
                break;
            }
        }
        Status { digits, start }
    }

    fn as_bytes(&self) -> &[u8] {
        &self.digits[self.start..]
    }
}

fn frame_header(out: &mut Vec<u8>, len: usize, ty: u8, flags: u8, stream: u32) {
    assert!(
        len < 1 << 14,
        "one frame within the default SETTINGS_MAX_FRAME_SIZE"
    );
    assert!(stream & 0x8000_0000 == 0, "stream id is 31 bits");
    out.extend_from_slice(&(len as u32).to_be_bytes()[1..]);
    out.push(ty);
    out.push(flags);
    out.extend_from_slice(&stream.to_be_bytes());
}

/// Reads one frame header at `at`: (payload length, type, flags, stream).
fn read_frame_header(pdu: &[u8], at: usize) -> Result<(usize, u8, u8, u32), WireError> {
    let h = pdu.get(at..at + FRAME_HEADER_LEN).ok_or(WireError::new(
        at,
        "HTTP/2 frame header",
        "PDU ends early",
    ))?;
    let len = u32::from_be_bytes([0, h[0], h[1], h[2]]) as usize;
    let stream = u32::from_be_bytes([h[5], h[6], h[7], h[8]]);
    Ok((len, h[3], h[4], stream))
}

fn payload<'a>(
    pdu: &'a [u8],
    at: usize,
    len: usize,
    what: &'static str,
) -> Result<&'a [u8], WireError> {
    pdu.get(at..at + len)
        .ok_or(WireError::new(at, what, "PDU ends early"))
}

/// How a body's JSON is read: [`Strict`] reads only the text encoding
/// writes (`sbi/parse.rs`), which the decoder uses; [`Lenient`] is
/// serde_json's parse of any JSON text of the schema, the reference the
/// tests compare the strict reader with (a text is canonical when the
/// lenient parse re-encodes to it).
#[derive(Clone, Copy, PartialEq, Eq)]
enum Read {
    Strict,
    #[cfg_attr(not(test), allow(dead_code))]
    Lenient,
}
use Read::{Lenient, Strict};

/// A body type both readers know.
trait BodyJson: Sized + for<'de> Deserialize<'de> {
    fn strict(r: &mut parse::Reader<'_>) -> Result<Self, parse::Stop>;
}

macro_rules! body_json {
    ($($t:ident => $f:ident),* $(,)?) => {$(
        impl BodyJson for $t {
            fn strict(r: &mut parse::Reader<'_>) -> Result<Self, parse::Stop> {
                r.$f()
            }
        }
    )*};
}
body_json!(
    AuthenticationInfo => authentication_info,
    UeAuthenticationCtx => ue_authentication_ctx,
    UeAuthenticationCtxEap => ue_authentication_ctx_eap,
    EapSession => eap_session,
    ConfirmationData => confirmation_data,
    ConfirmationDataResponse => confirmation_data_response,
    AuthenticationInfoRequest => authentication_info_request,
    AuthenticationInfoResult => authentication_info_result,
    ProblemDetails => problem_details,
);

fn json<T: BodyJson>(data: &[u8], at: usize, read: Read) -> Result<T, WireError> {
    let bad = |offset| WireError::new(at + offset, "JSON body", "not the schema's JSON");
    match read {
        Strict => {
            let mut r = parse::Reader::new(data);
            let body = T::strict(&mut r).map_err(bad)?;
            r.end().map_err(bad)?;
            Ok(body)
        }
        Lenient => serde_json::from_slice(data).map_err(|e| bad(e.column().saturating_sub(1))),
    }
}

impl Message for SbiMessage {
    fn kind(&self) -> &'static str {
        self.body.name()
    }

    fn encoded_len(&self) -> usize {
        self.encode().len()
    }

    fn encode_into(&self, out: &mut Vec<u8>) {
        self.frames_into(out);
    }

    fn encode(&self) -> Vec<u8> {
        let mut out = Vec::with_capacity(ENCODE_CAPACITY);
        self.encode_into(&mut out);
        out
    }

    fn decode(pdu: &[u8]) -> Result<Self, WireError> {
        let (msg, block) = SbiMessage::parse(pdu, Strict)?;
        // Strict: only the octets this codec writes for the message decode
        // (`encode(decode(b)) == b`). Both frame headers are already known
        // equal to what encoding writes (type, flags and stream checked by
        // `parse`; each length is that of its payload, and nothing follows
        // the DATA frame), and the strict JSON reader accepts only the text
        // encoding writes for the body it returns (`sbi/parse.rs`), so the
        // PDU is canonical exactly when its header block is: the block (some
        // 100 octets) is re-encoded into a reused buffer and compared.
        let canonical = CANONICAL.with_borrow_mut(|buf| {
            buf.clear();
            msg.header_block_into(buf);
            buf[..] == *block
        });
        if !canonical {
            return Err(WireError::new(
                0,
                "SBI message",
                "not the canonical encoding",
            ));
        }
        Ok(msg)
    }
}

impl SbiMessage {
    /// The message a PDU carries, with its header block and JSON text,
    /// before the strict decoder's canonical-form check.
    fn parse(pdu: &[u8], read: Read) -> Result<(SbiMessage, &[u8]), WireError> {
        let (hlen, ty, flags, stream_id) = read_frame_header(pdu, 0)?;
        if ty != FRAME_HEADERS || flags != FLAG_END_HEADERS {
            return Err(WireError::new(
                3,
                "HTTP/2 frame",
                "not HEADERS with END_HEADERS",
            ));
        }
        if stream_id & 0x8000_0001 != 1 {
            return Err(WireError::new(
                5,
                "stream identifier",
                "not an odd 31-bit stream",
            ));
        }
        if hlen >= MAX_FRAME_PAYLOAD {
            return Err(WireError::new(0, "HTTP/2 frame", TOO_LARGE));
        }
        let block = payload(pdu, FRAME_HEADER_LEN, hlen, "header block")?;
        let at = FRAME_HEADER_LEN + hlen;
        let (dlen, ty, flags, stream) = read_frame_header(pdu, at)?;
        if ty != FRAME_DATA || flags != FLAG_END_STREAM || stream != stream_id {
            return Err(WireError::new(
                at + 3,
                "HTTP/2 frame",
                "not DATA with END_STREAM on the same stream",
            ));
        }
        if dlen >= MAX_FRAME_PAYLOAD {
            return Err(WireError::new(at, "HTTP/2 frame", TOO_LARGE));
        }
        let data_at = at + FRAME_HEADER_LEN;
        let data = payload(pdu, data_at, dlen, "JSON body")?;
        if data_at + dlen != pdu.len() {
            return Err(WireError::new(
                data_at + dlen,
                "PDU",
                "octets after the DATA frame",
            ));
        }
        // The first value of each header the codec reads; any other header
        // makes the message non-canonical (the check at the end).
        const READ: [&[u8]; 5] = [b":method", b":path", b":authority", b":status", b"location"];
        let mut values: [Option<Cow<'_, [u8]>>; 5] = Default::default();
        // The blocks this codec writes are read in place (`sbi/hpack.rs`);
        // any other block goes through `loona-hpack`, which decides.
        let fast = hpack::read(block, |n, v| {
            if let Some(i) = READ.iter().position(|r| *r == n) {
                values[i].get_or_insert(Cow::Borrowed(v));
            }
        });
        if fast.is_none() {
            values = Default::default();
            loona_hpack::Decoder::new()
                .decode_with_cb(block, |n, v| {
                    if let Some(i) = READ.iter().position(|r| *r == &n[..]) {
                        values[i].get_or_insert_with(|| Cow::Owned(v.into_owned()));
                    }
                })
                .map_err(|_| WireError::new(FRAME_HEADER_LEN, "header block", "not valid HPACK"))?;
        }
        // A header's text, borrowed: only the values the message keeps
        // (path, authority, location) are copied.
        let get = |name: &[u8]| {
            let i = READ.iter().position(|r| *r == name)?;
            std::str::from_utf8(values[i].as_deref()?).ok()
        };
        let bad_head = |problem| WireError::new(FRAME_HEADER_LEN, "header block", problem);
        let (head, body) = if let Some(method) = get(b":method") {
            let method = match method {
                "POST" => Method::Post,
                "PUT" => Method::Put,
                _ => return Err(bad_head("method is not POST or PUT")),
            };
            let path = get(b":path").ok_or(bad_head("no :path"))?;
            let authority = get(b":authority").ok_or(bad_head("no :authority"))?;
            let body = match method {
                Method::Post if path == AUSF_UE_AUTHENTICATIONS => {
                    Body::AuthenticationInfo(json(data, data_at, read)?)
                }
                Method::Put if confirmation_ctx(path).is_some() => {
                    Body::ConfirmationData(json(data, data_at, read)?)
                }
                Method::Post if eap_session_ctx(path).is_some() => {
                    Body::EapSession(json(data, data_at, read)?)
                }
                Method::Post if generate_auth_data_subject(path).is_some() => {
                    Body::AuthenticationInfoRequest(json(data, data_at, read)?)
                }
                _ => return Err(bad_head("not a 5G-AKA or EAP-AKA' resource")),
            };
            let head = Head::Request {
                method,
                authority: authority.to_owned(),
                path: path.to_owned(),
            };
            (head, body)
        } else {
            let status: u16 = get(b":status")
                .and_then(|s| s.parse().ok())
                .ok_or(bad_head("no :status"))?;
            let location = get(b"location").map(str::to_owned);
            let body = match status {
                // 5gAuthData is an object (5G-AKA) or a string (EAP).
                201 => match json::<UeAuthenticationCtx>(data, data_at, read) {
                    Ok(b) => Body::UeAuthenticationCtx(b),
                    Err(_) => Body::UeAuthenticationCtxEap(json(data, data_at, read)?),
                },
                // The three 200 bodies differ in their required fields.
                // An AuthenticationInfoResult (N13) has `authType`, which
                // the other two deny, so it is tried first when its text
                // starts with it; the order below decides otherwise.
                200 => match data
                    .starts_with(br#"{"authType""#)
                    .then(|| json::<AuthenticationInfoResult>(data, data_at, read).ok())
                    .flatten()
                {
                    Some(b) => Body::AuthenticationInfoResult(b),
                    None => match json::<ConfirmationDataResponse>(data, data_at, read) {
                        Ok(b) => Body::ConfirmationDataResponse(b),
                        Err(_) => match json::<EapSession>(data, data_at, read) {
                            Ok(b) => Body::EapSession(b),
                            Err(_) => Body::AuthenticationInfoResult(json(data, data_at, read)?),
                        },
                    },
                },
                400..=599 => Body::ProblemDetails(json(data, data_at, read)?),
                _ => return Err(bad_head("status is not 200, 201 or an error")),
            };
            (Head::Response { status, location }, body)
        };
        let msg = SbiMessage {
            stream_id,
            head,
            body,
        };
        Ok((msg, block))
    }

    /// `parse` without the check, for the test that the check accepts
    /// exactly the PDUs that `encode(parse(b)) == b` accepts.
    #[cfg(test)]
    pub(crate) fn decode_lenient(pdu: &[u8]) -> Result<SbiMessage, WireError> {
        Ok(SbiMessage::parse(pdu, Lenient)?.0)
    }
}

/// Lowercase hex of `b` (the SBI's hex fields; the patterns allow both cases).
/// (The `hex` crate collects chars one by one; this writes the digit pairs
/// into one buffer and checks it as UTF-8 once.)
pub fn hex_of(b: &[u8]) -> String {
    const DIGITS: &[u8; 16] = b"0123456789abcdef";
    let mut s = vec![0; 2 * b.len()];
    for (pair, &x) in s.chunks_exact_mut(2).zip(b) {
        pair[0] = DIGITS[usize::from(x >> 4)];
        pair[1] = DIGITS[usize::from(x & 0xf)];
    }
    String::from_utf8(s).expect("hex digits are ASCII")
}

/// The value of each ASCII hex digit (either case); `INVALID` for any
/// other octet.
const HEX_VALUE: [u8; 256] = {
    let mut t = [INVALID; 256];
    let mut c = 0;
    while c < 256 {
        t[c] = match c as u8 {
            d @ b'0'..=b'9' => d - b'0',
            d @ b'a'..=b'f' => d - b'a' + 10,
            d @ b'A'..=b'F' => d - b'A' + 10,
            _ => INVALID,
        };
        c += 1;
    }
    t
};
const INVALID: u8 = 0xff;

/// `N` octets from a hex string of exactly `2N` digits (either case, as
/// `hex::decode_to_slice` accepts them). A table lookup per digit and one
/// validity test at the end: these fields are decoded on every message.
pub fn octets<const N: usize>(s: &str) -> Option<[u8; N]> {
    let s = s.as_bytes();
    if s.len() != 2 * N {
        return None;
    }
    let mut out = [0; N];
    let mut seen = 0;
    for (o, pair) in out.iter_mut().zip(s.chunks_exact(2)) {
        let (hi, lo) = (
            HEX_VALUE[usize::from(pair[0])],
            HEX_VALUE[usize::from(pair[1])],
        );
        seen |= hi | lo;
        *o = (hi << 4) | (lo & 0xf);
    }
    (seen & 0xf0 == 0).then_some(out)
}

mod hpack;
mod json;
mod parse;

#[cfg(test)]
pub(crate) mod tests;
