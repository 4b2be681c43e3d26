//! The real endpoints of one protocol behind an attacker who owns the
//! network: every transmission goes into the attacker's hands, and a stream
//! of choices (fuzz bytes, or a seeded RNG's) decides what happens next —
//! deliver, reorder, drop, mutate, redirect, spoof the source, replay a
//! recorded PDU, inject arbitrary bytes, fire a timer, start a procedure.
//!
//! The oracle is checked on every `Authenticated` verdict: its subject must
//! be a genuine endpoint, some PDU that subject really sent must have reached
//! the reporter unmodified before, and a verdict given on a delivery must be
//! triggered by bytes a genuine endpoint sent (possibly relayed, replayed or
//! redirected, but not altered). Anything else is a false acceptance. For a
//! target whose verdicts rest on other parties' messages ([`Network::with_relays`]:
//! an aggregate of the meters' readings, credentials relayed by an access point),
//! a chain of unmodified deliveries from the subject through genuine relays to
//! the reporter, or to the genuine endpoint whose bytes triggered the verdict,
//! stands instead. A PDU that carries several subjects' credentials side by
//! side, each verified on its own ([`Composite`]: a gateway's list of its
//! meters' signatures), may trigger a verdict on one subject when its frame is
//! genuine and that subject's own credential is among its parts, whatever was
//! done to the other parts.

use std::collections::{BTreeMap, BTreeSet, HashSet, VecDeque};

use rand::SeedableRng;

use crate::core::{
    Addr, Ctx, Destination, Effects, Endpoint, Incoming, Interface, Nanos, Outcome, SimRng,
    TimerCmd, TimerKey,
};

/// The choices the attacker makes, read from a byte string; zeros once it
/// is used up (so every input ends).
pub struct Choices<'a> {
    data: &'a [u8],
    at: usize,
}

impl<'a> Choices<'a> {
    pub fn new(data: &'a [u8]) -> Self {
        Self { data, at: 0 }
    }
    pub fn is_empty(&self) -> bool {
        self.at >= self.data.len()
    }
    pub fn byte(&mut self) -> u8 {
        let b = self.data.get(self.at).copied().unwrap_or(0);
        self.at += 1;
        b
    }
    /// A choice in `0..n` (0 when `n` is 0).
    pub fn below(&mut self, n: usize) -> usize {
        if n == 0 {
            return 0;
        }
        let v = u16::from_le_bytes([self.byte(), self.byte()]) as usize;
        v % n
    }
    /// Up to `max` bytes.
    pub fn bytes(&mut self, max: usize) -> Vec<u8> {
        let n = self.below(max + 1);
        (0..n).map(|_| self.byte()).collect()
    }
}

/// One PDU in the attacker's hands.
#[derive(Clone, Debug)]
pub struct Packet {
    pub from: Addr,
    pub to: Addr,
    pub interface: Interface,
    pub pdu: Vec<u8>,
    /// The genuine endpoint that produced these bytes, if any.
    pub origin: Option<Addr>,
    /// The bytes as the origin sent them (empty for injected bytes).
    pub original: std::sync::Arc<[u8]>,
}

impl Packet {
    /// Whether the bytes are still as their origin sent them (compared, not
    /// tracked: a mutation that writes back the same octet changes nothing).
    pub fn intact(&self) -> bool {
        self.intact_under(no_unbound_fields)
    }

    /// Whether the bytes are as their origin sent them once `bound` has
    /// cleared the fields no verdict rests on (see [`UnboundFields`]).
    fn intact_under(&self, bound: UnboundFields) -> bool {
        self.origin.is_some() && bound(&self.pdu) == bound(&self.original)
    }
}

/// Clears, in a copy of a PDU, the fields a protocol by design protects in
/// no way and binds to nothing a verdict claims (so their alteration is no
/// false acceptance); every other byte stays compared. A target declares
/// them next to the reason (e.g. [`super::targets::umts_unbound_fields`]).
pub type UnboundFields = fn(&[u8]) -> std::borrow::Cow<'_, [u8]>;

/// The default: every byte counts.
pub fn no_unbound_fields(pdu: &[u8]) -> std::borrow::Cow<'_, [u8]> {
    std::borrow::Cow::Borrowed(pdu)
}

