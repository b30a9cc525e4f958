//! The all-time reports stored beside the log as views (`report/<name>`).
//!
//! A view's body is three parts: the stamp line, the as-of line, then the
//! encoded [`Table`]. The stamp names what a stored report depends on besides
//! the log: this build, the report definitions (a digest of their code) and
//! the agreement's text (a digest of it, so that a current report is found
//! without parsing the agreement). A stored report is *current* when its view
//! was stored at the log's head and its stamp is the reader's; any other
//! view (stale, another stamp, damaged) is as good as absent, and the reader
//! computes the reports again. Databases written by earlier builds are read
//! by these rules, so the format below must not change without a new
//! `views N` number in the stamp.

use accord_report::{Live, Projections, Table, REPORTS};
use accord_store::{EventStore, StoreError};

/// The view of stored report `name`.
pub fn view_name(name: &str) -> String {
    format!("report/{name}")
}

/// The stamp of reports computed by this build under the agreement whose
/// text is `agreement_source`.
pub fn view_stamp(agreement_source: &[u8]) -> String {
    format!(
        "accord {} report views 1; definitions {}; agreement {:016x}",
        env!("CARGO_PKG_VERSION"),
        accord_report::DEFINITIONS_DIGEST,
        accord_core::event::digest(agreement_source)
    )
}

/// "as of <the latest event's time>", or "no events".
pub fn describe_as_of(p: &Projections) -> String {
    p.as_of
        .map_or_else(|| "no events".to_owned(), |t| format!("as of {t}"))
}

/// A view's bytes: the stamp line, the as-of line, then the encoded table.
pub fn view_body(stamp: &str, as_of: &str, table: &Table) -> Vec<u8> {
    let mut body = format!("{stamp}\n{as_of}\n").into_bytes();
    body.extend(table.encode());
    body
}

/// A stored report read back: its as-of line and its table.
#[derive(Clone, Debug)]
pub struct StoredReport {
    pub as_of: String,
    pub table: Table,
}

/// The stored report `name`, if it is current: stored at `head` with the
/// same stamp. A damaged view counts as absent.
pub fn stored_view<S: EventStore>(
    store: &S,
    name: &str,
    head: u64,
    stamp: &str,
) -> Result<Option<StoredReport>, StoreError> {
    let Some((at, body)) = store.view(&view_name(name))? else {
        return Ok(None);
    };
    if at != head {
        return Ok(None);
    }
    let mut parts = body.splitn(3, |&b| b == b'\n');
    let (Some(s), Some(as_of), Some(encoded)) = (parts.next(), parts.next(), parts.next()) else {
        return Ok(None);
    };
    if s != stamp.as_bytes() {
        return Ok(None);
    }
    let Ok(table) = Table::decode(encoded) else {
        return Ok(None);
    };
    Ok(Some(StoredReport {
        as_of: String::from_utf8_lossy(as_of).into_owned(),
        table,
    }))
}

/// The stored reports `names`, in that order, with the as-of line of the
/// last, if every one is current; `None` as soon as one is not.
pub fn stored_reports<S: EventStore>(
    store: &S,
    names: &[&str],
    head: u64,
    stamp: &str,
) -> Result<Option<(String, Vec<Table>)>, StoreError> {
    let mut tables = Vec::with_capacity(names.len());
    let mut as_of = String::new();
    for name in names {
        match stored_view(store, name, head, stamp)? {
            Some(report) => {
                as_of = report.as_of;
                tables.push(report.table);
            }
            None => return Ok(None),
        }
    }
    Ok(Some((as_of, tables)))
}

/// Every all-time report of `live` (in [`REPORTS`] order, showing the
/// attribution models of its terms), and the outcome of storing them as the
/// views of log position `head`, all or none. The stored tables hold only
/// those models' columns: the stamp (of the agreement's text) is what keeps
/// a table stored under other models from being read.
/// Storing only saves later reads some work: a caller may print the tables
/// whatever the outcome.
pub fn store_reports<S: EventStore>(
    store: &mut S,
    live: &Live,
    head: u64,
    stamp: &str,
) -> (Vec<Table>, Result<(), StoreError>) {
    let as_of = describe_as_of(live.projections());
    let all: Vec<Table> = REPORTS
        .iter()
        .map(|name| {
            live.table(name, &accord_report::Period::ALL)
                .expect("REPORTS are all known")
        })
        .collect();
    let bodies: Vec<(String, Vec<u8>)> = all
        .iter()
        .map(|t| (view_name(&t.name), view_body(stamp, &as_of, t)))
        .collect();
    let views: Vec<(&str, &[u8])> = bodies
        .iter()
        .map(|(n, b)| (n.as_str(), b.as_slice()))
        .collect();
    let stored = store.put_views(head, &views);
    (all, stored)
}
