//! The HTTP surface: the router (every route registered with its OpenAPI
//! description), the caller taken from the bearer token, the rate limit,
//! and the middleware that counts requests and turns every bare error
//! (unknown route, wrong method, body too large) into a problem.

use std::sync::Arc;
use std::time::{Duration, Instant};

use axum::extract::{FromRequestParts, MatchedPath, Request, State};
use axum::http::request::Parts;
use axum::http::{header, HeaderValue, Method, StatusCode};
use axum::middleware::{self, Next};
use axum::response::{IntoResponse, Response};
use axum::Router;
use utoipa::openapi::security::{HttpAuthScheme, HttpBuilder, SecurityScheme};
use utoipa::OpenApi;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use crate::auth::{Caller, Tokens};
use crate::core::{Core, Handle};
use crate::idempotency::Idempotency;
use crate::limits::{Limits, RateLimiter};
use crate::metrics::Metrics;
use crate::problem::{Problem, PROBLEM_JSON};
use crate::roles::{grant, Endpoint, Grant, Role};
use crate::session::{self, Sessions};

pub mod agreement;
pub mod events;
pub mod hooks;
pub mod leads;
pub mod login;
pub mod ops;
pub mod reports;
pub mod sla;

/// What every handler shares.
#[derive(Clone)]
pub struct AppState {
    pub handle: Handle,
    pub tokens: Tokens,
    pub metrics: Arc<Metrics>,
    pub limits: Limits,
    pub rate: Arc<RateLimiter>,
    pub idempotency: Arc<Idempotency>,
    pub openapi: Arc<String>,
    pub sessions: Sessions,
    /// The dashboard's files (compiled in, or read from `ACCORD_UI_DIR`).
    pub ui: Arc<crate::ui::Assets>,
}

#[derive(OpenApi)]
#[openapi(
    info(
        title = "accord",
        description = "accord's HTTP API: events in, the engine's decisions out, leads, sales actions, reports, the agreement and webhook subscriptions. Errors are RFC 9457 problems (application/problem+json). See docs/api.md.",
        license(name = "Apache-2.0")
    ),
    modifiers(&Bearer),
    components(schemas(Problem, crate::problem::FieldError, Role, reports::ReportName))
)]
struct ApiDoc;

struct Bearer;

impl utoipa::Modify for Bearer {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        let components = openapi.components.get_or_insert_with(Default::default);
        components.add_security_scheme(
            "token",
            SecurityScheme::Http(
                HttpBuilder::new()
                    .scheme(HttpAuthScheme::Bearer)
                    .description(Some("A token from `accord token create`"))
                    .build(),
            ),
        );
    }
}

/// Every documented route.
fn routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::with_openapi(ApiDoc::openapi())
        .routes(routes!(events::post_events))
        .routes(routes!(leads::list_leads))
        .routes(routes!(leads::get_lead))
        .routes(routes!(leads::accept))
        .routes(routes!(leads::qualify))
        .routes(routes!(leads::reject))
        .routes(routes!(leads::reassign))
        .routes(routes!(reports::get_report))
        .routes(routes!(sla::get_sla))
        .routes(routes!(agreement::get_agreement, agreement::adopt))
        .routes(routes!(agreement::versions))
        .routes(routes!(agreement::version))
        .routes(routes!(agreement::check))
        .routes(routes!(hooks::create, hooks::list))
        .routes(routes!(hooks::delete))
        .routes(routes!(hooks::replay))
        .routes(routes!(hooks::dead))
        .routes(routes!(login::login, login::whoami, login::logout))
        .routes(routes!(ops::healthz))
        .routes(routes!(ops::readyz))
        .routes(routes!(ops::metrics))
}

/// The OpenAPI document of every route.
pub fn openapi() -> utoipa::openapi::OpenApi {
    routes().into_openapi()
}

/// The router, given the state (which holds the document it serves).
pub fn router(state_without_doc: impl FnOnce(Arc<String>) -> AppState) -> Router {
    let (router, api) = routes().split_for_parts();
    let doc = Arc::new(api.to_pretty_json().expect("the document serialises"));
    let state = state_without_doc(doc);
    router
        .route("/openapi.json", axum::routing::get(ops::openapi))
        .route("/docs", axum::routing::get(ops::docs))
        .route("/", axum::routing::get(crate::ui::index))
        .route("/ui/{*path}", axum::routing::get(crate::ui::asset))
        .fallback(not_found)
        .layer(middleware::from_fn_with_state(state.clone(), around))
        .layer(axum::extract::DefaultBodyLimit::max(
            state.limits.body_bytes,
        ))
        .with_state(state)
}

async fn not_found() -> Problem {
    Problem::not_found("no such route (the API is described at /openapi.json)")
}

/// Counts and times every request by its route, and makes a problem of
/// any error axum answers bare.
async fn around(State(state): State<AppState>, req: Request, next: Next) -> Response {
    let t0 = Instant::now();
    let method = req.method().to_string();
    let route = req
        .extensions()
        .get::<MatchedPath>()
        .map_or_else(|| "unmatched".to_owned(), |m| m.as_str().to_owned());
    let response = next.run(req).await;
    let is_problem = response
        .headers()
        .get(header::CONTENT_TYPE)
        .is_some_and(|v| v.as_bytes() == PROBLEM_JSON.as_bytes());
    let failed = response.status().is_client_error() || response.status().is_server_error();
    let response = if failed && !is_problem {
        bare(response.status(), &response).into_response()
    } else {
        response
    };
    state
        .metrics
        .request(&method, &route, response.status().as_u16(), t0.elapsed());
    response
}

