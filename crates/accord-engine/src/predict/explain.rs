//! A lead's prediction in words a rep reads: what raised it, what lowered
//! it, each as a multiplier of the odds against the average lead.

use accord_model::{Contribution, Explanation};
use serde::Serialize;

use accord_model::table::Frame;

use super::{Artifact, Dataset, PredictError, Scorer};

/// One reason, in words.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Reason {
    pub feature: String,
    pub value: String,
    pub words: String,
    /// How many times the odds are multiplied (above 1 raises).
    pub odds_factor: f64,
}

/// A lead's prediction and its reasons, largest effect first.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct LeadPrediction {
    pub lead: String,
    pub model_version: u32,
    pub stage: String,
    pub within_days: i64,
    pub cutoff_days: i64,
    pub probability: f64,
    pub average: f64,
    pub raised_by: Vec<Reason>,
    pub lowered_by: Vec<Reason>,
}

/// Contributions smaller than this (odds × 1.05 or ÷ 1.05) are not shown.
const SHOWN: f64 = 0.05;
/// At most this many reasons each way.
const MOST: usize = 4;

/// The prediction of `lead` under `a`, from `d` (the log's dataset under
/// `a`'s parameters); `None` when the lead is not in it.
pub fn explain_lead(
    a: &Artifact,
    d: &Dataset,
    lead: &str,
) -> Result<Option<LeadPrediction>, PredictError> {
    let Some(row) = d.leads.iter().position(|l| l == lead) else {
        return Ok(None);
    };
    explain_row(a, &d.frame, row, lead).map(Some)
}

/// The prediction of `lead` under `s` from the engine's state (no pass
/// over the log): its features by `Scorer::features`, the definition
/// training reads. `None` when the engine knows no such lead.
pub fn explain_live(
    s: &Scorer,
    engine: &accord_decide::Engine,
    lead: &str,
) -> Result<Option<LeadPrediction>, PredictError> {
    let Some(h) = engine.lead_history(lead) else {
        return Ok(None);
    };
    explain_row(&s.artifact, &s.features(&h), 0, lead).map(Some)
}

/// The probability alone of `lead` under `s`, from the engine's state (what
/// `lead.predicted` reads in a rule).
pub fn probability_live(s: &Scorer, engine: &accord_decide::Engine, lead: &str) -> Option<f64> {
    engine.lead_history(lead).map(|h| s.probability(&h))
}

/// The model in use by `engine`, read when its adoption was applied;
/// `None` when no model was adopted, an error when the adopted one does not
/// read back.
pub fn in_use(engine: &accord_decide::Engine) -> Result<Option<&Scorer>, PredictError> {
    match engine.model() {
        None => Ok(None),
        Some(m) => match &m.model {
            Ok(s) => Ok(Some(s)),
            Err(e) => Err(e.clone().into()),
        },
    }
}

/// A lead's prediction in a list: the probability and the model's version.
#[derive(Clone, Copy, Debug, PartialEq, Serialize)]
pub struct Brief {
    pub probability: f64,
    pub model_version: u32,
}

/// The briefs of `leads` under the engine's model in use, in order: all
/// `None` when no model is adopted (or for a lead the engine does not know).
pub fn briefs(
    engine: &accord_decide::Engine,
    leads: &[&str],
) -> Result<Vec<Option<Brief>>, PredictError> {
    let Some(s) = in_use(engine)? else {
        return Ok(vec![None; leads.len()]);
    };
    Ok(leads
        .iter()
        .map(|id| {
            probability_live(s, engine, id).map(|probability| Brief {
                probability,
                model_version: s.artifact.version,
            })
        })
        .collect())
}

/// Lead `id`'s prediction explained under the engine's model in use;
/// `None` when no model is adopted or the lead is unknown.
pub fn lead_prediction(
    engine: &accord_decide::Engine,
    id: &str,
) -> Result<Option<LeadPrediction>, PredictError> {
    match in_use(engine)? {
        Some(s) => explain_live(s, engine, id),
        None => Ok(None),
    }
}