/// PDUs that carry several subjects' credentials side by side, each verified
/// on its own: a bisection's list of the meters' individual signatures, where
/// the MDMS checks meter i's reading against the i-th signature alone. A verdict
/// on one subject then rests on the frame around the parts and on that
/// subject's part, not on the others' (an altered neighbour fails its own check).
/// Found by `endpoints_aggsig` (docs/fuzzing.md, finding 4).
#[derive(Clone, Copy)]
pub struct Composite {
    /// A composite PDU's frame (the parts left out, unbound fields cleared) and
    /// its parts, concatenated; `None` for any other PDU.
    pub split: fn(&[u8]) -> Option<FrameAndParts>,
    /// The credential a PDU carries as its sender made it (a meter reading's
    /// signature), which may travel on as one part of a composite PDU.
    pub credential: fn(&[u8]) -> Option<Vec<u8>>,
}

/// A composite PDU taken apart: its frame and its parts, concatenated.
pub type FrameAndParts = (Vec<u8>, Vec<u8>);

/// A false acceptance the oracle found.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{reporter} authenticated {subject}: {why} (last input: {input})")]
pub struct Violation {
    pub reporter: Addr,
    pub subject: Addr,
    pub why: &'static str,
    pub input: String,
}

/// The endpoints of one protocol and the attacker between them.
pub struct Network {
    endpoints: BTreeMap<Addr, Box<dyn Endpoint>>,
    /// Endpoints a start may be given to (devices, group members, leaders).
    initiators: Vec<Addr>,
    interfaces: Vec<Interface>,
    in_flight: VecDeque<Packet>,
    /// Every PDU a genuine endpoint sent, with its origin and interface.
    recorded: Vec<Packet>,
    /// Bytes some genuine endpoint sent (with unbound fields cleared).
    genuine: HashSet<Vec<u8>>,
    /// The fields the oracle does not compare.
    unbound: UnboundFields,
    /// Whether a verdict may rest on a chain of intact deliveries through
    /// genuine relays (multiparty schemes whose credentials travel inside
    /// other parties' messages); otherwise only on a direct one.
    relayed: bool,
    /// The target's composite PDUs, if it has any.
    composite: Option<Composite>,
    /// Frames of the composite PDUs genuine endpoints sent.
    genuine_frames: HashSet<Vec<u8>>,
    /// Credentials genuine endpoints sent, by sender.
    credentials: HashSet<(Addr, Vec<u8>)>,
    /// (origin, receiver) pairs of intact deliveries so far.
    intact: HashSet<(Addr, Addr)>,
    timers: BTreeMap<(Addr, TimerKey), Nanos>,
    now: Nanos,
    rng: SimRng,
    fx: Effects,
    /// Authenticated verdicts seen: (reporter, subject).
    pub verdicts: BTreeSet<(Addr, Addr)>,
    pub deliveries: u64,
}

/// Bounds that keep every run short.
const MAX_IN_FLIGHT: usize = 256;
const MAX_RECORDED: usize = 512;
const MAX_STEPS: usize = 2_000;
const MAX_INJECT: usize = 256;

impl Network {
    pub fn new(interfaces: &[Interface]) -> Self {
        Self {
            endpoints: BTreeMap::new(),
            initiators: Vec::new(),
            interfaces: interfaces.to_vec(),
            in_flight: VecDeque::new(),
            recorded: Vec::new(),
            genuine: HashSet::new(),
            unbound: no_unbound_fields,
            relayed: false,
            composite: None,
            genuine_frames: HashSet::new(),
            credentials: HashSet::new(),
            intact: HashSet::new(),
            timers: BTreeMap::new(),
            now: 0,
            rng: SimRng::seed_from_u64(7),
            fx: Effects::default(),
            verdicts: BTreeSet::new(),
            deliveries: 0,
        }
    }

    /// Declares the fields of this protocol's PDUs that nothing binds (see
    /// [`UnboundFields`]).
    pub fn with_unbound_fields(mut self, unbound: UnboundFields) -> Self {
        self.unbound = unbound;
        self
    }

    /// Lets a verdict rest on a chain of intact deliveries subject → genuine
    /// relays → reporter (see `relayed`).
    pub fn with_relays(mut self) -> Self {
        self.relayed = true;
        self
    }

    /// Declares the target's composite PDUs (see [`Composite`]).
    pub fn with_composite(mut self, composite: Composite) -> Self {
        self.composite = Some(composite);
        self
    }

    /// Whether `pdu` is a composite PDU with a genuine frame that carries,
    /// as one of its parts, a credential `subject` itself sent.
    fn carries_own_part(&self, subject: Addr, pdu: &[u8]) -> bool {
        let Some(c) = self.composite else {
            return false;
        };
        let Some((frame, parts)) = (c.split)(pdu) else {
            return false;
        };
        self.genuine_frames.contains(&frame)
            && self.credentials.iter().any(|(by, cred)| {
                *by == subject
                    && !cred.is_empty()
                    && parts
                        .chunks_exact(cred.len())
                        .any(|part| part == cred.as_slice())
            })
    }

