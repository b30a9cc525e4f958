//! The few lines one diagnostic shows, cut out of the file before rendering.
//!
//! miette reads the source it is given from the start for every report, and
//! formats columns as widths that may not pass 65,535: handing it the whole
//! file made `accord check` quadratic in the number of errors and panic on a
//! long line. An [`Excerpt`] holds only the labelled lines and one line of
//! context around each, every line cut to a window of at most a few hundred
//! characters around its labels (marked `…` where cut), with control
//! characters made visible. It reports the file's true line and column
//! numbers, so the output is the same as before for ordinary files and its
//! size is bounded for any file.

use std::ops::Range;

use miette::{MietteError, MietteSpanContents, SourceCode, SourceSpan, SpanContents};

/// Characters of a label shown at most (longer spans are cut).
const MAX_LABEL_CHARS: usize = 80;
/// A line up to this many bytes is shown whole.
const SHORT_LINE_BYTES: usize = 120;
/// Labels this many lines apart or closer share one snippet, with the lines
/// between them shown.
const JOIN_LINES: usize = 10;
/// Characters shown before the first and after the last label of a line.
const MARGIN_CHARS: usize = 40;
/// Characters of a context line (one without labels) shown at most.
const CONTEXT_CHARS: usize = 100;
/// Widest window around the labels of one line; past it, only the primary
/// label's part of the line is shown.
const MAX_WINDOW_CHARS: usize = 200;
/// Lines of context before and after a label (miette's default too).
const CONTEXT_LINES: usize = 1;

/// The byte offset where each line of `src` starts (computed once per file).
pub(super) fn line_starts(src: &str) -> Vec<usize> {
    std::iter::once(0)
        .chain(src.match_indices('\n').map(|(i, _)| i + 1))
        .collect()
}

/// The 0-based line holding byte `offset`.
pub(super) fn line_of(starts: &[usize], offset: usize) -> usize {
    starts.partition_point(|&s| s <= offset).saturating_sub(1)
}

/// Number of characters in `s` (counting lead bytes, which is fast).
pub(super) fn char_count(s: &str) -> usize {
    s.bytes().filter(|b| (b & 0xC0) != 0x80).count()
}

/// The largest char boundary of `s` at or before `i`.
fn floor(s: &str, i: usize) -> usize {
    let mut i = i.min(s.len());
    while !s.is_char_boundary(i) {
        i -= 1;
    }
    i
}

/// The byte offset `n` characters after `from`, at most `limit`.
fn forward(s: &str, from: usize, n: usize, limit: usize) -> usize {
    s[from..limit]
        .char_indices()
        .nth(n)
        .map_or(limit, |(i, _)| from + i)
}

/// The byte offset `n` characters before `from`, at least `limit`.
fn backward(s: &str, from: usize, n: usize, limit: usize) -> usize {
    if n == 0 {
        return from;
    }
    s[limit..from]
        .char_indices()
        .rev()
        .nth(n - 1)
        .map_or(limit, |(i, _)| limit + i)
}

/// One labelled span to show, already mapped into the excerpt.
pub(super) struct Label {
    pub span: Range<usize>,
    pub text: String,
    pub primary: bool,
}

/// One shown line: where it is in the excerpt and in the file.
struct Shown {
    /// Byte range of the shown text in the excerpt (without the newline).
    range: Range<usize>,
    /// 0-based column in the file of the excerpt's first character on this
    /// line, minus one for a leading `…`.
    col_shift: isize,
}

/// A run of consecutive file lines.
struct Group {
    range: Range<usize>,
    lines: Range<usize>,
}

/// The cut-out lines of one diagnostic, as miette's source.
pub(super) struct Excerpt {
    name: String,
    text: String,
    shown: Vec<Shown>,
    groups: Vec<Group>,
}

