//! Raising an item's level (issue 30): re-encrypted under a fresh DEK to a new object
//! version, the old object removed; refused without the higher level's key; and crash-safe
//! — `custody raise` killed with SIGKILL at seeded moments leaves each item wholly at the
//! old level or wholly at the new one.

use std::collections::BTreeMap;
use std::process::Stdio;
use std::time::{Duration, Instant};

use strongroom::progress::Progress;
use strongroom::{Error, Level};

use crate::support::accounts::{BOB_PW, fixture};
use crate::support::station::{LibVault, switch};
use crate::support::{OFFICER, PASSWORD, Rng, TestVault, pseudo_random, sha256_file};

/// The object files of the vault, as names relative to `objects/`.
fn objects(root: &std::path::Path) -> Vec<String> {
    let mut out = Vec::new();
    for fan in std::fs::read_dir(root.join("objects")).unwrap() {
        for entry in std::fs::read_dir(fan.unwrap().path()).unwrap() {
            out.push(entry.unwrap().file_name().to_string_lossy().into_owned());
        }
    }
    out.sort();
    out
}

fn big_item(vault: &LibVault, station: &mut strongroom::Station, level: Level) -> (String, Vec<u8>) {
    let content = pseudo_random(3 * 1024 * 1024 + 17, 7);
    let path = vault.files.join("survey.las");
    std::fs::write(&path, &content).unwrap();
    (vault.import_path(station, &path, level), content)
}

#[test]
fn a_raise_re_encrypts_under_a_new_key_and_removes_the_old_object() {
    let (vault, mut station) = fixture();
    let (control, content) = big_item(&vault, &mut station, Level::Confidential);
    let before = objects(&vault.root);
    let old_dek: Vec<u8> = vault
        .db()
        .query_row("SELECT wrapped_dek FROM items", [], |r| r.get(0))
        .unwrap();
    let version = station
        .raise_item(
            &control,
            Level::Secret,
            "the survey shows the harbour defences",
            &Progress::new(),
        )
        .unwrap();
    assert_eq!(version, 1);
    let after = objects(&vault.root);
    assert_eq!(before.len(), 1);
    assert_eq!(after.len(), 1);
    assert_ne!(before, after);
    assert!(after[0].ends_with(".1.sro"), "{after:?}");
    let item = station.item(&control).unwrap();
    assert_eq!(item.summary.level, Level::Secret);
    assert_eq!(item.object_version, 1);
    let new_dek: Vec<u8> = vault
        .db()
        .query_row("SELECT wrapped_dek FROM items", [], |r| r.get(0))
        .unwrap();
    assert_ne!(old_dek, new_dek);
    let out = vault.files.join("out.las");
    station
        .export(&control, &out, false, "check", &Progress::new())
        .unwrap();
    assert_eq!(std::fs::read(&out).unwrap(), content);
    let raise = crate::support::insider::events(&vault.db())
        .into_iter()
        .find(|e| e["action"] == "item.raise")
        .unwrap();
    assert_eq!(raise["details"]["from"], "confidential");
    assert_eq!(raise["details"]["to"], "secret");
    // Again, to top-secret: version 2.
    station
        .raise_item(&control, Level::TopSecret, "now top secret", &Progress::new())
        .unwrap();
    assert!(objects(&vault.root)[0].ends_with(".2.sro"));
    assert!(station.inventory(true, &Progress::new()).unwrap().is_clean());
}

