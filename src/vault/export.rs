//! The file side of export: plaintext is written only into an unnamed file (`O_TMPFILE`) in
//! the destination directory and linked to its name after the last chunk authenticated and
//! the SHA-256 matched. Where the file system has no `O_TMPFILE` (vfat/exFAT sticks), a named
//! temp file is used, which the caller records in the database before the first byte so a
//! crash cannot leave it behind, and which is published with `renameat2(RENAME_NOREPLACE)`
//! or, where FUSE drivers refuse that, over an `O_EXCL` placeholder holding the final name.
//! Nothing that was there before the name was reserved is ever overwritten without `force`.

use std::ffi::{CString, OsStr};
use std::fs::{self, File, OpenOptions};
use std::io;
use std::os::fd::AsRawFd;
use std::os::unix::ffi::OsStrExt;
use std::os::unix::fs::{MetadataExt, OpenOptionsExt};
use std::path::{Path, PathBuf};

use crate::vault::layout::sync_dir;
use crate::{Error, Result};

/// Work out the final path: `to` itself, or `to/<original name>` when `to` is a directory.
/// Refuses an existing file unless `force`.
pub fn resolve_destination(to: &Path, original_name: &OsStr, force: bool) -> Result<PathBuf> {
    // Absolute, so the event records where the plaintext went whatever the working directory.
    let to = &std::path::absolute(to).map_err(|e| Error::io(to, e))?;
    let dest = if to.is_dir() {
        let name = Path::new(original_name)
            .file_name()
            .filter(|n| !n.is_empty())
            .unwrap_or(OsStr::new("item"));
        to.join(name)
    } else {
        to.to_path_buf()
    };
    match fs::symlink_metadata(&dest) {
        Ok(meta) if meta.is_dir() => {
            return Err(Error::InvalidInput(format!(
                "{} is a directory; name a file to export to",
                dest.display()
            )));
        }
        Ok(_) if !force => {
            return Err(Error::InvalidInput(format!(
                "{} already exists; pass --force to overwrite it",
                dest.display()
            )));
        }
        Ok(_) => {}
        Err(e) if e.kind() == io::ErrorKind::NotFound => {}
        Err(e) => return Err(Error::io(&dest, e)),
    }
    let parent = parent_of(&dest);
    if !parent.is_dir() {
        return Err(Error::io(
            parent,
            io::Error::new(io::ErrorKind::NotFound, "the destination directory does not exist"),
        ));
    }
    Ok(dest)
}

fn parent_of(path: &Path) -> &Path {
    match path.parent() {
        Some(p) if !p.as_os_str().is_empty() => p,
        _ => Path::new("."),
    }
}

/// An output file being written, invisible until [`Output::publish`].
pub struct Output {
    file: File,
    dest: PathBuf,
    /// The name used for a named temp file or for the last step of a forced overwrite.
    temp: PathBuf,
    unnamed: bool,
    temp_exists: bool,
}

impl Output {
    /// The temp name the caller must record before any byte is written.
    pub fn temp_path(&self) -> &Path {
        &self.temp
    }

    /// The final path.
    pub fn destination(&self) -> &Path {
        &self.dest
    }

    /// Whether the file system gave us an unnamed file.
    pub fn is_unnamed(&self) -> bool {
        self.unnamed
    }

    /// The file to write the plaintext into.
    pub fn file(&self) -> &File {
        &self.file
    }

