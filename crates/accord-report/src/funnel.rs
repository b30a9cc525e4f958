//! `funnel`: how far each monthly cohort of leads got, per source channel.
//!
//! A cohort is the leads created in a month. A lead *reached* a lifecycle
//! stage when it ever entered it or a later one (lead < mql < sal < sql <
//! opportunity < customer); `recycled` and `disqualified` count leads that ever
//! entered them. Rows: every (month, channel) with leads, a `(all)` channel row
//! per month, a `(all)` month row per channel and (`(all)`, `(all)`), in byte
//! order. With a period, the cohorts are the leads created in it: the cells
//! count leads by creation day, source channel, region and persona, and what
//! a lead reached is looked up at any time. A [`Filter`] keeps the leads of
//! one channel, region and/or persona; the kit's funnel is unfiltered.

use std::collections::BTreeMap;

use accord_core::domain::{Channel, Month, Persona, Region, Stage, Timestamp};
use rustc_hash::FxHashMap;

use crate::cells::{add, day, in_days, DayMap, Days, Months};
use crate::projection::{Projections, DECLARED_PERSONA, FUNNEL_STAGES, NO_CODE};
use crate::table::{ColumnKind as K, Table, Value};
use crate::{Period, ALL};

const COUNTS: usize = 8;
/// Counted per cell: leads, then reached mql…customer, then recycled, disqualified.
pub(crate) type Counts = [u64; COUNTS];

const COLUMNS: &[(&str, K)] = &[
    ("cohort_month", K::Text),
    ("source_channel", K::Text),
    ("leads", K::Int),
    ("mql", K::Int),
    ("sal", K::Int),
    ("sql", K::Int),
    ("opportunity", K::Int),
    ("customer", K::Int),
    ("recycled", K::Int),
    ("disqualified", K::Int),
    ("lead_to_mql", K::Rate),
    ("mql_to_sal", K::Rate),
    ("sal_to_sql", K::Rate),
    ("sql_to_opportunity", K::Rate),
    ("opportunity_to_customer", K::Rate),
    ("lead_to_customer", K::Rate),
];

/// Which counters a lead adds to: slot 0 always, 1..=5 for each stage reached,
/// 6 recycled, 7 disqualified.
fn lead_counts(p: &Projections, lead: u32) -> Counts {
    let l = lead as usize;
    let mut c = [0; COUNTS];
    c[0] = 1;
    for (k, slot) in c.iter_mut().enumerate().take(6).skip(1) {
        *slot = u64::from(usize::from(p.leads.reached[l]) >= k);
    }
    c[6] = u64::from(p.leads.ever_recycled[l]);
    c[7] = u64::from(p.leads.ever_disqualified[l]);
    c
}

fn cohort(p: &Projections, lead: u32) -> Month {
    Timestamp::from_unix_seconds(p.leads.created_at[lead as usize]).month()
}

fn in_period(p: &Projections, period: &Period, lead: u32) -> bool {
    p.leads.is_created(lead) && period.contains(p.leads.created_at[lead as usize])
}

/// A lead's persona as the funnel tells them apart.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum PersonaKey {
    /// One of the contract's personas.
    Core(Persona),
    /// A persona the agreement declares (all of them together).
    Declared,
    /// No persona given.
    None,
}

impl PersonaKey {
    /// The filter's word for a persona: a contract word, `(declared)`, `(none)`.
    pub fn parse(word: &str) -> Option<PersonaKey> {
        match word {
            "(declared)" => Some(PersonaKey::Declared),
            "(none)" => Some(PersonaKey::None),
            w => Persona::parse(w).map(PersonaKey::Core),
        }
    }

    fn code(self) -> u8 {
        match self {
            PersonaKey::Core(p) => p.code(),
            PersonaKey::Declared => DECLARED_PERSONA,
            PersonaKey::None => NO_CODE,
        }
    }
}

/// Which leads a funnel counts: those of the channel, region and persona
/// given (any, where `None`).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub struct Filter {
    pub channel: Option<Channel>,
    pub region: Option<Region>,
    pub persona: Option<PersonaKey>,
}

