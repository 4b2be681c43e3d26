//! The common chart frame, laid out with plotters: title, subtitle, notes, axes with tick
//! labels and descriptions, and the legend panel right of the plot.

use plotters::backend::{DrawingBackend, SVGBackend};
use plotters::chart::{ChartBuilder, ChartContext, SeriesLabelPosition};
use plotters::coord::cartesian::Cartesian2d;
use plotters::element::{DashedPathElement, EmptyElement, IntoDynElement, PathElement, Polygon};
use plotters::style::text_anchor::{HPos, Pos, VPos};
use plotters::style::{BLACK, Color, IntoFont, RGBColor, ShapeStyle, TextStyle, WHITE};

use crate::axis::{Axis, AxisCoord};
use crate::font::{FAMILY, text_width};
use crate::render::{Area, DrawFail};
use crate::style::{Marker, SeriesStyle};

pub(crate) type Chart<'a, 'b> = ChartContext<'a, SVGBackend<'b>, Cartesian2d<AxisCoord, AxisCoord>>;

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

/// A text style with an em size of `em_px` pixels (plotters' SVG backend writes a font
/// size of `size / 1.24`).
pub(crate) fn text(em_px: f64, color: RGBColor) -> TextStyle<'static> {
    (FAMILY, em_px * 1.24).into_font().color(&color)
}

/// Width and line height (the em size) in pixels of `s` at `em_px`.
pub(crate) fn measure(s: &str, em_px: f64) -> (u32, u32) {
    (text_width(s, em_px).ceil() as u32, em_px.ceil() as u32)
}

/// The width plotters reserves for `s` in boxes it sizes itself (the legend).
fn plotters_width(s: &str, em_px: f64) -> i32 {
    text(em_px, BLACK)
        .font
        .box_size(s)
        .map_or(0, |(w, _)| w as i32)
}

/// `s`, shortened with "…" so that it is at most `max_w` pixels wide at `em_px`.
pub(crate) fn fit(s: &str, em_px: f64, max_w: u32) -> String {
    if measure(s, em_px).0 <= max_w {
        return s.to_string();
    }
    let chars: Vec<char> = s.chars().collect();
    let (mut lo, mut hi) = (0usize, chars.len());
    while lo < hi {
        let mid = (lo + hi).div_ceil(2);
        let cand: String = chars[..mid].iter().collect::<String>() + "…";
        if measure(&cand, em_px).0 <= max_w {
            lo = mid;
        } else {
            hi = mid - 1;
        }
    }
    chars[..lo]
        .iter()
        .collect::<String>()
        .trim_end()
        .to_string()
        + "…"
}

