//! The contention-based random access procedure of a cell (TS 36.321 §5.1)
//! as 3GPP TR 37.868 §6.2 evaluates it for MTC, sans-IO
//! (docs/protocols/overload.md, "Random access").
//!
//! Why a cell-wide model rather than a per-device MAC: a storm has 10^5 to
//! 10^6 devices, and what decides their fate is how many of them pick the
//! same preamble in the same PRACH opportunity. So the eNB keeps the
//! contending devices bucketed by the opportunity they transmit in and
//! handles one opportunity per event: every device of it draws its preamble,
//! collisions are counted, the survivors draw detection, RAR grants,
//! Msg3/Msg4 HARQ; each device then either completes at a known time or
//! backs off to a later opportunity. The devices' draws are made with the
//! caller's RNG (the eNB's seeded stream), so a run is reproducible.
//!
//! The procedure per preamble transmission `i` (1-based) at opportunity time
//! `T` (all times in subframes of 1 ms, FDD):
//! - the preamble takes one subframe; a preamble chosen by two or more
//!   devices in the same opportunity fails for all of them (TR 37.868's
//!   assumption); a lone one is detected with probability 1 − e^(−i);
//! - the RAR window opens 3 subframes after the preamble ends (TS 36.321
//!   §5.1.4) and lasts `rar_window`; each RAR subframe carries at most
//!   `grants_per_rar` UL grants, given in the order the preambles were
//!   detected; a device without a RAR when the window ends has failed;
//! - Msg3 goes 6 subframes after its RAR (TS 36.213 §6.1.1, k1 ≥ 6), with
//!   non-adaptive HARQ: each transmission fails with `harq_error`,
//!   retransmissions are 8 subframes apart (the FDD HARQ round trip), at most
//!   `max_harq_tx` transmissions;
//! - the contention resolution timer (`contention_resolution`) restarts with
//!   each Msg3 transmission (TS 36.321 §5.1.5); Msg4 follows 4 subframes
//!   after the Msg3 received (eNB processing), with the same HARQ rule; the
//!   procedure completes when a Msg4 arrives before the timer expires,
//!   else it fails when the timer expires;
//! - after a failed transmission the device backs off uniformly in
//!   [0, `backoff_indicator`] (TS 36.321 §5.1.4) and transmits at the first
//!   opportunity after that; after `max_preamble_tx` failed transmissions
//!   the random access has failed (TS 36.321: random access problem).

use std::collections::BTreeMap;
use std::sync::{Arc, Mutex};

use rand::RngExt;

use crate::core::{Nanos, SimRng, time::MILLISECOND};

/// One subframe (LTE FDD).
pub const SUBFRAME: Nanos = MILLISECOND;
/// The preamble's own duration (preamble format 0).
const PREAMBLE: Nanos = SUBFRAME;
/// From the end of the preamble to the first subframe of the RAR window.
const RAR_OFFSET: Nanos = 3 * SUBFRAME;
/// From the RAR to the first Msg3 transmission.
const MSG3_DELAY: Nanos = 6 * SUBFRAME;
/// From a Msg3 received to the first Msg4 transmission.
const MSG4_DELAY: Nanos = 4 * SUBFRAME;
/// The FDD HARQ round trip between two transmissions of one message.
const HARQ_RTT: Nanos = 8 * SUBFRAME;

/// The random access parameters; [`Default`] is TR 37.868 §6.2.2.1.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct RachConfig {
    /// Contention-based preambles a device picks from.
    pub preambles: u16,
    /// One PRACH opportunity per this period (prach-ConfigIndex 6: 5 ms).
    pub opportunity_period: Nanos,
    /// Backoff indicator: the back-off is uniform in [0, this].
    pub backoff_indicator: Nanos,
    /// preambleTransMax.
    pub max_preamble_tx: u8,
    /// ra-ResponseWindowSize.
    pub rar_window: Nanos,
    /// UL grants one RAR subframe carries.
    pub grants_per_rar: u16,
    /// Probability that one Msg3 or Msg4 transmission fails.
    pub harq_error: f64,
    /// maxHARQ-Msg3Tx, and the same bound for Msg4.
    pub max_harq_tx: u8,
    /// mac-ContentionResolutionTimer.
    pub contention_resolution: Nanos,
}

