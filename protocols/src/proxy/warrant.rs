//! The warrant m_w of a delegation: who delegates to whom, for how long and
//! for what (docs/protocols/proxy-multiparty.md, "Warrant").
//!
//! Fixed layout, 116 octets, all integers big-endian:
//!
//! ```text
//! version:u8 (=1) ‖ delegator:u64 ‖ delegator_pk:33 ‖ proxy:u64 ‖ proxy_pk:33
//! ‖ not_before_ms:u64 ‖ not_after_ms:u64 ‖ purpose:u8 ‖ first:u64 ‖ last:u64
//! ```
//!
//! Naming the proxy and its key makes this a designated-proxy warrant (no one
//! else can derive the proxy key from it); the public keys make the warrant
//! self-contained for a verifier that knows only the delegator's key. The
//! scope is a purpose and an inclusive range of device identifiers the proxy
//! may sign about.

use crate::wire::{Reader, WireError};

use super::schnorr::POINT_LEN;

pub const VERSION: u8 = 1;
/// Octets of an encoded warrant.
pub const WARRANT_LEN: usize = 1 + 8 + POINT_LEN + 8 + POINT_LEN + 8 + 8 + 1 + 8 + 8;

/// What the proxy may sign.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[repr(u8)]
pub enum Purpose {
    /// Vouch for devices' credentials on the delegator's behalf (CN ↔ MTC server).
    DeviceCredential = 1,
    /// Answer devices' access challenges on the delegator's behalf (CN → MTCAP).
    AccessPoint = 2,
}

impl Purpose {
    fn from_u8(v: u8) -> Option<Self> {
        match v {
            1 => Some(Purpose::DeviceCredential),
            2 => Some(Purpose::AccessPoint),
            _ => None,
        }
    }
}

/// A warrant's content.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Warrant {
    pub delegator: u64,
    pub delegator_pk: [u8; POINT_LEN],
    pub proxy: u64,
    pub proxy_pk: [u8; POINT_LEN],
    /// Validity, inclusive, in milliseconds of the (simulated) clock.
    pub not_before_ms: u64,
    pub not_after_ms: u64,
    pub purpose: Purpose,
    /// Device identifiers covered, inclusive.
    pub first: u64,
    pub last: u64,
}

impl Warrant {
    pub fn encode(&self) -> [u8; WARRANT_LEN] {
        let mut out = Vec::with_capacity(WARRANT_LEN);
        out.push(VERSION);
        out.extend_from_slice(&self.delegator.to_be_bytes());
        out.extend_from_slice(&self.delegator_pk);
        out.extend_from_slice(&self.proxy.to_be_bytes());
        out.extend_from_slice(&self.proxy_pk);
        out.extend_from_slice(&self.not_before_ms.to_be_bytes());
        out.extend_from_slice(&self.not_after_ms.to_be_bytes());
        out.push(self.purpose as u8);
        out.extend_from_slice(&self.first.to_be_bytes());
        out.extend_from_slice(&self.last.to_be_bytes());
        out.try_into().expect("WARRANT_LEN octets")
    }

    /// Decodes exactly [`WARRANT_LEN`] octets; `base` is their offset in the
    /// PDU, so errors name the PDU offset. Points are checked later, by the
    /// verifier (an undecodable key fails verification).
    pub fn decode(b: &[u8], base: usize) -> Result<Self, WireError> {
        let mut r = Reader::with_base(b, base);
        if r.u8("warrant version")? != VERSION {
            return Err(WireError::new(base, "warrant version", "not version 1"));
        }
        let u64 = |r: &mut Reader<'_>, what| r.array::<8>(what).map(u64::from_be_bytes);
        let delegator = u64(&mut r, "warrant delegator")?;
        let delegator_pk = r.array::<POINT_LEN>("warrant delegator key")?;
        let proxy = u64(&mut r, "warrant proxy")?;
        let proxy_pk = r.array::<POINT_LEN>("warrant proxy key")?;
        let not_before_ms = u64(&mut r, "warrant not-before")?;
        let not_after_ms = u64(&mut r, "warrant not-after")?;
        let at = r.offset();
        let purpose = Purpose::from_u8(r.u8("warrant purpose")?).ok_or(WireError::new(
            at,
            "warrant purpose",
            "unknown purpose",
        ))?;
        let first = u64(&mut r, "warrant first device")?;
        let last = u64(&mut r, "warrant last device")?;
        r.finish("warrant")?;
        Ok(Self {
            delegator,
            delegator_pk,
            proxy,
            proxy_pk,
            not_before_ms,
            not_after_ms,
            purpose,
            first,
            last,
        })
    }

    /// Whether `now_ms` lies in the validity period.
    pub fn valid_at(&self, now_ms: u64) -> bool {
        (self.not_before_ms..=self.not_after_ms).contains(&now_ms)
    }

    /// Whether device `id` is in scope.
    pub fn covers(&self, id: u64) -> bool {
        (self.first..=self.last).contains(&id)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    pub(crate) fn sample() -> Warrant {
        Warrant {
            delegator: 1,
            delegator_pk: [2; POINT_LEN],
            proxy: 3,
            proxy_pk: [3; POINT_LEN],
            not_before_ms: 0,
            not_after_ms: 60_000,
            purpose: Purpose::DeviceCredential,
            first: 100,
            last: 199,
        }
    }

    #[test]
    fn layout_round_trip_and_errors() {
        let w = sample();
        let b = w.encode();
        assert_eq!(b.len(), 116);
        assert_eq!(Warrant::decode(&b, 0), Ok(w));
        for cut in 0..b.len() {
            assert!(Warrant::decode(&b[..cut], 0).is_err());
        }
        let mut bad = b;
        bad[0] = 2;
        assert_eq!(Warrant::decode(&bad, 10).unwrap_err().offset, 10);
        bad = b;
        bad[99] = 9;
        assert_eq!(Warrant::decode(&bad, 0).unwrap_err().offset, 99);
        assert!(w.valid_at(60_000) && !w.valid_at(60_001));
        assert!(w.covers(100) && w.covers(199) && !w.covers(200) && !w.covers(99));
    }
}
