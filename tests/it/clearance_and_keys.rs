//! Clearance enforced by code and by cryptography, and key material that an insider edits
//! with SQL being refused.

use std::path::Path;

use strongroom::accounts::Role;
use strongroom::accounts::keyring;
use strongroom::crypto::{LevelKey, Password, wrap};
use strongroom::progress::Progress;
use strongroom::station::ImportOptions;
use strongroom::{Error, Level, Station};

use crate::support::PASSWORD as OFFICER_PW;
use crate::support::accounts::add_ready_user;
use crate::support::station::LibVault;
const OPERATOR_PW: &str = "operator passphrase 1";

#[test]
fn an_operator_sees_imports_and_exports_only_within_clearance() {
    let (fx, mut station) = LibVault::new();
    let low = fx.import(&mut station, "low.txt", Level::Internal);
    let high = fx.import(&mut station, "high.txt", Level::Secret);
    add_ready_user(&mut station, "bob", Role::Operator, Level::Confidential, OPERATOR_PW);
    station.lock();

    station.unlock("bob", &Password::from(OPERATOR_PW)).unwrap();
    let visible: Vec<String> = station
        .list_items()
        .unwrap()
        .into_iter()
        .map(|i| i.control_number.to_string())
        .collect();
    assert_eq!(visible, vec![low.clone()]);
    assert!(matches!(
        station.item(&high),
        Err(Error::Denied { rule: "clearance", .. })
    ));
    let out = fx.files.join("out.txt");
    assert!(matches!(
        station.export(&high, &out, false, "checked by the test", &Progress::new()),
        Err(Error::Denied { rule: "clearance", .. })
    ));
    assert!(!out.exists());
    station
        .export(&low, &out, false, "checked by the test", &Progress::new())
        .unwrap();
    assert_eq!(std::fs::read(&out).unwrap(), b"low.txt");

    let path = fx.files.join("new.txt");
    std::fs::write(&path, b"x").unwrap();
    let plan = station.plan_import(&[path], false).unwrap();
    let options = ImportOptions::at(Level::TopSecret);
    assert!(matches!(
        station.import(plan, &options, &Progress::new()),
        Err(Error::Denied { rule: "clearance", .. })
    ));
    // Operators cannot add users.
    assert!(matches!(
        station.add_user("carol", Role::Operator, Level::Internal, &Password::from(OPERATOR_PW)),
        Err(Error::Denied { rule: "role", .. })
    ));
}

#[test]
fn an_operators_grants_cannot_open_keys_above_clearance() {
    let (fx, mut station) = LibVault::new();
    fx.import(&mut station, "high.txt", Level::Secret);
    add_ready_user(&mut station, "bob", Role::Operator, Level::Confidential, OPERATOR_PW);
    // The AAD used below is the right one: the secret level key (alice's) opens the DEK with it.
    {
        let (aad, wrapped) = secret_dek(&fx.db());
        let LevelKey { key: secret_key, .. } = station.session().unwrap().level_key(Level::Secret).unwrap();
        assert!(wrap::open(&secret_key, &aad, &wrapped).is_ok());
    }
    drop(station);

    // At the crypto layer: open bob's keyslot and every grant row sealed to him.
    let conn = fx.db();
    let bob = strongroom::accounts::users::by_name(&conn, "bob").unwrap().unwrap();
    let slot = keyring::keyslot(&conn, bob.identity).unwrap().unwrap();
    let contents =
        strongroom::crypto::keyslot::open(&Password::from(OPERATOR_PW), bob.identity.as_bytes(), &slot).unwrap();
    let grants = keyring::grants_of(&conn, bob.identity).unwrap();
    let mut levels: Vec<Level> = Vec::new();
    for grant in &grants {
        let key = keyring::open_grant(bob.identity, &contents.identity, grant).unwrap();
        if grant.kind == keyring::KeyKind::Level {
            levels.push(grant.level);
        }
        // Whatever bob can open, none of it unwraps the secret item's DEK.
        let (aad, wrapped) = secret_dek(&conn);
        assert!(wrap::open(&key, &aad, &wrapped).is_err());
    }
    levels.sort();
    assert_eq!(levels, vec![Level::Unclassified, Level::Internal, Level::Confidential]);
    assert!(
        !grants.iter().any(|g| g.kind == keyring::KeyKind::Admin),
        "an operator holds no admin key"
    );

    // Alice's secret-level grant copied to bob by SQL is useless to him.
    let alice = strongroom::accounts::users::by_name(&conn, "alice").unwrap().unwrap();
    conn.execute(
        "INSERT INTO grants (identity_id, key_kind, level, generation, sealed)
         SELECT ?1, key_kind, level, generation, sealed FROM grants WHERE identity_id = ?2 AND key_kind = 0 AND level = 3",
        rusqlite::params![bob.identity.as_bytes().to_vec(), alice.identity.as_bytes().to_vec()],
    )
    .unwrap();
    let forged = keyring::grants_of(&conn, bob.identity)
        .unwrap()
        .into_iter()
        .find(|g| g.level == Level::Secret)
        .unwrap();
    assert!(keyring::open_grant(bob.identity, &contents.identity, &forged).is_err());
    let mut station = Station::open(&fx.root).unwrap();
    station.unlock("bob", &Password::from(OPERATOR_PW)).unwrap();
    assert!(station.list_items().unwrap().is_empty());
}

