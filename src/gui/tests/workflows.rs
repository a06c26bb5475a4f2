//! The everyday tasks, performed as a person would and counted (DESIGN §4a: an interaction
//! is a click, a non-typing key press, or filling one text field): each must take no more
//! than its target from the screen where it starts. And the buttons that do what an error
//! message advises.

use egui_kittest::kittest::{Queryable, by};
use std::sync::Arc;

use super::*;

/// A harness with a count of what the person did.
struct Person<'h> {
    harness: &'h mut Harness<'static, App>,
    interactions: u32,
}

impl Person<'_> {
    fn new<'h>(harness: &'h mut Harness<'static, App>) -> Person<'h> {
        Person {
            harness,
            interactions: 0,
        }
    }

    /// Click the last widget labelled `label` (a dialog's button is drawn after the page's).
    fn click(&mut self, label: &str) {
        self.interactions += 1;
        self.harness.get_all_by_label(label).last().expect(label).click();
        self.harness.run_steps(3);
    }

    /// Click the button labelled `label` (not a banner or a text of the same words).
    fn click_button(&mut self, label: &str) {
        self.interactions += 1;
        self.harness
            .get(by().role(egui::accesskit::Role::Button).label(label))
            .click();
        self.harness.run_steps(3);
    }

    /// Fill the field labelled `label` (one interaction: focusing it is part of filling it).
    fn fill(&mut self, label: &str, text: &str) {
        self.interactions += 1;
        self.harness.get_by_label(label).focus();
        self.harness.step();
        self.harness.get_by_label(label).type_text(text);
        self.harness.run_steps(3);
    }

    /// Type into the field that already has the focus.
    fn type_here(&mut self, text: &str) {
        self.interactions += 1;
        self.harness.event(egui::Event::Text(text.to_string()));
        self.harness.run_steps(3);
    }

    fn key(&mut self, modifiers: egui::Modifiers, key: egui::Key) {
        self.interactions += 1;
        self.harness.key_press_modifiers(modifiers, key);
        self.harness.run_steps(3);
    }

    /// Drop a file on the window.
    fn drop_file(&mut self, path: &Path) {
        self.interactions += 1;
        self.harness
            .input_mut()
            .dropped_files
            .push(Arc::new(Dropped(path.to_path_buf())));
        self.harness.run_steps(3);
    }

    fn wait(&mut self, what: &str, done: impl Fn(&App) -> bool) {
        wait(self.harness, what, done);
    }
}

/// A file dropped on the window, as the windowing layer hands it over.
#[derive(Debug)]
struct Dropped(PathBuf);

impl egui::DroppedFile for Dropped {
    fn path(&self) -> &Path {
        &self.0
    }

    fn bytes(&self) -> Result<Vec<u8>, String> {
        std::fs::read(&self.0).map_err(|e| e.to_string())
    }
}

