//! The won opportunities one row of an attribution report is made of: those
//! closed in the period whose window credits the row's key (a campaign,
//! `(no campaign)` or `(none)`; a channel or `(none)`), the largest first.
//! What the dashboard offers to explain instead of a typed id. The wins are
//! looked at largest first and the look stops at `limit`; how many there
//! are is the report's `won_opportunities` when the cells are at hand
//! ([`crate::Live::won_by`]), else counted by looking at every win.

use accord_core::domain::{Channel, Timestamp};

use crate::attribution::{campaign_key, channel_key, TouchIndex, NO_CAMPAIGN, NO_TOUCHES};
use crate::projection::{OppStatus, Projections};
use crate::table::{ColumnKind as K, Table, Value};
use crate::{Period, ReportTerms};

/// Which report's key.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum By {
    Campaign,
    Channel,
}

/// The won opportunities closed in `period` that credit `key` under `by`:
/// the first `limit` by amount (largest first, then id), and how many there
/// are. Columns: `opportunity_id`, `closed_at`, `amount_usd` and `touches`
/// (the key's marketing touches in the window; 0 for `(none)`).
pub fn won_by(
    p: &Projections,
    terms: &ReportTerms,
    ix: &impl TouchIndex,
    by: By,
    key: &str,
    period: &Period,
    limit: usize,
) -> Result<(Table, usize), String> {
    won_by_in(p, terms, ix, by, key, period, limit, None)
}

/// The key's code in the report's cells.
pub(crate) fn code_of(p: &Projections, by: By, key: &str) -> Result<u32, String> {
    Ok(match (by, key) {
        (_, "(none)") => NO_TOUCHES,
        (By::Campaign, "(no campaign)") => NO_CAMPAIGN,
        (By::Campaign, id) => p
            .campaigns
            .ids
            .get(id)
            .ok_or_else(|| format!("no campaign {} in the log", crate::quoted(id)))?,
        (By::Channel, word) => Channel::parse(word)
            .map(|c| u32::from(c.code()))
            .ok_or_else(|| format!("unknown channel {}", crate::quoted(word)))?,
    })
}

/// [`won_by`], the total given by `total` (from the cells) when there is one.
#[allow(clippy::too_many_arguments)]
pub(crate) fn won_by_in(
    p: &Projections,
    terms: &ReportTerms,
    ix: &impl TouchIndex,
    by: By,
    key: &str,
    period: &Period,
    limit: usize,
    total: Option<&dyn Fn(u32) -> usize>,
) -> Result<(Table, usize), String> {
    let code = code_of(p, by, key)?;
    let o = &p.opps;
    let mut wins: Vec<u32> = (0..o.ids.len() as u32)
        .filter(|&i| {
            let i = i as usize;
            o.created[i] && o.status[i] == OppStatus::Won && period.contains(o.closed_at[i])
        })
        .collect();
    wins.sort_unstable_by(|&a, &b| {
        o.amount_cents[b as usize]
            .cmp(&o.amount_cents[a as usize])
            .then_with(|| o.ids.name(a).cmp(o.ids.name(b)))
    });
    let stop = if total.is_some() { limit } else { usize::MAX };
    let mut found: Vec<(u32, i64)> = Vec::new();
    for &opp in &wins {
        if found.len() >= stop {
            break;
        }
        let (marketing, keyed) = window_counts(p, terms, ix, opp, by, code);
        let touches = if marketing == 0 {
            i64::from(code == NO_TOUCHES)
        } else {
            keyed
        };
        if touches > 0 {
            found.push((opp, if marketing == 0 { 0 } else { touches }));
        }
    }
    let total = total.map_or(found.len(), |t| t(code));
    let mut t = Table::new(
        "attribution won by",
        &[
            ("opportunity_id", K::Text),
            ("closed_at", K::Timestamp),
            ("amount_usd", K::Money),
            ("touches", K::Int),
        ],
    );
    for &(opp, touches) in found.iter().take(limit) {
        let i = opp as usize;
        t.push(vec![
            Value::text(o.ids.name(opp)),
            Value::Timestamp(Timestamp::from_unix_seconds(o.closed_at[i])),
            Value::Money(o.amount_cents[i]),
            Value::Int(touches),
        ]);
    }
    Ok((t, total))
}

/// An opportunity's marketing touches in its attribution window (the
/// touches [`crate::attribution::window_touches`] finds, less sales ones),
/// and how many of them have the key `code`: counted without ordering them.
fn window_counts(
    p: &Projections,
    terms: &ReportTerms,
    ix: &impl TouchIndex,
    o: u32,
    by: By,
    code: u32,
) -> (i64, i64) {
    let i = o as usize;
    let account = p.opps.account[i];
    if account == crate::projection::NONE {
        return (0, 0);
    }
    let end = p.opps.created_at[i];
    let start = end - i64::from(terms.lookback_days) * 86_400;
    let at = &p.touches.at;
    let (mut marketing, mut keyed) = (0, 0);
    for &lead in ix.account_leads(account) {
        let touches = ix.lead_touches(lead);
        let from = touches.partition_point(|&t| at[t as usize] < start);
        for &t in &touches[from..] {
            if at[t as usize] > end {
                break;
            }
            if p.touches.is_sales(t) {
                continue;
            }
            marketing += 1;
            let k = match by {
                By::Campaign => campaign_key(p, t),
                By::Channel => channel_key(p, t),
            };
            keyed += i64::from(k == code);
        }
    }
    (marketing, keyed)
}
