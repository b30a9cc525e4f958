//! Webhooks through the real binary: `accord hook` makes subscriptions,
//! `accord ingest` stores events the engine judges (MQLs, routing, an
//! acceptance, breaches, escalations, a won deal), `accord run` delivers
//! them to a real HTTP receiver on a loopback port that fails the first
//! attempts, checks every signature and the per-lead order, and, across a
//! `kill -9` of the delivering process mid-delivery and a restart, sees
//! every expected delivery arrive at least once.

mod common;

use std::collections::{HashMap, HashSet};
use std::io::{BufRead, BufReader, Read, Write};
use std::net::{TcpListener, TcpStream};
use std::path::Path;
use std::process::{Child, Stdio};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant, SystemTime};

use common::{accord, command, ok, text};
use serde_json::Value;

/// 2026-01-05 is a Monday; 15:00 UTC is within NA's working hours. Each
/// lead scores 85 with its two touches (see tests/engine.rs): an MQL,
/// routed by territory_and_vertical to R1.
const LINES: &[&str] = &[
    r#"{"type":"rep_recorded","rep_id":"R1","name":"Rui","email":"rui@seller.example","team":"sdr","region":"NA","vertical":"software","capacity_per_day":5,"hired_at":"2024-01-01T00:00:00Z"}"#,
    r#"{"type":"rep_recorded","rep_id":"R2","name":"Sam","email":"sam@seller.example","team":"sdr","region":"NA","capacity_per_day":5,"hired_at":"2024-01-01T00:00:00Z"}"#,
    r#"{"type":"account_recorded","account_id":"A1","name":"Contoso","domain":"contoso.example","industry":"software","employees":800,"country":"US","region":"NA","tier":"enterprise","created_at":"2024-01-01T00:00:00Z"}"#,
    r#"{"type":"lead_created","lead_id":"L1","email":"ana@contoso.example","full_name":"Ana Lima","title":"VP Operations","seniority":"vp","industry_reported":"software","country":"US","region":"NA","source_channel":"webinar","created_at":"2026-01-05T15:00:00Z"}"#,
    r#"{"type":"touched","touch_id":"T1","lead_id":"L1","occurred_at":"2026-01-05T15:05:00Z","kind":"pricing_page_view","channel":"organic_search"}"#,
    r#"{"type":"touched","touch_id":"T2","lead_id":"L1","occurred_at":"2026-01-05T15:10:00Z","kind":"demo_request","channel":"direct"}"#,
    r#"{"type":"lead_created","lead_id":"L2","email":"bo@contoso.example","full_name":"Bo Li","title":"VP Sales","seniority":"vp","industry_reported":"software","country":"US","region":"NA","source_channel":"organic_search","created_at":"2026-01-05T15:20:00Z"}"#,
    r#"{"type":"touched","touch_id":"T3","lead_id":"L2","occurred_at":"2026-01-05T15:25:00Z","kind":"pricing_page_view","channel":"organic_search"}"#,
    r#"{"type":"touched","touch_id":"T4","lead_id":"L2","occurred_at":"2026-01-05T15:30:00Z","kind":"demo_request","channel":"direct"}"#,
    r#"{"type":"accept","transition_id":"S1","lead_id":"L1","rep_id":"R1","occurred_at":"2026-01-05T16:00:00Z"}"#,
    r#"{"type":"opportunity_created","opportunity_id":"O1","account_id":"A1","primary_lead_id":"L1","owner_rep_id":"R1","kind":"new_business","created_at":"2026-01-06T10:00:00Z","amount_usd":12345.50}"#,
    r#"{"type":"opportunity_closed","opportunity_id":"O1","stage":"won","closed_at":"2026-02-01T12:00:00Z"}"#,
];

/// Lead L1's deliveries in log order, worked out by hand: routed and MQL
/// at 15:10, accepted at 16:00, its follow-up clock (24 h, a sales touch
/// needed: the acceptance is none) breached at 2026-01-06T15:10, which
/// escalates to the manager at once and to the director later, and the
/// deal its opportunity's primary lead brought, won on 1 February.
const L1_ORDER: &[&str] = &[
    "owner_assigned:~1",
    "stage_changed:~1",
    "stage_changed:S1",
    "clock_breached:~1",
    "escalated:~1",
    "escalated:~3",
    "opportunity_closed:O1",
];