#[test]
fn unlock_import_find_export_and_acknowledge_each_take_a_few_interactions() {
    let fx = vault_with_bob_locked_out();
    let tile = fx.file("tile-0001.png", b"\x89PNG tile");
    let mut harness = fx.harness(Scripted::default());
    sign_in(&mut harness, "alice", ALICE_PW);
    wait(&mut harness, "the vault", |app| app.signed(|s| s.items.len() == 3));

    // Unlock: 2 (the password, Enter); the lock screen names the session's user.
    harness.key_press_modifiers(egui::Modifiers::COMMAND, egui::Key::L);
    wait(&mut harness, "the lock screen", |app| app.model.phase == Phase::Unlock);
    harness.get_by_label_contains("alice");
    let mut person = Person::new(&mut harness);
    person.type_here(ALICE_PW);
    person.key(egui::Modifiers::NONE, egui::Key::Enter);
    person.wait("the vault again", |app| app.signed(|s| s.items.len() == 3));
    assert_eq!(person.interactions, 2, "unlock");

    // Import one file with a level: 3 (drop it, choose the level, Import); only the levels
    // alice may import at are offered, and none is chosen beforehand.
    let mut person = Person::new(&mut harness);
    person.drop_file(&tile);
    assert_eq!(person.harness.state().s().import.level, None);
    person.click_button("INTERNAL");
    person.click_button("Import");
    person.wait("the import", |app| app.signed(|s| s.items.len() == 4));
    assert_eq!(person.interactions, 3, "import one file");

    // Find and open an item: 3 (Ctrl+F, type, Enter); the filter matches the original name.
    let mut person = Person::new(&mut harness);
    person.key(egui::Modifiers::COMMAND, egui::Key::F);
    person.type_here("tile-0001");
    person.key(egui::Modifiers::NONE, egui::Key::Enter);
    person.wait("the item", |app| {
        app.signed(|s| {
            s.view == View::Detail
                && s.item
                    .detail
                    .as_ref()
                    .is_some_and(|d| d.original_name == "tile-0001.png")
        })
    });
    assert_eq!(person.interactions, 3, "find and open");
    // Export below the reason-required level (CONFIDENTIAL by default): 3 (destination,
    // Export, confirm); the confirmation names the item, its level and the destination.
    let out = fx.dir.path().join("tile-out.png");
    let control = harness
        .state()
        .s()
        .item
        .detail
        .as_ref()
        .unwrap()
        .summary
        .control_number
        .to_string();
    let mut person = Person::new(&mut harness);
    person.fill("Export to", out.to_str().unwrap());
    person.click_button("Export");
    let dialog = person
        .harness
        .get(by().role(egui::accesskit::Role::Dialog).label("Export in plaintext?"));
    dialog.get_by_label(&control);
    dialog.get_by_label("INTERNAL");
    dialog.get_by_label(out.to_str().unwrap());
    person.click("Export");
    person.wait("the export", |_| out.exists());
    assert_eq!(person.interactions, 3, "export");
    assert_eq!(std::fs::read(&out).unwrap(), b"\x89PNG tile");

    // An empty result says so.
    harness.key_press_modifiers(egui::Modifiers::COMMAND, egui::Key::F);
    harness.run_steps(2);
    harness.event(egui::Event::Text("no such survey".into()));
    harness.run_steps(3);
    harness.get_by_label("No item matches the filter.");
    // A click anywhere on a row (here its title) opens the item.
    harness.state_mut().s_mut().browser.text.clear();
    harness.state_mut().s_mut().browser.dirty = true;
    harness.run_steps(2);
    harness.get_by_label("harbour.tif").click();
    wait(&mut harness, "the clicked row's item", |app| {
        app.signed(|s| {
            s.view == View::Detail && s.item.detail.as_ref().is_some_and(|d| d.summary.title == "harbour.tif")
        })
    });

    // At the reason-required level, one more: the reason.
    let out = fx.dir.path().join("harbour-out.tif");
    let mut person = Person::new(&mut harness);
    person.fill("Export to", out.to_str().unwrap());
    person.fill("Why it is exported (recorded)", "survey handover to the harbour office");
    person.click_button("Export");
    person.click("Export");
    person.wait("the second export", |_| out.exists());
    assert_eq!(person.interactions, 4, "export with a reason");
    assert_eq!(std::fs::read(&out).unwrap(), b"harbour.tif");

    // Acknowledge an alert when no comment is required: 2 (Alerts, Acknowledge).
    assert!(
        !harness.state().s().alerts.open.is_empty(),
        "bob's lockout is an open alert"
    );
    let mut person = Person::new(&mut harness);
    person.click_button("Alerts");
    person.click_button("Acknowledge");
    person.wait("the acknowledgement", |app| app.signed(|s| s.alerts.open.is_empty()));
    assert_eq!(person.interactions, 2, "acknowledge an alert");
}

