//! The webhooks' tables in SQLite (store format 3) and [`HookStore`] on them.
//!
//! - `hook_subscriptions(id, url, events, format, secret, start_seq,
//!   created_at)`: `events` a comma-separated list; `start_seq` the log's
//!   head when it was made (only later batches reach it). The secret is
//!   stored in clear: it signs.
//! - `hook_outbox(id, subscription, seq, event_id, event_type, order_key,
//!   body, state, attempts, next_at, last_status, last_error)`: one row per
//!   (subscription, log event), in log order (ids increase with `seq`);
//!   `state` 0 pending, 1 delivered, 2 dead. Two partial indexes over the
//!   pending rows: by due time, and by (subscription, order key, id) for the
//!   per-lead order.
//! - `hook_cursor(id = 1, seq)`: how far the log has been fanned out.

use rusqlite::{params, OptionalExtension, TransactionBehavior};

use super::SqliteStore;
use crate::hooks::{
    Attempt, Claimed, Delivery, DeliveryState, HookStore, NewDelivery, NewSubscription,
    Subscription,
};
use crate::StoreError;

/// The webhooks' tables: part of a new file's schema, and what the
/// migration to format 3 adds.
pub(crate) const HOOKS_SCHEMA: &str = "
CREATE TABLE IF NOT EXISTS hook_subscriptions (
    id INTEGER PRIMARY KEY,
    url TEXT NOT NULL,
    events TEXT NOT NULL,
    format TEXT NOT NULL,
    secret TEXT NOT NULL,
    start_seq INTEGER NOT NULL,
    created_at INTEGER NOT NULL
);
CREATE TABLE IF NOT EXISTS hook_outbox (
    id INTEGER PRIMARY KEY,
    subscription INTEGER NOT NULL REFERENCES hook_subscriptions (id) ON DELETE CASCADE,
    seq INTEGER NOT NULL,
    event_id TEXT NOT NULL,
    event_type TEXT NOT NULL,
    order_key TEXT NOT NULL,
    body BLOB NOT NULL,
    state INTEGER NOT NULL DEFAULT 0,
    attempts INTEGER NOT NULL DEFAULT 0,
    next_at INTEGER NOT NULL,
    last_status INTEGER,
    last_error TEXT,
    UNIQUE (subscription, event_id)
);
CREATE INDEX IF NOT EXISTS hook_outbox_due ON hook_outbox (next_at, id) WHERE state = 0;
CREATE INDEX IF NOT EXISTS hook_outbox_order ON hook_outbox (subscription, order_key, id) WHERE state = 0;
CREATE INDEX IF NOT EXISTS hook_outbox_state ON hook_outbox (state, id);
CREATE TABLE IF NOT EXISTS hook_cursor (
    id INTEGER PRIMARY KEY CHECK (id = 1),
    seq INTEGER NOT NULL
);
INSERT OR IGNORE INTO hook_cursor (id, seq) VALUES (1, 0);
";

/// Format 2 → 3, the webhooks' step: their tables, empty; the cursor at 0
/// (a fan-out with no subscription moves it to the head without reading).
pub(crate) fn migrate_hooks_2_to_3(conn: &rusqlite::Connection) -> rusqlite::Result<()> {
    conn.execute_batch(HOOKS_SCHEMA)
}

const DELIVERY_COLUMNS: &str = "o.id, o.subscription, o.seq, o.event_id, o.event_type, o.order_key, o.body, o.state, o.attempts, o.next_at, o.last_status, o.last_error";

fn delivery_row(r: &rusqlite::Row<'_>) -> rusqlite::Result<Delivery> {
    Ok(Delivery {
        id: r.get(0)?,
        subscription: r.get(1)?,
        seq: r.get::<_, i64>(2)?.max(0) as u64,
        event_id: r.get(3)?,
        event_type: r.get(4)?,
        order_key: r.get(5)?,
        body: r.get(6)?,
        state: DeliveryState::from_code(r.get(7)?),
        attempts: r.get::<_, i64>(8)?.clamp(0, i64::from(u32::MAX)) as u32,
        next_at: r.get(9)?,
        last_status: r
            .get::<_, Option<i64>>(10)?
            .and_then(|s| u16::try_from(s).ok()),
        last_error: r.get(11)?,
    })
}

fn subscription_row(r: &rusqlite::Row<'_>) -> rusqlite::Result<Subscription> {
    let events: String = r.get(2)?;
    Ok(Subscription {
        id: r.get(0)?,
        url: r.get(1)?,
        events: events
            .split(',')
            .filter(|e| !e.is_empty())
            .map(str::to_owned)
            .collect(),
        format: r.get(3)?,
        secret: r.get(4)?,
        start_seq: r.get::<_, i64>(5)?.max(0) as u64,
        created_at: r.get(6)?,
    })
}

