//! `accord report` through the real binary: the kit's tiny fixture imported
//! into a fresh database gives exactly the kit's reports (checked by the kit's
//! own comparer), and every format and `--explain` renders.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

const KIT: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../../../shared/bench");

fn accord(args: &[&str], dir: &Path) -> Output {
    Command::new(env!("CARGO_BIN_EXE_accord"))
        .args(args)
        .current_dir(dir)
        .env("NO_COLOR", "1")
        .env_remove("ACCORD_DB")
        .output()
        .expect("the accord binary runs")
}

fn ok(out: &Output) -> String {
    assert!(
        out.status.success(),
        "exit {:?}\nstdout: {}\nstderr: {}",
        out.status.code(),
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout.clone()).expect("UTF-8 output")
}

/// A temp folder holding `accord.db` with the tiny fixture imported.
fn tiny() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    let fixture = PathBuf::from(KIT).join("fixtures/tiny");
    ok(&accord(
        &["import", fixture.to_str().unwrap(), "--db", "accord.db"],
        dir.path(),
    ));
    dir
}

#[test]
fn report_all_matches_the_kit() {
    let dir = tiny();
    ok(&accord(&["report", "all", "--out", "out"], dir.path()));
    let names: Vec<String> = std::fs::read_dir(dir.path().join("out"))
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    assert_eq!(
        names.len(),
        12,
        "the kit's eleven and kpi_outcomes: {names:?}"
    );
    let compare = Command::new("python3")
        .arg(PathBuf::from(KIT).join("compare.py"))
        .arg(PathBuf::from(KIT).join("fixtures/tiny/expected"))
        .arg(dir.path().join("out"))
        .output()
        .expect("python3 runs the kit's comparer");
    let stdout = String::from_utf8_lossy(&compare.stdout);
    assert!(compare.status.success(), "compare.py: {stdout}");
    assert!(stdout.contains("11 passed, 0 failed"), "{stdout}");
}

#[test]
fn every_format_renders() {
    let dir = tiny();
    let table = ok(&accord(&["report", "leaderboard"], dir.path()));
    assert!(
        table.starts_with("leaderboard — all time — as of 2026-"),
        "{table}"
    );
    assert!(table.contains("$141,000.00"), "{table}");
    assert!(table.contains("66.7%"), "{table}");

    let csv = ok(&accord(
        &["report", "content", "--format", "csv"],
        dir.path(),
    ));
    assert!(csv.starts_with("content_id,title,kind,"), "{csv}");
    assert!(csv.contains("\"Pricing, explained\""), "{csv}");

    let json = ok(&accord(&["report", "kpi", "--format", "json"], dir.path()));
    assert!(
        json.starts_with("{\"report\": \"kpi\", \"terms\": {}, \"rows\": ["),
        "{json}"
    );
    assert!(json.contains("\"month\": \"(all)\""), "{json}");
    assert!(json.contains("\"won_usd\": 169000.5"), "{json}");

    let all = ok(&accord(&["report", "all", "--format", "csv"], dir.path()));
    assert_eq!(all.matches("cohort_month,source_channel").count(), 1);
}

#[test]
fn a_period_narrows_the_counts() {
    let dir = tiny();
    let csv = ok(&accord(
        &[
            "report",
            "kpi",
            "--format",
            "csv",
            "--from",
            "2025-04-01",
            "--to",
            "2025-04-30",
        ],
        dir.path(),
    ));
    let lines: Vec<&str> = csv.lines().collect();
    assert_eq!(lines.len(), 3, "{csv}");
    assert!(lines[1].starts_with("(all),2,2,2,1,"), "{csv}");
    let bad = accord(&["report", "kpi", "--from", "April"], dir.path());
    assert!(!bad.status.success());
    assert!(String::from_utf8_lossy(&bad.stderr).contains("YYYY-MM-DD"));
}

#[test]
fn explain_shows_what_a_number_is_made_of() {
    let dir = tiny();
    let out = ok(&accord(
        &["report", "attribution_campaign", "--explain", "O000001"],
        dir.path(),
    ));
    assert!(out.contains("T00000001"), "{out}");
    assert!(out.contains("time_decay_weight"), "{out}");
    let out = ok(&accord(
        &[
            "report",
            "attribution_channel",
            "--explain",
            "O000001",
            "--format",
            "csv",
        ],
        dir.path(),
    ));
    assert!(out.starts_with("touch_id,occurred_at,lead_id,"), "{out}");

    let out = ok(&accord(
        &["report", "funnel", "--explain", "2025-04,(all),mql"],
        dir.path(),
    ));
    assert!(
        out.contains("L0000001") && out.contains("L0000002"),
        "{out}"
    );
    assert!(out.contains("2 leads"), "{out}");

    let bad = accord(&["report", "kpi", "--explain", "x"], dir.path());
    assert!(!bad.status.success());
}

