//! Hand-made cases: every expected account, reason and confidence below is
//! worked out from the rules in the crate's documentation, not read from
//! the code.

use accord_core::domain::*;
use accord_core::event::{Account, Lead};
use proptest::prelude::*;

use super::*;

fn account(id: &str, name: &str, domain: &str) -> Account {
    account_in(id, name, domain, "GB", Region::Emea)
}

fn account_in(id: &str, name: &str, domain: &str, country: &str, region: Region) -> Account {
    Account {
        id: AccountId::parse(id).unwrap(),
        name: Text::parse(name).unwrap(),
        domain: Domain::parse(domain).unwrap(),
        industry: Industry::ALL[0],
        employees: None,
        annual_revenue: None,
        country: Country::parse(country).unwrap(),
        region,
        tier: Tier::ALL[0],
        owner_rep: None,
        created_at: Timestamp::from_unix_seconds(0),
    }
}

fn lead(email: &str, website: Option<&str>, company: Option<&str>) -> Lead {
    Lead {
        id: LeadId::parse("L1").unwrap(),
        email: Email::parse(email).unwrap(),
        full_name: None,
        title: None,
        seniority: Seniority::ALL[0],
        persona: None,
        company_name: company.map(|c| Text::parse(c).unwrap()),
        website: website.map(|w| Text::parse(w).unwrap()),
        employees_reported: None,
        industry_reported: None,
        country: Country::parse("GB").unwrap(),
        region: Region::Emea,
        source_channel: Channel::ALL[0],
        source_campaign: None,
        created_at: Timestamp::from_unix_seconds(0),
        // The answer key: matching must never read it.
        account: Some(AccountId::parse("A999").unwrap()),
    }
}

fn index(accounts: &[(&str, &str, &str)]) -> AccountIndex {
    let mut index = AccountIndex::default();
    for (id, name, domain) in accounts {
        index.add(&account(id, name, domain));
    }
    index
}

fn kit() -> AccountIndex {
    index(&[
        ("A1", "Northwind Traders", "northwind.co.uk"),
        ("A2", "Stonepath Logistics", "stonepathlogistics.com.au"),
        ("A3", "Bluegate Analytics", "bluegate.com"),
        ("A4", "Pixelgrid", "pixelgrid.io"),
        ("A5", "Oakridge Labs", "oakridge.de"),
    ])
}

fn matched(index: &AccountIndex, lead: &Lead) -> Option<(String, u16, Reason)> {
    index
        .match_lead(lead)
        .map(|m| (m.account.to_string(), m.confidence, m.reason))
}

fn email(domain: &str) -> Reason {
    Reason::EmailDomain {
        domain: domain.into(),
    }
}

fn site(domain: &str) -> Reason {
    Reason::Website {
        domain: domain.into(),
    }
}

fn name(normalised: &str, similarity_per_mille: u16) -> Reason {
    Reason::CompanyName {
        normalised: normalised.into(),
        similarity_per_mille,
        tie_break: None,
    }
}

fn in_country(lead: Lead, country: &str, region: Region) -> Lead {
    Lead {
        country: Country::parse(country).unwrap(),
        region,
        ..lead
    }
}

#[test]
fn registrable_domains_follow_the_public_suffix_list() {
    assert_eq!(
        registrable_domain("mail.northwind.co.uk"),
        Some("northwind.co.uk")
    );
    assert_eq!(
        registrable_domain("northwind.co.uk"),
        Some("northwind.co.uk")
    );
    assert_eq!(
        registrable_domain("eu.corp.stonepath.com.au"),
        Some("stonepath.com.au")
    );
    assert_eq!(registrable_domain("acme.com"), Some("acme.com"));
    assert_eq!(registrable_domain("a.b.acme.co.jp"), Some("acme.co.jp"));
    assert_eq!(registrable_domain("co.uk"), None, "a bare public suffix");
    assert_eq!(registrable_domain("com"), None);
    assert_eq!(registrable_domain(""), None);
    assert_eq!(registrable_domain("Acme.com"), None, "callers lower-case");
    assert_eq!(registrable_domain("acme..com"), None);
}

