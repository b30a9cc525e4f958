//! `accord import` through the real binary: atomicity, the kit's dirty rows,
//! --skip-invalid, idempotent re-import.

mod common;

use common::{accord, text};

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};
use std::process::Command;

use accord_core::event::Event;
use accord_store::{EventStore, SqliteStore};

const KIT: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../../../shared/bench");

fn log(db: &Path) -> Vec<Event> {
    let store = SqliteStore::create_or_open(db).expect("the database opens");
    let mut events = Vec::new();
    store.scan(&mut |e| events.push(e)).expect("the log reads");
    events
}

/// Runs the kit's generator (needs python3 with numpy and duckdb, which
/// `.ci/run` installs).
fn generate(out: &Path, leads: &str, dirty: bool) {
    let mut cmd = Command::new("python3");
    cmd.arg(format!("{KIT}/gen.py"))
        .args(["--leads", leads, "--seed", "7", "--out"])
        .arg(out);
    if dirty {
        cmd.args(["--dirty", "1"]);
    }
    let status = cmd.output().expect("python3 runs");
    assert!(
        status.status.success(),
        "gen.py failed (pip install numpy duckdb): {}",
        text(&status.stderr)
    );
}

#[test]
fn importing_twice_changes_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let tiny = PathBuf::from(KIT).join("fixtures/tiny");
    let first = accord(&["import", tiny.to_str().unwrap()], dir.path());
    assert!(first.status.success(), "{}", text(&first.stderr));
    let db = dir.path().join("accord.db");
    let before = log(&db);
    assert_eq!(before.len(), 87, "82 rows, 5 of them closed opportunities");

    let again = accord(&["import", tiny.to_str().unwrap()], dir.path());
    assert!(again.status.success(), "{}", text(&again.stderr));
    assert!(
        text(&again.stdout).contains("0 new events, 87 already stored"),
        "{}",
        text(&again.stdout)
    );
    assert_eq!(log(&db), before);
}

#[test]
fn a_bad_header_names_the_file_and_stores_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    std::fs::create_dir(&data).unwrap();
    std::fs::write(
        data.join("reps.csv"),
        "rep_id,name,mail,team,region,vertical,manager_id,capacity_per_day,hired_at\n",
    )
    .unwrap();
    let out = accord(&["import", "data"], dir.path());
    assert_eq!(out.status.code(), Some(1));
    let err = text(&out.stderr);
    assert!(
        err.contains("reps.csv:1: the header does not match"),
        "{err}"
    );
    assert!(err.contains("expected: rep_id,name,email"), "{err}");
    assert!(log(&dir.path().join("accord.db")).is_empty());
}

#[test]
fn an_empty_folder_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    let out = accord(&["import", "."], dir.path());
    assert_eq!(out.status.code(), Some(1));
    assert!(text(&out.stderr).contains("holds none of the contract's files"));
}

