//! A node's collection of endpoints.
//!
//! One nexosim model per device would cost kilobytes each and not reach 10^6
//! devices, so one node hosts many endpoints (a cell's population of devices)
//! or one (an MME). Endpoints are addressed by index inside their node.

use authsim_protocols::core::{Addr, Ctx, Effects, Endpoint, Incoming, Nanos, SimRng};

use crate::node::Delivery;

pub trait Host: Send {
    fn len(&self) -> u32;
    fn is_empty(&self) -> bool {
        self.len() == 0
    }
    fn endpoint(&mut self, index: u32) -> Option<&mut dyn Endpoint>;
    /// Hands each job to its endpoint, on up to `threads` threads, if this
    /// host's endpoints are independent ([`Independent`]); returns false,
    /// having done nothing, otherwise or if a job names no endpoint. Jobs
    /// name distinct endpoints; their order may change.
    fn handle_apart(&mut self, _jobs: &mut [Job<'_>], _threads: usize) -> bool {
        false
    }
}

impl<E: Endpoint + Send> Host for Vec<E> {
    fn len(&self) -> u32 {
        Vec::len(self) as u32
    }
    fn endpoint(&mut self, index: u32) -> Option<&mut dyn Endpoint> {
        self.get_mut(index as usize).map(|e| e as &mut dyn Endpoint)
    }
}

/// Hosts boxed endpoints of different types (e.g. one group leader plus members).
pub struct Mixed(pub Vec<Box<dyn Endpoint + Send>>);

impl Host for Mixed {
    fn len(&self) -> u32 {
        self.0.len() as u32
    }
    fn endpoint(&mut self, index: u32) -> Option<&mut dyn Endpoint> {
        match self.0.get_mut(index as usize) {
            Some(e) => Some(e.as_mut()),
            None => None,
        }
    }
}

/// One input of a window handed to its endpoint apart from the node's
/// sequence (possibly on another thread): the endpoint's own work, whose
/// effects the node applies later, in the sequential order
/// (`NodeCore::handle_apart`, docs/architecture.md "Parallel windows").
pub struct Job<'a> {
    pub(crate) index: u32,
    pub(crate) me: Addr,
    pub(crate) now: Nanos,
    pub(crate) input: JobInput<'a>,
    pub(crate) fx: Effects,
    /// A generator of its own, which an independent endpoint must not draw
    /// from (the node's one is shared in the sequential order; checked after
    /// the job, see [`Job::drew`]).
    pub(crate) rng: SimRng,
}

/// What a [`Job`] hands to its endpoint.
pub(crate) enum JobInput<'a> {
    Start,
    Message(&'a Delivery),
}

impl Job<'_> {
    /// Hands the input to `ep`, as `NodeCore::handle` would at `now` with no wait.
    fn run(&mut self, ep: &mut dyn Endpoint) {
        let mut cx = Ctx {
            me: self.me,
            now: self.now,
            wait: 0,
            rng: &mut self.rng,
            fx: &mut self.fx,
        };
        match self.input {
            JobInput::Start => ep.start(&mut cx),
            JobInput::Message(d) => ep.on_message(
                Incoming {
                    from: d.from,
                    interface: d.interface,
                    pdu: &d.pdu,
                },
                &mut cx,
            ),
        }
    }

    /// Whether the endpoint drew from the job's generator.
    pub(crate) fn drew(&self) -> bool {
        self.rng.get_word_pos() != 0
    }
}

/// A population whose endpoints are independent: handling an input touches
/// only that endpoint's own state and never draws from the node's random
/// generator (EPS-AKA and UMTS AKA devices: the USIM check, KDFs and NAS
/// protection are per device; the 5G UE is not one, its SUCI draws an
/// ephemeral key). Such a node may hand a window's inputs to their endpoints
/// on several threads ([`Host::handle_apart`]).
pub struct Independent<E>(pub Vec<E>);

impl<E: Endpoint + Send> Host for Independent<E> {
    fn len(&self) -> u32 {
        self.0.len() as u32
    }
    fn endpoint(&mut self, index: u32) -> Option<&mut dyn Endpoint> {
        self.0
            .get_mut(index as usize)
            .map(|e| e as &mut dyn Endpoint)
    }
    fn handle_apart(&mut self, jobs: &mut [Job<'_>], threads: usize) -> bool {
        jobs.sort_unstable_by_key(|j| j.index);
        // Pair each job with its endpoint: indices are distinct and hosted
        // (the node checks), so the borrows are disjoint.
        let mut pairs: Vec<(&mut E, &mut Job<'_>)> = Vec::with_capacity(jobs.len());
        let mut rest: &mut [E] = &mut self.0;
        let mut base = 0usize;
        for job in jobs.iter_mut() {
            let at = job.index as usize;
            let Some(skip) = at.checked_sub(base) else {
                return false;
            };
            let Some((ep, tail)) = std::mem::take(&mut rest)
                .get_mut(skip..)
                .and_then(|s| s.split_first_mut())
            else {
                return false;
            };
            pairs.push((ep, job));
            rest = tail;
            base = at + 1;
        }
        let per = pairs.len().div_ceil(threads.max(1)).max(1);
        std::thread::scope(|s| {
            let mut chunks = pairs.chunks_mut(per);
            let own = chunks.next();
            for chunk in chunks {
                s.spawn(move || chunk.iter_mut().for_each(|(ep, job)| job.run(*ep)));
            }
            if let Some(chunk) = own {
                chunk.iter_mut().for_each(|(ep, job)| job.run(*ep));
            }
        });
        true
    }
}
