//! Containment of a copy found while networked (DESIGN.md §5): the copy is sealed into the
//! vault's `quarantine/` with the sealing public key of a level (the guard holds no level
//! key: only holders of the level can open it), synced, and only then overwritten and
//! removed. Evidence is never lost: if sealing fails the plaintext stays (the alert says
//! why), and a kill at any moment leaves the plaintext copy, or a complete sealed entry, or
//! both, never neither.
//!
//! The sealed entry is written with the vault owner's file-system identity (the guard acts
//! as the owner in the vault); the copy is read, overwritten and removed as root, through a
//! descriptor of its directory and only if it is still the very file that was hashed.

use std::fs::{self, File, OpenOptions};
use std::io::Write;
use std::os::fd::{AsRawFd, FromRawFd};
use std::os::unix::ffi::OsStrExt;
use std::os::unix::fs::{DirBuilderExt, MetadataExt, OpenOptionsExt};
use std::path::{Path, PathBuf};

use crate::Level;
use crate::crypto::stream::{self, EncryptKey};
use crate::progress::Progress;
use crate::vault::fs_identity::as_user;

/// A copy sealed into the quarantine.
#[derive(Clone, Debug)]
pub struct Sealed {
    /// The entry's id (its file is `quarantine/<id>.sro`).
    pub id: [u8; 16],
    /// The level whose sealing key sealed it.
    pub level: Level,
    /// That key's generation.
    pub generation: u32,
    /// The entry as written, held open: before the plaintext goes, the entry must still be
    /// this file at its place (the vault's owner could have moved or removed it meanwhile).
    pub entry: std::sync::Arc<File>,
    /// Where it is.
    pub path: PathBuf,
}

impl Sealed {
    /// Whether the entry written is still in place: linked, and the file its path names.
    pub fn still_in_place(&self) -> bool {
        let (Ok(held), Ok(named)) = (self.entry.metadata(), fs::symlink_metadata(&self.path)) else {
            return false;
        };
        held.nlink() > 0 && (held.dev(), held.ino()) == (named.dev(), named.ino()) && held.len() == named.len()
    }
}

/// Why a copy could not be contained (it stays where it is, recorded).
#[derive(Debug, thiserror::Error)]
pub enum QuarantineError {
    /// The copy could not be read, or changed meanwhile.
    #[error("the copy could not be read as it was hashed: {0}")]
    Copy(String),
    /// The sealed entry could not be written (disk full, permissions).
    #[error("the sealed entry could not be written: {0}")]
    Seal(String),
}

/// The path of entry `id` in the vault's quarantine directory.
pub fn entry_path(quarantine: &Path, id: &[u8; 16]) -> PathBuf {
    quarantine.join(format!("{}.sro", crate::encoding::hex::encode(id)))
}

fn sync_dir(dir: &Path) -> std::io::Result<()> {
    File::open(dir)?.sync_all()
}

/// What containment may touch: the file hashed, as its descriptor described it.
#[derive(Clone, Copy, Debug)]
pub struct Target {
    /// Device and inode.
    pub identity: (u64, u64),
    /// Owner and group: the copy is read and removed with its owner's file-system identity,
    /// so the guard can do to it only what its owner could (never to a root file).
    pub owner: (u32, u32),
    /// Size.
    pub size: u64,
    /// SHA-256 of the content.
    pub sha256: [u8; 32],
}

