//! The file side of import: choosing what to read (regular files only, symlinks only when
//! asked and never out of a directory's root) and encrypting one file into the process's work
//! directory. A source whose size or mtime changes while it is read is refused.

use std::collections::HashSet;
use std::ffi::OsString;
use std::fs::{self, OpenOptions};
use std::os::unix::fs::{FileTypeExt, MetadataExt, OpenOptionsExt};
use std::path::{Path, PathBuf};

use crate::crypto::stream::{self, EncryptKey, StreamError};
use crate::progress::Progress;
use crate::vault::layout::VaultDirs;
use crate::{Error, ItemId, Result};

/// A file chosen for import.
#[derive(Clone, Debug)]
pub struct SourceFile {
    /// The path to open (a followed symlink's target).
    pub path: PathBuf,
    /// The path as the user named it (for messages and default titles).
    pub shown: PathBuf,
    /// The original file name (as the user named it), bytes as on disk.
    pub name: OsString,
    /// Size when planned.
    pub size: u64,
    /// Identity and times when planned, to notice a file replaced or rewritten meanwhile.
    fingerprint: Fingerprint,
}

#[cfg(test)]
impl SourceFile {
    /// A file of `size` bytes that exists only in a plan (tests of how plans are split).
    pub(crate) fn for_tests(size: u64) -> SourceFile {
        SourceFile {
            path: PathBuf::from("/nonexistent"),
            shown: PathBuf::from("/nonexistent"),
            name: OsString::from("nonexistent"),
            size,
            fingerprint: Fingerprint {
                dev: 0,
                ino: 0,
                size,
                mtime_ns: 0,
                ctime_ns: 0,
            },
        }
    }
}

/// What identifies one version of a file: device, inode, size, mtime and ctime. `touch` can
/// reset mtime but not ctime.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
struct Fingerprint {
    dev: u64,
    ino: u64,
    size: u64,
    mtime_ns: i128,
    ctime_ns: i128,
}

impl Fingerprint {
    fn of(meta: &fs::Metadata) -> Fingerprint {
        Fingerprint {
            dev: meta.dev(),
            ino: meta.ino(),
            size: meta.len(),
            mtime_ns: i128::from(meta.mtime()) * 1_000_000_000 + i128::from(meta.mtime_nsec()),
            ctime_ns: i128::from(meta.ctime()) * 1_000_000_000 + i128::from(meta.ctime_nsec()),
        }
    }
}

/// A path that was not imported, with the reason; the rest of the batch goes on.
#[derive(Debug)]
pub struct FileFailure {
    /// The path as the user named it (or as found under a directory they named).
    pub path: PathBuf,
    /// Why it was not imported.
    pub error: Error,
}

/// What [`plan`] chose: the files to read, and the paths it could not take.
#[derive(Debug, Default)]
pub struct Planned {
    /// The files to import, in order.
    pub files: Vec<SourceFile>,
    /// Paths that cannot be imported (missing, unreadable, not regular files, refused links).
    pub skipped: Vec<FileFailure>,
}

/// Choose the files to import from `paths` (files and directories, recursively). Each file
/// is taken once, even when links reach it twice; a directory reached again is a loop. A path
/// that cannot be taken is listed in [`Planned::skipped`] and the rest is still chosen.
///
/// Nothing inside the vault is ever a source (its database, objects or work files): a path
/// whose directories include one of the vault's, or a directory holding the vault, refuses
/// the whole batch, however links or bind mounts name it.
pub fn plan(paths: &[PathBuf], follow_symlinks: bool, vault: &VaultDirs) -> Result<Planned> {
    let mut walker = Walker {
        vault,
        follow: follow_symlinks,
        dirs_on_path: Vec::new(),
        seen_files: HashSet::new(),
        out: Planned::default(),
    };
    for path in paths {
        let taken = walker.top_level(path);
        walker.keep_going(path, taken)?;
    }
    if walker.out.files.is_empty() && walker.out.skipped.is_empty() {
        return Err(Error::InvalidInput(
            "nothing to import: the directories given hold no files".into(),
        ));
    }
    Ok(walker.out)
}

fn symlink_refused(shown: &Path) -> Error {
    Error::SymlinkSource(shown.to_path_buf())
}

/// Whether a planning error stops the whole batch rather than one path: only an attempt to
/// read the vault itself does.
fn stops_the_batch(error: &Error) -> bool {
    matches!(
        error,
        Error::Denied {
            rule: "inside-vault",
            ..
        }
    )
}