#[test]
fn a_raise_is_refused_without_the_levels_key_or_by_another_custodian() {
    let (vault, mut station) = fixture();
    let control = vault.import(&mut station, "plan.tif", Level::Internal);
    // Not higher.
    assert!(matches!(
        station.raise_item(&control, Level::Internal, "same", &Progress::new()),
        Err(Error::InvalidInput(_))
    ));
    switch(&mut station, "bob", BOB_PW);
    // bob (secret) does not hold alice's item.
    let refused = station
        .raise_item(&control, Level::Secret, "mine", &Progress::new())
        .unwrap_err();
    assert!(matches!(refused, Error::Denied { rule: "custodian", .. }), "{refused}");
    switch(&mut station, OFFICER, PASSWORD);
    station.offer_custody(&control, "bob", None).unwrap();
    switch(&mut station, "bob", BOB_PW);
    station.accept_custody(&control).unwrap();
    // His own now, but he holds no top-secret key.
    let refused = station
        .raise_item(&control, Level::TopSecret, "very", &Progress::new())
        .unwrap_err();
    assert!(matches!(refused, Error::Denied { rule: "clearance", .. }), "{refused}");
    let attempts: Vec<String> = crate::support::insider::events(&vault.db())
        .iter()
        .filter(|e| e["action"] == "custody.refused")
        .map(|e| e["details"]["attempt"].as_str().unwrap().to_string())
        .collect();
    assert_eq!(attempts, ["raise", "raise"]);
    assert_eq!(station.item(&control).unwrap().summary.level, Level::Internal);
    assert_eq!(objects(&vault.root).len(), 1);
    station
        .raise_item(&control, Level::Secret, "his call", &Progress::new())
        .unwrap();
}

#[test]
fn old_objects_and_versions_put_back_by_an_insider_are_refused() {
    let (vault, mut station) = fixture();
    let (control, _) = big_item(&vault, &mut station, Level::Confidential);
    let old_name = objects(&vault.root).remove(0);
    let fan = vault.root.join("objects").join(&old_name[..2]);
    let kept = vault.files.join("old.sro");
    std::fs::copy(fan.join(&old_name), &kept).unwrap();
    station
        .raise_item(&control, Level::Secret, "raised", &Progress::new())
        .unwrap();
    // The old object copied back over the new one: it does not open under the new key.
    let new_name = objects(&vault.root).remove(0);
    let saved = vault.files.join("new.sro");
    std::fs::copy(fan.join(&new_name), &saved).unwrap();
    std::fs::copy(&kept, fan.join(&new_name)).unwrap();
    let refused = station
        .export(&control, &vault.files.join("x.las"), false, "x", &Progress::new())
        .unwrap_err();
    assert!(matches!(refused, Error::ObjectTampered { .. }), "{refused}");
    assert!(!vault.files.join("x.las").exists());
    let report = station.inventory(true, &Progress::new()).unwrap();
    assert_eq!(report.mismatched.len(), 1, "{report:?}");
    std::fs::copy(&saved, fan.join(&new_name)).unwrap();
    // The row's version (and the old file) put back with SQL: the history disagrees.
    std::fs::copy(&kept, fan.join(&old_name)).unwrap();
    vault.db().execute("UPDATE items SET object_version = 0", []).unwrap();
    let refused = station.item(&control).unwrap_err();
    assert!(refused.to_string().contains("object_version"), "{refused}");
    let report = station.inventory(false, &Progress::new()).unwrap();
    assert!(!report.history.is_empty());
    vault.db().execute("UPDATE items SET object_version = 1", []).unwrap();
    // The old file is now an orphan the inventory names.
    let report = station.inventory(false, &Progress::new()).unwrap();
    assert_eq!(report.orphans.len(), 1, "{report:?}");
    assert!(report.orphans[0].ends_with(&old_name));
}

