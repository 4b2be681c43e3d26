//! MAP SendAuthenticationInfo (TS 29.002 §8.5.2, MAP v3) in a TCAP dialogue
//! (ITU-T Q.773), BER-encoded (X.690): what a VLR/SGSN and the HLR/AuC
//! exchange over the D/Gr interface in UMTS AKA.
//!
//! ```text
//! TC-BEGIN  62 L { otid 48 04 <4 octets>,
//!                  [dialogue portion 6b L { EXTERNAL 28 L { 06 07 00 11 86 05 01 01 01,
//!                     a0 L { AARQ 60 L { 80 02 07 80, a1 09 06 07 <AC name> } } } }],
//!                  components 6c L { invoke a1 L { 02 01 <invokeID>, 02 01 38 (opCode 56),
//!                     SendAuthenticationInfoArg 30 L {...} } } }
//! TC-END    64 L { dtid 49 04 <4 octets>,
//!                  [dialogue portion 6b L { 28 L { 06 07 ..., a0 L { AARE 61 L { 80 02 07 80,
//!                     a1 09 06 07 <AC name>, a2 03 02 01 00, a3 05 a1 03 02 01 00 } } } }],
//!                  components 6c L { returnResultLast a2 L { 02 01 <invokeID>,
//!                     30 L { 02 01 38, SendAuthenticationInfoRes a3 L {...} } }
//!                  | returnError a3 L { 02 01 <invokeID>, 02 01 <localValue> } } }
//! ```
//!
//! The application context is infoRetrievalContext-v3 {0 4 0 0 1 0 14 3}.
//!
//! ```text
//! SendAuthenticationInfoArg ::= SEQUENCE {
//!   imsi [0] IMSI,                                  80 L TBCD (3..8 octets)
//!   numberOfRequestedVectors INTEGER (1..5),        02 01 n
//!   segmentationProhibited NULL OPTIONAL,           05 00
//!   immediateResponsePreferred [1] NULL OPTIONAL,   81 00
//!   re-synchronisationInfo SEQUENCE { rand OCTET STRING (16), auts OCTET STRING (14) } OPTIONAL,
//!   extensionContainer [2] OPTIONAL, ...,           (not modelled)
//!   requestingNodeType [3] ENUMERATED OPTIONAL,     83 01 t  (vlr 0, sgsn 1, mme 16)
//!   requestingPLMN-Id [4] OCTET STRING (3) OPTIONAL, 84 03 ...
//!   ... }                                           (later members not modelled)
//! SendAuthenticationInfoRes ::= [3] SEQUENCE {
//!   authenticationSetList CHOICE { tripletList [0], quintupletList [1] SEQUENCE (1..5) OF
//!     AuthenticationQuintuplet SEQUENCE { rand (16), xres (4..16), ck (16), ik (16), autn (16) } } OPTIONAL,
//!   ... }                                           (triplets, EPS vectors not modelled)
//! ```
//!
//! The encoding is DER-like: definite lengths in their shortest form, one
//! component per message, 4-octet transaction ids. Decoders accept exactly
//! what the encoders produce (so every accepted PDU re-encodes to the same
//! bytes) and report the offset of the first problem. The PDU is the TCAP
//! message; SCCP and M3UA/SIGTRAN headers below it are lower-layer overhead,
//! like the SCTP/IP headers under Diameter.

use super::{Message, Reader, WireError, delegate_to_variants, inherent_message_methods};

/// MAP operation code of sendAuthenticationInfo (TS 29.002 §17.5).
pub const OP_SEND_AUTHENTICATION_INFO: u8 = 56;
/// infoRetrievalContext-v3: {itu-t(0) identified-organization(4) etsi(0)
/// mobileDomain(0) gsm-Network(1) ac-Id(0) infoRetrievalContext(14) version3(3)}.
pub const AC_INFO_RETRIEVAL_V3: [u8; 7] = [0x04, 0x00, 0x00, 0x01, 0x00, 0x0e, 0x03];
/// dialogue-as-id {itu-t(0) recommendation(0) q(17) 773 as(1) dialogue-as(1) version1(1)}.
const DIALOGUE_AS_ID: [u8; 7] = [0x00, 0x11, 0x86, 0x05, 0x01, 0x01, 0x01];

