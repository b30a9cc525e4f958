//! The events this crate's test modules build, defined once: plain bases
//! that a test adjusts with struct update syntax
//! (`Lead { seniority: Seniority::Vp, ..lead(id, t) }`), and `ingest`.

use accord_core::domain::*;
use accord_core::event::*;

use crate::{Decided, Engine};

pub const H: i64 = 3_600;
pub const DAY: i64 = 86_400;
/// 2026-01-05T10:00:00Z, a Monday.
pub const T0: i64 = 1_767_607_200;

pub fn at(t: i64) -> Timestamp {
    Timestamp::from_unix_seconds(t)
}

/// A plain lead: an individual in the US (NA) from organic search, mailing
/// from `<id>@mail.example`, nothing optional: the starter's fit is 0.
pub fn lead(id: &str, t: i64) -> Lead {
    Lead {
        id: LeadId::parse(id).unwrap(),
        email: Email::parse(&format!("{}@mail.example", id.to_lowercase())).unwrap(),
        full_name: None,
        title: None,
        seniority: Seniority::Individual,
        persona: None,
        company_name: None,
        website: None,
        employees_reported: None,
        industry_reported: None,
        country: Country::parse("US").unwrap(),
        region: Region::Na,
        source_channel: Channel::OrganicSearch,
        source_campaign: None,
        created_at: at(t),
        account: None,
    }
}

/// A VP at a 500-person software company: the starter's fit is
/// 20 + 15 + 10 = 45.
pub fn vp_lead(id: &str, t: i64) -> Lead {
    Lead {
        title: Some(Text::parse("VP Operations").unwrap()),
        seniority: Seniority::Vp,
        employees_reported: Some(500),
        industry_reported: Some(Industry::Software),
        ..lead(id, t)
    }
}

/// A touch of `kind` by the direct channel, of no campaign, content or rep.
pub fn touch(id: &str, lead: &str, kind: TouchKind, t: i64) -> Touch {
    Touch {
        id: TouchId::parse(id).unwrap(),
        lead: LeadId::parse(lead).unwrap(),
        occurred_at: at(t),
        kind,
        channel: Some(Channel::Direct),
        campaign: None,
        content: None,
        rep: None,
    }
}

/// An SDR in NA named `Rep <id>`, of no vertical or manager, 10 leads a
/// day, hired at the epoch.
pub fn rep(id: &str) -> Rep {
    Rep {
        id: RepId::parse(id).unwrap(),
        name: Text::parse(&format!("Rep {id}")).unwrap(),
        email: Email::parse(&format!("{}@seller.example", id.to_lowercase())).unwrap(),
        team: Team::Sdr,
        region: Region::Na,
        vertical: None,
        manager: None,
        capacity_per_day: 10,
        hired_at: at(0),
    }
}

/// Northwind: an 800-person enterprise software account in the US (NA),
/// recorded at the epoch.
pub fn account(id: &str, domain: &str, owner: Option<&str>) -> Account {
    Account {
        id: AccountId::parse(id).unwrap(),
        name: Text::parse("Northwind").unwrap(),
        domain: Domain::parse(domain).unwrap(),
        industry: Industry::Software,
        employees: Some(800),
        annual_revenue: None,
        country: Country::parse("US").unwrap(),
        region: Region::Na,
        tier: Tier::Enterprise,
        owner_rep: owner.map(|o| RepId::parse(o).unwrap()),
        created_at: at(0),
    }
}

/// A stage change of `lead` from `from` into `to`, by no rep, for no reason.
pub fn moved(id: &str, lead: &str, from: &str, to: &str, t: i64) -> Transition {
    Transition {
        id: TransitionId::parse(id).unwrap(),
        lead: LeadId::parse(lead).unwrap(),
        from: Named::parse(from).unwrap(),
        to: Named::parse(to).unwrap(),
        occurred_at: at(t),
        rep: None,
        reason: None,
    }
}

/// A payload made the event that carries it: `lead(..).event()`.
pub trait IntoEvent {
    fn event(self) -> Event;
}

impl IntoEvent for Event {
    fn event(self) -> Event {
        self
    }
}

impl IntoEvent for Lead {
    fn event(self) -> Event {
        Event::LeadCreated(self)
    }
}

impl IntoEvent for Touch {
    fn event(self) -> Event {
        Event::Touched(self)
    }
}

impl IntoEvent for Rep {
    fn event(self) -> Event {
        Event::RepRecorded(self)
    }
}

impl IntoEvent for Account {
    fn event(self) -> Event {
        Event::AccountRecorded(self)
    }
}

impl IntoEvent for Transition {
    fn event(self) -> Event {
        Event::StageChanged(self)
    }
}

/// Checks, applies and judges an input as ingest does; judging applies
/// the decisions it makes, which it returns.
pub fn ingest(e: &mut Engine, input: impl IntoEvent) -> Vec<Decided> {
    let event = input.event();
    e.check(&event).unwrap();
    e.apply(&event, &Origin::Ingested);
    e.judge(&event)
}
