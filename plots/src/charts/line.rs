//! Line chart with markers, confidence intervals and reference curves.

use plotters::element::{ErrorBar, PathElement, Polygon};
use plotters::series::DashedLineSeries;
use plotters::style::{Color, ShapeStyle};

use super::{bounds, runs};
use crate::axis::{Axis, Scale, Skipped};
use crate::frame::{
    AxesSpec, Frame, LegendEntry, Swatch, build_chart, center_note, simplify_px, tick_targets,
};
use crate::render::{DrawFail, render};
use crate::style::{Marker, SeriesStyle};
use crate::{Canvas, LineChart, PlotError, Series};

/// Series with at most this many intervals get error bars; more get a shaded band.
pub(crate) const ERROR_BAR_MAX_POINTS: usize = 30;
/// Series with at most this many points get a marker on every point; longer ones get
/// about `MARKERS_LONG` evenly spaced markers.
const MARKER_EVERY_POINT_MAX: usize = 60;
const MARKERS_LONG: usize = 40;
/// The same for reference curves, which are often finely sampled model curves.
const REF_MARKER_EVERY_POINT_MAX: usize = 15;
const REF_MARKERS_LONG: usize = 12;

/// One series, its undrawable points taken out.
struct Prepared {
    label: String,
    style: SeriesStyle,
    reference: bool,
    /// Points; `None` where the input point cannot be drawn.
    pts: Vec<Option<(f64, f64)>>,
    /// `(x, y, lo, hi)`; `lo == -inf` means "below the axis" (log scale, bound <= 0).
    ci: Vec<Option<(f64, f64, f64, f64)>>,
    /// Index of an earlier measured series with the very same points and intervals: this
    /// one would hide it, so it is drawn dashed with hollow markers and says so.
    same_as: Option<usize>,
}

fn prepare(
    s: &Series,
    style: SeriesStyle,
    reference: bool,
    xs: Scale,
    ys: Scale,
    skipped: &mut Skipped,
    cut: &mut bool,
) -> Prepared {
    let pts: Vec<Option<(f64, f64)>> = s
        .points
        .iter()
        .map(|&p| skipped.accept_point(xs, ys, p))
        .collect();
    let ci = match &s.ci {
        None => Vec::new(),
        Some(ci) => pts
            .iter()
            .zip(ci)
            .map(|(p, &(a, b))| {
                let (x, y) = (*p)?;
                let (a, b) = if a <= b { (a, b) } else { (b, a) };
                let hi = ys.accept(b)?;
                let lo = match ys.accept(a) {
                    Some(lo) => lo,
                    None if a.is_finite() && ys == Scale::Log10 => {
                        *cut = true;
                        f64::NEG_INFINITY
                    }
                    None => return None,
                };
                Some((x, y, lo, hi))
            })
            .collect(),
    };
    Prepared {
        label: s.label.clone(),
        style,
        reference,
        pts,
        ci,
        same_as: None,
    }
}

/// Marks each measured series that repeats an earlier one exactly (points and intervals).
fn mark_duplicates(prepared: &mut [Prepared]) {
    for j in 0..prepared.len() {
        if prepared[j].reference || prepared[j].pts.iter().flatten().next().is_none() {
            continue;
        }
        prepared[j].same_as = (0..j).find(|&i| {
            let (a, b) = (&prepared[i], &prepared[j]);
            !a.reference && a.same_as.is_none() && a.pts == b.pts && a.ci == b.ci
        });
    }
}

