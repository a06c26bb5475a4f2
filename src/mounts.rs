//! Mounts as the kernel lists them in `/proc/self/mountinfo`, and the one rule for which of
//! them reach another machine. The vault, the guard and the cloud checks all ask here, so a
//! file-system type is classified once, from the `filesystems` of
//! `schemas/cloud-providers.json` (facts and sources: `../shared/research/cloud-sync.md` §3).
//!
//! `statfs` cannot tell a FUSE exFAT stick from a remote FUSE mount (both report the FUSE
//! magic), so the type and source fields decide: listed network types are remote; listed
//! local FUSE drivers are local; any other `fuse.*` is remote until allow-listed; plain `fuse`
//! is local only on a `/dev` source.

use std::path::{Path, PathBuf};

/// One line of `/proc/self/mountinfo`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Mount {
    /// The kernel's mount id (reused after an unmount: never a key alone).
    pub id: u32,
    /// The device number `major:minor` (0:N for file systems with no block device of
    /// their own: tmpfs, most FUSE drivers).
    pub device: (u32, u32),
    /// The directory of its file system mounted there (`/` for a whole file system; a bind
    /// mount's source directory otherwise).
    pub root: PathBuf,
    /// Where it is mounted.
    pub point: PathBuf,
    /// The file-system type (`ext4`, `fuseblk`, `fuse.sshfs`, `nfs4` …).
    pub fstype: String,
    /// The source (`/dev/sdb1`, `host:/export`, a URL …).
    pub source: String,
    /// The super options (`rw,user_id=1000,…` for FUSE).
    pub options: String,
}

/// Whether a mount's contents stay on this machine.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Reach {
    /// On this machine (a disk, a stick, tmpfs, a local FUSE driver).
    Local,
    /// On another machine, or possibly so (network and cloud file systems, unknown FUSE).
    Network,
}

/// The one list of file-system types (checked by the catalogue's tests; an empty list would
/// only make more mounts remote).
fn catalogue() -> &'static crate::cloud::catalogue::FileSystems {
    &crate::cloud::catalogue::Catalogue::bundled().filesystems
}

impl Mount {
    /// Whether this mount reaches another machine.
    pub fn reach(&self) -> Reach {
        let listed = |list: &[String]| list.contains(&self.fstype);
        let catalogue = catalogue();
        if listed(&catalogue.network) {
            return Reach::Network;
        }
        if listed(&catalogue.local_fuse) {
            return Reach::Local;
        }
        if self.fstype == "fuse" {
            // davfs2 and others mount with a plain type: only a device source is local.
            return if self.source.starts_with("/dev/") {
                Reach::Local
            } else {
                Reach::Network
            };
        }
        if self.fstype.starts_with("fuse.") {
            return Reach::Network;
        }
        Reach::Local
    }
}

/// Every mount in a mountinfo text, in the kernel's order (later lines mount over earlier).
pub fn parse(table: &str) -> Vec<Mount> {
    let unescape = |s: &str| {
        s.replace("\\040", " ")
            .replace("\\011", "\t")
            .replace("\\012", "\n")
            .replace("\\134", "\\")
    };
    table
        .lines()
        .filter_map(|line| {
            let fields: Vec<&str> = line.split(' ').collect();
            let point = unescape(fields.get(4)?);
            let dash = fields.iter().position(|f| *f == "-")?;
            let (major, minor) = fields.get(2)?.split_once(':')?;
            Some(Mount {
                id: fields.first()?.parse().ok()?,
                device: (major.parse().ok()?, minor.parse().ok()?),
                root: PathBuf::from(unescape(fields.get(3)?)),
                point: PathBuf::from(point),
                fstype: unescape(fields.get(dash + 1)?),
                source: unescape(fields.get(dash + 2)?),
                options: fields.get(dash + 3).map(|o| unescape(o)).unwrap_or_default(),
            })
        })
        .collect()
}

/// The mount that holds `path` among `mounts`: the longest mount point above it, the last
/// one listed if several are stacked there.
pub fn holding<'a>(mounts: &'a [Mount], path: &Path) -> Option<&'a Mount> {
    mounts
        .iter()
        .filter(|m| path.starts_with(&m.point))
        .max_by_key(|m| m.point.as_os_str().len())
}

