//! Bad input through the real binary: a clear message, the right exit code, and nothing lost
//! or half-written.

use predicates::str::contains;
use std::os::unix::ffi::OsStrExt;
use std::os::unix::fs::PermissionsExt;
use std::path::Path;
use std::process::Command;

use crate::support::cli::INIT_AT_THE_FLOOR;
use crate::support::cli::export_args;
use crate::support::{TestVault, stderr};

fn assert_nothing_imported(vault: &TestVault) {
    assert_eq!(vault.json(&["list"]).as_array().unwrap().len(), 0);
    assert!(vault.object_files().is_empty(), "an object file was left behind");
    assert!(
        vault.tmp_entries().is_empty(),
        "temp files were left behind: {:?}",
        vault.tmp_entries()
    );
    assert!(!vault.actions_since(0).iter().any(|a| a == "item.import"));
}

/// Only the paths that name something importable: the rest of the batch goes on.
fn imported_titles(vault: &TestVault) -> Vec<String> {
    let mut titles: Vec<String> = vault
        .json(&["list"])
        .as_array()
        .unwrap()
        .iter()
        .map(|i| i["title"].as_str().unwrap().to_string())
        .collect();
    titles.sort();
    titles
}

#[test]
fn a_missing_source_is_reported_and_the_rest_of_the_batch_is_imported() {
    let vault = TestVault::new();
    let good = vault.file("good.txt", b"fine");
    let also = vault.file("also.txt", b"fine too");
    let missing = vault.scratch("missing.txt");
    let out = vault
        .run(&[
            "import",
            good.to_str().unwrap(),
            missing.to_str().unwrap(),
            also.to_str().unwrap(),
            "--level",
            "internal",
            "--json",
        ])
        .code(1)
        .stderr(contains("missing.txt"))
        .stderr(contains("1 of 3 path(s) were not imported"));
    let report: serde_json::Value = serde_json::from_slice(&out.get_output().stdout).unwrap();
    assert_eq!(report["imported"].as_array().unwrap().len(), 2);
    assert_eq!(report["failed"].as_array().unwrap().len(), 1);
    assert_eq!(report["failed"][0]["path"], missing.to_str().unwrap());
    assert!(
        report["failed"][0]["error"].as_str().unwrap().contains("No such file"),
        "{report}"
    );
    assert_eq!(imported_titles(&vault), ["also.txt", "good.txt"]);
    // Each item that stayed has its own import event; the missing path made none.
    let imports = vault
        .actions_since(0)
        .into_iter()
        .filter(|a| a == "item.import")
        .count();
    assert_eq!(imports, 2);
    assert!(vault.tmp_entries().is_empty(), "{:?}", vault.tmp_entries());
}

#[test]
fn fifo_and_device_nodes_are_reported_not_imported() {
    let vault = TestVault::new();
    let fifo = vault.scratch("pipe");
    assert!(Command::new("mkfifo").arg(&fifo).status().unwrap().success());
    vault
        .run(&["import", fifo.to_str().unwrap(), "--level", "internal"])
        .code(1)
        .stderr(contains("FIFO"));
    vault
        .run(&["import", "/dev/null", "--level", "internal"])
        .code(1)
        .stderr(contains("device"));
    assert_nothing_imported(&vault);
    // A FIFO inside a directory is listed as not imported; the directory's files are imported
    // (and nothing waits on the pipe).
    let dir = vault.scratch("batch");
    std::fs::create_dir_all(&dir).unwrap();
    std::fs::write(dir.join("a.txt"), b"a").unwrap();
    assert!(
        Command::new("mkfifo")
            .arg(dir.join("b.pipe"))
            .status()
            .unwrap()
            .success()
    );
    vault
        .run(&["import", dir.to_str().unwrap(), "--level", "internal"])
        .code(1)
        .stderr(contains("b.pipe"))
        .stderr(contains("FIFO"));
    assert_eq!(imported_titles(&vault), ["a.txt"]);
}

