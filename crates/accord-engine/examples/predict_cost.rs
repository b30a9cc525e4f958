//! The engine's time per event with a given agreement in force, in
//! process: what a rule reading `lead.predicted` costs (compare an
//! agreement with such a rule against one without, on a database with a
//! model adopted).
//!
//!   cargo run --release --example predict_cost -- DB LINES [AGREEMENT.toml]
//!
//! Loads the engine from DB, puts AGREEMENT in force (else keeps the one
//! in force), parses LINES (wire events, as `accord ingest` reads them)
//! and times `check` + `apply` + `judge` (its decisions applied) of each
//! event, nothing stored; prints the total and the time per event. With a
//! model in use, then times the prediction alone of the leads LINES
//! created, LOOPS times over (env, default 10).

use std::time::Instant;

use accord_core::event::Origin;
use accord_engine::Quiet;
use accord_store::SqliteStore;
use accord_wire::Input;

fn main() {
    let mut args = std::env::args().skip(1);
    let db = args
        .next()
        .expect("usage: predict_cost DB LINES [AGREEMENT]");
    let lines = args
        .next()
        .expect("usage: predict_cost DB LINES [AGREEMENT]");
    let store = SqliteStore::open_for_reading(std::path::Path::new(&db)).expect("a database");
    let mut engine = accord_engine::live::load(&store, &mut Quiet).expect("the log reads");
    if let Some(path) = args.next() {
        let text = std::fs::read_to_string(&path).expect("the agreement reads");
        let a = accord_core::agreement::parse(&text, &path).expect("a valid agreement");
        let v = engine.agreement().map_or(0, |(v, _)| v) + 1;
        engine.put_in_force(v, a);
    }
    let text = std::fs::read_to_string(&lines).expect("the lines read");
    let events: Vec<_> = text
        .lines()
        .filter_map(|l| match accord_wire::parse_line(l) {
            Ok(Input::Event(e)) => Some(e),
            _ => None,
        })
        .collect();
    let started = Instant::now();
    let (mut refused, mut decisions) = (0usize, 0usize);
    for e in &events {
        if engine.check(e).is_err() {
            refused += 1;
            continue;
        }
        engine.apply(e, &Origin::Ingested);
        for (d, o) in engine.judge(e) {
            engine.apply(&d, &o);
            decisions += 1;
        }
    }
    let s = started.elapsed().as_secs_f64();
    println!(
        "{} events ({refused} refused, {decisions} decisions), model {}: {s:.3} s, {:.2} µs/event",
        events.len(),
        engine
            .model()
            .map_or("none".into(), |m| format!("v{}", m.adoption.model_version)),
        s * 1e6 / events.len() as f64
    );
    // The prediction alone, of the leads created in LINES.
    if let Ok(Some(scorer)) = accord_engine::predict::explain::in_use(&engine) {
        let ids: Vec<&str> = events
            .iter()
            .filter_map(|e| match e {
                accord_core::event::Event::LeadCreated(l) => Some(l.id.as_str()),
                _ => None,
            })
            .collect();
        let started = Instant::now();
        let mut sum = 0.0;
        let loops: usize = std::env::var("LOOPS").map_or(10, |v| v.parse().expect("a number"));
        for _ in 0..loops {
            for id in &ids {
                sum += accord_engine::predict::explain::probability_live(scorer, &engine, id)
                    .unwrap_or(0.0);
            }
        }
        let s = started.elapsed().as_secs_f64();
        println!(
            "{} predictions: {:.2} µs each (mean {:.4})",
            loops * ids.len(),
            s * 1e6 / (loops * ids.len()) as f64,
            sum / (loops * ids.len()) as f64
        );
    }
}
