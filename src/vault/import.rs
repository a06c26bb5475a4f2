//! The file side of import: choosing what to read (regular files only, symlinks only when
//! asked and never out of a directory's root) and encrypting one file into the process's work
//! directory. A source whose size or mtime changes while it is read is refused.

use std::ffi::OsString;
use std::fs::{self, File, OpenOptions};
use std::os::unix::fs::{FileTypeExt, MetadataExt, OpenOptionsExt};
use std::path::{Path, PathBuf};

use crate::crypto::stream::{self, EncryptKey, StreamError};
use crate::progress::Progress;
use crate::{Error, ItemId, Result};

/// A file chosen for import.
#[derive(Clone, Debug)]
pub struct SourceFile {
    /// The path to open (a followed symlink's target).
    pub path: PathBuf,
    /// The path as the user named it (for messages and default titles).
    pub shown: PathBuf,
    /// The original file name, bytes as on disk.
    pub name: OsString,
    /// Size when planned.
    pub size: u64,
    /// Modification time when planned (ns since the epoch).
    pub mtime_ns: i128,
}

/// Choose the files to import from `paths` (files and directories, recursively).
pub fn plan(paths: &[PathBuf], follow_symlinks: bool) -> Result<Vec<SourceFile>> {
    let mut out = Vec::new();
    for path in paths {
        let meta = fs::symlink_metadata(path).map_err(|e| Error::io(path, e))?;
        if meta.file_type().is_symlink() {
            if !follow_symlinks {
                return Err(Error::InvalidInput(format!(
                    "{} is a symbolic link; pass --follow-symlinks to import what it points to",
                    path.display()
                )));
            }
            let target = fs::canonicalize(path).map_err(|e| Error::io(path, e))?;
            let target_meta = fs::metadata(&target).map_err(|e| Error::io(path, e))?;
            if target_meta.is_dir() {
                walk(&target, &target, path, follow_symlinks, &mut out)?;
            } else {
                out.push(source(&target, path, &target_meta)?);
            }
        } else if meta.is_dir() {
            let root = fs::canonicalize(path).map_err(|e| Error::io(path, e))?;
            walk(&root, &root, path, follow_symlinks, &mut out)?;
        } else {
            out.push(source(path, path, &meta)?);
        }
    }
    if out.is_empty() {
        return Err(Error::InvalidInput(
            "nothing to import: the directories given hold no files".into(),
        ));
    }
    Ok(out)
}

fn walk(root: &Path, dir: &Path, shown: &Path, follow: bool, out: &mut Vec<SourceFile>) -> Result<()> {
    let mut entries: Vec<_> = fs::read_dir(dir)
        .map_err(|e| Error::io(dir, e))?
        .collect::<std::io::Result<Vec<_>>>()
        .map_err(|e| Error::io(dir, e))?;
    entries.sort_by_key(|e| e.file_name());
    for entry in entries {
        let path = entry.path();
        let shown_path = shown.join(entry.file_name());
        let meta = fs::symlink_metadata(&path).map_err(|e| Error::io(&path, e))?;
        if meta.file_type().is_symlink() {
            if !follow {
                return Err(Error::InvalidInput(format!(
                    "{} is a symbolic link; pass --follow-symlinks to import what it points to",
                    shown_path.display()
                )));
            }
            let target = fs::canonicalize(&path).map_err(|e| Error::io(&shown_path, e))?;
            if !target.starts_with(root) {
                return Err(Error::Denied {
                    rule: "symlink-escape",
                    message: format!(
                        "{} points outside the directory being imported ({})",
                        shown_path.display(),
                        target.display()
                    ),
                });
            }
            let target_meta = fs::metadata(&target).map_err(|e| Error::io(&shown_path, e))?;
            if target_meta.is_dir() {
                // A link back up the tree would loop forever.
                if dir.starts_with(&target) {
                    return Err(Error::InvalidInput(format!(
                        "{} makes a directory loop",
                        shown_path.display()
                    )));
                }
                walk(root, &target, &shown_path, follow, out)?;
            } else {
                out.push(source(&target, &shown_path, &target_meta)?);
            }
        } else if meta.is_dir() {
            walk(root, &path, &shown_path, follow, out)?;
        } else {
            out.push(source(&path, &shown_path, &meta)?);
        }
    }
    Ok(())
}

fn source(path: &Path, shown: &Path, meta: &fs::Metadata) -> Result<SourceFile> {
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
    // Fail now, before anything is written, if the file cannot be read.
    File::open(path).map_err(|e| Error::io(shown, e))?;
    Ok(SourceFile {
        path: path.to_path_buf(),
        shown: shown.to_path_buf(),
        name: path.file_name().map(OsString::from).unwrap_or_default(),
        size: meta.len(),
        mtime_ns: mtime_ns(meta),
    })
}

fn mtime_ns(meta: &fs::Metadata) -> i128 {
    i128::from(meta.mtime()) * 1_000_000_000 + i128::from(meta.mtime_nsec())
}

/// Encrypt `src` into a new file `out` (0600, fsynced). Returns the plaintext SHA-256.
/// On any failure `out` is removed.
pub fn encrypt_file(
    src: &SourceFile,
    out: &Path,
    key: EncryptKey<'_>,
    item: ItemId,
    chunk_size: u32,
    progress: &Progress,
) -> Result<[u8; 32]> {
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
) -> Result<[u8; 32]> {
    let changed = || {
        Error::InvalidInput(format!(
            "{} changed while it was being imported; nothing was kept — import it again once it is complete",
            src.shown.display()
        ))
    };
    let input = OpenOptions::new()
        .read(true)
        .custom_flags(libc::O_NOFOLLOW | libc::O_NONBLOCK)
        .open(&src.path)
        .map_err(|e| Error::io(&src.shown, e))?;
    let before = input.metadata().map_err(|e| Error::io(&src.shown, e))?;
    if !before.file_type().is_file() {
        return Err(Error::InvalidInput(format!(
            "{} is no longer a regular file",
            src.shown.display()
        )));
    }
    if before.len() != src.size || mtime_ns(&before) != src.mtime_ns {
        return Err(changed());
    }
    crate::vault::layout::check_free_space(out, stream::Header::wrapped_object_len(src.size, chunk_size))?;
    let output = OpenOptions::new()
        .write(true)
        .create_new(true)
        .mode(0o600)
        .open(out)
        .map_err(|e| Error::io(out, e))?;
    let digest = stream::encrypt(&input, &output, key, *item.as_bytes(), chunk_size, src.size, progress).map_err(
        |e| match e {
            StreamError::Read(io) => Error::io(&src.shown, io),
            StreamError::Write(io) => Error::io(out, io),
            StreamError::SourceChanged { .. } => changed(),
            StreamError::Cancelled => Error::Cancelled,
            other => Error::InvalidInput(format!("{}: {other}", src.shown.display())),
        },
    )?;
    output.sync_all().map_err(|e| Error::io(out, e))?;
    let after = input.metadata().map_err(|e| Error::io(&src.shown, e))?;
    if after.len() != before.len() || mtime_ns(&after) != mtime_ns(&before) {
        return Err(changed());
    }
    Ok(digest)
}
