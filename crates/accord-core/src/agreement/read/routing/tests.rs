//! The routing reader on hand-made `[routing]` sections: each key, its
//! default, and each error with its place.

use proptest::prelude::*;

use super::*;
use crate::agreement::{parse, Diagnostic, DEFAULT_AGREEMENT};

/// Two rules, nothing else: every routing key at its default.
const RULES: &str = r#"
[[routing.rules]]
name = "owner"
when = "account.named && rep.id == account.owner_rep_id"
assign = "round_robin"

[[routing.rules]]
name = "territory"
team = "sdr"
when = "rep.region == lead.region"
assign = "least_loaded"
"#;

/// The starter agreement with its whole routing section replaced by `routing`.
fn with_routing(routing: &str) -> String {
    let start = DEFAULT_AGREEMENT.find("\n[routing]\n").expect("[routing]");
    let end = DEFAULT_AGREEMENT[start..]
        .find("\n# ----")
        .map(|i| start + i)
        .expect("the section after routing");
    format!(
        "{}\n{routing}\n{}",
        &DEFAULT_AGREEMENT[..start],
        &DEFAULT_AGREEMENT[end..]
    )
}

fn routing(section: &str) -> Routing {
    match parse(&with_routing(section), "accord.toml") {
        Ok(a) => a.routing,
        Err(d) => panic!("{d}"),
    }
}

/// The problems with `section`, each with the text its span covers.
fn errors(section: &str) -> Vec<(Diagnostic, String)> {
    let src = with_routing(section);
    match parse(&src, "accord.toml") {
        Ok(_) => panic!("expected errors in:\n{section}"),
        Err(d) => d
            .iter()
            .map(|d| (d.clone(), src[d.span.clone()].to_string()))
            .collect(),
    }
}

/// The one problem with `section`: message, the text it points at, help.
fn one_error(section: &str) -> (String, String, String) {
    let mut all = errors(section);
    assert_eq!(all.len(), 1, "{all:#?}");
    let (d, at) = all.remove(0);
    (d.message, at, d.help.unwrap_or_default())
}

fn hours(zones: &str, rest: &str) -> String {
    format!("[routing.hours]\nzones = {{ {zones} }}\n{rest}\n{RULES}")
}

#[test]
fn without_the_new_keys_everything_is_at_its_default() {
    let r = routing(RULES);
    assert_eq!(r.on, "mql");
    assert_eq!(r.hours, None);
    assert_eq!(r.rules.len(), 2);
    assert!(r.rules.iter().all(|r| r.respect_capacity));
}

#[test]
fn the_starter_file_routes_mqls_in_four_zones_eight_to_six() {
    let a = parse(DEFAULT_AGREEMENT, "accord.toml").unwrap();
    assert_eq!(a.routing.on, "mql");
    let respect: Vec<(&str, bool)> = a
        .routing
        .rules
        .iter()
        .map(|r| (r.name.as_str(), r.respect_capacity))
        .collect();
    assert_eq!(
        respect,
        [
            ("named_account_owner", false),
            ("territory_and_vertical", true),
            ("territory_generalist", true),
            ("territory", true),
        ]
    );
    let zone = |r: &str, z: &str| (r.to_string(), z.to_string());
    assert_eq!(
        a.routing.hours,
        Some(WorkingHours {
            zones: vec![
                zone("NA", "America/New_York"),
                zone("EMEA", "Europe/London"),
                zone("APAC", "Asia/Singapore"),
                zone("LATAM", "America/Sao_Paulo"),
            ],
            days: vec![0, 1, 2, 3, 4],
            start_minute: 480,
            end_minute: 1080,
        })
    );
}

#[test]
fn on_names_a_declared_stage() {
    assert_eq!(
        routing(&format!("[routing]\non = \"lead\"\n{RULES}")).on,
        "lead"
    );
    assert_eq!(
        routing(&format!("[routing]\non = \"sal\"\n{RULES}")).on,
        "sal"
    );
    let (msg, at, help) = one_error(&format!("[routing]\non = \"mqll\"\n{RULES}"));
    assert_eq!(msg, "unknown stage `mqll`");
    assert_eq!(at, "\"mqll\"");
    assert!(help.starts_with("did you mean `mql`?"), "{help}");
    let (msg, at, _) = one_error(&format!("[routing]\non = 2\n{RULES}"));
    assert_eq!(msg, "`routing.on` must be a string, not an integer");
    assert_eq!(at, "2");
}

