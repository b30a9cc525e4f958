//! The counts of `accord match --evaluate` and how they are printed.

use std::collections::HashMap;
use std::fmt::Write as _;
use std::path::Path;

use accord_core::domain::AccountId;
use accord_core::event::{Account, Lead};
use accord_match::Match;
use serde_json::json;

use crate::cmd::import::group;

#[derive(Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Format {
    Table,
    Csv,
    Json,
}

/// The reasons in the order they are tried (and printed).
const REASONS: [&str; 3] = ["email_domain", "website", "company_name"];

/// A lead shown as an example of a wrong or missed match.
struct Example {
    lead: String,
    email: String,
    website: Option<String>,
    company: Option<String>,
    /// The folder's answer.
    expected: Option<AccountId>,
    found: Option<Match>,
}

/// Counts of matches against the folder's own answers.
pub struct Evaluation {
    examples: usize,
    /// Each account's name and domain, for the examples.
    accounts: HashMap<AccountId, (String, String)>,
    leads: u64,
    with_account: u64,
    /// Per reason (`REASONS` order): matches made, correct ones.
    by_reason: [(u64, u64); 3],
    wrong_count: u64,
    missed_count: u64,
    wrong: Vec<Example>,
    missed: Vec<Example>,
}

impl Evaluation {
    pub fn new(examples: usize) -> Evaluation {
        Evaluation {
            examples,
            accounts: HashMap::new(),
            leads: 0,
            with_account: 0,
            by_reason: [(0, 0); 3],
            wrong_count: 0,
            missed_count: 0,
            wrong: Vec::new(),
            missed: Vec::new(),
        }
    }

    pub fn account(&mut self, account: &Account) {
        self.accounts.insert(
            account.id.clone(),
            (
                account.name.as_str().to_owned(),
                account.domain.as_str().to_owned(),
            ),
        );
    }

    /// Counts `lead`, matched to `found`, against its `account` field.
    pub fn lead(&mut self, lead: &Lead, found: Option<Match>) {
        self.leads += 1;
        let expected = lead.account.as_ref();
        self.with_account += u64::from(expected.is_some());
        let (wrong, missed) = match &found {
            Some(m) => {
                let correct = expected == Some(&m.account);
                let at = REASONS
                    .iter()
                    .position(|r| *r == m.reason.kind())
                    .expect("every reason is listed");
                self.by_reason[at].0 += 1;
                self.by_reason[at].1 += u64::from(correct);
                (!correct, false)
            }
            None => (false, expected.is_some()),
        };
        self.wrong_count += u64::from(wrong);
        self.missed_count += u64::from(missed);
        let list = if wrong {
            &mut self.wrong
        } else if missed {
            &mut self.missed
        } else {
            return;
        };
        if list.len() < self.examples {
            list.push(Example {
                lead: lead.id.to_string(),
                email: lead.email.to_string(),
                website: lead.website.as_ref().map(|w| w.to_string()),
                company: lead.company_name.as_ref().map(|c| c.to_string()),
                expected: lead.account.clone(),
                found,
            });
        }
    }

    fn matches(&self) -> u64 {
        self.by_reason.iter().map(|r| r.0).sum()
    }

    fn correct(&self) -> u64 {
        self.by_reason.iter().map(|r| r.1).sum()
    }

    /// Correct matches / matches made; `None` when none were made.
    fn precision(&self) -> Option<f64> {
        ratio(self.correct(), self.matches())
    }

    /// Correct matches / leads with an account; `None` when none has one.
    fn recall(&self) -> Option<f64> {
        ratio(self.correct(), self.with_account)
    }

    pub fn render(&self, format: Format, dir: &Path) -> String {
        match format {
            Format::Table => self.table(dir),
            Format::Csv => self.csv(),
            Format::Json => self.json(dir),
        }
    }

    fn measures(&self) -> Vec<(String, String)> {
        let mut out = vec![
            ("leads".to_owned(), self.leads.to_string()),
            ("accounts".to_owned(), self.accounts.len().to_string()),
            (
                "leads_with_account".to_owned(),
                self.with_account.to_string(),
            ),
            ("matches".to_owned(), self.matches().to_string()),
            ("correct".to_owned(), self.correct().to_string()),
            ("wrong".to_owned(), self.wrong_count.to_string()),
            ("missed".to_owned(), self.missed_count.to_string()),
            ("precision".to_owned(), decimals(self.precision(), 6)),
            ("recall".to_owned(), decimals(self.recall(), 6)),
        ];
        for (reason, (matches, correct)) in REASONS.iter().zip(self.by_reason) {
            out.push((format!("{reason}_matches"), matches.to_string()));
            out.push((format!("{reason}_correct"), correct.to_string()));
        }
        out
    }

    fn csv(&self) -> String {
        let mut out = String::from("measure,value\n");
        for (measure, value) in self.measures() {
            let _ = writeln!(out, "{measure},{value}");
        }
        out
    }

