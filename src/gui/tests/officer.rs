//! The officers' screens in the app, headless: the ledger (verify, browse, bundles), a
//! destruction with a witness, users and policy, and alerts.

use eframe::egui;
use egui_kittest::kittest::Queryable;
use strongroom::Level;
use strongroom::crypto::Password;

use super::{ALICE_PW, Fixture, Scripted, click, insider, objects, sign_in, type_into, wait};
use crate::gui::model::{Phase, View};

#[test]
fn an_officer_sees_the_first_bad_seq_of_a_tampered_ledger() {
    let fx = Fixture::with_vault(&[("a.txt", Level::Internal)]);
    let conn = rusqlite::Connection::open(fx.root.join("strongroom.db")).unwrap();
    insider::drop_append_only_triggers(&conn);
    conn.execute("UPDATE events SET subject = 'x' WHERE seq = 1", [])
        .unwrap();
    let mut harness = fx.harness(Scripted::default());
    sign_in(&mut harness, "alice", ALICE_PW);
    wait(&mut harness, "the vault", |app| app.model.phase == Phase::Main);
    click(&mut harness, "Custody ledger");
    click(&mut harness, "Verify ledger");
    wait(&mut harness, "the verification", |app| {
        app.signed(|s| s.ledger.verify.is_some())
    });
    harness.get_by_label("LEDGER VERIFICATION FAILED — first bad event");
    harness.get_by_label("Seq 1");
    assert!(harness.query_by_label("Ledger: not signing (damaged)").is_none());
    // Signed in again, every screen says the station signs nothing until an officer acts.
    harness.key_press_modifiers(egui::Modifiers::COMMAND, egui::Key::L);
    harness.step();
    fx.clock.advance(time::Duration::seconds(1));
    sign_in(&mut harness, "alice", ALICE_PW);
    wait(&mut harness, "the vault", |app| app.model.phase == Phase::Main);
    let problem = harness.state().s().session.signing_problem.clone();
    assert_eq!(
        problem.map(|p| p.kind),
        Some(crate::gui::error_text::ErrorKind::LedgerDamaged { first_bad: Some(1) })
    );
    harness.get_by_label("Ledger: not signing (damaged)");
}

#[test]
fn an_officer_browses_the_ledger_and_checks_a_bundle() {
    let fx = Fixture::with_vault(&[("a.txt", Level::Internal), ("b.txt", Level::Secret)]);
    let mut harness = fx.harness(Scripted::default());
    sign_in(&mut harness, "alice", ALICE_PW);
    wait(&mut harness, "the vault", |app| app.signed(|s| s.items.len() == 2));
    // The ledger shows its events at once.
    click(&mut harness, "Custody ledger");
    wait(&mut harness, "the first page", |app| {
        app.signed(|s| s.ledger.events.len() > 2)
    });
    // Part of an action's name is enough; the rows say what each event recorded and open
    // their item.
    type_into(&mut harness, "Of action", "import");
    click(&mut harness, "Search");
    wait(&mut harness, "the events", |app| {
        app.signed(|s| s.ledger.events.len() == 2)
    });
    assert!(
        harness
            .state()
            .s()
            .ledger
            .events
            .iter()
            .all(|e| e.action == "item.import")
    );
    harness.get_all_by_label_contains("custodian: alice").next().unwrap();
    let control = harness.state().s().ledger.events[0].subject.clone();
    click(&mut harness, &control);
    wait(&mut harness, "the item", |app| app.signed(|s| s.view == View::Detail));
    click(&mut harness, "Custody ledger");
    // Write a bundle; verifying it with no pinned key here is refused, with the reason.
    let bundle = fx.dir.path().join("bundle");
    type_into(&mut harness, "Audit bundle directory", bundle.to_str().unwrap());
    click(&mut harness, "Write audit bundle");
    wait(&mut harness, "the bundle", |_| bundle.join("manifest.json").exists());
    // The app's check is against this station's own key: whole and signed, labelled as no
    // audit (that is `audit verify` on another machine), and nothing is pinned here.
    click(&mut harness, "Self-check a bundle");
    wait(&mut harness, "the bundle check", |app| {
        app.s().ledger.bundle_report.is_some()
    });
    let report = harness.state().s().ledger.bundle_report.clone().unwrap();
    assert!(report.ok, "{report:?}");
    harness.get_by_label_contains("Self-check passed against this station's key");
    harness.get_by_label_contains("not an audit");
    // A bundle with an event changed fails the check, naming the damage.
    let events = bundle.join("events.jsonl");
    let text = std::fs::read_to_string(&events)
        .unwrap()
        .replacen("alice", "mallory", 1);
    std::fs::write(&events, text).unwrap();
    click(&mut harness, "Self-check a bundle");
    wait(&mut harness, "the second check", |app| {
        app.s().ledger.bundle_report.is_some()
    });
    assert!(!harness.state().s().ledger.bundle_report.as_ref().unwrap().ok);
    harness.get_by_label_contains("BUNDLE VERIFICATION FAILED");
}

