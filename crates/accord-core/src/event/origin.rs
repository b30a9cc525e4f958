//! Where a stored event came from. Kept beside the event's bytes, never in
//! them: the idempotency digest is of the event alone, so the same fact
//! imported once and ingested again is one event.

use super::codec::{put_str, put_u64, Reader};
use super::DecodeError;
use crate::domain::Text;

/// Where an event came from.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub enum Origin {
    /// History read from CSV files (`accord import`, `accord demo`): fact,
    /// never judged by the agreement.
    Imported,
    /// Sent from outside while accord runs (`accord ingest`, the HTTP API):
    /// judged by the agreement in force when it arrives.
    Ingested,
    /// Decided by the engine under the agreement of this version.
    Engine { agreement: u32 },
    /// A person's action (a rep accepting a lead, a manager reassigning one),
    /// checked against the agreement in force; `by` is who, as they said.
    Person { by: Option<Text> },
}

impl Origin {
    /// Appends the stored form: a tag byte, then the payload.
    pub fn encode(&self, out: &mut Vec<u8>) {
        match self {
            Origin::Imported => out.push(0),
            Origin::Ingested => out.push(1),
            Origin::Engine { agreement } => {
                out.push(2);
                put_u64(out, u64::from(*agreement));
            }
            Origin::Person { by: None } => out.push(3),
            Origin::Person { by: Some(by) } => {
                out.push(4);
                put_str(out, by.as_str());
            }
        }
    }

    /// Reads an origin from the front of `bytes`; returns it and the bytes after it.
    pub fn decode(bytes: &[u8]) -> Result<(Origin, &[u8]), DecodeError> {
        let mut r = Reader::new(bytes);
        let origin = match r.u8()? {
            0 => Origin::Imported,
            1 => Origin::Ingested,
            2 => Origin::Engine {
                agreement: u32::try_from(r.u64()?)
                    .map_err(|_| DecodeError::BadValue("agreement version".into()))?,
            },
            3 => Origin::Person { by: None },
            4 => Origin::Person {
                by: Some(Text::parse(r.str()?).map_err(|e| DecodeError::BadValue(e.to_string()))?),
            },
            _ => return Err(DecodeError::BadTag),
        };
        Ok((origin, &bytes[r.position()..]))
    }

    /// Is this a decision of the engine or a person's action, rather than a fact from outside?
    pub fn is_decision(&self) -> bool {
        matches!(self, Origin::Engine { .. } | Origin::Person { .. })
    }

    /// A word for listings: `imported`, `ingested`, `engine v3`, `person`, `person (R0001)`.
    pub fn describe(&self) -> String {
        match self {
            Origin::Imported => "imported".into(),
            Origin::Ingested => "ingested".into(),
            Origin::Engine { agreement } => format!("engine v{agreement}"),
            Origin::Person { by: None } => "person".into(),
            Origin::Person { by: Some(by) } => format!("person ({by})"),
        }
    }
}

/// The origins of a stored chunk's events, as runs: each run a varint count
/// (at least 1) then the origin ([`Origin::encode`]). The counts add up to
/// the chunk's events.
pub fn encode_runs<'a>(runs: impl IntoIterator<Item = (u64, &'a Origin)>, out: &mut Vec<u8>) {
    for (count, origin) in runs {
        debug_assert!(count > 0, "a run holds at least one event");
        put_u64(out, count);
        origin.encode(out);
    }
}

/// Reads runs written by [`encode_runs`]: (count, origin), each count at least 1.
pub fn decode_runs(mut bytes: &[u8]) -> Result<Vec<(u64, Origin)>, DecodeError> {
    let mut runs = Vec::new();
    while !bytes.is_empty() {
        let mut r = Reader::new(bytes);
        let count = r.u64()?;
        if count == 0 {
            return Err(DecodeError::BadValue("an origin run of 0 events".into()));
        }
        let (origin, rest) = Origin::decode(&bytes[r.position()..])?;
        runs.push((count, origin));
        bytes = rest;
    }
    Ok(runs)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn origins_round_trip_with_the_bytes_after_them() {
        let all = [
            Origin::Imported,
            Origin::Ingested,
            Origin::Engine { agreement: 300 },
            Origin::Person { by: None },
            Origin::Person {
                by: Some(Text::parse("R0001").unwrap()),
            },
        ];
        for o in all {
            let mut bytes = Vec::new();
            o.encode(&mut bytes);
            bytes.extend_from_slice(b"rest");
            assert_eq!(Origin::decode(&bytes).unwrap(), (o.clone(), &b"rest"[..]));
        }
        // Tag 2 then a varint of 300 (0xAC 0x02): pinned, it is stored.
        let mut bytes = Vec::new();
        Origin::Engine { agreement: 300 }.encode(&mut bytes);
        assert_eq!(bytes, [2, 0xAC, 0x02]);
        assert_eq!(Origin::decode(&[9]), Err(DecodeError::BadTag));
        assert_eq!(Origin::decode(&[]), Err(DecodeError::Truncated));
    }

    #[test]
    fn runs_are_a_count_then_an_origin() {
        let ingested = Origin::Ingested;
        let engine = Origin::Engine { agreement: 2 };
        let mut bytes = Vec::new();
        encode_runs([(3, &ingested), (130, &engine)], &mut bytes);
        // 3, tag 1; 130 as a varint (0x82 0x01), tag 2, version 2.
        assert_eq!(bytes, [3, 1, 0x82, 0x01, 2, 2]);
        assert_eq!(
            decode_runs(&bytes).unwrap(),
            vec![(3, ingested), (130, engine)]
        );
        assert_eq!(decode_runs(&[]).unwrap(), vec![]);
        assert!(matches!(
            decode_runs(&[0, 1]),
            Err(DecodeError::BadValue(_))
        ));
        assert_eq!(decode_runs(&[3]), Err(DecodeError::Truncated));
        assert_eq!(decode_runs(&[3, 9]), Err(DecodeError::BadTag));
    }
}
