//! Columns → model features, fitted on the training rows only.
//!
//! Every encoded row has the same number of slots (index, value): slot 0 is
//! the intercept (feature 0, value 1); a numeric column takes one slot (its
//! standardised value) and one more when it had missing values in training
//! (the indicator); a categorical column takes one slot (its level's
//! feature, value 1). The design is therefore sparse with a fixed width.

use serde::{Deserialize, Serialize};

use crate::table::{Column, Frame, Kind, MISSING};
use crate::ModelError;

/// A categorical level is kept when it occurs at least this often in
/// training; rarer and unseen levels share the column's "other" feature.
pub const MIN_LEVEL_COUNT: usize = 5;
/// At most this many levels per column are kept (the most frequent).
pub const MAX_LEVELS: usize = 100;
/// A numeric column whose skewness exceeds this is signed-log transformed.
pub const SKEW_LOG: f64 = 2.0;
/// The level standing for a missing categorical value.
pub const MISSING_LEVEL: &str = "(missing)";

/// How one input column is used.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(tag = "use", rename_all = "snake_case")]
pub enum ColumnUse {
    Numeric {
        name: String,
        /// Signed log: sign(v)·ln(1 + |v|), before standardising.
        log: bool,
        mean: f64,
        sd: f64,
        /// Missing values in training: an indicator feature follows.
        indicator: bool,
    },
    Categorical {
        name: String,
        /// Kept levels, most frequent first; then one "other" feature.
        levels: Vec<String>,
    },
    Dropped {
        name: String,
        reason: String,
    },
}

impl ColumnUse {
    pub fn name(&self) -> &str {
        match self {
            ColumnUse::Numeric { name, .. }
            | ColumnUse::Categorical { name, .. }
            | ColumnUse::Dropped { name, .. } => name,
        }
    }

    /// Slots this column takes in an encoded row.
    fn slots(&self) -> usize {
        match self {
            ColumnUse::Numeric { indicator, .. } => 1 + usize::from(*indicator),
            ColumnUse::Categorical { .. } => 1,
            ColumnUse::Dropped { .. } => 0,
        }
    }

    /// Features this column owns.
    fn features(&self) -> usize {
        match self {
            ColumnUse::Numeric { indicator, .. } => 1 + usize::from(*indicator),
            ColumnUse::Categorical { levels, .. } => levels.len() + 1,
            ColumnUse::Dropped { .. } => 0,
        }
    }

    /// A one-line description for reports.
    pub fn describe(&self) -> String {
        match self {
            ColumnUse::Numeric { log, indicator, .. } => format!(
                "numeric{}{}",
                if *log { ", log-scaled (skewed)" } else { "" },
                if *indicator {
                    ", missing values flagged"
                } else {
                    ""
                }
            ),
            ColumnUse::Categorical { levels, .. } => {
                format!("categorical, {} levels kept + other", levels.len())
            }
            ColumnUse::Dropped { reason, .. } => format!("dropped: {reason}"),
        }
    }
}

pub fn signed_log(v: f64) -> f64 {
    v.signum() * v.abs().ln_1p()
}

/// The fitted encoding of a frame's columns.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Encoder {
    pub columns: Vec<ColumnUse>,
}

/// Encoded rows: `width` slots per row.
#[derive(Clone, Debug, Default)]
pub struct Design {
    pub width: usize,
    pub features: usize,
    pub index: Vec<u32>,
    pub value: Vec<f64>,
}

impl Design {
    pub fn rows(&self) -> usize {
        self.index.len() / self.width.max(1)
    }

    pub fn row(&self, i: usize) -> (&[u32], &[f64]) {
        let r = i * self.width..(i + 1) * self.width;
        (&self.index[r.clone()], &self.value[r])
    }

    /// Rows `range` as a design of their own.
    pub fn slice(&self, range: std::ops::Range<usize>) -> Design {
        let r = range.start * self.width..range.end * self.width;
        Design {
            width: self.width,
            features: self.features,
            index: self.index[r.clone()].to_vec(),
            value: self.value[r].to_vec(),
        }
    }
}

impl Encoder {
    /// Fits the encoding on the training rows of `frame` (every column is an
    /// input).
    pub fn fit(frame: &Frame) -> Encoder {
        let rows = frame.rows();
        let columns = frame
            .names
            .iter()
            .zip(&frame.columns)
            .map(|(name, col)| match col {
                Column::Numeric(v) => fit_numeric(name, v),
                Column::Categorical { levels, codes } => fit_categorical(name, levels, codes, rows),
            })
            .collect();
        Encoder { columns }
    }

