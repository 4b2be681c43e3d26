//! The serving-network side of AKA (MME, VLR): the `Endpoint` half of the
//! quinn-proto split, with one procedure per device as the `Connection` half.
//!
//! [`Serving`] keeps the table of per-device [`Context`]s, the outstanding
//! requests to the home network (answers are dispatched to the device by
//! request id), and runs each device's procedure: the vector stock, the
//! challenge and its T3460/T3260 retransmissions, the RES check, failures
//! and resynchronisation requests, the home request and its Tx
//! retransmissions, rejects. A [`Scheme`] supplies the interfaces, timers and
//! encodings; the role around it decodes messages and adds what only its
//! protocol does (EPS's security mode command, UMTS's accept, group
//! challenges). Methods that find an input unexpected count it with
//! [`crate::core::Effects::ignore`] under the label the role passes.

use std::collections::VecDeque;

use rustc_hash::FxHashMap;
use zeroize::Zeroize;

use super::table::Contexts;
use crate::core::{Addr, Ctx, Interface, Nanos, Outcome, TimerKey, TimerKind};
use crate::wire::diameter::EutranVector;
use crate::wire::map::Quintuplet;

/// Where a device's procedure stands at the serving node.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Step {
    /// Waiting for the home network's vectors.
    WaitVectors,
    /// Group AKA: queued behind the leader of its group, whose vectors are awaited.
    WaitGroup,
    /// Challenge sent.
    WaitResponse,
    /// EPS: SECURITY MODE COMMAND sent.
    WaitSecurityMode,
    Registered,
    Aborted,
}

/// An authentication vector as a serving node keeps it.
pub trait Vector {
    fn rand(&self) -> &[u8; 16];
    fn xres(&self) -> &[u8];
    /// Zeroes the secrets (XRES and the keys).
    fn wipe(&mut self);
}

impl Vector for EutranVector {
    fn rand(&self) -> &[u8; 16] {
        &self.rand
    }
    fn xres(&self) -> &[u8] {
        &self.xres
    }
    fn wipe(&mut self) {
        self.kasme.zeroize();
        self.xres.zeroize();
    }
}

impl Vector for Quintuplet {
    fn rand(&self) -> &[u8; 16] {
        &self.rand
    }
    fn xres(&self) -> &[u8] {
        &self.xres
    }
    fn wipe(&mut self) {
        self.ck.zeroize();
        self.ik.zeroize();
        self.xres.zeroize();
    }
}

/// Timer durations and retransmission limits of a serving node.
#[derive(Clone, Copy, Debug)]
pub struct Timers {
    /// T3460 / T3260 and the challenge retransmissions it allows.
    pub retx: Nanos,
    pub retx_max: u32,
    /// The home request's answer timeout and its retransmissions.
    pub tx: Nanos,
    pub tx_max: u32,
}

/// What one AKA variant's serving node does differently. See the module
/// docs of [`crate::aka`] for how a new variant plugs in.
pub trait Scheme {
    type Vector: Vector;
    /// What the variant keeps per procedure (EPS: K_NASint).
    type Extra: Default;
    /// The reject cause of the attach (location updating) reject.
    type Cause: Copy;
    /// Towards the devices and towards the home network.
    const DEVICE: Interface;
    const HOME: Interface;
    /// The challenge retransmission timer (T3460, T3260) and the home request timer.
    const RETX: TimerKind;
    const TX: TimerKind;
    /// `Failed` reason when the challenge retransmissions are used up.
    const RETX_EXPIRED: &'static str;
    /// `Rejected` reason when the device reports a MAC failure.
    const MAC_FAILURE_REPORTED: &'static str;

