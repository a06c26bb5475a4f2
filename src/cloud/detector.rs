//! The scan kept between checks: rescanned when a configuration file (or the directory a `*`
//! template lists) or the mount table changes, so checking one destination costs a few
//! `stat`s and one read of the mount table.

use std::os::unix::fs::MetadataExt;
use std::path::{Path, PathBuf};

use crate::cloud::catalogue::Catalogue;
use crate::cloud::destination::{self, Verdict};
use crate::cloud::scan::{self, Scan, Sources};

/// A file's modification time (seconds, nanoseconds), inode and size.
type FileState = (i64, i64, u64, u64);

/// What a rescan depends on: every configuration path's `(mtime, size, inode)` or absence,
/// and the mount table's text.
#[derive(Clone, Debug, PartialEq, Eq)]
struct Fingerprint {
    files: Vec<(PathBuf, Option<FileState>)>,
    mount_table: String,
}

/// A scan and what it was made from.
#[derive(Debug)]
pub struct Detector {
    sources: Sources,
    scan: Scan,
    fingerprint: Fingerprint,
    scanned_at: std::time::Instant,
}

impl Detector {
    /// Scan `sources` now.
    pub fn new(sources: Sources) -> Detector {
        let catalogue = Catalogue::bundled();
        let fingerprint = fingerprint(catalogue, &sources);
        let scan = scan::scan(catalogue, &sources);
        Detector {
            sources,
            scan,
            fingerprint,
            scanned_at: std::time::Instant::now(),
        }
    }

    /// The current scan, rescanned first if anything it rests on changed.
    pub fn scan(&mut self) -> &Scan {
        let catalogue = Catalogue::bundled();
        let now = fingerprint(catalogue, &self.sources);
        if now != self.fingerprint {
            self.scan = scan::scan(catalogue, &self.sources);
            self.fingerprint = now;
            self.scanned_at = std::time::Instant::now();
        }
        &self.scan
    }

    /// The current scan, rescanned first if it is older than `max_age` (the running clients
    /// change without any file changing) or anything it rests on changed.
    pub fn scan_within(&mut self, max_age: std::time::Duration) -> &Scan {
        if self.scanned_at.elapsed() > max_age {
            return self.rescan();
        }
        self.scan()
    }

    /// Rescan whatever changed or not (the running clients, a new marker walk).
    pub fn rescan(&mut self) -> &Scan {
        let catalogue = Catalogue::bundled();
        self.fingerprint = fingerprint(catalogue, &self.sources);
        self.scan = scan::scan(catalogue, &self.sources);
        self.scanned_at = std::time::Instant::now();
        &self.scan
    }

    /// The verdict for one destination against the current scan.
    pub fn check(&mut self, path: &Path) -> Verdict {
        self.scan();
        // A root made, removed or re-pointed since the scan: its identity as it is now.
        scan::resolve_roots(&mut self.scan.findings);
        destination::check(Catalogue::bundled(), &self.scan, path)
    }
}

/// The state of everything a scan read that can change under it.
fn fingerprint(catalogue: &Catalogue, sources: &Sources) -> Fingerprint {
    let stat = |p: &Path| {
        std::fs::metadata(p)
            .ok()
            .map(|m| (m.mtime(), m.mtime_nsec(), m.ino(), m.size()))
    };
    let mut files = Vec::new();
    for env in &sources.environments {
        for provider in &catalogue.providers {
            let linux = &provider.platforms.linux;
            for entry in &linux.config {
                // The directory a template lists (`*`) changes when a file appears in it.
                let listed = entry
                    .path
                    .split_once('*')
                    .map(|(head, _)| head.rsplit_once('/').map(|(d, _)| d));
                if let Some(Some(dir)) = listed {
                    files.extend(env.expand(dir, &entry.env).into_iter().map(|p| (p.clone(), stat(&p))));
                }
                files.extend(
                    env.expand(&entry.path, &entry.env)
                        .into_iter()
                        .map(|p| (p.clone(), stat(&p))),
                );
            }
            for root in &linux.default_roots {
                files.extend(env.expand(root, &[]).into_iter().map(|p| (p.clone(), stat(&p))));
            }
        }
    }
    let mount_table = match &sources.mount_table {
        Some(table) => table.clone(),
        None => std::fs::read_to_string("/proc/self/mountinfo").unwrap_or_default(),
    };
    Fingerprint { files, mount_table }
}