#[test]
fn the_buttons_in_a_message_do_what_it_advises() {
    let fx = vault_with_bob_locked_out();
    let mut harness = fx.harness(Scripted::default());

    // A locked account at the sign-in screen: "Use the recovery code" opens the recovery
    // form with its code field focused.
    sign_in(&mut harness, "bob", "bob's long passphrase");
    wait(&mut harness, "the refusal", |app| app.model.message.is_some());
    let mut person = Person::new(&mut harness);
    person.click_button("Use the recovery code");
    assert!(person.harness.state().model.message.is_none());
    assert!(person.harness.get_by_label("Recovery code").is_focused());
    // The code, the new password twice, then Enter: bob has his account back.
    person.type_here(&fx.recovery);
    person.fill("New password (at least 12 characters)", "bob's second passphrase");
    person.fill("Repeat the password", "bob's second passphrase");
    person.key(egui::Modifiers::NONE, egui::Key::Enter);
    person.wait("the recovery", |app| {
        app.model
            .message
            .as_ref()
            .is_some_and(|m| m.failure.message.contains("bob"))
    });
    harness.state_mut().model.message = None;
    sign_in(&mut harness, "bob", "bob's second passphrase");
    wait(&mut harness, "bob's session", |app| app.model.phase == Phase::Main);
    harness.key_press_modifiers(egui::Modifiers::COMMAND, egui::Key::L);
    harness.run_steps(2);

    // An export onto an existing file: "Replace the file" replaces it.
    sign_in(&mut harness, "alice", ALICE_PW);
    wait(&mut harness, "the vault", |app| app.signed(|s| s.items.len() == 3));
    let out = fx.file("existing.tif", b"an older copy");
    let harbour = harness
        .state()
        .s()
        .items
        .iter()
        .find(|i| i.title == "harbour.tif")
        .unwrap();
    let harbour = harbour.control_number.to_string();
    harness.state_mut().act(crate::gui::model::Action::OpenItem(harbour));
    wait(&mut harness, "harbour", |app| app.signed(|s| s.item.detail.is_some()));
    let mut person = Person::new(&mut harness);
    person.fill("Export to", out.to_str().unwrap());
    person.fill("Why it is exported (recorded)", "a fresh copy for the chart room");
    person.click_button("Export");
    person.click("Export");
    person.wait("the refusal", |app| app.model.message.is_some());
    person.click_button("Replace the file");
    person.wait("the replacement", |_| std::fs::read(&out).unwrap() == b"harbour.tif");

    // A destruction that needs a second person: "Sign in a witness now" goes to the witness.
    let ridge = harness
        .state()
        .s()
        .items
        .iter()
        .find(|i| i.title == "ridge.las")
        .unwrap();
    let ridge = ridge.control_number.to_string();
    harness.state_mut().act(crate::gui::model::Action::OpenItem(ridge));
    wait(&mut harness, "ridge", |app| {
        app.signed(|s| s.item.detail.as_ref().is_some_and(|d| d.summary.title == "ridge.las"))
    });
    let mut person = Person::new(&mut harness);
    person.fill("Reason (recorded)", "superseded by the 2027 survey");
    person.click_button("Destroy");
    person.wait("the request", |app| {
        app.model.message.as_ref().is_some_and(|m| m.failure.approval)
    });
    person.click_button("Sign in a witness now");
    assert!(person.harness.get_by_label("Witness (an officer)").is_focused());
}

