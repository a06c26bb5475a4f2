//! Destruction leaves nothing behind (issue 31): the wrapped DEK and the encrypted title are
//! found in the database before, and in neither the database file, its WAL nor its free
//! pages after; and `destroy` killed with SIGKILL at seeded moments leaves each item either
//! whole or destroyed with its certificate, never between.

use std::process::Stdio;
use std::time::{Duration, Instant};

use serde_json::Value;

use crate::support::{Rng, TestVault, pseudo_random, sha256_file};

fn contains(haystack: &[u8], needle: &[u8]) -> bool {
    !needle.is_empty() && haystack.windows(needle.len()).any(|w| w == needle)
}

fn read_or_empty(path: &std::path::Path) -> Vec<u8> {
    std::fs::read(path).unwrap_or_default()
}

/// The item row's id, wrapped DEK and encrypted title, by control number.
fn row(vault: &TestVault, control: &str) -> (Vec<u8>, Vec<u8>, Vec<u8>, String, u32) {
    vault
        .db()
        .query_row(
            "SELECT id, wrapped_dek, title, status, object_version FROM items WHERE control_serial = ?1",
            [control[8..].parse::<u32>().unwrap()],
            |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?, r.get(4)?)),
        )
        .unwrap()
}

#[test]
fn no_wrapped_key_or_title_survives_in_the_database_its_wal_or_free_pages() {
    let vault = TestVault::new();
    let src = vault.file("survey.tif", b"survey of the northern approaches");
    let out = vault.json(&[
        "import",
        src.to_str().unwrap(),
        "--level",
        "confidential",
        "--title",
        "Northern approaches, harbour survey 北部航道",
    ]);
    let control = out["imported"][0]["control_number"].as_str().unwrap().to_string();
    let (_, dek, title, _, _) = row(&vault, &control);
    assert!(
        dek.len() >= 40 && title.len() >= 40,
        "wrapped values are nonce ‖ ciphertext ‖ tag"
    );
    let db_path = vault.root.join("strongroom.db");
    let wal_path = vault.root.join("strongroom.db-wal");
    // Before: both are on disk (in the database file or its WAL).
    let mut before = read_or_empty(&db_path);
    before.extend(read_or_empty(&wal_path));
    assert!(contains(&before, &dek), "the wrapped DEK is on disk before destruction");
    assert!(
        contains(&before, &title),
        "the encrypted title is on disk before destruction"
    );

    vault.ok(&["destroy", &control, "--reason", "end of retention", "--yes"]);
    let db = read_or_empty(&db_path);
    let wal = read_or_empty(&wal_path);
    assert!(!contains(&db, &dek), "the wrapped DEK is still in the database file");
    assert!(
        !contains(&db, &title),
        "the encrypted title is still in the database file"
    );
    assert!(!contains(&wal, &dek) && !contains(&wal, &title), "still in the WAL");
    assert!(
        wal.is_empty(),
        "the WAL is truncated after a destruction ({} bytes)",
        wal.len()
    );
    let (_, dek_after, title_after, status, _) = row(&vault, &control);
    assert_eq!(
        (dek_after.len(), title_after.len(), status.as_str()),
        (0, 0, "destroyed")
    );
}

