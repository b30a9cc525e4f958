//! `accord match --evaluate` through the real binary: counts on a hand-made
//! folder worked out by hand, the targets on kit data, errors naming paths.

mod common;

use common::accord;

use std::process::{Command, Output};

const KIT: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../../../shared/bench");

fn ok(out: &Output) -> String {
    assert!(
        out.status.success(),
        "exit {:?}\nstdout: {}\nstderr: {}",
        out.status.code(),
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout.clone()).expect("UTF-8 output")
}

/// `measure,value` lines as a lookup.
fn measure(csv: &str, name: &str) -> String {
    csv.lines()
        .find_map(|l| l.strip_prefix(&format!("{name},")))
        .unwrap_or_else(|| panic!("no {name} in\n{csv}"))
        .to_owned()
}

const ACCOUNTS: &str = "\
account_id,name,domain,industry,employees,annual_revenue_usd,country,region,tier,owner_rep_id,created_at
A1,Northwind Traders,northwind.co.uk,software,40,,GB,EMEA,smb,,2020-01-01T00:00:00Z
A2,Bluegate Analytics,bluegate.com,fintech,600,,US,NA,mid_market,,2020-01-01T00:00:00Z
A3,Stonepath,stonepath.com.au,retail,45,,AU,APAC,smb,,2020-01-01T00:00:00Z
";

/// L1 by e-mail sub-domain, L2 by website, L3 by a typo of the name (all
/// right); L4's name is A2's but the folder says A1 (wrong); L5 gives
/// nothing to match (missed); L6 has no account and matches none.
const LEADS: &str = "\
lead_id,email,full_name,title,seniority,persona,company_name,website,employees_reported,industry_reported,country,region,source_channel,source_campaign_id,created_at,account_id
L1,ana@mail.northwind.co.uk,,,manager,,,,,,GB,EMEA,email,,2025-05-01T10:00:00Z,A1
L2,bo@gmail.com,,,manager,,,https://www.bluegate.com/about,,,US,NA,email,,2025-05-01T10:00:00Z,A2
L3,cy@gmail.com,,,manager,,Stonepaht Pty Ltd,,,,AU,APAC,email,,2025-05-01T10:00:00Z,A3
L4,di@gmail.com,,,manager,,Bluegate Analytics,,,,GB,EMEA,email,,2025-05-01T10:00:00Z,A1
L5,ed@gmail.com,,,manager,,,,,,AU,APAC,email,,2025-05-01T10:00:00Z,A3
L6,fu@othercorp.com,,,manager,,Othercorp,,,,GB,EMEA,email,,2025-05-01T10:00:00Z,
";

fn hand_made() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("accounts.csv"), ACCOUNTS).unwrap();
    std::fs::write(dir.path().join("leads.csv"), LEADS).unwrap();
    dir
}

#[test]
fn counts_on_a_hand_made_folder() {
    let dir = hand_made();
    let csv = ok(&accord(
        &["match", "--evaluate", ".", "--format", "csv"],
        dir.path(),
    ));
    // 4 matches made (L1–L4), 3 right: precision 3/4; 5 leads name an
    // account: recall 3/5.
    for (name, value) in [
        ("leads", "6"),
        ("accounts", "3"),
        ("leads_with_account", "5"),
        ("matches", "4"),
        ("correct", "3"),
        ("wrong", "1"),
        ("missed", "1"),
        ("precision", "0.750000"),
        ("recall", "0.600000"),
        ("email_domain_matches", "1"),
        ("email_domain_correct", "1"),
        ("website_matches", "1"),
        ("website_correct", "1"),
        ("company_name_matches", "2"),
        ("company_name_correct", "1"),
    ] {
        assert_eq!(measure(&csv, name), value, "{name}");
    }

    let table = ok(&accord(&["match", "--evaluate", "."], dir.path()));
    assert!(
        table.contains("precision   0.7500  3 correct of 4 matches made"),
        "{table}"
    );
    assert!(
        table.contains("recall      0.6000  3 correct of 5 leads with an account_id"),
        "{table}"
    );
    assert!(
        table.contains("L4  e-mail di@gmail.com, website -, company \"Bluegate Analytics\""),
        "{table}"
    );
    assert!(
        table.contains("folder says: A1 Northwind Traders (northwind.co.uk)"),
        "{table}"
    );
    assert!(
        table.contains("matched:     A2 Bluegate Analytics (bluegate.com) — company name \"bluegate analytics\" is account A2's name (normalised) (confidence 85.0%)"),
        "{table}"
    );
    assert!(
        table.contains("L5  e-mail ed@gmail.com, website -, company -"),
        "{table}"
    );

    let json = ok(&accord(
        &["match", "--evaluate", ".", "--format", "json"],
        dir.path(),
    ));
    let value: serde_json::Value = serde_json::from_str(&json).unwrap();
    assert_eq!(value["precision"], 0.75);
    assert_eq!(value["recall"], 0.6);
    assert_eq!(value["wrong_examples"][0]["lead_id"], "L4");
    assert_eq!(value["wrong_examples"][0]["matched_account"], "A2");
    assert_eq!(value["missed_examples"][0]["lead_id"], "L5");
    assert_eq!(value["by_reason"]["website"]["correct"], 1);
}