/// Seal the file at `copy` (the very file `target` describes) into `quarantine/` for `level`
/// with its sealing public key; refused if what is sealed does not hash as `target` did.
pub fn seal(
    copy: &Path,
    target: Target,
    quarantine: &Path,
    level: Level,
    generation: u32,
    recipient: [u8; 32],
) -> Result<Sealed, QuarantineError> {
    let (identity, size) = (target.identity, target.size);
    let source = as_user(target.owner.0, target.owner.1, || {
        OpenOptions::new()
            .read(true)
            .custom_flags(libc::O_NOFOLLOW | libc::O_NONBLOCK | libc::O_NOCTTY)
            .open(copy)
    })
    .map_err(|e| QuarantineError::Copy(e.to_string()))?;
    let meta = source.metadata().map_err(|e| QuarantineError::Copy(e.to_string()))?;
    if (meta.dev(), meta.ino()) != identity || meta.len() != size || !meta.is_file() {
        return Err(QuarantineError::Copy("it is no longer the file that was hashed".into()));
    }
    let id = crate::ids::ItemId::random()
        .map_err(|e| QuarantineError::Seal(e.to_string()))?
        .as_bytes()
        .to_owned();
    let seal_error = |e: &dyn std::fmt::Display| QuarantineError::Seal(e.to_string());
    if !quarantine.is_dir() {
        fs::DirBuilder::new()
            .mode(0o700)
            .create(quarantine)
            .map_err(|e| seal_error(&e))?;
    }
    let final_path = entry_path(quarantine, &id);
    let part = final_path.with_extension("sro.part");
    let result = (|| -> Result<File, QuarantineError> {
        let mut out = OpenOptions::new()
            .write(true)
            .create_new(true)
            .mode(0o600)
            .custom_flags(libc::O_NOFOLLOW)
            .open(&part)
            .map_err(|e| seal_error(&e))?;
        let key = EncryptKey::Sealed {
            level,
            generation,
            recipient,
        };
        let digest = stream::encrypt(
            &source,
            &mut out,
            key,
            id,
            stream::DEFAULT_CHUNK,
            size,
            &Progress::new(),
        )
        .map_err(|e| seal_error(&e))?;
        if digest != target.sha256 {
            return Err(QuarantineError::Copy("it changed since it was hashed".into()));
        }
        out.flush().map_err(|e| seal_error(&e))?;
        out.sync_all().map_err(|e| seal_error(&e))?;
        fs::rename(&part, &final_path).map_err(|e| seal_error(&e))?;
        sync_dir(quarantine).map_err(|e| seal_error(&e))?;
        Ok(out)
    })();
    match result {
        Ok(entry) => Ok(Sealed {
            id,
            level,
            generation,
            entry: std::sync::Arc::new(entry),
            path: final_path,
        }),
        Err(e) => {
            let _ = fs::remove_file(&part);
            Err(e)
        }
    }
}

/// After a kill: remove what a containment left unfinished in `quarantine` (the vault's
/// owner identity, as the guard works in the vault): `.sro.part` files, and sealed entries
/// whose row never committed (their copy was never removed: removal waits for the commit).
/// `recorded` says whether an id has its row. Returns how many files were removed.
pub fn sweep(quarantine: &Path, recorded: &dyn Fn(&str) -> bool) -> usize {
    let Ok(entries) = fs::read_dir(quarantine) else {
        return 0;
    };
    let mut removed = 0;
    for entry in entries.flatten() {
        let name = entry.file_name().to_string_lossy().into_owned();
        let unfinished = match name.strip_suffix(".sro") {
            _ if name.ends_with(".sro.part") => true,
            Some(id) => id.len() == 32 && id.bytes().all(|b| b.is_ascii_hexdigit()) && !recorded(id),
            None => false,
        };
        if unfinished && entry.file_type().is_ok_and(|t| t.is_file()) && fs::remove_file(entry.path()).is_ok() {
            removed += 1;
        }
    }
    removed
}

