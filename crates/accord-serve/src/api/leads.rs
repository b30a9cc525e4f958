//! Leads: the list (`accord leads`), one lead (`accord lead show`), and a
//! rep's or manager's actions on it (the wire actions `accord ingest` takes).

use std::collections::HashMap;

use accord_core::domain::Timestamp;
use accord_engine::leads::{self, Cursor, LeadQuery};
use accord_engine::predict;
use axum::body::Bytes;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::Json;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use super::{allow, owners, AppState, Authed};
use crate::auth::Caller;
use crate::events::{self, EventResult, OutcomeKind};
use crate::problem::Problem;
use crate::roles::{Endpoint, Grant};

/// The list's filters (all optional, combined with "and").
#[derive(Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
#[allow(dead_code)]
pub struct LeadsParams {
    /// Only leads in this stage.
    stage: Option<String>,
    /// Only leads owned by this rep.
    owner: Option<String>,
    /// Only leads scoring at least this (0 to 100).
    #[param(minimum = 0, maximum = 100)]
    min_score: Option<i64>,
    /// Only leads scoring at most this (0 to 100).
    #[param(minimum = 0, maximum = 100)]
    max_score: Option<i64>,
    /// Only leads of this account.
    account: Option<String>,
    /// Only leads created at or after this time (`YYYY-MM-DDTHH:MM:SSZ`).
    created_from: Option<String>,
    /// Only leads created before this time (`YYYY-MM-DDTHH:MM:SSZ`).
    created_to: Option<String>,
    /// `next_cursor` of the previous page.
    cursor: Option<String>,
    /// Leads in the page (1 to 1,000; default 100).
    #[param(minimum = 1, maximum = 1000)]
    limit: Option<usize>,
}

/// A lead of a page: its summary and the adopted model's prediction.
#[derive(Serialize, ToSchema)]
pub struct LeadRow {
    #[serde(flatten)]
    #[schema(value_type = Object)]
    pub summary: accord_decide::LeadSummary,
    /// The probability (0..1) that the lead reaches the model's stage in
    /// its window, and the model's version; `null` when no model is adopted.
    pub prediction: Option<Brief>,
}

/// A lead's prediction in a list.
#[derive(Serialize, ToSchema)]
pub struct Brief {
    /// 0..1
    pub probability: f64,
    pub model_version: u32,
}

/// A page of leads.
#[derive(Serialize, ToSchema)]
pub struct LeadPage {
    pub leads: Vec<LeadRow>,
    /// Where the next page starts (`null`: this is the last).
    pub next_cursor: Option<String>,
}

const PARAMS: [&str; 9] = [
    "stage",
    "owner",
    "min_score",
    "max_score",
    "account",
    "created_from",
    "created_to",
    "cursor",
    "limit",
];

/// Leads in the order first seen, filtered, a page at a time.
///
/// A rep sees their own leads, a sales manager their team's, admin and
/// marketing_ops every lead. Scores are computed under the agreement in
/// force at the time of the latest event.
#[utoipa::path(
    get,
    path = "/v1/leads",
    tag = "leads",
    security(("token" = [])),
    params(LeadsParams),
    responses(
        (status = 200, description = "A page of leads", body = LeadPage),
        (status = 400, description = "A bad parameter", body = Problem, content_type = "application/problem+json"),
        (status = 401, description = "No valid token", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "The role may not list leads", body = Problem, content_type = "application/problem+json"),
        (status = 429, description = "Too many requests", body = Problem, content_type = "application/problem+json"),
    )
)]
pub async fn list_leads(
    State(state): State<AppState>,
    Authed(caller): Authed,
    Query(params): Query<HashMap<String, String>>,
) -> Result<Json<LeadPage>, Problem> {
    let g = allow(&caller, Endpoint::ListLeads)?;
    let mut query = parse_query(&params, state.limits.page_leads)?;
    let (page, briefs) = state
        .handle
        .run(move |core| {
            query.visible_owners = owners(core, &caller, g);
            let engine = core.runner.engine();
            let page = leads::query(engine, &query);
            let ids: Vec<&str> = page.leads.iter().map(|l| l.id.as_str()).collect();
            let briefs = predict::explain::briefs(engine, &ids);
            (page, briefs)
        })
        .await?;
    let briefs = briefs.map_err(|e| Problem::internal(e.to_string()))?;
    Ok(Json(LeadPage {
        leads: page
            .leads
            .into_iter()
            .zip(briefs)
            .map(|(summary, b)| LeadRow {
                summary,
                prediction: b.map(|b| Brief {
                    probability: b.probability,
                    model_version: b.model_version,
                }),
            })
            .collect(),
        next_cursor: page.next.map(Cursor::to_text),
    }))
}

