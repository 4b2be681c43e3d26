//! The proxy scheme's three hash functions: SHA-256 with a distinct 8-octet
//! label per use, reduced modulo the group order q.
//!
//! Boldyreva–Palacio–Warinschi (J. Cryptology 2012) show that the
//! Kim–Park–Won construction is secure only when delegation, proxy and
//! ordinary signatures hash in separate domains (their "triple Schnorr"
//! scheme); otherwise a warrant signature doubles as an ordinary signature of
//! the delegator. Each label here is one of those domains.

use p256::Scalar;

use crate::core::CryptoOps;
use crate::crypto::sha256;
use crate::gas::field;

/// Octets of every label.
pub const LABEL_LEN: usize = 8;

/// One hash domain.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Domain {
    /// H_w: the delegator's Schnorr signature on a warrant.
    Warrant,
    /// H_p: a proxy signature (under the proxy key x_P).
    Proxy,
    /// H_s: an ordinary Schnorr signature (a device's own key).
    Standard,
}

impl Domain {
    pub const fn label(self) -> &'static [u8; LABEL_LEN] {
        match self {
            Domain::Warrant => b"px/warr_",
            Domain::Proxy => b"px/proxy",
            Domain::Standard => b"px/std__",
        }
    }
}

/// H_d(parts…) = SHA-256(label_d ‖ parts…) mod q, counted.
///
/// The reduction bias is below 2^-32 (q > 2^256 − 2^224), the usual choice
/// for Schnorr challenges over P-256.
pub fn challenge(domain: Domain, parts: &[&[u8]], ops: &mut CryptoOps) -> Scalar {
    let mut all: Vec<&[u8]> = Vec::with_capacity(parts.len() + 1);
    all.push(domain.label());
    all.extend_from_slice(parts);
    field::from_hash(&sha256(&all, ops))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn domains_are_distinct() {
        let mut ops = CryptoOps::default();
        let d = [Domain::Warrant, Domain::Proxy, Domain::Standard];
        for (i, a) in d.iter().enumerate() {
            for b in &d[i + 1..] {
                assert_ne!(a.label(), b.label());
                assert_ne!(
                    challenge(*a, &[b"m"], &mut ops),
                    challenge(*b, &[b"m"], &mut ops)
                );
            }
        }
    }
}