/// One request the receiver got.
#[derive(Clone, Debug)]
struct Got {
    path: String,
    delivery: String,
    event_type: String,
    body: Value,
    /// Answered 2xx (the request counts as delivered).
    acked: bool,
    /// Every earlier event of its lead was acked before it came.
    in_order: bool,
}

#[derive(Default)]
struct Shared {
    got: Vec<Got>,
    bad: Vec<String>,
    secrets: HashMap<String, String>,
    /// Per path: the log order of event ids per order key (set once known).
    answered: usize,
}

/// A real HTTP/1.1 receiver on a random loopback port.
struct Receiver {
    port: u16,
    shared: Arc<Mutex<Shared>>,
}

impl Receiver {
    /// Fails the first `fail_first` requests with 500; holds each answer
    /// `delay` (a request in flight long enough to kill its sender).
    fn start(fail_first: usize, delay: Duration) -> Receiver {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let port = listener.local_addr().unwrap().port();
        let shared = Arc::new(Mutex::new(Shared::default()));
        let inner = Arc::clone(&shared);
        std::thread::spawn(move || {
            for stream in listener.incoming() {
                let Ok(stream) = stream else { continue };
                let inner = Arc::clone(&inner);
                std::thread::spawn(move || serve(stream, &inner, fail_first, delay));
            }
        });
        Receiver { port, shared }
    }

    fn url(&self, path: &str) -> String {
        format!("http://127.0.0.1:{}{path}", self.port)
    }

    fn got(&self) -> Vec<Got> {
        self.shared.lock().unwrap().got.clone()
    }

    fn acked_ids(&self, path: &str) -> HashSet<String> {
        self.got()
            .iter()
            .filter(|g| g.acked && g.path == path)
            .map(|g| g.body["event_id"].as_str().unwrap_or("").to_string())
            .collect()
    }

    /// Waits (at most `secs`) until `done` holds.
    fn wait(&self, secs: u64, what: &str, done: impl Fn(&Receiver) -> bool) {
        let start = Instant::now();
        while !done(self) {
            if start.elapsed() > Duration::from_secs(secs) {
                panic!("{what} not within {secs} s; got {:#?}", self.got());
            }
            std::thread::sleep(Duration::from_millis(100));
        }
    }
}

/// The order key a receiver reads from accord's JSON: the lead, else the
/// won deal's primary lead, else the event itself.
fn order_key(body: &Value) -> String {
    let d = &body["data"];
    d["lead_id"]
        .as_str()
        .or(d["credit"]["marketing"]["primary_lead_id"].as_str())
        .or(body["event_id"].as_str())
        .unwrap_or("")
        .to_string()
}

fn unix_now() -> i64 {
    SystemTime::now()
        .duration_since(SystemTime::UNIX_EPOCH)
        .unwrap()
        .as_secs() as i64
}

fn serve(mut stream: TcpStream, shared: &Mutex<Shared>, fail_first: usize, delay: Duration) {
    let _ = stream.set_read_timeout(Some(Duration::from_secs(10)));
    let mut reader = BufReader::new(stream.try_clone().unwrap());
    let mut request_line = String::new();
    if reader.read_line(&mut request_line).unwrap_or(0) == 0 {
        return;
    }
    let path = request_line
        .split_whitespace()
        .nth(1)
        .unwrap_or("")
        .to_string();
    let mut headers = HashMap::new();
    loop {
        let mut line = String::new();
        if reader.read_line(&mut line).unwrap_or(0) == 0 {
            return;
        }
        let line = line.trim_end();
        if line.is_empty() {
            break;
        }
        if let Some((k, v)) = line.split_once(':') {
            headers.insert(k.trim().to_ascii_lowercase(), v.trim().to_string());
        }
    }
    let len: usize = headers
        .get("content-length")
        .and_then(|v| v.parse().ok())
        .unwrap_or(0);
    let mut body = vec![0; len];
    if reader.read_exact(&mut body).is_err() {
        return;
    }
    let status = {
        let mut s = shared.lock().unwrap();
        let secret = s.secrets.get(&path).cloned().unwrap_or_default();
        let signature = headers
            .get("x-accord-signature")
            .cloned()
            .unwrap_or_default();
        if let Err(e) = accord_hooks::sign::verify(&signature, &secret, &body, unix_now()) {
            s.bad.push(format!("{path}: {e}"));
            401
        } else {
            let body: Value = serde_json::from_slice(&body).unwrap_or(Value::Null);
            s.answered += 1;
            let acked = s.answered > fail_first;
            // In order: every event of the same lead that the log holds
            // before this one (per L1_ORDER, for L1) was acked before.
            let id = body["event_id"].as_str().unwrap_or("").to_string();
            let in_order = match L1_ORDER.iter().position(|e| *e == id) {
                Some(i) if path == "/json" && order_key(&body) == "L1" => {
                    L1_ORDER[..i].iter().all(|earlier| {
                        s.got
                            .iter()
                            .any(|g| g.path == "/json" && g.acked && g.body["event_id"] == *earlier)
                    })
                }
                _ => true,
            };
            s.got.push(Got {
                path: path.clone(),
                delivery: headers
                    .get("x-accord-delivery")
                    .cloned()
                    .unwrap_or_default(),
                event_type: headers.get("x-accord-event").cloned().unwrap_or_default(),
                body,
                acked,
                in_order,
            });
            if acked {
                200
            } else {
                500
            }
        }
    };
    std::thread::sleep(delay);
    let reason = if status == 200 { "OK" } else { "No" };
    let _ = write!(
        stream,
        "HTTP/1.1 {status} {reason}\r\ncontent-length: 0\r\nconnection: close\r\n\r\n"
    );
}

