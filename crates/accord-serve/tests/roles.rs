//! Every endpoint × every role over HTTP, with the status the role matrix
//! (`accord_serve::roles::MATRIX`) promises, and leads out of a caller's
//! sight: a rep or a manager reading or acting on someone else's lead gets
//! 404 and nothing changes in the log.

mod common;

use std::collections::HashMap;

use accord_serve::roles::{grant, Endpoint, Grant, Role, MATRIX};
use common::{ago, TestServer};

const DEFAULT: &str = accord_core::agreement::DEFAULT_AGREEMENT;

fn rep(id: &str, team: &str, manager: Option<&str>) -> String {
    serde_json::json!({
        "type": "rep_recorded", "rep_id": id, "name": format!("Rep {id}"),
        "email": format!("{}@acme.example", id.to_lowercase()), "team": team, "region": "EMEA",
        "vertical": null, "manager_id": manager, "capacity_per_day": 20,
        "hired_at": "2024-01-15T09:00:00Z"
    })
    .to_string()
}

/// The world: managers M1 (R1, R2) and M2 (R3); the default agreement adopted.
fn world() -> (TestServer, HashMap<Role, String>) {
    let mut tokens = HashMap::new();
    let s = TestServer::start(accord_serve::Limits::default(), |store| {
        for (role, rep) in [
            (Role::MarketingOps, None),
            (Role::SalesManager, Some("M1")),
            (Role::Rep, Some("R1")),
            (Role::Analyst, None),
        ] {
            let t = accord_serve::auth::create(store, role.as_str(), rep, None, 0).unwrap();
            tokens.insert(role, t.token);
        }
    });
    tokens.insert(Role::Admin, s.admin.clone());
    let r = s.call(
        "POST",
        "/v1/agreement",
        Some(&s.admin),
        &[("content-type", "application/toml")],
        DEFAULT.as_bytes(),
    );
    assert_eq!(r.status, 201, "{}", r.body);
    let reps = [
        rep("M1", "manager", None),
        rep("M2", "manager", None),
        rep("R1", "sdr", Some("M1")),
        rep("R2", "sdr", Some("M1")),
        rep("R3", "sdr", Some("M2")),
    ];
    let r = s.post(
        "/v1/events",
        Some(&s.admin),
        &format!("[{}]", reps.join(",")),
    );
    assert_eq!(r.status, 200, "{}", r.body);
    assert_eq!(r.json()["stored"], 5, "{}", r.body);
    (s, tokens)
}

/// A lead owned by `owner`, moved to `stage` (lead, mql or sal).
fn lead(s: &TestServer, id: &str, owner: &str, stage: &str) {
    let created = serde_json::json!({
        "type": "lead_created", "lead_id": id, "email": format!("{}@northwind.example", id.to_lowercase()),
        "seniority": "vp", "country": "GB", "region": "EMEA", "source_channel": "referral",
        "created_at": ago(3600)
    });
    let r = s.post("/v1/events", Some(&s.admin), &created.to_string());
    assert_eq!(r.status, 201, "{}", r.body);
    let r = s.post(
        &format!("/v1/leads/{id}/reassign"),
        Some(&s.admin),
        &serde_json::json!({"assignment_id": format!("A-{id}"), "rep_id": owner, "occurred_at": ago(3000)}).to_string(),
    );
    assert_eq!(r.status, 200, "{}", r.body);
    let moves: &[(&str, &str)] = match stage {
        "lead" => &[],
        "mql" => &[("lead", "mql")],
        _ => &[("lead", "mql"), ("mql", "sal")],
    };
    for (i, (from, to)) in moves.iter().enumerate() {
        let e = serde_json::json!({
            "type": "stage_changed", "transition_id": format!("S{i}-{id}"), "lead_id": id,
            "from_stage": from, "to_stage": to, "occurred_at": ago(2000 - 100 * i as i64)
        });
        let r = s.post("/v1/events", Some(&s.admin), &e.to_string());
        assert_eq!(r.status, 201, "{}", r.body);
    }
    let r = s.get(&format!("/v1/leads/{id}"), Some(&s.admin));
    assert_eq!(
        (r.json()["stage"].as_str(), r.json()["owner"].as_str()),
        (Some(stage), Some(owner)),
        "{}",
        r.body
    );
}

