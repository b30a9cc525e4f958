//! The fan-out and the worker over a real store file, with time as a value
//! and a scripted transport (the real HTTP path is tested through the
//! binary, tests/ of accord-cli). Expected bodies and times are written out
//! by hand.

use std::cell::RefCell;
use std::collections::VecDeque;
use std::time::Duration;

use accord_core::event::Batch;
use accord_store::hooks::{Attempt, DeliveryState};
use accord_store::{AppendTx, EventStore, HookStore, SqliteStore};

use crate::fanout::fan_out;
use crate::subscribe::subscribe;
use crate::worker::{round, Config, Request, Transport};
use crate::{Kind, Schedule};

fn store() -> (tempfile::TempDir, SqliteStore) {
    let dir = tempfile::tempdir().unwrap();
    let store = SqliteStore::create_or_open(&dir.path().join("a.db")).unwrap();
    (dir, store)
}

/// Appends exported lines (event and origin) as one batch.
fn append(store: &mut SqliteStore, lines: &[&str]) {
    let mut batch = Batch::default();
    for line in lines {
        let (event, origin) = accord_wire::parse_exported(line).unwrap();
        batch.push_from(&event, &origin);
    }
    let mut tx = store.begin().unwrap();
    tx.append(&batch).unwrap();
    tx.commit().unwrap();
}

const REP: &str = r#"{"v":1,"type":"rep_recorded","origin":"imported","rep_id":"R1","name":"Rui","email":"rui@seller.example","team":"sdr","region":"NA","capacity_per_day":5,"hired_at":"2024-01-01T00:00:00Z"}"#;
const LEAD: &str = r#"{"v":1,"type":"lead_created","origin":"ingested","lead_id":"L1","email":"ana@contoso.example","seniority":"vp","country":"US","region":"NA","source_channel":"webinar","source_campaign_id":"C7","created_at":"2026-01-05T15:00:00Z"}"#;
const MQL_IMPORTED: &str = r#"{"v":1,"type":"stage_changed","origin":"imported","transition_id":"S0","lead_id":"L1","from_stage":"lead","to_stage":"mql","rep_id":"R1","occurred_at":"2026-01-05T15:05:00Z"}"#;
const MQL: &str = r#"{"v":1,"type":"stage_changed","origin":{"engine":1},"transition_id":"~2","lead_id":"L1","from_stage":"lead","to_stage":"mql","occurred_at":"2026-01-05T15:10:00Z"}"#;
const ROUTED: &str = r#"{"v":1,"type":"owner_assigned","origin":{"engine":1},"assignment_id":"~3","lead_id":"L1","rep_id":"R1","rule":"territory","assigned_at":"2026-01-05T15:10:00Z","tried":[],"eligible":["R1"]}"#;
const BREACH: &str = r#"{"v":1,"type":"clock_breached","origin":{"engine":1},"breach_id":"~4","lead_id":"L1","entry_id":"~2","clock":"follow_up","rep_id":"R1","due":"2026-01-05T16:10:00Z"}"#;
const REJECT: &str = r#"{"v":1,"type":"stage_changed","origin":{"person":"R1"},"transition_id":"S9","lead_id":"L1","from_stage":"mql","to_stage":"recycled","rep_id":"R1","reason":"no_budget","occurred_at":"2026-01-05T17:00:00Z"}"#;
const OPP: &str = r#"{"v":1,"type":"opportunity_created","origin":"ingested","opportunity_id":"O1","account_id":"A1","primary_lead_id":"L1","owner_rep_id":"R1","kind":"new_business","created_at":"2026-01-06T10:00:00Z","amount_usd":12345.50}"#;
const WON: &str = r#"{"v":1,"type":"opportunity_closed","origin":"ingested","opportunity_id":"O1","stage":"won","closed_at":"2026-02-01T12:00:00Z"}"#;

#[test]
fn history_and_imports_are_never_sent_and_each_event_is_fanned_out_once() {
    let (_dir, mut s) = store();
    append(&mut s, &[REP, LEAD, MQL_IMPORTED]);
    // Before the subscription: history, never replayed to it.
    append(&mut s, &[MQL]);
    let sub = subscribe(&mut s, "http://127.0.0.1:9/h", &Kind::ALL, "json", 100).unwrap();
    assert_eq!(sub.start_seq, 2);
    assert!(sub.secret.starts_with("whsec_"));
    append(&mut s, &[ROUTED, BREACH]);
    append(&mut s, &[MQL_IMPORTED.replace("S0", "S1").as_str(), REJECT]);
    let done = fan_out(&mut s).unwrap();
    assert_eq!((done.batches, done.deliveries, done.raced), (4, 3, false));
    assert_eq!(s.hook_cursor().unwrap(), 4);
    // Nothing new: nothing more.
    assert_eq!(fan_out(&mut s).unwrap().deliveries, 0);
    let rows = s.deliveries(DeliveryState::Pending, 10).unwrap();
    let got: Vec<(&str, &str, &str, u64)> = rows
        .iter()
        .map(|d| {
            (
                d.event_type.as_str(),
                d.event_id.as_str(),
                d.order_key.as_str(),
                d.seq,
            )
        })
        .collect();
    assert_eq!(
        got,
        [
            ("lead.routed", "owner_assigned:~3", "L1", 3),
            ("sla.breached", "clock_breached:~4", "L1", 3),
            ("lead.rejected", "stage_changed:S9", "L1", 4),
        ]
    );
    assert_eq!(
        String::from_utf8(rows[1].body.clone()).unwrap(),
        r#"{"data":{"clock":"follow_up","due":"2026-01-05T16:10:00Z","lead_id":"L1","mql_transition_id":"~2","rep_id":"R1"},"event_id":"clock_breached:~4","occurred_at":"2026-01-05T16:10:00Z","origin":"engine v1","type":"sla.breached"}"#
    );
    assert_eq!(
        String::from_utf8(rows[2].body.clone()).unwrap(),
        r#"{"data":{"from_stage":"mql","lead_id":"L1","reason":"no_budget","rep_id":"R1","to_stage":"recycled","transition_id":"S9"},"event_id":"stage_changed:S9","occurred_at":"2026-01-05T17:00:00Z","origin":"person (R1)","type":"lead.rejected"}"#
    );
}

