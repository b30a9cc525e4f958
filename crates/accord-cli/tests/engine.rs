//! The live engine through the real binary: events ingested, judged by the
//! adopted agreement, explained. Every expected score, stage and owner is
//! worked out by hand in the comments.

mod common;

use std::path::Path;

use common::{accord, ok, text};

/// 2026-01-05 is a Monday; 15:00 UTC is 10:00 in New York, within the
/// starter agreement's working hours for NA.
const LINES: &[&str] = &[
    r#"{"type":"rep_recorded","rep_id":"R1","name":"Rui","email":"rui@seller.example","team":"sdr","region":"NA","vertical":"software","capacity_per_day":5,"hired_at":"2024-01-01T00:00:00Z"}"#,
    r#"{"type":"rep_recorded","rep_id":"R2","name":"Sam","email":"sam@seller.example","team":"sdr","region":"NA","capacity_per_day":5,"hired_at":"2024-01-01T00:00:00Z"}"#,
    r#"{"type":"account_recorded","account_id":"A1","name":"Contoso","domain":"contoso.example","industry":"software","employees":800,"country":"US","region":"NA","tier":"enterprise","created_at":"2024-01-01T00:00:00Z"}"#,
    // A VP (+20) at an 800-person (+15) software (+10) company: fit 45.
    r#"{"type":"lead_created","lead_id":"L1","email":"ana@contoso.example","full_name":"Ana Lima","title":"VP Operations","seniority":"vp","industry_reported":"software","country":"US","region":"NA","source_channel":"organic_search","created_at":"2026-01-05T15:00:00Z"}"#,
    // 10 points: 55 < 60.
    r#"{"type":"touched","touch_id":"T1","lead_id":"L1","occurred_at":"2026-01-05T15:05:00Z","kind":"pricing_page_view","channel":"organic_search"}"#,
    // 30 points: 45 + 10·2^(-300/2592000) + 30 = 84.999 → engagement 40,
    // score 85 ≥ 60: an MQL, routed by territory_and_vertical to R1.
    r#"{"type":"touched","touch_id":"T2","lead_id":"L1","occurred_at":"2026-01-05T15:10:00Z","kind":"demo_request","channel":"direct"}"#,
    r#"{"type":"accept","transition_id":"S1","lead_id":"L1","rep_id":"R1","occurred_at":"2026-01-05T16:00:00Z"}"#,
    r#"{"type":"accept","transition_id":"S2","lead_id":"L9","rep_id":"R1","occurred_at":"2026-01-05T16:00:00Z"}"#,
    r#"{"type":"reject","transition_id":"S3","lead_id":"L1","rep_id":"R1","reason":"gone_quiet","occurred_at":"2026-01-05T16:30:00Z"}"#,
];

fn setup(dir: &Path) {
    ok(&accord(&["init"], dir));
    ok(&accord(&["agreement", "adopt", "accord.toml"], dir));
    std::fs::write(dir.join("events.jsonl"), LINES.join("\n") + "\n").unwrap();
}

#[test]
fn ingest_judges_each_event_and_refuses_bad_lines_by_number() {
    let dir = tempfile::tempdir().unwrap();
    setup(dir.path());
    let out = accord(&["ingest", "events.jsonl", "--decisions"], dir.path());
    let stderr = text(&out.stderr);
    assert_eq!(out.status.code(), Some(1), "{stderr}");
    assert!(
        stderr.contains("events.jsonl:8: refused: lead L9 is not known"),
        "{stderr}"
    );
    assert!(
        stderr.contains("events.jsonl:9: refused: `gone_quiet` is not a rejection reason"),
        "{stderr}"
    );
    assert!(
        stderr.contains("9 lines: 7 stored, 0 already stored, 2 refused; 3 decisions"),
        "{stderr}"
    );
    // The decisions, one JSON line each: the match, the owner, the MQL.
    let decisions: Vec<serde_json::Value> = text(&out.stdout)
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    let types: Vec<&str> = decisions
        .iter()
        .map(|d| d["type"].as_str().unwrap())
        .collect();
    assert_eq!(
        types,
        ["account_matched", "owner_assigned", "stage_changed"]
    );
    assert_eq!(decisions[0]["account_id"], "A1");
    assert_eq!(decisions[1]["rep_id"], "R1");
    assert_eq!(decisions[1]["rule"], "territory_and_vertical");
    assert_eq!(decisions[2]["to_stage"], "mql");
    assert_eq!(decisions[2]["origin"], serde_json::json!({"engine": 1}));

    let csv = ok(&accord(&["leads", "--format", "csv"], dir.path()));
    // At 16:00 (the latest event): 10·2^(-3300/2592000) + 30·2^(-3000/2592000)
    // = 9.991 + 29.976 = 39.97 → 40.
    assert_eq!(
        csv,
        // Accepted in time; not followed up yet: its follow-up clock runs
        // 24 hours from the MQL entry at 15:10.
        "lead_id,stage,owner,fit,engagement,score,next_due\nL1,sal,R1,45,40,85,2026-01-06T15:10:00Z\n"
    );

    let show = ok(&accord(&["lead", "show", "L1"], dir.path()));
    for expected in [
        "Stage: sal since 2026-01-05T16:00:00Z",
        "Owner: R1 Rui",
        "chosen by routing rule `territory_and_vertical` (agreement v1)",
        "Account: A1 Contoso",
        "matched on email domain `contoso.example`",
        "Score: 85 = fit 45 + engagement 40",
        "fit          +20  senior_title",
        "lead → mql  by the agreement v1: `lead.score >= mql_threshold",
        "mql → sal  by rep R1",
        "demo_request",
    ] {
        assert!(show.contains(expected), "missing `{expected}` in:\n{show}");
    }
}

