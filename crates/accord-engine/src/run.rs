//! The daemon's step (`accord run`): the engine and every stored report
//! kept at the log's head while time passes. [`Runner::start`] loads the
//! engine and folds the reports at one head; each [`Runner::step`] then
//! applies what other writers stored (an `accord ingest`, an import) to
//! both, fires what the wall clock says is due and stores the firings
//! ([`crate::live::tick`]), and stores the reports again.
//!
//! The reports use the agreement in force in the log (the latest adopted)
//! once one is; before that, the agreement file the front end reads
//! ([`Runner::file_agreement`]).
//!
//! Stopping between two steps loses nothing: a firing is committed with its
//! batch or not decided, and the engine re-derives everything (the ids of
//! the next firings included) from the log when it starts again.

use accord_core::domain::Timestamp;
use accord_core::event::Event;
use accord_decide::{Decided, Engine};
use accord_store::{EventStore, StoreError};

use crate::agreement::{adoption, stored_text};
use crate::fold::Progress;
use crate::live::{self, TickError};
use crate::watch::{AgreementChange, Kept, NewEvents, Watcher};
use crate::{AgreementText, Error};

/// The engine and the reports, at one head of the log.
pub struct Runner {
    engine: Engine,
    head: u64,
    watcher: Watcher,
    /// The adopted version whose terms the reports use (`None`: the file's).
    terms_version: Option<u32>,
    writable: bool,
    /// Events this runner stored through [`Runner::ingest`], applied to the
    /// engine but not yet to the reports (the next step applies them).
    ingested: Vec<Event>,
}

/// Which agreement's terms the reports are counted under.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Terms {
    /// The version in force in the log.
    Adopted(u32),
    /// No version is adopted: the agreement file (its shown name).
    File(String),
}

/// What one step did.
#[derive(Debug, Default)]
pub struct Step {
    /// Events other writers stored, applied to the engine and the reports.
    pub followed: u64,
    /// What the engine fired and this step stored, in log order.
    pub fired: Vec<Decided>,
    /// A newly adopted agreement: the reports recomputed under its terms.
    pub adopted: Option<(u32, AgreementChange)>,
    /// The reports stored again (`None`: nothing changed and they were stored).
    pub kept: Option<Kept>,
}

impl Step {
    /// Whether the log moved in this step.
    pub fn moved(&self) -> bool {
        self.followed > 0 || !self.fired.is_empty()
    }
}

impl Runner {
    /// Loads the engine from the log, folds every report at the same head
    /// under the agreement in force (or `file` when none is adopted) and
    /// stores them when `writable`. A store that cannot be written is
    /// followed and reported on, but nothing fires.
    pub fn start<S: EventStore>(
        store: &mut S,
        file: &AgreementText,
        writable: bool,
        progress: &mut dyn Progress,
    ) -> Result<(Runner, Kept), Error> {
        let (engine, head) = live::load_at(store, progress)?;
        let terms_version = engine.agreement().map(|(v, _)| v);
        let text = match terms_version {
            Some(v) => adopted_text(store, v)?,
            None => file.clone(),
        };
        let terms = text.terms()?;
        let (watcher, kept) =
            Watcher::start_at(store, head, terms, text.stamp(), writable, progress)?;
        let runner = Runner {
            engine,
            head,
            watcher,
            terms_version,
            writable,
            ingested: Vec::new(),
        };
        Ok((runner, kept))
    }

    pub fn engine(&self) -> &Engine {
        &self.engine
    }

    pub fn watcher(&self) -> &Watcher {
        &self.watcher
    }

    /// The log's head the engine and the reports are at.
    pub fn head(&self) -> u64 {
        self.head
    }

    /// Whose terms the reports use.
    pub fn terms(&self, file: &AgreementText) -> Terms {
        match self.terms_version {
            Some(v) => Terms::Adopted(v),
            None => Terms::File(file.shown.clone()),
        }
    }

    /// Stores the reports' state as the snapshot of the runner's head (a
    /// front end calls this when it stops, so the next start resumes there).
    pub fn save_snapshot<S: EventStore>(&mut self, store: &mut S) -> Result<(), StoreError> {
        self.watcher.save_snapshot(store)
    }

    /// When the engine's next firing is due (a caller sleeps at most until then).
    pub fn next_due(&self) -> Option<Timestamp> {
        self.engine.next_due()
    }

