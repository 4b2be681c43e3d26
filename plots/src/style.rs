//! Colours, marker shapes and the small custom plotters elements (markers, error bars).

use plotters::element::{Drawable, PointCollection};
use plotters::style::{Color, RGBColor, ShapeStyle, WHITE};
use plotters_backend::{BackendCoord, DrawingBackend, DrawingErrorKind};

/// Okabe–Ito colour-blind-safe palette, reordered for contrast on white; its yellow is
/// replaced by a mid grey (yellow is unreadable on a white background).
pub(crate) const PALETTE: [RGBColor; 12] = [
    RGBColor(0, 114, 178),   // blue
    RGBColor(213, 94, 0),    // vermillion
    RGBColor(0, 158, 115),   // bluish green
    RGBColor(204, 121, 167), // reddish purple
    RGBColor(230, 159, 0),   // orange
    RGBColor(86, 180, 233),  // sky blue
    RGBColor(0, 0, 0),       // black
    RGBColor(120, 120, 120), // grey
    RGBColor(136, 34, 85),   // wine (Tol muted)
    RGBColor(68, 170, 153),  // teal
    RGBColor(153, 153, 51),  // olive
    RGBColor(51, 34, 136),   // indigo
];

/// Marker shapes; cycled with period 7 while colours cycle with period 12, so the first 84
/// series all get a distinct (colour, shape) pair (bars, which have no marker, get 12
/// distinct colours).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Shape {
    Circle,
    Square,
    TriangleUp,
    Diamond,
    TriangleDown,
    Star,
    Plus,
}

const SHAPES: [Shape; 7] = [
    Shape::Circle,
    Shape::Square,
    Shape::TriangleUp,
    Shape::Diamond,
    Shape::TriangleDown,
    Shape::Star,
    Shape::Plus,
];

/// Colour and marker of the series with index `i`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct SeriesStyle {
    pub color: RGBColor,
    pub shape: Shape,
}

impl SeriesStyle {
    pub(crate) fn nth(i: usize) -> SeriesStyle {
        SeriesStyle {
            color: PALETTE[i % PALETTE.len()],
            shape: SHAPES[i % SHAPES.len()],
        }
    }
}

/// A marker drawn in pixel space around one data point.
pub(crate) struct Marker {
    pub at: (f64, f64),
    pub shape: Shape,
    /// Radius in pixels.
    pub radius: f64,
    pub color: RGBColor,
    /// Opacity of the fill (1.0 = opaque).
    pub alpha: f64,
    /// Hollow markers (reference series) have a white face and a coloured outline.
    pub hollow: bool,
}

impl<'a> PointCollection<'a, (f64, f64)> for &'a Marker {
    type Point = &'a (f64, f64);
    type IntoIter = std::iter::Once<&'a (f64, f64)>;
    fn point_iter(self) -> Self::IntoIter {
        std::iter::once(&self.at)
    }
}

impl<DB: DrawingBackend> Drawable<DB> for Marker {
    fn draw<I: Iterator<Item = BackendCoord>>(
        &self,
        mut pos: I,
        backend: &mut DB,
        _parent_dim: (u32, u32),
    ) -> Result<(), DrawingErrorKind<DB::ErrorType>> {
        let Some((x, y)) = pos.next() else {
            return Ok(());
        };
        let r = self.radius;
        let fill: ShapeStyle = if self.hollow {
            WHITE.filled()
        } else {
            self.color.mix(self.alpha).filled()
        };
        let stroke = ShapeStyle {
            color: self.color.mix(self.alpha.max(0.8)),
            filled: false,
            stroke_width: if self.hollow { 2 } else { 1 },
        };
        if self.shape == Shape::Circle {
            let ri = r.round().max(1.0) as u32;
            backend.draw_circle((x, y), ri, &fill, true)?;
            if self.hollow {
                backend.draw_circle((x, y), ri, &stroke, false)?;
            }
            return Ok(());
        }
        let pts: Vec<BackendCoord> = outline(self.shape, r)
            .into_iter()
            .map(|(dx, dy)| (x + dx.round() as i32, y + dy.round() as i32))
            .collect();
        backend.fill_polygon(pts.iter().copied(), &fill)?;
        if self.hollow {
            let mut closed = pts.clone();
            closed.push(pts[0]);
            backend.draw_path(closed, &stroke)?;
        }
        Ok(())
    }
}

