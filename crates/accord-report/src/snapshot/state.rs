//! `Live`'s indexes and every report's day cells to bytes and back, so that
//! a state read from a snapshot needs no rebuild. Cells are written as they
//! are held: maps in key order, each entry its day, its key and its value;
//! a multiset as its sorted values (a snapshot is taken between batches,
//! when no change is queued).

use std::cmp::Reverse;
use std::collections::BTreeMap;

use rustc_hash::FxHashMap;

use super::codec::{In, Out};
use super::SnapshotError;
use crate::attribution::Credit;
use crate::cells::{Day, DayMap};
use crate::content::DayUse;
use crate::live::{Cells, Indexes};
use crate::projection::{OppStatus, Projections};
use crate::stats::{DayMultisets, Multiset};
use crate::{attribution, content, funnel, kpi, leaderboard, rejections, sla, velocity};

type Res<T> = Result<T, SnapshotError>;

pub(crate) fn write_indexes(out: &mut Out, ix: &Indexes) {
    let Indexes {
        lead_touches,
        lead_sales_at,
        lead_transitions,
        account_leads,
        account_opps,
        lead_opps,
    } = ix;
    for lists in [lead_touches, lead_transitions, account_leads, account_opps] {
        u32_lists(out, lists);
    }
    i64_lists(out, lead_sales_at);
    let mut by_lead: Vec<(&u32, &Vec<u32>)> = lead_opps.iter().collect();
    by_lead.sort_unstable();
    let leads: Vec<u32> = by_lead.iter().map(|(&l, _)| l).collect();
    out.u32s(&leads);
    let lists: Vec<Vec<u32>> = by_lead.into_iter().map(|(_, o)| o.clone()).collect();
    u32_lists(out, &lists);
}

pub(crate) fn read_indexes(r: &mut In<'_>) -> Res<Indexes> {
    let lead_touches = read_u32_lists(r, "touches by lead")?;
    let lead_transitions = read_u32_lists(r, "transitions by lead")?;
    let account_leads = read_u32_lists(r, "leads by account")?;
    let account_opps = read_u32_lists(r, "opportunities by account")?;
    let lead_sales_at = read_i64_lists(r, "sales touch times by lead")?;
    let leads = r.u32s("opportunities' leads")?;
    let lists = read_u32_lists(r, "opportunities by lead")?;
    if leads.len() != lists.len() {
        return Err(r.invalid("opportunities by lead"));
    }
    Ok(Indexes {
        lead_touches,
        lead_sales_at,
        lead_transitions,
        account_leads,
        account_opps,
        lead_opps: leads.into_iter().zip(lists).collect::<FxHashMap<_, _>>(),
    })
}

/// The attribution cells' [`attribution::Wins`], in the bulk part: per
/// map its keys, opportunities and touch counts as three columns, in the
/// map's order (the amounts are the opportunities' own).
pub(crate) fn write_wins(out: &mut Out, wins: &attribution::Wins) {
    let attribution::Wins {
        by_campaign,
        by_channel,
    } = wins;
    for map in [by_campaign, by_channel] {
        let keys: Vec<u32> = map.keys().map(|&(k, _, _)| k).collect();
        let opps: Vec<u32> = map.keys().map(|&(_, _, o)| o).collect();
        let touches: Vec<u32> = map.values().copied().collect();
        out.u32s(&keys);
        out.u32s(&opps);
        out.u32s(&touches);
    }
}

/// [`write_wins`] read back against the opportunities of `p`: each entry
/// a created, won opportunity, each (key, opportunity) once.
pub(crate) fn read_wins(r: &mut In<'_>, p: &Projections) -> Res<attribution::Wins> {
    let o = &p.opps;
    let mut read = |what: &'static str| -> Res<attribution::WinMap> {
        let keys = r.u32s(what)?;
        let opps = r.u32s(what)?;
        let touches = r.u32s(what)?;
        if keys.len() != opps.len() || keys.len() != touches.len() {
            return Err(r.invalid(what));
        }
        let won = |i: u32| {
            let i = i as usize;
            i < o.len() && o.created[i] && o.status[i] == OppStatus::Won
        };
        if !opps.iter().all(|&i| won(i)) {
            return Err(r.invalid(what));
        }
        let n = keys.len();
        let map: attribution::WinMap = keys
            .into_iter()
            .zip(opps)
            .zip(touches)
            .map(|((k, i), t)| ((k, Reverse(o.amount_cents[i as usize]), i), t))
            .collect();
        if map.len() != n {
            return Err(r.invalid(what));
        }
        Ok(map)
    };
    Ok(attribution::Wins {
        by_campaign: read("wins by campaign")?,
        by_channel: read("wins by channel")?,
    })
}

