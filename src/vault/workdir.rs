//! Each process's own work directory `tmp/<uuid>/`, held by an exclusive `flock` on
//! `tmp/<uuid>.lock` for the life of the process.
//!
//! A lock that can be taken belongs to a dead process: whoever opens the vault next takes it,
//! removes that owner's files and (through the caller) its pending rows. The lock file is
//! created before the directory and removed after it, so a directory without a lock is
//! always dead.

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
        let owner = crate::ids::ItemId::random()?.to_string();
        let lock_path = tmp.join(format!("{owner}.lock"));
        let lock = OpenOptions::new()
            .write(true)
            .create_new(true)
            .mode(0o600)
            .open(&lock_path)
            .map_err(|e| Error::io(&lock_path, e))?;
        if !try_lock(&lock) {
            return Err(Error::io(
                &lock_path,
                std::io::Error::other("could not lock a fresh work directory"),
            ));
        }
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

/// Work directories under `tmp` whose owners are gone (their lock can be taken).
pub fn dead_owners(tmp: &Path, own: &str) -> Result<Vec<DeadOwner>> {
    let mut out = Vec::new();
    let entries = fs::read_dir(tmp).map_err(|e| Error::io(tmp, e))?;
    let mut names: Vec<String> = Vec::new();
    for entry in entries {
        let entry = entry.map_err(|e| Error::io(tmp, e))?;
        names.push(entry.file_name().to_string_lossy().into_owned());
    }
    let owners: std::collections::BTreeSet<String> = names
        .iter()
        .map(|n| n.strip_suffix(".lock").unwrap_or(n).to_string())
        .filter(|o| o != own)
        .collect();
    for owner in owners {
        let lock_path = tmp.join(format!("{owner}.lock"));
        let dir = tmp.join(&owner);
        let lock = match File::open(&lock_path) {
            Ok(file) => {
                if !try_lock(&file) {
                    continue; // alive
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
        fs::create_dir(tmp.path().join("dead-owner")).unwrap();
        fs::write(tmp.path().join("dead-owner/partial.sro"), b"x").unwrap();
        fs::write(tmp.path().join("dead-owner.lock"), b"").unwrap();
        let dead = dead_owners(tmp.path(), "me").unwrap();
        assert_eq!(
            dead.iter().map(|d| d.owner.as_str()).collect::<Vec<_>>(),
            vec!["dead-owner"]
        );
        for d in dead {
            d.remove().unwrap();
        }
        assert!(!tmp.path().join("dead-owner").exists());
        assert!(live.path().exists());
        let path = live.path().to_path_buf();
        drop(live);
        assert!(!path.exists());
    }
}
