//! [`Projections`] to bytes and back, column by column. Every struct is taken
//! apart with all its fields named, so a field added to the projections does
//! not compile until the snapshot writes it (and `FORMAT` is bumped).

use accord_core::domain::{Month, Team};
use rustc_hash::FxHashMap;

use super::codec::{In, Out};
use super::SnapshotError;
use crate::projection::{
    Arena, Campaigns, Contents, Interner, Leads, OppStatus, Opportunities, Projections, Reps,
    Touches, Transitions, NO_CODE,
};

/// The small part every table's rendering reads (names, costs, the content
/// library, targets, the as-of time); [`write_bulk`] writes the rest.
pub(crate) fn write_catalog(out: &mut Out, p: &Projections) {
    let Projections {
        leads: _,
        touches: _,
        transitions: _,
        opps: _,
        accounts: _,
        reps,
        campaigns,
        contents,
        targets,
        as_of,
        events,
        ..
    } = p;
    write_reps(out, reps);
    write_campaigns(out, campaigns);
    write_contents(out, contents);
    let mut keys: Vec<_> = targets.iter().collect();
    keys.sort_unstable();
    out.len(keys.len());
    for (&(region, month), &target) in keys {
        out.u8(region);
        out.u32(month.year() as u32);
        out.u8(month.month_of_year() as u8);
        out.u32(target);
    }
    out.i64(as_of.map_or(i64::MIN, |t| t.unix_seconds()));
    out.u64(*events);
}

/// The rows of leads, touches, transitions, opportunities and accounts.
pub(crate) fn write_bulk(out: &mut Out, p: &Projections) {
    write_leads(out, &p.leads);
    write_touches(out, &p.touches);
    write_transitions(out, &p.transitions);
    write_opps(out, &p.opps);
    write_interner(out, &p.accounts);
}

/// Projections holding only what [`write_catalog`] wrote.
pub(crate) fn read_catalog(r: &mut In<'_>) -> Result<Projections, SnapshotError> {
    let mut p = Projections::default();
    p.reps = read_reps(r)?;
    p.campaigns = read_campaigns(r)?;
    p.contents = read_contents(r)?;
    let n = r.len(10, "targets")?;
    let mut targets = FxHashMap::default();
    for _ in 0..n {
        let region = r.u8("target region")?;
        let (year, month) = (r.u32("target year")? as i32, r.u8("target month")?);
        let month = Month::from_year_month(year, u32::from(month))
            .ok_or_else(|| r.invalid("target month"))?;
        targets.insert((region, month), r.u32("target")?);
    }
    p.targets = targets;
    let as_of = r.i64("as of")?;
    p.as_of = (as_of != i64::MIN).then(|| accord_core::domain::Timestamp::from_unix_seconds(as_of));
    p.events = r.u64("events")?;
    Ok(p)
}

/// Fills in what [`write_bulk`] wrote.
pub(crate) fn read_bulk(r: &mut In<'_>, p: &mut Projections) -> Result<(), SnapshotError> {
    p.leads = read_leads(r)?;
    p.touches = read_touches(r)?;
    p.transitions = read_transitions(r)?;
    p.opps = read_opps(r)?;
    p.accounts = read_interner(r, "account ids")?;
    Ok(())
}

/// Checks that every column of a table has its row count.
fn rows(r: &In<'_>, what: &'static str, want: usize, lens: &[usize]) -> Result<(), SnapshotError> {
    if lens.iter().all(|&n| n == want) {
        Ok(())
    } else {
        Err(r.invalid(what))
    }
}

fn write_interner(out: &mut Out, ids: &Interner) {
    out.len(ids.len());
    for i in 0..ids.len() as u32 {
        out.str(ids.name(i));
    }
}

/// The ids interned again in their order, so each keeps its index.
fn read_interner(r: &mut In<'_>, what: &'static str) -> Result<Interner, SnapshotError> {
    let n = r.len(8, what)?;
    let mut ids = Interner::default();
    for _ in 0..n {
        let name = r.str(what)?;
        if !ids.intern(name).1 {
            return Err(r.invalid(what));
        }
    }
    Ok(ids)
}

fn write_arena(out: &mut Out, ids: &Arena) {
    let (text, ends) = ids.parts();
    out.str(text);
    out.u64s(ends);
}

fn read_arena(r: &mut In<'_>, what: &'static str) -> Result<Arena, SnapshotError> {
    let text = r.str(what)?.to_owned();
    let ends = r.u64s(what)?;
    Arena::from_parts(text, ends).ok_or_else(|| r.invalid(what))
}

fn write_leads(out: &mut Out, l: &Leads) {
    let Leads {
        ids,
        created_at,
        source_channel,
        region,
        persona,
        account,
        reached,
        ever_recycled,
        ever_disqualified,
        first_entry,
    } = l;
    write_interner(out, ids);
    out.i64s(created_at);
    out.u8s(source_channel);
    out.u8s(region);
    out.u8s(persona);
    out.u32s(account);
    out.u8s(reached);
    out.bools(ever_recycled);
    out.bools(ever_disqualified);
    let flat: Vec<i64> = first_entry.iter().flatten().copied().collect();
    out.i64s(&flat);
}

