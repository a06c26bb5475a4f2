//! The vault directory: `strongroom.db`, `objects/ab/<uuid>.sro`, `quarantine/`, `tmp/`.
//! Directories are 0700 and files 0600; a vault another user could write to is refused, as is
//! a vault inside another vault.

use std::collections::HashSet;
use std::fs::{self, DirBuilder};
use std::os::unix::fs::{DirBuilderExt, MetadataExt, PermissionsExt};
use std::path::{Path, PathBuf};

use crate::{Error, ItemId, Result};

/// Name of the database file; its presence marks a vault.
pub const DB_FILE: &str = "strongroom.db";

/// Paths inside one vault.
#[derive(Clone, Debug)]
pub struct VaultPaths {
    /// The vault directory.
    pub root: PathBuf,
    /// `strongroom.db`.
    pub db: PathBuf,
    /// `objects/`.
    pub objects: PathBuf,
    /// `tmp/`.
    pub tmp: PathBuf,
    /// `quarantine/`.
    pub quarantine: PathBuf,
}

impl VaultPaths {
    /// Paths for a vault at `root` (made absolute).
    pub fn new(root: &Path) -> Result<VaultPaths> {
        let root = std::path::absolute(root).map_err(|e| Error::io(root, e))?;
        Ok(VaultPaths {
            db: root.join(DB_FILE),
            objects: root.join("objects"),
            tmp: root.join("tmp"),
            quarantine: root.join("quarantine"),
            root,
        })
    }

    /// Where an item's first ciphertext lives (object version 0, written at import).
    pub fn object(&self, item: ItemId) -> PathBuf {
        self.object_version(item, 0)
    }

    /// Where version `version` of an item's ciphertext lives: `<uuid>.sro` for 0 (the name
    /// every vault had before versions), `<uuid>.<n>.sro` after the n-th re-encryption.
    pub fn object_version(&self, item: ItemId, version: u32) -> PathBuf {
        match version {
            0 => self.object_dir(item).join(format!("{item}.sro")),
            n => self.object_dir(item).join(format!("{item}.{n}.sro")),
        }
    }

    /// The fan-out directory of an item (`objects/ab/`).
    pub fn object_dir(&self, item: ItemId) -> PathBuf {
        self.objects.join(format!("{:02x}", item.as_bytes()[0]))
    }

    /// Make the directory for a new vault (0700). Refuses an existing vault, a non-empty
    /// directory and a location inside another vault. What an interrupted `init` left (see
    /// [`VaultPaths::staging`]) does not count, and is removed.
    pub fn create(&self) -> Result<InitLock> {
        let exists = || -> Result<()> {
            if self.db.exists() {
                return Err(Error::InvalidInput(format!(
                    "a vault already exists at {}",
                    self.root.display()
                )));
            }
            Ok(())
        };
        exists()?;
        if let Some(outer) = enclosing_vault(&self.root) {
            return Err(Error::Denied {
                rule: "vault-location",
                message: format!(
                    "{} is inside the vault at {}; choose a location outside it",
                    self.root.display(),
                    outer.display()
                ),
            });
        }
        DirBuilder::new()
            .recursive(true)
            .mode(0o700)
            .create(&self.root)
            .map_err(|e| Error::io(&self.root, e))?;
        let lock = InitLock::take(&self.root)?;
        exists()?;
        let entries: Vec<_> = fs::read_dir(&self.root)
            .map_err(|e| Error::io(&self.root, e))?
            .flatten()
            .collect();
        if !entries.iter().all(|e| self.is_init_leftover(e)) {
            return Err(Error::InvalidInput(format!(
                "{} is not empty; create the vault in a new or empty directory",
                self.root.display()
            )));
        }
        for entry in entries {
            let path = entry.path();
            fs::remove_dir_all(&path).map_err(|e| Error::io(&path, e))?;
        }
        fs::set_permissions(&self.root, fs::Permissions::from_mode(0o700)).map_err(|e| Error::io(&self.root, e))?;
        Ok(lock)
    }

    /// Remove what a failed `init` made in the vault directory (its layout directories,
    /// database files and staging), nothing else.
    pub fn remove_failed_init(&self) {
        if let Ok(entries) = fs::read_dir(&self.root) {
            for entry in entries.flatten() {
                let name = entry.file_name();
                let name = name.to_string_lossy();
                let ours = matches!(name.as_ref(), "objects" | "tmp" | "quarantine")
                    || name.starts_with(DB_FILE)
                    || name.starts_with(".init-");
                if ours {
                    let path = entry.path();
                    let _ = fs::remove_dir_all(&path).or_else(|_| fs::remove_file(&path));
                }
            }
        }
    }