    /// Whether intact deliveries lead from `from` to `to` (directly, or
    /// through genuine relays when `relayed`).
    fn intact_path(&self, from: Addr, to: Addr) -> bool {
        if from == to || self.intact.contains(&(from, to)) {
            return true;
        }
        if !self.relayed {
            return false;
        }
        let mut seen = HashSet::from([from]);
        let mut frontier = vec![from];
        while let Some(a) = frontier.pop() {
            for &(o, r) in &self.intact {
                if o == a && seen.insert(r) {
                    if r == to {
                        return true;
                    }
                    frontier.push(r);
                }
            }
        }
        false
    }

    /// Adds a genuine endpoint; `initiator` if the attacker may start it.
    pub fn add(&mut self, addr: Addr, ep: Box<dyn Endpoint>, initiator: bool) {
        self.endpoints.insert(addr, ep);
        if initiator {
            self.initiators.push(addr);
        }
    }

    fn addrs(&self) -> Vec<Addr> {
        self.endpoints.keys().copied().collect()
    }

    /// Runs one input of the endpoint at `at` and takes its effects.
    fn step(
        &mut self,
        at: Addr,
        trigger: Option<&Packet>,
        f: impl FnOnce(&mut dyn Endpoint, &mut Ctx<'_>),
    ) -> Result<(), Violation> {
        let Some(ep) = self.endpoints.get_mut(&at) else {
            return Ok(()); // no one there: lost
        };
        self.fx.clear();
        let mut cx = Ctx {
            me: at,
            now: self.now,
            wait: 0,
            rng: &mut self.rng,
            fx: &mut self.fx,
        };
        f(ep.as_mut(), &mut cx);
        for o in std::mem::take(&mut self.fx.outcomes) {
            if let Outcome::Authenticated { subject, .. } = o {
                self.check(at, subject, trigger)?;
                self.verdicts.insert((at, subject));
            }
        }
        for t in std::mem::take(&mut self.fx.timers) {
            match t {
                TimerCmd::Arm { key, at: when } => {
                    self.timers.insert((at, key), when);
                }
                TimerCmd::Cancel { key } => {
                    self.timers.remove(&(at, key));
                }
            }
        }
        for t in std::mem::take(&mut self.fx.transmits) {
            let to = match t.to {
                Destination::Unicast(a) => vec![a],
                Destination::Broadcast(v) => v,
            };
            self.genuine.insert((self.unbound)(&t.pdu).into_owned());
            if let Some(c) = self.composite {
                if let Some((frame, _)) = (c.split)(&t.pdu) {
                    self.genuine_frames.insert(frame);
                }
                if let Some(cred) = (c.credential)(&t.pdu) {
                    self.credentials.insert((at, cred));
                }
            }
            let original: std::sync::Arc<[u8]> = t.pdu.as_slice().into();
            for to in to {
                let p = Packet {
                    from: at,
                    to,
                    interface: t.interface,
                    pdu: t.pdu.clone(),
                    origin: Some(at),
                    original: original.clone(),
                };
                if self.recorded.len() < MAX_RECORDED {
                    self.recorded.push(p.clone());
                }
                if self.in_flight.len() < MAX_IN_FLIGHT {
                    self.in_flight.push_back(p);
                }
            }
        }
        Ok(())
    }

    /// The oracle, for `reporter`'s verdict on `subject`.
    fn check(
        &self,
        reporter: Addr,
        subject: Addr,
        trigger: Option<&Packet>,
    ) -> Result<(), Violation> {
        let violation = |why| Violation {
            reporter,
            subject,
            why,
            input: trigger.map_or("a timer".into(), |p| hex::encode(&p.pdu)),
        };
        if !self.endpoints.contains_key(&subject) {
            return Err(violation("the subject has no genuine endpoint"));
        }
        if trigger.is_some_and(|p| {
            !self.genuine.contains((self.unbound)(&p.pdu).as_ref())
                && !self.carries_own_part(subject, &p.pdu)
        }) {
            return Err(violation("triggered by bytes no genuine endpoint sent"));
        }
        let now_intact = trigger.is_some_and(|p| {
            p.intact_under(self.unbound)
                && p.origin
                    .is_some_and(|o| o == subject || (self.relayed && self.intact_path(subject, o)))
        });
        if !now_intact && !self.intact_path(subject, reporter) {
            return Err(violation(
                "no unmodified message from the subject reached the reporter",
            ));
        }
        Ok(())
    }

    fn deliver(&mut self, p: Packet) -> Result<(), Violation> {
        self.deliveries += 1;
        let msg_to = p.to;
        let result = {
            let q = p.clone();
            self.step(msg_to, Some(&p), |ep, cx| {
                ep.on_message(
                    Incoming {
                        from: q.from,
                        interface: q.interface,
                        pdu: &q.pdu,
                    },
                    cx,
                )
            })
        };
        if let (true, Some(o)) = (p.intact_under(self.unbound), p.origin) {
            self.intact.insert((o, p.to));
        }
        result
    }

    fn fire(&mut self, pick: Option<usize>) -> Result<bool, Violation> {
        let chosen = match pick {
            Some(i) if !self.timers.is_empty() => self
                .timers
                .iter()
                .nth(i % self.timers.len())
                .map(|(k, v)| (*k, *v)),
            _ => self
                .timers
                .iter()
                .min_by_key(|(_, at)| **at)
                .map(|(k, v)| (*k, *v)),
        };
        let Some(((addr, key), at)) = chosen else {
            return Ok(false);
        };
        self.timers.remove(&(addr, key));
        self.now = self.now.max(at);
        self.step(addr, None, |ep, cx| ep.on_timer(key, cx))?;
        Ok(true)
    }

    /// One attacker move read from `c`.
    fn attack(&mut self, c: &mut Choices<'_>) -> Result<(), Violation> {
        let addrs = self.addrs();
        let n = self.in_flight.len();
        match c.byte() % 12 {
            // Deliver in order (the most common move keeps protocols going).
            0..=2 => {
                if let Some(p) = self.in_flight.pop_front() {
                    self.deliver(p)?;
                }
            }
            3 => {
                if n > 0 {
                    let p = self.in_flight.remove(c.below(n)).expect("index below len");
                    self.deliver(p)?;
                }
            }
            4 => {
                if n > 0 {
                    self.in_flight.remove(c.below(n));
                }
            }
            5 => {
                if n > 0 {
                    let i = c.below(n);
                    let p = &mut self.in_flight[i];
                    if !p.pdu.is_empty() {
                        let at = c.below(p.pdu.len());
                        match c.byte() % 3 {
                            0 => p.pdu[at] ^= 1 << (c.byte() % 8),
                            1 => p.pdu[at] = c.byte(),
                            _ => p.pdu.truncate(at),
                        }
                    }
                }
            }
            6 => {
                if n > 0 && !addrs.is_empty() {
                    let i = c.below(n);
                    self.in_flight[i].to = addrs[c.below(addrs.len())];
                }
            }
            7 => {
                if n > 0 && !addrs.is_empty() {
                    let i = c.below(n);
                    self.in_flight[i].from = addrs[c.below(addrs.len())];
                }
            }
            8 => {
                let r = self.recorded.len();
                if r > 0 && !addrs.is_empty() && self.in_flight.len() < MAX_IN_FLIGHT {
                    let mut p = self.recorded[c.below(r)].clone();
                    p.to = addrs[c.below(addrs.len())];
                    p.from = addrs[c.below(addrs.len())];
                    self.in_flight.push_back(p);
                }
            }
            9 => {
                if !addrs.is_empty() && self.in_flight.len() < MAX_IN_FLIGHT {
                    let p = Packet {
                        from: addrs[c.below(addrs.len())],
                        to: addrs[c.below(addrs.len())],
                        interface: self.interfaces[c.below(self.interfaces.len())],
                        pdu: c.bytes(MAX_INJECT),
                        origin: None,
                        original: std::sync::Arc::from(&[][..]),
                    };
                    self.in_flight.push_back(p);
                }
            }
            10 => {
                let pick = c.byte();
                self.fire((pick & 1 == 1).then_some(pick as usize >> 1))?;
            }
            _ => {
                if !self.initiators.is_empty() {
                    let a = self.initiators[c.below(self.initiators.len())];
                    self.step(a, None, |ep, cx| ep.start(cx))?;
                }
            }
        }
        Ok(())
    }

    /// Starts every initiator, lets the attacker move until `c` is used up,
    /// then lets the network settle (deliver everything, fire timers).
    pub fn run(&mut self, c: &mut Choices<'_>) -> Result<(), Violation> {
        for a in self.initiators.clone() {
            self.step(a, None, |ep, cx| ep.start(cx))?;
        }
        let mut steps = 0;
        while !c.is_empty() && steps < MAX_STEPS {
            self.attack(c)?;
            steps += 1;
        }
        while steps < 2 * MAX_STEPS {
            steps += 1;
            if let Some(p) = self.in_flight.pop_front() {
                self.deliver(p)?;
            } else if !self.fire(None)? {
                break;
            }
        }
        Ok(())
    }
}
