//! The year, lead by lead: who the lead is, where they came from, how they move
//! through the lifecycle (MQL, sales acceptance or rejection, SQL, opportunity,
//! win or loss), and every marketing and sales touch on the way.
//!
//! A latent score `q` (fit of person and company + channel quality + intent +
//! noise) drives every conversion; reps differ in follow-up speed and in how
//! often they never follow up at all.

use crate::out::{CsvOut, Row};
use crate::rng::{sigmoid, Categorical, Rng};
use crate::vocab::*;
use crate::world::{company_variant, Account, CampaignPicker, Company, ContentPicker, Rep, Router};
use crate::GenError;

pub const NONE16: u16 = u16::MAX;
pub const NONE8: u8 = u8::MAX;

/// One touch; `t` is seconds since START.
#[derive(Clone, Copy)]
pub struct Touch {
    pub t: u32,
    pub lead: u32,
    pub kind: u8,
    pub channel: u8,
    pub campaign: u16,
    pub content: u16,
    pub rep: u16,
}

/// One stage change; `t` is seconds since START.
#[derive(Clone, Copy)]
pub struct Transition {
    pub t: u32,
    pub lead: u32,
    pub from: u8,
    pub to: u8,
    pub reason: u8,
    pub rep: u16,
}

pub struct Opportunity {
    pub account: u32,
    pub lead: Option<u32>,
    pub owner: u32,
    pub kind: u8,
    pub created: i64,
    /// 0 open, 1 won, 2 lost
    pub stage: u8,
    pub closed: Option<i64>,
    pub amount: f64,
}

pub struct World<'a> {
    pub reps: &'a [Rep],
    pub accounts: &'a [Account],
    pub others: &'a [Company],
    pub router: &'a Router,
    pub campaigns: &'a CampaignPicker,
    pub content: &'a ContentPicker,
}

/// Everything the simulation produces besides leads.csv (written as it goes).
#[derive(Default)]
pub struct Output {
    pub touches: Vec<Touch>,
    pub transitions: Vec<Transition>,
    pub opportunities: Vec<Opportunity>,
    /// per lead (id order): account, created, region
    pub lead_account: Vec<u32>,
    pub lead_created: Vec<i64>,
    pub lead_region: Vec<u8>,
}

/// What is fixed about a lead before the leads are put in time order.
#[derive(Clone, Copy)]
struct Core {
    created: i64,
    /// index in generation order: seeds the person
    person_seed: u32,
    /// accounts first, then other companies
    company: u32,
    student: bool,
}

/// A person as entered; a duplicate lead repeats the person of an earlier one.
struct Person {
    seniority: u8,
    persona_out: Option<u8>,
    title: Option<&'static str>,
    full_name: Option<String>,
    local: String,
    email: String,
    free: bool,
    country: u8,
}

const PERSON_STREAM: u64 = 1 << 40;
const COMPANY_VARIANT_WEIGHTS: [f64; 9] = [0.40, 0.08, 0.04, 0.08, 0.05, 0.10, 0.06, 0.06, 0.05];

struct Samplers {
    day: Categorical,
    seniority: Categorical,
    persona: Vec<Categorical>,
    free_mail: Categorical,
    variant: Categorical,
    /// lead channel for: no account, account, student
    channel: [Categorical; 3],
    touch_channel: Categorical,
    channel_kinds: Vec<Categorical>,
    reasons: Categorical,
    lost: Categorical,
}

