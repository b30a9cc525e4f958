//! A database written by the format-3 binary (accord 0cefed9, see
//! tests/fixtures/README.md), holding a 300-lead demo and two models kept
//! as that build kept them, in views (`model/1` adopted, `model/2` not):
//! read as it is when it cannot be written, migrated to format 5 in place
//! when it can (the models moved into the `models` table, every event
//! kept; the view `model/adopted` deleted, no event appended, so no model
//! is in use until `accord model adopt N` appends a `model_adopted`
//! event), and the model, once adopted, predicts from the engine's state
//! exactly what the format-3 binary printed from its scan of the log.

mod common;

use common::{accord, copy_fixture, text, user_version, FIXTURES};

use accord_store::{EventStore, ModelStore, SqliteStore};

/// What the format-3 binary's `accord demo --leads 300` stored (its
/// `kind_counts`, summed when the fixture was made).
const EVENTS: u64 = 6562;

#[test]
fn a_format_3_file_keeps_its_events_and_models_and_predicts_the_same() {
    let dir = tempfile::tempdir().unwrap();
    let cwd = dir.path();
    let db = copy_fixture("store-v3.db", cwd);
    assert_eq!(user_version(&db), 3);
    {
        let store = SqliteStore::open_read_only(&db).unwrap();
        assert_eq!(store.counts().unwrap().total(), EVENTS);
        assert_eq!(store.models().unwrap(), vec![], "no models table yet");
    }
    assert_eq!(user_version(&db), 3, "reading it read-only changes nothing");

    let out = accord(&["model", "list", "--db", "a.db"], cwd);
    assert!(out.status.success(), "{}", text(&out.stderr));
    assert_eq!(
        user_version(&db),
        5,
        "migrated on the first write-enabled open"
    );
    let listed = text(&out.stdout);
    let lines: Vec<&str> = listed.lines().collect();
    assert_eq!(lines.len(), 4, "{listed}");
    // The figures the format-3 binary printed when it trained them: v1
    // (7-day cut-off) tested at ROC AUC 0.8993, v2 with a 14-day cut-off.
    assert_eq!(
        lines[1].split_whitespace().collect::<Vec<_>>(),
        [
            "v1",
            "unknown",
            "10",
            "opportunity",
            "90",
            "d",
            "7",
            "d",
            "0.8993",
        ],
        "{listed}"
    );
    assert!(
        lines[2].starts_with("     v2  unknown")
            && lines[2].contains("   14 d")
            && !lines[2].contains("adopted"),
        "{listed}"
    );
    assert_eq!(
        lines[3], "none adopted: `accord model adopt N` puts one in use",
        "the format-3 view `model/adopted` is not carried over"
    );
    let store = SqliteStore::open_read_only(&db).unwrap();
    assert_eq!(store.counts().unwrap().total(), EVENTS, "every event kept");
    assert_eq!(store.head().unwrap(), 10);
    // model/1, model/2 and model/latest moved into the table; the others stay.
    for (name, kept) in [
        ("model/1", false),
        ("model/2", false),
        ("model/latest", false),
        ("model/adopted", false),
        ("meta/demo", true),
    ] {
        assert_eq!(store.view(name).unwrap().is_some(), kept, "{name}");
    }
    let models = store.models().unwrap();
    assert_eq!(
        models
            .iter()
            .map(|m| (m.version, m.head, m.trained_at, m.artifact.len()))
            .collect::<Vec<_>>(),
        [(1, 10, None, 8683), (2, 10, None, 8701)],
        "the artifacts' bytes as the views held them"
    );
    drop(store);

    // No model in use: `lead show` has no prediction.
    let out = accord(
        &[
            "lead", "show", "L0000001", "--format", "json", "--db", "a.db",
        ],
        cwd,
    );
    assert!(out.status.success(), "{}", text(&out.stderr));
    let got: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(got["prediction"], serde_json::Value::Null);

    // v1 adopted again (an event now), its predictions are the ones the
    // format-3 binary printed.
    let out = accord(&["model", "adopt", "1", "--db", "a.db"], cwd);
    assert!(out.status.success(), "{}", text(&out.stderr));
    assert_eq!(
        text(&out.stdout),
        "model v1 adopted (model_adopted M1 in the log): reaches opportunity within 90 days, from what was known 7 days after creation\n"
    );
    let expected: serde_json::Value = serde_json::from_str(
        &std::fs::read_to_string(format!("{FIXTURES}/store-v3.predictions.json")).unwrap(),
    )
    .unwrap();
    for lead in ["L0000001", "L0000290"] {
        let out = accord(
            &["lead", "show", lead, "--format", "json", "--db", "a.db"],
            cwd,
        );
        assert!(out.status.success(), "{}", text(&out.stderr));
        let got: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
        assert_eq!(got["prediction"], expected[lead], "{lead}");
    }

    // A new training is v3; adopting v2 puts it in use.
    let out = accord(&["model", "train", "--db", "a.db", "--no-adopt"], cwd);
    assert!(out.status.success(), "{}", text(&out.stderr));
    assert!(text(&out.stdout).contains("stored as model v3 (not adopted)"));
    let out = accord(&["model", "adopt", "2", "--db", "a.db"], cwd);
    assert!(out.status.success(), "{}", text(&out.stderr));
    assert_eq!(
        text(&out.stdout),
        "model v2 adopted (model_adopted M2 in the log): reaches opportunity within 90 days, from what was known 14 days after creation\n"
    );
    let out = accord(&["model", "adopt", "2", "--db", "a.db"], cwd);
    assert!(out.status.success(), "{}", text(&out.stderr));
    assert_eq!(
        text(&out.stdout),
        "model v2 already in use (nothing stored): reaches opportunity within 90 days, from what was known 14 days after creation\n"
    );
    let out = accord(&["model", "adopt", "9", "--db", "a.db"], cwd);
    assert!(!out.status.success());
    assert_eq!(
        text(&out.stderr),
        "error: no model v9 is stored (`accord model list` shows the stored ones)\n"
    );
    let out = accord(&["model", "list", "--db", "a.db"], cwd);
    let listed = text(&out.stdout);
    let adopted: Vec<&str> = listed.lines().filter(|l| l.ends_with("adopted")).collect();
    assert_eq!(adopted.len(), 1, "{listed}");
    assert!(adopted[0].trim_start().starts_with("v2 "), "{listed}");
    let store = SqliteStore::open_read_only(&db).unwrap();
    assert_eq!(
        store.counts().unwrap().total(),
        EVENTS + 2,
        "two adoptions added, nothing else"
    );
}
