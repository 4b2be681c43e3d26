//! The AUSF: Nausf_UEAuthentication (TS 29.509) towards the AMF on N12,
//! Nudm_UEAuthentication_Get towards the UDM on N13. It keeps XRES* and
//! K_AUSF per authentication context, gives the SEAF the 5G SE AV (HXRES*),
//! checks RES* and returns K_SEAF with the SUPI (TS 33.501 §6.1.3.2).

use std::collections::BTreeMap;
use std::sync::Arc;

use rustc_hash::FxHashMap;
use zeroize::Zeroize;

use super::Config;
use super::eap::{self, EapAv, EapServer, ServerVerdict};
use crate::aka::fiveg::HeAv5g;
use crate::core::{Addr, Ctx, Endpoint, Incoming, Interface, TimerKey};
use crate::wire::Message;
use crate::wire::sbi::{
    self, AUSF_UE_AUTHENTICATIONS, AuthResult, AuthType, AuthenticationInfo,
    AuthenticationInfoRequest, AuthenticationVector, Av5gAka, Body, ConfirmationData,
    ConfirmationDataResponse, EapSession, Head, Link, Method, ProblemDetails,
    ResynchronizationInfo, SbiMessage, UeAuthenticationCtx, UeAuthenticationCtxEap,
};

/// An AMF request waiting for the UDM's answer.
struct Pending {
    amf: Addr,
    amf_stream: u32,
    /// The EAP session this request resynchronises (its answer is a new
    /// challenge in that session), or `None` for a new authentication.
    eap_ctx: Option<u32>,
}

/// One authentication context (`authCtxId`) until its confirmation (5G-AKA)
/// or the end of its EAP session (EAP-AKA').
enum AuthCtx {
    FiveG { he: HeAv5g, supi: String },
    Eap { server: EapServer, supi: String },
}

/// Home network: the authentication server function.
pub struct Ausf {
    cfg: Arc<Config>,
    udm: Addr,
    /// Its own `:authority` and that of the UDM.
    /// `https://` and the AUSF's authority: the start of every URI it
    /// hands out (links and `location`), built once.
    base: String,
    udm_authority: String,
    /// Requests to the UDM by request id (stream = `stream_of(id)`).
    pending: FxHashMap<u32, Pending>,
    next_request: u32,
    contexts: FxHashMap<u32, AuthCtx>,
    next_ctx: u32,
    /// EAP sessions waiting for the UDM's resynchronised vector.
    resyncing: FxHashMap<u32, EapServerSlot>,
}

/// `authCtxId` number `n` as a UUID-shaped string (36 characters, version
/// 4 and variant nibbles as a random UUID has them), so every context id
/// has the size a real one has.
pub fn ctx_id(n: u32) -> String {
    const PREFIX: &str = "00000000-0000-4000-8000-";
    // `n` in 12 decimal digits, zero-padded (a u32 has at most 10), written
    // without the formatting machinery: one id per registration.
    let mut digits = [b'0'; 12];
    let mut rest = n;
    for d in digits.iter_mut().rev() {
        *d = b'0' + (rest % 10) as u8;
        rest /= 10;
    }
    let mut id = String::with_capacity(PREFIX.len() + digits.len());
    id.push_str(PREFIX);
    id.extend(digits.iter().map(|&d| char::from(d)));
    id
}

fn ctx_number(id: &str) -> Option<u32> {
    id.strip_prefix("00000000-0000-4000-8000-")
        .filter(|d| d.len() == 12)?
        .parse()
        .ok()
}

impl Ausf {
    pub fn new(cfg: Arc<Config>, udm: Addr) -> Self {
        Self {
            base: format!("https://{}", sbi::nf_fqdn("ausf", &cfg.mcc, &cfg.mnc)),
            udm_authority: sbi::nf_fqdn("udm", &cfg.mcc, &cfg.mnc),
            cfg,
            udm,
            pending: FxHashMap::default(),
            next_request: 1,
            contexts: FxHashMap::default(),
            next_ctx: 1,
            resyncing: FxHashMap::default(),
        }
    }

    /// Authentication contexts awaiting confirmation (5G-AKA) or the peer's
    /// EAP-Response (EAP-AKA'), and EAP sessions being resynchronised.
    pub fn contexts(&self) -> usize {
        self.contexts.len() + self.resyncing.len()
    }

    fn respond(
        &self,
        to: Addr,
        stream: u32,
        status: u16,
        location: Option<String>,
        body: Body,
        cx: &mut Ctx<'_>,
    ) {
        let msg = SbiMessage {
            stream_id: stream,
            head: Head::Response { status, location },
            body,
        };
        cx.fx.send_msg(to, Interface::N12, &msg);
    }

