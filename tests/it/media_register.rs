//! The register of authorized media on real media: loop devices (ext4; exFAT and FAT
//! through FUSE) mounted under the guard's removable root, registered through the real
//! binary. A marker verifies only on its own medium, unedited and unexpired; exports of
//! material at the two-person level go only to a registered medium of its level; the guard
//! recognises a registered medium and reports (and by policy blocks) the others.

use std::path::Path;
use std::time::Duration;

use serde_json::Value;

use crate::support::cli::{code, export_args, stderr};
use crate::support::guard::{GuardProcess, Medium, MediumFs, NetNs, is, last_seq, wait_for_event};
use crate::support::{TestVault, requires};

const MARKER: &str = ".strongroom-medium.json";
const CAROL_PW: &str = "carol's long witness passphrase";
const WITHIN: Duration = Duration::from_secs(10);

/// A vault with carol (an officer, top-secret: a witness) and the guard enabled with
/// `root` as removable root.
fn vault_with_root(root: &Path) -> (TestVault, std::path::PathBuf) {
    let vault = TestVault::from_template("media-register", |vault| {
        vault.add_ready_user("carol", "officer", "top-secret", CAROL_PW);
    });
    std::fs::create_dir_all(root).unwrap();
    vault.ok(&["guard", "enable", "--removable-root", root.to_str().unwrap()]);
    let carol = vault.file("carol-pw", format!("{CAROL_PW}\n").as_bytes());
    (vault, carol)
}

/// `media register` as alice (custodian alice) of the medium at `point`, with `expires` if
/// given; returns the medium's register id.
fn register(vault: &TestVault, point: &Path, label: &str, level: &str, expires: Option<&str>) -> String {
    let mut args = vec![
        "media",
        "register",
        point.to_str().unwrap(),
        "--label",
        label,
        "--level",
        level,
        "--custodian",
        "alice",
    ];
    if let Some(expires) = expires {
        args.extend(["--expires", expires]);
    }
    let entry = vault.json(&args);
    entry["signed"]["record"]["medium"].as_str().unwrap().to_string()
}

/// The register's verdict on the medium mounted at `point`, from `media mounted`.
fn verdict(vault: &TestVault, point: &Path) -> Value {
    let mounted = vault.json(&["media", "mounted"]);
    mounted
        .as_array()
        .unwrap()
        .iter()
        .find(|m| m["medium"]["mount_point"] == point.to_str().unwrap())
        .cloned()
        .unwrap_or_else(|| panic!("{} is not among {mounted}", point.display()))
}

fn export(vault: &TestVault, control: &str, to: &Path, witness: Option<&Path>) -> assert_cmd::assert::Assert {
    let to = to.to_str().unwrap();
    let mut cmd = vault.cmd();
    cmd.arg("--password-file").arg(&vault.password_file);
    if let Some(file) = witness {
        cmd.args(["--witness", "carol", "--witness-password-file"]).arg(file);
    }
    cmd.args(export_args(control, to, &[])).assert()
}

/// Write `bytes` over the file at `path` (removed first: fusefat cannot truncate).
fn replace(path: &Path, bytes: &[u8]) {
    std::fs::remove_file(path).unwrap();
    std::fs::write(path, bytes).unwrap();
}

fn blkid_uuid(device: &str) -> String {
    let out = std::process::Command::new("blkid")
        .args(["-p", "-o", "value", "-s", "UUID", device])
        .output()
        .unwrap();
    String::from_utf8_lossy(&out.stdout).trim().to_string()
}

