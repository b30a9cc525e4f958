//! Ranking and calibration metrics of scores against binary outcomes.
//!
//! Ties are treated as ties everywhere: ROC AUC counts a tied
//! (positive, negative) pair as one half; average precision steps once per
//! distinct score; the top decile's rate takes the tied group at its
//! boundary in proportion.

use serde::Serialize;

/// Rows sorted by score, highest first (index order among ties).
fn order_desc(scores: &[f64]) -> Vec<usize> {
    let mut o: Vec<usize> = (0..scores.len()).collect();
    o.sort_by(|&a, &b| scores[b].total_cmp(&scores[a]).then(a.cmp(&b)));
    o
}

/// Groups of equal score in `order`: (start, end) ranges.
fn tie_groups(scores: &[f64], order: &[usize]) -> Vec<(usize, usize)> {
    let mut out = Vec::new();
    let mut s = 0;
    for e in 1..=order.len() {
        if e == order.len() || scores[order[e]] != scores[order[s]] {
            out.push((s, e));
            s = e;
        }
    }
    out
}

/// The probability that a random positive scores above a random negative
/// (ties count one half); `None` without both classes.
pub fn roc_auc(scores: &[f64], y: &[bool]) -> Option<f64> {
    let pos = y.iter().filter(|&&b| b).count() as f64;
    let neg = y.len() as f64 - pos;
    if pos == 0.0 || neg == 0.0 {
        return None;
    }
    let order = order_desc(scores);
    // Walk from the highest score: each positive beats the negatives below it.
    let mut negatives_above = 0.0;
    let mut wins = 0.0;
    for (s, e) in tie_groups(scores, &order) {
        let p = order[s..e].iter().filter(|&&i| y[i]).count() as f64;
        let n = (e - s) as f64 - p;
        wins += p * (neg - negatives_above - n) + 0.5 * p * n;
        negatives_above += n;
    }
    Some(wins / (pos * neg))
}

/// Average precision: Σ over distinct thresholds (highest first) of
/// (recall gained) × (precision at that threshold); `None` without a
/// positive.
pub fn average_precision(scores: &[f64], y: &[bool]) -> Option<f64> {
    let pos = y.iter().filter(|&&b| b).count() as f64;
    if pos == 0.0 {
        return None;
    }
    let order = order_desc(scores);
    let (mut tp, mut seen, mut ap) = (0.0, 0.0, 0.0);
    for (s, e) in tie_groups(scores, &order) {
        let p = order[s..e].iter().filter(|&&i| y[i]).count() as f64;
        tp += p;
        seen += (e - s) as f64;
        ap += (p / pos) * (tp / seen);
    }
    Some(ap)
}

/// The positive rate among the highest-scoring tenth of rows (ceil(n/10)),
/// over the overall rate; the tied group crossing the boundary counts in
/// proportion. `None` without a positive.
pub fn lift_top_decile(scores: &[f64], y: &[bool]) -> Option<f64> {
    let n = y.len();
    let pos = y.iter().filter(|&&b| b).count() as f64;
    if pos == 0.0 {
        return None;
    }
    let k = n.div_ceil(10);
    let order = order_desc(scores);
    let mut taken = 0usize;
    let mut hits = 0.0;
    for (s, e) in tie_groups(scores, &order) {
        if taken >= k {
            break;
        }
        let p = order[s..e].iter().filter(|&&i| y[i]).count() as f64;
        let size = e - s;
        let room = k - taken;
        if size <= room {
            hits += p;
            taken += size;
        } else {
            hits += p * room as f64 / size as f64;
            taken = k;
        }
    }
    Some((hits / k as f64) / (pos / n as f64))
}

/// One decile of predictions: rows, mean predicted probability, observed
/// positive rate.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Calibration {
    pub decile: usize,
    pub rows: usize,
    pub predicted: f64,
    pub observed: f64,
}

/// Rows sorted by predicted probability (lowest first) cut into ten groups
/// of ⌊n/10⌋ or ⌈n/10⌉ (row i of the sorted order in group ⌊10 i / n⌋).
pub fn calibration(p: &[f64], y: &[bool]) -> Vec<Calibration> {
    let n = p.len();
    let mut o: Vec<usize> = (0..n).collect();
    o.sort_by(|&a, &b| p[a].total_cmp(&p[b]).then(a.cmp(&b)));
    let mut out: Vec<Calibration> = (1..=10)
        .map(|d| Calibration {
            decile: d,
            rows: 0,
            predicted: 0.0,
            observed: 0.0,
        })
        .collect();
    for (rank, &i) in o.iter().enumerate() {
        let c = &mut out[rank * 10 / n];
        c.rows += 1;
        c.predicted += p[i];
        c.observed += f64::from(u8::from(y[i]));
    }
    for c in &mut out {
        if c.rows > 0 {
            c.predicted /= c.rows as f64;
            c.observed /= c.rows as f64;
        }
    }
    out.retain(|c| c.rows > 0);
    out
}