    fn timers(&self) -> Timers;
    /// The challenge for `v` with key set identifier `ksi`: (kind, PDU).
    fn challenge(&self, ksi: u8, v: &Self::Vector) -> (&'static str, Vec<u8>);
    fn attach_reject(&self, cause: Self::Cause) -> (&'static str, Vec<u8>);
    fn authentication_reject(&self) -> (&'static str, Vec<u8>);
}

/// What the serving node keeps while one procedure is in progress; boxed and
/// dropped when it ends, so a registered device costs only its [`Context`].
pub struct Procedure<V: Vector, X> {
    /// The vector of the challenge in progress.
    pub current: Option<V>,
    /// The last PDU sent to the device, for retransmission.
    last_pdu: Vec<u8>,
    last_kind: &'static str,
    retx: u32,
    /// The pending home request (for Tx retransmission), its kind, id and tries.
    request: Option<Vec<u8>>,
    request_kind: &'static str,
    request_id: u32,
    request_retx: u32,
    resyncs: u32,
    pub extra: X,
}

impl<V: Vector, X: Default> Default for Procedure<V, X> {
    fn default() -> Self {
        Self {
            current: None,
            last_pdu: Vec::new(),
            last_kind: "",
            retx: 0,
            request: None,
            request_kind: "",
            request_id: 0,
            request_retx: 0,
            resyncs: 0,
            extra: X::default(),
        }
    }
}

impl<V: Vector, X> Procedure<V, X> {
    /// Retransmissions of the last downlink PDU (RETX expiries) so far.
    pub fn retransmissions(&self) -> u32 {
        self.retx
    }
}

impl<V: Vector, X> Drop for Procedure<V, X> {
    fn drop(&mut self) {
        if let Some(v) = self.current.as_mut() {
            v.wipe();
        }
    }
}

/// One device's context: small once registered (10^6 of them must fit),
/// with the procedure in progress boxed.
pub struct Context<V: Vector, X> {
    /// The subscriber index (MSIN) the device attached with.
    pub index: u32,
    pub step: Step,
    /// The key set identifier of the last challenge.
    pub ksi: u8,
    /// Unused vectors of a batch, for the device's next attach. Boxed:
    /// usually there are none, and a pointer is 8 bytes where a `VecDeque` is 32.
    #[allow(clippy::box_collection)]
    stock: Option<Box<VecDeque<V>>>,
    procedure: Option<Box<Procedure<V, X>>>,
}

impl<V: Vector, X> Drop for Context<V, X> {
    fn drop(&mut self) {
        for v in self.stock.iter_mut().flat_map(|s| s.iter_mut()) {
            v.wipe();
        }
    }
}

impl<V: Vector, X: Default> Context<V, X> {
    /// The procedure in progress (a fresh one if there is none).
    pub fn procedure(&mut self) -> &mut Procedure<V, X> {
        self.procedure.get_or_insert_with(Default::default)
    }

    /// Vectors in stock.
    pub fn stocked(&self) -> usize {
        self.stock.as_ref().map_or(0, |s| s.len())
    }

    fn take_stocked(&mut self) -> Option<V> {
        let stock = self.stock.as_mut()?;
        let v = stock.pop_front();
        if stock.is_empty() {
            self.stock = None;
        }
        v
    }

    /// Ends the procedure unsuccessfully.
    pub fn abort(&mut self) {
        self.step = Step::Aborted;
        self.procedure = None;
    }
}

/// A RES that matched: what the role needs for the step that follows.
pub struct Accepted<'a, V, X> {
    pub ksi: u8,
    pub vector: &'a V,
    pub extra: &'a mut X,
}

/// An AUTHENTICATION FAILURE as the serving node distinguishes it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Failure {
    /// Synch failure with AUTS.
    Synch([u8; 14]),
    Mac,
    Other,
}

/// A serving node's contexts, home requests and procedures.
pub struct Serving<S: Scheme> {
    contexts: Contexts<Context<S::Vector, S::Extra>>,
    /// Id of each outstanding home request -> device.
    requests: FxHashMap<u32, Addr>,
    next_request: u32,
    next_ksi: u8,
    home: Addr,
}

impl<S: Scheme> Serving<S> {
    pub fn new(home: Addr) -> Self {
        Self {
            contexts: Contexts::default(),
            requests: FxHashMap::default(),
            next_request: 1,
            next_ksi: 0,
            home,
        }
    }

    /// Device contexts held (registered or in progress).
    pub fn len(&self) -> usize {
        self.contexts.len()
    }

    pub fn is_empty(&self) -> bool {
        self.contexts.is_empty()
    }

    pub fn context(&self, device: Addr) -> Option<&Context<S::Vector, S::Extra>> {
        self.contexts.get(&device)
    }

    pub fn context_mut(&mut self, device: Addr) -> Option<&mut Context<S::Vector, S::Extra>> {
        self.contexts.get_mut(&device)
    }

    /// The next key set identifier (KSI_ASME, CKSN: 0..=6, 7 means "no key").
    pub fn take_ksi(&mut self) -> u8 {
        let ksi = self.next_ksi;
        self.next_ksi = (self.next_ksi + 1) % 7;
        ksi
    }

