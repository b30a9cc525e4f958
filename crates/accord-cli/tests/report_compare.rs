//! `accord report` with `--compare previous` and with the agreement's
//! `attribution.models`, through the real binary on the kit's tiny fixture.
//! The numbers are worked out by hand from the fixture's CSV files.

mod common;

use std::path::{Path, PathBuf};

use common::{accord, ok, text};

const KIT: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../../../shared/bench");

/// A temp folder holding `accord.db` with the tiny fixture imported, and
/// no `accord.toml` (the default agreement).
fn tiny() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    let fixture = PathBuf::from(KIT).join("fixtures/tiny");
    ok(&accord(
        &["import", fixture.to_str().unwrap(), "--db", "accord.db"],
        dir.path(),
    ));
    dir
}

/// The CSV output as a header and rows of fields (no field here is quoted).
fn csv(out: &str) -> (Vec<String>, Vec<Vec<String>>) {
    let mut lines = out
        .lines()
        .map(|l| l.split(',').map(str::to_owned).collect());
    let header: Vec<String> = lines.next().expect("a header");
    (header, lines.collect())
}

/// Field `column` of the row whose first fields are `key`.
fn cell<'a>(table: &'a (Vec<String>, Vec<Vec<String>>), key: &[&str], column: &str) -> &'a str {
    let c = table
        .0
        .iter()
        .position(|h| h == column)
        .unwrap_or_else(|| panic!("no column {column} in {:?}", table.0));
    let row = table
        .1
        .iter()
        .find(|r| r.iter().zip(key).all(|(a, b)| a == b))
        .unwrap_or_else(|| panic!("no row {key:?} in {:?}", table.1));
    &row[c]
}

fn compared(dir: &Path, report: &str, from: &str, to: &str) -> (Vec<String>, Vec<Vec<String>>) {
    csv(&ok(&accord(
        &[
            "report",
            report,
            "--from",
            from,
            "--to",
            to,
            "--compare",
            "previous",
            "--format",
            "csv",
        ],
        dir,
    )))
}

#[test]
fn kpi_compares_may_with_the_31_days_before() {
    // May 2025 (31 days) against 31 March to 30 April. Leads created: May
    // L3, L4, L7; before L1, L2. MQL entries: May S8, S10; before S1, S6.
    // SAL: before S2, S7; SQL: before S3. March 31 has nothing: no row.
    let dir = tiny();
    let t = compared(dir.path(), "kpi", "2025-05-01", "2025-05-31");
    assert_eq!(
        &t.0[..5],
        [
            "month",
            "month_previous",
            "leads",
            "leads_previous",
            "leads_change"
        ]
    );
    assert_eq!(t.1.len(), 2, "{:?}", t.1);
    for key in [["(all)", "(all)"], ["2025-05", "2025-04"]] {
        let got: Vec<&str> = [
            "leads",
            "leads_previous",
            "leads_change",
            "mqls",
            "mqls_previous",
            "mqls_change",
            "sals",
            "sals_previous",
            "sals_change",
            "sqls_change",
            "won_usd_change",
        ]
        .iter()
        .map(|c| cell(&t, &key, c))
        .collect();
        assert_eq!(
            got,
            ["3", "2", "1", "2", "2", "0", "0", "2", "-2", "-1", "0.00"],
            "{key:?}"
        );
    }
}

#[test]
fn funnel_compares_cohorts_by_channel_and_rates_in_points() {
    // Cohort May: L3 organic_search (mql, disqualified), L4 paid_search
    // (mql … opportunity, recycled), L7 webinar (mql, disqualified).
    // Cohort April: L1 webinar (… customer), L2 paid_search (mql, sal).
    let dir = tiny();
    let t = compared(dir.path(), "funnel", "2025-05-01", "2025-05-31");
    let all = ["(all)", "(all)", "(all)"];
    assert_eq!(cell(&t, &all, "leads"), "3");
    assert_eq!(cell(&t, &all, "leads_previous"), "2");
    assert_eq!(cell(&t, &all, "sal_change"), "-1");
    assert_eq!(cell(&t, &all, "customer_change"), "-1");
    // 0/3 against 1/2: half a point less, as a fraction.
    assert_eq!(cell(&t, &all, "lead_to_customer"), "0");
    assert_eq!(cell(&t, &all, "lead_to_customer_previous"), "0.5");
    assert_eq!(cell(&t, &all, "lead_to_customer_change"), "-0.5");
    // May's cohort row pairs with April's.
    let webinar = ["2025-05", "2025-04", "webinar"];
    assert_eq!(cell(&t, &webinar, "customer_previous"), "1");
    assert_eq!(cell(&t, &webinar, "disqualified_change"), "1");
    // organic_search had no lead in April: counts 0, rates null, change null.
    let organic = ["(all)", "(all)", "organic_search"];
    assert_eq!(cell(&t, &organic, "leads_previous"), "0");
    assert_eq!(cell(&t, &organic, "leads_change"), "1");
    assert_eq!(cell(&t, &organic, "lead_to_mql"), "1");
    assert_eq!(cell(&t, &organic, "lead_to_mql_previous"), "");
    assert_eq!(cell(&t, &organic, "lead_to_mql_change"), "");
    assert_eq!(t.1.len(), 8, "{:?}", t.1);
}

