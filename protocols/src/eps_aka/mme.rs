//! The MME: serving-network side of EPS-AKA for many UEs at once.

use std::collections::VecDeque;
use std::sync::Arc;

use rustc_hash::FxHashMap;

/// UE contexts by address, indexed by (UE node, endpoint index): a population
/// numbers its devices densely. 24 bytes a slot instead of a hash map entry:
/// no hashing, no rehash of 10^6 entries while growing. Slots come in pages
/// allocated on first use, so the table never copies itself as it grows.
#[derive(Default)]
struct UeTable {
    /// Per UE node, the pages of slots.
    nodes: Vec<Vec<Option<Page>>>,
    len: usize,
}

/// [`PAGE`] slots of [`UeTable`].
type Page = Box<[Option<UeContext>]>;

/// Slots per page of [`UeTable`] (96 KiB pages).
const PAGE_BITS: u32 = 12;
const PAGE: usize = 1 << PAGE_BITS;

impl UeTable {
    fn get_mut(&mut self, ue: &Addr) -> Option<&mut UeContext> {
        let i = ue.index as usize;
        self.nodes
            .get_mut(ue.node as usize)?
            .get_mut(i >> PAGE_BITS)?
            .as_mut()?[i & (PAGE - 1)]
            .as_mut()
    }

    fn get_or_insert_with(&mut self, ue: Addr, f: impl FnOnce() -> UeContext) -> &mut UeContext {
        let node = ue.node as usize;
        if self.nodes.len() <= node {
            self.nodes.resize_with(node + 1, Vec::new);
        }
        let pages = &mut self.nodes[node];
        let i = ue.index as usize;
        if pages.len() <= i >> PAGE_BITS {
            pages.resize_with((i >> PAGE_BITS) + 1, || None);
        }
        let page = pages[i >> PAGE_BITS].get_or_insert_with(|| (0..PAGE).map(|_| None).collect());
        let slot = &mut page[i & (PAGE - 1)];
        if slot.is_none() {
            self.len += 1;
        }
        slot.get_or_insert_with(f)
    }

    fn len(&self) -> usize {
        self.len
    }
}
use zeroize::Zeroize;

use super::{
    Config, EEA0, EIA2, UE_NETWORK_CAPABILITY, imsi_index, imsi_into, push_zero_padded, timer_ue,
    ue_timer,
};
use crate::aka;
use crate::core::{Addr, Ctx, Endpoint, Incoming, Interface, Outcome, TimerKey, TimerKind};
use crate::crypto::{eia2, kdf};
use crate::wire::diameter::{
    AuthenticationInformationAnswer as Aia, AuthenticationInformationRequest as Air, EutranVector,
    RequestedAuthInfo, VendorSpecificApplicationId,
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
    /// AUTHENTICATION REQUEST sent.
    WaitAuthResponse,
    /// SECURITY MODE COMMAND sent.
    WaitSmComplete,
    Registered,
    Aborted,
}

/// One UE's context in the MME: small once registered (10^6 of them must fit),
/// with the state of a procedure in progress boxed and dropped when it ends.
struct UeContext {
    index: u32,
    step: Step,
    ksi: u8,
    /// Unused vectors of a batch, for the UE's next attach. Boxed: usually
    /// there are none, and a pointer is 8 bytes where a `VecDeque` is 32.
    #[allow(clippy::box_collection)]
    spare: Option<Box<VecDeque<EutranVector>>>,
    procedure: Option<Box<Procedure>>,
}

/// What the MME keeps while one attach is in progress.
#[derive(Default)]
struct Procedure {
    /// The vector of the challenge in progress.
    current: Option<EutranVector>,
    /// K_NASint of the new context, derived once per challenge.
    k_nas_int: [u8; 16],
    /// The last NAS PDU sent, for T3460 retransmission.
    last_nas: Vec<u8>,
    last_kind: &'static str,
    retx: u32,
    /// The pending AIR (for Tx retransmission) and its tries.
    pending_air: Option<Vec<u8>>,
    air_retx: u32,
    resyncs: u32,
}

impl Drop for Procedure {
    fn drop(&mut self) {
        self.k_nas_int.zeroize();
        if let Some(v) = self.current.as_mut() {
            v.kasme.zeroize();
            v.xres.zeroize();
        }
    }
}

impl Drop for UeContext {
    fn drop(&mut self) {
        for v in self.spare.iter_mut().flat_map(|s| s.iter_mut()) {
            v.kasme.zeroize();
            v.xres.zeroize();
        }
    }
}

