//! Reports on small hand-built logs, and properties over generated ones.

// Amounts in cents are written dollars_cents (`10_000_00` is $10,000.00).
#![allow(clippy::inconsistent_digit_grouping)]

use accord_core::domain::*;
use accord_core::event::*;
use proptest::prelude::*;

use crate::table::Value;
use crate::*;

pub(crate) const DAY: i64 = 86_400;
pub(crate) const HOUR: i64 = 3_600;
/// 2025-04-01T00:00:00Z
const T0: i64 = 1_743_465_600;

pub(crate) fn ts(offset: i64) -> Timestamp {
    Timestamp::from_unix_seconds(T0 + offset)
}

pub(crate) fn account(id: &str) -> Event {
    Event::AccountRecorded(Account {
        id: AccountId::parse(id).unwrap(),
        name: Text::parse("Northwind").unwrap(),
        domain: Domain::parse(&format!("{}.example.com", id.to_lowercase())).unwrap(),
        industry: Industry::Software,
        employees: None,
        annual_revenue: None,
        country: Country::parse("GB").unwrap(),
        region: Region::Emea,
        tier: Tier::Smb,
        owner_rep: None,
        created_at: ts(-400 * DAY),
    })
}

pub(crate) fn rep(id: &str) -> Event {
    Event::RepRecorded(Rep {
        id: RepId::parse(id).unwrap(),
        name: Text::parse("Kenji, \"K\" Sato").unwrap(),
        email: Email::parse("kenji@example.com").unwrap(),
        team: Team::Ae,
        region: Region::Emea,
        vertical: None,
        manager: None,
        capacity_per_day: 5,
        hired_at: ts(-400 * DAY),
    })
}

pub(crate) fn campaign(id: &str, cost_cents: i64) -> Event {
    Event::CampaignRecorded(Campaign {
        id: CampaignId::parse(id).unwrap(),
        name: Text::parse("Spring").unwrap(),
        channel: Channel::Webinar,
        started_at: ts(0),
        ended_at: None,
        cost: Money::from_cents(cost_cents),
    })
}

pub(crate) fn content(id: &str, persona: Persona, stage: JourneyStage) -> Event {
    Event::ContentPublished(Content {
        id: ContentId::parse(id).unwrap(),
        title: Text::parse("Pricing, explained").unwrap(),
        kind: ContentKind::PricingSheet,
        persona: persona.into(),
        journey_stage: stage,
        published_at: ts(-DAY),
        owner_team: OwnerTeam::Marketing,
    })
}

pub(crate) fn lead(id: &str, at: i64, channel: Channel, account: Option<&str>) -> Event {
    Event::LeadCreated(Lead {
        id: LeadId::parse(id).unwrap(),
        email: Email::parse("ana@example.com").unwrap(),
        full_name: None,
        title: None,
        seniority: Seniority::Manager,
        persona: None,
        company_name: None,
        website: None,
        employees_reported: None,
        industry_reported: None,
        country: Country::parse("GB").unwrap(),
        region: Region::Emea,
        source_channel: channel,
        source_campaign: None,
        created_at: ts(at),
        account: account.map(|a| AccountId::parse(a).unwrap()),
    })
}

#[allow(clippy::too_many_arguments)]
pub(crate) fn touch(
    id: &str,
    lead: &str,
    at: i64,
    kind: TouchKind,
    channel: Option<Channel>,
    campaign: Option<&str>,
    content: Option<&str>,
) -> Event {
    Event::Touched(Touch {
        id: TouchId::parse(id).unwrap(),
        lead: LeadId::parse(lead).unwrap(),
        occurred_at: ts(at),
        kind,
        channel,
        campaign: campaign.map(|c| CampaignId::parse(c).unwrap()),
        content: content.map(|c| ContentId::parse(c).unwrap()),
        rep: kind.is_sales().then(|| RepId::parse("R1").unwrap()),
    })
}

pub(crate) fn stage(
    id: &str,
    lead: &str,
    from: Stage,
    to: Stage,
    at: i64,
    rep: Option<&str>,
    reason: Option<RejectionReason>,
) -> Event {
    Event::StageChanged(Transition {
        id: TransitionId::parse(id).unwrap(),
        lead: LeadId::parse(lead).unwrap(),
        from: from.into(),
        to: to.into(),
        occurred_at: ts(at),
        rep: rep.map(|r| RepId::parse(r).unwrap()),
        reason: reason.map(Named::Core),
    })
}

pub(crate) fn opportunity(
    id: &str,
    account: &str,
    lead: Option<&str>,
    at: i64,
    cents: i64,
) -> Event {
    Event::OpportunityCreated(Opportunity {
        id: OpportunityId::parse(id).unwrap(),
        account: AccountId::parse(account).unwrap(),
        primary_lead: lead.map(|l| LeadId::parse(l).unwrap()),
        owner_rep: RepId::parse("R1").unwrap(),
        kind: OpportunityKind::NewBusiness,
        created_at: ts(at),
        amount: Money::from_cents(cents),
    })
}

