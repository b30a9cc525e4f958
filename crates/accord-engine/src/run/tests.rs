//! The daemon's step and the tick on small logs: what other writers store
//! is followed, the reports stay current, the terms follow adoptions.

use accord_core::domain::Timestamp;
use accord_core::event::EventKind;
use accord_store::{EventStore, SqliteStore, StoreError};

use super::*;
use crate::agreement::adopt;
use crate::live::{self, follow, tick};
use crate::stored::stored_view;
use crate::Quiet;

/// 2026-01-05 is a Monday; 15:00 UTC is 10:00 in New York, within the
/// default agreement's working hours for NA.
const REP: &str = r#"{"type":"rep_recorded","rep_id":"R1","name":"Rui","email":"rui@seller.example","team":"sdr","region":"NA","vertical":"software","capacity_per_day":5,"hired_at":"2024-01-01T00:00:00Z"}"#;
const ACCOUNT: &str = r#"{"type":"account_recorded","account_id":"A1","name":"Contoso","domain":"contoso.example","industry":"software","employees":800,"country":"US","region":"NA","tier":"enterprise","created_at":"2024-01-01T00:00:00Z"}"#;
const LEAD: &str = r#"{"type":"lead_created","lead_id":"L1","email":"ana@contoso.example","full_name":"Ana Lima","title":"VP Operations","seniority":"vp","industry_reported":"software","country":"US","region":"NA","source_channel":"organic_search","created_at":"2026-01-05T15:00:00Z"}"#;
const T1: &str = r#"{"type":"touched","touch_id":"T1","lead_id":"L1","occurred_at":"2026-01-05T15:05:00Z","kind":"pricing_page_view","channel":"organic_search"}"#;
/// 30 points more: score 85 ≥ 60, an MQL at 15:10, routed to R1.
const T2: &str = r#"{"type":"touched","touch_id":"T2","lead_id":"L1","occurred_at":"2026-01-05T15:10:00Z","kind":"demo_request","channel":"direct"}"#;

fn at(s: &str) -> Timestamp {
    Timestamp::parse(s).unwrap()
}

/// Another process's `accord ingest`: its own engine, loaded from the log.
fn ingest(store: &mut SqliteStore, lines: &[&str]) -> live::Summary {
    let mut engine = live::load(store, &mut Quiet).unwrap();
    let numbered = lines
        .iter()
        .enumerate()
        .map(|(i, l)| (i as u64 + 1, l.to_string()));
    let summary = live::ingest(store, &mut engine, numbered, &mut |_, o, _| {
        assert!(!o.is_refused(), "{o:?}")
    })
    .unwrap();
    assert_eq!(summary.refused, 0);
    summary
}

fn adopt_default(store: &mut SqliteStore) -> AgreementText {
    let text = AgreementText::default_agreement();
    adopt(store, &text, None, at("2026-01-01T00:00:00Z")).unwrap();
    text
}

#[test]
fn follow_applies_what_others_stored_in_log_order() {
    let mut store = SqliteStore::open_in_memory().unwrap();
    ingest(&mut store, &[REP, LEAD]);
    let (mut engine, mut head) = live::load_at(&store, &mut Quiet).unwrap();
    // One chunk, one commit, one batch: head 1, two events.
    assert_eq!((head, engine.events()), (1, 2));

    ingest(&mut store, &[T1, T2]);
    let mut seen = Vec::new();
    let upto = store.head().unwrap();
    let n = follow(&store, &mut engine, &mut head, upto, &mut |e| {
        seen.push(e.id())
    })
    .unwrap();
    assert_eq!((n, head, engine.events()), (2, 2, 4));
    assert_eq!(seen, ["T1", "T2"]);
    assert_eq!(
        engine.state_hash(),
        live::load(&store, &mut Quiet).unwrap().state_hash()
    );
    // Nothing new: nothing applied.
    let n = follow(&store, &mut engine, &mut head, upto, &mut |_| panic!()).unwrap();
    assert_eq!((n, head), (0, 2));
}

