//! `accord serve`: the HTTP API over the engine library, as a library the
//! CLI starts (and tests start on a random loopback port).
//!
//! - [`core`]: the engine thread (store + `Runner`), commands over a
//!   channel, group commit of concurrent event posts, clocks stepped by the wall clock.
//! - [`events`]: inputs judged and stored, and each one's answer.
//! - [`api`]: the routes, the caller from the bearer token, problems, metrics.
//! - [`roles`]: the role × endpoint matrix (one table: server, test, docs).
//! - [`auth`]: tokens (made, hashed, compared in constant time).
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

use std::net::SocketAddr;
use std::path::PathBuf;
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
}

/// Why a server could not start.
#[derive(Debug, thiserror::Error)]
pub enum ServeError {
    #[error(transparent)]
    Store(#[from] StoreError),
    #[error(transparent)]
    Token(#[from] auth::TokenError),
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
}

/// Opens the database (created when missing, migrated to this format),
/// makes a first admin token when there is none, binds `listen` and starts
/// the engine thread loading the log (`/readyz` says when it is ready).
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
    let limits = config.limits;
    let router = api::router(move |openapi| api::AppState {
        handle,
        tokens,
        metrics,
        limits,
        rate: Arc::default(),
        idempotency: Arc::default(),
        openapi,
    });
    Ok(Server {
        addr,
        first_token,
        listener,
        router,
        engine,
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
        // thread sees its channel closed and stops.
        let engine = self.engine;
        tokio::task::spawn_blocking(move || {
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