/// The metrics of one set of scores.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Metrics {
    pub rows: usize,
    pub positives: usize,
    pub roc_auc: Option<f64>,
    pub pr_auc: Option<f64>,
    pub lift_top_decile: Option<f64>,
}

impl Metrics {
    pub fn of(scores: &[f64], y: &[bool]) -> Metrics {
        Metrics {
            rows: y.len(),
            positives: y.iter().filter(|&&b| b).count(),
            roc_auc: roc_auc(scores, y),
            pr_auc: average_precision(scores, y),
            lift_top_decile: lift_top_decile(scores, y),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const S: [f64; 4] = [0.1, 0.4, 0.35, 0.8];
    const Y: [bool; 4] = [false, false, true, true];

    #[test]
    fn auc_by_hand() {
        // Pairs (pos, neg): 0.35>0.1 yes, 0.35>0.4 no, 0.8>both: 3 of 4.
        assert_eq!(roc_auc(&S, &Y), Some(0.75));
        // Ties: positives 0.5 and 0.9, negatives 0.5 and 0.5:
        // 0.9 beats both (2), 0.5 ties both (2 × ½) → 3 of 4.
        assert_eq!(
            roc_auc(&[0.5, 0.5, 0.5, 0.9], &[false, true, false, true]),
            Some(0.75)
        );
        assert_eq!(roc_auc(&[0.3, 0.2], &[true, true]), None);
    }

    #[test]
    fn average_precision_by_hand() {
        // Ranked 0.8 (pos), 0.4 (neg), 0.35 (pos), 0.1 (neg):
        // recall ½ at precision 1, then ½ at precision 2/3 → 5/6.
        let ap = average_precision(&S, &Y).unwrap();
        assert!((ap - 5.0 / 6.0).abs() < 1e-12, "{ap}");
        // Tied group of three after 0.9: recall ½ at 1, then ½ at 2/4.
        let ap = average_precision(&[0.5, 0.5, 0.5, 0.9], &[false, true, false, true]).unwrap();
        assert!((ap - 0.75).abs() < 1e-12, "{ap}");
    }

    #[test]
    fn lift_by_hand() {
        // 20 rows, 4 positives (rate 0.2); the top 2 are 1 positive: rate
        // 0.5, lift 2.5.
        let mut s: Vec<f64> = (0..20).map(f64::from).collect();
        let mut y = vec![false; 20];
        y[19] = true; // score 19, top
        y[0] = true;
        y[1] = true;
        y[2] = true;
        assert_eq!(lift_top_decile(&s, &y), Some(2.5));
        // All tied: the top decile holds the overall rate, lift 1.
        s.iter_mut().for_each(|x| *x = 1.0);
        assert_eq!(lift_top_decile(&s, &y), Some(1.0));
    }

    #[test]
    fn calibration_by_hand() {
        // 20 rows with p = i/20: decile 1 holds rows 0 and 1 (mean 0.025).
        let p: Vec<f64> = (0..20).map(|i| f64::from(i) / 20.0).collect();
        let y: Vec<bool> = (0..20).map(|i| i >= 18).collect();
        let c = calibration(&p, &y);
        assert_eq!(c.len(), 10);
        assert_eq!(c[0].rows, 2);
        assert!((c[0].predicted - 0.025).abs() < 1e-12);
        assert_eq!(c[0].observed, 0.0);
        assert!((c[9].predicted - 0.925).abs() < 1e-12);
        assert_eq!(c[9].observed, 1.0);
    }

    proptest::proptest! {
        /// AUC is the pair-counting definition, whatever the ties.
        #[test]
        fn auc_equals_pair_count(rows in proptest::collection::vec((0u8..5, proptest::bool::ANY), 2..40)) {
            let s: Vec<f64> = rows.iter().map(|r| f64::from(r.0)).collect();
            let y: Vec<bool> = rows.iter().map(|r| r.1).collect();
            let mut wins = 0.0;
            let mut pairs = 0.0;
            for i in 0..s.len() { for j in 0..s.len() {
                if y[i] && !y[j] {
                    pairs += 1.0;
                    wins += if s[i] > s[j] { 1.0 } else if s[i] == s[j] { 0.5 } else { 0.0 };
                }
            }}
            let got = roc_auc(&s, &y);
            if pairs == 0.0 { proptest::prop_assert_eq!(got, None); }
            else { proptest::prop_assert!((got.unwrap() - wins / pairs).abs() < 1e-12); }
        }
    }
}