fn parse_query(params: &HashMap<String, String>, max: usize) -> Result<LeadQuery, Problem> {
    if let Some(k) = params.keys().find(|k| !PARAMS.contains(&k.as_str())) {
        return Err(Problem::bad_request(
            "unknown_parameter",
            format!("no parameter `{k}`; the list takes {}", PARAMS.join(", ")),
        )
        .param(k.clone()));
    }
    let text = |k: &str| params.get(k).cloned();
    let score = |k: &str| -> Result<Option<i64>, Problem> {
        params
            .get(k)
            .map(|v| match v.parse::<i64>() {
                Ok(n) if (0..=100).contains(&n) => Ok(n),
                _ => Err(Problem::bad_request(
                    "bad_parameter",
                    format!("{k}: a whole number from 0 to 100, got `{v}`"),
                )
                .param(k)),
            })
            .transpose()
    };
    let time = |k: &str| -> Result<Option<Timestamp>, Problem> {
        params
            .get(k)
            .map(|v| {
                Timestamp::parse(v).map_err(|_| {
                    Problem::bad_request(
                        "bad_parameter",
                        format!("{k}: a UTC time of the form YYYY-MM-DDTHH:MM:SSZ, got `{v}`"),
                    )
                    .param(k)
                })
            })
            .transpose()
    };
    let cursor = params
        .get("cursor")
        .map(|c| {
            Cursor::parse(c).ok_or_else(|| {
                Problem::bad_request(
                    "bad_parameter",
                    "cursor: not a cursor this server gave (use next_cursor as it came)",
                )
                .param("cursor")
            })
        })
        .transpose()?;
    let limit = match params.get("limit") {
        None => 100,
        Some(v) => match v.parse::<usize>() {
            Ok(n) if (1..=max).contains(&n) => n,
            _ => {
                return Err(Problem::bad_request(
                    "bad_parameter",
                    format!("limit: a whole number from 1 to {max}, got `{v}`"),
                )
                .param("limit"))
            }
        },
    };
    Ok(LeadQuery {
        stage: text("stage"),
        owner: text("owner"),
        min_score: score("min_score")?,
        max_score: score("max_score")?,
        account: text("account"),
        created_from: time("created_from")?,
        created_to: time("created_to")?,
        visible_owners: None,
        cursor,
        limit: Some(limit),
    })
}

/// One lead explained: what `accord lead show --format json` prints,
/// with `prediction`: the adopted model's probability (0..1), its version,
/// and the features that raised or lowered it, in words (`null` when no
/// model is adopted).
///
/// A lead the caller may not see is answered as an unknown one (404).
#[utoipa::path(
    get,
    path = "/v1/leads/{id}",
    tag = "leads",
    security(("token" = [])),
    params(("id" = String, Path, description = "The lead's id")),
    responses(
        (status = 200, description = "The lead (its `prediction` null when no model is adopted)", body = Object),
        (status = 401, description = "No valid token", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "The role may not read leads", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such lead (or not the caller's)", body = Problem, content_type = "application/problem+json"),
        (status = 429, description = "Too many requests", body = Problem, content_type = "application/problem+json"),
    )
)]
pub async fn get_lead(
    State(state): State<AppState>,
    Authed(caller): Authed,
    Path(id): Path<String>,
) -> Result<Json<serde_json::Value>, Problem> {
    let g = allow(&caller, Endpoint::GetLead)?;
    let (report, prediction) = state
        .handle
        .run(move |core| {
            let seen = owners(core, &caller, g);
            let engine = core.runner.engine();
            let report = leads::visible(engine, &id, seen.as_deref())
                .then(|| engine.explain(&id))
                .flatten()
                .ok_or_else(|| no_lead(&id))?;
            let prediction = predict::explain::lead_prediction(engine, &id)
                .map_err(|e| Problem::internal(e.to_string()))?;
            Ok::<_, Problem>((report, prediction))
        })
        .await??;
    let mut v = serde_json::to_value(&report).map_err(|e| Problem::internal(e.to_string()))?;
    v["prediction"] =
        serde_json::to_value(&prediction).map_err(|e| Problem::internal(e.to_string()))?;
    Ok(Json(v))
}

fn no_lead(id: &str) -> Problem {
    Problem::not_found(format!(
        "no lead {}",
        accord_core::shown::for_terminal(id, 80).0
    ))
}

/// An action's body: the wire action's fields but `type` and `lead_id`
/// (the path gives them). `rep_id` defaults to the caller's rep,
/// `occurred_at` to now.
#[derive(Deserialize, ToSchema)]
#[allow(dead_code)]
pub struct ActionBody {
    /// The id of the stage change it makes (accept, qualify, reject): a retry with it is a no-op.
    transition_id: Option<String>,
    /// The id of the assignment it makes (reassign).
    assignment_id: Option<String>,
    /// The rep deciding (the new owner for reassign).
    rep_id: Option<String>,
    occurred_at: Option<String>,
    /// Who acted, when not the rep (a manager, an integration).
    by: Option<String>,
    /// reject only: a rejection reason the agreement declares.
    reason: Option<String>,
}

/// What an action did.
#[derive(Serialize, ToSchema)]
pub struct ActionResult {
    pub result: EventResult,
    /// The lead after it.
    #[schema(value_type = Object)]
    pub lead: Option<accord_decide::LeadReport>,
}

