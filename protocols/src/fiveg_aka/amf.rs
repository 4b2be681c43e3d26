//! The AMF with the SEAF: the shared AKA serving procedure with 5GMM on N1,
//! the AUSF's Nausf_UEAuthentication on N12, the HRES* check, K_AMF and
//! the NAS security mode step.

use std::sync::Arc;

use zeroize::Zeroize;

use super::suci_id::suci_string;
use super::{Config, DOWNLINK, NEA0, NIA2, UPLINK};
use crate::aka::fiveg::SeAv5g;
use crate::aka::imsi_index;
use crate::aka::serving::{Failure, Scheme, Serving, Step, Timers, Vector};
use crate::core::{Addr, Ctx, Endpoint, Incoming, Interface, Outcome, TimerKey, TimerKind};
use crate::crypto::kdf_5g;
use crate::wire::Message;
use crate::wire::nas5g::identity::MobileIdentity5gs;
use crate::wire::nas5g::{
    AuthenticationRequest, AuthenticationResult, Cause5gmm, Nas5g, Nas5gMessage,
    RegistrationRequest, SecurityModeCommand, SecurityProtected5g, TYPICAL_UE_SECURITY_CAPABILITY,
    header_type,
};
use crate::wire::sbi::{
    self, AUSF_UE_AUTHENTICATIONS, AuthResult, AuthenticationInfo, Body, ConfirmationData,
    EapSession, Head, Method, ResynchronizationInfo, SbiMessage,
};

/// What the SEAF keeps of one challenge, with the AUSF's authentication
/// context (the resource it confirms on or posts EAP packets to).
pub enum SeVector {
    /// 5G-AKA: the 5G SE AV.
    FiveG { av: SeAv5g, ctx: String },
    /// EAP-AKA': the EAP-Request the SEAF relays; RAND and the expected
    /// answer stay inside EAP, with the AUSF.
    Eap { request: Vec<u8>, ctx: String },
}

/// The RAND the SEAF does not know for EAP-AKA'.
const NO_RAND: [u8; 16] = [0; 16];

impl SeVector {
    fn ctx(&self) -> &str {
        match self {
            SeVector::FiveG { ctx, .. } | SeVector::Eap { ctx, .. } => ctx,
        }
    }
}

impl Vector for SeVector {
    fn rand(&self) -> &[u8; 16] {
        match self {
            SeVector::FiveG { av, .. } => &av.rand,
            SeVector::Eap { .. } => &NO_RAND,
        }
    }
    /// The SEAF compares HRES* with HXRES* (TS 33.501 §6.1.3.2 step 10);
    /// for EAP-AKA' it compares nothing (empty: no response matches).
    fn xres(&self) -> &[u8] {
        match self {
            SeVector::FiveG { av, .. } => &av.hxres_star,
            SeVector::Eap { .. } => &[],
        }
    }
    fn wipe(&mut self) {
        if let SeVector::FiveG { av, .. } = self {
            av.hxres_star.zeroize();
        }
    }
}

/// What the AMF keeps during one procedure: the SUCI (for a resynchronising
/// request) and K_NASint of the new context.
#[derive(Default)]
pub struct Proc5g {
    suci: String,
    k_nas_int: [u8; 16],
}

impl Drop for Proc5g {
    fn drop(&mut self) {
        self.k_nas_int.zeroize();
    }
}

/// N1 towards the UEs, N12 towards the AUSF.
pub struct N1 {
    timers: Timers,
    abba: [u8; 2],
}

impl Scheme for N1 {
    type Vector = SeVector;
    type Extra = Proc5g;
    type Cause = Cause5gmm;
    const DEVICE: Interface = Interface::N1;
    const HOME: Interface = Interface::N12;
    const RETX: TimerKind = TimerKind::T3560;
    const TX: TimerKind = TimerKind::SbiTx;
    const RETX_EXPIRED: &'static str = "t3560_expired";
    const MAC_FAILURE_REPORTED: &'static str = "ue_reported_mac_failure";

    fn timers(&self) -> Timers {
        self.timers
    }

