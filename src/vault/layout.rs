//! The vault directory: `strongroom.db`, `objects/ab/<uuid>.sro`, `quarantine/`, `tmp/`.
//! Directories are 0700 and files 0600; a vault another user could write to is refused, as is
//! a vault inside another vault.

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

    /// Where an item's ciphertext lives.
    pub fn object(&self, item: ItemId) -> PathBuf {
        self.object_dir(item).join(format!("{item}.sro"))
    }

    /// The fan-out directory of an item (`objects/ab/`).
    pub fn object_dir(&self, item: ItemId) -> PathBuf {
        self.objects.join(format!("{:02x}", item.as_bytes()[0]))
    }

    /// Create a new vault's directories. Refuses an existing vault, a non-empty directory and
    /// a location inside another vault.
    pub fn create(&self) -> Result<()> {
        if self.db.exists() {
            return Err(Error::InvalidInput(format!(
                "a vault already exists at {}",
                self.root.display()
            )));
        }
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
        if let Ok(mut entries) = fs::read_dir(&self.root)
            && entries.next().is_some()
        {
            return Err(Error::InvalidInput(format!(
                "{} is not empty; create the vault in a new or empty directory",
                self.root.display()
            )));
        }
        let mut builder = DirBuilder::new();
        builder.recursive(true).mode(0o700);
        for dir in [&self.root, &self.objects, &self.tmp, &self.quarantine] {
            builder.create(dir).map_err(|e| Error::io(dir, e))?;
            fs::set_permissions(dir, fs::Permissions::from_mode(0o700)).map_err(|e| Error::io(dir, e))?;
        }
        Ok(())
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
        let uid = current_euid();
        for path in [&self.root, &self.db, &self.objects, &self.tmp] {
            let meta = fs::metadata(path).map_err(|e| Error::io(path, e))?;
            if meta.mode() & 0o022 != 0 {
                return Err(Error::Denied {
                    rule: "vault-permissions",
                    message: format!(
                        "{} is writable by other users (mode {:o}); run `chmod go-w` on it",
                        path.display(),
                        meta.mode() & 0o777
                    ),
                });
            }
            if meta.uid() != uid {
                return Err(Error::Denied {
                    rule: "vault-permissions",
                    message: format!("{} belongs to another user (uid {})", path.display(), meta.uid()),
                });
            }
        }
        Ok(())
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
