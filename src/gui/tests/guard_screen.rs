//! The Guard screen as an officer uses it: the copies the guard recorded and the quarantine
//! it sealed them into, an alert that opens its copy, an entry released as a vault item at
//! its own level, and a destruction that needs a second person refused with the reason.
//! The entries are made by a real in-process guard (`guard_scene`).

use eframe::egui;
use egui_kittest::kittest::{Queryable, by};
use strongroom::Level;

use super::guard_fixture::root_or_skip;
use super::{ALICE_PW, Fixture, Scripted, click, guard_scene, sign_in, type_into, wait};
use crate::gui::model::{Phase, View};

#[test]
fn an_officer_opens_a_copy_from_its_alert_releases_it_and_is_told_why_a_destruction_waits() {
    if !root_or_skip("an_officer_opens_a_copy_from_its_alert_releases_it_and_is_told_why_a_destruction_waits") {
        return;
    }
    // An internal item whose content the stick also holds, and material the vault never had.
    let fx = Fixture::with_vault(&[("a.txt", Level::Internal)]);
    super::guard_fixture::enable_guard(&fx);
    let ids = guard_scene::contain(
        &fx.root,
        &fx.guard_dir(),
        &fx.dir.path().join("scene"),
        &[("harbour-copy.txt", b"a.txt"), ("unknown.bin", b"never in the vault")],
    );

    let mut harness = fx.harness(Scripted::default());
    sign_in(&mut harness, "alice", ALICE_PW);
    wait(&mut harness, "the vault", |app| app.model.phase == Phase::Main);

    // The alert about the first copy opens the Guard screen with its entry chosen.
    click(&mut harness, "Alerts");
    wait(&mut harness, "the alerts", |app| {
        app.signed(|s| s.alerts.open.len() >= 2)
    });
    harness.get_all_by_label("Open in Guard").next().unwrap().click();
    harness.step();
    wait(&mut harness, "the Guard screen", |app| {
        app.signed(|s| s.view == View::Guard && s.guard.entries.len() == 2)
    });
    let chosen = harness.state().s().guard.chosen.clone().unwrap();
    assert!(ids.contains(&chosen), "{chosen} is one of {ids:?}");
    assert!(harness.state().s().guard.highlighted.is_some());
    harness.get_by_label("Quarantine");
    harness.get_by_label("Copies from removable media");
    harness.get_by_label(&format!("Entry: {chosen}"));

    // The copy of the internal item was sealed at internal: released at internal by one
    // officer (below the two-person level), it becomes an item with the copy's own name.
    harness
        .get_all_by_label(&format!("quarantined {}", &ids[0][..8]))
        .next()
        .unwrap()
        .click();
    harness.run_steps(2);
    assert_eq!(harness.state().s().guard.chosen.as_deref(), Some(ids[0].as_str()));
    harness
        .get(by().role(egui::accesskit::Role::Button).label("INTERNAL"))
        .click();
    harness.step();
    type_into(&mut harness, "Reason (recorded)", "a copy of our own harbour plan");
    click(&mut harness, "Release as item");
    wait(&mut harness, "the release", |app| {
        app.signed(|s| s.guard.entries.iter().any(|e| e.id == ids[0] && e.status == "released"))
    });
    wait(&mut harness, "the new item", |app| {
        app.signed(|s| s.items.iter().any(|i| i.title == "harbour-copy.txt"))
    });
    assert!(harness.state().model.message.is_none());

    // Unknown material is top-secret: destroying it needs a witness, and the refusal says so.
    harness
        .get_all_by_label(&format!("quarantined {}", &ids[1][..8]))
        .next()
        .unwrap()
        .click();
    harness.run_steps(2);
    type_into(&mut harness, "Reason (recorded)", "not ours");
    click(&mut harness, "Destroy entry");
    wait(&mut harness, "the refusal", |app| app.model.message.is_some());
    let refusal = harness.state().model.message.as_ref().unwrap().failure.message.clone();
    assert!(refusal.contains("second person"), "{refusal}");
    assert!(
        harness
            .state()
            .s()
            .guard
            .entries
            .iter()
            .any(|e| e.id == ids[1] && e.status == "held")
    );

    // In Chinese.
    harness.state_mut().model.message = None;
    harness.state_mut().model.prefs.lang = crate::gui::i18n::Lang::Zh;
    harness.step();
    harness.get_by_label("隔离区");
    harness.get_by_label("从移动介质复制的文件");
}
