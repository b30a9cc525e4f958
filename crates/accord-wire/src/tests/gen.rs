//! Generators of valid events of every kind: ids, texts with quotes,
//! escapes, control and non-ASCII characters, the whole range of times and
//! money the domain parses, declared words.

use accord_core::domain::*;
use accord_core::event::*;
use proptest::prelude::*;
use proptest::sample::select;

fn id<T: std::fmt::Debug>(parse: fn(&str) -> Result<T, ValueError>) -> impl Strategy<Value = T> {
    "[A-Za-z0-9_.:-]{1,12}".prop_map(move |s| parse(&s).unwrap())
}

/// An id the engine makes (`~12`) or one from outside.
fn decision_id() -> impl Strategy<Value = DecisionId> {
    prop_oneof!["~[0-9]{1,6}", "[A-Za-z0-9-]{1,12}"].prop_map(|s| DecisionId::parse(&s).unwrap())
}

fn text() -> impl Strategy<Value = Text> {
    prop_oneof![
        "(?s).{0,24}",
        "[a-zA-Z ,\"\\\\]{0,24}",
        Just("Ana \"Anita\" García, Ltd\u{1b}\u{7f}\u{85}\u{2028}".to_string()),
    ]
    .prop_map(|s| Text::parse(&s).unwrap())
}

fn time() -> impl Strategy<Value = Timestamp> {
    // Years 1000 to 9999: what `Timestamp::parse` gives.
    (-30_610_224_000i64..=253_402_300_799).prop_map(Timestamp::from_unix_seconds)
}

/// Cents of at most 15 digits of dollars, ≥ `min`.
fn money(min: i64) -> impl Strategy<Value = Money> {
    prop_oneof![min..=99_999_999_999_999_999i64, min..=100_000i64].prop_map(Money::from_cents)
}

fn email() -> impl Strategy<Value = Email> {
    "[a-zA-Z0-9._+ñ-]{1,10}@[a-zA-Z0-9]{1,8}\\.[a-z]{2,3}".prop_map(|s| Email::parse(&s).unwrap())
}

fn word<T: Copy + std::fmt::Debug + 'static>(all: &'static [T]) -> impl Strategy<Value = T> {
    select(all)
}

/// A contract word, or one an agreement declares.
fn named<T: Vocabulary>(all: &'static [T]) -> impl Strategy<Value = Named<T>> {
    prop_oneof![
        select(all).prop_map(Named::Core),
        "[a-z_]{1,10}".prop_map(|w| Named::parse(&w).unwrap()),
    ]
}

fn country() -> impl Strategy<Value = Country> {
    "[A-Z]{2}".prop_map(|s| Country::parse(&s).unwrap())
}

fn count() -> impl Strategy<Value = i64> {
    prop_oneof![0..=i64::MAX, 0..=10_000i64]
}

fn account() -> impl Strategy<Value = Event> {
    (
        (
            id(AccountId::parse),
            text(),
            "[a-z0-9]([a-z0-9-]{0,8}[a-z0-9])?\\.(com|co\\.uk)",
        ),
        (
            word(Industry::ALL),
            proptest::option::of(count()),
            proptest::option::of(money(0)),
        ),
        (country(), word(Region::ALL), word(Tier::ALL)),
        (proptest::option::of(id(RepId::parse)), time()),
    )
        .prop_map(
            |(
                (id, name, domain),
                (industry, employees, revenue),
                (country, region, tier),
                (owner, at),
            )| {
                Event::AccountRecorded(Account {
                    id,
                    name,
                    domain: Domain::parse(&domain).unwrap(),
                    industry,
                    employees,
                    annual_revenue: revenue,
                    country,
                    region,
                    tier,
                    owner_rep: owner,
                    created_at: at,
                })
            },
        )
}

