//! Routing: who owns a lead. The agreement's rules in order; the first rule
//! with an eligible rep wins. Definitions: docs/engine.md, "Routing".
//!
//! A lead waiting for an owner is routed again at each of its events, and
//! a rule is read for every rep: [`Classes`] groups the reps each rule
//! cannot tell apart (equal in every rep field it reads), so that it is
//! evaluated once per group, a rule with a conjunct that reads no rep and
//! is false is not evaluated per rep at all, and one with a conjunct
//! `rep.id == e` only for the rep `e` names. The decisions are those
//! of evaluating every rule for every rep (a test holds them to that).

use accord_core::agreement::{Agreement, Assign};
use accord_core::domain::{DecisionId, RepId, Text, Timestamp};
use accord_core::event::{Assignment, Excluded, Exclusion, RuleTried, MAX_CANDIDATES};
use accord_core::expr::Var;
use rustc_hash::FxHashMap;

use crate::hours::Clock;
use crate::rules::RuleScope;
use crate::state::{State, NONE};

/// Per routing rule, each rep's group (by position in
/// [`State::rep_order`]): reps of one group agree on every rep field the
/// rule reads, so the rule holds for all or none of them. [`NONE`]: not of
/// the rule's team (or not recorded). Made from the agreement and the reps;
/// made again when either changes.
pub(crate) struct Classes {
    of: Vec<Vec<u32>>,
    /// Per rule, how many groups.
    counts: Vec<u32>,
}

impl Classes {
    pub(crate) fn new(state: &State, a: &Agreement) -> Classes {
        let mut of = Vec::with_capacity(a.routing.rules.len());
        let mut counts = Vec::with_capacity(a.routing.rules.len());
        for rule in &a.routing.rules {
            let fields = rule.when.fields_read(Var::Rep);
            let mut groups: FxHashMap<String, u32> = FxHashMap::default();
            let mut n = 0u32;
            let classes = state
                .rep_order
                .iter()
                .map(|&r| {
                    let Some(rep) = state.rep(r) else {
                        return NONE;
                    };
                    if rule.team.is_some_and(|t| t.as_str() != rep.team.as_str()) {
                        return NONE;
                    }
                    let Some(fields) = &fields else {
                        // Not known what the rule reads: a group of its own.
                        n += 1;
                        return n - 1;
                    };
                    let scope = RuleScope {
                        rep: r,
                        ..RuleScope::new(state, a, NONE, 0)
                    };
                    // Debug text tells apart any two different values.
                    let key: Vec<String> = fields
                        .iter()
                        .map(|&f| format!("{:?}", scope.field(Var::Rep, f)))
                        .collect();
                    *groups.entry(key.join("\u{0}")).or_insert_with(|| {
                        n += 1;
                        n - 1
                    })
                })
                .collect();
            of.push(classes);
            counts.push(n);
        }
        Classes { of, counts }
    }
}

