//! The MME: the EPS-AKA serving procedure for leaders (and for devices
//! without a group), plus local group challenges for the other members,
//! for many devices and groups.

use std::collections::{HashMap, VecDeque};
use std::sync::Arc;

use rand::Rng;
use zeroize::Zeroize;

use super::hss::GROUP_MEMBERSHIP_DENIED;
use super::{Config, member_milenage, sqn_value, sqn48};
use crate::aka::serving::{Serving, Step, Timers};
use crate::aka::{self, imsi};
use crate::core::{
    Addr, Ctx, Endpoint, Incoming, Nanos, Outcome, TimerKey, TimerKind, time::SECOND,
};
use crate::crypto::{ct_eq, kdf};
use crate::eps_aka::EIA2;
use crate::eps_aka::mme::{
    AirBuilder, Nas, NasUplink, attach_index, command_security_mode, complete_security_mode,
    failure, on_message, resync_info,
};
use crate::wire::diameter::EutranVector;
use crate::wire::group::{self, GroupAuthInfo, GroupAuthenticationRequest};
use crate::wire::nas::{self, EmmCause};

/// What the MME keeps per procedure beyond EPS-AKA.
#[derive(Default)]
pub(crate) struct GroupProcedure {
    /// The group the device announced in its attach, if any.
    group: Option<u32>,
    /// RAND_G of the GAK the current challenge was made with; `None` for an
    /// HSS vector.
    group_rand: Option<[u8; 16]>,
    /// The group whose material the pending AIR asks for.
    air_group: Option<u32>,
}

/// Group material from the HSS, valid until `expires` or until the block of
/// group SQNs is used up.
struct GroupMaterial {
    gak: [u8; 32],
    rand_g: [u8; 16],
    first: u32,
    count: u32,
    next_sqn: u64,
    last_sqn: u64,
    expires: Nanos,
}

impl Drop for GroupMaterial {
    fn drop(&mut self) {
        self.gak.zeroize();
    }
}

impl GroupMaterial {
    fn from_info(i: &GroupAuthInfo, now: Nanos) -> Self {
        Self {
            gak: i.gak,
            rand_g: i.rand_g,
            first: i.member_first,
            count: i.member_count,
            next_sqn: i.sqn_start + 1,
            last_sqn: i.sqn_start + u64::from(i.sqn_count),
            expires: now.saturating_add(u64::from(i.lifetime_s) * SECOND),
        }
    }

    fn valid(&self, now: Nanos) -> bool {
        now < self.expires && self.next_sqn <= self.last_sqn
    }

    fn contains(&self, index: u32) -> bool {
        index >= self.first && index - self.first < self.count
    }
}

#[derive(Default)]
struct GroupState {
    material: Option<GroupMaterial>,
    /// The member whose AIR fetches (or refreshes) the material.
    leader: Option<Addr>,
    /// Members that attached meanwhile, served when the AIA arrives.
    waiting: VecDeque<Addr>,
}

/// Serving network of group AKA.
pub struct Mme {
    cfg: Arc<Config>,
    core: Serving<Nas<GroupProcedure>>,
    nas: Nas<GroupProcedure>,
    air: AirBuilder,
    groups: HashMap<u32, GroupState>,
}

/// What to do with a device that announced a group.
enum Route {
    Challenge,
    NotMember,
    Queue,
    Lead,
}

impl Mme {
    pub fn new(cfg: Arc<Config>, hss: Addr) -> Self {
        let nas = Nas::new(Timers {
            retx: cfg.t3460,
            retx_max: cfg.t3460_max_retx,
            tx: cfg.diameter_timeout,
            tx_max: cfg.diameter_max_retx,
        });
        Self {
            air: AirBuilder::new(&cfg.plmn_digits, cfg.plmn),
            cfg,
            core: Serving::new(hss),
            nas,
            groups: HashMap::new(),
        }
    }

    /// Device contexts currently held.
    pub fn contexts(&self) -> usize {
        self.core.len()
    }

    /// Whether the MME holds usable material for `group` at time `now`.
    pub fn has_group_material(&self, group: u32, now: Nanos) -> bool {
        self.groups
            .get(&group)
            .and_then(|g| g.material.as_ref())
            .is_some_and(|m| m.valid(now))
    }

