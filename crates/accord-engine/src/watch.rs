//! Every all-time report kept current as events arrive: the step of a loop
//! that a front end runs (`accord watch` polls; a server may run it after
//! each append). [`Watcher::start`] folds the log once; then each new
//! stretch of the log is read ([`Watcher::new_events`]), applied as one
//! batch ([`Watcher::apply`]) and the reports stored again
//! ([`Watcher::store`]); a changed agreement recomputes them under its terms
//! ([`Watcher::agreement`]). The state behind the reports is resumed from
//! its stored snapshot when there is one ([`crate::snapshot`]) and stored
//! again after a rebuild and when the watcher stops
//! ([`Watcher::save_snapshot`]).

use accord_core::event::Event;
use accord_report::{Live, Projections, ReportTerms};
use accord_store::{EventStore, StoreError};

use crate::fold::Progress;
use crate::snapshot::{self, Resumed};
use crate::stored::store_reports;
use crate::{AgreementText, InvalidAgreement};

/// The reports of the log up to a head, and whether they are stored.
pub struct Watcher {
    live: Live,
    head: u64,
    stamp: String,
    /// The stamp of an agreement found invalid, not tried again.
    rejected_stamp: String,
    writable: bool,
    /// The head whose reports this watcher last stored under its stamp.
    stored_at: Option<u64>,
    /// Whether the last [`Watcher::store`] failed (a failure is told once).
    failing: bool,
    /// The log position of the stored snapshot of `live`, if this watcher
    /// knows one is stored and current (its stamp).
    snapshot_at: Option<u64>,
}

/// Events folded onto a snapshot at start past which it is stored again.
const SAVE_AFTER: u64 = 1_000_000;

/// The events that arrived since the watcher's head.
pub struct NewEvents {
    /// The log's head they reach.
    pub head: u64,
    pub events: Vec<Event>,
}

/// The outcome of storing the reports.
#[derive(Debug)]
pub enum Kept {
    Stored,
    /// The store cannot be written: the reports are kept here only.
    NotWritable,
    /// Storing failed (say, the database busy with a long import); the next
    /// [`Watcher::store`] tries again. `first` is true when the previous
    /// attempt did not fail (a front end tells the failure once, not every round).
    Failed {
        error: StoreError,
        first: bool,
    },
}

/// What a read of the agreement changed.
#[derive(Debug)]
pub enum AgreementChange {
    /// The same text as in force (or as last refused).
    Unchanged,
    /// A new valid agreement: every report recomputed under its terms.
    Applied(Kept),
    /// A new invalid agreement: the previous terms stay.
    Refused(InvalidAgreement),
}

impl Watcher {
    /// Folds the log up to its head, computes every report under `terms`
    /// (of the agreement whose stamp is `stamp`) and stores them when the
    /// store is `writable`.
    pub fn start<S: EventStore>(
        store: &mut S,
        terms: ReportTerms,
        stamp: String,
        writable: bool,
        progress: &mut dyn Progress,
    ) -> Result<(Watcher, Kept), StoreError> {
        let head = store.head()?;
        Watcher::start_at(store, head, terms, stamp, writable, progress)
    }

    /// [`Watcher::start`] at a given head of the log (at most its head: a
    /// caller that read the log up to `head` keeps the reports at the same
    /// point).
    pub fn start_at<S: EventStore>(
        store: &mut S,
        head: u64,
        terms: ReportTerms,
        stamp: String,
        writable: bool,
        progress: &mut dyn Progress,
    ) -> Result<(Watcher, Kept), StoreError> {
        let (live, resumed) = snapshot::resume(store, head, terms, &stamp, progress)?;
        let snapshot_at = match resumed {
            Resumed::Snapshot { at, folded } if folded < SAVE_AFTER => Some(at),
            _ => None,
        };
        let mut watcher = Watcher {
            live,
            head,
            stamp,
            rejected_stamp: String::new(),
            writable,
            stored_at: None,
            failing: false,
            snapshot_at,
        };
        let kept = watcher.store(store);
        if snapshot_at.is_none() {
            // A failure here only costs the next start a longer fold.
            if let Err(e) = watcher.save_snapshot(store) {
                progress.snapshot_not_saved(&e);
            }
        }
        Ok((watcher, kept))
    }