struct Walker<'a> {
    vault: &'a VaultDirs,
    follow: bool,
    /// (dev, ino) of the directories from the root down to the current one.
    dirs_on_path: Vec<(u64, u64)>,
    seen_files: HashSet<(u64, u64)>,
    out: Planned,
}

impl Walker<'_> {
    /// Record a path's failure and go on, unless it stops the batch.
    fn keep_going(&mut self, shown: &Path, taken: Result<()>) -> Result<()> {
        match taken {
            Ok(()) => Ok(()),
            Err(error) if stops_the_batch(&error) => Err(error),
            Err(error) => {
                self.out.skipped.push(FileFailure {
                    path: shown.to_path_buf(),
                    error,
                });
                Ok(())
            }
        }
    }

    /// One path the user named.
    fn top_level(&mut self, path: &Path) -> Result<()> {
        let meta = fs::symlink_metadata(path).map_err(|e| Error::io(path, e))?;
        self.vault.refuse_inside(path, "an import source")?;
        if meta.file_type().is_symlink() {
            if !self.follow {
                return Err(symlink_refused(path));
            }
            let target = fs::canonicalize(path).map_err(|e| Error::io(path, e))?;
            let target_meta = fs::metadata(&target).map_err(|e| Error::io(path, e))?;
            if target_meta.is_dir() {
                self.walk(&target, &target, path, &target_meta)
            } else {
                self.file(&target, path, &target_meta)
            }
        } else if meta.is_dir() {
            let root = fs::canonicalize(path).map_err(|e| Error::io(path, e))?;
            self.walk(&root, &root, path, &meta)
        } else {
            self.file(path, path, &meta)
        }
    }

    fn walk(&mut self, root: &Path, dir: &Path, shown: &Path, dir_meta: &fs::Metadata) -> Result<()> {
        if self.vault.is_vault_dir(dir_meta) {
            return Err(Error::Denied {
                rule: "inside-vault",
                message: format!(
                    "{} is the vault's own directory (or one of its directories): nothing inside the vault can be imported; name the files to import instead",
                    shown.display()
                ),
            });
        }
        let id = (dir_meta.dev(), dir_meta.ino());
        if self.dirs_on_path.contains(&id) {
            return Err(Error::InvalidInput(format!(
                "{} makes a directory loop",
                shown.display()
            )));
        }
        let mut entries: Vec<_> = fs::read_dir(dir)
            .map_err(|e| Error::io(shown, e))?
            .collect::<std::io::Result<Vec<_>>>()
            .map_err(|e| Error::io(shown, e))?;
        entries.sort_by_key(|e| e.file_name());
        self.dirs_on_path.push(id);
        for entry in entries {
            let shown_path = shown.join(entry.file_name());
            let taken = self.entry(root, &entry.path(), &shown_path);
            if let Err(error) = self.keep_going(&shown_path, taken) {
                self.dirs_on_path.pop();
                return Err(error);
            }
        }
        self.dirs_on_path.pop();
        Ok(())
    }

    /// One entry found under a directory being imported.
    fn entry(&mut self, root: &Path, path: &Path, shown: &Path) -> Result<()> {
        let meta = fs::symlink_metadata(path).map_err(|e| Error::io(shown, e))?;
        if meta.file_type().is_symlink() {
            if !self.follow {
                return Err(symlink_refused(shown));
            }
            let target = fs::canonicalize(path).map_err(|e| Error::io(shown, e))?;
            if !target.starts_with(root) {
                return Err(Error::Denied {
                    rule: "symlink-escape",
                    message: format!(
                        "{} points outside the directory being imported ({})",
                        shown.display(),
                        target.display()
                    ),
                });
            }
            let target_meta = fs::metadata(&target).map_err(|e| Error::io(shown, e))?;
            if target_meta.is_dir() {
                self.walk(root, &target, shown, &target_meta)
            } else {
                self.file(&target, shown, &target_meta)
            }
        } else if meta.is_dir() {
            self.walk(root, path, shown, &meta)
        } else {
            self.file(path, shown, &meta)
        }
    }

    fn file(&mut self, path: &Path, shown: &Path, meta: &fs::Metadata) -> Result<()> {
        let kind = meta.file_type();
        let refused = |what: &str| {
            Err(Error::InvalidInput(format!(
                "{} is {what}; only regular files can be imported",
                shown.display()
            )))
        };
        if kind.is_fifo() {
            return refused("a FIFO (named pipe)");
        }
        if kind.is_block_device() || kind.is_char_device() {
            return refused("a device node");
        }
        if kind.is_socket() {
            return refused("a socket");
        }
        if !kind.is_file() {
            return refused("not a regular file");
        }
        if self.vault.is_vault_file(meta) {
            return Err(Error::Denied {
                rule: "inside-vault",
                message: format!(
                    "{} is the vault's own database (a link to it): it cannot be imported",
                    shown.display()
                ),
            });
        }
        if !self.seen_files.insert((meta.dev(), meta.ino())) {
            return Ok(()); // reached again through a link: imported once
        }
        // Fail now, before anything is written, if the file cannot be read (never waiting on
        // a FIFO swapped in since it was looked at).
        OpenOptions::new()
            .read(true)
            .custom_flags(libc::O_NONBLOCK)
            .open(path)
            .map_err(|e| Error::io(shown, e))?;
        self.out.files.push(SourceFile {
            path: path.to_path_buf(),
            shown: shown.to_path_buf(),
            name: shown.file_name().map(OsString::from).unwrap_or_default(),
            size: meta.len(),
            fingerprint: Fingerprint::of(meta),
        });
        Ok(())
    }
}