/// Every row of the kit's dirty manifest is reported at its file and line with
/// its problem, nothing is stored; --skip-invalid stores exactly the clean rows.
#[test]
fn dirty_rows_are_all_reported_and_skip_invalid_keeps_exactly_the_clean_ones() {
    let dir = tempfile::tempdir().unwrap();
    let dirty = dir.path().join("dirty");
    let clean = dir.path().join("clean");
    generate(&dirty, "3000", true);
    generate(&clean, "3000", false);

    let manifest: BTreeSet<(String, u64, String)> =
        csv::Reader::from_path(dirty.join("dirty_manifest.csv"))
            .unwrap()
            .records()
            .map(|r| {
                let r = r.unwrap();
                (r[0].to_owned(), r[1].parse().unwrap(), r[2].to_owned())
            })
            .collect();
    assert!(manifest.len() > 100, "the generator wrote bad rows");

    let strict = accord(
        &["import", "dirty", "--db", "strict.db", "--max-errors", "0"],
        dir.path(),
    );
    assert_eq!(strict.status.code(), Some(1));
    let reported: BTreeSet<(String, u64, String)> = text(&strict.stderr)
        .lines()
        .filter(|l| !l.starts_with("error:"))
        .map(|l| {
            let mut parts = l.splitn(4, ':');
            let file = parts.next().unwrap().to_owned();
            let line = parts.next().unwrap().parse().unwrap();
            let problem = parts.next().unwrap().trim().to_owned();
            (file, line, problem)
        })
        .collect();
    assert_eq!(reported, manifest);
    assert!(
        log(&dir.path().join("strict.db")).is_empty(),
        "nothing stored"
    );
    assert_eq!(
        bad_rows(&text(&strict.stderr)).len(),
        manifest.len(),
        "each bad row listed once"
    );

    // A dry run finds exactly what the import finds.
    let dry = accord(
        &[
            "import",
            "dirty",
            "--db",
            "dry.db",
            "--dry-run",
            "--max-errors",
            "0",
        ],
        dir.path(),
    );
    assert_eq!(dry.status.code(), Some(1));
    assert_eq!(
        bad_rows(&text(&dry.stderr)),
        bad_rows(&text(&strict.stderr))
    );

    let skip = accord(
        &[
            "import",
            "dirty",
            "--db",
            "skip.db",
            "--skip-invalid",
            "--rejects",
            "rejects.csv",
        ],
        dir.path(),
    );
    assert!(skip.status.success(), "{}", text(&skip.stderr));
    let rejects: BTreeSet<(String, u64, String)> =
        csv::Reader::from_path(dir.path().join("rejects.csv"))
            .unwrap()
            .records()
            .map(|r| {
                let r = r.unwrap();
                (r[0].to_owned(), r[1].parse().unwrap(), r[2].to_owned())
            })
            .collect();
    assert_eq!(rejects, manifest);

    let reference = accord(&["import", "clean", "--db", "clean.db"], dir.path());
    assert!(reference.status.success(), "{}", text(&reference.stderr));
    assert_eq!(
        log(&dir.path().join("skip.db")),
        log(&dir.path().join("clean.db")),
        "the stored rows are exactly the clean rows, in order"
    );
}

/// CRM exports are not sorted managers first: a rep may name a manager listed
/// further down; a rep whose manager's row is bad is refused with it.
#[test]
fn reps_may_name_a_manager_listed_later() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    std::fs::create_dir(&data).unwrap();
    let header = "rep_id,name,email,team,region,vertical,manager_id,capacity_per_day,hired_at\n";
    std::fs::write(
        data.join("reps.csv"),
        format!(
            "{header}\
             R0002,Ana Ruiz,ana@example.com,sdr,NA,,R0001,20,2024-01-01T09:00:00Z\n\
             R0001,Bo Li,bo@example.com,manager,NA,,,0,2023-01-01T09:00:00Z\n"
        ),
    )
    .unwrap();
    let out = accord(&["import", "data"], dir.path());
    assert!(out.status.success(), "{}", text(&out.stderr));
    assert_eq!(log(&dir.path().join("accord.db")).len(), 2);

    std::fs::write(
        data.join("reps.csv"),
        format!(
            "{header}\
             R0004,Cy Ode,cy@example.com,sdr,NA,,R0003,20,2024-01-01T09:00:00Z\n\
             R0003,Di Ng,not-an-email,manager,NA,,,0,2023-01-01T09:00:00Z\n"
        ),
    )
    .unwrap();
    let out = accord(&["import", "data", "--db", "bad.db"], dir.path());
    assert_eq!(out.status.code(), Some(1));
    let err = text(&out.stderr);
    assert!(err.contains("reps.csv:2: unknown_reference"), "{err}");
    assert!(err.contains("reps.csv:3: bad_email"), "{err}");
}

