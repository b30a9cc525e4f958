//! `accord check` through the real binary: every bad agreement under
//! `tests/agreements/` fails with exit code 1 and the messages in its snapshot;
//! the valid ones pass.

use std::path::{Path, PathBuf};
use std::process::Command;

fn agreements_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/agreements")
}

/// Runs `accord check FILE` from the agreements folder, so messages name the
/// file as the user typed it.
fn check(file: &str) -> (i32, String, String) {
    let out = Command::new(env!("CARGO_BIN_EXE_accord"))
        .args(["check", file])
        .current_dir(agreements_dir())
        .env("NO_COLOR", "1")
        .output()
        .expect("the accord binary runs");
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

fn files(prefix: &str) -> Vec<String> {
    let mut names: Vec<String> = std::fs::read_dir(agreements_dir())
        .expect("tests/agreements exists")
        .filter_map(|e| e.ok()?.file_name().into_string().ok())
        .filter(|n| n.starts_with(prefix) && n.ends_with(".toml"))
        .collect();
    names.sort();
    names
}

#[test]
fn every_bad_agreement_fails_with_its_snapshot() {
    let bad = files("bad_");
    assert!(bad.len() >= 25, "only {} bad agreements", bad.len());
    for file in bad {
        let (code, stdout, stderr) = check(&file);
        assert_eq!(code, 1, "{file} should fail:\n{stdout}{stderr}");
        assert!(stdout.is_empty(), "{file}: nothing on stdout when failing");
        assert!(
            stderr.contains(&format!("{file}:")),
            "{file}: every error names file:line:column:\n{stderr}"
        );
        assert!(stderr
            .trim_end()
            .lines()
            .last()
            .unwrap_or("")
            .starts_with(&format!("error: {file} has ")));
        let name = file.trim_end_matches(".toml").to_string();
        insta::with_settings!({ prepend_module_to_snapshot => false, snapshot_suffix => "" }, {
            insta::assert_snapshot!(name, stderr);
        });
    }
}

#[test]
fn valid_agreements_pass_with_a_summary() {
    for file in files("ok_") {
        let (code, stdout, stderr) = check(&file);
        assert_eq!(code, 0, "{file}:\n{stderr}");
        assert!(stdout.starts_with(&format!("ok: {file} — ")), "{stdout}");
    }
}

#[test]
fn all_errors_are_reported_in_file_order() {
    let (code, _, stderr) = check("bad_several_errors.toml");
    assert_eq!(code, 1);
    assert!(stderr.contains("has 3 errors"), "{stderr}");
    let positions: Vec<(usize, usize)> = stderr
        .lines()
        .filter_map(|l| l.split("bad_several_errors.toml:").nth(1))
        .filter_map(|rest| {
            let mut it = rest
                .split(|c: char| !c.is_ascii_digit())
                .filter(|s| !s.is_empty());
            Some((it.next()?.parse().ok()?, it.next()?.parse().ok()?))
        })
        .collect();
    let mut sorted = positions.clone();
    sorted.sort();
    assert_eq!(positions, sorted);
}

// ---- Hostile and careless input: never a crash, a hang or a misleading word.

/// The valid agreement the tests below spoil.
fn minimal() -> String {
    std::fs::read_to_string(agreements_dir().join("ok_minimal.toml")).expect("ok_minimal.toml")
}

/// `minimal()` with its `company_size` fit rule replaced by `when`.
fn with_fit_rule(when: &str) -> String {
    let a = minimal();
    let old = "when = \"lead.employees >= 200\"";
    assert!(a.contains(old));
    a.replacen(old, &format!("when = \"{when}\""), 1)
}

/// Runs `accord check` on `content` written to a fresh file named `name`.
fn check_bytes(name: &str, content: &[u8]) -> (i32, String, String) {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join(name), content).unwrap();
    let out = Command::new(env!("CARGO_BIN_EXE_accord"))
        .args(["check", name])
        .current_dir(dir.path())
        .env("NO_COLOR", "1")
        .output()
        .expect("the accord binary runs");
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

/// How many problems a report lists (one `×` line each).
fn listed(stderr: &str) -> usize {
    stderr
        .lines()
        .filter(|l| l.trim_start().starts_with('×'))
        .count()
}

#[test]
fn a_toml_error_past_column_65535_is_reported_not_a_crash() {
    let text = format!("name = \"{}\" = =\n", "x".repeat(70_000));
    let (code, _, stderr) = check_bytes("long.toml", text.as_bytes());
    assert_eq!(code, 1, "{stderr}");
    assert!(stderr.contains("long.toml:1:70011"), "{stderr}");
    assert_eq!(listed(&stderr), 1, "{stderr}");
    // The 70,000 x are not echoed: the line is cut around the place.
    assert!(stderr.len() < 2_000, "{} bytes:\n{stderr}", stderr.len());
}

#[test]
fn an_unknown_key_past_column_65535_is_reported_not_a_crash() {
    let a = minimal().replacen(
        "[scoring]\nmql_threshold = 60\n",
        &format!(
            "[scoring]\nmql_threshold = 60\nnote = {{ pad = \"{}\" }}\n",
            "y".repeat(70_000)
        ),
        1,
    );
    let a = a.replacen("note = {", "notes = 1\nnote = {", 1);
    let (code, _, stderr) = check_bytes("wide.toml", a.as_bytes());
    assert_eq!(code, 1, "{stderr}");
    assert!(
        stderr.contains("unknown key `note` in [scoring]"),
        "{stderr}"
    );
    assert!(
        stderr.contains("unknown key `notes` in [scoring]"),
        "{stderr}"
    );
    assert!(stderr.len() < 3_000, "{} bytes:\n{stderr}", stderr.len());
}

#[test]
fn a_rule_error_past_column_65535_is_reported_not_a_crash() {
    // An inline table puts the rule far right on one line.
    let old = "[personas.finance]\ndescription = \"Pays.\"\n";
    let a = minimal();
    assert!(a.contains(old));
    let a = a.replacen(
        old,
        &format!(
            "[personas]\nfinance = {{ description = \"{}\", when = \"lead.employes > 1\" }}\n",
            "z".repeat(70_000)
        ),
        1,
    );
    let (code, _, stderr) = check_bytes("far.toml", a.as_bytes());
    assert_eq!(code, 1, "{stderr}");
    assert!(
        stderr.contains("in `personas.finance.when`: `lead` has no field `employes`"),
        "{stderr}"
    );
    assert!(stderr.contains("far.toml:50:70039"), "{stderr}");
    assert!(stderr.len() < 3_000, "{} bytes:\n{stderr}", stderr.len());
}

#[test]
fn thousands_of_junk_lines_list_fifty_errors_and_count_the_rest() {
    let junk: String = (0..5_000).map(|i| format!("this is junk {i}\n")).collect();
    let (code, _, stderr) = check_bytes("junk.toml", junk.as_bytes());
    assert_eq!(code, 1);
    assert_eq!(listed(&stderr), 50, "{}", &stderr[..stderr.len().min(3000)]);
    assert!(stderr.contains("… and 4950 more errors"), "{stderr}");
    let last = stderr.trim_end().lines().last().unwrap();
    assert_eq!(
        last,
        "error: junk.toml has 5000 errors (the first 50 are listed)"
    );
    assert!(stderr.len() < 40_000, "{} bytes", stderr.len());
}

#[test]
fn a_file_over_one_mib_is_refused_with_its_size() {
    let big = "x".repeat(2_000_000) + "\n";
    let (code, _, stderr) = check_bytes("big.toml", big.as_bytes());
    assert_eq!(code, 1);
    assert_eq!(
        stderr.trim_end(),
        "error: cannot check big.toml: it is 2,000,001 bytes, and an agreement is at most 1 MiB (1,048,576 bytes): is this the right file?"
    );
}

#[test]
fn a_csv_file_is_told_apart_at_once() {
    let mut csv = String::from("touch_id,lead_id,kind,channel,occurred_at\n");
    for i in 0..20_000 {
        csv.push_str(&format!(
            "T{i},L{i},email_open,email,2025-01-01T00:00:00Z\n"
        ));
    }
    assert!(csv.len() < 1 << 20);
    let (code, _, stderr) = check_bytes("touches.csv", csv.as_bytes());
    assert_eq!(code, 1);
    assert_eq!(listed(&stderr), 1, "{stderr}");
    assert!(
        stderr.contains(
            "this looks like a CSV file (a header of 5 comma-separated columns), not an agreement"
        ),
        "{stderr}"
    );
    assert!(stderr.contains("touches.csv:1:1"), "{stderr}");
    assert!(stderr.contains("accord import DIR"), "{stderr}");
}

#[test]
fn json_is_told_apart_at_once() {
    let (code, _, stderr) = check_bytes("a.json", b"{\n  \"version\": 1\n}\n");
    assert_eq!(code, 1);
    assert_eq!(listed(&stderr), 1, "{stderr}");
    assert!(
        stderr.contains("this looks like JSON, not an agreement"),
        "{stderr}"
    );
}

#[test]
fn a_file_that_is_not_utf8_names_the_bad_byte() {
    let (code, _, stderr) = check_bytes("latin1.toml", b"version = 1\nname = \"caf\xe9\"\n");
    assert_eq!(code, 1);
    assert!(
        stderr.contains(
            "the file is not UTF-8 text: byte 0xE9 at line 2, column 12 (byte offset 23) is not UTF-8"
        ),
        "{stderr}"
    );
    assert!(stderr.contains("latin1.toml:2:12"), "{stderr}");
    assert!(!stderr.contains("run `accord init`"), "{stderr}");
}

#[test]
fn a_binary_file_is_told_apart() {
    let (code, _, stderr) = check_bytes("accord.db", b"SQLite format 3\0\x10\x00\x01\x01");
    assert_eq!(code, 1);
    assert!(
        stderr.contains("this is a SQLite database (an accord database?), not an agreement"),
        "{stderr}"
    );
    assert!(!stderr.contains("run `accord init`"), "{stderr}");
}

#[test]
fn a_directory_is_not_a_missing_file() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::create_dir(dir.path().join("agreements")).unwrap();
    let out = Command::new(env!("CARGO_BIN_EXE_accord"))
        .args(["check", "agreements"])
        .current_dir(dir.path())
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(1));
    assert_eq!(
        stderr.trim_end(),
        "error: cannot read agreements: it is a directory, not a file (the agreement is a file such as agreements/accord.toml)"
    );
}

