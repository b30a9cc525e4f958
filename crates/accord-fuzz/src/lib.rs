//! Fuzz entry points for everything accord reads from outside: the agreement
//! file (reader, checker and diagnostics), CEL rules, CSV rows and folders,
//! stored events and stored report tables.
//!
//! Each target is one function over arbitrary bytes that must never panic and
//! that asserts the properties its parser promises (a decoded value encodes
//! and decodes to itself). The cargo-fuzz targets in `/fuzz` call these
//! functions; [`runner`] calls them on stable Rust with inputs mutated from
//! valid seeds ([`seeds`]), for a bounded time, in `cargo test` and in CI.
//! Inputs that once crashed are kept under `fuzz/regressions/<target>/` and
//! replayed by every `cargo test`.

pub mod known;
pub mod mutate;
pub mod runner;
pub mod seeds;
pub mod targets;

/// A fuzz target: its name is its folder under `fuzz/regressions/` and its
/// cargo-fuzz target's name.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Target {
    Agreement,
    Expr,
    CsvRow,
    Import,
    Event,
    Table,
}

impl Target {
    pub const ALL: [Target; 6] = [
        Target::Agreement,
        Target::Expr,
        Target::CsvRow,
        Target::Import,
        Target::Event,
        Target::Table,
    ];

    pub fn name(self) -> &'static str {
        match self {
            Target::Agreement => "agreement",
            Target::Expr => "expr",
            Target::CsvRow => "csv_row",
            Target::Import => "import",
            Target::Event => "event",
            Target::Table => "table",
        }
    }

    pub fn from_name(name: &str) -> Option<Target> {
        Target::ALL.into_iter().find(|t| t.name() == name)
    }

    /// Runs the target on one input. `true` when the input was accepted
    /// (parsed or decoded), which the stable runner keeps as a new seed.
    pub fn run(self, data: &[u8]) -> bool {
        match self {
            Target::Agreement => targets::agreement(data),
            Target::Expr => targets::expr(data),
            Target::CsvRow => targets::csv_row(data),
            Target::Import => targets::import(data),
            Target::Event => targets::event(data),
            Target::Table => targets::table(data),
        }
    }
}

/// The repository's `fuzz/` folder (regressions, cargo-fuzz project).
pub fn fuzz_dir() -> std::path::PathBuf {
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../fuzz");
    dir.canonicalize().unwrap_or(dir)
}