/// A copy of the kit's tiny fixture (its CSV files and meta.json) in `dst`.
fn copy_tiny(dst: &Path) {
    std::fs::create_dir_all(dst).unwrap();
    let tiny = PathBuf::from(KIT).join("fixtures/tiny");
    for entry in std::fs::read_dir(&tiny).unwrap() {
        let path = entry.unwrap().path();
        if path.is_file() {
            std::fs::copy(&path, dst.join(path.file_name().unwrap())).unwrap();
        }
    }
}

fn append(path: &Path, rows: &str) {
    use std::io::Write;
    let mut f = std::fs::OpenOptions::new().append(true).open(path).unwrap();
    f.write_all(rows.as_bytes()).unwrap();
}

/// The (file:line: problem) of every bad row listed on stderr.
fn bad_rows(stderr: &str) -> Vec<String> {
    stderr
        .lines()
        .filter(|l| l.contains(".csv:") && !l.starts_with("error:") && !l.starts_with("warning:"))
        .map(|l| l.splitn(4, ':').take(3).collect::<Vec<_>>().join(":"))
        .collect()
}

/// A tiny folder with one bad touch (an unknown lead) at touches.csv:30.
fn tiny_with_one_bad_row(dst: &Path) {
    copy_tiny(dst);
    append(
        &dst.join("touches.csv"),
        "T00000099,L0000099,2025-05-01T10:00:00Z,page_view,direct,,,\n",
    );
}

#[test]
fn rejects_never_replace_a_file_and_never_an_input() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    tiny_with_one_bad_row(&data);
    let leads_before = std::fs::read(data.join("leads.csv")).unwrap();

    // An existing file is kept, and nothing is stored.
    std::fs::write(dir.path().join("mine.csv"), "precious\n").unwrap();
    let out = accord(
        &["import", "data", "--skip-invalid", "--rejects", "mine.csv"],
        dir.path(),
    );
    assert_eq!(out.status.code(), Some(1));
    let err = text(&out.stderr);
    assert!(err.contains("mine.csv already exists"), "{err}");
    assert!(err.contains("--force"), "{err}");
    assert_eq!(
        std::fs::read_to_string(dir.path().join("mine.csv")).unwrap(),
        "precious\n"
    );
    assert!(log(&dir.path().join("accord.db")).is_empty());

    // One of the input's contract files, however spelled, even with --force.
    for spelling in ["data/leads.csv", "data/../data/./leads.csv"] {
        let out = accord(
            &[
                "import",
                "data",
                "--skip-invalid",
                "--force",
                "--rejects",
                spelling,
            ],
            dir.path(),
        );
        assert_eq!(out.status.code(), Some(1), "{spelling}");
        let err = text(&out.stderr);
        assert!(err.contains("is an input of this import"), "{err}");
        assert_eq!(std::fs::read(data.join("leads.csv")).unwrap(), leads_before);
    }
    // Even one that is absent from the folder (it is still a contract name).
    let out = accord(
        &[
            "import",
            "data",
            "--skip-invalid",
            "--rejects",
            "data/targets.csv",
        ],
        dir.path(),
    );
    assert_eq!(out.status.code(), Some(1));
    assert!(log(&dir.path().join("accord.db")).is_empty());

    // --force replaces a file that is not an input.
    let out = accord(
        &[
            "import",
            "data",
            "--skip-invalid",
            "--force",
            "--rejects",
            "mine.csv",
        ],
        dir.path(),
    );
    assert!(out.status.success(), "{}", text(&out.stderr));
    let rejects = std::fs::read_to_string(dir.path().join("mine.csv")).unwrap();
    assert!(
        rejects.starts_with("file,line,problem,message\ntouches.csv,30,unknown_reference,"),
        "{rejects}"
    );
}