/// The AAD and wrapped DEK of the one secret item, read as an insider would.
fn secret_dek(conn: &rusqlite::Connection) -> (Vec<u8>, Vec<u8>) {
    let (id, year, serial, generation, wrapped): (Vec<u8>, i32, u32, u32, Vec<u8>) = conn
        .query_row(
            "SELECT id, control_year, control_serial, key_generation, wrapped_dek FROM items WHERE level = 3",
            [],
            |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?, r.get(4)?)),
        )
        .unwrap();
    let control = strongroom::ControlNumber { year, serial };
    let item = strongroom::ItemId::from_slice(&id).unwrap();
    (
        strongroom::vault::items::item_aad(wrap::Purpose::Dek, item, Level::Secret, &control, generation),
        wrapped,
    )
}

fn assert_unlock_refused(root: &Path, user: &str, password: &str) {
    let mut station = Station::open(root).unwrap();
    match station.unlock(user, &Password::from(password)) {
        Err(Error::Integrity { .. }) => {}
        other => panic!("expected an integrity failure, got {:?}", other.map(|_| ())),
    }
}

#[test]
fn a_directory_edited_by_sql_is_refused_at_unlock() {
    let (fx, station) = LibVault::new();
    drop(station);
    let conn = fx.db();
    let body: Vec<u8> = conn
        .query_row("SELECT body FROM directories WHERE version = 1", [], |r| r.get(0))
        .unwrap();
    let edited = String::from_utf8(body).unwrap().replace("\"top-secret\"", "\"secret\"");
    conn.execute("UPDATE directories SET body = ?1", [edited.as_bytes()])
        .unwrap();
    assert_unlock_refused(&fx.root, "alice", OFFICER_PW);
}

#[test]
fn a_user_row_edited_by_sql_is_refused() {
    let (fx, mut station) = LibVault::new();
    station
        .add_user("bob", Role::Operator, Level::Internal, &Password::from(OPERATOR_PW))
        .unwrap();
    drop(station);
    fx.db()
        .execute(
            "UPDATE users SET clearance = 4, role = 'officer' WHERE name = 'bob'",
            [],
        )
        .unwrap();
    assert_unlock_refused(&fx.root, "bob", OPERATOR_PW);
}

#[test]
fn a_rolled_back_directory_is_refused_by_a_slot_that_saw_the_newer_one() {
    let (fx, mut station) = LibVault::new();
    station
        .add_user("bob", Role::Operator, Level::Internal, &Password::from(OPERATOR_PW))
        .unwrap();
    drop(station);
    let conn = fx.db();
    // Replay version 1 as the newest: bob's slot saw version 2.
    conn.execute("DELETE FROM directories WHERE version = 2", []).unwrap();
    assert_unlock_refused(&fx.root, "bob", OPERATOR_PW);
}

#[test]
fn a_keyslot_below_the_argon2_floor_is_refused() {
    let (fx, station) = LibVault::new();
    drop(station);
    fx.db().execute("UPDATE keyslots SET m_kib = 8192", []).unwrap();
    assert_unlock_refused(&fx.root, "alice", OFFICER_PW);
}