#[test]
fn respect_capacity_is_a_boolean_per_rule() {
    let r = routing(&RULES.replacen(
        "assign = \"round_robin\"\n",
        "assign = \"round_robin\"\nrespect_capacity = false\n",
        1,
    ));
    assert_eq!(
        r.rules
            .iter()
            .map(|r| r.respect_capacity)
            .collect::<Vec<_>>(),
        [false, true]
    );
    let r = routing(&RULES.replacen(
        "assign = \"least_loaded\"\n",
        "assign = \"least_loaded\"\nrespect_capacity = true\n",
        1,
    ));
    assert!(r.rules.iter().all(|r| r.respect_capacity));
    let (msg, at, help) = one_error(&RULES.replacen(
        "assign = \"round_robin\"\n",
        "assign = \"round_robin\"\nrespect_capacity = \"no\"\n",
        1,
    ));
    assert_eq!(
        msg,
        "`routing.rules.respect_capacity` must be a boolean, not a string"
    );
    assert_eq!(at, "\"no\"");
    assert_eq!(help, "for example: routing.rules.respect_capacity = false");
    let (msg, at, help) = one_error(&RULES.replacen(
        "assign = \"round_robin\"\n",
        "assign = \"round_robin\"\nrespect_capacities = false\n",
        1,
    ));
    assert_eq!(msg, "unknown key `respect_capacities` in [routing.rules]");
    assert_eq!(at, "respect_capacities");
    assert_eq!(help, "did you mean `respect_capacity`?");
}

#[test]
fn an_empty_hours_table_takes_every_default() {
    let h = routing(&format!("[routing.hours]\n{RULES}")).hours.unwrap();
    assert_eq!(h.zones, []);
    assert_eq!(h.days, [0, 1, 2, 3, 4]);
    assert_eq!((h.start_minute, h.end_minute), (540, 1020));
}

#[test]
fn each_hours_key_is_read() {
    let h = routing(&hours(
        "APAC = \"Asia/Tokyo\", NA = \"America/Los_Angeles\"",
        "days = [\"sun\", \"sat\", \"wed\"]\nstart = \"7:30\"\nend = \"24:00\"",
    ))
    .hours
    .unwrap();
    assert_eq!(
        h.zones,
        [
            ("APAC".to_string(), "Asia/Tokyo".to_string()),
            ("NA".to_string(), "America/Los_Angeles".to_string())
        ]
    );
    // Ascending whatever the file's order.
    assert_eq!(h.days, [2, 5, 6]);
    assert_eq!((h.start_minute, h.end_minute), (450, 1440));
    // A zone written as a [section] reads the same.
    let h = routing(&format!(
        "[routing.hours]\nstart = \"00:00\"\nend = \"00:01\"\n\n[routing.hours.zones]\nEMEA = \"Europe/Berlin\"\n{RULES}"
    ))
    .hours
    .unwrap();
    assert_eq!(h.zones, [("EMEA".to_string(), "Europe/Berlin".to_string())]);
    assert_eq!((h.start_minute, h.end_minute), (0, 1));
}

