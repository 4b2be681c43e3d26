//! The MME: EPS-AKA for leaders (and for devices without a group), local
//! group challenges for the other members, for many devices and groups.

use std::collections::{HashMap, VecDeque};
use std::sync::Arc;

use rand::Rng;
use zeroize::Zeroize;

use super::hss::GROUP_MEMBERSHIP_DENIED;
use super::{Config, member_milenage, sqn_value, sqn48};
use crate::aka;
use crate::core::{
    Addr, Ctx, Endpoint, Incoming, Interface, Nanos, Outcome, TimerKey, TimerKind, time::SECOND,
};
use crate::crypto::{ct_eq, eia2, kdf};
use crate::eps_aka::{EEA0, EIA2, UE_NETWORK_CAPABILITY, imsi, imsi_index, timer_ue, ue_timer};
use crate::wire::diameter::{
    AuthenticationInformationRequest as Air, EutranVector, RequestedAuthInfo,
    VendorSpecificApplicationId,
};
use crate::wire::group::{
    self, GroupAuthInfo, GroupAuthenticationRequest, KIND_GROUP_AUTHENTICATION_REQUEST,
};
use crate::wire::nas::{
    self, AttachReject, AuthenticationRequest, EmmCause, EpsMobileIdentity, NasMessage,
    SecurityModeCommand, header_type,
};

const T3460: TimerKind = TimerKind::T3460;
const TX: TimerKind = TimerKind::DiameterTx;
/// High part of the Diameter Session-Id (a fixed "boot time").
const SESSION_HIGH: u32 = 1_700_000_000;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Step {
    /// Waiting for the HSS's AIA.
    WaitAia,
    /// Queued behind the leader of its group, whose AIA is awaited.
    WaitGroup,
    /// AUTHENTICATION REQUEST (plain or group) sent.
    WaitAuthResponse,
    /// SECURITY MODE COMMAND sent.
    WaitSmComplete,
    Registered,
    Aborted,
}

/// One device's context in the MME.
struct UeContext {
    index: u32,
    /// The group the device announced in its attach, if any.
    group: Option<u32>,
    step: Step,
    /// The challenge in progress: RAND, XRES, AUTN, K_ASME.
    current: Option<EutranVector>,
    /// RAND_G of the GAK the current challenge was made with; `None` for an
    /// HSS vector.
    group_rand: Option<[u8; 16]>,
    ksi: u8,
    last_nas: Vec<u8>,
    last_kind: &'static str,
    retx: u32,
    pending_air: Option<Vec<u8>>,
    pending_hop_by_hop: u32,
    /// The group whose material the pending AIR asks for.
    air_group: Option<u32>,
    air_retx: u32,
    resyncs: u32,
}

