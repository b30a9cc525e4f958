//! `accord serve`: the HTTP API (crates/accord-serve) on a socket.

use std::net::SocketAddr;
use std::process::ExitCode;

use super::report::read_agreement;
use super::{CmdResult, DbArgs};

/// Serve the HTTP API: events in, decisions out, leads, actions, reports.
///
/// `accord run` plus HTTP: one engine holds the log and the reports, steps
/// the SLA clocks by this machine's clock, and answers the API described
/// at /openapi.json (a page to browse it at /docs; docs/api.md).
///
/// Every call but /healthz, /readyz, /metrics, /openapi.json and /docs
/// takes `Authorization: Bearer TOKEN`. When the database holds no token,
/// a first admin token is made and printed once on stderr: keep it, it is
/// never shown again (`accord token create` makes more).
///
/// A response 2xx to `POST /v1/events` means the events are durable.
/// Stops on SIGTERM or Ctrl-C: requests in flight are answered, the
/// reports' snapshot is saved.
///
/// Examples:
///   accord serve
///   accord serve --listen 0.0.0.0:8080 --db /var/lib/accord/accord.db
#[derive(clap::Args)]
#[command(verbatim_doc_comment)]
pub struct Args {
    /// The address to listen on.
    #[arg(long, default_value = "127.0.0.1:8080", value_name = "ADDR")]
    listen: SocketAddr,
    /// The agreement whose terms the reports use until one is adopted
    /// [default: accord.toml if present, else the default agreement].
    #[arg(long, value_name = "FILE")]
    agreement: Option<std::path::PathBuf>,
    /// Requests per second one token may make (sustained; twice as many at once).
    #[arg(long, default_value_t = 200, value_name = "N", value_parser = clap::value_parser!(u32).range(1..=1_000_000))]
    rate: u32,
    #[command(flatten)]
    db: DbArgs,
}

pub fn run(args: Args) -> CmdResult {
    let agreement = read_agreement(args.agreement.as_deref())?;
    let limits = accord_serve::Limits {
        rate_per_sec: f64::from(args.rate),
        burst: 2.0 * f64::from(args.rate),
        ..Default::default()
    };
    let db = args.db.db.clone();
    serve(&db, agreement, args.listen, limits, |server| {
        if let Some(token) = &server.first_token {
            eprintln!("no API token existed: made a first admin token (shown once, keep it):\n\n    {token}\n");
        }
        eprintln!(
            "serving {} on http://{} (the dashboard at http://{}/, the API page at http://{}/docs); loading the log…",
            db.display(),
            server.addr,
            server.addr,
            server.addr
        );
    })?;
    eprintln!("stopped: every answered request is stored, the reports' snapshot saved");
    Ok(ExitCode::SUCCESS)
}

/// Starts the server on `db` (what `accord serve` and `accord demo` both
/// run), tells `started` its address, and serves until SIGTERM or Ctrl-C.
pub fn serve(
    db: &std::path::Path,
    agreement: accord_engine::AgreementText,
    listen: SocketAddr,
    limits: accord_serve::Limits,
    started: impl FnOnce(&accord_serve::Server) + Send,
) -> Result<(), Box<dyn std::error::Error>> {
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()?;
    runtime.block_on(async move {
        let server = accord_serve::start(accord_serve::Config {
            db: db.to_path_buf(),
            agreement,
            listen,
            limits,
            hooks: accord_hooks::worker::Config::default(),
        })
        .await?;
        started(&server);
        server.run(stop()).await?;
        Ok::<_, Box<dyn std::error::Error>>(())
    })
}

async fn stop() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let term = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut s) => {
                s.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    #[cfg(not(unix))]
    let term = std::future::pending::<()>();
    tokio::select! {
        _ = ctrl_c => {},
        _ = term => {},
    }
}
