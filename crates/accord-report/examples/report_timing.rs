//! Times the fold of a stored log into projections and each report over it:
//! `cargo run --release -p accord-report --example report_timing -- accord.db`

use std::time::Instant;

use accord_report::{report, Period, Projections, ReportTerms, REPORTS};
use accord_store::{EventStore, SqliteStore};

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let path = std::env::args()
        .nth(1)
        .unwrap_or_else(|| "accord.db".to_owned());
    let store = SqliteStore::open(std::path::Path::new(&path))?;
    scan_only(&store);
    let t = Instant::now();
    let mut p = Projections::default();
    store.scan(&mut |e| p.apply(&e))?;
    println!(
        "fold        {:8.3} s  ({} events)",
        t.elapsed().as_secs_f64(),
        p.events
    );
    let t = Instant::now();
    p.derived();
    println!("derived     {:8.3} s", t.elapsed().as_secs_f64());
    let terms = ReportTerms::default();
    for name in REPORTS {
        let t = Instant::now();
        let table = report(name, &p, &terms, &Period::ALL)?;
        println!(
            "{name:<22}{:8.3} s  ({} rows)",
            t.elapsed().as_secs_f64(),
            table.rows.len()
        );
    }
    Ok(())
}

fn scan_only(store: &SqliteStore) {
    let t = Instant::now();
    let mut n = 0u64;
    store.scan(&mut |_e| n += 1).unwrap();
    println!(
        "scan only   {:8.3} s  ({n} events)",
        t.elapsed().as_secs_f64()
    );
}
