use accord_core::action::{Action, Decision};
use accord_core::domain::*;
use accord_core::event::*;

use crate::fields::Fields;
use crate::schema::{LineType, HEADER};
use crate::*;

mod gen;

fn ts(s: &str) -> Timestamp {
    Timestamp::parse(s).unwrap()
}

fn line_of(event: &Event, origin: &Origin) -> String {
    let mut out = String::new();
    write_event(event, origin, &mut out);
    out
}

fn err(line: &str) -> WireError {
    parse_line(line).expect_err("the line is refused")
}

fn touch() -> Event {
    Event::Touched(Touch {
        id: TouchId::parse("T00000001").unwrap(),
        lead: LeadId::parse("L0000001").unwrap(),
        occurred_at: ts("2025-04-01T03:53:35Z"),
        kind: TouchKind::FormFill,
        channel: Some(Channel::PaidSocial),
        campaign: Some(CampaignId::parse("C0002").unwrap()),
        content: None,
        rep: None,
    })
}

fn lead() -> Event {
    Event::LeadCreated(Lead {
        id: LeadId::parse("L0000001").unwrap(),
        email: Email::parse("ana.garcía@northwind.co.uk").unwrap(),
        full_name: Some(Text::parse("Ana \"Anita\" García\n").unwrap()),
        title: None,
        seniority: Seniority::Vp,
        persona: Some(Named::Core(Persona::Finance)),
        company_name: Some(Text::parse("Northwind, Ltd").unwrap()),
        website: None,
        employees_reported: Some(120),
        industry_reported: None,
        country: Country::parse("GB").unwrap(),
        region: Region::Emea,
        source_channel: Channel::Referral,
        source_campaign: None,
        created_at: ts("2025-04-01T00:00:00Z"),
        account: Some(AccountId::parse("A000001").unwrap()),
    })
}

#[test]
fn a_touch_and_a_lead_are_written_as_pinned() {
    assert_eq!(
        line_of(&touch(), &Origin::Imported),
        r#"{"v":1,"type":"touched","origin":"imported","touch_id":"T00000001","lead_id":"L0000001","occurred_at":"2025-04-01T03:53:35Z","kind":"form_fill","channel":"paid_social","campaign_id":"C0002","content_id":null,"rep_id":null}"#
    );
    assert_eq!(
        line_of(&lead(), &Origin::Ingested),
        r#"{"v":1,"type":"lead_created","origin":"ingested","lead_id":"L0000001","email":"ana.garcía@northwind.co.uk","full_name":"Ana \"Anita\" García\n","title":null,"seniority":"vp","persona":"finance","company_name":"Northwind, Ltd","website":null,"employees_reported":120,"industry_reported":null,"country":"GB","region":"EMEA","source_channel":"referral","source_campaign_id":null,"created_at":"2025-04-01T00:00:00Z","account_id":"A000001"}"#
    );
}

