//! `alerts`, `alerts ack`, `alerts history` and `ledger events`: what the app's Alerts and
//! Custody ledger screens do, from a terminal (issue 24, CLI parity), with `--json`.

use crate::support::{TestVault, code, stderr};

#[test]
fn alerts_are_listed_acknowledged_and_kept_in_a_history() {
    let vault = TestVault::new();
    vault.disable_backoff();
    let bob = vault.add_ready_user("bob", "operator", "confidential", "bob's long passphrase");
    vault.ok(&["policy", "set", "lockout-attempts", "1"]);
    let wrong = vault.file("wrong", b"not bob's password\n");
    vault.run_as("bob", &wrong, &["list"]).code(3);

    let open = vault.json(&["alerts"]);
    let open = open.as_array().unwrap();
    assert_eq!(open.len(), 1);
    assert_eq!(open[0]["action"], "auth.lockout");
    let seq = open[0]["seq"].as_u64().unwrap();
    let text = vault.ok(&["alerts"]);
    assert!(text.contains("auth.lockout"), "{text}");
    assert!(
        text.contains("what: bob was locked out after 1 failed sign-ins"),
        "{text}"
    );
    assert!(text.contains("`strongroom user enable bob --reason ...`"), "{text}");
    assert_eq!(open[0]["finding"]["kind"], "lockout");
    assert_eq!(open[0]["next"][0], "check_with_the_person");

    // An operator does not acknowledge (5); an officer does, with a comment.
    vault.ok(&["user", "enable", "bob", "--reason", "called the desk"]);
    let by_bob = vault.run_as("bob", &bob, &["alerts", "ack", &seq.to_string(), "--comment", "me"]);
    assert_eq!(code(&by_bob), 5, "{}", stderr(&by_bob));
    // The policy may require a comment (5 without one); then it is recorded.
    vault.ok(&["policy", "set", "alert-comment-required", "yes"]);
    vault
        .run(&["alerts", "ack", &seq.to_string()])
        .code(5)
        .stderr(predicates::str::contains("alert-comment"));
    vault.ok(&["alerts", "ack", &seq.to_string(), "--comment", "bob mistyped"]);
    assert_eq!(vault.json(&["alerts"]).as_array().unwrap().len(), 0);
    assert!(vault.ok(&["alerts"]).contains("No open alerts."));
    // A second acknowledgement finds nothing open (1).
    vault
        .run(&["alerts", "ack", &seq.to_string(), "--comment", "again"])
        .code(1);
    let history = vault.json(&["alerts", "history"]);
    let history = history.as_array().unwrap();
    assert_eq!(history.len(), 1);
    assert_eq!(history[0]["details"]["alert"], seq);
    assert_eq!(history[0]["details"]["comment"], "bob mistyped");

    // By default the comment is optional, and none is recorded when none is given.
    vault.ok(&["policy", "set", "alert-comment-required", "no"]);
    vault.run_as("bob", &wrong, &["list"]).code(3);
    let second = vault.json(&["alerts"])[0]["seq"].as_u64().unwrap();
    vault.ok(&["alerts", "ack", &second.to_string()]);
    let history = vault.json(&["alerts", "history"]);
    assert_eq!(history[1]["details"]["alert"], second);
    assert!(history[1]["details"].get("comment").is_none(), "{history}");
}

#[test]
fn ledger_events_are_filtered_and_paged() {
    let vault = TestVault::new();
    let secret = vault.file("secret.txt", b"secret survey");
    let internal = vault.file("internal.txt", b"internal memo");
    let controls = vault.import(&[&secret], "secret");
    vault.import(&[&internal], "internal");
    let bob = vault.add_ready_user("bob", "operator", "internal", "bob's long passphrase");

    let imports = vault.json(&["ledger", "events", "--action", "item.import"]);
    assert_eq!(imports.as_array().unwrap().len(), 2);
    let about = vault.json(&["ledger", "events", "--item", &controls[0]]);
    assert!(
        about
            .as_array()
            .unwrap()
            .iter()
            .all(|e| e["subject"] == controls[0].as_str())
    );
    // Paged: two at a time, the next page after the last seq shown.
    let first = vault.json(&["ledger", "events", "--limit", "2"]);
    let first = first.as_array().unwrap();
    assert_eq!(first.len(), 2);
    let last = first[1]["seq"].as_u64().unwrap().to_string();
    let next = vault.json(&["ledger", "events", "--limit", "2", "--after", &last]);
    assert!(next.as_array().unwrap()[0]["seq"].as_u64().unwrap() > first[1]["seq"].as_u64().unwrap());
    // An operator sees events up to their clearance only.
    let out = vault
        .run_as("bob", &bob, &["ledger", "events", "--action", "item.import", "--json"])
        .success();
    let seen: serde_json::Value = serde_json::from_slice(&out.get_output().stdout).unwrap();
    let levels: Vec<&str> = seen
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["level"].as_str().unwrap())
        .collect();
    assert_eq!(levels, ["internal"]);
    assert!(
        vault
            .ok(&["ledger", "events", "--action", "item.import"])
            .contains("item.import")
    );
}

#[test]
fn recovery_code_reissue_replaces_the_code_and_raises_an_alert() {
    let vault = TestVault::new();
    // A script must confirm; nothing changes without it.
    vault
        .run(&["recovery-code", "reissue", "--reason", "used for a recovery"])
        .code(2)
        .stderr(predicates::str::contains("--yes"));
    let out = vault.json(&["recovery-code", "reissue", "--reason", "used for a recovery", "--yes"]);
    let code = out["recovery_code"].as_str().unwrap().to_string();
    assert_ne!(code, vault.recovery_code);
    let alerts = vault.json(&["alerts"]);
    assert_eq!(alerts[0]["action"], "recovery.reissue");
    let new_pw = vault.file("recovered", b"recovered passphrase!\n");
    let recover = |code_text: &str| {
        let file = vault.file("code", format!("{code_text}\n").as_bytes());
        vault
            .cmd()
            .args(["recover", "--recovery-code-file"])
            .arg(&file)
            .arg("--new-password-file")
            .arg(&new_pw)
            .assert()
    };
    recover(&vault.recovery_code).code(3);
    recover(&code).success();
    vault.run_as("alice", &new_pw, &["list"]).success();
}
