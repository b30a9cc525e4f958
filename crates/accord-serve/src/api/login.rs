//! `/v1/session`: the dashboard's login (a token exchanged for a session
//! cookie), who the session is, and logout. The sessions: `crate::session`.

use std::time::Duration;

use axum::body::Bytes;
use axum::extract::State;
use axum::http::request::Parts;
use axum::http::{header, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Json;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::{authenticate, session_cookie, AppState};
use crate::auth::{Caller, Refused};
use crate::problem::Problem;
use crate::roles::{self, Role};
use crate::session;

/// A login: the token to open a session with.
#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Login {
    /// A token from `accord token create` (`acc_…`).
    pub token: String,
}

/// Who a session (or a bearer token) acts as.
#[derive(Serialize, ToSchema)]
pub struct Me {
    pub role: Role,
    /// The rep the token acts as (rep, sales_manager).
    pub rep_id: Option<String>,
    /// The token's label.
    pub label: Option<String>,
    /// The session's CSRF token: send it in `X-CSRF-Token` with every
    /// change made with the cookie (`null` for a bearer token).
    pub csrf_token: Option<String>,
    /// What this role may call, as `METHOD /path` (from the roles table):
    /// the dashboard shows only what the caller can open.
    pub may: Vec<String>,
    /// The time of the log's latest event (the dashboard's periods are
    /// offered up to it); `null` while the log loads.
    pub data_until: Option<String>,
}

async fn me(state: &AppState, caller: Caller, csrf: Option<String>) -> Me {
    let data_until = state
        .handle
        .run(|core| core.runner.engine().clock().to_string())
        .await
        .ok();
    Me {
        data_until,
        role: caller.role,
        rep_id: caller.rep,
        label: caller.label,
        csrf_token: csrf,
        may: roles::MATRIX
            .iter()
            .filter(|(e, ..)| roles::grant(*e, caller.role) != roles::Grant::No)
            .map(|(_, method, path, _)| format!("{method} {path}"))
            .collect(),
    }
}

/// Log in: a token exchanged for a session cookie (`accord_session`,
/// HttpOnly, SameSite=Strict) that then acts with the token's role.
#[utoipa::path(
    post,
    path = "/v1/session",
    tag = "session",
    request_body(content = Login, content_type = "application/json"),
    responses(
        (status = 201, description = "Logged in: the cookie is set", body = Me,
            headers(("set-cookie" = String, description = "The session cookie"))),
        (status = 400, description = "Not a login's JSON", body = Problem, content_type = "application/problem+json"),
        (status = 401, description = "The token is not known, or was revoked", body = Problem, content_type = "application/problem+json"),
    )
)]
pub async fn login(State(state): State<AppState>, body: Bytes) -> Result<Response, Problem> {
    let login: Login = serde_json::from_slice(&body).map_err(|e| {
        Problem::bad_request(
            "bad_login",
            format!("a login is JSON {{\"token\": \"acc_…\"}}: {e}"),
        )
        .at("/token")
    })?;
    let token = login.token.trim();
    let caller = state.tokens.check(token).map_err(|refused| match refused {
        Refused::Unknown if token.is_empty() => Problem::new(
            StatusCode::UNAUTHORIZED,
            "login_failed",
            "no token given: paste the token `accord token create` printed",
        ),
        Refused::Unknown => Problem::new(
            StatusCode::UNAUTHORIZED,
            "login_failed",
            "this token is not known: check it was copied whole (it starts with acc_)",
        ),
        Refused::Revoked => Problem::new(
            StatusCode::UNAUTHORIZED,
            "token_revoked",
            "this token has been revoked: ask an admin for a new one (accord token create)",
        ),
    })?;
    let lifetime = Duration::from_secs(state.limits.session_secs);
    let opened = state
        .sessions
        .open(&caller, lifetime)
        .map_err(|e| Problem::new(StatusCode::INTERNAL_SERVER_ERROR, "random", e.to_string()))?;
    let mut r = (
        StatusCode::CREATED,
        Json(me(&state, caller, Some(opened.csrf.clone())).await),
    )
        .into_response();
    set_cookie(&mut r, Some(&opened.id), lifetime);
    Ok(r)
}

/// Who the session cookie (or bearer token) acts as, with the session's
/// CSRF token (how a page reloaded learns it again).
#[utoipa::path(
    get,
    path = "/v1/session",
    tag = "session",
    security(("token" = [])),
    responses(
        (status = 200, description = "The caller", body = Me),
        (status = 401, description = "No session: log in", body = Problem, content_type = "application/problem+json"),
    )
)]
pub async fn whoami(State(state): State<AppState>, parts: Parts) -> Result<Json<Me>, Response> {
    let (caller, csrf) = authenticate(&parts, &state)?;
    Ok(Json(me(&state, caller, csrf).await))
}

/// Log out: the session ends and the cookie is cleared. With a session,
/// the CSRF token is needed as for any change.
#[utoipa::path(
    delete,
    path = "/v1/session",
    tag = "session",
    responses(
        (status = 204, description = "Logged out (or there was no session)"),
        (status = 403, description = "The session's CSRF token is missing", body = Problem, content_type = "application/problem+json"),
    )
)]
pub async fn logout(State(state): State<AppState>, parts: Parts) -> Result<Response, Response> {
    if let Some(id) = session_cookie(&parts.headers) {
        // A live session needs its CSRF token to be ended (a page on
        // another site must not log anyone out); an ended one is cleared.
        match authenticate(&parts, &state) {
            Ok(_) => state.sessions.close(id),
            Err(r) if r.status() == StatusCode::FORBIDDEN => return Err(r),
            Err(_) => {}
        }
    }
    let mut r = StatusCode::NO_CONTENT.into_response();
    set_cookie(&mut r, None, Duration::ZERO);
    Ok(r)
}

fn set_cookie(r: &mut Response, id: Option<&str>, lifetime: Duration) {
    let value = session::set_cookie(id, lifetime);
    if let Ok(v) = HeaderValue::from_str(&value) {
        r.headers_mut().insert(header::SET_COOKIE, v);
    }
    r.headers_mut()
        .insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
}
