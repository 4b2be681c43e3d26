//! The VLR: serving-network side of UMTS AKA for many MSs at once.

use std::collections::{HashMap, VecDeque};
use std::sync::Arc;

use super::Config;
use crate::aka;
use crate::core::{Addr, Ctx, Endpoint, Incoming, Interface, Outcome, TimerKey, TimerKind};
use crate::eps_aka::{imsi, imsi_index, timer_ue, ue_timer};
use crate::wire::map::{
    self, MapMessage, Quintuplet, ResyncInfo, SaiBegin, SaiOutcome, SendAuthenticationInfoArg,
};
use crate::wire::mm::{
    self, AuthenticationRequest, LocationUpdatingAccept, MmMessage, RejectCause,
};

const T3260: TimerKind = TimerKind::T3260;
const TX: TimerKind = TimerKind::MapTx;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Step {
    /// Waiting for the HLR's SendAuthenticationInfo result.
    WaitMap,
    /// AUTHENTICATION REQUEST sent.
    WaitAuthResponse,
    Registered,
    Aborted,
}

/// One MS's context in the VLR.
struct MsContext {
    index: u32,
    step: Step,
    quintets: VecDeque<Quintuplet>,
    /// The quintet of the challenge in progress (its CK/IK after success).
    current: Option<Quintuplet>,
    cksn: u8,
    /// The last MM PDU sent, for T3260 retransmission.
    last_pdu: Vec<u8>,
    retx: u32,
    /// The pending TC-BEGIN (for re-invocation on timeout), its transaction
    /// id and its tries.
    pending_map: Option<Vec<u8>>,
    pending_tid: u32,
    map_retx: u32,
    resyncs: u32,
}

/// Serving network: runs location updating with UMTS authentication.
pub struct Vlr {
    cfg: Arc<Config>,
    hlr: Addr,
    ms: HashMap<Addr, MsContext>,
    /// Transaction id of each open MAP dialogue -> MS.
    outstanding: HashMap<u32, Addr>,
    next_tid: u32,
    next_cksn: u8,
}

impl Vlr {
    pub fn new(cfg: Arc<Config>, hlr: Addr) -> Self {
        Self {
            cfg,
            hlr,
            ms: HashMap::new(),
            outstanding: HashMap::new(),
            next_tid: 1,
            next_cksn: 0,
        }
    }

    /// MS contexts currently held (registered or in progress).
    pub fn contexts(&self) -> usize {
        self.ms.len()
    }

    /// Quintets stored for the MS at `ms` (unused ones from earlier batches).
    pub fn stored_quintets(&self, ms: Addr) -> usize {
        self.ms.get(&ms).map_or(0, |c| c.quintets.len())
    }

    fn send_mm(&mut self, ms: Addr, msg: MmMessage, cx: &mut Ctx<'_>) {
        let pdu = msg.encode();
        if let Some(c) = self.ms.get_mut(&ms) {
            c.last_pdu = pdu.clone();
            c.retx = 0;
        }
        cx.fx.send(ms, Interface::UmtsAir, msg.kind(), pdu);
        cx.fx.arm(ue_timer(ms, T3260), cx.now + self.cfg.t3260);
    }

    fn reject(&mut self, ms: Addr, cause: RejectCause, reason: &'static str, cx: &mut Ctx<'_>) {
        let msg = MmMessage::LocationUpdatingReject(cause);
        cx.fx.send(ms, Interface::UmtsAir, msg.kind(), msg.encode());
        cx.fx.cancel(ue_timer(ms, T3260));
        cx.fx.cancel(ue_timer(ms, TX));
        if let Some(c) = self.ms.get_mut(&ms) {
            c.step = Step::Aborted;
        }
        cx.fx.outcome(Outcome::Rejected {
            subject: ms,
            reason,
        });
    }