    fn problem(&self, to: Addr, stream: u32, status: u16, cause: &str, cx: &mut Ctx<'_>) {
        let body = Body::ProblemDetails(ProblemDetails {
            status,
            cause: cause.into(),
        });
        self.respond(to, stream, status, None, body, cx);
    }

    /// POST ue-authentications: the serving network must be this PLMN's
    /// (TS 33.501 §6.1.2); then Nudm_UEAuthentication_Get.
    fn on_authenticate(
        &mut self,
        amf: Addr,
        stream: u32,
        info: AuthenticationInfo,
        cx: &mut Ctx<'_>,
    ) {
        if info.serving_network_name != self.cfg.snn.as_str() {
            return self.problem(amf, stream, 403, "SERVING_NETWORK_NOT_AUTHORIZED", cx);
        }
        if !sbi::is_path_subject(&info.supi_or_suci) {
            return self.problem(amf, stream, 400, "MANDATORY_IE_INCORRECT", cx);
        }
        let pending = Pending {
            amf,
            amf_stream: stream,
            eap_ctx: None,
        };
        self.ask_udm(pending, &info.supi_or_suci, info.resynchronization_info, cx);
    }

    /// Nudm_UEAuthentication_Get for `subject` (SUCI or SUPI).
    fn ask_udm(
        &mut self,
        pending: Pending,
        subject: &str,
        resync: Option<ResynchronizationInfo>,
        cx: &mut Ctx<'_>,
    ) {
        let id = self.next_request;
        self.next_request = self.next_request.wrapping_add(1).max(1);
        self.pending.insert(id, pending);
        let msg = SbiMessage {
            stream_id: sbi::stream_of(id),
            head: Head::Request {
                method: Method::Post,
                authority: self.udm_authority.clone(),
                path: sbi::generate_auth_data_path(subject),
            },
            body: Body::AuthenticationInfoRequest(AuthenticationInfoRequest {
                serving_network_name: self.cfg.snn.as_str().to_string(),
                resynchronization_info: resync,
                ausf_instance_id: self.cfg.ausf_instance_id.clone(),
            }),
        };
        cx.fx.send_msg(self.udm, Interface::N13, &msg);
    }

    /// POST eap-session: the EAP server's step on an EAP-Response (TS
    /// 33.501 §6.1.3.1 steps 6-9). Success ends the session with
    /// EAP-Success, K_SEAF and the SUPI; a Synchronization-Failure (at most
    /// twice) resynchronises through the UDM and challenges again in the
    /// same session; anything else ends it with EAP-Failure.
    fn on_eap_session(
        &mut self,
        amf: Addr,
        stream: u32,
        path: &str,
        session: EapSession,
        cx: &mut Ctx<'_>,
    ) {
        let n = sbi::eap_session_ctx(path).and_then(ctx_number);
        let Some(AuthCtx::Eap { server, supi }) = n.and_then(|n| self.contexts.remove(&n)) else {
            return self.problem(amf, stream, 404, "CONTEXT_NOT_FOUND", cx);
        };
        let pdu = sbi::base64_octets(&session.eap_payload).unwrap_or_default();
        let identifier = server.identifier;
        let verdict = server.on_response(&pdu, &mut cx.fx.crypto);
        let (success, kseaf, supi_out) = match verdict {
            ServerVerdict::Success { mut kausf } => {
                let k = eap::kseaf(&kausf, &self.cfg.snn, &mut cx.fx.crypto);
                kausf.zeroize();
                (true, Some(sbi::hex_of(&k)), Some(supi))
            }
            ServerVerdict::Resync { auts } if server.resyncs < 2 => {
                let resync = ResynchronizationInfo {
                    rand: sbi::hex_of(&server.rand),
                    auts: sbi::hex_of(&auts),
                };
                let pending = Pending {
                    amf,
                    amf_stream: stream,
                    eap_ctx: n,
                };
                let next = EapServerSlot {
                    identifier: identifier.wrapping_add(1),
                    resyncs: server.resyncs + 1,
                };
                if let Some(n) = n {
                    self.resyncing.insert(n, next);
                }
                return self.ask_udm(pending, &supi, Some(resync), cx);
            }
            ServerVerdict::Resync { .. } | ServerVerdict::Failure(_) => (false, None, None),
        };
        let body = Body::EapSession(EapSession {
            eap_payload: sbi::base64_of(&eap::result_packet(identifier, success)),
            k_seaf: kseaf,
            links: None,
            auth_result: Some(if success {
                AuthResult::AuthenticationSuccess
            } else {
                AuthResult::AuthenticationFailure
            }),
            supi: supi_out,
        });
        self.respond(amf, stream, 200, None, body, cx);
    }

