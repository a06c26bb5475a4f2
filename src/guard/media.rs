//! Which mounts are removable media, and what each one is. The one answer to "is this path
//! removable?" (exports ask it; the guard watches with it).
//!
//! A mount is a medium when its device is removable or on a USB or MMC bus (sysfs, udev's
//! by-id links, `sysinfo`), when it is mounted under `/media` or `/run/media`, or under a
//! root an officer configured. FUSE drivers are judged by the device they name. A medium
//! is named by what its superblock says (file-system UUID and label), never by the mount's
//! source text alone, which whoever mounts chooses.

use std::path::{Path, PathBuf};

use serde::Serialize;

use crate::guard::probes::{DeviceProbe, MountProbe, SystemDevices, SystemMounts};
use crate::guard::superblock::Identity;
use crate::mounts::Mount;

/// Mount points under these are removable media by convention (udisks, desktop automount).
const MEDIA_DIRS: [&str; 2] = ["/media", "/run/media"];

/// Why a mount counts as removable.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Why {
    /// sysfs or udev say its device is removable, USB or MMC.
    Device,
    /// It is mounted under `/media` or `/run/media`.
    MediaDir,
    /// It is mounted under a root an officer configured.
    ConfiguredRoot,
}

/// A mounted removable medium.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Medium {
    /// Where it is mounted.
    pub mount_point: PathBuf,
    /// File-system type as mounted (`ext4`, `fuseblk`, `fuse.fusefat` …).
    pub fstype: String,
    /// The mount's source text.
    pub source: String,
    /// The device number (`major:minor`) of the mount, or of the device a FUSE mount names.
    #[serde(serialize_with = "device_text")]
    pub device: (u32, u32),
    /// What its superblock says, when the device could be read.
    pub identity: Option<Identity>,
    /// Why the identity is missing (not a block device, unreadable, unknown file system).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub unconfirmed: Option<String>,
    /// Device model, where sysfs has it.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub model: Option<String>,
    /// Device serial, where sysfs has it.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub serial: Option<String>,
    /// Why it counts as removable.
    pub why: Why,
    /// Whether it hangs from a USB device (only those can be blocked through sysfs; a
    /// built-in card reader or a loop device gets the alert only).
    pub usb: bool,
    /// The user whose FUSE mount names this device (its source text is that user's claim,
    /// so the guard never blocks the device on its account).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub user_mount: Option<u32>,
}

fn device_text<S: serde::Serializer>(device: &(u32, u32), s: S) -> Result<S::Ok, S::Error> {
    s.serialize_str(&format!("{}:{}", device.0, device.1))
}

impl Medium {
    /// The key that tells two mounts apart: mount ids are reused, so the point, the device
    /// and the source together.
    pub fn key(&self) -> (PathBuf, (u32, u32), String) {
        (self.mount_point.clone(), self.device, self.source.clone())
    }

    /// A short name for messages: the label, else the UUID, else the mount point.
    pub fn name(&self) -> String {
        match &self.identity {
            Some(Identity { label: Some(label), .. }) => label.clone(),
            Some(identity) => identity.uuid.clone(),
            None => self.mount_point.display().to_string(),
        }
    }
}

/// Whether `point` is strictly below one of `dirs` (`/media` itself is no medium).
fn below(point: &Path, dirs: &[PathBuf]) -> bool {
    dirs.iter().any(|dir| point != dir && point.starts_with(dir))
}

/// Whether `point` is one of `roots` or below one.
fn under(point: &Path, roots: &[PathBuf]) -> bool {
    roots.iter().any(|root| point.starts_with(root))
}

/// The block device a mount stands on: its own device number, or for FUSE the device node
/// its source names (the number of `fuseblk` is the real device; other FUSE mounts have an
/// anonymous one).
fn block_device(mount: &Mount, devices: &dyn DeviceProbe) -> Option<(u32, u32)> {
    if mount.fstype.starts_with("fuse") {
        return if mount.source.starts_with("/dev/") {
            devices.device_of(Path::new(&mount.source))
        } else {
            None
        };
    }
    (mount.device.0 != 0).then_some(mount.device)
}

