//! End-to-end through the real binary: the happy path, exactly one event per operation, and
//! the exit codes of DESIGN.md §4a.

use crate::support::cli::export_args;
use crate::support::{PASSWORD, TestVault, pseudo_random, sha256_file, stderr};
use predicates::str::contains;

#[test]
fn import_list_show_export_round_trip_with_json() {
    let vault = TestVault::new();
    let data = pseudo_random(3 * 1024 * 1024 + 17, 1);
    let src = vault.file("harbour.tif", &data);
    let imported = vault.json(&[
        "import",
        src.to_str().unwrap(),
        "--level",
        "secret",
        "--title",
        "Harbour survey",
    ]);
    assert_eq!(imported["failed"], serde_json::json!([]));
    let item = &imported["imported"][0];
    assert_eq!(item["title"], "Harbour survey");
    assert_eq!(item["level"], "secret");
    assert_eq!(item["category"], "raster");
    assert_eq!(item["size"], data.len());
    assert_eq!(item["custodian"], "alice");
    assert_eq!(item["status"], "active");
    let control = item["control_number"].as_str().unwrap().to_string();
    assert!(control.starts_with("SR-20") && control.len() == 14, "{control}");

    let listed = vault.json(&["list"]);
    assert_eq!(listed.as_array().unwrap().len(), 1);
    let shown = vault.json(&["show", &control]);
    assert_eq!(shown["original_name"], "harbour.tif");
    assert_eq!(shown["sha256"], sha256_file(&src));
    assert_eq!(shown["events"][0]["action"], "item.import");
    // The same item by uuid.
    let by_id = vault.json(&["show", shown["id"].as_str().unwrap()]);
    assert_eq!(by_id["control_number"], control.as_str());

    let out = vault.scratch("out/harbour-copy.tif");
    let report = vault.json(&export_args(&control, out.to_str().unwrap(), &[]));
    assert_eq!(report["sha256"], sha256_file(&out));
    assert_eq!(std::fs::read(&out).unwrap(), data);
    use std::os::unix::fs::PermissionsExt;
    assert_eq!(
        std::fs::metadata(&out).unwrap().permissions().mode() & 0o777,
        0o600,
        "exports are private to their owner"
    );
    // Nothing but the exported file appeared in the destination directory.
    assert_eq!(std::fs::read_dir(out.parent().unwrap()).unwrap().count(), 1);
}

#[test]
fn every_operation_writes_exactly_its_event() {
    let vault = TestVault::new();
    assert_eq!(vault.actions_since(0), ["station.init", "user.create"]);

    let a = vault.file("a.pdf", b"alpha");
    let b = vault.file("b.kml", b"bravo");
    let n = vault.events().len();
    let controls = vault.import(&[&a, &b], "internal");
    assert_eq!(vault.actions_since(n), ["auth.login", "item.import", "item.import"]);

    let n = vault.events().len();
    vault.ok(&["list"]);
    assert_eq!(vault.actions_since(n), ["auth.login"]);

    let n = vault.events().len();
    let dest = vault.scratch("a-out.pdf");
    vault.ok(&export_args(&controls[0], dest.to_str().unwrap(), &[]));
    let events = vault.events();
    assert_eq!(vault.actions_since(n), ["auth.login", "item.export"]);
    let export = events.last().unwrap();
    assert_eq!(export["subject"], controls[0].as_str());
    assert_eq!(export["level"], "internal");
    assert_eq!(
        export["details"]["destination_dir"],
        dest.parent().unwrap().to_str().unwrap()
    );
    assert!(export["details"]["destination_name_sealed"].as_str().unwrap().len() > 64);
    assert_eq!(export["details"]["sha256"], sha256_file(&dest));

    vault.disable_backoff();
    let n = vault.events().len();
    let wrong = vault.file("wrong", b"not the password at all\n");
    vault.run_as("alice", &wrong, &["list"]).code(3);
    assert_eq!(vault.actions_since(n), ["auth.login_failed"]);

    let n = vault.events().len();
    let new_pw = vault.file("new", b"a brand new passphrase\n");
    vault
        .run(&["passwd", "--new-password-file", new_pw.to_str().unwrap()])
        .success();
    assert_eq!(vault.actions_since(n), ["auth.login", "user.password_change"]);

    // Exporting into a directory writes the original name there; the event seals it.
    let out_dir = vault.scratch("outdir");
    std::fs::create_dir_all(&out_dir).unwrap();
    vault
        .run_as(
            "alice",
            &new_pw,
            &export_args(&controls[1], out_dir.to_str().unwrap(), &[]),
        )
        .success();
    assert!(out_dir.join("b.kml").exists());
    let db_text = String::from_utf8_lossy(&std::fs::read(vault.root.join("strongroom.db")).unwrap()).into_owned();
    assert!(
        !db_text.contains("b.kml"),
        "an original file name reached the database in plain"
    );
    // Events carry no encrypted metadata: the title and file name never appear.
    let all = serde_json::to_string(&vault.events()).unwrap();
    assert!(
        !all.contains("a.pdf") && !all.contains("b.kml"),
        "file names leaked into the ledger"
    );
    // seq counts from 0 without gaps; times are RFC 3339 UTC with milliseconds.
    for (i, event) in vault.events().iter().enumerate() {
        assert_eq!(event["seq"], i);
        let time = event["time"].as_str().unwrap();
        assert!(time.len() == 24 && time.ends_with('Z'), "{time}");
    }
}