/// A filter word that names nothing the funnel tells apart.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum FilterError {
    #[error("channel: unknown source channel {0} ({channels})", channels = Channel::WORDS.join(", "))]
    Channel(String),
    #[error("region: unknown region {0} ({regions})", regions = Region::WORDS.join(", "))]
    Region(String),
    #[error("persona: unknown persona {0} ({personas}, (declared): any the agreement declares, (none): no persona)", personas = Persona::WORDS.join(", "))]
    Persona(String),
}

impl Filter {
    /// No filter: every lead.
    pub const ALL: Filter = Filter {
        channel: None,
        region: None,
        persona: None,
    };

    /// A filter from its words (each optional; `(all)` is no filter).
    pub fn parse(
        channel: Option<&str>,
        region: Option<&str>,
        persona: Option<&str>,
    ) -> Result<Filter, FilterError> {
        fn given(w: Option<&str>) -> Option<&str> {
            w.filter(|&w| w != ALL)
        }
        Ok(Filter {
            channel: given(channel)
                .map(|w| Channel::parse(w).ok_or_else(|| FilterError::Channel(crate::quoted(w))))
                .transpose()?,
            region: given(region)
                .map(|w| Region::parse(w).ok_or_else(|| FilterError::Region(crate::quoted(w))))
                .transpose()?,
            persona: given(persona)
                .map(|w| PersonaKey::parse(w).ok_or_else(|| FilterError::Persona(crate::quoted(w))))
                .transpose()?,
        })
    }

    pub fn is_all(&self) -> bool {
        *self == Filter::ALL
    }

    /// Whether a cell's key (see [`key`]) is one of the filter's.
    fn keeps_key(&self, key: u32) -> bool {
        let [channel, region, persona, _] = key.to_le_bytes();
        self.channel.is_none_or(|c| c.code() == channel)
            && self.region.is_none_or(|r| r.code() == region)
            && self.persona.is_none_or(|p| p.code() == persona)
    }

    /// Whether a lead is one of the filter's (the same test as the cells').
    pub fn keeps(&self, p: &Projections, lead: u32) -> bool {
        self.keeps_key(key(p, lead))
    }
}

/// A lead's cell key besides its day: its channel, region and persona codes.
fn key(p: &Projections, lead: u32) -> u32 {
    let l = lead as usize;
    u32::from_le_bytes([
        p.leads.source_channel[l],
        p.leads.region[l],
        p.leads.persona[l],
        0,
    ])
}

/// The funnel's cells: [`Counts`] per (creation day, [`key`]).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub(crate) struct Cells(pub(crate) DayMap<[i64; COUNTS]>);

impl Cells {
    /// What a lead adds (`sign` 1) or takes back (-1): once created, to the
    /// cell of its creation day, channel, region and persona, each counter
    /// it reached.
    pub(crate) fn lead(&mut self, p: &Projections, lead: u32, sign: i64) {
        if !p.leads.is_created(lead) {
            return;
        }
        let k = (day(p.leads.created_at[lead as usize]), key(p, lead));
        let counts = lead_counts(p, lead).map(|n| n as i64);
        add(self.0.entry(k).or_default(), counts, sign);
    }

    /// The funnel over `period` of the leads `filter` keeps.
    pub(crate) fn table(&self, p: &Projections, period: &Period, filter: &Filter) -> Table {
        let mut cells: FxHashMap<(Month, u8), Counts> = FxHashMap::default();
        let mut months = Months::default();
        for (&(d, key), c) in in_days(&self.0, Days::of(period)) {
            if !filter.keeps_key(key) {
                continue;
            }
            let cell = cells
                .entry((months.of(d), key.to_le_bytes()[0]))
                .or_insert([0; COUNTS]);
            for (a, &b) in cell.iter_mut().zip(c) {
                *a += b as u64;
            }
        }
        render(p, cells.into_iter().filter(|(_, c)| c[0] > 0))
    }
}

