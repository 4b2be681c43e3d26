//! The MDMS: verifies each batch — its aggregate (BLS: n + 1 Miller loops; IBAS: three), or
//! each reading's own signature (ECDSA, HMAC). A failed aggregate makes it ask the gateway
//! for the batch's individual signatures and find the bad readings by bisection. Every
//! reading ends in one verdict: authenticated, or an attack detected ("forged reading").

use bls12_381::G2Affine;
use rustc_hash::FxHashMap;

use super::batch::{Aggregate, Prepared};
use super::bls::{MinSig, Variant};
use super::ibas;
use super::msg::{ReadingBatch, SigList, SigRequest};
use super::scheme::{MeterRecord, Scheme, Sigs, reading_message, verify_single};
use crate::core::{Addr, Ctx, Endpoint, Incoming, Interface, Outcome, TimerKey};

/// Label of a reading whose signature does not verify.
pub const FORGED: &str = "forged reading";
/// Label of a reading (or a batch holding one) for an interval the MDMS already accepted
/// from that meter: the interval number is in the signed message, so an old reading
/// verifies, and only this check stops its replay.
pub const REPLAYED: &str = "replayed reading";

/// A batch waiting for its individual signatures.
struct Pending {
    batch: ReadingBatch,
    prepared: Prepared,
    subjects: Vec<Addr>,
}

pub struct Mdms {
    scheme: Scheme,
    /// Meter id → (address, key record).
    meters: FxHashMap<u64, (Addr, MeterRecord)>,
    /// The PKG's Q (IBAS).
    ibas_q: Option<G2Affine>,
    /// Failed batches by (gateway id, interval, batch number).
    pending: FxHashMap<(u64, u32, u32), Pending>,
    /// Per meter id, the latest interval of an authenticated reading: a reading for it or
    /// an earlier interval is a replay.
    accepted: FxHashMap<u64, u32>,
    /// Sub-aggregates checked by bisection so far (also reported per run by the counts of
    /// Miller loops; kept here for tests).
    pub bisection_checks: u64,
}

impl Mdms {
    pub fn new(
        scheme: Scheme,
        meters: FxHashMap<u64, (Addr, MeterRecord)>,
        ibas_q: Option<G2Affine>,
    ) -> Self {
        Mdms {
            scheme,
            meters,
            ibas_q,
            pending: FxHashMap::default(),
            accepted: FxHashMap::default(),
            bisection_checks: 0,
        }
    }

    fn on_batch(&mut self, b: ReadingBatch, from: Addr, cx: &mut Ctx<'_>) {
        if b.scheme != self.scheme || b.entries.is_empty() {
            cx.fx.ignore(ReadingBatch::KIND);
            return;
        }
        let mut subjects = Vec::with_capacity(b.entries.len());
        let mut records = Vec::with_capacity(b.entries.len());
        for e in &b.entries {
            match self.meters.get(&e.meter_id) {
                Some((a, r)) => {
                    subjects.push(*a);
                    records.push(r);
                }
                None => {
                    // An unknown meter spoils the batch: nothing in it can be attributed.
                    cx.fx.outcome(Outcome::Rejected {
                        subject: from,
                        reason: "unknown meter in batch",
                    });
                    return;
                }
            }
        }
        let replayed: Vec<bool> = b
            .entries
            .iter()
            .map(|e| {
                self.accepted
                    .get(&e.meter_id)
                    .is_some_and(|&k| k >= b.interval)
            })
            .collect();
        if self.scheme.aggregates() && replayed.iter().any(|&r| r) {
            // One aggregate covers the batch: a batch holding an old reading is refused
            // whole, before any pairing.
            cx.fx.outcome(Outcome::AttackDetected {
                subject: from,
                what: REPLAYED,
            });
            return;
        }
        let msgs: Vec<[u8; 20]> = b
            .entries
            .iter()
            .map(|e| reading_message(e.meter_id, b.interval, e.value))
            .collect();
        let ops = &mut cx.fx.crypto;
        if !self.scheme.aggregates() {
            for (((e, m), (r, s)), old) in b
                .entries
                .iter()
                .zip(&msgs)
                .zip(records.iter().zip(&subjects))
                .zip(replayed)
            {
                if old {
                    cx.fx.outcomes.push(Outcome::AttackDetected {
                        subject: *s,
                        what: REPLAYED,
                    });
                    continue;
                }
                let ok = verify_single(r, m, &e.sig, ops).is_ok();
                if ok {
                    self.accepted.insert(e.meter_id, b.interval);
                }
                cx.fx.outcomes.push(verdict(*s, ok, from));
            }
            return;
        }
        // Distinct meters give distinct messages (the basic BLS scheme's condition).
        let mut ids: Vec<u64> = b.entries.iter().map(|e| e.meter_id).collect();
        ids.sort_unstable();
        if ids.windows(2).any(|w| w[0] == w[1]) {
            cx.fx.outcome(Outcome::Rejected {
                subject: from,
                reason: "meter twice in batch",
            });
            return;
        }
        let refs: Vec<&[u8]> = msgs.iter().map(|m| m.as_slice()).collect();
        let Ok(prepared) = Prepared::new(&records, &refs, b.interval, self.ibas_q.as_ref(), ops)
        else {
            cx.fx.ignore(ReadingBatch::KIND);
            return;
        };
        let agg_bytes = b.aggregate.as_deref().unwrap_or_default();
        let agg = match self.scheme {
            Scheme::BlsAggregate => MinSig::decode_sig(agg_bytes, ops).ok().map(Aggregate::Bls),
            _ => ibas::Signature::from_bytes(agg_bytes, ops)
                .ok()
                .map(Aggregate::Ibas),
        };
        if agg.is_some_and(|a| prepared.check_aggregate(&a, ops)) {
            for (s, e) in subjects.into_iter().zip(&b.entries) {
                self.accepted.insert(e.meter_id, b.interval);
                cx.fx.outcomes.push(verdict(s, true, from));
            }
            return;
        }
        // The aggregate fails: fetch the individual signatures and bisect.
        cx.fx.send_msg(
            from,
            Interface::Wan,
            &SigRequest {
                gateway_id: b.gateway_id,
                interval: b.interval,
                seq: b.seq,
            },
        );
        self.pending.insert(
            (b.gateway_id, b.interval, b.seq),
            Pending {
                batch: b,
                prepared,
                subjects,
            },
        );
    }

