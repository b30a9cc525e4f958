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
    assert_eq!(e.occurred_at(), ts("2025-04-01T00:00:00Z"));
    assert_eq!(Event::decode(&e.to_bytes()).unwrap(), e);
}

fn id_strategy() -> impl Strategy<Value = String> {
    "[A-Za-z0-9_-]{1,12}"
}

prop_compose! {
    fn any_transition()(id in id_strategy(), lead in id_strategy(),
                        from in 0u8..8, to in 0u8..8, at in 0i64..4_000_000_000,
                        rep in proptest::option::of(id_strategy()),
                        reason in proptest::option::of(0u8..11)) -> Event {
        Event::StageChanged(Transition {
            id: TransitionId::parse(&id).unwrap(),
            lead: LeadId::parse(&lead).unwrap(),
            from: Stage::from_code(from).unwrap(),
            to: Stage::from_code(to).unwrap(),
            occurred_at: Timestamp::from_unix_seconds(at),
            rep: rep.map(|r| RepId::parse(&r).unwrap()),
            reason: reason.map(|r| RejectionReason::from_code(r).unwrap()),
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
            persona: Some(Persona::Finance),
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
