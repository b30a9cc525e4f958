//! `attribution_campaign`, `attribution_channel`: multi-touch attribution of
//! won revenue.
//!
//! A won opportunity's *touches* are the marketing touches of every lead of its
//! account that occurred in [created_at − lookback days, created_at] (both ends
//! included), in (time, touch id) order. With n touches a touch's weight is,
//! per model: `first_touch` 1 for the first; `last_touch` 1 for the last;
//! `linear` 1/n; `u_shaped` 1 (n = 1), ½ each (n = 2), else 0.4 first, 0.4
//! last and 0.2/(n−2) each between; `time_decay` 2^(−d/half-life) normalised
//! to sum 1, d in fractional days before the opportunity's creation. A touch
//! earns amount × weight; an opportunity without touches gives its whole
//! amount under every model to `(none)`. Credits are summed unrounded and each
//! sum is rounded to cents once, so a model's column adds up to the won
//! revenue within half a cent per row.
//!
//! Keys: the touch's campaign (`(no campaign)` without one), or its channel.
//! `won_opportunities` counts the distinct opportunities crediting the key;
//! `linear_roi` is the rounded `linear_usd` over the campaign's cost (null
//! without a cost or a zero cost). With a period, the opportunities won
//! (closed) inside it; their touches may be older. The cells keep each key's
//! credit per (close day, key), in fixed point of 10⁻⁹ cent so that sums are
//! exact and order-free; a sum is rounded to cents once, when shown.

use std::cmp::Reverse;
use std::collections::BTreeMap;

use accord_core::domain::{Channel, Timestamp, TouchKind};
use rustc_hash::FxHashMap;

use crate::cells::{day, in_days, DayMap, Days};
use crate::projection::{OppStatus, Projections, NONE, NO_CODE};
use crate::table::{ColumnKind as K, Table, Value};
use crate::{Period, ReportTerms};

/// The attribution models, in column order.
pub const MODELS: [&str; 5] = [
    "first_touch",
    "last_touch",
    "linear",
    "u_shaped",
    "time_decay",
];

/// The orders the attribution window reads.
pub trait TouchIndex {
    /// The created leads of an account.
    fn account_leads(&self, account: u32) -> &[u32];
    /// A lead's touches in (time, touch id) order.
    fn lead_touches(&self, lead: u32) -> &[u32];
}

/// The touches (any kind) of every created lead of `o`'s account in its
/// attribution window, [created_at − lookback days, created_at] (both ends
/// included), as (time, touch) in (time, touch id) order.
pub fn window_touches(
    p: &Projections,
    terms: &ReportTerms,
    ix: &impl TouchIndex,
    o: u32,
    out: &mut Vec<(i64, u32)>,
) {
    out.clear();
    let i = o as usize;
    let account = p.opps.account[i];
    if account == NONE {
        return;
    }
    let end = p.opps.created_at[i];
    let start = end - i64::from(terms.lookback_days) * 86_400;
    let at = &p.touches.at;
    for &lead in ix.account_leads(account) {
        let touches = ix.lead_touches(lead);
        let from = touches.partition_point(|&t| at[t as usize] < start);
        for &t in &touches[from..] {
            let when = at[t as usize];
            if when > end {
                break;
            }
            out.push((when, t));
        }
    }
    let ids = &p.touches.ids;
    out.sort_unstable_by(|a, b| a.0.cmp(&b.0).then_with(|| ids.get(a.1).cmp(ids.get(b.1))));
}

/// Whether a window (from [`window_touches`]) holds a marketing touch: its
/// opportunity is marketing-influenced (`kpi_outcomes`), won or not.
pub fn has_marketing(p: &Projections, window: &[(i64, u32)]) -> bool {
    window.iter().any(|&(_, t)| !p.touches.is_sales(t))
}

/// Leaves the marketing touches of a window: the ones attribution credits.
pub fn keep_marketing(p: &Projections, window: &mut Vec<(i64, u32)>) {
    window.retain(|&(_, t)| !p.touches.is_sales(t));
}

