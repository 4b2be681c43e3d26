//! The improvement of a scheme over a baseline, I = 1 − C_scheme / C_baseline (Lai 2012's
//! measure of what group authentication saves). One definition for `improvements.csv` and
//! the improvement plots, so the table and the figure cannot disagree.

/// I = 1 − `scheme` / `baseline` for one pair of costs.
///
/// Positive when the scheme costs less (0.25 = a quarter saved), 0 when both cost the
/// same, negative when the scheme costs more. A baseline of zero cost leaves I undefined:
/// NaN (written as `NaN` in improvements.csv, skipped and noted in plots), never a guess.
pub fn improvement(scheme: f64, baseline: f64) -> f64 {
    if baseline == 0.0 {
        return f64::NAN;
    }
    1.0 - scheme / baseline
}

/// I per replication, pairing the scheme's and the baseline's values of the same
/// replication (same seed, so the same devices and arrivals); replications only one side
/// has are left out. Both slices are `(replication, cost)`.
pub fn paired(scheme: &[(u32, f64)], baseline: &[(u32, f64)]) -> Vec<f64> {
    scheme
        .iter()
        .filter_map(|(r, x)| {
            baseline
                .iter()
                .find(|(rb, _)| rb == r)
                .map(|(_, y)| improvement(*x, *y))
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn exact_values() {
        // Group AKA at n = 1 costs what EPS-AKA costs: nothing saved.
        assert_eq!(improvement(10.0, 10.0), 0.0);
        assert_eq!(improvement(3.0, 4.0), 0.25);
        assert_eq!(improvement(0.0, 4.0), 1.0);
        // A costlier scheme has a negative improvement.
        assert_eq!(improvement(5.0, 4.0), -0.25);
        assert_eq!(improvement(12.0, 10.0), -0.19999999999999996);
        // Not 1 − baseline/scheme, not −scheme/baseline.
        assert_ne!(improvement(3.0, 4.0), 1.0 - 4.0 / 3.0);
        assert_ne!(improvement(3.0, 4.0), -3.0 / 4.0);
    }

    #[test]
    fn zero_cost_baseline_is_undefined() {
        assert!(improvement(3.0, 0.0).is_nan());
        assert!(improvement(0.0, 0.0).is_nan());
    }

    #[test]
    fn pairs_by_replication() {
        let scheme = [(0, 3.0), (1, 6.0), (2, 1.0)];
        let baseline = [(1, 8.0), (0, 4.0), (5, 1.0)];
        assert_eq!(paired(&scheme, &baseline), vec![0.25, 0.25]);
        let with_zero = paired(&[(0, 1.0)], &[(0, 0.0)]);
        assert_eq!(with_zero.len(), 1);
        assert!(with_zero[0].is_nan());
    }
}
