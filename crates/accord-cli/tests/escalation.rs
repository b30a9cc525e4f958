//! Escalation steps across an agreement change, through the real binary:
//! `accord run` that stays up while another agreement is adopted decides
//! what a restart (`accord agreement adopt`, then `accord tick`) decides,
//! and both what is worked out by hand (docs/engine.md, "Escalation").

mod common;

use std::io::BufRead;
use std::path::Path;
use std::process::{Command, Stdio};
use std::sync::mpsc::Receiver;
use std::time::{Duration, Instant, SystemTime};

use accord_core::domain::Timestamp;
use common::{accord, command, ok};
use serde_json::Value;

const H: i64 = 3_600;

/// The starter's escalation list, without the target step (whether a month
/// ends inside the case depends on the day the test runs).
fn v1(starter: &str) -> String {
    let from = starter
        .find("[[sla.escalation]]\nname = \"targets_missed\"")
        .unwrap();
    let to = from + starter[from..].find("\n\n").unwrap() + 2;
    format!("{}{}", &starter[..from], &starter[to..])
}

/// v1 with its two follow-up steps swapped and the director told 2 h after
/// the breach instead of 24.
fn v2(v1: &str) -> String {
    let manager = "[[sla.escalation]]\nname = \"follow_up_late_manager\"\non = \"follow_up_breach\"\nafter_hours = 0\nnotify = \"rep_manager\"\n\n";
    let director = "[[sla.escalation]]\nname = \"follow_up_late_director\"\non = \"follow_up_breach\"\nafter_hours = 24\nnotify = \"sales_director\"\n\n";
    let both = format!("{manager}{director}");
    assert!(v1.contains(&both), "the starter's follow-up steps changed");
    v1.replace(
        &both,
        &format!(
            "{}{manager}",
            director.replace("after_hours = 24", "after_hours = 2")
        ),
    )
}

fn time(t: i64) -> String {
    Timestamp::from_unix_seconds(t).to_string()
}

/// A rep with a manager; L1, an MQL of R1's at `w` - 30 h (follow-up due
/// `w` - 6 h, decision `w` + 18 h); a page view at `w` - 5 h.
fn history(w: i64) -> String {
    [
        r#"{"type":"rep_recorded","rep_id":"M1","name":"Mia","email":"mia@seller.example","team":"manager","region":"NA","capacity_per_day":0,"hired_at":"2024-01-01T00:00:00Z"}"#.to_string(),
        r#"{"type":"rep_recorded","rep_id":"R1","name":"Rui","email":"rui@seller.example","team":"sdr","region":"NA","manager_id":"M1","capacity_per_day":5,"hired_at":"2024-01-01T00:00:00Z"}"#.to_string(),
        format!(
            r#"{{"type":"lead_created","lead_id":"L1","email":"bo@mail.example","seniority":"individual","country":"US","region":"NA","source_channel":"organic_search","created_at":"{}"}}"#,
            time(w - 31 * H)
        ),
        format!(
            r#"{{"type":"stage_changed","transition_id":"S1","lead_id":"L1","from_stage":"lead","to_stage":"mql","rep_id":"R1","occurred_at":"{}"}}"#,
            time(w - 30 * H)
        ),
        format!(
            r#"{{"type":"touched","touch_id":"P1","lead_id":"L1","kind":"page_view","channel":"direct","occurred_at":"{}"}}"#,
            time(w - 5 * H)
        ),
    ]
    .join("\n")
        + "\n"
}

/// A database in `dir` with v1 adopted and the history ingested; v2.toml
/// written beside it.
fn setup(dir: &Path, w: i64) {
    ok(&accord(&["init"], dir));
    let starter = std::fs::read_to_string(dir.join("accord.toml")).unwrap();
    let v1 = v1(&starter);
    std::fs::write(dir.join("accord.toml"), &v1).unwrap();
    std::fs::write(dir.join("v2.toml"), v2(&v1)).unwrap();
    ok(&accord(&["agreement", "adopt", "accord.toml"], dir));
    std::fs::write(dir.join("history.jsonl"), history(w)).unwrap();
    ok(&accord(&["ingest", "history.jsonl"], dir));
}

