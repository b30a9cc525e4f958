//! The API over HTTP against a real database file: events and the engine's
//! decisions, retries and idempotency keys, problems, limits, reports, the
//! agreement, metrics, the OpenAPI document, and a restart.

mod common;

use accord_core::event::EventKind;
use common::TestServer;
use serde_json::json;

const DEFAULT: &str = accord_core::agreement::DEFAULT_AGREEMENT;

fn server(limits: accord_serve::Limits) -> TestServer {
    let s = TestServer::start(limits, |_| {});
    let r = s.call(
        "POST",
        "/v1/agreement",
        Some(&s.admin),
        &[],
        DEFAULT.as_bytes(),
    );
    assert_eq!(r.status, 201, "{}", r.body);
    let reps: Vec<String> = ["R1", "R2"]
        .iter()
        .map(|id| {
            json!({"type": "rep_recorded", "rep_id": id, "name": format!("Rep {id}"), "email": format!("{id}@acme.example"),
                "team": "sdr", "region": "EMEA", "vertical": null, "manager_id": null, "capacity_per_day": 20,
                "hired_at": "2024-01-15T09:00:00Z"})
            .to_string()
        })
        .collect();
    let r = s.post(
        "/v1/events",
        Some(&s.admin),
        &format!("[{}]", reps.join(",")),
    );
    assert_eq!(r.json()["stored"], 2, "{}", r.body);
    s
}

fn lead(id: &str, email: &str) -> serde_json::Value {
    json!({"type": "lead_created", "lead_id": id, "email": email, "seniority": "vp", "country": "GB",
        "region": "EMEA", "source_channel": "referral", "employees_reported": 800,
        "industry_reported": "software", "created_at": "2026-03-02T10:00:00Z"})
}

#[test]
fn a_lead_that_becomes_an_mql_is_answered_with_its_owner_and_due_clocks() {
    let s = server(Default::default());
    let r = s.post(
        "/v1/events",
        Some(&s.admin),
        &lead("L1", "ana@northwind.example").to_string(),
    );
    assert_eq!(r.status, 201, "{}", r.body);
    let v = r.json();
    // Fit: senior title 20 + company size 15 + target industry 10 = 45 < 60.
    assert_eq!(
        (
            v["outcome"].as_str(),
            v["lead"]["stage"].as_str(),
            v["lead"]["score"].as_i64()
        ),
        (Some("stored"), Some("lead"), Some(45))
    );
    let touch = json!({"type": "touched", "touch_id": "T1", "lead_id": "L1", "occurred_at": "2026-03-02T10:05:00Z",
        "kind": "demo_request", "channel": "direct"});
    let r = s.post("/v1/events", Some(&s.admin), &touch.to_string());
    assert_eq!(r.status, 201, "{}", r.body);
    let v = r.json();
    // 45 + a demo request's 30 = 75 >= 60: an MQL at the touch, routed to
    // the first EMEA generalist in round robin (R1), its clocks running
    // from 10:05: follow up within 24 h, decide within 48 h.
    let l = &v["lead"];
    assert_eq!(
        (
            l["stage"].as_str(),
            l["owner"].as_str(),
            l["score"].as_i64()
        ),
        (Some("mql"), Some("R1"), Some(75)),
        "{}",
        r.body
    );
    let clocks: Vec<(&str, &str)> = l["clocks"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| (c["clock"].as_str().unwrap(), c["due"].as_str().unwrap()))
        .collect();
    assert_eq!(
        clocks,
        [
            ("follow_up", "2026-03-03T10:05:00Z"),
            ("decide", "2026-03-04T10:05:00Z")
        ]
    );
    let kinds: Vec<&str> = v["decisions"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| d["type"].as_str().unwrap())
        .collect();
    assert!(
        kinds.contains(&"stage_changed") && kinds.contains(&"owner_assigned"),
        "{kinds:?}"
    );
    // The same event again: a duplicate, 200, nothing stored. (The
    // clocks ran out months ago by the server's clock: it may store their
    // breaches meanwhile, so the touches are counted, not the head.)
    let touches = s.stored(EventKind::Touched);
    assert_eq!(touches, 1);
    let r = s.post("/v1/events", Some(&s.admin), &touch.to_string());
    assert_eq!(
        (r.status, r.json()["outcome"].as_str()),
        (200, Some("duplicate"))
    );
    assert_eq!(s.stored(EventKind::Touched), touches);
}

