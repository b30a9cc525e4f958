//! `accord hook create|list|delete|replay|dead`: webhook subscriptions and
//! their deliveries. The rules are `accord_hooks`'; this module opens the
//! store and prints. Deliveries are made by `accord run` (and the server).

use std::process::ExitCode;

use accord_hooks::subscribe::{parse_events, subscribe};
use accord_store::hooks::{Delivery, DeliveryState};
use accord_store::HookStore;

use super::{open_for_reading, write_stdout, CmdResult, DbArgs};

/// Webhooks: subscribe a URL to accord's events, list, delete, replay, dead letters
///
/// A subscription receives, as signed HTTP POSTs, the events named from
/// the moment it is made (history is not replayed): lead.mql, lead.routed,
/// lead.accepted, lead.rejected, sla.breached, sla.escalated,
/// opportunity.won. `accord run` delivers them, at least once, each lead's
/// in order, retrying 10 s, 30 s, 2 min, 10 min, 1 h and 6 h after
/// failures, then keeping the delivery as a dead letter (`accord hook dead`)
/// that `accord hook replay` sends again. Imported history is never sent.
///
/// Each request carries `X-Accord-Signature: t=<unix>,v1=<hex>`, the
/// HMAC-SHA256 of `<t>.<body>` under the subscription's secret, and
/// `X-Accord-Delivery`, the delivery's id, to de-duplicate on. See
/// docs/webhooks.md for the payloads and how to verify.
///
/// Examples:
///   accord hook create https://example.com/accord --events lead.mql,lead.routed
///   accord hook create https://hooks.slack.com/services/T/B/X --events sla.breached,opportunity.won --format slack
///   accord hook list
///   accord hook dead
///   accord hook replay 42
///   accord hook delete 3
#[derive(clap::Args)]
#[command(verbatim_doc_comment)]
pub struct Args {
    #[command(subcommand)]
    command: Sub,
}

#[derive(clap::Subcommand)]
enum Sub {
    Create(CreateArgs),
    List(ListArgs),
    Delete(IdArgs),
    Replay(IdArgs),
    Dead(DeadArgs),
}

/// Subscribe a URL; prints its id and secret (the secret only this once)
#[derive(clap::Args)]
struct CreateArgs {
    /// Where to POST: http:// or https://.
    url: String,
    /// The events to send, comma-separated (lead.mql, lead.routed,
    /// lead.accepted, lead.rejected, sla.breached, sla.escalated,
    /// opportunity.won).
    #[arg(long, value_name = "A,B")]
    events: String,
    /// The payload: accord's JSON, or Slack's incoming-webhook JSON
    /// (`{"text": …}`, a sentence per event).
    #[arg(long, default_value = "json", value_parser = ["json", "slack"])]
    format: String,
    #[command(flatten)]
    db: DbArgs,
}

/// List subscriptions (secrets are not shown)
#[derive(clap::Args)]
struct ListArgs {
    #[command(flatten)]
    db: DbArgs,
}

/// With an id
#[derive(clap::Args)]
struct IdArgs {
    /// The subscription's id (delete) or the delivery's (replay).
    id: i64,
    #[command(flatten)]
    db: DbArgs,
}

/// List dead letters: deliveries whose every attempt failed
#[derive(clap::Args)]
struct DeadArgs {
    /// List at most this many.
    #[arg(long, default_value_t = 100)]
    limit: usize,
    #[command(flatten)]
    db: DbArgs,
}

/// Nothing by that id.
#[derive(Debug, thiserror::Error)]
#[error("no {what} {id} (see `accord hook {list}`)")]
struct NotFound {
    what: &'static str,
    id: i64,
    list: &'static str,
}

pub fn run(args: Args) -> CmdResult {
    match args.command {
        Sub::Create(a) => create(a),
        Sub::List(a) => list(a),
        Sub::Delete(a) => delete(a),
        Sub::Replay(a) => replay(a),
        Sub::Dead(a) => dead(a),
    }
}

fn now() -> i64 {
    accord_import::now().unix_seconds()
}

fn create(args: CreateArgs) -> CmdResult {
    let kinds = parse_events(&args.events)?;
    let mut store = open_for_reading(&args.db)?;
    let sub = subscribe(&mut store, &args.url, &kinds, &args.format, now())?;
    eprintln!(
        "subscription {} made: {} to {} ({}), from log position {} on; keep the secret: it is not shown again",
        sub.id,
        sub.events.join(", "),
        sub.url,
        sub.format,
        sub.start_seq
    );
    write_stdout(&format!("id: {}\nsecret: {}\n", sub.id, sub.secret))?;
    Ok(ExitCode::SUCCESS)
}

fn list(args: ListArgs) -> CmdResult {
    let store = open_for_reading(&args.db)?;
    let subs = store.subscriptions()?;
    let mut out = String::from("id\tformat\tfrom\tevents\turl\n");
    for s in &subs {
        out.push_str(&format!(
            "{}\t{}\t{}\t{}\t{}\n",
            s.id,
            s.format,
            s.start_seq,
            s.events.join(","),
            s.url
        ));
    }
    write_stdout(&out)?;
    eprintln!(
        "{} subscription{}; {} deliveries pending, fanned out up to log position {}",
        subs.len(),
        if subs.len() == 1 { "" } else { "s" },
        store.pending_count()?,
        store.hook_cursor()?
    );
    Ok(ExitCode::SUCCESS)
}

fn delete(args: IdArgs) -> CmdResult {
    let mut store = open_for_reading(&args.db)?;
    if !store.delete_subscription(args.id)? {
        return Err(NotFound {
            what: "subscription",
            id: args.id,
            list: "list",
        }
        .into());
    }
    eprintln!(
        "subscription {} deleted, with its deliveries (nothing more is sent to it)",
        args.id
    );
    Ok(ExitCode::SUCCESS)
}

fn replay(args: IdArgs) -> CmdResult {
    let mut store = open_for_reading(&args.db)?;
    if !store.replay(args.id, now())? {
        return Err(NotFound {
            what: "delivery",
            id: args.id,
            list: "dead",
        }
        .into());
    }
    if let Some(d) = store.delivery(args.id)? {
        eprintln!(
            "delivery {} ({} {}, subscription {}) is pending again, due now: `accord run` sends it, with the same X-Accord-Delivery id",
            d.id, d.event_type, d.event_id, d.subscription
        );
    }
    Ok(ExitCode::SUCCESS)
}

fn dead(args: DeadArgs) -> CmdResult {
    let store = open_for_reading(&args.db)?;
    let dead = store.deliveries(DeliveryState::Dead, args.limit)?;
    let mut out = String::from("delivery\tsubscription\ttype\tevent\tattempts\tlast_error\n");
    for d in &dead {
        out.push_str(&line(d));
    }
    write_stdout(&out)?;
    eprintln!(
        "{} dead letter{} (`accord hook replay ID` sends one again)",
        dead.len(),
        if dead.len() == 1 { "" } else { "s" }
    );
    Ok(ExitCode::SUCCESS)
}

fn line(d: &Delivery) -> String {
    let error = d.last_error.as_deref().unwrap_or("-");
    format!(
        "{}\t{}\t{}\t{}\t{}\t{}\n",
        d.id,
        d.subscription,
        d.event_type,
        d.event_id,
        d.attempts,
        accord_core::shown::for_terminal(error, 200).0
    )
}
