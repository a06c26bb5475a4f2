//! Custody in the library (issue 30): offers, acceptance, decline, lapse, reassignment,
//! retention and the Due list, tombstones — each refusal tried, and each rule attacked the
//! way an insider with the OS account would (edited rows, forged events).

use strongroom::accounts::Role;
use strongroom::ledger::alert::Finding;
use strongroom::progress::Progress;
use strongroom::{Error, Level, Station};

use crate::support::accounts::{BOB_PW, CAROL_PW, add_ready_user, fixture};
use crate::support::insider;
use crate::support::station::{LibVault, import_options, switch};
use crate::support::{OFFICER, PASSWORD};

/// The `custody.refused` events' attempts, oldest first.
fn refusals(vault: &LibVault) -> Vec<String> {
    insider::events(&vault.db())
        .iter()
        .filter(|e| e["action"] == "custody.refused")
        .map(|e| e["details"]["attempt"].as_str().unwrap_or_default().to_string())
        .collect()
}

fn custodian(station: &Station, control: &str) -> String {
    station.item(control).unwrap().summary.custodian
}

#[test]
fn an_offer_accepted_by_its_recipient_moves_custody() {
    let (vault, mut station) = fixture();
    let control = vault.import(&mut station, "survey.tif", Level::Confidential);
    let offer = station.offer_custody(&control, "bob", Some("for the survey")).unwrap();
    assert_eq!((offer.from.as_str(), offer.to.as_str()), ("alice", "bob"));
    // Offered, not moved: alice still holds it; bob sees the offer.
    assert_eq!(custodian(&station, &control), "alice");
    switch(&mut station, "bob", BOB_PW);
    assert_eq!(station.pending_offers().unwrap().len(), 1);
    station.accept_custody(&control).unwrap();
    assert_eq!(custodian(&station, &control), "bob");
    assert!(station.pending_offers().unwrap().is_empty());
    // Accepted once: a second acceptance finds no offer.
    assert!(station.accept_custody(&control).is_err());
    let listed = station.list_items().unwrap();
    assert_eq!(listed[0].custodian, "bob");
}

#[test]
fn offers_to_the_wrong_people_are_refused_and_recorded() {
    let (vault, mut station) = fixture();
    add_ready_user(
        &mut station,
        "dave",
        Role::Operator,
        Level::Internal,
        "dave's passphrase",
    );
    let secret = vault.import(&mut station, "plan.tif", Level::Secret);
    // Not cleared for it.
    let low = station.offer_custody(&secret, "dave", None).unwrap_err();
    assert!(matches!(&low, Error::Denied { rule: "clearance", .. }), "{low}");
    // Disabled.
    station.disable_user("dave", "left").unwrap();
    let gone = station.offer_custody(&secret, "dave", None).unwrap_err();
    assert!(matches!(&gone, Error::Denied { rule: "disabled", .. }), "{gone}");
    // Nobody of that name: an input error, not worth a record.
    assert!(station.offer_custody(&secret, "zed", None).is_err());
    // Someone else's offer.
    station.offer_custody(&secret, "bob", None).unwrap();
    switch(&mut station, "carol", CAROL_PW);
    let stolen = station.accept_custody(&secret).unwrap_err();
    assert!(matches!(&stolen, Error::Denied { rule: "not-yours", .. }), "{stolen}");
    assert_eq!(custodian(&station, &secret), "alice");
    assert_eq!(refusals(&vault), ["offer", "offer", "accept"]);
    // A destroyed item: no longer findable as an item, so nothing can be offered.
    switch(&mut station, OFFICER, PASSWORD);
    let internal = vault.import(&mut station, "old.txt", Level::Internal);
    station.destroy_item(&internal, "superseded").unwrap();
    assert!(matches!(
        station.offer_custody(&internal, "bob", None),
        Err(Error::NotFound(_))
    ));
}

#[test]
fn an_operator_offers_only_what_they_hold_and_an_offer_lapses() {
    let (vault, mut station) = fixture();
    let alices = vault.import(&mut station, "alices.tif", Level::Internal);
    switch(&mut station, "bob", BOB_PW);
    let refused = station.offer_custody(&alices, "carol", None).unwrap_err();
    assert!(matches!(&refused, Error::Denied { rule: "custodian", .. }), "{refused}");
    switch(&mut station, OFFICER, PASSWORD);
    station.offer_custody(&alices, "bob", None).unwrap();
    // The policy's 72 hours pass.
    vault.clock.advance(time::Duration::hours(73));
    switch(&mut station, "bob", BOB_PW);
    assert!(station.pending_offers().unwrap().is_empty());
    assert!(station.accept_custody(&alices).is_err());
    assert_eq!(custodian(&station, &alices), "alice");
    // A shorter policy applies to new offers.
    switch(&mut station, OFFICER, PASSWORD);
    station.set_policy("transfer-offer-hours", "1").unwrap();
    let offer = station.offer_custody(&alices, "bob", None).unwrap();
    assert!(offer.expires_at > offer.offered_at);
    vault.clock.advance(time::Duration::minutes(61));
    switch(&mut station, "bob", BOB_PW);
    assert!(station.accept_custody(&alices).is_err());
}