impl Drop for UeContext {
    fn drop(&mut self) {
        if let Some(v) = self.current.as_mut() {
            v.kasme.zeroize();
            v.xres.zeroize();
        }
    }
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
    hss: Addr,
    origin_host: String,
    origin_realm: String,
    dest_realm: String,
    ues: HashMap<Addr, UeContext>,
    groups: HashMap<u32, GroupState>,
    /// Hop-by-hop id of each outstanding AIR -> device.
    outstanding: HashMap<u32, Addr>,
    next_hop_by_hop: u32,
    next_session: u64,
    next_ksi: u8,
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
        let realm = format!(
            "epc.mnc{:03}.mcc{}.3gppnetwork.org",
            cfg.plmn_digits[3..].parse::<u32>().unwrap_or(1),
            &cfg.plmn_digits[..3]
        );
        Self {
            cfg,
            hss,
            origin_host: format!("mme.{realm}"),
            origin_realm: realm.clone(),
            dest_realm: realm,
            ues: HashMap::new(),
            groups: HashMap::new(),
            outstanding: HashMap::new(),
            next_hop_by_hop: 1,
            next_session: 1,
            next_ksi: 0,
        }
    }

    /// Device contexts currently held.
    pub fn contexts(&self) -> usize {
        self.ues.len()
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

    fn send_nas(&mut self, ue: Addr, kind: &'static str, pdu: Vec<u8>, cx: &mut Ctx<'_>) {
        if let Some(c) = self.ues.get_mut(&ue) {
            c.last_nas = pdu.clone();
            c.last_kind = kind;
            c.retx = 0;
        }
        cx.fx.send(ue, Interface::Nas, kind, pdu);
        cx.fx.arm(ue_timer(ue, T3460), cx.now + self.cfg.t3460);
    }

    fn reject(&mut self, ue: Addr, cause: EmmCause, reason: &'static str, cx: &mut Ctx<'_>) {
        let msg = NasMessage::AttachReject(AttachReject {
            cause,
            esm_message_container: None,
        });
        cx.fx.send(ue, Interface::Nas, msg.kind(), msg.encode());
        cx.fx.cancel(ue_timer(ue, T3460));
        cx.fx.cancel(ue_timer(ue, TX));
        if let Some(c) = self.ues.get_mut(&ue) {
            c.step = Step::Aborted;
        }
        cx.fx.outcome(Outcome::Rejected {
            subject: ue,
            reason,
        });
    }

    fn take_ksi(&mut self) -> u8 {
        let ksi = self.next_ksi;
        self.next_ksi = (self.next_ksi + 1) % 7;
        ksi
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
        let Some(c) = self.ues.get_mut(&ue) else {
            return;
        };
        let hop_by_hop = self.next_hop_by_hop;
        self.next_hop_by_hop = self.next_hop_by_hop.wrapping_add(1).max(1);
        let air = Air {
            hop_by_hop,
            end_to_end: hop_by_hop,
            session_id: format!(
                "{};{:010};{:010}",
                self.origin_host, SESSION_HIGH, self.next_session
            ),
            vendor_specific_application_id: Some(VendorSpecificApplicationId::S6A),
            origin_host: self.origin_host.clone(),
            origin_realm: self.origin_realm.clone(),
            destination_host: None,
            destination_realm: self.dest_realm.clone(),
            user_name: imsi(&self.cfg.plmn_digits, c.index),
            requested_eutran: Some(RequestedAuthInfo {
                number_of_requested_vectors: Some(1),
                immediate_response_preferred: true,
                re_synchronization_info: resync,
            }),
            requested_utran_geran: None,
            visited_plmn_id: self.cfg.plmn,
        };
        self.next_session += 1;
        let pdu = group::encode_air(&air, group);
        c.step = Step::WaitAia;
        c.pending_air = Some(pdu.clone());
        c.pending_hop_by_hop = hop_by_hop;
        c.air_group = group;
        c.air_retx = 0;
        self.outstanding.insert(hop_by_hop, ue);
        cx.fx.cancel(ue_timer(ue, T3460));
        cx.fx.send(self.hss, Interface::S6a, "AIR", pdu);
        cx.fx
            .arm(ue_timer(ue, TX), cx.now + self.cfg.diameter_timeout);
    }

    /// Runs authentication for a device whose context exists: EPS-AKA via
    /// the HSS without a group; with a group, a local challenge if the
    /// material is valid, a queue place if a leader is fetching it, or the
    /// leader's role otherwise.
    fn authenticate(&mut self, ue: Addr, cx: &mut Ctx<'_>) {
        let Some(c) = self.ues.get(&ue) else {
            return;
        };
        let index = c.index;
        let Some(g) = c.group else {
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
            Route::NotMember => self.reject(
                ue,
                EmmCause::EPS_SERVICES_NOT_ALLOWED,
                "not_group_member",
                cx,
            ),
            Route::Queue => {
                gs.waiting.push_back(ue);
                if let Some(c) = self.ues.get_mut(&ue) {
                    c.step = Step::WaitGroup;
                }
                cx.fx.cancel(ue_timer(ue, T3460));
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
            if self.ues.get(&ue).is_some_and(|c| c.step == Step::WaitGroup) {
                self.authenticate(ue, cx);
            }
        }
    }

    /// A challenge with an HSS vector (leader, or a device without a group).
    fn challenge_with(&mut self, ue: Addr, v: EutranVector, cx: &mut Ctx<'_>) {
        let ksi = self.take_ksi();
        let Some(c) = self.ues.get_mut(&ue) else {
            return;
        };
        c.ksi = ksi;
        c.step = Step::WaitAuthResponse;
        c.group_rand = None;
        let msg = NasMessage::AuthenticationRequest(AuthenticationRequest {
            nas_ksi: ksi,
            rand: v.rand,
            autn: v.autn,
        });
        c.current = Some(v);
        self.send_nas(ue, msg.kind(), msg.encode(), cx);
    }

    /// A local group challenge: RAND_i fresh, SQN_G the group's next,
    /// MILENAGE keyed by K_i,G ‖ OPc_i,G = KDF(GAK, group id, IMSI).
    fn group_challenge(&mut self, ue: Addr, g: u32, cx: &mut Ctx<'_>) {
        let ksi = self.take_ksi();
        let Some(m) = self.groups.get_mut(&g).and_then(|gs| gs.material.as_mut()) else {
            return;
        };
        let Some(c) = self.ues.get_mut(&ue) else {
            return;
        };
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
        c.ksi = ksi;
        c.step = Step::WaitAuthResponse;
        c.group_rand = Some(m.rand_g);
        c.current = Some(EutranVector {
            item_number: None,
            rand,
            xres: av.xres.clone(),
            autn: av.autn,
            kasme,
        });
        self.send_nas(ue, KIND_GROUP_AUTHENTICATION_REQUEST, msg.encode(), cx);
    }

    fn on_attach(&mut self, ue: Addr, req: nas::AttachRequest, cx: &mut Ctx<'_>) {
        let EpsMobileIdentity::Imsi(imsi) = &req.identity else {
            return self.reject(ue, EmmCause::ILLEGAL_UE, "no_imsi", cx);
        };
        let Some(index) = imsi_index(&self.cfg.plmn_digits, imsi) else {
            return self.reject(ue, EmmCause::ILLEGAL_UE, "foreign_imsi", cx);
        };
        let Ok(group) = group::parse_group_identity(&req.optional_ies, 0) else {
            return self.reject(ue, EmmCause::ILLEGAL_UE, "bad_group_identity", cx);
        };
        // A repeated attach while the HSS (or the group's leader) is asked:
        // keep waiting. During a challenge it means the device restarted
        // (T3410) and dropped the challenge's RES: start a new one.
        if self
            .ues
            .get(&ue)
            .is_some_and(|c| matches!(c.step, Step::WaitAia | Step::WaitGroup))
        {
            return;
        }
        let c = self.ues.entry(ue).or_insert_with(|| UeContext {
            index,
            group,
            step: Step::Aborted,
            current: None,
            group_rand: None,
            ksi: 0,
            last_nas: Vec::new(),
            last_kind: "",
            retx: 0,
            pending_air: None,
            pending_hop_by_hop: 0,
            air_group: None,
            air_retx: 0,
            resyncs: 0,
        });
        c.index = index;
        c.group = group;
        c.resyncs = 0;
        self.authenticate(ue, cx);
    }

    fn on_aia(&mut self, pdu: &[u8], cx: &mut Ctx<'_>) {
        let Ok((aia, info)) = group::decode_aia(pdu) else {
            return;
        };
        let Some(ue) = self.outstanding.remove(&aia.hop_by_hop) else {
            return;
        };
        cx.fx.cancel(ue_timer(ue, TX));
        let Some(c) = self.ues.get_mut(&ue) else {
            return;
        };
        if c.step != Step::WaitAia {
            return;
        }
        c.pending_air = None;
        let air_group = c.air_group.take();
        let mut vectors = aia
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
            let v = vectors.swap_remove(0);
            self.challenge_with(ue, v, cx);
        } else if aia.result == GROUP_MEMBERSHIP_DENIED {
            self.reject(
                ue,
                EmmCause::EPS_SERVICES_NOT_ALLOWED,
                "not_group_member",
                cx,
            );
        } else {
            self.reject(ue, EmmCause::EPS_SERVICES_NOT_ALLOWED, "hss_refused", cx);
        }
        if let Some(g) = air_group {
            self.serve_waiting(g, cx);
        }
    }

    fn on_auth_response(&mut self, ue: Addr, res: &[u8], cx: &mut Ctx<'_>) {
        let Some(c) = self.ues.get_mut(&ue) else {
            return;
        };
        if c.step != Step::WaitAuthResponse {
            return;
        }
        let Some(v) = c.current.as_ref() else {
            return;
        };
        if !aka::res_matches(&v.xres, res) {
            cx.fx.cancel(ue_timer(ue, T3460));
            c.step = Step::Aborted;
            let msg = NasMessage::AuthenticationReject;
            cx.fx.send(ue, Interface::Nas, msg.kind(), msg.encode());
            cx.fx.outcome(Outcome::Rejected {
                subject: ue,
                reason: "res_mismatch",
            });
            return;
        }
        let mut k_int = kdf::nas_key(&v.kasme, kdf::NAS_INT_ALG, EIA2, &mut cx.fx.crypto);
        let smc = NasMessage::SecurityModeCommand(SecurityModeCommand {
            ciphering_algorithm: EEA0,
            integrity_algorithm: EIA2,
            nas_ksi: c.ksi,
            replayed_ue_security_capabilities: UE_NETWORK_CAPABILITY[..2].to_vec(),
            imeisv_request: None,
        });
        let pdu = crate::eps_aka::protect_first(
            &k_int,
            header_type::INTEGRITY_PROTECTED_NEW_CONTEXT,
            crate::eps_aka::DOWNLINK,
            &smc,
            &mut cx.fx.crypto,
        );
        k_int.zeroize();
        c.step = Step::WaitSmComplete;
        self.send_nas(ue, "SecurityModeCommand", pdu, cx);
    }

    /// A synch failure on a group challenge: verify AUTS with the member's
    /// group key (no HSS needed), move the group counter above SQN_MS and
    /// challenge again; past the SQN block this member refreshes GAK.
    fn group_resync(&mut self, ue: Addr, rand: [u8; 16], auts: [u8; 14], cx: &mut Ctx<'_>) {
        let Some(c) = self.ues.get_mut(&ue) else {
            return;
        };
        let (Some(g), Some(rand_g)) = (c.group, c.group_rand.take()) else {
            return;
        };
        let index = c.index;
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
            if let Some(c) = self.ues.get_mut(&ue) {
                c.step = Step::Aborted;
            }
            cx.fx.outcome(Outcome::Rejected {
                subject: ue,
                reason: "group_resync_failure",
            });
            return;
        }
        m.next_sqn = m.next_sqn.max(sqn_value(&sqn_ms) + 1);
        self.authenticate(ue, cx);
    }

    fn on_auth_failure(&mut self, ue: Addr, f: nas::AuthenticationFailure, cx: &mut Ctx<'_>) {
        let Some(c) = self.ues.get_mut(&ue) else {
            return;
        };
        if c.step != Step::WaitAuthResponse {
            return;
        }
        cx.fx.cancel(ue_timer(ue, T3460));
        match (f.cause, f.auts) {
            (EmmCause::SYNCH_FAILURE, Some(auts)) if c.resyncs < 2 => {
                c.resyncs += 1;
                let Some(v) = c.current.take() else {
                    return;
                };
                if c.group_rand.is_some() {
                    self.group_resync(ue, v.rand, auts, cx);
                } else {
                    let mut info = [0u8; 30];
                    info[..16].copy_from_slice(&v.rand);
                    info[16..].copy_from_slice(&auts);
                    self.request_vectors(ue, Some(info), None, cx);
                }
            }
            (EmmCause::MAC_FAILURE, _) => {
                c.step = Step::Aborted;
                cx.fx.outcome(Outcome::Rejected {
                    subject: ue,
                    reason: "ue_reported_mac_failure",
                });
            }
            _ => {
                c.step = Step::Aborted;
                cx.fx.outcome(Outcome::Rejected {
                    subject: ue,
                    reason: "authentication_failure",
                });
            }
        }
    }

    fn on_protected(&mut self, ue: Addr, pdu: &[u8], cx: &mut Ctx<'_>) {
        let Some(c) = self.ues.get_mut(&ue) else {
            return;
        };
        if c.step != Step::WaitSmComplete {
            return;
        }
        let Ok(nas::Nas::Protected(p)) = nas::decode_any(pdu) else {
            return;
        };
        let Some(v) = c.current.as_ref() else {
            return;
        };
        let mut k_int = kdf::nas_key(&v.kasme, kdf::NAS_INT_ALG, EIA2, &mut cx.fx.crypto);
        let ok = eia2::eia2_verify(
            &k_int,
            p.seq as u32,
            0,
            0,
            &p.mac_input(),
            &p.mac,
            &mut cx.fx.crypto,
        );
        k_int.zeroize();
        if !ok || !matches!(p.decode_inner(), Ok(NasMessage::SecurityModeComplete(_))) {
            cx.fx.outcome(Outcome::AttackDetected {
                subject: ue,
                what: "nas_integrity_failure",
            });
            return;
        }
        cx.fx.cancel(ue_timer(ue, T3460));
        c.step = Step::Registered;
        c.last_nas = Vec::new();
        cx.fx.outcome(Outcome::Authenticated {
            subject: ue,
            key_id: c.ksi as u32,
        });
    }

    /// The leader's AIR gave up: the next queued member leads.
    fn s6a_gave_up(&mut self, ue: Addr, cx: &mut Ctx<'_>) {
        let Some(c) = self.ues.get_mut(&ue) else {
            return;
        };
        c.pending_air = None;
        let air_group = c.air_group.take();
        self.outstanding.remove(&c.pending_hop_by_hop);
        self.reject(ue, EmmCause::NETWORK_FAILURE, "s6a_timeout", cx);
        if let Some(g) = air_group {
            if let Some(gs) = self.groups.get_mut(&g) {
                gs.leader = None;
            }
            self.serve_waiting(g, cx);
        }
    }
}

