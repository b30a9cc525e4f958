use super::*;
use accord_store::SqliteStore;

fn at(s: &str) -> Timestamp {
    Timestamp::parse(s).unwrap()
}

fn default_text() -> AgreementText {
    AgreementText::default_agreement()
}

/// The default agreement with one more comment line: another text, as valid.
fn changed_text() -> AgreementText {
    let mut source = default_text().source;
    source.extend_from_slice(b"\n# changed\n");
    AgreementText::new(source, "changed.toml")
}

#[test]
fn sha256_is_the_standard_one() {
    // FIPS 180-2's example.
    assert_eq!(
        sha256_hex(b"abc"),
        "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
    );
}

#[test]
fn the_same_text_twice_is_one_version_and_a_change_is_the_next() {
    let mut store = SqliteStore::open_in_memory().unwrap();
    assert_eq!(in_force(&store).unwrap(), None);
    assert!(versions(&store).unwrap().is_empty());

    let first = adopt(
        &mut store,
        &default_text(),
        Some("Ann"),
        at("2026-01-05T09:00:00Z"),
    )
    .unwrap();
    assert_eq!(first.version, 1);
    assert!(!first.already_in_force);
    assert_eq!(first.digest.len(), 64);
    assert_eq!(store.head().unwrap(), 1);

    let again = adopt(
        &mut store,
        &default_text(),
        None,
        at("2026-01-06T09:00:00Z"),
    )
    .unwrap();
    assert_eq!(
        again,
        Adopted {
            already_in_force: true,
            ..first.clone()
        }
    );
    assert_eq!(store.head().unwrap(), 1, "nothing stored");

    let second = adopt(
        &mut store,
        &changed_text(),
        None,
        at("2026-02-01T00:00:00Z"),
    )
    .unwrap();
    assert_eq!((second.version, second.already_in_force), (2, false));
    assert_ne!(second.digest, first.digest);

    let listed = versions(&store).unwrap();
    assert_eq!(listed.len(), 2);
    assert_eq!(listed[0].number, 1);
    assert_eq!(listed[0].digest, first.digest);
    assert_eq!(listed[0].adopted_at, at("2026-01-05T09:00:00Z"));
    assert_eq!(listed[0].by.as_deref(), Some("Ann"));
    assert_eq!(listed[1].number, 2);
    assert_eq!(listed[1].by, None);
    assert_eq!(listed[1].adopted_at, at("2026-02-01T00:00:00Z"));
    let (n, text) = in_force(&store).unwrap().unwrap();
    assert_eq!(n, 2);
    assert_eq!(text.source, changed_text().source);
    assert_eq!(text.shown, "agreement v2");

    // Back to the first text: a third version, not a return to v1.
    let third = adopt(
        &mut store,
        &default_text(),
        None,
        at("2026-03-01T00:00:00Z"),
    )
    .unwrap();
    assert_eq!((third.version, third.digest), (3, first.digest));
}

#[test]
fn an_adoption_is_a_persons_action_keyed_by_its_version() {
    let mut store = SqliteStore::open_in_memory().unwrap();
    adopt(
        &mut store,
        &default_text(),
        Some("  Ann Lee "),
        at("2026-01-05T09:00:00Z"),
    )
    .unwrap();
    let (origin, event) = store
        .find(EventKind::AgreementAdopted, "V1")
        .unwrap()
        .unwrap();
    assert_eq!(
        origin,
        Origin::Person {
            by: Some(Text::parse("Ann Lee").unwrap())
        }
    );
    let Event::AgreementAdopted(a) = event else {
        panic!("{event:?}")
    };
    assert_eq!(a.text.as_str().as_bytes(), &default_text().source[..]);
    assert_eq!(a.by.unwrap().as_str(), "Ann Lee");
}

#[test]
fn an_invalid_text_or_name_is_refused_and_nothing_stored() {
    let mut store = SqliteStore::open_in_memory().unwrap();
    let bad = AgreementText::new(b"[sla\n".to_vec(), "bad.toml");
    let err = adopt(&mut store, &bad, None, at("2026-01-05T09:00:00Z")).unwrap_err();
    assert!(matches!(err, Error::Agreement(_)), "{err:?}");
    assert!(
        err.to_string()
            .starts_with("bad.toml is not a valid agreement"),
        "{err}"
    );
    for by in ["", "   ", "a\u{1b}b", "x".repeat(101).as_str()] {
        let err = adopt(
            &mut store,
            &default_text(),
            Some(by),
            at("2026-01-05T09:00:00Z"),
        )
        .unwrap_err();
        assert!(
            matches!(err, Error::BadName { max: 100, .. }),
            "{by:?}: {err:?}"
        );
    }
    assert_eq!(store.head().unwrap(), 0);
    // 100 characters (not bytes) is a name.
    adopt(
        &mut store,
        &default_text(),
        Some(&"é".repeat(100)),
        at("2026-01-05T09:00:00Z"),
    )
    .unwrap();
}

#[test]
fn the_name_and_date_are_read_from_the_text() {
    let mut store = SqliteStore::open_in_memory().unwrap();
    adopt(
        &mut store,
        &default_text(),
        None,
        at("2026-01-05T09:00:00Z"),
    )
    .unwrap();
    let v = &versions(&store).unwrap()[0];
    // As default.toml says.
    assert_eq!(v.name.as_deref(), Some("Marketing and sales agreement"));
    assert_eq!(v.effective.as_deref(), Some("2025-04-01"));
}

#[test]
fn versions_past_nine_are_in_number_order() {
    let mut store = SqliteStore::open_in_memory().unwrap();
    for i in 0..11 {
        let mut source = default_text().source;
        source.extend_from_slice(format!("\n# {i}\n").as_bytes());
        adopt(
            &mut store,
            &AgreementText::new(source, "a.toml"),
            None,
            at("2026-01-05T09:00:00Z"),
        )
        .unwrap();
    }
    let numbers: Vec<u32> = versions(&store).unwrap().iter().map(|v| v.number).collect();
    assert_eq!(numbers, (1..=11).collect::<Vec<_>>());
    assert_eq!(in_force(&store).unwrap().unwrap().0, 11);
}