#[test]
fn a_file_sent_twice_is_stored_once_and_replay_gives_one_hash() {
    let dir = tempfile::tempdir().unwrap();
    setup(dir.path());
    accord(&["ingest", "events.jsonl"], dir.path());
    let first = ok(&accord(&["replay"], dir.path()));
    let again = accord(&["ingest", "events.jsonl"], dir.path());
    assert!(
        text(&again.stderr).contains("9 lines: 0 stored, 7 already stored, 2 refused; 0 decisions"),
        "{}",
        text(&again.stderr)
    );
    assert_eq!(ok(&accord(&["replay"], dir.path())), first);

    // The same lines in two files (a prefix, then the rest) give the same state.
    let other = tempfile::tempdir().unwrap();
    setup(other.path());
    std::fs::write(other.path().join("a.jsonl"), LINES[..5].join("\n")).unwrap();
    std::fs::write(other.path().join("b.jsonl"), LINES[5..7].join("\n")).unwrap();
    ok(&accord(&["ingest", "a.jsonl"], other.path()));
    ok(&accord(&["ingest", "b.jsonl"], other.path()));
    assert_eq!(ok(&accord(&["replay"], other.path())), first);
}

#[test]
fn without_an_adopted_agreement_events_are_stored_and_actions_refused() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("events.jsonl"), LINES[..7].join("\n")).unwrap();
    let out = accord(&["ingest", "events.jsonl"], dir.path());
    let stderr = text(&out.stderr);
    assert!(stderr.contains("no agreement is adopted"), "{stderr}");
    assert!(
        stderr.contains("events.jsonl:7: refused: no agreement is in force"),
        "{stderr}"
    );
    assert!(stderr.contains("7 lines: 6 stored"), "{stderr}");
    let csv = ok(&accord(&["leads", "--format", "csv"], dir.path()));
    assert_eq!(
        csv,
        "lead_id,stage,owner,fit,engagement,score,next_due\nL1,lead,,0,0,0,\n"
    );
}

#[test]
fn an_unknown_lead_is_named() {
    let dir = tempfile::tempdir().unwrap();
    setup(dir.path());
    accord(&["ingest", "events.jsonl"], dir.path());
    let out = accord(&["lead", "show", "L404"], dir.path());
    assert!(!out.status.success());
    assert!(text(&out.stderr).contains("no lead L404"));
}

/// Lines are read on a thread of their own: a line that cannot be read
/// (not UTF-8) still ends the ingest with its number, after what came
/// before it was stored.
#[test]
fn an_unreadable_line_is_named_and_what_came_before_is_kept() {
    let dir = tempfile::tempdir().unwrap();
    setup(dir.path());
    let mut bytes = (LINES[..4].join("\n") + "\n").into_bytes();
    bytes.extend_from_slice(b"{\"type\":\"touched\",\xff}\n");
    bytes.extend_from_slice((LINES[4].to_owned() + "\n").as_bytes());
    std::fs::write(dir.path().join("bad.jsonl"), bytes).unwrap();
    let out = accord(&["ingest", "bad.jsonl"], dir.path());
    let stderr = text(&out.stderr);
    assert!(!out.status.success(), "{stderr}");
    assert!(
        stderr.contains("bad.jsonl:5: cannot read the line")
            && stderr.contains("none after it was read"),
        "{stderr}"
    );
    // The four lines before it (two reps, the account, the lead) are
    // stored with the engine's match; the touch after it is not.
    let exported = ok(&accord(&["export", "events"], dir.path()));
    let types: Vec<String> = exported
        .lines()
        .map(|l| serde_json::from_str::<serde_json::Value>(l).unwrap()["type"].to_string())
        .collect();
    assert_eq!(
        types,
        [
            "\"agreement_adopted\"",
            "\"rep_recorded\"",
            "\"rep_recorded\"",
            "\"account_recorded\"",
            "\"lead_created\"",
            "\"account_matched\"",
        ]
    );
}