    /// PUT 5g-aka-confirmation: RES* against XRES* (constant time); K_SEAF
    /// and the SUPI on success. The context ends either way.
    fn on_confirm(
        &mut self,
        amf: Addr,
        stream: u32,
        path: &str,
        data: ConfirmationData,
        cx: &mut Ctx<'_>,
    ) {
        let n = sbi::confirmation_ctx(path).and_then(ctx_number);
        let Some(AuthCtx::FiveG { he, supi }) = n.and_then(|n| self.contexts.remove(&n)) else {
            return self.problem(amf, stream, 404, "CONTEXT_NOT_FOUND", cx);
        };
        let res_star = hex::decode(&data.res_star).unwrap_or_default();
        let body = match he.confirm(&res_star, &self.cfg.snn, &mut cx.fx.crypto) {
            Some(kseaf) => ConfirmationDataResponse {
                auth_result: AuthResult::AuthenticationSuccess,
                supi: Some(supi),
                kseaf: Some(sbi::hex_of(&kseaf)),
            },
            None => ConfirmationDataResponse {
                auth_result: AuthResult::AuthenticationFailure,
                supi: None,
                kseaf: None,
            },
        };
        self.respond(
            amf,
            stream,
            200,
            None,
            Body::ConfirmationDataResponse(body),
            cx,
        );
    }

    /// The UDM's answer: keep the 5G HE AV, give the AMF the 5G SE AV
    /// (HXRES*) and the confirmation link; relay a problem as it is.
    fn on_udm(&mut self, msg: SbiMessage, cx: &mut Ctx<'_>) {
        let Some(p) = self.pending.remove(&sbi::id_of(msg.stream_id)) else {
            return cx.fx.ignore(msg.kind());
        };
        let result = match msg.body {
            Body::AuthenticationInfoResult(r) => r,
            Body::ProblemDetails(pd) => {
                if let Some(n) = p.eap_ctx {
                    self.resyncing.remove(&n);
                }
                return self.problem(p.amf, p.amf_stream, pd.status, &pd.cause, cx);
            }
            other => return cx.fx.ignore(other.name()),
        };
        let av = match result.authentication_vector {
            AuthenticationVector::FiveGHeAka(av) => av,
            AuthenticationVector::EapAkaPrime(av) => {
                return self.on_eap_vector(p, av, result.supi, cx);
            }
        };
        if p.eap_ctx.is_some() {
            return self.problem(p.amf, p.amf_stream, 500, "SYSTEM_FAILURE", cx);
        }
        let he = match (
            sbi::octets(&av.rand),
            sbi::octets(&av.autn),
            sbi::octets(&av.xres_star),
            sbi::octets(&av.kausf),
        ) {
            (Some(rand), Some(autn), Some(xres_star), Some(kausf)) => HeAv5g {
                rand,
                autn,
                xres_star,
                kausf,
            },
            _ => return self.problem(p.amf, p.amf_stream, 500, "SYSTEM_FAILURE", cx),
        };
        let se = he.se_av(&mut cx.fx.crypto);
        let n = self.next_ctx;
        self.next_ctx = self.next_ctx.wrapping_add(1);
        let id = ctx_id(n);
        self.contexts.insert(
            n,
            AuthCtx::FiveG {
                he,
                supi: result.supi,
            },
        );
        let base = self.base.as_str();
        let links = BTreeMap::from([(
            "5g-aka".to_string(),
            Link {
                href: sbi::concat(&[
                    base,
                    AUSF_UE_AUTHENTICATIONS,
                    "/",
                    &id,
                    "/",
                    sbi::CONFIRMATION_5G_AKA,
                ]),
            },
        )]);
        let body = Body::UeAuthenticationCtx(UeAuthenticationCtx {
            auth_type: AuthType::FiveGAka,
            five_g_auth_data: Av5gAka {
                rand: sbi::hex_of(&se.rand),
                hxres_star: sbi::hex_of(&se.hxres_star),
                autn: sbi::hex_of(&se.autn),
            },
            links,
            serving_network_name: None,
        });
        let location = sbi::concat(&[base, AUSF_UE_AUTHENTICATIONS, "/", &id]);
        self.respond(p.amf, p.amf_stream, 201, Some(location), body, cx);
    }
}

