//! `accord lead show ID` and `accord leads`: what the engine knows of a
//! lead, explained, and every lead in one line.

use std::fmt::Write;
use std::process::ExitCode;

use accord_decide::LeadReport;
use accord_engine::{live, predict};

use super::report::Bars;
use super::{csv_field, open_for_reading, write_stdout, CmdResult, DbArgs};

/// What a rep reads before calling a lead.
#[derive(clap::Args)]
#[command(verbatim_doc_comment)]
pub struct LeadArgs {
    #[command(subcommand)]
    what: LeadCommand,
}

#[derive(clap::Subcommand)]
enum LeadCommand {
    /// Explain one lead: its score line by line (rule, points, decay, when),
    /// every stage move and who or what made it, its owner and the routing
    /// rule that chose them, its account and how it was matched, its SLA
    /// clocks (time left, met or breached), its recent touches and the
    /// content it viewed.
    ///
    /// Scores are computed now, under the agreement in force, at the time of
    /// the latest event in the log (scores decay as time passes).
    ///
    /// Example: accord lead show L0000042
    #[command(verbatim_doc_comment)]
    Show(ShowArgs),
}

#[derive(clap::Args)]
struct ShowArgs {
    /// The lead's id.
    id: String,
    /// `text` for people, `json` for programs.
    #[arg(long, default_value = "text", value_parser = ["text", "json"])]
    format: String,
    #[command(flatten)]
    db: DbArgs,
}

pub fn run_lead(args: LeadArgs) -> CmdResult {
    let LeadCommand::Show(args) = args.what;
    let store = open_for_reading(&args.db)?;
    let engine = live::load(&store, &mut Bars::new())?;
    let Some(report) = engine.explain(&args.id) else {
        return Err(format!(
            "no lead {} in {}",
            accord_core::shown::for_terminal(&args.id, 80).0,
            args.db.db.display()
        )
        .into());
    };
    // From the engine's state: the model its latest `model_adopted`
    // carries, the lead's features from its rows (no pass over the log).
    let prediction = predict::explain::lead_prediction(&engine, &args.id)?;
    let text = if args.format == "json" {
        let mut v = serde_json::to_value(&report)?;
        v["prediction"] = serde_json::to_value(&prediction)?;
        serde_json::to_string_pretty(&v)? + "\n"
    } else {
        let mut t = render(&report);
        if let Some(p) = &prediction {
            t.push_str(&render_prediction(p));
        }
        t
    };
    write_stdout(&text)?;
    Ok(ExitCode::SUCCESS)
}

/// The adopted model's prediction and its reasons, as a rep reads them.
pub fn render_prediction(p: &predict::explain::LeadPrediction) -> String {
    let mut o = String::new();
    let _ = writeln!(
        o,
        "\nPrediction: {:.0} % chance to reach {} within {} days of creation (a lead of average features: {:.0} %; model v{}, from what was known {} days after creation)",
        100.0 * p.probability,
        p.stage,
        p.within_days,
        100.0 * p.average,
        p.model_version,
        p.cutoff_days
    );
    let factor = |f: f64| {
        if f >= 1.0 {
            format!("odds ×{f:.1}")
        } else {
            format!("odds ÷{:.1}", 1.0 / f)
        }
    };
    for (title, reasons) in [("raised by", &p.raised_by), ("lowered by", &p.lowered_by)] {
        if !reasons.is_empty() {
            let _ = writeln!(o, "  {title}:");
            for r in reasons {
                let _ = writeln!(o, "    {} ({})", r.words, factor(r.odds_factor));
            }
        }
    }
    o
}

