//! Webhooks through the server: a subscription made over HTTP to a real
//! receiver on loopback, events posted that make two leads MQLs and route
//! them, the signed deliveries arriving from the server's own delivery
//! thread (each signature checked with the secret the API returned once);
//! a subscription whose receiver always fails becomes dead letters, listed
//! and replayed over HTTP; list and delete; the counters in /metrics.

mod common;

use std::collections::{BTreeSet, HashMap};
use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpListener;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use common::TestServer;
use serde_json::Value;

const DEFAULT: &str = accord_core::agreement::DEFAULT_AGREEMENT;

/// Two leads of Contoso, each scoring 85 with its two touches: MQLs,
/// routed by territory_and_vertical (the lines of accord-cli's tests/hooks.rs).
const LINES: &[&str] = &[
    r#"{"type":"rep_recorded","rep_id":"R1","name":"Rui","email":"rui@seller.example","team":"sdr","region":"NA","vertical":"software","capacity_per_day":5,"hired_at":"2024-01-01T00:00:00Z"}"#,
    r#"{"type":"account_recorded","account_id":"A1","name":"Contoso","domain":"contoso.example","industry":"software","employees":800,"country":"US","region":"NA","tier":"enterprise","created_at":"2024-01-01T00:00:00Z"}"#,
    r#"{"type":"lead_created","lead_id":"L1","email":"ana@contoso.example","full_name":"Ana Lima","title":"VP Operations","seniority":"vp","industry_reported":"software","country":"US","region":"NA","source_channel":"webinar","created_at":"2026-01-05T15:00:00Z"}"#,
    r#"{"type":"touched","touch_id":"T1","lead_id":"L1","occurred_at":"2026-01-05T15:05:00Z","kind":"pricing_page_view","channel":"organic_search"}"#,
    r#"{"type":"touched","touch_id":"T2","lead_id":"L1","occurred_at":"2026-01-05T15:10:00Z","kind":"demo_request","channel":"direct"}"#,
    r#"{"type":"lead_created","lead_id":"L2","email":"bo@contoso.example","full_name":"Bo Li","title":"VP Sales","seniority":"vp","industry_reported":"software","country":"US","region":"NA","source_channel":"organic_search","created_at":"2026-01-05T15:20:00Z"}"#,
    r#"{"type":"touched","touch_id":"T3","lead_id":"L2","occurred_at":"2026-01-05T15:25:00Z","kind":"pricing_page_view","channel":"organic_search"}"#,
    r#"{"type":"touched","touch_id":"T4","lead_id":"L2","occurred_at":"2026-01-05T15:30:00Z","kind":"demo_request","channel":"direct"}"#,
];

#[derive(Clone, Debug)]
struct Got {
    path: String,
    delivery: i64,
    event_type: String,
    body: Value,
    signed: bool,
}

/// A loopback receiver: `/down` answers 500 until `up` is set, anything
/// else 200; every request's signature checked with its path's secret.
struct Receiver {
    port: u16,
    got: Arc<Mutex<Vec<Got>>>,
    secrets: Arc<Mutex<HashMap<String, String>>>,
    up: Arc<AtomicBool>,
}

impl Receiver {
    fn start() -> Receiver {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let r = Receiver {
            port: listener.local_addr().unwrap().port(),
            got: Arc::default(),
            secrets: Arc::default(),
            up: Arc::default(),
        };
        let (got, secrets, up) = (r.got.clone(), r.secrets.clone(), r.up.clone());
        std::thread::spawn(move || {
            for stream in listener.incoming().flatten() {
                let mut reader = BufReader::new(stream.try_clone().unwrap());
                let mut line = String::new();
                if reader.read_line(&mut line).unwrap_or(0) == 0 {
                    continue;
                }
                let path = line.split_whitespace().nth(1).unwrap_or("").to_string();
                let mut headers = HashMap::new();
                loop {
                    let mut h = String::new();
                    if reader.read_line(&mut h).unwrap_or(0) == 0 || h.trim().is_empty() {
                        break;
                    }
                    if let Some((k, v)) = h.split_once(':') {
                        headers.insert(k.trim().to_ascii_lowercase(), v.trim().to_string());
                    }
                }
                let len = headers
                    .get("content-length")
                    .and_then(|v| v.parse().ok())
                    .unwrap_or(0);
                let mut body = vec![0; len];
                let _ = reader.read_exact(&mut body);
                let secret = secrets
                    .lock()
                    .unwrap()
                    .get(&path)
                    .cloned()
                    .unwrap_or_default();
                let signed = accord_hooks::sign::verify(
                    headers.get("x-accord-signature").map_or("", String::as_str),
                    &secret,
                    &body,
                    common::now(),
                )
                .is_ok();
                got.lock().unwrap().push(Got {
                    path: path.clone(),
                    delivery: headers
                        .get("x-accord-delivery")
                        .and_then(|v| v.parse().ok())
                        .unwrap_or(-1),
                    event_type: headers.get("x-accord-event").cloned().unwrap_or_default(),
                    body: serde_json::from_slice(&body).unwrap_or(Value::Null),
                    signed,
                });
                let status = if path == "/down" && !up.load(Ordering::SeqCst) {
                    500
                } else {
                    200
                };
                let mut stream = stream;
                let _ = write!(
                    stream,
                    "HTTP/1.1 {status} X\r\ncontent-length: 0\r\nconnection: close\r\n\r\n"
                );
            }
        });
        r
    }