#[test]
fn events_cannot_be_updated_or_deleted() {
    let vault = TestVault::new();
    let db = vault.db();
    assert!(
        db.execute("UPDATE events SET actor = 'mallory' WHERE seq = 0", [])
            .is_err()
    );
    assert!(db.execute("DELETE FROM events WHERE seq = 1", []).is_err());
    assert_eq!(vault.events().len(), 2);
}

#[test]
fn exit_codes_follow_the_convention() {
    let vault = TestVault::new();
    vault.disable_backoff();
    // 2: usage (missing --level, unknown level, no user).
    let src = vault.file("x.txt", b"x");
    vault.run(&["import", src.to_str().unwrap()]).code(2);
    vault
        .run(&["import", src.to_str().unwrap(), "--level", "restricted"])
        .code(2);
    vault.cmd().env_remove("STRONGROOM_USER").arg("list").assert().code(2);
    // 2: a chunk size outside 64 KiB ..= 16 MiB.
    vault
        .run(&[
            "import",
            src.to_str().unwrap(),
            "--level",
            "internal",
            "--chunk-kib",
            "32",
        ])
        .code(2);
    // 2: no password source and no terminal.
    vault
        .cmd()
        .arg("list")
        .assert()
        .code(2)
        .stderr(contains("--password-file"));
    // 3: wrong password, unknown user (same message: which one is not told).
    let wrong = vault.file("wrong", b"wrong password here\n");
    let out = vault.run_as("alice", &wrong, &["list"]).code(3);
    let unknown = vault.run_as("mallory", &vault.password_file, &["list"]).code(3);
    assert_eq!(stderr(&out), stderr(&unknown));
    // 1: missing vault, missing item.
    vault
        .cmd()
        .env("STRONGROOM_VAULT", vault.dir.path().join("nope"))
        .arg("--password-file")
        .arg(&vault.password_file)
        .arg("list")
        .assert()
        .code(1)
        .stderr(contains("no vault at"));
    vault.run(&["show", "SR-1999-000099"]).code(1);
    // The password may also come from the environment.
    vault
        .cmd()
        .env("STRONGROOM_PASSWORD", PASSWORD)
        .arg("list")
        .assert()
        .success();
    // --help documents the exit codes.
    let help = vault.cmd().arg("--help").assert();
    let text = crate::support::stdout(&help);
    assert!(
        text.contains("Exit codes") && text.contains("integrity failure"),
        "{text}"
    );
}

#[test]
fn export_refuses_to_overwrite_unless_forced() {
    let vault = TestVault::new();
    let src = vault.file("memo.txt", b"new content");
    let control = vault.import(&[&src], "unclassified").remove(0);
    let dest = vault.file("existing.txt", b"precious");
    vault
        .run(&export_args(&control, dest.to_str().unwrap(), &[]))
        .code(1)
        .stderr(contains("--force"));
    assert_eq!(std::fs::read(&dest).unwrap(), b"precious");
    vault.ok(&export_args(&control, dest.to_str().unwrap(), &["--force"]));
    assert_eq!(std::fs::read(&dest).unwrap(), b"new content");
    // A directory as destination receives the original file name.
    let dir = vault.scratch("outdir");
    std::fs::create_dir_all(&dir).unwrap();
    vault.ok(&export_args(&control, dir.to_str().unwrap(), &[]));
    assert_eq!(std::fs::read(dir.join("memo.txt")).unwrap(), b"new content");
    assert_eq!(std::fs::read_dir(&dir).unwrap().count(), 1);
}

