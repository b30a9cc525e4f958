//! `accord run` (and its alias `accord watch`) and `accord tick` through the
//! real binary: another process ingests, the daemon follows and stores the
//! reports; signals stop it cleanly; a tick stores what is due and nothing
//! else. Expected times are worked out by hand in the comments.

mod common;

use std::io::BufRead;
use std::path::Path;
use std::process::{Child, Command, Output, Stdio};
use std::sync::mpsc::Receiver;
use std::time::{Duration, Instant};

use common::{accord, command, ok, text};

/// 2026-01-05 is a Monday; L1 becomes an MQL at 15:10 (score 85 ≥ 60),
/// routed to R1 (see tests/engine.rs for the arithmetic).
const LINES: &[&str] = &[
    r#"{"type":"rep_recorded","rep_id":"R1","name":"Rui","email":"rui@seller.example","team":"sdr","region":"NA","vertical":"software","capacity_per_day":5,"hired_at":"2024-01-01T00:00:00Z"}"#,
    r#"{"type":"account_recorded","account_id":"A1","name":"Contoso","domain":"contoso.example","industry":"software","employees":800,"country":"US","region":"NA","tier":"enterprise","created_at":"2024-01-01T00:00:00Z"}"#,
    r#"{"type":"lead_created","lead_id":"L1","email":"ana@contoso.example","full_name":"Ana Lima","title":"VP Operations","seniority":"vp","industry_reported":"software","country":"US","region":"NA","source_channel":"organic_search","created_at":"2026-01-05T15:00:00Z"}"#,
    r#"{"type":"touched","touch_id":"T1","lead_id":"L1","occurred_at":"2026-01-05T15:05:00Z","kind":"pricing_page_view","channel":"organic_search"}"#,
    r#"{"type":"touched","touch_id":"T2","lead_id":"L1","occurred_at":"2026-01-05T15:10:00Z","kind":"demo_request","channel":"direct"}"#,
];

/// A database with the default agreement adopted (one event) and the
/// lines above in events.jsonl.
fn adopted(dir: &Path) {
    ok(&accord(&["init"], dir));
    ok(&accord(&["agreement", "adopt", "accord.toml"], dir));
    std::fs::write(dir.join("events.jsonl"), LINES.join("\n") + "\n").unwrap();
}

/// A running daemon and its stderr, line by line.
struct Daemon {
    child: Child,
    lines: Receiver<String>,
    seen: Vec<String>,
}

impl Daemon {
    fn start(args: &[&str], cwd: &Path) -> Daemon {
        let mut child = command(args, cwd)
            .stderr(Stdio::piped())
            .stdout(Stdio::null())
            .spawn()
            .expect("accord run starts");
        let (send, lines) = std::sync::mpsc::channel();
        let stderr = child.stderr.take().unwrap();
        std::thread::spawn(move || {
            for line in std::io::BufReader::new(stderr).lines() {
                let Ok(line) = line else { break };
                if send.send(line).is_err() {
                    break;
                }
            }
        });
        let mut daemon = Daemon {
            child,
            lines,
            seen: Vec::new(),
        };
        daemon.wait_for("watching");
        daemon
    }

    fn wait_for(&mut self, needle: &str) -> String {
        loop {
            match self.lines.recv_timeout(Duration::from_secs(30)) {
                Ok(line) => {
                    self.seen.push(line.clone());
                    if line.contains(needle) {
                        return line;
                    }
                }
                Err(_) => {
                    let _ = self.child.kill();
                    panic!(
                        "accord run never said `{needle}`; it said:\n{:#?}",
                        self.seen
                    )
                }
            }
        }
    }

    /// Sends `signal` and waits for the exit (at most 10 s): its status
    /// and its last line.
    fn stop(mut self, signal: &str) -> (std::process::ExitStatus, String, Duration) {
        let sent = Instant::now();
        let kill = Command::new("kill")
            .args([signal, &self.child.id().to_string()])
            .status()
            .unwrap();
        assert!(kill.success());
        let status = loop {
            if let Some(status) = self.child.try_wait().unwrap() {
                break status;
            }
            if sent.elapsed() > Duration::from_secs(10) {
                let _ = self.child.kill();
                panic!("accord run did not stop within 10 s of {signal}");
            }
            std::thread::sleep(Duration::from_millis(10));
        };
        let took = sent.elapsed();
        let last = self.lines.iter().last().unwrap_or_default();
        (status, last, took)
    }
}

