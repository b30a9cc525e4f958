//! Lines per second of `write_event` and `parse_line` on kit-like events
//! (per lead: the lead, 20 touches, 2 stage changes, as `gen.py` writes).
//!
//!     cargo run --release -p accord-wire --example throughput [LEADS]

use std::time::Instant;

use accord_core::domain::*;
use accord_core::event::*;

fn main() {
    let leads: u32 = std::env::args()
        .nth(1)
        .map_or(20_000, |n| n.parse().expect("a number of leads"));
    let events = kit_like(leads);
    let origin = Origin::Imported;

    let mut lines = Vec::with_capacity(events.len());
    let started = Instant::now();
    let mut buf = String::new();
    for e in &events {
        buf.clear();
        accord_wire::write_event(e, &origin, &mut buf);
        lines.push(buf.clone());
    }
    let write = started.elapsed();

    // Writing into one buffer, as export does (no per-line String).
    let mut write_buffered = std::time::Duration::MAX;
    let mut out = String::with_capacity(1 << 21);
    for _ in 0..3 {
        let started = Instant::now();
        for e in &events {
            accord_wire::write_event(e, &origin, &mut out);
            out.push('\n');
            if out.len() > 1 << 20 {
                out.clear();
            }
        }
        write_buffered = write_buffered.min(started.elapsed());
    }

    // The best of three rounds: the machine is shared.
    let mut parse = std::time::Duration::MAX;
    for _ in 0..3 {
        let started = Instant::now();
        let mut parsed = 0usize;
        for line in &lines {
            if matches!(
                accord_wire::parse_line(line),
                Ok(accord_wire::Input::Event(_))
            ) {
                parsed += 1;
            }
        }
        parse = parse.min(started.elapsed());
        assert_eq!(parsed, events.len(), "every line parses");
    }

    let bytes: usize = lines.iter().map(|l| l.len() + 1).sum();
    let n = events.len() as f64;
    println!(
        "{} events ({} leads), {:.0} bytes a line on average",
        events.len(),
        leads,
        bytes as f64 / n
    );
    println!(
        "write_event: {:>10.0} lines/s (a String per line), {:.0} lines/s into one buffer",
        n / write.as_secs_f64(),
        n / write_buffered.as_secs_f64()
    );
    println!(
        "parse_line:  {:>10.0} lines/s, {:.0} MB/s",
        n / parse.as_secs_f64(),
        bytes as f64 / parse.as_secs_f64() / 1e6
    );
}

/// A lead with a kit's fields, 20 marketing and sales touches, 2 transitions.
fn kit_like(leads: u32) -> Vec<Event> {
    let t0 = Timestamp::parse("2025-04-01T00:00:00Z").unwrap();
    let mut out = Vec::with_capacity(leads as usize * 23);
    let (mut touch, mut transition) = (0u64, 0u64);
    for i in 0..leads {
        let lead = LeadId::parse(&format!("L{:07}", i + 1)).unwrap();
        let created = t0.plus_seconds(i64::from(i) * 97);
        out.push(Event::LeadCreated(Lead {
            id: lead.clone(),
            email: Email::parse(&format!("ana.garcia{i}@northwind.co.uk")).unwrap(),
            full_name: Some(Text::parse("Ana García").unwrap()),
            title: Some(Text::parse("VP Operations").unwrap()),
            seniority: Seniority::Vp,
            persona: Some(Named::Core(Persona::ExecutiveBuyer)),
            company_name: Some(Text::parse("Northwind Traders, Ltd").unwrap()),
            website: Some(Text::parse("northwind.co.uk").unwrap()),
            employees_reported: Some(800),
            industry_reported: Some(Industry::Logistics),
            country: Country::parse("GB").unwrap(),
            region: Region::Emea,
            source_channel: Channel::Webinar,
            source_campaign: Some(CampaignId::parse("C0001").unwrap()),
            created_at: created,
            account: Some(AccountId::parse("A000001").unwrap()),
        }));
        for k in 0..20u32 {
            touch += 1;
            let sales = k % 7 == 6;
            out.push(Event::Touched(Touch {
                id: TouchId::parse(&format!("T{touch:08}")).unwrap(),
                lead: lead.clone(),
                occurred_at: created.plus_seconds(i64::from(k) * 3_600),
                kind: if sales {
                    TouchKind::SalesCall
                } else {
                    TouchKind::PageView
                },
                channel: (!sales).then_some(Channel::OrganicSearch),
                campaign: (k % 3 == 0).then(|| CampaignId::parse("C0002").unwrap()),
                content: (k % 4 == 0).then(|| ContentId::parse("K0001").unwrap()),
                rep: sales.then(|| RepId::parse("R0002").unwrap()),
            }));
        }
        for (from, to) in [(Stage::Lead, Stage::Mql), (Stage::Mql, Stage::Sal)] {
            transition += 1;
            out.push(Event::StageChanged(Transition {
                id: TransitionId::parse(&format!("S{transition:08}")).unwrap(),
                lead: lead.clone(),
                from: from.into(),
                to: to.into(),
                occurred_at: created.plus_seconds(90_000),
                rep: Some(RepId::parse("R0002").unwrap()),
                reason: None,
            }));
        }
    }
    out
}
