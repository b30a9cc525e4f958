use super::*;

fn vocab() -> Vocabularies {
    Vocabularies {
        stages: ["lead", "mql", "sal"].map(String::from).to_vec(),
        personas: ["executive_buyer", "finance"].map(String::from).to_vec(),
        journey_stages: ["awareness", "decision"].map(String::from).to_vec(),
        rejection_reasons: ["no_budget", "student"].map(String::from).to_vec(),
    }
}

fn errors(src: &str, kind: RuleKind) -> Vec<ExprError> {
    Expr::compile(src, kind, &vocab()).expect_err("should not compile")
}

fn first(src: &str, kind: RuleKind) -> (String, String, Option<String>) {
    let e = errors(src, kind).remove(0);
    (src[e.span.clone()].to_string(), e.message, e.help)
}

#[test]
fn good_rules_compile() {
    for (src, kind) in [
        ("lead.score >= mql_threshold && lead.seniority != 'student'", RuleKind::StageEntry),
        ("event.kind == 'rejected' && event.reason in ['no_budget']", RuleKind::StageEntry),
        ("lead.employees >= 200 && account.tier in ['enterprise', 'strategic']", RuleKind::Fit),
        ("lead.title.contains('CFO') || lead.title.matches('(?i)finance')", RuleKind::Persona),
        ("touch.kind == 'pricing_page_view' && now - touch.occurred_at < duration('720h')", RuleKind::Engagement),
        ("account.named && rep.id == account.owner_rep_id", RuleKind::Routing),
        ("[lead.region, account.region].exists(r, r == 'EMEA')", RuleKind::Fit),
        ("size(lead.email_domain) > 0 && double(lead.employees) * 1.5 > account.annual_revenue_usd", RuleKind::Fit),
        ("true", RuleKind::StageEntry),
    ] {
        if let Err(e) = Expr::compile(src, kind, &vocab()) {
            panic!("{src}: {e:?}");
        }
    }
}

#[test]
fn unknown_field_suggests_the_closest() {
    let (text, msg, help) = first("lead.seniorty == 'vp'", RuleKind::Fit);
    assert_eq!(text, "lead.seniorty");
    assert_eq!(msg, "`lead` has no field `seniorty`");
    assert_eq!(help.as_deref(), Some("did you mean `lead.seniority`?"));
}

#[test]
fn type_errors_are_found_statically() {
    let (text, msg, _) = first("lead.employees + 'x' > 0", RuleKind::Fit);
    assert_eq!(text, "lead.employees + 'x'");
    assert_eq!(msg, "`+` cannot combine an int and a string");
    let (_, msg, _) = first("lead.employees + 1", RuleKind::Fit);
    assert_eq!(msg, "a fit rule must be true or false, but this is an int");
    let (_, msg, _) = first("lead.score > 'high'", RuleKind::Fit);
    assert_eq!(msg, "an int and a string cannot be ordered");
}

#[test]
fn variables_depend_on_where_the_rule_is() {
    let (text, msg, _) = first("touch.kind == 'chat'", RuleKind::Fit);
    assert_eq!(text, "touch");
    assert_eq!(msg, "`touch` is not available in a fit rule");
    let (_, msg, help) = first("laed.score > 1", RuleKind::Fit);
    assert_eq!(msg, "unknown name `laed`");
    assert_eq!(help.as_deref(), Some("did you mean `lead`?"));
}

#[test]
fn literals_are_checked_against_vocabularies() {
    let (text, msg, help) = first("lead.seniority == 'studnet'", RuleKind::Fit);
    assert_eq!(text, "'studnet'");
    assert_eq!(msg, "'studnet' is not a seniority");
    assert!(help.unwrap().starts_with("did you mean 'student'?"));
    let (_, msg, _) = first(
        "event.reason in ['no_budget', 'too_expensive']",
        RuleKind::StageEntry,
    );
    assert_eq!(msg, "'too_expensive' is not a declared rejection reason");
    let (_, msg, _) = first("lead.persona == 'cfo'", RuleKind::Fit);
    assert_eq!(msg, "'cfo' is not a declared persona");
}

