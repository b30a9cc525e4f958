//! A line → an event or an action: the header (`v`, `type`, `origin`),
//! then the type's fields, each through the domain's parser. Rules of one
//! record that the CSV contract states (a sales touch names its rep, an
//! opportunity's amount is above 0, …) hold here too; rules across records
//! (does the lead exist, is the stage chain right) are the engine's.

use accord_core::action::{Action, Decision};
use accord_core::agreement::{Role, Trigger};
use accord_core::domain::*;
use accord_core::event::*;
use accord_core::expr::did_you_mean;

use crate::error::{shown, Problem, WireError};
use crate::fields::{read_raw, Fields, Raw};
use crate::schema::{LineType, EXCLUDED, HEADER, RULE_TRIED};
use crate::{Input, MAX_EXPORTED_LINE_BYTES, MAX_LINE_BYTES, SCHEMA_VERSION};

/// Reads one input line (without its line break): an event from outside or
/// a person's action. Refuses a line over [`MAX_LINE_BYTES`] unread, the
/// decision types (`agreement_adopted`, `owner_assigned`,
/// `account_matched`), ids starting with `~`, and any field the type does
/// not have. An `"origin"` is checked for its shape and ignored: the caller
/// decides where an input comes from.
pub fn parse_line(line: &str) -> Result<Input, WireError> {
    too_long(line, MAX_LINE_BYTES)?;
    let f = Fields::parse(line, String::new(), true)?;
    let (ty, _origin) = header(&f)?;
    if ty.is_decision() {
        return Err(WireError::at(
            "/type",
            Problem::Decision,
            format!(
                "`{}` is a decision, made by the engine (or a person's action) from the \
                 inputs: `accord export` writes it, but it is never an input",
                ty.name()
            ),
        ));
    }
    body(&f, ty)
}

/// Reads one line as `write_event` writes it: any event kind (the engine's
/// decisions too), ids starting with `~` allowed, `"origin"` required.
/// Actions are refused: they are stored as the events they make.
pub fn parse_exported(line: &str) -> Result<(Event, Origin), WireError> {
    too_long(line, MAX_EXPORTED_LINE_BYTES)?;
    let f = Fields::parse(line, String::new(), false)?;
    let (ty, origin) = header(&f)?;
    let origin = origin.ok_or_else(|| f.missing("origin"))?;
    match body(&f, ty)? {
        Input::Event(event) => Ok((event, origin)),
        Input::Action(_) => Err(WireError::at(
            "/type",
            Problem::UnknownType,
            format!(
                "`{}` is an action: an exported log holds the event it made instead",
                ty.name()
            ),
        )),
    }
}

fn too_long(line: &str, limit: usize) -> Result<(), WireError> {
    if line.len() > limit {
        return Err(WireError::line(
            Problem::TooLong,
            format!(
                "{} bytes, over the limit of {limit} bytes a line may hold",
                line.len()
            ),
        ));
    }
    Ok(())
}

/// `v` (1 or absent), `type`, and `origin`'s shape.
fn header(f: &Fields<'_>) -> Result<(LineType, Option<Origin>), WireError> {
    if let Some(v) = f.opt_number("v")? {
        if v != "1" {
            return Err(WireError::at(
                "/v",
                Problem::Version,
                format!(
                    "schema version {} is not one this accord reads (it reads version {SCHEMA_VERSION})",
                    shown(v)
                ),
            ));
        }
    }
    let name = f.opt_str("type")?.ok_or_else(|| f.missing("type"))?;
    let ty = LineType::parse(&name).ok_or_else(|| {
        let names = LineType::ALL.map(LineType::name);
        let hint = match did_you_mean(&name, names) {
            Some(near) => format!("did you mean `{near}`?"),
            None => format!("the types: {}", names.join(", ")),
        };
        WireError::at(
            "/type",
            Problem::UnknownType,
            format!("`{}` is not a type of line; {hint}", shown(&name)),
        )
    })?;
    Ok((ty, origin(f)?))
}

