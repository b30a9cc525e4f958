//! Scoring: fit from the fit rules over lead and account, engagement from
//! each touch's points decayed by the half-life, persona by the persona
//! rules. A pure function of the lead's rows, the agreement and `now`:
//! nothing is cached, so a score always equals its recomputation.
//! Definitions: docs/engine.md, "Scoring".

use accord_core::agreement::Agreement;
use accord_core::expr::Var;

use crate::rules::RuleScope;
use crate::state::{State, TouchRow};

/// The fit score: the sum of the points of every fit rule that holds.
pub(crate) fn fit(state: &State, a: &Agreement, lead: u32) -> i64 {
    fit_rules(state, a, lead).map(|(_, p)| p).sum()
}

/// The fit rules that hold for the lead, with their points.
pub(crate) fn fit_rules<'a>(
    state: &'a State,
    a: &'a Agreement,
    lead: u32,
) -> impl Iterator<Item = (&'a str, i64)> + 'a {
    let scope = RuleScope {
        scores: false,
        ..RuleScope::new(state, a, lead, state.clock)
    };
    a.scoring
        .fit
        .iter()
        .filter(move |r| scope.holds(&r.when))
        .map(|r| (r.name.as_str(), i64::from(r.points)))
}

/// One touch's part of the engagement score at `now`.
#[derive(Clone, Debug)]
pub(crate) struct Term<'a> {
    pub touch: &'a TouchRow,
    /// The points of its kind.
    pub kind_points: i64,
    /// The engagement rules that held, with their points.
    pub rules: Vec<(&'a str, i64)>,
    /// 2^(-(now - touch time) / half-life).
    pub decay: f64,
}

impl Term<'_> {
    pub(crate) fn points(&self) -> i64 {
        self.kind_points + self.rules.iter().map(|(_, p)| p).sum::<i64>()
    }
    pub(crate) fn value(&self) -> f64 {
        self.points() as f64 * self.decay
    }
}

/// The touches that count at `now` (those at or before it), in the order
/// they arrived, each with its points and decay.
pub(crate) fn terms<'a>(
    state: &'a State,
    a: &'a Agreement,
    lead: u32,
    now: i64,
) -> impl Iterator<Item = Term<'a>> + 'a {
    let half_life = a.scoring.engagement.half_life_days * 86_400.0;
    state.touches[lead as usize]
        .iter()
        .filter(move |t| t.at <= now)
        .map(move |t| {
            let scope = RuleScope {
                touch: Some(t),
                scores: false,
                ..RuleScope::new(state, a, lead, now)
            };
            let rules = a
                .scoring
                .engagement
                .rules
                .iter()
                .filter(|r| scope.holds(&r.when))
                .map(|r| (r.name.as_str(), i64::from(r.points)))
                .collect();
            Term {
                touch: t,
                kind_points: i64::from(a.scoring.engagement.points_for(t.kind)),
                rules,
                decay: (-((now - t.at) as f64) / half_life).exp2(),
            }
        })
}

/// The engagement score at `now`: the decayed sum, summed in arrival
/// order in f64, rounded half up. The same sum as [`terms`] gives (a test
/// holds them equal), without collecting the rules that held. A touch's
/// points are read from the touch when its lead's are kept
/// ([`State::points`]).
pub(crate) fn engagement(state: &State, a: &Agreement, lead: u32, now: i64) -> i64 {
    let half_life = a.scoring.engagement.half_life_days * 86_400.0;
    let kept = points_kept(a) && state.points.is_current(lead);
    let mut sum = 0.0f64;
    for t in state.touches[lead as usize].iter().filter(|t| t.at <= now) {
        let points = if kept {
            i64::from(t.points)
        } else {
            touch_points(state, a, lead, t, now)
        };
        sum += points as f64 * (-((now - t.at) as f64) / half_life).exp2();
    }
    round_half_up(sum)
}

/// A touch's points before decay: its kind's, plus those of every
/// engagement rule that holds for it at `now`.
pub(crate) fn touch_points(state: &State, a: &Agreement, lead: u32, t: &TouchRow, now: i64) -> i64 {
    let e = &a.scoring.engagement;
    let scope = RuleScope {
        touch: Some(t),
        scores: false,
        ..RuleScope::new(state, a, lead, now)
    };
    let rules: i64 = e
        .rules
        .iter()
        .filter(|r| scope.holds(&r.when))
        .map(|r| i64::from(r.points))
        .sum();
    i64::from(e.points_for(t.kind)) + rules
}

/// Whether a touch's points can be kept on the touch under `a`: its
/// engagement rules read nothing but the touch (and `mql_threshold`), so
/// the points change only when its content is published again.
pub(crate) fn points_kept(a: &Agreement) -> bool {
    a.scoring.engagement.rules.iter().all(|r| {
        [Var::Lead, Var::Account, Var::Rep, Var::Event, Var::Now]
            .iter()
            .all(|&v| !r.when.reads(v))
    })
}

/// Works out and keeps the points of every touch of `lead`, when they can
/// be kept and are not current ([`State::points`]). A lead with a touch
/// whose points do not fit is left to be scored from its rules.
pub(crate) fn keep_points(state: &mut State, a: &Agreement, lead: u32) {
    if !points_kept(a) || state.points.is_current(lead) {
        return;
    }
    let now = state.clock;
    for k in 0..state.touches[lead as usize].len() {
        let t = state.touches[lead as usize][k];
        let Ok(p) = i16::try_from(touch_points(state, a, lead, &t, now)) else {
            return;
        };
        state.touches[lead as usize][k].points = p;
    }
    state.points.mark_current(lead);
}

/// A touch just added to `lead`'s: its points kept when the lead's are,
/// else the lead's are stale.
pub(crate) fn keep_added(state: &mut State, a: Option<&Agreement>, lead: u32) {
    if !state.points.is_current(lead) {
        return;
    }
    let now = state.clock;
    let kept = a.filter(|a| points_kept(a)).and_then(|a| {
        let t = state.touches[lead as usize].last()?;
        i16::try_from(touch_points(state, a, lead, t, now)).ok()
    });
    match kept {
        Some(p) => {
            if let Some(t) = state.touches[lead as usize].last_mut() {
                t.points = p;
            }
        }
        None => state.points.forget(lead),
    }
}

pub(crate) fn round_half_up(x: f64) -> i64 {
    (x + 0.5).floor() as i64
}

/// `fit + engagement`, clamped to 0..=100.
pub(crate) fn score(state: &State, a: &Agreement, lead: u32, now: i64) -> i64 {
    (fit(state, a, lead) + engagement(state, a, lead, now)).clamp(0, 100)
}

/// The lead's persona: the one it gave, else the first persona (in file
/// order) whose rule holds, else ''.
pub(crate) fn persona<'a>(state: &'a State, a: &'a Agreement, lead: u32) -> &'a str {
    let row = &state.leads[lead as usize];
    if let Some(p) = &row.lead.persona {
        return p.as_str();
    }
    let scope = RuleScope {
        scores: false,
        classifying: true,
        ..RuleScope::new(state, a, lead, state.clock)
    };
    a.personas
        .iter()
        .find(|p| p.when.as_ref().is_some_and(|w| scope.holds(w)))
        .map_or("", |p| p.name.as_str())
}
