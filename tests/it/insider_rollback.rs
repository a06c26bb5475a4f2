//! An insider with the OS account copies old rows back (issue: key trust survives an
//! insider's rollback). Each test does what the review did, with SQL on the database file,
//! and checks the station refuses (exit 6) before anything is written.

use crate::support::{TestVault, code, insider, stderr};

const DAVE_PW: &str = "dave's long passphrase";

/// Keep a copy of the whole database as it is now (what an insider saves for later).
fn keep_copy(vault: &TestVault, name: &str) -> std::path::PathBuf {
    let copy = vault.dir.path().join(name);
    vault.db().execute("VACUUM INTO ?1", [copy.to_str().unwrap()]).unwrap();
    copy
}

fn add_dave(vault: &TestVault) -> std::path::PathBuf {
    vault.add_ready_user("dave", "operator", "secret", DAVE_PW)
}

/// Put back the account tables of `kept` (and, with `successions`, the admin key's
/// succession rows), as an insider with the OS account would.
fn restore_accounts(vault: &TestVault, kept: &std::path::Path, successions: bool) {
    let db = insider::unguarded(&vault.root);
    db.execute("ATTACH ?1 AS kept", [kept.to_str().unwrap()]).unwrap();
    db.execute_batch(
        "PRAGMA foreign_keys = OFF;
         DELETE FROM directories WHERE version > (SELECT MAX(version) FROM kept.directories);
         DELETE FROM grants; INSERT INTO grants SELECT * FROM kept.grants;
         DELETE FROM sealing_keys; INSERT INTO sealing_keys SELECT * FROM kept.sealing_keys;
         DELETE FROM items; INSERT INTO items SELECT * FROM kept.items;
         DELETE FROM users; INSERT INTO users SELECT * FROM kept.users;
         DELETE FROM checkpoints; INSERT INTO checkpoints SELECT * FROM kept.checkpoints;
         DELETE FROM signing_key_changes; INSERT INTO signing_key_changes SELECT * FROM kept.signing_key_changes;",
    )
    .unwrap();
    if successions {
        db.execute_batch(
            "DELETE FROM admin_successions; INSERT INTO admin_successions SELECT * FROM kept.admin_successions;",
        )
        .unwrap();
    }
    db.execute_batch("DETACH kept;").unwrap();
}

#[test]
fn a_disabled_officer_restored_with_the_admin_key_succession_is_refused() {
    let vault = TestVault::new();
    let carol = vault.add_ready_user("carol", "officer", "top-secret", "carol's long passphrase");
    let kept = keep_copy(&vault, "kept.db");
    vault.ok(&["user", "disable", "carol", "--reason", "left the unit", "--yes"]);
    // Everything above, and the admin key's succession row too: the ledger still carries
    // the succession record and the directory signed by the new key.
    restore_accounts(&vault, &kept, true);
    let succession_rows: i64 = vault
        .db()
        .query_row("SELECT COUNT(*) FROM admin_successions", [], |r| r.get(0))
        .unwrap();
    assert_eq!(succession_rows, 0);
    // Her keyslot's admin key leads, through the ledger's succession record, to the new key,
    // which did not sign the directory put back.
    let carol_in = vault.run_as("carol", &carol, &["list"]);
    assert_eq!(code(&carol_in), 6, "{}", stderr(&carol_in));
    assert!(stderr(&carol_in).contains("signed directory"), "{}", stderr(&carol_in));
    let new = vault.file("harbour-2027.tif", b"new secret survey");
    let refused = vault.run(&["import", "--level", "secret", new.to_str().unwrap()]);
    assert_eq!(code(&refused), 6, "{}", stderr(&refused));
}

#[test]
fn a_disabled_user_restored_from_an_old_copy_is_refused_before_anything_is_written() {
    let vault = TestVault::new();
    let dave = add_dave(&vault);
    let kept = keep_copy(&vault, "kept.db");
    vault.ok(&["user", "disable", "dave", "--reason", "left the unit", "--yes"]);
    // Dave, with the OS account, puts back what he held before: the directories, grants,
    // sealing keys, item wraps and user rows, and (to hide the signing-key change) the
    // checkpoints and key-change notes, re-creating nothing.
    restore_accounts(&vault, &kept, false);
    let events_before = vault.events().len();
    // The officer imports new secret material: refused, nothing written.
    let new = vault.file("harbour-2027.tif", b"new secret survey");
    let refused = vault.run(&["import", "--level", "secret", new.to_str().unwrap()]);
    assert_eq!(code(&refused), 6, "{}", stderr(&refused));
    assert!(stderr(&refused).contains("rolled back"), "{}", stderr(&refused));
    assert_eq!(vault.events().len(), events_before, "an event was written");
    let items: i64 = vault
        .db()
        .query_row("SELECT COUNT(*) FROM items", [], |r| r.get(0))
        .unwrap();
    assert_eq!(items, 0);
    // And dave cannot sign in to the restored account either.
    let dave_in = vault.run_as("dave", &dave, &["list"]);
    assert_eq!(code(&dave_in), 6, "{}", stderr(&dave_in));
}