    fn json(&self, dir: &Path) -> String {
        let by_reason: serde_json::Map<String, serde_json::Value> = REASONS
            .iter()
            .zip(self.by_reason)
            .map(|(r, (matches, correct))| {
                (
                    (*r).to_owned(),
                    json!({"matches": matches, "correct": correct}),
                )
            })
            .collect();
        let examples = |list: &[Example]| -> Vec<serde_json::Value> {
            list.iter()
                .map(|e| {
                    json!({
                        "lead_id": e.lead,
                        "email": e.email,
                        "website": e.website,
                        "company_name": e.company,
                        "expected_account": e.expected.as_ref().map(|a| a.to_string()),
                        "matched_account": e.found.as_ref().map(|m| m.account.to_string()),
                        "reason": e.found.as_ref().map(|m| m.reason.kind()),
                        "confidence_per_mille": e.found.as_ref().map(|m| m.confidence),
                        "explanation": e.found.as_ref().map(|m| m.to_string()),
                    })
                })
                .collect()
        };
        let value = json!({
            "folder": dir.display().to_string(),
            "leads": self.leads,
            "accounts": self.accounts.len(),
            "leads_with_account": self.with_account,
            "matches": self.matches(),
            "correct": self.correct(),
            "wrong": self.wrong_count,
            "missed": self.missed_count,
            "precision": self.precision(),
            "recall": self.recall(),
            "by_reason": by_reason,
            "wrong_examples": examples(&self.wrong),
            "missed_examples": examples(&self.missed),
        });
        let mut out = serde_json::to_string_pretty(&value).expect("JSON values serialise");
        out.push('\n');
        out
    }

    fn table(&self, dir: &Path) -> String {
        let mut out = String::new();
        let _ = writeln!(
            out,
            "{}: {} leads matched against {} accounts, their account_id ignored",
            shown(&dir.display().to_string()),
            group(self.leads),
            group(self.accounts.len() as u64),
        );
        let _ = writeln!(
            out,
            "precision  {:>7}  {} correct of {} matches made",
            decimals(self.precision(), 4),
            group(self.correct()),
            group(self.matches()),
        );
        let _ = writeln!(
            out,
            "recall     {:>7}  {} correct of {} leads with an account_id",
            decimals(self.recall(), 4),
            group(self.correct()),
            group(self.with_account),
        );
        let _ = writeln!(
            out,
            "\n{:<14} {:>10} {:>10} {:>10}",
            "reason", "matches", "correct", "wrong"
        );
        for (reason, (matches, correct)) in REASONS.iter().zip(self.by_reason) {
            let _ = writeln!(
                out,
                "{reason:<14} {:>10} {:>10} {:>10}",
                group(matches),
                group(correct),
                group(matches - correct)
            );
        }
        let _ = writeln!(
            out,
            "{:<14} {:>10} {:>10} {:>10}",
            "all",
            group(self.matches()),
            group(self.correct()),
            group(self.matches() - self.correct())
        );
        self.list(&mut out, "wrong matches", self.wrong_count, &self.wrong);
        self.list(
            &mut out,
            "missed (no match, the folder names an account)",
            self.missed_count,
            &self.missed,
        );
        out
    }

    fn list(&self, out: &mut String, title: &str, count: u64, examples: &[Example]) {
        if count == 0 || examples.is_empty() {
            return;
        }
        let _ = writeln!(
            out,
            "\n{title}: {}{}",
            group(count),
            if (examples.len() as u64) < count {
                format!(", the first {}", examples.len())
            } else {
                String::new()
            }
        );
        for e in examples {
            let _ = writeln!(
                out,
                "  {}  e-mail {}, website {}, company {}",
                shown(&e.lead),
                shown(&e.email),
                e.website.as_deref().map_or("-".into(), shown),
                e.company
                    .as_deref()
                    .map_or("-".into(), |c| format!("\"{}\"", shown(c))),
            );
            let _ = writeln!(
                out,
                "    folder says: {}",
                self.describe(e.expected.as_ref())
            );
            if let Some(m) = &e.found {
                let _ = writeln!(
                    out,
                    "    matched:     {} — {}",
                    self.describe(Some(&m.account)),
                    // Names and ids from the folder inside: made safe, not cut short.
                    accord_core::shown::for_terminal(&m.to_string(), 400).0
                );
            }
        }
    }

    /// "A000045 Northwind Labs (northwindlabs.com)", or "no account".
    fn describe(&self, account: Option<&AccountId>) -> String {
        match account {
            None => "no account".into(),
            Some(id) => match self.accounts.get(id) {
                Some((name, domain)) => {
                    format!("{} {} ({})", shown(id.as_str()), shown(name), domain)
                }
                None => shown(id.as_str()),
            },
        }
    }
}

fn ratio(part: u64, whole: u64) -> Option<f64> {
    (whole > 0).then(|| part as f64 / whole as f64)
}

/// 0.99912 with 4 decimals → "0.9991"; no value → "-".
fn decimals(value: Option<f64>, places: usize) -> String {
    value.map_or("-".into(), |v| format!("{v:.places$}"))
}

/// Text from the folder, safe to print on a terminal and cut.
fn shown(text: &str) -> String {
    accord_core::shown::for_terminal(text, 80).0
}