    /// Whether a directory entry is what an interrupted `init` leaves: a `.init-<uuid>`
    /// staging directory, or one of the vault's directories, still empty, moved out of it
    /// before the database was.
    fn is_init_leftover(&self, entry: &fs::DirEntry) -> bool {
        let name = entry.file_name();
        let name = name.to_string_lossy();
        let is_dir = entry.file_type().is_ok_and(|t| t.is_dir());
        let staging = name
            .strip_prefix(".init-")
            .is_some_and(|id| ItemId::parse(id).is_some());
        let empty_layout_dir = matches!(name.as_ref(), "objects" | "tmp" | "quarantine")
            && fs::read_dir(entry.path()).is_ok_and(|mut d| d.next().is_none());
        is_dir && (staging || empty_layout_dir)
    }

    /// A staging area for a new vault inside this one's directory, `<root>/.init-<uuid>/`,
    /// with the vault's layout (0700). `init` builds everything there, then
    /// [`VaultPaths::adopt`]s it: renaming a whole directory would fail where the chosen
    /// directory is a mount point.
    pub fn staging(&self) -> Result<VaultPaths> {
        let staging = VaultPaths::new(&self.root.join(format!(".init-{}", ItemId::random()?)))?;
        let mut builder = DirBuilder::new();
        builder.mode(0o700);
        for dir in [&staging.root, &staging.objects, &staging.tmp, &staging.quarantine] {
            builder.create(dir).map_err(|e| Error::io(dir, e))?;
            fs::set_permissions(dir, fs::Permissions::from_mode(0o700)).map_err(|e| Error::io(dir, e))?;
        }
        Ok(staging)
    }

    /// Move a finished staging vault into place: its directories first, the database last
    /// (the database is what makes a vault), each durably; then the staging directory goes.
    pub fn adopt(&self, staging: &VaultPaths) -> Result<()> {
        for (from, to) in [
            (&staging.objects, &self.objects),
            (&staging.tmp, &self.tmp),
            (&staging.quarantine, &self.quarantine),
        ] {
            fs::rename(from, to).map_err(|e| Error::io(to, e))?;
        }
        sync_dir(&self.root)?;
        for suffix in ["-wal", "-shm"] {
            // Empty after the final checkpoint; a WAL with content would be data left behind.
            let side = staging.root.join(format!("{DB_FILE}{suffix}"));
            if let Ok(meta) = fs::metadata(&side) {
                if suffix == "-wal" && meta.len() != 0 {
                    return Err(Error::integrity(
                        "the new vault",
                        "its write-ahead log was not empty after the final checkpoint",
                    ));
                }
                fs::remove_file(&side).map_err(|e| Error::io(&side, e))?;
            }
        }
        rename_no_replace(&staging.db, &self.db)?;
        sync_dir(&self.root)?;
        fs::remove_dir(&staging.root).map_err(|e| Error::io(&staging.root, e))?;
        sync_dir(&self.root)
    }

    /// Check an existing vault: present, not inside another vault, and not writable by
    /// anyone but its owner (who must be the current user).
    pub fn check(&self) -> Result<()> {
        if !self.db.is_file() {
            return Err(Error::NoVault(self.root.clone()));
        }
        if let Some(outer) = self.root.parent().and_then(enclosing_vault) {
            return Err(Error::Denied {
                rule: "vault-location",
                message: format!(
                    "the vault at {} is inside another vault at {}",
                    self.root.display(),
                    outer.display()
                ),
            });
        }
        // The vault belongs to whoever owns its database. Root (the guard, `guard enable`)
        // may open it too, acting as the owner (`fs_identity`); a file root owns is accepted,
        // since only root could have made it.
        let owner = fs::metadata(&self.db).map_err(|e| Error::io(&self.db, e))?.uid();
        let euid = current_euid();
        if euid != owner && euid != 0 {
            return Err(Error::Denied {
                rule: "vault-permissions",
                message: format!("{} belongs to another user (uid {owner})", self.db.display()),
            });
        }
        let fixed = [&self.root, &self.db, &self.objects, &self.tmp];
        for path in self.private_paths()? {
            // The vault directory itself may be reached through a link (a vault on another
            // disk); below it, nothing may be one.
            let meta = if path == self.root {
                fs::metadata(&path)
            } else {
                fs::symlink_metadata(&path)
            };
            let meta = match meta {
                Ok(meta) => meta,
                // SQLite's -wal and -shm files come and go, and so do other processes' work
                // directories between listing and looking.
                Err(e) if e.kind() == std::io::ErrorKind::NotFound && !fixed.contains(&&path) => continue,
                Err(e) => return Err(Error::io(&path, e)),
            };
            let fix = if meta.is_dir() { "chmod 700" } else { "chmod 600" };
            if meta.file_type().is_symlink() {
                return Err(Error::Denied {
                    rule: "vault-permissions",
                    message: format!(
                        "{} is a symbolic link; the vault's own files and directories must be real ones",
                        path.display()
                    ),
                });
            }
            if meta.uid() != owner && meta.uid() != 0 {
                return Err(Error::Denied {
                    rule: "vault-permissions",
                    message: format!("{} belongs to another user (uid {})", path.display(), meta.uid()),
                });
            }
            // Like ssh with a private key: what others can read (names, clearances, sizes,
            // hashes: enough to guess passwords offline) or write is refused, not repaired.
            if meta.mode() & 0o077 != 0 {
                return Err(Error::Denied {
                    rule: "vault-permissions",
                    message: format!(
                        "{} is open to other users (mode {:o}); run `{fix} {}` and check who copied it",
                        path.display(),
                        meta.mode() & 0o777,
                        path.display()
                    ),
                });
            }
        }
        Ok(())
    }

