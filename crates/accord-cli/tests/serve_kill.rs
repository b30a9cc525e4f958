//! Nothing acknowledged is lost: the real `accord serve` on a real database
//! file, posted to by several loopback clients (single events and batches),
//! killed with SIGKILL at random points and started again. Afterwards every
//! event that got a 2xx is stored exactly once, nothing is stored that was
//! not sent, sending everything again stores only what was never stored,
//! and `accord replay`'s state hash equals that of a fresh database fed the
//! same exported inputs in the same order.
//!
//! The kill points come from a seed (`ACCORD_KILL_SEED`, printed on
//! failure), so a failing run can be repeated.
//!
//! Event times are in 2030, after the machine's clock: the server steps the
//! SLA clocks by the wall clock, and with every deadline still ahead those
//! steps fire nothing, so the log is the inputs and the decisions they led
//! to, which a fresh `accord ingest` of the same inputs must reproduce.

mod common;

use common::{accord, command, ok, text};

use std::collections::{HashMap, HashSet};
use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::path::Path;
use std::process::{Child, Stdio};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

const CLIENTS: usize = 4;
const KILLS: usize = 5;

/// splitmix64: the test's only source of randomness, from the seed.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }
    fn below(&mut self, n: u64) -> u64 {
        self.next() % n
    }
}

struct Server {
    child: Child,
    addr: String,
    log: Arc<Mutex<String>>,
}

/// Starts `accord serve` on a random loopback port over `a.db` and waits
/// until it is ready; its first admin token, if it printed one.
#[allow(clippy::zombie_processes)]
fn start(dir: &Path) -> (Server, Option<String>) {
    let mut child = command(
        &[
            "serve",
            "--listen",
            "127.0.0.1:0",
            "--db",
            "a.db",
            "--rate",
            "1000000",
        ],
        dir,
    )
    .stderr(Stdio::piped())
    .spawn()
    .unwrap();
    let mut err = BufReader::new(child.stderr.take().unwrap());
    let mut token = None;
    let mut seen = String::new();
    let addr = loop {
        let mut line = String::new();
        assert!(
            err.read_line(&mut line).unwrap() > 0,
            "accord serve ended before serving:\n{seen}"
        );
        seen.push_str(&line);
        if let Some(t) = line.trim().strip_prefix("acc_") {
            token = Some(format!("acc_{t}"));
        }
        if let Some(rest) = line.strip_prefix("serving a.db on http://") {
            break rest.split(' ').next().unwrap().trim().to_owned();
        }
    };
    // Drain stderr so that the server never blocks on it; kept for messages.
    let log = Arc::new(Mutex::new(seen));
    let sink = Arc::clone(&log);
    std::thread::spawn(move || {
        let mut rest = String::new();
        let _ = err.read_to_string(&mut rest);
        sink.lock().unwrap().push_str(&rest);
    });
    let deadline = Instant::now() + Duration::from_secs(20);
    loop {
        if let Ok((200, _)) = request(&addr, "GET", "/readyz", "", "") {
            break;
        }
        assert!(Instant::now() < deadline, "accord serve never got ready");
        std::thread::sleep(Duration::from_millis(10));
    }
    (Server { child, addr, log }, token)
}

fn kill9(server: &mut Server) {
    let pid = server.child.id().to_string();
    assert!(std::process::Command::new("kill")
        .args(["-KILL", &pid])
        .status()
        .unwrap()
        .success());
    server.child.wait().unwrap();
}

/// One HTTP/1.1 request on its own connection; the status and the body, or
/// the I/O error (a server killed mid-request).
fn request(
    addr: &str,
    method: &str,
    path: &str,
    token: &str,
    body: &str,
) -> std::io::Result<(u16, String)> {
    let mut s = TcpStream::connect(addr)?;
    s.set_read_timeout(Some(Duration::from_secs(30)))?;
    write!(
        s,
        "{method} {path} HTTP/1.1\r\nHost: x\r\nConnection: close\r\nAuthorization: Bearer {token}\r\nContent-Type: application/json\r\nContent-Length: {}\r\n\r\n{body}",
        body.len()
    )?;
    let mut out = String::new();
    s.read_to_string(&mut out)?;
    let status = out
        .split(' ')
        .nth(1)
        .and_then(|s| s.parse().ok())
        .ok_or_else(|| std::io::Error::other(format!("no status in `{out}`")))?;
    let body = out.split_once("\r\n\r\n").map_or("", |(_, b)| b).to_owned();
    Ok((status, body))
}

/// Posts events; `Ok(outcomes)` in order for a 2xx, `Err` for anything else
/// (the server gone, or a status that is not 2xx, with its text).
fn post(addr: &str, token: &str, events: &[String]) -> Result<Vec<String>, String> {
    let (body, single) = if events.len() == 1 {
        (events[0].clone(), true)
    } else {
        (format!("[{}]", events.join(",")), false)
    };
    let (status, text) =
        request(addr, "POST", "/v1/events", token, &body).map_err(|e| e.to_string())?;
    if !(200..300).contains(&status) {
        return Err(format!("{status} {text}"));
    }
    let v: serde_json::Value = serde_json::from_str(&text).map_err(|e| format!("{e}: {text}"))?;
    let results = if single {
        vec![v]
    } else {
        v["results"].as_array().unwrap().clone()
    };
    Ok(results
        .iter()
        .map(|r| r["outcome"].as_str().unwrap().to_owned())
        .collect())
}