/// Calls `endpoint` as `token` on a lead of R1's prepared for it (named
/// with `n`); returns the reply.
fn call(s: &TestServer, e: Endpoint, token: &str, n: &str) -> common::Reply {
    let id = format!("L-{n}");
    let act = |what: &str, body: serde_json::Value| {
        s.post(
            &format!("/v1/leads/{id}/{what}"),
            Some(token),
            &body.to_string(),
        )
    };
    match e {
        Endpoint::PostEvents => s.post(
            "/v1/events",
            Some(token),
            &serde_json::json!({"type": "lead_created", "lead_id": id, "email": "x@fabrikam.example", "seniority": "vp",
                "country": "GB", "region": "EMEA", "source_channel": "referral", "created_at": ago(60)})
            .to_string(),
        ),
        Endpoint::ListLeads => s.get("/v1/leads?limit=5", Some(token)),
        Endpoint::GetLead => {
            lead(s, &id, "R1", "lead");
            s.get(&format!("/v1/leads/{id}"), Some(token))
        }
        Endpoint::Accept => {
            lead(s, &id, "R1", "mql");
            act("accept", serde_json::json!({"transition_id": format!("T-{n}"), "rep_id": "R1"}))
        }
        Endpoint::Qualify => {
            lead(s, &id, "R1", "sal");
            act("qualify", serde_json::json!({"transition_id": format!("T-{n}"), "rep_id": "R1"}))
        }
        Endpoint::Reject => {
            lead(s, &id, "R1", "mql");
            act("reject", serde_json::json!({"transition_id": format!("T-{n}"), "rep_id": "R1", "reason": "no_budget"}))
        }
        Endpoint::Reassign => {
            lead(s, &id, "R1", "lead");
            act("reassign", serde_json::json!({"assignment_id": format!("B-{n}"), "rep_id": "R2"}))
        }
        Endpoint::GetReport => s.get("/v1/reports/funnel", Some(token)),
        Endpoint::Sla => s.get("/v1/sla", Some(token)),
        Endpoint::GetAgreement => s.get("/v1/agreement", Some(token)),
        Endpoint::AgreementVersions => s.get("/v1/agreement/versions", Some(token)),
        Endpoint::AgreementVersion => s.get("/v1/agreement/versions/1", Some(token)),
        Endpoint::CheckAgreement => s.call("POST", "/v1/agreement/check", Some(token), &[], DEFAULT.as_bytes()),
        Endpoint::AdoptAgreement => s.call("POST", "/v1/agreement", Some(token), &[], DEFAULT.as_bytes()),
        Endpoint::CreateWebhook => s.post("/v1/webhooks", Some(token), &hook_body(n)),
        Endpoint::ListWebhooks => s.get("/v1/webhooks", Some(token)),
        Endpoint::DeleteWebhook => {
            let r = s.post("/v1/webhooks", Some(&s.admin), &hook_body(n));
            assert_eq!(r.status, 201, "{}", r.body);
            let id = r.json()["id"].as_i64().unwrap();
            s.call("DELETE", &format!("/v1/webhooks/{id}"), Some(token), &[], b"")
        }
        // No delivery 999999: a role let through reaches the lookup (404).
        Endpoint::ReplayDelivery => s.post("/v1/webhooks/deliveries/999999/replay", Some(token), ""),
        Endpoint::DeadLetters => s.get("/v1/webhooks/dead", Some(token)),
    }
}

/// The status an allowed call answers (worked out from what each does).
fn allowed_status(e: Endpoint) -> u16 {
    match e {
        Endpoint::PostEvents => 201,
        // The default agreement is in force already: adopting it again stores nothing.
        Endpoint::AdoptAgreement => 200,
        Endpoint::CreateWebhook => 201,
        Endpoint::DeleteWebhook => 204,
        Endpoint::ReplayDelivery => 404,
        _ => 200,
    }
}

