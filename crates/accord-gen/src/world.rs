//! The company's fixed world: reps, accounts (and companies outside the CRM),
//! campaigns and the content library, plus the routing and picking helpers the
//! lead simulation draws from.

use std::collections::HashMap;

use crate::rng::{Categorical, Rng};
use crate::vocab::*;

fn floor_day(t: i64) -> i64 {
    t - t.rem_euclid(DAY)
}

// ---- reps -----------------------------------------------------------------

pub struct Rep {
    pub name: String,
    pub email: String,
    pub team: u8,
    pub region: u8,
    pub vertical: Option<u8>,
    pub manager: Option<u32>,
    pub capacity: u32,
    pub hired: i64,
    /// Median delay of the first follow-up of an MQL, in seconds.
    pub speed_s: f64,
    /// Probability that the rep never follows up an MQL.
    pub never_p: f64,
}

pub fn make_reps(rng: &mut Rng, n_leads: u64) -> Vec<Rep> {
    let n = (n_leads / 2500).max(16) as usize;
    let mut reps: Vec<Rep> = Vec::with_capacity(n + 8);
    let extra_teams = Categorical::new(&[0.40, 0.38, 0.22]);
    let speed_class = Categorical::new(&[0.55, 0.33, 0.12]);
    let speed_median = [25.0 * MINUTE as f64, 5.0 * HOUR as f64, 40.0 * HOUR as f64];
    let vertical = Categorical::new(&INDUSTRY_WEIGHTS);
    let mut seen: HashMap<String, u32> = HashMap::new();
    for (region, w) in REGION_WEIGHTS.iter().enumerate() {
        let m = ((w * n as f64).round() as usize).max(4);
        let n_mgr = ((m as f64 * 0.08).round() as usize).max(1);
        // managers first, then one of each selling team, then a mix
        let mut teams: Vec<u8> = vec![T_MANAGER; n_mgr];
        teams.extend([T_SDR, T_AE, T_AM]);
        while teams.len() < m {
            teams.push(extra_teams.sample(rng) as u8);
        }
        let first_mgr = reps.len() as u32;
        for team in teams {
            let f = rng.pick(&FIRST_NAMES);
            let l = rng.pick(&LAST_NAMES);
            let mut local = format!("{}.{}", f.1, l.1);
            let k = seen.entry(local.clone()).or_insert(0);
            *k += 1;
            if *k > 1 {
                local = format!("{local}{k}");
            }
            let (lo, hi) = match team {
                T_SDR => (15, 40),
                T_AE => (5, 15),
                T_AM => (3, 9),
                _ => (0, 0),
            };
            let capacity = (lo + rng.below(hi - lo + 1)) as u32;
            let hired = START - 30 * DAY - (rng.f64().powf(1.5) * 6.0 * 365.0 * DAY as f64) as i64;
            let manager = (team != T_MANAGER).then(|| first_mgr + rng.below(n_mgr) as u32);
            let vert = (team <= T_AE && rng.chance(0.3)).then(|| vertical.sample(rng) as u8);
            reps.push(Rep {
                name: format!("{} {}", f.0, l.0),
                email: format!("{local}@{SELLER_DOMAIN}"),
                team,
                region: region as u8,
                vertical: vert,
                manager,
                capacity,
                hired: floor_day(hired) + 9 * HOUR,
                speed_s: speed_median[speed_class.sample(rng)] * (0.5 * rng.normal()).exp(),
                never_p: (0.10 * (0.6 * rng.normal()).exp()).clamp(0.01, 0.4),
            });
        }
    }
    reps
}

/// Picks the rep of a team for a region and industry: a rep of that vertical
/// when there is one, else a generalist, weighted by capacity.
pub struct Router {
    /// [team][region][industry or 12 = unknown] -> candidates
    cells: Vec<(Vec<u32>, Categorical)>,
}