impl Samplers {
    fn new() -> Samplers {
        let day: Vec<f64> = (0..N_DAYS)
            .map(|d| {
                let month = ((d as f64 / 30.42) as usize).min(11);
                MONTH_FACTOR[month]
                    * WEEKDAY_FACTOR[((FIRST_WEEKDAY + d) % 7) as usize]
                    * (1.0 + YEAR_GROWTH * d as f64 / N_DAYS as f64)
            })
            .collect();
        let mut no_acc = LEAD_CHANNEL_WEIGHTS;
        no_acc[CH_OUTBOUND as usize] = 0.01;
        let mut acc = LEAD_CHANNEL_WEIGHTS;
        acc[CH_OUTBOUND as usize] *= 1.25;
        let mut student = LEAD_CHANNEL_WEIGHTS;
        student[CH_OUTBOUND as usize] = 0.0;
        Samplers {
            day: Categorical::new(&day),
            seniority: Categorical::new(&SENIORITY_WEIGHTS),
            persona: PERSONA_BY_SENIORITY
                .iter()
                .map(|w| Categorical::new(w))
                .collect(),
            free_mail: Categorical::new(&FREE_MAIL.map(|f| f.1)),
            variant: Categorical::new(&COMPANY_VARIANT_WEIGHTS),
            channel: [
                Categorical::new(&no_acc),
                Categorical::new(&acc),
                Categorical::new(&student),
            ],
            touch_channel: Categorical::new(&TOUCH_CHANNEL_WEIGHTS),
            channel_kinds: CHANNEL_KINDS
                .iter()
                .map(|m| Categorical::new(&m.iter().map(|k| k.1).collect::<Vec<_>>()))
                .collect(),
            reasons: Categorical::new(&[0.22, 0.25, 0.25, 0.08, 0.15, 0.05]),
            lost: Categorical::new(&LOST_REASON_WEIGHTS),
        }
    }
}

/// Per-lead facts the lifecycle needs.
struct LeadCtx {
    id: u32,
    created: i64,
    q: f64,
    student: bool,
    free: bool,
    dup: bool,
    tiny: bool,
    customer: bool,
    seniority: u8,
    account: Option<u32>,
    region: u8,
    route_industry: Option<u8>,
    owner: Option<u32>,
}

pub struct Sim<'a> {
    w: World<'a>,
    s: Samplers,
    seed: u64,
    rng: Rng,
    pub out: Output,
}

impl<'a> Sim<'a> {
    pub fn new(w: World<'a>, seed: u64, rng: Rng) -> Sim<'a> {
        Sim {
            w,
            s: Samplers::new(),
            seed,
            rng,
            out: Output::default(),
        }
    }

    fn company(&self, c: u32) -> &'a Company {
        let n = self.w.accounts.len() as u32;
        if c < n {
            &self.w.accounts[c as usize].co
        } else {
            &self.w.others[(c - n) as usize]
        }
    }

    /// Arrival of the leads over the year: seasonality, weekdays, office hours.
    fn cores(&mut self, n: usize) -> Vec<Core> {
        let weights: Vec<f64> = self.w.accounts.iter().map(|a| a.lead_weight).collect();
        let by_weight = Categorical::new(&weights);
        let n_acc = self.w.accounts.len() as u32;
        let mut cores: Vec<Core> = (0..n)
            .map(|i| {
                let r = &mut self.rng;
                let student = r.chance(STUDENT_SHARE);
                // a fifth of the leads, and most students, belong to no known account
                let no_account = r.chance(0.20) || (student && r.chance(0.9));
                let company = if !no_account {
                    by_weight.sample(r) as u32
                } else {
                    n_acc + r.below(self.w.others.len()) as u32
                };
                let region = self.company(company).region as usize;
                let r = &mut self.rng;
                let day = self.s.day.sample(r) as i64;
                let local_h = (13.0 + 3.2 * r.normal()).clamp(0.0, 23.999);
                let t = START
                    + day * DAY
                    + ((local_h - REGION_UTC_OFFSET_H[region]) * HOUR as f64) as i64;
                Core {
                    created: t.clamp(START, LAST - 2 * HOUR),
                    person_seed: i as u32,
                    company,
                    student,
                }
            })
            .collect();
        cores.sort_by_key(|c| (c.created, c.person_seed));
        cores
    }

