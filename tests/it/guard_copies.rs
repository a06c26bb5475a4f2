//! Copies from removable media onto this machine (issue 28): the real `strongroom guard run`
//! in a network namespace of its own, a loop-device medium under a removable root, and a
//! protected directory standing in for a home. Every copy is a `guard.copy` signed by the
//! guard key; while NETWORKED it is also an alert.

use std::time::Duration;

use serde_json::Value;

use crate::support::TestVault;
use crate::support::files::sha256_file;
use crate::support::guard::{GuardProcess, Medium, MediumFs, NetNs, is, last_seq, wait_for_event};
use crate::support::requires;

const WITHIN: Duration = Duration::from_secs(15);

/// A guarded vault, its guard running in its own air-gapped namespace and protecting
/// `home`, with a medium of `fs` mounted under the removable root holding `files`.
struct Scene {
    vault: TestVault,
    ns: NetNs,
    guard: Option<GuardProcess>,
    medium: Medium,
    home: std::path::PathBuf,
    _scratch: tempfile::TempDir,
}

fn scene(fs: MediumFs, files: &[(&str, Vec<u8>)]) -> Option<Scene> {
    if !requires::fuse_with(&format!("a {fs:?} medium"), fs.programs()) || !requires::program("the guard's test", "ip")
    {
        return None;
    }
    let scratch = tempfile::tempdir().unwrap();
    let root = scratch.path().join("removable");
    let home = scratch.path().join("home");
    std::fs::create_dir_all(&root).unwrap();
    std::fs::create_dir_all(&home).unwrap();
    // A user (not root) copies into their home: reach the stick, write the home.
    use std::os::unix::fs::PermissionsExt;
    std::fs::set_permissions(scratch.path(), std::fs::Permissions::from_mode(0o711)).unwrap();
    std::fs::set_permissions(&root, std::fs::Permissions::from_mode(0o711)).unwrap();
    std::os::unix::fs::chown(&home, Some(65534), Some(65534)).unwrap();
    let vault = TestVault::new();
    vault.ok(&["guard", "enable", "--removable-root", root.to_str().unwrap()]);
    // The files go on the medium before the guard starts: it indexes them at start.
    let mut medium = Medium::format(scratch.path(), fs, "SURVEY", root.join("stick"));
    medium.mount(fs);
    for (name, content) in files {
        let path = medium.point.join(name);
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(path, content).unwrap();
    }
    let ns = NetNs::new();
    let before = last_seq(&vault);
    let guard = GuardProcess::start(&vault, &ns, &["--protect", home.to_str().unwrap()]);
    wait_for_event(&vault, before, WITHIN, |e| is(e, "guard.start", None));
    Some(Scene {
        vault,
        ns,
        guard: Some(guard),
        medium,
        home,
        _scratch: scratch,
    })
}

/// `cp FROM TO` as the unprivileged user 65534 (what containment acts on: never a root file).
fn copy_as_user(from: &std::path::Path, to: &std::path::Path) {
    let status = std::process::Command::new("setpriv")
        .args(["--reuid", "65534", "--regid", "65534", "--clear-groups", "cp"])
        .arg(from)
        .arg(to)
        .status()
        .unwrap();
    assert!(status.success(), "cp as a user");
}

/// The copies recorded after seq `after` into `dir` or below, one per content.
fn copies_into(vault: &TestVault, after: i64, dir: &std::path::Path) -> Vec<Value> {
    let mut seen = std::collections::HashSet::new();
    vault
        .events()
        .into_iter()
        .filter(|e| e["seq"].as_i64().unwrap_or(-1) > after && is(e, "guard.copy", None))
        .filter(|e| {
            e["details"]["destination_dir"]
                .as_str()
                .is_some_and(|d| d.starts_with(dir.to_str().unwrap()))
        })
        .filter(|e| seen.insert(e["details"]["sha256"].clone()))
        .collect()
}

