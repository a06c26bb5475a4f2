//! Custody through the real binary (issue 30): exit codes of refusals, the inventory's exit
//! code when it finds something, tombstones in `show` and `list --destroyed`, the Due list,
//! and the warning when a user who still holds items is disabled.

use serde_json::Value;

use crate::support::{TestVault, code, stderr};

/// alice's vault with bob (operator, secret) and carol (operator, internal), and a
/// confidential item of alice's.
fn vault() -> (TestVault, std::path::PathBuf, std::path::PathBuf, String) {
    let vault = TestVault::new();
    let bob = vault.add_ready_user("bob", "operator", "secret", "bob's long passphrase");
    let carol = vault.add_ready_user("carol", "operator", "internal", "carol's long passphrase");
    let file = vault.file("survey.tif", b"survey of the harbour");
    let control = vault.import(&[&file], "confidential").remove(0);
    (vault, bob, carol, control)
}

#[test]
fn custody_refusals_exit_5_and_change_nothing() {
    let (vault, bob, carol, control) = vault();
    // Offered to someone not cleared for it.
    let out = vault.run(&["custody", "transfer", &control, "--to", "carol"]);
    assert_eq!(code(&out), 5, "{}", stderr(&out));
    assert!(stderr(&out).contains("cleared to internal"), "{}", stderr(&out));
    vault.ok(&[
        "custody",
        "transfer",
        &control,
        "--to",
        "bob",
        "--note",
        "for the survey",
    ]);
    // Accepted by someone it was not offered to (carol cannot even see it: not found).
    let out = vault.run_as("carol", &carol, &["custody", "accept", &control]);
    assert_ne!(code(&out), 0);
    // bob accepts; he cannot raise it to a level he does not hold.
    vault.run_as("bob", &bob, &["custody", "accept", &control]).success();
    let out = vault.run_as(
        "bob",
        &bob,
        &[
            "custody",
            "raise",
            &control,
            "--to",
            "top-secret",
            "--reason",
            "x",
            "--yes",
        ],
    );
    assert_eq!(code(&out), 5, "{}", stderr(&out));
    // A script must confirm a raise.
    let out = vault.run_as(
        "bob",
        &bob,
        &["custody", "raise", &control, "--to", "secret", "--reason", "x"],
    );
    assert_eq!(code(&out), 2, "{}", stderr(&out));
    // A retention date in the past.
    let out = vault.run_as(
        "bob",
        &bob,
        &["custody", "retention", &control, "--until", "2001-01-01"],
    );
    assert_eq!(code(&out), 1, "{}", stderr(&out));
    let shown: Value = vault.json(&["show", &control]);
    assert_eq!(shown["custodian"], "bob");
    assert_eq!(shown["level"], "confidential");
    assert!(shown["retain_until"].is_null());
    let refused: Vec<String> = vault
        .events()
        .iter()
        .filter(|e| e["action"] == "custody.refused")
        .map(|e| e["details"]["attempt"].as_str().unwrap().to_string())
        .collect();
    assert_eq!(refused, ["offer", "raise"]);
}

#[test]
fn the_inventory_exits_6_naming_what_it_found() {
    let (vault, _, _, control) = vault();
    let clean = vault.json(&["inventory", "--deep"]);
    assert_eq!(clean["items"], 1);
    assert_eq!(clean["deep"]["checked"], 1);
    let object = vault.object_files().remove(0);
    std::fs::remove_file(&object).unwrap();
    let out = vault.run(&["inventory", "--json"]);
    assert_eq!(code(&out), 6, "{}", stderr(&out));
    let report: Value = serde_json::from_slice(&out.get_output().stdout).unwrap();
    assert_eq!(report["missing"][0]["control_number"], control.as_str());
}

#[test]
fn a_destroyed_item_shows_as_a_tombstone_and_a_leavers_holdings_are_named() {
    let (vault, bob, _, control) = vault();
    let due_date = time::OffsetDateTime::now_utc().date().to_string();
    vault.ok(&["custody", "retention", &control, "--until", &due_date]);
    let due: Value = vault.json(&["custody", "due"]);
    assert_eq!(due[0]["control_number"], control.as_str());
    vault.ok(&["custody", "transfer", &control, "--to", "bob"]);
    vault.run_as("bob", &bob, &["custody", "accept", &control]).success();
    // Disabling bob names what he still holds.
    let out = vault.run(&["user", "disable", "bob", "--reason", "left the unit", "--yes"]);
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    assert!(stderr(&out).contains(&control), "{}", stderr(&out));
    let moved: Value = vault.json(&[
        "custody", "reassign", "--from", "bob", "--to", "alice", "--reason", "bob left", "--yes",
    ]);
    assert_eq!(moved["items"][0], control.as_str());
    vault.ok(&["destroy", &control, "--reason", "due", "--yes"]);
    let shown: Value = vault.json(&["show", &control]);
    assert_eq!(shown["status"], "destroyed");
    assert_eq!(shown["tombstone"]["destroyed_by"], "alice");
    assert_eq!(shown["tombstone"]["custodian"], "alice");
    let listed: Value = vault.json(&["list", "--destroyed"]);
    assert_eq!(listed.as_array().unwrap().len(), 1);
    assert!(!serde_json::to_string(&listed).unwrap().contains("survey.tif"));
    assert_eq!(vault.json(&["custody", "due"]), serde_json::json!([]));
}
