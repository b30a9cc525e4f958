//! The won opportunities one row of an attribution report is made of: those
//! closed in the period whose window credits the row's key (a campaign,
//! `(no campaign)` or `(none)`; a channel or `(none)`), the largest first.
//! What the dashboard offers to explain instead of a typed id. Finding them
//! is a lookup: the attribution cells keep, per key, the wins crediting it by
//! amount ([`crate::attribution::Wins`]), batch by batch with the credit;
//! how many there are is the report's `won_opportunities`.

use std::cmp::Reverse;

use accord_core::domain::{Channel, Timestamp};

use crate::attribution::{
    self, keep_marketing, window_touches, TouchIndex, NO_CAMPAIGN, NO_TOUCHES,
};
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
/// (the key's marketing touches in the window; 0 for `(none)`). Without a
/// [`crate::Live`] at hand: every win's window is looked at once, into
/// attribution cells of their own ([`crate::Live::won_by`] reads its own).
pub fn won_by(
    p: &Projections,
    terms: &ReportTerms,
    ix: &impl TouchIndex,
    by: By,
    key: &str,
    period: &Period,
    limit: usize,
) -> Result<(Table, usize), String> {
    let code = code_of(p, by, key)?;
    let mut cells = attribution::Cells::default();
    let mut window = Vec::new();
    let o = &p.opps;
    for i in 0..o.ids.len() as u32 {
        let u = i as usize;
        if o.created[u] && o.status[u] == OppStatus::Won && period.contains(o.closed_at[u]) {
            window_touches(p, terms, ix, i, &mut window);
            keep_marketing(p, &mut window);
            cells.win(p, terms, i, 1, &window);
        }
    }
    Ok(listed(p, &cells, by, code, period, limit))
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

/// The won opportunities closed in `period` crediting the key `code`, read
/// from the cells' [`attribution::Wins`] (a range of the key's entries,
/// largest first, stopping after the `limit`-th once the amount changes:
/// equal amounts are then put in id order), and their number from the
/// cells' credit.
pub(crate) fn listed(
    p: &Projections,
    cells: &attribution::Cells,
    by: By,
    code: u32,
    period: &Period,
    limit: usize,
) -> (Table, usize) {
    let (wins, campaign) = match by {
        By::Campaign => (&cells.wins.by_campaign, true),
        By::Channel => (&cells.wins.by_channel, false),
    };
    let o = &p.opps;
    let mut found: Vec<(i64, u32, u32)> = Vec::new();
    let range = (code, Reverse(i64::MAX), 0)..=(code, Reverse(i64::MIN), u32::MAX);
    for (&(_, Reverse(amount), opp), &touches) in wins.range(range) {
        if found.len() >= limit && found.last().is_none_or(|&(last, _, _)| last != amount) {
            break;
        }
        if period.contains(o.closed_at[opp as usize]) {
            found.push((amount, opp, touches));
        }
    }
    found.sort_unstable_by(|a, b| {
        b.0.cmp(&a.0)
            .then_with(|| o.ids.name(a.1).cmp(o.ids.name(b.1)))
    });
    found.truncate(limit);
    let mut t = Table::new(
        "attribution won by",
        &[
            ("opportunity_id", K::Text),
            ("closed_at", K::Timestamp),
            ("amount_usd", K::Money),
            ("touches", K::Int),
        ],
    );
    for &(amount, opp, touches) in &found {
        t.push(vec![
            Value::text(o.ids.name(opp)),
            Value::Timestamp(Timestamp::from_unix_seconds(o.closed_at[opp as usize])),
            Value::Money(amount),
            Value::Int(i64::from(touches)),
        ]);
    }
    (t, cells.won_count(campaign, code, period))
}
