//! An MTC device of a group: its own USIM (K, OPc, SQN array) for EPS-AKA
//! when it leads, the group key GK and the last group SQN it accepted.

use std::sync::Arc;

use zeroize::Zeroize;

use super::{Config, derive_gak, member_milenage, sqn_value, sqn48};
use crate::aka::{self, SqnState, UsimReject};
use crate::core::{Addr, Ctx, Endpoint, Incoming, Interface, Outcome, TimerKey, TimerKind};
use crate::crypto::{ct_eq, eia2, kdf, milenage::Milenage};
use crate::eps_aka::{EEA0, EIA2, UE_NETWORK_CAPABILITY, imsi};
use crate::wire::group::{self, GroupAuthenticationRequest, GroupNas};
use crate::wire::nas::{
    self, AttachRequest, AuthenticationFailure, AuthenticationResponse, EmmCause,
    EpsMobileIdentity, NasMessage, SecurityModeComplete, header_type,
};

const T3410: TimerKey = TimerKey::own(TimerKind::T3410);

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum State {
    Idle,
    Attaching,
    Registered,
    Done,
}

/// One group member and its attach procedure.
pub struct Member {
    cfg: Arc<Config>,
    index: u32,
    mme: Addr,
    usim: Milenage,
    sqn: SqnState,
    group_id: u32,
    gk: [u8; 32],
    /// The highest group SQN accepted from this group.
    last_sqn_g: u64,
    state: State,
    attempts: u32,
    /// The last challenge answered and its RES (retransmitted challenges get
    /// the same answer, TS 24.301 §5.4.2.7 c).
    last_rand: [u8; 16],
    last_res: [u8; 8],
    kasme: Option<[u8; 32]>,
}

impl Drop for Member {
    fn drop(&mut self) {
        if let Some(k) = self.kasme.as_mut() {
            k.zeroize();
        }
        self.gk.zeroize();
        self.last_res.zeroize();
    }
}

impl Member {
    pub fn new(
        cfg: Arc<Config>,
        index: u32,
        mme: Addr,
        usim: Milenage,
        sqn: SqnState,
        group_id: u32,
        gk: [u8; 32],
    ) -> Self {
        Self {
            cfg,
            index,
            mme,
            usim,
            sqn,
            group_id,
            gk,
            last_sqn_g: 0,
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

    /// The highest group SQN this member has accepted.
    pub fn last_group_sqn(&self) -> u64 {
        self.last_sqn_g
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
            optional_ies: group::group_identity_ie(self.group_id),
        });
        self.send(cx, msg);
        cx.fx.arm(T3410, cx.now + self.cfg.t3410);
    }

    fn fail(&self, cx: &mut Ctx<'_>, cause: EmmCause, auts: Option<[u8; 14]>) {
        self.send(
            cx,
            NasMessage::AuthenticationFailure(AuthenticationFailure { cause, auts }),
        );
    }

    /// Accepts a challenge: keeps K_ASME and RES, answers.
    fn answer(&mut self, rand: [u8; 16], res: &[u8], kasme: [u8; 32], cx: &mut Ctx<'_>) {
        self.kasme = Some(kasme);
        self.last_rand = rand;
        self.last_res = [0; 8];
        let n = res.len().min(8);
        self.last_res[..n].copy_from_slice(&res[..n]);
        let res = res.to_vec();
        self.send(
            cx,
            NasMessage::AuthenticationResponse(AuthenticationResponse { res }),
        );
    }

    /// Retransmitted challenge (our response was lost): answer again.
    fn is_repeat(&self, rand: &[u8; 16], cx: &mut Ctx<'_>) -> bool {
        if self.kasme.is_some() && *rand == self.last_rand {
            let res = self.last_res.to_vec();
            self.send(
                cx,
                NasMessage::AuthenticationResponse(AuthenticationResponse { res }),
            );
            return true;
        }
        false
    }