#[test]
fn zones_name_contract_regions_and_iana_zones() {
    let (msg, at, help) = one_error(&hours("EU = \"Europe/London\"", ""));
    assert_eq!(msg, "unknown region `EU`");
    assert_eq!(at, "EU");
    assert_eq!(help, "region is one of: NA, EMEA, APAC, LATAM");
    let (msg, at, help) = one_error(&hours("EMEA = \"Europe/Londn\"", ""));
    assert_eq!(msg, "unknown time zone `Europe/Londn`");
    assert_eq!(at, "\"Europe/Londn\"");
    assert_eq!(
        help,
        "did you mean `Europe/London`? (a zone is an IANA time zone name, Area/City)"
    );
    let (msg, _, help) = one_error(&hours("NA = \"New York\"", ""));
    assert_eq!(msg, "unknown time zone `New York`");
    assert!(
        help.starts_with("did you mean `America/New_York`?"),
        "{help}"
    );
    let (_, _, help) = one_error(&hours("NA = \"Eastern Standard Time\"", ""));
    assert!(help.starts_with("write an IANA time zone name"), "{help}");
    let (msg, at, _) = one_error(&hours("NA = -5", ""));
    assert_eq!(
        msg,
        "`routing.hours.zones.NA` must be a string, not an integer"
    );
    assert_eq!(at, "-5");
    let (msg, at, _) = one_error(&format!(
        "[routing.hours]\nzones = \"America/New_York\"\n{RULES}"
    ));
    assert_eq!(msg, "`routing.hours.zones` must be a table, not a string");
    assert_eq!(at, "\"America/New_York\"");
    // Both problems of one entry, and those of other entries, are listed.
    let all = errors(&hours(
        "EU = \"Europe/Londn\", LATAM = \"Brazil/Sao_Paulo\"",
        "",
    ));
    let msgs: Vec<&str> = all.iter().map(|(d, _)| d.message.as_str()).collect();
    assert_eq!(
        msgs,
        [
            "unknown region `EU`",
            "unknown time zone `Europe/Londn`",
            "unknown time zone `Brazil/Sao_Paulo`"
        ]
    );
}

#[test]
fn days_are_day_names_without_repeats() {
    let (msg, at, help) = one_error(&hours("", "days = [\"mon\", \"tues\"]"));
    assert_eq!(msg, "unknown day `tues`");
    assert_eq!(at, "\"tues\"");
    assert_eq!(
        help,
        "did you mean `tue`? (day is one of: mon, tue, wed, thu, fri, sat, sun)"
    );
    let (msg, _, help) = one_error(&hours("", "days = [\"Monday\"]"));
    assert_eq!(msg, "unknown day `Monday`");
    assert!(help.starts_with("did you mean `mon`?"), "{help}");
    let (msg, at, _) = one_error(&hours("", "days = [\"mon\", \"fri\", \"mon\"]"));
    assert_eq!(msg, "`mon` is listed twice in `routing.hours.days`");
    assert_eq!(at, "\"mon\"");
    let (msg, at, help) = one_error(&hours("", "days = []"));
    assert_eq!(msg, "no working days");
    assert_eq!(at, "[]");
    assert!(
        help.contains("no rep would ever be routed a lead"),
        "{help}"
    );
    let (msg, _, _) = one_error(&hours("", "days = \"mon-fri\""));
    assert_eq!(
        msg,
        "`routing.hours.days` must be an array of strings, not a string"
    );
    let (msg, _, _) = one_error(&hours("", "days = [\"mon\", 2]"));
    assert!(msg.ends_with("must be a string, not an integer"), "{msg}");
}

#[test]
fn start_and_end_are_times_of_day_in_order() {
    let (msg, at, help) = one_error(&hours("", "start = \"8am\""));
    assert_eq!(msg, "`routing.hours.start` is \"8am\", not a time of day");
    assert_eq!(at, "\"8am\"");
    assert!(
        help.contains("e.g. routing.hours.start = \"09:00\""),
        "{help}"
    );
    let (msg, _, _) = one_error(&hours("", "end = \"24:30\""));
    assert_eq!(msg, "`routing.hours.end` is \"24:30\", not a time of day");
    let (msg, at, help) = one_error(&hours("", "start = 8"));
    assert_eq!(
        msg,
        "`routing.hours.start` must be a string, not an integer"
    );
    assert_eq!(at, "8");
    assert_eq!(help, "for example: routing.hours.start = \"09:00\"");
    let all = errors(&hours("", "start = \"18:00\"\nend = \"08:00\""));
    assert_eq!(all.len(), 1);
    let (d, at) = &all[0];
    assert_eq!(
        d.message,
        "working hours must end after they start: start 18:00, end 08:00"
    );
    assert_eq!(at, "\"08:00\"");
    assert_eq!(d.related.len(), 1);
    let (msg, at, _) = one_error(&hours("", "start = \"17:00\""));
    assert_eq!(
        msg,
        "working hours must end after they start: start 17:00, end 17:00 by default"
    );
    assert_eq!(at, "\"17:00\"");
    let (msg, at, _) = one_error(&hours("", "end = \"06:00\""));
    assert_eq!(
        msg,
        "working hours must end after they start: start 09:00 by default, end 06:00"
    );
    assert_eq!(at, "\"06:00\"");
}

