//! How long every report takes to be up to date again after a batch of new
//! events, on a database that has imported a history.
//!
//!   cargo run --release --example live_update -- DB [BATCHES] [SIZE] [--verify]
//!   cargo run --release --example live_update -- DB [BATCHES] [SIZE] --append
//!
//! Folds the log of DB and builds [`Live`] (the state a running engine keeps),
//! then makes BATCHES (default 5) batches of SIZE (default 1,000) new events
//! that continue the history one hour after its last event: marketing and
//! sales touches of existing leads, stage changes that follow each lead's
//! current stage, and one won opportunity per batch. For each batch it times
//! `Live::apply` and the rendering of all eleven reports. With `--verify` it
//! then folds the log plus every new event from scratch and checks that the
//! full reports equal the live ones (slow on large data). Nothing is written
//! to DB.
//!
//! With `--append` it writes instead: each batch is appended to DB in its own
//! transaction, and the time is measured from the commit until the stored
//! reports of DB are at the new log position, which needs an `accord watch`
//! running on DB (it gives up after 10 s per batch).

use std::time::Instant;

use accord_core::domain::{
    CampaignId, Channel, ContentId, LeadId, OpportunityId, RejectionReason, RepId, Stage,
    Timestamp, TouchId, TouchKind, TransitionId,
};
use accord_core::event::{Event, OpportunityClosed, Touch, Transition, WonOrLost};
use accord_report::projection::{OppStatus, Projections};
use accord_report::{Live, Period, ReportTerms, REPORTS};
use accord_store::{EventStore, SqliteStore};

/// splitmix64: reproducible choices without a dependency.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }
}

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let verify = args.iter().any(|a| a == "--verify");
    let append = args.iter().any(|a| a == "--append");
    let positional: Vec<&String> = args.iter().filter(|a| !a.starts_with("--")).collect();
    let Some(db) = positional.first() else {
        return Err("usage: live_update DB [BATCHES] [SIZE] [--verify]".into());
    };
    let batches: usize = positional.get(1).map_or(Ok(5), |s| s.parse())?;
    let size: usize = positional.get(2).map_or(Ok(1000), |s| s.parse())?;
    let terms = ReportTerms::default();

    let started = Instant::now();
    let store = SqliteStore::create_or_open(std::path::Path::new(db.as_str()))?;
    let mut p = Projections::default();
    store.scan(&mut |e| p.apply(&e))?;
    let folded = started.elapsed();
    let mut stage = current_stages(&p);
    if append {
        return append_batches(store, p, &mut stage, batches, size);
    }
    let history = verify.then(|| p.clone());
    let mut live = Live::build(terms, p);
    println!(
        "{} events folded in {:.2} s, live state built in {:.2} s",
        live.projections().events,
        folded.as_secs_f64(),
        (started.elapsed() - folded).as_secs_f64()
    );

    funnel_timings(&live);

    let mut rng = Rng(7);
    let mut made = Vec::new();
    let mut totals = Vec::new();
    let start = live.projections().as_of.map_or(0, Timestamp::unix_seconds) + 3600;
    for b in 0..batches {
        let batch = make_batch(
            live.projections(),
            &mut stage,
            &mut rng,
            size,
            start + b as i64 * 600,
            b,
        );
        let t0 = Instant::now();
        live.apply(&batch);
        let applied = t0.elapsed();
        let tables: Vec<_> = REPORTS
            .iter()
            .map(|n| live.table(n, &Period::ALL))
            .collect();
        let total = t0.elapsed();
        let rows: usize = tables.iter().flatten().map(|t| t.rows.len()).sum();
        println!(
            "batch {}: {} events, apply {:.1} ms, render 11 reports ({rows} rows) {:.1} ms, total {:.1} ms",
            b + 1,
            batch.len(),
            applied.as_secs_f64() * 1000.0,
            (total - applied).as_secs_f64() * 1000.0,
            total.as_secs_f64() * 1000.0
        );
        totals.push(total.as_secs_f64() * 1000.0);
        made.extend(batch);
    }
    totals.sort_by(f64::total_cmp);
    if let (Some(min), Some(max)) = (totals.first(), totals.last()) {
        println!(
            "up to date after {size} new events: median {:.1} ms (min {min:.1}, max {max:.1}) over {batches} batches",
            totals[totals.len() / 2]
        );
    }

    if let Some(mut full) = history {
        for e in &made {
            full.apply(e);
        }
        let full = Live::build(terms, full);
        let mut differ = Vec::new();
        for name in REPORTS {
            let expected = full.table(name, &Period::ALL)?;
            if !close(&expected, &live.table(name, &Period::ALL)?) {
                differ.push(name);
            }
        }
        if differ.is_empty() {
            println!("verified: every live report equals one build over the log and the batches");
        } else {
            return Err(format!("live reports differ from a full fold: {differ:?}").into());
        }
    }
    Ok(())
}

