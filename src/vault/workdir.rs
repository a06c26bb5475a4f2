//! Each process's own work directory `tmp/<uuid>/`, held by an exclusive `flock` on
//! `tmp/<uuid>.lock` for the life of the process.
//!
//! A lock that can be taken belongs to a dead process: whoever opens the vault next takes it,
//! removes that owner's files and (through the caller) its pending rows. The lock file is
//! created and locked under a hidden name and only then renamed into place, so no other
//! process ever sees it unlocked; the directory is made after the lock and removed before it,
//! so a directory without a lock is always dead. Entries whose names are not work directories
//! are left alone.

use std::fs::{self, DirBuilder, File, OpenOptions};
use std::os::fd::AsRawFd;
use std::os::unix::fs::{DirBuilderExt, OpenOptionsExt};
use std::path::{Path, PathBuf};

use crate::{Error, Result};

/// This process's work directory, removed on drop.
pub struct WorkDir {
    owner: String,
    dir: PathBuf,
    lock_path: PathBuf,
    _lock: File,
}

impl WorkDir {
    /// Create and lock a fresh work directory under `tmp`.
    pub fn create(tmp: &Path) -> Result<WorkDir> {
        // Between creating the hidden lock file and locking it, another process opening the
        // vault can take it for an abandoned one: lock it first, or remove it so the rename
        // finds nothing. Either way a new attempt (a new id) is made.
        let mut attempts = 0;
        loop {
            match WorkDir::create_once(tmp) {
                Err(Error::Io { source, .. })
                    if matches!(
                        source.kind(),
                        std::io::ErrorKind::NotFound | std::io::ErrorKind::WouldBlock
                    ) && attempts < 5 =>
                {
                    attempts += 1;
                }
                other => return other,
            }
        }
    }

    fn create_once(tmp: &Path) -> Result<WorkDir> {
        let owner = crate::ids::ItemId::random()?.to_string();
        let staging = tmp.join(format!(".{owner}.locking"));
        let lock_path = tmp.join(format!("{owner}.lock"));
        let lock = OpenOptions::new()
            .write(true)
            .create_new(true)
            .mode(0o600)
            .open(&staging)
            .map_err(|e| Error::io(&staging, e))?;
        if !try_lock(&lock) {
            let _ = fs::remove_file(&staging);
            return Err(Error::io(
                &staging,
                std::io::Error::new(std::io::ErrorKind::WouldBlock, "could not lock a fresh work directory"),
            ));
        }
        fs::rename(&staging, &lock_path).map_err(|e| Error::io(&lock_path, e))?;
        let dir = tmp.join(&owner);
        DirBuilder::new()
            .mode(0o700)
            .create(&dir)
            .map_err(|e| Error::io(&dir, e))?;
        Ok(WorkDir {
            owner,
            dir,
            lock_path,
            _lock: lock,
        })
    }

    /// The owner id recorded in pending rows and export temps.
    pub fn owner(&self) -> &str {
        &self.owner
    }

    /// The directory itself.
    pub fn path(&self) -> &Path {
        &self.dir
    }
}

impl Drop for WorkDir {
    fn drop(&mut self) {
        // Best effort: a leftover is swept by the next process that opens the vault.
        let _ = fs::remove_dir_all(&self.dir);
        let _ = fs::remove_file(&self.lock_path);
    }
}

/// A dead process's work directory, locked by us while we clean up after it.
pub struct DeadOwner {
    /// The owner id.
    pub owner: String,
    dir: PathBuf,
    lock_path: PathBuf,
    _lock: Option<File>,
}

impl DeadOwner {
    /// Remove its files and then its lock.
    pub fn remove(self) -> Result<()> {
        if self.dir.exists() {
            fs::remove_dir_all(&self.dir).map_err(|e| Error::io(&self.dir, e))?;
        }
        match fs::remove_file(&self.lock_path) {
            Ok(()) => Ok(()),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(()),
            Err(e) => Err(Error::io(&self.lock_path, e)),
        }
    }
}

