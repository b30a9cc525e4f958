//! Lead-to-account matching: which account (company in the CRM) a lead
//! works for, from what the lead told us, with a confidence and a reason a
//! rep can read.
//!
//! Signals, strongest first; the first that names exactly one account wins:
//! 1. **E-mail domain.** The address's host folded to its registrable
//!    domain with the public-suffix list (`ana@mail.northwind.co.uk` →
//!    `northwind.co.uk`), looked up among the accounts' domains folded the
//!    same way. Free-mail providers (`gmail.com`, …) never match.
//! 2. **Website.** The host of the `website` field (scheme, `www.`, path,
//!    port ignored), folded and looked up the same way.
//! 3. **Company name.** Normalised (`name::normalise`: case, accents,
//!    punctuation, "&"/"and", legal forms such as Inc, Ltd, GmbH): equal to
//!    exactly one account's normalised name; or else within one edit of
//!    account names (found through a one-deletion neighbourhood index, never
//!    a scan of all accounts) and the closest by Jaro-Winkler similarity, at
//!    least `FUZZY_MIN_PER_MILLE` and clearly closer than the next one.
//!
//! A signal that names two or more accounts equally well (two accounts with
//! one registrable domain, two with one normalised name, two names equally
//! close) decides nothing, and the next signal is tried. The answer depends
//! only on the accounts indexed (a later record of an id replaces the
//! earlier), never on the order they were added in, nor on a clock.
//! Only `lead.email`, `lead.website` and `lead.company_name` are read.

mod domain;
pub mod name;
mod postings;

use std::borrow::Cow;
use std::fmt;

use accord_core::domain::AccountId;
use accord_core::event::{Account, Lead};
use rustc_hash::FxHashMap;

pub use domain::{is_free_mail, registrable_domain, website_host};
use postings::{neighbourhood, Postings};

/// Confidence of an e-mail whose host is the account's domain itself.
pub const EMAIL_EXACT_CONFIDENCE: u16 = 990;
/// Confidence of an e-mail from a sub-domain of the account's domain.
pub const EMAIL_SUBDOMAIN_CONFIDENCE: u16 = 960;
/// Confidence of a website on the account's domain (people type websites
/// loosely, and guess them).
pub const WEBSITE_CONFIDENCE: u16 = 930;
/// Confidence of a company name equal to the account's after normalisation;
/// a fuzzy match scales it by the similarity.
pub const NAME_CONFIDENCE: u16 = 850;
/// Least Jaro-Winkler similarity (per mille) of a fuzzy name match.
pub const FUZZY_MIN_PER_MILLE: u16 = 930;
/// A fuzzy best must beat the runner-up by more than this (per mille), or
/// the name is ambiguous.
pub const FUZZY_MARGIN_PER_MILLE: u16 = 10;
/// Names shorter than this (in characters, normalised) match only exactly:
/// one edit turns a short name into another company's.
pub const FUZZY_MIN_CHARS: usize = 6;
/// Names longer than this match only exactly (bounds the work per lead).
pub const FUZZY_MAX_CHARS: usize = 80;
/// A name whose one-edit neighbourhood holds more accounts than this is too
/// common to tell them apart: no fuzzy match (bounds the work per lead).
pub const FUZZY_MAX_CANDIDATES: usize = 64;

/// A lead's account, how sure, and why.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Match {
    pub account: AccountId,
    /// Per mille, 0..=1000.
    pub confidence: u16,
    pub reason: Reason,
}

/// The signal that decided a match.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Reason {
    /// The lead's e-mail domain, folded to `domain`, is the account's.
    EmailDomain { domain: String },
    /// The lead's website, folded to `domain`, is the account's.
    Website { domain: String },
    /// The lead's company name is like the account's, `normalised` being the
    /// account's normalised name and 1000 an exact match.
    CompanyName {
        normalised: String,
        similarity_per_mille: u16,
    },
}

impl Reason {
    /// A short name for counts and files: `email_domain`, `website`,
    /// `company_name`.
    pub fn kind(&self) -> &'static str {
        match self {
            Reason::EmailDomain { .. } => "email_domain",
            Reason::Website { .. } => "website",
            Reason::CompanyName { .. } => "company_name",
        }
    }
}