#[test]
fn a_batch_answers_each_event_and_a_retry_counts_nothing_twice() {
    let s = server(Default::default());
    let mut missing = lead("L3", "x@y.example");
    missing.as_object_mut().unwrap().remove("email");
    let batch = json!([
        lead("L1", "ana@northwind.example"),
        lead("L1", "ana@northwind.example"),
        lead("L1", "other@northwind.example"),
        missing,
        {"type": "touched", "touch_id": "T9", "lead_id": "NOPE", "occurred_at": "2026-03-02T10:05:00Z", "kind": "page_view", "channel": "direct"},
        lead("L2", "bo@northwind.example"),
    ]);
    let r = s.post("/v1/events", Some(&s.admin), &batch.to_string());
    assert_eq!(r.status, 200, "{}", r.body);
    let v = r.json();
    assert_eq!(
        (
            v["stored"].as_u64(),
            v["duplicates"].as_u64(),
            v["refused"].as_u64()
        ),
        (Some(2), Some(1), Some(3))
    );
    let outcomes: Vec<&str> = v["results"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["outcome"].as_str().unwrap())
        .collect();
    assert_eq!(
        outcomes,
        [
            "stored",
            "duplicate",
            "conflict",
            "invalid",
            "refused",
            "stored"
        ]
    );
    assert_eq!(v["results"][3]["problem"]["pointer"], "/email");
    assert_eq!(v["results"][3]["problem"]["kind"], "missing");
    let head = s.head();
    let r = s.post("/v1/events", Some(&s.admin), &batch.to_string());
    let v = r.json();
    assert_eq!(
        (
            v["stored"].as_u64(),
            v["duplicates"].as_u64(),
            v["refused"].as_u64()
        ),
        (Some(0), Some(3), Some(3))
    );
    assert_eq!(s.head(), head, "a retried batch stores nothing");
}

#[test]
fn an_idempotency_key_replays_the_first_answer_and_refuses_another_body() {
    let s = server(Default::default());
    let body = json!([lead("L1", "ana@northwind.example")]).to_string();
    let key = [
        ("idempotency-key", "form-42"),
        ("content-type", "application/json"),
    ];
    let first = s.call("POST", "/v1/events", Some(&s.admin), &key, body.as_bytes());
    assert_eq!(first.json()["stored"], 1);
    let again = s.call("POST", "/v1/events", Some(&s.admin), &key, body.as_bytes());
    assert_eq!(
        (again.status, again.body.as_str()),
        (200, first.body.as_str()),
        "the kept answer, not a new one"
    );
    assert_eq!(again.header("idempotent-replayed"), Some("true"));
    let other = json!([lead("L2", "bo@northwind.example")]).to_string();
    let r = s.call("POST", "/v1/events", Some(&s.admin), &key, other.as_bytes());
    assert_eq!(
        (r.status, r.json()["type"].as_str()),
        (422, Some("urn:accord:problem:idempotency_key_reused"))
    );
}