#[test]
fn a_directory_where_a_file_is_expected_is_refused() {
    let vault = TestVault::new();
    let dir = vault.scratch("a-directory");
    std::fs::create_dir_all(&dir).unwrap();
    vault
        .cmd()
        .arg("--password-file")
        .arg(&dir)
        .arg("list")
        .assert()
        .code(1)
        .stderr(contains("is a directory"));
    // An empty directory has nothing to import.
    vault
        .run(&["import", dir.to_str().unwrap(), "--level", "internal"])
        .code(1)
        .stderr(contains("nothing to import"));
}

#[test]
fn symlinks_are_followed_only_when_asked_and_never_out_of_the_root() {
    let vault = TestVault::new();
    let target = vault.file("real.txt", b"real content");
    let link = vault.scratch("link.txt");
    std::os::unix::fs::symlink(&target, &link).unwrap();
    vault
        .run(&["import", link.to_str().unwrap(), "--level", "internal"])
        .code(1)
        .stderr(contains("--follow-symlinks"));
    assert_nothing_imported(&vault);

    let imported = &vault.json(&[
        "import",
        link.to_str().unwrap(),
        "--level",
        "internal",
        "--follow-symlinks",
    ])["imported"];
    assert_eq!(imported[0]["size"], 12);

    // Inside a directory import: a link within the root is fine, one leaving it is refused.
    let root = vault.scratch("tree");
    std::fs::create_dir_all(root.join("sub")).unwrap();
    std::fs::write(root.join("sub/data.kml"), b"<kml/>").unwrap();
    std::os::unix::fs::symlink(root.join("sub/data.kml"), root.join("inside.kml")).unwrap();
    let imported = &vault.json(&[
        "import",
        root.to_str().unwrap(),
        "--level",
        "internal",
        "--follow-symlinks",
    ])["imported"];
    // The link and its target are one file: imported once, under the first name reached.
    assert_eq!(imported.as_array().unwrap().len(), 1);
    assert_eq!(imported[0]["title"], "inside.kml");
    std::os::unix::fs::symlink(&target, root.join("escape.txt")).unwrap();
    let before = vault.json(&["list"]).as_array().unwrap().len();
    // The link leaving the root is refused and named; what lies inside is imported.
    let out = vault
        .run(&[
            "import",
            root.to_str().unwrap(),
            "--level",
            "internal",
            "--follow-symlinks",
            "--json",
        ])
        .code(1)
        .stderr(contains("outside"));
    let report: serde_json::Value = serde_json::from_slice(&out.get_output().stdout).unwrap();
    assert!(report["failed"][0]["path"].as_str().unwrap().ends_with("escape.txt"));
    assert_eq!(report["imported"].as_array().unwrap().len(), 1);
    let titles = imported_titles(&vault);
    assert_eq!(titles.len(), before + 1);
    assert!(
        !titles.iter().any(|t| t == "escape.txt" || t == "real.txt"),
        "{titles:?}"
    );
}

#[test]
fn empty_files_and_awkward_names_round_trip() {
    let vault = TestVault::new();
    let dir = vault.scratch("names");
    std::fs::create_dir_all(&dir).unwrap();
    let names: Vec<&[u8]> = vec![
        b"empty.bin",
        b"with space.tif",
        b"new\nline.kml",
        b"\xff\xfe-not-utf8.las",
        "测绘 成果.gpkg".as_bytes(),
    ];
    for (i, name) in names.iter().enumerate() {
        let content = if i == 0 {
            Vec::new()
        } else {
            format!("content {i}").into_bytes()
        };
        std::fs::write(dir.join(std::ffi::OsStr::from_bytes(name)), content).unwrap();
    }
    let imported = vault.json(&["import", dir.to_str().unwrap(), "--level", "confidential"])["imported"].clone();
    assert_eq!(imported.as_array().unwrap().len(), names.len());
    let out_dir = vault.scratch("restored");
    std::fs::create_dir_all(&out_dir).unwrap();
    for item in imported.as_array().unwrap() {
        vault.ok(&export_args(
            item["control_number"].as_str().unwrap(),
            out_dir.to_str().unwrap(),
            &[],
        ));
    }
    for name in &names {
        let original = std::fs::read(dir.join(std::ffi::OsStr::from_bytes(name))).unwrap();
        let restored = std::fs::read(out_dir.join(std::ffi::OsStr::from_bytes(name))).unwrap();
        assert_eq!(original, restored, "{}", String::from_utf8_lossy(name));
    }
    // Human output escapes the newline so a file name cannot forge a line.
    let listing = vault.ok(&["list"]);
    assert!(listing.contains("new\\nline.kml"), "{listing}");
}

