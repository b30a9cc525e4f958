//! The SLA's tick, in process, on the state of a database (its agreement
//! in force gives the clocks' lengths and escalations).
//!
//!   cargo run --release -p accord-engine --example sla_tick -- DB [MQLS]
//!
//! Loads the engine from DB, then makes MQLS (default 10,000) new leads
//! MQLs at the engine's clock (a lead created and its stage change, sent
//! from outside, owned by a stored rep), and times: a tick with nothing
//! due (repeated 10,000 times: p50, p99; after one tick has fired what the
//! stored state had pending), then one tick past the follow-up deadline,
//! which fires one breach per MQL and its escalations (and whatever else
//! falls due by then).

use std::time::Instant;

use accord_core::domain::*;
use accord_core::event::{Event, Origin, Transition};
use accord_engine::Quiet;
use accord_store::{EventStore, SqliteStore};

fn main() {
    let mut args = std::env::args().skip(1);
    let db = args.next().expect("usage: sla_tick DB [MQLS]");
    let n: usize = args
        .next()
        .map_or(10_000, |s| s.parse().expect("a number of MQLs"));
    let store = SqliteStore::open_for_reading(std::path::Path::new(&db)).expect("a database");
    let started = Instant::now();
    let mut engine = accord_engine::live::load(&store, &mut Quiet).expect("the log reads");
    eprintln!(
        "loaded {} events, {} leads in {:.2} s",
        engine.events(),
        engine.lead_count(),
        started.elapsed().as_secs_f64()
    );
    let Some((_, agreement)) = engine.agreement() else {
        eprintln!("no agreement in force in {db}: adopt one first");
        std::process::exit(2);
    };
    let follow_up = agreement.sla.sales.follow_up.as_seconds() as i64;
    let mut template = None;
    let mut rep = None;
    store
        .scan(&mut |e| match e {
            Event::LeadCreated(l) if template.is_none() => template = Some(l),
            Event::RepRecorded(r) if rep.is_none() && r.capacity_per_day > 0 => rep = Some(r.id),
            _ => {}
        })
        .expect("the log reads");
    let (template, rep) = (template.expect("a lead"), rep.expect("a rep"));
    let now = engine.clock().unix_seconds() + 60;
    let t0 = Instant::now();
    for i in 0..n {
        let mut lead = template.clone();
        lead.id = LeadId::parse(&format!("SLA{i:09}")).expect("an id");
        lead.account = None;
        lead.created_at = Timestamp::from_unix_seconds(now);
        let mql = Event::StageChanged(Transition {
            id: TransitionId::parse(&format!("SLAM{i:09}")).expect("an id"),
            lead: lead.id.clone(),
            from: Named::Core(Stage::Lead),
            to: Named::Core(Stage::Mql),
            occurred_at: Timestamp::from_unix_seconds(now),
            rep: Some(rep.clone()),
            reason: None,
        });
        for e in [Event::LeadCreated(lead), mql] {
            engine.apply(&e, &Origin::Ingested);
        }
    }
    eprintln!(
        "{n} MQLs made in {:.1} ms",
        t0.elapsed().as_secs_f64() * 1e3
    );
    // What the stored state had pending before then fires once; after
    // that, nothing is due before `now + 1` (the new clocks run a day).
    let flushed = engine.tick(Timestamp::from_unix_seconds(now + 1)).len();
    eprintln!("{flushed} firings pending in the stored state fired first");
    let mut times = Vec::with_capacity(10_000);
    for _ in 0..10_000 {
        let t = Instant::now();
        let fired = engine.tick(Timestamp::from_unix_seconds(now + 1));
        times.push(t.elapsed().as_secs_f64() * 1e6);
        assert!(fired.is_empty(), "nothing is due any more");
    }
    times.sort_by(f64::total_cmp);
    let pct = |p: f64| times[((times.len() as f64 * p) as usize).min(times.len() - 1)];
    println!(
        "tick with nothing due: p50 {:.2} µs, p99 {:.2} µs, max {:.2} µs",
        pct(0.5),
        pct(0.99),
        times[times.len() - 1]
    );
    let t = Instant::now();
    let fired = engine.tick(Timestamp::from_unix_seconds(now + follow_up + 1));
    let took = t.elapsed().as_secs_f64() * 1e3;
    let breaches = fired
        .iter()
        .filter(|(e, _)| matches!(e, Event::ClockBreached(_)))
        .count();
    println!(
        "tick past the follow-up deadline: {} firings ({breaches} breaches, {} escalations and others) in {took:.1} ms",
        fired.len(),
        fired.len() - breaches
    );
}
