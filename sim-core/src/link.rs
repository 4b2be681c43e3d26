//! Directed links: a FIFO transmitter queue at a bandwidth, then latency and loss.
//!
//! Only the transmitter is FIFO: each transmission starts when the previous one
//! has been serialized. Latency is drawn per delivery, so messages to different
//! endpoints behind one link (a cell's devices) do not wait for each other's
//! propagation; a device has one message in flight at a time in every protocol
//! here, so its own messages are not reordered in practice.

use authsim_protocols::core::{Nanos, SimRng, time::SECOND};
use rand::RngExt;

use crate::latency::{Latency, LatencyError, LatencySampler};

/// What a scenario says about one link (both directions share the spec).
#[derive(Clone, Debug, PartialEq)]
pub struct LinkSpec {
    pub latency: Latency,
    /// Bits per second; `None` = infinite (no serialization delay).
    pub bandwidth_bps: Option<f64>,
    /// Probability that one delivery is lost, in [0, 1).
    pub loss: f64,
    /// Lower-layer bytes added to every transmission (reported separately).
    pub header_bytes: u32,
}

/// Runtime state of one direction of a link, owned by the sending node.
#[derive(Clone, Debug)]
pub struct LinkState {
    pub spec: LinkSpec,
    latency: LatencySampler,
    /// When the transmitter finishes serializing what is queued.
    free_at: Nanos,
}

/// When one transmission leaves and reaches the far end.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Timing {
    pub departs: Nanos,
    pub serialized: Nanos,
}

impl LinkState {
    pub fn new(spec: LinkSpec) -> Result<Self, LatencyError> {
        let latency = spec.latency.sampler()?;
        Ok(Self {
            spec,
            latency,
            free_at: 0,
        })
    }

    /// Bytes a receiver counts per delivery on top of the PDU.
    pub fn rx_overhead_bytes(&self) -> u64 {
        self.spec.header_bytes as u64
    }

    /// The shortest latency this link can draw: every delivery arrives at
    /// least this long after it is sent.
    pub fn min_latency(&self) -> Nanos {
        use crate::latency::Latency;
        match self.spec.latency {
            Latency::Fixed(v) => v,
            Latency::Uniform { min, .. } => min,
            Latency::ShiftedExponential { base, .. } => base,
            Latency::LogNormal { .. } => 0,
        }
    }

    /// Queues `bytes` for transmission no earlier than `ready`.
    pub fn transmit(&mut self, ready: Nanos, bytes: usize) -> Timing {
        let departs = ready.max(self.free_at);
        let wire_bytes = bytes as f64 + self.spec.header_bytes as f64;
        let ser = match self.spec.bandwidth_bps {
            Some(bps) => (wire_bytes * 8.0 * SECOND as f64 / bps).ceil() as Nanos,
            None => 0,
        };
        self.free_at = departs + ser;
        Timing {
            departs,
            serialized: departs + ser,
        }
    }

    /// Arrival time at one receiver, or `None` if this delivery is lost.
    pub fn deliver(&mut self, t: Timing, rng: &mut SimRng) -> Option<Nanos> {
        if self.spec.loss > 0.0 && rng.random::<f64>() < self.spec.loss {
            return None;
        }
        Some(t.serialized + self.latency.sample(rng))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use rand::SeedableRng;

    fn spec(bw: Option<f64>, loss: f64) -> LinkSpec {
        LinkSpec {
            latency: Latency::Fixed(1_000),
            bandwidth_bps: bw,
            loss,
            header_bytes: 0,
        }
    }

    #[test]
    fn serialization_queues_back_to_back() {
        // 8 Mbit/s: 100 bytes take 100 us.
        let mut l = LinkState::new(spec(Some(8e6), 0.0)).unwrap();
        let mut rng = SimRng::seed_from_u64(0);
        let a = l.transmit(0, 100);
        let b = l.transmit(0, 100);
        assert_eq!(
            a,
            Timing {
                departs: 0,
                serialized: 100_000
            }
        );
        assert_eq!(
            b,
            Timing {
                departs: 100_000,
                serialized: 200_000
            }
        );
        assert_eq!(l.deliver(a, &mut rng), Some(101_000));
        assert_eq!(l.deliver(b, &mut rng), Some(201_000));
    }

    #[test]
    fn loss_rate_is_respected() {
        let mut l = LinkState::new(spec(None, 0.25)).unwrap();
        let mut rng = SimRng::seed_from_u64(7);
        let t = l.transmit(0, 10);
        let lost = (0..40_000)
            .filter(|_| l.deliver(t, &mut rng).is_none())
            .count();
        assert!((9_500..10_500).contains(&lost), "lost {lost}");
    }

    #[test]
    fn latency_is_drawn_per_delivery() {
        let mut l = LinkState::new(LinkSpec {
            latency: Latency::Uniform {
                min: 0,
                max: 1_000_000,
            },
            ..spec(None, 0.0)
        })
        .unwrap();
        let mut rng = SimRng::seed_from_u64(3);
        let t = l.transmit(0, 10);
        let a: Vec<_> = (0..100).map(|_| l.deliver(t, &mut rng).unwrap()).collect();
        assert!(a.iter().any(|&x| x < 500_000) && a.iter().any(|&x| x > 500_000));
    }
}
