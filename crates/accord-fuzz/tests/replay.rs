//! Replays every input kept under `fuzz/regressions/<target>/`: each must
//! run without a panic, except those listed in `known-crashes.txt`, which are
//! reported until their owner fixes them.

use accord_fuzz::{fuzz_dir, known, runner, Target};

#[test]
fn every_kept_input_runs_without_a_panic() {
    let known = known::list();
    let mut failures = Vec::new();
    let mut replayed = 0;
    for target in Target::ALL {
        let dir = fuzz_dir().join("regressions").join(target.name());
        let Ok(entries) = std::fs::read_dir(&dir) else {
            continue;
        };
        let mut files: Vec<_> = entries.map(|e| e.expect("a folder entry").path()).collect();
        files.sort();
        for path in files {
            let name = path.file_name().unwrap().to_string_lossy().into_owned();
            let input = std::fs::read(&path).expect("read a regression input");
            replayed += 1;
            let listed = known.iter().find(|k| k.target == target && k.file == name);
            match (runner::run_one(target, &input), listed) {
                (Ok(_), None) => {}
                (Ok(_), Some(k)) => eprintln!(
                    "note: {}/{name} no longer crashes ({}): remove it from known-crashes.txt",
                    target.name(),
                    k.note
                ),
                (Err((_, message)), Some(k)) if message.contains(&k.message) => eprintln!(
                    "note: known crash {}/{name} still crashes: {} ({})",
                    target.name(),
                    k.message,
                    k.note
                ),
                (Err((location, message)), _) => {
                    failures.push(format!("{}/{name}: {message} at {location}", target.name()))
                }
            }
        }
    }
    eprintln!("replayed {replayed} regression inputs");
    assert!(
        replayed > 0,
        "no regression inputs found under {:?}",
        fuzz_dir()
    );
    assert!(
        failures.is_empty(),
        "regression inputs panic:\n{}",
        failures.join("\n")
    );
}
