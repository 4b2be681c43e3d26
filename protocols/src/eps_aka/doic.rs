//! Diameter overload control (RFC 7683, DOIC) between MME and HSS, with the
//! loss abatement algorithm: the HSS (reporting node) detects its overload
//! and puts an Overload Report (OC-OLR) into its answers; the MME (reacting
//! node) keeps the report and does not send the reported share of its new
//! AIRs while the report is valid.
//!
//! Decisions RFC 7683 leaves open (docs/protocols/overload.md, "DOIC"):
//! - **Load signal.** As for the MME's NAS congestion control: the HSS's
//!   `Ctx::wait`, how long the AIR queued before the HSS served it. The HSS
//!   enters overload when an AIR waited longer than `enter_wait` and leaves it
//!   when one waited less than `exit_wait` (hysteresis, `exit_wait <
//!   enter_wait`), so that the first AIRs the throttled MME still sends do
//!   not end the overload at once.
//! - **Sequence numbers.** The reporting node gives a report a new, higher
//!   sequence number when its content changes and when half of its validity
//!   has passed: a reacting node keeps a report for its validity from the
//!   moment it was received and ignores reports whose sequence number is
//!   not higher than the one it holds (RFC 7683 §5.2.2), so a lasting
//!   overload must be re-announced with a newer number before the
//!   reacting node's copy expires.
//! - **End of overload.** An OC-OLR with OC-Validity-Duration 0 (RFC 7683
//!   §5.5.2: the overload condition ended); the HSS sends it for one
//!   validity period after the end, then nothing.
//! - **Which AIRs are throttled.** Only an AIR that would start a new
//!   authentication (an ATTACH REQUEST with no vectors in stock); an AIR for
//!   a resynchronisation and a retransmitted AIR (Diameter Tx) belong to a
//!   procedure already admitted. The share is exact, not random: a credit
//!   counter throttles `p` of every 100 requests (deterministic and without
//!   drawing from the MME's RNG, so the runs without DOIC keep their draws).

use crate::core::{Nanos, time::SECOND};
use crate::wire::diameter::{OLR_DEFAULT_ALGO, OcOlr, ReportType};

/// The HSS's overload detection and the report it sends.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct DoicReporting {
    /// An AIR that waited longer than this starts the overload.
    pub enter_wait: Nanos,
    /// An AIR that waited less than this ends it.
    pub exit_wait: Nanos,
    /// OC-Reduction-Percentage of the report (1..=100); with `adaptive`, the
    /// least it asks for.
    pub reduction_percentage: u32,
    /// Scale the reduction with the wait: `100 (1 − enter_wait / wait)`,
    /// in steps of 10 points, never below `reduction_percentage`.
    pub adaptive: bool,
    /// OC-Validity-Duration, whole seconds (1..=86400).
    pub validity_s: u32,
}

impl Default for DoicReporting {
    fn default() -> Self {
        Self {
            enter_wait: SECOND,
            exit_wait: SECOND / 10,
            reduction_percentage: 50,
            adaptive: false,
            validity_s: 30,
        }
    }
}

impl DoicReporting {
    /// The reduction to ask for when an AIR waited `wait` (overloaded).
    fn reduction(&self, wait: Nanos) -> u32 {
        if !self.adaptive || wait == 0 {
            return self.reduction_percentage;
        }
        // Proportional: the share of the offered AIRs beyond what keeps the
        // wait at enter_wait, rounded up to a step of 10 so that reports
        // change (and get new numbers) only on a real change of load.
        let excess = 1.0 - self.enter_wait as f64 / wait as f64;
        let p = ((excess * 10.0).ceil() * 10.0).clamp(0.0, 100.0) as u32;
        p.max(self.reduction_percentage)
    }
}

/// The reporting node's state: whether it is overloaded and the report in force.
#[derive(Clone, Debug)]
pub struct Reporter {
    cfg: DoicReporting,
    overloaded: bool,
    /// The current report's sequence number (0: none sent yet).
    sequence: u64,
    /// When the current report got its number.
    issued: Nanos,
    /// The reduction of the current report.
    percentage: u32,
}

impl Reporter {
    pub fn new(cfg: DoicReporting) -> Self {
        Self {
            cfg,
            overloaded: false,
            sequence: 0,
            issued: 0,
            percentage: 0,
        }
    }

    pub fn overloaded(&self) -> bool {
        self.overloaded
    }

