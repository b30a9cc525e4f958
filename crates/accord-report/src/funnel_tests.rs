//! The funnel filtered by channel, region and persona: a case worked out by
//! hand, and filtered counts against a plain count over generated leads.

use std::collections::BTreeMap;

use accord_core::domain::*;
use accord_core::event::*;
use proptest::prelude::*;

use crate::funnel::{Filter, FilterError, PersonaKey};
use crate::snapshot::ReportCells;
use crate::tests::*;
use crate::*;

/// A lead of the given channel, region and persona.
fn lead_of(
    id: &str,
    at: i64,
    channel: Channel,
    region: Region,
    persona: Option<Named<Persona>>,
) -> Event {
    let Event::LeadCreated(mut l) = lead(id, at, channel, None) else {
        unreachable!("lead() makes a lead")
    };
    l.region = region;
    l.persona = persona;
    Event::LeadCreated(l)
}

/// Transitions of `lead` through `stages` in order, one hour apart from `at`.
fn path(lead: &str, at: i64, stages: &[Stage]) -> Vec<Event> {
    let mut from = Stage::Lead;
    let mut out = Vec::new();
    for (i, &to) in stages.iter().enumerate() {
        out.push(stage(
            &format!("S{lead}-{i}"),
            lead,
            from,
            to,
            at + (i as i64 + 1) * HOUR,
            None,
            None,
        ));
        from = to;
    }
    out
}

fn finance() -> Option<Named<Persona>> {
    Some(Named::Core(Persona::Finance))
}

/// Five leads, April and May 2025:
///
/// | lead | channel | region | persona | created | went to |
/// |---|---|---|---|---|---|
/// | L1 | paid_search | EMEA | finance | 04-01 | mql, sal |
/// | L2 | paid_search | NA | finance | 04-02 | mql |
/// | L3 | email | EMEA | finance | 05-01 | — |
/// | L4 | paid_search | EMEA | none | 04-03 | mql, sal, sql |
/// | L5 | paid_search | EMEA | nurture (declared) | 04-05 | mql, disqualified |
fn five_leads() -> Vec<Event> {
    let mut log = vec![
        lead_of("L1", 0, Channel::PaidSearch, Region::Emea, finance()),
        lead_of("L2", DAY, Channel::PaidSearch, Region::Na, finance()),
        lead_of("L3", 30 * DAY, Channel::Email, Region::Emea, finance()),
        lead_of("L4", 2 * DAY, Channel::PaidSearch, Region::Emea, None),
        lead_of(
            "L5",
            4 * DAY,
            Channel::PaidSearch,
            Region::Emea,
            Some(Named::parse("nurture").unwrap()),
        ),
    ];
    log.extend(path("L1", 0, &[Stage::Mql, Stage::Sal]));
    log.extend(path("L2", DAY, &[Stage::Mql]));
    log.extend(path("L4", 2 * DAY, &[Stage::Mql, Stage::Sal, Stage::Sql]));
    log.extend(path("L5", 4 * DAY, &[Stage::Mql, Stage::Disqualified]));
    log
}

/// (cohort_month, source_channel) → leads, mql, sal, sql, opportunity,
/// customer, recycled, disqualified.
type Rows = BTreeMap<(String, String), [i64; 8]>;

const COUNTED: [&str; 8] = [
    "leads",
    "mql",
    "sal",
    "sql",
    "opportunity",
    "customer",
    "recycled",
    "disqualified",
];

fn rows(t: &Table) -> Rows {
    (0..t.rows.len())
        .map(|r| {
            let key = (text(t, r, "cohort_month"), text(t, r, "source_channel"));
            (key, COUNTED.map(|c| int(t, r, c)))
        })
        .collect()
}

fn row(month: &str, channel: &str, counts: [i64; 8]) -> ((String, String), [i64; 8]) {
    ((month.into(), channel.into()), counts)
}

fn filtered(channel: Option<&str>, region: Option<&str>, persona: Option<&str>) -> Table {
    let live = Live::build(
        ReportTerms::default(),
        Projections::from_events(&five_leads()),
    );
    live.funnel(
        &Period::ALL,
        &Filter::parse(channel, region, persona).unwrap(),
    )
}

#[test]
fn a_region_and_a_persona_keep_their_leads_only() {
    // L1 and L3.
    let t = filtered(None, Some("EMEA"), Some("finance"));
    let want: Rows = [
        row("(all)", "(all)", [2, 1, 1, 0, 0, 0, 0, 0]),
        row("(all)", "email", [1, 0, 0, 0, 0, 0, 0, 0]),
        row("(all)", "paid_search", [1, 1, 1, 0, 0, 0, 0, 0]),
        row("2025-04", "(all)", [1, 1, 1, 0, 0, 0, 0, 0]),
        row("2025-04", "paid_search", [1, 1, 1, 0, 0, 0, 0, 0]),
        row("2025-05", "(all)", [1, 0, 0, 0, 0, 0, 0, 0]),
        row("2025-05", "email", [1, 0, 0, 0, 0, 0, 0, 0]),
    ]
    .into_iter()
    .collect();
    assert_eq!(rows(&t), want);
    assert_eq!(num(&t, 0, "lead_to_mql"), 0.5);
    assert_eq!(num(&t, 0, "mql_to_sal"), 1.0);
}

