//! The UE with its USIM: the shared AKA device procedure with 5GMM
//! messages, a SUCI in the Registration Request, RES* as the answer, K_AMF
//! as the session key and the NAS security mode step with 128-NIA2.

use std::sync::Arc;

use rand::Rng;
use zeroize::Zeroize;

use super::eap;
use super::{Config, DOWNLINK, NEA0, NIA2, UPLINK};
use crate::aka::device::{Attach, Device, DeviceVariant, Downlink, Refusal, ResponseValue, State};
use crate::aka::{SqnState, UsimAccept, UsimReject, amf_separation_bit, imsi};
use crate::core::{Addr, CryptoOps, Ctx, Interface, Nanos, TimerKind};
use crate::crypto::kdf_5g;
use crate::crypto::milenage::Milenage;
use crate::crypto::suci::{self, SuciError};
use crate::wire::Message;
use crate::wire::eap::{Attribute, EapPacket, KDF_1, subtype};
use crate::wire::nas5g::identity::{MobileIdentity5gs, Plmn, SCHEME_NULL, Suci};
use crate::wire::nas5g::{
    AuthenticationFailure, AuthenticationResponse, Cause5gmm, NGKSI_NO_KEY, Nas5g, Nas5gMessage,
    RegistrationRequest, SecurityModeComplete, SecurityProtected5g, TYPICAL_UE_SECURITY_CAPABILITY,
    header_type, registration_type,
};

/// One 5G device: its USIM and its registration procedure.
pub type Ue = Device<FiveG>;

/// What a 5G device does differently from other AKA devices: 5G-AKA, or
/// EAP-AKA' when the network runs it.
pub struct FiveG {
    cfg: Arc<Config>,
    /// The subscriber index: the MSIN of its SUPI.
    index: u32,
    /// EAP-AKA': the RAND and Identifier of the last challenge answered and
    /// the EAP-Response sent, so that a retransmitted request gets the same
    /// answer (RFC 4187 §4.1 retransmission by the authenticator).
    last_eap: Option<([u8; 16], u8, Vec<u8>)>,
}

impl Ue {
    pub fn new(cfg: Arc<Config>, index: u32, amf: Addr, usim: Milenage, sqn: SqnState) -> Self {
        let v = FiveG {
            cfg,
            index,
            last_eap: None,
        };
        Device::with_variant(v, index, amf, usim, sqn)
    }
}

/// The 5GMM messages the 5G variant handles itself.
pub enum UeDownlink {
    /// SECURITY MODE COMMAND (and any other protected message).
    Protected(SecurityProtected5g),
    /// AUTHENTICATION REQUEST with an EAP-Request (EAP-AKA').
    EapRequest(Vec<u8>),
    /// AUTHENTICATION RESULT with the EAP-Success.
    EapResult(Vec<u8>),
}

impl FiveG {
    /// The SUPI's IMSI digits (MCC ‖ MNC ‖ MSIN).
    fn supi_digits(&self) -> String {
        imsi(&self.cfg.plmn_digits, self.index)
    }

    /// The SUCI of this registration: the MSIN in BCD, concealed with a
    /// fresh ephemeral key unless the null scheme is configured (TS 33.501
    /// §6.12.2, Annex C.3).
    fn suci(&self, index: u32, cx: &mut Ctx<'_>) -> Suci {
        let cfg = &self.cfg;
        let supi = imsi(&cfg.plmn_digits, index);
        let msin = &supi[cfg.plmn_digits.len()..];
        let bcd = match suci::msin_bcd(msin) {
            Ok(b) => b,
            Err(e) => unreachable!("an IMSI's MSIN is 10 digits: {e}"),
        };
        let (scheme, key_id, output) = match cfg.protection {
            None => (SCHEME_NULL, 0, bcd),
            Some(profile) => {
                let output = loop {
                    let mut eph = [0u8; 32];
                    cx.rng.fill_bytes(&mut eph);
                    let r = suci::conceal(profile, &cfg.hn_public, &eph, &bcd, &mut cx.fx.crypto);
                    eph.zeroize();
                    match r {
                        Ok(c) => break c.scheme_output(),
                        // A P-256 scalar not below the group order (p < 2^-32): draw again.
                        Err(SuciError::BadPrivateKey(_)) => continue,
                        Err(e) => unreachable!("the provisioned HN public key is valid: {e}"),
                    }
                };
                (profile.scheme_id(), cfg.hn_key_id, output)
            }
        };
        Suci {
            plmn: Plmn {
                mcc: cfg.mcc.clone(),
                mnc: cfg.mnc.clone(),
            },
            routing_indicator: cfg.routing_indicator.clone(),
            protection_scheme: scheme,
            hn_key_id: key_id,
            scheme_output: output,
        }
    }
}

