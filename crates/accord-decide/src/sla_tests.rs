//! Escalation steps across an agreement change, on a hand-made case whose
//! firings are worked out by hand in the comments, and the same decisions
//! from an engine restarted (the log replayed) at every point of it, and
//! from random histories (docs/engine.md, "Escalation").

use accord_core::agreement::DEFAULT_AGREEMENT;
use accord_core::domain::*;
use accord_core::event::*;

use crate::test_events::{at, lead, moved, rep, touch, IntoEvent, H, T0};
use crate::{Decided, Engine};

/// The starter agreement with `steps` as its whole `[[sla.escalation]]`
/// list (follow up within 24 h, decide within 48 h, around the clock).
fn with_steps(steps: &str) -> String {
    let a = DEFAULT_AGREEMENT;
    let from = a.find("[[sla.escalation]]").unwrap();
    let to = a.find("[attribution]").unwrap();
    format!("{}{steps}\n{}", &a[..from], &a[to..])
}

fn step(name: &str, on: &str, after: u32, notify: &str) -> String {
    format!(
        "[[sla.escalation]]\nname = \"{name}\"\non = \"{on}\"\nafter_hours = {after}\nnotify = \"{notify}\"\n\n"
    )
}

fn rejected_step(name: &str, reasons: &str, after: u32) -> String {
    format!(
        "[[sla.escalation]]\nname = \"{name}\"\non = \"rejected\"\nreasons = [{reasons}]\nafter_hours = {after}\nnotify = \"marketing_ops\"\n\n"
    )
}

fn adoption(version: u32, text: &str) -> Event {
    Event::AgreementAdopted(Adoption {
        version,
        digest: Text::parse(&format!("digest{version}")).unwrap(),
        text: Document::parse(text).unwrap(),
        adopted_at: at(T0 + 100 * H),
        by: None,
    })
}

/// A rep of `team` under `manager`: escalations notify by team and manager.
fn staff(id: &str, team: Team, manager: Option<&str>) -> Event {
    Rep {
        team,
        manager: manager.map(|m| RepId::parse(m).unwrap()),
        ..rep(id)
    }
    .event()
}

/// A stage change by R1 (the owner the steps here notify about).
fn by_r1(id: &str, lead: &str, from: &str, to: &str, reason: Option<&str>, t: i64) -> Event {
    Transition {
        rep: Some(RepId::parse("R1").unwrap()),
        reason: reason.map(|r| Named::parse(r).unwrap()),
        ..moved(id, lead, from, to, t)
    }
    .event()
}

/// A touch by R1 if a sales touch (it answers the follow-up), else by the
/// direct channel.
fn touched(id: &str, lead: &str, kind: TouchKind, t: i64) -> Event {
    let sales = kind.is_sales();
    Touch {
        channel: (!sales).then_some(Channel::Direct),
        rep: sales.then(|| RepId::parse("R1").unwrap()),
        ..touch(id, lead, kind, t)
    }
    .event()
}

/// What one step of a history does to an engine.
#[derive(Clone, Debug)]
enum Op {
    /// An input that arrives live: what fell due before its time fired
    /// first, then it is checked, applied and judged.
    Input(Event),
    /// `accord agreement adopt`: stored and applied, nothing fired.
    Adopt(Event),
    /// `accord tick --now`.
    Tick(i64),
    /// A stage change of lead `lead` into `to` arriving live, from the
    /// stage the lead is in then.
    Move {
        id: String,
        lead: String,
        to: &'static str,
        reason: Option<&'static str>,
        at: i64,
    },
}

/// An engine run over a history, as a process that stays up does it,
/// keeping the log it writes.
struct Run {
    engine: Engine,
    log: Vec<Decided>,
    /// Every decision made, in order.
    decided: Vec<Event>,
}

impl Run {
    fn new() -> Run {
        Run {
            engine: Engine::new(),
            log: Vec::new(),
            decided: Vec::new(),
        }
    }

    fn step(&mut self, op: &Op) {
        let e = &mut self.engine;
        let mut out = Vec::new();
        match op {
            Op::Input(event) => {
                let fired = e.tick(event.occurred_at());
                self.decided.extend(fired.iter().map(|(d, _)| d.clone()));
                self.log.extend(fired);
                if e.check(event).is_ok() {
                    e.apply(event, &Origin::Ingested);
                    self.log.push((event.clone(), Origin::Ingested));
                    out = e.judge(event);
                }
            }
            Op::Adopt(event) => {
                let person = Origin::Person { by: None };
                e.apply(event, &person);
                self.log.push((event.clone(), person));
            }
            Op::Tick(now) => out.extend(e.tick(at(*now))),
            Op::Move {
                id,
                lead,
                to,
                reason,
                at,
            } => {
                let from = e.explain(lead).map_or("lead".into(), |l| l.stage);
                let event = by_r1(id, lead, &from, to, *reason, *at);
                return self.step(&Op::Input(event));
            }
        }
        self.decided.extend(out.iter().map(|(d, _)| d.clone()));
        self.log.extend(out);
    }