impl Ausf {
    /// The UDM's EAP-AKA' vector: the EAP server's keys and the
    /// EAP-Request/AKA'-Challenge, sent as the 201 UEAuthenticationCtx of a
    /// new authentication or as the 200 EapSession of a resynchronised one.
    fn on_eap_vector(
        &mut self,
        p: Pending,
        av: sbi::AvEapAkaPrime,
        supi: String,
        cx: &mut Ctx<'_>,
    ) {
        let av = match (
            sbi::octets(&av.rand),
            sbi::octets(&av.autn),
            hex::decode(&av.xres)
                .ok()
                .filter(|x| (4..=16).contains(&x.len())),
            sbi::octets(&av.ck_prime),
            sbi::octets(&av.ik_prime),
        ) {
            (Some(rand), Some(autn), Some(xres), Some(ck_prime), Some(ik_prime)) => EapAv {
                rand,
                autn,
                xres,
                ck_prime,
                ik_prime,
            },
            _ => return self.problem(p.amf, p.amf_stream, 500, "SYSTEM_FAILURE", cx),
        };
        let (n, slot) = match p.eap_ctx {
            Some(n) => match self.resyncing.remove(&n) {
                Some(slot) => (n, slot),
                None => return self.problem(p.amf, p.amf_stream, 404, "CONTEXT_NOT_FOUND", cx),
            },
            None => {
                let n = self.next_ctx;
                self.next_ctx = self.next_ctx.wrapping_add(1);
                // The first Identifier of a session: any value (RFC 3748 §4);
                // the low octet of the context number spreads them.
                let slot = EapServerSlot {
                    identifier: n as u8,
                    resyncs: 0,
                };
                (n, slot)
            }
        };
        let (server, request) = EapServer::challenge(
            &av,
            &supi,
            &self.cfg.snn,
            slot.identifier,
            slot.resyncs,
            &mut cx.fx.crypto,
        );
        self.contexts.insert(n, AuthCtx::Eap { server, supi });
        let id = ctx_id(n);
        let base = self.base.as_str();
        let links = BTreeMap::from([(
            sbi::EAP_SESSION.to_string(),
            Link {
                href: sbi::concat(&[
                    base,
                    AUSF_UE_AUTHENTICATIONS,
                    "/",
                    &id,
                    "/",
                    sbi::EAP_SESSION,
                ]),
            },
        )]);
        let payload = sbi::base64_of(&request);
        if p.eap_ctx.is_some() {
            let body = Body::EapSession(EapSession {
                eap_payload: payload,
                k_seaf: None,
                links: Some(links),
                auth_result: None,
                supi: None,
            });
            return self.respond(p.amf, p.amf_stream, 200, None, body, cx);
        }
        let body = Body::UeAuthenticationCtxEap(UeAuthenticationCtxEap {
            auth_type: AuthType::EapAkaPrime,
            five_g_auth_data: payload,
            links,
        });
        let location = sbi::concat(&[base, AUSF_UE_AUTHENTICATIONS, "/", &id]);
        self.respond(p.amf, p.amf_stream, 201, Some(location), body, cx);
    }
}

/// Identifier and resynchronisation count of an EAP session's next
/// challenge while the UDM resynchronises.
struct EapServerSlot {
    identifier: u8,
    resyncs: u8,
}

impl Endpoint for Ausf {
    fn start(&mut self, _: &mut Ctx<'_>) {}

    fn on_message(&mut self, msg: Incoming<'_>, cx: &mut Ctx<'_>) {
        let iface = msg.interface;
        if !matches!(iface, Interface::N12 | Interface::N13) {
            return cx.fx.ignore(iface.name());
        }
        let m = match SbiMessage::decode(msg.pdu) {
            Ok(m) => m,
            Err(_) => return cx.fx.ignore("undecodable"),
        };
        let kind = m.kind();
        match (iface, m.head, m.body) {
            (Interface::N13, head @ Head::Response { .. }, body) => {
                let m = SbiMessage {
                    stream_id: m.stream_id,
                    head,
                    body,
                };
                self.on_udm(m, cx);
            }
            (
                Interface::N12,
                Head::Request {
                    method: Method::Post,
                    ..
                },
                Body::AuthenticationInfo(info),
            ) => self.on_authenticate(msg.from, m.stream_id, info, cx),
            (
                Interface::N12,
                Head::Request {
                    method: Method::Put,
                    path,
                    ..
                },
                Body::ConfirmationData(d),
            ) => self.on_confirm(msg.from, m.stream_id, &path, d, cx),
            (
                Interface::N12,
                Head::Request {
                    method: Method::Post,
                    path,
                    ..
                },
                Body::EapSession(e),
            ) => self.on_eap_session(msg.from, m.stream_id, &path, e, cx),
            _ => cx.fx.ignore(kind),
        }
    }

    fn on_timer(&mut self, key: TimerKey, cx: &mut Ctx<'_>) {
        cx.fx.ignore(key.kind().name());
    }
}
