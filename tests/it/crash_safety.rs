//! Crash safety and concurrency through the real binary: imports and exports killed with
//! SIGKILL at seeded random moments, and two processes importing into one vault at once.

use std::collections::{BTreeMap, BTreeSet};
use std::process::Stdio;
use std::time::Duration;

use crate::support::{PASSWORD, Rng, TestVault, pseudo_random, sha256_file};
use strongroom::Station;
use strongroom::crypto::Password;
use strongroom::progress::Progress;

/// Invariants after any crash, checked once another process has opened the vault; returns
/// that process's list of the items (one unlock serves both).
fn assert_consistent(vault: &TestVault, sources: &BTreeMap<String, String>) -> serde_json::Value {
    // Opening the vault (list) sweeps what dead processes left.
    let listed = vault.json(&["list"]);
    assert!(
        vault.tmp_entries().is_empty(),
        "temp files of a dead process remain: {:?}",
        vault.tmp_entries()
    );
    let db = vault.db();
    let pending: i64 = db
        .query_row("SELECT COUNT(*) FROM items WHERE status != 'active'", [], |r| r.get(0))
        .unwrap();
    assert_eq!(pending, 0, "pending rows remain after the sweep");
    let temps: i64 = db
        .query_row("SELECT COUNT(*) FROM export_temps", [], |r| r.get(0))
        .unwrap();
    assert_eq!(temps, 0, "recorded export temps remain after the sweep");
    let mut stmt = db.prepare("SELECT id FROM items").unwrap();
    let rows: BTreeSet<String> = stmt
        .query_map([], |r| r.get::<_, Vec<u8>>(0))
        .unwrap()
        .map(|id| uuid::Uuid::from_slice(&id.unwrap()).unwrap().to_string())
        .collect();
    let objects: BTreeSet<String> = vault
        .object_files()
        .iter()
        .map(|p| p.file_stem().unwrap().to_string_lossy().into_owned())
        .collect();
    assert_eq!(rows, objects, "every object has its row and every row its object");
    assert_eq!(listed.as_array().unwrap().len(), rows.len());
    // Every allocated control number is either an item or explained by an abort event.
    let last: i64 = db
        .query_row("SELECT COALESCE(MAX(last_serial), 0) FROM control_counters", [], |r| {
            r.get(0)
        })
        .unwrap();
    let events = vault.events();
    let explained = |serial: i64| {
        events.iter().any(|e| {
            e["action"] == "item.import_aborted"
                && e["subject"].as_str().unwrap_or("").ends_with(&format!("{serial:06}"))
        })
    };
    for serial in 1..=last {
        let active: i64 = db
            .query_row("SELECT COUNT(*) FROM items WHERE control_serial = ?1", [serial], |r| {
                r.get(0)
            })
            .unwrap();
        assert!(
            active == 1 || explained(serial),
            "control serial {serial} vanished without an event"
        );
    }
    for item in listed.as_array().unwrap() {
        let title = item["title"].as_str().unwrap();
        assert!(sources.contains_key(title), "unknown item {title}");
    }
    listed
}

/// Wait until `child` has begun writing ciphertext into its work directory, or has exited.
fn wait_for_work(vault: &TestVault, child: &mut std::process::Child) {
    let deadline = std::time::Instant::now() + Duration::from_secs(120);
    while std::time::Instant::now() < deadline {
        if child.try_wait().unwrap().is_some() {
            return;
        }
        let writing = std::fs::read_dir(vault.root.join("tmp"))
            .unwrap()
            .flatten()
            .filter(|e| e.file_type().is_ok_and(|t| t.is_dir()))
            .any(|d| std::fs::read_dir(d.path()).is_ok_and(|mut r| r.next().is_some()));
        if writing {
            return;
        }
        std::thread::sleep(Duration::from_millis(2));
    }
    panic!("the child neither started writing nor exited in 120 s");
}

/// Items whose import committed.
fn active_items(vault: &TestVault) -> i64 {
    vault
        .db()
        .query_row("SELECT COUNT(*) FROM items WHERE status = 'active'", [], |r| r.get(0))
        .unwrap()
}