fn rep() -> impl Strategy<Value = Event> {
    (
        (id(RepId::parse), text(), email()),
        (
            word(Team::ALL),
            word(Region::ALL),
            proptest::option::of(word(Industry::ALL)),
        ),
        (proptest::option::of(id(RepId::parse)), any::<u32>(), time()),
    )
        .prop_map(
            |((id, name, email), (team, region, vertical), (manager, capacity, at))| {
                Event::RepRecorded(Rep {
                    id,
                    name,
                    email,
                    team,
                    region,
                    vertical,
                    manager,
                    capacity_per_day: capacity,
                    hired_at: at,
                })
            },
        )
}

fn campaign() -> impl Strategy<Value = Event> {
    (
        id(CampaignId::parse),
        text(),
        word(Channel::ALL),
        time(),
        proptest::option::of(time()),
        money(0),
    )
        .prop_map(|(id, name, channel, started_at, ended_at, cost)| {
            Event::CampaignRecorded(Campaign {
                id,
                name,
                channel,
                started_at,
                ended_at,
                cost,
            })
        })
}

fn content() -> impl Strategy<Value = Event> {
    (
        (
            id(ContentId::parse),
            text(),
            word(ContentKind::ALL),
            named(Persona::ALL),
        ),
        (word(JourneyStage::ALL), time(), word(OwnerTeam::ALL)),
    )
        .prop_map(
            |((id, title, kind, persona), (journey_stage, published_at, owner_team))| {
                Event::ContentPublished(Content {
                    id,
                    title,
                    kind,
                    persona,
                    journey_stage,
                    published_at,
                    owner_team,
                })
            },
        )
}

fn target() -> impl Strategy<Value = Event> {
    (word(Region::ALL), 1000i32..=9999, 1u32..=12, any::<u32>()).prop_map(|(region, y, m, n)| {
        Event::TargetSet(Target {
            region,
            month: Month::from_year_month(y, m).unwrap(),
            mql_target: n,
        })
    })
}

fn lead() -> impl Strategy<Value = Event> {
    use proptest::option::of;
    (
        (id(LeadId::parse), email(), of(text()), of(text())),
        (
            word(Seniority::ALL),
            of(named(Persona::ALL)),
            of(text()),
            of(text()),
        ),
        (
            of(count()),
            of(word(Industry::ALL)),
            country(),
            word(Region::ALL),
        ),
        (
            word(Channel::ALL),
            of(id(CampaignId::parse)),
            time(),
            of(id(AccountId::parse)),
        ),
    )
        .prop_map(
            |(
                (id, email, full_name, title),
                (seniority, persona, company_name, website),
                (employees_reported, industry_reported, country, region),
                (source_channel, source_campaign, created_at, account),
            )| {
                Event::LeadCreated(Lead {
                    id,
                    email,
                    full_name,
                    title,
                    seniority,
                    persona,
                    company_name,
                    website,
                    employees_reported,
                    industry_reported,
                    country,
                    region,
                    source_channel,
                    source_campaign,
                    created_at,
                    account,
                })
            },
        )
}

fn touch() -> impl Strategy<Value = Event> {
    use proptest::option::of;
    (
        (
            id(TouchId::parse),
            id(LeadId::parse),
            time(),
            word(TouchKind::ALL),
        ),
        (
            word(Channel::ALL),
            of(word(Channel::ALL)),
            of(id(CampaignId::parse)),
            of(id(ContentId::parse)),
        ),
        (id(RepId::parse), of(id(RepId::parse))),
    )
        .prop_map(
            |(
                (id, lead, occurred_at, kind),
                (channel, any_channel, campaign, content),
                (rep, any_rep),
            )| {
                // A sales touch names its rep, a marketing touch its channel.
                let (channel, rep) = if kind.is_sales() {
                    (any_channel, Some(rep))
                } else {
                    (Some(channel), any_rep)
                };
                Event::Touched(Touch {
                    id,
                    lead,
                    occurred_at,
                    kind,
                    channel,
                    campaign,
                    content,
                    rep,
                })
            },
        )
}