pub(crate) fn closed(id: &str, won: bool, at: i64) -> Event {
    Event::OpportunityClosed(OpportunityClosed {
        id: OpportunityId::parse(id).unwrap(),
        won: if won { WonOrLost::Won } else { WonOrLost::Lost },
        closed_at: ts(at),
        lost_reason: None,
    })
}

/// Report `name` over `period`, from a [`Live`] built over `p`.
pub(crate) fn report(
    name: &str,
    p: &Projections,
    terms: &ReportTerms,
    period: &Period,
) -> Result<Table, UnknownReport> {
    Live::build(*terms, p.clone()).table(name, period)
}

fn run(name: &str, events: &[Event]) -> Table {
    let p = Projections::from_events(events);
    report(name, &p, &ReportTerms::default(), &Period::ALL).unwrap()
}

pub(crate) fn col<'a>(t: &'a Table, row: usize, name: &str) -> &'a Value {
    &t.rows[row][t
        .column_index(name)
        .unwrap_or_else(|| panic!("no column {name}"))]
}

pub(crate) fn text(t: &Table, row: usize, name: &str) -> String {
    match col(t, row, name) {
        Value::Text(s) => s.clone(),
        other => panic!("{name} is {other:?}"),
    }
}

pub(crate) fn int(t: &Table, row: usize, name: &str) -> i64 {
    match col(t, row, name) {
        Value::Int(i) => *i,
        other => panic!("{name} is {other:?}"),
    }
}

pub(crate) fn num(t: &Table, row: usize, name: &str) -> f64 {
    col(t, row, name)
        .as_f64()
        .unwrap_or_else(|| panic!("{name} is null"))
}

/// A lead that goes lead → mql → sal → sql → opportunity → customer, and one
/// that is rejected, recycled and qualified again.
pub(crate) fn small_log() -> Vec<Event> {
    vec![
        account("A1"),
        rep("R1"),
        campaign("C1", 1_000_00),
        content("K1", Persona::Finance, JourneyStage::Decision),
        lead("L1", 0, Channel::Webinar, Some("A1")),
        lead("L2", DAY, Channel::PaidSearch, Some("A1")),
        touch(
            "T1",
            "L1",
            HOUR,
            TouchKind::WebinarAttended,
            Some(Channel::Webinar),
            Some("C1"),
            Some("K1"),
        ),
        touch(
            "T2",
            "L1",
            2 * HOUR,
            TouchKind::PageView,
            Some(Channel::Direct),
            None,
            None,
        ),
        stage(
            "S1",
            "L1",
            Stage::Lead,
            Stage::Mql,
            10 * HOUR,
            Some("R1"),
            None,
        ),
        touch(
            "T3",
            "L1",
            10 * HOUR + 1800,
            TouchKind::SalesCall,
            None,
            None,
            None,
        ),
        stage(
            "S2",
            "L1",
            Stage::Mql,
            Stage::Sal,
            20 * HOUR,
            Some("R1"),
            None,
        ),
        stage(
            "S3",
            "L1",
            Stage::Sal,
            Stage::Sql,
            2 * DAY,
            Some("R1"),
            None,
        ),
        stage(
            "S4",
            "L1",
            Stage::Sql,
            Stage::Opportunity,
            3 * DAY,
            Some("R1"),
            None,
        ),
        opportunity("O1", "A1", Some("L1"), 3 * DAY, 10_000_00),
        stage(
            "S5",
            "L1",
            Stage::Opportunity,
            Stage::Customer,
            10 * DAY,
            None,
            None,
        ),
        closed("O1", true, 10 * DAY),
        stage(
            "S6",
            "L2",
            Stage::Lead,
            Stage::Mql,
            2 * DAY,
            Some("R1"),
            None,
        ),
        stage(
            "S7",
            "L2",
            Stage::Mql,
            Stage::Recycled,
            5 * DAY,
            Some("R1"),
            Some(RejectionReason::BadTiming),
        ),
        stage(
            "S8",
            "L2",
            Stage::Recycled,
            Stage::Mql,
            40 * DAY,
            None,
            None,
        ),
        touch(
            "T4",
            "L2",
            41 * DAY,
            TouchKind::SalesEmail,
            None,
            None,
            Some("K1"),
        ),
    ]
}