#[test]
fn a_missing_file_says_so_and_how_to_make_one() {
    let (code, _, stderr) = check("no_such_file.toml");
    assert_eq!(code, 1);
    assert_eq!(
        stderr.trim_end(),
        "error: cannot read no_such_file.toml: no such file (run `accord init` to create a starter agreement)"
    );
}

#[test]
fn an_unreadable_file_says_permission_denied() {
    use std::os::unix::fs::PermissionsExt;
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("accord.toml");
    std::fs::write(&path, minimal()).unwrap();
    std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o000)).unwrap();
    if std::fs::read(&path).is_ok() {
        // Running as root: every file is readable, nothing to test here.
        eprintln!("skipped: permissions are not enforced for this user");
        return;
    }
    let out = Command::new(env!("CARGO_BIN_EXE_accord"))
        .args(["check", "accord.toml"])
        .current_dir(dir.path())
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    assert!(
        String::from_utf8_lossy(&out.stderr).contains("cannot read accord.toml: permission denied")
    );
}

#[test]
fn a_nested_rule_is_refused_in_words_not_parser_internals() {
    let when = "(".repeat(120) + "true" + &")".repeat(120);
    let (code, _, stderr) = check_bytes("deep.toml", with_fit_rule(&when).as_bytes());
    assert_eq!(code, 1);
    assert!(!stderr.contains("OtherError"), "{stderr}");
    assert!(!stderr.contains("ParseError"), "{stderr}");
    assert!(
        stderr.contains("in `scoring.fit.when`: the rule nests brackets more than 16 deep"),
        "{stderr}"
    );
    // Pointed at the 17th bracket: `when = "` is 8 characters.
    assert!(stderr.contains("deep.toml:68:25"), "{stderr}");
}

