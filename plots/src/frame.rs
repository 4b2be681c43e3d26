//! Rendering into a PNG file, and the common chart frame: title, subtitle, legend panel,
//! notes and the axes with their ticks.

use std::panic::{AssertUnwindSafe, catch_unwind};
use std::path::Path;

use plotters::backend::BitMapBackend;
use plotters::chart::{ChartBuilder, ChartContext};
use plotters::coord::Shift;
use plotters::coord::cartesian::Cartesian2d;
use plotters::coord::ranged1d::{DefaultFormatting, KeyPointHint, Ranged};
use plotters::drawing::{DrawingArea, IntoDrawingArea};
use plotters::element::{PathElement, Rectangle, Text};
use plotters::style::text_anchor::{HPos, Pos, VPos};
use plotters::style::{BLACK, Color, IntoFont, RGBColor, ShapeStyle, TextStyle, WHITE};

use crate::axis::Axis;
use crate::style::{Marker, SeriesStyle};
use crate::{Canvas, PlotError, font};

pub(crate) type Area<'b> = DrawingArea<BitMapBackend<'b>, Shift>;
pub(crate) type Coord = Cartesian2d<Ticked, Ticked>;

/// A linear f64 coordinate whose tick positions come from an [`Axis`] (plotters' own
/// `WithKeyPoints` wrapper loses the value formatter needed by the mesh).
#[derive(Clone, Debug)]
pub(crate) struct Ticked {
    lo: f64,
    hi: f64,
    major: Vec<f64>,
    minor: Vec<f64>,
}

impl Ticked {
    fn new(a: &Axis) -> Self {
        Ticked {
            lo: a.lo,
            hi: a.hi,
            major: a.major.clone(),
            minor: a.minor.clone(),
        }
    }
}

impl Ranged for Ticked {
    type FormatOption = DefaultFormatting;
    type ValueType = f64;

    fn map(&self, v: &f64, limit: (i32, i32)) -> i32 {
        let frac = if self.hi > self.lo {
            ((v - self.lo) / (self.hi - self.lo)).clamp(-4.0, 5.0)
        } else {
            0.5
        };
        let len = (limit.1 - limit.0) as f64;
        if frac.is_nan() {
            return limit.0;
        }
        // Same rounding as plotters' own f64 coordinate.
        if len >= 0.0 {
            limit.0 + (len * frac + 1e-3).floor() as i32
        } else {
            limit.0 + (len * frac - 1e-3).ceil() as i32
        }
    }

    fn key_points<H: KeyPointHint>(&self, hint: H) -> Vec<f64> {
        if hint.weight().allow_light_points() {
            self.minor.clone()
        } else {
            self.major.clone()
        }
    }

    fn range(&self) -> std::ops::Range<f64> {
        self.lo..self.hi
    }
}
pub(crate) type Chart<'a, 'b> = ChartContext<'a, BitMapBackend<'b>, Coord>;

/// Font sizes in pixels.
pub(crate) const TITLE_PX: u32 = 30;
pub(crate) const SUBTITLE_PX: u32 = 20;
pub(crate) const AXIS_DESC_PX: u32 = 22;
pub(crate) const TICK_PX: u32 = 18;
pub(crate) const LEGEND_PX: u32 = 20;
pub(crate) const NOTE_PX: u32 = 18;

const NOTE_GREY: RGBColor = RGBColor(90, 90, 90);
const GRID: RGBColor = RGBColor(210, 210, 210);
const GRID_LIGHT: RGBColor = RGBColor(236, 236, 236);

/// Canvas size limits; outside them the layout cannot work.
pub(crate) const MIN_SIZE: (u32, u32) = (400, 300);
pub(crate) const MAX_SIZE: (u32, u32) = (10_000, 10_000);

/// Internal drawing failure (converted to [`PlotError::Draw`] with the output path).
#[derive(Debug)]
pub(crate) struct DrawFail(pub String);

impl<E: std::error::Error> From<E> for DrawFail {
    fn from(e: E) -> Self {
        DrawFail(e.to_string())
    }
}