#[test]
fn declining_and_withdrawing_close_the_offer() {
    let (vault, mut station) = fixture();
    let control = vault.import(&mut station, "a.tif", Level::Internal);
    station.offer_custody(&control, "bob", None).unwrap();
    switch(&mut station, "bob", BOB_PW);
    station.decline_custody(&control).unwrap();
    assert!(station.accept_custody(&control).is_err());
    switch(&mut station, OFFICER, PASSWORD);
    station.offer_custody(&control, "bob", None).unwrap();
    station.decline_custody(&control).unwrap();
    switch(&mut station, "bob", BOB_PW);
    assert!(station.accept_custody(&control).is_err());
    assert_eq!(custodian(&station, &control), "alice");
}

#[test]
fn a_custodian_edited_with_sql_is_refused_and_forged_transfers_are_reported() {
    let (vault, mut station) = fixture();
    let control = vault.import(&mut station, "a.tif", Level::Internal);
    let db = vault.db();
    let bob: Vec<u8> = db
        .query_row("SELECT id FROM users WHERE name = 'bob'", [], |r| r.get(0))
        .unwrap();
    db.execute("UPDATE items SET custodian = ?1", [&bob]).unwrap();
    let refused = station.item(&control).unwrap_err();
    assert!(refused.to_string().contains("custodian"), "{refused}");
    assert!(station.list_items().unwrap().is_empty());
    // An insider adds an offer to bob and bob's acceptance as rows while the station is
    // locked: the row agrees with the history again, but the next sign-in names both rows.
    station.lock();
    let item_id: Vec<u8> = db.query_row("SELECT id FROM items", [], |r| r.get(0)).unwrap();
    let item = uuid::Uuid::from_slice(&item_id).unwrap().to_string();
    let offer = insider::append_event(
        &db,
        "alice",
        "custody.offer",
        &control,
        serde_json::json!({"item": item, "control_number": control, "from": "alice", "to": "bob",
                           "expires_at": "2099-01-01T00:00:00.000Z"}),
    );
    let accept = insider::append_event(
        &db,
        "bob",
        "custody.accept",
        &control,
        serde_json::json!({"item": item, "control_number": control, "offer": offer, "from": "alice", "to": "bob"}),
    );
    station.unlock(OFFICER, &crate::support::station::pw(PASSWORD)).unwrap();
    let alerts = station.alerts().unwrap();
    let named = alerts
        .iter()
        .find(|a| a.action == "ledger.alert")
        .expect("a ledger alert names the rows no session wrote");
    assert!(
        matches!(named.finding, Finding::UnaccountedEvents { count: 2, first: Some(first) } if first == offer as u64),
        "{named:?}"
    );
    assert_eq!(accept, offer + 1);
}

#[test]
fn a_forged_reassignment_without_an_officers_signature_moves_nothing() {
    let (vault, mut station) = fixture();
    let control = vault.import(&mut station, "a.tif", Level::Internal);
    let db = vault.db();
    let item_id: Vec<u8> = db.query_row("SELECT id FROM items", [], |r| r.get(0)).unwrap();
    let item = uuid::Uuid::from_slice(&item_id).unwrap().to_string();
    insider::append_event(
        &db,
        "alice",
        "custody.reassign",
        &control,
        serde_json::json!({"item": item, "control_number": control, "from": "alice", "to": "bob", "reason": "x"}),
    );
    assert_eq!(custodian(&station, &control), "alice");
}

