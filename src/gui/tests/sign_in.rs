//! Sign-in, first run and lock in the app, headless: what is typed and decrypted is gone at
//! a lock, and nothing a person types is lost to the station thread's late confirmation.

use strongroom::Level;
use strongroom::crypto::Password;

use super::{ALICE_PW, Fixture, Scripted, click, sign_in, type_into, wait};
use crate::gui::model::Phase;
use eframe::egui;
use egui_kittest::kittest::Queryable;

#[test]
fn first_run_creates_the_vault_and_shows_the_recovery_code_once() {
    let fx = Fixture::new();
    let mut harness = fx.harness(Scripted::default());
    wait(&mut harness, "the setup wizard", |app| app.model.phase == Phase::Setup);
    type_into(&mut harness, "Security officer's user name", "alice");
    type_into(&mut harness, "New password (at least 12 characters)", ALICE_PW);
    type_into(&mut harness, "Repeat the password", ALICE_PW);
    // Enter in the last field creates the vault.
    harness.key_press(egui::Key::Enter);
    harness.step();
    wait(&mut harness, "the recovery code", |app| {
        app.model.phase == Phase::Recovery
    });
    let code = harness
        .state()
        .model
        .setup
        .recovery_code
        .as_ref()
        .unwrap()
        .expose()
        .to_string();
    harness.get_by_label(&code);
    // A wrong group is refused; the right one goes on, and the code is gone from memory.
    type_into(&mut harness, "Type the last group of the code to confirm", "0000");
    click(&mut harness, "I have written it down");
    assert!(harness.state().model.setup.confirm_wrong);
    assert_eq!(harness.state().model.phase, Phase::Recovery);
    let last = code.rsplit('-').next().unwrap().to_string();
    harness.state_mut().model.setup.confirm.clear();
    type_into(&mut harness, "Type the last group of the code to confirm", &last);
    harness.key_press(egui::Key::Enter);
    harness.run_steps(2);
    // The code is gone from memory and screen; the officer signs in (no session was open
    // while the code was shown).
    assert_eq!(harness.state().model.phase, Phase::Unlock);
    assert!(harness.state().model.setup.recovery_code.is_none());
    assert!(harness.query_by_label(&code).is_none());
    assert_eq!(harness.state().model.unlock.user, "alice");
    assert!(fx.root.join("strongroom.db").exists());
}

#[test]
fn wrong_then_right_password_and_lock_leaves_nothing_to_undo() {
    let fx = Fixture::with_vault(&[("memo.txt", Level::Secret)]);
    let mut harness = fx.harness(Scripted::default());
    // Typed, then cleared by the app: Ctrl+Z in the same field brings nothing back.
    wait(&mut harness, "the sign-in screen", |app| {
        app.model.phase == Phase::Unlock
    });
    type_into(&mut harness, "Password", "a typo of a password");
    assert_eq!(harness.state().model.unlock.password.as_str(), "a typo of a password");
    // Let egui's undoer see the text as settled (it keeps states stable for a second).
    harness.run_steps(8);
    harness.state_mut().model.unlock.password.clear();
    harness.run_steps(8);
    harness.key_press_modifiers(egui::Modifiers::COMMAND, egui::Key::Z);
    harness.step();
    harness.step();
    assert!(
        harness.state().model.unlock.password.is_empty(),
        "undo restored a typed password"
    );
    sign_in(&mut harness, "alice", "not the password at all");
    wait(&mut harness, "the refusal", |app| app.model.message.is_some());
    assert!(
        harness
            .state()
            .model
            .message
            .as_ref()
            .unwrap()
            .failure
            .message
            .contains("authentication failed")
    );
    // The tries left, in words the app chose, and what to do.
    harness.get_by_label("Wrong password or unknown user (4 attempts left)");
    harness.get_by_label_contains("each wrong try counts toward a lockout");
    click(&mut harness, "OK");
    fx.clock.advance(time::Duration::seconds(2));
    sign_in(&mut harness, "alice", ALICE_PW);
    wait(&mut harness, "the vault", |app| app.signed(|s| s.items.len() == 1));
    // Both banners and the row show the level.
    assert!(harness.get_all_by_label("SECRET").count() >= 3);
    // Type a title in the import form, then lock with Ctrl+L: everything decrypted and
    // typed is gone, including the text fields' undo history.
    click(&mut harness, "Import…");
    type_into(&mut harness, "Title", "Operation Harbour annex B");
    harness.run_steps(8);
    harness.key_press_modifiers(egui::Modifiers::COMMAND, egui::Key::L);
    harness.step();
    let model = &harness.state().model;
    assert_eq!(model.phase, Phase::Unlock, "the window locks at once");
    // The session's state is gone whole: items, the open item, jobs, forms and notices.
    assert!(model.signed_in.is_none() && model.message.is_none());
    // The lock screen names whose session it was; nothing typed survives.
    assert_eq!(model.unlock.user, "alice");
    assert!(model.unlock.password.is_empty());
    fx.clock.advance(time::Duration::seconds(1));
    sign_in(&mut harness, "alice", ALICE_PW);
    wait(&mut harness, "the vault", |app| app.signed(|s| s.items.len() == 1));
    click(&mut harness, "Import…");
    harness.get_by_label("Title").focus();
    harness.step();
    harness.key_press_modifiers(egui::Modifiers::COMMAND, egui::Key::Z);
    harness.run_steps(3);
    assert!(
        harness.state().s().import.title.is_empty(),
        "undo restored a title typed before the lock"
    );
}