#[test]
fn a_rejects_file_that_cannot_be_written_stops_the_import_before_the_commit() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    tiny_with_one_bad_row(&data);
    let out = accord(
        &[
            "import",
            "data",
            "--skip-invalid",
            "--rejects",
            "no/such/folder/rejects.csv",
        ],
        dir.path(),
    );
    assert_eq!(out.status.code(), Some(1));
    let err = text(&out.stderr);
    assert!(err.contains("no/such/folder/rejects.csv"), "{err}");
    assert!(
        log(&dir.path().join("accord.db")).is_empty(),
        "nothing committed while the bad rows could not be kept"
    );
}

/// Bad rows whose message holds commas, quotes and a line break are written
/// as RFC 4180 CSV.
#[test]
fn the_rejects_file_is_proper_csv() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    copy_tiny(&data);
    append(
        &data.join("touches.csv"),
        "T00000099,L0000001,2025-05-01T10:00:00Z,\"a \"\"b\"\",\nc\",direct,,,\n",
    );
    let out = accord(
        &["import", "data", "--skip-invalid", "--rejects", "r.csv"],
        dir.path(),
    );
    assert!(out.status.success(), "{}", text(&out.stderr));
    let mut reader = csv::Reader::from_path(dir.path().join("r.csv")).unwrap();
    let rows: Vec<csv::StringRecord> = reader.records().map(Result::unwrap).collect();
    assert_eq!(rows.len(), 1);
    assert_eq!(&rows[0][0], "touches.csv");
    assert_eq!(&rows[0][1], "30");
    assert_eq!(&rows[0][2], "unknown_enum");
    assert!(rows[0][3].contains("`a \"b\",\nc`"), "{:?}", &rows[0][3]);
}

#[test]
fn a_dry_run_checks_against_the_stored_events() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    copy_tiny(&data);
    let first = accord(&["import", "data"], dir.path());
    assert!(first.status.success(), "{}", text(&first.stderr));
    // The same touch id, now with another time.
    let touches = std::fs::read_to_string(data.join("touches.csv")).unwrap();
    std::fs::write(
        data.join("touches.csv"),
        touches.replacen(
            "T00000002,L0000001,2025-04-04T17:00:00Z",
            "T00000002,L0000001,2025-04-04T18:00:00Z",
            1,
        ),
    )
    .unwrap();
    let dry = accord(&["import", "data", "--dry-run"], dir.path());
    let real = accord(&["import", "data"], dir.path());
    assert_eq!(dry.status.code(), Some(1), "{}", text(&dry.stdout));
    assert_eq!(real.status.code(), Some(1));
    assert_eq!(
        bad_rows(&text(&dry.stderr)),
        ["touches.csv:3: duplicate_id"]
    );
    assert_eq!(bad_rows(&text(&dry.stderr)), bad_rows(&text(&real.stderr)));
    assert_eq!(log(&dir.path().join("accord.db")).len(), 87);
}

