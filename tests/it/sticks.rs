//! Exports to USB sticks as operators use them: exFAT and FAT file systems on loop devices,
//! mounted through FUSE (no `O_TMPFILE`, no hard links, no `RENAME_NOREPLACE`). An export
//! must publish without `--force`, refuse to replace a file that is there, replace it with
//! `--force`, and leave no temp file on the stick either way.

use crate::support::TestVault;
use crate::support::mounts::{Stick, StickFs};
use crate::support::requires;

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

    vault.ok(&["export", &control, "--to", dest.to_str().unwrap()]);
    assert_eq!(std::fs::read(&dest).unwrap(), data);
    assert_eq!(names(), ["survey.tif"]);

    // A file of the operator's own under that name is never replaced without --force. (Made
    // afresh: fusefat ignores O_TRUNC, so rewriting the export in place would keep its tail.)
    std::fs::remove_file(&dest).unwrap();
    std::fs::write(&dest, b"the operator's own file").unwrap();
    vault
        .run(&["export", &control, "--to", dest.to_str().unwrap()])
        .code(1)
        .stderr(predicates::str::contains("--force"));
    assert!(std::fs::read(&dest).unwrap() == b"the operator's own file");
    assert_eq!(names(), ["survey.tif"]);

    vault.ok(&["export", &control, "--to", dest.to_str().unwrap(), "--force"]);
    assert_eq!(std::fs::read(&dest).unwrap(), data);
    // Into the stick's root by directory: the original name, next to the first.
    let dir = stick.path.join("copies");
    std::fs::create_dir(&dir).unwrap();
    vault.ok(&["export", &control, "--to", dir.to_str().unwrap()]);
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
