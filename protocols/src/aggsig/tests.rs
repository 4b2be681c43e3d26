//! Whole exchanges through the test router: meters → gateway → MDMS for every scheme, the
//! IBAS registration, and the rejection and bisection of altered readings.

use rand::SeedableRng;

use super::mdms::{FORGED, REPLAYED};
use super::meter::KeyRetry;
use super::msg::{KeyIssue, KeyRequest, MeterReading, ReadingBatch, SigList, SigRequest};
use super::scheme::Scheme;
use super::setup::{Addresses, Deployment, World, enrol};
use crate::core::{Addr, CryptoOps, Endpoint, Interface, Outcome, Prim, SimRng};
use crate::testing::{Router, Tamper};

struct At;
impl Addresses for At {
    fn meter(&self, i: u32) -> Addr {
        Addr::new(0, i)
    }
    fn gateway(&self, g: u32) -> Addr {
        Addr::new(1, g)
    }
    fn mdms(&self) -> Addr {
        Addr::new(2, 0)
    }
    fn pkg(&self) -> Addr {
        Addr::new(3, 0)
    }
}

fn deployment(scheme: Scheme, n: u32, intervals: u32) -> Deployment {
    Deployment {
        scheme,
        gateways: 1,
        meters_per_gateway: n,
        interval: 900_000_000_000,
        intervals,
        window: 60_000_000_000,
        max_batch: usize::MAX,
        check_issued_key: true,
        key_retry: KeyRetry::default(),
    }
}

fn world(d: &Deployment, tampered: &[u32]) -> World {
    let mut rng = SimRng::seed_from_u64(11);
    enrol(
        d,
        &At,
        &|i| tampered.contains(&i),
        &mut rng,
        &mut CryptoOps::default(),
    )
}

/// Runs every meter for `d.intervals` intervals; returns the router's results.
struct Run {
    verdicts: Vec<Outcome>,
    /// The meters' own verdicts (key issue accepted, given up).
    meter_verdicts: Vec<Outcome>,
    kinds: Vec<&'static str>,
    ignored: usize,
    mdms_ops: CryptoOps,
    gateway_ops: CryptoOps,
    meter_ops: CryptoOps,
    bisection_checks: u64,
    wan_bytes: usize,
}

fn run(d: &Deployment, tampered: &[u32]) -> Run {
    run_with(d, tampered, None)
}

/// [`run`] with a hook on every message in flight (drops, alterations).
fn run_with(d: &Deployment, tampered: &[u32], tamper: Option<Tamper<'_>>) -> Run {
    let mut w = world(d, tampered);
    let n = w.meters.len() as u32;
    let mut r = Router::new(5);
    r.tamper = tamper;
    let World {
        meters,
        gateways,
        mdms,
        pkg,
    } = &mut w;
    for (i, m) in meters.iter_mut().enumerate() {
        r.add(At.meter(i as u32), m as &mut dyn Endpoint);
    }
    for (g, gw) in gateways.iter_mut().enumerate() {
        r.add(At.gateway(g as u32), gw);
    }
    r.add(At.mdms(), mdms);
    if let Some(p) = pkg {
        r.add(At.pkg(), p);
    }
    for i in 0..n {
        r.start(At.meter(i));
    }
    while r.fire_next_timer() {}
    let verdicts = r.outcomes_of(At.mdms());
    let wan_bytes = r
        .log
        .iter()
        .filter(|p| p.interface == Interface::Wan)
        .map(|p| p.pdu.len())
        .sum();
    let meter_verdicts = (0..n).flat_map(|i| r.outcomes_of(At.meter(i))).collect();
    let out = Run {
        verdicts,
        meter_verdicts,
        kinds: r.kinds(),
        ignored: r.ignored.len(),
        mdms_ops: r.crypto.get(&At.mdms()).copied().unwrap_or_default(),
        gateway_ops: r.crypto.get(&At.gateway(0)).copied().unwrap_or_default(),
        meter_ops: (0..n).fold(CryptoOps::default(), |mut a, i| {
            if let Some(o) = r.crypto.get(&At.meter(i)) {
                a.merge(o);
            }
            a
        }),
        bisection_checks: 0,
        wan_bytes,
    };
    drop(r);
    Run {
        bisection_checks: w.mdms.bisection_checks,
        ..out
    }
}

