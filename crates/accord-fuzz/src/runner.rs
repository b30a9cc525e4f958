//! The bounded stable runner: runs a target on its seeds, then on mutations
//! of its seeds and of every input it accepted, until a time or input budget
//! is spent. A panic is caught, shrunk, and saved as a regression input.

use std::cell::RefCell;
use std::panic::{self, AssertUnwindSafe};
use std::path::{Path, PathBuf};
use std::sync::{mpsc, Arc, Mutex, Once};
use std::time::{Duration, Instant};

use crate::mutate::{self, Rng};
use crate::{seeds, Target};

/// How long a run may go: whichever is reached first.
#[derive(Clone, Copy, Debug)]
pub struct Budget {
    pub time: Duration,
    pub inputs: u64,
}

/// A panic: where it happened and what it said.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Crash {
    /// `file:line:column` of the panic.
    pub location: String,
    pub message: String,
    /// The smallest input found that panics at `location`.
    pub input: Vec<u8>,
    /// Where it was saved, if it was.
    pub saved: Option<PathBuf>,
}

/// An input that took longer than [`SLOW`], or that had not finished when
/// the run's time was up (`finished: false`): a hang or a quadratic path.
#[derive(Clone, Debug)]
pub struct Slow {
    pub input: Vec<u8>,
    pub took: Duration,
    pub finished: bool,
    pub saved: Option<PathBuf>,
}

/// An input slower than this is reported (and saved under `fuzz/slow/`).
pub const SLOW: Duration = Duration::from_secs(2);

/// How long past its budget a run is waited for (shrinking a crash takes
/// up to 10 s) before its input is reported as a hang and left running.
const GRACE: Duration = Duration::from_secs(30);

#[derive(Clone, Debug)]
pub struct Stats {
    pub target: Target,
    pub inputs: u64,
    pub accepted: u64,
    pub elapsed: Duration,
    /// The slowest input: its time and length.
    pub slowest: (Duration, usize),
    /// One per panic location.
    pub crashes: Vec<Crash>,
    /// At most a few.
    pub slow: Vec<Slow>,
}

impl std::fmt::Display for Stats {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "{:<10} {:>9} inputs in {:>6.1} s ({:>7.0}/s), {:>7} accepted, slowest {:.3} s ({} bytes), {} crash(es), {} slow",
            self.target.name(),
            self.inputs,
            self.elapsed.as_secs_f64(),
            self.inputs as f64 / self.elapsed.as_secs_f64().max(1e-9),
            self.accepted,
            self.slowest.0.as_secs_f64(),
            self.slowest.1,
            self.crashes.len(),
            self.slow.len()
        )
    }
}

thread_local! {
    /// Set while this thread runs a target: the hook keeps the panic here
    /// instead of printing it.
    static CAUGHT: RefCell<Option<Option<(String, String)>>> = const { RefCell::new(None) };
}

fn install_hook() {
    static HOOK: Once = Once::new();
    HOOK.call_once(|| {
        let default = panic::take_hook();
        panic::set_hook(Box::new(move |info| {
            let quiet = CAUGHT.with(|c| {
                let mut c = c.borrow_mut();
                match c.as_mut() {
                    Some(slot) => {
                        let location = info
                            .location()
                            .map(|l| format!("{}:{}:{}", l.file(), l.line(), l.column()))
                            .unwrap_or_default();
                        let message = info
                            .payload()
                            .downcast_ref::<&str>()
                            .map(|s| s.to_string())
                            .or_else(|| info.payload().downcast_ref::<String>().cloned())
                            .unwrap_or_default();
                        *slot = Some((location, message));
                        true
                    }
                    None => false,
                }
            });
            if !quiet {
                default(info);
            }
        }));
    });
}

/// Runs `target` on `data`: `Ok(accepted)`, or the panic's location and message.
pub fn run_one(target: Target, data: &[u8]) -> Result<bool, (String, String)> {
    install_hook();
    CAUGHT.with(|c| *c.borrow_mut() = Some(None));
    let result = panic::catch_unwind(AssertUnwindSafe(|| target.run(data)));
    let caught = CAUGHT.with(|c| c.borrow_mut().take()).flatten();
    result.map_err(|_| caught.unwrap_or_else(|| ("?".into(), "panic".into())))
}

/// Removes chunks of `input` while it still panics at `location`, for at
/// most `limit`.
fn shrink(target: Target, mut input: Vec<u8>, location: &str, limit: Duration) -> Vec<u8> {
    let start = Instant::now();
    let mut chunk = (input.len() / 2).max(1);
    while chunk >= 1 && start.elapsed() < limit {
        let mut at = 0;
        while at < input.len() && start.elapsed() < limit {
            let mut candidate = input.clone();
            candidate.drain(at..(at + chunk).min(input.len()));
            match run_one(target, &candidate) {
                Err((loc, _)) if loc == location => input = candidate,
                _ => at += chunk,
            }
        }
        if chunk == 1 {
            break;
        }
        chunk /= 2;
    }
    input
}

