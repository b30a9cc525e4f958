//! What a match says: the account, how sure, and the signal behind it, as
//! data and as the sentence a rep reads.

use std::fmt;

use accord_core::domain::{AccountId, Country, Industry, Region};

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
    /// account's normalised name and 1000 an exact match. `tie_break`: the
    /// name fits several accounts equally, and this account is the only one
    /// of them in the lead's country (or, none being there, in its region).
    CompanyName {
        normalised: String,
        similarity_per_mille: u16,
        tie_break: Option<TieBreak>,
    },
}

/// What singled out one of several accounts that a name fits equally.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum TieBreak {
    /// The only one in the lead's country.
    Country(Country),
    /// Several are in the lead's country; this is the only one of them in
    /// the industry the lead reported.
    CountryAndIndustry(Country, Industry),
    /// None is in the lead's country; this is the only one in its region.
    Region(Region),
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
                similarity_per_mille,
                tie_break,
            } => {
                if *similarity_per_mille == 1000 {
                    write!(
                        f,
                        "company name \"{normalised}\" is account {id}'s name (normalised)"
                    )?
                } else {
                    write!(
                        f,
                        "company name is {} like account {id}'s name \"{normalised}\" \
                         (Jaro-Winkler, normalised)",
                        per_mille(*similarity_per_mille)
                    )?
                }
                match tie_break {
                    None => {}
                    Some(TieBreak::Country(country)) => write!(
                        f,
                        "; other accounts fit the name as well, {id} is the only one in {country}"
                    )?,
                    Some(TieBreak::CountryAndIndustry(country, industry)) => write!(
                        f,
                        "; other accounts fit the name as well, {id} is the only one in {country} \
                         in industry {industry}"
                    )?,
                    Some(TieBreak::Region(region)) => write!(
                        f,
                        "; other accounts fit the name as well, none in the lead's country, \
                         {id} is the only one in region {region}"
                    )?,
                }
            }
        }
        write!(f, " (confidence {})", per_mille(self.confidence))
    }
}

/// 987 → "98.7%".
fn per_mille(value: u16) -> String {
    format!("{}.{}%", value / 10, value % 10)
}
