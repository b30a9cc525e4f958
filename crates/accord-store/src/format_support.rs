//! What the format tests share: a plain event to store, and a file's
//! format read as SQLite reports it.

use super::*;
use accord_core::domain::*;
use accord_core::event::{Batch, Event, Touch};

/// An email open of lead L1, `at` seconds after 2023-11-14 22:13:20 UTC.
pub(crate) fn touch(id: &str, at: i64) -> Event {
    Event::Touched(Touch {
        id: TouchId::parse(id).unwrap(),
        lead: LeadId::parse("L1").unwrap(),
        occurred_at: Timestamp::from_unix_seconds(1_700_000_000 + at),
        kind: TouchKind::EmailOpen,
        channel: Some(Channel::Email),
        campaign: None,
        content: None,
        rep: None,
    })
}

/// `events` appended and committed as one batch.
pub(crate) fn append(store: &mut SqliteStore, events: &[Event]) {
    let mut batch = Batch::default();
    for e in events {
        batch.push(e);
    }
    let mut tx = store.begin().unwrap();
    tx.append(&batch).unwrap();
    tx.commit().unwrap();
}

/// The file's `PRAGMA user_version`: its store format.
pub(crate) fn user_version(path: &std::path::Path) -> i64 {
    rusqlite::Connection::open(path)
        .unwrap()
        .query_row("PRAGMA user_version", [], |r| r.get(0))
        .unwrap()
}
