//! Lead created → scored, matched and routed, in process: the time of
//! `Engine::apply` + `Engine::judge` for new leads, on the state of a
//! database (its agreement in force must route on creation or at MQL).
//!
//!   cargo run --release --example engine_latency -- DB [LEADS]
//!
//! Loads the engine from DB, then creates LEADS (default 20,000) new leads,
//! each a copy of a stored lead under a new id, at the engine's clock, each
//! followed by a demo request (so that a fitting lead becomes an MQL and is
//! routed), and prints the percentiles of the time per lead created (apply
//! and judge of the lead and of its touch), in microseconds.

use std::time::Instant;

use accord_core::domain::{LeadId, Timestamp, TouchId, TouchKind};
use accord_core::event::{Event, Origin, Touch};
use accord_engine::Quiet;
use accord_store::{EventStore, SqliteStore};

fn main() {
    let mut args = std::env::args().skip(1);
    let db = args.next().expect("usage: engine_latency DB [LEADS]");
    let n: usize = args
        .next()
        .map_or(20_000, |s| s.parse().expect("a number of leads"));
    let store = SqliteStore::open_for_reading(std::path::Path::new(&db)).expect("a database");
    let started = Instant::now();
    let mut engine = accord_engine::live::load(&store, &mut Quiet).expect("the log reads");
    eprintln!(
        "loaded {} events, {} leads in {:.2} s; agreement {:?}",
        engine.events(),
        engine.lead_count(),
        started.elapsed().as_secs_f64(),
        engine.agreement().map(|(v, _)| v)
    );
    // Templates: stored leads, read back from the log.
    let mut templates = Vec::new();
    store
        .scan(&mut |e| {
            if let Event::LeadCreated(l) = e {
                if templates.len() < n {
                    templates.push(l);
                }
            }
        })
        .expect("the log reads");
    let now = engine.clock().unix_seconds() + 60;
    let mut times = Vec::with_capacity(n);
    let mut decisions = 0usize;
    for (i, mut lead) in templates.into_iter().cycle().take(n).enumerate() {
        lead.id = LeadId::parse(&format!("LAT{i:09}")).expect("an id");
        lead.account = None;
        lead.created_at = Timestamp::from_unix_seconds(now + i as i64);
        let touch = Event::Touched(Touch {
            id: TouchId::parse(&format!("TLAT{i:09}")).expect("an id"),
            lead: lead.id.clone(),
            occurred_at: lead.created_at,
            kind: TouchKind::DemoRequest,
            channel: None,
            campaign: None,
            content: None,
            rep: None,
        });
        let created = Event::LeadCreated(lead);
        let t = Instant::now();
        for e in [&created, &touch] {
            engine.check(e).expect("a valid event");
            engine.apply(e, &Origin::Ingested);
            decisions += engine.judge(e).len();
        }
        times.push(t.elapsed().as_secs_f64() * 1e6);
    }
    times.sort_by(f64::total_cmp);
    let pct = |p: f64| times[((times.len() as f64 * p) as usize).min(times.len() - 1)];
    println!(
        "{n} leads created, {decisions} decisions: p50 {:.1} µs, p90 {:.1} µs, p99 {:.1} µs, max {:.1} µs",
        pct(0.50),
        pct(0.90),
        pct(0.99),
        times[times.len() - 1]
    );
}
