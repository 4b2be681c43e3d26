//! Axis ranges, the coordinate handed to plotters, and tick label texts.
//!
//! plotters maps values and draws ticks, grid and labels. This module picks the padded
//! range, decides which values a scale can show, writes tick labels (`2.5×10⁶` instead of
//! `2500000.0`) and, on log axes, picks the ticks: plotters' own log key points leave an
//! axis spanning less than a decade without any tick.

use std::ops::Range;

use plotters::coord::combinators::{BindKeyPoints, IntoLogRange, LogCoord, WithKeyPoints};
use plotters::coord::ranged1d::{DefaultFormatting, KeyPointHint, Ranged};
use plotters::coord::types::RangedCoordf64;

/// Axis scale.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub enum Scale {
    /// Linear axis.
    #[default]
    Linear,
    /// Base-10 logarithmic axis. Values `<= 0` cannot be shown and are skipped (the chart
    /// says how many in a note below the plot).
    Log10,
}

/// Magnitudes above this are treated like non-finite values: they cannot be padded or
/// ticked without overflowing `f64`.
const MAX_MAGNITUDE: f64 = 1e300;

fn finite(v: f64) -> bool {
    v.is_finite() && v.abs() <= MAX_MAGNITUDE
}

impl Scale {
    /// `v` itself if this scale can show it.
    pub(crate) fn accept(self, v: f64) -> Option<f64> {
        match self {
            _ if !finite(v) => None,
            Scale::Log10 if v <= 0.0 => None,
            _ => Some(v),
        }
    }

    /// Into the space where padding is linear: `log10` on a log axis.
    fn into_plot(self, v: f64) -> f64 {
        match self {
            Scale::Linear => v,
            Scale::Log10 => v.log10(),
        }
    }

    fn out_of_plot(self, t: f64) -> f64 {
        match self {
            Scale::Linear => t,
            Scale::Log10 => 10f64.powf(t),
        }
    }
}

/// Why a value was not drawn; counted for the notes under a chart.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub(crate) struct Skipped {
    /// NaN, infinite or absurdly large values.
    pub non_finite: usize,
    /// Finite values `<= 0` on a log axis.
    pub non_positive: usize,
}

impl Skipped {
    /// `v` if `scale` can show it, else counts why not.
    pub(crate) fn accept(&mut self, scale: Scale, v: f64) -> Option<f64> {
        let r = scale.accept(v);
        if r.is_none() {
            self.count(finite(v));
        }
        r
    }

    /// The same for a point; a point is counted once, as non-finite if either coordinate is.
    pub(crate) fn accept_point(
        &mut self,
        xs: Scale,
        ys: Scale,
        p: (f64, f64),
    ) -> Option<(f64, f64)> {
        match (xs.accept(p.0), ys.accept(p.1)) {
            (Some(_), Some(_)) => Some(p),
            _ => {
                self.count(finite(p.0) && finite(p.1));
                None
            }
        }
    }

    fn count(&mut self, finite: bool) {
        if finite {
            self.non_positive += 1;
        } else {
            self.non_finite += 1;
        }
    }

    /// Human-readable notes, e.g. "3 values with NaN/infinite values not drawn".
    pub(crate) fn notes(&self, what: &str) -> Vec<String> {
        let mut v = Vec::new();
        if self.non_finite > 0 {
            v.push(format!(
                "{} {what} with NaN/infinite values not drawn",
                group_thousands(self.non_finite)
            ));
        }
        if self.non_positive > 0 {
            v.push(format!(
                "{} {what} with values <= 0 not drawn (log scale)",
                group_thousands(self.non_positive)
            ));
        }
        v
    }
}

/// One axis: its value range, its labelled ticks and how they are written.
#[derive(Clone, Debug)]
pub(crate) struct Axis {
    pub scale: Scale,
    pub lo: f64,
    pub hi: f64,
    /// Labelled ticks (values).
    pub major: Vec<f64>,
    /// Unlabelled grid lines of a log axis (values).
    minor: Vec<f64>,
    /// Most labelled ticks asked for (plotters' key-point hint on linear axes).
    pub target: usize,
    /// Common power of ten of linear labels (0: none).
    exp: i32,
    decimals: usize,
}