#[test]
fn funnel_counts_leads_reaching_each_stage() {
    let t = run("funnel", &small_log());
    // (all),(all) first, then (all) per channel, then the month rows.
    assert_eq!(text(&t, 0, "cohort_month"), "(all)");
    assert_eq!(text(&t, 0, "source_channel"), "(all)");
    assert_eq!(int(&t, 0, "leads"), 2);
    assert_eq!(int(&t, 0, "mql"), 2);
    assert_eq!(int(&t, 0, "customer"), 1);
    assert_eq!(int(&t, 0, "recycled"), 1);
    assert_eq!(num(&t, 0, "mql_to_sal"), 0.5);
    assert_eq!(text(&t, 1, "source_channel"), "paid_search");
    assert_eq!(text(&t, 3, "cohort_month"), "2025-04");
    assert_eq!(t.rows.len(), 6);
}

#[test]
fn funnel_explain_lists_the_cell() {
    let p = Projections::from_events(&small_log());
    let (t, total) = funnel::explain(
        &p,
        &Period::ALL,
        &funnel::Filter::ALL,
        "2025-04,(all),mql",
        20,
    )
    .unwrap();
    assert_eq!(total, 2);
    assert_eq!(text(&t, 0, "lead_id"), "L1");
    assert!(funnel::explain(&p, &Period::ALL, &funnel::Filter::ALL, "2025-04,(all)", 20).is_err());
}

#[test]
fn velocity_is_fractional_hours_per_step() {
    let t = run("velocity", &small_log());
    assert_eq!(text(&t, 0, "from_stage"), "lead");
    assert_eq!(text(&t, 0, "source_channel"), "(all)");
    assert_eq!(int(&t, 0, "leads"), 2);
    // L1: 10 h, L2: 24 h → mean 17, p50 10 (nearest rank), p90 24.
    assert_eq!(num(&t, 0, "mean_hours"), 17.0);
    assert_eq!(num(&t, 0, "p50_hours"), 10.0);
    assert_eq!(num(&t, 0, "p90_hours"), 24.0);
    assert_eq!(text(&t, 3, "from_stage"), "mql");
    assert_eq!(num(&t, 3, "mean_hours"), 10.0);
}

#[test]
fn sla_followup_windows_end_at_the_next_entry() {
    let t = run("sla_followup", &small_log());
    // 2025-04: S1 (followed up after 30 min, decided in 10 h) and S6 (never,
    // decided after 72 h); 2025-05: S8, followed up after 24 h by a sales e-mail.
    assert_eq!(text(&t, 0, "mql_month"), "2025-04");
    assert_eq!(text(&t, 0, "rep_id"), "(all)");
    assert_eq!(int(&t, 0, "mqls"), 2);
    assert_eq!(int(&t, 0, "followed_up_24h"), 1);
    assert_eq!(int(&t, 0, "never_followed_up"), 1);
    assert_eq!(num(&t, 0, "median_first_touch_minutes"), 30.0);
    assert_eq!(int(&t, 0, "decided_48h"), 1);
    assert_eq!(text(&t, 3, "rep_id"), "(unassigned)");
    assert_eq!(int(&t, 3, "followed_up_24h"), 1);
    assert_eq!(col(&t, 3, "decided_48h_rate"), &Value::Float(0.0));
}

#[test]
fn sla_terms_come_from_the_agreement() {
    let p = Projections::from_events(&small_log());
    let strict = ReportTerms {
        follow_up_hours: 0.25,
        ..ReportTerms::default()
    };
    let t = report("sla_followup", &p, &strict, &Period::ALL).unwrap();
    assert_eq!(int(&t, 0, "followed_up_24h"), 0);
    // The column keeps the contract's name; the table says the real hours.
    assert_eq!(
        describe_terms(&t),
        "follow-up within 0.25 h, decision within 48 h"
    );
    let live = Live::build(strict, p);
    assert_eq!(
        live.table("sla_followup", &Period::ALL).unwrap().terms,
        t.terms
    );
    assert!(live.table("funnel", &Period::ALL).unwrap().terms.is_empty());
}

#[test]
fn sla_marketing_joins_targets() {
    let mut log = small_log();
    log.push(Event::TargetSet(Target {
        region: Region::Emea,
        month: Month::parse("2025-04").unwrap(),
        mql_target: 3,
    }));
    log.push(Event::TargetSet(Target {
        region: Region::Apac,
        month: Month::parse("2025-06").unwrap(),
        mql_target: 1,
    }));
    let t = run("sla_marketing", &log);
    assert_eq!(text(&t, 0, "region"), "APAC");
    assert_eq!(col(&t, 0, "met"), &Value::Bool(false));
    assert_eq!(col(&t, 0, "acceptance_rate"), &Value::Null);
    assert_eq!(text(&t, 1, "month"), "2025-04");
    assert_eq!(int(&t, 1, "mqls"), 2);
    assert_eq!(int(&t, 1, "accepted"), 1);
    assert_eq!(int(&t, 1, "rejected"), 1);
    assert_eq!(col(&t, 2, "mql_target"), &Value::Null);
    assert_eq!(col(&t, 2, "met"), &Value::Null);
}

