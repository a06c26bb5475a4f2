//! Root touching a user's vault does it as that user. The guard (root, no password) and an
//! officer's `guard enable` (run as root) open a vault that the station's OS account owns
//! and can rearrange at will: a `tmp` swapped for a link to `/etc`, a `-wal` linked to a
//! root file. So while root works in a vault, its thread's file-system identity (Linux
//! `setfsuid`/`setfsgid`) is the vault owner's: whatever a link points at, root reaches no
//! further than the owner could, and what it creates belongs to the owner. Root's own files
//! (the guard's state, key and lock; device superblocks) are reached through [`as_root`].
//!
//! The identity is per thread; threads started while it is in force inherit it.

use std::cell::Cell;

thread_local! {
    /// The identity this thread acts as, when not root's own.
    static ACTING: Cell<Option<(u32, u32)>> = const { Cell::new(None) };
}

/// While alive, this thread's file accesses are checked as `uid`:`gid`; dropped, root's.
pub struct ActingAs {
    _not_send: std::marker::PhantomData<*const ()>,
}

fn set(uid: u32, gid: u32) {
    // SAFETY: setfsgid/setfsuid only change this thread's file-system credentials; they
    // cannot fail in a way that harms memory (an unpermitted change leaves them as they were).
    unsafe {
        libc::setfsgid(gid);
        libc::setfsuid(uid);
    }
}

/// Act as `uid`:`gid` for file accesses on this thread, if this process is root and the
/// owner is not. `None` when nothing needs to change.
pub fn act_as(uid: u32, gid: u32) -> Option<ActingAs> {
    // SAFETY: geteuid has no preconditions.
    if unsafe { libc::geteuid() } != 0 || uid == 0 {
        return None;
    }
    set(uid, gid);
    ACTING.with(|a| a.set(Some((uid, gid))));
    Some(ActingAs {
        _not_send: std::marker::PhantomData,
    })
}

impl Drop for ActingAs {
    fn drop(&mut self) {
        set(0, 0);
        ACTING.with(|a| a.set(None));
    }
}

/// Run `f` with the file-system identity `uid`:`gid` (a file's owner: the kernel then lets
/// `f` do only what that owner could do), then go back to the identity this thread acted as.
/// Only root can change identity; otherwise `f` runs as the process is.
pub fn as_user<T>(uid: u32, gid: u32, f: impl FnOnce() -> T) -> T {
    // SAFETY: geteuid has no preconditions.
    if unsafe { libc::geteuid() } != 0 {
        return f();
    }
    set(uid, gid);
    let out = f();
    let (uid, gid) = ACTING.with(Cell::get).unwrap_or((0, 0));
    set(uid, gid);
    out
}

/// Run `f` with root's own file-system identity (for root's own files), then go back to
/// the identity this thread acted as.
pub fn as_root<T>(f: impl FnOnce() -> T) -> T {
    let acting = ACTING.with(Cell::get);
    if acting.is_some() {
        set(0, 0);
    }
    let out = f();
    if let Some((uid, gid)) = acting {
        set(uid, gid);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::os::unix::fs::MetadataExt;

    #[test]
    fn files_made_while_acting_as_the_owner_are_the_owners_and_root_files_stay_roots() {
        // SAFETY: geteuid has no preconditions.
        if unsafe { libc::geteuid() } != 0 {
            assert!(act_as(65534, 65534).is_none(), "only root changes identity");
            return;
        }
        let dir = tempfile::tempdir().unwrap();
        std::fs::set_permissions(dir.path(), std::os::unix::fs::PermissionsExt::from_mode(0o777)).unwrap();
        let private = tempfile::tempdir().unwrap(); // 0700 root: not the owner's
        {
            let _acting = act_as(65534, 65534).unwrap();
            std::fs::write(dir.path().join("made"), b"x").unwrap();
            assert!(
                std::fs::write(private.path().join("no"), b"x").is_err(),
                "root's directory is closed to the owner"
            );
            as_root(|| std::fs::write(private.path().join("yes"), b"x")).unwrap();
            assert!(
                std::fs::write(private.path().join("no"), b"x").is_err(),
                "back to the owner after as_root"
            );
        }
        assert_eq!(std::fs::metadata(dir.path().join("made")).unwrap().uid(), 65534);
        assert_eq!(std::fs::metadata(private.path().join("yes")).unwrap().uid(), 0);
        std::fs::write(private.path().join("after"), b"x").unwrap();
    }
}
