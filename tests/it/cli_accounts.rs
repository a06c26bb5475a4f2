//! The accounts commands end to end: `user`, `policy`, `request`, `destroy`, `downgrade`
//! and `--witness`, with the exit codes of DESIGN.md §4a (4 locked or disabled, 5 denied,
//! 7 approval required) and the events they write.

use crate::support::TestVault;
use predicates::str::contains;

const BOB_PW: &str = "bob's long passphrase";
const CAROL_PW: &str = "carol's long passphrase";

fn with_users(vault: &TestVault) -> (std::path::PathBuf, std::path::PathBuf) {
    let bob = vault.add_ready_user("bob", "operator", "secret", BOB_PW);
    let carol = vault.add_ready_user("carol", "officer", "top-secret", CAROL_PW);
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
    vault.run_as("bob", &wrong, &["list"]).code(3);
    vault.run_as("bob", &bob, &["list"]).code(4).stderr(contains("locked"));
    let users = vault.json(&["user", "list"]);
    let bob_row = users.as_array().unwrap().iter().find(|u| u["name"] == "bob").unwrap();
    assert_eq!(bob_row["locked"], true);
    // An operator cannot administer users (5); an officer unlocks bob.
    vault.ok(&["user", "enable", "bob", "--reason", "called the help desk"]);
    vault.run_as("bob", &bob, &["user", "list"]).code(5);

    // Clearance down and up; a bad level is a usage error.
    vault.ok(&["user", "clearance", "bob", "confidential", "--reason", "moved"]);
    vault
        .run(&["user", "clearance", "bob", "cosmic", "--reason", "x"])
        .code(2);
    // Disabled: exit 4, and an event of the attempt.
    let first_bundle = vault.dir.path().join("before-disable");
    vault.ok(&["ledger", "export", "--out", first_bundle.to_str().unwrap()]);
    let pinned_before = std::fs::read_to_string(first_bundle.join("station.vkey")).unwrap();
    // Destructive commands need --yes in scripts (2), and then work.
    vault.run(&["user", "disable", "bob", "--reason", "left"]).code(2);
    vault.ok(&["user", "disable", "bob", "--reason", "left", "--yes"]);
    // The attempt is recorded: bob's refusal while locked, a minute ago at most, opened a
    // counting window for his name (one event), so this one is counted in it and becomes
    // part of one event when the window closes (docs/THREAT-MODEL.md).
    let n = vault.events().len();
    let counted = |vault: &TestVault| -> i64 {
        vault
            .db()
            .query_row(
                "SELECT coalesce(sum(count), 0) FROM sign_in_failures WHERE name = 'bob'",
                [],
                |r| r.get(0),
            )
            .unwrap()
    };
    let before = counted(&vault);
    vault.run_as("bob", &bob, &["list"]).code(4);
    let recorded = vault.actions_since(n) == ["auth.login_failed"];
    assert!(
        recorded || counted(&vault) == before + 1,
        "the refused sign-in was neither an event nor counted"
    );
    vault.ok(&["user", "enable", "bob", "--reason", "back"]);
    vault.run_as("bob", &bob, &["list"]).success();

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
    vault
        .run_as("bob", &temp, &["list"])
        .code(4)
        .stderr(contains("strongroom passwd"));
    let own = vault.file("own", b"bob's chosen passphrase\n");
    vault
        .run_as("bob", &temp, &["passwd", "--new-password-file", own.to_str().unwrap()])
        .success();
    vault.run_as("bob", &own, &["list"]).success();

    // An auditor who pinned the station key before the disable follows the key change.
    let config = tempfile::tempdir().unwrap();
    let auditor = |args: &[&str]| {
        crate::support::cli::strongroom()
            .env("STRONGROOM_CONFIG_DIR", config.path())
            .env_remove("STRONGROOM_VAULT")
            .args(args)
            .assert()
    };
    let bundle = vault.dir.path().join("after-disable");
    vault.ok(&["ledger", "export", "--out", bundle.to_str().unwrap()]);
    auditor(&["audit", "trust", pinned_before.trim()]).success();
    auditor(&["audit", "verify", bundle.to_str().unwrap()]).success();

    // Self-administration is refused (5); unknown users are not found (1).
    vault
        .run(&["user", "disable", "alice", "--reason", "x", "--yes"])
        .code(5);
    vault
        .run(&["user", "disable", "nobody", "--reason", "x", "--yes"])
        .code(1);
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
    vault.run(&["ledger", "verify"]).success();
}