fn forged(v: &[Outcome]) -> Vec<u32> {
    let mut f: Vec<u32> = v
        .iter()
        .filter_map(|o| match o {
            Outcome::AttackDetected { subject, what } if *what == FORGED => Some(subject.index),
            _ => None,
        })
        .collect();
    f.sort_unstable();
    f
}

fn authenticated(v: &[Outcome]) -> usize {
    v.iter()
        .filter(|o| matches!(o, Outcome::Authenticated { .. }))
        .count()
}

#[test]
fn every_scheme_authenticates_every_reading_of_every_interval() {
    for scheme in Scheme::ALL {
        let d = deployment(scheme, 6, 2);
        let r = run(&d, &[]);
        assert_eq!(authenticated(&r.verdicts), 12, "{scheme:?}");
        assert_eq!(r.ignored, 0, "{scheme:?}");
        let batches = r.kinds.iter().filter(|k| **k == ReadingBatch::KIND).count();
        assert_eq!(batches, 2, "{scheme:?}: one batch per interval");
        assert_eq!(
            r.kinds.iter().filter(|k| **k == MeterReading::KIND).count(),
            12
        );
        let regs = r.kinds.iter().filter(|k| **k == KeyRequest::KIND).count();
        assert_eq!(regs, if scheme == Scheme::Ibas { 6 } else { 0 });
        if scheme == Scheme::Ibas {
            assert_eq!(r.kinds.iter().filter(|k| **k == KeyIssue::KIND).count(), 6);
            // Each meter checked its key: two equations of two Miller loops.
            assert_eq!(r.meter_ops.get(Prim::MillerLoop), 6 * 4);
        }
    }
}

#[test]
fn mdms_verification_costs_follow_the_schemes() {
    let n = 6u64;
    let bls = run(&deployment(Scheme::BlsAggregate, n as u32, 1), &[]).mdms_ops;
    assert_eq!(bls.get(Prim::MillerLoop), n + 1);
    assert_eq!(bls.get(Prim::HashToG1), n);
    assert_eq!(bls.get(Prim::FinalExp), 1);
    let ibas = run(&deployment(Scheme::Ibas, n as u32, 1), &[]).mdms_ops;
    assert_eq!(ibas.get(Prim::MillerLoop), 3);
    assert_eq!(ibas.get(Prim::G1Mul), n);
    assert_eq!(ibas.get(Prim::HashToG1), 1);
    let ec = run(&deployment(Scheme::Ecdsa, n as u32, 1), &[]);
    assert_eq!(ec.mdms_ops.get(Prim::P256Mul), n);
    assert_eq!(
        ec.gateway_ops,
        CryptoOps::default(),
        "the gateway only forwards"
    );
    let bls_gw = run(&deployment(Scheme::BlsAggregate, n as u32, 1), &[]).gateway_ops;
    assert_eq!(bls_gw.get(Prim::G1Add), n - 1);
    assert_eq!(bls_gw.get(Prim::G1Decompress), n);
}

#[test]
fn aggregates_shrink_the_wan() {
    let n = 50;
    let bytes: Vec<usize> = Scheme::ALL
        .iter()
        .map(|&s| run(&deployment(s, n, 1), &[]).wan_bytes)
        .collect();
    // bls < ibas < hmac < ecdsa: 16 octets per reading plus one aggregate, against 16 + 32
    // and 16 + 64.
    assert!(
        bytes[0] < bytes[1] && bytes[1] < bytes[3] && bytes[3] < bytes[2],
        "{bytes:?}"
    );
}

