//! A fitted model: its encoder, its weights, predictions, explanations and
//! its JSON form.

use serde::{Deserialize, Serialize};

use crate::encode::{Cell, ColumnUse, Design, Encoder, RowPlan};
use crate::logistic::{self, sigmoid};
use crate::table::Frame;
use crate::ModelError;

/// The model's stored format version.
pub const FORMAT: u32 = 1;

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Model {
    pub format: u32,
    pub encoder: Encoder,
    /// One per feature; feature 0 is the intercept.
    pub weights: Vec<f64>,
    /// The L2 penalty it was fitted with.
    pub lambda: f64,
    /// Each column's mean contribution to the log-odds over the training
    /// rows: explanations are relative to it.
    pub baseline: Vec<f64>,
}

/// One column's part of a prediction.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Contribution {
    pub column: String,
    pub value: String,
    /// Change of the log-odds against the average training row.
    pub logit: f64,
}

impl Contribution {
    /// How many times the odds are multiplied by this column's value.
    pub fn odds_factor(&self) -> f64 {
        self.logit.exp()
    }
}

/// Why one row scored as it did: the probability of the average training
/// row, this row's, and each column's contribution, largest first.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Explanation {
    pub probability: f64,
    pub average: f64,
    pub contributions: Vec<Contribution>,
}

/// Each column's contribution to each row's log-odds.
fn column_parts(encoder: &Encoder, w: &[f64], d: &Design, row: usize) -> Vec<f64> {
    let owners = encoder.owners();
    let mut parts = vec![0.0; encoder.columns.len()];
    let (idx, val) = d.row(row);
    for (&j, &v) in idx.iter().zip(val) {
        if let Some(c) = owners[j as usize] {
            parts[c] += w[j as usize] * v;
        }
    }
    parts
}

impl Model {
    /// Fits on `train` (every column an input) and `y`, with `lambda` or
    /// `logistic::DEFAULT_LAMBDA`.
    pub fn fit(train: &Frame, y: &[bool], lambda: Option<f64>) -> Result<Model, ModelError> {
        if train.rows() != y.len() {
            return Err(ModelError::Data(format!(
                "{} rows but {} outcomes",
                train.rows(),
                y.len()
            )));
        }
        let encoder = Encoder::fit(train);
        let d = encoder.encode(train)?;
        let lambda = lambda.unwrap_or(logistic::DEFAULT_LAMBDA);
        let weights = logistic::fit(&d, y, lambda);
        let mut baseline = vec![0.0; encoder.columns.len()];
        for r in 0..d.rows() {
            for (b, p) in baseline
                .iter_mut()
                .zip(column_parts(&encoder, &weights, &d, r))
            {
                *b += p;
            }
        }
        let n = d.rows().max(1) as f64;
        baseline.iter_mut().for_each(|b| *b /= n);
        Ok(Model {
            format: FORMAT,
            encoder,
            weights,
            lambda,
            baseline,
        })
    }

    /// The probability of every row of `frame`.
    pub fn predict(&self, frame: &Frame) -> Result<Vec<f64>, ModelError> {
        let d = self.encoder.encode(frame)?;
        Ok(logistic::logits(&d, &self.weights)
            .into_iter()
            .map(sigmoid)
            .collect())
    }

