//! Custody rules in the library (issue 24, part 1): only an item's custodian or a security
//! officer destroys it, and an officer destroying another custodian's item raises an alert.
//! The custodian is the one the item's custody history names, not its row.

use strongroom::accounts::Role;
use strongroom::accounts::availability::{Unavailable, WayBack};
use strongroom::ledger::alert::{Finding, NextStep};
use strongroom::progress::Progress;
use strongroom::station::Confirmed;
use strongroom::{ControlNumber, Error, Level, Station};

use crate::support::PASSWORD;
use crate::support::accounts::{BOB_PW, add_ready_user, fixture};
use crate::support::station::{LibVault, pw};

/// Sign out and in as `user`.
fn switch(station: &mut Station, user: &str, password: &str) {
    station.lock();
    station.unlock(user, &pw(password)).unwrap();
}

/// alice's item and bob's item, both internal (below the two-person level).
fn two_items() -> (LibVault, Station, String, String) {
    let (vault, mut station) = fixture();
    let alices = vault.import(&mut station, "alice-plan.txt", Level::Internal);
    switch(&mut station, "bob", BOB_PW);
    let bobs = vault.import(&mut station, "bob-notes.txt", Level::Internal);
    (vault, station, alices, bobs)
}

#[test]
fn an_operator_destroys_only_what_they_hold() {
    let (vault, mut station, alices, bobs) = two_items();
    let refused = station.destroy_item(&alices, "tidying up");
    assert!(
        matches!(&refused, Err(Error::Denied { rule: "custodian", message }) if message.contains("alice")),
        "{refused:?}"
    );
    station.destroy_item(&bobs, "superseded").unwrap();
    let actions = vault.actions();
    assert_eq!(actions.iter().filter(|a| *a == "item.destroy").count(), 1);
    assert!(!actions.iter().any(|a| a == "custody.alert"), "his own item: no alert");
}

#[test]
fn an_officer_destroying_another_custodians_item_raises_an_alert() {
    let (_vault, mut station, _alices, bobs) = two_items();
    switch(&mut station, "alice", PASSWORD);
    station.destroy_item(&bobs, "found on the wrong shelf").unwrap();
    let alerts = station.alerts().unwrap();
    let alert = alerts
        .iter()
        .find(|a| a.action == "custody.alert")
        .expect("a custody alert");
    assert_eq!(
        alert.finding,
        Finding::DestroyedByAnother {
            control_number: bobs.clone(),
            custodian: "bob".into(),
            destroyed_by: "alice".into(),
        }
    );
    assert_eq!(alert.actor, "alice");
    assert_eq!(alert.next[0], NextStep::ReviewTheDestruction);
}

#[test]
fn a_custodian_changed_by_sql_does_not_let_an_operator_destroy() {
    let (vault, mut station, alices, _bobs) = two_items();
    let control = ControlNumber::parse(&alices).unwrap();
    vault
        .db()
        .execute(
            "UPDATE items SET custodian = (SELECT id FROM users WHERE name = 'bob')
             WHERE control_year = ?1 AND control_serial = ?2",
            rusqlite::params![control.year, control.serial],
        )
        .unwrap();
    let refused = station.destroy_item(&alices, "mine now");
    assert!(matches!(refused, Err(Error::Integrity { .. })), "{refused:?}");
    assert!(!vault.actions().iter().any(|a| a == "item.destroy"));
}

#[test]
fn exports_need_a_reason_from_the_policys_level_and_record_it() {
    let (vault, mut station) = LibVault::new();
    let internal = vault.import(&mut station, "memo.txt", Level::Internal);
    let confidential = vault.import(&mut station, "plan.txt", Level::Confidential);
    let out = |name: &str| vault.files.join(name);
    // Below the policy's level (confidential by default) a reason is optional.
    station
        .export(&internal, &out("memo.out"), false, "", &Progress::new())
        .unwrap();
    let refused = station.export(&confidential, &out("plan.out"), false, "  ", &Progress::new());
    assert!(
        matches!(
            &refused,
            Err(Error::Denied {
                rule: "export-reason",
                ..
            })
        ),
        "{refused:?}"
    );
    assert!(!out("plan.out").exists());
    station
        .export(
            &confidential,
            &out("plan.out"),
            false,
            "for the survey team",
            &Progress::new(),
        )
        .unwrap();
    let exports: Vec<serde_json::Value> = crate::support::insider::events(&vault.db())
        .into_iter()
        .filter(|e| e["action"] == "item.export")
        .collect();
    assert!(exports[0]["details"].get("reason").is_none());
    assert_eq!(exports[1]["details"]["reason"], "for the survey team");
    // An officer raises the level: confidential exports go without a reason.
    station.set_policy("export-reason-level", "secret").unwrap();
    station
        .export(&confidential, &out("plan-2.out"), false, "", &Progress::new())
        .unwrap();
}

