//! Cloud-synced and network folders, enforced through the real binary with a fixture home
//! (HOME pointed at a temporary directory holding a Syncthing configuration): exports into a
//! synced folder are refused directly, through a symlink and through a bind mount; an
//! officer's override works below the policy's level only and is a signed event; a vault is
//! not created or opened in one until an officer records an override (a forged row does not
//! count); imports from one are recorded as exposures; an exFAT stick stays allowed.

use std::path::{Path, PathBuf};

use assert_cmd::assert::Assert;
use serde_json::Value;

use crate::support::cli::{TestVault, code, stderr, stdout};
use crate::support::guard::{Medium, MediumFs};
use crate::support::requires;

/// A home whose Syncthing configuration names `~/Sync` (and keeps the `<defaults>`
/// template, which is no root), beside an ordinary `~/Sync2` and `~/Dropbox-notes`.
fn synced_home(vault: &TestVault) -> PathBuf {
    let home = vault.dir.path().join("home");
    let config = home.join(".config/syncthing");
    std::fs::create_dir_all(&config).unwrap();
    std::fs::write(
        config.join("config.xml"),
        "<configuration version=\"37\">\n  <folder id=\"maps\" path=\"~/Sync\"></folder>\n  \
         <defaults><folder path=\"~\"></folder></defaults>\n</configuration>\n",
    )
    .unwrap();
    for dir in ["Sync/sub", "Sync2", "Dropbox-notes"] {
        std::fs::create_dir_all(home.join(dir)).unwrap();
    }
    home
}

/// Run as `user` (alice's password unless given) with HOME at `home`.
fn run_at(vault: &TestVault, home: &Path, password: Option<&Path>, user: &str, args: &[&str]) -> Assert {
    vault
        .cmd()
        .env("HOME", home)
        .env_remove("XDG_CONFIG_HOME")
        .env_remove("XDG_STATE_HOME")
        .env("STRONGROOM_USER", user)
        .arg("--password-file")
        .arg(password.unwrap_or(&vault.password_file))
        .args(args)
        .assert()
}

fn export(vault: &TestVault, home: &Path, control: &str, to: &Path, extra: &[&str]) -> Assert {
    let mut args = vec![
        "export",
        control,
        "--to",
        to.to_str().unwrap(),
        "--yes",
        "--reason",
        "a test",
    ];
    args.extend(extra);
    run_at(vault, home, None, "alice", &args)
}

fn actions(vault: &TestVault) -> Vec<String> {
    vault.actions_since(0)
}

#[test]
fn exports_into_a_synced_folder_are_refused_directly_through_a_symlink_and_a_bind_mount() {
    let vault = TestVault::new();
    let home = synced_home(&vault);
    let src = vault.file("plan.tif", b"the survey plan");
    let control = vault.import(&[&src], "internal").remove(0);

    let refused = export(&vault, &home, &control, &home.join("Sync/sub/plan.tif"), &[]);
    assert_eq!(code(&refused), 5, "{}", stderr(&refused));
    let message = stderr(&refused);
    assert!(
        message.contains("cloud-sync") && message.contains("Syncthing"),
        "{message}"
    );
    assert!(
        message.contains(".config/syncthing/config.xml line 2"),
        "names the evidence: {message}"
    );
    assert!(!home.join("Sync/sub/plan.tif").exists());
    assert!(
        !actions(&vault).contains(&"item.export".to_string()),
        "nothing was exported"
    );

    // Through a symlink, and into a directory that contains the synced folder.
    std::os::unix::fs::symlink(home.join("Sync/sub"), home.join("link")).unwrap();
    assert_eq!(
        code(&export(&vault, &home, &control, &home.join("link/plan.tif"), &[])),
        5
    );
    assert_eq!(
        code(&export(&vault, &home, &control, &home, &[])),
        5,
        "home contains ~/Sync"
    );
    // Not a prefix match, not a name match, not the template.
    for clear in ["Sync2/plan.tif", "Dropbox-notes/plan.tif"] {
        let out = export(&vault, &home, &control, &home.join(clear), &[]);
        assert_eq!(code(&out), 0, "{clear}: {}", stderr(&out));
    }

    // A bind mount of the synced folder elsewhere: the same directory by (device, inode).
    if requires::root("bind-mounting a synced folder") {
        let bound = vault.dir.path().join("bound");
        std::fs::create_dir_all(&bound).unwrap();
        let status = std::process::Command::new("mount")
            .args(["--bind", home.join("Sync").to_str().unwrap(), bound.to_str().unwrap()])
            .status()
            .unwrap();
        assert!(status.success(), "mount --bind");
        let out = export(&vault, &home, &control, &bound.join("sub/plan.tif"), &[]);
        let _ = std::process::Command::new("umount").arg(&bound).status();
        assert_eq!(code(&out), 5, "through a bind mount: {}", stderr(&out));
        // A bind mount of a directory inside the synced folder: the same file system path.
        let out = bind(&home.join("Sync/sub"), &bound, || {
            export(&vault, &home, &control, &bound.join("plan.tif"), &[])
        });
        assert_eq!(
            code(&out),
            5,
            "through a bind mount of a subdirectory: {}",
            stderr(&out)
        );
        // The vault's own objects shown inside the synced folder: it no longer opens.
        let shown = home.join("Sync/objects");
        std::fs::create_dir_all(&shown).unwrap();
        let out = bind(&vault.root.join("objects"), &shown, || {
            run_at(&vault, &home, None, "alice", &["list"])
        });
        assert_eq!(
            code(&out),
            5,
            "the vault's objects are seen inside ~/Sync: {}",
            stderr(&out)
        );
    }
}

