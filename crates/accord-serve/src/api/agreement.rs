//! The agreement: the one in force, its versions, a check of a draft, and
//! adopting one (an `agreement_adopted` event in the log).

use accord_core::agreement;
use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::Json;
use serde::Serialize;
use utoipa::ToSchema;

use super::{allow, AppState, Authed};
use crate::problem::{FieldError, Problem};
use crate::roles::Endpoint;

/// The agreement the engine and the reports use.
#[derive(Serialize, ToSchema)]
pub struct InForce {
    /// The version in force (`null`: none adopted; the server's file gives the reports' terms).
    pub version: Option<u32>,
    /// SHA-256 of the text.
    pub digest: String,
    /// The TOML text.
    pub text: String,
    /// The reasons a rejection may give under the version in force (empty
    /// when none is adopted): what a reject form offers.
    pub rejection_reasons: Vec<String>,
}

/// One adopted version.
#[derive(Serialize, ToSchema)]
pub struct VersionView {
    pub version: u32,
    pub digest: String,
    pub adopted_at: String,
    pub by: Option<String>,
    pub name: Option<String>,
    pub effective: Option<String>,
}

/// A check's answer.
#[derive(Serialize, ToSchema)]
pub struct CheckResult {
    pub valid: bool,
    /// What the agreement holds, in one line (when valid).
    pub summary: Option<String>,
    /// Every problem, with its line and column (from 1).
    pub errors: Vec<FieldError>,
}

/// An adoption's answer.
#[derive(Serialize, ToSchema)]
pub struct AdoptResult {
    pub version: u32,
    pub digest: String,
    /// The text was already in force: nothing was stored.
    pub already_in_force: bool,
}

/// The agreement in force (or, before any adoption, the server's file).
#[utoipa::path(get, path = "/v1/agreement", tag = "agreement", security(("token" = [])),
    responses(
        (status = 200, body = InForce),
        (status = 401, description = "No valid token", body = Problem, content_type = "application/problem+json"),
        (status = 429, description = "Too many requests", body = Problem, content_type = "application/problem+json"),
    ))]
pub async fn get_agreement(
    State(state): State<AppState>,
    Authed(caller): Authed,
) -> Result<Json<InForce>, Problem> {
    allow(&caller, Endpoint::GetAgreement)?;
    state
        .handle
        .run(|core| -> Result<InForce, Problem> {
            let in_force = core.runner.engine().agreement();
            let version = in_force.map(|(v, _)| v);
            let rejection_reasons = in_force
                .map(|(_, a)| a.rejection_reasons().to_vec())
                .unwrap_or_default();
            let text = crate::core::report_terms(core)?;
            Ok(InForce {
                version,
                rejection_reasons,
                digest: accord_engine::agreement::sha256_hex(&text.source),
                text: String::from_utf8_lossy(&text.source).into_owned(),
            })
        })
        .await?
        .map(Json)
}

/// Every adopted version, oldest first.
#[utoipa::path(get, path = "/v1/agreement/versions", tag = "agreement", security(("token" = [])),
    responses(
        (status = 200, body = Vec<VersionView>),
        (status = 401, description = "No valid token", body = Problem, content_type = "application/problem+json"),
        (status = 429, description = "Too many requests", body = Problem, content_type = "application/problem+json"),
    ))]
pub async fn versions(
    State(state): State<AppState>,
    Authed(caller): Authed,
) -> Result<Json<Vec<VersionView>>, Problem> {
    allow(&caller, Endpoint::AgreementVersions)?;
    let versions = state
        .handle
        .run(|core| accord_engine::agreement::versions(&core.store))
        .await??;
    Ok(Json(
        versions
            .into_iter()
            .map(|v| VersionView {
                version: v.number,
                digest: v.digest,
                adopted_at: v.adopted_at.to_string(),
                by: v.by,
                name: v.name,
                effective: v.effective,
            })
            .collect(),
    ))
}

/// One adopted version with its text.
#[derive(Serialize, ToSchema)]
pub struct VersionText {
    pub version: u32,
    pub digest: String,
    pub adopted_at: String,
    pub by: Option<String>,
    /// The TOML text as adopted.
    pub text: String,
}

/// One adopted version's text (to compare versions).
#[utoipa::path(get, path = "/v1/agreement/versions/{version}", tag = "agreement", security(("token" = [])),
    params(("version" = u32, Path, description = "A version number (from 1)")),
    responses(
        (status = 200, body = VersionText),
        (status = 400, description = "Not a version number", body = Problem, content_type = "application/problem+json"),
        (status = 401, description = "No valid token", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such version", body = Problem, content_type = "application/problem+json"),
        (status = 429, description = "Too many requests", body = Problem, content_type = "application/problem+json"),
    ))]