#[test]
fn the_cli_confirms_exports_and_downgrades_naming_item_level_and_destination() {
    let vault = crate::support::TestVault::new();
    let file = vault.file("plan.txt", b"plan");
    let control = vault.import(&[&file], "secret").remove(0);
    let dest = vault.scratch("plan.out");
    let dest_text = dest.to_str().unwrap();
    // In a script without --yes: a usage error naming what would happen, and no file.
    let refused = vault.run(&["export", &control, "--to", dest_text, "--reason", "survey"]);
    let said = crate::support::stderr(&refused);
    assert_eq!(crate::support::code(&refused), 2, "{said}");
    assert!(
        said.contains(&control) && said.contains("SECRET") && said.contains(dest_text),
        "{said}"
    );
    assert!(said.contains("\"plan.txt\""), "the title is named: {said}");
    assert!(!dest.exists());
    // With --yes but no reason at secret: refused by the policy (5).
    vault.run(&["export", &control, "--to", dest_text, "--yes"]).code(5);
    vault.ok(&["export", &control, "--to", dest_text, "--yes", "--reason", "survey"]);
    assert!(dest.exists());
    let downgrade = vault.run(&["downgrade", &control, "--to", "confidential", "--reason", "released"]);
    let said = crate::support::stderr(&downgrade);
    assert_eq!(crate::support::code(&downgrade), 2, "{said}");
    assert!(said.contains("from SECRET to CONFIDENTIAL"), "{said}");
    // Destroy names the item, its title and level, and that it is for good.
    let destroy = vault.run(&["destroy", &control, "--reason", "superseded"]);
    let said = crate::support::stderr(&destroy);
    assert_eq!(crate::support::code(&destroy), 2, "{said}");
    for part in [control.as_str(), "\"plan.txt\"", "(SECRET)", "cannot be undone"] {
        assert!(said.contains(part), "{part} in {said}");
    }
}

#[test]
fn a_confirmation_names_item_title_level_and_destination_to_those_cleared() {
    let (vault, mut station) = fixture();
    let control = vault.import(&mut station, "harbour.tif", Level::Secret);
    let asked = station
        .confirmation(
            &control,
            Confirmed::Export {
                to: "/media/stick/harbour.tif".into(),
            },
        )
        .unwrap();
    assert_eq!(
        serde_json::to_value(&asked).unwrap(),
        serde_json::json!({"action": "export", "to": "/media/stick/harbour.tif", "control_number": control,
            "title": "harbour.tif", "level": "secret"})
    );
    assert!(asked.to_string().contains("writes its plaintext outside the vault"));
    // Someone not cleared to the item is told nothing about it.
    add_ready_user(
        &mut station,
        "erin",
        Role::Operator,
        Level::Internal,
        "erin's own passphrase",
    );
    switch(&mut station, "erin", "erin's own passphrase");
    assert!(station.confirmation(&control, Confirmed::Destroy).is_err());
}

/// The fixture after alice used the recovery code for herself, signed in again.
fn alice_recovered() -> (LibVault, Station) {
    let (vault, mut station) = fixture();
    station.lock();
    station
        .recover("alice", &vault.recovery, &pw("alice's recovered passphrase"))
        .unwrap();
    station.unlock("alice", &pw("alice's recovered passphrase")).unwrap();
    (vault, station)
}

#[test]
fn a_recovery_is_an_alert_that_its_subject_does_not_close_while_another_officer_can() {
    let (_vault, mut station) = alice_recovered();
    let alert = station
        .alerts()
        .unwrap()
        .into_iter()
        .find(|a| a.action == "user.recover")
        .expect("the use of the recovery code is an alert");
    assert_eq!(alert.subject, "alice");
    let refused = station.acknowledge_alert(alert.seq, "that was me");
    assert!(
        matches!(
            refused,
            Err(Error::Denied {
                rule: "separation-of-duties",
                ..
            })
        ),
        "{refused:?}"
    );
    switch(&mut station, "carol", crate::support::accounts::CAROL_PW);
    station
        .acknowledge_alert(alert.seq, "alice lost her password; checked in person")
        .unwrap();
    assert!(!station.alerts().unwrap().iter().any(|a| a.seq == alert.seq));
}