/// Why one file was not encrypted: its own problem (the batch goes on without it) or the
/// vault's (the batch stops).
#[derive(Debug)]
pub enum EncryptError {
    /// The source could not be read, was not a regular file, or changed while it was read.
    Source(Error),
    /// Writing the ciphertext failed, or the batch was cancelled.
    Batch(Error),
}

/// Encrypt `src` into a new file `out` (0600, its data synced with `fdatasync`). Returns the
/// plaintext SHA-256.
/// On any failure `out` is removed.
pub fn encrypt_file(
    src: &SourceFile,
    out: &Path,
    key: EncryptKey<'_>,
    item: ItemId,
    chunk_size: u32,
    progress: &Progress,
) -> std::result::Result<[u8; 32], EncryptError> {
    let result = encrypt_inner(src, out, key, item, chunk_size, progress);
    if result.is_err() {
        let _ = fs::remove_file(out);
    }
    result
}

fn encrypt_inner(
    src: &SourceFile,
    out: &Path,
    key: EncryptKey<'_>,
    item: ItemId,
    chunk_size: u32,
    progress: &Progress,
) -> std::result::Result<[u8; 32], EncryptError> {
    use EncryptError::{Batch, Source};
    let changed = || {
        Source(Error::InvalidInput(format!(
            "{} changed while it was being imported; nothing was kept — import it again once it is complete",
            src.shown.display()
        )))
    };
    let input = OpenOptions::new()
        .read(true)
        .custom_flags(libc::O_NOFOLLOW | libc::O_NONBLOCK)
        .open(&src.path)
        .map_err(|e| Source(Error::io(&src.shown, e)))?;
    let before = input.metadata().map_err(|e| Source(Error::io(&src.shown, e)))?;
    if !before.file_type().is_file() {
        return Err(Source(Error::InvalidInput(format!(
            "{} is no longer a regular file",
            src.shown.display()
        ))));
    }
    if Fingerprint::of(&before) != src.fingerprint {
        return Err(changed());
    }
    crate::vault::layout::check_free_space(out, stream::Header::wrapped_object_len(src.size, chunk_size))
        .map_err(Batch)?;
    let output = OpenOptions::new()
        .write(true)
        .create_new(true)
        .mode(0o600)
        .open(out)
        .map_err(|e| Batch(Error::io(out, e)))?;
    let digest = stream::encrypt(&input, &output, key, *item.as_bytes(), chunk_size, src.size, progress).map_err(
        |e| match e {
            StreamError::Read(io) => Source(Error::io(&src.shown, io)),
            StreamError::Write(io) => Batch(Error::io(out, io)),
            StreamError::SourceChanged { .. } => changed(),
            StreamError::Cancelled => Batch(Error::Cancelled),
            other => Batch(Error::InvalidInput(format!("{}: {other}", src.shown.display()))),
        },
    )?;
    // The data and the size: a new file needs no more (its name is made durable by the
    // directory sync after the rename into `objects/`).
    output.sync_data().map_err(|e| Batch(Error::io(out, e)))?;
    let after = input.metadata().map_err(|e| Source(Error::io(&src.shown, e)))?;
    if Fingerprint::of(&after) != src.fingerprint {
        return Err(changed());
    }
    Ok(digest)
}