#[test]
fn a_long_operator_chain_is_refused_not_a_stack_overflow() {
    let when = vec!["1"; 20_000].join(" + ") + " > 0";
    let (code, _, stderr) = check_bytes("chain.toml", with_fit_rule(&when).as_bytes());
    assert_eq!(code, 1, "{stderr}");
    assert!(
        stderr.contains("the rule is 80001 bytes long: a rule is at most 2048 bytes"),
        "{stderr}"
    );
    assert!(stderr.len() < 2_000, "{} bytes", stderr.len());
    let when = vec!["1"; 66].join(" + ") + " > 0";
    let (code, _, stderr) = check_bytes("ops.toml", with_fit_rule(&when).as_bytes());
    assert_eq!(code, 1, "{stderr}");
    assert!(
        stderr.contains("the rule has more than 64 operators"),
        "{stderr}"
    );
}

#[test]
fn a_dotted_key_with_too_many_parts_is_placed_at_the_key() {
    let key = vec!["a"; 100].join(".");
    let text = format!("version = 1\n{key} = 1\n");
    let (code, _, stderr) = check_bytes("dotted.toml", text.as_bytes());
    assert_eq!(code, 1);
    assert!(
        stderr.contains("TOML syntax: a dotted key has more than 79 parts"),
        "{stderr}"
    );
    assert!(stderr.contains("dotted.toml:2:1"), "{stderr}");
}

