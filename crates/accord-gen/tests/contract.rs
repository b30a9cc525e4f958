//! Re-reads generated files with the csv crate and checks the kit's contract
//! (README section 1): formats, vocabularies, references, transition chains,
//! time bounds; and that generation is deterministic.

use std::collections::{HashMap, HashSet};
use std::path::Path;

use accord_gen::{generate, Config};
use accord_import::contract::FileKind;

const START: i64 = 1_743_465_600;
const AS_OF: i64 = 1_775_001_600;

const FILES: [&str; 10] = [
    "accounts.csv",
    "reps.csv",
    "campaigns.csv",
    "content.csv",
    "leads.csv",
    "touches.csv",
    "transitions.csv",
    "opportunities.csv",
    "targets.csv",
    "meta.json",
];

type Rows = Vec<HashMap<String, String>>;

/// Reads a generated file, checking its header against the importer's contract
/// (the one list of columns), so the generator and `accord import` cannot drift.
fn read(dir: &Path, name: &str) -> Rows {
    let header = FileKind::ORDER
        .into_iter()
        .find(|k| k.file_name() == name)
        .expect("a contract file")
        .columns();
    let raw = std::fs::read(dir.join(name)).unwrap();
    assert!(!raw.contains(&b'\r'), "{name}: \\n line endings only");
    assert!(std::str::from_utf8(&raw).is_ok(), "{name}: UTF-8");
    let mut r = csv::ReaderBuilder::new().from_reader(raw.as_slice());
    let h: Vec<String> = r.headers().unwrap().iter().map(String::from).collect();
    assert_eq!(h, header, "{name}: header");
    r.records()
        .map(|rec| {
            let rec = rec.unwrap();
            assert_eq!(rec.len(), header.len(), "{name}: field count");
            h.iter()
                .cloned()
                .zip(rec.iter().map(String::from))
                .collect()
        })
        .collect()
}