fn register_verify_and_refuse_on(fs: MediumFs) {
    if !requires::fuse_with(&format!("registering a {fs:?} medium"), fs.programs()) {
        return;
    }
    let scratch = tempfile::tempdir().unwrap();
    let root = scratch.path().join("removable");
    let (vault, carol) = vault_with_root(&root);
    let mut a = Medium::format(scratch.path(), fs, "STICKA", root.join("a"));
    a.mount(fs);
    let mut b = Medium::format(scratch.path(), fs, "STICKB", root.join("b"));
    b.mount(fs);

    // Registered: the marker is on the medium and names its file system.
    let id = register(&vault, &a.point, "专用U盘 A", "secret", Some("2099-12-31"));
    let marker: Value = serde_json::from_slice(&std::fs::read(a.point.join(MARKER)).unwrap()).unwrap();
    assert_eq!(marker["record"]["medium"], id.as_str());
    assert!(
        marker["record"]["fs_uuid"]
            .as_str()
            .unwrap()
            .eq_ignore_ascii_case(&blkid_uuid(&a.device)),
        "{marker}"
    );
    assert_eq!(
        verdict(&vault, &a.point)["entry"]["signed"]["record"]["medium"],
        id.as_str()
    );
    assert_eq!(verdict(&vault, &b.point)["code"], "no_marker");
    let listed = vault.json(&["media", "list"]);
    assert_eq!(listed["entries"].as_array().unwrap().len(), 1);
    // The same file system again is refused: one UUID, one entry.
    let again = vault.run(&[
        "media",
        "register",
        a.point.to_str().unwrap(),
        "--label",
        "again",
        "--level",
        "secret",
        "--custodian",
        "alice",
    ]);
    assert_eq!(code(&again), 5, "{}", stderr(&again));
    assert!(stderr(&again).contains("already registered"), "{}", stderr(&again));

    // Exports: secret only to the registered medium (with its witness), internal anywhere.
    let secret = vault.import(&[&vault.file("plan.tif", b"the secret plan")], "secret")[0].clone();
    let internal = vault.import(&[&vault.file("memo.txt", b"an internal memo")], "internal")[0].clone();
    let refused = export(&vault, &secret, &b.point, Some(&carol));
    assert_eq!(code(&refused), 5, "{}", stderr(&refused));
    assert!(stderr(&refused).contains("registered-media"), "{}", stderr(&refused));
    assert!(!b.point.join("plan.tif").exists());
    assert_eq!(
        vault.json(&["request", "list"]).as_array().map(Vec::len),
        Some(0),
        "no request was made"
    );
    // A bare file name, given from inside the unregistered medium, is judged where it lands.
    let relative = vault
        .cmd()
        .current_dir(&b.point)
        .arg("--password-file")
        .arg(&vault.password_file)
        .args(["--witness", "carol", "--witness-password-file"])
        .arg(&carol)
        .args(export_args(&secret, "plan-here.tif", &[]))
        .assert();
    assert_eq!(code(&relative), 5, "{}", stderr(&relative));
    assert!(!b.point.join("plan-here.tif").exists());
    let done = export(&vault, &secret, &a.point, Some(&carol));
    assert_eq!(code(&done), 0, "{}", stderr(&done));
    assert_eq!(std::fs::read(a.point.join("plan.tif")).unwrap(), b"the secret plan");
    let exported = vault
        .events()
        .into_iter()
        .rev()
        .find(|e| e["action"] == "item.export")
        .unwrap();
    assert_eq!(exported["details"]["registered_medium"], id.as_str(), "{exported}");
    assert_eq!(code(&export(&vault, &internal, &b.point, None)), 0);

    // The marker copied onto the other medium: not its file system.
    // (read and written: `std::fs::copy` sets permissions, which fusefat does not do)
    std::fs::write(b.point.join(MARKER), std::fs::read(a.point.join(MARKER)).unwrap()).unwrap();
    assert_eq!(verdict(&vault, &b.point)["code"], "marker_other_file_system");
    std::fs::remove_file(a.point.join("plan.tif")).unwrap();
    let copied = export(&vault, &secret, &b.point, Some(&carol));
    assert_eq!(code(&copied), 5, "{}", stderr(&copied));

    // Edited on its own medium (a higher level): the signature no longer verifies.
    let original = std::fs::read(a.point.join(MARKER)).unwrap();
    let edited = String::from_utf8(original.clone())
        .unwrap()
        .replace("\"secret\"", "\"top-secret\"");
    replace(&a.point.join(MARKER), edited.as_bytes());
    assert_eq!(verdict(&vault, &a.point)["code"], "marker_bad_signature");
    let forged = export(&vault, &secret, &a.point, Some(&carol));
    assert_eq!(code(&forged), 5, "{}", stderr(&forged));
    replace(&a.point.join(MARKER), &original);

    // Below the two-person level the policy decides about unregistered media.
    vault.ok(&["policy", "set", "unregistered-media-exports", "refuse"]);
    std::fs::remove_file(b.point.join(MARKER)).unwrap();
    let policy = export(&vault, &internal, &b.point.join("memo2.txt"), None);
    assert_eq!(code(&policy), 5, "{}", stderr(&policy));
    assert!(
        stderr(&policy).contains("unregistered-media-exports"),
        "{}",
        stderr(&policy)
    );
    assert_eq!(code(&export(&vault, &internal, &a.point, None)), 0);

    // Retired: its marker authorizes nothing any more.
    vault.ok(&["media", "retire", &id, "--reason", "worn out"]);
    assert_eq!(verdict(&vault, &a.point)["code"], "not_active");
    a.unmount();
    b.unmount();
    vault.ok(&["ledger", "verify"]);
}

