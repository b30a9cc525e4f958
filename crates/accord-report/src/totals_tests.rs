//! The all-time totals kept beside the day cells: they equal the sum over
//! every day after any sequence of batches (which take contributions back
//! and give them again), and a small case worked out by hand.

use accord_core::domain::*;
use proptest::prelude::*;

use crate::snapshot::ReportCells;
use crate::stats::Multisets;
use crate::table::Value;
use crate::tests::*;
use crate::*;

/// The reports whose all-time tables read a total.
const TOTALED: [&str; 4] = ["velocity", "sla_followup", "content", "content_gaps"];

/// A period holding every day of the generated logs, read from the day
/// cells (the path all time took before the totals; it is pinned against the
/// reference elsewhere).
fn every_day() -> Period {
    Period::from_dates(Some("2000-01-01"), Some("2099-12-31")).unwrap()
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(200))]

    /// After batches cut anywhere in a shuffled log (each batch takes back
    /// the contributions it changes and adds them again), every total gives
    /// the table the day cells give over every day; so do the totals made
    /// from the day cells of a snapshot.
    #[test]
    fn all_time_totals_equal_the_sum_over_every_day(
        log in arb_log().prop_shuffle(),
        terms in terms_strategy(),
        cuts in prop::collection::vec(0.0f64..1.0, 0..6),
    ) {
        let mut cuts: Vec<usize> = cuts.iter().map(|c| (c * log.len() as f64) as usize).collect();
        cuts.extend([0, log.len()]);
        cuts.sort_unstable();
        let mut live = Live::new(terms);
        for w in cuts.windows(2) {
            live.apply(&log[w[0]..w[1]]);
            for name in TOTALED {
                prop_assert_eq!(
                    live.table(name, &Period::ALL).unwrap(),
                    live.table(name, &every_day()).unwrap(),
                    "{}", name
                );
            }
        }
        let read = ReportCells::from_snapshot(&live.to_snapshot().cells, terms).unwrap();
        for name in TOTALED {
            prop_assert_eq!(
                read.table(name, &Period::ALL).unwrap(),
                live.table(name, &every_day()).unwrap(),
                "{} from a snapshot", name
            );
        }
    }

    /// A multiset after any changes (values given and some taken back, in
    /// batches of any size) holds exactly what is left, ascending.
    #[test]
    fn multisets_hold_what_is_left(
        batches in prop::collection::vec(
            prop::collection::vec((0u8..3, -20i64..20, any::<bool>()), 0..40),
            1..8,
        ),
    ) {
        let mut m: Multisets<u8> = Multisets::default();
        let mut naive: Vec<Vec<i64>> = vec![Vec::new(); 3];
        for batch in batches {
            for (key, v, take_back) in batch {
                let held = &mut naive[key as usize];
                if take_back {
                    if let Some(k) = held.iter().position(|&x| x == v) {
                        held.remove(k);
                        m.change(key, v, -1);
                    }
                } else {
                    held.push(v);
                    m.change(key, v, 1);
                }
            }
            m.flush();
            for (key, held) in naive.iter_mut().enumerate() {
                held.sort_unstable();
                prop_assert_eq!(m.get(&(key as u8)), &held[..]);
            }
        }
    }
}

/// Two leads on R1 and one asset: a build, then a batch that gives L2 an
/// earlier follow-up (its first is taken back) and K0 two more uses.
#[test]
fn totals_follow_a_batch_that_takes_back() {
    let first = vec![
        rep("R1"),
        content("K0", Persona::Finance, JourneyStage::Awareness),
        lead("L1", 0, Channel::PaidSearch, None),
        lead("L2", 0, Channel::PaidSearch, None),
        stage(
            "S1",
            "L1",
            Stage::Lead,
            Stage::Mql,
            2 * HOUR,
            Some("R1"),
            None,
        ),
        stage(
            "S2",
            "L2",
            Stage::Lead,
            Stage::Mql,
            5 * HOUR,
            Some("R1"),
            None,
        ),
        touch("T1", "L1", 3 * HOUR, TouchKind::SalesCall, None, None, None),
        touch(
            "T2",
            "L2",
            5 * HOUR + 30 * 60,
            TouchKind::SalesCall,
            None,
            None,
            None,
        ),
        touch(
            "T3",
            "L1",
            DAY + HOUR,
            TouchKind::PageView,
            None,
            None,
            Some("K0"),
        ),
    ];
    let second = vec![
        touch(
            "T4",
            "L2",
            5 * HOUR + 10 * 60,
            TouchKind::SalesEmail,
            None,
            None,
            None,
        ),
        touch(
            "T5",
            "L1",
            2 * DAY,
            TouchKind::PageView,
            None,
            None,
            Some("K0"),
        ),
        touch(
            "T6",
            "L2",
            2 * DAY + HOUR,
            TouchKind::SalesCall,
            None,
            None,
            Some("K0"),
        ),
    ];
    // Built (the totals made from the day cells), then kept current.
    let mut live = Live::build(ReportTerms::default(), Projections::from_events(&first));
    let all = |live: &Live, name| live.table(name, &Period::ALL).unwrap();
    // Follow-ups after 60 and 30 minutes: the nearest-rank median of two is
    // the smaller.
    let f = all(&live, "sla_followup");
    assert_eq!(num(&f, 0, "median_first_touch_minutes"), 30.0);
    live.apply(&second);
    let f = all(&live, "sla_followup");
    assert_eq!(f.rows.len(), 2);
    for row in 0..2 {
        assert_eq!(text(&f, row, "mql_month"), "2025-04");
        assert_eq!(int(&f, row, "mqls"), 2);
        assert_eq!(int(&f, row, "followed_up_24h"), 2);
        // 60 and 10 minutes now (30 taken back).
        assert_eq!(num(&f, row, "median_first_touch_minutes"), 10.0);
    }
    assert_eq!(text(&f, 0, "rep_id"), "(all)");
    assert_eq!(text(&f, 1, "rep_id"), "R1");
    // lead → mql after 2 and 5 hours.
    let v = all(&live, "velocity");
    assert_eq!(text(&v, 0, "source_channel"), "(all)");
    assert_eq!(int(&v, 0, "leads"), 2);
    for (c, hours) in [
        ("mean_hours", 3.5),
        ("p50_hours", 2.0),
        ("p90_hours", 5.0),
        ("min_hours", 2.0),
        ("max_hours", 5.0),
    ] {
        assert_eq!(num(&v, 0, c), hours, "{c}");
    }
    // K0: T3, T5 (L1 twice) and T6 (L2, a sales kind).
    let c = all(&live, "content");
    assert_eq!(int(&c, 0, "uses"), 3);
    assert_eq!(int(&c, 0, "unique_leads"), 2);
    assert_eq!(int(&c, 0, "sales_uses"), 1);
    assert_eq!(
        col(&c, 0, "last_used_at"),
        &Value::Timestamp(Timestamp::parse("2025-04-03T01:00:00Z").unwrap())
    );
    let g = all(&live, "content_gaps");
    let row = (0..g.rows.len())
        .find(|&r| {
            text(&g, r, "persona") == "finance" && text(&g, r, "journey_stage") == "awareness"
        })
        .unwrap();
    assert_eq!(
        [
            int(&g, row, "assets"),
            int(&g, row, "used_assets"),
            int(&g, row, "uses")
        ],
        [1, 1, 3]
    );
}