macro_rules! action {
    ($name:ident, $wire:literal, $endpoint:expr, $what:literal) => {
        #[doc = $what]
        ///
        /// The body holds the wire action's fields (docs/wire.md) but
        /// `type` and `lead_id`. A lead the caller may not see is 404 and
        /// nothing is stored; acting as another rep than one's own (a rep)
        /// or outside one's team (a manager) is 403.
        #[utoipa::path(
            post,
            path = concat!("/v1/leads/{id}/", $wire),
            tag = "leads",
            security(("token" = [])),
            params(("id" = String, Path, description = "The lead's id")),
            request_body(content = ActionBody, content_type = "application/json"),
            responses(
                (status = 200, description = "Stored, or already taken", body = ActionResult),
                (status = 400, description = "Not a JSON object", body = Problem, content_type = "application/problem+json"),
                (status = 401, description = "No valid token", body = Problem, content_type = "application/problem+json"),
                (status = 403, description = "Not allowed for this role, rep or team", body = Problem, content_type = "application/problem+json"),
                (status = 404, description = "No such lead (or not the caller's)", body = Problem, content_type = "application/problem+json"),
                (status = 409, description = "The id is stored with other content", body = Problem, content_type = "application/problem+json"),
                (status = 422, description = "Invalid, or refused by the agreement", body = Problem, content_type = "application/problem+json"),
                (status = 429, description = "Too many requests", body = Problem, content_type = "application/problem+json"),
            )
        )]
        pub async fn $name(
            State(state): State<AppState>,
            Authed(caller): Authed,
            Path(id): Path<String>,
            body: Bytes,
        ) -> Response {
            act(state, caller, id, $wire, $endpoint, body).await
        }
    };
}

action!(
    accept,
    "accept",
    Endpoint::Accept,
    "Accept a lead (the stage whose criterion reads `event.kind == 'accepted'`)."
);
action!(
    qualify,
    "qualify",
    Endpoint::Qualify,
    "Qualify a lead (`event.kind == 'qualified'`)."
);
action!(
    reject,
    "reject",
    Endpoint::Reject,
    "Reject a lead with a reason the agreement declares (`reason`, required)."
);
action!(
    reassign,
    "reassign",
    Endpoint::Reassign,
    "Give a lead another owner (`rep_id`: the new owner). Managers (their team) and admins only."
);

async fn act(
    state: AppState,
    caller: Caller,
    id: String,
    wire: &'static str,
    endpoint: Endpoint,
    body: Bytes,
) -> Response {
    let run = async {
        let g = allow(&caller, endpoint)?;
        let mut fields: serde_json::Map<String, serde_json::Value> =
            match serde_json::from_slice(&body) {
                Ok(serde_json::Value::Object(m)) => m,
                Ok(_) => {
                    return Err(Problem::bad_request("syntax", "the body is a JSON object").at(""))
                }
                Err(e) => {
                    return Err(Problem::bad_request(
                        "syntax",
                        format!("the body is not JSON: {e}"),
                    )
                    .at(""))
                }
            };
        for f in ["type", "lead_id"] {
            if fields.contains_key(f) {
                return Err(Problem::unprocessable(
                    "unknown_field",
                    format!("`{f}` comes from the path, not the body"),
                )
                .at(format!("/{f}")));
            }
        }
        fields.insert("type".into(), wire.into());
        fields.insert("lead_id".into(), id.clone().into());
        if !fields.contains_key("occurred_at") {
            fields.insert(
                "occurred_at".into(),
                crate::core::wall_clock().to_string().into(),
            );
        }
        if !fields.contains_key("rep_id") && g != Grant::All {
            if let Some(r) = &caller.rep {
                fields.insert("rep_id".into(), r.clone().into());
            }
        }
        let rep = fields
            .get("rep_id")
            .and_then(|v| v.as_str())
            .map(str::to_owned);
        let line = serde_json::Value::Object(fields).to_string();
        state
            .handle
            .run(move |core| {
                let seen = owners(core, &caller, g);
                if !leads::visible(core.runner.engine(), &id, seen.as_deref()) {
                    return Err(no_lead(&id));
                }
                if let (Some(seen), Some(rep)) = (&seen, &rep) {
                    if !seen.contains(rep) {
                        return Err(Problem::forbidden(match g {
                            Grant::Own => format!(
                                "a rep's token acts as its rep only; rep_id {rep} is not yours"
                            ),
                            _ => format!("rep {rep} is not in your team"),
                        })
                        .at("/rep_id"));
                    }
                }
                let result = events::ingest(core, vec![line])?.remove(0);
                let lead = core.runner.engine().explain(&id);
                Ok(ActionResult { result, lead })
            })
            .await?
    };
    match run.await {
        Ok(r) => match r.result.outcome {
            OutcomeKind::Stored | OutcomeKind::Duplicate => {
                (StatusCode::OK, Json(r)).into_response()
            }
            _ => super::events::single_problem(&r.result).into_response(),
        },
        Err(p) => p.into_response(),
    }
}