/// Each touch's weight under each model (in [`MODELS`] order); each model's
/// weights sum to 1 when there is at least one touch.
pub fn weights(
    p: &Projections,
    terms: &ReportTerms,
    o: u32,
    touches: &[(i64, u32)],
) -> Vec<[f64; 5]> {
    let n = touches.len();
    let created = p.opps.created_at[o as usize];
    let decay: Vec<f64> = touches
        .iter()
        .map(|&(at, _)| {
            let days = (created - at) as f64 / 86_400.0;
            (-days / terms.half_life_days).exp2()
        })
        .collect();
    let decay_sum: f64 = decay.iter().sum();
    (0..n)
        .map(|k| {
            let ends = k == 0 || k == n - 1;
            let u = match n {
                1 => 1.0,
                2 => 0.5,
                _ if ends => 0.4,
                _ => 0.2 / (n - 2) as f64,
            };
            [
                f64::from(u8::from(k == 0)),
                f64::from(u8::from(k == n - 1)),
                1.0 / n as f64,
                u,
                decay[k] / decay_sum,
            ]
        })
        .collect()
}

/// Keys for touches without a campaign, and for opportunities without touches.
pub(crate) const NO_CAMPAIGN: u32 = NONE - 1;
pub(crate) const NO_TOUCHES: u32 = NONE;

/// A touch's key in `attribution_campaign`: its campaign, or [`NO_CAMPAIGN`].
pub(crate) fn campaign_key(p: &Projections, t: u32) -> u32 {
    match p.touches.campaign[t as usize] {
        NONE => NO_CAMPAIGN,
        c => c,
    }
}

/// A touch's key in `attribution_channel`: its channel's code.
pub(crate) fn channel_key(p: &Projections, t: u32) -> u32 {
    u32::from(p.touches.channel[t as usize])
}

/// Credit is kept in units of 10⁻⁹ cent.
const UNITS_PER_CENT: f64 = 1e9;

/// A key's opportunities and credit per model.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub(crate) struct Credit {
    pub(crate) opps: i64,
    pub(crate) units: [i128; 5],
}

impl Credit {
    fn add(&mut self, other: &Credit) {
        self.opps += other.opps;
        for (u, x) in self.units.iter_mut().zip(other.units) {
            *u += x;
        }
    }

    /// As the tables show it: opportunities and each model's cents.
    fn shown(&self) -> (i64, [i64; 5]) {
        (self.opps, self.units.map(cents))
    }
}

/// Fixed-point credit in cents, rounded the way a sum of dollars in floating
/// point is (`round(dollars, 2)`): through the nearest dollar value a double
/// holds, so that an exact half cent such as 1213.215 rounds as its double
/// (1213.2149…) does, like the reference.
fn cents(units: i128) -> i64 {
    crate::table::dollars_to_cents(units as f64 / (UNITS_PER_CENT * 100.0))
}

/// Attribution's cells: credit per (close day, campaign key) and per
/// (close day, channel code or [`NO_TOUCHES`]), and the won opportunities
/// crediting each key ([`Wins`]).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub(crate) struct Cells {
    pub(crate) by_campaign: DayMap<Credit>,
    pub(crate) by_channel: DayMap<Credit>,
    pub(crate) wins: Wins,
}

/// Per key, the won opportunities it is credited by: what `won_by` lists.
/// An entry is (key, amount largest first, opportunity) → the key's
/// marketing touches in the opportunity's window (0 under [`NO_TOUCHES`]).
/// Kept by [`Cells::win`] with the credit, so a key's wins are a range of
/// the map, already by amount. The amount in an entry is the opportunity's
/// amount when it was added: between batches, its amount now.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub(crate) struct Wins {
    pub(crate) by_campaign: WinMap,
    pub(crate) by_channel: WinMap,
}

/// See [`Wins`].
pub(crate) type WinMap = BTreeMap<(u32, Reverse<i64>, u32), u32>;

