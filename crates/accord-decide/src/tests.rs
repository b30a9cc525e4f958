//! The engine on hand-made cases whose scores, stages and owners are
//! worked out by hand in the comments.

use accord_core::action::{Action, Decision};
use accord_core::agreement::{self, Agreement, DEFAULT_AGREEMENT};
use accord_core::domain::*;
use accord_core::event::*;

use crate::test_events::{account, at, ingest, moved, rep, touch, vp_lead, IntoEvent, DAY, T0};
use crate::{Engine, Refusal};

/// The starter agreement, routed at MQL, without working hours, the named
/// account's owner exempt from capacity.
fn agreement() -> Agreement {
    let mut a = agreement::parse(DEFAULT_AGREEMENT, "accord.toml").unwrap();
    a.routing.on = "mql".into();
    a.routing.hours = None;
    for r in &mut a.routing.rules {
        r.respect_capacity = r.name != "named_account_owner";
    }
    a
}

fn engine() -> Engine {
    let mut e = Engine::new();
    e.put_in_force(1, agreement());
    e
}

/// The shared VP (fit 45) mailing from `email`: matching and free mail
/// read its domain.
fn vp(id: &str, email: &str, t: i64) -> Lead {
    Lead {
        email: Email::parse(email).unwrap(),
        ..vp_lead(id, t)
    }
}

/// An SDR of the region, vertical and capacity routing's figures here turn on.
fn sdr(id: &str, region: Region, vertical: Option<Industry>, capacity: u32) -> Rep {
    Rep {
        region,
        vertical,
        capacity_per_day: capacity,
        ..rep(id)
    }
}

fn stage(e: &Engine, lead: &str) -> String {
    e.explain(lead).unwrap().stage
}

fn owner(e: &Engine, lead: &str) -> Option<String> {
    e.explain(lead).unwrap().owner
}

#[test]
fn engagement_decays_by_half_life_and_the_threshold_makes_an_mql() {
    let mut e = engine();
    ingest(&mut e, sdr("R1", Region::Na, Some(Industry::Software), 5));
    assert!(ingest(&mut e, vp("L1", "ana@contoso.example", T0)).is_empty());
    assert_eq!(e.score("L1"), Some((45, 0, 45)));
    // A pricing page view: 10 points. 45 + 10 = 55 < 60: still a lead.
    assert!(ingest(&mut e, touch("T1", "L1", TouchKind::PricingPageView, T0)).is_empty());
    assert_eq!(e.score("L1"), Some((45, 10, 55)));
    // 30 days (one half-life) later a page view (1 point): the pricing
    // view is worth 5 now: 5 + 1 = 6, score 51.
    ingest(
        &mut e,
        touch("T2", "L1", TouchKind::PageView, T0 + 30 * DAY),
    );
    assert_eq!(e.score("L1"), Some((45, 6, 51)));
    assert_eq!(stage(&e, "L1"), "lead");
    // 15 more days: 10·2^-1.5 + 1·2^-0.5 + 30 (a demo request) = 3.536 +
    // 0.707 + 30 = 34.24 → 34; 45 + 34 = 79 ≥ 60: an MQL, routed to R1.
    let decided = ingest(
        &mut e,
        touch("T3", "L1", TouchKind::DemoRequest, T0 + 45 * DAY),
    );
    assert_eq!(e.score("L1"), Some((45, 34, 79)));
    let kinds: Vec<String> = decided.iter().map(|(d, _)| d.key().to_string()).collect();
    assert_eq!(kinds, ["owner_assigned ~1", "stage_changed ~1"]);
    assert!(decided
        .iter()
        .all(|(_, o)| *o == Origin::Engine { agreement: 1 }));
    let Event::StageChanged(t) = &decided[1].0 else {
        panic!()
    };
    assert_eq!((t.from.as_str(), t.to.as_str()), ("lead", "mql"));
    assert_eq!(t.rep.as_ref().map(|r| r.as_str()), Some("R1"));
    assert_eq!(stage(&e, "L1"), "mql");
    assert_eq!(owner(&e, "L1").as_deref(), Some("R1"));
    // As of earlier times: at T0 + 30 days the demo request had not
    // happened (5 + 1 = 6, as above); a second before T0, no touch.
    assert_eq!(e.score_at("L1", at(T0 + 30 * DAY)), Some((45, 6, 51)));
    assert_eq!(e.score_at("L1", at(T0 - 1)), Some((45, 0, 45)));
}

