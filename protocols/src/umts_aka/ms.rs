//! The MS (MTC device) with its USIM.

use std::sync::Arc;

use zeroize::Zeroize;

use super::Config;
use crate::aka::{self, SqnState, UsimReject};
use crate::core::{Addr, Ctx, Endpoint, Incoming, Interface, Outcome, TimerKey, TimerKind};
use crate::crypto::milenage::Milenage;
use crate::eps_aka::imsi;
use crate::wire::mm::{
    self, AuthenticationFailure, AuthenticationResponse, LocationUpdatingRequest, MmMessage,
    RejectCause,
};

const T3210: TimerKey = TimerKey::own(TimerKind::T3210);

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum State {
    Idle,
    /// Location updating request sent, waiting for the network.
    Updating,
    Registered,
    Done,
}

/// One device: its USIM secrets and SQN state, and its location updating
/// (IMSI attach) with UMTS authentication.
pub struct Ms {
    cfg: Arc<Config>,
    index: u32,
    vlr: Addr,
    usim: Milenage,
    sqn: SqnState,
    state: State,
    attempts: u32,
    /// Send state variable V(SD) of TS 24.007 §11.2.3.2.3 (modulo 4), reset
    /// with each new RR connection, i.e. each location updating attempt.
    vsd: u8,
    /// The last challenge answered and its RES, so that a retransmitted
    /// AUTHENTICATION REQUEST gets the same answer (TS 24.008 §4.3.2.5).
    last_rand: [u8; 16],
    last_res: [u8; 8],
    /// CK ‖ IK of the last accepted challenge.
    keys: Option<[u8; 32]>,
}

impl Drop for Ms {
    fn drop(&mut self) {
        if let Some(k) = self.keys.as_mut() {
            k.zeroize();
        }
        self.last_res.zeroize();
    }
}

impl Ms {
    pub fn new(cfg: Arc<Config>, index: u32, vlr: Addr, usim: Milenage, sqn: SqnState) -> Self {
        Self {
            cfg,
            index,
            vlr,
            usim,
            sqn,
            state: State::Idle,
            attempts: 0,
            vsd: 0,
            last_rand: [0; 16],
            last_res: [0; 8],
            keys: None,
        }
    }

    pub fn is_registered(&self) -> bool {
        self.state == State::Registered
    }

    /// Sends an MS message with the next send sequence number.
    fn send(&mut self, cx: &mut Ctx<'_>, msg: MmMessage) {
        let nsd = self.vsd;
        self.vsd = (self.vsd + 1) % 4;
        cx.fx.send(
            self.vlr,
            Interface::UmtsAir,
            msg.kind(),
            msg.encode_with_nsd(nsd),
        );
    }

    fn send_location_updating(&mut self, cx: &mut Ctx<'_>) {
        self.attempts += 1;
        self.vsd = 0;
        let msg = MmMessage::LocationUpdatingRequest(LocationUpdatingRequest {
            cksn: mm::CKSN_NO_KEY,
            follow_on_request: false,
            lu_type: mm::lu_type::IMSI_ATTACH,
            lai: self.cfg.lai(),
            classmark_1: mm::TYPICAL_CLASSMARK_1,
            imsi: imsi(&self.cfg.plmn_digits, self.index),
            classmark_for_umts: Some(mm::TYPICAL_CLASSMARK_2),
        });
        self.send(cx, msg);
        cx.fx.arm(T3210, cx.now + self.cfg.t3210);
    }

    fn fail(&mut self, cx: &mut Ctx<'_>, cause: RejectCause, auts: Option<[u8; 14]>) {
        let f = AuthenticationFailure { cause, auts };
        self.send(cx, MmMessage::AuthenticationFailure(f));
    }

