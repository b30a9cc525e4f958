//! The CSV contract: which files, which columns, and how a row becomes events.
//!
//! Each row is parsed into typed domain values or refused with one `Problem`
//! naming the column. References to other records (a touch's lead, a lead's
//! account) are resolved against `Known`, the ids of every record stored or
//! accepted so far; files are read in an order where what is referenced comes
//! first.

pub use accord_core::contract::FileKind;
use accord_core::domain::*;
use accord_core::event::packed_key;
use accord_core::event::*;
use csv::StringRecord;
use rustc_hash::FxHashSet;

/// What is wrong with a refused row. The names are the contract's defect names.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Problem {
    MissingRequired,
    BadEmail,
    BadTimestamp,
    BadNumber,
    NegativeAmount,
    UnknownEnum,
    UnknownReference,
    DuplicateId,
    WrongFieldCount,
    ClosedBeforeCreated,
    BadText,
    BadValue,
    AfterAsOf,
    InFuture,
    BeforeLeadCreated,
    StageChain,
    OutOfOrder,
}

impl Problem {
    /// Every problem, in the order `accord import --help` lists them.
    pub const ALL: [Problem; 17] = [
        Problem::MissingRequired,
        Problem::BadEmail,
        Problem::BadTimestamp,
        Problem::BadNumber,
        Problem::NegativeAmount,
        Problem::UnknownEnum,
        Problem::UnknownReference,
        Problem::DuplicateId,
        Problem::WrongFieldCount,
        Problem::ClosedBeforeCreated,
        Problem::BadText,
        Problem::BadValue,
        Problem::AfterAsOf,
        Problem::InFuture,
        Problem::BeforeLeadCreated,
        Problem::StageChain,
        Problem::OutOfOrder,
    ];

    /// What the problem means, in a line.
    pub fn meaning(self) -> &'static str {
        match self {
            Problem::MissingRequired => "a required column is empty",
            Problem::BadEmail => "not an e-mail address",
            Problem::BadTimestamp => "not YYYY-MM-DDTHH:MM:SSZ (a month: not YYYY-MM)",
            Problem::BadNumber => "not a whole number ≥ 0, or not money (1234.50)",
            Problem::NegativeAmount => "money below 0 (amount_usd: not above 0)",
            Problem::UnknownEnum => "not a word of the column's vocabulary",
            Problem::UnknownReference => "names a record neither stored nor accepted earlier",
            Problem::DuplicateId => "an id already stored or used earlier, with other content",
            Problem::WrongFieldCount => "not as many fields as the header",
            Problem::ClosedBeforeCreated => "an opportunity closed before it was created",
            Problem::BadText => "not UTF-8",
            Problem::BadValue => {
                "an id (none starts with `~`), text, domain or country out of shape/limits"
            }
            Problem::AfterAsOf => "dated after meta.json's as_of (nothing happens after it)",
            Problem::InFuture => "dated after now plus 5 minutes (no meta.json, or a later as_of)",
            Problem::BeforeLeadCreated => "a touch or transition before its lead's created_at",
            Problem::StageChain => "a transition whose from_stage is not the lead's current stage",
            Problem::OutOfOrder => "a transition dated before the lead's previous one",
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Problem::MissingRequired => "missing_required",
            Problem::BadEmail => "bad_email",
            Problem::BadTimestamp => "bad_timestamp",
            Problem::BadNumber => "bad_number",
            Problem::NegativeAmount => "negative_amount",
            Problem::UnknownEnum => "unknown_enum",
            Problem::UnknownReference => "unknown_reference",
            Problem::DuplicateId => "duplicate_id",
            Problem::WrongFieldCount => "wrong_field_count",
            Problem::ClosedBeforeCreated => "closed_before_created",
            Problem::BadText => "bad_text",
            Problem::BadValue => "bad_value",
            Problem::AfterAsOf => "after_as_of",
            Problem::InFuture => "in_future",
            Problem::BeforeLeadCreated => "before_lead_created",
            Problem::StageChain => "stage_chain",
            Problem::OutOfOrder => "out_of_order",
        }
    }
}

