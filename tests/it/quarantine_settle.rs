//! Settling the quarantine through the real binary (issue 28, item 5): an officer releases
//! an entry as a vault item or destroys it, with a witness at or above the two-person
//! level; a damaged entry, a second settlement, an insider's edit of the status and a death
//! half-way leave the entry held and no plaintext anywhere.

use std::process::Stdio;

use crate::support::files::sha256_file;
use crate::support::guard::quarantined;
use crate::support::{TestVault, code, requires, stderr};

const SURVEY: &[u8] = b"the survey of the northern harbour, 1:5000, from the stick";
const ROADS: &[u8] = b"roads and bridges, vector layer, from the stick";

/// A vault with bob (an officer, for witness) and two contained copies.
fn scene() -> Option<(TestVault, std::path::PathBuf, Vec<String>)> {
    if !requires::root("the guard's state is root's") {
        return None;
    }
    let vault = TestVault::new();
    let bob = vault.add_ready_user("bob", "officer", "top-secret", "bob's own passphrase 1");
    let ids = quarantined(&vault, &[("survey.tif", SURVEY), ("roads.gpkg", ROADS)]);
    Some((vault, bob, ids))
}

fn entry(vault: &TestVault, id: &str) -> serde_json::Value {
    let list = vault.json(&["quarantine", "list"]);
    list.as_array().unwrap().iter().find(|e| e["id"] == id).unwrap().clone()
}

fn entry_file(vault: &TestVault, id: &str) -> std::path::PathBuf {
    vault.root.join("quarantine").join(format!("{id}.sro"))
}

/// What the work and quarantine directories hold besides sealed entries: nothing.
fn no_plaintext(vault: &TestVault) {
    assert!(vault.tmp_entries().is_empty(), "{:?}", vault.tmp_entries());
    for file in std::fs::read_dir(vault.root.join("quarantine")).unwrap() {
        let name = file.unwrap().file_name().into_string().unwrap();
        assert!(name.ends_with(".sro"), "{name}");
    }
}

#[test]
fn an_entry_released_becomes_an_item_with_its_name_and_content() {
    let Some((vault, bob, ids)) = scene() else { return };
    let id = &ids[0];
    let witness = ["--witness", "bob", "--witness-password-file", bob.to_str().unwrap()];
    // Top-secret (the guard's level for unknown material) is above the two-person level.
    let alone = vault.run(&["quarantine", "release", id, "--level", "secret", "--reason", "surveyed"]);
    assert_ne!(code(&alone), 0);
    assert!(stderr(&alone).contains("witness"), "{}", stderr(&alone));
    assert_eq!(entry(&vault, id)["status"], "held");
    assert!(entry_file(&vault, id).exists());

    let mut args = vec!["quarantine", "release", id, "--level", "secret", "--reason", "surveyed"];
    args.extend(witness);
    let released = vault.json(&args);
    let control = released["control_number"].as_str().unwrap();
    assert_eq!(released["level"], "secret");
    assert_eq!(entry(&vault, id)["status"], "released");
    assert!(
        !entry_file(&vault, id).exists(),
        "the entry is gone once the item holds it"
    );
    no_plaintext(&vault);

    // The item is a vault item like any other: its title is the copy's own name (unsealed
    // from the alert), and it exports to exactly the bytes that were copied.
    let shown = vault.json(&["show", control]);
    assert_eq!(shown["title"], "survey.tif");
    assert_eq!(shown["category"], "raster");
    let out = vault.scratch("out");
    std::fs::create_dir_all(&out).unwrap();
    vault.ok(&[
        "export",
        control,
        "--to",
        out.to_str().unwrap(),
        "--yes",
        "--reason",
        "check",
    ]);
    let exported = std::fs::read_dir(&out).unwrap().next().unwrap().unwrap().path();
    assert_eq!(std::fs::read(&exported).unwrap(), SURVEY);
    assert_eq!(sha256_file(&exported), entry(&vault, id)["sha256"].as_str().unwrap());

    // Recorded: a release beside the import, naming the witness; the ledger verifies.
    let events = vault.events();
    let release = events.iter().find(|e| e["action"] == "quarantine.release").unwrap();
    assert_eq!(release["details"]["entry"], id.as_str());
    assert_eq!(release["details"]["control_number"], control);
    assert_eq!(release["details"]["witness"], "bob");
    let import_seq = events
        .iter()
        .find(|e| e["action"] == "item.import" && e["details"]["control_number"] == control)
        .unwrap()["seq"]
        .as_i64()
        .unwrap();
    assert_eq!(release["seq"].as_i64().unwrap(), import_seq + 1);
    vault.ok(&["ledger", "verify"]);

    // Once only.
    let mut again = vec!["quarantine", "release", id, "--level", "secret", "--reason", "twice"];
    again.extend(witness);
    let again = vault.run(&again);
    assert_ne!(code(&again), 0);
    assert!(stderr(&again).contains("already released"), "{}", stderr(&again));
}

