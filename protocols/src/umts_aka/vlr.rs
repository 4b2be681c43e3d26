//! The VLR: the shared AKA serving procedure with MM towards the MSs and
//! MAP towards the HLR; location updating is accepted once RES matches.

use std::sync::Arc;

use super::Config;
use super::nsd::Receiver;
use crate::aka::imsi::{imsi, imsi_index};
use crate::aka::serving::{Failure, Scheme, Serving, Step, Timers};
use crate::core::{Addr, Ctx, Endpoint, Incoming, Interface, TimerKey, TimerKind};
use crate::wire::map::{
    self, MapMessage, Quintuplet, ResyncInfo, SaiBegin, SaiOutcome, SendAuthenticationInfoArg,
};
use crate::wire::mm::{
    self, AuthenticationRequest, LocationUpdatingAccept, MmMessage, RejectCause,
};

/// Ignore label of an MS message discarded by the N(SD) check ([`Receiver`]).
const NSD_OUT_OF_SEQUENCE: &str = "nsd_out_of_sequence";

/// MM towards the MSs, MAP towards the HLR.
struct Mm {
    timers: Timers,
}

impl Scheme for Mm {
    type Vector = Quintuplet;
    /// The MS's send sequence numbers in the procedure's RR connection.
    type Extra = Receiver;
    type Cause = RejectCause;
    const DEVICE: Interface = Interface::UmtsAir;
    const HOME: Interface = Interface::Map;
    const RETX: TimerKind = TimerKind::T3260;
    const TX: TimerKind = TimerKind::MapTx;
    const RETX_EXPIRED: &'static str = "t3260_expired";
    const MAC_FAILURE_REPORTED: &'static str = "ms_reported_mac_failure";

    fn timers(&self) -> Timers {
        self.timers
    }

    fn challenge(&self, cksn: u8, q: &Quintuplet) -> (&'static str, Vec<u8>) {
        let msg = MmMessage::AuthenticationRequest(AuthenticationRequest {
            cksn,
            rand: q.rand,
            autn: Some(q.autn),
        });
        (msg.kind(), msg.encode())
    }

    fn attach_reject(&self, cause: RejectCause) -> (&'static str, Vec<u8>) {
        let msg = MmMessage::LocationUpdatingReject(cause);
        (msg.kind(), msg.encode())
    }

    fn authentication_reject(&self) -> (&'static str, Vec<u8>) {
        let msg = MmMessage::AuthenticationReject;
        (msg.kind(), msg.encode())
    }
}

/// Serving network: runs location updating with UMTS authentication.
pub struct Vlr {
    cfg: Arc<Config>,
    core: Serving<Mm>,
    mm: Mm,
}

impl Vlr {
    pub fn new(cfg: Arc<Config>, hlr: Addr) -> Self {
        let mm = Mm {
            timers: Timers {
                retx: cfg.t3260,
                retx_max: cfg.t3260_max_retx,
                tx: cfg.map_timeout,
                tx_max: cfg.map_max_retx,
            },
        };
        Self {
            cfg,
            core: Serving::new(hlr),
            mm,
        }
    }

    /// MS contexts currently held (registered or in progress).
    pub fn contexts(&self) -> usize {
        self.core.len()
    }

    /// Quintets stored for the MS at `ms` (unused ones from earlier batches).
    pub fn stored_quintets(&self, ms: Addr) -> usize {
        self.core.context(ms).map_or(0, |c| c.stocked())
    }

    fn request_quintets(&mut self, ms: Addr, resync: Option<ResyncInfo>, cx: &mut Ctx<'_>) {
        cx.fx.cancel(TimerKey::for_peer(ms, TimerKind::T3260));
        let cfg = &self.cfg;
        let build = |otid, index| {
            let begin = SaiBegin {
                otid,
                dialogue: true,
                invoke_id: 1,
                arg: SendAuthenticationInfoArg {
                    imsi: imsi(&cfg.plmn_digits, index),
                    number_of_requested_vectors: cfg.quintets_per_request.clamp(1, 5),
                    segmentation_prohibited: false,
                    immediate_response_preferred: true,
                    re_synchronisation_info: resync,
                    requesting_node_type: Some(map::node_type::VLR),
                    requesting_plmn_id: Some(cfg.plmn),
                },
            };
            (begin.kind(), begin.encode())
        };
        self.core.request(&self.mm, ms, build, cx);
    }

    fn on_location_updating(
        &mut self,
        ms: Addr,
        nsd: u8,
        req: mm::LocationUpdatingRequest,
        cx: &mut Ctx<'_>,
    ) {
        // The initial message of a new RR connection: N(SD) 0.
        let Some(receiver) = Receiver::initial(nsd, req.classmark_1) else {
            return cx.fx.ignore(NSD_OUT_OF_SEQUENCE);
        };
        let Some(index) = imsi_index(&self.cfg.plmn_digits, &req.imsi) else {
            let cause = RejectCause::ILLEGAL_MS;
            return self.core.reject(&self.mm, ms, cause, "foreign_imsi", cx);
        };
        // A repeated request while we wait for the HLR: keep waiting, on the
        // MS's new RR connection. During a challenge it means the MS
        // restarted (T3210): it has deleted its stored RAND/RES (TS 24.008
        // §4.3.2.5) and would answer the old RAND with a synch failure, so a
        // new authentication starts.
        if let Some(c) = self
            .core
            .context_mut(ms)
            .filter(|c| c.step == Step::WaitVectors)
        {
            c.procedure().extra = receiver;
            return cx.fx.ignore("LocationUpdatingRequest");
        }
        let c = self.core.begin(ms, index);
        c.procedure().extra = receiver;
        if c.stocked() == 0 {
            self.request_quintets(ms, None, cx);
        } else {
            self.core.challenge(&self.mm, ms, None, cx);
        }
    }

