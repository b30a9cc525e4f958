//! What a report request reads and answers. All time (no period, nothing
//! explained): the stored reports when every one asked is current, else the
//! reports' state resumed ([`snapshot::resume`]: the stored snapshot plus
//! the events after it, or the whole log), all twelve reports computed and
//! stored for the next read. A period: read from day cells, those of the
//! watcher when one is current, else of the stored snapshot's cells part
//! when it is at the log's head, else of a resumed state (and the snapshot
//! stored). A comparison ([`Comparison::Previous`]) reads the same reports
//! over the previous period from the same cells and joins each pair
//! ([`accord_report::compare`]). An explanation: the one number taken
//! apart, from the watcher's projections when it is current, else from the
//! whole log folded.

use accord_report::{
    attribution, compare, funnel, Period, Projections, Table, UnknownReport, REPORTS,
};
use accord_store::{EventStore, StoreError};

use crate::fold::{fold_log, Progress};
use crate::snapshot::{self, Resumed};
use crate::stored::{describe_as_of, store_reports, stored_reports};
use crate::watch::Watcher;
use crate::{AgreementText, Error};

/// The reports a name asks for: one of [`REPORTS`], or all of them (`all`).
pub fn select(name: &str) -> Result<Vec<&'static str>, UnknownReport> {
    if name == "all" {
        Ok(REPORTS.to_vec())
    } else if let Some(&n) = REPORTS.iter().find(|&&n| n == name) {
        Ok(vec![n])
    } else {
        Err(UnknownReport(name.to_owned()))
    }
}

/// What is asked.
#[derive(Clone, Debug)]
pub struct Request<'a> {
    /// Report names (from [`select`]).
    pub names: &'a [&'static str],
    pub period: Period,
    /// A key to explain (an opportunity id, or `MONTH,CHANNEL,STAGE`).
    pub explain: Option<&'a str>,
    /// Leads listed by a funnel explanation, opportunities by `won_by`.
    pub limit: usize,
    /// A key of an attribution report (a campaign or a channel, `(none)`,
    /// `(no campaign)`): the won opportunities crediting it instead.
    pub won_by: Option<&'a str>,
    /// What each figure is compared with, if anything.
    pub compare: Option<Comparison>,
    /// The funnel's leads by channel, region and persona
    /// ([`funnel::Filter::ALL`]: every lead; only the funnel takes another).
    pub filter: funnel::Filter,
}

/// What a period's figures are compared with.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Comparison {
    /// The period of the same number of days ending the day before it
    /// starts ([`compare::previous`]): each number column `c` gets
    /// `c_previous` and `c_change`.
    Previous,
}

/// The answer to a [`Request`].
#[derive(Debug)]
pub enum Answer {
    AllTime(AllTime),
    Period(PeriodReports),
    Explained(Explained),
}

/// All-time reports, in the order asked.
#[derive(Debug)]
pub struct AllTime {
    pub tables: Vec<Table>,
    /// "as of …" or "no events".
    pub as_of: String,
    pub source: Source,
}

/// Where all-time reports came from.
#[derive(Debug)]
pub enum Source {
    /// Every one was stored and current.
    Stored,
    /// Computed from `events` events of the log: all of it, or those after
    /// the stored snapshot of the reports' state at log position
    /// `snapshot`; `stored` is the outcome of storing the reports (and the
    /// snapshot) for the next read (a database that cannot take them still
    /// gets its reports).
    Computed {
        events: u64,
        snapshot: Option<u64>,
        stored: Result<(), StoreError>,
    },
}

/// Reports over a period, in the order asked.
#[derive(Debug)]
pub struct PeriodReports {
    pub tables: Vec<Table>,
    pub as_of: String,
    /// Events read from the log for this answer: none when the cells of a
    /// current watcher or of the snapshot at the log's head were read.
    pub events: u64,
    /// The period the tables compare with (`Request::compare`), if any.
    pub compared_with: Option<Period>,
}

/// What one number is made of.
#[derive(Debug)]
pub struct Explained {
    pub table: Table,
    pub as_of: String,
    pub what: Explanation,
}

#[derive(Debug)]
pub enum Explanation {
    /// A funnel cell: `total` leads, of which the table lists some.
    Funnel { total: usize },
    /// An opportunity's credit: `outcome` says what it was credited for.
    Attribution { outcome: String },
    /// The won opportunities crediting a key: `total`, of which the table
    /// lists some.
    WonBy { total: usize },
}

/// Answers `request` from `store` under `agreement`.
pub fn answer<S: EventStore>(
    store: &mut S,
    request: &Request<'_>,
    agreement: &AgreementText,
    progress: &mut dyn Progress,
) -> Result<Answer, Error> {
    answer_with(store, request, agreement, None, progress)
}