/// The contract: nothing happens after `as_of` (meta.json), or after now
/// when there is none; touches and transitions not before the lead's
/// creation; each transition from the lead's current stage, in time order.
#[test]
fn rows_against_the_contracts_time_and_stage_rules_are_refused() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    copy_tiny(&data);
    append(
        &data.join("touches.csv"),
        "T00000090,L0000001,2099-01-01T00:00:00Z,page_view,direct,,,\n\
         T00000091,L0000008,2026-03-01T00:00:00Z,page_view,direct,,,\n",
    );
    append(
        &data.join("transitions.csv"),
        "S00000090,L0000002,mql,sql,2025-12-01T00:00:00Z,,\n\
         S00000091,L0000002,sal,sql,2025-12-02T00:00:00Z,,\n\
         S00000092,L0000002,sql,opportunity,2025-12-01T12:00:00Z,,\n\
         S00000093,L0000008,lead,mql,2026-03-01T00:00:00Z,,\n\
         S00000094,L0000006,lead,mql,2026-04-01T00:00:01Z,,\n",
    );
    append(&data.join("targets.csv"), "NA,2026-05,3\n");
    let out = accord(&["import", "data", "--max-errors", "0"], dir.path());
    assert_eq!(out.status.code(), Some(1));
    let err = text(&out.stderr);
    assert_eq!(
        bad_rows(&err),
        [
            "touches.csv:30: after_as_of",
            "touches.csv:31: before_lead_created",
            "transitions.csv:21: stage_chain",
            "transitions.csv:23: out_of_order",
            "transitions.csv:24: before_lead_created",
            "transitions.csv:25: after_as_of",
            "targets.csv:6: after_as_of",
        ],
        "{err}"
    );
    assert!(err.contains("as_of 2026-04-01T00:00:00Z"), "{err}");
    assert!(err.contains("(touch T00000090 of lead L0000001)"), "{err}");
    assert!(
        err.contains("transitions.csv:21: stage_chain: column `from_stage`: the lead is in `sal`"),
        "{err}"
    );

    // Without meta.json the bound is the present.
    std::fs::remove_file(data.join("meta.json")).unwrap();
    let out = accord(&["import", "data", "--max-errors", "0"], dir.path());
    let err = text(&out.stderr);
    assert!(
        bad_rows(&err).contains(&"touches.csv:30: in_future".to_owned()),
        "{err}"
    );

    // A malformed meta.json is an error naming it.
    std::fs::write(data.join("meta.json"), "{\"as_of\": 2026").unwrap();
    let out = accord(&["import", "data"], dir.path());
    assert_eq!(out.status.code(), Some(1));
    assert!(
        text(&out.stderr).contains("meta.json"),
        "{}",
        text(&out.stderr)
    );
    assert!(log(&dir.path().join("accord.db")).is_empty());
}

/// The chain continues from what earlier imports stored; re-importing the
/// same transitions changes nothing.
#[test]
fn transitions_chain_from_the_stored_stage() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    copy_tiny(&data);
    let first = accord(&["import", "data"], dir.path());
    assert!(first.status.success(), "{}", text(&first.stderr));
    let again = accord(&["import", "data"], dir.path());
    assert!(again.status.success(), "{}", text(&again.stderr));

    let more = dir.path().join("more");
    std::fs::create_dir(&more).unwrap();
    let header = "transition_id,lead_id,from_stage,to_stage,occurred_at,rep_id,reason\n";
    // L0000002 is in sal since 2025-04-24; L0000003 was disqualified.
    std::fs::write(
        more.join("transitions.csv"),
        format!(
            "{header}S00000100,L0000002,sal,sql,2025-05-01T00:00:00Z,,\n\
             S00000101,L0000003,mql,sal,2025-06-01T00:00:00Z,,\n\
             S00000102,L0000002,sql,opportunity,2025-04-30T00:00:00Z,,\n"
        ),
    )
    .unwrap();
    let out = accord(&["import", "more", "--max-errors", "0"], dir.path());
    assert_eq!(out.status.code(), Some(1));
    assert_eq!(
        bad_rows(&text(&out.stderr)),
        [
            "transitions.csv:3: stage_chain",
            "transitions.csv:4: out_of_order"
        ],
        "{}",
        text(&out.stderr)
    );
}

/// A refused transition (here a duplicate id with other content) does not
/// move the lead, so the lead's next transitions are still good.
#[test]
fn a_refused_transition_does_not_make_the_next_ones_bad() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    copy_tiny(&data);
    let transitions = std::fs::read_to_string(data.join("transitions.csv")).unwrap();
    std::fs::write(
        data.join("transitions.csv"),
        transitions.replacen(
            "S00000007,",
            "S00000006,L0000002,mql,recycled,2025-04-23T00:00:00Z,,\nS00000007,",
            1,
        ),
    )
    .unwrap();
    let out = accord(
        &["import", "data", "--skip-invalid", "--rejects", "r.csv"],
        dir.path(),
    );
    assert!(out.status.success(), "{}", text(&out.stderr));
    let rejects = std::fs::read_to_string(dir.path().join("r.csv")).unwrap();
    assert_eq!(rejects.lines().count(), 2, "{rejects}");
    assert!(
        rejects.contains("transitions.csv,8,duplicate_id,"),
        "{rejects}"
    );
    assert_eq!(log(&dir.path().join("accord.db")).len(), 87);
}