    /// The next group SQN the MME would use for `group`.
    pub fn next_group_sqn(&self, group: u32) -> Option<u64> {
        self.groups
            .get(&group)?
            .material
            .as_ref()
            .map(|m| m.next_sqn)
    }

    /// Sends an AIR for the device's own vector; with `group`, asking for
    /// that group's material too.
    fn request_vectors(
        &mut self,
        ue: Addr,
        resync: Option<[u8; 30]>,
        group: Option<u32>,
        cx: &mut Ctx<'_>,
    ) {
        let Some(c) = self.core.context_mut(ue) else {
            return;
        };
        c.procedure().extra.air_group = group;
        cx.fx.cancel(TimerKey::for_peer(ue, TimerKind::T3460));
        let (cfg, air) = (&self.cfg, &mut self.air);
        let build = |id, index| {
            let air = air.build(id, &cfg.plmn_digits, index, 1, resync);
            (air.kind(), group::encode_air(air, group))
        };
        self.core.request(&self.nas, ue, build, cx);
    }

    /// Runs authentication for a device whose context exists: EPS-AKA via
    /// the HSS without a group; with a group, a local challenge if the
    /// material is valid, a queue place if a leader is fetching it, or the
    /// leader's role otherwise.
    fn authenticate(&mut self, ue: Addr, cx: &mut Ctx<'_>) {
        let Some(c) = self.core.context_mut(ue) else {
            return;
        };
        let index = c.index;
        let Some(g) = c.procedure().extra.group else {
            return self.request_vectors(ue, None, None, cx);
        };
        let gs = self.groups.entry(g).or_default();
        let route = match gs.material.as_ref() {
            Some(m) if m.valid(cx.now) => {
                if m.contains(index) {
                    Route::Challenge
                } else {
                    Route::NotMember
                }
            }
            _ if gs.leader.is_some() => Route::Queue,
            _ => Route::Lead,
        };
        match route {
            Route::Challenge => self.group_challenge(ue, g, cx),
            Route::NotMember => {
                let cause = EmmCause::EPS_SERVICES_NOT_ALLOWED;
                self.core
                    .reject(&self.nas, ue, cause, "not_group_member", cx)
            }
            Route::Queue => {
                gs.waiting.push_back(ue);
                if let Some(c) = self.core.context_mut(ue) {
                    c.step = Step::WaitGroup;
                }
                cx.fx.cancel(TimerKey::for_peer(ue, TimerKind::T3460));
            }
            Route::Lead => {
                gs.material = None;
                gs.leader = Some(ue);
                self.request_vectors(ue, None, Some(g), cx);
            }
        }
    }

    /// The members that queued behind a leader, once its exchange is over.
    fn serve_waiting(&mut self, g: u32, cx: &mut Ctx<'_>) {
        let waiting: Vec<Addr> = match self.groups.get_mut(&g) {
            Some(gs) => gs.waiting.drain(..).collect(),
            None => return,
        };
        for ue in waiting {
            let queued = |c: &aka::serving::Context<_, _>| c.step == Step::WaitGroup;
            if self.core.context(ue).is_some_and(queued) {
                self.authenticate(ue, cx);
            }
        }
    }

    /// A local group challenge: RAND_i fresh, SQN_G the group's next,
    /// MILENAGE keyed by K_i,G ‖ OPc_i,G = KDF(GAK, group id, IMSI).
    fn group_challenge(&mut self, ue: Addr, g: u32, cx: &mut Ctx<'_>) {
        let ksi = self.core.take_ksi();
        let Some(m) = self.groups.get_mut(&g).and_then(|gs| gs.material.as_mut()) else {
            return;
        };
        let Some(c) = self.core.context_mut(ue) else {
            return;
        };
        c.procedure().extra.group_rand = Some(m.rand_g);
        let sqn_g = m.next_sqn;
        m.next_sqn += 1;
        let ops = &mut cx.fx.crypto;
        let mil = member_milenage(&m.gak, g, &imsi(&self.cfg.plmn_digits, c.index), ops);
        let mut rand = [0u8; 16];
        cx.rng.fill_bytes(&mut rand);
        let av = aka::generate_vector(&mil, sqn48(sqn_g), aka::AMF_EPS, rand, ops);
        let kasme = kdf::kasme(&av.ck, &av.ik, &self.cfg.plmn, &av.sqn_xor_ak(), ops);
        let msg = GroupAuthenticationRequest {
            nas_ksi: ksi,
            rand,
            autn: av.autn,
            rand_g: m.rand_g,
        };
        let v = EutranVector {
            item_number: None,
            rand,
            xres: av.xres.clone(),
            autn: av.autn,
            kasme,
        };
        let (kind, pdu) = (msg.kind(), msg.encode());
        self.core
            .challenge_with(&self.nas, ue, ksi, v, kind, pdu, cx);
    }

