//! The won opportunities one row of an attribution report is made of: those
//! closed in the period whose window credits the row's key (a campaign,
//! `(no campaign)` or `(none)`; a channel or `(none)`), the largest first.
//! What the dashboard offers to explain instead of a typed id.

use accord_core::domain::{Channel, Timestamp};

use crate::attribution::{
    campaign_key, channel_key, keep_marketing, window_touches, TouchIndex, NO_CAMPAIGN, NO_TOUCHES,
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
    let code = match (by, key) {
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
    };
    let o = &p.opps;
    let mut window = Vec::new();
    let mut found: Vec<(u32, i64)> = Vec::new();
    for i in 0..o.ids.len() {
        if !o.created[i] || o.status[i] != OppStatus::Won || !period.contains(o.closed_at[i]) {
            continue;
        }
        window_touches(p, terms, ix, i as u32, &mut window);
        keep_marketing(p, &mut window);
        let touches = if window.is_empty() {
            i64::from(code == NO_TOUCHES)
        } else {
            let keyed = |t: u32| match by {
                By::Campaign => campaign_key(p, t),
                By::Channel => channel_key(p, t),
            };
            window.iter().filter(|&&(_, t)| keyed(t) == code).count() as i64
        };
        if touches > 0 {
            found.push((i as u32, if window.is_empty() { 0 } else { touches }));
        }
    }
    found.sort_unstable_by(|&(a, _), &(b, _)| {
        let (a, b) = (a as usize, b as usize);
        o.amount_cents[b]
            .cmp(&o.amount_cents[a])
            .then_with(|| o.ids.name(a as u32).cmp(o.ids.name(b as u32)))
    });
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
    Ok((t, found.len()))
}