/// Subscriptions made, then the events ingested; `before_ingest` runs
/// between the two.
fn setup(dir: &Path, rx: &Receiver, before_ingest: impl FnOnce()) -> (String, String) {
    ok(&accord(&["init"], dir));
    ok(&accord(&["agreement", "adopt", "accord.toml"], dir));
    let all = "lead.mql,lead.routed,lead.accepted,lead.rejected,sla.breached,sla.escalated,opportunity.won";
    let secret = |out: String| {
        out.lines()
            .find_map(|l| l.strip_prefix("secret: "))
            .unwrap()
            .to_string()
    };
    let json = secret(ok(&accord(
        &["hook", "create", &rx.url("/json"), "--events", all],
        dir,
    )));
    let slack = secret(ok(&accord(
        &[
            "hook",
            "create",
            &rx.url("/slack"),
            "--events",
            "sla.breached,opportunity.won",
            "--format",
            "slack",
        ],
        dir,
    )));
    {
        let mut s = rx.shared.lock().unwrap();
        s.secrets.insert("/json".into(), json.clone());
        s.secrets.insert("/slack".into(), slack.clone());
    }
    before_ingest();
    std::fs::write(dir.join("events.jsonl"), LINES.join("\n") + "\n").unwrap();
    ok(&accord(&["ingest", "events.jsonl"], dir));
    (json, slack)
}

fn start_run(dir: &Path) -> Child {
    command(
        &[
            "run",
            "--hook-schedule",
            "1s,1s,1s,1s,1s",
            "--hook-timeout",
            "2",
        ],
        dir,
    )
    .stdout(Stdio::null())
    .stderr(Stdio::null())
    .spawn()
    .unwrap()
}

/// What the log holds to deliver to the all-events subscription, read
/// from `accord export events` by the rules of docs/webhooks.md: event ids
/// in log order, each with its order key.
fn expected(dir: &Path) -> Vec<(String, String)> {
    let out = ok(&accord(&["export", "events"], dir));
    let mut expected = Vec::new();
    for line in out.lines() {
        let e: Value = serde_json::from_str(line).unwrap();
        if e["origin"] == "imported" {
            continue;
        }
        let s = |k: &str| e[k].as_str().unwrap_or("").to_string();
        let (id, key) = match s("type").as_str() {
            "stage_changed"
                if s("to_stage") == "mql"
                    || (s("from_stage") == "mql"
                        && !s("rep_id").is_empty()
                        && ["sal", "recycled", "disqualified"]
                            .contains(&s("to_stage").as_str())) =>
            {
                (s("transition_id"), s("lead_id"))
            }
            "owner_assigned" => (s("assignment_id"), s("lead_id")),
            "clock_breached" => (s("breach_id"), s("lead_id")),
            "escalated" => (s("escalation_id"), s("lead_id")),
            "opportunity_closed" if s("stage") == "won" => (s("opportunity_id"), "L1".into()),
            _ => continue,
        };
        let event_id = format!("{}:{id}", s("type"));
        let key = if key.is_empty() {
            event_id.clone()
        } else {
            key
        };
        expected.push((event_id, key));
    }
    expected
}