impl Axis {
    /// An axis covering the data range `data` (values, if any), padded by `pad` (a fraction
    /// of the span, in log space on a log axis), with at most about `target` ticks.
    /// Degenerate ranges (no data, a single value) get a sensible default width.
    pub(crate) fn auto(scale: Scale, data: Option<(f64, f64)>, pad: f64, target: usize) -> Axis {
        let data = data.map(|(a, b)| (scale.into_plot(a), scale.into_plot(b)));
        let (mut lo, mut hi) = padded_range(scale, data, pad);
        if scale == Scale::Log10 {
            // Keep 10^lo and 10^hi normal, finite numbers.
            (lo, hi) = (lo.max(-307.0), hi.min(307.0));
        }
        Axis::fixed(scale, scale.out_of_plot(lo), scale.out_of_plot(hi), target)
    }

    /// An axis over exactly `[lo, hi]` (values; `0 < lo` on a log axis).
    pub(crate) fn fixed(scale: Scale, lo: f64, hi: f64, target: usize) -> Axis {
        let target = target.clamp(2, 12);
        let (major, minor) = match scale {
            Scale::Linear => (RangedCoordf64::from(lo..hi).key_points(target), Vec::new()),
            Scale::Log10 => log_ticks(lo.log10(), hi.log10(), target),
        };
        let mag = major.iter().fold(0.0f64, |m, t| m.max(t.abs()));
        let exp = if scale == Scale::Linear && (mag >= 1e6 || (mag > 0.0 && mag < 1e-3)) {
            mag.log10().floor() as i32
        } else {
            0
        };
        let step = major
            .windows(2)
            .map(|w| w[1] - w[0])
            .fold(f64::INFINITY, f64::min);
        let decimals = if step.is_finite() {
            decimals_for(step / 10f64.powi(exp))
        } else {
            decimals_for(major.first().map_or(1.0, |v| v.abs()) / 10f64.powi(exp))
        };
        Axis {
            scale,
            lo,
            hi,
            major,
            minor,
            target,
            exp,
            decimals,
        }
    }

    /// The coordinate plotters maps this axis with.
    pub(crate) fn coord(&self) -> AxisCoord {
        match self.scale {
            Scale::Linear => AxisCoord::Linear((self.lo..self.hi).into()),
            Scale::Log10 => AxisCoord::Log(
                (self.lo..self.hi)
                    .log_scale()
                    .with_key_points(self.major.clone())
                    .with_light_points(self.minor.clone()),
            ),
        }
    }

    /// Label of the tick at value `v`.
    pub(crate) fn label(&self, v: f64) -> String {
        match (self.scale, self.exp) {
            (Scale::Log10, _) => log_label(v),
            (Scale::Linear, 0) => fixed(v, self.decimals),
            (Scale::Linear, exp) => {
                let s = fixed(v / 10f64.powi(exp), self.decimals);
                if s.chars().all(|c| c == '0' || c == '.') {
                    "0".to_string()
                } else {
                    format!("{s}×10{}", superscript(exp))
                }
            }
        }
    }

    /// Clamps a value into the axis range.
    pub(crate) fn clamp(&self, v: f64) -> f64 {
        v.clamp(self.lo, self.hi)
    }
}

/// A linear or a log axis behind one type, so a chart is built the same way for every
/// combination of scales.
pub(crate) enum AxisCoord {
    Linear(RangedCoordf64),
    Log(WithKeyPoints<LogCoord<f64>>),
}

impl Ranged for AxisCoord {
    type FormatOption = DefaultFormatting;
    type ValueType = f64;

    fn map(&self, v: &f64, limit: (i32, i32)) -> i32 {
        match self {
            AxisCoord::Linear(c) => c.map(v, limit),
            AxisCoord::Log(c) => c.map(v, limit),
        }
    }

    fn key_points<H: KeyPointHint>(&self, hint: H) -> Vec<f64> {
        match self {
            AxisCoord::Linear(c) => c.key_points(hint),
            AxisCoord::Log(c) => c.key_points(hint),
        }
    }

    fn range(&self) -> Range<f64> {
        match self {
            AxisCoord::Linear(c) => c.range(),
            AxisCoord::Log(c) => c.range(),
        }
    }
}

/// The padded plot-space range for data spanning `data` (plot space).
fn padded_range(scale: Scale, data: Option<(f64, f64)>, pad: f64) -> (f64, f64) {
    let Some((lo, hi)) = data else {
        return (0.0, 1.0); // 0..1 linear, 1..10 on a log axis
    };
    let span = hi - lo;
    let mid = 0.5 * (lo + hi);
    // A span below ~1e-9 of the magnitude cannot be ticked meaningfully: treat as constant.
    if span <= mid.abs() * 1e-9 || span <= f64::MIN_POSITIVE {
        let half = match scale {
            Scale::Linear if mid == 0.0 => 1.0,
            Scale::Linear => mid.abs() * 0.1,
            Scale::Log10 => 0.5,
        };
        return (mid - half, mid + half);
    }
    (lo - pad * span, hi + pad * span)
}

