//! Deterministic decimation of large scatter plots.
//!
//! Rule (documented in `docs/plots.md`):
//! 1. The budget of [`MAX_SCATTER_POINTS`] drawn points is shared among the series by
//!    max-min fairness: small series are drawn whole, large ones share the rest equally.
//! 2. A series over its budget `B` keeps, first, one point (the first in input order) per
//!    occupied cell of a grid over the plot area, taking the finest grid of 256², 128², …
//!    cells with at most `B/4` occupied cells. This keeps outliers and sparse regions.
//! 3. The rest of the budget is filled by evenly spaced picks (by input index) among the
//!    remaining points, which keeps the density of crowded regions visible.
//! 4. Kept points are drawn in input order. No randomness: the same input gives the same
//!    picture.

/// Most points a scatter chart draws (all series together).
pub const MAX_SCATTER_POINTS: usize = 20_000;

/// Splits `total` among series of the given sizes by max-min fairness.
pub(crate) fn budgets(sizes: &[usize], total: usize) -> Vec<usize> {
    let n = sizes.len();
    let mut order: Vec<usize> = (0..n).collect();
    order.sort_by_key(|&i| (sizes[i], i));
    let mut left = total;
    let mut out = vec![0; n];
    for (k, &i) in order.iter().enumerate() {
        let b = sizes[i].min(left / (n - k));
        out[i] = b;
        left -= b;
    }
    out
}

/// Ascending indices of at most `budget` points of `pts` to draw; `bounds` is the plot
/// area `((x_lo, x_hi), (y_lo, y_hi))` in the same (plot-space) coordinates.
pub(crate) fn thin(
    pts: &[(f64, f64)],
    bounds: ((f64, f64), (f64, f64)),
    budget: usize,
) -> Vec<usize> {
    let n = pts.len();
    if n <= budget {
        return (0..n).collect();
    }
    if budget == 0 {
        return Vec::new();
    }
    let ((x0, x1), (y0, y1)) = bounds;
    let cell_of = |p: (f64, f64), g: usize| -> usize {
        let idx = |v: f64, lo: f64, hi: f64| -> usize {
            if hi > lo {
                (((v - lo) / (hi - lo)) * g as f64)
                    .floor()
                    .clamp(0.0, (g - 1) as f64) as usize
            } else {
                0
            }
        };
        idx(p.1, y0, y1) * g + idx(p.0, x0, x1)
    };

    // Step 2: coverage picks on the finest grid that is not too crowded.
    let mut g = 256usize;
    let mut covered: Vec<usize>;
    loop {
        let mut seen = vec![false; g * g];
        covered = Vec::new();
        for (i, &p) in pts.iter().enumerate() {
            let c = cell_of(p, g);
            if !seen[c] {
                seen[c] = true;
                covered.push(i);
            }
        }
        if covered.len() <= budget / 4 || g == 1 {
            break;
        }
        g /= 2;
    }

    // Step 3: evenly spaced picks among the others.
    let room = budget - covered.len(); // covered.len() <= max(budget/4, 1) <= budget
    let mut in_cover = vec![false; n];
    for &i in &covered {
        in_cover[i] = true;
    }
    let rest: Vec<usize> = (0..n).filter(|&i| !in_cover[i]).collect();
    let m = rest.len();
    let mut keep = covered;
    if room > 0 && m > 0 {
        keep.extend((0..room.min(m)).map(|k| rest[k * m / room.min(m)]));
    }
    keep.sort_unstable();
    keep.dedup();
    keep
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn budgets_are_fair_and_bounded() {
        assert_eq!(
            budgets(&[10, 1_000_000, 500_000], 20_000),
            vec![10, 9995, 9995]
        );
        assert_eq!(budgets(&[5, 7], 20_000), vec![5, 7]);
        assert_eq!(budgets(&[], 20_000), Vec::<usize>::new());
        let b = budgets(&[30_000, 30_000, 30_000], 20_000);
        assert!(b.iter().sum::<usize>() <= 20_000);
    }

    #[test]
    fn thinning_keeps_outliers_and_respects_budget() {
        // A dense blob plus one far outlier at the end.
        let mut pts: Vec<(f64, f64)> = (0..100_000)
            .map(|i| ((i % 1000) as f64 / 1000.0, (i / 1000) as f64 / 100.0))
            .collect();
        pts.push((100.0, 100.0));
        let keep = thin(&pts, ((0.0, 100.0), (0.0, 100.0)), 5_000);
        assert!(keep.len() <= 5_000);
        assert!(keep.contains(&100_000), "outlier dropped");
        assert!(keep.windows(2).all(|w| w[0] < w[1]));
        assert_eq!(keep, thin(&pts, ((0.0, 100.0), (0.0, 100.0)), 5_000));
    }

    #[test]
    fn thinning_small_budgets() {
        let pts = vec![(1.0, 1.0); 10];
        assert_eq!(thin(&pts, ((0.0, 2.0), (0.0, 2.0)), 1).len(), 1);
        assert!(thin(&pts, ((0.0, 2.0), (0.0, 2.0)), 0).is_empty());
        assert_eq!(thin(&pts, ((1.0, 1.0), (1.0, 1.0)), 3).len(), 3);
    }
}
