//! The features of a lead: worked by hand, and unchanged by anything the
//! log says happened after the lead's scoring time.

use accord_core::domain::*;
use accord_core::event::{AccountMatch, Event, Lead, MatchedBy, Touch};
use proptest::prelude::*;

use super::features::{Collector, Dataset, Params};
use crate::test_events::{self, moved, touch, IntoEvent, DAY, T0};

fn params() -> Params {
    Params {
        stage: Named::parse("opportunity").unwrap(),
        within_days: 90,
        cutoff_days: 7,
    }
}

/// The shared lead of 40 employees: the hand-worked `employees` cell.
fn lead(id: &str, at: i64) -> Event {
    Lead {
        employees_reported: Some(40),
        ..test_events::lead(id, at)
    }
    .event()
}

fn matched(lead: &str, account: &str, at: i64) -> Event {
    Event::AccountMatched(AccountMatch {
        lead: LeadId::parse(lead).unwrap(),
        account: AccountId::parse(account).unwrap(),
        confidence: 900,
        how: MatchedBy::EmailDomain,
        evidence: Text::parse("example.com").unwrap(),
        matched_at: Timestamp::from_unix_seconds(T0 + at),
    })
}

fn dataset(events: &[Event]) -> Dataset {
    let mut c = Collector::new(params());
    events.iter().for_each(|e| c.apply(e));
    c.finish()
}

/// Every cell as text (NaN ≠ NaN, so frames are compared as shown).
fn cells(d: &Dataset) -> Vec<Vec<String>> {
    (0..d.frame.rows())
        .map(|r| d.frame.columns.iter().map(|c| c.shown(r)).collect())
        .collect()
}

fn cell(d: &Dataset, lead: &str, column: &str) -> String {
    let r = d.leads.iter().position(|l| l == lead).unwrap();
    d.frame.columns[d.frame.index_of(column).unwrap()].shown(r)
}

#[test]
fn features_and_outcomes_by_hand() {
    let events = [
        lead("L1", 0),
        lead("L2", DAY),
        touch("T1", "L1", DAY, TouchKind::PricingPageView).event(),
        touch("T2", "L1", 2 * DAY, TouchKind::SalesCall).event(),
        moved("X1", "L1", 3 * DAY, "lead", "mql").event(),
        // After L1's scoring time (day 7): not a feature, but the outcome.
        touch("T3", "L1", 10 * DAY, TouchKind::PricingPageView).event(),
        moved("X2", "L1", 20 * DAY, "mql", "sal").event(),
        moved("X3", "L1", 30 * DAY, "sal", "sql").event(),
        moved("X4", "L1", 40 * DAY, "sql", "opportunity").event(),
        // L2 reaches sql only; the log runs past its 90 days.
        moved("X5", "L2", 50 * DAY, "lead", "mql").event(),
        lead("L3", 95 * DAY),
        touch("T4", "L3", 95 * DAY, TouchKind::PageView).event(),
    ];
    let d = dataset(&events);
    assert_eq!(d.leads, ["L1", "L2", "L3"]);
    assert_eq!(cell(&d, "L1", "touches_pricing_page_view"), "1");
    assert_eq!(cell(&d, "L1", "touches"), "2");
    assert_eq!(cell(&d, "L1", "sales_touches"), "1");
    assert_eq!(cell(&d, "L1", "hours_to_first_touch"), "24");
    assert_eq!(cell(&d, "L1", "stage_at_cutoff"), "mql");
    assert_eq!(cell(&d, "L2", "touches"), "0");
    assert_eq!(cell(&d, "L2", "hours_to_first_touch"), "");
    assert_eq!(cell(&d, "L2", "stage_at_cutoff"), "lead");
    assert_eq!(cell(&d, "L1", "employees"), "40");
    // 1 Apr 2025 was a Tuesday.
    assert_eq!(cell(&d, "L1", "created_weekday"), "tue");
    // L1 reached it on day 40; L2's window (to day 91) ended before the
    // log's last event (day 95); L3's had not.
    assert_eq!(d.label, [Some(true), Some(false), None]);
}

#[test]
fn a_lead_that_reached_the_stage_before_its_scoring_time_is_left_out() {
    let d = dataset(&[
        lead("L1", 0),
        moved("X1", "L1", DAY, "lead", "opportunity").event(),
        touch("T1", "L1", 200 * DAY, TouchKind::PageView).event(),
    ]);
    assert_eq!(d.label, [None]);
}

