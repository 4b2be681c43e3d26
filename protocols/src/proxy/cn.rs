//! The core network (HSS/MME side): asks the MTC server to vouch for the
//! device, authenticates the server's proxy signature, adds its own proxy
//! signature on behalf of the MTC server, and authenticates the device's
//! answer relayed by the MTCAP.

use std::sync::Arc;

use rustc_hash::FxHashMap;

use super::delegation::{self, Expect, ProxyKey, PublicWarrant};
use super::msg::{
    Cause, Nonce, PxAuthRequest, PxAuthVector, PxConfirm, PxCredRequest, PxCredResponse, PxMessage,
    PxReject,
};
use super::network::{CN_ID, Directory, nonce, now_ms, statement};
use super::schnorr;
use super::warrant::Purpose;
use crate::core::{Addr, Ctx, Endpoint, Incoming, Interface, Outcome, TimerKey};

struct Pending {
    device: Addr,
    ap: u64,
    n_d: Nonce,
    n_ap: Nonce,
    n_cn: Nonce,
    /// The MTC server's nonce, once its credential arrived.
    n_s: Option<Nonce>,
}

pub struct Cn {
    dir: Arc<Directory>,
    /// Signs on behalf of the MTC server.
    key: ProxyKey,
    /// The warrant the CN gave the MTC server (forwarded with σ_S).
    server_warrant: PublicWarrant,
    pending: FxHashMap<u64, Pending>,
}

impl Cn {
    pub fn new(dir: Arc<Directory>, key: ProxyKey, server_warrant: PublicWarrant) -> Self {
        Self {
            dir,
            key,
            server_warrant,
            pending: FxHashMap::default(),
        }
    }

    fn reject_to_ap(&self, device: u64, cause: Cause, cx: &mut Ctx<'_>) {
        cx.fx.send_msg(
            self.dir.ap,
            Interface::ApCn,
            &PxReject {
                device,
                cause: cause as u8,
            },
        );
    }

    fn on_request(&mut self, r: PxAuthRequest, cx: &mut Ctx<'_>) {
        let Some((device, _)) = self.dir.device(r.device) else {
            cx.fx.ignore("unknown_device");
            self.reject_to_ap(r.device, Cause::UnknownDevice, cx);
            return;
        };
        let n_cn = nonce(cx.rng);
        self.pending.insert(
            r.device,
            Pending {
                device,
                ap: r.ap,
                n_d: r.n_d,
                n_ap: r.n_ap,
                n_cn,
                n_s: None,
            },
        );
        cx.fx.send_msg(
            self.dir.server,
            Interface::CnServer,
            &PxCredRequest {
                device: r.device,
                n_d: r.n_d,
                n_cn,
            },
        );
    }

    fn on_credential(&mut self, c: PxCredResponse, cx: &mut Ctx<'_>) {
        let Some(p) = self.pending.get_mut(&c.device).filter(|p| p.n_s.is_none()) else {
            cx.fx.ignore(PxCredResponse::KIND);
            return;
        };
        let (_, key) = self
            .dir
            .device(c.device)
            .expect("pending devices are known");
        let checked = delegation::verify(
            &self.server_warrant,
            &Expect {
                delegator: CN_ID,
                delegator_pk: &self.dir.cn_pk,
                purpose: Purpose::DeviceCredential,
                device: c.device,
                now_ms: now_ms(cx.now),
            },
            &statement::server(c.device, key, &p.n_d, &p.n_cn, &c.n_s),
            &c.sig_s,
            &mut cx.fx.crypto,
        );
        if let Err(e) = checked {
            cx.fx.outcome(Outcome::Rejected {
                subject: self.dir.server,
                reason: e.reason(),
            });
            self.pending.remove(&c.device);
            self.reject_to_ap(c.device, Cause::BadSignature, cx);
            return;
        }
        let server = self.dir.server;
        cx.fx.outcome(Outcome::authenticated(server, 0, server));
        p.n_s = Some(c.n_s);
        let sig_cn = self.key.sign(
            &statement::cn(c.device, key, p.ap, &p.n_d, &p.n_ap),
            cx.rng,
            &mut cx.fx.crypto,
        );
        let v = PxAuthVector {
            device: c.device,
            n_d: p.n_d,
            n_ap: p.n_ap,
            n_cn: p.n_cn,
            n_s: c.n_s,
            device_key: *key,
            w_cn_s: self.server_warrant,
            sig_s: c.sig_s,
            w_s_cn: *self.key.warrant(),
            sig_cn,
        };
        cx.fx.send_msg(self.dir.ap, Interface::ApCn, &v);
    }

    fn on_confirm(&mut self, c: PxConfirm, cx: &mut Ctx<'_>) {
        let current = self
            .pending
            .get(&c.device)
            .filter(|p| p.n_ap == c.n_ap && p.ap == c.ap)
            .and_then(|p| p.n_s.map(|n_s| (p.device, p.n_d, p.n_cn, n_s)));
        let Some((device, n_d, n_cn, n_s)) = current else {
            cx.fx.outcome(Outcome::Rejected {
                subject: self.dir.ap,
                reason: "replayed_response",
            });
            return;
        };
        self.pending.remove(&c.device);
        let (_, key) = self
            .dir
            .device(c.device)
            .expect("pending devices are known");
        let st = statement::device(c.device, c.ap, &n_d, &c.n_ap, &n_cn, &n_s);
        if !schnorr::verify_own(key, &st, &c.sig_d, &mut cx.fx.crypto) {
            cx.fx.outcome(Outcome::Rejected {
                subject: device,
                reason: "bad_device_signature",
            });
            return;
        }
        cx.fx
            .outcome(Outcome::authenticated(device, 0, self.dir.ap));
        cx.fx.send_msg(self.dir.server, Interface::CnServer, &c);
    }

    fn on_reject(&mut self, r: PxReject, cx: &mut Ctx<'_>) {
        let Some(p) = self.pending.remove(&r.device) else {
            cx.fx.ignore(PxReject::KIND);
            return;
        };
        let reason = Cause::from_u8(r.cause).map_or("rejected", Cause::reason);
        cx.fx.outcome(Outcome::Rejected {
            subject: p.device,
            reason,
        });
        cx.fx.send_msg(self.dir.ap, Interface::ApCn, &r);
    }
}

impl Endpoint for Cn {
    fn start(&mut self, cx: &mut Ctx<'_>) {
        cx.fx.ignore("start");
    }

    fn on_message(&mut self, msg: Incoming<'_>, cx: &mut Ctx<'_>) {
        let from_ap = msg.from == self.dir.ap;
        let from_server = msg.from == self.dir.server;
        match PxMessage::decode(msg.pdu) {
            Ok(PxMessage::AuthRequest(r)) if from_ap => self.on_request(r, cx),
            Ok(PxMessage::Confirm(c)) if from_ap => self.on_confirm(c, cx),
            Ok(PxMessage::CredResponse(c)) if from_server => self.on_credential(c, cx),
            Ok(PxMessage::Reject(r)) if from_server => self.on_reject(r, cx),
            Ok(m) => cx.fx.ignore(m.kind()),
            Err(_) => cx.fx.ignore("undecodable"),
        }
    }

    fn on_timer(&mut self, _: TimerKey, cx: &mut Ctx<'_>) {
        cx.fx.ignore("unexpected_timer");
    }
}