/// Draws a line chart (see [`LineChart`]) to `out`.
///
/// * Lines join consecutive drawable points in input order; a skipped point (NaN, or
///   `<= 0` on a log axis) breaks the line.
/// * Every point gets a marker when a series has at most 60 points, otherwise about 40
///   evenly spaced markers are drawn (staggered between series). Reference curves get a
///   marker on every point up to 15 points, otherwise about 12.
/// * Confidence intervals are error bars with caps when a series has at most 30 intervals
///   (those shorter than a marker are left out),
///   otherwise a translucent band. On a log y axis, a lower bound `<= 0` is cut at the
///   bottom of the plot (noted under the chart).
pub fn line_chart<'a>(out: impl Into<Canvas<'a>>, chart: &LineChart<'_>) -> Result<(), PlotError> {
    let canvas = out.into();
    let (xs, ys) = (chart.x_scale, chart.y_scale);
    let mut skipped = Skipped::default();
    let mut cut = false;
    let mut prepared: Vec<Prepared> = chart
        .series
        .iter()
        .enumerate()
        .map(|(i, s)| {
            prepare(
                s,
                SeriesStyle::nth(i),
                false,
                xs,
                ys,
                &mut skipped,
                &mut cut,
            )
        })
        .collect();
    let mut next_style = chart.series.len();
    for r in chart.reference {
        let style = match chart.series.iter().position(|s| s.label == r.label) {
            Some(k) => SeriesStyle::nth(k),
            None => {
                next_style += 1;
                SeriesStyle::nth(next_style - 1)
            }
        };
        prepared.push(prepare(r, style, true, xs, ys, &mut skipped, &mut cut));
    }
    mark_duplicates(&mut prepared);

    let all_pts = || prepared.iter().flat_map(|p| p.pts.iter().flatten());
    let x_data = bounds(all_pts().map(|p| p.0));
    let y_data = bounds(
        all_pts()
            .map(|p| p.1)
            .chain(
                prepared
                    .iter()
                    .flat_map(|p| p.ci.iter().flatten())
                    .flat_map(|c| [c.2, c.3]),
            )
            .filter(|v| v.is_finite()),
    );
    let (tx, ty) = tick_targets(canvas.width, canvas.height);
    let x_axis = Axis::auto(xs, x_data, 0.04, tx);
    let y_axis = Axis::auto(ys, y_data, 0.06, ty);

    let mut notes = skipped.notes("points");
    if cut {
        notes.push("confidence intervals reaching <= 0 are cut at the bottom (log scale)".into());
    }
    let has_ci = prepared
        .iter()
        .any(|p| p.ci.iter().flatten().next().is_some());
    if has_ci && !chart.ci_label.is_empty() {
        notes.push(chart.ci_label.to_string());
    }
    let legend = prepared
        .iter()
        .map(|p| LegendEntry {
            label: match p.same_as {
                _ if p.reference => format!("{} (reference)", p.label),
                Some(i) => format!("{} (same values as {})", p.label, prepared[i].label),
                None => p.label.clone(),
            },
            style: p.style,
            swatch: if chart.points_only {
                Swatch::Marker
            } else {
                Swatch::Line {
                    dashed: p.reference || p.same_as.is_some(),
                    hollow: p.reference || p.same_as.is_some(),
                }
            },
        })
        .collect();
    let frame = Frame {
        title: chart.title,
        subtitle: None,
        legend,
        notes,
    };

    render(canvas, |root| {
        let area = frame.draw(root)?;
        let mut ctx = build_chart(
            &area,
            &AxesSpec {
                x: &x_axis,
                y: &y_axis,
                x_desc: chart.x_label,
                y_desc: chart.y_label,
                x_grid: true,
                x_names_h: None,
            },
        )?;
        if x_data.is_none() {
            return center_note(&ctx, "no data to plot");
        }
        let clamp_ci = |c: &(f64, f64, f64, f64)| {
            (
                c.0,
                c.1,
                y_axis.clamp(c.2.max(y_axis.lo)),
                y_axis.clamp(c.3),
            )
        };

        // 1. Bands (under everything).
        for p in &prepared {
            if p.ci.iter().flatten().count() <= ERROR_BAR_MAX_POINTS {
                continue;
            }
            for run in runs(&p.ci) {
                if run.len() < 2 {
                    continue;
                }
                let poly: Vec<(f64, f64)> = run
                    .iter()
                    .map(|c| (c.0, clamp_ci(c).3))
                    .chain(run.iter().rev().map(|c| (c.0, clamp_ci(c).2)))
                    .collect();
                let alpha = if p.reference { 0.10 } else { 0.18 };
                ctx.draw_series(std::iter::once(Polygon::new(
                    poly,
                    p.style.color.mix(alpha).filled(),
                )))?;
            }
        }
        // 2. Lines: references (dashed) first, measured series on top.
        for p in prepared
            .iter()
            .filter(|p| p.reference)
            .chain(prepared.iter().filter(|p| !p.reference))
        {
            if chart.points_only {
                continue;
            }
            for run in runs(&p.pts) {
                let run = simplify_px(&ctx, &run);
                if p.reference || p.same_as.is_some() {
                    let style = ShapeStyle::from(p.style.color).stroke_width(2);
                    ctx.draw_series(DashedLineSeries::new(run, 10, 7, style))?;
                } else {
                    let style = ShapeStyle::from(p.style.color).stroke_width(3);
                    ctx.draw_series(std::iter::once(PathElement::new(run, style)))?;
                }
            }
        }
        // 3. Error bars.
        for p in &prepared {
            let n = p.ci.iter().flatten().count();
            if n == 0 || n > ERROR_BAR_MAX_POINTS {
                continue;
            }
            let style = ShapeStyle::from(p.style.color.mix(0.9)).stroke_width(2);
            // An interval shorter than the marker would only draw plotters' mean ring
            // around the marker: left out.
            let visible = |&(x, _, lo, hi): &(f64, f64, f64, f64)| {
                let (a, b) = (ctx.backend_coord(&(x, lo)), ctx.backend_coord(&(x, hi)));
                (a.1 - b.1).abs() > 10
            };
            let bars: Vec<_> =
                p.ci.iter()
                    .flatten()
                    .map(clamp_ci)
                    .filter(visible)
                    .collect();
            ctx.draw_series(
                bars.into_iter()
                    .map(|(x, y, lo, hi)| ErrorBar::new_vertical(x, lo, y, hi, style, 10)),
            )?;
        }
        // 4. Markers: references first, so measured markers stay visible on top.
        let n_series = prepared.len().max(1);
        let order = prepared
            .iter()
            .enumerate()
            .filter(|(_, p)| p.reference)
            .chain(prepared.iter().enumerate().filter(|(_, p)| !p.reference));
        for (si, p) in order {
            let valid: Vec<(f64, f64)> = p.pts.iter().flatten().copied().collect();
            let (every_max, long) = if p.reference {
                (REF_MARKER_EVERY_POINT_MAX, REF_MARKERS_LONG)
            } else {
                (MARKER_EVERY_POINT_MAX, MARKERS_LONG)
            };
            let step = if valid.len() <= every_max {
                1
            } else {
                valid.len().div_ceil(long)
            };
            let offset = if step > 1 { si * step / n_series } else { 0 };
            let marker = Marker {
                shape: p.style.shape,
                radius: if p.same_as.is_some() { 7.5 } else { 5.5 },
                color: p.style.color,
                alpha: 1.0,
                hollow: p.reference || p.same_as.is_some(),
            };
            ctx.draw_series(
                valid
                    .iter()
                    .skip(offset)
                    .step_by(step)
                    .map(|&at| marker.at(at)),
            )?;
        }
        Ok::<(), DrawFail>(())
    })
}