#[test]
fn typing_at_the_sign_in_screen_before_the_station_confirms_a_lock_is_kept() {
    let fx = Fixture::with_vault(&[("memo.txt", Level::Secret)]);
    let mut harness = fx.harness(Scripted::default());
    sign_in(&mut harness, "alice", ALICE_PW);
    wait(&mut harness, "the vault", |app| app.signed(|s| s.items.len() == 1));
    // Another writer holds the database, so the station thread confirms the lock late (as
    // it does on a busy machine or behind a cancelled job).
    let blocker = rusqlite::Connection::open(fx.root.join("strongroom.db")).unwrap();
    blocker.execute_batch("BEGIN IMMEDIATE").unwrap();
    harness.key_press_modifiers(egui::Modifiers::COMMAND, egui::Key::L);
    harness.step();
    assert_eq!(harness.state().model.phase, Phase::Unlock, "the window locks at once");
    assert_eq!(harness.state().model.locks_unconfirmed, 1);
    fx.clock.advance(time::Duration::seconds(1));
    harness.state_mut().model.unlock.user.clear();
    type_into(&mut harness, "User name", "alice");
    type_into(&mut harness, "Password", ALICE_PW);
    blocker.execute_batch("COMMIT").unwrap();
    drop(blocker);
    wait(&mut harness, "the station's confirmation", |app| {
        app.model.locks_unconfirmed == 0 || app.model.unlock.password.is_empty()
    });
    harness.run_steps(3);
    assert_eq!(harness.state().model.unlock.user, "alice");
    assert_eq!(
        harness.state().model.unlock.password.as_str(),
        ALICE_PW,
        "the confirmation cleared what was typed after the lock"
    );
    click(&mut harness, "Unlock");
    wait(&mut harness, "the vault", |app| app.signed(|s| s.items.len() == 1));
}

#[test]
fn the_station_locks_itself_when_idle() {
    let fx = Fixture::with_vault(&[("a.txt", Level::Secret)]);
    let mut harness = fx.harness(Scripted::default());
    sign_in(&mut harness, "alice", ALICE_PW);
    wait(&mut harness, "the vault", |app| app.signed(|s| s.items.len() == 1));
    fx.clock.advance(time::Duration::minutes(11));
    wait(&mut harness, "the idle lock", |app| app.model.phase == Phase::Unlock);
    assert!(harness.state().model.locked_idle);
    assert!(harness.state().model.signed_in.is_none());
    harness.get_by_label("The station locked itself after being idle.");
}