impl std::fmt::Display for Problem {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A refused row: the problem and a sentence naming the column and value.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RowError {
    pub problem: Problem,
    pub message: String,
    /// For `unknown_reference`: the file the missing record would be in.
    pub refers_to: Option<FileKind>,
}

impl RowError {
    pub fn new(problem: Problem, message: String) -> RowError {
        RowError {
            problem,
            message,
            refers_to: None,
        }
    }
}

fn err(problem: Problem, message: String) -> RowError {
    RowError::new(problem, message)
}

/// Ids of the records that others may reference: stored before this import,
/// or accepted earlier in it.
pub struct Known {
    pub reps: IdSet,
    pub accounts: IdSet,
    pub campaigns: IdSet,
    pub content: IdSet,
    pub leads: IdSet,
}

impl Default for Known {
    fn default() -> Known {
        Known {
            reps: IdSet::new(EventKind::RepRecorded),
            accounts: IdSet::new(EventKind::AccountRecorded),
            campaigns: IdSet::new(EventKind::CampaignRecorded),
            content: IdSet::new(EventKind::ContentPublished),
            leads: IdSet::new(EventKind::LeadCreated),
        }
    }
}

/// A set of ids of one kind of record. Ids of the packable shape (prefix and
/// digits) with numbers below `DENSE_LIMIT` are bits in one bitmap per prefix
/// and width: a million lead ids take 1.2 MB and a lookup is one bit test,
/// where a hash set of a million entries misses the cache on most probes.
/// Other ids go to a hash set.
#[derive(Clone)]
pub struct IdSet {
    kind: EventKind,
    /// (packed key >> 40, i.e. kind, prefix and width; bitmap of numbers)
    dense: Vec<(i64, Vec<u64>)>,
    packed: FxHashSet<i64>,
    other: FxHashSet<Box<str>>,
}

/// Numbers at or above this go to the hash set (bounds a bitmap to 32 MB).
const DENSE_LIMIT: i64 = 1 << 28;
const NUMBER_MASK: i64 = (1 << 40) - 1;

impl IdSet {
    pub fn new(kind: EventKind) -> IdSet {
        IdSet {
            kind,
            dense: Vec::new(),
            packed: FxHashSet::default(),
            other: FxHashSet::default(),
        }
    }

    /// The contract file that holds records of this set's kind.
    pub fn file(&self) -> Option<FileKind> {
        FileKind::ORDER
            .into_iter()
            .find(|k| k.event_kind() == Some(self.kind))
    }

    pub fn contains(&self, id: &str) -> bool {
        match packed_key::pack(self.kind, id) {
            Some(key) if key & NUMBER_MASK < DENSE_LIMIT => {
                let (group, n) = (key >> 40, (key & NUMBER_MASK) as usize);
                self.dense
                    .iter()
                    .find(|(g, _)| *g == group)
                    .is_some_and(|(_, bits)| {
                        bits.get(n / 64).is_some_and(|w| w & (1 << (n % 64)) != 0)
                    })
            }
            Some(key) => self.packed.contains(&key),
            None => self.other.contains(id),
        }
    }

    pub fn insert(&mut self, id: &str) {
        match packed_key::pack(self.kind, id) {
            Some(key) if key & NUMBER_MASK < DENSE_LIMIT => {
                let (group, n) = (key >> 40, (key & NUMBER_MASK) as usize);
                let at = match self.dense.iter().position(|(g, _)| *g == group) {
                    Some(at) => at,
                    None => {
                        self.dense.push((group, Vec::new()));
                        self.dense.len() - 1
                    }
                };
                let bits = &mut self.dense[at].1;
                if bits.len() <= n / 64 {
                    bits.resize((n / 64 + 1).next_power_of_two(), 0);
                }
                bits[n / 64] |= 1 << (n % 64);
            }
            Some(key) => {
                self.packed.insert(key);
            }
            None => {
                if !self.other.contains(id) {
                    self.other.insert(id.into());
                }
            }
        }
    }
}

/// One data row, with its columns' names for messages.
pub struct Row<'r> {
    pub record: &'r StringRecord,
    pub columns: &'static [&'static str],
}