#[test]
fn a_leavers_holdings_are_listed_at_disable_and_reassigned_by_an_officer() {
    let (vault, mut station) = fixture();
    switch(&mut station, "bob", BOB_PW);
    let one = vault.import(&mut station, "one.tif", Level::Internal);
    let two = vault.import(&mut station, "two.tif", Level::Secret);
    switch(&mut station, OFFICER, PASSWORD);
    let held = station.disable_user("bob", "left the unit").unwrap();
    assert_eq!(held, [one.clone(), two.clone()]);
    let report = station.inventory(false, &Progress::new()).unwrap();
    assert_eq!(report.disabled_custodians.len(), 2);
    // Only to someone cleared for every item.
    add_ready_user(
        &mut station,
        "erin",
        Role::Operator,
        Level::Confidential,
        "erin's passphrase",
    );
    assert!(station.reassign_custody("bob", "erin", "bob left").is_err());
    assert_eq!(custodian(&station, &one), "bob");
    let moved = station.reassign_custody("bob", "carol", "bob left").unwrap();
    assert_eq!(moved.moved, [one.clone(), two.clone()]);
    assert!(moved.skipped.is_empty());
    assert_eq!(custodian(&station, &one), "carol");
    assert_eq!(custodian(&station, &two), "carol");
    assert!(station.inventory(false, &Progress::new()).unwrap().is_clean());
    // Operators cannot reassign.
    switch(&mut station, "carol", CAROL_PW);
    station.offer_custody(&one, "alice", None).unwrap();
    switch(&mut station, OFFICER, PASSWORD);
    station.accept_custody(&one).unwrap();
    station.enable_user("bob", "back").unwrap();
    switch(&mut station, "bob", BOB_PW);
    let refused = station.reassign_custody("alice", "bob", "mine now").unwrap_err();
    assert!(matches!(refused, Error::Denied { rule: "role", .. }), "{refused}");
}

#[test]
fn retention_dates_come_from_import_or_policy_and_make_the_due_list() {
    let (vault, mut station) = fixture();
    // A date in the past at import: refused, nothing imported.
    let path = vault.files.join("late.tif");
    std::fs::write(&path, b"late").unwrap();
    let plan = station.plan_import(std::slice::from_ref(&path), false).unwrap();
    let past = strongroom::station::ImportOptions {
        retain_until: Some("2020-01-01".into()),
        ..import_options(Level::Internal)
    };
    let refused = station.import(plan, &past, &Progress::new()).unwrap_err();
    assert!(refused.to_string().contains("in the past"), "{refused}");
    assert!(station.list_items().unwrap().is_empty());
    // The level's default from policy.
    station.set_policy("retention-days-internal", "30").unwrap();
    let control = vault.import(&mut station, "kept.tif", Level::Internal);
    let other = vault.import(&mut station, "forever.tif", Level::Confidential);
    let detail = station.item(&control).unwrap();
    assert!(detail.retain_until.is_some() && !detail.due);
    assert!(station.item(&other).unwrap().retain_until.is_none());
    assert!(station.due_items().unwrap().is_empty());
    vault.clock.advance(time::Duration::days(31));
    switch(&mut station, OFFICER, PASSWORD);
    let due = station.due_items().unwrap();
    assert_eq!(due.len(), 1);
    assert_eq!(due[0].control_number, control);
    assert!(due[0].days_overdue >= 1);
    // The custodian moves it on; someone else may not.
    switch(&mut station, "bob", BOB_PW);
    let refused = station
        .set_retention(&control, Some("2099-12-31"), "still needed")
        .unwrap_err();
    assert!(matches!(refused, Error::Denied { rule: "custodian", .. }));
    switch(&mut station, OFFICER, PASSWORD);
    station
        .set_retention(&control, Some("2099-12-31"), "still needed")
        .unwrap();
    assert!(station.due_items().unwrap().is_empty());
    assert!(station.set_retention(&control, Some("2001-01-01"), "").is_err());
    station.set_retention(&control, None, "kept").unwrap();
    assert!(station.item(&control).unwrap().retain_until.is_none());
    // bob, cleared to secret, sees only what he may: a due top-secret item stays hidden.
    let ts = vault.import(&mut station, "ts.tif", Level::TopSecret);
    station.set_retention(&ts, Some(&today(&vault)), "").unwrap();
    assert_eq!(station.due_items().unwrap().len(), 1);
    switch(&mut station, "bob", BOB_PW);
    assert!(station.due_items().unwrap().is_empty());
}

fn today(vault: &LibVault) -> String {
    use strongroom::time::Clock;
    let now = vault.clock.now();
    format!("{:04}-{:02}-{:02}", now.year(), u8::from(now.month()), now.day())
}