/// Wait until `child` has committed an item beyond the `before` already there, or has exited.
fn wait_for_commit(vault: &TestVault, child: &mut std::process::Child, before: i64) {
    let deadline = std::time::Instant::now() + Duration::from_secs(120);
    while std::time::Instant::now() < deadline {
        if child.try_wait().unwrap().is_some() || active_items(vault) > before {
            return;
        }
        std::thread::sleep(Duration::from_millis(2));
    }
    panic!("the child neither committed an item nor exited in 120 s");
}

#[test]
fn imports_and_exports_killed_at_random_moments_leave_a_consistent_vault() {
    let vault = TestVault::new();
    let mut rng = Rng::new(0x5eed_cafe_f00d);
    let mut sources: BTreeMap<String, String> = BTreeMap::new();
    let seed_file = vault.file("seed.tif", &pseudo_random(2 * 1024 * 1024, 99));
    sources.insert("seed.tif".into(), sha256_file(&seed_file));
    let seed_control = vault.import(&[&seed_file], "secret").remove(0);
    // Kill times spread over the length of an uninterrupted run on this machine (debug and
    // release builds differ tenfold), a little past its end.
    let calibration: Vec<std::path::PathBuf> = (0..3)
        .map(|i| vault.file(&format!("calibrate{i}.las"), &pseudo_random(3 * 1024 * 1024, 1000 + i)))
        .collect();
    for path in &calibration {
        sources.insert(
            path.file_name().unwrap().to_string_lossy().into_owned(),
            sha256_file(path),
        );
    }
    // Kill times are measured from the moment a run starts writing ciphertext (after its
    // start-up and Argon2id unlock, whose length depends on what else the machine is doing),
    // spread over the length of that phase in an uninterrupted run, a little past its end.
    let mut calibrate = vault.as_alice();
    calibrate.args(["import", "--level", "confidential", "--chunk-kib", "256"]);
    calibrate.args(&calibration);
    let started = std::time::Instant::now();
    let mut child = calibrate.stdout(Stdio::null()).stderr(Stdio::null()).spawn().unwrap();
    wait_for_work(&vault, &mut child);
    let writing = std::time::Instant::now();
    assert!(child.wait().unwrap().success(), "the calibration import failed");
    let work_ms = (writing.elapsed().as_millis() as u64 * 13 / 10).max(50);
    let span_ms = (started.elapsed().as_millis() as u64 * 13 / 10).max(50);
    let runs = 24;
    // Imports killed while running that kept none of their files.
    let mut interrupted = 0;
    for run in 0..runs {
        let mut names = Vec::new();
        let mut child = if run % 4 == 3 {
            // Kill an export: the destination must hold nothing or the whole file.
            let dest = vault.scratch(&format!("export-{run}/seed.tif"));
            let mut cmd = vault.as_alice();
            cmd.args([
                "export",
                "--yes",
                "--reason",
                "checked by the test",
                &seed_control,
                "--to",
            ])
            .arg(&dest);
            cmd.stdout(Stdio::null()).stderr(Stdio::null()).spawn().unwrap()
        } else {
            let mut cmd = vault.as_alice();
            cmd.args(["import", "--level", "confidential", "--chunk-kib", "256"]);
            for i in 0..3 {
                let name = format!("run{run}-file{i}.las");
                names.push(name.clone());
                let mut size = 1024 * 1024 + rng.below(4 * 1024 * 1024) as usize;
                if run % 4 == 0 && i == 0 {
                    // Killed right after its ciphertext starts: a first file large enough
                    // that a busy machine cannot finish it before the kill lands.
                    size = 64 * 1024 * 1024;
                }
                let path = vault.file(&name, &pseudo_random(size, run * 10 + i));
                sources.insert(name, sha256_file(&path));
                cmd.arg(path);
            }
            cmd.stdout(Stdio::null()).stderr(Stdio::null()).spawn().unwrap()
        };
        // Random moments alone can all land in one phase on a loaded machine, so each kind
        // of moment has runs of its own: an export anywhere; an import in its first file's
        // ciphertext; after its first commit; anywhere in its writing.
        let delay = match run % 4 {
            3 => Duration::from_millis(rng.below(span_ms)),
            0 => {
                wait_for_work(&vault, &mut child);
                Duration::ZERO
            }
            1 => {
                let before = active_items(&vault);
                wait_for_work(&vault, &mut child);
                wait_for_commit(&vault, &mut child, before);
                Duration::from_millis(rng.below(work_ms / 3))
            }
            _ => {
                wait_for_work(&vault, &mut child);
                Duration::from_millis(rng.below(work_ms))
            }
        };
        std::thread::sleep(delay);
        let running = child.try_wait().unwrap().is_none();
        let _ = child.kill();
        let _ = child.wait();
        let listed = assert_consistent(&vault, &sources);
        if running && !names.is_empty() && imported_of(&listed, &names) == 0 {
            interrupted += 1;
        }
        if run % 4 == 3 {
            let dir = vault.scratch(&format!("export-{run}"));
            for entry in std::fs::read_dir(&dir).unwrap() {
                let path = entry.unwrap().path();
                assert_eq!(
                    path.file_name().unwrap(),
                    "seed.tif",
                    "a temp file was left: {}",
                    path.display()
                );
                assert_eq!(sha256_file(&path), sources["seed.tif"], "a partial export was left");
                let recorded = vault
                    .events()
                    .iter()
                    .any(|e| e["action"] == "item.export" && e["details"]["destination_dir"] == dir.to_str().unwrap());
                assert!(recorded, "a complete export exists without its event");
            }
        }
    }
    let items = assert_every_item_exports_its_source(&vault, &sources);
    let aborted = vault
        .events()
        .iter()
        .filter(|e| e["action"] == "item.import_aborted")
        .count();
    eprintln!(
        "{runs} runs: {} items kept, {interrupted} imports interrupted, {aborted} aborted after their rows",
        items.len()
    );
    // The seed and the three calibration files are 4 items before any killed run: the kill
    // times must land both after some imports finished and in the middle of others.
    assert!(
        items.len() > 4,
        "no killed import survived; the kill times are too early to test anything"
    );
    assert!(
        interrupted >= 1,
        "no import was killed mid-way; the kill times are too late"
    );
}

