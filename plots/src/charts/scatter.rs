//! Scatter plot of many `(time, value)` points, decimated deterministically.

use super::bounds;
use crate::axis::{Axis, Scale, Skipped, group_thousands};
use crate::decimate::{MAX_SCATTER_POINTS, budgets, thin};
use crate::frame::{AxesSpec, Frame, LegendEntry, Swatch, build_chart, center_note, tick_targets};
use crate::render::render;
use crate::style::{Marker, SeriesStyle};
use crate::{Canvas, PlotError, Series};

/// Draws the points of each series as markers (linear axes), e.g. attach latency against
/// attach time. The `ci` of a series is ignored.
///
/// At most [`MAX_SCATTER_POINTS`] (20 000) points are drawn, chosen deterministically (see
/// the crate docs / `docs/plots.md`: fair per-series budgets, one point per occupied grid
/// cell so outliers stay, evenly spaced picks for the rest). The legend gives each series'
/// full size, and a note says how many points were drawn when decimation happened.
/// Markers are translucent so that density remains visible, and the series are painted
/// interleaved (by relative position in their input) so none hides another entirely.
pub fn scatter_time<'a>(
    out: impl Into<Canvas<'a>>,
    title: &str,
    x_label: &str,
    y_label: &str,
    series: &[Series],
) -> Result<(), PlotError> {
    let canvas = out.into();
    let mut skipped = Skipped::default();
    let pts: Vec<Vec<(f64, f64)>> = series
        .iter()
        .map(|s| {
            s.points
                .iter()
                .filter_map(|&p| skipped.accept_point(Scale::Linear, Scale::Linear, p))
                .collect()
        })
        .collect();
    let all = || pts.iter().flatten();
    let x_data = bounds(all().map(|p| p.0));
    let y_data = bounds(all().map(|p| p.1));
    let (tx, ty) = tick_targets(canvas.width, canvas.height);
    let x_axis = Axis::auto(Scale::Linear, x_data, 0.03, tx);
    let y_axis = Axis::auto(Scale::Linear, y_data, 0.05, ty);

    let sizes: Vec<usize> = pts.iter().map(Vec::len).collect();
    let total: usize = sizes.iter().sum();
    let budget = budgets(&sizes, MAX_SCATTER_POINTS);
    let area_bounds = ((x_axis.lo, x_axis.hi), (y_axis.lo, y_axis.hi));
    let kept: Vec<Vec<usize>> = pts
        .iter()
        .zip(&budget)
        .map(|(p, &b)| thin(p, area_bounds, b))
        .collect();
    let drawn: usize = kept.iter().map(Vec::len).sum();

    let mut notes = skipped.notes("points");
    if drawn < total {
        notes.push(format!(
            "{} of {} points drawn (deterministic decimation; outliers kept)",
            group_thousands(drawn),
            group_thousands(total)
        ));
    }
    let legend = series
        .iter()
        .zip(&sizes)
        .enumerate()
        .map(|(i, (s, &n))| LegendEntry {
            label: format!("{} (n = {})", s.label, group_thousands(n)),
            style: SeriesStyle::nth(i),
            swatch: Swatch::Marker,
        })
        .collect();
    let frame = Frame {
        title,
        subtitle: None,
        legend,
        notes,
    };
    // Small clouds get bigger, more opaque markers.
    let (radius, alpha) = if drawn <= 2_000 {
        (4.5, 0.85)
    } else {
        (3.0, 0.55)
    };

    render(canvas, |root| {
        let area = frame.draw(root)?;
        let mut ctx = build_chart(
            &area,
            &AxesSpec {
                x: &x_axis,
                y: &y_axis,
                x_desc: x_label,
                y_desc: y_label,
                x_grid: true,
                x_names_h: None,
            },
        )?;
        if x_data.is_none() {
            return center_note(&ctx, "no data to plot");
        }
        // Interleave the series by relative position in their input, so that no series
        // is painted entirely over another.
        let mut order: Vec<(u64, usize, usize)> = kept
            .iter()
            .enumerate()
            .flat_map(|(i, keep)| {
                let n = keep.len() as u64;
                keep.iter()
                    .enumerate()
                    .map(move |(j, &k)| ((j as u64 * (1 << 32)) / n, i, k))
            })
            .collect();
        order.sort_unstable();
        let markers: Vec<Marker> = (0..pts.len())
            .map(|i| {
                let style = SeriesStyle::nth(i);
                Marker {
                    shape: style.shape,
                    radius,
                    color: style.color,
                    alpha,
                    hollow: false,
                }
            })
            .collect();
        ctx.draw_series(order.iter().map(|&(_, i, k)| markers[i].at(pts[i][k])))?;
        Ok(())
    })
}
