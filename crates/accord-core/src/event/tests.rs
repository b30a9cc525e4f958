use super::*;
use proptest::prelude::*;

fn ts(s: &str) -> Timestamp {
    Timestamp::parse(s).unwrap()
}

fn sample_touch() -> Event {
    Event::Touched(Touch {
        id: TouchId::parse("T00000001").unwrap(),
        lead: LeadId::parse("L0000001").unwrap(),
        occurred_at: ts("2025-04-01T03:53:35Z"),
        kind: TouchKind::FormFill,
        channel: Some(Channel::PaidSocial),
        campaign: Some(CampaignId::parse("C0002").unwrap()),
        content: None,
        rep: None,
    })
}

#[test]
fn an_event_round_trips_and_is_compact() {
    let e = sample_touch();
    let bytes = e.to_bytes();
    assert!(bytes.len() < 40, "{} bytes", bytes.len());
    assert_eq!(Event::decode(&bytes).unwrap(), e);
    assert_eq!(e.key().to_string(), "touched T00000001");
}

#[test]
fn damaged_bytes_are_reported() {
    let bytes = sample_touch().to_bytes();
    assert_eq!(
        Event::decode(&bytes[..bytes.len() - 1]),
        Err(DecodeError::Truncated)
    );
    let mut longer = bytes.clone();
    longer.push(0);
    assert_eq!(Event::decode(&longer), Err(DecodeError::Trailing));
    assert_eq!(Event::decode(&[0]), Err(DecodeError::BadTag));
}

#[test]
fn a_target_is_keyed_by_region_and_month() {
    let e = Event::TargetSet(Target {
        region: Region::Emea,
        month: Month::parse("2025-04").unwrap(),
        mql_target: 95,
    });
    assert_eq!(e.id(), "EMEA:2025-04");
    // Made, not borrowed; a touch's is borrowed from the event.
    assert!(matches!(e.id_text(), std::borrow::Cow::Owned(id) if id == "EMEA:2025-04"));
    assert!(
        matches!(sample_touch().id_text(), std::borrow::Cow::Borrowed(id) if id == sample_touch().id())
    );
    assert_eq!(e.occurred_at(), ts("2025-04-01T00:00:00Z"));
    assert_eq!(Event::decode(&e.to_bytes()).unwrap(), e);
}

fn id_strategy() -> impl Strategy<Value = String> {
    "[A-Za-z0-9_-]{1,12}"
}

prop_compose! {
    fn any_transition()(id in id_strategy(), lead in id_strategy(),
                        from in 0u8..9, to in 0u8..9, at in 0i64..4_000_000_000,
                        rep in proptest::option::of(id_strategy()),
                        reason in proptest::option::of(0u8..12)) -> Event {
        // Code 8 of stages and 11 of reasons stand for a word the agreement declares.
        let stage = |c: u8| Stage::from_code(c).map_or_else(|| Named::parse("nurture").unwrap(), Named::Core);
        Event::StageChanged(Transition {
            id: TransitionId::parse(&id).unwrap(),
            lead: LeadId::parse(&lead).unwrap(),
            from: stage(from),
            to: stage(to),
            occurred_at: Timestamp::from_unix_seconds(at),
            rep: rep.map(|r| RepId::parse(&r).unwrap()),
            reason: reason.map(|r| RejectionReason::from_code(r).map_or_else(|| Named::parse("gone_quiet").unwrap(), Named::Core)),
        })
    }
}

prop_compose! {
    fn any_lead()(id in id_strategy(), name in proptest::option::of("\\PC{0,30}"),
                  employees in proptest::option::of(any::<i64>()),
                  seniority in 0u8..7, at in -10_000_000_000i64..10_000_000_000) -> Event {
        Event::LeadCreated(Lead {
            id: LeadId::parse(&id).unwrap(),
            email: Email::parse("ana.garcía@example.co.uk").unwrap(),
            full_name: name.map(|n| Text::parse(&n).unwrap()),
            title: None,
            seniority: Seniority::from_code(seniority).unwrap(),
            persona: Some(Named::Core(Persona::Finance)),
            company_name: Some(Text::parse("Northwind, \"Ltd\"").unwrap()),
            website: None,
            employees_reported: employees,
            industry_reported: None,
            country: Country::parse("GB").unwrap(),
            region: Region::Emea,
            source_channel: Channel::Referral,
            source_campaign: None,
            created_at: Timestamp::from_unix_seconds(at),
            account: Some(AccountId::parse("A000001").unwrap()),
        })
    }
}

