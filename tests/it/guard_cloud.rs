//! The guard's watch of synced folders (issue 32): an in-process guard protecting a home
//! whose Syncthing configuration names `~/Sync`. A file there that carries a classification
//! marking is a `cloud.marking.alert`, one with a vault item's content a
//! `cloud.material.alert`; each is sealed into the quarantine (the policy's default) and
//! its plaintext removed. A placeholder's content is never read, and nothing outside the
//! synced folder, nor in a folder merely named like one, is reported.

use std::os::unix::fs::PermissionsExt;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use serde_json::Value;
use strongroom::guard::probes::fixed::{FixedDevices, FixedMounts, FixedNetwork, only_loopback};
use strongroom::guard::{Config, Guard, Probes};

use crate::support::{TestVault, requires};

const SURVEY: &[u8] = b"the survey of the northern harbour, 1:5000, the vault's copy";

/// A guard watching `home`, whose `~/Sync` Syncthing shares.
struct Scene {
    guard: Guard,
    home: PathBuf,
    db: rusqlite::Connection,
}

impl Scene {
    fn start(vault: &TestVault) -> Scene {
        let scratch = vault.scratch("cloud-scene");
        let home = scratch.join("home");
        std::fs::create_dir_all(home.join(".config/syncthing")).unwrap();
        std::fs::create_dir_all(home.join("Sync/maps")).unwrap();
        std::fs::create_dir_all(home.join("Dropbox-notes")).unwrap();
        // Unless the test wrote its own configuration first.
        let config = home.join(".config/syncthing/config.xml");
        if !config.exists() {
            std::fs::write(
                &config,
            "<configuration>\n  <folder id=\"maps\" path=\"~/Sync\"/>\n  <defaults><folder path=\"~\"/></defaults>\n</configuration>\n",
        )
            .unwrap();
        }
        // The user 65534 reaches and owns the home, as a person's files are theirs.
        let mut dir = scratch.clone();
        while let Some(parent) = dir.parent().map(Path::to_path_buf) {
            let mode = std::fs::metadata(&dir).unwrap().permissions().mode();
            std::fs::set_permissions(&dir, std::fs::Permissions::from_mode(mode | 0o011)).unwrap();
            dir = parent;
        }
        for sub in ["", "Sync", "Sync/maps", "Dropbox-notes"] {
            std::os::unix::fs::chown(home.join(sub), Some(65534), Some(65534)).unwrap();
        }
        let probes = Probes {
            mounts: Box::new(FixedMounts::default()),
            network: Box::new(FixedNetwork(std::sync::Arc::new(
                std::sync::Mutex::new(only_loopback()),
            ))),
            devices: Box::new(FixedDevices::default()),
        };
        let config = Config {
            vault: vault.root.clone(),
            guard_dir: vault.guard_dir(),
            removable_roots: Vec::new(),
            heartbeat: None,
            copies: Some(strongroom::guard::daemon::CopyWatchConfig {
                defaults: false,
                extra: vec![home.clone()],
            }),
        };
        let guard = Guard::start(config, probes).unwrap();
        Scene {
            guard,
            home,
            db: vault.db(),
        }
    }

    /// Write `content` at `path` (under the home) as its owner, the user 65534.
    fn write(&self, path: &str, content: &[u8]) -> PathBuf {
        let path = self.home.join(path);
        std::fs::write(&path, content).unwrap();
        std::os::unix::fs::chown(&path, Some(65534), Some(65534)).unwrap();
        path
    }

    /// The cloud alerts written after `after`, waking the guard as its loop would until
    /// `count` are there or `within` has passed.
    fn alerts(&mut self, after: i64, count: usize, within: Duration) -> Vec<Value> {
        let deadline = Instant::now() + within;
        loop {
            self.guard.on_destinations().unwrap();
            self.guard.on_timer(Instant::now()).unwrap();
            let found = cloud_alerts(&self.db, after);
            if found.len() >= count || Instant::now() > deadline {
                return found;
            }
            std::thread::sleep(Duration::from_millis(50));
        }
    }
}

fn cloud_alerts(db: &rusqlite::Connection, after: i64) -> Vec<Value> {
    let mut stmt = db
        .prepare(
            "SELECT CAST(canonical AS TEXT) FROM events
             WHERE action IN ('cloud.marking.alert', 'cloud.material.alert') AND seq > ?1 ORDER BY seq",
        )
        .unwrap();
    stmt.query_map([after], |r| r.get::<_, String>(0))
        .unwrap()
        .map(|t| serde_json::from_str(&t.unwrap()).unwrap())
        .collect()
}