#[test]
fn rows_of_either_period_alone_still_appear() {
    // The leaderboard from 15 December 2025 to 31 March 2026 (107 days)
    // against 30 August to 14 December 2025. In the period: R0003 won
    // O000003 ($45,000), R0004 won O000005 ($20,000). Before: R0003 won
    // O000001 (15 September, $96,000) and lost O000002 (1 October), R0004
    // won O000004 (20 November, $8,000.50).
    let dir = tiny();
    let t = compared(dir.path(), "leaderboard", "2025-12-15", "2026-03-31");
    let rows: Vec<&str> = t.1.iter().map(|r| r[0].as_str()).collect();
    assert_eq!(rows, ["R0003", "R0004"], "{:?}", t.1);
    assert_eq!(cell(&t, &["R0003"], "won_usd"), "45000.00");
    assert_eq!(cell(&t, &["R0003"], "won_usd_previous"), "96000.00");
    assert_eq!(cell(&t, &["R0003"], "won_usd_change"), "-51000.00");
    assert_eq!(cell(&t, &["R0003"], "win_rate_previous"), "0.5");
    assert_eq!(cell(&t, &["R0003"], "win_rate_change"), "0.5");
    assert_eq!(cell(&t, &["R0004"], "won_usd_previous"), "8000.50");
    assert_eq!(cell(&t, &["R0004"], "won_usd_change"), "11999.50");

    // Rejections in May (S9 student, S11 bad_timing); none in the 31 days
    // before: the previous month is named all the same, 0 rejections, and
    // a share of nothing is null.
    let t = compared(dir.path(), "rejections", "2025-05-01", "2025-05-31");
    let row = ["2025-05", "2025-04", "student"];
    assert_eq!(cell(&t, &row, "rejections_previous"), "0");
    assert_eq!(cell(&t, &row, "share"), "0.5");
    assert_eq!(cell(&t, &row, "share_previous"), "");
    // June has none (S19 has no rep: not a rejection); 2 May to 31 May has
    // both: rows only the previous period has, under June's month.
    let t = compared(dir.path(), "rejections", "2025-06-01", "2025-06-30");
    assert_eq!(t.1.len(), 2, "{:?}", t.1);
    let row = ["2025-06", "2025-05", "bad_timing"];
    assert_eq!(cell(&t, &row, "rejections"), "0");
    assert_eq!(cell(&t, &row, "rejections_previous"), "1");
    assert_eq!(cell(&t, &row, "rejections_change"), "-1");
    assert_eq!(cell(&t, &row, "share"), "");
    assert_eq!(cell(&t, &row, "share_previous"), "0.5");
    assert_eq!(cell(&t, &row, "share_change"), "");
}

#[test]
fn compare_works_in_every_format_and_needs_both_ends() {
    let dir = tiny();
    let d = dir.path();
    let table = ok(&accord(
        &[
            "report",
            "kpi",
            "--from",
            "2025-05-01",
            "--to",
            "2025-05-31",
            "--compare",
            "previous",
        ],
        d,
    ));
    assert!(
        table.starts_with(
            "kpi — 2025-05-01 to 2025-05-31 — as of 2026-03-30T23:00:00Z — against 2025-03-31 to 2025-04-30\n"
        ),
        "{table}"
    );
    let json = ok(&accord(
        &[
            "report",
            "kpi",
            "--from",
            "2025-05-01",
            "--to",
            "2025-05-31",
            "--compare",
            "previous",
            "--format",
            "json",
        ],
        d,
    ));
    let j: serde_json::Value = serde_json::from_str(&json).unwrap();
    assert_eq!(j["rows"][0]["leads_change"], 1);
    assert_eq!(j["rows"][0]["month_previous"], "(all)");
    ok(&accord(
        &[
            "report",
            "all",
            "--from",
            "2025-05-01",
            "--to",
            "2025-05-31",
            "--compare",
            "previous",
            "--out",
            "out",
        ],
        d,
    ));
    let funnel = std::fs::read_to_string(d.join("out/funnel.csv")).unwrap();
    assert!(
        funnel.starts_with(
            "cohort_month,cohort_month_previous,source_channel,leads,leads_previous,leads_change,"
        ),
        "{funnel}"
    );
    for args in [
        &["report", "kpi", "--compare", "previous"][..],
        &[
            "report",
            "kpi",
            "--from",
            "2025-05-01",
            "--compare",
            "previous",
        ],
        &[
            "report",
            "kpi",
            "--to",
            "2025-05-01",
            "--compare",
            "previous",
        ],
    ] {
        let out = accord(args, d);
        assert_eq!(out.status.code(), Some(1), "{args:?}");
        assert!(
            text(&out.stderr).contains("--compare previous needs both --from and --to"),
            "{}",
            text(&out.stderr)
        );
    }
    let out = accord(&["report", "kpi", "--compare", "last-year"], d);
    assert_eq!(out.status.code(), Some(2));
    assert!(
        text(&out.stderr).contains("previous"),
        "{}",
        text(&out.stderr)
    );
}