#[test]
fn the_last_officer_waiting_after_failures_recovers_at_the_sign_in_screen() {
    let fx = Fixture::with_vault(&[]);
    {
        let mut station =
            strongroom::Station::open_with(&fx.root, strongroom::station::OpenOptions::with_clock(fx.clock.clone()))
                .unwrap();
        station.unlock("alice", &Password::from(ALICE_PW)).unwrap();
        station.set_policy("lockout-attempts", "1").unwrap();
        station.lock();
        assert!(
            station
                .unlock("alice", &Password::from("not the password at all"))
                .is_err()
        );
    }
    let mut harness = fx.harness(Scripted::default());
    sign_in(&mut harness, "alice", ALICE_PW);
    wait(&mut harness, "the refusal", |app| app.model.message.is_some());
    // The last officer waits rather than being locked out, and is offered the recovery code.
    harness.get_by_label_contains("Or recover the account with the station's recovery code");
    click(&mut harness, "OK");
    click(
        &mut harness,
        "Forgot the password, or locked out? Use the recovery code",
    );
    let new = "alice's recovered passphrase";
    type_into(&mut harness, "Recovery code", &fx.recovery);
    type_into(&mut harness, "New password (at least 12 characters)", new);
    type_into(&mut harness, "Repeat the password", new);
    click(&mut harness, "Recover the account");
    wait(&mut harness, "the recovery", |app| app.model.message.is_some());
    let said = harness.state().model.message.as_ref().unwrap().failure.message.clone();
    assert!(said.starts_with("Recovered"), "{said}");
    assert!(harness.state().model.recover.code.is_empty(), "the code is not kept");
    click(&mut harness, "OK");
    harness.state_mut().model.unlock.password.clear();
    type_into(&mut harness, "Password", new);
    click(&mut harness, "Unlock");
    wait(&mut harness, "the vault", |app| app.model.phase == Phase::Main);
    // The use of the code is an alert.
    wait(&mut harness, "the alerts", |app| {
        app.s().alerts.open.iter().any(|a| a.action == "user.recover")
    });
}

#[test]
fn after_a_lock_the_name_stays_and_the_password_and_enter_sign_in() {
    let fx = Fixture::with_vault(&[("memo.txt", Level::Secret)]);
    let mut harness = fx.harness(Scripted::default());
    sign_in(&mut harness, "alice", ALICE_PW);
    wait(&mut harness, "the vault", |app| app.signed(|s| s.items.len() == 1));
    harness.key_press_modifiers(egui::Modifiers::COMMAND, egui::Key::L);
    harness.run_steps(3);
    // The lock screen names whose session it was, and waits for the password: two
    // interactions (the password, then Enter) sign in again.
    assert_eq!(harness.get_by_label("User name").value().as_deref(), Some("alice"));
    assert!(harness.get_by_label("Password").is_focused());
    fx.clock.advance(time::Duration::seconds(1));
    harness.get_by_label("Password").type_text(ALICE_PW);
    harness.step();
    harness.key_press(egui::Key::Enter);
    wait(&mut harness, "the vault", |app| app.signed(|s| s.items.len() == 1));
}

#[test]
fn a_new_user_chooses_a_password_first_and_enter_submits_it() {
    let fx = Fixture::with_vault(&[("harbour.tif", Level::Confidential)]);
    {
        let mut station = strongroom::Station::open(&fx.root).unwrap();
        station.unlock("alice", &Password::from(ALICE_PW)).unwrap();
        station
            .add_user(
                "carol",
                strongroom::accounts::Role::Operator,
                Level::Secret,
                &Password::from("carol's first password"),
            )
            .unwrap();
    }
    let mut harness = fx.harness(Scripted::default());
    sign_in(&mut harness, "carol", "carol's first password");
    wait(&mut harness, "the password change", |app| {
        app.signed(|s| s.session.password_change.is_some())
    });
    harness.get_by_label("You must choose a new password before anything else");
    type_into(&mut harness, "Current password", "carol's first password");
    type_into(
        &mut harness,
        "New password (at least 12 characters)",
        "carol's own passphrase",
    );
    type_into(&mut harness, "Repeat the password", "carol's own passphrase");
    harness.key_press(egui::Key::Enter);
    wait(&mut harness, "the vault", |app| {
        app.signed(|s| s.session.password_change.is_none() && s.items.len() == 1)
    });
}
