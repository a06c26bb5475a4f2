//! Watching the protected destinations with `notify` (inotify), and turning its events into
//! "this file is finished": a close after writing, a rename into place (rsync, GIO and file
//! managers write a temporary name; a `mv` within one file system gives only the rename), or
//! a directory that appeared (created, or moved in with only a `Name(To)` for itself and
//! nothing for its files) scanned after its watch exists, since inotify misses files created
//! before that. A queue overflow rescans the roots; watches running out are counted and the
//! unwatched subtrees scanned now and then.
//!
//! The notify thread also writes a byte to a socket the guard `poll`s, so the guard sleeps
//! until something happens.

use std::collections::{HashMap, HashSet};
use std::io::Read;
use std::os::fd::{AsRawFd, RawFd};
use std::os::unix::fs::MetadataExt;
use std::os::unix::net::UnixStream;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::mpsc::{Receiver, SyncSender, TrySendError, sync_channel};
use std::time::{Duration, Instant};

use notify::event::{AccessKind, AccessMode, CreateKind, ModifyKind, RenameMode};
use notify::{Config, EventKind, EventKindMask, RecommendedWatcher, RecursiveMode, Watcher};

/// Events held for the guard at most; beyond it they are dropped and the roots rescanned
/// (as an inotify overflow is), so a flood cannot grow the guard's memory without bound.
pub const MAX_QUEUED: usize = 65_536;

/// At most this many files are looked at in one scan of a new directory (a million files in
/// a home are not hashed in one go; the rest are looked at by the periodic scan).
pub const MAX_SCAN_FILES: usize = 100_000;

/// A file written to and then left open this long without another write is judged as
/// finished (a writer that never closes: a tool that keeps its descriptor, an `mmap`).
pub const SETTLE: Duration = Duration::from_secs(3);

/// Files being written (not yet closed) followed at most; beyond it the oldest is judged at
/// once, so a flood of open files cannot grow the guard's memory without bound.
const MAX_WRITING: usize = 16_384;

/// A file written to without pause is judged this long after its first write anyway, and
/// again as often while the writes go on (a writer cannot put its judgement off for ever).
pub const SETTLE_AT_MOST: Duration = Duration::from_secs(30);

/// At most this many unwatched directories are remembered (each is scanned every minute).
const MAX_UNWATCHED: usize = 10_000;

/// How often the directories left unwatched (watches ran out) are scanned.
pub const UNWATCHED_RESCAN: Duration = Duration::from_secs(60);

/// What the events of one wake mean.
#[derive(Debug, Default)]
pub struct Changes {
    /// Files finished (to judge), in the order seen, without repeats.
    pub finished: Vec<PathBuf>,
    /// The queue overflowed: events were lost.
    pub rescan: bool,
}

/// Sends notify's events on and wakes the guard.
struct Handler {
    events: SyncSender<notify::Result<notify::Event>>,
    overflowed: Arc<AtomicBool>,
    wake: UnixStream,
}

impl notify::EventHandler for Handler {
    fn handle_event(&mut self, event: notify::Result<notify::Event>) {
        if let Err(TrySendError::Full(_)) = self.events.try_send(event) {
            self.overflowed.store(true, Ordering::Relaxed);
        }
        // Non-blocking: a full socket already means "wake up".
        let _ = std::io::Write::write(&mut &self.wake, &[1]);
    }
}

/// The watches on the protected destinations.
pub struct DestinationWatch {
    watcher: RecommendedWatcher,
    events: Receiver<notify::Result<notify::Event>>,
    overflowed: Arc<AtomicBool>,
    wake: UnixStream,
    roots: Vec<PathBuf>,
    excluded: Vec<PathBuf>,
    /// Directories left unwatched because watches ran out (scanned now and then instead).
    pub unwatched: Vec<PathBuf>,
    /// When the unwatched directories were last scanned.
    last_unwatched_scan: Instant,
    /// Files written and not yet closed, with the times of their first and last write.
    writing: HashMap<PathBuf, (Instant, Instant)>,
    /// How long a file left open after its last write waits before it is judged.
    settle: Duration,
}

impl DestinationWatch {
    /// Watch `roots` recursively, leaving events inside `excluded` aside.
    pub fn open(roots: Vec<PathBuf>, excluded: Vec<PathBuf>) -> std::io::Result<DestinationWatch> {
        let (sender, events) = sync_channel(MAX_QUEUED);
        let overflowed = Arc::new(AtomicBool::new(false));
        let (wake, wake_tx) = UnixStream::pair()?;
        wake.set_nonblocking(true)?;
        wake_tx.set_nonblocking(true)?;
        let handler = Handler {
            events: sender,
            overflowed: overflowed.clone(),
            wake: wake_tx,
        };
        let config = Config::default().with_event_kinds(EventKindMask::CORE | EventKindMask::ACCESS_CLOSE);
        let watcher = RecommendedWatcher::new(handler, config).map_err(std::io::Error::other)?;
        let mut watch = DestinationWatch {
            watcher,
            events,
            overflowed,
            wake,
            roots: Vec::new(),
            excluded,
            unwatched: Vec::new(),
            last_unwatched_scan: Instant::now(),
            writing: HashMap::new(),
            settle: SETTLE,
        };
        for root in roots {
            watch.add_root(root);
        }
        Ok(watch)
    }

