//! Cloud-synced and network folders (issue 32, DESIGN.md §6): the guard scans every home it
//! protects for the folders a sync client or a network mount carries off this machine,
//! watches them, and reports a finished file there that holds a vault item's content
//! (`cloud.material.alert`) or carries a classification marking in its name or first KiB
//! (`cloud.marking.alert`). By policy it seals the file into the quarantine, as it does
//! copies. A placeholder of a virtual-files client is never read: reading it downloads it.

use std::collections::HashSet;
use std::os::unix::fs::MetadataExt;
use std::path::{Path, PathBuf};

use super::*;
use crate::cloud::detector::Detector;
use crate::cloud::markers::WalkLimits;
use crate::cloud::marking::{self, Marking};
use crate::cloud::scan::{Processes, Sources};
use crate::guard::copies::{Hashed, hash_file};

/// How often the configuration files and the mount table are compared with the scan's.
const REFRESH_EVERY: Duration = Duration::from_secs(30);

/// How soon after a mount-table change the scan is read again, at the earliest.
const REFRESH_AFTER_MOUNTS: Duration = Duration::from_secs(5);

/// How often the whole scan is made again, whatever changed (markers, running clients).
const RESCAN_EVERY: Duration = Duration::from_secs(600);

/// Files judged for markings kept at most; beyond it the set starts afresh.
const MAX_JUDGED: usize = 16_384;

/// Files larger than this whose blocks cover less than an eighth of their size are not read.
const SPARSE_FROM: u64 = 16 << 20;

/// A file as it was judged: device, inode, size, modification and change times (a new
/// link or owner moves the change time).
type Stamp = (u64, u64, u64, i64, i64);

/// A synced or network folder the guard watches.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(super) struct SyncedRoot {
    /// The catalogue's provider id, or `network`.
    pub(super) provider: String,
    /// The provider's name.
    pub(super) provider_name: String,
    /// The folder as found.
    pub(super) root: PathBuf,
    /// The folder resolved through symlinks, when it exists.
    pub(super) resolved: Option<PathBuf>,
}

impl SyncedRoot {
    /// Whether `path` lies in this folder, by either spelling of its root.
    fn holds(&self, path: &Path) -> bool {
        path.starts_with(&self.root) || self.resolved.as_ref().is_some_and(|r| path.starts_with(r))
    }

    /// The directory the watch follows.
    pub(super) fn watched(&self) -> &Path {
        self.resolved.as_deref().unwrap_or(&self.root)
    }
}

/// The scan of the protected homes and the folders it found.
pub(super) struct CloudWatch {
    detector: Detector,
    /// The homes scanned: a folder is followed only inside the home it was found from.
    homes: Vec<PathBuf>,
    roots: Vec<SyncedRoot>,
    /// The mount table of the last scan (is a file on a network mount?).
    mounts: Vec<crate::mounts::Mount>,
    /// The directories this watch added to the destination watch.
    followed: Vec<PathBuf>,
    /// The mount table changed since the last read of the scan.
    dirty: bool,
    refreshed: Instant,
    rescanned: Instant,
    /// Files judged for markings, as they were (a close and a scan of the directory both
    /// name one file).
    judged: HashSet<(Stamp, PathBuf)>,
}

impl CloudWatch {
    /// Scan `homes` (the homes protected, and the directories an officer added: a client's
    /// configuration may live there too), leaving `excluded` unwalked.
    pub(super) fn open(homes: &[PathBuf], excluded: Vec<PathBuf>) -> CloudWatch {
        let sources = Sources {
            environments: homes
                .iter()
                .map(|h| crate::cloud::environment::Environment::for_home(h))
                .collect(),
            mount_table: None,
            processes: Processes::Live,
            walk: Some(WalkLimits::default()),
            skip: excluded,
        };
        let now = Instant::now();
        let mut watch = CloudWatch {
            detector: Detector::new(sources),
            homes: homes
                .iter()
                .map(|h| std::fs::canonicalize(h).unwrap_or_else(|_| h.clone()))
                .collect(),
            roots: Vec::new(),
            mounts: Vec::new(),
            followed: Vec::new(),
            dirty: false,
            refreshed: now,
            rescanned: now,
            judged: HashSet::new(),
        };
        watch.roots = watch.read_roots(false);
        watch
    }

