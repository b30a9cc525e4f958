//! The lowered evaluator against hand-worked results, and against cel on
//! random records (the differential property).

use proptest::prelude::*;

use super::*;
use crate::agreement::{parse, Agreement, DEFAULT_AGREEMENT};

fn starter() -> Agreement {
    parse(DEFAULT_AGREEMENT, "accord.toml").expect("the starter agreement parses")
}

fn vocab(a: &Agreement) -> Vocabularies {
    Vocabularies {
        stages: a.stages.iter().map(|s| s.name.clone()).collect(),
        personas: a.personas.iter().map(|p| p.name.clone()).collect(),
        journey_stages: a.journey_stages.iter().map(|j| j.name.clone()).collect(),
        rejection_reasons: a.rejection_reasons().to_vec(),
    }
}

use RuleKind::{Engagement as Eng, Routing as Rout, StageEntry as Stage};

/// Rules beyond the starter agreement's, covering every lowered construct;
/// the last ones stay on the cel path.
const EXTRA: &[(&str, RuleKind)] = &[
    ("lead.employees + account.employees >= 200", Stage),
    ("lead.employees * 2 > lead.fit_score - lead.score", Stage),
    ("lead.employees / lead.score >= 1", Stage),
    ("lead.employees % lead.score == 0", Stage),
    ("-lead.employees < 0", Stage),
    ("lead.score + 1 > mql_threshold || lead.employees * lead.employees > 0", Stage),
    ("lead.employees * lead.employees > 0 || lead.score > 50", Stage),
    ("lead.employees * lead.employees > 0 && lead.score > 50", Stage),
    ("lead.score > 50 && lead.employees * lead.employees > 0", Stage),
    ("lead.employees * lead.employees > 0 || lead.score * lead.score > 0", Stage),
    ("!(lead.employees - 1 < 0)", Stage),
    ("lead.free_mail ? lead.score > 10 : account.named", Stage),
    ("(lead.score > 10 ? lead.employees : account.employees) >= 200", Stage),
    ("lead.region in ['NA', 'EMEA'] && lead.industry in ['software', 'fintech']", Stage),
    ("lead.employees in [0, 1, 200]", Stage),
    ("lead.employees in [0.0, 200.0]", Stage),
    ("lead.employees == 200.0 || 1.0 != lead.score", Stage),
    ("account.annual_revenue_usd >= 1000000.0", Stage),
    ("account.annual_revenue_usd > 100.0 || account.annual_revenue_usd <= 100.0", Stage),
    ("account.annual_revenue_usd < 1000 || 5 > account.annual_revenue_usd", Stage),
    ("account.annual_revenue_usd == account.annual_revenue_usd", Stage),
    ("account.annual_revenue_usd / 2.0 > 10.0 - account.annual_revenue_usd * 3.0", Stage),
    ("-account.annual_revenue_usd < 0.0", Stage),
    ("lead.title.matches('(?i)(cfo|financ)')", Stage),
    ("matches(lead.email, '^[a-z]+@')", Stage),
    ("lead.email.endsWith('@gmail.com') || lead.email.startsWith('ceo') || lead.title.contains('VP')", Stage),
    ("size(lead.title) > 3 && lead.company_name.size() < 20", Stage),
    ("lead.title < lead.company_name", Stage),
    ("lead.free_mail != account.named && lead.free_mail < account.named", Stage),
    ("now - lead.created_at > duration('720h')", Stage),
    ("lead.created_at + duration('24h') < now", Stage),
    ("duration('1h') + lead.created_at <= now", Stage),
    ("now - duration('90m') >= lead.created_at", Stage),
    ("now - lead.created_at - duration('1h30m') > duration('0s')", Stage),
    ("(now - lead.created_at) + (now - event.occurred_at) < duration('8760h')", Stage),
    ("lead.created_at >= timestamp('2025-04-01T00:00:00Z')", Stage),
    ("lead.created_at < timestamp('2025-04-01T12:00:00+02:00')", Stage),
    ("event.occurred_at == lead.created_at", Stage),
    ("event.kind == 'rejected' && event.reason in ['no_budget', 'bad_timing']", Stage),
    ("lead.stage == 'mql' && lead.score >= mql_threshold", Stage),
    ("lead.score - mql_threshold > -10", Stage),
    ("touch.kind == 'demo_request' && now - touch.occurred_at < duration('168h')", Eng),
    ("touch.journey_stage == 'decision' && touch.persona != ''", Eng),
    ("rep.capacity_per_day * 1000000000000 > lead.employees", Rout),
    ("rep.region == lead.region && rep.vertical == ''", Rout),
    // Not lowered: on the cel path.
    ("[lead.region, account.region].exists(r, r == 'EMEA')", Stage),
    ("lead.region + account.region == 'NAEMEA'", Stage),
    ("lead.region in [account.region, 'NA']", Stage),
    ("lead.created_at > timestamp('2025-04-01T00:00:00.5Z')", Stage),
    ("has(lead.email) && lead.title != ''", Stage),
];

