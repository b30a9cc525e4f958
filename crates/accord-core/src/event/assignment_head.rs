//! An assignment's head (what the engine's state reads: its id, lead, rep,
//! rule and time) read from its stored bytes without building the lists
//! it carries (rules tried, reps excluded and eligible: a string each).
//! Replay meets 1.5M assignments at 1M leads and keeps each one's bytes
//! whole for explanations: decoding the lists only to encode them again
//! was a third of its allocation.

use super::codec::Reader;
use super::{EventKind, Field, MAX_LIST_ITEMS};
use crate::domain::{is_valid_id, Timestamp, MAX_TEXT_BYTES};

/// Where a text lies in the event's bytes.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
struct Span {
    start: u32,
    end: u32,
}

/// The head of a stored `owner_assigned` event: spans into its bytes (read
/// with the same bytes given back), no allocation.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct AssignmentHead {
    id: Span,
    lead: Span,
    rep: Option<Span>,
    rule: Option<Span>,
    pub assigned_at: Timestamp,
}

impl AssignmentHead {
    /// The head of the assignment `bytes` encode (a whole stored event),
    /// when they are a valid `owner_assigned` event: every field is checked
    /// as [`super::Event::decode`] checks it, the lists included. `None`
    /// for anything else: `Event::decode` then reads it or names what is
    /// wrong with it.
    pub fn read(bytes: &[u8]) -> Option<AssignmentHead> {
        // Spans are u32: an event is far smaller (lists are bounded).
        if bytes.len() > u32::MAX as usize {
            return None;
        }
        let mut r = Reader::new(bytes);
        if r.u8().ok()? != EventKind::OwnerAssigned.code() {
            return None;
        }
        let id_span = id(&mut r)?;
        let lead = id(&mut r)?;
        let rep = option(&mut r, id)?;
        let rule = option(&mut r, text)?;
        let assigned_at = Timestamp::get(&mut r).ok()?;
        // tried: Vec<RuleTried { rule: Text, matched: u32, excluded: Vec<Excluded> }>
        for _ in 0..list_len(&mut r)? {
            text(&mut r)?;
            u32::get(&mut r).ok()?;
            for _ in 0..list_len(&mut r)? {
                id(&mut r)?;
                // An exclusion's code.
                if r.u8().ok()? > 2 {
                    return None;
                }
            }
        }
        // eligible: Vec<RepId>
        for _ in 0..list_len(&mut r)? {
            id(&mut r)?;
        }
        r.is_empty().then_some(AssignmentHead {
            id: id_span,
            lead,
            rep,
            rule,
            assigned_at,
        })
    }

    /// The assignment's id, from the `bytes` it was read from.
    pub fn id<'a>(&self, bytes: &'a [u8]) -> &'a str {
        text_at(bytes, self.id)
    }
    /// The lead's id.
    pub fn lead<'a>(&self, bytes: &'a [u8]) -> &'a str {
        text_at(bytes, self.lead)
    }
    /// The rep chosen (`None`: no rep was eligible).
    pub fn rep<'a>(&self, bytes: &'a [u8]) -> Option<&'a str> {
        self.rep.map(|s| text_at(bytes, s))
    }
    /// The rule that chose the rep (`None`: a person's reassignment).
    pub fn rule<'a>(&self, bytes: &'a [u8]) -> Option<&'a str> {
        self.rule.map(|s| text_at(bytes, s))
    }
}

fn text_at(bytes: &[u8], s: Span) -> &str {
    std::str::from_utf8(&bytes[s.start as usize..s.end as usize])
        .expect("checked as UTF-8 when read")
}

/// A text's span, as `Reader::str` reads it.
fn span<'a>(r: &mut Reader<'a>) -> Option<(&'a str, Span)> {
    let s = r.str().ok()?;
    let end = r.position();
    let start = end - s.len();
    Some((
        s,
        Span {
            start: start as u32,
            end: end as u32,
        },
    ))
}

/// An id of any id type (`RepId::parse`'s check).
fn id(r: &mut Reader<'_>) -> Option<Span> {
    let (s, span) = span(r)?;
    is_valid_id(s).then_some(span)
}

/// A `Text` (`Text::parse`'s check).
fn text(r: &mut Reader<'_>) -> Option<Span> {
    let (s, span) = span(r)?;
    (s.len() <= MAX_TEXT_BYTES).then_some(span)
}

/// An `Option` of what `value` reads (tag 0: none, 1: some).
fn option(r: &mut Reader<'_>, value: fn(&mut Reader<'_>) -> Option<Span>) -> Option<Option<Span>> {
    match r.u8().ok()? {
        0 => Some(None),
        1 => value(r).map(Some),
        _ => None,
    }
}