    /// The device's context if its procedure is at `step`; otherwise the
    /// input named `label` is counted as ignored.
    pub fn expecting(
        &mut self,
        device: Addr,
        step: Step,
        label: &'static str,
        cx: &mut Ctx<'_>,
    ) -> Option<&mut Context<S::Vector, S::Extra>> {
        match self.contexts.get_mut(&device) {
            Some(c) if c.step == step => Some(c),
            _ => {
                cx.fx.ignore(label);
                None
            }
        }
    }

    /// Starts a new procedure for the device of subscriber `index`.
    pub fn begin(&mut self, device: Addr, index: u32) -> &mut Context<S::Vector, S::Extra> {
        let c = self.contexts.get_or_insert_with(device, || Context {
            index,
            step: Step::Aborted,
            ksi: 0,
            stock: None,
            procedure: None,
        });
        c.index = index;
        c.procedure = Some(Box::default());
        c
    }

    /// Sends a PDU the device must answer, kept for retransmission on the
    /// RETX timer (armed here).
    pub fn send_downlink(
        &mut self,
        s: &S,
        device: Addr,
        kind: &'static str,
        pdu: Vec<u8>,
        cx: &mut Ctx<'_>,
    ) {
        if let Some(c) = self.contexts.get_mut(&device) {
            let p = c.procedure();
            p.last_pdu = pdu.clone();
            p.last_kind = kind;
            p.retx = 0;
        }
        cx.fx.send(device, S::DEVICE, kind, pdu);
        cx.fx.arm(
            TimerKey::for_peer(device, S::RETX),
            cx.now + s.timers().retx,
        );
    }

    /// Sends the last downlink PDU again, as it is (a device that restarted).
    pub fn resend_last(&mut self, device: Addr, cx: &mut Ctx<'_>) {
        if let Some(c) = self.contexts.get_mut(&device) {
            let p = c.procedure();
            cx.fx
                .send(device, S::DEVICE, p.last_kind, p.last_pdu.clone());
        }
    }

    /// Rejects the attach with `cause` and ends the procedure.
    pub fn reject(
        &mut self,
        s: &S,
        device: Addr,
        cause: S::Cause,
        reason: &'static str,
        cx: &mut Ctx<'_>,
    ) {
        let (kind, pdu) = s.attach_reject(cause);
        cx.fx.send(device, S::DEVICE, kind, pdu);
        cx.fx.cancel(TimerKey::for_peer(device, S::RETX));
        cx.fx.cancel(TimerKey::for_peer(device, S::TX));
        if let Some(c) = self.contexts.get_mut(&device) {
            c.abort();
        }
        cx.fx.outcome(Outcome::Rejected {
            subject: device,
            reason,
        });
    }

    /// The device ended the procedure (e.g. SECURITY MODE REJECT).
    pub fn device_ended(&mut self, device: Addr, reason: &'static str, cx: &mut Ctx<'_>) {
        cx.fx.cancel(TimerKey::for_peer(device, S::RETX));
        if let Some(c) = self.contexts.get_mut(&device) {
            c.abort();
        }
        cx.fx.outcome(Outcome::Rejected {
            subject: device,
            reason,
        });
    }