    /// Make the file visible under its final name (durably). `force` allows replacing an
    /// existing file.
    pub fn publish(mut self, force: bool) -> Result<()> {
        self.file.sync_all().map_err(|e| Error::io(&self.temp, e))?;
        let dir = parent_of(&self.dest).to_path_buf();
        if self.unnamed {
            let direct = if force {
                Err(io::Error::from_raw_os_error(libc::EEXIST))
            } else {
                link_unnamed(&self.file, &self.dest)
            };
            match direct {
                Ok(()) => {}
                Err(e) if e.raw_os_error() == Some(libc::EEXIST) && force => {
                    link_unnamed(&self.file, &self.temp).map_err(|e| Error::io(&self.temp, e))?;
                    self.temp_exists = true;
                    fs::rename(&self.temp, &self.dest).map_err(|e| Error::io(&self.dest, e))?;
                    self.temp_exists = false;
                }
                Err(e) if e.raw_os_error() == Some(libc::EEXIST) => {
                    return Err(Error::InvalidInput(format!(
                        "{} appeared while exporting; pass --force to overwrite it",
                        self.dest.display()
                    )));
                }
                Err(e) => return Err(Error::io(&self.dest, e)),
            }
        } else if force {
            fs::rename(&self.temp, &self.dest).map_err(|e| Error::io(&self.dest, e))?;
            self.temp_exists = false;
        } else {
            rename_without_replacing(&self.temp, &self.dest).map_err(|e| match e.kind() {
                io::ErrorKind::AlreadyExists => Error::InvalidInput(format!(
                    "{} appeared while exporting; pass --force to overwrite it",
                    self.dest.display()
                )),
                _ => Error::io(&self.dest, e),
            })?;
            self.temp_exists = false;
        }
        sync_dir(&dir)
    }
}

/// Move `temp` to `dest` only if `dest` does not exist (EEXIST otherwise), on every file
/// system: `renameat2(RENAME_NOREPLACE)` where the kernel driver has it (ext4, kernel vfat
/// and exFAT); where it fails with EINVAL (FUSE drivers such as exfat-fuse and fusefat, which
/// also refuse `link()`), the final name is first reserved with an empty `O_EXCL` file, which
/// the rename then replaces, so a file that appeared before the reservation is never
/// overwritten. (Someone with the same account who deletes the reservation and puts their
/// own file there in the instant before the rename loses it: they could overwrite it anyway.)
fn rename_without_replacing(temp: &Path, dest: &Path) -> io::Result<()> {
    let c_temp = CString::new(temp.as_os_str().as_bytes()).map_err(|_| io::Error::from(io::ErrorKind::InvalidInput))?;
    let c_dest = CString::new(dest.as_os_str().as_bytes()).map_err(|_| io::Error::from(io::ErrorKind::InvalidInput))?;
    // SAFETY: both paths are valid NUL-terminated strings that outlive the call.
    let rc = unsafe {
        libc::renameat2(
            libc::AT_FDCWD,
            c_temp.as_ptr(),
            libc::AT_FDCWD,
            c_dest.as_ptr(),
            libc::RENAME_NOREPLACE,
        )
    };
    if rc == 0 {
        return Ok(());
    }
    let err = io::Error::last_os_error();
    if !matches!(err.raw_os_error(), Some(libc::EINVAL) | Some(libc::ENOSYS)) {
        return Err(err);
    }
    let placeholder = OpenOptions::new()
        .write(true)
        .create_new(true)
        .mode(0o600)
        .custom_flags(libc::O_NOFOLLOW)
        .open(dest)?;
    let reserved = placeholder.metadata()?;
    drop(placeholder);
    fs::rename(temp, dest).inspect_err(|_| {
        // Remove the reservation only while it is still our empty file.
        if fs::symlink_metadata(dest)
            .is_ok_and(|now| now.len() == 0 && now.ino() == reserved.ino() && now.dev() == reserved.dev())
        {
            let _ = fs::remove_file(dest);
        }
    })
}

impl Drop for Output {
    fn drop(&mut self) {
        // An unnamed file vanishes with its descriptor; a named temp is removed here.
        if self.temp_exists {
            let _ = fs::remove_file(&self.temp);
        }
    }
}

/// Open an output for `dest` (already resolved). `register` is called with the temp path
/// before any file exists under it, so the caller can record it.
pub fn open_output(dest: &Path, register: impl FnOnce(&Path) -> Result<()>) -> Result<Output> {
    open_output_with(dest, register, true)
}