    fn url(&self, path: &str) -> String {
        format!("http://127.0.0.1:{}{path}", self.port)
    }

    fn got(&self, path: &str) -> Vec<Got> {
        let got = self.got.lock().unwrap();
        got.iter().filter(|g| g.path == path).cloned().collect()
    }
}

fn wait_for(secs: u64, what: &str, done: impl Fn() -> bool) {
    let t0 = Instant::now();
    while !done() {
        assert!(
            t0.elapsed() < Duration::from_secs(secs),
            "{what} not within {secs} s"
        );
        std::thread::sleep(Duration::from_millis(50));
    }
}

/// (event type, lead) of each delivery.
fn seen(got: &[Got]) -> BTreeSet<(String, String)> {
    got.iter()
        .map(|g| {
            (
                g.event_type.clone(),
                g.body["data"]["lead_id"].as_str().unwrap_or("").to_string(),
            )
        })
        .collect()
}

fn metric(s: &TestServer, name: &str) -> Option<f64> {
    let text = s.get("/metrics", None).body;
    text.lines()
        .find_map(|l| l.strip_prefix(&format!("{name} ")))
        .map(|v| v.parse().unwrap())
}

#[test]
fn subscriptions_made_over_http_get_signed_deliveries_dead_letters_replay() {
    let rx = Receiver::start();
    let s = TestServer::start(accord_serve::Limits::default(), |_| {});
    let admin = s.admin.clone();
    let r = s.call(
        "POST",
        "/v1/agreement",
        Some(&admin),
        &[],
        DEFAULT.as_bytes(),
    );
    assert_eq!(r.status, 201, "{}", r.body);

    // Bad input: a problem naming the field.
    for (body, status, pointer) in [
        (r#"{"url":"ftp://x","events":["lead.mql"]}"#, 422, "/url"),
        (
            r#"{"url":"http://x/","events":["lead.mql","lead.won"]}"#,
            422,
            "/events/1",
        ),
        (r#"{"url":"http://x/","events":[]}"#, 422, "/events"),
        (
            r#"{"url":"http://x/","events":["lead.mql"],"format":"xml"}"#,
            422,
            "/format",
        ),
        (
            r#"{"url":"http://x/","events":["lead.mql"],"secret":"s"}"#,
            422,
            "/secret",
        ),
        (r#"["lead.mql"]"#, 400, ""),
    ] {
        let r = s.post("/v1/webhooks", Some(&admin), body);
        assert_eq!(r.status, status, "{body}: {}", r.body);
        assert_eq!(r.header("content-type"), Some("application/problem+json"));
        assert_eq!(
            r.json()["pointer"].as_str(),
            Some(pointer),
            "{body}: {}",
            r.body
        );
    }

    let made = |path: &str, events: &str| {
        let body = format!(r#"{{"url":"{}","events":{events}}}"#, rx.url(path));
        let r = s.post("/v1/webhooks", Some(&admin), &body);
        assert_eq!(r.status, 201, "{}", r.body);
        let j = r.json();
        let secret = j["secret"].as_str().unwrap().to_string();
        rx.secrets.lock().unwrap().insert(path.to_string(), secret);
        j["id"].as_i64().unwrap()
    };
    let ok_id = made("/ok", r#"["lead.mql","lead.routed"]"#);
    let down_id = made("/down", r#"["lead.mql"]"#);
    let r = s.get("/v1/webhooks", Some(&admin));
    assert_eq!(r.status, 200);
    let list = r.json();
    assert_eq!(list.as_array().unwrap().len(), 2, "{}", r.body);
    assert_eq!(list[0]["id"], ok_id);
    assert_eq!(
        list[0]["events"],
        serde_json::json!(["lead.mql", "lead.routed"])
    );
    assert_eq!(list[0]["format"], "json");
    assert!(
        !r.body.contains("secret"),
        "a list shows no secret: {}",
        r.body
    );

    let r = s.post(
        "/v1/events",
        Some(&admin),
        &format!("[{}]", LINES.join(",")),
    );
    assert_eq!(r.status, 200, "{}", r.body);

    // Two MQLs, two routings, to /ok; each signed with the secret given.
    wait_for(20, "four deliveries to /ok", || rx.got("/ok").len() >= 4);
    let ok = rx.got("/ok");
    assert!(ok.iter().all(|g| g.signed), "{ok:?}");
    let want: BTreeSet<(String, String)> = [
        ("lead.mql", "L1"),
        ("lead.mql", "L2"),
        ("lead.routed", "L1"),
        ("lead.routed", "L2"),
    ]
    .iter()
    .map(|(a, b)| (a.to_string(), b.to_string()))
    .collect();
    assert_eq!(seen(&ok), want);
    for g in &ok {
        assert_eq!(g.body["type"].as_str(), Some(g.event_type.as_str()));
    }

    // /down fails three times (the schedule 1 s, 1 s): two dead letters.
    let dead = || s.get("/v1/webhooks/dead", Some(&admin)).json();
    // The counters move once the round that recorded them ends.
    wait_for(30, "two dead letters", || {
        dead().as_array().unwrap().len() == 2
            && metric(&s, "accord_webhook_dead_letters_total") == Some(2.0)
    });
    let d = dead();
    for letter in d.as_array().unwrap() {
        assert_eq!(letter["subscription"], down_id);
        assert_eq!(letter["state"], "dead");
        assert_eq!(letter["attempts"], 3);
        assert_eq!(letter["last_status"], 500);
        assert_eq!(letter["event_type"], "lead.mql");
    }
    assert_eq!(rx.got("/down").len(), 6, "three attempts each");
    assert_eq!(metric(&s, "accord_webhook_dead_letters_total"), Some(2.0));
    assert_eq!(metric(&s, "accord_webhook_retries_total"), Some(4.0));
    assert_eq!(metric(&s, "accord_webhook_deliveries_total"), Some(4.0));
    assert_eq!(
        metric(&s, "accord_webhook_deliveries_queued_total"),
        Some(6.0)
    );
    assert_eq!(metric(&s, "accord_webhook_outbox_pending"), Some(0.0));

    // The receiver comes back; one dead letter replayed over HTTP arrives.
    rx.up.store(true, Ordering::SeqCst);
    let first = d[0]["id"].as_i64().unwrap();
    let r = s.post(
        &format!("/v1/webhooks/deliveries/{first}/replay"),
        Some(&admin),
        "",
    );
    assert_eq!(r.status, 200, "{}", r.body);
    assert_eq!(
        (r.json()["state"].as_str(), r.json()["attempts"].as_u64()),
        (Some("pending"), Some(0))
    );
    wait_for(20, "the replayed delivery", || {
        rx.got("/down")
            .iter()
            .any(|g| g.delivery == first && g.signed)
            && dead().as_array().unwrap().len() == 1
    });
    // Recorded once the receiver answered: delivered, not a dead letter.
    wait_for(10, "the replay recorded", || {
        metric(&s, "accord_webhook_deliveries_total") == Some(5.0)
    });
    assert_eq!(dead().as_array().unwrap().len(), 1);
    assert_eq!(metric(&s, "accord_webhook_dead_letters_total"), Some(2.0));
    let r = s.post("/v1/webhooks/deliveries/999999/replay", Some(&admin), "");
    assert_eq!(r.status, 404, "{}", r.body);
    let r = s.post("/v1/webhooks/deliveries/x/replay", Some(&admin), "");
    assert_eq!(
        (r.status, r.json()["parameter"].as_str()),
        (400, Some("id")),
        "{}",
        r.body
    );

    // Delete: gone from the list, its dead letter with it; twice is 404.
    let r = s.call(
        "DELETE",
        &format!("/v1/webhooks/{down_id}"),
        Some(&admin),
        &[],
        b"",
    );
    assert_eq!(r.status, 204, "{}", r.body);
    let r = s.call(
        "DELETE",
        &format!("/v1/webhooks/{down_id}"),
        Some(&admin),
        &[],
        b"",
    );
    assert_eq!(r.status, 404, "{}", r.body);
    let list = s.get("/v1/webhooks", Some(&admin)).json();
    assert_eq!(list.as_array().unwrap().len(), 1);
    assert_eq!(list[0]["id"], ok_id);
    assert_eq!(dead().as_array().unwrap().len(), 0);

    // The server stops with its delivery thread.
    let (_dir, _db) = s.stop();
}
