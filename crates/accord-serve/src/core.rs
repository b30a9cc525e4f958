//! The engine thread: it alone owns the store and the [`Runner`] (the
//! engine and the reports at one head). Handlers send it commands and
//! await the reply. Event posts waiting together are judged and stored as
//! one group ([`Runner::ingest`]: a transaction per 4,096 inputs, each
//! committed with `synchronous=FULL` before any of the group is answered),
//! so a 2xx means durable and concurrent posts share their fsyncs; the
//! handlers parse the inputs first ([`crate::events::parse`]). Between
//! commands it ticks the clocks by the wall clock every [`STEP_EVERY`], as
//! `accord run` does. The stored reports (caches of the log, for other
//! processes and all-time reads) are brought to the head only when the
//! server is idle, every [`REPORTS_EVERY`] under load, before a report is
//! read ([`step`]) and when it stops; a restart after a crash folds what
//! they miss from the log.

use std::sync::atomic::{AtomicU8, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

pub use accord_engine::run::wall_clock;
use accord_engine::run::Runner;
use accord_engine::{AgreementText, Quiet};
use accord_store::{SqliteStore, TokenStore};
use crossbeam_channel::{Receiver, RecvTimeoutError, Sender};
use tokio::sync::oneshot;

use crate::auth::Tokens;
use crate::events::{self, EventResult, Parsed};
use crate::metrics::Metrics;
use crate::problem::Problem;

/// How often the clocks are ticked.
pub const STEP_EVERY: Duration = Duration::from_millis(50);
/// The stored reports are brought to the head once no command came for
/// this long, ...
pub const IDLE: Duration = Duration::from_millis(200);
/// ... and at least this often under a steady load (storing them stalls
/// the commands waiting behind it: tens of milliseconds at 100k leads).
pub const REPORTS_EVERY: Duration = Duration::from_secs(10);
/// Events the reports may lag behind the engine before they fold them in.
pub const PENDING_MAX: usize = 100_000;
/// How often the tokens are read again from the store.
pub const TOKENS_EVERY: Duration = Duration::from_secs(1);

/// What the engine thread holds.
pub struct Core {
    pub store: SqliteStore,
    pub runner: Runner,
    /// The agreement file (terms until one is adopted).
    pub file: AgreementText,
    pub metrics: Arc<Metrics>,
}

type Job = Box<dyn FnOnce(&mut Core) + Send>;

enum Command {
    Ingest {
        inputs: Vec<Parsed>,
        reply: oneshot::Sender<Result<Vec<EventResult>, Problem>>,
    },
    Job(Job),
}

/// The engine thread's state, as `/readyz` tells it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[repr(u8)]
pub enum Phase {
    Loading = 0,
    Ready = 1,
    Failed = 2,
    Stopped = 3,
}

/// A handle on the engine thread (cheap to clone).
#[derive(Clone)]
pub struct Handle {
    tx: Sender<Command>,
    phase: Arc<AtomicU8>,
}

impl Handle {
    pub fn phase(&self) -> Phase {
        match self.phase.load(Ordering::SeqCst) {
            0 => Phase::Loading,
            1 => Phase::Ready,
            2 => Phase::Failed,
            _ => Phase::Stopped,
        }
    }

    /// Runs `f` on the engine thread with the core; its result.
    pub async fn run<T: Send + 'static>(
        &self,
        f: impl FnOnce(&mut Core) -> T + Send + 'static,
    ) -> Result<T, Problem> {
        let (reply, rx) = oneshot::channel();
        let job: Job = Box::new(move |core| {
            let _ = reply.send(f(core));
        });
        self.tx.send(Command::Job(job)).map_err(|_| stopped())?;
        rx.await.map_err(|_| stopped())
    }

    /// Judges and stores `inputs` (grouped with whatever else waits);
    /// each one's result once every input of the group is committed.
    pub async fn ingest(&self, inputs: Vec<Parsed>) -> Result<Vec<EventResult>, Problem> {
        let (reply, rx) = oneshot::channel();
        self.tx
            .send(Command::Ingest { inputs, reply })
            .map_err(|_| stopped())?;
        rx.await.map_err(|_| stopped())?
    }
}

