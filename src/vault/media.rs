//! Is a path on removable media? Export of material at or above the two-person level to a
//! USB stick or card needs a second person. Linux answers through sysfs: the block device
//! under the path's file system has `removable` = 1 or sits on a USB bus. (The guard issue
//! keeps a register of media; this is only the question an export asks.)

use std::os::unix::fs::MetadataExt;
use std::path::Path;

/// Whether the file system holding `path` (or its nearest existing ancestor) is on a
/// removable or USB block device. Unknown answers are "no": the check adds a safeguard, and
/// the guard watches media independently.
pub fn is_removable(path: &Path) -> bool {
    let Some(existing) = path.ancestors().find(|p| p.exists()) else {
        return false;
    };
    let Ok(meta) = std::fs::metadata(existing) else {
        return false;
    };
    let dev = meta.dev();
    let (major, minor) = (libc::major(dev), libc::minor(dev));
    if major == 0 {
        // Virtual file systems (tmpfs, overlay, network mounts) have no block device.
        return false;
    }
    let Ok(device) = std::fs::canonicalize(format!("/sys/dev/block/{major}:{minor}")) else {
        return false;
    };
    if device.to_string_lossy().contains("/usb") {
        return true;
    }
    // A partition's flag is on its parent disk.
    [device.join("removable"), device.join("../removable")]
        .iter()
        .filter_map(|f| std::fs::read_to_string(f).ok())
        .any(|v| v.trim() == "1")
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