impl Default for RachConfig {
    fn default() -> Self {
        Self {
            preambles: 54,
            opportunity_period: 5 * MILLISECOND,
            backoff_indicator: 20 * MILLISECOND,
            max_preamble_tx: 10,
            rar_window: 5 * MILLISECOND,
            grants_per_rar: 3,
            harq_error: 0.1,
            max_harq_tx: 5,
            contention_resolution: 48 * MILLISECOND,
        }
    }
}

/// What the random access of one device came to.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Access {
    /// Contention resolved after `preamble_tx` transmissions, `delay` after
    /// the first preamble.
    Done { preamble_tx: u8, delay: Nanos },
    /// `max_preamble_tx` transmissions failed.
    Failed,
}

/// A device's random access that ended (at the time it was handed back).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Finished<T> {
    pub who: T,
    pub access: Access,
}

/// Why one preamble transmission failed.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Failure {
    Collision,
    NotDetected,
    NoGrant,
    Msg3,
    Msg4,
}

/// The cell's counts, as TR 37.868 §6.2.1 defines its metrics.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct RachStats {
    /// PRACH opportunities from the first (at 0) to the last one a preamble
    /// was sent in, inclusive.
    pub opportunities: u64,
    /// Preambles per opportunity (to count random access opportunities).
    pub preambles: u16,
    /// Preamble transmissions.
    pub preamble_tx: u64,
    /// Random access opportunities (one preamble in one opportunity) that
    /// two or more devices chose.
    pub collided_raos: u64,
    /// Failed preamble transmissions by cause: collision, not detected, no
    /// UL grant in the RAR window, Msg3 HARQ, Msg4 HARQ.
    pub failed_tx: [u64; 5],
    pub successes: u64,
    /// Devices whose `max_preamble_tx` transmissions all failed.
    pub failures: u64,
    /// Successful accesses by preamble transmissions (index 0: one).
    pub tx_histogram: Vec<u64>,
    /// Successful accesses by access delay in whole milliseconds.
    pub delay_histogram_ms: Vec<u64>,
    /// Sum of the access delays (for the mean).
    pub delay_sum: u128,
}

impl RachStats {
    /// TR 37.868 §6.2.1: occurrences of two or more devices on the same
    /// preamble over all random access opportunities of the period.
    pub fn collision_probability(&self) -> f64 {
        let raos = self.opportunities * u64::from(self.preambles);
        ratio(self.collided_raos, raos)
    }
    /// TR 37.868 §6.2.1: accesses completed within `max_preamble_tx` over
    /// all that ended.
    pub fn access_success_probability(&self) -> f64 {
        ratio(self.successes, self.successes + self.failures)
    }
    /// Mean preamble transmissions of the successful accesses.
    pub fn mean_preamble_tx(&self) -> f64 {
        let sum: u64 = self
            .tx_histogram
            .iter()
            .enumerate()
            .map(|(i, n)| (i as u64 + 1) * n)
            .sum();
        ratio(sum, self.successes)
    }
    /// Mean access delay of the successful accesses, in seconds.
    pub fn mean_delay_s(&self) -> f64 {
        if self.successes == 0 {
            return 0.0;
        }
        self.delay_sum as f64 / self.successes as f64 / 1e9
    }
    /// The smallest delay bin (ms) at or below which a share `q` of the
    /// successful accesses lies (nearest rank), if any succeeded.
    pub fn delay_quantile_ms(&self, q: f64) -> Option<u64> {
        let rank = ((q * self.successes as f64).ceil() as u64).max(1);
        let mut seen = 0;
        for (ms, n) in self.delay_histogram_ms.iter().enumerate() {
            seen += n;
            if seen >= rank {
                return Some(ms as u64);
            }
        }
        None
    }
    fn fail(&mut self, why: Failure) {
        self.failed_tx[why as usize] += 1;
    }
    fn success(&mut self, preamble_tx: u8, delay: Nanos) {
        self.successes += 1;
        bump(&mut self.tx_histogram, usize::from(preamble_tx) - 1);
        bump(&mut self.delay_histogram_ms, (delay / MILLISECOND) as usize);
        self.delay_sum += u128::from(delay);
    }
}