    /// A synch failure on a group challenge: verify AUTS with the member's
    /// group key (no HSS needed), move the group counter above SQN_MS and
    /// challenge again; past the SQN block this member refreshes GAK.
    fn group_resync(&mut self, ue: Addr, rand: [u8; 16], auts: [u8; 14], cx: &mut Ctx<'_>) {
        let Some(c) = self.core.context_mut(ue) else {
            return;
        };
        let index = c.index;
        let extra = &mut c.procedure().extra;
        let (Some(g), Some(rand_g)) = (extra.group, extra.group_rand.take()) else {
            return;
        };
        let material = self
            .groups
            .get_mut(&g)
            .and_then(|gs| gs.material.as_mut())
            .filter(|m| m.rand_g == rand_g);
        let Some(m) = material else {
            // GAK changed since the challenge: a fresh one settles it.
            return self.authenticate(ue, cx);
        };
        let ops = &mut cx.fx.crypto;
        let mil = member_milenage(&m.gak, g, &imsi(&self.cfg.plmn_digits, index), ops);
        let mr = mil.with_rand(&rand, ops);
        let mut ak_star = mr.f5_star(ops);
        let mut sqn_ms = [0u8; 6];
        for i in 0..6 {
            sqn_ms[i] = auts[i] ^ ak_star[i];
        }
        ak_star.zeroize();
        let xmac_s = mr.f1_star(&sqn_ms, &[0, 0], ops);
        if !ct_eq(&xmac_s, &auts[6..]) {
            c.abort();
            cx.fx.outcome(Outcome::Rejected {
                subject: ue,
                reason: "group_resync_failure",
            });
            return;
        }
        m.next_sqn = m.next_sqn.max(sqn_value(&sqn_ms) + 1);
        self.authenticate(ue, cx);
    }

    /// The leader's AIR gave up: the next queued member leads.
    fn s6a_gave_up(&mut self, ue: Addr, cx: &mut Ctx<'_>) {
        let air_group = self
            .core
            .context_mut(ue)
            .and_then(|c| c.procedure().extra.air_group.take());
        let cause = EmmCause::NETWORK_FAILURE;
        self.core.reject(&self.nas, ue, cause, "s6a_timeout", cx);
        if let Some(g) = air_group {
            if let Some(gs) = self.groups.get_mut(&g) {
                gs.leader = None;
            }
            self.serve_waiting(g, cx);
        }
    }
}

impl NasUplink for Mme {
    type Extra = GroupProcedure;

    fn core(&mut self) -> &mut Serving<Nas<GroupProcedure>> {
        &mut self.core
    }

