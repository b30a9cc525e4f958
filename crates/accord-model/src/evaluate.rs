//! A table, a target and a split → the model fitted on the training rows
//! and measured on the test rows.

use std::time::{Duration, Instant};

use serde::Serialize;

use crate::encode::ColumnUse;
use crate::metrics::{self, Calibration, Metrics};
use crate::model::Model;
use crate::split::Split;
use crate::table::{Column, Frame, MISSING};
use crate::ModelError;

/// Values read as the positive class of a two-valued target.
const POSITIVE: [&str; 8] = ["yes", "y", "true", "1", "won", "converted", "positive", "t"];

/// The outcome of each row: a two-valued column (yes/no, true/false, 1/0,
/// won/lost, …), no missing value.
pub fn target(name: &str, column: &Column) -> Result<Vec<bool>, ModelError> {
    let err = |message: String| ModelError::Target {
        name: name.to_owned(),
        message,
    };
    match column {
        Column::Numeric(v) => v
            .iter()
            .enumerate()
            .map(|(i, &x)| {
                if x == 1.0 {
                    Ok(true)
                } else if x == 0.0 {
                    Ok(false)
                } else if x.is_nan() {
                    Err(err(format!("row {} is missing", i + 1)))
                } else {
                    Err(err(format!(
                        "row {} is {x}; a numeric target must be 0 or 1",
                        i + 1
                    )))
                }
            })
            .collect(),
        Column::Categorical { levels, codes } => {
            let used: Vec<usize> = {
                let mut seen = vec![false; levels.len()];
                for &c in codes {
                    if c == MISSING {
                        let row = codes.iter().position(|&c| c == MISSING).unwrap_or(0);
                        return Err(err(format!("row {} is missing", row + 1)));
                    }
                    seen[c as usize] = true;
                }
                (0..levels.len()).filter(|&i| seen[i]).collect()
            };
            if used.len() != 2 {
                let shown: Vec<&str> = used.iter().take(5).map(|&i| levels[i].as_str()).collect();
                return Err(err(format!(
                    "needs exactly two values, has {} ({})",
                    used.len(),
                    shown.join(", ")
                )));
            }
            let positive = used
                .iter()
                .copied()
                .find(|&i| POSITIVE.contains(&levels[i].to_ascii_lowercase().as_str()))
                .ok_or_else(|| {
                    err(format!(
                        "cannot tell which of {:?} and {:?} is the positive outcome (use yes/no, true/false, 1/0 or won/lost)",
                        levels[used[0]], levels[used[1]]
                    ))
                })?;
            Ok(codes.iter().map(|&c| c as usize == positive).collect())
        }
    }
}

/// What `evaluate` measured.
#[derive(Clone, Debug, Serialize)]
pub struct Evaluation {
    pub target: String,
    pub train_rows: usize,
    pub train_positives: usize,
    pub columns: Vec<ColumnUse>,
    pub lambda: f64,
    /// Fitting only (encoding the training rows and solving), not reading
    /// or predicting.
    #[serde(serialize_with = "secs")]
    pub training: Duration,
    pub test: Metrics,
    pub calibration: Vec<Calibration>,
}

fn secs<S: serde::Serializer>(d: &Duration, s: S) -> Result<S::Ok, S::Error> {
    s.serialize_f64(d.as_secs_f64())
}

/// Fits on the split's training rows of `frame` (without `target` and
/// `drop`), measures on its test rows.
pub fn evaluate(
    mut frame: Frame,
    target_name: &str,
    drop: &[String],
    split: Split,
) -> Result<(Evaluation, Model), ModelError> {
    let y_all = target(target_name, &frame.take(target_name)?)?;
    for d in drop {
        frame.take(d)?;
    }
    let (train_rows, test_rows) = split.rows(frame.rows());
    if train_rows.is_empty() || test_rows.is_empty() {
        return Err(ModelError::Data(
            "the split leaves no training or no test row".into(),
        ));
    }
    let train = frame.select(&train_rows);
    let test = frame.select(&test_rows);
    let y_train: Vec<bool> = train_rows.iter().map(|&i| y_all[i]).collect();
    let y_test: Vec<bool> = test_rows.iter().map(|&i| y_all[i]).collect();
    let started = Instant::now();
    let model = Model::fit(&train, &y_train, None)?;
    let training = started.elapsed();
    let p = model.predict(&test)?;
    let evaluation = Evaluation {
        target: target_name.to_owned(),
        train_rows: train_rows.len(),
        train_positives: y_train.iter().filter(|&&b| b).count(),
        columns: model.encoder.columns.clone(),
        lambda: model.lambda,
        training,
        test: Metrics::of(&p, &y_test),
        calibration: metrics::calibration(&p, &y_test),
    };
    Ok((evaluation, model))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::table::parse_csv;

    #[test]
    fn targets_are_read_or_refused_by_name() {
        let f = parse_csv("y\nno\nyes\n", b',', "t").unwrap();
        assert_eq!(target("y", &f.columns[0]).unwrap(), [false, true]);
        let f = parse_csv("y\na\nb\n", b',', "t").unwrap();
        assert!(target("y", &f.columns[0])
            .unwrap_err()
            .to_string()
            .contains("positive"));
        let f = parse_csv("y\n0\n2\n", b',', "t").unwrap();
        assert!(target("y", &f.columns[0])
            .unwrap_err()
            .to_string()
            .contains("row 2"));
    }

    #[test]
    fn a_learnable_table_ranks_well() {
        // y = (x > 50) with a categorical echo: any sane learner ranks it.
        let mut text = String::from("x,k,y\n");
        for i in 0..200 {
            let x = (i * 37) % 100;
            let k = if x > 50 { "hi" } else { "lo" };
            text.push_str(&format!("{x},{k},{}\n", if x > 50 { "yes" } else { "no" }));
        }
        let f = parse_csv(&text, b',', "t").unwrap();
        let (e, _) = evaluate(f, "y", &[], Split::Temporal { fraction: 0.8 }).unwrap();
        assert_eq!(e.train_rows, 160);
        assert_eq!(e.test.rows, 40);
        assert!(e.test.roc_auc.unwrap() > 0.99, "{e:?}");
    }
}