/// Adds (`sign` 1) or takes back (-1) the entry of win `o` under `key`.
fn mark(map: &mut WinMap, key: u32, amount: i64, o: u32, sign: i64, touches: u32) {
    let entry = (key, Reverse(amount), o);
    if sign > 0 {
        let before = map.insert(entry, touches);
        debug_assert!(before.is_none(), "a win is added once per key");
    } else {
        let before = map.remove(&entry);
        debug_assert_eq!(before, Some(touches), "a win taken back was added");
    }
}

impl Cells {
    /// What a won opportunity adds (`sign` 1) or takes back (-1), on its
    /// close day, given its window's marketing `touches`: its credit per key
    /// and its entry in [`Wins`] under each key it credits.
    pub(crate) fn win(
        &mut self,
        p: &Projections,
        terms: &ReportTerms,
        o: u32,
        sign: i64,
        touches: &[(i64, u32)],
    ) {
        debug_assert!(sign == 1 || sign == -1);
        let d = day(p.opps.closed_at[o as usize]);
        let amount = p.opps.amount_cents[o as usize];
        let whole = i128::from(sign) * i128::from(amount) * UNITS_PER_CENT as i128;
        if touches.is_empty() {
            for (map, wins) in [
                (&mut self.by_campaign, &mut self.wins.by_campaign),
                (&mut self.by_channel, &mut self.wins.by_channel),
            ] {
                let c = map.entry((d, NO_TOUCHES)).or_default();
                c.opps += sign;
                c.units.iter_mut().for_each(|u| *u += whole);
                mark(wins, NO_TOUCHES, amount, o, sign, 0);
            }
            return;
        }
        let mut campaigns: Vec<u32> = Vec::with_capacity(touches.len());
        let mut channels: Vec<u32> = Vec::with_capacity(touches.len());
        for (&(_, t), w) in touches.iter().zip(weights(p, terms, o, touches)) {
            let (campaign, channel) = (campaign_key(p, t), channel_key(p, t));
            let units =
                w.map(|w| i128::from(sign) * (amount as f64 * w * UNITS_PER_CENT).round() as i128);
            for (map, key) in [
                (&mut self.by_campaign, campaign),
                (&mut self.by_channel, channel),
            ] {
                let c = map.entry((d, key)).or_default();
                for (u, x) in c.units.iter_mut().zip(units) {
                    *u += x;
                }
            }
            campaigns.push(campaign);
            channels.push(channel);
        }
        for (map, wins, mut keys) in [
            (&mut self.by_campaign, &mut self.wins.by_campaign, campaigns),
            (&mut self.by_channel, &mut self.wins.by_channel, channels),
        ] {
            keys.sort_unstable();
            for run in keys.chunk_by(|a, b| a == b) {
                map.entry((d, run[0])).or_default().opps += sign;
                mark(wins, run[0], amount, o, sign, run.len() as u32);
            }
        }
    }

    /// How many won opportunities closed in `period` credit a key (a
    /// campaign key when `campaign`, else a channel key): the reports'
    /// `won_opportunities`.
    pub(crate) fn won_count(&self, campaign: bool, key: u32, period: &Period) -> usize {
        let map = if campaign {
            &self.by_campaign
        } else {
            &self.by_channel
        };
        let opps: i64 = in_days(map, Days::of(period))
            .filter(|(&(_, k), _)| k == key)
            .map(|(_, c)| c.opps)
            .sum();
        opps.max(0) as usize
    }

    pub(crate) fn campaigns(&self, p: &Projections, period: &Period) -> Table {
        render_campaigns(p, summed(&self.by_campaign, period))
    }

    pub(crate) fn channels(&self, period: &Period) -> Table {
        render_channels(summed(&self.by_channel, period))
    }
}

/// Each key's credit over the days of `period`, as shown.
fn summed(map: &DayMap<Credit>, period: &Period) -> impl Iterator<Item = (u32, (i64, [i64; 5]))> {
    let mut keys: FxHashMap<u32, Credit> = FxHashMap::default();
    for (&(_, key), c) in in_days(map, Days::of(period)) {
        keys.entry(key).or_default().add(c);
    }
    keys.into_iter().map(|(k, c)| (k, c.shown()))
}