fn send(to: Addr, msg: &impl Message, cx: &mut Ctx<'_>) {
    cx.fx.send_msg(to, Interface::N1, msg);
}

impl DeviceVariant for FiveG {
    type Message = UeDownlink;
    const INTERFACE: Interface = Interface::N1;
    const GUARD: TimerKind = TimerKind::T3510;
    const GUARD_EXPIRED: &'static str = "t3510_expired";
    // The ME checks the AMF separation bit for 5G too (TS 33.501 §6.1.3.2 step 7).
    const CHECKS_SEPARATION_BIT: bool = true;
    const AUTHENTICATED_AT_CHALLENGE: bool = false;

    fn guard(&self) -> (Nanos, u32) {
        (self.cfg.t3510, self.cfg.registration_max_attempts)
    }

    fn refusal_timer(&self) -> Option<(TimerKind, Nanos)> {
        Some((TimerKind::T3520, self.cfg.t3520))
    }

    fn decode(&self, pdu: &[u8]) -> (&'static str, Downlink<UeDownlink>) {
        match Nas5g::decode(pdu) {
            Ok(Nas5g::Plain(Nas5gMessage::AuthenticationRequest(r))) => {
                match (r.rand_autn, r.eap) {
                    (Some((rand, autn)), None) => (
                        "AuthenticationRequest",
                        Downlink::Challenge {
                            ksi: r.ngksi,
                            rand,
                            autn,
                        },
                    ),
                    (None, Some(eap)) => (
                        "AuthenticationRequest",
                        Downlink::Variant(UeDownlink::EapRequest(eap)),
                    ),
                    _ => ("AuthenticationRequest", Downlink::Ignore),
                }
            }
            Ok(Nas5g::Plain(Nas5gMessage::AuthenticationResult(r))) => (
                "AuthenticationResult",
                Downlink::Variant(UeDownlink::EapResult(r.eap)),
            ),
            Ok(Nas5g::Plain(Nas5gMessage::AuthenticationReject(_))) => (
                "AuthenticationReject",
                Downlink::Reject("authentication_reject"),
            ),
            Ok(Nas5g::Plain(Nas5gMessage::RegistrationReject(_))) => (
                "RegistrationReject",
                Downlink::Reject("registration_reject"),
            ),
            Ok(Nas5g::Protected(p)) => (
                "SecurityProtected",
                Downlink::Variant(UeDownlink::Protected(p)),
            ),
            Ok(other) => (other.kind(), Downlink::Ignore),
            Err(_) => ("undecodable", Downlink::Ignore),
        }
    }

    fn send_attach(&mut self, to: Addr, index: u32, cx: &mut Ctx<'_>) {
        let msg = Nas5gMessage::RegistrationRequest(RegistrationRequest {
            ngksi: NGKSI_NO_KEY,
            registration_type: registration_type::INITIAL,
            identity: MobileIdentity5gs::Suci(self.suci(index, cx)),
            ue_security_capability: Some(TYPICAL_UE_SECURITY_CAPABILITY.to_vec()),
        });
        send(to, &msg, cx);
    }

    fn send_response(&mut self, to: Addr, res: &[u8], cx: &mut Ctx<'_>) {
        let mut res_star = [0u8; 16];
        let n = res.len().min(16);
        res_star[..n].copy_from_slice(&res[..n]);
        let msg = Nas5gMessage::AuthenticationResponse(AuthenticationResponse {
            res_star: Some(res_star),
            eap: None,
        });
        send(to, &msg, cx);
    }

    fn send_refusal(&mut self, to: Addr, refusal: Refusal, cx: &mut Ctx<'_>) {
        let (cause, auts) = match refusal {
            Refusal::Unacceptable => (Cause5gmm::NON_5G_AUTHENTICATION_UNACCEPTABLE, None),
            Refusal::MacFailure => (Cause5gmm::MAC_FAILURE, None),
            Refusal::SynchFailure(auts) => (Cause5gmm::SYNCH_FAILURE, Some(auts)),
        };
        let msg = Nas5gMessage::AuthenticationFailure(AuthenticationFailure { cause, auts });
        send(to, &msg, cx);
    }

    /// K_AMF from K_SEAF from K_AUSF (TS 33.501 A.2, A.6, A.7).
    fn session_key(&self, acc: &UsimAccept, autn: &[u8; 16], ops: &mut CryptoOps) -> [u8; 32] {
        let mut sqn_xor_ak = [0u8; 6];
        sqn_xor_ak.copy_from_slice(&autn[..6]);
        let cfg = &self.cfg;
        let mut kausf = kdf_5g::kausf(&acc.ck, &acc.ik, &cfg.snn, &sqn_xor_ak, ops);
        let mut kseaf = kdf_5g::kseaf(&kausf, &cfg.snn, ops);
        kausf.zeroize();
        let kamf = kdf_5g::kamf(&kseaf, self.supi_digits().as_bytes(), &cfg.abba, ops);
        kseaf.zeroize();
        match kamf {
            Ok(k) => k,
            Err(e) => unreachable!("SUPI and ABBA are short: {e}"),
        }
    }