/// Every other path at which `path` (absolute, resolved) or a part of it is visible through
/// bind mounts of its file system: where the whole of it shows (`path` inside a bind
/// mount's source), and the mount points that show a directory inside it. A synced folder
/// reached through either is still a synced folder.
pub fn aliases(mounts: &[Mount], path: &Path) -> Vec<PathBuf> {
    let Some(holding) = holding(mounts, path) else {
        return Vec::new();
    };
    let Ok(inside) = path.strip_prefix(&holding.point) else {
        return Vec::new();
    };
    // The path within its file system.
    let in_fs = holding.root.join(inside);
    let mut out = Vec::new();
    for other in mounts
        .iter()
        .filter(|m| m.device == holding.device && m.id != holding.id)
    {
        if let Ok(rest) = in_fs.strip_prefix(&other.root) {
            out.push(other.point.join(rest));
        } else if other.root.starts_with(&in_fs) {
            out.push(other.point.clone());
        }
    }
    out.sort();
    out.dedup();
    out.retain(|p| p != path);
    out
}

/// The mount that holds `path` (an absolute, resolved path) on this machine now.
pub fn of(path: &Path) -> Option<Mount> {
    let table = std::fs::read_to_string("/proc/self/mountinfo").ok()?;
    holding(&parse(&table), path).cloned()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn mount(fstype: &str, source: &str) -> Mount {
        Mount {
            id: 1,
            device: (0, 1),
            root: "/".into(),
            point: "/mnt".into(),
            fstype: fstype.into(),
            source: source.into(),
            options: String::new(),
        }
    }

    #[test]
    fn the_catalogue_parses_and_network_types_reach_other_machines() {
        let catalogue = catalogue();
        assert!(catalogue.network.len() >= 20 && catalogue.local_fuse.len() >= 5);
        assert!(
            catalogue.network.iter().all(|t| !catalogue.local_fuse.contains(t)),
            "a type is listed as both network and local"
        );
        for (fstype, source) in [
            ("nfs4", "host:/export"),
            ("cifs", "//host/share"),
            ("fuse.sshfs", "alice@host:/srv"),
            ("fuse.rclone", "drive:"),
            ("fuse", "https://dav.example/remote.php/webdav"),
            ("fuse", "pCloud.fs"),
            ("fuse.somethingnew", "x"),
            ("autofs", "systemd-1"),
        ] {
            assert_eq!(mount(fstype, source).reach(), Reach::Network, "{fstype} {source}");
        }
        for (fstype, source) in [
            ("ext4", "/dev/sda1"),
            ("tmpfs", "tmpfs"),
            ("fuseblk", "/dev/loop3"),
            ("fuse.fusefat", "fusefat"),
            ("fuse", "/dev/loop4"),
            ("fuse.gocryptfs", "/home/alice/.cipher"),
        ] {
            assert_eq!(mount(fstype, source).reach(), Reach::Local, "{fstype} {source}");
        }
    }

    #[test]
    fn the_longest_mount_above_a_path_holds_it() {
        let table = "22 1 0:21 / / rw - overlay overlay rw\n\
                     40 22 0:52 / /media/usb\\040stick rw,nosuid - fuseblk /dev/sdb1 rw\n\
                     41 22 0:53 / /media rw - tmpfs tmpfs rw\n\
                     42 22 0:54 / /srv/share rw - nfs4 host:/export rw\n";
        let mounts = parse(table);
        let held = |p: &str| holding(&mounts, Path::new(p)).map(|m| (m.fstype.as_str(), m.source.as_str()));
        assert_eq!(held("/media/usb stick/out/file.tif"), Some(("fuseblk", "/dev/sdb1")));
        assert_eq!(held("/media/other"), Some(("tmpfs", "tmpfs")));
        assert_eq!(held("/home/alice"), Some(("overlay", "overlay")));
        assert_eq!(
            holding(&mounts, Path::new("/srv/share/x")).unwrap().reach(),
            Reach::Network
        );
        // `/media/usb` is not inside `/media/usb stick`.
        assert_eq!(held("/media/usb"), Some(("tmpfs", "tmpfs")));
    }
}
