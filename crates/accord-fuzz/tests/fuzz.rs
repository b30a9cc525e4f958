//! A bounded fuzzing run of every target on stable Rust.
//!
//! `ACCORD_FUZZ_SECS` (seconds per target) or else `ACCORD_FUZZ_INPUTS`
//! (inputs per target, default 100: a quick pass in every `cargo test`)
//! bound it; `ACCORD_FUZZ_SEED` repeats a run; `ACCORD_FUZZ_TARGETS` (comma
//! separated names) picks targets. A new crash is shrunk, saved under
//! `fuzz/regressions/<target>/`, and fails the test; a crash listed in
//! `known-crashes.txt` is reported only.

use std::time::Duration;

use accord_fuzz::runner::{self, Budget};
use accord_fuzz::{fuzz_dir, known, Target};

fn env<T: std::str::FromStr>(name: &str) -> Option<T> {
    std::env::var(name).ok().and_then(|v| v.parse().ok())
}

#[test]
fn fuzz_every_target_for_a_bounded_time() {
    let budget = match env::<f64>("ACCORD_FUZZ_SECS") {
        Some(secs) => Budget {
            time: Duration::from_secs_f64(secs),
            inputs: u64::MAX,
        },
        None => Budget {
            time: Duration::from_secs(60),
            inputs: env("ACCORD_FUZZ_INPUTS").unwrap_or(100),
        },
    };
    let seed: u64 = env("ACCORD_FUZZ_SEED").unwrap_or_else(|| {
        std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map_or(1, |d| d.as_nanos() as u64)
    });
    let targets: Vec<Target> = match std::env::var("ACCORD_FUZZ_TARGETS") {
        Ok(list) => list
            .split(',')
            .map(|n| Target::from_name(n.trim()).unwrap_or_else(|| panic!("no target `{n}`")))
            .collect(),
        Err(_) => Target::ALL.to_vec(),
    };
    let known = known::list();
    let regressions = fuzz_dir().join("regressions");
    eprintln!("fuzz: seed {seed} (ACCORD_FUZZ_SEED={seed} repeats this run)");
    let mut new = Vec::new();
    for target in targets {
        let stats = runner::run(target, budget, seed, Some(&regressions));
        eprintln!("fuzz: {stats}");
        for slow in &stats.slow {
            eprintln!(
                "fuzz:   SLOW input ({} bytes) {} {:.1} s, saved as {}",
                slow.input.len(),
                if slow.finished {
                    "took"
                } else {
                    "still running after"
                },
                slow.took.as_secs_f64(),
                slow.saved
                    .as_ref()
                    .map_or("(not saved)".into(), |p| p.display().to_string())
            );
        }
        for crash in &stats.crashes {
            let saved = crash
                .saved
                .as_ref()
                .map_or("not saved".into(), |p| p.display().to_string());
            match known::matching(&known, target, &crash.message) {
                Some(k) => {
                    if let Some(p) = &crash.saved {
                        let _ = std::fs::remove_file(p);
                    }
                    eprintln!(
                        "fuzz:   known crash ({}): {} at {}",
                        k.note, k.message, crash.location
                    )
                }
                None => {
                    eprintln!(
                        "fuzz:   NEW CRASH at {}: {}\nfuzz:   input ({} bytes) saved as {saved}",
                        crash.location,
                        crash.message.lines().next().unwrap_or_default(),
                        crash.input.len()
                    );
                    new.push(format!("{}: {} ({saved})", target.name(), crash.message));
                }
            }
        }
    }
    assert!(
        new.is_empty(),
        "fuzzing found new crashes:\n{}",
        new.join("\n")
    );
}
