//! Webhook subscriptions and their deliveries: the same library calls as
//! `accord hook` (`accord_hooks::subscribe`, `HookStore`), made on the
//! engine thread's store. Deliveries themselves are made by the server's
//! delivery thread (`accord_hooks::thread`).

use std::collections::HashMap;

use accord_hooks::subscribe::{subscribe, SubscribeError};
use accord_hooks::Kind;
use accord_store::hooks::{Delivery, DeliveryState, Subscription};
use accord_store::HookStore;
use axum::body::Bytes;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::Json;
use serde::Serialize;
use utoipa::ToSchema;

use super::{allow, AppState, Authed};
use crate::problem::Problem;
use crate::roles::Endpoint;

/// The most dead letters one list returns.
pub const MAX_DEAD: usize = 1_000;

/// A subscription as listed (never its secret).
#[derive(Serialize, ToSchema)]
pub struct SubscriptionView {
    pub id: i64,
    pub url: String,
    /// Event types: lead.mql, lead.routed, lead.accepted, lead.rejected, sla.breached, sla.escalated, opportunity.won.
    pub events: Vec<String>,
    /// `json` (accord's payload) or `slack` (incoming-webhook JSON).
    pub format: String,
    /// The log position it was made at: only later events reach it.
    pub start_seq: u64,
    /// Unix seconds.
    pub created_at: i64,
}

/// A subscription just made, with its secret (shown this once).
#[derive(Serialize, ToSchema)]
pub struct Created {
    #[serde(flatten)]
    pub subscription: SubscriptionView,
    /// Signs every delivery (`X-Accord-Signature`); not shown again.
    pub secret: String,
}

/// One delivery of one event to one subscription.
#[derive(Serialize, ToSchema)]
pub struct DeliveryView {
    pub id: i64,
    pub subscription: i64,
    /// The log event's key (`stage_changed:S1`).
    pub event_id: String,
    pub event_type: String,
    /// pending, delivered or dead.
    pub state: String,
    pub attempts: u32,
    /// Unix seconds: when it is due (pending), or was last tried.
    pub next_at: i64,
    pub last_status: Option<u16>,
    pub last_error: Option<String>,
    /// The body sent.
    pub body: String,
}

impl From<Subscription> for SubscriptionView {
    fn from(s: Subscription) -> SubscriptionView {
        SubscriptionView {
            id: s.id,
            url: s.url,
            events: s.events,
            format: s.format,
            start_seq: s.start_seq,
            created_at: s.created_at,
        }
    }
}

impl From<Delivery> for DeliveryView {
    fn from(d: Delivery) -> DeliveryView {
        DeliveryView {
            id: d.id,
            subscription: d.subscription,
            event_id: d.event_id,
            event_type: d.event_type,
            state: d.state.as_str().to_owned(),
            attempts: d.attempts,
            next_at: d.next_at,
            last_status: d.last_status,
            last_error: d.last_error,
            body: String::from_utf8_lossy(&d.body).into_owned(),
        }
    }
}

/// What a create body asks for.
#[derive(ToSchema)]
#[allow(dead_code)]
pub struct CreateBody {
    /// Where to POST: http:// or https://.
    pub url: String,
    /// The event types to send.
    pub events: Vec<String>,
    /// `json` (the default) or `slack`.
    pub format: Option<String>,
}