/// How many of [`EXTRA`] are lowered (the rest are on the cel path).
const EXTRA_LOWERED: usize = 45;

fn extra(a: &Agreement) -> Vec<Expr> {
    let vocab = vocab(a);
    EXTRA
        .iter()
        .map(|(src, kind)| {
            Expr::compile(src, *kind, &vocab).unwrap_or_else(|e| panic!("{src}: {e:?}"))
        })
        .collect()
}

fn lowered(e: &Expr) -> bool {
    matches!(e.lowered(), Lowered::Fast(_))
}

#[test]
fn every_starter_rule_is_lowered() {
    let a = starter();
    let rules: Vec<&Expr> = a.rules().collect();
    assert_eq!(
        rules.len(),
        8 + 4 + 5 + 1 + 4,
        "stages, personas, fit, engagement, routing"
    );
    for r in rules {
        assert!(lowered(r), "{}: {:?}", r.source(), r.lowered());
    }
}

#[test]
fn extra_rules_lower_up_to_the_fallbacks() {
    let a = starter();
    for (i, e) in extra(&a).iter().enumerate() {
        assert_eq!(
            lowered(e),
            i < EXTRA_LOWERED,
            "{}: {:?}",
            e.source(),
            e.lowered()
        );
    }
}

#[test]
fn the_repo_agreements_rules_are_lowered() {
    // Every valid rule the CLI's test agreements use (grep `when =`).
    let a = starter();
    let vocab = vocab(&a);
    for (src, kind) in [
        ("true", Stage),
        (
            "lead.score >= mql_threshold && lead.seniority != 'student'",
            Stage,
        ),
        (
            "event.kind == 'rejected' && event.reason == 'student'",
            Stage,
        ),
        (
            "lead.employees >= 200 && lead.persona == 'executive_buyer'",
            RuleKind::Fit,
        ),
        ("touch.kind == 'demo_request'", Eng),
        ("account.named && rep.id == account.owner_rep_id", Rout),
        ("rep.region == lead.region", Rout),
    ] {
        let e = Expr::compile(src, kind, &vocab).unwrap();
        assert!(lowered(&e), "{src}: {:?}", e.lowered());
    }
}

#[test]
fn reads_names_the_variables() {
    let a = starter();
    let mql = &a.stage("mql").unwrap().when;
    assert!(mql.reads(Var::Lead) && mql.reads(Var::MqlThreshold));
    assert!(!mql.reads_now() && !mql.reads(Var::Account) && !mql.reads(Var::Event));
    let e = Expr::compile(EXTRA[41].0, Eng, &vocab(&a)).unwrap();
    assert!(e.reads_now() && e.reads(Var::Touch) && !e.reads(Var::Lead));
}

const NOW: i64 = 1_760_000_000; // 2025-10-09T08:53:20Z