#[test]
fn attribution_shares_the_amount() {
    let t = run("attribution_campaign", &small_log());
    // Two marketing touches in the window: T1 (C1) first, T2 (no campaign) last.
    assert_eq!(text(&t, 0, "campaign_id"), "(no campaign)");
    assert_eq!(text(&t, 1, "campaign_id"), "C1");
    assert_eq!(col(&t, 1, "first_touch_usd"), &Value::Money(10_000_00));
    assert_eq!(col(&t, 1, "last_touch_usd"), &Value::Money(0));
    assert_eq!(col(&t, 1, "linear_usd"), &Value::Money(5_000_00));
    assert_eq!(col(&t, 1, "u_shaped_usd"), &Value::Money(5_000_00));
    assert_eq!(num(&t, 1, "linear_roi"), 5.0);
    assert_eq!(col(&t, 0, "cost_usd"), &Value::Null);
    let c = run("attribution_channel", &small_log());
    assert_eq!(text(&c, 0, "channel"), "direct");
    assert_eq!(text(&c, 1, "channel"), "webinar");
}

#[test]
fn an_opportunity_without_touches_credits_none() {
    let log = vec![
        account("A1"),
        rep("R1"),
        opportunity("O1", "A1", None, DAY, 123_45),
        closed("O1", true, 2 * DAY),
    ];
    let t = run("attribution_campaign", &log);
    assert_eq!(t.rows.len(), 1);
    assert_eq!(text(&t, 0, "campaign_id"), "(none)");
    assert_eq!(col(&t, 0, "time_decay_usd"), &Value::Money(123_45));
}

#[test]
fn attribution_explain_lists_weights() {
    let p = Projections::from_events(&small_log());
    let (t, outcome) = attribution::explain(&p, &ReportTerms::default(), "O1").unwrap();
    assert_eq!(t.rows.len(), 2);
    assert_eq!(text(&t, 0, "touch_id"), "T1");
    assert_eq!(num(&t, 0, "linear_weight"), 0.5);
    assert_eq!(col(&t, 0, "linear_usd"), &Value::Money(5_000_00));
    assert_eq!(
        outcome,
        "won at 2025-04-11T00:00:00Z: $10,000.00 shared among its touches"
    );
    assert!(attribution::explain(&p, &ReportTerms::default(), "O9").is_err());
    // A live state explains from its own orders, kept batch by batch (the
    // server's first explanation builds nothing): the same weights.
    let mut live = Live::new(ReportTerms::default());
    for e in small_log() {
        live.apply(std::slice::from_ref(&e));
    }
    let (from_live, said) = live
        .explain_opportunity(&ReportTerms::default(), "O1")
        .unwrap();
    assert_eq!(text(&from_live, 0, "touch_id"), "T1");
    assert_eq!(col(&from_live, 0, "linear_usd"), &Value::Money(5_000_00));
    assert_eq!((from_live, said), (t, outcome));
    assert!(live
        .explain_opportunity(&ReportTerms::default(), "O9")
        .is_err());
}

#[test]
fn attribution_explain_credits_nothing_when_nothing_was_won() {
    // O2 (lost) and O3 (open) are created with O1, on the same account, so
    // they have O1's two touches; only a win is revenue.
    let mut log = small_log();
    log.push(opportunity("O2", "A1", None, 3 * DAY, 7_000_00));
    log.push(closed("O2", false, 12 * DAY));
    log.push(opportunity("O3", "A1", None, 3 * DAY, 4_000_00));
    let p = Projections::from_events(&log);
    let terms = ReportTerms::default();
    let (lost, outcome) = attribution::explain(&p, &terms, "O2").unwrap();
    assert_eq!(lost.rows.len(), 2);
    assert_eq!(num(&lost, 0, "linear_weight"), 0.5);
    for model in ["first_touch_usd", "linear_usd", "time_decay_usd"] {
        assert_eq!(col(&lost, 0, model), &Value::Money(0), "{model}");
    }
    assert!(
        outcome.starts_with("lost at 2025-04-13T00:00:00Z: nothing was won"),
        "{outcome}"
    );
    assert!(outcome.contains("$7,000.00"), "{outcome}");
    let (open, outcome) = attribution::explain(&p, &terms, "O3").unwrap();
    assert_eq!(col(&open, 1, "last_touch_usd"), &Value::Money(0));
    assert!(outcome.starts_with("open: not won (yet)"), "{outcome}");
}

