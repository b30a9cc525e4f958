//! Problems found in an agreement file, each pinned to a span of the file, and
//! their rendering as rustc-style reports (file:line:column, the snippet with
//! an underline, and how to fix it). Rendering is pure: it returns text; the
//! caller decides where it goes and whether it is coloured.

use std::fmt;
use std::ops::Range;
use std::sync::Arc;

use miette::{
    GraphicalReportHandler, GraphicalTheme, LabeledSpan, NamedSource, SourceCode, SourceSpan,
};

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
            message: message.into(),
            label: label.into(),
            help: None,
            related: Vec::new(),
        }
    }

    pub(crate) fn help(mut self, help: impl Into<String>) -> Self {
        self.help = Some(help.into());
        self
    }

    pub(crate) fn maybe_help(mut self, help: Option<String>) -> Self {
        self.help = help;
        self
    }

    pub(crate) fn related(mut self, span: Range<usize>, label: impl Into<String>) -> Self {
        self.related.push((span, label.into()));
        self
    }
}

/// Every problem found in one agreement file, sorted by position.
#[derive(Clone, Debug)]
pub struct Diagnostics {
    path: String,
    source: Arc<String>,
    items: Vec<Diagnostic>,
}

impl Diagnostics {
    pub(crate) fn new(path: &str, source: &str, mut items: Vec<Diagnostic>) -> Self {
        items.sort_by(|a, b| {
            (a.span.start, a.span.end, &a.message).cmp(&(b.span.start, b.span.end, &b.message))
        });
        items.dedup();
        Diagnostics {
            path: path.to_string(),
            source: Arc::new(source.to_string()),
            items,
        }
    }

    pub fn len(&self) -> usize {
        self.items.len()
    }

    pub fn is_empty(&self) -> bool {
        self.items.is_empty()
    }

    pub fn iter(&self) -> impl Iterator<Item = &Diagnostic> {
        self.items.iter()
    }

    /// The 1-based line and column (in characters) of a byte offset.
    pub fn line_col(&self, offset: usize) -> (usize, usize) {
        let before = &self.source[..offset.min(self.source.len())];
        let line = before.matches('\n').count() + 1;
        let col = before.rsplit('\n').next().map_or(0, |l| l.chars().count()) + 1;
        (line, col)
    }

    /// Renders every problem; `color` adds ANSI colours for a terminal.
    pub fn render(&self, color: bool) -> String {
        let theme = if color {
            GraphicalTheme::unicode()
        } else {
            GraphicalTheme::unicode_nocolor()
        };
        let handler = GraphicalReportHandler::new_themed(theme)
            .with_width(100)
            .with_links(false);
        let named = NamedSource::new(self.path.clone(), Arc::clone(&self.source));
        let mut out = String::new();
        for item in &self.items {
            let report = Report {
                item,
                source: &named,
            };
            // Writing into a String cannot fail.
            let _ = handler.render_report(&mut out, &report);
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

/// Adapts one [`Diagnostic`] to miette for rendering.
struct Report<'a> {
    item: &'a Diagnostic,
    source: &'a NamedSource<Arc<String>>,
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
        Some(self.source)
    }

    fn labels(&self) -> Option<Box<dyn Iterator<Item = LabeledSpan> + '_>> {
        let span = |r: &Range<usize>| SourceSpan::from(r.start..r.end.max(r.start));
        let primary = LabeledSpan::new_primary_with_span(
            Some(self.item.label.clone()),
            span(&self.item.span),
        );
        let related = self
            .item
            .related
            .iter()
            .map(move |(r, label)| LabeledSpan::new_with_span(Some(label.clone()), span(r)));
        Some(Box::new(std::iter::once(primary).chain(related)))
    }
}