    fn request_quintets(&mut self, ms: Addr, resync: Option<ResyncInfo>, cx: &mut Ctx<'_>) {
        let Some(c) = self.ms.get_mut(&ms) else {
            return;
        };
        let otid = self.next_tid;
        self.next_tid = self.next_tid.wrapping_add(1).max(1);
        let begin = SaiBegin {
            otid,
            dialogue: true,
            invoke_id: 1,
            arg: SendAuthenticationInfoArg {
                imsi: imsi(&self.cfg.plmn_digits, c.index),
                number_of_requested_vectors: self.cfg.quintets_per_request.clamp(1, 5),
                segmentation_prohibited: false,
                immediate_response_preferred: true,
                re_synchronisation_info: resync,
                requesting_node_type: Some(map::node_type::VLR),
                requesting_plmn_id: Some(self.cfg.plmn),
            },
        };
        let pdu = begin.encode();
        c.step = Step::WaitMap;
        cx.fx.cancel(ue_timer(ms, T3260));
        c.pending_map = Some(pdu.clone());
        c.pending_tid = otid;
        c.map_retx = 0;
        self.outstanding.insert(otid, ms);
        cx.fx.send(self.hlr, Interface::Map, begin.kind(), pdu);
        cx.fx.arm(ue_timer(ms, TX), cx.now + self.cfg.map_timeout);
    }

    /// Starts a challenge with the next stored quintet.
    fn challenge(&mut self, ms: Addr, cx: &mut Ctx<'_>) {
        let cksn = self.next_cksn;
        self.next_cksn = (self.next_cksn + 1) % 7;
        let Some(c) = self.ms.get_mut(&ms) else {
            return;
        };
        let Some(q) = c.quintets.pop_front() else {
            return;
        };
        c.cksn = cksn;
        c.step = Step::WaitAuthResponse;
        let msg = MmMessage::AuthenticationRequest(AuthenticationRequest {
            cksn,
            rand: q.rand,
            autn: Some(q.autn),
        });
        c.current = Some(q);
        self.send_mm(ms, msg, cx);
    }

    fn on_location_updating(
        &mut self,
        ms: Addr,
        req: mm::LocationUpdatingRequest,
        cx: &mut Ctx<'_>,
    ) {
        let Some(index) = imsi_index(&self.cfg.plmn_digits, &req.imsi) else {
            return self.reject(ms, RejectCause::ILLEGAL_MS, "foreign_imsi", cx);
        };
        // A repeated request while we wait for the HLR: keep waiting. During
        // a challenge it means the MS restarted (T3210): it has deleted its
        // stored RAND/RES (TS 24.008 §4.3.2.5) and would answer the old RAND
        // with a synch failure, so a new authentication starts.
        if self.ms.get(&ms).is_some_and(|c| c.step == Step::WaitMap) {
            return;
        }
        let c = self.ms.entry(ms).or_insert_with(|| MsContext {
            index,
            step: Step::WaitMap,
            quintets: VecDeque::new(),
            current: None,
            cksn: 0,
            last_pdu: Vec::new(),
            retx: 0,
            pending_map: None,
            pending_tid: 0,
            map_retx: 0,
            resyncs: 0,
        });
        c.resyncs = 0;
        if c.quintets.is_empty() {
            self.request_quintets(ms, None, cx);
        } else {
            self.challenge(ms, cx);
        }
    }

    fn on_map(&mut self, pdu: &[u8], cx: &mut Ctx<'_>) {
        let Ok(MapMessage::End(end)) = MapMessage::decode(pdu) else {
            return;
        };
        let Some(ms) = self.outstanding.remove(&end.dtid) else {
            return;
        };
        cx.fx.cancel(ue_timer(ms, TX));
        let Some(c) = self.ms.get_mut(&ms) else {
            return;
        };
        if c.step != Step::WaitMap {
            return;
        }
        c.pending_map = None;
        match end.outcome {
            SaiOutcome::Result(q) if !q.is_empty() => {
                c.quintets = q.into_iter().collect();
                self.challenge(ms, cx);
            }
            SaiOutcome::Error(map::error_code::UNKNOWN_SUBSCRIBER) => {
                self.reject(ms, RejectCause::IMSI_UNKNOWN_IN_HLR, "hlr_refused", cx)
            }
            _ => self.reject(ms, RejectCause::NETWORK_FAILURE, "hlr_refused", cx),
        }
    }