#[test]
fn a_vault_writable_by_others_is_refused() {
    let vault = TestVault::new();
    std::fs::set_permissions(&vault.root, std::fs::Permissions::from_mode(0o777)).unwrap();
    vault.run(&["list"]).code(5).stderr(contains("vault-permissions"));
    std::fs::set_permissions(&vault.root, std::fs::Permissions::from_mode(0o700)).unwrap();
    let db = vault.root.join("strongroom.db");
    std::fs::set_permissions(&db, std::fs::Permissions::from_mode(0o620)).unwrap();
    vault.run(&["list"]).code(5);
    std::fs::set_permissions(&db, std::fs::Permissions::from_mode(0o600)).unwrap();
    vault.run(&["list"]).success();
}

#[test]
fn a_vault_inside_another_vault_is_refused() {
    let vault = TestVault::new();
    let inner = vault.root.join("objects").join("inner");
    vault
        .cmd()
        .env("STRONGROOM_VAULT", &inner)
        .arg("--password-file")
        .arg(&vault.password_file)
        .args(INIT_AT_THE_FLOOR)
        .assert()
        .code(5)
        .stderr(contains("inside"));
    assert!(!inner.exists());
    // And a second init over an existing vault is refused without touching it.
    vault.run(&INIT_AT_THE_FLOOR).code(1).stderr(contains("already exists"));
    vault.run(&["list"]).success();
}

#[test]
fn a_kdf_below_the_floor_is_refused_at_init() {
    let vault = TestVault::new();
    let other = vault.dir.path().join("weak");
    vault
        .cmd()
        .env("STRONGROOM_VAULT", &other)
        .arg("--password-file")
        .arg(&vault.password_file)
        .args(["init", "--kdf-memory-mib", "32", "--kdf-iterations", "3"])
        .assert()
        .code(2)
        .stderr(contains("floor"));
    assert!(!other.join("strongroom.db").exists());
}

#[test]
fn a_corrupted_database_is_reported_and_left_untouched() {
    let vault = TestVault::new();
    let db = vault.root.join("strongroom.db");
    let junk = crate::support::pseudo_random(64 * 1024, 9);
    std::fs::write(&db, &junk).unwrap();
    vault.run(&["list"]).code(6).stderr(contains("damaged"));
    assert_eq!(
        std::fs::read(&db).unwrap(),
        junk,
        "the damaged file must never be rewritten"
    );
    // An empty file and a foreign SQLite database are refused without being written to.
    std::fs::write(&db, b"").unwrap();
    vault.run(&["list"]).code(6);
    assert_eq!(std::fs::metadata(&db).unwrap().len(), 0);
    std::fs::remove_file(&db).unwrap();
    let foreign = rusqlite::Connection::open(&db).unwrap();
    foreign
        .execute_batch("CREATE TABLE notes (text TEXT); INSERT INTO notes VALUES ('mine');")
        .unwrap();
    drop(foreign);
    std::fs::set_permissions(&db, std::os::unix::fs::PermissionsExt::from_mode(0o600)).unwrap();
    let before = std::fs::read(&db).unwrap();
    vault.run(&["list"]).code(6).stderr(contains("no Strongroom schema"));
    assert_eq!(std::fs::read(&db).unwrap(), before);
}