    /// A restart: a new engine that has applied this run's log.
    fn restarted(&self) -> Run {
        let mut engine = Engine::new();
        for (event, origin) in &self.log {
            engine.apply(event, origin);
        }
        Run {
            engine,
            log: self.log.clone(),
            decided: self.decided.clone(),
        }
    }
}

/// The SLA's decisions as `kind id what at` lines.
fn sla_lines(decided: &[Event]) -> Vec<String> {
    decided
        .iter()
        .filter_map(|d| match d {
            Event::ClockBreached(b) => Some(format!(
                "breach {} {} {} {}",
                b.id,
                b.lead,
                b.clock.as_str(),
                b.due
            )),
            Event::Escalated(e) => Some(format!(
                "escalated {} {} cause {} {} {} {} {}",
                e.id,
                e.step,
                e.cause,
                e.lead.as_ref().map_or("-", |l| l.as_str()),
                e.notify,
                e.person.as_ref().map_or("-", |p| p.as_str()),
                e.at
            )),
            _ => None,
        })
        .collect()
}

/// The starter's three breach steps: the manager at once and the director
/// after 24 h of a follow-up breach, the manager at once of a decide breach.
fn breach_steps() -> String {
    [
        step(
            "follow_up_late_manager",
            "follow_up_breach",
            0,
            "rep_manager",
        ),
        step(
            "follow_up_late_director",
            "follow_up_breach",
            24,
            "sales_director",
        ),
        step("decision_late_manager", "decide_breach", 0, "rep_manager"),
    ]
    .concat()
}

/// v1: the starter's steps, bad_data 5 h after the rejection. v2: the
/// decision step first, 1 h after its breach, to the sales director; the
/// director 2 h after the follow-up breach instead of 24; a new step
/// follow_up_late_vp at once; no follow_up_late_manager; bad_data for bad
/// contact data only.
fn versions() -> (String, String) {
    let v1 = [
        breach_steps(),
        rejected_step("bad_data", "\"bad_contact_data\", \"duplicate\"", 5),
    ]
    .concat();
    let v2 = [
        step(
            "decision_late_manager",
            "decide_breach",
            1,
            "sales_director",
        ),
        step(
            "follow_up_late_director",
            "follow_up_breach",
            2,
            "sales_director",
        ),
        step("follow_up_late_vp", "follow_up_breach", 0, "sales_director"),
        rejected_step("bad_data", "\"bad_contact_data\"", 0),
    ]
    .concat();
    (with_steps(&v1), with_steps(&v2))
}

/// L1 and L3 become MQLs at T0 (Monday 10:00), L2 at T0 + 5 h, all R1's
/// (manager M1). L3 is called at once and disqualified as a duplicate at
/// T0 + 20 h: v1's bad_data due at T0 + 25 h. A page view of L1 at
/// T0 + 24.5 h fires L1's follow-up breach (T0 + 24 h) and its manager
/// step; L1's director step is due at T0 + 48 h. Then v2 is adopted, the
/// engine's clock at T0 + 24.5 h, and time passes to T0 + 60 h.
fn history() -> Vec<Op> {
    let (v1, v2) = versions();
    let mut ops = vec![
        Op::Adopt(adoption(1, &v1)),
        Op::Input(staff("M1", Team::Manager, None)),
        Op::Input(staff("R1", Team::Sdr, Some("M1"))),
    ];
    for l in ["L1", "L2", "L3"] {
        ops.push(Op::Input(lead(l, T0 - H).event()));
    }
    ops.extend([
        Op::Input(by_r1("S1", "L1", "lead", "mql", None, T0)),
        Op::Input(by_r1("S3", "L3", "lead", "mql", None, T0)),
        Op::Input(touched("C3", "L3", TouchKind::SalesCall, T0 + H)),
        Op::Input(by_r1("S2", "L2", "lead", "mql", None, T0 + 5 * H)),
        Op::Input(by_r1(
            "X3",
            "L3",
            "mql",
            "disqualified",
            Some("duplicate"),
            T0 + 20 * H,
        )),
        Op::Input(touched(
            "P1",
            "L1",
            TouchKind::PageView,
            T0 + 24 * H + H / 2,
        )),
        Op::Adopt(adoption(2, &v2)),
        Op::Tick(T0 + 60 * H),
    ]);
    ops
}