#[test]
fn content_counts_uses_and_influence() {
    let t = run("content", &small_log());
    assert_eq!(t.rows.len(), 1);
    assert_eq!(int(&t, 0, "uses"), 2);
    assert_eq!(int(&t, 0, "unique_leads"), 2);
    assert_eq!(int(&t, 0, "sales_uses"), 1);
    assert_eq!(int(&t, 0, "influenced_won"), 1);
    assert_eq!(col(&t, 0, "influenced_won_usd"), &Value::Money(10_000_00));
    let g = run("content_gaps", &small_log());
    assert_eq!(g.rows.len(), 12);
    assert_eq!(text(&g, 0, "persona"), "executive_buyer");
    assert_eq!(text(&g, 0, "journey_stage"), "awareness");
    let finance_decision = (0..12)
        .find(|&r| {
            text(&g, r, "persona") == "finance" && text(&g, r, "journey_stage") == "decision"
        })
        .unwrap();
    assert_eq!(int(&g, finance_decision, "uses"), 2);
}

#[test]
fn leaderboard_rejections_and_kpi() {
    let t = run("leaderboard", &small_log());
    assert_eq!(text(&t, 0, "rep_id"), "R1");
    assert_eq!(col(&t, 0, "won_usd"), &Value::Money(10_000_00));
    assert_eq!(num(&t, 0, "median_cycle_days"), 7.0);
    assert_eq!(num(&t, 0, "win_rate"), 1.0);
    let r = run("rejections", &small_log());
    assert_eq!(r.rows.len(), 1);
    assert_eq!(text(&r, 0, "reason"), "bad_timing");
    assert_eq!(num(&r, 0, "share"), 1.0);
    let k = run("kpi", &small_log());
    assert_eq!(text(&k, 0, "month"), "(all)");
    assert_eq!(int(&k, 0, "mqls"), 3);
    assert_eq!(
        col(&k, 0, "marketing_sourced_pipeline_usd"),
        &Value::Money(10_000_00)
    );
    assert_eq!(k.rows.len(), 3);
}

#[test]
fn a_period_restricts_what_is_counted() {
    let p = Projections::from_events(&small_log());
    let may = Period::from_dates(Some("2025-05-01"), Some("2025-05-31")).unwrap();
    let k = report("kpi", &p, &ReportTerms::default(), &may).unwrap();
    assert_eq!(k.rows.len(), 2);
    assert_eq!(int(&k, 0, "mqls"), 1);
    let f = report("funnel", &p, &ReportTerms::default(), &may).unwrap();
    assert_eq!(int(&f, 0, "leads"), 0);
    assert_eq!(may.describe(), "2025-05-01 to 2025-05-31");
    assert!(Period::from_dates(Some("2025-05-02"), Some("2025-05-01")).is_err());
}

/// Over a period, content's distinct leads are counted across the days in
/// it (a lead using the asset on two days counts once), and velocity's
/// quantiles are the nearest ranks of the steps completed in it (worked out
/// by hand: 3 h and 25 h over 2 and 3 April, the 1 h step of 1 April left out).
#[test]
fn a_period_counts_distinct_leads_and_quantiles_over_its_days() {
    let k1 = Some("K1");
    let page = TouchKind::PageView;
    let log = vec![
        content("K1", Persona::Finance, JourneyStage::Decision),
        lead("L1", 0, Channel::Webinar, None),
        lead("L2", 0, Channel::Webinar, None),
        lead("L3", 2 * DAY, Channel::Webinar, None),
        stage("S1", "L1", Stage::Lead, Stage::Mql, HOUR, None, None),
        stage("S2", "L2", Stage::Lead, Stage::Mql, 25 * HOUR, None, None),
        stage(
            "S3",
            "L3",
            Stage::Lead,
            Stage::Mql,
            2 * DAY + 3 * HOUR,
            None,
            None,
        ),
        touch("T1", "L1", DAY, page, None, None, k1),
        touch("T2", "L1", 2 * DAY, page, None, None, k1),
        touch("T3", "L2", 2 * DAY + HOUR, page, None, None, k1),
        touch("T4", "L1", 40 * DAY, page, None, None, k1),
    ];
    let live = Live::build(ReportTerms::default(), Projections::from_events(&log));
    let period = |f: Option<&str>, t: Option<&str>| Period::from_dates(f, t).unwrap();
    let uses = |p: &Period| {
        let t = live.table("content", p).unwrap();
        (int(&t, 0, "uses"), int(&t, 0, "unique_leads"))
    };
    assert_eq!(uses(&Period::ALL), (4, 2));
    assert_eq!(
        uses(&period(Some("2025-04-02"), Some("2025-04-03"))),
        (3, 2)
    );
    assert_eq!(
        uses(&period(Some("2025-04-02"), Some("2025-04-02"))),
        (1, 1)
    );
    // T2 and T3 on 3 April, T4 on 10 May: three uses by L1 and L2.
    assert_eq!(uses(&period(Some("2025-04-03"), None)), (3, 2));
    assert_eq!(uses(&period(None, Some("2025-04-01"))), (0, 0));
    let days = period(Some("2025-04-02"), Some("2025-04-03"));
    let v = live.table("velocity", &days).unwrap();
    assert_eq!(text(&v, 0, "source_channel"), ALL);
    assert_eq!(int(&v, 0, "leads"), 2);
    assert_eq!(
        [
            num(&v, 0, "p50_hours"),
            num(&v, 0, "p90_hours"),
            num(&v, 0, "mean_hours")
        ],
        [3.0, 25.0, 14.0]
    );
    let all = live.table("velocity", &Period::ALL).unwrap();
    assert_eq!((int(&all, 0, "leads"), num(&all, 0, "p50_hours")), (3, 3.0));
}

