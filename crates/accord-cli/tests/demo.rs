//! `accord demo` through the real binary: nothing to install, a populated
//! database, and nothing of the user's replaced.
//!
//! `ACCORD_BIN=/path/to/accord` runs these against another build.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use accord_core::event::EventKind;
use accord_store::{EventStore, SqliteStore};

const KIT: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../../../shared/bench");

fn command(args: &[&str], cwd: &Path) -> Command {
    let bin: PathBuf = std::env::var_os("ACCORD_BIN")
        .map_or_else(|| env!("CARGO_BIN_EXE_accord").into(), PathBuf::from);
    let mut cmd = Command::new(bin);
    cmd.args(args).current_dir(cwd).env("NO_COLOR", "1");
    cmd
}

fn accord(args: &[&str], cwd: &Path) -> Output {
    command(args, cwd).output().expect("the accord binary runs")
}

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

fn demo(db: &str, cwd: &Path, more: &[&str]) -> Output {
    let mut args = vec![
        "demo",
        "--no-serve",
        "--leads",
        "300",
        "--seed",
        "3",
        "--db",
        db,
    ];
    args.extend_from_slice(more);
    accord(&args, cwd)
}

fn total(db: &Path) -> u64 {
    SqliteStore::open_read_only(db)
        .expect("the database opens")
        .counts()
        .expect("counts read")
        .total()
}

#[test]
fn the_demo_generates_imports_and_reports() {
    let dir = tempfile::tempdir().unwrap();
    let run = || {
        accord(
            &[
                "demo",
                "--no-serve",
                "--leads",
                "800",
                "--seed",
                "3",
                "--db",
                "demo.db",
            ],
            dir.path(),
        )
    };
    let out = run();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(stdout.contains("800 leads"), "{stdout}");
    assert!(stdout.contains("kpi"), "{stdout}");
    let counts = SqliteStore::create_or_open(&dir.path().join("demo.db"))
        .unwrap()
        .counts()
        .unwrap();
    assert_eq!(counts.get(EventKind::LeadCreated), 800);
    assert!(counts.get(EventKind::Touched) > 800);

    // The demo's database is replaced, not appended to.
    let again = run();
    assert!(again.status.success());
    let counts_again = SqliteStore::create_or_open(&dir.path().join("demo.db"))
        .unwrap()
        .counts()
        .unwrap();
    assert_eq!(counts_again, counts);
    // Nothing is left beside it.
    let mut names: Vec<String> = std::fs::read_dir(dir.path())
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    names.sort();
    assert_eq!(names, vec!["demo.db"]);
}