/// Every listed item exports (one unlock, in process) with the content of its source, by
/// title; returns the items.
fn assert_every_item_exports_its_source(
    vault: &TestVault,
    sources: &BTreeMap<String, String>,
) -> Vec<strongroom::station::ItemSummary> {
    let mut station = Station::open(&vault.root).unwrap();
    station.unlock("alice", &Password::from(PASSWORD)).unwrap();
    let out_dir = vault.scratch("verify");
    std::fs::create_dir_all(&out_dir).unwrap();
    let items = station.list_items().unwrap();
    for item in &items {
        let dest = out_dir.join(format!("{}", item.control_number));
        station
            .export(
                &item.control_number.to_string(),
                &dest,
                false,
                "checked by the test",
                &Progress::new(),
            )
            .unwrap();
        assert_eq!(sha256_file(&dest), sources[&item.title], "{}", item.title);
    }
    items
}

/// How many of the files named `names` are in the vault's list `listed`.
fn imported_of(listed: &serde_json::Value, names: &[String]) -> usize {
    listed
        .as_array()
        .unwrap()
        .iter()
        .filter(|item| names.iter().any(|n| item["title"] == n.as_str()))
        .count()
}

/// Directory imports of many small files in several groups, killed at seeded moments: each
/// file is imported whole (listed, its event present, exported with its hash) or absent
/// with nothing left behind, whichever group the kill lands in.
#[test]
fn many_file_imports_killed_at_random_moments_keep_each_file_whole_or_absent() {
    const FILES: usize = 40;
    const GROUP: &str = "8";
    let vault = TestVault::new();
    let mut rng = Rng::new(0x0026_0026_0026);
    let mut sources: BTreeMap<String, String> = BTreeMap::new();
    let tiles = |run: usize, rng: &mut Rng, sources: &mut BTreeMap<String, String>| {
        let dir = vault.scratch(&format!("tiles-{run}"));
        std::fs::create_dir_all(&dir).unwrap();
        let mut names = Vec::new();
        for i in 0..FILES {
            let name = format!("r{run}-{i:02}.png");
            let size = 4096 + rng.below(16 * 1024) as usize;
            let path = dir.join(&name);
            std::fs::write(&path, pseudo_random(size, (run * 100 + i) as u64)).unwrap();
            sources.insert(name.clone(), sha256_file(&path));
            names.push(name);
        }
        (dir, names)
    };
    let import = |dir: &std::path::Path| {
        let mut cmd = vault.as_alice();
        cmd.args(["import", "--level", "internal", "--group-files", GROUP])
            .arg(dir);
        cmd.stdout(Stdio::null()).stderr(Stdio::null()).spawn().unwrap()
    };
    // The length of an uninterrupted run's writing, for the kill times.
    let (dir, _) = tiles(99, &mut rng, &mut sources);
    let mut child = import(&dir);
    wait_for_work(&vault, &mut child);
    let writing = std::time::Instant::now();
    assert!(child.wait().unwrap().success(), "the calibration import failed");
    let work_ms = (writing.elapsed().as_millis() as u64 * 12 / 10).max(20);
    let (mut partial, mut none, mut all) = (0, 0, 0);
    let runs = 20;
    for run in 0..runs {
        let (dir, names) = tiles(run, &mut rng, &mut sources);
        let mut child = import(&dir);
        wait_for_work(&vault, &mut child);
        std::thread::sleep(Duration::from_millis(rng.below(work_ms)));
        let _ = child.kill();
        let _ = child.wait();
        let listed = assert_consistent(&vault, &sources);
        match imported_of(&listed, &names) {
            0 => none += 1,
            FILES => all += 1,
            _ => partial += 1,
        }
    }
    assert_every_item_exports_its_source(&vault, &sources);
    eprintln!("{runs} runs of {FILES} files: {none} kept none, {partial} some groups, {all} all");
    assert!(partial >= 1, "no kill landed between two groups");
}

