//! The UE (MTC device) with its USIM.

use std::sync::Arc;

use zeroize::Zeroize;

use super::{Config, EEA0, EIA2, UE_NETWORK_CAPABILITY, imsi};
use crate::aka::{self, SqnState, UsimReject};
use crate::core::{Addr, Ctx, Endpoint, Incoming, Interface, Outcome, TimerKey, TimerKind};
use crate::crypto::{eia2, kdf, milenage::Milenage};
use crate::wire::nas::{
    self, AttachRequest, AuthenticationFailure, AuthenticationResponse, EmmCause,
    EpsMobileIdentity, NasMessage, SecurityModeComplete, header_type,
};

const T3410: TimerKey = TimerKey::own(TimerKind::T3410);

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum State {
    Idle,
    /// Attach request sent, waiting for the network.
    Attaching,
    Registered,
    Done,
}

/// One device: its USIM secrets and SQN state, and its attach procedure.
pub struct Ue {
    cfg: Arc<Config>,
    index: u32,
    mme: Addr,
    usim: Milenage,
    sqn: SqnState,
    state: State,
    attempts: u32,
    /// The last challenge answered and its RES, so that a retransmitted
    /// AUTHENTICATION REQUEST gets the same answer (TS 24.301 §5.4.2.7 c).
    last_rand: [u8; 16],
    last_res: [u8; 8],
    kasme: Option<[u8; 32]>,
}

impl Drop for Ue {
    fn drop(&mut self) {
        if let Some(k) = self.kasme.as_mut() {
            k.zeroize();
        }
        self.last_res.zeroize();
    }
}

impl Ue {
    pub fn new(cfg: Arc<Config>, index: u32, mme: Addr, usim: Milenage, sqn: SqnState) -> Self {
        Self {
            cfg,
            index,
            mme,
            usim,
            sqn,
            state: State::Idle,
            attempts: 0,
            last_rand: [0; 16],
            last_res: [0; 8],
            kasme: None,
        }
    }

    pub fn is_registered(&self) -> bool {
        self.state == State::Registered
    }

    fn send(&self, cx: &mut Ctx<'_>, msg: NasMessage) {
        cx.fx
            .send(self.mme, Interface::Nas, msg.kind(), msg.encode());
    }

    fn send_attach(&mut self, cx: &mut Ctx<'_>) {
        self.attempts += 1;
        let msg = NasMessage::AttachRequest(AttachRequest {
            nas_ksi: nas::KSI_NO_KEY,
            attach_type: nas::attach_type::EPS_ATTACH,
            identity: EpsMobileIdentity::Imsi(imsi(&self.cfg.plmn_digits, self.index)),
            ue_network_capability: UE_NETWORK_CAPABILITY.to_vec(),
            esm_message_container: nas::MINIMAL_PDN_CONNECTIVITY_REQUEST.to_vec(),
            optional_ies: Vec::new(),
        });
        self.send(cx, msg);
        cx.fx.arm(T3410, cx.now + self.cfg.t3410);
    }

    fn on_auth_request(&mut self, rand: [u8; 16], autn: [u8; 16], cx: &mut Ctx<'_>) {
        if self.kasme.is_some() && rand == self.last_rand {
            // Retransmitted challenge (our response was lost): answer again.
            let res = self.last_res.to_vec();
            self.send(
                cx,
                NasMessage::AuthenticationResponse(AuthenticationResponse { res }),
            );
            return;
        }
        if !aka::amf_separation_bit(&autn) {
            let f = AuthenticationFailure {
                cause: EmmCause::NON_EPS_AUTHENTICATION_UNACCEPTABLE,
                auts: None,
            };
            self.send(cx, NasMessage::AuthenticationFailure(f));
            return;
        }
        match aka::usim_check(&self.usim, &rand, &autn, &mut self.sqn, &mut cx.fx.crypto) {
            Ok(acc) => {
                let mut sqn_xor_ak = [0u8; 6];
                sqn_xor_ak.copy_from_slice(&autn[..6]);
                self.kasme = Some(kdf::kasme(
                    &acc.ck,
                    &acc.ik,
                    &self.cfg.plmn,
                    &sqn_xor_ak,
                    &mut cx.fx.crypto,
                ));
                self.last_rand = rand;
                self.last_res = [0; 8];
                let n = acc.res.len().min(8);
                self.last_res[..n].copy_from_slice(&acc.res[..n]);
                let res = acc.res.clone();
                self.send(
                    cx,
                    NasMessage::AuthenticationResponse(AuthenticationResponse { res }),
                );
            }
            Err(UsimReject::MacFailure) => {
                cx.fx.outcome(Outcome::AttackDetected {
                    subject: self.mme,
                    what: "network_mac_failure",
                });
                let f = AuthenticationFailure {
                    cause: EmmCause::MAC_FAILURE,
                    auts: None,
                };
                self.send(cx, NasMessage::AuthenticationFailure(f));
            }
            Err(UsimReject::SynchFailure { auts }) => {
                let f = AuthenticationFailure {
                    cause: EmmCause::SYNCH_FAILURE,
                    auts: Some(auts),
                };
                self.send(cx, NasMessage::AuthenticationFailure(f));
            }
        }
    }