/// With nothing due the tick takes no write lock (another writer may hold
/// it for minutes), stores nothing, and still applies what others stored.
#[test]
fn a_tick_with_nothing_due_follows_the_log_and_needs_no_lock() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("accord.db");
    let mut mine = SqliteStore::create_or_open(&path).unwrap();
    ingest(&mut mine, &[REP, LEAD]);
    let (mut engine, mut head) = live::load_at(&mine, &mut Quiet).unwrap();
    mine.set_write_wait(std::time::Duration::ZERO).unwrap();

    let mut other = SqliteStore::open_existing(&path).unwrap();
    ingest(&mut other, &[T1]);
    let _lock = other.begin().unwrap();
    let mut seen = Vec::new();
    let fired = tick(
        &mut mine,
        &mut engine,
        &mut head,
        at("2026-01-05T16:00:00Z"),
        &mut |e| seen.push(e.kind()),
    )
    .unwrap();
    assert!(fired.is_empty());
    assert_eq!(seen, [EventKind::Touched]);
    assert_eq!(head, 2);
    // The lock is held indeed: a write now is refused at once.
    let busy = mine.begin().map(|_| ()).unwrap_err();
    assert!(matches!(busy, StoreError::Busy { .. }), "{busy}");
}

#[test]
fn the_runner_follows_other_writers_and_keeps_the_reports_current() {
    let mut store = SqliteStore::open_in_memory().unwrap();
    let adopted = adopt_default(&mut store);
    let file = AgreementText::new(b"not toml [".to_vec(), "accord.toml");
    // An agreement is adopted: the file is not even read.
    let (mut runner, kept) = Runner::start(&mut store, &file, true, &mut Quiet).unwrap();
    assert!(matches!(kept, Kept::Stored));
    assert_eq!(runner.terms(&file), Terms::Adopted(1));
    assert_eq!(runner.head(), 1);

    let now = at("2026-01-05T15:30:00Z");
    let idle = runner.step(&mut store, now, &mut Quiet).unwrap();
    assert!(!idle.moved() && idle.kept.is_none());

    // 5 lines; T2 makes L1 an MQL (a stage change) and gives it an owner:
    // more events than lines, all decided by the other process.
    let summary = ingest(&mut store, &[REP, ACCOUNT, LEAD, T1, T2]);
    assert_eq!(summary.stored, 5);
    assert!(summary.decisions >= 2, "{summary:?}");
    let step = runner.step(&mut store, now, &mut Quiet).unwrap();
    assert_eq!(step.followed, 5 + summary.decisions);
    assert!(step.fired.is_empty());
    assert!(matches!(step.kept, Some(Kept::Stored)));
    let head = store.head().unwrap();
    assert_eq!(runner.head(), head);
    assert_eq!(
        runner.engine().state_hash(),
        live::load(&store, &mut Quiet).unwrap().state_hash()
    );
    let kpi = stored_view(&store, "kpi", head, &adopted.stamp()).unwrap();
    assert!(kpi.is_some(), "the stored kpi is current at head {head}");
}

#[test]
fn the_reports_take_the_terms_of_an_agreement_adopted_while_running() {
    let mut store = SqliteStore::open_in_memory().unwrap();
    ingest(&mut store, &[REP, LEAD]);
    let file = AgreementText::new(
        accord_core::agreement::DEFAULT_AGREEMENT
            .replace("follow_up_hours = 24", "follow_up_hours = 1")
            .into_bytes(),
        "accord.toml",
    );
    let (mut runner, _) = Runner::start(&mut store, &file, true, &mut Quiet).unwrap();
    assert_eq!(runner.terms(&file), Terms::File("accord.toml".into()));
    assert!(stored_view(&store, "kpi", 1, &file.stamp())
        .unwrap()
        .is_some());

    let adopted = adopt_default(&mut store);
    let step = runner
        .step(&mut store, at("2026-01-05T15:30:00Z"), &mut Quiet)
        .unwrap();
    assert_eq!(step.followed, 1);
    assert!(
        matches!(
            step.adopted,
            Some((1, AgreementChange::Applied(Kept::Stored)))
        ),
        "{:?}",
        step.adopted
    );
    assert_eq!(runner.terms(&file), Terms::Adopted(1));
    let head = store.head().unwrap();
    assert!(stored_view(&store, "kpi", head, &adopted.stamp())
        .unwrap()
        .is_some());
    assert!(stored_view(&store, "kpi", head, &file.stamp())
        .unwrap()
        .is_none());

    // From now on the file does not count.
    let edited = AgreementText::new(b"[sla\n".to_vec(), "accord.toml");
    assert!(matches!(
        runner.file_agreement(&mut store, &edited, &mut Quiet),
        AgreementChange::Unchanged
    ));
}

