use proptest::prelude::*;

use super::*;
use crate::tests::{arb_log, terms_strategy};
use crate::{Period, Projections, REPORTS};

/// Every report over all time and over one month.
fn tables_of(table: impl Fn(&str, &Period) -> Table) -> Vec<Table> {
    let april = Period::from_dates(Some("2025-04-01"), Some("2025-04-30")).unwrap();
    let mut all = Vec::new();
    for period in [Period::ALL, april] {
        all.extend(REPORTS.iter().map(|n| table(n, &period)));
    }
    all
}

fn tables(live: &Live) -> Vec<Table> {
    tables_of(|n, period| live.table(n, period).unwrap())
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(100))]

    /// A state read back from its snapshot writes the same bytes, reports
    /// the same tables (as does its cells part alone), and takes the events
    /// after it like the state it was taken from.
    #[test]
    fn a_snapshot_resumes_where_it_was_taken(
        log in arb_log().prop_shuffle(),
        terms in terms_strategy(),
        cut in 0.0f64..1.0,
    ) {
        let cut = (cut * log.len() as f64) as usize;
        let mut live = Live::build(terms, Projections::from_events(&log[..cut]));
        let snap = live.to_snapshot();
        let mut read = Live::from_snapshot(&snap.cells, &snap.bulk, terms).unwrap();
        prop_assert!(read.to_snapshot() == snap);
        prop_assert_eq!(&read.parts().1.attribution.wins, &live.parts().1.attribution.wins);
        prop_assert_eq!(tables(&read), tables(&live));
        let cells = ReportCells::from_snapshot(&snap.cells, terms).unwrap();
        prop_assert_eq!(tables_of(|n, p| cells.table(n, p).unwrap()), tables(&live));
        live.apply(&log[cut..]);
        read.apply(&log[cut..]);
        prop_assert_eq!(tables(&read), tables(&live));
        prop_assert!(read.to_snapshot() == live.to_snapshot());
    }
}

fn sample() -> (ReportTerms, Snapshot) {
    let terms = ReportTerms::default();
    let log = crate::tests::small_log();
    (
        terms,
        Live::build(terms, Projections::from_events(&log)).to_snapshot(),
    )
}

#[test]
fn a_damaged_snapshot_is_an_error_never_a_state() {
    let (terms, snap) = sample();
    let err = |cells: &[u8], bulk: &[u8]| Live::from_snapshot(cells, bulk, terms).err();
    let cells_err = |cells: &[u8]| ReportCells::from_snapshot(cells, terms).err();
    assert_eq!(
        err(b"not one", &snap.bulk),
        Some(SnapshotError::NotASnapshot)
    );
    // The parts swapped: each is told by its own magic.
    assert_eq!(
        err(&snap.bulk, &snap.cells),
        Some(SnapshotError::NotASnapshot)
    );
    for part in [0, 1] {
        let mut flipped = snap.clone();
        let bytes = if part == 0 {
            &mut flipped.cells
        } else {
            &mut flipped.bulk
        };
        let middle = bytes.len() / 2;
        bytes[middle] ^= 0x10;
        assert_eq!(
            err(&flipped.cells, &flipped.bulk),
            Some(SnapshotError::Digest)
        );
    }
    let cut = &snap.cells[..snap.cells.len() - 1];
    assert_eq!(cells_err(cut), Some(SnapshotError::Digest));
    let mut later = snap.cells.clone();
    later[8..12].copy_from_slice(&(FORMAT + 1).to_le_bytes());
    assert_eq!(
        cells_err(&later),
        Some(SnapshotError::Format { found: FORMAT + 1 })
    );
    let other = ReportTerms {
        lookback_days: 30,
        ..terms
    };
    assert_eq!(
        ReportCells::from_snapshot(&snap.cells, other).err(),
        Some(SnapshotError::OtherTerms)
    );
}

#[test]
fn the_bulk_of_one_snapshot_never_joins_the_cells_of_another() {
    let (terms, snap) = sample();
    let log = crate::tests::small_log();
    let fewer = Live::build(terms, Projections::from_events(&log[..log.len() / 2])).to_snapshot();
    assert_eq!(
        Live::from_snapshot(&snap.cells, &fewer.bulk, terms).err(),
        Some(SnapshotError::Unpaired)
    );
}

#[test]
fn a_body_cut_short_under_a_good_digest_names_what_it_was_reading() {
    let (terms, snap) = sample();
    // Re-sealed with a correct digest: the lengths inside still catch it.
    let body = &snap.cells[20..snap.cells.len() - 9];
    let sealed = seal(MAGIC_CELLS, body);
    assert!(matches!(
        ReportCells::from_snapshot(&sealed, terms),
        Err(SnapshotError::Truncated { .. })
    ));
}
