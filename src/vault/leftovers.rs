//! What the cleanup at open may do with a recorded leftover of a dead export: remove it only
//! if it is still what the export made (a temp by its name, a placeholder by its identity),
//! zeroing a temp's content first; anything else is kept and described for the caller to
//! report.

use std::ffi::OsStr;
use std::fs::{self, OpenOptions};
use std::io;
use std::os::unix::fs::{MetadataExt, OpenOptionsExt};
use std::path::Path;

use crate::vault::export::scrub_file;

/// What the cleanup at open did with one recorded leftover of a dead export.
#[derive(Debug, PartialEq, Eq)]
pub enum Leftover {
    /// It was there, was what the export made, and is gone (a temp's content zeroed first).
    Removed,
    /// Nothing is there any more.
    Absent,
    /// Something else is there, and was left alone: why.
    Kept(String),
}

/// Remove a recorded leftover of a dead export, but only what the export made: a temp named
/// `.strongroom-<uuid>.part`, or a placeholder still empty; each a regular file of ours with
/// one link, opened without following a symbolic link. A placeholder must still be the
/// recorded file (device and inode); a temp's identity is only a hint, since FAT and exFAT
/// number files afresh at every mount, but a temp whose identity was never recorded is
/// removed only while empty (nothing is written before it is recorded). A temp is zeroed
/// before it goes. Anything else is kept and described, for the caller to report.
pub fn remove_leftover(path: &Path, placeholder: bool, identity: Option<(u64, u64)>) -> Leftover {
    let name = path.file_name().and_then(OsStr::to_str).unwrap_or_default();
    let is_temp_name = name
        .strip_prefix(".strongroom-")
        .and_then(|rest| rest.strip_suffix(".part"))
        .is_some_and(|token| crate::ItemId::parse(token).is_some());
    if !placeholder && !is_temp_name {
        return Leftover::Kept("it is not a Strongroom temp file name".into());
    }
    let file = match OpenOptions::new()
        .write(true)
        .custom_flags(libc::O_NOFOLLOW | libc::O_NONBLOCK)
        .open(path)
    {
        Ok(file) => file,
        Err(e) if e.kind() == io::ErrorKind::NotFound => return Leftover::Absent,
        Err(e) if e.raw_os_error() == Some(libc::ELOOP) => {
            return Leftover::Kept("it is a symbolic link".into());
        }
        Err(e) => return Leftover::Kept(format!("it cannot be opened: {e}")),
    };
    let Ok(meta) = file.metadata() else {
        return Leftover::Kept("it cannot be examined".into());
    };
    if !meta.is_file() {
        return Leftover::Kept("it is not a regular file".into());
    }
    // A hard link would carry the zeroing into someone's file.
    if meta.nlink() != 1 {
        return Leftover::Kept(format!("it has {} links", meta.nlink()));
    }
    // SAFETY: geteuid has no preconditions and cannot fail.
    if meta.uid() != unsafe { libc::geteuid() } {
        return Leftover::Kept(format!("it belongs to another user (uid {})", meta.uid()));
    }
    let same = identity.map(|(dev, ino)| (meta.dev(), meta.ino()) == (dev, ino));
    if placeholder {
        match same {
            None => return Leftover::Kept("the placeholder's device and inode were never recorded".into()),
            Some(false) => return Leftover::Kept("it is another file than the placeholder the export made".into()),
            Some(true) if meta.len() != 0 => return Leftover::Kept("the placeholder is no longer empty".into()),
            Some(true) => {}
        }
    } else if same.is_none() && meta.len() != 0 {
        return Leftover::Kept("it holds data although the export never recorded having made it".into());
    }
    if !placeholder {
        scrub_file(&file);
    }
    drop(file);
    match fs::remove_file(path) {
        Ok(()) => Leftover::Removed,
        Err(e) if e.kind() == io::ErrorKind::NotFound => Leftover::Absent,
        Err(e) => Leftover::Kept(format!("it could not be removed: {e}")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_cleanup_removes_only_what_an_export_made() {
        use std::os::unix::fs::MetadataExt;
        let dir = tempfile::tempdir().unwrap();
        let identity = |p: &Path| {
            let m = std::fs::symlink_metadata(p).unwrap();
            Some((m.dev(), m.ino()))
        };
        let temp_name = |n: u8| {
            dir.path().join(format!(
                ".strongroom-{}.part",
                crate::ItemId::from_slice(&[n; 16]).unwrap()
            ))
        };
        let precious = dir.path().join("thesis.doc");
        std::fs::write(&precious, b"years of work").unwrap();

        // A recorded path that is not a temp's name, or a link, or another file, stays.
        assert!(matches!(
            remove_leftover(&precious, false, identity(&precious)),
            Leftover::Kept(_)
        ));
        let link = temp_name(1);
        std::os::unix::fs::symlink(&precious, &link).unwrap();
        assert!(matches!(remove_leftover(&link, false, None), Leftover::Kept(_)));
        // A hard link to someone's file under a temp's name: its content is never zeroed.
        let hard = temp_name(2);
        std::fs::hard_link(&precious, &hard).unwrap();
        assert!(matches!(
            remove_leftover(&hard, false, identity(&precious)),
            Leftover::Kept(_)
        ));
        // A temp the export never recorded having made, holding data: not the export's.
        let unrecorded = temp_name(4);
        std::fs::write(&unrecorded, b"someone else's").unwrap();
        assert!(matches!(remove_leftover(&unrecorded, false, None), Leftover::Kept(_)));
        assert_eq!(std::fs::read(&precious).unwrap(), b"years of work");
        assert!(hard.exists() && link.exists() && unrecorded.exists());

        // A real temp is zeroed and removed, even when the medium numbers its files afresh
        // after a re-plug (the recorded identity is stale); a second sweep finds nothing.
        let temp = temp_name(3);
        std::fs::write(&temp, b"partial plaintext").unwrap();
        let kept_open = std::fs::File::open(&temp).unwrap();
        assert_eq!(remove_leftover(&temp, false, Some((0, 0))), Leftover::Removed);
        let mut left = Vec::new();
        std::io::Read::read_to_end(&mut &kept_open, &mut left).unwrap();
        assert_eq!(left, vec![0u8; 17]);
        assert_eq!(remove_leftover(&temp, false, None), Leftover::Absent);

        // A placeholder goes only while empty and still the recorded file.
        let dest = dir.path().join("survey.tif");
        std::fs::write(&dest, b"").unwrap();
        let reserved = identity(&dest);
        assert!(matches!(remove_leftover(&dest, true, None), Leftover::Kept(_)));
        assert!(matches!(
            remove_leftover(&dest, true, identity(&precious)),
            Leftover::Kept(_)
        ));
        std::fs::write(&dest, b"the operator's file now").unwrap();
        assert!(matches!(remove_leftover(&dest, true, reserved), Leftover::Kept(_)));
        assert!(dest.exists());
        std::fs::write(&dest, b"").unwrap();
        assert_eq!(remove_leftover(&dest, true, reserved), Leftover::Removed);
        assert!(!dest.exists());
    }
}
