//! The entry functions, one per parser. Each takes arbitrary bytes, must not
//! panic, and panics (with a message saying which promise broke) when a
//! property of the parser does not hold.

use accord_core::agreement::{self, DEFAULT_AGREEMENT};
use accord_core::event::{self, packed_key, Batch, Event};
use accord_core::expr::{Bindings, Evaluator, Expr, Record, RuleKind, Vocabularies, OBJECTS};
use accord_import::contract::{self, FileKind, Row};
use accord_report::{Live, ReportTerms, Table, REPORTS};

use crate::seeds;

/// Inputs longer than this are cut: long enough for every known length
/// limit (a column past 65,535 in a diagnostic), short enough to stay fast.
pub const MAX_INPUT: usize = 256 * 1024;

fn cap(data: &[u8]) -> &[u8] {
    &data[..data.len().min(MAX_INPUT)]
}

/// The agreement reader and checker, and the rendering of what it reports.
/// An accepted agreement must print (`to_toml`) to a text that is accepted
/// again as the same agreement.
pub fn agreement(data: &[u8]) -> bool {
    let text = String::from_utf8_lossy(cap(data));
    match agreement::parse(&text, "accord.toml") {
        Ok(a) => {
            let _ = a.summary();
            let printed = a.to_toml();
            match agreement::parse(&printed, "printed.toml") {
                Ok(again) => assert!(
                    again == a,
                    "an accepted agreement, printed and read again, differs"
                ),
                Err(d) => panic!(
                    "an accepted agreement, printed, is refused:\n{}",
                    d.render(false)
                ),
            }
            true
        }
        Err(diagnostics) => {
            for d in diagnostics.iter() {
                let _ = diagnostics.line_col(d.span.start);
                let _ = diagnostics.line_col(d.span.end);
            }
            let _ = diagnostics.render(false);
            let _ = diagnostics.render(true);
            let _ = diagnostics.to_string();
            false
        }
    }
}

const RULE_KINDS: [RuleKind; 5] = [
    RuleKind::StageEntry,
    RuleKind::Persona,
    RuleKind::Fit,
    RuleKind::Engagement,
    RuleKind::Routing,
];

/// The declared names of the default agreement, which rules may compare with.
fn vocabularies() -> &'static Vocabularies {
    static VOCAB: std::sync::OnceLock<Vocabularies> = std::sync::OnceLock::new();
    VOCAB.get_or_init(|| {
        let a = agreement::parse(DEFAULT_AGREEMENT, "default.toml")
            .expect("the default agreement is valid");
        Vocabularies {
            stages: a.stages.iter().map(|s| s.name.clone()).collect(),
            personas: a.personas.iter().map(|p| p.name.clone()).collect(),
            journey_stages: a.journey_stages.iter().map(|j| j.name.clone()).collect(),
            rejection_reasons: a.rejection_reasons().to_vec(),
        }
    })
}

/// The CEL compiler and static checker, for every kind of rule. A compiled
/// rule must evaluate on all-zero records without panicking (an error is
/// fine: it is reported, not a crash).
pub fn expr(data: &[u8]) -> bool {
    let text = String::from_utf8_lossy(&data[..data.len().min(16 * 1024)]);
    let vocab = vocabularies();
    let zero: Vec<Record> = OBJECTS.iter().map(|o| Record::new(o)).collect();
    let bindings = Bindings {
        lead: Some(&zero[0]),
        account: Some(&zero[1]),
        touch: Some(&zero[2]),
        rep: Some(&zero[3]),
        event: Some(&zero[4]),
        now: 1_750_000_000,
    };
    let evaluator = Evaluator::new(60);
    let mut accepted = false;
    for kind in RULE_KINDS {
        match Expr::compile(&text, kind, vocab) {
            Ok(e) => {
                accepted = true;
                assert_eq!(e.source(), text, "a compiled rule keeps its text");
                // The lowered evaluator gives cel's result, whatever the rule.
                for b in [&bindings, &Bindings::default()] {
                    assert_eq!(
                        evaluator.eval_bool(&e, b),
                        evaluator.eval_bool_cel(&e, b),
                        "the lowered rule and cel differ"
                    );
                }
            }
            Err(errors) => {
                assert!(!errors.is_empty(), "a refused rule says why");
                for e in errors {
                    assert!(
                        e.span.start <= e.span.end && e.span.end <= text.len(),
                        "error span {:?} outside the rule's {} bytes",
                        e.span,
                        text.len()
                    );
                }
            }
        }
    }
    accepted
}

/// The file a selector byte picks.
pub fn file_kind(selector: u8) -> FileKind {
    FileKind::ORDER[usize::from(selector) % FileKind::ORDER.len()]
}