#[test]
fn event_order_does_not_matter_for_reports() {
    let log = small_log();
    let mut reversed = log.clone();
    reversed.reverse();
    let a = Projections::from_events(&log);
    let b = Projections::from_events(&reversed);
    for name in REPORTS {
        let ta = report(name, &a, &ReportTerms::default(), &Period::ALL).unwrap();
        let tb = report(name, &b, &ReportTerms::default(), &Period::ALL).unwrap();
        assert_eq!(ta, tb, "{name}");
    }
}

// ---- properties ----------------------------------------------------------

const CHANNELS: [Channel; 3] = [Channel::Webinar, Channel::Email, Channel::Outbound];

/// A random but well-formed log: leads of 3 accounts, random touches, each
/// lead walking a random path of stage changes, opportunities won or lost.
pub(crate) fn arb_log() -> impl Strategy<Value = Vec<Event>> {
    let lead_s = (
        0..120i64,
        0..3usize,
        0..4usize,
        prop::collection::vec(0..3u8, 0..6),
    );
    let touch_s = (0..12usize, 0..150i64, 0..15u8, 0..3usize, 0..3usize);
    let opp_s = (0..3usize, 0..150i64, 1..5_000_000i64, 0..3u8, 0..60i64);
    (
        prop::collection::vec(lead_s, 1..12),
        prop::collection::vec(touch_s, 0..60),
        prop::collection::vec(opp_s, 0..6),
    )
        .prop_map(|(leads, touches, opps)| {
            let mut log = vec![account("A0"), account("A1"), account("A2"), rep("R1")];
            log.push(campaign("C0", 500_00));
            log.push(campaign("C1", 0));
            log.push(content("K0", Persona::Finance, JourneyStage::Awareness));
            let mut s = 0;
            for (i, (day, acc, ch, path)) in leads.iter().enumerate() {
                let id = format!("L{i}");
                let channel = CHANNELS[ch % 3];
                let account = (*acc < 3).then(|| format!("A{acc}"));
                log.push(lead(&id, day * DAY, channel, account.as_deref()));
                let mut at = day * DAY;
                let mut current = Stage::Lead;
                for step in path {
                    at += (i64::from(*step) + 1) * 7 * HOUR;
                    let next = match (current, step) {
                        (Stage::Mql, 1) => Stage::Recycled,
                        (Stage::Mql, 2) => Stage::Disqualified,
                        (Stage::Recycled | Stage::Disqualified, _) => Stage::Mql,
                        (Stage::Customer, _) => break,
                        (c, _) => Stage::from_code(c.code() + 1).unwrap(),
                    };
                    s += 1;
                    let rep = (next != Stage::Mql || s % 2 == 0).then_some("R1");
                    let reason = matches!(next, Stage::Recycled | Stage::Disqualified)
                        .then_some(RejectionReason::NoBudget);
                    log.push(stage(
                        &format!("S{s:03}"),
                        &id,
                        current,
                        next,
                        at,
                        rep,
                        reason,
                    ));
                    current = next;
                }
            }
            for (k, (who, day, kind, camp, cont)) in touches.iter().enumerate() {
                let l = who % leads.len();
                let kind = TouchKind::ALL[usize::from(*kind)];
                let channel = (!kind.is_sales()).then_some(CHANNELS[k % 3]);
                let campaign = ["C0", "C1"]
                    .get(*camp)
                    .copied()
                    .filter(|_| !kind.is_sales());
                let content = (*cont == 0).then_some("K0");
                // Whole days and hours repeat, so ties in time are common.
                log.push(touch(
                    &format!("T{k:03}"),
                    &format!("L{l}"),
                    day * DAY + (k as i64 % 3) * HOUR,
                    kind,
                    channel,
                    campaign,
                    content,
                ));
            }
            for (k, (acc, day, cents, outcome, cycle)) in opps.iter().enumerate() {
                let id = format!("O{k}");
                log.push(opportunity(
                    &id,
                    &format!("A{acc}"),
                    Some("L0"),
                    day * DAY,
                    *cents,
                ));
                if *outcome < 2 {
                    log.push(closed(&id, *outcome == 0, (day + cycle) * DAY));
                }
            }
            log
        })
}