#[test]
fn explain_says_when_nothing_was_won() {
    let dir = tiny();
    let explain = |id: &str| {
        ok(&accord(
            &["report", "attribution_campaign", "--explain", id],
            dir.path(),
        ))
    };
    // O000001 was won: its $96,000.00 is shared.
    let won = explain("O000001");
    assert!(
        won.lines().next().unwrap().contains(
            "opportunity O000001 won at 2025-09-15T12:00:00Z: $96,000.00 shared among its touches"
        ),
        "{won}"
    );
    // O000002 was lost and O000006 is open: no dollar credit, and a word why.
    let lost = explain("O000002");
    assert!(
        lost.lines().next().unwrap().contains(
            "opportunity O000002 lost at 2025-10-01T09:00:00Z: nothing was won, so no revenue is credited"
        ),
        "{lost}"
    );
    let open = explain("O000006");
    assert!(open.contains("open: not won (yet)"), "{open}");
    for out in [&lost, &open] {
        let body: Vec<&str> = out
            .lines()
            .skip(3)
            .filter(|l| !l.ends_with(" row)") && !l.ends_with(" rows)"))
            .collect();
        assert!(!body.is_empty(), "{out}");
        for line in body {
            assert!(line.trim_end().ends_with("$0.00"), "{line}");
            assert!(
                !line.contains("$30,000") && !line.contains("$50,000"),
                "{line}"
            );
        }
    }
}

#[test]
fn sla_followup_says_the_agreements_hours() {
    let dir = tiny();
    let text = std::fs::read_to_string(
        PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../accord-core/src/agreement/default.toml"),
    )
    .unwrap();
    assert!(text.contains("follow_up_hours = 24\n"));
    std::fs::write(
        dir.path().join("accord.toml"),
        text.replace("follow_up_hours = 24\n", "follow_up_hours = 1\n"),
    )
    .unwrap();
    // Stored, then read back, then over a period: each says 1 h.
    for args in [
        &["report", "sla_followup"][..],
        &["report", "sla_followup"][..],
        &["report", "sla_followup", "--from", "2025-04-01"][..],
    ] {
        let out = ok(&accord(args, dir.path()));
        let title = out.lines().next().unwrap();
        assert!(
            title.ends_with("follow-up within 1 h, decision within 48 h"),
            "{title}"
        );
        // The contract's column names stay.
        assert!(out.contains("followed_up_24h"), "{out}");
    }
    let json = ok(&accord(
        &["report", "sla_followup", "--format", "json"],
        dir.path(),
    ));
    let v: serde_json::Value = serde_json::from_str(&json).unwrap();
    assert_eq!(v["report"], "sla_followup");
    assert_eq!(v["terms"]["follow_up_hours"], 1.0);
    assert_eq!(v["terms"]["decide_hours"], 48.0);
    assert!(v["rows"][0]["followed_up_24h"].is_u64(), "{json}");
}

#[test]
fn unknown_report_and_missing_db_are_explained() {
    let dir = tempfile::tempdir().unwrap();
    let out = accord(&["report", "funnel"], dir.path());
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("no database"));
    let dir = tiny();
    let out = accord(&["report", "funnels"], dir.path());
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("unknown report `funnels`"));
}

#[test]
fn the_agreement_sets_the_sla_terms() {
    let dir = tiny();
    let strict = accord_core::agreement::DEFAULT_AGREEMENT
        .replace("follow_up_hours = 24", "follow_up_hours = 1");
    assert_ne!(strict, accord_core::agreement::DEFAULT_AGREEMENT);
    std::fs::write(dir.path().join("strict.toml"), strict).unwrap();
    let args = ["report", "sla_followup", "--format", "csv"];
    let default = ok(&accord(&args, dir.path()));
    let mut with_file = args.to_vec();
    with_file.extend(["--agreement", "strict.toml"]);
    let strict = ok(&accord(&with_file, dir.path()));
    // 2025-05: one MQL followed up after 11 hours counts under 24 h, not under 1 h.
    assert!(default.contains("2025-05,(all),2,1,0.5,"), "{default}");
    assert!(strict.contains("2025-05,(all),2,0,0,"), "{strict}");
}

