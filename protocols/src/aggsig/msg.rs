//! The documented TLV messages of the metering protocol (docs/wire-formats.md, "Aggregate
//! signatures"): meter → gateway readings, gateway → MDMS batches, the MDMS's request for a
//! batch's individual signatures (bisection), and the IBAS key registration with the PKG.
//!
//! One TLV message carries at most 65 535 octets of fields, so a batch carries at most
//! [`Scheme::max_batch`] readings: as many as fit both in the batch and in the signature list
//! that answers a bisection request.

use crate::wire::tlv::{self, Writer};
use crate::wire::{Message, WireError, inherent_message_methods};

use super::scheme::Scheme;

pub const METER_READING: u8 = 0xb0;
pub const READING_BATCH: u8 = 0xb1;
pub const SIG_REQUEST: u8 = 0xb2;
pub const SIG_LIST: u8 = 0xb3;
pub const KEY_REQUEST: u8 = 0xb4;
pub const KEY_ISSUE: u8 = 0xb5;

/// Field tags.
pub mod tag {
    pub const METER_ID: u8 = 1;
    pub const INTERVAL: u8 = 2;
    pub const VALUE: u8 = 3;
    pub const SIG: u8 = 4;
    pub const GATEWAY_ID: u8 = 5;
    pub const SCHEME: u8 = 6;
    pub const BATCH_SEQ: u8 = 7;
    pub const ENTRIES: u8 = 8;
    pub const AGGREGATE: u8 = 9;
    pub const SIGS: u8 = 10;
    pub const NONCE: u8 = 11;
    pub const SEALED_KEY: u8 = 12;
}

/// Octets of a meter identifier, an interval number, a reading value, a batch number.
pub const ID_LEN: usize = 8;
pub const INTERVAL_LEN: usize = 4;
pub const VALUE_LEN: usize = 8;
pub const SEQ_LEN: usize = 4;
/// AES-256-GCM nonce and the sealed IBAS private key (96 octets + 16-octet tag).
pub const NONCE_LEN: usize = 12;
pub const SEALED_KEY_LEN: usize = 96 + 16;

/// A field of `n` value octets.
const fn fld(n: usize) -> usize {
    tlv::FIELD_HEADER_LEN + n
}
/// A message whose fields take `fields` octets.
const fn msg(fields: usize) -> usize {
    tlv::HEADER_LEN + fields
}

/// The largest body a TLV message can have.
const MAX_BODY: usize = u16::MAX as usize;

impl Scheme {
    /// Octets of one batch entry: meter id ‖ value, and for the per-reading schemes the
    /// reading's own signature or tag.
    pub const fn entry_len(self) -> usize {
        ID_LEN + VALUE_LEN + if self.aggregates() { 0 } else { self.sig_len() }
    }

    /// Readings per batch: the most that fit one `ReadingBatch` and, for the aggregating
    /// schemes, one `SigList` of their signatures.
    pub const fn max_batch(self) -> usize {
        let agg = if self.aggregates() {
            fld(self.sig_len())
        } else {
            0
        };
        let batch_fixed =
            fld(ID_LEN) + fld(INTERVAL_LEN) + fld(1) + fld(SEQ_LEN) + tlv::FIELD_HEADER_LEN + agg;
        let in_batch = (MAX_BODY - batch_fixed) / self.entry_len();
        if !self.aggregates() {
            return in_batch;
        }
        let list_fixed = fld(ID_LEN) + fld(INTERVAL_LEN) + fld(SEQ_LEN) + tlv::FIELD_HEADER_LEN;
        let in_list = (MAX_BODY - list_fixed) / self.sig_len();
        if in_batch < in_list {
            in_batch
        } else {
            in_list
        }
    }
}

/// Meter → gateway: one reading and its signature (BLS σ, IBAS (S, T), ECDSA r ‖ s or an
/// HMAC tag).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct MeterReading {
    pub meter_id: u64,
    pub interval: u32,
    pub value: u64,
    pub sig: Vec<u8>,
}

impl MeterReading {
    pub const KIND: &'static str = "MeterReading";
}

impl Message for MeterReading {
    fn kind(&self) -> &'static str {
        Self::KIND
    }
    fn encoded_len(&self) -> usize {
        msg(fld(ID_LEN) + fld(INTERVAL_LEN) + fld(VALUE_LEN) + fld(self.sig.len()))
    }
    fn encode_into(&self, out: &mut Vec<u8>) {
        Writer::begin(out, METER_READING)
            .u64(tag::METER_ID, self.meter_id)
            .u32(tag::INTERVAL, self.interval)
            .u64(tag::VALUE, self.value)
            .field(tag::SIG, &self.sig)
            .finish();
    }
    fn decode(pdu: &[u8]) -> Result<Self, WireError> {
        let mut p = parse(pdu, METER_READING)?;
        let m = Self {
            meter_id: p.take_u64(tag::METER_ID, "meter id")?,
            interval: p.take_u32(tag::INTERVAL, "interval")?,
            value: p.take_u64(tag::VALUE, "value")?,
            sig: p.take(tag::SIG, "signature")?.value.to_vec(),
        };
        p.finish()?;
        Ok(m)
    }
}