    /// The blocking findings of the scan (rescanned first when `whole`, else only when a
    /// configuration file or the mount table changed) that the guard may follow.
    fn read_roots(&mut self, whole: bool) -> Vec<SyncedRoot> {
        let scan = if whole {
            self.detector.rescan()
        } else {
            self.detector.scan()
        };
        self.mounts = scan.mounts.clone();
        let homes = &self.homes;
        let mut out: Vec<SyncedRoot> = scan
            .blocking()
            .filter(|f| followable(f, homes))
            .map(|f| SyncedRoot {
                provider: f.provider.clone(),
                provider_name: f.provider_name.clone(),
                root: f.root.clone(),
                resolved: f.resolved.clone(),
            })
            .collect();
        out.dedup_by(|a, b| a.root == b.root);
        out
    }

    /// The folders found now.
    pub(super) fn roots(&self) -> &[SyncedRoot] {
        &self.roots
    }

    /// The folder `path` lies in, if any (the innermost when folders nest).
    pub(super) fn root_of(&self, path: &Path) -> Option<SyncedRoot> {
        self.roots
            .iter()
            .filter(|r| r.holds(path))
            .max_by_key(|r| r.root.components().count())
            .cloned()
    }

    /// When the next refresh is due.
    pub(super) fn next_due(&self) -> Instant {
        if self.dirty {
            self.refreshed + REFRESH_AFTER_MOUNTS
        } else {
            self.refreshed + REFRESH_EVERY
        }
    }

    /// Read the scan again when due (or soon after the mount table changed); whether it
    /// was read.
    pub(super) fn refresh(&mut self, now: Instant) -> bool {
        if now < self.next_due() {
            return false;
        }
        self.dirty = false;
        self.refreshed = now;
        let whole = now.saturating_duration_since(self.rescanned) >= RESCAN_EVERY;
        if whole {
            self.rescanned = now;
        }
        self.roots = self.read_roots(whole);
        true
    }

    /// The mount table changed: the scan is read again at the next refresh, at most a few
    /// seconds from now (a loop of mounts cannot keep root scanning).
    pub(super) fn mounts_changed(&mut self) {
        self.dirty = true;
    }

    /// Whether `path` was judged already as it is now (and note it if not).
    fn first_look(&mut self, path: &Path) -> bool {
        let Ok(meta) = std::fs::symlink_metadata(path) else {
            return false;
        };
        let stamp = (
            meta.dev(),
            meta.ino(),
            meta.size(),
            meta.mtime() * 1_000_000_000 + meta.mtime_nsec(),
            meta.ctime() * 1_000_000_000 + meta.ctime_nsec(),
        );
        if self.judged.len() >= MAX_JUDGED {
            self.judged.clear();
        }
        self.judged.insert((stamp, path.to_path_buf()))
    }
}

/// The marking with the highest level among `found` (a site pattern's level is
/// `unknown`), and that level.
fn highest(found: Vec<Marking>, unknown: Level) -> Option<(Marking, Level)> {
    let mut best: Option<(Marking, Level)> = None;
    for marking in found {
        let level = marking::level_of(&marking.marking).unwrap_or(unknown);
        if best.as_ref().is_none_or(|(_, l)| level > *l) {
            best = Some((marking, level));
        }
    }
    best
}

/// Whether the guard may follow `finding`: a mount (only its owner mounts a FUSE file
/// system there), or a folder inside a home scanned that a configuration file, a marker or
/// the client's own folder of that same home shows. A configuration in one user's home
/// naming another's folder (or `/`) is not followed: the guard would read and seal that
/// user's files on a stranger's say.
fn followable(finding: &crate::cloud::finding::Finding, homes: &[PathBuf]) -> bool {
    use crate::cloud::finding::Evidence;
    let root = finding.resolved.as_deref().unwrap_or(&finding.root);
    let home_of = |p: &Path| homes.iter().find(|h| p.starts_with(h)).cloned();
    let root_home = home_of(root);
    finding.evidence.iter().any(|e| match e {
        Evidence::Mount { .. } => true,
        Evidence::Config { file, .. } => root_home.is_some() && home_of(file) == root_home,
        Evidence::Marker { path } => path.starts_with(root) || path.starts_with(&finding.root),
        Evidence::DefaultFolder { installed: Some(dir) } => root_home.is_some() && home_of(dir) == root_home,
        Evidence::DefaultFolder { installed: None } | Evidence::Process { .. } => false,
    })
}

/// Whether no directory above `path` is reached through a symlink: root reads and seals
/// only a file whose path is what it says (a directory swapped for a link to another
/// user's folder is not followed).
fn straight(path: &Path) -> bool {
    path.parent()
        .is_some_and(|dir| std::fs::canonicalize(dir).is_ok_and(|real| real == dir))
}

