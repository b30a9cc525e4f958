//! `accord serve`: the HTTP API over the engine library, as a library the
//! CLI starts (and tests start on a random loopback port).
//!
//! - webhooks: delivered by `accord_hooks::thread` (own connection),
//!   managed through `api::hooks`.
//! - [`core`]: the engine thread (store + `Runner`), commands over a
//!   channel, group commit of concurrent event posts, clocks stepped by the wall clock.
//! - [`events`]: inputs judged and stored, and each one's answer.
//! - [`api`]: the routes, the caller from the bearer token, problems, metrics.
//! - [`roles`]: the role × endpoint matrix (one table: server, test, docs).
//! - [`auth`]: tokens (made, hashed, compared in constant time).
//! - [`session`]: the dashboard's logins (a token for a cookie, CSRF).
//! - [`ui`]: the dashboard's files, served at `/` and `/ui/...`.
//! - [`problem`], [`limits`], [`idempotency`], [`metrics`].

// A `Problem` is the error path's HTTP answer (a few strings): its size on
// the stack matters less than handlers returning it with `?`.
#![allow(clippy::result_large_err)]

pub mod api;
pub mod auth;
pub mod core;
pub mod events;
pub mod idempotency;
pub mod limits;
pub mod metrics;
pub mod problem;
pub mod roles;
pub mod session;
pub mod ui;

use std::net::SocketAddr;
use std::path::PathBuf;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;

use accord_engine::AgreementText;
use accord_store::{SqliteStore, StoreError, TokenStore};

pub use limits::Limits;

/// What a server is started with.
pub struct Config {
    pub db: PathBuf,
    /// The agreement file: the reports' terms until one is adopted.
    pub agreement: AgreementText,
    pub listen: SocketAddr,
    pub limits: Limits,
    /// How webhooks are delivered (schedule, timeout).
    pub hooks: accord_hooks::worker::Config,
}

/// Why a server could not start.
#[derive(Debug, thiserror::Error)]
pub enum ServeError {
    #[error(transparent)]
    Store(#[from] StoreError),
    #[error(transparent)]
    Token(#[from] auth::TokenError),
    #[error("cannot start the webhook delivery thread: {0}")]
    HookThread(std::io::Error),
    #[error("cannot listen on {addr}: {source}")]
    Listen {
        addr: SocketAddr,
        source: std::io::Error,
    },
}

/// A started server.
pub struct Server {
    /// The address it listens on (the port chosen when 0 was asked).
    pub addr: SocketAddr,
    /// The first admin token, when the database had no token (shown once).
    pub first_token: Option<String>,
    listener: tokio::net::TcpListener,
    router: axum::Router,
    engine: std::thread::JoinHandle<()>,
    hooks: std::thread::JoinHandle<()>,
    hooks_stop: Arc<AtomicBool>,
}

/// Opens the database (created when missing, migrated to this format),
/// makes a first admin token when there is none, binds `listen` and starts
/// the engine thread loading the log (`/readyz` says when it is ready) and
/// the webhook delivery thread.
/// Call within a tokio runtime.
pub async fn start(config: Config) -> Result<Server, ServeError> {
    let mut store = SqliteStore::create_or_open(&config.db)?;
    let first_token = if store.tokens()?.is_empty() {
        let now =
            core::wall_clock().seconds_since(accord_core::domain::Timestamp::from_unix_seconds(0));
        Some(auth::create(&mut store, "admin", None, Some("first admin token"), now)?.token)
    } else {
        None
    };
    let listener = tokio::net::TcpListener::bind(config.listen)
        .await
        .map_err(|source| ServeError::Listen {
            addr: config.listen,
            source,
        })?;
    let addr = listener.local_addr().map_err(|source| ServeError::Listen {
        addr: config.listen,
        source,
    })?;
    let tokens = auth::Tokens::default();
    tokens.set(store.tokens()?);
    let metrics = Arc::new(metrics::Metrics::default());
    let (handle, engine) = core::spawn(core::Start {
        store,
        file: config.agreement,
        tokens: tokens.clone(),
        metrics: Arc::clone(&metrics),
    });
    let hooks_stop = Arc::new(AtomicBool::new(false));
    let hooks = spawn_hooks(
        config.db.clone(),
        config.hooks,
        Arc::clone(&hooks_stop),
        Arc::clone(&metrics),
    )
    .map_err(ServeError::HookThread)?;
    let limits = config.limits;
    let router = api::router(move |openapi| api::AppState {
        handle,
        tokens,
        metrics,
        limits,
        rate: Arc::default(),
        idempotency: Arc::default(),
        openapi,
        sessions: Default::default(),
        ui: Arc::new(ui::Assets::from_env()),
    });
    Ok(Server {
        addr,
        first_token,
        listener,
        router,
        engine,
        hooks,
        hooks_stop,
    })
}

/// The webhook delivery thread (`accord_hooks::thread`, as `accord run`
/// starts it): its own connection, its rounds counted in the metrics.
fn spawn_hooks(
    db: PathBuf,
    config: accord_hooks::worker::Config,
    stop: Arc<AtomicBool>,
    metrics: Arc<metrics::Metrics>,
) -> std::io::Result<std::thread::JoinHandle<()>> {
    use accord_hooks::thread::Report;
    let open = move || {
        let mut store = SqliteStore::open_existing(&db)?;
        let _ = store.set_write_wait(std::time::Duration::from_secs(1));
        Ok(store)
    };
    let mut told = false;
    accord_hooks::thread::spawn(open, config, stop, move |report| match report {
        Report::NotOpened(e) => eprintln!("error: webhooks are not delivered: {e}"),
        Report::Round(Ok(r)) => {
            told = false;
            metrics.hooks(r);
        }
        Report::Round(Err(e)) => {
            metrics.hook_round_failed();
            if !told {
                told = true;
                eprintln!("note: webhooks waiting, retrying: {e}");
            }
        }
    })
}

impl Server {
    /// Serves until `stop` resolves, then lets requests in flight finish,
    /// stops the engine thread (the reports' snapshot saved) and returns.
    pub async fn run(
        self,
        stop: impl std::future::Future<Output = ()> + Send + 'static,
    ) -> std::io::Result<()> {
        let served = axum::serve(self.listener, self.router)
            .with_graceful_shutdown(stop)
            .await;
        // Every handle was in the router: dropped with it, the engine
        // thread sees its channel closed and stops. The delivery thread
        // finishes the request in flight, records it, and stops.
        self.hooks_stop.store(true, Ordering::SeqCst);
        let (engine, hooks) = (self.engine, self.hooks);
        tokio::task::spawn_blocking(move || {
            let _ = hooks.join();
            let _ = engine.join();
        })
        .await
        .ok();
        served
    }
}

/// The OpenAPI document (what `/openapi.json` serves), without a server.
pub fn openapi_json() -> String {
    api::openapi()
        .to_pretty_json()
        .expect("the document serialises")
}