#[test]
fn two_person_commands() {
    let vault = TestVault::new();
    vault.disable_backoff();
    let (bob, carol) = with_users(&vault);
    let src = vault.file("plan.tif", b"secret plans");
    // bob imports it, so he is its custodian (only the custodian or an officer destroys).
    let out = vault
        .run_as(
            "bob",
            &bob,
            &["import", src.to_str().unwrap(), "--level", "secret", "--json"],
        )
        .success();
    let imported: serde_json::Value = serde_json::from_slice(&out.get_output().stdout).unwrap();
    let control = imported["imported"][0]["control_number"].as_str().unwrap().to_string();

    // bob asks to destroy a secret item: exit 7, a request is pending.
    vault
        .run_as("bob", &bob, &["destroy", &control, "--reason", "superseded", "--yes"])
        .code(7);
    let pending = vault.json(&["request", "list"]);
    let id = pending[0]["id"].as_u64().unwrap().to_string();
    assert_eq!(pending[0]["kind"], "destroy");
    // The request names its item, level, requester and reason; the item's number comes from
    // its custody history, so a row renumbered with SQL does not change what the officer reads.
    assert_eq!(pending[0]["control_number"], control.as_str());
    assert_eq!(pending[0]["requester"], "bob");
    assert_eq!(pending[0]["reason"], "superseded");
    vault
        .db()
        .execute("UPDATE items SET control_serial = control_serial + 500", [])
        .unwrap();
    let text = vault.ok(&["request", "list"]);
    let line = text.lines().nth(1).unwrap();
    for part in [control.as_str(), "secret", "bob", "pending", "superseded"] {
        assert!(line.contains(part), "{line}");
    }
    vault
        .db()
        .execute("UPDATE items SET control_serial = control_serial - 500", [])
        .unwrap();
    // bob cannot approve (operator: 5); alice approves; approving twice is refused (5).
    vault.run_as("bob", &bob, &["request", "approve", &id]).code(5);
    vault.ok(&["request", "approve", &id, "--note", "confirmed"]);
    vault.run(&["request", "approve", &id]).code(5);
    vault
        .run_as("bob", &bob, &["destroy", &control, "--reason", "superseded", "--yes"])
        .success();
    assert!(vault.object_files().is_empty(), "the ciphertext is gone");

    // alice downgrades with carol as witness in the same command.
    let src = vault.file("ts.tif", b"top secret");
    let ts = vault.import(&[&src], "top-secret").remove(0);
    vault
        .run(&["downgrade", "--yes", &ts, "--to", "secret", "--reason", "releasable"])
        .code(7);
    let own = vault.json(&["request", "list"]);
    let own_id = own[0]["id"].as_u64().unwrap().to_string();
    // Self-approval: 5.
    vault
        .run(&["request", "approve", &own_id])
        .code(5)
        .stderr(contains("own request"));
    let wrong = vault.file("wrong", b"wrong witness password\n");
    vault
        .run(&[
            "downgrade",
            "--yes",
            &ts,
            "--to",
            "secret",
            "--reason",
            "releasable",
            "--witness",
            "carol",
            "--witness-password-file",
            wrong.to_str().unwrap(),
        ])
        .code(3);
    vault
        .run(&[
            "downgrade",
            "--yes",
            &ts,
            "--to",
            "secret",
            "--reason",
            "releasable",
            "--witness",
            "carol",
            "--witness-password-file",
            carol.to_str().unwrap(),
        ])
        .success();
    let shown = vault.json(&["show", &ts]);
    assert_eq!(shown["level"], "secret");
    let events = vault.events();
    let reclass = events.iter().find(|e| e["action"] == "item.reclassify").unwrap();
    assert_eq!(reclass["details"]["witness"], "carol");
    assert_eq!(reclass["actor"], "alice");
}

#[test]
fn a_failed_sign_in_says_the_tries_left_and_a_lockout_its_ways_back() {
    let vault = TestVault::new();
    vault.add_ready_user("bob", "operator", "internal", "bob's long passphrase");
    vault.ok(&["policy", "set", "backoff-base-seconds", "0"]);
    vault.ok(&["policy", "set", "lockout-attempts", "3"]);
    let wrong = vault.file("wrong-pw", b"not bob's passphrase at all\n");
    for left in ["2 attempts left", "1 attempt left", "no attempts left"] {
        vault.run_as("bob", &wrong, &["list"]).code(3).stderr(contains(left));
    }
    // Locked: the library says so in words; the command line adds the commands.
    let right = vault.file("right-pw", b"bob's long passphrase\n");
    vault
        .run_as("bob", &right, &["list"])
        .code(4)
        .stderr(contains("locked after 3 failed sign-ins"))
        .stderr(contains("hint: a security officer runs `strongroom user enable bob`"))
        .stderr(contains("`strongroom recover --user bob` with the recovery code"));
    // An unknown name counts down the same way, so the answer does not tell it apart.
    vault
        .run_as("nobody", &wrong, &["list"])
        .code(3)
        .stderr(contains("2 attempts left"));
}
