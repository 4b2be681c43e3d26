//! The six chart kinds.

mod bars;
mod cdf;
mod heat;
mod hist;
mod line;
mod scatter;

pub use bars::grouped_bar_chart;
pub use cdf::cdf_chart;
pub use heat::heat_map;
pub use hist::{MAX_BINS, histogram};
pub use line::line_chart;
pub use scatter::scatter_time;

/// `(min, max)` of the values, or `None` if there are none.
pub(crate) fn bounds(values: impl IntoIterator<Item = f64>) -> Option<(f64, f64)> {
    values.into_iter().fold(None, |acc, v| match acc {
        None => Some((v, v)),
        Some((lo, hi)) => Some((lo.min(v), hi.max(v))),
    })
}

/// Splits a sequence of optional points into runs of consecutive valid points.
pub(crate) fn runs<T: Copy>(items: &[Option<T>]) -> Vec<Vec<T>> {
    let mut out = Vec::new();
    let mut cur = Vec::new();
    for it in items {
        match it {
            Some(p) => cur.push(*p),
            None if !cur.is_empty() => out.push(std::mem::take(&mut cur)),
            None => {}
        }
    }
    if !cur.is_empty() {
        out.push(cur);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn runs_break_at_gaps() {
        let r = runs(&[Some(1), Some(2), None, None, Some(3), None]);
        assert_eq!(r, vec![vec![1, 2], vec![3]]);
        assert!(runs::<i32>(&[None]).is_empty());
        assert_eq!(bounds([3.0, -1.0, 2.0]), Some((-1.0, 3.0)));
        assert_eq!(bounds([]), None);
    }
}