fn transition() -> impl Strategy<Value = Event> {
    use proptest::option::of;
    (
        (
            id(TransitionId::parse),
            id(LeadId::parse),
            named(Stage::ALL),
            named(Stage::ALL),
        ),
        (
            time(),
            of(id(RepId::parse)),
            of(named(RejectionReason::ALL)),
        ),
    )
        .prop_map(|((id, lead, from, to), (occurred_at, rep, reason))| {
            Event::StageChanged(Transition {
                id,
                lead,
                from,
                to,
                occurred_at,
                rep,
                reason,
            })
        })
}

fn opportunity() -> impl Strategy<Value = Event> {
    (
        (
            id(OpportunityId::parse),
            id(AccountId::parse),
            proptest::option::of(id(LeadId::parse)),
        ),
        (
            id(RepId::parse),
            word(OpportunityKind::ALL),
            time(),
            money(1),
        ),
    )
        .prop_map(
            |((id, account, primary_lead), (owner_rep, kind, created_at, amount))| {
                Event::OpportunityCreated(Opportunity {
                    id,
                    account,
                    primary_lead,
                    owner_rep,
                    kind,
                    created_at,
                    amount,
                })
            },
        )
}

fn closed() -> impl Strategy<Value = Event> {
    (
        id(OpportunityId::parse),
        any::<bool>(),
        time(),
        proptest::option::of(text()),
    )
        .prop_map(|(id, won, closed_at, lost_reason)| {
            Event::OpportunityClosed(OpportunityClosed {
                id,
                won: if won { WonOrLost::Won } else { WonOrLost::Lost },
                closed_at,
                lost_reason,
            })
        })
}

fn away() -> impl Strategy<Value = Event> {
    (decision_id(), id(RepId::parse), time(), 0i64..10_000_000).prop_map(
        |(id, rep, from, length)| {
            let until =
                Timestamp::from_unix_seconds((from.unix_seconds() + length).min(253_402_300_799));
            Event::RepAway(Away {
                id,
                rep,
                from,
                until,
            })
        },
    )
}

fn adoption() -> impl Strategy<Value = Event> {
    (
        any::<u32>(),
        "[0-9a-f]{64}",
        "(?s).{0,300}",
        time(),
        proptest::option::of(text()),
    )
        .prop_map(|(version, digest, text, adopted_at, by)| {
            Event::AgreementAdopted(Adoption {
                version,
                digest: Text::parse(&digest).unwrap(),
                text: Document::parse(&text).unwrap(),
                adopted_at,
                by,
            })
        })
}

fn model_adoption() -> impl Strategy<Value = Event> {
    (
        (any::<u32>(), any::<u32>()),
        "[0-9a-f]{64}",
        "(?s).{0,300}",
        time(),
        proptest::option::of(text()),
    )
        .prop_map(
            |((number, model_version), digest, artifact, adopted_at, by)| {
                Event::ModelAdopted(ModelAdoption {
                    number,
                    model_version,
                    digest: Text::parse(&digest).unwrap(),
                    artifact: Document::parse(&artifact).unwrap(),
                    adopted_at,
                    by,
                })
            },
        )
}

fn assignment() -> impl Strategy<Value = Event> {
    use proptest::collection::vec;
    let exclusion = select(
        &[
            Exclusion::AtCapacity,
            Exclusion::OutsideHours,
            Exclusion::Away,
        ][..],
    );
    let tried = (
        text(),
        any::<u32>(),
        vec((id(RepId::parse), exclusion), 0..4),
    )
        .prop_map(|(rule, matched, ex)| RuleTried {
            rule,
            matched,
            excluded: ex
                .into_iter()
                .map(|(rep, why)| Excluded { rep, why })
                .collect(),
        });
    (
        (
            decision_id(),
            id(LeadId::parse),
            proptest::option::of(id(RepId::parse)),
        ),
        (
            proptest::option::of(text()),
            time(),
            vec(tried, 0..4),
            vec(id(RepId::parse), 0..5),
        ),
    )
        .prop_map(|((id, lead, rep), (rule, assigned_at, tried, eligible))| {
            Event::OwnerAssigned(Assignment {
                id,
                lead,
                rep,
                rule,
                assigned_at,
                tried,
                eligible,
            })
        })
}