/// A touch's points are kept on it between events (the starter's rules
/// read only the touch), and worked out again when its content is published
/// and when another agreement is put in force.
#[test]
fn kept_touch_points_follow_content_and_agreement() {
    let mut e = engine();
    assert!(crate::score::points_kept(&agreement()));
    ingest(&mut e, vp("L1", "ana@contoso.example", T0));
    // A content download (8 points) of K1, not published yet: no journey
    // stage, so `decision_stage_content` (+5) does not hold. 45 + 8 = 53.
    let t = Touch {
        content: Some(ContentId::parse("K1").unwrap()),
        ..touch("T1", "L1", TouchKind::ContentDownload, T0)
    };
    ingest(&mut e, t);
    assert_eq!(e.score("L1"), Some((45, 8, 53)));
    assert!(
        e.state.points.is_current(0),
        "judging the touch keeps its points"
    );
    // K1 published as decision-stage content: the kept 8 is stale; 8 + 5 = 13.
    ingest(
        &mut e,
        Event::ContentPublished(Content {
            id: ContentId::parse("K1").unwrap(),
            title: Text::parse("Buyer's guide").unwrap(),
            kind: ContentKind::Ebook,
            persona: Named::parse("ops_leader").unwrap(),
            journey_stage: JourneyStage::Decision,
            published_at: at(T0),
            owner_team: OwnerTeam::Marketing,
        }),
    );
    assert_eq!(e.score("L1"), Some((45, 13, 58)));
    // A page view (1 point) judged: every touch's points kept again.
    ingest(&mut e, touch("T2", "L1", TouchKind::PageView, T0));
    assert!(e.state.points.is_current(0));
    assert_eq!(e.score("L1"), Some((45, 14, 59)));
    // Version 2 makes decision content worth 20: 8 + 20 + 1 = 29.
    let mut v2 = agreement();
    v2.scoring.engagement.rules[0].points = 20;
    e.put_in_force(2, v2);
    assert_eq!(e.score("L1"), Some((45, 29, 74)));
    // A rule that reads the lead is never kept.
    let text = DEFAULT_AGREEMENT.replace(
        "touch.journey_stage == 'decision'",
        "touch.journey_stage == 'decision' && lead.seniority == 'vp'",
    );
    let v3 = agreement::parse(&text, "accord.toml").unwrap();
    assert!(!crate::score::points_kept(&v3));
}

#[test]
fn rounding_is_half_up() {
    assert_eq!(crate::score::round_half_up(34.5), 35);
    assert_eq!(crate::score::round_half_up(34.499_999), 34);
    assert_eq!(crate::score::round_half_up(-0.5), 0);
}

#[test]
fn free_mail_never_qualifies_and_never_matches() {
    let mut e = engine();
    ingest(&mut e, account("A1", "contoso.example", None));
    ingest(&mut e, vp("L1", "ana@gmail.com", T0));
    // Fit 45 - 15 (free mail) = 30; + 30 (demo) + 10 (pricing) = 70 ≥ 60,
    // but the MQL criterion excludes free mail.
    ingest(&mut e, touch("T1", "L1", TouchKind::DemoRequest, T0));
    ingest(&mut e, touch("T2", "L1", TouchKind::PricingPageView, T0));
    assert_eq!(e.score("L1"), Some((30, 40, 70)));
    assert_eq!(stage(&e, "L1"), "lead");
    assert_eq!(e.explain("L1").unwrap().account, None);
}

#[test]
fn a_lead_is_matched_on_its_email_domain() {
    let mut e = engine();
    ingest(&mut e, account("A1", "contoso.example", None));
    let decided = ingest(&mut e, vp("L1", "ana@mail.contoso.example", T0));
    assert_eq!(decided.len(), 1);
    let Event::AccountMatched(m) = &decided[0].0 else {
        panic!()
    };
    assert_eq!((m.account.as_str(), m.how), ("A1", MatchedBy::EmailDomain));
    assert_eq!(e.explain("L1").unwrap().account.as_deref(), Some("A1"));
}