/// Evaluates `src` (a stage criterion) on a lead with `set` applied, at NOW.
fn run(src: &str, set: &[(&str, Value)]) -> Result<bool, String> {
    let a = starter();
    let e = Expr::compile(src, Stage, &vocab(&a)).unwrap();
    assert!(lowered(&e), "{src}: {:?}", e.lowered());
    let mut lead = Record::new(&LEAD);
    for (f, v) in set {
        lead.set(f, v.clone()).unwrap();
    }
    let b = Bindings {
        lead: Some(&lead),
        now: NOW,
        ..Bindings::default()
    };
    e.test(&b, 60).map_err(|e| e.message)
}

#[test]
fn hand_worked_results() {
    use Value::*;
    let big = || ("employees", Int(i64::MAX));
    let overflow = Err("`add` overflows".to_string());
    assert_eq!(run("lead.employees + 1 > 0", &[big()]), overflow);
    // Short circuits: the left side decides, or the right one forgives an error.
    assert_eq!(
        run("lead.employees > 0 || lead.employees + 1 > 0", &[big()]),
        Ok(true)
    );
    assert_eq!(run("lead.employees + 1 > 0 || true", &[big()]), Ok(true));
    assert_eq!(run("lead.employees + 1 > 0 || false", &[big()]), overflow);
    assert_eq!(run("false || lead.employees + 1 > 0", &[big()]), overflow);
    assert_eq!(run("false && lead.employees + 1 > 0", &[big()]), Ok(false));
    assert_eq!(run("lead.employees + 1 > 0 && false", &[big()]), Ok(false));
    assert_eq!(
        run("-lead.employees < 0", &[("employees", Int(i64::MIN))]),
        Err("`negate` overflows".into())
    );
    assert_eq!(
        run("lead.employees / lead.score > 1", &[]),
        Err("it divides by zero".into())
    );
    assert_eq!(
        run("lead.employees % lead.score > 1", &[]),
        Err("it takes a remainder by zero".into())
    );
    assert_eq!(
        run("lead.score >= mql_threshold", &[("score", Int(60))]),
        Ok(true)
    );
    assert_eq!(
        run("lead.score >= mql_threshold", &[("score", Int(59))]),
        Ok(false)
    );
    // 30 days are 2,592,000 s: 31 days before NOW is older, 29 days is not.
    let days = |d: i64| ("created_at", Timestamp(NOW - d * 86_400));
    assert_eq!(
        run("now - lead.created_at > duration('720h')", &[days(31)]),
        Ok(true)
    );
    assert_eq!(
        run("now - lead.created_at > duration('720h')", &[days(29)]),
        Ok(false)
    );
    assert_eq!(
        run("lead.created_at + duration('24h') < now", &[days(2)]),
        Ok(true)
    );
    assert_eq!(
        run("lead.created_at + duration('24h') < now", &[days(0)]),
        Ok(false)
    );
    // A duration is at most ~292 years: from year 1 to now overflows.
    let year1 = || ("created_at", Timestamp(-62_135_596_800));
    assert_eq!(
        run("now - lead.created_at > duration('1h')", &[year1()]),
        Err("`sub` overflows".into())
    );
    assert_eq!(
        run("lead.created_at - duration('1s') < now", &[year1()]),
        Err("`sub` overflows".into())
    );
    // 2025-04-01T00:00:00Z is 1,743,465,600.
    let at = |t: i64| ("created_at", Timestamp(t));
    let april = "lead.created_at >= timestamp('2025-04-01T00:00:00Z')";
    assert_eq!(run(april, &[at(1_743_465_600)]), Ok(true));
    assert_eq!(run(april, &[at(1_743_465_599)]), Ok(false));
    // The same instant two hours east.
    let noon = "lead.created_at < timestamp('2025-04-01T12:00:00+02:00')";
    assert_eq!(run(noon, &[at(1_743_465_600 + 10 * 3600 - 1)]), Ok(true));
    assert_eq!(run(noon, &[at(1_743_465_600 + 10 * 3600)]), Ok(false));
    // Characters, not bytes.
    assert_eq!(
        run("size(lead.title) == 3", &[("title", String("été".into()))]),
        Ok(true)
    );
    let cfo = "lead.title.matches('(?i)(cfo|financ)')";
    assert_eq!(
        run(cfo, &[("title", String("Head of Finance".into()))]),
        Ok(true)
    );
    assert_eq!(run(cfo, &[("title", String("CTO".into()))]), Ok(false));
    let listed = "lead.region in ['NA', 'EMEA']";
    assert_eq!(run(listed, &[("region", String("EMEA".into()))]), Ok(true));
    assert_eq!(run(listed, &[("region", String("".into()))]), Ok(false));
    assert_eq!(
        run("lead.employees in [0.0, 200.0]", &[("employees", Int(200))]),
        Ok(true)
    );
}

