//! Attacks through the terminal and the record (issue 21): hostile names in output, titles
//! and notes kept out of the process list, failed sign-ins under any name someone types,
//! and rows changed by hand that must read as tampering.

use strongroom::Error;
use strongroom::crypto::Password;

use crate::support::TestVault;
use crate::support::cli::export_args;
use crate::support::insider;
use crate::support::station::LibVault;

fn pw(text: &str) -> Password {
    Password::new(text.to_string())
}

fn login_failures(vault: &LibVault) -> Vec<serde_json::Value> {
    insider::events(&vault.db())
        .into_iter()
        .filter(|e| e["action"] == "auth.login_failed")
        .collect()
}

#[test]
fn failed_sign_ins_under_typed_names_are_capped_escaped_and_counted_once_per_window() {
    let (vault, mut station) = LibVault::new();
    station.lock();
    let hostile = format!("mallory\u{1b}]0;owned\u{7}\u{202e}{}", "x".repeat(100_000));
    for _ in 0..5 {
        assert!(matches!(
            station.unlock(&hostile, &pw("guess guess guess")),
            Err(Error::AuthenticationFailed { .. })
        ));
    }
    let events = login_failures(&vault);
    assert_eq!(events.len(), 1, "one event for the window's first failure");
    let actor = events[0]["actor"].as_str().unwrap();
    assert!(actor.len() <= 64, "the name is capped: {} bytes", actor.len());
    assert!(
        !actor.chars().any(|c| c.is_control() || c == '\u{202e}'),
        "the name is escaped: {actor:?}"
    );
    assert!(actor.starts_with("mallory\\u{1b}]0;owned"), "{actor}");
    assert!(
        vault
            .db()
            .query_row(
                "SELECT max(length(canonical)) FROM events WHERE action = 'auth.login_failed'",
                [],
                |r| r.get::<_, i64>(0)
            )
            .unwrap()
            < 2000
    );

    // The window closes at the next failure after it: the four repeats become one event.
    vault.clock.advance(time::Duration::seconds(61));
    let _ = station.unlock(&hostile, &pw("guess guess guess"));
    let events = login_failures(&vault);
    assert_eq!(events.len(), 3);
    assert_eq!(events[1]["details"]["repeated"], 4);
    assert!(
        events[2]["details"].get("repeated").is_none(),
        "a new window's first failure"
    );

    // Or at the next open: none is lost when nobody tries again.
    for _ in 0..2 {
        let _ = station.unlock(&hostile, &pw("guess guess guess"));
    }
    drop(station);
    vault.clock.advance(time::Duration::seconds(61));
    let station = strongroom::Station::open_with(
        &vault.root,
        strongroom::station::OpenOptions::with_clock(vault.clock.clone()),
    )
    .unwrap();
    drop(station);
    let events = login_failures(&vault);
    assert_eq!(events.len(), 4);
    assert_eq!(events[3]["details"]["repeated"], 2);
    // A possible account name is recorded whole, however many bytes its script takes.
    let long_name = "名".repeat(30);
    let mut station = strongroom::Station::open_with(
        &vault.root,
        strongroom::station::OpenOptions::with_clock(vault.clock.clone()),
    )
    .unwrap();
    let _ = station.unlock(&long_name, &pw("guess guess guess"));
    drop(station);
    let events = login_failures(&vault);
    assert_eq!(events.last().unwrap()["actor"], long_name.as_str());
    let events: Vec<_> = events
        .into_iter()
        .filter(|e| e["actor"] != long_name.as_str())
        .collect();
    let total: u64 = events
        .iter()
        .map(|e| e["details"]["repeated"].as_u64().unwrap_or(1))
        .sum();
    assert_eq!(total, 8, "every failure is counted");
}

#[test]
fn hostile_names_reach_the_terminal_escaped() {
    let vault = TestVault::new();
    let name = "report\u{1b}]0;owned\u{7}\u{1b}[2J\u{202e}fdp.exe";
    let src = vault.file(name, b"content");
    let control = vault.import(&[&src], "internal").remove(0);
    let out = vault.scratch("out");
    std::fs::create_dir_all(&out).unwrap();
    // Another user's export line names the file: escaped.
    let line = vault.ok(&export_args(&control, out.to_str().unwrap(), &[]));
    assert!(!line.contains('\u{1b}') && !line.contains('\u{202e}'), "{line:?}");
    assert!(line.contains("report\\u{1b}]0;owned"), "{line}");
    // An error quoting it: escaped too.
    let stderr = crate::support::stderr(&vault.run(&export_args(&control, out.to_str().unwrap(), &[])).failure());
    assert!(stderr.contains("already exists"), "{stderr}");
    assert!(!stderr.contains('\u{1b}') && !stderr.contains('\u{202e}'), "{stderr:?}");
    let shown = vault.ok(&["show", &control]);
    assert!(!shown.contains('\u{1b}') && !shown.contains('\u{202e}'), "{shown:?}");
}

#[test]
fn titles_and_notes_come_from_files_or_a_prompt_not_argv() {
    let vault = TestVault::new();
    let src = vault.file("site.kml", b"<kml/>");
    let title = vault.file("title.txt", "Site 7 — survey of the eastern approach\r\n".as_bytes());
    let notes = vault.file("notes.txt", b"line one\nline two\n");
    let json = vault.json(&[
        "import",
        src.to_str().unwrap(),
        "--level",
        "internal",
        "--title-file",
        title.to_str().unwrap(),
        "--notes-file",
        notes.to_str().unwrap(),
    ])["imported"]
        .clone();
    let control = json[0]["control_number"].as_str().unwrap().to_string();
    assert_eq!(json[0]["title"], "Site 7 — survey of the eastern approach");
    let shown = vault.json(&["show", &control]);
    assert_eq!(shown["notes"], "line one\nline two");
    // `-` asks at the terminal; a script without one is told what to use instead.
    let out = vault.run(&["import", src.to_str().unwrap(), "--level", "internal", "--title", "-"]);
    assert_eq!(crate::support::code(&out), 2);
    assert!(crate::support::stderr(&out).contains("--title-file"));
    // Both at once is a usage error.
    let out = vault.run(&[
        "import",
        src.to_str().unwrap(),
        "--level",
        "internal",
        "--title",
        "x",
        "--title-file",
        title.to_str().unwrap(),
    ]);
    assert_eq!(crate::support::code(&out), 2);
    let help = vault.ok(&["import", "--help"]);
    assert!(help.contains("--title-file") && help.contains("process list"), "{help}");
}

#[test]
fn an_unknown_role_in_a_user_row_is_tampering() {
    let vault = TestVault::new();
    let db = vault.db();
    db.execute_batch("PRAGMA ignore_check_constraints = ON; UPDATE users SET role = 'king' WHERE name = 'alice';")
        .unwrap();
    drop(db);
    let out = vault.run(&["list"]);
    assert_eq!(crate::support::code(&out), 6, "{}", crate::support::stderr(&out));
}