pub(crate) fn terms_strategy() -> impl Strategy<Value = ReportTerms> {
    (1u32..200, 0.5f64..30.0).prop_map(|(lookback_days, half_life_days)| ReportTerms {
        lookback_days,
        half_life_days,
        ..ReportTerms::default()
    })
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(200))]

    /// Under every model each won opportunity's touches share exactly its
    /// amount (weights sum to 1), and each report column adds up to the won
    /// revenue within half a cent per row (every sum is rounded once).
    #[test]
    fn credits_sum_to_the_amount(log in arb_log(), terms in terms_strategy()) {
        let p = Projections::from_events(&log);
        let mut won_cents = 0i64;
        let mut touches = Vec::new();
        for o in 0..p.opps.len() as u32 {
            let i = o as usize;
            if !p.opps.created[i] || p.opps.status[i] != crate::projection::OppStatus::Won {
                continue;
            }
            won_cents += p.opps.amount_cents[o as usize];
            attribution::window_touches(&p, &terms, p.derived(), o, &mut touches);
            attribution::keep_marketing(&p, &mut touches);
            if touches.is_empty() {
                continue;
            }
            let w = attribution::weights(&p, &terms, o, &touches);
            for m in 0..5 {
                let sum: f64 = w.iter().map(|x| x[m]).sum();
                prop_assert!((sum - 1.0).abs() < 1e-9, "model {} sums to {}", m, sum);
            }
        }
        for name in ["attribution_campaign", "attribution_channel"] {
            let t = report(name, &p, &terms, &Period::ALL).unwrap();
            for model in attribution::MODELS {
                let c = t.column_index(&format!("{model}_usd")).unwrap();
                let sum: i64 = t.rows.iter().map(|r| match r[c] { Value::Money(m) => m, _ => 0 }).sum();
                prop_assert!((sum - won_cents).unsigned_abs() <= t.rows.len().div_ceil(2) as u64,
                    "{} {}: {} vs {}", name, model, sum, won_cents);
            }
        }
    }

    /// Within a cohort, the counts never increase along the lifecycle.
    #[test]
    fn funnel_never_widens(log in arb_log()) {
        let t = run("funnel", &log);
        for r in 0..t.rows.len() {
            let counts: Vec<i64> = ["leads", "mql", "sal", "sql", "opportunity", "customer"]
                .iter().map(|c| int(&t, r, c)).collect();
            prop_assert!(counts.windows(2).all(|w| w[0] >= w[1]), "{:?}", counts);
        }
    }

    /// Quantiles and the mean lie between the minimum and the maximum.
    #[test]
    fn velocity_quantiles_are_bounded(log in arb_log()) {
        let t = run("velocity", &log);
        for r in 0..t.rows.len() {
            let (min, max) = (num(&t, r, "min_hours"), num(&t, r, "max_hours"));
            for c in ["p50_hours", "p90_hours", "mean_hours"] {
                let v = num(&t, r, c);
                prop_assert!(min - 1e-9 <= v && v <= max + 1e-9, "{} {} not in [{}, {}]", c, v, min, max);
            }
            prop_assert!(num(&t, r, "p50_hours") <= num(&t, r, "p90_hours"));
        }
    }

    /// Folding the same events in the same order twice gives the same reports.
    #[test]
    fn replay_is_deterministic(log in arb_log(), terms in terms_strategy()) {
        let a = Projections::from_events(&log);
        let b = Projections::from_events(&log);
        for name in REPORTS {
            prop_assert_eq!(
                report(name, &a, &terms, &Period::ALL).unwrap(),
                report(name, &b, &terms, &Period::ALL).unwrap()
            );
        }
    }

    /// Reports kept up to date batch by batch, with the events in any order
    /// and cut anywhere, equal the reports of one build of the same events,
    /// over all time and over periods (a month, a quarter, a span crossing
    /// months, open-ended ones).
    #[test]
    fn live_batches_match_one_build(
        log in arb_log().prop_shuffle(),
        terms in terms_strategy(),
        cuts in prop::collection::vec(0.0f64..1.0, 0..6),
    ) {
        let mut cuts: Vec<usize> = cuts.iter().map(|c| (c * log.len() as f64) as usize).collect();
        cuts.push(0);
        cuts.push(log.len());
        cuts.sort_unstable();
        let mut live = Live::new(terms);
        for w in cuts.windows(2) {
            live.apply(&log[w[0]..w[1]]);
        }
        let built = Live::build(terms, Projections::from_events(&log));
        // The index `won_by` reads, kept with the attribution cells.
        prop_assert_eq!(&live.parts().1.attribution.wins, &built.parts().1.attribution.wins);
        for period in test_periods() {
            for name in REPORTS {
                prop_assert_eq!(
                    live.table(name, &period).unwrap(),
                    built.table(name, &period).unwrap(),
                    "{} over {}", name, period.describe()
                );
            }
        }
    }
}

