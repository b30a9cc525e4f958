//! `lead.predicted` in a fit rule, worked by hand: a model of one column
//! (`touches`: mean 0, sd 1, no log, no indicator) with weights [-2, 1],
//! so that the probability is sigmoid(-2 + touches by the cut-off).

use accord_core::agreement::{self, DEFAULT_AGREEMENT};
use accord_core::domain::*;
use accord_core::event::*;
use accord_model::encode::{ColumnUse, Encoder};
use accord_model::Model;

use super::{Artifact, MetricsRecord};
use crate::test_events::{at, ingest, touch, vp_lead, DAY, T0};
use crate::Engine;

/// The model: sigmoid(-2 + touches), cut-off 7 days.
fn artifact(version: u32) -> Artifact {
    Artifact {
        version,
        head: 0,
        stage: "opportunity".into(),
        within_days: 90,
        cutoff_days: 7,
        train_leads: 0,
        test_leads: 0,
        train_window: (0, 0),
        test_window: (0, 0),
        train_positives: 0,
        training_seconds: 0.0,
        test: MetricsRecord {
            rows: 0,
            positives: 0,
            roc_auc: None,
            pr_auc: None,
            lift_top_decile: None,
        },
        calibration: Vec::new(),
        model: Model {
            format: accord_model::model::FORMAT,
            encoder: Encoder {
                columns: vec![ColumnUse::Numeric {
                    name: "touches".into(),
                    log: false,
                    mean: 0.0,
                    sd: 1.0,
                    indicator: false,
                }],
            },
            weights: vec![-2.0, 1.0],
            lambda: 0.0,
            baseline: vec![0.0],
        },
    }
}

/// The adoption of `artifact` (as text) as adoption `number`; the digest
/// is made up (the engine keeps it, it does not check it).
fn adoption(number: u32, artifact: &str, digest: char) -> Event {
    Event::ModelAdopted(ModelAdoption {
        number,
        model_version: 1,
        digest: Text::parse(&digest.to_string().repeat(64)).unwrap(),
        artifact: Document::parse(artifact).unwrap(),
        adopted_at: at(T0),
        by: None,
    })
}

fn adopt(e: &mut Engine, number: u32, digest: char) {
    let text = serde_json::to_string(&artifact(1)).unwrap();
    e.apply(
        &adoption(number, &text, digest),
        &Origin::Person { by: None },
    );
}

/// The starter agreement and a fit rule of 30 points on the prediction.
fn engine() -> Engine {
    let text = DEFAULT_AGREEMENT.replacen(
        "[[scoring.fit]]\n",
        "[[scoring.fit]]\nname = \"likely\"\nwhen = \"lead.predicted >= 0.5\"\npoints = 30\n\n[[scoring.fit]]\n",
        1,
    );
    let a = agreement::parse(&text, "accord.toml").unwrap();
    let mut e = Engine::new();
    e.put_in_force(1, a);
    e
}

/// An email open: the model counts touches of any kind.
fn opened(id: &str, lead: &str, t: i64) -> Touch {
    touch(id, lead, TouchKind::EmailOpen, t)
}

fn fit(e: &Engine, lead: &str) -> i64 {
    e.score(lead).unwrap().0
}

fn predicted(e: &Engine, lead: &str) -> f64 {
    let row = e.state.lead_ids.get(lead).unwrap();
    super::predicted(&e.state, row)
}

#[test]
fn a_fit_rule_reads_the_prediction_as_the_lead_changes() {
    let mut e = engine();
    ingest(&mut e, vp_lead("L1", T0));
    ingest(&mut e, opened("T1", "L1", T0 + DAY));
    ingest(&mut e, opened("T2", "L1", T0 + 2 * DAY));
    // No model in use: 0.0, and the rule does not hold.
    assert!(e.model().is_none());
    assert_eq!(predicted(&e, "L1"), 0.0);
    assert_eq!(fit(&e, "L1"), 45);

    adopt(&mut e, 1, 'a');
    assert!(e.model().unwrap().model.is_ok());
    // Two touches: sigmoid(-2 + 2) = 0.5, the rule holds: 45 + 30.
    assert_eq!(predicted(&e, "L1"), 0.5);
    assert_eq!(fit(&e, "L1"), 75);

    ingest(&mut e, vp_lead("L2", T0 + 3 * DAY));
    assert_eq!(predicted(&e, "L2"), 1.0 / (1.0 + 2f64.exp()));
    ingest(&mut e, opened("T3", "L2", T0 + 4 * DAY));
    // sigmoid(-1) = 1 / (1 + e) = 0.2689…: below 0.5.
    assert_eq!(predicted(&e, "L2"), 1.0 / (1.0 + 1f64.exp()));
    assert!((predicted(&e, "L2") - 0.268_941_421).abs() < 1e-9);
    assert_eq!(fit(&e, "L2"), 45);
    // After L2's cut-off (day 3 + 7 = day 10): not a feature.
    ingest(&mut e, opened("T4", "L2", T0 + 11 * DAY));
    assert_eq!(predicted(&e, "L2"), 1.0 / (1.0 + 1f64.exp()));
    assert_eq!(fit(&e, "L2"), 45);
    // A touch dated within it (arriving late) counts: 0.5, the rule holds.
    ingest(&mut e, opened("T5", "L2", T0 + 9 * DAY));
    assert_eq!(predicted(&e, "L2"), 0.5);
    assert_eq!(fit(&e, "L2"), 75);
}

#[test]
fn an_adoption_that_does_not_read_back_predicts_nothing() {
    let mut e = engine();
    ingest(&mut e, vp_lead("L1", T0));
    ingest(&mut e, opened("T1", "L1", T0 + DAY));
    ingest(&mut e, opened("T2", "L1", T0 + DAY));
    let mut a = artifact(1);
    // A column accord's features do not have.
    if let ColumnUse::Numeric { name, .. } = &mut a.model.encoder.columns[0] {
        *name = "no_such_feature".into();
    }
    let text = serde_json::to_string(&a).unwrap();
    e.apply(&adoption(1, &text, 'a'), &Origin::Person { by: None });
    let err = e.model().unwrap().model.as_ref().unwrap_err();
    assert_eq!(err.name, "model adoption M1 (v1)");
    assert!(err.message.contains("no_such_feature"), "{}", err.message);
    assert_eq!(predicted(&e, "L1"), 0.0);
    assert_eq!(fit(&e, "L1"), 45);
    // Not JSON: named by its adoption.
    e.apply(&adoption(2, "{", 'b'), &Origin::Person { by: None });
    let err = e.model().unwrap().model.as_ref().unwrap_err();
    assert_eq!(err.name, "model adoption M2 (v1)");
    // A good adoption after it is in use.
    adopt(&mut e, 3, 'c');
    assert_eq!(predicted(&e, "L1"), 0.5);
}

#[test]
fn the_model_in_use_is_part_of_the_state_hash() {
    let build = |model: Option<(u32, char)>| {
        let mut e = engine();
        ingest(&mut e, vp_lead("L1", T0));
        if let Some((n, d)) = model {
            adopt(&mut e, n, d);
        }
        e.state_hash()
    };
    let none = build(None);
    let one = build(Some((1, 'a')));
    assert_ne!(none, one);
    // Another adoption (number, digest) of the same model: another state
    // (the same number of events, the same leads: only the model differs).
    assert_ne!(one, build(Some((2, 'a'))));
    assert_ne!(one, build(Some((1, 'b'))));
    assert_eq!(one, build(Some((1, 'a'))));
}
