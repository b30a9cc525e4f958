//! Inputs judged and stored through the runner, and what each one's
//! sender is told: its outcome, the decisions it led to, and for a new
//! lead where it stands now (stage, owner, SLA clocks with their due times).

use accord_core::event::Event;
use accord_decide::Decided;
use accord_engine::live::Outcome;
use accord_engine::Quiet;
use accord_wire::{Input, WireError};
use serde::Serialize;
use serde_json::value::RawValue;
use utoipa::ToSchema;

use crate::core::Core;
use crate::problem::Problem;

/// What became of one input.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum OutcomeKind {
    /// Stored now, with its decisions.
    Stored,
    /// Stored before with the same content (or the action already taken): nothing changed.
    Duplicate,
    /// Its id is stored with other content: refused.
    Conflict,
    /// The agreement or the state refuses it (an unknown lead, a move the stages do not allow).
    Refused,
    /// Not a valid event of the wire format.
    Invalid,
}

/// The answer for one input.
#[derive(Clone, Debug, Serialize, ToSchema)]
pub struct EventResult {
    /// Its position in the request (0 for a single object).
    pub index: usize,
    pub outcome: OutcomeKind,
    /// Why it was not stored, with the JSON pointer of the field at fault when known.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub problem: Option<InputProblem>,
    /// The engine's decisions, as lines of `accord export events`: what
    /// fell due before the input, then what the input led to.
    #[schema(value_type = Vec<Object>)]
    pub decisions: Vec<Box<RawValue>>,
    /// For a new lead, or an input that led to decisions about a lead:
    /// where the lead stands after them.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub lead: Option<LeadDecision>,
}

/// Why an input was not stored.
#[derive(Clone, Debug, Serialize, ToSchema)]
pub struct InputProblem {
    /// `invalid`: the wire error's kind (`missing`, `bad_value`, ...); else the outcome.
    pub kind: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub pointer: Option<String>,
    pub detail: String,
}

/// A new lead after the engine's decisions.
#[derive(Clone, Debug, Serialize, ToSchema)]
pub struct LeadDecision {
    pub id: String,
    pub stage: String,
    pub owner: Option<String>,
    pub owner_name: Option<String>,
    pub score: i64,
    pub clocks: Vec<ClockDue>,
}

/// An SLA clock of the lead and when it is due.
#[derive(Clone, Debug, Serialize, ToSchema)]
pub struct ClockDue {
    /// `follow_up` or `decide`.
    pub clock: String,
    pub due: String,
    /// `open`, `met` or `breached`.
    pub state: String,
}

/// One input parsed on the thread that received it: the engine thread
/// only judges and stores it.
pub struct Parsed {
    input: Result<Input, WireError>,
    /// The lead its sender is told about: a new lead's always, another
    /// input's when it led to decisions (`true`: a new lead).
    lead: Option<(String, bool)>,
}

/// Parses one wire-format input.
pub fn parse(text: &str) -> Parsed {
    let input = accord_wire::parse_line(text);
    let lead = match &input {
        Ok(Input::Event(Event::LeadCreated(l))) => Some((l.id.to_string(), true)),
        Ok(Input::Event(Event::Touched(t))) => Some((t.lead.to_string(), false)),
        Ok(Input::Event(Event::StageChanged(s))) => Some((s.lead.to_string(), false)),
        Ok(Input::Action(a)) => Some((a.lead().to_string(), false)),
        _ => None,
    };
    Parsed { input, lead }
}

/// Judges and stores `lines` as one group; a result per line, in order.
pub fn ingest(core: &mut Core, lines: Vec<String>) -> Result<Vec<EventResult>, Problem> {
    ingest_parsed(core, lines.iter().map(|l| parse(l)).collect())
}

/// [`ingest`] of inputs parsed by [`parse`].
pub fn ingest_parsed(core: &mut Core, inputs: Vec<Parsed>) -> Result<Vec<EventResult>, Problem> {
    let n = inputs.len();
    let mut results: Vec<Option<EventResult>> = vec![None; n];
    let mut leads: Vec<Option<(String, bool)>> = Vec::with_capacity(n);
    let mut numbered = Vec::with_capacity(n);
    for (i, p) in inputs.into_iter().enumerate() {
        leads.push(p.lead);
        numbered.push((i as u64, p.input));
    }
    let mut new_leads: Vec<(usize, String)> = Vec::new();
    let mut fired_sla: Vec<Event> = Vec::new();
    let summary = core.runner.ingest_parsed(
        &mut core.store,
        numbered,
        &mut |number, outcome, fired| {
            let i = number as usize;
            let mut decisions: Vec<Box<RawValue>> = fired.iter().map(wire).collect();
            fired_sla.extend(fired.iter().map(|(e, _)| e.clone()));
            let (kind, problem) = match outcome {
                Outcome::Stored { decisions: d } => {
                    decisions.extend(d.iter().map(wire));
                    if let Some((id, new)) = leads[i].take() {
                        if new || !d.is_empty() {
                            new_leads.push((i, id));
                        }
                    }
                    (OutcomeKind::Stored, None)
                }
                Outcome::Duplicate => (OutcomeKind::Duplicate, None),
                Outcome::Conflict { key } => (
                    OutcomeKind::Conflict,
                    Some(InputProblem {
                        kind: "conflict".into(),
                        pointer: None,
                        detail: format!(
                            "{key} is stored with other content (ids are unique; send a new id)"
                        ),
                    }),
                ),
                Outcome::Refused(r) => (
                    OutcomeKind::Refused,
                    Some(InputProblem {
                        kind: "refused".into(),
                        pointer: None,
                        detail: r.to_string(),
                    }),
                ),
                Outcome::Invalid(e) => (
                    OutcomeKind::Invalid,
                    Some(InputProblem {
                        kind: e.problem.as_str().into(),
                        pointer: match &e.place {
                            accord_wire::Place::Field(p) => Some(p.clone()),
                            _ => None,
                        },
                        detail: e.to_string(),
                    }),
                ),
            };
            results[i] = Some(EventResult {
                index: i,
                outcome: kind,
                problem,
                decisions,
                lead: None,
            });
        },
        &mut Quiet,
    )?;
    core.metrics.ingested(&summary);
    core.metrics.count_sla(fired_sla.iter());
    let engine = core.runner.engine();
    for (i, id) in new_leads {
        if let (Some(r), Some(report)) = (results[i].as_mut(), engine.explain(&id)) {
            r.lead = Some(LeadDecision {
                id: report.id,
                stage: report.stage,
                owner: report.owner,
                owner_name: report.owner_name,
                score: report.score,
                clocks: report
                    .clocks
                    .into_iter()
                    .map(|c| ClockDue {
                        clock: c.clock.to_owned(),
                        due: c.due,
                        state: c.state.to_owned(),
                    })
                    .collect(),
            });
        }
    }
    Ok(results
        .into_iter()
        .map(|r| r.expect("a result per line"))
        .collect())
}

/// A decision as its exported JSON line (written once, not parsed again).
fn wire(d: &Decided) -> Box<RawValue> {
    let mut line = String::new();
    accord_wire::write_event(&d.0, &d.1, &mut line);
    RawValue::from_string(line)
        .unwrap_or_else(|_| RawValue::from_string("null".into()).expect("null is JSON"))
}