#[test]
fn a_won_deal_carries_its_shared_credit_and_reads_well_in_slack() {
    let (_dir, mut s) = store();
    append(&mut s, &[REP, LEAD, OPP]);
    subscribe(
        &mut s,
        "http://127.0.0.1:9/json",
        &[Kind::OpportunityWon],
        "json",
        0,
    )
    .unwrap();
    subscribe(
        &mut s,
        "http://127.0.0.1:9/slack",
        &[Kind::OpportunityWon, Kind::SlaBreached],
        "slack",
        0,
    )
    .unwrap();
    append(&mut s, &[WON, BREACH]);
    assert_eq!(fan_out(&mut s).unwrap().deliveries, 3);
    let rows = s.deliveries(DeliveryState::Pending, 10).unwrap();
    let body = |i: usize| String::from_utf8(rows[i].body.clone()).unwrap();
    // Sales' credit: the owner (as the leaderboard counts it); marketing's:
    // the primary lead came through a webinar (not outbound), campaign C7
    // (as the kpi report's marketing-sourced pipeline counts it).
    assert_eq!(
        body(0),
        r#"{"data":{"account_id":"A1","amount":"12345.50","amount_cents":1234550,"closed_at":"2026-02-01T12:00:00Z","credit":{"marketing":{"primary_lead_id":"L1","source_campaign_id":"C7","source_channel":"webinar","sourced":true},"sales":{"rep_id":"R1"}},"kind":"new_business","opportunity_id":"O1"},"event_id":"opportunity_closed:O1","occurred_at":"2026-02-01T12:00:00Z","origin":"ingested","type":"opportunity.won"}"#
    );
    assert_eq!(rows[0].order_key, "L1");
    assert_eq!(
        body(1),
        r#"{"text":"Deal won: opportunity O1 (new_business, account A1) for $12345.50 closed at 2026-02-01T12:00:00Z. Credit: R1 (owner) and marketing, which sourced lead L1 through webinar (campaign C7)."}"#
    );
    assert_eq!(
        body(2),
        r#"{"text":"SLA breached: lead L1 (owner R1) was not given its follow-up in time; the clock ran out at 2026-01-05T16:10:00Z."}"#
    );
}