#[test]
fn the_demo_refuses_to_replace_what_is_not_its_own() {
    let dir = tempfile::tempdir().unwrap();
    let tiny = format!("{KIT}/fixtures/tiny");
    let out = accord(&["import", &tiny, "--db", "live.db"], dir.path());
    assert!(out.status.success());
    std::fs::write(dir.path().join("notes.txt"), "my notes\n").unwrap();
    let foreign = Command::new("python3")
        .args(["-c", "import sqlite3,sys\nc=sqlite3.connect(sys.argv[1])\nc.execute('CREATE TABLE t (x)')\nc.commit()"])
        .arg(dir.path().join("other.db"))
        .status()
        .expect("python3 runs");
    assert!(foreign.success());

    let cases = [
        ("live.db", "error: live.db is an accord database that is not a demo's (87 events); the demo replaces its database, so it refuses this one: choose another --db, or add --force to replace it\n"),
        ("other.db", "error: other.db: not an accord database (another application's SQLite database: it holds tables but no accord marker); the demo replaces its database, so it refuses this one: choose another --db, or add --force to replace it\n"),
        ("notes.txt", "error: notes.txt: not an accord database (not a SQLite database: a text or CSV file?); the demo replaces its database, so it refuses this one: choose another --db, or add --force to replace it\n"),
    ];
    for (db, message) in cases {
        let before = std::fs::read(dir.path().join(db)).unwrap();
        let out = demo(db, dir.path(), &[]);
        assert_eq!(out.status.code(), Some(1), "{db}");
        assert_eq!(text(&out.stderr), message, "{db}");
        assert_eq!(std::fs::read(dir.path().join(db)).unwrap(), before, "{db}");
    }
    assert_eq!(total(&dir.path().join("live.db")), 87);

    // A demo's database with events imported since is the user's now.
    let out = demo("demo.db", dir.path(), &[]);
    assert!(out.status.success(), "{}", text(&out.stderr));
    let demo_events = total(&dir.path().join("demo.db"));
    let extra = dir.path().join("extra");
    std::fs::create_dir(&extra).unwrap();
    std::fs::write(
        extra.join("reps.csv"),
        "rep_id,name,email,team,region,vertical,manager_id,capacity_per_day,hired_at\nR9999,Extra Rep,extra@acme-demo.com,sdr,EMEA,software,,20,2024-03-01T09:00:00Z\n",
    )
    .unwrap();
    let out = accord(&["import", "extra", "--db", "demo.db"], dir.path());
    assert!(out.status.success(), "{}", text(&out.stderr));
    let out = demo("demo.db", dir.path(), &[]);
    assert_eq!(out.status.code(), Some(1));
    assert!(
        text(&out.stderr)
            .starts_with("error: demo.db is an earlier demo's database with events imported since"),
        "{}",
        text(&out.stderr)
    );
    assert_eq!(total(&dir.path().join("demo.db")), demo_events + 1);

    // --force replaces it.
    let out = demo("notes.txt", dir.path(), &["--force"]);
    assert!(out.status.success(), "{}", text(&out.stderr));
    assert_eq!(total(&dir.path().join("notes.txt")), demo_events);
}

#[test]
fn the_demo_keeps_csv_files_only_in_an_empty_folder() {
    let dir = tempfile::tempdir().unwrap();
    let keep = dir.path().join("exports");
    std::fs::create_dir(&keep).unwrap();
    std::fs::write(keep.join("leads.csv"), "mine\n").unwrap();
    let out = demo("demo.db", dir.path(), &["--keep-csv", "exports"]);
    assert_eq!(out.status.code(), Some(1));
    assert_eq!(
        text(&out.stderr),
        "error: --keep-csv exports: the folder is not empty (it holds leads.csv); choose a new or empty folder, or add --force to write the CSV files over any of the same name\n"
    );
    assert_eq!(
        std::fs::read_to_string(keep.join("leads.csv")).unwrap(),
        "mine\n"
    );
    assert!(!dir.path().join("demo.db").exists());

    let out = demo("demo.db", dir.path(), &["--keep-csv", "new"]);
    assert!(out.status.success(), "{}", text(&out.stderr));
    assert!(dir.path().join("new/leads.csv").is_file());
}

#[test]
fn a_killed_demo_leaves_the_old_database_whole() {
    let dir = tempfile::tempdir().unwrap();
    let out = demo("demo.db", dir.path(), &[]);
    assert!(out.status.success(), "{}", text(&out.stderr));
    let db = dir.path().join("demo.db");
    let before = total(&db);
    let inode = || {
        use std::os::unix::fs::MetadataExt;
        std::fs::metadata(&db).ok().map(|m| m.ino())
    };
    let original = inode();

    let mut child = command(
        &[
            "demo",
            "--no-serve",
            "--leads",
            "20000",
            "--seed",
            "4",
            "--db",
            "demo.db",
        ],
        dir.path(),
    )
    .stdout(std::process::Stdio::null())
    .stderr(std::process::Stdio::null())
    .spawn()
    .unwrap();
    // Killed once it writes a database: the one being built beside the old,
    // or (as before) the old file itself, removed and begun again.
    let temp = dir.path().join(format!(".demo.db.demo-{}.tmp", child.id()));
    let started = std::time::Instant::now();
    loop {
        if temp.exists() || inode() != original {
            break;
        }
        assert!(
            child.try_wait().unwrap().is_none(),
            "the demo ended before it was killed"
        );
        assert!(
            started.elapsed().as_secs() < 120,
            "no database written in 2 minutes"
        );
        std::thread::sleep(std::time::Duration::from_millis(5));
    }
    std::thread::sleep(std::time::Duration::from_millis(200));
    child.kill().unwrap();
    child.wait().unwrap();
    assert_eq!(inode(), original);
    assert_eq!(total(&db), before);
}

