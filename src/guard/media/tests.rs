use std::collections::HashMap;

use super::*;
use crate::guard::superblock::FsKind;
use crate::mounts;

/// Devices as a test says they are.
#[derive(Default)]
struct FakeDevices {
    removable: Vec<(u32, u32)>,
    nodes: HashMap<PathBuf, (u32, u32)>,
    identities: HashMap<PathBuf, Result<Option<Identity>, String>>,
}

impl DeviceProbe for FakeDevices {
    fn is_removable(&self, device: (u32, u32)) -> bool {
        self.removable.contains(&device)
    }
    fn device_of(&self, path: &Path) -> Option<(u32, u32)> {
        self.nodes.get(path).copied()
    }
    fn identity(&self, path: &Path, _device: (u32, u32)) -> Result<Option<Identity>, String> {
        self.identities.get(path).cloned().unwrap_or(Ok(None))
    }
    fn model_serial(&self, device: (u32, u32)) -> (Option<String>, Option<String>) {
        if device == (8, 16) {
            (Some("Cruzer Blade".into()), Some("4C530001".into()))
        } else {
            (None, None)
        }
    }
    fn is_usb(&self, _device: (u32, u32)) -> bool {
        false
    }
    fn block(&self, _device: (u32, u32)) -> crate::guard::usb_authorize::Blocked {
        crate::guard::usb_authorize::Blocked::NotUsb
    }
}

fn ext4(uuid: &str, label: &str) -> Identity {
    Identity {
        kind: FsKind::Ext,
        uuid: uuid.into(),
        label: Some(label.into()),
    }
}

const TABLE: &str = "22 1 8:1 / / rw - ext4 /dev/sda1 rw\n\
    30 22 0:25 / /tmp rw - tmpfs tmpfs rw\n\
    40 22 8:17 / /run/media/alice/STICK rw - vfat /dev/sdb1 rw\n\
    41 22 7:2 / /srv/removable/one rw - ext4 /dev/loop2 rw\n\
    42 22 0:42 / /srv/removable/fat rw - fuse.fusefat /dev/loop4 rw\n\
    43 22 7:3 / /srv/removable/ex rw - fuseblk /dev/loop3 rw\n\
    44 22 0:43 / /mnt/forged rw - fuse.fusefat /dev/sda1 rw\n\
    45 22 7:5 / /mnt/fixed rw - ext4 /dev/loop5 rw\n";

fn devices() -> FakeDevices {
    let mut devices = FakeDevices {
        removable: vec![(8, 16), (8, 17)],
        ..FakeDevices::default()
    };
    for (node, number) in [
        ("/dev/sdb1", (8, 17)),
        ("/dev/loop2", (7, 2)),
        ("/dev/loop3", (7, 3)),
        ("/dev/loop4", (7, 4)),
        ("/dev/sda1", (8, 1)),
    ] {
        devices.nodes.insert(node.into(), number);
    }
    devices.identities.insert(
        "/dev/loop2".into(),
        Ok(Some(ext4("c15f6d77-e5fd-4439-a8f6-381b69e73b63", "MEDIUM 1"))),
    );
    devices.identities.insert(
        "/dev/loop3".into(),
        Err("Input/output error (the medium was pulled out)".into()),
    );
    devices
}

