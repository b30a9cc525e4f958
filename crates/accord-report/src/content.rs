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
//! opportunities won (closed) inside it.

use std::collections::BTreeMap;

use accord_core::domain::{ContentKind, JourneyStage, Persona, Timestamp};

use crate::attribution::{is_reported_win, window_touches};
use crate::projection::{Projections, NONE, NO_TIME};
use crate::table::{ColumnKind as K, Table, Value};
use crate::{Period, ReportTerms};

#[derive(Clone, Copy)]
struct Usage {
    uses: u64,
    unique_leads: u64,
    sales_uses: u64,
    last_used_at: i64,
    last_lead: u32,
}

/// Usage per content slot, from the touches in the period.
fn usage(p: &Projections, period: &Period) -> Vec<Usage> {
    let mut u = vec![
        Usage {
            uses: 0,
            unique_leads: 0,
            sales_uses: 0,
            last_used_at: NO_TIME,
            last_lead: NONE,
        };
        p.contents.ids.len()
    ];
    let d = p.derived();
    // By lead, so "a new lead for this asset" is one comparison.
    for lead in 0..p.leads.len() as u32 {
        for &t in d.touches_by_lead.get(lead) {
            let i = t as usize;
            let c = p.touches.content[i];
            if c == NONE || !period.contains(p.touches.at[i]) {
                continue;
            }
            let x = &mut u[c as usize];
            x.uses += 1;
            x.sales_uses += u64::from(p.touches.is_sales(t));
            x.last_used_at = x.last_used_at.max(p.touches.at[i]);
            if x.last_lead != lead {
                x.last_lead = lead;
                x.unique_leads += 1;
            }
        }
    }
    u
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

pub fn report(p: &Projections, terms: &ReportTerms, period: &Period) -> Table {
    let usage = usage(p, period);
    let n = p.contents.ids.len();
    let mut influenced = vec![0u64; n];
    let mut influenced_cents = vec![0i64; n];
    let mut last_opp = vec![NONE; n];
    let mut touches = Vec::new();
    for o in 0..p.opps.len() as u32 {
        if !is_reported_win(p, period, o) {
            continue;
        }
        window_touches(p, terms, o, false, &mut touches);
        for &(_, t) in &touches {
            let c = p.touches.content[t as usize];
            if c != NONE && last_opp[c as usize] != o {
                last_opp[c as usize] = o;
                influenced[c as usize] += 1;
                influenced_cents[c as usize] += p.opps.amount_cents[o as usize];
            }
        }
    }
    render(p, |c| {
        let (u, i) = (&usage[c as usize], c as usize);
        Line {
            uses: u.uses,
            unique_leads: u.unique_leads,
            sales_uses: u.sales_uses,
            influenced_won: influenced[i],
            influenced_cents: influenced_cents[i],
            last_used_at: u.last_used_at,
        }
    })
}

/// One asset's numbers in the content report.
pub(crate) struct Line {
    pub uses: u64,
    pub unique_leads: u64,
    pub sales_uses: u64,
    pub influenced_won: u64,
    pub influenced_cents: i64,
    /// `NO_TIME` when never used.
    pub last_used_at: i64,
}

/// The content table: every published asset, by id, with its [`Line`].
pub(crate) fn render(p: &Projections, line_of: impl Fn(u32) -> Line) -> Table {
    let k = &p.contents;
    let mut order: Vec<u32> = (0..k.ids.len() as u32)
        .filter(|&c| k.published[c as usize])
        .collect();
    order.sort_unstable_by(|&a, &b| k.ids.name(a).cmp(k.ids.name(b)));
    let mut t = Table::new("content", COLUMNS);
    for c in order {
        let i = c as usize;
        let u = line_of(c);
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

pub fn gaps(p: &Projections, period: &Period) -> Table {
    let usage = usage(p, period);
    render_gaps(p, |c| usage[c as usize].uses)
}

/// The content_gaps table, given each asset's number of uses.
pub(crate) fn render_gaps(p: &Projections, uses_of: impl Fn(u32) -> u64) -> Table {
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