    /// The owner of the vault (the owner and group of its database): whose file-system
    /// identity root takes while it works in the vault (`fs_identity`).
    pub fn owner(&self) -> Result<(u32, u32)> {
        let meta = fs::metadata(&self.db).map_err(|e| Error::io(&self.db, e))?;
        Ok((meta.uid(), meta.gid()))
    }

    /// Every path of the vault that must be private: the directory, the database (and its
    /// WAL files), and each directory under it with its fan-out directories.
    fn private_paths(&self) -> Result<Vec<PathBuf>> {
        let mut paths = vec![
            self.root.clone(),
            self.db.clone(),
            self.root.join(format!("{DB_FILE}-wal")),
            self.root.join(format!("{DB_FILE}-shm")),
        ];
        for dir in [&self.objects, &self.tmp, &self.quarantine] {
            paths.push(dir.clone());
            let entries = match fs::read_dir(dir) {
                Ok(entries) => entries,
                Err(e) if e.kind() == std::io::ErrorKind::NotFound && *dir == self.quarantine => continue,
                Err(e) => return Err(Error::io(dir, e)),
            };
            for entry in entries {
                let entry = entry.map_err(|e| Error::io(dir, e))?;
                if entry.file_type().is_ok_and(|t| t.is_dir()) {
                    paths.push(entry.path());
                }
            }
        }
        Ok(paths)
    }

    /// The vault's directories by device and inode, to tell whether a path lies inside the
    /// vault however it is named (symbolic links, bind mounts).
    pub fn dirs(&self) -> Result<VaultDirs> {
        let mut ids = HashSet::new();
        let mut files = HashSet::new();
        for path in self.private_paths()? {
            if let Ok(meta) = fs::metadata(&path) {
                if meta.is_dir() {
                    ids.insert((meta.dev(), meta.ino()));
                } else {
                    files.insert((meta.dev(), meta.ino()));
                }
            }
        }
        Ok(VaultDirs {
            ids,
            files,
            root: self.root.clone(),
        })
    }

    /// Make sure the fan-out directories of an object exist (0700).
    pub fn ensure_object_dir(&self, item: ItemId) -> Result<PathBuf> {
        let dir = self.object_dir(item);
        if !dir.is_dir() {
            DirBuilder::new()
                .recursive(true)
                .mode(0o700)
                .create(&dir)
                .map_err(|e| Error::io(&dir, e))?;
            // A new fan-out directory must itself survive a power loss.
            sync_dir(&self.objects)?;
        }
        Ok(dir)
    }
}

/// The directories of one vault, by device and inode (see [`VaultPaths::dirs`]).
#[derive(Clone, Debug)]
pub struct VaultDirs {
    ids: HashSet<(u64, u64)>,
    /// The database and its WAL files (a hard link elsewhere is still them).
    files: HashSet<(u64, u64)>,
    root: PathBuf,
}

