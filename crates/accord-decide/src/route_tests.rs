//! Routing by groups of reps ([`crate::route::Classes`], a rule's false
//! rep-independent conjunct) against evaluating every rule for every rep,
//! as routing did before: the same assignment, field for field.

use accord_core::agreement::{self, Agreement, Assign, DEFAULT_AGREEMENT};
use accord_core::domain::*;
use accord_core::event::*;
use proptest::prelude::*;

use crate::hours::Clock;
use crate::route::{route, Classes};
use crate::rules::RuleScope;
use crate::state::State;
use crate::test_events::{account, at, lead, rep, IntoEvent, T0};
use crate::Engine;

/// Routing as it was: every rule read for every rep of its team, the
/// rep's day and hours worked out for each.
fn route_each(state: &State, a: &Agreement, clock: &Clock, lead: u32, now: i64) -> Assignment {
    let load = |r: u32| {
        let rep = state.rep(r).unwrap();
        let day = clock.day(rep.region, now);
        state.loads.get(&(r, day)).copied().unwrap_or(0)
    };
    let rep_id = |r: u32| state.rep_id(r).unwrap().clone();
    let mut tried = Vec::new();
    for rule in &a.routing.rules {
        let scope = RuleScope::new(state, a, lead, now);
        let (mut matched, mut excluded, mut eligible) = (0u32, Vec::new(), Vec::<u32>::new());
        for &r in &state.rep_order {
            let Some(rep) = state.rep(r) else { continue };
            if rule.team.is_some_and(|t| t.as_str() != rep.team.as_str())
                || !(RuleScope { rep: r, ..scope }).holds(&rule.when)
            {
                continue;
            }
            matched += 1;
            let why = if state.away_at(r, now) {
                Some(Exclusion::Away)
            } else if !clock.at_work(rep.region, now) {
                Some(Exclusion::OutsideHours)
            } else if rule.respect_capacity && load(r) >= rep.capacity_per_day {
                Some(Exclusion::AtCapacity)
            } else {
                None
            };
            match why {
                Some(why) if excluded.len() < MAX_CANDIDATES => excluded.push(Excluded {
                    rep: rep.id.clone(),
                    why,
                }),
                Some(_) => {}
                None => eligible.push(r),
            }
        }
        tried.push(RuleTried {
            rule: Text::parse(&rule.name).unwrap(),
            matched,
            excluded,
        });
        if eligible.is_empty() {
            continue;
        }
        let start = match state.cursors.get(rule.name.as_str()) {
            Some(&last) => eligible
                .iter()
                .position(|&r| rep_id(r).as_str() > rep_id(last).as_str())
                .unwrap_or(0),
            None => 0,
        };
        let order: Vec<u32> = eligible[start..]
            .iter()
            .chain(&eligible[..start])
            .copied()
            .collect();
        let chosen = match rule.assign {
            Assign::RoundRobin => order[0],
            Assign::LeastLoaded => {
                let fewest = order.iter().map(|&r| load(r)).min().unwrap();
                *order.iter().find(|&&r| load(r) == fewest).unwrap()
            }
        };
        let mut listed = vec![rep_id(chosen)];
        listed.extend(
            order
                .iter()
                .filter(|&&r| r != chosen)
                .take(MAX_CANDIDATES - 1)
                .map(|&r| rep_id(r)),
        );
        return Assignment {
            id: DecisionId::parse(&format!("~{}", state.last_assignment + 1)).unwrap(),
            lead: state.leads[lead as usize].lead.id.clone(),
            rep: Some(rep_id(chosen)),
            rule: Some(Text::parse(&rule.name).unwrap()),
            assigned_at: Timestamp::from_unix_seconds(now),
            tried,
            eligible: listed,
        };
    }
    Assignment {
        id: DecisionId::parse(&format!("~{}", state.last_assignment + 1)).unwrap(),
        lead: state.leads[lead as usize].lead.id.clone(),
        rep: None,
        rule: None,
        assigned_at: Timestamp::from_unix_seconds(now),
        tried,
        eligible: Vec::new(),
    }
}

