//! Certificates in the app: two items ticked in the vault and destroyed under one
//! certificate; an operator's certificate awaiting a signature, signed from the Custody
//! screen's certificates; a certificate verified there and saved into a folder chosen in
//! the dialog (certificate.json, certificate.pdf and ak.vkey).

use eframe::egui;
use egui_kittest::kittest::{Queryable, by};
use strongroom::Level;
use strongroom::accounts::Role;
use strongroom::crypto::Password;

use super::{ALICE_PW, Fixture, Scripted, click, listed_controls, sign_in, tick, type_into, wait};
use crate::gui::model::View;

const BOB_PW: &str = "bob's long passphrase";

/// bob (operator, internal) destroys an item of his own: its certificate awaits an officer.
fn bobs_destruction(fx: &Fixture) -> String {
    let mut station =
        strongroom::Station::open_with(&fx.root, strongroom::station::OpenOptions::with_clock(fx.clock.clone()))
            .unwrap();
    station.unlock("alice", &Password::from(ALICE_PW)).unwrap();
    let first = Password::from("bob's first password here");
    station
        .add_user("bob", Role::Operator, Level::Internal, &first)
        .unwrap();
    station.lock();
    station.unlock("bob", &first).unwrap();
    station.change_password(&first, &Password::from(BOB_PW)).unwrap();
    let path = fx.file("bobs-notes.txt", b"bob's notes");
    let plan = station.plan_import(&[path], false).unwrap();
    let item = station
        .import(
            plan,
            &strongroom::station::ImportOptions::at(Level::Internal),
            &strongroom::progress::Progress::new(),
        )
        .unwrap()
        .imported
        .remove(0);
    let report = station.destroy_item(&item.control_number.to_string(), "draft").unwrap();
    assert!(!report.signed);
    report.certificate
}

#[test]
fn a_batch_is_destroyed_under_one_certificate_and_certificates_are_signed_verified_and_saved() {
    let fx = Fixture::with_vault(&[("a.txt", Level::Internal), ("b.txt", Level::Confidential)]);
    let bobs = bobs_destruction(&fx);
    let saved_to = fx.dir.path().join("office");
    std::fs::create_dir_all(&saved_to).unwrap();
    let dialogs = Scripted::default();
    dialogs.0.lock().unwrap().push(vec![saved_to.clone()]);
    let mut harness = fx.harness(dialogs);
    sign_in(&mut harness, "alice", ALICE_PW);
    wait(&mut harness, "the vault", |app| app.signed(|s| s.items.len() == 2));
    let controls = listed_controls(&harness);

    // Both ticked, destroyed together.
    tick(&mut harness, &controls);
    harness
        .get(by().role(egui::accesskit::Role::Button).label("Destroy…"))
        .click();
    harness.run_steps(2);
    wait(&mut harness, "the dialog", |app| app.signed(|s| s.destroy.is_some()));
    type_into(&mut harness, "Reason (recorded)", "superseded survey");
    harness
        .get(by().role(egui::accesskit::Role::Button).label("Destroy"))
        .click();
    harness.run_steps(2);
    wait(&mut harness, "the certificate", |app| {
        app.signed(|s| s.destroy.as_ref().is_some_and(|d| d.done.is_some()))
    });
    let report = harness.state().s().destroy.as_ref().unwrap().done.clone().unwrap();
    assert_eq!(report.items.len(), 2, "one certificate for the batch");
    assert!(harness.state().model.message.is_none());
    click(&mut harness, "Done");
    wait(&mut harness, "the vault emptied", |app| {
        app.signed(|s| s.destroy.is_none() && s.items.is_empty() && s.browser.selected.is_empty())
    });

    // The Custody screen lists both certificates; bob's awaits a signature.
    click(&mut harness, "Custody");
    wait(&mut harness, "the certificates", |app| {
        app.signed(|s| s.view == View::Custody && s.custody.certificates.list.certificates.len() == 2)
    });
    harness.get_by_label("Certificates of destruction (2)");
    harness.get_by_label("awaiting signature");
    click(&mut harness, "Sign");
    wait(&mut harness, "bob's certificate signed", |app| {
        app.signed(|s| {
            s.custody
                .certificates
                .list
                .certificates
                .iter()
                .all(|c| c.status() == "signed")
        })
    });
    // Verified on the station: bob's row (the older, listed second).
    harness.get_all_by_label("Verify").last().unwrap().click();
    harness.run_steps(2);
    wait(&mut harness, "the verification", |app| {
        app.signed(|s| matches!(s.custody.certificates.checked.get(&bobs), Some(Ok(_))))
    });
    harness.get_by_label("verified");
    // Saved for the office, in a folder of its own.
    harness.get_all_by_label("Save…").last().unwrap().click();
    harness.run_steps(2);
    let folder = saved_to.join(&bobs);
    wait(&mut harness, "the saved certificate", |_| {
        folder.join("ak.vkey").exists()
    });
    assert!(folder.join("certificate.json").exists());
    assert!(
        std::fs::read(folder.join("certificate.pdf"))
            .unwrap()
            .starts_with(b"%PDF-")
    );
    assert!(harness.state().model.message.is_none());
}