const BEFORE_V2: [&str; 2] = [
    "breach ~1 L1 follow_up 2026-01-06T10:00:00Z",
    "escalated ~1 follow_up_late_manager cause ~1 L1 rep_manager M1 2026-01-06T10:00:00Z",
];

/// After v2: L1's director step is timed again, 2 h after its breach, but
/// not before the adoption (the clock then, T0 + 24.5 h): T0 + 26 h. L3's
/// bad_data is dropped (v2's no longer escalates a duplicate); the vp step
/// is v2's own, not L1's (its cause came first). L2's follow-up breach at
/// T0 + 29 h and both decision breaches come under v2 (L3's decision was
/// its rejection, in time).
const AFTER_V2: [&str; 8] = [
    "escalated ~2 follow_up_late_director cause ~1 L1 sales_director - 2026-01-06T12:00:00Z",
    "breach ~2 L2 follow_up 2026-01-06T15:00:00Z",
    "escalated ~3 follow_up_late_vp cause ~2 L2 sales_director - 2026-01-06T15:00:00Z",
    "escalated ~4 follow_up_late_director cause ~2 L2 sales_director - 2026-01-06T17:00:00Z",
    "breach ~3 L1 decide 2026-01-07T10:00:00Z",
    "escalated ~5 decision_late_manager cause ~3 L1 sales_director - 2026-01-07T11:00:00Z",
    "breach ~4 L2 decide 2026-01-07T15:00:00Z",
    "escalated ~6 decision_late_manager cause ~4 L2 sales_director - 2026-01-07T16:00:00Z",
];

#[test]
fn pending_steps_follow_the_adopted_agreement_by_name() {
    let mut run = Run::new();
    let ops = history();
    let (before, after) = ops.split_at(ops.len() - 2);
    for op in before {
        run.step(op);
    }
    assert_eq!(sla_lines(&run.decided), BEFORE_V2);
    let mark = run.decided.len();
    for op in after {
        run.step(op);
    }
    assert_eq!(sla_lines(&run.decided[mark..]), AFTER_V2);
}

/// A restart at any point of the history (the log so far replayed into a
/// new engine, which then goes on) decides exactly as the run that stayed
/// up.
#[test]
fn a_restart_anywhere_decides_as_the_run_that_stayed_up() {
    let ops = history();
    let mut whole = Run::new();
    for op in &ops {
        whole.step(op);
    }
    for cut in 0..=ops.len() {
        let mut run = Run::new();
        for op in &ops[..cut] {
            run.step(op);
        }
        let mut run = run.restarted();
        for op in &ops[cut..] {
            run.step(op);
        }
        assert_eq!(run.decided, whole.decided, "restarted after {cut} steps");
        assert_eq!(run.engine.state_hash(), whole.engine.state_hash());
    }
}

/// v1 names steps `a` (10 h after a follow-up breach) and `b` (20 h);
/// v2 lists `b` first and both at once. L1's breach (T0 + 24 h) fires at
/// a page view at T0 + 25 h, then v2 is adopted at that clock: both steps
/// are timed to T0 + 25 h (not before the adoption's clock), the same
/// second, and fire in the order the cause's steps were named (v1's `a`
/// first), not in v2's order.
#[test]
fn steps_timed_to_one_second_fire_in_the_order_they_were_named() {
    let v1 = with_steps(
        &[
            step("a", "follow_up_breach", 10, "rep_manager"),
            step("b", "follow_up_breach", 20, "sales_director"),
        ]
        .concat(),
    );
    let v2 = with_steps(
        &[
            step("b", "follow_up_breach", 0, "sales_director"),
            step("a", "follow_up_breach", 0, "rep_manager"),
        ]
        .concat(),
    );
    let mut run = Run::new();
    for op in [
        Op::Adopt(adoption(1, &v1)),
        Op::Input(staff("M1", Team::Manager, None)),
        Op::Input(staff("R1", Team::Sdr, Some("M1"))),
        Op::Input(lead("L1", T0 - H).event()),
        Op::Input(by_r1("S1", "L1", "lead", "mql", None, T0)),
        Op::Input(touched("P1", "L1", TouchKind::PageView, T0 + 25 * H)),
        Op::Adopt(adoption(2, &v2)),
        Op::Tick(T0 + 26 * H),
    ] {
        run.step(&op);
    }
    assert_eq!(
        sla_lines(&run.decided),
        [
            "breach ~1 L1 follow_up 2026-01-06T10:00:00Z",
            "escalated ~1 a cause ~1 L1 rep_manager M1 2026-01-06T11:00:00Z",
            "escalated ~2 b cause ~1 L1 sales_director - 2026-01-06T11:00:00Z",
        ]
    );
}

