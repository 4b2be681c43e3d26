//! The MME: the shared AKA serving procedure with NAS EMM towards the UEs,
//! S6a towards the HSS and the NAS security mode step.

use std::marker::PhantomData;
use std::sync::Arc;

use zeroize::Zeroize;

use super::doic::Reactor;
use super::{Config, EEA0, EIA2, UE_NETWORK_CAPABILITY};
use crate::aka::imsi::{imsi_index, imsi_into, push_zero_padded};
use crate::aka::serving::{Failure, Scheme, Serving, Step, Timers};
use crate::core::{
    Addr, CryptoOps, Ctx, Endpoint, Incoming, Interface, Outcome, TimerKey, TimerKind,
};
use crate::crypto::{eia2, kdf};
use crate::ran::MmeOverload;
use crate::wire::diameter::{
    AuthenticationInformationAnswer as Aia, AuthenticationInformationRequest as Air, EutranVector,
    RequestedAuthInfo, VendorSpecificApplicationId,
};
use crate::wire::nas::{
    self, AttachReject, AuthenticationRequest, EmmCause, EpsMobileIdentity, GprsTimer2, NasMessage,
    SecurityModeCommand, header_type,
};

/// High part of the Diameter Session-Id (a fixed "boot time").
const SESSION_HIGH: u32 = 1_700_000_000;

/// NAS towards the devices, S6a towards the HSS: the serving scheme of
/// EPS-AKA and group AKA, which keep `X` per procedure.
pub(crate) struct Nas<X = NasIntegrityKey> {
    timers: Timers,
    extra: PhantomData<X>,
}

impl<X> Nas<X> {
    pub(crate) fn new(timers: Timers) -> Self {
        Self {
            timers,
            extra: PhantomData,
        }
    }
}

/// K_NASint of the new security context, derived once per challenge.
#[derive(Default)]
pub(crate) struct NasIntegrityKey([u8; 16]);

impl Drop for NasIntegrityKey {
    fn drop(&mut self) {
        self.0.zeroize();
    }
}

impl<X: Default> Scheme for Nas<X> {
    type Vector = EutranVector;
    type Extra = X;
    type Cause = EmmCause;
    const DEVICE: Interface = Interface::Nas;
    const HOME: Interface = Interface::S6a;
    const RETX: TimerKind = TimerKind::T3460;
    const TX: TimerKind = TimerKind::DiameterTx;
    const RETX_EXPIRED: &'static str = "t3460_expired";
    const MAC_FAILURE_REPORTED: &'static str = "ue_reported_mac_failure";

    fn timers(&self) -> Timers {
        self.timers
    }

    fn challenge(&self, ksi: u8, v: &EutranVector) -> (&'static str, Vec<u8>) {
        let msg = NasMessage::AuthenticationRequest(AuthenticationRequest {
            nas_ksi: ksi,
            rand: v.rand,
            autn: v.autn,
        });
        (msg.kind(), msg.encode())
    }

    fn attach_reject(&self, cause: EmmCause) -> (&'static str, Vec<u8>) {
        let msg = NasMessage::AttachReject(AttachReject {
            cause,
            esm_message_container: None,
            t3346: None,
        });
        (msg.kind(), msg.encode())
    }

    fn authentication_reject(&self) -> (&'static str, Vec<u8>) {
        let msg = NasMessage::AuthenticationReject;
        (msg.kind(), msg.encode())
    }
}

/// The AIRs of one MME: the request being built keeps its strings' buffers
/// from one request to the next (fixed fields set once).
pub(crate) struct AirBuilder {
    origin_host: String,
    air: Air,
    next_session: u64,
}

impl AirBuilder {
    /// Origin and destination per the 3GPP naming
    /// `mme.epc.mncXXX.mccYYY.3gppnetwork.org`.
    pub(crate) fn new(plmn_digits: &str, plmn: [u8; 3]) -> Self {
        let realm = super::realm::epc_realm(plmn_digits);
        let origin_host = super::realm::epc_host("mme", plmn_digits);
        let air = Air {
            hop_by_hop: 0,
            end_to_end: 0,
            session_id: String::new(),
            vendor_specific_application_id: Some(VendorSpecificApplicationId::S6A),
            origin_host: origin_host.clone(),
            origin_realm: realm.clone(),
            destination_host: None,
            destination_realm: realm,
            user_name: String::new(),
            oc_supported_features: None,
            requested_eutran: None,
            requested_utran_geran: None,
            visited_plmn_id: plmn,
        };
        Self {
            origin_host,
            air,
            next_session: 1,
        }
    }

