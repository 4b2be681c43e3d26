//! Sequence number management after TS 33.102 Annex C: the IND-array scheme
//! of C.1 (generation) and C.2 (verification), with the wrap-around guard Δ
//! and without the optional age limit L.
//!
//! SQN (48 bits) = SEQ (43 bits) ‖ IND (5 bits). The HE keeps one counter
//! SEQ_HE, increments it for every vector and hands out IND values
//! cyclically. The USIM keeps SEQ_MS[i] for each of the 32 IND values and
//! accepts SQN = SEQ ‖ IND iff SEQ > SEQ_MS[IND] and SEQ − SEQ_MS,max ≤ Δ
//! (Δ = 2^28). Vectors handed out to different serving nodes therefore stay
//! usable when they are consumed out of order, as long as their IND differ.
//! SEQ wrap-around (2^43 vectors) is not handled: a real HE would rekey first.

/// Bits of IND in SQN.
pub const IND_BITS: u32 = 5;
/// Number of IND values, i.e. entries of the USIM's SEQ array.
pub const IND_COUNT: usize = 1 << IND_BITS;
/// Largest allowed jump of SEQ over the highest accepted SEQ (TS 33.102 C.2).
pub const DELTA: u64 = 1 << 28;
/// SEQ is 43 bits wide.
pub const SEQ_MAX: u64 = (1 << (48 - IND_BITS)) - 1;

/// Splits a 48-bit SQN into (SEQ, IND).
pub fn split(sqn: &[u8; 6]) -> (u64, usize) {
    let v = u48(sqn);
    (v >> IND_BITS, (v & (IND_COUNT as u64 - 1)) as usize)
}

/// Joins SEQ and IND into a 48-bit SQN (SEQ is truncated to 43 bits).
pub fn join(seq: u64, ind: usize) -> [u8; 6] {
    to_u48(((seq & SEQ_MAX) << IND_BITS) | (ind as u64 & (IND_COUNT as u64 - 1)))
}

fn u48(b: &[u8; 6]) -> u64 {
    let mut v = [0u8; 8];
    v[2..].copy_from_slice(b);
    u64::from_be_bytes(v)
}

fn to_u48(v: u64) -> [u8; 6] {
    let b = v.to_be_bytes();
    [b[2], b[3], b[4], b[5], b[6], b[7]]
}

/// Slots of the SEQ_MS array kept inline before it spills to the heap.
const INLINE_SLOTS: usize = 4;

/// The USIM's SEQ_MS array, stored sparsely because one `SqnState` lives in
/// every simulated device and a device typically uses one or two IND values.
/// Up to [`INLINE_SLOTS`] used slots are kept inline, each as the accepted
/// SQN itself (SEQ ‖ IND, zero when unused: an accepted SEQ is never 0); a
/// fifth IND moves the whole array to the heap. 32 bytes instead of 192; the
/// semantics are those of the full 32-entry array.
#[derive(Clone, Default)]
pub struct SqnState {
    inline: [[u8; 6]; INLINE_SLOTS],
    full: Option<Box<[u64; IND_COUNT]>>,
}

impl PartialEq for SqnState {
    fn eq(&self, other: &Self) -> bool {
        (0..IND_COUNT).all(|i| self.seq_ms(i) == other.seq_ms(i))
    }
}

impl Eq for SqnState {}

impl std::fmt::Debug for SqnState {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let (seq, ind) = split(&self.sqn_ms());
        write!(f, "SqnState {{ max SEQ {seq} at IND {ind} }}")
    }
}

impl SqnState {
    /// SEQ_MS[ind].
    pub fn seq_ms(&self, ind: usize) -> u64 {
        let ind = ind % IND_COUNT;
        if let Some(full) = &self.full {
            return full[ind];
        }
        self.inline
            .iter()
            .map(split)
            .find(|&(seq, i)| seq != 0 && i == ind)
            .map_or(0, |(seq, _)| seq)
    }

    /// (SEQ_MS,max, the IND holding it); the lowest IND wins ties (IND 0
    /// when nothing was accepted yet).
    fn max(&self) -> (u64, usize) {
        let better = |best: (u64, usize), (seq, ind): (u64, usize)| {
            if seq > best.0 || (seq == best.0 && seq != 0 && ind < best.1) {
                (seq, ind)
            } else {
                best
            }
        };
        match &self.full {
            Some(full) => full
                .iter()
                .enumerate()
                .fold((0, 0), |best, (ind, &seq)| better(best, (seq, ind))),
            None => self.inline.iter().map(split).fold((0, 0), better),
        }
    }

    /// Whether `sqn` would be accepted (TS 33.102 C.2, array scheme with Δ).
    pub fn is_fresh(&self, sqn: &[u8; 6]) -> bool {
        let (seq, ind) = split(sqn);
        seq > self.seq_ms(ind) && seq - self.max().0.min(seq) <= DELTA
    }

