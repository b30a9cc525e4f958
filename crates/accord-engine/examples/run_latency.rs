//! `accord run`'s step in a process that also takes the inputs (as a
//! server does): per batch of new touches, from the commit of the batch
//! (judged by the runner's engine, its decisions stored with it) to every
//! report stored at the new head, and the whole round (ingest + step).
//!
//!   cargo run --release -p accord-engine --example run_latency -- DB [BATCHES] [SIZE] [LEADS]
//!
//! DB is written to (use a copy). Loads the engine and the reports as
//! `accord run` does ([`Runner::start`]), then BATCHES (default 100) times:
//! SIZE (default 10) pricing-page views on random leads among L0000001 ..
//! LEADS (default: the engine's lead count, ids as the kit numbers them),
//! dated now, through [`Runner::ingest`], then [`Runner::step`] at now.
//! Prints p50 / p99 / max in milliseconds.

use std::time::{Instant, SystemTime, UNIX_EPOCH};

use accord_core::domain::Timestamp;
use accord_engine::run::Runner;
use accord_engine::{AgreementText, Quiet};
use accord_store::SqliteStore;

fn main() {
    let mut args = std::env::args().skip(1);
    let db = args
        .next()
        .expect("usage: run_latency DB [BATCHES] [SIZE] [LEADS]");
    let mut number = |default: usize| {
        args.next()
            .map_or(default, |s| s.parse().expect("a number"))
    };
    let batches = number(100);
    let size = number(10);
    let leads_arg = number(0);
    let mut store =
        SqliteStore::open_existing(std::path::Path::new(&db)).expect("a writable database");
    let started = Instant::now();
    let file = AgreementText::default_agreement();
    let (mut runner, _) = Runner::start(&mut store, &file, true, &mut Quiet).expect("it starts");
    let leads = if leads_arg == 0 {
        runner.engine().lead_count()
    } else {
        leads_arg
    };
    eprintln!(
        "started in {:.2} s: {} events, {} leads, agreement {:?}",
        started.elapsed().as_secs_f64(),
        runner.engine().events(),
        runner.engine().lead_count(),
        runner.engine().agreement().map(|(v, _)| v)
    );
    let mut seed: u64 = 0x2545_F491_4F6C_DD1D;
    let mut random = |n: usize| {
        // xorshift64*: any fixed sequence does.
        seed ^= seed >> 12;
        seed ^= seed << 25;
        seed ^= seed >> 27;
        (seed.wrapping_mul(0x2545_F491_4F6C_DD1D) % n as u64) as usize + 1
    };
    let tag = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .expect("after 1970")
        .as_secs()
        % 100_000;
    let (mut to_stored, mut round, mut decisions) = (Vec::new(), Vec::new(), 0u64);
    for b in 0..batches {
        let now = Timestamp::from_unix_seconds(
            SystemTime::now()
                .duration_since(UNIX_EPOCH)
                .expect("after 1970")
                .as_secs() as i64,
        );
        let lines: Vec<(u64, String)> = (0..size)
            .map(|i| {
                let line = format!(
                    r#"{{"v":1,"type":"touched","touch_id":"TR{tag:05}{b:05}{i:04}","lead_id":"L{:07}","occurred_at":"{now}","kind":"pricing_page_view","channel":"organic_search"}}"#,
                    random(leads)
                );
                (i as u64 + 1, line)
            })
            .collect();
        let t0 = Instant::now();
        let mut committed = None;
        let summary = runner
            .ingest(
                &mut store,
                lines,
                &mut |_, outcome, _| {
                    committed.get_or_insert_with(Instant::now);
                    assert!(!outcome.is_refused(), "{outcome:?}");
                },
                &mut Quiet,
            )
            .expect("the batch is stored");
        let committed = committed.expect("a line reported");
        decisions += summary.decisions;
        let step = runner.step(&mut store, now, &mut Quiet).expect("a step");
        let stored = Instant::now();
        assert!(step.kept.is_some(), "the reports are stored");
        to_stored.push((stored - committed).as_secs_f64() * 1e3);
        round.push((stored - t0).as_secs_f64() * 1e3);
    }
    let show = |name: &str, xs: &mut Vec<f64>| {
        xs.sort_by(f64::total_cmp);
        let pct = |p: f64| xs[((xs.len() - 1) as f64 * p).round() as usize];
        println!(
            "{name}: p50 {:.1} ms, p99 {:.1} ms, max {:.1} ms",
            pct(0.50),
            pct(0.99),
            xs[xs.len() - 1]
        );
    };
    println!("{batches} batches of {size} touches on {leads} leads, {decisions} decisions");
    show("commit -> every report stored", &mut to_stored);
    show("ingest + step (the whole round)", &mut round);
}