impl SqliteStore {
    /// Runs `body` in one write transaction (`BEGIN IMMEDIATE`), committed
    /// when it returns `Ok`, rolled back otherwise.
    fn hook_write<T>(
        &self,
        body: impl FnOnce(&rusqlite::Transaction<'_>) -> rusqlite::Result<T>,
    ) -> Result<T, StoreError> {
        if self.access == super::Access::ReadOnly {
            return Err(StoreError::ReadOnly {
                path: self.path.clone(),
            });
        }
        let fail = |e| self.fail(e);
        let tx = rusqlite::Transaction::new_unchecked(&self.conn, TransactionBehavior::Immediate)
            .map_err(fail)?;
        self.check_still_here()?;
        let out = body(&tx).map_err(fail)?;
        tx.commit().map_err(fail)?;
        Ok(out)
    }
}

impl HookStore for SqliteStore {
    fn create_subscription(
        &mut self,
        new: &NewSubscription<'_>,
    ) -> Result<Subscription, StoreError> {
        let events = new.events.join(",");
        self.hook_write(|tx| {
            let head: i64 =
                tx.query_row("SELECT coalesce(max(seq), 0) FROM log", [], |r| r.get(0))?;
            tx.execute(
                "INSERT INTO hook_subscriptions (url, events, format, secret, start_seq, created_at)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
                params![new.url, events, new.format, new.secret, head, new.created_at],
            )?;
            let id = tx.last_insert_rowid();
            tx.query_row(
                "SELECT id, url, events, format, secret, start_seq, created_at
                 FROM hook_subscriptions WHERE id = ?1",
                [id],
                subscription_row,
            )
        })
    }

    fn subscriptions(&self) -> Result<Vec<Subscription>, StoreError> {
        let fail = |e| self.fail(e);
        let mut stmt = self
            .conn
            .prepare_cached(
                "SELECT id, url, events, format, secret, start_seq, created_at
                 FROM hook_subscriptions ORDER BY id",
            )
            .map_err(fail)?;
        let rows = stmt
            .query_map([], subscription_row)
            .map_err(fail)?
            .collect::<rusqlite::Result<Vec<_>>>()
            .map_err(fail)?;
        Ok(rows)
    }

    fn delete_subscription(&mut self, id: i64) -> Result<bool, StoreError> {
        self.hook_write(|tx| {
            // The cascade would do it; said here so no pragma is relied on.
            tx.execute("DELETE FROM hook_outbox WHERE subscription = ?1", [id])?;
            Ok(tx.execute("DELETE FROM hook_subscriptions WHERE id = ?1", [id])? > 0)
        })
    }

    fn hook_cursor(&self) -> Result<u64, StoreError> {
        let seq: Option<i64> = self
            .conn
            .query_row("SELECT seq FROM hook_cursor WHERE id = 1", [], |r| r.get(0))
            .optional()
            .map_err(|e| self.fail(e))?;
        Ok(seq.unwrap_or(0).max(0) as u64)
    }

    fn fan_out(&mut self, from: u64, to: u64, rows: &[NewDelivery]) -> Result<bool, StoreError> {
        self.hook_write(|tx| {
            let now: i64 =
                tx.query_row("SELECT seq FROM hook_cursor WHERE id = 1", [], |r| r.get(0))?;
            if now != from as i64 {
                return Ok(false);
            }
            let mut insert = tx.prepare_cached(
                "INSERT OR IGNORE INTO hook_outbox
                     (subscription, seq, event_id, event_type, order_key, body, next_at)
                 SELECT ?1, ?2, ?3, ?4, ?5, ?6, 0
                 WHERE EXISTS (SELECT 1 FROM hook_subscriptions WHERE id = ?1)",
            )?;
            for row in rows {
                insert.execute(params![
                    row.subscription,
                    row.seq as i64,
                    row.event_id,
                    row.event_type,
                    row.order_key,
                    row.body
                ])?;
            }
            tx.execute("UPDATE hook_cursor SET seq = ?1 WHERE id = 1", [to as i64])?;
            Ok(true)
        })
    }

