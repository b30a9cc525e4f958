//! A real server on a random loopback port against a database file in a
//! temporary folder, and a small HTTP/1.1 client speaking to it.

#![allow(dead_code)]

use std::io::{Read, Write};
use std::net::{SocketAddr, TcpStream};
use std::path::PathBuf;
use std::time::{Duration, Instant, SystemTime};

use accord_store::SqliteStore;

pub struct TestServer {
    pub addr: SocketAddr,
    pub admin: String,
    pub db: PathBuf,
    pub dir: tempfile::TempDir,
    stop: Option<tokio::sync::oneshot::Sender<()>>,
    thread: Option<std::thread::JoinHandle<()>>,
}

impl TestServer {
    /// A server on a new database; `setup` may make tokens in it first.
    pub fn start(limits: accord_serve::Limits, setup: impl FnOnce(&mut SqliteStore)) -> TestServer {
        let dir = tempfile::tempdir().unwrap();
        let db = dir.path().join("accord.db");
        {
            let mut store = SqliteStore::create_or_open(&db).unwrap();
            let admin =
                accord_serve::auth::create(&mut store, "admin", None, Some("test admin"), 0)
                    .unwrap();
            std::fs::write(dir.path().join("admin.token"), admin.token).unwrap();
            setup(&mut store);
        }
        let admin = std::fs::read_to_string(dir.path().join("admin.token")).unwrap();
        TestServer::on(dir, db, admin, limits)
    }

    /// A server on an existing database.
    pub fn on(
        dir: tempfile::TempDir,
        db: PathBuf,
        admin: String,
        limits: accord_serve::Limits,
    ) -> TestServer {
        let (addr_tx, addr_rx) = std::sync::mpsc::channel();
        let (stop_tx, stop_rx) = tokio::sync::oneshot::channel::<()>();
        let db2 = db.clone();
        let thread = std::thread::spawn(move || {
            let rt = tokio::runtime::Builder::new_multi_thread()
                .worker_threads(2)
                .enable_all()
                .build()
                .unwrap();
            rt.block_on(async move {
                let server = accord_serve::start(accord_serve::Config {
                    db: db2,
                    agreement: accord_engine::AgreementText::default_agreement(),
                    listen: "127.0.0.1:0".parse().unwrap(),
                    limits,
                    hooks: hooks_config(),
                })
                .await
                .unwrap();
                addr_tx
                    .send((server.addr, server.first_token.clone()))
                    .unwrap();
                server
                    .run(async {
                        let _ = stop_rx.await;
                    })
                    .await
                    .unwrap();
            });
        });
        let (addr, first) = addr_rx.recv().unwrap();
        let admin = first.unwrap_or(admin);
        let s = TestServer {
            addr,
            admin,
            db,
            dir,
            stop: Some(stop_tx),
            thread: Some(thread),
        };
        s.wait_ready();
        s
    }

    fn wait_ready(&self) {
        let t0 = Instant::now();
        loop {
            if self.get("/readyz", None).status == 200 {
                return;
            }
            assert!(t0.elapsed() < Duration::from_secs(30), "not ready in 30 s");
            std::thread::sleep(Duration::from_millis(20));
        }
    }

    /// Stops the server and waits for it (the database closed).
    pub fn stop(mut self) -> (tempfile::TempDir, PathBuf) {
        self.shut();
        let dir = std::mem::replace(&mut self.dir, tempfile::tempdir().unwrap());
        (dir, self.db.clone())
    }

    fn shut(&mut self) {
        if let Some(s) = self.stop.take() {
            let _ = s.send(());
        }
        if let Some(t) = self.thread.take() {
            let _ = t.join();
        }
    }

    pub fn get(&self, path: &str, token: Option<&str>) -> Reply {
        self.call("GET", path, token, &[], b"")
    }

    pub fn post(&self, path: &str, token: Option<&str>, body: &str) -> Reply {
        self.call(
            "POST",
            path,
            token,
            &[("content-type", "application/json")],
            body.as_bytes(),
        )
    }

    pub fn call(
        &self,
        method: &str,
        path: &str,
        token: Option<&str>,
        headers: &[(&str, &str)],
        body: &[u8],
    ) -> Reply {
        request(self.addr, method, path, token, headers, body)
    }

