//! `content`, `content_gaps`: what the content library is used for, and where
//! it has holes.
//!
//! `uses`: touches of any kind carrying the asset; `unique_leads`: their
//! distinct leads; `sales_uses`: those of sales kinds; `last_used_at`: the
//! latest. An opportunity is *influenced* by an asset when the asset is on a
//! touch (any kind) of a lead of its account inside its attribution window;
//! `influenced_won` counts the won ones and `influenced_won_usd` sums their
//! full amounts. Every published asset has a row, by id.
//!
//! `content_gaps`: every persona × journey stage of the vocabularies (a cell
//! with no asset is a gap), in byte order: assets, assets used, uses.
//!
//! With a period: uses are the touches inside it; influence is over the
//! opportunities won (closed) inside it. The cells keep per asset and use
//! day the uses, sales uses, latest use and the distinct leads (so distinct
//! leads over any days are counted with a bitset over leads), and the
//! influence per (close day, asset).

use std::collections::BTreeMap;

use accord_core::domain::{ContentKind, JourneyStage, Persona, Timestamp};

use crate::cells::{add, day, in_days, Day, DayMap, Days};
use crate::projection::{Projections, NONE, NO_TIME};
use crate::table::{ColumnKind as K, Table, Value};
use crate::Period;

/// An asset's uses on one day.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub(crate) struct DayUse {
    pub(crate) uses: i64,
    pub(crate) sales_uses: i64,
    pub(crate) last_used_at: i64,
    /// The leads of the uses, ascending, each once.
    pub(crate) leads: Vec<u32>,
}

/// Content's cells.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub(crate) struct Cells {
    /// Per asset: its uses per use day.
    pub(crate) uses: Vec<BTreeMap<Day, DayUse>>,
    /// Per (close day, asset): won opportunities influenced and their cents.
    pub(crate) influence: DayMap<[i64; 2]>,
}

impl Cells {
    /// A touch carrying an asset is a use, on its day (never changes once
    /// recorded).
    pub(crate) fn touch(&mut self, p: &Projections, t: u32) {
        let i = t as usize;
        let c = p.touches.content[i];
        if c == NONE {
            return;
        }
        if self.uses.len() <= c as usize {
            self.uses.resize_with(c as usize + 1, BTreeMap::new);
        }
        let at = p.touches.at[i];
        let u = self.uses[c as usize].entry(day(at)).or_insert(DayUse {
            last_used_at: NO_TIME,
            ..DayUse::default()
        });
        u.uses += 1;
        u.sales_uses += i64::from(p.touches.is_sales(t));
        u.last_used_at = u.last_used_at.max(at);
        let lead = p.touches.lead[i];
        if let Err(k) = u.leads.binary_search(&lead) {
            u.leads.insert(k, lead);
        }
    }

    /// What a won opportunity adds (`sign` 1) or takes back (-1), on its
    /// close day: each asset on a touch (any kind) of its `window` once.
    pub(crate) fn win(&mut self, p: &Projections, o: u32, sign: i64, window: &[(i64, u32)]) {
        let mut assets: Vec<u32> = window
            .iter()
            .map(|&(_, t)| p.touches.content[t as usize])
            .filter(|&c| c != NONE)
            .collect();
        assets.sort_unstable();
        assets.dedup();
        let d = day(p.opps.closed_at[o as usize]);
        for c in assets {
            let cell = self.influence.entry((d, c)).or_default();
            add(cell, [1, p.opps.amount_cents[o as usize]], sign);
        }
    }

    /// Each asset's uses over the days of `period` (all but influence).
    fn lines(&self, p: &Projections, period: &Period) -> Vec<Line> {
        let days = Days::of(period);
        // Grown as leads are seen: a snapshot's cells part has no lead rows.
        let mut seen: Vec<u64> = Vec::with_capacity(p.leads.len().div_ceil(64));
        let mut lines: Vec<Line> = (0..p.contents.ids.len()).map(|_| Line::default()).collect();
        for (line, by_day) in lines.iter_mut().zip(&self.uses) {
            if days.from >= days.until {
                break;
            }
            let range = by_day.range(days.from..days.until);
            for (_, u) in range.clone() {
                line.uses += u.uses as u64;
                line.sales_uses += u.sales_uses as u64;
                line.last_used_at = line.last_used_at.max(u.last_used_at);
                for &l in &u.leads {
                    let (word, bit) = (l as usize / 64, 1u64 << (l % 64));
                    if word >= seen.len() {
                        seen.resize(word + 1, 0);
                    }
                    if seen[word] & bit == 0 {
                        seen[word] |= bit;
                        line.unique_leads += 1;
                    }
                }
            }
            for (_, u) in range {
                for &l in &u.leads {
                    seen[l as usize / 64] = 0;
                }
            }
        }
        lines
    }

