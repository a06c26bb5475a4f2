//! Settling the quarantine through the real binary (issue 28, item 5): an officer releases
//! an entry as a vault item (never below the level it was sealed at) or destroys it, with a
//! witness at or above the two-person level; a damaged entry, a second settlement, an
//! insider's edits of the table and of the files, and a death half-way leave the entry held
//! and no plaintext anywhere; a death after the settlement is finished at the next open.

use std::process::Stdio;

use crate::support::files::sha256_file;
use crate::support::guard::quarantined;
use crate::support::guard_scene::Scene;
use crate::support::{TestVault, code, requires, stderr};

const SURVEY: &[u8] = b"the survey of the northern harbour, 1:5000, from the stick";
const ROADS: &[u8] = b"roads and bridges, vector layer, from the stick";

/// Several 1 MiB chunks, so the pipe between the entry and the new item fills many times.
fn large() -> Vec<u8> {
    crate::support::pseudo_random(3 << 20, 28)
}

/// A vault with bob (an officer, for witness) and two contained copies.
fn scene() -> Option<(TestVault, std::path::PathBuf, Vec<String>)> {
    if !requires::root("the guard's state is root's") {
        return None;
    }
    let vault = TestVault::new();
    let bob = vault.add_ready_user("bob", "officer", "top-secret", "bob's own passphrase 1");
    let large = large();
    let ids = quarantined(
        &vault,
        &[("survey.tif", SURVEY), ("roads.gpkg", ROADS), ("dem.tif", &large)],
    );
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
    // Unknown material is sealed at top-secret (the policy's default): never released
    // lower (that would be a downgrade, with its own rules), and only with a witness.
    let lower = vault.run(&["quarantine", "release", id, "--level", "secret", "--reason", "surveyed"]);
    assert_ne!(code(&lower), 0);
    assert!(stderr(&lower).contains("top-secret or above"), "{}", stderr(&lower));
    let alone = vault.run(&[
        "quarantine",
        "release",
        id,
        "--level",
        "top-secret",
        "--reason",
        "surveyed",
    ]);
    assert_ne!(code(&alone), 0);
    assert!(stderr(&alone).contains("witness"), "{}", stderr(&alone));
    assert_eq!(entry(&vault, id)["status"], "held");
    assert!(entry_file(&vault, id).exists());

    let mut args = vec![
        "quarantine",
        "release",
        id,
        "--level",
        "top-secret",
        "--reason",
        "surveyed",
    ];
    args.extend(witness);
    let released = vault.json(&args);
    let control = released["control_number"].as_str().unwrap();
    assert_eq!(released["level"], "top-secret");
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
    let mut again = vec![
        "quarantine",
        "release",
        id,
        "--level",
        "top-secret",
        "--reason",
        "twice",
    ];
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
fn a_damaged_entry_an_insiders_edits_and_deaths_leave_the_entry_held_or_settled_whole() {
    let Some((vault, bob, ids)) = scene() else { return };
    let witness = ["--witness", "bob", "--witness-password-file", bob.to_str().unwrap()];
    let as_alice = |args: Vec<String>| {
        vault
            .cmd()
            .args(args)
            .arg("--password-file")
            .arg(&vault.password_file)
            .assert()
    };
    let release = |id: &str| -> Vec<String> {
        let mut args = vec!["quarantine", "release", id, "--level", "top-secret", "--reason", "r"];
        args.extend(witness);
        args.into_iter().map(String::from).collect()
    };
    let destroy = |id: &str| -> Vec<String> {
        let mut args = vec!["quarantine", "destroy", id, "--reason", "r"];
        args.extend(witness);
        args.into_iter().map(String::from).collect()
    };
    let items_before = vault.json(&["list"]).as_array().unwrap().len();

    // One flipped byte in the middle of a 3 MiB entry: refused as damaged, no item, no
    // plaintext; put back, it releases to exactly the bytes copied.
    let big = &ids[2];
    let path = entry_file(&vault, big);
    let original = std::fs::read(&path).unwrap();
    let mut bytes = original.clone();
    let middle = bytes.len() / 2;
    bytes[middle] ^= 1;
    std::fs::write(&path, &bytes).unwrap();
    let out = as_alice(release(big));
    assert_ne!(code(&out), 0);
    assert!(stderr(&out).contains("quarantine entry"), "{}", stderr(&out));
    assert_eq!(entry(&vault, big)["status"], "held");
    assert_eq!(vault.json(&["list"]).as_array().unwrap().len(), items_before);
    no_plaintext(&vault);
    std::fs::write(&path, &original).unwrap();
    let out = as_alice(release(big));
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    let control = vault.json(&["list"]).as_array().unwrap()[0]["control_number"]
        .as_str()
        .unwrap()
        .to_string();
    let out_dir = vault.scratch("big-out");
    std::fs::create_dir_all(&out_dir).unwrap();
    vault.ok(&[
        "export",
        &control,
        "--to",
        out_dir.to_str().unwrap(),
        "--yes",
        "--reason",
        "check",
    ]);
    let exported = std::fs::read_dir(&out_dir).unwrap().next().unwrap().unwrap().path();
    assert!(
        std::fs::read(&exported).unwrap() == large(),
        "the released item is the copy"
    );
    let items_before = items_before + 1;

    // An insider marks an entry released with SQL: nobody can settle it, and its sealed
    // file stays (the ledger records no release, so no open erases it).
    let set = |sql: &str, id: &str| {
        vault.db().execute(sql, [id]).unwrap();
    };
    set(
        "UPDATE quarantine SET status = 'released' WHERE hex(id) = upper(?1)",
        &ids[1],
    );
    assert_ne!(code(&as_alice(release(&ids[1]))), 0);
    vault.ok(&["quarantine", "list"]);
    assert!(entry_file(&vault, &ids[1]).exists());
    set(
        "UPDATE quarantine SET status = 'held' WHERE hex(id) = upper(?1)",
        &ids[1],
    );

    // An insider lowers an entry's level in its row: the row no longer agrees with the
    // guard's alert, and nothing is settled on its word.
    set("UPDATE quarantine SET level = 0 WHERE hex(id) = upper(?1)", &ids[1]);
    let out = as_alice(destroy(&ids[1]));
    assert_ne!(code(&out), 0);
    assert!(
        stderr(&out).contains("disagrees with the guard's alert"),
        "{}",
        stderr(&out)
    );
    set("UPDATE quarantine SET level = 4 WHERE hex(id) = upper(?1)", &ids[1]);
    assert_eq!(entry(&vault, &ids[1])["level"], "top-secret");

    // The entry's file swapped for a FIFO: refused at once (no hang), nothing recorded.
    let entry_path = entry_file(&vault, &ids[1]);
    let aside = vault.scratch("aside.sro");
    std::fs::rename(&entry_path, &aside).unwrap();
    let fifo = std::ffi::CString::new(entry_path.to_str().unwrap()).unwrap();
    // SAFETY: a valid C string; mkfifo has no other preconditions.
    assert_eq!(unsafe { libc::mkfifo(fifo.as_ptr(), 0o600) }, 0);
    let out = as_alice(destroy(&ids[1]));
    assert_ne!(code(&out), 0);
    assert!(stderr(&out).contains("regular file"), "{}", stderr(&out));
    assert_eq!(entry(&vault, &ids[1])["status"], "held");
    std::fs::remove_file(&entry_path).unwrap();
    std::fs::rename(&aside, &entry_path).unwrap();

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

    // Death after a settlement commits, before the entry's file is erased: the next open
    // erases it.
    for (id, args) in [(&ids[0], release(&ids[0])), (&ids[1], destroy(&ids[1]))] {
        let mut cmd = vault.as_alice();
        cmd.args(args).env("STRONGROOM_TEST_CRASH_AFTER_SETTLE", "1");
        let died = cmd.stdout(Stdio::null()).stderr(Stdio::null()).status().unwrap();
        assert!(!died.success(), "the process died at the crash point");
        assert!(entry_file(&vault, id).exists(), "not erased yet");
        assert_ne!(entry(&vault, id)["status"], "held");
        assert!(!entry_file(&vault, id).exists(), "the open that listed it erased it");
    }
    assert_eq!(vault.json(&["list"]).as_array().unwrap().len(), items_before + 1);
    no_plaintext(&vault);
    vault.ok(&["ledger", "verify"]);
}

/// A small tmpfs mounted over a directory while it lives.
struct Tmpfs(std::path::PathBuf);

impl Tmpfs {
    fn over(dir: &std::path::Path, size: &str) -> Tmpfs {
        let status = std::process::Command::new("mount")
            .args(["-t", "tmpfs", "-o", &format!("size={size},mode=0700"), "tmpfs"])
            .arg(dir)
            .status()
            .unwrap();
        assert!(status.success(), "mount tmpfs");
        Tmpfs(dir.to_path_buf())
    }
}

impl Drop for Tmpfs {
    fn drop(&mut self) {
        let _ = std::process::Command::new("umount").arg(&self.0).status();
    }
}

#[test]
fn a_full_quarantine_leaves_the_copy_in_place_and_the_alert_says_why() {
    if !requires::root("the guard's state is root's; a tmpfs stands in for a full disk") {
        return;
    }
    let vault = TestVault::new();
    vault.ok(&["guard", "enable"]);
    let content = crate::support::pseudo_random(1 << 20, 2808);
    let mut scene = Scene::start(
        &vault.root,
        &vault.guard_dir(),
        &vault.scratch("full"),
        &[("mosaic.tif", &content)],
    );
    // The quarantine on a 64 KiB file system: a 1 MiB entry does not fit.
    let full = Tmpfs::over(&vault.root.join("quarantine"), "64k");
    let alert = scene.copy("mosaic.tif");
    let why = alert["details"]["not_contained"]
        .as_str()
        .unwrap_or_else(|| panic!("{alert}"));
    assert!(why.contains("could not be written"), "{why}");
    assert!(alert["details"]["quarantine"].is_null(), "{alert}");
    // Evidence is never lost: the plaintext copy stays, whole; no partial entry is left.
    assert_eq!(std::fs::read(scene.home.join("mosaic.tif")).unwrap(), content);
    let left: Vec<_> = std::fs::read_dir(vault.root.join("quarantine")).unwrap().collect();
    assert!(left.is_empty(), "{left:?}");
    drop(full);
    assert_eq!(
        vault.json(&["quarantine", "list"]).as_array().unwrap().len(),
        0,
        "no row for an entry that was never written"
    );
}
