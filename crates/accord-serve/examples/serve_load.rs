//! The load client of bench/serve.sh: plain HTTP/1.1 over keep-alive
//! loopback connections (std only), so that the client costs little of the
//! machine's two cores.
//!
//!   serve_load leads ADDR TOKEN RATE SECONDS [CONNS]
//!     open loop: new lead i is due at start + i/RATE, whatever the answers
//!     before it; its latency runs from that scheduled time to the end of
//!     the answer, which must be 201 and carry the lead's stage and owner.
//!     Prints sent, errors, late starts, p50, p99, max.
//!   batches ADDR TOKEN FILE BATCH [CONNS]
//!     the file's JSON lines posted in order as arrays of BATCH, CONNS
//!     requests in flight; prints events, seconds, events/s, stored.

use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::sync::atomic::{AtomicU64, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

struct Conn {
    addr: String,
    stream: Option<BufReader<TcpStream>>,
}

impl Conn {
    fn new(addr: &str) -> Self {
        Self {
            addr: addr.to_owned(),
            stream: None,
        }
    }

    /// POST `body` to `path`; the status and the body. Reconnects once when
    /// a kept-alive connection was closed.
    fn post(&mut self, path: &str, token: &str, body: &[u8]) -> std::io::Result<(u16, Vec<u8>)> {
        for attempt in 0..2 {
            if self.stream.is_none() {
                let s = TcpStream::connect(&self.addr)?;
                s.set_nodelay(true)?;
                self.stream = Some(BufReader::new(s));
            }
            match self.exchange(path, token, body) {
                Ok(r) => return Ok(r),
                Err(e) if attempt == 0 => {
                    self.stream = None;
                    let _ = e;
                }
                Err(e) => return Err(e),
            }
        }
        unreachable!()
    }

    fn exchange(
        &mut self,
        path: &str,
        token: &str,
        body: &[u8],
    ) -> std::io::Result<(u16, Vec<u8>)> {
        let r = self.stream.as_mut().unwrap();
        let head = format!(
            "POST {path} HTTP/1.1\r\nHost: bench\r\nAuthorization: Bearer {token}\r\nContent-Type: application/json\r\nContent-Length: {}\r\n\r\n",
            body.len()
        );
        let mut msg = head.into_bytes();
        msg.extend_from_slice(body);
        r.get_mut().write_all(&msg)?;
        let mut line = String::new();
        if r.read_line(&mut line)? == 0 {
            return Err(std::io::Error::other("closed"));
        }
        let status: u16 = line
            .split(' ')
            .nth(1)
            .and_then(|s| s.parse().ok())
            .ok_or_else(|| std::io::Error::other(format!("bad status line {line:?}")))?;
        let mut length = None;
        let mut close = false;
        loop {
            line.clear();
            r.read_line(&mut line)?;
            let l = line.trim_end();
            if l.is_empty() {
                break;
            }
            let (k, v) = l.split_once(':').unwrap_or((l, ""));
            if k.eq_ignore_ascii_case("content-length") {
                length = v.trim().parse::<usize>().ok();
            } else if k.eq_ignore_ascii_case("connection") && v.trim().eq_ignore_ascii_case("close")
            {
                close = true;
            }
        }
        let length = length.ok_or_else(|| std::io::Error::other("no Content-Length"))?;
        let mut out = vec![0; length];
        r.read_exact(&mut out)?;
        if close {
            self.stream = None;
        }
        Ok((status, out))
    }
}

fn percentile(sorted: &[Duration], p: f64) -> f64 {
    if sorted.is_empty() {
        return f64::NAN;
    }
    let i = ((sorted.len() as f64 * p).ceil() as usize).clamp(1, sorted.len()) - 1;
    sorted[i].as_secs_f64() * 1000.0
}

fn rfc3339_now() -> String {
    let s = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .unwrap()
        .as_secs() as i64;
    let days = s.div_euclid(86_400);
    let rem = s.rem_euclid(86_400);
    // Civil from days (proleptic Gregorian), 1970-01-01 = day 0.
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = doy - (153 * mp + 2) / 5 + 1;
    let m = if mp < 10 { mp + 3 } else { mp - 9 };
    let y = yoe + era * 400 + i64::from(m <= 2);
    format!(
        "{y:04}-{m:02}-{d:02}T{:02}:{:02}:{:02}Z",
        rem / 3600,
        rem / 60 % 60,
        rem % 60
    )
}

const REGIONS: [(&str, &str); 4] = [("US", "NA"), ("GB", "EMEA"), ("DE", "EMEA"), ("SG", "APAC")];
const SENIORITY: [&str; 4] = ["vp", "director", "manager", "c_level"];

fn lead_body(run: u64, i: u64) -> String {
    let (country, region) = REGIONS[(i % 4) as usize];
    format!(
        r#"{{"type":"lead_created","lead_id":"BENCH-{run}-{i}","email":"p{i}@bench{}.example","seniority":"{}","country":"{country}","region":"{region}","source_channel":"referral","created_at":"{}"}}"#,
        i % 997,
        SENIORITY[(i % 4) as usize],
        rfc3339_now()
    )
}

fn leads(addr: &str, token: &str, rate: f64, seconds: f64, conns: usize) {
    let total = (rate * seconds) as u64;
    let run = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .unwrap()
        .as_secs();
    let next = Arc::new(AtomicU64::new(0));
    let errors = Arc::new(AtomicUsize::new(0));
    let late = Arc::new(AtomicUsize::new(0));
    let times = Arc::new(Mutex::new(Vec::with_capacity(total as usize)));
    let first_error = Arc::new(Mutex::new(None::<String>));
    let start = Instant::now() + Duration::from_millis(200);
    let workers: Vec<_> = (0..conns)
        .map(|_| {
            let (next, errors, late, times, first_error) = (
                Arc::clone(&next),
                Arc::clone(&errors),
                Arc::clone(&late),
                Arc::clone(&times),
                Arc::clone(&first_error),
            );
            let (addr, token) = (addr.to_owned(), token.to_owned());
            std::thread::spawn(move || {
                let mut conn = Conn::new(&addr);
                let mut mine = Vec::new();
                loop {
                    let i = next.fetch_add(1, Ordering::Relaxed);
                    if i >= total {
                        break;
                    }
                    let due = start + Duration::from_secs_f64(i as f64 / rate);
                    let now = Instant::now();
                    if now < due {
                        std::thread::sleep(due - now);
                    } else if now - due > Duration::from_millis(1) {
                        late.fetch_add(1, Ordering::Relaxed);
                    }
                    let body = lead_body(run, i);
                    let answer = conn.post("/v1/events", &token, body.as_bytes());
                    let took = due.elapsed();
                    let fine = match &answer {
                        Ok((201, b)) => {
                            let v: serde_json::Value =
                                serde_json::from_slice(b).unwrap_or_default();
                            v["lead"]["stage"].is_string() && v["lead"].get("owner").is_some()
                        }
                        _ => false,
                    };
                    if fine {
                        mine.push(took);
                    } else {
                        errors.fetch_add(1, Ordering::Relaxed);
                        let mut f = first_error.lock().unwrap();
                        if f.is_none() {
                            *f = Some(match answer {
                                Ok((s, b)) => format!("{s} {}", String::from_utf8_lossy(&b)),
                                Err(e) => e.to_string(),
                            });
                        }
                    }
                }
                times.lock().unwrap().extend(mine);
            })
        })
        .collect();
    for w in workers {
        w.join().unwrap();
    }
    let elapsed = start.elapsed().as_secs_f64();
    let mut t = times.lock().unwrap().clone();
    t.sort_unstable();
    let errors = errors.load(Ordering::Relaxed);
    println!(
        "leads: sent {total} in {elapsed:.1} s ({:.0}/s offered {rate}/s), errors {errors} ({:.3} %), started >1 ms late {}, p50 {:.2} ms, p99 {:.2} ms, p99.9 {:.2} ms, max {:.2} ms",
        total as f64 / elapsed,
        100.0 * errors as f64 / total as f64,
        late.load(Ordering::Relaxed),
        percentile(&t, 0.50),
        percentile(&t, 0.99),
        percentile(&t, 0.999),
        percentile(&t, 1.0),
    );
    let first = first_error.lock().unwrap().clone();
    if let Some(e) = first {
        println!("first error: {e}");
    }
}

fn batches(addr: &str, token: &str, file: &str, batch: usize, conns: usize) {
    let text = std::fs::read_to_string(file).expect("the lines file");
    let lines: Vec<&str> = text.lines().filter(|l| !l.trim().is_empty()).collect();
    let bodies: Vec<Vec<u8>> = lines
        .chunks(batch)
        .map(|c| format!("[{}]", c.join(",")).into_bytes())
        .collect();
    let bodies = Arc::new(bodies);
    let next = Arc::new(AtomicUsize::new(0));
    let stored = Arc::new(AtomicU64::new(0));
    let duplicates = Arc::new(AtomicU64::new(0));
    let failed = Arc::new(AtomicU64::new(0));
    let started = Instant::now();
    let workers: Vec<_> = (0..conns)
        .map(|_| {
            let (bodies, next, stored, duplicates, failed) = (
                Arc::clone(&bodies),
                Arc::clone(&next),
                Arc::clone(&stored),
                Arc::clone(&duplicates),
                Arc::clone(&failed),
            );
            let (addr, token) = (addr.to_owned(), token.to_owned());
            std::thread::spawn(move || {
                let mut conn = Conn::new(&addr);
                loop {
                    let i = next.fetch_add(1, Ordering::Relaxed);
                    let Some(body) = bodies.get(i) else { break };
                    match conn.post("/v1/events", &token, body) {
                        Ok((200, b)) => {
                            let v: serde_json::Value = serde_json::from_slice(&b).unwrap();
                            stored.fetch_add(v["stored"].as_u64().unwrap(), Ordering::Relaxed);
                            duplicates
                                .fetch_add(v["duplicates"].as_u64().unwrap(), Ordering::Relaxed);
                        }
                        Ok((s, b)) => {
                            eprintln!("batch {i}: {s} {}", String::from_utf8_lossy(&b));
                            failed.fetch_add(1, Ordering::Relaxed);
                        }
                        Err(e) => {
                            eprintln!("batch {i}: {e}");
                            failed.fetch_add(1, Ordering::Relaxed);
                        }
                    }
                }
            })
        })
        .collect();
    for w in workers {
        w.join().unwrap();
    }
    let s = started.elapsed().as_secs_f64();
    println!(
        "batches: {} events in {s:.2} s = {:.0} events/s; stored {}, duplicates {}, refused or invalid {}, failed requests {}",
        lines.len(),
        lines.len() as f64 / s,
        stored.load(Ordering::Relaxed),
        duplicates.load(Ordering::Relaxed),
        lines.len() as u64 - stored.load(Ordering::Relaxed) - duplicates.load(Ordering::Relaxed),
        failed.load(Ordering::Relaxed)
    );
}

fn main() {
    let a: Vec<String> = std::env::args().skip(1).collect();
    let usage = "usage: serve_load leads ADDR TOKEN RATE SECONDS [CONNS] | batches ADDR TOKEN FILE BATCH [CONNS]";
    match a.first().map(String::as_str) {
        Some("leads") if a.len() >= 5 => leads(
            &a[1],
            &a[2],
            a[3].parse().expect("RATE"),
            a[4].parse().expect("SECONDS"),
            a.get(5).map_or(64, |c| c.parse().expect("CONNS")),
        ),
        Some("batches") if a.len() >= 5 => batches(
            &a[1],
            &a[2],
            &a[3],
            a[4].parse().expect("BATCH"),
            a.get(5).map_or(2, |c| c.parse().expect("CONNS")),
        ),
        _ => {
            eprintln!("{usage}");
            std::process::exit(2);
        }
    }
}