#[test]
fn free_mail_is_known_under_its_sub_domains_too() {
    for free in [
        "gmail.com",
        "yahoo.com",
        "outlook.com",
        "hotmail.com",
        "icloud.com",
    ] {
        assert!(is_free_mail(free), "{free}");
    }
    // The rest of gen.py's FREE_MAIL.
    for free in ["proton.me", "gmx.de", "web.de", "qq.com", "yandex.ru"] {
        assert!(is_free_mail(free), "{free}");
    }
    assert!(is_free_mail("mail.yahoo.co.uk"));
    assert!(!is_free_mail("northwind.co.uk"));
    assert!(!is_free_mail("stanford.edu"));
}

#[test]
fn website_hosts_lose_scheme_port_path_and_case() {
    assert_eq!(
        website_host("HTTPS://www.Northwind.co.uk:443/about?x=1#top").as_deref(),
        Some("www.northwind.co.uk")
    );
    assert_eq!(
        website_host("northwind.co.uk.").as_deref(),
        Some("northwind.co.uk")
    );
    assert_eq!(
        website_host("  //cdn.acme.com/x ").as_deref(),
        Some("cdn.acme.com")
    );
    assert_eq!(website_host("https://").as_deref(), None);
}

#[test]
fn an_email_domain_matches_its_account() {
    let index = kit();
    assert_eq!(
        matched(&index, &lead("ana@northwind.co.uk", None, None)),
        Some(("A1".into(), 990, email("northwind.co.uk")))
    );
    // Case in the address does not matter.
    assert_eq!(
        matched(&index, &lead("Ana@NorthWind.Co.UK", None, None)),
        Some(("A1".into(), 990, email("northwind.co.uk")))
    );
}

#[test]
fn a_sub_domain_folds_to_the_registrable_domain() {
    let index = kit();
    assert_eq!(
        matched(&index, &lead("ana@mail.northwind.co.uk", None, None)),
        Some(("A1".into(), 960, email("northwind.co.uk")))
    );
    assert_eq!(
        matched(
            &index,
            &lead("bo@apac.stonepathlogistics.com.au", None, None)
        ),
        Some(("A2".into(), 960, email("stonepathlogistics.com.au")))
    );
    // Another registrable domain under the same suffix is another company.
    assert_eq!(
        matched(&index, &lead("bo@otherpath.com.au", None, None)),
        None
    );
}

#[test]
fn free_mail_never_matches_even_an_account_on_it() {
    let mut index = kit();
    index.add(&account("A9", "Gmail Fans", "gmail.com"));
    assert_eq!(matched(&index, &lead("ana@gmail.com", None, None)), None);
    assert_eq!(
        matched(
            &index,
            &lead("ana@gmail.com", Some("https://gmail.com"), None)
        ),
        None
    );
}

#[test]
fn the_website_decides_when_the_email_does_not() {
    let index = kit();
    for website in [
        "www.northwind.co.uk",
        "https://www.northwind.co.uk",
        "http://northwind.co.uk/contact",
        "NORTHWIND.CO.UK",
        "https://shop.northwind.co.uk:8443/",
    ] {
        assert_eq!(
            matched(&index, &lead("ana@gmail.com", Some(website), None)),
            Some(("A1".into(), 930, site("northwind.co.uk"))),
            "{website}"
        );
    }
    // A company address wins over the website.
    assert_eq!(
        matched(
            &index,
            &lead("ana@bluegate.com", Some("www.northwind.co.uk"), None)
        ),
        Some(("A3".into(), 990, email("bluegate.com")))
    );
    // An unknown company address leaves the website to decide.
    assert_eq!(
        matched(
            &index,
            &lead("ana@elsewhere.org", Some("www.northwind.co.uk"), None)
        ),
        Some(("A1".into(), 930, site("northwind.co.uk")))
    );
}

