//! The contract's vocabularies (README section 1) and the simulation's tables.

// ---- calendar -------------------------------------------------------------
/// 2025-04-01T00:00:00Z
pub const START: i64 = 1_743_465_600;
/// 2026-04-01T00:00:00Z
pub const AS_OF: i64 = 1_775_001_600;
/// 2026-03-31T23:59:59Z
pub const LAST: i64 = AS_OF - 1;
pub const MINUTE: i64 = 60;
pub const HOUR: i64 = 3600;
pub const DAY: i64 = 86_400;
pub const N_DAYS: i64 = (AS_OF - START) / DAY;
/// Lead volume by month of the period (Apr..Mar): summer and December dips.
pub const MONTH_FACTOR: [f64; 12] = [
    1.00, 1.05, 0.95, 0.80, 0.72, 1.10, 1.22, 1.12, 0.68, 1.00, 1.08, 1.18,
];
/// Mon..Sun
pub const WEEKDAY_FACTOR: [f64; 7] = [1.10, 1.15, 1.12, 1.05, 0.88, 0.30, 0.25];
/// 2025-04-01 is a Tuesday.
pub const FIRST_WEEKDAY: i64 = 1;
pub const YEAR_GROWTH: f64 = 0.20;

// ---- vocabularies -----------------------------------------------------------
pub const STAGES: [&str; 8] = [
    "lead",
    "mql",
    "sal",
    "sql",
    "opportunity",
    "customer",
    "recycled",
    "disqualified",
];
pub const S_LEAD: u8 = 0;
pub const S_MQL: u8 = 1;
pub const S_SAL: u8 = 2;
pub const S_SQL: u8 = 3;
pub const S_OPP: u8 = 4;
pub const S_CUST: u8 = 5;
pub const S_REC: u8 = 6;
pub const S_DQ: u8 = 7;

pub const REGIONS: [&str; 4] = ["NA", "EMEA", "APAC", "LATAM"];
pub const REGION_WEIGHTS: [f64; 4] = [0.42, 0.30, 0.18, 0.10];
pub const REGION_UTC_OFFSET_H: [f64; 4] = [-6.0, 1.0, 8.0, -4.0];