fn last_seq(db: &rusqlite::Connection) -> i64 {
    db.query_row("SELECT MAX(seq) FROM events", [], |r| r.get(0)).unwrap()
}

/// Set Nextcloud's hydration attribute on `path`: the file is a placeholder whose content
/// a read would download.
fn mark_as_placeholder(path: &Path) {
    let c_path = std::ffi::CString::new(path.as_os_str().as_encoded_bytes()).unwrap();
    let name = c"user.nextcloud.hydrate_exec";
    // SAFETY: valid NUL-terminated strings and a one-byte value that outlives the call.
    let rc = unsafe { libc::lsetxattr(c_path.as_ptr(), name.as_ptr(), b"1".as_ptr().cast(), 1, 0) };
    assert_eq!(rc, 0, "setting an xattr: {}", std::io::Error::last_os_error());
}

#[test]
fn marked_files_and_vault_material_in_a_synced_folder_are_cloud_alerts_and_are_contained() {
    if !requires::root("the guard's state is root's") {
        return;
    }
    let vault = TestVault::new();
    let survey = vault.file("survey.tif", SURVEY);
    let control = vault.import(&[&survey], "secret").remove(0);
    vault.ok(&["guard", "enable"]);
    let mut scene = Scene::start(&vault);
    let start = last_seq(&scene.db);

    // Nothing to report: an ordinary file in the synced folder, a marked file in the home
    // outside it, and one in a folder only named like a provider's.
    scene.write("Sync/maps/legend.txt", b"roads, rivers and contour lines");
    scene.write("notes.txt", b"SECRET: not in a synced folder");
    scene.write("Dropbox-notes/SECRET plan.txt", b"TOP SECRET");
    assert!(scene.alerts(start, 1, Duration::from_secs(2)).is_empty());

    // A banner in the first KiB, and a marking in a name: both alerts, both sealed.
    let banner = scene.write("Sync/maps/brief.txt", "绝密\nthe approaches to the harbour".as_bytes());
    let named = scene.write("Sync/CONFIDENTIAL roads.gpkg", b"TOP_SECRET vector layer");
    let alerts = scene.alerts(start, 2, Duration::from_secs(15));
    assert_eq!(alerts.len(), 2, "{alerts:#?}");
    let by_marking = |m: &str| alerts.iter().find(|a| a["details"]["marking"] == m).unwrap().clone();
    let top = by_marking("绝密");
    assert_eq!(top["action"], "cloud.marking.alert");
    assert_eq!(top["actor"], "guard");
    assert_eq!(top["details"]["provider"], "syncthing");
    assert_eq!(top["details"]["place"], "content");
    assert_eq!(top["details"]["sealing_level"], "top-secret");
    assert_eq!(top["details"]["root"], scene.home.join("Sync").to_str().unwrap());
    assert!(top["details"]["quarantine"].is_string(), "{top}");
    assert!(
        top["details"]["destination_name_sealed"].is_string(),
        "the name is sealed, not in plain"
    );
    assert!(!top.to_string().contains("brief.txt"), "{top}");
    // The highest marking counts, wherever it is: the banner inside outranks the name.
    let conf = by_marking("TOP SECRET");
    assert_eq!(conf["details"]["place"], "content");
    assert_eq!(conf["details"]["sealing_level"], "top-secret");
    assert!(conf["details"]["quarantine"].is_string(), "{conf}");
    assert!(!banner.exists() && !named.exists(), "the plaintext goes once sealed");

    // Hollow placeholders: the name alone is judged, nothing is read or sealed (that
    // would download them). A file with data that only poses as one (the attribute set,
    // or the suffix) is read like any other.
    let after = last_seq(&scene.db);
    let hollow = scene.write("Sync/maps/plan.txt", b"");
    std::fs::File::options()
        .write(true)
        .open(&hollow)
        .unwrap()
        .set_len(1 << 20)
        .unwrap();
    mark_as_placeholder(&hollow);
    let virtual_file = scene.write("Sync/SECRET sheet 12.tif.nextcloud", b"");
    let posing = scene.write("Sync/maps/orders.txt", b"SECRET orders");
    mark_as_placeholder(&posing);
    let alerts = scene.alerts(after, 3, Duration::from_secs(5));
    assert_eq!(alerts.len(), 2, "{alerts:#?}");
    let by_name = alerts.iter().find(|a| a["details"]["place"] == "name").unwrap();
    assert_eq!(by_name["details"]["marking"], "SECRET");
    assert!(by_name["details"]["not_contained"].is_string(), "{by_name}");
    assert!(hollow.exists() && virtual_file.exists(), "placeholders are left alone");
    let read = alerts.iter().find(|a| a["details"]["place"] == "content").unwrap();
    assert!(read["details"]["quarantine"].is_string(), "{read}");
    assert!(!posing.exists());

    // A directory in the synced folder that is a link to another user's folder: what
    // lands behind it is judged by its name only, never read, never sealed.
    let elsewhere = scene.home.parent().unwrap().join("elsewhere");
    std::fs::create_dir_all(&elsewhere).unwrap();
    std::os::unix::fs::chown(&elsewhere, Some(65534), Some(65534)).unwrap();
    std::os::unix::fs::symlink(&elsewhere, scene.home.join("Sync/linked")).unwrap();
    let after = last_seq(&scene.db);
    let behind = scene.write("Sync/linked/memo.txt", b"SECRET memo");
    assert!(scene.alerts(after, 1, Duration::from_secs(3)).is_empty());
    assert!(behind.exists());

    // The vault item's content, under another name: a material alert naming the item,
    // sealed at the item's level (after the wait for an export to record itself).
    let after = last_seq(&scene.db);
    let leaked = scene.write("Sync/maps/h.tif", SURVEY);
    let alerts = scene.alerts(after, 1, Duration::from_secs(20));
    assert_eq!(alerts.len(), 1, "{alerts:#?}");
    let material = &alerts[0];
    assert_eq!(material["action"], "cloud.material.alert");
    assert_eq!(material["subject"], control.as_str());
    assert_eq!(material["details"]["control_number"], control.as_str());
    assert_eq!(material["details"]["sealing_level"], "secret");
    let id = material["details"]["quarantine"].as_str().unwrap().to_string();
    assert!(!leaked.exists());

    // No guard.alert for the same material: the cloud alert is the one finding.
    let vault_material: i64 = scene
        .db
        .query_row(
            "SELECT COUNT(*) FROM events WHERE action = 'guard.alert' AND seq > ?1
             AND json_extract(CAST(canonical AS TEXT), '$.details.finding') = 'vault_material'",
            [start],
            |r| r.get(0),
        )
        .unwrap();
    assert_eq!(vault_material, 0);
    drop(scene);

    // The entries are the quarantine's like a copy's: listed with the folder's provider,
    // shown from the alert that recorded them, and the ledger verifies with the guard's
    // signatures on every alert.
    let list = vault.json(&["quarantine", "list"]);
    let entry = list
        .as_array()
        .unwrap()
        .iter()
        .find(|e| e["id"] == id.as_str())
        .unwrap();
    assert_eq!(entry["medium"], "cloud: Syncthing", "{entry}");
    vault.ok(&["quarantine", "show", &id]);
    vault.ok(&["ledger", "verify"]);
    let alerts = vault.json(&["alerts"]);
    let text = alerts.to_string();
    assert!(
        text.contains("cloud.marking.alert") && text.contains("cloud.material.alert"),
        "{text}"
    );
}