/// MAP error codes (TS 29.002 §17.6.6, localValue) of sendAuthenticationInfo.
pub mod error_code {
    pub const UNKNOWN_SUBSCRIBER: u8 = 1;
    pub const SYSTEM_FAILURE: u8 = 34;
    pub const DATA_MISSING: u8 = 35;
    pub const UNEXPECTED_DATA_VALUE: u8 = 36;
}

/// RequestingNodeType (TS 29.002 §17.7.3).
pub mod node_type {
    pub const VLR: u8 = 0;
    pub const SGSN: u8 = 1;
    pub const MME: u8 = 16;
}

// Tags (one octet each: class bits 8-7, constructed bit 6, number bits 5-1).
const TAG_BEGIN: u8 = 0x62;
const TAG_END: u8 = 0x64;
const TAG_OTID: u8 = 0x48;
const TAG_DTID: u8 = 0x49;
const TAG_DIALOGUE_PORTION: u8 = 0x6b;
const TAG_COMPONENT_PORTION: u8 = 0x6c;
const TAG_EXTERNAL: u8 = 0x28;
const TAG_OID: u8 = 0x06;
const TAG_SINGLE_ASN1_TYPE: u8 = 0xa0;
const TAG_AARQ: u8 = 0x60;
const TAG_AARE: u8 = 0x61;
const TAG_INVOKE: u8 = 0xa1;
const TAG_RETURN_RESULT_LAST: u8 = 0xa2;
const TAG_RETURN_ERROR: u8 = 0xa3;
const TAG_INTEGER: u8 = 0x02;
const TAG_OCTET_STRING: u8 = 0x04;
const TAG_NULL: u8 = 0x05;
const TAG_SEQUENCE: u8 = 0x30;
const TAG_SAI_RES: u8 = 0xa3;
const TAG_QUINTUPLET_LIST: u8 = 0xa1;
/// AARQ/AARE protocol-version [0] IMPLICIT BIT STRING { version1 (0) }.
const PROTOCOL_VERSION_1: [u8; 4] = [0x80, 0x02, 0x07, 0x80];
/// AARE result [2] accepted (0) and result-source-diagnostic [3]
/// dialogue-service-user [1] null (0).
const AARE_ACCEPTED: [u8; 12] = [
    0xa2, 0x03, 0x02, 0x01, 0x00, 0xa3, 0x05, 0xa1, 0x03, 0x02, 0x01, 0x00,
];

/// Re-synchronisationInfo: the RAND of the failed challenge and the AUTS.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ResyncInfo {
    pub rand: [u8; 16],
    pub auts: [u8; 14],
}

/// SendAuthenticationInfoArg (MAP v3).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SendAuthenticationInfoArg {
    /// The IMSI as 6..=15 digits (TBCD on the wire).
    pub imsi: String,
    /// 1..=5.
    pub number_of_requested_vectors: u8,
    pub segmentation_prohibited: bool,
    pub immediate_response_preferred: bool,
    pub re_synchronisation_info: Option<ResyncInfo>,
    /// See [`node_type`].
    pub requesting_node_type: Option<u8>,
    pub requesting_plmn_id: Option<[u8; 3]>,
}

/// AuthenticationQuintuplet (a UMTS authentication vector).
#[derive(Clone, PartialEq, Eq)]
pub struct Quintuplet {
    pub rand: [u8; 16],
    /// 4..=16 octets.
    pub xres: Vec<u8>,
    pub ck: [u8; 16],
    pub ik: [u8; 16],
    pub autn: [u8; 16],
}

impl Drop for Quintuplet {
    fn drop(&mut self) {
        use zeroize::Zeroize;
        self.xres.zeroize();
        self.ck.zeroize();
        self.ik.zeroize();
    }
}

impl std::fmt::Debug for Quintuplet {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Quintuplet")
            .field("rand", &hex::encode(self.rand))
            .field("autn", &hex::encode(self.autn))
            .finish_non_exhaustive()
    }
}

/// TC-BEGIN with the sendAuthenticationInfo invoke (VLR → HLR).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SaiBegin {
    /// Originating transaction id (4 octets).
    pub otid: u32,
    /// Whether a dialogue portion (AARQ with the application context) is sent;
    /// MAP v2 and later require it.
    pub dialogue: bool,
    pub invoke_id: i8,
    pub arg: SendAuthenticationInfoArg,
}