#[test]
fn media_are_found_by_device_media_dir_and_configured_root_and_named_by_superblock() {
    let mounts = mounts::parse(TABLE);
    let roots = [PathBuf::from("/srv/removable")];
    let found = removable_media(&mounts, &devices(), &roots);
    let points: Vec<_> = found.iter().map(|m| m.mount_point.to_str().unwrap()).collect();
    // The root file system, tmpfs, a fixed loop device and a FUSE mount that merely names
    // the system disk as its source are not media.
    assert_eq!(
        points,
        [
            "/run/media/alice/STICK",
            "/srv/removable/one",
            "/srv/removable/fat",
            "/srv/removable/ex"
        ]
    );
    let stick = &found[0];
    assert_eq!(stick.why, Why::Device);
    assert_eq!(
        stick.model.as_deref(),
        None,
        "a partition's facts come from the probe by its number"
    );
    let one = &found[1];
    assert_eq!(one.why, Why::ConfiguredRoot);
    assert_eq!(one.name(), "MEDIUM 1");
    assert_eq!(
        one.identity.as_ref().unwrap().uuid,
        "c15f6d77-e5fd-4439-a8f6-381b69e73b63"
    );
    // fusefat with an anonymous device: judged and named by the device its source names.
    let fat = &found[2];
    assert_eq!(fat.device, (7, 4));
    assert!(
        fat.unconfirmed.as_deref().unwrap().contains("no file system"),
        "{fat:?}"
    );
    // A medium pulled out while its superblock was read: listed, unconfirmed, with why.
    let ex = &found[3];
    assert!(ex.identity.is_none());
    assert!(ex.unconfirmed.as_deref().unwrap().contains("pulled out"), "{ex:?}");
}

#[test]
fn a_fuse_mount_naming_a_device_it_is_not_is_judged_by_that_device_not_by_its_text() {
    // `/mnt/forged` names /dev/sda1 (the fixed system disk): not removable. The same text on
    // a removable device's node would be.
    let mounts = mounts::parse("44 22 0:43 / /mnt/forged rw - fuse.fusefat /dev/sda1 rw\n");
    assert!(removable_media(&mounts, &devices(), &[]).is_empty());
    let mounts = mounts::parse("44 22 0:43 / /mnt/x rw - fuse.fusefat not-a-device rw\n");
    assert!(removable_media(&mounts, &devices(), &[]).is_empty());
    // A user's own FUSE mount naming a real stick's device: listed (it is on the stick's
    // device number), but the stick's identity is not lent to it.
    let mounts = mounts::parse("44 22 0:43 / /home/u/x rw - fuse.sshfs /dev/sdb1 rw,user_id=1000,group_id=1000\n");
    let found = removable_media(&mounts, &devices(), &[]);
    assert_eq!(found.len(), 1);
    assert!(found[0].identity.is_none());
    assert!(
        found[0].unconfirmed.as_deref().unwrap().contains("uid 1000"),
        "{found:?}"
    );
    // `/media` and `/run/media` themselves are no media.
    let mounts =
        mounts::parse("45 22 0:44 / /run/media rw - tmpfs tmpfs rw\n46 22 0:45 / /media rw - tmpfs tmpfs rw\n");
    assert!(removable_media(&mounts, &devices(), &[]).is_empty());
}

#[test]
fn the_diff_keys_on_point_device_and_source_since_mount_ids_are_reused() {
    let devices = devices();
    let roots = [PathBuf::from("/srv/removable")];
    let before = removable_media(
        &mounts::parse("41 22 7:2 / /srv/removable/one rw - ext4 /dev/loop2 rw\n"),
        &devices,
        &roots,
    );
    // The same id 41 now for another device at another point: one gone, one mounted.
    let after = removable_media(
        &mounts::parse("41 22 7:3 / /srv/removable/two rw - ext4 /dev/loop3 rw\n"),
        &devices,
        &roots,
    );
    let (mounted, gone) = diff(&before, &after);
    assert_eq!(mounted.len(), 1);
    assert_eq!(mounted[0].mount_point, PathBuf::from("/srv/removable/two"));
    assert_eq!(gone.len(), 1);
    assert_eq!(gone[0].mount_point, PathBuf::from("/srv/removable/one"));
    let (mounted, gone) = diff(&after, &after.clone());
    assert!(mounted.is_empty() && gone.is_empty());
}

#[test]
fn virtual_and_missing_paths_are_not_removable() {
    assert!(!is_removable(Path::new("/proc/self")));
    assert!(!is_removable(Path::new("/definitely/not/here")));
    let dir = tempfile::tempdir().unwrap();
    // Whatever holds the temp dir here is a fixed disk or tmpfs, not a USB stick.
    assert!(!is_removable(dir.path()));
}
