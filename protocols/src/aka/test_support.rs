//! Shared fixtures for the AKA protocols' tests: USIM keys and subscriber
//! records, a network of devices, a serving and a home node wired through
//! the test [`Router`], questions about what passed, and the loss and
//! tampering hooks the tests use.

use crate::aka::{HeSqn, Subscriber};
use crate::core::{Addr, Endpoint, Interface, Outcome, Prim};
use crate::crypto::milenage::{Milenage, opc};
use crate::testing::{Router, Tamper};

/// The serving node (MME, VLR) and the home node (HSS, HLR).
pub const SERVING: Addr = Addr::new(1, 0);
pub const HOME: Addr = Addr::new(2, 0);

/// Device `i` of the population node.
pub const fn dev(i: u32) -> Addr {
    Addr::new(0, i)
}

/// A USIM's MILENAGE with K = `key` repeated and a fixed OP.
pub fn milenage(key: u8) -> Milenage {
    let k = [key; 16];
    Milenage::new(k, opc(&k, &[0x5a; 16], &mut Default::default()))
}

/// `n` subscriber records, subscriber i with K from `key(i)`, SEQ_HE at `seq`.
pub fn subscribers(n: u32, key: impl Fn(u32) -> u8, seq: u64) -> Vec<Subscriber> {
    (0..n)
        .map(|i| Subscriber {
            milenage: milenage(key(i)),
            sqn: HeSqn::new(seq),
        })
        .collect()
}

/// Devices at their addresses, a serving node and a home node.
pub struct Net<D, S, H> {
    pub devices: Vec<(Addr, D)>,
    pub serving: S,
    pub home: H,
}

impl<D: Endpoint, S: Endpoint, H: Endpoint> Net<D, S, H> {
    /// A router over the whole network, its RNG seeded with `seed`.
    pub fn router(&mut self, seed: u64) -> Router<'_> {
        let mut r = Router::new(seed);
        for (addr, d) in &mut self.devices {
            r.add(*addr, d);
        }
        r.add(SERVING, &mut self.serving);
        r.add(HOME, &mut self.home);
        r
    }
}

/// Starts every device in turn, each running until nothing is in flight.
pub fn attach_all(r: &mut Router<'_>, devices: impl IntoIterator<Item = Addr>) {
    for d in devices {
        r.start(d);
    }
}

pub fn authenticated(r: &Router, who: Addr, subject: Addr) -> bool {
    r.outcomes_of(who)
        .iter()
        .any(|o| matches!(o, Outcome::Authenticated { subject: s, .. } if *s == subject))
}

/// The serving node and `device` authenticated each other.
pub fn mutually_authenticated(r: &Router, device: Addr) -> bool {
    authenticated(r, SERVING, device) && authenticated(r, device, SERVING)
}

/// Every one of `devices` and the serving node authenticated each other.
pub fn assert_mutually_authenticated(r: &Router, devices: impl IntoIterator<Item = Addr>) {
    for d in devices {
        assert!(mutually_authenticated(r, d), "device {d}: {:?}", r.kinds());
    }
}

/// How many `Authenticated` verdicts `who` reported.
pub fn verdicts(r: &Router, who: Addr) -> usize {
    r.outcomes_of(who)
        .iter()
        .filter(|o| matches!(o, Outcome::Authenticated { .. }))
        .count()
}

pub fn rejected(r: &Router, who: Addr, subject: Addr, why: &str) -> bool {
    r.outcomes_of(who).iter().any(
        |o| matches!(o, Outcome::Rejected { subject: s, reason } if *s == subject && *reason == why),
    )
}

pub fn detected(r: &Router, who: Addr, what_: &str) -> bool {
    r.outcomes_of(who)
        .iter()
        .any(|o| matches!(o, Outcome::AttackDetected { what, .. } if *what == what_))
}

pub fn failed(r: &Router, who: Addr, why: &str) -> bool {
    r.outcomes_of(who)
        .iter()
        .any(|o| matches!(o, Outcome::Failed { reason, .. } if *reason == why))
}