#[test]
fn the_summary_counts_imported_and_skipped_rows() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    tiny_with_one_bad_row(&data);
    let out = accord(
        &["import", "data", "--skip-invalid", "--rejects", "r.csv"],
        dir.path(),
    );
    assert!(out.status.success(), "{}", text(&out.stderr));
    let stdout = text(&out.stdout);
    assert!(
        stdout.contains("\nimported 82 rows from data into"),
        "{stdout}"
    );
    assert!(
        stdout.contains("87 new events, 0 already stored"),
        "{stdout}"
    );
    assert!(
        stdout.contains("\nskipped 1 bad row, listed in r.csv"),
        "{stdout}"
    );
}

/// An opportunity row is two events when closed: it is one bad row, and
/// none of its events is stored when it is refused.
#[test]
fn a_bad_opportunity_row_is_counted_once_and_stores_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    copy_tiny(&data);
    append(
        &data.join("opportunities.csv"),
        "O000001,A000001,L0000001,R0003,new_business,2025-06-01T10:00:00Z,won,2025-09-16T12:00:00Z,96001.00,\n\
         O000006,A000001,,R0004,expansion,2026-03-01T00:00:00Z,won,2026-03-02T00:00:00Z,50001.00,\n",
    );
    let out = accord(&["import", "data", "--max-errors", "0"], dir.path());
    assert_eq!(out.status.code(), Some(1));
    assert_eq!(
        bad_rows(&text(&out.stderr)),
        [
            "opportunities.csv:8: duplicate_id",
            "opportunities.csv:9: duplicate_id"
        ],
        "{}",
        text(&out.stderr)
    );
    let out = accord(
        &["import", "data", "--skip-invalid", "--rejects", "r.csv"],
        dir.path(),
    );
    assert!(out.status.success(), "{}", text(&out.stderr));
    assert_eq!(
        log(&dir.path().join("accord.db")).len(),
        87,
        "no event of a bad row"
    );
    // And against what is stored.
    let again = accord(&["import", "data", "--max-errors", "0"], dir.path());
    assert_eq!(
        bad_rows(&text(&again.stderr)),
        [
            "opportunities.csv:8: duplicate_id",
            "opportunities.csv:9: duplicate_id"
        ],
        "{}",
        text(&again.stderr)
    );
    assert_eq!(log(&dir.path().join("accord.db")).len(), 87);
}

#[test]
fn a_missing_or_misnamed_file_is_named_up_front() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    copy_tiny(&data);
    std::fs::rename(data.join("leads.csv"), data.join("Leads.csv")).unwrap();
    std::fs::rename(data.join("touches.csv"), data.join("touch.csv")).unwrap();
    let out = accord(&["import", "data"], dir.path());
    assert_eq!(out.status.code(), Some(1));
    let err = text(&out.stderr);
    let first = err.lines().next().unwrap();
    assert!(
        first.contains("leads.csv") && first.contains("did you mean leads.csv"),
        "{err}"
    );
    assert!(
        err.contains("touch.csv is not a file of the contract"),
        "{err}"
    );
    assert!(err.contains("did you mean touches.csv"), "{err}");
    // The rows that reference a lead are summed up in one line, not listed.
    assert!(
        err.contains("21 rows reference leads, and leads.csv is missing"),
        "{err}"
    );
    assert!(bad_rows(&err).is_empty(), "{err}");
}

#[test]
fn help_states_the_limits() {
    let dir = tempfile::tempdir().unwrap();
    let out = accord(&["import", "--help"], dir.path());
    let help = text(&out.stdout);
    for needle in [
        "64 bytes",
        "1 KiB",
        "8,192",
        "after_as_of",
        "stage_chain",
        "--force",
    ] {
        assert!(help.contains(needle), "{needle}: {help}");
    }
}