    pub(crate) fn table(&self, p: &Projections, period: &Period) -> Table {
        let mut lines = self.lines(p, period);
        for (&(_, c), &[won, cents]) in in_days(&self.influence, Days::of(period)) {
            if let Some(line) = lines.get_mut(c as usize) {
                line.influenced_won += won as u64;
                line.influenced_cents += cents;
            }
        }
        render(p, &lines)
    }

    pub(crate) fn gaps(&self, p: &Projections, period: &Period) -> Table {
        let lines = self.lines(p, period);
        render_gaps(p, |c| lines[c as usize].uses)
    }
}

/// One asset's numbers in the content report.
struct Line {
    uses: u64,
    unique_leads: u64,
    sales_uses: u64,
    influenced_won: u64,
    influenced_cents: i64,
    /// `NO_TIME` when never used.
    last_used_at: i64,
}

impl Default for Line {
    fn default() -> Line {
        Line {
            uses: 0,
            unique_leads: 0,
            sales_uses: 0,
            influenced_won: 0,
            influenced_cents: 0,
            last_used_at: NO_TIME,
        }
    }
}

pub(crate) const COLUMNS: &[(&str, K)] = &[
    ("content_id", K::Text),
    ("title", K::Text),
    ("kind", K::Text),
    ("persona", K::Text),
    ("journey_stage", K::Text),
    ("uses", K::Int),
    ("unique_leads", K::Int),
    ("sales_uses", K::Int),
    ("influenced_won", K::Int),
    ("influenced_won_usd", K::Money),
    ("last_used_at", K::Timestamp),
];

/// The content table: every published asset, by id, with its [`Line`].
fn render(p: &Projections, lines: &[Line]) -> Table {
    let k = &p.contents;
    let mut order: Vec<u32> = (0..k.ids.len() as u32)
        .filter(|&c| k.published[c as usize])
        .collect();
    order.sort_unstable_by(|&a, &b| k.ids.name(a).cmp(k.ids.name(b)));
    let mut t = Table::new("content", COLUMNS);
    for c in order {
        let i = c as usize;
        let u = &lines[i];
        t.push(vec![
            Value::text(k.ids.name(c)),
            Value::text(&*k.title[i]),
            Value::text(ContentKind::from_code(k.kind[i]).map_or("", ContentKind::as_str)),
            Value::text(k.persona(c).map_or("", Persona::as_str)),
            Value::text(k.journey(c).map_or("", JourneyStage::as_str)),
            Value::Int(u.uses as i64),
            Value::Int(u.unique_leads as i64),
            Value::Int(u.sales_uses as i64),
            Value::Int(u.influenced_won as i64),
            Value::Money(u.influenced_cents),
            if u.last_used_at == NO_TIME {
                Value::Null
            } else {
                Value::Timestamp(Timestamp::from_unix_seconds(u.last_used_at))
            },
        ]);
    }
    t
}

pub(crate) const GAPS_COLUMNS: &[(&str, K)] = &[
    ("persona", K::Text),
    ("journey_stage", K::Text),
    ("assets", K::Int),
    ("used_assets", K::Int),
    ("uses", K::Int),
];

/// The content_gaps table, given each asset's number of uses.
fn render_gaps(p: &Projections, uses_of: impl Fn(u32) -> u64) -> Table {
    let mut grid: BTreeMap<(&str, &str), [u64; 3]> = BTreeMap::new();
    for persona in Persona::ALL {
        for stage in JourneyStage::ALL {
            grid.insert((persona.as_str(), stage.as_str()), [0; 3]);
        }
    }
    let k = &p.contents;
    for c in 0..k.ids.len() as u32 {
        let (Some(persona), Some(stage), true) =
            (k.persona(c), k.journey(c), k.published[c as usize])
        else {
            continue;
        };
        let cell = grid
            .get_mut(&(persona.as_str(), stage.as_str()))
            .expect("the grid has every persona × journey stage");
        let uses = uses_of(c);
        cell[0] += 1;
        cell[1] += u64::from(uses > 0);
        cell[2] += uses;
    }
    let mut t = Table::new("content_gaps", GAPS_COLUMNS);
    for ((persona, stage), c) in grid {
        t.push(vec![
            Value::text(persona),
            Value::text(stage),
            Value::Int(c[0] as i64),
            Value::Int(c[1] as i64),
            Value::Int(c[2] as i64),
        ]);
    }
    t
}
