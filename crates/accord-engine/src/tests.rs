//! The engine's calls on small logs in an in-memory store.

use accord_core::domain::*;
use accord_core::event::{Batch, Event};
use accord_report::{Period, Table, REPORTS};
use accord_store::{AppendTx, EventStore, SqliteStore};

use crate::reports::{self, Answer, Explanation, Request, Source};
use crate::snapshot;
use crate::stored::{self, describe_as_of, stored_reports, stored_view, view_body, view_stamp};
use crate::test_events::{lead, touch, IntoEvent};
use crate::watch::{AgreementChange, Kept, Watcher};
use crate::{fold_log, fold_log_skipping, AgreementText, Error, Quiet};

/// The shared plain lead, as the event `append` takes.
fn created(id: &str, at: i64) -> Event {
    lead(id, at).event()
}

/// A page view: every touch of this module's logs.
fn viewed(id: &str, lead: &str, at: i64) -> Event {
    touch(id, lead, at, TouchKind::PageView).event()
}

fn append(store: &mut SqliteStore, events: &[Event]) {
    let mut batch = Batch::default();
    for e in events {
        batch.push(e);
    }
    let mut tx = store.begin().unwrap();
    tx.append(&batch).unwrap();
    tx.commit().unwrap();
}

/// Two leads, each touched once (the touch of L2 is the log's latest event).
fn store_with_log() -> SqliteStore {
    let mut store = SqliteStore::open_in_memory().unwrap();
    append(&mut store, &[created("L1", 0), viewed("T1", "L1", 60)]);
    append(
        &mut store,
        &[created("L2", 3_600), viewed("T2", "L2", 7_200)],
    );
    store
}

fn default_agreement() -> AgreementText {
    AgreementText::default_agreement()
}

fn all_time(store: &mut SqliteStore) -> reports::AllTime {
    reports::all_time(store, &REPORTS, &default_agreement(), &mut Quiet).unwrap()
}

#[test]
fn the_stamp_keeps_its_format() {
    // Stored reports written by any earlier build with the same definitions
    // and agreement are read as current only while this line is unchanged.
    assert_eq!(
        view_stamp(b"[sla]\n"),
        format!(
            "accord {} report views 1; definitions {}; agreement f01f974c6a280a8e",
            env!("CARGO_PKG_VERSION"),
            accord_report::DEFINITIONS_DIGEST,
        )
    );
}

#[test]
fn a_view_written_as_earlier_builds_wrote_it_is_current() {
    let mut store = store_with_log();
    let head = store.head().unwrap();
    let computed = all_time(&mut store);
    // The layout of main's views, written out by hand: stamp line, as-of line,
    // encoded table.
    let stamp = default_agreement().stamp();
    let table = computed.tables[0].clone();
    let mut body = Vec::new();
    body.extend_from_slice(stamp.as_bytes());
    body.extend_from_slice(b"\nas of 2025-04-01T02:00:00Z\n");
    body.extend(table.encode());
    assert_eq!(
        body,
        view_body(&stamp, "as of 2025-04-01T02:00:00Z", &table)
    );
    store.put_views(head, &[("report/funnel", &body)]).unwrap();
    let read = stored_view(&store, "funnel", head, &stamp)
        .unwrap()
        .unwrap();
    assert_eq!(read.as_of, "as of 2025-04-01T02:00:00Z");
    assert_eq!(read.table, table);
}

#[test]
fn all_time_reports_are_computed_once_then_read_from_the_views() {
    let mut store = store_with_log();
    let first = all_time(&mut store);
    assert!(
        matches!(
            first.source,
            Source::Computed {
                events: 4,
                snapshot: None,
                stored: Ok(())
            }
        ),
        "{:?}",
        first.source
    );
    assert_eq!(first.as_of, "as of 2025-04-01T02:00:00Z");
    assert_eq!(first.tables.len(), 12);
    let second = all_time(&mut store);
    assert!(
        matches!(second.source, Source::Stored),
        "{:?}",
        second.source
    );
    assert_eq!(second.as_of, first.as_of);
    assert_eq!(second.tables, first.tables);
    // Asked in any order, answered in that order.
    let some = reports::all_time(
        &mut store,
        &["kpi", "funnel"],
        &default_agreement(),
        &mut Quiet,
    )
    .unwrap();
    assert!(matches!(some.source, Source::Stored));
    assert_eq!(
        some.tables
            .iter()
            .map(|t| t.name.as_str())
            .collect::<Vec<_>>(),
        ["kpi", "funnel"]
    );
}

