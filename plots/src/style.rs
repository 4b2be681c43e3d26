//! Colours and marker shapes (plotters has circles, triangles and crosses only).

use plotters::backend::DrawingBackend;
use plotters::element::{ComposedElement, EmptyElement, PathElement, Polygon};
use plotters::style::{Color, RGBColor, ShapeStyle, WHITE};

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

/// How a series' markers look.
#[derive(Clone, Copy, Debug, PartialEq)]
pub(crate) struct Marker {
    pub shape: Shape,
    /// Radius in pixels.
    pub radius: f64,
    pub color: RGBColor,
    /// Opacity of the fill (1.0 = opaque).
    pub alpha: f64,
    /// Hollow markers (reference series) have a white face and a coloured outline.
    pub hollow: bool,
}

impl Marker {
    /// The marker at `at` (a data point, or a pixel position in a legend).
    pub(crate) fn at<C, DB: DrawingBackend>(&self, at: C) -> MarkerElement<C, DB> {
        let (face, edge) = self.parts((0, 0));
        EmptyElement::at(at) + face + edge
    }

    /// Face and edge of the marker centred `shift` pixels from its anchor. Filled markers
    /// have no edge (an empty path).
    pub(crate) fn parts(&self, shift: (i32, i32)) -> MarkerParts {
        let fill: ShapeStyle = if self.hollow {
            WHITE.filled()
        } else {
            self.color.mix(self.alpha).filled()
        };
        let pts: Vec<(i32, i32)> = outline(self.shape, self.radius)
            .into_iter()
            .map(|(dx, dy)| (shift.0 + dx.round() as i32, shift.1 + dy.round() as i32))
            .collect();
        let edge = if self.hollow {
            pts.iter().chain(pts.first()).copied().collect()
        } else {
            Vec::new()
        };
        let stroke = ShapeStyle::from(self.color).stroke_width(2);
        (Polygon::new(pts, fill), PathElement::new(edge, stroke))
    }
}

/// Face and edge of a marker, in pixel offsets.
pub(crate) type MarkerParts = (Polygon<(i32, i32)>, PathElement<(i32, i32)>);

/// A marker as one plotters element.
pub(crate) type MarkerElement<C, DB> =
    ComposedElement<C, DB, Polygon<(i32, i32)>, PathElement<(i32, i32)>>;

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
        Shape::Circle => regular(20, r, 0.0),
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
