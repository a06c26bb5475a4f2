//! Attacks on files and media by someone with the station's OS account (issue 21): exports
//! into the vault itself, imports out of it, rows that make the cleanup at open delete what
//! it did not make, an edited hash that let plaintext reach a stick, loose permissions,
//! objects swapped for FIFOs and links, a damaged database page, and export destinations
//! named through links.

use std::os::unix::fs::PermissionsExt;
use std::path::Path;
use std::time::Duration;

use crate::support::cli::export_args;
use crate::support::mounts::{Stick, StickFs};
use crate::support::{TestVault, insider, requires};

/// Lines a reader would recognise in a disk image: what must never be found there.
fn canary(lines: usize) -> Vec<u8> {
    (0..lines)
        .flat_map(|i| format!("canary line {i:06} of the survey\n").into_bytes())
        .collect()
}

fn count(haystack: &[u8], needle: &[u8]) -> usize {
    haystack.windows(needle.len()).filter(|w| *w == needle).count()
}

fn item_id(vault: &TestVault, control: &str) -> String {
    vault.json(&["show", control])["id"].as_str().expect("id").to_string()
}

fn exit_code(vault: &TestVault, args: &[&str]) -> (i32, String) {
    let out = vault.run(args);
    let out = out.get_output();
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

#[test]
fn an_export_into_the_vault_is_refused_however_it_is_named() {
    let vault = TestVault::new();
    let src = vault.file("plan.txt", b"the plaintext plan");
    let control = vault.import(&[&src], "internal").remove(0);
    let db = vault.root.join("strongroom.db");
    let link = vault.scratch("link-to-vault");
    std::os::unix::fs::symlink(&vault.root, &link).unwrap();
    let attempts = [
        db.clone(),
        vault.root.clone(),
        vault.root.join("objects").join("x"),
        vault.root.join("tmp"),
        link.join("strongroom.db"),
        link.clone(),
    ];
    for to in &attempts {
        let (code, stderr) = exit_code(&vault, &export_args(&control, to.to_str().unwrap(), &["--force"]));
        assert_eq!(code, 5, "export --to {} was not refused: {stderr}", to.display());
        assert!(stderr.contains("inside the vault"), "{stderr}");
    }
    // The database is still the vault's (each refused run did record its sign-in).
    assert!(std::fs::read(&db).unwrap().starts_with(b"SQLite format 3\0"));
    vault.ok(&["ledger", "verify"]);
    let mut names: Vec<_> = std::fs::read_dir(&vault.root)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|n| !n.starts_with("strongroom.db-"))
        .collect();
    names.sort();
    assert_eq!(names, ["objects", "quarantine", "strongroom.db", "tmp"]);
    assert_eq!(vault.object_files().len(), 1, "no plaintext among the objects");
    // The vault still works, and an ordinary export still does.
    let out = vault.scratch("out");
    std::fs::create_dir_all(&out).unwrap();
    vault.ok(&export_args(&control, out.to_str().unwrap(), &[]));
    assert_eq!(std::fs::read(out.join("plan.txt")).unwrap(), b"the plaintext plan");

    // A bind mount of the vault's objects directory does not hide it.
    if requires::root("bind-mounting the vault's objects directory") {
        let bound = vault.scratch("bound");
        std::fs::create_dir_all(&bound).unwrap();
        let status = std::process::Command::new("mount")
            .args([
                "--bind",
                vault.root.join("objects").to_str().unwrap(),
                bound.to_str().unwrap(),
            ])
            .status()
            .unwrap();
        assert!(status.success(), "mount --bind");
        let (code, stderr) = exit_code(&vault, &export_args(&control, bound.join("x").to_str().unwrap(), &[]));
        let (import_code, import_err) = exit_code(&vault, &["import", bound.to_str().unwrap(), "--level", "internal"]);
        let _ = std::process::Command::new("umount").arg(&bound).status();
        assert_eq!(code, 5, "export into a bind mount of objects/: {stderr}");
        assert_eq!(import_code, 5, "import from a bind mount of objects/: {import_err}");
    }
}