#[test]
fn company_names_match_through_case_suffixes_and_punctuation() {
    let index = kit();
    for typed in [
        "Northwind Traders",
        "northwind traders",
        "NORTHWIND TRADERS",
        "Northwind Traders Inc.",
        "Northwind Traders, Inc.",
        "Northwind Traders Ltd",
        "Northwind Traders (Pty) Ltd",
        "Northwind Traders S.A. de C.V.",
        "Northwind-Traders",
    ] {
        assert_eq!(
            matched(&index, &lead("ana@gmail.com", None, Some(typed))),
            Some(("A1".into(), 850, name("northwind traders", 1000))),
            "{typed}"
        );
    }
}

#[test]
fn a_typo_matches_with_its_similarity() {
    let index = kit();
    // "stonepath logistics" (19 characters) with "p" and "a" swapped: Jaro
    // = (1 + 1 + 18/19) / 3 = 0.98246 (19 matches, one transposition); the
    // first four characters agree, so Jaro-Winkler = 0.98246 + 4 × 0.1 ×
    // (1 − 0.98246) = 0.98947 → 989‰; confidence 850 × 0.989 = 840.65 → 841.
    assert_eq!(
        matched(
            &index,
            &lead("ana@gmail.com", None, Some("Stoneapth Logistics"))
        ),
        Some(("A2".into(), 841, name("stonepath logistics", 989)))
    );
    // "oakridge labs" (13) with the "d" deleted: 12 matches, none
    // transposed: Jaro = (12/12 + 12/13 + 1) / 3 = 0.97436; prefix 4:
    // 0.97436 + 0.4 × 0.02564 = 0.98462 → 985‰; 850 × 0.985 = 837.25 → 837.
    assert_eq!(
        matched(
            &index,
            &lead("ana@gmail.com", None, Some("Oakrige Labs GmbH"))
        ),
        Some(("A5".into(), 837, name("oakridge labs", 985)))
    );
}

#[test]
fn names_two_edits_away_or_only_sharing_a_word_do_not_match() {
    let index = kit();
    for typed in [
        "Northwind Traders Holdings",
        "Northwind",
        "Nrothwind Tarders",
        "NT",
        "Pixel",
    ] {
        assert_eq!(
            matched(&index, &lead("ana@gmail.com", None, Some(typed))),
            None,
            "{typed}"
        );
    }
}

#[test]
fn an_ambiguous_name_does_not_match() {
    // Two accounts with one normalised name.
    let index = index(&[
        ("A1", "Northwind Traders Ltd", "northwind.co.uk"),
        ("A2", "Northwind Traders, Inc.", "northwind.com"),
    ]);
    assert_eq!(
        matched(
            &index,
            &lead("ana@gmail.com", None, Some("Northwind Traders"))
        ),
        None
    );
    // A typo one edit from two names equally.
    let index = super::tests::index(&[
        ("A1", "Bluegate Analytic", "bluegate.com"),
        ("A2", "Bluegate Analytix", "bluegatex.com"),
    ]);
    assert_eq!(
        matched(
            &index,
            &lead("ana@gmail.com", None, Some("Bluegate Analyti"))
        ),
        None
    );
    // The e-mail still decides when it can.
    assert_eq!(
        matched(
            &index,
            &lead("ana@bluegatex.com", None, Some("Bluegate Analyti"))
        ),
        Some(("A2".into(), 990, email("bluegatex.com")))
    );
}

#[test]
fn two_accounts_on_one_registrable_domain_need_the_more_specific_host() {
    let index = index(&[
        ("A1", "Acme", "acme.com"),
        ("A2", "Acme Europe", "eu.acme.com"),
    ]);
    assert_eq!(
        matched(&index, &lead("a@eu.acme.com", None, None)),
        Some(("A2".into(), 990, email("acme.com")))
    );
    assert_eq!(
        matched(&index, &lead("a@mail.eu.acme.com", None, None)),
        Some(("A2".into(), 960, email("acme.com")))
    );
    assert_eq!(
        matched(&index, &lead("a@acme.com", None, None)),
        Some(("A1".into(), 990, email("acme.com")))
    );
    assert_eq!(
        matched(&index, &lead("a@us.acme.com", None, None)),
        Some(("A1".into(), 960, email("acme.com")))
    );
}