    /// Announce DOIC support (RFC 7683 OC-Supported-Features) in every AIR.
    pub(crate) fn announce_doic(&mut self, features: u64) {
        self.air.oc_supported_features = Some(features);
    }

    /// The AIR with `hop_by_hop` for `n` vectors of subscriber `index`.
    pub(crate) fn build(
        &mut self,
        hop_by_hop: u32,
        plmn_digits: &str,
        index: u32,
        n: u32,
        resync: Option<[u8; 30]>,
    ) -> &Air {
        // Session-Id per RFC 6733 §8.8: <DiameterIdentity>;<high 32>;<low 32>, with
        // fixed-width decimal parts so every AIR of a run has the same size.
        let air = &mut self.air;
        air.hop_by_hop = hop_by_hop;
        air.end_to_end = hop_by_hop;
        air.session_id.clear();
        air.session_id.push_str(&self.origin_host);
        air.session_id.push(';');
        push_zero_padded(&mut air.session_id, SESSION_HIGH.into(), 10);
        air.session_id.push(';');
        push_zero_padded(&mut air.session_id, self.next_session, 10);
        imsi_into(&mut air.user_name, plmn_digits, index);
        air.requested_eutran = Some(RequestedAuthInfo {
            number_of_requested_vectors: Some(n),
            immediate_response_preferred: true,
            re_synchronization_info: resync,
        });
        self.next_session += 1;
        air
    }
}

/// The subscriber index of an ATTACH REQUEST's IMSI, or the reject's cause
/// and reason.
pub(crate) fn attach_index(
    req: &nas::AttachRequest,
    plmn_digits: &str,
) -> Result<u32, (EmmCause, &'static str)> {
    let EpsMobileIdentity::Imsi(imsi) = &req.identity else {
        return Err((EmmCause::ILLEGAL_UE, "no_imsi"));
    };
    imsi_index(plmn_digits, imsi).ok_or((EmmCause::ILLEGAL_UE, "foreign_imsi"))
}

/// How the MME tells AUTHENTICATION FAILUREs apart.
pub(crate) fn failure(f: &nas::AuthenticationFailure) -> Failure {
    match (f.cause, f.auts) {
        (EmmCause::SYNCH_FAILURE, Some(auts)) => Failure::Synch(auts),
        (EmmCause::MAC_FAILURE, _) => Failure::Mac,
        _ => Failure::Other,
    }
}

/// Re-Synchronization-Info: RAND ‖ AUTS.
pub(crate) fn resync_info(rand: [u8; 16], auts: [u8; 14]) -> [u8; 30] {
    let mut info = [0u8; 30];
    info[..16].copy_from_slice(&rand);
    info[16..].copy_from_slice(&auts);
    info
}

/// The SECURITY MODE COMMAND of a new context (128-EIA2, EEA0), protected
/// with K_NASint in the downlink direction: (kind, PDU).
pub(crate) fn security_mode_command(
    ksi: u8,
    k_int: &[u8; 16],
    ops: &mut CryptoOps,
) -> (&'static str, Vec<u8>) {
    let smc = NasMessage::SecurityModeCommand(SecurityModeCommand {
        ciphering_algorithm: EEA0,
        integrity_algorithm: EIA2,
        nas_ksi: ksi,
        replayed_ue_security_capabilities: UE_NETWORK_CAPABILITY.to_vec(),
        imeisv_request: None,
    });
    let pdu = super::protect_first(
        k_int,
        header_type::INTEGRITY_PROTECTED_NEW_CONTEXT,
        super::DOWNLINK,
        &smc,
        ops,
    );
    (smc.kind(), pdu)
}

/// Whether `pdu` (decoded: `p`) is a SECURITY MODE COMPLETE whose uplink
/// MAC verifies under `k_int`. The MAC covers sequence number || inner
/// message: the PDU from octet 6 on.
fn security_mode_complete(
    k_int: &[u8; 16],
    p: &nas::SecurityProtected,
    pdu: &[u8],
    ops: &mut CryptoOps,
) -> bool {
    let ok = eia2::eia2_verify(
        k_int,
        p.seq as u32,
        0,
        super::UPLINK,
        nas::mac_input_of(pdu),
        &p.mac,
        ops,
    );
    ok && matches!(p.decode_inner(), Ok(NasMessage::SecurityModeComplete(_)))
}

