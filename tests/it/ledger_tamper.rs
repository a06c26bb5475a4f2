//! Every way an insider could edit the custody log with SQL (triggers dropped first) is found
//! by `strongroom ledger verify`, named with the right seq, and answered with exit code 6.

use crate::support::{TestVault, code, stderr};
use serde_json::Value;
use strongroom::crypto::sign::SignKey;
use strongroom::ledger::{checkpoint, key_change_note, note};

/// A vault with a few imports: events 0..=10 and several checkpoints.
fn vault_with_history() -> TestVault {
    let vault = TestVault::from_template("ledger-history", |vault| {
        for round in 0..3 {
            let a = vault.file(&format!("a{round}.tif"), format!("alpha {round}").as_bytes());
            let b = vault.file(&format!("b{round}.kml"), format!("bravo {round}").as_bytes());
            vault.import(&[&a, &b], "confidential");
        }
    });
    assert_eq!(vault.events().len(), 11);
    vault
}

/// Run `ledger verify --json`; returns the exit code and report.
fn verify(vault: &TestVault) -> (i32, Value) {
    let out = vault.run(&["ledger", "verify", "--json"]);
    let report =
        serde_json::from_slice(&out.get_output().stdout).unwrap_or_else(|_| panic!("no report: {}", stderr(&out)));
    (code(&out), report)
}

fn assert_found(vault: &TestVault, seq: u64, problem: &str) {
    let (code, report) = verify(vault);
    assert_eq!(code, 6, "{report}");
    assert_eq!(report["ok"], false);
    assert_eq!(report["first_bad"]["problem"], problem, "{report}");
    assert_eq!(report["first_bad"]["seq"], seq, "{report}");
}

#[test]
fn an_untouched_log_verifies_and_the_check_is_recorded() {
    let vault = vault_with_history();
    let (code, report) = verify(&vault);
    assert_eq!(code, 0, "{report}");
    assert_eq!(report["ok"], true);
    assert!(report["checkpoints"].as_u64().unwrap() >= 3);
    let last = vault.events().last().unwrap().clone();
    assert_eq!(last["action"], "ledger.verify");
    assert_eq!(last["details"]["ok"], true);
}

#[test]
fn a_changed_field_is_found_at_its_seq() {
    let vault = vault_with_history();
    // Change who imported event 4, in the bytes and the query column alike.
    vault.unguarded()
        .execute(
            "UPDATE events SET canonical = CAST(replace(CAST(canonical AS TEXT), '\"actor\":\"alice\"', '\"actor\":\"mallo\"') AS BLOB), actor = 'mallo' WHERE seq = 4",
            [],
        )
        .unwrap();
    assert_found(&vault, 4, "edited");
}

#[test]
fn a_changed_field_with_its_leaf_rewritten_is_still_found_by_the_signed_roots() {
    let vault = vault_with_history();
    let db = vault.unguarded();
    // A careful insider: new bytes, matching query column and a correct new leaf hash.
    let bytes: Vec<u8> = db
        .query_row("SELECT canonical FROM events WHERE seq = 4", [], |r| r.get(0))
        .unwrap();
    let edited = String::from_utf8(bytes)
        .unwrap()
        .replace("\"actor\":\"alice\"", "\"actor\":\"mallo\"")
        .into_bytes();
    let leaf = strongroom::ledger::merkle::leaf_hash(&edited);
    db.execute(
        "UPDATE events SET canonical = ?1, actor = 'mallo', leaf = ?2 WHERE seq = 4",
        rusqlite::params![edited, leaf.to_vec()],
    )
    .unwrap();
    let (code, report) = verify(&vault);
    assert_eq!(code, 6);
    assert_eq!(report["first_bad"]["problem"], "edited");
    // The signed roots bound it to the range after the last checkpoint that still matches.
    let seq = report["first_bad"]["seq"].as_u64().unwrap();
    assert!(seq <= 4, "{report}");
    assert!(
        report["first_bad"]["detail"].as_str().unwrap().contains("..="),
        "{report}"
    );
}

#[test]
fn a_removed_leaf_is_found_at_its_seq() {
    let vault = vault_with_history();
    vault
        .unguarded()
        .execute("UPDATE events SET leaf = NULL WHERE seq = 7", [])
        .unwrap();
    assert_found(&vault, 7, "edited");
}

#[test]
fn a_row_deleted_in_the_middle_is_found() {
    let vault = vault_with_history();
    vault
        .unguarded()
        .execute("DELETE FROM events WHERE seq = 5", [])
        .unwrap();
    assert_found(&vault, 5, "removed");
}