impl VaultDirs {
    /// Whether `path` (which need not exist) lies inside the vault: whether any directory
    /// above it, as named or with symbolic links resolved, is one of the vault's.
    pub fn contains(&self, path: &Path) -> bool {
        let named = std::path::absolute(path).unwrap_or_else(|_| path.to_path_buf());
        let resolved = fs::canonicalize(&named).ok().or_else(|| {
            // A path that does not exist yet: resolve its deepest existing ancestor.
            named.ancestors().skip(1).find_map(|a| fs::canonicalize(a).ok())
        });
        std::iter::once(named).chain(resolved).any(|p| {
            p.ancestors()
                .any(|a| fs::metadata(a).is_ok_and(|m| self.is_vault_dir(&m)))
        })
    }

    /// Whether a file's metadata is that of the vault's database or its WAL files.
    pub fn is_vault_file(&self, meta: &fs::Metadata) -> bool {
        self.files.contains(&(meta.dev(), meta.ino()))
    }

    /// Whether a directory's metadata is that of one of the vault's directories.
    pub fn is_vault_dir(&self, meta: &fs::Metadata) -> bool {
        meta.is_dir() && self.ids.contains(&(meta.dev(), meta.ino()))
    }

    /// Refuse `path` as `what` ("an export destination", "an import source") when it lies
    /// inside the vault.
    pub fn refuse_inside(&self, path: &Path, what: &str) -> Result<()> {
        if self.contains(path) {
            return Err(inside_vault(path, what, &self.root));
        }
        Ok(())
    }
}

/// The error for a path inside the vault used as `what`.
pub fn inside_vault(path: &Path, what: &str, root: &Path) -> Error {
    Error::Denied {
        rule: "inside-vault",
        message: format!(
            "{} is inside the vault at {} and cannot be {what}: plaintext must never enter the \
             vault's directory, and the vault's own files must never be read or replaced",
            path.display(),
            root.display()
        ),
    }
}

/// Rename `from` to `to` unless `to` exists (a vault database is never replaced).
fn rename_no_replace(from: &Path, to: &Path) -> Result<()> {
    match rename_noreplace(from, to) {
        Ok(()) => Ok(()),
        Err(e) if e.raw_os_error() == Some(libc::EEXIST) => Err(Error::InvalidInput(format!(
            "a vault already exists at {}",
            to.display()
        ))),
        Err(e) => Err(Error::io(to, e)),
    }
}

/// `renameat2(from, to, RENAME_NOREPLACE)`: EEXIST if `to` exists; EINVAL where the file
/// system cannot promise it (FUSE drivers).
pub(crate) fn rename_noreplace(from: &Path, to: &Path) -> std::io::Result<()> {
    use std::os::unix::ffi::OsStrExt;
    let c = |p: &Path| {
        std::ffi::CString::new(p.as_os_str().as_bytes())
            .map_err(|_| std::io::Error::from(std::io::ErrorKind::InvalidInput))
    };
    let (c_from, c_to) = (c(from)?, c(to)?);
    // SAFETY: both paths are valid NUL-terminated strings that outlive the call.
    let rc = unsafe {
        libc::renameat2(
            libc::AT_FDCWD,
            c_from.as_ptr(),
            libc::AT_FDCWD,
            c_to.as_ptr(),
            libc::RENAME_NOREPLACE,
        )
    };
    if rc == 0 {
        Ok(())
    } else {
        Err(std::io::Error::last_os_error())
    }
}

/// Hold an exclusive lock on a new vault's directory while `init` builds in it, so two
/// `init`s at once cannot take each other's staging for leftovers. Released on drop.
pub struct InitLock {
    _held: fs::File,
}

impl InitLock {
    /// Lock `dir` (which exists), or say that another `init` is running there.
    pub fn take(dir: &Path) -> Result<InitLock> {
        use std::os::fd::AsRawFd;
        let file = fs::File::open(dir).map_err(|e| Error::io(dir, e))?;
        // SAFETY: flock on a descriptor we own; no memory is passed.
        if unsafe { libc::flock(file.as_raw_fd(), libc::LOCK_EX | libc::LOCK_NB) } != 0 {
            return Err(Error::InvalidInput(format!(
                "another `init` is creating a vault at {}",
                dir.display()
            )));
        }
        Ok(InitLock { _held: file })
    }
}

/// The nearest ancestor of `path` (or `path` itself) that holds a vault database.
pub fn enclosing_vault(path: &Path) -> Option<PathBuf> {
    path.ancestors()
        .find(|dir| dir.join(DB_FILE).is_file())
        .map(Path::to_path_buf)
}

/// Fsync a directory so a rename or link inside it is durable.
pub fn sync_dir(dir: &Path) -> Result<()> {
    fs::File::open(dir)
        .and_then(|d| d.sync_all())
        .map_err(|e| Error::io(dir, e))
}