    /// Asks the home network for vectors: `build` encodes the request (kind,
    /// PDU) with the given id for the device's subscriber index. Armed with Tx.
    pub fn request(
        &mut self,
        s: &S,
        device: Addr,
        build: impl FnOnce(u32, u32) -> (&'static str, Vec<u8>),
        cx: &mut Ctx<'_>,
    ) {
        let Some(c) = self.contexts.get_mut(&device) else {
            return;
        };
        let id = self.next_request;
        self.next_request = self.next_request.wrapping_add(1).max(1);
        let (kind, pdu) = build(id, c.index);
        c.step = Step::WaitVectors;
        let p = c.procedure();
        p.request = Some(pdu.clone());
        p.request_kind = kind;
        p.request_id = id;
        p.request_retx = 0;
        self.requests.insert(id, device);
        cx.fx.send(self.home, S::HOME, kind, pdu);
        cx.fx
            .arm(TimerKey::for_peer(device, S::TX), cx.now + s.timers().tx);
    }

    /// The device whose request `id` answers, if it still waits for it;
    /// otherwise the answer (named `label`) is counted as ignored.
    pub fn on_answer(&mut self, id: u32, label: &'static str, cx: &mut Ctx<'_>) -> Option<Addr> {
        let Some(device) = self.requests.remove(&id) else {
            cx.fx.ignore(label);
            return None;
        };
        cx.fx.cancel(TimerKey::for_peer(device, S::TX));
        let c = self.expecting(device, Step::WaitVectors, label, cx)?;
        c.procedure().request = None;
        Some(device)
    }

    /// Keeps a batch of vectors: returns the first, stocks the rest.
    pub fn stock(&mut self, device: Addr, vectors: Vec<S::Vector>) -> Option<S::Vector> {
        let c = self.contexts.get_mut(&device)?;
        let mut vectors = VecDeque::from(vectors);
        let first = vectors.pop_front();
        c.stock = (!vectors.is_empty()).then(|| Box::new(vectors));
        first
    }

    /// Challenges the device with `first`, or else with its next vector in stock.
    pub fn challenge(&mut self, s: &S, device: Addr, first: Option<S::Vector>, cx: &mut Ctx<'_>) {
        let ksi = self.take_ksi();
        let Some(c) = self.contexts.get_mut(&device) else {
            return;
        };
        let Some(v) = first.or_else(|| c.take_stocked()) else {
            return;
        };
        let (kind, pdu) = s.challenge(ksi, &v);
        self.challenge_with(s, device, ksi, v, kind, pdu, cx);
    }

    /// Sends the challenge `pdu` for vector `v` with key set `ksi`.
    #[allow(clippy::too_many_arguments)]
    pub fn challenge_with(
        &mut self,
        s: &S,
        device: Addr,
        ksi: u8,
        v: S::Vector,
        kind: &'static str,
        pdu: Vec<u8>,
        cx: &mut Ctx<'_>,
    ) {
        let Some(c) = self.contexts.get_mut(&device) else {
            return;
        };
        c.ksi = ksi;
        c.step = Step::WaitResponse;
        c.procedure().current = Some(v);
        self.send_downlink(s, device, kind, pdu, cx);
    }

    /// Checks RES against XRES in constant time. A mismatch rejects the
    /// device (AUTHENTICATION REJECT, `Rejected(res_mismatch)`); a match
    /// returns what the next step needs.
    pub fn on_response(
        &mut self,
        s: &S,
        device: Addr,
        res: &[u8],
        label: &'static str,
        cx: &mut Ctx<'_>,
    ) -> Option<Accepted<'_, S::Vector, S::Extra>> {
        let c = self.expecting(device, Step::WaitResponse, label, cx)?;
        let ksi = c.ksi;
        let matches = match c.procedure().current.as_ref() {
            Some(v) => super::res_matches(v.xres(), res),
            None => {
                cx.fx.ignore(label);
                return None;
            }
        };
        if !matches {
            cx.fx.cancel(TimerKey::for_peer(device, S::RETX));
            c.abort();
            let (kind, pdu) = s.authentication_reject();
            cx.fx.send(device, S::DEVICE, kind, pdu);
            cx.fx.outcome(Outcome::Rejected {
                subject: device,
                reason: "res_mismatch",
            });
            return None;
        }
        let p = c.procedure();
        Some(Accepted {
            ksi,
            vector: p.current.as_ref()?,
            extra: &mut p.extra,
        })
    }

    /// Sends the step after a matching RES that the device must answer
    /// (EPS: SECURITY MODE COMMAND), kept for retransmission.
    pub fn await_security_mode(
        &mut self,
        s: &S,
        device: Addr,
        kind: &'static str,
        pdu: Vec<u8>,
        cx: &mut Ctx<'_>,
    ) {
        if let Some(c) = self.contexts.get_mut(&device) {
            c.step = Step::WaitSecurityMode;
        }
        self.send_downlink(s, device, kind, pdu, cx);
    }

