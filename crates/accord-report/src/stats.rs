//! The small statistics the reports share: nearest-rank quantiles, a
//! summary of a set of durations, and the per-day sorted multisets the
//! quantiles are kept in.

use std::collections::BTreeMap;

use crate::cells::{in_days, Day, Days};

/// The 1-based nearest rank of the `num/den`-quantile of `n` values:
/// ⌈n·num/den⌉ (at least 1), in integers so 0.9·10 is exactly 9.
fn rank(n: usize, num: usize, den: usize) -> usize {
    (n * num).div_ceil(den).max(1)
}

/// The nearest-rank `num/den`-quantile of `sorted` (ascending): the value at
/// 1-based rank ⌈n·num/den⌉ (at least 1). `None` over nothing.
pub fn nearest_rank(sorted: &[f64], num: usize, den: usize) -> Option<f64> {
    let n = sorted.len();
    if n == 0 {
        return None;
    }
    Some(sorted[rank(n, num, den) - 1])
}

/// The nearest-rank `num/den`-quantile of unsorted values (reordered, not
/// sorted: a selection, O(n)). `None` over nothing.
pub fn select_rank(values: &mut [i64], num: usize, den: usize) -> Option<i64> {
    let n = values.len();
    if n == 0 {
        return None;
    }
    Some(*values.select_nth_unstable(rank(n, num, den) - 1).1)
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

/// Summarises unsorted integer values (reordered), each divided by `scale`;
/// `None` when empty. Two selections, no sort.
pub fn summarize(values: &mut [i64], scale: f64) -> Option<Summary> {
    let n = values.len();
    if n == 0 {
        return None;
    }
    let k90 = rank(n, 9, 10) - 1;
    let p90 = *values.select_nth_unstable(k90).1;
    let max = values[k90..].iter().copied().max().unwrap_or(p90);
    let k50 = rank(n, 1, 2) - 1;
    let left = &mut values[..=k90];
    let p50 = *left.select_nth_unstable(k50).1;
    let min = left[..=k50].iter().copied().min().unwrap_or(p50);
    Some(summary(values, [p50, p90, min, max], scale))
}

/// [`summarize`] of values already ascending: the ranks read directly.
pub fn summarize_sorted(sorted: &[i64], scale: f64) -> Option<Summary> {
    let n = sorted.len();
    if n == 0 {
        return None;
    }
    let at = |num, den| sorted[rank(n, num, den) - 1];
    Some(summary(
        sorted,
        [at(1, 2), at(9, 10), sorted[0], sorted[n - 1]],
        scale,
    ))
}

/// The summary of non-empty `values` given their median, p90, minimum and
/// maximum.
fn summary(values: &[i64], [p50, p90, min, max]: [i64; 4], scale: f64) -> Summary {
    let n = values.len();
    let sum: i128 = values.iter().map(|&v| i128::from(v)).sum();
    Summary {
        n,
        mean: sum as f64 / n as f64 / scale,
        p50: p50 as f64 / scale,
        p90: p90 as f64 / scale,
        min: min as f64 / scale,
        max: max as f64 / scale,
    }
}

/// The nearest-rank `num/den`-quantile of values already ascending.
pub fn sorted_rank(sorted: &[i64], num: usize, den: usize) -> Option<i64> {
    let n = sorted.len();
    (n > 0).then(|| sorted[rank(n, num, den) - 1])
}

/// A multiset of integers kept sorted. Changes are queued and merged in by
/// [`Multiset::flush`], once per batch: a value taken back and given again
/// in the same batch (a contributor whose value did not change) costs
/// nothing; a few changes are put in place, more are merged in one pass,
/// O(n + k log k) for k changes.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Multiset {
    pub(crate) sorted: Vec<i64>,
    added: Vec<i64>,
    removed: Vec<i64>,
}

/// Up to this many changes (after cancelling) are put in place one by one
/// rather than merged.
const IN_PLACE: usize = 8;

impl Multiset {
    fn change(&mut self, v: i64, sign: i64) {
        if sign > 0 {
            self.added.push(v);
        } else {
            self.removed.push(v);
        }
    }

    fn is_flushed(&self) -> bool {
        self.added.is_empty() && self.removed.is_empty()
    }

    fn flush(&mut self) {
        if self.is_flushed() {
            return;
        }
        self.added.sort_unstable();
        self.removed.sort_unstable();
        cancel(&mut self.added, &mut self.removed);
        let before = self.sorted.len();
        let (added, removed) = (
            std::mem::take(&mut self.added),
            std::mem::take(&mut self.removed),
        );
        if added.len() + removed.len() <= IN_PLACE {
            for v in &removed {
                if let Ok(k) = self.sorted.binary_search(v) {
                    self.sorted.remove(k);
                }
            }
            for &v in &added {
                let k = self.sorted.partition_point(|&x| x <= v);
                self.sorted.insert(k, v);
            }
        } else {
            self.sorted = merge(&self.sorted, &added, &removed);
        }
        debug_assert_eq!(
            self.sorted.len() + removed.len(),
            before + added.len(),
            "removed a value that was never added"
        );
    }

    /// A multiset of values already ascending (the snapshot's reader).
    pub(crate) fn of_sorted(sorted: Vec<i64>) -> Multiset {
        Multiset {
            sorted,
            ..Multiset::default()
        }
    }

    /// The values, ascending (as of the last flush).
    pub fn sorted(&self) -> &[i64] {
        &self.sorted
    }
}

