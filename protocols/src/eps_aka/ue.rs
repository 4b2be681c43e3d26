//! The UE (MTC device) with its USIM: the shared AKA device procedure with
//! NAS EMM messages, K_ASME and the NAS security mode step.

use std::sync::Arc;

use zeroize::Zeroize;

use super::{Config, EEA0, EIA2, UE_NETWORK_CAPABILITY};
use crate::aka::device::{Attach, Device, DeviceVariant, Downlink, Refusal, Retry, State};
use crate::aka::{SqnState, UsimAccept, imsi};
use crate::core::{Addr, CryptoOps, Ctx, Interface, Nanos, TimerKind, time::SECOND};
use crate::crypto::{eia2, kdf, milenage::Milenage};
use crate::wire::nas::{
    self, AttachRequest, AuthenticationFailure, AuthenticationResponse, EmmCause,
    EpsMobileIdentity, NasMessage, SecurityModeComplete, header_type,
};

/// One device: its USIM secrets and SQN state, and its attach procedure.
pub type Ue = Device<Eps>;

/// What an EPS-AKA device does differently from other AKA devices.
pub struct Eps {
    cfg: Arc<Config>,
}

impl Ue {
    pub fn new(cfg: Arc<Config>, index: u32, mme: Addr, usim: Milenage, sqn: SqnState) -> Self {
        Device::with_variant(Eps { cfg }, index, mme, usim, sqn)
    }
}

impl DeviceVariant for Eps {
    type Message = nas::SecurityProtected;
    const INTERFACE: Interface = Interface::Nas;
    const GUARD: TimerKind = TimerKind::T3410;
    const GUARD_EXPIRED: &'static str = "t3410_expired";
    const CHECKS_SEPARATION_BIT: bool = true;
    const AUTHENTICATED_AT_CHALLENGE: bool = false;

    fn guard(&self) -> (Nanos, u32) {
        (self.cfg.t3410, self.cfg.attach_max_attempts)
    }

    fn retry(&self) -> Option<Retry> {
        self.cfg.retry
    }

    fn access(&self) -> Option<crate::ran::Access> {
        self.cfg.ran
    }

    fn barring(&self) -> Option<&crate::ran::barring::DeviceBarring> {
        self.cfg.barring.as_ref()
    }

    fn decode(&self, pdu: &[u8]) -> (&'static str, Downlink<nas::SecurityProtected>) {
        downlink(nas::decode_any(pdu), |p| p)
    }

    fn send_attach(&mut self, to: Addr, index: u32, cx: &mut Ctx<'_>) {
        send_attach_request(to, &self.cfg.plmn_digits, index, Vec::new(), cx);
    }

    fn send_response(&mut self, to: Addr, res: &[u8], cx: &mut Ctx<'_>) {
        send_response(to, res, cx);
    }

    fn send_refusal(&mut self, to: Addr, refusal: Refusal, cx: &mut Ctx<'_>) {
        send_refusal(to, refusal, cx);
    }

    fn session_key(&self, acc: &UsimAccept, autn: &[u8; 16], ops: &mut CryptoOps) -> [u8; 32] {
        kasme(&self.cfg.plmn, acc, autn, ops)
    }

    fn on_message(
        &mut self,
        a: &mut Attach,
        p: nas::SecurityProtected,
        label: &'static str,
        pdu: &[u8],
        cx: &mut Ctx<'_>,
    ) {
        security_mode::<Self>(a, p, label, pdu, cx);
    }
}

/// What an EMM PDU means to a device: the challenge, the rejects, and a
/// protected envelope (the security mode command) for the variant.
pub(crate) fn downlink<M>(
    nas: Result<nas::Nas, crate::wire::WireError>,
    protected: impl FnOnce(nas::SecurityProtected) -> M,
) -> (&'static str, Downlink<M>) {
    match nas {
        Ok(nas::Nas::Plain(NasMessage::AuthenticationRequest(r))) => (
            "AuthenticationRequest",
            Downlink::Challenge {
                ksi: r.nas_ksi,
                rand: r.rand,
                autn: r.autn,
            },
        ),
        Ok(nas::Nas::Plain(NasMessage::AuthenticationReject)) => (
            "AuthenticationReject",
            Downlink::Reject("authentication_reject"),
        ),
        Ok(nas::Nas::Plain(NasMessage::AttachReject(r))) if r.cause == EmmCause::CONGESTION => {
            let t3346 = r.t3346.and_then(|t| t.seconds()).map(|s| s * SECOND);
            ("AttachReject", Downlink::Congestion(t3346))
        }
        Ok(nas::Nas::Plain(NasMessage::AttachReject(_))) => {
            ("AttachReject", Downlink::Reject("attach_reject"))
        }
        Ok(nas::Nas::Protected(p)) => ("SecurityProtected", Downlink::Variant(protected(p))),
        Ok(other) => (other.kind(), Downlink::Ignore),
        Err(_) => ("undecodable", Downlink::Ignore),
    }
}