fn read_leads(r: &mut In<'_>) -> Result<Leads, SnapshotError> {
    let ids = read_interner(r, "lead ids")?;
    let created_at = r.i64s("lead creation times")?;
    let source_channel = r.u8s("lead channels")?;
    let region = r.u8s("lead regions")?;
    let persona = r.u8s("lead personas")?;
    let account = r.u32s("lead accounts")?;
    let reached = r.u8s("lead furthest stages")?;
    let ever_recycled = r.bools("leads recycled")?;
    let ever_disqualified = r.bools("leads disqualified")?;
    let flat = r.i64s("lead first entries")?;
    let n = ids.len();
    rows(
        r,
        "lead columns",
        n,
        &[
            created_at.len(),
            source_channel.len(),
            region.len(),
            persona.len(),
            account.len(),
            reached.len(),
            ever_recycled.len(),
            ever_disqualified.len(),
            flat.len() / 6,
        ],
    )?;
    if flat.len() % 6 != 0 {
        return Err(r.invalid("lead first entries"));
    }
    let first_entry = flat
        .chunks_exact(6)
        .map(|c| c.try_into().expect("6 times"))
        .collect();
    Ok(Leads {
        ids,
        created_at,
        source_channel,
        region,
        persona,
        account,
        reached,
        ever_recycled,
        ever_disqualified,
        first_entry,
    })
}

fn write_touches(out: &mut Out, t: &Touches) {
    let Touches {
        ids,
        lead,
        at,
        kind,
        channel,
        campaign,
        content,
    } = t;
    write_arena(out, ids);
    out.u32s(lead);
    out.i64s(at);
    out.u8s(kind);
    out.u8s(channel);
    out.u32s(campaign);
    out.u32s(content);
}

fn read_touches(r: &mut In<'_>) -> Result<Touches, SnapshotError> {
    let t = Touches {
        ids: read_arena(r, "touch ids")?,
        lead: r.u32s("touch leads")?,
        at: r.i64s("touch times")?,
        kind: r.u8s("touch kinds")?,
        channel: r.u8s("touch channels")?,
        campaign: r.u32s("touch campaigns")?,
        content: r.u32s("touch assets")?,
    };
    let n = t.lead.len();
    rows(
        r,
        "touch columns",
        n,
        &[
            t.ids.len(),
            t.at.len(),
            t.kind.len(),
            t.channel.len(),
            t.campaign.len(),
            t.content.len(),
        ],
    )?;
    Ok(t)
}

fn write_transitions(out: &mut Out, t: &Transitions) {
    let Transitions {
        ids,
        lead,
        at,
        from,
        to,
        rep,
        reason,
    } = t;
    write_arena(out, ids);
    out.u32s(lead);
    out.i64s(at);
    out.u8s(from);
    out.u8s(to);
    out.u32s(rep);
    out.u8s(reason);
}

fn read_transitions(r: &mut In<'_>) -> Result<Transitions, SnapshotError> {
    let t = Transitions {
        ids: read_arena(r, "transition ids")?,
        lead: r.u32s("transition leads")?,
        at: r.i64s("transition times")?,
        from: r.u8s("transition from stages")?,
        to: r.u8s("transition to stages")?,
        rep: r.u32s("transition reps")?,
        reason: r.u8s("transition reasons")?,
    };
    let n = t.lead.len();
    rows(
        r,
        "transition columns",
        n,
        &[
            t.ids.len(),
            t.at.len(),
            t.from.len(),
            t.to.len(),
            t.rep.len(),
            t.reason.len(),
        ],
    )?;
    let stage = |c: &u8| accord_core::domain::Stage::from_code(*c).is_some();
    if !t.from.iter().all(stage) || !t.to.iter().all(stage) {
        return Err(r.invalid("transition stages"));
    }
    Ok(t)
}

fn status_code(s: OppStatus) -> u8 {
    match s {
        OppStatus::Open => 0,
        OppStatus::Won => 1,
        OppStatus::Lost => 2,
    }
}

fn write_opps(out: &mut Out, o: &Opportunities) {
    let Opportunities {
        ids,
        created,
        account,
        primary_lead,
        owner,
        kind,
        created_at,
        amount_cents,
        status,
        closed_at,
    } = o;
    write_interner(out, ids);
    out.bools(created);
    out.u32s(account);
    out.u32s(primary_lead);
    out.u32s(owner);
    out.u8s(kind);
    out.i64s(created_at);
    out.i64s(amount_cents);
    let codes: Vec<u8> = status.iter().map(|&s| status_code(s)).collect();
    out.u8s(&codes);
    out.i64s(closed_at);
}