/// One reading in a batch.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Entry {
    pub meter_id: u64,
    pub value: u64,
    /// The reading's own signature or tag (per-reading schemes); empty when aggregated.
    pub sig: Vec<u8>,
}

/// Gateway → MDMS: the readings of one interval (one batch of them) with, for the
/// aggregating schemes, their aggregate signature.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ReadingBatch {
    pub gateway_id: u64,
    pub interval: u32,
    pub scheme: Scheme,
    pub seq: u32,
    pub entries: Vec<Entry>,
    /// Present exactly for the aggregating schemes.
    pub aggregate: Option<Vec<u8>>,
}

impl ReadingBatch {
    pub const KIND: &'static str = "ReadingBatch";
}

impl Message for ReadingBatch {
    fn kind(&self) -> &'static str {
        Self::KIND
    }
    fn encoded_len(&self) -> usize {
        msg(fld(ID_LEN)
            + fld(INTERVAL_LEN)
            + fld(1)
            + fld(SEQ_LEN)
            + fld(self.entries.len() * self.scheme.entry_len())
            + self.aggregate.as_ref().map_or(0, |a| fld(a.len())))
    }
    fn encode_into(&self, out: &mut Vec<u8>) {
        let mut e = Vec::with_capacity(self.entries.len() * self.scheme.entry_len());
        for x in &self.entries {
            assert_eq!(x.sig.len() + ID_LEN + VALUE_LEN, self.scheme.entry_len());
            e.extend_from_slice(&x.meter_id.to_be_bytes());
            e.extend_from_slice(&x.value.to_be_bytes());
            e.extend_from_slice(&x.sig);
        }
        let w = Writer::begin(out, READING_BATCH)
            .u64(tag::GATEWAY_ID, self.gateway_id)
            .u32(tag::INTERVAL, self.interval)
            .field(tag::SCHEME, &[self.scheme.code()])
            .u32(tag::BATCH_SEQ, self.seq)
            .field(tag::ENTRIES, &e);
        match &self.aggregate {
            Some(a) => w.field(tag::AGGREGATE, a).finish(),
            None => w.finish(),
        }
    }
    fn decode(pdu: &[u8]) -> Result<Self, WireError> {
        let mut p = parse(pdu, READING_BATCH)?;
        let gateway_id = p.take_u64(tag::GATEWAY_ID, "gateway id")?;
        let interval = p.take_u32(tag::INTERVAL, "interval")?;
        let sf = p.take(tag::SCHEME, "scheme")?;
        let scheme = match sf.value {
            [c] => Scheme::from_code(*c),
            _ => None,
        }
        .ok_or(WireError::new(sf.offset, "scheme", "unknown scheme code"))?;
        let seq = p.take_u32(tag::BATCH_SEQ, "batch number")?;
        let ef = p.take(tag::ENTRIES, "entries")?;
        let el = scheme.entry_len();
        if !ef.value.len().is_multiple_of(el) {
            return Err(WireError::new(
                ef.offset,
                "entries",
                "not a whole number of entries",
            ));
        }
        let entries = ef
            .value
            .chunks_exact(el)
            .map(|c| Entry {
                meter_id: u64::from_be_bytes(c[..8].try_into().unwrap_or_default()),
                value: u64::from_be_bytes(c[8..16].try_into().unwrap_or_default()),
                sig: c[16..].to_vec(),
            })
            .collect();
        let aggregate = if scheme.aggregates() {
            let a = p.take(tag::AGGREGATE, "aggregate signature")?;
            if a.value.len() != scheme.sig_len() {
                return Err(WireError::new(
                    a.offset,
                    "aggregate signature",
                    "wrong length",
                ));
            }
            Some(a.value.to_vec())
        } else {
            None
        };
        p.finish()?;
        Ok(Self {
            gateway_id,
            interval,
            scheme,
            seq,
            entries,
            aggregate,
        })
    }
}

/// MDMS → gateway: send the individual signatures of batch `seq` of `interval` (the
/// aggregate failed; the MDMS looks for the bad readings by bisection).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SigRequest {
    pub gateway_id: u64,
    pub interval: u32,
    pub seq: u32,
}

impl SigRequest {
    pub const KIND: &'static str = "SigRequest";
    pub const LEN: usize = msg(fld(ID_LEN) + fld(INTERVAL_LEN) + fld(SEQ_LEN));
}

