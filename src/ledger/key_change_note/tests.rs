//! Key-change notes: the format, every refusal, and recording on a real database (a damaged
//! log included). Test-only: the parent module declares it under #[cfg(test)].

use serde_json::Map;

use super::*;
use crate::crypto::Key32;
use crate::ledger::{Action, NewEvent, events, verify};

const STATION: &str = "0123456789abcdef";
const NAME: &str = "strongroom/0123456789abcdef";
const NOW: &str = "2026-11-23T12:00:00.000Z";

fn key(seed: u8) -> SignKey {
    SignKey::from_seed(&Key32::from_bytes([seed; 32]))
}

fn verifier(seed: u8) -> Verifier {
    Verifier::new(NAME, key(seed).public()).unwrap()
}

fn root() -> Hash {
    std::array::from_fn(|i| i as u8)
}

#[test]
fn a_note_states_the_change_and_opens_with_the_old_key() {
    let text = sign(STATION, 0, &key(1), &key(2), 1024, &root()).unwrap();
    let (body, signatures) = note::parse(&text).unwrap();
    let lines: Vec<&str> = body.lines().collect();
    assert_eq!(lines[0], FORMAT);
    assert_eq!(lines[1], NAME);
    assert_eq!(lines[2], verifier(1).encode());
    assert_eq!(lines[3], verifier(2).encode());
    assert_eq!(lines[4], "1024");
    assert_eq!(lines[5], base64::encode(&root()));
    assert_eq!(signatures.len(), 2);
    assert!(signatures.iter().all(|s| s.name == NAME));

    let change = open(&text, &verifier(1)).unwrap();
    assert_eq!(change.new, verifier(2));
    assert_eq!((change.epoch, change.tree_size, change.root), (0, 1024, root()));
    assert_eq!(change.origin, NAME);
    assert_eq!(change.text(), body);
    assert!(matches!(
        open(&text, &verifier(3)),
        Err(KeyChangeError::OtherKey { .. })
    ));

    let later = parse(&sign(STATION, 3, &key(1), &key(2), 7, &root()).unwrap()).unwrap();
    assert_eq!(
        (later.origin.as_str(), later.epoch),
        ("strongroom/0123456789abcdef/e3", 3)
    );
}

#[test]
fn both_signatures_are_required_in_their_order() {
    let text = sign(STATION, 0, &key(1), &key(2), 10, &root()).unwrap();
    let (body, _) = note::parse(&text).unwrap();
    let unsigned = |role: &str, result: Result<KeyChange, KeyChangeError>| {
        assert!(
            matches!(&result, Err(KeyChangeError::Unsigned { role: r, .. }) if *r == role),
            "{result:?}"
        );
    };
    unsigned("new", parse(&note::sign(body, NAME, &key(1)).unwrap()));
    unsigned("old", parse(&note::sign(body, NAME, &key(2)).unwrap()));
    unsigned("old", parse(&note::sign_many(body, NAME, &[&key(2), &key(1)]).unwrap()));
    // An impostor's second signature in place of the new key's.
    unsigned("new", parse(&note::sign_many(body, NAME, &[&key(1), &key(9)]).unwrap()));
    assert!(matches!(
        parse(&note::sign_many(body, NAME, &[&key(1), &key(2), &key(3)]).unwrap()),
        Err(KeyChangeError::Malformed(_))
    ));
    // Any edit to the text breaks the old key's signature first.
    let edited = text.replacen("\n10\n", "\n11\n", 1);
    unsigned("old", parse(&edited));
}

#[test]
fn malformed_texts_are_refused() {
    let signed = |body: &str| note::sign_many(body, NAME, &[&key(1), &key(2)]).unwrap();
    let good = KeyChange {
        origin: NAME.into(),
        epoch: 0,
        old: verifier(1),
        new: verifier(2),
        tree_size: 10,
        root: root(),
    }
    .text();
    assert!(parse(&signed(&good)).is_ok());
    let cases = [
        good.replacen(FORMAT, "strongroom/key-change/v2", 1),
        good.replacen(NAME, "strongroom/fedcba9876543210", 1),
        good.replacen(&format!("{NAME}\n"), &format!("{NAME}/e0\n"), 1),
        good.replacen(&format!("{NAME}\n"), &format!("{NAME}/e01\n"), 1),
        good.replacen("\n10\n", "\n010\n", 1),
        good.replacen("\n10\n", "\n-1\n", 1),
        good.replacen(&base64::encode(&root()), "AAAA", 1),
        good.replacen(&verifier(1).encode(), &format!(" {}", verifier(1).encode()), 1),
        good.replacen(&verifier(2).encode(), &verifier(1).encode(), 1),
        format!("{good}extension\n"),
        good.lines().take(5).map(|l| format!("{l}\n")).collect(),
    ];
    for body in cases {
        let result = parse(&signed(&body));
        assert!(result.is_err(), "accepted: {body}");
    }
    let renamed = Verifier::new("strongroom/fedcba9876543210", key(2).public()).unwrap();
    let mixed = good.replacen(&verifier(2).encode(), &renamed.encode(), 1);
    assert!(parse(&signed(&mixed)).is_err());
    assert!(sign(STATION, 0, &key(1), &key(1), 10, &root()).is_err());
    assert!(parse("not a note").is_err());
}

/// A fresh database with `n` events.
fn database(n: u32) -> (tempfile::TempDir, rusqlite::Connection) {
    let dir = tempfile::tempdir().unwrap();
    let mut conn = crate::db::open(&dir.path().join("k.db"), true).unwrap();
    append(&mut conn, n);
    (dir, conn)
}