impl Endpoint for Mme {
    fn start(&mut self, _: &mut Ctx<'_>) {}

    fn on_message(&mut self, msg: Incoming<'_>, cx: &mut Ctx<'_>) {
        match msg.interface {
            Interface::S6a => self.on_aia(msg.pdu, cx),
            Interface::Nas => match nas::decode_any(msg.pdu) {
                Ok(nas::Nas::Plain(NasMessage::AttachRequest(r))) => {
                    self.on_attach(msg.from, r, cx)
                }
                Ok(nas::Nas::Plain(NasMessage::AuthenticationResponse(r))) => {
                    self.on_auth_response(msg.from, &r.res, cx)
                }
                Ok(nas::Nas::Plain(NasMessage::AuthenticationFailure(f))) => {
                    self.on_auth_failure(msg.from, f, cx)
                }
                Ok(nas::Nas::Plain(NasMessage::SecurityModeReject(_))) => {
                    cx.fx.cancel(ue_timer(msg.from, T3460));
                    if let Some(c) = self.ues.get_mut(&msg.from) {
                        c.step = Step::Aborted;
                    }
                    cx.fx.outcome(Outcome::Rejected {
                        subject: msg.from,
                        reason: "security_mode_reject",
                    });
                }
                Ok(nas::Nas::Protected(_)) => self.on_protected(msg.from, msg.pdu, cx),
                _ => {}
            },
            _ => {}
        }
    }

    fn on_timer(&mut self, id: TimerKey, cx: &mut Ctx<'_>) {
        let Some((ue, kind)) = timer_ue(id) else {
            cx.fx.ignore("timer without a device");
            return;
        };
        let Some(c) = self.ues.get_mut(&ue) else {
            return;
        };
        match kind {
            T3460 if matches!(c.step, Step::WaitAuthResponse | Step::WaitSmComplete) => {
                if c.retx >= self.cfg.t3460_max_retx {
                    c.step = Step::Aborted;
                    cx.fx.outcome(Outcome::Failed {
                        subject: ue,
                        reason: "t3460_expired",
                    });
                    return;
                }
                c.retx += 1;
                cx.fx
                    .send(ue, Interface::Nas, c.last_kind, c.last_nas.clone());
                cx.fx.arm(id, cx.now + self.cfg.t3460);
            }
            TX if c.step == Step::WaitAia => {
                if c.air_retx >= self.cfg.diameter_max_retx {
                    return self.s6a_gave_up(ue, cx);
                }
                c.air_retx += 1;
                if let Some(air) = c.pending_air.clone() {
                    cx.fx.send(self.hss, Interface::S6a, "AIR", air);
                    cx.fx.arm(id, cx.now + self.cfg.diameter_timeout);
                }
            }
            _ => {}
        }
    }
}