#[test]
fn an_import_from_inside_the_vault_is_refused() {
    let vault = TestVault::new();
    let src = vault.file("plan.txt", b"the plaintext plan");
    vault.import(&[&src], "internal");
    let sources = [
        vault.root.join("objects"),
        vault.root.join("strongroom.db"),
        vault.root.clone(),
        // A directory holding the vault: the walk would reach it.
        vault.dir.path().to_path_buf(),
    ];
    for source in &sources {
        let (code, stderr) = exit_code(&vault, &["import", source.to_str().unwrap(), "--level", "internal"]);
        assert_eq!(code, 5, "import {} was not refused: {stderr}", source.display());
        assert!(stderr.contains("vault"), "{stderr}");
    }
    let link = vault.scratch("objects-link");
    std::os::unix::fs::symlink(vault.root.join("objects"), &link).unwrap();
    let (code, stderr) = exit_code(
        &vault,
        &[
            "import",
            link.to_str().unwrap(),
            "--level",
            "internal",
            "--follow-symlinks",
        ],
    );
    assert_eq!(code, 5, "import through a link to objects/: {stderr}");
    assert_eq!(
        vault.json(&["list"]).as_array().unwrap().len(),
        1,
        "nothing was imported"
    );
}

#[test]
fn the_cleanup_at_open_keeps_what_it_did_not_make() {
    let vault = TestVault::new();
    let a = vault.file("a.txt", b"first item");
    let b = vault.file("b.txt", b"second item");
    let controls = vault.import(&[&a, &b], "internal");
    let kept_id = item_id(&vault, &controls[0]);
    let precious = vault.file("thesis.doc", b"years of work");
    let dead_owner = "0f0e0d0c-0b0a-4908-8706-050403020100";
    let before = vault.events().len();
    {
        // The insider: a recorded "temp" naming a file of theirs, a "placeholder" that is not
        // empty, and an active item set back to pending under a dead owner.
        let db = insider::unguarded(&vault.root);
        let item = uuid::Uuid::parse_str(&kept_id).unwrap().as_bytes().to_vec();
        db.execute(
            "INSERT INTO export_temps (path, item, owner, created_at, kind) VALUES (?1, ?2, ?3, '2026-01-01T00:00:00.000Z', 'temp')",
            rusqlite::params![precious.to_str().unwrap().as_bytes(), item, dead_owner],
        )
        .unwrap();
        let placeholder = vault.file("report.pdf", b"not empty");
        db.execute(
            "INSERT INTO export_temps (path, item, owner, created_at, kind, dev, ino) VALUES (?1, ?2, ?3, '2026-01-01T00:00:00.000Z', 'placeholder', 1, 2)",
            rusqlite::params![placeholder.to_str().unwrap().as_bytes(), item, dead_owner],
        )
        .unwrap();
        db.execute(
            "UPDATE items SET status = 'pending', pending_owner = ?2 WHERE id = ?1",
            rusqlite::params![item, dead_owner],
        )
        .unwrap();
    }
    // A leftover on a medium that is not plugged in now: kept for a later open.
    let absent = vault
        .scratch("unplugged")
        .join("STICK")
        .join(".strongroom-0f0e0d0c-0b0a-4908-8706-050403020100.part");
    vault
        .db()
        .execute(
            "INSERT INTO export_temps (path, item, owner, created_at, kind) VALUES (?1, ?2, ?3, '2026-01-01T00:00:00.000Z', 'temp')",
            rusqlite::params![
                absent.to_str().unwrap().as_bytes(),
                uuid::Uuid::parse_str(&kept_id).unwrap().as_bytes().to_vec(),
                dead_owner
            ],
        )
        .unwrap();
    let object = vault.object_path(&kept_id);
    assert!(object.exists());
    // The next open sweeps.
    vault.ok(&["list"]);
    assert_eq!(std::fs::read(&precious).unwrap(), b"years of work");
    assert_eq!(std::fs::read(vault.scratch("report.pdf")).unwrap(), b"not empty");
    assert!(
        object.exists(),
        "the object of an item whose import is recorded was kept"
    );
    let alerts: Vec<_> = vault
        .events()
        .into_iter()
        .skip(before)
        .filter(|e| e["action"] == "sweep.alert")
        .collect();
    assert_eq!(alerts.len(), 3, "each kept leftover is reported: {alerts:?}");
    assert!(alerts.iter().all(|e| e["details"]["item"] == kept_id.as_str()));
    let temps: Vec<Vec<u8>> = {
        let db = vault.db();
        let mut stmt = db.prepare("SELECT path FROM export_temps").unwrap();
        stmt.query_map([], |r| r.get(0)).unwrap().map(Result::unwrap).collect()
    };
    assert_eq!(
        temps,
        [absent.to_str().unwrap().as_bytes().to_vec()],
        "only the unplugged medium's row waits"
    );
    // Reported once: the next open does not report again.
    vault.ok(&["list"]);
    let again = vault.events().iter().filter(|e| e["action"] == "sweep.alert").count();
    assert_eq!(again, 3);
    // Officers see them among the open alerts.
    let open = strongroom::ledger::events::open_alerts(&vault.db(), |_, _| false).unwrap();
    assert_eq!(open.iter().filter(|e| e.action == "sweep.alert").count(), 3);
}