#[test]
fn a_stored_view_is_current_only_at_its_head_with_its_stamp_and_whole() {
    let mut store = store_with_log();
    let head = store.head().unwrap();
    let stamp = default_agreement().stamp();
    assert!(
        stored_view(&store, "kpi", head, &stamp).unwrap().is_none(),
        "absent"
    );
    all_time(&mut store);
    assert!(
        stored_view(&store, "kpi", head, &stamp).unwrap().is_some(),
        "current"
    );
    let other = view_stamp(b"another agreement");
    assert!(
        stored_view(&store, "kpi", head, &other).unwrap().is_none(),
        "other stamp"
    );
    assert!(stored_reports(&store, &REPORTS, head, &other)
        .unwrap()
        .is_none());

    // Damaged: cut inside the table, or without its lines.
    let (_, body) = store.view("report/kpi").unwrap().unwrap();
    for damaged in [&body[..body.len() - 3], stamp.as_bytes(), b"".as_slice()] {
        store.put_views(head, &[("report/kpi", damaged)]).unwrap();
        assert!(
            stored_view(&store, "kpi", head, &stamp).unwrap().is_none(),
            "damaged: {} bytes",
            damaged.len()
        );
    }
    assert!(stored_reports(&store, &REPORTS, head, &stamp)
        .unwrap()
        .is_none());

    // Stale: the log moved on; the next read computes and stores again.
    append(&mut store, &[created("L3", 10_800)]);
    let moved = store.head().unwrap();
    assert!(
        stored_view(&store, "funnel", moved, &stamp)
            .unwrap()
            .is_none(),
        "stale"
    );
    let again = all_time(&mut store);
    // Resumed from the snapshot the first read stored: only the new event is read.
    assert!(
        matches!(
            again.source,
            Source::Computed {
                events: 1,
                snapshot: Some(at),
                stored: Ok(())
            } if at == head
        ),
        "{:?}",
        again.source
    );
    assert!(stored_view(&store, "kpi", moved, &stamp).unwrap().is_some());
}

#[test]
fn the_fold_reads_the_log_up_to_a_head_and_may_skip_touches() {
    let mut store = store_with_log();
    let head = store.head().unwrap();
    append(&mut store, &[created("L3", 10_800)]);
    let upto = fold_log(&store, head, &mut Quiet).unwrap();
    assert_eq!(upto.events, 4);
    assert_eq!(describe_as_of(&upto), "as of 2025-04-01T02:00:00Z");
    let all = fold_log(&store, store.head().unwrap(), &mut Quiet).unwrap();
    assert_eq!(all.events, 5);
    let no_touches = fold_log_skipping(&store, store.head().unwrap(), true, &mut Quiet).unwrap();
    assert_eq!(no_touches.events, 3);
    assert_eq!(describe_as_of(&no_touches), "as of 2025-04-01T03:00:00Z");
    let empty = SqliteStore::open_in_memory().unwrap();
    assert_eq!(
        describe_as_of(&fold_log(&empty, 0, &mut Quiet).unwrap()),
        "no events"
    );
}

#[test]
fn the_fold_tells_its_progress() {
    #[derive(Default)]
    struct Seen(Vec<String>);
    impl crate::Progress for Seen {
        fn started(&mut self, total: u64) {
            self.0.push(format!("started {total}"));
        }
        fn advanced(&mut self, folded: u64) {
            self.0.push(format!("advanced {folded}"));
        }
        fn finished(&mut self) {
            self.0.push("finished".into());
        }
    }
    let store = store_with_log();
    let mut seen = Seen::default();
    fold_log_skipping(&store, store.head().unwrap(), true, &mut seen).unwrap();
    assert_eq!(seen.0, ["started 2", "advanced 2", "finished"]);
}