    /// Accepts `sqn` if fresh, recording SEQ in its IND slot.
    pub fn accept(&mut self, sqn: &[u8; 6]) -> bool {
        if !self.is_fresh(sqn) {
            return false;
        }
        let (seq, ind) = split(sqn);
        self.set(seq, ind);
        true
    }

    /// SEQ_MS[ind] = seq (seq > 0).
    fn set(&mut self, seq: u64, ind: usize) {
        if let Some(full) = &mut self.full {
            full[ind] = seq;
            return;
        }
        let slot = self
            .inline
            .iter()
            .position(|s| {
                let (q, i) = split(s);
                q != 0 && i == ind
            })
            .or_else(|| self.inline.iter().position(|s| split(s).0 == 0));
        match slot {
            Some(i) => self.inline[i] = join(seq, ind),
            None => {
                let mut full = Box::new([0u64; IND_COUNT]);
                for s in &self.inline {
                    let (seq, i) = split(s);
                    full[i] = seq;
                }
                full[ind] = seq;
                self.inline = [[0; 6]; INLINE_SLOTS];
                self.full = Some(full);
            }
        }
    }

    /// SQN_MS for AUTS: the highest previously accepted SEQ with its IND, so
    /// that the HE can restart above every slot (TS 33.102 §6.3.3, §6.3.5).
    pub fn sqn_ms(&self) -> [u8; 6] {
        let (seq, ind) = self.max();
        join(seq, ind)
    }
}

/// The HE/AuC counter SEQ_HE and the next IND to hand out.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct HeSqn {
    seq_he: u64,
    next_ind: u8,
}

impl HeSqn {
    /// Starts at a given SEQ_HE (0 for a fresh subscription).
    pub fn new(seq_he: u64) -> Self {
        Self {
            seq_he: seq_he & SEQ_MAX,
            next_ind: 0,
        }
    }

    /// The last SEQ handed out.
    pub fn seq_he(&self) -> u64 {
        self.seq_he
    }

    /// The SQN of the next vector: SEQ_HE + 1 with the next IND in turn.
    // Not an `Iterator`: the sequence never ends and callers want the SQN itself.
    #[allow(clippy::should_implement_trait)]
    pub fn next(&mut self) -> [u8; 6] {
        self.seq_he = (self.seq_he + 1) & SEQ_MAX;
        let ind = self.next_ind as usize;
        self.next_ind = ((ind + 1) % IND_COUNT) as u8;
        join(self.seq_he, ind)
    }

