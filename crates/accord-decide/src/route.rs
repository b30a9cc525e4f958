//! Routing: who owns a lead. The agreement's rules in order; the first rule
//! with an eligible rep wins. Definitions: docs/engine.md, "Routing".

use accord_core::agreement::{Agreement, Assign};
use accord_core::domain::{DecisionId, RepId, Text, Timestamp};
use accord_core::event::{Assignment, Excluded, Exclusion, RuleTried, MAX_CANDIDATES};

use crate::hours::Clock;
use crate::rules::RuleScope;
use crate::state::{State, NONE};

/// Routes `lead` at `now`: the assignment to record (its `rep` is `None`
/// when no rep is eligible under any rule).
pub(crate) fn route(
    state: &State,
    a: &Agreement,
    clock: &Clock,
    lead: u32,
    now: i64,
) -> Assignment {
    let mut tried = Vec::new();
    for rule in &a.routing.rules {
        let scope = RuleScope::new(state, a, lead, now);
        let mut matched = 0u32;
        let mut excluded = Vec::new();
        let mut eligible: Vec<u32> = Vec::new();
        for &r in &state.rep_order {
            let Some(row) = state.reps[r as usize].as_ref() else {
                continue;
            };
            let rep = &row.rep;
            if rule.team.is_some_and(|t| t.as_str() != rep.team.as_str()) {
                continue;
            }
            if !(RuleScope { rep: r, ..scope }).holds(&rule.when) {
                continue;
            }
            matched += 1;
            let why = if state.away_at(r, now) {
                Some(Exclusion::Away)
            } else if !clock.at_work(rep.region, now) {
                Some(Exclusion::OutsideHours)
            } else if rule.respect_capacity && load(state, clock, r, now) >= rep.capacity_per_day {
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
                    .map(|&r| load(state, clock, r, now))
                    .min()
                    .expect("eligible is not empty");
                *order
                    .iter()
                    .find(|&&r| load(state, clock, r, now) == fewest)
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

/// Leads routed to rep `r` on the local day of `now`.
pub(crate) fn load(state: &State, clock: &Clock, r: u32, now: i64) -> u32 {
    let Some(rep) = state.rep(r) else {
        return 0;
    };
    let day = clock.day(rep.region, now);
    state.loads.get(&(r, day)).copied().unwrap_or(0)
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