/// One HTTP/1.1 request to `addr`; its status, headers and body.
fn http(addr: &str, method: &str, path: &str, body: &str) -> (u16, String, String) {
    use std::io::{Read, Write};
    let mut s = std::net::TcpStream::connect(addr).unwrap();
    write!(
        s,
        "{method} {path} HTTP/1.1\r\nHost: {addr}\r\nConnection: close\r\nContent-Type: application/json\r\nContent-Length: {}\r\n\r\n{body}",
        body.len()
    )
    .unwrap();
    let mut out = String::new();
    s.read_to_string(&mut out).unwrap();
    let (head, body) = out.split_once("\r\n\r\n").unwrap_or((&out, ""));
    let status = head.split(' ').nth(1).unwrap().parse().unwrap();
    (status, head.to_owned(), body.to_owned())
}

#[test]
fn the_demo_serves_the_dashboard_with_a_login_per_role_until_stopped() {
    use std::io::BufRead;
    let dir = tempfile::tempdir().unwrap();
    let mut child = command(
        &[
            "demo",
            "--leads",
            "300",
            "--seed",
            "3",
            "--db",
            "demo.db",
            "--listen",
            "127.0.0.1:0",
        ],
        dir.path(),
    )
    .stdout(std::process::Stdio::piped())
    .stderr(std::process::Stdio::null())
    .spawn()
    .unwrap();
    let mut lines = std::io::BufReader::new(child.stdout.take().unwrap()).lines();
    let (mut addr, mut logins) = (None, Vec::new());
    for line in lines.by_ref() {
        let line = line.unwrap();
        if let Some(rest) = line.strip_prefix("The dashboard: http://") {
            addr = Some(rest.split('/').next().unwrap().to_owned());
        }
        if let Some(at) = line.find("acc_") {
            logins.push((line[..at].trim().to_owned(), line[at..].trim().to_owned()));
        }
        if line.starts_with("Ctrl-C stops") {
            break;
        }
    }
    let addr = addr.expect("the dashboard's address is printed");
    let who: Vec<&str> = logins
        .iter()
        .map(|(w, _)| w.split(' ').next().unwrap())
        .collect();
    assert_eq!(who, ["admin", "sales", "marketing", "rep"], "{logins:?}");
    let mut ready = false;
    for _ in 0..300 {
        if http(&addr, "GET", "/readyz", "").0 == 200 {
            ready = true;
            break;
        }
        std::thread::sleep(std::time::Duration::from_millis(100));
    }
    assert!(ready);
    let (status, head, page) = http(&addr, "GET", "/", "");
    assert_eq!(status, 200);
    assert!(head
        .to_ascii_lowercase()
        .contains("content-type: text/html"));
    assert!(page.contains("/ui/app.js"));
    // Each login works, with its role; the rep's names a rep.
    for ((who, token), role) in
        logins
            .iter()
            .zip(["admin", "sales_manager", "marketing_ops", "rep"])
    {
        let (status, head, body) = http(
            &addr,
            "POST",
            "/v1/session",
            &format!("{{\"token\": \"{token}\"}}"),
        );
        assert_eq!(status, 201, "{who}: {body}");
        assert!(head.contains("accord_session="), "{who}");
        assert!(
            body.contains(&format!("\"role\":\"{role}\"")),
            "{who}: {body}"
        );
        if role == "rep" {
            let rep = who.trim_start_matches("rep (").trim_end_matches(')');
            assert!(body.contains(&format!("\"rep_id\":\"{rep}\"")), "{body}");
        }
    }
    let pid = child.id().to_string();
    assert!(Command::new("kill")
        .args(["-INT", &pid])
        .status()
        .unwrap()
        .success());
    assert!(
        child.wait().unwrap().success(),
        "Ctrl-C stops it with exit 0"
    );
    // Still the demo's database: a new demo replaces it without --force.
    let again = demo("demo.db", dir.path(), &[]);
    assert!(again.status.success(), "{}", text(&again.stderr));
}
