//! The guard as it runs on a station: the real `strongroom guard run` binary, as root, in a
//! network namespace of the test's own, with media on loop devices mounted under a removable
//! root (DESIGN.md §5). What it records must be signed by the guard key (a sign-in accounts
//! for it), and what an insider with the OS account does to its state or to the database
//! must not change what it trusts.

use std::os::unix::fs::{MetadataExt, PermissionsExt};
use std::time::Duration;

use serde_json::Value;

use crate::support::TestVault;
use crate::support::cli::{code, stderr};
use crate::support::guard::{GuardProcess, Medium, MediumFs, NetNs, is, last_seq, wait_for_event};
use crate::support::requires;

/// Long enough for a loaded CI machine; the benchmark measures the real latency.
const WITHIN: Duration = Duration::from_secs(10);

/// A vault whose guard alice enabled (as root), with `removable_root` if given.
fn guarded_vault(removable_root: Option<&std::path::Path>) -> TestVault {
    let vault = TestVault::new();
    // The guard directory's parent is the test's private temp dir; the state's own checks
    // are about the guard directory and its files.
    let mut args = vec!["guard", "enable"];
    let root_text;
    if let Some(root) = removable_root {
        std::fs::create_dir_all(root).unwrap();
        root_text = root.to_str().unwrap().to_string();
        args.extend(["--removable-root", root_text.as_str()]);
    }
    vault.ok(&args);
    vault
}

/// Root and `ip` (a network namespace of the test's own), or the test skips (fails in CI).
fn can_run_the_guard() -> bool {
    requires::root("running the guard in a network namespace") && requires::program("the guard's test", "ip")
}

fn unaccounted_alerts(vault: &TestVault) -> Vec<Value> {
    vault
        .events()
        .into_iter()
        .filter(|e| is(e, "ledger.alert", Some("unaccounted_events")))
        .collect()
}

#[test]
fn the_guard_sees_the_air_gap_break_in_its_namespace_and_signs_what_it_records() {
    if !can_run_the_guard() {
        return;
    }
    let vault = guarded_vault(None);
    let ns = NetNs::new();
    let before = last_seq(&vault);
    let guard = GuardProcess::start(&vault, &ns, &["--heartbeat-seconds", "1"]);
    let start = wait_for_event(&vault, before, WITHIN, |e| is(e, "guard.start", None));
    assert_eq!(start["actor"], "guard");
    assert_eq!(start["details"]["network"], "air-gapped", "{start}");

    // A second guard for the same vault is refused, naming the first.
    let second = vault.run(&["guard", "run", "--once"]);
    assert_eq!(code(&second), 5, "{}", stderr(&second));
    assert!(
        stderr(&second).contains(&format!("PID {}", guard.child.id())),
        "{}",
        stderr(&second)
    );
    let status: Value = vault.json(&["guard", "status"]);
    assert_eq!(status["running"]["pid"], guard.child.id());
    assert_eq!(status["enabled"], true);
    // Every protected directory is watched (none left to the minute-by-minute scan).
    assert_eq!(status["unwatched_dirs"], 0, "{status}");

    // A new interface (a USB modem, tethering) on an air-gapped station is an alert before
    // it has an address.
    let seen = last_seq(&vault);
    ns.ip(&["link", "add", "srv0", "type", "veth", "peer", "name", "srv1"]);
    let alert = wait_for_event(&vault, seen, WITHIN, |e| is(e, "guard.alert", Some("new_interface")));
    assert!(
        ["srv0", "srv1"].contains(&alert["details"]["interface"].as_str().unwrap()),
        "{alert}"
    );

    // An address from the documentation range and both ends up: NETWORKED, naming them.
    let seen = last_seq(&vault);
    ns.ip(&["addr", "add", "192.0.2.1/24", "dev", "srv0"]);
    ns.ip(&["link", "set", "srv0", "up"]);
    ns.ip(&["link", "set", "srv1", "up"]);
    let change = wait_for_event(&vault, seen, WITHIN, |e| {
        is(e, "network.change", None) && e["details"]["to"] == "networked"
    });
    assert_eq!(change["details"]["from"], "air-gapped");
    assert!(
        change["details"]["interfaces"]
            .as_array()
            .unwrap()
            .contains(&"srv0".into()),
        "{change}"
    );
    wait_for_event(&vault, seen, WITHIN, |e| is(e, "guard.heartbeat", None));
    assert_eq!(guard.stop(), Some(0), "SIGTERM stops the guard cleanly");

    // Every event it wrote verifies under the guard key: a sign-in finds nothing unaccounted.
    vault.ok(&["ledger", "verify"]);
    assert!(
        unaccounted_alerts(&vault).is_empty(),
        "{:#?}",
        unaccounted_alerts(&vault)
    );
    let status: Value = vault.json(&["guard", "status"]);
    assert_eq!(status["running"], Value::Null);
}

