//! One guard per vault: an exclusive `flock` on `<guard dir>/<station>.lock` (mode 0600, so
//! only root can open it, and nobody else can hold it to keep a guard from starting), and
//! beside it `<station>.guard` (0644): the PID, its process start time and the start time
//! of the guard that holds the lock. Anyone may read that file to ask whether a guard runs
//! (the app does, to say "no guard running"); the answer is yes only if that process still
//! lives with the same start time, so a guard killed with SIGKILL is not taken for running.

use std::fs;
use std::io::{Read, Write};
use std::os::fd::AsRawFd;
use std::os::unix::fs::{MetadataExt, OpenOptionsExt};
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
    info: PathBuf,
}

impl Drop for GuardLock {
    fn drop(&mut self) {
        let _ = fs::remove_file(&self.info);
    }
}

/// The lock file of `station` in `dir`.
pub fn lock_path(dir: &Path, station: &str) -> PathBuf {
    dir.join(format!("{station}.lock"))
}

/// The file naming the guard that holds the lock.
pub fn info_path(dir: &Path, station: &str) -> PathBuf {
    dir.join(format!("{station}.guard"))
}

fn try_flock(file: &fs::File) -> std::io::Result<bool> {
    // SAFETY: flock on a file descriptor this function borrows for the call's duration.
    if unsafe { libc::flock(file.as_raw_fd(), libc::LOCK_EX | libc::LOCK_NB) } == 0 {
        return Ok(true);
    }
    let error = std::io::Error::last_os_error();
    if error.raw_os_error() == Some(libc::EWOULDBLOCK) {
        Ok(false)
    } else {
        Err(error)
    }
}

/// The start time of process `pid` (clock ticks since boot, field 22 of `/proc/PID/stat`).
fn start_ticks(pid: u32) -> Option<u64> {
    let stat = fs::read_to_string(format!("/proc/{pid}/stat")).ok()?;
    // The command name (field 2) is in parentheses and may hold spaces: count after it.
    let after = stat.get(stat.rfind(')')? + 2..)?;
    after.split(' ').nth(19)?.parse().ok()
}

/// The info line: `pid start-ticks since`.
fn parse_info(text: &str) -> Option<(u32, u64, String)> {
    let mut parts = text.trim().splitn(3, ' ');
    let pid = parts.next()?.parse().ok()?;
    let ticks = parts.next()?.parse().ok()?;
    let since: String = parts.next()?.chars().take(40).collect();
    Some((pid, ticks, since))
}

/// Read the info file if root owns it (one the station's account wrote proves nothing).
fn read_info(dir: &Path, station: &str) -> Option<(u32, u64, String)> {
    let path = info_path(dir, station);
    let file = fs::OpenOptions::new()
        .read(true)
        .custom_flags(libc::O_NOFOLLOW | libc::O_NONBLOCK)
        .open(&path)
        .ok()?;
    let meta = file.metadata().ok()?;
    if !meta.is_file() || meta.uid() != 0 || meta.mode() & 0o022 != 0 {
        return None;
    }
    let mut text = String::new();
    file.take(256).read_to_string(&mut text).ok()?;
    parse_info(&text)
}

/// Take the lock for `station` (as root), recording this process and `since`; refused,
/// naming the PID that holds it, when another guard runs for this vault.
pub fn acquire(dir: &Path, station: &str, since: &str) -> Result<GuardLock> {
    let path = lock_path(dir, station);
    let file = fs::OpenOptions::new()
        .read(true)
        .write(true)
        .create(true)
        .truncate(false)
        .mode(0o600)
        .custom_flags(libc::O_NOFOLLOW)
        .open(&path)
        .map_err(|e| Error::io(&path, e))?;
    if !try_flock(&file).map_err(|e| Error::io(&path, e))? {
        let who =
            read_info(dir, station).map_or_else(|| "another process".to_string(), |(pid, ..)| format!("PID {pid}"));
        return Err(Error::Denied {
            rule: "one-guard",
            message: format!(
                "a guard is already running for this vault ({who} holds {})",
                path.display()
            ),
        });
    }
    let pid = std::process::id();
    let ticks = start_ticks(pid).unwrap_or(0);
    let info = info_path(dir, station);
    let temp = dir.join(format!(".{station}.guard.{pid}"));
    let _ = fs::remove_file(&temp);
    let mut out = fs::OpenOptions::new()
        .write(true)
        .create_new(true)
        .mode(0o644)
        .custom_flags(libc::O_NOFOLLOW)
        .open(&temp)
        .map_err(|e| Error::io(&temp, e))?;
    writeln!(out, "{pid} {ticks} {since}").map_err(|e| Error::io(&temp, e))?;
    fs::rename(&temp, &info).map_err(|e| Error::io(&info, e))?;
    Ok(GuardLock { _file: file, info })
}

/// The guard holding the lock of `station`, if one runs: the process its info file names,
/// still alive with the start time recorded.
pub fn holder(dir: &Path, station: &str) -> Result<Option<Holder>> {
    let Some((pid, ticks, since)) = read_info(dir, station) else {
        return Ok(None);
    };
    Ok((start_ticks(pid) == Some(ticks)).then_some(Holder { pid, since }))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_second_guard_is_refused_naming_the_first_and_the_lock_goes_with_it() {
        let dir = tempfile::tempdir().unwrap();
        assert_eq!(holder(dir.path(), "s").unwrap(), None);
        let first = acquire(dir.path(), "s", "2026-12-07T08:00:00.000Z").unwrap();
        let err = acquire(dir.path(), "s", "now").err().unwrap().to_string();
        let me = std::process::id();
        // SAFETY: geteuid has no preconditions.
        let root = unsafe { libc::geteuid() } == 0;
        if root {
            assert!(err.contains(&format!("PID {me}")), "{err}");
            assert_eq!(
                holder(dir.path(), "s").unwrap(),
                Some(Holder {
                    pid: me,
                    since: "2026-12-07T08:00:00.000Z".into()
                })
            );
        }
        drop(first);
        assert_eq!(holder(dir.path(), "s").unwrap(), None);
        // Another vault's lock is its own.
        let _other = acquire(dir.path(), "t", "now").unwrap();
        assert_eq!(holder(dir.path(), "s").unwrap(), None);
    }

    #[test]
    fn a_dead_guards_info_is_not_a_running_guard() {
        let dir = tempfile::tempdir().unwrap();
        // A PID that lives, with another start time: the guard died and the PID was reused.
        fs::write(info_path(dir.path(), "s"), "1 1 2026-12-07T08:00:00.000Z\n").unwrap();
        assert_eq!(holder(dir.path(), "s").unwrap(), None);
        assert!(parse_info("garbage").is_none());
    }
}
