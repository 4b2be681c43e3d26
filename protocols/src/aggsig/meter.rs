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
}

const REPORT: TimerKey = TimerKey::own(TimerKind::ReportInterval);

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
            MeterKey::Ibas(k) if k.key.is_none() => {
                cx.fx
                    .send_msg(self.pkg, Interface::Pkg, &KeyRequest { meter_id: self.id });
            }
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
                cx.fx.outcome(Outcome::authenticated(msg.from, 0, msg.from));
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
        } else {
            cx.fx.ignore("timer");
        }
    }
}
