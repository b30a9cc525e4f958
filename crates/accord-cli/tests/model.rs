//! `accord model evaluate --table`, `model train`, `model evaluate --db` and
//! the prediction in `accord lead show`, through the real binary.

mod common;

use common::{accord, text};

/// 100 rows, `;`-separated: y is yes exactly when k is "hot" (every fifth
/// row), n is noise. Any learner separates it: ROC AUC 1 on the test rows.
fn separable(dir: &std::path::Path) {
    let mut csv = String::from("\"n\";\"k\";\"y\"\n");
    for i in 0..100 {
        let hot = i % 5 == 0;
        csv.push_str(&format!(
            "{};{};{}\n",
            (i * 7) % 13,
            if hot { "hot" } else { "cold" },
            if hot { "yes" } else { "no" }
        ));
    }
    std::fs::write(dir.join("t.csv"), csv).unwrap();
}

#[test]
fn a_table_is_read_inferred_split_and_measured() {
    let dir = tempfile::tempdir().unwrap();
    separable(dir.path());
    let out = accord(
        &["model", "evaluate", "--table", "t.csv", "--target", "y"],
        dir.path(),
    );
    assert!(out.status.success(), "{}", text(&out.stderr));
    let o = text(&out.stdout);
    assert!(
        o.starts_with("t.csv: 100 rows, delimiter ';', target y\n"),
        "{o}"
    );
    assert!(o.contains("\n  n  numeric\n"), "{o}");
    assert!(
        o.contains("\n  k  categorical, 2 levels kept + other\n"),
        "{o}"
    );
    // 80 training rows, 16 of them hot (rows 0, 5, ..., 75).
    assert!(
        o.contains("split: train 80 rows (20.00 % positive), test 20 rows (20.00 % positive)"),
        "{o}"
    );
    assert!(
        o.contains("test: ROC AUC 1.0000  PR AUC 1.0000  lift at top decile 5.00"),
        "{o}"
    );
}

#[test]
fn bad_arguments_are_named() {
    let dir = tempfile::tempdir().unwrap();
    separable(dir.path());
    let out = accord(
        &["model", "evaluate", "--table", "t.csv", "--target", "nope"],
        dir.path(),
    );
    assert!(!out.status.success());
    assert!(
        text(&out.stderr).contains("no column named \"nope\" (columns: n, k, y)"),
        "{}",
        text(&out.stderr)
    );
    let out = accord(
        &[
            "model",
            "evaluate",
            "--table",
            "t.csv",
            "--target",
            "y",
            "--split",
            "temporal:2",
        ],
        dir.path(),
    );
    assert!(!out.status.success());
    assert!(
        text(&out.stderr).contains("strictly between 0 and 1"),
        "{}",
        text(&out.stderr)
    );
    let out = accord(
        &["model", "evaluate", "--table", "t.csv", "--target", "n"],
        dir.path(),
    );
    assert!(!out.status.success());
    // n is 0, 7, 1, 8, …: row 2 is the first that is neither 0 nor 1.
    assert!(
        text(&out.stderr)
            .contains("target column \"n\": row 2 is 7; a numeric target must be 0 or 1"),
        "{}",
        text(&out.stderr)
    );
}

#[test]
fn train_store_evaluate_against_rules_and_explain_a_lead() {
    let dir = tempfile::tempdir().unwrap();
    let cwd = dir.path();
    let out = accord(
        &[
            "demo",
            "--no-serve",
            "--leads",
            "3000",
            "--seed",
            "7",
            "--db",
            "d.db",
        ],
        cwd,
    );
    assert!(out.status.success(), "{}", text(&out.stderr));
    // `accord demo` trained v1 and adopted it (a `model_adopted` event).
    let out = accord(&["model", "evaluate", "--db", "d.db"], cwd);
    assert!(out.status.success(), "{}", text(&out.stderr));
    assert!(text(&out.stdout).starts_with("model v1 (adopted)"));
    let out = accord(&["export", "events", "--db", "d.db"], cwd);
    let adoptions: Vec<String> = text(&out.stdout)
        .lines()
        .filter(|l| l.contains(r#""type":"model_adopted""#))
        .map(str::to_owned)
        .collect();
    assert_eq!(adoptions.len(), 1);
    assert!(
        adoptions[0].contains(r#""number":1,"model_version":1,"#)
            && adoptions[0].contains(r#""by":"accord demo""#),
        "{}",
        &adoptions[0][..200.min(adoptions[0].len())]
    );

    let out = accord(&["model", "train", "--db", "d.db", "--json"], cwd);
    assert!(out.status.success(), "{}", text(&out.stderr));
    let a: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(a["version"], 2);
    assert_eq!(
        (a["within_days"].as_i64(), a["cutoff_days"].as_i64()),
        (Some(90), Some(7))
    );
    // Temporal: every training lead was created no later than every test lead.
    assert!(
        a["train_window"][1].as_i64() <= a["test_window"][0].as_i64(),
        "{a}"
    );
    let (tr, te) = (
        a["train_leads"].as_u64().unwrap(),
        a["test_leads"].as_u64().unwrap(),
    );
    assert_eq!(tr, (tr + te) * 8 / 10, "the first 80 % train");

    let out = accord(&["model", "evaluate", "--db", "d.db"], cwd);
    assert!(out.status.success(), "{}", text(&out.stderr));
    let o = text(&out.stdout);
    assert!(
        o.starts_with("model v2 (adopted): reaches opportunity within 90 days"),
        "{o}"
    );
    assert!(o.contains(&format!("test leads: {te} created")), "{o}");
    assert!(o.contains("\nagreement's rule score "), "{o}");

    let out = accord(&["lead", "show", "L0002900", "--db", "d.db"], cwd);
    assert!(out.status.success(), "{}", text(&out.stderr));
    let o = text(&out.stdout);
    assert!(o.contains("\nPrediction: "), "{o}");
    assert!(
        o.contains("chance to reach opportunity within 90 days of creation"),
        "{o}"
    );
    assert!(o.contains("raised by:") || o.contains("lowered by:"), "{o}");

    // A second training is the next version, not adopted with --no-adopt.
    let out = accord(&["model", "train", "--db", "d.db", "--no-adopt"], cwd);
    assert!(out.status.success(), "{}", text(&out.stderr));
    assert!(text(&out.stdout).contains("stored as model v3 (not adopted)"));
    let out = accord(&["model", "evaluate", "--db", "d.db"], cwd);
    assert!(text(&out.stdout).starts_with("model v2 (adopted)"));
}