/// The escalations in the log, as `id step cause lead notify person at`.
fn escalations(dir: &Path) -> Vec<String> {
    let out = ok(&accord(&["export", "events", "--out", "-"], dir));
    out.lines()
        .map(|l| serde_json::from_str::<Value>(l).unwrap())
        .filter(|e| e["type"] == "escalated")
        .map(|e| {
            let s = |k: &str| e[k].as_str().unwrap_or("-").to_string();
            [
                "escalation_id",
                "step",
                "cause",
                "lead_id",
                "notify",
                "person",
                "at",
            ]
            .map(s)
            .join(" ")
        })
        .collect()
}

/// `accord run`'s stderr, line by line.
fn lines_of(child: &mut std::process::Child) -> Receiver<String> {
    let stderr = child.stderr.take().unwrap();
    let (send, lines) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        for line in std::io::BufReader::new(stderr).lines() {
            let Ok(line) = line else { break };
            if send.send(line).is_err() {
                break;
            }
        }
    });
    lines
}

/// Waits up to `limit` for a line containing `needle`.
fn wait_for(lines: &Receiver<String>, needle: &str, limit: Duration) -> bool {
    let until = Instant::now() + limit;
    while let Some(left) = until.checked_duration_since(Instant::now()) {
        match lines.recv_timeout(left) {
            Ok(line) if line.contains(needle) => return true,
            Ok(_) => {}
            Err(_) => return false,
        }
    }
    false
}

/// Breach of L1's follow-up at w - 6 h, its manager told at once (v1),
/// while the history is ingested; the director's step, v1's 24 h later,
/// is pending when v2 is adopted, the engine's clock at the page view,
/// w - 5 h. v2 times it again by its name: 2 h after the breach, w - 4 h,
/// not before the clock at the adoption (w - 5 h): it fires at w - 4 h,
/// to the sales director. The manager's step, v2's second now, does not
/// fire again. (Before this rule, the step was known by its position: the
/// engine that stayed up never told the director, and a restarted one told
/// the director at w - 6 h.)
#[test]
fn a_step_pending_across_an_adoption_fires_alike_live_and_after_a_restart() {
    let now = SystemTime::now()
        .duration_since(SystemTime::UNIX_EPOCH)
        .unwrap()
        .as_secs() as i64;
    let w = now - now % H;
    let expected = [
        format!(
            "~1 follow_up_late_manager ~1 L1 rep_manager M1 {}",
            time(w - 6 * H)
        ),
        format!(
            "~2 follow_up_late_director ~1 L1 sales_director - {}",
            time(w - 4 * H)
        ),
    ];

    // Live: `accord run` up while v2 is adopted by another process.
    let live = tempfile::tempdir().unwrap();
    setup(live.path(), w);
    let mut daemon = command(&["run", "--interval", "50"], live.path())
        .stderr(Stdio::piped())
        .stdout(Stdio::null())
        .spawn()
        .unwrap();
    let lines = lines_of(&mut daemon);
    assert!(wait_for(&lines, "watching", Duration::from_secs(30)));
    // Some rounds go by (every 50 ms) before the adoption: the timers the
    // start set again from the log and time has passed are popped, as in a
    // process that has been up all along. (The decisions must not depend
    // on it; main's did.)
    std::thread::sleep(Duration::from_millis(500));
    ok(&accord(&["agreement", "adopt", "v2.toml"], live.path()));
    let fired = wait_for(&lines, "firing", Duration::from_secs(10));
    let kill = Command::new("kill")
        .args(["-TERM", &daemon.id().to_string()])
        .status()
        .unwrap();
    assert!(kill.success());
    assert!(daemon.wait().unwrap().success());
    assert!(fired, "accord run fired nothing after v2 was adopted");
    assert_eq!(escalations(live.path()), expected);

    // Restarted: v2 adopted while nothing runs, then time passes.
    let restarted = tempfile::tempdir().unwrap();
    setup(restarted.path(), w);
    ok(&accord(
        &["agreement", "adopt", "v2.toml"],
        restarted.path(),
    ));
    ok(&accord(&["tick", "--now", &time(now)], restarted.path()));
    assert_eq!(escalations(restarted.path()), expected);
}
