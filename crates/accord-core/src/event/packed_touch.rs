//! A touch whose ids all have the packed shape (`[A-Z]{0,2}[0-9]{1,12}`, see
//! [`super::packed_key`]), read from its stored bytes without allocating:
//! touches are nine events in ten, and a replay decoding each one's four ids
//! into strings spent a third of its decoding there.

use super::codec::Reader;
use super::packed_key::{pack_bytes, pack_id};
use super::{EventKind, Field, Touch};
use crate::domain::{Channel, Timestamp, TouchKind};

/// A touch with its ids packed ([`pack_id`]): 8 bytes each, no allocation.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct PackedTouch {
    pub id: i64,
    pub lead: i64,
    pub occurred_at: Timestamp,
    pub kind: TouchKind,
    pub channel: Option<Channel>,
    pub campaign: Option<i64>,
    pub content: Option<i64>,
    pub rep: Option<i64>,
}

impl PackedTouch {
    /// The touch of `t` when every id it names packs.
    pub fn of(t: &Touch) -> Option<PackedTouch> {
        let opt = |s: Option<&str>| match s {
            None => Some(None),
            Some(s) => pack_id(s).map(Some),
        };
        Some(PackedTouch {
            id: pack_id(t.id.as_str())?,
            lead: pack_id(t.lead.as_str())?,
            occurred_at: t.occurred_at,
            kind: t.kind,
            channel: t.channel,
            campaign: opt(t.campaign.as_ref().map(|c| c.as_str()))?,
            content: opt(t.content.as_ref().map(|c| c.as_str()))?,
            rep: opt(t.rep.as_ref().map(|r| r.as_str()))?,
        })
    }

    /// The touch `bytes` encode (a whole stored event), when they are a
    /// valid touched event whose ids all pack. `None` for anything else:
    /// [`super::Event::decode`] then reads it, or names what is wrong with it.
    /// For those bytes, `decode(b) == Event::decode(b).ok().and_then(of)`.
    pub fn decode(bytes: &[u8]) -> Option<PackedTouch> {
        let mut r = Reader::new(bytes);
        if r.u8().ok()? != EventKind::Touched.code() {
            return None;
        }
        // Ids that pack are ASCII: their UTF-8 check is skipped.
        let id = pack_bytes(r.text_bytes().ok()?)?;
        let lead = pack_bytes(r.text_bytes().ok()?)?;
        let occurred_at = Timestamp::get(&mut r).ok()?;
        let kind = TouchKind::get(&mut r).ok()?;
        let channel = Option::<Channel>::get(&mut r).ok()?;
        let mut opt = || match r.u8().ok()? {
            0 => Some(None),
            1 => pack_bytes(r.text_bytes().ok()?).map(Some),
            _ => None,
        };
        let campaign = opt()?;
        let content = opt()?;
        let rep = opt()?;
        r.is_empty().then_some(PackedTouch {
            id,
            lead,
            occurred_at,
            kind,
            channel,
            campaign,
            content,
            rep,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::{CampaignId, LeadId, RepId, TouchId};
    use crate::event::packed_key::unpack;
    use crate::event::Event;

    fn touch(id: &str, lead: &str, campaign: Option<&str>, rep: Option<&str>) -> Touch {
        Touch {
            id: TouchId::parse(id).unwrap(),
            lead: LeadId::parse(lead).unwrap(),
            occurred_at: Timestamp::from_unix_seconds(1_767_225_600),
            kind: TouchKind::PricingPageView,
            channel: Some(Channel::OrganicSearch),
            campaign: campaign.map(|c| CampaignId::parse(c).unwrap()),
            content: None,
            rep: rep.map(|r| RepId::parse(r).unwrap()),
        }
    }

    #[test]
    fn a_touch_of_packed_ids_reads_without_strings() {
        let t = touch("T000000042", "L0000007", Some("C0012"), Some("R031"));
        let bytes = Event::Touched(t.clone()).to_bytes();
        let p = PackedTouch::decode(&bytes).expect("every id packs");
        assert_eq!(unpack(p.id), "T000000042");
        assert_eq!(unpack(p.lead), "L0000007");
        assert_eq!(p.campaign.map(unpack).as_deref(), Some("C0012"));
        assert_eq!(p.content, None);
        assert_eq!(p.rep.map(unpack).as_deref(), Some("R031"));
        assert_eq!(p.occurred_at.unix_seconds(), 1_767_225_600);
        assert_eq!(p.kind, TouchKind::PricingPageView);
        assert_eq!(p.channel, Some(Channel::OrganicSearch));
        assert_eq!(PackedTouch::of(&t), Some(p));
    }

    #[test]
    fn any_id_of_another_shape_or_damaged_bytes_read_as_none() {
        for t in [
            touch("web-1", "L0000007", None, None),
            touch("T1", "lead_7", None, None),
            touch("T1", "L7", Some("spring-promo"), None),
            touch("T1", "L7", None, Some("ABC1")),
        ] {
            let bytes = Event::Touched(t.clone()).to_bytes();
            assert_eq!(PackedTouch::decode(&bytes), None, "{t:?}");
            assert_eq!(PackedTouch::of(&t), None);
        }
        let bytes = Event::Touched(touch("T1", "L7", None, None)).to_bytes();
        for cut in 0..bytes.len() {
            assert_eq!(PackedTouch::decode(&bytes[..cut]), None);
        }
        let mut longer = bytes.clone();
        longer.push(0);
        assert_eq!(PackedTouch::decode(&longer), None);
    }

    proptest::proptest! {
        /// Whatever the bytes, the packed reading agrees with the full decode.
        #[test]
        fn agrees_with_the_full_decode(bytes in proptest::collection::vec(proptest::num::u8::ANY, 0..48), touched in proptest::bool::ANY) {
            let mut bytes = bytes;
            if touched && !bytes.is_empty() {
                bytes[0] = EventKind::Touched.code();
            }
            let full = Event::decode(&bytes).ok().and_then(|e| match e {
                Event::Touched(t) => PackedTouch::of(&t),
                _ => None,
            });
            proptest::prop_assert_eq!(PackedTouch::decode(&bytes), full);
        }
    }
}
