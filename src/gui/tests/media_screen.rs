//! The media register as an officer keeps it on the Guard screen: the sticks mounted now
//! with their registration, one registered through the form, issued and taken back; and the
//! export confirmation saying why a medium is refused (its Export button disabled) or that
//! it is registered. The sticks are directories the fixture's probes report as mounted USB
//! devices, so no root is needed.

use std::path::{Path, PathBuf};

use eframe::egui;
use egui_kittest::Harness;
use egui_kittest::kittest::{NodeT, Queryable, by};
use strongroom::Level;
use strongroom::guard::superblock::{FsKind, Identity};

use super::{ALICE_PW, App, Fixture, Scripted, click, sign_in, type_into, wait};
use crate::gui::model::{Action, View};

/// A directory the probes report as USB stick `major:minor` on `node`, FAT serial `uuid`.
fn stick(fx: &mut Fixture, name: &str, device: (u32, u32), node: &str, uuid: &str) -> PathBuf {
    let dir = fx.dir.path().join(name);
    std::fs::create_dir_all(&dir).unwrap();
    fx.devices.removable.push(device);
    fx.devices.nodes.insert(node.into(), device);
    fx.devices.identities.insert(
        node.into(),
        Identity {
            kind: FsKind::Fat,
            uuid: uuid.into(),
            label: None,
        },
    );
    let line = format!(
        "{} 22 {}:{} / {} rw - fuseblk {node} rw\n",
        40 + device.1,
        device.0,
        device.1,
        dir.display()
    );
    fx.mounts.0.lock().unwrap().extend(strongroom::mounts::parse(&line));
    dir
}

/// Ask to export the open item to `to` and wait for the station's word on its medium.
fn ask_export(harness: &mut Harness<'static, App>, to: &Path) {
    harness.state_mut().s_mut().item.export_to = to.display().to_string();
    harness.state_mut().s_mut().item.export_reason = "for the survey team".into();
    // (a word on an earlier export must not pass for this one's)
    harness.state_mut().s_mut().item.export_medium = None;
    harness.state_mut().act(Action::Export);
    wait(harness, "the medium check", |app| {
        app.signed(|s| s.item.export_medium.is_some())
    });
}