fn stopped() -> Problem {
    Problem::unavailable(
        "the engine is not running (the server is stopping, or failed to load the log)",
    )
}

/// What the engine thread is started with.
pub struct Start {
    pub store: SqliteStore,
    pub file: AgreementText,
    pub tokens: Tokens,
    pub metrics: Arc<Metrics>,
}

/// Starts the engine thread: it loads the engine and the reports, then
/// serves commands until every [`Handle`] is dropped (and saves the
/// reports' snapshot then).
pub fn spawn(start: Start) -> (Handle, std::thread::JoinHandle<()>) {
    let (tx, rx) = crossbeam_channel::unbounded();
    let phase = Arc::new(AtomicU8::new(Phase::Loading as u8));
    let handle = Handle {
        tx,
        phase: Arc::clone(&phase),
    };
    let thread = std::thread::Builder::new()
        .name("accord-engine".into())
        .spawn(move || main(start, rx, phase))
        .expect("a thread");
    (handle, thread)
}

fn main(start: Start, rx: Receiver<Command>, phase: Arc<AtomicU8>) {
    let Start {
        mut store,
        file,
        tokens,
        metrics,
    } = start;
    let writable = store.access() != accord_store::Access::ReadOnly;
    let runner = match Runner::start(&mut store, &file, writable, &mut Quiet) {
        Ok((runner, _)) => runner,
        Err(e) => {
            eprintln!("error: cannot load the log: {e}");
            phase.store(Phase::Failed as u8, Ordering::SeqCst);
            return;
        }
    };
    let mut core = Core {
        store,
        runner,
        file,
        metrics,
    };
    refresh_tokens(&core, &tokens);
    phase.store(Phase::Ready as u8, Ordering::SeqCst);
    let mut stepped = Instant::now();
    let mut tokens_read = Instant::now();
    let mut reports_kept = Instant::now();
    let mut last_command = Instant::now();
    loop {
        match rx.recv_timeout(STEP_EVERY) {
            Ok(first) => {
                let mut commands = vec![first];
                commands.extend(rx.try_iter());
                serve(&mut core, commands);
                last_command = Instant::now();
            }
            Err(RecvTimeoutError::Timeout) => {}
            Err(RecvTimeoutError::Disconnected) => break,
        }
        if stepped.elapsed() >= STEP_EVERY {
            tick(&mut core);
            stepped = Instant::now();
        }
        if core.runner.pending() >= PENDING_MAX {
            catch_up(&mut core);
        }
        let since = reports_kept.elapsed();
        if reports_behind(&core)
            && since >= IDLE
            && (last_command.elapsed() >= IDLE || since >= REPORTS_EVERY)
        {
            step(&mut core);
            reports_kept = Instant::now();
        }
        if tokens_read.elapsed() >= TOKENS_EVERY {
            refresh_tokens(&core, &tokens);
            tokens_read = Instant::now();
        }
    }
    step(&mut core);
    if let Err(e) = core.runner.save_snapshot(&mut core.store) {
        eprintln!("note: the reports' snapshot was not saved: {e}");
    }
    phase.store(Phase::Stopped as u8, Ordering::SeqCst);
}

fn refresh_tokens(core: &Core, tokens: &Tokens) {
    match core.store.tokens() {
        Ok(t) => tokens.set(t),
        Err(e) => eprintln!("note: tokens not read again: {e}"),
    }
}

