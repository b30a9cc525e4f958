//! `GET /v1/reports/{name}`: `accord report`'s request over HTTP.

use std::collections::HashMap;

use accord_engine::reports::{self, Answer, Comparison, Explanation, Request};
use accord_engine::Quiet;
use accord_report::{funnel, Period};
use axum::extract::{Path, Query, State};
use axum::http::{header, HeaderMap, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use super::{allow, AppState, Authed};
use crate::problem::Problem;
use crate::roles::Endpoint;

/// `accord report`'s parameters.
#[derive(Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
#[allow(dead_code)]
pub struct ReportParams {
    /// First day of the period (`YYYY-MM-DD`, inclusive); none: all time.
    from: Option<String>,
    /// Last day of the period (`YYYY-MM-DD`, inclusive).
    to: Option<String>,
    /// `previous`: each figure beside the previous period of as many days.
    compare: Option<String>,
    /// A key to explain: an opportunity id, or `MONTH,CHANNEL,STAGE` for funnel.
    explain: Option<String>,
    /// Leads a funnel explanation lists (default 20).
    limit: Option<usize>,
    /// attribution_campaign or attribution_channel: a row's key (a campaign
    /// id or a channel, `(none)`, `(no campaign)`); the won opportunities
    /// closed in the period crediting it, the largest first (at most `limit`).
    won_by: Option<String>,
    /// The funnel of one source channel's leads (`(all)`: every channel).
    channel: Option<String>,
    /// The funnel of one region's leads (`NA`, `EMEA`, `APAC`, `LATAM`).
    region: Option<String>,
    /// The funnel of one persona's leads: a contract persona, `(declared)`
    /// (any the agreement declares) or `(none)` (no persona).
    persona: Option<String>,
    /// `json` (default) or `csv` (one report only); `Accept: text/csv` asks for CSV too.
    format: Option<String>,
}

/// A report's name, as the document lists them (`accord_report::REPORTS`
/// and `all`; a test holds the two lists equal).
#[derive(Serialize, ToSchema)]
#[serde(rename_all = "snake_case")]
#[allow(dead_code)]
pub enum ReportName {
    Funnel,
    Velocity,
    SlaFollowup,
    SlaMarketing,
    AttributionCampaign,
    AttributionChannel,
    Content,
    ContentGaps,
    Leaderboard,
    Rejections,
    Kpi,
    KpiOutcomes,
    All,
}

const PARAMS: [&str; 10] = [
    "from", "to", "compare", "explain", "limit", "format", "channel", "region", "persona", "won_by",
];

/// A report (or `all`) over all time or a period, as JSON or CSV.
///
/// The funnel takes `channel`, `region` and `persona` (any together): the
/// funnel of those leads only (another report with one is a 422).
/// JSON: `{"as_of", "period", "compared_with", "reports": [{"report", "terms", "rows"}]}`;
/// with `explain`, also `"explanation"`: `{"leads"}` (a funnel cell's count)
/// or `{"outcome"}` (what an opportunity's credit is for); with `won_by`,
/// `{"opportunities"}` (how many won opportunities credit the key).
/// CSV (`Accept: text/csv` or `format=csv`): the one report's rows.
#[utoipa::path(
    get,
    path = "/v1/reports/{name}",
    tag = "reports",
    security(("token" = [])),
    params(("name" = ReportName, Path, description = "A report, or `all`"), ReportParams),
    responses(
        (status = 200, description = "The report", content((Object = "application/json"), (String = "text/csv"))),
        (status = 400, description = "A bad parameter", body = Problem, content_type = "application/problem+json"),
        (status = 401, description = "No valid token", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "The role may not read reports", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such report", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "Parameters that do not go together", body = Problem, content_type = "application/problem+json"),
        (status = 429, description = "Too many requests", body = Problem, content_type = "application/problem+json"),
    )
)]
pub async fn get_report(
    State(state): State<AppState>,
    Authed(caller): Authed,
    Path(name): Path<String>,
    Query(params): Query<HashMap<String, String>>,
    headers: HeaderMap,
) -> Result<Response, Problem> {
    allow(&caller, Endpoint::GetReport)?;
    if let Some(k) = params.keys().find(|k| !PARAMS.contains(&k.as_str())) {
        return Err(Problem::bad_request(
            "unknown_parameter",
            format!("no parameter `{k}`; a report takes {}", PARAMS.join(", ")),
        )
        .param(k.clone()));
    }
    let names = reports::select(&name).map_err(|e| Problem::not_found(e.to_string()))?;
    let period = Period::from_dates(
        params.get("from").map(String::as_str),
        params.get("to").map(String::as_str),
    )
    .map_err(|e| {
        Problem::bad_request("bad_parameter", e).param(if params.contains_key("from") {
            "from"
        } else {
            "to"
        })
    })?;
    let compare = match params.get("compare").map(String::as_str) {
        None => None,
        Some("previous") => Some(Comparison::Previous),
        Some(v) => {
            return Err(Problem::bad_request(
                "bad_parameter",
                format!("compare: `previous` is the one comparison, got `{v}`"),
            )
            .param("compare"))
        }
    };
    let limit = match params.get("limit") {
        None => 20,
        Some(v) => v
            .parse::<usize>()
            .ok()
            .filter(|n| (1..=10_000).contains(n))
            .ok_or_else(|| {
                Problem::bad_request(
                    "bad_parameter",
                    format!("limit: a whole number from 1 to 10000, got `{v}`"),
                )
                .param("limit")
            })?,
    };
    let csv = match params.get("format").map(String::as_str) {
        Some("csv") => true,
        Some("json") => false,
        Some(v) => {
            return Err(Problem::bad_request(
                "bad_parameter",
                format!("format: `json` or `csv`, got `{v}`"),
            )
            .param("format"))
        }
        None => headers
            .get(header::ACCEPT)
            .and_then(|v| v.to_str().ok())
            .is_some_and(|a| a.contains("text/csv")),
    };
    if csv && names.len() > 1 {
        return Err(Problem::unprocessable(
            "one_report_in_csv",
            "CSV holds one report: ask for one by name",
        )
        .param("format"));
    }
    let filter = funnel::Filter::parse(
        params.get("channel").map(String::as_str),
        params.get("region").map(String::as_str),
        params.get("persona").map(String::as_str),
    )
    .map_err(|e| {
        let param = match e {
            funnel::FilterError::Channel(_) => "channel",
            funnel::FilterError::Region(_) => "region",
            funnel::FilterError::Persona(_) => "persona",
        };
        Problem::bad_request("bad_parameter", e.to_string()).param(param)
    })?;
    let explain = params.get("explain").cloned();
    let won_by = params.get("won_by").cloned();
    let answer = state
        .handle
        .run(move |core| -> Result<Answer, Problem> {
            crate::core::step(core);
            let terms = crate::core::report_terms(core)?;
            let request = Request {
                names: &names,
                period,
                explain: explain.as_deref(),
                won_by: won_by.as_deref(),
                limit,
                compare,
                filter,
            };
            Ok(reports::answer_with(
                &mut core.store,
                &request,
                &terms,
                Some(core.runner.watcher()),
                &mut Quiet,
            )?)
        })
        .await??;
    let (tables, as_of, compared, explained) = match answer {
        Answer::AllTime(a) => (a.tables, a.as_of, None, None),
        Answer::Period(p) => (p.tables, p.as_of, p.compared_with, None),
        Answer::Explained(e) => (vec![e.table], e.as_of, None, Some(explanation(&e.what))),
    };
    if csv {
        let mut r = (StatusCode::OK, tables[0].to_csv()).into_response();
        r.headers_mut().insert(
            header::CONTENT_TYPE,
            HeaderValue::from_static("text/csv; charset=utf-8"),
        );
        return Ok(r);
    }
    let mut body = String::from("{\"as_of\": ");
    body.push_str(&serde_json::Value::from(as_of).to_string());
    body.push_str(", \"compared_with\": ");
    body.push_str(
        &compared
            .map_or(serde_json::Value::Null, |p| p.describe().into())
            .to_string(),
    );
    if let Some(e) = explained {
        body.push_str(", \"explanation\": ");
        body.push_str(&e.to_string());
    }
    body.push_str(", \"reports\": [");
    for (i, t) in tables.iter().enumerate() {
        if i > 0 {
            body.push_str(",\n");
        }
        body.push_str(t.to_json().trim_end());
    }
    body.push_str("]}\n");
    let mut r = (StatusCode::OK, body).into_response();
    r.headers_mut().insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("application/json"),
    );
    Ok(r)
}

/// What an explanation's table is of: a funnel cell's lead count (the
/// table lists at most `limit`), or what an opportunity's credit is for.
fn explanation(what: &Explanation) -> serde_json::Value {
    match what {
        Explanation::Funnel { total } => serde_json::json!({ "leads": total }),
        Explanation::Attribution { outcome } => serde_json::json!({ "outcome": outcome }),
        Explanation::WonBy { total } => serde_json::json!({ "opportunities": total }),
    }
}
