//! Text layout and rasterisation with the bundled font.
//!
//! plotters' own `ab_glyph` text path drops each glyph's left side bearing, which makes
//! letter spacing visibly uneven ("l abel"). All text of this crate is therefore drawn by
//! this small element instead: glyphs are positioned with their advances, kerning and side
//! bearings, and their anti-aliased coverage is blended into the bitmap.
//!
//! Sizes are em sizes in pixels (as in CSS): an 18 px font has 18 px per em.

use std::sync::OnceLock;

use ab_glyph::{Font, FontRef, GlyphId, PxScale, ScaleFont, point};
use plotters::element::{Drawable, PointCollection};
use plotters::style::RGBColor;
use plotters_backend::{BackendColor, BackendCoord, DrawingBackend, DrawingErrorKind};

use crate::font::DEJAVU_SANS;

fn font() -> Option<&'static FontRef<'static>> {
    static FONT: OnceLock<Option<FontRef<'static>>> = OnceLock::new();
    FONT.get_or_init(|| FontRef::try_from_slice(DEJAVU_SANS).ok())
        .as_ref()
}

/// ab_glyph scales by line height (ascent − descent); convert from an em size.
fn px_scale(f: &FontRef<'_>, em_px: f64) -> PxScale {
    let units_per_em = f.units_per_em().unwrap_or(2048.0);
    PxScale::from(em_px as f32 * f.height_unscaled() / units_per_em)
}

/// Horizontal anchor of a label.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum HAlign {
    Left,
    Center,
    Right,
}

/// Vertical anchor of a label (`Center` centres the ascent–descent box).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum VAlign {
    Top,
    Center,
    Bottom,
}

/// Glyphs of `s` with pen positions (baseline at y = 0), and the advance width.
fn layout(f: &FontRef<'static>, s: &str, scale: PxScale) -> (Vec<(GlyphId, f32)>, f32) {
    let sf = f.as_scaled(scale);
    let mut pen = 0.0f32;
    let mut prev: Option<GlyphId> = None;
    let mut glyphs = Vec::with_capacity(s.len());
    for c in s.chars() {
        let id = sf.glyph_id(c);
        if let Some(p) = prev {
            pen += sf.kern(p, id);
        }
        glyphs.push((id, pen));
        pen += sf.h_advance(id);
        prev = Some(id);
    }
    (glyphs, pen)
}

/// Width and line height in pixels of `s` at `em_px`.
pub(crate) fn measure(s: &str, em_px: f64) -> (u32, u32) {
    let Some(f) = font() else {
        return (0, 0);
    };
    let scale = px_scale(f, em_px);
    let (_, w) = layout(f, s, scale);
    let sf = f.as_scaled(scale);
    (w.ceil() as u32, (sf.ascent() - sf.descent()).ceil() as u32)
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

/// A text element anchored at one point of whatever coordinate system it is drawn in.
#[derive(Clone, Debug)]
pub(crate) struct Label {
    pub text: String,
    pub at: (f64, f64),
    pub em_px: f64,
    pub color: RGBColor,
    pub h: HAlign,
    pub v: VAlign,
    /// Rotated by 90° counter-clockwise (reads bottom to top), for y axis titles.
    pub vertical: bool,
}

impl Label {
    pub(crate) fn new(
        text: impl Into<String>,
        at: (f64, f64),
        em_px: f64,
        color: RGBColor,
    ) -> Self {
        Label {
            text: text.into(),
            at,
            em_px,
            color,
            h: HAlign::Left,
            v: VAlign::Top,
            vertical: false,
        }
    }

    pub(crate) fn anchor(self, h: HAlign, v: VAlign) -> Self {
        Label { h, v, ..self }
    }

    pub(crate) fn vertical(self) -> Self {
        Label {
            vertical: true,
            ..self
        }
    }
}

impl<'a> PointCollection<'a, (f64, f64)> for &'a Label {
    type Point = &'a (f64, f64);
    type IntoIter = std::iter::Once<&'a (f64, f64)>;
    fn point_iter(self) -> Self::IntoIter {
        std::iter::once(&self.at)
    }
}

impl<DB: DrawingBackend> Drawable<DB> for Label {
    fn draw<I: Iterator<Item = BackendCoord>>(
        &self,
        mut pos: I,
        backend: &mut DB,
        _parent_dim: (u32, u32),
    ) -> Result<(), DrawingErrorKind<DB::ErrorType>> {
        let (Some((ax, ay)), Some(f)) = (pos.next(), font()) else {
            return Ok(());
        };
        let scale = px_scale(f, self.em_px);
        let sf = f.as_scaled(scale);
        let (glyphs, width) = layout(f, &self.text, scale);
        let dx = match self.h {
            HAlign::Left => 0.0,
            HAlign::Center => -width / 2.0,
            HAlign::Right => -width,
        }
        .round() as i32;
        let base = match self.v {
            VAlign::Top => sf.ascent(),
            VAlign::Center => (sf.ascent() + sf.descent()) / 2.0,
            VAlign::Bottom => sf.descent(),
        }
        .round() as i32;
        let rgb = (self.color.0, self.color.1, self.color.2);
        let mut pixels: Vec<(i32, i32, f32)> = Vec::new();
        for (id, pen) in glyphs {
            let glyph = id.with_scale_and_position(scale, point(pen, 0.0));
            let Some(outlined) = f.outline_glyph(glyph) else {
                continue; // e.g. a space
            };
            let b = outlined.px_bounds();
            let (x0, y0) = (b.min.x as i32 + dx, b.min.y as i32 + base);
            outlined.draw(|gx, gy, cov| {
                if cov > 0.0 {
                    pixels.push((x0 + gx as i32, y0 + gy as i32, cov.min(1.0)));
                }
            });
        }
        for (tx, ty, cov) in pixels {
            let p = if self.vertical {
                (ax + ty, ay - tx)
            } else {
                (ax + tx, ay + ty)
            };
            backend.draw_pixel(
                p,
                BackendColor {
                    alpha: cov as f64,
                    rgb,
                },
            )?;
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn measuring_and_fitting() {
        let (w, h) = measure("5G-AKA", 18.0);
        assert!(w > 40 && w < 90, "{w}");
        assert!((18..=24).contains(&h), "{h}");
        assert_eq!(measure("", 18.0).0, 0);
        let long = "x".repeat(200);
        let fitted = fit(&long, 18.0, 100);
        assert!(fitted.ends_with('…'));
        assert!(measure(&fitted, 18.0).0 <= 100);
        assert_eq!(fit("short", 18.0, 1000), "short");
        assert_eq!(fit("anything", 18.0, 0), "…");
    }
}