fn copies_from_a_medium_are_recorded_and_an_alert_only_while_networked(fs: MediumFs) {
    let survey = crate::support::pseudo_random(300_000, 7);
    let mut files = vec![("survey/harbour.tif", survey.clone())];
    let tree: Vec<(String, Vec<u8>)> = (0..200)
        .map(|i| {
            (
                format!("tiles/{}/{i}.png", i / 50),
                crate::support::pseudo_random(1000 + i, i as u64),
            )
        })
        .collect();
    files.extend(tree.iter().map(|(n, c)| (n.as_str(), c.clone())));
    let Some(mut s) = scene(fs, &files) else { return };
    let vault = &s.vault;
    // The survey is also in the vault: the copy names the item.
    let control = vault
        .import(&[&s.medium.point.join("survey/harbour.tif")], "secret")
        .remove(0);

    // One file: recorded with its size, hash and the medium's identity; no alert while
    // air-gapped, and the copy stays.
    let before = last_seq(vault);
    std::fs::copy(s.medium.point.join("survey/harbour.tif"), s.home.join("harbour.tif")).unwrap();
    let copy = wait_for_event(vault, before, WITHIN, |e| is(e, "guard.copy", None));
    assert_eq!(copy["actor"], "guard");
    assert_eq!(copy["subject"], "SURVEY");
    assert_eq!(copy["details"]["size"], 300_000);
    assert_eq!(copy["details"]["sha256"], sha256_file(&s.home.join("harbour.tif")));
    assert_eq!(copy["details"]["destination_dir"], s.home.to_str().unwrap());
    assert_eq!(copy["details"]["network"], "air-gapped");
    assert!(copy["details"]["destination_name_sealed"].is_string(), "{copy}");
    assert!(!copy.to_string().contains("harbour"), "the file name is sealed: {copy}");
    assert_eq!(copy["details"]["medium"]["label"], "SURVEY");
    assert!(
        s.home.join("harbour.tif").exists(),
        "air-gapped, the copy is recorded, not removed"
    );
    assert_eq!(copy["details"]["control_number"], control.as_str());
    assert_eq!(copy["details"]["item_level"], "secret");

    // A file put on the medium after it was mounted (and indexed) is matched too.
    let before = last_seq(vault);
    let later = crate::support::pseudo_random(70_000, 2807);
    std::fs::write(s.medium.point.join("later.tif"), &later).unwrap();
    std::thread::sleep(Duration::from_millis(200));
    std::fs::copy(s.medium.point.join("later.tif"), s.home.join("later.tif")).unwrap();
    let copy = wait_for_event(vault, before, WITHIN, |e| is(e, "guard.copy", None));
    assert_eq!(copy["details"]["sha256"], sha256_file(&s.home.join("later.tif")));

    // A 200-file tree with `cp -r`: every file, although inotify misses some of them.
    let before = last_seq(vault);
    let out = std::process::Command::new("cp")
        .arg("-r")
        .arg(s.medium.point.join("tiles"))
        .arg(s.home.join("tiles"))
        .status()
        .unwrap();
    assert!(out.success());
    let deadline = std::time::Instant::now() + WITHIN;
    while copies_into(vault, before, &s.home.join("tiles")).len() < 200 {
        assert!(
            std::time::Instant::now() < deadline,
            "{} of 200",
            copies_into(vault, before, &s.home.join("tiles")).len()
        );
        std::thread::sleep(Duration::from_millis(100));
    }

    // Written under a temporary name and renamed into a nested directory (rsync, GIO).
    let before = last_seq(vault);
    std::fs::create_dir_all(s.home.join("deep/er")).unwrap();
    std::fs::copy(
        s.medium.point.join("survey/harbour.tif"),
        s.home.join("deep/.harbour.tif.XXXXXX"),
    )
    .unwrap();
    std::fs::rename(
        s.home.join("deep/.harbour.tif.XXXXXX"),
        s.home.join("deep/er/final.tif"),
    )
    .unwrap();
    wait_for_event(vault, before, WITHIN, |e| {
        is(e, "guard.copy", None) && e["details"]["destination_dir"] == s.home.join("deep/er").to_str().unwrap()
    });

    // A writer that never closes (a shell keeps the descriptor the copy was written
    // through): judged once the file has been quiet for the settle time.
    let before = last_seq(vault);
    let held = s.home.join("held/open.tif");
    std::fs::create_dir_all(held.parent().unwrap()).unwrap();
    let mut holder = std::process::Command::new("sh")
        .arg("-c")
        .arg("exec 3>\"$2\"; cat \"$1\" >&3; exec sleep 60")
        .arg("sh")
        .arg(s.medium.point.join("survey/harbour.tif"))
        .arg(&held)
        .spawn()
        .unwrap();
    wait_for_event(vault, before, WITHIN, |e| {
        is(e, "guard.copy", None) && e["details"]["destination_dir"] == held.parent().unwrap().to_str().unwrap()
    });
    let _ = holder.kill();
    let _ = holder.wait();

    // A file that only shares a size with one on the medium is no copy.
    let before = last_seq(vault);
    let mut twin = survey.clone();
    twin[0] ^= 0xff;
    std::fs::write(s.home.join("twin.tif"), &twin).unwrap();
    std::thread::sleep(Duration::from_secs(2));
    assert!(copies_into(vault, before, &s.home).is_empty());

    // NETWORKED: the same copy is an alert.
    s.ns.ip(&["link", "add", "srv0", "type", "veth", "peer", "name", "srv1"]);
    s.ns.ip(&["link", "set", "srv0", "up"]);
    s.ns.ip(&["link", "set", "srv1", "up"]);
    let seen = last_seq(vault);
    wait_for_event(vault, seen, WITHIN, |e| is(e, "network.change", None));
    // Copied by root: recorded and an alert, but never destroyed by the guard (containment
    // acts only on what the copy's owner could remove, and never on a root file).
    let before = last_seq(vault);
    std::fs::copy(s.medium.point.join("survey/harbour.tif"), s.home.join("by-root.tif")).unwrap();
    let alert = wait_for_event(vault, before, WITHIN, |e| is(e, "guard.copy.alert", None));
    assert!(
        alert["details"]["not_contained"].as_str().unwrap().contains("root"),
        "{alert}"
    );
    assert!(s.home.join("by-root.tif").exists());
    // Copied by a user: contained, at the item's level even though an insider lowered its
    // row (the guard reads the level from the item's history).
    let row_level: i64 = vault
        .db()
        .query_row("SELECT level FROM items", [], |r| r.get(0))
        .unwrap();
    vault.db().execute("UPDATE items SET level = 1", []).unwrap();
    let before = last_seq(vault);
    copy_as_user(&s.medium.point.join("survey/harbour.tif"), &s.home.join("again.tif"));
    let alert = wait_for_event(vault, before, WITHIN, |e| is(e, "guard.copy.alert", None));
    assert_eq!(alert["details"]["network"], "networked");
    // Contained (the policy's default): sealed into the quarantine, the plaintext gone.
    let entry = alert["details"]["quarantine"]
        .as_str()
        .unwrap_or_else(|| panic!("{alert}"))
        .to_string();
    let deadline = std::time::Instant::now() + WITHIN;
    while s.home.join("again.tif").exists() {
        assert!(
            std::time::Instant::now() < deadline,
            "the plaintext copy is still there"
        );
        std::thread::sleep(Duration::from_millis(50));
    }
    assert!(vault.root.join("quarantine").join(format!("{entry}.sro")).is_file());
    // It opens with the level's sealing key and hashes as the copy did.
    let shown: Value = vault.json(&["quarantine", "show", &entry]);
    assert_eq!(shown["intact"], true, "{shown}");
    assert_eq!(shown["entry"]["sha256"], sha256_file(&s.home.join("harbour.tif")));
    // Sealed at the level of the vault item it is a copy of, as its history states it.
    assert_eq!(shown["entry"]["level"], "secret");
    assert_eq!(alert["details"]["sealing_level"], "secret");
    vault.db().execute("UPDATE items SET level = ?1", [row_level]).unwrap();
    s.medium.unmount();
    let status = s.guard.take().map(GuardProcess::stop).unwrap();
    assert_eq!(status, Some(0));
    // Every event verifies under the guard key.
    vault.ok(&["ledger", "verify"]);
    assert!(
        !vault
            .events()
            .iter()
            .any(|e| is(e, "ledger.alert", Some("unaccounted_events"))),
        "a guard event did not verify"
    );
}

