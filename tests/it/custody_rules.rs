//! Custody rules in the library (issue 24, part 1): only an item's custodian or a security
//! officer destroys it, and an officer destroying another custodian's item raises an alert.
//! The custodian is the one the item's custody history names, not its row.

use strongroom::{ControlNumber, Error, Level, Station};

use crate::support::PASSWORD;
use crate::support::accounts::{BOB_PW, fixture};
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
    let details = &alert.json().unwrap()["details"];
    assert_eq!(details["custodian"], "bob");
    assert_eq!(details["destroyed_by"], "alice");
    assert_eq!(details["control_number"], bobs.as_str());
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
