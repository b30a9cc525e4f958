//! `accord run`'s webhook thread: its own connection to the database, the
//! library's delivery loop, a line on stderr when something moved.

use std::path::PathBuf;
use std::sync::atomic::AtomicBool;
use std::sync::Arc;
use std::thread::JoinHandle;
use std::time::{Duration, SystemTime};

use accord_hooks::http::Http;
use accord_hooks::worker::{run_until, Config};
use accord_store::SqliteStore;

/// How often the thread looks for new events when nothing is due.
const IDLE: Duration = Duration::from_millis(250);

fn unix_now() -> i64 {
    SystemTime::now()
        .duration_since(SystemTime::UNIX_EPOCH)
        .map_or(0, |d| d.as_secs() as i64)
}

/// Starts delivering; the thread ends once `stop` is set (a request in
/// flight finishes first, its outcome recorded).
pub fn spawn(db: PathBuf, config: Config, stop: Arc<AtomicBool>) -> JoinHandle<()> {
    std::thread::spawn(move || {
        let mut store = match SqliteStore::open_existing(&db) {
            Ok(store) => store,
            Err(e) => {
                eprintln!("note: webhooks are not delivered: {e}");
                return;
            }
        };
        let _ = store.set_write_wait(Duration::from_secs(1));
        let http = Http::new(config.timeout);
        let mut told = false;
        run_until(
            &mut store,
            &http,
            &config,
            IDLE,
            &stop,
            &unix_now,
            &mut |round| match round {
                Ok(r) => {
                    told = false;
                    if r.moved() {
                        eprintln!(
                            "webhooks: +{} queued, {} delivered, {} to retry, {} dead letters",
                            r.fanned.deliveries, r.delivered, r.retried, r.dead
                        );
                    }
                }
                Err(e) if !told => {
                    told = true;
                    eprintln!("note: webhooks waiting, retrying: {e}");
                }
                Err(_) => {}
            },
        );
    })
}