fn ratio(a: u64, b: u64) -> f64 {
    if b == 0 { 0.0 } else { a as f64 / b as f64 }
}

fn bump(h: &mut Vec<u64>, i: usize) {
    if h.len() <= i {
        h.resize(i + 1, 0);
    }
    h[i] += 1;
}

/// The counts as the run's outputs read them while the eNB keeps adding.
pub type SharedRachStats = Arc<Mutex<RachStats>>;

/// One device in random access.
#[derive(Clone, Debug)]
struct Contender<T> {
    who: T,
    /// The time of its first preamble.
    first_tx: Nanos,
    /// Preambles sent so far.
    tx: u8,
}

/// The cell's random access channel.
#[derive(Debug)]
pub struct Rach<T> {
    cfg: RachConfig,
    /// Devices by the opportunity (its index) they transmit in next.
    slots: BTreeMap<u64, Vec<Contender<T>>>,
    /// Accesses that end, by the time they end.
    ending: BTreeMap<Nanos, Vec<Finished<T>>>,
    stats: SharedRachStats,
    /// Per preamble, the devices of the current opportunity that chose it.
    chosen: Vec<u32>,
}

impl<T> Rach<T> {
    pub fn new(cfg: RachConfig, stats: SharedRachStats) -> Self {
        stats.lock().unwrap_or_else(|p| p.into_inner()).preambles = cfg.preambles;
        Self {
            cfg,
            slots: BTreeMap::new(),
            ending: BTreeMap::new(),
            stats,
            chosen: vec![0; usize::from(cfg.preambles)],
        }
    }

    pub fn config(&self) -> &RachConfig {
        &self.cfg
    }

    /// The counts so far.
    pub fn stats(&self) -> RachStats {
        self.stats.lock().unwrap_or_else(|p| p.into_inner()).clone()
    }

    /// Devices in random access now.
    pub fn contending(&self) -> usize {
        self.slots.values().map(Vec::len).sum::<usize>()
            + self.ending.values().map(Vec::len).sum::<usize>()
    }

    /// The first opportunity at or after `t`, after `after` if given.
    fn slot_at(&self, t: Nanos, after: Option<u64>) -> u64 {
        let k = t.div_ceil(self.cfg.opportunity_period);
        after.map_or(k, |a| k.max(a + 1))
    }

    /// A device starts random access at `now`: its first preamble goes in
    /// the next opportunity.
    pub fn arrive(&mut self, now: Nanos, who: T) {
        let k = self.slot_at(now, None);
        self.slots.entry(k).or_default().push(Contender {
            who,
            first_tx: 0,
            tx: 0,
        });
    }

    /// When the model next has something to do (arm one timer for it).
    pub fn next_wake(&self) -> Option<Nanos> {
        let slot = self
            .slots
            .keys()
            .next()
            .map(|k| k * self.cfg.opportunity_period);
        let end = self.ending.keys().next().copied();
        match (slot, end) {
            (Some(a), Some(b)) => Some(a.min(b)),
            (a, b) => a.or(b),
        }
    }

    /// Runs every opportunity due at `now` and hands back the accesses that
    /// ended by `now`, in the order they ended.
    pub fn on_wake(&mut self, now: Nanos, rng: &mut SimRng) -> Vec<Finished<T>> {
        while let Some(entry) = self.slots.first_entry() {
            if entry.key() * self.cfg.opportunity_period > now {
                break;
            }
            let (k, devices) = entry.remove_entry();
            self.opportunity(k, devices, rng);
        }
        let mut out = Vec::new();
        while let Some(entry) = self.ending.first_entry() {
            if *entry.key() > now {
                break;
            }
            out.extend(entry.remove());
        }
        out
    }

