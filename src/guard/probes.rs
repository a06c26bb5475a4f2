//! What the guard reads from the machine, behind traits so tests (and the app's kittests)
//! inject fakes: the mount table, block devices, the network links of this namespace. The
//! system versions here only read, but for one write: blocking an unregistered USB medium
//! (policy `unregistered-media = block`) through sysfs.

use std::io::Read;
use std::os::unix::fs::FileTypeExt;
use std::path::{Path, PathBuf};

use crate::guard::netlink::{self, Snapshot};
use crate::guard::superblock::{self, Identity};
use crate::guard::usb_authorize::{self, Blocked};
use crate::mounts::{self, Mount};
use crate::vault::fs_identity::as_root;

/// The mount table.
pub trait MountProbe: Send {
    /// Every mount, in the kernel's order.
    fn mounts(&mut self) -> std::io::Result<Vec<Mount>>;
}

/// The network links and addresses of the guard's network namespace.
pub trait NetworkProbe: Send {
    /// One consistent read of links and addresses.
    fn snapshot(&mut self) -> std::io::Result<Snapshot>;
}

/// Facts about block devices.
pub trait DeviceProbe: Send {
    /// Whether block device `major:minor` (or the disk it is a partition of) is removable
    /// or on a USB or MMC bus, by sysfs or udev's by-id links.
    fn is_removable(&self, device: (u32, u32)) -> bool;
    /// The device number of the block device node at `path`, if it is one.
    fn device_of(&self, path: &Path) -> Option<(u32, u32)>;
    /// The file-system identity read from the superblock of the device node at `path`,
    /// which must be block device `device` (the one judged removable).
    fn identity(&self, path: &Path, device: (u32, u32)) -> Result<Option<Identity>, String>;
    /// Model and serial from sysfs, where present.
    fn model_serial(&self, device: (u32, u32)) -> (Option<String>, Option<String>);
    /// Whether block device `device` hangs from a USB device that sysfs can de-authorize.
    fn is_usb(&self, device: (u32, u32)) -> bool;
    /// De-authorize the USB device block device `device` hangs from (the guard, as root).
    fn block(&self, device: (u32, u32)) -> Blocked;
}

/// `/proc/self/mountinfo`.
pub struct SystemMounts;

impl MountProbe for SystemMounts {
    fn mounts(&mut self) -> std::io::Result<Vec<Mount>> {
        let mut table = String::new();
        std::fs::File::open("/proc/self/mountinfo")?
            .take(64 * 1024 * 1024)
            .read_to_string(&mut table)?;
        Ok(mounts::parse(&table))
    }
}

/// rtnetlink in the calling process's network namespace.
pub struct SystemNetwork;

impl NetworkProbe for SystemNetwork {
    fn snapshot(&mut self) -> std::io::Result<Snapshot> {
        netlink::dump()
    }
}

/// sysfs, `/dev/disk/by-id` (where udev runs) and the devices themselves (root reads their
/// superblocks).
pub struct SystemDevices;

/// The sysfs directory of block device `major:minor`, resolved.
fn sysfs_block(device: (u32, u32)) -> Option<PathBuf> {
    std::fs::canonicalize(format!("/sys/dev/block/{}:{}", device.0, device.1)).ok()
}

fn read_trimmed(path: &Path) -> Option<String> {
    let mut text = String::new();
    std::fs::File::open(path)
        .ok()?
        .take(4096)
        .read_to_string(&mut text)
        .ok()?;
    let text = text.trim();
    (!text.is_empty()).then(|| text.to_string())
}

/// Whether a `/dev/disk/by-id/usb-*` or `mmc-*` link resolves to the node of `device`.
fn by_id_link_names(device: (u32, u32)) -> bool {
    let Ok(entries) = std::fs::read_dir("/dev/disk/by-id") else {
        return false;
    };
    entries.flatten().any(|entry| {
        let name = entry.file_name().to_string_lossy().into_owned();
        (name.starts_with("usb-") || name.starts_with("mmc-")) && SystemDevices.device_of(&entry.path()) == Some(device)
    })
}

impl DeviceProbe for SystemDevices {
    fn is_removable(&self, device: (u32, u32)) -> bool {
        if let Some(path) = sysfs_block(device) {
            let text = path.to_string_lossy();
            if text.contains("/usb") || text.contains("/mmc_host/") {
                return true;
            }
            if [path.join("removable"), path.join("../removable")]
                .iter()
                .any(|f| read_trimmed(f).as_deref() == Some("1"))
            {
                return true;
            }
        }
        by_id_link_names(device)
    }

    fn device_of(&self, path: &Path) -> Option<(u32, u32)> {
        use std::os::unix::fs::MetadataExt;
        let meta = std::fs::metadata(path).ok()?;
        meta.file_type()
            .is_block_device()
            .then(|| (libc::major(meta.rdev()), libc::minor(meta.rdev())))
    }

