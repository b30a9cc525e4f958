//! `accord model train` and `accord model evaluate` over the log.

use std::fmt::Write;
use std::process::ExitCode;

use accord_core::domain::Named;
use accord_engine::predict::{self, stored, Artifact, MetricsRecord, Params};
use accord_engine::{live, Quiet};
use accord_store::EventStore;

use super::{EvaluateArgs, TrainArgs};
use crate::cmd::{open_for_reading, write_stdout, CmdResult};

pub(super) fn day(unix: i64) -> String {
    accord_core::domain::Timestamp::from_unix_seconds(unix)
        .to_string()
        .chars()
        .take(10)
        .collect()
}

fn f4(x: Option<f64>) -> String {
    x.map_or("n/a".into(), |x| format!("{x:.4}"))
}

pub fn train(args: TrainArgs) -> CmdResult {
    let params = Params {
        stage: Named::parse(&args.stage).map_err(|e| format!("--stage {:?}: {e}", args.stage))?,
        within_days: args.within_days,
        cutoff_days: args.cutoff_days,
    };
    if args.cutoff_days >= args.within_days {
        return Err("--cutoff-days must be below --within-days: the prediction is made before the window ends".into());
    }
    let mut store = open_for_reading(&args.db)?;
    let head = store.head()?;
    let started = std::time::Instant::now();
    let d = predict::collect(&store, &params)?;
    let features_s = started.elapsed().as_secs_f64();
    if let Some(path) = &args.export_features {
        let rows: Vec<usize> = (0..d.label.len())
            .filter(|&i| d.label[i].is_some())
            .collect();
        let y = predict::labels(&d, &rows);
        let csv = accord_model::table::to_csv(&d.frame.select(&rows), "reached", &y)?;
        std::fs::write(path, csv).map_err(|e| format!("{}: {e}", path.display()))?;
    }
    let version = stored::next_version(&store)?;
    let a = predict::train(&d, &params, 0.8, version, head)?;
    let trained_at = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_secs() as i64);
    stored::store_model(&mut store, &a, trained_at)?;
    if !args.no_adopt {
        stored::adopt(&mut store, version, None, accord_import::now())?;
    }
    if args.json {
        write_stdout(&(serde_json::to_string_pretty(&a)? + "\n"))?;
        return Ok(ExitCode::SUCCESS);
    }
    let mut o = String::new();
    writeln!(
        o,
        "model v{version}: reaches {} within {} days of creation, from what was known {} days after creation",
        a.stage, a.within_days, a.cutoff_days
    )?;
    writeln!(
        o,
        "features of {} leads read in {features_s:.2} s; {} with an outcome",
        d.leads.len(),
        a.train_leads + a.test_leads
    )?;
    writeln!(
        o,
        "trained on {} leads created {} .. {} ({:.2} % reached) in {:.3} s",
        a.train_leads,
        day(a.train_window.0),
        day(a.train_window.1),
        100.0 * a.train_positives as f64 / a.train_leads as f64,
        a.training_seconds
    )?;
    writeln!(
        o,
        "tested on {} leads created {} .. {}: ROC AUC {}  PR AUC {}  lift at top decile {}",
        a.test_leads,
        day(a.test_window.0),
        day(a.test_window.1),
        f4(a.test.roc_auc),
        f4(a.test.pr_auc),
        a.test
            .lift_top_decile
            .map_or("n/a".into(), |x| format!("{x:.2}"))
    )?;
    writeln!(o, "features:")?;
    for c in &a.model.encoder.columns {
        writeln!(o, "  {:24} {}", c.name(), c.describe())?;
    }
    writeln!(
        o,
        "{}",
        if args.no_adopt {
            format!("stored as model v{version} (not adopted)")
        } else {
            format!("stored as model v{version} and adopted: `accord lead show ID` explains its predictions")
        }
    )?;
    write_stdout(&o)?;
    Ok(ExitCode::SUCCESS)
}

pub fn evaluate(args: EvaluateArgs) -> CmdResult {
    let store = open_for_reading(&args.db)?;
    let a: Artifact = stored::adopted(&store)?.ok_or(predict::PredictError::NoModel)?;
    let d = predict::collect(&store, &a.params()?)?;
    let engine = live::load(&store, &mut Quiet)?;
    let c = predict::compare(&a, &d, &engine)?;
    if args.json {
        write_stdout(&(serde_json::to_string_pretty(&c)? + "\n"))?;
        return Ok(ExitCode::SUCCESS);
    }
    let mut o = String::new();
    writeln!(
        o,
        "model v{} (adopted): reaches {} within {} days, from what was known {} days after creation",
        a.version, a.stage, a.within_days, a.cutoff_days
    )?;
    let pos = c.model.positives;
    writeln!(
        o,
        "test leads: {} created {} .. {} ({pos} reached, {:.2} %)",
        c.test_leads,
        day(a.test_window.0),
        day(a.test_window.1),
        100.0 * pos as f64 / c.test_leads as f64
    )?;
    writeln!(
        o,
        "{:28} {:>8} {:>8} {:>10}",
        "", "ROC AUC", "PR AUC", "lift@10%"
    )?;
    let line = |o: &mut String, name: &str, m: &MetricsRecord| {
        let _ = writeln!(
            o,
            "{name:28} {:>8} {:>8} {:>10}",
            f4(m.roc_auc),
            f4(m.pr_auc),
            m.lift_top_decile
                .map_or("n/a".into(), |x| format!("{x:.2}"))
        );
    };
    line(&mut o, "model", &c.model);
    match &c.rules {
        Some(r) => line(&mut o, "agreement's rule score", r),
        None => {
            writeln!(
                o,
                "agreement's rule score: none (no agreement in force: `accord agreement adopt`)"
            )?;
        }
    }
    writeln!(
        o,
        "calibration on the test leads (by decile of prediction):"
    )?;
    writeln!(o, "  decile   rows  predicted  observed")?;
    for k in &c.calibration {
        writeln!(
            o,
            "  {:>6}  {:>5}  {:>8.1} %  {:>6.1} %",
            k.decile,
            k.rows,
            100.0 * k.predicted,
            100.0 * k.observed
        )?;
    }
    if c.rules.is_some() {
        writeln!(
            o,
            "(the rule score is each lead's score at its cut-off, as the model scores it: its touches up to then, its fit as its fields are now)"
        )?;
    }
    write_stdout(&o)?;
    Ok(ExitCode::SUCCESS)
}
