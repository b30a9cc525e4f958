//! A frame of named, typed columns, and reading one from a CSV file.

use std::collections::HashMap;
use std::path::Path;

use crate::ModelError;

/// A column's kind, as inferred or as built.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Kind {
    Numeric,
    Categorical,
}

impl Kind {
    pub fn word(self) -> &'static str {
        match self {
            Kind::Numeric => "numeric",
            Kind::Categorical => "categorical",
        }
    }
}

/// The code of a missing categorical value.
pub const MISSING: u32 = u32::MAX;

/// One column: numbers (NaN where missing) or codes into `levels`
/// (`MISSING` where missing).
#[derive(Clone, Debug, PartialEq)]
pub enum Column {
    Numeric(Vec<f64>),
    Categorical {
        levels: Vec<String>,
        codes: Vec<u32>,
    },
}

impl Column {
    pub fn kind(&self) -> Kind {
        match self {
            Column::Numeric(_) => Kind::Numeric,
            Column::Categorical { .. } => Kind::Categorical,
        }
    }

    pub fn len(&self) -> usize {
        match self {
            Column::Numeric(v) => v.len(),
            Column::Categorical { codes, .. } => codes.len(),
        }
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// The value of row `i` as text ("" when missing).
    pub fn shown(&self, i: usize) -> String {
        match self {
            Column::Numeric(v) if v[i].is_nan() => String::new(),
            Column::Numeric(v) => format!("{}", v[i]),
            Column::Categorical { levels, codes } => match codes[i] {
                MISSING => String::new(),
                c => levels[c as usize].clone(),
            },
        }
    }
}

/// Builds a categorical column value by value.
#[derive(Default)]
pub struct Interner {
    levels: Vec<String>,
    index: HashMap<String, u32>,
    codes: Vec<u32>,
}

impl Interner {
    pub fn push(&mut self, value: Option<&str>) {
        let code = match value {
            None => MISSING,
            Some(v) => match self.index.get(v) {
                Some(&c) => c,
                None => {
                    let c = self.levels.len() as u32;
                    self.levels.push(v.to_owned());
                    self.index.insert(v.to_owned(), c);
                    c
                }
            },
        };
        self.codes.push(code);
    }

    pub fn finish(self) -> Column {
        Column::Categorical {
            levels: self.levels,
            codes: self.codes,
        }
    }
}

/// Named columns of equal length.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Frame {
    pub names: Vec<String>,
    pub columns: Vec<Column>,
}

impl Frame {
    pub fn rows(&self) -> usize {
        self.columns.first().map_or(0, Column::len)
    }

    pub fn push(&mut self, name: &str, column: Column) {
        debug_assert!(self.columns.is_empty() || column.len() == self.rows());
        self.names.push(name.to_owned());
        self.columns.push(column);
    }

    pub fn index_of(&self, name: &str) -> Result<usize, ModelError> {
        self.names
            .iter()
            .position(|n| n == name)
            .ok_or_else(|| ModelError::NoColumn {
                name: name.to_owned(),
                known: self.names.join(", "),
            })
    }

    /// Takes a column out of the frame.
    pub fn take(&mut self, name: &str) -> Result<Column, ModelError> {
        let i = self.index_of(name)?;
        self.names.remove(i);
        Ok(self.columns.remove(i))
    }

    /// The rows at `rows`, in that order.
    pub fn select(&self, rows: &[usize]) -> Frame {
        let columns = self
            .columns
            .iter()
            .map(|c| match c {
                Column::Numeric(v) => Column::Numeric(rows.iter().map(|&i| v[i]).collect()),
                Column::Categorical { levels, codes } => Column::Categorical {
                    levels: levels.clone(),
                    codes: rows.iter().map(|&i| codes[i]).collect(),
                },
            })
            .collect();
        Frame {
            names: self.names.clone(),
            columns,
        }
    }
}

/// Cells read as missing in a CSV (besides the empty cell).
fn is_missing(cell: &str) -> bool {
    matches!(
        cell,
        "" | "NA" | "N/A" | "n/a" | "NaN" | "nan" | "null" | "NULL" | "None" | "?"
    )
}

/// The delimiter of a header line: the most frequent of `,` `;` tab `|`
/// outside double quotes (a comma when none occurs).
pub fn detect_delimiter(header: &str) -> u8 {
    let mut counts = [0usize; 4];
    let cands = [b',', b';', b'\t', b'|'];
    let mut quoted = false;
    for b in header.bytes() {
        if b == b'"' {
            quoted = !quoted;
        } else if !quoted {
            if let Some(i) = cands.iter().position(|&c| c == b) {
                counts[i] += 1;
            }
        }
    }
    let best = (0..4).max_by_key(|&i| (counts[i], 4 - i)).unwrap_or(0);
    if counts[best] == 0 {
        b','
    } else {
        cands[best]
    }
}