    /// The report for an answer to a request served at `now` after waiting
    /// `wait`, or `None` (no overload, and none ended within a validity period).
    pub fn report(&mut self, now: Nanos, wait: Nanos) -> Option<OcOlr> {
        let validity = u64::from(self.cfg.validity_s) * SECOND;
        let changed = if !self.overloaded && wait > self.cfg.enter_wait {
            self.overloaded = true;
            true
        } else if self.overloaded && wait < self.cfg.exit_wait {
            self.overloaded = false;
            true
        } else {
            false
        };
        // While overloaded, a new wait above the entry threshold may change
        // the reduction (adaptive); between the thresholds it stays.
        let percentage = match (self.overloaded, wait > self.cfg.enter_wait) {
            (false, _) => 0,
            (true, true) => self.cfg.reduction(wait),
            (true, false) => self.percentage.max(self.cfg.reduction_percentage),
        };
        let refresh = self.overloaded && now.saturating_sub(self.issued) >= validity / 2;
        if changed || refresh || percentage != self.percentage {
            self.percentage = percentage;
            self.sequence += 1;
            self.issued = now;
        }
        if !self.overloaded && (self.sequence == 0 || now - self.issued >= validity) {
            return None;
        }
        Some(OcOlr {
            sequence_number: self.sequence,
            report_type: ReportType::Host,
            reduction_percentage: Some(self.percentage),
            validity_duration: Some(if self.overloaded {
                self.cfg.validity_s
            } else {
                0
            }),
        })
    }
}

/// The reacting node's copy of the HSS's report, and its throttle.
#[derive(Clone, Debug, Default)]
pub struct Reactor {
    /// Highest sequence number received (reports not above it are ignored).
    last_sequence: Option<u64>,
    /// (reduction percentage, expiry) of the report in force.
    active: Option<(u32, Nanos)>,
    /// Loss-algorithm credit: each request adds the percentage; at 100 one
    /// request is throttled.
    credit: u32,
}

/// What the MME did with a received report.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Received {
    /// Newer than the one held: now in force (or, validity 0, overload ended).
    Applied,
    /// Not newer than the one held: ignored (RFC 7683 §5.2.2).
    Stale,
}

impl Reactor {
    /// The OC-Feature-Vector the MME announces: the loss algorithm only.
    pub const FEATURES: u64 = OLR_DEFAULT_ALGO;

    /// Takes `olr`, received at `now`.
    pub fn receive(&mut self, olr: &OcOlr, now: Nanos) -> Received {
        if self.last_sequence.is_some_and(|s| olr.sequence_number <= s) {
            return Received::Stale;
        }
        self.last_sequence = Some(olr.sequence_number);
        let validity = olr.validity_s();
        self.active = (validity > 0 && olr.reduction() > 0)
            .then(|| (olr.reduction(), now + u64::from(validity) * SECOND));
        Received::Applied
    }

    /// The reduction in force at `now` (0 after the report expired).
    pub fn reduction(&mut self, now: Nanos) -> u32 {
        match self.active {
            Some((p, expires)) if now < expires => p,
            Some(_) => {
                self.active = None;
                0
            }
            None => 0,
        }
    }