/// A list's length, as `Vec::get` bounds it.
fn list_len(r: &mut Reader<'_>) -> Option<u64> {
    let n = r.u64().ok()?;
    (n <= MAX_LIST_ITEMS as u64).then_some(n)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::{DecisionId, LeadId, RepId, Text};
    use crate::event::{Assignment, Event, Excluded, Exclusion, RuleTried};

    fn assignment() -> Assignment {
        Assignment {
            id: DecisionId::parse("~41").unwrap(),
            lead: LeadId::parse("L0000007").unwrap(),
            rep: Some(RepId::parse("R031").unwrap()),
            rule: Some(Text::parse("territory").unwrap()),
            assigned_at: Timestamp::from_unix_seconds(1_767_225_600),
            tried: vec![
                RuleTried {
                    rule: Text::parse("named_account_owner").unwrap(),
                    matched: 0,
                    excluded: vec![],
                },
                RuleTried {
                    rule: Text::parse("territory").unwrap(),
                    matched: 3,
                    excluded: vec![Excluded {
                        rep: RepId::parse("R007").unwrap(),
                        why: Exclusion::Away,
                    }],
                },
            ],
            eligible: vec![RepId::parse("R031").unwrap(), RepId::parse("R2").unwrap()],
        }
    }

    #[test]
    fn the_head_reads_the_assignments_own_fields() {
        let bytes = Event::OwnerAssigned(assignment()).to_bytes();
        let h = AssignmentHead::read(&bytes).expect("a valid assignment");
        assert_eq!(h.id(&bytes), "~41");
        assert_eq!(h.lead(&bytes), "L0000007");
        assert_eq!(h.rep(&bytes), Some("R031"));
        assert_eq!(h.rule(&bytes), Some("territory"));
        assert_eq!(h.assigned_at.unix_seconds(), 1_767_225_600);

        let waiting = Assignment {
            rep: None,
            rule: None,
            eligible: vec![],
            ..assignment()
        };
        let bytes = Event::OwnerAssigned(waiting).to_bytes();
        let h = AssignmentHead::read(&bytes).expect("a valid assignment");
        assert_eq!((h.rep(&bytes), h.rule(&bytes)), (None, None));
    }

    #[test]
    fn damage_anywhere_or_another_kind_reads_as_none() {
        let bytes = Event::OwnerAssigned(assignment()).to_bytes();
        for cut in 0..bytes.len() {
            assert_eq!(AssignmentHead::read(&bytes[..cut]), None, "cut at {cut}");
        }
        let mut longer = bytes.clone();
        longer.push(0);
        assert_eq!(AssignmentHead::read(&longer), None);
        // The last exclusion's code (`Away`, 2) made 3.
        let mut bad = bytes.clone();
        // After it: the eligible count (1), "R031" (1 + 4), "R2" (1 + 2).
        let at = bytes.len() - 10;
        assert_eq!(bad[at], 2);
        bad[at] = 3;
        assert_eq!(AssignmentHead::read(&bad), None);
        // An eligible rep's id with a space in it.
        let mut bad = bytes.clone();
        let last = bad.len() - 1;
        bad[last] = b' ';
        assert_eq!(AssignmentHead::read(&bad), None);
    }

    fn id_text() -> impl proptest::strategy::Strategy<Value = String> {
        proptest::string::string_regex("[A-Z~]{0,2}[0-9]{0,3}( )?").unwrap()
    }

    proptest::proptest! {
        /// Whatever the bytes (an assignment's, then damaged), the head
        /// agrees with the full decode, and reads its fields back.
        #[test]
        fn agrees_with_the_full_decode(
            rep in proptest::option::of(id_text()),
            rule in proptest::option::of("[a-z_ ]{0,12}"),
            tried in proptest::collection::vec(("[a-z]{0,6}", 0u32..5, proptest::collection::vec((id_text(), 0u8..3), 0..3)), 0..3),
            eligible in proptest::collection::vec(id_text(), 0..3),
            damage in proptest::collection::vec((0usize..400, proptest::num::u8::ANY), 0..3),
            cut in proptest::option::of(0usize..400),
        ) {
            let id = |s: &str| RepId::parse(s).unwrap_or_else(|_| RepId::parse("R1").unwrap());
            let a = Assignment {
                rep: rep.as_deref().map(id),
                rule: rule.as_deref().map(|r| Text::parse(r).unwrap()),
                tried: tried.iter().map(|(rule, matched, ex)| RuleTried {
                    rule: Text::parse(rule).unwrap(),
                    matched: *matched,
                    excluded: ex.iter().map(|(r, why)| Excluded {
                        rep: id(r),
                        why: [Exclusion::AtCapacity, Exclusion::OutsideHours, Exclusion::Away][*why as usize],
                    }).collect(),
                }).collect(),
                eligible: eligible.iter().map(|r| id(r)).collect(),
                ..assignment()
            };
            let mut bytes = Event::OwnerAssigned(a).to_bytes();
            for (at, b) in damage {
                let n = bytes.len();
                bytes[at % n] = b;
            }
            if let Some(cut) = cut {
                bytes.truncate(cut.min(bytes.len()));
            }
            let head = AssignmentHead::read(&bytes);
            match Event::decode(&bytes) {
                Ok(Event::OwnerAssigned(full)) => {
                    let h = head.expect("a valid assignment has a head");
                    proptest::prop_assert_eq!(h.id(&bytes), full.id.as_str());
                    proptest::prop_assert_eq!(h.lead(&bytes), full.lead.as_str());
                    proptest::prop_assert_eq!(h.rep(&bytes), full.rep.as_ref().map(|r| r.as_str()));
                    proptest::prop_assert_eq!(h.rule(&bytes), full.rule.as_ref().map(|r| r.as_str()));
                    proptest::prop_assert_eq!(h.assigned_at, full.assigned_at);
                }
                _ => proptest::prop_assert_eq!(head, None),
            }
        }
    }
}