/// A request as the scripted transport saw it: URL, headers, body.
type Sent = (String, Vec<(&'static str, String)>, Vec<u8>);

/// Answers from a script (then 200), and keeps what it was sent.
#[derive(Default)]
struct Scripted {
    answers: RefCell<VecDeque<Result<u16, String>>>,
    seen: RefCell<Vec<Sent>>,
}

impl Transport for Scripted {
    fn post(&self, r: &Request<'_>, _: Duration) -> Result<u16, String> {
        self.seen
            .borrow_mut()
            .push((r.url.to_string(), r.headers.clone(), r.body.to_vec()));
        self.answers.borrow_mut().pop_front().unwrap_or(Ok(200))
    }
}

fn config(schedule: &str) -> Config {
    Config {
        schedule: Schedule::parse(schedule).unwrap(),
        timeout: Duration::from_secs(10),
        batch: 50,
    }
}

#[test]
fn retries_follow_the_schedule_in_per_lead_order_then_dead_letter_and_replay() {
    let (_dir, mut s) = store();
    append(&mut s, &[REP, LEAD]);
    let sub = subscribe(&mut s, "http://127.0.0.1:9/h", &Kind::ALL, "json", 0).unwrap();
    append(&mut s, &[MQL, ROUTED]);
    let t = Scripted::default();
    t.answers
        .borrow_mut()
        .extend([Ok(500), Err("connection refused".into()), Ok(503)]);
    let cfg = config("10s,30s");
    let mut zero = || 0u64;
    // t = 1000: the MQL is tried (500); the routing waits behind it.
    let r = round(&mut s, &t, &cfg, &|| 1_000, &mut zero).unwrap();
    assert_eq!(
        (r.fanned.deliveries, r.delivered, r.retried, r.dead),
        (2, 0, 1, 0)
    );
    let mql = &s.deliveries(DeliveryState::Pending, 10).unwrap()[0];
    assert_eq!(
        (mql.attempts, mql.next_at, mql.last_status),
        (1, 1_010, Some(500))
    );
    // Not due before 1010; the routing still waits.
    let r = round(&mut s, &t, &cfg, &|| 1_009, &mut zero).unwrap();
    assert_eq!(r.delivered + r.retried + r.dead, 0);
    // 1010: refused; next after 30 s.
    round(&mut s, &t, &cfg, &|| 1_010, &mut zero).unwrap();
    let mql = s.delivery(mql.id).unwrap().unwrap();
    assert_eq!(
        (mql.attempts, mql.next_at, mql.last_status),
        (2, 1_040, None)
    );
    assert_eq!(mql.last_error.as_deref(), Some("connection refused"));
    // 1040: the third and last attempt fails: a dead letter, and the
    // routing, no longer behind a pending delivery, goes out the next round.
    let r = round(&mut s, &t, &cfg, &|| 1_040, &mut zero).unwrap();
    assert_eq!((r.dead, r.delivered), (1, 0));
    let dead = s.deliveries(DeliveryState::Dead, 10).unwrap();
    assert_eq!(dead.len(), 1);
    assert_eq!(
        (dead[0].event_type.as_str(), dead[0].attempts),
        ("lead.mql", 3)
    );
    let r = round(&mut s, &t, &cfg, &|| 1_041, &mut zero).unwrap();
    assert_eq!(r.delivered, 1);
    let seen = t.seen.borrow();
    let types: Vec<&str> = seen
        .iter()
        .map(|(_, h, _)| {
            h.iter()
                .find(|(k, _)| *k == "X-Accord-Event")
                .unwrap()
                .1
                .as_str()
        })
        .collect();
    assert_eq!(types, ["lead.mql", "lead.mql", "lead.mql", "lead.routed"]);
    // Every attempt signed at its own time, over the same body.
    for (_, headers, body) in seen.iter() {
        let sig = &headers
            .iter()
            .find(|(k, _)| *k == "X-Accord-Signature")
            .unwrap()
            .1;
        let ts: i64 = sig[2..sig.find(',').unwrap()].parse().unwrap();
        crate::sign::verify(sig, &sub.secret, body, ts).unwrap();
    }
    drop(seen);
    // Replayed: pending again, due now, delivered.
    assert!(s.replay(dead[0].id, 2_000).unwrap());
    assert!(!s.replay(999, 2_000).unwrap());
    let r = round(&mut s, &t, &cfg, &|| 2_000, &mut zero).unwrap();
    assert_eq!(r.delivered, 1);
    assert_eq!(
        s.delivery(dead[0].id).unwrap().unwrap().state,
        DeliveryState::Delivered
    );
    assert_eq!(s.pending_count().unwrap(), 0);
}

#[test]
fn a_claim_without_a_record_is_due_again_when_its_lease_runs_out() {
    let (_dir, mut s) = store();
    append(&mut s, &[REP, LEAD]);
    subscribe(&mut s, "http://127.0.0.1:9/h", &[Kind::LeadMql], "json", 0).unwrap();
    append(&mut s, &[MQL]);
    fan_out(&mut s).unwrap();
    // A process claims it and dies before recording (lease: 2·10 + 5 s).
    let cfg = config("10s");
    assert_eq!(cfg.lease_secs(), 25);
    let claimed = s.claim_due(500, 525, 10).unwrap();
    assert_eq!(claimed.len(), 1);
    assert!(s.claim_due(524, 549, 10).unwrap().is_empty());
    let again = s.claim_due(525, 550, 10).unwrap();
    assert_eq!(again.len(), 1);
    assert_eq!(again[0].delivery.attempts, 2);
    // The dead process's late record changes nothing; the live one's does.
    let ok = Attempt::Delivered { status: 200 };
    assert!(!s.record(claimed[0].delivery.id, 1, 530, &ok).unwrap());
    assert!(s.record(again[0].delivery.id, 2, 530, &ok).unwrap());
}

#[test]
fn a_raced_fan_out_writes_nothing_and_a_deleted_subscription_gets_nothing() {
    let (_dir, mut s) = store();
    append(&mut s, &[REP, LEAD]);
    let a = subscribe(&mut s, "http://127.0.0.1:9/a", &[Kind::LeadMql], "json", 0).unwrap();
    append(&mut s, &[MQL]);
    // Another process moved the cursor from 0 to the head (2) first.
    assert!(s.fan_out(0, 2, &[]).unwrap());
    assert!(!s.fan_out(0, 2, &[]).unwrap());
    assert_eq!(fan_out(&mut s).unwrap().deliveries, 0);
    append(&mut s, &[MQL.replace("~2", "~5").as_str()]);
    assert!(s.delete_subscription(a.id).unwrap());
    assert!(!s.delete_subscription(a.id).unwrap());
    assert_eq!(fan_out(&mut s).unwrap().deliveries, 0);
    assert_eq!(s.hook_cursor().unwrap(), 3);
    assert_eq!(s.pending_count().unwrap(), 0);
}