/// The funnel table from its cells: counts per (cohort month, source channel code).
fn render(p: &Projections, cells: impl Iterator<Item = ((Month, u8), Counts)>) -> Table {
    let mut rows: BTreeMap<(String, String), Counts> = BTreeMap::new();
    rows.insert((ALL.into(), ALL.into()), [0; COUNTS]);
    for ((month, code), counts) in cells {
        let month = month.to_string();
        let channel = p.leads.channel_name(code).to_owned();
        for key in [
            (month.clone(), channel.clone()),
            (month, ALL.into()),
            (ALL.into(), channel),
            (ALL.into(), ALL.into()),
        ] {
            let cell = rows.entry(key).or_insert([0; COUNTS]);
            for (a, b) in cell.iter_mut().zip(counts) {
                *a += b;
            }
        }
    }
    let mut t = Table::new("funnel", COLUMNS);
    for ((month, channel), c) in rows {
        let mut row = vec![Value::Text(month), Value::Text(channel)];
        row.extend(c.iter().map(|&n| Value::Int(n as i64)));
        for (num, den) in [(1, 0), (2, 1), (3, 2), (4, 3), (5, 4), (5, 0)] {
            row.push(Value::ratio(c[num], c[den]));
        }
        t.push(row);
    }
    t
}

/// The leads counted in one cell, `MONTH,CHANNEL,STAGE` (either key may be
/// `(all)`; the stage is a column name from `leads` to `disqualified`) of
/// the funnel of the leads `filter` keeps: the first `limit` by lead id, and
/// how many there are.
pub fn explain(
    p: &Projections,
    period: &Period,
    filter: &Filter,
    cell: &str,
    limit: usize,
) -> Result<(Table, usize), String> {
    let parts: Vec<&str> = cell.split(',').map(str::trim).collect();
    let [month, channel, stage] = parts[..] else {
        return Err(format!(
            "{} is not COHORT_MONTH,CHANNEL,STAGE (e.g. 2025-04,paid_search,mql)",
            crate::quoted(cell)
        ));
    };
    let month = match month {
        ALL => None,
        m => Some(Month::parse(m).map_err(|e| e.to_string())?),
    };
    if channel != ALL && accord_core::domain::Channel::parse(channel).is_none() {
        return Err(format!("unknown source channel {}", crate::quoted(channel)));
    }
    let slot = match stage {
        "leads" => 0,
        "recycled" => 6,
        "disqualified" => 7,
        s => match Stage::parse(s).and_then(Stage::funnel_rank) {
            Some(r) if r >= 1 => usize::from(r),
            _ => {
                return Err(format!(
                    "unknown funnel stage {} (leads, mql, sal, sql, opportunity, customer, recycled, disqualified)",
                    crate::quoted(stage)
                ))
            }
        },
    };
    let mut matched: Vec<u32> = (0..p.leads.len() as u32)
        .filter(|&l| {
            in_period(p, period, l)
                && filter.keeps(p, l)
                && month.is_none_or(|m| cohort(p, l) == m)
                && (channel == ALL
                    || p.leads.channel_name(p.leads.source_channel[l as usize]) == channel)
                && lead_counts(p, l)[slot] == 1
        })
        .collect();
    let total = matched.len();
    matched.sort_unstable_by(|&a, &b| p.leads.ids.name(a).cmp(p.leads.ids.name(b)));
    let mut t = Table::new(
        "funnel explain",
        &[
            ("lead_id", K::Text),
            ("created_at", K::Timestamp),
            ("source_channel", K::Text),
            ("furthest_stage", K::Text),
            ("recycled", K::Bool),
            ("disqualified", K::Bool),
        ],
    );
    for &l in matched.iter().take(limit) {
        let i = l as usize;
        t.push(vec![
            Value::text(p.leads.ids.name(l)),
            Value::Timestamp(Timestamp::from_unix_seconds(p.leads.created_at[i])),
            Value::text(p.leads.channel_name(p.leads.source_channel[i])),
            Value::text(FUNNEL_STAGES[usize::from(p.leads.reached[i])].as_str()),
            Value::Bool(p.leads.ever_recycled[i]),
            Value::Bool(p.leads.ever_disqualified[i]),
        ]);
    }
    Ok((t, total))
}
