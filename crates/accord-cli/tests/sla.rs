//! Both sides' SLA clocks through the real binary, on hand-made cases whose
//! breach and escalation times are worked out by hand in the comments, and
//! on the kit's history against the two SLA reports.

mod common;

use std::path::Path;

use common::{accord, ok, text};
use serde_json::Value;

const REPS: &[&str] = &[
    r#"{"type":"rep_recorded","rep_id":"M1","name":"Mia","email":"mia@seller.example","team":"manager","region":"NA","capacity_per_day":0,"hired_at":"2024-01-01T00:00:00Z"}"#,
    r#"{"type":"rep_recorded","rep_id":"M2","name":"Max","email":"max@seller.example","team":"manager","region":"NA","capacity_per_day":0,"hired_at":"2024-01-01T00:00:00Z"}"#,
    r#"{"type":"rep_recorded","rep_id":"R1","name":"Rui","email":"rui@seller.example","team":"sdr","region":"NA","manager_id":"M1","capacity_per_day":5,"hired_at":"2024-01-01T00:00:00Z"}"#,
    r#"{"type":"rep_recorded","rep_id":"R2","name":"Sam","email":"sam@seller.example","team":"sdr","region":"NA","manager_id":"M2","capacity_per_day":5,"hired_at":"2024-01-01T00:00:00Z"}"#,
    r#"{"type":"rep_recorded","rep_id":"R3","name":"Tan","email":"tan@seller.example","team":"sdr","region":"APAC","manager_id":"M2","capacity_per_day":5,"hired_at":"2024-01-01T00:00:00Z"}"#,
];

fn lead(id: &str, at: &str) -> String {
    format!(
        r#"{{"type":"lead_created","lead_id":"{id}","email":"{id}@mail.example","seniority":"individual","country":"US","region":"NA","source_channel":"organic_search","created_at":"{at}"}}"#
    )
}

fn mql(id: &str, lead: &str, rep: &str, at: &str) -> String {
    format!(
        r#"{{"type":"stage_changed","transition_id":"{id}","lead_id":"{lead}","from_stage":"lead","to_stage":"mql","rep_id":"{rep}","occurred_at":"{at}"}}"#
    )
}

fn call(id: &str, lead: &str, rep: &str, at: &str) -> String {
    format!(
        r#"{{"type":"touched","touch_id":"{id}","lead_id":"{lead}","kind":"sales_call","rep_id":"{rep}","occurred_at":"{at}"}}"#
    )
}

fn setup(dir: &Path, agreement_edit: impl Fn(String) -> String) {
    ok(&accord(&["init"], dir));
    let starter = std::fs::read_to_string(dir.join("accord.toml")).unwrap();
    std::fs::write(dir.join("accord.toml"), agreement_edit(starter)).unwrap();
    ok(&accord(&["agreement", "adopt", "accord.toml"], dir));
}

/// The decisions `accord ingest --decisions` printed, SLA kinds only, as
/// `type id what at` lines.
fn sla_decisions(stdout: &str) -> Vec<String> {
    stdout
        .lines()
        .map(|l| serde_json::from_str::<Value>(l).unwrap())
        .filter_map(|d| {
            let s = |k: &str| d[k].as_str().unwrap_or("-").to_string();
            Some(match d["type"].as_str()? {
                "clock_breached" => format!(
                    "breach {} {} {} {} {}",
                    s("breach_id"),
                    s("lead_id"),
                    s("clock"),
                    s("rep_id"),
                    s("due")
                ),
                "escalated" => format!(
                    "escalated {} {} cause {} {}{} {} {} {}",
                    s("escalation_id"),
                    s("step"),
                    s("cause"),
                    s("lead_id"),
                    d["region"]
                        .as_str()
                        .map(|r| format!(" {r} {}", s("month")))
                        .unwrap_or_default(),
                    s("notify"),
                    s("person"),
                    s("at")
                ),
                "mql_target_missed" => format!(
                    "target_missed {} {} {} {} of {} {}",
                    s("miss_id"),
                    s("region"),
                    s("month"),
                    d["mqls"],
                    d["mql_target"],
                    s("judged_at")
                ),
                "acceptance_missed" => format!(
                    "acceptance_missed {} {} {} {} of {} {}",
                    s("miss_id"),
                    s("region"),
                    s("month"),
                    d["accepted"],
                    d["decided"],
                    s("judged_at")
                ),
                _ => return None,
            })
        })
        .collect()
}