/// The database is never the rejects file, whether it exists yet or not.
#[test]
fn the_rejects_file_is_never_the_database() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    tiny_with_one_bad_row(&data);
    for (db, rejects) in [("fresh.db", "fresh.db"), ("x.db", "./x.db-wal")] {
        let out = accord(
            &[
                "import",
                "data",
                "--db",
                db,
                "--skip-invalid",
                "--force",
                "--rejects",
                rejects,
            ],
            dir.path(),
        );
        assert_eq!(out.status.code(), Some(1), "{db} {rejects}");
        assert!(
            text(&out.stderr).contains("is the database"),
            "{}",
            text(&out.stderr)
        );
    }
    let first = accord(
        &[
            "import",
            "data",
            "--db",
            "kept.db",
            "--skip-invalid",
            "--rejects",
            "r.csv",
        ],
        dir.path(),
    );
    assert!(first.status.success(), "{}", text(&first.stderr));
    let out = accord(
        &[
            "import",
            "data",
            "--db",
            "kept.db",
            "--skip-invalid",
            "--force",
            "--rejects",
            "kept.db",
        ],
        dir.path(),
    );
    assert_eq!(out.status.code(), Some(1));
    assert_eq!(log(&dir.path().join("kept.db")).len(), 87);
}

#[test]
fn a_binary_or_huge_header_is_shown_escaped_and_cut() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    std::fs::create_dir(&data).unwrap();
    let mut bytes: Vec<u8> = b"lead_id,\x1b[2J\x07email".to_vec();
    bytes.extend(std::iter::repeat_n(b'x', 1_000_000));
    bytes.push(b'\n');
    std::fs::write(data.join("leads.csv"), bytes).unwrap();
    let out = accord(&["import", "data", "--db", "a.db"], dir.path());
    assert_eq!(out.status.code(), Some(1));
    let err = text(&out.stderr);
    assert!(
        err.contains("the header does not match the contract"),
        "{err}"
    );
    // No escape sequence reaches the terminal, and the line is cut.
    assert!(!err.contains('\x1b') && !err.contains('\x07'), "{err:?}");
    assert!(
        err.contains("found: lead_id,\\u{1b}[2J\\u{7}email"),
        "{err}"
    );
    assert!(err.contains("… (999818 more characters)"), "{err}");
    assert!(err.len() < 2_000, "{} bytes", err.len());
    assert!(!dir.path().join("a.db").exists());
    // An empty file is called empty.
    std::fs::write(data.join("leads.csv"), "").unwrap();
    let err = text(&accord(&["import", "data", "--db", "a.db"], dir.path()).stderr);
    assert!(err.contains("found: nothing: the file is empty"), "{err}");
}

/// Ids starting with `~` are the engine's own: a transition may not take one.
#[test]
fn a_transition_id_of_the_engines_shape_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    copy_tiny(&data);
    // L0000008 is a lead still in `lead` (its creation is its only stage).
    append(
        &data.join("transitions.csv"),
        "~1,L0000008,lead,mql,2026-03-31T00:00:00Z,,\n",
    );
    let out = accord(&["import", "data"], dir.path());
    assert_eq!(out.status.code(), Some(1));
    let err = text(&out.stderr);
    assert_eq!(bad_rows(&err), ["transitions.csv:21: bad_value"], "{err}");
    assert!(
        err.contains(
            "transitions.csv:21: bad_value: column `transition_id`: `~1` starts with `~`, which only the engine's own events may (pick an id without it)"
        ),
        "{err}"
    );
    assert!(!dir.path().join("accord.db").exists(), "nothing stored");
    let help = text(&accord(&["import", "--help"], dir.path()).stdout);
    assert!(help.contains("  bad_value              an id (none starts with `~`), text, domain or country out of shape/limits\n"), "{help}");
}