#[test]
fn an_absent_record_reads_as_zero_values() {
    // No lead, no account: employees 0, title '', free_mail false.
    let a = starter();
    let e = Expr::compile(
        "lead.employees == 0 && lead.title == '' && !account.named",
        Stage,
        &vocab(&a),
    )
    .unwrap();
    assert_eq!(e.test(&Bindings::default(), 60), Ok(true));
}

#[test]
fn eval_bool_agrees_with_test_and_falls_back() {
    let a = starter();
    let ev = a.evaluator();
    let e = Expr::compile(EXTRA[EXTRA_LOWERED].0, Stage, &vocab(&a)).unwrap();
    assert!(matches!(e.lowered(), Lowered::Fallback(r) if r.contains("comprehension")));
    let mut account = Record::new(&ACCOUNT);
    account.set("region", Value::String("EMEA".into())).unwrap();
    let b = Bindings {
        account: Some(&account),
        ..Bindings::default()
    };
    assert_eq!(ev.eval_bool(&e, &b), Ok(true));
    assert_eq!(e.test(&b, 60), Ok(true));
    assert_eq!(e.test(&Bindings::default(), 60), Ok(false));
}

// --- the differential property ---------------------------------------------

const STRINGS: &[&str] = &[
    "",
    "NA",
    "EMEA",
    "é",
    "Head of Finance",
    "CTO",
    "ceo@x.com",
    "VP Sales",
    "a@gmail.com",
    "x",
];

fn edge_ints() -> impl Strategy<Value = i64> {
    prop_oneof![
        prop::sample::select(vec![
            0,
            1,
            -1,
            2,
            59,
            60,
            61,
            199,
            200,
            201,
            i64::MAX,
            i64::MIN,
            3_037_000_500
        ]),
        any::<i64>(),
        -1000i64..1000,
    ]
}

fn edge_times() -> impl Strategy<Value = i64> {
    prop_oneof![
        prop::sample::select(vec![
            0,
            NOW,
            NOW - 2_592_000,
            NOW - 2_592_001,
            NOW - 86_400,
            1_743_465_600,
            -62_135_596_800,
            -62_135_596_801,
            253_402_300_799,
            253_402_300_800,
            i64::MAX,
            i64::MIN,
            9_000_000_000_000,
        ]),
        NOW - 40_000_000..NOW + 1_000_000,
        any::<i64>(),
    ]
}

fn value(field: &Field, vocab: &Vocabularies) -> BoxedStrategy<Value> {
    match field.ty {
        FieldType::Bool => any::<bool>().prop_map(Value::Bool).boxed(),
        FieldType::Int => edge_ints().prop_map(Value::Int).boxed(),
        FieldType::Double => prop_oneof![
            prop::sample::select(vec![
                0.0,
                -0.0,
                100.0,
                1e6,
                1000.0,
                f64::NAN,
                f64::INFINITY,
                200.0
            ]),
            any::<f64>(),
        ]
        .prop_map(Value::Double)
        .boxed(),
        FieldType::Timestamp => edge_times().prop_map(Value::Timestamp).boxed(),
        FieldType::String => {
            let mut words: Vec<String> = STRINGS.iter().map(|s| s.to_string()).collect();
            if let Some((_, list)) = vocab.values(field.vocab) {
                words.extend(list.iter().map(|s| s.to_string()));
            }
            prop_oneof![prop::sample::select(words), "[a-zA-Z@. é]{0,12}"]
                .prop_map(Value::String)
                .boxed()
        }
    }
}