fn read_opps(r: &mut In<'_>) -> Result<Opportunities, SnapshotError> {
    let ids = read_interner(r, "opportunity ids")?;
    let created = r.bools("opportunities created")?;
    let account = r.u32s("opportunity accounts")?;
    let primary_lead = r.u32s("opportunity leads")?;
    let owner = r.u32s("opportunity owners")?;
    let kind = r.u8s("opportunity kinds")?;
    let created_at = r.i64s("opportunity creation times")?;
    let amount_cents = r.i64s("opportunity amounts")?;
    let codes = r.u8s("opportunity states")?;
    let closed_at = r.i64s("opportunity close times")?;
    let status = codes
        .iter()
        .map(|c| match c {
            0 => Some(OppStatus::Open),
            1 => Some(OppStatus::Won),
            2 => Some(OppStatus::Lost),
            _ => None,
        })
        .collect::<Option<Vec<_>>>()
        .ok_or_else(|| r.invalid("opportunity states"))?;
    rows(
        r,
        "opportunity columns",
        ids.len(),
        &[
            created.len(),
            account.len(),
            primary_lead.len(),
            owner.len(),
            kind.len(),
            created_at.len(),
            amount_cents.len(),
            status.len(),
            closed_at.len(),
        ],
    )?;
    Ok(Opportunities {
        ids,
        created,
        account,
        primary_lead,
        owner,
        kind,
        created_at,
        amount_cents,
        status,
        closed_at,
    })
}

fn write_reps(out: &mut Out, reps: &Reps) {
    let Reps { ids, name, team } = reps;
    write_interner(out, ids);
    out.len(name.len());
    for n in name {
        out.u8(u8::from(n.is_some()));
        out.str(n.as_deref().unwrap_or(""));
    }
    let teams: Vec<u8> = team.iter().map(|t| t.map_or(NO_CODE, Team::code)).collect();
    out.u8s(&teams);
}

fn read_reps(r: &mut In<'_>) -> Result<Reps, SnapshotError> {
    let ids = read_interner(r, "rep ids")?;
    let n = r.len(9, "rep names")?;
    let mut name = Vec::with_capacity(n);
    for _ in 0..n {
        let known = r.u8("rep name")? == 1;
        let text = r.str("rep name")?;
        name.push(known.then(|| text.into()));
    }
    let team = r
        .u8s("rep teams")?
        .into_iter()
        .map(|c| match c {
            NO_CODE => Some(None),
            c => Team::from_code(c).map(Some),
        })
        .collect::<Option<Vec<_>>>()
        .ok_or_else(|| r.invalid("rep teams"))?;
    rows(r, "rep columns", ids.len(), &[name.len(), team.len()])?;
    Ok(Reps { ids, name, team })
}

fn write_campaigns(out: &mut Out, c: &Campaigns) {
    let Campaigns { ids, cost_cents } = c;
    write_interner(out, ids);
    let known: Vec<bool> = cost_cents.iter().map(Option::is_some).collect();
    let cents: Vec<i64> = cost_cents.iter().map(|c| c.unwrap_or(0)).collect();
    out.bools(&known);
    out.i64s(&cents);
}

fn read_campaigns(r: &mut In<'_>) -> Result<Campaigns, SnapshotError> {
    let ids = read_interner(r, "campaign ids")?;
    let known = r.bools("campaign costs known")?;
    let cents = r.i64s("campaign costs")?;
    rows(
        r,
        "campaign columns",
        ids.len(),
        &[known.len(), cents.len()],
    )?;
    let cost_cents = known
        .iter()
        .zip(cents)
        .map(|(&k, c)| k.then_some(c))
        .collect();
    Ok(Campaigns { ids, cost_cents })
}

fn write_contents(out: &mut Out, c: &Contents) {
    let Contents {
        ids,
        published,
        title,
        kind,
        persona,
        journey,
    } = c;
    write_interner(out, ids);
    out.bools(published);
    out.len(title.len());
    for t in title {
        out.str(t);
    }
    out.u8s(kind);
    out.u8s(persona);
    out.u8s(journey);
}

fn read_contents(r: &mut In<'_>) -> Result<Contents, SnapshotError> {
    let ids = read_interner(r, "asset ids")?;
    let published = r.bools("assets published")?;
    let n = r.len(8, "asset titles")?;
    let title = (0..n)
        .map(|_| r.str("asset title").map(Into::into))
        .collect::<Result<Vec<_>, _>>()?;
    let c = Contents {
        ids,
        published,
        title,
        kind: r.u8s("asset kinds")?,
        persona: r.u8s("asset personas")?,
        journey: r.u8s("asset stages")?,
    };
    rows(
        r,
        "asset columns",
        c.ids.len(),
        &[
            c.published.len(),
            c.title.len(),
            c.kind.len(),
            c.persona.len(),
            c.journey.len(),
        ],
    )?;
    Ok(c)
}
