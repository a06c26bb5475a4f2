//! The register marker on a medium's root (`.strongroom-medium.json`): read as untrusted
//! input (a regular file, not followed through a link, bounded in size) and written whole or
//! not at all (a temporary file, synced, renamed into place).

use std::io::{Read, Write};
use std::os::fd::AsRawFd;
use std::os::unix::fs::OpenOptionsExt;
use std::path::Path;

use crate::guard::medium_record::{MARKER_NAME, MAX_MARKER_BYTES};

/// The marker's bytes at `root`, `None` when there is none. A marker larger than the bound
/// comes back one byte over it, so the verifier refuses it as too large without reading it
/// all.
pub fn read(root: &Path) -> Result<Option<Vec<u8>>, String> {
    let path = root.join(MARKER_NAME);
    // Looked at before it is opened for reading: root must never open a device node, a FIFO
    // or a socket someone put on a stick under that name (opening some has effects). An
    // `O_PATH` descriptor opens nothing; only a regular file is then reopened through it.
    let handle = std::fs::OpenOptions::new()
        .read(true)
        .custom_flags(libc::O_PATH | libc::O_NOFOLLOW)
        .open(&path);
    let handle = match handle {
        Ok(handle) => handle,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(None),
        Err(e) => return Err(e.to_string()),
    };
    let meta = handle.metadata().map_err(|e| e.to_string())?;
    if meta.file_type().is_symlink() {
        return Err("the marker is a symbolic link".into());
    }
    if !meta.is_file() {
        return Err("the marker is not a regular file".into());
    }
    let file = std::fs::File::open(format!("/proc/self/fd/{}", handle.as_raw_fd())).map_err(|e| e.to_string())?;
    let mut bytes = Vec::new();
    file.take(MAX_MARKER_BYTES + 1)
        .read_to_end(&mut bytes)
        .map_err(|e| e.to_string())?;
    Ok(Some(bytes))
}

/// Why a marker could not be written.
#[derive(Debug, thiserror::Error)]
pub enum WriteError {
    /// The medium is mounted read-only.
    #[error("the medium at {0} is read-only: its marker cannot be written (mount it read-write to register it)")]
    ReadOnly(String),
    /// Anything else the file system said.
    #[error("the marker could not be written on {path}: {source}")]
    Io {
        /// The medium's root.
        path: String,
        /// What failed.
        source: std::io::Error,
    },
}

/// Write `bytes` as the marker at `root`, replacing any marker there: whole or not at all.
pub fn write(root: &Path, bytes: &[u8]) -> Result<(), WriteError> {
    let shown = root.display().to_string();
    let fail = |source: std::io::Error| {
        if source.raw_os_error() == Some(libc::EROFS) {
            WriteError::ReadOnly(shown.clone())
        } else {
            WriteError::Io {
                path: shown.clone(),
                source,
            }
        }
    };
    let temp = root.join(format!("{MARKER_NAME}.new"));
    let written = (|| {
        // Whatever was left under the temporary name (a FIFO someone put there would hang a
        // plain open) goes first; the new file is created afresh, never opened as found.
        match std::fs::remove_file(&temp) {
            Err(e) if e.kind() != std::io::ErrorKind::NotFound => return Err(e),
            _ => {}
        }
        let mut file = std::fs::OpenOptions::new()
            .write(true)
            .create_new(true)
            .mode(0o644)
            .custom_flags(libc::O_NOFOLLOW | libc::O_NONBLOCK)
            .open(&temp)?;
        file.write_all(bytes)?;
        file.sync_all()?;
        std::fs::rename(&temp, root.join(MARKER_NAME))?;
        // The rename made durable (FUSE drivers may not support a directory fsync).
        if let Ok(dir) = std::fs::File::open(root) {
            let _ = dir.sync_all();
        }
        Ok(())
    })();
    if written.is_err() {
        let _ = std::fs::remove_file(&temp);
    }
    written.map_err(fail)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_marker_is_read_back_bounded_and_never_through_a_link() {
        let dir = tempfile::tempdir().unwrap();
        assert_eq!(read(dir.path()), Ok(None));
        write(dir.path(), b"{\"a\":1}").unwrap();
        assert_eq!(read(dir.path()), Ok(Some(b"{\"a\":1}".to_vec())));
        assert!(!dir.path().join(format!("{MARKER_NAME}.new")).exists());

        // Huge: one byte over the bound comes back, never the whole file.
        std::fs::write(dir.path().join(MARKER_NAME), vec![b' '; 1 << 20]).unwrap();
        assert_eq!(read(dir.path()).unwrap().unwrap().len() as u64, MAX_MARKER_BYTES + 1);

        // A link to a file elsewhere, and a directory in its place.
        let elsewhere = dir.path().join("elsewhere");
        std::fs::write(&elsewhere, b"{}").unwrap();
        std::fs::remove_file(dir.path().join(MARKER_NAME)).unwrap();
        std::os::unix::fs::symlink(&elsewhere, dir.path().join(MARKER_NAME)).unwrap();
        assert!(read(dir.path()).unwrap_err().contains("symbolic link"));
        std::fs::remove_file(dir.path().join(MARKER_NAME)).unwrap();
        std::fs::create_dir(dir.path().join(MARKER_NAME)).unwrap();
        assert!(read(dir.path()).unwrap_err().contains("not a regular file"));
        std::fs::remove_dir(dir.path().join(MARKER_NAME)).unwrap();

        // A FIFO under the marker's name is refused unopened, and one under the temporary
        // name does not hang the write.
        let fifo = |path: &Path| {
            let c = std::ffi::CString::new(path.as_os_str().as_encoded_bytes()).unwrap();
            // SAFETY: a valid C string path.
            assert_eq!(unsafe { libc::mkfifo(c.as_ptr(), 0o644) }, 0);
        };
        fifo(&dir.path().join(MARKER_NAME));
        assert!(read(dir.path()).unwrap_err().contains("not a regular file"));
        std::fs::remove_file(dir.path().join(MARKER_NAME)).unwrap();
        fifo(&dir.path().join(format!("{MARKER_NAME}.new")));
        write(dir.path(), b"{}").unwrap();
        assert_eq!(read(dir.path()), Ok(Some(b"{}".to_vec())));
    }
}
