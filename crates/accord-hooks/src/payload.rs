//! What a delivery's body says: accord's JSON, or Slack's incoming-webhook
//! JSON (`{"text": …}`), built once when the event is fanned out (every
//! retry sends the same bytes).

use accord_core::domain::{Channel, Timestamp};
use accord_core::event::{Event, Lead, Opportunity, Origin};
use serde_json::{json, Map, Value};

use crate::kind::Kind;

/// A payload format.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Format {
    /// accord's JSON (see docs/webhooks.md).
    Json,
    /// Slack's incoming webhook: `{"text": "<a sentence>"}`.
    Slack,
}

impl Format {
    pub fn as_str(self) -> &'static str {
        match self {
            Format::Json => "json",
            Format::Slack => "slack",
        }
    }

    pub fn from_name(name: &str) -> Option<Format> {
        [Format::Json, Format::Slack]
            .into_iter()
            .find(|f| f.as_str() == name)
    }
}

/// A won deal's shared credit, looked up in the log: the opportunity (its
/// owner is sales' credit, as in the leaderboard) and its primary lead
/// (marketing's: the deal is marketing-sourced when that lead's channel is
/// not `outbound`, as in the kpi report).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Credit {
    pub opportunity: Opportunity,
    pub lead: Option<Lead>,
}

/// One log event made ready to deliver.
#[derive(Clone, Debug, PartialEq)]
pub struct Hooked {
    pub kind: Kind,
    /// The log event's key, `<kind>:<id>` (`stage_changed:S1`).
    pub event_id: String,
    /// What orders deliveries: the lead's id, else the opportunity's, else the event's.
    pub order_key: String,
    /// accord's JSON payload.
    pub json: Value,
    /// The Slack sentence.
    pub text: String,
}

impl Hooked {
    /// The body in a format.
    pub fn body(&self, format: Format) -> Vec<u8> {
        let value = match format {
            Format::Json => self.json.clone(),
            Format::Slack => json!({ "text": self.text }),
        };
        serde_json::to_vec(&value).expect("a JSON value serialises")
    }
}

fn opt<T: ToString>(v: &Option<T>) -> Value {
    v.as_ref()
        .map_or(Value::Null, |v| Value::String(v.to_string()))
}

fn owner(rep: &Option<impl ToString>) -> String {
    rep.as_ref().map_or_else(
        || "no owner".to_string(),
        |r| format!("owner {}", r.to_string()),
    )
}

