//! Is a path on removable media? Export of material at or above the two-person level to a
//! USB stick or card needs a second person. Linux answers through sysfs: the block device
//! under the path's file system has `removable` = 1 or sits on a USB bus. (The guard issue
//! keeps a register of media; this is only the question an export asks.)

use std::os::unix::fs::MetadataExt;
use std::path::Path;

/// Whether the file system holding `path` (or its nearest existing ancestor) is on a
/// removable or USB block device. File systems without a block device of their own (FUSE
/// drivers for exFAT or NTFS sticks) are judged by the device their mount names. Unknown
/// answers are "no": the check adds a safeguard, and the guard watches media independently.
pub fn is_removable(path: &Path) -> bool {
    let Some(existing) = path.ancestors().find(|p| p.exists()) else {
        return false;
    };
    let Ok(meta) = std::fs::metadata(existing) else {
        return false;
    };
    let dev = meta.dev();
    if libc::major(dev) != 0 {
        return block_device_is_removable(libc::major(dev), libc::minor(dev));
    }
    let canonical = std::fs::canonicalize(existing).unwrap_or_else(|_| existing.to_path_buf());
    let Some(source) = mount_source(&canonical) else {
        return false;
    };
    match std::fs::metadata(&source) {
        Ok(device) if source.starts_with("/dev/") => {
            let rdev = device.rdev();
            block_device_is_removable(libc::major(rdev), libc::minor(rdev))
        }
        _ => false,
    }
}

/// Whether sysfs says block device `major:minor` (or the disk it is a partition of) is
/// removable or on a USB bus.
fn block_device_is_removable(major: u32, minor: u32) -> bool {
    let Ok(device) = std::fs::canonicalize(format!("/sys/dev/block/{major}:{minor}")) else {
        return false;
    };
    if device.to_string_lossy().contains("/usb") {
        return true;
    }
    [device.join("removable"), device.join("../removable")]
        .iter()
        .filter_map(|f| std::fs::read_to_string(f).ok())
        .any(|v| v.trim() == "1")
}

/// The source of the mount that holds `path`.
fn mount_source(path: &Path) -> Option<std::path::PathBuf> {
    crate::mounts::of(path).map(|m| m.source.into())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn virtual_and_missing_paths_are_not_removable() {
        assert!(!is_removable(Path::new("/proc/self")));
        assert!(!is_removable(Path::new("/definitely/not/here")));
        let dir = tempfile::tempdir().unwrap();
        // Whatever holds the temp dir here is a fixed disk or tmpfs, not a USB stick.
        assert!(!is_removable(dir.path()));
    }
}
