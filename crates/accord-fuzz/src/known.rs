//! Crashes found by fuzzing in code this crate does not fix, listed in
//! `fuzz/regressions/known-crashes.txt` so the replay and the bounded run
//! report them without failing until their owner fixes them.
//!
//! One line per input: `<target>/<file> | <text the panic message contains> | note`.

use crate::Target;

#[derive(Clone, Debug)]
pub struct Known {
    pub target: Target,
    pub file: String,
    pub message: String,
    pub note: String,
}

pub fn list() -> Vec<Known> {
    let path = crate::fuzz_dir().join("regressions/known-crashes.txt");
    let text = std::fs::read_to_string(path).unwrap_or_default();
    text.lines()
        .filter(|l| !l.trim().is_empty() && !l.starts_with('#'))
        .map(|line| {
            let mut parts = line.splitn(3, '|').map(str::trim);
            let file = parts.next().unwrap_or_default();
            let (target, file) = file.split_once('/').unwrap_or_else(|| {
                panic!("known-crashes.txt: `{line}` does not start with <target>/<file>")
            });
            Known {
                target: Target::from_name(target)
                    .unwrap_or_else(|| panic!("known-crashes.txt: no target `{target}`")),
                file: file.to_string(),
                message: parts.next().unwrap_or_default().to_string(),
                note: parts.next().unwrap_or_default().to_string(),
            }
        })
        .collect()
}

/// The known crash a panic of `target` with `message` is, if any.
pub fn matching<'a>(known: &'a [Known], target: Target, message: &str) -> Option<&'a Known> {
    known
        .iter()
        .find(|k| k.target == target && !k.message.is_empty() && message.contains(&k.message))
}
