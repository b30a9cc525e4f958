//! The engine fed from the store: the state rebuilt from the log
//! ([`load`]), and inputs that arrive live judged and stored
//! ([`ingest`]): each input checked (refused: nothing of it stored), stored,
//! applied and judged, its decisions stored after it, in one transaction
//! per chunk. A chunk's outcomes are reported after its commit: what is
//! acknowledged is durable. Time passing without an input: [`tick`] fires
//! what is due and stores it; [`follow`] applies what others stored.

use std::borrow::Cow;

use accord_core::event::{Batch, EventKind, Origin};
use accord_decide::{Decided, Engine, Refusal, Stored};
use accord_store::{AppendTx, EventStore, StoreError};
use accord_wire::{Input, WireError};
use rustc_hash::FxHashMap;

use crate::Progress;

mod tick;

pub use tick::{follow, tick, TickError};

/// Inputs per transaction: large enough that a commit's fsync is shared by
/// thousands of events, small enough that an acknowledgement is prompt.
pub const CHUNK: usize = 4_096;

/// The engine's state after every stored event, in log order (replay:
/// nothing is decided again).
pub fn load<S: EventStore>(store: &S, progress: &mut dyn Progress) -> Result<Engine, StoreError> {
    load_at(store, progress).map(|(engine, _)| engine)
}

/// [`load`], with the log's head the engine reached (read before the scan,
/// and the scan stops there: what another writer appends meanwhile is for
/// [`follow`]).
pub fn load_at<S: EventStore>(
    store: &S,
    progress: &mut dyn Progress,
) -> Result<(Engine, u64), StoreError> {
    let head = store.head()?;
    Ok((load_until(store, head, progress)?, head))
}

/// The engine's state after the stored events up to log position `head`.
pub fn load_until<S: EventStore>(
    store: &S,
    head: u64,
    progress: &mut dyn Progress,
) -> Result<Engine, StoreError> {
    let counts = store.counts()?;
    progress.started(counts.total());
    // Decoded on this thread, applied on another; a touch of packed ids
    // (nine events in ten) decoded without a string, an assignment's lists
    // not decoded (`Stored::read`).
    let read = |origin: &Origin, bytes: &[u8]| Stored::read(origin, bytes).map(Some);
    crate::fold::read_beside(store, head, read, move |chunks| {
        let mut engine = Engine::new();
        engine.reserve(|kind| counts.get(kind));
        for mut chunk in chunks {
            engine.apply_stored(&mut chunk);
            progress.advanced(engine.events());
        }
        progress.finished();
        engine
    })
}

/// What became of one input line.
#[derive(Debug)]
pub enum Outcome {
    /// Stored, with the decisions it led to.
    Stored { decisions: Vec<Decided> },
    /// Its event was stored before with the same content (or the action
    /// was already taken): nothing happened.
    Duplicate,
    /// Its key is stored with other content: refused.
    Conflict { key: String },
    /// The agreement or the state refuses it.
    Refused(Refusal),
    /// Not a valid line of the wire format.
    Invalid(WireError),
}

impl Outcome {
    pub fn is_refused(&self) -> bool {
        matches!(
            self,
            Outcome::Conflict { .. } | Outcome::Refused(_) | Outcome::Invalid(_)
        )
    }
}

/// Totals of an ingest.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Summary {
    pub lines: u64,
    pub stored: u64,
    pub duplicates: u64,
    pub refused: u64,
    pub decisions: u64,
}

/// Judges and stores `lines` (numbered text lines of the wire format) in
/// order; `report` sees each line's outcome once its chunk is committed,
/// with what fell due before the line (stored whatever its outcome).
pub fn ingest<S: EventStore>(
    store: &mut S,
    engine: &mut Engine,
    lines: impl IntoIterator<Item = (u64, String)>,
    report: &mut dyn FnMut(u64, &Outcome, &[Decided]),
) -> Result<Summary, StoreError> {
    let parsed = lines
        .into_iter()
        .map(|(number, text)| (number, accord_wire::parse_line(&text)));
    ingest_parsed(store, engine, parsed, report)
}