/// (country, weight within its region, top-level domain, legal suffix)
pub type Country = (&'static str, f64, &'static str, &'static str);
pub const COUNTRIES: [&[Country]; 4] = [
    &[("US", 0.85, "com", ", Inc."), ("CA", 0.15, "ca", " Inc.")],
    &[
        ("GB", 0.24, "co.uk", " Ltd"),
        ("DE", 0.20, "de", " GmbH"),
        ("FR", 0.14, "fr", " S.A."),
        ("NL", 0.08, "nl", " B.V."),
        ("ES", 0.07, "es", " S.L."),
        ("SE", 0.05, "se", " AB"),
        ("IT", 0.06, "it", " S.p.A."),
        ("PL", 0.05, "pl", " Sp. z o.o."),
        ("CH", 0.04, "ch", " AG"),
        ("AE", 0.04, "ae", " LLC"),
        ("ZA", 0.03, "co.za", " (Pty) Ltd"),
    ],
    &[
        ("AU", 0.25, "com.au", " Pty Ltd"),
        ("JP", 0.20, "co.jp", " K.K."),
        ("IN", 0.22, "in", " Pvt. Ltd."),
        ("SG", 0.12, "com.sg", " Pte. Ltd."),
        ("CN", 0.10, "cn", " Co., Ltd."),
        ("KR", 0.07, "co.kr", " Co., Ltd."),
        ("NZ", 0.04, "co.nz", " Limited"),
    ],
    &[
        ("BR", 0.45, "com.br", " Ltda."),
        ("MX", 0.25, "com.mx", " S.A. de C.V."),
        ("AR", 0.12, "com.ar", " S.R.L."),
        ("CL", 0.10, "cl", " SpA"),
        ("CO", 0.08, "com.co", " S.A.S."),
    ],
];

pub const INDUSTRIES: [&str; 12] = [
    "software",
    "fintech",
    "healthcare",
    "manufacturing",
    "retail",
    "education",
    "logistics",
    "media",
    "energy",
    "public_sector",
    "telecom",
    "professional_services",
];
pub const INDUSTRY_WEIGHTS: [f64; 12] = [
    0.18, 0.09, 0.10, 0.11, 0.08, 0.05, 0.07, 0.06, 0.05, 0.05, 0.05, 0.11,
];
/// How well each industry fits the seller's product.
pub const INDUSTRY_FIT: [f64; 12] = [
    0.45, 0.40, 0.20, 0.10, 0.00, -0.45, 0.05, -0.10, 0.00, -0.35, 0.15, 0.10,
];

pub const TIERS: [&str; 4] = ["strategic", "enterprise", "mid_market", "smb"];
pub const TIER_WEIGHTS: [f64; 4] = [0.03, 0.12, 0.35, 0.50];
pub const TIER_EMPLOYEES_MEDIAN: [f64; 4] = [40_000.0, 5_000.0, 600.0, 45.0];
pub const TIER_LEAD_WEIGHT: [f64; 4] = [8.0, 3.5, 1.5, 0.7];
pub const TIER_OWNER_P: [f64; 4] = [0.85, 0.45, 0.08, 0.01];
pub const TIER_CUSTOMER_P: [f64; 4] = [0.55, 0.30, 0.15, 0.07];
pub const TIER_AMOUNT_MEDIAN: [f64; 4] = [650_000.0, 160_000.0, 42_000.0, 11_000.0];
pub const TIER_AMOUNT_SIGMA: [f64; 4] = [0.45, 0.40, 0.40, 0.38];
pub const TIER_CYCLE_DAYS: [f64; 4] = [120.0, 85.0, 55.0, 28.0];

pub const TEAMS: [&str; 4] = ["sdr", "ae", "am", "manager"];
pub const T_SDR: u8 = 0;
pub const T_AE: u8 = 1;
pub const T_AM: u8 = 2;
pub const T_MANAGER: u8 = 3;

pub const CHANNELS: [&str; 11] = [
    "paid_search",
    "paid_social",
    "organic_search",
    "email",
    "webinar",
    "event",
    "content_syndication",
    "referral",
    "partner",
    "direct",
    "outbound",
];
pub const CH_PAID_SEARCH: u8 = 0;
pub const CH_PAID_SOCIAL: u8 = 1;
pub const CH_ORGANIC: u8 = 2;
pub const CH_EMAIL: u8 = 3;
pub const CH_WEBINAR: u8 = 4;
pub const CH_EVENT: u8 = 5;
pub const CH_SYND: u8 = 6;
pub const CH_REFERRAL: u8 = 7;
pub const CH_PARTNER: u8 = 8;
pub const CH_DIRECT: u8 = 9;
pub const CH_OUTBOUND: u8 = 10;
pub const LEAD_CHANNEL_WEIGHTS: [f64; 11] = [
    0.14, 0.13, 0.15, 0.06, 0.08, 0.05, 0.12, 0.04, 0.05, 0.08, 0.10,
];
/// Lead quality by source channel (referrals and partners good, syndication poor).
pub const CHANNEL_QUALITY: [f64; 11] = [
    0.05, -0.55, 0.20, 0.05, 0.50, 0.40, -0.70, 0.95, 0.70, 0.45, -0.05,
];
pub const TOUCH_CHANNEL_WEIGHTS: [f64; 11] = [
    0.10, 0.08, 0.24, 0.20, 0.06, 0.03, 0.05, 0.02, 0.03, 0.16, 0.03,
];
/// Channels that run campaigns: (channel, share of campaigns, median days, median cost).
pub const CAMPAIGN_CHANNELS: [(u8, f64, f64, f64); 9] = [
    (CH_PAID_SEARCH, 0.15, 90.0, 60_000.0),
    (CH_PAID_SOCIAL, 0.13, 60.0, 40_000.0),
    (CH_EMAIL, 0.17, 30.0, 4_000.0),
    (CH_WEBINAR, 0.18, 35.0, 9_000.0),
    (CH_EVENT, 0.10, 21.0, 70_000.0),
    (CH_SYND, 0.09, 75.0, 30_000.0),
    (CH_REFERRAL, 0.04, 180.0, 15_000.0),
    (CH_PARTNER, 0.06, 120.0, 25_000.0),
    (CH_OUTBOUND, 0.08, 60.0, 12_000.0),
];
/// Always-on programmes, one per steady channel.
pub const EVERGREEN_CHANNELS: [u8; 7] = [
    CH_PAID_SEARCH,
    CH_PAID_SOCIAL,
    CH_SYND,
    CH_REFERRAL,
    CH_PARTNER,
    CH_OUTBOUND,
    CH_EMAIL,
];
pub const CAMPAIGN_THEMES: [&str; 13] = [
    "Data Platform",
    "Cloud Migration",
    "AI Readiness",
    "Security Summit",
    "Pipeline Push",
    "Customer Stories",
    "Cost Control",
    "Analytics 101",
    "Partner Connect",
    "Launch: Insights 3.0",
    "Retail & CPG",
    "FinServ Forum",
    "Healthcare Day",
];

pub const SENIORITIES: [&str; 7] = [
    "c_level",
    "vp",
    "director",
    "manager",
    "individual",
    "student",
    "unknown",
];
pub const SEN_INDIVIDUAL: u8 = 4;
pub const SEN_STUDENT: u8 = 5;
pub const SEN_UNKNOWN: u8 = 6;
/// Students are drawn separately (STUDENT_SHARE).
pub const SENIORITY_WEIGHTS: [f64; 7] = [0.05, 0.08, 0.16, 0.26, 0.33, 0.0, 0.12];
pub const SENIORITY_FIT: [f64; 7] = [0.90, 0.85, 0.65, 0.30, -0.25, -2.2, -0.60];
pub const STUDENT_SHARE: f64 = 0.03;

pub const PERSONAS: [&str; 4] = [
    "executive_buyer",
    "technical_buyer",
    "practitioner",
    "finance",
];
pub const PERSONA_BY_SENIORITY: [[f64; 4]; 7] = [
    [0.60, 0.22, 0.03, 0.15],
    [0.45, 0.30, 0.10, 0.15],
    [0.20, 0.35, 0.30, 0.15],
    [0.08, 0.32, 0.50, 0.10],
    [0.02, 0.38, 0.55, 0.05],
    [0.0, 0.0, 1.0, 0.0],
    [0.1, 0.3, 0.5, 0.1],
];
/// Titles by [seniority][persona].
pub const TITLES: [[&[&str]; 4]; 7] = [
    [
        &[
            "CEO",
            "Founder & CEO",
            "Chief Operating Officer",
            "Managing Director",
        ],
        &[
            "CTO",
            "CIO",
            "Chief Data Officer",
            "Chief Information Security Officer",
        ],
        &["Chief Marketing Officer", "Chief Revenue Officer"],
        &["CFO", "Chief Financial Officer"],
    ],
    [
        &["VP, Operations", "SVP Strategy", "VP Business Development"],
        &["VP Engineering", "VP of IT", "VP, Data & Analytics"],
        &["VP Marketing", "VP Sales", "VP Customer Success"],
        &["VP Finance", "VP, Procurement"],
    ],
    [
        &["Director of Strategy", "Head of Operations"],
        &[
            "Director, IT Operations",
            "Head of Engineering",
            "Director of Data Science",
        ],
        &[
            "Marketing Director",
            "Director of Demand Generation",
            "Head of \"Growth\"",
        ],
        &["Finance Director", "Director, Procurement"],
    ],
    [
        &["General Manager", "Business Unit Manager"],
        &["IT Manager", "Engineering Manager", "Data Platform Manager"],
        &[
            "Marketing Manager",
            "Sales Operations Manager",
            "Product Manager",
        ],
        &["Finance Manager", "Procurement Manager"],
    ],
    [
        &["Chief of Staff", "Business Analyst"],
        &[
            "Software Engineer",
            "Data Engineer",
            "DevOps Engineer",
            "Solutions Architect",
        ],
        &[
            "Marketing Specialist",
            "Sales Representative",
            "Analyst",
            "Ops Specialist",
        ],
        &["Accountant", "Financial Analyst", "Buyer"],
    ],
    [
        &["Student"],
        &["Computer Science Student", "PhD student"],
        &["Student", "MBA candidate", "Intern"],
        &["MBA candidate"],
    ],
    [
        &["Consultant"],
        &["Consultant", "Freelancer"],
        &["Other", "Consultant"],
        &["Advisor"],
    ],
];

pub const JOURNEY: [&str; 3] = ["awareness", "consideration", "decision"];
pub const CONTENT_KINDS: [&str; 10] = [
    "blog_post",
    "ebook",
    "whitepaper",
    "case_study",
    "webinar_recording",
    "datasheet",
    "demo_video",
    "pricing_sheet",
    "roi_calculator",
    "battlecard",
];
pub const CONTENT_KIND_WEIGHTS: [f64; 10] =
    [0.28, 0.1, 0.1, 0.12, 0.08, 0.1, 0.07, 0.04, 0.04, 0.07];
/// Typical journey stage of each kind.
pub const CONTENT_KIND_STAGE: [u8; 10] = [0, 0, 1, 2, 1, 1, 2, 2, 2, 2];
pub const CONTENT_OWNER_TEAMS: [&str; 3] = ["marketing", "product_marketing", "sales"];
/// (persona, journey stage) cells left without any asset: finance/awareness, technical/decision.
pub const CONTENT_GAPS: [(u8, u8); 2] = [(3, 0), (1, 2)];
pub const CONTENT_TOPICS: [&str; 14] = [
    "Data Quality",
    "Pipeline Forecasting",
    "Lead Scoring",
    "Attribution",
    "SLA Design",
    "Revenue Operations",
    "Account Matching",
    "Churn",
    "Pricing",
    "Security",
    "Integrations",
    "Onboarding",
    "AI Assistants",
    "Dashboards",
];

pub const TOUCH_KINDS: [&str; 15] = [
    "page_view",
    "pricing_page_view",
    "email_open",
    "email_click",
    "ad_click",
    "form_fill",
    "content_download",
    "webinar_registration",
    "webinar_attended",
    "event_visit",
    "chat",
    "demo_request",
    "sales_call",
    "sales_email",
    "meeting",
];
pub const K_PAGE: u8 = 0;
pub const K_PRICING: u8 = 1;
pub const K_OPEN: u8 = 2;
pub const K_CLICK: u8 = 3;
pub const K_AD: u8 = 4;
pub const K_FORM: u8 = 5;
pub const K_DOWNLOAD: u8 = 6;
pub const K_WREG: u8 = 7;
pub const K_WATT: u8 = 8;
pub const K_EVENT: u8 = 9;
pub const K_CHAT: u8 = 10;
pub const K_DEMO: u8 = 11;
pub const K_CALL: u8 = 12;
pub const K_SEMAIL: u8 = 13;
pub const K_MEETING: u8 = 14;
/// First sales kind; kinds below it are marketing kinds.
pub const FIRST_SALES_KIND: u8 = K_CALL;

/// Marketing kind mix of ordinary touches per channel.
pub const CHANNEL_KINDS: [&[(u8, f64)]; 11] = [
    &[(K_AD, 0.6), (K_PAGE, 0.32), (K_FORM, 0.08)],
    &[(K_AD, 0.7), (K_PAGE, 0.26), (K_FORM, 0.04)],
    &[
        (K_PAGE, 0.74),
        (K_DOWNLOAD, 0.12),
        (K_FORM, 0.05),
        (K_CHAT, 0.09),
    ],
    &[
        (K_OPEN, 0.55),
        (K_CLICK, 0.3),
        (K_DOWNLOAD, 0.1),
        (K_WREG, 0.05),
    ],
    &[(K_WREG, 0.6), (K_PAGE, 0.2), (K_OPEN, 0.2)],
    &[(K_EVENT, 0.75), (K_PAGE, 0.15), (K_CHAT, 0.1)],
    &[(K_DOWNLOAD, 0.8), (K_PAGE, 0.2)],
    &[(K_PAGE, 0.6), (K_FORM, 0.3), (K_CHAT, 0.1)],
    &[(K_PAGE, 0.5), (K_FORM, 0.25), (K_DOWNLOAD, 0.25)],
    &[(K_PAGE, 0.8), (K_CHAT, 0.15), (K_FORM, 0.05)],
    &[(K_OPEN, 0.6), (K_CLICK, 0.3), (K_PAGE, 0.1)],
];
/// The touch that created a lead, by source channel.
pub const FIRST_TOUCH_KIND: [u8; 11] = [
    K_FORM, K_FORM, K_FORM, K_CLICK, K_WREG, K_EVENT, K_DOWNLOAD, K_FORM, K_FORM, K_DEMO, K_OPEN,
];

pub const REJECTION_REASONS: [&str; 11] = [
    "not_decision_maker",
    "no_budget",
    "bad_timing",
    "student",
    "too_small",
    "competitor",
    "wrong_region",
    "bad_contact_data",
    "existing_customer",
    "no_response",
    "duplicate",
];
pub const R_NDM: u8 = 0;
pub const R_BUDGET: u8 = 1;
pub const R_TIMING: u8 = 2;
pub const R_STUDENT: u8 = 3;
pub const R_SMALL: u8 = 4;
pub const R_COMPETITOR: u8 = 5;
pub const R_REGION: u8 = 6;
pub const R_CONTACT: u8 = 7;
pub const R_CUSTOMER: u8 = 8;
pub const R_NORESPONSE: u8 = 9;
pub const R_DUPLICATE: u8 = 10;
/// Reasons after which a rejected lead is usually disqualified rather than recycled.
pub const DISQUALIFYING: [u8; 5] = [R_STUDENT, R_COMPETITOR, R_CONTACT, R_DUPLICATE, R_REGION];

pub const OPP_KINDS: [&str; 3] = ["new_business", "expansion", "renewal"];
pub const OPP_STAGES: [&str; 3] = ["open", "won", "lost"];
pub const LOST_REASONS: [&str; 6] = [
    "price",
    "competitor",
    "no_decision",
    "timing",
    "missing_features",
    "budget_cut",
];
pub const LOST_REASON_WEIGHTS: [f64; 6] = [0.25, 0.25, 0.2, 0.12, 0.1, 0.08];

// ---- people and companies ---------------------------------------------------
pub const FREE_MAIL: [(&str, f64); 10] = [
    ("gmail.com", 0.42),
    ("yahoo.com", 0.10),
    ("outlook.com", 0.12),
    ("hotmail.com", 0.10),
    ("icloud.com", 0.06),
    ("proton.me", 0.04),
    ("gmx.de", 0.05),
    ("web.de", 0.04),
    ("qq.com", 0.04),
    ("yandex.ru", 0.03),
];
pub const EDU_DOMAINS: [&str; 10] = [
    "stanford.edu",
    "mit.edu",
    "berkeley.edu",
    "nyu.edu",
    "umich.edu",
    "cmu.edu",
    "utexas.edu",
    "harvard.edu",
    "gatech.edu",
    "columbia.edu",
];
pub const SUBDOMAINS: [&str; 6] = ["eu.", "mail.", "us.", "corp.", "uk.", "apac."];
pub const SELLER_DOMAIN: &str = "northbeam-demo.io";

/// (display, ascii for e-mail addresses)
pub const FIRST_NAMES: [(&str, &str); 48] = [
    ("James", "james"),
    ("Mary", "mary"),
    ("José", "jose"),
    ("Zoë", "zoe"),
    ("Łukasz", "lukasz"),
    ("Søren", "soren"),
    ("François", "francois"),
    ("Chloé", "chloe"),
    ("Jürgen", "juergen"),
    ("Anaïs", "anais"),
    ("Björn", "bjorn"),
    ("João", "joao"),
    ("María", "maria"),
    ("Priya", "priya"),
    ("Olga", "olga"),
    ("Ahmed", "ahmed"),
    ("Fatima", "fatima"),
    ("Emma", "emma"),
    ("Liam", "liam"),
    ("Noah", "noah"),
    ("Olivia", "olivia"),
    ("Lucas", "lucas"),
    ("Mateo", "mateo"),
    ("Aarav", "aarav"),
    ("Sven", "sven"),
    ("Ingrid", "ingrid"),
    ("Małgorzata", "malgorzata"),
    ("Jean-Luc", "jeanluc"),
    ("Siobhán", "siobhan"),
    ("Renée", "renee"),
    ("Michael", "michael"),
    ("Sarah", "sarah"),
    ("David", "david"),
    ("Laura", "laura"),
    ("Daniel", "daniel"),
    ("Anna", "anna"),
    ("Carlos", "carlos"),
    ("Lucía", "lucia"),
    ("Ömer", "omer"),
    ("Ayşe", "ayse"),
    ("Kofi", "kofi"),
    ("Amara", "amara"),
    ("Arjun", "arjun"),
    ("Chen", "chen"),
    ("Hiroshi", "hiroshi"),
    ("Beatriz", "beatriz"),
    ("Robert", "robert"),
    ("Andrés", "andres"),
];
pub const LAST_NAMES: [(&str, &str); 44] = [
    ("Smith", "smith"),
    ("Álvarez", "alvarez"),
    ("Müller", "mueller"),
    ("Wróbel", "wrobel"),
    ("García", "garcia"),
    ("Nguyen", "nguyen"),
    ("O'Brien", "obrien"),
    ("Johansson", "johansson"),
    ("Dubois", "dubois"),
    ("Rossi", "rossi"),
    ("Kowalski", "kowalski"),
    ("Schröder", "schroeder"),
    ("Jensen", "jensen"),
    ("Patel", "patel"),
    ("Sharma", "sharma"),
    ("Silva", "silva"),
    ("Santos", "santos"),
    ("Johnson", "johnson"),
    ("Williams", "williams"),
    ("Brown", "brown"),
    ("Miller", "miller"),
    ("Davis", "davis"),
    ("Wilson", "wilson"),
    ("Taylor", "taylor"),
    ("Martin", "martin"),
    ("Lefèvre", "lefevre"),
    ("Núñez", "nunez"),
    ("Fernández", "fernandez"),
    ("Łopuszańska", "lopuszanska"),
    ("Dvořák", "dvorak"),
    ("Öztürk", "ozturk"),
    ("Van der Berg", "vanderberg"),
    ("De Souza", "desouza"),
    ("Kim", "kim"),
    ("Singh", "singh"),
    ("Okafor", "okafor"),
    ("Mensah", "mensah"),
    ("Ivanova", "ivanova"),
    ("Novák", "novak"),
    ("Fischer", "fischer"),
    ("Moreau", "moreau"),
    ("Hernández", "hernandez"),
    ("Nakamura", "nakamura"),
    ("Reddy", "reddy"),
];
/// Names written in the local script, by country: (country, family names, given names).
pub type NameList = &'static [(&'static str, &'static str)];
pub const CJK_NAMES: [(&str, NameList, NameList); 3] = [
    (
        "JP",
        &[
            ("山田", "yamada"),
            ("佐藤", "sato"),
            ("鈴木", "suzuki"),
            ("田中", "tanaka"),
            ("高橋", "takahashi"),
        ],
        &[
            ("太郎", "taro"),
            ("花子", "hanako"),
            ("健", "ken"),
            ("美咲", "misaki"),
            ("翔", "sho"),
        ],
    ),
    (
        "CN",
        &[
            ("王", "wang"),
            ("李", "li"),
            ("张", "zhang"),
            ("陈", "chen"),
            ("刘", "liu"),
        ],
        &[
            ("伟", "wei"),
            ("芳", "fang"),
            ("静", "jing"),
            ("磊", "lei"),
            ("娜", "na"),
        ],
    ),
    (
        "KR",
        &[("김", "kim"), ("박", "park"), ("이", "lee"), ("최", "choi")],
        &[
            ("민준", "minjun"),
            ("서연", "seoyeon"),
            ("지훈", "jihoon"),
            ("수빈", "subin"),
        ],
    ),
];

pub const NAME_HEADS: [&str; 48] = [
    "North", "South", "East", "West", "Blue", "Red", "Green", "Silver", "Golden", "Bright",
    "Clear", "Deep", "High", "Iron", "Stone", "River", "Lake", "Sun", "Moon", "Star", "Cloud",
    "Sky", "Data", "Quant", "Nova", "Terra", "Aero", "Hyper", "Omni", "Peak", "Pine", "Oak",
    "Cedar", "Maple", "Fox", "Wolf", "Eagle", "Lumen", "Vertex", "Apex", "Core", "Prime", "Flux",
    "Arc", "Pixel", "Orbit", "Polar", "Harbor",
];
pub const NAME_TAILS: [&str; 32] = [
    "wind", "field", "gate", "bridge", "point", "ridge", "stone", "wave", "line", "path", "forge",
    "works", "light", "stream", "port", "view", "craft", "mark", "base", "hub", "logic", "soft",
    "ware", "tech", "net", "scale", "stack", "mind", "sight", "shift", "loop", "grid",
];
pub const ACCOUNT_DESCRIPTORS: [&str; 24] = [
    "",
    "",
    "",
    "",
    "Labs",
    "Systems",
    "Analytics",
    "Group",
    "Technologies",
    "Health",
    "Logistics",
    "Energy",
    "Media",
    "Retail",
    "Capital",
    "Solutions",
    "Networks",
    "Robotics",
    "Foods",
    "Insurance",
    "Pharma",
    "Telecom",
    "Motors",
    "Bank",
];
/// Descriptors of companies that are not in the CRM.
pub const OTHER_DESCRIPTORS: [&str; 10] = [
    "Studio",
    "Collective",
    "Atelier",
    "Ventures",
    "Holdings",
    "Consulting",
    "Agency",
    "Partners",
    "Workshop",
    "Coopérative",
];