    fn challenge(&self, ksi: u8, v: &SeVector) -> (&'static str, Vec<u8>) {
        let (rand_autn, eap) = match v {
            SeVector::FiveG { av, .. } => (Some((av.rand, av.autn)), None),
            SeVector::Eap { request, .. } => (None, Some(request.clone())),
        };
        let msg = Nas5gMessage::AuthenticationRequest(AuthenticationRequest {
            ngksi: ksi,
            abba: self.abba.to_vec(),
            rand_autn,
            eap,
        });
        (msg.kind(), msg.encode())
    }

    fn attach_reject(&self, cause: Cause5gmm) -> (&'static str, Vec<u8>) {
        let msg = Nas5gMessage::RegistrationReject(cause);
        (msg.kind(), msg.encode())
    }

    fn authentication_reject(&self) -> (&'static str, Vec<u8>) {
        let msg = Nas5gMessage::AuthenticationReject(None);
        (msg.kind(), msg.encode())
    }
}

/// One N12 request on stream `stream_of(id)`: (kind, PDU).
fn request(
    authority: &str,
    id: u32,
    path: String,
    method: Method,
    body: Body,
) -> (&'static str, Vec<u8>) {
    let msg = SbiMessage {
        stream_id: sbi::stream_of(id),
        head: Head::Request {
            method,
            authority: authority.to_string(),
            path,
        },
        body,
    };
    (msg.kind(), msg.encode())
}

/// Subscriber index of a context whose SUPI the AUSF has not yet given.
const NO_SUBSCRIBER: u32 = u32::MAX;

/// Serving network: registration, 5G-AKA as SEAF, NAS security mode.
pub struct Amf {
    cfg: Arc<Config>,
    core: Serving<N1>,
    n1: N1,
    /// `:authority` of the AUSF.
    ausf_authority: String,
}

impl Amf {
    pub fn new(cfg: Arc<Config>, ausf: Addr) -> Self {
        let n1 = N1 {
            timers: Timers {
                retx: cfg.t3560,
                retx_max: cfg.t3560_max_retx,
                tx: cfg.sbi_timeout,
                tx_max: cfg.sbi_max_retx,
            },
            abba: cfg.abba,
        };
        Self {
            ausf_authority: sbi::nf_fqdn("ausf", &cfg.mcc, &cfg.mnc),
            cfg,
            core: Serving::new(ausf),
            n1,
        }
    }

    /// UE contexts currently held.
    pub fn contexts(&self) -> usize {
        self.core.len()
    }

    /// Nausf_UEAuthentication_Authenticate for the UE's SUCI (with
    /// RAND ‖ AUTS after a synch failure).
    fn authenticate(&mut self, ue: Addr, resync: Option<([u8; 16], [u8; 14])>, cx: &mut Ctx<'_>) {
        let Some(c) = self.core.context_mut(ue) else {
            return;
        };
        let body = Body::AuthenticationInfo(AuthenticationInfo {
            supi_or_suci: c.procedure().extra.suci.clone(),
            serving_network_name: self.cfg.snn.as_str().to_string(),
            resynchronization_info: resync.map(|(rand, auts)| ResynchronizationInfo {
                rand: sbi::hex_of(&rand),
                auts: sbi::hex_of(&auts),
            }),
        });
        let path = AUSF_UE_AUTHENTICATIONS.to_string();
        let authority = &self.ausf_authority;
        let build = |id, _| request(authority, id, path, Method::Post, body);
        let (n1, core) = (&self.n1, &mut self.core);
        core.request(n1, ue, build, cx);
    }

