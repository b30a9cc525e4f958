//! Valid inputs to mutate from, built once per process: the default
//! agreement (`accord init`'s template), its rules, a small generated data
//! set in the CSV contract, the events its rows give (encoded, and framed as
//! a stored chunk) and the report tables computed from them (encoded).

use std::sync::OnceLock;

use accord_core::agreement::{self, DEFAULT_AGREEMENT};
use accord_core::event::{self, Event};
use accord_import::contract::{self, FileKind, Known, Row};
use accord_report::{Live, ReportTerms, REPORTS};

use crate::Target;

pub struct Seeds {
    /// Each contract file of the generated data set, header included.
    pub files: Vec<(FileKind, Vec<u8>)>,
    /// The ids of the data set's records, for row references.
    pub known: Known,
    pub events: Vec<Event>,
    corpus: Vec<(Target, Vec<u8>)>,
}

/// Leads in the generated data set: every file gets rows, and an import of
/// it takes a few milliseconds.
const LEADS: u64 = 20;

pub fn get() -> &'static Seeds {
    static SEEDS: OnceLock<Seeds> = OnceLock::new();
    SEEDS.get_or_init(build)
}

impl Seeds {
    /// The valid inputs of `target`, in its input format.
    pub fn corpus(&self, target: Target) -> Vec<&[u8]> {
        self.corpus
            .iter()
            .filter(|(t, _)| *t == target)
            .map(|(_, b)| b.as_slice())
            .collect()
    }
}

/// A model's adoption: the one event that carries a JSON artifact.
fn model_adoption() -> Event {
    use accord_core::domain::{Document, Text, Timestamp};
    Event::ModelAdopted(event::ModelAdoption {
        number: 1,
        model_version: 2,
        digest: Text::parse(&"0f".repeat(32)).expect("64 hex digits"),
        artifact: Document::parse(
            r#"{"version":2,"stage":"opportunity","model":{"weights":[0.5]}}"#,
        )
        .expect("a short document"),
        adopted_at: Timestamp::from_unix_seconds(1_767_225_600),
        by: Some(Text::parse("Ana").expect("a short text")),
    })
}

fn build() -> Seeds {
    let dir = tempfile::tempdir().expect("a temporary folder");
    accord_gen::generate(
        &accord_gen::Config {
            leads: LEADS,
            seed: 7,
        },
        dir.path(),
    )
    .expect("generate the seed data set");
    let files: Vec<(FileKind, Vec<u8>)> = FileKind::ORDER
        .into_iter()
        .map(|k| {
            let bytes = std::fs::read(dir.path().join(k.file_name())).expect("read a seed file");
            (k, bytes)
        })
        .collect();

    let mut corpus = Vec::new();
    let mut known = Known::default();
    let mut events = Vec::new();
    for (selector, (kind, bytes)) in files.iter().enumerate() {
        let selector = selector as u8;
        let mut whole = vec![selector, 0];
        whole.extend_from_slice(bytes);
        corpus.push((Target::Import, whole.clone()));
        whole[1] = 1;
        corpus.push((Target::Import, whole));

        let mut reader = csv::Reader::from_reader(bytes.as_slice());
        for (n, record) in reader.records().enumerate() {
            let record = record.expect("a generated row is CSV");
            let row = Row {
                record: &record,
                columns: kind.columns(),
            };
            let before = events.len();
            contract::parse_row(*kind, &row, &known, &mut events).unwrap_or_else(|e| {
                panic!("generated {} row {n}: {}", kind.file_name(), e.message)
            });
            for e in &events[before..] {
                contract::remember(e, &mut known);
            }
            if n < 8 {
                let mut line = vec![selector];
                let mut w = csv::Writer::from_writer(&mut line);
                w.write_record(&record).expect("write a row");
                drop(w);
                corpus.push((Target::CsvRow, line));
            }
        }
    }

    let mut chunk = Vec::new();
    for (i, e) in events.iter().enumerate() {
        let bytes = e.to_bytes();
        event::frame(&mut chunk, &bytes);
        if i % 3 == 0 || i < 40 {
            corpus.push((Target::Event, bytes));
        }
    }
    corpus.push((Target::Event, chunk));
    corpus.push((Target::Event, model_adoption().to_bytes()));

    let mut live = Live::new(ReportTerms::default());
    live.apply(&events);
    for name in REPORTS {
        let table = live
            .table(name, &accord_report::Period::ALL)
            .expect("a known report");
        corpus.push((Target::Table, table.encode()));
    }

    corpus.push((Target::Agreement, DEFAULT_AGREEMENT.as_bytes().to_vec()));
    let a = agreement::parse(DEFAULT_AGREEMENT, "default.toml").expect("the default agreement");
    let rules = a
        .stages
        .iter()
        .map(|s| &s.when)
        .chain(a.personas.iter().filter_map(|p| p.when.as_ref()))
        .chain(a.scoring.fit.iter().map(|r| &r.when))
        .chain(a.scoring.engagement.rules.iter().map(|r| &r.when))
        .chain(a.routing.rules.iter().map(|r| &r.when));
    for rule in rules {
        corpus.push((Target::Expr, rule.source().as_bytes().to_vec()));
    }

    Seeds {
        files,
        known,
        events,
        corpus,
    }
}