#[test]
fn a_newer_schema_is_refused() {
    let vault = TestVault::new();
    vault.db().pragma_update(None, "user_version", 99).unwrap();
    vault.run(&["list"]).code(1).stderr(contains("newer"));
}

fn import_four_chunks(vault: &TestVault) -> (String, String) {
    let data = crate::support::pseudo_random(4 * 65536 + 100, 3);
    let src = vault.file("survey.las", &data);
    let imported = vault.json(&[
        "import",
        src.to_str().unwrap(),
        "--level",
        "secret",
        "--chunk-kib",
        "64",
    ])["imported"]
        .clone();
    (
        imported[0]["control_number"].as_str().unwrap().to_string(),
        imported[0]["id"].as_str().unwrap().to_string(),
    )
}

fn assert_export_fails(vault: &TestVault, control: &str, expect: &str) {
    let dest_dir = vault.scratch("tamper-out");
    std::fs::create_dir_all(&dest_dir).unwrap();
    let out = vault
        .run(&export_args(control, dest_dir.join("out.las").to_str().unwrap(), &[]))
        .code(6);
    let message = stderr(&out);
    assert!(message.contains(control), "message must name the item: {message}");
    assert!(message.contains(expect), "expected '{expect}' in: {message}");
    assert_eq!(
        std::fs::read_dir(&dest_dir).unwrap().count(),
        0,
        "no output may be left"
    );
}

fn edit(path: &Path, f: impl FnOnce(&mut Vec<u8>)) -> Vec<u8> {
    let original = std::fs::read(path).unwrap();
    let mut bytes = original.clone();
    f(&mut bytes);
    std::fs::write(path, &bytes).unwrap();
    original
}

#[test]
fn tampered_ciphertext_fails_naming_item_and_chunk_and_leaves_no_output() {
    let vault = TestVault::new();
    let (control, id) = import_four_chunks(&vault);
    let object = vault.object_path(&id);
    let chunk = |i: usize| 44 + i * (65536 + 16);

    let original = edit(&object, |b| b[chunk(2) + 5] ^= 0x40);
    assert_export_fails(&vault, &control, "chunk 2");
    std::fs::write(&object, &original).unwrap();

    edit(&object, |b| {
        let one: Vec<u8> = b[chunk(1)..chunk(2)].to_vec();
        let two: Vec<u8> = b[chunk(2)..chunk(3)].to_vec();
        b[chunk(1)..chunk(2)].copy_from_slice(&two);
        b[chunk(2)..chunk(3)].copy_from_slice(&one);
    });
    assert_export_fails(&vault, &control, "chunk 1");
    std::fs::write(&object, &original).unwrap();

    edit(&object, |b| b.truncate(chunk(3) + 10));
    assert_export_fails(&vault, &control, "truncated at chunk 3");
    std::fs::write(&object, &original).unwrap();

    edit(&object, |b| b.extend_from_slice(b"appended"));
    assert_export_fails(&vault, &control, "follow the last chunk");
    std::fs::write(&object, &original).unwrap();

    edit(&object, |b| b[25] ^= 0x01); // chunk size field: 16 MiB + 64 KiB is out of range
    assert_export_fails(&vault, &control, "header");
    std::fs::write(&object, &original).unwrap();

    edit(&object, |b| b[30] ^= 0x01); // nonce prefix: the header is every chunk's AAD
    assert_export_fails(&vault, &control, "chunk 0");
    std::fs::write(&object, &original).unwrap();

    edit(&object, |b| b[12] ^= 0x01); // inside the item uuid
    assert_export_fails(&vault, &control, "another item");
    std::fs::write(&object, &original).unwrap();

    std::fs::remove_file(&object).unwrap();
    assert_export_fails(&vault, &control, "missing");
    std::fs::write(&object, &original).unwrap();

    // Restored, it exports again.
    let dest = vault.scratch("fine.las");
    vault.ok(&export_args(&control, dest.to_str().unwrap(), &[]));
}

