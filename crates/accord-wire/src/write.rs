//! An event and its origin → one line: `{"v":1,"type":…,"origin":…, fields}`,
//! the fields in the order of [`crate::schema`], every field written (an
//! absent optional value as `null`), money as a JSON number with two
//! decimals, times as `YYYY-MM-DDTHH:MM:SSZ` strings.

use std::fmt::Write as _;

use accord_core::domain::{Money, Timestamp};
use accord_core::event::*;

use crate::SCHEMA_VERSION;

/// Appends one line (no line break) for `event`, stored with `origin`.
/// Actions are never written: a person's action is stored, and exported,
/// as the event it made, with origin `Person`.
pub fn write_event(event: &Event, origin: &Origin, out: &mut String) {
    let _ = write!(
        out,
        "{{\"v\":{SCHEMA_VERSION},\"type\":\"{}\",\"origin\":",
        event.kind()
    );
    write_origin(origin, out);
    let mut w = Line { out };
    match event {
        Event::AccountRecorded(e) => {
            w.str("account_id", e.id.as_str());
            w.str("name", e.name.as_str());
            w.str("domain", e.domain.as_str());
            w.str("industry", e.industry.as_str());
            w.int("employees", e.employees);
            w.money("annual_revenue_usd", e.annual_revenue);
            w.str("country", e.country.as_str());
            w.str("region", e.region.as_str());
            w.str("tier", e.tier.as_str());
            w.opt("owner_rep_id", e.owner_rep.as_ref().map(|r| r.as_str()));
            w.time("created_at", e.created_at);
        }
        Event::RepRecorded(e) => {
            w.str("rep_id", e.id.as_str());
            w.str("name", e.name.as_str());
            w.str("email", e.email.as_str());
            w.str("team", e.team.as_str());
            w.str("region", e.region.as_str());
            w.opt("vertical", e.vertical.map(|v| v.as_str()));
            w.opt("manager_id", e.manager.as_ref().map(|r| r.as_str()));
            w.int("capacity_per_day", Some(e.capacity_per_day));
            w.time("hired_at", e.hired_at);
        }
        Event::CampaignRecorded(e) => {
            w.str("campaign_id", e.id.as_str());
            w.str("name", e.name.as_str());
            w.str("channel", e.channel.as_str());
            w.time("started_at", e.started_at);
            w.opt_time("ended_at", e.ended_at);
            w.money("cost_usd", Some(e.cost));
        }
        Event::ContentPublished(e) => {
            w.str("content_id", e.id.as_str());
            w.str("title", e.title.as_str());
            w.str("kind", e.kind.as_str());
            w.str("persona", e.persona.as_str());
            w.str("journey_stage", e.journey_stage.as_str());
            w.time("published_at", e.published_at);
            w.str("owner_team", e.owner_team.as_str());
        }
        Event::TargetSet(e) => {
            w.str("region", e.region.as_str());
            w.str("month", &e.month.to_string());
            w.int("mql_target", Some(e.mql_target));
        }
        Event::LeadCreated(e) => {
            w.str("lead_id", e.id.as_str());
            w.str("email", e.email.as_str());
            w.opt("full_name", e.full_name.as_ref().map(|t| t.as_str()));
            w.opt("title", e.title.as_ref().map(|t| t.as_str()));
            w.str("seniority", e.seniority.as_str());
            w.opt("persona", e.persona.as_ref().map(|p| p.as_str()));
            w.opt("company_name", e.company_name.as_ref().map(|t| t.as_str()));
            w.opt("website", e.website.as_ref().map(|t| t.as_str()));
            w.int("employees_reported", e.employees_reported);
            w.opt("industry_reported", e.industry_reported.map(|i| i.as_str()));
            w.str("country", e.country.as_str());
            w.str("region", e.region.as_str());
            w.str("source_channel", e.source_channel.as_str());
            w.opt(
                "source_campaign_id",
                e.source_campaign.as_ref().map(|c| c.as_str()),
            );
            w.time("created_at", e.created_at);
            w.opt("account_id", e.account.as_ref().map(|a| a.as_str()));
        }
        Event::Touched(e) => {
            w.str("touch_id", e.id.as_str());
            w.str("lead_id", e.lead.as_str());
            w.time("occurred_at", e.occurred_at);
            w.str("kind", e.kind.as_str());
            w.opt("channel", e.channel.map(|c| c.as_str()));
            w.opt("campaign_id", e.campaign.as_ref().map(|c| c.as_str()));
            w.opt("content_id", e.content.as_ref().map(|c| c.as_str()));
            w.opt("rep_id", e.rep.as_ref().map(|r| r.as_str()));
        }
        Event::StageChanged(e) => {
            w.str("transition_id", e.id.as_str());
            w.str("lead_id", e.lead.as_str());
            w.str("from_stage", e.from.as_str());
            w.str("to_stage", e.to.as_str());
            w.time("occurred_at", e.occurred_at);
            w.opt("rep_id", e.rep.as_ref().map(|r| r.as_str()));
            w.opt("reason", e.reason.as_ref().map(|r| r.as_str()));
        }
        Event::OpportunityCreated(e) => {
            w.str("opportunity_id", e.id.as_str());
            w.str("account_id", e.account.as_str());
            w.opt(
                "primary_lead_id",
                e.primary_lead.as_ref().map(|l| l.as_str()),
            );
            w.str("owner_rep_id", e.owner_rep.as_str());
            w.str("kind", e.kind.as_str());
            w.time("created_at", e.created_at);
            w.money("amount_usd", Some(e.amount));
        }
        Event::OpportunityClosed(e) => {
            w.str("opportunity_id", e.id.as_str());
            w.str(
                "stage",
                match e.won {
                    WonOrLost::Won => "won",
                    WonOrLost::Lost => "lost",
                },
            );
            w.time("closed_at", e.closed_at);
            w.opt("lost_reason", e.lost_reason.as_ref().map(|t| t.as_str()));
        }
        Event::AgreementAdopted(e) => {
            w.int("version", Some(e.version));
            w.str("digest", e.digest.as_str());
            w.str("text", e.text.as_str());
            w.time("adopted_at", e.adopted_at);
            w.opt("by", e.by.as_ref().map(|t| t.as_str()));
        }
        Event::ModelAdopted(e) => {
            w.int("number", Some(e.number));
            w.int("model_version", Some(e.model_version));
            w.str("digest", e.digest.as_str());
            w.str("artifact", e.artifact.as_str());
            w.time("adopted_at", e.adopted_at);
            w.opt("by", e.by.as_ref().map(|t| t.as_str()));
        }
        Event::OwnerAssigned(e) => {
            w.str("assignment_id", e.id.as_str());
            w.str("lead_id", e.lead.as_str());
            w.opt("rep_id", e.rep.as_ref().map(|r| r.as_str()));
            w.opt("rule", e.rule.as_ref().map(|t| t.as_str()));
            w.time("assigned_at", e.assigned_at);
            w.key("tried");
            w.out.push('[');
            for (i, t) in e.tried.iter().enumerate() {
                if i > 0 {
                    w.out.push(',');
                }
                w.out.push_str("{\"rule\":");
                push_json_str(w.out, t.rule.as_str());
                let _ = write!(w.out, ",\"matched\":{},\"excluded\":[", t.matched);
                for (j, x) in t.excluded.iter().enumerate() {
                    if j > 0 {
                        w.out.push(',');
                    }
                    w.out.push_str("{\"rep_id\":");
                    push_json_str(w.out, x.rep.as_str());
                    let _ = write!(w.out, ",\"why\":\"{}\"}}", x.why.as_str());
                }
                w.out.push_str("]}");
            }
            w.out.push(']');
            w.key("eligible");
            w.out.push('[');
            for (i, r) in e.eligible.iter().enumerate() {
                if i > 0 {
                    w.out.push(',');
                }
                push_json_str(w.out, r.as_str());
            }
            w.out.push(']');
        }
        Event::AccountMatched(e) => {
            w.str("lead_id", e.lead.as_str());
            w.str("account_id", e.account.as_str());
            w.int("confidence", Some(e.confidence));
            w.str("how", e.how.as_str());
            w.str("evidence", e.evidence.as_str());
            w.time("matched_at", e.matched_at);
        }
        Event::RepAway(e) => {
            w.str("away_id", e.id.as_str());
            w.str("rep_id", e.rep.as_str());
            w.time("from", e.from);
            w.time("until", e.until);
        }
        Event::ClockBreached(e) => {
            w.str("breach_id", e.id.as_str());
            w.str("lead_id", e.lead.as_str());
            w.str("entry_id", e.entry.as_str());
            w.str("clock", e.clock.as_str());
            w.opt("rep_id", e.rep.as_ref().map(|r| r.as_str()));
            w.time("due", e.due);
        }
        Event::MqlTargetMissed(e) => {
            w.str("miss_id", e.id.as_str());
            w.str("region", e.region.as_str());
            w.str("month", &e.month.to_string());
            w.int("mql_target", Some(e.target));
            w.int("mqls", Some(e.mqls));
            w.time("judged_at", e.judged_at);
        }
        Event::AcceptanceMissed(e) => {
            w.str("miss_id", e.id.as_str());
            w.str("region", e.region.as_str());
            w.str("month", &e.month.to_string());
            w.int("accepted", Some(e.accepted));
            w.int("decided", Some(e.decided));
            w.time("judged_at", e.judged_at);
        }
        Event::Escalated(e) => {
            w.str("escalation_id", e.id.as_str());
            w.str("step", e.step.as_str());
            w.str("on", e.on.as_str());
            w.str("cause", e.cause.as_str());
            w.opt("lead_id", e.lead.as_ref().map(|l| l.as_str()));
            w.opt("region", e.region.map(|r| r.as_str()));
            let month = e.month.map(|m| m.to_string());
            w.opt("month", month.as_deref());
            w.str("notify", e.notify.as_str());
            w.opt("person", e.person.as_ref().map(|r| r.as_str()));
            w.time("at", e.at);
        }
    }
    w.out.push('}');
}