pub(crate) fn write_cells(out: &mut Out, c: &Cells) {
    let Cells {
        funnel,
        velocity,
        sla,
        kpi,
        rejections,
        leaderboard,
        attribution,
        content,
    } = c;
    day_map(out, &funnel.0, ints);
    multisets(out, &velocity.days);
    let sla::Cells {
        followup,
        seconds,
        marketing,
        ..
    } = sla;
    day_map(out, followup, ints);
    multisets(out, seconds);
    day_map(out, marketing, ints);
    out.len(kpi.0.len());
    for (&d, counts) in &kpi.0 {
        out.i64(d);
        ints(out, &counts.slots());
    }
    day_map(out, &rejections.0, ints);
    let leaderboard::Cells { reps, cycle } = leaderboard;
    day_map(out, reps, ints);
    multisets(out, cycle);
    let attribution::Cells {
        by_campaign,
        by_channel,
        // Only a whole `Live` answers `won_by`: in the bulk part.
        wins: _,
    } = attribution;
    for credits in [by_campaign, by_channel] {
        day_map(out, credits, |o, c: &Credit| {
            o.i64(c.opps);
            for u in c.units {
                o.u64(u as u64);
                o.u64((u >> 64) as u64);
            }
        });
    }
    let content::Cells {
        uses, influence, ..
    } = content;
    out.len(uses.len());
    for by_day in uses {
        out.len(by_day.len());
        for (&d, u) in by_day {
            let DayUse {
                uses,
                sales_uses,
                last_used_at,
                leads,
            } = u;
            out.i64(d);
            ints(out, &[*uses, *sales_uses, *last_used_at]);
            out.u32s(leads);
        }
    }
    day_map(out, &influence.days, ints);
}

pub(crate) fn read_cells(r: &mut In<'_>) -> Res<Cells> {
    let funnel = funnel::Cells(read_day_map(r, "funnel cells", read_ints)?);
    let velocity = velocity::Cells::of_days(read_multisets(r, "velocity cells")?);
    let sla = sla::Cells::of_days(
        read_day_map(r, "follow-up cells", read_ints)?,
        read_multisets(r, "follow-up times")?,
        read_day_map(r, "marketing cells", read_ints)?,
    );
    let n = r.len(8, "kpi cells")?;
    let mut days = BTreeMap::new();
    for _ in 0..n {
        let d = r.i64("kpi cells")?;
        days.insert(d, kpi::Counts::from_slots(read_ints(r, "kpi cells")?));
    }
    let kpi = kpi::Cells(days);
    let rejections = rejections::Cells(read_day_map(r, "rejection cells", read_ints)?);
    let leaderboard = leaderboard::Cells {
        reps: read_day_map(r, "leaderboard cells", read_ints)?,
        cycle: read_multisets(r, "sales cycles")?,
    };
    let credit = |r: &mut In<'_>, what| -> Res<Credit> {
        let opps = r.i64(what)?;
        let mut units = [0i128; 5];
        for u in &mut units {
            let low = r.u64(what)?;
            let high = r.u64(what)?;
            *u = ((u128::from(high) << 64) | u128::from(low)) as i128;
        }
        Ok(Credit { opps, units })
    };
    let attribution = attribution::Cells {
        by_campaign: read_day_map(r, "credit by campaign", credit)?,
        by_channel: read_day_map(r, "credit by channel", credit)?,
        wins: attribution::Wins::default(),
    };
    let assets = r.len(8, "content uses")?;
    let mut uses = Vec::with_capacity(assets);
    for _ in 0..assets {
        let n = r.len(8, "content uses")?;
        let mut by_day = BTreeMap::new();
        for _ in 0..n {
            let d = r.i64("content uses")?;
            let [uses, sales_uses, last_used_at] = read_ints(r, "content uses")?;
            let leads = r.u32s("content use leads")?;
            by_day.insert(
                d,
                DayUse {
                    uses,
                    sales_uses,
                    last_used_at,
                    leads,
                },
            );
        }
        uses.push(by_day);
    }
    let content = content::Cells::of_days(uses, read_day_map(r, "content influence", read_ints)?);
    Ok(Cells {
        funnel,
        velocity,
        sla,
        kpi,
        rejections,
        leaderboard,
        attribution,
        content,
    })
}

