//! The meter: every reporting interval it signs its reading and sends it to its gateway.
//! Under IBAS it first asks the PKG for its private key (sealed under its installation key)
//! and checks the key with two pairing equations before it signs anything.

use rand::RngExt;

use super::ibas;
use super::msg::{KeyIssue, KeyRequest, MeterReading};
use super::scheme::{IbasMeterKey, MeterKey, ibas_identity, reading_message};
use crate::core::{Addr, Ctx, Endpoint, Incoming, Interface, Nanos, Outcome, TimerKey, TimerKind};
use crate::gas::aead;

/// One meter's configuration.
pub struct Meter {
    pub id: u64,
    key: MeterKey,
    gateway: Addr,
    pkg: Addr,
    interval: Nanos,
    intervals: u32,
    /// Readings sent so far (the next reading's interval number).
    sent: u32,
    /// Sends a reading whose value differs from the signed one (an altered reading, to
    /// exercise the MDMS's rejection and bisection).
    tampered: bool,
    /// IBAS: also check the issued key with e(d_j, g2) = e(P_{ID,j}, Q) (four Miller loops);
    /// the AEAD under the installation key already authenticates the issue.
    check_issued_key: bool,
    /// IBAS: how long to wait for the key issue before asking again, and how many
    /// `KeyRequest`s to send in all before giving up.
    key_retry: KeyRetry,
    /// `KeyRequest`s sent so far.
    key_requests: u32,
}

/// The meter's retransmission of its `KeyRequest` (docs/protocols/aggregate-signatures.md):
/// the paper leaves registration under loss open; a meter without a key cannot report.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct KeyRetry {
    /// Wait for the `KeyIssue` this long after each request.
    pub guard: Nanos,
    /// Requests in all (the first one included); then the meter gives up.
    pub attempts: u32,
}

impl Default for KeyRetry {
    /// 2 s (well above the meter–PKG round trip and the PKG's extraction), 4 requests.
    fn default() -> Self {
        KeyRetry {
            guard: 2_000_000_000,
            attempts: 4,
        }
    }
}

const REPORT: TimerKey = TimerKey::own(TimerKind::ReportInterval);
const KEY_GUARD: TimerKey = TimerKey::own(TimerKind::KeyRequestGuard);

impl Meter {
    pub fn new(
        id: u64,
        key: MeterKey,
        gateway: Addr,
        pkg: Addr,
        interval: Nanos,
        intervals: u32,
    ) -> Self {
        Meter {
            id,
            key,
            gateway,
            pkg,
            interval,
            intervals,
            sent: 0,
            tampered: false,
            check_issued_key: false,
            key_retry: KeyRetry::default(),
            key_requests: 0,
        }
    }

    /// Retransmits its `KeyRequest` as `retry` says.
    pub fn with_key_retry(mut self, retry: KeyRetry) -> Self {
        self.key_retry = retry;
        self
    }

    /// Asks the PKG for its key and waits for the issue under the guard timer.
    fn request_key(&mut self, cx: &mut Ctx<'_>) {
        self.key_requests += 1;
        cx.fx
            .send_msg(self.pkg, Interface::Pkg, &KeyRequest { meter_id: self.id });
        cx.fx.arm(KEY_GUARD, cx.now + self.key_retry.guard);
    }

    /// The guard expired without a key: ask again, or give up after the last request.
    fn key_guard_expired(&mut self, cx: &mut Ctx<'_>) {
        let waiting = matches!(&self.key, MeterKey::Ibas(k) if k.key.is_none());
        if !waiting {
            cx.fx.ignore("stale key guard");
        } else if self.key_requests < self.key_retry.attempts {
            self.request_key(cx);
        } else {
            cx.fx.outcome(Outcome::Failed {
                subject: self.pkg,
                reason: "no key issue",
            });
        }
    }

    /// Checks an issued IBAS key with pairings before using it.
    pub fn checking_issued_key(mut self) -> Self {
        self.check_issued_key = true;
        self
    }

    /// This meter's readings are altered after signing.
    pub fn tampered(mut self) -> Self {
        self.tampered = true;
        self
    }

    fn report(&mut self, cx: &mut Ctx<'_>) {
        if self.sent >= self.intervals {
            return;
        }
        let interval = self.sent;
        // A reading: energy in Wh, 0 ..< 10^6 (its value does not change any cost).
        let value = cx.rng.random_range(0..1_000_000u64);
        let m = reading_message(self.id, interval, value);
        let Some(sig) = self
            .key
            .sign(self.id, interval, &m, cx.rng, &mut cx.fx.crypto)
        else {
            cx.fx.ignore("report before key issue");
            return;
        };
        let value = if self.tampered { value ^ 1 } else { value };
        cx.fx.send_msg(
            self.gateway,
            Interface::Nan,
            &MeterReading {
                meter_id: self.id,
                interval,
                value,
                sig,
            },
        );
        self.sent += 1;
        if self.sent < self.intervals {
            cx.fx.arm(REPORT, cx.now + self.interval);
        }
    }
}

impl Endpoint for Meter {
    fn start(&mut self, cx: &mut Ctx<'_>) {
        match &self.key {
            MeterKey::Ibas(k) if k.key.is_none() => self.request_key(cx),
            _ => self.report(cx),
        }
    }

    fn on_message(&mut self, msg: Incoming<'_>, cx: &mut Ctx<'_>) {
        let Ok(issue) = KeyIssue::decode(msg.pdu) else {
            cx.fx.ignore("undecodable");
            return;
        };
        let MeterKey::Ibas(ibas_key) = &mut self.key else {
            cx.fx.ignore(KeyIssue::KIND);
            return;
        };
        let IbasMeterKey {
            q,
            install_key,
            key,
        } = &mut **ibas_key;
        if key.is_some() || issue.meter_id != self.id {
            cx.fx.ignore(KeyIssue::KIND);
            return;
        }
        let id = ibas_identity(self.id);
        let ops = &mut cx.fx.crypto;
        let opened = aead::open(install_key, &issue.nonce, &id, &issue.sealed, ops);
        let check = self.check_issued_key;
        let checked = opened
            .and_then(|pt| ibas::PrivateKey::from_bytes(&id, &pt, ops).ok())
            .filter(|k| !check || ibas::check_private_key(q, k, ops).is_ok());
        match checked {
            Some(k) => {
                *key = Some(k);
                cx.fx.cancel(KEY_GUARD);
                // The PKG is who sealed the key under the installation key, whoever
                // the transport source was.
                cx.fx.outcome(Outcome::authenticated(self.pkg, 0, msg.from));
                self.report(cx);
            }
            None => cx.fx.outcome(Outcome::AttackDetected {
                subject: msg.from,
                what: "bad key issue",
            }),
        }
    }

    fn on_timer(&mut self, key: TimerKey, cx: &mut Ctx<'_>) {
        if key == REPORT {
            self.report(cx);
        } else if key == KEY_GUARD {
            self.key_guard_expired(cx);
        } else {
            cx.fx.ignore("timer");
        }
    }
}
