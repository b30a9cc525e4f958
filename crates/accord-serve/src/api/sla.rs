//! `GET /v1/sla`: the SLA board (`accord_engine::sla::board`) now.

use std::collections::HashMap;

use accord_engine::sla::{self, BoardQuery, Listed};
use axum::extract::{Query, State};
use axum::Json;
use serde::Deserialize;
use utoipa::IntoParams;

use super::{allow, owners, AppState, Authed};
use crate::problem::Problem;
use crate::roles::Endpoint;

/// The board's parameters.
#[derive(Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
#[allow(dead_code)]
pub struct SlaParams {
    /// `open` (default: the nearest deadline first) or `breached` (the latest first).
    state: Option<String>,
    /// Only the clocks of this rep's leads.
    owner: Option<String>,
    /// Clocks and escalations listed at most (1 to 1,000; default 100).
    #[param(minimum = 1, maximum = 1000)]
    limit: Option<usize>,
}

const PARAMS: [&str; 3] = ["state", "owner", "limit"];

/// Sales' clocks (open or breached) with the time left, the escalations
/// fired and marketing's months against their targets, as of now.
///
/// A rep sees the clocks of their own leads, a sales manager their team's;
/// marketing's months are the same for every caller.
#[utoipa::path(
    get,
    path = "/v1/sla",
    tag = "sla",
    security(("token" = [])),
    params(SlaParams),
    responses(
        (status = 200, description = "The board", body = Object),
        (status = 400, description = "A bad parameter", body = Problem, content_type = "application/problem+json"),
        (status = 401, description = "No valid token", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "The role may not read the SLA board", body = Problem, content_type = "application/problem+json"),
        (status = 429, description = "Too many requests", body = Problem, content_type = "application/problem+json"),
    )
)]
pub async fn get_sla(
    State(state): State<AppState>,
    Authed(caller): Authed,
    Query(params): Query<HashMap<String, String>>,
) -> Result<Json<sla::Board>, Problem> {
    let g = allow(&caller, Endpoint::Sla)?;
    if let Some(k) = params.keys().find(|k| !PARAMS.contains(&k.as_str())) {
        return Err(Problem::bad_request(
            "unknown_parameter",
            format!("no parameter `{k}`; the board takes {}", PARAMS.join(", ")),
        )
        .param(k.clone()));
    }
    let listed = match params.get("state").map(String::as_str) {
        None | Some("open") => Listed::Open,
        Some("breached") => Listed::Breached,
        Some(v) => {
            return Err(Problem::bad_request(
                "bad_parameter",
                format!("state: `open` or `breached`, got `{v}`"),
            )
            .param("state"))
        }
    };
    let limit = match params.get("limit") {
        None => 100,
        Some(v) => v
            .parse::<usize>()
            .ok()
            .filter(|n| (1..=1000).contains(n))
            .ok_or_else(|| {
                Problem::bad_request(
                    "bad_parameter",
                    format!("limit: a whole number from 1 to 1000, got `{v}`"),
                )
                .param("limit")
            })?,
    };
    let owner = params.get("owner").cloned();
    let board = state
        .handle
        .run(move |core| {
            crate::core::step(core);
            let query = BoardQuery {
                listed,
                owner,
                visible_owners: owners(core, &caller, g),
                limit,
            };
            sla::board(core.runner.engine(), crate::core::wall_clock(), &query)
        })
        .await?;
    Ok(Json(board))
}
