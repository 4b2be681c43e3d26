//! An MTC device of a group: the EPS-AKA device (its own USIM for when it
//! leads) plus the group key GK, the last group SQN it accepted and the
//! check of a group challenge.

use std::sync::Arc;

use zeroize::Zeroize;

use super::{Config, derive_gak, member_milenage, sqn_value, sqn48};
use crate::aka::device::{Attach, Device, DeviceVariant, Downlink, Refusal, State};
use crate::aka::{SqnState, UsimAccept, imsi};
use crate::core::{Addr, CryptoOps, Ctx, Interface, Nanos, TimerKind};
use crate::crypto::{ct_eq, kdf, milenage::Milenage};
use crate::eps_aka::ue as eps;
use crate::wire::group::{self, GroupAuthenticationRequest, GroupNas};
use crate::wire::nas;

/// One group member and its attach procedure.
pub type Member = Device<Membership>;

/// What a group member holds beyond an EPS-AKA device.
pub struct Membership {
    cfg: Arc<Config>,
    group_id: u32,
    gk: [u8; 32],
    /// The highest group SQN accepted from this group.
    last_sqn_g: u64,
}

impl Drop for Membership {
    fn drop(&mut self) {
        self.gk.zeroize();
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
        let membership = Membership {
            cfg,
            group_id,
            gk,
            last_sqn_g: 0,
        };
        Device::with_variant(membership, index, mme, usim, sqn)
    }

    /// The highest group SQN this member has accepted.
    pub fn last_group_sqn(&self) -> u64 {
        self.variant().last_sqn_g
    }
}

/// The downlink messages only a group member handles itself.
pub enum GroupDownlink {
    Challenge(GroupAuthenticationRequest),
    Protected(nas::SecurityProtected),
}

impl DeviceVariant for Membership {
    type Message = GroupDownlink;
    const INTERFACE: Interface = Interface::Nas;
    const GUARD: TimerKind = TimerKind::T3410;
    const GUARD_EXPIRED: &'static str = "t3410_expired";
    const CHECKS_SEPARATION_BIT: bool = true;
    const AUTHENTICATED_AT_CHALLENGE: bool = false;

    fn guard(&self) -> (Nanos, u32) {
        (self.cfg.t3410, self.cfg.attach_max_attempts)
    }

    fn decode(&self, pdu: &[u8]) -> (&'static str, Downlink<GroupDownlink>) {
        match group::decode_nas(pdu) {
            Ok(GroupNas::GroupAuthenticationRequest(r)) => (
                group::KIND_GROUP_AUTHENTICATION_REQUEST,
                Downlink::Variant(GroupDownlink::Challenge(r)),
            ),
            Ok(GroupNas::Emm(n)) => eps::downlink(Ok(n), GroupDownlink::Protected),
            Err(_) => ("undecodable", Downlink::Ignore),
        }
    }

    /// An attach announcing the device's group.
    fn send_attach(&mut self, to: Addr, index: u32, cx: &mut Ctx<'_>) {
        let ies = group::group_identity_ie(self.group_id);
        eps::send_attach_request(to, &self.cfg.plmn_digits, index, ies, cx);
    }

    fn send_response(&mut self, to: Addr, res: &[u8], cx: &mut Ctx<'_>) {
        eps::send_response(to, res, cx);
    }

    fn send_refusal(&mut self, to: Addr, refusal: Refusal, cx: &mut Ctx<'_>) {
        eps::send_refusal(to, refusal, cx);
    }

    fn session_key(&self, acc: &UsimAccept, autn: &[u8; 16], ops: &mut CryptoOps) -> [u8; 32] {
        eps::kasme(&self.cfg.plmn, acc, autn, ops)
    }

    fn on_message(
        &mut self,
        a: &mut Attach,
        msg: GroupDownlink,
        label: &'static str,
        pdu: &[u8],
        cx: &mut Ctx<'_>,
    ) {
        match msg {
            GroupDownlink::Challenge(r) if a.state() == State::Attaching => {
                self.on_group_challenge(a, r, cx)
            }
            GroupDownlink::Challenge(_) => cx.fx.ignore(label),
            GroupDownlink::Protected(p) => eps::security_mode::<Self>(a, p, label, pdu, cx),
        }
    }
}

impl Membership {
    /// A group challenge: derive GAK from GK and RAND_G, the member's group
    /// MILENAGE key from GAK and its IMSI, then check MAC_i in constant time
    /// and SQN_G > the last accepted group SQN.
    fn on_group_challenge(
        &mut self,
        a: &mut Attach,
        r: GroupAuthenticationRequest,
        cx: &mut Ctx<'_>,
    ) {
        if a.answer_repeat(self, &r.rand, cx) {
            return;
        }
        if !crate::aka::amf_separation_bit(&r.autn) {
            return a.refuse(self, Refusal::Unacceptable, cx);
        }
        let ops = &mut cx.fx.crypto;
        let mut gak = derive_gak(&self.gk, &r.rand_g, self.group_id, ops);
        let mil = member_milenage(
            &gak,
            self.group_id,
            &imsi(&self.cfg.plmn_digits, a.index()),
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
            a.detected("network_mac_failure", cx);
            return a.refuse(self, Refusal::MacFailure, cx);
        }
        let sqn_g = sqn_value(&sqn);
        if sqn_g <= self.last_sqn_g {
            // Authentic but not fresh: a replayed challenge, an MME whose
            // group counter is behind, or — under loss — the MME resending
            // the very challenge this member accepted, but whose procedure
            // never completed, before its attach restarted (T3410 expired,
            // the key was dropped; the retransmission crossed the new
            // request). AUTS lets an honest MME catch up in every case. The
            // last one is told apart — links keep order, so a benign stale
            // challenge is always the last one accepted — and claims no
            // attack; the last challenge of a completed procedure is never
            // sent again by an honest MME, so it stays a replay.
            let retransmitted = r.rand == *a.last_rand() && !a.last_completed();
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
            if !retransmitted {
                a.detected("group_challenge_replay", cx);
            }
            return a.refuse(self, Refusal::SynchFailure(auts), cx);
        }
        self.last_sqn_g = sqn_g;
        let (mut ck, mut ik) = (mr.f3(ops), mr.f4(ops));
        let mut sqn_xor_ak = [0u8; 6];
        sqn_xor_ak.copy_from_slice(&r.autn[..6]);
        let kasme = kdf::kasme(&ck, &ik, &self.cfg.plmn, &sqn_xor_ak, ops);
        ck.zeroize();
        ik.zeroize();
        a.answer(self, r.rand, &res, kasme, cx);
        res.zeroize();
    }
}