impl Excerpt {
    /// Cuts the lines that `labels` (byte ranges in `src`: primary first)
    /// need out of `src`. Returns the excerpt and the labels mapped into it;
    /// a label that does not fit the window of its line is left out.
    pub(super) fn new(
        name: &str,
        src: &str,
        starts: &[usize],
        labels: &[(Range<usize>, String)],
    ) -> (Excerpt, Vec<Label>) {
        // Each label on its first line, cut to MAX_LABEL_CHARS.
        let mut cut: Vec<(usize, Range<usize>, &str, bool)> = Vec::new();
        for (i, (span, text)) in labels.iter().enumerate() {
            let start = floor(src, span.start);
            let line = line_of(starts, start);
            let line_end = line_end(src, starts, line);
            let start = start.min(line_end);
            let end = floor(src, span.end.max(start)).clamp(start, line_end);
            let end = forward(src, start, MAX_LABEL_CHARS, end);
            cut.push((line, start..end, text.as_str(), i == 0));
        }
        // The lines to show, each with the labels on it.
        let mut lines: Vec<usize> = Vec::new();
        for (line, ..) in &cut {
            let from = line.saturating_sub(CONTEXT_LINES);
            let to = (line + CONTEXT_LINES).min(starts.len() - 1);
            lines.extend(from..=to);
        }
        lines.sort_unstable();
        lines.dedup();
        // Fill small gaps, so that nearby labels share one snippet.
        let mut filled: Vec<usize> = Vec::new();
        for &l in &lines {
            if let Some(&prev) = filled.last() {
                if l > prev + 1 && l - prev <= JOIN_LINES {
                    filled.extend(prev + 1..l);
                }
            }
            filled.push(l);
        }
        let lines = filled;

        let mut ex = Excerpt {
            name: name.to_string(),
            text: String::new(),
            shown: Vec::new(),
            groups: Vec::new(),
        };
        let mut mapped: Vec<Label> = Vec::new();
        for (k, &line) in lines.iter().enumerate() {
            let begins_group = k == 0 || lines[k - 1] + 1 != line;
            if begins_group {
                if let Some(g) = ex.groups.last_mut() {
                    g.range.end = ex.text.len();
                }
                ex.groups.push(Group {
                    range: ex.text.len()..ex.text.len(),
                    lines: line..line,
                });
            }
            if let Some(g) = ex.groups.last_mut() {
                g.lines.end = line + 1;
            }
            let on_line: Vec<&(usize, Range<usize>, &str, bool)> =
                cut.iter().filter(|(l, ..)| *l == line).collect();
            mapped.extend(ex.push_line(src, starts, line, &on_line));
            if line + 1 < starts.len() {
                ex.text.push('\n');
            }
        }
        if let Some(g) = ex.groups.last_mut() {
            g.range.end = ex.text.len();
        }
        (ex, mapped)
    }

