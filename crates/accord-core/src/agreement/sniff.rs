//! The wrong file, told at once: too large, binary, not UTF-8, or plainly
//! not TOML (a CSV export, JSON). Each check looks at the bytes once, so a
//! wrong file is answered in microseconds with one message saying what it
//! looks like and what an agreement is.

use super::diagnostic::Diagnostic;
use super::excerpt::char_count;
use super::MAX_FILE_BYTES;

const WHAT_AN_AGREEMENT_IS: &str = "an agreement is a TOML text file (`key = value` lines and [section] headers) like the one `accord init` writes";

/// A file or text past [`MAX_FILE_BYTES`].
pub(super) fn too_large(size: u64) -> Diagnostic {
    Diagnostic::new(
        0..0,
        format!(
            "the file is {} bytes: an agreement is at most 1 MiB ({} bytes)",
            thousands(size),
            thousands(MAX_FILE_BYTES as u64)
        ),
        "file too large",
    )
    .help(format!(
        "is this the right file? {WHAT_AN_AGREEMENT_IS}: about 12 KB"
    ))
}

/// The start of `s` to show with a message about the whole file: its first
/// line, at most 200 bytes.
pub(super) fn head(s: &str) -> &str {
    let mut end = s.find('\n').unwrap_or(s.len()).min(200);
    while !s.is_char_boundary(end) {
        end -= 1;
    }
    &s[..end]
}

/// The bytes as text, or what to show and say when they are not UTF-8 text.
pub(super) fn text(bytes: &[u8]) -> Result<&str, Box<(String, Diagnostic)>> {
    if let Some(at) = bytes.iter().position(|&b| b == 0) {
        let what = if bytes.starts_with(b"SQLite format 3\0") {
            "a SQLite database (an accord database?)"
        } else {
            "a binary file"
        };
        let (shown, span) = shown_before(bytes, at);
        let (line, col) = line_col(&shown, span.start);
        return Err(Box::new((
            shown,
            Diagnostic::new(
                span,
                format!(
                    "this is {what}, not an agreement: it holds a zero byte at line {line}, column {col} (byte offset {at})"
                ),
                "binary data",
            )
            .help(format!("check the file name: {WHAT_AN_AGREEMENT_IS}")),
        )));
    }
    match std::str::from_utf8(bytes) {
        Ok(text) => Ok(text),
        Err(e) => {
            let at = e.valid_up_to();
            let (shown, span) = shown_before(bytes, at);
            let (line, col) = line_col(&shown, span.start);
            Err(Box::new((
                shown,
                Diagnostic::new(
                    span,
                    format!(
                        "the file is not UTF-8 text: byte 0x{:02X} at line {line}, column {col} (byte offset {at}) is not UTF-8",
                        bytes[at]
                    ),
                    "not UTF-8",
                )
                .help("save the agreement as UTF-8: it may be in Latin-1 or Windows-1252 (most editors can save it again as UTF-8)"),
            )))
        }
    }
}

/// The text up to the end of the line holding byte `at` (valid UTF-8 before
/// it, the bad byte shown as U+FFFD), and the span of that byte in it.
fn shown_before(bytes: &[u8], at: usize) -> (String, std::ops::Range<usize>) {
    let end = bytes[at..]
        .iter()
        .position(|&b| b == b'\n')
        .map_or(bytes.len(), |i| at + i);
    let before = String::from_utf8_lossy(&bytes[..at]);
    let mut shown = before.into_owned();
    let start = shown.len();
    shown.push('\u{FFFD}');
    let span = start..shown.len();
    let after = String::from_utf8_lossy(&bytes[(at + 1).min(end)..end]);
    shown.push_str(&after.replace('\0', "\u{FFFD}"));
    (shown, span)
}

fn line_col(text: &str, offset: usize) -> (usize, usize) {
    let before = &text[..offset];
    let line_start = before.rfind('\n').map_or(0, |i| i + 1);
    (
        before.bytes().filter(|&b| b == b'\n').count() + 1,
        char_count(&before[line_start..]) + 1,
    )
}

/// One message when the text is plainly not TOML, judged by its first line
/// that is neither blank nor a comment: a CSV header (commas, no `=`, not a
/// [section]) or JSON (`{`) can never start a TOML file.
pub(super) fn not_toml(src: &str) -> Option<Diagnostic> {
    let mut offset = 0;
    let (start, line) = src
        .split_inclusive('\n')
        .map(|l| {
            let at = offset;
            offset += l.len();
            (at, l)
        })
        .find(|(_, l)| {
            let t = l.trim();
            !t.is_empty() && !t.starts_with('#')
        })?;
    let trimmed = line.trim_end_matches(['\n', '\r']);
    let lead = trimmed.len() - trimmed.trim_start().len();
    let span = start + lead..start + trimmed.len();
    let t = trimmed.trim();
    let (what, label) = if t.starts_with('{') {
        ("this looks like JSON, not an agreement".to_string(), "JSON")
    } else if t.contains(',') && !t.contains('=') && !t.starts_with(['[', '"', '\'']) {
        let columns = t.split(',').count();
        (
            format!(
                "this looks like a CSV file (a header of {columns} comma-separated columns), not an agreement"
            ),
            "a CSV header",
        )
    } else {
        return None;
    };
    Some(Diagnostic::new(span, what, label).help(format!(
        "{WHAT_AN_AGREEMENT_IS}; CSV exports are read by `accord import DIR`"
    )))
}

/// One message for a file with nothing in it but blanks and comments,
/// instead of one per missing section.
pub(super) fn empty(src: &str) -> Option<Diagnostic> {
    let blank = src.lines().all(|l| {
        let t = l.trim();
        t.is_empty() || t.starts_with('#')
    });
    blank.then(|| {
        Diagnostic::new(
            0..0,
            "the file holds no settings: it is empty or only comments",
            "nothing here",
        )
        .help("run `accord init` to write a commented starter agreement (TOML: `key = value` lines and [section] headers)")
    })
}

/// `1234567` as `1,234,567`.
pub fn thousands(n: u64) -> String {
    let digits = n.to_string();
    let mut out = String::new();
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    out
}
