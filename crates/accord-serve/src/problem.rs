//! RFC 9457 problem details (`application/problem+json`): every error the
//! API answers, with the JSON pointer of the field at fault when there is one.

use axum::http::{header, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use serde::Serialize;
use utoipa::ToSchema;

/// The media type of every error.
pub const PROBLEM_JSON: &str = "application/problem+json";

/// One problem: what went wrong, where (a JSON pointer into the request
/// body or a query parameter's name), and a sentence saying it.
#[derive(Clone, Debug, Serialize, ToSchema)]
pub struct Problem {
    /// A URI naming the kind of problem (`about:blank` for plain HTTP ones).
    #[serde(rename = "type")]
    pub kind: String,
    /// The kind in words.
    pub title: String,
    /// The HTTP status.
    pub status: u16,
    /// This occurrence in words.
    pub detail: String,
    /// The JSON pointer (RFC 6901) of the bad field, when one is at fault.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub pointer: Option<String>,
    /// The query parameter at fault, when one is.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub parameter: Option<String>,
    /// Each bad place, when there are several (an agreement's errors).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub errors: Vec<FieldError>,
    /// Seconds to wait before trying again (429, 503).
    #[serde(skip)]
    pub retry_after: Option<u64>,
}

/// One bad place in a request.
#[derive(Clone, Debug, Serialize, ToSchema)]
pub struct FieldError {
    /// The JSON pointer of the field, if the place is a field.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub pointer: Option<String>,
    /// Line and column (from 1) in a text body (an agreement).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub line: Option<usize>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub column: Option<usize>,
    pub detail: String,
}

impl Problem {
    /// A problem of `status` with the type `urn:accord:problem:<code>`.
    pub fn new(status: StatusCode, code: &str, detail: impl Into<String>) -> Problem {
        Problem {
            kind: format!("urn:accord:problem:{code}"),
            title: status.canonical_reason().unwrap_or("error").to_owned(),
            status: status.as_u16(),
            detail: detail.into(),
            pointer: None,
            parameter: None,
            errors: Vec::new(),
            retry_after: None,
        }
    }

    pub fn at(mut self, pointer: impl Into<String>) -> Problem {
        self.pointer = Some(pointer.into());
        self
    }

    pub fn param(mut self, name: impl Into<String>) -> Problem {
        self.parameter = Some(name.into());
        self
    }

    pub fn bad_request(code: &str, detail: impl Into<String>) -> Problem {
        Problem::new(StatusCode::BAD_REQUEST, code, detail)
    }

    pub fn unprocessable(code: &str, detail: impl Into<String>) -> Problem {
        Problem::new(StatusCode::UNPROCESSABLE_ENTITY, code, detail)
    }

    pub fn not_found(detail: impl Into<String>) -> Problem {
        Problem::new(StatusCode::NOT_FOUND, "not_found", detail)
    }

    pub fn forbidden(detail: impl Into<String>) -> Problem {
        Problem::new(StatusCode::FORBIDDEN, "forbidden", detail)
    }

    pub fn unavailable(detail: impl Into<String>) -> Problem {
        let mut p = Problem::new(StatusCode::SERVICE_UNAVAILABLE, "unavailable", detail);
        p.retry_after = Some(1);
        p
    }

    pub fn internal(detail: impl Into<String>) -> Problem {
        Problem::new(StatusCode::INTERNAL_SERVER_ERROR, "internal", detail)
    }

    pub fn status(&self) -> StatusCode {
        StatusCode::from_u16(self.status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR)
    }
}

impl IntoResponse for Problem {
    fn into_response(self) -> Response {
        let body = serde_json::to_vec(&self).unwrap_or_default();
        let mut r = (self.status(), body).into_response();
        r.headers_mut()
            .insert(header::CONTENT_TYPE, HeaderValue::from_static(PROBLEM_JSON));
        if let Some(s) = self.retry_after {
            r.headers_mut()
                .insert(header::RETRY_AFTER, HeaderValue::from(s));
        }
        r
    }
}

/// A store or engine failure as a problem: a busy database is a 503 to
/// retry, anything else a 500 naming it (nothing of the request stored).
impl From<accord_engine::Error> for Problem {
    fn from(e: accord_engine::Error) -> Problem {
        use accord_engine::Error as E;
        use accord_store::StoreError as S;
        match &e {
            E::Store(S::Busy { .. })
            | E::Tick(accord_engine::live::TickError::Store(S::Busy { .. })) => {
                Problem::unavailable(e.to_string())
            }
            E::UnknownReport(_) => Problem::not_found(e.to_string()),
            E::Explain(_)
            | E::CannotExplain
            | E::CompareNeedsPeriod
            | E::CompareExplained
            | E::FilterNotFunnel
            | E::WonByNotAttribution
            | E::WonByAlone
            | E::BadName { .. } => Problem::unprocessable("bad_parameter", e.to_string()),
            E::Agreement(_) => Problem::unprocessable("invalid_agreement", e.to_string()),
            _ => Problem::internal(e.to_string()),
        }
    }
}

impl From<accord_store::StoreError> for Problem {
    fn from(e: accord_store::StoreError) -> Problem {
        Problem::from(accord_engine::Error::Store(e))
    }
}