#[test]
fn syntax_errors_keep_their_position() {
    let errs = errors("lead.score >= && true", RuleKind::Fit);
    assert!(
        errs[0].message.starts_with("expression does not parse"),
        "{errs:?}"
    );
    assert_eq!(errs[0].span.start, 14);
}

#[test]
fn sample_evaluation_catches_what_the_walker_misses() {
    let errs = errors("lead.title.matches('[')", RuleKind::Persona);
    assert!(errs[0].message.contains("cannot be evaluated"), "{errs:?}");
}

#[test]
fn evaluator_reads_records_and_zero_values() {
    let vocab = vocab();
    let expr = Expr::compile(
        "lead.score >= mql_threshold && lead.employees == 0 && now > lead.created_at",
        RuleKind::StageEntry,
        &vocab,
    )
    .unwrap();
    let mut lead = Record::new(&LEAD);
    lead.set("score", Value::Int(70))
        .unwrap()
        .set("created_at", Value::Timestamp(100))
        .unwrap();
    let ev = Evaluator::new(60);
    let b = Bindings {
        lead: Some(&lead),
        now: 200,
        ..Bindings::default()
    };
    assert_eq!(ev.eval_bool(&expr, &b), Ok(true));
    lead.set("score", Value::Int(59)).unwrap();
    let b = Bindings {
        lead: Some(&lead),
        now: 200,
        ..Bindings::default()
    };
    assert_eq!(ev.eval_bool(&expr, &b), Ok(false));
    assert!(lead.set("scroe", Value::Int(1)).is_err());
    assert!(lead.set("score", Value::String("x".into())).is_err());
}

#[test]
fn rules_past_the_limits_are_refused_before_parsing() {
    let cases = [
        (
            "(".repeat(17) + "true" + &")".repeat(17),
            "the rule nests brackets more than 16 deep",
        ),
        (
            "!".repeat(65) + "true",
            "the rule has more than 64 operators",
        ),
        (
            vec!["1"; 66].join(" + ") + " > 0",
            "the rule has more than 64 operators",
        ),
        (
            "lead".to_string() + &".a".repeat(65),
            "the rule has more than 64 operators",
        ),
        (
            vec!["true"; 600].join(" && "),
            "the rule is 4796 bytes long: a rule is at most 2048 bytes",
        ),
    ];
    for (src, want) in cases {
        let errs = errors(&src, RuleKind::Fit);
        assert_eq!(errs.len(), 1, "{src}: {errs:?}");
        assert_eq!(errs[0].message, want, "{src}");
    }
}

#[test]
fn rules_at_the_limits_compile_on_a_test_thread_stack() {
    for src in [
        "(".repeat(16) + "true" + &")".repeat(16),
        "!".repeat(64) + "true",
        vec!["1"; 64].join(" + ") + " > 0",
        vec!["lead.employees > 1"; 16].join(" && "),
    ] {
        assert!(
            Expr::compile(&src, RuleKind::Fit, &vocab()).is_ok(),
            "{src}"
        );
    }
    // Brackets and operators inside strings do not count.
    let quoted = format!("lead.title == '{}'", "((((!!!!....".repeat(20));
    assert!(Expr::compile(&quoted, RuleKind::Fit, &vocab()).is_ok());
}

#[test]
fn messages_hold_no_parser_or_value_internals() {
    for (src, want) in [
        (
            r"'\q' == 'a'",
            "expression does not parse: token recognition error",
        ),
        ("1 / 0 == 1", "it divides by zero"),
        ("[lead][1] == lead", "an index is out of bounds"),
        (
            "{'a': 1, 'a': 2}.size() == 1",
            "a map literal repeats a key",
        ),
        ("lead.title.matches('(')", "`matches` failed"),
        ("lead.employees >", "the rule ends too soon, expecting"),
    ] {
        let errs = errors(src, RuleKind::Fit);
        let all: Vec<&str> = errs.iter().map(|e| e.message.as_str()).collect();
        assert!(all.iter().any(|m| m.contains(want)), "{src}: {all:?}");
        for m in all {
            for internal in ["Error(", "Error {", "Map(", "Int(", "<EOF>", "UNKNOWN"] {
                assert!(!m.contains(internal), "{src}: {m}");
            }
        }
    }
}