proptest! {
    #[test]
    fn encode_then_decode_is_identity(e in prop_oneof![any_transition(), any_lead()]) {
        let bytes = e.to_bytes();
        prop_assert_eq!(Event::decode(&bytes).unwrap(), e);
        prop_assert_eq!(digest(&bytes), digest(&bytes.clone()));
    }

    #[test]
    fn decode_never_panics_on_garbage(bytes in proptest::collection::vec(any::<u8>(), 0..64)) {
        let _ = Event::decode(&bytes);
    }
}

#[test]
fn a_batch_frames_and_unframes() {
    let events = vec![sample_touch(), sample_touch()];
    let mut batch = Batch::default();
    let mut chunk = Vec::new();
    for e in &events {
        batch.push(e);
    }
    for i in 0..batch.len() {
        let (kind, id, bytes) = batch.get(i);
        assert_eq!(kind, EventKind::Touched);
        assert_eq!(id, "T00000001");
        frame(&mut chunk, bytes);
    }
    let back: Vec<Event> = unframe(&chunk)
        .map(|b| Event::decode(b.unwrap()).unwrap())
        .collect();
    assert_eq!(back, events);
    assert!(unframe(&chunk[..chunk.len() - 1]).any(|r| r.is_err()));
}

#[test]
fn a_batch_keeps_each_events_origin() {
    let e = sample_touch();
    let person = Origin::Person { by: None };
    let mut batch = Batch::default();
    batch.push(&e);
    assert!(batch.all_imported());
    batch.push_from(&e, &Origin::Imported);
    assert!(batch.all_imported());
    batch.push_from(&e, &Origin::Ingested);
    batch.push_from(&e, &Origin::Ingested);
    batch.push_from(&e, &person);
    batch.push(&e);
    assert!(!batch.all_imported());
    let origins: Vec<&Origin> = (0..batch.len()).map(|i| batch.origin(i)).collect();
    assert_eq!(
        origins,
        [
            &Origin::Imported,
            &Origin::Imported,
            &Origin::Ingested,
            &Origin::Ingested,
            &person,
            &Origin::Imported
        ]
    );
    // The origin is beside the bytes, never in them.
    assert_eq!(batch.get(2).2, batch.get(0).2);
    batch.clear();
    batch.push(&e);
    assert!(batch.all_imported());
    assert_eq!(batch.origin(0), &Origin::Imported);
}

#[test]
fn the_digest_tells_events_apart() {
    let a = sample_touch().to_bytes();
    let mut b = a.clone();
    *b.last_mut().unwrap() ^= 1;
    assert_ne!(digest(&a), digest(&b));
    assert_ne!(digest(&a[..a.len() - 1]), digest(&a));
    // Zero padding of the tail must not make a shorter input collide.
    assert_ne!(digest(&[1, 0]), digest(&[1]));
    assert_eq!(digest(&a), digest(&a.clone()));
}

#[test]
fn decode_accepts_exactly_the_timestamps_and_amounts_parsing_gives() {
    let at = |seconds: i64| {
        let mut e = sample_touch();
        if let Event::Touched(t) = &mut e {
            t.occurred_at = Timestamp::from_unix_seconds(seconds);
        }
        Event::decode(&e.to_bytes())
    };
    let first = ts("1000-01-01T00:00:00Z").unix_seconds();
    let last = ts("9999-12-31T23:59:59Z").unix_seconds();
    assert!(at(first).is_ok() && at(last).is_ok());
    for bad in [first - 1, last + 1, i64::MIN, i64::MAX] {
        assert!(
            matches!(at(bad), Err(DecodeError::BadValue(_))),
            "timestamp {bad}"
        );
    }
    let max = Money::parse("999999999999999.99").unwrap().cents();
    assert_eq!(max, 99_999_999_999_999_999);
    let mut buf = Vec::new();
    for (cents, ok) in [
        (max, true),
        (-max, true),
        (max + 1, false),
        (i64::MIN, false),
    ] {
        buf.clear();
        super::codec::put_i64(&mut buf, cents);
        let mut r = super::codec::Reader::new(&buf);
        assert_eq!(
            <Money as super::Field>::get(&mut r).is_ok(),
            ok,
            "{cents} cents"
        );
    }
}

