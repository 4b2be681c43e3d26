//! Histogram of one sample.

use plotters::element::Rectangle;
use plotters::style::{Color, WHITE};

use crate::axis::{Axis, Scale, Skipped, group_thousands, significant};
use crate::frame::{AxesSpec, Frame, build_chart, center_note, tick_targets};
use crate::render::render;
use crate::style::PALETTE;
use crate::{Canvas, PlotError};

/// Largest accepted bin count.
pub const MAX_BINS: usize = 10_000;

/// Nearest-rank percentile of sorted values (`q` in 0..=1).
pub(crate) fn percentile(sorted: &[f64], q: f64) -> f64 {
    let n = sorted.len();
    let rank = (q * n as f64).ceil().max(1.0) as usize;
    sorted[rank.min(n) - 1]
}

/// Draws a histogram of `values` with `bins` equal-width bins between the smallest and
/// largest finite value; the y axis counts values per bin.
///
/// The subtitle gives n, median, p95, p99 and max (nearest-rank percentiles). NaN and
/// infinite values are skipped and counted in a note. All-equal values give one bar
/// centred on the value. `bins` must be in `1..=10000`, else
/// [`PlotError::InvalidInput`].
pub fn histogram<'a>(
    out: impl Into<Canvas<'a>>,
    title: &str,
    x_label: &str,
    values: &[f64],
    bins: usize,
) -> Result<(), PlotError> {
    let canvas = out.into();
    if !(1..=MAX_BINS).contains(&bins) {
        return Err(PlotError::invalid(
            canvas.path,
            format!("histogram bins must be in 1..={MAX_BINS}, got {bins}"),
        ));
    }
    let mut skipped = Skipped::default();
    let mut sorted: Vec<f64> = values
        .iter()
        .filter_map(|&v| skipped.accept(Scale::Linear, v))
        .collect();
    sorted.sort_by(f64::total_cmp);

    let (tx, ty) = tick_targets(canvas.width, canvas.height);
    let mut counts = vec![0usize; bins];
    let (lo, hi) = match (sorted.first(), sorted.last()) {
        (Some(&lo), Some(&hi)) if hi - lo > hi.abs().max(lo.abs()) * 1e-12 => (lo, hi),
        (Some(&v), _) => {
            let half = if v == 0.0 { 0.5 } else { v.abs() * 0.01 };
            (v - half, v + half)
        }
        _ => (0.0, 1.0),
    };
    let width = (hi - lo) / bins as f64;
    for &v in &sorted {
        let i = ((v - lo) / width).floor();
        counts[(i.max(0.0) as usize).min(bins - 1)] += 1;
    }
    let max_count = counts.iter().copied().max().unwrap_or(0);
    let x_axis = Axis::auto(Scale::Linear, Some((lo, hi)), 0.03, tx);
    let y_axis = Axis::fixed(Scale::Linear, 0.0, (max_count as f64 * 1.08).max(5.0), ty);

    let subtitle = (!sorted.is_empty()).then(|| {
        format!(
            "n = {} · median = {} · p95 = {} · p99 = {} · max = {}",
            group_thousands(sorted.len()),
            significant(percentile(&sorted, 0.5), 4),
            significant(percentile(&sorted, 0.95), 4),
            significant(percentile(&sorted, 0.99), 4),
            significant(sorted[sorted.len() - 1], 4),
        )
    });
    let frame = Frame {
        title,
        subtitle,
        legend: Vec::new(),
        notes: skipped.notes("values"),
    };

    render(canvas, |root| {
        let area = frame.draw(root)?;
        let mut ctx = build_chart(
            &area,
            &AxesSpec {
                x: &x_axis,
                y: &y_axis,
                x_desc: x_label,
                y_desc: "count",
                x_grid: false,
                x_names_h: None,
            },
        )?;
        if sorted.is_empty() {
            return center_note(&ctx, "no data to plot");
        }
        let px_per_bin = {
            let a = ctx.backend_coord(&(lo, 0.0)).0;
            let b = ctx.backend_coord(&(hi, 0.0)).0;
            (b - a) as f64 / bins as f64
        };
        let fill = PALETTE[0].mix(0.85).filled();
        let edge = |i: usize| lo + width * i as f64;
        ctx.draw_series(
            counts
                .iter()
                .enumerate()
                .filter(|(_, c)| **c > 0)
                .map(|(i, &c)| Rectangle::new([(edge(i), 0.0), (edge(i + 1), c as f64)], fill)),
        )?;
        if px_per_bin >= 5.0 {
            ctx.draw_series(
                counts
                    .iter()
                    .enumerate()
                    .filter(|(_, c)| **c > 0)
                    .map(|(i, &c)| {
                        Rectangle::new(
                            [(edge(i), 0.0), (edge(i + 1), c as f64)],
                            WHITE.stroke_width(1),
                        )
                    }),
            )?;
        }
        Ok(())
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn nearest_rank() {
        let v: Vec<f64> = (1..=100).map(f64::from).collect();
        assert_eq!(percentile(&v, 0.5), 50.0);
        assert_eq!(percentile(&v, 0.95), 95.0);
        assert_eq!(percentile(&v, 0.0), 1.0);
        assert_eq!(percentile(&[7.0], 0.99), 7.0);
    }
}