#[test]
fn an_entry_destroyed_is_recorded_then_erased() {
    let Some((vault, bob, ids)) = scene() else { return };
    let id = &ids[1];
    let alone = vault.run(&["quarantine", "destroy", id, "--reason", "not needed"]);
    assert_ne!(code(&alone), 0);
    assert!(entry_file(&vault, id).exists());
    vault.ok(&[
        "quarantine",
        "destroy",
        id,
        "--reason",
        "not needed",
        "--witness",
        "bob",
        "--witness-password-file",
        bob.to_str().unwrap(),
    ]);
    assert_eq!(entry(&vault, id)["status"], "destroyed");
    assert!(!entry_file(&vault, id).exists());
    let destroy = vault
        .events()
        .into_iter()
        .find(|e| e["action"] == "quarantine.destroy")
        .unwrap();
    assert_eq!(destroy["details"]["entry"], id.as_str());
    assert_eq!(destroy["details"]["witness"], "bob");
    // The other entry is untouched and still opens.
    vault.ok(&["quarantine", "show", &ids[0]]);
    // Nothing to release any more.
    let late = vault.run(&[
        "quarantine",
        "release",
        id,
        "--level",
        "secret",
        "--reason",
        "late",
        "--witness",
        "bob",
        "--witness-password-file",
        bob.to_str().unwrap(),
    ]);
    assert_ne!(code(&late), 0);
    assert!(stderr(&late).contains("already destroyed"), "{}", stderr(&late));
}

#[test]
fn a_damaged_entry_an_insiders_status_and_a_death_leave_the_entry_held() {
    let Some((vault, bob, ids)) = scene() else { return };
    let witness = ["--witness", "bob", "--witness-password-file", bob.to_str().unwrap()];
    let release = |id: &str| {
        let mut args = vec!["quarantine", "release", id, "--level", "top-secret", "--reason", "r"];
        args.extend(witness);
        args.into_iter().map(String::from).collect::<Vec<_>>()
    };
    let items_before = vault.json(&["list"]).as_array().unwrap().len();

    // One flipped byte in the ciphertext: refused as damaged, no item, no plaintext.
    let path = entry_file(&vault, &ids[0]);
    let original = std::fs::read(&path).unwrap();
    let mut bytes = original.clone();
    let at = bytes.len() - 40;
    bytes[at] ^= 1;
    std::fs::write(&path, &bytes).unwrap();
    let out = vault
        .cmd()
        .args(release(&ids[0]))
        .args(["--password-file"])
        .arg(&vault.password_file)
        .assert();
    assert_ne!(code(&out), 0);
    assert!(stderr(&out).contains("quarantine entry"), "{}", stderr(&out));
    assert_eq!(entry(&vault, &ids[0])["status"], "held");
    assert_eq!(vault.json(&["list"]).as_array().unwrap().len(), items_before);
    no_plaintext(&vault);
    std::fs::write(&path, &original).unwrap();

    // An insider marks an entry released with SQL: it is not held, so nobody can settle it
    // again, and its sealed file stays (the ledger records no release).
    vault
        .db()
        .execute(
            "UPDATE quarantine SET status = 'released' WHERE hex(id) = upper(?1)",
            [&ids[1]],
        )
        .unwrap();
    let out = vault
        .cmd()
        .args(release(&ids[1]))
        .args(["--password-file"])
        .arg(&vault.password_file)
        .assert();
    assert_ne!(code(&out), 0);
    assert!(entry_file(&vault, &ids[1]).exists());
    vault
        .db()
        .execute(
            "UPDATE quarantine SET status = 'held' WHERE hex(id) = upper(?1)",
            [&ids[1]],
        )
        .unwrap();

    // Death after the new item's object is in place, before it is activated: the next open
    // sweeps the pending item, the entry is still held, and the release then succeeds.
    let mut cmd = vault.as_alice();
    cmd.args(release(&ids[0]))
        .env("STRONGROOM_TEST_CRASH_AFTER_RENAMES", "1");
    let died = cmd.stdout(Stdio::null()).stderr(Stdio::null()).status().unwrap();
    assert!(!died.success(), "the process died at the crash point");
    assert_eq!(entry(&vault, &ids[0])["status"], "held");
    assert!(entry_file(&vault, &ids[0]).exists());
    assert_eq!(vault.json(&["list"]).as_array().unwrap().len(), items_before);
    let out = vault
        .cmd()
        .args(release(&ids[0]))
        .args(["--password-file"])
        .arg(&vault.password_file)
        .assert();
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    assert_eq!(entry(&vault, &ids[0])["status"], "released");
    no_plaintext(&vault);
    vault.ok(&["ledger", "verify"]);
}
