//! The MS (MTC device) with its USIM: the shared AKA device procedure with
//! MM location updating (IMSI attach), CK ‖ IK kept as the session key.

use std::sync::Arc;

use super::Config;
use crate::aka::device::{Attach, Device, DeviceVariant, Downlink, Refusal, State};
use crate::aka::{SqnState, UsimAccept, imsi};
use crate::core::{Addr, CryptoOps, Ctx, Interface, Nanos, TimerKind};
use crate::crypto::milenage::Milenage;
use crate::wire::mm::{
    self, AuthenticationFailure, AuthenticationResponse, LocationUpdatingRequest, MmMessage,
    RejectCause,
};

/// One device: its USIM secrets and SQN state, and its location updating
/// (IMSI attach) with UMTS authentication.
pub type Ms = Device<Umts>;

/// What a UMTS device does differently from other AKA devices.
pub struct Umts {
    cfg: Arc<Config>,
    /// Send state variable V(SD) of TS 24.007 §11.2.3.2.3 (modulo 4), reset
    /// with each new RR connection, i.e. each location updating attempt.
    vsd: u8,
}

impl Ms {
    pub fn new(cfg: Arc<Config>, index: u32, vlr: Addr, usim: Milenage, sqn: SqnState) -> Self {
        Device::with_variant(Umts { cfg, vsd: 0 }, index, vlr, usim, sqn)
    }
}

/// LOCATION UPDATING ACCEPT, the one message the MS handles itself.
pub struct Accept;

impl Umts {
    /// Sends an MS message with the next send sequence number.
    fn send(&mut self, to: Addr, msg: MmMessage, cx: &mut Ctx<'_>) {
        let nsd = self.vsd;
        self.vsd = (self.vsd + 1) % 4;
        cx.fx
            .send(to, Interface::UmtsAir, msg.kind(), msg.encode_with_nsd(nsd));
    }
}

impl DeviceVariant for Umts {
    type Message = Accept;
    const INTERFACE: Interface = Interface::UmtsAir;
    const GUARD: TimerKind = TimerKind::T3210;
    const GUARD_EXPIRED: &'static str = "t3210_expired";
    const CHECKS_SEPARATION_BIT: bool = false;
    /// The MS has authenticated the network and holds CK/IK once its USIM
    /// accepts: UMTS has no NAS security mode step.
    const AUTHENTICATED_AT_CHALLENGE: bool = true;

    fn guard(&self) -> (Nanos, u32) {
        (self.cfg.t3210, self.cfg.lu_max_attempts)
    }

    fn decode(&self, pdu: &[u8]) -> (&'static str, Downlink<Accept>) {
        let msg = match MmMessage::decode(pdu) {
            Ok(msg) => msg,
            Err(_) => return ("undecodable", Downlink::Ignore),
        };
        let downlink = match &msg {
            // A GSM challenge (no AUTN): a USIM in UTRAN refuses it (TS 33.102 §6.8.1.2).
            MmMessage::AuthenticationRequest(r) => match r.autn {
                None => Downlink::Refuse(Refusal::Unacceptable),
                Some(autn) => Downlink::Challenge {
                    ksi: r.cksn,
                    rand: r.rand,
                    autn,
                },
            },
            MmMessage::LocationUpdatingAccept(_) => Downlink::Variant(Accept),
            MmMessage::AuthenticationReject => Downlink::Reject("authentication_reject"),
            MmMessage::LocationUpdatingReject(_) => Downlink::Reject("location_updating_reject"),
            _ => Downlink::Ignore,
        };
        (msg.kind(), downlink)
    }

    fn send_attach(&mut self, to: Addr, index: u32, cx: &mut Ctx<'_>) {
        self.vsd = 0;
        let msg = MmMessage::LocationUpdatingRequest(LocationUpdatingRequest {
            cksn: mm::CKSN_NO_KEY,
            follow_on_request: false,
            lu_type: mm::lu_type::IMSI_ATTACH,
            lai: self.cfg.lai(),
            classmark_1: mm::TYPICAL_CLASSMARK_1,
            imsi: imsi(&self.cfg.plmn_digits, index),
            classmark_for_umts: Some(mm::TYPICAL_CLASSMARK_2),
        });
        self.send(to, msg, cx);
    }

    fn send_response(&mut self, to: Addr, res: &[u8], cx: &mut Ctx<'_>) {
        let res = res.to_vec();
        let msg = MmMessage::AuthenticationResponse(AuthenticationResponse { res });
        self.send(to, msg, cx);
    }

    fn send_refusal(&mut self, to: Addr, refusal: Refusal, cx: &mut Ctx<'_>) {
        let (cause, auts) = match refusal {
            Refusal::Unacceptable => (RejectCause::GSM_AUTHENTICATION_UNACCEPTABLE, None),
            Refusal::MacFailure => (RejectCause::MAC_FAILURE, None),
            Refusal::SynchFailure(auts) => (RejectCause::SYNCH_FAILURE, Some(auts)),
        };
        let f = AuthenticationFailure { cause, auts };
        self.send(to, MmMessage::AuthenticationFailure(f), cx);
    }

    /// CK ‖ IK.
    fn session_key(&self, acc: &UsimAccept, _: &[u8; 16], _: &mut CryptoOps) -> [u8; 32] {
        let mut keys = [0u8; 32];
        keys[..16].copy_from_slice(&acc.ck);
        keys[16..].copy_from_slice(&acc.ik);
        keys
    }

    /// The accept ends the procedure once the MS holds keys; an accept before
    /// authentication is not expected from this VLR and is ignored.
    fn on_message(
        &mut self,
        a: &mut Attach,
        _: Accept,
        label: &'static str,
        _: &[u8],
        cx: &mut Ctx<'_>,
    ) {
        if a.state() == State::Attaching && a.key().is_some() {
            a.complete::<Self>(None, cx);
        } else {
            cx.fx.ignore(label);
        }
    }
}