#[test]
fn errors_are_problems_with_the_place_at_fault() {
    let s = server(accord_serve::Limits {
        body_bytes: 20_000,
        batch_events: 3,
        ..Default::default()
    });
    let problem = |r: &common::Reply| {
        assert_eq!(
            r.header("content-type"),
            Some("application/problem+json"),
            "{}",
            r.body
        );
        r.json()
    };
    let mut bad = lead("L1", "ana@northwind.example");
    bad["created_at"] = json!("2026-03-02 10:00");
    let r = s.post("/v1/events", Some(&s.admin), &bad.to_string());
    let p = problem(&r);
    assert_eq!(
        (r.status, p["pointer"].as_str(), p["type"].as_str()),
        (
            422,
            Some("/created_at"),
            Some("urn:accord:problem:bad_value")
        )
    );
    let r = s.post("/v1/events", Some(&s.admin), "{\"type\": ");
    assert_eq!(
        (r.status, problem(&r)["type"].as_str()),
        (400, Some("urn:accord:problem:syntax"))
    );
    let four = json!([
        lead("A1", "a@b.example"),
        lead("A2", "a@b.example"),
        lead("A3", "a@b.example"),
        lead("A4", "a@b.example")
    ]);
    let r = s.post("/v1/events", Some(&s.admin), &four.to_string());
    assert_eq!(
        (r.status, problem(&r)["pointer"].as_str()),
        (413, Some("/3"))
    );
    let big = format!(
        "[{}]",
        vec![lead("B1", "a@b.example").to_string(); 100].join(",")
    );
    let r = s.post("/v1/events", Some(&s.admin), &big);
    assert_eq!(
        (r.status, problem(&r)["type"].as_str()),
        (413, Some("urn:accord:problem:too_large"))
    );
    let r = s.get("/v1/events", Some(&s.admin));
    assert_eq!((r.status, r.header("allow")), (405, Some("POST")));
    problem(&r);
    let r = s.get("/v2/nothing", Some(&s.admin));
    assert_eq!(r.status, 404);
    problem(&r);
    let r = s.get("/v1/leads?min_score=101", Some(&s.admin));
    assert_eq!(
        (r.status, problem(&r)["parameter"].as_str()),
        (400, Some("min_score"))
    );
    let r = s.get("/v1/leads?colour=red", Some(&s.admin));
    assert_eq!(
        (r.status, problem(&r)["parameter"].as_str()),
        (400, Some("colour"))
    );
    let r = s.get("/v1/leads/NOPE", Some(&s.admin));
    assert_eq!(r.status, 404);
    problem(&r);
    let r = s.post("/v1/leads/NOPE/accept", Some(&s.admin), "[1]");
    assert_eq!(r.status, 400);
    let r = s.get("/v1/reports/nonsense", Some(&s.admin));
    assert_eq!(r.status, 404);
    let r = s.get("/v1/reports/funnel?from=2026-13-01", Some(&s.admin));
    assert_eq!(
        (r.status, problem(&r)["parameter"].as_str()),
        (400, Some("from"))
    );
}

#[test]
fn a_token_past_its_rate_is_told_when_to_come_back() {
    let s = server(accord_serve::Limits {
        rate_per_sec: 0.5,
        burst: 3.0,
        ..Default::default()
    });
    // The setup's two requests took two of the three; one is left.
    assert_eq!(s.get("/v1/agreement", Some(&s.admin)).status, 200);
    let r = s.get("/v1/agreement", Some(&s.admin));
    assert_eq!(r.status, 429, "{}", r.body);
    assert_eq!(r.header("content-type"), Some("application/problem+json"));
    // One request comes back every 2 s.
    assert_eq!(r.header("retry-after"), Some("2"));
}