#[test]
fn a_guard_event_forged_with_sql_is_named_at_the_next_sign_in() {
    let vault = guarded_vault(None);
    let db = vault.db();
    let forged = crate::support::insider::append_event(
        &db,
        "guard",
        "network.change",
        "station",
        serde_json::json!({"from": "networked", "to": "air-gapped", "interfaces": [], "flaps": 0}),
    );
    vault.ok(&["ledger", "verify"]);
    let alerts = unaccounted_alerts(&vault);
    assert_eq!(alerts.len(), 1, "{alerts:#?}");
    assert_eq!(alerts[0]["details"]["seqs"], serde_json::json!([forged]));
}

fn media_mount_and_unmount_are_recorded_with_the_superblock_identity(fs: MediumFs, label: &str, filesystem: &str) {
    if !requires::fuse_with(&format!("mounting a {fs:?} medium"), fs.programs())
        || !requires::program("the guard's test", "ip")
    {
        return;
    }
    let scratch = tempfile::tempdir().unwrap();
    let root = scratch.path().join("removable");
    let vault = guarded_vault(Some(&root));
    let ns = NetNs::new();
    let before = last_seq(&vault);
    let guard = GuardProcess::start(&vault, &ns, &[]);
    wait_for_event(&vault, before, WITHIN, |e| is(e, "guard.start", None));
    let mut medium = Medium::format(scratch.path(), fs, label, root.join("stick"));
    let seen = last_seq(&vault);
    medium.mount(fs);
    let mounted = wait_for_event(&vault, seen, WITHIN, |e| is(e, "media.mount", None));
    let details = &mounted["details"]["medium"];
    assert_eq!(details["filesystem"], filesystem, "{mounted}");
    assert_eq!(details["label"], label, "{mounted}");
    assert_eq!(details["why"], "configured-root");
    assert_eq!(mounted["subject"], label);
    let blkid = std::process::Command::new("blkid")
        .args(["-p", "-o", "value", "-s", "UUID", &medium.device])
        .output()
        .unwrap();
    assert_eq!(
        details["uuid"].as_str().unwrap(),
        String::from_utf8_lossy(&blkid.stdout).trim(),
        "the UUID read from the superblock is blkid's"
    );
    // While air-gapped a medium is no alert for the air gap; it is not in the register, so
    // it is an alert for that, and only for that.
    let alerts: Vec<Value> = vault
        .events()
        .into_iter()
        .filter(|e| is(e, "guard.alert", None))
        .collect();
    assert_eq!(alerts.len(), 1, "{alerts:?}");
    assert_eq!(alerts[0]["details"]["finding"], "unregistered_medium");
    assert_eq!(alerts[0]["details"]["code"], "no_marker");
    assert_eq!(
        mounted["details"]["registration"]["status"], "unregistered",
        "{mounted}"
    );
    let status: Value = vault.json(&["guard", "status"]);
    assert_eq!(status["media"][0]["identity"]["label"], label, "{status}");

    // The station becomes networked while the medium is mounted: an alert naming both.
    let seen = last_seq(&vault);
    ns.ip(&["link", "add", "srv0", "type", "veth", "peer", "name", "srv1"]);
    ns.ip(&["link", "set", "srv0", "up"]);
    ns.ip(&["link", "set", "srv1", "up"]);
    let alert = wait_for_event(&vault, seen, WITHIN, |e| {
        is(e, "guard.alert", Some("network_while_medium"))
    });
    assert_eq!(alert["details"]["media"][0]["label"], label, "{alert}");

    let seen = last_seq(&vault);
    medium.unmount();
    let gone = wait_for_event(&vault, seen, WITHIN, |e| is(e, "media.unmount", None));
    assert_eq!(gone["details"]["medium"]["label"], label);
    // Mounted again while networked: recorded, and an alert.
    let seen = last_seq(&vault);
    medium.mount(fs);
    wait_for_event(&vault, seen, WITHIN, |e| {
        is(e, "guard.alert", Some("medium_while_networked"))
    });
    medium.unmount();
    assert_eq!(guard.stop(), Some(0));
    vault.ok(&["ledger", "verify"]);
    assert!(unaccounted_alerts(&vault).is_empty());
}