#[test]
fn a_channel_with_a_region_and_the_other_personas() {
    // L1, L4, L5.
    let t = filtered(Some("paid_search"), Some("EMEA"), None);
    assert_eq!(
        rows(&t)[&("(all)".into(), "(all)".into())],
        [3, 3, 2, 1, 0, 0, 0, 1]
    );
    assert_eq!(rows(&t).len(), 4, "{:?}", rows(&t).keys());
    // L5 only: its persona is the agreement's own.
    let t = filtered(None, None, Some("(declared)"));
    assert_eq!(
        rows(&t)[&("(all)".into(), "(all)".into())],
        [1, 1, 0, 0, 0, 0, 0, 1]
    );
    // L4 only.
    let t = filtered(None, None, Some("(none)"));
    assert_eq!(
        rows(&t)[&("(all)".into(), "(all)".into())],
        [1, 1, 1, 1, 0, 0, 0, 0]
    );
    // Nobody: the (all) row alone, with no rate.
    let t = filtered(None, Some("LATAM"), None);
    assert_eq!(
        rows(&t),
        [row("(all)", "(all)", [0; 8])]
            .into_iter()
            .collect::<Rows>()
    );
    assert!(col(&t, 0, "lead_to_mql").as_f64().is_none());
    // `(all)` is no filter: the unfiltered funnel.
    let all = Live::build(
        ReportTerms::default(),
        Projections::from_events(&five_leads()),
    )
    .table("funnel", &Period::ALL)
    .unwrap();
    assert_eq!(filtered(Some("(all)"), Some("(all)"), Some("(all)")), all);
    assert_eq!(
        rows(&all)[&("(all)".into(), "(all)".into())],
        [5, 4, 2, 1, 0, 0, 0, 1]
    );
}

#[test]
fn a_filtered_cell_lists_its_leads() {
    let p = Projections::from_events(&five_leads());
    let filter = Filter::parse(None, Some("EMEA"), Some("finance")).unwrap();
    let (t, total) = funnel::explain(&p, &Period::ALL, &filter, "(all),(all),leads", 20).unwrap();
    assert_eq!(total, 2);
    assert_eq!(text(&t, 0, "lead_id"), "L1");
    assert_eq!(text(&t, 1, "lead_id"), "L3");
    let (_, total) = funnel::explain(&p, &Period::ALL, &filter, "2025-04,(all),sal", 20).unwrap();
    assert_eq!(total, 1);
}

#[test]
fn a_filter_word_that_names_nothing_is_refused_by_its_place() {
    assert_eq!(
        Filter::parse(Some("tv"), None, None),
        Err(FilterError::Channel("`tv`".into()))
    );
    assert_eq!(
        Filter::parse(None, Some("emea"), None),
        Err(FilterError::Region("`emea`".into()))
    );
    let e = Filter::parse(None, None, Some("nurture")).unwrap_err();
    assert_eq!(e, FilterError::Persona("`nurture`".into()));
    assert!(e.to_string().starts_with(
        "persona: unknown persona `nurture` (executive_buyer, technical_buyer, practitioner, finance"
    ));
    assert_eq!(
        Filter::parse(None, None, Some("(none)")).unwrap().persona,
        Some(PersonaKey::None)
    );
    assert!(Filter::parse(None, None, None).unwrap().is_all());
}

const CHANNELS: [Channel; 3] = [Channel::PaidSearch, Channel::Email, Channel::Event];
const REGIONS: [Region; 3] = [Region::Na, Region::Emea, Region::Apac];

/// A generated lead: creation day, channel, region, persona (0-3 the
/// contract's, 4 declared, 5 none), the stages it went through.
type GenLead = (i64, usize, usize, usize, Vec<u8>);

fn persona_of(i: usize) -> Option<Named<Persona>> {
    match i {
        0..=3 => Some(Named::Core(Persona::from_code(i as u8).unwrap())),
        4 => Some(Named::parse("nurture").unwrap()),
        _ => None,
    }
}

fn persona_word(i: usize) -> &'static str {
    match i {
        0..=3 => Persona::from_code(i as u8).unwrap().as_str(),
        4 => "(declared)",
        _ => "(none)",
    }
}

/// The stages a generated path goes through: forward one stage at a time,
/// from mql sometimes recycled or disqualified (then back to mql).
fn stages_of(steps: &[u8]) -> Vec<Stage> {
    let mut current = Stage::Lead;
    let mut out = Vec::new();
    for step in steps {
        let next = match (current, step) {
            (Stage::Mql, 1) => Stage::Recycled,
            (Stage::Mql, 2) => Stage::Disqualified,
            (Stage::Recycled | Stage::Disqualified, _) => Stage::Mql,
            (Stage::Customer, _) => break,
            (c, _) => Stage::from_code(c.code() + 1).unwrap(),
        };
        out.push(next);
        current = next;
    }
    out
}