#[test]
fn leads_are_listed_by_filter_a_page_at_a_time() {
    let s = server(Default::default());
    let leads: Vec<serde_json::Value> = (1..=7)
        .map(|i| {
            let mut l = lead(&format!("L{i}"), &format!("p{i}@northwind.example"));
            if i % 2 == 0 {
                l["seniority"] = json!("manager");
            }
            l["created_at"] = json!(format!("2026-03-0{i}T10:00:00Z"));
            l
        })
        .collect();
    assert_eq!(
        s.post("/v1/events", Some(&s.admin), &json!(leads).to_string())
            .json()["stored"],
        7
    );
    let ids = |q: &str| -> (Vec<String>, Option<String>) {
        let v = s.get(&format!("/v1/leads?{q}"), Some(&s.admin)).json();
        let ids = v["leads"]
            .as_array()
            .unwrap()
            .iter()
            .map(|l| l["id"].as_str().unwrap().to_owned())
            .collect();
        (ids, v["next_cursor"].as_str().map(str::to_owned))
    };
    // No model adopted: every row's prediction and the lead's are null.
    let page = s.get("/v1/leads?limit=2", Some(&s.admin)).json();
    for l in page["leads"].as_array().unwrap() {
        assert_eq!(l["prediction"], serde_json::Value::Null, "{l}");
        assert!(
            l["id"].is_string(),
            "the summary's fields stay at the top: {l}"
        );
    }
    let one = s.get("/v1/leads/L1", Some(&s.admin)).json();
    assert_eq!(one["prediction"], serde_json::Value::Null);
    assert_eq!(one["id"], "L1");
    // vp: 45 points; manager: 25 (no senior title).
    assert_eq!(ids("min_score=40").0, ["L1", "L3", "L5", "L7"]);
    assert_eq!(ids("max_score=30").0, ["L2", "L4", "L6"]);
    assert_eq!(
        ids("created_from=2026-03-03T00:00:00Z&created_to=2026-03-05T10:00:00Z").0,
        ["L3", "L4"]
    );
    let (first, next) = ids("limit=3");
    assert_eq!(
        (first, next.as_deref()),
        (vec!["L1".to_owned(), "L2".into(), "L3".into()], Some("p3"))
    );
    let (second, next) = ids("limit=3&cursor=p3");
    assert_eq!(
        (second, next.as_deref()),
        (vec!["L4".to_owned(), "L5".into(), "L6".into()], Some("p6"))
    );
    let (third, next) = ids("limit=3&cursor=p6");
    assert_eq!((third, next), (vec!["L7".to_owned()], None));
    let one = s.get("/v1/leads/L2", Some(&s.admin)).json();
    assert_eq!(
        (
            one["id"].as_str(),
            one["score"].as_i64(),
            one["stage"].as_str()
        ),
        (Some("L2"), Some(25), Some("lead"))
    );
}

#[test]
fn reports_come_as_json_or_csv_with_the_cli_parameters() {
    let s = server(Default::default());
    s.post(
        "/v1/events",
        Some(&s.admin),
        &json!([
            lead("L1", "ana@northwind.example"),
            lead("L2", "bo@northwind.example")
        ])
        .to_string(),
    );
    let v = s.get("/v1/reports/funnel", Some(&s.admin)).json();
    assert_eq!(v["reports"][0]["report"], "funnel");
    let all = &v["reports"][0]["rows"][0];
    assert_eq!(
        (all["cohort_month"].as_str(), all["leads"].as_i64()),
        (Some("(all)"), Some(2)),
        "{v}"
    );
    // One number taken apart: two leads in the cell, one listed.
    let v = s
        .get(
            "/v1/reports/funnel?explain=2026-03,referral,leads&limit=1",
            Some(&s.admin),
        )
        .json();
    assert_eq!(
        (
            v["explanation"]["leads"].as_u64(),
            v["reports"][0]["rows"].as_array().map(Vec::len)
        ),
        (Some(2), Some(1)),
        "{v}"
    );
    assert!(
        s.get("/v1/reports/funnel", Some(&s.admin)).json()["explanation"].is_null(),
        "only an explanation says what it is of"
    );
    let r = s.call(
        "GET",
        "/v1/reports/funnel?from=2026-03-01&to=2026-03-31",
        Some(&s.admin),
        &[("accept", "text/csv")],
        b"",
    );
    assert_eq!(r.header("content-type"), Some("text/csv; charset=utf-8"));
    assert!(
        r.body.starts_with("cohort_month,source_channel,leads,"),
        "{}",
        r.body
    );
    let r = s.get(
        "/v1/reports/funnel?from=2026-03-01&to=2026-03-31&compare=previous",
        Some(&s.admin),
    );
    assert_eq!(
        r.json()["compared_with"]
            .as_str()
            .map(|c| c.contains("2026-01-29")),
        Some(true),
        "{}",
        r.body
    );
    let r = s.get("/v1/reports/all?format=csv", Some(&s.admin));
    assert_eq!(r.status, 422);
}