#[test]
fn an_officer_destroys_with_a_witness_and_adds_a_user() {
    let fx = Fixture::with_vault(&[("plan.tif", Level::Secret)]);
    {
        let mut station = strongroom::Station::open(&fx.root).unwrap();
        station.unlock("alice", &Password::from(ALICE_PW)).unwrap();
        station
            .add_user(
                "carol",
                strongroom::accounts::Role::Officer,
                Level::TopSecret,
                &Password::from("carol's first password"),
            )
            .unwrap();
        // A new user replaces the officer's password at first sign-in.
        station.lock();
        station
            .unlock("carol", &Password::from("carol's first password"))
            .unwrap();
        station
            .change_password(
                &Password::from("carol's first password"),
                &Password::from("carol's long passphrase"),
            )
            .unwrap();
    }
    let mut harness = fx.harness(Scripted::default());
    sign_in(&mut harness, "alice", ALICE_PW);
    wait(&mut harness, "the vault", |app| app.signed(|s| s.items.len() == 1));
    let control = harness.state().s().items[0].control_number.to_string();
    click(&mut harness, &control);
    wait(&mut harness, "the item", |app| app.signed(|s| s.view == View::Detail));
    type_into(&mut harness, "Reason (recorded)", "superseded by the 2027 survey");
    type_into(&mut harness, "Witness (an officer)", "carol");
    type_into(&mut harness, "Witness's password", "carol's long passphrase");
    click(&mut harness, "Destroy");
    wait(&mut harness, "the destruction", |app| {
        app.signed(|s| s.items.is_empty())
    });
    assert_eq!(objects(&fx.root), 0);
    // From the item page too, the destruction ends on its certificate, signed.
    wait(&mut harness, "the certificate", |app| {
        app.signed(|s| {
            s.destroy
                .as_ref()
                .and_then(|d| d.done.as_ref())
                .is_some_and(|r| r.signed)
        })
    });
    harness.get_by_label("Signed with the station's admin key: ready for the security office.");
    click(&mut harness, "Done");
    wait(&mut harness, "the dialog closed", |app| {
        app.signed(|s| s.destroy.is_none())
    });
    // Users: add an operator from the form.
    click(&mut harness, "Users");
    wait(&mut harness, "the users", |app| {
        app.signed(|s| s.admin.users.len() == 2)
    });
    type_into(&mut harness, "New user's name", "dave");
    harness.state_mut().s_mut().admin.user_form.clearance = Some(Level::Internal);
    type_into(
        &mut harness,
        "New password (at least 12 characters)",
        "dave's long passphrase",
    );
    type_into(&mut harness, "Repeat the password", "dave's long passphrase");
    click(&mut harness, "Add user");
    wait(&mut harness, "the new user", |app| {
        app.s().admin.users.iter().any(|u| u.entry.name == "dave")
    });
    // The notice says what happened, and the form is ready for the next user.
    harness.get_by_label_contains("User added; they choose their own password at first sign-in: dave");
    assert!(harness.state().s().admin.user_form.name.is_empty());
    assert!(harness.state().s().admin.user_form.clearance.is_none());
    // The policy reads in words (its setting name on hover), in either language.
    harness.get_by_label("Failed sign-ins in a row before the account locks until an officer unlocks it");
    // Saving a policy value says so.
    harness.state_mut().s_mut().admin.policy_edit[0].1 = "7".into();
    harness.run_steps(2);
    harness.get_all_by_label("Save").next().unwrap().click();
    harness.run_steps(2);
    wait(&mut harness, "the saved policy", |app| {
        app.s().policy.as_ref().is_some_and(|p| p.lockout_attempts == 7)
    });
    harness.get_by_label_contains("Policy saved: lockout-attempts = 7");
}

#[test]
fn a_lockout_is_an_alert_acknowledged_with_a_comment() {
    let fx = super::vault_with_bob_locked_out();
    let mut harness = fx.harness(Scripted::default());
    sign_in(&mut harness, "alice", ALICE_PW);
    wait(&mut harness, "the alert", |app| {
        app.signed(|s| s.alerts.open.len() == 1)
    });
    click(&mut harness, "Alerts");
    let seq = harness.state().s().alerts.open[0].seq;
    // In the list, and announced once as a notice, saying what happened and what to do, not
    // just the event's name.
    assert_eq!(
        harness
            .get_all_by_label_contains("bob was locked out after 1 failed sign-ins")
            .count(),
        2
    );
    harness.get_by_label_contains("Unlock the account once that is clear");
    type_into(
        &mut harness,
        &format!("Comment (optional) #{seq}"),
        "bob called the help desk",
    );
    click(&mut harness, "Acknowledge");
    wait(&mut harness, "the acknowledgement", |app| {
        app.signed(|s| s.alerts.open.is_empty())
    });
    harness.get_by_label("No open alerts.");
}