/// The user a FUSE mount belongs to, when not root: its source text is that user's claim.
fn user_fuse(mount: &Mount) -> Option<u32> {
    if !mount.fstype.starts_with("fuse") {
        return None;
    }
    mount
        .options
        .split(',')
        .find_map(|o| o.strip_prefix("user_id="))
        .and_then(|id| id.parse::<u32>().ok())
        .filter(|id| *id != 0)
}

/// The removable media among `mounts`.
pub fn removable_media(mounts: &[Mount], devices: &dyn DeviceProbe, roots: &[PathBuf]) -> Vec<Medium> {
    let media_dirs: Vec<PathBuf> = MEDIA_DIRS.iter().map(PathBuf::from).collect();
    let mut found = Vec::new();
    for mount in mounts {
        let device = block_device(mount, devices);
        let why = if under(&mount.point, roots) {
            Why::ConfiguredRoot
        } else if device.is_some_and(|d| devices.is_removable(d)) {
            Why::Device
        } else if below(&mount.point, &media_dirs) {
            Why::MediaDir
        } else {
            continue;
        };
        let (identity, unconfirmed) = match (device, user_fuse(mount)) {
            (Some(_), Some(uid)) => (
                None,
                Some(format!(
                    "a FUSE mount of uid {uid} names this device itself; its identity is not read"
                )),
            ),
            (Some(number), None) if mount.source.starts_with("/dev/") => {
                match devices.identity(Path::new(&mount.source), number) {
                    Ok(Some(identity)) => (Some(identity), None),
                    Ok(None) => (
                        None,
                        Some("the device holds no file system Strongroom knows".to_string()),
                    ),
                    Err(e) => (None, Some(format!("its superblock could not be read: {e}"))),
                }
            }
            _ => (None, Some("no block device to read a superblock from".to_string())),
        };
        let (model, serial) = device.map_or((None, None), |d| devices.model_serial(d));
        let usb = device.is_some_and(|d| devices.is_usb(d));
        found.push(Medium {
            mount_point: mount.point.clone(),
            fstype: mount.fstype.clone(),
            source: mount.source.clone(),
            device: device.unwrap_or(mount.device),
            identity,
            unconfirmed,
            model,
            serial,
            why,
            usb,
            user_mount: user_fuse(mount),
        });
    }
    found
}

/// What changed between two readings: media mounted and media gone.
pub fn diff(before: &[Medium], after: &[Medium]) -> (Vec<Medium>, Vec<Medium>) {
    let keys = |list: &[Medium]| list.iter().map(Medium::key).collect::<Vec<_>>();
    let (old, new) = (keys(before), keys(after));
    let mounted = after.iter().filter(|m| !old.contains(&m.key())).cloned().collect();
    let gone = before.iter().filter(|m| !new.contains(&m.key())).cloned().collect();
    (mounted, gone)
}

/// Whether the file system holding `path` (or its nearest existing ancestor) is a removable
/// medium on this machine now. Unknown answers are "no": the check adds a safeguard (a
/// second person for exports), and the guard watches media independently.
pub fn is_removable(path: &Path) -> bool {
    // A relative path is taken from the working directory (`""` is no ancestor that exists).
    let Ok(path) = std::path::absolute(path) else {
        return false;
    };
    let Some(existing) = path.ancestors().find(|p| p.exists()) else {
        return false;
    };
    let Ok(resolved) = std::fs::canonicalize(existing) else {
        return false;
    };
    let Ok(mounts) = SystemMounts.mounts() else {
        return false;
    };
    let Some(holding) = crate::mounts::holding(&mounts, &resolved) else {
        return false;
    };
    let devices = SystemDevices;
    block_device(holding, &devices).is_some_and(|d| devices.is_removable(d))
        || below(&holding.point, &MEDIA_DIRS.map(PathBuf::from))
}

#[cfg(test)]
mod tests;
