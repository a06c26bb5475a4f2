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

/// A running in-process guard on a NETWORKED station, a stick and a home.
pub struct Scene {
    /// The guard.
    pub guard: Guard,
    /// The stick's directory.
    pub stick: std::path::PathBuf,
    /// The protected home (the user 65534's).
    pub home: std::path::PathBuf,
    db: rusqlite::Connection,
}

/// With the guard enabled on the vault at `vault` (state in `guard_dir`), copy each of
/// `files` from a stick made under `scratch` into a home there and let the guard contain
/// it. Returns the quarantine entry ids (hex), in order. Root only (the guard's state).
pub fn contain(vault: &Path, guard_dir: &Path, scratch: &Path, files: &[(&str, &[u8])]) -> Vec<String> {
    let mut scene = Scene::start(vault, guard_dir, scratch, files);
    files
        .iter()
        .map(|(name, _)| {
            let alert = scene.copy(name);
            assert!(
                alert["details"]["quarantine"].is_string(),
                "{name} was not contained: {alert}"
            );
            alert["details"]["quarantine"].as_str().unwrap().to_string()
        })
        .collect()
}

impl Scene {
    /// Start the guard with `files` on the stick (see [`contain`]).
    pub fn start(vault: &Path, guard_dir: &Path, scratch: &Path, files: &[(&str, &[u8])]) -> Scene {
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
        let guard = Guard::start(config, probes).unwrap();
        let db = rusqlite::Connection::open(vault.join("strongroom.db")).unwrap();
        Scene { guard, stick, home, db }
    }

    /// Copy the stick's `name` into the home as the user, and return the alert the guard
    /// writes for it (contained or not).
    pub fn copy(&mut self, name: &str) -> serde_json::Value {
        let last = |db: &rusqlite::Connection| -> Option<(i64, String)> {
            db.query_row(
                "SELECT seq, CAST(canonical AS TEXT) FROM events WHERE action = 'guard.copy.alert' ORDER BY seq DESC LIMIT 1",
                [],
                |r| Ok((r.get(0)?, r.get(1)?)),
            )
            .ok()
        };
        let before = last(&self.db).map_or(-1, |(seq, _)| seq);
        let copy = self.home.join(name);
        std::fs::copy(self.stick.join(name), &copy).unwrap();
        std::os::unix::fs::chown(&copy, Some(65534), Some(65534)).unwrap();
        let deadline = Instant::now() + Duration::from_secs(10);
        loop {
            self.guard.on_destinations().unwrap();
            if let Some((_, text)) = last(&self.db).filter(|(seq, _)| *seq > before) {
                // The plaintext of a contained copy goes once its alert commits, in the
                // same call.
                return serde_json::from_str(&text).unwrap();
            }
            assert!(Instant::now() < deadline, "no alert for {name}");
            std::thread::sleep(Duration::from_millis(20));
        }
    }
}
