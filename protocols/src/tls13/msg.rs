//! The TLS 1.3 records of the device↔MTC server handshake, as sent (RFC 8446
//! §4, §5.1). One PDU is what one transmission carries: the ClientHello
//! record; the server's flight (ServerHello record ‖ one protected record
//! holding EncryptedExtensions and Finished); the client's protected Finished;
//! a plaintext fatal alert. tshark's `tls` dissector decodes them (the capture
//! frames the `dev_server` interface as TCP port 443).
//!
//! authsim speaks one layout of each message (the extensions below, in this
//! order): the decoders parse the TLS structure with offsets in their errors
//! and refuse anything the encoder would not produce, so the PSK binder and the
//! transcript are always those of the bytes received.

use super::record::{ALERT, APPLICATION_DATA, HANDSHAKE, HEADER_LEN, TAG_LEN};
use crate::wire::{Message, Reader, WireError};

/// TLS_AES_128_GCM_SHA256.
pub const CIPHER_SUITE: u16 = 0x1301;
/// x25519 (RFC 8446 §4.2.7).
pub const X25519: u16 = 0x001d;
/// Octets of the PSK identity: the device identifier, big-endian.
pub const IDENTITY_LEN: usize = 8;
pub const RANDOM_LEN: usize = 32;
pub const KEY_SHARE_LEN: usize = 32;
pub const BINDER_LEN: usize = 32;

mod ext {
    pub const SUPPORTED_GROUPS: u16 = 10;
    pub const PRE_SHARED_KEY: u16 = 41;
    pub const SUPPORTED_VERSIONS: u16 = 43;
    pub const PSK_KEY_EXCHANGE_MODES: u16 = 45;
    pub const KEY_SHARE: u16 = 51;
}

/// Handshake message types (§4).
pub mod hs {
    pub const CLIENT_HELLO: u8 = 1;
    pub const SERVER_HELLO: u8 = 2;
    pub const ENCRYPTED_EXTENSIONS: u8 = 8;
    pub const FINISHED: u8 = 20;
}

/// Alert descriptions used (§6).
pub mod alert {
    pub const DECRYPT_ERROR: u8 = 51;
    pub const UNKNOWN_PSK_IDENTITY: u8 = 115;
}

fn put_u16(out: &mut Vec<u8>, v: u16) {
    out.extend_from_slice(&v.to_be_bytes());
}

fn put_u24(out: &mut Vec<u8>, v: usize) {
    out.extend_from_slice(&(v as u32).to_be_bytes()[1..]);
}

fn put_ext(out: &mut Vec<u8>, ty: u16, body: &[u8]) {
    put_u16(out, ty);
    put_u16(out, body.len() as u16);
    out.extend_from_slice(body);
}

/// A handshake message: type ‖ u24 length ‖ body.
pub fn handshake_message(ty: u8, body: &[u8]) -> Vec<u8> {
    let mut out = Vec::with_capacity(4 + body.len());
    out.push(ty);
    put_u24(&mut out, body.len());
    out.extend_from_slice(body);
    out
}

fn record(out: &mut Vec<u8>, ty: u8, version: u16, fragment: &[u8]) {
    out.push(ty);
    put_u16(out, version);
    put_u16(out, fragment.len() as u16);
    out.extend_from_slice(fragment);
}

/// Reads one record header and returns its fragment; the record version is
/// 0x0301 for the ClientHello and 0x0303 for every other record (§5.1).
fn take_record<'a>(r: &mut Reader<'a>, want: u8) -> Result<&'a [u8], WireError> {
    take_record_of(r, want, 0x0303)
}

fn take_record_of<'a>(
    r: &mut Reader<'a>,
    want: u8,
    want_version: u16,
) -> Result<&'a [u8], WireError> {
    let ty = r.u8("record content type")?;
    if ty != want {
        return Err(r.err("record content type", "unexpected content type"));
    }
    let version = r.u16("legacy_record_version")?;
    if version != want_version {
        return Err(r.err("legacy_record_version", "not the version authsim sends"));
    }
    let len = r.u16("record length")? as usize;
    r.bytes(len, "record fragment")
}

