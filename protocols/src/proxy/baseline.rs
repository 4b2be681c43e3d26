//! The baseline a deployment without proxy signatures runs (issue 13):
//! EPS-AKA between the device and the CN (MME/HSS, the existing roles), then a
//! separate TLS 1.3 PSK-DHE handshake between the device and its MTC server
//! ([`crate::tls13`]). The device role composes the two: the EPS-AKA UE runs
//! first; once it holds its verdict on the network, the TLS client starts.
//! The access point relays without authenticating anyone (EPS has no MTCAP
//! role), so the baseline gives device↔CN and device↔MTC server only.

use std::sync::Arc;

use crate::core::{Addr, Ctx, Endpoint, Incoming, Interface, Outcome, TimerKey, TimerKind};
use crate::eps_aka::Ue;
use crate::tls13::client::{self, PSK_LEN, Pending};
use crate::tls13::msg::TlsMessage;
use crate::wire::Message;

const GUARD: TimerKey = TimerKey::own(TimerKind::TlsHandshake);

/// Where the device's TLS leg goes and how long it waits.
#[derive(Clone, Debug)]
pub struct TlsPlan {
    pub server: Addr,
    /// Guard for the server's flight (ns).
    pub guard: u64,
}

enum Tls {
    /// EPS-AKA has not finished yet.
    Idle,
    Waiting(Box<Pending>),
    Done,
}

pub struct BaselineDevice {
    ue: Ue,
    /// The MME: an authenticated verdict on it ends the EPS-AKA part.
    mme: Addr,
    plan: Arc<TlsPlan>,
    identity: u64,
    psk: [u8; PSK_LEN],
    tls: Tls,
}

impl BaselineDevice {
    pub fn new(ue: Ue, mme: Addr, plan: Arc<TlsPlan>, identity: u64, psk: [u8; PSK_LEN]) -> Self {
        Self {
            ue,
            mme,
            plan,
            identity,
            psk,
            tls: Tls::Idle,
        }
    }

    /// Starts the TLS leg if the EPS-AKA part just authenticated the network.
    fn after_eps(&mut self, before: usize, cx: &mut Ctx<'_>) {
        let network_ok = cx.fx.outcomes[before..]
            .iter()
            .any(|o| matches!(o, Outcome::Authenticated { subject, .. } if *subject == self.mme));
        if network_ok && matches!(self.tls, Tls::Idle) {
            let (ch, pending) = client::hello(self.identity, &self.psk, cx.rng, &mut cx.fx.crypto);
            cx.fx.send_msg(self.plan.server, Interface::DevServer, &ch);
            cx.fx.arm(GUARD, cx.now + self.plan.guard);
            self.tls = Tls::Waiting(Box::new(pending));
        }
    }

    fn on_tls(&mut self, msg: Incoming<'_>, cx: &mut Ctx<'_>) {
        let server = self.plan.server;
        let Tls::Waiting(pending) = &self.tls else {
            return cx.fx.ignore("tls_not_waiting");
        };
        match TlsMessage::decode(msg.pdu) {
            Ok(TlsMessage::ServerFlight(f)) => {
                match client::finish(pending, &f, &mut cx.fx.crypto) {
                    Ok((fin, _session_key)) => {
                        cx.fx.send_msg(server, Interface::DevServer, &fin);
                        cx.fx.outcome(Outcome::authenticated(server, 0, msg.from));
                    }
                    Err(e) => cx.fx.outcome(Outcome::Rejected {
                        subject: server,
                        reason: match e {
                            client::ClientError::BadFinished => "bad_finished",
                            client::ClientError::BadKeyShare => "bad_key_share",
                            _ => "bad_record",
                        },
                    }),
                }
            }
            Ok(TlsMessage::Alert(_)) => cx.fx.outcome(Outcome::Rejected {
                subject: cx.me,
                reason: "tls_alert",
            }),
            Ok(m) => return cx.fx.ignore(m.kind()),
            Err(_) => return cx.fx.ignore("undecodable"),
        }
        cx.fx.cancel(GUARD);
        self.tls = Tls::Done;
    }
}

impl Endpoint for BaselineDevice {
    fn start(&mut self, cx: &mut Ctx<'_>) {
        let before = cx.fx.outcomes.len();
        self.ue.start(cx);
        self.after_eps(before, cx);
    }

    fn on_message(&mut self, msg: Incoming<'_>, cx: &mut Ctx<'_>) {
        if msg.interface == Interface::DevServer {
            return self.on_tls(msg, cx);
        }
        let before = cx.fx.outcomes.len();
        self.ue.on_message(msg, cx);
        self.after_eps(before, cx);
    }

    fn on_timer(&mut self, key: TimerKey, cx: &mut Ctx<'_>) {
        if key == GUARD {
            if matches!(self.tls, Tls::Waiting(_)) {
                self.tls = Tls::Done;
                cx.fx.outcome(Outcome::Failed {
                    subject: self.plan.server,
                    reason: "timeout",
                });
            } else {
                cx.fx.ignore("stale_timer");
            }
            return;
        }
        let before = cx.fx.outcomes.len();
        self.ue.on_timer(key, cx);
        self.after_eps(before, cx);
    }
}