/// `"imported"`, `"ingested"`, `{"engine": N}` or `{"person": WHO}` (WHO a
/// string or null).
fn origin(f: &Fields<'_>) -> Result<Option<Origin>, WireError> {
    let Some(raw) = f.raw("origin") else {
        return Ok(None);
    };
    let bad = || {
        f.bad(
            "origin",
            format!(
                "expected \"imported\", \"ingested\", {{\"engine\": N}} or {{\"person\": WHO}}, got {}",
                shown(raw.get())
            ),
        )
    };
    match read_raw(raw).map_err(|_| bad())? {
        Raw::Str(s) if s == "imported" => Ok(Some(Origin::Imported)),
        Raw::Str(s) if s == "ingested" => Ok(Some(Origin::Ingested)),
        Raw::Other(text) if text.starts_with('{') => {
            let o = f.nested(raw, "/origin".into())?;
            o.check_names(&[&["engine", "person"]], &|| "an origin".into())?;
            match o.names().collect::<Vec<_>>()[..] {
                ["engine"] => Ok(Some(Origin::Engine {
                    agreement: o.count("engine")?,
                })),
                ["person"] => Ok(Some(Origin::Person {
                    by: o.opt("person", Text::parse)?,
                })),
                _ => Err(bad()),
            }
        }
        _ => Err(bad()),
    }
}

fn body(f: &Fields<'_>, ty: LineType) -> Result<Input, WireError> {
    f.check_names(&[&HEADER, ty.fields()], &|| {
        format!("a `{}` line", ty.name())
    })?;
    Ok(match ty {
        LineType::Event(kind) => Input::Event(event(f, kind)?),
        LineType::Accept => Input::Action(Action::Accept(decision(f)?)),
        LineType::Qualify => Input::Action(Action::Qualify(decision(f)?)),
        LineType::Reject => Input::Action(Action::Reject {
            decision: decision(f)?,
            reason: f.req("reason", Named::parse)?,
        }),
        LineType::Reassign => Input::Action(Action::Reassign {
            id: f.id("assignment_id", DecisionId::parse)?,
            lead: f.id("lead_id", LeadId::parse)?,
            rep: f.id("rep_id", RepId::parse)?,
            at: time(f, "occurred_at")?,
            by: f.opt("by", Text::parse)?,
        }),
    })
}

fn decision(f: &Fields<'_>) -> Result<Decision, WireError> {
    Ok(Decision {
        id: f.id("transition_id", TransitionId::parse)?,
        lead: f.id("lead_id", LeadId::parse)?,
        rep: f.id("rep_id", RepId::parse)?,
        at: time(f, "occurred_at")?,
        by: f.opt("by", Text::parse)?,
    })
}

fn time(f: &Fields<'_>, name: &str) -> Result<Timestamp, WireError> {
    f.req(name, Timestamp::parse)
}

/// Money at least 0, or (`positive`) above 0, as the contract's columns.
fn money(f: &Fields<'_>, name: &str, positive: bool) -> Result<Option<Money>, WireError> {
    let Some(s) = f.opt_text_or_number(name)? else {
        return Ok(None);
    };
    let m = Money::parse(&s).map_err(|e| f.bad(name, crate::error::reworded(&s, e.to_string())))?;
    if m.cents() < 0 || (positive && m.cents() == 0) {
        let bound = if positive {
            "greater than 0"
        } else {
            "0 or more"
        };
        return Err(f.bad(name, format!("{} must be {bound}", shown(&s))));
    }
    Ok(Some(m))
}

fn req_money(f: &Fields<'_>, name: &str, positive: bool) -> Result<Money, WireError> {
    money(f, name, positive)?.ok_or_else(|| f.missing(name))
}

