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

        impl Vocabulary for $name {
            fn parse_word(word: &str) -> Option<Self> {
                $name::parse(word)
            }
            fn word(self) -> &'static str {
                self.as_str()
            }
            fn code(self) -> u8 {
                $name::code(self)
            }
            fn from_code(code: u8) -> Option<Self> {
                $name::from_code(code)
            }
        }
    };
}

/// A closed vocabulary of the contract: its words and their one-byte codes.
pub trait Vocabulary: Copy + Eq + std::fmt::Debug + 'static {
    fn parse_word(word: &str) -> Option<Self>;
    fn word(self) -> &'static str;
    fn code(self) -> u8;
    fn from_code(code: u8) -> Option<Self>;
}

/// The longest name an agreement may declare (a stage, persona or rejection
/// reason of its own), in bytes.
pub const MAX_WORD_BYTES: usize = 64;

/// A word of a vocabulary the agreement may extend (stages, personas,
/// rejection reasons): one of the contract's words, or a name the agreement
/// declares. Stored as the contract word's one-byte code, or as text, so
/// logs written before agreements could declare words read the same.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Named<T> {
    Core(T),
    Declared(Box<str>),
}

/// Why a word cannot be stored: empty, longer than [`MAX_WORD_BYTES`], or
/// holding spaces or control characters.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("`{0}` is not a name: 1 to {MAX_WORD_BYTES} bytes without spaces or control characters")]
pub struct WordError(pub String);

impl<T: Vocabulary> Named<T> {
    /// The contract's word, or a declared one (which must be a storable name).
    pub fn parse(word: &str) -> Result<Named<T>, WordError> {
        if let Some(core) = T::parse_word(word) {
            return Ok(Named::Core(core));
        }
        let ok = !word.is_empty()
            && word.len() <= MAX_WORD_BYTES
            && word.chars().all(|c| !c.is_whitespace() && !c.is_control());
        if ok {
            Ok(Named::Declared(word.into()))
        } else {
            Err(WordError(word.to_owned()))
        }
    }

    pub fn as_str(&self) -> &str {
        match self {
            Named::Core(c) => c.word(),
            Named::Declared(w) => w,
        }
    }

    /// The contract's word, if it is one.
    pub fn core(&self) -> Option<T> {
        match self {
            Named::Core(c) => Some(*c),
            Named::Declared(_) => None,
        }
    }

    pub fn is(&self, core: T) -> bool {
        self.core() == Some(core)
    }
}

impl<T: Vocabulary> From<T> for Named<T> {
    fn from(core: T) -> Named<T> {
        Named::Core(core)
    }
}

impl<T: Vocabulary> std::fmt::Display for Named<T> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
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

    #[test]
    fn named_words_are_core_when_the_contract_has_them() {
        assert_eq!(Named::<Stage>::parse("mql"), Ok(Named::Core(Stage::Mql)));
        assert_eq!(
            Named::<Stage>::parse("nurture"),
            Ok(Named::Declared("nurture".into()))
        );
        assert!(Named::<Stage>::parse("").is_err());
        assert!(Named::<Stage>::parse("two words").is_err());
        assert!(Named::<Stage>::parse(&"x".repeat(65)).is_err());
        assert_eq!(Named::<Stage>::parse("sal").unwrap().as_str(), "sal");
        assert!(Named::<Stage>::parse("sal").unwrap().is(Stage::Sal));
    }
}
