//! Lead-to-account matching, as the engine calls it: `accord-match`'s
//! index, and its answer as the fields of an `account_matched` event.

use accord_core::domain::{AccountId, Text};
use accord_core::event::{Account, Lead, MatchedBy};
use accord_match::{AccountIndex, Reason};

pub(crate) type Matcher = AccountIndex;

pub(crate) fn add(m: &mut Matcher, a: &Account) {
    m.add(a);
}

pub(crate) fn is_free_mail(domain: &str) -> bool {
    accord_match::is_free_mail(domain)
}

/// The account a lead works for, with the confidence (per mille), what
/// matched, and the evidence (the domain, or the normalised name).
pub(crate) fn find(m: &Matcher, lead: &Lead) -> Option<(AccountId, u32, MatchedBy, Text)> {
    let found = m.match_lead(lead)?;
    let (how, evidence) = match found.reason {
        Reason::EmailDomain { domain } => (MatchedBy::EmailDomain, domain),
        Reason::Website { domain } => (MatchedBy::Website, domain),
        Reason::CompanyName { normalised, .. } => (MatchedBy::CompanyName, normalised),
    };
    let evidence = Text::parse(&evidence).ok()?;
    Some((found.account, u32::from(found.confidence), how, evidence))
}