    fn on_registration(&mut self, ue: Addr, req: RegistrationRequest, cx: &mut Ctx<'_>) {
        let suci = match &req.identity {
            MobileIdentity5gs::Suci(s)
                if s.plmn.mcc == self.cfg.mcc && s.plmn.mnc == self.cfg.mnc =>
            {
                suci_string(s)
            }
            MobileIdentity5gs::Suci(_) => {
                let cause = Cause5gmm::ILLEGAL_UE;
                return self.core.reject(&self.n1, ue, cause, "foreign_suci", cx);
            }
            // A 5G-GUTI names a context this AMF does not have (no mobility modelled).
            MobileIdentity5gs::Guti(_) => None,
        };
        let Some(suci) = suci else {
            let cause = Cause5gmm::ILLEGAL_UE;
            return self.core.reject(&self.n1, ue, cause, "no_suci", cx);
        };
        match self.core.context(ue).map(|c| c.step) {
            Some(Step::WaitVectors) => return cx.fx.ignore("RegistrationRequest"),
            Some(Step::WaitResponse | Step::WaitSecurityMode) => {
                return self.core.resend_last(ue, cx);
            }
            _ => {}
        }
        self.core.begin(ue, NO_SUBSCRIBER).procedure().extra.suci = suci;
        self.authenticate(ue, None, cx);
    }

    /// SEAF: HRES* = SHA-256(RAND ‖ RES*) against HXRES*; a match sends
    /// RES* to the AUSF for confirmation.
    fn on_auth_response(&mut self, ue: Addr, res_star: [u8; 16], cx: &mut Ctx<'_>) {
        let label = "AuthenticationResponse";
        let rand = match self.core.context_mut(ue) {
            Some(c) if c.step == Step::WaitResponse => match c.procedure().current.as_ref() {
                Some(SeVector::FiveG { av, .. }) => Some(av.rand),
                _ => None,
            },
            _ => None,
        };
        let Some(rand) = rand else {
            return cx.fx.ignore(label);
        };
        let hres = kdf_5g::hres_star(&rand, &res_star, &mut cx.fx.crypto);
        let Some(acc) = self.core.on_response(&self.n1, ue, &hres, label, cx) else {
            return;
        };
        let path = sbi::confirmation_path(acc.vector.ctx());
        cx.fx.cancel(TimerKey::for_peer(ue, TimerKind::T3560));
        let body = Body::ConfirmationData(ConfirmationData {
            res_star: sbi::hex_of(&res_star),
        });
        let authority = &self.ausf_authority;
        let build = |id, _| request(authority, id, path, Method::Put, body);
        let (n1, core) = (&self.n1, &mut self.core);
        core.request(n1, ue, build, cx);
    }

    fn on_auth_failure(
        &mut self,
        ue: Addr,
        cause: Cause5gmm,
        auts: Option<[u8; 14]>,
        cx: &mut Ctx<'_>,
    ) {
        // Under EAP-AKA' the UE reports failures inside EAP (RFC 9048); a
        // 5GMM AUTHENTICATION FAILURE then has no RAND to resynchronise.
        let eap = matches!(
            self.core
                .context_mut(ue)
                .and_then(|c| c.procedure().current.as_ref()),
            Some(SeVector::Eap { .. })
        );
        let failure = match (cause, auts) {
            _ if eap => Failure::Other,
            (Cause5gmm::SYNCH_FAILURE, Some(auts)) => Failure::Synch(auts),
            (Cause5gmm::MAC_FAILURE, _) => Failure::Mac,
            _ => Failure::Other,
        };
        let label = "AuthenticationFailure";
        if let Some(resync) = self.core.on_failure(&self.n1, ue, failure, label, cx) {
            self.authenticate(ue, Some(resync), cx);
        }
    }