#[test]
fn a_duplicate_key_written_dotted_names_the_key() {
    let a = minimal().replacen(
        "[sla.sales]\n",
        "[sla]\nsales.follow_up_hours = 24\n\n[sla.sales]\n",
        1,
    );
    let (code, _, stderr) = check_bytes("dup.toml", a.as_bytes());
    assert_eq!(code, 1);
    assert!(
        stderr.contains("TOML syntax: duplicate key `sales`"),
        "{stderr}"
    );
}

#[test]
fn more_rules_than_the_limit_are_refused() {
    let mut a = minimal();
    for i in 0..199 {
        a.push_str(&format!(
            "\n[[scoring.fit]]\nname = \"r{i}\"\nwhen = \"lead.employees >= {i}\"\npoints = 1\n"
        ));
    }
    let (code, _, stderr) = check_bytes("many.toml", a.as_bytes());
    assert_eq!(code, 1, "{stderr}");
    assert!(
        stderr.contains("`scoring.fit` has 201 rules: an agreement takes at most 200"),
        "{stderr}"
    );
    assert_eq!(listed(&stderr), 1, "{stderr}");
}

#[test]
fn control_characters_from_the_file_never_reach_the_terminal() {
    let a = minimal().replacen(
        "[scoring]\n",
        "[scoring]\n\"\\u001b[2J\\u001b[31mred\" = 1\n",
        1,
    );
    let (code, _, stderr) = check_bytes("esc.toml", a.as_bytes());
    assert_eq!(code, 1);
    assert!(stderr.contains("unknown key"), "{stderr}");
    assert!(!stderr.contains('\u{1b}'), "{stderr:?}");
}

#[test]
fn the_help_states_the_limits() {
    let out = Command::new(env!("CARGO_BIN_EXE_accord"))
        .args(["check", "--help"])
        .output()
        .unwrap();
    let help = String::from_utf8_lossy(&out.stdout);
    assert!(help.contains("routing with its working hours"), "{help}");
    assert!(help.contains("`accord init` writes"), "{help}");
    for limit in [
        "at most 1 MiB (1,048,576 bytes)",
        "the first 50",
        "at most 100 each",
        "at most 200",
        "at most 2,048 bytes",
        "16 deep",
        "64 operators",
        "at most 32 items in all",
        "at most 64 KiB",
        "at most 128 KiB of text",
    ] {
        assert!(help.contains(limit), "`{limit}` not in:\n{help}");
    }
}