#[test]
fn the_funnel_is_filtered_by_channel_region_and_persona() {
    let s = server(Default::default());
    let mut l3 = lead("L3", "cy@contoso.example");
    l3["region"] = json!("NA");
    l3["persona"] = json!("finance");
    let mut l4 = lead("L4", "di@contoso.example");
    l4["persona"] = json!("finance");
    l4["source_channel"] = json!("webinar");
    let r = s.post(
        "/v1/events",
        Some(&s.admin),
        &json!([
            lead("L1", "ana@northwind.example"),
            lead("L2", "bo@northwind.example"),
            l3,
            l4
        ])
        .to_string(),
    );
    assert_eq!(r.status, 200, "{}", r.body);
    // (all),(all)'s leads: L1, L2, L4 are EMEA; L3, L4 finance; L1, L2, L3 referral.
    let leads = |q: &str| {
        let v = s
            .get(&format!("/v1/reports/funnel?{q}"), Some(&s.admin))
            .json();
        assert_eq!(v["reports"][0]["rows"][0]["cohort_month"], "(all)", "{v}");
        assert_eq!(v["reports"][0]["rows"][0]["source_channel"], "(all)", "{v}");
        v["reports"][0]["rows"][0]["leads"].as_i64()
    };
    assert_eq!(leads("region=EMEA"), Some(3));
    assert_eq!(leads("persona=finance"), Some(2));
    assert_eq!(leads("persona=(none)"), Some(2));
    assert_eq!(leads("region=EMEA&persona=finance"), Some(1));
    assert_eq!(leads("channel=referral&persona=finance"), Some(1));
    assert_eq!(leads("channel=referral&region=(all)"), Some(3));
    assert_eq!(leads("region=LATAM&from=2026-03-01&to=2026-03-31"), Some(0));
    // A filtered cell lists the filter's leads only.
    let v = s
        .get(
            "/v1/reports/funnel?explain=(all),(all),leads&region=EMEA&persona=finance",
            Some(&s.admin),
        )
        .json();
    assert_eq!(v["explanation"]["leads"].as_u64(), Some(1), "{v}");
    assert_eq!(v["reports"][0]["rows"][0]["lead_id"], "L4", "{v}");
    // A word that names nothing is told by its parameter.
    let r = s.get("/v1/reports/funnel?region=Mars", Some(&s.admin));
    assert_eq!(
        (r.status, r.json()["parameter"].as_str()),
        (400, Some("region"))
    );
    assert!(r.body.contains("`Mars`"), "{}", r.body);
    let r = s.get("/v1/reports/funnel?persona=boss", Some(&s.admin));
    assert_eq!(
        (r.status, r.json()["parameter"].as_str()),
        (400, Some("persona"))
    );
    // Only the funnel is filtered.
    assert_eq!(
        s.get("/v1/reports/kpi?region=NA", Some(&s.admin)).status,
        422
    );
}

#[test]
fn attribution_lists_the_won_opportunities_crediting_a_key() {
    let s = server(Default::default());
    let v = s
        .get(
            "/v1/reports/attribution_channel?won_by=webinar&limit=5",
            Some(&s.admin),
        )
        .json();
    assert_eq!(v["explanation"]["opportunities"].as_u64(), Some(0), "{v}");
    assert_eq!(v["reports"][0]["report"], "attribution won by", "{v}");
    let status = |q: &str| s.get(&format!("/v1/reports/{q}"), Some(&s.admin)).status;
    assert_eq!(status("attribution_channel?won_by=tv"), 422);
    assert_eq!(status("attribution_campaign?won_by=C404"), 422);
    assert_eq!(status("funnel?won_by=webinar"), 422);
    assert_eq!(status("attribution_channel?won_by=email&explain=O1"), 422);
}