    /// An N12 response: the 5G SE AV (challenge the UE), the confirmation
    /// (K_SEAF and SUPI: security mode), or a problem (reject).
    fn on_sbi(&mut self, pdu: &[u8], cx: &mut Ctx<'_>) {
        let msg = match SbiMessage::decode(pdu) {
            Ok(m) => m,
            Err(_) => return cx.fx.ignore("undecodable"),
        };
        if !matches!(msg.head, Head::Response { .. }) {
            return cx.fx.ignore(msg.kind());
        }
        let Some(ue) = self
            .core
            .on_answer(sbi::id_of(msg.stream_id), msg.kind(), cx)
        else {
            return;
        };
        match msg.body {
            Body::UeAuthenticationCtx(ctx) => {
                let av = &ctx.five_g_auth_data;
                let link = ctx
                    .links
                    .get("5g-aka")
                    .and_then(|l| sbi::confirmation_ctx(&l.href));
                let v = match (
                    sbi::octets(&av.rand),
                    sbi::octets(&av.autn),
                    sbi::octets(&av.hxres_star),
                    link,
                ) {
                    (Some(rand), Some(autn), Some(hxres_star), Some(link)) => SeVector::FiveG {
                        av: SeAv5g {
                            rand,
                            autn,
                            hxres_star,
                        },
                        ctx: link.to_string(),
                    },
                    _ => {
                        let cause = Cause5gmm::ILLEGAL_UE;
                        return self.core.reject(&self.n1, ue, cause, "ausf_bad_answer", cx);
                    }
                };
                self.core.challenge(&self.n1, ue, Some(v), cx);
            }
            Body::ConfirmationDataResponse(r) => {
                let keys = match (r.auth_result, r.supi.as_deref(), r.kseaf.as_deref()) {
                    (AuthResult::AuthenticationSuccess, Some(supi), Some(kseaf)) => {
                        supi.strip_prefix("imsi-").zip(sbi::octets::<32>(kseaf))
                    }
                    _ => None,
                };
                match keys {
                    Some((digits, kseaf)) => self.security_mode(ue, digits, kseaf, cx),
                    None => {
                        let (kind, pdu) = self.n1.authentication_reject();
                        cx.fx.send(ue, Interface::N1, kind, pdu);
                        self.core.device_ended(ue, "ausf_res_star_mismatch", cx);
                    }
                }
            }
            Body::UeAuthenticationCtxEap(ctx) => {
                let link = ctx
                    .links
                    .get(sbi::EAP_SESSION)
                    .and_then(|l| sbi::eap_session_ctx(&l.href));
                self.eap_challenge(ue, &ctx.five_g_auth_data, link, cx);
            }
            Body::EapSession(s) => self.on_eap_session(ue, s, cx),
            Body::ProblemDetails(p) => {
                let reason = match p.cause.as_str() {
                    "USER_NOT_FOUND" => "user_not_found",
                    "AUTHENTICATION_REJECTED" => "authentication_rejected",
                    _ => "ausf_refused",
                };
                self.core
                    .reject(&self.n1, ue, Cause5gmm::ILLEGAL_UE, reason, cx);
            }
            other => cx.fx.ignore(other.name()),
        }
    }

    /// Relays an EAP-Request of the AUSF in AUTHENTICATION REQUEST (with
    /// ngKSI and ABBA, TS 24.501 §5.4.1.3.2) under T3560. The SEAF checks only
    /// that the payload is an EAP packet's length of base64.
    fn eap_challenge(&mut self, ue: Addr, payload: &str, link: Option<&str>, cx: &mut Ctx<'_>) {
        let request = sbi::base64_octets(payload).filter(|p| (4..=1500).contains(&p.len()));
        let (Some(request), Some(link)) = (request, link) else {
            let cause = Cause5gmm::ILLEGAL_UE;
            return self.core.reject(&self.n1, ue, cause, "ausf_bad_answer", cx);
        };
        let v = SeVector::Eap {
            request,
            ctx: link.to_string(),
        };
        self.core.challenge(&self.n1, ue, Some(v), cx);
    }

    /// AUTHENTICATION RESPONSE with an EAP message: relayed to the AUSF's
    /// EAP session (POST .../eap-session, TS 29.509 §5.2.2.2.3).
    fn on_eap_response(&mut self, ue: Addr, eap: Vec<u8>, cx: &mut Ctx<'_>) {
        let label = "AuthenticationResponse";
        let ctx = match self.core.context_mut(ue) {
            Some(c) if c.step == Step::WaitResponse => match c.procedure().current.as_ref() {
                Some(SeVector::Eap { ctx, .. }) => Some(ctx.clone()),
                _ => None,
            },
            _ => None,
        };
        let Some(ctx) = ctx else {
            return cx.fx.ignore(label);
        };
        cx.fx.cancel(TimerKey::for_peer(ue, TimerKind::T3560));
        let body = Body::EapSession(EapSession {
            eap_payload: sbi::base64_of(&eap),
            k_seaf: None,
            links: None,
            auth_result: None,
            supi: None,
        });
        let path = sbi::eap_session_path(&ctx);
        let authority = &self.ausf_authority;
        let build = |id, _| request(authority, id, path, Method::Post, body);
        let (n1, core) = (&self.n1, &mut self.core);
        core.request(n1, ue, build, cx);
    }