/// The report as a rep reads it.
pub fn render(r: &LeadReport) -> String {
    let mut o = String::new();
    let _ = writeln!(o, "{} {} <{}>", r.id, r.name, r.email);
    let company = if r.company.is_empty() {
        r.account_name.as_deref().unwrap_or("")
    } else {
        &r.company
    };
    match (r.title.is_empty(), company.is_empty()) {
        (false, false) => {
            let _ = writeln!(o, "  {} at {company} ({})", r.title, r.region);
        }
        (false, true) => {
            let _ = writeln!(o, "  {} ({})", r.title, r.region);
        }
        (true, false) => {
            let _ = writeln!(o, "  at {company} ({})", r.region);
        }
        (true, true) => {
            let _ = writeln!(o, "  ({})", r.region);
        }
    }
    let _ = writeln!(o, "  created {}", r.created_at);
    let _ = writeln!(o, "\nStage: {} since {}", r.stage, r.stage_since);
    match (&r.owner, &r.owner_by) {
        (Some(owner), by) => {
            let name = r.owner_name.as_deref().unwrap_or("");
            let _ = writeln!(o, "Owner: {owner} {name}");
            if let Some(by) = by {
                let since = r.owner_since.as_deref().unwrap_or("");
                let _ = writeln!(o, "  chosen by {by} at {since}");
            }
        }
        (None, _) if r.waiting_for_owner => {
            let _ = writeln!(
                o,
                "Owner: none yet: no rep was eligible; routed again at the lead's next event"
            );
        }
        (None, _) => {
            let _ = writeln!(o, "Owner: none");
        }
    }
    for line in &r.routing {
        let _ = writeln!(o, "  {line}");
    }
    match (&r.account, &r.account_by) {
        (Some(a), by) => {
            let name = r.account_name.as_deref().unwrap_or("(not recorded yet)");
            let _ = writeln!(o, "Account: {a} {name}");
            if let Some(by) = by {
                let _ = writeln!(o, "  {by}");
            }
        }
        (None, _) => {
            let _ = writeln!(o, "Account: none known");
        }
    }
    match (r.agreement, r.mql_threshold) {
        (Some(v), Some(threshold)) => {
            let _ = writeln!(
                o,
                "\nScore: {} = fit {} + engagement {} (MQL at {threshold}; agreement v{v}, as of {})",
                r.score, r.fit, r.engagement, r.as_of
            );
            for l in r.score_lines.iter().filter(|l| l.part == "fit") {
                let _ = writeln!(o, "  fit         {:+4}  {}", l.points, l.rule);
            }
            let engagement: Vec<_> = r
                .score_lines
                .iter()
                .filter(|l| l.part == "engagement")
                .collect();
            for l in engagement.iter().rev().take(12) {
                let _ = writeln!(
                    o,
                    "  engagement {:+5.1}  {} ({:+} × {:.3} decay, touch {} at {})",
                    l.value,
                    l.rule,
                    l.points,
                    l.decay,
                    l.touch.as_deref().unwrap_or(""),
                    l.at.as_deref().unwrap_or("")
                );
            }
            if engagement.len() > 12 {
                let rest: f64 = engagement.iter().rev().skip(12).map(|l| l.value).sum();
                let _ = writeln!(
                    o,
                    "  engagement {rest:+5.1}  from {} older lines",
                    engagement.len() - 12
                );
            }
        }
        _ => {
            let _ = writeln!(
                o,
                "\nScore: no agreement adopted (run `accord agreement adopt`)"
            );
        }
    }
    if !r.history.is_empty() {
        let _ = writeln!(o, "\nStage history:");
        for h in &r.history {
            let reason = h
                .reason
                .as_ref()
                .map(|x| format!(" ({x})"))
                .unwrap_or_default();
            let _ = writeln!(o, "  {}  {} → {}{reason}  by {}", h.at, h.from, h.to, h.by);
        }
    }
    if !r.clocks.is_empty() {
        let _ = writeln!(o, "\nSLA clocks (as of {}):", r.as_of);
        for c in &r.clocks {
            let _ = writeln!(o, "  {}", super::sla::clock_words(c));
        }
    }
    if !r.touches.is_empty() {
        let _ = writeln!(o, "\nRecent touches ({} in all):", r.touch_count);
        for t in &r.touches {
            let what = t
                .content
                .as_ref()
                .map(|c| format!("  {c}"))
                .unwrap_or_default();
            let by = t
                .rep
                .as_ref()
                .map(|x| format!("  by {x}"))
                .unwrap_or_default();
            let _ = writeln!(o, "  {}  {}{what}{by}", t.at, t.kind);
        }
    }
    o
}