#[test]
fn an_ext4_medium_is_registered_and_its_marker_verifies_only_as_issued() {
    register_verify_and_refuse_on(MediumFs::Ext4);
}

#[test]
fn an_exfat_medium_is_registered_and_its_marker_verifies_only_as_issued() {
    register_verify_and_refuse_on(MediumFs::Exfat);
}

#[test]
fn a_fat_medium_is_registered_and_its_marker_verifies_only_as_issued() {
    register_verify_and_refuse_on(MediumFs::Fat);
}

#[test]
fn the_guard_recognises_a_registered_medium_and_reports_an_unregistered_or_expired_one() {
    if !requires::fuse_with("the guard and registered media", MediumFs::Ext4.programs())
        || !requires::program("the guard's test", "ip")
    {
        return;
    }
    let scratch = tempfile::tempdir().unwrap();
    let root = scratch.path().join("removable");
    let (vault, _carol) = vault_with_root(&root);
    let mut a = Medium::format(scratch.path(), MediumFs::Ext4, "GOOD", root.join("a"));
    a.mount(MediumFs::Ext4);
    // Expiring in two seconds: authorized now, not after.
    let soon = time::OffsetDateTime::now_utc() + time::Duration::seconds(2);
    let soon = strongroom::time::rfc3339_millis(soon);
    let id = register(&vault, &a.point, "GOOD", "confidential", Some(&soon));
    vault.ok(&["media", "issue", &id, "--to", "carol"]);
    let shown = vault.json(&["media", "show", &id]);
    assert_eq!(shown["holder"], "carol");
    a.unmount();
    vault.ok(&["policy", "set", "unregistered-media", "block"]);

    let ns = NetNs::new();
    let before = last_seq(&vault);
    let guard = GuardProcess::start(&vault, &ns, &[]);
    wait_for_event(&vault, before, WITHIN, |e| is(e, "guard.start", None));
    let seen = last_seq(&vault);
    a.mount(MediumFs::Ext4);
    let mounted = wait_for_event(&vault, seen, WITHIN, |e| is(e, "media.mount", None));
    assert_eq!(mounted["details"]["registration"]["status"], "registered", "{mounted}");
    assert_eq!(mounted["details"]["registration"]["medium"], id.as_str());
    assert_eq!(mounted["details"]["registration"]["holder"], "carol");
    a.unmount();

    // Past its expiry, and a medium never registered: alerts; a loop device is no USB
    // device, so `block` cannot act and says so.
    std::thread::sleep(Duration::from_millis(2500));
    let mut b = Medium::format(scratch.path(), MediumFs::Ext4, "STRANGER", root.join("b"));
    for (medium, code) in [(&mut a, "marker_expired"), (&mut b, "no_marker")] {
        let seen = last_seq(&vault);
        medium.mount(MediumFs::Ext4);
        let alert = wait_for_event(&vault, seen, WITHIN, |e| {
            is(e, "guard.alert", Some("unregistered_medium"))
        });
        assert_eq!(alert["details"]["code"], code, "{alert}");
        assert_eq!(alert["details"]["response"], "not_usb", "{alert}");
        medium.unmount();
    }
    assert_eq!(guard.stop(), Some(0));
    let alerts = vault.json(&["alerts"]);
    assert!(
        alerts
            .as_array()
            .unwrap()
            .iter()
            .any(|a| a["finding"]["kind"] == "unregistered_medium" && a["finding"]["response"] == "not_usb"),
        "{alerts}"
    );
    vault.ok(&["ledger", "verify"]);
}

