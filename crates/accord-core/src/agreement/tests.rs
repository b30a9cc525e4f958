//! Unit tests of the agreement reader: the starter file, each kind of check,
//! and the parse → print → parse round trip.

use proptest::prelude::*;

use super::*;

fn default() -> Agreement {
    match parse(DEFAULT_AGREEMENT, "accord.toml") {
        Ok(a) => a,
        Err(d) => panic!("the starter agreement must be valid:\n{d}"),
    }
}

/// The messages `parse` reports for the starter file with `from` replaced by `to`.
fn messages_after(from: &str, to: &str) -> Vec<String> {
    assert!(DEFAULT_AGREEMENT.contains(from), "{from}");
    let src = DEFAULT_AGREEMENT.replacen(from, to, 1);
    match parse(&src, "accord.toml") {
        Ok(_) => panic!("expected errors after replacing {from:?}"),
        Err(d) => d.iter().map(|d| d.message.clone()).collect(),
    }
}

#[test]
fn the_starter_agreement_has_the_reference_terms() {
    let a = default();
    assert_eq!(a.sla_sales_follow_up_hours(), 24);
    assert_eq!(a.sla_sales_decide_hours(), 48);
    assert_eq!(a.attribution_lookback_days(), 90);
    assert_eq!(a.attribution_half_life_days(), 7.0);
    assert_eq!(a.mql_threshold(), 60);
    assert_eq!(a.stages.len(), 8);
    assert_eq!(a.personas.len(), 4);
    assert_eq!(a.journey_stages.len(), 3);
    assert_eq!(a.routing.rules.len(), 4);
    assert_eq!(a.rejection_reasons().len(), 11);
    assert_eq!(a.attribution.models.len(), 5);
    let stage_names: Vec<&str> = a.stages.iter().map(|s| s.name.as_str()).collect();
    assert_eq!(stage_names, CORE_STAGES);
    assert_eq!(
        a.scoring.engagement.points.len(),
        expr::MARKETING_TOUCH_KINDS.len()
    );
}

#[test]
fn the_starter_file_documents_every_schema_field() {
    for object in expr::OBJECTS {
        for field in object.fields {
            assert!(
                DEFAULT_AGREEMENT.contains(field.name),
                "default.toml does not document {}.{}",
                object.name,
                field.name
            );
        }
    }
}

#[test]
fn starter_rules_evaluate() {
    use crate::expr::{Bindings, Record, Value, LEAD};
    let a = default();
    let mut lead = Record::new(&LEAD);
    lead.set("score", Value::Int(75)).unwrap();
    lead.set("seniority", Value::String("vp".into())).unwrap();
    let ev = a.evaluator();
    let b = Bindings {
        lead: Some(&lead),
        ..Bindings::default()
    };
    assert_eq!(ev.eval_bool(&a.stage("mql").unwrap().when, &b), Ok(true));
    lead.set("free_mail", Value::Bool(true)).unwrap();
    let b = Bindings {
        lead: Some(&lead),
        ..Bindings::default()
    };
    assert_eq!(ev.eval_bool(&a.stage("mql").unwrap().when, &b), Ok(false));
}

use crate::expr;

#[test]
fn every_error_is_reported_not_only_the_first() {
    let src = DEFAULT_AGREEMENT
        .replacen("mql_threshold = 60", "mql_threshold = 160", 1)
        .replacen("follow_up_hours = 24", "folow_up_hours = 24", 1)
        .replacen("lookback_days = 90", "lookback_days = 0", 1);
    let d = parse(&src, "accord.toml").unwrap_err();
    let msgs: Vec<&str> = d.iter().map(|d| d.message.as_str()).collect();
    assert!(msgs.iter().any(|m| m.contains("mql_threshold")), "{msgs:?}");
    assert!(
        msgs.iter()
            .any(|m| m.contains("unknown key `folow_up_hours`")),
        "{msgs:?}"
    );
    assert!(msgs.iter().any(|m| m.contains("lookback_days")), "{msgs:?}");
    // Sorted by position in the file.
    let starts: Vec<usize> = d.iter().map(|d| d.span.start).collect();
    let mut sorted = starts.clone();
    sorted.sort();
    assert_eq!(starts, sorted);
}

