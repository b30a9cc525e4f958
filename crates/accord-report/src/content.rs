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
//! influence per (close day, asset). Beside them each asset's uses,
//! distinct leads and influence over all time are kept as a total, changed
//! by the same uses and wins, which content and content_gaps read over all
//! time.

use std::collections::BTreeMap;
use std::sync::OnceLock;

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
    /// Won opportunities influenced and their cents.
    pub(crate) influence: Influence,
    /// Each asset's uses over all time: made from the day cells when first
    /// read, then changed with them.
    total: OnceLock<UseTotal>,
}

/// Per asset over all time: its [`Line`] (influence apart) and the leads
/// already counted in it, a bit per lead.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
struct UseTotal {
    lines: Vec<Line>,
    seen: Vec<Vec<u64>>,
}

impl UseTotal {
    fn add(&mut self, c: u32, uses: i64, sales_uses: i64, last_used_at: i64, leads: &[u32]) {
        let c = c as usize;
        if self.lines.len() <= c {
            self.lines.resize_with(c + 1, Line::default);
            self.seen.resize_with(c + 1, Vec::new);
        }
        self.lines[c].add(uses, sales_uses, last_used_at, leads, &mut self.seen[c]);
    }
}

/// Won opportunities influenced and their cents, per (close day, asset)
/// and per asset over all time (made from the days when first read).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub(crate) struct Influence {
    pub(crate) days: DayMap<[i64; 2]>,
    total: OnceLock<Vec<[i64; 2]>>,
}

impl Influence {
    pub(crate) fn of_days(days: DayMap<[i64; 2]>) -> Influence {
        Influence {
            days,
            total: OnceLock::new(),
        }
    }

    fn add(&mut self, d: Day, c: u32, counts: [i64; 2], sign: i64) {
        add(self.days.entry((d, c)).or_default(), counts, sign);
        if let Some(total) = self.total.get_mut() {
            add_to_asset(total, c, counts, sign);
        }
    }

    fn total(&self) -> &[[i64; 2]] {
        self.total.get_or_init(|| {
            let mut total = Vec::new();
            for (&(_, c), &counts) in &self.days {
                add_to_asset(&mut total, c, counts, 1);
            }
            total
        })
    }
}

/// Adds `sign` × `counts` to asset `c`'s influence.
fn add_to_asset(total: &mut Vec<[i64; 2]>, c: u32, counts: [i64; 2], sign: i64) {
    if total.len() <= c as usize {
        total.resize(c as usize + 1, [0; 2]);
    }
    add(&mut total[c as usize], counts, sign);
}

impl Cells {
    /// The cells read back from a snapshot (the totals made when first read).
    pub(crate) fn of_days(uses: Vec<BTreeMap<Day, DayUse>>, influence: DayMap<[i64; 2]>) -> Cells {
        Cells {
            uses,
            influence: Influence::of_days(influence),
            total: OnceLock::new(),
        }
    }

    /// The uses' total, made from the day cells if not yet made.
    fn total(&self) -> &UseTotal {
        self.total.get_or_init(|| {
            let mut total = UseTotal::default();
            for (c, by_day) in self.uses.iter().enumerate() {
                for u in by_day.values() {
                    total.add(c as u32, u.uses, u.sales_uses, u.last_used_at, &u.leads);
                }
            }
            total
        })
    }

    /// Makes the totals now rather than at the first all-time read.
    pub(crate) fn make_totals(&self) {
        self.total();
        self.influence.total();
    }

    /// A touch carrying an asset is a use, on its day (never changes once
    /// recorded): into the day's cell and the asset's total.
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
        let sales = i64::from(p.touches.is_sales(t));
        let lead = p.touches.lead[i];
        let u = self.uses[c as usize].entry(day(at)).or_insert(DayUse {
            last_used_at: NO_TIME,
            ..DayUse::default()
        });
        u.uses += 1;
        u.sales_uses += sales;
        u.last_used_at = u.last_used_at.max(at);
        if let Err(k) = u.leads.binary_search(&lead) {
            u.leads.insert(k, lead);
        }
        if let Some(total) = self.total.get_mut() {
            total.add(c, 1, sales, at, &[lead]);
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
            let counts = [1, p.opps.amount_cents[o as usize]];
            self.influence.add(d, c, counts, sign);
        }
    }

    /// Each asset's line over `period`: over all time the totals, else its
    /// uses summed over the days of `period` and the influence of the wins
    /// closed in them.
    fn lines(&self, p: &Projections, period: &Period) -> Vec<Line> {
        let assets = p.contents.ids.len();
        let mut lines: Vec<Line> = (0..assets).map(|_| Line::default()).collect();
        if period.is_all() {
            for (line, total) in lines.iter_mut().zip(&self.total().lines) {
                *line = total.clone();
            }
            for (line, &[won, cents]) in lines.iter_mut().zip(self.influence.total()) {
                line.influenced_won = won as u64;
                line.influenced_cents = cents;
            }
            return lines;
        }
        let days = Days::of(period);
        if days.from >= days.until {
            return lines;
        }
        // Grown as leads are seen: a snapshot's cells part has no lead rows.
        let mut seen: Vec<u64> = Vec::with_capacity(p.leads.len().div_ceil(64));
        for (line, by_day) in lines.iter_mut().zip(&self.uses) {
            let range = by_day.range(days.from..days.until);
            for (_, u) in range.clone() {
                line.add(u.uses, u.sales_uses, u.last_used_at, &u.leads, &mut seen);
            }
            for (_, u) in range {
                for &l in &u.leads {
                    seen[l as usize / 64] = 0;
                }
            }
        }
        for (&(_, c), &[won, cents]) in in_days(&self.influence.days, days) {
            if let Some(line) = lines.get_mut(c as usize) {
                line.influenced_won += won as u64;
                line.influenced_cents += cents;
            }
        }
        lines
    }

    pub(crate) fn table(&self, p: &Projections, period: &Period) -> Table {
        render(p, &self.lines(p, period))
    }

    pub(crate) fn gaps(&self, p: &Projections, period: &Period) -> Table {
        if period.is_all() {
            let lines = &self.total().lines;
            let uses = |c: u32| lines.get(c as usize).map_or(0, |l| l.uses);
            return render_gaps(p, uses);
        }
        let lines = self.lines(p, period);
        render_gaps(p, |c| lines[c as usize].uses)
    }
}

/// One asset's numbers in the content report.
#[derive(Clone, Debug, PartialEq, Eq)]
struct Line {
    uses: u64,
    unique_leads: u64,
    sales_uses: u64,
    influenced_won: u64,
    influenced_cents: i64,
    /// `NO_TIME` when never used.
    last_used_at: i64,
}

impl Line {
    /// Adds uses (a day's, or one touch's) and their leads, counting each
    /// lead not yet marked in `seen` (a bit per lead, grown as needed).
    fn add(
        &mut self,
        uses: i64,
        sales_uses: i64,
        last_used_at: i64,
        leads: &[u32],
        seen: &mut Vec<u64>,
    ) {
        self.uses += uses as u64;
        self.sales_uses += sales_uses as u64;
        self.last_used_at = self.last_used_at.max(last_used_at);
        for &l in leads {
            let (word, bit) = (l as usize / 64, 1u64 << (l % 64));
            if word >= seen.len() {
                seen.resize(word + 1, 0);
            }
            if seen[word] & bit == 0 {
                seen[word] |= bit;
                self.unique_leads += 1;
            }
        }
    }
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