/// [`open_output`], with the unnamed file optional: `false` takes the named-temp path that
/// file systems without `O_TMPFILE` (vfat, exFAT) need, so tests can exercise it anywhere.
pub fn open_output_with(dest: &Path, register: impl FnOnce(&Path) -> Result<()>, try_unnamed: bool) -> Result<Output> {
    let dir = parent_of(dest);
    // The temp name carries no part of the destination name: it is recorded in the database.
    let temp_name = format!(".strongroom-{}.part", crate::ItemId::random()?);
    let temp = dir.join(temp_name);
    register(&temp)?;
    let unnamed = if try_unnamed {
        OpenOptions::new()
            .read(true)
            .write(true)
            .mode(0o600)
            .custom_flags(libc::O_TMPFILE)
            .open(dir)
    } else {
        Err(io::Error::from_raw_os_error(libc::EOPNOTSUPP))
    };
    match unnamed {
        Ok(file) => Ok(Output {
            file,
            dest: dest.to_path_buf(),
            temp,
            unnamed: true,
            temp_exists: false,
        }),
        Err(e)
            if matches!(
                e.raw_os_error(),
                Some(libc::EOPNOTSUPP) | Some(libc::EISDIR) | Some(libc::EINVAL)
            ) =>
        {
            let file = OpenOptions::new()
                .write(true)
                .create_new(true)
                .mode(0o600)
                .open(&temp)
                .map_err(|e| Error::io(&temp, e))?;
            Ok(Output {
                file,
                dest: dest.to_path_buf(),
                temp,
                unnamed: false,
                temp_exists: true,
            })
        }
        Err(e) => Err(Error::io(dir, e)),
    }
}

/// Give an `O_TMPFILE` file a name (fails with EEXIST if the name is taken).
fn link_unnamed(file: &File, dest: &Path) -> io::Result<()> {
    let target = CString::new(dest.as_os_str().as_bytes()).map_err(|_| io::Error::from(io::ErrorKind::InvalidInput))?;
    let proc_path = CString::new(format!("/proc/self/fd/{}", file.as_raw_fd()))
        .map_err(|_| io::Error::from(io::ErrorKind::InvalidInput))?;
    // SAFETY: both paths are valid NUL-terminated strings that outlive the call.
    let rc = unsafe {
        libc::linkat(
            libc::AT_FDCWD,
            proc_path.as_ptr(),
            libc::AT_FDCWD,
            target.as_ptr(),
            libc::AT_SYMLINK_FOLLOW,
        )
    };
    if rc == 0 {
        return Ok(());
    }
    let err = io::Error::last_os_error();
    if err.raw_os_error() != Some(libc::ENOENT) {
        return Err(err);
    }
    // No /proc: AT_EMPTY_PATH works where the process may use it.
    let empty = CString::default();
    // SAFETY: as above; the descriptor is open for the duration of the call.
    let rc = unsafe {
        libc::linkat(
            file.as_raw_fd(),
            empty.as_ptr(),
            libc::AT_FDCWD,
            target.as_ptr(),
            libc::AT_EMPTY_PATH,
        )
    };
    if rc == 0 {
        Ok(())
    } else {
        Err(io::Error::last_os_error())
    }
}

/// Record, list and forget named export temps (the `export_temps` table).
pub mod temps {
    use rusqlite::{Connection, Transaction, params};
    use std::os::unix::ffi::OsStrExt;
    use std::path::{Path, PathBuf};

    use crate::{ItemId, Result};

    /// Record a temp path before it is created.
    pub fn record(tx: &Transaction<'_>, path: &Path, item: ItemId, owner: &str, now: &str) -> Result<()> {
        tx.execute(
            "INSERT INTO export_temps (path, item, owner, created_at) VALUES (?1, ?2, ?3, ?4)",
            params![
                path.as_os_str().as_bytes().to_vec(),
                item.as_bytes().to_vec(),
                owner,
                now
            ],
        )?;
        Ok(())
    }