impl Message for SigRequest {
    fn kind(&self) -> &'static str {
        Self::KIND
    }
    fn encoded_len(&self) -> usize {
        Self::LEN
    }
    fn encode_into(&self, out: &mut Vec<u8>) {
        Writer::begin(out, SIG_REQUEST)
            .u64(tag::GATEWAY_ID, self.gateway_id)
            .u32(tag::INTERVAL, self.interval)
            .u32(tag::BATCH_SEQ, self.seq)
            .finish();
    }
    fn decode(pdu: &[u8]) -> Result<Self, WireError> {
        let mut p = parse(pdu, SIG_REQUEST)?;
        let m = Self {
            gateway_id: p.take_u64(tag::GATEWAY_ID, "gateway id")?,
            interval: p.take_u32(tag::INTERVAL, "interval")?,
            seq: p.take_u32(tag::BATCH_SEQ, "batch number")?,
        };
        p.finish()?;
        Ok(m)
    }
}

/// Gateway → MDMS: the individual signatures of a batch, in the batch's entry order,
/// concatenated (their length is the scheme's).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SigList {
    pub gateway_id: u64,
    pub interval: u32,
    pub seq: u32,
    pub sigs: Vec<u8>,
}

impl SigList {
    pub const KIND: &'static str = "SigList";
}

impl Message for SigList {
    fn kind(&self) -> &'static str {
        Self::KIND
    }
    fn encoded_len(&self) -> usize {
        msg(fld(ID_LEN) + fld(INTERVAL_LEN) + fld(SEQ_LEN) + fld(self.sigs.len()))
    }
    fn encode_into(&self, out: &mut Vec<u8>) {
        Writer::begin(out, SIG_LIST)
            .u64(tag::GATEWAY_ID, self.gateway_id)
            .u32(tag::INTERVAL, self.interval)
            .u32(tag::BATCH_SEQ, self.seq)
            .field(tag::SIGS, &self.sigs)
            .finish();
    }
    fn decode(pdu: &[u8]) -> Result<Self, WireError> {
        let mut p = parse(pdu, SIG_LIST)?;
        let m = Self {
            gateway_id: p.take_u64(tag::GATEWAY_ID, "gateway id")?,
            interval: p.take_u32(tag::INTERVAL, "interval")?,
            seq: p.take_u32(tag::BATCH_SEQ, "batch number")?,
            sigs: p.take(tag::SIGS, "signatures")?.value.to_vec(),
        };
        p.finish()?;
        Ok(m)
    }
}

/// Meter → PKG: issue the IBAS private key of my identity.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct KeyRequest {
    pub meter_id: u64,
}

impl KeyRequest {
    pub const KIND: &'static str = "KeyRequest";
    pub const LEN: usize = msg(fld(ID_LEN));
}

impl Message for KeyRequest {
    fn kind(&self) -> &'static str {
        Self::KIND
    }
    fn encoded_len(&self) -> usize {
        Self::LEN
    }
    fn encode_into(&self, out: &mut Vec<u8>) {
        Writer::begin(out, KEY_REQUEST)
            .u64(tag::METER_ID, self.meter_id)
            .finish();
    }
    fn decode(pdu: &[u8]) -> Result<Self, WireError> {
        let mut p = parse(pdu, KEY_REQUEST)?;
        let m = Self {
            meter_id: p.take_u64(tag::METER_ID, "meter id")?,
        };
        p.finish()?;
        Ok(m)
    }
}

/// PKG → meter: (s·P_{ID,0} ‖ s·P_{ID,1}) sealed with AES-256-GCM under the meter's
/// installation key, the meter id as associated data.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct KeyIssue {
    pub meter_id: u64,
    pub nonce: [u8; NONCE_LEN],
    pub sealed: [u8; SEALED_KEY_LEN],
}

impl KeyIssue {
    pub const KIND: &'static str = "KeyIssue";
    pub const LEN: usize = msg(fld(ID_LEN) + fld(NONCE_LEN) + fld(SEALED_KEY_LEN));
}

impl Message for KeyIssue {
    fn kind(&self) -> &'static str {
        Self::KIND
    }
    fn encoded_len(&self) -> usize {
        Self::LEN
    }
    fn encode_into(&self, out: &mut Vec<u8>) {
        Writer::begin(out, KEY_ISSUE)
            .u64(tag::METER_ID, self.meter_id)
            .field(tag::NONCE, &self.nonce)
            .field(tag::SEALED_KEY, &self.sealed)
            .finish();
    }
    fn decode(pdu: &[u8]) -> Result<Self, WireError> {
        let mut p = parse(pdu, KEY_ISSUE)?;
        let m = Self {
            meter_id: p.take_u64(tag::METER_ID, "meter id")?,
            nonce: p.take_array(tag::NONCE, "nonce")?,
            sealed: p.take_array(tag::SEALED_KEY, "sealed key")?,
        };
        p.finish()?;
        Ok(m)
    }
}

/// Parses a TLV message that must be of `msg_type`.
fn parse(pdu: &[u8], msg_type: u8) -> Result<tlv::Parsed<'_>, WireError> {
    let p = tlv::Parsed::parse(pdu)?;
    if p.msg_type != msg_type {
        return Err(WireError::new(0, "message type", "not this message"));
    }
    Ok(p)
}

inherent_message_methods!(
    MeterReading,
    ReadingBatch,
    SigRequest,
    SigList,
    KeyRequest,
    KeyIssue
);
