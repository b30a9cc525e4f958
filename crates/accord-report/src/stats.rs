//! The small statistics the reports share: nearest-rank quantiles and a
//! summary of a set of durations.

/// The nearest-rank `num/den`-quantile of `sorted` (ascending): the value at
/// 1-based rank ⌈n·num/den⌉ (at least 1), computed in integers so 0.9·10 is
/// exactly 9. `None` over nothing.
pub fn nearest_rank(sorted: &[f64], num: usize, den: usize) -> Option<f64> {
    let n = sorted.len();
    if n == 0 {
        return None;
    }
    let rank = (n * num).div_ceil(den).max(1);
    Some(sorted[rank - 1])
}

/// Count, mean, median, p90, min and max of a set of values.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Summary {
    pub n: usize,
    pub mean: f64,
    pub p50: f64,
    pub p90: f64,
    pub min: f64,
    pub max: f64,
}

/// Sorts `values` and summarises them; `None` when empty.
pub fn summarize(values: &mut [f64]) -> Option<Summary> {
    if values.is_empty() {
        return None;
    }
    values.sort_unstable_by(f64::total_cmp);
    let n = values.len();
    Some(Summary {
        n,
        mean: values.iter().sum::<f64>() / n as f64,
        p50: nearest_rank(values, 1, 2)?,
        p90: nearest_rank(values, 9, 10)?,
        min: values[0],
        max: values[n - 1],
    })
}

/// The median (nearest rank) of unsorted values.
pub fn median(values: &mut [f64]) -> Option<f64> {
    values.sort_unstable_by(f64::total_cmp);
    nearest_rank(values, 1, 2)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn nearest_rank_is_never_interpolated() {
        assert_eq!(nearest_rank(&[], 1, 2), None);
        assert_eq!(nearest_rank(&[5.0], 1, 2), Some(5.0));
        assert_eq!(nearest_rank(&[1.0, 2.0], 1, 2), Some(1.0));
        assert_eq!(nearest_rank(&[1.0, 2.0, 3.0], 1, 2), Some(2.0));
        let ten: Vec<f64> = (1..=10).map(f64::from).collect();
        assert_eq!(nearest_rank(&ten, 9, 10), Some(9.0));
        let eleven: Vec<f64> = (1..=11).map(f64::from).collect();
        assert_eq!(nearest_rank(&eleven, 9, 10), Some(10.0));
    }

    #[test]
    fn summary_of_hours() {
        let mut v = vec![48.0, 47.5];
        let s = summarize(&mut v).unwrap();
        assert_eq!(
            (s.n, s.mean, s.p50, s.p90, s.min, s.max),
            (2, 47.75, 47.5, 48.0, 47.5, 48.0)
        );
    }
}