    fn on_auth_response(&mut self, ms: Addr, res: &[u8], cx: &mut Ctx<'_>) {
        let Some(c) = self.ms.get_mut(&ms) else {
            return;
        };
        if c.step != Step::WaitAuthResponse {
            return;
        }
        let Some(q) = c.current.as_ref() else {
            return;
        };
        cx.fx.cancel(ue_timer(ms, T3260));
        if !aka::res_matches(&q.xres, res) {
            c.step = Step::Aborted;
            let msg = MmMessage::AuthenticationReject;
            cx.fx.send(ms, Interface::UmtsAir, msg.kind(), msg.encode());
            cx.fx.outcome(Outcome::Rejected {
                subject: ms,
                reason: "res_mismatch",
            });
            return;
        }
        c.step = Step::Registered;
        c.last_pdu = Vec::new();
        let cksn = c.cksn;
        // CK/IK stay in `current` for ciphering and integrity in the RNC
        // (RANAP security mode, not modelled); the procedure ends with the accept.
        let msg = MmMessage::LocationUpdatingAccept(LocationUpdatingAccept {
            lai: self.cfg.lai(),
            follow_on_proceed: false,
        });
        cx.fx.send(ms, Interface::UmtsAir, msg.kind(), msg.encode());
        cx.fx.outcome(Outcome::Authenticated {
            subject: ms,
            key_id: cksn as u32,
        });
    }

    fn on_auth_failure(&mut self, ms: Addr, f: mm::AuthenticationFailure, cx: &mut Ctx<'_>) {
        let Some(c) = self.ms.get_mut(&ms) else {
            return;
        };
        if c.step != Step::WaitAuthResponse {
            return;
        }
        cx.fx.cancel(ue_timer(ms, T3260));
        match (f.cause, f.auts) {
            (RejectCause::SYNCH_FAILURE, Some(auts)) if c.resyncs < 2 => {
                c.resyncs += 1;
                let Some(q) = c.current.take() else {
                    return;
                };
                // Unused quintets carry stale SQNs: drop them (TS 33.102 §6.3.5).
                c.quintets.clear();
                self.request_quintets(ms, Some(ResyncInfo { rand: q.rand, auts }), cx);
            }
            (RejectCause::MAC_FAILURE, _) => {
                c.step = Step::Aborted;
                cx.fx.outcome(Outcome::Rejected {
                    subject: ms,
                    reason: "ms_reported_mac_failure",
                });
            }
            _ => {
                c.step = Step::Aborted;
                cx.fx.outcome(Outcome::Rejected {
                    subject: ms,
                    reason: "authentication_failure",
                });
            }
        }
    }
}

impl Endpoint for Vlr {
    fn start(&mut self, _: &mut Ctx<'_>) {}

    fn on_message(&mut self, msg: Incoming<'_>, cx: &mut Ctx<'_>) {
        match msg.interface {
            Interface::Map => self.on_map(msg.pdu, cx),
            Interface::UmtsAir => match MmMessage::decode(msg.pdu) {
                Ok(MmMessage::LocationUpdatingRequest(r)) => {
                    self.on_location_updating(msg.from, r, cx)
                }
                Ok(MmMessage::AuthenticationResponse(r)) => {
                    self.on_auth_response(msg.from, &r.res, cx)
                }
                Ok(MmMessage::AuthenticationFailure(f)) => self.on_auth_failure(msg.from, f, cx),
                _ => {}
            },
            _ => {}
        }
    }

    fn on_timer(&mut self, id: TimerKey, cx: &mut Ctx<'_>) {
        let Some((ms, kind)) = timer_ue(id) else {
            cx.fx.ignore("timer without a device");
            return;
        };
        let Some(c) = self.ms.get_mut(&ms) else {
            return;
        };
        match kind {
            T3260 if c.step == Step::WaitAuthResponse => {
                if c.retx >= self.cfg.t3260_max_retx {
                    c.step = Step::Aborted;
                    cx.fx.outcome(Outcome::Failed {
                        subject: ms,
                        reason: "t3260_expired",
                    });
                    return;
                }
                c.retx += 1;
                cx.fx.send(
                    ms,
                    Interface::UmtsAir,
                    "AuthenticationRequest",
                    c.last_pdu.clone(),
                );
                cx.fx.arm(id, cx.now + self.cfg.t3260);
            }
            TX if c.step == Step::WaitMap => {
                if c.map_retx >= self.cfg.map_max_retx {
                    c.pending_map = None;
                    self.outstanding.remove(&c.pending_tid);
                    self.reject(ms, RejectCause::NETWORK_FAILURE, "map_timeout", cx);
                    return;
                }
                c.map_retx += 1;
                if let Some(begin) = c.pending_map.clone() {
                    cx.fx.send(self.hlr, Interface::Map, "SendAuthInfo", begin);
                    cx.fx.arm(id, cx.now + self.cfg.map_timeout);
                }
            }
            _ => {}
        }
    }
}