    /// An AUTHENTICATION FAILURE during the challenge. A synch failure
    /// (at most twice per procedure) returns the challenge's RAND with AUTS
    /// for a resynchronisation and drops the stock (its SQNs are stale, TS
    /// 33.102 §6.3.5); a MAC failure or another cause ends the procedure with
    /// AUTHENTICATION REJECT (TS 24.301 §5.4.2.6 c–f and §5.4.2.5; TS 24.008
    /// §4.3.2.6):
    /// the device was identified by its IMSI, so the identification the
    /// network may try first cannot change anything.
    pub fn on_failure(
        &mut self,
        s: &S,
        device: Addr,
        failure: Failure,
        label: &'static str,
        cx: &mut Ctx<'_>,
    ) -> Option<([u8; 16], [u8; 14])> {
        let c = self.expecting(device, Step::WaitResponse, label, cx)?;
        cx.fx.cancel(TimerKey::for_peer(device, S::RETX));
        let p = c.procedure();
        let reason = match failure {
            Failure::Synch(auts) if p.resyncs < 2 => {
                p.resyncs += 1;
                let mut v = p.current.take()?;
                let rand = *v.rand();
                v.wipe();
                c.stock = None;
                return Some((rand, auts));
            }
            Failure::Mac => S::MAC_FAILURE_REPORTED,
            _ => "authentication_failure",
        };
        c.abort();
        // Synch failures past the limit only end the procedure here: the
        // device keeps its own guard timer and attempts.
        if !matches!(failure, Failure::Synch(_)) {
            let (kind, pdu) = s.authentication_reject();
            cx.fx.send(device, S::DEVICE, kind, pdu);
        }
        cx.fx.outcome(Outcome::Rejected {
            subject: device,
            reason,
        });
        None
    }

    /// The device is authenticated: the procedure ends with a key set. The
    /// verdict names the subscriber whose vector (K_ASME, CK ‖ IK) the final
    /// message proved — the device of the IMSI the context was opened
    /// with — not the transport source the context is keyed by; a source
    /// other than that device is reported as a relay.
    pub fn established(&mut self, device: Addr, cx: &mut Ctx<'_>) {
        cx.fx.cancel(TimerKey::for_peer(device, S::RETX));
        if let Some(c) = self.contexts.get_mut(&device) {
            c.step = Step::Registered;
            c.procedure = None;
            let subscriber = super::subscriber_device(c.index);
            cx.fx
                .outcome(Outcome::authenticated(subscriber, c.ksi as u32, device));
        }
    }

    /// A per-device timer: retransmits the challenge (RETX) or the home
    /// request (TX) until their limits. Returns the device whose home request
    /// gave up: the role rejects it.
    pub fn on_timer(&mut self, s: &S, key: TimerKey, cx: &mut Ctx<'_>) -> Option<Addr> {
        let label = key.kind().name();
        let Some(device) = key.peer() else {
            cx.fx.ignore(label);
            return None;
        };
        let Some(c) = self.contexts.get_mut(&device) else {
            cx.fx.ignore(label);
            return None;
        };
        let t = s.timers();
        let step = c.step;
        match key.kind() {
            k if k == S::RETX && matches!(step, Step::WaitResponse | Step::WaitSecurityMode) => {
                let p = c.procedure();
                if p.retx >= t.retx_max {
                    c.abort();
                    cx.fx.outcome(Outcome::Failed {
                        subject: device,
                        reason: S::RETX_EXPIRED,
                    });
                    return None;
                }
                p.retx += 1;
                cx.fx
                    .send(device, S::DEVICE, p.last_kind, p.last_pdu.clone());
                cx.fx.arm(key, cx.now + t.retx);
            }
            k if k == S::TX && step == Step::WaitVectors => {
                let p = c.procedure();
                if p.request_retx >= t.tx_max {
                    p.request = None;
                    self.requests.remove(&p.request_id);
                    return Some(device);
                }
                p.request_retx += 1;
                if let Some(request) = p.request.clone() {
                    cx.fx.send(self.home, S::HOME, p.request_kind, request);
                    cx.fx.arm(key, cx.now + t.tx);
                }
            }
            _ => cx.fx.ignore(label),
        }
        None
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    use crate::aka::test_support::{HOME, dev};
    use crate::eps_aka::mme::Nas;

    /// `len` (the MME's and VLR's context count) and `is_empty` agree: a
    /// context exists from the attach on, one per device, kept when its
    /// procedure ends.
    #[test]
    fn contexts_are_counted_per_device() {
        let mut s = Serving::<Nas>::new(HOME);
        assert!(s.is_empty());
        assert_eq!(s.len(), 0);
        s.begin(dev(1), 1);
        assert!(!s.is_empty());
        assert_eq!(s.len(), 1);
        s.begin(dev(2), 2);
        s.begin(dev(1), 1); // a repeated attach reuses the device's context
        assert_eq!(s.len(), 2);
        s.context_mut(dev(2)).unwrap().abort();
        assert!(!s.is_empty());
        assert_eq!(s.len(), 2);
    }

    #[test]
    fn an_eps_context_is_small() {
        // 10^6 of them live in the MME's table at the end of a storm.
        assert!(std::mem::size_of::<Option<Context<EutranVector, [u8; 16]>>>() <= 24);
    }
}