/// Messages of `kind` sent.
pub fn count(r: &Router, kind: &str) -> usize {
    r.log.iter().filter(|p| p.kind == kind).count()
}

/// `who` counted exactly `aes` AES blocks, `sha` SHA-256 blocks and nothing else
/// (issue 19: the per-procedure counts of docs/counting.md, asserted exactly).
pub fn assert_crypto(r: &Router, who: Addr, aes: u64, sha: u64) {
    let ops = r.crypto.get(&who).copied().unwrap_or_default();
    for p in Prim::ALL {
        let want = match p {
            Prim::AesBlock => aes,
            Prim::Sha256Block => sha,
            _ => 0,
        };
        assert_eq!(ops.get(p), want, "{who}: {p:?}");
    }
}

/// Octets of the first message of `kind`.
pub fn size(r: &Router, kind: &str) -> usize {
    r.log
        .iter()
        .find(|p| p.kind == kind)
        .map_or(0, |p| p.pdu.len())
}

/// (transmissions, octets) on interface `i`.
pub fn per_interface(r: &Router, i: Interface) -> (usize, usize) {
    let on = r.log.iter().filter(|p| p.interface == i);
    (on.clone().count(), on.map(|p| p.pdu.len()).sum())
}

/// The PDU of the first message of `kind` the router carried.
pub fn first_pdu(r: &Router, kind: &str) -> Vec<u8> {
    let p = r.log.iter().find(|p| p.kind == kind);
    p.unwrap_or_else(|| panic!("no {kind}: {:?}", r.kinds()))
        .pdu
        .clone()
}

/// Loses the first message of `kind`.
pub fn drop_first(kind: &'static str) -> Tamper<'static> {
    let mut dropped = false;
    Box::new(move |p| {
        if p.kind == kind && !dropped {
            dropped = true;
            return None;
        }
        Some(p.pdu.clone())
    })
}

/// Loses the first `n` messages of `kind`.
pub fn drop_first_n(kind: &'static str, n: usize) -> Tamper<'static> {
    let mut dropped = 0;
    Box::new(move |p| {
        if p.kind == kind && dropped < n {
            dropped += 1;
            return None;
        }
        Some(p.pdu.clone())
    })
}

/// Loses every message of `kind`.
pub fn drop_all(kind: &'static str) -> Tamper<'static> {
    Box::new(move |p| (p.kind != kind).then(|| p.pdu.clone()))
}

/// Flips the low bit of octet `at(length)` of every message of `kind`.
pub fn flip(kind: &'static str, at: impl Fn(usize) -> usize + 'static) -> Tamper<'static> {
    Box::new(move |p| {
        let mut b = p.pdu.clone();
        if p.kind == kind {
            let i = at(b.len());
            b[i] ^= 1;
        }
        Some(b)
    })
}

/// Sets the security header type nibble of every message of `kind`; the
/// octet is outside the 128-EIA2 MAC, so nothing else changes.
pub fn with_header_type(kind: &'static str, ht: u8) -> Tamper<'static> {
    Box::new(move |p| {
        let mut b = p.pdu.clone();
        if p.kind == kind {
            b[0] = (ht << 4) | (b[0] & 0x0f);
        }
        Some(b)
    })
}

/// Fires timers until `done` holds or none is armed (at most `limit`).
pub fn fire_until(r: &mut Router<'_>, limit: usize, done: impl Fn(&Router) -> bool) {
    let mut fired = 0;
    while !done(r) && fired < limit && r.fire_next_timer() {
        fired += 1;
    }
}

/// A benign exchange leaves nothing unhandled.
pub fn assert_nothing_ignored(r: &Router) {
    assert!(r.ignored.is_empty(), "ignored: {:?}", r.ignored);
}

/// `who` counted exactly the inputs `labels` as ignored.
pub fn assert_ignored(r: &Router, who: Addr, labels: &[&str]) {
    let got: Vec<&str> = r
        .ignored
        .iter()
        .filter(|(a, _)| *a == who)
        .map(|(_, l)| *l)
        .collect();
    assert_eq!(got, labels, "all ignored: {:?}", r.ignored);
}
