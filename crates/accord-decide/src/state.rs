//! What the engine knows: every lead, account, rep, asset and opportunity
//! it has seen, in rows reached by interned ids. Changed only by
//! [`crate::Engine::apply`], the one path of both replay and live ingest.

use accord_core::domain::*;
use accord_core::event::{AccountMatch, Assignment, Event, Lead, Origin};
use rustc_hash::FxHashMap;

/// "No row" in a `u32` reference.
pub(crate) const NONE: u32 = u32::MAX;

/// Ids interned to dense row numbers, in the order first seen. Ids of the
/// common shape (`L0000001`: see `accord_core::event::packed_key`) are
/// kept as their packed integer: no string hashed, compared or allocated.
#[derive(Default)]
pub(crate) struct Ids {
    packed: FxHashMap<i64, u32>,
    other: FxHashMap<Box<str>, u32>,
}

/// The packing an [`Ids`] uses (the one of [`accord_core::event::PackedTouch`]).
fn packed(id: &str) -> Option<i64> {
    accord_core::event::packed_key::pack_id(id)
}

impl Ids {
    pub(crate) fn get(&self, id: &str) -> Option<u32> {
        match packed(id) {
            Some(key) => self.get_packed(key),
            None => self.other.get(id).copied(),
        }
    }
    /// Room for `n` more ids of the packed shape.
    pub(crate) fn reserve(&mut self, n: usize) {
        self.packed.reserve(n);
    }
    /// The row of the id packed as `key`.
    pub(crate) fn get_packed(&self, key: i64) -> Option<u32> {
        self.packed.get(&key).copied()
    }
    /// The row of `id`, and whether it is new.
    pub(crate) fn intern(&mut self, id: &str) -> (u32, bool) {
        match packed(id) {
            Some(key) => self.intern_packed(key),
            None => {
                let next = self.len();
                match self.other.get(id) {
                    Some(&i) => (i, false),
                    None => {
                        self.other.insert(id.into(), next);
                        (next, true)
                    }
                }
            }
        }
    }
    /// [`Ids::intern`] of the id packed as `key`.
    pub(crate) fn intern_packed(&mut self, key: i64) -> (u32, bool) {
        let next = self.len();
        match self.packed.entry(key) {
            std::collections::hash_map::Entry::Occupied(e) => (*e.get(), false),
            std::collections::hash_map::Entry::Vacant(e) => (*e.insert(next), true),
        }
    }
    fn len(&self) -> u32 {
        (self.packed.len() + self.other.len()) as u32
    }
}

/// Strings a touch names (campaign, content, rep ids), interned: a touch
/// keeps three `u32`s instead of three strings.
#[derive(Default)]
pub(crate) struct Names {
    ids: Ids,
    list: Vec<Box<str>>,
}

impl Names {
    /// The number of `name`, added if new.
    pub(crate) fn intern(&mut self, name: &str) -> u32 {
        let (i, new) = self.ids.intern(name);
        if new {
            self.list.push(name.into());
        }
        i
    }
    /// [`Names::intern`] of the name packed as `key`.
    pub(crate) fn intern_packed(&mut self, key: i64) -> u32 {
        let (i, new) = self.ids.intern_packed(key);
        if new {
            self.list
                .push(accord_core::event::packed_key::unpack(key).into());
        }
        i
    }
    /// The name numbered `i` (`None` for [`NONE`]).
    pub(crate) fn name(&self, i: u32) -> Option<&str> {
        self.list.get(i as usize).map(|s| &**s)
    }
}

/// Ids as one `u64` each (touch, transition and decision ids): an id of
/// the common shape is its packed key, an engine-made `~n` is `n` with bit
/// 62 set, and any other is kept here and numbered, with the top bit set.
/// [`Keys::id`] gives back the exact id.
#[derive(Default)]
pub(crate) struct Keys {
    other: Vec<Box<str>>,
}

const OTHER: u64 = 1 << 63;
/// Packed keys use the low 54 bits, so this bit is free for `~n`.
const ENGINE: u64 = 1 << 62;

/// "No key" in a `u64` key field.
pub(crate) const NO_KEY: u64 = u64::MAX;