    /// Whether a new AIR at `now` is throttled (not sent).
    pub fn throttle(&mut self, now: Nanos) -> bool {
        let p = self.reduction(now);
        if p == 0 {
            return false;
        }
        self.credit += p;
        if self.credit >= 100 {
            self.credit -= 100;
            true
        } else {
            false
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn olr(seq: u64, pct: u32, validity: u32) -> OcOlr {
        OcOlr {
            sequence_number: seq,
            report_type: ReportType::Host,
            reduction_percentage: Some(pct),
            validity_duration: Some(validity),
        }
    }

    #[test]
    fn a_report_throttles_its_share_exactly_until_it_expires() {
        let mut r = Reactor::default();
        assert_eq!(r.receive(&olr(1, 30, 10), 0), Received::Applied);
        let throttled = (0..1000).filter(|_| r.throttle(5 * SECOND)).count();
        assert_eq!(throttled, 300);
        // At the expiry (received at 0, valid 10 s) nothing more is throttled.
        assert!(!(0..100).any(|_| r.throttle(10 * SECOND)));
        assert_eq!(r.reduction(10 * SECOND - 1), 0, "expired state is gone");
    }

    #[test]
    fn the_report_is_valid_from_its_reception() {
        let mut r = Reactor::default();
        r.receive(&olr(1, 100, 30), 100 * SECOND);
        assert_eq!(r.reduction(129 * SECOND), 100);
        assert_eq!(r.reduction(130 * SECOND), 0);
    }

    #[test]
    fn only_a_higher_sequence_number_replaces_the_report() {
        let mut r = Reactor::default();
        r.receive(&olr(5, 40, 30), 0);
        assert_eq!(r.receive(&olr(5, 90, 30), SECOND), Received::Stale);
        assert_eq!(r.receive(&olr(4, 90, 30), SECOND), Received::Stale);
        assert_eq!(r.reduction(SECOND), 40);
        // A stale report does not extend the validity either.
        assert_eq!(r.receive(&olr(5, 40, 30), 20 * SECOND), Received::Stale);
        assert_eq!(r.reduction(30 * SECOND), 0);
        assert_eq!(r.receive(&olr(6, 90, 30), 31 * SECOND), Received::Applied);
        assert_eq!(r.reduction(31 * SECOND), 90);
    }

    #[test]
    fn validity_zero_ends_the_overload() {
        let mut r = Reactor::default();
        r.receive(&olr(1, 50, 30), 0);
        assert_eq!(r.receive(&olr(2, 0, 0), SECOND), Received::Applied);
        assert!(!(0..10).any(|_| r.throttle(SECOND)));
    }

    fn reporter() -> Reporter {
        Reporter::new(DoicReporting {
            enter_wait: SECOND,
            exit_wait: SECOND / 10,
            reduction_percentage: 60,
            adaptive: false,
            validity_s: 20,
        })
    }

    #[test]
    fn the_adaptive_reduction_follows_the_wait_in_steps_of_ten() {
        let mut h = Reporter::new(DoicReporting {
            adaptive: true,
            reduction_percentage: 10,
            ..DoicReporting::default()
        });
        // enter_wait 1 s: a 4 s wait asks for 75 % → 80 %.
        let a = h.report(0, 4 * SECOND).unwrap();
        assert_eq!((a.sequence_number, a.reduction()), (1, 80));
        // 10 s: 90 %, a new report.
        let b = h.report(SECOND, 10 * SECOND).unwrap();
        assert_eq!((b.sequence_number, b.reduction()), (2, 90));
        // Same step: same report.
        assert_eq!(h.report(2 * SECOND, 9 * SECOND + SECOND / 2), Some(b));
        // 1.05 s: 5 % → 10 %, the configured floor.
        let c = h.report(3 * SECOND, SECOND + SECOND / 20).unwrap();
        assert_eq!((c.sequence_number, c.reduction()), (3, 10));
        // Between the thresholds: kept.
        assert_eq!(h.report(4 * SECOND, SECOND / 2), Some(c));
    }

    #[test]
    fn the_reporter_enters_and_leaves_overload_with_hysteresis() {
        let mut h = reporter();
        assert_eq!(
            h.report(0, SECOND),
            None,
            "at the threshold: not overloaded"
        );
        let first = h.report(SECOND, SECOND + 1).unwrap();
        assert_eq!((first.sequence_number, first.reduction()), (1, 60));
        assert_eq!(first.validity_s(), 20);
        // Between the thresholds the overload lasts, same report.
        assert_eq!(h.report(2 * SECOND, SECOND / 2), Some(first));
        assert!(h.overloaded());
        // Half the validity after it was issued, a new number.
        let again = h.report(11 * SECOND, SECOND / 2).unwrap();
        assert_eq!(again.sequence_number, 2);
        // Below the exit threshold: an end-of-overload report, newer.
        let end = h.report(12 * SECOND, SECOND / 10 - 1).unwrap();
        assert_eq!(
            (end.sequence_number, end.validity_s(), end.reduction()),
            (3, 0, 0)
        );
        assert_eq!(h.report(31 * SECOND, 0), Some(end));
        assert_eq!(
            h.report(32 * SECOND, 0),
            None,
            "one validity period after the end"
        );
    }

    #[test]
    fn a_reactor_follows_a_reporter() {
        let (mut h, mut m) = (reporter(), Reactor::default());
        for (t, wait) in [(0, 2 * SECOND), (SECOND, SECOND), (15 * SECOND, SECOND)] {
            if let Some(o) = h.report(t, wait) {
                m.receive(&o, t);
            }
        }
        // Refreshed at 15 s (seq 2): valid until 35 s.
        assert_eq!(m.reduction(34 * SECOND), 60);
        let end = h.report(16 * SECOND, 0).unwrap();
        m.receive(&end, 16 * SECOND);
        assert_eq!(m.reduction(16 * SECOND), 0);
    }
}
