//! Exports to USB sticks as operators use them: exFAT and FAT file systems on loop devices,
//! mounted through FUSE (no `O_TMPFILE`, no hard links, no `RENAME_NOREPLACE`). An export
//! must publish without `--force`, refuse to replace a file that is there, replace it with
//! `--force`, and leave no temp file on the stick either way.

use std::sync::Arc;

use predicates::prelude::PredicateBooleanExt;
use strongroom::progress::Progress;
use strongroom::{Error, Level};

use crate::support::TestVault;
use crate::support::cli::export_args;
use crate::support::mounts::{Stick, StickFs};
use crate::support::requires;
use crate::support::station::LibVault;

fn export_round_trip_on(fs: StickFs) {
    if !requires::fuse_with(&format!("mounting a {fs:?} stick"), fs.programs()) {
        return;
    }
    let vault = TestVault::new();
    let data = crate::support::pseudo_random(3 * 1024 * 1024 + 5, 21);
    let src = vault.file("survey.tif", &data);
    let control = vault.import(&[&src], "secret").remove(0);
    let scratch = tempfile::tempdir().unwrap();
    let stick = Stick::mount(scratch.path(), fs, 64);
    let dest = stick.path.join("survey.tif");
    let names = || -> Vec<String> {
        let mut names: Vec<String> = std::fs::read_dir(&stick.path)
            .unwrap()
            .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
            .collect();
        names.sort();
        names
    };

    vault.ok(&export_args(&control, dest.to_str().unwrap(), &[]));
    assert_eq!(std::fs::read(&dest).unwrap(), data);
    assert_eq!(names(), ["survey.tif"]);

    // A file of the operator's own under that name is never replaced without --force. (Made
    // afresh: fusefat ignores O_TRUNC, so rewriting the export in place would keep its tail.)
    std::fs::remove_file(&dest).unwrap();
    std::fs::write(&dest, b"the operator's own file").unwrap();
    vault
        .run(&export_args(&control, dest.to_str().unwrap(), &[]))
        .code(1)
        .stderr(predicates::str::contains("--force"));
    assert!(std::fs::read(&dest).unwrap() == b"the operator's own file");
    assert_eq!(names(), ["survey.tif"]);

    vault.ok(&export_args(&control, dest.to_str().unwrap(), &["--force"]));
    assert_eq!(std::fs::read(&dest).unwrap(), data);
    // Into the stick's root by directory: the original name, next to the first.
    let dir = stick.path.join("copies");
    std::fs::create_dir(&dir).unwrap();
    vault.ok(&export_args(&control, dir.to_str().unwrap(), &[]));
    assert_eq!(std::fs::read(dir.join("survey.tif")).unwrap(), data);
    assert_eq!(names(), ["copies", "survey.tif"]);
    let temps: i64 = vault
        .db()
        .query_row("SELECT COUNT(*) FROM export_temps", [], |r| r.get(0))
        .unwrap();
    assert_eq!(temps, 0, "every recorded temp was forgotten");
}

#[test]
fn exports_to_an_exfat_stick_publish_without_force_and_leave_no_temp() {
    export_round_trip_on(StickFs::Exfat);
}

#[test]
fn exports_to_a_fat_stick_publish_without_force_and_leave_no_temp() {
    export_round_trip_on(StickFs::Fat);
}

/// A file that appears under the export's name while the export runs (the operator copies
/// something to the stick meanwhile) is kept: on FUSE the final name is reserved with an
/// `O_EXCL` placeholder, which fails when the name is taken, and the export is refused.
#[test]
fn a_file_that_appears_on_an_exfat_stick_during_export_is_never_replaced() {
    let fs = StickFs::Exfat;
    if !requires::fuse_with("mounting an exFAT stick", fs.programs()) {
        return;
    }
    let (fx, mut station) = LibVault::new();
    let src = fx.files.join("mosaic.tif");
    std::fs::write(&src, crate::support::pseudo_random(32 << 20, 22)).unwrap();
    let control = fx.import_path(&mut station, &src, Level::Internal);
    let scratch = tempfile::tempdir().unwrap();
    let stick = Stick::mount(scratch.path(), fs, 64);
    let dest = stick.path.join("mosaic.tif");

    let progress = Arc::new(Progress::new());
    let watcher = {
        let (progress, dest) = (progress.clone(), dest.clone());
        std::thread::spawn(move || {
            while progress.done() == 0 {
                std::thread::yield_now();
            }
            std::fs::write(&dest, b"the operator's own file").unwrap();
        })
    };
    let result = station.export(&control, &dest, false, "checked by the test", &progress);
    watcher.join().unwrap();
    match result {
        Err(error @ Error::DestinationExists { appeared: true, .. }) => {
            assert!(error.to_string().contains("appeared while exporting"), "{error}")
        }
        other => panic!("expected a refusal, got {:?}", other.map(|r| r.size)),
    }
    assert!(std::fs::read(&dest).unwrap() == b"the operator's own file");
    let left: Vec<_> = std::fs::read_dir(&stick.path)
        .unwrap()
        .map(|e| e.unwrap().file_name())
        .collect();
    assert_eq!(left, ["mosaic.tif"], "no temp file or second copy on the stick");
    let temps: i64 = fx
        .db()
        .query_row("SELECT COUNT(*) FROM export_temps", [], |r| r.get(0))
        .unwrap();
    assert_eq!(temps, 0);
}

/// fusefat reports no size (statvfs gives 0 blocks), so the free-space pre-check cannot
/// refuse: the stick fills during the write (fusefat then fails the write with EPERM, not
/// ENOSPC), and the named temp file is removed.
#[test]
fn a_fat_stick_that_fills_during_export_keeps_no_partial_plaintext() {
    let fs = StickFs::Fat;
    if !requires::fuse_with("mounting a FAT stick", fs.programs()) {
        return;
    }
    let vault = TestVault::new();
    let src = vault.file("dem.tif", &crate::support::pseudo_random(48 << 20, 23));
    let control = vault.import(&[&src], "internal").remove(0);
    let scratch = tempfile::tempdir().unwrap();
    let stick = Stick::mount(scratch.path(), fs, 40);
    let dest = stick.path.join("dem.tif");
    vault
        .run(&export_args(&control, dest.to_str().unwrap(), &[]))
        .code(1)
        .stderr(predicates::str::contains("Operation not permitted").or(predicates::str::contains("No space left")))
        .stderr(predicates::str::contains("nothing was written").not());
    let left: Vec<_> = std::fs::read_dir(&stick.path)
        .unwrap()
        .map(|e| e.unwrap().file_name())
        .collect();
    assert!(left.is_empty(), "a partial plaintext was left on the stick: {left:?}");
    let temps: i64 = vault
        .db()
        .query_row("SELECT COUNT(*) FROM export_temps", [], |r| r.get(0))
        .unwrap();
    assert_eq!(temps, 0);
    assert!(!vault.actions_since(0).contains(&"item.export".to_string()));
}