/// Periods over the generated logs (which start 2025-04-01).
fn test_periods() -> Vec<Period> {
    [
        (None, None),
        (Some("2025-04-01"), Some("2025-04-30")),
        (Some("2025-04-01"), Some("2025-06-30")),
        (Some("2025-04-20"), Some("2025-05-10")),
        (Some("2025-06-15"), Some("2025-07-20")),
        (Some("2025-05-03"), None),
        (None, Some("2025-04-17")),
    ]
    .into_iter()
    .map(|(f, t)| Period::from_dates(f, t).unwrap())
    .collect()
}

/// Every id shape interns to its own index and is found again: direct-address
/// ids (small numbers), large packed numbers, widths that differ only by a
/// leading zero, and ids that do not pack.
#[test]
fn interner_keeps_ids_apart() {
    let ids = [
        "L0000001",
        "L1",
        "L01",
        "L0",
        "AB123",
        "A123",
        "123",
        "L99999999999",
        "L16777216",
        "L16777215",
        "lower-case",
        "X-1",
        "ABC1",
    ];
    let mut interner = crate::projection::Interner::default();
    for (n, id) in ids.iter().enumerate() {
        assert_eq!(interner.intern(id), (n as u32, true), "{id}");
    }
    for (n, id) in ids.iter().enumerate() {
        assert_eq!(interner.intern(id), (n as u32, false), "{id}");
        assert_eq!(interner.get(id), Some(n as u32), "{id}");
        assert_eq!(interner.name(n as u32), *id);
    }
    assert_eq!(interner.get("L2"), None);
    assert_eq!(interner.get("L0000002"), None);
    assert_eq!(interner.get("Q1"), None);
}

#[test]
fn the_definitions_digest_is_a_digest() {
    assert_eq!(DEFINITIONS_DIGEST.len(), 16);
    assert!(DEFINITIONS_DIGEST.chars().all(|c| c.is_ascii_hexdigit()));
    assert_ne!(
        DEFINITIONS_DIGEST, "cbf29ce484222325",
        "FNV of nothing: no sources read"
    );
}

/// A touch that arrives later, exactly at an opportunity's creation (the
/// window includes both ends), or exactly at the start of its window, moves
/// the credit; one a second outside does not.
#[test]
fn live_credits_touches_on_the_window_edges() {
    let terms = ReportTerms::default();
    let base = vec![
        account("A0"),
        rep("R1"),
        campaign("C0", 100_00),
        lead("L1", 0, Channel::Email, Some("A0")),
        opportunity("O1", "A0", Some("L1"), 100 * DAY, 1_000_00),
        closed("O1", true, 120 * DAY),
    ];
    let lookback = i64::from(terms.lookback_days) * DAY;
    for (k, at) in [
        100 * DAY,
        100 * DAY - lookback,
        100 * DAY + 1,
        100 * DAY - lookback - 1,
    ]
    .into_iter()
    .enumerate()
    {
        let t = touch(
            &format!("T{k}"),
            "L1",
            at,
            TouchKind::EmailClick,
            Some(Channel::Email),
            Some("C0"),
            None,
        );
        let mut live = Live::new(terms);
        live.apply(&base);
        live.apply(std::slice::from_ref(&t));
        let mut all = base.clone();
        all.push(t);
        let full = Projections::from_events(&all);
        for name in ["attribution_campaign", "attribution_channel"] {
            let expected = report(name, &full, &terms, &Period::ALL).unwrap();
            assert_eq!(
                live.table(name, &Period::ALL).unwrap(),
                expected,
                "{name}, touch at {at}"
            );
        }
    }
}

#[test]
fn values_from_users_are_quoted_short_and_escaped() {
    assert_eq!(quoted("O000042"), "`O000042`");
    assert_eq!(quoted("a\u{1b}[2Jb"), "`a\\u{1b}[2Jb`");
    let long = "O".repeat(100_000);
    assert_eq!(
        quoted(&long),
        format!("`{}…` (100000 bytes)", "O".repeat(64))
    );
    let p = Projections::from_events(&small_log());
    let err = attribution::explain(&p, &ReportTerms::default(), &long).unwrap_err();
    assert!(err.len() < 120, "{err}");
    assert!(
        funnel::explain(&p, &Period::ALL, &funnel::Filter::ALL, &long, 20)
            .unwrap_err()
            .len()
            < 150
    );
}
