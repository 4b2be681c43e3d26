//! Axis ranges, tick placement and tick label formatting.
//!
//! Charts are drawn in *plot space*: the identity for [`Scale::Linear`] and `log10(v)` for
//! [`Scale::Log10`]. Tick positions are computed here (plotters only draws them), which keeps
//! one code path for all scale combinations and gives full control over the labels.

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

impl Scale {
    /// Maps a data value into plot space; `None` if it cannot be shown on this scale.
    pub(crate) fn forward(self, v: f64) -> Option<f64> {
        if !v.is_finite() || v.abs() > MAX_MAGNITUDE {
            return None;
        }
        match self {
            Scale::Linear => Some(v),
            Scale::Log10 if v > 0.0 => Some(v.log10()),
            Scale::Log10 => None,
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
    /// Maps `v` into plot space, counting it if it has to be skipped.
    pub(crate) fn forward(&mut self, scale: Scale, v: f64) -> Option<f64> {
        let r = scale.forward(v);
        if r.is_none() {
            if v.is_finite() && v.abs() <= MAX_MAGNITUDE {
                self.non_positive += 1;
            } else {
                self.non_finite += 1;
            }
        }
        r
    }

    /// Maps a point; a point is counted once, as non-finite if either coordinate is.
    pub(crate) fn forward_point(
        &mut self,
        xs: Scale,
        ys: Scale,
        p: (f64, f64),
    ) -> Option<(f64, f64)> {
        match (xs.forward(p.0), ys.forward(p.1)) {
            (Some(x), Some(y)) => Some((x, y)),
            _ => {
                let finite = |v: f64| v.is_finite() && v.abs() <= MAX_MAGNITUDE;
                if finite(p.0) && finite(p.1) {
                    self.non_positive += 1;
                } else {
                    self.non_finite += 1;
                }
                None
            }
        }
    }

    /// Human-readable notes, e.g. "3 non-finite values not drawn".
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

/// How tick labels are written.
#[derive(Clone, Copy, Debug, PartialEq)]
enum TickFormat {
    /// Fixed decimals, optionally with a common power of ten (`2.5×10⁶`).
    Plain { decimals: usize, exp: i32 },
    /// Log axis: labels are `10^t` written compactly (`100`, `2×10⁵`).
    Log,
    /// Log axis spanning less than a decade or so: ticks are nice values, written with
    /// fixed decimals.
    LogPlain { decimals: usize },
}

/// One axis in plot space with its ticks.
#[derive(Clone, Debug)]
pub(crate) struct Axis {
    pub lo: f64,
    pub hi: f64,
    /// Labelled ticks (and major grid lines), in plot space.
    pub major: Vec<f64>,
    /// Unlabelled minor grid lines, in plot space.
    pub minor: Vec<f64>,
    format: TickFormat,
}

impl Axis {
    /// An axis covering the plot-space interval `[lo, hi]` of the data (if any), padded by
    /// `pad` (a fraction of the span) on both sides, with about `target` major ticks.
    /// Degenerate ranges (no data, a single value) get a sensible default width.
    pub(crate) fn auto(scale: Scale, data: Option<(f64, f64)>, pad: f64, target: usize) -> Axis {
        let (lo, hi) = padded_range(scale, data, pad);
        Axis::fixed(scale, lo, hi, target)
    }

    /// An axis over exactly `[lo, hi]` (plot space); `lo < hi` must hold and both be finite.
    pub(crate) fn fixed(scale: Scale, lo: f64, hi: f64, target: usize) -> Axis {
        debug_assert!(lo < hi && lo.is_finite() && hi.is_finite());
        let target = target.clamp(2, 12);
        match scale {
            Scale::Linear => {
                let (major, step) = linear_ticks(lo, hi, target);
                Axis {
                    lo,
                    hi,
                    format: plain_format(&major, step),
                    major,
                    minor: Vec::new(),
                }
            }
            Scale::Log10 => log_axis(lo, hi, target),
        }
    }

    /// An axis whose major ticks are given explicitly (e.g. bar groups), labelled by the caller.
    pub(crate) fn with_ticks(lo: f64, hi: f64, major: Vec<f64>) -> Axis {
        Axis {
            lo,
            hi,
            major,
            minor: Vec::new(),
            format: TickFormat::Plain {
                decimals: 0,
                exp: 0,
            },
        }
    }

    /// Label of a tick at plot-space position `t`.
    pub(crate) fn label(&self, t: f64) -> String {
        match self.format {
            TickFormat::Plain { decimals, exp: 0 } => fixed(t, decimals),
            TickFormat::Plain { decimals, exp } => {
                let s = fixed(t / 10f64.powi(exp), decimals);
                if s.chars().all(|c| c == '0' || c == '.') {
                    "0".to_string()
                } else {
                    format!("{s}×10{}", superscript(exp))
                }
            }
            TickFormat::Log => log_label(t),
            TickFormat::LogPlain { decimals } => fixed(10f64.powf(t), decimals),
        }
    }

    /// Clamps a plot-space value into the axis range.
    pub(crate) fn clamp(&self, v: f64) -> f64 {
        v.clamp(self.lo, self.hi)
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

/// "Nice" step (1, 2, 2.5, 5 × 10^k) giving the number of intervals closest to `target`
/// over `span` (ties go to the larger step).
pub(crate) fn nice_step(span: f64, target: usize) -> f64 {
    let target = target.max(1) as f64;
    let mag = 10f64.powf((span / target).log10().floor());
    let mut best = (f64::INFINITY, mag);
    for scale in [0.1, 1.0, 10.0] {
        for m in [1.0, 2.0, 2.5, 5.0] {
            let step = m * mag * scale;
            let miss = ((span / step).floor() - target).abs();
            if miss < best.0 || (miss == best.0 && step > best.1) {
                best = (miss, step);
            }
        }
    }
    best.1
}

/// Ticks at integer multiples of a nice step inside `[lo, hi]`.
fn linear_ticks(lo: f64, hi: f64, target: usize) -> (Vec<f64>, f64) {
    let step = nice_step(hi - lo, target);
    let k0 = (lo / step - 1e-9).ceil() as i64;
    let k1 = (hi / step + 1e-9).floor() as i64;
    let ticks = (k0..=k1.min(k0 + 50))
        .map(|k| {
            let t = k as f64 * step;
            if t == 0.0 { 0.0 } else { t } // no -0
        })
        .collect();
    (ticks, step)
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

/// Plain tick format: fixed decimals, with a common power of ten for very large or very
/// small magnitudes.
fn plain_format(ticks: &[f64], step: f64) -> TickFormat {
    let mag = ticks.iter().fold(0.0f64, |m, t| m.max(t.abs()));
    if mag >= 1e6 || (mag > 0.0 && mag < 1e-3) {
        let exp = mag.log10().floor() as i32;
        TickFormat::Plain {
            decimals: decimals_for(step / 10f64.powi(exp)),
            exp,
        }
    } else {
        TickFormat::Plain {
            decimals: decimals_for(step),
            exp: 0,
        }
    }
}

fn log_axis(lo: f64, hi: f64, target: usize) -> Axis {
    let k0 = (lo - 1e-9).ceil() as i64;
    let k1 = (hi + 1e-9).floor() as i64;
    let in_range = |t: f64| t >= lo - 1e-9 && t <= hi + 1e-9;
    let decades = (k1 - k0 + 1).max(0) as usize;
    let (major, minor) = if decades >= 4 {
        let stride = decades.div_ceil(target).max(1) as i64;
        let major: Vec<f64> = (k0..=k1)
            .filter(|k| k.rem_euclid(stride) == 0)
            .map(|k| k as f64)
            .collect();
        let minor: Vec<f64> = if stride > 1 {
            (k0..=k1)
                .filter(|k| k.rem_euclid(stride) != 0)
                .map(|k| k as f64)
                .collect()
        } else if decades <= 8 {
            (k0 - 1..=k1)
                .flat_map(|k| (2..=9).map(move |j| k as f64 + (j as f64).log10()))
                .filter(|&t| in_range(t))
                .collect()
        } else {
            Vec::new()
        };
        (major, minor)
    } else {
        // Up to ~3 decades: 1, 2, 5 × 10^k, or plain linear ticks in value space.
        let candidates = |js: &'static [u32]| -> Vec<f64> {
            (k0 - 1..=k1)
                .flat_map(|k| js.iter().map(move |&j| k as f64 + (j as f64).log10()))
                .filter(|&t| in_range(t))
                .collect()
        };
        let major = candidates(&[1, 2, 5]);
        if major.len() >= 3 {
            let minor = candidates(&[3, 4, 6, 7, 8, 9]);
            (major, minor)
        } else {
            let (vlo, vhi) = (10f64.powf(lo), 10f64.powf(hi));
            let (ticks, step) = linear_ticks(vlo, vhi, target);
            let major = ticks
                .into_iter()
                .filter(|&v| v > 0.0)
                .map(f64::log10)
                .filter(|&t| in_range(t))
                .collect();
            return Axis {
                lo,
                hi,
                major,
                minor: Vec::new(),
                format: TickFormat::LogPlain {
                    decimals: decimals_for(step),
                },
            };
        }
    };
    Axis {
        lo,
        hi,
        major,
        minor,
        format: TickFormat::Log,
    }
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

/// Label for a log-axis tick at plot-space position `t` (value `10^t`).
fn log_label(t: f64) -> String {
    let k = t.floor();
    let j = 10f64.powf(t - k);
    let (mut j, mut k) = (j.round(), k as i32);
    if j >= 10.0 {
        j = 1.0;
        k += 1;
    }
    let j = j as u32;
    if (-3..=4).contains(&k) {
        let v = j as f64 * 10f64.powi(k);
        fixed(v, (-k).max(0) as usize)
    } else if j == 1 {
        format!("10{}", superscript(k))
    } else {
        format!("{j}×10{}", superscript(k))
    }
}

/// Unicode superscript digits for exponents (DejaVu Sans has them).
fn superscript(e: i32) -> String {
    const DIGITS: [char; 10] = ['⁰', '¹', '²', '³', '⁴', '⁵', '⁶', '⁷', '⁸', '⁹'];
    let mut s = String::new();
    if e < 0 {
        s.push('⁻');
    }
    for c in e.unsigned_abs().to_string().chars() {
        s.push(DIGITS[c.to_digit(10).unwrap_or(0) as usize]);
    }
    s
}

/// `1234567` → `1 234 567` (thin-space grouping is hard to read in PNG; a plain space is used).
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
    fn linear_ticks_are_short() {
        let a = Axis::auto(Scale::Linear, Some((0.1, 0.7)), 0.0, 6);
        assert_eq!(
            labels(&a),
            ["0.1", "0.2", "0.3", "0.4", "0.5", "0.6", "0.7"]
        );
        let a = Axis::auto(Scale::Linear, Some((0.0, 10.0)), 0.0, 4);
        assert_eq!(labels(&a), ["0.0", "2.5", "5.0", "7.5", "10.0"]);
        let a = Axis::auto(Scale::Linear, Some((-3.0, 3.0)), 0.0, 6);
        assert!(labels(&a).contains(&"0".to_string()));
        assert!(!labels(&a).iter().any(|l| l.starts_with("-0")));
    }

    #[test]
    fn large_and_small_magnitudes_use_powers_of_ten() {
        let a = Axis::auto(Scale::Linear, Some((0.0, 4e6)), 0.0, 4);
        assert_eq!(labels(&a), ["0", "1×10⁶", "2×10⁶", "3×10⁶", "4×10⁶"]);
        let a = Axis::auto(Scale::Linear, Some((0.0, 4e-4)), 0.0, 4);
        assert_eq!(labels(&a)[1], "1×10⁻⁴");
    }

    #[test]
    fn log_axis_decades_and_narrow_ranges() {
        let a = Axis::auto(Scale::Log10, Some((0.0, 6.0)), 0.0, 8);
        assert_eq!(
            labels(&a),
            ["1", "10", "100", "1000", "10000", "10⁵", "10⁶"]
        );
        let a = Axis::auto(Scale::Log10, Some((-1.0, 0.5)), 0.0, 8);
        assert_eq!(labels(&a), ["0.1", "0.2", "0.5", "1", "2"]);
        let a = Axis::auto(Scale::Log10, Some((2.0f64.log10(), 3.0f64.log10())), 0.0, 5);
        assert!(a.major.len() >= 2, "{:?}", labels(&a));
        for l in labels(&a) {
            assert!(l.len() <= 6, "{l}");
        }
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
                let a = Axis::auto(s, data, 0.05, 6);
                assert!(a.lo < a.hi, "{data:?} {s:?}");
                assert!(!a.major.is_empty(), "{data:?} {s:?}");
            }
        }
    }

    #[test]
    fn number_helpers() {
        assert_eq!(group_thousands(1234567), "1 234 567");
        assert_eq!(group_thousands(12), "12");
        assert_eq!(significant(12.3456, 4), "12.35");
        assert_eq!(significant(0.5, 3), "0.5");
        assert_eq!(significant(2.5e7, 3), "2.5×10⁷");
        assert_eq!(fixed(-0.0001, 2), "0.00");
    }
}
