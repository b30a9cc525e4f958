//! Fast field formatting (ids, timestamps, money) into reusable byte buffers,
//! and the CSV writer setup. The csv crate does the RFC 4180 quoting.

use std::fs::File;
use std::path::Path;

use accord_core::contract::FileKind;

use crate::GenError;

/// The csv writer buffers on its own (1 MiB), straight to the file.
pub type CsvOut = csv::Writer<File>;

/// Creates one file of the contract and writes its header.
pub fn create(dir: &Path, kind: FileKind) -> Result<CsvOut, GenError> {
    let path = dir.join(kind.file_name());
    let file = File::create(&path).map_err(|e| GenError::Io {
        path: path.clone(),
        source: e,
    })?;
    let mut w = csv::WriterBuilder::new()
        .buffer_capacity(1 << 20)
        .from_writer(file);
    w.write_record(kind.columns())?;
    Ok(w)
}

/// Appends `n` in decimal, zero-padded to at least `width` digits.
pub fn push_uint(out: &mut Vec<u8>, mut n: u64, width: usize) {
    let mut buf = [0u8; 20];
    let mut i = buf.len();
    loop {
        i -= 1;
        buf[i] = b'0' + (n % 10) as u8;
        n /= 10;
        if n == 0 {
            break;
        }
    }
    while buf.len() - i < width {
        i -= 1;
        buf[i] = b'0';
    }
    out.extend_from_slice(&buf[i..]);
}

/// An id such as `L0000042` for index 41 (ids count from 1).
pub fn push_id(out: &mut Vec<u8>, prefix: u8, index: u64, width: usize) {
    out.push(prefix);
    push_uint(out, index + 1, width);
}

/// Days since 1970-01-01 to (year, month, day) (H. Hinnant's civil_from_days).
pub fn civil(days: i64) -> (i64, u32, u32) {
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = (doy - (153 * mp + 2) / 5 + 1) as u32;
    let m = if mp < 10 { mp + 3 } else { mp - 9 } as u32;
    (yoe + era * 400 + i64::from(m <= 2), m, d)
}

/// `YYYY-MM-DDTHH:MM:SSZ`
pub fn push_ts(out: &mut Vec<u8>, t: i64) {
    let (y, m, d) = civil(t.div_euclid(86_400));
    let s = t.rem_euclid(86_400);
    push_uint(out, y as u64, 4);
    out.push(b'-');
    push_uint(out, m as u64, 2);
    out.push(b'-');
    push_uint(out, d as u64, 2);
    out.push(b'T');
    push_uint(out, (s / 3600) as u64, 2);
    out.push(b':');
    push_uint(out, (s / 60 % 60) as u64, 2);
    out.push(b':');
    push_uint(out, (s % 60) as u64, 2);
    out.push(b'Z');
}

/// Dollars with two decimals from cents (non-negative).
pub fn push_money(out: &mut Vec<u8>, cents: i64) {
    push_uint(out, (cents / 100) as u64, 1);
    out.push(b'.');
    push_uint(out, (cents % 100) as u64, 2);
}

/// Writes one record field by field from a row builder.
pub struct Row<'a> {
    w: &'a mut CsvOut,
    buf: &'a mut Vec<u8>,
}

impl<'a> Row<'a> {
    pub fn new(w: &'a mut CsvOut, buf: &'a mut Vec<u8>) -> Row<'a> {
        Row { w, buf }
    }
    pub fn str(&mut self, s: &str) -> Result<&mut Self, GenError> {
        self.w.write_field(s)?;
        Ok(self)
    }
    pub fn opt_str(&mut self, s: Option<&str>) -> Result<&mut Self, GenError> {
        self.str(s.unwrap_or(""))
    }
    pub fn with(&mut self, f: impl FnOnce(&mut Vec<u8>)) -> Result<&mut Self, GenError> {
        self.buf.clear();
        f(self.buf);
        self.w.write_field(&*self.buf)?;
        Ok(self)
    }
    pub fn id(&mut self, prefix: u8, index: u64, width: usize) -> Result<&mut Self, GenError> {
        self.with(|b| push_id(b, prefix, index, width))
    }
    pub fn opt_id(
        &mut self,
        prefix: u8,
        index: Option<u64>,
        width: usize,
    ) -> Result<&mut Self, GenError> {
        match index {
            Some(i) => self.id(prefix, i, width),
            None => self.str(""),
        }
    }
    pub fn ts(&mut self, t: i64) -> Result<&mut Self, GenError> {
        self.with(|b| push_ts(b, t))
    }
    pub fn opt_ts(&mut self, t: Option<i64>) -> Result<&mut Self, GenError> {
        match t {
            Some(t) => self.ts(t),
            None => self.str(""),
        }
    }
    pub fn uint(&mut self, n: u64) -> Result<&mut Self, GenError> {
        self.with(|b| push_uint(b, n, 1))
    }
    pub fn opt_uint(&mut self, n: Option<u64>) -> Result<&mut Self, GenError> {
        match n {
            Some(n) => self.uint(n),
            None => self.str(""),
        }
    }
    pub fn money(&mut self, cents: i64) -> Result<&mut Self, GenError> {
        self.with(|b| push_money(b, cents))
    }
    pub fn opt_money(&mut self, cents: Option<i64>) -> Result<&mut Self, GenError> {
        match cents {
            Some(c) => self.money(c),
            None => self.str(""),
        }
    }
    pub fn end(&mut self) -> Result<(), GenError> {
        self.w.write_record(None::<&[u8]>)?;
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn formats() {
        let mut b = Vec::new();
        push_ts(&mut b, crate::vocab::START);
        assert_eq!(b, b"2025-04-01T00:00:00Z");
        b.clear();
        push_ts(&mut b, crate::vocab::LAST);
        assert_eq!(b, b"2026-03-31T23:59:59Z");
        b.clear();
        push_ts(&mut b, 951_827_696); // 2000-02-29T12:34:56Z
        assert_eq!(b, b"2000-02-29T12:34:56Z");
        b.clear();
        push_id(&mut b, b'L', 41, 7);
        assert_eq!(b, b"L0000042");
        b.clear();
        push_money(&mut b, 123_405);
        assert_eq!(b, b"1234.05");
        b.clear();
        push_money(&mut b, 7);
        assert_eq!(b, b"0.07");
    }
}