/// The outcome carried by the TC-END.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum SaiOutcome {
    /// returnResultLast with the quintuplets (possibly none: the optional
    /// authenticationSetList is then absent).
    Result(Vec<Quintuplet>),
    /// returnError with a MAP error code (see [`error_code`]); no parameter.
    Error(u8),
}

/// TC-END answering a [`SaiBegin`] (HLR → VLR).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SaiEnd {
    /// Destination transaction id = the Begin's otid.
    pub dtid: u32,
    /// Whether a dialogue portion (AARE accepting the context) is sent.
    pub dialogue: bool,
    pub invoke_id: i8,
    pub outcome: SaiOutcome,
}

/// A MAP message this module models.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum MapMessage {
    Begin(SaiBegin),
    End(SaiEnd),
}

impl Message for MapMessage {
    delegate_to_variants!(Begin, End);

    fn encode(&self) -> Vec<u8> {
        match self {
            Self::Begin(b) => b.to_bytes(),
            Self::End(e) => e.to_bytes(),
        }
    }

    /// Decodes a TC-BEGIN or TC-END, chosen by the first tag.
    fn decode(pdu: &[u8]) -> Result<Self, WireError> {
        match Reader::new(pdu).u8("TCAP message tag")? {
            TAG_BEGIN => SaiBegin::decode(pdu).map(Self::Begin),
            TAG_END => SaiEnd::decode(pdu).map(Self::End),
            _ => Err(WireError::new(
                0,
                "TCAP message tag",
                "neither Begin (0x62) nor End (0x64)",
            )),
        }
    }
}

/// The [`Message`] methods of a type whose encoder builds nested BER
/// elements in their own buffers (`to_bytes`): the length of a definite BER
/// length depends on the content's, so the exact length comes from encoding.
macro_rules! message_from_bytes {
    () => {
        /// Encodes to count: MAP messages are few (one pair per attach).
        fn encoded_len(&self) -> usize {
            self.to_bytes().len()
        }
        fn encode_into(&self, out: &mut Vec<u8>) {
            out.extend_from_slice(&self.to_bytes())
        }
        fn encode(&self) -> Vec<u8> {
            self.to_bytes()
        }
    };
}

inherent_message_methods!(SaiBegin, SaiEnd, MapMessage);

// ---- encoding ----

/// Appends a BER definite length in its shortest form.
fn put_len(out: &mut Vec<u8>, len: usize) {
    match len {
        0..=0x7f => out.push(len as u8),
        0x80..=0xff => out.extend_from_slice(&[0x81, len as u8]),
        0x100..=0xffff => {
            out.push(0x82);
            out.extend_from_slice(&(len as u16).to_be_bytes());
        }
        _ => panic!("BER element longer than 65535 octets"),
    }
}

fn tlv(tag: u8, content: &[u8]) -> Vec<u8> {
    let mut out = Vec::with_capacity(content.len() + 4);
    put_tlv(&mut out, tag, content);
    out
}

fn put_tlv(out: &mut Vec<u8>, tag: u8, content: &[u8]) {
    out.push(tag);
    put_len(out, content.len());
    out.extend_from_slice(content);
}

/// TBCD-STRING (TS 29.002 §17.7.8): two digits per octet, first digit in
/// bits 4-1, filler 0xF in the last high half for an odd count.
///
/// # Panics
/// If `digits` are not 6..=15 decimal digits.
fn tbcd(digits: &str) -> Vec<u8> {
    assert!(
        (6..=15).contains(&digits.len()) && digits.bytes().all(|c| c.is_ascii_digit()),
        "IMSI must have 6..=15 decimal digits"
    );
    digits
        .as_bytes()
        .chunks(2)
        .map(|p| {
            let low = p[0] - b'0';
            let high = p.get(1).map_or(0x0f, |c| c - b'0');
            (high << 4) | low
        })
        .collect()
}

fn dialogue_portion(apdu: &[u8]) -> Vec<u8> {
    let mut external = tlv(TAG_OID, &DIALOGUE_AS_ID);
    put_tlv(&mut external, TAG_SINGLE_ASN1_TYPE, apdu);
    tlv(TAG_DIALOGUE_PORTION, &tlv(TAG_EXTERNAL, &external))
}