    fn on_auth_request(&mut self, r: mm::AuthenticationRequest, cx: &mut Ctx<'_>) {
        let Some(autn) = r.autn else {
            // A GSM challenge (no AUTN): a USIM in UTRAN refuses it (TS 33.102 §6.8.1.2).
            return self.fail(cx, RejectCause::GSM_AUTHENTICATION_UNACCEPTABLE, None);
        };
        if self.keys.is_some() && r.rand == self.last_rand {
            // Retransmitted challenge (our response was lost): answer again.
            let res = self.last_res.to_vec();
            self.send(
                cx,
                MmMessage::AuthenticationResponse(AuthenticationResponse { res }),
            );
            return;
        }
        match aka::usim_check(&self.usim, &r.rand, &autn, &mut self.sqn, &mut cx.fx.crypto) {
            Ok(acc) => {
                let mut keys = [0u8; 32];
                keys[..16].copy_from_slice(&acc.ck);
                keys[16..].copy_from_slice(&acc.ik);
                self.keys = Some(keys);
                keys.zeroize();
                self.last_rand = r.rand;
                self.last_res = [0; 8];
                let n = acc.res.len().min(8);
                self.last_res[..n].copy_from_slice(&acc.res[..n]);
                let res = acc.res.clone();
                self.send(
                    cx,
                    MmMessage::AuthenticationResponse(AuthenticationResponse { res }),
                );
                // The MS has authenticated the network and holds CK/IK.
                cx.fx.outcome(Outcome::Authenticated {
                    subject: self.vlr,
                    key_id: r.cksn as u32,
                });
            }
            Err(UsimReject::MacFailure) => {
                cx.fx.outcome(Outcome::AttackDetected {
                    subject: self.vlr,
                    what: "network_mac_failure",
                });
                self.fail(cx, RejectCause::MAC_FAILURE, None);
            }
            Err(UsimReject::SynchFailure { auts }) => {
                self.fail(cx, RejectCause::SYNCH_FAILURE, Some(auts));
            }
        }
    }

    fn finish(&mut self, cx: &mut Ctx<'_>, reason: &'static str) {
        cx.fx.cancel(T3210);
        self.state = State::Done;
        cx.fx.outcome(Outcome::Rejected {
            subject: self.vlr,
            reason,
        });
    }
}

impl Endpoint for Ms {
    /// Starts a location updating (IMSI attach); a registered or finished
    /// device updates again (periodic re-registration) with a fresh challenge.
    fn start(&mut self, cx: &mut Ctx<'_>) {
        if self.state != State::Updating {
            self.state = State::Updating;
            self.attempts = 0;
            self.keys = None;
            self.send_location_updating(cx);
        }
    }

    fn on_message(&mut self, msg: Incoming<'_>, cx: &mut Ctx<'_>) {
        if self.state != State::Updating || msg.interface != Interface::UmtsAir {
            return;
        }
        match MmMessage::decode(msg.pdu) {
            Ok(MmMessage::AuthenticationRequest(r)) => self.on_auth_request(r, cx),
            Ok(MmMessage::LocationUpdatingAccept(_)) if self.keys.is_some() => {
                cx.fx.cancel(T3210);
                self.state = State::Registered;
            }
            Ok(MmMessage::AuthenticationReject) => self.finish(cx, "authentication_reject"),
            Ok(MmMessage::LocationUpdatingReject(_)) => self.finish(cx, "location_updating_reject"),
            // Anything else, or bytes that do not decode, is ignored
            // (TS 24.008 §8); an accept before authentication is not expected
            // from this VLR and is ignored too.
            _ => {}
        }
    }

    fn on_timer(&mut self, id: TimerKey, cx: &mut Ctx<'_>) {
        if id != T3210 || self.state != State::Updating {
            return;
        }
        if self.attempts >= self.cfg.lu_max_attempts {
            self.state = State::Done;
            cx.fx.outcome(Outcome::Failed {
                subject: self.vlr,
                reason: "t3210_expired",
            });
            return;
        }
        self.keys = None;
        self.send_location_updating(cx);
    }
}
