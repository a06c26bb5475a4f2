//! The accounts commands end to end: `user`, `policy`, `request`, `destroy`, `downgrade`
//! and `--witness`, with the exit codes of DESIGN.md §4a (4 locked or disabled, 5 denied,
//! 7 approval required) and the events they write.

use crate::support::{TestVault, code, stderr};

const BOB_PW: &str = "bob's long passphrase";
const CAROL_PW: &str = "carol's long passphrase";

fn with_users(vault: &TestVault) -> (std::path::PathBuf, std::path::PathBuf) {
    let bob = vault.file("bob-pw", format!("{BOB_PW}\n").as_bytes());
    let carol = vault.file("carol-pw", format!("{CAROL_PW}\n").as_bytes());
    for (name, role, level, file) in [
        ("bob", "operator", "secret", &bob),
        ("carol", "officer", "top-secret", &carol),
    ] {
        vault.ok(&[
            "user",
            "add",
            name,
            "--role",
            role,
            "--clearance",
            level,
            "--new-password-file",
            file.to_str().unwrap(),
        ]);
    }
    (bob, carol)
}

#[test]
fn user_admin_commands_and_their_exit_codes() {
    let vault = TestVault::new();
    let (bob, _carol) = with_users(&vault);
    // Lockout after the policy's limit: exit 4 even with the right password.
    vault.ok(&["policy", "set", "lockout-attempts", "1"]);
    let shown = vault.json(&["policy", "show"]);
    assert_eq!(shown["lockout_attempts"], 1);
    let wrong = vault.file("wrong", b"not bob's password\n");
    assert_eq!(code(&vault.run_as("bob", &wrong, &["list"])), 3);
    let out = vault.run_as("bob", &bob, &["list"]);
    assert_eq!(code(&out), 4, "{}", stderr(&out));
    assert!(stderr(&out).contains("locked"), "{}", stderr(&out));
    let users = vault.json(&["user", "list"]);
    let bob_row = users.as_array().unwrap().iter().find(|u| u["name"] == "bob").unwrap();
    assert_eq!(bob_row["locked"], true);
    // An operator cannot administer users (5); an officer unlocks bob.
    vault.ok(&["user", "enable", "bob", "--reason", "called the help desk"]);
    let out = vault.run_as("bob", &bob, &["user", "list"]);
    assert_eq!(code(&out), 5, "{}", stderr(&out));

    // Clearance down and up; a bad level is a usage error.
    vault.ok(&["user", "clearance", "bob", "confidential", "--reason", "moved"]);
    assert_eq!(
        code(&vault.run(&["user", "clearance", "bob", "cosmic", "--reason", "x"])),
        2
    );
    // Disabled: exit 4, and an event of the attempt.
    let first_bundle = vault.dir.path().join("before-disable");
    vault.ok(&["ledger", "export", "--out", first_bundle.to_str().unwrap()]);
    let pinned_before = std::fs::read_to_string(first_bundle.join("station.vkey")).unwrap();
    // Destructive commands need --yes in scripts (2), and then work.
    assert_eq!(code(&vault.run(&["user", "disable", "bob", "--reason", "left"])), 2);
    vault.ok(&["user", "disable", "bob", "--reason", "left", "--yes"]);
    let n = vault.events().len();
    let out = vault.run_as("bob", &bob, &["list"]);
    assert_eq!(code(&out), 4, "{}", stderr(&out));
    assert_eq!(vault.actions_since(n), ["auth.login_failed"]);
    vault.ok(&["user", "enable", "bob", "--reason", "back"]);
    assert_eq!(code(&vault.run_as("bob", &bob, &["list"])), 0);

    // Reset: a temporary password that must be changed first (4 until then).
    let temp = vault.file("temp", b"temporary passphrase\n");
    vault.ok(&[
        "user",
        "reset",
        "bob",
        "--reason",
        "forgot",
        "--new-password-file",
        temp.to_str().unwrap(),
    ]);
    let out = vault.run_as("bob", &temp, &["list"]);
    assert_eq!(code(&out), 4, "{}", stderr(&out));
    assert!(stderr(&out).contains("strongroom passwd"), "{}", stderr(&out));
    let own = vault.file("own", b"bob's chosen passphrase\n");
    let out = vault.run_as("bob", &temp, &["passwd", "--new-password-file", own.to_str().unwrap()]);
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    assert_eq!(code(&vault.run_as("bob", &own, &["list"])), 0);

    // An auditor who pinned the station key before the disable follows the key change.
    let config = tempfile::tempdir().unwrap();
    let auditor = |args: &[&str]| {
        std::process::Command::new(crate::support::bin())
            .env("STRONGROOM_CONFIG_DIR", config.path())
            .env_remove("STRONGROOM_VAULT")
            .args(args)
            .output()
            .unwrap()
    };
    let bundle = vault.dir.path().join("after-disable");
    vault.ok(&["ledger", "export", "--out", bundle.to_str().unwrap()]);
    let out = auditor(&["audit", "trust", pinned_before.trim()]);
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    let out = auditor(&["audit", "verify", bundle.to_str().unwrap()]);
    assert_eq!(
        code(&out),
        0,
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        stderr(&out)
    );

    // Self-administration is refused (5); unknown users are not found (1).
    assert_eq!(
        code(&vault.run(&["user", "disable", "alice", "--reason", "x", "--yes"])),
        5
    );
    assert_eq!(
        code(&vault.run(&["user", "disable", "nobody", "--reason", "x", "--yes"])),
        1
    );
    vault.ok(&["user", "role", "bob", "officer", "--reason", "deputy"]);

    let actions = vault.actions_since(0);
    for expected in [
        "policy.change",
        "auth.lockout",
        "user.unlock",
        "user.clearance",
        "user.disable",
        "key.rotate",
        "user.enable",
        "user.reset",
        "user.password_change",
        "user.role",
    ] {
        assert!(actions.iter().any(|a| a == expected), "no {expected} in {actions:?}");
    }
    // After all these rotations and key changes the ledger still verifies.
    let out = vault.run(&["ledger", "verify"]);
    assert_eq!(
        code(&out),
        0,
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        stderr(&out)
    );
}