    fn on_aia(&mut self, pdu: &[u8], cx: &mut Ctx<'_>) {
        let Ok((aia, info)) = group::decode_aia(pdu) else {
            return cx.fx.ignore("undecodable");
        };
        let Some(ue) = self.core.on_answer(aia.hop_by_hop, "AIA", cx) else {
            return;
        };
        let air_group = self
            .core
            .context_mut(ue)
            .and_then(|c| c.procedure().extra.air_group.take());
        let vectors = aia
            .authentication_info
            .map(|i| i.eutran_vectors)
            .unwrap_or_default();
        let success = aia.result.is_success() && !vectors.is_empty();
        if let Some(g) = air_group {
            let gs = self.groups.entry(g).or_default();
            gs.leader = None;
            // An HSS that ignores Group-Id answers without material: every
            // member then gets EPS-AKA of its own (each becomes a leader).
            if let Some(i) = info.as_ref().filter(|i| success && i.group_id == g) {
                gs.material = Some(GroupMaterial::from_info(i, cx.now));
            }
        }
        if success {
            // An HSS vector: the challenge is not a group one.
            if let Some(c) = self.core.context_mut(ue) {
                c.procedure().extra.group_rand = None;
            }
            let first = vectors.into_iter().next();
            self.core.challenge(&self.nas, ue, first, cx);
        } else {
            let reason = if aia.result == GROUP_MEMBERSHIP_DENIED {
                "not_group_member"
            } else {
                "hss_refused"
            };
            let cause = EmmCause::EPS_SERVICES_NOT_ALLOWED;
            self.core.reject(&self.nas, ue, cause, reason, cx);
        }
        if let Some(g) = air_group {
            self.serve_waiting(g, cx);
        }
    }

    fn on_attach(&mut self, ue: Addr, req: nas::AttachRequest, cx: &mut Ctx<'_>) {
        let index = match attach_index(&req, &self.cfg.plmn_digits) {
            Ok(index) => index,
            Err((cause, reason)) => return self.core.reject(&self.nas, ue, cause, reason, cx),
        };
        let Ok(group) = group::parse_group_identity(&req.optional_ies, 0) else {
            let cause = EmmCause::ILLEGAL_UE;
            return self
                .core
                .reject(&self.nas, ue, cause, "bad_group_identity", cx);
        };
        // A repeated attach while the HSS (or the group's leader) is asked:
        // keep waiting. During a challenge it means the device restarted
        // (T3410) and dropped the challenge's RES: start a new one.
        let waiting =
            |c: &aka::serving::Context<_, _>| matches!(c.step, Step::WaitVectors | Step::WaitGroup);
        if self.core.context(ue).is_some_and(waiting) {
            return cx.fx.ignore("AttachRequest");
        }
        self.core.begin(ue, index).procedure().extra.group = group;
        self.authenticate(ue, cx);
    }

    fn on_auth_response(&mut self, ue: Addr, res: &[u8], cx: &mut Ctx<'_>) {
        command_security_mode(&mut self.core, &self.nas, ue, res, |_, _| {}, cx);
    }

    fn on_auth_failure(&mut self, ue: Addr, f: nas::AuthenticationFailure, cx: &mut Ctx<'_>) {
        let label = "AuthenticationFailure";
        let Some((rand, auts)) = self.core.on_failure(&self.nas, ue, failure(&f), label, cx) else {
            return;
        };
        let group_challenge = self
            .core
            .context_mut(ue)
            .is_some_and(|c| c.procedure().extra.group_rand.is_some());
        if group_challenge {
            self.group_resync(ue, rand, auts, cx);
        } else {
            self.request_vectors(ue, Some(resync_info(rand, auts)), None, cx);
        }
    }

    /// The SECURITY MODE COMPLETE, checked with K_NASint derived again from
    /// the challenge's K_ASME.
    fn on_protected(&mut self, ue: Addr, p: nas::SecurityProtected, pdu: &[u8], cx: &mut Ctx<'_>) {
        let label = "SecurityProtected";
        let Some(c) = self.core.expecting(ue, Step::WaitSecurityMode, label, cx) else {
            return;
        };
        let Some(v) = c.procedure().current.as_ref() else {
            return cx.fx.ignore(label);
        };
        let mut k_int = kdf::nas_key(&v.kasme, kdf::NAS_INT_ALG, EIA2, &mut cx.fx.crypto);
        complete_security_mode(&mut self.core, ue, &k_int, &p, pdu, cx);
        k_int.zeroize();
    }
}

impl Endpoint for Mme {
    fn start(&mut self, _: &mut Ctx<'_>) {}

    fn on_message(&mut self, msg: Incoming<'_>, cx: &mut Ctx<'_>) {
        on_message(self, msg, cx);
    }

    fn on_timer(&mut self, key: TimerKey, cx: &mut Ctx<'_>) {
        if let Some(ue) = self.core.on_timer(&self.nas, key, cx) {
            self.s6a_gave_up(ue, cx);
        }
    }
}