/// The CSV row parser: byte 0 picks the contract file, the rest is read as
/// that file's data rows (no header), each parsed against the ids of the
/// seed data set. Every event a row gives must survive the codec.
pub fn csv_row(data: &[u8]) -> bool {
    let Some((&selector, rest)) = cap(data).split_first() else {
        return false;
    };
    let kind = file_kind(selector);
    let known = &seeds::get().known;
    let mut reader = csv::ReaderBuilder::new()
        .has_headers(false)
        .flexible(true)
        .from_reader(rest);
    let mut events = Vec::new();
    let mut accepted = false;
    for record in reader.records().take(256) {
        let Ok(record) = record else { continue };
        let row = Row {
            record: &record,
            columns: kind.columns(),
        };
        events.clear();
        match contract::parse_row(kind, &row, known, &mut events) {
            Ok(()) => {
                accepted = true;
                for e in &events {
                    check_event_round_trip(e);
                }
            }
            Err(e) => assert!(!e.message.is_empty(), "a refused row says why"),
        }
    }
    accepted
}

/// The whole import: byte 0 picks the contract file that the rest of the
/// input replaces in the seed data set, byte 1 the options (bit 0
/// `--skip-invalid`, bit 1 `--dry-run`); imported into an in-memory store.
pub fn import(data: &[u8]) -> bool {
    let [selector, flags, rest @ ..] = cap(data) else {
        return false;
    };
    let kind = file_kind(*selector);
    let dir = tempfile::tempdir().expect("a temporary folder");
    for (k, bytes) in &seeds::get().files {
        let body: &[u8] = if *k == kind { rest } else { bytes };
        std::fs::write(dir.path().join(k.file_name()), body).expect("write a CSV file");
    }
    let mut store = accord_store::SqliteStore::open_in_memory().expect("an in-memory store");
    let options = accord_import::Options {
        skip_invalid: flags & 1 != 0,
        dry_run: flags & 2 != 0,
    };
    let result =
        accord_import::import_dir(&mut store, dir.path(), &options, &mut accord_import::Silent);
    result.is_ok()
}

fn check_event_round_trip(e: &Event) {
    let bytes = e.to_bytes();
    match Event::decode(&bytes) {
        Ok(back) => assert!(back == *e, "event changed by encode and decode: {e:?}"),
        Err(err) => panic!("an event's own bytes do not decode ({err}): {e:?}"),
    }
}

/// The event codec: any bytes decode to an event or an error; a decoded
/// event encodes to bytes that decode to the same event, in a batch too;
/// a stored chunk of framed events splits without panicking.
pub fn event(data: &[u8]) -> bool {
    let data = cap(data);
    let accepted = match Event::decode(data) {
        Ok(e) => {
            check_event_round_trip(&e);
            let key = e.key();
            let _ = packed_key::pack(key.kind, &key.id);
            let _ = e.occurred_at().to_string();
            let _ = e.occurred_at().month().to_string();
            // A decoded event goes on into the reports: they must take it.
            let mut live = Live::new(ReportTerms::default());
            live.apply(std::slice::from_ref(&e));
            for name in REPORTS {
                let _ = live
                    .table(name, &accord_report::Period::ALL)
                    .map(|t| t.to_text(name));
            }
            let mut batch = Batch::default();
            batch.push(&e);
            let (kind, id, bytes) = batch.get(0);
            assert_eq!(kind, e.kind(), "a batch keeps the kind");
            assert_eq!(id, key.id, "a batch keeps the id");
            assert_eq!(bytes, e.to_bytes(), "a batch keeps the bytes");
            let _ = event::digest(bytes);
            true
        }
        Err(err) => {
            let _ = err.to_string();
            false
        }
    };
    for bytes in event::unframe(data).take(1024).flatten() {
        if let Ok(e) = Event::decode(bytes) {
            check_event_round_trip(&e);
        }
    }
    accepted
}

/// The stored-table codec: any bytes decode to a table or an error; a
/// decoded table renders (CSV, JSON, text) and encodes to bytes that decode
/// to a table with the same encoding.
pub fn table(data: &[u8]) -> bool {
    match Table::decode(cap(data)) {
        Ok(t) => {
            let bytes = t.encode();
            match Table::decode(&bytes) {
                Ok(back) => assert!(
                    back.encode() == bytes,
                    "a table changed by encode and decode"
                ),
                Err(e) => panic!("a table's own encoding does not decode: {e}"),
            }
            let _ = t.to_csv();
            let _ = t.to_json();
            let _ = t.to_text("fuzz");
            true
        }
        Err(e) => {
            assert!(!e.is_empty(), "a refused table says why");
            false
        }
    }
}
