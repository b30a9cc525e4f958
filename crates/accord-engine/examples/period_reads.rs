//! Reports over periods from `Live`'s day cells, in process, on a database.
//!
//!   cargo run --release -p accord-engine --example period_reads -- DB
//!
//! Folds the log of DB (read only), builds `Live` (timed, with the process's
//! RSS before and after), then times every report over a month
//! (2025-11), a quarter (2025-10-01..2025-12-31), arbitrary days
//! (2025-06-03..2025-08-19) and all time: the best and the median of 5
//! reads each, in milliseconds.

use std::time::Instant;

use accord_engine::Quiet;
use accord_report::{Live, Period, REPORTS};
use accord_store::{EventStore, SqliteStore};

/// (current, peak) resident set size in MiB, from /proc/self/status.
fn rss() -> (f64, f64) {
    let status = std::fs::read_to_string("/proc/self/status").unwrap_or_default();
    let field = |name: &str| {
        status
            .lines()
            .find(|l| l.starts_with(name))
            .and_then(|l| l.split_whitespace().nth(1))
            .and_then(|kb| kb.parse::<f64>().ok())
            .map_or(0.0, |kb| kb / 1024.0)
    };
    (field("VmRSS:"), field("VmHWM:"))
}

fn main() {
    let db = std::env::args().nth(1).expect("usage: period_reads DB");
    let store = SqliteStore::open_for_reading(std::path::Path::new(&db)).expect("a database");
    let head = store.head().expect("a head");
    let started = Instant::now();
    let projections = accord_engine::fold_log(&store, head, &mut Quiet).expect("the log reads");
    let folded = started.elapsed();
    let (before, _) = rss();
    let started = Instant::now();
    let live = Live::build(accord_report::ReportTerms::default(), projections);
    let built = started.elapsed();
    let (after, peak) = rss();
    println!(
        "events {}  fold {:.2} s  Live::build {:.2} s  RSS {:.0} MiB before the build, {:.0} MiB after (peak {:.0} MiB)",
        live.projections().events,
        folded.as_secs_f64(),
        built.as_secs_f64(),
        before,
        after,
        peak
    );
    let periods = [
        ("month", Some("2025-11-01"), Some("2025-11-30")),
        ("quarter", Some("2025-10-01"), Some("2025-12-31")),
        ("days", Some("2025-06-03"), Some("2025-08-19")),
        ("all", None, None),
    ];
    print!("{:<22}", "report (best/median ms)");
    for (name, _, _) in &periods {
        print!("{name:>16}");
    }
    println!();
    for report in REPORTS {
        print!("{report:<22}");
        for (_, from, to) in &periods {
            let period = Period::from_dates(*from, *to).expect("dates");
            let mut ms: Vec<f64> = (0..5)
                .map(|_| {
                    let t = Instant::now();
                    let table = live.table(report, &period).expect("a report");
                    std::hint::black_box(table);
                    t.elapsed().as_secs_f64() * 1000.0
                })
                .collect();
            ms.sort_by(f64::total_cmp);
            print!("{:>16}", format!("{:.1}/{:.1}", ms[0], ms[2]));
        }
        println!();
    }
}
