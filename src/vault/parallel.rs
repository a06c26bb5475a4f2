//! Work spread over two threads (the station's two cores): encrypting a group of files, and
//! syncing the directories a group touched. The calling thread works too; if a second thread
//! cannot be started, it does all the work alone.

use std::path::{Path, PathBuf};
use std::sync::Mutex;
use std::sync::atomic::{AtomicUsize, Ordering};

use crate::Result;

/// How many of a group's files are read, encrypted and synced at once.
pub const IN_FLIGHT: usize = 2;

/// Run `work` on every element of `items`, `IN_FLIGHT` at a time, and return the outcomes in
/// the order of `items`. `work` is never called twice for one element.
pub fn map<T: Sync, R: Send>(items: &[T], work: impl Fn(&T) -> R + Sync) -> Vec<R> {
    map_with(items, IN_FLIGHT, work)
}

/// [`map`] with `in_flight` elements at a time (1: all in the calling thread).
pub fn map_with<T: Sync, R: Send>(items: &[T], in_flight: usize, work: impl Fn(&T) -> R + Sync) -> Vec<R> {
    let next = AtomicUsize::new(0);
    let outcomes: Vec<Mutex<Option<R>>> = items.iter().map(|_| Mutex::new(None)).collect();
    let run = || {
        loop {
            let i = next.fetch_add(1, Ordering::Relaxed);
            let Some(item) = items.get(i) else {
                break;
            };
            let outcome = work(item);
            *outcomes[i].lock().unwrap_or_else(|p| p.into_inner()) = Some(outcome);
        }
    };
    std::thread::scope(|scope| {
        // The helpers; a machine that cannot start one still gets the work done here.
        for _ in 1..in_flight.min(items.len()) {
            let _ = std::thread::Builder::new()
                .name("strongroom-import".into())
                .spawn_scoped(scope, run);
        }
        run();
    });
    // Every slot is filled: `run` stops only when no element is left, and a panic in `work`
    // is raised again by the scope before this point.
    outcomes
        .into_iter()
        .filter_map(|slot| slot.into_inner().unwrap_or_else(|p| p.into_inner()))
        .collect()
}

/// fsync each of `dirs`, two at a time; the first failure is returned.
pub fn sync_dirs<'a>(dirs: impl IntoIterator<Item = &'a PathBuf>) -> Result<()> {
    let dirs: Vec<&Path> = dirs.into_iter().map(PathBuf::as_path).collect();
    map(&dirs, |dir| super::layout::sync_dir(dir)).into_iter().collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_item_is_worked_once_and_the_outcomes_keep_their_order() {
        let calls = AtomicUsize::new(0);
        let items: Vec<u32> = (0..1000).collect();
        let doubled = map(&items, |n| {
            calls.fetch_add(1, Ordering::Relaxed);
            n * 2
        });
        assert_eq!(calls.load(Ordering::Relaxed), 1000);
        assert_eq!(doubled, items.iter().map(|n| n * 2).collect::<Vec<_>>());
        assert!(map(&Vec::<u32>::new(), |n| *n).is_empty());
    }

    #[test]
    fn a_directory_that_cannot_be_synced_is_reported() {
        let dir = tempfile::tempdir().unwrap();
        let good = dir.path().to_path_buf();
        let gone = dir.path().join("gone");
        assert!(sync_dirs([&good]).is_ok());
        assert!(sync_dirs([&good, &gone]).is_err());
    }
}