#[test]
fn a_wrapped_value_moved_to_another_row_or_column_fails() {
    let (fx, mut station) = LibVault::new();
    let a = fx.import(&mut station, "a.txt", Level::Secret);
    let b = fx.import(&mut station, "b.txt", Level::Secret);
    drop(station);
    let conn = fx.db();
    // b's title replaced by a's (another row) and a's name by a's title (another column).
    conn.execute(
        "UPDATE items SET title = (SELECT title FROM items WHERE control_serial = 1) WHERE control_serial = 2",
        [],
    )
    .unwrap();
    let mut station = Station::open(&fx.root).unwrap();
    station.unlock("alice", &Password::from(OFFICER_PW)).unwrap();
    match station.item(&b) {
        Err(Error::ObjectTampered { item, .. }) => assert_eq!(item, b),
        other => panic!("expected tampering, got {:?}", other.map(|_| ())),
    }
    conn.execute("UPDATE items SET original_name = title WHERE control_serial = 1", [])
        .unwrap();
    assert!(matches!(station.item(&a), Err(Error::ObjectTampered { .. })));
    // A DEK copied from another item does not unwrap either: export refuses.
    conn.execute(
        "UPDATE items SET wrapped_dek = (SELECT wrapped_dek FROM items WHERE control_serial = 2), title = (SELECT title FROM items WHERE control_serial = 2) WHERE control_serial = 1",
        [],
    )
    .unwrap();
    let out = fx.files.join("moved.out");
    assert!(matches!(
        station.export(&a, &out, false, "checked by the test", &Progress::new()),
        Err(Error::ObjectTampered { .. })
    ));
    assert!(!out.exists());
}

#[test]
fn recovery_after_password_change_keeps_every_key() {
    let (fx, mut station) = LibVault::new();
    let clock = fx.clock.clone();
    let item = fx.import(&mut station, "ts.txt", Level::TopSecret);
    station
        .change_password(&Password::from(OFFICER_PW), &Password::from("changed passphrase"))
        .unwrap();
    station.lock();
    assert!(matches!(
        station.unlock("alice", &Password::from(OFFICER_PW)),
        Err(Error::AuthenticationFailed { .. })
    ));
    // The failure starts a one-second backoff.
    clock.advance(time::Duration::seconds(2));
    station.unlock("alice", &Password::from("changed passphrase")).unwrap();
    assert!(matches!(
        station.change_password(
            &Password::from("wrong current one"),
            &Password::from("another passphrase")
        ),
        Err(Error::AuthenticationFailed { .. })
    ));
    let out = fx.files.join("ts.out");
    station
        .export(&item, &out, false, "checked by the test", &Progress::new())
        .unwrap();
    // The identity id stays; a new generation of the slot was written.
    let conn = fx.db();
    let generation: i64 = conn
        .query_row(
            "SELECT generation FROM keyslots k JOIN users u ON u.identity_id = k.identity_id WHERE u.name = 'alice'",
            [],
            |r| r.get(0),
        )
        .unwrap();
    assert_eq!(generation, 2);
}

#[test]
fn objects_sealed_to_a_levels_public_key_open_with_its_private_key_from_the_vault() {
    use strongroom::crypto::stream::{self, DecryptKey, EncryptKey, Header};
    let (fx, station) = LibVault::new();
    let session = station.session().unwrap();
    let entry = session.directory().level(Level::Secret).unwrap().clone();
    let public = strongroom::encoding::hex::decode::<32>(&entry.sealing_public_key).unwrap();
    // What the guard does while locked: seal with the public key from the verified directory.
    let plain = b"copied from a USB stick".repeat(5000);
    let mut object = Vec::new();
    let key = EncryptKey::Sealed {
        level: Level::Secret,
        generation: entry.generation,
        recipient: public,
    };
    stream::encrypt(
        &plain[..],
        &mut object,
        key,
        [7; 16],
        stream::MIN_CHUNK,
        plain.len() as u64,
        &Progress::new(),
    )
    .unwrap();
    // What an officer does later: unwrap the sealing private key with the level key.
    let LevelKey {
        generation,
        key: level_key,
    } = session.level_key(Level::Secret).unwrap();
    let conn = fx.db();
    let secret = keyring::sealing_secret(&conn, Level::Secret, entry.generation, &level_key, generation).unwrap();
    assert_eq!(secret.public(), public);
    let mut reader = &object[..];
    let (header, raw) = Header::read(&mut reader).unwrap();
    let mut back = Vec::new();
    stream::decrypt(
        reader,
        &header,
        &raw,
        DecryptKey::Sealing(&secret),
        &mut back,
        &Progress::new(),
    )
    .unwrap();
    assert_eq!(back, plain);
    // Another level's key cannot unwrap this level's sealing key.
    let LevelKey {
        generation: g,
        key: other,
    } = session.level_key(Level::Confidential).unwrap();
    assert!(keyring::sealing_secret(&conn, Level::Secret, entry.generation, &other, g).is_err());
}