#[test]
fn an_ext4_medium_is_recorded_at_mount_and_unmount_by_its_superblock() {
    media_mount_and_unmount_are_recorded_with_the_superblock_identity(MediumFs::Ext4, "MEDIUM 1", "ext");
}

#[test]
fn an_exfat_medium_is_recorded_at_mount_and_unmount_by_its_superblock() {
    media_mount_and_unmount_are_recorded_with_the_superblock_identity(MediumFs::Exfat, "EXSTICK", "exfat");
}

#[test]
fn a_fat_medium_is_recorded_at_mount_and_unmount_by_its_superblock() {
    media_mount_and_unmount_are_recorded_with_the_superblock_identity(MediumFs::Fat, "FATSTICK", "fat");
}

#[test]
fn a_guard_killed_with_sigkill_restarts_and_the_gap_in_its_heartbeats_is_reported() {
    if !can_run_the_guard() {
        return;
    }
    let vault = guarded_vault(None);
    let ns = NetNs::new();
    let before = last_seq(&vault);
    let guard = GuardProcess::start(&vault, &ns, &["--heartbeat-seconds", "1"]);
    wait_for_event(&vault, before, WITHIN, |e| is(e, "guard.heartbeat", None));
    guard.kill();
    std::thread::sleep(Duration::from_millis(3500));
    // The lock went with the process: a new guard starts.
    let seen = last_seq(&vault);
    let guard = GuardProcess::start(&vault, &ns, &["--heartbeat-seconds", "1"]);
    wait_for_event(&vault, seen, WITHIN, |e| is(e, "guard.start", None));
    assert_eq!(guard.stop(), Some(0));
    let status: Value = vault.json(&["guard", "status"]);
    let gaps = status["gaps"].as_array().unwrap();
    assert!(
        gaps.iter()
            .any(|g| g["to"].is_string() && g["seconds"].as_i64().unwrap() >= 3),
        "{status:#}"
    );
    // `ledger verify` warns of the gap and of no guard running, and still exits 0.
    let out = vault.run(&["ledger", "verify"]);
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    let text = crate::support::cli::stdout(&out) + &stderr(&out);
    assert!(text.contains("no guard heartbeat"), "{text}");
    assert!(text.contains("no guard is running"), "{text}");
}

