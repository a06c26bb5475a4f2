//! Item rows changed outside Strongroom (issue 23, findings 4 and 5). The items table can be
//! edited by anyone with the OS account, and a user who holds two level keys can rewrap an
//! item under the lower one. Commands check the item they act on against the level its key
//! was wrapped for and its custody history in the ledger (reclassifications signed by the
//! admin key); `ledger verify` checks every row; lists leave out rows that disagree.

use serde_json::json;
use strongroom::accounts::Role;
use strongroom::accounts::keyring::{self, KeyKind};
use strongroom::crypto::LevelKey;
use strongroom::progress::Progress;
use strongroom::vault::history::Difference;
use strongroom::vault::items;
use strongroom::{ControlNumber, Error, Level, Station};

use crate::support::accounts::{BOB_PW, CAROL_PW, DAVE_PW, add_ready_user, fixture, steal_keys};
use crate::support::station::{LibVault, pw};
use crate::support::{PASSWORD, insider};

/// Sign out and in as `user`.
fn switch(station: &mut Station, user: &str, password: &str) {
    station.lock();
    station.unlock(user, &pw(password)).unwrap();
}

fn control_sql(control: &str) -> (i32, u32) {
    let control = ControlNumber::parse(control).unwrap();
    (control.year, control.serial)
}

/// alice, bob (secret), carol and dave (confidential operator).
fn with_dave() -> (LibVault, Station) {
    let (vault, mut station) = fixture();
    add_ready_user(&mut station, "dave", Role::Operator, Level::Confidential, DAVE_PW);
    (vault, station)
}

#[test]
fn a_level_lowered_by_sql_lets_no_one_act_on_the_item_and_verify_names_it() {
    let (vault, mut station) = with_dave();
    let control = vault.import(&mut station, "plan.tif", Level::TopSecret);
    let (year, serial) = control_sql(&control);
    vault
        .db()
        .execute(
            "UPDATE items SET level = 2 WHERE control_year = ?1 AND control_serial = ?2",
            rusqlite::params![year, serial],
        )
        .unwrap();

    // A confidential operator cannot destroy it alone, see it, or read it.
    switch(&mut station, "dave", DAVE_PW);
    let refused = station.destroy_item(&control, "clearing out old plans");
    assert!(matches!(refused, Err(Error::ObjectTampered { .. })), "{refused:?}");
    assert!(station.list_items().unwrap().is_empty());
    assert!(station.item(&control).is_err());
    assert!(
        !vault
            .actions()
            .iter()
            .any(|a| a == "item.destroy" || a == "request.create")
    );
    let wrapped: Vec<u8> = vault
        .db()
        .query_row(
            "SELECT wrapped_dek FROM items WHERE control_year = ?1 AND control_serial = ?2",
            rusqlite::params![year, serial],
            |r| r.get(0),
        )
        .unwrap();
    assert!(!wrapped.is_empty(), "nothing was erased");

    // The officer's verify names the row; she is refused too, until the row is put right.
    switch(&mut station, "alice", PASSWORD);
    assert!(matches!(station.item(&control), Err(Error::ObjectTampered { .. })));
    let report = station.verify_ledger().unwrap();
    assert!(!report.ok);
    assert!(report.first_bad.is_none(), "the log itself is whole");
    assert_eq!(report.item_findings.len(), 1);
    assert_eq!(report.item_findings[0].control_number, control);
    assert_eq!(
        report.item_findings[0].differences,
        [Difference {
            field: "level",
            row: "confidential".into(),
            history: "top-secret".into()
        }]
    );
}

#[test]
fn a_custodian_edited_by_sql_is_refused_and_not_shown_as_fact() {
    let (vault, mut station) = with_dave();
    let control = vault.import(&mut station, "memo.txt", Level::Confidential);
    let (year, serial) = control_sql(&control);
    vault
        .db()
        .execute(
            "UPDATE items SET custodian = (SELECT id FROM users WHERE name = 'dave'),
                              created_by = (SELECT id FROM users WHERE name = 'dave')
             WHERE control_year = ?1 AND control_serial = ?2",
            rusqlite::params![year, serial],
        )
        .unwrap();
    switch(&mut station, "dave", DAVE_PW);
    let list = station.item_list().unwrap();
    assert!(list.items.is_empty());
    assert_eq!(list.withheld, 1, "left out, and said so");
    let refused = station.export(
        &control,
        &vault.files.join("out"),
        false,
        "checked by the test",
        &Progress::new(),
    );
    assert!(matches!(refused, Err(Error::Integrity { .. })), "{refused:?}");
    assert!(!vault.files.join("out").exists());
    switch(&mut station, "alice", PASSWORD);
    let report = station.verify_ledger().unwrap();
    let fields: Vec<&str> = report.item_findings[0].differences.iter().map(|d| d.field).collect();
    assert_eq!(fields, ["created_by", "custodian"]);
}

