//! Custody in the app: items ticked in the vault table and offered to bob in one go; a
//! retention date set on an item's page making it due (the tab counts it, the Due list
//! shows it); an inventory run from the Custody screen; a level raised from the item's
//! page; and bob accepting one offer and declining the other from his Custody screen.

use eframe::egui;
use egui_kittest::Harness;
use egui_kittest::kittest::{Queryable, by};
use strongroom::Level;
use strongroom::accounts::Role;
use strongroom::crypto::Password;

use super::{ALICE_PW, App, Fixture, Scripted, click, listed_controls, sign_in, tick, type_into, wait};
use crate::gui::model::{Action, View};

const BOB_PW: &str = "bob's long passphrase";

/// Add bob (operator, secret) through the library, past his first password change.
fn add_bob(fx: &Fixture) {
    let mut station =
        strongroom::Station::open_with(&fx.root, strongroom::station::OpenOptions::with_clock(fx.clock.clone()))
            .unwrap();
    station.unlock("alice", &Password::from(ALICE_PW)).unwrap();
    // A third item, destroyed: its tombstone shows on the Custody screen.
    let gone = fx.file("gone.txt", b"gone");
    let plan = station.plan_import(&[gone], false).unwrap();
    let item = station
        .import(
            plan,
            &strongroom::station::ImportOptions::at(Level::Internal),
            &strongroom::progress::Progress::new(),
        )
        .unwrap()
        .imported
        .remove(0);
    station
        .destroy_item(&item.control_number.to_string(), "filed twice")
        .unwrap();
    let first = Password::from("bob's first password here");
    station.add_user("bob", Role::Operator, Level::Secret, &first).unwrap();
    station.lock();
    station.unlock("bob", &first).unwrap();
    station.change_password(&first, &Password::from(BOB_PW)).unwrap();
}

fn today(fx: &Fixture) -> String {
    use strongroom::time::Clock;
    let now = fx.clock.now();
    format!("{:04}-{:02}-{:02}", now.year(), u8::from(now.month()), now.day())
}

fn open_item(harness: &mut Harness<'static, App>, control: &str) {
    harness.state_mut().act(Action::OpenItem(control.to_string()));
    wait(harness, "the item", |app| {
        app.signed(|s| {
            s.view == View::Detail
                && s.item
                    .detail
                    .as_ref()
                    .is_some_and(|d| d.summary.control_number.to_string() == control)
        })
    });
}

#[test]
fn items_are_offered_raised_and_kept_until_a_date_and_the_recipient_accepts() {
    let fx = Fixture::with_vault(&[("plan.txt", Level::Confidential), ("old.txt", Level::Internal)]);
    add_bob(&fx);
    // Tall enough that the item page's custody part needs no scrolling.
    let mut harness = fx.harness_sized(Scripted::default(), egui::vec2(1280.0, 1200.0));
    sign_in(&mut harness, "alice", ALICE_PW);
    wait(&mut harness, "the vault", |app| app.signed(|s| s.items.len() == 2));
    let controls = listed_controls(&harness);

    // Both ticked in the table, offered to bob at once.
    tick(&mut harness, &controls);
    harness.get_by_label("2 selected");
    type_into(&mut harness, "Offer custody to", "bob");
    click(&mut harness, "Offer custody");
    wait(&mut harness, "the offers", |app| {
        app.signed(|s| s.custody.offers.len() == 2)
    });
    assert!(harness.state().model.message.is_none());
    assert!(harness.state().s().browser.selected.is_empty());

    // A retention date of today on the internal item: it is due, and the tab says so.
    open_item(&mut harness, &controls[1]);
    harness.get_by_label("Offer open");
    type_into(&mut harness, "Retain until (YYYY-MM-DD)", &today(&fx));
    click(&mut harness, "Set date");
    wait(&mut harness, "the retention date", |app| {
        app.signed(|s| s.item.detail.as_ref().is_some_and(|d| d.due) && s.custody.due.len() == 1)
    });
    harness.get_by_label("Custody (1)").click();
    wait(&mut harness, "the custody screen", |app| {
        app.signed(|s| s.view == View::Custody)
    });
    harness.get_by_label("Due for destruction (1)");
    harness.get_by_label("Destroyed items (1)");
    harness.get_by_label("SR-2026-000003".replace("2026", &controls[0][3..7]).as_str());
    assert_eq!(
        harness.get_all_by_label(&controls[1]).count(),
        2,
        "in the offers and the Due list"
    );

    // The inventory, with its progress as a job.
    click(&mut harness, "Check and decrypt (deep)");
    wait(&mut harness, "the inventory", |app| {
        app.signed(|s| s.custody.report.is_some())
    });
    harness.get_by_label("Inventory clean: every item matches its object and its history.");
    assert_eq!(
        harness
            .state()
            .s()
            .custody
            .report
            .as_ref()
            .unwrap()
            .deep
            .as_ref()
            .unwrap()
            .checked,
        2
    );

    // The confidential item raised to secret from its page (re-encrypted as a job).
    open_item(&mut harness, &controls[0]);
    harness
        .get(by().role(egui::accesskit::Role::ComboBox).label("Raise level to"))
        .click();
    harness.run_steps(2);
    harness.get_all_by_label("SECRET").last().unwrap().click();
    harness.run_steps(2);
    assert_eq!(harness.state().s().item.custody.raise_to, Some(Level::Secret));
    type_into(&mut harness, "Why it is raised (recorded)", "the plan shows the depots");
    click(&mut harness, "Raise level (re-encrypt)");
    wait(&mut harness, "the raise", |app| {
        app.signed(|s| s.item.detail.as_ref().is_some_and(|d| d.summary.level == Level::Secret))
    });
    assert!(harness.state().model.message.is_none());
    assert_eq!(harness.state().s().item.detail.as_ref().unwrap().object_version, 1);

    // bob: two offers wait for him; he accepts one and declines the other.
    harness.state_mut().act(Action::Lock);
    sign_in(&mut harness, "bob", BOB_PW);
    wait(&mut harness, "bob's offers", |app| {
        app.signed(|s| s.custody.offers.len() == 2)
    });
    harness.get_by_label("Custody (2)").click();
    wait(&mut harness, "the custody screen", |app| {
        app.signed(|s| s.view == View::Custody)
    });
    harness.get_all_by_label("Accept custody").next().unwrap().click();
    wait(&mut harness, "the acceptance", |app| {
        app.signed(|s| s.custody.offers.len() == 1)
    });
    click(&mut harness, "Decline");
    wait(&mut harness, "the decline", |app| {
        app.signed(|s| s.custody.offers.is_empty())
    });
    wait(&mut harness, "the list", |app| {
        app.signed(|s| s.items.iter().filter(|i| i.custodian == "bob").count() == 1)
    });
    assert!(harness.state().model.message.is_none());
    // No Due list or inventory for an operator.
    assert!(harness.query_by_label("Check objects").is_none());

    // In Chinese.
    harness.state_mut().model.prefs.lang = crate::gui::i18n::Lang::Zh;
    harness.step();
    harness.get_by_label("待处理的保管移交");
}
