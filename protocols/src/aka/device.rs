//! The device side of an AKA attach: one procedure per device (UE, MS, group
//! member), the `Connection` half of the quinn-proto split.
//!
//! [`Device`] runs what every AKA variant does the same way: the attach (or
//! location updating) request under a guard timer with a bounded number of
//! attempts, the USIM's check of (RAND, AUTN) with the answer to a
//! retransmitted challenge, MAC and synchronisation failures, and the
//! network's rejects. A [`DeviceVariant`] supplies what differs: the message
//! encodings, the session key derived from CK and IK, and the messages only
//! it knows (EPS's security mode command, UMTS's accept, a group challenge).
//! Everything is generic, so each variant compiles to its own code.

use zeroize::Zeroize;

use super::{SqnState, UsimAccept, UsimReject};
use crate::core::{
    Addr, CryptoOps, Ctx, Endpoint, Incoming, Interface, Nanos, Outcome, TimerKey, TimerKind,
};
use crate::crypto::milenage::Milenage;
use crate::ran::Access;
use crate::ran::barring::Check;
use crate::wire::rrc::{DlCcch, RrcConnectionRequest};

/// Where a device's attach stands.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum State {
    Idle,
    /// Request sent, waiting for the network.
    Attaching,
    Registered,
    /// Rejected or given up.
    Done,
    /// Attempting to attach (EMM-DEREGISTERED.ATTEMPTING-TO-ATTACH): a
    /// back-off timer (T3346, T3411, T3402) runs; the attach restarts when it
    /// expires.
    Waiting,
    /// Through an eNB ([`Access`]): the RRC connection request is sent,
    /// T300 runs; the ATTACH REQUEST follows the connection setup.
    Accessing,
}

/// The attach retry rules of TS 24.301 §5.5.1.2.6 for a failed attempt:
/// after a failure the device waits T3411 and tries again; after five
/// failures (the attach attempt counter, `guard().1`) it waits T3402 and the
/// counter restarts. Without them a device retries at once when T3410
/// expires and gives up after its last attempt (the model authsim started
/// with, kept as the default so existing scenarios do not change).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Retry {
    pub t3411: Nanos,
    pub t3402: Nanos,
    /// T3402 periods a device sits out before it gives up (`Failed`,
    /// `attach_gave_up`): the specification retries for ever; a run must end.
    pub max_t3402: u32,
}

impl Default for Retry {
    /// TS 24.301 table 10.2.2: T3411 10 s, T3402 12 min.
    fn default() -> Self {
        Self {
            t3411: 10 * crate::core::time::SECOND,
            t3402: 720 * crate::core::time::SECOND,
            max_t3402: 2,
        }
    }
}

/// Why the device refuses a challenge, as it tells the serving network.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Refusal {
    /// The challenge is not acceptable for this access (EPS: no AMF separation
    /// bit, cause #26; UMTS: a GSM challenge, cause #23).
    Unacceptable,
    /// MAC-A does not verify (cause #20).
    MacFailure,
    /// SQN is not fresh (cause #21), with AUTS for the home network.
    SynchFailure([u8; 14]),
}

/// A downlink message as the procedure sees it.
#[derive(Debug)]
pub enum Downlink<M> {
    /// A challenge for the USIM with the key set identifier it would set.
    Challenge {
        ksi: u8,
        rand: [u8; 16],
        autn: [u8; 16],
    },
    /// A challenge the device refuses as it is (a GSM challenge in UTRAN).
    Refuse(Refusal),
    /// The network ended the procedure; the reason of the `Rejected` outcome.
    Reject(&'static str),
    /// A reject for congestion (EMM cause #22): back off for the T3346 value
    /// it carries, or (no value, zero or deactivated) treat it as an
    /// abnormal failure (TS 24.301 §5.5.1.2.5).
    Congestion(Option<Nanos>),
    /// A message the variant handles itself.
    Variant(M),
    /// Nothing the device acts on (an unexpected kind, or undecodable bytes).
    Ignore,
}

/// What one AKA variant's device does differently. See the module docs of
/// [`crate::aka`] for how a new variant plugs in.
pub trait DeviceVariant {
    /// The messages [`Downlink::Variant`] carries.
    type Message;
    /// The interface the device talks to its serving network on.
    const INTERFACE: Interface;
    /// The attach guard timer (T3410, T3210).
    const GUARD: TimerKind;
    /// The `Failed` reason when the guard expires after the last attempt.
    const GUARD_EXPIRED: &'static str;
    /// Whether the ME refuses an AUTN without the AMF separation bit (E-UTRAN).
    const CHECKS_SEPARATION_BIT: bool;
    /// Whether the device reports the network authenticated as soon as its
    /// USIM accepts a challenge (UMTS: no security mode step follows).
    const AUTHENTICATED_AT_CHALLENGE: bool;