#[test]
fn altered_readings_fail_the_aggregate_and_bisection_finds_them() {
    for scheme in [Scheme::BlsAggregate, Scheme::Ibas] {
        let bad = [2u32, 13];
        let r = run(&deployment(scheme, 16, 1), &bad);
        assert_eq!(forged(&r.verdicts), bad.to_vec(), "{scheme:?}");
        assert_eq!(authenticated(&r.verdicts), 14, "{scheme:?}");
        assert_eq!(
            r.kinds.iter().filter(|k| **k == SigRequest::KIND).count(),
            1
        );
        assert_eq!(r.kinds.iter().filter(|k| **k == SigList::KIND).count(), 1);
        // Two bad readings in 16: at most 2·2·log2(16) = 16 sub-aggregates.
        assert!(
            r.bisection_checks > 0 && r.bisection_checks <= 16,
            "{}",
            r.bisection_checks
        );
        assert_eq!(r.ignored, 0);
    }
}

#[test]
fn per_reading_schemes_reject_exactly_the_altered_readings() {
    for scheme in [Scheme::Ecdsa, Scheme::Hmac] {
        let r = run(&deployment(scheme, 8, 1), &[5]);
        assert_eq!(forged(&r.verdicts), vec![5], "{scheme:?}");
        assert_eq!(authenticated(&r.verdicts), 7);
        assert!(!r.kinds.contains(&SigRequest::KIND));
    }
}

#[test]
fn batches_respect_the_tlv_limit_and_each_verifies_alone() {
    let mut d = deployment(Scheme::BlsAggregate, 10, 1);
    d.max_batch = 4;
    let r = run(&d, &[]);
    assert_eq!(
        r.kinds.iter().filter(|k| **k == ReadingBatch::KIND).count(),
        3
    );
    assert_eq!(authenticated(&r.verdicts), 10);
    assert_eq!(r.mdms_ops.get(Prim::FinalExp), 3);
    for s in Scheme::ALL {
        assert!(s.max_batch() >= 400, "{s:?}: {}", s.max_batch());
    }
}

#[test]
fn hostile_and_unexpected_inputs_are_ignored_not_fatal() {
    let d = deployment(Scheme::Ibas, 2, 1);
    let mut w = world(&d, &[]);
    let mut r = Router::new(1);
    let World {
        meters,
        gateways,
        mdms,
        ..
    } = &mut w;
    r.add(At.meter(0), &mut meters[0]);
    r.add(At.gateway(0), &mut gateways[0]);
    r.add(At.mdms(), mdms);
    for to in [At.meter(0), At.gateway(0), At.mdms()] {
        r.inject(Addr::new(9, 9), to, Interface::Wan, vec![0xb1, 1, 0, 1, 0]);
    }
    // A reading before the meter has its key; a stale signature request.
    let req = SigRequest {
        gateway_id: 1,
        interval: 7,
        seq: 0,
    };
    r.inject(At.mdms(), At.gateway(0), Interface::Wan, req.encode());
    assert_eq!(r.ignored.len(), 4);
    assert!(r.outcomes.is_empty());
}

#[test]
fn closed_forms_match_simulated_intervals() {
    use super::closed_form as cf;
    for scheme in Scheme::ALL {
        for (n, b) in [(1u32, 1000usize), (7, 1000), (9, 4)] {
            let mut d = deployment(scheme, n, 1);
            d.max_batch = b;
            d.check_issued_key = false;
            let r = run(&d, &[]);
            assert_eq!(
                r.wan_bytes as u64,
                cf::wan_bytes(scheme, n as u64, b as u64),
                "{scheme:?} n={n} B={b}"
            );
            assert_eq!(
                r.mdms_ops,
                cf::mdms_ops(scheme, n as u64, b as u64),
                "{scheme:?} n={n} B={b}"
            );
        }
        let l = MeterReading {
            meter_id: 1,
            interval: 0,
            value: 0,
            sig: vec![0; scheme.sig_len()],
        }
        .encoded_len() as u64;
        assert_eq!(l, cf::reading_bytes(scheme));
    }
}