impl Router {
    pub fn new(reps: &[Rep]) -> Router {
        let mut cells = Vec::with_capacity(3 * 4 * 13);
        for team in [T_SDR, T_AE, T_AM] {
            for region in 0..4u8 {
                let base: Vec<u32> = (0..reps.len() as u32)
                    .filter(|&i| reps[i as usize].team == team && reps[i as usize].region == region)
                    .collect();
                for ind in 0..13u8 {
                    let of = |pred: &dyn Fn(&Rep) -> bool| -> Vec<u32> {
                        base.iter()
                            .copied()
                            .filter(|&i| pred(&reps[i as usize]))
                            .collect()
                    };
                    let mut c = if ind < 12 {
                        of(&|r| r.vertical == Some(ind))
                    } else {
                        vec![]
                    };
                    if c.is_empty() {
                        c = of(&|r| r.vertical.is_none());
                    }
                    if c.is_empty() {
                        c = base.clone();
                    }
                    let w: Vec<f64> = c
                        .iter()
                        .map(|&i| reps[i as usize].capacity as f64 + 1.0)
                        .collect();
                    cells.push((c, Categorical::new(&w)));
                }
            }
        }
        Router { cells }
    }

    pub fn route(&self, rng: &mut Rng, team: u8, region: u8, industry: Option<u8>) -> u32 {
        let cell = &self.cells
            [(team as usize * 4 + region as usize) * 13 + industry.unwrap_or(12) as usize];
        cell.0[cell.1.sample(rng)]
    }
}

// ---- companies ----------------------------------------------------------------

pub struct Company {
    pub name: String,
    pub domain: String,
    pub industry: u8,
    pub employees: u32,
    pub country: u8,
    pub region: u8,
}

impl Company {
    pub fn country(&self) -> &'static Country {
        &COUNTRIES[self.region as usize][self.country as usize]
    }
}

pub struct Account {
    pub co: Company,
    pub employees_out: Option<u32>,
    pub revenue_cents: Option<i64>,
    pub tier: u8,
    pub owner: Option<u32>,
    pub created: i64,
    pub is_customer: bool,
    /// Relative share of the leads that come from this account.
    pub lead_weight: f64,
}

pub struct Place {
    region: Categorical,
    country: Vec<Categorical>,
}

impl Place {
    pub fn new() -> Place {
        Place {
            region: Categorical::new(&REGION_WEIGHTS),
            country: COUNTRIES
                .iter()
                .map(|cs| Categorical::new(&cs.iter().map(|c| c.1).collect::<Vec<_>>()))
                .collect(),
        }
    }
    pub fn region(&self, rng: &mut Rng) -> u8 {
        self.region.sample(rng) as u8
    }
    pub fn country(&self, rng: &mut Rng, region: u8) -> u8 {
        self.country[region as usize].sample(rng) as u8
    }
}

fn slug(s: &str) -> String {
    s.chars()
        .filter(|c| c.is_ascii_alphanumeric())
        .map(|c| c.to_ascii_lowercase())
        .collect()
}

/// Company names made of a head, a tail and a descriptor; some reuse an earlier
/// stem ("Northwind" / "Northwind Labs"), a few carry double quotes.
/// Returns (name, domain stem).
fn company_names(
    rng: &mut Rng,
    n: usize,
    descriptors: &[&str],
    similar_p: f64,
) -> Vec<(String, String)> {
    let mut stems: Vec<String> = Vec::with_capacity(n);
    let mut out = Vec::with_capacity(n);
    for i in 0..n {
        let similar = i > 0 && rng.chance(similar_p);
        let stem = if similar {
            stems[rng.below(i)].clone()
        } else {
            let h = rng.pick(&NAME_HEADS);
            let t = rng.pick(&NAME_TAILS);
            if rng.chance(0.25) {
                let mut c = t.chars();
                let first = c.next().map(|x| x.to_ascii_uppercase()).unwrap_or(' ');
                format!("{h} {first}{}", c.as_str())
            } else {
                format!("{h}{t}")
            }
        };
        let mut d = *rng.pick(descriptors);
        if similar && d.is_empty() {
            d = descriptors[descriptors.len() - 1 - i % 5];
        }
        let name = if rng.chance(0.01) {
            format!("{stem} \"{}\"", if d.is_empty() { "One" } else { d })
        } else if d.is_empty() {
            stem.clone()
        } else {
            format!("{stem} {d}")
        };
        out.push((name, slug(&format!("{stem}{d}"))));
        stems.push(stem);
    }
    out
}

fn unique_domain(seen: &mut HashMap<String, u32>, stem: &str, tld: &str) -> String {
    let d = format!("{stem}.{tld}");
    let k = seen.entry(d.clone()).or_insert(0);
    *k += 1;
    if *k == 1 {
        d
    } else {
        format!("{stem}{k}.{tld}")
    }
}

