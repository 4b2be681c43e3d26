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
use plotters::element::{PathElement, Rectangle};
use plotters::style::{BLACK, Color, IntoFont, RGBColor, ShapeStyle, TextStyle, WHITE};

use crate::axis::Axis;
use crate::style::{Marker, SeriesStyle};
use crate::text::{HAlign, Label, VAlign, fit, measure};
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

/// Font sizes: em size in pixels (CSS-like).
pub(crate) const TITLE_PX: f64 = 26.0;
pub(crate) const SUBTITLE_PX: f64 = 17.0;
pub(crate) const AXIS_DESC_PX: f64 = 19.0;
pub(crate) const TICK_PX: f64 = 16.0;
pub(crate) const LEGEND_PX: f64 = 18.0;
pub(crate) const NOTE_PX: f64 = 15.0;
pub(crate) const VALUE_PX: f64 = 14.0;

pub(crate) const NOTE_GREY: RGBColor = RGBColor(90, 90, 90);
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

/// plotters' own text style (only used for the empty tick labels plotters lays out).
fn plotters_style(px: u32) -> TextStyle<'static> {
    (font::FAMILY, px).into_font().color(&BLACK)
}

/// Draws a label whose position is in absolute pixels.
pub(crate) fn draw_label_px(area: &Area<'_>, label: Label) -> Result<(), DrawFail> {
    area.clone().apply_coord_spec(PixelCoord).draw(&label)?;
    Ok(())
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
        let max_w = (w - 40).max(10) as u32;
        let mut top = 12;

        let title = fit(self.title, TITLE_PX, max_w);
        draw_label_px(
            root,
            Label::new(title, ((w / 2) as f64, top as f64), TITLE_PX, BLACK)
                .anchor(HAlign::Center, VAlign::Top),
        )?;
        top += measure("Hg", TITLE_PX).1 as i32 + 8;
        if let Some(sub) = &self.subtitle {
            let sub = fit(sub, SUBTITLE_PX, max_w);
            draw_label_px(
                root,
                Label::new(sub, ((w / 2) as f64, top as f64), SUBTITLE_PX, NOTE_GREY)
                    .anchor(HAlign::Center, VAlign::Top),
            )?;
            top += measure("Hg", SUBTITLE_PX).1 as i32 + 6;
        }

        let note_row = measure("Hg", NOTE_PX).1 as i32 + 4;
        let notes_h = if self.notes.is_empty() {
            0
        } else {
            self.notes.len() as i32 * note_row + 8
        };
        let notes_top = h - notes_h;
        for (i, note) in self.notes.iter().enumerate() {
            let s = fit(&format!("Note: {note}"), NOTE_PX, max_w);
            let at = (20.0, (notes_top + i as i32 * note_row) as f64);
            draw_label_px(root, Label::new(s, at, NOTE_PX, NOTE_GREY))?;
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
        let max_text = ((w as f64 * 0.30) as i32 - SWATCH_W - 40).max(60) as u32;
        let rows_fit = ((bottom - top - 16) / LEGEND_ROW).max(1) as usize;
        let mut labels: Vec<String> = self
            .legend
            .iter()
            .map(|e| fit(&e.label, LEGEND_PX, max_text))
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
            .map(|l| measure(l, LEGEND_PX).0)
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
        for (i, label) in labels.into_iter().enumerate() {
            let cy = top + 6 + i as i32 * LEGEND_ROW + LEGEND_ROW / 2;
            let sx = x0 + 12;
            if i < shown {
                draw_swatch(root, &self.legend[i], (sx, cy))?;
            }
            let at = ((sx + SWATCH_W + 10) as f64, cy as f64);
            draw_label_px(
                root,
                Label::new(label, at, LEGEND_PX, BLACK).anchor(HAlign::Left, VAlign::Center),
            )?;
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
    /// Write the x tick labels vertically (long bar group names).
    pub x_vertical: bool,
}

/// Builds the cartesian chart in `area`, draws the grid, ticks, tick labels and axis
/// descriptions, and returns the chart to draw data into.
///
/// plotters draws the axes, tick marks and grid; the tick labels and axis titles are
/// drawn by [`Label`] (plotters is given empty labels) for correct glyph spacing.
pub(crate) fn build_chart<'a, 'b>(
    area: &'a Area<'b>,
    spec: &AxesSpec<'_>,
) -> Result<Chart<'a, 'b>, DrawFail> {
    let (x, y) = (spec.x, spec.y);
    let x_text = |t: f64| match spec.x_labels {
        Some(f) => f(t),
        None => x.label(t),
    };
    let y_texts: Vec<(f64, String)> = y.major.iter().map(|&t| (t, y.label(t))).collect();
    let y_tick_w = y_texts
        .iter()
        .map(|(_, l)| measure(l, TICK_PX).0)
        .max()
        .unwrap_or(0);
    let x_texts: Vec<(f64, String)> = x.major.iter().map(|&t| (t, x_text(t))).collect();
    let line_h = measure("0", TICK_PX).1;
    let widest = x_texts
        .iter()
        .map(|(_, l)| measure(l, TICK_PX).0)
        .max()
        .unwrap_or(0);
    // Height of the x tick label band.
    let tick_h = if spec.x_vertical {
        widest.max(line_h)
    } else {
        line_h
    };
    let desc_h = measure("Hg", AXIS_DESC_PX).1;
    let desc_room = |d: &str| if d.is_empty() { 0 } else { desc_h + 12 };
    let y_area = y_tick_w + 18 + desc_room(spec.y_desc);
    let x_area = tick_h + 18 + desc_room(spec.x_desc);

    let mut chart = ChartBuilder::on(area)
        .margin_top(12)
        .margin_right(28)
        .margin_left(12)
        .margin_bottom(10)
        .x_label_area_size(x_area)
        .y_label_area_size(y_area)
        .build_cartesian_2d(Ticked::new(x), Ticked::new(y))?;

    let blank = |_: &f64| String::new();
    let mut mesh = chart.configure_mesh();
    mesh.label_style(plotters_style(TICK_PX as u32))
        .x_label_formatter(&blank)
        .y_label_formatter(&blank)
        .bold_line_style(GRID)
        .light_line_style(GRID_LIGHT)
        .axis_style(BLACK);
    if !spec.x_grid {
        mesh.disable_x_mesh();
    }
    mesh.draw()?;

    // Tick labels, thinned if they would overlap, and axis titles.
    let (px_x, px_y) = chart.plotting_area().get_pixel_range();
    let spacing = if x_texts.len() > 1 {
        let a = chart.backend_coord(&(x_texts[0].0, y.lo)).0;
        let b = chart.backend_coord(&(x_texts[1].0, y.lo)).0;
        (b - a).abs().max(1)
    } else {
        i32::MAX
    };
    let footprint = if spec.x_vertical {
        line_h + 4
    } else {
        widest + 14
    } as i32;
    let every = (footprint as f64 / spacing as f64).ceil().max(1.0) as usize;
    for (i, (t, l)) in x_texts.into_iter().enumerate() {
        if i % every != 0 {
            continue;
        }
        let (px, _) = chart.backend_coord(&(t, y.lo));
        let at = (px as f64, (px_y.end + 9) as f64);
        let label = if spec.x_vertical {
            Label::new(l, at, TICK_PX, BLACK)
                .anchor(HAlign::Right, VAlign::Center)
                .vertical()
        } else {
            Label::new(l, at, TICK_PX, BLACK).anchor(HAlign::Center, VAlign::Top)
        };
        draw_label_px(area, label)?;
    }
    for (t, l) in y_texts {
        let (_, py) = chart.backend_coord(&(x.lo, t));
        let at = ((px_x.start - 10) as f64, py as f64);
        draw_label_px(
            area,
            Label::new(l, at, TICK_PX, BLACK).anchor(HAlign::Right, VAlign::Center),
        )?;
    }
    if !spec.x_desc.is_empty() {
        let max_w = (px_x.end - px_x.start).max(10) as u32;
        let at = (
            0.5 * (px_x.start + px_x.end) as f64,
            (px_y.end + 9 + tick_h as i32 + 12) as f64,
        );
        let l = fit(spec.x_desc, AXIS_DESC_PX, max_w);
        draw_label_px(
            area,
            Label::new(l, at, AXIS_DESC_PX, BLACK).anchor(HAlign::Center, VAlign::Top),
        )?;
    }
    if !spec.y_desc.is_empty() {
        let max_w = (px_y.end - px_y.start).max(10) as u32;
        let at = (
            (px_x.start - 10 - y_tick_w as i32 - 12 - desc_h as i32) as f64,
            0.5 * (px_y.start + px_y.end) as f64,
        );
        let l = fit(spec.y_desc, AXIS_DESC_PX, max_w);
        draw_label_px(
            area,
            Label::new(l, at, AXIS_DESC_PX, BLACK)
                .anchor(HAlign::Center, VAlign::Top)
                .vertical(),
        )?;
    }
    Ok(chart)
}

/// Writes `msg` in the middle of the plotting area (e.g. "no data").
pub(crate) fn center_note(chart: &Chart<'_, '_>, msg: &str) -> Result<(), DrawFail> {
    let (xr, yr) = (chart.x_range(), chart.y_range());
    let at = (0.5 * (xr.start + xr.end), 0.5 * (yr.start + yr.end));
    chart
        .plotting_area()
        .draw(&Label::new(msg, at, 20.0, NOTE_GREY).anchor(HAlign::Center, VAlign::Center))?;
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