/// Renders a chart with `draw` on a white canvas and writes it as PNG to `canvas.path`.
///
/// Nothing is written if drawing fails. A panic inside plotters is caught and reported as
/// [`PlotError::Draw`] (a safety net: the chart code itself avoids panicking paths).
pub(crate) fn render(
    canvas: Canvas<'_>,
    draw: impl FnOnce(&Area<'_>) -> Result<(), DrawFail>,
) -> Result<(), PlotError> {
    let path = canvas.path;
    let (w, h) = (canvas.width, canvas.height);
    if !(MIN_SIZE.0..=MAX_SIZE.0).contains(&w) || !(MIN_SIZE.1..=MAX_SIZE.1).contains(&h) {
        return Err(PlotError::invalid(
            path,
            format!(
                "canvas size {w}x{h} outside {}x{}..={}x{}",
                MIN_SIZE.0, MIN_SIZE.1, MAX_SIZE.0, MAX_SIZE.1
            ),
        ));
    }
    if !font::ensure_registered() {
        return Err(PlotError::Font {
            path: path.to_path_buf(),
        });
    }
    let mut buf = vec![255u8; w as usize * h as usize * 3];
    let drawn = catch_unwind(AssertUnwindSafe(|| -> Result<(), DrawFail> {
        let root = BitMapBackend::with_buffer(&mut buf, (w, h)).into_drawing_area();
        root.fill(&WHITE)?;
        draw(&root)?;
        root.present()?;
        Ok(())
    }));
    match drawn {
        Ok(Ok(())) => {}
        Ok(Err(DrawFail(reason))) => {
            return Err(PlotError::Draw {
                path: path.to_path_buf(),
                reason,
            });
        }
        Err(panic) => {
            let reason = panic
                .downcast_ref::<&str>()
                .map(|s| s.to_string())
                .or_else(|| panic.downcast_ref::<String>().cloned())
                .unwrap_or_else(|| "panic while drawing".to_string());
            return Err(PlotError::Draw {
                path: path.to_path_buf(),
                reason: format!("internal error: {reason}"),
            });
        }
    }
    write_png(path, w, h, &buf)
}

/// Encodes an RGB8 buffer as PNG (deterministic: no timestamps or text chunks).
fn write_png(path: &Path, w: u32, h: u32, rgb: &[u8]) -> Result<(), PlotError> {
    let encode = || -> Result<Vec<u8>, png::EncodingError> {
        let mut bytes = Vec::new();
        let mut enc = png::Encoder::new(&mut bytes, w, h);
        enc.set_color(png::ColorType::Rgb);
        enc.set_depth(png::BitDepth::Eight);
        enc.set_compression(png::Compression::Default);
        let mut writer = enc.write_header()?;
        writer.write_image_data(rgb)?;
        writer.finish()?;
        Ok(bytes)
    };
    let bytes = encode().map_err(|e| PlotError::Draw {
        path: path.to_path_buf(),
        reason: format!("PNG encoding failed: {e}"),
    })?;
    std::fs::write(path, bytes).map_err(|source| PlotError::Write {
        path: path.to_path_buf(),
        source,
    })
}

/// A text style of the bundled font.
pub(crate) fn text_style(px: u32, color: RGBColor) -> TextStyle<'static> {
    (font::FAMILY, px).into_font().color(&color)
}

/// Width in pixels of `s` in `style` (0 if it cannot be measured).
pub(crate) fn text_width(area: &Area<'_>, s: &str, style: &TextStyle<'_>) -> u32 {
    area.estimate_text_size(s, style).map(|d| d.0).unwrap_or(0)
}