impl UeContext {
    fn proc(&mut self) -> &mut Procedure {
        self.procedure.get_or_insert_with(Default::default)
    }
}

/// Serving network: runs the attach/authentication/security mode procedures.
pub struct Mme {
    cfg: Arc<Config>,
    hss: Addr,
    origin_host: String,
    ues: UeTable,
    /// Hop-by-hop id of each outstanding AIR -> UE.
    outstanding: FxHashMap<u32, Addr>,
    next_hop_by_hop: u32,
    next_session: u64,
    next_ksi: u8,
    /// The AIR being built: its strings keep their buffers from one request
    /// to the next (fixed fields set once in `new`).
    air: Air,
    /// The last AIA, decoded into kept buffers.
    aia: Aia,
}

impl Mme {
    pub fn new(cfg: Arc<Config>, hss: Addr) -> Self {
        let realm = format!(
            "epc.mnc{:03}.mcc{}.3gppnetwork.org",
            cfg.plmn_digits[3..].parse::<u32>().unwrap_or(1),
            &cfg.plmn_digits[..3]
        );
        let origin_host = format!("mme.{realm}");
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
            requested_eutran: None,
            requested_utran_geran: None,
            visited_plmn_id: cfg.plmn,
        };
        Self {
            cfg,
            hss,
            origin_host,
            ues: UeTable::default(),
            outstanding: FxHashMap::default(),
            next_hop_by_hop: 1,
            next_session: 1,
            next_ksi: 0,
            air,
            aia: Aia::empty(),
        }
    }

    /// UE contexts currently held (registered or in progress).
    pub fn contexts(&self) -> usize {
        self.ues.len()
    }

    fn send_nas(&mut self, ue: Addr, kind: &'static str, pdu: Vec<u8>, cx: &mut Ctx<'_>) {
        if let Some(c) = self.ues.get_mut(&ue) {
            let p = c.proc();
            p.last_nas = pdu.clone();
            p.last_kind = kind;
            p.retx = 0;
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
            c.procedure = None;
        }
        cx.fx.outcome(Outcome::Rejected {
            subject: ue,
            reason,
        });
    }

    fn request_vectors(&mut self, ue: Addr, resync: Option<[u8; 30]>, cx: &mut Ctx<'_>) {
        let Some(c) = self.ues.get_mut(&ue) else {
            return;
        };
        let hop_by_hop = self.next_hop_by_hop;
        self.next_hop_by_hop = self.next_hop_by_hop.wrapping_add(1).max(1);
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
        imsi_into(&mut air.user_name, &self.cfg.plmn_digits, c.index);
        air.requested_eutran = Some(RequestedAuthInfo {
            number_of_requested_vectors: Some(self.cfg.vectors_per_request),
            immediate_response_preferred: true,
            re_synchronization_info: resync,
        });
        self.next_session += 1;
        let pdu = air.encode();
        c.step = Step::WaitAia;
        let p = c.proc();
        p.pending_air = Some(pdu.clone());
        p.air_retx = 0;
        self.outstanding.insert(hop_by_hop, ue);
        cx.fx.send(self.hss, Interface::S6a, "AIR", pdu);
        cx.fx
            .arm(ue_timer(ue, TX), cx.now + self.cfg.diameter_timeout);
    }

    /// Starts a challenge with the next stored vector.
    fn challenge(&mut self, ue: Addr, cx: &mut Ctx<'_>) {
        self.challenge_with(ue, None, cx);
    }

    /// Starts a challenge with `first`, or else the next stored vector.
    fn challenge_with(&mut self, ue: Addr, first: Option<EutranVector>, cx: &mut Ctx<'_>) {
        let ksi = self.next_ksi;
        self.next_ksi = (self.next_ksi + 1) % 7;
        let Some(c) = self.ues.get_mut(&ue) else {
            return;
        };
        let Some(v) = first.or_else(|| {
            let spare = c.spare.as_mut()?;
            let v = spare.pop_front();
            if spare.is_empty() {
                c.spare = None;
            }
            v
        }) else {
            return;
        };
        c.ksi = ksi;
        c.step = Step::WaitAuthResponse;
        let msg = NasMessage::AuthenticationRequest(AuthenticationRequest {
            nas_ksi: ksi,
            rand: v.rand,
            autn: v.autn,
        });
        c.proc().current = Some(v);
        self.send_nas(ue, msg.kind(), msg.encode(), cx);
    }

    fn on_attach(&mut self, ue: Addr, req: nas::AttachRequest, cx: &mut Ctx<'_>) {
        let EpsMobileIdentity::Imsi(imsi) = &req.identity else {
            return self.reject(ue, EmmCause::ILLEGAL_UE, "no_imsi", cx);
        };
        let Some(index) = imsi_index(&self.cfg.plmn_digits, imsi) else {
            return self.reject(ue, EmmCause::ILLEGAL_UE, "foreign_imsi", cx);
        };
        if let Some(c) = self.ues.get_mut(&ue) {
            match c.step {
                // A retransmitted attach while we wait for the HSS: keep waiting.
                Step::WaitAia => return,
                Step::WaitAuthResponse | Step::WaitSmComplete => {
                    // The UE restarted: resend what we last sent.
                    let p = c.proc();
                    let (kind, pdu) = (p.last_kind, p.last_nas.clone());
                    cx.fx.send(ue, Interface::Nas, kind, pdu);
                    return;
                }
                Step::Registered | Step::Aborted => {}
            }
        }
        let c = self.ues.get_or_insert_with(ue, || UeContext {
            index,
            step: Step::WaitAia,
            ksi: 0,
            spare: None,
            procedure: None,
        });
        c.procedure = Some(Box::default());
        if c.spare.is_none() {
            self.request_vectors(ue, None, cx);
        } else {
            self.challenge(ue, cx);
        }
    }

    fn on_aia(&mut self, pdu: &[u8], cx: &mut Ctx<'_>) {
        if self.aia.decode_into(pdu).is_err() {
            return;
        }
        // Decoded into kept buffers; the vectors are taken out at once (and
        // dropped with this call when unused, as a decoded value would be).
        let (hop_by_hop, result) = (self.aia.hop_by_hop, self.aia.result);
        let authentication_info = self.aia.authentication_info.take();
        let Some(ue) = self.outstanding.remove(&hop_by_hop) else {
            return;
        };
        cx.fx.cancel(ue_timer(ue, TX));
        let Some(c) = self.ues.get_mut(&ue) else {
            return;
        };
        if c.step != Step::WaitAia {
            return;
        }
        c.proc().pending_air = None;
        let vectors = authentication_info
            .map(|i| i.eutran_vectors)
            .unwrap_or_default();
        if !result.is_success() || vectors.is_empty() {
            return self.reject(ue, EmmCause::EPS_SERVICES_NOT_ALLOWED, "hss_refused", cx);
        }
        // The first vector is used now, the rest kept (same as queueing them
        // all and taking the first).
        let mut vectors = VecDeque::from(vectors);
        let first = vectors.pop_front();
        c.spare = (!vectors.is_empty()).then(|| Box::new(vectors));
        self.challenge_with(ue, first, cx);
    }

    fn on_auth_response(&mut self, ue: Addr, res: &[u8], cx: &mut Ctx<'_>) {
        let Some(c) = self.ues.get_mut(&ue) else {
            return;
        };
        if c.step != Step::WaitAuthResponse {
            return;
        }
        let ksi = c.ksi;
        let p = c.proc();
        let Some(v) = p.current.as_ref() else { return };
        if !aka::res_matches(&v.xres, res) {
            cx.fx.cancel(ue_timer(ue, T3460));
            c.step = Step::Aborted;
            c.procedure = None;
            let msg = NasMessage::AuthenticationReject;
            cx.fx.send(ue, Interface::Nas, msg.kind(), msg.encode());
            cx.fx.outcome(Outcome::Rejected {
                subject: ue,
                reason: "res_mismatch",
            });
            return;
        }
        p.k_nas_int = kdf::nas_key(&v.kasme, kdf::NAS_INT_ALG, EIA2, &mut cx.fx.crypto);
        let smc = NasMessage::SecurityModeCommand(SecurityModeCommand {
            ciphering_algorithm: EEA0,
            integrity_algorithm: EIA2,
            nas_ksi: ksi,
            replayed_ue_security_capabilities: UE_NETWORK_CAPABILITY[..2].to_vec(),
            imeisv_request: None,
        });
        let pdu = super::protect_first(
            &p.k_nas_int,
            header_type::INTEGRITY_PROTECTED_NEW_CONTEXT,
            super::DOWNLINK,
            &smc,
            &mut cx.fx.crypto,
        );
        c.step = Step::WaitSmComplete;
        self.send_nas(ue, "SecurityModeCommand", pdu, cx);
    }

    fn on_auth_failure(&mut self, ue: Addr, f: nas::AuthenticationFailure, cx: &mut Ctx<'_>) {
        let Some(c) = self.ues.get_mut(&ue) else {
            return;
        };
        if c.step != Step::WaitAuthResponse {
            return;
        }
        cx.fx.cancel(ue_timer(ue, T3460));
        let p = c.proc();
        match (f.cause, f.auts) {
            (EmmCause::SYNCH_FAILURE, Some(auts)) if p.resyncs < 2 => {
                p.resyncs += 1;
                let Some(v) = p.current.take() else { return };
                let mut info = [0u8; 30];
                info[..16].copy_from_slice(&v.rand);
                info[16..].copy_from_slice(&auts);
                c.spare = None; // stale: the HSS will re-base SQN
                self.request_vectors(ue, Some(info), cx);
            }
            (cause, _) => {
                c.step = Step::Aborted;
                c.procedure = None;
                let reason = if cause == EmmCause::MAC_FAILURE {
                    "ue_reported_mac_failure"
                } else {
                    "authentication_failure"
                };
                cx.fx.outcome(Outcome::Rejected {
                    subject: ue,
                    reason,
                });
            }
        }
    }

    /// `msg` is `pdu` decoded.
    fn on_protected(
        &mut self,
        ue: Addr,
        msg: nas::SecurityProtected,
        pdu: &[u8],
        cx: &mut Ctx<'_>,
    ) {
        let Some(c) = self.ues.get_mut(&ue) else {
            return;
        };
        if c.step != Step::WaitSmComplete {
            return;
        }
        let k_int = c.proc().k_nas_int;
        // The MAC covers sequence number || inner message: the PDU from
        // octet 6 on (what `msg.mac_input()` copies).
        let ok = eia2::eia2_verify(
            &k_int,
            msg.seq as u32,
            0,
            0,
            &pdu[nas::SecurityProtected::HEADER_LEN - 1..],
            &msg.mac,
            &mut cx.fx.crypto,
        );
        if !ok || !matches!(msg.decode_inner(), Ok(NasMessage::SecurityModeComplete(_))) {
            // TS 24.301 §4.4.4.3: a message failing the integrity check is discarded.
            cx.fx.outcome(Outcome::AttackDetected {
                subject: ue,
                what: "nas_integrity_failure",
            });
            return;
        }
        cx.fx.cancel(ue_timer(ue, T3460));
        c.step = Step::Registered;
        c.procedure = None; // the security context is established; drop the rest
        cx.fx.outcome(Outcome::Authenticated {
            subject: ue,
            key_id: c.ksi as u32,
        });
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
                        c.procedure = None;
                    }
                    cx.fx.outcome(Outcome::Rejected {
                        subject: msg.from,
                        reason: "security_mode_reject",
                    });
                }
                Ok(nas::Nas::Protected(p)) => self.on_protected(msg.from, p, msg.pdu, cx),
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
        let step = c.step;
        let p = c.proc();
        match kind {
            T3460 if matches!(step, Step::WaitAuthResponse | Step::WaitSmComplete) => {
                if p.retx >= self.cfg.t3460_max_retx {
                    c.step = Step::Aborted;
                    c.procedure = None;
                    cx.fx.outcome(Outcome::Failed {
                        subject: ue,
                        reason: "t3460_expired",
                    });
                    return;
                }
                p.retx += 1;
                cx.fx
                    .send(ue, Interface::Nas, p.last_kind, p.last_nas.clone());
                cx.fx.arm(id, cx.now + self.cfg.t3460);
            }
            TX if step == Step::WaitAia => {
                if p.air_retx >= self.cfg.diameter_max_retx {
                    self.reject(ue, EmmCause::NETWORK_FAILURE, "s6a_timeout", cx);
                    return;
                }
                p.air_retx += 1;
                if let Some(air) = p.pending_air.clone() {
                    cx.fx.send(self.hss, Interface::S6a, "AIR", air);
                    cx.fx.arm(id, cx.now + self.cfg.diameter_timeout);
                }
            }
            _ => {}
        }
    }
}

#[cfg(test)]
mod size_tests {
    use super::*;

    #[test]
    fn ue_context_is_small() {
        // 10^6 of them live in the MME's table at the end of a storm.
        assert!(std::mem::size_of::<Option<UeContext>>() <= 24);
    }
}