/// Reads a CSV file with a header line into a frame: the delimiter
/// detected, each column numeric when every present cell is a finite
/// number, else categorical.
pub fn read_csv(path: &Path) -> Result<(Frame, u8), ModelError> {
    let shown = path.display().to_string();
    let text = std::fs::read_to_string(path).map_err(|source| ModelError::Io {
        path: shown.clone(),
        source,
    })?;
    let header = text.lines().next().ok_or(ModelError::Empty {
        path: shown.clone(),
    })?;
    let delimiter = detect_delimiter(header);
    let frame = parse_csv(&text, delimiter, &shown)?;
    Ok((frame, delimiter))
}

/// Parses CSV text (see `read_csv`); `path` only names the place in errors.
pub fn parse_csv(text: &str, delimiter: u8, path: &str) -> Result<Frame, ModelError> {
    let mut reader = csv::ReaderBuilder::new()
        .delimiter(delimiter)
        .has_headers(true)
        .from_reader(text.as_bytes());
    let csv_err = |e: csv::Error| ModelError::Csv {
        path: path.to_owned(),
        line: e.position().map_or(0, |p| p.line()),
        message: e.to_string(),
    };
    let names: Vec<String> = reader
        .headers()
        .map_err(csv_err)?
        .iter()
        .map(|h| h.trim().to_owned())
        .collect();
    if names.is_empty() || names.iter().all(String::is_empty) {
        return Err(ModelError::Empty {
            path: path.to_owned(),
        });
    }
    let mut cells: Vec<Vec<String>> = vec![Vec::new(); names.len()];
    for record in reader.records() {
        let record = record.map_err(csv_err)?;
        for (col, cell) in cells.iter_mut().zip(record.iter()) {
            col.push(cell.trim().to_owned());
        }
    }
    let mut frame = Frame::default();
    for (name, col) in names.iter().zip(cells) {
        frame.push(name, infer(&col));
    }
    Ok(frame)
}

/// A column of cells as numbers when every present one is a finite number.
pub fn infer(cells: &[String]) -> Column {
    let mut numbers = Vec::with_capacity(cells.len());
    let mut any = false;
    for c in cells {
        if is_missing(c) {
            numbers.push(f64::NAN);
            continue;
        }
        match c.parse::<f64>() {
            Ok(v) if v.is_finite() => {
                any = true;
                numbers.push(v)
            }
            _ => {
                let mut b = Interner::default();
                for c in cells {
                    b.push(if is_missing(c) { None } else { Some(c) });
                }
                return b.finish();
            }
        }
    }
    if any {
        Column::Numeric(numbers)
    } else {
        let mut b = Interner::default();
        cells.iter().for_each(|_| b.push(None));
        b.finish()
    }
}

/// `frame` and an outcome column `target` (1/0) as CSV text.
pub fn to_csv(frame: &Frame, target: &str, y: &[bool]) -> Result<String, ModelError> {
    let mut w = csv::Writer::from_writer(Vec::new());
    let io = |e: csv::Error| ModelError::Data(e.to_string());
    let mut header: Vec<&str> = frame.names.iter().map(String::as_str).collect();
    header.push(target);
    w.write_record(&header).map_err(io)?;
    for (r, &label) in y.iter().enumerate() {
        let mut rec: Vec<String> = frame.columns.iter().map(|c| c.shown(r)).collect();
        rec.push(if label { "1" } else { "0" }.to_owned());
        w.write_record(&rec).map_err(io)?;
    }
    let bytes = w
        .into_inner()
        .map_err(|e| ModelError::Data(e.to_string()))?;
    Ok(String::from_utf8(bytes).expect("written from strings"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn delimiter_is_the_most_frequent_outside_quotes() {
        assert_eq!(detect_delimiter("\"a;b\",c,d"), b',');
        assert_eq!(detect_delimiter("\"age\";\"job\";\"y\""), b';');
        assert_eq!(detect_delimiter("a\tb\tc"), b'\t');
        assert_eq!(detect_delimiter("single"), b',');
    }

    #[test]
    fn kinds_are_inferred_and_missing_cells_kept() {
        let f = parse_csv("x;k;y\n1;a;yes\nNA;b;no\n2.5;;no\n", b';', "t.csv").unwrap();
        assert_eq!(f.names, ["x", "k", "y"]);
        match &f.columns[0] {
            Column::Numeric(v) => {
                assert_eq!(v[0], 1.0);
                assert!(v[1].is_nan());
                assert_eq!(v[2], 2.5);
            }
            other => panic!("{other:?}"),
        }
        assert_eq!(f.columns[1].kind(), Kind::Categorical);
        assert_eq!(f.columns[1].shown(2), "");
        assert_eq!(f.columns[2].shown(0), "yes");
    }

    #[test]
    fn a_ragged_row_names_its_line() {
        let e = parse_csv("a,b\n1,2\n3\n", b',', "t.csv").unwrap_err();
        assert!(e.to_string().starts_with("t.csv: line 3:"), "{e}");
    }
}
