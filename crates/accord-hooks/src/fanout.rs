//! The fan-out: the log's events after the cursor turned into outbox rows,
//! the rows and the cursor written in one transaction.
//!
//! Why not an outbox row in the transaction that stores the event? Events
//! are stored by several processes (`accord ingest`, `accord tick`, `accord
//! run`, the server) through one log; the log is already durable, so
//! fanning out from it after a stored cursor, rows and cursor committed
//! together, loses nothing between event and delivery and needs no change
//! to any writer. A crash before the commit leaves the cursor where it was
//! (the stretch is fanned out again); after it, the rows are there. Two
//! processes fanning out at once: the cursor is compared and set under the
//! write lock, so one stretch is inserted once (and the outbox's unique
//! (subscription, event) pair would refuse it twice anyway).

use accord_core::event::{Event, EventKind, Origin};
use accord_store::hooks::{NewDelivery, Subscription};
use accord_store::{EventStore, HookStore, StoreError};

use crate::kind::{classify, Kind};
use crate::payload::{hooked, Credit, Format};

/// Log batches read per fan-out at most (a round stays short).
pub const MAX_BATCHES: u64 = 1_000;

/// What one fan-out did.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct FannedOut {
    /// Log batches read (the cursor moved by this much).
    pub batches: u64,
    /// Deliveries added to the outbox.
    pub deliveries: usize,
    /// Another process moved the cursor first: nothing was written.
    pub raced: bool,
}

/// Fans out the log after the cursor (at most [`MAX_BATCHES`] batches).
/// With no subscription, the cursor moves to the head without reading.
pub fn fan_out<S: EventStore + HookStore>(store: &mut S) -> Result<FannedOut, StoreError> {
    let cursor = store.hook_cursor()?;
    let head = store.head()?;
    if head <= cursor {
        return Ok(FannedOut::default());
    }
    let subs = store.subscriptions()?;
    // Only batches after the earliest subscription's start reach anyone.
    let first = subs.iter().map(|s| s.start_seq).min().unwrap_or(head);
    let from = cursor.max(first);
    let upto = head.min(from + MAX_BATCHES);
    let mut rows = Vec::new();
    for seq in from + 1..=upto {
        let mut found: Vec<(Kind, Origin, Event)> = Vec::new();
        store.scan_entries_between(seq - 1, seq, &mut |origin, bytes| {
            // Imported history is never sent: not even decoded.
            if *origin == Origin::Imported {
                return Ok(());
            }
            let event = Event::decode(bytes).map_err(|source| StoreError::Damaged {
                seq: seq as i64,
                source,
            })?;
            if let Some(kind) = classify(origin, &event) {
                found.push((kind, origin.clone(), event));
            }
            Ok(())
        })?;
        for (kind, origin, event) in found {
            let credit = match &event {
                Event::OpportunityClosed(c) => credit(store, c.id.as_str())?,
                _ => None,
            };
            let Some(hook) = hooked(kind, &origin, &event, credit.as_ref()) else {
                continue;
            };
            for sub in subs.iter().filter(|s| wants(s, seq, kind)) {
                let format = Format::from_name(&sub.format).unwrap_or(Format::Json);
                rows.push(NewDelivery {
                    subscription: sub.id,
                    seq,
                    event_id: hook.event_id.clone(),
                    event_type: kind.as_str().to_string(),
                    order_key: hook.order_key.clone(),
                    body: hook.body(format),
                });
            }
        }
    }
    // The stretch before `from` reaches no subscription: skipped in the same move.
    let done = store.fan_out(cursor, upto, &rows)?;
    Ok(FannedOut {
        batches: if done { upto - cursor } else { 0 },
        deliveries: if done { rows.len() } else { 0 },
        raced: !done,
    })
}

fn wants(sub: &Subscription, seq: u64, kind: Kind) -> bool {
    seq > sub.start_seq && sub.events.iter().any(|e| e == kind.as_str())
}

/// A won deal's credit: its opportunity and primary lead, read by key.
fn credit<S: EventStore>(store: &S, opportunity: &str) -> Result<Option<Credit>, StoreError> {
    let Some((_, Event::OpportunityCreated(opportunity))) =
        store.find(EventKind::OpportunityCreated, opportunity)?
    else {
        return Ok(None);
    };
    let lead = match &opportunity.primary_lead {
        Some(id) => match store.find(EventKind::LeadCreated, id.as_str())? {
            Some((_, Event::LeadCreated(lead))) => Some(lead),
            _ => None,
        },
        None => None,
    };
    Ok(Some(Credit { opportunity, lead }))
}