#[test]
fn a_period_read_stores_the_snapshot_and_the_next_one_reads_no_log() {
    let mut store = store_with_log();
    let period = Period::from_dates(Some("2025-04-01"), None).unwrap();
    let names = ["kpi"];
    let request = Request {
        names: &names,
        period,
        explain: None,
        limit: 20,
        compare: None,
        filter: accord_report::funnel::Filter::ALL,
        won_by: None,
    };
    let agreement = default_agreement();
    let answer = |store: &mut SqliteStore, told: &mut Told| match reports::answer(
        store, &request, &agreement, told,
    )
    .unwrap()
    {
        Answer::Period(p) => p,
        other => panic!("{other:?}"),
    };
    // No snapshot: the whole log is folded, and the snapshot stored.
    let mut told = Told::default();
    let first = answer(&mut store, &mut told);
    assert_eq!(told.folds, 1);
    assert_eq!(
        (first.events, first.as_of.as_str()),
        (4, "as of 2025-04-01T02:00:00Z")
    );
    // The next read resumes from it: the log is not folded again.
    let mut told = Told::default();
    let again = answer(&mut store, &mut told);
    assert_eq!((told.folds, again.events), (0, 0));
    assert_eq!(again.as_of, first.as_of);
    assert_eq!(again.tables, first.tables);
    assert_eq!(
        again.tables[0].rows[0][1],
        accord_report::Value::Int(2),
        "2 leads"
    );
}

#[test]
fn explaining_is_for_the_funnel_and_attribution() {
    let mut store = store_with_log();
    let agreement = default_agreement();
    let ask = |store: &mut SqliteStore, names: &[&'static str], key: &str| {
        let request = Request {
            names,
            period: Period::from_dates(None, None).unwrap(),
            explain: Some(key),
            limit: 1,
            compare: None,
            filter: accord_report::funnel::Filter::ALL,
            won_by: None,
        };
        reports::answer(store, &request, &agreement, &mut Quiet)
    };
    match ask(&mut store, &["funnel"], "2025-04,paid_search,leads").unwrap() {
        Answer::Explained(e) => {
            assert!(
                matches!(e.what, Explanation::Funnel { total: 2 }),
                "{:?}",
                e.what
            );
            assert_eq!(e.table.rows.len(), 1);
        }
        other => panic!("{other:?}"),
    }
    assert!(matches!(
        ask(&mut store, &["kpi"], "x"),
        Err(Error::CannotExplain)
    ));
    let e = ask(&mut store, &["funnel"], "nonsense").unwrap_err();
    assert!(matches!(e, Error::Explain(_)));
    assert!(
        e.to_string().starts_with("--explain: `nonsense` is not"),
        "{e}"
    );
}

/// Counts the folds of the log a request makes.
#[derive(Default)]
struct Folds(u32);

impl crate::fold::Progress for Folds {
    fn started(&mut self, _total: u64) {
        self.0 += 1;
    }
}

#[test]
fn an_explanation_reads_a_current_watcher_and_folds_the_log_otherwise() {
    let mut store = store_with_log();
    let agreement = default_agreement();
    let terms = agreement.terms().unwrap();
    let (mut watcher, _) =
        Watcher::start(&mut store, terms, agreement.stamp(), true, &mut Quiet).unwrap();
    let request = Request {
        names: &["funnel"],
        period: Period::from_dates(None, None).unwrap(),
        explain: Some("2025-04,paid_search,leads"),
        limit: 10,
        compare: None,
        filter: accord_report::funnel::Filter::ALL,
        won_by: None,
    };
    let ask = |store: &mut SqliteStore, watcher: &Watcher| {
        let mut folds = Folds::default();
        let a = reports::answer_with(store, &request, &agreement, Some(watcher), &mut folds);
        match a.unwrap() {
            Answer::Explained(e) => match e.what {
                Explanation::Funnel { total } => (total, folds.0),
                other => panic!("{other:?}"),
            },
            other => panic!("{other:?}"),
        }
    };
    // L1 and L2 are in the cell; the watcher is current: no fold.
    assert_eq!(ask(&mut store, &watcher), (2, 0));
    // A third lead the watcher has not seen: the log is folded (and counts it).
    append(&mut store, &[created("L3", 7_200)]);
    assert_eq!(ask(&mut store, &watcher), (3, 1));
    let new = watcher.new_events(&store).unwrap().unwrap();
    watcher.apply(&new);
    assert_eq!(ask(&mut store, &watcher), (3, 0));
}