/// A configuration in one home naming a folder outside it (another user's, or `/`) is not
/// followed by the root guard: it would read and seal that user's files on a stranger's say.
#[test]
fn a_configuration_naming_a_folder_outside_its_home_is_not_followed() {
    if !requires::root("the guard's state is root's") {
        return;
    }
    let vault = TestVault::new();
    vault.ok(&["guard", "enable"]);
    let scratch = vault.scratch("cloud-scene");
    let victim = scratch.join("victim-documents");
    std::fs::create_dir_all(&victim).unwrap();
    let config = scratch.join("home/.config/syncthing");
    std::fs::create_dir_all(&config).unwrap();
    std::fs::write(
        config.join("config.xml"),
        format!("<configuration><folder path=\"{}\"/></configuration>", victim.display()),
    )
    .unwrap();
    let mut scene = Scene::start(&vault);
    let start = last_seq(&scene.db);
    let secret = victim.join("SECRET brief.txt");
    std::fs::write(&secret, b"TOP SECRET").unwrap();
    std::os::unix::fs::chown(&secret, Some(65534), Some(65534)).unwrap();
    assert!(scene.alerts(start, 1, Duration::from_secs(3)).is_empty());
    assert!(secret.exists(), "another user's file is left alone");
}

#[test]
fn site_markings_come_from_the_policy_and_are_checked_when_set() {
    let vault = TestVault::new();
    let out = vault.run(&["policy", "set", "cloud-marking-patterns", "EYES ONLY; X"]);
    assert_eq!(crate::support::code(&out), 1, "{}", crate::support::stderr(&out));
    assert!(crate::support::stderr(&out).contains("too short"));
    vault.ok(&["policy", "set", "cloud-marking-patterns", "EYES ONLY; 内部资料"]);
    let shown = vault.ok(&["policy", "show"]);
    assert!(shown.contains("EYES ONLY; 内部资料"), "{shown}");
}