fn days_from_civil(y: i64, m: i64, d: i64) -> i64 {
    let y = if m <= 2 { y - 1 } else { y };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let mp = (m + 9) % 12;
    let doy = (153 * mp + 2) / 5 + d - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

/// Parses `YYYY-MM-DDTHH:MM:SSZ` strictly.
fn ts(s: &str) -> i64 {
    let b = s.as_bytes();
    assert_eq!(b.len(), 20, "timestamp {s:?}");
    let ok = b.iter().enumerate().all(|(i, c)| match i {
        4 | 7 => *c == b'-',
        10 => *c == b'T',
        13 | 16 => *c == b':',
        19 => *c == b'Z',
        _ => c.is_ascii_digit(),
    });
    assert!(ok, "timestamp {s:?}");
    let n = |a: usize, z: usize| s[a..z].parse::<i64>().unwrap();
    let (mo, d, h, mi, se) = (n(5, 7), n(8, 10), n(11, 13), n(14, 16), n(17, 19));
    assert!(
        (1..=12).contains(&mo) && (1..=31).contains(&d) && h < 24 && mi < 60 && se < 60,
        "{s}"
    );
    days_from_civil(n(0, 4), mo, d) * 86_400 + h * 3600 + mi * 60 + se
}

fn in_period(s: &str) -> i64 {
    let t = ts(s);
    assert!((START..AS_OF).contains(&t), "{s} outside the period");
    t
}

fn money(s: &str) -> f64 {
    let (a, b) = s.split_once('.').unwrap_or_else(|| panic!("money {s:?}"));
    assert!(
        !a.is_empty() && a.bytes().all(|c| c.is_ascii_digit()),
        "money {s:?}"
    );
    assert!(
        b.len() == 2 && b.bytes().all(|c| c.is_ascii_digit()),
        "money {s:?}"
    );
    s.parse().unwrap()
}

fn check_ids(rows: &Rows, col: &str, prefix: char, width: usize) -> HashSet<String> {
    let mut seen = HashSet::new();
    for (i, r) in rows.iter().enumerate() {
        let id = &r[col];
        assert_eq!(
            id,
            &format!("{prefix}{:0width$}", i + 1),
            "{col} in id order"
        );
        assert!(seen.insert(id.clone()));
    }
    seen
}

fn in_vocab(v: &str, vocab: &[&str], what: &str) {
    assert!(vocab.contains(&v), "{what}: {v:?} not in the vocabulary");
}

const REGIONS: &[&str] = &["NA", "EMEA", "APAC", "LATAM"];
const INDUSTRIES: &[&str] = &[
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
const CHANNELS: &[&str] = &[
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
const STAGES: &[&str] = &[
    "lead",
    "mql",
    "sal",
    "sql",
    "opportunity",
    "customer",
    "recycled",
    "disqualified",
];
const MKT_KINDS: &[&str] = &[
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
];
const SALES_KINDS: &[&str] = &["sales_call", "sales_email", "meeting"];
const REASONS: &[&str] = &[
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

fn opt<'a>(r: &'a HashMap<String, String>, col: &str) -> Option<&'a str> {
    Some(r[col].as_str()).filter(|s| !s.is_empty())
}

#[test]
fn generated_data_follows_the_contract() {
    let dir = tempfile::tempdir().unwrap();
    let n = 2000;
    let sum = generate(&Config { leads: n, seed: 42 }, dir.path()).unwrap();
    let d = dir.path();
    for f in FILES {
        assert!(d.join(f).is_file(), "{f} written");
    }
    let meta = std::fs::read_to_string(d.join("meta.json")).unwrap();
    assert_eq!(
        meta.trim(),
        r#"{"generator": "accord-gen", "seed": 42, "leads": 2000, "as_of": "2026-04-01T00:00:00Z"}"#
    );

    // reps
    let reps = read(d, "reps.csv");
    let rep_ids = check_ids(&reps, "rep_id", 'R', 4);
    let team: HashMap<&str, &str> = reps
        .iter()
        .map(|r| (r["rep_id"].as_str(), r["team"].as_str()))
        .collect();
    for r in &reps {
        in_vocab(&r["team"], &["sdr", "ae", "am", "manager"], "team");
        in_vocab(&r["region"], REGIONS, "region");
        if let Some(v) = opt(r, "vertical") {
            in_vocab(v, INDUSTRIES, "vertical");
        }
        if let Some(m) = opt(r, "manager_id") {
            assert_eq!(team.get(m), Some(&"manager"), "manager_id -> a manager");
        }
        let cap: u32 = r["capacity_per_day"].parse().unwrap();
        assert_eq!(cap == 0, r["team"] == "manager");
        assert!(ts(&r["hired_at"]) < AS_OF);
        assert!(!r["name"].is_empty() && r["email"].contains('@'));
    }
    assert_eq!(sum.reps, reps.len() as u64);

    // accounts
    let accounts = read(d, "accounts.csv");
    let account_ids = check_ids(&accounts, "account_id", 'A', 6);
    let mut domains = HashSet::new();
    for a in &accounts {
        let dom = &a["domain"];
        assert_eq!(dom, &dom.to_lowercase());
        assert!(
            dom.contains('.') && domains.insert(dom.clone()),
            "unique domain {dom}"
        );
        in_vocab(&a["industry"], INDUSTRIES, "industry");
        in_vocab(&a["region"], REGIONS, "region");
        in_vocab(
            &a["tier"],
            &["strategic", "enterprise", "mid_market", "smb"],
            "tier",
        );
        assert_eq!(a["country"].len(), 2);
        assert!(!a["name"].is_empty());
        if let Some(e) = opt(a, "employees") {
            e.parse::<u64>().unwrap();
        }
        if let Some(m) = opt(a, "annual_revenue_usd") {
            money(m);
        }
        if let Some(o) = opt(a, "owner_rep_id") {
            assert!(rep_ids.contains(o));
        }
        assert!(ts(&a["created_at"]) < AS_OF);
    }

    // campaigns
    let campaigns = read(d, "campaigns.csv");
    let campaign_ids = check_ids(&campaigns, "campaign_id", 'C', 4);
    for c in &campaigns {
        in_vocab(&c["channel"], CHANNELS, "channel");
        let s = in_period(&c["started_at"]);
        if let Some(e) = opt(c, "ended_at") {
            assert!(in_period(e) >= s);
        }
        money(&c["cost_usd"]);
    }

    // content
    let content = read(d, "content.csv");
    let content_ids = check_ids(&content, "content_id", 'K', 4);
    let published: HashMap<&str, i64> = content
        .iter()
        .map(|c| (c["content_id"].as_str(), ts(&c["published_at"])))
        .collect();
    for c in &content {
        in_vocab(
            &c["persona"],
            &[
                "executive_buyer",
                "technical_buyer",
                "practitioner",
                "finance",
            ],
            "persona",
        );
        in_vocab(
            &c["journey_stage"],
            &["awareness", "consideration", "decision"],
            "journey_stage",
        );
        in_vocab(
            &c["owner_team"],
            &["marketing", "product_marketing", "sales"],
            "owner_team",
        );
        assert!(ts(&c["published_at"]) < AS_OF);
    }

    // leads
    let leads = read(d, "leads.csv");
    assert_eq!(leads.len() as u64, n);
    check_ids(&leads, "lead_id", 'L', 7);
    let mut created: HashMap<&str, i64> = HashMap::new();
    let mut lead_account: HashMap<&str, Option<&str>> = HashMap::new();
    let mut prev = START;
    for l in &leads {
        let (local, domain) = l["email"].split_once('@').expect("e-mail has an @");
        assert!(
            !local.is_empty() && domain.contains('.') && !domain.contains('@'),
            "{}",
            l["email"]
        );
        in_vocab(
            &l["seniority"],
            &[
                "c_level",
                "vp",
                "director",
                "manager",
                "individual",
                "student",
                "unknown",
            ],
            "seniority",
        );
        in_vocab(&l["region"], REGIONS, "region");
        in_vocab(&l["source_channel"], CHANNELS, "source_channel");
        if let Some(i) = opt(l, "industry_reported") {
            in_vocab(i, INDUSTRIES, "industry_reported");
        }
        if let Some(e) = opt(l, "employees_reported") {
            e.parse::<u64>().unwrap();
        }
        if let Some(c) = opt(l, "source_campaign_id") {
            assert!(campaign_ids.contains(c));
        }
        if let Some(a) = opt(l, "account_id") {
            assert!(account_ids.contains(a));
        }
        let t = in_period(&l["created_at"]);
        assert!(t >= prev, "leads in time order");
        prev = t;
        created.insert(&l["lead_id"], t);
        lead_account.insert(&l["lead_id"], opt(l, "account_id"));
    }
    // realism the importer must cope with
    let all_names: String = leads.iter().map(|l| l["full_name"].as_str()).collect();
    assert!(!all_names.is_ascii(), "non-ASCII names");
    assert!(
        leads.iter().any(|l| l["company_name"].contains(',')),
        "commas in company names"
    );
    assert!(
        accounts.iter().any(|a| a["name"].contains('"'))
            || leads.iter().any(|l| l["title"].contains('"'))
    );
    assert!(
        leads.iter().any(|l| l["email"].ends_with("@gmail.com")),
        "free mail"
    );
    assert!(leads.iter().any(|l| l["seniority"] == "student"));

    // touches
    let touches = read(d, "touches.csv");
    check_ids(&touches, "touch_id", 'T', 8);
    let mut sales_touches = 0;
    for t in &touches {
        let at = in_period(&t["occurred_at"]);
        let c = created
            .get(t["lead_id"].as_str())
            .expect("touch.lead_id resolves");
        assert!(at >= *c, "touch before its lead was created");
        let kind = t["kind"].as_str();
        if MKT_KINDS.contains(&kind) {
            in_vocab(
                opt(t, "channel").expect("marketing touch has a channel"),
                CHANNELS,
                "channel",
            );
            assert!(opt(t, "rep_id").is_none(), "marketing touch without rep");
        } else {
            in_vocab(kind, SALES_KINDS, "touch kind");
            assert!(opt(t, "channel").is_none(), "sales touch without channel");
            assert!(rep_ids.contains(opt(t, "rep_id").expect("sales touch has a rep")));
            sales_touches += 1;
        }
        if let Some(c) = opt(t, "campaign_id") {
            assert!(campaign_ids.contains(c));
        }
        if let Some(k) = opt(t, "content_id") {
            assert!(content_ids.contains(k));
            assert!(published[k] <= at, "content used before it was published");
        }
    }
    assert!(sales_touches > 0);

    // transitions: chains per lead, in time order
    let transitions = read(d, "transitions.csv");
    check_ids(&transitions, "transition_id", 'S', 8);
    let mut stage: HashMap<&str, (&str, i64)> = HashMap::new();
    let mut entered: HashMap<(&str, &str), Vec<i64>> = HashMap::new();
    let mut rejections = 0;
    for t in &transitions {
        let lead = t["lead_id"].as_str();
        let at = in_period(&t["occurred_at"]);
        let c = created.get(lead).expect("transition.lead_id resolves");
        let (from, to) = (t["from_stage"].as_str(), t["to_stage"].as_str());
        in_vocab(from, STAGES, "from_stage");
        in_vocab(to, STAGES, "to_stage");
        let (cur, last) = stage.get(lead).copied().unwrap_or(("lead", *c));
        assert_eq!(from, cur, "{lead}: from_stage equals the previous to_stage");
        assert!(
            at >= last,
            "{lead}: transitions in time order, not before creation"
        );
        stage.insert(lead, (to, at));
        entered.entry((lead, to)).or_default().push(at);
        if let Some(r) = opt(t, "rep_id") {
            assert!(rep_ids.contains(r));
        }
        if to == "mql" {
            assert!(opt(t, "rep_id").is_some(), "an MQL is routed to a rep");
        }
        if let Some(reason) = opt(t, "reason") {
            in_vocab(reason, REASONS, "reason");
        }
        if from == "mql" && (to == "recycled" || to == "disqualified") && opt(t, "rep_id").is_some()
        {
            assert!(opt(t, "reason").is_some(), "a sales rejection has a reason");
            rejections += 1;
        }
    }
    assert!(rejections > 0);
    assert!(
        entered.keys().any(|(_, s)| *s == "customer"),
        "some leads become customers"
    );
    assert!(
        transitions
            .iter()
            .any(|t| t["from_stage"] == "recycled" && t["to_stage"] == "mql"),
        "recycled leads qualify again"
    );

    // opportunities
    let opps = read(d, "opportunities.csv");
    check_ids(&opps, "opportunity_id", 'O', 6);
    for o in &opps {
        assert!(account_ids.contains(o["account_id"].as_str()));
        assert!(rep_ids.contains(o["owner_rep_id"].as_str()));
        in_vocab(
            &o["kind"],
            &["new_business", "expansion", "renewal"],
            "opportunity kind",
        );
        in_vocab(&o["stage"], &["open", "won", "lost"], "opportunity stage");
        let c = in_period(&o["created_at"]);
        let closed = opt(o, "closed_at").map(in_period);
        assert_eq!(
            closed.is_none(),
            o["stage"] == "open",
            "closed_at null iff open"
        );
        if let Some(cl) = closed {
            assert!(cl >= c, "closed before created");
        }
        assert!(money(&o["amount_usd"]) > 0.0);
        if let Some(r) = opt(o, "lost_reason") {
            assert_eq!(o["stage"], "lost");
            in_vocab(
                r,
                &[
                    "price",
                    "competitor",
                    "no_decision",
                    "timing",
                    "missing_features",
                    "budget_cut",
                ],
                "lost_reason",
            );
        }
        if let Some(l) = opt(o, "primary_lead_id") {
            assert!(created.contains_key(l), "primary lead resolves");
            assert!(created[l] <= c);
            if o["kind"] == "new_business" {
                assert_eq!(lead_account[l], Some(o["account_id"].as_str()));
                assert!(
                    entered[&(l, "opportunity")].contains(&c),
                    "lead entered opportunity at created_at"
                );
                match (o["stage"].as_str(), closed) {
                    ("won", Some(cl)) => assert!(entered[&(l, "customer")].contains(&cl)),
                    ("lost", Some(cl)) => assert!(entered[&(l, "recycled")].contains(&cl)),
                    _ => {}
                }
            }
        }
    }

    // targets: every region x month
    let targets = read(d, "targets.csv");
    let keys: HashSet<(String, String)> = targets
        .iter()
        .map(|t| (t["region"].clone(), t["month"].clone()))
        .collect();
    assert_eq!(keys.len(), 48);
    for r in REGIONS {
        for m in [
            "2025-04", "2025-05", "2025-06", "2025-07", "2025-08", "2025-09", "2025-10", "2025-11",
            "2025-12", "2026-01", "2026-02", "2026-03",
        ] {
            assert!(
                keys.contains(&(r.to_string(), m.to_string())),
                "target for {r} {m}"
            );
        }
    }
    for t in &targets {
        t["mql_target"].parse::<u64>().unwrap();
    }

    // the summary counts the rows, and the volumes look like the kit's
    assert_eq!(
        (
            sum.accounts,
            sum.campaigns,
            sum.content,
            sum.touches,
            sum.transitions,
            sum.opportunities,
            sum.targets
        ),
        (
            accounts.len() as u64,
            campaigns.len() as u64,
            content.len() as u64,
            touches.len() as u64,
            transitions.len() as u64,
            opps.len() as u64,
            48
        )
    );
    let per_lead = |x: usize| x as f64 / n as f64;
    assert!(
        (12.0..30.0).contains(&per_lead(touches.len())),
        "touches per lead {}",
        per_lead(touches.len())
    );
    assert!((0.6..1.6).contains(&per_lead(transitions.len())));
    assert!((0.04..0.16).contains(&per_lead(opps.len())));
    let mql_leads = entered.keys().filter(|(_, s)| *s == "mql").count();
    assert!(
        (0.15..0.45).contains(&per_lead(mql_leads)),
        "lead to MQL {}",
        per_lead(mql_leads)
    );
}

fn files(dir: &Path) -> Vec<Vec<u8>> {
    FILES
        .iter()
        .map(|f| std::fs::read(dir.join(f)).unwrap())
        .collect()
}

#[test]
fn same_seed_same_bytes_other_seed_other_bytes() {
    let (a, b, c) = (
        tempfile::tempdir().unwrap(),
        tempfile::tempdir().unwrap(),
        tempfile::tempdir().unwrap(),
    );
    let sa = generate(
        &Config {
            leads: 500,
            seed: 9,
        },
        a.path(),
    )
    .unwrap();
    let sb = generate(
        &Config {
            leads: 500,
            seed: 9,
        },
        b.path(),
    )
    .unwrap();
    generate(
        &Config {
            leads: 500,
            seed: 10,
        },
        c.path(),
    )
    .unwrap();
    assert_eq!(sa, sb);
    assert!(
        files(a.path()) == files(b.path()),
        "same config, same bytes"
    );
    let (fa, fc) = (files(a.path()), files(c.path()));
    for (i, name) in FILES.iter().enumerate() {
        if *name != "targets.csv" {
            assert_ne!(fa[i], fc[i], "{name} differs for another seed");
        }
    }
}

#[test]
fn creates_the_output_folder_and_handles_tiny_sizes() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("a/b");
    for leads in [0, 1, 7] {
        let s = generate(&Config { leads, seed: 1 }, &out).unwrap();
        assert_eq!(s.leads, leads);
        assert_eq!(s.targets, 48);
    }
}
