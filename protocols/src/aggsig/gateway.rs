//! The gateway: collects its meters' readings of each interval and forwards them to the
//! MDMS — aggregated (BLS, IBAS: one aggregate per batch) or with each reading's own
//! signature (ECDSA, HMAC). It closes an interval when all its meters have reported or when
//! its aggregation window (armed at the interval's first reading) expires. It keeps the
//! individual signatures of the last intervals to answer the MDMS's bisection requests.

use std::collections::BTreeMap;

use bls12_381::{G1Affine, G1Projective};

use super::bls::{MinSig, Variant};
use super::ibas;
use super::msg::{Entry, MeterReading, ReadingBatch, SigList, SigRequest};
use super::scheme::Scheme;
use crate::core::{Addr, Ctx, Endpoint, Incoming, Interface, Nanos, Outcome, TimerKey, TimerKind};

/// Closed intervals whose signatures the gateway keeps for bisection requests.
const KEEP_INTERVALS: u32 = 2;

const WINDOW: TimerKey = TimerKey::own(TimerKind::AggregationWindow);

pub struct Gateway {
    pub id: u64,
    scheme: Scheme,
    mdms: Addr,
    meters: usize,
    window: Nanos,
    max_batch: usize,
    /// Open intervals: the readings received so far.
    open: BTreeMap<u32, Vec<MeterReading>>,
    /// Closed intervals: per batch, the individual signatures in entry order.
    closed: BTreeMap<u32, Vec<Vec<u8>>>,
}

impl Gateway {
    /// A gateway serving `meters` meters; batches hold at most `max_batch` readings.
    pub fn new(
        id: u64,
        scheme: Scheme,
        mdms: Addr,
        meters: usize,
        window: Nanos,
        max_batch: usize,
    ) -> Self {
        Gateway {
            id,
            scheme,
            mdms,
            meters,
            window,
            max_batch: max_batch.clamp(1, scheme.max_batch()),
            open: BTreeMap::new(),
            closed: BTreeMap::new(),
        }
    }

    /// Sends interval `k`'s readings in batches.
    fn close(&mut self, k: u32, cx: &mut Ctx<'_>) {
        let Some(readings) = self.open.remove(&k) else {
            return;
        };
        let mut kept = Vec::new();
        for (seq, chunk) in readings.chunks(self.max_batch).enumerate() {
            let ops = &mut cx.fx.crypto;
            let aggregate = match self.scheme {
                Scheme::BlsAggregate => {
                    // Decoding checks each signature is a G1 point of the subgroup: a
                    // malformed one would spoil the whole aggregate (it is then dropped and
                    // reported as such).
                    ops.add(crate::core::Prim::G1Add, chunk.len() as u64 - 1);
                    let mut acc = G1Projective::identity();
                    for r in chunk {
                        if let Ok(s) = MinSig::decode_sig(&r.sig, ops) {
                            acc += s;
                        }
                    }
                    Some(G1Affine::from(acc).to_compressed().to_vec())
                }
                Scheme::Ibas => {
                    let sigs: Vec<ibas::Signature> = chunk
                        .iter()
                        .filter_map(|r| ibas::Signature::from_bytes(&r.sig, ops).ok())
                        .collect();
                    ibas::aggregate(&sigs, ops)
                        .ok()
                        .map(|a| a.to_bytes().to_vec())
                }
                Scheme::Ecdsa | Scheme::Hmac => None,
            };
            let entries = chunk
                .iter()
                .map(|r| Entry {
                    meter_id: r.meter_id,
                    value: r.value,
                    sig: if self.scheme.aggregates() {
                        Vec::new()
                    } else {
                        r.sig.clone()
                    },
                })
                .collect();
            if self.scheme.aggregates() {
                kept.push(chunk.iter().flat_map(|r| r.sig.iter().copied()).collect());
            }
            if self.scheme.aggregates() && aggregate.is_none() {
                cx.fx.outcome(Outcome::Rejected {
                    subject: cx.me,
                    reason: "no valid signature to aggregate",
                });
                continue;
            }
            cx.fx.send_msg(
                self.mdms,
                Interface::Wan,
                &ReadingBatch {
                    gateway_id: self.id,
                    interval: k,
                    scheme: self.scheme,
                    seq: seq as u32,
                    entries,
                    aggregate,
                },
            );
        }
        if self.scheme.aggregates() {
            self.closed.insert(k, kept);
            while self.closed.len() > KEEP_INTERVALS as usize {
                self.closed.pop_first();
            }
        }
    }
}

impl Endpoint for Gateway {
    fn start(&mut self, cx: &mut Ctx<'_>) {
        cx.fx.ignore("start");
    }

    fn on_message(&mut self, msg: Incoming<'_>, cx: &mut Ctx<'_>) {
        if let Ok(r) = MeterReading::decode(msg.pdu) {
            let k = r.interval;
            if r.sig.len() != self.scheme.sig_len() || self.closed.contains_key(&k) {
                cx.fx.ignore(MeterReading::KIND);
                return;
            }
            let first_open = self.open.is_empty();
            let list = self.open.entry(k).or_default();
            list.push(r);
            if list.len() >= self.meters {
                self.close(k, cx);
                if self.open.is_empty() {
                    cx.fx.cancel(WINDOW);
                }
            } else if first_open {
                cx.fx.arm(WINDOW, cx.now + self.window);
            }
        } else if let Ok(q) = SigRequest::decode(msg.pdu) {
            let sigs = self
                .closed
                .get(&q.interval)
                .and_then(|b| b.get(q.seq as usize));
            match sigs {
                Some(s) if q.gateway_id == self.id => cx.fx.send_msg(
                    msg.from,
                    Interface::Wan,
                    &SigList {
                        gateway_id: self.id,
                        interval: q.interval,
                        seq: q.seq,
                        sigs: s.clone(),
                    },
                ),
                _ => cx.fx.ignore(SigRequest::KIND),
            }
        } else {
            cx.fx.ignore("undecodable");
        }
    }

    fn on_timer(&mut self, key: TimerKey, cx: &mut Ctx<'_>) {
        if key != WINDOW {
            cx.fx.ignore("timer");
            return;
        }
        // Close every open interval: a meter that has not reported is late or gone.
        let open: Vec<u32> = self.open.keys().copied().collect();
        for k in open {
            self.close(k, cx);
        }
    }
}