#[test]
fn bisection_of_one_bad_reading_costs_the_closed_form() {
    use super::closed_form as cf;
    for scheme in [Scheme::BlsAggregate, Scheme::Ibas] {
        for j in [1u32, 3] {
            let m = 1u32 << j;
            let mut d = deployment(scheme, m, 1);
            d.check_issued_key = false;
            let clean = run(&d, &[]).mdms_ops.get(Prim::MillerLoop);
            let bad = run(&d, &[m - 1]);
            assert_eq!(forged(&bad.verdicts), vec![m - 1]);
            assert_eq!(bad.bisection_checks, 2 * j as u64);
            assert_eq!(
                bad.mdms_ops.get(Prim::MillerLoop) - clean,
                cf::bisection_miller_loops(scheme, j),
                "{scheme:?} j={j}"
            );
        }
    }
}

/// Drops the first `k` messages of kind `kind`.
fn drop_first(kind: &'static str, k: usize) -> Tamper<'static> {
    let mut seen = 0;
    Box::new(move |p| {
        if p.kind == kind && seen < k {
            seen += 1;
            None
        } else {
            Some(p.pdu.clone())
        }
    })
}

fn count(kinds: &[&str], kind: &str) -> usize {
    kinds.iter().filter(|k| **k == kind).count()
}

#[test]
fn a_lost_key_issue_is_requested_again() {
    let d = deployment(Scheme::Ibas, 1, 1);
    let r = run_with(&d, &[], Some(drop_first(KeyIssue::KIND, 2)));
    // Two issues lost: three requests, the third answered; the reading then goes through.
    assert_eq!(count(&r.kinds, KeyRequest::KIND), 3);
    assert_eq!(count(&r.kinds, KeyIssue::KIND), 3);
    assert_eq!(authenticated(&r.meter_verdicts), 1);
    assert_eq!(authenticated(&r.verdicts), 1);
    assert_eq!(r.ignored, 0, "the cancelled guard never fires");
}

#[test]
fn a_meter_gives_up_after_its_last_key_request() {
    let mut d = deployment(Scheme::Ibas, 1, 1);
    d.key_retry = KeyRetry {
        guard: 1_000_000_000,
        attempts: 3,
    };
    let r = run_with(&d, &[], Some(drop_first(KeyIssue::KIND, usize::MAX)));
    assert_eq!(count(&r.kinds, KeyRequest::KIND), 3);
    assert_eq!(
        r.meter_verdicts,
        vec![Outcome::Failed {
            subject: At.pkg(),
            reason: "no key issue",
        }]
    );
    assert_eq!(count(&r.kinds, MeterReading::KIND), 0, "no key, no reading");
    assert!(r.verdicts.is_empty());
}

#[test]
fn a_late_second_key_issue_is_ignored_and_counted() {
    // A first issue that arrives after the guard expired, once the answer to the second
    // request has given the meter its key: the first issue is dropped and a copy of the
    // accepted one delivered again.
    let d = deployment(Scheme::Ibas, 1, 1);
    let mut w = world(&d, &[]);
    let mut r = Router::new(5);
    r.tamper = Some(drop_first(KeyIssue::KIND, 1));
    let World {
        meters,
        gateways,
        mdms,
        pkg,
    } = &mut w;
    let issue_again = {
        r.add(At.meter(0), &mut meters[0]);
        r.add(At.gateway(0), &mut gateways[0]);
        r.add(At.mdms(), mdms);
        r.add(At.pkg(), pkg.as_mut().expect("IBAS has a PKG"));
        r.start(At.meter(0));
        while r.fire_next_timer() {}
        r.log
            .iter()
            .rev()
            .find(|p| p.kind == KeyIssue::KIND)
            .map(|p| p.pdu.clone())
            .expect("an issue passed")
    };
    r.inject(At.pkg(), At.meter(0), Interface::Pkg, issue_again);
    assert_eq!(r.ignored, vec![(At.meter(0), KeyIssue::KIND)]);
    assert_eq!(authenticated(&r.outcomes_of(At.mdms())), 1);
}

/// Runs one gateway of `n` meters for one interval through the router, then hands the
/// router (with every endpoint still in it) to `after`.
fn with_router(d: &Deployment, tamper: Option<Tamper<'_>>, after: impl FnOnce(&mut Router<'_>)) {
    let mut w = world(d, &[]);
    let mut r = Router::new(5);
    r.tamper = tamper;
    let World {
        meters,
        gateways,
        mdms,
        pkg,
    } = &mut w;
    for (i, m) in meters.iter_mut().enumerate() {
        r.add(At.meter(i as u32), m as &mut dyn Endpoint);
    }
    r.add(At.gateway(0), &mut gateways[0]);
    r.add(At.mdms(), mdms);
    if let Some(p) = pkg {
        r.add(At.pkg(), p);
    }
    for i in 0..d.meters_per_gateway {
        r.start(At.meter(i));
    }
    while r.fire_next_timer() {}
    after(&mut r);
}