/// The webhook form of a log event of kind `kind` (see [`crate::classify`]);
/// `credit` for a won deal (`None`: its opportunity is not in the log).
pub fn hooked(
    kind: Kind,
    origin: &Origin,
    event: &Event,
    credit: Option<&Credit>,
) -> Option<Hooked> {
    let mut event_id = format!("{}:", event.kind());
    event.write_id(&mut event_id);
    let (at, order_key, data, text): (Timestamp, String, Value, String) = match event {
        Event::StageChanged(t) => {
            let data = json!({
                "lead_id": t.lead.as_str(),
                "transition_id": t.id.as_str(),
                "from_stage": t.from.as_str(),
                "to_stage": t.to.as_str(),
                "rep_id": opt(&t.rep),
                "reason": opt(&t.reason),
            });
            let text = match kind {
                Kind::LeadMql => format!(
                    "Lead {} is an MQL ({}) at {}.",
                    t.lead,
                    t.rep.as_ref().map_or_else(
                        || "not routed yet".to_string(),
                        |r| format!("routed to {r}")
                    ),
                    t.occurred_at
                ),
                Kind::LeadAccepted => format!(
                    "Lead {} was accepted by {} at {}.",
                    t.lead,
                    opt(&t.rep).as_str().unwrap_or("sales"),
                    t.occurred_at
                ),
                _ => format!(
                    "Lead {} was rejected by {} ({}, reason: {}) at {}.",
                    t.lead,
                    opt(&t.rep).as_str().unwrap_or("sales"),
                    t.to,
                    t.reason.as_ref().map_or("none given", |r| r.as_str()),
                    t.occurred_at
                ),
            };
            (t.occurred_at, t.lead.to_string(), data, text)
        }
        Event::OwnerAssigned(a) => {
            let data = json!({
                "lead_id": a.lead.as_str(),
                "rep_id": opt(&a.rep),
                "rule": opt(&a.rule),
                "by": if a.rule.is_some() { "rule" } else { "reassignment" },
            });
            let text = match (&a.rep, &a.rule) {
                (Some(rep), Some(rule)) => {
                    format!(
                        "Lead {} was routed to {rep} by rule {rule} at {}.",
                        a.lead, a.assigned_at
                    )
                }
                (Some(rep), None) => {
                    format!(
                        "Lead {} was reassigned to {rep} at {}.",
                        a.lead, a.assigned_at
                    )
                }
                (None, _) => format!(
                    "Lead {} is waiting: no rep could take it at {}.",
                    a.lead, a.assigned_at
                ),
            };
            (a.assigned_at, a.lead.to_string(), data, text)
        }
        Event::ClockBreached(b) => {
            let data = json!({
                "lead_id": b.lead.as_str(),
                "clock": b.clock.as_str(),
                "rep_id": opt(&b.rep),
                "due": b.due.to_string(),
                "mql_transition_id": b.entry.as_str(),
            });
            let what = match b.clock {
                accord_core::event::SlaClock::FollowUp => "follow-up",
                accord_core::event::SlaClock::Decide => "accept-or-reject",
            };
            let text = format!(
                "SLA breached: lead {} ({}) was not given its {what} in time; the clock ran out at {}.",
                b.lead,
                owner(&b.rep),
                b.due
            );
            (b.due, b.lead.to_string(), data, text)
        }
        Event::Escalated(e) => {
            let data = json!({
                "step": e.step.as_str(),
                "on": e.on.as_str(),
                "cause": e.cause.as_str(),
                "lead_id": opt(&e.lead),
                "region": opt(&e.region),
                "month": opt(&e.month),
                "notify": e.notify.as_str(),
                "person": opt(&e.person),
            });
            let about = match (&e.lead, &e.region, &e.month) {
                (Some(lead), _, _) => format!("lead {lead}"),
                (None, Some(region), Some(month)) => format!("{region} in {month}"),
                _ => format!("{}", e.cause),
            };
            let text = format!(
                "Escalated ({}): {} about {about} after {}; notify {}{}.",
                e.step,
                e.on,
                e.cause,
                e.notify,
                e.person
                    .as_ref()
                    .map(|p| format!(" ({p})"))
                    .unwrap_or_default()
            );
            let key = e
                .lead
                .as_ref()
                .map_or_else(|| event_id.clone(), |l| l.to_string());
            (e.at, key, data, text)
        }
        Event::OpportunityClosed(c) => {
            let mut data = Map::new();
            data.insert("opportunity_id".into(), c.id.as_str().into());
            data.insert("closed_at".into(), c.closed_at.to_string().into());
            let mut key = c.id.to_string();
            let text;
            match credit {
                Some(Credit {
                    opportunity: o,
                    lead,
                }) => {
                    let sourced = lead
                        .as_ref()
                        .is_some_and(|l| l.source_channel != Channel::Outbound);
                    data.insert("account_id".into(), o.account.as_str().into());
                    data.insert("kind".into(), o.kind.as_str().into());
                    data.insert("amount".into(), o.amount.to_string().into());
                    data.insert("amount_cents".into(), o.amount.cents().into());
                    data.insert(
                        "credit".into(),
                        json!({
                            "sales": { "rep_id": o.owner_rep.as_str() },
                            "marketing": {
                                "sourced": sourced,
                                "primary_lead_id": opt(&o.primary_lead),
                                "source_channel": lead.as_ref().map(|l| l.source_channel.as_str()),
                                "source_campaign_id": lead.as_ref().map_or(Value::Null, |l| opt(&l.source_campaign)),
                            }
                        }),
                    );
                    if let Some(l) = &o.primary_lead {
                        key = l.to_string();
                    }
                    let marketing = match lead {
                        Some(l) if sourced => format!(
                            "marketing, which sourced lead {} through {}{}",
                            l.id,
                            l.source_channel,
                            l.source_campaign
                                .as_ref()
                                .map(|c| format!(" (campaign {c})"))
                                .unwrap_or_default()
                        ),
                        Some(l) => format!("sales' outbound, which sourced lead {}", l.id),
                        None => "no primary lead on record".to_string(),
                    };
                    text = format!(
                        "Deal won: opportunity {} ({}, account {}) for ${} closed at {}. Credit: {} (owner) and {marketing}.",
                        c.id, o.kind, o.account, o.amount, c.closed_at, o.owner_rep
                    );
                }
                None => {
                    text = format!("Deal won: opportunity {} closed at {}.", c.id, c.closed_at);
                }
            }
            (c.closed_at, key, Value::Object(data), text)
        }
        _ => return None,
    };
    let json = json!({
        "type": kind.as_str(),
        "event_id": event_id,
        "occurred_at": at.to_string(),
        "origin": origin.describe(),
        "data": data,
    });
    Some(Hooked {
        kind,
        event_id,
        order_key,
        json,
        text,
    })
}
