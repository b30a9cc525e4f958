//! Small value types that can only hold valid values: ids, e-mail addresses,
//! web domains, countries, money. Raw strings become these at the edge; the
//! rest of the code never re-checks them.

use std::fmt;

/// Longest id accepted, in bytes: a limit on everything that comes from outside.
pub const MAX_ID_BYTES: usize = 64;
/// Longest free-text field accepted (names, titles), in bytes.
pub const MAX_TEXT_BYTES: usize = 1_024;

#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum ValueError {
    #[error(
        "an id must be 1 to {MAX_ID_BYTES} bytes of visible characters without spaces, got `{0}`"
    )]
    Id(String),
    #[error("`{0}` is not an e-mail address (expected local@domain.tld)")]
    Email(String),
    #[error("`{0}` is not a domain name (expected lower-case labels such as example.co.uk)")]
    Domain(String),
    #[error("`{0}` is not an ISO 3166 alpha-2 country code (two upper-case letters)")]
    Country(String),
    #[error(
        "`{0}` is not an amount of money (expected digits with at most two decimals, e.g. 1234.50)"
    )]
    Money(String),
    #[error("text longer than {MAX_TEXT_BYTES} bytes")]
    TextTooLong,
}

macro_rules! id_type {
    ($(#[$doc:meta])* $name:ident) => {
        $(#[$doc])*
        #[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
        pub struct $name(Box<str>);

        impl $name {
            pub fn parse(s: &str) -> Result<$name, ValueError> {
                if is_valid_id(s) {
                    Ok($name(s.into()))
                } else {
                    Err(ValueError::Id(s.to_owned()))
                }
            }

            pub fn as_str(&self) -> &str {
                &self.0
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(&self.0)
            }
        }
    };
}

/// Whether `s` is a valid id of any id type (what their `parse` checks).
pub(crate) fn is_valid_id(s: &str) -> bool {
    if s.is_empty() || s.len() > MAX_ID_BYTES {
        return false;
    }
    // Fast path for the usual case: printable ASCII without spaces.
    if s.bytes().all(|b| b.is_ascii_graphic()) {
        return true;
    }
    s.chars().all(|c| !c.is_whitespace() && !c.is_control())
}

id_type!(AccountId);
id_type!(RepId);
id_type!(CampaignId);
id_type!(ContentId);
id_type!(LeadId);
id_type!(TouchId);
id_type!(TransitionId);
id_type!(OpportunityId);
id_type!(
    /// The id of an event that records a decision or an action (an owner
    /// assignment, an account match, time away). The engine's own start with `~`.
    DecisionId
);

/// The longest document stored in an event (an adopted agreement's text):
/// the agreement file's own limit.
pub const MAX_DOCUMENT_BYTES: usize = 1 << 20;

/// A long text stored whole (an agreement's TOML), up to [`MAX_DOCUMENT_BYTES`].
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct Document(Box<str>);

impl Document {
    pub fn parse(s: &str) -> Result<Document, ValueError> {
        if s.len() > MAX_DOCUMENT_BYTES {
            return Err(ValueError::TextTooLong);
        }
        Ok(Document(s.into()))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// Free text (a name, a title) bounded in length.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Text(Box<str>);

impl Text {
    pub fn parse(s: &str) -> Result<Text, ValueError> {
        if s.len() > MAX_TEXT_BYTES {
            return Err(ValueError::TextTooLong);
        }
        Ok(Text(s.into()))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for Text {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// A web domain: lower-case ASCII labels of letters, digits and hyphens,
/// at least two labels (`northwind.co.uk`).
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Domain(Box<str>);

impl Domain {
    pub fn parse(s: &str) -> Result<Domain, ValueError> {
        if is_valid_domain(s) {
            Ok(Domain(s.into()))
        } else {
            Err(ValueError::Domain(s.to_owned()))
        }
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

fn is_valid_domain(s: &str) -> bool {
    s.len() <= 253
        && s.contains('.')
        && s.split('.').all(|label| {
            !label.is_empty()
                && label.len() <= 63
                && !label.starts_with('-')
                && !label.ends_with('-')
                && label
                    .bytes()
                    .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
        })
}

/// An e-mail address: a non-empty local part without spaces, `@`, and a
/// domain (case-insensitive: stored as given, compared on the lower-cased domain).
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Email(Box<str>);

impl Email {
    pub fn parse(s: &str) -> Result<Email, ValueError> {
        let bad = || ValueError::Email(s.to_owned());
        let (local, domain) = s.split_once('@').ok_or_else(bad)?;
        let local_ok = !local.is_empty()
            && local.len() <= 64
            && local
                .chars()
                .all(|c| !c.is_whitespace() && !c.is_control() && !matches!(c, '@' | ',' | '"'));
        if !local_ok || !is_valid_domain(&domain.to_ascii_lowercase()) {
            return Err(bad());
        }
        Ok(Email(s.into()))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// The part after `@`.
    pub fn domain(&self) -> &str {
        self.0
            .rsplit_once('@')
            .map(|(_, d)| d)
            .expect("an Email always holds an @")
    }
}

impl fmt::Display for Email {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// An ISO 3166-1 alpha-2 country code (shape-checked: two upper-case letters).
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Country([u8; 2]);

impl Country {
    pub fn parse(s: &str) -> Result<Country, ValueError> {
        match s.as_bytes() {
            [a, b] if a.is_ascii_uppercase() && b.is_ascii_uppercase() => Ok(Country([*a, *b])),
            _ => Err(ValueError::Country(s.to_owned())),
        }
    }

    pub fn as_str(&self) -> &str {
        std::str::from_utf8(&self.0).expect("two ASCII letters")
    }
}

impl fmt::Display for Country {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// An amount of US dollars in whole cents. Signed, so differences are
/// representable; where the contract requires a positive amount the edge checks it.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Money {
    cents: i64,
}

impl Money {
    pub const fn from_cents(cents: i64) -> Money {
        Money { cents }
    }

    pub const fn cents(self) -> i64 {
        self.cents
    }

    pub fn dollars(self) -> f64 {
        self.cents as f64 / 100.0
    }

    /// Parses `1234`, `1234.5` or `1234.50`, optionally with a leading `-`.
    pub fn parse(s: &str) -> Result<Money, ValueError> {
        let bad = || ValueError::Money(s.to_owned());
        let (negative, body) = match s.strip_prefix('-') {
            Some(rest) => (true, rest),
            None => (false, s),
        };
        let (whole, frac) = body.split_once('.').unwrap_or((body, ""));
        if whole.is_empty()
            || whole.len() > 15
            || !whole.bytes().all(|b| b.is_ascii_digit())
            || frac.len() > 2
            || !frac.bytes().all(|b| b.is_ascii_digit())
            || (body.contains('.') && frac.is_empty())
        {
            return Err(bad());
        }
        let whole: i64 = whole.parse().map_err(|_| bad())?;
        let frac_cents: i64 = match frac.len() {
            0 => 0,
            1 => i64::from(frac.as_bytes()[0] - b'0') * 10,
            _ => frac.parse().map_err(|_| bad())?,
        };
        let cents = whole * 100 + frac_cents;
        Ok(Money::from_cents(if negative { -cents } else { cents }))
    }
}

impl fmt::Display for Money {
    /// `1234.50`, the contract's form.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let sign = if self.cents < 0 { "-" } else { "" };
        let abs = self.cents.unsigned_abs();
        write!(f, "{sign}{}.{:02}", abs / 100, abs % 100)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn money_parses_the_contract_forms() {
        assert_eq!(Money::parse("1234.50").unwrap().cents(), 123_450);
        assert_eq!(Money::parse("1234.5").unwrap().cents(), 123_450);
        assert_eq!(Money::parse("7").unwrap().cents(), 700);
        assert_eq!(Money::parse("-0.05").unwrap().cents(), -5);
        for bad in ["", "1.234", "abc", "1,5", "1.", ".5", "--1", "1e5"] {
            assert!(Money::parse(bad).is_err(), "{bad} accepted");
        }
    }

    #[test]
    fn emails_and_domains() {
        let e = Email::parse("ana@eu.northwind.co.uk").unwrap();
        assert_eq!(e.domain(), "eu.northwind.co.uk");
        for bad in [
            "ana",
            "ana@",
            "@x.com",
            "ana@localhost",
            "a na@x.com",
            "ana@@x.com",
        ] {
            assert!(Email::parse(bad).is_err(), "{bad} accepted");
        }
        assert!(Domain::parse("northwind.co.uk").is_ok());
        assert!(Domain::parse("Northwind.com").is_err());
        assert!(Country::parse("GB").is_ok());
        assert!(Country::parse("gb").is_err());
        assert!(LeadId::parse("L0000001").is_ok());
        assert!(LeadId::parse("").is_err());
        assert!(LeadId::parse("L 1").is_err());
    }

    proptest! {
        #[test]
        fn money_print_then_parse_is_identity(cents in -1_000_000_000_000i64..1_000_000_000_000i64) {
            let m = Money::from_cents(cents);
            prop_assert_eq!(Money::parse(&m.to_string()).unwrap(), m);
        }
    }
}