/// Routes `lead` at `now`: the assignment to record (its `rep` is `None`
/// when no rep is eligible under any rule). `classes`: [`Classes::new`] of
/// this state's reps and this agreement.
pub(crate) fn route(
    state: &State,
    a: &Agreement,
    clock: &Clock,
    classes: &Classes,
    lead: u32,
    now: i64,
) -> Assignment {
    let threshold = i64::from(a.mql_threshold());
    let mut tried = Vec::new();
    // Per region: at work now, and the local day (pure functions of the
    // region and `now`, worked out once per routing).
    let mut at_work: [Option<bool>; 4] = [None; 4];
    let mut days: [Option<i64>; 4] = [None; 4];
    let mut load = |r: u32| -> u32 {
        let Some(rep) = state.rep(r) else {
            return 0;
        };
        let day =
            *days[usize::from(rep.region.code())].get_or_insert_with(|| clock.day(rep.region, now));
        state.loads.get(&(r, day)).copied().unwrap_or(0)
    };
    let mut holds: Vec<Option<bool>> = Vec::new();
    for (k, rule) in a.routing.rules.iter().enumerate() {
        let scope = RuleScope::new(state, a, lead, now);
        let mut matched = 0u32;
        let mut excluded = Vec::new();
        let mut eligible: Vec<u32> = Vec::new();
        let of = &classes.of[k];
        if !rule.when.false_whatever(Var::Rep, &scope, threshold) {
            holds.clear();
            holds.resize(classes.counts[k] as usize, None);
            // A rule pinning `rep.id` to one text (`rep.id ==
            // account.owner_rep_id`) holds for that rep at most.
            let only = rule
                .when
                .pinned(Var::Rep, "id", &scope, threshold)
                .map(|id| state.rep_ids.get(&id));
            for (&r, &class) in state.rep_order.iter().zip(of) {
                if class == NONE || only.is_some_and(|o| o != Some(r)) {
                    continue;
                }
                let held = *holds[class as usize]
                    .get_or_insert_with(|| (RuleScope { rep: r, ..scope }).holds(&rule.when));
                if !held {
                    continue;
                }
                let rep = state.rep(r).expect("a rep of a group is recorded");
                matched += 1;
                let why = if state.away_at(r, now) {
                    Some(Exclusion::Away)
                } else if !*at_work[usize::from(rep.region.code())]
                    .get_or_insert_with(|| clock.at_work(rep.region, now))
                {
                    Some(Exclusion::OutsideHours)
                } else if rule.respect_capacity && load(r) >= rep.capacity_per_day {
                    Some(Exclusion::AtCapacity)
                } else {
                    None
                };
                match why {
                    Some(why) => {
                        if excluded.len() < MAX_CANDIDATES {
                            excluded.push(Excluded {
                                rep: rep.id.clone(),
                                why,
                            });
                        }
                    }
                    None => eligible.push(r),
                }
            }
        }
        tried.push(RuleTried {
            rule: text(&rule.name),
            matched,
            excluded,
        });
        if eligible.is_empty() {
            continue;
        }
        let order = round_robin_order(state, &rule.name, &eligible);
        let chosen = match rule.assign {
            Assign::RoundRobin => order[0],
            Assign::LeastLoaded => {
                // Fewest leads today; ties in round-robin order.
                let fewest = order
                    .iter()
                    .map(|&r| load(r))
                    .min()
                    .expect("eligible is not empty");
                *order
                    .iter()
                    .find(|&&r| load(r) == fewest)
                    .expect("one has the fewest")
            }
        };
        let mut listed: Vec<RepId> = vec![rep_id(state, chosen)];
        listed.extend(
            order
                .iter()
                .filter(|&&r| r != chosen)
                .take(MAX_CANDIDATES - 1)
                .map(|&r| rep_id(state, r)),
        );
        return Assignment {
            id: next_id(state),
            lead: state.leads[lead as usize].lead.id.clone(),
            rep: Some(rep_id(state, chosen)),
            rule: Some(text(&rule.name)),
            assigned_at: Timestamp::from_unix_seconds(now),
            tried,
            eligible: listed,
        };
    }
    Assignment {
        id: next_id(state),
        lead: state.leads[lead as usize].lead.id.clone(),
        rep: None,
        rule: None,
        assigned_at: Timestamp::from_unix_seconds(now),
        tried,
        eligible: Vec::new(),
    }
}

/// The eligible reps (given in id order) in the order the rule's round
/// robin takes them: from the first whose id comes after the rep the rule
/// chose last, wrapping around.
fn round_robin_order(state: &State, rule: &str, eligible: &[u32]) -> Vec<u32> {
    let start = match state.cursors.get(rule) {
        Some(&last) => {
            let last_id = rep_id(state, last);
            eligible
                .iter()
                .position(|&r| rep_id(state, r).as_str() > last_id.as_str())
                .unwrap_or(0)
        }
        None => 0,
    };
    eligible[start..]
        .iter()
        .chain(&eligible[..start])
        .copied()
        .collect()
}

fn rep_id(state: &State, r: u32) -> RepId {
    debug_assert_ne!(r, NONE);
    state.rep_id(r).expect("a recorded rep").clone()
}

fn next_id(state: &State) -> DecisionId {
    DecisionId::parse(&format!("~{}", state.last_assignment + 1)).expect("a valid id")
}

fn text(s: &str) -> Text {
    Text::parse(s)
        .unwrap_or_else(|_| Text::parse(&s[..s.floor_char_boundary_compat(1000)]).expect("short"))
}

trait FloorBoundary {
    fn floor_char_boundary_compat(&self, max: usize) -> usize;
}

impl FloorBoundary for str {
    fn floor_char_boundary_compat(&self, max: usize) -> usize {
        let mut i = max.min(self.len());
        while !self.is_char_boundary(i) {
            i -= 1;
        }
        i
    }
}