#[test]
fn routing_respects_capacity_falls_through_rules_and_waits_when_no_rep_is_eligible() {
    let mut e = engine();
    // R1 covers NA software (2 a day), R2 is an NA generalist (1 a day).
    ingest(&mut e, sdr("R1", Region::Na, Some(Industry::Software), 2));
    ingest(&mut e, sdr("R2", Region::Na, None, 1));
    ingest(&mut e, sdr("R3", Region::Emea, None, 9));
    let mql = |e: &mut Engine, n: usize, t: i64| {
        let id = format!("L{n}");
        ingest(e, vp(&id, &format!("p{n}@c{n}.example"), t));
        ingest(e, touch(&format!("T{n}"), &id, TouchKind::DemoRequest, t));
        (stage(e, &id), owner(e, &id))
    };
    // Leads 1, 2: territory_and_vertical → R1 (its 2 a day).
    assert_eq!(mql(&mut e, 1, T0), ("mql".into(), Some("R1".into())));
    assert_eq!(mql(&mut e, 2, T0 + 60), ("mql".into(), Some("R1".into())));
    // Lead 3: R1 is at capacity; territory_generalist → R2.
    assert_eq!(mql(&mut e, 3, T0 + 120), ("mql".into(), Some("R2".into())));
    let routing = e.explain("L3").unwrap().routing;
    assert_eq!(
        routing[1],
        "territory_and_vertical: 1 rep(s) fit; not eligible: R1 at capacity"
    );
    // Lead 4: both at capacity under every rule: an MQL that waits unowned.
    assert_eq!(mql(&mut e, 4, T0 + 180), ("mql".into(), None));
    assert!(e.explain("L4").unwrap().waiting_for_owner);
    // The next day its next event routes it: R1 again (round robin).
    let decided = ingest(&mut e, touch("T4b", "L4", TouchKind::PageView, T0 + DAY));
    assert_eq!(decided.len(), 1);
    assert_eq!(owner(&e, "L4").as_deref(), Some("R1"));
}

#[test]
fn a_lead_routed_on_creation_is_routed_once_for_that_input() {
    // Routing on creation, and the only rep in another region: the new lead
    // finds no rep and waits. One assignment records that, not two.
    let mut e = Engine::new();
    let mut a = agreement();
    a.routing.on = "lead".into();
    e.put_in_force(1, a);
    ingest(&mut e, sdr("R3", Region::Emea, None, 9));
    let decided = ingest(&mut e, vp("L1", "p1@c1.example", T0));
    let assignments: Vec<_> = decided
        .iter()
        .filter_map(|(ev, _)| match ev {
            Event::OwnerAssigned(x) => Some(x),
            _ => None,
        })
        .collect();
    assert_eq!(assignments.len(), 1, "{decided:?}");
    assert_eq!(assignments[0].rep, None);
    assert!(e.explain("L1").unwrap().waiting_for_owner);
    // Its next input routes it again (a waiting lead), once.
    let decided = ingest(&mut e, touch("T1", "L1", TouchKind::PageView, T0 + 60));
    assert_eq!(decided.len(), 1, "{decided:?}");
}

#[test]
fn round_robin_takes_turns_in_id_order() {
    let mut e = engine();
    for id in ["R2", "R1", "R3"] {
        ingest(&mut e, rep(id));
    }
    let owners: Vec<String> = (1..=4)
        .map(|n| {
            let id = format!("L{n}");
            ingest(
                &mut e,
                vp(&id, &format!("p{n}@c{n}.example"), T0 + n as i64),
            );
            ingest(
                &mut e,
                touch(&format!("T{n}"), &id, TouchKind::DemoRequest, T0 + n as i64),
            );
            owner(&e, &id).unwrap()
        })
        .collect();
    // territory_generalist (round robin) among R1, R2, R3 in id order.
    assert_eq!(owners, ["R1", "R2", "R3", "R1"]);
}

#[test]
fn a_named_accounts_leads_go_to_its_owner_even_at_capacity() {
    let mut e = engine();
    ingest(&mut e, sdr("R1", Region::Na, None, 0));
    ingest(&mut e, sdr("R2", Region::Na, None, 5));
    ingest(&mut e, account("A1", "contoso.example", Some("R1")));
    ingest(&mut e, vp("L1", "ana@contoso.example", T0));
    ingest(&mut e, touch("T1", "L1", TouchKind::DemoRequest, T0));
    assert_eq!(owner(&e, "L1").as_deref(), Some("R1"));
    assert_eq!(
        e.explain("L1").unwrap().owner_by.as_deref(),
        Some("routing rule `named_account_owner` (agreement v1)")
    );
}