#[test]
fn enter_submits_the_officers_forms() {
    let fx = vault_with_bob_locked_out();
    let mut harness = fx.harness(Scripted::default());
    sign_in(&mut harness, "alice", ALICE_PW);
    wait(&mut harness, "the alert", |app| {
        app.signed(|s| !s.alerts.open.is_empty())
    });
    let enter = |harness: &mut Harness<'static, App>| {
        harness.key_press(egui::Key::Enter);
        harness.run_steps(3);
    };

    // An alert's comment, then Enter: acknowledged.
    click(&mut harness, "Alerts");
    let seq = harness.state().s().alerts.open[0].seq;
    type_into(
        &mut harness,
        &format!("Comment (optional) #{seq}"),
        "bob called the desk",
    );
    enter(&mut harness);
    wait(&mut harness, "the acknowledgement", |app| {
        app.signed(|s| s.alerts.open.is_empty())
    });

    // A ledger filter, then Enter: searched.
    click(&mut harness, "Custody ledger");
    wait(&mut harness, "the first page", |app| {
        app.signed(|s| !s.ledger.events.is_empty())
    });
    type_into(&mut harness, "Of action", "lockout");
    enter(&mut harness);
    wait(&mut harness, "the filtered events", |app| {
        app.signed(|s| s.ledger.events.iter().all(|e| e.action.contains("lockout")))
    });

    // A policy number, then Enter: saved.
    click(&mut harness, "Users");
    wait(&mut harness, "the policy", |app| app.signed(|s| s.policy.is_some()));
    let label = "Failed sign-ins in a row before the account locks until an officer unlocks it";
    harness.get_by_label(label).focus();
    harness.step();
    harness.key_press_modifiers(egui::Modifiers::COMMAND, egui::Key::A);
    harness.get_by_label(label).type_text("4");
    harness.run_steps(2);
    enter(&mut harness);
    wait(&mut harness, "the saved policy", |app| {
        app.signed(|s| s.policy.as_ref().is_some_and(|p| p.lockout_attempts == 4))
    });

    // The repeated password of a new user, then Enter: added.
    type_into(&mut harness, "New user's name", "carol");
    harness.state_mut().s_mut().admin.user_form.clearance = Some(Level::Secret);
    type_into(
        &mut harness,
        "New password (at least 12 characters)",
        "carol's long passphrase",
    );
    type_into(&mut harness, "Repeat the password", "carol's long passphrase");
    enter(&mut harness);
    wait(&mut harness, "carol", |app| {
        app.signed(|s| s.admin.users.iter().any(|u| u.entry.name == "carol"))
    });
}

#[test]
fn the_filter_finds_an_item_by_its_original_name_and_its_notes() {
    let fx = Fixture::with_vault(&[("harbour.tif", Level::Confidential)]);
    {
        let mut station = strongroom::Station::open(&fx.root).unwrap();
        station.unlock("alice", &Password::from(ALICE_PW)).unwrap();
        let file = fx.file("hb-2026-tiles.zip", b"tiles");
        let plan = station.plan_import(&[file], false).unwrap();
        let options = strongroom::station::ImportOptions {
            title: Some("Harbour approaches".into()),
            notes: Some("drone flight 147, low tide".into()),
            ..strongroom::station::ImportOptions::at(Level::Internal)
        };
        station
            .import(plan, &options, &strongroom::progress::Progress::new())
            .unwrap();
    }
    let mut harness = fx.harness(Scripted::default());
    sign_in(&mut harness, "alice", ALICE_PW);
    wait(&mut harness, "the vault", |app| app.signed(|s| s.items.len() == 2));
    let shown = |harness: &mut Harness<'static, App>, filter: &str| {
        harness.state_mut().s_mut().browser.text = filter.to_string();
        harness.state_mut().s_mut().browser.dirty = true;
        harness.run_steps(2);
        let s = harness.state().s();
        s.browser
            .order
            .iter()
            .map(|&i| s.items[i as usize].title.clone())
            .collect::<Vec<_>>()
    };
    // Neither word is in the title.
    assert_eq!(
        shown(&mut harness, "tiles"),
        vec!["Harbour approaches"],
        "by the original name"
    );
    assert_eq!(
        shown(&mut harness, "FLIGHT 147"),
        vec!["Harbour approaches"],
        "by the notes"
    );
    assert_eq!(shown(&mut harness, "harbour").len(), 2, "by the title");
    assert!(shown(&mut harness, "no such survey").is_empty());
}

