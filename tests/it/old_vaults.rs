//! Vaults written by older binaries keep opening. Each fixture in `tests/fixtures/` was
//! written by a binary of its schema (`make-old-vault.sh` says which) and is committed as
//! written; here today's code opens a copy, migrates it, verifies its ledger and exports
//! every item, the way application-services tests an old schema's upgrade. Every later
//! migration adds the vault of the schema before it, made by the binary before it. (Schemas
//! 1 and 2 landed together, so no station ever held a schema-1 vault: a vault written by an
//! intermediate schema-1 build fails verification as it should, since its events carry no
//! leaf hashes, and there is no fixture of it.)

use std::os::unix::fs::PermissionsExt;

use serde_json::Value;
use strongroom::db::SCHEMA_VERSION;

use crate::support::TestVault;
use crate::support::cli::export_args;
use crate::support::files::copy_private;

/// Copy `tests/fixtures/<name>` into a new test directory as its vault, with the directories
/// git does not keep (`tmp/`, `quarantine/`, empty fans) and the modes it does not keep.
fn restore(name: &str) -> TestVault {
    let vault = TestVault::uninitialized();
    let fixture = crate::support::repo_root().join("tests/fixtures").join(name);
    copy_private(&fixture, &vault.root);
    for dir in ["tmp", "quarantine", "objects"] {
        std::fs::create_dir_all(vault.root.join(dir)).unwrap();
        std::fs::set_permissions(vault.root.join(dir), PermissionsExt::from_mode(0o700)).unwrap();
    }
    vault
}

fn user_version(vault: &TestVault) -> i64 {
    vault.db().query_row("PRAGMA user_version", [], |r| r.get(0)).unwrap()
}

/// What `make-vault-schema-3.sh` imported: each file holds its name and a newline, repeated
/// to 20 000 bytes.
fn content_of(name: &str) -> Vec<u8> {
    format!("{name}\n").bytes().cycle().take(20_000).collect()
}