/// Major and minor ticks (values) of a log axis over `[lo, hi]` (log10 of the values):
/// decades (every k-th one if there are many), or 1, 2, 5 × 10ᵏ, or 1…9 × 10ᵏ over
/// narrow ranges.
fn log_ticks(lo: f64, hi: f64, target: usize) -> (Vec<f64>, Vec<f64>) {
    let (k0, k1) = ((lo - 1e-9).floor() as i64, (hi + 1e-9).ceil() as i64);
    let inside = |v: &f64| (lo - 1e-9..=hi + 1e-9).contains(&v.log10());
    let at = |mantissas: &'static [u32]| -> Vec<f64> {
        (k0..=k1)
            .flat_map(|k| {
                mantissas
                    .iter()
                    .map(move |&m| m as f64 * 10f64.powi(k as i32))
            })
            .filter(inside)
            .collect()
    };
    let decades = at(&[1]);
    if decades.len() >= 4 {
        let stride = decades.len().div_ceil(target).max(1) as i64;
        let (major, skipped): (Vec<f64>, Vec<f64>) = decades
            .iter()
            .partition(|v| (v.log10().round() as i64).rem_euclid(stride) == 0);
        let minor = if stride > 1 && skipped.len() <= 60 {
            skipped
        } else if decades.len() <= 8 {
            at(&[2, 3, 4, 5, 6, 7, 8, 9])
        } else {
            Vec::new()
        };
        return (major, minor);
    }
    let major = at(&[1, 2, 5]);
    if major.len() >= 3 {
        return (major, at(&[3, 4, 6, 7, 8, 9]));
    }
    (at(&[1, 2, 3, 4, 5, 6, 7, 8, 9]), Vec::new())
}

/// Smallest number of decimals that writes multiples of `step` exactly (at most 12).
fn decimals_for(step: f64) -> usize {
    (0..=12)
        .find(|&d| {
            let s = step * 10f64.powi(d as i32);
            (s - s.round()).abs() < 1e-6 * s.abs().max(1.0)
        })
        .unwrap_or(12)
}

/// Writes `v` with `decimals` decimals, never as "-0".
pub(crate) fn fixed(v: f64, decimals: usize) -> String {
    let s = format!("{v:.decimals$}");
    if s.starts_with('-') && s[1..].chars().all(|c| c == '0' || c == '.') {
        s[1..].to_string()
    } else {
        s
    }
}

/// Label of a log-axis tick at value `v` (`m × 10ᵏ`, `m` in 1..=9): plain digits for
/// 0.001 up to 10000, else `10⁵`, `2×10⁻⁴`.
fn log_label(v: f64) -> String {
    let mut k = v.log10().floor() as i32;
    let mut m = (v / 10f64.powi(k)).round();
    if m >= 10.0 {
        m = 1.0;
        k += 1;
    }
    if (-3..=4).contains(&k) {
        fixed(m * 10f64.powi(k), (-k).max(0) as usize)
    } else if m == 1.0 {
        format!("10{}", superscript(k))
    } else {
        format!("{m}×10{}", superscript(k))
    }
}

/// Unicode superscript digits for exponents (DejaVu Sans has them).
fn superscript(e: i32) -> String {
    const DIGITS: [char; 10] = ['⁰', '¹', '²', '³', '⁴', '⁵', '⁶', '⁷', '⁸', '⁹'];
    let sign = if e < 0 { "⁻" } else { "" };
    let digits: String = e
        .unsigned_abs()
        .to_string()
        .chars()
        .map(|c| DIGITS[c.to_digit(10).unwrap_or(0) as usize])
        .collect();
    format!("{sign}{digits}")
}

/// `1234567` → `1 234 567`.
pub(crate) fn group_thousands(n: usize) -> String {
    let s = n.to_string();
    let mut out = String::new();
    for (i, c) in s.chars().enumerate() {
        if i > 0 && (s.len() - i).is_multiple_of(3) {
            out.push(' ');
        }
        out.push(c);
    }
    out
}

/// A value with about `sig` significant digits, for annotations (not ticks).
pub(crate) fn significant(v: f64, sig: usize) -> String {
    if !v.is_finite() {
        return v.to_string();
    }
    if v == 0.0 {
        return "0".to_string();
    }
    let mag = v.abs().log10().floor() as i32;
    if !(-3..6).contains(&mag) {
        let m = v / 10f64.powi(mag);
        let s = trim_zeros(format!("{m:.prec$}", prec = sig.saturating_sub(1)));
        return format!("{s}×10{}", superscript(mag));
    }
    let decimals = (sig as i32 - 1 - mag).max(0) as usize;
    trim_zeros(fixed(v, decimals))
}