fn ac_name() -> Vec<u8> {
    tlv(0xa1, &tlv(TAG_OID, &AC_INFO_RETRIEVAL_V3))
}

fn aarq() -> Vec<u8> {
    let mut c = PROTOCOL_VERSION_1.to_vec();
    c.extend_from_slice(&ac_name());
    tlv(TAG_AARQ, &c)
}

fn aare() -> Vec<u8> {
    let mut c = PROTOCOL_VERSION_1.to_vec();
    c.extend_from_slice(&ac_name());
    c.extend_from_slice(&AARE_ACCEPTED);
    tlv(TAG_AARE, &c)
}

fn int8(v: i8) -> Vec<u8> {
    tlv(TAG_INTEGER, &[v as u8])
}

/// A TC-BEGIN / TC-END (`tag`) with transaction id `id` (tag `id_tag`), the
/// dialogue portion carrying `apdu` if any, and one component.
fn transaction(tag: u8, id_tag: u8, id: u32, apdu: Option<Vec<u8>>, component: &[u8]) -> Vec<u8> {
    let mut c = tlv(id_tag, &id.to_be_bytes());
    if let Some(apdu) = apdu {
        c.extend_from_slice(&dialogue_portion(&apdu));
    }
    put_tlv(&mut c, TAG_COMPONENT_PORTION, component);
    tlv(tag, &c)
}

impl SendAuthenticationInfoArg {
    /// The SEQUENCE (tag 0x30) encoding.
    ///
    /// # Panics
    /// If the IMSI is not 6..=15 digits or the vector count not 1..=5.
    pub fn encode(&self) -> Vec<u8> {
        assert!(
            (1..=5).contains(&self.number_of_requested_vectors),
            "numberOfRequestedVectors is 1..=5"
        );
        let mut c = tlv(0x80, &tbcd(&self.imsi));
        put_tlv(&mut c, TAG_INTEGER, &[self.number_of_requested_vectors]);
        if self.segmentation_prohibited {
            put_tlv(&mut c, TAG_NULL, &[]);
        }
        if self.immediate_response_preferred {
            put_tlv(&mut c, 0x81, &[]);
        }
        if let Some(r) = &self.re_synchronisation_info {
            let mut s = tlv(TAG_OCTET_STRING, &r.rand);
            put_tlv(&mut s, TAG_OCTET_STRING, &r.auts);
            put_tlv(&mut c, TAG_SEQUENCE, &s);
        }
        if let Some(t) = self.requesting_node_type {
            put_tlv(&mut c, 0x83, &[t]);
        }
        if let Some(p) = &self.requesting_plmn_id {
            put_tlv(&mut c, 0x84, p);
        }
        tlv(TAG_SEQUENCE, &c)
    }
}

impl Quintuplet {
    fn encode(&self) -> Vec<u8> {
        assert!(
            (4..=16).contains(&self.xres.len()),
            "XRES must be 4..=16 octets"
        );
        let mut c = tlv(TAG_OCTET_STRING, &self.rand);
        put_tlv(&mut c, TAG_OCTET_STRING, &self.xres);
        put_tlv(&mut c, TAG_OCTET_STRING, &self.ck);
        put_tlv(&mut c, TAG_OCTET_STRING, &self.ik);
        put_tlv(&mut c, TAG_OCTET_STRING, &self.autn);
        tlv(TAG_SEQUENCE, &c)
    }
}

impl SaiBegin {
    fn to_bytes(&self) -> Vec<u8> {
        let mut invoke = int8(self.invoke_id);
        put_tlv(&mut invoke, TAG_INTEGER, &[OP_SEND_AUTHENTICATION_INFO]);
        invoke.extend_from_slice(&self.arg.encode());
        let apdu = self.dialogue.then(aarq);
        transaction(
            TAG_BEGIN,
            TAG_OTID,
            self.otid,
            apdu,
            &tlv(TAG_INVOKE, &invoke),
        )
    }
}