/// ATTACH REQUEST with the IMSI of subscriber `index`; `optional_ies` are
/// appended as they are (group AKA's Group Identity).
pub(crate) fn send_attach_request(
    to: Addr,
    plmn_digits: &str,
    index: u32,
    optional_ies: Vec<u8>,
    cx: &mut Ctx<'_>,
) {
    let msg = NasMessage::AttachRequest(AttachRequest {
        nas_ksi: nas::KSI_NO_KEY,
        attach_type: nas::attach_type::EPS_ATTACH,
        identity: EpsMobileIdentity::Imsi(imsi(plmn_digits, index)),
        ue_network_capability: UE_NETWORK_CAPABILITY.to_vec(),
        esm_message_container: nas::MINIMAL_PDN_CONNECTIVITY_REQUEST.to_vec(),
        optional_ies,
    });
    send(to, msg, cx);
}

pub(crate) fn send_response(to: Addr, res: &[u8], cx: &mut Ctx<'_>) {
    let res = res.to_vec();
    send(
        to,
        NasMessage::AuthenticationResponse(AuthenticationResponse { res }),
        cx,
    );
}

/// AUTHENTICATION FAILURE with the EMM cause of `refusal`.
pub(crate) fn send_refusal(to: Addr, refusal: Refusal, cx: &mut Ctx<'_>) {
    let (cause, auts) = match refusal {
        Refusal::Unacceptable => (EmmCause::NON_EPS_AUTHENTICATION_UNACCEPTABLE, None),
        Refusal::MacFailure => (EmmCause::MAC_FAILURE, None),
        Refusal::SynchFailure(auts) => (EmmCause::SYNCH_FAILURE, Some(auts)),
    };
    let f = AuthenticationFailure { cause, auts };
    send(to, NasMessage::AuthenticationFailure(f), cx);
}

fn send(to: Addr, msg: NasMessage, cx: &mut Ctx<'_>) {
    cx.fx.send_msg(to, Interface::Nas, &msg);
}

/// K_ASME = KDF(CK ‖ IK, SN id, SQN ⊕ AK) (TS 33.401 A.2).
pub(crate) fn kasme(
    plmn: &[u8; 3],
    acc: &UsimAccept,
    autn: &[u8; 16],
    ops: &mut CryptoOps,
) -> [u8; 32] {
    let mut sqn_xor_ak = [0u8; 6];
    sqn_xor_ak.copy_from_slice(&autn[..6]);
    kdf::kasme(&acc.ck, &acc.ik, plmn, &sqn_xor_ak, ops)
}

/// The NAS security mode step (TS 24.301 §5.4.3): verify the SECURITY MODE
/// COMMAND with K_NASint from the device's K_ASME and answer SECURITY MODE
/// COMPLETE; the attach is then complete. A registered device answers a
/// retransmitted command again (its complete may have been lost, T3460).
/// `p` is `pdu` decoded.
pub(crate) fn security_mode<V: DeviceVariant>(
    a: &mut Attach,
    p: nas::SecurityProtected,
    label: &'static str,
    pdu: &[u8],
    cx: &mut Ctx<'_>,
) {
    if !matches!(a.state(), State::Attaching | State::Registered) {
        return cx.fx.ignore(label);
    }
    // The command starts a new context: sent unciphered with security header
    // type 3, "integrity protected with new EPS security context" (TS 24.301
    // §5.4.3.2). Types 1 and 2 would name a current context the device does
    // not have, type 4 a ciphered command: such a message is discarded
    // (§4.4.4.2), before any key is derived. The type is outside the MAC.
    if p.header_type != header_type::INTEGRITY_PROTECTED_NEW_CONTEXT {
        return cx.fx.ignore("security_header_type");
    }
    let smc = match p.decode_inner() {
        Ok(NasMessage::SecurityModeCommand(smc)) => smc,
        Ok(other) => return cx.fx.ignore(other.kind()),
        Err(_) => return cx.fx.ignore(label),
    };
    let Some(&kasme) = a.key() else {
        return cx.fx.ignore("SecurityModeCommand");
    };
    let mut k_int = kdf::nas_key(&kasme, kdf::NAS_INT_ALG, EIA2, &mut cx.fx.crypto);
    // Downlink NAS COUNT = sequence number for a fresh context; bearer 0, direction 1.
    let ok = smc.integrity_algorithm == EIA2
        && eia2::eia2_verify(
            &k_int,
            p.seq as u32,
            0,
            super::DOWNLINK,
            nas::mac_input_of(pdu),
            &p.mac,
            &mut cx.fx.crypto,
        )
        && smc.replayed_ue_security_capabilities == UE_NETWORK_CAPABILITY;
    if !ok {
        k_int.zeroize();
        a.detected("smc_integrity_failure", cx);
        let rej = NasMessage::SecurityModeReject(EmmCause::SECURITY_MODE_REJECTED_UNSPECIFIED);
        return send(a.serving(), rej, cx);
    }
    let inner = NasMessage::SecurityModeComplete(SecurityModeComplete { imeisv: None });
    // Uplink: direction 0. EEA0 leaves the inner message as it is.
    debug_assert_eq!(smc.ciphering_algorithm, EEA0);
    let pdu = super::protect_first(
        &k_int,
        header_type::INTEGRITY_PROTECTED_CIPHERED_NEW_CONTEXT,
        super::UPLINK,
        &inner,
        &mut cx.fx.crypto,
    );
    k_int.zeroize();
    cx.fx.send(a.serving(), Interface::Nas, inner.kind(), pdu);
    a.complete::<V>(Some(smc.nas_ksi), cx);
}