#[test]
fn every_endpoint_for_every_role_answers_as_the_matrix_says() {
    let (s, tokens) = world();
    let mut n = 0;
    let mut checked = 0;
    for (e, method, path, _) in MATRIX {
        for role in Role::ALL {
            n += 1;
            let token = &tokens[&role];
            let before = s.head();
            let r = call(&s, *e, token, &format!("{n}"));
            let g = grant(*e, role);
            if g == Grant::No {
                assert_eq!(
                    r.status,
                    403,
                    "{method} {path} as {}: {}",
                    role.as_str(),
                    r.body
                );
                assert_eq!(r.header("content-type"), Some("application/problem+json"));
                if *method == "POST" && !matches!(e, Endpoint::CheckAgreement) {
                    // Only the case's own setup moved the log; the refused call added nothing.
                    let after_setup = s.head();
                    let again = call_refused_again(&s, *e, token, &format!("{n}"));
                    assert_eq!(again, 403);
                    assert_eq!(
                        s.head(),
                        after_setup,
                        "{method} {path} as {} changed the log",
                        role.as_str()
                    );
                    let _ = before;
                }
            } else {
                assert_eq!(
                    r.status,
                    allowed_status(*e),
                    "{method} {path} as {}: {}",
                    role.as_str(),
                    r.body
                );
            }
            // Without a token: 401, whatever the role matrix says.
            let r = match *method {
                "DELETE" => s.call("DELETE", &path.replace("{id}", "1"), None, &[], b""),
                "GET" => s.get(
                    &path
                        .replace("{id}", "L-1")
                        .replace("{name}", "funnel")
                        .replace("{version}", "1"),
                    None,
                ),
                _ => s.post(&path.replace("{id}", "L-1"), None, "{}"),
            };
            assert_eq!(r.status, 401, "{method} {path} without a token");
            assert_eq!(r.header("www-authenticate"), Some("Bearer"));
            checked += 1;
        }
    }
    assert_eq!(checked, MATRIX.len() * 5);
    assert_eq!(MATRIX.len(), 19, "every endpoint that takes a token");
    // Webhooks made: one by each of admin and marketing_ops (create), five
    // by the admin for the delete cases, of which admin and marketing_ops
    // deleted theirs: 5 left; the refused calls made and deleted none.
    let r = s.get("/v1/webhooks", Some(&s.admin));
    assert_eq!(r.json().as_array().map(Vec::len), Some(5), "{}", r.body);
}

/// A subscription to a port where nothing listens.
fn hook_body(n: &str) -> String {
    serde_json::json!({"url": format!("http://127.0.0.1:9/hook-{n}"), "events": ["lead.mql"]})
        .to_string()
}

/// The refused call made again on its (already prepared) lead.
fn call_refused_again(s: &TestServer, e: Endpoint, token: &str, n: &str) -> u16 {
    let id = format!("L-{n}");
    let path = match e {
        Endpoint::PostEvents => "/v1/events".to_owned(),
        Endpoint::Accept => format!("/v1/leads/{id}/accept"),
        Endpoint::Qualify => format!("/v1/leads/{id}/qualify"),
        Endpoint::Reject => format!("/v1/leads/{id}/reject"),
        Endpoint::Reassign => format!("/v1/leads/{id}/reassign"),
        Endpoint::AdoptAgreement => "/v1/agreement".to_owned(),
        Endpoint::CreateWebhook => {
            return s.post("/v1/webhooks", Some(token), &hook_body(n)).status
        }
        Endpoint::ReplayDelivery => "/v1/webhooks/deliveries/1/replay".to_owned(),
        _ => unreachable!("a POST"),
    };
    let body = serde_json::json!({"transition_id": format!("U-{n}"), "assignment_id": format!("U-{n}"), "rep_id": "R1", "reason": "no_budget"});
    s.post(&path, Some(token), &body.to_string()).status
}

