//! Digests the report definitions (this crate's sources), so that a report
//! stored by one build is never read as current by a build that computes
//! reports differently: `accord report` stamps stored reports with it.

use std::hash::Hasher;

fn main() {
    let mut files: Vec<std::path::PathBuf> = std::fs::read_dir("src")
        .expect("the crate's src folder")
        .map(|e| e.expect("a readable entry").path())
        .filter(|p| p.extension().is_some_and(|x| x == "rs"))
        .collect();
    files.sort();
    // FNV-1a over the file names and contents: stable across builds and
    // Rust versions (std's hashers promise neither).
    let mut h = Fnv(0xcbf2_9ce4_8422_2325);
    for path in &files {
        println!("cargo:rerun-if-changed={}", path.display());
        h.write(path.to_string_lossy().as_bytes());
        h.write(&std::fs::read(path).expect("a readable source file"));
    }
    println!("cargo:rerun-if-changed=src");
    println!(
        "cargo:rustc-env=ACCORD_REPORT_SOURCE_DIGEST={:016x}",
        h.finish()
    );
}

struct Fnv(u64);

impl Hasher for Fnv {
    fn finish(&self) -> u64 {
        self.0
    }

    fn write(&mut self, bytes: &[u8]) {
        for &b in bytes {
            self.0 = (self.0 ^ u64::from(b)).wrapping_mul(0x0100_0000_01b3);
        }
    }
}