#[test]
fn an_alert_renamed_by_sql_is_still_about_its_subject() {
    let (vault, mut station) = alice_recovered();
    // The insider rewrites who the alert is about and who acted, in the query columns.
    let db = crate::support::insider::unguarded(&vault.root);
    db.execute(
        "UPDATE events SET subject = 'bob', actor = 'bob' WHERE action = 'user.recover'",
        [],
    )
    .unwrap();
    let alert = station
        .alerts()
        .unwrap()
        .into_iter()
        .find(|a| a.action == "user.recover")
        .unwrap();
    assert_eq!((alert.subject.as_str(), alert.actor.as_str()), ("alice", "recovery"));
    assert!(matches!(
        station.acknowledge_alert(alert.seq, "not about me, says the column"),
        Err(Error::Denied {
            rule: "separation-of-duties",
            ..
        })
    ));
}

#[test]
fn the_last_officer_waits_instead_of_being_locked_out_for_good() {
    let (vault, mut station) = LibVault::new();
    station.set_policy("backoff-base-seconds", "0").unwrap();
    station.set_policy("lockout-attempts", "2").unwrap();
    station.lock();
    for _ in 0..2 {
        assert!(matches!(
            station.unlock("alice", &pw("not alice's password")),
            Err(Error::AuthenticationFailed { .. })
        ));
    }
    // Not locked: the alert says how long she waits; meanwhile even the right password waits.
    let locked: Option<String> = vault
        .db()
        .query_row("SELECT locked_at FROM login_failures", [], |r| r.get(0))
        .unwrap();
    assert_eq!(locked, None);
    let lockout = crate::support::insider::events(&vault.db())
        .into_iter()
        .rfind(|e| e["action"] == "auth.lockout")
        .unwrap();
    assert_eq!(lockout["details"]["waits_minutes"], 60);
    let waits = station.unlock("alice", &pw(PASSWORD));
    match waits {
        Err(Error::AccountUnavailable {
            state:
                state @ Unavailable::Waiting {
                    failures: 2,
                    last_officer: true,
                    ..
                },
            ..
        }) => {
            assert_eq!(
                state.ways_back()[1],
                WayBack::RecoveryCode,
                "the recovery code is offered"
            );
        }
        other => panic!("expected the last officer's wait, got {other:?}"),
    }
    vault.clock.advance(time::Duration::minutes(61));
    station.unlock("alice", &pw(PASSWORD)).unwrap();
}

#[test]
fn an_officer_with_another_officer_is_locked_out_as_anyone() {
    let (vault, mut station) = fixture();
    station.set_policy("backoff-base-seconds", "0").unwrap();
    station.set_policy("lockout-attempts", "2").unwrap();
    station.lock();
    for _ in 0..2 {
        assert!(station.unlock("alice", &pw("not alice's password")).is_err());
    }
    vault.clock.advance(time::Duration::days(2));
    let refused = station.unlock("alice", &pw(PASSWORD));
    assert!(
        matches!(
            &refused,
            Err(Error::AccountUnavailable {
                state: Unavailable::Locked { failures: 2 },
                ..
            })
        ),
        "{refused:?}"
    );
}

#[test]
fn a_request_on_an_item_whose_level_was_lowered_by_sql_is_not_decided() {
    let (vault, mut station) = fixture();
    add_ready_user(
        &mut station,
        "erin",
        Role::Officer,
        Level::Secret,
        "erin's long passphrase",
    );
    let plan = vault.import(&mut station, "ts-plan.txt", Level::TopSecret);
    switch(&mut station, "carol", crate::support::accounts::CAROL_PW);
    let request = match station.destroy_item(&plan, "superseded") {
        Err(Error::ApprovalRequired { request, .. }) => request,
        other => panic!("{other:?}"),
    };
    let control = ControlNumber::parse(&plan).unwrap();
    vault
        .db()
        .execute(
            "UPDATE items SET level = 3 WHERE control_year = ?1 AND control_serial = ?2",
            rusqlite::params![control.year, control.serial],
        )
        .unwrap();
    // The request row too, so the two rows agree with each other.
    vault
        .db()
        .execute("UPDATE requests SET level = 3 WHERE id = ?1", [request as i64])
        .unwrap();
    // erin (an officer cleared to SECRET) may not decide on a TOP SECRET item's request.
    switch(&mut station, "erin", "erin's long passphrase");
    let refused = station.approve_request(request, "looks fine");
    assert!(matches!(refused, Err(Error::Integrity { .. })), "{refused:?}");
    assert!(!vault.actions().iter().any(|a| a == "request.approve"));
}