#[test]
fn register_events_added_or_removed_with_sql_count_for_nothing() {
    if !requires::fuse_with("registering a medium", MediumFs::Ext4.programs()) {
        return;
    }
    let scratch = tempfile::tempdir().unwrap();
    let root = scratch.path().join("removable");
    let (vault, _carol) = vault_with_root(&root);
    let mut a = Medium::format(scratch.path(), MediumFs::Ext4, "SQLSTICK", root.join("a"));
    a.mount(MediumFs::Ext4);
    let id = register(&vault, &a.point, "SQL", "secret", None);
    vault.ok(&["media", "issue", &id, "--to", "carol"]);
    vault.ok(&["media", "return", &id]);
    // An insider replays the signed `media.issue` at a new seq (its bytes unchanged, so its
    // decision names the old seq): it counts for nothing, and is said to be ignored.
    let db = vault.db();
    let issue: Vec<u8> = db
        .query_row("SELECT canonical FROM events WHERE action = 'media.issue'", [], |r| {
            r.get(0)
        })
        .unwrap();
    let next: i64 = db
        .query_row("SELECT MAX(seq) + 1 FROM events", [], |r| r.get(0))
        .unwrap();
    let replayed: Value = serde_json::from_slice(&issue).unwrap();
    crate::support::insider::insert_event_at(&db, next, &replayed);
    let listed = vault.json(&["media", "list"]);
    assert_eq!(listed["entries"][0]["holder"], Value::Null, "{listed}");
    assert_eq!(listed["ignored"], 1, "{listed}");
    assert!(verdict(&vault, &a.point)["entry"].is_object());

    // Retired; the insider then deletes the retirement (triggers dropped first): the missing
    // event is found and the register refused (exit 6), so the medium is not in use again.
    vault.ok(&["media", "retire", &id, "--reason", "lost"]);
    assert_eq!(verdict(&vault, &a.point)["code"], "not_active");
    crate::support::insider::drop_append_only_triggers(&db);
    db.execute("DELETE FROM events WHERE action = 'media.retire'", [])
        .unwrap();
    let refused = vault.run(&["media", "mounted"]);
    assert_eq!(code(&refused), 6, "{}", stderr(&refused));
    assert!(stderr(&refused).contains("missing"), "{}", stderr(&refused));
    a.unmount();
}

#[test]
fn two_media_with_one_uuid_are_told_apart_by_neither_and_the_second_is_not_registered() {
    if !requires::fuse_with("media with one UUID", MediumFs::Ext4.programs())
        || !requires::program("cloning a UUID", "tune2fs")
    {
        return;
    }
    let scratch = tempfile::tempdir().unwrap();
    let root = scratch.path().join("removable");
    let (vault, carol) = vault_with_root(&root);
    let mut a = Medium::format(scratch.path(), MediumFs::Ext4, "ORIGINAL", root.join("a"));
    let mut b = Medium::format(scratch.path(), MediumFs::Ext4, "CLONE", root.join("b"));
    let uuid = blkid_uuid(&a.device);
    let cloned = std::process::Command::new("tune2fs")
        .args(["-U", &uuid, &b.device])
        .output()
        .unwrap();
    assert!(cloned.status.success(), "{}", String::from_utf8_lossy(&cloned.stderr));
    a.mount(MediumFs::Ext4);
    register(&vault, &a.point, "ONE", "secret", None);
    // The clone, with the original's marker copied on: while both are mounted neither
    // counts, and the clone cannot be registered under the same UUID.
    b.mount(MediumFs::Ext4);
    std::fs::copy(a.point.join(MARKER), b.point.join(MARKER)).unwrap();
    for point in [&a.point, &b.point] {
        assert_eq!(verdict(&vault, point)["code"], "duplicate_uuid", "{}", point.display());
    }
    let secret = vault.import(&[&vault.file("plan.tif", b"the secret plan")], "secret")[0].clone();
    let refused = export(&vault, &secret, &a.point, Some(&carol));
    assert_eq!(code(&refused), 5, "{}", stderr(&refused));
    std::fs::remove_file(b.point.join(MARKER)).unwrap();
    let b_point = b.point.to_str().unwrap();
    let again = vault.run(&[
        "media",
        "register",
        b_point,
        "--label",
        "TWO",
        "--level",
        "secret",
        "--custodian",
        "alice",
    ]);
    assert_eq!(code(&again), 5, "{}", stderr(&again));
    assert!(stderr(&again).contains("two media with one UUID"), "{}", stderr(&again));
    b.unmount();
    assert!(
        verdict(&vault, &a.point)["entry"].is_object(),
        "alone again, it is registered"
    );
    a.unmount();
}