#[test]
fn a_rewrap_under_a_lower_key_by_a_holder_of_both_is_refused_and_reported() {
    let (vault, mut station) = with_dave();
    let control = vault.import(&mut station, "survey.tif", Level::Secret);
    // bob (secret operator) may not downgrade.
    switch(&mut station, "bob", BOB_PW);
    assert!(matches!(
        station.downgrade_item(&control, Level::Confidential, "releasable"),
        Err(Error::Denied { .. })
    ));
    station.lock();

    // With his own keys and a script he rewraps the DEK and metadata under confidential:
    // the AEAD checks pass, since he holds both keys.
    let (identity, secret, grants) = steal_keys(&vault, "bob", BOB_PW);
    let key = |level: Level| {
        let grant = grants
            .iter()
            .find(|g| g.kind == KeyKind::Level && g.level == level)
            .unwrap();
        LevelKey::new(grant.generation, keyring::open_grant(identity, &secret, grant).unwrap())
    };
    let db = vault.db();
    let row = items::by_control(&db, &ControlNumber::parse(&control).unwrap())
        .unwrap()
        .unwrap();
    let moved = row
        .rewrapped(&key(Level::Secret), Level::Confidential, &key(Level::Confidential))
        .unwrap();
    let tx = db.unchecked_transaction().unwrap();
    items::relabel(&tx, &row, &moved, "2026-12-06T12:00:00.000Z").unwrap();
    tx.commit().unwrap();
    // An unsigned reclassification appended with SQL does not make the history agree.
    insider::append_event(
        &db,
        "alice",
        "item.reclassify",
        &control,
        json!({ "item": row.id.to_string(), "control_number": control, "from": "secret", "to": "confidential", "reason": "x" }),
    );

    // Nor does an import naming confidential placed below seq 0, where ledger order begins.
    let real_import = insider::events(&db)
        .into_iter()
        .find(|e| e["action"] == "item.import" && e["subject"] == control.as_str())
        .unwrap();
    let mut forged_import = real_import.clone();
    forged_import["seq"] = json!(-1);
    forged_import["level"] = json!("confidential");
    insider::insert_event_at(&db, -1, &forged_import);

    // dave (confidential) neither sees nor reads it.
    station.unlock("dave", &pw(DAVE_PW)).unwrap();
    assert!(station.list_items().unwrap().is_empty());
    let refused = station.export(
        &control,
        &vault.files.join("out"),
        false,
        "checked by the test",
        &Progress::new(),
    );
    assert!(matches!(refused, Err(Error::Integrity { .. })), "{refused:?}");
    assert!(!vault.files.join("out").exists());
    switch(&mut station, "alice", PASSWORD);
    let report = station.verify_ledger().unwrap();
    assert_eq!(report.item_findings[0].control_number, control);
    assert_eq!(report.item_findings[0].differences[0].history, "secret");
}

#[test]
fn a_signed_downgrade_moves_the_history_with_the_item() {
    let (vault, mut station) = with_dave();
    let control = vault.import(&mut station, "survey.tif", Level::Secret);
    station.add_witness("carol", &pw(CAROL_PW)).unwrap();
    station
        .downgrade_item(&control, Level::Confidential, "releasable")
        .unwrap();
    let report = station.verify_ledger().unwrap();
    assert!(report.ok, "{:?}", report.item_findings);
    assert_eq!(report.items_checked, 1);
    switch(&mut station, "dave", DAVE_PW);
    let listed = station.list_items().unwrap();
    assert_eq!(listed.len(), 1);
    assert_eq!(listed[0].custodian, "alice");
    let out = vault.files.join("released.tif");
    station
        .export(&control, &out, false, "checked by the test", &Progress::new())
        .unwrap();
    assert_eq!(std::fs::read(&out).unwrap(), b"survey.tif");
}
