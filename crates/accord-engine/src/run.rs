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
use accord_wire::{Input, WireError};

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
    /// Events applied to the engine (stored through [`Runner::ingest`],
    /// followed or fired by [`Runner::tick`]) but not yet to the reports
    /// ([`Runner::catch_up`] applies them).
    pending: Vec<Event>,
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
            pending: Vec::new(),
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
    /// due before `now` fired and stored, the reports brought to the head
    /// ([`Runner::catch_up`]) and stored again when they moved
    /// ([`Runner::store_reports`]). On an error the runner is as consistent
    /// as the log: a failed store of firings reloads the engine from the
    /// log before returning the error.
    pub fn step<S: EventStore>(
        &mut self,
        store: &mut S,
        now: Timestamp,
        progress: &mut dyn Progress,
    ) -> Result<Step, Error> {
        // Events taken in since the last catch-up count as followed.
        let carried = self.pending.len() as u64;
        let mut step = self.tick(store, now, progress)?;
        step.followed += carried;
        step.adopted = self.catch_up(store, progress)?;
        if matches!(step.adopted, Some((_, AgreementChange::Applied(_)))) {
            // Recomputed and stored under the new terms.
            return Ok(step);
        }
        step.kept = self.store_reports(store);
        Ok(step)
    }

    /// The engine's half of [`Runner::step`]: others' events applied and
    /// what is due before `now` fired and stored. The reports take these
    /// events at the next [`Runner::catch_up`] (a server ticks often and
    /// brings the reports along only now and then).
    pub fn tick<S: EventStore>(
        &mut self,
        store: &mut S,
        now: Timestamp,
        progress: &mut dyn Progress,
    ) -> Result<Step, Error> {
        let mut step = Step::default();
        let events = &mut self.pending;
        let upto = store.head()?;
        step.followed = live::follow(store, &mut self.engine, &mut self.head, upto, &mut |e| {
            events.push(e)
        })?;
        if self.writable {
            let before = self.pending.len();
            let events = &mut self.pending;
            let ticked = live::tick(store, &mut self.engine, &mut self.head, now, &mut |e| {
                events.push(e)
            });
            step.followed += (self.pending.len() - before) as u64;
            match ticked {
                Ok(fired) => {
                    self.pending.extend(fired.iter().map(|(e, _)| e.clone()));
                    step.fired = fired;
                }
                Err(TickError::Store(e)) => return Err(e.into()),
                Err(e) => {
                    // The engine holds firings the log does not: back to
                    // the log, at the head the reports reach (the events
                    // it applied are kept for them).
                    self.engine = live::load_until(store, self.head, progress)?;
                    return Err(e.into());
                }
            }
        }
        Ok(step)
    }

    /// Events the engine applied that the reports have not taken yet.
    pub fn pending(&self) -> usize {
        self.pending.len()
    }

    /// The reports brought to the engine's head: the pending events folded
    /// in as one batch and, when a new version was adopted, every report
    /// recomputed under its terms and stored (what that did is returned).
    pub fn catch_up<S: EventStore>(
        &mut self,
        store: &mut S,
        progress: &mut dyn Progress,
    ) -> Result<Option<(u32, AgreementChange)>, Error> {
        if self.watcher.head() != self.head {
            self.watcher.apply(&NewEvents {
                head: self.head,
                events: std::mem::take(&mut self.pending),
            });
        }
        let version = self.engine.agreement().map(|(v, _)| v);
        match version.filter(|&v| Some(v) != self.terms_version) {
            Some(v) => {
                let text = adopted_text(store, v)?;
                self.terms_version = Some(v);
                let change = self.watcher.agreement(store, &text, progress);
                Ok(Some((v, change)))
            }
            None => Ok(None),
        }
    }

    /// Stores the reports as the views of their head unless they are
    /// stored there already (`None`). They are caches of the log: a reader
    /// that finds them behind computes them again.
    pub fn store_reports<S: EventStore>(&mut self, store: &mut S) -> Option<Kept> {
        (!self.watcher.is_stored()).then(|| self.watcher.store(store))
    }

    /// Judges and stores input `lines` with this runner's engine, as
    /// [`live::ingest`] does (`report` sees each line's outcome after its
    /// commit): a server taking inputs in the process that keeps the
    /// reports, with no second engine loaded. Others' events stored before
    /// are applied first; the reports take everything at the next
    /// [`Runner::catch_up`] (or [`Runner::step`]). A writer that appends while this ingests makes the
    /// engine miss its events: the engine is then loaded again from the log.
    pub fn ingest<S: EventStore>(
        &mut self,
        store: &mut S,
        lines: impl IntoIterator<Item = (u64, String)>,
        report: &mut dyn FnMut(u64, &live::Outcome, &[Decided]),
        progress: &mut dyn Progress,
    ) -> Result<live::Summary, Error> {
        let parsed = lines
            .into_iter()
            .map(|(number, text)| (number, accord_wire::parse_line(&text)));
        self.ingest_parsed(store, parsed, report, progress)
    }

    /// [`Runner::ingest`] of inputs already parsed (on the thread that
    /// received them, in a server).
    pub fn ingest_parsed<S: EventStore>(
        &mut self,
        store: &mut S,
        inputs: impl IntoIterator<Item = (u64, Result<Input, WireError>)>,
        report: &mut dyn FnMut(u64, &live::Outcome, &[Decided]),
        progress: &mut dyn Progress,
    ) -> Result<live::Summary, Error> {
        let upto = store.head()?;
        let pending = &mut self.pending;
        live::follow(store, &mut self.engine, &mut self.head, upto, &mut |e| {
            pending.push(e)
        })?;
        let summary = live::ingest_parsed(store, &mut self.engine, inputs, report)?;
        let after = store.head()?;
        let before = self.pending.len();
        store.scan_decoded_entries_between(self.head, after, &mut |_, event| {
            self.pending.push(event)
        })?;
        self.head = after;
        let stored = (self.pending.len() - before) as u64;
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
}

/// This machine's clock as a timestamp, rounded up to the second (a clock
/// due at second s fires once the time is past s): the one reading of the
/// wall clock, which front ends pass to [`Runner::step`] and
/// [`crate::live::tick`]; the engine itself takes time only as a value.
pub fn wall_clock() -> Timestamp {
    let since = std::time::SystemTime::now()
        .duration_since(std::time::SystemTime::UNIX_EPOCH)
        .unwrap_or_default();
    Timestamp::from_unix_seconds(since.as_secs() as i64 + i64::from(since.subsec_nanos() > 0))
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