#[test]
fn a_later_record_of_an_account_replaces_the_earlier() {
    let mut index = kit();
    assert_eq!(index.len(), 5);
    index.add(&account("A1", "Northwind Foods", "northwindfoods.com"));
    assert_eq!(index.len(), 5);
    assert_eq!(
        matched(&index, &lead("ana@northwind.co.uk", None, None)),
        None,
        "the old domain is gone"
    );
    assert_eq!(
        matched(
            &index,
            &lead("ana@gmail.com", None, Some("Northwind Traders"))
        ),
        None,
        "the old name is gone"
    );
    assert_eq!(
        matched(
            &index,
            &lead("ana@gmail.com", None, Some("Nortwind Traders"))
        ),
        None,
        "the old name's neighbourhood is gone"
    );
    assert_eq!(
        matched(&index, &lead("ana@northwindfoods.com", None, None)),
        Some(("A1".into(), 990, email("northwindfoods.com")))
    );
    assert_eq!(
        matched(
            &index,
            &lead("ana@gmail.com", None, Some("Northwind Foods"))
        ),
        Some(("A1".into(), 850, name("northwind foods", 1000)))
    );
}

#[test]
fn a_match_reads_as_a_sentence() {
    let index = kit();
    let m = index
        .match_lead(&lead("ana@mail.northwind.co.uk", None, None))
        .unwrap();
    assert_eq!(
        m.to_string(),
        "e-mail domain northwind.co.uk is account A1's domain (confidence 96.0%)"
    );
    let m = index
        .match_lead(&lead("ana@gmail.com", None, Some("Stoneapth Logistics")))
        .unwrap();
    assert_eq!(
        m.to_string(),
        "company name is 98.9% like account A2's name \"stonepath logistics\" \
         (Jaro-Winkler, normalised) (confidence 84.1%)"
    );
}

#[test]
fn the_leads_country_then_region_breaks_a_tie_between_names() {
    let index = {
        let mut index = AccountIndex::default();
        index.add(&account_in(
            "A1",
            "Stonebase Labs",
            "stonebase.de",
            "DE",
            Region::Emea,
        ));
        index.add(&account_in(
            "A2",
            "Stonebase Labs Inc.",
            "stonebase.com",
            "US",
            Region::Na,
        ));
        index
    };
    let typed = |country, region| {
        in_country(
            lead("x@gmail.com", None, Some("Stonebase Labs")),
            country,
            region,
        )
    };
    let tied = |tie_break| Reason::CompanyName {
        normalised: "stonebase labs".into(),
        similarity_per_mille: 1000,
        tie_break: Some(tie_break),
    };
    // 850 × 1000‰ × 900‰ = 765; × 800‰ = 680.
    let de = Country::parse("DE").unwrap();
    assert_eq!(
        matched(&index, &typed("DE", Region::Emea)),
        Some(("A1".into(), 765, tied(TieBreak::Country(de))))
    );
    let us = Country::parse("US").unwrap();
    assert_eq!(
        matched(&index, &typed("US", Region::Na)),
        Some(("A2".into(), 765, tied(TieBreak::Country(us))))
    );
    assert_eq!(
        matched(&index, &typed("FR", Region::Emea)),
        Some(("A1".into(), 680, tied(TieBreak::Region(Region::Emea))))
    );
    assert_eq!(matched(&index, &typed("JP", Region::Apac)), None);
    // Two of them in the lead's country: the region is not asked.
    let mut two = index.clone();
    two.add(&account_in(
        "A3",
        "Stonebase Labs GmbH",
        "stonebase-labs.de",
        "DE",
        Region::Emea,
    ));
    assert_eq!(matched(&two, &typed("DE", Region::Emea)), None);
    assert_eq!(
        matched(&two, &typed("US", Region::Na)),
        Some(("A2".into(), 765, tied(TieBreak::Country(us))))
    );
    let m = index.match_lead(&typed("FR", Region::Emea)).unwrap();
    assert_eq!(
        m.to_string(),
        "company name \"stonebase labs\" is account A1's name (normalised); other accounts \
         fit the name as well, none in the lead's country, A1 is the only one in region EMEA \
         (confidence 68.0%)"
    );
}