#[test]
fn a_forged_rewrite_record_never_removes_the_current_object() {
    let (vault, mut station) = fixture();
    let (control, content) = big_item(&vault, &mut station, Level::Confidential);
    station
        .raise_item(&control, Level::Secret, "raised", &Progress::new())
        .unwrap();
    let id: Vec<u8> = vault.db().query_row("SELECT id FROM items", [], |r| r.get(0)).unwrap();
    drop(station);
    // A dead owner's record claiming version 1 is the half-written one, and another
    // claiming version 1 is the old one: the sweep keeps what the ledger names.
    for (old, new) in [(0, 1), (1, 2)] {
        let db = vault.db();
        db.execute(
            "INSERT INTO object_rewrites (item, old_version, new_version, owner) VALUES (?1, ?2, ?3, 'dead-owner')",
            rusqlite::params![id, old, new],
        )
        .unwrap();
        let mut station = vault.reopen(|_| {});
        let out = vault.files.join(format!("out-{old}.las"));
        station
            .export(&control, &out, false, "check", &Progress::new())
            .unwrap();
        assert_eq!(std::fs::read(&out).unwrap(), content);
        let left: i64 = vault
            .db()
            .query_row("SELECT COUNT(*) FROM object_rewrites", [], |r| r.get(0))
            .unwrap();
        assert_eq!(left, 0);
    }
    // A forged `item.raise` naming version 9 (the fold does not count it: it names no
    // levels) and a record of versions 3 and 9, neither the version the history names:
    // both kept and reported. And a record that is no re-encryption at all.
    let db = crate::support::insider::unguarded(&vault.root);
    crate::support::insider::append_event(
        &db,
        "alice",
        "item.raise",
        &control,
        serde_json::json!({"item": uuid::Uuid::from_slice(&id).unwrap().to_string(), "object_version": 9}),
    );
    db.execute(
        "INSERT INTO object_rewrites (item, old_version, new_version, owner) VALUES (?1, 3, 9, 'dead-owner')",
        rusqlite::params![id],
    )
    .unwrap();
    db.execute_batch(
        "INSERT INTO object_rewrites (item, old_version, new_version, owner) VALUES (x'00', 0, 1, 'dead-owner');",
    )
    .ok();
    let mut station = vault.reopen(|_| {});
    let out = vault.files.join("out-forged.las");
    station
        .export(&control, &out, false, "check", &Progress::new())
        .unwrap();
    assert_eq!(std::fs::read(&out).unwrap(), content);
    let alerts = crate::support::insider::events(&vault.db())
        .into_iter()
        .filter(|e| e["action"] == "sweep.alert")
        .count();
    assert!(alerts >= 1, "the records that named no current version are reported");
    let left: i64 = vault
        .db()
        .query_row("SELECT COUNT(*) FROM object_rewrites", [], |r| r.get(0))
        .unwrap();
    assert_eq!(left, 0);
}

#[test]
fn two_raises_of_one_item_at_once_leave_it_whole() {
    let vault = TestVault::new();
    let file = vault.file("mosaic.tif", &pseudo_random(12 * 1024 * 1024, 5));
    let source = sha256_file(&file);
    let control = vault.import(&[&file], "confidential").remove(0);
    let raise = |to: &str| {
        let mut cmd = vault.as_alice();
        cmd.args(["custody", "raise", &control, "--to", to, "--reason", "race", "--yes"]);
        cmd.stdout(Stdio::null()).stderr(Stdio::null()).spawn().unwrap()
    };
    for (delay, to) in [(0, "secret"), (150, "top-secret")] {
        let mut first = raise(to);
        std::thread::sleep(Duration::from_millis(delay));
        let mut second = raise(to);
        let (a, b) = (first.wait().unwrap(), second.wait().unwrap());
        assert!(a.success() || b.success(), "one of the two raises went through");
        let listed = vault.json(&["list"]);
        assert_eq!(listed[0]["level"], to, "{listed}");
        assert_eq!(vault.object_files().len(), 1, "{:?}", vault.object_files());
        let out = vault.scratch(&format!("race-{delay}"));
        vault.ok(&crate::support::cli::export_args(&control, out.to_str().unwrap(), &[]));
        assert_eq!(sha256_file(&out), source);
        let inventory = vault.json(&["inventory"]);
        assert_eq!(inventory["missing"], serde_json::json!([]), "{inventory}");
    }
}