/// Refuses bytes that decode but are not what the encoder writes.
fn canonical<M: Message>(m: M, pdu: &[u8], what: &'static str) -> Result<M, WireError> {
    let again = m.encode();
    match again.iter().zip(pdu).position(|(a, b)| a != b) {
        None if again.len() == pdu.len() => Ok(m),
        at => Err(WireError::new(
            at.unwrap_or(again.len().min(pdu.len())),
            what,
            "not the layout authsim sends",
        )),
    }
}

/// The ClientHello: random, X25519 key share, one external PSK identity
/// (the device identifier) and its binder.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ClientHello {
    pub random: [u8; RANDOM_LEN],
    pub key_share: [u8; KEY_SHARE_LEN],
    pub identity: u64,
    pub binder: [u8; BINDER_LEN],
}

impl ClientHello {
    /// Octets of the binders list (u16 length ‖ u8 length ‖ binder) at the end.
    pub const BINDERS_LEN: usize = 2 + 1 + BINDER_LEN;

    /// The handshake message (what the transcript hashes).
    pub fn handshake(&self) -> Vec<u8> {
        let mut exts = Vec::with_capacity(118);
        put_ext(&mut exts, ext::SUPPORTED_VERSIONS, &[2, 0x03, 0x04]);
        put_ext(&mut exts, ext::SUPPORTED_GROUPS, &[0, 2, 0x00, 0x1d]);
        let mut ks = vec![0, 36, 0x00, 0x1d, 0, 32];
        ks.extend_from_slice(&self.key_share);
        put_ext(&mut exts, ext::KEY_SHARE, &ks);
        // psk_dhe_ke only (§4.2.9).
        put_ext(&mut exts, ext::PSK_KEY_EXCHANGE_MODES, &[1, 1]);
        let mut psk = Vec::with_capacity(51);
        put_u16(&mut psk, (2 + IDENTITY_LEN + 4) as u16);
        put_u16(&mut psk, IDENTITY_LEN as u16);
        psk.extend_from_slice(&self.identity.to_be_bytes());
        // obfuscated_ticket_age: 0 for external PSKs (§4.2.11).
        psk.extend_from_slice(&[0; 4]);
        put_u16(&mut psk, (1 + BINDER_LEN) as u16);
        psk.push(BINDER_LEN as u8);
        psk.extend_from_slice(&self.binder);
        put_ext(&mut exts, ext::PRE_SHARED_KEY, &psk);

        let mut body = Vec::with_capacity(161);
        put_u16(&mut body, 0x0303);
        body.extend_from_slice(&self.random);
        body.push(0); // empty legacy_session_id
        put_u16(&mut body, 2);
        put_u16(&mut body, CIPHER_SUITE);
        body.extend_from_slice(&[1, 0]); // null compression only
        put_u16(&mut body, exts.len() as u16);
        body.extend_from_slice(&exts);
        handshake_message(hs::CLIENT_HELLO, &body)
    }

    /// The ClientHello up to its binders list: what the binder authenticates.
    pub fn truncated(handshake: &[u8]) -> &[u8] {
        &handshake[..handshake.len() - Self::BINDERS_LEN]
    }