#[test]
fn a_read_only_medium_is_refused_unchanged_and_a_reformatted_one_no_longer_verifies() {
    if !requires::fuse_with("registering a medium", MediumFs::Ext4.programs()) {
        return;
    }
    let scratch = tempfile::tempdir().unwrap();
    let root = scratch.path().join("removable");
    let (vault, _carol) = vault_with_root(&root);
    let mut a = Medium::format(scratch.path(), MediumFs::Ext4, "RO", root.join("a"));
    a.mount(MediumFs::Ext4);
    let point = a.point.to_str().unwrap().to_string();
    let remount = |how: &str| {
        let done = std::process::Command::new("mount")
            .args(["-o", &format!("remount,{how}"), &point])
            .status()
            .unwrap();
        assert!(done.success());
    };
    let register = [
        "media",
        "register",
        point.as_str(),
        "--label",
        "RO",
        "--level",
        "internal",
        "--custodian",
        "alice",
    ];
    remount("ro");
    let refused = vault.run(&register);
    assert_eq!(code(&refused), 1, "{}", stderr(&refused));
    assert!(stderr(&refused).contains("read-only"), "{}", stderr(&refused));
    let registered = vault
        .events()
        .iter()
        .filter(|e| e["action"] == "media.register")
        .count();
    assert_eq!(registered, 0, "nothing recorded");
    assert!(!a.point.join(MARKER).exists());
    assert_eq!(vault.json(&["media", "list"])["entries"], serde_json::json!([]));

    // Registered read-write; then the medium is re-formatted (a new UUID) and the old
    // marker put back on it: it is not the file system the record names.
    remount("rw");
    vault.ok(&register);
    let marker = std::fs::read(a.point.join(MARKER)).unwrap();
    a.unmount();
    let formatted = std::process::Command::new("mkfs.ext4")
        .args(["-q", "-F", "-L", "RO", &a.device])
        .status()
        .unwrap();
    assert!(formatted.success());
    a.mount(MediumFs::Ext4);
    assert_eq!(verdict(&vault, &a.point)["code"], "no_marker");
    std::fs::write(a.point.join(MARKER), &marker).unwrap();
    assert_eq!(verdict(&vault, &a.point)["code"], "marker_other_file_system");
    a.unmount();
}

#[test]
fn a_register_whose_admin_keys_do_not_lead_to_the_trusted_one_is_refused() {
    let (vault, station) = crate::support::station::LibVault::new();
    let db = vault.db();
    let keys = strongroom::accounts::decision::AdminKeys::load(&db, station.station_id()).unwrap();
    let trusted = station.session().unwrap().directory().admin_key_bytes().unwrap();
    let register = strongroom::guard::register::load(&db, station.station_id(), &keys, &trusted).unwrap();
    assert!(register.entries.is_empty());
    // An admin key the ledger's chain does not hold (its first directory replaced by an
    // insider's own): refused, never read as a register.
    let other = strongroom::crypto::sign::SignKey::random().unwrap().public();
    let refused = strongroom::guard::register::load(&db, station.station_id(), &keys, &other);
    assert!(
        matches!(&refused, Err(strongroom::Error::Integrity { detail, .. }) if detail.contains("do not lead")),
        "{refused:?}"
    );
}