#[test]
fn deliveries_are_signed_retried_in_per_lead_order_and_dead_letters_replay() {
    let dir = tempfile::tempdir().unwrap();
    let rx = Receiver::start(3, Duration::ZERO);
    // A third subscription to a port where nothing listens: dead letters.
    let closed = TcpListener::bind("127.0.0.1:0").unwrap();
    let dead_url = format!(
        "http://127.0.0.1:{}/gone",
        closed.local_addr().unwrap().port()
    );
    drop(closed);
    setup(dir.path(), &rx, || {
        ok(&accord(
            &["hook", "create", &dead_url, "--events", "lead.mql"],
            dir.path(),
        ));
    });
    // Made after the ingest: it gets nothing of it.
    ok(&accord(
        &["hook", "create", &rx.url("/late"), "--events", "lead.mql"],
        dir.path(),
    ));
    let list = ok(&accord(&["hook", "list"], dir.path()));
    assert_eq!(list.lines().count(), 5, "{list}");
    assert!(!list.contains("whsec_"), "secrets are not listed: {list}");

    let mut run = start_run(dir.path());
    rx.wait(60, "L1's seven deliveries", |rx| {
        L1_ORDER
            .iter()
            .all(|id| rx.acked_ids("/json").contains(*id))
    });
    // The dead letter: six attempts about a second apart.
    let start = Instant::now();
    let dead = loop {
        let out = ok(&accord(&["hook", "dead"], dir.path()));
        if out.lines().count() > 2 || start.elapsed() > Duration::from_secs(60) {
            break out;
        }
        std::thread::sleep(Duration::from_millis(250));
    };
    let _ = run.kill();
    let _ = run.wait();

    let expected = expected(dir.path());
    // Hand-counted from the ingest's decisions: 2 routings, 2 MQLs, 1
    // acceptance, 3 breaches, 6 escalations (5 per breach step, 1 for
    // January's missed MQL target), 1 won deal; `accord run` may add
    // later months' target escalations.
    assert!(expected.len() >= 15, "{expected:?}");
    let l1: Vec<&str> = expected
        .iter()
        .filter(|(_, k)| k == "L1")
        .map(|(id, _)| id.as_str())
        .collect();
    assert_eq!(l1, L1_ORDER);
    let acked = rx.acked_ids("/json");
    for (id, _) in &expected {
        assert!(acked.contains(id), "{id} was never delivered");
    }
    let got = rx.got();
    let s = rx.shared.lock().unwrap();
    assert!(s.bad.is_empty(), "bad signatures: {:?}", s.bad);
    drop(s);
    // The first three requests failed, and were tried again.
    assert_eq!(got.iter().filter(|g| !g.acked).count(), 3);
    assert!(got.iter().all(|g| g.in_order), "{got:#?}");
    // Per lead, acked in log order: each key's first acks follow `expected`.
    for key in ["L1", "L2"] {
        let want: Vec<&str> = expected
            .iter()
            .filter(|(_, k)| k == key)
            .map(|(id, _)| id.as_str())
            .collect();
        let mut seen: Vec<&str> = Vec::new();
        for g in got
            .iter()
            .filter(|g| g.path == "/json" && g.acked && order_key(&g.body) == key)
        {
            let id = g.body["event_id"].as_str().unwrap();
            if !seen.contains(&id) {
                seen.push(id);
            }
        }
        assert_eq!(seen, want, "lead {key}");
    }
    // The won deal, both ways: shared credit in JSON, a sentence in Slack.
    let won = got
        .iter()
        .find(|g| g.path == "/json" && g.event_type == "opportunity.won")
        .unwrap();
    assert_eq!(won.body["data"]["credit"]["sales"]["rep_id"], "R1");
    assert_eq!(won.body["data"]["credit"]["marketing"]["sourced"], true);
    assert_eq!(
        won.body["data"]["credit"]["marketing"]["source_channel"],
        "webinar"
    );
    assert_eq!(won.body["data"]["amount"], "12345.50");
    let slack: Vec<&str> = got
        .iter()
        .filter(|g| g.path == "/slack" && g.acked)
        .filter_map(|g| g.body["text"].as_str())
        .collect();
    assert!(slack.contains(
        &"Deal won: opportunity O1 (new_business, account A1) for $12345.50 closed at 2026-02-01T12:00:00Z. Credit: R1 (owner) and marketing, which sourced lead L1 through webinar."
    ), "{slack:#?}");
    assert!(slack.contains(
        &"SLA breached: lead L2 (owner R1) was not given its accept-or-reject in time; the clock ran out at 2026-01-07T15:30:00Z."
    ), "{slack:#?}");
    assert!(
        got.iter().all(|g| g.path != "/late"),
        "history is not replayed to a new subscription"
    );

    // The dead letters: both MQLs to the closed port (two leads: neither
    // waits for the other), each after 6 attempts, L1's first.
    let rows: Vec<&str> = dead.lines().skip(1).collect();
    assert!(!rows.is_empty(), "no dead letter: {dead}");
    assert_eq!(
        rows[0].split('\t').nth(3),
        Some("stage_changed:~1"),
        "{dead}"
    );
    let first: Vec<&str> = rows[0].split('\t').collect();
    assert_eq!(first[2], "lead.mql", "{dead}");
    assert_eq!(first[4], "6", "{dead}");
    assert!(
        first[5].contains("onnection refused") || first[5].contains("onnect"),
        "{dead}"
    );
    // Replayed: pending again; an unknown id is refused by name.
    let replay = accord(&["hook", "replay", first[0]], dir.path());
    ok(&replay);
    assert!(text(&replay.stderr).contains("pending again"));
    let listed = ok(&accord(&["hook", "dead"], dir.path()));
    assert!(!listed
        .lines()
        .skip(1)
        .any(|l| l.starts_with(&format!("{}\t", first[0]))));
    let unknown = accord(&["hook", "replay", "9999"], dir.path());
    assert_eq!(unknown.status.code(), Some(1));
    assert!(text(&unknown.stderr).contains("no delivery 9999"));
    ok(&accord(&["hook", "delete", "3"], dir.path()));
    let gone = accord(&["hook", "delete", "3"], dir.path());
    assert!(
        text(&gone.stderr).contains("no subscription 3"),
        "{}",
        text(&gone.stderr)
    );
}

