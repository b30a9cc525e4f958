//! The snapshot's byte layout: little-endian numbers, and columns written as a
//! length then their values back to back, so a column of millions of rows is
//! one copy in and one copy out.

use super::SnapshotError;

/// Bytes being written.
#[derive(Default)]
pub(crate) struct Out {
    pub(crate) bytes: Vec<u8>,
}

impl Out {
    pub(crate) fn u8(&mut self, v: u8) {
        self.bytes.push(v);
    }

    pub(crate) fn u32(&mut self, v: u32) {
        self.bytes.extend_from_slice(&v.to_le_bytes());
    }

    pub(crate) fn u64(&mut self, v: u64) {
        self.bytes.extend_from_slice(&v.to_le_bytes());
    }

    pub(crate) fn i64(&mut self, v: i64) {
        self.bytes.extend_from_slice(&v.to_le_bytes());
    }

    pub(crate) fn len(&mut self, n: usize) {
        self.u64(n as u64);
    }

    pub(crate) fn str(&mut self, s: &str) {
        self.len(s.len());
        self.bytes.extend_from_slice(s.as_bytes());
    }

    pub(crate) fn u8s(&mut self, v: &[u8]) {
        self.len(v.len());
        self.bytes.extend_from_slice(v);
    }

    pub(crate) fn bools(&mut self, v: &[bool]) {
        self.len(v.len());
        self.bytes.extend(v.iter().map(|&b| u8::from(b)));
    }

    pub(crate) fn u32s(&mut self, v: &[u32]) {
        self.len(v.len());
        self.bytes.reserve(v.len() * 4);
        for x in v {
            self.bytes.extend_from_slice(&x.to_le_bytes());
        }
    }

    pub(crate) fn i64s(&mut self, v: &[i64]) {
        self.len(v.len());
        self.bytes.reserve(v.len() * 8);
        for x in v {
            self.bytes.extend_from_slice(&x.to_le_bytes());
        }
    }

    pub(crate) fn u64s(&mut self, v: &[u64]) {
        self.len(v.len());
        self.bytes.reserve(v.len() * 8);
        for x in v {
            self.bytes.extend_from_slice(&x.to_le_bytes());
        }
    }
}

/// Bytes being read; every read names what it reads, for the error.
pub(crate) struct In<'a> {
    bytes: &'a [u8],
    pos: usize,
}

