//! Packing of an event key (kind, id) into one positive integer, for ids of
//! the shape `[A-Z]{0,2}[0-9]{1,12}` (`L0000001`, `12345`): the common shape of
//! CRM and marketing-automation ids. Stores index packed keys as integers (the
//! cheapest index there is) and sets of known ids hold them in 8 bytes.
//!
//! Bits, high to low: kind (4), letters (10: 0, 1..=26,
//! or 27·a + b for two), digit count (4), number (40). Distinct ids give
//! distinct keys (the digit count keeps `L01` apart from `L1`), and ids of one
//! prefix and width sort as their numbers do.

use super::EventKind;

const NUMBER_BITS: u32 = 40;
const DIGITS_SHIFT: u32 = NUMBER_BITS;
const LETTERS_SHIFT: u32 = DIGITS_SHIFT + 4;
const KIND_SHIFT: u32 = LETTERS_SHIFT + 10;

pub fn pack(kind: EventKind, id: &str) -> Option<i64> {
    pack_id(id).map(|key| i64::from(kind.code()) << KIND_SHIFT | key)
}

/// An id packed with no kind (kind bits 0): for sets of ids of one kind
/// known from elsewhere.
pub fn pack_id(id: &str) -> Option<i64> {
    pack_bytes(id.as_bytes())
}

/// [`pack_id`] of an id's bytes: bytes that pack are ASCII, so valid UTF-8
/// (a decoder may skip that check for them).
pub(crate) fn pack_bytes(b: &[u8]) -> Option<i64> {
    let letters = b.iter().take_while(|c| c.is_ascii_uppercase()).count();
    let digits = &b[letters..];
    if letters > 2 || digits.is_empty() || digits.len() > 12 {
        return None;
    }
    let mut number: i64 = 0;
    for &c in digits {
        if !c.is_ascii_digit() {
            return None;
        }
        number = number * 10 + i64::from(c - b'0');
    }
    let letter = |c: u8| i64::from(c - b'A' + 1);
    let prefix = match letters {
        0 => 0,
        1 => letter(b[0]),
        _ => letter(b[0]) * 27 + letter(b[1]),
    };
    Some(prefix << LETTERS_SHIFT | (digits.len() as i64) << DIGITS_SHIFT | number)
}

/// The id of a packed key (the kind is known from the range it came from).
pub fn unpack(key: i64) -> String {
    let prefix = (key >> LETTERS_SHIFT) & 0x3FF;
    let width = ((key >> DIGITS_SHIFT) & 0xF) as usize;
    let number = key & ((1 << NUMBER_BITS) - 1);
    let mut id = String::with_capacity(2 + width);
    let letter = |n: i64| char::from(b'A' + (n - 1) as u8);
    match prefix {
        0 => {}
        1..=26 => id.push(letter(prefix)),
        _ => {
            id.push(letter(prefix / 27));
            id.push(letter(prefix % 27));
        }
    }
    id.push_str(&format!("{number:0width$}"));
    id
}

/// Keys of one kind lie in `[low, high)`.
pub fn range(kind: EventKind) -> (i64, i64) {
    let low = i64::from(kind.code()) << KIND_SHIFT;
    (low, low + (1 << KIND_SHIFT))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::event::EventKind;
    use proptest::prelude::*;

    #[test]
    fn shapes_that_pack_and_those_that_do_not() {
        let k = EventKind::Touched;
        assert_eq!(unpack(pack(k, "T00000001").unwrap()), "T00000001");
        assert_eq!(unpack(pack(k, "12").unwrap()), "12");
        assert_eq!(unpack(pack(k, "AB0").unwrap()), "AB0");
        assert_ne!(pack(k, "L01"), pack(k, "L1"));
        assert_ne!(pack(k, "L1"), pack(EventKind::LeadCreated, "L1"));
        for other in [
            "",
            "ABC1",
            "L",
            "L1a",
            "l1",
            "L-1",
            "1234567890123",
            "EMEA:2025-04",
        ] {
            assert_eq!(pack(k, other), None, "{other}");
        }
    }

    proptest! {
        #[test]
        fn packing_is_injective_and_ordered(a in "[A-Z]{0,2}[0-9]{1,12}", b in "[A-Z]{0,2}[0-9]{1,12}") {
            let (ka, kb) = (pack(EventKind::LeadCreated, &a).unwrap(), pack(EventKind::LeadCreated, &b).unwrap());
            prop_assert_eq!(unpack(ka), a.clone());
            prop_assert_eq!(ka == kb, a == b);
            let (low, high) = range(EventKind::LeadCreated);
            prop_assert!(low <= ka && ka < high);
            if a.len() == b.len() && a.bytes().take_while(u8::is_ascii_uppercase).count() == b.bytes().take_while(u8::is_ascii_uppercase).count() {
                prop_assert_eq!(ka < kb, a < b);
            }
        }
    }
}
