//! A directory that the station's probes take for a mounted USB stick (`fuseblk` on
//! `/dev/sdb1`, a FAT volume serial), registered in the media register: for library tests of
//! exports to removable media that need no loop device.

use std::path::Path;

use strongroom::guard::Probes;
use strongroom::guard::probes::fixed::{FixedDevices, FixedMounts, FixedNetwork, only_loopback};
use strongroom::guard::superblock::{FsKind, Identity};
use strongroom::station::Registration;
use strongroom::{Level, Station};

/// Probes under which `dir` is a removable medium with file-system serial `uuid`.
pub fn stick_probes(dir: &Path, uuid: &str) -> Probes {
    let network = FixedNetwork::default();
    *network.0.lock().unwrap() = only_loopback();
    let mounts = FixedMounts::default();
    *mounts.0.lock().unwrap() =
        strongroom::mounts::parse(&format!("40 22 8:17 / {} rw - fuseblk /dev/sdb1 rw\n", dir.display()));
    let mut devices = FixedDevices {
        removable: vec![(8, 17)],
        ..FixedDevices::default()
    };
    devices.nodes.insert("/dev/sdb1".into(), (8, 17));
    devices.identities.insert(
        "/dev/sdb1".into(),
        Identity {
            kind: FsKind::Fat,
            uuid: uuid.into(),
            label: None,
        },
    );
    Probes {
        mounts: Box::new(mounts),
        network: Box::new(network),
        devices: Box::new(devices),
    }
}

/// Register the stick at `dir` for `level` with `custodian` (an officer must be signed in);
/// returns its register id.
pub fn register(station: &mut Station, dir: &Path, level: Level, custodian: &str) -> String {
    let entry = station
        .media_register(&Registration {
            mount_point: dir.to_path_buf(),
            label: "专用U盘 test".into(),
            level,
            custodian: custodian.into(),
            expires: None,
        })
        .expect("register the stick");
    entry.record().medium.clone()
}