/// Appends batches to the store and times how long until the stored reports
/// (kept by a running `accord watch`) reflect each one.
fn append_batches(
    mut store: SqliteStore,
    mut p: Projections,
    stage: &mut [Stage],
    batches: usize,
    size: usize,
) -> Result<(), Box<dyn std::error::Error>> {
    use accord_core::event::Batch;
    use accord_store::AppendTx;
    let mut rng = Rng(11);
    let start = p.as_of.map_or(0, Timestamp::unix_seconds) + 7200;
    let mut latencies = Vec::new();
    for b in 0..batches {
        let events = make_batch(&p, stage, &mut rng, size, start + b as i64 * 600, 5000 + b);
        let mut batch = Batch::default();
        for e in &events {
            batch.push(e);
            p.apply(e);
        }
        let mut tx = store.begin()?;
        let outcome = tx.append(&batch)?;
        tx.commit()?;
        let committed = Instant::now();
        let head = store.head()?;
        loop {
            if store.view("report/kpi")?.is_some_and(|(at, _)| at >= head) {
                break;
            }
            if committed.elapsed().as_secs() >= 10 {
                return Err("the stored reports did not move within 10 s: is `accord watch` running on this database?".into());
            }
            std::thread::sleep(std::time::Duration::from_micros(500));
        }
        let ms = committed.elapsed().as_secs_f64() * 1000.0;
        println!(
            "batch {}: {} events appended, stored reports up to date {ms:.1} ms after the commit",
            b + 1,
            outcome.appended
        );
        latencies.push(ms);
    }
    latencies.sort_by(f64::total_cmp);
    if let (Some(min), Some(max)) = (latencies.first(), latencies.last()) {
        println!(
            "stored reports up to date after {size} appended events: median {:.1} ms (min {min:.1}, max {max:.1}) over {batches} batches",
            latencies[latencies.len() / 2]
        );
    }
    Ok(())
}

/// Each lead's stage after its latest transition (in (time, id) order).
fn current_stages(p: &Projections) -> Vec<Stage> {
    let tr = &p.transitions;
    let mut latest: Vec<Option<u32>> = vec![None; p.leads.len()];
    for t in 0..tr.len() as u32 {
        let slot = &mut latest[tr.lead[t as usize] as usize];
        let later = slot.is_none_or(|s| {
            (tr.at[t as usize], tr.ids.get(t)) > (tr.at[s as usize], tr.ids.get(s))
        });
        if later {
            *slot = Some(t);
        }
    }
    latest
        .iter()
        .map(|t| t.map_or(Stage::Lead, |t| tr.to_stage(t)))
        .collect()
}

fn make_batch(
    p: &Projections,
    stage: &mut [Stage],
    rng: &mut Rng,
    size: usize,
    at: i64,
    batch: usize,
) -> Vec<Event> {
    let leads: Vec<u32> = (0..p.leads.len() as u32)
        .filter(|&l| p.leads.is_created(l))
        .collect();
    let rep = |rng: &mut Rng| {
        let r = rng.below(p.reps.ids.len().max(1)) as u32;
        RepId::parse(p.reps.ids.name(r)).expect("stored rep id")
    };
    let time = |k: usize| Timestamp::from_unix_seconds(at + k as i64);
    let mut events = Vec::with_capacity(size);
    // One won opportunity: an open one closes, and its lead becomes a customer.
    if let Some(o) = (0..p.opps.len() as u32)
        .filter(|&o| p.opps.created[o as usize] && p.opps.status[o as usize] == OppStatus::Open)
        .nth(rng.below(64))
    {
        events.push(Event::OpportunityClosed(OpportunityClosed {
            id: OpportunityId::parse(p.opps.ids.name(o)).expect("stored id"),
            won: WonOrLost::Won,
            closed_at: time(0),
            lost_reason: None,
        }));
        let lead = p.opps.primary_lead[o as usize];
        if lead != u32::MAX && stage[lead as usize] == Stage::Opportunity {
            events.push(transition(
                p,
                lead,
                Stage::Opportunity,
                Stage::Customer,
                None,
                time(0),
                batch,
                0,
            ));
            stage[lead as usize] = Stage::Customer;
        }
    }
    let mut k = events.len();
    while events.len() < size {
        k += 1;
        let lead = leads[rng.below(leads.len())];
        let roll = rng.below(100);
        if roll < 15 {
            let next = match stage[lead as usize] {
                Stage::Lead | Stage::Recycled => Stage::Mql,
                Stage::Mql => [Stage::Sal, Stage::Recycled][rng.below(2)],
                Stage::Sal => Stage::Sql,
                _ => continue,
            };
            let rep = matches!(next, Stage::Mql | Stage::Recycled).then(|| rep(rng));
            let from = stage[lead as usize];
            events.push(transition(p, lead, from, next, rep, time(k), batch, k));
            stage[lead as usize] = next;
            continue;
        }
        let sales = roll < 30;
        let kind = if sales {
            [
                TouchKind::SalesCall,
                TouchKind::SalesEmail,
                TouchKind::Meeting,
            ][rng.below(3)]
        } else {
            TouchKind::ALL[rng.below(12)]
        };
        let campaign = (!sales && !p.campaigns.ids.is_empty() && rng.below(2) == 0).then(|| {
            let c = rng.below(p.campaigns.ids.len()) as u32;
            CampaignId::parse(p.campaigns.ids.name(c)).expect("stored id")
        });
        let content = (!p.contents.ids.is_empty() && rng.below(4) == 0).then(|| {
            let c = rng.below(p.contents.ids.len()) as u32;
            ContentId::parse(p.contents.ids.name(c)).expect("stored id")
        });
        events.push(Event::Touched(Touch {
            id: TouchId::parse(&format!("TZ{batch:04}{k:06}")).expect("valid id"),
            lead: LeadId::parse(p.leads.ids.name(lead)).expect("stored id"),
            occurred_at: time(k),
            kind,
            channel: (!sales).then(|| Channel::ALL[rng.below(Channel::ALL.len())]),
            campaign,
            content,
            rep: sales.then(|| rep(rng)),
        }));
    }
    events
}

