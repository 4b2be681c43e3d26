//! The UDM with the ARPF and the SIDF: Nudm_UEAuthentication_Get (TS 29.503)
//! on N13. The SIDF de-conceals the SUCI (TS 33.501 §6.12.2, Annex C.3),
//! the ARPF makes a 5G HE AV (RAND, AUTN, XRES*, K_AUSF) or, for
//! EAP-AKA' subscriptions, the EAP-AKA' AV (RAND, AUTN, XRES, CK', IK'),
//! after a resynchronisation if asked.

use std::sync::Arc;

use super::Config;
use super::eap::{AuthMethod, EapAv, eap_av_from};
use super::suci_id;
use crate::aka::fiveg::{HeAv5g, he_av_from};
use crate::aka::{self, Subscriber, home};
use crate::core::{Ctx, Endpoint, Incoming, Interface, TimerKey};
use crate::crypto::kdf_5g::ServingNetworkName;
use crate::crypto::suci::{self, Profile};
use crate::wire::Message;
use crate::wire::nas5g::identity::SCHEME_NULL;
use crate::wire::sbi::{
    self, AuthType, AuthenticationInfoRequest, AuthenticationInfoResult, AuthenticationVector,
    Av5gHeAka, AvEapAkaPrime, Body, Head, Method, ProblemDetails, SbiMessage,
};

/// Home network: subscription data, ARPF and SIDF.
pub struct Udm {
    cfg: Arc<Config>,
    /// Indexed by the subscriber index encoded in the SUPI.
    subscribers: Vec<Subscriber>,
}