    fn person(&self, core: &Core) -> Person {
        let mut r = Rng::new(self.seed, PERSON_STREAM + core.person_seed as u64);
        let co = self.company(core.company);
        let has_acc = (core.company as usize) < self.w.accounts.len();
        let region = co.region;
        let country = if !has_acc || r.chance(0.9) {
            co.country
        } else {
            // a subsidiary elsewhere in the region
            let ws: Vec<f64> = COUNTRIES[region as usize].iter().map(|c| c.1).collect();
            Categorical::new(&ws).sample(&mut r) as u8
        };
        let seniority = if core.student {
            SEN_STUDENT
        } else {
            self.s.seniority.sample(&mut r) as u8
        };
        let persona = self.s.persona[seniority as usize].sample(&mut r) as u8;
        let persona_out = if seniority == SEN_STUDENT
            || (seniority == SEN_UNKNOWN && r.chance(0.5))
            || r.chance(0.06)
        {
            None
        } else {
            Some(persona)
        };
        let titles = TITLES[seniority as usize][persona as usize];
        let title = (!r.chance(0.07)).then(|| *r.pick(titles));
        let code = COUNTRIES[region as usize][country as usize].0;
        let local_script = CJK_NAMES.iter().find(|c| c.0 == code);
        let (display, first, last) = match local_script {
            Some((_, family, given)) if r.chance(0.65) => {
                let f = r.pick(family);
                let g = r.pick(given);
                (format!("{} {}", f.0, g.0), g.1, f.1)
            }
            _ => {
                let f = r.pick(&FIRST_NAMES);
                let l = r.pick(&LAST_NAMES);
                (format!("{} {}", f.0, l.0), f.1, l.1)
            }
        };
        let full_name = (!r.chance(0.02)).then_some(display);
        let mut local = match r.below(5) {
            0 => format!("{first}.{last}"),
            1 => format!("{}{last}", &first[..1]),
            2 => first.to_string(),
            3 => format!("{first}_{last}"),
            _ => format!("{last}.{first}"),
        };
        let free = r.chance(if has_acc { 0.15 } else { 0.33 }) || (core.student && r.chance(0.5));
        let domain = if free {
            if r.chance(0.4) {
                local.push_str(&(1 + r.below(998)).to_string());
            }
            FREE_MAIL[self.s.free_mail.sample(&mut r)].0.to_string()
        } else if core.student {
            r.pick(&EDU_DOMAINS).to_string()
        } else if has_acc && r.chance(0.08) {
            format!("{}{}", r.pick(&SUBDOMAINS), co.domain)
        } else {
            co.domain.clone()
        };
        let email = format!("{local}@{domain}");
        Person {
            seniority,
            persona_out,
            title,
            full_name,
            local,
            email,
            free,
            country,
        }
    }

    /// Simulates every lead; writes leads.csv row by row in id (= time) order.
    pub fn run(&mut self, n: usize, leads_csv: &mut CsvOut) -> Result<(), GenError> {
        let cores = self.cores(n);
        let mut person_of: Vec<u32> = Vec::with_capacity(n);
        self.out.lead_account.reserve(n);
        self.out.lead_created.reserve(n);
        self.out.lead_region.reserve(n);
        self.out.touches.reserve(n * 20);
        self.out.transitions.reserve(n + n / 8);
        let mut buf = Vec::with_capacity(64);
        for (k, core) in cores.iter().enumerate() {
            // the same person entered twice: repeat an earlier lead's person
            let dup = k > 0 && self.rng.chance(0.015);
            let p = if dup {
                person_of[self.rng.below(k)]
            } else {
                k as u32
            };
            person_of.push(p);
            let pc = cores[p as usize];
            let mut person = self.person(&pc);
            if dup && self.rng.chance(0.35) {
                // ... with another address
                person.email = format!(
                    "{}@{}",
                    person.local,
                    FREE_MAIL[self.s.free_mail.sample(&mut self.rng)].0
                );
                person.free = true;
            }
            self.lead(k as u32, core, &pc, &person, dup, leads_csv, &mut buf)?;
        }
        Ok(())
    }