/// An event dated after lead `l`'s scoring time (day 7 after creation).
fn later(l: usize, created: i64, what: u8, after: i64, n: usize) -> Event {
    let lead_id = format!("L{l}");
    let at = created + 7 * DAY + 1 + after;
    match what % 3 {
        0 => touch(
            &format!("T9{n}"),
            &lead_id,
            at,
            TouchKind::ALL[usize::from(what) % TouchKind::ALL.len()],
        )
        .event(),
        1 => moved(&format!("X9{n}"), &lead_id, at, "lead", "mql").event(),
        _ => matched(&lead_id, "A1", at),
    }
}

proptest! {
    /// No feature reads past the scoring time: events after every lead's
    /// cut-off, in any order, leave every feature as it was.
    #[test]
    fn later_events_change_no_feature(
        created in proptest::collection::vec(0i64..50 * DAY, 1..6),
        extra in proptest::collection::vec((0usize..6, 0u8..30, 0i64..200 * DAY), 0..30),
        seed in any::<u64>(),
    ) {
        let mut base = Vec::new();
        for (i, &c) in created.iter().enumerate() {
            base.push(lead(&format!("L{i}"), c));
            base.push(touch(&format!("T{i}"), &format!("L{i}"), c + DAY, TouchKind::EmailClick).event());
        }
        let mut more: Vec<Event> = extra
            .iter()
            .enumerate()
            .map(|(n, &(l, what, after))| {
                let l = l % created.len();
                later(l, created[l], what, after, n)
            })
            .collect();
        // A seeded shuffle of the later events.
        let mut s = seed | 1;
        for i in (1..more.len()).rev() {
            s ^= s << 13; s ^= s >> 7; s ^= s << 17;
            more.swap(i, (s % (i as u64 + 1)) as usize);
        }
        let before = dataset(&base);
        base.extend(more);
        let after = dataset(&base);
        prop_assert_eq!(&before.leads, &after.leads);
        prop_assert_eq!(cells(&before), cells(&after));
    }
}

/// The engine fed the same events, as replay feeds it.
fn engine_of(events: &[Event]) -> accord_decide::Engine {
    let mut e = accord_decide::Engine::new();
    for ev in events {
        e.apply(ev, &accord_core::event::Origin::Imported);
    }
    e
}

fn live_cell(e: &accord_decide::Engine, lead: &str, column: &str) -> String {
    let f = super::features::of_engine(e, &params(), lead).unwrap();
    f.columns[f.index_of(column).unwrap()].shown(0)
}

#[test]
fn the_engine_reads_the_same_features_by_hand() {
    let events = [
        lead("L1", 0),
        touch("T1", "L1", DAY, TouchKind::PricingPageView).event(),
        touch("T2", "L1", 2 * DAY, TouchKind::SalesCall).event(),
        moved("X1", "L1", 3 * DAY, "lead", "mql").event(),
        matched("L1", "A1", 8 * DAY),
        touch("T3", "L1", 10 * DAY, TouchKind::PricingPageView).event(),
        moved("X2", "L1", 20 * DAY, "mql", "sal").event(),
    ];
    let e = engine_of(&events);
    assert_eq!(live_cell(&e, "L1", "touches_pricing_page_view"), "1");
    assert_eq!(live_cell(&e, "L1", "touches"), "2");
    assert_eq!(live_cell(&e, "L1", "sales_touches"), "1");
    assert_eq!(live_cell(&e, "L1", "hours_to_first_touch"), "24");
    assert_eq!(live_cell(&e, "L1", "stage_at_cutoff"), "mql");
    assert_eq!(live_cell(&e, "L1", "created_weekday"), "tue");
    // Matched on day 8, after the cut-off: no account.
    assert_eq!(live_cell(&e, "L1", "account_tier"), "");
    assert!(super::features::of_engine(&e, &params(), "L9").is_none());
}