    /// Appends the shown window of file line `line`; returns its labels
    /// mapped into the excerpt.
    fn push_line(
        &mut self,
        src: &str,
        starts: &[usize],
        line: usize,
        labels: &[&(usize, Range<usize>, &str, bool)],
    ) -> Vec<Label> {
        let line_start = starts[line];
        let line_end = line_end(src, starts, line);
        let mut kept: Vec<&(usize, Range<usize>, &str, bool)> = labels.to_vec();
        let window = |kept: &[&(usize, Range<usize>, &str, bool)]| {
            let lo = kept.iter().map(|(_, r, ..)| r.start).min()?;
            let hi = kept.iter().map(|(_, r, ..)| r.end).max()?;
            Some(lo..hi)
        };
        let (from, to) = match window(&kept) {
            _ if line_end - line_start <= SHORT_LINE_BYTES => (line_start, line_end),
            None => (
                line_start,
                forward(src, line_start, CONTEXT_CHARS, line_end),
            ),
            Some(mut w) => {
                if char_count(&src[w.clone()]) > MAX_WINDOW_CHARS {
                    // Keep the primary label (or the first) alone.
                    let keep = kept.iter().position(|l| l.3).unwrap_or(0);
                    kept = vec![kept[keep]];
                    w = kept[0].1.clone();
                }
                (
                    backward(src, w.start, MARGIN_CHARS, line_start),
                    forward(src, w.end, MARGIN_CHARS, line_end),
                )
            }
        };
        let begin = self.text.len();
        let mut col_shift = char_count(&src[line_start..from]) as isize;
        if from > line_start {
            self.text.push('…');
            col_shift -= 1;
        }
        // Copy the window, noting where each label's ends land.
        let mut marks: Vec<(usize, usize)> = Vec::new();
        let ends: Vec<usize> = kept
            .iter()
            .flat_map(|(_, r, ..)| [r.start, r.end])
            .collect();
        let note = |at: usize, pos: usize, marks: &mut Vec<(usize, usize)>| {
            for &e in &ends {
                if e == at {
                    marks.push((e, pos));
                }
            }
        };
        for (i, c) in src[from..to].char_indices() {
            note(from + i, self.text.len(), &mut marks);
            push_visible(&mut self.text, c);
        }
        note(to, self.text.len(), &mut marks);
        if to < line_end {
            self.text.push('…');
        }
        self.shown.push(Shown {
            range: begin..self.text.len(),
            col_shift,
        });
        let at = |x: usize| marks.iter().find(|(e, _)| *e == x).map(|(_, p)| *p);
        kept.iter()
            .filter_map(|(_, r, text, primary)| {
                Some(Label {
                    span: at(r.start)?..at(r.end)?,
                    text: text.to_string(),
                    primary: *primary,
                })
            })
            .collect()
    }

    /// The file column (0-based, in characters) of excerpt offset `at`.
    fn column(&self, at: usize) -> usize {
        let i = self
            .shown
            .partition_point(|s| s.range.start <= at)
            .saturating_sub(1);
        let Some(s) = self.shown.get(i) else {
            return 0;
        };
        let upto = floor(&self.text, at.clamp(s.range.start, s.range.end));
        (s.col_shift + char_count(&self.text[s.range.start..upto]) as isize).max(0) as usize
    }
}

/// Where line `line`'s text ends (before `\n` or `\r\n`).
fn line_end(src: &str, starts: &[usize], line: usize) -> usize {
    let end = starts.get(line + 1).map_or(src.len(), |&s| s - 1);
    if end > starts[line] && src.as_bytes()[end - 1] == b'\r' {
        end - 1
    } else {
        end
    }
}

/// Pushes `c`, showing a control character as a visible symbol so that a
/// file cannot drive the terminal; a tab stays a tab.
fn push_visible(out: &mut String, c: char) {
    match c {
        '\t' => out.push('\t'),
        c if c.is_control() => out.push('\u{FFFD}'),
        c => out.push(c),
    }
}

impl SourceCode for Excerpt {
    fn read_span<'a>(
        &'a self,
        span: &SourceSpan,
        before: usize,
        after: usize,
    ) -> Result<Box<dyn SpanContents<'a> + 'a>, MietteError> {
        let start = span.offset();
        let end = start + span.len();
        let group = self
            .groups
            .iter()
            .find(|g| g.range.start <= start && end <= g.range.end)
            .ok_or(MietteError::OutOfBounds)?;
        let text = &self.text[group.range.clone()];
        let inner = SourceSpan::from(start - group.range.start..end - group.range.start);
        let c = text.read_span(&inner, before, after)?;
        let data_start = group.range.start + c.span().offset();
        let column = if before == 0 {
            self.column(start)
        } else {
            c.column()
        };
        let line = group.lines.start + c.line();
        // miette joins two labels' snippets when this count reaches the
        // second: the lines to the end of the group, so exactly when both
        // are in one group.
        let line_count = group.lines.end - line;
        Ok(Box::new(MietteSpanContents::new_named(
            self.name.clone(),
            c.data(),
            SourceSpan::from(data_start..data_start + c.span().len()),
            line,
            column,
            line_count,
        )))
    }
}