    fn identity(&self, path: &Path, device: (u32, u32)) -> Result<Option<Identity>, String> {
        use std::os::unix::fs::{MetadataExt, OpenOptionsExt};
        // Root reads devices; the path comes from mount text anyone can choose, so: no link
        // at its end, no blocking open (a FIFO put there), and it must be that very device.
        let mut file = as_root(|| {
            std::fs::OpenOptions::new()
                .read(true)
                .custom_flags(libc::O_NOFOLLOW | libc::O_NONBLOCK | libc::O_NOCTTY)
                .open(path)
        })
        .map_err(|e| format!("{}: {e}", path.display()))?;
        let meta = file.metadata().map_err(|e| e.to_string())?;
        let number = (libc::major(meta.rdev()), libc::minor(meta.rdev()));
        if !meta.file_type().is_block_device() || number != device {
            return Err(format!(
                "{} is not block device {}:{}",
                path.display(),
                device.0,
                device.1
            ));
        }
        superblock::identify(&mut file).map_err(|e| e.to_string())
    }

    fn model_serial(&self, device: (u32, u32)) -> (Option<String>, Option<String>) {
        let Some(path) = sysfs_block(device) else {
            return (None, None);
        };
        // A partition's facts are on its disk; a USB stick's serial on the USB device above.
        let disk = if path.join("partition").exists() {
            path.parent().map(Path::to_path_buf).unwrap_or(path)
        } else {
            path
        };
        let model = read_trimmed(&disk.join("device/model")).or_else(|| read_trimmed(&disk.join("device/name")));
        let serial = disk
            .ancestors()
            .find(|dir| dir.join("idVendor").exists())
            .and_then(|usb| read_trimmed(&usb.join("serial")))
            .or_else(|| read_trimmed(&disk.join("device/serial")));
        (model, serial)
    }

    fn is_usb(&self, device: (u32, u32)) -> bool {
        usb_authorize::usb_device_of(Path::new("/sys"), device).is_ok_and(|usb| usb.is_some())
    }

    fn block(&self, device: (u32, u32)) -> Blocked {
        as_root(|| usb_authorize::deauthorize(Path::new("/sys"), device))
    }
}

/// Probes that report what they are told, for the app's tests and the guard's own: the
/// network, the mount table and the devices are shared handles a test changes while the
/// guard or the app reads them.
pub mod fixed {
    use std::collections::HashMap;
    use std::path::{Path, PathBuf};
    use std::sync::{Arc, Mutex};

    use super::{DeviceProbe, MountProbe, NetworkProbe};
    use crate::guard::netlink::{Link, Snapshot};
    use crate::guard::superblock::Identity;
    use crate::guard::usb_authorize::Blocked;
    use crate::mounts::Mount;

    /// A link as netlink reports it: `up` with its lower layer up; loopback by its name.
    pub fn link(index: u32, name: &str, up: bool) -> Link {
        Link {
            index,
            name: name.into(),
            up,
            lower_up: up,
            loopback: name == "lo",
            oper_up: up,
        }
    }

    /// A network with only the loopback interface: air-gapped.
    pub fn only_loopback() -> Snapshot {
        Snapshot {
            links: vec![link(1, "lo", true)],
            addresses: Vec::new(),
        }
    }

    /// A network a test sets.
    #[derive(Clone, Default)]
    pub struct FixedNetwork(pub Arc<Mutex<Snapshot>>);

    impl NetworkProbe for FixedNetwork {
        fn snapshot(&mut self) -> std::io::Result<Snapshot> {
            Ok(self.0.lock().map(|s| s.clone()).unwrap_or_default())
        }
    }

    /// A mount table a test sets.
    #[derive(Clone, Default)]
    pub struct FixedMounts(pub Arc<Mutex<Vec<Mount>>>);

    impl MountProbe for FixedMounts {
        fn mounts(&mut self) -> std::io::Result<Vec<Mount>> {
            Ok(self.0.lock().map(|m| m.clone()).unwrap_or_default())
        }
    }

    /// Devices a test describes: which are removable, the numbers of device nodes, and
    /// what their superblocks say.
    #[derive(Clone, Default)]
    pub struct FixedDevices {
        /// Removable device numbers.
        pub removable: Vec<(u32, u32)>,
        /// Device node → number.
        pub nodes: HashMap<PathBuf, (u32, u32)>,
        /// Device node → identity.
        pub identities: HashMap<PathBuf, Identity>,
        /// A directory laid out like `/sys` that blocking writes into; none: nothing is USB.
        pub sysfs: Option<PathBuf>,
    }

    impl DeviceProbe for FixedDevices {
        fn is_removable(&self, device: (u32, u32)) -> bool {
            self.removable.contains(&device)
        }
        fn device_of(&self, path: &Path) -> Option<(u32, u32)> {
            self.nodes.get(path).copied()
        }
        fn identity(&self, path: &Path, _device: (u32, u32)) -> Result<Option<Identity>, String> {
            Ok(self.identities.get(path).cloned())
        }
        fn model_serial(&self, _device: (u32, u32)) -> (Option<String>, Option<String>) {
            (None, None)
        }
        fn is_usb(&self, device: (u32, u32)) -> bool {
            self.sysfs.as_ref().is_some_and(|root| {
                crate::guard::usb_authorize::usb_device_of(root, device).is_ok_and(|usb| usb.is_some())
            })
        }
        fn block(&self, device: (u32, u32)) -> Blocked {
            match &self.sysfs {
                Some(root) => crate::guard::usb_authorize::deauthorize(root, device),
                None => Blocked::NotUsb,
            }
        }
    }
}