#[test]
fn inventory_names_missing_orphan_and_damaged_objects() {
    let (vault, mut station) = fixture();
    let a = vault.import(&mut station, "a.tif", Level::Internal);
    let (b, _) = big_item(&vault, &mut station, Level::Secret);
    let c = vault.import(&mut station, "c.tif", Level::TopSecret);
    let report = station.inventory(true, &Progress::new()).unwrap();
    assert!(report.is_clean(), "{report:?}");
    assert_eq!(report.items, 3);
    assert_eq!(report.deep.as_ref().unwrap().checked, 3);
    let path_of = |control: &str| {
        let serial: u32 = control[8..].parse().unwrap();
        let id: Vec<u8> = vault
            .db()
            .query_row("SELECT id FROM items WHERE control_serial = ?1", [serial], |r| r.get(0))
            .unwrap();
        let id = uuid::Uuid::from_slice(&id).unwrap().to_string();
        vault.root.join("objects").join(&id[..2]).join(format!("{id}.sro"))
    };
    // a: gone; b: one byte flipped in its ciphertext (same length: only --deep sees it);
    // c: its header names another item; and a stray file.
    std::fs::remove_file(path_of(&a)).unwrap();
    let mut bytes = std::fs::read(path_of(&b)).unwrap();
    bytes[200_000] ^= 1;
    std::fs::write(path_of(&b), &bytes).unwrap();
    let mut header = std::fs::read(path_of(&c)).unwrap();
    header[9] ^= 0xff;
    std::fs::write(path_of(&c), &header).unwrap();
    std::fs::write(path_of(&a).with_file_name("stray.sro"), b"x").unwrap();
    let shallow = station.inventory(false, &Progress::new()).unwrap();
    assert_eq!(shallow.missing.len(), 1);
    assert_eq!(shallow.missing[0].control_number, a);
    assert_eq!(shallow.mismatched.len(), 1, "{shallow:?}");
    assert_eq!(shallow.mismatched[0].control_number, c);
    assert_eq!(shallow.orphans.len(), 1);
    let deep = station.inventory(true, &Progress::new()).unwrap();
    let damaged: Vec<&str> = deep.mismatched.iter().map(|f| f.control_number.as_str()).collect();
    assert_eq!(damaged, [c.as_str(), b.as_str()], "{deep:?}");
    // An officer's inventory is recorded with its counts.
    let audits: Vec<serde_json::Value> = crate::support::insider::events(&vault.db())
        .into_iter()
        .filter(|e| e["action"] == "inventory.audit")
        .collect();
    assert_eq!(audits.len(), 3);
    assert_eq!(audits[2]["details"]["missing"], 1);
    assert_eq!(audits[2]["details"]["deep"], true);
    // bob (secret) is not told about the top-secret item, nor does he record an audit.
    switch(&mut station, "bob", BOB_PW);
    let his = station.inventory(false, &Progress::new()).unwrap();
    assert!(his.mismatched.is_empty(), "{his:?}");
    let audits_after = crate::support::insider::events(&vault.db())
        .iter()
        .filter(|e| e["action"] == "inventory.audit")
        .count();
    assert_eq!(audits_after, 3);
}