    /// Watch one more root (a network share mounted, say).
    pub fn add_root(&mut self, root: PathBuf) {
        if self.roots.contains(&root) {
            return;
        }
        if let Err(e) = self.watcher.watch(&root, RecursiveMode::Recursive)
            && matches!(e.kind, notify::ErrorKind::MaxFilesWatch)
        {
            // The walk stopped at the first directory refused: the whole root is scanned
            // every minute, since what lies beyond that directory is not known.
            self.note_unwatched(e.paths.iter().cloned().chain([root.clone()]));
        }
        self.roots.push(root);
    }

    /// Stop watching a root (a share unmounted).
    pub fn remove_root(&mut self, root: &Path) {
        let _ = self.watcher.unwatch(root);
        self.roots.retain(|r| r != root);
    }

    /// Judge files left open after writing once they have been quiet for `settle` (tests
    /// shorten it).
    pub fn set_settle(&mut self, settle: Duration) {
        self.settle = settle;
    }

    /// Files written and left open that have been quiet long enough: judged now (a later
    /// write starts their wait again).
    pub fn settled(&mut self, now: Instant) -> Vec<PathBuf> {
        let settle = self.settle;
        let due = |(first, last): &(Instant, Instant)| {
            now.saturating_duration_since(*last) >= settle || now.saturating_duration_since(*first) >= SETTLE_AT_MOST
        };
        let quiet: Vec<PathBuf> = self
            .writing
            .iter()
            .filter(|(_, times)| due(times))
            .map(|(path, _)| path.clone())
            .collect();
        for path in &quiet {
            self.writing.remove(path);
        }
        quiet
    }

    /// The files below the unwatched directories, when a periodic scan is due (`None`
    /// otherwise, or with none unwatched).
    pub fn unwatched_due(&mut self, now: Instant) -> Option<Vec<PathBuf>> {
        if self.unwatched.is_empty() || now.saturating_duration_since(self.last_unwatched_scan) < UNWATCHED_RESCAN {
            return None;
        }
        self.last_unwatched_scan = now;
        // Directories removed since are forgotten.
        self.unwatched.retain(|d| d.is_dir());
        self.unwatched.sort();
        self.unwatched.dedup();
        let mut files = Vec::new();
        for dir in &self.unwatched {
            files.extend(scan(dir, &self.excluded));
            if files.len() >= MAX_SCAN_FILES {
                break;
            }
        }
        Some(files)
    }

    /// When the watch next needs the guard: a file to settle, or the unwatched scan.
    pub fn next_due(&self) -> Option<Instant> {
        let settle = self
            .writing
            .values()
            .map(|(first, last)| (*last + self.settle).min(*first + SETTLE_AT_MOST))
            .min();
        let rescan = (!self.unwatched.is_empty()).then(|| self.last_unwatched_scan + UNWATCHED_RESCAN);
        settle.into_iter().chain(rescan).min()
    }

    /// The roots watched.
    pub fn roots(&self) -> &[PathBuf] {
        &self.roots
    }

    /// The descriptor the guard polls.
    pub fn wake_fd(&self) -> RawFd {
        self.wake.as_raw_fd()
    }

    /// Read every event waiting, without blocking. With `look` false (no medium mounted, so
    /// nothing can be a copy), the events are read and nothing is looked at.
    pub fn drain(&mut self, look: bool) -> Changes {
        let mut sink = [0u8; 256];
        while matches!((&self.wake).read(&mut sink), Ok(n) if n > 0) {}
        let mut changes = Changes {
            rescan: self.overflowed.swap(false, Ordering::Relaxed),
            ..Changes::default()
        };
        let mut seen: HashSet<PathBuf> = HashSet::new();
        let mut dirs: Vec<PathBuf> = Vec::new();
        while let Ok(event) = self.events.try_recv() {
            match event {
                Ok(event) if event.need_rescan() => changes.rescan = true,
                Ok(event) => {
                    if look && let EventKind::Modify(ModifyKind::Data(_)) = event.kind {
                        self.note_writing(&event.paths);
                        continue;
                    }
                    let (files, new_dirs) = classify(&event);
                    for path in files {
                        // Finished: no longer waiting to settle (renamed away too).
                        self.writing.remove(&path);
                        if !self.is_excluded(&path) && seen.insert(path.clone()) {
                            changes.finished.push(path);
                        }
                    }
                    if let EventKind::Modify(ModifyKind::Name(RenameMode::From | RenameMode::Both)) = event.kind {
                        for path in &event.paths {
                            self.writing.remove(path);
                        }
                    }
                    dirs.extend(new_dirs.into_iter().filter(|d| !self.is_excluded(d)));
                }
                Err(e) if matches!(e.kind, notify::ErrorKind::MaxFilesWatch) => {
                    self.note_unwatched(e.paths);
                }
                Err(_) => {}
            }
        }
        if !look {
            return Changes::default();
        }
        // A new directory: notify watches it already (recursive mode); what was written
        // before the watch existed is found by looking.
        dirs.sort();
        dirs.dedup();
        for dir in dirs {
            for path in scan(&dir, &self.excluded) {
                if seen.insert(path.clone()) {
                    changes.finished.push(path);
                }
            }
        }
        changes
    }