#[test]
fn an_object_swapped_with_another_items_object_is_refused() {
    let vault = TestVault::new();
    let (a, id_a) = import_four_chunks(&vault);
    let (_, id_b) = import_four_chunks(&vault);
    std::fs::copy(vault.object_path(&id_b), vault.object_path(&id_a)).unwrap();
    assert_export_fails(&vault, &a, "another item");
}

#[test]
fn an_unreadable_source_is_refused() {
    // Root reads everything, so as root the whole run happens as an unprivileged user.
    let vault_dir = tempfile::tempdir().unwrap();
    let unprivileged = crate::support::requires::is_root();
    let run = |args: &[&str]| {
        let mut cmd = if unprivileged {
            let mut c = Command::new("setpriv");
            c.args([
                "--reuid=65534",
                "--regid=65534",
                "--clear-groups",
                crate::support::cli::bin().to_str().unwrap(),
            ]);
            c
        } else {
            Command::new(crate::support::cli::bin())
        };
        cmd.env("STRONGROOM_VAULT", vault_dir.path().join("vault"))
            .env("STRONGROOM_USER", "alice")
            .env("STRONGROOM_PASSWORD", crate::support::PASSWORD)
            .env("HOME", vault_dir.path())
            .args(args);
        assert_cmd::Command::from_std(cmd).assert()
    };
    if unprivileged {
        assert!(
            Command::new("chown")
                .arg("65534:65534")
                .arg(vault_dir.path())
                .status()
                .unwrap()
                .success()
        );
    }
    run(&INIT_AT_THE_FLOOR).success();
    let secret = vault_dir.path().join("unreadable.tif");
    std::fs::write(&secret, b"cannot read me").unwrap();
    if unprivileged {
        assert!(
            Command::new("chown")
                .arg("65534:65534")
                .arg(&secret)
                .status()
                .unwrap()
                .success()
        );
    }
    std::fs::set_permissions(&secret, std::fs::Permissions::from_mode(0o000)).unwrap();
    let out = run(&["import", secret.to_str().unwrap(), "--level", "internal"]).code(1);
    assert!(
        stderr(&out).contains("unreadable.tif") && stderr(&out).contains("ermission denied"),
        "{}",
        stderr(&out)
    );
    let listed = run(&["list", "--json"]).success();
    assert_eq!(
        serde_json::from_slice::<serde_json::Value>(&listed.get_output().stdout)
            .unwrap()
            .as_array()
            .unwrap()
            .len(),
        0
    );
}

#[test]
fn symlink_cycles_are_refused_and_files_reached_twice_are_imported_once() {
    let vault = TestVault::new();
    let root = vault.scratch("cycle");
    std::fs::create_dir_all(root.join("x")).unwrap();
    std::fs::create_dir_all(root.join("y")).unwrap();
    std::fs::write(root.join("x/a.tif"), b"a").unwrap();
    std::os::unix::fs::symlink(root.join("y"), root.join("x/to-y")).unwrap();
    std::os::unix::fs::symlink(root.join("x"), root.join("y/to-x")).unwrap();
    // The link that closes the loop is refused and named; the files are imported once.
    vault
        .run(&[
            "import",
            root.to_str().unwrap(),
            "--level",
            "internal",
            "--follow-symlinks",
        ])
        .code(1)
        .stderr(contains("loop"));
    assert_eq!(imported_titles(&vault), ["a.tif"]);

    let diamond = vault.scratch("diamond");
    std::fs::create_dir_all(&diamond).unwrap();
    std::fs::write(diamond.join("data.las"), b"points").unwrap();
    std::os::unix::fs::symlink(diamond.join("data.las"), diamond.join("link1.las")).unwrap();
    std::os::unix::fs::symlink(diamond.join("data.las"), diamond.join("link2.las")).unwrap();
    let imported = vault.json(&[
        "import",
        diamond.to_str().unwrap(),
        "--level",
        "internal",
        "--follow-symlinks",
    ]);
    assert_eq!(
        imported["imported"].as_array().unwrap().len(),
        1,
        "one file reached three ways is one item"
    );
}
