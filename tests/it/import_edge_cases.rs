//! Import and export at the edges, through the library: a source that changes while it is
//! read, cancel mid-batch, and a file larger than 4 GiB.

use std::io::{Seek, SeekFrom, Write};
use std::path::{Path, PathBuf};
use std::sync::Arc;

use crate::support::{pseudo_random, sha256_file};
use strongroom::crypto::Password;
use strongroom::crypto::kdf::KdfParams;
use strongroom::progress::Progress;
use strongroom::station::{ImportOptions, InitOptions};
use strongroom::time::system_clock;
use strongroom::{Error, Level, Station};

fn station(dir: &Path) -> Station {
    let options = InitOptions {
        kdf: Some(KdfParams::FLOOR),
        clock: system_clock(),
    };
    Station::init(
        &dir.join("vault"),
        "alice",
        &Password::from("correct horse battery staple"),
        options,
    )
    .unwrap()
    .0
}

fn options() -> ImportOptions {
    ImportOptions {
        level: Level::Confidential,
        title: None,
        notes: None,
    }
}

fn assert_nothing_kept(station: &Station) {
    assert!(station.list_items().unwrap().is_empty());
    let objects = station.paths().objects.clone();
    let count: usize = std::fs::read_dir(&objects)
        .unwrap()
        .map(|d| std::fs::read_dir(d.unwrap().path()).unwrap().count())
        .sum();
    assert_eq!(count, 0, "an object file was kept");
    // Only this process's own (empty) work directory and its lock remain in tmp/.
    for entry in std::fs::read_dir(&station.paths().tmp).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            assert_eq!(
                std::fs::read_dir(&path).unwrap().count(),
                0,
                "temp files remain in {}",
                path.display()
            );
        }
    }
}

#[test]
fn a_file_that_changes_during_import_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    let mut station = station(dir.path());
    let path = dir.path().join("growing.las");
    std::fs::write(&path, pseudo_random(300_000, 1)).unwrap();
    let plan = station.plan_import(std::slice::from_ref(&path), false).unwrap();
    // Someone is still copying it in.
    std::fs::OpenOptions::new()
        .append(true)
        .open(&path)
        .unwrap()
        .write_all(b"more")
        .unwrap();
    match station.import(&plan, &options(), &Progress::new()) {
        Err(Error::InvalidInput(message)) => {
            assert!(message.contains("changed while it was being imported"), "{message}")
        }
        other => panic!("expected a refusal, got {:?}", other.map(|v| v.len())),
    }
    assert_nothing_kept(&station);
    // Rewritten in place with the same size: the modification time gives it away.
    let plan = station.plan_import(std::slice::from_ref(&path), false).unwrap();
    std::thread::sleep(std::time::Duration::from_millis(20));
    let mut file = std::fs::OpenOptions::new().write(true).open(&path).unwrap();
    file.seek(SeekFrom::Start(10)).unwrap();
    file.write_all(b"XX").unwrap();
    drop(file);
    assert!(matches!(
        station.import(&plan, &options(), &Progress::new()),
        Err(Error::InvalidInput(_))
    ));
    assert_nothing_kept(&station);
}

#[test]
fn cancel_mid_batch_keeps_nothing_and_explains_the_gap() {
    let dir = tempfile::tempdir().unwrap();
    let mut station = station(dir.path());
    let small = dir.path().join("a-small.tif");
    std::fs::write(&small, pseudo_random(100_000, 2)).unwrap();
    let large = dir.path().join("b-large.tif");
    std::fs::write(&large, pseudo_random(256 * 1024 * 1024, 3)).unwrap();
    let plan = station.plan_import(&[small.clone(), large], false).unwrap();
    let progress = Arc::new(Progress::new());
    let watcher = {
        let progress = progress.clone();
        std::thread::spawn(move || {
            while progress.done() < 100_000 {
                std::thread::yield_now();
            }
            progress.cancel();
        })
    };
    let result = station.import(&plan, &options(), &progress);
    watcher.join().unwrap();
    assert!(matches!(result, Err(Error::Cancelled)), "{:?}", result.map(|v| v.len()));
    assert_nothing_kept(&station);
    let events = station.events(0, 100).unwrap();
    let aborted: Vec<_> = events.iter().filter(|e| e.action == "item.import_aborted").collect();
    assert_eq!(
        aborted.len(),
        1,
        "the first file's pending row is explained by one event"
    );
    assert!(String::from_utf8_lossy(&aborted[0].canonical).contains("\"reason\":\"cancelled\""));
    // The next import still works.
    let plan = station.plan_import(&[small], false).unwrap();
    assert_eq!(station.import(&plan, &options(), &Progress::new()).unwrap().len(), 1);
}

fn sparse_file(path: &PathBuf, len: u64) {
    let mut file = std::fs::File::create(path).unwrap();
    file.set_len(len).unwrap();
    for (offset, seed) in [(0u64, 11u64), (len / 2, 12), (len - 300_000, 13)] {
        file.seek(SeekFrom::Start(offset)).unwrap();
        file.write_all(&pseudo_random(300_000, seed)).unwrap();
    }
}

#[test]
fn files_larger_than_4_gib_round_trip() {
    let dir = tempfile::tempdir().unwrap();
    let mut station = station(dir.path());
    let src = dir.path().join("mosaic.tif");
    let len = (4u64 << 30) + 3 * 1024 * 1024 + 7;
    sparse_file(&src, len);
    let plan = station.plan_import(std::slice::from_ref(&src), false).unwrap();
    let item = station.import(&plan, &options(), &Progress::new()).unwrap().remove(0);
    assert_eq!(item.size, len);
    let expected = sha256_file(&src);
    std::fs::remove_file(&src).unwrap();
    let detail = station.item(&item.control_number.to_string()).unwrap();
    assert_eq!(detail.sha256, expected);
    let out = dir.path().join("mosaic-out.tif");
    let report = station
        .export(&item.control_number.to_string(), &out, false, &Progress::new())
        .unwrap();
    assert_eq!(report.size, len);
    assert_eq!(std::fs::metadata(&out).unwrap().len(), len);
    assert_eq!(sha256_file(&out), expected);
}
