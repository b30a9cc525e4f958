//! A subscription checked and stored, its secret made here.

use accord_store::hooks::NewSubscription;
use accord_store::hooks::Subscription;
use accord_store::{HookStore, StoreError};

use crate::kind::Kind;
use crate::payload::Format;
use crate::sign::new_secret;

/// The longest URL accepted.
pub const MAX_URL: usize = 2_048;

/// Why a subscription was refused, naming the part.
#[derive(Debug, thiserror::Error)]
pub enum SubscribeError {
    #[error("the URL `{url}` {why}")]
    BadUrl { url: String, why: &'static str },
    #[error("no events given: name one or more of {}", Kind::names())]
    NoEvents,
    #[error(
        "event {position}, `{name}`, is not a webhook event: one of {}",
        Kind::names()
    )]
    UnknownEvent { position: usize, name: String },
    #[error("`{0}` is not a payload format: json or slack")]
    UnknownFormat(String),
    #[error("no random secret could be made: {0}")]
    Random(getrandom::Error),
    #[error(transparent)]
    Store(#[from] StoreError),
}

fn check_url(url: &str) -> Result<(), &'static str> {
    if url.len() > MAX_URL {
        return Err("is longer than 2,048 bytes");
    }
    if url.chars().any(|c| c.is_whitespace() || c.is_control()) {
        return Err("holds a space or a control character");
    }
    let rest = url
        .strip_prefix("https://")
        .or_else(|| url.strip_prefix("http://"))
        .ok_or("does not start with http:// or https://")?;
    let host = rest.split(['/', '?', '#']).next().unwrap_or("");
    if host.is_empty() || host.contains('@') {
        return Err("has no host (or holds credentials, which are not accepted)");
    }
    check_port(host)
}

/// The authority's port, when it names one, is a number from 1 to 65535
/// (`host:` alone would be sent nowhere, and retried for days).
fn check_port(authority: &str) -> Result<(), &'static str> {
    let after_host = match authority.strip_prefix('[') {
        Some(v6) => {
            let (_, after) = v6
                .split_once(']')
                .ok_or("has an unclosed `[` in its host")?;
            after
        }
        None => authority.find(':').map_or("", |i| &authority[i..]),
    };
    let Some(port) = after_host.strip_prefix(':') else {
        return if after_host.is_empty() {
            Ok(())
        } else {
            Err("has something other than a port after its host")
        };
    };
    if authority.starts_with(':') {
        return Err("has no host (or holds credentials, which are not accepted)");
    }
    match port.parse::<u16>() {
        Ok(n) if n > 0 && port.bytes().all(|b| b.is_ascii_digit()) => Ok(()),
        _ => Err("has a port that is not a number from 1 to 65535"),
    }
}

/// The event names of a `--events a,b` list, checked, without repeats.
pub fn parse_events(list: &str) -> Result<Vec<Kind>, SubscribeError> {
    let mut kinds = Vec::new();
    for (n, name) in list.split(',').map(str::trim).enumerate() {
        if name.is_empty() && list.trim().is_empty() {
            return Err(SubscribeError::NoEvents);
        }
        let kind = Kind::from_name(name).ok_or_else(|| SubscribeError::UnknownEvent {
            position: n + 1,
            name: accord_core::shown::for_terminal(name, 40).0,
        })?;
        if !kinds.contains(&kind) {
            kinds.push(kind);
        }
    }
    if kinds.is_empty() {
        return Err(SubscribeError::NoEvents);
    }
    Ok(kinds)
}

/// Stores a subscription to `kinds` at `url` in `format`, starting at the
/// log's head (history is not replayed to it), with a new secret (in the
/// returned subscription: shown once to whoever subscribed).
pub fn subscribe<S: HookStore>(
    store: &mut S,
    url: &str,
    kinds: &[Kind],
    format: &str,
    now: i64,
) -> Result<Subscription, SubscribeError> {
    check_url(url).map_err(|why| SubscribeError::BadUrl {
        url: accord_core::shown::for_terminal(url, 80).0,
        why,
    })?;
    if kinds.is_empty() {
        return Err(SubscribeError::NoEvents);
    }
    let format = Format::from_name(format).ok_or_else(|| {
        SubscribeError::UnknownFormat(accord_core::shown::for_terminal(format, 20).0)
    })?;
    let secret = new_secret().map_err(SubscribeError::Random)?;
    let events: Vec<String> = kinds.iter().map(|k| k.as_str().to_string()).collect();
    Ok(store.create_subscription(&NewSubscription {
        url,
        events: &events,
        format: format.as_str(),
        secret: &secret,
        created_at: now,
    })?)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn urls_and_events_are_checked() {
        assert!(check_url("http://127.0.0.1:8080/hook").is_ok());
        assert!(check_url("https://hooks.slack.com/services/T/B/X").is_ok());
        assert_eq!(
            check_url("ftp://x"),
            Err("does not start with http:// or https://")
        );
        assert!(check_url("http:///x").is_err());
        let port = Err("has a port that is not a number from 1 to 65535");
        assert_eq!(check_url("http://127.0.0.1:/hook"), port);
        assert_eq!(check_url("http://127.0.0.1:0/hook"), port);
        assert_eq!(check_url("http://127.0.0.1:65536/"), port);
        assert_eq!(check_url("http://x:+80/"), port);
        assert_eq!(check_url("http://x:8o/"), port);
        assert!(check_url("https://example.com:65535/").is_ok());
        assert!(check_url("http://[::1]:8080/hook").is_ok());
        assert!(check_url("http://[::1]/hook").is_ok());
        assert_eq!(check_url("http://[::1]:/"), port);
        assert!(check_url("http://[::1/").is_err());
        assert!(check_url("http://:80/").is_err());
        assert!(check_url("http://u:p@x/").is_err());
        assert!(check_url("http://x/a b").is_err());
        assert_eq!(
            parse_events("lead.mql, sla.breached,lead.mql").unwrap(),
            vec![Kind::LeadMql, Kind::SlaBreached]
        );
        match parse_events("lead.mql,lead.won") {
            Err(SubscribeError::UnknownEvent { position: 2, name }) => assert_eq!(name, "lead.won"),
            other => panic!("{other:?}"),
        }
        assert!(matches!(parse_events(""), Err(SubscribeError::NoEvents)));
    }
}
