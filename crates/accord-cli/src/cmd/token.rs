//! `accord token create|list|revoke`: the HTTP API's tokens.

use std::fmt::Write;
use std::process::ExitCode;

use accord_store::TokenStore;

use super::{open_for_reading, open_store, write_stdout, CmdResult, DbArgs};

/// Tokens for the HTTP API (`accord serve`).
///
/// A token is shown once, when made; the database keeps only its SHA-256.
/// Roles: admin (everything), marketing_ops (events, every lead, reports),
/// sales_manager (their team's leads: the reps whose manager_id is them,
/// and themself), rep (their own leads), analyst (reports only). The full
/// table is in docs/api.md. A revoked token stops working within a second
/// on a running server.
///
/// Examples:
///   accord token create --role rep --rep R0007 --label "Anna's phone"
///   accord token list
///   accord token revoke 3
#[derive(clap::Args)]
#[command(verbatim_doc_comment)]
pub struct Args {
    #[command(subcommand)]
    what: TokenCommand,
}

#[derive(clap::Subcommand)]
enum TokenCommand {
    /// Make a token and print it (once).
    Create {
        /// admin, marketing_ops, sales_manager, rep or analyst.
        #[arg(long, value_parser = ["admin", "marketing_ops", "sales_manager", "rep", "analyst"])]
        role: String,
        /// The rep the token acts as (required for sales_manager and rep).
        #[arg(long, value_name = "REP_ID")]
        rep: Option<String>,
        /// What the token is for (shown by `list`, and as `by` of an adoption).
        #[arg(long)]
        label: Option<String>,
        #[command(flatten)]
        db: DbArgs,
    },
    /// List the tokens (never their text).
    List {
        #[command(flatten)]
        db: DbArgs,
    },
    /// Revoke a token by its id.
    Revoke {
        id: u64,
        #[command(flatten)]
        db: DbArgs,
    },
}

fn now() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_secs() as i64)
}

pub fn run(args: Args) -> CmdResult {
    match args.what {
        TokenCommand::Create {
            role,
            rep,
            label,
            db,
        } => {
            let mut store = open_store(&db)?;
            let made = accord_serve::auth::create(
                &mut store,
                &role,
                rep.as_deref(),
                label.as_deref(),
                now(),
            )?;
            eprintln!("token {} ({role}) made; it is shown once:", made.id);
            write_stdout(&format!("{}\n", made.token))?;
        }
        TokenCommand::List { db } => {
            let store = open_for_reading(&db)?;
            let mut o = String::from("id  role           rep         created               revoked               label\n");
            for t in store.tokens()? {
                let time =
                    |s: i64| accord_core::domain::Timestamp::from_unix_seconds(s).to_string();
                let _ = writeln!(
                    o,
                    "{:<3} {:<14} {:<11} {:<21} {:<21} {}",
                    t.id,
                    t.role,
                    t.rep.as_deref().unwrap_or("-"),
                    time(t.created_at),
                    t.revoked_at.map_or("-".to_owned(), time),
                    accord_core::shown::for_terminal(t.label.as_deref().unwrap_or(""), 60).0
                );
            }
            write_stdout(&o)?;
        }
        TokenCommand::Revoke { id, db } => {
            let mut store = open_store(&db)?;
            if !store.revoke_token(id, now())? {
                return Err(format!(
                    "no token {id} that is not revoked already (see `accord token list`)"
                )
                .into());
            }
            eprintln!("token {id} revoked");
        }
    }
    Ok(ExitCode::SUCCESS)
}