#[allow(clippy::too_many_arguments)]
fn transition(
    p: &Projections,
    lead: u32,
    from: Stage,
    to: Stage,
    rep: Option<RepId>,
    at: Timestamp,
    batch: usize,
    k: usize,
) -> Event {
    Event::StageChanged(Transition {
        id: TransitionId::parse(&format!("SZ{batch:04}{k:06}")).expect("valid id"),
        lead: LeadId::parse(p.leads.ids.name(lead)).expect("stored id"),
        from: from.into(),
        to: to.into(),
        occurred_at: at,
        reason: (to == Stage::Recycled).then_some(RejectionReason::BadTiming.into()),
        rep,
    })
}

/// Equal tables, up to floating-point summation order: floats within 1e-9
/// relative, money within a cent (the live sums are exact).
fn close(a: &accord_report::Table, b: &accord_report::Table) -> bool {
    use accord_report::Value;
    a.columns == b.columns
        && a.rows.len() == b.rows.len()
        && a.rows.iter().zip(&b.rows).all(|(x, y)| {
            x.iter().zip(y).all(|(u, v)| match (u, v) {
                (Value::Float(p), Value::Float(q)) => (p - q).abs() <= 1e-9 * p.abs().max(1.0),
                (Value::Money(p), Value::Money(q)) => (p - q).abs() <= 1,
                _ => u == v,
            })
        })
}

/// The funnel read from the day cells over all time and over the last
/// quarter of the data, unfiltered and filtered (by region, by region and
/// persona, by all three): each the median of 5 reads.
fn funnel_timings(live: &Live) {
    use accord_report::funnel::Filter;
    let end = live.projections().as_of.map_or(0, Timestamp::unix_seconds);
    let day = |t: i64| Timestamp::from_unix_seconds(t).to_string()[..10].to_owned();
    let quarter =
        Period::from_dates(Some(&day(end - 90 * 86_400)), Some(&day(end))).expect("dates");
    let filters = [
        ("unfiltered", Filter::ALL),
        (
            "region=EMEA",
            Filter::parse(None, Some("EMEA"), None).expect("a region"),
        ),
        (
            "region=EMEA&persona=finance",
            Filter::parse(None, Some("EMEA"), Some("finance")).expect("a persona"),
        ),
        (
            "channel=webinar&region=NA&persona=(none)",
            Filter::parse(Some("webinar"), Some("NA"), Some("(none)")).expect("all three"),
        ),
    ];
    for (what, period) in [("all time", Period::ALL), ("last 90 days", quarter)] {
        for (name, filter) in &filters {
            let mut ms: Vec<f64> = (0..5)
                .map(|_| {
                    let t = Instant::now();
                    let table = live.funnel(&period, filter);
                    std::hint::black_box(table);
                    t.elapsed().as_secs_f64() * 1000.0
                })
                .collect();
            ms.sort_by(f64::total_cmp);
            println!("funnel {what} {name}: median {:.2} ms", ms[2]);
        }
    }
}