fn matched() -> impl Strategy<Value = Event> {
    let how = select(
        &[
            MatchedBy::EmailDomain,
            MatchedBy::Website,
            MatchedBy::CompanyName,
        ][..],
    );
    (
        id(LeadId::parse),
        id(AccountId::parse),
        any::<u32>(),
        how,
        text(),
        time(),
    )
        .prop_map(|(lead, account, confidence, how, evidence, matched_at)| {
            Event::AccountMatched(AccountMatch {
                lead,
                account,
                confidence,
                how,
                evidence,
                matched_at,
            })
        })
}

/// An event of a kind that comes from outside, with no engine id.
pub fn input_event() -> impl Strategy<Value = Event> {
    prop_oneof![
        account(),
        rep(),
        campaign(),
        content(),
        target(),
        lead(),
        touch(),
        transition(),
        opportunity(),
        closed(),
        away().prop_filter("an engine id", |e| !e.id().starts_with('~')),
    ]
}

fn month() -> impl Strategy<Value = Month> {
    (1000i32..=9999, 1u32..=12).prop_map(|(y, m)| Month::from_year_month(y, m).unwrap())
}

/// The SLA's decisions: breaches, misses, escalations.
fn sla() -> impl Strategy<Value = Event> {
    use accord_core::agreement::{Role, Trigger};
    use proptest::option::of;
    let breach = (
        decision_id(),
        id(LeadId::parse),
        id(TransitionId::parse),
        select(&SlaClock::ALL[..]),
        of(id(RepId::parse)),
        time(),
    )
        .prop_map(|(id, lead, entry, clock, rep, due)| {
            Event::ClockBreached(ClockBreach {
                id,
                lead,
                entry,
                clock,
                rep,
                due,
            })
        });
    let miss = (
        decision_id(),
        word(Region::ALL),
        month(),
        any::<u32>(),
        any::<u32>(),
        time(),
        any::<bool>(),
    )
        .prop_map(|(id, region, month, a, b, judged_at, target)| {
            if target {
                Event::MqlTargetMissed(TargetMiss {
                    id,
                    region,
                    month,
                    target: a,
                    mqls: b,
                    judged_at,
                })
            } else {
                Event::AcceptanceMissed(AcceptanceMiss {
                    id,
                    region,
                    month,
                    accepted: a,
                    decided: b,
                    judged_at,
                })
            }
        });
    let escalation = (
        (decision_id(), text(), select(Trigger::ALL), text()),
        (of(id(LeadId::parse)), of(word(Region::ALL)), of(month())),
        (select(Role::ALL), of(id(RepId::parse)), time()),
    )
        .prop_map(
            |((id, step, on, cause), (lead, region, month), (notify, person, at))| {
                Event::Escalated(Escalation {
                    id,
                    step,
                    on,
                    cause,
                    lead,
                    region,
                    month,
                    notify,
                    person,
                    at,
                })
            },
        );
    prop_oneof![breach, miss, escalation]
}

/// An event of any kind, the engine's decisions too.
pub fn any_event() -> impl Strategy<Value = Event> {
    prop_oneof![
        4 => input_event(),
        1 => adoption(),
        1 => model_adoption(),
        1 => assignment(),
        1 => matched(),
        1 => away(),
        1 => sla(),
    ]
}

pub fn any_origin() -> impl Strategy<Value = Origin> {
    prop_oneof![
        Just(Origin::Imported),
        Just(Origin::Ingested),
        any::<u32>().prop_map(|agreement| Origin::Engine { agreement }),
        proptest::option::of(text()).prop_map(|by| Origin::Person { by }),
    ]
}