#[test]
fn passwd_and_recover_replace_credentials() {
    let vault = TestVault::new();
    vault.disable_backoff();
    let src = vault.file("dem.tif", b"elevation");
    let control = vault.import(&[&src], "top-secret").remove(0);

    let new_pw = vault.file("new", b"second passphrase here\n");
    vault.ok(&["passwd", "--new-password-file", new_pw.to_str().unwrap()]);
    vault
        .run(&["list"])
        .append_context("expected", "old password must stop working")
        .code(3);
    vault.run_as("alice", &new_pw, &["list"]).success();
    // Weak new passwords are refused by policy (exit 5).
    let weak = vault.file("weak", b"short\n");
    vault
        .run_as(
            "alice",
            &new_pw,
            &["passwd", "--new-password-file", weak.to_str().unwrap()],
        )
        .code(5);

    // Recovery with a wrong code fails (3); with the right code (typed loosely) it works.
    let bad_code = vault.file("bad-code", b"0000-0000-0000-0000-0000-0000-0000-0000\n");
    let recovered_pw = vault.file("recovered", b"recovered passphrase!\n");
    let mut cmd = vault.cmd();
    cmd.args([
        "recover",
        "--recovery-code-file",
        bad_code.to_str().unwrap(),
        "--new-password-file",
        recovered_pw.to_str().unwrap(),
    ]);
    cmd.assert().code(3);
    let loose = vault.file(
        "code",
        format!("{}\n", vault.recovery_code.to_lowercase().replace('-', " ")).as_bytes(),
    );
    let mut cmd = vault.cmd();
    cmd.args([
        "recover",
        "--recovery-code-file",
        loose.to_str().unwrap(),
        "--new-password-file",
        recovered_pw.to_str().unwrap(),
    ]);
    cmd.assert().success();
    vault
        .run_as("alice", &new_pw, &["list"])
        .append_context("expected", "the pre-recovery password must stop working")
        .code(3);
    vault.run_as("alice", &recovered_pw, &["list", "--json"]).success();
    // The recovered identity still opens the item (its grants were re-made).
    let dest = vault.scratch("dem-out.tif");
    vault
        .run_as(
            "alice",
            &recovered_pw,
            &export_args(&control, dest.to_str().unwrap(), &[]),
        )
        .success();
    assert_eq!(std::fs::read(&dest).unwrap(), b"elevation");
    assert!(vault.actions_since(0).contains(&"user.recover".to_string()));
}

#[test]
fn no_arguments_without_a_display_points_to_the_cli() {
    let out = crate::support::cli::strongroom()
        .env_remove("DISPLAY")
        .env_remove("WAYLAND_DISPLAY")
        .assert()
        .code(1);
    let err = stderr(&out);
    assert_eq!(err.lines().count(), 1, "{err}");
    assert!(err.contains("no display") && err.contains("strongroom --help"), "{err}");
    assert!(!err.contains("panicked"));
}