    /// After a verified AUTS carrying SQN_MS: keep SEQ_HE if the next SQN
    /// would already be accepted (SEQ_HE ≥ SEQ_MS and within Δ), otherwise
    /// set SEQ_HE = SEQ_MS so that the next SEQ is SEQ_MS + 1 (TS 33.102 §6.3.5).
    pub fn resync(&mut self, sqn_ms: &[u8; 6]) {
        let (seq_ms, _) = split(sqn_ms);
        if self.seq_he < seq_ms || self.seq_he + 1 - seq_ms > DELTA {
            self.seq_he = seq_ms;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn split_join_roundtrip() {
        let sqn = [0xff, 0x9b, 0xb4, 0xd0, 0xb6, 0x07];
        let (seq, ind) = split(&sqn);
        assert_eq!(ind, 0x07);
        assert_eq!(join(seq, ind), sqn);
        assert_eq!(split(&join(SEQ_MAX, 31)), (SEQ_MAX, 31));
    }

    #[test]
    fn he_allocates_ind_cyclically_with_increasing_seq() {
        let mut he = HeSqn::default();
        for i in 0..70u64 {
            let (seq, ind) = split(&he.next());
            assert_eq!(seq, i + 1);
            assert_eq!(ind as u64, i % 32);
        }
    }

    #[test]
    fn array_scheme_accepts_out_of_order_across_slots() {
        let mut he = HeSqn::default();
        let sqns: Vec<_> = (0..4).map(|_| he.next()).collect();
        let mut ms = SqnState::default();
        for &i in &[2usize, 0, 3, 1] {
            assert!(ms.accept(&sqns[i]), "sqn {i}");
        }
        assert!(!ms.accept(&sqns[1]), "replay");
        assert_eq!(split(&ms.sqn_ms()), (4, 3));
    }

    /// The sparse store behaves exactly like the plain 32-entry array of
    /// TS 33.102 C.2, before and after it spills to the heap.
    #[test]
    fn sparse_store_matches_the_full_array() {
        let mut reference = [0u64; IND_COUNT];
        let mut ms = SqnState::default();
        let mut x = 0x2545_f491_4f6c_dd1du64;
        for step in 0..5000 {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            let ind = (x % IND_COUNT as u64) as usize;
            // Mostly increasing SEQs, sometimes stale or beyond Δ.
            let base = reference.iter().max().copied().unwrap_or(0);
            let seq = match (x >> 8) % 8 {
                0 => (x >> 16) % (base + 1),
                1 => base + DELTA + 1,
                _ => base + 1 + (x >> 16) % 3,
            };
            let sqn = join(seq, ind);
            let fresh = seq > reference[ind]
                && seq - reference.iter().max().copied().unwrap().min(seq) <= DELTA;
            assert_eq!(ms.accept(&sqn), fresh, "step {step}");
            if fresh {
                reference[ind] = seq;
            }
            for (i, &r) in reference.iter().enumerate() {
                assert_eq!(ms.seq_ms(i), r, "step {step}, IND {i}");
            }
            let max = reference.iter().copied().max().unwrap();
            let at = reference.iter().position(|&r| r == max).unwrap();
            assert_eq!(split(&ms.sqn_ms()), (max, at), "step {step}");
        }
        assert!(ms.full.is_some(), "the test reached the spilled store");
    }

    #[test]
    fn same_slot_requires_increase_and_delta_bounds_jumps() {
        let mut ms = SqnState::default();
        assert!(ms.accept(&join(100, 5)));
        assert!(!ms.is_fresh(&join(100, 5)));
        assert!(!ms.is_fresh(&join(99, 5)));
        assert!(ms.is_fresh(&join(99, 6)));
        assert!(ms.is_fresh(&join(100 + DELTA, 7)));
        assert!(!ms.is_fresh(&join(101 + DELTA, 7)));
    }

    #[test]
    fn resync_moves_he_only_when_needed() {
        let mut he = HeSqn::new(50);
        he.resync(&join(40, 3));
        assert_eq!(he.seq_he(), 50, "HE ahead within Δ keeps its counter");
        he.resync(&join(60, 3));
        assert_eq!(he.seq_he(), 60, "HE behind jumps to SEQ_MS");
        let mut far = HeSqn::new(10 + DELTA);
        far.resync(&join(10, 0));
        assert_eq!(far.seq_he(), 10, "HE beyond Δ falls back to SEQ_MS");
    }

    /// While the store is inline, a new SEQ for an IND replaces that IND's
    /// slot (no second slot for it, no other IND's slot overwritten).
    #[test]
    fn inline_store_updates_each_ind_in_its_own_slot() {
        let mut ms = SqnState::default();
        for (seq, ind) in [(1, 1), (2, 2), (3, 3), (4, 4), (5, 1), (6, 2), (7, 1)] {
            assert!(ms.accept(&join(seq, ind)), "SEQ {seq} at IND {ind}");
        }
        assert!(ms.full.is_none(), "four INDs fit the inline slots");
        let got: Vec<u64> = (1..=4).map(|i| ms.seq_ms(i)).collect();
        assert_eq!(got, [7, 6, 3, 4]);
        assert!(
            !ms.is_fresh(&join(6, 1)),
            "a SEQ below IND 1's newest is a replay"
        );
        assert!(!ms.is_fresh(&join(2, 2)), "IND 2 kept its own newest SEQ");
    }

    /// Equal SEQs at two INDs: SQN_MS names the lower IND, whichever slot
    /// came first, inline and after the spill.
    #[test]
    fn sqn_ms_breaks_ties_by_the_lowest_ind() {
        for order in [[1usize, 2], [2, 1]] {
            let mut ms = SqnState::default();
            for ind in order {
                assert!(ms.accept(&join(5, ind)));
            }
            assert_eq!(split(&ms.sqn_ms()), (5, 1), "inline, order {order:?}");
            for ind in 10..14 {
                assert!(ms.accept(&join(3, ind)));
            }
            assert!(ms.full.is_some());
            assert_eq!(split(&ms.sqn_ms()), (5, 1), "spilled, order {order:?}");
        }
    }

    #[test]
    fn states_compare_by_their_seqs_and_print_the_maximum() {
        let mut ms = SqnState::default();
        assert!(ms.accept(&join(9, 4)));
        assert_ne!(ms, SqnState::default());
        let mut same = SqnState::default();
        assert!(same.accept(&join(9, 4)));
        assert_eq!(ms, same);
        assert_eq!(format!("{ms:?}"), "SqnState { max SEQ 9 at IND 4 }");
    }

    /// Resynchronisation compares SEQ_HE + 1 − SEQ_MS with Δ, not a sum, and
    /// keeps SEQ_HE when the next SEQ lands exactly Δ above SEQ_MS.
    #[test]
    fn resync_keeps_he_within_delta_at_large_counters_and_at_the_boundary() {
        let mut he = HeSqn::new(DELTA + 100);
        he.resync(&join(DELTA + 95, 0));
        assert_eq!(he.seq_he(), DELTA + 100);
        let mut edge = HeSqn::new(DELTA + 9);
        edge.resync(&join(10, 0));
        assert_eq!(
            edge.seq_he(),
            DELTA + 9,
            "SEQ_HE + 1 − SEQ_MS = Δ is accepted"
        );
        let mut beyond = HeSqn::new(DELTA + 10);
        beyond.resync(&join(10, 0));
        assert_eq!(beyond.seq_he(), 10);
    }

    #[test]
    fn state_is_small() {
        assert_eq!(std::mem::size_of::<SqnState>(), 32);
    }
}