/// Run `f` while `source` is bind-mounted at `target`.
fn bind(source: &Path, target: &Path, f: impl FnOnce() -> Assert) -> Assert {
    let status = std::process::Command::new("mount")
        .arg("--bind")
        .args([source, target])
        .status()
        .unwrap();
    assert!(status.success(), "mount --bind");
    let out = f();
    let _ = std::process::Command::new("umount").arg(target).status();
    out
}

#[test]
fn an_officer_overrides_below_the_policy_level_only_and_the_override_is_a_signed_event() {
    let vault = TestVault::new();
    let home = synced_home(&vault);
    let low = vault
        .import(&[&vault.file("low.tif", b"internal content")], "internal")
        .remove(0);
    let high = vault
        .import(&[&vault.file("high.tif", b"secret content")], "secret")
        .remove(0);
    let bob = vault.add_ready_user("bob", "operator", "secret", "operator passphrase 1");
    let before = vault.events().len();

    let to = home.join("Sync/low.tif");
    let out = export(
        &vault,
        &home,
        &low,
        &to,
        &["--override-cloud", "folder shared with the archive, paused"],
    );
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    assert_eq!(std::fs::read(&to).unwrap(), b"internal content");
    let events: Vec<Value> = vault.events().into_iter().skip(before).collect();
    let names: Vec<&str> = events.iter().filter_map(|e| e["action"].as_str()).collect();
    let at = names
        .iter()
        .position(|a| *a == "cloud.override")
        .expect("the override is recorded");
    assert_eq!(names[at + 1], "item.export", "{names:?}");
    let details = &events[at]["details"];
    assert_eq!(details["scope"], "export");
    assert_eq!(details["folders"][0]["provider"], "syncthing");
    assert!(
        details["decision"]["signature"].is_string(),
        "signed with the admin key: {details}"
    );

    // Never at or above the policy's level (confidential by default; secret here).
    let out = export(
        &vault,
        &home,
        &high,
        &home.join("Sync/high.tif"),
        &["--override-cloud", "please"],
    );
    assert_eq!(code(&out), 5);
    assert!(
        stderr(&out).contains("overrides are allowed below confidential"),
        "{}",
        stderr(&out)
    );
    // An officer cannot raise the policy's level to secret and above.
    let set = vault.run(&["policy", "set", "cloud-override-below", "top-secret"]);
    assert_eq!(code(&set), 1, "{}", stderr(&set));
    assert!(stderr(&set).contains("must be unclassified or internal or confidential or secret"));
    // An operator cannot override at all.
    let bob_to = home.join("Sync/bob.tif");
    let args = [
        "export",
        &low,
        "--to",
        bob_to.to_str().unwrap(),
        "--yes",
        "--reason",
        "x",
        "--override-cloud",
        "mine",
    ];
    let out = run_at(&vault, &home, Some(&bob), "bob", &args);
    assert_eq!(code(&out), 5);
    assert!(stderr(&out).contains("only a security officer"), "{}", stderr(&out));
    assert!(!home.join("Sync/bob.tif").exists() && !home.join("Sync/high.tif").exists());
}