#[test]
fn officers_add_users_and_operators_stay_within_their_role_and_clearance() {
    let vault = TestVault::new();
    let secret_file = vault.file("secret.tif", b"secret survey");
    let secret = vault.import(&[&secret_file], "secret").remove(0);
    let bob_pw = vault.file("bob-pw", b"operator passphrase 1\n");
    vault
        .run(&[
            "user",
            "add",
            "bob",
            "--role",
            "operator",
            "--clearance",
            "internal",
            "--new-password-file",
            bob_pw.to_str().unwrap(),
        ])
        .success();
    let users = vault.json(&["user", "list"]);
    let names: Vec<&str> = users
        .as_array()
        .unwrap()
        .iter()
        .map(|u| u["name"].as_str().unwrap())
        .collect();
    assert_eq!(names, ["alice", "bob"]);
    assert_eq!(users[1]["clearance"], "internal");
    assert!(vault.actions_since(0).contains(&"user.create".to_string()));
    assert_eq!(users[1]["must_change_password"], true);

    // The officer chose bob's password: until bob replaces it, only `passwd` works (4).
    vault
        .run_as("bob", &bob_pw, &["list"])
        .code(4)
        .stderr(predicates::str::contains("passwd"));
    let first_pw = bob_pw;
    let bob_pw = vault.file("bob-own-pw", b"bob's own passphrase\n");
    vault
        .run_as(
            "bob",
            &first_pw,
            &["passwd", "--new-password-file", bob_pw.to_str().unwrap()],
        )
        .success();

    // Bob: no user admin, no ledger verify (role, exit 5), no secret item (clearance, exit 5).
    for args in [
        vec!["user", "list"],
        vec!["ledger", "verify"],
        vec!["show", secret.as_str()],
    ] {
        vault.run_as("bob", &bob_pw, &args).code(5);
    }
    let out = vault.run_as("bob", &bob_pw, &["list", "--json"]).success();
    assert_eq!(
        serde_json::from_slice::<serde_json::Value>(&out.get_output().stdout)
            .unwrap()
            .as_array()
            .unwrap()
            .len(),
        0
    );
    // A weak password or an unknown level is refused.
    let weak = vault.file("weak", b"short\n");
    vault
        .run(&[
            "user",
            "add",
            "carol",
            "--role",
            "operator",
            "--clearance",
            "internal",
            "--new-password-file",
            weak.to_str().unwrap(),
        ])
        .code(5);
    vault
        .run(&[
            "user",
            "add",
            "carol",
            "--role",
            "operator",
            "--clearance",
            "cosmic",
            "--new-password-file",
            bob_pw.to_str().unwrap(),
        ])
        .code(2);
}

#[test]
fn list_comes_page_by_page_and_the_whole_list_reads_as_before() {
    let vault = TestVault::new();
    let paths: Vec<_> = (0..5)
        .map(|i| vault.file(&format!("sheet-{i}.tif"), format!("sheet {i}").as_bytes()))
        .collect();
    let refs: Vec<&std::path::Path> = paths.iter().map(|p| p.as_path()).collect();
    let controls = vault.import(&refs, "internal");
    // The whole list: one pretty JSON array, printed as its pages come, and a table with
    // one header, whatever the pages.
    let all = vault.ok(&["list", "--json"]);
    let parsed: serde_json::Value = serde_json::from_str(&all).unwrap();
    let lines: Vec<&str> = all.lines().collect();
    assert_eq!((lines[0], lines[lines.len() - 1]), ("[", "]"));
    assert!(
        lines
            .iter()
            .filter(|l| l.contains("\"control_number\""))
            .all(|l| l.starts_with("    \""))
    );
    let listed: Vec<&str> = parsed
        .as_array()
        .unwrap()
        .iter()
        .map(|i| i["control_number"].as_str().unwrap())
        .collect();
    assert_eq!(listed, controls.iter().map(String::as_str).collect::<Vec<_>>());
    let table = vault.ok(&["list"]);
    assert_eq!(table.lines().filter(|l| l.starts_with("CONTROL")).count(), 1);
    assert_eq!(table.lines().count(), 6);
    // Pages: two, two, one, each saying where the next starts.
    let mut after: Option<String> = None;
    let mut pages = Vec::new();
    loop {
        let mut args = vec!["list", "--limit", "2"];
        if let Some(after) = &after {
            args.extend(["--after", after.as_str()]);
        }
        let page = vault.json(&args);
        let items: Vec<String> = page["items"]
            .as_array()
            .unwrap()
            .iter()
            .map(|i| i["control_number"].as_str().unwrap().to_string())
            .collect();
        pages.push(items);
        match page["next"].as_str() {
            Some(next) => after = Some(next.to_string()),
            None => break,
        }
    }
    assert_eq!(pages.iter().map(Vec::len).collect::<Vec<_>>(), vec![2, 2, 1]);
    assert_eq!(pages.concat(), controls);
    // An empty vault and a bad cursor.
    let empty = TestVault::new();
    assert_eq!(empty.ok(&["list", "--json"]), "[]\n");
    assert_eq!(empty.ok(&["list"]), "no items\n");
    // A cursor that is not a control number is a usage error.
    vault.run(&["list", "--after", "not-a-number"]).code(2);
}