/// The starter agreement with `attribution.models` set to `models`.
fn agreement_with_models(dir: &Path, file: &str, models: &str) {
    ok(&accord(&["init", "--force"], dir));
    let starter = std::fs::read_to_string(dir.join("accord.toml")).unwrap();
    let all =
        "models = [\"first_touch\", \"last_touch\", \"linear\", \"u_shaped\", \"time_decay\"]";
    assert!(starter.contains(all), "the starter lists every model");
    std::fs::write(
        dir.join(file),
        starter.replace(all, &format!("models = {models}")),
    )
    .unwrap();
    std::fs::remove_file(dir.join("accord.toml")).unwrap();
}

#[test]
fn the_agreement_lists_the_models_the_reports_show() {
    let dir = tiny();
    let d = dir.path();
    agreement_with_models(
        d,
        "all.toml",
        "[\"first_touch\", \"last_touch\", \"linear\", \"u_shaped\", \"time_decay\"]",
    );
    // Listed in the other order: the columns keep the reports' order.
    agreement_with_models(d, "two.toml", "[\"linear\", \"last_touch\"]");
    let run = |agreement: &str, report: &str, period: &[&str]| {
        let mut args = vec![
            "report",
            report,
            "--format",
            "csv",
            "--agreement",
            agreement,
        ];
        args.extend(period);
        csv(&ok(&accord(&args, d)))
    };
    for period in [&[][..], &["--from", "2025-09-01", "--to", "2026-03-31"]] {
        // All time: the first run stores the five-model tables; the next
        // must not serve them under the two-model agreement, nor the
        // two-model ones back under all five.
        let all = run("all.toml", "attribution_campaign", period);
        let two = run("two.toml", "attribution_campaign", period);
        let again = run("all.toml", "attribution_campaign", period);
        assert_eq!(all, again);
        assert_eq!(
            two.0,
            [
                "campaign_id",
                "won_opportunities",
                "cost_usd",
                "last_touch_usd",
                "linear_usd",
                "linear_roi"
            ]
        );
        assert_eq!(all.1.len(), two.1.len());
        assert!(!two.1.is_empty());
        for (a, t) in all.1.iter().zip(&two.1) {
            for (i, name) in two.0.iter().enumerate() {
                let j = all.0.iter().position(|h| h == name).unwrap();
                assert_eq!(t[i], a[j], "{name} of {}", a[0]);
            }
        }
        let channel = run("two.toml", "attribution_channel", period);
        assert_eq!(
            channel.0,
            [
                "channel",
                "won_opportunities",
                "last_touch_usd",
                "linear_usd"
            ]
        );
    }
    // Without linear, its ROI goes too; the explanation shows the listed
    // models' weights and credits only.
    agreement_with_models(d, "decay.toml", "[\"time_decay\"]");
    let t = run("decay.toml", "attribution_campaign", &[]);
    assert_eq!(
        t.0,
        [
            "campaign_id",
            "won_opportunities",
            "cost_usd",
            "time_decay_usd"
        ]
    );
    let explained = csv(&ok(&accord(
        &[
            "report",
            "attribution_campaign",
            "--explain",
            "O000001",
            "--format",
            "csv",
            "--agreement",
            "decay.toml",
        ],
        d,
    )));
    assert!(
        explained
            .0
            .ends_with(&["time_decay_weight".to_owned(), "time_decay_usd".to_owned()]),
        "{:?}",
        explained.0
    );
    assert!(
        !explained.0.iter().any(|h| h.starts_with("linear")),
        "{:?}",
        explained.0
    );
}