/// The tiny fixture plus one new lead (L0000099, April 2025, webinar).
fn one_more_lead() -> tempfile::TempDir {
    let fixture = PathBuf::from(KIT).join("fixtures/tiny");
    let more = tempfile::tempdir().unwrap();
    for entry in std::fs::read_dir(&fixture).unwrap() {
        let path = entry.unwrap().path();
        if path.is_file() {
            std::fs::copy(&path, more.path().join(path.file_name().unwrap())).unwrap();
        }
    }
    let leads = more.path().join("leads.csv");
    let mut text = std::fs::read_to_string(&leads).unwrap();
    text.push_str(
        "L0000099,zoe@example.org,Zoe New,,individual,,,,,,GB,EMEA,webinar,,2025-04-09T09:00:00Z,\n",
    );
    std::fs::write(&leads, text).unwrap();
    more
}

/// The `leads` of a kpi CSV's row for `month`.
fn kpi_leads(csv: &str, month: &str) -> i64 {
    let line = csv
        .lines()
        .find(|l| l.starts_with(&format!("{month},")))
        .unwrap_or_else(|| panic!("no {month} row in\n{csv}"));
    line.split(',').nth(1).unwrap().parse().unwrap()
}

/// `accord report` with its timing note (`ACCORD_TIMING`) on stderr.
fn timed_report(name: &str, dir: &Path) -> (String, String) {
    let out = Command::new(env!("CARGO_BIN_EXE_accord"))
        .args(["report", name, "--format", "csv"])
        .current_dir(dir)
        .env("ACCORD_TIMING", "1")
        .env_remove("ACCORD_DB")
        .output()
        .expect("the accord binary runs");
    let stderr = String::from_utf8_lossy(&out.stderr).into_owned();
    (ok(&out), stderr)
}

/// The first read computes and stores every report; the next reads them
/// back unchanged; an import that stores new events makes the next read
/// compute again, and the new event shows.
#[test]
fn stored_reports_are_reused_until_the_log_moves() {
    let dir = tiny();
    let (first, note) = timed_report("kpi", dir.path());
    assert!(note.contains("events read"), "{note}");
    let (again, note) = timed_report("kpi", dir.path());
    assert!(note.contains("stored views read"), "{note}");
    assert_eq!(first, again);
    for name in ["funnel", "leaderboard", "content_gaps"] {
        let (_, note) = timed_report(name, dir.path());
        assert!(note.contains("stored views read"), "{name}: {note}");
    }

    // The same folder again stores nothing: the stored reports stay current.
    let fixture = PathBuf::from(KIT).join("fixtures/tiny");
    ok(&accord(
        &["import", fixture.to_str().unwrap(), "--db", "accord.db"],
        dir.path(),
    ));
    let (_, note) = timed_report("kpi", dir.path());
    assert!(note.contains("stored views read"), "{note}");

    // One new lead in April 2025.
    let more = one_more_lead();
    let imported = ok(&accord(
        &["import", more.path().to_str().unwrap(), "--db", "accord.db"],
        dir.path(),
    ));
    let (after, note) = timed_report("kpi", dir.path());
    assert!(note.contains("events read"), "{imported}\n{note}");
    assert_eq!(kpi_leads(&after, "(all)"), kpi_leads(&first, "(all)") + 1);
    assert_eq!(
        kpi_leads(&after, "2025-04"),
        kpi_leads(&first, "2025-04") + 1
    );
}

/// A running `accord watch` stores the reports again when an import adds
/// events, so the next `accord report` reads them without folding the log;
/// and again under new terms when the agreement changes.
#[test]
fn watch_keeps_the_stored_reports_current() {
    use std::io::BufRead;
    let dir = tiny();
    let (before, _) = timed_report("kpi", dir.path());
    let mut watch = Command::new(env!("CARGO_BIN_EXE_accord"))
        .args(["watch", "--db", "accord.db", "--interval", "5"])
        .current_dir(dir.path())
        .env_remove("ACCORD_DB")
        .stderr(std::process::Stdio::piped())
        .spawn()
        .expect("accord watch starts");
    let (lines, seen) = std::sync::mpsc::channel();
    let stderr = watch.stderr.take().unwrap();
    std::thread::spawn(move || {
        for line in std::io::BufReader::new(stderr).lines() {
            let Ok(line) = line else { break };
            if lines.send(line).is_err() {
                break;
            }
        }
    });
    let wait_for = |needle: &str| -> String {
        loop {
            let line = seen
                .recv_timeout(std::time::Duration::from_secs(30))
                .unwrap_or_else(|_| panic!("accord watch never said `{needle}`"));
            if line.contains(needle) {
                return line;
            }
        }
    };
    wait_for("watching");

    let more = one_more_lead();
    ok(&accord(
        &["import", more.path().to_str().unwrap(), "--db", "accord.db"],
        dir.path(),
    ));
    let update = wait_for("every report up to date");
    assert!(update.starts_with("+1 events"), "{update}");
    let (after, note) = timed_report("kpi", dir.path());
    assert!(note.contains("stored views read"), "{note}");
    assert_eq!(kpi_leads(&after, "(all)"), kpi_leads(&before, "(all)") + 1);

    // An agreement appears in the folder: the watcher recomputes under it.
    let strict = accord_core::agreement::DEFAULT_AGREEMENT
        .replace("follow_up_hours = 24", "follow_up_hours = 1");
    std::fs::write(dir.path().join("accord.toml"), strict).unwrap();
    wait_for("the agreement changed");
    let (sla, note) = timed_report("sla_followup", dir.path());
    watch.kill().ok();
    watch.wait().ok();
    assert!(note.contains("stored views read"), "{note}");
    assert!(sla.contains("2025-05,(all),2,0,0,"), "{sla}");
}