#[test]
fn a_destroyed_items_leftover_object_is_swept_and_only_then() {
    let vault = TestVault::new();
    let a = vault.file("a.txt", b"to be destroyed");
    let b = vault.file("b.txt", b"to be kept");
    let controls = vault.import(&[&a, &b], "internal");
    let destroyed = item_id(&vault, &controls[0]);
    let marked = item_id(&vault, &controls[1]);
    let saved = vault.scratch("saved.sro");
    std::fs::copy(vault.object_path(&destroyed), &saved).unwrap();
    vault.ok(&["destroy", &controls[0], "--reason", "retention ended", "--yes"]);
    // A kill after the destruction committed and before the file went: put it back.
    std::fs::copy(&saved, vault.object_path(&destroyed)).unwrap();
    // And a row marked destroyed by hand, with a destruction event forged into the ledger:
    // its key was never erased, so its ciphertext is not swept.
    let marked_bytes = uuid::Uuid::parse_str(&marked).unwrap().as_bytes().to_vec();
    let db = vault.db();
    db.execute("UPDATE items SET status = 'destroyed' WHERE id = ?1", [&marked_bytes])
        .unwrap();
    db.execute(
        "INSERT INTO events (seq, time, actor, action, subject, level, item, canonical)
         SELECT max(seq) + 1, '2026-01-01T00:00:00.000Z', 'alice', 'item.destroy', 'x', 1, ?1, x'7b7d' FROM events",
        [&marked_bytes],
    )
    .unwrap();
    drop(db);
    vault.ok(&["list"]);
    assert!(
        !vault.object_path(&destroyed).exists(),
        "the orphaned ciphertext was swept"
    );
    assert!(
        vault.object_path(&marked).exists(),
        "an object is removed only after a recorded destruction"
    );
}

#[test]
fn loose_permissions_are_refused_naming_the_path_and_the_fix() {
    let vault = TestVault::new();
    let src = vault.file("a.txt", b"an item");
    let control = vault.import(&[&src], "internal").remove(0);
    let fan = vault
        .object_path(&item_id(&vault, &control))
        .parent()
        .unwrap()
        .to_path_buf();
    let cases: [(&Path, u32, u32, &str); 5] = [
        (&vault.root, 0o755, 0o700, "chmod 700"),
        (&vault.root.join("strongroom.db"), 0o644, 0o600, "chmod 600"),
        (&fan, 0o777, 0o700, "chmod 700"),
        (&vault.root.join("quarantine"), 0o750, 0o700, "chmod 700"),
        (&vault.root.join("tmp"), 0o711, 0o700, "chmod 700"),
    ];
    for (path, loose, private, fix) in cases {
        std::fs::set_permissions(path, std::fs::Permissions::from_mode(loose)).unwrap();
        let (code, stderr) = exit_code(&vault, &["list"]);
        std::fs::set_permissions(path, std::fs::Permissions::from_mode(private)).unwrap();
        assert_eq!(code, 5, "{} at {loose:o} was accepted: {stderr}", path.display());
        assert!(
            stderr.contains(&format!("{fix} {}", path.display())),
            "the message names the path and the fix: {stderr}"
        );
    }
    vault.ok(&["list"]);
}

#[test]
fn an_object_swapped_for_a_fifo_or_a_link_fails_at_once() {
    let vault = TestVault::new();
    let src = vault.file("a.txt", b"an item");
    let control = vault.import(&[&src], "internal").remove(0);
    let object = vault.object_path(&item_id(&vault, &control));
    let fifo = vault.scratch("fifo");
    let rc = unsafe { libc::mkfifo(std::ffi::CString::new(fifo.to_str().unwrap()).unwrap().as_ptr(), 0o600) };
    assert_eq!(rc, 0);
    let out = vault.scratch("out");
    std::fs::create_dir_all(&out).unwrap();
    std::fs::remove_file(&object).unwrap();
    std::os::unix::fs::symlink(&fifo, &object).unwrap();
    let run = |what: &str| {
        let assert = assert_cmd::Command::from_std(vault.as_alice())
            .args([
                "export",
                "--yes",
                "--reason",
                "checked by the test",
                &control,
                "--to",
                out.to_str().unwrap(),
            ])
            .timeout(Duration::from_secs(20))
            .assert();
        let output = assert.get_output();
        let stderr = String::from_utf8_lossy(&output.stderr);
        assert_eq!(output.status.code(), Some(6), "{what}: {stderr}");
    };
    run("an object replaced by a link to a FIFO");
    std::fs::remove_file(&object).unwrap();
    let rc = unsafe {
        libc::mkfifo(
            std::ffi::CString::new(object.to_str().unwrap()).unwrap().as_ptr(),
            0o600,
        )
    };
    assert_eq!(rc, 0);
    run("an object replaced by a FIFO");
    assert_eq!(std::fs::read_dir(&out).unwrap().count(), 0);
}