#[test]
fn select_names_one_report_or_all() {
    assert_eq!(reports::select("kpi").unwrap(), ["kpi"]);
    assert_eq!(reports::select("all").unwrap(), REPORTS);
    assert_eq!(reports::select("nope").unwrap_err().0, "nope");
}

fn current(store: &SqliteStore, agreement: &AgreementText) -> Option<Vec<Table>> {
    let head = store.head().unwrap();
    stored_reports(store, &REPORTS, head, &agreement.stamp())
        .unwrap()
        .map(|(_, t)| t)
}

#[test]
fn the_watcher_keeps_the_stored_reports_current() {
    let mut store = store_with_log();
    let agreement = default_agreement();
    let terms = agreement.terms().unwrap();
    let (mut watcher, kept) =
        Watcher::start(&mut store, terms, agreement.stamp(), true, &mut Quiet).unwrap();
    assert!(matches!(kept, Kept::Stored));
    assert!(current(&store, &agreement).is_some());
    assert!(watcher.new_events(&store).unwrap().is_none());

    append(
        &mut store,
        &[created("L3", 10_800), viewed("T3", "L3", 11_000)],
    );
    assert!(current(&store, &agreement).is_none());
    let new = watcher.new_events(&store).unwrap().unwrap();
    assert_eq!((new.events.len(), new.head), (2, store.head().unwrap()));
    watcher.apply(&new);
    assert!(matches!(watcher.store(&mut store), Kept::Stored));
    // The same reports as a full fold.
    let stored = current(&store, &agreement).unwrap();
    let folded = all_time(
        &mut SqliteStore::open_in_memory()
            .map(|mut s| {
                append(&mut s, &[created("L1", 0), viewed("T1", "L1", 60)]);
                append(&mut s, &[created("L2", 3_600), viewed("T2", "L2", 7_200)]);
                append(&mut s, &[created("L3", 10_800), viewed("T3", "L3", 11_000)]);
                s
            })
            .unwrap(),
    );
    assert_eq!(stored, folded.tables);
}

#[test]
fn the_watcher_takes_a_new_valid_agreement_and_refuses_an_invalid_one_once() {
    let mut store = store_with_log();
    let agreement = default_agreement();
    let (mut watcher, _) = Watcher::start(
        &mut store,
        agreement.terms().unwrap(),
        agreement.stamp(),
        true,
        &mut Quiet,
    )
    .unwrap();
    assert!(matches!(
        watcher.agreement(&mut store, &agreement, &mut Quiet),
        AgreementChange::Unchanged
    ));
    let invalid = AgreementText::new(b"[sla\n".to_vec(), "bad.toml");
    assert!(matches!(
        watcher.agreement(&mut store, &invalid, &mut Quiet),
        AgreementChange::Refused(_)
    ));
    assert!(matches!(
        watcher.agreement(&mut store, &invalid, &mut Quiet),
        AgreementChange::Unchanged
    ));
    let source = String::from_utf8(agreement.source.clone()).unwrap();
    let changed = AgreementText::new(
        source
            .replacen("follow_up_hours = 24", "follow_up_hours = 4", 1)
            .into_bytes(),
        "accord.toml",
    );
    assert_ne!(changed.source, agreement.source);
    assert!(matches!(
        watcher.agreement(&mut store, &changed, &mut Quiet),
        AgreementChange::Applied(Kept::Stored)
    ));
    assert!(current(&store, &changed).is_some());
    assert!(current(&store, &agreement).is_none());
    let stored = current(&store, &changed).unwrap();
    let sla = stored.iter().find(|t| t.name == "sla_followup").unwrap();
    assert_eq!(
        accord_report::describe_terms(sla),
        "follow-up within 4 h, decision within 48 h"
    );
}

