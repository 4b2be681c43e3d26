//! When a node's inputs start service.

use std::cmp::Reverse;
use std::collections::BinaryHeap;

use authsim_protocols::core::Nanos;

use super::Service;

/// The servers of a node, as far as timing goes.
pub(super) enum Servers {
    /// When each FIFO server becomes free, earliest on top. The servers are
    /// identical, so only the multiset of these times matters: the next input
    /// starts on the earliest-free one.
    Fifo(BinaryHeap<Reverse<Nanos>>),
    /// Every endpoint serves itself: service starts on arrival.
    PerEndpoint,
}

impl Servers {
    pub(super) fn new(service: Service) -> Self {
        match service {
            Service::Fifo { servers } => {
                Servers::Fifo((0..servers.max(1)).map(|_| Reverse(0)).collect())
            }
            Service::PerEndpoint => Servers::PerEndpoint,
        }
    }

    /// When an input arriving at `now` starts service.
    pub(super) fn start(&self, now: Nanos) -> Nanos {
        match self {
            Servers::Fifo(free) => now.max(free.peek().map_or(now, |f| f.0)),
            Servers::PerEndpoint => now,
        }
    }

    /// The input that just started occupies the earliest-free server until
    /// `finish`; true if it queued for a shared server (so its wait counts).
    pub(super) fn occupy(&mut self, finish: Nanos) -> bool {
        match self {
            Servers::Fifo(free) => {
                if let Some(mut earliest) = free.peek_mut() {
                    *earliest = Reverse(finish);
                }
                true
            }
            Servers::PerEndpoint => false,
        }
    }
}
