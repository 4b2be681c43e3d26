//! The MTCAP: relays the device's request to the CN, checks the device's
//! key by the CN's and the MTC server's proxy signatures, answers the device
//! with its own proxy signature for the CN, and authenticates the device.

use std::sync::Arc;

use rustc_hash::FxHashMap;

use super::delegation::{self, Expect, ProxyKey};
use super::msg::{
    Cause, Nonce, PxAuthRequest, PxAuthVector, PxChallenge, PxConfirm, PxHello, PxMessage,
    PxReject, PxResponse,
};
use super::network::{AP_ID, CN_ID, Directory, SERVER_ID, nonce, now_ms, statement};
use super::schnorr::{self, POINT_LEN};
use super::warrant::Purpose;
use crate::core::{Addr, Ctx, Endpoint, Incoming, Interface, Outcome, TimerKey};

/// One device's procedure at the MTCAP.
struct Pending {
    from: Addr,
    n_d: Nonce,
    n_ap: Nonce,
    /// Set once the CN's vector verified: the device's key and the other nonces.
    vouched: Option<([u8; POINT_LEN], Nonce, Nonce)>,
}

pub struct Mtcap {
    dir: Arc<Directory>,
    key: ProxyKey,
    pending: FxHashMap<u64, Pending>,
}

impl Mtcap {
    pub fn new(dir: Arc<Directory>, key: ProxyKey) -> Self {
        Self {
            dir,
            key,
            pending: FxHashMap::default(),
        }
    }

    fn on_hello(&mut self, h: PxHello, from: Addr, cx: &mut Ctx<'_>) {
        let n_ap = nonce(cx.rng);
        // A new hello replaces an older procedure of the same device.
        self.pending.insert(
            h.device,
            Pending {
                from,
                n_d: h.n_d,
                n_ap,
                vouched: None,
            },
        );
        cx.fx.send_msg(
            self.dir.cn,
            Interface::ApCn,
            &PxAuthRequest {
                device: h.device,
                ap: AP_ID,
                n_d: h.n_d,
                n_ap,
            },
        );
    }

    fn on_vector(&mut self, v: PxAuthVector, cx: &mut Ctx<'_>) {
        let Some(p) = self.pending.get_mut(&v.device) else {
            cx.fx.ignore(PxAuthVector::KIND);
            return;
        };
        if (p.n_d, p.n_ap) != (v.n_d, v.n_ap) || p.vouched.is_some() {
            cx.fx.ignore(PxAuthVector::KIND);
            return;
        }
        let now_ms = now_ms(cx.now);
        let ops = &mut cx.fx.crypto;
        let d = &self.dir;
        let expect = |delegator, delegator_pk| Expect {
            delegator,
            delegator_pk,
            purpose: Purpose::DeviceCredential,
            device: v.device,
            now_ms,
        };
        // The device's key, vouched for by the CN (for the MTC server) and
        // by the MTC server (for the CN).
        let checked = delegation::verify(
            &v.w_s_cn,
            &expect(SERVER_ID, &d.server_pk),
            &statement::cn(v.device, &v.device_key, AP_ID, &v.n_d, &v.n_ap),
            &v.sig_cn,
            ops,
        )
        .and_then(|()| {
            delegation::verify(
                &v.w_cn_s,
                &expect(CN_ID, &d.cn_pk),
                &statement::server(v.device, &v.device_key, &v.n_d, &v.n_cn, &v.n_s),
                &v.sig_s,
                ops,
            )
        });
        let from = p.from;
        if let Err(e) = checked {
            cx.fx.outcome(Outcome::Rejected {
                subject: from,
                reason: e.reason(),
            });
            self.pending.remove(&v.device);
            cx.fx.send_msg(
                from,
                Interface::DevAp,
                &PxReject {
                    device: v.device,
                    cause: Cause::BadSignature as u8,
                },
            );
            return;
        }
        p.vouched = Some((v.device_key, v.n_cn, v.n_s));
        let sig_ap = self.key.sign(
            &statement::ap(AP_ID, v.device, &v.n_d, &v.n_ap),
            cx.rng,
            &mut cx.fx.crypto,
        );
        cx.fx.send_msg(
            from,
            Interface::DevAp,
            &PxChallenge {
                ap: AP_ID,
                n_d: v.n_d,
                n_ap: v.n_ap,
                n_cn: v.n_cn,
                n_s: v.n_s,
                w_cn_ap: *self.key.warrant(),
                sig_ap,
                w_cn_s: v.w_cn_s,
                sig_s: v.sig_s,
                w_s_cn: v.w_s_cn,
                sig_cn: v.sig_cn,
            },
        );
    }

    fn on_response(&mut self, r: PxResponse, from: Addr, cx: &mut Ctx<'_>) {
        let current = self
            .pending
            .get(&r.device)
            .filter(|p| p.n_ap == r.n_ap && p.from == from)
            .and_then(|p| p.vouched.map(|v| (p.n_d, v)));
        let Some((n_d, (key, n_cn, n_s))) = current else {
            // No challenge of this MTCAP is open with this nonce: a replay.
            cx.fx.outcome(Outcome::Rejected {
                subject: from,
                reason: "replayed_response",
            });
            return;
        };
        self.pending.remove(&r.device);
        let st = statement::device(r.device, AP_ID, &n_d, &r.n_ap, &n_cn, &n_s);
        if !schnorr::verify_own(&key, &st, &r.sig_d, &mut cx.fx.crypto) {
            cx.fx.outcome(Outcome::Rejected {
                subject: from,
                reason: "bad_device_signature",
            });
            return;
        }
        cx.fx.outcome(Outcome::authenticated(from, 0, from));
        cx.fx.send_msg(
            self.dir.cn,
            Interface::ApCn,
            &PxConfirm {
                device: r.device,
                ap: AP_ID,
                n_ap: r.n_ap,
                sig_d: r.sig_d,
            },
        );
    }

    fn on_reject(&mut self, r: PxReject, cx: &mut Ctx<'_>) {
        match self.pending.remove(&r.device) {
            Some(p) => cx.fx.send_msg(p.from, Interface::DevAp, &r),
            None => cx.fx.ignore(PxReject::KIND),
        }
    }
}

impl Endpoint for Mtcap {
    fn start(&mut self, cx: &mut Ctx<'_>) {
        cx.fx.ignore("start");
    }

    fn on_message(&mut self, msg: Incoming<'_>, cx: &mut Ctx<'_>) {
        match PxMessage::decode(msg.pdu) {
            Ok(PxMessage::Hello(h)) if msg.interface == Interface::DevAp => {
                self.on_hello(h, msg.from, cx)
            }
            Ok(PxMessage::Response(r)) if msg.interface == Interface::DevAp => {
                self.on_response(r, msg.from, cx)
            }
            Ok(PxMessage::AuthVector(v)) if msg.from == self.dir.cn => self.on_vector(v, cx),
            Ok(PxMessage::Reject(r)) if msg.from == self.dir.cn => self.on_reject(r, cx),
            Ok(m) => cx.fx.ignore(m.kind()),
            Err(_) => cx.fx.ignore("undecodable"),
        }
    }

    fn on_timer(&mut self, _: TimerKey, cx: &mut Ctx<'_>) {
        cx.fx.ignore("unexpected_timer");
    }
}