#[test]
fn a_rep_away_is_skipped() {
    let mut e = engine();
    ingest(&mut e, sdr("R1", Region::Na, None, 5));
    ingest(&mut e, sdr("R2", Region::Na, None, 5));
    ingest(
        &mut e,
        Event::RepAway(Away {
            id: DecisionId::parse("OOO1").unwrap(),
            rep: RepId::parse("R1").unwrap(),
            from: at(T0 - DAY),
            until: at(T0 + DAY),
        }),
    );
    ingest(&mut e, vp("L1", "ana@c1.example", T0));
    ingest(&mut e, touch("T1", "L1", TouchKind::DemoRequest, T0));
    assert_eq!(owner(&e, "L1").as_deref(), Some("R2"));
}

fn decision(id: &str, lead: &str, rep: &str, t: i64) -> Decision {
    Decision {
        id: TransitionId::parse(id).unwrap(),
        lead: LeadId::parse(lead).unwrap(),
        rep: RepId::parse(rep).unwrap(),
        at: at(t),
        by: None,
    }
}

#[test]
fn sales_actions_follow_the_agreement_or_are_refused_naming_the_rule() {
    let mut e = engine();
    ingest(&mut e, sdr("R1", Region::Na, None, 5));
    ingest(&mut e, vp("L1", "ana@c1.example", T0));
    // Not an MQL yet: accepting it is refused, naming where `accepted` leads.
    let err = e
        .act(&Action::Accept(decision("S1", "L1", "R1", T0)))
        .unwrap_err();
    assert_eq!(
        err.to_string(),
        "lead L1 is in stage `lead`; `accepted` moves a lead only into `sal` (from mql)"
    );
    assert_eq!(
        e.act(&Action::Accept(decision("S1", "L9", "R1", T0))),
        Err(Refusal::UnknownLead { lead: "L9".into() })
    );
    ingest(&mut e, touch("T1", "L1", TouchKind::DemoRequest, T0));
    assert_eq!(stage(&e, "L1"), "mql");
    let reject = |reason: &str| Action::Reject {
        decision: decision("S2", "L1", "R1", T0 + 60),
        reason: Named::parse(reason).unwrap(),
    };
    assert!(matches!(
        e.act(&reject("gone_quiet")),
        Err(Refusal::UndeclaredReason { .. })
    ));
    // Rejected for no budget: recycled (the recycled criterion names it).
    let (event, origin) = e.act(&reject("no_budget")).unwrap();
    assert_eq!(
        origin,
        Origin::Person {
            by: Some(Text::parse("R1").unwrap())
        }
    );
    let Event::StageChanged(t) = &event else {
        panic!()
    };
    assert_eq!((t.from.as_str(), t.to.as_str()), ("mql", "recycled"));
    e.apply(&event, &origin);
    // A recycled lead can qualify again: its next demo request.
    ingest(
        &mut e,
        touch("T2", "L1", TouchKind::DemoRequest, T0 + 2 * DAY),
    );
    assert_eq!(stage(&e, "L1"), "mql");
    // The owner stays: no poaching.
    assert_eq!(owner(&e, "L1").as_deref(), Some("R1"));
    let (event, origin) = e
        .act(&Action::Accept(decision("S3", "L1", "R1", T0 + 3 * DAY)))
        .unwrap();
    e.apply(&event, &origin);
    assert_eq!(stage(&e, "L1"), "sal");
    let history = e.explain("L1").unwrap().history;
    let by: Vec<&str> = history.iter().map(|h| h.by.as_str()).collect();
    assert_eq!(by[1], "rep R1");
    assert!(by[0].starts_with("the agreement v1: `lead.score >= mql_threshold"));
}

#[test]
fn a_move_from_outside_must_continue_the_chain() {
    let e = {
        let mut e = engine();
        ingest(&mut e, vp("L1", "ana@c1.example", T0));
        e
    };
    let t = moved("S1", "L1", "mql", "sal", T0).event();
    assert!(matches!(e.check(&t), Err(Refusal::BrokenChain { .. })));
}

mod properties {
    use super::*;
    use proptest::prelude::*;