#[test]
fn two_person_commands() {
    let vault = TestVault::new();
    let (bob, carol) = with_users(&vault);
    let src = vault.file("plan.tif", b"secret plans");
    let control = vault.import(&[&src], "secret").remove(0);

    // bob asks to destroy a secret item: exit 7, a request is pending.
    let out = vault.run_as("bob", &bob, &["destroy", &control, "--reason", "superseded", "--yes"]);
    assert_eq!(code(&out), 7, "{}", stderr(&out));
    let pending = vault.json(&["request", "list"]);
    let id = pending[0]["id"].as_u64().unwrap().to_string();
    assert_eq!(pending[0]["kind"], "destroy");
    // bob cannot approve (operator: 5); alice approves; approving twice is refused (5).
    assert_eq!(code(&vault.run_as("bob", &bob, &["request", "approve", &id])), 5);
    vault.ok(&["request", "approve", &id, "--note", "confirmed"]);
    assert_eq!(code(&vault.run(&["request", "approve", &id])), 5);
    let out = vault.run_as("bob", &bob, &["destroy", &control, "--reason", "superseded", "--yes"]);
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    assert!(vault.object_files().is_empty(), "the ciphertext is gone");

    // alice downgrades with carol as witness in the same command.
    let src = vault.file("ts.tif", b"top secret");
    let ts = vault.import(&[&src], "top-secret").remove(0);
    let out = vault.run(&["downgrade", &ts, "--to", "secret", "--reason", "releasable"]);
    assert_eq!(code(&out), 7, "{}", stderr(&out));
    let own = vault.json(&["request", "list"]);
    let own_id = own[0]["id"].as_u64().unwrap().to_string();
    // Self-approval: 5.
    let out = vault.run(&["request", "approve", &own_id]);
    assert_eq!(code(&out), 5);
    assert!(stderr(&out).contains("own request"), "{}", stderr(&out));
    let wrong = vault.file("wrong", b"wrong witness password\n");
    let out = vault.run(&[
        "downgrade",
        &ts,
        "--to",
        "secret",
        "--reason",
        "releasable",
        "--witness",
        "carol",
        "--witness-password-file",
        wrong.to_str().unwrap(),
    ]);
    assert_eq!(code(&out), 3, "{}", stderr(&out));
    crate::support::wait_out_backoff();
    let out = vault.run(&[
        "downgrade",
        &ts,
        "--to",
        "secret",
        "--reason",
        "releasable",
        "--witness",
        "carol",
        "--witness-password-file",
        carol.to_str().unwrap(),
    ]);
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    let shown = vault.json(&["show", &ts]);
    assert_eq!(shown["level"], "secret");
    let events = vault.events();
    let reclass = events.iter().find(|e| e["action"] == "item.reclassify").unwrap();
    assert_eq!(reclass["details"]["witness"], "carol");
    assert_eq!(reclass["actor"], "alice");
}