/// `second` seconds after 2030-01-07 15:00 UTC (a Monday, within NA
/// working hours). Times only grow with `second`: a touch is never dated
/// before the lead it names, however long a client runs.
fn at(second: u64) -> String {
    let s = 15 * 3600 + second;
    let (day, s) = (7 + s / 86_400, s % 86_400);
    assert!(day <= 28, "a client sent more than three weeks of seconds");
    format!(
        "2030-01-{day:02}T{:02}:{:02}:{:02}Z",
        s / 3600,
        s / 60 % 60,
        s % 60
    )
}

fn lead(id: &str, second: u64) -> String {
    format!(
        r#"{{"type":"lead_created","lead_id":"{id}","email":"{id}@contoso.example","seniority":"vp","industry_reported":"software","country":"US","region":"NA","source_channel":"organic_search","created_at":"{}"}}"#,
        at(second)
    )
}

fn touch(id: &str, lead_id: &str, second: u64) -> String {
    format!(
        r#"{{"type":"touched","touch_id":"{id}","lead_id":"{lead_id}","occurred_at":"{}","kind":"demo_request","channel":"direct"}}"#,
        at(second)
    )
}

/// One client's part: what it sent (in order) and what was acknowledged.
#[derive(Default)]
struct Client {
    number: usize,
    next: u64,
    /// Leads acknowledged, which later touches may name.
    leads: Vec<String>,
    sent: Vec<(String, String)>,
    acked: HashSet<String>,
}

impl Client {
    /// The next request: a lead alone, a touch alone, or a batch of new
    /// leads each followed by a touch on it.
    fn next_request(&mut self, rng: &mut Rng) -> Vec<(String, String)> {
        let c = self.number;
        let mut out = Vec::new();
        let kind = rng.below(3);
        let count = if kind == 2 { 1 + rng.below(20) } else { 1 };
        for _ in 0..count {
            self.next += 1;
            let n = self.next;
            let second = n;
            if kind == 1 && !self.leads.is_empty() {
                let l = self.leads[rng.below(self.leads.len() as u64) as usize].clone();
                let id = format!("T{c}-{n}");
                out.push((id.clone(), touch(&id, &l, second)));
            } else {
                let id = format!("L{c}-{n}");
                out.push((id.clone(), lead(&id, second)));
                if kind == 2 {
                    let t = format!("T{c}-{n}");
                    out.push((t.clone(), touch(&t, &id, second)));
                }
            }
        }
        out
    }

    /// Sends until `stop` is set or the server is gone.
    fn run(&mut self, addr: &str, token: &str, stop: &AtomicBool, rng: &mut Rng) {
        while !stop.load(Ordering::Relaxed) {
            let events = self.next_request(rng);
            self.sent.extend(events.iter().cloned());
            let lines: Vec<String> = events.iter().map(|(_, l)| l.clone()).collect();
            match post(addr, token, &lines) {
                Ok(outcomes) => {
                    assert_eq!(outcomes.len(), events.len());
                    for ((id, _), outcome) in events.iter().zip(&outcomes) {
                        assert_eq!(outcome, "stored", "{id}");
                        self.acked.insert(id.clone());
                        if id.starts_with('L') {
                            self.leads.push(id.clone());
                        }
                    }
                }
                Err(_) => return,
            }
        }
    }
}

/// The inputs of `accord export events` (origin `ingested`), in log order:
/// their ids (a lead's, a touch's or a rep's) and lines.
fn exported_inputs(dir: &Path) -> Vec<(String, String)> {
    let out = ok(&accord(&["export", "events", "--db", "a.db"], dir));
    out.lines()
        .filter_map(|l| {
            let v: serde_json::Value = serde_json::from_str(l).unwrap();
            if v["origin"] != "ingested" {
                return None;
            }
            let id = ["touch_id", "lead_id", "rep_id"]
                .iter()
                .find_map(|k| v[k].as_str())
                .unwrap()
                .to_owned();
            Some((id, l.to_owned()))
        })
        .collect()
}

/// `accord replay`'s state line.
fn state(dir: &Path, db: &str) -> String {
    ok(&accord(&["replay", "--db", db], dir))
        .lines()
        .next()
        .unwrap()
        .to_owned()
}

/// The state of a fresh database with the starter agreement adopted and
/// `lines` ingested in order.
fn clean_replay(lines: &[(String, String)]) -> String {
    let dir = tempfile::tempdir().unwrap();
    ok(&accord(&["init"], dir.path()));
    ok(&accord(
        &["agreement", "adopt", "accord.toml", "--db", "b.db"],
        dir.path(),
    ));
    let body: String = lines.iter().map(|(_, l)| format!("{l}\n")).collect();
    std::fs::write(dir.path().join("in.jsonl"), body).unwrap();
    let out = accord(&["ingest", "in.jsonl", "--db", "b.db"], dir.path());
    assert!(
        text(&out.stderr).contains(&format!("{} stored, 0 already", lines.len())),
        "{}",
        text(&out.stderr)
    );
    state(dir.path(), "b.db")
}

