//! accord-gen: a seeded generator of a realistic B2B company's year of
//! marketing and sales data, written as the CSV contract of the reference kit
//! (`accounts.csv`, `reps.csv`, `campaigns.csv`, `content.csv`, `leads.csv`,
//! `touches.csv`, `transitions.csv`, `opportunities.csv`, `targets.csv`,
//! `meta.json`) for 2025-04-01 .. 2026-03-31, as of 2026-04-01T00:00:00Z.
//!
//! The same [`Config`] always gives byte-identical files. The simulation follows
//! the kit's model (seasonal arrivals, channels of different volume and quality,
//! a latent fit/intent score driving every conversion, routing to named-account
//! owners or region/vertical reps, reps with their own follow-up speed, touch
//! bursts, Zipf content usage, recycled leads qualifying again) in a simpler form;
//! it does not reproduce `gen.py`'s bytes.
//!
//! ```no_run
//! let summary = accord_gen::generate(
//!     &accord_gen::Config { leads: 10_000, seed: 7 },
//!     std::path::Path::new("/tmp/demo"),
//! )?;
//! println!("{} touches", summary.touches);
//! # Ok::<(), accord_gen::GenError>(())
//! ```

mod out;
mod rng;
mod sim;
// The whole vocabulary is listed, including values the simulation never names.
#[allow(dead_code)]
mod vocab;
mod world;

use std::collections::HashMap;
use std::path::{Path, PathBuf};

use accord_core::contract::FileKind;
use out::Row;
use rng::Rng;
use sim::{Sim, NONE16, NONE8};
use vocab::*;

/// What to generate.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Config {
    /// Number of leads (people) created over the year.
    pub leads: u64,
    /// Same seed, same bytes.
    pub seed: u64,
}

/// Rows written per file.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Summary {
    pub accounts: u64,
    pub reps: u64,
    pub campaigns: u64,
    pub content: u64,
    pub leads: u64,
    pub touches: u64,
    pub transitions: u64,
    pub opportunities: u64,
    pub targets: u64,
}

