//! `accord model evaluate --table`: the learner on a flat table.

use std::fmt::Write;
use std::process::ExitCode;

use accord_model::{table, ColumnUse};

use super::EvaluateArgs;
use crate::cmd::{write_stdout, CmdResult};

pub fn evaluate(args: EvaluateArgs) -> CmdResult {
    let (Some(path), Some(target)) = (&args.table, &args.target) else {
        unreachable!("clap requires --table and --target together")
    };
    let (frame, delimiter) = table::read_csv(path)?;
    let rows = frame.rows();
    let kinds: Vec<(String, &'static str)> = frame
        .names
        .iter()
        .zip(&frame.columns)
        .map(|(n, c)| (n.clone(), c.kind().word()))
        .collect();
    let (e, _model) = accord_model::evaluate::evaluate(frame, target, &args.drop, args.split)?;
    if args.json {
        write_stdout(&format!("{}\n", serde_json::to_string_pretty(&e)?))?;
        return Ok(ExitCode::SUCCESS);
    }
    let mut o = String::new();
    let shown_delim = match delimiter {
        b'\t' => "tab".to_owned(),
        d => format!("'{}'", d as char),
    };
    writeln!(
        o,
        "{}: {rows} rows, delimiter {shown_delim}, target {}",
        path.display(),
        target
    )?;
    writeln!(o, "columns:")?;
    let width = kinds.iter().map(|k| k.0.len()).max().unwrap_or(0);
    for (name, kind) in &kinds {
        let how = if name == target {
            "target".to_owned()
        } else if args.drop.contains(name) {
            format!("{kind}, dropped (--drop)")
        } else {
            match e.columns.iter().find(|c| c.name() == name) {
                Some(c @ ColumnUse::Dropped { .. }) => format!("{kind}, {}", c.describe()),
                Some(c) => c.describe(),
                None => kind.to_string(),
            }
        };
        writeln!(o, "  {name:width$}  {how}")?;
    }
    let test_rate = e.test.positives as f64 / e.test.rows.max(1) as f64;
    writeln!(
        o,
        "split: train {} rows ({:.2} % positive), test {} rows ({:.2} % positive)",
        e.train_rows,
        100.0 * e.train_positives as f64 / e.train_rows.max(1) as f64,
        e.test.rows,
        100.0 * test_rate
    )?;
    writeln!(
        o,
        "trained in {:.3} s (logistic regression, L2 penalty {})",
        e.training.as_secs_f64(),
        e.lambda
    )?;
    let f = |x: Option<f64>| x.map_or("n/a".to_owned(), |x| format!("{x:.4}"));
    writeln!(
        o,
        "test: ROC AUC {}  PR AUC {}  lift at top decile {}",
        f(e.test.roc_auc),
        f(e.test.pr_auc),
        e.test
            .lift_top_decile
            .map_or("n/a".to_owned(), |x| format!("{x:.2}"))
    )?;
    writeln!(o, "calibration on the test rows (by decile of prediction):")?;
    writeln!(o, "  decile   rows  predicted  observed")?;
    for c in &e.calibration {
        writeln!(
            o,
            "  {:>6}  {:>5}  {:>8.1} %  {:>6.1} %",
            c.decile,
            c.rows,
            100.0 * c.predicted,
            100.0 * c.observed
        )?;
    }
    write_stdout(&o)?;
    Ok(ExitCode::SUCCESS)
}