#[test]
fn events_acknowledged_survive_kill_9_exactly_once() {
    let seed: u64 = std::env::var("ACCORD_KILL_SEED")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(16);
    eprintln!("ACCORD_KILL_SEED={seed}");
    let mut rng = Rng(seed);
    let dir = tempfile::tempdir().unwrap();
    ok(&accord(&["init"], dir.path()));
    ok(&accord(
        &["agreement", "adopt", "accord.toml", "--db", "a.db"],
        dir.path(),
    ));

    let (mut server, token) = start(dir.path());
    let token = token.expect("a first admin token");
    let reps: Vec<(String, String)> = (1..=3)
        .map(|r| {
            (
                format!("R{r}"),
                format!(
                    r#"{{"type":"rep_recorded","rep_id":"R{r}","name":"Rep {r}","email":"r{r}@seller.example","team":"sdr","region":"NA","vertical":"software","capacity_per_day":50,"hired_at":"2024-01-01T00:00:00Z"}}"#
                ),
            )
        })
        .collect();
    let lines: Vec<String> = reps.iter().map(|(_, l)| l.clone()).collect();
    assert_eq!(
        post(&server.addr, &token, &lines).unwrap(),
        ["stored", "stored", "stored"]
    );

    let mut clients: Vec<Client> = (0..CLIENTS)
        .map(|number| Client {
            number,
            ..Client::default()
        })
        .collect();
    for round in 0..=KILLS {
        let stop = Arc::new(AtomicBool::new(false));
        let handles: Vec<_> = clients
            .drain(..)
            .map(|mut c| {
                let (addr, token, stop) = (server.addr.clone(), token.clone(), Arc::clone(&stop));
                let mut rng = Rng(seed ^ ((round * CLIENTS + c.number) as u64 + 1) << 32);
                std::thread::spawn(move || {
                    c.run(&addr, &token, &stop, &mut rng);
                    c
                })
            })
            .collect();
        std::thread::sleep(Duration::from_millis(100 + rng.below(400)));
        if round < KILLS {
            kill9(&mut server);
        }
        stop.store(true, Ordering::Relaxed);
        clients = handles.into_iter().map(|h| h.join().unwrap()).collect();
        if round < KILLS {
            server = start(dir.path()).0;
        }
    }

    // After the last start, before anything is sent again.
    let sent: HashMap<&str, &str> = reps
        .iter()
        .chain(clients.iter().flat_map(|c| &c.sent))
        .map(|(id, l)| (id.as_str(), l.as_str()))
        .collect();
    let acked: HashSet<&str> = reps
        .iter()
        .map(|(id, _)| id.as_str())
        .chain(
            clients
                .iter()
                .flat_map(|c| c.acked.iter().map(String::as_str)),
        )
        .collect();
    let stored = exported_inputs(dir.path());
    let mut times: HashMap<&str, usize> = HashMap::new();
    for (id, _) in &stored {
        *times.entry(id.as_str()).or_default() += 1;
        assert!(sent.contains_key(id.as_str()), "{id} stored, never sent");
    }
    for id in &acked {
        assert_eq!(
            times.get(id),
            Some(&1),
            "{id} acknowledged, stored {:?} times",
            times.get(id)
        );
    }
    let unacked_stored = stored
        .iter()
        .filter(|(id, _)| !acked.contains(id.as_str()))
        .count();
    eprintln!(
        "sent {}, acknowledged {}, stored {} ({unacked_stored} of them unacknowledged)",
        sent.len(),
        acked.len(),
        stored.len()
    );
    assert!(
        acked.len() > 200,
        "too little was acknowledged to mean anything"
    );
    assert_eq!(state(dir.path(), "a.db"), clean_replay(&stored));

    // Everything sent, again, in each client's order: what is stored is a
    // duplicate, what never was is stored now.
    let was_stored: HashSet<&str> = times.keys().copied().collect();
    for c in &clients {
        for chunk in c.sent.chunks(50) {
            let lines: Vec<String> = chunk.iter().map(|(_, l)| l.clone()).collect();
            let outcomes = post(&server.addr, &token, &lines).unwrap();
            for ((id, _), outcome) in chunk.iter().zip(&outcomes) {
                let expected = if was_stored.contains(id.as_str()) {
                    "duplicate"
                } else {
                    "stored"
                };
                assert_eq!(outcome, expected, "{id} sent again");
            }
        }
    }
    let after = exported_inputs(dir.path());
    assert_eq!(after.len(), sent.len());
    assert_eq!(after[..stored.len()], stored[..]);
    assert_eq!(state(dir.path(), "a.db"), clean_replay(&after));
    let log = server.log.lock().unwrap().clone();
    kill9(&mut server);
    assert!(!log.contains("panicked"), "{log}");
}
