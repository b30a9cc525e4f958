//! Health, readiness, metrics, the OpenAPI document and a page to browse it.

use axum::extract::State;
use axum::http::{header, HeaderValue, StatusCode};
use axum::response::{Html, IntoResponse, Response};
use serde::Serialize;
use utoipa::ToSchema;

use super::AppState;
use crate::core::Phase;
use crate::problem::Problem;

#[derive(Serialize, ToSchema)]
pub struct Health {
    pub status: String,
}

/// The process answers.
#[utoipa::path(get, path = "/healthz", tag = "operations", responses((status = 200, body = Health)))]
pub async fn healthz() -> axum::Json<Health> {
    axum::Json(Health {
        status: "ok".into(),
    })
}

/// Ready once the engine has loaded the log (503 while it loads).
#[utoipa::path(get, path = "/readyz", tag = "operations", responses(
    (status = 200, body = Health),
    (status = 503, description = "Loading, or failed to load", body = Problem, content_type = "application/problem+json"),
))]
pub async fn readyz(State(state): State<AppState>) -> Response {
    match state.handle.phase() {
        Phase::Ready => axum::Json(Health {
            status: "ready".into(),
        })
        .into_response(),
        Phase::Loading => Problem::unavailable("loading the log").into_response(),
        Phase::Failed => {
            Problem::unavailable("the log could not be loaded (see the server's output)")
                .into_response()
        }
        Phase::Stopped => Problem::unavailable("stopping").into_response(),
    }
}

/// Prometheus text format.
#[utoipa::path(get, path = "/metrics", tag = "operations", responses((status = 200, description = "Prometheus text", content_type = "text/plain", body = String)))]
pub async fn metrics(State(state): State<AppState>) -> Response {
    use accord_store::HookStore;
    // The outbox's depth is read on the engine thread's connection; left
    // out while the engine is not running.
    let outbox = state
        .handle
        .run(|core| core.store.pending_count().ok())
        .await
        .ok()
        .flatten();
    let mut r = (StatusCode::OK, state.metrics.render(outbox)).into_response();
    r.headers_mut().insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("text/plain; version=0.0.4; charset=utf-8"),
    );
    r
}

/// This document.
pub async fn openapi(State(state): State<AppState>) -> Response {
    let mut r = (StatusCode::OK, state.openapi.as_str().to_owned()).into_response();
    r.headers_mut().insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("application/json"),
    );
    r
}

/// A page listing every operation of /openapi.json (no CDN: served from the binary).
pub async fn docs() -> Html<&'static str> {
    Html(include_str!("docs.html"))
}