#[test]
fn compile_never_panics_on_odd_text() {
    let odd = [
        "",
        " ",
        "\0",
        "'",
        "\"",
        "'''",
        "r'",
        r"b'\xff' == b''",
        "(",
        ")",
        "[",
        "]]]]",
        "{",
        "}",
        "?",
        ":",
        "1 ? : 2",
        ".",
        "..",
        "lead.",
        ".lead",
        "in",
        "in in in",
        "!",
        "-",
        "--1 > 0",
        "9223372036854775808 > 0",
        "-9223372036854775808 < 0",
        "1u > 0u",
        "0x7fffffffffffffffff > 0",
        "1e999 > 0.0",
        r"'\uD800' == ''",
        "\u{FEFF}true",
        r"lead.title.matches('\\')",
        "size(lead) > 0",
        "lead[0] == 1",
        "now - now > 0",
        "timestamp('x') > now",
        "duration('99999999999999h') > duration('1s')",
        "[1,2,3].all(x, [4].exists(x, x > 0))",
        "lead.all(x, x)",
        "has(lead.nope)",
        "lead.employees / 0 > 1",
        "lead.employees % 0 > 1",
        "9223372036854775807 + 1 > 0",
        "-9223372036854775807 - 2 < 0",
        "int(1e300) > 0",
        "int('x') > 0",
        "double('x') > 0.0",
    ];
    let kinds = [
        RuleKind::StageEntry,
        RuleKind::Persona,
        RuleKind::Fit,
        RuleKind::Engagement,
        RuleKind::Routing,
    ];
    for src in odd {
        for kind in kinds {
            let _ = Expr::compile(src, kind, &vocab());
        }
    }
}

#[test]
fn iteration_is_bounded() {
    let (at, msg, _) = first("[1, 2].all(x, [3, 4].exists(y, x < y))", RuleKind::Fit);
    assert!(at.starts_with("[3, 4].exists("), "{at}");
    assert_eq!(
        msg,
        "`all`, `exists`, `exists_one`, `map` and `filter` cannot be nested"
    );
    let long = format!("[{}].exists(x, x == 1)", vec!["1"; 33].join(", "));
    let (_, msg, _) = first(&long, RuleKind::Fit);
    assert_eq!(
        msg,
        "the lists iterated by `all`, `exists`, `map`... hold more than 32 items in all"
    );
    // Short iterations, and long lists tested with `in`, stay fine.
    for ok in [
        "[lead.region, account.region].exists(r, r == 'EMEA')",
        &format!("[{}].exists(x, x == 1)", vec!["1"; 32].join(", ")),
        &format!("lead.employees in [{}]", vec!["1"; 500].join(", ")),
    ] {
        assert!(Expr::compile(ok, RuleKind::Fit, &vocab()).is_ok(), "{ok}");
    }
}

#[test]
fn oversized_regular_expressions_are_refused() {
    for big in [
        r"lead.title.matches('\\w{500}')",
        r"matches(lead.title, '(\\w{1,50}){1,50}')",
    ] {
        let (_, msg, _) = first(big, RuleKind::Persona);
        assert_eq!(
            msg, "the regular expression is too large: it compiles to more than 64 KiB",
            "{big}"
        );
    }
    for ok in [
        r"lead.title.matches('(?i)^(cfo|ceo|chief .* officer)$')",
        r"lead.title.matches('\\w+')",
    ] {
        assert!(
            Expr::compile(ok, RuleKind::Persona, &vocab()).is_ok(),
            "{ok}"
        );
    }
}