    /// Features in all (the intercept is feature 0).
    pub fn features(&self) -> usize {
        1 + self.columns.iter().map(ColumnUse::features).sum::<usize>()
    }

    /// The first feature of each column.
    pub fn offsets(&self) -> Vec<usize> {
        let mut at = 1;
        self.columns
            .iter()
            .map(|c| {
                let o = at;
                at += c.features();
                o
            })
            .collect()
    }

    /// The column owning each feature (`None` for the intercept).
    pub fn owners(&self) -> Vec<Option<usize>> {
        let mut out = vec![None];
        for (i, c) in self.columns.iter().enumerate() {
            out.extend(std::iter::repeat_n(Some(i), c.features()));
        }
        out
    }

    /// Encodes every row of `frame`, whose columns are found by name.
    pub fn encode(&self, frame: &Frame) -> Result<Design, ModelError> {
        let rows = frame.rows();
        let width = 1 + self.columns.iter().map(ColumnUse::slots).sum::<usize>();
        let mut index = vec![0u32; rows * width];
        let mut value = vec![0f64; rows * width];
        for r in 0..rows {
            value[r * width] = 1.0;
        }
        let offsets = self.offsets();
        let mut slot = 1;
        for (use_, &off) in self.columns.iter().zip(&offsets) {
            if let ColumnUse::Dropped { .. } = use_ {
                continue;
            }
            let col = &frame.columns[frame.index_of(use_.name())?];
            match (use_, col) {
                (
                    ColumnUse::Numeric {
                        log,
                        mean,
                        sd,
                        indicator,
                        ..
                    },
                    Column::Numeric(v),
                ) => {
                    for (r, &x) in v.iter().enumerate() {
                        let at = r * width + slot;
                        let (standard, missing) = numeric_value(*log, *mean, *sd, x);
                        index[at] = off as u32;
                        value[at] = standard;
                        if *indicator {
                            index[at + 1] = off as u32 + 1;
                            value[at + 1] = missing;
                        }
                    }
                }
                (
                    ColumnUse::Categorical { levels: kept, .. },
                    Column::Categorical { levels, codes },
                ) => {
                    // This frame's codes → the kept level's feature.
                    let map: Vec<u32> =
                        levels.iter().map(|l| level_feature(kept, l, off)).collect();
                    let missing = level_feature(kept, MISSING_LEVEL, off);
                    for (r, &c) in codes.iter().enumerate() {
                        let at = r * width + slot;
                        index[at] = if c == MISSING {
                            missing
                        } else {
                            map[c as usize]
                        };
                        value[at] = 1.0;
                    }
                }
                _ => return Err(kind_changed(use_, col.kind())),
            }
            slot += use_.slots();
        }
        Ok(Design {
            width,
            features: self.features(),
            index,
            value,
        })
    }
}

/// A column used as one kind in training and found as `found`.
fn kind_changed(use_: &ColumnUse, found: Kind) -> ModelError {
    ModelError::Data(format!(
        "column {:?} is {} here but was {} in training",
        use_.name(),
        found.word(),
        match use_ {
            ColumnUse::Numeric { .. } => "numeric",
            _ => "categorical",
        }
    ))
}

/// A numeric value encoded: its standardised value (0 when missing) and
/// its missing indicator (1 when missing). One definition for a frame's
/// rows ([`Encoder::encode`]) and a single row ([`Encoder::encode_row`]).
fn numeric_value(log: bool, mean: f64, sd: f64, x: f64) -> (f64, f64) {
    if x.is_nan() {
        (0.0, 1.0)
    } else {
        let t = if log { signed_log(x) } else { x };
        ((t - mean) / sd, 0.0)
    }
}

/// One value of a row, as a column of that kind holds it (NaN: missing).
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Cell<'a> {
    Number(f64),
    Level(Option<&'a str>),
}

impl Cell<'_> {
    fn kind(&self) -> Kind {
        match self {
            Cell::Number(_) => Kind::Numeric,
            Cell::Level(_) => Kind::Categorical,
        }
    }
}

