//! Opening a file for reading only when it is a regular file, decided on the descriptor
//! itself. The root guard reads what users name — their clients' configuration files, the
//! files in their synced folders — and must never open a device or a FIFO, whatever a
//! symlink or a rename points the path at meanwhile: the path is opened with `O_PATH`
//! (which opens nothing for reading), the descriptor's type checked, and that very inode
//! then opened for reading through `/proc/self/fd`.

use std::fs::File;
use std::io;
use std::os::fd::{AsRawFd, FromRawFd, OwnedFd};
use std::os::unix::ffi::OsStrExt;
use std::os::unix::fs::OpenOptionsExt;
use std::path::Path;

/// Open `path` for reading if it is a regular file; a symlink as its last component is
/// followed only with `follow` (a dotfile manager's linked configuration is legitimate; a
/// link among the files of a synced folder is not that file).
pub fn open(path: &Path, follow: bool) -> io::Result<File> {
    let c_path = std::ffi::CString::new(path.as_os_str().as_bytes())
        .map_err(|_| io::Error::new(io::ErrorKind::InvalidInput, "a path with a NUL byte"))?;
    let mut flags = libc::O_PATH | libc::O_CLOEXEC;
    if !follow {
        flags |= libc::O_NOFOLLOW;
    }
    // SAFETY: a valid NUL-terminated path; O_PATH opens no file for I/O.
    let fd = unsafe { libc::open(c_path.as_ptr(), flags) };
    if fd < 0 {
        return Err(io::Error::last_os_error());
    }
    // SAFETY: `fd` was just opened and is owned by nothing else.
    let handle = File::from(unsafe { OwnedFd::from_raw_fd(fd) });
    if !handle.metadata()?.is_file() {
        return Err(io::Error::new(io::ErrorKind::InvalidInput, "not a regular file"));
    }
    std::fs::OpenOptions::new()
        .read(true)
        .custom_flags(libc::O_NONBLOCK | libc::O_NOCTTY | libc::O_CLOEXEC)
        .open(format!("/proc/self/fd/{}", handle.as_raw_fd()))
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::Read;

    #[test]
    fn only_regular_files_open_and_links_only_when_asked() {
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("config.xml");
        std::fs::write(&file, "<configuration/>").unwrap();
        let mut text = String::new();
        open(&file, false).unwrap().read_to_string(&mut text).unwrap();
        assert_eq!(text, "<configuration/>");
        let link = dir.path().join("link.xml");
        std::os::unix::fs::symlink(&file, &link).unwrap();
        assert!(open(&link, true).is_ok());
        assert!(open(&link, false).is_err(), "a link is not followed unless asked");
        // A device behind a link, a FIFO and a directory: never opened for reading.
        let device = dir.path().join("watchdog");
        std::os::unix::fs::symlink("/dev/null", &device).unwrap();
        assert!(open(&device, true).is_err());
        let fifo = dir.path().join("fifo");
        let c_fifo = std::ffi::CString::new(fifo.as_os_str().as_bytes()).unwrap();
        // SAFETY: a valid path; mkfifo only creates the node.
        assert_eq!(unsafe { libc::mkfifo(c_fifo.as_ptr(), 0o600) }, 0);
        assert!(open(&fifo, false).is_err());
        assert!(open(dir.path(), true).is_err());
    }
}