    #[allow(clippy::too_many_arguments)]
    fn lead(
        &mut self,
        id: u32,
        core: &Core,
        pc: &Core,
        person: &Person,
        dup: bool,
        leads_csv: &mut CsvOut,
        buf: &mut Vec<u8>,
    ) -> Result<(), GenError> {
        let n_acc = self.w.accounts.len() as u32;
        let account = (pc.company < n_acc).then_some(pc.company);
        let co = self.company(pc.company);
        let student = pc.student;
        let created = core.created;
        let r = &mut self.rng;

        // as typed: company, website, size, industry
        let company_name = if student {
            (!r.chance(0.5)).then(|| "University".to_string())
        } else {
            let v = self.s.variant.sample(r);
            let typo = r.f64();
            (!r.chance(0.08)).then(|| company_variant(co, v, typo))
        };
        let wr = r.f64();
        let website = if student {
            None
        } else if wr < 0.45 {
            Some(format!("www.{}", co.domain))
        } else if wr < 0.60 {
            Some(format!("https://www.{}", co.domain))
        } else if wr < 0.65 {
            Some(format!("http://{}", co.domain))
        } else if wr < 0.70 {
            Some(format!(
                "www.{}.com",
                co.domain.split('.').next().unwrap_or("")
            ))
        } else {
            None
        };
        let mut emp = (co.employees as f64 * r.lognormal(1.0, 0.3))
            .round()
            .max(1.0);
        if emp > 100.0 && r.chance(0.3) {
            emp = (emp / 10.0).round() * 10.0;
        }
        let emp_rep = (!student && !r.chance(0.3)).then_some(emp as u64);
        let ir = r.f64();
        let ind_rep = if student || ir >= 0.8 {
            None
        } else if ir < 0.7 {
            Some(co.industry)
        } else {
            Some(r.below(INDUSTRIES.len()) as u8)
        };

        // source
        let ci = if student {
            2
        } else if account.is_some() {
            1
        } else {
            0
        };
        let channel = self.s.channel[ci].sample(r) as u8;
        let mut campaign = self.w.campaigns.pick(r, channel, created);
        if channel != CH_OUTBOUND && r.chance(0.1) {
            campaign = None;
        }

        // latent fit and intent
        let size_fit = (0.45 * ((co.employees.max(1) as f64).log10() - 2.2)).clamp(-1.0, 0.9);
        let fit = SENIORITY_FIT[person.seniority as usize]
            + size_fit
            + INDUSTRY_FIT[co.industry as usize]
            - if person.free { 0.7 } else { 0.0 }
            - if account.is_none() { 0.3 } else { 0.0 };
        let intent = r.normal();
        let q = fit + CHANNEL_QUALITY[channel as usize] + 0.8 * intent + 0.95 * r.normal();
        let region = co.region;
        let acc = account.map(|a| &self.w.accounts[a as usize]);
        let route_industry = acc.map(|a| a.co.industry).or(ind_rep);
        let creator = (channel == CH_OUTBOUND)
            .then(|| self.w.router.route(r, T_SDR, region, Some(co.industry)));

        Row::new(leads_csv, buf)
            .id(b'L', id as u64, 7)?
            .str(&person.email)?
            .opt_str(person.full_name.as_deref())?
            .opt_str(person.title)?
            .str(SENIORITIES[person.seniority as usize])?
            .opt_str(person.persona_out.map(|p| PERSONAS[p as usize]))?
            .opt_str(company_name.as_deref())?
            .opt_str(website.as_deref())?
            .opt_uint(emp_rep)?
            .opt_str(ind_rep.map(|i| INDUSTRIES[i as usize]))?
            .str(COUNTRIES[region as usize][person.country as usize].0)?
            .str(REGIONS[region as usize])?
            .str(CHANNELS[channel as usize])?
            .opt_id(b'C', campaign.map(u64::from), 4)?
            .ts(created)?
            .opt_id(b'A', account.map(u64::from), 6)?
            .end()?;
        self.out.lead_account.push(account.unwrap_or(u32::MAX));
        self.out.lead_created.push(created);
        self.out.lead_region.push(region);

        let ctx = LeadCtx {
            id,
            created,
            q,
            student,
            free: person.free,
            dup,
            tiny: co.employees < 25,
            customer: acc.is_some_and(|a| a.is_customer),
            seniority: person.seniority,
            account,
            region,
            route_industry,
            owner: acc.and_then(|a| a.owner),
        };
        let first_mql = self.lifecycle(&ctx, creator);
        if let Some(sdr) = creator {
            // SDR prospecting: a first e-mail at creation, more until the MQL or 30 days
            self.sales(id, created, K_SEMAIL, sdr);
            let end = first_mql.unwrap_or((created + 30 * DAY).min(LAST));
            let k = self.rng.poisson(2.0);
            self.spread(id, created, end, k, sdr, &[0.4, 0.6, 0.0]);
        }
        self.marketing_touches(&ctx, channel, campaign, fit, intent, first_mql);
        Ok(())
    }

    fn transition(
        &mut self,
        lead: u32,
        from: u8,
        to: u8,
        t: i64,
        rep: Option<u32>,
        reason: Option<u8>,
    ) {
        self.out.transitions.push(Transition {
            t: (t - START) as u32,
            lead,
            from,
            to,
            reason: reason.unwrap_or(NONE8),
            rep: rep.map_or(NONE16, |r| r as u16),
        });
    }