    fn claim_due(
        &mut self,
        now: i64,
        lease_until: i64,
        limit: usize,
    ) -> Result<Vec<Claimed>, StoreError> {
        self.hook_write(|tx| {
            let mut claimed = Vec::new();
            {
                let mut due = tx.prepare_cached(&format!(
                    "SELECT {DELIVERY_COLUMNS}, s.url, s.format, s.secret
                     FROM hook_outbox o JOIN hook_subscriptions s ON s.id = o.subscription
                     WHERE o.state = 0 AND o.next_at <= ?1
                       AND NOT EXISTS (SELECT 1 FROM hook_outbox p
                                       WHERE p.state = 0 AND p.subscription = o.subscription
                                         AND p.order_key = o.order_key AND p.id < o.id)
                     ORDER BY o.next_at, o.id LIMIT ?2"
                ))?;
                let rows = due.query_map(params![now, limit as i64], |r| {
                    Ok(Claimed {
                        delivery: delivery_row(r)?,
                        url: r.get(12)?,
                        format: r.get(13)?,
                        secret: r.get(14)?,
                    })
                })?;
                for row in rows {
                    claimed.push(row?);
                }
            }
            let mut lease = tx.prepare_cached(
                "UPDATE hook_outbox SET attempts = attempts + 1, next_at = ?2 WHERE id = ?1",
            )?;
            for c in &mut claimed {
                lease.execute(params![c.delivery.id, lease_until])?;
                c.delivery.attempts += 1;
                c.delivery.next_at = lease_until;
            }
            Ok(claimed)
        })
    }

    fn record(
        &mut self,
        id: i64,
        attempts: u32,
        at: i64,
        outcome: &Attempt,
    ) -> Result<bool, StoreError> {
        let (state, status, error, next_at) = match outcome {
            Attempt::Delivered { status } => (DeliveryState::Delivered, Some(*status), None, at),
            Attempt::Retry {
                status,
                error,
                next_at,
            } => (
                DeliveryState::Pending,
                *status,
                Some(error.as_str()),
                *next_at,
            ),
            Attempt::Dead { status, error } => {
                (DeliveryState::Dead, *status, Some(error.as_str()), at)
            }
        };
        self.hook_write(|tx| {
            Ok(tx.execute(
                "UPDATE hook_outbox SET state = ?3, next_at = ?4, last_status = ?5, last_error = ?6
                 WHERE id = ?1 AND attempts = ?2 AND state = 0",
                params![
                    id,
                    i64::from(attempts),
                    state.as_i64(),
                    next_at,
                    status.map(i64::from),
                    error
                ],
            )? > 0)
        })
    }

    fn replay(&mut self, id: i64, now: i64) -> Result<bool, StoreError> {
        self.hook_write(|tx| {
            Ok(tx.execute(
                "UPDATE hook_outbox SET state = 0, attempts = 0, next_at = ?2 WHERE id = ?1",
                params![id, now],
            )? > 0)
        })
    }

    fn delivery(&self, id: i64) -> Result<Option<Delivery>, StoreError> {
        self.conn
            .query_row(
                &format!("SELECT {DELIVERY_COLUMNS} FROM hook_outbox o WHERE o.id = ?1"),
                [id],
                delivery_row,
            )
            .optional()
            .map_err(|e| self.fail(e))
    }

    fn deliveries(&self, state: DeliveryState, limit: usize) -> Result<Vec<Delivery>, StoreError> {
        let fail = |e| self.fail(e);
        let mut stmt = self
            .conn
            .prepare_cached(&format!(
                "SELECT {DELIVERY_COLUMNS} FROM hook_outbox o WHERE o.state = ?1 ORDER BY o.id LIMIT ?2"
            ))
            .map_err(fail)?;
        let rows = stmt
            .query_map(params![state.as_i64(), limit as i64], delivery_row)
            .map_err(fail)?
            .collect::<rusqlite::Result<Vec<_>>>()
            .map_err(fail)?;
        Ok(rows)
    }

    fn pending_count(&self) -> Result<u64, StoreError> {
        self.conn
            .query_row(
                "SELECT count(*) FROM hook_outbox WHERE state = 0",
                [],
                |r| r.get::<_, i64>(0),
            )
            .map(|n| n.max(0) as u64)
            .map_err(|e| self.fail(e))
    }

    fn next_due(&self) -> Result<Option<i64>, StoreError> {
        self.conn
            .query_row(
                // A delivery waiting behind an earlier pending one of its
                // order is not due whatever its own time says: counting it
                // made the delivery thread spin while a receiver was down.
                "SELECT min(o.next_at) FROM hook_outbox o
                 WHERE o.state = 0
                   AND NOT EXISTS (SELECT 1 FROM hook_outbox p
                                   WHERE p.state = 0 AND p.subscription = o.subscription
                                     AND p.order_key = o.order_key AND p.id < o.id)",
                [],
                |r| r.get(0),
            )
            .map_err(|e| self.fail(e))
    }
}
