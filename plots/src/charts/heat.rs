//! Heat map: a value per (row, column) cell, coloured on a fixed range.

use plotters::element::Rectangle;
use plotters::style::text_anchor::{HPos, Pos, VPos};
use plotters::style::{BLACK, Color, FontTransform, RGBColor, WHITE};

use crate::axis::significant;
use crate::frame::{Frame, TICK_PX, VALUE_PX, fit, measure, text};
use crate::render::render;
use crate::{Canvas, HeatMap, PlotError};

/// The colour at the low end of the range (white) and at the high end.
const LOW: (f64, f64, f64) = (255.0, 255.0, 255.0);
const HIGH: (f64, f64, f64) = (33.0, 102.0, 172.0);
/// A cell without a value.
const EMPTY: RGBColor = RGBColor(230, 230, 230);

/// Draws one coloured cell per `(row, column)` with its value written in it,
/// colour from white at `range.0` to blue at `range.1` (values outside are
/// clamped); a missing or non-finite value is a grey cell marked "–".
///
/// `values` is row-major, `rows.len() × columns.len()` long; another length, an
/// empty or reversed range is [`PlotError::InvalidInput`]. Column names that do
/// not fit their column are written vertically.
pub fn heat_map<'a>(out: impl Into<Canvas<'a>>, chart: &HeatMap<'_>) -> Result<(), PlotError> {
    let canvas = out.into();
    let (nr, nc) = (chart.rows.len(), chart.columns.len());
    if chart.values.len() != nr * nc {
        return Err(PlotError::invalid(
            canvas.path,
            format!("{} values for {nr} rows × {nc} columns", chart.values.len()),
        ));
    }
    let (lo, hi) = chart.range;
    if !(lo.is_finite() && hi.is_finite() && hi > lo) {
        return Err(PlotError::invalid(
            canvas.path,
            format!("colour range {lo}..{hi} is empty"),
        ));
    }
    let frame = Frame {
        title: chart.title,
        subtitle: Some(format!(
            "{}: white {} … blue {}",
            chart.value_label,
            significant(lo, 3),
            significant(hi, 3)
        )),
        legend: Vec::new(),
        notes: Vec::new(),
    };
    render(canvas, |root| {
        let area = frame.draw(root)?;
        let (w, h) = area.dim_in_pixel();
        if nr == 0 || nc == 0 {
            let style = text(TICK_PX, BLACK).pos(Pos::new(HPos::Center, VPos::Center));
            area.draw_text("no data to plot", &style, (w as i32 / 2, h as i32 / 2))?;
            return Ok(());
        }
        let row_w = chart
            .rows
            .iter()
            .map(|r| measure(r, TICK_PX).0)
            .max()
            .unwrap_or(0)
            .min(w / 4)
            + 16;
        let cell_w = (w.saturating_sub(row_w + 20) / nc as u32).max(1);
        let vertical = chart
            .columns
            .iter()
            .any(|c| measure(c, TICK_PX).0 + 8 > cell_w);
        let names: Vec<String> = chart
            .columns
            .iter()
            .map(|c| {
                let max = if vertical { h / 3 } else { cell_w - 8 };
                fit(c, TICK_PX, max.max(20))
            })
            .collect();
        let head_h = if vertical {
            names
                .iter()
                .map(|n| measure(n, TICK_PX).0)
                .max()
                .unwrap_or(0)
                + 12
        } else {
            measure("Hg", TICK_PX).1 + 12
        };
        let cell_h = (h.saturating_sub(head_h + 10) / nr as u32).max(1);
        let (x0, y0) = (row_w as i32, head_h as i32);
        for (i, name) in names.iter().enumerate() {
            let cx = x0 + (i as u32 * cell_w + cell_w / 2) as i32;
            if vertical {
                let style = text(TICK_PX, BLACK)
                    .transform(FontTransform::Rotate270)
                    .pos(Pos::new(HPos::Left, VPos::Center));
                area.draw_text(name, &style, (cx, y0 - 6))?;
            } else {
                let style = text(TICK_PX, BLACK).pos(Pos::new(HPos::Center, VPos::Bottom));
                area.draw_text(name, &style, (cx, y0 - 6))?;
            }
        }
        for (r, name) in chart.rows.iter().enumerate() {
            let cy = y0 + (r as u32 * cell_h + cell_h / 2) as i32;
            let style = text(TICK_PX, BLACK).pos(Pos::new(HPos::Right, VPos::Center));
            area.draw_text(&fit(name, TICK_PX, row_w - 16), &style, (x0 - 8, cy))?;
            for c in 0..nc {
                let v = chart.values[r * nc + c].filter(|v| v.is_finite());
                let left = x0 + (c as u32 * cell_w) as i32;
                let top = y0 + (r as u32 * cell_h) as i32;
                let color = v.map_or(EMPTY, |v| shade((v - lo) / (hi - lo)));
                area.draw(&Rectangle::new(
                    [(left, top), (left + cell_w as i32, top + cell_h as i32)],
                    color.filled(),
                ))?;
                area.draw(&Rectangle::new(
                    [(left, top), (left + cell_w as i32, top + cell_h as i32)],
                    WHITE.stroke_width(2),
                ))?;
                let label = v.map_or("–".to_string(), |v| significant(v, 3));
                if measure(&label, VALUE_PX).0 + 4 <= cell_w {
                    let dark = v.is_some_and(|v| (v - lo) / (hi - lo) > 0.55);
                    let style = text(VALUE_PX, if dark { WHITE } else { BLACK })
                        .pos(Pos::new(HPos::Center, VPos::Center));
                    area.draw_text(
                        &label,
                        &style,
                        (left + cell_w as i32 / 2, top + cell_h as i32 / 2),
                    )?;
                }
            }
        }
        Ok(())
    })
}

/// The colour at `t` (0..=1, clamped) between [`LOW`] and [`HIGH`].
fn shade(t: f64) -> RGBColor {
    let t = t.clamp(0.0, 1.0);
    let mix = |a: f64, b: f64| (a + (b - a) * t).round() as u8;
    RGBColor(mix(LOW.0, HIGH.0), mix(LOW.1, HIGH.1), mix(LOW.2, HIGH.2))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn shades_run_from_white_to_blue_and_clamp() {
        assert_eq!(shade(0.0), RGBColor(255, 255, 255));
        assert_eq!(shade(1.0), RGBColor(33, 102, 172));
        assert_eq!(shade(7.0), shade(1.0));
        assert_eq!(shade(-1.0), shade(0.0));
    }

    #[test]
    fn a_wrong_number_of_values_is_an_error() {
        let path =
            std::env::temp_dir().join(format!("authsim-heat-test-{}.png", std::process::id()));
        let rows = ["a".to_string()];
        let cols = ["x".to_string(), "y".to_string()];
        let chart = HeatMap {
            title: "t",
            value_label: "share",
            rows: &rows,
            columns: &cols,
            values: &[Some(0.5)],
            range: (0.0, 1.0),
        };
        assert!(matches!(
            heat_map(&path, &chart),
            Err(PlotError::InvalidInput { .. })
        ));
        let ok = HeatMap {
            values: &[Some(0.5), None],
            ..chart
        };
        heat_map(&path, &ok).unwrap();
        assert!(std::fs::metadata(&path).unwrap().len() > 0);
        std::fs::remove_file(&path).unwrap();
    }
}