    fn sales(&mut self, lead: u32, t: i64, kind: u8, rep: u32) {
        let content = if kind == K_SEMAIL && self.rng.chance(0.25) {
            self.w.content.pick(&mut self.rng, t).unwrap_or(NONE16)
        } else {
            NONE16
        };
        self.out.touches.push(Touch {
            t: (t - START) as u32,
            lead,
            kind,
            channel: NONE8,
            campaign: NONE16,
            content,
            rep: rep as u16,
        });
    }

    /// `count` sales touches spread uniformly inside (t0, t1).
    fn spread(&mut self, lead: u32, t0: i64, t1: i64, count: u32, rep: u32, kind_w: &[f64; 3]) {
        if t1 - t0 <= 120 {
            return;
        }
        let kinds = Categorical::new(kind_w);
        for _ in 0..count {
            let t = t0 + 60 + (self.rng.f64() * (t1 - t0 - 120) as f64) as i64;
            let kind = K_CALL + kinds.sample(&mut self.rng) as u8;
            self.sales(lead, t, kind, rep);
        }
    }

    fn rejection_reason(&mut self, c: &LeadCtx, followed: bool) -> u8 {
        const BASE: [u8; 6] = [
            R_NDM,
            R_BUDGET,
            R_TIMING,
            R_COMPETITOR,
            R_NORESPONSE,
            R_REGION,
        ];
        let r = &mut self.rng;
        let mut reason = BASE[self.s.reasons.sample(r)];
        // the more specific reasons win
        let rules = [
            (c.seniority == SEN_INDIVIDUAL, 0.5, R_NDM),
            (c.tiny, 0.7, R_SMALL),
            (c.customer, 0.45, R_CUSTOMER),
            (c.free, 0.6, R_CONTACT),
            (c.dup, 0.75, R_DUPLICATE),
            (c.student, 0.9, R_STUDENT),
            (!followed, 0.8, R_NORESPONSE),
        ];
        for (applies, p, rr) in rules {
            if applies && r.chance(p) {
                reason = rr;
            }
        }
        reason
    }

    /// One MQL entry at `t` routed to `rep`: follow-up, then acceptance or
    /// rejection. Returns (SAL time if accepted, recycle time if recycled).
    fn mql_round(&mut self, c: &LeadCtx, t: i64, rep: u32, from: u8) -> (Option<i64>, Option<i64>) {
        self.transition(c.id, from, S_MQL, t, Some(rep), None);
        let rp = &self.w.reps[rep as usize];
        let r = &mut self.rng;
        let mut followed = !r.chance(rp.never_p);
        let tf = t + (rp.speed_s * r.lognormal(1.0, 0.8)) as i64 + 30;
        followed &= tf < LAST - 300;
        let first_kind = if r.chance(0.55) { K_CALL } else { K_SEMAIL };
        let late = r.chance(0.10);
        let mut d = r.lognormal(3.0 * HOUR as f64, 1.0);
        if late {
            d += 2.0 * DAY as f64 + r.f64() * 7.0 * DAY as f64;
        }
        let td = if followed {
            tf + d as i64 + 60
        } else {
            t + 3 * DAY + (r.f64() * 11.0 * DAY as f64) as i64
        };
        let decided = (followed || r.chance(0.5)) && td < AS_OF;
        let penalty: f64 = (1.0_f64
            - if c.student { 0.95 } else { 0.0 }
            - if c.free { 0.45 } else { 0.0 }
            - if c.tiny { 0.45 } else { 0.0 }
            - if c.customer { 0.5 } else { 0.0 }
            - if c.dup { 0.7 } else { 0.0 })
        .clamp(0.02, 1.0);
        let accept = decided && followed && r.chance(sigmoid(0.6 + 0.9 * c.q) * penalty);
        if followed {
            self.sales(c.id, tf, first_kind, rep);
        }
        let mut result = (None, None);
        if accept {
            self.transition(c.id, S_MQL, S_SAL, td, Some(rep), None);
            result.0 = Some(td);
        } else if decided {
            let reason = self.rejection_reason(c, followed);
            let to = if DISQUALIFYING.contains(&reason) && self.rng.chance(0.8) {
                S_DQ
            } else {
                S_REC
            };
            self.transition(c.id, S_MQL, to, td, Some(rep), Some(reason));
            if to == S_REC {
                result.1 = Some(td);
            }
        }
        if followed {
            let end = if decided {
                td
            } else {
                (tf + 3 * DAY).min(LAST)
            };
            let k = self.rng.poisson(0.9);
            self.spread(c.id, tf, end, k, rep, &[0.5, 0.45, 0.05]);
        }
        result
    }

