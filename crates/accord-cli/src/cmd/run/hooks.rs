//! `accord run`'s webhook thread (`accord_hooks::thread`, its own
//! connection to the database), and a line on stderr when something moved.

use std::path::PathBuf;
use std::sync::atomic::AtomicBool;
use std::sync::Arc;
use std::thread::JoinHandle;
use std::time::Duration;

use accord_hooks::thread::Report;
use accord_hooks::worker::Config;
use accord_store::SqliteStore;

/// Starts delivering; the thread ends once `stop` is set (a request in
/// flight finishes first, its outcome recorded).
pub fn spawn(
    db: PathBuf,
    config: Config,
    stop: Arc<AtomicBool>,
) -> std::io::Result<JoinHandle<()>> {
    let open = move || {
        let mut store = SqliteStore::open_existing(&db)?;
        let _ = store.set_write_wait(Duration::from_secs(1));
        Ok(store)
    };
    let mut told = false;
    accord_hooks::thread::spawn(open, config, stop, move |report| match report {
        Report::NotOpened(e) => eprintln!("note: webhooks are not delivered: {e}"),
        Report::Round(Ok(r)) => {
            told = false;
            if r.moved() {
                eprintln!(
                    "webhooks: +{} queued, {} delivered, {} to retry, {} dead letters",
                    r.fanned.deliveries, r.delivered, r.retried, r.dead
                );
            }
        }
        Report::Round(Err(e)) if !told => {
            told = true;
            eprintln!("note: webhooks waiting, retrying: {e}");
        }
        Report::Round(Err(_)) => {}
    })
}