#[test]
fn unknown_keys_suggest_the_closest() {
    let src = DEFAULT_AGREEMENT.replacen("follow_up_attempts = 3", "follow_up_attempt = 3", 1);
    let d = parse(&src, "accord.toml").unwrap_err();
    let first = d.iter().next().unwrap();
    assert_eq!(
        first.message,
        "unknown key `follow_up_attempt` in [sla.sales]"
    );
    assert_eq!(
        first.help.as_deref(),
        Some("did you mean `follow_up_attempts`?")
    );
    assert_eq!(&src[first.span.clone()], "follow_up_attempt");
}

#[test]
fn expression_errors_point_inside_the_string() {
    let src = DEFAULT_AGREEMENT.replacen(
        "when = \"lead.seniority == 'student'\"",
        "when = \"lead.senority == 'student'\"",
        1,
    );
    let d = parse(&src, "accord.toml").unwrap_err();
    let first = d.iter().next().unwrap();
    assert_eq!(&src[first.span.clone()], "lead.senority");
    let text = d.to_string();
    assert!(text.contains("did you mean `lead.seniority`?"), "{text}");
    assert!(text.contains("accord.toml:"), "{text}");
}

#[test]
fn reachability_and_references() {
    let msgs = messages_after(
        "from = [\"sal\"]\nwhen = \"event.kind == 'qualified'\"",
        "from = [\"sla\"]\nwhen = \"event.kind == 'qualified'\"",
    );
    assert!(msgs.iter().any(|m| m == "unknown stage `sla`"), "{msgs:?}");
    let msgs = messages_after(
        "from = [\"opportunity\"]\nwhen = \"event.kind == 'opportunity_won'\"",
        "from = [\"customer\"]\nwhen = \"event.kind == 'opportunity_won'\"",
    );
    assert!(
        msgs.iter()
            .any(|m| m == "stage `customer` cannot be reached from `lead`"),
        "{msgs:?}"
    );
    let msgs = messages_after(
        "reasons = [\"bad_contact_data\", \"duplicate\"]",
        "reasons = [\"bad_data\"]",
    );
    assert!(
        msgs.iter()
            .any(|m| m == "rejection reason `bad_data` is not declared"),
        "{msgs:?}"
    );
    let msgs = messages_after("name = \"territory_generalist\"", "name = \"territory\"");
    assert!(
        msgs.iter().any(|m| m.contains("are named `territory`")),
        "{msgs:?}"
    );
}

#[test]
fn ranges_and_durations() {
    assert!(messages_after("decide_hours = 48", "decide_hours = -48")[0]
        .contains("a duration must be positive"));
    assert!(
        messages_after("half_life_days = 7.0", "half_life_days = 0.0")[0].contains("half-life")
    );
    assert!(messages_after("points = 20", "points = 200")[0].contains("-100..=100"));
    assert!(
        messages_after("min_acceptance_rate = 0.5", "min_acceptance_rate = 1.5")[0]
            .contains("0..=1")
    );
}

#[test]
fn toml_syntax_errors_have_a_position() {
    let d = parse("version = 1\nname = \"x\nfoo", "a.toml").unwrap_err();
    assert!(!d.is_empty());
    assert!(d.iter().next().unwrap().message.starts_with("TOML syntax"));
}

#[test]
fn print_then_parse_gives_the_same_agreement() {
    let a = default();
    let printed = a.to_toml();
    let b = match parse(&printed, "printed.toml") {
        Ok(b) => b,
        Err(d) => panic!("{d}\n{printed}"),
    };
    assert_eq!(a, b);
}

