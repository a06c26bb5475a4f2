//! Disk full in the middle of an import and of an export, on real small tmpfs mounts (root,
//! as CI runs). The free-space pre-check passes; once the write is under way the process is
//! stopped, the rest of the disk is taken by another writer, and the process resumes into
//! ENOSPC. Nothing may be left (no object, temp, row or partial plaintext) and the vault must
//! stay consistent and usable once space is free again.

use std::path::{Path, PathBuf};
use std::process::{Child, Stdio};
use std::time::{Duration, Instant};

use crate::support::cli::export_args;
use crate::support::mounts::Tmpfs;
use crate::support::{Rng, TestVault, requires};

/// A source of `mib` MiB of pseudo-random bytes (written in pieces: no 128 MiB buffer).
fn big_file(path: &Path, mib: usize, seed: u64) {
    use std::io::Write;
    let mut file = std::fs::File::create(path).unwrap();
    let mut rng = Rng::new(seed);
    let mut buf = vec![0u8; 1 << 20];
    for _ in 0..mib {
        rng.fill(&mut buf);
        file.write_all(&buf).unwrap();
    }
}

/// Wait until `disk` has lost at least 4 MiB of its `initial` free space (the write is under
/// way, so the pre-check has passed), stop `child`, fill what is left with `filler`, and let
/// the child go on into a full disk. Panics if the child finished before it could be stopped.
fn fill_mid_write(running: &mut Running, disk: &Tmpfs, initial: u64, filler: &Path) {
    let child = running.0.as_mut().expect("a running child");
    let started = Instant::now();
    while disk.free_bytes() + (4 << 20) > initial {
        assert!(
            child.try_wait().unwrap().is_none(),
            "the process ended before its write started"
        );
        assert!(started.elapsed() < Duration::from_secs(60), "the write never started");
        std::thread::yield_now();
    }
    let pid = child.id() as libc::pid_t;
    // SAFETY: kill has no memory preconditions; pid is our own child, not yet reaped.
    assert_eq!(unsafe { libc::kill(pid, libc::SIGSTOP) }, 0, "stop the writer");
    assert!(
        disk.free_bytes() > 0 && initial - disk.free_bytes() < (100 << 20),
        "the write finished before the process was stopped"
    );
    take_all_space(filler);
    assert_eq!(disk.free_bytes(), 0, "the filler took every block");
    // SAFETY: as above.
    assert_eq!(unsafe { libc::kill(pid, libc::SIGCONT) }, 0, "resume the writer");
}

/// A vault on a new 200 MiB tmpfs under `scratch`.
fn vault_on_a_small_disk(scratch: &Path) -> (Tmpfs, TestVault) {
    let disk = Tmpfs::mount(&scratch.join("small"), "200m");
    let mut vault = TestVault::uninitialized();
    vault.root = disk.path.join("vault");
    vault.init();
    (disk, vault)
}

/// Run `import ARGS --level secret --chunk-kib 64` and fill the disk once its write is under
/// way; the import must fail on the full disk. Returns its stderr and the filler's path.
fn import_until_the_disk_fills(vault: &TestVault, disk: &Tmpfs, args: &[&str]) -> (String, PathBuf) {
    let initial = disk.free_bytes();
    let mut all = vec!["import"];
    all.extend_from_slice(args);
    all.extend(["--level", "secret", "--chunk-kib", "64"]);
    let mut child = spawn(vault, &all);
    let filler = disk.path.join("filler");
    fill_mid_write(&mut child, disk, initial, &filler);
    let (code, stderr) = finish(child);
    assert_eq!(code, 1, "{stderr}");
    assert!(stderr.contains("No space left"), "{stderr}");
    (stderr, filler)
}

/// Write zeros to `path` until the file system is full.
fn take_all_space(path: &Path) {
    use std::io::Write;
    let mut file = std::fs::File::create(path).unwrap();
    let block = vec![0u8; 64 * 1024];
    loop {
        match file.write(&block) {
            Ok(0) => break,
            Ok(_) => {}
            Err(e) if e.raw_os_error() == Some(libc::ENOSPC) => break,
            Err(e) => panic!("filler: {e}"),
        }
    }
    // The last partial page: byte by byte.
    while let Ok(1) = file.write(&[0]) {}
}

