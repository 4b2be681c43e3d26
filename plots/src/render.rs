//! Drawing a chart into SVG with plotters, and rasterising that SVG into a PNG with resvg.
//!
//! plotters' bitmap text path drops each glyph's left side bearing; drawing to SVG and
//! letting resvg set the text (with the bundled font only) gives correctly spaced glyphs
//! and the SVG as a by-product.

use std::panic::{AssertUnwindSafe, catch_unwind};
use std::path::Path;

use plotters::backend::SVGBackend;
use plotters::coord::Shift;
use plotters::drawing::{DrawingArea, IntoDrawingArea};
use plotters::style::WHITE;
use resvg::tiny_skia::{Color, Pixmap, Transform};
use resvg::usvg;

use crate::{Canvas, PlotError, font};

pub(crate) type Area<'b> = DrawingArea<SVGBackend<'b>, Shift>;

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

/// Draws a chart with `draw` on a white canvas and writes it as PNG to `canvas.path`
/// (unless `canvas.png` is false) and as SVG to `canvas.svg` if set.
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
    let draw_failed = |reason: String| PlotError::Draw {
        path: path.to_path_buf(),
        reason,
    };
    let svg = draw_svg((w, h), draw).map_err(|DrawFail(reason)| draw_failed(reason))?;
    let png = if canvas.png {
        let rgb = rasterize(&svg, (w, h)).map_err(draw_failed)?;
        let png = encode_png((w, h), &rgb)
            .map_err(|e| draw_failed(format!("PNG encoding failed: {e}")))?;
        Some(png)
    } else {
        None
    };
    if let Some(svg_path) = canvas.svg {
        write(svg_path, svg.as_bytes())?;
    }
    match png {
        Some(png) => write(path, &png),
        None => Ok(()),
    }
}

/// The chart as an SVG document.
fn draw_svg(
    size: (u32, u32),
    draw: impl FnOnce(&Area<'_>) -> Result<(), DrawFail>,
) -> Result<String, DrawFail> {
    let mut svg = String::new();
    let drawn = catch_unwind(AssertUnwindSafe(|| -> Result<(), DrawFail> {
        let root = SVGBackend::with_string(&mut svg, size).into_drawing_area();
        root.fill(&WHITE)?;
        draw(&root)?;
        root.present()?;
        Ok(())
    }));
    match drawn {
        Ok(result) => result.map(|()| svg),
        Err(panic) => {
            let reason = panic
                .downcast_ref::<&str>()
                .map(|s| s.to_string())
                .or_else(|| panic.downcast_ref::<String>().cloned())
                .unwrap_or_else(|| "panic while drawing".to_string());
            Err(DrawFail(format!("internal error: {reason}")))
        }
    }
}

/// Rasterises the SVG into RGB8 pixels on white.
///
/// The picture is shifted by half a pixel: plotters puts lines on integer coordinates,
/// and a 1 px line centred there would smear over two pixel rows.
fn rasterize(svg: &str, (w, h): (u32, u32)) -> Result<Vec<u8>, String> {
    let options = usvg::Options {
        fontdb: font::database(),
        font_family: "DejaVu Sans".to_string(),
        ..usvg::Options::default()
    };
    let tree = usvg::Tree::from_str(svg, &options).map_err(|e| format!("SVG not readable: {e}"))?;
    let mut pixmap = Pixmap::new(w, h).ok_or("no pixel buffer of this size")?;
    pixmap.fill(Color::WHITE);
    resvg::render(
        &tree,
        Transform::from_translate(0.5, 0.5),
        &mut pixmap.as_mut(),
    );
    // Opaque white underneath, so the premultiplied colour is the colour.
    Ok(pixmap
        .data()
        .chunks_exact(4)
        .flat_map(|p| [p[0], p[1], p[2]])
        .collect())
}

/// Encodes an RGB8 buffer as PNG (deterministic: no timestamps or text chunks).
fn encode_png((w, h): (u32, u32), rgb: &[u8]) -> Result<Vec<u8>, png::EncodingError> {
    let mut bytes = Vec::new();
    let mut enc = png::Encoder::new(&mut bytes, w, h);
    enc.set_color(png::ColorType::Rgb);
    enc.set_depth(png::BitDepth::Eight);
    enc.set_compression(png::Compression::Balanced);
    let mut writer = enc.write_header()?;
    writer.write_image_data(rgb)?;
    writer.finish()?;
    Ok(bytes)
}

fn write(path: &Path, bytes: &[u8]) -> Result<(), PlotError> {
    std::fs::write(path, bytes).map_err(|source| PlotError::Write {
        path: path.to_path_buf(),
        source,
    })
}
