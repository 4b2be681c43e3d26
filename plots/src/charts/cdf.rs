//! Empirical CDFs of several samples.

use plotters::element::PathElement;
use plotters::style::ShapeStyle;

use super::bounds;
use crate::axis::{Axis, Scale, Skipped};
use crate::frame::{
    AxesSpec, Frame, LegendEntry, Swatch, build_chart, center_note, simplify_px, tick_targets,
};
use crate::render::render;
use crate::style::{Marker, SeriesStyle};
use crate::{Canvas, PlotError};

/// Samples larger than this are drawn through this many evenly spaced ranks.
const MAX_STEPS: usize = 2000;
/// Markers per curve (to tell the curves apart without colour).
const MARKERS: usize = 6;

/// Draws the empirical CDF of each `(label, values)` sample: a step curve rising by `1/n`
/// at each value, from 0 (left edge) to 1 (right edge); y is the fraction of values `<= x`.
///
/// Samples over 2000 values are drawn as a polyline through 2000 evenly spaced ranks
/// (always including the minimum and maximum). Each curve carries 6 markers at staggered quantiles. The
/// legend shows each sample's size. NaN/infinite values are skipped (noted); an empty
/// sample stays in the legend with `n = 0`.
pub fn cdf_chart<'a>(
    out: impl Into<Canvas<'a>>,
    title: &str,
    x_label: &str,
    series: &[(String, Vec<f64>)],
) -> Result<(), PlotError> {
    let canvas = out.into();
    let mut skipped = Skipped::default();
    let samples: Vec<Vec<f64>> = series
        .iter()
        .map(|(_, vals)| {
            let mut v: Vec<f64> = vals
                .iter()
                .filter_map(|&x| skipped.accept(Scale::Linear, x))
                .collect();
            v.sort_by(f64::total_cmp);
            v
        })
        .collect();
    let x_data = bounds(
        samples
            .iter()
            .filter_map(|s| Some([*s.first()?, *s.last()?]))
            .flatten(),
    );
    let (tx, ty) = tick_targets(canvas.width, canvas.height);
    let x_axis = Axis::auto(Scale::Linear, x_data, 0.04, tx);
    let y_axis = Axis::fixed(Scale::Linear, -0.02, 1.02, ty.min(6));

    let legend = series
        .iter()
        .zip(&samples)
        .enumerate()
        .map(|(i, ((label, _), s))| LegendEntry {
            label: format!("{label} (n = {})", crate::axis::group_thousands(s.len())),
            style: SeriesStyle::nth(i),
            swatch: Swatch::Line {
                dashed: false,
                hollow: false,
            },
        })
        .collect();
    let frame = Frame {
        title,
        subtitle: None,
        legend,
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
                y_desc: "cumulative fraction",
                x_grid: true,
                x_names_h: None,
            },
        )?;
        if x_data.is_none() {
            return center_note(&ctx, "no data to plot");
        }
        let k = samples.len();
        for (i, s) in samples.iter().enumerate() {
            let n = s.len();
            if n == 0 {
                continue;
            }
            let ranks: Vec<usize> = if n <= MAX_STEPS {
                (0..n).collect()
            } else {
                (0..MAX_STEPS)
                    .map(|j| j * (n - 1) / (MAX_STEPS - 1))
                    .collect()
            };
            let frac = |r: usize| (r + 1) as f64 / n as f64;
            let mut path = vec![(x_axis.lo, 0.0), (s[ranks[0]], 0.0)];
            if n <= MAX_STEPS {
                // Exact step function.
                let mut level = 0.0;
                for &r in &ranks {
                    path.push((s[r], level));
                    level = frac(r);
                    path.push((s[r], level));
                }
            } else {
                // Through the sampled ranks (steps would be below one pixel anyway).
                path.extend(ranks.iter().map(|&r| (s[r], frac(r))));
            }
            path.push((x_axis.hi, 1.0));
            let style = SeriesStyle::nth(i);
            let path = simplify_px(&ctx, &path);
            ctx.draw_series(std::iter::once(PathElement::new(
                path,
                ShapeStyle::from(style.color).stroke_width(3),
            )))?;
            let stagger = (i + 1) as f64 / (k + 1) as f64;
            let marker = Marker {
                shape: style.shape,
                radius: 5.5,
                color: style.color,
                alpha: 1.0,
                hollow: false,
            };
            ctx.draw_series((0..MARKERS).map(|m| {
                let q = (m as f64 + stagger) / MARKERS as f64;
                let r = ((q * n as f64).ceil() as usize).clamp(1, n) - 1;
                marker.at((s[r], frac(r)))
            }))?;
        }
        Ok(())
    })
}
