//! Grouped bar chart.

use plotters::element::{EmptyElement, PathElement, Rectangle, Text};
use plotters::style::text_anchor::{HPos, Pos, VPos};
use plotters::style::{BLACK, Color, FontTransform, ShapeStyle};

use crate::axis::{Axis, Scale, Skipped, significant};
use crate::frame::{
    AxesSpec, Frame, LegendEntry, Swatch, TICK_PX, VALUE_PX, build_chart, center_note, fit,
    measure, text, tick_targets,
};
use crate::render::render;
use crate::style::SeriesStyle;
use crate::{Bar, Canvas, PlotError};

/// Value labels are written above bars only when there are at most this many bars.
const MAX_VALUE_LABELS: usize = 48;

/// Draws one cluster of bars per `group` (x axis, first-seen order) with one bar per
/// `label` (colour, legend, first-seen order), from 0 to `value`.
///
/// A missing `(group, label)` pair leaves a gap; a duplicate pair is an error
/// ([`PlotError::InvalidInput`]). Non-finite values are skipped (noted). Negative values
/// hang below a zero line. Values are written above the bars when they fit. Group names
/// too long for their slot are written vertically, and shortened with "…" beyond a fifth
/// of the canvas height.
pub fn grouped_bar_chart<'a>(
    out: impl Into<Canvas<'a>>,
    title: &str,
    y_label: &str,
    bars: &[Bar],
) -> Result<(), PlotError> {
    let canvas = out.into();
    let mut groups: Vec<&str> = Vec::new();
    let mut labels: Vec<&str> = Vec::new();
    for b in bars {
        if !groups.contains(&b.group.as_str()) {
            groups.push(&b.group);
        }
        if !labels.contains(&b.label.as_str()) {
            labels.push(&b.label);
        }
    }
    let (ng, nl) = (groups.len(), labels.len());
    let mut value: Vec<Option<f64>> = vec![None; ng * nl];
    let mut seen = vec![false; ng * nl];
    let mut skipped = Skipped::default();
    for b in bars {
        let gi = groups.iter().position(|g| *g == b.group).unwrap_or(0);
        let li = labels.iter().position(|l| *l == b.label).unwrap_or(0);
        let k = gi * nl + li;
        if seen[k] {
            return Err(PlotError::invalid(
                canvas.path,
                format!("duplicate bar: group {:?}, label {:?}", b.group, b.label),
            ));
        }
        seen[k] = true;
        value[k] = skipped.accept(Scale::Linear, b.value);
    }

    let vals = || value.iter().flatten().copied();
    let lo = vals().fold(0.0f64, f64::min);
    let hi = vals().fold(0.0f64, f64::max);
    let (lo, hi) = if hi > lo { (lo, hi) } else { (0.0, 1.0) };
    let span = hi - lo;
    let (lo, hi) = (
        if lo < 0.0 { lo - 0.1 * span } else { 0.0 },
        if hi > 0.0 { hi + 0.1 * span } else { 0.0 },
    );
    let (_, ty) = tick_targets(canvas.width, canvas.height);
    let y_axis = Axis::fixed(Scale::Linear, lo, hi, ty);
    let n_slots = ng.max(1);
    let x_axis = Axis::fixed(Scale::Linear, 0.0, n_slots as f64, 2);

    let legend = labels
        .iter()
        .enumerate()
        .map(|(i, l)| LegendEntry {
            label: l.to_string(),
            style: SeriesStyle::nth(i),
            swatch: Swatch::Box,
        })
        .collect();
    let frame = Frame {
        title,
        subtitle: None,
        legend,
        notes: skipped.notes("bars"),
    };

    render(canvas, |root| {
        let area = frame.draw(root)?;
        // Slot width estimate before the chart exists: plot width minus the y label area.
        let slot_px = (area.dim_in_pixel().0.saturating_sub(160) / n_slots as u32).max(20);
        // Names that do not fit their slot are written vertically (up to a fifth of the
        // canvas height, then shortened with "…").
        let vertical = groups.iter().any(|g| measure(g, TICK_PX).0 + 8 > slot_px);
        let max_name = if vertical {
            (root.dim_in_pixel().1 / 5).max(40)
        } else {
            slot_px - 8
        };
        let names: Vec<String> = groups.iter().map(|g| fit(g, TICK_PX, max_name)).collect();
        let names_h = if vertical {
            names
                .iter()
                .map(|n| measure(n, TICK_PX).0)
                .max()
                .unwrap_or(0)
        } else {
            measure("Hg", TICK_PX).1
        };
        let mut ctx = build_chart(
            &area,
            &AxesSpec {
                x: &x_axis,
                y: &y_axis,
                x_desc: "",
                y_desc: y_label,
                x_grid: false,
                x_names_h: Some(names_h),
            },
        )?;
        // Group names under their clusters, written by plotters as text elements.
        let name_style = if vertical {
            text(TICK_PX, BLACK)
                .transform(FontTransform::Rotate270)
                .pos(Pos::new(HPos::Right, VPos::Center))
        } else {
            text(TICK_PX, BLACK).pos(Pos::new(HPos::Center, VPos::Top))
        };
        ctx.draw_series(names.iter().enumerate().map(|(i, name)| {
            EmptyElement::at((i as f64 + 0.5, y_axis.lo))
                + Text::new(name.clone(), (0, 10), name_style.clone())
        }))?;
        if vals().next().is_none() {
            return center_note(&ctx, "no data to plot");
        }
        let bw = 0.8 / nl as f64;
        let bar_x = |gi: usize, li: usize| {
            let x0 = gi as f64 + 0.1 + li as f64 * bw;
            (x0 + 0.06 * bw, x0 + bw - 0.06 * bw)
        };
        for li in 0..nl {
            let color = SeriesStyle::nth(li).color;
            ctx.draw_series((0..ng).filter_map(|gi| {
                let v = value[gi * nl + li]?;
                let (a, b) = bar_x(gi, li);
                Some(Rectangle::new([(a, 0.0), (b, v)], color.filled()))
            }))?;
        }
        if lo < 0.0 {
            ctx.draw_series(std::iter::once(PathElement::new(
                vec![(0.0, 0.0), (n_slots as f64, 0.0)],
                ShapeStyle::from(BLACK).stroke_width(1),
            )))?;
        }
        // Value labels, only where they fit over the bar.
        if value.iter().flatten().count() <= MAX_VALUE_LABELS {
            let bar_px = {
                let (a, b) = bar_x(0, 0);
                (ctx.backend_coord(&(b, 0.0)).0 - ctx.backend_coord(&(a, 0.0)).0) as u32
            };
            let gap = (y_axis.hi - y_axis.lo) * 0.01;
            for gi in 0..ng {
                for li in 0..nl {
                    let Some(v) = value[gi * nl + li] else {
                        continue;
                    };
                    let s = significant(v, 4);
                    if measure(&s, VALUE_PX).0 + 4 > bar_px.saturating_add(14) {
                        continue;
                    }
                    let (a, b) = bar_x(gi, li);
                    let (y, v_pos) = if v >= 0.0 {
                        (v + gap, VPos::Bottom)
                    } else {
                        (v - gap, VPos::Top)
                    };
                    let style = text(VALUE_PX, BLACK).pos(Pos::new(HPos::Center, v_pos));
                    ctx.plotting_area()
                        .draw(&Text::new(s, (0.5 * (a + b), y), style))?;
                }
            }
        }
        Ok(())
    })
}