    /// The lead's way through the lifecycle; returns its first MQL time.
    fn lifecycle(&mut self, c: &LeadCtx, creator: Option<u32>) -> Option<i64> {
        let r = &mut self.rng;
        // MQLs go to the named-account owner, else the SDR who sourced the lead,
        // else an SDR of the region (of the vertical when there is one).
        let routed = self.w.router.route(r, T_SDR, c.region, c.route_industry);
        let mql_rep = c.owner.or(creator).unwrap_or(routed);

        let t1 = c.created + 600 + r.lognormal(40.0 * HOUR as f64, 1.3) as i64;
        let is_mql = r.chance(sigmoid(-1.6 + c.q)) && t1 < LAST - 600;
        if !is_mql {
            // junk that marketing disqualifies without involving sales
            let t = c.created + r.lognormal(3.0 * DAY as f64, 0.8) as i64;
            let p = 0.04 * if c.student { 5.0 } else { 1.0 };
            if r.chance(p) && t < AS_OF {
                self.transition(c.id, S_LEAD, S_DQ, t, None, None);
            }
            return None;
        }
        let (mut sal, recycled) = self.mql_round(c, t1, mql_rep, S_LEAD);
        if let Some(t_rec) = recycled {
            // recycled leads may come back weeks later and qualify again
            let t2 = t_rec + self.rng.lognormal(30.0 * DAY as f64, 0.5) as i64;
            if self.rng.chance(0.6 * sigmoid(c.q - 0.5)) && t2 < LAST - 600 {
                sal = self.mql_round(c, t2, mql_rep, S_REC).0;
            }
        }
        let Some(t_sal) = sal else { return Some(t1) };
        let sdr = mql_rep;

        // sal -> sql, handed to an account executive
        let r = &mut self.rng;
        let t_sql = t_sal + 600 + r.lognormal(4.0 * DAY as f64, 0.9) as i64;
        let to_sql = r.chance(sigmoid(-0.6 + 0.8 * c.q)) && t_sql < LAST - 600;
        let ae = match c.owner {
            Some(o) if self.w.reps[o as usize].team == T_AE => o,
            _ => self.w.router.route(r, T_AE, c.region, c.route_industry),
        };
        if !to_sql {
            let t_rec = t_sal + r.lognormal(20.0 * DAY as f64, 0.5) as i64;
            let recycle = r.chance(0.45) && t_rec < AS_OF;
            let reason = if r.chance(0.5) { R_TIMING } else { R_BUDGET };
            if recycle {
                self.transition(c.id, S_SAL, S_REC, t_rec, Some(sdr), Some(reason));
            }
            let end = if recycle {
                t_rec
            } else {
                (t_sal + 10 * DAY).min(LAST)
            };
            let k = self.rng.poisson(1.5);
            self.spread(c.id, t_sal, end, k, sdr, &[0.45, 0.4, 0.15]);
            return Some(t1);
        }
        self.transition(c.id, S_SAL, S_SQL, t_sql, Some(ae), None);
        let k = self.rng.poisson(1.5);
        self.spread(c.id, t_sal, t_sql, k, sdr, &[0.45, 0.4, 0.15]);

        // sql -> opportunity (only for a known account)
        let r = &mut self.rng;
        let t_opp = t_sql + 600 + r.lognormal(6.0 * DAY as f64, 0.8) as i64;
        let to_opp =
            r.chance(sigmoid(0.4 + 0.6 * c.q)) && c.account.is_some() && t_opp < LAST - 600;
        if !to_opp {
            let t_rec = t_sql + r.lognormal(30.0 * DAY as f64, 0.5) as i64;
            let recycle = r.chance(0.40) && t_rec < AS_OF;
            let reason = [R_TIMING, R_BUDGET, R_COMPETITOR][r.below(3)];
            if recycle {
                self.transition(c.id, S_SQL, S_REC, t_rec, Some(ae), Some(reason));
            }
            let end = if recycle {
                t_rec
            } else {
                (t_sql + 14 * DAY).min(LAST)
            };
            let k = self.rng.poisson(2.5);
            self.spread(c.id, t_sql, end, k, ae, &[0.3, 0.35, 0.35]);
            return Some(t1);
        }
        self.transition(c.id, S_SQL, S_OPP, t_opp, Some(ae), None);
        let k = self.rng.poisson(2.5);
        self.spread(c.id, t_sql, t_opp, k, ae, &[0.3, 0.35, 0.35]);

        // opportunity -> won / lost
        let account = c.account.unwrap_or(0);
        let tier = self.w.accounts[account as usize].tier as usize;
        let r = &mut self.rng;
        let amount = TIER_AMOUNT_MEDIAN[tier] * (TIER_AMOUNT_SIGMA[tier] * r.normal()).exp();
        let cycle = (TIER_CYCLE_DAYS[tier] * DAY as f64 * r.lognormal(1.0, 0.55)) as i64 + DAY;
        let t_close = t_opp + cycle;
        let closed = t_close < AS_OF;
        let won = closed && r.chance(sigmoid(-2.7 + 0.75 * c.q));
        if won {
            self.transition(c.id, S_OPP, S_CUST, t_close, Some(ae), None);
        } else if closed {
            self.transition(c.id, S_OPP, S_REC, t_close, None, None);
        }
        let k = self.rng.poisson(2.0 + cycle as f64 / (12 * DAY) as f64);
        self.spread(c.id, t_opp, t_close.min(LAST), k, ae, &[0.3, 0.35, 0.35]);
        self.out.opportunities.push(Opportunity {
            account,
            lead: Some(c.id),
            owner: ae,
            kind: 0,
            created: t_opp,
            stage: if won {
                1
            } else if closed {
                2
            } else {
                0
            },
            closed: closed.then_some(t_close),
            amount,
        });
        Some(t1)
    }