/// Row `row` of `frame` explained under `a`.
fn explain_row(
    a: &Artifact,
    frame: &Frame,
    row: usize,
    lead: &str,
) -> Result<LeadPrediction, PredictError> {
    let e: Explanation = a.model.explain(frame, row)?;
    let reason = |c: &Contribution| Reason {
        feature: c.column.clone(),
        value: c.value.clone(),
        words: words(&c.column, &c.value, a.cutoff_days),
        odds_factor: c.odds_factor(),
    };
    let strong = |c: &&Contribution| c.logit.abs() >= SHOWN.ln_1p();
    Ok(LeadPrediction {
        lead: lead.to_owned(),
        model_version: a.version,
        stage: a.stage.clone(),
        within_days: a.within_days,
        cutoff_days: a.cutoff_days,
        probability: e.probability,
        average: e.average,
        raised_by: e
            .contributions
            .iter()
            .filter(|c| c.logit > 0.0)
            .filter(strong)
            .take(MOST)
            .map(reason)
            .collect(),
        lowered_by: e
            .contributions
            .iter()
            .filter(|c| c.logit < 0.0)
            .filter(strong)
            .take(MOST)
            .map(reason)
            .collect(),
    })
}

/// A feature and its value as a phrase.
pub fn words(feature: &str, value: &str, cutoff_days: i64) -> String {
    let by = format!("in the first {cutoff_days} days");
    let count = |n: &str, one: &str, many: &str| -> String {
        let k: f64 = n.parse().unwrap_or(0.0);
        if k == 0.0 {
            format!("no {many} {by}")
        } else if k == 1.0 {
            format!("1 {one} {by}")
        } else {
            format!("{k} {many} {by}")
        }
    };
    let missing = value.is_empty();
    if let Some(kind) = feature.strip_prefix("touches_") {
        let one = kind.replace('_', " ");
        return count(value, &one, &format!("{one}s"));
    }
    match feature {
        "touches" => count(value, "touch", "touches"),
        "sales_touches" => count(value, "sales touch", "sales touches"),
        "campaigns_touched" => count(value, "campaign touched", "campaigns touched"),
        "hours_to_first_touch" if missing => format!("no touch {by}"),
        "hours_to_first_touch" => {
            let h: f64 = value.parse().unwrap_or(0.0);
            if h < 48.0 {
                format!("first touch {h:.0} hours after creation")
            } else {
                format!("first touch {:.0} days after creation", h / 24.0)
            }
        }
        "has_title" if value == "1" => "a job title given".into(),
        "has_title" => "no job title given".into(),
        "has_company" if value == "1" => "a company name given".into(),
        "has_company" => "no company name given".into(),
        "employees" if missing => "company size not given".into(),
        "employees" => format!("{value} employees (as given)"),
        "account_employees" if missing => "account size unknown".into(),
        "account_employees" => format!("account of {value} employees"),
        "account_revenue" if missing => "account revenue unknown".into(),
        "account_revenue" => format!("account revenue ${value}"),
        "stage_at_cutoff" => format!("stage {value} after {cutoff_days} days"),
        "created_weekday" => format!("created on a {}", weekday(value)),
        other => {
            let name = other.replace('_', " ");
            if missing {
                format!("{name} not known")
            } else {
                format!("{name}: {value}")
            }
        }
    }
}

fn weekday(short: &str) -> &str {
    match short {
        "mon" => "Monday",
        "tue" => "Tuesday",
        "wed" => "Wednesday",
        "thu" => "Thursday",
        "fri" => "Friday",
        "sat" => "Saturday",
        "sun" => "Sunday",
        other => other,
    }
}

#[cfg(test)]
mod tests {
    use super::words;

    #[test]
    fn features_read_as_sentences() {
        assert_eq!(
            words("touches_pricing_page_view", "3", 7),
            "3 pricing page views in the first 7 days"
        );
        assert_eq!(
            words("touches_demo_request", "1", 7),
            "1 demo request in the first 7 days"
        );
        assert_eq!(
            words("sales_touches", "0", 14),
            "no sales touches in the first 14 days"
        );
        assert_eq!(
            words("source_channel", "webinar", 7),
            "source channel: webinar"
        );
        assert_eq!(words("account_tier", "", 7), "account tier not known");
        assert_eq!(
            words("hours_to_first_touch", "72", 7),
            "first touch 3 days after creation"
        );
        assert_eq!(words("created_weekday", "sat", 7), "created on a Saturday");
    }
}