#[test]
fn the_confirmation_starts_only_the_export_it_showed() {
    let fx = Fixture::with_vault(&[("harbour.tif", Level::Internal)]);
    let mut harness = fx.harness(Scripted::default());
    sign_in(&mut harness, "alice", ALICE_PW);
    wait(&mut harness, "the vault", |app| app.signed(|s| s.items.len() == 1));
    let control = harness.state().s().items[0].control_number.to_string();
    harness.state_mut().act(crate::gui::model::Action::OpenItem(control));
    wait(&mut harness, "the item", |app| app.signed(|s| s.item.detail.is_some()));
    let shown = fx.dir.path().join("shown.tif");
    let ask = |harness: &mut Harness<'static, App>| {
        harness.state_mut().s_mut().item.export_to = shown.display().to_string();
        harness.state_mut().act(crate::gui::model::Action::Export);
        harness.run_steps(3);
        harness.state().s().item.pending_export.clone().expect("a confirmation")
    };

    // A confirmation for another destination than the one shown starts nothing.
    let mut other = ask(&mut harness);
    other.to = fx.dir.path().join("elsewhere.tif");
    harness.state_mut().act(crate::gui::model::Action::ConfirmExport(other));
    harness.run_steps(3);
    assert!(harness.state().s().jobs.is_empty());

    // Enter on a focused Cancel cancels.
    ask(&mut harness);
    harness.get_by_label("Cancel").focus();
    harness.step();
    harness.key_press(egui::Key::Enter);
    harness.run_steps(3);
    assert!(harness.state().s().item.pending_export.is_none());
    assert!(harness.state().s().jobs.is_empty());

    // Going to another screen drops the confirmation.
    ask(&mut harness);
    harness.state_mut().act(crate::gui::model::Action::Show(View::Browser));
    harness.run_steps(2);
    assert!(harness.state().s().item.pending_export.is_none());

    // Enter with nothing focused confirms exactly what was shown.
    ask(&mut harness);
    harness.key_press(egui::Key::Enter);
    wait(&mut harness, "the export", |_| shown.exists());
    assert_eq!(harness.state().s().jobs.len(), 1);
    assert!(!fx.dir.path().join("elsewhere.tif").exists());
}

#[test]
fn a_cancel_that_kept_groups_says_what_stays_and_files_show_in_the_job_row() {
    let mut s = SignedIn::new(alice_session(), 0);
    let progress = Arc::new(strongroom::progress::Progress::new());
    progress.add_files(3000);
    progress.add_total(3000 * 4096);
    s.jobs.push(crate::gui::model::Job {
        id: 1,
        label: "Import 3000 (INTERNAL)".into(),
        progress: progress.clone(),
        started: Some(std::time::Instant::now()),
        outcome: None,
        paths: Vec::new(),
        export: None,
    });
    // While it runs, the row counts files as well as bytes.
    for _ in 0..1200 {
        progress.file_done();
    }
    let jobs = std::mem::take(&mut s.jobs);
    let mut harness = Harness::new_ui(move |ui| {
        crate::gui::screens::import::jobs(ui, &jobs, true, crate::gui::i18n::Lang::En, &mut Vec::new());
    });
    harness.run();
    harness.get_by_label_contains("1200 / 3000 files");
    drop(harness);
    // Cancelled after two groups: the job says so and names what stays.
    s.jobs.push(crate::gui::model::Job {
        id: 1,
        label: "Import 3000 (INTERNAL)".into(),
        progress,
        started: None,
        outcome: None,
        paths: Vec::new(),
        export: None,
    });
    let reply = crate::gui::messages::Reply::JobCancelledKept {
        job: 1,
        kept: "SR-2026-000001, SR-2026-000002".into(),
    };
    assert!(crate::gui::signed_in::apply_reply(&mut s, reply, crate::gui::i18n::Lang::En).is_none());
    let Some(Err(failure)) = &s.jobs[0].outcome else {
        panic!("the job is marked cancelled");
    };
    assert!(failure.cancelled);
    assert!(
        failure.message.contains("kept: SR-2026-000001, SR-2026-000002"),
        "{}",
        failure.message
    );
    assert_eq!(s.toasts.len(), 1);
}