    /// `p` is `pdu` decoded.
    fn on_protected(&mut self, p: nas::SecurityProtected, pdu: &[u8], cx: &mut Ctx<'_>) {
        let Ok(NasMessage::SecurityModeCommand(smc)) = p.decode_inner() else {
            return;
        };
        let Some(kasme) = self.kasme else { return };
        let mut k_int = kdf::nas_key(&kasme, kdf::NAS_INT_ALG, EIA2, &mut cx.fx.crypto);
        // Downlink NAS COUNT = sequence number for a fresh context; bearer 0, direction 1.
        let ok = smc.integrity_algorithm == EIA2
            && eia2::eia2_verify(
                &k_int,
                p.seq as u32,
                0,
                1,
                // Sequence number || inner message: the PDU from octet 6 on
                // (what `p.mac_input()` copies).
                &pdu[nas::SecurityProtected::HEADER_LEN - 1..],
                &p.mac,
                &mut cx.fx.crypto,
            )
            && smc
                .replayed_ue_security_capabilities
                .starts_with(&UE_NETWORK_CAPABILITY[..2]);
        if !ok {
            k_int.zeroize();
            cx.fx.outcome(Outcome::AttackDetected {
                subject: self.mme,
                what: "smc_integrity_failure",
            });
            let rej = NasMessage::SecurityModeReject(EmmCause::SECURITY_MODE_REJECTED_UNSPECIFIED);
            self.send(cx, rej);
            return;
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
        cx.fx
            .send(self.mme, Interface::Nas, "SecurityModeComplete", pdu);
        cx.fx.cancel(T3410);
        if self.state != State::Registered {
            self.state = State::Registered;
            cx.fx.outcome(Outcome::Authenticated {
                subject: self.mme,
                key_id: smc.nas_ksi as u32,
            });
        }
    }
}

impl Endpoint for Ue {
    /// Starts an attach; a registered or finished device attaches again
    /// (periodic re-attach), using a fresh challenge.
    fn start(&mut self, cx: &mut Ctx<'_>) {
        if self.state != State::Attaching {
            self.state = State::Attaching;
            self.attempts = 0;
            self.kasme = None;
            self.send_attach(cx);
        }
    }

    fn on_message(&mut self, msg: Incoming<'_>, cx: &mut Ctx<'_>) {
        // A registered UE still answers a retransmitted SECURITY MODE COMMAND:
        // its SECURITY MODE COMPLETE may have been lost (T3460 at the MME).
        if self.state == State::Registered {
            if let Ok(nas::Nas::Protected(p)) = nas::decode_any(msg.pdu) {
                self.on_protected(p, msg.pdu, cx);
            }
            return;
        }
        if self.state != State::Attaching {
            return;
        }
        match nas::decode_any(msg.pdu) {
            Ok(nas::Nas::Plain(NasMessage::AuthenticationRequest(r))) => {
                self.on_auth_request(r.rand, r.autn, cx)
            }
            Ok(nas::Nas::Plain(NasMessage::AuthenticationReject)) => {
                cx.fx.cancel(T3410);
                self.state = State::Done;
                cx.fx.outcome(Outcome::Rejected {
                    subject: self.mme,
                    reason: "authentication_reject",
                });
            }
            Ok(nas::Nas::Plain(NasMessage::AttachReject(_))) => {
                cx.fx.cancel(T3410);
                self.state = State::Done;
                cx.fx.outcome(Outcome::Rejected {
                    subject: self.mme,
                    reason: "attach_reject",
                });
            }
            Ok(nas::Nas::Protected(p)) => self.on_protected(p, msg.pdu, cx),
            // Anything else, or bytes that do not decode, is ignored (TS 24.301 §7).
            _ => {}
        }
    }

    fn on_timer(&mut self, id: TimerKey, cx: &mut Ctx<'_>) {
        if id != T3410 || self.state != State::Attaching {
            return;
        }
        if self.attempts >= self.cfg.attach_max_attempts {
            self.state = State::Done;
            cx.fx.outcome(Outcome::Failed {
                subject: self.mme,
                reason: "t3410_expired",
            });
            return;
        }
        self.kasme = None;
        self.send_attach(cx);
    }
}