/// Worked by hand from the default agreement (no business hours): L1
/// becomes an MQL at 2026-01-05T15:10:00Z, owned by R1, never followed up.
/// The follow-up clock (24 h) breaches at 2026-01-06T15:10:00Z and the
/// escalation step `follow_up_late_manager` (after 0 h) fires with it; the
/// director's step (after 24 h) and the decision clock (48 h) are due at
/// 2026-01-07T15:10:00Z, later. A tick at exactly the deadline fires
/// nothing (strictly before); one second later, exactly those two; again,
/// nothing (never twice).
#[test]
fn a_due_follow_up_clock_fires_once_at_its_deadline() {
    let mut store = SqliteStore::open_in_memory().unwrap();
    let file = adopt_default(&mut store);
    ingest(&mut store, &[REP, ACCOUNT, LEAD, T1, T2]);
    let (mut runner, _) = Runner::start(&mut store, &file, true, &mut Quiet).unwrap();
    assert_eq!(runner.next_due(), Some(at("2026-01-06T15:10:00Z")));

    let step = runner
        .step(&mut store, at("2026-01-06T15:10:00Z"), &mut Quiet)
        .unwrap();
    assert!(step.fired.is_empty());
    let step = runner
        .step(&mut store, at("2026-01-06T15:10:01Z"), &mut Quiet)
        .unwrap();
    let mut lines = String::new();
    live::decision_lines(&step.fired, &mut lines);
    let lines: Vec<&str> = lines.lines().collect();
    assert_eq!(lines.len(), 2, "{lines:#?}");
    assert!(
        lines[0].contains(r#""type":"clock_breached""#),
        "{}",
        lines[0]
    );
    assert!(lines[1].contains(r#""type":"escalated""#), "{}", lines[1]);
    assert!(lines[1].contains("follow_up_late_manager"), "{}", lines[1]);
    for line in &lines {
        assert!(line.contains("2026-01-06T15:10:00Z"), "{line}");
    }
    assert_eq!(runner.head(), store.head().unwrap());
    let again = runner
        .step(&mut store, at("2026-01-06T15:10:01Z"), &mut Quiet)
        .unwrap();
    assert!(again.fired.is_empty());
    assert_eq!(runner.next_due(), Some(at("2026-01-07T15:10:00Z")));
    // Replaying the log gives the same state: the firings are in it.
    assert_eq!(
        runner.engine().state_hash(),
        live::load(&store, &mut Quiet).unwrap().state_hash()
    );
}

/// A server's path: inputs judged by the runner's own engine, the reports
/// stored at the next step; another writer's events before the inputs are
/// followed first.
#[test]
fn inputs_ingested_by_the_runner_reach_the_reports_at_the_next_step() {
    let mut store = SqliteStore::open_in_memory().unwrap();
    let adopted = adopt_default(&mut store);
    let file = AgreementText::new(b"not read".to_vec(), "accord.toml");
    let (mut runner, _) = Runner::start(&mut store, &file, true, &mut Quiet).unwrap();
    // Another writer's rep, account and lead (the lead matched to A1 by
    // its engine: one decision), then the runner's two touches: T2 makes
    // L1 an MQL routed to R1 (owner_assigned and stage_changed after it).
    let theirs = ingest(&mut store, &[REP, ACCOUNT, LEAD]);
    assert_eq!((theirs.stored, theirs.decisions), (3, 1));
    let lines = [T1, T2]
        .iter()
        .enumerate()
        .map(|(i, l)| (i as u64 + 1, l.to_string()));
    let mut decided = Vec::new();
    let summary = runner
        .ingest(
            &mut store,
            lines,
            &mut |_, outcome, _| {
                if let live::Outcome::Stored { decisions } = outcome {
                    decided.extend(decisions.iter().map(|(d, _)| d.kind()));
                }
            },
            &mut Quiet,
        )
        .unwrap();
    assert_eq!((summary.stored, summary.refused), (2, 0));
    assert!(decided.contains(&EventKind::StageChanged), "{decided:?}");
    let head = store.head().unwrap();
    assert_eq!(runner.head(), head);
    // The reports are not stored at the new head until the step.
    assert!(stored_view(&store, "kpi", head, &adopted.stamp())
        .unwrap()
        .is_none());
    let step = runner
        .step(&mut store, at("2026-01-05T15:30:00Z"), &mut Quiet)
        .unwrap();
    // The other writer's 3 + 1 events and the runner's 2 + its decisions.
    assert_eq!(step.followed, 4 + 2 + summary.decisions);
    assert!(matches!(step.kept, Some(Kept::Stored)));
    assert!(stored_view(&store, "kpi", head, &adopted.stamp())
        .unwrap()
        .is_some());
    assert_eq!(stage_of(&runner, "L1"), "mql");
    assert_eq!(
        runner.engine().state_hash(),
        live::load(&store, &mut Quiet).unwrap().state_hash()
    );
}

fn stage_of(runner: &Runner, lead: &str) -> String {
    runner.engine().explain(lead).unwrap().stage
}

/// A server's split of the step: ticks keep the engine current and store
/// only firings; the reports take the pending events at a catch-up and are
/// stored only when asked, once per head.
#[test]
fn a_tick_leaves_the_reports_to_a_later_catch_up_and_store() {
    let mut store = SqliteStore::open_in_memory().unwrap();
    let adopted = adopt_default(&mut store);
    let file = AgreementText::new(b"not read".to_vec(), "accord.toml");
    let (mut runner, _) = Runner::start(&mut store, &file, true, &mut Quiet).unwrap();
    let start = store.head().unwrap();
    assert!(runner.watcher().is_stored());
    // Another writer's rep, account and lead: 3 inputs and the match.
    ingest(&mut store, &[REP, ACCOUNT, LEAD]);
    let head = store.head().unwrap();
    let step = runner
        .tick(&mut store, at("2026-01-05T15:01:00Z"), &mut Quiet)
        .unwrap();
    assert_eq!((step.followed, step.fired.len()), (4, 0));
    assert!(step.kept.is_none());
    assert_eq!((runner.head(), runner.pending()), (head, 4));
    assert_eq!(runner.watcher().head(), start);
    assert!(stored_view(&store, "kpi", head, &adopted.stamp())
        .unwrap()
        .is_none());
    // Caught up: the reports are at the head, still not stored.
    assert!(runner.catch_up(&mut store, &mut Quiet).unwrap().is_none());
    assert_eq!((runner.watcher().head(), runner.pending()), (head, 0));
    assert!(!runner.watcher().is_stored());
    assert!(stored_view(&store, "kpi", head, &adopted.stamp())
        .unwrap()
        .is_none());
    assert!(matches!(
        runner.store_reports(&mut store),
        Some(Kept::Stored)
    ));
    assert!(stored_view(&store, "kpi", head, &adopted.stamp())
        .unwrap()
        .is_some());
    // Stored once per head.
    assert!(runner.store_reports(&mut store).is_none());
    let step = runner
        .step(&mut store, at("2026-01-05T15:01:00Z"), &mut Quiet)
        .unwrap();
    assert_eq!(step.followed, 0);
    assert!(step.kept.is_none());
}
