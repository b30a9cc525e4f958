//! `velocity`: hours from a lead's first entry into a stage to its first entry
//! into the next, for each step lead→mql, mql→sal, sal→sql,
//! sql→opportunity, opportunity→customer.
//!
//! Over leads that entered both stages with the second not before the first.
//! One row per step and source channel plus a `(all)` row per step; a step no
//! lead made has no rows. With a period, a step counts when it was completed
//! (the first entry into the later stage) inside it: the cells keep each
//! step's durations in seconds per (completion day, step, channel), sorted,
//! and the quantiles select among the values of the days asked. All time
//! reads a total kept beside them (per step and channel, and per step),
//! changed by the same durations.

use std::sync::OnceLock;

use accord_core::domain::Channel;

use crate::cells::{day, Day, Days};
use crate::projection::{Projections, FUNNEL_STAGES};
use crate::stats::{summarize, summarize_sorted, DayMultisets, Multisets, Summary};
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

const CHANNELS: usize = Channel::ALL.len();

/// The cell key of a step (0 = lead → mql) and a channel code.
fn key(step: usize, channel: u8) -> u32 {
    (step as u32) << 8 | u32::from(channel)
}

/// The total's key for a step over every channel.
fn all_channels(step: usize) -> u32 {
    (step as u32) << 8 | 0xff
}

/// The velocity's cells: each step's durations (seconds) per (completion
/// day, [`key`]), and beside them the same durations over all time per
/// [`key`] and per step ([`all_channels`]), so all time reads its quantiles
/// without gathering every day. The total is made from the day cells when
/// first read, then kept current with them.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub(crate) struct Cells {
    pub(crate) days: DayMultisets,
    total: OnceLock<Multisets<u32>>,
}

impl Cells {
    /// The cells read back from a snapshot (the total made when first read).
    pub(crate) fn of_days(days: DayMultisets) -> Cells {
        Cells {
            days,
            total: OnceLock::new(),
        }
    }

    /// Makes the total now rather than at the first all-time read.
    pub(crate) fn make_totals(&self) {
        self.total();
    }

    /// The total, made from the day cells if not yet made.
    fn total(&self) -> &Multisets<u32> {
        self.total.get_or_init(|| {
            let mut total = Multisets::default();
            for ((_, k), values) in self.days.iter() {
                for t in total_keys(k) {
                    total.extend(t, values);
                }
            }
            total.flush();
            total
        })
    }

    /// What a lead adds (`sign` 1) or takes back (-1): for each step it made
    /// (both first entries known, the second not before the first), the
    /// duration, on the day the step was completed.
    pub(crate) fn lead(&mut self, p: &Projections, lead: u32, sign: i64) {
        if !p.leads.is_created(lead) {
            return;
        }
        let channel = p.leads.source_channel[lead as usize];
        for step in 0..STEPS {
            if let (Some(a), Some(b)) = (
                p.leads.first_entry(lead, step),
                p.leads.first_entry(lead, step + 1),
            ) {
                if b >= a {
                    self.duration(day(b), key(step, channel), b - a, sign);
                }
            }
        }
    }

    /// One duration into (or out of) its day's cell and the total.
    fn duration(&mut self, d: Day, k: u32, seconds: i64, sign: i64) {
        self.days.change((d, k), seconds, sign);
        if let Some(total) = self.total.get_mut() {
            for t in total_keys(k) {
                total.change(t, seconds, sign);
            }
        }
    }

    pub(crate) fn flush(&mut self) {
        self.days.flush();
        if let Some(total) = self.total.get_mut() {
            total.flush();
        }
    }

    pub(crate) fn table(&self, period: &Period) -> Table {
        if period.is_all() {
            let total = self.total();
            return render(|step, channel| {
                let k = channel.map_or(all_channels(step), |c| key(step, c));
                summarize_sorted(total.get(&k), 3600.0)
            });
        }
        self.over_days(Days::of(period))
    }

    /// Each step's values gathered into one vector, channel after channel,
    /// then a selection per channel and one over the whole step.
    fn over_days(&self, days: Days) -> Table {
        let mut len = [[0usize; CHANNELS]; STEPS];
        for ((_, k), values) in self.days.in_days(days) {
            len[(k >> 8) as usize][(k & 0xff) as usize] += values.len();
        }
        let mut summaries = vec![[None; CHANNELS + 1]; STEPS];
        for (step, lens) in len.iter().enumerate() {
            let mut starts = [0usize; CHANNELS + 1];
            for c in 0..CHANNELS {
                starts[c + 1] = starts[c] + lens[c];
            }
            if starts[CHANNELS] == 0 {
                continue;
            }
            let mut all = vec![0i64; starts[CHANNELS]];
            let mut fill = starts;
            for ((_, k), values) in self.days.in_days(days) {
                if (k >> 8) as usize == step {
                    let c = (k & 0xff) as usize;
                    all[fill[c]..fill[c] + values.len()].copy_from_slice(values);
                    fill[c] += values.len();
                }
            }
            for c in 0..CHANNELS {
                summaries[step][c] = summarize(&mut all[starts[c]..starts[c + 1]], 3600.0);
            }
            summaries[step][CHANNELS] = summarize(&mut all, 3600.0);
        }
        render(|step, channel| summaries[step][channel.map_or(CHANNELS, usize::from)])
    }
}

/// The totals a day cell's key adds to: its own, and its step's over every
/// channel.
fn total_keys(k: u32) -> [u32; 2] {
    [k, all_channels((k >> 8) as usize)]
}

/// The velocity table from a summary per step (0 = lead → mql) and source
/// channel code (`None`: all channels).
fn render(mut summary: impl FnMut(usize, Option<u8>) -> Option<Summary>) -> Table {
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