#[test]
fn the_agreement_is_checked_with_lines_and_columns_and_adopted_as_an_event() {
    let s = server(Default::default());
    let v = s.get("/v1/agreement/versions", Some(&s.admin)).json();
    assert_eq!(
        (v.as_array().unwrap().len(), v[0]["version"].as_u64()),
        (1, Some(1))
    );
    let line = DEFAULT
        .lines()
        .position(|l| l.starts_with("follow_up_hours"))
        .unwrap()
        + 1;
    let broken = DEFAULT.replacen("follow_up_hours = 24", "follow_up_hours = \"x\"", 1);
    let r = s.call(
        "POST",
        "/v1/agreement/check",
        Some(&s.admin),
        &[],
        broken.as_bytes(),
    );
    let v = r.json();
    assert_eq!((r.status, v["valid"].as_bool()), (200, Some(false)));
    assert_eq!(
        (
            v["errors"][0]["line"].as_u64(),
            v["errors"][0]["column"].as_u64()
        ),
        (Some(line as u64), Some(19)),
        "{v}"
    );
    let r = s.call(
        "POST",
        "/v1/agreement",
        Some(&s.admin),
        &[],
        broken.as_bytes(),
    );
    assert_eq!(
        (r.status, r.json()["errors"][0]["line"].as_u64()),
        (422, Some(line as u64))
    );
    let next = DEFAULT.replacen("mql_threshold = 60", "mql_threshold = 40", 1);
    let head = s.head();
    let r = s.call(
        "POST",
        "/v1/agreement",
        Some(&s.admin),
        &[],
        next.as_bytes(),
    );
    assert_eq!((r.status, r.json()["version"].as_u64()), (201, Some(2)));
    assert_eq!(s.head(), head + 1, "one adoption event");
    assert_eq!(s.get("/v1/agreement", Some(&s.admin)).json()["version"], 2);
    // Each version's text, as adopted: the diff the dashboard shows.
    let v1 = s.get("/v1/agreement/versions/1", Some(&s.admin)).json();
    let v2 = s.get("/v1/agreement/versions/2", Some(&s.admin)).json();
    assert_eq!(
        (v1["version"].as_u64(), v1["text"].as_str()),
        (Some(1), Some(DEFAULT))
    );
    assert_eq!(
        (v2["version"].as_u64(), v2["text"].as_str()),
        (Some(2), Some(next.as_str()))
    );
    assert_eq!(
        v2["by"].as_str(),
        s.get("/v1/agreement/versions", Some(&s.admin)).json()[1]["by"].as_str()
    );
    let r = s.get("/v1/agreement/versions/3", Some(&s.admin));
    assert_eq!(
        (r.status, r.json()["detail"].as_str()),
        (404, Some("no agreement version 3"))
    );
    let r = s.get("/v1/agreement/versions/0", Some(&s.admin));
    assert_eq!(
        (r.status, r.json()["parameter"].as_str()),
        (400, Some("version"))
    );
    // Under v2, a lead of 45 points is an MQL at once.
    let r = s.post(
        "/v1/events",
        Some(&s.admin),
        &lead("L1", "ana@northwind.example").to_string(),
    );
    assert_eq!(r.json()["lead"]["stage"], "mql", "{}", r.body);
}