/// The number of decisions `accord ingest` reports (its summary line,
/// before the line on how long it took).
fn decisions(ingest: &Output) -> u64 {
    let err = text(&ingest.stderr);
    let last = err
        .lines()
        .rfind(|l| l.ends_with(" decisions"))
        .unwrap_or_default()
        .to_string();
    last.rsplit_once("; ")
        .and_then(|(_, d)| d.strip_suffix(" decisions"))
        .and_then(|n| n.parse().ok())
        .unwrap_or_else(|| panic!("no decisions count in `{last}`"))
}

#[test]
fn run_follows_an_ingest_from_another_process_and_stops_on_sigterm() {
    let dir = tempfile::tempdir().unwrap();
    adopted(dir.path());
    let mut daemon = Daemon::start(&["run", "--interval", "5"], dir.path());
    assert!(
        daemon.seen.iter().any(|l| l.starts_with(
            "loaded 1 events (0 leads, engine clock 1970-01-01T00:00:00Z, agreement v1 in force)"
        )),
        "{:#?}",
        daemon.seen
    );

    let ingest = accord(&["ingest", "events.jsonl"], dir.path());
    ok(&ingest);
    // 5 lines stored; T2 makes L1 an MQL and gives it an owner: at least 2 decisions.
    let n = decisions(&ingest);
    assert!(n >= 2, "{n}");
    let update = daemon.wait_for("every report up to date");
    // One chunk, one commit: one step sees it all (the adoption was
    // position 1, the ingest 2). By this machine's clock every clock of
    // L1 (an MQL since 2026-01-05T15:10:00Z, never followed up or decided)
    // has run out, so the same step fires, as position 3, by the default
    // agreement: the follow-up breach (01-06 15:10) and its manager step,
    // the director's step (01-07 15:10), the decision breach (01-07 15:10)
    // and its manager step, January's NA target missed (1 MQL of 120, at
    // 2026-02-01T00:00:00Z) and its marketing director step: 7 firings.
    assert!(
        update.starts_with(&format!(
            "+{} events, 7 firings stored (log position 3)",
            5 + n
        )),
        "{update}"
    );
    assert!(update.ends_with("; no clock pending"), "{update}");
    // The report reads the stored views (what ACCORD_TIMING tells), so
    // they were current: stored at the new head, under the adopted terms.
    let report = command(&["report", "kpi"], dir.path())
        .env("ACCORD_TIMING", "1")
        .output()
        .unwrap();
    let kpi = ok(&report);
    assert!(
        text(&report.stderr).contains("stored views read"),
        "{}",
        text(&report.stderr)
    );
    assert!(kpi.contains("2026-01"), "{kpi}");

    let (status, last, took) = daemon.stop("-TERM");
    assert!(status.success(), "{status:?}: {last}");
    assert!(
        last.starts_with("stopped (SIGTERM): the log is at position 3"),
        "{last}"
    );
    assert!(took < Duration::from_secs(2), "{took:?}");
}

#[test]
fn watch_is_run_under_its_earlier_name_and_ctrl_c_stops_it() {
    let dir = tempfile::tempdir().unwrap();
    adopted(dir.path());
    let help = ok(&accord(&["watch", "--help"], dir.path()));
    assert!(help.contains("Usage: accord run"), "{help}");
    assert!(
        help.contains("`accord watch` is the same command"),
        "{help}"
    );

    let daemon = Daemon::start(
        &["watch", "--db", "accord.db", "--interval", "5"],
        dir.path(),
    );
    let (status, last, _) = daemon.stop("-INT");
    assert!(status.success(), "{status:?}: {last}");
    assert!(last.starts_with("stopped (Ctrl-C)"), "{last}");
}