    fn parse(pdu: &[u8]) -> Result<Self, WireError> {
        let mut r = Reader::new(pdu);
        let frag = take_record_of(&mut r, HANDSHAKE, 0x0301)?;
        r.finish("ClientHello record")?;
        let mut h = Reader::with_base(frag, HEADER_LEN);
        if h.u8("handshake type")? != hs::CLIENT_HELLO {
            return Err(h.err("handshake type", "not a ClientHello"));
        }
        let len = h.u24("handshake length")? as usize;
        let mut b = Reader::with_base(h.bytes(len, "ClientHello body")?, HEADER_LEN + 4);
        h.finish("ClientHello")?;
        b.u16("legacy_version")?;
        let random = b.array("random")?;
        let sid = b.u8("legacy_session_id length")? as usize;
        b.bytes(sid, "legacy_session_id")?;
        let suites = b.u16("cipher_suites length")? as usize;
        b.bytes(suites, "cipher_suites")?;
        let comp = b.u8("compression methods length")? as usize;
        b.bytes(comp, "compression methods")?;
        let ext_len = b.u16("extensions length")? as usize;
        let mut e = Reader::with_base(b.bytes(ext_len, "extensions")?, b.offset() - ext_len);
        b.finish("ClientHello body")?;
        let (mut key_share, mut psk) = (None, None);
        while !e.is_empty() {
            let ty = e.u16("extension type")?;
            let n = e.u16("extension length")? as usize;
            let mut x = Reader::with_base(e.bytes(n, "extension data")?, e.offset() - n);
            match ty {
                ext::KEY_SHARE => {
                    x.u16("client_shares length")?;
                    if x.u16("key share group")? != X25519 {
                        return Err(x.err("key share group", "not x25519"));
                    }
                    if x.u16("key_exchange length")? as usize != KEY_SHARE_LEN {
                        return Err(x.err("key_exchange", "not 32 octets"));
                    }
                    key_share = Some(x.array("key_exchange")?);
                }
                ext::PRE_SHARED_KEY => {
                    x.u16("identities length")?;
                    if x.u16("identity length")? as usize != IDENTITY_LEN {
                        return Err(x.err("identity", "not an 8-octet device identifier"));
                    }
                    let id = u64::from_be_bytes(x.array("identity")?);
                    x.u32("obfuscated_ticket_age")?;
                    x.u16("binders length")?;
                    if x.u8("binder length")? as usize != BINDER_LEN {
                        return Err(x.err("binder", "not 32 octets"));
                    }
                    psk = Some((id, x.array("binder")?));
                    if !e.is_empty() {
                        return Err(e.err("pre_shared_key", "not the last extension (§4.2.11)"));
                    }
                }
                _ => {}
            }
        }
        let key_share = key_share.ok_or(e.err("key_share", "missing"))?;
        let (identity, binder) = psk.ok_or(e.err("pre_shared_key", "missing"))?;
        Ok(Self {
            random,
            key_share,
            identity,
            binder,
        })
    }
}

impl Message for ClientHello {
    fn kind(&self) -> &'static str {
        "ClientHello"
    }
    fn encoded_len(&self) -> usize {
        HEADER_LEN + 165
    }
    fn encode_into(&self, out: &mut Vec<u8>) {
        // The first ClientHello's record says 0x0301 (§5.1).
        record(out, HANDSHAKE, 0x0301, &self.handshake());
    }
    fn decode(pdu: &[u8]) -> Result<Self, WireError> {
        canonical(Self::parse(pdu)?, pdu, "ClientHello")
    }
}

/// The ServerHello: random, the server's X25519 share, PSK identity 0 chosen.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ServerHello {
    pub random: [u8; RANDOM_LEN],
    pub key_share: [u8; KEY_SHARE_LEN],
}

impl ServerHello {
    pub const HANDSHAKE_LEN: usize = 96;

    pub fn handshake(&self) -> Vec<u8> {
        let mut exts = Vec::with_capacity(52);
        put_ext(&mut exts, ext::SUPPORTED_VERSIONS, &[0x03, 0x04]);
        let mut ks = vec![0x00, 0x1d, 0, 32];
        ks.extend_from_slice(&self.key_share);
        put_ext(&mut exts, ext::KEY_SHARE, &ks);
        put_ext(&mut exts, ext::PRE_SHARED_KEY, &[0, 0]);
        let mut body = Vec::with_capacity(92);
        put_u16(&mut body, 0x0303);
        body.extend_from_slice(&self.random);
        body.push(0);
        put_u16(&mut body, CIPHER_SUITE);
        body.push(0);
        put_u16(&mut body, exts.len() as u16);
        body.extend_from_slice(&exts);
        handshake_message(hs::SERVER_HELLO, &body)
    }
}

/// The server's flight: the ServerHello record and one protected record
/// (EncryptedExtensions ‖ Finished).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ServerFlight {
    pub hello: ServerHello,
    /// The whole protected record, header included.
    pub protected: Vec<u8>,
}

impl ServerFlight {
    fn parse(pdu: &[u8]) -> Result<Self, WireError> {
        let mut r = Reader::new(pdu);
        let frag = take_record(&mut r, HANDSHAKE)?;
        let mut h = Reader::with_base(frag, HEADER_LEN);
        if h.u8("handshake type")? != hs::SERVER_HELLO {
            return Err(h.err("handshake type", "not a ServerHello"));
        }
        if h.u24("handshake length")? as usize != ServerHello::HANDSHAKE_LEN - 4 {
            return Err(h.err("handshake length", "not the ServerHello authsim sends"));
        }
        h.u16("legacy_version")?;
        let random = h.array("random")?;
        // session id, suite, compression, extensions length, supported_versions (10 octets)
        h.bytes(1 + 2 + 1 + 2 + 6, "ServerHello fields")?;
        h.bytes(8, "key_share header")?;
        let key_share = h.array("key_exchange")?;
        h.bytes(6, "pre_shared_key")?;
        h.finish("ServerHello")?;
        let at = r.offset();
        let body = take_record(&mut r, APPLICATION_DATA)?;
        if body.len() < TAG_LEN + 1 {
            return Err(r.err("protected record", "shorter than a tag and a content type"));
        }
        r.finish("server flight")?;
        Ok(Self {
            hello: ServerHello { random, key_share },
            protected: pdu[at..].to_vec(),
        })
    }
}

