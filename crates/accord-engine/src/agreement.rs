//! Agreement versions as events. Adopting an agreement stores its whole text
//! and digest in the log (`Event::AgreementAdopted`, origin `Person`), as the
//! next version: from then on, events that arrive live are judged by it.
//! Imported history is never re-judged. The version in force is the latest
//! adopted; versions count up from 1, and adopting the text already in force
//! stores nothing.

use accord_core::agreement;
use accord_core::domain::{Document, Text, Timestamp};
use accord_core::event::{Adoption, Batch, Event, EventKind, Origin};
use accord_store::{AppendTx, EventStore, StoreError};
use sha2::{Digest, Sha256};

use crate::{AgreementText, Error, InvalidAgreement};

/// The longest name `--by` takes, in characters.
pub const MAX_BY_CHARS: usize = 100;

/// What `adopt` did.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Adopted {
    pub version: u32,
    /// SHA-256 of the text, lower-case hex.
    pub digest: String,
    /// The same text was already in force as `version`: nothing was stored.
    pub already_in_force: bool,
}

/// One adopted version, as `accord agreement log` lists it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Version {
    pub number: u32,
    pub digest: String,
    pub adopted_at: Timestamp,
    pub by: Option<String>,
    /// The agreement's `name` and `effective` date, read from its text
    /// (`None` when this build no longer reads the stored text).
    pub name: Option<String>,
    pub effective: Option<String>,
}

/// SHA-256 of `bytes`, in lower-case hex.
pub fn sha256_hex(bytes: &[u8]) -> String {
    Sha256::digest(bytes)
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

/// Adopts `text` as the next version, unless it is the one in force. The
/// text must be a valid agreement (refused with its diagnostics otherwise,
/// nothing stored); `by` says who adopts it; `now` is the adoption time.
pub fn adopt<S: EventStore>(
    store: &mut S,
    text: &AgreementText,
    by: Option<&str>,
    now: Timestamp,
) -> Result<Adopted, Error> {
    agreement::parse_bytes(&text.source, &text.shown).map_err(|diagnostics| InvalidAgreement {
        shown: text.shown.clone(),
        diagnostics,
    })?;
    let by = by.map(person).transpose()?;
    let digest = sha256_hex(&text.source);
    let current = latest(store)?;
    if let Some(current) = &current {
        if current.digest.as_str() == digest {
            return Ok(Adopted {
                version: current.version,
                digest,
                already_in_force: true,
            });
        }
    }
    let version = current.map_or(1, |c| c.version + 1);
    // Valid agreements are UTF-8 (the reader refuses anything else) and at
    // most the size of a document.
    let source = std::str::from_utf8(&text.source).expect("a valid agreement is UTF-8");
    let event = Event::AgreementAdopted(Adoption {
        version,
        digest: Text::parse(&digest).expect("64 hex digits"),
        text: Document::parse(source).expect("an agreement fits a document"),
        adopted_at: now,
        by: by.clone(),
    });
    if !append_alone(store, &event, by)? {
        // Another process adopted this version since `latest` read the log.
        return Err(Error::AdoptionRaced { version });
    }
    Ok(Adopted {
        version,
        digest,
        already_in_force: false,
    })
}

/// A name given with `--by`: 1 to [`MAX_BY_CHARS`] characters, no control characters.
/// Appends a person's `event` in a transaction of its own: false, and
/// nothing stored, when its key was taken meanwhile (another process
/// adopted the same number since the caller read the log). Agreement and
/// model adoption both store this way.
pub(crate) fn append_alone<S: EventStore>(
    store: &mut S,
    event: &Event,
    by: Option<Text>,
) -> Result<bool, StoreError> {
    let mut batch = Batch::default();
    batch.push_from(event, &Origin::Person { by });
    let mut tx = store.begin()?;
    if tx.append(&batch)?.appended != 1 {
        return Ok(false);
    }
    tx.commit()?;
    Ok(true)
}

fn person(by: &str) -> Result<Text, Error> {
    let by = by.trim();
    let chars = by.chars().count();
    if chars == 0 || chars > MAX_BY_CHARS || by.chars().any(char::is_control) {
        return Err(Error::BadName {
            max: MAX_BY_CHARS,
            got: accord_core::shown::for_terminal(by, 40).0,
        });
    }
    Ok(Text::parse(by).expect("at most 100 characters"))
}

/// The version numbers stored, in order.
fn numbers<S: EventStore>(store: &S) -> Result<Vec<u32>, Error> {
    let ids = store.ids(EventKind::AgreementAdopted)?;
    let mut numbers: Vec<u32> = ids
        .iter()
        .filter_map(|id| id.strip_prefix('V').and_then(|n| n.parse().ok()))
        .collect();
    numbers.sort_unstable();
    Ok(numbers)
}

/// The adoption of version `number`, if stored.
pub fn adoption<S: EventStore>(store: &S, number: u32) -> Result<Option<Adoption>, Error> {
    match store.find(EventKind::AgreementAdopted, &format!("V{number}"))? {
        Some((_, Event::AgreementAdopted(a))) => Ok(Some(a)),
        Some(_) => Err(Error::Store(StoreError::Damaged {
            seq: 0,
            source: accord_core::event::DecodeError::BadValue(format!(
                "agreement version {number} is stored as another kind of event"
            )),
        })),
        None => Ok(None),
    }
}

/// The latest adoption, if any.
fn latest<S: EventStore>(store: &S) -> Result<Option<Adoption>, Error> {
    match numbers(store)?.last() {
        Some(&n) => adoption(store, n),
        None => Ok(None),
    }
}

/// Every adopted version, oldest first.
pub fn versions<S: EventStore>(store: &S) -> Result<Vec<Version>, Error> {
    let mut out = Vec::new();
    for n in numbers(store)? {
        let Some(a) = adoption(store, n)? else {
            continue;
        };
        let parsed = agreement::parse(a.text.as_str(), &format!("agreement v{n}")).ok();
        out.push(Version {
            number: a.version,
            digest: a.digest.as_str().to_owned(),
            adopted_at: a.adopted_at,
            by: a.by.map(|b| b.as_str().to_owned()),
            name: parsed.as_ref().map(|p| p.name.clone()),
            effective: parsed.map(|p| p.effective),
        });
    }
    Ok(out)
}

/// The agreement in force (the latest adopted) and its version, if any was adopted.
pub fn in_force<S: EventStore>(store: &S) -> Result<Option<(u32, AgreementText)>, Error> {
    Ok(latest(store)?.map(|a| (a.version, stored_text(&a))))
}

/// The stored text of an adoption, shown as `agreement vN`.
pub fn stored_text(a: &Adoption) -> AgreementText {
    AgreementText::new(
        a.text.as_str().as_bytes().to_vec(),
        format!("agreement v{}", a.version),
    )
}

#[cfg(test)]
mod tests;
