//! The agreement as the reports need it: its text (whose digest stamps the
//! stored reports, so a current report is found without parsing it) and the
//! report terms it sets.

use accord_core::agreement::{self, Diagnostics};
use accord_report::{Models, ReportTerms};

/// An agreement's text, not yet parsed, with the name it is shown by (its
/// path, or "(default agreement)").
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct AgreementText {
    pub source: Vec<u8>,
    pub shown: String,
}

/// The agreement does not parse: its diagnostics, under the name it is shown by.
#[derive(Debug, thiserror::Error)]
#[error("{shown} is not a valid agreement (run `accord check {shown}`):\n{}", .diagnostics.render(false))]
pub struct InvalidAgreement {
    pub shown: String,
    pub diagnostics: Diagnostics,
}

impl AgreementText {
    pub fn new(source: Vec<u8>, shown: impl Into<String>) -> AgreementText {
        AgreementText {
            source,
            shown: shown.into(),
        }
    }

    /// The agreement `accord init` writes, used when there is no file.
    pub fn default_agreement() -> AgreementText {
        AgreementText::new(
            agreement::DEFAULT_AGREEMENT.as_bytes().to_vec(),
            "(default agreement)",
        )
    }

    /// The stamp of reports computed under this agreement ([`crate::stored::view_stamp`]).
    pub fn stamp(&self) -> String {
        crate::stored::view_stamp(&self.source)
    }

    /// The terms the reports are counted under.
    pub fn terms(&self) -> Result<ReportTerms, InvalidAgreement> {
        let a = agreement::parse_bytes(&self.source, &self.shown).map_err(|diagnostics| {
            InvalidAgreement {
                shown: self.shown.clone(),
                diagnostics,
            }
        })?;
        Ok(ReportTerms {
            follow_up_hours: f64::from(a.sla_sales_follow_up_hours()),
            decide_hours: f64::from(a.sla_sales_decide_hours()),
            lookback_days: a.attribution_lookback_days(),
            half_life_days: a.attribution_half_life_days(),
            models: Models::of(&a.attribution.models),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_default_agreement_sets_its_terms() {
        assert_eq!(
            AgreementText::default_agreement().terms().unwrap(),
            ReportTerms {
                follow_up_hours: 24.0,
                decide_hours: 48.0,
                lookback_days: 90,
                half_life_days: 7.0,
                models: Models::ALL,
            }
        );
    }

    #[test]
    fn an_invalid_agreement_is_named_with_its_diagnostics() {
        let e = AgreementText::new(b"[sla\n".to_vec(), "x.toml")
            .terms()
            .unwrap_err();
        let message = e.to_string();
        assert!(
            message.starts_with("x.toml is not a valid agreement (run `accord check x.toml`):\n"),
            "{message}"
        );
        assert!(message.len() > 60, "{message}");
    }
}