    /// Note a write to each of `paths` (files being written, judged once closed or quiet).
    fn note_writing(&mut self, paths: &[PathBuf]) {
        let now = Instant::now();
        for path in paths {
            if self.is_excluded(path) {
                continue;
            }
            if let Some((_, last)) = self.writing.get_mut(path) {
                *last = now;
                continue;
            }
            if self.writing.len() >= MAX_WRITING {
                // Full: this one is judged at the next settle check instead of waiting.
                self.writing
                    .insert(path.clone(), (now - SETTLE_AT_MOST, now - SETTLE_AT_MOST));
                continue;
            }
            self.writing.insert(path.clone(), (now, now));
        }
    }

    /// Judge `path` again once it has been quiet for the settle time (it changed while it
    /// was hashed, or a medium it may have come from is being indexed again).
    pub fn judge_later(&mut self, path: PathBuf) {
        self.note_writing(std::slice::from_ref(&path));
    }

    /// Note directories left unwatched (at most [`MAX_UNWATCHED`]).
    fn note_unwatched(&mut self, dirs: impl IntoIterator<Item = PathBuf>) {
        for dir in dirs {
            if self.unwatched.len() >= MAX_UNWATCHED {
                break;
            }
            self.unwatched.push(dir);
        }
    }

    fn is_excluded(&self, path: &Path) -> bool {
        crate::guard::destinations::is_excluded(path, &self.excluded)
    }
}

/// The finished files and the new directories one event names.
fn classify(event: &notify::Event) -> (Vec<PathBuf>, Vec<PathBuf>) {
    let mut files = Vec::new();
    let mut dirs = Vec::new();
    let mut take = |path: &PathBuf| match std::fs::symlink_metadata(path) {
        Ok(meta) if meta.is_dir() => dirs.push(path.clone()),
        Ok(meta) if meta.is_file() => files.push(path.clone()),
        _ => {}
    };
    match event.kind {
        EventKind::Access(AccessKind::Close(AccessMode::Write)) => event.paths.iter().for_each(&mut take),
        EventKind::Modify(ModifyKind::Name(RenameMode::To)) => event.paths.iter().for_each(&mut take),
        EventKind::Modify(ModifyKind::Name(RenameMode::Both)) => event.paths.last().into_iter().for_each(&mut take),
        // A name moved away: if it went into a directory whose watch does not exist yet (a
        // temporary name renamed into a fresh subdirectory), no event names it there, so
        // the directory it left is looked at again, subdirectories included.
        EventKind::Modify(ModifyKind::Name(RenameMode::From)) => {
            for parent in event.paths.iter().filter_map(|p| p.parent()) {
                take(&parent.to_path_buf());
            }
        }
        EventKind::Create(CreateKind::Folder) => event.paths.iter().for_each(&mut take),
        // A new name for a file that exists already (`ln`, `linkat` of an `O_TMPFILE`): no
        // write or close follows, so it is finished as it appears.
        EventKind::Create(CreateKind::File) => {
            for path in &event.paths {
                if std::fs::symlink_metadata(path).is_ok_and(|m| m.is_file() && m.nlink() > 1) {
                    take(path);
                }
            }
        }
        EventKind::Create(CreateKind::Any) => {
            // Synthesized for directories found while adding a recursive watch.
            for path in &event.paths {
                if path.is_dir() {
                    take(path);
                }
            }
        }
        _ => {}
    }
    (files, dirs)
}