    /// Forget a temp path. Returns whether it was recorded.
    pub fn forget(tx: &Transaction<'_>, path: &Path) -> Result<bool> {
        let removed = tx.execute(
            "DELETE FROM export_temps WHERE path = ?1",
            params![path.as_os_str().as_bytes().to_vec()],
        )?;
        Ok(removed == 1)
    }

    /// Temps recorded by `owner`.
    pub fn of_owner(conn: &Connection, owner: &str) -> Result<Vec<(PathBuf, ItemId)>> {
        let mut stmt = conn.prepare_cached("SELECT path, item FROM export_temps WHERE owner = ?1")?;
        let rows = stmt.query_map(params![owner], |r| {
            Ok((r.get::<_, Vec<u8>>(0)?, r.get::<_, Vec<u8>>(1)?))
        })?;
        let mut out = Vec::new();
        for row in rows {
            let (path, item) = row?;
            if let Some(item) = ItemId::from_slice(&item) {
                out.push((PathBuf::from(std::ffi::OsStr::from_bytes(&path)), item));
            }
        }
        Ok(out)
    }

    /// Owners with recorded temps.
    pub fn owners(conn: &Connection) -> Result<Vec<String>> {
        let mut stmt = conn.prepare_cached("SELECT DISTINCT owner FROM export_temps")?;
        let rows = stmt.query_map([], |r| r.get::<_, String>(0))?;
        Ok(rows.collect::<rusqlite::Result<Vec<_>>>()?)
    }
}

#[cfg(test)]
mod tests {
    use std::io::Write;

    use super::*;

    fn write_and_publish(dir: &Path, try_unnamed: bool, force: bool) -> Result<PathBuf> {
        let dest = dir.join("out.bin");
        let mut registered = None;
        let output = open_output_with(
            &dest,
            |temp| {
                registered = Some(temp.to_path_buf());
                Ok(())
            },
            try_unnamed,
        )?;
        assert_eq!(output.is_unnamed(), try_unnamed);
        let temp = registered.expect("the temp path is registered before the file exists");
        assert_eq!(temp, output.temp_path());
        // Named temp files exist while writing; unnamed ones never have a name.
        assert_eq!(temp.exists(), !try_unnamed);
        output.file().write_all(b"plaintext").map_err(|e| Error::io(&temp, e))?;
        output.publish(force)?;
        assert!(!temp.exists(), "the temp name is gone after publishing");
        Ok(dest)
    }

    #[test]
    fn both_output_kinds_publish_without_leaving_temp_files() {
        for try_unnamed in [true, false] {
            let dir = tempfile::tempdir().unwrap();
            let dest = write_and_publish(dir.path(), try_unnamed, false).unwrap();
            assert_eq!(std::fs::read(&dest).unwrap(), b"plaintext");
            // A second export to the same name needs force, and leaves the first untouched.
            std::fs::write(&dest, b"precious").unwrap();
            assert!(write_and_publish(dir.path(), try_unnamed, false).is_err());
            assert_eq!(std::fs::read(&dest).unwrap(), b"precious");
            write_and_publish(dir.path(), try_unnamed, true).unwrap();
            assert_eq!(std::fs::read(&dest).unwrap(), b"plaintext");
            assert_eq!(
                std::fs::read_dir(dir.path()).unwrap().count(),
                1,
                "only the export remains"
            );
        }
    }

    #[test]
    fn an_abandoned_output_leaves_nothing() {
        for try_unnamed in [true, false] {
            let dir = tempfile::tempdir().unwrap();
            let output = open_output_with(&dir.path().join("out.bin"), |_| Ok(()), try_unnamed).unwrap();
            output.file().write_all(b"half of the plaintext").unwrap();
            drop(output);
            assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 0);
        }
    }
}