impl<'r> Row<'r> {
    /// The field, or `None` when empty (an empty field is null).
    fn opt(&self, col: usize) -> Result<Option<&'r str>, RowError> {
        Ok(self.record.get(col).filter(|s| !s.is_empty()))
    }

    fn req(&self, col: usize) -> Result<&'r str, RowError> {
        self.opt(col)?.ok_or_else(|| {
            err(
                Problem::MissingRequired,
                format!("column `{}` is required but empty", self.columns[col]),
            )
        })
    }

    fn name(&self, col: usize) -> &'static str {
        self.columns[col]
    }

    fn id<T>(&self, col: usize, parse: fn(&str) -> Result<T, ValueError>) -> Result<T, RowError> {
        let s = self.req(col)?;
        parse(s).map_err(|e| {
            err(
                Problem::BadValue,
                format!("column `{}`: {e}", self.name(col)),
            )
        })
    }

    /// An id of a kind the engine also makes: one of its ids (starting with
    /// [`ENGINE_ID_PREFIX`]) is refused.
    fn outside_id<T>(
        &self,
        col: usize,
        parse: fn(&str) -> Result<T, ValueError>,
    ) -> Result<T, RowError> {
        // Parsed first: an id that parses has no control characters to escape.
        let id = self.id(col, parse)?;
        let s = self.req(col)?;
        if s.starts_with(ENGINE_ID_PREFIX) {
            return Err(err(
                Problem::BadValue,
                format!(
                    "column `{}`: `{s}` starts with `{ENGINE_ID_PREFIX}`, which only the engine's own events may (pick an id without it)",
                    self.name(col)
                ),
            ));
        }
        Ok(id)
    }

    fn opt_ref<T>(
        &self,
        col: usize,
        parse: fn(&str) -> Result<T, ValueError>,
        known: &IdSet,
        what: &str,
    ) -> Result<Option<T>, RowError> {
        match self.opt(col)? {
            None => Ok(None),
            Some(s) => self.reference(col, s, parse, known, what).map(Some),
        }
    }

    fn req_ref<T>(
        &self,
        col: usize,
        parse: fn(&str) -> Result<T, ValueError>,
        known: &IdSet,
        what: &str,
    ) -> Result<T, RowError> {
        let s = self.req(col)?;
        self.reference(col, s, parse, known, what)
    }

    fn reference<T>(
        &self,
        col: usize,
        s: &str,
        parse: fn(&str) -> Result<T, ValueError>,
        known: &IdSet,
        what: &str,
    ) -> Result<T, RowError> {
        if !known.contains(s) {
            return Err(RowError {
                refers_to: known.file(),
                ..err(
                    Problem::UnknownReference,
                    format!("column `{}`: no {what} `{s}` is known", self.name(col)),
                )
            });
        }
        parse(s).map_err(|e| {
            err(
                Problem::BadValue,
                format!("column `{}`: {e}", self.name(col)),
            )
        })
    }

    fn text(&self, col: usize) -> Result<Option<Text>, RowError> {
        self.opt(col)?
            .map(|s| {
                Text::parse(s).map_err(|e| {
                    err(
                        Problem::BadValue,
                        format!("column `{}`: {e}", self.name(col)),
                    )
                })
            })
            .transpose()
    }

    fn req_text(&self, col: usize) -> Result<Text, RowError> {
        let s = self.req(col)?;
        Text::parse(s).map_err(|e| {
            err(
                Problem::BadValue,
                format!("column `{}`: {e}", self.name(col)),
            )
        })
    }

    fn word<T>(
        &self,
        col: usize,
        parse: fn(&str) -> Option<T>,
        words: &[&str],
    ) -> Result<Option<T>, RowError> {
        match self.opt(col)? {
            None => Ok(None),
            Some(s) => parse(s).map(Some).ok_or_else(|| {
                err(
                    Problem::UnknownEnum,
                    format!(
                        "column `{}`: `{s}` is not one of {}",
                        self.name(col),
                        words.join(", ")
                    ),
                )
            }),
        }
    }

    fn req_word<T>(
        &self,
        col: usize,
        parse: fn(&str) -> Option<T>,
        words: &[&str],
    ) -> Result<T, RowError> {
        self.req(col)?;
        Ok(self
            .word(col, parse, words)?
            .expect("a required field is present"))
    }

    fn time(&self, col: usize) -> Result<Option<Timestamp>, RowError> {
        self.opt(col)?
            .map(|s| {
                Timestamp::parse(s).map_err(|e| {
                    err(
                        Problem::BadTimestamp,
                        format!("column `{}`: {e}", self.name(col)),
                    )
                })
            })
            .transpose()
    }

    fn req_time(&self, col: usize) -> Result<Timestamp, RowError> {
        self.req(col)?;
        Ok(self.time(col)?.expect("a required field is present"))
    }

    fn int(&self, col: usize) -> Result<Option<i64>, RowError> {
        self.opt(col)?
            .map(|s| {
                s.parse::<i64>().ok().filter(|n| *n >= 0).ok_or_else(|| {
                    err(
                        Problem::BadNumber,
                        format!(
                            "column `{}`: `{s}` is not a whole number ≥ 0",
                            self.name(col)
                        ),
                    )
                })
            })
            .transpose()
    }

    fn req_u32(&self, col: usize) -> Result<u32, RowError> {
        let s = self.req(col)?;
        s.parse::<u32>().map_err(|_| {
            err(
                Problem::BadNumber,
                format!(
                    "column `{}`: `{s}` is not a whole number ≥ 0",
                    self.name(col)
                ),
            )
        })
    }

    /// Money ≥ 0 (`positive`: > 0).
    fn money(&self, col: usize, positive: bool) -> Result<Option<Money>, RowError> {
        let Some(s) = self.opt(col)? else {
            return Ok(None);
        };
        let m = Money::parse(s).map_err(|e| {
            err(
                Problem::BadNumber,
                format!("column `{}`: {e}", self.name(col)),
            )
        })?;
        if m.cents() < 0 || (positive && m.cents() == 0) {
            let bound = if positive {
                "greater than 0"
            } else {
                "0 or more"
            };
            return Err(err(
                Problem::NegativeAmount,
                format!("column `{}`: {s} must be {bound}", self.name(col)),
            ));
        }
        Ok(Some(m))
    }

    fn req_money(&self, col: usize, positive: bool) -> Result<Money, RowError> {
        self.req(col)?;
        Ok(self
            .money(col, positive)?
            .expect("a required field is present"))
    }
}