    /// The guard timer's duration and the attempts allowed.
    fn guard(&self) -> (Nanos, u32);
    /// The retry rules after a failed attempt, if the device follows them.
    fn retry(&self) -> Option<Retry> {
        None
    }
    /// The eNB the device reaches the network through, if the scenario
    /// models the RAN (docs/protocols/overload.md); `None`: NAS directly.
    fn access(&self) -> Option<Access> {
        None
    }
    /// The access barring of the cell the device attaches through, if the
    /// scenario configures it (with an eNB only).
    fn barring(&self) -> Option<&crate::ran::barring::DeviceBarring> {
        None
    }
    /// The timer the device runs after refusing a challenge (5G: T3520,
    /// TS 24.501 §5.4.1.3.7) and its duration; `None`: no such timer.
    fn refusal_timer(&self) -> Option<(TimerKind, Nanos)> {
        None
    }
    /// Decodes a downlink PDU; the label names it for [`crate::core::Effects::ignore`].
    fn decode(&self, pdu: &[u8]) -> (&'static str, Downlink<Self::Message>);
    /// Sends the attach (location updating) request of subscriber `index`.
    fn send_attach(&mut self, to: Addr, index: u32, cx: &mut Ctx<'_>);
    fn send_response(&mut self, to: Addr, res: &[u8], cx: &mut Ctx<'_>);
    fn send_refusal(&mut self, to: Addr, refusal: Refusal, cx: &mut Ctx<'_>);
    /// The key the device keeps from an accepted challenge (K_ASME, CK ‖ IK, 5G: K_AMF).
    fn session_key(&self, accept: &UsimAccept, autn: &[u8; 16], ops: &mut CryptoOps) -> [u8; 32];
    /// What the device answers an accepted challenge with: RES (this
    /// default), or what the variant derives from it (5G: RES*, 16 octets).
    fn response_value(
        &mut self,
        accept: &UsimAccept,
        _rand: &[u8; 16],
        _ops: &mut CryptoOps,
    ) -> ResponseValue {
        ResponseValue::new(&accept.res)
    }
    /// Handles a [`Downlink::Variant`] message; `label` names it.
    fn on_message(
        &mut self,
        attach: &mut Attach,
        msg: Self::Message,
        label: &'static str,
        pdu: &[u8],
        cx: &mut Ctx<'_>,
    );
}

/// A challenge's answer value (RES or RES*), at most 16 octets.
#[derive(Clone, Copy)]
pub struct ResponseValue {
    octets: [u8; 16],
    len: u8,
}

impl ResponseValue {
    /// The first 16 octets of `v` (RES is 4..=16 octets, RES* 16).
    pub fn new(v: &[u8]) -> Self {
        let mut octets = [0u8; 16];
        let n = v.len().min(16);
        octets[..n].copy_from_slice(&v[..n]);
        Self {
            octets,
            len: n as u8,
        }
    }

    pub fn as_slice(&self) -> &[u8] {
        &self.octets[..self.len as usize]
    }

    fn wipe(&mut self) {
        self.octets.zeroize();
    }
}

/// The state every AKA device keeps: its USIM and its attach procedure.
pub struct Attach {
    serving: Addr,
    index: u32,
    usim: Milenage,
    sqn: SqnState,
    state: State,
    /// Requests sent since the counter was last reset: with [`Retry`] rules
    /// this is the attach attempt counter of TS 24.301 §5.5.1.1.
    attempts: u32,
    /// T3402 periods started (with [`Retry`] rules).
    t3402_periods: u16,
    /// The last challenge answered and its RES, so that a retransmitted
    /// challenge gets the same answer (TS 24.301 §5.4.2.7 c, TS 24.008 §4.3.2.5).
    last_rand: [u8; 16],
    last_res: ResponseValue,
    /// The session key of the last accepted challenge.
    key: Option<[u8; 32]>,
    /// Whether the procedure of the last accepted challenge completed (an
    /// honest network never sends that challenge again).
    last_completed: bool,
}

impl Drop for Attach {
    fn drop(&mut self) {
        self.forget_key();
        self.last_res.wipe();
    }
}

impl Attach {
    /// The serving node this device attaches to.
    pub fn serving(&self) -> Addr {
        self.serving
    }
    /// The subscriber index (the MSIN of its IMSI).
    pub fn index(&self) -> u32 {
        self.index
    }
    pub fn state(&self) -> State {
        self.state
    }
    /// The RAND of the last challenge the device accepted (kept after a
    /// restarted attach forgets its key).
    pub fn last_rand(&self) -> &[u8; 16] {
        &self.last_rand
    }
    /// Whether the procedure of the last accepted challenge completed.
    pub fn last_completed(&self) -> bool {
        self.last_completed
    }
    /// The session key of the last accepted challenge, if any.
    pub fn key(&self) -> Option<&[u8; 32]> {
        self.key.as_ref()
    }

    fn forget_key(&mut self) {
        if let Some(k) = self.key.as_mut() {
            k.zeroize();
        }
        self.key = None;
    }

    /// A retransmitted challenge (our response was lost) is answered again
    /// with the stored RES; returns whether `rand` was one.
    pub fn answer_repeat<V: DeviceVariant>(
        &self,
        v: &mut V,
        rand: &[u8; 16],
        cx: &mut Ctx<'_>,
    ) -> bool {
        if self.key.is_some() && *rand == self.last_rand {
            let res = self.last_res;
            v.send_response(self.serving, res.as_slice(), cx);
            return true;
        }
        false
    }

    /// Accepts a challenge: keeps the key and RES, answers.
    pub fn answer<V: DeviceVariant>(
        &mut self,
        v: &mut V,
        rand: [u8; 16],
        res: &[u8],
        key: [u8; 32],
        cx: &mut Ctx<'_>,
    ) {
        self.key = Some(key);
        self.last_completed = false;
        self.last_rand = rand;
        self.last_res = ResponseValue::new(res);
        v.send_response(self.serving, res, cx);
    }

    /// The USIM's check of (RAND, AUTN), for a variant that carries the
    /// challenge in its own messages (EAP-AKA'): on success the SQN is recorded.
    pub fn usim_check(
        &mut self,
        rand: &[u8; 16],
        autn: &[u8; 16],
        ops: &mut CryptoOps,
    ) -> Result<UsimAccept, UsimReject> {
        super::usim_check(&self.usim, rand, autn, &mut self.sqn, ops)
    }

    /// Keeps the session key of a challenge a variant accepted and answered
    /// itself (EAP-AKA'); the variant answers a repeat of `rand`.
    pub fn accepted(&mut self, rand: [u8; 16], key: [u8; 32]) {
        self.forget_key();
        self.key = Some(key);
        self.last_completed = false;
        self.last_rand = rand;
    }

    pub fn refuse<V: DeviceVariant>(&self, v: &mut V, refusal: Refusal, cx: &mut Ctx<'_>) {
        v.send_refusal(self.serving, refusal, cx);
        if let Some((kind, wait)) = v.refusal_timer() {
            cx.fx.arm(TimerKey::own(kind), cx.now + wait);
        }
    }

    /// Reports an attack by the serving network (or someone posing as it).
    pub fn detected(&self, what: &'static str, cx: &mut Ctx<'_>) {
        cx.fx.outcome(Outcome::AttackDetected {
            subject: self.serving,
            what,
        });
    }

    /// The plain AKA challenge: the ME's separation-bit check, then the USIM.
    fn challenge<V: DeviceVariant>(
        &mut self,
        v: &mut V,
        ksi: u8,
        rand: [u8; 16],
        autn: [u8; 16],
        cx: &mut Ctx<'_>,
    ) {
        if self.answer_repeat(v, &rand, cx) {
            return;
        }
        if V::CHECKS_SEPARATION_BIT && !super::amf_separation_bit(&autn) {
            return self.refuse(v, Refusal::Unacceptable, cx);
        }
        match super::usim_check(&self.usim, &rand, &autn, &mut self.sqn, &mut cx.fx.crypto) {
            Ok(acc) => {
                let key = v.session_key(&acc, &autn, &mut cx.fx.crypto);
                let mut res = v.response_value(&acc, &rand, &mut cx.fx.crypto);
                self.answer(v, rand, res.as_slice(), key, cx);
                res.wipe();
                if V::AUTHENTICATED_AT_CHALLENGE {
                    cx.fx.outcome(Outcome::Authenticated {
                        subject: self.serving,
                        key_id: ksi as u32,
                        relayed_by: None,
                    });
                }
            }
            Err(UsimReject::MacFailure) => {
                self.detected("network_mac_failure", cx);
                self.refuse(v, Refusal::MacFailure, cx);
            }
            Err(UsimReject::SynchFailure { auts }) => {
                self.refuse(v, Refusal::SynchFailure(auts), cx);
            }
        }
    }

    /// The procedure succeeded: stop the guard; the first time, report the
    /// network authenticated with key set `key_id` if the variant reports here.
    pub fn complete<V: DeviceVariant>(&mut self, key_id: Option<u8>, cx: &mut Ctx<'_>) {
        cx.fx.cancel(TimerKey::own(V::GUARD));
        if self.state != State::Registered {
            self.state = State::Registered;
            self.last_completed = true;
            if let Some(ksi) = key_id {
                cx.fx.outcome(Outcome::Authenticated {
                    subject: self.serving,
                    key_id: ksi as u32,
                    relayed_by: None,
                });
            }
        }
    }

    /// The network rejected the device.
    fn finish<V: DeviceVariant>(&mut self, reason: &'static str, cx: &mut Ctx<'_>) {
        cx.fx.cancel(TimerKey::own(V::GUARD));
        self.state = State::Done;
        cx.fx.outcome(Outcome::Rejected {
            subject: self.serving,
            reason,
        });
    }
}

/// One device: its USIM, its attach procedure and its variant's own state.
pub struct Device<V> {
    attach: Attach,
    variant: V,
}

impl<V: DeviceVariant> Device<V> {
    pub fn with_variant(
        variant: V,
        index: u32,
        serving: Addr,
        usim: Milenage,
        sqn: SqnState,
    ) -> Self {
        Self {
            attach: Attach {
                serving,
                index,
                usim,
                sqn,
                state: State::Idle,
                attempts: 0,
                t3402_periods: 0,
                last_rand: [0; 16],
                last_res: ResponseValue::new(&[]),
                key: None,
                last_completed: false,
            },
            variant,
        }
    }

    pub fn is_registered(&self) -> bool {
        self.attach.state == State::Registered
    }

    /// The session key of the last accepted challenge (CK ‖ IK, K_ASME or
    /// K_AUSF ‖ K_SEAF by variant), if the device holds one.
    pub fn key(&self) -> Option<&[u8; 32]> {
        self.attach.key()
    }

    pub fn variant(&self) -> &V {
        &self.variant
    }

    /// Where the attach stands (for tests and hosts).
    pub fn state(&self) -> State {
        self.attach.state
    }

    /// A congestion reject (cause #22, TS 24.301 §5.5.1.2.5): with a T3346
    /// value that is neither zero nor deactivated, the attempt counter is
    /// reset and the device waits T3346; otherwise it is an abnormal case
    /// (§5.5.1.2.6): a failed attempt under the [`Retry`] rules, or the end
    /// of the procedure for a device without them.
    fn congested(&mut self, t3346: Option<Nanos>, cx: &mut Ctx<'_>) {
        cx.fx.cancel(TimerKey::own(V::GUARD));
        self.attach.forget_key();
        match t3346 {
            Some(wait) if wait > 0 => {
                let a = &mut self.attach;
                a.attempts = 0;
                a.state = State::Waiting;
                cx.fx.arm(TimerKey::own(TimerKind::T3346), cx.now + wait);
            }
            _ if self.variant.retry().is_some() => self.attempt_failed(cx),
            _ => self.attach.finish::<V>("attach_reject", cx),
        }
    }

    /// An attempt failed (T3410 expired, or an abnormal reject) under the
    /// [`Retry`] rules: T3411 while the attach attempt counter is below its
    /// limit, T3402 when it reaches it; after `max_t3402` T3402 periods the
    /// device gives up.
    fn attempt_failed(&mut self, cx: &mut Ctx<'_>) {
        let Some(r) = self.variant.retry() else {
            return;
        };
        let (_, limit) = self.variant.guard();
        let a = &mut self.attach;
        a.forget_key();
        a.state = State::Waiting;
        if a.attempts < limit {
            return cx.fx.arm(TimerKey::own(TimerKind::T3411), cx.now + r.t3411);
        }
        if u32::from(a.t3402_periods) >= r.max_t3402 {
            a.state = State::Done;
            return cx.fx.outcome(Outcome::Failed {
                subject: a.serving,
                reason: "attach_gave_up",
            });
        }
        a.t3402_periods += 1;
        cx.fx.arm(TimerKey::own(TimerKind::T3402), cx.now + r.t3402);
    }

    /// Starts an attach attempt: through the eNB, an RRC connection request
    /// first (the ATTACH REQUEST follows its setup); else the request itself.
    fn send_attach(&mut self, cx: &mut Ctx<'_>) {
        let Some(access) = self.variant.access() else {
            return self.send_request(cx);
        };
        if let Some(b) = self.variant.barring() {
            // The cell's SIB14 and SIB2 before the request (TS 36.331
            // §5.3.3.2): a barred attempt sends nothing, leaves the attach
            // attempt counter alone (TS 24.301 §5.5.1.2.6: the attach is
            // not started) and is counted.
            let index = self.attach.index;
            let check = b.check(index, cx.rng);
            let timer = match check {
                Check::Pass => None,
                Check::AcBarred(t) => Some((TimerKind::T305, t)),
                Check::EabBarred(t) => Some((TimerKind::EabRecheck, t)),
            };
            if let Some((kind, wait)) = timer {
                cx.fx.count(b.label(index, check));
                self.attach.state = State::Waiting;
                return cx.fx.arm(TimerKey::own(kind), cx.now + wait);
            }
        }
        self.attach.state = State::Accessing;
        let req = RrcConnectionRequest {
            random_value: rand::RngExt::random_range(&mut *cx.rng, 0..1u64 << 40),
            cause: access.cause,
        };
        cx.fx.send_msg(access.enb, Interface::RrcUl, &req);
        cx.fx
            .arm(TimerKey::own(TimerKind::T300), cx.now + access.t300);
    }

    /// The eNB answered the connection request: on a setup the ATTACH
    /// REQUEST goes out; a reject with an extended wait time starts T3346
    /// with it (TS 24.301 §5.5.1.2.6, the attach attempt counter unchanged:
    /// no ATTACH REQUEST was sent), a plain reject T302 (TS 36.331 §5.3.3.8).
    fn on_rrc(&mut self, pdu: &[u8], cx: &mut Ctx<'_>) {
        let msg = match DlCcch::decode(pdu) {
            Ok(m) => m,
            Err(_) => return cx.fx.ignore("undecodable"),
        };
        if self.attach.state != State::Accessing {
            return cx.fx.ignore(msg.kind());
        }
        cx.fx.cancel(TimerKey::own(TimerKind::T300));
        match msg {
            DlCcch::Setup(_) => self.send_request(cx),
            DlCcch::Reject(r) => {
                self.attach.state = State::Waiting;
                let (kind, s) = match r.extended_wait_time_s {
                    Some(e) => (TimerKind::T3346, u64::from(e)),
                    None => (TimerKind::T302, u64::from(r.wait_time_s)),
                };
                let wait = s * crate::core::time::SECOND;
                cx.fx.arm(TimerKey::own(kind), cx.now + wait);
            }
        }
    }

    /// The ATTACH REQUEST under the guard timer.
    fn send_request(&mut self, cx: &mut Ctx<'_>) {
        let a = &mut self.attach;
        a.state = State::Attaching;
        a.attempts += 1;
        self.variant.send_attach(a.serving, a.index, cx);
        let (guard, _) = self.variant.guard();
        cx.fx.arm(TimerKey::own(V::GUARD), cx.now + guard);
    }
}

impl<V: DeviceVariant> Endpoint for Device<V> {
    /// Starts an attach; a registered or finished device attaches again
    /// (periodic re-attach), with a fresh challenge.
    fn start(&mut self, cx: &mut Ctx<'_>) {
        if !matches!(
            self.attach.state,
            State::Attaching | State::Waiting | State::Accessing
        ) {
            self.attach.state = State::Attaching;
            self.attach.attempts = 0;
            self.attach.t3402_periods = 0;
            self.attach.forget_key();
            self.send_attach(cx);
        }
    }

    fn on_message(&mut self, msg: Incoming<'_>, cx: &mut Ctx<'_>) {
        if msg.interface == Interface::RrcDl && self.variant.access().is_some() {
            return self.on_rrc(msg.pdu, cx);
        }
        if msg.interface != V::INTERFACE {
            return cx.fx.ignore(msg.interface.name());
        }
        let (label, downlink) = self.variant.decode(msg.pdu);
        let (a, v) = (&mut self.attach, &mut self.variant);
        let attaching = a.state == State::Attaching;
        // The network answered a refusal: the refusal timer stops (TS 24.501
        // §5.4.1.3.7: a new AUTHENTICATION REQUEST, or a reject).
        if let Some((kind, _)) = v.refusal_timer()
            && attaching
            && matches!(
                downlink,
                Downlink::Challenge { .. } | Downlink::Reject(_) | Downlink::Congestion(_)
            )
        {
            cx.fx.cancel(TimerKey::own(kind));
        }
        match downlink {
            Downlink::Challenge { ksi, rand, autn } if attaching => {
                a.challenge(v, ksi, rand, autn, cx)
            }
            Downlink::Refuse(refusal) if attaching => a.refuse(v, refusal, cx),
            Downlink::Reject(reason) if attaching => a.finish::<V>(reason, cx),
            Downlink::Congestion(t3346) if attaching => self.congested(t3346, cx),
            Downlink::Variant(m) => v.on_message(a, m, label, msg.pdu, cx),
            // Anything else, or bytes that do not decode, is ignored
            // (TS 24.301 §7, TS 24.008 §8), and counted.
            _ => cx.fx.ignore(label),
        }
    }

    fn on_timer(&mut self, key: TimerKey, cx: &mut Ctx<'_>) {
        let a = &mut self.attach;
        let backoff = matches!(
            key.kind(),
            TimerKind::T3346
                | TimerKind::T3411
                | TimerKind::T3402
                | TimerKind::T302
                | TimerKind::T305
                | TimerKind::EabRecheck
        );
        if backoff && key.peer().is_none() && a.state == State::Waiting {
            // The counter restarts when T3402 expires (TS 24.301 §5.5.1.1);
            // T3346 reset it when it started.
            if key.kind() == TimerKind::T3402 {
                a.attempts = 0;
            }
            return self.send_attach(cx);
        }
        if let Some((kind, _)) = self.variant.refusal_timer()
            && key == TimerKey::own(kind)
            && a.state == State::Attaching
        {
            // No answer to the refusal: the network is deemed to have failed
            // the authentication check; the procedure is aborted (§5.4.1.3.7).
            cx.fx.cancel(TimerKey::own(V::GUARD));
            a.forget_key();
            a.state = State::Done;
            return cx.fx.outcome(Outcome::Failed {
                subject: a.serving,
                reason: "t3520_expired",
            });
        }
        // T300 expired: the connection request failed, an attempt like one
        // whose T3410 expired (TS 24.301 §5.5.1.2.6 b, lower layer failure).
        let t300 = key == TimerKey::own(TimerKind::T300) && a.state == State::Accessing;
        if t300 {
            a.attempts += 1;
        } else if key != TimerKey::own(V::GUARD) || a.state != State::Attaching {
            return cx.fx.ignore(key.kind().name());
        }
        if self.variant.retry().is_some() {
            cx.fx.cancel(TimerKey::own(V::GUARD));
            return self.attempt_failed(cx);
        }
        let (_, attempts) = self.variant.guard();
        if a.attempts >= attempts {
            a.state = State::Done;
            cx.fx.outcome(Outcome::Failed {
                subject: a.serving,
                reason: if t300 {
                    "t300_expired"
                } else {
                    V::GUARD_EXPIRED
                },
            });
            return;
        }
        a.forget_key();
        self.send_attach(cx);
    }
}