/// `s`, shortened with "…" so that it is at most `max_w` pixels wide.
pub(crate) fn fit_text(area: &Area<'_>, s: &str, style: &TextStyle<'_>, max_w: u32) -> String {
    if text_width(area, s, style) <= max_w {
        return s.to_string();
    }
    let chars: Vec<char> = s.chars().collect();
    // Binary search on the kept prefix length.
    let (mut lo, mut hi) = (0usize, chars.len());
    while lo < hi {
        let mid = (lo + hi).div_ceil(2);
        let cand: String = chars[..mid].iter().collect::<String>() + "…";
        if text_width(area, &cand, style) <= max_w {
            lo = mid;
        } else {
            hi = mid - 1;
        }
    }
    chars[..lo].iter().collect::<String>() + "…"
}

/// How a legend entry is pictured.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Swatch {
    /// A line sample, solid or dashed, with a marker in its middle (hollow for references).
    Line { dashed: bool, hollow: bool },
    /// A marker only (scatter plots).
    Marker,
    /// A filled box (bars).
    Box,
}

/// One legend row.
#[derive(Clone, Debug)]
pub(crate) struct LegendEntry {
    pub label: String,
    pub style: SeriesStyle,
    pub swatch: Swatch,
}

/// Everything around the plotting area.
pub(crate) struct Frame<'t> {
    pub title: &'t str,
    pub subtitle: Option<String>,
    pub legend: Vec<LegendEntry>,
    pub notes: Vec<String>,
}

const LEGEND_ROW: i32 = 30;
const SWATCH_W: i32 = 48;

impl Frame<'_> {
    /// Draws title, subtitle, notes and legend; returns the area left for the chart.
    pub(crate) fn draw<'b>(&self, root: &Area<'b>) -> Result<Area<'b>, DrawFail> {
        let (w, h) = root.dim_in_pixel();
        let (w, h) = (w as i32, h as i32);
        let mut top = 14;

        let title_style = text_style(TITLE_PX, BLACK);
        let title = fit_text(root, self.title, &title_style, (w - 40) as u32);
        root.draw(&Text::new(
            title,
            (w / 2, top),
            title_style.pos(Pos::new(HPos::Center, VPos::Top)),
        ))?;
        top += TITLE_PX as i32 + 10;
        if let Some(sub) = &self.subtitle {
            let st = text_style(SUBTITLE_PX, NOTE_GREY);
            let sub = fit_text(root, sub, &st, (w - 40) as u32);
            root.draw(&Text::new(
                sub,
                (w / 2, top),
                st.pos(Pos::new(HPos::Center, VPos::Top)),
            ))?;
            top += SUBTITLE_PX as i32 + 8;
        }

        let note_style = text_style(NOTE_PX, NOTE_GREY);
        let note_row = NOTE_PX as i32 + 6;
        let notes_h = if self.notes.is_empty() {
            0
        } else {
            self.notes.len() as i32 * note_row + 8
        };
        let notes_top = h - notes_h;
        for (i, note) in self.notes.iter().enumerate() {
            let s = fit_text(root, &format!("Note: {note}"), &note_style, (w - 40) as u32);
            root.draw(&Text::new(
                s,
                (20, notes_top + i as i32 * note_row),
                note_style.pos(Pos::new(HPos::Left, VPos::Top)),
            ))?;
        }

        let legend_w = self.draw_legend(root, top + 16, notes_top - 10)?;
        let body_h = (notes_top - top).max(50);
        Ok(root
            .clone()
            .shrink((0, top), ((w - legend_w).max(100), body_h)))
    }

    /// Draws the legend panel at the right edge; returns its width (0 without entries).
    fn draw_legend(&self, root: &Area<'_>, top: i32, bottom: i32) -> Result<i32, DrawFail> {
        if self.legend.is_empty() {
            return Ok(0);
        }
        let (w, _) = root.dim_in_pixel();
        let w = w as i32;
        let style = text_style(LEGEND_PX, BLACK);
        let max_text = ((w as f64 * 0.30) as i32 - SWATCH_W - 40).max(60) as u32;
        let rows_fit = ((bottom - top - 16) / LEGEND_ROW).max(1) as usize;
        let mut labels: Vec<String> = self
            .legend
            .iter()
            .map(|e| fit_text(root, &e.label, &style, max_text))
            .collect();
        let shown = if labels.len() > rows_fit {
            let shown = rows_fit.saturating_sub(1);
            labels.truncate(shown);
            labels.push(format!("(+{} more)", self.legend.len() - shown));
            shown
        } else {
            labels.len()
        };
        let text_w = labels
            .iter()
            .map(|l| text_width(root, l, &style))
            .max()
            .unwrap_or(0) as i32;
        let box_w = 12 + SWATCH_W + 10 + text_w + 12;
        let panel_w = box_w + 24;
        let x0 = w - panel_w + 8;
        let box_h = labels.len() as i32 * LEGEND_ROW + 12;
        root.draw(&Rectangle::new(
            [(x0, top), (x0 + box_w, top + box_h)],
            ShapeStyle::from(RGBColor(160, 160, 160)).stroke_width(1),
        ))?;
        for (i, label) in labels.iter().enumerate() {
            let cy = top + 6 + i as i32 * LEGEND_ROW + LEGEND_ROW / 2;
            let sx = x0 + 12;
            if i < shown {
                let e = &self.legend[i];
                draw_swatch(root, e, (sx, cy))?;
            }
            root.draw(&Text::new(
                label.clone(),
                (sx + SWATCH_W + 10, cy),
                style.pos(Pos::new(HPos::Left, VPos::Center)),
            ))?;
        }
        Ok(panel_w)
    }
}