impl<'a> In<'a> {
    pub(crate) fn new(bytes: &'a [u8]) -> In<'a> {
        In { bytes, pos: 0 }
    }

    pub(crate) fn is_done(&self) -> bool {
        self.pos == self.bytes.len()
    }

    pub(crate) fn invalid(&self, what: &'static str) -> SnapshotError {
        SnapshotError::Invalid { at: self.pos, what }
    }

    fn take(&mut self, n: usize, what: &'static str) -> Result<&'a [u8], SnapshotError> {
        let end = self
            .pos
            .checked_add(n)
            .filter(|&e| e <= self.bytes.len())
            .ok_or(SnapshotError::Truncated { at: self.pos, what })?;
        let out = &self.bytes[self.pos..end];
        self.pos = end;
        Ok(out)
    }

    fn array<const N: usize>(&mut self, what: &'static str) -> Result<[u8; N], SnapshotError> {
        Ok(self.take(N, what)?.try_into().expect("N bytes"))
    }

    pub(crate) fn u8(&mut self, what: &'static str) -> Result<u8, SnapshotError> {
        Ok(self.take(1, what)?[0])
    }

    pub(crate) fn u32(&mut self, what: &'static str) -> Result<u32, SnapshotError> {
        self.array(what).map(u32::from_le_bytes)
    }

    pub(crate) fn u64(&mut self, what: &'static str) -> Result<u64, SnapshotError> {
        self.array(what).map(u64::from_le_bytes)
    }

    pub(crate) fn i64(&mut self, what: &'static str) -> Result<i64, SnapshotError> {
        self.array(what).map(i64::from_le_bytes)
    }

    /// A length of items of `width` bytes each, checked against what is left
    /// (a damaged length never asks for a huge allocation).
    pub(crate) fn len(&mut self, width: usize, what: &'static str) -> Result<usize, SnapshotError> {
        let at = self.pos;
        let n = self.u64(what)?;
        let left = (self.bytes.len() - self.pos) as u64;
        if n.saturating_mul(width.max(1) as u64) > left {
            return Err(SnapshotError::Truncated { at, what });
        }
        Ok(n as usize)
    }

    pub(crate) fn str(&mut self, what: &'static str) -> Result<&'a str, SnapshotError> {
        let n = self.len(1, what)?;
        let at = self.pos;
        std::str::from_utf8(self.take(n, what)?).map_err(|_| SnapshotError::Invalid { at, what })
    }

    pub(crate) fn u8s(&mut self, what: &'static str) -> Result<Vec<u8>, SnapshotError> {
        let n = self.len(1, what)?;
        Ok(self.take(n, what)?.to_vec())
    }

    pub(crate) fn bools(&mut self, what: &'static str) -> Result<Vec<bool>, SnapshotError> {
        let n = self.len(1, what)?;
        let at = self.pos;
        self.take(n, what)?
            .iter()
            .map(|&b| match b {
                0 => Ok(false),
                1 => Ok(true),
                _ => Err(SnapshotError::Invalid { at, what }),
            })
            .collect()
    }

    pub(crate) fn u32s(&mut self, what: &'static str) -> Result<Vec<u32>, SnapshotError> {
        let n = self.len(4, what)?;
        let raw = self.take(n * 4, what)?;
        Ok(raw
            .chunks_exact(4)
            .map(|c| u32::from_le_bytes(c.try_into().expect("4 bytes")))
            .collect())
    }

    pub(crate) fn i64s(&mut self, what: &'static str) -> Result<Vec<i64>, SnapshotError> {
        let n = self.len(8, what)?;
        let raw = self.take(n * 8, what)?;
        Ok(raw
            .chunks_exact(8)
            .map(|c| i64::from_le_bytes(c.try_into().expect("8 bytes")))
            .collect())
    }

    pub(crate) fn u64s(&mut self, what: &'static str) -> Result<Vec<u64>, SnapshotError> {
        let n = self.len(8, what)?;
        let raw = self.take(n * 8, what)?;
        Ok(raw
            .chunks_exact(8)
            .map(|c| u64::from_le_bytes(c.try_into().expect("8 bytes")))
            .collect())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn columns_read_back_as_written() {
        let mut out = Out::default();
        out.u8(7);
        out.str("Zoë, \"Q\"");
        out.u32s(&[1, u32::MAX]);
        out.i64s(&[i64::MIN, -1, 0]);
        out.bools(&[true, false]);
        let mut r = In::new(&out.bytes);
        assert_eq!(r.u8("a").unwrap(), 7);
        assert_eq!(r.str("b").unwrap(), "Zoë, \"Q\"");
        assert_eq!(r.u32s("c").unwrap(), vec![1, u32::MAX]);
        assert_eq!(r.i64s("d").unwrap(), vec![i64::MIN, -1, 0]);
        assert_eq!(r.bools("e").unwrap(), vec![true, false]);
        assert!(r.is_done());
    }

    #[test]
    fn a_cut_or_damaged_column_is_an_error_naming_it() {
        let mut out = Out::default();
        out.u32s(&[1, 2, 3]);
        let cut = &out.bytes[..out.bytes.len() - 1];
        assert_eq!(
            In::new(cut).u32s("lead rows"),
            Err(SnapshotError::Truncated {
                at: 0,
                what: "lead rows"
            })
        );
        // A length far beyond the bytes left never allocates it.
        let mut huge = Out::default();
        huge.u64(u64::MAX / 2);
        assert!(matches!(
            In::new(&huge.bytes).i64s("times"),
            Err(SnapshotError::Truncated { what: "times", .. })
        ));
        let mut flags = Out::default();
        flags.u8s(&[0, 1, 2]);
        assert!(matches!(
            In::new(&flags.bytes).bools("flags"),
            Err(SnapshotError::Invalid {
                at: 8,
                what: "flags"
            })
        ));
    }
}