#[test]
fn two_processes_import_into_one_vault_at_once() {
    let vault = TestVault::new();
    let spawn = |tag: &str| {
        let mut cmd = vault.as_alice();
        cmd.args(["import", "--level", "internal", "--json"]);
        for i in 0..4 {
            cmd.arg(vault.file(&format!("{tag}-{i}.tif"), &pseudo_random(512 * 1024, i)));
        }
        cmd.stdout(Stdio::piped()).stderr(Stdio::piped()).spawn().unwrap()
    };
    let first = spawn("a");
    let second = spawn("b");
    for child in [first, second] {
        let out = child.wait_with_output().unwrap();
        assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    }
    let listed = vault.json(&["list"]);
    let controls: BTreeSet<String> = listed
        .as_array()
        .unwrap()
        .iter()
        .map(|i| i["control_number"].as_str().unwrap().to_string())
        .collect();
    assert_eq!(controls.len(), 8, "control numbers must be unique across processes");
    assert!(vault.tmp_entries().is_empty());
}

#[test]
fn a_named_export_temp_left_by_a_dead_process_is_removed_at_the_next_open() {
    let vault = TestVault::new();
    let src = vault.file("map.kml", b"<kml/>");
    let control = vault.import(&[&src], "secret").remove(0);
    let item_id = vault.json(&["show", &control])["id"].as_str().unwrap().to_string();
    // What a process exporting to a FAT stick leaves when it is killed mid-write: a recorded
    // temp file (path, then device and inode) whose owner holds no lock any more.
    let leftover = vault.file(
        ".strongroom-0f0e0d0c-0b0a-4908-8706-050403020100.part",
        b"half of the plaintext",
    );
    let meta = std::fs::metadata(&leftover).unwrap();
    vault
        .db()
        .execute(
            "INSERT INTO export_temps (path, item, owner, created_at, kind, dev, ino) VALUES (?1, ?2, 'dead-owner', '2026-01-01T00:00:00.000Z', 'temp', ?3, ?4)",
            rusqlite::params![
                leftover.to_str().unwrap().as_bytes(),
                uuid::Uuid::parse_str(&item_id).unwrap().as_bytes().to_vec(),
                std::os::unix::fs::MetadataExt::dev(&meta) as i64,
                std::os::unix::fs::MetadataExt::ino(&meta) as i64
            ],
        )
        .unwrap();
    vault.ok(&["list"]);
    assert!(!leftover.exists(), "the partial plaintext must be removed");
    let remaining: i64 = vault
        .db()
        .query_row("SELECT COUNT(*) FROM export_temps", [], |r| r.get(0))
        .unwrap();
    assert_eq!(remaining, 0);
    let aborted: Vec<_> = vault
        .events()
        .into_iter()
        .filter(|e| e["action"] == "item.export_aborted")
        .collect();
    assert_eq!(aborted.len(), 1);
    assert_eq!(aborted[0]["details"]["item"], item_id.as_str());
}

