//! A zero-latency, in-memory router for driving endpoints in unit tests.
//!
//! It delivers every transmitted message immediately (FIFO), fires timers when
//! asked, and keeps a log of what passed, so protocol tests can run whole
//! exchanges without the simulator. It is deliberately simple: no loss, no
//! latency, no processing time.

use std::collections::{BTreeMap, VecDeque};

use rand::SeedableRng;

use crate::core::{
    Addr, CryptoOps, Ctx, Destination, Effects, Endpoint, Incoming, Interface, Nanos, Outcome,
    SimRng, TimerKey,
};

/// One message as it passed through the router.
#[derive(Clone, Debug)]
pub struct Passed {
    pub from: Addr,
    pub to: Destination,
    pub interface: Interface,
    pub kind: &'static str,
    pub pdu: Vec<u8>,
}

/// A hook that sees every message in flight and returns the bytes to deliver
/// (possibly altered), or `None` to drop it.
pub type Tamper<'e> = Box<dyn FnMut(&Passed) -> Option<Vec<u8>> + 'e>;

/// Routes messages between boxed endpoints keyed by address.
pub struct Router<'e> {
    pub endpoints: BTreeMap<Addr, &'e mut dyn Endpoint>,
    pub now: Nanos,
    /// The queueing wait every input is said to have had (`Ctx::wait`), so
    /// tests can put a serving node under load.
    pub wait: Nanos,
    pub rng: SimRng,
    pub log: Vec<Passed>,
    pub outcomes: Vec<(Addr, Outcome)>,
    pub crypto: BTreeMap<Addr, CryptoOps>,
    /// Armed timers: (endpoint, key) -> deadline.
    pub timers: BTreeMap<(Addr, TimerKey), Nanos>,
    /// Inputs the endpoints ignored: (endpoint, label).
    pub ignored: Vec<(Addr, &'static str)>,
    queue: VecDeque<(Addr, Addr, Interface, Vec<u8>)>,
    /// Optional hook to drop or alter messages in flight (attack tests).
    pub tamper: Option<Tamper<'e>>,
}

impl<'e> Router<'e> {
    pub fn new(seed: u64) -> Self {
        Self {
            endpoints: BTreeMap::new(),
            now: 0,
            wait: 0,
            rng: SimRng::seed_from_u64(seed),
            log: Vec::new(),
            outcomes: Vec::new(),
            crypto: BTreeMap::new(),
            timers: BTreeMap::new(),
            ignored: Vec::new(),
            queue: VecDeque::new(),
            tamper: None,
        }
    }

    pub fn add(&mut self, addr: Addr, ep: &'e mut dyn Endpoint) {
        self.endpoints.insert(addr, ep);
    }

    /// Calls `start` on `addr` and runs until no message is left in flight.
    pub fn start(&mut self, addr: Addr) {
        self.with_endpoint(addr, |ep, cx| ep.start(cx));
        self.run();
    }

    /// Injects raw bytes as if `from` had sent them to `to`, then runs.
    pub fn inject(&mut self, from: Addr, to: Addr, interface: Interface, pdu: Vec<u8>) {
        self.queue.push_back((from, to, interface, pdu));
        self.run();
    }

    /// Advances time to the earliest armed timer, fires it, and runs.
    /// Returns false when no timer is armed.
    pub fn fire_next_timer(&mut self) -> bool {
        let Some((&(addr, id), &at)) = self.timers.iter().min_by_key(|(_, at)| **at) else {
            return false;
        };
        self.timers.remove(&(addr, id));
        self.now = self.now.max(at);
        self.with_endpoint(addr, |ep, cx| ep.on_timer(id, cx));
        self.run();
        true
    }

    /// Delivers queued messages until none is left.
    pub fn run(&mut self) {
        while let Some((from, to, interface, pdu)) = self.queue.pop_front() {
            self.with_endpoint(to, |ep, cx| {
                ep.on_message(
                    Incoming {
                        from,
                        interface,
                        pdu: &pdu,
                    },
                    cx,
                )
            });
        }
    }

    /// All outcomes reported by `addr`.
    pub fn outcomes_of(&self, addr: Addr) -> Vec<Outcome> {
        self.outcomes
            .iter()
            .filter(|(a, _)| *a == addr)
            .map(|(_, o)| o.clone())
            .collect()
    }

    /// The PDUs of every message of `kind` that passed (dropped ones too), in order.
    pub fn pdus(&self, kind: &str) -> Vec<&[u8]> {
        let of_kind = self.log.iter().filter(|p| p.kind == kind);
        of_kind.map(|p| p.pdu.as_slice()).collect()
    }

    /// The reasons of `addr`'s rejections, in order.
    pub fn rejections(&self, addr: Addr) -> Vec<&'static str> {
        let rejected = self.outcomes.iter().filter(|(a, _)| *a == addr);
        let reasons = rejected.filter_map(|(_, o)| match o {
            Outcome::Rejected { reason, .. } => Some(*reason),
            _ => None,
        });
        reasons.collect()
    }

    /// Message kinds in the order they were sent.
    pub fn kinds(&self) -> Vec<&'static str> {
        self.log.iter().map(|p| p.kind).collect()
    }

    fn with_endpoint(&mut self, addr: Addr, f: impl FnOnce(&mut dyn Endpoint, &mut Ctx<'_>)) {
        let mut fx = Effects::default();
        {
            let Some(ep) = self.endpoints.get_mut(&addr) else {
                return; // messages to unknown addresses vanish, as on a real network
            };
            let mut cx = Ctx {
                me: addr,
                now: self.now,
                wait: self.wait,
                rng: &mut self.rng,
                fx: &mut fx,
            };
            f(&mut **ep, &mut cx);
        }
        self.crypto.entry(addr).or_default().merge(&fx.crypto);
        for o in fx.outcomes.drain(..) {
            self.outcomes.push((addr, o));
        }
        for what in fx.ignored.drain(..) {
            self.ignored.push((addr, what));
        }
        for t in fx.timers.drain(..) {
            match t {
                crate::core::TimerCmd::Arm { key, at } => {
                    self.timers.insert((addr, key), at);
                }
                crate::core::TimerCmd::Cancel { key } => {
                    self.timers.remove(&(addr, key));
                }
            }
        }
        for t in fx.transmits.drain(..) {
            let mut passed = Passed {
                from: addr,
                to: t.to.clone(),
                interface: t.interface,
                kind: t.kind,
                pdu: t.pdu,
            };
            if let Some(tamper) = self.tamper.as_mut() {
                match tamper(&passed) {
                    Some(bytes) => passed.pdu = bytes,
                    None => {
                        self.log.push(passed);
                        continue; // dropped
                    }
                }
            }
            let receivers = match &passed.to {
                Destination::Unicast(a) => vec![*a],
                Destination::Broadcast(v) => v.clone(),
            };
            for r in receivers {
                self.queue
                    .push_back((addr, r, passed.interface, passed.pdu.clone()));
            }
            self.log.push(passed);
        }
    }
}

/// The effects of calling `f` once on a context of endpoint `me` at time 0
/// (with a fixed generator): for tests that drive one endpoint method
/// directly, outside a router.
pub fn effects_of(me: Addr, f: impl FnOnce(&mut Ctx<'_>)) -> Effects {
    let mut rng = SimRng::seed_from_u64(5);
    let mut fx = Effects::default();
    let mut cx = Ctx {
        me,
        now: 0,
        wait: 0,
        rng: &mut rng,
        fx: &mut fx,
    };
    f(&mut cx);
    fx
}