#[test]
fn refused_rows_are_left_out_and_told() {
    let dir = hand_made();
    let bad = LEADS.to_owned()
        + "L7,not-an-email,,,manager,,,,,,GB,EMEA,email,,2025-05-01T10:00:00Z,A1\n";
    std::fs::write(dir.path().join("leads.csv"), bad).unwrap();
    let out = accord(&["match", "--evaluate", ".", "--format", "csv"], dir.path());
    let csv = ok(&out);
    assert_eq!(measure(&csv, "leads"), "6");
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains(
            "note: 1 row of leads.csv refused by the contract and left out (first: leads.csv:8: "
        ),
        "{stderr}"
    );
}

#[test]
fn a_missing_folder_or_file_is_named() {
    let dir = tempfile::tempdir().unwrap();
    let out = accord(&["match", "--evaluate", "nowhere"], dir.path());
    assert_eq!(out.status.code(), Some(1));
    assert_eq!(
        String::from_utf8_lossy(&out.stderr),
        "error: nowhere: no such folder\n"
    );
    std::fs::write(dir.path().join("accounts.csv"), ACCOUNTS).unwrap();
    let out = accord(&["match", "--evaluate", "."], dir.path());
    assert_eq!(out.status.code(), Some(1));
    assert_eq!(
        String::from_utf8_lossy(&out.stderr),
        "error: ./leads.csv: not found (accord match --evaluate reads accounts.csv and leads.csv)\n"
    );
}

#[test]
fn help_says_what_is_measured() {
    let dir = tempfile::tempdir().unwrap();
    let help = ok(&accord(&["match", "--help"], dir.path()));
    assert!(
        help.contains("precision  correct matches / matches made"),
        "{help}"
    );
    assert!(
        help.contains("recall     correct matches / leads that have an account_id"),
        "{help}"
    );
}

/// The targets on the kit's data (needs python3 with numpy and
/// duckdb, which `.ci/run` installs).
#[test]
fn kit_data_meets_the_targets() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    let status = Command::new("python3")
        .arg(format!("{KIT}/gen.py"))
        .args(["--leads", "10000", "--seed", "7", "--out"])
        .arg(&data)
        .output()
        .expect("python3 runs");
    assert!(
        status.status.success(),
        "gen.py failed (pip install numpy duckdb): {}",
        String::from_utf8_lossy(&status.stderr)
    );
    // The folder's answers, counted here without accord.
    let leads = std::fs::read_to_string(data.join("leads.csv")).unwrap();
    let mut reader = csv::Reader::from_reader(leads.as_bytes());
    let with_account = reader
        .records()
        .filter(|r| !r.as_ref().unwrap()[15].is_empty())
        .count();

    let csv = ok(&accord(
        &["match", "--evaluate", "data", "--format", "csv"],
        dir.path(),
    ));
    assert_eq!(measure(&csv, "leads"), "10000");
    assert_eq!(measure(&csv, "accounts"), "500", "gen.py makes leads / 20");
    assert_eq!(
        measure(&csv, "leads_with_account"),
        with_account.to_string()
    );
    let precision: f64 = measure(&csv, "precision").parse().unwrap();
    let recall: f64 = measure(&csv, "recall").parse().unwrap();
    assert!(precision >= 0.995, "precision {precision}\n{csv}");
    assert!(recall >= 0.985, "recall {recall}\n{csv}");
}