/// The starter agreement (working hours on) with rules that read reps
/// and leads in other ways put first: a rep field with a lead's score, no
/// rep field at all, a rep field under `||`, a rule of no team, and
/// `rep.id` pinned to a text written first or to a rep never recorded
/// (the starter's own first rule pins it to the named account's owner).
fn agreement(order: usize) -> Agreement {
    let extra = r#"
[[routing.rules]]
name = "busy_reps_for_hot_leads"
team = "sdr"
when = "lead.score >= 70 && rep.capacity_per_day > 2"
assign = "round_robin"

[[routing.rules]]
name = "apac_to_anyone"
when = "lead.region == 'APAC'"
assign = "least_loaded"

[[routing.rules]]
name = "either"
team = "ae"
when = "rep.vertical == lead.industry || rep.region == 'LATAM'"
assign = "round_robin"
respect_capacity = false

[[routing.rules]]
name = "pinned_backwards"
team = "sdr"
when = "'R001' == rep.id && lead.score >= 10"
assign = "round_robin"

[[routing.rules]]
name = "pinned_to_nobody"
when = "rep.id == 'R999' && rep.region == lead.region"
assign = "least_loaded"
"#;
    let mut a = agreement::parse(&format!("{DEFAULT_AGREEMENT}\n{extra}"), "accord.toml").unwrap();
    // 4 starter rules, then the 5 above: put `order` of those first.
    a.routing.rules.rotate_right(order);
    a
}

const REGIONS: [Region; 4] = [Region::Na, Region::Emea, Region::Apac, Region::Latam];
const INDUSTRIES: [Industry; 3] = [Industry::Software, Industry::Fintech, Industry::Retail];

/// Rep `R<n:03>` of the drawn region, vertical, team and capacity.
fn rep_event(n: usize, region: usize, vertical: Option<usize>, ae: bool, capacity: u32) -> Event {
    Rep {
        team: if ae { Team::Ae } else { Team::Sdr },
        region: REGIONS[region],
        vertical: vertical.map(|v| INDUSTRIES[v]),
        capacity_per_day: capacity,
        ..rep(&format!("R{n:03}"))
    }
    .event()
}

/// Lead `L<n>` of the drawn region and industry, a VP (even `n`) or a
/// manager, of 500 employees.
fn lead_event(n: usize, region: usize, industry: usize, account: Option<&str>, t: i64) -> Event {
    Lead {
        email: Email::parse(&format!("p{n}@buyer{n}.example")).unwrap(),
        seniority: if n.is_multiple_of(2) {
            Seniority::Vp
        } else {
            Seniority::Manager
        },
        employees_reported: Some(500),
        industry_reported: Some(INDUSTRIES[industry]),
        region: REGIONS[region],
        account: account.map(|a| AccountId::parse(a).unwrap()),
        ..lead(&format!("L{n}"), t)
    }
    .event()
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(64))]
    #[test]
    fn routing_by_groups_decides_as_routing_each_rep(
        reps in proptest::collection::vec((0usize..4, proptest::option::of(0usize..3), any::<bool>(), 0u32..4), 1..40),
        away in proptest::collection::vec((0usize..40, 0i64..4 * 86_400, 0i64..86_400), 0..6),
        leads in proptest::collection::vec((0usize..4, 0usize..3, any::<bool>(), 0i64..7 * 86_400), 1..30),
        order in 0usize..6,
    ) {
        let a = agreement(order);
        let mut e = Engine::new();
        e.put_in_force(1, a.clone());
        for (n, &(region, vertical, ae, capacity)) in reps.iter().enumerate() {
            e.apply(&rep_event(n, region, vertical, ae, capacity), &Origin::Imported);
        }
        // A named account owned by the first rep.
        e.apply(&account("A1", "northwind.example", Some("R000")).event(), &Origin::Imported);
        for (k, &(r, from, len)) in away.iter().enumerate() {
            let r = r % reps.len();
            e.apply(&Event::RepAway(Away {
                id: DecisionId::parse(&format!("W{k}")).unwrap(),
                rep: RepId::parse(&format!("R{r:03}")).unwrap(),
                from: at(T0 + from),
                until: at(T0 + from + len),
            }), &Origin::Imported);
        }
        for (n, &(region, industry, named, t)) in leads.iter().enumerate() {
            let now = T0 + t;
            e.apply(&lead_event(n, region, industry, named.then_some("A1"), now), &Origin::Imported);
            let lead = e.state.lead_ids.get(&format!("L{n}")).unwrap();
            let f = e.in_force.as_ref().unwrap();
            let clock = Clock::new(f.agreement.routing.hours.as_ref());
            let classes = Classes::new(&e.state, &f.agreement);
            let grouped = route(&e.state, &f.agreement, &clock, &classes, lead, now);
            let each = route_each(&e.state, &f.agreement, &clock, lead, now);
            prop_assert_eq!(&grouped, &each);
            // Applied: the next lead meets this one's load and cursor.
            e.apply(&Event::OwnerAssigned(grouped), &Origin::Engine { agreement: 1 });
        }
    }
}