#[test]
fn export_events_seal_the_file_name_for_holders_of_the_level() {
    let (fx, mut station) = LibVault::new();
    let control = fx.import(&mut station, "Operation Harbour.tif", Level::Secret);
    let out_dir = fx.files.join("out");
    std::fs::create_dir_all(&out_dir).unwrap();
    station
        .export(&control, &out_dir, false, "checked by the test", &Progress::new())
        .unwrap();
    let events = station.events(0, 1000).unwrap();
    let export = events
        .iter()
        .rev()
        .find(|e| e.action == "item.export")
        .unwrap()
        .json()
        .unwrap();
    assert!(!String::from_utf8_lossy(&events.last().unwrap().canonical).contains("Harbour"));
    let details = &export["details"];
    let sealed = details["destination_name_sealed"].as_str().unwrap();
    let generation = details["sealing_generation"].as_u64().unwrap() as u32;
    let name = station.unseal_name(Level::Secret, generation, sealed).unwrap();
    assert_eq!(name, "Operation Harbour.tif");
    // Someone not cleared for the level cannot unseal it.
    add_ready_user(&mut station, "bob", Role::Operator, Level::Internal, OPERATOR_PW);
    station.lock();
    station.unlock("bob", &Password::from(OPERATOR_PW)).unwrap();
    assert!(matches!(
        station.unseal_name(Level::Secret, generation, sealed),
        Err(Error::Denied { .. })
    ));
}

#[test]
fn control_numbers_swapped_by_sql_do_not_open() {
    let (fx, mut station) = LibVault::new();
    let a = fx.import(&mut station, "a.txt", Level::Internal);
    fx.import(&mut station, "b.txt", Level::Internal);
    let conn = fx.db();
    conn.execute_batch(
        "UPDATE items SET control_serial = 999 WHERE control_serial = 1;
         UPDATE items SET control_serial = 1 WHERE control_serial = 2;
         UPDATE items SET control_serial = 2 WHERE control_serial = 999;",
    )
    .unwrap();
    let out = fx.files.join("swapped.out");
    // Asking for SR-…-000001 finds b's row, whose wraps name control number 2: refused.
    assert!(matches!(
        station.export(&a, &out, false, "checked by the test", &Progress::new()),
        Err(Error::ObjectTampered { .. })
    ));
    assert!(!out.exists());
    // The list shows neither row, and says so.
    let list = station.item_list().unwrap();
    assert!(list.items.is_empty());
    assert_eq!(list.withheld, 2);
}

#[test]
fn a_session_adopts_a_newer_directory_that_keeps_its_account_and_stops_on_one_that_does_not() {
    let (fx, mut first) = LibVault::new();
    let mut second = Station::open(&fx.root).unwrap();
    second.unlock("alice", &Password::from(OFFICER_PW)).unwrap();
    // Another process publishes directory v2 (a new user): the first session carries on.
    second
        .add_user("bob", Role::Operator, Level::Internal, &Password::from(OPERATOR_PW))
        .unwrap();
    fx.import(&mut first, "after-v2.txt", Level::Secret);
    assert_eq!(first.session().unwrap().directory().version, 2);

    // A v3 signed by the admin key that lowers alice's clearance: the first session may not
    // write under what it holds any more; it is locked and nothing is written.
    let admin = second.session().unwrap().admin_key().unwrap();
    let mut lowered = second.session().unwrap().directory().clone();
    lowered.version = 3;
    for user in &mut lowered.users {
        if user.name == "alice" {
            user.clearance = Level::Confidential;
        }
    }
    let signed = lowered.sign(&admin).unwrap();
    fx.db()
        .execute(
            "INSERT INTO directories (version, body, signature, created_at) VALUES (3, ?1, ?2, '2026-01-01T00:00:00.000Z')",
            rusqlite::params![signed.body, signed.signature],
        )
        .unwrap();
    let before: i64 = fx
        .db()
        .query_row("SELECT COUNT(*) FROM items", [], |r| r.get(0))
        .unwrap();
    let path = fx.files.join("refused.txt");
    std::fs::write(&path, b"x").unwrap();
    let plan = first.plan_import(&[path], false).unwrap();
    let options = ImportOptions::at(Level::Internal);
    assert!(matches!(
        first.import(plan, &options, &Progress::new()),
        Err(Error::SessionOutOfDate { .. })
    ));
    assert!(first.session().is_none(), "the stale session is locked");
    let after: i64 = fx
        .db()
        .query_row("SELECT COUNT(*) FROM items", [], |r| r.get(0))
        .unwrap();
    assert_eq!(before, after);
}