pub async fn version(
    State(state): State<AppState>,
    Authed(caller): Authed,
    Path(version): Path<String>,
) -> Result<Json<VersionText>, Problem> {
    allow(&caller, Endpoint::AgreementVersion)?;
    let Some(n) = version.parse::<u32>().ok().filter(|&n| n >= 1) else {
        return Err(Problem::bad_request(
            "bad_parameter",
            format!("version: a whole number from 1, got `{version}`"),
        )
        .param("version"));
    };
    let adoption = state
        .handle
        .run(move |core| accord_engine::agreement::adoption(&core.store, n))
        .await??;
    let a = adoption.ok_or_else(|| Problem::not_found(format!("no agreement version {n}")))?;
    Ok(Json(VersionText {
        version: a.version,
        digest: a.digest.as_str().to_owned(),
        adopted_at: a.adopted_at.to_string(),
        by: a.by.map(|b| b.as_str().to_owned()),
        text: a.text.as_str().to_owned(),
    }))
}

/// Check a draft agreement (the TOML text as the body): every problem with its line and column, as `accord check` finds them.
#[utoipa::path(post, path = "/v1/agreement/check", tag = "agreement", security(("token" = [])),
    request_body(content = String, content_type = "text/plain", description = "The agreement's TOML text (at most 1 MiB)"),
    responses(
        (status = 200, body = CheckResult),
        (status = 401, description = "No valid token", body = Problem, content_type = "application/problem+json"),
        (status = 413, description = "Body too large", body = Problem, content_type = "application/problem+json"),
        (status = 429, description = "Too many requests", body = Problem, content_type = "application/problem+json"),
    ))]
pub async fn check(Authed(caller): Authed, body: Bytes) -> Result<Json<CheckResult>, Problem> {
    allow(&caller, Endpoint::CheckAgreement)?;
    Ok(Json(check_text(&body)))
}

/// The check `accord check` makes, with each problem's line and column.
pub fn check_text(body: &[u8]) -> CheckResult {
    match agreement::parse_bytes(body, "the body") {
        Ok(a) => CheckResult {
            valid: true,
            summary: Some(a.summary()),
            errors: Vec::new(),
        },
        Err(d) => CheckResult {
            valid: false,
            summary: None,
            errors: d
                .iter()
                .map(|e| {
                    let (line, column) = d.line_col(e.span.start);
                    FieldError {
                        pointer: None,
                        line: Some(line),
                        column: Some(column),
                        detail: match &e.help {
                            Some(h) => format!("{}: {} ({h})", e.message, e.label),
                            None => format!("{}: {}", e.message, e.label),
                        },
                    }
                })
                .collect(),
        },
    }
}

/// Adopt an agreement (admins): stored as the next version, in force from now on. The text in force adopted again stores nothing.
#[utoipa::path(post, path = "/v1/agreement", tag = "agreement", security(("token" = [])),
    request_body(content = String, content_type = "text/plain", description = "The agreement's TOML text (at most 1 MiB)"),
    responses(
        (status = 201, description = "Adopted", body = AdoptResult),
        (status = 200, description = "Already in force", body = AdoptResult),
        (status = 401, description = "No valid token", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "Admins only", body = Problem, content_type = "application/problem+json"),
        (status = 413, description = "Body too large", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "Not a valid agreement (errors with line and column)", body = Problem, content_type = "application/problem+json"),
        (status = 429, description = "Too many requests", body = Problem, content_type = "application/problem+json"),
    ))]
pub async fn adopt(
    State(state): State<AppState>,
    Authed(caller): Authed,
    body: Bytes,
) -> Result<(StatusCode, Json<AdoptResult>), Problem> {
    allow(&caller, Endpoint::AdoptAgreement)?;
    let checked = check_text(&body);
    if !checked.valid {
        let mut p = Problem::unprocessable(
            "invalid_agreement",
            format!(
                "the agreement has {} error(s); nothing was adopted",
                checked.errors.len()
            ),
        );
        p.errors = checked.errors;
        return Err(p);
    }
    let by = caller
        .label
        .clone()
        .unwrap_or_else(|| format!("token {}", caller.token_id));
    let adopted = state
        .handle
        .run(
            move |core| -> Result<accord_engine::agreement::Adopted, Problem> {
                let text =
                    accord_engine::AgreementText::new(body.to_vec(), "the request".to_owned());
                let a = accord_engine::agreement::adopt(
                    &mut core.store,
                    &text,
                    Some(&by),
                    crate::core::wall_clock(),
                )?;
                crate::core::step(core);
                Ok(a)
            },
        )
        .await??;
    let status = if adopted.already_in_force {
        StatusCode::OK
    } else {
        StatusCode::CREATED
    };
    Ok((
        status,
        Json(AdoptResult {
            version: adopted.version,
            digest: adopted.digest,
            already_in_force: adopted.already_in_force,
        }),
    ))
}