fn replays(v: &[Outcome]) -> usize {
    v.iter()
        .filter(|o| matches!(o, Outcome::AttackDetected { what, .. } if *what == REPLAYED))
        .count()
}

#[test]
fn a_replayed_batch_is_refused_by_its_interval_number() {
    for scheme in Scheme::ALL {
        let d = deployment(scheme, 4, 1);
        with_router(&d, None, |r| {
            assert_eq!(authenticated(&r.outcomes_of(At.mdms())), 4, "{scheme:?}");
            let batch = r
                .log
                .iter()
                .find(|p| p.kind == ReadingBatch::KIND)
                .map(|p| p.pdu.clone())
                .expect("a batch");
            let before = r.crypto.get(&At.mdms()).copied().unwrap_or_default();
            r.inject(At.gateway(0), At.mdms(), Interface::Wan, batch);
            let v = r.outcomes_of(At.mdms());
            assert_eq!(authenticated(&v), 4, "{scheme:?}: no second verdict");
            // Aggregates: the batch is refused whole (one verdict on the gateway), before
            // any pairing; per-reading schemes: each reading.
            let expected = if scheme.aggregates() { 1 } else { 4 };
            assert_eq!(replays(&v), expected, "{scheme:?}");
            let after = r.crypto.get(&At.mdms()).copied().unwrap_or_default();
            assert_eq!(
                after.get(Prim::MillerLoop),
                before.get(Prim::MillerLoop),
                "{scheme:?}"
            );
        });
    }
}

#[test]
fn a_reading_altered_by_the_gateway_is_found_and_the_others_pass() {
    for scheme in Scheme::ALL {
        let d = deployment(scheme, 8, 1);
        // The gateway (or anyone on the WAN) changes meter 3's value in the batch.
        let alter: Tamper<'static> = Box::new(|p| {
            let mut pdu = p.pdu.clone();
            if p.kind == ReadingBatch::KIND {
                let mut b = ReadingBatch::decode(&pdu).expect("a genuine batch");
                if let Some(e) = b.entries.iter_mut().find(|e| e.meter_id == 4) {
                    e.value ^= 0x10;
                }
                pdu = b.encode();
            }
            Some(pdu)
        });
        with_router(&d, Some(alter), |r| {
            let v = r.outcomes_of(At.mdms());
            assert_eq!(forged(&v), vec![3], "{scheme:?}");
            assert_eq!(authenticated(&v), 7, "{scheme:?}");
            assert_eq!(r.ignored.len(), 0, "{scheme:?}");
        });
    }
}

#[test]
fn readings_of_a_later_interval_still_pass() {
    // The replay check keeps the latest accepted interval per meter; the next interval's
    // readings are new.
    let r = run(&deployment(Scheme::BlsAggregate, 3, 3), &[]);
    assert_eq!(authenticated(&r.verdicts), 9);
    assert_eq!(replays(&r.verdicts), 0);
}