/// A problem for an error axum or tower answered without one.
fn bare(status: StatusCode, response: &Response) -> Problem {
    let mut p = match status {
        StatusCode::METHOD_NOT_ALLOWED => {
            let allow = response
                .headers()
                .get(header::ALLOW)
                .and_then(|v| v.to_str().ok())
                .unwrap_or("")
                .to_owned();
            Problem::new(
                status,
                "method_not_allowed",
                format!("this route takes {allow}"),
            )
        }
        StatusCode::PAYLOAD_TOO_LARGE => Problem::new(
            status,
            "too_large",
            "the request body is larger than this server takes (see docs/api.md, Limits)",
        ),
        StatusCode::NOT_FOUND => Problem::not_found("no such route"),
        s => Problem::new(s, "http", s.canonical_reason().unwrap_or("error")),
    };
    if status == StatusCode::METHOD_NOT_ALLOWED {
        p.kind = "urn:accord:problem:method_not_allowed".into();
    }
    p
}

/// The caller named by the request's bearer token or session cookie,
/// within its rate.
pub struct Authed(pub Caller);

impl FromRequestParts<AppState> for Authed {
    type Rejection = Response;

    async fn from_request_parts(
        parts: &mut Parts,
        state: &AppState,
    ) -> Result<Self, Self::Rejection> {
        let (caller, _) = authenticate(parts, state)?;
        if let Err(wait) = state.rate.take(caller.token_id, &state.limits) {
            let mut p = Problem::new(
                StatusCode::TOO_MANY_REQUESTS,
                "rate_limited",
                format!(
                    "more than {} requests a second with this token; try again in {wait} s",
                    state.limits.rate_per_sec
                ),
            );
            p.retry_after = Some(wait);
            return Err(p.into_response());
        }
        Ok(Authed(caller))
    }
}

/// Who a request acts as: its bearer token's caller, else its session
/// cookie's (with the session's CSRF token, which any change made with the
/// cookie must carry in [`session::CSRF_HEADER`]).
pub fn authenticate(parts: &Parts, state: &AppState) -> Result<(Caller, Option<String>), Response> {
    let bearer = parts
        .headers
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("Bearer "))
        .map(str::trim);
    if let Some(token) = bearer {
        return match state.tokens.caller(token) {
            Some(caller) => Ok((caller, None)),
            None => Err(unauthorized("this token is not known, or was revoked")),
        };
    }
    let Some(id) = session_cookie(&parts.headers) else {
        return Err(unauthorized(
            "no token: send `Authorization: Bearer TOKEN` (a token from `accord token create`)",
        ));
    };
    let (caller, csrf) = state
        .sessions
        .caller(id, &state.tokens)
        .map_err(|e| match e {
            session::Ended::Gone => unauthorized_code(
                "session_ended",
                "your session has ended (expired, logged out or the server restarted): log in again",
            ),
            session::Ended::Revoked => unauthorized_code(
                "token_revoked",
                "the token this session was opened with has been revoked: ask an admin for a new one",
            ),
        })?;
    if !matches!(parts.method, Method::GET | Method::HEAD) {
        let sent = parts
            .headers
            .get(session::CSRF_HEADER)
            .and_then(|v| v.to_str().ok())
            .unwrap_or("");
        if !session::csrf_matches(sent, &csrf) {
            return Err(Problem::new(
                StatusCode::FORBIDDEN,
                "csrf",
                format!(
                    "a change made with the session cookie needs the session's CSRF token in `{}` (given at login and by GET /v1/session)",
                    session::CSRF_HEADER
                ),
            )
            .into_response());
        }
    }
    Ok((caller, Some(csrf)))
}

/// The session cookie's value, if the request has one.
pub fn session_cookie(headers: &axum::http::HeaderMap) -> Option<&str> {
    headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .find_map(|v| session::cookie(v, session::COOKIE))
        .filter(|v| !v.is_empty())
}

fn unauthorized_code(code: &str, detail: &str) -> Response {
    Problem::new(StatusCode::UNAUTHORIZED, code, detail).into_response()
}

fn unauthorized(detail: &str) -> Response {
    let mut r = Problem::new(StatusCode::UNAUTHORIZED, "unauthorized", detail).into_response();
    r.headers_mut()
        .insert(header::WWW_AUTHENTICATE, HeaderValue::from_static("Bearer"));
    r
}

/// What the caller may do at `endpoint`: 403 when the role may not.
pub fn allow(caller: &Caller, endpoint: Endpoint) -> Result<Grant, Problem> {
    match grant(endpoint, caller.role) {
        Grant::No => Err(Problem::forbidden(format!(
            "a {} token may not do this (see the roles table in docs/api.md)",
            caller.role.as_str()
        ))),
        g => Ok(g),
    }
}

/// The owners whose leads a grant sees (`None`: every lead).
pub fn owners(core: &Core, caller: &Caller, g: Grant) -> Option<Vec<String>> {
    let rep = caller.rep.clone().unwrap_or_default();
    match g {
        Grant::All | Grant::No => None,
        Grant::Own => Some(vec![rep]),
        Grant::Team => Some(core.runner.engine().team(&rep)),
    }
}

/// How long an idempotent response is kept.
pub fn keep(limits: &Limits) -> Duration {
    Duration::from_secs(limits.idempotency_secs)
}
