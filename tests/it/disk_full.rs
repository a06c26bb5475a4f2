//! Disk full during import and export, on real small tmpfs mounts (needs root, as CI has;
//! the container layer's ENOSPC handling is also tested without root in the unit tests).

use std::path::{Path, PathBuf};
use std::process::Command;

use crate::support::{TestVault, code, is_root, pseudo_random, stderr};

/// A tmpfs of `size` mounted for the life of the value.
struct SmallDisk {
    path: PathBuf,
}

impl SmallDisk {
    fn mount(path: &Path, size: &str) -> SmallDisk {
        std::fs::create_dir_all(path).unwrap();
        let status = Command::new("mount")
            .args(["-t", "tmpfs", "-o", &format!("size={size},mode=0700"), "tmpfs"])
            .arg(path)
            .status()
            .unwrap();
        assert!(status.success(), "mounting a tmpfs failed");
        SmallDisk {
            path: path.to_path_buf(),
        }
    }
}

impl Drop for SmallDisk {
    fn drop(&mut self) {
        let _ = Command::new("umount").arg("-l").arg(&self.path).status();
    }
}

#[test]
fn disk_full_during_import_keeps_the_vault_consistent() {
    if !is_root() {
        eprintln!("skipped: mounting a small tmpfs needs root (CI runs as root)");
        return;
    }
    let scratch = tempfile::tempdir().unwrap();
    let disk = SmallDisk::mount(&scratch.path().join("small"), "2m");
    let mut vault = TestVault::new();
    // Move the test vault onto the small disk: a fresh vault there.
    vault.root = disk.path.join("vault");
    let out = vault.run(&["init", "--json", "--kdf-memory-mib", "64", "--kdf-iterations", "3"]);
    assert_eq!(code(&out), 0, "{}", stderr(&out));

    let big = vault.file("big.tif", &pseudo_random(4 * 1024 * 1024, 5));
    let out = vault.run(&["import", big.to_str().unwrap(), "--level", "secret"]);
    assert_eq!(code(&out), 1, "{}", stderr(&out));
    assert!(stderr(&out).contains("No space left"), "{}", stderr(&out));
    assert_eq!(vault.json(&["list"]).as_array().unwrap().len(), 0);
    assert!(vault.object_files().is_empty());
    assert!(vault.tmp_entries().is_empty(), "{:?}", vault.tmp_entries());
    let pending: i64 = vault
        .db()
        .query_row("SELECT COUNT(*) FROM items", [], |r| r.get(0))
        .unwrap();
    assert_eq!(pending, 0);

    // The space is free again: a small import works.
    let small = vault.file("small.txt", b"fits");
    assert_eq!(vault.import(&[&small], "secret").len(), 1);
}

#[test]
fn disk_full_during_export_leaves_no_partial_file() {
    if !is_root() {
        eprintln!("skipped: mounting a small tmpfs needs root (CI runs as root)");
        return;
    }
    let vault = TestVault::new();
    let data = pseudo_random(3 * 1024 * 1024, 6);
    let src = vault.file("dem.tif", &data);
    let control = vault.import(&[&src], "confidential").remove(0);
    let disk = SmallDisk::mount(&vault.dir.path().join("stick"), "1m");
    let out = vault.run(&["export", &control, "--to", disk.path.join("dem.tif").to_str().unwrap()]);
    assert_eq!(code(&out), 1, "{}", stderr(&out));
    assert!(stderr(&out).contains("No space left"), "{}", stderr(&out));
    assert_eq!(
        std::fs::read_dir(&disk.path).unwrap().count(),
        0,
        "a partial plaintext was left on the stick"
    );
    assert!(
        !vault.actions_since(0).contains(&"item.export".to_string()),
        "no export event without an export"
    );
}