#[test]
fn unknown_keys_in_routing_and_hours_suggest_the_closest() {
    let (msg, at, help) = one_error(&format!("[routing]\nonn = \"mql\"\n{RULES}"));
    assert_eq!(msg, "unknown key `onn` in [routing]");
    assert_eq!(at, "onn");
    assert_eq!(help, "did you mean `on`?");
    let (msg, _, help) = one_error(&hours("", "day = [\"mon\"]"));
    assert_eq!(msg, "unknown key `day` in [routing.hours]");
    assert_eq!(help, "did you mean `days`?");
    let (msg, _, help) = one_error(&hours("", "timezone = \"UTC\""));
    assert_eq!(msg, "unknown key `timezone` in [routing.hours]");
    assert_eq!(help, "[routing.hours] takes: zones, days, start, end");
    let (msg, _, _) = one_error(&format!("[routing]\nhours = true\n{RULES}"));
    assert_eq!(msg, "`routing.hours` must be a table, not a boolean");
}

#[test]
fn times_of_day() {
    assert_eq!(minute_of_day("00:00"), Some(0));
    assert_eq!(minute_of_day("08:00"), Some(480));
    assert_eq!(minute_of_day("8:05"), Some(485));
    assert_eq!(minute_of_day("17:30"), Some(1050));
    assert_eq!(minute_of_day("23:59"), Some(1439));
    assert_eq!(minute_of_day("24:00"), Some(1440));
    for bad in [
        "",
        "8",
        "800",
        "08:0",
        "08:000",
        "24:01",
        "25:00",
        "12:60",
        "-1:00",
        "+8:00",
        " 8:00",
        "08:00 ",
        "8am",
        "08.00",
        "008:00",
        "08:00:00",
        "١٢:٠٠",
    ] {
        assert_eq!(minute_of_day(bad), None, "{bad:?}");
    }
}

#[test]
fn zone_suggestions() {
    assert_eq!(suggest_zone("New York"), Some("America/New_York"));
    assert_eq!(suggest_zone("london"), Some("Europe/London"));
    assert_eq!(suggest_zone("Europe/Londn"), Some("Europe/London"));
    assert_eq!(suggest_zone("america/sao_paulo"), Some("America/Sao_Paulo"));
    assert_eq!(suggest_zone("Mars/Olympus_Mons"), None);
    assert_eq!(suggest_zone(&"x".repeat(10_000)), None);
}

const ZONES: [&str; 6] = [
    "America/New_York",
    "Europe/London",
    "Asia/Singapore",
    "America/Sao_Paulo",
    "Asia/Kolkata",
    "UTC",
];

proptest! {
    #![proptest_config(ProptestConfig::with_cases(64))]

    /// parse → print → parse keeps every routing term, and `HH:MM` reads
    /// back as the minute it was printed from.
    #[test]
    fn routing_round_trip(
        on in prop::sample::select(crate::agreement::CORE_STAGES.to_vec()),
        respect in prop::collection::vec(any::<bool>(), 4),
        with_hours in any::<bool>(),
        regions in prop::sample::subsequence(expr::REGIONS.to_vec(), 0..=4),
        zones in prop::collection::vec(prop::sample::select(ZONES.to_vec()), 4),
        days in prop::sample::subsequence(vec![0u8, 1, 2, 3, 4, 5, 6], 1..=7),
        start in 0u32..1440,
        length in 1u32..1440,
    ) {
        let mut a = parse(DEFAULT_AGREEMENT, "accord.toml").unwrap();
        a.routing.on = on.to_string();
        for (rule, r) in a.routing.rules.iter_mut().zip(respect) {
            rule.respect_capacity = r;
        }
        a.routing.hours = with_hours.then(|| WorkingHours {
            zones: regions.iter().zip(&zones).map(|(r, z)| (r.to_string(), z.to_string())).collect(),
            days,
            start_minute: start,
            end_minute: (start + length).min(1440),
        });
        let printed = a.to_toml();
        let b = parse(&printed, "printed.toml")
            .map_err(|d| TestCaseError::fail(format!("{d}\n{printed}")))?;
        prop_assert_eq!(&a.routing, &b.routing);
        prop_assert_eq!(&a, &b);
    }
}