/// What an MME does with each NAS uplink message (EPS-AKA and group AKA
/// share the dispatch in [`on_nas`]).
pub(crate) trait NasUplink {
    /// What the MME keeps per procedure.
    type Extra: Default;
    fn core(&mut self) -> &mut Serving<Nas<Self::Extra>>;
    fn on_aia(&mut self, pdu: &[u8], cx: &mut Ctx<'_>);
    fn on_attach(&mut self, ue: Addr, req: nas::AttachRequest, cx: &mut Ctx<'_>);
    fn on_auth_response(&mut self, ue: Addr, res: &[u8], cx: &mut Ctx<'_>);
    fn on_auth_failure(&mut self, ue: Addr, f: nas::AuthenticationFailure, cx: &mut Ctx<'_>);
    /// `p` is `pdu` decoded (a SECURITY MODE COMPLETE is expected).
    fn on_protected(&mut self, ue: Addr, p: nas::SecurityProtected, pdu: &[u8], cx: &mut Ctx<'_>);
}

/// Hands an S6a answer or a decoded NAS uplink PDU to the MME; anything
/// else is counted as ignored.
pub(crate) fn on_message(mme: &mut impl NasUplink, msg: Incoming<'_>, cx: &mut Ctx<'_>) {
    let (ue, pdu) = (msg.from, msg.pdu);
    match msg.interface {
        Interface::S6a => return mme.on_aia(pdu, cx),
        Interface::Nas => {}
        other => return cx.fx.ignore(other.name()),
    }
    match nas::decode_any(pdu) {
        Ok(nas::Nas::Plain(NasMessage::AttachRequest(r))) => mme.on_attach(ue, r, cx),
        Ok(nas::Nas::Plain(NasMessage::AuthenticationResponse(r))) => {
            mme.on_auth_response(ue, &r.res, cx)
        }
        Ok(nas::Nas::Plain(NasMessage::AuthenticationFailure(f))) => mme.on_auth_failure(ue, f, cx),
        Ok(nas::Nas::Plain(NasMessage::SecurityModeReject(_))) => {
            mme.core().device_ended(ue, "security_mode_reject", cx)
        }
        Ok(nas::Nas::Protected(p)) => mme.on_protected(ue, p, pdu, cx),
        Ok(other) => cx.fx.ignore(other.kind()),
        Err(_) => cx.fx.ignore("undecodable"),
    }
}

/// RES matched: derive K_NASint from the vector's K_ASME, send the SECURITY
/// MODE COMMAND and wait for its completion; `keep` may store K_NASint.
pub(crate) fn command_security_mode<X: Default>(
    core: &mut Serving<Nas<X>>,
    nas: &Nas<X>,
    ue: Addr,
    res: &[u8],
    keep: impl FnOnce(&mut X, &[u8; 16]),
    cx: &mut Ctx<'_>,
) {
    let label = "AuthenticationResponse";
    let Some(acc) = core.on_response(nas, ue, res, label, cx) else {
        return;
    };
    let ops = &mut cx.fx.crypto;
    let mut k_int = kdf::nas_key(&acc.vector.kasme, kdf::NAS_INT_ALG, EIA2, ops);
    let (kind, pdu) = security_mode_command(acc.ksi, &k_int, ops);
    keep(acc.extra, &k_int);
    k_int.zeroize();
    core.await_security_mode(nas, ue, kind, pdu, cx);
}

/// Ends the procedure if `pdu` (decoded: `p`) is a SECURITY MODE COMPLETE
/// verifying under `k_int`; a message failing the integrity check is
/// discarded and reported (TS 24.301 §4.4.4.3). Its security header type
/// must say "integrity protected and ciphered with new EPS security context"
/// (4, TS 24.301 §5.4.3.3): the header octet is outside the MAC, so any
/// other type is discarded before the MAC is checked (§4.4.4.3) and counted
/// as ignored (`security_header_type`) — the procedure waits on, as for a
/// lost message.
pub(crate) fn complete_security_mode<X: Default>(
    core: &mut Serving<Nas<X>>,
    ue: Addr,
    k_int: &[u8; 16],
    p: &nas::SecurityProtected,
    pdu: &[u8],
    cx: &mut Ctx<'_>,
) {
    if p.header_type != header_type::INTEGRITY_PROTECTED_CIPHERED_NEW_CONTEXT {
        return cx.fx.ignore("security_header_type");
    }
    if !security_mode_complete(k_int, p, pdu, &mut cx.fx.crypto) {
        cx.fx.outcome(Outcome::AttackDetected {
            subject: ue,
            what: "nas_integrity_failure",
        });
        return;
    }
    // The security context is established; the procedure's state goes.
    core.established(ue, cx);
}

/// ATTACH REJECT with cause #22 and T3346 (TS 24.301 §5.5.1.2.5): no
/// context is opened and no outcome reported (the device is not refused,
/// only deferred); the reject is counted as a message like any other.
fn reject_for_congestion(ue: Addr, t3346: GprsTimer2, cx: &mut Ctx<'_>) {
    let msg = NasMessage::AttachReject(AttachReject {
        cause: EmmCause::CONGESTION,
        esm_message_container: None,
        t3346: Some(t3346),
    });
    cx.fx.send_msg(ue, Interface::Nas, &msg);
}

/// Serving network: runs the attach/authentication/security mode procedures.
pub struct Mme {
    cfg: Arc<Config>,
    core: Serving<Nas>,
    nas: Nas,
    air: AirBuilder,
    /// The last AIA, decoded into kept buffers.
    aia: Aia,
    /// The HSS's overload report and the AIR throttle (DOIC configured).
    doic: Option<Reactor>,
    /// S1 overload control towards the eNB, if configured.
    overload: Option<MmeOverload>,
}

impl Mme {
    pub fn new(cfg: Arc<Config>, hss: Addr) -> Self {
        let nas = Nas::new(Timers {
            retx: cfg.t3460,
            retx_max: cfg.t3460_max_retx,
            tx: cfg.diameter_timeout,
            tx_max: cfg.diameter_max_retx,
        });
        let mut air = AirBuilder::new(&cfg.plmn_digits, cfg.plmn);
        let doic = cfg.doic.map(|_| Reactor::default());
        if doic.is_some() {
            air.announce_doic(Reactor::FEATURES);
        }
        let overload = cfg
            .overload
            .zip(cfg.ran)
            .map(|(o, ran)| MmeOverload::new(o, vec![ran.enb]));
        Self {
            air,
            cfg,
            core: Serving::new(hss),
            nas,
            overload,
            aia: Aia::empty(),
            doic,
        }
    }

    /// UE contexts currently held (registered or in progress).
    pub fn contexts(&self) -> usize {
        self.core.len()
    }

    /// An attach whose AIR DOIC throttles (docs/protocols/overload.md,
    /// "DOIC"): with NAS congestion control configured, the congestion
    /// reject with a T3346 drawn from its range (the device is deferred, no
    /// verdict); otherwise ATTACH REJECT cause #22 without T3346, which the
    /// UE handles as an abnormal case (TS 24.301 §5.5.1.2.6: attempt counter,
    /// T3411), reported as a rejection (`diameter_overload`).
    fn reject_for_hss_overload(&mut self, ue: Addr, cx: &mut Ctx<'_>) {
        match self.cfg.congestion {
            Some(c) => {
                let t3346 = c.t3346(cx.rng);
                reject_for_congestion(ue, t3346, cx);
            }
            None => {
                let cause = EmmCause::CONGESTION;
                self.core
                    .reject(&self.nas, ue, cause, "diameter_overload", cx);
            }
        }
    }

    fn request_vectors(&mut self, ue: Addr, resync: Option<[u8; 30]>, cx: &mut Ctx<'_>) {
        let (cfg, air) = (&self.cfg, &mut self.air);
        let n = cfg.vectors_per_request;
        let build = |id, index| {
            let air = air.build(id, &cfg.plmn_digits, index, n, resync);
            (air.kind(), air.encode())
        };
        self.core.request(&self.nas, ue, build, cx);
    }
}

impl NasUplink for Mme {
    type Extra = NasIntegrityKey;

    fn core(&mut self) -> &mut Serving<Nas> {
        &mut self.core
    }

    fn on_aia(&mut self, pdu: &[u8], cx: &mut Ctx<'_>) {
        if self.aia.decode_into(pdu).is_err() {
            return cx.fx.ignore("undecodable");
        }
        if let (Some(reactor), Some(olr)) = (&mut self.doic, &self.aia.oc_olr) {
            reactor.receive(olr, cx.now);
        }
        // Decoded into kept buffers; the vectors are taken out at once (and
        // dropped with this call when unused, as a decoded value would be).
        let (hop_by_hop, result) = (self.aia.hop_by_hop, self.aia.result);
        let authentication_info = self.aia.authentication_info.take();
        let Some(ue) = self.core.on_answer(hop_by_hop, "AIA", cx) else {
            return;
        };
        let vectors = authentication_info
            .map(|i| i.eutran_vectors)
            .unwrap_or_default();
        if !result.is_success() || vectors.is_empty() {
            let cause = EmmCause::EPS_SERVICES_NOT_ALLOWED;
            return self.core.reject(&self.nas, ue, cause, "hss_refused", cx);
        }
        // The first vector is used now, the rest kept.
        let first = self.core.stock(ue, vectors);
        self.core.challenge(&self.nas, ue, first, cx);
    }

    fn on_attach(&mut self, ue: Addr, req: nas::AttachRequest, cx: &mut Ctx<'_>) {
        let index = match attach_index(&req, &self.cfg.plmn_digits) {
            Ok(index) => index,
            Err((cause, reason)) => return self.core.reject(&self.nas, ue, cause, reason, cx),
        };
        match self.core.context(ue).map(|c| c.step) {
            // A retransmitted attach while we wait for the HSS: keep waiting.
            Some(Step::WaitVectors) => return cx.fx.ignore("AttachRequest"),
            // The UE restarted: resend what we last sent.
            Some(Step::WaitResponse | Step::WaitSecurityMode) => {
                return self.core.resend_last(ue, cx);
            }
            _ => {}
        }
        if let Some(t3346) = self
            .cfg
            .congestion
            .and_then(|c| c.back_off(cx.wait, cx.rng))
        {
            return reject_for_congestion(ue, t3346, cx);
        }
        let needs_air = self.core.context(ue).is_none_or(|c| c.stocked() == 0);
        if needs_air && self.doic.as_mut().is_some_and(|r| r.throttle(cx.now)) {
            return self.reject_for_hss_overload(ue, cx);
        }
        if self.core.begin(ue, index).stocked() == 0 {
            self.request_vectors(ue, None, cx);
        } else {
            self.core.challenge(&self.nas, ue, None, cx);
        }
    }

    fn on_auth_response(&mut self, ue: Addr, res: &[u8], cx: &mut Ctx<'_>) {
        let keep = |x: &mut NasIntegrityKey, k: &[u8; 16]| x.0 = *k;
        command_security_mode(&mut self.core, &self.nas, ue, res, keep, cx);
    }

    fn on_auth_failure(&mut self, ue: Addr, f: nas::AuthenticationFailure, cx: &mut Ctx<'_>) {
        let label = "AuthenticationFailure";
        if let Some((rand, auts)) = self.core.on_failure(&self.nas, ue, failure(&f), label, cx) {
            self.request_vectors(ue, Some(resync_info(rand, auts)), cx);
        }
    }

    fn on_protected(&mut self, ue: Addr, p: nas::SecurityProtected, pdu: &[u8], cx: &mut Ctx<'_>) {
        let step = Step::WaitSecurityMode;
        let Some(c) = self.core.expecting(ue, step, "SecurityProtected", cx) else {
            return;
        };
        let k_int = c.procedure().extra.0;
        complete_security_mode(&mut self.core, ue, &k_int, &p, pdu, cx);
    }
}

impl Endpoint for Mme {
    fn start(&mut self, _: &mut Ctx<'_>) {}

    fn on_message(&mut self, msg: Incoming<'_>, cx: &mut Ctx<'_>) {
        if let Some(o) = &mut self.overload {
            o.observe(cx);
        }
        on_message(self, msg, cx);
    }

    fn on_timer(&mut self, key: TimerKey, cx: &mut Ctx<'_>) {
        if key == TimerKey::own(TimerKind::OverloadCheck)
            && let Some(o) = &mut self.overload
        {
            return o.on_check(cx);
        }
        if let Some(o) = &mut self.overload {
            o.observe(cx);
        }
        if let Some(ue) = self.core.on_timer(&self.nas, key, cx) {
            let cause = EmmCause::NETWORK_FAILURE;
            self.core.reject(&self.nas, ue, cause, "s6a_timeout", cx);
        }
    }
}

#[cfg(test)]
mod size_tests {
    use super::*;
    use crate::aka::serving::Context;

    #[test]
    fn ue_context_is_small() {
        // 10^6 of them live in the MME's table at the end of a storm.
        assert!(std::mem::size_of::<Option<Context<EutranVector, NasIntegrityKey>>>() <= 24);
    }
}