    /// The AUSF's EapSession answer: success → AUTHENTICATION RESULT with
    /// the EAP-Success, then the security mode step with K_SEAF; failure →
    /// AUTHENTICATION REJECT with the EAP-Failure; no result yet → the next
    /// EAP-Request (after a resynchronisation) is relayed.
    fn on_eap_session(&mut self, ue: Addr, s: EapSession, cx: &mut Ctx<'_>) {
        let payload = sbi::base64_octets(&s.eap_payload).filter(|p| (4..=1500).contains(&p.len()));
        let Some(payload) = payload else {
            let cause = Cause5gmm::ILLEGAL_UE;
            return self.core.reject(&self.n1, ue, cause, "ausf_bad_answer", cx);
        };
        match s.auth_result {
            None => {
                let link = s
                    .links
                    .as_ref()
                    .and_then(|l| l.get(sbi::EAP_SESSION))
                    .and_then(|l| sbi::eap_session_ctx(&l.href));
                self.eap_challenge(ue, &s.eap_payload, link, cx);
            }
            Some(AuthResult::AuthenticationSuccess) => {
                let keys = s
                    .supi
                    .as_deref()
                    .and_then(|supi| supi.strip_prefix("imsi-"))
                    .zip(s.k_seaf.as_deref().and_then(sbi::octets::<32>));
                let (Some((digits, kseaf)), Some(c)) = (keys, self.core.context(ue)) else {
                    let cause = Cause5gmm::ILLEGAL_UE;
                    return self.core.reject(&self.n1, ue, cause, "ausf_bad_answer", cx);
                };
                let result = Nas5gMessage::AuthenticationResult(AuthenticationResult {
                    ngksi: c.ksi,
                    eap: payload,
                    abba: Some(self.cfg.abba.to_vec()),
                });
                cx.fx.send_msg(ue, Interface::N1, &result);
                self.security_mode(ue, digits, kseaf, cx);
            }
            Some(AuthResult::AuthenticationFailure) => {
                let reject = Nas5gMessage::AuthenticationReject(Some(payload));
                cx.fx.send_msg(ue, Interface::N1, &reject);
                self.core.device_ended(ue, "ausf_eap_failure", cx);
            }
        }
    }

    /// K_AMF from K_SEAF, the SUPI and ABBA, K_NASint, then SECURITY MODE
    /// COMMAND (type 3, NAS COUNT 0, downlink) under T3560.
    fn security_mode(
        &mut self,
        ue: Addr,
        supi_digits: &str,
        mut kseaf: [u8; 32],
        cx: &mut Ctx<'_>,
    ) {
        let index = imsi_index(&self.cfg.plmn_digits, supi_digits);
        let Some(c) = self.core.context_mut(ue) else {
            return kseaf.zeroize();
        };
        let ops = &mut cx.fx.crypto;
        let kamf = kdf_5g::kamf(&kseaf, supi_digits.as_bytes(), &self.cfg.abba, ops);
        kseaf.zeroize();
        let (Ok(mut kamf), Some(index)) = (kamf, index) else {
            let cause = Cause5gmm::ILLEGAL_UE;
            return self.core.reject(&self.n1, ue, cause, "ausf_bad_supi", cx);
        };
        c.index = index;
        let ksi = c.ksi;
        let k_int = kdf_5g::nas_key(&kamf, kdf_5g::N_NAS_INT_ALG, NIA2, ops);
        kamf.zeroize();
        let smc = Nas5gMessage::SecurityModeCommand(SecurityModeCommand {
            ciphering_algorithm: NEA0,
            integrity_algorithm: NIA2,
            ngksi: ksi,
            replayed_ue_security_capability: TYPICAL_UE_SECURITY_CAPABILITY.to_vec(),
            imeisv_request: None,
        });
        let p = SecurityProtected5g::protect(
            header_type::INTEGRITY_PROTECTED_NEW_CONTEXT,
            smc.encode(),
            &k_int,
            0,
            DOWNLINK,
            ops,
        );
        c.procedure().extra.k_nas_int = k_int;
        self.core
            .await_security_mode(&self.n1, ue, smc.kind(), p.encode(), cx);
    }