    /// The leader's challenge: plain EPS-AKA with the member's own USIM.
    fn on_auth_request(&mut self, rand: [u8; 16], autn: [u8; 16], cx: &mut Ctx<'_>) {
        if self.is_repeat(&rand, cx) {
            return;
        }
        if !aka::amf_separation_bit(&autn) {
            return self.fail(cx, EmmCause::NON_EPS_AUTHENTICATION_UNACCEPTABLE, None);
        }
        match aka::usim_check(&self.usim, &rand, &autn, &mut self.sqn, &mut cx.fx.crypto) {
            Ok(acc) => {
                let mut sqn_xor_ak = [0u8; 6];
                sqn_xor_ak.copy_from_slice(&autn[..6]);
                let kasme = kdf::kasme(
                    &acc.ck,
                    &acc.ik,
                    &self.cfg.plmn,
                    &sqn_xor_ak,
                    &mut cx.fx.crypto,
                );
                self.answer(rand, &acc.res, kasme, cx);
            }
            Err(UsimReject::MacFailure) => {
                cx.fx.outcome(Outcome::AttackDetected {
                    subject: self.mme,
                    what: "network_mac_failure",
                });
                self.fail(cx, EmmCause::MAC_FAILURE, None);
            }
            Err(UsimReject::SynchFailure { auts }) => {
                self.fail(cx, EmmCause::SYNCH_FAILURE, Some(auts))
            }
        }
    }

    /// A group challenge: derive GAK from GK and RAND_G, the member's group
    /// MILENAGE key from GAK and its IMSI, then check MAC_i in constant time
    /// and SQN_G > the last accepted group SQN.
    fn on_group_challenge(&mut self, r: GroupAuthenticationRequest, cx: &mut Ctx<'_>) {
        if self.is_repeat(&r.rand, cx) {
            return;
        }
        if !aka::amf_separation_bit(&r.autn) {
            return self.fail(cx, EmmCause::NON_EPS_AUTHENTICATION_UNACCEPTABLE, None);
        }
        let ops = &mut cx.fx.crypto;
        let mut gak = derive_gak(&self.gk, &r.rand_g, self.group_id, ops);
        let mil = member_milenage(
            &gak,
            self.group_id,
            &imsi(&self.cfg.plmn_digits, self.index),
            ops,
        );
        gak.zeroize();
        let mr = mil.with_rand(&r.rand, ops);
        let (mut res, mut ak) = mr.f2_f5(ops);
        let mut sqn = [0u8; 6];
        for i in 0..6 {
            sqn[i] = r.autn[i] ^ ak[i];
        }
        ak.zeroize();
        let amf = [r.autn[6], r.autn[7]];
        let xmac = mr.f1(&sqn, &amf, ops);
        if !ct_eq(&xmac, &r.autn[8..]) {
            res.zeroize();
            cx.fx.outcome(Outcome::AttackDetected {
                subject: self.mme,
                what: "network_mac_failure",
            });
            return self.fail(cx, EmmCause::MAC_FAILURE, None);
        }
        let sqn_g = sqn_value(&sqn);
        if sqn_g <= self.last_sqn_g {
            // Authentic but not fresh: a replayed challenge (or an MME whose
            // group counter is behind). AUTS lets an honest MME catch up.
            res.zeroize();
            let last = sqn48(self.last_sqn_g);
            let mut ak_star = mr.f5_star(ops);
            let mac_s = mr.f1_star(&last, &[0, 0], ops);
            let mut auts = [0u8; 14];
            for i in 0..6 {
                auts[i] = last[i] ^ ak_star[i];
            }
            auts[6..].copy_from_slice(&mac_s);
            ak_star.zeroize();
            cx.fx.outcome(Outcome::AttackDetected {
                subject: self.mme,
                what: "group_challenge_replay",
            });
            return self.fail(cx, EmmCause::SYNCH_FAILURE, Some(auts));
        }
        self.last_sqn_g = sqn_g;
        let (mut ck, mut ik) = (mr.f3(ops), mr.f4(ops));
        let mut sqn_xor_ak = [0u8; 6];
        sqn_xor_ak.copy_from_slice(&r.autn[..6]);
        let kasme = kdf::kasme(&ck, &ik, &self.cfg.plmn, &sqn_xor_ak, ops);
        ck.zeroize();
        ik.zeroize();
        self.answer(r.rand, &res, kasme, cx);
        res.zeroize();
    }

