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
    // Each group is as wide as the bars it has (a label missing from a group takes no
    // room there), groups separated by a gap of `GROUP_GAP` bar widths.
    let layout = Layout::new(ng, nl, |k| seen[k]);
    let x_axis = Axis::fixed(Scale::Linear, 0.0, layout.width, 2);

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
        // Group widths estimated before the chart exists: plot width minus the y label area.
        let unit_px = area.dim_in_pixel().0.saturating_sub(160) as f64 / layout.width;
        let slot_px = |gi: usize| ((layout.bars_in(gi) as f64 + GROUP_GAP) * unit_px) as u32;
        // Names that do not fit their group are written vertically (up to a fifth of the
        // canvas height, then shortened with "…").
        let vertical = groups
            .iter()
            .enumerate()
            .any(|(gi, g)| measure(g, TICK_PX).0 + 8 > slot_px(gi).max(20));
        let names: Vec<String> = groups
            .iter()
            .enumerate()
            .map(|(gi, g)| {
                let max_name = if vertical {
                    (root.dim_in_pixel().1 / 5).max(40)
                } else {
                    slot_px(gi).max(20) - 8
                };
                fit(g, TICK_PX, max_name)
            })
            .collect();
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
            EmptyElement::at((layout.center(i), y_axis.lo))
                + Text::new(name.clone(), (0, 10), name_style.clone())
        }))?;
        if vals().next().is_none() {
            return center_note(&ctx, "no data to plot");
        }
        let bar_x = |gi: usize, li: usize| {
            let x0 = layout.bar_start(gi, li);
            (x0 + 0.06, x0 + 0.94)
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
                vec![(0.0, 0.0), (layout.width, 0.0)],
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

/// Gap between bar groups, in bar widths.
const GROUP_GAP: f64 = 1.5;

/// Where the bars go on the x axis, in bar widths: group `g` holds one bar per label it
/// has, in label order, after the groups before it and a gap.
struct Layout {
    /// Start of each group's first bar.
    starts: Vec<f64>,
    /// Index of each (group, label) bar within its group; `None` if absent.
    slot: Vec<Option<usize>>,
    counts: Vec<usize>,
    labels: usize,
    width: f64,
}

impl Layout {
    fn new(groups: usize, labels: usize, present: impl Fn(usize) -> bool) -> Layout {
        let mut slot = vec![None; groups * labels];
        let mut counts = vec![0; groups];
        let mut starts = Vec::with_capacity(groups);
        let mut x = GROUP_GAP / 2.0;
        for g in 0..groups {
            starts.push(x);
            for l in 0..labels {
                if present(g * labels + l) {
                    slot[g * labels + l] = Some(counts[g]);
                    counts[g] += 1;
                }
            }
            x += counts[g].max(1) as f64 + GROUP_GAP;
        }
        let width = (x - GROUP_GAP / 2.0).max(1.0);
        Layout {
            starts,
            slot,
            counts,
            labels,
            width,
        }
    }

    fn bars_in(&self, group: usize) -> usize {
        self.counts[group].max(1)
    }

    fn center(&self, group: usize) -> f64 {
        self.starts[group] + self.bars_in(group) as f64 / 2.0
    }

    /// Left edge of the (group, label) bar; a label absent from the group maps to the
    /// group's start (callers draw only present bars).
    fn bar_start(&self, group: usize, label: usize) -> f64 {
        self.starts[group] + self.slot[group * self.labels + label].unwrap_or(0) as f64
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn groups_are_as_wide_as_their_bars() {
        // Group 0 has labels 0..5, group 1 only labels 5 and 6 (the messages.png case).
        let present = |k: usize| {
            let (g, l) = (k / 7, k % 7);
            if g == 0 { l < 5 } else { l >= 5 }
        };
        let lay = Layout::new(2, 7, present);
        assert_eq!(lay.bars_in(0), 5);
        assert_eq!(lay.bars_in(1), 2);
        assert_eq!(lay.bar_start(0, 0), GROUP_GAP / 2.0);
        // Group 1's first bar follows group 0's five bars and one gap, not seven slots.
        assert_eq!(lay.bar_start(1, 5), GROUP_GAP / 2.0 + 5.0 + GROUP_GAP);
        assert_eq!(lay.bar_start(1, 6), lay.bar_start(1, 5) + 1.0);
        assert_eq!(
            lay.width,
            GROUP_GAP / 2.0 + 5.0 + GROUP_GAP + 2.0 + GROUP_GAP / 2.0
        );
        assert_eq!(lay.center(1), lay.bar_start(1, 5) + 1.0);
    }
}