fn transition(from: &str, to: &str, reason: Option<&str>) -> Event {
    Event::StageChanged(Transition {
        id: TransitionId::parse("S1").unwrap(),
        lead: LeadId::parse("L1").unwrap(),
        from: Named::parse(from).unwrap(),
        to: Named::parse(to).unwrap(),
        occurred_at: Timestamp::from_unix_seconds(0),
        rep: None,
        reason: reason.map(|r| Named::parse(r).unwrap()),
    })
}

#[test]
fn contract_words_keep_the_one_byte_form_that_logs_already_hold() {
    // Kind 8, ids "S1" and "L1", from mql (1), to recycled (6), time 0, no
    // rep, reason no_budget (1): the bytes a log of store format 1 holds.
    let bytes = transition("mql", "recycled", Some("no_budget")).to_bytes();
    assert_eq!(bytes, [8, 2, b'S', b'1', 2, b'L', b'1', 1, 6, 0, 0, 1, 1]);
    // A declared stage is stored as 0xFF and its text, and reads back.
    let declared = transition("mql", "nurture", Some("gone_quiet"));
    let bytes = declared.to_bytes();
    assert_eq!(
        &bytes[7..17],
        &[1, 0xFF, 7, b'n', b'u', b'r', b't', b'u', b'r', b'e']
    );
    assert_eq!(Event::decode(&bytes).unwrap(), declared);
    // A stored declared word that is not a name is damage.
    let mut bad = bytes.clone();
    bad[9] = 0;
    assert!(Event::decode(&bad).is_err());
}

#[test]
fn the_engines_events_round_trip_with_their_keys() {
    let at = ts("2026-01-05T09:30:00Z");
    let events = [
        Event::AgreementAdopted(Adoption {
            version: 3,
            digest: Text::parse(&"ab".repeat(32)).unwrap(),
            text: Document::parse("version = 1\n").unwrap(),
            adopted_at: at,
            by: Some(Text::parse("Ana").unwrap()),
        }),
        Event::ModelAdopted(ModelAdoption {
            number: 2,
            model_version: 5,
            digest: Text::parse(&"cd".repeat(32)).unwrap(),
            artifact: Document::parse("{\"version\":5}").unwrap(),
            adopted_at: at,
            by: None,
        }),
        Event::OwnerAssigned(Assignment {
            id: DecisionId::parse("~7").unwrap(),
            lead: LeadId::parse("L1").unwrap(),
            rep: Some(RepId::parse("R2").unwrap()),
            rule: Some(Text::parse("territory").unwrap()),
            assigned_at: at,
            tried: vec![RuleTried {
                rule: Text::parse("named_account_owner").unwrap(),
                matched: 1,
                excluded: vec![Excluded {
                    rep: RepId::parse("R9").unwrap(),
                    why: Exclusion::Away,
                }],
            }],
            eligible: vec![RepId::parse("R2").unwrap(), RepId::parse("R3").unwrap()],
        }),
        Event::AccountMatched(AccountMatch {
            lead: LeadId::parse("L1").unwrap(),
            account: AccountId::parse("A5").unwrap(),
            confidence: 990,
            how: MatchedBy::Website,
            evidence: Text::parse("northwind.co.uk").unwrap(),
            matched_at: at,
        }),
        Event::RepAway(Away {
            id: DecisionId::parse("OOO-1").unwrap(),
            rep: RepId::parse("R2").unwrap(),
            from: at,
            until: ts("2026-01-09T18:00:00Z"),
        }),
    ];
    let keys: Vec<String> = events.iter().map(|e| e.key().to_string()).collect();
    assert_eq!(
        keys,
        [
            "agreement_adopted V3",
            "model_adopted M2",
            "owner_assigned ~7",
            "account_matched L1",
            "rep_away OOO-1"
        ]
    );
    for e in events {
        assert_eq!(Event::decode(&e.to_bytes()).unwrap(), e);
        assert_eq!(e.occurred_at(), at);
    }
}

#[test]
fn a_stored_list_longer_than_the_limit_is_damage() {
    // An assignment whose `eligible` claims 2,000 items.
    let mut bytes = vec![EventKind::OwnerAssigned.code()];
    for s in ["~1", "L1"] {
        bytes.push(2);
        bytes.extend_from_slice(s.as_bytes());
    }
    bytes.extend_from_slice(&[0, 0, 0, 0]); // no rep, no rule, time 0, no rules tried
    bytes.extend_from_slice(&[0xD0, 0x0F]); // 2,000
    assert!(matches!(
        Event::decode(&bytes),
        Err(DecodeError::BadValue(m)) if m.contains("2000")
    ));
}