    /// One PRACH opportunity `k` with the devices that transmit in it.
    fn opportunity(&mut self, k: u64, mut devices: Vec<Contender<T>>, rng: &mut SimRng) {
        let t = k * self.cfg.opportunity_period;
        let stats = self.stats.clone();
        let mut stats = stats.lock().unwrap_or_else(|p| p.into_inner());
        stats.opportunities = stats.opportunities.max(k + 1);
        stats.preamble_tx += devices.len() as u64;
        let preambles: Vec<u16> = devices
            .iter()
            .map(|_| rng.random_range(0..self.cfg.preambles))
            .collect();
        self.chosen.fill(0);
        for &p in &preambles {
            self.chosen[usize::from(p)] += 1;
        }
        stats.collided_raos += self.chosen.iter().filter(|&&n| n >= 2).count() as u64;
        let window_start = t + PREAMBLE + RAR_OFFSET;
        let window_end = window_start + self.cfg.rar_window;
        let grants = u64::from(self.cfg.grants_per_rar) * self.cfg.rar_window.div_ceil(SUBFRAME);
        let mut granted = 0u64;
        for (mut d, p) in devices.drain(..).zip(preambles) {
            if d.tx == 0 {
                d.first_tx = t;
            }
            d.tx += 1;
            let outcome = if self.chosen[usize::from(p)] >= 2 {
                Err((Failure::Collision, window_end))
            } else if rng.random_range(0.0..1.0) >= 1.0 - (-f64::from(d.tx)).exp() {
                Err((Failure::NotDetected, window_end))
            } else if granted >= grants {
                Err((Failure::NoGrant, window_end))
            } else {
                let rar = window_start + granted / u64::from(self.cfg.grants_per_rar) * SUBFRAME;
                granted += 1;
                self.resolve(rar, rng)
            };
            match outcome {
                Ok(done) => {
                    let delay = done - d.first_tx;
                    stats.success(d.tx, delay);
                    let access = Access::Done {
                        preamble_tx: d.tx,
                        delay,
                    };
                    self.end(done, d.who, access);
                }
                Err((why, at)) => {
                    stats.fail(why);
                    if d.tx >= self.cfg.max_preamble_tx {
                        stats.failures += 1;
                        self.end(at, d.who, Access::Failed);
                    } else {
                        let back = rng.random_range(0..=self.cfg.backoff_indicator);
                        let next = self.slot_at(at + back, Some(k));
                        self.slots.entry(next).or_default().push(d);
                    }
                }
            }
        }
        self.chosen.fill(0);
    }

    /// Msg3 and Msg4 after a RAR at `rar`: when contention is resolved, or
    /// why and when it failed.
    fn resolve(&self, rar: Nanos, rng: &mut SimRng) -> Result<Nanos, (Failure, Nanos)> {
        let first_msg3 = rar + MSG3_DELAY;
        let Some(msg3) = self.harq(first_msg3, rng) else {
            let last = first_msg3 + u64::from(self.cfg.max_harq_tx - 1) * HARQ_RTT;
            return Err((Failure::Msg3, last + self.cfg.contention_resolution));
        };
        let expiry = msg3 + self.cfg.contention_resolution;
        match self.harq(msg3 + MSG4_DELAY, rng) {
            Some(msg4) if msg4 + SUBFRAME <= expiry => Ok(msg4 + SUBFRAME),
            _ => Err((Failure::Msg4, expiry)),
        }
    }

    /// Non-adaptive HARQ from `first`: the time of the transmission that
    /// got through, if one of `max_harq_tx` did.
    fn harq(&self, first: Nanos, rng: &mut SimRng) -> Option<Nanos> {
        (0..u64::from(self.cfg.max_harq_tx))
            .map(|j| first + j * HARQ_RTT)
            .find(|_| rng.random_range(0.0..1.0) >= self.cfg.harq_error)
    }

    fn end(&mut self, at: Nanos, who: T, access: Access) {
        self.ending
            .entry(at)
            .or_default()
            .push(Finished { who, access });
    }
}