#[derive(Debug, thiserror::Error)]
pub enum GenError {
    #[error("cannot write {path}: {source}")]
    Io {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
    #[error("cannot write CSV: {0}")]
    Csv(#[from] csv::Error),
    #[error("{0} leads is too many (at most 9,999,999)")]
    TooManyLeads(u64),
}

/// The timestamp the data is "as of" (nothing happens at or after it).
pub const AS_OF_STR: &str = "2026-04-01T00:00:00Z";

// Independent random streams, so that a change in one part of the simulation
// leaves the others' draws alone.
const STREAM_REPS: u64 = 1;
const STREAM_ACCOUNTS: u64 = 2;
const STREAM_OTHERS: u64 = 3;
const STREAM_CAMPAIGNS: u64 = 4;
const STREAM_CONTENT: u64 = 5;
const STREAM_LEADS: u64 = 6;
const STREAM_TARGETS: u64 = 7;

/// Generates the data set for `config` into `out_dir` (created if missing).
pub fn generate(config: &Config, out_dir: &Path) -> Result<Summary, GenError> {
    if config.leads > 9_999_999 {
        return Err(GenError::TooManyLeads(config.leads));
    }
    let io_err = |path: &Path| {
        let path = path.to_path_buf();
        move |source| GenError::Io { path, source }
    };
    std::fs::create_dir_all(out_dir).map_err(io_err(out_dir))?;
    let seed = config.seed;
    let n = config.leads as usize;
    let mut sum = Summary {
        leads: config.leads,
        ..Summary::default()
    };

    let reps = world::make_reps(&mut Rng::new(seed, STREAM_REPS), config.leads);
    let router = world::Router::new(&reps);
    let place = world::Place::new();
    let mut domains = HashMap::new();
    let accounts = world::make_accounts(
        &mut Rng::new(seed, STREAM_ACCOUNTS),
        (n / 20).max(50),
        &place,
        &router,
        &mut domains,
    );
    let others = world::make_other_companies(
        &mut Rng::new(seed, STREAM_OTHERS),
        ((n as f64 * 0.2 / 3.0) as usize).max(20),
        &place,
        &mut domains,
    );
    let campaigns = world::make_campaigns(&mut Rng::new(seed, STREAM_CAMPAIGNS), config.leads);
    let mut content_rng = Rng::new(seed, STREAM_CONTENT);
    let content = world::make_content(&mut content_rng, config.leads);
    let campaign_picker = world::CampaignPicker::new(&campaigns);
    let content_picker = world::ContentPicker::new(&mut content_rng, &content);

    let mut buf = Vec::with_capacity(64);

    // reps.csv
    let mut w = out::create(out_dir, FileKind::Reps)?;
    for (i, r) in reps.iter().enumerate() {
        Row::new(&mut w, &mut buf)
            .id(b'R', i as u64, 4)?
            .str(&r.name)?
            .str(&r.email)?
            .str(TEAMS[r.team as usize])?
            .str(REGIONS[r.region as usize])?
            .opt_str(r.vertical.map(|v| INDUSTRIES[v as usize]))?
            .opt_id(b'R', r.manager.map(u64::from), 4)?
            .uint(r.capacity as u64)?
            .ts(r.hired)?
            .end()?;
    }
    finish(w, out_dir, FileKind::Reps)?;
    sum.reps = reps.len() as u64;

    // accounts.csv
    let mut w = out::create(out_dir, FileKind::Accounts)?;
    for (i, a) in accounts.iter().enumerate() {
        Row::new(&mut w, &mut buf)
            .id(b'A', i as u64, 6)?
            .str(&a.co.name)?
            .str(&a.co.domain)?
            .str(INDUSTRIES[a.co.industry as usize])?
            .opt_uint(a.employees_out.map(u64::from))?
            .opt_money(a.revenue_cents)?
            .str(a.co.country().0)?
            .str(REGIONS[a.co.region as usize])?
            .str(TIERS[a.tier as usize])?
            .opt_id(b'R', a.owner.map(u64::from), 4)?
            .ts(a.created)?
            .end()?;
    }
    finish(w, out_dir, FileKind::Accounts)?;
    sum.accounts = accounts.len() as u64;

    // campaigns.csv
    let mut w = out::create(out_dir, FileKind::Campaigns)?;
    for (i, c) in campaigns.iter().enumerate() {
        Row::new(&mut w, &mut buf)
            .id(b'C', i as u64, 4)?
            .str(&c.name)?
            .str(CHANNELS[c.channel as usize])?
            .ts(c.start)?
            .opt_ts(c.ended_at)?
            .money(c.cost_cents)?
            .end()?;
    }
    finish(w, out_dir, FileKind::Campaigns)?;
    sum.campaigns = campaigns.len() as u64;

    // content.csv
    let mut w = out::create(out_dir, FileKind::Content)?;
    for (i, c) in content.iter().enumerate() {
        Row::new(&mut w, &mut buf)
            .id(b'K', i as u64, 4)?
            .str(&c.title)?
            .str(CONTENT_KINDS[c.kind as usize])?
            .str(PERSONAS[c.persona as usize])?
            .str(JOURNEY[c.stage as usize])?
            .ts(c.published)?
            .str(CONTENT_OWNER_TEAMS[c.owner_team as usize])?
            .end()?;
    }
    finish(w, out_dir, FileKind::Content)?;
    sum.content = content.len() as u64;

    // leads.csv, while simulating the year
    let mut sim = Sim::new(
        sim::World {
            reps: &reps,
            accounts: &accounts,
            others: &others,
            router: &router,
            campaigns: &campaign_picker,
            content: &content_picker,
        },
        seed,
        Rng::new(seed, STREAM_LEADS),
    );
    let mut w = out::create(out_dir, FileKind::Leads)?;
    sim.run(n, &mut w)?;
    finish(w, out_dir, FileKind::Leads)?;
    sim.account_opportunities();

    // touches.csv: in time order (ties: lead, then the order they happened in)
    let mut touches = std::mem::take(&mut sim.out.touches);
    touches.sort_by_key(|t| (t.t, t.lead));
    let mut w = out::create(out_dir, FileKind::Touches)?;
    let opt16 = |v: u16| (v != NONE16).then_some(v as u64);
    for (i, t) in touches.iter().enumerate() {
        Row::new(&mut w, &mut buf)
            .id(b'T', i as u64, 8)?
            .id(b'L', t.lead as u64, 7)?
            .ts(START + t.t as i64)?
            .str(TOUCH_KINDS[t.kind as usize])?
            .opt_str((t.channel != NONE8).then(|| CHANNELS[t.channel as usize]))?
            .opt_id(b'C', opt16(t.campaign), 4)?
            .opt_id(b'K', opt16(t.content), 4)?
            .opt_id(b'R', opt16(t.rep), 4)?
            .end()?;
    }
    finish(w, out_dir, FileKind::Touches)?;
    sum.touches = touches.len() as u64;
    drop(touches);

    // transitions.csv: in time order; a stable sort keeps each lead's chain order
    let mut transitions = std::mem::take(&mut sim.out.transitions);
    transitions.sort_by_key(|t| (t.t, t.lead));
    let mut w = out::create(out_dir, FileKind::Transitions)?;
    let mut mqls = [[0u64; 12]; 4];
    for (i, t) in transitions.iter().enumerate() {
        let at = START + t.t as i64;
        if t.to == S_MQL {
            mqls[sim.out.lead_region[t.lead as usize] as usize][month_index(at)] += 1;
        }
        Row::new(&mut w, &mut buf)
            .id(b'S', i as u64, 8)?
            .id(b'L', t.lead as u64, 7)?
            .str(STAGES[t.from as usize])?
            .str(STAGES[t.to as usize])?
            .ts(at)?
            .opt_id(b'R', opt16(t.rep), 4)?
            .opt_str((t.reason != NONE8).then(|| REJECTION_REASONS[t.reason as usize]))?
            .end()?;
    }
    finish(w, out_dir, FileKind::Transitions)?;
    sum.transitions = transitions.len() as u64;
    drop(transitions);

    // opportunities.csv
    let opps = std::mem::take(&mut sim.out.opportunities);
    let mut w = out::create(out_dir, FileKind::Opportunities)?;
    for (i, o) in opps.iter().enumerate() {
        let (cents, lost) = sim.finish_opportunity(o);
        Row::new(&mut w, &mut buf)
            .id(b'O', i as u64, 6)?
            .id(b'A', o.account as u64, 6)?
            .opt_id(b'L', o.lead.map(u64::from), 7)?
            .id(b'R', o.owner as u64, 4)?
            .str(OPP_KINDS[o.kind as usize])?
            .ts(o.created)?
            .str(OPP_STAGES[o.stage as usize])?
            .opt_ts(o.closed)?
            .money(cents)?
            .opt_str(lost.map(|l| LOST_REASONS[l as usize]))?
            .end()?;
    }
    finish(w, out_dir, FileKind::Opportunities)?;
    sum.opportunities = opps.len() as u64;

    // targets.csv: marketing's MQL commitment, close to what it delivered
    let mut rng = Rng::new(seed, STREAM_TARGETS);
    let mut w = out::create(out_dir, FileKind::Targets)?;
    for (region, counts) in mqls.iter().enumerate() {
        for (m, &count) in counts.iter().enumerate() {
            let target = if count == 0 {
                rng.below(5) as u64 * 5
            } else {
                let f = (0.03 + 0.12 * rng.normal()).exp();
                ((count as f64 * f / 5.0).round() * 5.0).max(0.0) as u64
            };
            let (y, mo) = if m < 9 { (2025, m + 4) } else { (2026, m - 8) };
            Row::new(&mut w, &mut buf)
                .str(REGIONS[region])?
                .str(&format!("{y}-{mo:02}"))?
                .uint(target)?
                .end()?;
            sum.targets += 1;
        }
    }
    finish(w, out_dir, FileKind::Targets)?;

    let meta = format!(
        "{{\"generator\": \"accord-gen\", \"seed\": {}, \"leads\": {}, \"as_of\": \"{AS_OF_STR}\"}}\n",
        seed, config.leads
    );
    let path = out_dir.join("meta.json");
    std::fs::write(&path, meta).map_err(io_err(&path))?;
    Ok(sum)
}

fn finish(w: out::CsvOut, dir: &Path, file: FileKind) -> Result<(), GenError> {
    let path = dir.join(file.file_name());
    w.into_inner().map_err(|e| GenError::Io {
        path,
        source: e.into_error(),
    })?;
    Ok(())
}

/// Month of the period (0 = 2025-04 .. 11 = 2026-03) of a timestamp inside it.
fn month_index(t: i64) -> usize {
    let (y, m, _) = out::civil(t.div_euclid(DAY));
    ((y - 2025) * 12 + m as i64 - 4).clamp(0, 11) as usize
}
