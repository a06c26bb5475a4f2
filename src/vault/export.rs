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
            return Err(Error::DestinationExists {
                path: dest.to_path_buf(),
                appeared: false,
            });
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
    // The real directory, symbolic links resolved: the event records where the plaintext
    // actually went, not the name a link gave it.
    let real_parent = fs::canonicalize(parent).map_err(|e| Error::io(parent, e))?;
    let name = dest
        .file_name()
        .ok_or_else(|| Error::InvalidInput(format!("{} names no file to export to", dest.display())))?;
    Ok(real_parent.join(name))
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
    published: bool,
}

/// What an export is about to create or has just created outside the vault, for the caller
/// to record in the database so that the next open can remove it after a crash — and only
/// it (DESIGN.md §3).
#[derive(Clone, Copy, Debug)]
pub enum Recording<'a> {
    /// A named temp file `.strongroom-<uuid>.part` is about to be created here.
    Temp(&'a Path),
    /// An empty `O_EXCL` placeholder is about to reserve the final name here.
    Placeholder(&'a Path),
    /// The file just created at `path` has this device and inode.
    Created {
        /// Where.
        path: &'a Path,
        /// `st_dev`.
        dev: u64,
        /// `st_ino`.
        ino: u64,
    },
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
    /// existing file. `record` is told of a placeholder before it is made (see
    /// [`Recording`]).
    pub fn publish(mut self, force: bool, mut record: impl FnMut(Recording<'_>) -> Result<()>) -> Result<()> {
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
                    // The plaintext gets a name of its own before it replaces the old file:
                    // recorded like any named temp, so a crash in between leaves nothing
                    // the next open does not remove.
                    record(Recording::Temp(&self.temp))?;
                    link_unnamed(&self.file, &self.temp).map_err(|e| Error::io(&self.temp, e))?;
                    self.temp_exists = true;
                    let meta = fs::symlink_metadata(&self.temp).map_err(|e| Error::io(&self.temp, e))?;
                    record(Recording::Created {
                        path: &self.temp,
                        dev: meta.dev(),
                        ino: meta.ino(),
                    })?;
                    fs::rename(&self.temp, &self.dest).map_err(|e| Error::io(&self.dest, e))?;
                    self.temp_exists = false;
                }
                Err(e) if e.raw_os_error() == Some(libc::EEXIST) => {
                    return Err(Error::DestinationExists {
                        path: self.dest.clone(),
                        appeared: true,
                    });
                }
                Err(e) => return Err(Error::io(&self.dest, e)),
            }
        } else if force {
            fs::rename(&self.temp, &self.dest).map_err(|e| Error::io(&self.dest, e))?;
            self.temp_exists = false;
        } else {
            rename_without_replacing(&self.temp, &self.dest, record)?;
            self.temp_exists = false;
        }
        self.published = true;
        // The file is in place and its event committed. A directory that cannot be flushed
        // (some FUSE drivers) risks losing the name at a power cut — an event without a
        // file, which the ledger allows — not a file without its event.
        let _ = sync_dir(&dir);
        Ok(())
    }

    /// Overwrite what was written with zeros and flush it, so a refused or abandoned export
    /// leaves no plaintext in the blocks the file system frees. (Flash media may still keep
    /// copies in blocks the controller remapped: docs/THREAT-MODEL.md.)
    fn scrub(&self) {
        scrub_file(&self.file);
    }
}

/// Overwrite `file` with zeros over its whole length and flush it. Best effort: the file is
/// being given up on anyway.
pub(crate) fn scrub_file(file: &File) {
    use std::os::unix::fs::FileExt;
    let Ok(len) = file.metadata().map(|m| m.len()) else {
        return;
    };
    let zeros = vec![0u8; 1024 * 1024];
    let mut offset = 0u64;
    while offset < len {
        let n = (len - offset).min(zeros.len() as u64) as usize;
        if file.write_all_at(&zeros[..n], offset).is_err() {
            return;
        }
        offset += n as u64;
    }
    let _ = file.sync_data();
}