/// Why a request gets a ProblemDetails: (status, cause of TS 29.503 §6.3.7).
type Problem = (u16, &'static str);
const AUTHENTICATION_REJECTED: Problem = (403, "AUTHENTICATION_REJECTED");
const SERVING_NETWORK_NOT_AUTHORIZED: Problem = (403, "SERVING_NETWORK_NOT_AUTHORIZED");
const USER_NOT_FOUND: Problem = (404, "USER_NOT_FOUND");

impl Udm {
    pub fn new(cfg: Arc<Config>, subscribers: Vec<Subscriber>) -> Self {
        Self { cfg, subscribers }
    }

    /// The SUPI's IMSI digits: from a SUPI as it is, from a SUCI through
    /// the SIDF. A SUCI of another scheme or key than the provisioned one,
    /// or one whose MAC tag fails, is refused (AUTHENTICATION_REJECTED).
    fn supi(&self, subject: &str, cx: &mut Ctx<'_>) -> Result<String, Problem> {
        if let Some(digits) = subject.strip_prefix("imsi-") {
            return Ok(digits.to_string());
        }
        let parts = suci_id::parse(subject).ok_or(AUTHENTICATION_REJECTED)?;
        if parts.mcc != self.cfg.mcc || parts.mnc != self.cfg.mnc {
            return Err(USER_NOT_FOUND);
        }
        let msin = if parts.scheme == SCHEME_NULL {
            parts.output.to_string()
        } else {
            let profile = match (parts.scheme, self.cfg.protection) {
                (1, Some(Profile::A)) => Profile::A,
                (2, Some(Profile::B)) => Profile::B,
                _ => return Err(AUTHENTICATION_REJECTED),
            };
            if parts.hn_key_id != self.cfg.hn_key_id {
                return Err(AUTHENTICATION_REJECTED);
            }
            let output = hex::decode(parts.output).map_err(|_| AUTHENTICATION_REJECTED)?;
            let bcd = suci::deconceal(profile, &self.cfg.hn_private, &output, &mut cx.fx.crypto)
                .map_err(|_| AUTHENTICATION_REJECTED)?;
            suci::msin_from_bcd(&bcd).ok_or(AUTHENTICATION_REJECTED)?
        };
        if msin.is_empty() || !msin.bytes().all(|b| b.is_ascii_digit()) {
            return Err(AUTHENTICATION_REJECTED);
        }
        Ok(sbi::concat(&[&self.cfg.plmn_digits, &msin]))
    }

    fn generate(
        &mut self,
        subject: &str,
        req: &AuthenticationInfoRequest,
        cx: &mut Ctx<'_>,
    ) -> Result<AuthenticationInfoResult, Problem> {
        let snn = ServingNetworkName::new(&req.serving_network_name)
            .map_err(|_| SERVING_NETWORK_NOT_AUTHORIZED)?;
        if snn != self.cfg.snn {
            return Err(SERVING_NETWORK_NOT_AUTHORIZED);
        }
        let digits = self.supi(subject, cx)?;
        let index =
            home::find(&self.subscribers, &self.cfg.plmn_digits, &digits).ok_or(USER_NOT_FOUND)?;
        let resync = req
            .resynchronization_info
            .as_ref()
            .and_then(|r| Some((sbi::octets::<16>(&r.rand)?, sbi::octets::<14>(&r.auts)?)));
        let sub = &mut self.subscribers[index];
        let supi = sbi::concat(&["imsi-", &digits]);
        // The AMF separation bit is set for both methods (TS 33.501 §6.1.3.1 step 2).
        if self.cfg.method == AuthMethod::EapAkaPrime {
            let mut avs: Vec<EapAv> = home::vectors(
                index as u32,
                sub,
                resync,
                1,
                aka::AMF_EPS,
                cx,
                |_, av, ops| eap_av_from(av, &snn, ops),
            );
            let Some(av) = avs.pop() else {
                unreachable!("one vector was asked for");
            };
            return Ok(AuthenticationInfoResult {
                auth_type: AuthType::EapAkaPrime,
                authentication_vector: AuthenticationVector::EapAkaPrime(AvEapAkaPrime {
                    rand: sbi::hex_of(&av.rand),
                    xres: sbi::hex_of(&av.xres),
                    autn: sbi::hex_of(&av.autn),
                    ck_prime: sbi::hex_of(&av.ck_prime),
                    ik_prime: sbi::hex_of(&av.ik_prime),
                }),
                supi,
            });
        }
        let mut avs: Vec<HeAv5g> = home::vectors(
            index as u32,
            sub,
            resync,
            1,
            aka::AMF_EPS,
            cx,
            |_, av, ops| he_av_from(av, &snn, ops),
        );
        let Some(av) = avs.pop() else {
            unreachable!("one vector was asked for");
        };
        Ok(AuthenticationInfoResult {
            auth_type: AuthType::FiveGAka,
            authentication_vector: AuthenticationVector::FiveGHeAka(Av5gHeAka {
                rand: sbi::hex_of(&av.rand),
                xres_star: sbi::hex_of(&av.xres_star),
                autn: sbi::hex_of(&av.autn),
                kausf: sbi::hex_of(&av.kausf),
            }),
            supi,
        })
    }
}

impl Endpoint for Udm {
    fn start(&mut self, _: &mut Ctx<'_>) {}

    fn on_message(&mut self, msg: Incoming<'_>, cx: &mut Ctx<'_>) {
        if msg.interface != Interface::N13 {
            return cx.fx.ignore(msg.interface.name());
        }
        // An undecodable request gets no answer; the AMF's timer covers it.
        let m = match SbiMessage::decode(msg.pdu) {
            Ok(m) => m,
            Err(_) => return cx.fx.ignore("undecodable"),
        };
        let (path, req) = match (&m.head, &m.body) {
            (
                Head::Request {
                    method: Method::Post,
                    path,
                    ..
                },
                Body::AuthenticationInfoRequest(r),
            ) => (path, r),
            _ => return cx.fx.ignore(m.kind()),
        };
        let Some(subject) = sbi::generate_auth_data_subject(path) else {
            return cx.fx.ignore(m.kind());
        };
        let (status, body) = match self.generate(subject, req, cx) {
            Ok(r) => (200, Body::AuthenticationInfoResult(r)),
            Err((status, cause)) => (
                status,
                Body::ProblemDetails(ProblemDetails {
                    status,
                    cause: cause.into(),
                }),
            ),
        };
        let answer = SbiMessage {
            stream_id: m.stream_id,
            head: Head::Response {
                status,
                location: None,
            },
            body,
        };
        cx.fx.send_msg(msg.from, Interface::N13, &answer);
    }

    fn on_timer(&mut self, key: TimerKey, cx: &mut Ctx<'_>) {
        cx.fx.ignore(key.kind().name());
    }
}