fn arb_name() -> impl Strategy<Value = String> {
    "[a-z][a-z0-9_]{0,12}"
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(48))]

    /// parse → print → parse is the identity, over agreements varied from the
    /// starter one: names, free text (quotes, backslashes, non-ASCII), numbers.
    #[test]
    fn round_trip(
        name in "\\PC{1,40}",
        description in "\\PC{0,60}",
        threshold in 0u32..=100,
        follow_up in 1u32..=200,
        extra_decide in 0u32..=200,
        attempts in 1u32..=9,
        lookback in 1u32..=365,
        half_life in 0.01f64..1000.0,
        engagement_half_life in 0.5f64..400.0,
        rate in 0.0f64..=1.0,
        fit_names in proptest::collection::hash_set(arb_name(), 1..6),
        points in proptest::collection::vec(-100i32..=100, 6),
        models in proptest::sample::subsequence(Model::NAMES.to_vec(), 0..=5),
        drop_persona_rules in any::<bool>(),
        targets in proptest::collection::vec(0u32..10_000, 4),
    ) {
        prop_assume!(!name.trim().is_empty());
        let mut a = default();
        a.name = name;
        a.stages[1].description = description.clone();
        a.scoring.mql_threshold = threshold;
        a.sla.sales.follow_up = Duration::from_hours(follow_up);
        a.sla.sales.decide = Duration::from_hours(follow_up + extra_decide);
        a.sla.sales.follow_up_attempts = attempts;
        a.attribution.lookback = Duration::from_days(lookback);
        a.attribution.half_life_days = half_life;
        a.scoring.engagement.half_life_days = engagement_half_life;
        a.sla.marketing.min_acceptance_rate = rate;
        a.attribution.models = models.iter().filter_map(|m| Model::from_name(m)).collect();
        let template = a.scoring.fit[0].clone();
        a.scoring.fit = fit_names
            .into_iter()
            .zip(points.iter().cycle())
            .map(|(name, p)| ScoreRule { name, points: *p, ..template.clone() })
            .collect();
        if drop_persona_rules {
            for p in &mut a.personas {
                p.when = None;
                p.description = description.clone();
            }
        }
        for (t, n) in a.sla.marketing.default_monthly_mql_targets.iter_mut().zip(targets) {
            t.1 = n;
        }
        let printed = a.to_toml();
        let b = parse(&printed, "printed.toml").map_err(|d| TestCaseError::fail(format!("{d}\n{printed}")))?;
        prop_assert_eq!(&a, &b);
        prop_assert_eq!(printed, b.to_toml());
    }
}

/// Parses `src` and renders any diagnostics; neither may panic.
fn parse_and_render(src: &str) {
    if let Err(d) = parse(src, "fuzz.toml") {
        let _ = d.render(false);
        let _ = d.render(true);
        for item in d.iter() {
            let _ = d.line_col(item.span.start);
            let _ = d.line_col(item.span.end);
        }
    }
}

#[test]
fn every_prefix_of_the_starter_agreement_parses_or_reports() {
    let src = DEFAULT_AGREEMENT;
    let cuts = (0..src.len())
        .step_by(41)
        .filter(|&i| src.is_char_boundary(i));
    for cut in cuts {
        parse_and_render(&src[..cut]);
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(64))]
    /// Any text, and the starter agreement with any bytes spliced in, parses
    /// or reports without a panic.
    #[test]
    fn any_text_parses_or_reports(
        junk in "\\PC{0,200}",
        at in 0usize..12_000,
        odd in prop::sample::select(vec!["\0", "\u{1b}[2J", "\r", "\"", "'''", "[", "]]", "=", ".", "\u{FEFF}", "é", "((((", "\\"]),
    ) {
        parse_and_render(&junk);
        let src = DEFAULT_AGREEMENT;
        let mut cut = at.min(src.len());
        while !src.is_char_boundary(cut) {
            cut -= 1;
        }
        parse_and_render(&format!("{}{odd}{junk}{}", &src[..cut], &src[cut..]));
    }
}

#[test]
fn labels_anywhere_render_without_panic() {
    // Spans past the end, inside a character, across lines, empty.
    let src = "a = 1\r\nb = \"é\u{1b}\"\n\n";
    for (start, end) in [
        (0, 0),
        (0, 100),
        (9, 10),
        (10, 11),
        (3, 14),
        (14, 14),
        (99, 120),
        (5, 2),
    ] {
        let d = Diagnostics::new(
            "x.toml",
            src,
            vec![Diagnostic::new(start..end, "m", "l").related(end..start, "r")],
        );
        let text = d.render(false);
        assert!(!text.contains('\u{1b}'), "{text:?}");
    }
}

#[test]
fn too_long_text_is_refused_before_it_is_read() {
    let big = "x".repeat(MAX_FILE_BYTES + 1);
    let d = parse(&big, "big.toml").unwrap_err();
    assert_eq!(d.len(), 1);
    let msg = &d.iter().next().unwrap().message;
    assert_eq!(
        msg,
        "the file is 1,048,577 bytes: an agreement is at most 1 MiB (1,048,576 bytes)"
    );
    assert!(d.render(false).len() < 1_000);
}

#[test]
fn bytes_that_are_not_utf8_name_the_first_bad_byte() {
    let d = parse_bytes(b"version = 1\n\xff\xfe", "x.toml").unwrap_err();
    let msg = &d.iter().next().unwrap().message;
    assert_eq!(
        msg,
        "the file is not UTF-8 text: byte 0xFF at line 2, column 1 (byte offset 12) is not UTF-8"
    );
    assert!(parse_bytes(DEFAULT_AGREEMENT.as_bytes(), "accord.toml").is_ok());
}