#[test]
fn a_state_the_os_account_could_edit_is_refused_and_so_is_another_vaults() {
    if !requires::root("the guard's state belongs to root") {
        return;
    }
    let vault = guarded_vault(None);
    let state = vault.guard_dir().join(format!("{}.json", vault.station_id()));
    let original = std::fs::read_to_string(&state).unwrap();

    // The OS account (not root) owns the file and points it at an admin key of its own.
    let edited = original.replace(
        &serde_json::from_str::<Value>(&original).unwrap()["admin_key"]
            .as_str()
            .unwrap()
            .to_string(),
        &"ab".repeat(32),
    );
    std::fs::write(&state, &edited).unwrap();
    std::os::unix::fs::chown(&state, Some(65534), Some(65534)).unwrap();
    let out = vault.run(&["guard", "run", "--once"]);
    assert_eq!(code(&out), 5, "{}", stderr(&out));
    assert!(stderr(&out).contains("belongs to uid 65534"), "{}", stderr(&out));

    // Group-writable: refused the same way.
    std::os::unix::fs::chown(&state, Some(0), Some(0)).unwrap();
    std::fs::set_permissions(&state, std::fs::Permissions::from_mode(0o666)).unwrap();
    let out = vault.run(&["guard", "run", "--once"]);
    assert_eq!(code(&out), 5, "{}", stderr(&out));
    assert!(stderr(&out).contains("open to other users"), "{}", stderr(&out));

    // Root-owned but naming another admin key: the directory does not verify from it, and
    // the guard says so in an alert rather than trusting what the database holds.
    std::fs::set_permissions(&state, std::fs::Permissions::from_mode(0o644)).unwrap();
    let before = last_seq(&vault);
    let ns_free = vault.run(&["guard", "run", "--once"]);
    assert_eq!(code(&ns_free), 0, "{}", stderr(&ns_free));
    let alert = wait_for_event(&vault, before, WITHIN, |e| {
        is(e, "guard.alert", Some("directory_refused"))
    });
    assert!(
        alert["details"]["why"].as_str().unwrap().contains("signature"),
        "{alert}"
    );

    // Another vault's state under this vault's name: refused, naming the station.
    let other = TestVault::fresh();
    other.ok(&["guard", "enable"]);
    let theirs = other.guard_dir().join(format!("{}.json", other.station_id()));
    std::fs::copy(&theirs, &state).unwrap();
    let out = vault.run(&["guard", "run", "--once"]);
    assert_eq!(code(&out), 6, "{}", stderr(&out));
    assert!(stderr(&out).contains("belongs to station"), "{}", stderr(&out));
}

#[test]
fn a_database_copied_back_below_the_guards_version_is_refused_by_the_guard_and_the_station() {
    if !requires::root("the guard's state belongs to root") {
        return;
    }
    let vault = guarded_vault(None);
    // The database as it was at directory version 2 (the guard enabled).
    let backup = vault.scratch("backup");
    std::fs::create_dir_all(&backup).unwrap();
    std::fs::copy(vault.root.join("strongroom.db"), backup.join("strongroom.db")).unwrap();
    // A policy change publishes version 3; the guard verifies it and writes it back.
    vault.ok(&["policy", "set", "guard-heartbeat-minutes", "2"]);
    vault.ok(&["guard", "run", "--once"]);
    let state_file = vault.guard_dir().join(format!("{}.json", vault.station_id()));
    let state: Value = serde_json::from_slice(&std::fs::read(&state_file).unwrap()).unwrap();
    assert_eq!(state["directory_version"], 3);

    // The insider copies the old database back (keyslots and events with it).
    for suffix in ["-wal", "-shm"] {
        let _ = std::fs::remove_file(vault.root.join(format!("strongroom.db{suffix}")));
    }
    std::fs::copy(backup.join("strongroom.db"), vault.root.join("strongroom.db")).unwrap();
    let before = last_seq(&vault);
    vault.ok(&["guard", "run", "--once"]);
    let alert = wait_for_event(&vault, before, WITHIN, |e| {
        is(e, "guard.alert", Some("directory_rolled_back"))
    });
    assert_eq!(alert["details"]["stored_version"], 2);
    assert_eq!(alert["details"]["seen_version"], 3);
    // The station reads the guard's state too: it writes nothing over a rolled-back
    // directory (exit 6), although nothing in the database shows the rollback.
    let file = vault.file("map.tif", b"survey");
    let out = vault.run(&["import", "--level", "internal", file.to_str().unwrap()]);
    assert_eq!(code(&out), 6, "{}", stderr(&out));
    assert!(stderr(&out).contains("rolled back"), "{}", stderr(&out));
}