#[test]
fn origins_and_money_are_written_as_documented() {
    let opp = Event::OpportunityCreated(Opportunity {
        id: OpportunityId::parse("O000001").unwrap(),
        account: AccountId::parse("A000001").unwrap(),
        primary_lead: None,
        owner_rep: RepId::parse("R0001").unwrap(),
        kind: OpportunityKind::NewBusiness,
        created_at: ts("2025-05-02T10:00:00Z"),
        amount: Money::from_cents(1_234_550),
    });
    let line = line_of(
        &opp,
        &Origin::Person {
            by: Some(Text::parse("R0001").unwrap()),
        },
    );
    assert_eq!(
        line,
        r#"{"v":1,"type":"opportunity_created","origin":{"person":"R0001"},"opportunity_id":"O000001","account_id":"A000001","primary_lead_id":null,"owner_rep_id":"R0001","kind":"new_business","created_at":"2025-05-02T10:00:00Z","amount_usd":12345.50}"#
    );
    let mut out = String::new();
    write_origin(&Origin::Engine { agreement: 3 }, &mut out);
    write_origin(&Origin::Person { by: None }, &mut out);
    assert_eq!(out, r#"{"engine":3}{"person":null}"#);
    // Control characters (C0, DEL, C1) are escaped: an export is safe on a terminal.
    let closed = Event::OpportunityClosed(OpportunityClosed {
        id: OpportunityId::parse("O1").unwrap(),
        won: WonOrLost::Lost,
        closed_at: ts("2025-06-01T00:00:00Z"),
        lost_reason: Some(Text::parse("a\u{1b}[2J\u{7f}\u{85}\\b\t").unwrap()),
    });
    assert!(line_of(&closed, &Origin::Imported)
        .ends_with(r#""stage":"lost","closed_at":"2025-06-01T00:00:00Z","lost_reason":"a\u001b[2J\u007f\u0085\\b\t"}"#));
}

#[test]
fn an_input_line_reads_in_any_field_order_with_v_absent_and_nulls() {
    let line = r#"{"kind":"form_fill","type":"touched","lead_id":"L0000001","touch_id":"T00000001",
        "occurred_at":"2025-04-01T03:53:35Z","channel":"paid_social","campaign_id":"C0002","content_id":null}"#
        .replace('\n', "");
    assert_eq!(parse_line(&line).unwrap(), Input::Event(touch()));
    // An origin of the right shape is accepted and ignored.
    let with_origin = line.replacen('{', r#"{"v":1,"origin":{"engine":7},"#, 1);
    assert_eq!(parse_line(&with_origin).unwrap(), Input::Event(touch()));
}

#[test]
fn money_is_a_string_or_a_number_with_at_most_two_decimals() {
    let opp = |amount: &str| {
        format!(
            r#"{{"type":"opportunity_created","opportunity_id":"O1","account_id":"A1","owner_rep_id":"R1","kind":"renewal","created_at":"2025-05-02T10:00:00Z","amount_usd":{amount}}}"#
        )
    };
    let cents = |amount: &str| match parse_line(&opp(amount)) {
        Ok(Input::Event(Event::OpportunityCreated(o))) => Ok(o.amount.cents()),
        Ok(other) => panic!("{other:?}"),
        Err(e) => Err(e),
    };
    assert_eq!(cents("1234.5"), Ok(123_450));
    assert_eq!(cents("\"1234.50\""), Ok(123_450));
    assert_eq!(cents("7"), Ok(700));
    // The digits as written, never through a float (which holds ~16 digits).
    assert_eq!(cents("123456789012345.67"), Ok(12_345_678_901_234_567));
    for bad in ["1.234", "1e5", "\"1,5\"", "-3", "0", "true", "[1]"] {
        let e = cents(bad).expect_err(bad);
        assert_eq!(e.place, Place::Field("/amount_usd".into()), "{bad}");
        assert_eq!(e.problem, Problem::BadValue, "{bad}");
    }
    assert_eq!(
        cents("0").unwrap_err().to_string(),
        "/amount_usd: 0 must be greater than 0"
    );
    assert_eq!(
        cents("1.234").unwrap_err().to_string(),
        "/amount_usd: `1.234` is not an amount of money (expected digits with at most two decimals, e.g. 1234.50)"
    );
}

#[test]
fn each_bad_field_is_named_by_its_pointer() {
    let lead = |patch: &str| {
        format!(
            r#"{{"type":"lead_created","lead_id":"L1","email":"ana@northwind.com","seniority":"vp","country":"GB","region":"EMEA","source_channel":"referral","created_at":"2025-04-01T00:00:00Z"{patch}}}"#
        )
    };
    assert!(parse_line(&lead("")).is_ok());

    let e = err(&lead(r#","created_at":"2025-04-02T00:00:00Z""#));
    assert_eq!(e.problem, Problem::DuplicateField);
    assert_eq!(e.to_string(), "/created_at: given twice");

    let e = err(&lead("").replace("2025-04-01T00:00:00Z", "2025-04-01 00:00:00"));
    assert_eq!(
        e.to_string(),
        "/created_at: `2025-04-01 00:00:00` is not a UTC timestamp of the form YYYY-MM-DDTHH:MM:SSZ"
    );

    let e = err(&lead("").replace(r#""seniority":"vp""#, r#""seniority":"ceo""#));
    assert_eq!(
        e.to_string(),
        "/seniority: `ceo` is not one of c_level, vp, director, manager, individual, student, unknown"
    );
    let e = err(&lead("").replace(r#""seniority":"vp""#, r#""seniority":"c-level""#));
    assert!(e.message.ends_with("; did you mean `c_level`?"), "{e}");

    let e = err(&lead("").replace(r#""email":"ana@northwind.com","#, ""));
    assert_eq!(
        (e.problem, e.to_string()),
        (Problem::Missing, "/email: required, but missing".into())
    );
    let e = err(&lead("").replace(r#""ana@northwind.com""#, "null"));
    assert_eq!(e.to_string(), "/email: required, but missing");

    let e = err(&lead("").replace(r#""email""#, r#""emial""#));
    assert_eq!(e.problem, Problem::UnknownField);
    assert_eq!(
        e.to_string(),
        "/emial: a `lead_created` line has no field `emial`; did you mean `email`?"
    );

    let e = err(&lead("").replace(r#""ana@northwind.com""#, r#""ana""#));
    assert_eq!(
        e.to_string(),
        "/email: `ana` is not an e-mail address (expected local@domain.tld)"
    );
    let e = err(&lead(r#","employees_reported":-4"#));
    assert_eq!(
        e.to_string(),
        "/employees_reported: `-4` is not a whole number ≥ 0"
    );
    let e = err(&lead(r#","employees_reported":"12""#));
    assert_eq!(
        e.to_string(),
        "/employees_reported: expected a number, got the string \"12\""
    );
    let e = err(&lead(r#","full_name":12"#));
    assert_eq!(e.to_string(), "/full_name: expected a string, got 12");
    let e = err(&lead(&format!(r#","title":"{}""#, "x".repeat(1025))));
    assert_eq!(e.to_string(), "/title: text longer than 1024 bytes");
    let e = err(&lead("").replace(r#""L1""#, r#""~3""#));
    assert_eq!(e.problem, Problem::EngineId);
    assert_eq!(
        e.to_string(),
        "/lead_id: `~3`: ids starting with `~` are the engine's; an id from outside may not start with `~`"
    );
    let long_id = "L".repeat(200);
    let e = err(&lead("").replace(r#""L1""#, &format!("\"{long_id}\"")));
    assert!(
        e.to_string()
            .starts_with("/lead_id: an id must be 1 to 64 bytes"),
        "{e}"
    );
    assert!(e.message.contains("(136 more characters)"), "cut: {e}");
    // A control character from the line is escaped in the message.
    let e = err(&lead("").replace(r#""vp""#, r#""v\u001bp""#));
    assert!(e.message.starts_with("`v\\u{1b}p` is not one of"), "{e}");
}

#[test]
fn the_header_is_checked_first() {
    let e = err(r#"{"v":2,"type":"touched","emial":1}"#);
    assert_eq!(e.problem, Problem::Version);
    assert_eq!(
        e.to_string(),
        "/v: schema version 2 is not one this accord reads (it reads version 1)"
    );
    let e = err(r#"{"v":"1","type":"touched"}"#);
    assert_eq!(e.to_string(), "/v: expected a number, got the string \"1\"");
    let e = err(r#"{"touch_id":"T1"}"#);
    assert_eq!(e.to_string(), "/type: required, but missing");
    let e = err(r#"{"type":"lead_create"}"#);
    assert_eq!(
        (e.problem, e.to_string()),
        (
            Problem::UnknownType,
            "/type: `lead_create` is not a type of line; did you mean `lead_created`?".into()
        )
    );
    for decision in ["agreement_adopted", "owner_assigned", "account_matched"] {
        let e = err(&format!(r#"{{"type":"{decision}"}}"#));
        assert_eq!(e.problem, Problem::Decision, "{decision}");
        assert!(e.message.contains("it is never an input"), "{e}");
    }
    let e = err(r#"{"type":"touched","origin":"engine"}"#);
    assert_eq!(e.place, Place::Field("/origin".into()));
    assert!(e.message.starts_with("expected \"imported\""), "{e}");
    let e = err(r#"{"type":"touched","origin":{"engine":-1}}"#);
    assert_eq!(
        e.to_string(),
        "/origin/engine: `-1` is not a whole number ≥ 0"
    );
    let e = err(r#"{"type":"touched","origin":{"engine":1,"person":null}}"#);
    assert_eq!(e.place, Place::Field("/origin".into()));
    let e = err(r#"{"type":"touched","origin":{"robot":1}}"#);
    assert_eq!(
        e.to_string(),
        "/origin/robot: an origin has no field `robot` (its fields: engine, person)"
    );
}

#[test]
fn syntax_errors_name_the_column_and_long_lines_are_refused_unread() {
    // Column 18 is the `"` where a `,` should be.
    let e = err(r#"{"type":"touched""lead_id":"L1"}"#);
    assert_eq!(e.problem, Problem::Syntax);
    assert_eq!(e.place, Place::Column(18));
    assert_eq!(
        e.to_string(),
        "column 18: not a JSON object: expected `,` or `}`"
    );
    assert_eq!(
        err(r#"{"type":1}"#).to_string(),
        "/type: expected a string, got 1"
    );
    assert_eq!(
        err(r#"{"type" "touched"}"#).to_string(),
        "column 9: not a JSON object: expected `:`"
    );
    let e = err(r#"["touched"]"#);
    assert_eq!((e.problem, e.place), (Problem::Syntax, Place::Column(1)));
    let e = err(r#"{"type":"touched"} x"#);
    assert_eq!(e.place, Place::Column(20));
    assert!(e.message.contains("trailing characters"), "{e}");
    let e = err("");
    assert_eq!(e.problem, Problem::Syntax);

    // 70 KB: refused before it is parsed (it is not even JSON).
    let e = err(&"x".repeat(70_000));
    assert_eq!(e.problem, Problem::TooLong);
    assert_eq!(
        e.to_string(),
        "the line: 70000 bytes, over the limit of 65536 bytes a line may hold"
    );
    // Exactly the limit is read.
    let pad = MAX_LINE_BYTES - r#"{"type":"touched","x":""}"#.len();
    let at_limit = format!(r#"{{"type":"touched","x":"{}"}}"#, "y".repeat(pad));
    assert_eq!(at_limit.len(), MAX_LINE_BYTES);
    assert_eq!(err(&at_limit).problem, Problem::UnknownField);
}

#[test]
fn the_contracts_rules_of_one_record_hold() {
    let touch = r#"{"type":"touched","touch_id":"T1","lead_id":"L1","occurred_at":"2025-04-01T03:53:35Z","kind":"sales_call"}"#;
    let e = err(touch);
    assert_eq!(
        (e.problem, e.to_string()),
        (
            Problem::Missing,
            "/rep_id: required for a sales touch (sales_call)".into()
        )
    );
    let e = err(&touch.replace("sales_call", "page_view"));
    assert_eq!(
        e.to_string(),
        "/channel: required for a marketing touch (page_view)"
    );
    let closed = r#"{"type":"opportunity_closed","opportunity_id":"O1","stage":"open","closed_at":"2025-04-01T03:53:35Z"}"#;
    assert_eq!(
        err(closed).to_string(),
        "/stage: an opportunity closes `won` or `lost`, not `open`"
    );
    let campaign = r#"{"type":"campaign_recorded","campaign_id":"C1","name":"Q2","channel":"email","started_at":"2025-04-01T00:00:00Z","cost_usd":"-1.00"}"#;
    assert_eq!(
        err(campaign).to_string(),
        "/cost_usd: -1.00 must be 0 or more"
    );
    assert!(parse_line(&campaign.replace("-1.00", "0")).is_ok());
    let away = r#"{"type":"rep_away","away_id":"OOO-1","rep_id":"R1","from":"2026-01-05T09:00:00Z","until":"2026-01-04T18:00:00Z"}"#;
    assert_eq!(
        err(away).to_string(),
        "/until: 2026-01-04T18:00:00Z is before `from` 2026-01-05T09:00:00Z"
    );
}

#[test]
fn actions_read_into_what_a_person_asks() {
    let decision = Decision {
        id: TransitionId::parse("S9").unwrap(),
        lead: LeadId::parse("L1").unwrap(),
        rep: RepId::parse("R2").unwrap(),
        at: ts("2026-01-05T09:30:00Z"),
        by: None,
    };
    let base =
        r#""transition_id":"S9","lead_id":"L1","rep_id":"R2","occurred_at":"2026-01-05T09:30:00Z""#;
    assert_eq!(
        parse_line(&format!(r#"{{"type":"accept",{base}}}"#)).unwrap(),
        Input::Action(Action::Accept(decision.clone()))
    );
    assert_eq!(
        parse_line(&format!(r#"{{"type":"qualify",{base},"by":"Mia"}}"#)).unwrap(),
        Input::Action(Action::Qualify(Decision {
            by: Some(Text::parse("Mia").unwrap()),
            ..decision.clone()
        }))
    );
    assert_eq!(
        parse_line(&format!(
            r#"{{"type":"reject",{base},"reason":"gone_quiet"}}"#
        ))
        .unwrap(),
        Input::Action(Action::Reject {
            decision: decision.clone(),
            reason: Named::Declared("gone_quiet".into()),
        })
    );
    assert_eq!(
        err(&format!(r#"{{"type":"reject",{base}}}"#)).to_string(),
        "/reason: required, but missing"
    );
    assert_eq!(
        parse_line(r#"{"type":"reassign","assignment_id":"X1","lead_id":"L1","rep_id":"R3","occurred_at":"2026-01-05T09:30:00Z"}"#).unwrap(),
        Input::Action(Action::Reassign {
            id: DecisionId::parse("X1").unwrap(),
            lead: LeadId::parse("L1").unwrap(),
            rep: RepId::parse("R3").unwrap(),
            at: ts("2026-01-05T09:30:00Z"),
            by: None,
        })
    );
    let e = err(&format!(r#"{{"type":"accept",{base},"reason":"x"}}"#));
    assert_eq!(
        e.to_string(),
        "/reason: a `accept` line has no field `reason` (its fields: v, type, origin, transition_id, lead_id, rep_id, occurred_at, by)"
    );
    // An action is never in an export.
    let e = parse_exported(&format!(
        r#"{{"type":"accept","origin":"ingested",{base}}}"#
    ))
    .unwrap_err();
    assert!(e.message.contains("is an action"), "{e}");
}

#[test]
fn exported_decisions_read_back_with_nested_pointers() {
    let line = r#"{"v":1,"type":"owner_assigned","origin":{"engine":2},"assignment_id":"~7","lead_id":"L1","rep_id":"R2","rule":"territory","assigned_at":"2026-01-05T09:30:00Z","tried":[{"rule":"named","matched":1,"excluded":[{"rep_id":"R9","why":"away"}]}],"eligible":["R2","R3"]}"#;
    let (event, origin) = parse_exported(line).unwrap();
    assert_eq!(origin, Origin::Engine { agreement: 2 });
    assert_eq!(line_of(&event, &origin), line);
    let e = parse_exported(&line.replace(r#""why":"away""#, r#""why":"asleep""#)).unwrap_err();
    assert_eq!(
        e.to_string(),
        "/tried/0/excluded/0/why: `asleep` is not one of at_capacity, outside_hours, away"
    );
    let e = parse_exported(&line.replace(r#""matched":1"#, r#""matched":"1""#)).unwrap_err();
    assert_eq!(e.place, Place::Field("/tried/0/matched".into()));
    let e = parse_exported(&line.replace(r#"["R2","R3"]"#, r#"["R2",3]"#)).unwrap_err();
    assert_eq!(e.to_string(), "/eligible/1: expected a rep id, got 3");
    let e = parse_exported(&line.replace(r#","origin":{"engine":2}"#, "")).unwrap_err();
    assert_eq!(e.to_string(), "/origin: required, but missing");
    // As an input, the engine's decision is refused.
    assert_eq!(err(line).problem, Problem::Decision);
}

#[test]
fn every_type_is_written_with_exactly_its_schema_fields_in_order() {
    let mut runner = proptest::test_runner::TestRunner::deterministic();
    use proptest::strategy::{Strategy, ValueTree};
    for _ in 0..200 {
        let event = gen::any_event().new_tree(&mut runner).unwrap().current();
        let line = line_of(&event, &Origin::Imported);
        let f = Fields::parse(&line, String::new(), false).unwrap();
        let expected: Vec<&str> = HEADER
            .iter()
            .copied()
            .chain(LineType::Event(event.kind()).fields().iter().copied())
            .collect();
        assert_eq!(f.names().collect::<Vec<_>>(), expected, "{line}");
    }
    // Every event kind and action has a type, and the types are distinct.
    let names: std::collections::BTreeSet<&str> = LineType::ALL.iter().map(|t| t.name()).collect();
    assert_eq!(names.len(), EventKind::ALL.len() + 4);
}

mod props {
    use super::*;
    use proptest::prelude::*;

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(512))]

        #[test]
        fn any_event_written_reads_back_with_its_origin(event in gen::any_event(), origin in gen::any_origin()) {
            let line = line_of(&event, &origin);
            prop_assert!(!line.contains('\n'));
            // Plain JSON, to any reader.
            prop_assert!(serde_json::from_str::<serde_json::Value>(&line).is_ok());
            prop_assert_eq!(parse_exported(&line).unwrap(), (event, origin));
        }

        #[test]
        fn any_input_event_written_is_an_input(event in gen::input_event(), origin in gen::any_origin()) {
            let line = line_of(&event, &origin);
            prop_assert_eq!(parse_line(&line).unwrap(), Input::Event(event));
        }

        #[test]
        fn any_text_never_panics(line in "(?s).{0,200}") {
            let _ = parse_line(&line);
            let _ = parse_exported(&line);
        }

        #[test]
        fn a_cut_line_is_refused_not_misread(event in gen::input_event(), cut in 1usize..400) {
            let line = line_of(&event, &Origin::Imported);
            let mut at = line.len().saturating_sub(cut).max(1);
            while !line.is_char_boundary(at) {
                at -= 1;
            }
            prop_assert!(parse_line(&line[..at]).is_err());
        }
    }
}