#[test]
fn a_watcher_on_a_store_it_may_not_write_keeps_its_reports_to_itself() {
    let mut store = store_with_log();
    let agreement = default_agreement();
    let (mut watcher, kept) = Watcher::start(
        &mut store,
        agreement.terms().unwrap(),
        agreement.stamp(),
        false,
        &mut Quiet,
    )
    .unwrap();
    assert!(matches!(kept, Kept::NotWritable));
    assert!(!watcher.is_stored());
    assert!(matches!(watcher.store(&mut store), Kept::NotWritable));
    assert!(current(&store, &agreement).is_none());
}

#[test]
fn stored_names_its_views() {
    assert_eq!(stored::view_name("kpi"), "report/kpi");
}

/// A store that counts the reads of its log (every scan of batches).
struct CountingScans {
    inner: SqliteStore,
    scans: std::cell::Cell<u32>,
}

impl EventStore for CountingScans {
    type Tx<'a> = <SqliteStore as EventStore>::Tx<'a>;

    fn begin(&mut self) -> Result<Self::Tx<'_>, accord_store::StoreError> {
        self.inner.begin()
    }
    fn ids(
        &self,
        kind: accord_core::event::EventKind,
    ) -> Result<Vec<String>, accord_store::StoreError> {
        self.inner.ids(kind)
    }
    fn counts(&self) -> Result<accord_store::Counts, accord_store::StoreError> {
        self.inner.counts()
    }
    fn scan_bytes_between(
        &self,
        after: u64,
        upto: u64,
        visit: &mut dyn FnMut(&[u8]) -> Result<(), accord_store::StoreError>,
    ) -> Result<(), accord_store::StoreError> {
        self.scans.set(self.scans.get() + 1);
        self.inner.scan_bytes_between(after, upto, visit)
    }
    fn scan_entries_between(
        &self,
        after: u64,
        upto: u64,
        visit: &mut accord_store::VisitEntry<'_>,
    ) -> Result<(), accord_store::StoreError> {
        self.scans.set(self.scans.get() + 1);
        self.inner.scan_entries_between(after, upto, visit)
    }
    fn seq_of(
        &self,
        kind: accord_core::event::EventKind,
        id: &str,
    ) -> Result<Option<u64>, accord_store::StoreError> {
        self.inner.seq_of(kind, id)
    }
    fn head(&self) -> Result<u64, accord_store::StoreError> {
        self.inner.head()
    }
    fn view(&self, name: &str) -> Result<Option<(u64, Vec<u8>)>, accord_store::StoreError> {
        self.inner.view(name)
    }
    fn put_views(
        &mut self,
        head: u64,
        views: &[(&str, &[u8])],
    ) -> Result<(), accord_store::StoreError> {
        self.inner.put_views(head, views)
    }
}