    /// SECURITY MODE COMPLETE: type 4, its uplink MAC under K_NASint; the
    /// security context is then established. A wrong header type is
    /// discarded before the MAC is checked (TS 24.501 §4.4.4.3).
    fn on_protected(&mut self, ue: Addr, p: SecurityProtected5g, cx: &mut Ctx<'_>) {
        let step = Step::WaitSecurityMode;
        let Some(c) = self.core.expecting(ue, step, "SecurityProtected", cx) else {
            return;
        };
        if p.header_type != header_type::INTEGRITY_PROTECTED_CIPHERED_NEW_CONTEXT {
            return cx.fx.ignore("security_header_type");
        }
        let k_int = c.procedure().extra.k_nas_int;
        let ok = p.verify(&k_int, p.seq as u32, UPLINK, &mut cx.fx.crypto)
            && matches!(p.decode_inner(), Ok(Nas5gMessage::SecurityModeComplete(_)));
        if !ok {
            return cx.fx.outcome(Outcome::AttackDetected {
                subject: ue,
                what: "nas_integrity_failure",
            });
        }
        self.core.established(ue, cx);
    }
}

impl Endpoint for Amf {
    fn start(&mut self, _: &mut Ctx<'_>) {}

    fn on_message(&mut self, msg: Incoming<'_>, cx: &mut Ctx<'_>) {
        let (ue, pdu) = (msg.from, msg.pdu);
        match msg.interface {
            Interface::N12 => return self.on_sbi(pdu, cx),
            Interface::N1 => {}
            other => return cx.fx.ignore(other.name()),
        }
        match Nas5g::decode(pdu) {
            Ok(Nas5g::Plain(Nas5gMessage::RegistrationRequest(r))) => {
                self.on_registration(ue, r, cx)
            }
            Ok(Nas5g::Plain(Nas5gMessage::AuthenticationResponse(r))) => {
                match (r.res_star, r.eap) {
                    (Some(res_star), None) => self.on_auth_response(ue, res_star, cx),
                    (None, Some(eap)) => self.on_eap_response(ue, eap, cx),
                    _ => cx.fx.ignore("AuthenticationResponse"),
                }
            }
            Ok(Nas5g::Plain(Nas5gMessage::AuthenticationFailure(f))) => {
                self.on_auth_failure(ue, f.cause, f.auts, cx)
            }
            Ok(Nas5g::Plain(Nas5gMessage::SecurityModeReject(_))) => {
                // TS 24.501 §5.4.2.5: stop T3560, abort the procedure.
                match self.core.context(ue).map(|c| c.step) {
                    Some(Step::WaitSecurityMode) => {
                        self.core.device_ended(ue, "security_mode_reject", cx)
                    }
                    _ => cx.fx.ignore("SecurityModeReject"),
                }
            }
            Ok(Nas5g::Protected(p)) => self.on_protected(ue, p, cx),
            Ok(other) => cx.fx.ignore(other.kind()),
            Err(_) => cx.fx.ignore("undecodable"),
        }
    }

    fn on_timer(&mut self, key: TimerKey, cx: &mut Ctx<'_>) {
        if let Some(ue) = self.core.on_timer(&self.n1, key, cx) {
            let cause = Cause5gmm::CONGESTION;
            self.core.reject(&self.n1, ue, cause, "n12_timeout", cx);
        }
    }
}