/// List leads with their stage, owner, scores and the next SLA deadline.
///
/// `next deadline` is the earliest deadline of the lead's open SLA clocks
/// (follow up, decide), `-` when none is open. Scores are computed under the agreement in force at the time of the
/// latest event in the log.
///
/// Examples:
///   accord leads --stage mql --min-score 70
///   accord leads --owner R0007 --format csv
#[derive(clap::Args)]
#[command(verbatim_doc_comment)]
pub struct LeadsArgs {
    /// Only leads in this stage.
    #[arg(long, value_name = "STAGE")]
    stage: Option<String>,
    /// Only leads owned by this rep.
    #[arg(long, value_name = "REP")]
    owner: Option<String>,
    /// Only leads scoring at least this (0 to 100).
    #[arg(long, value_name = "N", value_parser = clap::value_parser!(i64).range(0..=100))]
    min_score: Option<i64>,
    /// Only leads scoring at most this (0 to 100).
    #[arg(long, value_name = "N", value_parser = clap::value_parser!(i64).range(0..=100))]
    max_score: Option<i64>,
    /// Only leads of this account.
    #[arg(long, value_name = "ACCOUNT")]
    account: Option<String>,
    /// At most this many leads (0: all).
    #[arg(long, default_value_t = 0, value_name = "N")]
    limit: usize,
    /// `table` for people, `csv` or `json` for programs.
    #[arg(long, default_value = "table", value_parser = ["table", "csv", "json"])]
    format: String,
    #[command(flatten)]
    db: DbArgs,
}

pub fn run_leads(args: LeadsArgs) -> CmdResult {
    let store = open_for_reading(&args.db)?;
    let engine = live::load(&store, &mut Bars::new())?;
    let query = accord_engine::leads::LeadQuery {
        stage: args.stage,
        owner: args.owner,
        min_score: args.min_score,
        max_score: args.max_score,
        account: args.account,
        limit: (args.limit > 0).then_some(args.limit),
        ..Default::default()
    };
    let rows = accord_engine::leads::query(&engine, &query).leads;
    let mut o = String::new();
    match args.format.as_str() {
        "json" => o = serde_json::to_string(&rows)? + "\n",
        "csv" => {
            o.push_str("lead_id,stage,owner,fit,engagement,score,next_due\n");
            for l in &rows {
                let _ = writeln!(
                    o,
                    "{},{},{},{},{},{},{}",
                    csv_field(&l.id),
                    csv_field(&l.stage),
                    csv_field(l.owner.as_deref().unwrap_or("")),
                    l.fit,
                    l.engagement,
                    l.score,
                    l.next_due.as_deref().unwrap_or("")
                );
            }
        }
        _ => {
            let _ = writeln!(
                o,
                "{:<14} {:<13} {:<10} {:>4} {:>10} {:>5}  next deadline",
                "lead", "stage", "owner", "fit", "engagement", "score"
            );
            for l in &rows {
                let _ = writeln!(
                    o,
                    "{:<14} {:<13} {:<10} {:>4} {:>10} {:>5}  {}",
                    l.id,
                    l.stage,
                    l.owner.as_deref().unwrap_or("-"),
                    l.fit,
                    l.engagement,
                    l.score,
                    l.next_due.as_deref().unwrap_or("-")
                );
            }
            let _ = writeln!(o, "{} leads", rows.len());
        }
    }
    write_stdout(&o)?;
    Ok(ExitCode::SUCCESS)
}
