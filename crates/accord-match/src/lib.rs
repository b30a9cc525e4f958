//! Lead-to-account matching: which account (company in the CRM) a lead
//! works for, from what the lead told us, with a confidence and a reason a
//! rep can read.
//!
//! Signals, strongest first:
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
//! A company name that fits several accounts equally (one normalised name
//! at several accounts, two names equally close) picks the only one of them
//! in the lead's country; several being there, the only one of those in the
//! industry the lead reported; none being there, the only one in the lead's
//! region; otherwise none. A website is overruled by a company name that
//! picks another account when the website's account has another name, or
//! sits abroad while the name's account is in the lead's country. Two
//! accounts on one registrable domain: the one whose recorded domain is the
//! longest suffix of the host, if only one is.
//!
//! Read from a lead: `email`, `website`, `company_name`, and, only to break a
//! tie, `country`, `region`, `industry_reported` — never `account` (the
//! CRM's answer). The answer depends only on the accounts indexed (a later
//! record of an id replaces the earlier), never on the order they were added
//! in, nor on a clock.

mod domain;
mod explain;
pub mod name;
mod names;
mod postings;

use std::borrow::Cow;

use accord_core::domain::{AccountId, Country, Industry, Region};
use accord_core::event::{Account, Lead};
use rustc_hash::FxHashMap;

pub use domain::{is_free_mail, registrable_domain, website_host};
pub use explain::{Match, Reason, TieBreak};
pub use names::similarity_per_mille;
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
    country: Country,
    region: Region,
    industry: Industry,
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
        let slot = Slot {
            id: account.id.clone(),
            registrable: registrable_domain(&domain).map(Box::from),
            domain,
            name: name::normalise(account.name.as_str()).into(),
            country: account.country,
            region: account.region,
            industry: account.industry,
        };
        match self.by_id.get(&account.id) {
            Some(&at) => {
                self.unindex(at);
                self.slots[at as usize] = slot;
                self.reindex(at);
            }
            None => {
                let at = u32::try_from(self.slots.len()).expect("fewer than 2^32 accounts");
                self.by_id.insert(account.id.clone(), at);
                self.slots.push(slot);
                self.reindex(at);
            }
        }
    }

    /// The number of accounts (distinct ids).
    pub fn len(&self) -> usize {
        self.slots.len()
    }

    pub fn is_empty(&self) -> bool {
        self.slots.is_empty()
    }

    /// The account `lead` works for, if its e-mail, website or company name
    /// (the lead's country and region breaking a tie between names) names
    /// exactly one.
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
        let key = lead
            .company_name
            .as_ref()
            .map_or_else(String::new, |c| name::normalise(c.as_str()));
        let by_name = self.by_name(&key, lead);
        let website = lead
            .website
            .as_ref()
            .and_then(|w| website_host(w.as_str()))
            .and_then(|host| self.by_host(&host));
        if let Some((slot, domain)) = website {
            let site = &self.slots[slot as usize];
            // The website stands unless the company name names another
            // account and the website's account has another name, or sits
            // in another country than the lead and the name's account.
            let overruled = by_name.as_ref().is_some_and(|n| {
                let named = &self.slots[n.slot as usize];
                n.slot != slot
                    && (*site.name != *key
                        || (named.country == lead.country && site.country != lead.country))
            });
            if !overruled {
                return Some(self.found(slot, WEBSITE_CONFIDENCE, Reason::Website { domain }));
            }
        }
        let n = by_name?;
        Some(self.found(
            n.slot,
            n.confidence(),
            Reason::CompanyName {
                normalised: self.slots[n.slot as usize].name.to_string(),
                similarity_per_mille: n.similarity,
                tie_break: n.tie_break,
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
        let slot = match self.by_domain.get(registrable) {
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

    fn reindex(&mut self, slot: u32) {
        let s = &self.slots[slot as usize];
        if let Some(registrable) = &s.registrable {
            self.by_domain.insert(registrable.clone(), slot);
        }
        if !s.name.is_empty() {
            self.by_name.insert(s.name.clone(), slot);
            if names::fuzzy_length(&s.name) {
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
            if names::fuzzy_length(&s.name) {
                let mut hashes = Vec::new();
                neighbourhood(&s.name, &mut hashes);
                for h in hashes {
                    self.near_name.remove(&h, slot);
                }
            }
        }
    }
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