pub fn make_accounts(
    rng: &mut Rng,
    n: usize,
    place: &Place,
    router: &Router,
    seen: &mut HashMap<String, u32>,
) -> Vec<Account> {
    let tiers = Categorical::new(&TIER_WEIGHTS);
    let industries = Categorical::new(&INDUSTRY_WEIGHTS);
    let names = company_names(rng, n, &ACCOUNT_DESCRIPTORS, 0.12);
    let mut out = Vec::with_capacity(n);
    for (name, stem) in names {
        let region = place.region(rng);
        let country = place.country(rng, region);
        let tier = tiers.sample(rng) as u8;
        let industry = industries.sample(rng) as u8;
        let employees = (rng
            .lognormal(TIER_EMPLOYEES_MEDIAN[tier as usize], 0.5)
            .round() as u32)
            .max(2);
        let revenue =
            (employees as f64 * rng.lognormal(160_000.0, 0.5) / 1000.0).round() as i64 * 1000 * 100;
        let tld = if industry == 0 && rng.chance(0.3) {
            "io"
        } else {
            COUNTRIES[region as usize][country as usize].2
        };
        let is_customer = rng.chance(TIER_CUSTOMER_P[tier as usize]);
        let owner = rng.chance(TIER_OWNER_P[tier as usize]).then(|| {
            let team = if is_customer { T_AM } else { T_AE };
            router.route(rng, team, region, Some(industry))
        });
        let created = START - DAY - (rng.f64().powf(0.7) * 7.0 * 365.0 * DAY as f64) as i64;
        out.push(Account {
            co: Company {
                name,
                domain: unique_domain(seen, &stem, tld),
                industry,
                employees,
                country,
                region,
            },
            employees_out: (!rng.chance(0.05)).then_some(employees),
            revenue_cents: (!rng.chance(0.12)).then_some(revenue),
            tier,
            owner,
            created,
            is_customer,
            lead_weight: TIER_LEAD_WEIGHT[tier as usize] * rng.lognormal(1.0, 0.8),
        });
    }
    out
}

/// Companies of leads that are not in the CRM (small firms, mostly).
pub fn make_other_companies(
    rng: &mut Rng,
    n: usize,
    place: &Place,
    seen: &mut HashMap<String, u32>,
) -> Vec<Company> {
    let industries = Categorical::new(&INDUSTRY_WEIGHTS);
    company_names(rng, n, &OTHER_DESCRIPTORS, 0.0)
        .into_iter()
        .map(|(name, stem)| {
            let region = place.region(rng);
            let country = place.country(rng, region);
            Company {
                name,
                domain: unique_domain(seen, &stem, COUNTRIES[region as usize][country as usize].2),
                industry: industries.sample(rng) as u8,
                employees: (rng.lognormal(35.0, 1.3).round() as u32).max(1),
                country,
                region,
            }
        })
        .collect()
}

/// The company name as a person types it: exact, lower, upper, with a suffix,
/// with the legal form, abbreviated, with a typo, without punctuation.
pub fn company_variant(co: &Company, variant: usize, r: f64) -> String {
    let name = &co.name;
    match variant {
        0 => name.clone(),
        1 => name.to_lowercase(),
        2 => name.to_uppercase(),
        3 => format!("{name} Inc."),
        4 => format!("{name}, Inc."),
        5 => format!("{name}{}", co.country().3),
        6 => {
            let words: Vec<&str> = name
                .split_whitespace()
                .map(|w| w.trim_matches('"'))
                .filter(|w| w.chars().next().is_some_and(char::is_alphabetic))
                .collect();
            if words.len() >= 2 {
                words
                    .iter()
                    .filter_map(|w| w.chars().next())
                    .collect::<String>()
                    .to_uppercase()
            } else {
                name.chars().take(4).collect::<String>().to_uppercase()
            }
        }
        7 => {
            let cs: Vec<char> = name.chars().collect();
            if cs.len() < 5 {
                return format!("{name}{}", cs[cs.len() - 1]);
            }
            let i = 1 + (r * (cs.len() - 3) as f64) as usize;
            let mut out = cs.clone();
            if r < 0.6 {
                out.swap(i, i + 1);
            } else {
                out.remove(i);
            }
            out.into_iter().collect()
        }
        _ => name
            .chars()
            .filter(|c| c.is_alphanumeric() || *c == ' ')
            .collect(),
    }
}