    /// The log's head, read from the file by another connection.
    /// Events of `kind` stored (the server's own clock may store breaches
    /// between two reads of the head; this counts one kind only).
    pub fn stored(&self, kind: accord_core::event::EventKind) -> u64 {
        use accord_store::EventStore;
        SqliteStore::open_read_only(&self.db)
            .unwrap()
            .counts()
            .unwrap()
            .get(kind)
    }

    pub fn head(&self) -> u64 {
        use accord_store::EventStore;
        SqliteStore::open_read_only(&self.db)
            .unwrap()
            .head()
            .unwrap()
    }
}

impl Drop for TestServer {
    fn drop(&mut self) {
        self.shut();
    }
}

#[derive(Debug)]
pub struct Reply {
    pub status: u16,
    pub headers: Vec<(String, String)>,
    pub body: String,
}

impl Reply {
    pub fn json(&self) -> serde_json::Value {
        serde_json::from_str(&self.body).unwrap_or_else(|e| panic!("not JSON ({e}): {}", self.body))
    }

    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(k, _)| k.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }
}

/// One request on a new connection (`Connection: close`), read to its end.
pub fn request(
    addr: SocketAddr,
    method: &str,
    path: &str,
    token: Option<&str>,
    headers: &[(&str, &str)],
    body: &[u8],
) -> Reply {
    let mut s = TcpStream::connect(addr).unwrap();
    s.set_read_timeout(Some(Duration::from_secs(60))).unwrap();
    let mut head = format!(
        "{method} {path} HTTP/1.1\r\nHost: {addr}\r\nConnection: close\r\nContent-Length: {}\r\n",
        body.len()
    );
    if let Some(t) = token {
        head.push_str(&format!("Authorization: Bearer {t}\r\n"));
    }
    for (k, v) in headers {
        head.push_str(&format!("{k}: {v}\r\n"));
    }
    head.push_str("\r\n");
    s.write_all(head.as_bytes()).unwrap();
    // A server may answer before reading a body it refuses (413).
    let _ = s.write_all(body);
    let mut raw = Vec::new();
    let _ = s.read_to_end(&mut raw);
    let split = raw
        .windows(4)
        .position(|w| w == b"\r\n\r\n")
        .expect("a response head");
    let head = String::from_utf8_lossy(&raw[..split]).into_owned();
    let mut lines = head.split("\r\n");
    let status: u16 = lines
        .next()
        .unwrap()
        .split(' ')
        .nth(1)
        .unwrap()
        .parse()
        .unwrap();
    let headers: Vec<(String, String)> = lines
        .filter_map(|l| l.split_once(':'))
        .map(|(k, v)| (k.trim().to_owned(), v.trim().to_owned()))
        .collect();
    let mut body = raw[split + 4..].to_vec();
    let chunked = headers
        .iter()
        .any(|(k, v)| k.eq_ignore_ascii_case("transfer-encoding") && v.contains("chunked"));
    if chunked {
        let mut out = Vec::new();
        let mut rest = &body[..];
        loop {
            let eol = rest.windows(2).position(|w| w == b"\r\n").unwrap();
            let n = usize::from_str_radix(std::str::from_utf8(&rest[..eol]).unwrap().trim(), 16)
                .unwrap();
            if n == 0 {
                break;
            }
            out.extend_from_slice(&rest[eol + 2..eol + 2 + n]);
            rest = &rest[eol + 2 + n + 2..];
        }
        body = out;
    }
    Reply {
        status,
        headers,
        body: String::from_utf8_lossy(&body).into_owned(),
    }
}

/// Webhooks retried quickly (1 s, then 1 s), then dead letters; short requests.
pub fn hooks_config() -> accord_hooks::worker::Config {
    accord_hooks::worker::Config {
        schedule: accord_hooks::Schedule::parse("1s,1s").unwrap(),
        timeout: Duration::from_secs(2),
        ..Default::default()
    }
}

/// Unix seconds now.
pub fn now() -> i64 {
    SystemTime::now()
        .duration_since(SystemTime::UNIX_EPOCH)
        .unwrap()
        .as_secs() as i64
}

/// A time `secs_ago` before now, in the wire form.
pub fn ago(secs_ago: i64) -> String {
    accord_core::domain::Timestamp::from_unix_seconds(now() - secs_ago).to_string()
}