/// Where each column an encoder uses is found in a row of cells given in
/// a fixed order of names ([`Encoder::plan`]): made once, so that encoding
/// one row looks no name up.
#[derive(Clone, Debug, PartialEq)]
pub struct RowPlan {
    /// Per encoder column, its cell's position (`None`: dropped).
    positions: Vec<Option<usize>>,
    /// Per encoder column, its first feature.
    offsets: Vec<usize>,
    /// The cells a row has.
    cells: usize,
}

impl Encoder {
    /// The plan of rows whose cells are named `names`, in order: fails
    /// when a column this encoder uses is not among them.
    pub fn plan(&self, names: &[&str]) -> Result<RowPlan, ModelError> {
        let positions = self
            .columns
            .iter()
            .map(|c| match c {
                ColumnUse::Dropped { .. } => Ok(None),
                _ => names
                    .iter()
                    .position(|n| *n == c.name())
                    .map(Some)
                    .ok_or_else(|| ModelError::NoColumn {
                        name: c.name().to_owned(),
                        known: names.join(", "),
                    }),
            })
            .collect::<Result<_, _>>()?;
        Ok(RowPlan {
            positions,
            offsets: self.offsets(),
            cells: names.len(),
        })
    }

    /// The slots of one row, whose cells are in `plan`'s order, given to
    /// `slot` as (feature, value) in the order [`Encoder::encode`] writes
    /// them (the intercept first): the same encoding, without a frame.
    pub fn encode_row(
        &self,
        plan: &RowPlan,
        cells: &[Cell<'_>],
        mut slot: impl FnMut(u32, f64),
    ) -> Result<(), ModelError> {
        if cells.len() != plan.cells || plan.positions.len() != self.columns.len() {
            return Err(ModelError::Data(format!(
                "a row of {} cells, planned for {}",
                cells.len(),
                plan.cells
            )));
        }
        slot(0, 1.0);
        for ((use_, position), &off) in self.columns.iter().zip(&plan.positions).zip(&plan.offsets)
        {
            let Some(p) = *position else { continue };
            match (use_, cells[p]) {
                (
                    ColumnUse::Numeric {
                        log,
                        mean,
                        sd,
                        indicator,
                        ..
                    },
                    Cell::Number(x),
                ) => {
                    let (standard, missing) = numeric_value(*log, *mean, *sd, x);
                    slot(off as u32, standard);
                    if *indicator {
                        slot(off as u32 + 1, missing);
                    }
                }
                (ColumnUse::Categorical { levels: kept, .. }, Cell::Level(level)) => {
                    slot(
                        level_feature(kept, level.unwrap_or(MISSING_LEVEL), off),
                        1.0,
                    );
                }
                (_, cell) => return Err(kind_changed(use_, cell.kind())),
            }
        }
        Ok(())
    }
}

fn level_feature(kept: &[String], level: &str, off: usize) -> u32 {
    let i = kept.iter().position(|k| k == level).unwrap_or(kept.len());
    (off + i) as u32
}

fn fit_numeric(name: &str, v: &[f64]) -> ColumnUse {
    let present: Vec<f64> = v.iter().copied().filter(|x| !x.is_nan()).collect();
    let dropped = |reason: &str| ColumnUse::Dropped {
        name: name.to_owned(),
        reason: reason.to_owned(),
    };
    if present.is_empty() {
        return dropped("no value in the training rows");
    }
    let (mean, sd) = mean_sd(&present);
    if sd == 0.0 {
        return dropped("one value in the training rows");
    }
    let n = present.len() as f64;
    let skew = present
        .iter()
        .map(|x| ((x - mean) / sd).powi(3))
        .sum::<f64>()
        / n;
    let log = skew.abs() > SKEW_LOG;
    let (mean, sd) = if log {
        let t: Vec<f64> = present.iter().map(|&x| signed_log(x)).collect();
        mean_sd(&t)
    } else {
        (mean, sd)
    };
    ColumnUse::Numeric {
        name: name.to_owned(),
        log,
        mean,
        sd,
        indicator: present.len() < v.len(),
    }
}

/// Mean and population standard deviation.
pub fn mean_sd(v: &[f64]) -> (f64, f64) {
    let n = v.len() as f64;
    let mean = v.iter().sum::<f64>() / n;
    let var = v.iter().map(|x| (x - mean) * (x - mean)).sum::<f64>() / n;
    (mean, var.sqrt())
}

fn fit_categorical(name: &str, levels: &[String], codes: &[u32], rows: usize) -> ColumnUse {
    let mut counts = vec![0usize; levels.len() + 1];
    for &c in codes {
        let i = if c == MISSING {
            levels.len()
        } else {
            c as usize
        };
        counts[i] += 1;
    }
    let distinct = counts.iter().filter(|&&c| c > 0).count();
    if rows >= 20 && distinct * 2 > rows {
        return ColumnUse::Dropped {
            name: name.to_owned(),
            reason: format!("an identifier ({distinct} distinct values in {rows} rows)"),
        };
    }
    let mut order: Vec<usize> = (0..counts.len())
        .filter(|&i| counts[i] >= MIN_LEVEL_COUNT)
        .collect();
    // Most frequent first; equal counts by name, so the order is stable.
    let level_name = |i: usize| -> &str { levels.get(i).map_or(MISSING_LEVEL, String::as_str) };
    order.sort_by(|&a, &b| {
        counts[b]
            .cmp(&counts[a])
            .then(level_name(a).cmp(level_name(b)))
    });
    order.truncate(MAX_LEVELS);
    let kept_rows: usize = order.iter().map(|&i| counts[i]).sum();
    if distinct <= 1 || (order.len() <= 1 && kept_rows == rows) {
        return ColumnUse::Dropped {
            name: name.to_owned(),
            reason: "one value in the training rows".to_owned(),
        };
    }
    ColumnUse::Categorical {
        name: name.to_owned(),
        levels: order.iter().map(|&i| level_name(i).to_owned()).collect(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::table::Interner;

    fn cat(values: &[&str]) -> Column {
        let mut b = Interner::default();
        values
            .iter()
            .for_each(|v| b.push(if v.is_empty() { None } else { Some(v) }));
        b.finish()
    }

    #[test]
    fn numeric_is_standardised_and_missing_flagged() {
        let mut f = Frame::default();
        f.push("x", Column::Numeric(vec![1.0, 3.0, f64::NAN]));
        let e = Encoder::fit(&f);
        // present values 1 and 3: mean 2, population sd 1.
        assert_eq!(
            e.columns[0],
            ColumnUse::Numeric {
                name: "x".into(),
                log: false,
                mean: 2.0,
                sd: 1.0,
                indicator: true
            }
        );
        let d = e.encode(&f).unwrap();
        assert_eq!(d.width, 3);
        assert_eq!(d.row(0), (&[0u32, 1, 2][..], &[1.0, -1.0, 0.0][..]));
        assert_eq!(d.row(2), (&[0u32, 1, 2][..], &[1.0, 0.0, 1.0][..]));
    }

    #[test]
    fn a_skewed_column_is_log_scaled() {
        let mut v = vec![0.0; 99];
        v.push(1000.0);
        let mut f = Frame::default();
        f.push("x", Column::Numeric(v));
        assert!(matches!(
            Encoder::fit(&f).columns[0],
            ColumnUse::Numeric { log: true, .. }
        ));
        assert_eq!(signed_log(-(std::f64::consts::E - 1.0)), -1.0);
    }

    #[test]
    fn rare_and_unseen_levels_share_other() {
        let mut vals = vec!["a"; 6];
        vals.extend(vec!["b"; 5]);
        vals.extend(["c", ""]);
        let mut f = Frame::default();
        f.push("k", cat(&vals));
        let e = Encoder::fit(&f);
        assert_eq!(
            e.columns[0],
            ColumnUse::Categorical {
                name: "k".into(),
                levels: vec!["a".into(), "b".into()]
            }
        );
        let mut g = Frame::default();
        g.push("k", cat(&["b", "zzz", "", "a"]));
        let d = e.encode(&g).unwrap();
        // features: 1 = a, 2 = b, 3 = other.
        let idx: Vec<u32> = (0..4).map(|r| d.row(r).0[1]).collect();
        assert_eq!(idx, [2, 3, 3, 1]);
    }

    #[test]
    fn identifiers_and_constants_are_dropped() {
        let ids: Vec<String> = (0..40).map(|i| format!("L{i}")).collect();
        let ids: Vec<&str> = ids.iter().map(String::as_str).collect();
        let mut f = Frame::default();
        f.push("id", cat(&ids));
        f.push("c", Column::Numeric(vec![7.0; 40]));
        let e = Encoder::fit(&f);
        assert!(
            matches!(&e.columns[0], ColumnUse::Dropped { reason, .. } if reason.contains("identifier"))
        );
        assert!(matches!(&e.columns[1], ColumnUse::Dropped { .. }));
        assert_eq!(e.features(), 1);
    }
}
