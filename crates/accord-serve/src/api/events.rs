//! `POST /v1/events`: one event or a batch, in the wire format of `accord ingest`.

use axum::body::Bytes;
use axum::extract::State;
use axum::http::{header, HeaderMap, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use serde::Serialize;
use serde_json::value::RawValue;
use utoipa::ToSchema;

use super::{allow, keep, AppState, Authed};
use crate::events::{self, EventResult, OutcomeKind, Parsed};
use crate::idempotency::body_hash;
use crate::problem::Problem;
use crate::roles::Endpoint;

/// The answer to a batch.
#[derive(Serialize, ToSchema)]
pub struct BatchResult {
    pub stored: usize,
    pub duplicates: usize,
    pub refused: usize,
    /// One result per event, in the order sent.
    pub results: Vec<EventResult>,
}

/// Events in: judged by the agreement in force and stored.
///
/// The body is one wire-format object (docs/wire.md) or an array of them
/// (at most 1,000; more is 413). Every event carries its id, so a retried
/// request never counts twice (a `duplicate`). A request without ids can
/// send an `Idempotency-Key` header: the response is kept for 24 hours and
/// replayed for the same key and body. A 2xx means every stored event is
/// durable. One object: 201 when stored (with the decisions and, for a
/// new lead, its stage, owner and SLA clocks), 200 when already stored, a
/// problem otherwise (422 invalid or refused, 409 conflicting). An array:
/// 200 with a result per event, whatever each outcome.
#[utoipa::path(
    post,
    path = "/v1/events",
    tag = "events",
    security(("token" = [])),
    request_body(content = Object, description = "A wire-format event or action, or an array of them", content_type = "application/json"),
    params(("Idempotency-Key" = Option<String>, Header, description = "Replays the kept response of an earlier request with this key")),
    responses(
        (status = 201, description = "Stored", body = EventResult),
        (status = 200, description = "Already stored (one event), or a batch's results", body = BatchResult),
        (status = 400, description = "Not JSON", body = Problem, content_type = "application/problem+json"),
        (status = 401, description = "No valid token", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "The role may not post events", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "The event's id is stored with other content", body = Problem, content_type = "application/problem+json"),
        (status = 413, description = "Body or batch too large", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "Invalid or refused", body = Problem, content_type = "application/problem+json"),
        (status = 429, description = "Too many requests", body = Problem, content_type = "application/problem+json"),
    )
)]
pub async fn post_events(
    State(state): State<AppState>,
    Authed(caller): Authed,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    if let Err(p) = allow(&caller, Endpoint::PostEvents) {
        return p.into_response();
    }
    let key = match headers.get("idempotency-key").map(|v| v.to_str()) {
        None => None,
        Some(Ok(k)) if !k.is_empty() && k.len() <= 255 => Some(k.to_owned()),
        Some(_) => {
            return Problem::bad_request(
                "bad_header",
                "Idempotency-Key: 1 to 255 visible ASCII characters",
            )
            .into_response()
        }
    };
    let hash = body_hash(&body);
    if let Some(k) = &key {
        if let Some(kept) = state
            .idempotency
            .get(caller.token_id, k, keep(&state.limits))
        {
            if kept.body_hash != hash {
                return Problem::unprocessable(
                    "idempotency_key_reused",
                    "this Idempotency-Key was used with another body; use a new key for a new request",
                )
                .into_response();
            }
            return respond(kept.status, kept.body, true);
        }
    }
    let (status, body_out) = match answer(&state, &body).await {
        Ok(r) => r,
        Err(p) => return p.into_response(),
    };
    if let Some(k) = &key {
        if status < 500 {
            state.idempotency.put(
                caller.token_id,
                k,
                hash,
                status,
                body_out.clone(),
                keep(&state.limits),
            );
        }
    }
    respond(status, body_out, false)
}

fn respond(status: u16, body: Vec<u8>, replayed: bool) -> Response {
    let is_problem = !(200..300).contains(&status);
    let mut r = (StatusCode::from_u16(status).unwrap_or(StatusCode::OK), body).into_response();
    r.headers_mut().insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static(if is_problem {
            crate::problem::PROBLEM_JSON
        } else {
            "application/json"
        }),
    );
    if replayed {
        r.headers_mut()
            .insert("idempotent-replayed", HeaderValue::from_static("true"));
    }
    r
}

/// The status and body for a request's events (a problem's body for a single refused event).
async fn answer(state: &AppState, body: &[u8]) -> Result<(u16, Vec<u8>), Problem> {
    let first = body.iter().find(|b| !b.is_ascii_whitespace());
    let batch = first == Some(&b'[');
    // Parsed here, on the request's thread: the engine thread only judges
    // and stores.
    let inputs: Vec<Parsed> = if batch {
        let items: Vec<&RawValue> = serde_json::from_slice(body).map_err(syntax)?;
        if items.len() > state.limits.batch_events {
            return Err(Problem::new(
                StatusCode::PAYLOAD_TOO_LARGE,
                "batch_too_large",
                format!(
                    "{} events in one request; at most {} (send the rest in further requests)",
                    items.len(),
                    state.limits.batch_events
                ),
            )
            .at(format!("/{}", state.limits.batch_events)));
        }
        items.iter().map(|r| events::parse(r.get())).collect()
    } else {
        let item: &RawValue = serde_json::from_slice(body).map_err(syntax)?;
        if !item.get().starts_with('{') {
            return Err(Problem::bad_request(
                "syntax",
                "the body is one event (a JSON object) or an array of them",
            )
            .at(""));
        }
        vec![events::parse(item.get())]
    };
    let results = state.handle.ingest(inputs).await?;
    if batch {
        let count = |k: OutcomeKind| results.iter().filter(|r| r.outcome == k).count();
        let out = BatchResult {
            stored: count(OutcomeKind::Stored),
            duplicates: count(OutcomeKind::Duplicate),
            refused: results.len() - count(OutcomeKind::Stored) - count(OutcomeKind::Duplicate),
            results,
        };
        return Ok((200, serde_json::to_vec(&out).unwrap_or_default()));
    }
    let r = results.into_iter().next().expect("one result");
    let status = match r.outcome {
        OutcomeKind::Stored => 201,
        OutcomeKind::Duplicate => 200,
        _ => {
            let p = single_problem(&r);
            return Ok((p.status, serde_json::to_vec(&p).unwrap_or_default()));
        }
    };
    Ok((status, serde_json::to_vec(&r).unwrap_or_default()))
}

/// The problem of one input not stored.
pub fn single_problem(r: &EventResult) -> Problem {
    let detail = r
        .problem
        .as_ref()
        .map_or_else(String::new, |p| p.detail.clone());
    let mut p = match r.outcome {
        OutcomeKind::Conflict => Problem::new(StatusCode::CONFLICT, "conflict", detail),
        OutcomeKind::Refused => Problem::unprocessable("refused", detail),
        _ => Problem::unprocessable(
            r.problem.as_ref().map_or("invalid", |p| p.kind.as_str()),
            detail,
        ),
    };
    p.pointer = r.problem.as_ref().and_then(|p| p.pointer.clone());
    p
}

fn syntax(e: serde_json::Error) -> Problem {
    Problem::bad_request(
        "syntax",
        format!(
            "the body is not JSON: {e} (line {}, column {})",
            e.line(),
            e.column()
        ),
    )
    .at("")
}
