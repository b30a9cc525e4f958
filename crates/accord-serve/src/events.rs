//! Inputs judged and stored through the runner, and what each one's
//! sender is told: its outcome, the decisions it led to, and for a new
//! lead where it stands now (stage, owner, SLA clocks with their due times).

use accord_decide::Decided;
use accord_engine::live::Outcome;
use accord_engine::Quiet;
use serde::Serialize;
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
    pub decisions: Vec<serde_json::Value>,
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

/// Judges and stores `lines` as one group; a result per line, in order.
pub fn ingest(core: &mut Core, lines: Vec<String>) -> Result<Vec<EventResult>, Problem> {
    let n = lines.len();
    let mut results: Vec<Option<EventResult>> = vec![None; n];
    let mut new_leads: Vec<(usize, String)> = Vec::new();
    let mut fired_sla: Vec<accord_core::event::Event> = Vec::new();
    let texts: Vec<String> = lines.clone();
    let numbered = lines.into_iter().enumerate().map(|(i, l)| (i as u64, l));
    let summary = core.runner.ingest(
        &mut core.store,
        numbered,
        &mut |number, outcome, fired| {
            let i = number as usize;
            let mut decisions: Vec<serde_json::Value> = fired.iter().map(wire).collect();
            fired_sla.extend(fired.iter().map(|(e, _)| e.clone()));
            let (kind, problem) = match outcome {
                Outcome::Stored { decisions: d } => {
                    decisions.extend(d.iter().map(wire));
                    if let Some(id) = lead_of(&texts[i], !d.is_empty()) {
                        new_leads.push((i, id));
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

/// A decision as its exported JSON line.
fn wire(d: &Decided) -> serde_json::Value {
    let mut line = String::new();
    accord_wire::write_event(&d.0, &d.1, &mut line);
    serde_json::from_str(&line).unwrap_or(serde_json::Value::Null)
}

/// The lead a stored line is about, when its sender is told where the
/// lead stands: a new lead always, another input when it led to decisions.
fn lead_of(line: &str, decided: bool) -> Option<String> {
    use accord_core::event::Event;
    let lead = match accord_wire::parse_line(line).ok()? {
        accord_wire::Input::Event(Event::LeadCreated(l)) => return Some(l.id.to_string()),
        _ if !decided => return None,
        accord_wire::Input::Event(Event::Touched(t)) => t.lead.to_string(),
        accord_wire::Input::Event(Event::StageChanged(s)) => s.lead.to_string(),
        accord_wire::Input::Action(a) => a.lead().to_string(),
        _ => return None,
    };
    Some(lead)
}