impl Keys {
    pub(crate) fn key(&mut self, id: &str) -> u64 {
        if let Some(key) = Self::known(id) {
            return key;
        }
        self.other.push(id.into());
        OTHER | (self.other.len() - 1) as u64
    }
    /// The key of `id` when it needs no entry of its own.
    pub(crate) fn known(id: &str) -> Option<u64> {
        if let Some(key) = packed(id) {
            return Some(Self::packed(key));
        }
        // `~n` as written by the engine (no sign, no leading zero), so
        // that `id` gives it back byte for byte.
        let digits = id.strip_prefix('~')?;
        let canonical = !digits.is_empty()
            && digits.bytes().all(|c| c.is_ascii_digit())
            && (digits == "0" || !digits.starts_with('0'));
        let n: u64 = digits.parse().ok().filter(|_| canonical)?;
        (n < ENGINE).then_some(ENGINE | n)
    }
    /// The key of the id packed as `key`.
    pub(crate) fn packed(key: i64) -> u64 {
        // Packed keys are positive and below bit 54.
        key as u64
    }
    pub(crate) fn id(&self, key: u64) -> String {
        if key & OTHER != 0 {
            self.other[(key & !OTHER) as usize].to_string()
        } else if key & ENGINE != 0 {
            format!("~{}", key & !ENGINE)
        } else {
            accord_core::event::packed_key::unpack(key as i64)
        }
    }
    /// Whether `key` is the key of `id` (without keeping `id`).
    pub(crate) fn is(&self, key: u64, id: &str) -> bool {
        match Self::known(id) {
            Some(k) => k == key,
            None => key & OTHER != 0 && &*self.other[(key & !OTHER) as usize] == id,
        }
    }
}

/// A lead as the engine keeps it.
pub(crate) struct LeadRow {
    pub lead: Lead,
    /// `email`'s domain, lower-cased.
    pub email_domain: Box<str>,
    pub free_mail: bool,
    pub stage: Named<Stage>,
    pub stage_since: Timestamp,
    /// The account: as the lead arrived with it, else as matched.
    pub account: u32,
    /// The engine's match, as its event's stored bytes ([`encoded`]): read
    /// only to explain or predict the lead.
    pub matched: Option<Box<[u8]>>,
    pub owner: u32,
    /// The latest assignment (its rules tried and reps eligible), as its
    /// event's stored bytes ([`encoded`]): read only to explain the lead.
    pub assignment: Option<Box<[u8]>>,
    /// Routing found no eligible rep: routed again at the lead's next event.
    pub waiting: bool,
    pub history: Vec<Step>,
}

/// A touch, as scoring and `lead show` read it: 24 bytes, no allocation
/// (touches are nine events in ten: 19M at 1M leads). The ids it names
/// are one number in [`State::touch_names`] ([`State::names_of`]).
#[derive(Clone, Copy, Debug)]
pub(crate) struct TouchRow {
    /// The touch's id (see [`Keys`]).
    pub id: u64,
    pub at: i64,
    /// Its campaign, content and rep, numbered in [`State::touch_names`].
    pub names: u32,
    /// Its engagement points (its kind's and its rules'), kept when they
    /// read nothing but the touch: meaningful only while
    /// [`State::points`] says its lead's are current.
    pub points: i16,
    pub kind: TouchKind,
    pub channel: Option<Channel>,
}

/// The ids a touch names, as numbers in [`State::names`] ([`NONE`] when
/// absent).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub(crate) struct TouchNames {
    pub campaign: u32,
    pub content: u32,
    pub rep: u32,
}

/// The (campaign, content, rep) combinations touches name, numbered: a few
/// thousand, against millions of touches, so a touch keeps one `u32`.
#[derive(Default)]
pub(crate) struct TouchNameSets {
    list: Vec<TouchNames>,
    numbers: FxHashMap<TouchNames, u32>,
    /// The same numbers by the packed ids (-1: absent), so that replay
    /// interns a packed touch's three ids with one lookup.
    packed: FxHashMap<[i64; 3], u32>,
}

impl TouchNameSets {
    pub(crate) fn intern(&mut self, names: TouchNames) -> u32 {
        let next = self.list.len() as u32;
        match self.numbers.entry(names) {
            std::collections::hash_map::Entry::Occupied(e) => *e.get(),
            std::collections::hash_map::Entry::Vacant(e) => {
                self.list.push(names);
                *e.insert(next)
            }
        }
    }
    /// The number of the ids packed as `ids` (`None`: absent), each
    /// interned in `names` when new.
    pub(crate) fn intern_packed(&mut self, ids: [Option<i64>; 3], names: &mut Names) -> u32 {
        let key = ids.map(|k| k.unwrap_or(-1));
        if let Some(&n) = self.packed.get(&key) {
            return n;
        }
        let [campaign, content, rep] = ids.map(|k| k.map_or(NONE, |k| names.intern_packed(k)));
        let n = self.intern(TouchNames {
            campaign,
            content,
            rep,
        });
        self.packed.insert(key, n);
        n
    }
    pub(crate) fn get(&self, n: u32) -> TouchNames {
        self.list[n as usize]
    }
}