fn append(conn: &mut rusqlite::Connection, n: u32) {
    crate::db::write(conn, |tx| {
        for _ in 0..n {
            let event = NewEvent {
                actor: "alice".into(),
                action: Action::AuthLogin,
                subject: "alice".into(),
                level: None,
                item: None,
                details: Map::new(),
            };
            events::append(
                tx,
                time::OffsetDateTime::from_unix_timestamp(1_800_000_000).unwrap(),
                &event,
                None,
            )?;
        }
        Ok(())
    })
    .unwrap();
}

fn write_checkpoint(conn: &mut rusqlite::Connection, seed: u8) -> Result<Option<u64>> {
    crate::db::write(conn, |tx| checkpoint::write(tx, STATION, &key(seed), "test", NOW))
}

fn record_change(conn: &mut rusqlite::Connection, old: u8, new: u8) -> Result<KeyChange> {
    crate::db::write(conn, |tx| record(tx, STATION, &key(old), &key(new), NOW))
}

#[test]
fn recording_signs_a_last_old_key_checkpoint_and_the_new_key_carries_on() {
    let (_dir, mut conn) = database(3);
    write_checkpoint(&mut conn, 1).unwrap();
    append(&mut conn, 2);
    let change = record_change(&mut conn, 1, 2).unwrap();
    assert_eq!(change.tree_size, 5, "the old key's last checkpoint covers every event");
    let newest = checkpoint::latest(&conn).unwrap().unwrap();
    assert_eq!((newest.tree_size, newest.root), (5, change.root));
    assert!(note::open(&newest.note, &verifier(1)).is_ok());
    let rows = all(&conn).unwrap();
    assert_eq!(rows.len(), 1);
    assert_eq!((rows[0].epoch, rows[0].tree_size), (0, 5));
    assert_eq!(open(&rows[0].note, &verifier(1)).unwrap(), change);

    // The retired key signs nothing more; the new one takes over from the old key's checkpoint.
    append(&mut conn, 2);
    let refused = write_checkpoint(&mut conn, 1).unwrap_err().to_string();
    assert!(refused.contains("retired key"), "{refused}");
    assert_eq!(write_checkpoint(&mut conn, 2).unwrap(), Some(7));
    let report = verify::verify(&conn, STATION, &verifier(2)).unwrap();
    assert!(report.ok, "{:?}", report.findings);
    assert_eq!(report.verified_size, 7);

    // One successor per key, and a new key must be fresh.
    let twice = record_change(&mut conn, 1, 3).unwrap_err().to_string();
    assert!(twice.contains("one successor"), "{twice}");
    assert!(record_change(&mut conn, 2, 1).is_err());
    assert!(record_change(&mut conn, 2, 2).is_err());
    assert_eq!(all(&conn).unwrap().len(), 1, "nothing stored by a refused change");

    // A second change; the whole chain verifies from the newest key.
    let second = record_change(&mut conn, 2, 3).unwrap();
    assert_eq!(second.tree_size, 7);
    append(&mut conn, 1);
    write_checkpoint(&mut conn, 3).unwrap();
    let report = verify::verify(&conn, STATION, &verifier(3)).unwrap();
    assert!(report.ok, "{:?}", report.findings);
    // From a key the notes retired, the log does not verify.
    let stale = verify::verify(&conn, STATION, &verifier(2)).unwrap();
    assert!(!stale.ok);
    assert_eq!(stale.first_bad.unwrap().problem, verify::Problem::KeyChange);
}

#[test]
fn on_a_damaged_log_the_change_states_the_old_keys_newest_checkpoint() {
    let (_dir, mut conn) = database(4);
    write_checkpoint(&mut conn, 1).unwrap();
    let signed_root = checkpoint::latest(&conn).unwrap().unwrap().root;
    append(&mut conn, 3);
    crate::db::write(&mut conn, |tx| checkpoint::record_damage(tx, 2, "edited", "test", NOW)).unwrap();
    assert!(
        write_checkpoint(&mut conn, 1).is_err(),
        "no checkpoint over a damaged log"
    );
    let change = record_change(&mut conn, 1, 2).unwrap();
    assert_eq!((change.tree_size, change.root), (4, signed_root));
    assert_eq!(checkpoint::all(&conn).unwrap().len(), 1, "no checkpoint was written");

    // A second change before any checkpoint of the new key: the point where it took over.
    let again = record_change(&mut conn, 2, 3).unwrap();
    assert_eq!((again.tree_size, again.root), (4, signed_root));
}

#[test]
fn with_no_checkpoint_in_the_epoch_the_change_states_the_empty_log() {
    let (_dir, mut conn) = database(2);
    crate::db::write(&mut conn, |tx| checkpoint::record_damage(tx, 0, "edited", "test", NOW)).unwrap();
    let change = record_change(&mut conn, 1, 2).unwrap();
    assert_eq!((change.tree_size, change.root), (0, merkle::empty_root()));
}

proptest::proptest! {
    /// A note has one encoding: any change of a byte is refused (never a panic), whether it
    /// lands in the text, a key, the size, the root or a signature.
    #[test]
    fn any_changed_byte_is_refused(index in 0usize..2048, byte in 0u8..=255) {
        let note = sign(STATION, 2, &key(1), &key(2), 77, &root()).unwrap();
        let mut bytes = note.clone().into_bytes();
        let index = index % bytes.len();
        proptest::prop_assume!(bytes[index] != byte);
        bytes[index] = byte;
        if let Ok(text) = String::from_utf8(bytes) {
            proptest::prop_assert!(parse(&text).is_err(), "accepted a changed note: {text}");
        }
    }
}
