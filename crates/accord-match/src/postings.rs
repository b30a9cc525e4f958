//! The lookup tables of the index: a key to the accounts (slots) that have
//! it, and the one-edit neighbourhood of a normalised name that finds the
//! candidates of a fuzzy match without a scan of all accounts.

use std::hash::Hash;

use rustc_hash::FxHashMap;

/// The slots holding one key, ascending. Most keys belong to one account,
/// which takes no allocation of its own.
#[derive(Clone, Debug)]
enum Slots {
    One(u32),
    Many(Vec<u32>),
}

/// Key → the slots that have it.
#[derive(Clone, Debug)]
pub struct Postings<K> {
    map: FxHashMap<K, Slots>,
}

impl<K> Default for Postings<K> {
    fn default() -> Self {
        Postings {
            map: FxHashMap::default(),
        }
    }
}

impl<K: Hash + Eq> Postings<K> {
    pub fn insert(&mut self, key: K, slot: u32) {
        match self.map.get_mut(&key) {
            None => {
                self.map.insert(key, Slots::One(slot));
            }
            Some(Slots::One(one)) => {
                if *one != slot {
                    let mut many = vec![*one, slot];
                    many.sort_unstable();
                    self.map.insert(key, Slots::Many(many));
                }
            }
            Some(Slots::Many(many)) => {
                if let Err(at) = many.binary_search(&slot) {
                    many.insert(at, slot);
                }
            }
        }
    }

    pub fn remove<Q>(&mut self, key: &Q, slot: u32)
    where
        K: std::borrow::Borrow<Q>,
        Q: Hash + Eq + ?Sized,
    {
        let emptied = match self.map.get_mut(key) {
            None => false,
            Some(Slots::One(one)) => *one == slot,
            Some(Slots::Many(many)) => {
                if let Ok(at) = many.binary_search(&slot) {
                    many.remove(at);
                }
                if many.len() == 1 {
                    let last = many[0];
                    *self.map.get_mut(key).expect("just read") = Slots::One(last);
                }
                false
            }
        };
        if emptied {
            self.map.remove(key);
        }
    }

    /// The slots of `key`, ascending (empty when none).
    pub fn get<Q>(&self, key: &Q) -> &[u32]
    where
        K: std::borrow::Borrow<Q>,
        Q: Hash + Eq + ?Sized,
    {
        match self.map.get(key) {
            None => &[],
            Some(Slots::One(one)) => std::slice::from_ref(one),
            Some(Slots::Many(many)) => many,
        }
    }
}

/// The hashes of `key` and of every string made by deleting one character
/// of it, sorted and without repeats. Two names within one edit of each
/// other (a character inserted, deleted, replaced, or two neighbours
/// swapped) share at least one of these hashes. A shared hash only makes a
/// candidate: the similarity is measured on the names themselves, so a hash
/// collision costs time, never a wrong match.
pub fn neighbourhood(key: &str, out: &mut Vec<u64>) {
    out.clear();
    out.push(hash_parts(key, ""));
    for (at, c) in key.char_indices() {
        out.push(hash_parts(&key[..at], &key[at + c.len_utf8()..]));
    }
    out.sort_unstable();
    out.dedup();
}

/// FNV-1a (64-bit) of `a` followed by `b`: fixed, so the same names give
/// the same hashes in every process.
fn hash_parts(a: &str, b: &str) -> u64 {
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for &byte in a.as_bytes().iter().chain(b.as_bytes()) {
        h ^= u64::from(byte);
        h = h.wrapping_mul(0x0100_0000_01b3);
    }
    h
}

#[cfg(test)]
mod tests {
    use super::*;

    fn shares(a: &str, b: &str) -> bool {
        let (mut x, mut y) = (Vec::new(), Vec::new());
        neighbourhood(a, &mut x);
        neighbourhood(b, &mut y);
        x.iter().any(|h| y.binary_search(h).is_ok())
    }

    #[test]
    fn one_edit_apart_share_a_hash() {
        assert!(shares("northwind", "northwind"));
        assert!(shares("northwind", "nrothwind"), "swap");
        assert!(shares("northwind", "nothwind"), "deletion");
        assert!(shares("northwind", "northwinds"), "insertion");
        assert!(shares("northwind", "northwand"), "replacement");
        assert!(shares("zoë labs", "zoe labs"), "a multi-byte character");
    }

    #[test]
    fn two_edits_apart_do_not() {
        assert!(!shares("northwind", "nrothwnid"));
        assert!(!shares("northwind", "northwind labs"));
    }

    #[test]
    fn postings_keep_slots_sorted_and_drop_empty_keys() {
        let mut p: Postings<u64> = Postings::default();
        p.insert(7, 5);
        p.insert(7, 2);
        p.insert(7, 9);
        p.insert(7, 2);
        assert_eq!(p.get(&7), &[2, 5, 9]);
        p.remove(&7, 5);
        p.remove(&7, 9);
        assert_eq!(p.get(&7), &[2]);
        p.remove(&7, 2);
        assert_eq!(p.get(&7), &[] as &[u32]);
        assert!(p.map.is_empty());
    }
}