fn trim_zeros(s: String) -> String {
    if s.contains('.') {
        s.trim_end_matches('0').trim_end_matches('.').to_string()
    } else {
        s
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn labels(a: &Axis) -> Vec<String> {
        a.major.iter().map(|&t| a.label(t)).collect()
    }

    #[test]
    fn linear_labels_share_their_decimals_and_never_read_minus_zero() {
        let a = Axis::auto(Scale::Linear, Some((0.1, 0.7)), 0.0, 7);
        assert_eq!(
            labels(&a),
            ["0.1", "0.2", "0.3", "0.4", "0.5", "0.6", "0.7"]
        );
        let a = Axis::auto(Scale::Linear, Some((0.0, 10.0)), 0.0, 4);
        assert_eq!(labels(&a), ["0", "5", "10"]);
        let a = Axis::auto(Scale::Linear, Some((-3.0, 3.0)), 0.0, 6);
        assert!(labels(&a).contains(&"0".to_string()), "{:?}", labels(&a));
        assert!(!labels(&a).iter().any(|l| l.starts_with("-0")));
        let a = Axis::auto(Scale::Linear, Some((-0.3, 0.3)), 0.0, 6);
        assert!(labels(&a).iter().all(|l| l.len() <= 4), "{:?}", labels(&a));
    }

    #[test]
    fn large_and_small_magnitudes_use_powers_of_ten() {
        let a = Axis::auto(Scale::Linear, Some((0.0, 4e6)), 0.0, 5);
        assert_eq!(labels(&a), ["0", "1×10⁶", "2×10⁶", "3×10⁶", "4×10⁶"]);
        let a = Axis::auto(Scale::Linear, Some((0.0, 4e-4)), 0.0, 5);
        assert_eq!(labels(&a)[1], "1×10⁻⁴");
    }

    #[test]
    fn log_axis_decades_and_narrow_ranges() {
        let a = Axis::auto(Scale::Log10, Some((1.0, 1e6)), 0.0, 8);
        assert_eq!(
            labels(&a),
            ["1", "10", "100", "1000", "10000", "10⁵", "10⁶"]
        );
        let a = Axis::auto(Scale::Log10, Some((1.0, 1e12)), 0.0, 5);
        assert!(a.major.len() <= 5 && a.major.len() >= 3, "{:?}", labels(&a));
        assert!(!a.minor.is_empty());
        let a = Axis::auto(Scale::Log10, Some((0.1, 10f64.powf(0.5))), 0.0, 8);
        assert_eq!(labels(&a), ["0.1", "0.2", "0.5", "1", "2"]);
        // Less than a decade, no power of ten inside: still ticked.
        let a = Axis::auto(Scale::Log10, Some((30.0, 60.0)), 0.0, 5);
        assert!(a.major.len() >= 2, "{:?}", labels(&a));
        assert_eq!(labels(&a)[0], "30");
    }

    #[test]
    fn degenerate_ranges() {
        for data in [
            None,
            Some((5.0, 5.0)),
            Some((0.0, 0.0)),
            Some((1.0, 1.0 + 1e-15)),
        ] {
            for s in [Scale::Linear, Scale::Log10] {
                let data = data.filter(|d| s == Scale::Linear || d.0 > 0.0);
                let a = Axis::auto(s, data, 0.05, 6);
                assert!(a.lo < a.hi, "{data:?} {s:?}");
                assert!(!a.major.is_empty(), "{data:?} {s:?}");
            }
        }
        // 600 decades padded would leave f64: the range stays finite and positive.
        let a = Axis::auto(Scale::Log10, Some((1e-300, 1e300)), 0.06, 7);
        assert!(a.lo > 0.0 && a.hi.is_finite(), "{} {}", a.lo, a.hi);
        assert!(a.major.len() <= 7, "{:?}", a.major);
    }

    #[test]
    fn number_helpers() {
        assert_eq!(group_thousands(1234567), "1 234 567");
        assert_eq!(group_thousands(12), "12");
        assert_eq!(significant(12.3456, 4), "12.35");
        assert_eq!(significant(0.5, 3), "0.5");
        assert_eq!(significant(2.5e7, 3), "2.5×10⁷");
        assert_eq!(fixed(-0.0001, 2), "0.00");
        assert_eq!(log_label(2e-5), "2×10⁻⁵");
        assert_eq!(log_label(0.002), "0.002");
    }
}