/// Parses one data row of `kind` into its events (one, or two for a closed
/// opportunity), checking references against `known`.
pub fn parse_row(
    kind: FileKind,
    row: &Row<'_>,
    known: &Known,
    out: &mut Vec<Event>,
) -> Result<(), RowError> {
    match kind {
        FileKind::Reps => out.push(Event::RepRecorded(Rep {
            id: row.id(0, RepId::parse)?,
            name: row.req_text(1)?,
            email: email(row, 2)?,
            team: row.req_word(3, Team::parse, Team::WORDS)?,
            region: row.req_word(4, Region::parse, Region::WORDS)?,
            vertical: row.word(5, Industry::parse, Industry::WORDS)?,
            manager: row.opt_ref(6, RepId::parse, &known.reps, "rep")?,
            capacity_per_day: row.req_u32(7)?,
            hired_at: row.req_time(8)?,
        })),
        FileKind::Accounts => out.push(Event::AccountRecorded(Account {
            id: row.id(0, AccountId::parse)?,
            name: row.req_text(1)?,
            domain: {
                let s = row.req(2)?;
                Domain::parse(s)
                    .map_err(|e| err(Problem::BadValue, format!("column `domain`: {e}")))?
            },
            industry: row.req_word(3, Industry::parse, Industry::WORDS)?,
            employees: row.int(4)?,
            annual_revenue: row.money(5, false)?,
            country: country(row, 6)?,
            region: row.req_word(7, Region::parse, Region::WORDS)?,
            tier: row.req_word(8, Tier::parse, Tier::WORDS)?,
            owner_rep: row.opt_ref(9, RepId::parse, &known.reps, "rep")?,
            created_at: row.req_time(10)?,
        })),
        FileKind::Campaigns => {
            let started_at = row.req_time(3)?;
            out.push(Event::CampaignRecorded(Campaign {
                id: row.id(0, CampaignId::parse)?,
                name: row.req_text(1)?,
                channel: row.req_word(2, Channel::parse, Channel::WORDS)?,
                started_at,
                ended_at: row.time(4)?,
                cost: row.req_money(5, false)?,
            }))
        }
        FileKind::Content => out.push(Event::ContentPublished(Content {
            id: row.id(0, ContentId::parse)?,
            title: row.req_text(1)?,
            kind: row.req_word(2, ContentKind::parse, ContentKind::WORDS)?,
            persona: row.req_word(3, Persona::parse, Persona::WORDS)?.into(),
            journey_stage: row.req_word(4, JourneyStage::parse, JourneyStage::WORDS)?,
            published_at: row.req_time(5)?,
            owner_team: row.req_word(6, OwnerTeam::parse, OwnerTeam::WORDS)?,
        })),
        FileKind::Leads => out.push(Event::LeadCreated(Lead {
            id: row.id(0, LeadId::parse)?,
            email: email(row, 1)?,
            full_name: row.text(2)?,
            title: row.text(3)?,
            seniority: row.req_word(4, Seniority::parse, Seniority::WORDS)?,
            persona: row
                .word(5, Persona::parse, Persona::WORDS)?
                .map(Named::Core),
            company_name: row.text(6)?,
            website: row.text(7)?,
            employees_reported: row.int(8)?,
            industry_reported: row.word(9, Industry::parse, Industry::WORDS)?,
            country: country(row, 10)?,
            region: row.req_word(11, Region::parse, Region::WORDS)?,
            source_channel: row.req_word(12, Channel::parse, Channel::WORDS)?,
            source_campaign: row.opt_ref(13, CampaignId::parse, &known.campaigns, "campaign")?,
            created_at: row.req_time(14)?,
            account: row.opt_ref(15, AccountId::parse, &known.accounts, "account")?,
        })),
        FileKind::Touches => {
            let id = row.id(0, TouchId::parse)?;
            let lead = row.req_ref(1, LeadId::parse, &known.leads, "lead")?;
            let occurred_at = row.req_time(2)?;
            let kind = row.req_word(3, TouchKind::parse, TouchKind::WORDS)?;
            let channel = row.word(4, Channel::parse, Channel::WORDS)?;
            let campaign = row.opt_ref(5, CampaignId::parse, &known.campaigns, "campaign")?;
            let content = row.opt_ref(6, ContentId::parse, &known.content, "content asset")?;
            let rep = row.opt_ref(7, RepId::parse, &known.reps, "rep")?;
            if kind.is_sales() && rep.is_none() {
                return Err(err(
                    Problem::MissingRequired,
                    format!("column `rep_id` is required for a sales touch ({kind})"),
                ));
            }
            if !kind.is_sales() && channel.is_none() {
                return Err(err(
                    Problem::MissingRequired,
                    format!("column `channel` is required for a marketing touch ({kind})"),
                ));
            }
            out.push(Event::Touched(Touch {
                id,
                lead,
                occurred_at,
                kind,
                channel,
                campaign,
                content,
                rep,
            }))
        }
        FileKind::Transitions => out.push(Event::StageChanged(Transition {
            id: row.outside_id(0, TransitionId::parse)?,
            lead: row.req_ref(1, LeadId::parse, &known.leads, "lead")?,
            from: row.req_word(2, Stage::parse, Stage::WORDS)?.into(),
            to: row.req_word(3, Stage::parse, Stage::WORDS)?.into(),
            occurred_at: row.req_time(4)?,
            rep: row.opt_ref(5, RepId::parse, &known.reps, "rep")?,
            reason: row
                .word(6, RejectionReason::parse, RejectionReason::WORDS)?
                .map(Named::Core),
        })),
        FileKind::Opportunities => {
            let id = row.id(0, OpportunityId::parse)?;
            let account = row.req_ref(1, AccountId::parse, &known.accounts, "account")?;
            let primary_lead = row.opt_ref(2, LeadId::parse, &known.leads, "lead")?;
            let owner_rep = row.req_ref(3, RepId::parse, &known.reps, "rep")?;
            let kind = row.req_word(4, OpportunityKind::parse, OpportunityKind::WORDS)?;
            let created_at = row.req_time(5)?;
            let stage = row.req_word(6, OpportunityStage::parse, OpportunityStage::WORDS)?;
            let closed_at = row.time(7)?;
            let amount = row.req_money(8, true)?;
            let lost_reason = row.text(9)?;
            let closed = match (stage, closed_at) {
                (OpportunityStage::Open, None) => None,
                (OpportunityStage::Open, Some(_)) => {
                    return Err(err(
                        Problem::BadValue,
                        "column `closed_at` must be empty while `stage` is open".into(),
                    ))
                }
                (_, None) => {
                    return Err(err(
                        Problem::MissingRequired,
                        format!("column `closed_at` is required when `stage` is {stage}"),
                    ))
                }
                (_, Some(at)) if at < created_at => {
                    return Err(err(
                        Problem::ClosedBeforeCreated,
                        format!("column `closed_at`: {at} is before `created_at` {created_at}"),
                    ))
                }
                (won, Some(at)) => Some(OpportunityClosed {
                    id: id.clone(),
                    won: if won == OpportunityStage::Won {
                        WonOrLost::Won
                    } else {
                        WonOrLost::Lost
                    },
                    closed_at: at,
                    lost_reason,
                }),
            };
            out.push(Event::OpportunityCreated(Opportunity {
                id,
                account,
                primary_lead,
                owner_rep,
                kind,
                created_at,
                amount,
            }));
            if let Some(closed) = closed {
                out.push(Event::OpportunityClosed(closed));
            }
        }
        FileKind::Targets => {
            let region = row.req_word(0, Region::parse, Region::WORDS)?;
            let month_text = row.req(1)?;
            let month = Month::parse(month_text)
                .map_err(|e| err(Problem::BadTimestamp, format!("column `month`: {e}")))?;
            out.push(Event::TargetSet(Target {
                region,
                month,
                mql_target: row.req_u32(2)?,
            }))
        }
    }
    Ok(())
}

