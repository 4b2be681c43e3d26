//! authsim-plots: plain data in, PNG charts out.
//!
//! This crate knows nothing about the simulator: every function takes numbers and labels
//! and writes one PNG file (1200×800 by default, white background, title, axis labels,
//! legend). It never panics on empty or degenerate input (no data, a single point, all
//! values equal, NaN/infinite values, zeros on a log axis): such charts are drawn with a
//! note, and invalid *arguments* (e.g. `bins == 0`, duplicate bars) are reported as
//! [`PlotError::InvalidInput`].
//!
//! | function | for |
//! | --- | --- |
//! | [`line_chart`] | a metric against a parameter, several protocols, optional CIs and reference curves |
//! | [`grouped_bar_chart`] | e.g. messages per interface (group) per protocol (label) |
//! | [`histogram`] | the distribution of one sample, e.g. attach latency |
//! | [`cdf_chart`] | empirical CDFs of several samples, e.g. latency per protocol |
//! | [`scatter_time`] | many `(time, value)` points, e.g. latency vs attach time (decimated) |
//! | [`heat_map`] | a value per (row, column) cell, e.g. detected share per protocol × attack class |
//!
//! Charts are drawn by plotters into SVG and rasterised by resvg. Text uses the bundled
//! DejaVu Sans font only (no system fonts are looked up), so the same input gives a
//! byte-identical PNG on every machine; charts may be drawn from several threads at once.
//! [`Canvas::with_svg`] also writes the SVG.
//!
//! Log axes ([`Scale::Log10`]) skip values `<= 0` (and every chart skips NaN/infinite
//! values); the number of skipped points is written in a note under the chart.
//!
//! See `docs/plots.md` for what each chart is for, the data rules, the scatter
//! decimation rule and the font licence; `examples/gallery.rs` draws one of each.
//!
//! ```
//! use authsim_plots::{LineChart, Scale, Series, line_chart};
//!
//! let out = std::env::temp_dir().join(format!("authsim-plots-doc-{}.png", std::process::id()));
//! let series = vec![
//!     Series::new("5G-AKA", vec![(10.0, 38.2), (100.0, 41.0), (1000.0, 77.5)])
//!         .with_ci(vec![(36.9, 39.5), (39.1, 42.9), (73.0, 82.0)]),
//! ];
//! line_chart(
//!     &out,
//!     &LineChart {
//!         title: "Mean attach latency vs cell load (95 % CI)",
//!         x_label: "devices per cell",
//!         y_label: "attach latency (ms)",
//!         x_scale: Scale::Log10,
//!         y_scale: Scale::Linear,
//!         series: &series,
//!         reference: &[],
//!         ..Default::default()
//!     },
//! )?;
//! # std::fs::remove_file(&out).unwrap();
//! # Ok::<(), authsim_plots::PlotError>(())
//! ```

#![forbid(unsafe_code)]

mod axis;
mod charts;
mod decimate;
mod font;
mod frame;
mod render;
mod style;

use std::path::{Path, PathBuf};

pub use axis::Scale;
pub use charts::{
    MAX_BINS, cdf_chart, grouped_bar_chart, heat_map, histogram, line_chart, scatter_time,
};
pub use decimate::MAX_SCATTER_POINTS;

/// Default canvas width in pixels.
pub const DEFAULT_WIDTH: u32 = 1200;
/// Default canvas height in pixels.
pub const DEFAULT_HEIGHT: u32 = 800;

/// Where to write a chart and how large it is.
///
/// Every chart function takes `impl Into<Canvas>`, so a plain `&Path`, `&PathBuf` or
/// `&str` works and gives the default 1200×800; use [`Canvas::with_size`] for another size
/// (400×300 up to 10000×10000). The file is always PNG, whatever its extension;
/// [`Canvas::with_svg`] writes the same chart as SVG too, [`Canvas::svg_only`] only as SVG.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Canvas<'a> {
    pub path: &'a Path,
    pub width: u32,
    pub height: u32,
    /// Where to write the chart as SVG as well (`None`: PNG only).
    pub svg: Option<&'a Path>,
    /// Whether to write the PNG to `path` (false only for [`Canvas::svg_only`]).
    pub png: bool,
}

impl<'a> Canvas<'a> {
    /// A default-sized (1200×800) canvas written to `path`.
    pub fn new(path: &'a Path) -> Self {
        Canvas {
            path,
            width: DEFAULT_WIDTH,
            height: DEFAULT_HEIGHT,
            svg: None,
            png: true,
        }
    }

    /// A default-sized canvas written as SVG only, to `svg` (no PNG is rasterised).
    pub fn svg_only(svg: &'a Path) -> Self {
        Canvas {
            svg: Some(svg),
            png: false,
            ..Canvas::new(svg)
        }
    }

    /// The same canvas with another size in pixels.
    pub fn with_size(self, width: u32, height: u32) -> Self {
        Canvas {
            width,
            height,
            ..self
        }
    }

    /// The same canvas, also written as SVG to `svg` (the PNG is rasterised from it).
    pub fn with_svg(self, svg: &'a Path) -> Self {
        Canvas {
            svg: Some(svg),
            ..self
        }
    }
}