#[test]
fn a_rep_or_a_manager_never_sees_or_moves_a_lead_outside_their_reach() {
    let (s, tokens) = world();
    lead(&s, "L-R3-mql", "R3", "mql");
    lead(&s, "L-R3-sal", "R3", "sal");
    lead(&s, "L-R1", "R1", "mql");
    lead(&s, "L-R2", "R2", "lead");
    let before = s.head();
    for role in [Role::Rep, Role::SalesManager] {
        let t = &tokens[&role];
        let who = role.as_str();
        assert_eq!(
            s.get("/v1/leads/L-R3-mql", Some(t)).status,
            404,
            "{who} reads R3's lead"
        );
        let body = |id: &str| {
            serde_json::json!({"transition_id": id, "rep_id": "R3", "reason": "no_budget"})
                .to_string()
        };
        for (path, b) in [
            ("/v1/leads/L-R3-mql/accept", body("X1")),
            ("/v1/leads/L-R3-sal/qualify", body("X2")),
            ("/v1/leads/L-R3-mql/reject", body("X3")),
        ] {
            let r = s.post(path, Some(t), &b);
            assert_eq!(r.status, 404, "{who} {path}: {}", r.body);
            assert_eq!(r.header("content-type"), Some("application/problem+json"));
        }
        let r = s.post(
            "/v1/leads/L-R3-mql/reassign",
            Some(t),
            r#"{"assignment_id":"X4","rep_id":"R1"}"#,
        );
        // A rep may not reassign at all (403); a manager does not see the lead (404).
        assert_eq!(
            r.status,
            if role == Role::Rep { 403 } else { 404 },
            "{who} reassigns R3's lead"
        );
        // Their lists hold only what they may see.
        let owners: Vec<String> = s.get("/v1/leads?limit=100", Some(t)).json()["leads"]
            .as_array()
            .unwrap()
            .iter()
            .map(|l| l["owner"].as_str().unwrap().to_owned())
            .collect();
        let allowed: &[&str] = if role == Role::Rep {
            &["R1"]
        } else {
            &["M1", "R1", "R2"]
        };
        assert!(
            !owners.is_empty() && owners.iter().all(|o| allowed.contains(&o.as_str())),
            "{who}: {owners:?}"
        );
    }
    // A rep acting as another rep, a manager acting for or giving a lead
    // to a rep outside the team: 403.
    let r = s.post(
        "/v1/leads/L-R1/accept",
        Some(&tokens[&Role::Rep]),
        r#"{"transition_id":"X5","rep_id":"R2"}"#,
    );
    assert_eq!(
        (r.status, r.json()["pointer"].as_str()),
        (403, Some("/rep_id")),
        "{}",
        r.body
    );
    let r = s.post(
        "/v1/leads/L-R2/reassign",
        Some(&tokens[&Role::SalesManager]),
        r#"{"assignment_id":"X6","rep_id":"R3"}"#,
    );
    assert_eq!(r.status, 403, "{}", r.body);
    let r = s.post(
        "/v1/leads/L-R1/accept",
        Some(&tokens[&Role::SalesManager]),
        r#"{"transition_id":"X7","rep_id":"R3"}"#,
    );
    assert_eq!(r.status, 403, "{}", r.body);
    assert_eq!(s.head(), before, "nothing refused was stored");
    for (id, stage, owner) in [
        ("L-R3-mql", "mql", "R3"),
        ("L-R3-sal", "sal", "R3"),
        ("L-R1", "mql", "R1"),
        ("L-R2", "lead", "R2"),
    ] {
        let l = s.get(&format!("/v1/leads/{id}"), Some(&s.admin)).json();
        assert_eq!(
            (l["stage"].as_str(), l["owner"].as_str()),
            (Some(stage), Some(owner)),
            "{id}"
        );
    }
    // Within reach, the same calls work: a manager reassigns in the team,
    // the rep accepts their own lead (rep_id defaults to theirs).
    let r = s.post(
        "/v1/leads/L-R2/reassign",
        Some(&tokens[&Role::SalesManager]),
        r#"{"assignment_id":"X8","rep_id":"R1"}"#,
    );
    assert_eq!(r.status, 200, "{}", r.body);
    let r = s.post(
        "/v1/leads/L-R1/accept",
        Some(&tokens[&Role::Rep]),
        r#"{"transition_id":"X9"}"#,
    );
    assert_eq!(r.status, 200, "{}", r.body);
    assert_eq!(r.json()["lead"]["stage"], "sal");
    assert_eq!(r.json()["result"]["outcome"], "stored");
    // The same action again: a no-op.
    let head = s.head();
    let r = s.post(
        "/v1/leads/L-R1/accept",
        Some(&tokens[&Role::Rep]),
        r#"{"transition_id":"X9"}"#,
    );
    assert_eq!(
        (r.status, r.json()["result"]["outcome"].as_str()),
        (200, Some("duplicate"))
    );
    assert_eq!(s.head(), head);
}

#[test]
fn a_revoked_token_stops_working_within_a_second_or_two() {
    let (s, tokens) = world();
    let t = &tokens[&Role::Analyst];
    assert_eq!(s.get("/v1/agreement", Some(t)).status, 200);
    let id = {
        use accord_store::TokenStore;
        let mut store = accord_store::SqliteStore::open_existing(&s.db).unwrap();
        let id = store
            .tokens()
            .unwrap()
            .iter()
            .find(|r| r.role == "analyst")
            .unwrap()
            .id;
        assert!(store.revoke_token(id, 1).unwrap());
        id
    };
    std::thread::sleep(std::time::Duration::from_millis(2_200));
    let r = s.get("/v1/agreement", Some(t));
    assert_eq!(r.status, 401, "token {id}: {}", r.body);
    assert_eq!(s.get("/v1/agreement", Some("acc_00")).status, 401);
}

#[test]
fn docs_api_md_holds_the_matrix_as_the_server_has_it() {
    let doc =
        std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/../../docs/api.md")).unwrap();
    assert!(
        doc.contains(&accord_serve::roles::markdown()),
        "docs/api.md's table differs from roles::MATRIX:\n{}",
        accord_serve::roles::markdown()
    );
}