/// Polygon outline of a marker shape with "radius" `r`, in pixel offsets (y down).
fn outline(shape: Shape, r: f64) -> Vec<(f64, f64)> {
    let regular = |n: usize, r: f64, phase: f64| -> Vec<(f64, f64)> {
        (0..n)
            .map(|k| {
                let a = phase + std::f64::consts::TAU * k as f64 / n as f64;
                (r * a.cos(), r * a.sin())
            })
            .collect()
    };
    use std::f64::consts::FRAC_PI_2;
    match shape {
        Shape::Circle => regular(16, r, 0.0),
        Shape::Square => {
            let s = r * 0.85;
            vec![(-s, -s), (s, -s), (s, s), (-s, s)]
        }
        Shape::TriangleUp => regular(3, r * 1.15, -FRAC_PI_2)
            .into_iter()
            .map(|(x, y)| (x, y + r * 0.2))
            .collect(),
        Shape::TriangleDown => regular(3, r * 1.15, FRAC_PI_2)
            .into_iter()
            .map(|(x, y)| (x, y - r * 0.2))
            .collect(),
        Shape::Diamond => vec![(0.0, -r * 1.2), (r, 0.0), (0.0, r * 1.2), (-r, 0.0)],
        Shape::Star => {
            let outer = regular(5, r * 1.3, -FRAC_PI_2);
            let inner = regular(5, r * 0.55, -FRAC_PI_2 + std::f64::consts::PI / 5.0);
            outer
                .into_iter()
                .zip(inner)
                .flat_map(|(o, i)| [o, i])
                .collect()
        }
        Shape::Plus => {
            let (a, b) = (r * 1.15, r * 0.38);
            vec![
                (-b, -a),
                (b, -a),
                (b, -b),
                (a, -b),
                (a, b),
                (b, b),
                (b, a),
                (-b, a),
                (-b, b),
                (-a, b),
                (-a, -b),
                (-b, -b),
            ]
        }
    }
}

/// A vertical error bar from `lo` to `hi` at `x` (plot space) with short horizontal caps.
pub(crate) struct ErrorBar {
    pub ends: [(f64, f64); 2],
    pub cap: i32,
    /// Whether the lower / upper end gets a cap.
    pub caps: [bool; 2],
    pub style: ShapeStyle,
}

impl ErrorBar {
    pub(crate) fn new(x: f64, lo: f64, hi: f64, cap: i32, style: ShapeStyle) -> ErrorBar {
        ErrorBar {
            ends: [(x, lo), (x, hi)],
            cap,
            caps: [true, true],
            style,
        }
    }

    pub(crate) fn with_caps(self, lower: bool, upper: bool) -> ErrorBar {
        ErrorBar {
            caps: [lower, upper],
            ..self
        }
    }
}

impl<'a> PointCollection<'a, (f64, f64)> for &'a ErrorBar {
    type Point = &'a (f64, f64);
    type IntoIter = &'a [(f64, f64)];
    fn point_iter(self) -> Self::IntoIter {
        &self.ends
    }
}

impl<DB: DrawingBackend> Drawable<DB> for ErrorBar {
    fn draw<I: Iterator<Item = BackendCoord>>(
        &self,
        mut pos: I,
        backend: &mut DB,
        _parent_dim: (u32, u32),
    ) -> Result<(), DrawingErrorKind<DB::ErrorType>> {
        let (Some(a), Some(b)) = (pos.next(), pos.next()) else {
            return Ok(());
        };
        backend.draw_line(a, b, &self.style)?;
        for ((x, y), capped) in [a, b].into_iter().zip(self.caps) {
            if capped {
                backend.draw_line((x - self.cap, y), (x + self.cap, y), &self.style)?;
            }
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn first_56_series_have_distinct_styles() {
        let styles: Vec<_> = (0..56).map(SeriesStyle::nth).collect();
        for i in 0..styles.len() {
            for j in 0..i {
                assert_ne!(styles[i], styles[j], "{i} vs {j}");
            }
        }
    }
}