/// The starter agreement: follow up within 24 h, decide within 48 h, around
/// the clock; escalations: follow-up late → rep's manager at once and the
/// sales director 24 h later; decision late → rep's manager; a missed MQL
/// target → the marketing director; a rejection for bad data or a
/// duplicate → marketing ops. NA's default target is 120 MQLs a month, the
/// acceptance promise 0.5.
///
/// Five leads become MQLs on Monday 2026-01-05 at 10:00 UTC: follow-up due
/// Tuesday 10:00, decision due Wednesday 10:00.
/// - L1 (R1): called 12:00, accepted Tuesday 09:00: both met.
/// - L2 (R1): called Tuesday 11:00, an hour late; never decided.
/// - L3 (R2): never called, never decided.
/// - L4 (R1): reassigned to R2 at 20:00 (the clocks move, not reset);
///   never called; rejected (no budget) Tuesday 09:30, in time.
/// - L5 (R2): called 10:30, rejected as a duplicate 11:00.
#[test]
fn clocks_breach_and_escalate_at_the_times_worked_out_by_hand() {
    let dir = tempfile::tempdir().unwrap();
    setup(dir.path(), |a| a);
    let mut lines: Vec<String> = REPS.iter().map(|s| s.to_string()).collect();
    for l in ["L1", "L2", "L3", "L4", "L5"] {
        lines.push(lead(l, "2026-01-05T09:00:00Z"));
    }
    let t = "2026-01-05T10:00:00Z";
    lines.extend([
        mql("S1", "L1", "R1", t),
        mql("S2", "L2", "R1", t),
        mql("S3", "L3", "R2", t),
        mql("S4", "L4", "R1", t),
        mql("S5", "L5", "R2", t),
        call("T5", "L5", "R2", "2026-01-05T10:30:00Z"),
        r#"{"type":"reject","transition_id":"X5","lead_id":"L5","rep_id":"R2","reason":"duplicate","occurred_at":"2026-01-05T11:00:00Z"}"#.into(),
        call("T1", "L1", "R1", "2026-01-05T12:00:00Z"),
        r#"{"type":"reassign","assignment_id":"A4","lead_id":"L4","rep_id":"R2","occurred_at":"2026-01-05T20:00:00Z","by":"M1"}"#.into(),
        r#"{"type":"accept","transition_id":"X1","lead_id":"L1","rep_id":"R1","occurred_at":"2026-01-06T09:00:00Z"}"#.into(),
        r#"{"type":"reject","transition_id":"X4","lead_id":"L4","rep_id":"R2","reason":"no_budget","occurred_at":"2026-01-06T09:30:00Z"}"#.into(),
        call("T2", "L2", "R1", "2026-01-06T11:00:00Z"),
    ]);
    std::fs::write(dir.path().join("week.jsonl"), lines.join("\n") + "\n").unwrap();
    // Something at 2026-02-02 makes time pass January's end.
    std::fs::write(
        dir.path().join("later.jsonl"),
        r#"{"type":"rep_recorded","rep_id":"R9","name":"Uma","email":"uma@seller.example","team":"sdr","region":"EMEA","capacity_per_day":5,"hired_at":"2026-02-02T00:00:00Z"}"#.to_string() + "\n",
    )
    .unwrap();

    let week = ok(&accord(
        &["ingest", "week.jsonl", "--decisions"],
        dir.path(),
    ));
    assert_eq!(
        sla_decisions(&week),
        [
            // Fired at the next input after 11:00 (the call at 12:00).
            "escalated ~1 bad_data cause X5 L5 marketing_ops - 2026-01-05T11:00:00Z",
            // Fired before the late call at Tuesday 11:00, at the deadline.
            "breach ~1 L2 follow_up R1 2026-01-06T10:00:00Z",
            "breach ~2 L3 follow_up R2 2026-01-06T10:00:00Z",
            "breach ~3 L4 follow_up R2 2026-01-06T10:00:00Z",
            "escalated ~2 follow_up_late_manager cause ~1 L2 rep_manager M1 2026-01-06T10:00:00Z",
            "escalated ~3 follow_up_late_manager cause ~2 L3 rep_manager M2 2026-01-06T10:00:00Z",
            "escalated ~4 follow_up_late_manager cause ~3 L4 rep_manager M2 2026-01-06T10:00:00Z",
        ]
    );
    // Before time passes: L3's decision clock is open, 23 h left at the
    // latest event (Tuesday 11:00 → Wednesday 10:00 = 23 h).
    let csv = ok(&accord(&["sla", "--format", "csv"], dir.path()));
    assert!(
        csv.contains(
            "L3,S3,decide,R2,sdr,2026-01-05T10:00:00Z,2026-01-07T10:00:00Z,open,82800,,,\n"
        ),
        "{csv}"
    );

    let later = ok(&accord(
        &["ingest", "later.jsonl", "--decisions"],
        dir.path(),
    ));
    assert_eq!(
        sla_decisions(&later),
        [
            "breach ~4 L2 decide R1 2026-01-07T10:00:00Z",
            "breach ~5 L3 decide R2 2026-01-07T10:00:00Z",
            // L2's director step does not fire: followed up (late) before it.
            "escalated ~5 follow_up_late_director cause ~2 L3 sales_director - 2026-01-07T10:00:00Z",
            "escalated ~6 follow_up_late_director cause ~3 L4 sales_director - 2026-01-07T10:00:00Z",
            "escalated ~7 decision_late_manager cause ~4 L2 rep_manager M1 2026-01-07T10:00:00Z",
            "escalated ~8 decision_late_manager cause ~5 L3 rep_manager M2 2026-01-07T10:00:00Z",
            // NA in January: 5 MQLs of 120; 1 accepted of 3 decided < 0.5.
            "target_missed ~1 NA 2026-01 5 of 120 2026-02-01T00:00:00Z",
            "acceptance_missed ~1 NA 2026-01 1 of 3 2026-02-01T00:00:00Z",
            "escalated ~9 targets_missed cause ~1 - NA 2026-01 marketing_director - 2026-02-01T00:00:00Z",
        ]
    );

    // Every clock now: L1 met both, L2 late then breached, L5 met.
    let csv = ok(&accord(&["sla", "--all", "--format", "csv"], dir.path()));
    let states: Vec<String> = csv
        .lines()
        .skip(1)
        .map(|l| {
            let f: Vec<&str> = l.split(',').collect();
            format!("{} {} {} {}", f[0], f[2], f[7], f[10])
        })
        .collect();
    assert_eq!(
        states,
        [
            "L1 follow_up met ",
            "L1 decide met ",
            "L2 follow_up breached ~1",
            "L2 decide breached ~4",
            "L3 follow_up breached ~2",
            "L3 decide breached ~5",
            "L4 follow_up breached ~3",
            "L4 decide met ",
            "L5 follow_up met ",
            "L5 decide met ",
        ]
    );
    let show = ok(&accord(&["lead", "show", "L2"], dir.path()));
    assert!(
        show.contains("follow_up entry S2  due 2026-01-06T10:00:00Z  BREACHED (~1), done late at 2026-01-06T11:00:00Z  attempts 1 of 3  owner R1"),
        "{show}"
    );
    let table = ok(&accord(&["sla"], dir.path()));
    assert!(
        table.contains("2026-01 NA        120      5         4%")
            && table.contains("target and acceptance missed"),
        "{table}"
    );
    // Replaying the log decides nothing again and gives the same state as
    // a second ingest of the same files (which stores nothing new).
    let hash = ok(&accord(&["replay"], dir.path()));
    let again = accord(&["ingest", "week.jsonl"], dir.path());
    assert!(
        text(&again.stderr).contains("0 stored"),
        "{}",
        text(&again.stderr)
    );
    assert_eq!(ok(&accord(&["replay"], dir.path())), hash);
}