pub(crate) const CAMPAIGN_COLUMNS: &[(&str, K)] = &[
    ("campaign_id", K::Text),
    ("won_opportunities", K::Int),
    ("cost_usd", K::Money),
    ("first_touch_usd", K::Money),
    ("last_touch_usd", K::Money),
    ("linear_usd", K::Money),
    ("u_shaped_usd", K::Money),
    ("time_decay_usd", K::Money),
    ("linear_roi", K::Float),
];

pub(crate) const CHANNEL_COLUMNS: &[(&str, K)] = &[
    ("channel", K::Text),
    ("won_opportunities", K::Int),
    ("first_touch_usd", K::Money),
    ("last_touch_usd", K::Money),
    ("linear_usd", K::Money),
    ("u_shaped_usd", K::Money),
    ("time_decay_usd", K::Money),
];

/// The attribution_campaign table from each key's won opportunities and
/// cents per model (keys: a campaign, [`NO_CAMPAIGN`] or [`NO_TOUCHES`]);
/// keys without opportunities are left out.
fn render_campaigns(
    p: &Projections,
    credits: impl Iterator<Item = (u32, (i64, [i64; 5]))>,
) -> Table {
    let mut rows: Vec<(&str, u32, i64, [i64; 5])> = credits
        .filter(|(_, (opps, _))| *opps > 0)
        .map(|(k, (opps, cents))| {
            let name = match k {
                NO_TOUCHES => "(none)",
                NO_CAMPAIGN => "(no campaign)",
                k => p.campaigns.ids.name(k),
            };
            (name, k, opps, cents)
        })
        .collect();
    rows.sort_unstable_by(|a, b| a.0.cmp(b.0));
    let mut t = Table::new("attribution_campaign", CAMPAIGN_COLUMNS);
    for (name, k, opps, cents) in rows {
        let cost = match k {
            NO_TOUCHES | NO_CAMPAIGN => None,
            k => p.campaigns.cost_cents[k as usize],
        };
        let roi = match cost {
            Some(cost) if cost != 0 => Value::Float(cents[2] as f64 / cost as f64),
            _ => Value::Null,
        };
        let mut row = vec![
            Value::text(name),
            Value::Int(opps),
            cost.map_or(Value::Null, Value::Money),
        ];
        row.extend(cents.map(Value::Money));
        row.push(roi);
        t.push(row);
    }
    t
}

/// The attribution_channel table from each key's won opportunities and
/// cents per model (keys: a channel code or [`NO_TOUCHES`]).
fn render_channels(credits: impl Iterator<Item = (u32, (i64, [i64; 5]))>) -> Table {
    let mut rows: Vec<(&str, i64, [i64; 5])> = credits
        .filter(|(_, (opps, _))| *opps > 0)
        .map(|(k, (opps, cents))| {
            let name = match k {
                NO_TOUCHES => "(none)",
                k => Channel::from_code(k as u8).map_or("", Channel::as_str),
            };
            (name, opps, cents)
        })
        .collect();
    rows.sort_unstable_by(|a, b| a.0.cmp(b.0));
    let mut t = Table::new("attribution_channel", CHANNEL_COLUMNS);
    for (name, opps, cents) in rows {
        let mut row = vec![
            if name.is_empty() {
                Value::Null
            } else {
                Value::text(name)
            },
            Value::Int(opps),
        ];
        row.extend(cents.map(Value::Money));
        t.push(row);
    }
    t
}

/// One opportunity's touches with their weight and credit under each model,
/// and a line saying what was credited. Only a win's amount is revenue: an
/// open or lost opportunity's touches show their weights (how a win would be
/// shared) with $0 credit, and the line says that nothing was won.
pub fn explain(
    p: &Projections,
    terms: &ReportTerms,
    opportunity_id: &str,
) -> Result<(Table, String), String> {
    explain_in(p, terms, p.derived(), opportunity_id)
}