/// Overwrite the copy with zeros, sync, and remove it: with its owner's file-system
/// identity (whatever its path leads to, the guard does only what that owner could), through
/// a descriptor of its directory, and only if it is still the file `target` describes with
/// no other hard link.
pub fn remove_copy(copy: &Path, target: Target) -> std::io::Result<()> {
    let identity = target.identity;
    as_user(target.owner.0, target.owner.1, || {
        let dir = copy.parent().ok_or_else(|| std::io::Error::other("no directory"))?;
        let name = copy.file_name().ok_or_else(|| std::io::Error::other("no file name"))?;
        let dir = OpenOptions::new()
            .read(true)
            .custom_flags(libc::O_DIRECTORY | libc::O_NOFOLLOW)
            .open(dir)?;
        let cname = std::ffi::CString::new(name.as_bytes()).map_err(std::io::Error::other)?;
        // SAFETY: openat with a directory descriptor we own and a NUL-terminated name.
        let fd = unsafe {
            libc::openat(
                dir.as_raw_fd(),
                cname.as_ptr(),
                libc::O_WRONLY | libc::O_NOFOLLOW | libc::O_NONBLOCK | libc::O_CLOEXEC,
            )
        };
        if fd < 0 {
            return Err(std::io::Error::last_os_error());
        }
        // SAFETY: `fd` was just opened and is owned by nothing else.
        let mut file = unsafe { File::from_raw_fd(fd) };
        let meta = file.metadata()?;
        if (meta.dev(), meta.ino()) != identity || !meta.is_file() || meta.nlink() != 1 || meta.uid() == 0 {
            return Err(std::io::Error::other(
                "the copy was replaced meanwhile, has another hard link or belongs to root",
            ));
        }
        let zeros = vec![0u8; 1 << 20];
        let mut left = meta.len();
        while left > 0 {
            let n = left.min(zeros.len() as u64) as usize;
            file.write_all(&zeros[..n])?;
            left -= n as u64;
        }
        file.sync_all()?;
        // SAFETY: unlinkat with the directory descriptor and the same NUL-terminated name.
        if unsafe { libc::unlinkat(dir.as_raw_fd(), cname.as_ptr(), 0) } != 0 {
            return Err(std::io::Error::last_os_error());
        }
        dir.sync_all()
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::os::unix::fs::MetadataExt;

    fn sealed_copy(dir: &Path) -> (Sealed, PathBuf) {
        let copy = dir.join("copy.tif");
        std::fs::write(&copy, b"copied from a stick").unwrap();
        let meta = std::fs::metadata(&copy).unwrap();
        let target = Target {
            identity: (meta.dev(), meta.ino()),
            owner: (meta.uid(), meta.gid()),
            size: meta.len(),
            sha256: crate::guard::copies::sha256_file(&copy).unwrap().0,
        };
        let recipient = crate::crypto::seal::SecretKey::random().unwrap().public();
        let sealed = seal(&copy, target, &dir.join("quarantine"), Level::TopSecret, 1, recipient).unwrap();
        (sealed, copy)
    }

    #[test]
    fn an_entry_moved_or_removed_after_sealing_is_no_longer_in_place() {
        let dir = tempfile::tempdir().unwrap();
        let (sealed, _) = sealed_copy(dir.path());
        assert!(sealed.still_in_place());
        assert!(
            !dir.path()
                .join("quarantine")
                .read_dir()
                .unwrap()
                .any(|e| { e.unwrap().file_name().to_string_lossy().ends_with(".part") })
        );
        // The vault's owner renames it away and puts something else there.
        let aside = dir.path().join("aside.sro");
        std::fs::rename(&sealed.path, &aside).unwrap();
        std::fs::write(&sealed.path, b"not the entry").unwrap();
        assert!(!sealed.still_in_place());
        // Or removes it.
        std::fs::remove_file(&sealed.path).unwrap();
        std::fs::rename(&aside, &sealed.path).unwrap();
        assert!(sealed.still_in_place(), "put back, it is the same file");
        std::fs::remove_file(&sealed.path).unwrap();
        assert!(!sealed.still_in_place());
    }

    #[test]
    fn content_changed_since_hashing_is_not_sealed_and_leaves_no_entry() {
        let dir = tempfile::tempdir().unwrap();
        let copy = dir.path().join("copy.tif");
        std::fs::write(&copy, b"copied from a stick").unwrap();
        let meta = std::fs::metadata(&copy).unwrap();
        let target = Target {
            identity: (meta.dev(), meta.ino()),
            owner: (meta.uid(), meta.gid()),
            size: meta.len(),
            sha256: [0; 32],
        };
        let recipient = crate::crypto::seal::SecretKey::random().unwrap().public();
        let quarantine = dir.path().join("quarantine");
        let err = seal(&copy, target, &quarantine, Level::TopSecret, 1, recipient).unwrap_err();
        assert!(err.to_string().contains("changed"), "{err}");
        assert_eq!(quarantine.read_dir().unwrap().count(), 0);
        assert!(copy.exists());
    }
}