    fn on_sig_list(&mut self, l: SigList, from: Addr, cx: &mut Ctx<'_>) {
        let Some(p) = self.pending.remove(&(l.gateway_id, l.interval, l.seq)) else {
            cx.fx.ignore(SigList::KIND);
            return;
        };
        let n = p.batch.entries.len();
        let len = self.scheme.sig_len();
        if l.sigs.len() != n * len {
            cx.fx.ignore(SigList::KIND);
            self.pending.insert((l.gateway_id, l.interval, l.seq), p);
            return;
        }
        let ops = &mut cx.fx.crypto;
        // A signature that does not decode is bad by itself; the rest are bisected with the
        // identity in its place (which makes any set holding it fail).
        let mut undecodable = vec![false; n];
        let sigs = match self.scheme {
            Scheme::BlsAggregate => Sigs::Bls(
                l.sigs
                    .chunks_exact(len)
                    .enumerate()
                    .map(|(i, c)| {
                        MinSig::decode_sig(c, ops).unwrap_or_else(|_| {
                            undecodable[i] = true;
                            bls12_381::G1Affine::identity()
                        })
                    })
                    .collect(),
            ),
            _ => Sigs::Ibas(
                l.sigs
                    .chunks_exact(len)
                    .enumerate()
                    .map(|(i, c)| {
                        ibas::Signature::from_bytes(c, ops).unwrap_or_else(|_| {
                            undecodable[i] = true;
                            ibas::Signature {
                                s: bls12_381::G1Affine::identity(),
                                t: G2Affine::identity(),
                            }
                        })
                    })
                    .collect(),
            ),
        };
        let found = p.prepared.bisect(&sigs, ops);
        self.bisection_checks += found.checks;
        let mut bad = vec![false; n];
        for i in found.bad {
            bad[i] = true;
        }
        for (i, s) in p.subjects.into_iter().enumerate() {
            let meter = p.batch.entries[i].meter_id;
            // Another batch may have had this meter's reading accepted meanwhile.
            let old = self
                .accepted
                .get(&meter)
                .is_some_and(|&k| k >= p.batch.interval);
            let ok = !(bad[i] || undecodable[i]);
            if old {
                cx.fx.outcomes.push(Outcome::AttackDetected {
                    subject: s,
                    what: REPLAYED,
                });
                continue;
            }
            if ok {
                self.accepted.insert(meter, p.batch.interval);
            }
            cx.fx.outcomes.push(verdict(s, ok, from));
        }
    }
}

/// The verdict on one reading of meter `subject`, relayed by gateway `via`.
fn verdict(subject: Addr, ok: bool, via: Addr) -> Outcome {
    if ok {
        Outcome::authenticated(subject, 0, via)
    } else {
        Outcome::AttackDetected {
            subject,
            what: FORGED,
        }
    }
}

impl Endpoint for Mdms {
    fn start(&mut self, cx: &mut Ctx<'_>) {
        cx.fx.ignore("start");
    }

    fn on_message(&mut self, msg: Incoming<'_>, cx: &mut Ctx<'_>) {
        if let Ok(b) = ReadingBatch::decode(msg.pdu) {
            self.on_batch(b, msg.from, cx);
        } else if let Ok(l) = SigList::decode(msg.pdu) {
            self.on_sig_list(l, msg.from, cx);
        } else {
            cx.fx.ignore("undecodable");
        }
    }

    fn on_timer(&mut self, _key: TimerKey, cx: &mut Ctx<'_>) {
        cx.fx.ignore("timer");
    }
}