impl Message for SaiBegin {
    fn kind(&self) -> &'static str {
        "SendAuthInfo"
    }

    message_from_bytes!();

    fn decode(pdu: &[u8]) -> Result<Self, WireError> {
        let (otid, dialogue, comps) =
            decode_transaction(pdu, TAG_BEGIN, "TC-BEGIN", TAG_OTID, "otid", TAG_AARQ)?;
        let mut cs = comps.children()?;
        let invoke = cs.next_tag(TAG_INVOKE, "invoke component")?;
        cs.finish("component portion (one component)")?;
        let mut f = invoke.children()?;
        let invoke_id = f.next_tag(TAG_INTEGER, "invokeID")?.int8("invokeID")?;
        check_opcode(&f.next_tag(TAG_INTEGER, "opCode")?)?;
        let arg = decode_arg(&f.next_tag(TAG_SEQUENCE, "SendAuthenticationInfoArg")?)?;
        f.finish("invoke")?;
        Ok(Self {
            otid,
            dialogue,
            invoke_id,
            arg,
        })
    }
}

impl SaiEnd {
    /// # Panics
    /// If an XRES is not 4..=16 octets.
    fn to_bytes(&self) -> Vec<u8> {
        let component = match &self.outcome {
            SaiOutcome::Result(qs) => {
                let mut res = Vec::new();
                if !qs.is_empty() {
                    let list: Vec<u8> = qs.iter().flat_map(Quintuplet::encode).collect();
                    put_tlv(&mut res, TAG_QUINTUPLET_LIST, &list);
                }
                let mut result = tlv(TAG_INTEGER, &[OP_SEND_AUTHENTICATION_INFO]);
                put_tlv(&mut result, TAG_SAI_RES, &res);
                let mut c = int8(self.invoke_id);
                put_tlv(&mut c, TAG_SEQUENCE, &result);
                tlv(TAG_RETURN_RESULT_LAST, &c)
            }
            SaiOutcome::Error(code) => {
                let mut c = int8(self.invoke_id);
                put_tlv(&mut c, TAG_INTEGER, &[*code]);
                tlv(TAG_RETURN_ERROR, &c)
            }
        };
        let apdu = self.dialogue.then(aare);
        transaction(TAG_END, TAG_DTID, self.dtid, apdu, &component)
    }
}

impl Message for SaiEnd {
    /// "SendAuthInfoResult" or "SendAuthInfoError".
    fn kind(&self) -> &'static str {
        match self.outcome {
            SaiOutcome::Result(_) => "SendAuthInfoResult",
            SaiOutcome::Error(_) => "SendAuthInfoError",
        }
    }

    message_from_bytes!();

    fn decode(pdu: &[u8]) -> Result<Self, WireError> {
        let (dtid, dialogue, comps) =
            decode_transaction(pdu, TAG_END, "TC-END", TAG_DTID, "dtid", TAG_AARE)?;
        let mut cs = comps.children()?;
        let comp = cs.next("component")?;
        cs.finish("component portion (one component)")?;
        let mut f = comp.children()?;
        let invoke_id = f.next_tag(TAG_INTEGER, "invokeID")?.int8("invokeID")?;
        let outcome = match comp.tag {
            TAG_RETURN_RESULT_LAST => {
                let result = f.next_tag(TAG_SEQUENCE, "result")?;
                let mut r = result.children()?;
                check_opcode(&r.next_tag(TAG_INTEGER, "opCode")?)?;
                let res = r.next_tag(TAG_SAI_RES, "SendAuthenticationInfoRes")?;
                r.finish("result")?;
                SaiOutcome::Result(decode_res(&res)?)
            }
            TAG_RETURN_ERROR => {
                let code = f.next_tag(TAG_INTEGER, "errorCode")?;
                let v = code.int8("errorCode (localValue)")?;
                if v < 0 {
                    return Err(WireError::new(
                        code.content_offset,
                        "errorCode",
                        "negative MAP error code",
                    ));
                }
                SaiOutcome::Error(v as u8)
            }
            _ => {
                return Err(WireError::new(
                    comp.offset,
                    "component tag",
                    "only returnResultLast (0xa2) and returnError (0xa3) are modelled",
                ));
            }
        };
        f.finish("component")?;
        Ok(Self {
            dtid,
            dialogue,
            invoke_id,
            outcome,
        })
    }
}