#[test]
fn a_policy_rolled_back_by_deleting_the_newest_directory_is_refused() {
    let vault = TestVault::new();
    vault.disable_backoff();
    vault.ok(&["policy", "set", "export-max-level", "confidential"]);
    let newest: i64 = vault
        .db()
        .query_row("SELECT MAX(version) FROM directories", [], |r| r.get(0))
        .unwrap();
    vault
        .db()
        .execute("DELETE FROM directories WHERE version = ?1", [newest])
        .unwrap();
    // Every command that would act under the old policy is refused.
    let shown = vault.run(&["policy", "show"]);
    assert_eq!(code(&shown), 6, "{}", stderr(&shown));
    assert!(stderr(&shown).contains("rolled back"), "{}", stderr(&shown));
    let new = vault.file("memo.txt", b"memo");
    let import = vault.run(&["import", "--level", "secret", new.to_str().unwrap()]);
    assert_eq!(code(&import), 6, "{}", stderr(&import));
    assert!(stderr(&import).contains("directory rebuild"), "{}", stderr(&import));
    let items: i64 = vault
        .db()
        .query_row("SELECT count(*) FROM items", [], |r| r.get(0))
        .unwrap();
    assert_eq!(items, 0);

    // A wrong password at the rebuild is a counted failure (3), not a way around lockout.
    let wrong = vault.file("wrong-pw", b"not alice's password\n");
    let failed = |vault: &TestVault| {
        vault
            .actions_since(0)
            .iter()
            .filter(|a| *a == "auth.login_failed")
            .count()
    };
    let before = failed(&vault);
    vault.run_as("alice", &wrong, &["directory", "rebuild"]).code(3);
    assert_eq!(failed(&vault), before + 1);

    // An officer puts the signed version back from the ledger's copy; the policy she set
    // is in force again and the station writes.
    let said = vault.ok(&["directory", "rebuild"]);
    assert!(said.contains(&format!("version {newest} put back")), "{said}");
    let shown = vault.json(&["policy", "show"]);
    assert_eq!(shown["export_max_level"], "confidential");
    vault.import(&[&new], "secret");
    // Nothing is left to rebuild (1), and the ledger still verifies with the rebuild in it.
    vault.run(&["directory", "rebuild"]).code(1);
    vault.ok(&["ledger", "verify"]);
    let rebuilt = insider::events(&vault.db())
        .into_iter()
        .find(|e| e["action"] == "directory.rebuild")
        .expect("a directory.rebuild event");
    assert_eq!(rebuilt["actor"], "alice");
    assert_eq!(rebuilt["details"]["directory_version"], newest);
    assert_eq!(rebuilt["details"]["stored_version"], newest - 1);
}

#[test]
fn only_an_officer_rebuilds_and_a_forged_copy_is_passed_over() {
    let vault = TestVault::new();
    let bob = vault.add_ready_user("bob", "operator", "secret", "bob's long passphrase");
    vault.ok(&["policy", "set", "export-max-level", "confidential"]);
    let db = vault.db();
    let newest: i64 = db
        .query_row("SELECT MAX(version) FROM directories", [], |r| r.get(0))
        .unwrap();
    db.execute("DELETE FROM directories WHERE version = ?1", [newest])
        .unwrap();
    // An operator cannot put it back (5).
    let by_bob = vault.run_as("bob", &bob, &["directory", "rebuild"]);
    assert_eq!(code(&by_bob), 5, "{}", stderr(&by_bob));

    // The insider appends a publication event carrying a newer copy with the ceiling raised,
    // signed by no admin key. The rebuild refuses it (6) and stores nothing.
    let published = insider::events(&db)
        .into_iter()
        .rfind(|e| e["action"] == "policy.change")
        .unwrap();
    let mut body = published["details"]["directory"]["body"].clone();
    body["version"] = serde_json::json!(newest + 1);
    body["policy"]["export_max_level"] = serde_json::json!("top-secret");
    let seq: i64 = db
        .query_row("SELECT MAX(seq) + 1 FROM events", [], |r| r.get(0))
        .unwrap();
    let forged = serde_json::json!({
        "seq": seq, "time": published["time"], "actor": "alice", "action": "policy.change",
        "subject": "export-max-level", "level": null,
        "details": { "setting": "export-max-level", "old": "confidential", "new": "top-secret",
                     "directory_version": newest + 1,
                     "directory": { "body": body, "signature": "00".repeat(64) } },
    });
    db.execute(
        "INSERT INTO events (seq, time, actor, action, subject, level, item, canonical)
         VALUES (?1, ?2, 'alice', 'policy.change', 'export-max-level', NULL, NULL, ?3)",
        rusqlite::params![
            seq,
            published["time"].as_str().unwrap(),
            serde_json::to_vec(&forged).unwrap()
        ],
    )
    .unwrap();
    // The rebuild passes over the unsigned copy and puts back the version the officer signed.
    let said = vault.ok(&["directory", "rebuild"]);
    assert!(said.contains(&format!("version {newest} put back")), "{said}");
    let stored: i64 = db
        .query_row("SELECT MAX(version) FROM directories", [], |r| r.get(0))
        .unwrap();
    assert_eq!(stored, newest);
    assert_eq!(vault.json(&["policy", "show"])["export_max_level"], "confidential");
}