/// Draws a legend swatch whose left edge is at `x`, vertically centred on `cy`.
fn draw_swatch(root: &Area<'_>, e: &LegendEntry, (x, cy): (i32, i32)) -> Result<(), DrawFail> {
    let color = e.style.color;
    let mid = x + SWATCH_W / 2;
    let marker = |hollow: bool| Marker {
        at: (0.0, 0.0),
        shape: e.style.shape,
        radius: 6.0,
        color,
        alpha: 1.0,
        hollow,
    };
    match e.swatch {
        Swatch::Line { dashed, hollow } => {
            let line = ShapeStyle::from(color).stroke_width(if dashed { 2 } else { 3 });
            if dashed {
                for k in 0..4 {
                    let a = x + k * 13;
                    root.draw(&PathElement::new(
                        vec![(a, cy), ((a + 8).min(x + SWATCH_W), cy)],
                        line,
                    ))?;
                }
            } else {
                root.draw(&PathElement::new(vec![(x, cy), (x + SWATCH_W, cy)], line))?;
            }
            draw_marker_px(root, marker(hollow), (mid, cy))?;
        }
        Swatch::Marker => draw_marker_px(root, marker(false), (mid, cy))?,
        Swatch::Box => root.draw(&Rectangle::new(
            [(x + 6, cy - 9), (x + SWATCH_W - 6, cy + 9)],
            color.filled(),
        ))?,
    }
    Ok(())
}

/// Draws a marker at a pixel position of the root area.
fn draw_marker_px(root: &Area<'_>, m: Marker, at: (i32, i32)) -> Result<(), DrawFail> {
    // The root area has pixel coordinates; the marker element is generic over f64 points,
    // so draw it through a one-pixel-per-unit chart-free mapping.
    let m = Marker {
        at: (at.0 as f64, at.1 as f64),
        ..m
    };
    let area = root.clone().apply_coord_spec(PixelCoord);
    area.draw(&m)?;
    Ok(())
}

/// Identity mapping from `(f64, f64)` to pixels, to draw f64-positioned elements on a
/// plain area.
#[derive(Clone)]
struct PixelCoord;

impl plotters::coord::CoordTranslate for PixelCoord {
    type From = (f64, f64);
    fn translate(&self, from: &(f64, f64)) -> (i32, i32) {
        (from.0.round() as i32, from.1.round() as i32)
    }
}

/// About how many ticks fit on the x and y axes of a `w`×`h` canvas.
pub(crate) fn tick_targets(canvas: Canvas<'_>) -> (usize, usize) {
    let x = (canvas.width as f64 * 0.7 / 110.0) as usize;
    let y = (canvas.height as f64 * 0.7 / 80.0) as usize;
    (x.clamp(3, 10), y.clamp(3, 10))
}