/// Ctrl+C during a directory import: it stops after the group being committed, says how
/// many files stay, and those are whole; a second Ctrl+C is not needed.
#[test]
fn ctrl_c_stops_an_import_after_its_group_and_says_what_stays() {
    let vault = TestVault::new();
    let dir = vault.scratch("tiles");
    std::fs::create_dir_all(&dir).unwrap();
    for i in 0..400 {
        std::fs::write(dir.join(format!("{i:03}.png")), pseudo_random(4096, i)).unwrap();
    }
    let mut cmd = vault.as_alice();
    cmd.args(["import", "--level", "internal", "--group-files", "4"])
        .arg(&dir);
    let mut child = cmd.stdout(Stdio::null()).stderr(Stdio::piped()).spawn().unwrap();
    wait_for_commit(&vault, &mut child, 0);
    // SAFETY: a signal to our own child process.
    assert_eq!(unsafe { libc::kill(child.id() as libc::pid_t, libc::SIGINT) }, 0);
    let out = child.wait_with_output().unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(!out.status.success(), "a cancelled import does not succeed: {stderr}");
    assert!(stderr.contains("stay in the vault"), "{stderr}");
    let kept = active_items(&vault);
    assert!(kept > 0 && kept < 400 && kept % 4 == 0, "whole groups only: {kept}");
    assert!(stderr.contains(&format!("the {kept} file(s) imported")), "{stderr}");
    let sources: BTreeMap<String, String> = (0..400)
        .map(|i| {
            let name = format!("{i:03}.png");
            let hash = sha256_file(&dir.join(&name));
            (name, hash)
        })
        .collect();
    assert_consistent(&vault, &sources);
}

/// A process that dies between a group's pending rows and its activation, with some of the
/// group's files already in `objects/` and the others still in its work directory: the
/// next open removes all of them, and each control number the group took is explained.
#[test]
fn death_after_a_groups_rows_and_some_renames_is_swept_whole() {
    let vault = TestVault::new();
    let dir = vault.scratch("tiles");
    std::fs::create_dir_all(&dir).unwrap();
    let mut sources = BTreeMap::new();
    for i in 0..10 {
        let path = dir.join(format!("{i}.png"));
        std::fs::write(&path, pseudo_random(5000, 700 + i)).unwrap();
        sources.insert(format!("{i}.png"), sha256_file(&path));
    }
    let mut cmd = vault.as_alice();
    cmd.args(["import", "--level", "internal"]).arg(&dir);
    cmd.env("STRONGROOM_TEST_CRASH_AFTER_RENAMES", "4");
    let out = cmd.stdout(Stdio::null()).stderr(Stdio::null()).output().unwrap();
    assert!(!out.status.success(), "the process died at the crash point");
    // Before anyone opens the vault: ten pending rows, four objects in place.
    let pending: i64 = vault
        .db()
        .query_row("SELECT COUNT(*) FROM items WHERE status = 'pending'", [], |r| r.get(0))
        .unwrap();
    assert_eq!(pending, 10);
    assert_eq!(vault.object_files().len(), 4);
    assert_consistent(&vault, &sources);
    assert!(vault.object_files().is_empty());
    let aborted = vault
        .events()
        .iter()
        .filter(|e| e["action"] == "item.import_aborted" && e["details"]["reason"] == "the importing process died")
        .count();
    assert_eq!(aborted, 10, "each control number taken is explained");
}