#[test]
fn metrics_openapi_and_the_page_are_served() {
    let s = server(Default::default());
    s.post(
        "/v1/events",
        Some(&s.admin),
        &lead("L1", "ana@northwind.example").to_string(),
    );
    s.get("/v1/leads/L1", Some(&s.admin));
    let m = s.get("/metrics", None);
    assert_eq!(m.status, 200);
    assert!(
        m.body.contains(
            "accord_http_requests_total{method=\"POST\",route=\"/v1/events\",status=\"201\"} 1"
        ),
        "{}",
        m.body
    );
    assert!(
        m.body.contains(
            "accord_http_request_duration_seconds_count{method=\"GET\",route=\"/v1/leads/{id}\"} 1"
        ),
        "{}",
        m.body
    );
    // Two reps, then one lead (no decision: 45 < 60).
    assert!(
        m.body.contains("\naccord_events_appended_total 3\n"),
        "{}",
        m.body
    );
    let doc = s.get("/openapi.json", None).json();
    assert_eq!(doc["openapi"], "3.1.0");
    for (_, method, path, _) in accord_serve::roles::MATRIX {
        assert!(
            doc["paths"][path][method.to_lowercase()].is_object(),
            "{method} {path} is not in the document"
        );
    }
    for (method, path) in accord_serve::roles::PUBLIC
        .iter()
        .filter(|(_, p)| !matches!(*p, "/openapi.json" | "/docs"))
    {
        assert!(
            doc["paths"][path][method.to_lowercase()].is_object(),
            "{method} {path}"
        );
    }
    let page = s.get("/docs", None);
    assert_eq!(page.status, 200);
    assert!(
        page.body.contains("/openapi.json")
            && !page.body.contains("https://")
            && !page.body.contains("http://"),
        "no CDN"
    );
}

#[test]
fn what_was_acknowledged_is_there_after_a_restart_and_no_second_first_token() {
    let s = server(Default::default());
    let admin = s.admin.clone();
    assert_eq!(
        s.post(
            "/v1/events",
            Some(&admin),
            &lead("L1", "ana@northwind.example").to_string()
        )
        .status,
        201
    );
    let (dir, db) = s.stop();
    let s = TestServer::on(dir, db, admin.clone(), Default::default());
    assert_eq!(s.admin, admin, "a token existed: none was made");
    let r = s.get("/v1/leads/L1", Some(&admin));
    assert_eq!((r.status, r.json()["score"].as_i64()), (200, Some(45)));
}

#[test]
fn concurrent_posts_are_all_stored_once() {
    let s = server(Default::default());
    let addr = s.addr;
    let admin = s.admin.clone();
    let threads: Vec<_> = (0..8)
        .map(|t| {
            let admin = admin.clone();
            std::thread::spawn(move || {
                for i in 0..25 {
                    let l = lead(&format!("C{t}-{i}"), &format!("c{t}x{i}@northwind.example"));
                    let r = common::request(
                        addr,
                        "POST",
                        "/v1/events",
                        Some(&admin),
                        &[],
                        l.to_string().as_bytes(),
                    );
                    assert_eq!(r.status, 201, "{}", r.body);
                }
            })
        })
        .collect();
    for t in threads {
        t.join().unwrap();
    }
    let v = s.get("/v1/leads?limit=1000", Some(&admin)).json();
    assert_eq!(v["leads"].as_array().unwrap().len(), 200);
}

#[test]
fn the_document_names_every_report_the_engine_has() {
    let doc: serde_json::Value = serde_json::from_str(&accord_serve::openapi_json()).unwrap();
    let param = &doc["paths"]["/v1/reports/{name}"]["get"]["parameters"][0];
    assert_eq!(param["name"], "name");
    let schema = match param["schema"]["$ref"].as_str() {
        Some(r) => &doc["components"]["schemas"][r.rsplit('/').next().unwrap()],
        None => &param["schema"],
    };
    let names: Vec<&str> = schema["enum"]
        .as_array()
        .unwrap_or_else(|| panic!("{param}"))
        .iter()
        .map(|v| v.as_str().unwrap())
        .collect();
    let mut expected: Vec<&str> = accord_report::REPORTS.to_vec();
    expected.push("all");
    assert_eq!(names, expected);
}
