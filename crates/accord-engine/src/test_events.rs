//! The events this crate's test modules build, defined once: plain bases
//! that a test adjusts with struct update syntax
//! (`Lead { employees_reported: Some(40), ..lead(id, s) }`).

use accord_core::domain::*;
use accord_core::event::{Event, Lead, Touch, Transition};

/// 2025-04-01T00:00:00Z, a Tuesday.
pub const T0: i64 = 1_743_465_600;
pub const DAY: i64 = 86_400;

/// `s` seconds after [`T0`].
pub fn at(s: i64) -> Timestamp {
    Timestamp::from_unix_seconds(T0 + s)
}

/// A manager in GB (EMEA) from paid search, mailing from
/// `ana@example.com`, nothing optional.
pub fn lead(id: &str, s: i64) -> Lead {
    Lead {
        id: LeadId::parse(id).unwrap(),
        email: Email::parse("ana@example.com").unwrap(),
        full_name: None,
        title: None,
        seniority: Seniority::Manager,
        persona: None,
        company_name: None,
        website: None,
        employees_reported: None,
        industry_reported: None,
        country: Country::parse("GB").unwrap(),
        region: Region::Emea,
        source_channel: Channel::PaidSearch,
        source_campaign: None,
        created_at: at(s),
        account: None,
    }
}

/// A touch of `kind` by the direct channel, of no campaign, content or rep.
pub fn touch(id: &str, lead: &str, s: i64, kind: TouchKind) -> Touch {
    Touch {
        id: TouchId::parse(id).unwrap(),
        lead: LeadId::parse(lead).unwrap(),
        occurred_at: at(s),
        kind,
        channel: Some(Channel::Direct),
        campaign: None,
        content: None,
        rep: None,
    }
}

/// A stage change of `lead` from `from` into `to`, by no rep, for no reason.
pub fn moved(id: &str, lead: &str, s: i64, from: &str, to: &str) -> Transition {
    Transition {
        id: TransitionId::parse(id).unwrap(),
        lead: LeadId::parse(lead).unwrap(),
        from: Named::parse(from).unwrap(),
        to: Named::parse(to).unwrap(),
        occurred_at: at(s),
        rep: None,
        reason: None,
    }
}

/// A payload made the event that carries it: `lead(..).event()`.
pub trait IntoEvent {
    fn event(self) -> Event;
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

impl IntoEvent for Transition {
    fn event(self) -> Event {
        Event::StageChanged(self)
    }
}