    pub fn live(&self) -> &Live {
        &self.live
    }

    /// Whether the reports are those of the log at `head` under the
    /// agreement stamped `stamp` (a reader may take them as they are).
    pub fn is_current(&self, head: u64, stamp: &str) -> bool {
        self.head == head && self.stamp == stamp
    }

    /// The log's head the reports are computed at.
    pub fn head(&self) -> u64 {
        self.head
    }

    /// Whether the reports of the watcher's head are stored (a front end
    /// stores them while they are not: after new events, or a failure).
    pub fn is_stored(&self) -> bool {
        self.stored_at == Some(self.head)
    }

    /// Stores every report as the views of the watcher's head.
    pub fn store<S: EventStore>(&mut self, store: &mut S) -> Kept {
        if !self.writable {
            return Kept::NotWritable;
        }
        match store_reports(store, &self.live, self.head, &self.stamp).1 {
            Ok(()) => {
                self.stored_at = Some(self.head);
                self.failing = false;
                Kept::Stored
            }
            Err(error) => {
                let first = !self.failing;
                self.failing = true;
                Kept::Failed { error, first }
            }
        }
    }

    /// Stores the state as the snapshot of the watcher's head, unless the
    /// stored one is already of that head (a front end calls this when it
    /// stops, so that the next start folds nothing).
    pub fn save_snapshot<S: EventStore>(&mut self, store: &mut S) -> Result<(), StoreError> {
        if !self.writable || self.snapshot_at == Some(self.head) {
            return Ok(());
        }
        snapshot::save(store, &self.live, self.head, &self.stamp)?;
        self.snapshot_at = Some(self.head);
        Ok(())
    }

    /// The events appended since the watcher's head, if any.
    pub fn new_events<S: EventStore>(&self, store: &S) -> Result<Option<NewEvents>, StoreError> {
        let head = store.head()?;
        if head == self.head {
            return Ok(None);
        }
        let mut events = Vec::new();
        store.scan_between(self.head, head, &mut |event| events.push(event))?;
        Ok(Some(NewEvents { head, events }))
    }

    /// Folds the new events in as one batch; the reports are now those of
    /// their head, to be stored with [`Watcher::store`].
    pub fn apply(&mut self, new: &NewEvents) {
        self.live.apply(&new.events);
        self.head = new.head;
    }

    /// Takes the agreement as read again: when its text changed and it is
    /// valid, every report is recomputed under its terms and stored.
    pub fn agreement<S: EventStore>(
        &mut self,
        store: &mut S,
        agreement: &AgreementText,
        progress: &mut dyn Progress,
    ) -> AgreementChange {
        let stamp = agreement.stamp();
        if stamp == self.stamp || stamp == self.rejected_stamp {
            return AgreementChange::Unchanged;
        }
        let terms = match agreement.terms() {
            Ok(terms) => terms,
            Err(e) => {
                self.rejected_stamp = stamp;
                return AgreementChange::Refused(e);
            }
        };
        progress.computing();
        // `Live` is rebuilt from its own projections (an empty one holds the place).
        let old = std::mem::replace(&mut self.live, Live::build(terms, Projections::default()));
        self.live = Live::build(terms, old.into_projections());
        progress.computed();
        self.stamp = stamp;
        self.stored_at = None;
        self.snapshot_at = None;
        let kept = self.store(store);
        if let Err(e) = self.save_snapshot(store) {
            progress.snapshot_not_saved(&e);
        }
        AgreementChange::Applied(kept)
    }
}