#[test]
fn nothing_pending_is_lost_across_a_kill_9_of_the_delivering_process() {
    let dir = tempfile::tempdir().unwrap();
    // Each answer held 700 ms: the process is killed with a request in flight.
    let rx = Receiver::start(0, Duration::from_millis(700));
    setup(dir.path(), &rx, || {});
    for kill_after in [2, 6] {
        let mut run = start_run(dir.path());
        rx.wait(60, "requests before the kill", |rx| {
            rx.got().len() >= kill_after
        });
        run.kill().unwrap(); // SIGKILL
        run.wait().unwrap();
    }
    let before = rx.got().len();
    let mut run = start_run(dir.path());
    let expected = expected(dir.path());
    rx.wait(90, "every expected delivery", |rx| {
        let acked = rx.acked_ids("/json");
        expected.iter().all(|(id, _)| acked.contains(id))
    });
    let _ = run.kill();
    let _ = run.wait();
    let got = rx.got();
    assert!(got.len() > before);
    // The requests in flight at the kills were sent again: the same
    // X-Accord-Delivery id arrived more than once (at least once, not
    // exactly once: receivers de-duplicate on it).
    let mut ids = HashSet::new();
    let repeated = got
        .iter()
        .filter(|g| !ids.insert(g.delivery.clone()))
        .count();
    assert!(repeated >= 1, "{got:#?}");
    assert!(rx.shared.lock().unwrap().bad.is_empty());
    assert!(got.iter().all(|g| g.in_order), "{got:#?}");
    // Per lead, first arrivals in log order.
    for key in ["L1", "L2"] {
        let want: Vec<&str> = expected
            .iter()
            .filter(|(_, k)| k == key)
            .map(|(id, _)| id.as_str())
            .collect();
        let mut seen: Vec<&str> = Vec::new();
        for g in got
            .iter()
            .filter(|g| g.path == "/json" && order_key(&g.body) == key)
        {
            let id = g.body["event_id"].as_str().unwrap();
            if !seen.contains(&id) {
                seen.push(id);
            }
        }
        assert_eq!(seen, want, "lead {key}");
    }
    // Every Slack delivery too (2 breaches' worth plus the won deal at least).
    let slack: HashSet<String> = got
        .iter()
        .filter(|g| g.path == "/slack")
        .map(|g| g.delivery.clone())
        .collect();
    assert!(slack.len() >= 4, "{slack:?}");
}
