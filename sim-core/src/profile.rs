//! Node profiles: what a node class's processing costs.
//!
//! A profile prices the crypto work an endpoint reports (counts of primitive
//! operations) plus a fixed cost per handled input (decode, state lookup,
//! encode). The protocol never guesses time; the profile does, per class.

use authsim_protocols::core::{CryptoOps, Nanos, Prim};

#[derive(Clone, Debug, PartialEq)]
pub struct Profile {
    pub name: String,
    /// Fixed cost of handling one input (message, timer, start), in ns.
    pub per_input_ns: f64,
    /// Cost of one primitive operation, in ns, indexed by `Prim`.
    pub prim_ns: [f64; Prim::COUNT],
}

impl Profile {
    /// Service time for one input that did `ops` of crypto work.
    pub fn service_time(&self, ops: &CryptoOps) -> Nanos {
        let crypto: f64 = ops
            .0
            .iter()
            .zip(self.prim_ns.iter())
            .map(|(&n, &c)| n as f64 * c)
            .sum();
        (self.per_input_ns + crypto).round() as Nanos
    }

    /// Core-network server class (MME/HSS on a server CPU core); the figures are
    /// this project's measured software costs on one x86-64 core (see
    /// docs/performance.md), rounded.
    pub fn server() -> Self {
        let mut prim_ns = [0.0; Prim::COUNT];
        prim_ns[Prim::AesBlock as usize] = 20.0;
        prim_ns[Prim::Sha256Block as usize] = 250.0;
        prim_ns[Prim::P256Mul as usize] = 140_000.0;
        prim_ns[Prim::P256MulBase as usize] = 50_000.0;
        prim_ns[Prim::P256Add as usize] = 1_000.0;
        prim_ns[Prim::ScalarInv as usize] = 10_000.0;
        prim_ns[Prim::ScalarMul as usize] = 100.0;
        prim_ns[Prim::AeadByte as usize] = 2.0;
        prim_ns[Prim::Pairing as usize] = 1_000_000.0;
        Self {
            name: "server".into(),
            per_input_ns: 20_000.0,
            prim_ns,
        }
    }

    /// A constrained device class (Cortex-M class MCU). Placeholder scaling of
    /// the server figures by 100x until issue 5's sourced profiles land.
    pub fn constrained_device() -> Self {
        let s = Self::server();
        let mut prim_ns = s.prim_ns;
        for c in prim_ns.iter_mut() {
            *c *= 100.0;
        }
        Self {
            name: "constrained-device".into(),
            per_input_ns: 100_000.0,
            prim_ns,
        }
    }

    /// No processing cost at all (closed-form cross-checks, pure signalling counts).
    pub fn free() -> Self {
        Self {
            name: "free".into(),
            per_input_ns: 0.0,
            prim_ns: [0.0; Prim::COUNT],
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn service_time_prices_each_primitive() {
        let p = Profile::server();
        let mut ops = CryptoOps::default();
        ops.add(Prim::AesBlock, 10);
        ops.add(Prim::Sha256Block, 2);
        assert_eq!(p.service_time(&ops), 20_000 + 200 + 500);
        assert_eq!(Profile::free().service_time(&ops), 0);
    }
}