#[test]
fn an_officer_registers_a_stick_issues_it_and_the_export_dialog_says_which_medium_is_refused() {
    let mut fx = Fixture::with_vault(&[("plan.txt", Level::Secret)]);
    let registered = stick(&mut fx, "stick-a", (8, 17), "/dev/sdb1", "7F77-D098");
    let stranger = stick(&mut fx, "stick-b", (8, 33), "/dev/sdc1", "1234-ABCD");
    let mut harness = fx.harness(Scripted::default());
    sign_in(&mut harness, "alice", ALICE_PW);
    wait(&mut harness, "the vault", |app| app.signed(|s| s.items.len() == 1));

    // Both sticks are mounted and neither is registered.
    harness.state_mut().act(Action::Show(View::Guard));
    wait(&mut harness, "the media", |app| {
        app.signed(|s| s.guard.media.mounted.len() == 2)
    });
    harness.get_by_label("Removable media mounted now");
    assert_eq!(harness.get_all_by_label("not registered").count(), 2);

    // Registered through the form: the stick, its level, a label (alice is the custodian).
    // (the mount point shows in the table above too: the form's is the last)
    let point = registered.display().to_string();
    harness.get_all_by_label(&point).last().unwrap().click();
    harness.step();
    harness
        .get(by().role(egui::accesskit::Role::Button).label("SECRET"))
        .click();
    harness.step();
    type_into(&mut harness, "Label", "专用U盘 01");
    harness
        .get(by().role(egui::accesskit::Role::Button).label("Register medium"))
        .click();
    wait(&mut harness, "the registration", |app| {
        app.signed(|s| s.guard.media.register.len() == 1)
    });
    assert!(harness.state().model.message.is_none());
    assert!(registered.join(".strongroom-medium.json").is_file());
    harness.get_by_label("专用U盘 01 (registered)");
    assert_eq!(harness.get_all_by_label("not registered").count(), 1);

    // Issued to alice, then taken back.
    harness.get_by_label("专用U盘 01").click();
    harness.step();
    type_into(&mut harness, "Issue to", "alice");
    click(&mut harness, "Issue");
    wait(&mut harness, "the issue", |app| {
        app.signed(|s| s.guard.media.register[0].holder.as_deref() == Some("alice"))
    });
    click(&mut harness, "Take back (alice)");
    wait(&mut harness, "the return", |app| {
        app.signed(|s| s.guard.media.register[0].holder.is_none())
    });

    // The export confirmation: the unregistered stick is refused, with the reason, and its
    // Export cannot be pressed; the registered one is named.
    let control = harness.state().s().items[0].control_number.to_string();
    harness.state_mut().act(Action::OpenItem(control));
    wait(&mut harness, "the item", |app| app.signed(|s| s.item.detail.is_some()));
    ask_export(&mut harness, &stranger.join("plan.txt"));
    let (_, check) = harness.state().s().item.export_medium.clone().unwrap();
    let refusal = check.refused.expect("a refusal");
    assert!(refusal.contains("registered medium"), "{refusal}");
    harness.get_by_label(&format!("Refused: {refusal}"));
    assert!(
        harness
            .get_all_by_label("Export")
            .last()
            .unwrap()
            .accesskit_node()
            .is_disabled()
    );
    harness.key_press(egui::Key::Enter);
    harness.run_steps(3);
    assert!(harness.state().s().jobs.is_empty(), "Enter starts nothing either");
    harness.get_by_label("Cancel").click();
    harness.run_steps(2);

    ask_export(&mut harness, &registered.join("plan.txt"));
    let (_, check) = harness.state().s().item.export_medium.clone().unwrap();
    assert_eq!(
        check.registered,
        Some(("专用U盘 01".to_string(), Level::Secret)),
        "{check:?}"
    );
    harness.get_by_label("专用U盘 01 · registered");
    assert!(
        !harness
            .get_all_by_label("Export")
            .last()
            .unwrap()
            .accesskit_node()
            .is_disabled()
    );

    // In Chinese.
    harness.state_mut().model.prefs.lang = crate::gui::i18n::Lang::Zh;
    harness.step();
    harness.get_by_label("专用U盘 01 · 已登记");
}

#[test]
fn the_export_confirmation_refuses_a_synced_folder_up_front_naming_the_rule() {
    let mut fx = Fixture::with_vault(&[("plan.txt", Level::Internal)]);
    fx.cloud = Some(super::guard_strip::synced_home(&fx, false));
    let home = fx.dir.path().join("home");
    let mut harness = fx.harness(Scripted::default());
    sign_in(&mut harness, "alice", ALICE_PW);
    wait(&mut harness, "the vault", |app| {
        app.model.signed_in.as_ref().is_some_and(|s| !s.items.is_empty())
    });
    let control = harness.state().s().items[0].control_number.to_string();
    harness.state_mut().act(Action::OpenItem(control));
    wait(&mut harness, "the item", |app| app.signed(|s| s.item.detail.is_some()));
    ask_export(&mut harness, &home.join("Sync/plan.txt"));
    let (_, check) = harness.state().s().item.export_medium.clone().unwrap();
    let why = check.synced.expect("refused as a synced folder");
    assert!(why.contains("Syncthing"), "{why}");
    harness.get_by_label(&format!("Refused (cloud-sync): {why}"));
    let export = harness.get_all_by_label("Export").last().unwrap().accesskit_node();
    assert!(export.is_disabled(), "Export cannot be pressed");
    harness.get_by_label("Cancel").click();
    harness.run_steps(2);
    // An ordinary folder beside it is not refused.
    ask_export(&mut harness, &home.join("Sync2/plan.txt"));
    let (_, check) = harness.state().s().item.export_medium.clone().unwrap();
    assert_eq!(check.synced, None);
}
