//! The MTC server outside the operator domain: vouches for its devices on
//! behalf of the CN (proxy signature σ_S) and authenticates each device's
//! final signature relayed by the CN.

use std::sync::Arc;

use rustc_hash::FxHashMap;

use super::delegation::ProxyKey;
use super::msg::{Cause, Nonce, PxConfirm, PxCredRequest, PxCredResponse, PxMessage, PxReject};
use super::network::{Directory, nonce, statement};
use super::schnorr;
use crate::core::{Ctx, Endpoint, Incoming, Interface, Outcome, TimerKey};

pub struct MtcServer {
    dir: Arc<Directory>,
    /// Signs on behalf of the CN.
    key: ProxyKey,
    /// Per device: (n_d, n_cn, n_s) of its open procedure.
    pending: FxHashMap<u64, (Nonce, Nonce, Nonce)>,
}

impl MtcServer {
    pub fn new(dir: Arc<Directory>, key: ProxyKey) -> Self {
        Self {
            dir,
            key,
            pending: FxHashMap::default(),
        }
    }

    fn reject(&self, device: u64, cause: Cause, cx: &mut Ctx<'_>) {
        cx.fx.send_msg(
            self.dir.cn,
            Interface::CnServer,
            &PxReject {
                device,
                cause: cause as u8,
            },
        );
    }

    fn on_request(&mut self, r: PxCredRequest, cx: &mut Ctx<'_>) {
        let Some((addr, key)) = self.dir.device(r.device) else {
            cx.fx.ignore("unknown_device");
            self.reject(r.device, Cause::UnknownDevice, cx);
            return;
        };
        // The server vouches only for devices its warrant covers.
        if !self.key.warrant().warrant.covers(r.device) {
            cx.fx.outcome(Outcome::Rejected {
                subject: addr,
                reason: "device_not_delegated",
            });
            self.reject(r.device, Cause::NotDelegated, cx);
            return;
        }
        let n_s = nonce(cx.rng);
        let sig_s = self.key.sign(
            &statement::server(r.device, key, &r.n_d, &r.n_cn, &n_s),
            cx.rng,
            &mut cx.fx.crypto,
        );
        self.pending.insert(r.device, (r.n_d, r.n_cn, n_s));
        cx.fx.send_msg(
            self.dir.cn,
            Interface::CnServer,
            &PxCredResponse {
                device: r.device,
                n_s,
                sig_s,
            },
        );
    }

    fn on_confirm(&mut self, c: PxConfirm, cx: &mut Ctx<'_>) {
        let Some((addr, key)) = self.dir.device(c.device) else {
            cx.fx.ignore("unknown_device");
            return;
        };
        let Some((n_d, n_cn, n_s)) = self.pending.remove(&c.device) else {
            cx.fx.outcome(Outcome::Rejected {
                subject: addr,
                reason: "replayed_response",
            });
            return;
        };
        let st = statement::device(c.device, c.ap, &n_d, &c.n_ap, &n_cn, &n_s);
        if schnorr::verify_own(key, &st, &c.sig_d, &mut cx.fx.crypto) {
            cx.fx.outcome(Outcome::authenticated(addr, 0, self.dir.cn));
        } else {
            cx.fx.outcome(Outcome::Rejected {
                subject: addr,
                reason: "bad_device_signature",
            });
        }
    }
}

impl Endpoint for MtcServer {
    fn start(&mut self, cx: &mut Ctx<'_>) {
        cx.fx.ignore("start");
    }

    fn on_message(&mut self, msg: Incoming<'_>, cx: &mut Ctx<'_>) {
        if msg.from != self.dir.cn {
            cx.fx.ignore("not_from_cn");
            return;
        }
        match PxMessage::decode(msg.pdu) {
            Ok(PxMessage::CredRequest(r)) => self.on_request(r, cx),
            Ok(PxMessage::Confirm(c)) => self.on_confirm(c, cx),
            Ok(m) => cx.fx.ignore(m.kind()),
            Err(_) => cx.fx.ignore("undecodable"),
        }
    }

    fn on_timer(&mut self, _: TimerKey, cx: &mut Ctx<'_>) {
        cx.fx.ignore("unexpected_timer");
    }
}