#[test]
fn tick_refuses_a_time_that_is_not_rfc_3339_and_says_why() {
    let dir = tempfile::tempdir().unwrap();
    adopted(dir.path());
    let cases = [
        (
            "2026-13-01T00:00:00Z",
            "2026-13-01T00:00:00 is not a real date and time",
        ),
        ("2026-04-02T09:00:00", "has no offset: add Z for UTC"),
        ("next tuesday", "is not an RFC 3339 time"),
        (
            "2026-04-02T09:00:00+25:00",
            "the offset +25:00 is out of range",
        ),
    ];
    for (now, says) in cases {
        let out = accord(&["tick", "--now", now], dir.path());
        let err = text(&out.stderr);
        assert_eq!(out.status.code(), Some(2), "{now}: {err}");
        assert!(
            err.contains("--now <TIME>") && err.contains(says),
            "{now}: {err}"
        );
    }
    // Well formed but in the future: nothing may be fired ahead of time.
    let out = accord(&["tick", "--now", "2999-01-01T00:00:00Z"], dir.path());
    assert_eq!(out.status.code(), Some(1));
    assert!(
        text(&out.stderr).contains("more than 5 minutes after this machine's clock"),
        "{}",
        text(&out.stderr)
    );
}

#[test]
fn tick_on_a_database_with_nothing_due_stores_nothing() {
    let dir = tempfile::tempdir().unwrap();
    adopted(dir.path());
    let before = ok(&accord(&["replay"], dir.path()));
    let out = accord(
        &["tick", "--now", "2026-06-01T00:00:00Z", "--decisions"],
        dir.path(),
    );
    assert_eq!(ok(&out), "");
    assert_eq!(
        text(&out.stderr).lines().last().unwrap(),
        "0 firings stored (log position 1), nothing pending"
    );
    assert_eq!(ok(&accord(&["replay"], dir.path())), before);

    // Without an adopted agreement nothing can fire: said, not failed.
    let bare = tempfile::tempdir().unwrap();
    std::fs::write(bare.path().join("one.jsonl"), LINES[0]).unwrap();
    ok(&accord(&["ingest", "one.jsonl"], bare.path()));
    let out = accord(&["tick", "--now", "2026-06-01T00:00:00Z"], bare.path());
    ok(&out);
    let err = text(&out.stderr);
    assert!(err.contains("no agreement is adopted"), "{err}");
    assert!(
        err.ends_with("0 firings stored (log position 1), nothing pending\n"),
        "{err}"
    );

    // A time before the engine's clock: nothing, and it says why. The
    // latest event is T2 at 2026-01-05T15:10:00Z.
    ok(&accord(&["ingest", "events.jsonl"], dir.path()));
    let out = accord(&["tick", "--now", "2026-01-01T00:00:00Z"], dir.path());
    ok(&out);
    let err = text(&out.stderr);
    assert!(
        err.contains("is not after the engine's clock (2026-01-05T15:10:00Z"),
        "{err}"
    );
    assert!(err.contains("0 firings stored (log position 2)"), "{err}");
}

/// Worked by hand from the default agreement (calendar hours): L1 is an MQL
/// at 2026-01-05T15:10:00Z owned by R1 and never followed up, so its
/// follow-up clock (24 h) breaches at 2026-01-06T15:10:00Z with the
/// `follow_up_late_manager` step (after 0 h). A tick at the deadline fires
/// nothing (strictly before); one second later those two, stored once.
#[test]
fn tick_stores_a_breach_at_its_deadline_once() {
    let dir = tempfile::tempdir().unwrap();
    adopted(dir.path());
    ok(&accord(&["ingest", "events.jsonl"], dir.path()));
    let out = accord(&["tick", "--now", "2026-01-06T15:10:00Z"], dir.path());
    assert!(
        text(&out.stderr)
            .contains("0 firings stored (log position 2), next due at 2026-01-06T15:10:00Z"),
        "{}",
        text(&out.stderr)
    );
    let out = accord(
        &["tick", "--now", "2026-01-06T15:10:01Z", "--decisions"],
        dir.path(),
    );
    let lines = ok(&out);
    let lines: Vec<&str> = lines.lines().collect();
    assert_eq!(lines.len(), 2, "{lines:#?}");
    assert!(
        lines[0].contains(r#""type":"clock_breached""#),
        "{}",
        lines[0]
    );
    assert!(lines[1].contains("follow_up_late_manager"), "{}", lines[1]);
    assert!(
        text(&out.stderr)
            .contains("2 firings stored (log position 3), next due at 2026-01-07T15:10:00Z"),
        "{}",
        text(&out.stderr)
    );
    let again = accord(&["tick", "--now", "2026-01-06T15:10:01Z"], dir.path());
    assert!(text(&again.stderr).contains("0 firings stored (log position 3)"));
}
