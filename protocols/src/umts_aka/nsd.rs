//! The network side of the MS's send sequence number N(SD) (TS 24.007
//! §11.2.3.2.3): duplicate and out-of-sequence detection on the MM messages
//! of one MS. N(SD) is outside any protection before ciphering, so without
//! this check an attacker could change it and the VLR would still act on the
//! altered message (found by the `endpoints_umts_aka` fuzz target).
//!
//! The rule, written up in docs/protocols/umts-aka.md: the initial message of
//! an RR connection (the LOCATION UPDATING REQUEST) carries N(SD) 0
//! (§11.2.3.2.3.2.1, V(SD) is set to 0); each later message must carry the
//! N(SD) that follows the last one accepted, modulo 4 for an MS of revision
//! level R99 or later and modulo 2 before (§11.2.3.2.3.1.1); any other value
//! is a duplicate or out of sequence and is discarded (§11.2.3.2.3.3).
//!
//! The one widening: UTRAN's acknowledged-mode layer 2 loses no message
//! inside an RR connection, but the simulated links do. For every
//! AUTHENTICATION REQUEST the VLR sent since the last accepted message the MS
//! may have answered once with an answer that was lost, and after a lost
//! restart of location updating it counts again from 0; so after `n` requests
//! the next N(SD) is last + k or k (k = 1..=n). Right after the initial
//! message with one request (no retransmission, the usual case) that is
//! exactly one value, the spec's rule; the price of the widening is that a
//! copy of the last message is admitted when its N(SD) is among 1..=n.

/// Revision level "R99 or later" in bits 7-6 of classmark 1 (TS 24.008 §10.5.1.5).
const REVISION_R99: u8 = 2;

/// What the VLR keeps of one MS's send sequence numbers during a procedure.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Receiver {
    /// N(SD) of the last message accepted from the MS.
    last: u8,
    /// 4 for R99 or later, 2 before.
    modulus: u8,
}

impl Default for Receiver {
    /// The state after an initial message of an R99 or later MS.
    fn default() -> Self {
        Self {
            last: 0,
            modulus: 4,
        }
    }
}

impl Receiver {
    /// A new RR connection opened by an initial message with `nsd` from an MS
    /// with `classmark_1`; `None` if `nsd` is not 0.
    pub fn initial(nsd: u8, classmark_1: u8) -> Option<Self> {
        let revision = (classmark_1 >> 5) & 0x03;
        let modulus = if revision >= REVISION_R99 { 4 } else { 2 };
        (nsd == 0).then_some(Self { last: 0, modulus })
    }

    /// Whether a message with `nsd` is in sequence after `requests` (≥ 1)
    /// AUTHENTICATION REQUESTs sent since the last accepted message; if so it
    /// becomes the last accepted one.
    pub fn accept(&mut self, nsd: u8, requests: u32) -> bool {
        let m = self.modulus;
        let n = requests.clamp(1, u32::from(m)) as u8;
        let in_sequence = nsd < m && (1..=n).any(|k| nsd == (self.last + k) % m || nsd == k % m);
        if in_sequence {
            self.last = nsd;
        }
        in_sequence
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::wire::mm::TYPICAL_CLASSMARK_1;

    /// Classmark 1 with revision level phase 2 (01).
    const PHASE_2: u8 = 0x33;

    #[test]
    fn an_initial_message_carries_zero() {
        let r = Receiver::initial(0, TYPICAL_CLASSMARK_1).unwrap();
        assert_eq!(r.modulus, 4);
        assert_eq!(Receiver::initial(0, PHASE_2).unwrap().modulus, 2);
        for nsd in 1..4 {
            assert_eq!(Receiver::initial(nsd, TYPICAL_CLASSMARK_1), None);
        }
    }

    #[test]
    fn one_request_admits_exactly_the_next_number() {
        for nsd in 0..4 {
            let mut r = Receiver::initial(0, TYPICAL_CLASSMARK_1).unwrap();
            assert_eq!(r.accept(nsd, 1), nsd == 1, "N(SD) {nsd}");
        }
        // In sequence the numbers run on modulo 4; a duplicate of the last is
        // discarded unless a lost restart could explain it (below).
        let mut r = Receiver::initial(0, TYPICAL_CLASSMARK_1).unwrap();
        for nsd in [1, 2, 3, 0, 1, 2] {
            assert!(r.accept(nsd, 1), "N(SD) {nsd}");
            if nsd != 1 {
                assert!(!r.accept(nsd, 1), "a duplicate of {nsd}");
            }
        }
    }

    #[test]
    fn before_r99_the_numbers_are_modulo_2() {
        let mut r = Receiver::initial(0, PHASE_2).unwrap();
        assert!(!r.accept(3, 1));
        assert!(!r.accept(2, 1));
        assert!(r.accept(1, 1));
        assert!(r.accept(0, 1));
        assert!(!r.accept(0, 1));
    }

    #[test]
    fn retransmitted_requests_admit_the_answers_the_ms_may_have_sent() {
        // First answer (1) lost, the repeated request answered with 2.
        let mut r = Receiver::initial(0, TYPICAL_CLASSMARK_1).unwrap();
        assert!(!r.accept(3, 2));
        assert!(r.accept(2, 2));
        // After a synch failure with 1: the MS restarted location updating
        // unseen (0 lost) and answers the repeated request with 1.
        let mut r = Receiver::initial(0, TYPICAL_CLASSMARK_1).unwrap();
        assert!(r.accept(1, 1));
        assert!(!r.accept(0, 1));
        assert!(r.accept(1, 1));
    }
}