#[test]
fn the_reported_industry_breaks_a_tie_within_the_country() {
    let mut index = AccountIndex::default();
    let mut a1 = account_in(
        "A1",
        "Oaknet Capital",
        "oaknetcapital.com",
        "US",
        Region::Na,
    );
    a1.industry = Industry::Fintech;
    let mut a2 = account_in(
        "A2",
        "Oaknet Capital",
        "oaknetcapital2.com",
        "US",
        Region::Na,
    );
    a2.industry = Industry::Software;
    index.add(&a1);
    index.add(&a2);
    let typed = |industry| Lead {
        industry_reported: industry,
        ..in_country(
            lead("x@gmail.com", None, Some("OAKNET CAPITAL")),
            "US",
            Region::Na,
        )
    };
    let us = Country::parse("US").unwrap();
    // 850 × 1000‰ × 800‰ = 680.
    assert_eq!(
        matched(&index, &typed(Some(Industry::Software))),
        Some((
            "A2".into(),
            680,
            Reason::CompanyName {
                normalised: "oaknet capital".into(),
                similarity_per_mille: 1000,
                tie_break: Some(TieBreak::CountryAndIndustry(us, Industry::Software)),
            }
        ))
    );
    assert_eq!(matched(&index, &typed(None)), None);
    assert_eq!(matched(&index, &typed(Some(Industry::Retail))), None);
}

#[test]
fn a_company_name_overrules_a_website_that_names_another_company() {
    let mut index = AccountIndex::default();
    index.add(&account_in(
        "A1",
        "Goldenpoint",
        "goldenpoint.com",
        "US",
        Region::Na,
    ));
    index.add(&account_in(
        "A2",
        "Golden Point",
        "goldenpoint.com.br",
        "BR",
        Region::Latam,
    ));
    let br = |company| {
        in_country(
            lead("x@gmail.com", Some("www.goldenpoint.com"), company),
            "BR",
            Region::Latam,
        )
    };
    // The typed name is A2's exactly, the website A1's, whose name differs.
    assert_eq!(
        matched(&index, &br(Some("Golden Point Ltda."))),
        Some(("A2".into(), 850, name("golden point", 1000)))
    );
    // The typed name is the website account's: the website stands.
    assert_eq!(
        matched(&index, &br(Some("GOLDENPOINT"))),
        Some(("A1".into(), 930, site("goldenpoint.com")))
    );
    assert_eq!(
        matched(&index, &br(None)),
        Some(("A1".into(), 930, site("goldenpoint.com")))
    );
}

#[test]
fn a_name_tie_in_the_leads_country_overrules_a_website_abroad() {
    let mut index = AccountIndex::default();
    index.add(&account_in(
        "A1",
        "Wolffield Media",
        "wolffieldmedia.com",
        "US",
        Region::Na,
    ));
    index.add(&account_in(
        "A2",
        "Wolffield Media",
        "wolffieldmedia.com.br",
        "BR",
        Region::Latam,
    ));
    let from = |country, region| {
        in_country(
            lead(
                "x@gmail.com",
                Some("www.wolffieldmedia.com"),
                Some("Wolffield Media Inc."),
            ),
            country,
            region,
        )
    };
    let br = Country::parse("BR").unwrap();
    assert_eq!(
        matched(&index, &from("BR", Region::Latam)),
        Some((
            "A2".into(),
            765,
            Reason::CompanyName {
                normalised: "wolffield media".into(),
                similarity_per_mille: 1000,
                tie_break: Some(TieBreak::Country(br)),
            }
        ))
    );
    // From the website's own country, the website stands.
    assert_eq!(
        matched(&index, &from("US", Region::Na)),
        Some(("A1".into(), 930, site("wolffieldmedia.com")))
    );
    // From a third country the name stays tied: the website stands.
    assert_eq!(
        matched(&index, &from("JP", Region::Apac)),
        Some(("A1".into(), 930, site("wolffieldmedia.com")))
    );
}

