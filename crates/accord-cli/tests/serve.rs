//! `accord serve` as a user starts it: a first admin token printed once,
//! the API answering with it, SIGTERM a clean stop, and no second first
//! token on the next start.

mod common;

use common::command;

use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::process::{Child, Stdio};

/// Starts `accord serve` on a random port; the child, its address and the
/// first token (if one was printed), read from stderr up to the serving line.
/// The caller waits for the child.
#[allow(clippy::zombie_processes)]
fn serve(
    dir: &std::path::Path,
) -> (
    Child,
    String,
    Option<String>,
    BufReader<std::process::ChildStderr>,
) {
    let mut child = command(&["serve", "--listen", "127.0.0.1:0", "--db", "a.db"], dir)
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut err = BufReader::new(child.stderr.take().unwrap());
    let mut token = None;
    loop {
        let mut line = String::new();
        assert!(
            err.read_line(&mut line).unwrap() > 0,
            "accord serve ended before serving"
        );
        if let Some(t) = line.trim().strip_prefix("acc_") {
            token = Some(format!("acc_{t}"));
        }
        if let Some(rest) = line.strip_prefix("serving a.db on http://") {
            let addr = rest.split(' ').next().unwrap().to_owned();
            return (child, addr, token, err);
        }
    }
}

fn get(addr: &str, path: &str, token: &str) -> (u16, String) {
    let mut s = TcpStream::connect(addr).unwrap();
    write!(s, "GET {path} HTTP/1.1\r\nHost: x\r\nConnection: close\r\nAuthorization: Bearer {token}\r\n\r\n").unwrap();
    let mut out = String::new();
    s.read_to_string(&mut out).unwrap();
    let status = out.split(' ').nth(1).unwrap().parse().unwrap();
    (
        status,
        out.split("\r\n\r\n").nth(1).unwrap_or("").to_owned(),
    )
}

fn terminate(child: &mut Child) {
    let pid = child.id().to_string();
    assert!(std::process::Command::new("kill")
        .args(["-TERM", &pid])
        .status()
        .unwrap()
        .success());
}

#[test]
fn serve_prints_a_first_token_once_and_stops_cleanly_on_sigterm() {
    let dir = tempfile::tempdir().unwrap();
    let (mut child, addr, token, mut err) = serve(dir.path());
    let token = token.expect("a first admin token on a new database");
    let mut ready = false;
    for _ in 0..300 {
        if get(&addr, "/readyz", "").0 == 200 {
            ready = true;
            break;
        }
        std::thread::sleep(std::time::Duration::from_millis(20));
    }
    assert!(ready);
    let (status, body) = get(&addr, "/v1/agreement/versions", &token);
    assert_eq!((status, body.as_str()), (200, "[]"));
    assert_eq!(get(&addr, "/v1/agreement/versions", "acc_wrong").0, 401);
    terminate(&mut child);
    let status = child.wait().unwrap();
    let mut rest = String::new();
    err.read_to_string(&mut rest).unwrap();
    assert!(status.success(), "{rest}");
    assert!(rest.contains("stopped:"), "{rest}");

    // Started again: the token works, no new one is printed.
    let (mut child, addr, again, _err) = serve(dir.path());
    assert_eq!(again, None);
    for _ in 0..300 {
        if get(&addr, "/readyz", "").0 == 200 {
            break;
        }
        std::thread::sleep(std::time::Duration::from_millis(20));
    }
    assert_eq!(get(&addr, "/v1/agreement", &token).0, 200);
    terminate(&mut child);
    assert!(child.wait().unwrap().success());
}

fn post(addr: &str, path: &str, token: &str, body: &str) -> (u16, String) {
    let mut s = TcpStream::connect(addr).unwrap();
    write!(
        s,
        "POST {path} HTTP/1.1\r\nHost: x\r\nConnection: close\r\nAuthorization: Bearer {token}\r\nContent-Type: application/json\r\nContent-Length: {}\r\n\r\n{body}",
        body.len()
    )
    .unwrap();
    let mut out = String::new();
    s.read_to_string(&mut out).unwrap();
    let status = out.split(' ').nth(1).unwrap().parse().unwrap();
    (
        status,
        out.split("\r\n\r\n").nth(1).unwrap_or("").to_owned(),
    )
}

fn wait_ready(addr: &str) {
    for _ in 0..1500 {
        if get(addr, "/readyz", "").0 == 200 {
            return;
        }
        std::thread::sleep(std::time::Duration::from_millis(20));
    }
    panic!("accord serve not ready in 30 s");
}

/// The all-time funnel's count of leads, read over HTTP.
fn funnel_leads(addr: &str, token: &str) -> i64 {
    let (status, body) = get(addr, "/v1/reports/funnel", token);
    assert_eq!(status, 200, "{body}");
    let v: serde_json::Value = serde_json::from_str(&body).unwrap();
    let all = &v["reports"][0]["rows"][0];
    assert_eq!(all["cohort_month"], "(all)", "{v}");
    all["leads"].as_i64().unwrap()
}

/// The server stores its reports only now and then (they are caches of the
/// log): a report read right after a post still counts it, and after a
/// SIGKILL that left the stored reports behind the log, the restarted
/// server counts every lead that was acknowledged.
#[test]
fn reports_count_every_acknowledged_lead_across_a_kill() {
    let dir = tempfile::tempdir().unwrap();
    let (mut child, addr, token, _err) = serve(dir.path());
    let token = token.expect("a first admin token on a new database");
    wait_ready(&addr);
    let lead = |i: u32| {
        format!(
            r#"{{"type":"lead_created","lead_id":"L{i}","email":"p{i}@northwind.example","seniority":"vp","country":"GB","region":"EMEA","source_channel":"referral","created_at":"2026-03-02T10:00:00Z"}}"#
        )
    };
    for i in 1..=3 {
        let (status, body) = post(&addr, "/v1/events", &token, &lead(i));
        assert_eq!(status, 201, "{body}");
    }
    assert_eq!(funnel_leads(&addr, &token), 3);
    // Two more, acknowledged, then killed at once: no idle pause in which
    // the reports were stored at the new head.
    let (status, body) = post(
        &addr,
        "/v1/events",
        &token,
        &format!("[{},{}]", lead(4), lead(5)),
    );
    assert_eq!(status, 200, "{body}");
    child.kill().unwrap();
    child.wait().unwrap();

    let (mut child, addr, again, _err) = serve(dir.path());
    assert_eq!(again, None);
    wait_ready(&addr);
    assert_eq!(funnel_leads(&addr, &token), 5);
    terminate(&mut child);
    assert!(child.wait().unwrap().success());
}