/// Open the fixture of `schema` with today's code: it migrates to today's schema, its ledger
/// verifies, every active item exports with its content and notes, and the recovery code
/// written down at its `init` still recovers the officer.
fn opens_verifies_and_exports(schema: i64) {
    let name = format!("vault-schema-{schema}");
    let vault = restore(&name);
    assert_eq!(
        user_version(&vault),
        schema,
        "the fixture is the vault as its binary wrote it"
    );

    let report = vault.json(&["ledger", "verify"]);
    assert_eq!(report["ok"], true, "{report}");
    assert_eq!(
        user_version(&vault),
        SCHEMA_VERSION,
        "opening migrated it to today's schema"
    );
    // Each later step, as it left the tables: schema 4 records what exports leave outside
    // the vault by kind, device and inode; schema 5 counts failed sign-ins per name.
    let columns = |table: &str| -> Vec<String> {
        let db = vault.db();
        let mut stmt = db
            .prepare(&format!("SELECT name FROM pragma_table_info('{table}')"))
            .unwrap();
        stmt.query_map([], |r| r.get(0)).unwrap().map(Result::unwrap).collect()
    };
    assert!(
        ["kind", "dev", "ino"]
            .iter()
            .all(|c| columns("export_temps").contains(&c.to_string())),
        "step 4"
    );
    assert_eq!(
        columns("sign_in_failures"),
        ["name", "reason", "window_start", "count"],
        "step 5"
    );
    // Schema 9: every existing item at object version 0 (its old file name), and the table
    // of re-encryptions under way.
    assert!(columns("items").contains(&"object_version".to_string()), "step 9");
    let versions: i64 = vault
        .db()
        .query_row("SELECT COUNT(*) FROM items WHERE object_version != 0", [], |r| r.get(0))
        .unwrap();
    assert_eq!(versions, 0, "step 9");
    assert_eq!(
        columns("object_rewrites"),
        ["item", "old_version", "new_version", "owner"],
        "step 9"
    );

    // What make-old-vault.sh imported; from schema 3 on, the last one was destroyed.
    let mut expected = vec![
        ("SR-2026-000001", "harbour.tif", "secret"),
        ("SR-2026-000002", "roads.shp", "confidential"),
        ("SR-2026-000003", "notes.txt", "internal"),
        ("SR-2026-000004", "public.kml", "unclassified"),
        ("SR-2026-000005", "plan.pdf", "top-secret"),
    ];
    if schema < 3 {
        expected.push(("SR-2026-000006", "superseded.tif", "internal"));
    }
    let listed = vault.json(&["list"]);
    let items: Vec<(String, String, String)> = listed
        .as_array()
        .unwrap()
        .iter()
        .map(|i| {
            let text = |k: &str| i[k].as_str().unwrap().to_string();
            (text("control_number"), text("title"), text("level"))
        })
        .collect();
    let expected: Vec<(String, String, String)> = expected
        .into_iter()
        .map(|(c, t, l)| (c.to_string(), t.to_string(), l.to_string()))
        .collect();
    assert_eq!(items, expected, "every active item");
    let out = vault.scratch("out");
    std::fs::create_dir_all(&out).unwrap();
    for (control, title, _) in &items {
        let shown: Value = vault.json(&["show", control]);
        assert_eq!(shown["notes"], format!("fixture {title}"), "{shown}");
        vault.ok(&export_args(control, out.to_str().unwrap(), &[]));
        assert!(
            std::fs::read(out.join(title)).unwrap() == content_of(title),
            "{control}"
        );
    }
    if schema >= 3 {
        // The destroyed item: its tombstone, read from the upgraded vault's ledger.
        let tomb: Value = vault.json(&["show", "SR-2026-000006"]);
        assert_eq!(tomb["status"], "destroyed", "{tomb}");
        assert_eq!(tomb["tombstone"]["control_number"], "SR-2026-000006");
        assert!(tomb["tombstone"].get("title").is_none());
        // bob, an operator cleared to confidential, sees and opens only what he may.
        let bob = vault.file("bob.pw", b"bob's long passphrase\n");
        let seen = vault.run_as("bob", &bob, &["list", "--json"]).success();
        let seen: Value = serde_json::from_slice(&seen.get_output().stdout).unwrap();
        assert_eq!(seen.as_array().unwrap().len(), 3, "{seen}");
        vault
            .run_as("bob", &bob, &export_args("SR-2026-000001", out.to_str().unwrap(), &[]))
            .code(5);
    }

    // An upgraded item's level is raised: re-encrypted to object version 1, and it exports.
    let raised = vault.json(&[
        "custody",
        "raise",
        "SR-2026-000002",
        "--to",
        "secret",
        "--reason",
        "upgraded",
        "--yes",
    ]);
    assert_eq!(raised["object_version"], 1, "{raised}");
    let again = vault.scratch("raised");
    std::fs::create_dir_all(&again).unwrap();
    vault.ok(&export_args("SR-2026-000002", again.to_str().unwrap(), &[]));
    assert!(std::fs::read(again.join("roads.shp")).unwrap() == content_of("roads.shp"));

    // The recovery code written down at init still recovers the officer.
    let fixtures = crate::support::repo_root().join("tests/fixtures");
    let code = std::fs::read_to_string(fixtures.join(format!("{name}.recovery.json"))).unwrap();
    let code: Value = serde_json::from_str(&code).unwrap();
    let code_file = vault.file("code", code["recovery_code"].as_str().unwrap().as_bytes());
    let new_pw = vault.file("new.pw", b"a new passphrase after recovery\n");
    vault
        .cmd()
        .args(["recover", "--recovery-code-file", code_file.to_str().unwrap()])
        .args(["--new-password-file", new_pw.to_str().unwrap()])
        .assert()
        .success();
    vault.run_as("alice", &new_pw, &["ledger", "verify"]).success();
}

#[test]
fn a_vault_of_schema_2_upgrades_verifies_and_exports_every_item() {
    opens_verifies_and_exports(2);
}

#[test]
fn a_vault_of_schema_3_opens_verifies_and_exports_every_item() {
    opens_verifies_and_exports(3);
}