    /// Marketing touches come in bursts: the first at creation, one just before
    /// the MQL, the rest over the following months. Engaged leads show more
    /// intent (pricing page, demo request, webinar attendance).
    fn marketing_touches(
        &mut self,
        c: &LeadCtx,
        src: u8,
        src_campaign: Option<u16>,
        fit: f64,
        intent: f64,
        first_mql: Option<i64>,
    ) {
        let r = &mut self.rng;
        let horizon = LAST - c.created;
        let scale = (horizon as f64 / (60 * DAY) as f64).min(1.0).powf(0.6);
        let volume = (2.05 + 0.45 * intent + 1.2 * r.normal()).exp() * scale;
        let k = (1 + volume.floor() as u64).min(2500) as u32;
        let mut nb = (1 + r.poisson(k as f64 / 7.0)).min(k);
        if first_mql.is_some() {
            nb = nb.max(k.min(2));
        }
        let span = horizon.min(150 * DAY) as f64;
        let mut centers: Vec<i64> = Vec::with_capacity(nb as usize);
        for b in 0..nb {
            let center = match (b, first_mql) {
                (0, _) => 0,
                (1, Some(m)) => (m - c.created - (r.f64() * (6 * HOUR) as f64) as i64).max(0),
                _ => (r.f64().powf(1.4) * span) as i64,
            };
            centers.push(center);
        }
        let p_intent = 0.02 + 0.22 * sigmoid(1.6 * intent + 0.4 * fit - 1.8);
        for j in 0..k {
            let r = &mut self.rng;
            let first = j == 0;
            let t = if first {
                c.created
            } else {
                let mut off =
                    centers[r.below(nb as usize)] + r.exponential(5.0 * HOUR as f64) as i64;
                if off > horizon {
                    off = (r.f64() * horizon as f64) as i64;
                }
                c.created + off
            };
            let own = r.chance(0.35) && src != CH_OUTBOUND;
            let mut channel = if own || first {
                src
            } else {
                self.s.touch_channel.sample(r) as u8
            };
            let is_intent = !first && r.chance(p_intent);
            let mix = CHANNEL_KINDS[channel as usize];
            let mut kind = mix[self.s.channel_kinds[channel as usize].sample(r)].0;
            if is_intent {
                if r.chance(0.2) {
                    channel = CH_WEBINAR;
                    kind = K_WATT;
                } else if channel == CH_WEBINAR {
                    kind = K_WATT;
                } else {
                    kind = if r.chance(0.7) { K_PRICING } else { K_DEMO };
                }
            }
            if first && src != CH_OUTBOUND {
                kind = FIRST_TOUCH_KIND[src as usize];
            }
            let campaign = if first {
                src_campaign
            } else if r.chance(0.12) {
                None
            } else {
                self.w.campaigns.pick(r, channel, t)
            };
            let needs_content =
                kind == K_DOWNLOAD || kind == K_WATT || (kind == K_PAGE && r.chance(0.25));
            let content = if needs_content {
                self.w.content.pick(r, t)
            } else {
                None
            };
            self.out.touches.push(Touch {
                t: (t - START) as u32,
                lead: c.id,
                kind,
                channel,
                campaign: campaign.unwrap_or(NONE16),
                content: content.unwrap_or(NONE16),
                rep: NONE16,
            });
        }
    }