#[test]
fn an_empty_file_gets_one_message_not_one_per_section() {
    for content in ["", "\n\n", "# only a comment\n  # and another\n"] {
        let (code, _, stderr) = check_bytes("accord.toml", content.as_bytes());
        assert_eq!(code, 1);
        assert_eq!(listed(&stderr), 1, "{stderr}");
        assert!(
            stderr.contains("the file holds no settings: it is empty or only comments"),
            "{stderr}"
        );
        assert!(stderr.contains("run `accord init`"), "{stderr}");
    }
}

#[test]
fn two_long_names_are_not_compared_for_a_suggestion() {
    // An unknown stage of 300,000 characters beside a declared one as long:
    // comparing them for "did you mean" took minutes.
    let a = minimal();
    let at = a.find("[personas.executive_buyer]").unwrap();
    let text = format!(
        "{}[stages.{}]\ndescription = \"x\"\nfrom = [\"{}\"]\nwhen = \"true\"\n\n{}",
        &a[..at],
        "s".repeat(300_000),
        "t".repeat(300_000),
        &a[at..]
    );
    let (code, _, stderr) = check_bytes("long_names.toml", text.as_bytes());
    assert_eq!(code, 1);
    assert!(stderr.contains("unknown stage `tttt"), "{stderr}");
    assert!(stderr.len() < 3_000, "{} bytes", stderr.len());
}

#[test]
fn nested_loops_over_long_lists_are_refused() {
    // Nested loops cost the product of their lengths in the sample
    // evaluation: 200 rules of 20⁴ iterations took minutes.
    let list = format!("[{}]", ["1"; 5].join(","));
    let when = format!("{list}.all(x, {list}.all(y, {list}.all(z, {list}.all(w, true))))");
    let (code, _, stderr) = check_bytes("loops.toml", with_fit_rule(&when).as_bytes());
    assert_eq!(code, 1, "{stderr}");
    assert!(
        stderr.contains("`all`, `exists`, `exists_one`, `map` and `filter` cannot be nested"),
        "{stderr}"
    );
    let when = format!("[{}].all(x, x == 1)", vec!["1"; 300].join(","));
    let (code, _, stderr) = check_bytes("long.toml", with_fit_rule(&when).as_bytes());
    assert_eq!(code, 1, "{stderr}");
    assert!(stderr.contains("hold more than 32 items"), "{stderr}");
}

#[test]
fn an_oversized_regular_expression_is_refused_before_it_is_compiled() {
    // cel compiles with a 10 MB limit: ~90 ms for this one, per rule.
    // TOML unescapes `\\\\` to `\\`, which CEL reads as one backslash.
    let when = r"lead.title.matches('\\\\w{500}\\\\w{500}')";
    let (code, _, stderr) = check_bytes("regex.toml", with_fit_rule(when).as_bytes());
    assert_eq!(code, 1, "{stderr}");
    assert!(
        stderr.contains("the regular expression is too large: it compiles to more than 64 KiB"),
        "{stderr}"
    );
}

#[test]
fn the_rules_text_in_all_is_bounded() {
    // 198 rules of 1,200 bytes (600 list items each): cel's parser took a
    // second for them.
    let ones = format!("[{}]", vec!["1"; 300].join(","));
    let when = format!("lead.employees in {ones} && lead.employees in {ones}");
    let mut a = minimal();
    for i in 0..198 {
        a.push_str(&format!(
            "\n[[scoring.fit]]\nname = \"x{i}\"\nwhen = \"{when}\"\npoints = 1\n"
        ));
    }
    let (code, _, stderr) = check_bytes("bulky.toml", a.as_bytes());
    assert_eq!(code, 1, "{stderr}");
    assert_eq!(listed(&stderr), 1, "{stderr}");
    assert!(
        stderr
            .contains("the rules hold more than 128 KiB of text in all: the rest are not checked"),
        "{stderr}"
    );
}