/// One stage change of a lead, and who or what made it: 64 bytes, no
/// allocation for the contract's stages (ids are numbers: the
/// transition's in [`State::keys`]; the rep's, the reason and a person's
/// name in [`State::names`]).
#[derive(Clone, Debug)]
pub(crate) struct Step {
    /// The transition's id (see [`Keys`]).
    pub id: u64,
    pub at: Timestamp,
    pub from: Named<Stage>,
    pub to: Named<Stage>,
    /// The rep's id in [`State::names`], or [`NONE`].
    pub rep: u32,
    /// The rejection reason in [`State::names`], or [`NONE`].
    pub reason: u32,
    pub origin: StepOrigin,
}

/// An [`Origin`] in 8 bytes: a person's name is a number in [`State::names`].
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum StepOrigin {
    Imported,
    Ingested,
    Engine {
        agreement: u32,
    },
    /// Who, or [`NONE`].
    Person {
        by: u32,
    },
}

impl StepOrigin {
    pub(crate) fn of(origin: &Origin, names: &mut Names) -> StepOrigin {
        match origin {
            Origin::Imported => StepOrigin::Imported,
            Origin::Ingested => StepOrigin::Ingested,
            Origin::Engine { agreement } => StepOrigin::Engine {
                agreement: *agreement,
            },
            Origin::Person { by } => StepOrigin::Person {
                by: by.as_ref().map_or(NONE, |b| names.intern(b.as_str())),
            },
        }
    }
}

pub(crate) struct AccountRow {
    pub account: accord_core::event::Account,
}

pub(crate) struct RepRow {
    pub rep: accord_core::event::Rep,
}

#[derive(Default)]
pub(crate) struct State {
    pub lead_ids: Ids,
    pub leads: Vec<LeadRow>,
    /// Each lead's touches in arrival order, by lead row. Kept apart from
    /// the (large) rows: appending a touch reads this array's small entry,
    /// not the lead's row, which missed the cache on nine events in ten.
    pub touches: Vec<Vec<TouchRow>>,
    pub account_ids: Ids,
    /// `None` until the account's record arrives (a lead may name it first).
    pub accounts: Vec<Option<AccountRow>>,
    pub rep_ids: Ids,
    pub reps: Vec<Option<RepRow>>,
    /// Recorded reps' rows in id order (byte order of the id): the order
    /// routing considers them in.
    pub rep_order: Vec<u32>,
    /// Reps' time away, `[from, until)`, by rep row (a rep may be marked
    /// away before their record arrives).
    pub away: FxHashMap<u32, Vec<(i64, i64)>>,
    pub matcher: crate::matching::Matcher,
    /// The ids touches name (campaigns, contents, reps).
    pub names: Names,
    /// The (campaign, content, rep) of touches, by [`TouchRow::names`].
    pub touch_names: TouchNameSets,
    pub keys: Keys,
    /// Published content by its id's number in `names`.
    pub content: FxHashMap<u32, accord_core::event::Content>,
    /// Opportunity id → its primary lead's row (or NONE).
    pub opportunities: FxHashMap<Box<str>, u32>,
    /// The largest n of the engine's `~n` stage changes and assignments.
    pub last_transition: u64,
    pub last_assignment: u64,
    /// Round robin: per routing rule, the rep it chose last.
    pub cursors: FxHashMap<Box<str>, u32>,
    /// Leads routed to a rep per local day: (rep row, day number) → count.
    pub loads: FxHashMap<(u32, i64), u32>,
    /// The latest time of any event applied.
    pub clock: i64,
    /// Events applied.
    pub events: u64,
    /// Both sides' SLA: clocks, tallies, timers.
    pub sla: crate::sla::Sla,
    /// The predictive model in use: the latest `ModelAdopted` applied, its
    /// artifact read then (boxed: without one the state carries a pointer;
    /// nothing is kept per lead either way).
    pub model: Option<Box<crate::predict::InUse>>,
    /// Which leads' touches hold their engagement points.
    pub points: PointsKept,
}

/// Which leads' touches hold their engagement points ([`TouchRow::points`]),
/// kept so that a score does not evaluate every touch's rules again at
/// each event of the lead. Kept only under an agreement whose engagement
/// rules read nothing but the touch (`crate::score::points_kept`);
/// anything that could change a kept value (content published, another
/// agreement in force) starts a new generation, which makes every lead's
/// stale. Only a cache: a score reads the rules again for a lead whose
/// points are not current, and gets the same value.
#[derive(Default)]
pub(crate) struct PointsKept {
    /// The current generation (from 1).
    generation: u32,
    /// By lead row: the generation its touches' points were worked out in
    /// (0: never).
    by_lead: Vec<u32>,
}