/// [`answer`], reading a period from `watcher`'s cells when it is current
/// (at the store's head, under this agreement).
pub fn answer_with<S: EventStore>(
    store: &mut S,
    request: &Request<'_>,
    agreement: &AgreementText,
    watcher: Option<&Watcher>,
    progress: &mut dyn Progress,
) -> Result<Answer, Error> {
    if !request.filter.is_all() && request.names != ["funnel"] {
        return Err(Error::FilterNotFunnel);
    }
    if let Some(key) = request.won_by {
        if request.compare.is_some() || request.explain.is_some() {
            return Err(Error::WonByAlone);
        }
        return won_by(store, request, key, agreement, watcher, progress).map(Answer::Explained);
    }
    if let Some(key) = request.explain {
        if request.compare.is_some() {
            return Err(Error::CompareExplained);
        }
        return explain(store, request, key, agreement, watcher, progress).map(Answer::Explained);
    }
    if request.compare.is_some() && compare::previous(&request.period).is_none() {
        return Err(Error::CompareNeedsPeriod);
    }
    if request.period.is_all() && request.filter.is_all() {
        return all_time(store, request.names, agreement, progress).map(Answer::AllTime);
    }
    over_period(store, request, agreement, watcher, progress).map(Answer::Period)
}

/// All-time reports: from the stored views when they are current, else
/// computed from the log and stored for the next read.
pub fn all_time<S: EventStore>(
    store: &mut S,
    names: &[&str],
    agreement: &AgreementText,
    progress: &mut dyn Progress,
) -> Result<AllTime, Error> {
    let head = store.head()?;
    let stamp = agreement.stamp();
    if let Some((as_of, tables)) = stored_reports(store, names, head, &stamp)? {
        return Ok(AllTime {
            tables,
            as_of,
            source: Source::Stored,
        });
    }
    // Checked before the fold: an invalid agreement fails at once, not after
    // seconds of reading the log.
    let terms = agreement.terms()?;
    let (live, resumed) = snapshot::resume(store, head, terms, &stamp, progress)?;
    let (events, snapshot) = match resumed {
        Resumed::Snapshot { at, folded } => (folded, Some(at)),
        Resumed::Log => (live.projections().events, None),
    };
    let (all, mut stored) = store_reports(store, &live, head, &stamp);
    if stored.is_ok()
        && resumed
            != (Resumed::Snapshot {
                at: head,
                folded: 0,
            })
    {
        stored = snapshot::save(store, &live, head, &stamp);
    }
    let tables = names
        .iter()
        .map(|n| {
            all.iter()
                .find(|t| t.name == *n)
                .cloned()
                .expect("every report")
        })
        .collect();
    Ok(AllTime {
        tables,
        as_of: describe_as_of(live.projections()),
        source: Source::Computed {
            events,
            snapshot,
            stored,
        },
    })
}

/// Reports over `request.period`, from the day cells of `watcher` when it is
/// current, else of a [`Live`] resumed from the snapshot or built from the
/// log; with `request.compare`, each beside the same report over the
/// previous period. A filtered funnel is read this way over all time too.
pub fn over_period<S: EventStore>(
    store: &mut S,
    request: &Request<'_>,
    agreement: &AgreementText,
    watcher: Option<&Watcher>,
    progress: &mut dyn Progress,
) -> Result<PeriodReports, Error> {
    let compared_with = match request.compare {
        None => None,
        Some(Comparison::Previous) => {
            Some(compare::previous(&request.period).ok_or(Error::CompareNeedsPeriod)?)
        }
    };
    let stamp = agreement.stamp();
    let head = store.head()?;
    if let Some(w) = watcher.filter(|w| w.is_current(head, &stamp)) {
        let live = w.live();
        let table = |name: &str, period: &Period| match name {
            "funnel" => Ok(live.funnel(period, &request.filter)),
            _ => live.table(name, period),
        };
        return period_reports(table, live.projections(), 0, request, compared_with);
    }
    let terms = agreement.terms()?;
    if let Some(cells) = snapshot::cells_at(store, head, &stamp, terms)? {
        let table = |name: &str, period: &Period| match name {
            "funnel" => Ok(cells.funnel(period, &request.filter)),
            _ => cells.table(name, period),
        };
        return period_reports(table, cells.projections(), 0, request, compared_with);
    }
    let (live, resumed) = snapshot::resume(store, head, terms, &stamp, progress)?;
    if resumed
        != (Resumed::Snapshot {
            at: head,
            folded: 0,
        })
    {
        // A database that cannot take it (read-only, busy) only costs the
        // next read the same fold again.
        if let Err(e) = snapshot::save(store, &live, head, &stamp) {
            progress.snapshot_not_saved(&e);
        }
    }
    let read = match resumed {
        Resumed::Snapshot { folded, .. } => folded,
        Resumed::Log => live.projections().events,
    };
    let table = |name: &str, period: &Period| match name {
        "funnel" => Ok(live.funnel(period, &request.filter)),
        _ => live.table(name, period),
    };
    period_reports(table, live.projections(), read, request, compared_with)
}