/// Work directories under `tmp` whose owners are gone (their lock can be taken). Also
/// removes hidden lock files that a process died before renaming into place.
pub fn dead_owners(tmp: &Path, own: &str) -> Result<Vec<DeadOwner>> {
    let mut owners = std::collections::BTreeSet::new();
    for entry in fs::read_dir(tmp).map_err(|e| Error::io(tmp, e))? {
        let name = entry
            .map_err(|e| Error::io(tmp, e))?
            .file_name()
            .to_string_lossy()
            .into_owned();
        if let Some(staged) = name.strip_prefix('.').and_then(|n| n.strip_suffix(".locking")) {
            if is_owner_id(staged) {
                remove_if_abandoned(&tmp.join(&name));
            }
            continue;
        }
        let owner = name.strip_suffix(".lock").unwrap_or(&name);
        if is_owner_id(owner) && owner != own {
            owners.insert(owner.to_string());
        }
    }
    let mut out = Vec::new();
    for owner in owners {
        let lock_path = tmp.join(format!("{owner}.lock"));
        let dir = tmp.join(&owner);
        let lock = match File::open(&lock_path) {
            Ok(file) => {
                if !try_lock(&file) || !same_file(&file, &lock_path) {
                    continue; // alive, or replaced while we looked
                }
                Some(file)
            }
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => None,
            Err(e) => return Err(Error::io(&lock_path, e)),
        };
        out.push(DeadOwner {
            owner,
            dir,
            lock_path,
            _lock: lock,
        });
    }
    Ok(out)
}

/// Whether `name` is a work-directory owner id (a hyphenated uuid).
fn is_owner_id(name: &str) -> bool {
    name.len() == 36 && uuid::Uuid::try_parse(name).is_ok()
}

/// Remove a hidden lock file whose creator died before renaming it.
fn remove_if_abandoned(path: &Path) {
    if let Ok(file) = File::open(path)
        && try_lock(&file)
        && same_file(&file, path)
    {
        let _ = fs::remove_file(path);
    }
}

/// Whether the open `file` is still the one at `path`.
fn same_file(file: &File, path: &Path) -> bool {
    use std::os::unix::fs::MetadataExt;
    match (file.metadata(), fs::metadata(path)) {
        (Ok(a), Ok(b)) => a.dev() == b.dev() && a.ino() == b.ino(),
        _ => false,
    }
}

fn try_lock(file: &File) -> bool {
    // SAFETY: flock on a file descriptor we own; no memory is passed.
    unsafe { libc::flock(file.as_raw_fd(), libc::LOCK_EX | libc::LOCK_NB) == 0 }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn live_directories_are_kept_and_dead_ones_found() {
        let tmp = tempfile::tempdir().unwrap();
        let live = WorkDir::create(tmp.path()).unwrap();
        // A dead owner: a directory and lock file nobody holds.
        let dead_id = "0b6c1c52-5c2f-4a8e-9a43-1d2b3c4d5e6f";
        fs::create_dir(tmp.path().join(dead_id)).unwrap();
        fs::write(tmp.path().join(dead_id).join("partial.sro"), b"x").unwrap();
        fs::write(tmp.path().join(format!("{dead_id}.lock")), b"").unwrap();
        // Stray entries that are not work directories are left alone.
        fs::write(tmp.path().join("notes.txt"), b"stray").unwrap();
        fs::create_dir(tmp.path().join("stray-dir")).unwrap();
        // A hidden lock whose creator died before renaming it is removed.
        let staged = tmp.path().join(format!(".{dead_id}.locking"));
        fs::write(&staged, b"").unwrap();
        let dead = dead_owners(tmp.path(), live.owner()).unwrap();
        assert_eq!(dead.iter().map(|d| d.owner.as_str()).collect::<Vec<_>>(), vec![dead_id]);
        for d in dead {
            d.remove().unwrap();
        }
        assert!(!tmp.path().join(dead_id).exists());
        assert!(!staged.exists());
        assert!(tmp.path().join("notes.txt").exists() && tmp.path().join("stray-dir").exists());
        // The live owner is never reported, even to another process looking (own = "").
        assert!(dead_owners(tmp.path(), "").unwrap().is_empty());
        let path = live.path().to_path_buf();
        drop(live);
        assert!(!path.exists());
    }
}