fn event(f: &Fields<'_>, kind: EventKind) -> Result<Event, WireError> {
    Ok(match kind {
        EventKind::AccountRecorded => Event::AccountRecorded(Account {
            id: f.id("account_id", AccountId::parse)?,
            name: f.req("name", Text::parse)?,
            domain: f.req("domain", Domain::parse)?,
            industry: f.word("industry", Industry::parse, Industry::WORDS)?,
            employees: f.opt_count("employees")?,
            annual_revenue: money(f, "annual_revenue_usd", false)?,
            country: f.req("country", Country::parse)?,
            region: f.word("region", Region::parse, Region::WORDS)?,
            tier: f.word("tier", Tier::parse, Tier::WORDS)?,
            owner_rep: f.opt_id("owner_rep_id", RepId::parse)?,
            created_at: time(f, "created_at")?,
        }),
        EventKind::RepRecorded => Event::RepRecorded(Rep {
            id: f.id("rep_id", RepId::parse)?,
            name: f.req("name", Text::parse)?,
            email: f.req("email", Email::parse)?,
            team: f.word("team", Team::parse, Team::WORDS)?,
            region: f.word("region", Region::parse, Region::WORDS)?,
            vertical: f.opt_word("vertical", Industry::parse, Industry::WORDS)?,
            manager: f.opt_id("manager_id", RepId::parse)?,
            capacity_per_day: f.count("capacity_per_day")?,
            hired_at: time(f, "hired_at")?,
        }),
        EventKind::CampaignRecorded => Event::CampaignRecorded(Campaign {
            id: f.id("campaign_id", CampaignId::parse)?,
            name: f.req("name", Text::parse)?,
            channel: f.word("channel", Channel::parse, Channel::WORDS)?,
            started_at: time(f, "started_at")?,
            ended_at: f.opt("ended_at", Timestamp::parse)?,
            cost: req_money(f, "cost_usd", false)?,
        }),
        EventKind::ContentPublished => Event::ContentPublished(Content {
            id: f.id("content_id", ContentId::parse)?,
            title: f.req("title", Text::parse)?,
            kind: f.word("kind", ContentKind::parse, ContentKind::WORDS)?,
            persona: f.req("persona", Named::parse)?,
            journey_stage: f.word("journey_stage", JourneyStage::parse, JourneyStage::WORDS)?,
            published_at: time(f, "published_at")?,
            owner_team: f.word("owner_team", OwnerTeam::parse, OwnerTeam::WORDS)?,
        }),
        EventKind::TargetSet => Event::TargetSet(Target {
            region: f.word("region", Region::parse, Region::WORDS)?,
            month: f.req("month", Month::parse)?,
            mql_target: f.count("mql_target")?,
        }),
        EventKind::LeadCreated => Event::LeadCreated(Lead {
            id: f.id("lead_id", LeadId::parse)?,
            email: f.req("email", Email::parse)?,
            full_name: f.opt("full_name", Text::parse)?,
            title: f.opt("title", Text::parse)?,
            seniority: f.word("seniority", Seniority::parse, Seniority::WORDS)?,
            persona: f.opt("persona", Named::parse)?,
            company_name: f.opt("company_name", Text::parse)?,
            website: f.opt("website", Text::parse)?,
            employees_reported: f.opt_count("employees_reported")?,
            industry_reported: f.opt_word("industry_reported", Industry::parse, Industry::WORDS)?,
            country: f.req("country", Country::parse)?,
            region: f.word("region", Region::parse, Region::WORDS)?,
            source_channel: f.word("source_channel", Channel::parse, Channel::WORDS)?,
            source_campaign: f.opt_id("source_campaign_id", CampaignId::parse)?,
            created_at: time(f, "created_at")?,
            account: f.opt_id("account_id", AccountId::parse)?,
        }),
        EventKind::Touched => touch(f)?,
        EventKind::StageChanged => Event::StageChanged(Transition {
            id: f.id("transition_id", TransitionId::parse)?,
            lead: f.id("lead_id", LeadId::parse)?,
            from: f.req("from_stage", Named::parse)?,
            to: f.req("to_stage", Named::parse)?,
            occurred_at: time(f, "occurred_at")?,
            rep: f.opt_id("rep_id", RepId::parse)?,
            reason: f.opt("reason", Named::parse)?,
        }),
        EventKind::OpportunityCreated => Event::OpportunityCreated(Opportunity {
            id: f.id("opportunity_id", OpportunityId::parse)?,
            account: f.id("account_id", AccountId::parse)?,
            primary_lead: f.opt_id("primary_lead_id", LeadId::parse)?,
            owner_rep: f.id("owner_rep_id", RepId::parse)?,
            kind: f.word("kind", OpportunityKind::parse, OpportunityKind::WORDS)?,
            created_at: time(f, "created_at")?,
            amount: req_money(f, "amount_usd", true)?,
        }),
        EventKind::OpportunityClosed => Event::OpportunityClosed(OpportunityClosed {
            id: f.id("opportunity_id", OpportunityId::parse)?,
            won: match f.word("stage", OpportunityStage::parse, OpportunityStage::WORDS)? {
                OpportunityStage::Won => WonOrLost::Won,
                OpportunityStage::Lost => WonOrLost::Lost,
                OpportunityStage::Open => {
                    return Err(f.bad(
                        "stage",
                        "an opportunity closes `won` or `lost`, not `open`".into(),
                    ))
                }
            },
            closed_at: time(f, "closed_at")?,
            lost_reason: f.opt("lost_reason", Text::parse)?,
        }),
        EventKind::AgreementAdopted => Event::AgreementAdopted(Adoption {
            version: f.count("version")?,
            digest: f.req("digest", Text::parse)?,
            text: f.req("text", Document::parse)?,
            adopted_at: time(f, "adopted_at")?,
            by: f.opt("by", Text::parse)?,
        }),
        EventKind::ModelAdopted => Event::ModelAdopted(ModelAdoption {
            number: f.count("number")?,
            model_version: f.count("model_version")?,
            digest: f.req("digest", Text::parse)?,
            artifact: f.req("artifact", Document::parse)?,
            adopted_at: time(f, "adopted_at")?,
            by: f.opt("by", Text::parse)?,
        }),
        EventKind::OwnerAssigned => assignment(f)?,
        EventKind::AccountMatched => Event::AccountMatched(AccountMatch {
            lead: f.id("lead_id", LeadId::parse)?,
            account: f.id("account_id", AccountId::parse)?,
            confidence: f.count("confidence")?,
            how: f.req("how", |s| {
                one_of(
                    s,
                    &[
                        MatchedBy::EmailDomain,
                        MatchedBy::Website,
                        MatchedBy::CompanyName,
                    ],
                    MatchedBy::as_str,
                )
            })?,
            evidence: f.req("evidence", Text::parse)?,
            matched_at: time(f, "matched_at")?,
        }),
        EventKind::RepAway => {
            let from = time(f, "from")?;
            let until = time(f, "until")?;
            if until < from {
                return Err(f.bad("until", format!("{until} is before `from` {from}")));
            }
            Event::RepAway(Away {
                id: f.id("away_id", DecisionId::parse)?,
                rep: f.id("rep_id", RepId::parse)?,
                from,
                until,
            })
        }
        EventKind::ClockBreached => Event::ClockBreached(ClockBreach {
            id: f.id("breach_id", DecisionId::parse)?,
            lead: f.id("lead_id", LeadId::parse)?,
            entry: f.id("entry_id", TransitionId::parse)?,
            clock: f.word("clock", SlaClock::from_name, &["follow_up", "decide"])?,
            rep: f.opt_id("rep_id", RepId::parse)?,
            due: time(f, "due")?,
        }),
        EventKind::MqlTargetMissed => Event::MqlTargetMissed(TargetMiss {
            id: f.id("miss_id", DecisionId::parse)?,
            region: f.word("region", Region::parse, Region::WORDS)?,
            month: f.req("month", Month::parse)?,
            target: f.count("mql_target")?,
            mqls: f.count("mqls")?,
            judged_at: time(f, "judged_at")?,
        }),
        EventKind::AcceptanceMissed => Event::AcceptanceMissed(AcceptanceMiss {
            id: f.id("miss_id", DecisionId::parse)?,
            region: f.word("region", Region::parse, Region::WORDS)?,
            month: f.req("month", Month::parse)?,
            accepted: f.count("accepted")?,
            decided: f.count("decided")?,
            judged_at: time(f, "judged_at")?,
        }),
        EventKind::Escalated => Event::Escalated(Escalation {
            id: f.id("escalation_id", DecisionId::parse)?,
            step: f.req("step", Text::parse)?,
            on: f.word("on", Trigger::from_name, Trigger::NAMES)?,
            cause: f.req("cause", Text::parse)?,
            lead: f.opt_id("lead_id", LeadId::parse)?,
            region: f.opt_word("region", Region::parse, Region::WORDS)?,
            month: f.opt("month", Month::parse)?,
            notify: f.word("notify", Role::from_name, Role::NAMES)?,
            person: f.opt_id("person", RepId::parse)?,
            at: time(f, "at")?,
        }),
    })
}