/// The transaction id, whether a dialogue portion (with `apdu_tag`) is
/// present, and the component portion of a TC-BEGIN / TC-END (`tag`).
fn decode_transaction<'a>(
    pdu: &'a [u8],
    tag: u8,
    name: &'static str,
    id_tag: u8,
    id_name: &'static str,
    apdu_tag: u8,
) -> Result<(u32, bool, Tlv<'a>), WireError> {
    let msg = Tlv::whole(pdu, tag, name)?;
    let mut it = msg.children()?;
    let id = it.next_tag(id_tag, id_name)?.array::<4>(id_name)?;
    let dialogue = match it.peek_tag() {
        Some(TAG_DIALOGUE_PORTION) => {
            check_dialogue(
                &it.next_tag(TAG_DIALOGUE_PORTION, "dialogue portion")?,
                apdu_tag,
            )?;
            true
        }
        _ => false,
    };
    let comps = it.next_tag(TAG_COMPONENT_PORTION, "component portion")?;
    it.finish(name)?;
    Ok((u32::from_be_bytes(id), dialogue, comps))
}

// ---- decoding ----

/// One BER element borrowing the PDU.
#[derive(Clone, Copy, Debug)]
struct Tlv<'a> {
    tag: u8,
    /// PDU offset of the tag.
    offset: usize,
    /// PDU offset of the content.
    content_offset: usize,
    content: &'a [u8],
}

/// Reads one element (single-octet tag, definite shortest-form length).
fn read_tlv<'a>(r: &mut Reader<'a>) -> Result<Tlv<'a>, WireError> {
    let offset = r.offset();
    let tag = r.u8("BER tag")?;
    if tag & 0x1f == 0x1f {
        return Err(WireError::new(
            offset,
            "BER tag",
            "multi-octet tags are not used",
        ));
    }
    let len_at = r.offset();
    let first = r.u8("BER length")?;
    let len = match first {
        0..=0x7f => first as usize,
        0x80 => {
            return Err(WireError::new(
                len_at,
                "BER length",
                "indefinite form is not used",
            ));
        }
        0x81 => {
            let l = r.u8("BER length")? as usize;
            if l < 0x80 {
                return Err(WireError::new(
                    len_at,
                    "BER length",
                    "not in its shortest form",
                ));
            }
            l
        }
        0x82 => {
            let l = r.u16("BER length")? as usize;
            if l < 0x100 {
                return Err(WireError::new(
                    len_at,
                    "BER length",
                    "not in its shortest form",
                ));
            }
            l
        }
        _ => {
            return Err(WireError::new(len_at, "BER length", "longer than 2 octets"));
        }
    };
    let content_offset = r.offset();
    let content = r.bytes(len, "BER content")?;
    Ok(Tlv {
        tag,
        offset,
        content_offset,
        content,
    })
}

impl<'a> Tlv<'a> {
    /// The whole PDU as one element of tag `tag`.
    fn whole(pdu: &'a [u8], tag: u8, what: &'static str) -> Result<Self, WireError> {
        let mut r = Reader::new(pdu);
        let t = read_tlv(&mut r)?;
        if t.tag != tag {
            return Err(WireError::new(0, what, "wrong tag"));
        }
        r.finish(what)?;
        Ok(t)
    }

    fn children(&self) -> Result<Children<'a>, WireError> {
        if self.tag & 0x20 == 0 {
            return Err(WireError::new(
                self.offset,
                "BER tag",
                "primitive element where a constructed one is expected",
            ));
        }
        Ok(Children {
            r: Reader::with_base(self.content, self.content_offset),
        })
    }

    fn array<const N: usize>(&self, what: &'static str) -> Result<[u8; N], WireError> {
        self.content
            .try_into()
            .map_err(|_| WireError::new(self.content_offset, what, "wrong length"))
    }

    fn int8(&self, what: &'static str) -> Result<i8, WireError> {
        Ok(self.array::<1>(what)?[0] as i8)
    }

    fn null(&self, what: &'static str) -> Result<(), WireError> {
        if self.content.is_empty() {
            Ok(())
        } else {
            Err(WireError::new(
                self.content_offset,
                what,
                "NULL with content",
            ))
        }
    }
}

/// The elements inside a constructed element, read in order.
struct Children<'a> {
    r: Reader<'a>,
}