// ---- campaigns -------------------------------------------------------------

pub struct Campaign {
    pub name: String,
    pub channel: u8,
    pub start: i64,
    /// Last second the campaign is active (LAST for open-ended ones).
    pub end: i64,
    pub ended_at: Option<i64>,
    pub cost_cents: i64,
}

fn channel_title(ch: u8) -> String {
    CHANNELS[ch as usize]
        .split('_')
        .map(|w| {
            let mut c = w.chars();
            c.next()
                .map(|f| f.to_ascii_uppercase().to_string() + c.as_str())
                .unwrap_or_default()
        })
        .collect::<Vec<_>>()
        .join(" ")
}

pub fn make_campaigns(rng: &mut Rng, n_leads: u64) -> Vec<Campaign> {
    let n = 40 + (n_leads / 25_000) as usize;
    let pick = Categorical::new(&CAMPAIGN_CHANNELS.iter().map(|c| c.1).collect::<Vec<_>>());
    let mut out: Vec<Campaign> = Vec::with_capacity(n);
    for i in 0..n {
        // the first campaigns are the always-on programmes
        let evergreen = EVERGREEN_CHANNELS.get(i);
        let spec = match evergreen {
            Some(&ch) => *CAMPAIGN_CHANNELS.iter().find(|c| c.0 == ch).unwrap(),
            None => CAMPAIGN_CHANNELS[pick.sample(rng)],
        };
        let evergreen = evergreen.is_some();
        let (start, end, ended_at) = if evergreen {
            (START, LAST, None)
        } else {
            let start =
                floor_day(START + (rng.f64() * ((N_DAYS - 14) * DAY) as f64) as i64) + 8 * HOUR;
            let dur = (rng.lognormal(spec.2, 0.35) * DAY as f64) as i64;
            let end = (floor_day((start + dur).min(LAST)) + DAY - 1).min(LAST);
            if rng.chance(0.1) {
                (start, LAST, None)
            } else {
                (start, end, Some(end))
            }
        };
        let mut cost = rng.lognormal(spec.3, 0.5) * if evergreen { 4.0 } else { 1.0 };
        cost = (cost / 10.0).round() * 10.0;
        let mut cost_cents = (cost * 100.0) as i64;
        if rng.chance(0.3) {
            cost_cents += rng.below(100) as i64;
        }
        let q = ((start - START) / (91 * DAY) + 1).min(4);
        let theme = rng.pick(&CAMPAIGN_THEMES);
        let emea = if rng.chance(0.1) { ", EMEA" } else { "" };
        out.push(Campaign {
            name: format!("FY26 Q{q} {} - {theme}{emea}", channel_title(spec.0)),
            channel: spec.0,
            start,
            end,
            ended_at,
            cost_cents,
        });
    }
    out.sort_by_key(|c| c.start); // stable: ties keep creation order
    out
}

/// Picks an active campaign of a channel at a time, weighted by budget.
pub struct CampaignPicker {
    /// per channel: (index, start, end, weight)
    by_channel: Vec<Vec<(u16, i64, i64, f64)>>,
}

impl CampaignPicker {
    pub fn new(camps: &[Campaign]) -> CampaignPicker {
        let mean =
            camps.iter().map(|c| c.cost_cents as f64).sum::<f64>() / camps.len().max(1) as f64;
        let mut by_channel = vec![Vec::new(); CHANNELS.len()];
        for (i, c) in camps.iter().enumerate() {
            by_channel[c.channel as usize].push((
                i as u16,
                c.start,
                c.end,
                c.cost_cents as f64 / mean,
            ));
        }
        CampaignPicker { by_channel }
    }

    pub fn pick(&self, rng: &mut Rng, channel: u8, t: i64) -> Option<u16> {
        let cs = &self.by_channel[channel as usize];
        let total: f64 = cs
            .iter()
            .filter(|c| c.1 <= t && t <= c.2)
            .map(|c| c.3)
            .sum();
        if total <= 0.0 {
            return None;
        }
        let mut r = rng.f64() * total;
        let mut last = None;
        for c in cs.iter().filter(|c| c.1 <= t && t <= c.2) {
            last = Some(c.0);
            if r < c.3 {
                return last;
            }
            r -= c.3;
        }
        last
    }
}