#[test]
fn guard_enable_needs_an_officer_and_disable_retires_the_key_so_a_running_guard_stops() {
    if !can_run_the_guard() {
        return;
    }
    let vault = guarded_vault(None);
    let bob = vault.add_ready_user("bob", "operator", "secret", "bob's long password 1234");
    let out = vault.run_as("bob", &bob, &["guard", "enable"]);
    assert_eq!(code(&out), 5, "{}", stderr(&out));
    assert!(stderr(&out).contains("security officer"), "{}", stderr(&out));

    let ns = NetNs::new();
    let before = last_seq(&vault);
    let mut guard = GuardProcess::start(&vault, &ns, &["--heartbeat-seconds", "1"]);
    wait_for_event(&vault, before, WITHIN, |e| is(e, "guard.heartbeat", None));
    vault.ok(&["guard", "disable"]);
    // The running guard sees its key gone from the directory and stops by itself.
    let deadline = std::time::Instant::now() + Duration::from_secs(15);
    let status = loop {
        if let Some(status) = guard.child.try_wait().unwrap() {
            break status;
        }
        assert!(
            std::time::Instant::now() < deadline,
            "the guard still runs after its key was retired"
        );
        std::thread::sleep(Duration::from_millis(100));
    };
    assert_eq!(status.code(), Some(5));
    drop(guard);
    // Its key file is gone, and what it wrote before the disable is accounted for: nothing
    // unaccounted at the next sign-in.
    assert!(!vault.guard_dir().join(format!("{}.key", vault.station_id())).exists());
    vault.ok(&["ledger", "verify"]);
    assert!(
        unaccounted_alerts(&vault).is_empty(),
        "{:#?}",
        unaccounted_alerts(&vault)
    );
    let out = vault.run(&["guard", "run", "--once"]);
    assert_ne!(code(&out), 0, "a disabled guard does not start");
    let disable = vault
        .events()
        .into_iter()
        .rev()
        .find(|e| is(e, "guard.disable", None))
        .unwrap();
    assert_eq!(disable["actor"], "alice");
}

/// Make the vault belong to `uid` (the station's OS account), as on a real station.
fn give_vault_to(vault: &TestVault, uid: u32) {
    for entry in walk(&vault.root) {
        std::os::unix::fs::lchown(&entry, Some(uid), Some(uid)).unwrap();
    }
    // The account must reach its vault: the test's temp dir is root's.
    std::fs::set_permissions(vault.dir.path(), std::fs::Permissions::from_mode(0o711)).unwrap();
}

fn walk(root: &std::path::Path) -> Vec<std::path::PathBuf> {
    let mut out = vec![root.to_path_buf()];
    if root.is_dir() && !root.is_symlink() {
        for entry in std::fs::read_dir(root).unwrap() {
            out.extend(walk(&entry.unwrap().path()));
        }
    }
    out
}

