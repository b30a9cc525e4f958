//! `GET /v1/sla`: the SLA board over HTTP against a real server, its
//! clocks by the server's clock, and what each role sees of it.

mod common;

use common::{ago, TestServer};
use serde_json::json;

const DEFAULT: &str = accord_core::agreement::DEFAULT_AGREEMENT;

/// Reps R1 and R2 (EMEA generalists, round robin) and tokens for each as a rep.
fn world() -> (TestServer, String, String) {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("t");
    let s = TestServer::start(Default::default(), |store| {
        let a = accord_serve::auth::create(store, "rep", Some("R1"), None, 0).unwrap();
        let b = accord_serve::auth::create(store, "rep", Some("R2"), None, 0).unwrap();
        std::fs::write(&file, format!("{}\n{}", a.token, b.token)).unwrap();
    });
    let text = std::fs::read_to_string(&file).unwrap();
    let (r1, r2) = text.split_once('\n').unwrap();
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
    (s, r1.to_owned(), r2.to_owned())
}

/// A lead that becomes an MQL `secs_ago` seconds ago (fit 45 + a demo
/// request's 30 >= 60), given to `rep` (routing may find every rep outside
/// their hours at the test's time); its owner.
fn mql(s: &TestServer, id: &str, secs_ago: i64, rep: &str) -> String {
    let at = ago(secs_ago);
    let lead = json!({"type": "lead_created", "lead_id": id, "email": format!("{id}@northwind.example"), "seniority": "vp",
        "country": "GB", "region": "EMEA", "source_channel": "referral", "employees_reported": 800,
        "industry_reported": "software", "created_at": at});
    let touch = json!({"type": "touched", "touch_id": format!("T{id}"), "lead_id": id, "occurred_at": at,
        "kind": "demo_request", "channel": "direct"});
    assert_eq!(
        s.post("/v1/events", Some(&s.admin), &lead.to_string())
            .status,
        201
    );
    let r = s.post("/v1/events", Some(&s.admin), &touch.to_string());
    assert_eq!(r.json()["lead"]["stage"], "mql", "{}", r.body);
    let r = s.post(
        &format!("/v1/leads/{id}/reassign"),
        Some(&s.admin),
        &json!({"assignment_id": format!("B{id}"), "rep_id": rep}).to_string(),
    );
    assert_eq!(r.status, 200, "{}", r.body);
    r.json()["lead"]["owner"]
        .as_str()
        .unwrap_or_else(|| panic!("{}", r.body))
        .to_owned()
}

#[test]
fn open_clocks_count_down_and_run_out_into_breaches_by_the_servers_clock() {
    let (s, r1, r2) = world();
    // L1 to R1, L2 to R2. L1 entered 30 h ago: its follow-up
    // (24 h) ran out 6 h ago, its decision (48 h) is due in 18 h. L2
    // entered 1 h ago: 23 h and 47 h left.
    assert_eq!(mql(&s, "L1", 30 * 3600, "R1"), "R1");
    assert_eq!(mql(&s, "L2", 3600, "R2"), "R2");
    let b = s.get("/v1/sla", Some(&s.admin)).json();
    assert_eq!(
        (b["open"].as_u64(), b["breached"].as_u64()),
        (Some(3), Some(1)),
        "{b}"
    );
    let open: Vec<(String, String, i64)> = b["clocks"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| {
            (
                c["lead"].as_str().unwrap().to_owned(),
                c["clock"].as_str().unwrap().to_owned(),
                c["seconds_left"].as_i64().unwrap(),
            )
        })
        .collect();
    // The nearest deadline first: L1's decision (18 h), L2's follow-up (23 h), L2's decision (47 h).
    let names: Vec<(&str, &str)> = open
        .iter()
        .map(|(l, c, _)| (l.as_str(), c.as_str()))
        .collect();
    assert_eq!(
        names,
        [("L1", "decide"), ("L2", "follow_up"), ("L2", "decide")]
    );
    for ((_, _, left), hours) in open.iter().zip([18, 23, 47]) {
        let want = hours * 3600;
        assert!(
            (want - 5..=want).contains(left),
            "{left} s left, want about {want}"
        );
    }
    let b = s.get("/v1/sla?state=breached", Some(&s.admin)).json();
    let c = &b["clocks"][0];
    assert_eq!(
        (c["lead"].as_str(), c["clock"].as_str(), c["state"].as_str()),
        (Some("L1"), Some("follow_up"), Some("breached"))
    );
    // The engine fired it (the server steps the clocks by its own clock).
    assert!(
        c["breach"].as_str().is_some_and(|id| id.starts_with('~')),
        "{c}"
    );
    // The follow-up breach escalated at once to the rep's manager
    // (`follow_up_late_manager`, after 0 h); the director's step is 24 h
    // after the breach, 18 h from now: one escalation about a lead, L1.
    // (Marketing's months may add escalations about no lead: a month that
    // ended since the MQLs, by the wall clock, is judged against its target.)
    let about_leads: Vec<(&str, &str)> = b["escalations"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|e| Some((e["lead"].as_str()?, e["step"].as_str()?)))
        .collect();
    assert_eq!(about_leads, [("L1", "follow_up_late_manager")], "{b}");
    // A rep sees their own leads' clocks only; the counts are theirs too.
    let b = s.get("/v1/sla", Some(&r2)).json();
    assert_eq!(
        (b["open"].as_u64(), b["breached"].as_u64()),
        (Some(2), Some(0)),
        "{b}"
    );
    assert!(b["clocks"]
        .as_array()
        .unwrap()
        .iter()
        .all(|c| c["lead"] == "L2"));
    // Nor escalations of others' leads, nor those about no lead.
    assert_eq!(b["escalations_total"].as_u64(), Some(0), "{b}");
    let b = s.get("/v1/sla?state=breached", Some(&r1)).json();
    assert_eq!(b["clocks"].as_array().unwrap().len(), 1);
    assert_eq!(b["escalations_total"].as_u64(), Some(1), "{b}");
    // owner= narrows; limit cuts the list, not the counts.
    let b = s.get("/v1/sla?owner=R2&limit=1", Some(&s.admin)).json();
    assert_eq!(
        (b["open"].as_u64(), b["clocks"].as_array().unwrap().len()),
        (Some(2), 1)
    );
    assert_eq!(b["clocks"][0]["clock"], "follow_up");
}

#[test]
fn bad_parameters_are_named() {
    let (s, _, _) = world();
    for (q, param) in [
        ("state=late", "state"),
        ("limit=0", "limit"),
        ("limit=x", "limit"),
        ("when=now", "when"),
    ] {
        let r = s.get(&format!("/v1/sla?{q}"), Some(&s.admin));
        assert_eq!(r.status, 400, "{q}: {}", r.body);
        assert_eq!(r.json()["parameter"], param, "{q}");
    }
}