    /// RES* (TS 33.501 A.4).
    fn response_value(
        &mut self,
        acc: &UsimAccept,
        rand: &[u8; 16],
        ops: &mut CryptoOps,
    ) -> ResponseValue {
        match kdf_5g::res_star(&acc.ck, &acc.ik, &self.cfg.snn, rand, &acc.res, ops) {
            Ok(mut r) => {
                let v = ResponseValue::new(&r);
                r.zeroize();
                v
            }
            Err(e) => unreachable!("RES is at most 16 octets: {e}"),
        }
    }

    fn on_message(
        &mut self,
        a: &mut Attach,
        m: UeDownlink,
        label: &'static str,
        _pdu: &[u8],
        cx: &mut Ctx<'_>,
    ) {
        match m {
            UeDownlink::Protected(p) => security_mode::<Self>(a, p, label, cx),
            UeDownlink::EapRequest(eap) => self.on_eap_request(a, &eap, cx),
            UeDownlink::EapResult(eap) => self.on_eap_result(a, &eap, cx),
        }
    }
}

impl FiveG {
    fn send_eap(&self, a: &Attach, eap: Vec<u8>, cx: &mut Ctx<'_>) {
        let msg = Nas5gMessage::AuthenticationResponse(AuthenticationResponse {
            res_star: None,
            eap: Some(eap),
        });
        send(a.serving(), &msg, cx);
    }

    /// The EAP peer on an EAP-Request/AKA'-Challenge (RFC 9048 §3, TS
    /// 33.501 §6.1.3.1 step 5): a repeat gets the same answer; the KDF is
    /// negotiated (only KDF 1 is supported); AT_KDF_INPUT must be the
    /// UE's serving network name and AUTN must carry the AMF separation
    /// bit, else Authentication-Reject; then the USIM: a MAC failure is
    /// reported and answered with Authentication-Reject, a stale SQN with
    /// Synchronization-Failure (AT_AUTS); an accepted challenge whose AT_MAC
    /// verifies is answered with AT_RES and AT_MAC, one whose AT_MAC fails
    /// with Client-Error (RFC 4187 §6.3.1).
    fn on_eap_request(&mut self, a: &mut Attach, eap: &[u8], cx: &mut Ctx<'_>) {
        let label = "AuthenticationRequest";
        if a.state() != State::Attaching {
            return cx.fx.ignore(label);
        }
        let request = match EapPacket::decode(eap) {
            Ok(p @ EapPacket::Request { .. }) => p,
            _ => return cx.fx.ignore("eap_undecodable"),
        };
        let id = request.identifier();
        let Some(method) = request.method().filter(|m| m.subtype == subtype::CHALLENGE) else {
            return cx.fx.ignore("eap_not_a_challenge");
        };
        let (Some(rand), Some(autn), Some(_)) = (method.rand(), method.autn(), method.mac()) else {
            let reply = eap::response(
                id,
                subtype::CLIENT_ERROR,
                vec![Attribute::ClientErrorCode(0)],
            );
            return self.send_eap(a, reply, cx);
        };
        if let Some((r, i, reply)) = &self.last_eap
            && *r == rand
            && *i == id
            && a.key().is_some()
        {
            return self.send_eap(a, reply.clone(), cx);
        }
        let reject = |me: &Self, a: &Attach, cx: &mut Ctx<'_>| {
            let reply = eap::response(id, subtype::AUTHENTICATION_REJECT, Vec::new());
            me.send_eap(a, reply, cx);
        };
        let kdfs = method.kdfs();
        if kdfs.first() != Some(&KDF_1) {
            // RFC 9048 §3.2: pick a supported KDF offered later, or refuse.
            if kdfs.contains(&KDF_1) {
                let reply = eap::response(id, subtype::CHALLENGE, vec![Attribute::Kdf(KDF_1)]);
                return self.send_eap(a, reply, cx);
            }
            return reject(self, a, cx);
        }
        let snn = &self.cfg.snn;
        if method.kdf_input() != Some(snn.as_str().as_bytes()) || !amf_separation_bit(&autn) {
            return reject(self, a, cx);
        }
        let supi = self.supi_digits();
        match a.usim_check(&rand, &autn, &mut cx.fx.crypto) {
            Err(UsimReject::MacFailure) => {
                a.detected("network_mac_failure", cx);
                reject(self, a, cx)
            }
            Err(UsimReject::SynchFailure { auts }) => {
                let attrs = vec![Attribute::Auts(auts), Attribute::Kdf(KDF_1)];
                let reply = eap::response(id, subtype::SYNCHRONIZATION_FAILURE, attrs);
                self.send_eap(a, reply, cx);
            }
            Ok(acc) => {
                let ops = &mut cx.fx.crypto;
                let Some(peer) = eap::peer_accept(&request, &acc, &autn, snn, &supi, ops) else {
                    a.detected("eap_mac_failure", cx);
                    let reply = eap::response(
                        id,
                        subtype::CLIENT_ERROR,
                        vec![Attribute::ClientErrorCode(0)],
                    );
                    return self.send_eap(a, reply, cx);
                };
                let kamf = self.kamf_from_kausf(&peer.kausf, ops);
                a.accepted(rand, kamf);
                self.last_eap = Some((rand, id, peer.response.clone()));
                self.send_eap(a, peer.response.clone(), cx);
            }
        }
    }

    /// AUTHENTICATION RESULT: the EAP-Success of the challenge answered
    /// (same Identifier) ends the EAP method; the security mode command
    /// that follows proves the key. Anything else is ignored.
    fn on_eap_result(&mut self, a: &mut Attach, eap: &[u8], cx: &mut Ctx<'_>) {
        let answered = self.last_eap.as_ref().map(|(_, id, _)| *id);
        match EapPacket::decode(eap) {
            Ok(EapPacket::Success { identifier })
                if Some(identifier) == answered && a.key().is_some() => {}
            _ => cx.fx.ignore("AuthenticationResult"),
        }
    }

    /// K_AMF from K_AUSF (TS 33.501 A.6, A.7).
    fn kamf_from_kausf(&self, kausf: &[u8; 32], ops: &mut CryptoOps) -> [u8; 32] {
        let cfg = &self.cfg;
        let mut kseaf = kdf_5g::kseaf(kausf, &cfg.snn, ops);
        let kamf = kdf_5g::kamf(&kseaf, self.supi_digits().as_bytes(), &cfg.abba, ops);
        kseaf.zeroize();
        match kamf {
            Ok(k) => k,
            Err(e) => unreachable!("SUPI and ABBA are short: {e}"),
        }
    }
}