/// The sentence a rep reads: "e-mail domain northwind.co.uk is account
/// A000123's domain (confidence 99.0%)".
impl fmt::Display for Match {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let id = &self.account;
        match &self.reason {
            Reason::EmailDomain { domain } => {
                write!(f, "e-mail domain {domain} is account {id}'s domain")?
            }
            Reason::Website { domain } => {
                write!(f, "website domain {domain} is account {id}'s domain")?
            }
            Reason::CompanyName {
                normalised,
                similarity_per_mille: 1000,
            } => write!(
                f,
                "company name \"{normalised}\" is account {id}'s name (normalised)"
            )?,
            Reason::CompanyName {
                normalised,
                similarity_per_mille,
            } => write!(
                f,
                "company name is {} like account {id}'s name \"{normalised}\" (Jaro-Winkler, normalised)",
                per_mille(*similarity_per_mille)
            )?,
        }
        write!(f, " (confidence {})", per_mille(self.confidence))
    }
}

/// 987 → "98.7%".
fn per_mille(value: u16) -> String {
    format!("{}.{}%", value / 10, value % 10)
}

/// One account as the index holds it.
#[derive(Clone, Debug)]
struct Slot {
    id: AccountId,
    /// The account's domain as recorded (lower case by its type).
    domain: Box<str>,
    /// Its registrable domain, when it has one.
    registrable: Option<Box<str>>,
    /// Its normalised name (may be empty).
    name: Box<str>,
}

/// The accounts, indexed by registrable domain, normalised name and the
/// one-edit neighbourhood of that name. Built incrementally; a later record
/// of the same id replaces the earlier.
#[derive(Clone, Debug, Default)]
pub struct AccountIndex {
    slots: Vec<Slot>,
    by_id: FxHashMap<AccountId, u32>,
    by_domain: Postings<Box<str>>,
    by_name: Postings<Box<str>>,
    near_name: Postings<u64>,
}

impl AccountIndex {
    /// Adds `account`, or replaces the account recorded earlier under its id.
    pub fn add(&mut self, account: &Account) {
        let domain: Box<str> = account.domain.as_str().into();
        let registrable = registrable_domain(&domain).map(Box::from);
        let name: Box<str> = name::normalise(account.name.as_str()).into();
        let slot = match self.by_id.get(&account.id) {
            Some(&slot) => {
                self.unindex(slot);
                slot
            }
            None => {
                let slot = u32::try_from(self.slots.len()).expect("fewer than 2^32 accounts");
                self.by_id.insert(account.id.clone(), slot);
                self.slots.push(Slot {
                    id: account.id.clone(),
                    domain: Box::from(""),
                    registrable: None,
                    name: Box::from(""),
                });
                slot
            }
        };
        self.slots[slot as usize] = Slot {
            id: account.id.clone(),
            domain,
            registrable,
            name,
        };
        self.reindex(slot);
    }

    /// The number of accounts (distinct ids).
    pub fn len(&self) -> usize {
        self.slots.len()
    }

    pub fn is_empty(&self) -> bool {
        self.slots.is_empty()
    }

    /// The account `lead` works for, if its e-mail, website or company name
    /// names exactly one.
    pub fn match_lead(&self, lead: &Lead) -> Option<Match> {
        let email_host = lower(lead.email.domain());
        if let Some((slot, domain)) = self.by_host(&email_host) {
            let exact = *self.slots[slot as usize].domain == *email_host;
            return Some(self.found(
                slot,
                if exact {
                    EMAIL_EXACT_CONFIDENCE
                } else {
                    EMAIL_SUBDOMAIN_CONFIDENCE
                },
                Reason::EmailDomain { domain },
            ));
        }
        if let Some(host) = lead.website.as_ref().and_then(|w| website_host(w.as_str())) {
            if let Some((slot, domain)) = self.by_host(&host) {
                return Some(self.found(slot, WEBSITE_CONFIDENCE, Reason::Website { domain }));
            }
        }
        let company = lead.company_name.as_ref()?;
        let key = name::normalise(company.as_str());
        let (slot, similarity) = self.by_name(&key)?;
        let confidence = (u32::from(NAME_CONFIDENCE) * u32::from(similarity) + 500) / 1000;
        Some(self.found(
            slot,
            confidence as u16,
            Reason::CompanyName {
                normalised: self.slots[slot as usize].name.to_string(),
                similarity_per_mille: similarity,
            },
        ))
    }

    fn found(&self, slot: u32, confidence: u16, reason: Reason) -> Match {
        Match {
            account: self.slots[slot as usize].id.clone(),
            confidence,
            reason,
        }
    }

