//! Who may call what: the one table of roles × endpoints. The server asks
//! it ([`grant`]), the role-matrix test walks it, and docs/api.md holds its
//! rendering ([`markdown`]; a test checks the two agree).

use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

/// A token's role.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum Role {
    Admin,
    MarketingOps,
    /// Acts for their team: the reps whose `manager_id` is them, and themself.
    SalesManager,
    /// Their own leads only.
    Rep,
    /// Reads reports only.
    Analyst,
}

impl Role {
    pub const ALL: [Role; 5] = [
        Role::Admin,
        Role::MarketingOps,
        Role::SalesManager,
        Role::Rep,
        Role::Analyst,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Role::Admin => "admin",
            Role::MarketingOps => "marketing_ops",
            Role::SalesManager => "sales_manager",
            Role::Rep => "rep",
            Role::Analyst => "analyst",
        }
    }

    pub fn parse(s: &str) -> Option<Role> {
        Role::ALL.into_iter().find(|r| r.as_str() == s)
    }

    /// Whether a token of this role names the rep it acts as.
    pub fn needs_rep(self) -> bool {
        matches!(self, Role::SalesManager | Role::Rep)
    }
}

/// Every endpoint that takes a token.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Endpoint {
    PostEvents,
    ListLeads,
    GetLead,
    Accept,
    Qualify,
    Reject,
    Reassign,
    GetReport,
    Sla,
    GetAgreement,
    AgreementVersions,
    AgreementVersion,
    CheckAgreement,
    AdoptAgreement,
    CreateWebhook,
    ListWebhooks,
    DeleteWebhook,
    ReplayDelivery,
    DeadLetters,
}

/// What a role may do at an endpoint.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Grant {
    /// Everything (every lead).
    All,
    /// The leads of the caller's team (owned by them or a rep they manage).
    Team,
    /// The caller's own leads.
    Own,
    /// Refused: 403.
    No,
}

use Grant::{All as A, No as N, Own as O, Team as T};

/// The matrix: method, path, and the grant of each role in [`Role::ALL`]'s
/// order (admin, marketing_ops, sales_manager, rep, analyst).
pub const MATRIX: &[(Endpoint, &str, &str, [Grant; 5])] = &[
    (Endpoint::PostEvents, "POST", "/v1/events", [A, A, N, N, N]),
    (Endpoint::ListLeads, "GET", "/v1/leads", [A, A, T, O, N]),
    (Endpoint::GetLead, "GET", "/v1/leads/{id}", [A, A, T, O, N]),
    (
        Endpoint::Accept,
        "POST",
        "/v1/leads/{id}/accept",
        [A, N, T, O, N],
    ),
    (
        Endpoint::Qualify,
        "POST",
        "/v1/leads/{id}/qualify",
        [A, N, T, O, N],
    ),
    (
        Endpoint::Reject,
        "POST",
        "/v1/leads/{id}/reject",
        [A, N, T, O, N],
    ),
    (
        Endpoint::Reassign,
        "POST",
        "/v1/leads/{id}/reassign",
        [A, N, T, N, N],
    ),
    (
        Endpoint::GetReport,
        "GET",
        "/v1/reports/{name}",
        [A, A, A, N, A],
    ),
    (Endpoint::Sla, "GET", "/v1/sla", [A, A, T, O, N]),
    (
        Endpoint::GetAgreement,
        "GET",
        "/v1/agreement",
        [A, A, A, A, A],
    ),
    (
        Endpoint::AgreementVersions,
        "GET",
        "/v1/agreement/versions",
        [A, A, A, A, A],
    ),
    (
        Endpoint::AgreementVersion,
        "GET",
        "/v1/agreement/versions/{version}",
        [A, A, A, A, A],
    ),
    (
        Endpoint::CheckAgreement,
        "POST",
        "/v1/agreement/check",
        [A, A, A, A, A],
    ),
    (
        Endpoint::AdoptAgreement,
        "POST",
        "/v1/agreement",
        [A, N, N, N, N],
    ),
    (
        Endpoint::CreateWebhook,
        "POST",
        "/v1/webhooks",
        [A, A, N, N, N],
    ),
    (
        Endpoint::ListWebhooks,
        "GET",
        "/v1/webhooks",
        [A, A, N, N, N],
    ),
    (
        Endpoint::DeleteWebhook,
        "DELETE",
        "/v1/webhooks/{id}",
        [A, A, N, N, N],
    ),
    (
        Endpoint::ReplayDelivery,
        "POST",
        "/v1/webhooks/deliveries/{id}/replay",
        [A, A, N, N, N],
    ),
    (
        Endpoint::DeadLetters,
        "GET",
        "/v1/webhooks/dead",
        [A, A, N, N, N],
    ),
];

/// Paths answered without a token.
pub const PUBLIC: &[(&str, &str)] = &[
    ("GET", "/healthz"),
    ("GET", "/readyz"),
    ("GET", "/metrics"),
    ("GET", "/openapi.json"),
    ("GET", "/docs"),
];

/// The dashboard's login (`api::login`): `POST` takes a token in its body;
/// `GET` and `DELETE` act on the caller's own session, whatever the role.
pub const SESSION: &[(&str, &str)] = &[
    ("POST", "/v1/session"),
    ("GET", "/v1/session"),
    ("DELETE", "/v1/session"),
];

/// The dashboard's page and files (`ui`), answered without a token (the
/// page asks for a login).
pub const UI: &[(&str, &str)] = &[("GET", "/"), ("GET", "/ui/{*path}")];

/// What `role` may do at `endpoint`.
pub fn grant(endpoint: Endpoint, role: Role) -> Grant {
    let row = MATRIX
        .iter()
        .find(|(e, ..)| *e == endpoint)
        .expect("every endpoint is in the matrix");
    let i = Role::ALL.iter().position(|r| *r == role).expect("a role");
    row.3[i]
}

/// The matrix as a Markdown table (docs/api.md holds this text).
pub fn markdown() -> String {
    let mut o = String::from("| endpoint |");
    for r in Role::ALL {
        o.push_str(&format!(" {} |", r.as_str()));
    }
    o.push_str("\n|---|");
    for _ in Role::ALL {
        o.push_str("---|");
    }
    o.push('\n');
    for (_, method, path, grants) in MATRIX {
        o.push_str(&format!("| `{method} {path}` |"));
        for g in grants {
            o.push_str(match g {
                Grant::All => " yes |",
                Grant::Team => " team |",
                Grant::Own => " own |",
                Grant::No => " no |",
            });
        }
        o.push('\n');
    }
    o
}