    fn kinds() -> impl Strategy<Value = TouchKind> {
        (0usize..TouchKind::ALL.len()).prop_map(|i| TouchKind::ALL[i])
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(48))]

        /// A lead's score equals its recomputation from its own events in a
        /// fresh engine, whatever else happened in between.
        #[test]
        fn a_score_equals_its_recomputation(
            touches in proptest::collection::vec((0i64..90 * DAY, kinds(), 0usize..2), 1..30),
        ) {
            let mut e = engine();
            let mut alone = engine();
            ingest(&mut e, sdr("R1", Region::Na, None, 1000));
            ingest(&mut alone, sdr("R1", Region::Na, None, 1000));
            ingest(&mut e, vp("L1", "a@c1.example", T0));
            ingest(&mut e, vp("L2", "b@c2.example", T0));
            ingest(&mut alone, vp("L1", "a@c1.example", T0));
            let mut sorted = touches.clone();
            sorted.sort_by_key(|t| t.0);
            for (n, (dt, kind, who)) in sorted.iter().enumerate() {
                let l = if *who == 0 { "L1" } else { "L2" };
                let t = touch(&format!("T{n}"), l, *kind, T0 + dt);
                ingest(&mut e, t.clone());
                if l == "L1" {
                    ingest(&mut alone, t);
                }
                let now = e.clock().unix_seconds();
                // Move the lone engine's clock to the same time.
                alone.state.clock = now;
                prop_assert_eq!(e.score("L1"), alone.score("L1"));
                // The explanation's lines add up to the same engagement.
                let f = e.in_force.as_ref().unwrap();
                let sum: f64 = crate::score::terms(&e.state, &f.agreement, 0, now).map(|t| t.value()).sum();
                prop_assert_eq!(crate::score::round_half_up(sum), e.score("L1").unwrap().1);
            }
        }

        /// Replaying any prefix then the rest gives the state of the whole.
        #[test]
        fn replay_in_two_parts_equals_the_whole(cut in 0usize..40) {
            let mut live = engine();
            let mut log = Vec::new();
            for r in [sdr("R1", Region::Na, None, 3).event(), sdr("R2", Region::Na, Some(Industry::Software), 2).event()] {
                live.check(&r).unwrap();
                live.apply(&r, &Origin::Ingested);
                log.push((r, Origin::Ingested));
            }
            for n in 0..8 {
                let l = vp(&format!("L{n}"), &format!("p{n}@c{n}.example"), T0 + n).event();
                let t = touch(&format!("T{n}"), &format!("L{n}"), TouchKind::DemoRequest, T0 + n).event();
                for ev in [l, t] {
                    live.apply(&ev, &Origin::Ingested);
                    log.push((ev.clone(), Origin::Ingested));
                    log.extend(live.judge(&ev));
                }
            }
            let whole = {
                let mut e = engine();
                for (ev, o) in &log { e.apply(ev, o); }
                e.state_hash()
            };
            prop_assert_eq!(whole, live.state_hash());
            // As replay reads the log (assignments kept as their bytes):
            // the same state, and the same explanation of every lead.
            let mut stored = engine();
            stored.apply_stored(&mut as_stored(&log));
            prop_assert_eq!(stored.state_hash(), whole);
            for n in 0..8 {
                let id = format!("L{n}");
                prop_assert_eq!(format!("{:?}", stored.explain(&id)), format!("{:?}", live.explain(&id)));
            }
            let cut = cut.min(log.len());
            let mut e = engine();
            for (ev, o) in &log[..cut] { e.apply(ev, o); }
            let _ = e.state_hash();
            for (ev, o) in &log[cut..] { e.apply(ev, o); }
            prop_assert_eq!(e.state_hash(), whole);
        }
    }
}

/// The stored form of `events` as replay reads it ([`crate::Stored::read`]):
/// touches whose ids pack as `PackedTouch`, assignments with their bytes
/// kept, the rest as events.
fn as_stored(events: &[(Event, Origin)]) -> Vec<(Origin, crate::Stored)> {
    events
        .iter()
        .map(|(e, o)| {
            let stored = crate::Stored::read(o, &e.to_bytes()).expect("a valid event");
            (o.clone(), stored)
        })
        .collect()
}