#[test]
fn copies_from_an_ext4_medium_are_recorded_and_an_alert_only_while_networked() {
    copies_from_a_medium_are_recorded_and_an_alert_only_while_networked(MediumFs::Ext4);
}

#[test]
fn copies_from_an_exfat_medium_are_recorded_and_an_alert_only_while_networked() {
    copies_from_a_medium_are_recorded_and_an_alert_only_while_networked(MediumFs::Exfat);
}

#[test]
fn a_kill_during_containment_leaves_the_plaintext_or_a_whole_sealed_entry_never_neither() {
    let big = crate::support::pseudo_random(10 << 20, 99);
    if !requires::program("copying as a user", "setpriv") {
        return;
    }
    let Some(mut s) = scene(MediumFs::Ext4, &[("big.tif", big.clone())]) else {
        return;
    };
    // NETWORKED from the start: every copy is contained.
    s.ns.ip(&["link", "add", "srv0", "type", "veth", "peer", "name", "srv1"]);
    s.ns.ip(&["link", "set", "srv0", "up"]);
    s.ns.ip(&["link", "set", "srv1", "up"]);
    drop(s.guard.take());
    let want = sha256_file(&s.medium.point.join("big.tif"));
    let mut rng = crate::support::random::Rng::new(28);
    // (plaintext only, sealed only, both) over the runs, for the record.
    let mut outcomes = [0; 3];
    for run in 0..20 {
        let before = last_seq(&s.vault);
        let guard = GuardProcess::start(&s.vault, &s.ns, &["--protect", s.home.to_str().unwrap()]);
        wait_for_event(&s.vault, before, WITHIN, |e| is(e, "guard.start", None));
        let copy = s.home.join(format!("run{run}.tif"));
        copy_as_user(&s.medium.point.join("big.tif"), &copy);
        std::thread::sleep(Duration::from_millis(rng.below(150)));
        guard.kill();
        let plaintext_whole = copy.exists() && sha256_file(&copy) == want;
        let sealed_whole = s
            .vault
            .events()
            .iter()
            .filter(|e| e["seq"].as_i64().unwrap_or(-1) > before && is(e, "guard.copy.alert", None))
            .filter_map(|e| e["details"]["quarantine"].as_str().map(str::to_string))
            .any(|entry| {
                let shown: Value = s.vault.json(&["quarantine", "show", &entry]);
                shown["intact"] == true && shown["entry"]["sha256"] == want.as_str()
            });
        assert!(
            plaintext_whole || sealed_whole,
            "run {run}: neither the copy nor a sealed entry survived"
        );
        outcomes[match (plaintext_whole, sealed_whole) {
            (true, false) => 0,
            (false, true) => 1,
            _ => 2,
        }] += 1;
        let _ = std::fs::remove_file(&copy);
    }
    eprintln!(
        "20 kills: {} left the plaintext only, {} a sealed entry only, {} both",
        outcomes[0], outcomes[1], outcomes[2]
    );
    assert!(
        outcomes[1] + outcomes[2] > 0,
        "no kill came after a containment: {outcomes:?}"
    );
    // The next start sweeps what the kills left half-made: every entry left has its row.
    let before = last_seq(&s.vault);
    let guard = GuardProcess::start(&s.vault, &s.ns, &[]);
    wait_for_event(&s.vault, before, WITHIN, |e| is(e, "guard.start", None));
    assert_eq!(guard.stop(), Some(0));
    let recorded: Vec<String> = s
        .vault
        .json(&["quarantine", "list"])
        .as_array()
        .unwrap()
        .iter()
        .map(|e| format!("{}.sro", e["id"].as_str().unwrap()))
        .collect();
    for entry in std::fs::read_dir(s.vault.root.join("quarantine")).unwrap() {
        let name = entry.unwrap().file_name().to_string_lossy().into_owned();
        assert!(recorded.contains(&name), "{name} was left without its row");
    }
}