impl<'a> Children<'a> {
    fn peek_tag(&self) -> Option<u8> {
        let mut r = self.r.clone();
        r.u8("tag").ok()
    }

    fn next(&mut self, what: &'static str) -> Result<Tlv<'a>, WireError> {
        if self.r.is_empty() {
            return Err(self.r.err(what, "missing"));
        }
        read_tlv(&mut self.r)
    }

    fn next_tag(&mut self, tag: u8, what: &'static str) -> Result<Tlv<'a>, WireError> {
        let at = self.r.offset();
        let t = self.next(what)?;
        if t.tag != tag {
            return Err(WireError::new(at, what, "wrong tag"));
        }
        Ok(t)
    }

    /// The next element if it carries `tag`.
    fn opt_tag(&mut self, tag: u8) -> Result<Option<Tlv<'a>>, WireError> {
        if self.peek_tag() == Some(tag) {
            read_tlv(&mut self.r).map(Some)
        } else {
            Ok(None)
        }
    }

    fn finish(&self, what: &'static str) -> Result<(), WireError> {
        if self.r.is_empty() {
            Ok(())
        } else {
            Err(self.r.err(what, "unexpected element"))
        }
    }
}

fn check_opcode(t: &Tlv<'_>) -> Result<(), WireError> {
    match t.content {
        [OP_SEND_AUTHENTICATION_INFO] => Ok(()),
        _ => Err(WireError::new(
            t.content_offset,
            "opCode",
            "only sendAuthenticationInfo (localValue 56) is modelled",
        )),
    }
}

/// Checks that a dialogue portion carries exactly the AARQ (`apdu_tag` 0x60)
/// or AARE (0x61) for infoRetrievalContext-v3 that the encoder writes.
fn check_dialogue(dp: &Tlv<'_>, apdu_tag: u8) -> Result<(), WireError> {
    let mut d = dp.children()?;
    let ext = d.next_tag(TAG_EXTERNAL, "EXTERNAL")?;
    d.finish("dialogue portion")?;
    let mut e = ext.children()?;
    let oid = e.next_tag(TAG_OID, "dialogue-as-id")?;
    if oid.content != DIALOGUE_AS_ID {
        return Err(WireError::new(
            oid.content_offset,
            "direct-reference",
            "not dialogue-as-id",
        ));
    }
    let single = e.next_tag(TAG_SINGLE_ASN1_TYPE, "single-ASN1-type")?;
    e.finish("EXTERNAL")?;
    let mut s = single.children()?;
    let apdu = s.next_tag(apdu_tag, "dialogue APDU")?;
    s.finish("single-ASN1-type")?;
    // The only modelled APDUs are the fixed AARQ / AARE the encoder writes
    // (their lengths are below 128, so the content follows a 2-octet header).
    let expected = if apdu_tag == TAG_AARQ { aarq() } else { aare() };
    let expected = &expected[2..];
    if apdu.content != expected {
        let at = apdu
            .content
            .iter()
            .zip(expected)
            .position(|(a, b)| a != b)
            .map_or(apdu.offset + 1, |i| apdu.content_offset + i);
        return Err(WireError::new(
            at,
            "dialogue APDU",
            "only protocol version 1 with infoRetrievalContext-v3 (accepted) is modelled",
        ));
    }
    Ok(())
}

fn decode_tbcd(t: &Tlv<'_>) -> Result<String, WireError> {
    if !(3..=8).contains(&t.content.len()) {
        return Err(WireError::new(
            t.content_offset,
            "IMSI",
            "length not in 3..=8",
        ));
    }
    let mut s = String::with_capacity(16);
    let last = t.content.len() - 1;
    for (i, &o) in t.content.iter().enumerate() {
        let at = t.content_offset + i;
        let (low, high) = (o & 0x0f, o >> 4);
        if low > 9 {
            return Err(WireError::new(at, "IMSI", "half octet is not a digit"));
        }
        s.push(char::from(b'0' + low));
        match high {
            0..=9 => s.push(char::from(b'0' + high)),
            0x0f if i == last => {}
            _ => {
                return Err(WireError::new(at, "IMSI", "half octet is not a digit"));
            }
        }
    }
    if !(6..=15).contains(&s.len()) {
        return Err(WireError::new(
            t.content_offset,
            "IMSI",
            "digit count not in 6..=15",
        ));
    }
    Ok(s)
}

fn decode_arg(seq: &Tlv<'_>) -> Result<SendAuthenticationInfoArg, WireError> {
    let mut f = seq.children()?;
    let imsi = decode_tbcd(&f.next_tag(0x80, "imsi [0]")?)?;
    let n = f.next_tag(TAG_INTEGER, "numberOfRequestedVectors")?;
    let number_of_requested_vectors = n.array::<1>("numberOfRequestedVectors")?[0];
    if !(1..=5).contains(&number_of_requested_vectors) {
        return Err(WireError::new(
            n.content_offset,
            "numberOfRequestedVectors",
            "not in 1..=5",
        ));
    }
    let segmentation_prohibited = match f.opt_tag(TAG_NULL)? {
        Some(t) => {
            t.null("segmentationProhibited")?;
            true
        }
        None => false,
    };
    let immediate_response_preferred = match f.opt_tag(0x81)? {
        Some(t) => {
            t.null("immediateResponsePreferred")?;
            true
        }
        None => false,
    };
    let re_synchronisation_info = match f.opt_tag(TAG_SEQUENCE)? {
        Some(t) => {
            let mut r = t.children()?;
            let rand = r.next_tag(TAG_OCTET_STRING, "rand")?.array::<16>("rand")?;
            let auts = r.next_tag(TAG_OCTET_STRING, "auts")?.array::<14>("auts")?;
            r.finish("re-synchronisationInfo")?;
            Some(ResyncInfo { rand, auts })
        }
        None => None,
    };
    let requesting_node_type = match f.opt_tag(0x83)? {
        Some(t) => {
            let v = t.array::<1>("requestingNodeType")?[0];
            if v > 0x7f {
                return Err(WireError::new(
                    t.content_offset,
                    "requestingNodeType",
                    "negative ENUMERATED",
                ));
            }
            Some(v)
        }
        None => None,
    };
    let requesting_plmn_id = f
        .opt_tag(0x84)?
        .map(|t| t.array::<3>("requestingPLMN-Id"))
        .transpose()?;
    f.finish("SendAuthenticationInfoArg (unmodelled member?)")?;
    Ok(SendAuthenticationInfoArg {
        imsi,
        number_of_requested_vectors,
        segmentation_prohibited,
        immediate_response_preferred,
        re_synchronisation_info,
        requesting_node_type,
        requesting_plmn_id,
    })
}

fn decode_res(res: &Tlv<'_>) -> Result<Vec<Quintuplet>, WireError> {
    let mut f = res.children()?;
    let mut out = Vec::new();
    if let Some(list) = f.opt_tag(TAG_QUINTUPLET_LIST)? {
        let mut l = list.children()?;
        while l.peek_tag().is_some() {
            if out.len() == 5 {
                return Err(l.r.err("quintupletList", "more than 5 quintuplets"));
            }
            let q = l.next_tag(TAG_SEQUENCE, "AuthenticationQuintuplet")?;
            let mut v = q.children()?;
            let rand = v.next_tag(TAG_OCTET_STRING, "rand")?.array::<16>("rand")?;
            let xres_t = v.next_tag(TAG_OCTET_STRING, "xres")?;
            if !(4..=16).contains(&xres_t.content.len()) {
                return Err(WireError::new(
                    xres_t.content_offset,
                    "xres",
                    "length not in 4..=16",
                ));
            }
            let ck = v.next_tag(TAG_OCTET_STRING, "ck")?.array::<16>("ck")?;
            let ik = v.next_tag(TAG_OCTET_STRING, "ik")?.array::<16>("ik")?;
            let autn = v.next_tag(TAG_OCTET_STRING, "autn")?.array::<16>("autn")?;
            v.finish("AuthenticationQuintuplet")?;
            out.push(Quintuplet {
                rand,
                xres: xres_t.content.to_vec(),
                ck,
                ik,
                autn,
            });
        }
        if out.is_empty() {
            return Err(WireError::new(
                list.offset,
                "quintupletList",
                "empty (SIZE 1..5)",
            ));
        }
    }
    f.finish("SendAuthenticationInfoRes (triplets and EPS vectors are not modelled)")?;
    Ok(out)
}

#[cfg(test)]
pub(super) mod tests;
