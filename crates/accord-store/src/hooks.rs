//! Webhooks' storage: subscriptions, the outbox of deliveries, and the
//! fan-out cursor (how far the log has been turned into outbox rows).
//!
//! The outbox is filled by a fan-out that reads the log after the cursor
//! and, in one transaction, inserts the rows and moves the cursor
//! ([`HookStore::fan_out`], a compare-and-set on the cursor): the log is
//! durable, so nothing between an event and its deliveries can be lost, and
//! two processes fanning out at once never both insert a stretch. A
//! delivery is *claimed* before it is sent (its attempt counted and its
//! next time pushed past a lease), so a process that dies mid-delivery
//! leaves it due again once the lease runs out: at least once.
//!
//! Secrets are stored in clear: they must be, to sign.

use crate::StoreError;

/// A subscription as stored.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Subscription {
    pub id: i64,
    pub url: String,
    /// Event type names (`lead.mql`, …), as given.
    pub events: Vec<String>,
    /// The payload format's name (`json`, `slack`).
    pub format: String,
    pub secret: String,
    /// The log's head when it was created: only later batches reach it.
    pub start_seq: u64,
    /// Unix seconds.
    pub created_at: i64,
}

/// What a new subscription is made of.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct NewSubscription<'a> {
    pub url: &'a str,
    pub events: &'a [String],
    pub format: &'a str,
    pub secret: &'a str,
    pub created_at: i64,
}

/// One delivery to insert: a log event, for one subscription.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct NewDelivery {
    pub subscription: i64,
    /// The log batch the event is in.
    pub seq: u64,
    /// The log event's key (`stage_changed:S1`): unique per subscription.
    pub event_id: String,
    /// The webhook event type (`lead.mql`).
    pub event_type: String,
    /// Deliveries of one key (a lead) go out in order, per subscription.
    pub order_key: String,
    /// The bytes to POST.
    pub body: Vec<u8>,
}

/// Where a delivery stands.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum DeliveryState {
    /// Not delivered yet: due at `next_at` (or in flight, claimed until then).
    Pending,
    Delivered,
    /// Every attempt of the schedule failed.
    Dead,
}

impl DeliveryState {
    fn code(self) -> i64 {
        match self {
            DeliveryState::Pending => 0,
            DeliveryState::Delivered => 1,
            DeliveryState::Dead => 2,
        }
    }

    pub(crate) fn from_code(code: i64) -> DeliveryState {
        match code {
            1 => DeliveryState::Delivered,
            2 => DeliveryState::Dead,
            _ => DeliveryState::Pending,
        }
    }

    pub(crate) fn as_i64(self) -> i64 {
        self.code()
    }

    pub fn as_str(self) -> &'static str {
        match self {
            DeliveryState::Pending => "pending",
            DeliveryState::Delivered => "delivered",
            DeliveryState::Dead => "dead",
        }
    }
}

/// A stored delivery.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Delivery {
    pub id: i64,
    pub subscription: i64,
    pub seq: u64,
    pub event_id: String,
    pub event_type: String,
    pub order_key: String,
    pub body: Vec<u8>,
    pub state: DeliveryState,
    /// Attempts made (a claim counts as one).
    pub attempts: u32,
    /// Unix seconds: when it is due (pending), or was last tried.
    pub next_at: i64,
    /// The last attempt's HTTP status, if it got one.
    pub last_status: Option<u16>,
    /// The last failure, in words.
    pub last_error: Option<String>,
}

/// A claimed delivery, ready to send: the row plus where to send it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Claimed {
    pub delivery: Delivery,
    pub url: String,
    pub format: String,
    pub secret: String,
}

/// What became of one attempt.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Attempt {
    /// The receiver answered 2xx.
    Delivered { status: u16 },
    /// It failed; try again at `next_at` (unix seconds).
    Retry {
        status: Option<u16>,
        error: String,
        next_at: i64,
    },
    /// It failed and the schedule is spent: a dead letter.
    Dead { status: Option<u16>, error: String },
}

/// The webhooks' tables, as every backend offers them. Nothing
/// backend-specific crosses it.
pub trait HookStore {
    /// Stores a subscription starting at the log's head (read in the same
    /// transaction); returns it.
    fn create_subscription(
        &mut self,
        new: &NewSubscription<'_>,
    ) -> Result<Subscription, StoreError>;

    /// Every subscription, by id.
    fn subscriptions(&self) -> Result<Vec<Subscription>, StoreError>;

    /// Deletes a subscription and its deliveries; `false` when there is none.
    fn delete_subscription(&mut self, id: i64) -> Result<bool, StoreError>;

    /// How far the log has been fanned out (a log head; 0 at first).
    fn hook_cursor(&self) -> Result<u64, StoreError>;

    /// Inserts `rows` and moves the cursor from `from` to `to`, in one
    /// transaction, only if the cursor is still `from`; `false` (nothing
    /// written) when another process moved it first. Rows of a subscription
    /// deleted meanwhile are skipped.
    fn fan_out(&mut self, from: u64, to: u64, rows: &[NewDelivery]) -> Result<bool, StoreError>;

    /// Claims up to `limit` deliveries due at `now` (unix seconds) whose
    /// order key has no earlier pending delivery in their subscription:
    /// each one's attempts counted and its next time set to `lease_until`,
    /// in one transaction. A claim not followed by [`HookStore::record`]
    /// (the process died) is due again at `lease_until`.
    fn claim_due(
        &mut self,
        now: i64,
        lease_until: i64,
        limit: usize,
    ) -> Result<Vec<Claimed>, StoreError>;

    /// Records an attempt of a claimed delivery. `attempts` is the count the
    /// claim gave it: a record for an older claim (its lease ran out and the
    /// delivery was claimed again) changes nothing and returns `false`.
    fn record(
        &mut self,
        id: i64,
        attempts: u32,
        at: i64,
        outcome: &Attempt,
    ) -> Result<bool, StoreError>;

    /// Makes a delivery pending again, due at `now`, its attempts back to 0
    /// (whatever its state); `false` when there is none.
    fn replay(&mut self, id: i64, now: i64) -> Result<bool, StoreError>;

    /// One delivery.
    fn delivery(&self, id: i64) -> Result<Option<Delivery>, StoreError>;

    /// Deliveries in one state, by id, at most `limit` (the dead-letter
    /// list is `deliveries(Dead, …)`).
    fn deliveries(&self, state: DeliveryState, limit: usize) -> Result<Vec<Delivery>, StoreError>;

    /// Pending deliveries (the outbox's depth).
    fn pending_count(&self) -> Result<u64, StoreError>;

    /// The earliest time a pending delivery that `claim_due` could take is
    /// due, if any: one waiting behind an earlier pending delivery of its
    /// order counts only once that one is done.
    fn next_due(&self) -> Result<Option<i64>, StoreError>;
}