#[test]
fn a_vault_is_not_created_or_opened_in_a_synced_folder_until_an_officer_records_an_override() {
    let vault = TestVault::new();
    let home = synced_home(&vault);
    let inside = home.join("Sync/vault");
    let init = vault
        .cmd()
        .env("HOME", &home)
        .env("STRONGROOM_VAULT", &inside)
        .arg("--password-file")
        .arg(&vault.password_file)
        .args(crate::support::cli::INIT_AT_THE_FLOOR)
        .assert();
    assert_eq!(code(&init), 5, "{}", stderr(&init));
    assert!(!inside.exists(), "nothing was made");

    // A vault moved into the synced folder afterwards does not open.
    std::fs::rename(&vault.root, &inside).unwrap();
    let list = |vault: &TestVault| {
        vault
            .cmd()
            .env("HOME", &home)
            .env("STRONGROOM_VAULT", &inside)
            .arg("--password-file")
            .arg(&vault.password_file)
            .arg("list")
            .assert()
    };
    let out = list(&vault);
    assert_eq!(code(&out), 5, "{}", stderr(&out));
    assert!(stderr(&out).contains("Syncthing"), "{}", stderr(&out));

    // A row an insider adds claiming an override overrides nothing.
    let db = rusqlite::Connection::open(inside.join("strongroom.db")).unwrap();
    let forged = serde_json::json!({
        "seq": 100000, "time": "2026-12-07T00:00:00.000Z", "actor": "alice", "action": "cloud.override",
        "subject": inside.to_string_lossy(), "level": null,
        "details": {"scope": "vault", "folders": [{"provider": "syncthing", "folder": home.join("Sync").to_string_lossy(), "evidence": []}],
                    "reason": "x", "decision": {"admin_key": "00".repeat(32), "signature": "00".repeat(64)}}
    });
    db.execute(
        "INSERT INTO events (seq, time, actor, action, subject, level, item, canonical) VALUES (100000, 'x', 'alice', 'cloud.override', 's', NULL, NULL, ?1)",
        [serde_json::to_vec(&forged).unwrap()],
    )
    .unwrap();
    drop(db);
    assert_eq!(code(&list(&vault)), 5, "a forged override counts for nothing");

    // An officer's override, signed: the vault opens there from then on.
    let allow = vault
        .cmd()
        .env("HOME", &home)
        .env("STRONGROOM_VAULT", &inside)
        .arg("--password-file")
        .arg(&vault.password_file)
        .args([
            "cloud",
            "allow-vault",
            "--reason",
            "Syncthing was removed; its config is stale",
        ])
        .assert();
    assert_eq!(code(&allow), 0, "{}", stderr(&allow));
    assert!(stdout(&allow).contains("Override recorded"), "{}", stdout(&allow));
    let out = list(&vault);
    assert_eq!(code(&out), 0, "{}", stderr(&out));
}

#[test]
fn imports_from_a_synced_folder_are_recorded_as_exposures() {
    let vault = TestVault::new();
    let home = synced_home(&vault);
    let synced = home.join("Sync/sub/received.tif");
    std::fs::write(&synced, b"came through the sync").unwrap();
    let ordinary = vault.file("local.tif", b"came on a stick");
    let before = vault.events().len();
    for path in [&synced, &ordinary] {
        let out = run_at(
            &vault,
            &home,
            None,
            "alice",
            &["import", path.to_str().unwrap(), "--level", "internal"],
        );
        assert_eq!(code(&out), 0, "{}", stderr(&out));
    }
    let events: Vec<Value> = vault.events().into_iter().skip(before).collect();
    let exposures: Vec<&Value> = events.iter().filter(|e| e["action"] == "cloud.exposure").collect();
    assert_eq!(exposures.len(), 1, "only the synced file: {events:?}");
    let details = &exposures[0]["details"];
    assert_eq!(details["source_dir"], home.join("Sync/sub").to_string_lossy().as_ref());
    assert_eq!(details["folders"][0]["provider"], "syncthing");
    assert!(
        !serde_json::to_string(details).unwrap().contains("received.tif"),
        "no file name"
    );
}

#[test]
fn the_scan_names_the_synced_folder_and_an_exfat_stick_stays_allowed() {
    let vault = TestVault::new();
    let home = synced_home(&vault);
    let scan = vault
        .cmd()
        .env("HOME", &home)
        .args(["cloud", "scan", "--json"])
        .assert();
    assert_eq!(code(&scan), 0, "{}", stderr(&scan));
    let json: Value = serde_json::from_str(&stdout(&scan)).unwrap();
    let roots: Vec<&str> = json["findings"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| f["strength"] == "blocking")
        .filter_map(|f| f["root"].as_str())
        .collect();
    let sync = home.join("Sync");
    assert!(roots.contains(&sync.to_str().unwrap()), "{roots:?}");
    assert!(
        roots
            .iter()
            .all(|r| !r.ends_with("Dropbox-notes") && *r != home.to_str().unwrap()),
        "{roots:?}"
    );

    if !requires::fuse_with("an exFAT stick", MediumFs::Exfat.programs()) {
        return;
    }
    let scratch = tempfile::tempdir().unwrap();
    let mut stick = Medium::format(scratch.path(), MediumFs::Exfat, "CLOUDX", scratch.path().join("stick"));
    stick.mount(MediumFs::Exfat);
    let check = vault
        .cmd()
        .env("HOME", &home)
        .args(["cloud", "check"])
        .arg(stick.point.join("out.tif"))
        .assert();
    assert_eq!(
        code(&check),
        0,
        "an exFAT stick (fuseblk on a device) is local: {}",
        stderr(&check)
    );
    let check = vault
        .cmd()
        .env("HOME", &home)
        .args(["cloud", "check"])
        .arg(home.join("Sync/x"))
        .assert();
    assert_eq!(code(&check), 5);
}