/// Whether the file's content may be read to be hashed and sealed: not mostly holes (a
/// `truncate -s 8T` file holds nothing), and not larger than the room the quarantine has.
fn worth_reading(path: &Path, quarantine: &Path) -> bool {
    let Ok(meta) = std::fs::symlink_metadata(path) else {
        return false;
    };
    let size = meta.len();
    let sparse = size > SPARSE_FROM && meta.blocks().saturating_mul(512) < size / 8;
    !sparse && crate::vault::layout::check_free_space(quarantine, size).is_ok()
}

impl Guard {
    /// Scan the protected homes for synced folders and watch those outside the watch's roots.
    pub(super) fn open_cloud(&mut self, homes: &[PathBuf], excluded: Vec<PathBuf>) {
        let cloud = as_root(|| CloudWatch::open(homes, excluded));
        self.cloud = Some(cloud);
        self.follow_synced();
    }

    /// Watch every synced folder found that no watched root covers yet (one made since
    /// included), and let go of those this watch added that are no longer found.
    pub(super) fn follow_synced(&mut self) {
        let (Some(watch), Some(cloud)) = (self.watch.as_mut(), self.cloud.as_mut()) else {
            return;
        };
        let wanted: Vec<PathBuf> = cloud.roots.iter().map(|r| r.watched().to_path_buf()).collect();
        for dir in std::mem::take(&mut cloud.followed) {
            if wanted.contains(&dir) && dir.is_dir() {
                cloud.followed.push(dir);
            } else {
                watch.remove_root(&dir);
            }
        }
        for dir in wanted {
            if dir.is_dir() && !watch.roots().iter().any(|r| dir.starts_with(r)) {
                as_root(|| watch.add_root(dir.clone()));
                cloud.followed.push(dir);
            }
        }
    }

    /// Timer: read the scan again when it is due, and follow the folders found.
    pub(super) fn on_cloud_timer(&mut self, now: Instant) {
        let read = match self.cloud.as_mut() {
            Some(cloud) => as_root(|| cloud.refresh(now)),
            None => false,
        };
        if read {
            self.follow_synced();
        }
    }

    /// When the cloud scan is next read again.
    pub(super) fn cloud_due(&self) -> Option<Instant> {
        self.cloud.as_ref().map(CloudWatch::next_due)
    }

    /// Whether any synced folder is known (finished files are then worth judging even with
    /// no medium mounted and no item in the vault).
    pub(super) fn has_synced(&self) -> bool {
        self.cloud.as_ref().is_some_and(|c| !c.roots().is_empty())
    }

    /// The synced folder `path` lies in, if any.
    pub(super) fn synced_root_of(&self, path: &Path) -> Option<SyncedRoot> {
        self.cloud.as_ref().and_then(|c| c.root_of(path))
    }

    /// A virtual-files placeholder in a synced folder: only its name is looked at.
    pub(super) fn judge_placeholder(&mut self, path: &Path, synced: &SyncedRoot) {
        let patterns = self.policy.cloud_marking_patterns();
        let Some((found, level)) = highest(name_markings(path, &patterns), self.policy.guard_unknown_level()) else {
            return;
        };
        if self.cloud.as_mut().is_some_and(|c| c.first_look(path)) {
            // Never read: no hash, no containment.
            self.cloud_marking_found(path, synced, &found, level, None);
        }
    }

    /// A finished file in a synced folder that is neither a copy nor vault material: its
    /// name and first KiB are looked at for a marking.
    pub(super) fn judge_marking(&mut self, path: &Path, synced: &SyncedRoot) {
        let patterns = self.policy.cloud_marking_patterns();
        let Some(cloud) = self.cloud.as_ref() else {
            return;
        };
        let table = cloud.mounts.clone();
        // Through a symlinked directory only the name is looked at.
        let straight = straight(path);
        let found = if straight {
            as_root(|| marking::judge(path, &table, &patterns))
        } else {
            name_markings(path, &patterns)
        };
        let Some((found, level)) = highest(found, self.policy.guard_unknown_level()) else {
            return;
        };
        if !self.cloud.as_mut().is_some_and(|c| c.first_look(path)) {
            return;
        }
        // Content read only from what is on this machine (never a network mount's file),
        // and only what can be sealed.
        let readable =
            straight && !marking::is_placeholder(path, &table) && worth_reading(path, &self.paths.quarantine);
        let hashed = readable.then(|| as_root(|| hash_file(path)).ok()).flatten();
        self.cloud_marking_found(path, synced, &found, level, hashed);
    }

