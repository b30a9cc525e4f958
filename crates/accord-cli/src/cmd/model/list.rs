//! `accord model list` and `accord model adopt N`.

use std::fmt::Write;
use std::process::ExitCode;

use accord_engine::predict::stored;

use super::db::day;
use super::{AdoptArgs, ListArgs};
use crate::cmd::{open_for_reading, write_stdout, CmdResult};

pub fn list(args: ListArgs) -> CmdResult {
    let store = open_for_reading(&args.db)?;
    let models = stored::list(&store)?;
    if args.json {
        write_stdout(&(serde_json::to_string_pretty(&models)? + "\n"))?;
        return Ok(ExitCode::SUCCESS);
    }
    let mut o = String::new();
    if models.is_empty() {
        writeln!(o, "no model stored (run `accord model train`)")?;
    } else {
        writeln!(
            o,
            "{:>7}  {:10}  {:>8}  {:13}  {:>6}  {:>7}  {:>7}",
            "version", "trained", "log head", "stage", "within", "cut-off", "ROC AUC"
        )?;
    }
    for m in &models {
        writeln!(
            o,
            "{:>7}  {:10}  {:>8}  {:13}  {:>4} d  {:>5} d  {:>7}{}",
            format!("v{}", m.version),
            m.trained_at.map_or("unknown".into(), day),
            m.head,
            m.stage,
            m.within_days,
            m.cutoff_days,
            m.test_roc_auc.map_or("n/a".into(), |x| format!("{x:.4}")),
            if m.adopted { "  adopted" } else { "" }
        )?;
    }
    if !models.is_empty() && !models.iter().any(|m| m.adopted) {
        writeln!(o, "none adopted: `accord model adopt N` puts one in use")?;
    }
    write_stdout(&o)?;
    Ok(ExitCode::SUCCESS)
}

pub fn adopt(args: AdoptArgs) -> CmdResult {
    let mut store = open_for_reading(&args.db)?;
    if store.access() == accord_store::Access::ReadOnly {
        return Err(format!(
            "{}: cannot be written; nothing adopted",
            args.db.db.display()
        )
        .into());
    }
    let done = stored::adopt(
        &mut store,
        args.version,
        args.by.as_deref(),
        accord_import::now(),
    )?;
    let a = &done.artifact;
    let how = if done.already_in_use {
        "already in use (nothing stored)".to_owned()
    } else {
        format!("adopted (model_adopted M{} in the log)", done.number)
    };
    write_stdout(&format!(
        "model v{} {how}: reaches {} within {} days, from what was known {} days after creation\n",
        a.version, a.stage, a.within_days, a.cutoff_days
    ))?;
    Ok(ExitCode::SUCCESS)
}
