//! The fields a rule reads, as keys the engine can match on without
//! comparing names. The schema (`accord_core::expr::schema`) names every
//! field once; a compiled rule refers to a field by its position there.
//! Each table below maps those positions to a key, once per process, so
//! reading a field costs an index and a jump instead of a string match
//! per evaluation (rules run for every event, and routing runs one per
//! rep).

use std::sync::LazyLock;

use accord_core::expr::{Object, ACCOUNT, EVENT, LEAD, REP, TOUCH};

/// Declares a key enum and its name in the schema.
macro_rules! keys {
    ($(#[$doc:meta])* $name:ident { $($key:ident = $field:literal,)* }) => {
        $(#[$doc])*
        #[derive(Clone, Copy, Debug, PartialEq, Eq)]
        pub(crate) enum $name { $($key,)* }

        impl $name {
            const ALL: &'static [($name, &'static str)] = &[$(($name::$key, $field),)*];

            fn from_name(name: &str) -> Option<$name> {
                Self::ALL.iter().find(|(_, n)| *n == name).map(|(k, _)| *k)
            }
        }
    };
}

keys!(
    /// A field of `lead`.
    LeadKey {
        Id = "id",
        Email = "email",
        EmailDomain = "email_domain",
        FreeMail = "free_mail",
        FullName = "full_name",
        Title = "title",
        Seniority = "seniority",
        Persona = "persona",
        CompanyName = "company_name",
        Website = "website",
        Employees = "employees",
        Industry = "industry",
        Country = "country",
        Region = "region",
        SourceChannel = "source_channel",
        SourceCampaignId = "source_campaign_id",
        CreatedAt = "created_at",
        Stage = "stage",
        FitScore = "fit_score",
        EngagementScore = "engagement_score",
        Score = "score",
        AccountId = "account_id",
        Predicted = "predicted",
    }
);

keys!(
    /// A field of `account`.
    AccountKey {
        Id = "id",
        Name = "name",
        Domain = "domain",
        Industry = "industry",
        Employees = "employees",
        AnnualRevenueUsd = "annual_revenue_usd",
        Country = "country",
        Region = "region",
        Tier = "tier",
        OwnerRepId = "owner_rep_id",
        Named = "named",
    }
);

keys!(
    /// A field of `touch`.
    TouchKey {
        Kind = "kind",
        Channel = "channel",
        CampaignId = "campaign_id",
        ContentId = "content_id",
        RepId = "rep_id",
        OccurredAt = "occurred_at",
        ContentKind = "content_kind",
        JourneyStage = "journey_stage",
        Persona = "persona",
    }
);

keys!(
    /// A field of `rep`.
    RepKey {
        Id = "id",
        Team = "team",
        Region = "region",
        Vertical = "vertical",
        CapacityPerDay = "capacity_per_day",
    }
);

keys!(
    /// A field of `event`.
    EventKey {
        Kind = "kind",
        Reason = "reason",
        RepId = "rep_id",
        OccurredAt = "occurred_at",
    }
);

/// The keys of an object's fields, by position. A field the engine does
/// not know is `None` (it reads as its zero value).
fn table<K: Copy>(object: &Object, from_name: fn(&str) -> Option<K>) -> Vec<Option<K>> {
    object.fields.iter().map(|f| from_name(f.name)).collect()
}

pub(crate) static LEAD_KEYS: LazyLock<Vec<Option<LeadKey>>> =
    LazyLock::new(|| table(&LEAD, LeadKey::from_name));
pub(crate) static ACCOUNT_KEYS: LazyLock<Vec<Option<AccountKey>>> =
    LazyLock::new(|| table(&ACCOUNT, AccountKey::from_name));
pub(crate) static TOUCH_KEYS: LazyLock<Vec<Option<TouchKey>>> =
    LazyLock::new(|| table(&TOUCH, TouchKey::from_name));
pub(crate) static REP_KEYS: LazyLock<Vec<Option<RepKey>>> =
    LazyLock::new(|| table(&REP, RepKey::from_name));
pub(crate) static EVENT_KEYS: LazyLock<Vec<Option<EventKey>>> =
    LazyLock::new(|| table(&EVENT, EventKey::from_name));

#[cfg(test)]
mod tests {
    use super::*;

    /// Every field the schema offers is one the engine reads: a field added
    /// to the schema without a key here would read as zero in every rule.
    #[test]
    fn every_schema_field_has_a_key() {
        fn all<K>(object: &Object, keys: &[Option<K>]) {
            for (f, k) in object.fields.iter().zip(keys) {
                assert!(k.is_some(), "{}.{} has no key", object.name, f.name);
            }
            assert_eq!(object.fields.len(), keys.len());
        }
        all(&LEAD, &LEAD_KEYS);
        all(&ACCOUNT, &ACCOUNT_KEYS);
        all(&TOUCH, &TOUCH_KEYS);
        all(&REP, &REP_KEYS);
        all(&EVENT, &EVENT_KEYS);
    }

    /// The keys follow the names, not the order of declaration.
    #[test]
    fn a_key_is_found_by_its_name() {
        let at = |name: &str| LEAD.fields.iter().position(|f| f.name == name).unwrap();
        assert_eq!(LEAD_KEYS[at("score")], Some(LeadKey::Score));
        assert_eq!(LEAD_KEYS[at("region")], Some(LeadKey::Region));
        assert_eq!(LeadKey::from_name("no_such_field"), None);
        let t = TOUCH.fields.iter().position(|f| f.name == "journey_stage");
        assert_eq!(TOUCH_KEYS[t.unwrap()], Some(TouchKey::JourneyStage));
    }
}