/// A touch: a sales kind names its rep, a marketing kind its channel.
fn touch(f: &Fields<'_>) -> Result<Event, WireError> {
    let touch = Touch {
        id: f.id("touch_id", TouchId::parse)?,
        lead: f.id("lead_id", LeadId::parse)?,
        occurred_at: time(f, "occurred_at")?,
        kind: f.word("kind", TouchKind::parse, TouchKind::WORDS)?,
        channel: f.opt_word("channel", Channel::parse, Channel::WORDS)?,
        campaign: f.opt_id("campaign_id", CampaignId::parse)?,
        content: f.opt_id("content_id", ContentId::parse)?,
        rep: f.opt_id("rep_id", RepId::parse)?,
    };
    let kind = touch.kind;
    if kind.is_sales() && touch.rep.is_none() {
        return Err(WireError::at(
            "/rep_id",
            Problem::Missing,
            format!("required for a sales touch ({kind})"),
        ));
    }
    if !kind.is_sales() && touch.channel.is_none() {
        return Err(WireError::at(
            "/channel",
            Problem::Missing,
            format!("required for a marketing touch ({kind})"),
        ));
    }
    Ok(Event::Touched(touch))
}

fn assignment(f: &Fields<'_>) -> Result<Event, WireError> {
    let mut tried = Vec::new();
    for (raw, pointer) in list(f, "tried")? {
        let item = f.nested(raw, pointer)?;
        item.check_names(&[RULE_TRIED], &|| "a rule tried".into())?;
        let mut excluded = Vec::new();
        for (raw, pointer) in list(&item, "excluded")? {
            let ex = item.nested(raw, pointer)?;
            ex.check_names(&[EXCLUDED], &|| "an excluded rep".into())?;
            excluded.push(Excluded {
                rep: ex.id("rep_id", RepId::parse)?,
                why: ex.req("why", |s| {
                    one_of(
                        s,
                        &[
                            Exclusion::AtCapacity,
                            Exclusion::OutsideHours,
                            Exclusion::Away,
                        ],
                        Exclusion::as_str,
                    )
                })?,
            });
        }
        tried.push(RuleTried {
            rule: item.req("rule", Text::parse)?,
            matched: item.count("matched")?,
            excluded,
        });
    }
    let mut eligible = Vec::new();
    for (raw, pointer) in list(f, "eligible")? {
        let id = match read_raw(raw) {
            Ok(Raw::Str(s)) => {
                RepId::parse(&s).map_err(|e| crate::error::reworded(&s, e.to_string()))
            }
            _ => Err(format!("expected a rep id, got {}", shown(raw.get()))),
        };
        eligible.push(id.map_err(|m| WireError::at(&pointer, Problem::BadValue, m))?);
    }
    Ok(Event::OwnerAssigned(Assignment {
        id: f.id("assignment_id", DecisionId::parse)?,
        lead: f.id("lead_id", LeadId::parse)?,
        rep: f.opt_id("rep_id", RepId::parse)?,
        rule: f.opt("rule", Text::parse)?,
        assigned_at: time(f, "assigned_at")?,
        tried,
        eligible,
    }))
}

/// A required list of at most `MAX_LIST_ITEMS` items (the stored limit).
fn list<'a>(
    f: &Fields<'a>,
    name: &str,
) -> Result<Vec<(&'a serde_json::value::RawValue, String)>, WireError> {
    let items = f.opt_list(name)?.ok_or_else(|| f.missing(name))?;
    if items.len() > MAX_LIST_ITEMS {
        return Err(f.bad(
            name,
            format!("{} items, over the limit of {MAX_LIST_ITEMS}", items.len()),
        ));
    }
    Ok(items)
}

/// The value of `all` whose word is `s`.
fn one_of<T: Copy>(s: &str, all: &[T], word: fn(T) -> &'static str) -> Result<T, String> {
    all.iter().copied().find(|v| word(*v) == s).ok_or_else(|| {
        let words: Vec<&str> = all.iter().map(|v| word(*v)).collect();
        format!("`{s}` is not one of {}", words.join(", "))
    })
}