#[test]
fn a_copy_onto_a_network_share_mounted_after_the_guard_started_is_recorded() {
    if !requires::fuse_with("a FUSE mount standing in for a network share", MediumFs::Fat.programs()) {
        return;
    }
    let survey = crate::support::pseudo_random(50_000, 3);
    let Some(mut s) = scene(MediumFs::Ext4, &[("survey.tif", survey)]) else {
        return;
    };
    // A FUSE file system whose type says sshfs: a share on another machine, as far as the
    // guard can tell (its type is in the network list).
    let image = s._scratch.path().join("share.img");
    std::fs::File::create(&image).unwrap().set_len(16 << 20).unwrap();
    let device = std::process::Command::new("losetup")
        .args(["-f", "--show"])
        .arg(&image)
        .output()
        .unwrap();
    let device = String::from_utf8_lossy(&device.stdout).trim().to_string();
    assert!(
        std::process::Command::new("mkfs.vfat")
            .args(["-F", "32", &device])
            .status()
            .unwrap()
            .success()
    );
    let share = s._scratch.path().join("share");
    std::fs::create_dir_all(&share).unwrap();
    let options = "rw+,fsname=host:/export,subtype=sshfs";
    assert!(
        std::process::Command::new("fusefat")
            .args(["-o", options, &device, share.to_str().unwrap()])
            .status()
            .unwrap()
            .success()
    );
    struct Unmount(std::path::PathBuf, String);
    impl Drop for Unmount {
        fn drop(&mut self) {
            let _ = std::process::Command::new("umount").arg(&self.0).status();
            let _ = std::process::Command::new("losetup").args(["-d", &self.1]).status();
        }
    }
    let _share = Unmount(share.clone(), device);
    // The guard follows the mount table: give it a moment to watch the share.
    std::thread::sleep(Duration::from_millis(500));
    let before = last_seq(&s.vault);
    // Read and written (fusefat has no copy_file_range), as a file manager would.
    std::fs::write(
        share.join("survey.tif"),
        std::fs::read(s.medium.point.join("survey.tif")).unwrap(),
    )
    .unwrap();
    let copy = wait_for_event(&s.vault, before, WITHIN, |e| is(e, "guard.copy", None));
    assert_eq!(copy["details"]["destination_dir"], share.to_str().unwrap());
    let status = s.guard.take().map(GuardProcess::stop).unwrap();
    assert_eq!(status, Some(0));
}