fn ints<const N: usize>(out: &mut Out, v: &[i64; N]) {
    for &x in v {
        out.i64(x);
    }
}

fn read_ints<const N: usize>(r: &mut In<'_>, what: &'static str) -> Res<[i64; N]> {
    let mut v = [0; N];
    for x in &mut v {
        *x = r.i64(what)?;
    }
    Ok(v)
}

fn day_map<V>(out: &mut Out, map: &DayMap<V>, value: impl Fn(&mut Out, &V)) {
    out.len(map.len());
    for (&(d, key), v) in map {
        out.i64(d);
        out.u32(key);
        value(out, v);
    }
}

fn read_day_map<V>(
    r: &mut In<'_>,
    what: &'static str,
    value: impl Fn(&mut In<'_>, &'static str) -> Res<V>,
) -> Res<DayMap<V>> {
    let n = r.len(12, what)?;
    let mut map = DayMap::new();
    for _ in 0..n {
        let d: Day = r.i64(what)?;
        let key = r.u32(what)?;
        map.insert((d, key), value(r, what)?);
    }
    Ok(map)
}

fn multisets(out: &mut Out, m: &DayMultisets) {
    debug_assert!(m.changed.is_empty(), "a snapshot is taken between batches");
    day_map(out, &m.cells, |o, set| o.i64s(set.sorted()));
}

fn read_multisets(r: &mut In<'_>, what: &'static str) -> Res<DayMultisets> {
    let cells = read_day_map(r, what, |r, what| {
        let sorted = r.i64s(what)?;
        if sorted.windows(2).any(|w| w[0] > w[1]) {
            return Err(r.invalid(what));
        }
        Ok(Multiset::of_sorted(sorted))
    })?;
    Ok(DayMultisets::of_cells(cells))
}

fn u32_lists(out: &mut Out, lists: &[Vec<u32>]) {
    let lens: Vec<u32> = lists.iter().map(|l| l.len() as u32).collect();
    out.u32s(&lens);
    out.u32s(&lists.concat());
}

fn i64_lists(out: &mut Out, lists: &[Vec<i64>]) {
    let lens: Vec<u32> = lists.iter().map(|l| l.len() as u32).collect();
    out.u32s(&lens);
    out.i64s(&lists.concat());
}

fn read_u32_lists(r: &mut In<'_>, what: &'static str) -> Res<Vec<Vec<u32>>> {
    let lens = r.u32s(what)?;
    let flat = r.u32s(what)?;
    split(&lens, &flat).ok_or_else(|| r.invalid(what))
}

fn read_i64_lists(r: &mut In<'_>, what: &'static str) -> Res<Vec<Vec<i64>>> {
    let lens = r.u32s(what)?;
    let flat = r.i64s(what)?;
    split(&lens, &flat).ok_or_else(|| r.invalid(what))
}

/// `flat` cut into lists of the given lengths, if they add up.
fn split<T: Copy>(lens: &[u32], flat: &[T]) -> Option<Vec<Vec<T>>> {
    let total: u64 = lens.iter().map(|&n| u64::from(n)).sum();
    if total != flat.len() as u64 {
        return None;
    }
    let mut rest = flat;
    Some(
        lens.iter()
            .map(|&n| {
                let (list, after) = rest.split_at(n as usize);
                rest = after;
                list.to_vec()
            })
            .collect(),
    )
}