impl Message for ServerFlight {
    fn kind(&self) -> &'static str {
        "ServerHello"
    }
    fn encoded_len(&self) -> usize {
        HEADER_LEN + ServerHello::HANDSHAKE_LEN + self.protected.len()
    }
    fn encode_into(&self, out: &mut Vec<u8>) {
        record(out, HANDSHAKE, 0x0303, &self.hello.handshake());
        out.extend_from_slice(&self.protected);
    }
    fn decode(pdu: &[u8]) -> Result<Self, WireError> {
        canonical(Self::parse(pdu)?, pdu, "server flight")
    }
}

/// The client's Finished in one protected record.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ClientFinished {
    pub protected: Vec<u8>,
}

impl Message for ClientFinished {
    fn kind(&self) -> &'static str {
        "Finished"
    }
    fn encoded_len(&self) -> usize {
        self.protected.len()
    }
    fn encode_into(&self, out: &mut Vec<u8>) {
        out.extend_from_slice(&self.protected);
    }
    fn decode(pdu: &[u8]) -> Result<Self, WireError> {
        let mut r = Reader::new(pdu);
        let body = take_record(&mut r, APPLICATION_DATA)?;
        if body.len() < TAG_LEN + 1 {
            return Err(r.err("protected record", "shorter than a tag and a content type"));
        }
        r.finish("Finished record")?;
        Ok(Self {
            protected: pdu.to_vec(),
        })
    }
}

/// A fatal alert in plaintext (sent before either side has keys).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Alert {
    pub description: u8,
}

impl Message for Alert {
    fn kind(&self) -> &'static str {
        "Alert"
    }
    fn encoded_len(&self) -> usize {
        HEADER_LEN + 2
    }
    fn encode_into(&self, out: &mut Vec<u8>) {
        record(out, ALERT, 0x0303, &[2, self.description]);
    }
    fn decode(pdu: &[u8]) -> Result<Self, WireError> {
        let mut r = Reader::new(pdu);
        let mut a = Reader::with_base(take_record(&mut r, ALERT)?, HEADER_LEN);
        r.finish("Alert record")?;
        if a.u8("alert level")? != 2 {
            return Err(a.err("alert level", "not fatal"));
        }
        let description = a.u8("alert description")?;
        a.finish("Alert")?;
        Ok(Self { description })
    }
}

/// Any PDU of the handshake.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum TlsMessage {
    ClientHello(ClientHello),
    ServerFlight(ServerFlight),
    Finished(ClientFinished),
    Alert(Alert),
}

impl Message for TlsMessage {
    crate::wire::delegate_to_variants!(ClientHello, ServerFlight, Finished, Alert);
    fn decode(pdu: &[u8]) -> Result<Self, WireError> {
        match (pdu.first(), pdu.get(HEADER_LEN)) {
            (Some(&HANDSHAKE), Some(&hs::CLIENT_HELLO)) => {
                ClientHello::decode(pdu).map(Self::ClientHello)
            }
            (Some(&HANDSHAKE), Some(&hs::SERVER_HELLO)) => {
                ServerFlight::decode(pdu).map(Self::ServerFlight)
            }
            (Some(&HANDSHAKE), _) => Err(WireError::new(HEADER_LEN, "handshake type", "unknown")),
            (Some(&APPLICATION_DATA), _) => ClientFinished::decode(pdu).map(Self::Finished),
            (Some(&ALERT), _) => Alert::decode(pdu).map(Self::Alert),
            (Some(_), _) => Err(WireError::new(0, "record content type", "unknown")),
            (None, _) => Err(WireError::new(0, "record", "PDU is empty")),
        }
    }
}