fn email(row: &Row<'_>, col: usize) -> Result<Email, RowError> {
    let s = row.req(col)?;
    Email::parse(s).map_err(|e| {
        err(
            Problem::BadEmail,
            format!("column `{}`: {e}", row.name(col)),
        )
    })
}

fn country(row: &Row<'_>, col: usize) -> Result<Country, RowError> {
    let s = row.req(col)?;
    Country::parse(s).map_err(|e| {
        err(
            Problem::BadValue,
            format!("column `{}`: {e}", row.name(col)),
        )
    })
}

/// The ids of the reps in `path` whose rows are valid, where a row may name a
/// manager further down the file (CRM exports are not sorted managers first).
/// Starts from every id in the file and drops, until nothing changes, the rows
/// that do not parse when only the remaining ids (and `stored`) are known — so
/// a rep whose manager's row is bad is not valid either.
pub fn valid_reps(path: &std::path::Path, stored: &IdSet) -> Result<IdSet, csv::Error> {
    let mut reader = csv::ReaderBuilder::new()
        .has_headers(true)
        .flexible(true)
        .from_path(path)?;
    let columns = FileKind::Reps.columns();
    let mut rows = Vec::new();
    for record in reader.records() {
        match record {
            Ok(r) if r.len() == columns.len() => rows.push(r),
            // Bad rows are reported by the main pass; here they are simply not valid.
            _ => {}
        }
    }
    let mut candidates: Vec<&StringRecord> = rows.iter().collect();
    loop {
        let mut known = Known {
            reps: stored.clone(),
            ..Known::default()
        };
        for r in &candidates {
            known.reps.insert(&r[0]);
        }
        let mut events = Vec::new();
        let before = candidates.len();
        candidates.retain(|record| {
            events.clear();
            parse_row(
                FileKind::Reps,
                &Row { record, columns },
                &known,
                &mut events,
            )
            .is_ok()
        });
        if candidates.len() == before {
            let mut valid = stored.clone();
            for r in &candidates {
                valid.insert(&r[0]);
            }
            return Ok(valid);
        }
    }
}