/// [`ingest`], with the lines read and parsed on a second thread, a chunk
/// or two ahead of the engine: reading and parsing JSON is a tenth of the
/// work, and it overlaps the judging when a core is free. Each chunk goes
/// back to the reading thread once judged, to be freed there (its
/// allocations are that thread's: freeing them on the engine's cost it a
/// tenth of its time). The outcomes, their order and what is stored are
/// [`ingest`]'s. After an error the reading thread is left to end with the
/// process or its input (it may be waiting on a pipe).
pub fn ingest_beside<S: EventStore>(
    store: &mut S,
    engine: &mut Engine,
    lines: impl Iterator<Item = (u64, String)> + Send + 'static,
    report: &mut dyn FnMut(u64, &Outcome, &[Decided]),
) -> Result<Summary, StoreError> {
    let (tx, rx) = std::sync::mpsc::sync_channel::<Vec<Parsed>>(2);
    let (back, judged) = std::sync::mpsc::channel::<Vec<Parsed>>();
    let reader = std::thread::spawn(move || {
        let mut lines = lines;
        loop {
            // The chunks judged meanwhile, freed on this thread.
            while judged.try_recv().is_ok() {}
            let chunk: Vec<_> = lines
                .by_ref()
                .take(CHUNK)
                .map(|(number, text)| (number, accord_wire::parse_line(&text)))
                .collect();
            // An empty chunk: the lines ended. A failed send: the engine
            // stopped on an error; nothing more is wanted.
            if chunk.is_empty() || tx.send(chunk).is_err() {
                break;
            }
        }
        // The engine's loop ends once the lines' end is seen here.
        drop(tx);
        // What is still given back is freed as it comes, until the engine
        // has judged the last chunk.
        for chunk in judged {
            drop(chunk);
        }
    });
    let mut summary = Summary::default();
    let mut outcomes = Vec::new();
    for chunk in rx {
        ingest_chunk(store, engine, &chunk, report, &mut summary, &mut outcomes)?;
        // The reader ends only once this sender is dropped (below).
        let _ = back.send(chunk);
    }
    drop(back);
    // Every chunk was taken, so the reader has ended; a panic there would
    // otherwise look like the end of the input.
    if let Err(panic) = reader.join() {
        std::panic::resume_unwind(panic);
    }
    Ok(summary)
}

/// A numbered input line, parsed.
type Parsed = (u64, Result<Input, WireError>);

/// [`ingest`] of lines already parsed (a server parses each request's
/// lines on the thread that received it, and only judges and stores them
/// on the engine's).
pub fn ingest_parsed<S: EventStore>(
    store: &mut S,
    engine: &mut Engine,
    inputs: impl IntoIterator<Item = Parsed>,
    report: &mut dyn FnMut(u64, &Outcome, &[Decided]),
) -> Result<Summary, StoreError> {
    let mut summary = Summary::default();
    let mut outcomes = Vec::new();
    let mut inputs = inputs.into_iter().peekable();
    while inputs.peek().is_some() {
        let chunk: Vec<Parsed> = inputs.by_ref().take(CHUNK).collect();
        ingest_chunk(store, engine, &chunk, report, &mut summary, &mut outcomes)?;
    }
    Ok(summary)
}

/// An input's outcome, with what fell due before it.
type Judged = (u64, Outcome, Vec<Decided>);

/// Keys batched in a chunk (borrowed from its inputs where they can be),
/// with the digest of their bytes.
type Seen<'p> = FxHashMap<(u8, Cow<'p, str>), u64>;

