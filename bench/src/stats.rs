//! Summary statistics: medians, geometric means and relative change.

/// The median of `xs`, or `None` when `xs` is empty or holds a NaN.
///
/// For an even count it is the mean of the two middle values.
pub fn median(xs: &[f64]) -> Option<f64> {
    if xs.is_empty() || xs.iter().any(|x| x.is_nan()) {
        return None;
    }
    let mut v = xs.to_vec();
    v.sort_by(f64::total_cmp);
    let mid = v.len() / 2;
    if v.len() % 2 == 1 {
        Some(v[mid])
    } else {
        Some((v[mid - 1] + v[mid]) / 2.0)
    }
}

/// The geometric mean of `xs`, or `None` when `xs` is empty or holds a value
/// that is not finite and strictly positive (a ratio of zero or less has no
/// meaningful geometric mean).
pub fn geomean(xs: &[f64]) -> Option<f64> {
    if xs.is_empty() || xs.iter().any(|&x| !(x.is_finite() && x > 0.0)) {
        return None;
    }
    let log_sum: f64 = xs.iter().map(|x| x.ln()).sum();
    Some((log_sum / xs.len() as f64).exp())
}

/// Which direction of a metric is good.
#[derive(Clone, Copy, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Better {
    /// Smaller is better (times, bytes, ratios of time).
    Lower,
    /// Larger is better (speed-ups, throughput).
    Higher,
}

/// How much worse `new` is than `old`, as a fraction: 0.10 means 10% worse,
/// a negative value means better. `None` when either value is not a finite
/// positive number.
pub fn worsening(old: f64, new: f64, better: Better) -> Option<f64> {
    let ok = |x: f64| x.is_finite() && x > 0.0;
    if !ok(old) || !ok(new) {
        return None;
    }
    Some(match better {
        Better::Lower => new / old - 1.0,
        Better::Higher => old / new - 1.0,
    })
}

/// The threshold above which a worsening is flagged as a regression (5%).
pub const REGRESSION_THRESHOLD: f64 = 0.05;

/// True when `new` is worse than `old` by more than [`REGRESSION_THRESHOLD`].
pub fn is_regression(old: f64, new: f64, better: Better) -> bool {
    worsening(old, new, better).is_some_and(|w| w > REGRESSION_THRESHOLD)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn median_of_odd_count_is_the_middle_value() {
        assert_eq!(median(&[3.0, 1.0, 2.0]), Some(2.0));
        assert_eq!(median(&[5.0]), Some(5.0));
    }

    #[test]
    fn median_of_even_count_is_the_mean_of_the_middle_pair() {
        assert_eq!(median(&[4.0, 1.0, 3.0, 2.0]), Some(2.5));
    }

    #[test]
    fn median_is_robust_to_one_outlier() {
        assert_eq!(median(&[1.0, 1.1, 100.0]), Some(1.1));
    }

    #[test]
    fn median_of_nothing_or_nan_is_none() {
        assert_eq!(median(&[]), None);
        assert_eq!(median(&[1.0, f64::NAN]), None);
    }

    #[test]
    fn geomean_matches_definition() {
        let g = geomean(&[2.0, 8.0]).unwrap();
        assert!((g - 4.0).abs() < 1e-12);
        let g = geomean(&[0.5, 2.0]).unwrap();
        assert!((g - 1.0).abs() < 1e-12);
    }

    #[test]
    fn geomean_rejects_empty_and_non_positive() {
        assert_eq!(geomean(&[]), None);
        assert_eq!(geomean(&[1.0, 0.0]), None);
        assert_eq!(geomean(&[1.0, -2.0]), None);
        assert_eq!(geomean(&[f64::INFINITY]), None);
    }

    #[test]
    fn regression_flags_lower_is_better_above_five_percent() {
        assert!(is_regression(1.0, 1.06, Better::Lower));
        assert!(!is_regression(1.0, 1.04, Better::Lower));
        assert!(!is_regression(1.0, 0.5, Better::Lower));
    }

    #[test]
    fn regression_flags_higher_is_better_drops() {
        // 4.0 -> 3.7 is 8% worse (4/3.7 - 1).
        assert!(is_regression(4.0, 3.7, Better::Higher));
        assert!(!is_regression(4.0, 3.9, Better::Higher));
        assert!(!is_regression(4.0, 8.0, Better::Higher));
    }

    #[test]
    fn worsening_ignores_unusable_values() {
        assert_eq!(worsening(0.0, 1.0, Better::Lower), None);
        assert_eq!(worsening(1.0, f64::NAN, Better::Lower), None);
        assert!(!is_regression(0.0, 10.0, Better::Lower));
    }
}