/// With a current watcher at hand, a period is read from its day cells: no
/// batch of the log is read. Without one (or once the log moved on) the log
/// is folded; both give the same tables, and the period's counts are the
/// hand-counted ones (L1 and L2 were created on 2025-04-01, L3 on 04-02).
#[test]
fn a_period_read_from_a_current_watcher_reads_no_log_batch() {
    let mut store = CountingScans {
        inner: store_with_log(),
        scans: std::cell::Cell::new(0),
    };
    append(&mut store.inner, &[created("L3", 86_400 + 60)]);
    let agreement = default_agreement();
    let (watcher, _) = Watcher::start(
        &mut store,
        agreement.terms().unwrap(),
        agreement.stamp(),
        true,
        &mut Quiet,
    )
    .unwrap();
    let names = ["kpi", "funnel", "content"];
    let period = Period::from_dates(Some("2025-04-02"), Some("2025-04-30")).unwrap();
    let request = Request {
        names: &names,
        period,
        explain: None,
        limit: 20,
        compare: None,
        filter: accord_report::funnel::Filter::ALL,
        won_by: None,
    };
    let before = store.scans.get();
    let from_cells =
        match reports::answer_with(&mut store, &request, &agreement, Some(&watcher), &mut Quiet)
            .unwrap()
        {
            Answer::Period(p) => p,
            other => panic!("{other:?}"),
        };
    assert_eq!(store.scans.get(), before, "the log was read");
    let kpi = &from_cells.tables[0];
    assert_eq!(kpi.rows.len(), 2);
    assert_eq!(kpi.rows[1][0], accord_report::Value::Text("2025-04".into()));
    assert_eq!(kpi.rows[1][1], accord_report::Value::Int(1));

    let from_log = match reports::answer(&mut store, &request, &agreement, &mut Quiet).unwrap() {
        Answer::Period(p) => p,
        other => panic!("{other:?}"),
    };
    // No watcher: the snapshot the watcher stored at this head is read (its
    // cells part), not the log.
    assert_eq!(
        store.scans.get(),
        before,
        "no watcher: the snapshot's cells"
    );
    assert_eq!(from_log.tables, from_cells.tables);
    assert_eq!(from_log.as_of, from_cells.as_of);

    // The log moved on: the watcher is no longer current and is not read.
    append(&mut store.inner, &[created("L4", 86_400 + 120)]);
    let moved = store.scans.get();
    let answer =
        match reports::answer_with(&mut store, &request, &agreement, Some(&watcher), &mut Quiet)
            .unwrap()
        {
            Answer::Period(p) => p,
            other => panic!("{other:?}"),
        };
    assert!(store.scans.get() > moved);
    assert_eq!(answer.tables[0].rows[1][1], accord_report::Value::Int(2));
}

/// Counts what a resume tells.
#[derive(Default)]
struct Told {
    damaged: Vec<String>,
    not_saved: Vec<String>,
    folds: u32,
}

impl crate::Progress for Told {
    fn started(&mut self, _total: u64) {
        self.folds += 1;
    }
    fn snapshot_damaged(&mut self, error: &accord_report::snapshot::SnapshotError) {
        self.damaged.push(error.to_string());
    }
    fn snapshot_not_saved(&mut self, error: &accord_store::StoreError) {
        self.not_saved.push(error.to_string());
    }
}

fn resume(store: &SqliteStore, told: &mut Told) -> (accord_report::Live, snapshot::Resumed) {
    let agreement = default_agreement();
    let head = store.head().unwrap();
    snapshot::resume(
        store,
        head,
        agreement.terms().unwrap(),
        &agreement.stamp(),
        told,
    )
    .unwrap()
}

fn live_tables(live: &accord_report::Live) -> Vec<Table> {
    REPORTS
        .iter()
        .map(|n| live.table(n, &Period::ALL).unwrap())
        .collect()
}

#[test]
fn a_watcher_resumes_from_the_snapshot_and_folds_only_what_came_after() {
    let mut store = store_with_log();
    let agreement = default_agreement();
    let start = |store: &mut SqliteStore| {
        let terms = agreement.terms().unwrap();
        Watcher::start(store, terms, agreement.stamp(), true, &mut Quiet).unwrap()
    };
    // The first start folds the log and stores the snapshot at its head.
    let at = store.head().unwrap();
    let (watcher, _) = start(&mut store);
    drop(watcher);
    let mut told = Told::default();
    assert_eq!(
        resume(&store, &mut told).1,
        snapshot::Resumed::Snapshot { at, folded: 0 }
    );
    assert_eq!(told.folds, 0, "the log is not read");

    // Two events later, a resume folds those two onto the snapshot, and
    // reports what a whole fold does.
    append(
        &mut store,
        &[created("L3", 10_800), viewed("T3", "L3", 11_000)],
    );
    let (live, how) = resume(&store, &mut told);
    assert_eq!(how, snapshot::Resumed::Snapshot { at, folded: 2 });
    assert_eq!(live_tables(&live), all_time(&mut store).tables);

    // A watcher that stops saves its head: the next start folds nothing.
    let (mut watcher, _) = start(&mut store);
    watcher.save_snapshot(&mut store).unwrap();
    let head = store.head().unwrap();
    assert_eq!(
        resume(&store, &mut told).1,
        snapshot::Resumed::Snapshot {
            at: head,
            folded: 0
        }
    );
    assert!(told.damaged.is_empty());
}