/// `s` in at most `max_lines` lines of at most `max_w` pixels at `em_px`, broken at spaces
/// (a title is better on two lines than cut); the last line is shortened with "…" if the
/// text still does not fit.
pub(crate) fn wrap(s: &str, em_px: f64, max_w: u32, max_lines: usize) -> Vec<String> {
    let mut lines = Vec::new();
    let mut rest = s.trim();
    while !rest.is_empty() && lines.len() + 1 < max_lines && measure(rest, em_px).0 > max_w {
        // The longest prefix ending before a space that fits.
        let cut = rest
            .char_indices()
            .filter(|&(_, c)| c == ' ')
            .map(|(i, _)| i)
            .take_while(|&i| measure(&rest[..i], em_px).0 <= max_w)
            .last();
        let Some(cut) = cut else { break };
        lines.push(rest[..cut].trim_end().to_string());
        rest = rest[cut..].trim_start();
    }
    if !rest.is_empty() || lines.is_empty() {
        lines.push(fit(rest, em_px, max_w));
    }
    lines
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

const SWATCH_W: i32 = 48;
/// Legend padding inside its border, and its distance from the plot.
const LEGEND_MARGIN: i32 = 10;
const LEGEND_GAP: i32 = 16;

impl Frame<'_> {
    /// Draws title, subtitle, notes and the legend panel at the right; returns the area
    /// left for the chart.
    pub(crate) fn draw<'b>(&self, root: &Area<'b>) -> Result<Area<'b>, DrawFail> {
        let (w, _) = root.dim_in_pixel();
        let max_w = w.saturating_sub(40).max(10);
        let mut area = root.margin(8, 0, 0, 0);
        for line in wrap(self.title, TITLE_PX, max_w, 2) {
            area = area.titled(&line, text(TITLE_PX, BLACK))?;
        }
        if let Some(sub) = &self.subtitle {
            area = area.titled(&fit(sub, SUBTITLE_PX, max_w), text(SUBTITLE_PX, NOTE_GREY))?;
        }
        let row = measure("Hg", NOTE_PX).1 as i32 + 6;
        if !self.notes.is_empty() {
            let notes_h = self.notes.len() as i32 * row + 8;
            let (body, notes) = area.split_vertically(area.dim_in_pixel().1 as i32 - notes_h);
            for (i, note) in self.notes.iter().enumerate() {
                let s = fit(&format!("Note: {note}"), NOTE_PX, max_w);
                notes.draw_text(&s, &text(NOTE_PX, NOTE_GREY), (20, i as i32 * row))?;
            }
            area = body;
        }
        if self.legend.is_empty() {
            return Ok(area);
        }
        // The legend takes what its labels need, up to 40 % of the width.
        let max_label = ((w as f64 * 0.40) as i32 - SWATCH_W - 40).max(60) as u32;
        let labels: Vec<String> = self
            .legend
            .iter()
            .map(|e| fit(&e.label, LEGEND_PX, max_label))
            .collect();
        let text_w = labels
            .iter()
            .chain([&format!("(+{} more)", labels.len())])
            .map(|l| plotters_width(l, LEGEND_PX))
            .max()
            .unwrap_or(0);
        let legend_w = text_w + SWATCH_W + 10 + 2 * LEGEND_MARGIN + LEGEND_GAP;
        let (chart, legend) = area.split_horizontally(area.dim_in_pixel().0 as i32 - legend_w);
        self.draw_legend(&legend, labels)?;
        Ok(chart)
    }

    /// Draws the legend into its own area with plotters' series labels: as many rows as
    /// fit, then "(+N more)". plotters keeps a legend inside the plotting area it belongs
    /// to, so the legend gets a data-less chart of its own, its top level with the plot's.
    fn draw_legend(&self, area: &Area<'_>, labels: Vec<String>) -> Result<(), DrawFail> {
        let mut ctx = ChartBuilder::on(area)
            .margin_top(7)
            .build_cartesian_2d(0.0..1.0, 0.0..1.0)?;
        let (_, h) = ctx.plotting_area().dim_in_pixel();
        let row = LEGEND_PX * 1.24 * 1.25; // plotters' legend line height
        let room = h as f64 - 2.0 * LEGEND_MARGIN as f64 - LEGEND_PX - 10.0;
        let fit_rows = (room / row).max(0.0) as usize + 1;
        let n = labels.len();
        let shown = if n > fit_rows {
            fit_rows.saturating_sub(1)
        } else {
            n
        };
        let no_points = || std::iter::empty::<PathElement<(f64, f64)>>();
        for (e, label) in self.legend.iter().zip(labels).take(shown) {
            let (swatch, style) = (e.swatch, e.style);
            ctx.draw_series(no_points())?
                .label(label)
                .legend(move |at| swatch_element(swatch, style, at));
        }
        if shown < n {
            ctx.draw_series(no_points())?
                .label(format!("(+{} more)", n - shown));
        }
        ctx.configure_series_labels()
            .position(SeriesLabelPosition::UpperLeft)
            .legend_area_size(SWATCH_W + 10)
            .margin(LEGEND_MARGIN)
            .label_font(text(LEGEND_PX, BLACK))
            .border_style(ShapeStyle::from(RGBColor(160, 160, 160)).stroke_width(1))
            .background_style(WHITE)
            .draw()?;
        Ok(())
    }
}

/// A legend swatch whose left edge is at `at` (vertically centred on it): a line (solid
/// or dashed) with a marker, a marker, or a box. One element type for all of them, since
/// plotters' legend takes one element per entry and a boxed one would need a `'static`
/// backend.
fn swatch_element<'a, DB: DrawingBackend + 'a>(
    swatch: Swatch,
    style: SeriesStyle,
    at: (i32, i32),
) -> impl IntoDynElement<'a, DB, (i32, i32)> {
    let marker = |hollow: bool| {
        Marker {
            shape: style.shape,
            radius: 6.0,
            color: style.color,
            alpha: 1.0,
            hollow,
        }
        .parts((SWATCH_W / 2, 0))
    };
    let color = ShapeStyle::from(style.color);
    let (line, (dash, gap), width, (face, edge)) = match swatch {
        Swatch::Line { dashed, hollow } => {
            let dashes = if dashed { (8, 5) } else { (SWATCH_W, 1) };
            let width = if dashed { 2 } else { 3 };
            (vec![(0, 0), (SWATCH_W, 0)], dashes, width, marker(hollow))
        }
        Swatch::Marker => (Vec::new(), (1, 1), 1, marker(false)),
        Swatch::Box => {
            let corners = vec![(6, -9), (SWATCH_W - 6, -9), (SWATCH_W - 6, 9), (6, 9)];
            let face = Polygon::new(corners, style.color.filled());
            (
                Vec::new(),
                (1, 1),
                1,
                (face, PathElement::new(Vec::new(), color)),
            )
        }
    };
    EmptyElement::at(at)
        + DashedPathElement::new(line, dash, gap, color.stroke_width(width))
        + face
        + edge
}