/// A secret item due for destruction (retained until yesterday), and carol, an officer to
/// witness it.
fn due_item_and_a_witness() -> Fixture {
    let fx = Fixture::with_vault(&[]);
    let mut station =
        strongroom::Station::open_with(&fx.root, strongroom::station::OpenOptions::with_clock(fx.clock.clone()))
            .unwrap();
    station.unlock("alice", &Password::from(ALICE_PW)).unwrap();
    let path = fx.file("harbour-survey.tif", b"survey of the harbour");
    let plan = station.plan_import(&[path], false).unwrap();
    let today = {
        use strongroom::time::Clock;
        let now = fx.clock.now();
        format!("{:04}-{:02}-{:02}", now.year(), u8::from(now.month()), now.day())
    };
    let mut options = ImportOptions::at(Level::Secret);
    options.retain_until = Some(today);
    station
        .import(plan, &options, &strongroom::progress::Progress::new())
        .unwrap();
    let first = Password::from("carol's first password here");
    station
        .add_user("carol", strongroom::accounts::Role::Officer, Level::TopSecret, &first)
        .unwrap();
    station.lock();
    station.unlock("carol", &first).unwrap();
    station.change_password(&first, &Password::from(CAROL_PW)).unwrap();
    station.lock();
    fx.clock.advance(time::Duration::days(2));
    fx
}

const CAROL_PW: &str = "carol's long witness passphrase";

#[test]
fn destroying_a_due_item_with_a_witness_takes_five_interactions_and_ends_on_its_certificate() {
    let fx = due_item_and_a_witness();
    let mut harness = fx.harness(Scripted::default());
    sign_in(&mut harness, "alice", ALICE_PW);
    wait(&mut harness, "the vault", |app| {
        app.signed(|s| s.items.len() == 1 && s.custody.due.len() == 1)
    });
    let control = harness.state().s().items[0].control_number.to_string();
    // From the officer's main screen (the vault): the Custody tab, the due item's Destroy…,
    // the witness's name (its field has the focus), the witness's password, Destroy.
    let mut person = Person::new(&mut harness);
    person.click("Custody (1)");
    person.wait("the Due list", |app| app.signed(|s| s.view == View::Custody));
    person.click_button("Destroy…");
    person.wait("the destroy dialog", |app| app.signed(|s| s.destroy.is_some()));
    person.type_here("carol");
    person.fill("Witness's password", CAROL_PW);
    person.click_button("Destroy");
    person.wait("the certificate", |app| {
        app.signed(|s| s.destroy.as_ref().is_some_and(|d| d.done.is_some()))
    });
    assert!(person.interactions <= 5, "{} interactions", person.interactions);
    assert!(person.harness.state().model.message.is_none());
    // The dialog ends on the certificate: signed, naming the item, ready to open.
    let report = person
        .harness
        .state()
        .s()
        .destroy
        .as_ref()
        .unwrap()
        .done
        .clone()
        .unwrap();
    assert!(report.signed);
    assert_eq!(report.items[0].control_number, control);
    // In the dialog (and in the certificates beneath it).
    assert!(person.harness.get_all_by_label(&report.certificate).count() >= 1);
    person
        .harness
        .get_by_label("Signed with the station's admin key: ready for the security office.");
    person.click("Open PDF"); // the dialog's (the list beneath has one too)
    person.wait("the viewer", |_| !fx.viewed.lock().unwrap().is_empty());
    let viewed = fx.viewed.lock().unwrap()[0].clone();
    assert!(std::fs::read(&viewed).unwrap().starts_with(b"%PDF-"));
    assert!(viewed.ends_with(format!("{}.pdf", report.certificate)));
    // The witness's password is gone from the dialog, and the item from the vault.
    person.click_button("Done");
    person.wait("the dialog closed", |app| {
        app.signed(|s| s.destroy.is_none() && s.items.is_empty() && s.custody.due.is_empty())
    });
    let events = super::insider::events(&rusqlite::Connection::open(fx.root.join("strongroom.db")).unwrap());
    let destroyed = events.iter().find(|e| e["action"] == "item.destroy").unwrap();
    assert_eq!(destroyed["details"]["witness"], "carol");
    assert_eq!(destroyed["details"]["certificate"], report.certificate.as_str());
    assert!(
        destroyed["details"]["reason"]
            .as_str()
            .unwrap()
            .starts_with("retention period ended (")
    );
}