    /// The security mode command, as in EPS-AKA.
    fn on_protected(&mut self, pdu: &[u8], cx: &mut Ctx<'_>) {
        let Ok(nas::Nas::Protected(p)) = nas::decode_any(pdu) else {
            return;
        };
        let Ok(NasMessage::SecurityModeCommand(smc)) = p.decode_inner() else {
            return;
        };
        let Some(kasme) = self.kasme else {
            return;
        };
        let mut k_int = kdf::nas_key(&kasme, kdf::NAS_INT_ALG, EIA2, &mut cx.fx.crypto);
        let ok = smc.integrity_algorithm == EIA2
            && eia2::eia2_verify(
                &k_int,
                p.seq as u32,
                0,
                1,
                &p.mac_input(),
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
            self.send(
                cx,
                NasMessage::SecurityModeReject(EmmCause::SECURITY_MODE_REJECTED_UNSPECIFIED),
            );
            return;
        }
        let inner = NasMessage::SecurityModeComplete(SecurityModeComplete { imeisv: None });
        debug_assert_eq!(smc.ciphering_algorithm, EEA0);
        let pdu = crate::eps_aka::protect_first(
            &k_int,
            header_type::INTEGRITY_PROTECTED_CIPHERED_NEW_CONTEXT,
            crate::eps_aka::UPLINK,
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

    fn finish(&mut self, cx: &mut Ctx<'_>, reason: &'static str) {
        cx.fx.cancel(T3410);
        self.state = State::Done;
        cx.fx.outcome(Outcome::Rejected {
            subject: self.mme,
            reason,
        });
    }
}

impl Endpoint for Member {
    /// Starts an attach announcing the device's group; a registered or
    /// finished device attaches again with a fresh challenge.
    fn start(&mut self, cx: &mut Ctx<'_>) {
        if self.state != State::Attaching {
            self.state = State::Attaching;
            self.attempts = 0;
            self.kasme = None;
            self.send_attach(cx);
        }
    }

    fn on_message(&mut self, msg: Incoming<'_>, cx: &mut Ctx<'_>) {
        if msg.interface != Interface::Nas {
            return;
        }
        // A registered member still answers a retransmitted SECURITY MODE
        // COMMAND: its SECURITY MODE COMPLETE may have been lost (T3460).
        if self.state == State::Registered {
            if let Ok(GroupNas::Emm(nas::Nas::Protected(_))) = group::decode_nas(msg.pdu) {
                self.on_protected(msg.pdu, cx);
            }
            return;
        }
        if self.state != State::Attaching {
            return;
        }
        match group::decode_nas(msg.pdu) {
            Ok(GroupNas::GroupAuthenticationRequest(r)) => self.on_group_challenge(r, cx),
            Ok(GroupNas::Emm(nas::Nas::Plain(NasMessage::AuthenticationRequest(r)))) => {
                self.on_auth_request(r.rand, r.autn, cx)
            }
            Ok(GroupNas::Emm(nas::Nas::Plain(NasMessage::AuthenticationReject))) => {
                self.finish(cx, "authentication_reject")
            }
            Ok(GroupNas::Emm(nas::Nas::Plain(NasMessage::AttachReject(_)))) => {
                self.finish(cx, "attach_reject")
            }
            Ok(GroupNas::Emm(nas::Nas::Protected(_))) => self.on_protected(msg.pdu, cx),
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
