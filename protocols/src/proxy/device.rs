//! The MTC device: sends its nonce, then authenticates the MTCAP (proxy for
//! the CN), the CN (proxy for the MTC server) and the MTC server (proxy for
//! the CN) from one challenge, and answers with its own signature.

use std::sync::Arc;

use super::delegation::{self, Expect, ProxyError};
use super::msg::{Cause, Nonce, PxChallenge, PxHello, PxMessage, PxResponse};
use super::network::{CN_ID, Directory, SERVER_ID, nonce, now_ms, statement};
use super::schnorr::{self, KeyPair};
use super::warrant::Purpose;
use crate::core::{Addr, Ctx, Endpoint, Incoming, Interface, Outcome, TimerKey, TimerKind};

const GUARD: TimerKey = TimerKey::own(TimerKind::ProxyGuard);

enum State {
    Idle,
    Waiting { n_d: Nonce },
    Done,
}

pub struct Device {
    dir: Arc<Directory>,
    id: u64,
    key: KeyPair,
    state: State,
}

impl Device {
    pub fn new(dir: Arc<Directory>, index: u32, key: KeyPair) -> Self {
        Self {
            dir,
            id: Directory::device_id(index),
            key,
            state: State::Idle,
        }
    }

    fn finish(&mut self, cx: &mut Ctx<'_>) {
        self.state = State::Done;
        cx.fx.cancel(GUARD);
    }

    /// Checks the three proxy signatures; the first failure names the party.
    fn check(&self, c: &PxChallenge, cx: &mut Ctx<'_>) -> Result<(), (Addr, ProxyError)> {
        let now_ms = now_ms(cx.now);
        let my_key = self.key.public_bytes();
        let ops = &mut cx.fx.crypto;
        let expect = |delegator, delegator_pk, purpose| Expect {
            delegator,
            delegator_pk,
            purpose,
            device: self.id,
            now_ms,
        };
        let d = &self.dir;
        // The MTCAP signs as the proxy its warrant names.
        if c.w_cn_ap.warrant.proxy != c.ap {
            return Err((
                d.ap,
                ProxyError::WrongProxy {
                    got: c.w_cn_ap.warrant.proxy,
                    want: c.ap,
                },
            ));
        }
        delegation::verify(
            &c.w_cn_ap,
            &expect(CN_ID, &d.cn_pk, Purpose::AccessPoint),
            &statement::ap(c.ap, self.id, &c.n_d, &c.n_ap),
            &c.sig_ap,
            ops,
        )
        .map_err(|e| (d.ap, e))?;
        delegation::verify(
            &c.w_s_cn,
            &expect(SERVER_ID, &d.server_pk, Purpose::DeviceCredential),
            &statement::cn(self.id, &my_key, c.ap, &c.n_d, &c.n_ap),
            &c.sig_cn,
            ops,
        )
        .map_err(|e| (d.cn, e))?;
        delegation::verify(
            &c.w_cn_s,
            &expect(CN_ID, &d.cn_pk, Purpose::DeviceCredential),
            &statement::server(self.id, &my_key, &c.n_d, &c.n_cn, &c.n_s),
            &c.sig_s,
            ops,
        )
        .map_err(|e| (d.server, e))?;
        Ok(())
    }

    fn on_challenge(&mut self, c: PxChallenge, from: Addr, cx: &mut Ctx<'_>) {
        let State::Waiting { n_d } = self.state else {
            cx.fx.ignore(PxChallenge::KIND);
            return;
        };
        if c.n_d != n_d {
            // Not an answer to this device's current nonce: a replay.
            cx.fx.outcome(Outcome::Rejected {
                subject: from,
                reason: "replayed_challenge",
            });
            return;
        }
        if let Err((who, e)) = self.check(&c, cx) {
            cx.fx.outcome(Outcome::Rejected {
                subject: who,
                reason: e.reason(),
            });
            self.finish(cx);
            return;
        }
        for party in [self.dir.ap, self.dir.cn, self.dir.server] {
            cx.fx.outcome(Outcome::authenticated(party, 0, party));
        }
        let st = statement::device(self.id, c.ap, &c.n_d, &c.n_ap, &c.n_cn, &c.n_s);
        let sig_d = schnorr::sign_own(&self.key, &st, cx.rng, &mut cx.fx.crypto);
        cx.fx.send_msg(
            from,
            Interface::DevAp,
            &PxResponse {
                device: self.id,
                n_ap: c.n_ap,
                sig_d,
            },
        );
        self.finish(cx);
    }
}

impl Endpoint for Device {
    fn start(&mut self, cx: &mut Ctx<'_>) {
        if !matches!(self.state, State::Idle) {
            cx.fx.ignore("start");
            return;
        }
        let n_d = nonce(cx.rng);
        self.state = State::Waiting { n_d };
        cx.fx.send_msg(
            self.dir.ap,
            Interface::DevAp,
            &PxHello {
                device: self.id,
                n_d,
            },
        );
        cx.fx.arm(GUARD, cx.now + self.dir.guard);
    }

    fn on_message(&mut self, msg: Incoming<'_>, cx: &mut Ctx<'_>) {
        match PxMessage::decode(msg.pdu) {
            Ok(PxMessage::Challenge(c)) => self.on_challenge(c, msg.from, cx),
            Ok(PxMessage::Reject(r)) if matches!(self.state, State::Waiting { .. }) => {
                let reason = Cause::from_u8(r.cause).map_or("rejected", Cause::reason);
                cx.fx.outcome(Outcome::Rejected {
                    subject: cx.me,
                    reason,
                });
                self.finish(cx);
            }
            Ok(m) => cx.fx.ignore(m.kind()),
            Err(_) => cx.fx.ignore("undecodable"),
        }
    }

    fn on_timer(&mut self, key: TimerKey, cx: &mut Ctx<'_>) {
        if key == GUARD && matches!(self.state, State::Waiting { .. }) {
            cx.fx.outcome(Outcome::Failed {
                subject: cx.me,
                reason: "timeout",
            });
            self.state = State::Done;
        } else {
            cx.fx.ignore("unexpected_timer");
        }
    }
}