#[test]
fn a_deleted_tail_is_found() {
    let vault = vault_with_history();
    vault
        .unguarded()
        .execute("DELETE FROM events WHERE seq >= 8", [])
        .unwrap();
    assert_found(&vault, 8, "truncated");
}

#[test]
fn two_swapped_rows_are_found() {
    let vault = vault_with_history();
    let db = vault.unguarded();
    // Swap everything but the seq between rows 6 and 7.
    db.execute_batch(
        "UPDATE events SET seq = -1 WHERE seq = 6;
         UPDATE events SET seq = 6 WHERE seq = 7;
         UPDATE events SET seq = 7 WHERE seq = -1;",
    )
    .unwrap();
    assert_found(&vault, 6, "reordered");
}

#[test]
fn a_forged_row_inserted_in_the_middle_is_found() {
    let vault = vault_with_history();
    let db = vault.unguarded();
    for seq in (3..=10).rev() {
        db.execute("UPDATE events SET seq = seq + 1 WHERE seq = ?1", [seq])
            .unwrap();
    }
    let forged = r#"{"action":"item.export","actor":"alice","details":{},"level":null,"seq":3,"subject":"station","time":"2026-11-23T15:00:00.000Z"}"#;
    db.execute(
        "INSERT INTO events (seq, time, actor, action, subject, level, item, canonical) VALUES (3, '2026-11-23T15:00:00.000Z', 'alice', 'item.export', 'station', NULL, NULL, ?1)",
        [forged.as_bytes()],
    )
    .unwrap();
    assert_found(&vault, 3, "inserted");
}

#[test]
fn a_query_column_edited_alone_is_found() {
    let vault = vault_with_history();
    vault
        .unguarded()
        .execute("UPDATE events SET actor = 'bob' WHERE seq = 9", [])
        .unwrap();
    assert_found(&vault, 9, "column-mismatch");
}

#[test]
fn a_checkpoint_replaced_with_an_older_one_is_found() {
    let vault = vault_with_history();
    let db = vault.unguarded();
    let (old_size, old_root, old_note): (i64, Vec<u8>, String) = db
        .query_row(
            "SELECT tree_size, root, note FROM checkpoints ORDER BY id LIMIT 1",
            [],
            |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)),
        )
        .unwrap();
    db.execute(
        "UPDATE checkpoints SET tree_size = ?1, root = ?2, note = ?3 WHERE id = (SELECT MAX(id) FROM checkpoints)",
        rusqlite::params![old_size, old_root, old_note],
    )
    .unwrap();
    assert_found(&vault, old_size as u64, "inconsistent");
}

#[test]
fn a_checkpoint_re_signed_with_another_key_is_found() {
    let vault = vault_with_history();
    let db = vault.unguarded();
    let (id, size, root, note_text): (i64, i64, Vec<u8>, String) = db
        .query_row(
            "SELECT id, tree_size, root, note FROM checkpoints ORDER BY id DESC LIMIT 1",
            [],
            |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?)),
        )
        .unwrap();
    let (text, _) = note::parse(&note_text).unwrap();
    let origin = text.lines().next().unwrap().to_string();
    let impostor = SignKey::random().unwrap();
    let forged = note::sign(text, &origin, &impostor).unwrap();
    db.execute(
        "UPDATE checkpoints SET note = ?1 WHERE id = ?2",
        rusqlite::params![forged, id],
    )
    .unwrap();
    let previous: i64 = db
        .query_row(
            "SELECT tree_size FROM checkpoints WHERE id < ?1 ORDER BY id DESC LIMIT 1",
            [id],
            |r| r.get(0),
        )
        .unwrap();
    assert_eq!(checkpoint::parse_body(text).unwrap().1, size as u64);
    assert_eq!(root.len(), 32);
    assert_found(&vault, previous as u64, "bad-signature");
}

#[test]
fn after_damage_is_found_no_checkpoint_is_written() {
    let vault = vault_with_history();
    vault
        .unguarded()
        .execute("UPDATE events SET subject = 'x' WHERE seq = 2", [])
        .unwrap();
    assert_found(&vault, 2, "column-mismatch");
    let count = |v: &TestVault| -> i64 {
        v.db()
            .query_row("SELECT COUNT(*) FROM checkpoints", [], |r| r.get(0))
            .unwrap()
    };
    let before = count(&vault);
    // More work: unlocks, an import, a lock. The station still works but signs nothing more.
    let c = vault.file("c.tif", b"charlie");
    vault.import(&[&c], "internal");
    let out = vault.run(&["list"]).success();
    // Every command says so, loudly, until it is dealt with: the library what is wrong, the
    // command line how to go on.
    assert!(
        stderr(&out).contains("warning: the custody ledger is damaged"),
        "{}",
        stderr(&out)
    );
    assert!(
        stderr(&out).contains("hint: a security officer runs `strongroom ledger epoch --reason TEXT`"),
        "{}",
        stderr(&out)
    );
    assert_eq!(count(&vault), before, "a checkpoint was signed over a damaged log");
    // And the finding was recorded as an event.
    let verify_events: Vec<Value> = vault
        .events()
        .into_iter()
        .filter(|e| e["action"] == "ledger.verify")
        .collect();
    assert_eq!(verify_events.last().unwrap()["details"]["first_bad_seq"], 2);
}