/// The reports asked, over the period asked (and the previous one), from
/// day cells (`table`), with the as-of time and count of `p`.
fn period_reports(
    table: impl Fn(&str, &Period) -> Result<Table, UnknownReport>,
    p: &Projections,
    events: u64,
    request: &Request<'_>,
    compared_with: Option<Period>,
) -> Result<PeriodReports, Error> {
    let period = &request.period;
    let tables = request
        .names
        .iter()
        .map(|name| {
            let current = table(name, period)?;
            Ok(match &compared_with {
                None => current,
                Some(before) => {
                    let previous = table(name, before)?;
                    compare::compare(&current, &previous, period, before)
                }
            })
        })
        .collect::<Result<_, UnknownReport>>()?;
    Ok(PeriodReports {
        tables,
        as_of: describe_as_of(p),
        events,
        compared_with,
    })
}

/// What the number `key` of the one report asked is made of: from the
/// projections of `watcher` when it is current (at the store's head, under
/// this agreement), else from the whole log folded.
pub fn explain<S: EventStore>(
    store: &S,
    request: &Request<'_>,
    key: &str,
    agreement: &AgreementText,
    watcher: Option<&Watcher>,
    progress: &mut dyn Progress,
) -> Result<Explained, Error> {
    enum Which {
        Funnel,
        Attribution,
    }
    let which = match request.names {
        ["funnel"] => Which::Funnel,
        ["attribution_campaign" | "attribution_channel"] => Which::Attribution,
        _ => return Err(Error::CannotExplain),
    };
    let head = store.head()?;
    let folded;
    let live = watcher
        .filter(|w| w.is_current(head, &agreement.stamp()))
        .map(Watcher::live);
    // A current watcher's terms are the agreement's (its stamp says so):
    // the agreement is parsed (milliseconds) only for a fold.
    let (projections, terms) = match live {
        Some(live) => (live.projections(), *live.terms()),
        None => {
            let terms = agreement.terms()?;
            folded = fold_log(store, head, progress)?;
            (&folded, terms)
        }
    };
    let as_of = describe_as_of(projections);
    let (table, what) = match which {
        Which::Funnel => {
            let (table, total) = funnel::explain(
                projections,
                &request.period,
                &request.filter,
                key,
                request.limit,
            )
            .map_err(Error::Explain)?;
            (table, Explanation::Funnel { total })
        }
        Which::Attribution => {
            // A watcher's state has the orders an explanation reads.
            let (mut table, outcome) = match live {
                Some(live) => live.explain_opportunity(&terms, key),
                None => attribution::explain(projections, &terms, key),
            }
            .map_err(Error::Explain)?;
            terms.models.show(&mut table);
            (table, Explanation::Attribution { outcome })
        }
    };
    Ok(Explained { table, as_of, what })
}

/// The won opportunities crediting `key` in the one attribution report
/// asked, over the period: from the watcher's state when it is current,
/// else from the whole log folded.
pub fn won_by<S: EventStore>(
    store: &S,
    request: &Request<'_>,
    key: &str,
    agreement: &AgreementText,
    watcher: Option<&Watcher>,
    progress: &mut dyn Progress,
) -> Result<Explained, Error> {
    let by = match request.names {
        ["attribution_campaign"] => accord_report::won_by::By::Campaign,
        ["attribution_channel"] => accord_report::won_by::By::Channel,
        _ => return Err(Error::WonByNotAttribution),
    };
    let head = store.head()?;
    let live = watcher
        .filter(|w| w.is_current(head, &agreement.stamp()))
        .map(Watcher::live);
    let (table, total, as_of) = match live {
        Some(live) => {
            let (t, n) = live
                .won_by(by, key, &request.period, request.limit)
                .map_err(Error::Explain)?;
            (t, n, describe_as_of(live.projections()))
        }
        None => {
            let terms = agreement.terms()?;
            let p = fold_log(store, head, progress)?;
            let (t, n) = accord_report::won_by::won_by(
                &p,
                &terms,
                p.derived(),
                by,
                key,
                &request.period,
                request.limit,
            )
            .map_err(Error::Explain)?;
            (t, n, describe_as_of(&p))
        }
    };
    Ok(Explained {
        table,
        as_of,
        what: Explanation::WonBy { total },
    })
}
