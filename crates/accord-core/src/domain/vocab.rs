//! The closed vocabularies of the contract (stages, regions, channels, …).
//!
//! Each is a Rust enum with `parse` (exact, case-sensitive) and `as_str`, so a
//! value that reached the core is always one of the listed words, and the
//! stored event encodes it as one byte (`code`).

/// Defines a vocabulary enum: variants in the contract's order with their words.
macro_rules! vocabulary {
    ($(#[$doc:meta])* $name:ident { $($variant:ident = $word:literal),+ $(,)? }) => {
        $(#[$doc])*
        #[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
        pub enum $name { $($variant),+ }

        impl $name {
            /// Every value, in the contract's order.
            pub const ALL: &'static [$name] = &[$($name::$variant),+];
            /// The words, in the same order (for messages and "did you mean").
            pub const WORDS: &'static [&'static str] = &[$($word),+];

            pub fn parse(word: &str) -> Option<$name> {
                match word {
                    $($word => Some($name::$variant),)+
                    _ => None,
                }
            }

            pub fn as_str(self) -> &'static str {
                match self {
                    $($name::$variant => $word,)+
                }
            }

            /// A stable one-byte code: the position in `ALL`.
            pub fn code(self) -> u8 {
                self as u8
            }

            pub fn from_code(code: u8) -> Option<$name> {
                Self::ALL.get(usize::from(code)).copied()
            }
        }

        impl std::fmt::Display for $name {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str(self.as_str())
            }
        }
    };
}

vocabulary! {
    /// A lifecycle stage. `Lead` < `Mql` < … < `Customer` is the funnel order;
    /// `Recycled` and `Disqualified` are outside it.
    Stage {
        Lead = "lead", Mql = "mql", Sal = "sal", Sql = "sql",
        Opportunity = "opportunity", Customer = "customer",
        Recycled = "recycled", Disqualified = "disqualified",
    }
}

impl Stage {
    /// Position in the funnel order, or `None` for recycled and disqualified.
    pub fn funnel_rank(self) -> Option<u8> {
        match self {
            Stage::Recycled | Stage::Disqualified => None,
            other => Some(other as u8),
        }
    }
}

vocabulary! {
    Region { Na = "NA", Emea = "EMEA", Apac = "APAC", Latam = "LATAM" }
}

vocabulary! {
    Industry {
        Software = "software", Fintech = "fintech", Healthcare = "healthcare",
        Manufacturing = "manufacturing", Retail = "retail", Education = "education",
        Logistics = "logistics", Media = "media", Energy = "energy",
        PublicSector = "public_sector", Telecom = "telecom",
        ProfessionalServices = "professional_services",
    }
}

vocabulary! {
    Tier { Strategic = "strategic", Enterprise = "enterprise", MidMarket = "mid_market", Smb = "smb" }
}

vocabulary! {
    Team { Sdr = "sdr", Ae = "ae", Am = "am", Manager = "manager" }
}

vocabulary! {
    Channel {
        PaidSearch = "paid_search", PaidSocial = "paid_social", OrganicSearch = "organic_search",
        Email = "email", Webinar = "webinar", Event = "event",
        ContentSyndication = "content_syndication", Referral = "referral", Partner = "partner",
        Direct = "direct", Outbound = "outbound",
    }
}

vocabulary! {
    Seniority {
        CLevel = "c_level", Vp = "vp", Director = "director", Manager = "manager",
        Individual = "individual", Student = "student", Unknown = "unknown",
    }
}

vocabulary! {
    Persona {
        ExecutiveBuyer = "executive_buyer", TechnicalBuyer = "technical_buyer",
        Practitioner = "practitioner", Finance = "finance",
    }
}

vocabulary! {
    JourneyStage { Awareness = "awareness", Consideration = "consideration", Decision = "decision" }
}

vocabulary! {
    ContentKind {
        BlogPost = "blog_post", Ebook = "ebook", Whitepaper = "whitepaper",
        CaseStudy = "case_study", WebinarRecording = "webinar_recording", Datasheet = "datasheet",
        DemoVideo = "demo_video", PricingSheet = "pricing_sheet", RoiCalculator = "roi_calculator",
        Battlecard = "battlecard",
    }
}

vocabulary! {
    OwnerTeam { Marketing = "marketing", ProductMarketing = "product_marketing", Sales = "sales" }
}

vocabulary! {
    /// Marketing kinds first, then the three sales kinds.
    TouchKind {
        PageView = "page_view", PricingPageView = "pricing_page_view", EmailOpen = "email_open",
        EmailClick = "email_click", AdClick = "ad_click", FormFill = "form_fill",
        ContentDownload = "content_download", WebinarRegistration = "webinar_registration",
        WebinarAttended = "webinar_attended", EventVisit = "event_visit", Chat = "chat",
        DemoRequest = "demo_request",
        SalesCall = "sales_call", SalesEmail = "sales_email", Meeting = "meeting",
    }
}

impl TouchKind {
    /// A sales touch is made by a rep; every other kind is a marketing touch.
    pub fn is_sales(self) -> bool {
        matches!(
            self,
            TouchKind::SalesCall | TouchKind::SalesEmail | TouchKind::Meeting
        )
    }
}

vocabulary! {
    OpportunityKind { NewBusiness = "new_business", Expansion = "expansion", Renewal = "renewal" }
}

vocabulary! {
    OpportunityStage { Open = "open", Won = "won", Lost = "lost" }
}

vocabulary! {
    RejectionReason {
        NotDecisionMaker = "not_decision_maker", NoBudget = "no_budget", BadTiming = "bad_timing",
        Student = "student", TooSmall = "too_small", Competitor = "competitor",
        WrongRegion = "wrong_region", BadContactData = "bad_contact_data",
        ExistingCustomer = "existing_customer", NoResponse = "no_response", Duplicate = "duplicate",
    }
}

vocabulary! {
    LostReason {
        Price = "price", Competitor = "competitor", NoDecision = "no_decision", Timing = "timing",
        MissingFeatures = "missing_features", BudgetCut = "budget_cut",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn words_round_trip_and_codes_are_positions() {
        for (i, s) in Stage::ALL.iter().enumerate() {
            assert_eq!(Stage::parse(s.as_str()), Some(*s));
            assert_eq!(Stage::from_code(s.code()), Some(*s));
            assert_eq!(usize::from(s.code()), i);
        }
        assert_eq!(TouchKind::ALL.len(), 15);
        assert_eq!(TouchKind::ALL.iter().filter(|k| k.is_sales()).count(), 3);
        // Marketing kinds first: the agreement's checker relies on it.
        assert!(TouchKind::ALL[..12].iter().all(|k| !k.is_sales()));
        assert_eq!(Stage::parse("MQL"), None);
        assert_eq!(Stage::Customer.funnel_rank(), Some(5));
        assert_eq!(Stage::Recycled.funnel_rank(), None);
    }
}
