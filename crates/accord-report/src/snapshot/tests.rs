use proptest::prelude::*;

use super::*;
use crate::tests::{arb_log, terms_strategy};
use crate::{Period, Projections, REPORTS};

/// Every report over all time and over one month.
fn tables(live: &Live) -> Vec<crate::Table> {
    let april = Period::from_dates(Some("2025-04-01"), Some("2025-04-30")).unwrap();
    let mut all = Vec::new();
    for period in [Period::ALL, april] {
        all.extend(REPORTS.iter().map(|n| live.table(n, &period).unwrap()));
    }
    all
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(100))]

    /// A state read back from its snapshot writes the same bytes, reports
    /// the same tables, and takes the events after it like the state it was
    /// taken from.
    #[test]
    fn a_snapshot_resumes_where_it_was_taken(
        log in arb_log().prop_shuffle(),
        terms in terms_strategy(),
        cut in 0.0f64..1.0,
    ) {
        let cut = (cut * log.len() as f64) as usize;
        let mut live = Live::build(terms, Projections::from_events(&log[..cut]));
        let bytes = live.to_snapshot();
        let mut read = Live::from_snapshot(&bytes, terms).unwrap();
        prop_assert!(read.to_snapshot() == bytes);
        prop_assert_eq!(tables(&read), tables(&live));
        live.apply(&log[cut..]);
        read.apply(&log[cut..]);
        prop_assert_eq!(tables(&read), tables(&live));
        prop_assert!(read.to_snapshot() == live.to_snapshot());
    }
}

fn sample() -> (ReportTerms, Vec<u8>) {
    let terms = ReportTerms::default();
    let log = crate::tests::small_log();
    (
        terms,
        Live::build(terms, Projections::from_events(&log)).to_snapshot(),
    )
}

#[test]
fn a_damaged_snapshot_is_an_error_never_a_state() {
    let (terms, bytes) = sample();
    let err = |b: &[u8]| Live::from_snapshot(b, terms).err();
    assert_eq!(err(b"not one"), Some(SnapshotError::NotASnapshot));
    let mut flipped = bytes.clone();
    let middle = flipped.len() / 2;
    flipped[middle] ^= 0x10;
    assert_eq!(err(&flipped), Some(SnapshotError::Digest));
    assert_eq!(err(&bytes[..bytes.len() - 1]), Some(SnapshotError::Digest));
    let mut later = bytes.clone();
    later[8..12].copy_from_slice(&(FORMAT + 1).to_le_bytes());
    assert_eq!(
        err(&later),
        Some(SnapshotError::Format { found: FORMAT + 1 })
    );
    let other = ReportTerms {
        lookback_days: 30,
        ..terms
    };
    assert_eq!(
        Live::from_snapshot(&bytes, other).err(),
        Some(SnapshotError::OtherTerms)
    );
}

#[test]
fn a_body_cut_short_under_a_good_digest_names_what_it_was_reading() {
    let (terms, bytes) = sample();
    // Re-sealed with a correct digest: the lengths inside still catch it.
    let body = &bytes[20..bytes.len() - 9];
    let mut sealed = bytes[..12].to_vec();
    sealed.extend_from_slice(&accord_core::event::digest(body).to_le_bytes());
    sealed.extend_from_slice(body);
    assert!(matches!(
        Live::from_snapshot(&sealed, terms),
        Err(SnapshotError::Truncated { .. })
    ));
}