/// Every waiting ingest as one group, then the other jobs in order.
fn serve(core: &mut Core, commands: Vec<Command>) {
    let mut groups = Vec::new();
    let mut jobs = Vec::new();
    for c in commands {
        match c {
            Command::Ingest { inputs, reply } => groups.push((inputs, reply)),
            Command::Job(j) => jobs.push(j),
        }
    }
    if !groups.is_empty() {
        let sizes: Vec<usize> = groups.iter().map(|(l, _)| l.len()).collect();
        let (inputs, replies): (Vec<Vec<Parsed>>, Vec<_>) = groups.into_iter().unzip();
        let all: Vec<Parsed> = inputs.into_iter().flatten().collect();
        let ingested = guarded(core, |core| events::ingest_parsed(core, all))
            .unwrap_or_else(|| Err(Problem::internal("the engine failed on this request; nothing of it was acknowledged, and the engine was loaded again from the log")));
        match ingested {
            Ok(mut results) => {
                for (size, reply) in sizes.into_iter().zip(replies).rev() {
                    let mine = results.split_off(results.len() - size);
                    let _ = reply.send(Ok(renumber(mine)));
                }
            }
            Err(p) => {
                for reply in replies {
                    let _ = reply.send(Err(p.clone()));
                }
            }
        }
    }
    for job in jobs {
        // A job that panics drops its reply: its caller gets a 503.
        guarded(core, job);
    }
}

/// Runs `f` on the core; a panic in it is told and the engine loaded
/// again from the log (what it held may be half applied), `None` returned.
fn guarded<T>(core: &mut Core, f: impl FnOnce(&mut Core) -> T) -> Option<T> {
    match std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| f(core))) {
        Ok(t) => Some(t),
        Err(_) => {
            eprintln!("error: the engine panicked on a request; loading it again from the log");
            let writable = core.store.access() != accord_store::Access::ReadOnly;
            match Runner::start(&mut core.store, &core.file, writable, &mut Quiet) {
                Ok((runner, _)) => core.runner = runner,
                Err(e) => eprintln!("error: cannot load the log again: {e}"),
            }
            None
        }
    }
}

/// A request's results numbered from 0.
fn renumber(mut results: Vec<EventResult>) -> Vec<EventResult> {
    for (i, r) in results.iter_mut().enumerate() {
        r.index = i;
    }
    results
}

/// One round of the clocks, the reports brought to the head and stored
/// (a report is read from them).
pub fn step(core: &mut Core) {
    match core.runner.step(&mut core.store, wall_clock(), &mut Quiet) {
        Ok(step) => core.metrics.fired(&step.fired),
        Err(e) => core.metrics.step_failed(&e),
    }
}

/// One round of the clocks alone: what is due fired and stored, others'
/// events followed; the reports take them later ([`step`]). Posts wait
/// behind this, so it stores nothing else.
fn tick(core: &mut Core) {
    match core.runner.tick(&mut core.store, wall_clock(), &mut Quiet) {
        Ok(step) => core.metrics.fired(&step.fired),
        Err(e) => core.metrics.step_failed(&e),
    }
}

/// The pending events folded into the reports (not stored).
fn catch_up(core: &mut Core) {
    if let Err(e) = core.runner.catch_up(&mut core.store, &mut Quiet) {
        core.metrics.step_failed(&e);
    }
}

/// Whether the stored reports are behind the engine (or failed to store).
fn reports_behind(core: &Core) -> bool {
    core.runner.pending() > 0
        || core.runner.watcher().head() != core.runner.head()
        || !core.runner.watcher().is_stored()
}

/// The agreement the reports are counted under: the version in force, else the file.
pub fn report_terms(core: &Core) -> Result<AgreementText, Problem> {
    match core.runner.engine().agreement() {
        Some((v, _)) => match accord_engine::agreement::adoption(&core.store, v)? {
            Some(a) => Ok(accord_engine::agreement::stored_text(&a)),
            None => Err(Problem::internal(format!(
                "agreement v{v} is in force but not in the log"
            ))),
        },
        None => Ok(core.file.clone()),
    }
}