/// [`explain`] reading the orders of `ix` (a [`crate::Live`]'s, kept
/// current as events arrive) instead of building the projections' own.
pub fn explain_in(
    p: &Projections,
    terms: &ReportTerms,
    ix: &impl TouchIndex,
    opportunity_id: &str,
) -> Result<(Table, String), String> {
    let o = p
        .opps
        .ids
        .get(opportunity_id)
        .filter(|&o| p.opps.created[o as usize])
        .ok_or_else(|| {
            format!(
                "no opportunity {} in the log",
                crate::quoted(opportunity_id)
            )
        })?;
    let mut touches = Vec::new();
    window_touches(p, terms, ix, o, &mut touches);
    keep_marketing(p, &mut touches);
    let amount_cents = p.opps.amount_cents[o as usize];
    let closed = || Timestamp::from_unix_seconds(p.opps.closed_at[o as usize]);
    let (won_cents, outcome) = match p.opps.status[o as usize] {
        OppStatus::Won => (
            amount_cents,
            format!(
                "won at {}: {} shared among its touches",
                closed(),
                crate::table::human_money(amount_cents)
            ),
        ),
        OppStatus::Lost => (
            0,
            format!(
                "lost at {}: nothing was won, so no revenue is credited (the weights show how a win of {} would have been shared)",
                closed(),
                crate::table::human_money(amount_cents)
            ),
        ),
        OppStatus::Open => (
            0,
            format!(
                "open: not won (yet), so no revenue is credited (the weights show how a win of {} would be shared)",
                crate::table::human_money(amount_cents)
            ),
        ),
    };
    let amount = won_cents as f64 / 100.0;
    let created = p.opps.created_at[o as usize];
    let mut columns: Vec<(&'static str, K)> = vec![
        ("touch_id", K::Text),
        ("occurred_at", K::Timestamp),
        ("lead_id", K::Text),
        ("kind", K::Text),
        ("channel", K::Text),
        ("campaign_id", K::Text),
        ("days_before", K::Float),
    ];
    const WEIGHT: [&str; 5] = [
        "first_touch_weight",
        "last_touch_weight",
        "linear_weight",
        "u_shaped_weight",
        "time_decay_weight",
    ];
    const CREDIT: [&str; 5] = [
        "first_touch_usd",
        "last_touch_usd",
        "linear_usd",
        "u_shaped_usd",
        "time_decay_usd",
    ];
    columns.extend(WEIGHT.iter().map(|&w| (w, K::Float)));
    columns.extend(CREDIT.iter().map(|&c| (c, K::Money)));
    let mut t = Table::new("attribution explain", &columns);
    let ws = weights(p, terms, o, &touches);
    for (&(_, tc), w) in touches.iter().zip(&ws) {
        let i = tc as usize;
        let opt = |v: u32, names: &crate::projection::Interner| {
            if v == NONE {
                Value::Null
            } else {
                Value::text(names.name(v))
            }
        };
        let mut row = vec![
            Value::text(p.touches.ids.get(tc)),
            Value::Timestamp(Timestamp::from_unix_seconds(p.touches.at[i])),
            Value::text(p.leads.ids.name(p.touches.lead[i])),
            Value::text(TouchKind::from_code(p.touches.kind[i]).map_or("", TouchKind::as_str)),
            match p.touches.channel[i] {
                NO_CODE => Value::Null,
                c => Value::text(Channel::from_code(c).map_or("", Channel::as_str)),
            },
            opt(p.touches.campaign[i], &p.campaigns.ids),
            Value::Float((created - p.touches.at[i]) as f64 / 86_400.0),
        ];
        row.extend(w.iter().map(|&x| Value::Float(x)));
        row.extend(w.iter().map(|&x| Value::money_from_dollars(amount * x)));
        t.push(row);
    }
    if touches.is_empty() {
        let mut row = vec![Value::text("(none)")];
        row.extend(std::iter::repeat_n(Value::Null, 6));
        row.extend(std::iter::repeat_n(Value::Float(1.0), 5));
        row.extend(std::iter::repeat_n(Value::Money(won_cents), 5));
        t.push(row);
    }
    t.terms = crate::terms_used("attribution_campaign", terms);
    Ok((t, outcome))
}