#[test]
fn raises_killed_at_random_moments_leave_each_item_at_one_level() {
    const RUNS: usize = 20;
    let vault = TestVault::new();
    let mut rng = Rng::new(0x0030_7a15e);
    let mut sources = BTreeMap::new();
    let paths: Vec<std::path::PathBuf> = (0..=RUNS)
        .map(|i| {
            let size = 2 * 1024 * 1024 + rng.below(2 * 1024 * 1024) as usize;
            let path = vault.file(&format!("tile{i:02}.las"), &pseudo_random(size, 300 + i as u64));
            sources.insert(format!("tile{i:02}.las"), sha256_file(&path));
            path
        })
        .collect();
    let refs: Vec<&std::path::Path> = paths.iter().map(|p| p.as_path()).collect();
    let mut args = vec!["import", "--chunk-kib", "256"];
    let texts: Vec<&str> = refs.iter().map(|p| p.to_str().unwrap()).collect();
    args.extend(texts);
    args.extend(["--level", "confidential"]);
    let imported = vault.json(&args);
    let controls: Vec<String> = imported["imported"]
        .as_array()
        .unwrap()
        .iter()
        .map(|i| i["control_number"].as_str().unwrap().to_string())
        .collect();
    let raise = |control: &str| {
        let mut cmd = vault.as_alice();
        cmd.args([
            "custody",
            "raise",
            control,
            "--to",
            "secret",
            "--reason",
            "seeded kill",
            "--yes",
        ]);
        cmd.stdout(Stdio::null()).stderr(Stdio::null()).spawn().unwrap()
    };
    let rewrites = || -> i64 {
        rusqlite::Connection::open(vault.root.join("strongroom.db"))
            .and_then(|db| db.query_row("SELECT COUNT(*) FROM object_rewrites", [], |r| r.get(0)))
            .unwrap_or(0)
    };
    let raised = || -> usize { vault.events().iter().filter(|e| e["action"] == "item.raise").count() };
    // An uninterrupted run: how long one takes from its start.
    let started = Instant::now();
    assert!(
        raise(&controls[RUNS]).wait().unwrap().success(),
        "the calibration raise failed"
    );
    let span_ms = (started.elapsed().as_millis() as u64 * 12 / 10).max(50);
    let (mut old, mut new) = (0, 0);
    for (run, control) in controls.iter().take(RUNS).enumerate() {
        let before = raised();
        let mut child = raise(control);
        // Each kind of moment has runs of its own: anywhere; while re-encrypting (the work
        // directory holds the new object); once the rewrite is recorded (the new object
        // being renamed in); just after the commit (the old object still there).
        match run % 4 {
            0 => std::thread::sleep(Duration::from_millis(rng.below(span_ms))),
            1 => crate::support::wait_until(&mut child, || {
                !vault.tmp_entries().iter().all(|e| e.ends_with(".lock")) && {
                    std::fs::read_dir(vault.root.join("tmp"))
                        .unwrap()
                        .flatten()
                        .any(|d| std::fs::read_dir(d.path()).is_ok_and(|mut r| r.next().is_some()))
                }
            }),
            2 => crate::support::wait_until(&mut child, || rewrites() > 0),
            _ => crate::support::wait_until(&mut child, || raised() > before),
        }
        let _ = child.kill();
        let _ = child.wait();
        // Another process opens the vault: the sweep settles what the dead one left.
        let listed = vault.json(&["list"]);
        let item = listed
            .as_array()
            .unwrap()
            .iter()
            .find(|i| i["control_number"] == control.as_str())
            .unwrap_or_else(|| panic!("run {run}: {control} is not listed (withheld or lost)"));
        let db = vault.db();
        let (id, version, level): (Vec<u8>, u32, u8) = db
            .query_row(
                "SELECT id, object_version, level FROM items WHERE control_serial = ?1",
                [control[8..].parse::<u32>().unwrap()],
                |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)),
            )
            .unwrap();
        let id = uuid::Uuid::from_slice(&id).unwrap().to_string();
        let files: Vec<String> = objects(&vault.root)
            .into_iter()
            .filter(|f| f.starts_with(&id))
            .collect();
        match (item["level"].as_str().unwrap(), version, level) {
            ("confidential", 0, 2) => {
                old += 1;
                assert_eq!(files, [format!("{id}.sro")], "run {run}");
            }
            ("secret", 1, 3) => {
                new += 1;
                assert_eq!(files, [format!("{id}.1.sro")], "run {run}");
            }
            other => panic!("run {run}: {control} is half raised: {other:?}"),
        }
        let left: i64 = db
            .query_row("SELECT COUNT(*) FROM object_rewrites", [], |r| r.get(0))
            .unwrap();
        assert_eq!(left, 0, "run {run}: a rewrite record was left");
        assert!(
            vault.tmp_entries().iter().all(|e| !e.ends_with(".sro")),
            "run {run}: {:?}",
            vault.tmp_entries()
        );
    }
    eprintln!("{RUNS} raises killed: {old} left at the old level, {new} at the new one");
    assert!(
        old >= 1 && new >= 1,
        "the kills must land both before and after the commit"
    );
    // Every item exports its source, whatever level it ended at.
    let mut station = strongroom::Station::open(&vault.root).unwrap();
    station
        .unlock("alice", &strongroom::crypto::Password::from(PASSWORD))
        .unwrap();
    let out = vault.scratch("verify");
    std::fs::create_dir_all(&out).unwrap();
    for item in station.list_items().unwrap() {
        let dest = out.join(item.control_number.to_string());
        station
            .export(
                &item.control_number.to_string(),
                &dest,
                false,
                "check",
                &Progress::new(),
            )
            .unwrap();
        assert_eq!(sha256_file(&dest), sources[&item.title], "{}", item.title);
    }
    assert!(station.inventory(false, &Progress::new()).unwrap().is_clean());
}