// ---- content -----------------------------------------------------------------

pub struct Content {
    pub title: String,
    pub kind: u8,
    pub persona: u8,
    pub stage: u8,
    pub published: i64,
    pub owner_team: u8,
}

pub fn make_content(rng: &mut Rng, n_leads: u64) -> Vec<Content> {
    let n = (120 + (n_leads / 10_000) as usize).min(800);
    let kinds = Categorical::new(&CONTENT_KIND_WEIGHTS);
    let owners = Categorical::new(&[0.8, 0.15, 0.05]);
    let mut out: Vec<Content> = (0..n)
        .map(|_| {
            let kind = kinds.sample(rng) as u8;
            let stage = if rng.chance(0.7) {
                CONTENT_KIND_STAGE[kind as usize]
            } else {
                rng.below(3) as u8
            };
            let mut persona = rng.below(4) as u8;
            if CONTENT_GAPS.contains(&(persona, stage)) {
                persona = (persona + 1) % 4;
            }
            let owner_team = match kind {
                9 => 2,
                5 | 7 | 8 => 1,
                _ => owners.sample(rng) as u8,
            };
            let published = if rng.chance(0.3) {
                START + (rng.f64() * (330 * DAY) as f64) as i64
            } else {
                START - (rng.f64() * (3 * 365 * DAY) as f64) as i64
            };
            Content {
                title: String::new(),
                kind,
                persona,
                stage,
                published: floor_day(published) + 14 * HOUR,
                owner_team,
            }
        })
        .collect();
    out.sort_by_key(|c| c.published);
    for (i, c) in out.iter_mut().enumerate() {
        let topic = rng.pick(&CONTENT_TOPICS);
        let kind = channel_title_of(CONTENT_KINDS[c.kind as usize]);
        c.title = match rng.below(4) {
            0 => format!("{topic}: The Complete Guide"),
            1 => format!("{kind} - {topic}"),
            2 => format!("How Teams Fix {topic}, Step by Step"),
            _ => format!("\"{topic}\" in 10 Minutes"),
        } + &format!(" (#{})", i + 1);
    }
    out
}

fn channel_title_of(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    let mut up = true;
    for ch in s.chars() {
        if ch == '_' {
            out.push(' ');
            up = true;
        } else if up {
            out.push(ch.to_ascii_uppercase());
            up = false;
        } else {
            out.push(ch);
        }
    }
    out
}

/// Zipf-like choice of an asset, only among assets already published.
pub struct ContentPicker {
    all: Categorical,
    old: Categorical,
    published: Vec<i64>,
}

impl ContentPicker {
    pub fn new(rng: &mut Rng, content: &[Content]) -> ContentPicker {
        let n = content.len();
        // popularity over a random rank order; a few assets are never used
        let mut rank: Vec<usize> = (1..=n).collect();
        for i in (1..n).rev() {
            rank.swap(i, rng.below(i + 1));
        }
        let pop: Vec<f64> = rank
            .iter()
            .map(|&r| {
                if rng.chance(0.08) {
                    0.0
                } else {
                    1.0 / (r as f64).powf(1.15)
                }
            })
            .collect();
        let mut old: Vec<f64> = pop
            .iter()
            .zip(content)
            .map(|(p, c)| if c.published <= START { *p } else { 0.0 })
            .collect();
        if old.iter().sum::<f64>() <= 0.0 {
            old = content
                .iter()
                .map(|c| if c.published <= START { 1.0 } else { 0.0 })
                .collect();
        }
        if old.iter().sum::<f64>() <= 0.0 {
            old[0] = 1.0;
        }
        ContentPicker {
            all: Categorical::new(&pop),
            old: Categorical::new(&old),
            published: content.iter().map(|c| c.published).collect(),
        }
    }

    pub fn pick(&self, rng: &mut Rng, t: i64) -> Option<u16> {
        let mut c = self.all.sample(rng);
        if self.published[c] > t {
            c = self.old.sample(rng);
        }
        (self.published[c] <= t).then_some(c as u16)
    }
}