#[test]
fn operators_cannot_verify_the_ledger() {
    let vault = vault_with_history();
    let mut station = strongroom::Station::open(&vault.root).unwrap();
    station
        .unlock(
            crate::support::OFFICER,
            &strongroom::crypto::Password::from(crate::support::PASSWORD),
        )
        .unwrap();
    crate::support::accounts::add_ready_user(
        &mut station,
        "bob",
        strongroom::accounts::Role::Operator,
        strongroom::Level::Secret,
        "operator passphrase 1",
    );
    station.lock();
    station
        .unlock("bob", &strongroom::crypto::Password::from("operator passphrase 1"))
        .unwrap();
    assert!(matches!(
        station.verify_ledger(),
        Err(strongroom::Error::Denied { rule: "role", .. })
    ));
}

#[test]
fn after_damage_an_officer_starts_a_new_epoch_and_auditors_accept_it_only_when_told() {
    let vault = vault_with_history();
    let bundle0 = vault.dir.path().join("epoch0");
    vault.ok(&["ledger", "export", "--out", bundle0.to_str().unwrap()]);
    let config = tempfile::tempdir().unwrap();
    let audit = |args: &[&str]| {
        crate::support::cli::strongroom()
            .env("STRONGROOM_CONFIG_DIR", config.path())
            .args(args)
            .assert()
    };
    let vkey = std::fs::read_to_string(bundle0.join("station.vkey")).unwrap();
    audit(&["audit", "trust", vkey.trim()]).success();
    audit(&["audit", "verify", bundle0.to_str().unwrap()]).success();

    // No epoch for an intact log.
    vault.run(&["ledger", "epoch", "--reason", "just because"]).code(1);

    vault
        .unguarded()
        .execute("UPDATE events SET subject = 'x' WHERE seq = 2", [])
        .unwrap();
    assert_found(&vault, 2, "column-mismatch");
    let checkpoints = |v: &TestVault| -> i64 {
        v.db()
            .query_row("SELECT COUNT(*) FROM checkpoints", [], |r| r.get(0))
            .unwrap()
    };
    let before = checkpoints(&vault);
    let out = vault
        .run(&[
            "ledger",
            "epoch",
            "--reason",
            "subject of seq 2 edited; see incident 17",
            "--json",
        ])
        .success();
    let epoch: Value = serde_json::from_slice(&out.get_output().stdout).unwrap();
    assert_eq!(epoch["number"], 1);
    assert!(checkpoints(&vault) > before, "checkpoints resume in the new epoch");
    let first = vault
        .events()
        .into_iter()
        .find(|e| e["action"] == "ledger.epoch")
        .unwrap();
    assert_eq!(first["seq"], epoch["start_seq"]);
    assert_eq!(first["details"]["first_bad_seq"], 2);

    // The station's verify passes for the current epoch and reports the closed one.
    let a = vault.file("after.tif", b"after");
    vault.import(&[&a], "internal");
    let (code_now, report) = verify(&vault);
    assert_eq!(code_now, 0, "{report}");
    assert_eq!(report["epoch"], 1);
    assert_eq!(report["earlier_epochs"][0]["ok"], false);
    assert_eq!(report["earlier_epochs"][0]["first_bad"]["seq"], 2);

    // An auditor pinned to epoch 0 refuses the new epoch until told to accept it.
    let bundle1 = vault.dir.path().join("epoch1");
    vault.ok(&["ledger", "export", "--out", bundle1.to_str().unwrap()]);
    let out = audit(&["audit", "verify", bundle1.to_str().unwrap()]).code(6);
    assert!(crate::support::stdout(&out).contains("started epoch 1"));
    assert!(crate::support::stderr(&out).contains(&format!(
        "hint: if the station's officers announced it, run `strongroom audit trust --epoch {}`",
        vkey.trim()
    )));
    audit(&["audit", "trust", "--epoch", vkey.trim()]).success();
    audit(&["audit", "verify", bundle1.to_str().unwrap(), "--json"]).success();
    // The old epoch's bundle was accepted before: an archive (DESIGN.md §4), not a failure.
    let out = audit(&["audit", "verify", bundle0.to_str().unwrap(), "--json"]).success();
    let report: serde_json::Value = serde_json::from_str(&crate::support::stdout(&out)).unwrap();
    assert_eq!(report["archive"], true, "{report}");
}