#[test]
fn a_damaged_page_is_an_integrity_failure() {
    let vault = TestVault::new();
    let src = vault.file("a.txt", b"an item");
    vault.import(&[&src], "internal");
    let db_path = vault.root.join("strongroom.db");
    let (page_size, root_page): (i64, i64) = {
        let db = vault.db();
        db.query_row("PRAGMA wal_checkpoint(TRUNCATE)", [], |_| Ok(())).unwrap();
        (
            db.query_row("PRAGMA page_size", [], |r| r.get(0)).unwrap(),
            db.query_row("SELECT rootpage FROM sqlite_master WHERE name = 'items'", [], |r| {
                r.get(0)
            })
            .unwrap(),
        )
    };
    // One page in the middle of the file: the items table's root.
    let mut bytes = std::fs::read(&db_path).unwrap();
    let start = ((root_page - 1) * page_size) as usize;
    bytes[start..start + page_size as usize].fill(0x5a);
    std::fs::write(&db_path, &bytes).unwrap();
    let (code, stderr) = exit_code(&vault, &["list"]);
    assert_eq!(code, 6, "{stderr}");
    assert!(stderr.contains("damaged") && stderr.contains("backup"), "{stderr}");
}

#[test]
fn the_ledger_records_the_real_directory_not_a_link() {
    let vault = TestVault::new();
    let src = vault.file("a.txt", b"an item");
    let control = vault.import(&[&src], "internal").remove(0);
    let real = vault.scratch("real");
    std::fs::create_dir_all(&real).unwrap();
    let link = vault.scratch("linkdir");
    std::os::unix::fs::symlink(&real, &link).unwrap();
    vault.ok(&export_args(&control, link.to_str().unwrap(), &[]));
    assert!(real.join("a.txt").exists());
    let events = vault.events();
    let export = events.iter().rev().find(|e| e["action"] == "item.export").unwrap();
    assert_eq!(
        export["details"]["destination_dir"],
        std::fs::canonicalize(&real).unwrap().to_str().unwrap()
    );
}

/// Export `control` to an exFAT stick after `tamper` changed the vault, expect exit 6, and
/// look for the canary in the stick's whole image once unmounted.
fn refused_export_leaves_no_canary_on_a_stick(tamper: impl FnOnce(&TestVault, &str), why: &str) {
    let vault = TestVault::new();
    let data = canary(100_000); // 3.3 MB: four 1 MiB chunks
    let src = vault.file("survey.txt", &data);
    let control = vault.import(&[&src], "internal").remove(0);
    tamper(&vault, &control);
    let scratch = tempfile::tempdir().unwrap();
    let (code, stderr) = {
        let stick = Stick::mount(scratch.path(), StickFs::Exfat, 16);
        let result = exit_code(&vault, &export_args(&control, stick.path.to_str().unwrap(), &[]));
        assert_eq!(
            std::fs::read_dir(&stick.path).unwrap().count(),
            0,
            "no file is left on the stick"
        );
        result
    };
    assert_eq!(code, 6, "{stderr}");
    assert!(stderr.contains(why), "{stderr}");
    let image = std::fs::read(scratch.path().join("stick.img")).unwrap();
    assert_eq!(
        count(&image, b"canary line"),
        0,
        "plaintext lines are recoverable from the stick's image"
    );
}

#[test]
fn an_edited_hash_is_refused_before_any_plaintext_reaches_the_stick() {
    if !requires::fuse_with("an exFAT stick", StickFs::Exfat.programs()) {
        return;
    }
    refused_export_leaves_no_canary_on_a_stick(
        |vault, control| {
            let id = uuid::Uuid::parse_str(&item_id(vault, control)).unwrap();
            vault
                .db()
                .execute(
                    "UPDATE items SET sha256 = zeroblob(32) WHERE id = ?1",
                    [id.as_bytes().to_vec()],
                )
                .unwrap();
        },
        "custody history",
    );
}