    /// The one account whose domain `host` (lower case) belongs to, and the
    /// registrable domain they share. Free mail names none. When several
    /// accounts share the registrable domain, the one whose recorded domain
    /// is the longest suffix of `host` wins, if only one is.
    fn by_host(&self, host: &str) -> Option<(u32, String)> {
        let registrable = registrable_domain(host)?;
        if is_free_mail(registrable) {
            return None;
        }
        let slots = self.by_domain.get(registrable);
        let slot = match slots {
            [] => return None,
            [one] => *one,
            many => {
                let covers = |d: &str| {
                    host == d
                        || (host.len() > d.len()
                            && host.ends_with(d)
                            && host.as_bytes()[host.len() - d.len() - 1] == b'.')
                };
                let mut best: Option<(usize, u32)> = None;
                let mut tied = false;
                for &slot in many {
                    let d = &*self.slots[slot as usize].domain;
                    if !covers(d) {
                        continue;
                    }
                    match best {
                        Some((len, _)) if len == d.len() => tied = true,
                        Some((len, _)) if len > d.len() => {}
                        _ => {
                            best = Some((d.len(), slot));
                            tied = false;
                        }
                    }
                }
                match best {
                    Some((_, slot)) if !tied => slot,
                    _ => return None,
                }
            }
        };
        Some((slot, registrable.to_owned()))
    }

    /// The one account whose normalised name is `key`, or else the one
    /// clearly closest within one edit; with its similarity per mille.
    fn by_name(&self, key: &str) -> Option<(u32, u16)> {
        if key.is_empty() {
            return None;
        }
        match self.by_name.get(key) {
            [one] => return Some((*one, 1000)),
            [] => {}
            _ => return None,
        }
        let chars = key.chars().count();
        if !(FUZZY_MIN_CHARS..=FUZZY_MAX_CHARS).contains(&chars) {
            return None;
        }
        let mut hashes = Vec::with_capacity(chars + 1);
        neighbourhood(key, &mut hashes);
        let mut candidates: Vec<u32> = Vec::new();
        for h in &hashes {
            candidates.extend_from_slice(self.near_name.get(h));
            if candidates.len() > 4 * FUZZY_MAX_CANDIDATES {
                return None;
            }
        }
        candidates.sort_unstable();
        candidates.dedup();
        if candidates.len() > FUZZY_MAX_CANDIDATES {
            return None;
        }
        let mut best: Option<(u16, u32)> = None;
        let mut runner_up: u16 = 0;
        for slot in candidates {
            let similarity = similarity_per_mille(key, &self.slots[slot as usize].name);
            match best {
                Some((b, _)) if similarity <= b => runner_up = runner_up.max(similarity),
                _ => {
                    if let Some((b, _)) = best {
                        runner_up = runner_up.max(b);
                    }
                    best = Some((similarity, slot));
                }
            }
        }
        let (similarity, slot) = best?;
        (similarity >= FUZZY_MIN_PER_MILLE && similarity > runner_up + FUZZY_MARGIN_PER_MILLE)
            .then_some((slot, similarity))
    }

    fn reindex(&mut self, slot: u32) {
        let s = &self.slots[slot as usize];
        if let Some(registrable) = &s.registrable {
            self.by_domain.insert(registrable.clone(), slot);
        }
        if !s.name.is_empty() {
            self.by_name.insert(s.name.clone(), slot);
            if fuzzy_length(&s.name) {
                let mut hashes = Vec::new();
                neighbourhood(&s.name, &mut hashes);
                for h in hashes {
                    self.near_name.insert(h, slot);
                }
            }
        }
    }

    fn unindex(&mut self, slot: u32) {
        let s = &self.slots[slot as usize];
        if let Some(registrable) = &s.registrable {
            self.by_domain.remove(&**registrable, slot);
        }
        if !s.name.is_empty() {
            self.by_name.remove(&*s.name, slot);
            if fuzzy_length(&s.name) {
                let mut hashes = Vec::new();
                neighbourhood(&s.name, &mut hashes);
                for h in hashes {
                    self.near_name.remove(&h, slot);
                }
            }
        }
    }
}

/// Whether an account name of this length takes part in fuzzy matching:
/// one character more or less than a lead's name that may.
fn fuzzy_length(name: &str) -> bool {
    let chars = name.chars().count();
    (FUZZY_MIN_CHARS - 1..=FUZZY_MAX_CHARS + 1).contains(&chars)
}

/// Jaro-Winkler similarity of two normalised names, per mille, rounded.
pub fn similarity_per_mille(a: &str, b: &str) -> u16 {
    (strsim::jaro_winkler(a, b) * 1000.0).round() as u16
}

/// `text` in lower case, borrowed when it already is.
fn lower(text: &str) -> Cow<'_, str> {
    if text.bytes().any(|b| b.is_ascii_uppercase()) {
        Cow::Owned(text.to_ascii_lowercase())
    } else {
        Cow::Borrowed(text)
    }
}

#[cfg(test)]
mod tests;
