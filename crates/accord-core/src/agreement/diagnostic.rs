//! Problems found in an agreement file, each pinned to a span of the file, and
//! their rendering as rustc-style reports (file:line:column, the snippet with
//! an underline, and how to fix it). Rendering is pure: it returns text; the
//! caller decides where it goes and whether it is coloured.

use std::fmt;
use std::ops::Range;
use std::sync::Arc;

use miette::{GraphicalReportHandler, GraphicalTheme, LabeledSpan, SourceCode, SourceSpan};

use super::excerpt::{self, Excerpt};
use super::MAX_ERRORS_SHOWN;

/// One problem in the agreement file.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Diagnostic {
    /// Byte range in the file.
    pub span: Range<usize>,
    /// What is wrong, in one line.
    pub message: String,
    /// A short label under the snippet.
    pub label: String,
    /// How to fix it.
    pub help: Option<String>,
    /// Other places that explain this one (e.g. the first of two duplicates).
    pub related: Vec<(Range<usize>, String)>,
}

impl Diagnostic {
    pub(crate) fn new(
        span: Range<usize>,
        message: impl Into<String>,
        label: impl Into<String>,
    ) -> Self {
        Diagnostic {
            span,
            message: tidy(message.into()),
            label: tidy(label.into()),
            help: None,
            related: Vec::new(),
        }
    }

    pub(crate) fn help(mut self, help: impl Into<String>) -> Self {
        self.help = Some(tidy(help.into()));
        self
    }

    pub(crate) fn maybe_help(mut self, help: Option<String>) -> Self {
        self.help = help.map(tidy);
        self
    }

    pub(crate) fn related(mut self, span: Range<usize>, label: impl Into<String>) -> Self {
        self.related.push((span, tidy(label.into())));
        self
    }
}

/// Longest run of non-blank characters a message repeats from the file.
const MAX_WORD_CHARS: usize = 60;
/// Longest message, label or help.
const MAX_TEXT_CHARS: usize = 600;

/// Makes text that may quote the file safe and short: control characters
/// become visible, a long word (a key, a token, a number quoted from the
/// file) is cut with `…`, and the whole is cut at [`MAX_TEXT_CHARS`].
fn tidy(text: String) -> String {
    let long_word = text
        .split_whitespace()
        .any(|w| w.chars().nth(MAX_WORD_CHARS).is_some());
    let control = text.chars().any(|c| c.is_control() && c != '\n');
    if !long_word && !control && text.chars().nth(MAX_TEXT_CHARS).is_none() {
        return text;
    }
    let mut out = String::new();
    let mut word = 0;
    let mut total = 0;
    for c in text.chars() {
        if total == MAX_TEXT_CHARS {
            out.push('…');
            break;
        }
        if c.is_whitespace() {
            word = 0;
        } else {
            word += 1;
            if word > MAX_WORD_CHARS {
                if word == MAX_WORD_CHARS + 1 {
                    out.push('…');
                }
                continue;
            }
        }
        out.push(if c.is_control() && c != '\n' {
            '\u{FFFD}'
        } else {
            c
        });
        total += 1;
    }
    out
}

/// Every problem found in one agreement file, sorted by position. Holds at
/// most [`MAX_ERRORS_SHOWN`] of them and the count of the rest.
#[derive(Clone, Debug)]
pub struct Diagnostics {
    path: String,
    source: Arc<String>,
    /// Where each line of `source` starts.
    starts: Arc<Vec<usize>>,
    items: Vec<Diagnostic>,
    /// Problems found but not kept (past [`MAX_ERRORS_SHOWN`]).
    more: usize,
}

impl Diagnostics {
    pub(crate) fn new(path: &str, source: &str, mut items: Vec<Diagnostic>) -> Self {
        items.sort_by(|a, b| {
            (a.span.start, a.span.end, &a.message).cmp(&(b.span.start, b.span.end, &b.message))
        });
        items.dedup();
        let more = items.len().saturating_sub(MAX_ERRORS_SHOWN);
        items.truncate(MAX_ERRORS_SHOWN);
        Diagnostics {
            path: path.to_string(),
            source: Arc::new(source.to_string()),
            starts: Arc::new(excerpt::line_starts(source)),
            items,
            more,
        }
    }

    /// How many problems were found (shown or not).
    pub fn len(&self) -> usize {
        self.items.len() + self.more
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// The problems kept (the first [`MAX_ERRORS_SHOWN`] in file order).
    pub fn iter(&self) -> impl Iterator<Item = &Diagnostic> {
        self.items.iter()
    }

    /// The 1-based line and column (in characters) of a byte offset.
    pub fn line_col(&self, offset: usize) -> (usize, usize) {
        let offset = offset.min(self.source.len());
        let line = excerpt::line_of(&self.starts, offset);
        let start = self.starts[line];
        let upto = (start..=offset)
            .rev()
            .find(|&i| self.source.is_char_boundary(i))
            .unwrap_or(start);
        (line + 1, excerpt::char_count(&self.source[start..upto]) + 1)
    }

    /// Renders every problem kept, then how many more there are; `color`
    /// adds ANSI colours for a terminal. The text is bounded whatever the
    /// file: each report shows only a few cut lines of it.
    pub fn render(&self, color: bool) -> String {
        let theme = if color {
            GraphicalTheme::unicode()
        } else {
            GraphicalTheme::unicode_nocolor()
        };
        let handler = GraphicalReportHandler::new_themed(theme)
            .with_width(100)
            .with_links(false);
        let mut out = String::new();
        for item in &self.items {
            let mut spans = vec![(item.span.clone(), item.label.clone())];
            spans.extend(item.related.iter().cloned());
            let (source, labels) = Excerpt::new(&self.path, &self.source, &self.starts, &spans);
            let report = Report {
                item,
                source,
                labels,
            };
            // Writing into a String cannot fail; a failing handler writes
            // what it could and the next report goes on.
            let _ = handler.render_report(&mut out, &report);
        }
        if self.more > 0 {
            out.push_str(&format!(
                "  … and {} more error{} (only the first {MAX_ERRORS_SHOWN} are listed: fix these and check again)\n",
                self.more,
                if self.more == 1 { "" } else { "s" }
            ));
        }
        out
    }
}

impl fmt::Display for Diagnostics {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.render(false))
    }
}

impl std::error::Error for Diagnostics {}

/// Adapts one [`Diagnostic`] to miette for rendering, with its excerpt.
struct Report<'a> {
    item: &'a Diagnostic,
    source: Excerpt,
    labels: Vec<excerpt::Label>,
}

impl fmt::Debug for Report<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Debug::fmt(self.item, f)
    }
}

impl fmt::Display for Report<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.item.message)
    }
}

impl std::error::Error for Report<'_> {}

impl miette::Diagnostic for Report<'_> {
    fn help<'a>(&'a self) -> Option<Box<dyn fmt::Display + 'a>> {
        self.item
            .help
            .as_ref()
            .map(|h| Box::new(h) as Box<dyn fmt::Display>)
    }

    fn source_code(&self) -> Option<&dyn SourceCode> {
        Some(&self.source)
    }

    fn labels(&self) -> Option<Box<dyn Iterator<Item = LabeledSpan> + '_>> {
        Some(Box::new(self.labels.iter().map(|l| {
            let span = SourceSpan::from(l.span.clone());
            if l.primary {
                LabeledSpan::new_primary_with_span(Some(l.text.clone()), span)
            } else {
                LabeledSpan::new_with_span(Some(l.text.clone()), span)
            }
        })))
    }
}