/// Takes the values both in `added` and in `removed` (both ascending) out
/// of both.
fn cancel(added: &mut Vec<i64>, removed: &mut Vec<i64>) {
    let (mut i, mut j, mut a, mut r) = (0, 0, 0, 0);
    while i < added.len() && j < removed.len() {
        match added[i].cmp(&removed[j]) {
            std::cmp::Ordering::Equal => {
                i += 1;
                j += 1;
            }
            std::cmp::Ordering::Less => {
                added[a] = added[i];
                (a, i) = (a + 1, i + 1);
            }
            std::cmp::Ordering::Greater => {
                removed[r] = removed[j];
                (r, j) = (r + 1, j + 1);
            }
        }
    }
    added.copy_within(i.., a);
    added.truncate(a + added.len() - i);
    removed.copy_within(j.., r);
    removed.truncate(r + removed.len() - j);
}

/// `sorted` with `added` merged in and `removed` taken out (all ascending).
fn merge(sorted: &[i64], added: &[i64], removed: &[i64]) -> Vec<i64> {
    let mut out = Vec::with_capacity(sorted.len() + added.len());
    let (mut i, mut j) = (0, 0);
    while i < sorted.len() || j < added.len() {
        if j == added.len() || (i < sorted.len() && sorted[i] <= added[j]) {
            out.push(sorted[i]);
            i += 1;
        } else {
            out.push(added[j]);
            j += 1;
        }
    }
    let mut r = 0;
    out.retain(|&v| {
        while r < removed.len() && removed[r] < v {
            r += 1;
        }
        if r < removed.len() && removed[r] == v {
            r += 1;
            false
        } else {
            true
        }
    });
    out
}

/// A [`Multiset`] per key, changes queued until [`Multisets::flush`].
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Multisets<K> {
    pub(crate) cells: BTreeMap<K, Multiset>,
    /// The cells with queued changes.
    pub(crate) changed: Vec<K>,
}

impl<K> Default for Multisets<K> {
    fn default() -> Self {
        Multisets {
            cells: BTreeMap::new(),
            changed: Vec::new(),
        }
    }
}

impl<K: Ord + Copy> Multisets<K> {
    /// Multisets with no change queued (the snapshot's reader).
    pub(crate) fn of_cells(cells: BTreeMap<K, Multiset>) -> Multisets<K> {
        Multisets {
            cells,
            changed: Vec::new(),
        }
    }

    /// Adds (`sign` 1) or removes (-1) a value of cell `key`.
    pub fn change(&mut self, key: K, v: i64, sign: i64) {
        let m = self.cells.entry(key).or_default();
        if m.is_flushed() {
            self.changed.push(key);
        }
        m.change(v, sign);
    }

    /// Adds every value of `values` to cell `key` (a total made from cells).
    pub(crate) fn extend(&mut self, key: K, values: &[i64]) {
        for &v in values {
            self.change(key, v, 1);
        }
    }

    /// Merges every queued change in.
    pub fn flush(&mut self) {
        for key in std::mem::take(&mut self.changed) {
            if let Some(m) = self.cells.get_mut(&key) {
                m.flush();
            }
        }
    }

    /// The values of cell `key`, sorted (none for a cell never changed).
    pub fn get(&self, key: &K) -> &[i64] {
        debug_assert!(self.changed.is_empty(), "read before a flush");
        self.cells.get(key).map_or(&[], Multiset::sorted)
    }

    /// Every cell's values, sorted, in key order.
    pub fn iter(&self) -> impl Iterator<Item = (K, &[i64])> + '_ {
        debug_assert!(self.changed.is_empty(), "read before a flush");
        self.cells.iter().map(|(&k, m)| (k, m.sorted()))
    }
}

/// A [`Multiset`] per (day, key): the values behind a quantile, so that a
/// quantile over any days gathers their values and selects in them.
pub type DayMultisets = Multisets<(Day, u32)>;

impl DayMultisets {
    /// The values of each cell of the days in `days`, sorted.
    pub fn in_days(&self, days: Days) -> impl Iterator<Item = ((Day, u32), &[i64])> + '_ {
        debug_assert!(self.changed.is_empty(), "read before a flush");
        in_days(&self.cells, days).map(|(&k, m)| (k, m.sorted()))
    }
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
        let mut v = vec![48 * 3600, 47 * 3600 + 1800];
        let s = summarize(&mut v, 3600.0).unwrap();
        assert_eq!(
            (s.n, s.mean, s.p50, s.p90, s.min, s.max),
            (2, 47.75, 47.5, 48.0, 47.5, 48.0)
        );
        // Ranks 5 and 9 of 1..=10, however the values come.
        let mut v: Vec<i64> = vec![7, 3, 10, 1, 9, 2, 8, 4, 6, 5];
        let s = summarize(&mut v, 1.0).unwrap();
        assert_eq!(
            (s.p50, s.p90, s.min, s.max, s.mean),
            (5.0, 9.0, 1.0, 10.0, 5.5)
        );
        assert_eq!(summarize(&mut [], 1.0), None);
        assert_eq!(select_rank(&mut [4, 1, 3], 1, 2), Some(3));
    }

    #[test]
    fn day_multisets_take_and_give_back_values() {
        let mut m = DayMultisets::default();
        for (day, v) in [(1, 5), (1, 3), (2, 4), (3, 9)] {
            m.change((day, 0), v, 1);
        }
        m.flush();
        m.change((1, 0), 5, -1);
        m.change((2, 0), 1, 1);
        m.flush();
        let days = Days { from: 1, until: 3 };
        let got: Vec<_> = m.in_days(days).map(|(k, v)| (k, v.to_vec())).collect();
        assert_eq!(got, vec![((1, 0), vec![3]), ((2, 0), vec![1, 4])]);
    }
}
