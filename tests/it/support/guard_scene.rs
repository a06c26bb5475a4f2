//! A guard scene the integration tests and the app's kittests share (the app includes this
//! file by path): an in-process guard on a NETWORKED fixed network, whose mount table calls
//! a plain directory an exFAT stick, sees files copied from that stick into a home by the
//! unprivileged user 65534, and seals each into the quarantine.

use std::os::unix::fs::PermissionsExt;
use std::path::Path;
use std::time::{Duration, Instant};

use strongroom::guard::probes::fixed::{FixedDevices, FixedMounts, FixedNetwork, link, only_loopback};
use strongroom::guard::superblock::{FsKind, Identity};
use strongroom::guard::{Config, Guard, Probes};

/// With the guard enabled on the vault at `vault` (state in `guard_dir`), copy each of
/// `files` from a stick made under `scratch` into a home there and let the guard contain
/// it. Returns the quarantine entry ids (hex), in order. Root only (the guard's state).
pub fn contain(vault: &Path, guard_dir: &Path, scratch: &Path, files: &[(&str, &[u8])]) -> Vec<String> {
    let (stick, home) = (scratch.join("stick"), scratch.join("home"));
    std::fs::create_dir_all(&stick).unwrap();
    std::fs::create_dir_all(&home).unwrap();
    // The user reaches their home: each directory above it that others cannot pass
    // through yet (the test's temporary directories) gains only that.
    let mut dir = scratch.to_path_buf();
    loop {
        let mode = std::fs::metadata(&dir).unwrap().permissions().mode();
        if mode & 0o001 != 0 {
            break;
        }
        std::fs::set_permissions(&dir, std::fs::Permissions::from_mode(mode | 0o011)).unwrap();
        match dir.parent() {
            Some(parent) => dir = parent.to_path_buf(),
            None => break,
        }
    }
    std::os::unix::fs::chown(&home, Some(65534), Some(65534)).unwrap();
    for (name, content) in files {
        std::fs::write(stick.join(name), content).unwrap();
    }
    let mut networked = only_loopback();
    networked.links.push(link(4, "wwan0", true));
    let mut devices = FixedDevices {
        removable: vec![(8, 17)],
        ..FixedDevices::default()
    };
    devices.nodes.insert("/dev/sdb1".into(), (8, 17));
    let identity = Identity {
        kind: FsKind::Exfat,
        uuid: "7F77-D098".into(),
        label: Some("SURVEY".into()),
    };
    devices.identities.insert("/dev/sdb1".into(), identity);
    let mounts = FixedMounts::default();
    *mounts.0.lock().unwrap() =
        strongroom::mounts::parse(&format!("40 22 8:17 / {} rw - fuseblk /dev/sdb1 rw\n", stick.display()));
    let probes = Probes {
        mounts: Box::new(mounts),
        network: Box::new(FixedNetwork(std::sync::Arc::new(std::sync::Mutex::new(networked)))),
        devices: Box::new(devices),
    };
    let config = Config {
        vault: vault.to_path_buf(),
        guard_dir: guard_dir.to_path_buf(),
        removable_roots: Vec::new(),
        heartbeat: None,
        copies: Some(strongroom::guard::daemon::CopyWatchConfig {
            defaults: false,
            extra: vec![home.clone()],
        }),
    };
    let mut guard = Guard::start(config, probes).unwrap();
    let db = rusqlite::Connection::open(vault.join("strongroom.db")).unwrap();
    let mut ids = Vec::new();
    for (name, _) in files {
        let copy = home.join(name);
        std::fs::copy(stick.join(name), &copy).unwrap();
        std::os::unix::fs::chown(&copy, Some(65534), Some(65534)).unwrap();
        let deadline = Instant::now() + Duration::from_secs(10);
        while copy.exists() {
            assert!(Instant::now() < deadline, "{name} was not contained");
            guard.on_destinations().unwrap();
            std::thread::sleep(Duration::from_millis(20));
        }
        let entry: String = db
            .query_row(
                "SELECT json_extract(CAST(canonical AS TEXT), '$.details.quarantine') FROM events
                 WHERE action = 'guard.copy.alert' ORDER BY seq DESC LIMIT 1",
                [],
                |r| r.get(0),
            )
            .unwrap();
        ids.push(entry);
    }
    ids
}