/// `business_hours = true`: the clocks count the starter's working hours
/// (08:00–18:00, Monday to Friday) in the owner's zone.
///
/// L6 becomes an MQL on Friday 2026-01-09 at 21:00 UTC, 16:00 in New York
/// (R1, NA): 2 working hours left that Friday. At 24 working hours, the
/// follow-up would be due Wednesday 10:00 New York. Then on Monday at
/// 14:00 UTC (09:00 New York: 3 working hours used) it is reassigned to R3
/// in Singapore (UTC+8, 22:00 there, after hours).
/// - Follow-up: 21 h left, from Tuesday 08:00 Singapore: Tuesday 10,
///   Wednesday 10, Thursday 1 → Thursday 09:00 Singapore = 2026-01-15T01:00Z.
/// - Decision: 45 h left: Tuesday to Friday 40, Monday 5 → Monday
///   2026-01-19 13:00 Singapore = 05:00 UTC.
#[test]
fn business_hours_run_across_a_weekend_and_move_with_the_owner_to_another_zone() {
    let dir = tempfile::tempdir().unwrap();
    setup(dir.path(), |a| {
        a.replacen("business_hours = false", "business_hours = true", 1)
    });
    let mut lines: Vec<String> = REPS.iter().map(|s| s.to_string()).collect();
    lines.push(lead("L6", "2026-01-09T20:00:00Z"));
    lines.push(mql("S6", "L6", "R1", "2026-01-09T21:00:00Z"));
    std::fs::write(dir.path().join("a.jsonl"), lines.join("\n") + "\n").unwrap();
    ok(&accord(&["ingest", "a.jsonl"], dir.path()));
    let csv = ok(&accord(&["sla", "--format", "csv"], dir.path()));
    // Before the reassignment: Friday 2 h + Monday 10 + Tuesday 10 +
    // Wednesday 2 → Wednesday 10:00 New York = 15:00 UTC; the decision:
    // 2 + 4 × 10 + 6 → Friday 14:00 New York = 19:00 UTC.
    assert!(
        csv.contains(",follow_up,R1,sdr,2026-01-09T21:00:00Z,2026-01-14T15:00:00Z,open,"),
        "{csv}"
    );
    assert!(
        csv.contains(",decide,R1,sdr,2026-01-09T21:00:00Z,2026-01-16T19:00:00Z,open,"),
        "{csv}"
    );
    std::fs::write(
        dir.path().join("b.jsonl"),
        [
            r#"{"type":"reassign","assignment_id":"A6","lead_id":"L6","rep_id":"R3","occurred_at":"2026-01-12T14:00:00Z","by":"M1"}"#,
            r#"{"type":"rep_recorded","rep_id":"R9","name":"Uma","email":"uma@seller.example","team":"sdr","region":"EMEA","capacity_per_day":5,"hired_at":"2026-01-20T00:00:00Z"}"#,
        ]
        .join("\n")
            + "\n",
    )
    .unwrap();
    let out = ok(&accord(&["ingest", "b.jsonl", "--decisions"], dir.path()));
    assert_eq!(
        sla_decisions(&out),
        [
            "breach ~1 L6 follow_up R3 2026-01-15T01:00:00Z",
            "escalated ~1 follow_up_late_manager cause ~1 L6 rep_manager M2 2026-01-15T01:00:00Z",
            // Escalation delays are wall-clock hours.
            "escalated ~2 follow_up_late_director cause ~1 L6 sales_director - 2026-01-16T01:00:00Z",
            "breach ~2 L6 decide R3 2026-01-19T05:00:00Z",
            "escalated ~3 decision_late_manager cause ~2 L6 rep_manager M2 2026-01-19T05:00:00Z",
        ]
    );
}