#[test]
fn an_appended_event_naming_a_version_nobody_signed_stops_nothing() {
    let vault = TestVault::new();
    let db = vault.db();
    // With the OS account only: events that name a far newer directory, one with no copy
    // and one with a copy no admin key signed.
    let init = insider::events(&db)
        .into_iter()
        .find(|e| e["action"] == "station.init")
        .unwrap();
    for copy in [false, true] {
        let mut details = serde_json::json!({ "setting": "idle-lock-minutes", "old": "15", "new": "5",
                                              "directory_version": 1_000_000 });
        if copy {
            let mut body = init["details"]["directory"]["body"].clone();
            body["version"] = serde_json::json!(1_000_000);
            details["directory"] = serde_json::json!({ "body": body, "signature": "11".repeat(64) });
        }
        insider::append_event(&db, "alice", "policy.change", "idle-lock-minutes", details);
    }
    // And a succession record from the admin key to a key of the insider's, unsigned.
    let admin_key = init["details"]["directory"]["body"]["admin_key"].clone();
    insider::append_event(
        &db,
        "alice",
        "user.disable",
        "alice",
        serde_json::json!({ "admin_succession": { "body": { "format": "strongroom/v1/admin-succession",
            "station": vault.station_id(), "previous_key": admin_key, "next_key": "22".repeat(32),
            "directory_version": 1_000_000, "issued_at": "2026-12-06T00:00:00.000Z" },
            "signature": "33".repeat(64) } }),
    );
    // Signing in and importing still work, and there is nothing to rebuild.
    let file = vault.file("memo.txt", b"memo");
    vault.import(&[&file], "secret");
    vault.run(&["directory", "rebuild"]).code(1);
}

#[test]
fn every_unlock_makes_the_keyslot_remember_the_newest_directory() {
    let vault = TestVault::new();
    let slot_version = |vault: &TestVault| -> (i64, Vec<u8>) {
        vault
            .db()
            .query_row(
                "SELECT generation, wrapped FROM keyslots WHERE identity_id = (SELECT identity_id FROM users WHERE name = 'alice')",
                [],
                |r| Ok((r.get(0)?, r.get(1)?)),
            )
            .unwrap()
    };
    let (generation, wrapped) = slot_version(&vault);
    vault.ok(&["policy", "set", "idle-lock-minutes", "5"]);
    // The change above was published after its own unlock; the next unlock rewrites the slot
    // (a new generation under the same salt) to remember it.
    vault.ok(&["list"]);
    let (after, rewrapped) = slot_version(&vault);
    assert_eq!(after, generation + 1);
    assert_ne!(rewrapped, wrapped);
    // Nothing newer to remember: the slot is left as it is.
    vault.ok(&["list"]);
    assert_eq!(slot_version(&vault).0, after);
    // A directory deleted below what the slot remembers is refused even with the events
    // that name it cut (a partial rollback of the ledger).
    let db = insider::unguarded(&vault.root);
    db.execute_batch(
        "DELETE FROM directories WHERE version = (SELECT MAX(version) FROM directories);
         DELETE FROM events WHERE action = 'policy.change';",
    )
    .unwrap();
    drop(db);
    let refused = vault.run(&["list"]);
    assert_eq!(code(&refused), 6, "{}", stderr(&refused));
}