#[test]
fn an_export_that_fails_midway_zeroes_what_it_wrote() {
    if !requires::fuse_with("an exFAT stick", StickFs::Exfat.programs()) {
        return;
    }
    refused_export_leaves_no_canary_on_a_stick(
        |vault, control| {
            // Chunk 2 of 4 fails authentication: two chunks of plaintext were already written.
            let object = vault.object_path(&item_id(vault, control));
            let mut bytes = std::fs::read(&object).unwrap();
            let middle = bytes.len() * 5 / 8;
            bytes[middle] ^= 0x01;
            std::fs::write(&object, &bytes).unwrap();
        },
        "failed authentication",
    );
}

#[test]
fn what_an_interrupted_init_leaves_does_not_stop_the_next_one() {
    // What a kill leaves at each step: the staging directory alone, then with the vault's
    // directories already moved out of it.
    for moved in [&[][..], &["objects", "tmp"][..], &["objects", "tmp", "quarantine"][..]] {
        let vault = TestVault::uninitialized();
        let staging = vault.root.join(".init-0f0e0d0c-0b0a-4908-8706-050403020100");
        std::fs::create_dir_all(&staging).unwrap();
        std::fs::write(staging.join("strongroom.db"), b"half a database").unwrap();
        for dir in moved {
            std::fs::create_dir(vault.root.join(dir)).unwrap();
        }
        vault.init();
        vault.ok(&["list"]);
        let mut names: Vec<_> = std::fs::read_dir(&vault.root)
            .unwrap()
            .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
            .filter(|n| !n.starts_with("strongroom.db-"))
            .collect();
        names.sort();
        assert_eq!(names, ["objects", "quarantine", "strongroom.db", "tmp"]);
    }
    // A second `init` while one is building there is refused, and touches nothing.
    let vault = TestVault::uninitialized();
    std::fs::create_dir_all(&vault.root).unwrap();
    let held = std::fs::File::open(&vault.root).unwrap();
    assert_eq!(
        unsafe { libc::flock(std::os::fd::AsRawFd::as_raw_fd(&held), libc::LOCK_EX) },
        0
    );
    let (code, stderr) = exit_code(&vault, &crate::support::cli::INIT_AT_THE_FLOOR);
    assert_eq!(code, 1, "{stderr}");
    assert!(stderr.contains("another `init`"), "{stderr}");
    assert!(vault.root.exists());
    drop(held);

    // Anything else in the directory still makes it "not empty".
    let vault = TestVault::uninitialized();
    std::fs::create_dir_all(vault.root.join(".init-mine")).unwrap();
    std::fs::create_dir_all(vault.root.join("objects/ab")).unwrap();
    let (code, stderr) = exit_code(&vault, &crate::support::cli::INIT_AT_THE_FLOOR);
    assert_eq!(code, 1, "{stderr}");
    assert!(stderr.contains("not empty"), "{stderr}");
    assert!(vault.root.join(".init-mine").exists() && vault.root.join("objects/ab").exists());
}

#[test]
fn a_killed_init_leaves_either_a_vault_or_a_directory_init_can_use() {
    let mut rng = crate::support::Rng::new(21);
    let mut interrupted = 0;
    for _ in 0..8 {
        let vault = TestVault::uninitialized();
        let mut child = vault
            .as_alice()
            .args(crate::support::cli::INIT_AT_THE_FLOOR)
            .stdout(std::process::Stdio::null())
            .stderr(std::process::Stdio::null())
            .spawn()
            .unwrap();
        std::thread::sleep(Duration::from_millis(50 + rng.below(700)));
        let _ = child.kill();
        let _ = child.wait();
        if !vault.root.join("strongroom.db").exists() {
            interrupted += 1;
            vault.init();
        }
        vault.ok(&["list"]);
    }
    assert!(interrupted >= 1, "no kill landed before init finished");
}

#[test]
fn a_vault_reached_through_a_link_opens() {
    let vault = TestVault::new();
    let link = vault.scratch("vault-link");
    std::os::unix::fs::symlink(&vault.root, &link).unwrap();
    let out = vault
        .as_alice()
        .env("STRONGROOM_VAULT", &link)
        .args(["list"])
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
}