    /// Record a marked file: `cloud.marking.alert`, and by policy its containment.
    fn cloud_marking_found(
        &mut self,
        path: &Path,
        synced: &SyncedRoot,
        found: &Marking,
        level: Level,
        hashed: Option<Hashed>,
    ) {
        let mut details = self.cloud_details(path, synced, level, hashed.as_ref().map_or(0, |h| h.size));
        details.insert("marking".into(), json!(found.marking));
        details.insert("place".into(), json!(found.place));
        if let Some(hashed) = &hashed {
            details.insert("sha256".into(), json!(crate::encoding::hex::encode(&hashed.sha256)));
        } else if let Ok(meta) = std::fs::symlink_metadata(path) {
            details.insert("size".into(), json!(meta.len()));
        }
        let event = record::event(crate::ledger::Action::CloudMarkingAlert, &synced.provider, details);
        self.contain_or_push(event, path, hashed, level, synced);
    }

    /// Record vault material found in a synced folder: `cloud.material.alert`, and by policy
    /// its containment at the item's level.
    pub(super) fn cloud_material_found(&mut self, material: &MaterialFound, synced: &SyncedRoot) {
        // Sealed at the item's level (by its history); a failed lookup seals at the highest.
        let item = self.item_with(&material.sha256).ok().flatten();
        let level = item.as_ref().map_or(Level::TopSecret, |h| h.level);
        let mut details = self.cloud_details(&material.path, synced, level, material.size);
        details.insert("sha256".into(), json!(crate::encoding::hex::encode(&material.sha256)));
        let subject = match &item {
            Some(history) => {
                details.insert("control_number".into(), json!(history.control_number));
                details.insert("item_level".into(), json!(history.level.name()));
                history.control_number.clone()
            }
            None => synced.provider.clone(),
        };
        let event = record::event(crate::ledger::Action::CloudMaterialAlert, &subject, details);
        // Hashed again for containment: the file must still be the material found.
        let hashed = straight(&material.path)
            .then(|| as_root(|| hash_file(&material.path)).ok())
            .flatten()
            .filter(|h| h.sha256 == material.sha256);
        self.contain_or_push(event, &material.path, hashed, level, synced);
    }

    /// What both cloud alerts say: the folder, the file's directory in plain and its name
    /// sealed to `level`, the size and the network state.
    fn cloud_details(
        &self,
        path: &Path,
        synced: &SyncedRoot,
        level: Level,
        size: u64,
    ) -> serde_json::Map<String, serde_json::Value> {
        let mut details = details! {
            "provider": synced.provider,
            "provider_name": synced.provider_name,
            "root": synced.root.to_string_lossy(),
            "size": size,
            "destination_dir": path.parent().map(|p| p.to_string_lossy().into_owned()).unwrap_or_default(),
            "sealing_level": level.name(),
            "network": self.net.state().as_str(),
        };
        self.insert_sealed_name(&mut details, level, path);
        details
    }

    /// Write `event`, first sealing the file into the quarantine when the policy says so
    /// and its content was read; a file that cannot be sealed stays, and the event says why.
    fn contain_or_push(
        &mut self,
        mut event: NewEvent,
        path: &Path,
        hashed: Option<Hashed>,
        level: Level,
        synced: &SyncedRoot,
    ) {
        if self.policy.guard_response != crate::accounts::policy::GuardResponse::Quarantine {
            self.push(event);
            return;
        }
        let Some(hashed) = hashed else {
            let why = "its content was not read (a placeholder, a file on a network mount or behind a symlinked directory, mostly holes, larger than the quarantine's room, or changed while read)";
            event.details.insert("not_contained".into(), json!(why));
            self.push(event);
            return;
        };
        let source = format!("cloud: {}", synced.provider_name);
        match self.contain_file(path, &hashed, level, source) {
            Ok(contained) => {
                event.details.insert(
                    "quarantine".into(),
                    json!(crate::encoding::hex::encode(&contained.row.id)),
                );
                self.push_pending(Pending {
                    event,
                    contained: Some(contained),
                });
            }
            Err(why) => {
                event.details.insert("not_contained".into(), json!(why));
                self.push(event);
            }
        }
    }
}

/// The markings in the file name of `path` alone (nothing is read).
fn name_markings(path: &Path, patterns: &[String]) -> Vec<Marking> {
    let name = path.file_name().unwrap_or_default().to_string_lossy();
    marking::markings_in(&name, patterns)
        .into_iter()
        .map(|marking| Marking {
            marking,
            place: marking::Place::Name,
        })
        .collect()
}