/// Over the kit's imported history the clocks agree with `sla_followup`:
/// per MQL month and rep, the MQL entries, the follow-ups met within 24 h
/// and the decisions within 48 h; and marketing's months with
/// `sla_marketing`'s MQLs. The history is imported (not judged): nothing
/// is fired, the clocks are derived.
#[test]
fn over_imported_history_the_clocks_equal_the_sla_reports() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    let kit = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../../shared/bench/gen.py");
    let gen = std::process::Command::new("python3")
        .arg(&kit)
        .args(["--leads", "2000", "--seed", "7", "--out"])
        .arg(&data)
        .output()
        .expect("python3 runs the kit's generator");
    assert!(gen.status.success(), "{}", text(&gen.stderr));
    ok(&accord(&["import", "data"], dir.path()));
    ok(&accord(&["init"], dir.path()));
    ok(&accord(&["agreement", "adopt", "accord.toml"], dir.path()));

    let mut clocks: std::collections::BTreeMap<(String, String), [u32; 3]> = Default::default();
    let csv = ok(&accord(&["sla", "--all", "--format", "csv"], dir.path()));
    for l in csv.lines().skip(1) {
        let f: Vec<&str> = l.split(',').collect();
        let owner = if f[3].is_empty() {
            "(unassigned)"
        } else {
            f[3]
        };
        let row = clocks
            .entry((f[5][..7].to_string(), owner.to_string()))
            .or_default();
        // No breach event: history is not judged.
        assert_eq!(f[10], "", "{l}");
        match f[2] {
            "follow_up" => {
                row[0] += 1;
                row[1] += u32::from(f[7] == "met");
            }
            _ => row[2] += u32::from(f[7] == "met"),
        }
    }
    let mut report: std::collections::BTreeMap<(String, String), [u32; 3]> = Default::default();
    let csv = ok(&accord(
        &["report", "sla_followup", "--format", "csv"],
        dir.path(),
    ));
    for l in csv.lines().skip(1) {
        let f: Vec<&str> = l.split(',').collect();
        if f[1] == "(all)" {
            continue;
        }
        let n = |i: usize| f[i].parse::<u32>().unwrap();
        report.insert((f[0].into(), f[1].into()), [n(2), n(3), n(7)]);
    }
    assert!(report.len() > 20, "{report:?}");
    assert_eq!(clocks, report);

    // Marketing: MQL entries and decisions per region and month.
    let json: Value =
        serde_json::from_str(&ok(&accord(&["sla", "--format", "json"], dir.path()))).unwrap();
    let mut engine: Vec<String> = json["marketing"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|m| m["mqls"].as_u64().unwrap() > 0)
        .map(|m| {
            format!(
                "{} {} {} {} {}",
                m["region"], m["month"], m["mqls"], m["accepted"], m["rejected"]
            )
        })
        .collect();
    let csv = ok(&accord(
        &["report", "sla_marketing", "--format", "csv"],
        dir.path(),
    ));
    let mut reported: Vec<String> = csv
        .lines()
        .skip(1)
        .map(|l| l.split(',').collect::<Vec<_>>())
        .filter(|f| f[3] != "0")
        .map(|f| format!("\"{}\" \"{}\" {} {} {}", f[0], f[1], f[3], f[6], f[7]))
        .collect();
    engine.sort();
    reported.sort();
    assert!(reported.len() > 10, "{reported:?}");
    assert_eq!(engine, reported);
}
