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
fn scrub_file(file: &File) {
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
    let appeared = || {
        Error::InvalidInput(format!(
            "{} appeared while exporting; pass --force to overwrite it",
            dest.display()
        ))
    };
    let c_temp = c_path(temp).map_err(|e| Error::io(temp, e))?;
    let c_dest = c_path(dest).map_err(|e| Error::io(dest, e))?;
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
fn temp_name(token: crate::ItemId) -> String {
    format!(".strongroom-{token}.part")
}

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

/// Record, list and forget what exports leave outside the vault until they finish (the
/// `export_temps` table): named temps and placeholders, with their device and inode once made.
pub mod temps {
    use rusqlite::{Connection, Transaction, params};
    use std::os::unix::ffi::OsStrExt;
    use std::path::{Path, PathBuf};

    use super::Recording;
    use crate::{ItemId, Result};

    /// One recorded leftover.
    #[derive(Clone, Debug)]
    pub struct Recorded {
        /// Where it is.
        pub path: PathBuf,
        /// The item being exported.
        pub item: ItemId,
        /// A placeholder reserving the final name (otherwise a named temp).
        pub placeholder: bool,
        /// Device and inode, once the file was made.
        pub identity: Option<(u64, u64)>,
    }

    /// Record what `recording` says, for `item`'s export by work directory `owner`.
    pub fn record(tx: &Transaction<'_>, recording: Recording<'_>, item: ItemId, owner: &str, now: &str) -> Result<()> {
        let (path, kind) = match recording {
            Recording::Temp(path) => (path, "temp"),
            Recording::Placeholder(path) => (path, "placeholder"),
            Recording::Created { path, dev, ino } => {
                tx.execute(
                    "UPDATE export_temps SET dev = ?2, ino = ?3 WHERE path = ?1",
                    params![bytes(path), dev as i64, ino as i64],
                )?;
                return Ok(());
            }
        };
        tx.execute(
            "INSERT INTO export_temps (path, item, owner, created_at, kind) VALUES (?1, ?2, ?3, ?4, ?5)",
            params![bytes(path), item.as_bytes().to_vec(), owner, now, kind],
        )?;
        Ok(())
    }

    fn bytes(path: &Path) -> Vec<u8> {
        path.as_os_str().as_bytes().to_vec()
    }

    /// Forget a recorded path. Returns whether it was recorded.
    pub fn forget(tx: &Transaction<'_>, path: &Path) -> Result<bool> {
        let removed = tx.execute("DELETE FROM export_temps WHERE path = ?1", params![bytes(path)])?;
        Ok(removed == 1)
    }

    /// What `owner` recorded.
    pub fn of_owner(conn: &Connection, owner: &str) -> Result<Vec<Recorded>> {
        let mut stmt = conn.prepare_cached("SELECT path, item, kind, dev, ino FROM export_temps WHERE owner = ?1")?;
        let rows = stmt.query_map(params![owner], |r| {
            Ok((
                r.get::<_, Vec<u8>>(0)?,
                r.get::<_, Vec<u8>>(1)?,
                r.get::<_, String>(2)?,
                r.get::<_, Option<i64>>(3)?,
                r.get::<_, Option<i64>>(4)?,
            ))
        })?;
        let mut out = Vec::new();
        for row in rows {
            let (path, item, kind, dev, ino) = row?;
            let Some(item) = ItemId::from_slice(&item) else {
                continue;
            };
            out.push(Recorded {
                path: PathBuf::from(std::ffi::OsStr::from_bytes(&path)),
                item,
                placeholder: kind == "placeholder",
                identity: dev.zip(ino).map(|(d, i)| (d as u64, i as u64)),
            });
        }
        Ok(out)
    }

    /// Owners with recorded leftovers.
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
