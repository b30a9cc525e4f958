//! Lead-to-account matching, as the engine calls it. The matcher itself is
//! `accord-match`'s; this is the one place the engine touches it.

use accord_core::domain::{AccountId, Text};
use accord_core::event::{Account, Lead, MatchedBy};
use rustc_hash::FxHashMap;

/// Accounts by domain (a stand-in until the full matcher lands).
#[derive(Default)]
pub(crate) struct Matcher {
    by_domain: FxHashMap<Box<str>, AccountId>,
}

pub(crate) fn add(m: &mut Matcher, a: &Account) {
    m.by_domain.insert(a.domain.as_str().into(), a.id.clone());
}

const FREE_MAIL: &[&str] = &[
    "gmail.com",
    "yahoo.com",
    "hotmail.com",
    "outlook.com",
    "aol.com",
    "icloud.com",
    "gmx.de",
    "web.de",
    "yandex.ru",
    "mail.ru",
    "qq.com",
    "163.com",
    "proton.me",
    "protonmail.com",
    "live.com",
    "msn.com",
    "yahoo.co.uk",
    "hotmail.co.uk",
];

pub(crate) fn is_free_mail(domain: &str) -> bool {
    FREE_MAIL.contains(&domain)
}

/// The account a lead belongs to, with the confidence (per mille), what
/// matched, and the evidence.
pub(crate) fn find(m: &Matcher, lead: &Lead) -> Option<(AccountId, u32, MatchedBy, Text)> {
    let domain = lead.email.domain().to_ascii_lowercase();
    if is_free_mail(&domain) {
        return None;
    }
    let mut d: &str = &domain;
    loop {
        if let Some(a) = m.by_domain.get(d) {
            return Some((
                a.clone(),
                1000,
                MatchedBy::EmailDomain,
                Text::parse(d).expect("a domain is short text"),
            ));
        }
        match d.split_once('.') {
            Some((_, rest)) if rest.contains('.') => d = rest,
            _ => return None,
        }
    }
}