mod properties {
    use super::*;
    use proptest::prelude::*;

    /// Escalation lists that differ in order, names, times, roles and
    /// reasons.
    fn variants() -> [String; 4] {
        [
            [
                breach_steps(),
                step(
                    "targets_missed",
                    "mql_target_missed",
                    3,
                    "marketing_director",
                ),
                rejected_step("bad_data", "\"bad_contact_data\", \"duplicate\"", 5),
            ]
            .concat(),
            [
                step(
                    "follow_up_late_director",
                    "follow_up_breach",
                    2,
                    "sales_director",
                ),
                step(
                    "follow_up_late_manager",
                    "follow_up_breach",
                    0,
                    "rep_manager",
                ),
                rejected_step("bad_data", "\"bad_contact_data\"", 0),
                step(
                    "decision_late_manager",
                    "decide_breach",
                    10,
                    "sales_director",
                ),
            ]
            .concat(),
            [
                step("follow_up_late_vp", "follow_up_breach", 0, "sales_director"),
                step(
                    "targets_missed",
                    "mql_target_missed",
                    0,
                    "marketing_director",
                ),
                step(
                    "follow_up_late_director",
                    "follow_up_breach",
                    48,
                    "rep_manager",
                ),
                rejected_step("bad_data", "\"duplicate\"", 12),
            ]
            .concat(),
            [
                step("decision_late_manager", "decide_breach", 0, "rep_manager"),
                rejected_step("bad_data", "\"bad_contact_data\", \"duplicate\"", 0),
                rejected_step("no_money", "\"no_budget\"", 30),
            ]
            .concat(),
        ]
        .map(|steps| with_steps(&steps))
    }

    /// One step of a history, `dt` hours after the previous one.
    fn op() -> impl Strategy<Value = (u8, usize, usize, i64)> {
        (0u8..7, 0usize..6, 0usize..4, 0i64..30)
    }

    fn history(ops: &[(u8, usize, usize, i64)]) -> Vec<Op> {
        let texts = variants();
        let mut out = vec![
            Op::Adopt(adoption(1, &texts[0])),
            Op::Input(staff("M1", Team::Manager, None)),
            Op::Input(staff("R1", Team::Sdr, Some("M1"))),
        ];
        for l in 0..6 {
            out.push(Op::Input(lead(&format!("L{l}"), T0 - H).event()));
        }
        let (mut t, mut version) = (T0, 1);
        for (n, &(kind, l, k, dt)) in ops.iter().enumerate() {
            t += dt * H;
            let lead = format!("L{l}");
            out.push(match kind {
                0 | 1 => Op::Move {
                    id: format!("S{n}"),
                    lead,
                    to: "mql",
                    reason: None,
                    at: t,
                },
                2 => {
                    let (to, reason) = [
                        ("disqualified", "duplicate"),
                        ("disqualified", "bad_contact_data"),
                        ("recycled", "no_budget"),
                        ("recycled", "no_budget"),
                    ][k];
                    Op::Move {
                        id: format!("X{n}"),
                        lead,
                        to,
                        reason: Some(reason),
                        at: t,
                    }
                }
                3 => Op::Input(touched(&format!("C{n}"), &lead, TouchKind::SalesCall, t)),
                4 => Op::Input(touched(&format!("P{n}"), &lead, TouchKind::PageView, t)),
                5 => {
                    version += 1;
                    Op::Adopt(adoption(version, &texts[k]))
                }
                _ => Op::Tick(t),
            });
        }
        out.push(Op::Tick(t + 100 * H));
        out
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(128))]

        /// Whatever the history — agreements whose steps differ adopted
        /// between breaches, rejections and their steps — an engine
        /// restarted at any point decides what the one that stayed up
        /// decided, and ends in the same state.
        #[test]
        fn a_restart_decides_as_the_run_that_stayed_up(
            ops in proptest::collection::vec(op(), 1..40),
            cut in 0usize..60,
        ) {
            let ops = history(&ops);
            let mut whole = Run::new();
            for op in &ops {
                whole.step(op);
            }
            let cut = cut.min(ops.len());
            let mut run = Run::new();
            for op in &ops[..cut] {
                run.step(op);
            }
            let mut run = run.restarted();
            for op in &ops[cut..] {
                run.step(op);
            }
            prop_assert_eq!(sla_lines(&run.decided), sla_lines(&whole.decided));
            prop_assert_eq!(run.engine.state_hash(), whole.engine.state_hash());
        }
    }
}