impl<'a> From<&'a Path> for Canvas<'a> {
    fn from(path: &'a Path) -> Self {
        Canvas::new(path)
    }
}

impl<'a> From<&'a PathBuf> for Canvas<'a> {
    fn from(path: &'a PathBuf) -> Self {
        Canvas::new(path)
    }
}

impl<'a> From<&'a str> for Canvas<'a> {
    fn from(path: &'a str) -> Self {
        Canvas::new(Path::new(path))
    }
}

/// Why a chart could not be written. Every variant names the output file.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum PlotError {
    /// The arguments cannot be drawn (e.g. `bins == 0`, a duplicate bar, a canvas size
    /// out of range).
    #[error("{}: invalid plot input: {reason}", path.display())]
    InvalidInput { path: PathBuf, reason: String },
    /// The bundled font could not be registered with plotters (which lays text out with it).
    #[error("{}: the bundled font could not be loaded", path.display())]
    Font { path: PathBuf },
    /// plotters failed while drawing, resvg could not read the SVG, or PNG encoding failed.
    #[error("{}: drawing failed: {reason}", path.display())]
    Draw { path: PathBuf, reason: String },
    /// The PNG (or SVG) file could not be written; `path` is that file.
    #[error("{}: cannot write file: {source}", path.display())]
    Write {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
}

impl PlotError {
    pub(crate) fn invalid(path: &Path, reason: impl Into<String>) -> Self {
        PlotError::InvalidInput {
            path: path.to_path_buf(),
            reason: reason.into(),
        }
    }

    /// The output path the error is about.
    pub fn path(&self) -> &Path {
        match self {
            PlotError::InvalidInput { path, .. }
            | PlotError::Font { path }
            | PlotError::Draw { path, .. }
            | PlotError::Write { path, .. } => path,
        }
    }
}

/// One data series: `(x, y)` points in drawing order and an optional confidence interval.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Series {
    /// Legend label.
    pub label: String,
    /// Points, drawn in the given order (sort by x for a line). Points with a NaN or
    /// infinite coordinate (or `<= 0` on a log axis) are skipped; a line is broken there.
    pub points: Vec<(f64, f64)>,
    /// Per-point `(lower, upper)` bounds of y, same length as `points` (extra or missing
    /// entries are ignored; a non-finite bound hides that point's interval).
    pub ci: Option<Vec<(f64, f64)>>,
}

impl Series {
    /// A series without confidence intervals.
    pub fn new(label: impl Into<String>, points: Vec<(f64, f64)>) -> Self {
        Series {
            label: label.into(),
            points,
            ci: None,
        }
    }

    /// The same series with per-point `(lower, upper)` bounds.
    pub fn with_ci(self, ci: Vec<(f64, f64)>) -> Self {
        Series {
            ci: Some(ci),
            ..self
        }
    }
}

/// A line chart: lines with markers, optional CIs and dashed reference curves.
///
/// `Default` gives empty texts, linear axes and no series, so optional parts can be
/// left out with `..Default::default()`.
#[derive(Clone, Copy, Debug, Default)]
pub struct LineChart<'a> {
    pub title: &'a str,
    /// Axis labels, with units, e.g. `"devices per cell"`, `"attach latency (ms)"`.
    pub x_label: &'a str,
    pub y_label: &'a str,
    pub x_scale: Scale,
    pub y_scale: Scale,
    /// Measured series: solid lines with filled markers.
    pub series: &'a [Series],
    /// Reference curves (e.g. an analytical model): dashed lines with hollow markers,
    /// legend label suffixed " (reference)". A reference whose label equals a series label
    /// takes that series' colour and marker; others continue the palette. May be empty.
    pub reference: &'a [Series],
    /// Markers (and intervals) only, no lines between points: for points that are not a
    /// curve, such as percentiles.
    pub points_only: bool,
    /// What the error bars are, written under the chart when any are drawn (e.g.
    /// "error bars: 95 % confidence intervals of the mean over 5 replications").
    pub ci_label: &'a str,
}

/// One bar of a grouped bar chart.
#[derive(Clone, Debug, PartialEq)]
pub struct Bar {
    /// Position on the x axis (e.g. an interface name); groups appear in first-seen order.
    pub group: String,
    /// Series within the group (e.g. a protocol): one colour each, in the legend.
    pub label: String,
    pub value: f64,
}

impl Bar {
    pub fn new(group: impl Into<String>, label: impl Into<String>, value: f64) -> Self {
        Bar {
            group: group.into(),
            label: label.into(),
            value,
        }
    }
}

/// A heat map: one coloured cell per (row, column), e.g. the share of attack
/// messages detected per protocol (row) and attack class (column).
#[derive(Clone, Copy, Debug)]
pub struct HeatMap<'a> {
    pub title: &'a str,
    /// What the colour means, with its unit, e.g. `"detected share"`.
    pub value_label: &'a str,
    pub rows: &'a [String],
    pub columns: &'a [String],
    /// Row-major, `rows.len() × columns.len()`; `None`: no value (grey).
    pub values: &'a [Option<f64>],
    /// The values coloured white and full blue (others are clamped).
    pub range: (f64, f64),
}
