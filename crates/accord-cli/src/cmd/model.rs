//! `accord model evaluate|train|list|adopt`: predictive scoring (accord-model).

mod db;
mod list;
mod table;

use std::path::PathBuf;

use super::{CmdResult, DbArgs};

/// Predictive scoring: a model learned from what converted.
///
/// `evaluate --table` fits accord's learner (regularised logistic
/// regression over encoded columns, no Python) on any flat table and
/// measures it on held-out rows: ROC AUC, PR AUC, lift at the top decile,
/// calibration by decile.
///
/// `train` learns, from the log, the chance that a lead reaches a stage
/// within N days of creation from what was known D days after creation
/// (lead and account fields, touches, stage), trains on the earlier leads,
/// tests on the later ones and stores the model beside the log (adopted:
/// `accord lead show` explains its prediction). `evaluate --db` measures
/// the adopted model against the agreement's rule score on the same leads.
///
/// Examples:
///   accord model train --stage opportunity --within-days 90 --cutoff-days 7
///   accord model evaluate
///   accord model list
///   accord model adopt 2
///   accord model evaluate --table bank-full.csv --target y --drop duration
///   accord model evaluate --table export.csv --target won --split random:0.8:42
#[derive(clap::Args)]
#[command(verbatim_doc_comment)]
pub struct Args {
    #[command(subcommand)]
    what: ModelCommand,
}

#[derive(clap::Subcommand)]
enum ModelCommand {
    /// Fit on the training rows, measure on the test rows.
    Evaluate(EvaluateArgs),
    /// Learn from the log and store the model (adopted unless --no-adopt).
    Train(TrainArgs),
    /// The stored models: version, when trained, what they predict, test
    /// ROC AUC, and which one is adopted.
    List(ListArgs),
    /// Put a stored model in use: appends a `model_adopted` event carrying
    /// it to the log (`accord lead show`, the API and the dashboard show
    /// its predictions).
    Adopt(AdoptArgs),
}

#[derive(clap::Args)]
pub struct ListArgs {
    /// Print the list as JSON.
    #[arg(long)]
    json: bool,
    #[command(flatten)]
    db: DbArgs,
}

#[derive(clap::Args)]
pub struct AdoptArgs {
    /// The model's version (see `accord model list`).
    version: u32,
    /// Who adopts it (kept with the adoption in the log).
    #[arg(long, value_name = "NAME")]
    by: Option<String>,
    #[command(flatten)]
    db: DbArgs,
}

#[derive(clap::Args)]
pub struct TrainArgs {
    /// The stage to predict (reaching it or a later funnel stage counts).
    #[arg(long, default_value = "opportunity")]
    stage: String,
    /// The outcome: the stage reached within this many days of creation.
    #[arg(long, default_value_t = 90, value_parser = clap::value_parser!(i64).range(1..=3650))]
    within_days: i64,
    /// Features as known this many days after creation (the scoring time).
    #[arg(long, default_value_t = 7, value_parser = clap::value_parser!(i64).range(0..=3650))]
    cutoff_days: i64,
    /// Store the model without putting it in use.
    #[arg(long)]
    no_adopt: bool,
    /// Also write the feature table (leads with an outcome, in creation
    /// order, the outcome in column `reached`) to this CSV file.
    #[arg(long, value_name = "FILE.csv")]
    export_features: Option<PathBuf>,
    /// Print the result as JSON.
    #[arg(long)]
    json: bool,
    #[command(flatten)]
    db: DbArgs,
}

#[derive(clap::Args)]
pub struct EvaluateArgs {
    /// A CSV table with a header line (delimiter , ; tab or | detected;
    /// each column numeric or categorical, inferred and reported).
    /// Without it, the adopted model of the database is measured.
    #[arg(long, value_name = "FILE.csv", requires = "target")]
    table: Option<PathBuf>,
    /// The outcome column: two values (yes/no, true/false, 1/0, won/lost).
    #[arg(long, value_name = "COLUMN", requires = "table")]
    target: Option<String>,
    /// Columns left out (comma-separated), e.g. ones known only after the
    /// outcome.
    #[arg(long, value_name = "COLS", value_delimiter = ',')]
    drop: Vec<String>,
    /// temporal:FRACTION (the first rows train, in file order) or
    /// random:FRACTION:SEED.
    #[arg(long, default_value = "temporal:0.8")]
    split: accord_model::Split,
    /// Print the evaluation as JSON.
    #[arg(long)]
    json: bool,
    #[command(flatten)]
    db: DbArgs,
}

pub fn run(args: Args) -> CmdResult {
    match args.what {
        ModelCommand::Evaluate(a) if a.table.is_some() => table::evaluate(a),
        ModelCommand::Evaluate(a) => db::evaluate(a),
        ModelCommand::Train(a) => db::train(a),
        ModelCommand::List(a) => list::list(a),
        ModelCommand::Adopt(a) => list::adopt(a),
    }
}