#[test]
fn root_works_in_a_users_vault_as_that_user_so_a_link_swapped_in_reaches_nothing_of_roots() {
    if !requires::root("running the guard on a user's vault") || !requires::program("the guard's test", "setpriv") {
        return;
    }
    let vault = TestVault::new();
    give_vault_to(&vault, 65534);
    // `guard enable`, run as root on the user's vault, leaves nothing of root's in it.
    vault.ok(&["guard", "enable"]);
    let roots_files: Vec<_> = walk(&vault.root)
        .into_iter()
        .filter(|p| std::fs::symlink_metadata(p).unwrap().uid() == 0)
        .collect();
    assert!(roots_files.is_empty(), "{roots_files:?}");

    // The account swaps its vault's tmp/ for a link to the guard's own directory.
    let guard_dir = vault.guard_dir();
    std::fs::rename(vault.root.join("tmp"), vault.root.join("tmp.moved")).unwrap();
    std::os::unix::fs::symlink(&guard_dir, vault.root.join("tmp")).unwrap();
    std::os::unix::fs::lchown(vault.root.join("tmp"), Some(65534), Some(65534)).unwrap();
    // The guard refuses the vault (a link inside it), and whatever it did, root's files stay
    // root's: the key is still root's and private.
    let _ = vault.run(&["guard", "run", "--once"]);
    let key = guard_dir.join(format!("{}.key", vault.station_id()));
    let meta = std::fs::metadata(&key).unwrap();
    assert_eq!((meta.uid(), meta.mode() & 0o777), (0, 0o600));
    for entry in walk(&guard_dir) {
        assert_eq!(
            std::fs::symlink_metadata(&entry).unwrap().uid(),
            0,
            "{}",
            entry.display()
        );
    }
    std::fs::remove_file(vault.root.join("tmp")).unwrap();
    std::fs::rename(vault.root.join("tmp.moved"), vault.root.join("tmp")).unwrap();

    // Put right, the guard runs on the user's vault and its events are the user's to read:
    // the owner's own processes open the vault afterwards.
    let out = vault.run(&["guard", "run", "--once"]);
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    let roots_files: Vec<_> = walk(&vault.root)
        .into_iter()
        .filter(|p| std::fs::symlink_metadata(p).unwrap().uid() == 0)
        .collect();
    assert!(roots_files.is_empty(), "{roots_files:?}");
    let mut as_owner = std::process::Command::new("setpriv");
    as_owner.args(["--reuid", "65534", "--regid", "65534", "--clear-groups", "--"]);
    let inner = vault.std_command();
    as_owner.arg(inner.get_program()).args(["guard", "status", "--json"]);
    for (key, value) in inner.get_envs() {
        if let Some(value) = value {
            as_owner.env(key, value);
        }
    }
    as_owner.env("HOME", vault.dir.path());
    let out = as_owner.output().unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let status: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(status["enabled"], true);
}

#[test]
fn nobody_but_root_can_hold_the_guards_lock() {
    if !requires::root("the guard's lock belongs to root") {
        return;
    }
    let vault = guarded_vault(None);
    vault.ok(&["guard", "run", "--once"]);
    let lock = vault.guard_dir().join(format!("{}.lock", vault.station_id()));
    let meta = std::fs::metadata(&lock).unwrap();
    assert_eq!(
        (meta.uid(), meta.mode() & 0o777),
        (0, 0o600),
        "only root may open it, so only root may hold it"
    );
    // The PID file anyone reads names no running guard once it is gone.
    let status: Value = vault.json(&["guard", "status"]);
    assert_eq!(status["running"], Value::Null);
}

#[test]
fn an_event_that_finds_the_database_locked_waits_and_is_written_once_it_is_free() {
    if !can_run_the_guard() {
        return;
    }
    let vault = guarded_vault(None);
    let ns = NetNs::new();
    let before = last_seq(&vault);
    let mut guard = GuardProcess::start(&vault, &ns, &[]);
    wait_for_event(&vault, before, WITHIN, |e| is(e, "guard.start", None));
    // Another process holds the write lock longer than the guard's busy timeout (5 s).
    let holder = vault.db();
    holder.execute_batch("BEGIN IMMEDIATE").unwrap();
    ns.ip(&["link", "add", "srv0", "type", "veth", "peer", "name", "srv1"]);
    std::thread::sleep(Duration::from_secs(7));
    assert!(
        guard.child.try_wait().unwrap().is_none(),
        "a locked database does not end the guard"
    );
    holder.execute_batch("COMMIT").unwrap();
    let alert = wait_for_event(&vault, before, WITHIN, |e| is(e, "guard.alert", Some("new_interface")));
    assert!(
        ["srv0", "srv1"].contains(&alert["details"]["interface"].as_str().unwrap()),
        "{alert}"
    );
    assert_eq!(guard.stop(), Some(0));
}