/// A create body read, each bad field named by its JSON pointer.
fn read_create(body: &[u8]) -> Result<(String, Vec<Kind>, String), Problem> {
    let fields = match serde_json::from_slice(body) {
        Ok(serde_json::Value::Object(m)) => m,
        Ok(_) => return Err(Problem::bad_request("syntax", "the body is a JSON object").at("")),
        Err(e) => {
            return Err(Problem::bad_request("syntax", format!("the body is not JSON: {e}")).at(""))
        }
    };
    let bad = |at: &str, detail: String| Problem::unprocessable("invalid_field", detail).at(at);
    if let Some(k) = fields
        .keys()
        .find(|k| !matches!(k.as_str(), "url" | "events" | "format"))
    {
        return Err(Problem::unprocessable(
            "unknown_field",
            "not a field of a subscription: url, events, format",
        )
        .at(format!("/{}", pointer_token(k))));
    }
    let url = match fields.get("url") {
        Some(serde_json::Value::String(u)) => u.clone(),
        Some(_) => return Err(bad("/url", "`url` is a string".into())),
        None => return Err(bad("/url", "`url` is required".into())),
    };
    let list = match fields.get("events") {
        Some(serde_json::Value::Array(a)) if !a.is_empty() => a,
        Some(serde_json::Value::Array(_)) | None => {
            return Err(bad(
                "/events",
                format!("name one or more events: {}", Kind::names()),
            ))
        }
        Some(_) => return Err(bad("/events", "`events` is an array of strings".into())),
    };
    let mut kinds = Vec::new();
    for (i, v) in list.iter().enumerate() {
        let kind = v.as_str().and_then(Kind::from_name).ok_or_else(|| {
            bad(
                &format!("/events/{i}"),
                format!("not a webhook event: one of {}", Kind::names()),
            )
        })?;
        if !kinds.contains(&kind) {
            kinds.push(kind);
        }
    }
    let format = match fields.get("format") {
        None | Some(serde_json::Value::Null) => "json".to_owned(),
        Some(serde_json::Value::String(f)) => f.clone(),
        Some(_) => return Err(bad("/format", "`format` is json or slack".into())),
    };
    Ok((url, kinds, format))
}

/// A key as one token of a JSON pointer (RFC 6901).
fn pointer_token(key: &str) -> String {
    key.replace('~', "~0").replace('/', "~1")
}

impl From<SubscribeError> for Problem {
    fn from(e: SubscribeError) -> Problem {
        let detail = e.to_string();
        let bad = |at: &str| Problem::unprocessable("invalid_field", detail.clone()).at(at);
        match e {
            SubscribeError::BadUrl { .. } => bad("/url"),
            SubscribeError::NoEvents => bad("/events"),
            SubscribeError::UnknownEvent { position, .. } => {
                bad(&format!("/events/{}", position.saturating_sub(1)))
            }
            SubscribeError::UnknownFormat(_) => bad("/format"),
            SubscribeError::Random(_) => Problem::internal(detail),
            SubscribeError::Store(s) => Problem::from(s),
        }
    }
}

fn id_of(text: &str, what: &str) -> Result<i64, Problem> {
    text.parse::<i64>().map_err(|_| {
        Problem::bad_request("bad_parameter", format!("a {what} id is a whole number")).param("id")
    })
}

const NOW: fn() -> i64 = accord_hooks::thread::unix_now;

/// Subscribe a URL to events. The answer holds the secret that signs every delivery, shown this once.
#[utoipa::path(post, path = "/v1/webhooks", tag = "webhooks", security(("token" = [])),
    request_body(content = CreateBody, content_type = "application/json"),
    responses(
        (status = 201, body = Created),
        (status = 400, description = "Not a JSON object", body = Problem, content_type = "application/problem+json"),
        (status = 401, description = "No valid token", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "The role may not manage webhooks", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "A bad field, named by its JSON pointer", body = Problem, content_type = "application/problem+json"),
        (status = 429, description = "Too many requests", body = Problem, content_type = "application/problem+json"),
    ))]
pub async fn create(
    State(state): State<AppState>,
    Authed(caller): Authed,
    body: Bytes,
) -> Result<(StatusCode, Json<Created>), Problem> {
    allow(&caller, Endpoint::CreateWebhook)?;
    let (url, kinds, format) = read_create(&body)?;
    let sub = state
        .handle
        .run(move |core| subscribe(&mut core.store, &url, &kinds, &format, NOW()))
        .await??;
    let secret = sub.secret.clone();
    Ok((
        StatusCode::CREATED,
        Json(Created {
            subscription: sub.into(),
            secret,
        }),
    ))
}

/// Every subscription, by id (no secrets).
#[utoipa::path(get, path = "/v1/webhooks", tag = "webhooks", security(("token" = [])),
    responses(
        (status = 200, body = Vec<SubscriptionView>),
        (status = 401, description = "No valid token", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "The role may not manage webhooks", body = Problem, content_type = "application/problem+json"),
        (status = 429, description = "Too many requests", body = Problem, content_type = "application/problem+json"),
    ))]
pub async fn list(
    State(state): State<AppState>,
    Authed(caller): Authed,
) -> Result<Json<Vec<SubscriptionView>>, Problem> {
    allow(&caller, Endpoint::ListWebhooks)?;
    let subs = state
        .handle
        .run(|core| core.store.subscriptions())
        .await??;
    Ok(Json(subs.into_iter().map(Into::into).collect()))
}