#[test]
fn a_destroyed_item_leaves_a_tombstone_without_its_title() {
    let (vault, mut station) = fixture();
    let control = vault.import(&mut station, "harbour.tif", Level::Secret);
    let sha = station.item(&control).unwrap().sha256;
    station
        .add_witness("carol", &crate::support::station::pw(CAROL_PW))
        .unwrap();
    station.destroy_item(&control, "no longer needed").unwrap();
    assert!(matches!(station.item(&control), Err(Error::NotFound(_))));
    let tomb = station.tombstone(&control).unwrap();
    assert_eq!(tomb.control_number, control);
    assert_eq!(tomb.level, Level::Secret);
    assert_eq!(tomb.sha256, sha);
    assert_eq!(tomb.destroyed_by, "alice");
    assert_eq!(tomb.witness.as_deref(), Some("carol"));
    assert_eq!(station.tombstones().unwrap().len(), 1);
    let json = serde_json::to_string(&tomb).unwrap();
    assert!(!json.contains("harbour"), "the title survived: {json}");
    // A top-secret tombstone is not shown to bob, cleared to secret.
    let ts = vault.import(&mut station, "ts.tif", Level::TopSecret);
    station
        .add_witness("carol", &crate::support::station::pw(CAROL_PW))
        .unwrap();
    station.destroy_item(&ts, "no longer needed").unwrap();
    assert_eq!(station.tombstones().unwrap().len(), 2);
    switch(&mut station, "bob", BOB_PW);
    assert_eq!(station.tombstones().unwrap().len(), 1);
    assert!(station.tombstone(&ts).is_err());
    // A row marked destroyed with SQL has no recorded destruction: no tombstone.
    switch(&mut station, OFFICER, PASSWORD);
    let live = vault.import(&mut station, "live.tif", Level::Internal);
    vault
        .db()
        .execute("UPDATE items SET status = 'destroyed' WHERE control_serial = 3", [])
        .unwrap();
    assert!(station.tombstone(&live).is_err());
    assert_eq!(station.tombstones().unwrap().len(), 2);
}

#[test]
fn an_acceptance_the_ledger_would_not_count_is_refused_and_leaves_the_item_usable() {
    let (vault, mut station) = fixture();
    let control = vault.import(&mut station, "a.tif", Level::Internal);
    station.offer_custody(&control, "bob", None).unwrap();
    // An insider appends a row dated far in the future: every later event takes its time,
    // so an acceptance would land after the offer lapsed by the ledger's clock.
    station.lock();
    insider::append_event(
        &vault.db(),
        "mallory",
        "auth.login_failed",
        "mallory",
        serde_json::json!({}),
    );
    crate::support::insider::unguarded(&vault.root)
        .execute(
            "UPDATE events SET time = '2999-01-01T00:00:00.000Z' WHERE seq = (SELECT MAX(seq) FROM events)",
            [],
        )
        .unwrap();
    station.unlock("bob", &crate::support::station::pw(BOB_PW)).unwrap();
    let refused = station.accept_custody(&control).unwrap_err();
    assert!(refused.to_string().contains("changed while"), "{refused}");
    // Nothing moved: the item still opens, held by alice.
    assert_eq!(custodian(&station, &control), "alice");
}

#[test]
fn a_reassignment_moves_what_it_can_and_names_what_it_left() {
    let (vault, mut station) = fixture();
    switch(&mut station, "bob", BOB_PW);
    let good = vault.import(&mut station, "good.tif", Level::Internal);
    let bad = vault.import(&mut station, "bad.tif", Level::Internal);
    switch(&mut station, OFFICER, PASSWORD);
    // bad's row is edited with SQL: it no longer agrees with its history.
    vault
        .db()
        .execute("UPDATE items SET category = 'other' WHERE control_serial = 2", [])
        .unwrap();
    let done = station.reassign_custody("bob", "carol", "bob left").unwrap();
    assert_eq!(done.moved, std::slice::from_ref(&good));
    assert_eq!(done.skipped.len(), 1);
    assert_eq!(done.skipped[0].control_number, bad);
    assert_eq!(custodian(&station, &good), "carol");
}

#[test]
fn the_inventory_names_no_row_above_the_users_clearance() {
    let (vault, mut station) = fixture();
    vault.import(&mut station, "ts.tif", Level::TopSecret);
    vault.import(&mut station, "low.tif", Level::Internal);
    vault.db().execute("UPDATE items SET category = 'other'", []).unwrap();
    assert_eq!(station.inventory(false, &Progress::new()).unwrap().history.len(), 2);
    switch(&mut station, "bob", BOB_PW);
    let his = station.inventory(false, &Progress::new()).unwrap();
    assert_eq!(his.history.len(), 1, "{his:?}");
    assert!(his.history[0].control_number.ends_with("000002"), "{his:?}");
}