fn record(object: &'static Object, vocab: &Vocabularies) -> impl Strategy<Value = Record> {
    let fields: Vec<BoxedStrategy<Value>> = object.fields.iter().map(|f| value(f, vocab)).collect();
    fields.prop_map(move |values| {
        let mut r = Record::new(object);
        for (f, v) in object.fields.iter().zip(values) {
            r.set(f.name, v).unwrap();
        }
        r
    })
}

struct World {
    records: Vec<Record>,
    absent: Vec<bool>,
    now: i64,
    mql: i64,
}

fn world(vocab: Vocabularies) -> impl Strategy<Value = World> {
    let records: Vec<_> = OBJECTS.iter().map(|o| record(o, &vocab)).collect();
    (
        records,
        prop::collection::vec(prop::bool::weighted(0.1), 5),
        edge_times(),
        edge_ints(),
    )
        .prop_map(|(records, absent, now, mql)| World {
            records,
            absent,
            now,
            mql,
        })
}

impl std::fmt::Debug for World {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        for (r, absent) in self.records.iter().zip(&self.absent) {
            if !absent {
                let values: Vec<_> = r.object().fields.iter().map(|x| r.get(x.name)).collect();
                writeln!(f, "{}: {values:?}", r.object().name)?;
            }
        }
        write!(f, "now {} mql {}", self.now, self.mql)
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(600))]
    #[test]
    fn lowered_rules_agree_with_cel(w in world(vocab(&starter()))) {
        thread_local! {
            static RULES: Vec<Expr> = {
                let a = starter();
                let mut rules: Vec<Expr> = a.rules().cloned().collect();
                rules.extend(extra(&a));
                rules
            };
        }
        let some = |i: usize| (!w.absent[i]).then(|| &w.records[i]);
        let b = Bindings {
            lead: some(0),
            account: some(1),
            touch: some(2),
            rep: some(3),
            event: some(4),
            now: w.now,
        };
        RULES.with(|rules| {
            for r in rules {
                prop_assert_eq!(r.test(&b, w.mql), r.test_cel(&b, w.mql), "{}", r.source());
            }
            Ok(())
        })?;
    }
}

#[test]
fn a_conjunct_pins_a_field_to_one_text() {
    // The named account's owner is R7: the starter's first routing rule
    // can hold for R7 alone, whatever else it reads.
    let a = starter();
    let mut account = Record::new(&ACCOUNT);
    account
        .set("owner_rep_id", Value::String("R7".into()))
        .unwrap();
    let b = Bindings {
        account: Some(&account),
        now: NOW,
        ..Bindings::default()
    };
    let pin = |src: &str| {
        let e = Expr::compile(src, RuleKind::Routing, &vocab(&a)).unwrap();
        assert!(lowered(&e), "{src}");
        e.pinned(Var::Rep, "id", &b, 60)
    };
    let r7 = Some("R7".to_string());
    assert_eq!(pin("account.named && rep.id == account.owner_rep_id"), r7);
    assert_eq!(
        pin("account.owner_rep_id == rep.id && rep.capacity_per_day > 1"),
        r7
    );
    assert_eq!(pin("'R2' == rep.id"), Some("R2".into()));
    // Not a pin: another operator, under `||`, a side that reads the rep,
    // another field.
    assert_eq!(pin("rep.id != account.owner_rep_id"), None);
    assert_eq!(
        pin("rep.id == account.owner_rep_id || rep.region == 'NA'"),
        None
    );
    assert_eq!(pin("rep.id == rep.region"), None);
    assert_eq!(pin("rep.region == 'NA'"), None);
    // A field of another record is pinned the same way.
    let e = Expr::compile(
        "account.owner_rep_id == 'R7'",
        RuleKind::Routing,
        &vocab(&a),
    )
    .unwrap();
    assert_eq!(e.pinned(Var::Account, "owner_rep_id", &b, 60), r7);
    assert_eq!(e.pinned(Var::Account, "employees", &b, 60), None);
}