#[test]
fn a_snapshot_of_another_stamp_is_ignored_and_a_damaged_one_told_and_rebuilt() {
    let mut store = store_with_log();
    let head = store.head().unwrap();
    let whole = all_time(&mut store).tables;

    // Another agreement's snapshot: not this one's, so the log is folded.
    let source = String::from_utf8(default_agreement().source).unwrap();
    let other = AgreementText::new(
        source
            .replacen("lookback_days = 90", "lookback_days = 30", 1)
            .into_bytes(),
        "other.toml",
    );
    assert_ne!(other.stamp(), default_agreement().stamp());
    let live = accord_report::Live::build(
        other.terms().unwrap(),
        fold_log(&store, head, &mut Quiet).unwrap(),
    );
    snapshot::save(&mut store, &live, head, &other.stamp()).unwrap();
    let mut told = Told::default();
    let (live, how) = resume(&store, &mut told);
    assert_eq!((how, told.folds), (snapshot::Resumed::Log, 1));
    assert!(told.damaged.is_empty());
    assert_eq!(live_tables(&live), whole);

    // This agreement's snapshot with a byte changed: told, then rebuilt.
    snapshot::save(&mut store, &live, head, &default_agreement().stamp()).unwrap();
    let (_, mut part) = store.view("live/bulk/0").unwrap().unwrap();
    let last = part.len() - 1;
    part[last] ^= 1;
    store.put_views(head, &[("live/bulk/0", &part)]).unwrap();
    let mut told = Told::default();
    let (live, how) = resume(&store, &mut told);
    assert_eq!((how, told.folds), (snapshot::Resumed::Log, 1));
    assert_eq!(
        told.damaged,
        ["the snapshot's bytes do not match its digest (it is damaged)"]
    );
    assert_eq!(live_tables(&live), whole);

    // A part stored at another head than its manifest is damaged too.
    snapshot::save(&mut store, &live, head, &default_agreement().stamp()).unwrap();
    let (_, part) = store.view("live/bulk/0").unwrap().unwrap();
    store
        .put_views(head + 1, &[("live/bulk/0", &part)])
        .unwrap();
    let mut told = Told::default();
    assert_eq!(resume(&store, &mut told).1, snapshot::Resumed::Log);
    assert_eq!(told.damaged.len(), 1);
}

#[test]
fn a_period_read_on_a_read_only_database_tells_that_the_snapshot_was_not_stored() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("log.db");
    {
        let mut store = SqliteStore::create_or_open(&path).unwrap();
        append(&mut store, &[created("L1", 0), viewed("T1", "L1", 60)]);
    }
    let mut store = SqliteStore::open_read_only(&path).unwrap();
    let names = ["kpi"];
    let request = Request {
        names: &names,
        period: Period::from_dates(Some("1970-01-01"), None).unwrap(),
        explain: None,
        limit: 20,
        compare: None,
        filter: accord_report::funnel::Filter::ALL,
        won_by: None,
    };
    let mut told = Told::default();
    let answer = reports::answer(&mut store, &request, &default_agreement(), &mut told).unwrap();
    let Answer::Period(p) = answer else {
        panic!("{answer:?}")
    };
    assert_eq!(p.tables[0].rows[0][1], accord_report::Value::Int(1));
    assert_eq!(told.not_saved.len(), 1, "{:?}", told.not_saved);
    assert!(store.view("live/manifest").unwrap().is_none());
}