    /// Renewals and expansions of accounts that are customers already, owned
    /// by account managers; some name a contact of the account as primary lead.
    pub fn account_opportunities(&mut self) {
        let n = self.out.lead_account.len();
        // leads of each account, in id order (CSR)
        let n_acc = self.w.accounts.len();
        let mut start = vec![0u32; n_acc + 1];
        for &a in &self.out.lead_account {
            if a != u32::MAX {
                start[a as usize + 1] += 1;
            }
        }
        for i in 0..n_acc {
            start[i + 1] += start[i];
        }
        let mut fill = start.clone();
        let mut leads = vec![0u32; start[n_acc] as usize];
        for (l, &a) in self.out.lead_account.iter().enumerate().take(n) {
            if a != u32::MAX {
                leads[fill[a as usize] as usize] = l as u32;
                fill[a as usize] += 1;
            }
        }
        for (ai, a) in self.w.accounts.iter().enumerate() {
            if !a.is_customer {
                continue;
            }
            for (kind, p, win_p, share) in [(2u8, 0.55, 0.72, 0.8), (1u8, 0.35, 0.42, 0.35)] {
                let r = &mut self.rng;
                if !r.chance(p) {
                    continue;
                }
                let created = START + (r.f64() * ((N_DAYS - 1) * DAY) as f64) as i64;
                let owner = match a.owner {
                    Some(o) if self.w.reps[o as usize].team == T_AM => o,
                    _ => self
                        .w
                        .router
                        .route(r, T_AM, a.co.region, Some(a.co.industry)),
                };
                let amount = TIER_AMOUNT_MEDIAN[a.tier as usize] * r.lognormal(1.0, 0.35) * share;
                let t_close = created + r.lognormal(30.0 * DAY as f64, 0.5) as i64 + DAY;
                let closed = t_close < AS_OF;
                let won = closed && r.chance(win_p);
                let mine = &leads[start[ai] as usize..start[ai + 1] as usize];
                let lead = if !mine.is_empty() && r.chance(0.3) {
                    let l = mine[r.below(mine.len())];
                    (self.out.lead_created[l as usize] < created).then_some(l)
                } else {
                    None
                };
                self.out.opportunities.push(Opportunity {
                    account: ai as u32,
                    lead,
                    owner,
                    kind,
                    created,
                    stage: if won {
                        1
                    } else if closed {
                        2
                    } else {
                        0
                    },
                    closed: closed.then_some(t_close),
                    amount,
                });
            }
        }
        self.out.opportunities.sort_by_key(|o| o.created);
    }

    /// Rounded amount in cents and lost reason, for an opportunity in id order.
    pub fn finish_opportunity(&mut self, o: &Opportunity) -> (i64, Option<u8>) {
        let mut dollars = (o.amount / 100.0).round() * 100.0;
        if self.rng.chance(0.2) {
            dollars += 50.0;
        }
        let cents = (dollars.max(500.0) * 100.0) as i64;
        let lost = (o.stage == 2).then(|| self.s.lost.sample(&mut self.rng) as u8);
        (cents, lost)
    }
}