    /// One round at wall-clock time `now`: others' events applied, what is
    /// due before `now` fired and stored, the reports stored again. On an
    /// error the runner is as consistent as the log: a failed store of
    /// firings reloads the engine from the log before returning the error.
    pub fn step<S: EventStore>(
        &mut self,
        store: &mut S,
        now: Timestamp,
        progress: &mut dyn Progress,
    ) -> Result<Step, Error> {
        let mut step = Step::default();
        let mut events: Vec<Event> = std::mem::take(&mut self.ingested);
        step.followed = events.len() as u64;
        let upto = store.head()?;
        step.followed += live::follow(store, &mut self.engine, &mut self.head, upto, &mut |e| {
            events.push(e)
        })?;
        if self.writable {
            let before = events.len();
            let ticked = live::tick(store, &mut self.engine, &mut self.head, now, &mut |e| {
                events.push(e)
            });
            step.followed += (events.len() - before) as u64;
            match ticked {
                Ok(fired) => {
                    events.extend(fired.iter().map(|(e, _)| e.clone()));
                    step.fired = fired;
                }
                Err(TickError::Store(e)) => {
                    self.catch_up_reports(events);
                    return Err(e.into());
                }
                Err(e) => {
                    // The engine holds firings the log does not: back to
                    // the log, at the head the reports reach.
                    self.catch_up_reports(events);
                    self.engine = live::load_until(store, self.head, progress)?;
                    return Err(e.into());
                }
            }
        }
        if !step.moved() {
            if !self.watcher.is_stored() {
                step.kept = Some(self.watcher.store(store));
            }
            return Ok(step);
        }
        self.watcher.apply(&NewEvents {
            head: self.head,
            events,
        });
        let version = self.engine.agreement().map(|(v, _)| v);
        if let Some(v) = version.filter(|&v| Some(v) != self.terms_version) {
            let text = adopted_text(store, v)?;
            self.terms_version = Some(v);
            let change = self.watcher.agreement(store, &text, progress);
            let stored = matches!(change, AgreementChange::Applied(_));
            step.adopted = Some((v, change));
            if stored {
                return Ok(step);
            }
        }
        step.kept = Some(self.watcher.store(store));
        Ok(step)
    }

    /// Judges and stores input `lines` with this runner's engine, as
    /// [`live::ingest`] does (`report` sees each line's outcome after its
    /// commit): a server taking inputs in the process that keeps the
    /// reports, with no second engine loaded. Others' events stored before
    /// are applied first; the reports take everything at the next
    /// [`Runner::step`]. A writer that appends while this ingests makes the
    /// engine miss its events: the engine is then loaded again from the log.
    pub fn ingest<S: EventStore>(
        &mut self,
        store: &mut S,
        lines: impl IntoIterator<Item = (u64, String)>,
        report: &mut dyn FnMut(u64, &live::Outcome, &[Decided]),
        progress: &mut dyn Progress,
    ) -> Result<live::Summary, Error> {
        let upto = store.head()?;
        let ingested = &mut self.ingested;
        live::follow(store, &mut self.engine, &mut self.head, upto, &mut |e| {
            ingested.push(e)
        })?;
        let summary = live::ingest(store, &mut self.engine, lines, report)?;
        let after = store.head()?;
        let before = self.ingested.len();
        store.scan_decoded_entries_between(self.head, after, &mut |_, event| {
            self.ingested.push(event)
        })?;
        self.head = after;
        let stored = (self.ingested.len() - before) as u64;
        if stored != summary.stored + summary.decisions {
            // Another writer's events are among these: the engine has not
            // seen them.
            self.engine = live::load_until(store, after, progress)?;
        }
        Ok(summary)
    }

    /// The agreement file as read again: its terms are taken (when valid
    /// and changed) only while no version is adopted.
    pub fn file_agreement<S: EventStore>(
        &mut self,
        store: &mut S,
        file: &AgreementText,
        progress: &mut dyn Progress,
    ) -> AgreementChange {
        if self.terms_version.is_some() {
            return AgreementChange::Unchanged;
        }
        self.watcher.agreement(store, file, progress)
    }

    /// Reports brought to the engine's head after a failed step (the
    /// events were applied to the engine; the reports must not miss them).
    fn catch_up_reports(&mut self, events: Vec<Event>) {
        if self.watcher.head() != self.head {
            self.watcher.apply(&NewEvents {
                head: self.head,
                events,
            });
        }
    }
}

/// The stored text of adopted version `v`.
fn adopted_text<S: EventStore>(store: &S, v: u32) -> Result<AgreementText, Error> {
    match adoption(store, v)? {
        Some(a) => Ok(stored_text(&a)),
        None => Err(Error::NotAdopted { version: v }),
    }
}

#[cfg(test)]
mod tests;