/// The finished child's exit code and stderr.
fn finish(mut running: Running) -> (i32, String) {
    let out = running.0.take().expect("a running child").wait_with_output().unwrap();
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

#[test]
fn a_disk_that_fills_during_import_leaves_nothing_and_the_vault_consistent() {
    if !requires::root("mounting a small tmpfs") {
        return;
    }
    let scratch = tempfile::tempdir().unwrap();
    let (disk, vault) = vault_on_a_small_disk(scratch.path());
    let source = vault.scratch("mosaic.tif");
    big_file(&source, 128, 5);
    let path = source.to_str().unwrap();
    let (stderr, filler) = import_until_the_disk_fills(&vault, &disk, &[path]);
    assert!(
        !stderr.contains("nothing was written"),
        "the pre-check passed: {stderr}"
    );

    // Nothing is left, even before the space is freed: no object, temp file or item row.
    assert!(vault.object_files().is_empty());
    assert_eq!(vault.tmp_entries().len(), 0, "{:?}", vault.tmp_entries());
    let rows: i64 = vault
        .db()
        .query_row("SELECT COUNT(*) FROM items", [], |r| r.get(0))
        .unwrap();
    assert_eq!(rows, 0);

    std::fs::remove_file(&filler).unwrap();
    assert_eq!(vault.json(&["list"]).as_array().unwrap().len(), 0);
    vault.ok(&["ledger", "verify"]);
    let small = vault.file("small.txt", b"fits");
    assert_eq!(vault.import(&[&small], "secret").len(), 1);
}

#[test]
fn a_disk_that_fills_after_a_group_committed_keeps_that_group_and_says_so() {
    if !requires::root("mounting a small tmpfs") {
        return;
    }
    let scratch = tempfile::tempdir().unwrap();
    let (disk, vault) = vault_on_a_small_disk(scratch.path());
    let first = vault.file("a-first.tif", b"committed before the disk filled");
    let mosaic = vault.scratch("b-mosaic.tif");
    big_file(&mosaic, 128, 6);
    // One file per group: the first commits, the mosaic meets the full disk.
    let paths = [first.to_str().unwrap(), mosaic.to_str().unwrap()];
    let (stderr, filler) = import_until_the_disk_fills(&vault, &disk, &[&paths[..], &["--group-files", "1"]].concat());
    assert!(stderr.contains("the 1 file(s) imported before it stay"), "{stderr}");
    // The first file is imported whole; nothing of the mosaic is left.
    assert_eq!(vault.object_files().len(), 1);
    assert_eq!(vault.tmp_entries().len(), 0, "{:?}", vault.tmp_entries());
    std::fs::remove_file(&filler).unwrap();
    let listed = vault.json(&["list"]);
    let titles: Vec<&str> = listed
        .as_array()
        .unwrap()
        .iter()
        .map(|i| i["title"].as_str().unwrap())
        .collect();
    assert_eq!(titles, ["a-first.tif"]);
    vault.ok(&["ledger", "verify"]);
}

#[test]
fn a_disk_that_fills_during_export_keeps_no_partial_plaintext() {
    if !requires::root("mounting a small tmpfs") {
        return;
    }
    let vault = TestVault::new();
    let source = vault.scratch("dem.tif");
    big_file(&source, 128, 6);
    let control = vault.import(&[&source], "confidential").remove(0);
    let disk = Tmpfs::mount(&vault.dir.path().join("stick"), "160m");
    let dest: PathBuf = disk.path.join("dem.tif");

    let initial = disk.free_bytes();
    let mut child = spawn(&vault, &export_args(&control, dest.to_str().unwrap(), &[]));
    let filler = disk.path.join("filler");
    fill_mid_write(&mut child, &disk, initial, &filler);
    let (code, stderr) = finish(child);
    assert_eq!(code, 1, "{stderr}");
    assert!(stderr.contains("No space left"), "{stderr}");

    let left: Vec<_> = std::fs::read_dir(&disk.path)
        .unwrap()
        .map(|e| e.unwrap().file_name())
        .collect();
    assert_eq!(left, ["filler"], "a partial plaintext was left on the disk");
    assert!(
        !vault.actions_since(0).contains(&"item.export".to_string()),
        "no export event without an export"
    );
    let temps: i64 = vault
        .db()
        .query_row("SELECT COUNT(*) FROM export_temps", [], |r| r.get(0))
        .unwrap();
    assert_eq!(temps, 0, "no recorded temp is left behind");

    // With the space back, the same export works and matches the source.
    std::fs::remove_file(&filler).unwrap();
    vault.ok(&export_args(&control, dest.to_str().unwrap(), &[]));
    assert_eq!(crate::support::sha256_file(&dest), crate::support::sha256_file(&source));
}

/// A child process that is killed and reaped if the test fails while it runs (a stopped
/// child would otherwise outlive the test).
struct Running(Option<Child>);

impl Drop for Running {
    fn drop(&mut self) {
        if let Some(mut child) = self.0.take() {
            let _ = child.kill();
            let _ = child.wait();
        }
    }
}

/// Start a command as alice, capturing its stderr.
fn spawn(vault: &TestVault, args: &[&str]) -> Running {
    let child = vault
        .as_alice()
        .args(args)
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    Running(Some(child))
}