/// One chunk (at most [`CHUNK`] inputs) judged and stored in one
/// transaction, its outcomes reported after the commit and added to
/// `summary`. `outcomes`: room for them, left empty (kept from chunk to
/// chunk: thousands of outcomes are a large allocation).
fn ingest_chunk<S: EventStore>(
    store: &mut S,
    engine: &mut Engine,
    parsed: &[Parsed],
    report: &mut dyn FnMut(u64, &Outcome, &[Decided]),
    summary: &mut Summary,
    outcomes: &mut Vec<Judged>,
) -> Result<(), StoreError> {
    let mut batch = Batch::default();
    let mut seen: Seen<'_> = FxHashMap::default();
    // The chunk's event keys looked up at once: most are new.
    let refs: Vec<(EventKind, Cow<'_, str>)> = parsed
        .iter()
        .filter_map(|(_, input)| match input {
            Ok(Input::Event(e)) => Some((e.kind(), e.id_text())),
            _ => None,
        })
        .collect();
    let refs: Vec<(EventKind, &str)> = refs.iter().map(|(k, id)| (*k, &**id)).collect();
    let mut may_be_stored = store.may_be_stored(&refs)?.into_iter();
    for window in parsed.chunks(accord_decide::LOOK_AHEAD) {
        engine.warm(window.iter().filter_map(|(_, input)| match input {
            Ok(Input::Event(e)) => Some(e),
            _ => None,
        }));
        for (number, input) in window {
            let mut fired = Vec::new();
            let outcome = match input {
                Ok(input) => {
                    let maybe = matches!(input, Input::Event(_))
                        && may_be_stored.next().expect("a flag per event");
                    one(
                        store, engine, input, maybe, &mut batch, &mut seen, &mut fired,
                    )?
                }
                Err(e) => Outcome::Invalid(e.clone()),
            };
            outcomes.push((*number, outcome, fired));
        }
    }
    if !batch.is_empty() {
        let mut tx = store.begin()?;
        let appended = tx.append(&batch)?;
        // Every key was looked up first: a duplicate or conflict here
        // is another writer's, between the lookup and the append.
        if appended.duplicates > 0 || !appended.conflicts.is_empty() {
            return Err(StoreError::Backend {
                path: String::new(),
                detail: "another process appended the same events while this ingest ran; nothing of this chunk was stored: run it again".into(),
            });
        }
        tx.commit()?;
    }
    for (number, outcome, fired) in outcomes.drain(..) {
        summary.lines += 1;
        summary.decisions += fired.len() as u64;
        match &outcome {
            Outcome::Stored { decisions } => {
                summary.stored += 1;
                summary.decisions += decisions.len() as u64;
            }
            Outcome::Duplicate => summary.duplicates += 1,
            _ => summary.refused += 1,
        }
        report(number, &outcome, &fired);
    }
    Ok(())
}

/// One parsed line: what fell due before it fired (into `fired`), then
/// checked, looked up (an event only when it `may_be_stored`), applied,
/// judged, batched.
fn one<'p, S: EventStore>(
    store: &S,
    engine: &mut Engine,
    input: &'p Input,
    may_be_stored: bool,
    batch: &mut Batch,
    seen: &mut Seen<'p>,
    fired: &mut Vec<Decided>,
) -> Result<Outcome, StoreError> {
    // What fell due before the input happened is decided first: a
    // follow-up after the deadline does not undo the breach.
    let at = match input {
        Input::Event(event) => event.occurred_at(),
        Input::Action(action) => action.at(),
    };
    *fired = engine.tick(at);
    for (d, o) in fired.iter() {
        seen.insert((d.kind().code(), Cow::Owned(d.id())), digest_of(d));
        batch.push_from(d, o);
    }
    let acted;
    let (event, origin, is_action) = match input {
        Input::Event(event) => {
            if let Err(r) = engine.check(event) {
                return Ok(Outcome::Refused(r));
            }
            (event, Origin::Ingested, false)
        }
        Input::Action(action) => {
            // A retried action whose event is stored is a no-op, whatever
            // the lead's stage is now.
            let (kind, id) = action_key(action);
            if seen.contains_key(&(kind, Cow::Borrowed(id.as_str())))
                || store.seq_of(key_kind(kind), &id)?.is_some()
            {
                return Ok(Outcome::Duplicate);
            }
            match engine.act(action) {
                Ok((event, origin)) => {
                    acted = event;
                    (&acted, origin, true)
                }
                Err(r) => return Ok(Outcome::Refused(r)),
            }
        }
    };
    let key = match input {
        Input::Event(e) => (e.kind().code(), e.id_text()),
        Input::Action(_) => (event.kind().code(), Cow::Owned(event.id())),
    };
    if !is_action {
        if let Some(&d) = seen.get(&key) {
            return Ok(if d == digest_of(event) {
                Outcome::Duplicate
            } else {
                Outcome::Conflict {
                    key: event.key().to_string(),
                }
            });
        }
        let stored = if may_be_stored {
            store.stored_digest(event.kind(), &key.1)?
        } else {
            None
        };
        if let Some(d) = stored {
            // The append's own test: the same key with the same bytes.
            return Ok(if d == digest_of(event) {
                Outcome::Duplicate
            } else {
                Outcome::Conflict {
                    key: event.key().to_string(),
                }
            });
        }
    }
    // Each event is encoded once: its digest is that of its batched bytes.
    batch.push_from(event, &origin);
    seen.insert(key, last_digest(batch));
    engine.apply(event, &origin);
    let decisions = engine.judge(event);
    for (d, o) in &decisions {
        batch.push_from(d, o);
        seen.insert((d.kind().code(), Cow::Owned(d.id())), last_digest(batch));
    }
    Ok(Outcome::Stored { decisions })
}

fn last_digest(batch: &Batch) -> u64 {
    accord_core::event::digest(batch.get(batch.len() - 1).2)
}

fn digest_of(event: &accord_core::event::Event) -> u64 {
    accord_core::event::digest(&event.to_bytes())
}

fn action_key(action: &accord_core::action::Action) -> (u8, String) {
    use accord_core::action::Action;
    match action {
        Action::Accept(d) | Action::Qualify(d) | Action::Reject { decision: d, .. } => {
            (EventKind::StageChanged.code(), d.id.to_string())
        }
        Action::Reassign { id, .. } => (EventKind::OwnerAssigned.code(), id.to_string()),
    }
}

fn key_kind(code: u8) -> accord_core::event::EventKind {
    accord_core::event::EventKind::from_code(code).expect("a kind's own code")
}

/// Events of a decision, as one JSON line each (for `--decisions`).
pub fn decision_lines(decisions: &[Decided], out: &mut String) {
    for (event, origin) in decisions {
        accord_wire::write_event(event, origin, out);
        out.push('\n');
    }
}

/// A lead worth explaining in a demo: among leads past `lead` with an
/// owner and at least five touches, the one scoring highest now (the first
/// seen among equals).
pub fn example_lead(engine: &Engine) -> Option<String> {
    let mut best: Option<(i64, String)> = None;
    for l in engine.summaries() {
        let past_lead = matches!(l.stage.as_str(), "mql" | "sal" | "sql" | "opportunity");
        if !past_lead || l.owner.is_none() || best.as_ref().is_some_and(|(s, _)| *s >= l.score) {
            continue;
        }
        if engine.explain(&l.id).is_some_and(|r| r.touch_count >= 5) {
            best = Some((l.score, l.id));
        }
    }
    best.map(|(_, id)| id)
}