/// Move `temp` to `dest` only if `dest` does not exist, on every file system:
/// `renameat2(RENAME_NOREPLACE)` where the kernel driver has it (ext4, kernel vfat and exFAT);
/// where it fails with EINVAL (FUSE drivers such as exfat-fuse and fusefat, which also refuse
/// `link()`), the final name is first reserved with a recorded empty `O_EXCL` file, which the
/// rename then replaces, so a file that appeared before the reservation is never overwritten.
/// (Someone with the same account who deletes the reservation and puts their own file there in
/// the instant before the rename loses it: they could overwrite it anyway.)
fn rename_without_replacing(
    temp: &Path,
    dest: &Path,
    mut record: impl FnMut(Recording<'_>) -> Result<()>,
) -> Result<()> {
    let appeared = || Error::DestinationExists {
        path: dest.to_path_buf(),
        appeared: true,
    };
    let Err(err) = crate::vault::layout::rename_noreplace(temp, dest) else {
        return Ok(());
    };
    match err.raw_os_error() {
        Some(libc::EEXIST) => return Err(appeared()),
        Some(libc::EINVAL) | Some(libc::ENOSYS) => {}
        _ => return Err(Error::io(dest, err)),
    }
    record(Recording::Placeholder(dest))?;
    let placeholder = match OpenOptions::new()
        .write(true)
        .create_new(true)
        .mode(0o600)
        .custom_flags(libc::O_NOFOLLOW)
        .open(dest)
    {
        Ok(file) => file,
        Err(e) if e.kind() == io::ErrorKind::AlreadyExists => return Err(appeared()),
        Err(e) => return Err(Error::io(dest, e)),
    };
    let reserved = placeholder.metadata().map_err(|e| Error::io(dest, e))?;
    drop(placeholder);
    let still_ours = || {
        fs::symlink_metadata(dest)
            .is_ok_and(|now| now.len() == 0 && now.ino() == reserved.ino() && now.dev() == reserved.dev())
    };
    let renamed = record(Recording::Created {
        path: dest,
        dev: reserved.dev(),
        ino: reserved.ino(),
    })
    .and_then(|()| fs::rename(temp, dest).map_err(|e| Error::io(dest, e)));
    if renamed.is_err() && still_ours() {
        // Remove the reservation only while it is still our empty file.
        let _ = fs::remove_file(dest);
    }
    renamed
}

fn c_path(path: &Path) -> io::Result<CString> {
    CString::new(path.as_os_str().as_bytes()).map_err(|_| io::Error::from(io::ErrorKind::InvalidInput))
}

impl Drop for Output {
    fn drop(&mut self) {
        if !self.published {
            self.scrub();
        }
        // An unnamed file vanishes with its descriptor; a named temp is removed here.
        if self.temp_exists {
            let _ = fs::remove_file(&self.temp);
        }
    }
}

/// Open an output for `dest` (already resolved). `record` is told of a named temp before it
/// exists and of its device and inode before any byte is written (see [`Recording`]).
pub fn open_output(dest: &Path, record: impl FnMut(Recording<'_>) -> Result<()>) -> Result<Output> {
    open_output_with(dest, record, true)
}

/// [`open_output`], with the unnamed file optional: `false` takes the named-temp path that
/// file systems without `O_TMPFILE` (vfat, exFAT) need, so tests can exercise it anywhere.
pub fn open_output_with(
    dest: &Path,
    mut record: impl FnMut(Recording<'_>) -> Result<()>,
    try_unnamed: bool,
) -> Result<Output> {
    let dir = parent_of(dest);
    // The temp name carries no part of the destination name: it is recorded in the database.
    let temp = dir.join(temp_name(crate::ItemId::random()?));
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
            published: false,
        }),
        Err(e)
            if matches!(
                e.raw_os_error(),
                Some(libc::EOPNOTSUPP) | Some(libc::EISDIR) | Some(libc::EINVAL)
            ) =>
        {
            record(Recording::Temp(&temp))?;
            let file = OpenOptions::new()
                .write(true)
                .create_new(true)
                .mode(0o600)
                .custom_flags(libc::O_NOFOLLOW)
                .open(&temp)
                .map_err(|e| Error::io(&temp, e))?;
            let mut output = Output {
                file,
                dest: dest.to_path_buf(),
                temp,
                unnamed: false,
                temp_exists: true,
                published: false,
            };
            let meta = output.file.metadata().map_err(|e| Error::io(&output.temp, e))?;
            if let Err(error) = record(Recording::Created {
                path: &output.temp,
                dev: meta.dev(),
                ino: meta.ino(),
            }) {
                output.published = true; // nothing written: nothing to scrub
                return Err(error);
            }
            Ok(output)
        }
        Err(e) => Err(Error::io(dir, e)),
    }
}

/// The name of a named export temp: `.strongroom-<uuid>.part`.
pub(crate) fn temp_name(token: crate::ItemId) -> String {
    format!(".strongroom-{token}.part")
}

/// Give an `O_TMPFILE` file a name (fails with EEXIST if the name is taken).
fn link_unnamed(file: &File, dest: &Path) -> io::Result<()> {
    let target = c_path(dest)?;
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

#[cfg(test)]
mod tests {
    use std::io::Write;

    use super::*;

    fn write_and_publish(dir: &Path, try_unnamed: bool, force: bool) -> Result<PathBuf> {
        let dest = dir.join("out.bin");
        let mut registered = None;
        let output = open_output_with(
            &dest,
            |recording| {
                if let Recording::Temp(temp) = recording {
                    registered = Some(temp.to_path_buf());
                }
                Ok(())
            },
            try_unnamed,
        )?;
        assert_eq!(output.is_unnamed(), try_unnamed);
        // Named temp files are recorded and exist while writing; unnamed ones never have a name.
        assert_eq!(registered.is_some(), !try_unnamed);
        let temp = output.temp_path().to_path_buf();
        assert_eq!(temp.exists(), !try_unnamed);
        output.file().write_all(b"plaintext").map_err(|e| Error::io(&temp, e))?;
        let mut named_at_publish = Vec::new();
        output.publish(force, |recording| {
            if let Recording::Temp(path) = recording {
                named_at_publish.push(path.to_path_buf());
            }
            Ok(())
        })?;
        // A forced replace names the unnamed file first: that name is recorded too.
        if try_unnamed && force && std::fs::symlink_metadata(&dest).is_ok() {
            assert_eq!(named_at_publish, std::slice::from_ref(&temp));
        }
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
            let file = output.file().try_clone().unwrap();
            output.file().write_all(b"half of the plaintext").unwrap();
            drop(output);
            assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 0);
            // The blocks it held were zeroed before they were given back.
            let mut left = Vec::new();
            std::io::Read::read_to_end(
                &mut std::fs::File::open(format!("/proc/self/fd/{}", file.as_raw_fd())).unwrap(),
                &mut left,
            )
            .unwrap();
            assert_eq!(left, vec![0u8; b"half of the plaintext".len()]);
        }
    }
}