    /// The probability of one row of cells in `plan`'s order
    /// ([`Encoder::plan`]): what [`Model::predict`] gives the same row of
    /// a frame, to the bit, without a frame or an allocation.
    pub fn probability(&self, plan: &RowPlan, cells: &[Cell<'_>]) -> Result<f64, ModelError> {
        // Summed in slot order from -0.0, as `logistic::logits` sums.
        let mut z = -0.0;
        self.encoder
            .encode_row(plan, cells, |j, v| z += self.weights[j as usize] * v)?;
        Ok(sigmoid(z))
    }

    /// Why row `row` of `frame` scored as it did.
    pub fn explain(&self, frame: &Frame, row: usize) -> Result<Explanation, ModelError> {
        let one = frame.select(&[row]);
        let d = self.encoder.encode(&one)?;
        let parts = column_parts(&self.encoder, &self.weights, &d, 0);
        let z: f64 = logistic::logits(&d, &self.weights)[0];
        let base = z - parts.iter().sum::<f64>() + self.baseline.iter().sum::<f64>();
        let mut contributions: Vec<Contribution> = self
            .encoder
            .columns
            .iter()
            .zip(parts.iter().zip(&self.baseline))
            .filter(|(c, _)| !matches!(c, ColumnUse::Dropped { .. }))
            .map(|(c, (p, b))| {
                let i = frame.index_of(c.name()).expect("encoded, so present");
                Contribution {
                    column: c.name().to_owned(),
                    value: frame.columns[i].shown(row),
                    logit: p - b,
                }
            })
            .collect();
        contributions.sort_by(|a, b| {
            b.logit
                .abs()
                .total_cmp(&a.logit.abs())
                .then(a.column.cmp(&b.column))
        });
        Ok(Explanation {
            probability: sigmoid(z),
            average: sigmoid(base),
            contributions,
        })
    }

    pub fn to_json(&self) -> String {
        serde_json::to_string(self).expect("a model serialises")
    }

    pub fn from_json(text: &str) -> Result<Model, ModelError> {
        let m: Model = serde_json::from_str(text).map_err(|e| ModelError::Format(e.to_string()))?;
        if m.format != FORMAT {
            return Err(ModelError::Format(format!(
                "format {} (this build reads {FORMAT})",
                m.format
            )));
        }
        if m.weights.len() != m.encoder.features() || m.baseline.len() != m.encoder.columns.len() {
            return Err(ModelError::Format(
                "weights do not match the encoder".to_owned(),
            ));
        }
        Ok(m)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::encode::Cell;
    use crate::table::{Column, Interner};

    fn frame() -> (Frame, Vec<bool>) {
        // x=1 → 3 of 4 positive; x=0 → 1 of 4.
        let mut f = Frame::default();
        f.push("x", Column::Numeric(vec![0., 0., 0., 0., 1., 1., 1., 1.]));
        let mut k = Interner::default();
        for _ in 0..8 {
            k.push(Some("same"));
        }
        f.push("k", k.finish());
        (f, vec![true, false, false, false, true, true, true, false])
    }

    #[test]
    fn explanation_adds_up_and_names_values() {
        let (f, y) = frame();
        let m = Model::fit(&f, &y, Some(0.0)).unwrap();
        let e = m.explain(&f, 4).unwrap();
        // Unpenalised: the x=1 rows get their group's rate, 3/4.
        assert!((e.probability - 0.75).abs() < 1e-6, "{e:?}");
        // One contribution (k is constant, dropped): x = 1 against the
        // average row. The average row's log-odds are the intercept plus the
        // mean part; x = 1 adds half of ln 9 over it.
        assert_eq!(e.contributions.len(), 1);
        assert_eq!(e.contributions[0].value, "1");
        assert!(
            (e.contributions[0].logit - 9f64.ln() / 2.0).abs() < 1e-6,
            "{e:?}"
        );
        let back = (e.average / (1.0 - e.average)).ln() + e.contributions[0].logit;
        assert!((back - 3f64.ln()).abs() < 1e-6);
    }

    #[test]
    fn json_round_trip_and_refusals() {
        let (f, y) = frame();
        let m = Model::fit(&f, &y, Some(0.01)).unwrap();
        let back = Model::from_json(&m.to_json()).unwrap();
        assert_eq!(back.predict(&f).unwrap(), m.predict(&f).unwrap());
        let newer = m.to_json().replacen("\"format\":1", "\"format\":2", 1);
        assert!(Model::from_json(&newer)
            .unwrap_err()
            .to_string()
            .contains("format 2"));
        assert!(Model::from_json("{").is_err());
    }

    /// One row scored without a frame gives `predict`'s probability to the
    /// bit: a skewed (log) column with missing values (the indicator), a
    /// categorical one with a kept, a rare ("other") and a missing level.
    #[test]
    fn a_row_of_cells_scores_as_its_frame() {
        let mut f = Frame::default();
        let x: Vec<f64> = (0..40)
            .map(|i| match i % 8 {
                0 => f64::NAN,
                7 => 500.0 + f64::from(i),
                n => f64::from(n),
            })
            .collect();
        f.push("x", Column::Numeric(x.clone()));
        let mut k = Interner::default();
        for i in 0..40 {
            k.push(match i % 5 {
                0 => None,
                1 if i == 1 => Some("rare"),
                1 | 2 => Some("a"),
                _ => Some("b"),
            });
        }
        f.push("k", k.finish());
        let y: Vec<bool> = (0..40).map(|i| i % 3 == 0 || i % 8 == 7).collect();
        let m = Model::fit(&f, &y, None).unwrap();
        assert!(matches!(
            m.encoder.columns[0],
            ColumnUse::Numeric {
                log: true,
                indicator: true,
                ..
            }
        ));
        let p = m.predict(&f).unwrap();
        // The cells in another order than the frame's: the plan finds them.
        let plan = m.encoder.plan(&["k", "other", "x"]).unwrap();
        for (r, &want) in p.iter().enumerate() {
            let level = match &f.columns[1] {
                Column::Categorical { levels, codes } => {
                    (codes[r] != crate::table::MISSING).then(|| levels[codes[r] as usize].as_str())
                }
                Column::Numeric(_) => unreachable!(),
            };
            let cells = [Cell::Level(level), Cell::Number(7.5), Cell::Number(x[r])];
            let got = m.probability(&plan, &cells).unwrap();
            assert_eq!(got.to_bits(), want.to_bits(), "row {r}");
        }
        // A level never seen is "other"; a cell of the wrong kind is refused.
        let other = m.probability(
            &plan,
            &[
                Cell::Level(Some("zzz")),
                Cell::Number(0.0),
                Cell::Number(1.0),
            ],
        );
        assert!(other.is_ok());
        let wrong = [Cell::Number(1.0), Cell::Number(0.0), Cell::Number(1.0)];
        assert!(m
            .probability(&plan, &wrong)
            .unwrap_err()
            .to_string()
            .contains("\"k\" is numeric here"));
        assert!(m.encoder.plan(&["x"]).is_err());
    }
}