#[test]
fn destructions_killed_at_seeded_moments_leave_each_item_whole_or_destroyed_with_its_certificate() {
    const RUNS: usize = 20;
    let vault = TestVault::new();
    let mut rng = Rng::new(0x0031_de57);
    let mut sources = std::collections::BTreeMap::new();
    let paths: Vec<std::path::PathBuf> = (0..=RUNS)
        .map(|i| {
            let size = 2 * 1024 * 1024 + rng.below(2 * 1024 * 1024) as usize;
            let path = vault.file(&format!("tile{i:02}.las"), &pseudo_random(size, 500 + i as u64));
            sources.insert(format!("tile{i:02}.las"), sha256_file(&path));
            path
        })
        .collect();
    let mut args = vec!["import", "--chunk-kib", "256"];
    args.extend(paths.iter().map(|p| p.to_str().unwrap()));
    args.extend(["--level", "confidential"]);
    let imported = vault.json(&args);
    let controls: Vec<(String, String)> = imported["imported"]
        .as_array()
        .unwrap()
        .iter()
        .map(|i| {
            (
                i["control_number"].as_str().unwrap().to_string(),
                i["path"].as_str().unwrap_or_default().to_string(),
            )
        })
        .collect();
    let destroy = |control: &str| {
        let mut cmd = vault.as_alice();
        cmd.args(["destroy", control, "--reason", "seeded kill", "--yes"]);
        cmd.stdout(Stdio::null()).stderr(Stdio::null()).spawn().unwrap()
    };
    let destroyed = || -> usize {
        rusqlite::Connection::open(vault.root.join("strongroom.db"))
            .and_then(|db| {
                db.query_row("SELECT COUNT(*) FROM events WHERE action = 'item.destroy'", [], |r| {
                    r.get::<_, i64>(0)
                })
            })
            .unwrap_or(0) as usize
    };
    let started = Instant::now();
    assert!(
        destroy(&controls[RUNS].0).wait().unwrap().success(),
        "the calibration run failed"
    );
    let span_ms = (started.elapsed().as_millis() as u64 * 12 / 10).max(50);
    let (mut whole, mut gone) = (0, 0);
    for (run, (control, _)) in controls.iter().take(RUNS).enumerate() {
        let before = destroyed();
        let mut child = destroy(control);
        // Half the runs die anywhere; half just after the commit (the object still there).
        if run % 2 == 0 {
            std::thread::sleep(Duration::from_millis(rng.below(span_ms)));
        } else {
            crate::support::wait_until(&mut child, || destroyed() > before);
        }
        let _ = child.kill();
        let _ = child.wait();
        // Another process opens the vault: the sweep settles what the dead one left.
        let listed = vault.json(&["list"]);
        let listed = listed
            .as_array()
            .unwrap()
            .iter()
            .any(|i| i["control_number"] == control.as_str());
        let (id, dek, title, status, version) = row(&vault, control);
        let id = uuid::Uuid::from_slice(&id).unwrap().to_string();
        let object = vault.object_path(&id);
        let object = if version == 0 {
            object
        } else {
            object.with_extension(format!("{version}.sro"))
        };
        // The certificates that list it, read from the database (the listing's statuses
        // are checked once, at the end).
        let certificates: Vec<(String, bool)> = {
            let db = vault.db();
            let mut stmt = db
                .prepare("SELECT number, body, signed IS NOT NULL FROM certificates")
                .unwrap();
            stmt.query_map([], |r| {
                Ok((r.get::<_, String>(0)?, r.get::<_, Vec<u8>>(1)?, r.get::<_, bool>(2)?))
            })
            .unwrap()
            .map(Result::unwrap)
            .filter(|(_, body, _)| {
                let body: Value = serde_json::from_slice(body).unwrap();
                body["items"]
                    .as_array()
                    .unwrap()
                    .iter()
                    .any(|i| i["control_number"] == control.as_str())
            })
            .map(|(number, _, signed)| (number, signed))
            .collect()
        };
        match status.as_str() {
            "active" => {
                whole += 1;
                assert!(listed, "run {run}: an active item is not listed");
                assert!(!dek.is_empty() && !title.is_empty(), "run {run}: half erased");
                assert!(object.exists(), "run {run}: its object is gone");
                assert!(certificates.is_empty(), "run {run}: a certificate for a whole item");
            }
            "destroyed" => {
                gone += 1;
                assert!(!listed, "run {run}: a destroyed item is listed");
                assert!(dek.is_empty() && title.is_empty(), "run {run}: key left behind");
                assert!(!object.exists(), "run {run}: the ciphertext survived the next open");
                assert_eq!(certificates.len(), 1, "run {run}: destroyed without one certificate");
                assert!(certificates[0].1, "run {run}: the officer's certificate is unsigned");
            }
            other => panic!("run {run}: status {other}"),
        }
        assert!(
            vault.tmp_entries().iter().all(|e| e.ends_with(".lock")),
            "run {run}: {:?}",
            vault.tmp_entries()
        );
    }
    eprintln!("{RUNS} destructions killed: {whole} left whole, {gone} destroyed");
    // Every certificate agrees with the ledger and is signed.
    let listed = vault.json(&["certificate", "list"]);
    let listed = listed.as_array().unwrap();
    assert_eq!(
        listed.len(),
        gone + 1,
        "one per destroyed item, the calibration run's too"
    );
    assert!(listed.iter().all(|c| c["status"] == "signed"), "{listed:?}");
    assert!(
        whole >= 1 && gone >= 1,
        "the kills must land both before and after the commit"
    );
    // Every item left whole still exports its source.
    for (control, _) in controls.iter().take(RUNS) {
        let (_, _, _, status, _) = row(&vault, control);
        if status != "active" {
            continue;
        }
        let dest = vault.scratch(&format!("out-{control}"));
        vault.ok(&crate::support::cli::export_args(control, dest.to_str().unwrap(), &[]));
        let hash = sha256_file(&dest);
        assert!(sources.values().any(|h| *h == hash), "{control} exports something else");
    }
}