impl PointsKept {
    pub(crate) fn is_current(&self, lead: u32) -> bool {
        self.generation > 0 && self.by_lead.get(lead as usize) == Some(&self.generation)
    }
    /// Every lead's kept points are stale from now on.
    pub(crate) fn invalidate(&mut self) {
        self.generation += 1;
    }
    /// Lead `lead`'s points are stale (its touches were replaced).
    pub(crate) fn forget(&mut self, lead: u32) {
        if let Some(g) = self.by_lead.get_mut(lead as usize) {
            *g = 0;
        }
    }
    /// Lead `lead`'s touches all hold their points of this generation.
    pub(crate) fn mark_current(&mut self, lead: u32) {
        let i = lead as usize;
        if self.by_lead.len() <= i {
            self.by_lead.resize(i + 1, 0);
        }
        self.generation = self.generation.max(1);
        self.by_lead[i] = self.generation;
    }
}

/// Asks the processor to bring `p`'s cache line in, without waiting for
/// it: replay's time went to waiting on two cache misses per touch (the
/// lead's touch vector, then its end), one touch after the other.
#[inline(always)]
fn prefetch<T>(p: *const T) {
    #[cfg(target_arch = "x86_64")]
    // SAFETY: a prefetch is a hint; it reads nothing and never faults,
    // whatever the address (here one past a vector's end at most).
    unsafe {
        std::arch::x86_64::_mm_prefetch::<{ std::arch::x86_64::_MM_HINT_T0 }>(p.cast::<i8>());
    }
    #[cfg(not(target_arch = "x86_64"))]
    let _ = p;
}

impl State {
    /// A touch of lead row `i` applied: kept in the lead's touches, and a
    /// sales touch counted by the SLA (both paths of `apply` come here).
    /// The row of the lead packed as `lead` ([`NONE`] when unknown), with
    /// its touches' vector asked into the cache: the first step of a
    /// window's look-ahead ([`Engine::apply_stored`](crate::Engine::apply_stored)).
    pub(crate) fn touch_row_ahead(&self, lead: i64) -> u32 {
        match self.lead_ids.get_packed(lead) {
            Some(i) => {
                prefetch(self.touches.as_ptr().wrapping_add(i as usize));
                i
            }
            None => NONE,
        }
    }

    /// The second step: the end of row `i`'s touches, where its next touch
    /// goes, asked into the cache.
    pub(crate) fn touch_end_ahead(&self, i: u32) {
        if let Some(v) = self.touches.get(i as usize) {
            prefetch(v.as_ptr().wrapping_add(v.len()));
        }
    }

    /// Row `i`'s lead row and its touches' vector asked into the cache:
    /// the first step of live ingest's look-ahead ([`crate::Engine::warm`]).
    pub(crate) fn lead_row_ahead(&self, i: u32) {
        let row = self.leads.as_ptr().wrapping_add(i as usize);
        let lines = std::mem::size_of::<LeadRow>().div_ceil(64);
        for k in 0..lines {
            prefetch(row.cast::<u8>().wrapping_add(64 * k));
        }
        prefetch(self.touches.as_ptr().wrapping_add(i as usize));
    }

    /// The second: row `i`'s touches asked into the cache (judging a touch
    /// scores the lead, which reads them all), up to the first 16 lines.
    pub(crate) fn touches_ahead(&self, i: u32) {
        if let Some(v) = self.touches.get(i as usize) {
            let bytes = std::mem::size_of_val(v.as_slice()).min(16 * 64);
            for at in (0..bytes).step_by(64) {
                prefetch(v.as_ptr().cast::<u8>().wrapping_add(at));
            }
        }
    }

    pub(crate) fn touched(&mut self, i: u32, row: TouchRow) {
        let touches = &mut self.touches[i as usize];
        if touches.len() == touches.capacity() {
            // Grown by half, not doubled: a lead's touches are most of
            // the state (19M at 1M leads), and doubling left a third of
            // their room unused on average.
            touches.reserve_exact((touches.capacity() / 2).max(4));
        }
        touches.push(row);
        if row.kind.is_sales() {
            self.sla.touched(i, row.at);
        }
    }

