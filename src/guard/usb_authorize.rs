//! Blocking an unregistered medium (policy `unregistered-media = block`): the guard, as root,
//! de-authorizes the USB device the block device hangs from by writing `0` to its sysfs
//! `authorized` attribute, as USBGuard does. The kernel then unbinds its drivers and the
//! medium disappears. Only USB devices have that attribute: a built-in card reader or a
//! loop device cannot be blocked this way, and the result says so.

use std::io::Write;
use std::path::{Path, PathBuf};

use serde::Serialize;

/// What blocking a medium did.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[serde(tag = "outcome", rename_all = "snake_case")]
pub enum Blocked {
    /// The USB device was de-authorized.
    Deauthorized {
        /// Its sysfs directory.
        usb_device: PathBuf,
    },
    /// The medium hangs from no USB device (a card reader on another bus, a loop device):
    /// alert only.
    NotUsb,
    /// The write was refused or failed.
    Failed {
        /// What failed.
        why: String,
    },
}

/// De-authorize the USB device that block device `major:minor` belongs to, in the sysfs
/// tree at `sysfs` (`/sys` on a real machine; a directory laid out like it in tests).
pub fn deauthorize(sysfs: &Path, device: (u32, u32)) -> Blocked {
    match usb_device_of(sysfs, device) {
        Ok(Some(usb)) => match write_zero(&usb.join("authorized")) {
            Ok(()) => Blocked::Deauthorized { usb_device: usb },
            Err(e) => Blocked::Failed {
                why: format!("{}: {e}", usb.join("authorized").display()),
            },
        },
        Ok(None) => Blocked::NotUsb,
        Err(why) => Blocked::Failed { why },
    }
}

/// The sysfs directory of the USB device (not interface) above block device `device`: the
/// nearest ancestor of its device directory with both `authorized` and `idVendor`, never
/// outside `sysfs`.
pub fn usb_device_of(sysfs: &Path, device: (u32, u32)) -> Result<Option<PathBuf>, String> {
    let root = std::fs::canonicalize(sysfs).map_err(|e| format!("{}: {e}", sysfs.display()))?;
    let link = root.join("dev/block").join(format!("{}:{}", device.0, device.1));
    let resolved = std::fs::canonicalize(&link).map_err(|e| format!("{}: {e}", link.display()))?;
    if !resolved.starts_with(&root) {
        return Err(format!("{} leads out of sysfs", link.display()));
    }
    Ok(resolved
        .ancestors()
        .take_while(|dir| *dir != root)
        .find(|dir| dir.join("authorized").is_file() && dir.join("idVendor").is_file())
        .map(Path::to_path_buf))
}

fn write_zero(path: &Path) -> std::io::Result<()> {
    let mut file = std::fs::OpenOptions::new().write(true).truncate(true).open(path)?;
    file.write_all(b"0")
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A sysfs tree with a USB stick's partition 8:17 under device 1-2 (and its interface
    /// 1-2:1.0, which has `authorized` but no `idVendor`), and a loop device 7:0.
    fn fake_sysfs() -> tempfile::TempDir {
        let root = tempfile::tempdir().unwrap();
        let usb = root.path().join("devices/pci0000:00/0000:00:14.0/usb1/1-2");
        let interface = usb.join("1-2:1.0");
        let partition = interface.join("host3/target3:0:0/3:0:0:0/block/sdb/sdb1");
        std::fs::create_dir_all(&partition).unwrap();
        for (dir, file, text) in [
            (&usb, "authorized", "1\n"),
            (&usb, "idVendor", "0781\n"),
            (&interface, "authorized", "1\n"),
        ] {
            std::fs::write(dir.join(file), text).unwrap();
        }
        let loop0 = root.path().join("devices/virtual/block/loop0");
        std::fs::create_dir_all(&loop0).unwrap();
        let block = root.path().join("dev/block");
        std::fs::create_dir_all(&block).unwrap();
        std::os::unix::fs::symlink(
            "../../devices/pci0000:00/0000:00:14.0/usb1/1-2/1-2:1.0/host3/target3:0:0/3:0:0:0/block/sdb/sdb1",
            block.join("8:17"),
        )
        .unwrap();
        std::os::unix::fs::symlink("../../devices/virtual/block/loop0", block.join("7:0")).unwrap();
        root
    }

    #[test]
    fn the_usb_device_above_the_partition_is_deauthorized_and_nothing_else() {
        let sysfs = fake_sysfs();
        let usb = std::fs::canonicalize(sysfs.path().join("devices/pci0000:00/0000:00:14.0/usb1/1-2")).unwrap();
        assert_eq!(
            deauthorize(sysfs.path(), (8, 17)),
            Blocked::Deauthorized {
                usb_device: usb.clone()
            }
        );
        assert_eq!(std::fs::read_to_string(usb.join("authorized")).unwrap(), "0");
        assert_eq!(
            std::fs::read_to_string(usb.join("1-2:1.0/authorized")).unwrap(),
            "1\n",
            "the interface is left alone"
        );
        assert_eq!(deauthorize(sysfs.path(), (7, 0)), Blocked::NotUsb);
        assert!(matches!(deauthorize(sysfs.path(), (9, 9)), Blocked::Failed { .. }));
    }

    #[test]
    fn a_link_out_of_sysfs_is_refused() {
        let sysfs = fake_sysfs();
        let outside = tempfile::tempdir().unwrap();
        std::fs::write(outside.path().join("authorized"), "1").unwrap();
        std::fs::write(outside.path().join("idVendor"), "1").unwrap();
        std::os::unix::fs::symlink(outside.path(), sysfs.path().join("dev/block/8:33")).unwrap();
        assert!(matches!(deauthorize(sysfs.path(), (8, 33)), Blocked::Failed { .. }));
        assert_eq!(std::fs::read_to_string(outside.path().join("authorized")).unwrap(), "1");
    }
}