/// The NAS security mode step (TS 24.501 §5.4.2): verify the SECURITY MODE
/// COMMAND (security header type 3, NAS COUNT 0, downlink) with K_NASint
/// from K_AMF, answer SECURITY MODE COMPLETE (type 4, uplink); the
/// registration's authentication is then complete. A command that fails
/// its checks is reported and answered with SECURITY MODE REJECT.
fn security_mode<V: DeviceVariant>(
    a: &mut Attach,
    p: SecurityProtected5g,
    label: &'static str,
    cx: &mut Ctx<'_>,
) {
    if !matches!(a.state(), State::Attaching | State::Registered) {
        return cx.fx.ignore(label);
    }
    if p.header_type != header_type::INTEGRITY_PROTECTED_NEW_CONTEXT {
        return cx.fx.ignore("security_header_type");
    }
    let smc = match p.decode_inner() {
        Ok(Nas5gMessage::SecurityModeCommand(smc)) => smc,
        Ok(other) => return cx.fx.ignore(other.kind()),
        Err(_) => return cx.fx.ignore(label),
    };
    let Some(&kamf) = a.key() else {
        return cx.fx.ignore("SecurityModeCommand");
    };
    let ops = &mut cx.fx.crypto;
    let mut k_int = kdf_5g::nas_key(&kamf, kdf_5g::N_NAS_INT_ALG, NIA2, ops);
    let ok = smc.integrity_algorithm == NIA2
        && p.verify(&k_int, p.seq as u32, DOWNLINK, ops)
        && smc.replayed_ue_security_capability == TYPICAL_UE_SECURITY_CAPABILITY;
    if !ok {
        k_int.zeroize();
        a.detected("smc_integrity_failure", cx);
        // TS 24.501 §5.4.2.5: #23 for replayed capabilities that are not the
        // UE's, #24 otherwise.
        let cause = if smc.replayed_ue_security_capability != TYPICAL_UE_SECURITY_CAPABILITY {
            Cause5gmm::UE_SECURITY_CAPABILITIES_MISMATCH
        } else {
            Cause5gmm::SECURITY_MODE_REJECTED_UNSPECIFIED
        };
        return send(a.serving(), &Nas5gMessage::SecurityModeReject(cause), cx);
    }
    debug_assert_eq!(smc.ciphering_algorithm, NEA0);
    let inner = Nas5gMessage::SecurityModeComplete(SecurityModeComplete {
        nas_message_container: None,
    });
    let reply = SecurityProtected5g::protect(
        header_type::INTEGRITY_PROTECTED_CIPHERED_NEW_CONTEXT,
        inner.encode(),
        &k_int,
        0,
        UPLINK,
        ops,
    );
    k_int.zeroize();
    send(a.serving(), &reply, cx);
    a.complete::<V>(Some(smc.ngksi), cx);
}