/// Delete a subscription and its deliveries (pending ones are not sent).
#[utoipa::path(delete, path = "/v1/webhooks/{id}", tag = "webhooks", security(("token" = [])),
    params(("id" = i64, Path, description = "The subscription's id")),
    responses(
        (status = 204, description = "Deleted"),
        (status = 400, description = "Not an id", body = Problem, content_type = "application/problem+json"),
        (status = 401, description = "No valid token", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "The role may not manage webhooks", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such subscription", body = Problem, content_type = "application/problem+json"),
        (status = 429, description = "Too many requests", body = Problem, content_type = "application/problem+json"),
    ))]
pub async fn delete(
    State(state): State<AppState>,
    Authed(caller): Authed,
    Path(id): Path<String>,
) -> Result<StatusCode, Problem> {
    allow(&caller, Endpoint::DeleteWebhook)?;
    let id = id_of(&id, "subscription")?;
    if state
        .handle
        .run(move |core| core.store.delete_subscription(id))
        .await??
    {
        Ok(StatusCode::NO_CONTENT)
    } else {
        Err(Problem::not_found(format!("no subscription {id}")))
    }
}

/// Send a delivery again (a dead letter, or any other): pending at once, its attempts back to 0.
#[utoipa::path(post, path = "/v1/webhooks/deliveries/{id}/replay", tag = "webhooks", security(("token" = [])),
    params(("id" = i64, Path, description = "The delivery's id (`X-Accord-Delivery`)")),
    responses(
        (status = 200, body = DeliveryView),
        (status = 400, description = "Not an id", body = Problem, content_type = "application/problem+json"),
        (status = 401, description = "No valid token", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "The role may not manage webhooks", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such delivery", body = Problem, content_type = "application/problem+json"),
        (status = 429, description = "Too many requests", body = Problem, content_type = "application/problem+json"),
    ))]
pub async fn replay(
    State(state): State<AppState>,
    Authed(caller): Authed,
    Path(id): Path<String>,
) -> Result<Json<DeliveryView>, Problem> {
    allow(&caller, Endpoint::ReplayDelivery)?;
    let id = id_of(&id, "delivery")?;
    let replayed = state
        .handle
        .run(move |core| -> Result<Option<Delivery>, Problem> {
            if !core.store.replay(id, NOW())? {
                return Ok(None);
            }
            Ok(core.store.delivery(id)?)
        })
        .await??;
    replayed
        .map(|d| Json(d.into()))
        .ok_or_else(|| Problem::not_found(format!("no delivery {id}")))
}

/// The dead letters: deliveries whose every attempt failed, by id.
#[utoipa::path(get, path = "/v1/webhooks/dead", tag = "webhooks", security(("token" = [])),
    params(("limit" = Option<usize>, Query, description = "At most this many (default 100, at most 1000)")),
    responses(
        (status = 200, body = Vec<DeliveryView>),
        (status = 400, description = "A bad limit", body = Problem, content_type = "application/problem+json"),
        (status = 401, description = "No valid token", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "The role may not manage webhooks", body = Problem, content_type = "application/problem+json"),
        (status = 429, description = "Too many requests", body = Problem, content_type = "application/problem+json"),
    ))]
pub async fn dead(
    State(state): State<AppState>,
    Authed(caller): Authed,
    Query(params): Query<HashMap<String, String>>,
) -> Result<Json<Vec<DeliveryView>>, Problem> {
    allow(&caller, Endpoint::DeadLetters)?;
    if let Some(k) = params.keys().find(|k| k.as_str() != "limit") {
        return Err(
            Problem::bad_request("bad_parameter", "not a parameter of this route (limit)")
                .param(k.clone()),
        );
    }
    let limit = match params.get("limit") {
        None => 100,
        Some(v) => match v.parse::<usize>() {
            Ok(n) if (1..=MAX_DEAD).contains(&n) => n,
            _ => {
                return Err(Problem::bad_request(
                    "bad_parameter",
                    format!("limit is a whole number from 1 to {MAX_DEAD}"),
                )
                .param("limit"))
            }
        },
    };
    let dead = state
        .handle
        .run(move |core| core.store.deliveries(DeliveryState::Dead, limit))
        .await??;
    Ok(Json(dead.into_iter().map(Into::into).collect()))
}
