//! The features of a lead: worked by hand, and unchanged by anything the
//! log says happened after the lead's scoring time.

use accord_core::domain::*;
use accord_core::event::{AccountMatch, Event, Lead, MatchedBy, Touch, Transition};
use proptest::prelude::*;

use super::features::{Collector, Dataset, Params};

const T0: i64 = 1_743_465_600;
const DAY: i64 = 86_400;

fn params() -> Params {
    Params {
        stage: Named::parse("opportunity").unwrap(),
        within_days: 90,
        cutoff_days: 7,
    }
}

fn lead(id: &str, at: i64) -> Event {
    Event::LeadCreated(Lead {
        id: LeadId::parse(id).unwrap(),
        email: Email::parse("ana@example.com").unwrap(),
        full_name: None,
        title: None,
        seniority: Seniority::Manager,
        persona: None,
        company_name: None,
        website: None,
        employees_reported: Some(40),
        industry_reported: None,
        country: Country::parse("GB").unwrap(),
        region: Region::Emea,
        source_channel: Channel::PaidSearch,
        source_campaign: None,
        created_at: Timestamp::from_unix_seconds(T0 + at),
        account: None,
    })
}

fn touch(id: &str, lead: &str, at: i64, kind: TouchKind) -> Event {
    Event::Touched(Touch {
        id: TouchId::parse(id).unwrap(),
        lead: LeadId::parse(lead).unwrap(),
        occurred_at: Timestamp::from_unix_seconds(T0 + at),
        kind,
        channel: Some(Channel::Direct),
        campaign: None,
        content: None,
        rep: None,
    })
}

fn stage(id: &str, lead: &str, at: i64, from: &str, to: &str) -> Event {
    Event::StageChanged(Transition {
        id: TransitionId::parse(id).unwrap(),
        lead: LeadId::parse(lead).unwrap(),
        from: Named::parse(from).unwrap(),
        to: Named::parse(to).unwrap(),
        occurred_at: Timestamp::from_unix_seconds(T0 + at),
        rep: None,
        reason: None,
    })
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
        touch("T1", "L1", DAY, TouchKind::PricingPageView),
        touch("T2", "L1", 2 * DAY, TouchKind::SalesCall),
        stage("X1", "L1", 3 * DAY, "lead", "mql"),
        // After L1's scoring time (day 7): not a feature, but the outcome.
        touch("T3", "L1", 10 * DAY, TouchKind::PricingPageView),
        stage("X2", "L1", 20 * DAY, "mql", "sal"),
        stage("X3", "L1", 30 * DAY, "sal", "sql"),
        stage("X4", "L1", 40 * DAY, "sql", "opportunity"),
        // L2 reaches sql only; the log runs past its 90 days.
        stage("X5", "L2", 50 * DAY, "lead", "mql"),
        lead("L3", 95 * DAY),
        touch("T4", "L3", 95 * DAY, TouchKind::PageView),
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
        stage("X1", "L1", DAY, "lead", "opportunity"),
        touch("T1", "L1", 200 * DAY, TouchKind::PageView),
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
        ),
        1 => stage(&format!("X9{n}"), &lead_id, at, "lead", "mql"),
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
            base.push(touch(&format!("T{i}"), &format!("L{i}"), c + DAY, TouchKind::EmailClick));
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