/// Options of [`build_chart`].
pub(crate) struct AxesSpec<'s> {
    pub x: &'s Axis,
    pub y: &'s Axis,
    pub x_desc: &'s str,
    pub y_desc: &'s str,
    /// Vertical grid lines (off for bar charts).
    pub x_grid: bool,
    /// Custom x tick labels (bar groups); `None` uses the axis formatter.
    pub x_labels: Option<&'s dyn Fn(f64) -> String>,
}

/// Builds the cartesian chart in `area`, draws the grid, ticks, tick labels and axis
/// descriptions, and returns the chart to draw data into.
pub(crate) fn build_chart<'a, 'b>(
    area: &'a Area<'b>,
    spec: &AxesSpec<'_>,
) -> Result<Chart<'a, 'b>, DrawFail> {
    let tick = text_style(TICK_PX, BLACK);
    let desc = text_style(AXIS_DESC_PX, BLACK);
    let (x, y) = (spec.x, spec.y);
    let y_tick_w = y
        .major
        .iter()
        .map(|&t| text_width(area, &y.label(t), &tick))
        .max()
        .unwrap_or(0);
    let desc_room = |d: &str| if d.is_empty() { 0 } else { AXIS_DESC_PX + 14 };
    let y_area = y_tick_w + 16 + desc_room(spec.y_desc);
    let x_area = TICK_PX + 18 + desc_room(spec.x_desc);

    let mut chart = ChartBuilder::on(area)
        .margin_top(12)
        .margin_right(28)
        .margin_left(12)
        .margin_bottom(10)
        .x_label_area_size(x_area)
        .y_label_area_size(y_area)
        .build_cartesian_2d(Ticked::new(x), Ticked::new(y))?;

    let x_fmt = |v: &f64| match spec.x_labels {
        Some(f) => f(*v),
        None => x.label(*v),
    };
    let y_fmt = |v: &f64| y.label(*v);
    let mut mesh = chart.configure_mesh();
    mesh.x_desc(spec.x_desc)
        .y_desc(spec.y_desc)
        .axis_desc_style(desc)
        .label_style(tick)
        .x_label_formatter(&x_fmt)
        .y_label_formatter(&y_fmt)
        .bold_line_style(GRID)
        .light_line_style(GRID_LIGHT)
        .axis_style(BLACK);
    if !spec.x_grid {
        mesh.disable_x_mesh();
    }
    mesh.draw()?;
    Ok(chart)
}

/// Writes `msg` in the middle of the plotting area (e.g. "no data").
pub(crate) fn center_note(chart: &Chart<'_, '_>, msg: &str) -> Result<(), DrawFail> {
    let (xr, yr) = (chart.x_range(), chart.y_range());
    let at = (0.5 * (xr.start + xr.end), 0.5 * (yr.start + yr.end));
    chart.plotting_area().draw(&Text::new(
        msg.to_string(),
        at,
        text_style(24, NOTE_GREY).pos(Pos::new(HPos::Center, VPos::Center)),
    ))?;
    Ok(())
}

/// Drops points closer than 3 pixels (Manhattan) to the last kept one, keeping both ends:
/// thick polylines made of sub-pixel segments render jagged.
pub(crate) fn simplify_px(ctx: &Chart<'_, '_>, pts: &[(f64, f64)]) -> Vec<(f64, f64)> {
    let mut out: Vec<(f64, f64)> = Vec::with_capacity(pts.len().min(4096));
    let mut last_px: Option<(i32, i32)> = None;
    for (i, p) in pts.iter().enumerate() {
        let px = ctx.backend_coord(p);
        let keep = match last_px {
            None => true,
            Some(l) => i + 1 == pts.len() || (px.0 - l.0).abs() + (px.1 - l.1).abs() >= 3,
        };
        if keep {
            out.push(*p);
            last_px = Some(px);
        }
    }
    out
}
