//! Nanoseconds per rule evaluation, the cel path against the lowered one,
//! for each kind of rule in the starter agreement.
//!
//! `cargo run --release -p accord-core --example rule_bench`

use std::hint::black_box;
use std::time::Instant;

use accord_core::agreement::{parse, DEFAULT_AGREEMENT};
use accord_core::expr::{
    Bindings, Evaluator, Expr, Record, Value, ACCOUNT, EVENT, LEAD, REP, TOUCH,
};

/// Eight leads with their account, a touch, a rep and an event each.
fn records(i: usize) -> [Record; 5] {
    let s = |v: &str| Value::String(v.to_string());
    let mut lead = Record::new(&LEAD);
    let titles = ["Chief Technology Officer", "CFO", "Student", "IT manager"];
    let seniorities = ["c_level", "vp", "student", "manager"];
    lead.set("title", s(titles[i % 4])).unwrap();
    lead.set("seniority", s(seniorities[i % 4])).unwrap();
    lead.set("industry", s(["software", "retail"][i % 2]))
        .unwrap();
    lead.set("region", s(["EMEA", "NA"][i % 2])).unwrap();
    lead.set("email", s("someone@example.com")).unwrap();
    lead.set("company_name", s("Example Industries")).unwrap();
    lead.set("employees", Value::Int([50, 500, 200, 0][i % 4]))
        .unwrap();
    lead.set("score", Value::Int([70, 10, 60, 59][i % 4]))
        .unwrap();
    lead.set("free_mail", Value::Bool(i.is_multiple_of(3)))
        .unwrap();
    let mut account = Record::new(&ACCOUNT);
    account
        .set("employees", Value::Int([5000, 0][i % 2]))
        .unwrap();
    account
        .set("named", Value::Bool(i.is_multiple_of(2)))
        .unwrap();
    account.set("owner_rep_id", s("R7")).unwrap();
    let mut touch = Record::new(&TOUCH);
    touch
        .set("journey_stage", s(["decision", "awareness"][i % 2]))
        .unwrap();
    let mut rep = Record::new(&REP);
    rep.set("id", s(["R7", "R8"][i % 2])).unwrap();
    rep.set("region", s("EMEA")).unwrap();
    let mut event = Record::new(&EVENT);
    let kinds = ["accepted", "rejected", "opportunity_lost", "created"];
    event.set("kind", s(kinds[i % 4])).unwrap();
    event
        .set("reason", s(["no_budget", "student"][i % 2]))
        .unwrap();
    [lead, account, touch, rep, event]
}

/// Nanoseconds per call of `eval`, over every rule and every binding, in
/// rounds until a quarter of a second has passed.
fn time(
    rules: &[&Expr],
    bindings: &[Bindings<'_>],
    eval: impl Fn(&Expr, &Bindings<'_>) -> bool,
) -> f64 {
    let mut sum = 0u64;
    let mut calls = 0u64;
    let start = Instant::now();
    while start.elapsed().as_millis() < 250 {
        for _ in 0..16 {
            for b in bindings {
                for r in rules {
                    sum += u64::from(eval(black_box(r), black_box(b)));
                    calls += 1;
                }
            }
        }
    }
    black_box(sum);
    start.elapsed().as_nanos() as f64 / calls as f64
}

fn main() {
    let a = parse(DEFAULT_AGREEMENT, "accord.toml").expect("the starter agreement parses");
    let mql = i64::from(a.mql_threshold());
    let evaluator: Evaluator = a.evaluator();
    let all: Vec<[Record; 5]> = (0..8).map(records).collect();
    let bindings: Vec<Bindings<'_>> = all
        .iter()
        .map(|[lead, account, touch, rep, event]| Bindings {
            lead: Some(lead),
            account: Some(account),
            touch: Some(touch),
            rep: Some(rep),
            event: Some(event),
            now: 1_760_000_000,
        })
        .collect();
    let groups: [(&str, Vec<&Expr>); 5] = [
        ("fit rules", a.scoring.fit.iter().map(|r| &r.when).collect()),
        ("stage criteria", a.stages.iter().map(|s| &s.when).collect()),
        (
            "persona rules",
            a.personas.iter().filter_map(|p| p.when.as_ref()).collect(),
        ),
        (
            "engagement rules",
            a.scoring.engagement.rules.iter().map(|r| &r.when).collect(),
        ),
        (
            "routing rules",
            a.routing.rules.iter().map(|r| &r.when).collect(),
        ),
    ];
    println!(
        "{:<18} {:>5} {:>14} {:>14} {:>12} {:>8}",
        "rules", "count", "cel ns/eval", "cel+records", "lowered", "speedup"
    );
    for (name, rules) in &groups {
        let cel = time(rules, &bindings, |r, b| {
            evaluator.eval_bool_cel(r, b).unwrap()
        });
        let cel_scope = time(rules, &bindings, |r, b| r.test_cel(b, mql).unwrap());
        let fast = time(rules, &bindings, |r, b| r.test(b, mql).unwrap());
        println!(
            "{name:<18} {:>5} {cel:>14.1} {cel_scope:>14.1} {fast:>12.1} {:>7.0}x",
            rules.len(),
            cel / fast
        );
    }
}
