//! A node's transmissions: link timing, deliveries, message counters and
//! traced transmissions.

use std::sync::atomic::Ordering;

use authsim_protocols::core::{Addr, Destination, Interface, Nanos, Transmit};

use super::Cause;
use super::node_core::{NodeCore, TraceOrder};
use super::{Delivery, RouteGap};
use crate::metrics::{MessageCounters, MessageKey, TraceKey};
use crate::pdu::Pdu;
use crate::trace::Transmission;

impl NodeCore {
    /// Index of the counters of (interface, kind) in `self.counters` (a few
    /// kinds per node: a short scan, pointer comparison first).
    fn counters_of(&mut self, interface: Interface, kind: &'static str) -> usize {
        let same = |k: &MessageKey| {
            k.0 == interface
                && (std::ptr::eq(k.1.as_ptr(), kind.as_ptr()) && k.1.len() == kind.len()
                    || k.1 == kind)
        };
        match self.counters.iter().position(|(k, _)| same(k)) {
            Some(i) => i,
            None => {
                self.counters
                    .push(((interface, kind), MessageCounters::default()));
                self.counters.len() - 1
            }
        }
    }

    /// Queues one transmission, ready to leave at `ready`, on its links and
    /// puts its deliveries in the outbox. A receiver on a node this one has no
    /// link to fails the run.
    pub(super) fn transmit(&mut self, from: Addr, ready: Nanos, t: Transmit) {
        let unicast: [Addr; 1];
        let broadcast: Vec<Addr>;
        let receivers: &[Addr] = match t.to {
            Destination::Unicast(a) => {
                unicast = [a];
                &unicast
            }
            Destination::Broadcast(v) => {
                broadcast = v;
                &broadcast
            }
        };
        let pdu = t.pdu;
        let cause = self.cause;
        let first_delivery = self.outbox.len();
        let ci = self.counters_of(t.interface, t.kind);
        let counters = &mut self.counters[ci].1;
        counters.transmissions += 1;
        counters.bytes += pdu.len() as u64;
        self.report.tx_bytes += pdu.len() as u64;
        if let Some(at) = self.attribution_mut() {
            at.sent(cause, t.interface, pdu.len() as u64);
        }
        // One serialization per link used by this transmission (a broadcast on one
        // medium is serialized once), then one delivery per receiver.
        let mut timings = std::mem::take(&mut self.timings);
        timings.clear();
        let mut overhead_counted = false;
        for to in receivers {
            let Some(link) = self
                .links
                .get_mut(to.node as usize)
                .and_then(|l| l.as_mut())
            else {
                self.timings = timings;
                self.fail(from, *to, t.interface, t.kind, RouteGap::NoLink);
                return;
            };
            let timing = match timings.iter().find(|(n, _)| *n == to.node) {
                Some((_, t)) => *t,
                None => {
                    let t = link.transmit(ready, pdu.len());
                    timings.push((to.node, t));
                    t
                }
            };
            let counters = &mut self.counters[ci].1;
            if !overhead_counted {
                counters.overhead_bytes += link.spec.header_bytes as u64;
                self.report.tx_bytes += link.spec.header_bytes as u64;
                overhead_counted = true;
            }
            match link.deliver(timing, &mut self.net_rng) {
                Some(at) => {
                    counters.deliveries += 1;
                    self.outbox.push((
                        at,
                        Delivery {
                            from,
                            to: *to,
                            interface: t.interface,
                            kind: t.kind,
                            pdu: Pdu::default(),
                            cause: if t.adversary_made {
                                Cause::ADVERSARY
                            } else if cause == Cause::ADVERSARY {
                                Cause::NONE
                            } else {
                                cause
                            },
                        },
                    ));
                }
                None => counters.lost += 1,
            }
        }
        // Hand the bytes to this transmission's deliveries: moved into a single
        // one (every unicast), shared by several (a broadcast).
        let departs = timings.first().map_or(ready, |(_, t)| t.departs);
        self.timings = timings;
        let pdu = match &mut self.outbox[first_delivery..] {
            [] if self.trace.is_none() => return,
            [(_, only)] if self.trace.is_none() => {
                only.pdu = Pdu::Owned(pdu);
                return;
            }
            delivered => {
                let shared = Pdu::shared(pdu);
                for (_, d) in delivered {
                    d.pdu = shared.clone();
                }
                shared
            }
        };
        self.trace_line(
            departs,
            from,
            receivers,
            (t.interface, t.kind),
            &pdu,
            first_delivery,
        );
    }

    /// Records one traced transmission, keyed so that records of equal
    /// departure time sort in the order the transmissions were made.
    fn trace_line(
        &mut self,
        departs: Nanos,
        from: Addr,
        receivers: &[Addr],
        (interface, kind): (Interface, &'static str),
        pdu: &Pdu,
        first_delivery: usize,
    ) {
        let key: TraceKey = match &mut self.trace {
            None => return,
            Some(TraceOrder::Global(seq)) => [seq.fetch_add(1, Ordering::Relaxed), 0, 0, 0, 0, 0],
            Some(TraceOrder::Handling { order: o, lines }) => {
                *lines += 1;
                [o[0], o[1], o[2], o[3], o[4], *lines]
            }
        };
        let delivered = &self.outbox[first_delivery..];
        let lost = receivers
            .iter()
            .filter(|a| !delivered.iter().any(|(_, d)| d.to == **a))
            .copied()
            .collect();
        let record = Transmission {
            departs,
            from,
            to: receivers.to_vec(),
            lost,
            interface,
            kind,
            sender_node: self.name.clone(),
            pdu: pdu.clone(),
        };
        self.report.trace.push((departs, key, record));
    }
}