/// Accounts with distinct names that normalise to themselves (no legal form
/// or "and" to strip), each on its own domain.
fn accounts() -> impl Strategy<Value = Vec<(String, String)>> {
    let name = "[a-z]{4,8} [a-z]{3,6}".prop_filter("already normal", |n| name::normalise(n) == *n);
    prop::collection::btree_set(name, 1..30).prop_map(|names| {
        names
            .into_iter()
            .enumerate()
            .map(|(i, n)| (n, format!("d{i}.co.uk")))
            .collect()
    })
}

proptest! {
    #[test]
    fn matching_does_not_depend_on_insertion_order(
        accounts in accounts(),
        seed in any::<u64>(),
        probes in prop::collection::vec(("[a-z]{4,8} [a-z]{3,6}", 0usize..40), 1..20),
    ) {
        let build = |order: &[usize]| {
            let mut index = AccountIndex::default();
            for &i in order {
                let (n, d) = &accounts[i];
                index.add(&account(&format!("A{i}"), n, d));
            }
            index
        };
        let forward: Vec<usize> = (0..accounts.len()).collect();
        let mut shuffled = forward.clone();
        let mut state = seed | 1;
        for i in (1..shuffled.len()).rev() {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            shuffled.swap(i, (state % (i as u64 + 1)) as usize);
        }
        let (a, b) = (build(&forward), build(&shuffled));
        for (typed, k) in &probes {
            // A probe either names an account's domain, or types a name.
            let l = match accounts.get(*k) {
                Some((_, d)) => lead(&format!("x@mail.{d}"), None, Some(typed)),
                None => lead("x@gmail.com", None, Some(typed)),
            };
            prop_assert_eq!(a.match_lead(&l), b.match_lead(&l));
        }
        // Every account's own name finds it, in either order.
        for (i, (n, _)) in accounts.iter().enumerate() {
            let l = lead("x@gmail.com", None, Some(n));
            let got = a.match_lead(&l).map(|m| m.account.to_string());
            prop_assert_eq!(got.clone(), Some(format!("A{i}")));
            prop_assert_eq!(b.match_lead(&l).map(|m| m.account.to_string()), got);
        }
    }

    #[test]
    fn a_replaced_account_is_found_only_as_it_is_now(
        accounts in accounts(),
        which in any::<prop::sample::Index>(),
    ) {
        let mut index = AccountIndex::default();
        for (i, (n, d)) in accounts.iter().enumerate() {
            index.add(&account(&format!("A{i}"), n, d));
        }
        let i = which.index(accounts.len());
        index.add(&account(&format!("A{i}"), "Zzzzzzzz Qqqqqq", "replaced.example"));
        prop_assert_eq!(index.len(), accounts.len());
        let (_, d) = &accounts[i];
        prop_assert_eq!(index.match_lead(&lead(&format!("x@{d}"), None, None)), None);
        let now = index.match_lead(&lead("x@replaced.example", None, None));
        prop_assert_eq!(now.map(|m| m.account.to_string()), Some(format!("A{i}")));
    }

    #[test]
    fn normalising_is_idempotent(text in "\\PC{0,40}") {
        let once = name::normalise(&text);
        prop_assert_eq!(name::normalise(&once), once.clone());
    }
}