fn account(id: &str, at: i64, tier: Tier) -> Event {
    Event::AccountRecorded(accord_core::event::Account {
        id: AccountId::parse(id).unwrap(),
        name: Text::parse("Acme").unwrap(),
        domain: Domain::parse("acme.example").unwrap(),
        industry: Industry::Software,
        employees: Some(500),
        annual_revenue: None,
        country: Country::parse("GB").unwrap(),
        region: Region::Emea,
        tier,
        owner_rep: None,
        created_at: Timestamp::from_unix_seconds(T0 + at),
    })
}

fn artifact_of(d: &Dataset) -> super::Artifact {
    // Any fitted model will do: the outcome here is made up (every
    // third lead), what is checked is that both paths read the same row.
    let y: Vec<bool> = (0..d.leads.len()).map(|i| i % 3 == 0).collect();
    let model = accord_model::Model::fit(&d.frame, &y, None).unwrap();
    super::Artifact {
        version: 1,
        head: 0,
        stage: "opportunity".into(),
        within_days: 90,
        cutoff_days: 7,
        train_leads: d.leads.len(),
        test_leads: 0,
        train_window: (0, 0),
        test_window: (0, 0),
        train_positives: 0,
        training_seconds: 0.0,
        test: super::MetricsRecord {
            rows: 0,
            positives: 0,
            roc_auc: None,
            pr_auc: None,
            lift_top_decile: None,
        },
        calibration: Vec::new(),
        model,
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(48))]
    /// The live engine's prediction of every lead equals the model applied
    /// to the features training reads from the log (one definition, two
    /// feeders), over random histories with touches, stage changes,
    /// accounts and matches before and after the cut-offs.
    #[test]
    fn the_engine_predicts_what_training_reads(
        leads in proptest::collection::vec((0i64..30 * DAY, any::<bool>(), 0usize..3), 6..14),
        extra in proptest::collection::vec((0usize..14, 0u8..40, 0i64..20 * DAY), 0..60),
    ) {
        let tiers = [Tier::Strategic, Tier::Enterprise, Tier::Smb];
        let mut events = vec![account("A0", 0, Tier::Strategic), account("A1", 5 * DAY, Tier::Smb)];
        for (i, &(c, with_account, tier)) in leads.iter().enumerate() {
            let mut e = lead(&format!("L{i}"), c);
            if let Event::LeadCreated(l) = &mut e {
                if with_account {
                    l.account = Some(AccountId::parse(&format!("B{tier}")).unwrap());
                }
            }
            events.push(e);
        }
        // One key, one event: each account recorded once, each lead
        // matched at most once (as the log holds them).
        for (tier, t) in tiers.iter().enumerate() {
            events.insert(0, account(&format!("B{tier}"), (tier as i64) * 9 * DAY, *t));
        }
        let mut is_matched = vec![false; leads.len()];
        for (n, &(l, what, after)) in extra.iter().enumerate() {
            let l = l % leads.len();
            let id = format!("L{l}");
            let at = leads[l].0 + after;
            if what % 4 == 2 && std::mem::replace(&mut is_matched[l], true) {
                continue;
            }
            events.push(match what % 4 {
                0 => touch(&format!("T{n}"), &id, at, TouchKind::ALL[usize::from(what) % TouchKind::ALL.len()]).event(),
                1 => moved(&format!("X{n}"), &id, at, "lead", ["mql", "sal", "sql"][usize::from(what) % 3]).event(),
                2 => matched(&id, ["A0", "A1"][usize::from(what) % 2], at),
                _ => {
                    Touch {
                        campaign: Some(CampaignId::parse(&format!("C{}", what % 3)).unwrap()),
                        ..touch(&format!("T{n}"), &id, at, TouchKind::EmailClick)
                    }
                    .event()
                }
            });
        }
        let d = dataset(&events);
        let a = artifact_of(&d);
        let e = engine_of(&events);
        let scorer = super::Scorer::new(a.clone()).unwrap();
        let p = a.model.predict(&d.frame).unwrap();
        for (i, id) in d.leads.iter().enumerate() {
            let f = super::features::of_engine(&e, &params(), id).unwrap();
            let row: Vec<String> = f.columns.iter().map(|c| c.shown(0)).collect();
            prop_assert_eq!(&row, &cells(&d)[i]);
            let live = super::explain::probability_live(&scorer, &e, id).unwrap();
            prop_assert_eq!(live.to_bits(), p[i].to_bits(), "lead {}", id);
        }
    }
}