/// A period read of a report that reads no touches skips them undecoded;
/// over a period that covers everything it gives the all-time report, with
/// the same as-of time in its title.
#[test]
fn period_reads_without_touches_match_the_all_time_reports() {
    let dir = tiny();
    ok(&accord(&["report", "all", "--out", "all-time"], dir.path()));
    let period = dir.path().join("period");
    std::fs::create_dir_all(&period).unwrap();
    let skipping = [
        "funnel",
        "velocity",
        "sla_marketing",
        "kpi",
        "leaderboard",
        "rejections",
    ];
    for name in skipping {
        let csv = ok(&accord(
            &["report", name, "--format", "csv", "--from", "2000-01-01"],
            dir.path(),
        ));
        std::fs::write(period.join(format!("{name}.csv")), csv).unwrap();
    }
    let all_time = dir.path().join("all-time");
    for entry in std::fs::read_dir(&all_time).unwrap() {
        let path = entry.unwrap().path();
        let stem = path.file_stem().unwrap().to_string_lossy().into_owned();
        if !skipping.contains(&stem.as_str()) {
            std::fs::remove_file(path).unwrap();
        }
    }
    let compare = Command::new("python3")
        .arg(PathBuf::from(KIT).join("compare.py"))
        .arg(&all_time)
        .arg(&period)
        .output()
        .expect("python3 runs the kit's comparer");
    let stdout = String::from_utf8_lossy(&compare.stdout);
    assert!(compare.status.success(), "compare.py: {stdout}");
    assert!(stdout.contains("6 passed, 0 failed"), "{stdout}");

    let as_of = |text: &str| {
        text.lines()
            .next()
            .unwrap()
            .split(" — ")
            .find(|part| part.starts_with("as of "))
            .unwrap_or_default()
            .to_owned()
    };
    let all = ok(&accord(&["report", "kpi"], dir.path()));
    let skipped = ok(&accord(
        &["report", "kpi", "--from", "2000-01-01"],
        dir.path(),
    ));
    let full = ok(&accord(
        &["report", "content", "--from", "2000-01-01"],
        dir.path(),
    ));
    assert!(as_of(&all).starts_with("as of "), "{all}");
    assert_eq!(as_of(&all), as_of(&skipped));
    assert_eq!(as_of(&all), as_of(&full));
}

#[test]
fn reports_are_never_written_over_a_data_folder() {
    let dir = tiny();
    let data = dir.path().join("data");
    std::fs::create_dir(&data).unwrap();
    let fixture = PathBuf::from(KIT).join("fixtures/tiny");
    for name in ["leads.csv", "content.csv"] {
        std::fs::copy(fixture.join(name), data.join(name)).unwrap();
    }
    let before = std::fs::read(data.join("content.csv")).unwrap();
    let out = accord(&["report", "all", "--out", "data"], dir.path());
    assert_eq!(out.status.code(), Some(1));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("holds leads.csv: it looks like a folder of imported data"),
        "{err}"
    );
    assert_eq!(std::fs::read(data.join("content.csv")).unwrap(), before);
    assert!(!data.join("funnel.csv").exists());
    // A folder of earlier reports is refreshed in place.
    ok(&accord(&["report", "all", "--out", "out"], dir.path()));
    ok(&accord(&["report", "all", "--out", "out"], dir.path()));
    let names = std::fs::read_dir(dir.path().join("out")).unwrap().count();
    assert_eq!(names, 12, "the kit's eleven and kpi_outcomes");
}