/// Appends an origin's wire form: `"imported"`, `"ingested"`,
/// `{"engine":3}`, `{"person":"R0001"}` or `{"person":null}`.
pub fn write_origin(origin: &Origin, out: &mut String) {
    match origin {
        Origin::Imported => out.push_str("\"imported\""),
        Origin::Ingested => out.push_str("\"ingested\""),
        Origin::Engine { agreement } => {
            let _ = write!(out, "{{\"engine\":{agreement}}}");
        }
        Origin::Person { by } => {
            out.push_str("{\"person\":");
            match by {
                Some(by) => push_json_str(out, by.as_str()),
                None => out.push_str("null"),
            }
            out.push('}');
        }
    }
}

/// The fields after the header, each preceded by a comma.
struct Line<'o> {
    out: &'o mut String,
}

impl Line<'_> {
    fn key(&mut self, name: &str) {
        self.out.push_str(",\"");
        self.out.push_str(name);
        self.out.push_str("\":");
    }

    fn str(&mut self, name: &str, value: &str) {
        self.key(name);
        push_json_str(self.out, value);
    }

    fn opt(&mut self, name: &str, value: Option<&str>) {
        match value {
            Some(v) => self.str(name, v),
            None => self.null(name),
        }
    }

    fn null(&mut self, name: &str) {
        self.key(name);
        self.out.push_str("null");
    }

    fn int(&mut self, name: &str, value: Option<impl std::fmt::Display>) {
        match value {
            Some(v) => {
                self.key(name);
                let _ = write!(self.out, "{v}");
            }
            None => self.null(name),
        }
    }

    /// Dollars with two decimals, as a JSON number (`1234.50`).
    fn money(&mut self, name: &str, value: Option<Money>) {
        self.int(name, value);
    }

    fn time(&mut self, name: &str, value: Timestamp) {
        self.key(name);
        let _ = write!(self.out, "\"{value}\"");
    }

    fn opt_time(&mut self, name: &str, value: Option<Timestamp>) {
        match value {
            Some(t) => self.time(name, t),
            None => self.null(name),
        }
    }
}

/// Appends `s` as a JSON string. Control characters (C0, DEL and C1) are
/// escaped as `\uXXXX`, so an exported line is safe on a terminal.
fn push_json_str(out: &mut String, s: &str) {
    out.push('"');
    let plain = |b: u8| (0x20..0x7f).contains(&b) && b != b'"' && b != b'\\';
    if s.bytes().all(plain) {
        out.push_str(s);
    } else {
        for c in s.chars() {
            match c {
                '"' => out.push_str("\\\""),
                '\\' => out.push_str("\\\\"),
                '\n' => out.push_str("\\n"),
                '\r' => out.push_str("\\r"),
                '\t' => out.push_str("\\t"),
                c if c.is_control() => {
                    let _ = write!(out, "\\u{:04x}", c as u32);
                }
                c => out.push(c),
            }
        }
    }
    out.push('"');
}