#[test]
fn an_epoch_forged_by_sql_does_not_hide_damage() {
    let vault = vault_with_history();
    let db = vault.unguarded();
    db.execute("UPDATE events SET actor = 'bob' WHERE seq = 4", []).unwrap();
    // Declare a new epoch from the next event on, with a damage record to match.
    let next: i64 = db
        .query_row("SELECT MAX(seq) + 1 FROM events", [], |r| r.get(0))
        .unwrap();
    db.execute(
        "INSERT INTO ledger_epochs VALUES (1, ?1, '2026-11-23T00:00:00.000Z', 'cover-up')",
        [next],
    )
    .unwrap();
    db.execute(
        "INSERT INTO ledger_damage (found_at, first_bad_seq, problem, detail, resolved_epoch) VALUES ('2026-11-23T00:00:00.000Z', 4, 'column-mismatch', '', 1)",
        [],
    )
    .unwrap();
    let (code, report) = verify(&vault);
    assert_eq!(code, 6, "{report}");
    assert_eq!(report["ok"], false);
    let details: Vec<String> = report["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["detail"].as_str().unwrap().to_string())
        .collect();
    assert!(
        details
            .iter()
            .any(|d| d.contains("does not begin with its ledger.epoch event")),
        "{report}"
    );
}

#[test]
fn a_level_column_set_to_no_level_at_all_is_found() {
    let vault = vault_with_history();
    // 99 is no level: it would hide the event from every clearance filter.
    vault
        .unguarded()
        .execute("UPDATE events SET level = 99 WHERE seq = 5", [])
        .unwrap();
    assert_found(&vault, 5, "column-mismatch");
}

// Station signing-key changes. The station code that replaces the key when a user is
// disabled comes later; these tests record the change through the library and verify with
// the new key as the directory's current key, as `Station::verify_ledger` will.

fn import_one(vault: &TestVault, tag: &str) {
    let file = vault.file(&format!("{tag}.tif"), tag.as_bytes());
    vault.import(&[&file], "internal");
}

fn problems(report: &strongroom::ledger::verify::Report) -> Vec<(String, String)> {
    report
        .findings
        .iter()
        .map(|f| {
            (
                serde_json::to_value(f.problem).unwrap().as_str().unwrap().to_string(),
                f.detail.clone(),
            )
        })
        .collect()
}

/// A vault whose signing key k0 was replaced by k1, with more work checkpointed by k1.
fn vault_with_key_change() -> (TestVault, SignKey, SignKey) {
    let vault = vault_with_history();
    let k0 = vault.signing_key();
    let k1 = SignKey::random().unwrap();
    let change = vault.change_signing_key(&k0, &k1);
    assert_eq!(change.tree_size as usize, vault.events().len());
    // The CLI's sessions still hold k0 (the directory is not rotated here): the station
    // refuses to sign with a retired key, so only k1 checkpoints what follows.
    import_one(&vault, "after-change");
    assert!(vault.checkpoint_with(&k1).unwrap() > change.tree_size);
    (vault, k0, k1)
}

#[test]
fn the_log_verifies_across_one_and_two_key_changes() {
    let (vault, _k0, k1) = vault_with_key_change();
    let report = vault.verify_with(&k1);
    assert!(report.ok, "{:?}", problems(&report));
    assert_eq!(report.verified_size as usize, vault.events().len());

    let k2 = SignKey::random().unwrap();
    let second = vault.change_signing_key(&k1, &k2);
    import_one(&vault, "after-second-change");
    assert!(vault.checkpoint_with(&k2).unwrap() > second.tree_size);
    let report = vault.verify_with(&k2);
    assert!(report.ok, "{:?}", problems(&report));
    assert_eq!(report.verified_size as usize, vault.events().len());

    // A directory that still names a retired key does not verify: the notes say it was
    // replaced. (Here the CLI's directory names k0, so `ledger verify` reports it, exit 6.)
    let stale = vault.verify_with(&k1);
    assert!(!stale.ok);
    assert!(
        problems(&stale)
            .iter()
            .any(|(p, d)| p == "key-change" && d.contains("does not name the newest signing key")),
        "{:?}",
        problems(&stale)
    );
    let (code, report) = verify(&vault);
    assert_eq!(code, 6, "{report}");
    assert_eq!(report["first_bad"]["problem"], "key-change", "{report}");
}

#[test]
fn a_checkpoint_by_the_old_key_after_the_change_is_found() {
    let (vault, k0, k1) = vault_with_key_change();
    let changed_at: u64 = vault
        .db()
        .query_row("SELECT tree_size FROM signing_key_changes", [], |r| r.get::<_, i64>(0))
        .unwrap() as u64;
    // Someone who kept the retired key (a disabled user) signs the log past the change.
    import_one(&vault, "by-the-disabled-user");
    let size = vault.insider_checkpoint(&k0);
    assert!(size > changed_at);
    let report = vault.verify_with(&k1);
    assert!(!report.ok);
    let first = report.first_bad.clone().unwrap();
    assert_eq!(
        serde_json::to_value(first.problem).unwrap(),
        "retired-key",
        "{:?}",
        problems(&report)
    );
    assert!(first.detail.contains("retired key"), "{}", first.detail);
    // Reported where the key's authority ended: after the newest checkpoint it could sign.
    assert!(first.seq >= changed_at, "{first:?}");
}

#[test]
fn a_key_change_note_signed_by_one_key_only_is_found() {
    let (vault, k0, k1) = vault_with_key_change();
    let db = vault.unguarded();
    let stored: String = db
        .query_row("SELECT note FROM signing_key_changes", [], |r| r.get(0))
        .unwrap();
    let (text, _) = note::parse(&stored).unwrap();
    let name = checkpoint::origin(&vault.station_id());
    for (signer, missing) in [(&k0, "new key"), (&k1, "old key")] {
        let forged = note::sign(text, &name, signer).unwrap();
        db.execute("UPDATE signing_key_changes SET note = ?1", [&forged])
            .unwrap();
        let report = vault.verify_with(&k1);
        assert!(!report.ok);
        let found = problems(&report);
        assert!(
            found
                .iter()
                .any(|(p, d)| p == "key-change" && d.contains(&format!("not signed by the {missing}"))),
            "{found:?}"
        );
        // Without the note, nothing vouches for k0: its checkpoints no longer verify.
        assert!(found.iter().any(|(p, _)| p == "bad-signature"), "{found:?}");
    }
    // An edit to the signed text itself.
    let edited = stored.replacen(&format!("\n{}\n", name), &format!("\n{name}/e1\n"), 1);
    db.execute("UPDATE signing_key_changes SET note = ?1", [&edited])
        .unwrap();
    let report = vault.verify_with(&k1);
    assert!(
        problems(&report).iter().any(|(p, _)| p == "key-change"),
        "{:?}",
        problems(&report)
    );
    // And a note removed altogether.
    db.execute("DELETE FROM signing_key_changes", []).unwrap();
    let report = vault.verify_with(&k1);
    assert!(!report.ok);
    assert_eq!(
        serde_json::to_value(report.first_bad.unwrap().problem).unwrap(),
        "bad-signature"
    );
}

#[test]
fn a_second_successor_of_one_key_is_found() {
    let (vault, k0, k1) = vault_with_key_change();
    let id = vault.station_id();
    // The station itself never records one.
    let mut db = vault.db();
    let tx = db.transaction().unwrap();
    let other = SignKey::random().unwrap();
    let refused = key_change_note::record(&tx, &id, &k0, &other, crate::support::NOW).unwrap_err();
    assert!(refused.to_string().contains("one successor"), "{refused}");
    drop(tx);
    // Someone holding the retired key signs a change to a key of their own.
    let (size, root): (i64, Vec<u8>) = db
        .query_row("SELECT tree_size, root FROM checkpoints WHERE tree_size = (SELECT tree_size FROM signing_key_changes) LIMIT 1", [], |r| {
            Ok((r.get(0)?, r.get(1)?))
        })
        .unwrap();
    let forged = key_change_note::sign(&id, 0, &k0, &other, size as u64, &root.try_into().unwrap()).unwrap();
    db.execute(
        "INSERT INTO signing_key_changes (epoch, tree_size, note, created_at) VALUES (0, ?1, ?2, ?3)",
        rusqlite::params![size, forged, crate::support::NOW],
    )
    .unwrap();
    let report = vault.verify_with(&k1);
    assert!(!report.ok);
    let found = problems(&report);
    assert!(
        found
            .iter()
            .any(|(p, d)| p == "key-change" && d.contains("two successors")),
        "{found:?}"
    );
    // The legitimate chain still verifies every checkpoint.
    assert!(found.iter().all(|(p, _)| p == "key-change"), "{found:?}");
}