/// The regular files below `dir` (not through links, not into `excluded`), at most
/// [`MAX_SCAN_FILES`].
pub fn scan(dir: &Path, excluded: &[PathBuf]) -> Vec<PathBuf> {
    let mut out = Vec::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(dir) = stack.pop() {
        let Ok(entries) = std::fs::read_dir(&dir) else { continue };
        for entry in entries.flatten() {
            let path = entry.path();
            if crate::guard::destinations::is_excluded(&path, excluded) {
                continue;
            }
            match entry.file_type() {
                Ok(t) if t.is_dir() => stack.push(path),
                Ok(t) if t.is_file() => {
                    out.push(path);
                    if out.len() >= MAX_SCAN_FILES {
                        return out;
                    }
                }
                _ => {}
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::Write;

    /// Wait until the watch has drained the events of what the test just did.
    fn drained(watch: &mut DestinationWatch) -> Changes {
        std::thread::sleep(Duration::from_millis(200));
        watch.drain(true)
    }

    #[test]
    fn a_file_left_open_after_writing_is_judged_once_quiet_and_a_close_ends_its_wait() {
        let dir = tempfile::tempdir().unwrap();
        let mut watch = DestinationWatch::open(vec![dir.path().to_path_buf()], Vec::new()).unwrap();
        watch.set_settle(Duration::from_millis(300));
        let path = dir.path().join("open.tif");
        let mut file = std::fs::File::create(&path).unwrap();
        file.write_all(b"written and left open").unwrap();
        let changes = drained(&mut watch);
        assert!(!changes.finished.contains(&path), "not finished while open");
        assert!(watch.settled(Instant::now()).is_empty(), "not quiet long enough yet");
        assert!(watch.next_due().is_some());
        let later = Instant::now() + Duration::from_millis(400);
        assert_eq!(watch.settled(later), vec![path.clone()]);
        assert!(watch.settled(later).is_empty(), "judged once");

        // Written again, then closed: the close finishes it, and nothing waits any more.
        file.write_all(b" and more").unwrap();
        drained(&mut watch);
        drop(file);
        let changes = drained(&mut watch);
        assert_eq!(changes.finished, vec![path]);
        assert!(watch.settled(Instant::now() + Duration::from_secs(10)).is_empty());
        assert!(watch.next_due().is_none());
    }

    #[test]
    fn directories_beyond_the_watches_are_scanned_every_minute() {
        let dir = tempfile::tempdir().unwrap();
        let watched = dir.path().join("watched");
        let unwatched = dir.path().join("beyond");
        std::fs::create_dir_all(unwatched.join("deep")).unwrap();
        std::fs::create_dir_all(&watched).unwrap();
        let mut watch = DestinationWatch::open(vec![watched], Vec::new()).unwrap();
        assert!(
            watch.unwatched_due(Instant::now() + UNWATCHED_RESCAN).is_none(),
            "none unwatched"
        );
        // As when inotify refuses a watch (`MaxFilesWatch`): the directory is noted.
        watch.unwatched.push(unwatched.clone());
        std::fs::write(unwatched.join("deep/copy.tif"), b"a copy nobody was told of").unwrap();
        assert!(watch.unwatched_due(Instant::now()).is_none(), "not due yet");
        let due = watch.next_due().unwrap();
        let found = watch.unwatched_due(due).unwrap();
        assert_eq!(found, vec![unwatched.join("deep/copy.tif")]);
        assert!(watch.unwatched_due(due).is_none(), "the next scan is a minute later");
    }

    #[test]
    fn a_writer_that_never_pauses_is_judged_thirty_seconds_after_its_first_write() {
        let dir = tempfile::tempdir().unwrap();
        let mut watch = DestinationWatch::open(vec![dir.path().to_path_buf()], Vec::new()).unwrap();
        // Never quiet long enough: only the cap brings it to judgement.
        watch.set_settle(Duration::from_secs(3600));
        let path = dir.path().join("dribbled.tif");
        let mut file = std::fs::File::create(&path).unwrap();
        file.write_all(b"a first part").unwrap();
        drained(&mut watch);
        file.write_all(b" and another").unwrap();
        drained(&mut watch);
        assert!(watch.settled(Instant::now() + Duration::from_secs(20)).is_empty());
        assert_eq!(watch.settled(Instant::now() + SETTLE_AT_MOST), vec![path]);
    }

    #[test]
    fn a_new_hard_link_to_a_file_is_finished_as_it_appears() {
        let dir = tempfile::tempdir().unwrap();
        let outside = dir.path().join("outside");
        let watched = dir.path().join("watched");
        std::fs::create_dir_all(&outside).unwrap();
        std::fs::create_dir_all(&watched).unwrap();
        std::fs::write(outside.join("export.tif"), b"written before anyone watched").unwrap();
        let mut watch = DestinationWatch::open(vec![watched.clone()], Vec::new()).unwrap();
        std::fs::hard_link(outside.join("export.tif"), watched.join("linked.tif")).unwrap();
        let changes = drained(&mut watch);
        assert_eq!(changes.finished, vec![watched.join("linked.tif")]);
    }
}
