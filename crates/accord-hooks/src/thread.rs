//! The delivery thread a long-running process starts (`accord run`,
//! `accord serve`): its own store connection (opened on the thread by the
//! caller's `open`, so this crate knows no backend), [`run_until`] with the
//! real transport and the wall clock, until `stop` is set.

use std::sync::atomic::AtomicBool;
use std::sync::Arc;
use std::thread::JoinHandle;
use std::time::{Duration, SystemTime};

use accord_store::{EventStore, HookStore, StoreError};

use crate::http::Http;
use crate::worker::{run_until, Config, Round};

/// How often the thread looks for new events when nothing is due.
pub const IDLE: Duration = Duration::from_millis(250);

/// This machine's clock, in unix seconds.
pub fn unix_now() -> i64 {
    SystemTime::now()
        .duration_since(SystemTime::UNIX_EPOCH)
        .map_or(0, |d| d.as_secs() as i64)
}

/// What the thread tells its owner.
pub enum Report<'a> {
    /// The store could not be opened: nothing will be delivered.
    NotOpened(&'a StoreError),
    /// A round's outcome (a failed round is tried again after [`IDLE`]).
    Round(Result<&'a Round, &'a StoreError>),
}

/// Starts delivering on a thread named `accord-hooks`; it ends once `stop`
/// is set (a request in flight finishes first, its outcome recorded).
pub fn spawn<S, O, R>(
    open: O,
    config: Config,
    stop: Arc<AtomicBool>,
    mut report: R,
) -> std::io::Result<JoinHandle<()>>
where
    S: EventStore + HookStore,
    O: FnOnce() -> Result<S, StoreError> + Send + 'static,
    R: FnMut(Report<'_>) + Send + 'static,
{
    std::thread::Builder::new()
        .name("accord-hooks".into())
        .spawn(move || {
            let mut store = match open() {
                Ok(store) => store,
                Err(e) => {
                    report(Report::NotOpened(&e));
                    return;
                }
            };
            let http = Http::new(config.timeout);
            run_until(
                &mut store,
                &http,
                &config,
                IDLE,
                &stop,
                &unix_now,
                &mut |round| report(Report::Round(round)),
            );
        })
}