/// Saves `input` as `<dir>/<target>/<kind>-<digest>` and returns the path.
pub fn save(dir: &Path, target: Target, kind: &str, input: &[u8]) -> std::io::Result<PathBuf> {
    let folder = dir.join(target.name());
    std::fs::create_dir_all(&folder)?;
    let path = folder.join(format!("{kind}-{:016x}", accord_core::event::digest(input)));
    std::fs::write(&path, input)?;
    Ok(path)
}

/// What a run has done so far, shared with the thread that waits for it.
struct Progress {
    stats: Stats,
    current: Vec<u8>,
    started: Instant,
}

/// Fuzzes `target` within `budget`, starting the mutations from `seed`.
/// Crashes are saved under `save_to/<target>/`, slow inputs under
/// `save_to/../slow/<target>/`, when given. An input still running when the
/// budget (and some grace) is spent is reported as slow and left behind on
/// its thread, so a hang cannot hold the run.
pub fn run(target: Target, budget: Budget, seed: u64, save_to: Option<&Path>) -> Stats {
    let progress = Arc::new(Mutex::new(Progress {
        stats: Stats {
            target,
            inputs: 0,
            accepted: 0,
            elapsed: Duration::ZERO,
            slowest: (Duration::ZERO, 0),
            crashes: Vec::new(),
            slow: Vec::new(),
        },
        current: Vec::new(),
        started: Instant::now(),
    }));
    let slow_dir = save_to.and_then(Path::parent).map(|d| d.join("slow"));
    let (done, wait) = mpsc::channel();
    let shared = Arc::clone(&progress);
    let (save_to, slow_to) = (save_to.map(Path::to_path_buf), slow_dir.clone());
    let start = Instant::now();
    std::thread::spawn(move || {
        fuzz(
            target,
            budget,
            seed,
            save_to.as_deref(),
            slow_to.as_deref(),
            &shared,
        );
        let _ = done.send(());
    });
    let finished = wait.recv_timeout(budget.time.saturating_add(GRACE)).is_ok();
    let mut p = progress.lock().unwrap_or_else(|e| e.into_inner());
    if !finished {
        let input = p.current.clone();
        let saved = slow_dir.and_then(|d| save(&d, target, "slow", &input).ok());
        let took = p.started.elapsed();
        p.stats.slow.push(Slow {
            input,
            took,
            finished: false,
            saved,
        });
    }
    p.stats.elapsed = start.elapsed();
    p.stats.clone()
}

fn fuzz(
    target: Target,
    budget: Budget,
    seed: u64,
    save_to: Option<&Path>,
    slow_to: Option<&Path>,
    progress: &Mutex<Progress>,
) {
    let start = Instant::now();
    let mut rng = Rng::new(seed ^ (target as u64) << 56);
    let seeds = seeds::get().corpus(target);
    let mut pool: Vec<Vec<u8>> = seeds.iter().map(|s| s.to_vec()).collect();
    let mut crashes: Vec<String> = Vec::new();
    let mut next_seed = 0;
    let mut inputs = 0;
    while inputs < budget.inputs && start.elapsed() < budget.time {
        let data = if next_seed < seeds.len() {
            next_seed += 1;
            seeds[next_seed - 1].to_vec()
        } else if rng.chance(20) {
            mutate::random(&mut rng)
        } else {
            let mut d = pool[rng.below(pool.len())].clone();
            mutate::mutate(&mut rng, target, &mut d, &seeds);
            d
        };
        {
            let mut p = progress.lock().unwrap_or_else(|e| e.into_inner());
            p.current.clone_from(&data);
            p.started = Instant::now();
        }
        let t = Instant::now();
        let outcome = run_one(target, &data);
        let took = t.elapsed();
        inputs += 1;
        let mut p = progress.lock().unwrap_or_else(|e| e.into_inner());
        let stats = &mut p.stats;
        stats.inputs = inputs;
        if took > stats.slowest.0 {
            stats.slowest = (took, data.len());
        }
        if took > SLOW && stats.slow.len() < 3 {
            let saved = slow_to.and_then(|d| save(d, target, "slow", &data).ok());
            stats.slow.push(Slow {
                input: data.clone(),
                took,
                finished: true,
                saved,
            });
        }
        match outcome {
            Ok(true) => {
                stats.accepted += 1;
                if pool.len() < 4096 {
                    pool.push(data);
                } else {
                    let i = rng.below(pool.len());
                    pool[i] = data;
                }
            }
            Ok(false) => {}
            Err((location, message)) => {
                if crashes.contains(&location) {
                    continue;
                }
                crashes.push(location.clone());
                drop(p);
                let input = shrink(target, data, &location, Duration::from_secs(10));
                let saved = save_to.and_then(|dir| save(dir, target, "crash", &input).ok());
                let mut p = progress.lock().unwrap_or_else(|e| e.into_inner());
                p.stats.crashes.push(Crash {
                    location,
                    message,
                    input,
                    saved,
                });
            }
        }
    }
}