/// The funnel rows counted plainly: every lead created in `days` (as day
/// numbers from 2025-04-01, `to` included) whose channel, region and persona
/// are the ones asked, into its (month, channel) row and the `(all)` rows.
fn plain_count(
    leads: &[GenLead],
    days: (i64, i64),
    want: (Option<usize>, Option<usize>, Option<usize>),
) -> Rows {
    let mut out = Rows::new();
    out.insert(("(all)".into(), "(all)".into()), [0; 8]);
    for (day, ch, region, persona, steps) in leads {
        if *day < days.0 || *day > days.1 {
            continue;
        }
        if want.0.is_some_and(|c| c != *ch)
            || want.1.is_some_and(|r| r != *region)
            || want.2.is_some_and(|p| p != *persona)
        {
            continue;
        }
        let stages = stages_of(steps);
        let rank = |s: &Stage| match s {
            Stage::Mql => 1,
            Stage::Sal => 2,
            Stage::Sql => 3,
            Stage::Opportunity => 4,
            Stage::Customer => 5,
            _ => 0,
        };
        let furthest = stages.iter().map(rank).max().unwrap_or(0);
        let mut counts = [0i64; 8];
        counts[0] = 1;
        for (k, c) in counts.iter_mut().enumerate().take(6).skip(1) {
            *c = i64::from(furthest >= k);
        }
        counts[6] = i64::from(stages.contains(&Stage::Recycled));
        counts[7] = i64::from(stages.contains(&Stage::Disqualified));
        let month = ts(day * DAY).month().to_string();
        let channel = CHANNELS[*ch].as_str().to_owned();
        for key in [
            (month.clone(), channel.clone()),
            (month, "(all)".into()),
            ("(all)".into(), channel),
            ("(all)".into(), "(all)".into()),
        ] {
            let row = out.entry(key).or_insert([0; 8]);
            for (a, b) in row.iter_mut().zip(counts) {
                *a += b;
            }
        }
    }
    out
}

fn gen_log(leads: &[GenLead]) -> Vec<Event> {
    let mut log = Vec::new();
    for (i, (day, ch, region, persona, steps)) in leads.iter().enumerate() {
        let id = format!("L{i}");
        log.push(lead_of(
            &id,
            day * DAY,
            CHANNELS[*ch],
            REGIONS[*region],
            persona_of(*persona),
        ));
        log.extend(path(&id, day * DAY, &stages_of(steps)));
    }
    log
}

fn date(day: i64) -> String {
    ts(day * DAY).to_string()[..10].to_owned()
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(200))]

    /// Whatever the filter and the period, and however the events arrive,
    /// the filtered funnel's rows are the plain count over the leads; read
    /// again from a snapshot's cells they are the same.
    #[test]
    fn filtered_counts_equal_a_plain_count(
        leads in prop::collection::vec(
            (0..90i64, 0..3usize, 0..3usize, 0..6usize, prop::collection::vec(0..3u8, 0..7)),
            1..25,
        ),
        order in any::<prop::sample::Index>(),
        cuts in prop::collection::vec(0.0f64..1.0, 0..4),
        want in (
            prop::option::of(0..3usize),
            prop::option::of(0..3usize),
            prop::option::of(0..6usize),
        ),
        days in (0..90i64, 0..90i64),
    ) {
        let mut log = gen_log(&leads);
        // Events in another order: rotated (a transition may come before its lead).
        let k = order.index(log.len());
        log.rotate_left(k);
        let mut cuts: Vec<usize> = cuts.iter().map(|c| (c * log.len() as f64) as usize).collect();
        cuts.extend([0, log.len()]);
        cuts.sort_unstable();
        let mut live = Live::new(ReportTerms::default());
        for w in cuts.windows(2) {
            live.apply(&log[w[0]..w[1]]);
        }
        let filter = Filter::parse(
            want.0.map(|c| CHANNELS[c].as_str()),
            want.1.map(|r| REGIONS[r].as_str()),
            want.2.map(persona_word),
        ).unwrap();
        let (from, to) = (days.0.min(days.1), days.0.max(days.1));
        let period = Period::from_dates(Some(&date(from)), Some(&date(to))).unwrap();
        let table = live.funnel(&period, &filter);
        prop_assert_eq!(rows(&table), plain_count(&leads, (from, to), want));
        prop_assert_eq!(
            rows(&live.funnel(&Period::ALL, &filter)),
            plain_count(&leads, (0, 90), want)
        );
        let read = ReportCells::from_snapshot(&live.to_snapshot().cells, ReportTerms::default()).unwrap();
        prop_assert_eq!(read.funnel(&period, &filter), table);
    }
}