fn current_euid() -> u32 {
    // SAFETY: geteuid has no preconditions, touches no memory and cannot fail.
    unsafe { libc::geteuid() }
}

/// Refuse up front when the file system holding `path` has clearly less than `len` bytes
/// free, so a full disk is usually reported before any byte is written. (A disk that fills
/// during the write is still caught and cleaned up.) `fallocate` would guarantee the space but
/// costs a full zeroing pass on tmpfs, where exports to RAM disks are common.
pub fn check_free_space(path: &Path, len: u64) -> Result<()> {
    let dir = if path.is_dir() {
        path
    } else {
        path.parent().unwrap_or(Path::new("."))
    };
    let Ok(c_path) = std::ffi::CString::new(std::os::unix::ffi::OsStrExt::as_bytes(dir.as_os_str())) else {
        return Ok(());
    };
    let mut stats = std::mem::MaybeUninit::<libc::statvfs>::uninit();
    // SAFETY: c_path is a valid NUL-terminated string; stats is written by the call on success.
    let rc = unsafe { libc::statvfs(c_path.as_ptr(), stats.as_mut_ptr()) };
    if rc != 0 {
        return Ok(());
    }
    // SAFETY: statvfs returned 0, so the struct is initialised.
    let stats = unsafe { stats.assume_init() };
    // A file system that reports no size at all (fusefat: 0 blocks) has an unknown amount
    // free: let the write find out.
    if stats.f_blocks == 0 {
        return Ok(());
    }
    let free = stats.f_bavail.saturating_mul(stats.f_frsize);
    if free < len {
        return Err(Error::io(
            dir,
            std::io::Error::new(
                std::io::ErrorKind::StorageFull,
                format!("No space left on device: {len} bytes needed, {free} free; nothing was written"),
            ),
        ));
    }
    Ok(())
}

/// Overwrite the file at `path` once with zeros, flush it, and remove it (its directory
/// synced): what is left of a destroyed item's ciphertext. A missing file is no error
/// (`false`); a symbolic link is removed without following it.
pub fn overwrite_and_remove(path: &Path) -> Result<bool> {
    use std::io::Write;
    use std::os::unix::fs::OpenOptionsExt;
    let file = match fs::OpenOptions::new()
        .write(true)
        .custom_flags(libc::O_NOFOLLOW)
        .open(path)
    {
        Ok(file) => Some(file),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(false),
        // A link (ELOOP) or something not writable: removed without writing through it.
        Err(_) => None,
    };
    if let Some(mut file) = file {
        let len = file.metadata().map_err(|e| Error::io(path, e))?.len();
        let zeros = vec![0u8; 1 << 20];
        let mut left = len;
        while left > 0 {
            let n = left.min(zeros.len() as u64) as usize;
            file.write_all(&zeros[..n]).map_err(|e| Error::io(path, e))?;
            left -= n as u64;
        }
        file.sync_all().map_err(|e| Error::io(path, e))?;
    }
    match fs::remove_file(path) {
        Ok(()) => {}
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(false),
        Err(e) => return Err(Error::io(path, e)),
    }
    if let Some(dir) = path.parent() {
        sync_dir(dir)?;
    }
    Ok(true)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The bytes are overwritten in place before the name goes: another link to the same
    /// inode (what the disk still holds) reads zeros. A link named instead is removed and
    /// its target left alone.
    #[test]
    fn a_removed_object_is_zeroed_first_and_links_are_not_followed() {
        let dir = tempfile::tempdir().unwrap();
        let object = dir.path().join("object.sro");
        let witness = dir.path().join("same-inode");
        let content: Vec<u8> = (0..3_000_000u32).map(|i| (i % 251) as u8 + 1).collect();
        fs::write(&object, &content).unwrap();
        fs::hard_link(&object, &witness).unwrap();
        assert!(overwrite_and_remove(&object).unwrap());
        assert!(!object.exists());
        let left = fs::read(&witness).unwrap();
        assert_eq!(left.len(), content.len());
        assert!(left.iter().all(|b| *b == 0));
        assert!(!overwrite_and_remove(&object).unwrap(), "a missing file is no error");

        let target = dir.path().join("target");
        fs::write(&target, b"keep me").unwrap();
        let link = dir.path().join("link.sro");
        std::os::unix::fs::symlink(&target, &link).unwrap();
        assert!(overwrite_and_remove(&link).unwrap());
        assert_eq!(fs::read(&target).unwrap(), b"keep me");
    }
}
