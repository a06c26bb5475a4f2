//! Keeping the media indexes true after mount: each medium is watched (inotify), and a
//! medium whose files changed (written, renamed, removed) is marked, so its index is built
//! again before the next file is judged. Without it a file written or moved on a stick after
//! it was mounted could be copied off unseen. Reads (a copy *from* the stick) mark nothing.

use std::collections::HashSet;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};

use notify::event::{AccessKind, AccessMode, ModifyKind};
use notify::{Config, EventKind, EventKindMask, RecommendedWatcher, RecursiveMode, Watcher};

/// The media roots whose files changed since they were last indexed.
type Dirty = Arc<Mutex<HashSet<PathBuf>>>;

/// Marks the medium an event is on.
struct Marker {
    roots: Arc<Mutex<Vec<PathBuf>>>,
    dirty: Dirty,
}

impl notify::EventHandler for Marker {
    fn handle_event(&mut self, event: notify::Result<notify::Event>) {
        let Ok(event) = event else { return };
        let changes = match event.kind {
            EventKind::Create(_) | EventKind::Remove(_) => true,
            EventKind::Modify(ModifyKind::Name(_) | ModifyKind::Data(_)) => true,
            EventKind::Access(AccessKind::Close(AccessMode::Write)) => true,
            _ => event.need_rescan(),
        };
        if !changes {
            return;
        }
        let (Ok(roots), Ok(mut dirty)) = (self.roots.lock(), self.dirty.lock()) else {
            return;
        };
        for root in roots.iter() {
            if event.need_rescan() || event.paths.iter().any(|p| p.starts_with(root)) {
                dirty.insert(root.clone());
            }
        }
    }
}

/// The watches on the mounted media.
pub struct MediaWatch {
    watcher: RecommendedWatcher,
    roots: Arc<Mutex<Vec<PathBuf>>>,
    dirty: Dirty,
}

impl MediaWatch {
    /// A watch with no medium yet.
    pub fn open() -> std::io::Result<MediaWatch> {
        let roots = Arc::new(Mutex::new(Vec::new()));
        let dirty: Dirty = Arc::default();
        let marker = Marker {
            roots: roots.clone(),
            dirty: dirty.clone(),
        };
        let config = Config::default().with_event_kinds(EventKindMask::CORE | EventKindMask::ACCESS_CLOSE);
        let watcher = RecommendedWatcher::new(marker, config).map_err(std::io::Error::other)?;
        Ok(MediaWatch { watcher, roots, dirty })
    }

    /// Follow a medium just mounted. A medium that cannot be watched (watches ran out) is
    /// indexed once, as before.
    pub fn add(&mut self, root: &Path) {
        if let Ok(mut roots) = self.roots.lock() {
            roots.push(root.to_path_buf());
        }
        let _ = self.watcher.watch(root, RecursiveMode::Recursive);
    }

    /// Let go of a medium unmounted.
    pub fn remove(&mut self, root: &Path) {
        let _ = self.watcher.unwatch(root);
        if let Ok(mut roots) = self.roots.lock() {
            roots.retain(|r| r != root);
        }
        if let Ok(mut dirty) = self.dirty.lock() {
            dirty.remove(root);
        }
    }

    /// The media whose files changed since the last call.
    pub fn take_dirty(&self) -> Vec<PathBuf> {
        self.dirty
            .lock()
            .map(|mut dirty| dirty.drain().collect())
            .unwrap_or_default()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::time::Duration;

    #[test]
    fn a_medium_written_to_is_marked_and_one_read_from_is_not() {
        let stick = tempfile::tempdir().unwrap();
        std::fs::write(stick.path().join("survey.tif"), b"on the stick at mount").unwrap();
        let mut watch = MediaWatch::open().unwrap();
        watch.add(stick.path());
        std::fs::read(stick.path().join("survey.tif")).unwrap();
        std::thread::sleep(Duration::from_millis(200));
        assert!(watch.take_dirty().is_empty(), "a read changes nothing");
        std::fs::write(stick.path().join("later.tif"), b"written after the mount").unwrap();
        std::thread::sleep(Duration::from_millis(200));
        assert_eq!(watch.take_dirty(), vec![stick.path().to_path_buf()]);
        assert!(watch.take_dirty().is_empty(), "taken once");
        watch.remove(stick.path());
        std::fs::write(stick.path().join("gone.tif"), b"after it was let go").unwrap();
        std::thread::sleep(Duration::from_millis(200));
        assert!(watch.take_dirty().is_empty());
    }
}
