//! The company-name signal: an exact normalised name, or else the closest
//! name within one edit; a tie between accounts broken only by the lead's
//! country (or region).

use accord_core::event::Lead;

use crate::postings::neighbourhood;
use crate::{
    AccountIndex, TieBreak, FUZZY_MARGIN_PER_MILLE, FUZZY_MAX_CANDIDATES, FUZZY_MAX_CHARS,
    FUZZY_MIN_CHARS, FUZZY_MIN_PER_MILLE, NAME_CONFIDENCE,
};

/// A name tie broken by the lead's country keeps this share (per mille) of
/// the name's confidence.
pub const COUNTRY_TIE_BREAK_PER_MILLE: u16 = 900;
/// … by the lead's country and reported industry, this share …
pub const INDUSTRY_TIE_BREAK_PER_MILLE: u16 = 800;
/// … and by the lead's region, this share.
pub const REGION_TIE_BREAK_PER_MILLE: u16 = 800;

/// The account a company name picked.
pub(crate) struct NameMatch {
    pub slot: u32,
    pub similarity: u16,
    pub tie_break: Option<TieBreak>,
}

impl NameMatch {
    /// `NAME_CONFIDENCE` × similarity, × the tie break's share, rounded.
    pub fn confidence(&self) -> u16 {
        let share = match self.tie_break {
            None => 1000,
            Some(TieBreak::Country(_)) => COUNTRY_TIE_BREAK_PER_MILLE,
            Some(TieBreak::CountryAndIndustry(..)) => INDUSTRY_TIE_BREAK_PER_MILLE,
            Some(TieBreak::Region(_)) => REGION_TIE_BREAK_PER_MILLE,
        };
        let product = u64::from(NAME_CONFIDENCE) * u64::from(self.similarity) * u64::from(share);
        ((product + 500_000) / 1_000_000) as u16
    }
}

impl AccountIndex {
    /// The account that the normalised company name `key` names: the one
    /// whose name it is, or else the one clearly closest within one edit;
    /// when several fit equally, the only one of them in the lead's country
    /// (or, none being there, in its region).
    pub(crate) fn by_name(&self, key: &str, lead: &Lead) -> Option<NameMatch> {
        if key.is_empty() {
            return None;
        }
        match self.by_name.get(key) {
            [] => {}
            [one] => {
                return Some(NameMatch {
                    slot: *one,
                    similarity: 1000,
                    tie_break: None,
                })
            }
            many => return self.tie_break(many, 1000, lead),
        }
        let chars = key.chars().count();
        if !(FUZZY_MIN_CHARS..=FUZZY_MAX_CHARS).contains(&chars) {
            return None;
        }
        let mut hashes = Vec::with_capacity(chars + 1);
        neighbourhood(key, &mut hashes);
        let mut candidates: Vec<u32> = Vec::new();
        for h in &hashes {
            candidates.extend_from_slice(self.near_name.get(h));
            if candidates.len() > 4 * FUZZY_MAX_CANDIDATES {
                return None;
            }
        }
        candidates.sort_unstable();
        candidates.dedup();
        if candidates.len() > FUZZY_MAX_CANDIDATES {
            return None;
        }
        let mut scored: Vec<(u16, u32)> = candidates
            .into_iter()
            .map(|slot| {
                let name = &self.slots[slot as usize].name;
                (similarity_per_mille(key, name), slot)
            })
            .collect();
        let best = scored.iter().map(|&(s, _)| s).max()?;
        if best < FUZZY_MIN_PER_MILLE {
            return None;
        }
        // Everything within the margin of the best is as good as the best.
        scored.retain(|&(s, _)| s + FUZZY_MARGIN_PER_MILLE >= best);
        match scored.as_slice() {
            [(similarity, slot)] => Some(NameMatch {
                slot: *slot,
                similarity: *similarity,
                tie_break: None,
            }),
            _ => {
                let slots: Vec<u32> = scored.iter().map(|&(_, slot)| slot).collect();
                let mut found = self.tie_break(&slots, 0, lead)?;
                found.similarity = scored
                    .iter()
                    .find(|&&(_, slot)| slot == found.slot)
                    .map_or(0, |&(s, _)| s);
                Some(found)
            }
        }
    }

    /// The only one of `slots` in the lead's country (several being
    /// there, the only one of those in the industry the lead reported);
    /// none being in the country, the only one in the lead's region.
    fn tie_break(&self, slots: &[u32], similarity: u16, lead: &Lead) -> Option<NameMatch> {
        let slot = |s: &u32| &self.slots[*s as usize];
        let in_country: Vec<u32> = slots
            .iter()
            .copied()
            .filter(|s| slot(s).country == lead.country)
            .collect();
        let (chosen, tie_break) = match in_country.as_slice() {
            [one] => (*one, TieBreak::Country(lead.country)),
            [] => (
                only(slots, |s| slot(s).region == lead.region)?,
                TieBreak::Region(lead.region),
            ),
            several => {
                let industry = lead.industry_reported?;
                let one = only(several, |s| slot(s).industry == industry)?;
                (one, TieBreak::CountryAndIndustry(lead.country, industry))
            }
        };
        Some(NameMatch {
            slot: chosen,
            similarity,
            tie_break: Some(tie_break),
        })
    }
}

/// The only slot of `slots` that `keep`, if exactly one does.
fn only(slots: &[u32], keep: impl Fn(&u32) -> bool) -> Option<u32> {
    let mut kept = slots.iter().filter(|s| keep(s));
    match (kept.next(), kept.next()) {
        (Some(one), None) => Some(*one),
        _ => None,
    }
}

/// Whether an account name of this length takes part in fuzzy matching:
/// one character more or less than a lead's name that may.
pub(crate) fn fuzzy_length(name: &str) -> bool {
    let chars = name.chars().count();
    (FUZZY_MIN_CHARS - 1..=FUZZY_MAX_CHARS + 1).contains(&chars)
}

/// Jaro-Winkler similarity of two normalised names, per mille, rounded.
pub fn similarity_per_mille(a: &str, b: &str) -> u16 {
    (strsim::jaro_winkler(a, b) * 1000.0).round() as u16
}
