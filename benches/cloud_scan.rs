//! The cloud scan of issue 32 on a home of 100 000 files in 10 000 directories, with a
//! Syncthing, a Nextcloud and a Dropbox configuration and markers deep in the tree: a full
//! scan (configuration and mount layers and the bounded marker walk, processes listed; no
//! hashing) from a cold detector, and the check of one export destination against the warm
//! detector. Run: `cargo bench --bench cloud_scan -- [DIRS] [FILES_PER_DIR]`; as root the
//! page cache is dropped before each cold scan. Prints medians; nothing here asserts a time.

use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use strongroom::cloud::catalogue::Catalogue;
use strongroom::cloud::detector::Detector;
use strongroom::cloud::environment::Environment;
use strongroom::cloud::markers::WalkLimits;
use strongroom::cloud::scan::{Processes, Sources, scan};

fn median(mut runs: Vec<Duration>) -> Duration {
    runs.sort();
    runs[runs.len() / 2]
}

/// `dirs` directories three levels deep, `files` empty files in each, three configurations,
/// and markers in a few directories.
fn build_home(home: &Path, dirs: usize, files: usize) {
    for d in 0..dirs {
        let dir = home.join(format!("projects/p{:02}/site{:03}/d{d:05}", d % 50, d % 400));
        std::fs::create_dir_all(&dir).expect("dir");
        for f in 0..files {
            std::fs::write(dir.join(format!("tile{f:03}.tif")), b"").expect("file");
        }
        if d % 2500 == 7 {
            std::fs::write(dir.join(".megaignore"), b"").expect("marker");
            std::fs::create_dir_all(dir.join(".debris")).expect("marker");
        }
    }
    let write = |rel: &str, text: String| {
        let path = home.join(rel);
        std::fs::create_dir_all(path.parent().expect("parent")).expect("dir");
        std::fs::write(path, text).expect("config");
    };
    write(
        ".config/syncthing/config.xml",
        "<configuration><folder path=\"~/Sync\"/><defaults><folder path=\"~\"/></defaults></configuration>".into(),
    );
    write(
        ".config/Nextcloud/nextcloud.cfg",
        format!("[Accounts]\n0\\Folders\\1\\localPath={}/Nextcloud/\n", home.display()),
    );
    write(
        ".dropbox/info.json",
        format!("{{\"personal\": {{\"path\": \"{}/Dropbox\"}}}}", home.display()),
    );
    for dir in ["Sync", "Nextcloud", "Dropbox", "exports"] {
        std::fs::create_dir_all(home.join(dir)).expect("dir");
    }
}

fn drop_page_cache() -> bool {
    // SAFETY: sync has no preconditions.
    unsafe { libc::sync() };
    std::fs::write("/proc/sys/vm/drop_caches", b"3\n").is_ok()
}

fn main() {
    let args: Vec<usize> = std::env::args().skip(1).filter_map(|a| a.parse().ok()).collect();
    let dirs = args.first().copied().unwrap_or(10_000);
    let files = args.get(1).copied().unwrap_or(10);
    let scratch = tempfile::tempdir_in("/var/tmp").expect("scratch");
    let home: PathBuf = scratch.path().join("home");
    let made = Instant::now();
    build_home(&home, dirs, files);
    println!(
        "home: {dirs} directories, {} files, made in {:.1?}",
        dirs * files,
        made.elapsed()
    );

    let sources = Sources {
        environments: vec![Environment::for_home(&home)],
        mount_table: None,
        processes: Processes::Live,
        walk: Some(WalkLimits::default()),
        skip: Vec::new(),
    };
    let mut cold = Vec::new();
    let mut page_cache_dropped = false;
    let mut found = 0;
    let mut walked = 0;
    for _ in 0..5 {
        page_cache_dropped = drop_page_cache();
        let start = Instant::now();
        let result = scan(Catalogue::bundled(), &sources);
        cold.push(start.elapsed());
        found = result.findings.len();
        walked = result.walked_directories;
    }
    println!(
        "full scan, cold detector{}: median {:.3?} of 5 ({found} folders found, {walked} directories walked)",
        if page_cache_dropped { " and page cache" } else { "" },
        median(cold)
    );

    let mut detector = Detector::new(Sources { walk: None, ..sources });
    let destinations = [home.join("exports/out.tif"), home.join("Sync/maps/out.tif")];
    for destination in &destinations {
        detector.check(destination);
        let mut warm = Vec::new();
        for _ in 0..200 {
            let start = Instant::now();
            let verdict = detector.check(destination);
            warm.push(start.elapsed());
            std::hint::black_box(verdict);
        }
        warm.sort();
        println!(
            "check of {}, warm: median {:.3?}, 99th percentile {:.3?} (200 runs)",
            destination.strip_prefix(&home).unwrap_or(destination).display(),
            warm[warm.len() / 2],
            warm[warm.len() * 99 / 100]
        );
    }
}
