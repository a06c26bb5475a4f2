//! One guard per vault: an exclusive `flock` on `<guard dir>/<station>.lock`, which holds
//! the PID and start time of the guard that took it. Anyone may open the file read-only and
//! ask whether a guard holds it (the app does, to say "no guard running"); only root can
//! create it. The lock goes with the process, SIGKILL included.

use std::fs;
use std::io::{Read, Seek, Write};
use std::os::fd::AsRawFd;
use std::os::unix::fs::OpenOptionsExt;
use std::path::{Path, PathBuf};

use serde::Serialize;

use crate::{Error, Result};

/// The guard holding a vault's lock.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Holder {
    /// Its process id.
    pub pid: u32,
    /// When it started (RFC 3339 UTC).
    pub since: String,
}

/// The lock of a running guard; released when dropped or when the process ends.
pub struct GuardLock {
    _file: fs::File,
}

/// The lock file of `station` in `dir`.
pub fn lock_path(dir: &Path, station: &str) -> PathBuf {
    dir.join(format!("{station}.lock"))
}

fn try_flock(file: &fs::File, exclusive: bool) -> std::io::Result<bool> {
    let op = if exclusive { libc::LOCK_EX } else { libc::LOCK_SH } | libc::LOCK_NB;
    // SAFETY: flock on a file descriptor this function borrows for the call's duration.
    if unsafe { libc::flock(file.as_raw_fd(), op) } == 0 {
        return Ok(true);
    }
    let error = std::io::Error::last_os_error();
    if error.raw_os_error() == Some(libc::EWOULDBLOCK) {
        Ok(false)
    } else {
        Err(error)
    }
}

fn parse_holder(text: &str) -> Option<Holder> {
    let (pid, since) = text.trim().split_once(' ')?;
    Some(Holder {
        pid: pid.parse().ok()?,
        since: since.chars().take(40).collect(),
    })
}

/// Take the lock for `station`, recording `pid` and `since`; refused, naming the PID that
/// holds it, when another guard runs for this vault.
pub fn acquire(dir: &Path, station: &str, pid: u32, since: &str) -> Result<GuardLock> {
    let path = lock_path(dir, station);
    let mut file = fs::OpenOptions::new()
        .read(true)
        .write(true)
        .create(true)
        .truncate(false)
        .mode(0o644)
        .custom_flags(libc::O_NOFOLLOW)
        .open(&path)
        .map_err(|e| Error::io(&path, e))?;
    if !try_flock(&file, true).map_err(|e| Error::io(&path, e))? {
        let mut text = String::new();
        let _ = (&file).take(256).read_to_string(&mut text);
        let who = parse_holder(&text).map_or_else(|| "another process".to_string(), |h| format!("PID {}", h.pid));
        return Err(Error::Denied {
            rule: "one-guard",
            message: format!(
                "a guard is already running for this vault ({who} holds {})",
                path.display()
            ),
        });
    }
    file.set_len(0).map_err(|e| Error::io(&path, e))?;
    file.rewind().map_err(|e| Error::io(&path, e))?;
    writeln!(file, "{pid} {since}").map_err(|e| Error::io(&path, e))?;
    file.sync_all().map_err(|e| Error::io(&path, e))?;
    Ok(GuardLock { _file: file })
}

/// The guard holding the lock of `station`, if one runs.
pub fn holder(dir: &Path, station: &str) -> Result<Option<Holder>> {
    let path = lock_path(dir, station);
    let file = match fs::OpenOptions::new()
        .read(true)
        .custom_flags(libc::O_NOFOLLOW)
        .open(&path)
    {
        Ok(file) => file,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(None),
        Err(e) => return Err(Error::io(&path, e)),
    };
    if try_flock(&file, false).map_err(|e| Error::io(&path, e))? {
        // Nobody holds it exclusively: no guard runs (the shared lock goes with `file`).
        return Ok(None);
    }
    let mut text = String::new();
    let _ = (&file).take(256).read_to_string(&mut text);
    Ok(Some(parse_holder(&text).unwrap_or(Holder {
        pid: 0,
        since: String::new(),
    })))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_second_guard_is_refused_naming_the_first_and_the_lock_goes_with_it() {
        let dir = tempfile::tempdir().unwrap();
        assert_eq!(holder(dir.path(), "s").unwrap(), None);
        let first = acquire(dir.path(), "s", 4242, "2026-12-07T08:00:00.000Z").unwrap();
        let err = acquire(dir.path(), "s", 1, "now").err().unwrap().to_string();
        assert!(err.contains("PID 4242"), "{err}");
        assert_eq!(
            holder(dir.path(), "s").unwrap(),
            Some(Holder {
                pid: 4242,
                since: "2026-12-07T08:00:00.000Z".into()
            })
        );
        drop(first);
        assert_eq!(holder(dir.path(), "s").unwrap(), None);
        // Another vault's lock is its own.
        let _other = acquire(dir.path(), "t", 7, "now").unwrap();
        assert_eq!(holder(dir.path(), "s").unwrap(), None);
    }
}