    fn on_map(&mut self, pdu: &[u8], cx: &mut Ctx<'_>) {
        let end = match MapMessage::decode(pdu) {
            Ok(MapMessage::End(end)) => end,
            Ok(other) => return cx.fx.ignore(other.kind()),
            Err(_) => return cx.fx.ignore("undecodable"),
        };
        let label = end.kind();
        let Some(ms) = self.core.on_answer(end.dtid, label, cx) else {
            return;
        };
        match end.outcome {
            SaiOutcome::Result(q) if !q.is_empty() => {
                let first = self.core.stock(ms, q);
                self.core.challenge(&self.mm, ms, first, cx);
            }
            SaiOutcome::Error(map::error_code::UNKNOWN_SUBSCRIBER) => {
                let cause = RejectCause::IMSI_UNKNOWN_IN_HLR;
                self.core.reject(&self.mm, ms, cause, "hlr_refused", cx)
            }
            _ => {
                let cause = RejectCause::NETWORK_FAILURE;
                self.core.reject(&self.mm, ms, cause, "hlr_refused", cx)
            }
        }
    }

    /// Whether the MS's answer with `nsd` is in sequence ([`Receiver`]); an answer
    /// no challenge waits for passes on, to be counted by the AKA core.
    fn in_sequence(&mut self, ms: Addr, nsd: u8) -> bool {
        match self.core.context_mut(ms) {
            Some(c) if c.step == Step::WaitResponse => {
                let p = c.procedure();
                let requests = 1 + p.retransmissions();
                p.extra.accept(nsd, requests)
            }
            _ => true,
        }
    }

    /// A matching RES ends the procedure: CK/IK would go to the RNC for
    /// ciphering and integrity (RANAP security mode, not modelled).
    fn on_auth_response(&mut self, ms: Addr, nsd: u8, res: &[u8], cx: &mut Ctx<'_>) {
        if !self.in_sequence(ms, nsd) {
            return cx.fx.ignore(NSD_OUT_OF_SEQUENCE);
        }
        let label = "AuthenticationResponse";
        if self
            .core
            .on_response(&self.mm, ms, res, label, cx)
            .is_none()
        {
            return;
        }
        self.core.established(ms, cx);
        let msg = MmMessage::LocationUpdatingAccept(LocationUpdatingAccept {
            lai: self.cfg.lai(),
            follow_on_proceed: false,
        });
        cx.fx.send_msg(ms, Interface::UmtsAir, &msg);
    }

    fn on_auth_failure(
        &mut self,
        ms: Addr,
        nsd: u8,
        f: mm::AuthenticationFailure,
        cx: &mut Ctx<'_>,
    ) {
        if !self.in_sequence(ms, nsd) {
            return cx.fx.ignore(NSD_OUT_OF_SEQUENCE);
        }
        let failure = match (f.cause, f.auts) {
            (RejectCause::SYNCH_FAILURE, Some(auts)) => Failure::Synch(auts),
            (RejectCause::MAC_FAILURE, _) => Failure::Mac,
            _ => Failure::Other,
        };
        let label = "AuthenticationFailure";
        if let Some((rand, auts)) = self.core.on_failure(&self.mm, ms, failure, label, cx) {
            self.request_quintets(ms, Some(ResyncInfo { rand, auts }), cx);
        }
    }
}

impl Endpoint for Vlr {
    fn start(&mut self, _: &mut Ctx<'_>) {}

    fn on_message(&mut self, msg: Incoming<'_>, cx: &mut Ctx<'_>) {
        let ms = msg.from;
        match msg.interface {
            Interface::Map => self.on_map(msg.pdu, cx),
            Interface::UmtsAir => match MmMessage::decode_with_nsd(msg.pdu) {
                Ok((MmMessage::LocationUpdatingRequest(r), nsd)) => {
                    self.on_location_updating(ms, nsd, r, cx)
                }
                Ok((MmMessage::AuthenticationResponse(r), nsd)) => {
                    self.on_auth_response(ms, nsd, &r.res, cx)
                }
                Ok((MmMessage::AuthenticationFailure(f), nsd)) => {
                    self.on_auth_failure(ms, nsd, f, cx)
                }
                Ok((other, _)) => cx.fx.ignore(other.kind()),
                Err(_) => cx.fx.ignore("undecodable"),
            },
            other => cx.fx.ignore(other.name()),
        }
    }

    fn on_timer(&mut self, key: TimerKey, cx: &mut Ctx<'_>) {
        if let Some(ms) = self.core.on_timer(&self.mm, key, cx) {
            let cause = RejectCause::NETWORK_FAILURE;
            self.core.reject(&self.mm, ms, cause, "map_timeout", cx);
        }
    }
}