/// Remembers an accepted record's id so later rows may reference it.
pub fn remember(event: &Event, known: &mut Known) {
    let (set, id) = match event {
        Event::RepRecorded(e) => (&mut known.reps, e.id.as_str()),
        Event::AccountRecorded(e) => (&mut known.accounts, e.id.as_str()),
        Event::CampaignRecorded(e) => (&mut known.campaigns, e.id.as_str()),
        Event::ContentPublished(e) => (&mut known.content, e.id.as_str()),
        Event::LeadCreated(e) => (&mut known.leads, e.id.as_str()),
        _ => return,
    };
    set.insert(id);
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_problem_is_listed_once() {
        let names: std::collections::BTreeSet<&str> =
            Problem::ALL.iter().map(|p| p.as_str()).collect();
        assert_eq!(names.len(), Problem::ALL.len());
        // A new variant must be added to ALL: as_str's match is exhaustive,
        // and this count is the number of its arms.
        assert_eq!(Problem::ALL.len(), 17);
    }

    #[test]
    fn an_id_set_holds_every_shape() {
        let mut set = IdSet::new(EventKind::LeadCreated);
        for id in ["L0000001", "L1", "X99", "L999999999999", "lead-42", "12"] {
            assert!(!set.contains(id), "{id}");
            set.insert(id);
            assert!(set.contains(id), "{id}");
        }
        for absent in [
            "L0000002",
            "L01",
            "L2",
            "X9",
            "lead-43",
            "L99999999999",
            "012",
        ] {
            assert!(!set.contains(absent), "{absent}");
        }
    }
}