    pub(crate) fn account_row(&mut self, id: &AccountId) -> u32 {
        let (i, new) = self.account_ids.intern(id.as_str());
        if new {
            self.accounts.push(None);
        }
        i
    }

    pub(crate) fn rep_row(&mut self, id: &str) -> u32 {
        let (i, new) = self.rep_ids.intern(id);
        if new {
            self.reps.push(None);
        }
        i
    }

    pub(crate) fn rep(&self, row: u32) -> Option<&accord_core::event::Rep> {
        self.reps.get(row as usize)?.as_ref().map(|r| &r.rep)
    }

    pub(crate) fn account(&self, row: u32) -> Option<&accord_core::event::Account> {
        if row == NONE {
            return None;
        }
        self.accounts
            .get(row as usize)?
            .as_ref()
            .map(|a| &a.account)
    }

    pub(crate) fn away_at(&self, rep: u32, t: i64) -> bool {
        self.away
            .get(&rep)
            .is_some_and(|v| v.iter().any(|&(from, until)| from <= t && t < until))
    }

    pub(crate) fn rep_id(&self, row: u32) -> Option<&RepId> {
        self.rep(row).map(|r| &r.id)
    }

    /// An escalation fired, as its event.
    pub(crate) fn escalation(&self, f: &crate::sla::Fired) -> accord_core::event::Escalation {
        let name = |n: u32| self.names.name(n).map(str::to_string);
        accord_core::event::Escalation {
            id: DecisionId::parse(&self.keys.id(f.id)).expect("an id it was"),
            step: Text::parse(&name(f.step).unwrap_or_default()).expect("a name it was"),
            on: f.on,
            cause: Text::parse(&self.keys.id(f.cause)).expect("an id it was"),
            lead: (f.lead_key != NO_KEY)
                .then(|| LeadId::parse(&self.keys.id(f.lead_key)).expect("an id it was")),
            region: f.region,
            month: f.month,
            notify: f.notify,
            person: name(f.person).map(|p| RepId::parse(&p).expect("an id it was")),
            at: Timestamp::from_unix_seconds(f.at),
        }
    }

    /// The ids touch `t` names.
    pub(crate) fn names_of(&self, t: &TouchRow) -> TouchNames {
        self.touch_names.get(t.names)
    }

    /// The content a touch names, if published.
    pub(crate) fn content_of(&self, t: &TouchRow) -> Option<&accord_core::event::Content> {
        let content = self.names_of(t).content;
        if content == NONE {
            return None;
        }
        self.content.get(&content)
    }
}

/// The `n` of an engine-made id `~n`, read as [`Keys::known`] reads it
/// (the one reading of `~n`: as the engine writes it, no sign, no leading
/// zero).
pub(crate) fn engine_number(id: &str) -> Option<u64> {
    Keys::known(id)
        .filter(|key| key & ENGINE != 0 && key & OTHER == 0)
        .map(|key| key & !ENGINE)
}

/// An event kept whole but seldom read, as its stored form (the origin's
/// bytes, then the event's): one allocation of a few dozen bytes instead
/// of a string per id.
pub(crate) fn encoded(event: &Event, origin: &Origin) -> Box<[u8]> {
    let mut out = Vec::with_capacity(64);
    origin.encode(&mut out);
    event.encode(&mut out);
    out.into_boxed_slice()
}

/// What [`encoded`] makes of an event, from its origin and its stored
/// bytes (replay reads them so), and where the event's bytes start in it.
pub(crate) fn kept(origin: &Origin, event: &[u8]) -> (Box<[u8]>, usize) {
    let mut out = Vec::with_capacity(8 + event.len());
    origin.encode(&mut out);
    let start = out.len();
    out.extend_from_slice(event);
    (out.into_boxed_slice(), start)
}

/// The event and origin [`encoded`] made.
fn decoded(bytes: &[u8]) -> (Event, Origin) {
    let (origin, rest) = Origin::decode(bytes).expect("bytes the engine encoded");
    let event = Event::decode(rest).expect("bytes the engine encoded");
    (event, origin)
}

/// A lead row's [`LeadRow::assignment`], read back.
pub(crate) fn assignment(bytes: &[u8]) -> (Assignment, Origin) {
    match decoded(bytes) {
        (Event::OwnerAssigned(a), origin) => (a, origin),
        _ => unreachable!("an assignment is kept as one"),
    }
}

/// A lead row's [`LeadRow::matched`], read back.
pub(crate) fn matched(bytes: &[u8]) -> AccountMatch {
    match decoded(bytes) {
        (Event::AccountMatched(m), _) => m,
        _ => unreachable!("a match is kept as one"),
    }
}
