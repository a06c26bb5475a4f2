//! The marker layer: files and directories a sync client leaves in its folders (`.stfolder`,
//! `.dropbox.cache`, `.sync_<hex>.db`, `.sync/ID` …). They find a root whose configuration
//! is unreadable or gone. A scan walks the homes, bounded, without following symlinks or
//! crossing into another file system; a destination's ancestors are checked one by one.
//! Only names are read: a placeholder's content would be downloaded by reading it.

use std::collections::HashSet;
use std::ffi::OsString;
use std::os::unix::fs::MetadataExt;
use std::path::{Path, PathBuf};

use crate::cloud::catalogue::{Catalogue, MarkerKind};

/// How far a scan walks.
#[derive(Clone, Copy, Debug)]
pub struct WalkLimits {
    /// Directories read at most, over every root.
    pub directories: usize,
    /// Levels below each starting directory.
    pub depth: usize,
    /// Entries read at most from one directory.
    pub entries_per_directory: usize,
}

impl Default for WalkLimits {
    fn default() -> Self {
        WalkLimits {
            directories: 50_000,
            depth: 16,
            entries_per_directory: 100_000,
        }
    }
}

/// A marker found: the provider it belongs to, the folder it marks, the marker's path.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct MarkerHit {
    /// The provider id.
    pub provider: String,
    /// The folder holding the marker (the synced root).
    pub folder: PathBuf,
    /// The marker itself.
    pub marker: PathBuf,
}

/// What a walk saw and where it stopped.
#[derive(Clone, Debug, Default)]
pub struct Walk {
    /// Markers found.
    pub hits: Vec<MarkerHit>,
    /// Directories read.
    pub directories: usize,
    /// Directories that could not be read, with why.
    pub unreadable: Vec<(PathBuf, String)>,
    /// Whether the directory limit stopped the walk before it saw everything.
    pub truncated: bool,
    /// Whether directories lay deeper than the depth limit (or held more entries than read).
    pub shallow: bool,
}

/// The markers of `dir` given its entry names (`names`): exact names by lookup, `*` patterns
/// by scanning the names, `a/b` names by one `stat` below `a`.
pub fn markers_in(catalogue: &Catalogue, dir: &Path, names: &HashSet<OsString>) -> Vec<MarkerHit> {
    let mut hits = Vec::new();
    for provider in &catalogue.providers {
        for marker in &provider.platforms.linux.markers {
            let found = match (marker.name.split_once('/'), marker.name.split_once('*')) {
                (Some((first, rest)), _) => (names.contains(&OsString::from(first))
                    && kind_matches(&dir.join(first).join(rest), marker.kind))
                .then(|| dir.join(&marker.name)),
                (None, Some((prefix, suffix))) => names
                    .iter()
                    .map(|n| n.to_string_lossy())
                    .find(|n| n.len() > prefix.len() + suffix.len() && n.starts_with(prefix) && n.ends_with(suffix))
                    .map(|n| dir.join(n.as_ref())),
                (None, None) => names
                    .contains(&OsString::from(&marker.name))
                    .then(|| dir.join(&marker.name))
                    .filter(|p| kind_matches(p, marker.kind)),
            };
            if let Some(marker) = found {
                hits.push(MarkerHit {
                    provider: provider.id.clone(),
                    folder: dir.to_path_buf(),
                    marker,
                });
                break;
            }
        }
    }
    hits
}

/// Whether `path` is a marker of `kind` (not followed through a symlink).
fn kind_matches(path: &Path, kind: MarkerKind) -> bool {
    match std::fs::symlink_metadata(path) {
        Ok(meta) => match kind {
            MarkerKind::File => meta.is_file(),
            MarkerKind::Dir => meta.is_dir(),
        },
        Err(_) => false,
    }
}

/// The entry names of `dir` and its subdirectories, at most `limit` entries; the flag says
/// the limit cut the listing short. An error when the directory cannot be read.
pub fn entry_names(dir: &Path, limit: usize) -> Result<(HashSet<OsString>, Vec<PathBuf>, bool), String> {
    let entries = std::fs::read_dir(dir).map_err(|e| e.to_string())?;
    let mut names = HashSet::new();
    let mut subdirs = Vec::new();
    for entry in entries {
        let Ok(entry) = entry else {
            continue;
        };
        if names.len() >= limit {
            return Ok((names, subdirs, true));
        }
        // The directory entry's type: a symlink is never followed.
        if entry.file_type().is_ok_and(|t| t.is_dir()) {
            subdirs.push(entry.path());
        }
        names.insert(entry.file_name());
    }
    Ok((names, subdirs, false))
}

/// Walk `starts` breadth-first for markers, within `limits`, staying on each start's file
/// system and skipping `skip` (network mounts, the vault). A folder found marked is not
/// walked further: everything in it is inside already.
pub fn walk(catalogue: &Catalogue, starts: &[PathBuf], skip: &[PathBuf], limits: WalkLimits) -> Walk {
    let mut out = Walk::default();
    let mut seen: HashSet<(u64, u64)> = HashSet::new();
    for start in starts {
        let Ok(meta) = std::fs::metadata(start) else {
            continue;
        };
        let device = meta.dev();
        let mut queue = std::collections::VecDeque::from([(start.clone(), 0usize)]);
        while let Some((dir, depth)) = queue.pop_front() {
            if out.directories >= limits.directories {
                out.truncated = true;
                return out;
            }
            let Ok(meta) = std::fs::symlink_metadata(&dir) else {
                continue;
            };
            if meta.dev() != device || !seen.insert((meta.dev(), meta.ino())) || skip.iter().any(|s| dir.starts_with(s))
            {
                continue;
            }
            out.directories += 1;
            let (names, subdirs, cut) = match entry_names(&dir, limits.entries_per_directory) {
                Ok(read) => read,
                Err(e) => {
                    out.unreadable.push((dir, e));
                    continue;
                }
            };
            out.shallow |= cut;
            let hits = markers_in(catalogue, &dir, &names);
            if !hits.is_empty() {
                out.hits.extend(hits);
                continue;
            }
            if depth >= limits.depth {
                out.shallow |= !subdirs.is_empty();
                continue;
            }
            queue.extend(subdirs.into_iter().map(|d| (d, depth + 1)));
        }
    }
    out
}

/// Markers in `path` or any existing ancestor, nearest first.
pub fn above(catalogue: &Catalogue, path: &Path) -> Vec<MarkerHit> {
    let mut hits = Vec::new();
    for dir in path.ancestors() {
        if let Ok((names, _, _)) = entry_names(dir, WalkLimits::default().entries_per_directory) {
            hits.extend(markers_in(catalogue, dir, &names));
        }
    }
    hits
}
