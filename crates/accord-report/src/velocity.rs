//! `velocity`: hours from a lead's first entry into a stage to its first entry
//! into the next, for each step lead→mql, mql→sal, sal→sql,
//! sql→opportunity, opportunity→customer.
//!
//! Over leads that entered both stages with the second not before the first.
//! One row per step and source channel plus a `(all)` row per step; a step no
//! lead made has no rows. With a period, a step counts when it was completed
//! (the first entry into the later stage) inside it.

use accord_core::domain::Channel;

use crate::projection::{Projections, FUNNEL_STAGES};
use crate::stats::{summarize, Summary};
use crate::table::{ColumnKind as K, Table, Value};
use crate::{Period, ALL};

const COLUMNS: &[(&str, K)] = &[
    ("from_stage", K::Text),
    ("to_stage", K::Text),
    ("source_channel", K::Text),
    ("leads", K::Int),
    ("mean_hours", K::Float),
    ("p50_hours", K::Float),
    ("p90_hours", K::Float),
    ("min_hours", K::Float),
    ("max_hours", K::Float),
];

const STEPS: usize = FUNNEL_STAGES.len() - 1;

pub fn report(p: &Projections, period: &Period) -> Table {
    let channels = Channel::ALL.len();
    // hours[step][channel code]
    let mut hours: Vec<Vec<Vec<f64>>> = vec![vec![Vec::new(); channels]; STEPS];
    for lead in 0..p.leads.len() as u32 {
        if !p.leads.is_created(lead) {
            continue;
        }
        let ch = usize::from(p.leads.source_channel[lead as usize]);
        for (step, by_channel) in hours.iter_mut().enumerate() {
            let (Some(a), Some(b)) = (
                p.leads.first_entry(lead, step),
                p.leads.first_entry(lead, step + 1),
            ) else {
                continue;
            };
            if b >= a && period.contains(b) {
                by_channel[ch].push((b - a) as f64 / 3600.0);
            }
        }
    }
    let mut summaries: Vec<Vec<Option<Summary>>> = hours
        .iter_mut()
        .map(|by_channel| {
            let mut all: Vec<f64> = by_channel.iter().flatten().copied().collect();
            let mut s: Vec<Option<Summary>> = by_channel.iter_mut().map(|v| summarize(v)).collect();
            s.push(summarize(&mut all));
            s
        })
        .collect();
    render(|step, channel| summaries[step][channel.map_or(channels, usize::from)].take())
}

/// The velocity table from a summary per step (0 = lead → mql) and source
/// channel code (`None`: all channels).
pub(crate) fn render(mut summary: impl FnMut(usize, Option<u8>) -> Option<Summary>) -> Table {
    let mut order: Vec<Channel> = Channel::ALL.to_vec();
    order.sort_by_key(|c| c.as_str());
    let mut t = Table::new("velocity", COLUMNS);
    for step in 0..STEPS {
        let Some(total) = summary(step, None) else {
            continue;
        };
        let from = FUNNEL_STAGES[step].as_str();
        let to = FUNNEL_STAGES[step + 1].as_str();
        let mut push = |channel: &str, s: Summary| {
            t.push(vec![
                Value::text(from),
                Value::text(to),
                Value::text(channel),
                Value::Int(s.n as i64),
                Value::Float(s.mean),
                Value::Float(s.p50),
                Value::Float(s.p90),
                Value::Float(s.min),
                Value::Float(s.max),
            ]);
        };
        push(ALL, total);
        for &c in &order {
            if let Some(s) = summary(step, Some(c.code())) {
                push(c.as_str(), s);
            }
        }
    }
    t
}