/// At most how many ticks go on the x and y axes of a `w`×`h` canvas (plotters then
/// takes the densest 1, 2, 5 × 10ᵏ step within that).
pub(crate) fn tick_targets(width: u32, height: u32) -> (usize, usize) {
    let x = (width as f64 * 0.7 / 90.0) as usize;
    let y = (height as f64 * 0.7 / 60.0) as usize;
    (x.clamp(3, 12), y.clamp(3, 12))
}

/// Options of [`build_chart`].
pub(crate) struct AxesSpec<'s> {
    pub x: &'s Axis,
    pub y: &'s Axis,
    pub x_desc: &'s str,
    pub y_desc: &'s str,
    /// Vertical grid lines (off for bar charts).
    pub x_grid: bool,
    /// `Some(height)`: no x tick labels from the axis; the caller writes its own into a
    /// band this high (bar group names).
    pub x_names_h: Option<u32>,
}

/// Distance of tick labels from the axis: plotters uses twice the tick mark length (5).
const LABEL_DIST: u32 = 10;

/// Builds the cartesian chart in the body, draws the grid, ticks, tick labels and axis
/// descriptions (all by plotters), and returns the chart to draw data into.
pub(crate) fn build_chart<'a, 'b>(
    area: &'a Area<'b>,
    spec: &AxesSpec<'_>,
) -> Result<Chart<'a, 'b>, DrawFail> {
    let (x, y) = (spec.x, spec.y);
    let y_tick_w = y
        .major
        .iter()
        .map(|&t| measure(&y.label(t), TICK_PX).0)
        .max()
        .unwrap_or(0);
    let x_texts: Vec<String> = x.major.iter().map(|&t| x.label(t)).collect();
    let line_h = measure("0", TICK_PX).1;
    let tick_h = spec.x_names_h.unwrap_or(line_h);
    let desc_h = measure("Hg", AXIS_DESC_PX).1;
    let desc_room = |d: &str| if d.is_empty() { 0 } else { desc_h + 10 };
    let y_area = LABEL_DIST + y_tick_w + 8 + desc_room(spec.y_desc);
    let x_area = LABEL_DIST + tick_h + 8 + desc_room(spec.x_desc);

    // Thin the x tick labels if they would overlap.
    let (w, h) = area.dim_in_pixel();
    let plot_w = w as i32 - y_area as i32 - 40;
    let widest = x_texts
        .iter()
        .map(|l| measure(l, TICK_PX).0)
        .max()
        .unwrap_or(0) as i32;
    let spacing = plot_w.max(1) / (x_texts.len() as i32 - 1).max(1);
    let every = ((widest + 14) as f64 / spacing.max(1) as f64)
        .ceil()
        .max(1.0) as usize;
    let x_label = |v: &f64| match x.major.iter().position(|m| m == v) {
        Some(i) if spec.x_names_h.is_none() && i % every == 0 => x_texts[i].clone(),
        _ => String::new(),
    };
    let y_label = |v: &f64| y.label(*v);

    let mut chart = ChartBuilder::on(area)
        .margin_top(12)
        .margin_right(28)
        .margin_left(12)
        .margin_bottom(10)
        .x_label_area_size(x_area)
        .y_label_area_size(y_area)
        .build_cartesian_2d(x.coord(), y.coord())?;

    let mut mesh = chart.configure_mesh();
    mesh.x_labels(if spec.x_names_h.is_some() {
        0
    } else {
        x.target
    })
    .y_labels(y.target)
    .max_light_lines(0)
    .x_label_formatter(&x_label)
    .y_label_formatter(&y_label)
    .label_style(text(TICK_PX, BLACK))
    .axis_desc_style(text(AXIS_DESC_PX, BLACK))
    .x_desc(fit(spec.x_desc, AXIS_DESC_PX, plot_w.max(10) as u32))
    .y_desc(fit(spec.y_desc, AXIS_DESC_PX, h / 2))
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
    let area = chart.plotting_area().strip_coord_spec();
    let (w, h) = area.dim_in_pixel();
    let style = text(20.0, NOTE_GREY).pos(Pos::new(HPos::Center, VPos::Center));
    area.draw_text(msg, &style, (w as i32 / 2, h as i32 / 2))?;
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