#[test]
fn replay_of_packed_touches_scores_as_the_events_do() {
    // L1's touches pack; L2's and the touch on "web-7" do not; "T9" names
    // a lead created later in the same window (looked up again then), and
    // "T8" a lead never created (nothing but the count and the clock).
    let events = vec![
        sdr("R1", Region::Na, Some(Industry::Software), 5).event(),
        vp("L1", "ana@contoso.example", T0).event(),
        touch("T1", "L1", TouchKind::PricingPageView, T0).event(),
        touch("T8", "L404", TouchKind::DemoRequest, T0 + DAY).event(),
        touch("T9", "L3", TouchKind::PricingPageView, T0 + DAY).event(),
        vp("lead-2", "bo@contoso.example", T0).event(),
        touch("web-7", "lead-2", TouchKind::PricingPageView, T0 + DAY).event(),
        vp("L3", "cy@contoso.example", T0 + DAY).event(),
        touch("T2", "L1", TouchKind::PageView, T0 + 30 * DAY).event(),
        touch("T10", "L3", TouchKind::PricingPageView, T0 + 30 * DAY).event(),
    ];
    let ingested: Vec<_> = events
        .iter()
        .map(|e| (e.clone(), Origin::Ingested))
        .collect();
    let mut stored = as_stored(&ingested);
    let packed = stored
        .iter()
        .filter(|(_, s)| matches!(s, crate::Stored::Touch(_)))
        .count();
    assert_eq!(packed, 5);
    let mut replayed = engine();
    replayed.apply_stored(&mut stored);
    // As in the test above: 10 points decayed one half-life, 5, + 1 = 6.
    assert_eq!(replayed.score("L1"), Some((45, 6, 51)));
    // T9 came before L3 existed: it touched no lead. T10 alone: 10.
    assert_eq!(replayed.score("L3"), Some((45, 10, 55)));
    assert_eq!(replayed.score("lead-2").map(|s| s.1), Some(5));
    assert_eq!(replayed.events(), 10);
    assert_eq!(replayed.clock(), at(T0 + 30 * DAY));
    let mut one_by_one = engine();
    for e in &events {
        one_by_one.apply(e, &Origin::Ingested);
    }
    assert_eq!(replayed.state_hash(), one_by_one.state_hash());
}

/// The rows there are millions of stay small: a touch 24 bytes (19M at
/// 1M leads), a stage step 64, with no allocation of their own.
#[test]
fn the_many_rows_stay_small() {
    use std::mem::size_of;
    assert_eq!(size_of::<crate::state::TouchRow>(), 24);
    assert_eq!(size_of::<crate::state::Step>(), 64);
    assert_eq!(size_of::<crate::state::StepOrigin>(), 8);
    assert_eq!(size_of::<crate::sla::Fired>(), 56);
    assert_eq!(size_of::<crate::sla::Cause>(), 48);
    assert_eq!(size_of::<crate::sla::Pending>(), 16);
}

/// An id kept as a key reads back byte for byte, whatever its shape, and
/// a key is only ever the key of its own id.
#[test]
fn keys_give_back_every_id() {
    let mut keys = crate::state::Keys::default();
    let ids = [
        "T00000001",
        "S1",
        "AB000000000123",
        "~1",
        "~0",
        "~4611686018427387903",
        "~4611686018427387904",
        "~01",
        "~",
        "~-1",
        "~+1",
        "~1a",
        "t-9",
        "ABC1",
        "",
        "12",
        "0012",
        "~18446744073709551615",
    ];
    let got: Vec<u64> = ids.iter().map(|id| keys.key(id)).collect();
    for (id, &key) in ids.iter().zip(&got) {
        assert_eq!(keys.id(key), *id);
        assert!(keys.is(key, id), "{id}");
        assert_ne!(key, crate::state::NO_KEY);
    }
    for (i, a) in ids.iter().enumerate() {
        for (j, &key) in got.iter().enumerate() {
            assert_eq!(keys.is(key, a), i == j, "{a} against {}", ids[j]);
        }
    }
    // The common shapes take no room: only the odd ones were kept.
    assert_eq!(keys.id(1 << 62 | 7), "~7");
    assert_eq!(got[3], 1 << 62 | 1);
    assert_eq!(got[6] >> 63, 1, "2^62 is past the engine's range");
    assert_eq!(got[7] >> 63, 1, "~01 is not the engine's writing");
    // The engine's counters read the same `~n`, and nothing else.
    let numbers: Vec<Option<u64>> = ids
        .iter()
        .map(|id| crate::state::engine_number(id))
        .collect();
    assert_eq!(
        numbers[..11],
        [
            None,
            None,
            None,
            Some(1),
            Some(0),
            Some((1 << 62) - 1),
            None,
            None,
            None,
            None,
            None
        ]
    );
    assert!(numbers[11..].iter().all(Option::is_none));
}
