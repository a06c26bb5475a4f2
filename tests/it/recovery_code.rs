//! A new recovery code (issue 24): the old code stops working, every key the old recovery
//! identity held is replaced, and the change is an alert another officer closes.

use strongroom::accounts::keyring::{self, KeyKind};
use strongroom::accounts::{Role, users};
use strongroom::crypto::{keyslot, recovery_code, wrap};
use strongroom::{Error, Level, Station};

use crate::support::accounts::{BOB_PW, CAROL_PW, add_ready_user, fixture, item_dek};
use crate::support::station::{LibVault, pw, switch};
use crate::support::{OFFICER, PASSWORD};

/// What a holder of the old code can take away: the recovery identity's secret and grants.
fn steal_recovery_keys(
    fx: &LibVault,
) -> (
    strongroom::IdentityId,
    strongroom::crypto::seal::SecretKey,
    Vec<keyring::GrantRow>,
) {
    let conn = fx.db();
    let id = users::recovery_identity(&conn).unwrap().unwrap();
    let slot = keyring::keyslot(&conn, id).unwrap().unwrap();
    let code = recovery_code::normalize(&fx.recovery).unwrap();
    let contents = keyslot::open(&code, id.as_bytes(), &slot).unwrap();
    (id, contents.identity, keyring::grants_of(&conn, id).unwrap())
}

#[test]
fn a_new_code_replaces_the_old_one_and_every_key_it_held() {
    let (fx, mut station) = fixture();
    let item = fx.import(&mut station, "ts.txt", Level::TopSecret);
    let (old_id, old_secret, old_grants) = steal_recovery_keys(&fx);
    let code = station.reissue_recovery_code("used for bob's recovery").unwrap();
    assert_ne!(code.expose(), fx.recovery.expose());

    // The stolen grants open only retired keys: nothing of today's vault.
    let (aad, wrapped) = item_dek(&fx, &item);
    let old_top = old_grants
        .iter()
        .find(|g| g.kind == KeyKind::Level && g.level == Level::TopSecret)
        .map(|g| keyring::open_grant(old_id, &old_secret, g).unwrap())
        .unwrap();
    assert!(wrap::open(&old_top, &aad, &wrapped).is_err());
    assert!(keyring::grants_of(&fx.db(), old_id).unwrap().is_empty());

    // The old code opens nothing; the new one recovers an account, and the items still open.
    station.lock();
    assert!(matches!(
        station.recover("bob", &fx.recovery, &pw("bob's recovered passphrase")),
        Err(Error::AuthenticationFailed { .. })
    ));
    station
        .recover("bob", &code, &pw("bob's recovered passphrase"))
        .unwrap();
    station.unlock(OFFICER, &pw(PASSWORD)).unwrap();
    assert_eq!(station.item(&item).unwrap().summary.level, Level::TopSecret);
    assert!(station.verify_ledger().unwrap().ok);
}

#[test]
fn the_reissue_is_an_alert_its_officer_does_not_close_while_another_can() {
    let (_fx, mut station) = fixture();
    station.reissue_recovery_code("the code was seen by a visitor").unwrap();
    let alert = station
        .alerts()
        .unwrap()
        .into_iter()
        .find(|a| a.action == "recovery.reissue")
        .expect("an open alert");
    assert!(matches!(
        station.acknowledge_alert(alert.seq, "it was me"),
        Err(Error::Denied {
            rule: "separation-of-duties",
            ..
        })
    ));
    switch(&mut station, "carol", CAROL_PW);
    station
        .acknowledge_alert(alert.seq, "confirmed with alice in person")
        .unwrap();
    assert!(station.alerts().unwrap().iter().all(|a| a.seq != alert.seq));
}

#[test]
fn only_an_officer_holding_every_key_reissues_and_a_reason_is_required() {
    let (_fx, mut station) = fixture();
    assert!(matches!(
        station.reissue_recovery_code("  "),
        Err(Error::InvalidInput(_))
    ));
    add_ready_user(
        &mut station,
        "erin",
        Role::Officer,
        Level::Secret,
        "erin's own passphrase",
    );
    switch(&mut station, "bob", BOB_PW);
    assert!(matches!(
        station.reissue_recovery_code("trying"),
        Err(Error::Denied { .. })
    ));
    switch(&mut station, "erin", "erin's own passphrase");
    match station.reissue_recovery_code("trying") {
        Err(Error::Denied { rule: "clearance", .. }) => {}
        other => panic!(
            "an officer cleared to secret cannot replace the top-secret key: {:?}",
            other.map(|_| ())
        ),
    }
}

#[test]
fn old_recovery_rows_copied_back_by_sql_do_not_bring_the_old_code_back() {
    let (fx, mut station) = fixture();
    let db = fx.db();
    let old = users::recovery_identity(&db).unwrap().unwrap();
    db.execute(
        "CREATE TEMP TABLE old_slot AS SELECT * FROM keyslots WHERE identity_id = ?1",
        [old.as_bytes().to_vec()],
    )
    .unwrap();
    let code = station.reissue_recovery_code("rotated after an audit").unwrap();
    // The insider puts the old identity back in charge and its keyslot back in place.
    db.execute_batch(
        "UPDATE identities SET retired_at = CASE WHEN retired_at IS NULL THEN '2026-01-01T00:00:00.000Z' ELSE NULL END
           WHERE kind = 'recovery';
         INSERT INTO keyslots SELECT * FROM temp.old_slot;",
    )
    .unwrap();
    assert_eq!(users::recovery_identity(&db).unwrap(), Some(old));
    station.lock();
    let refused = station.recover("bob", &fx.recovery, &pw("bob's recovered passphrase"));
    assert!(refused.is_err(), "the old code was accepted");
    // Bob's account is untouched: his own password still opens it.
    station.unlock("bob", &pw(BOB_PW)).unwrap();
    // Put right, the new code is the one that works.
    db.execute_batch(
        "UPDATE identities SET retired_at = CASE WHEN retired_at IS NULL THEN '2026-01-01T00:00:00.000Z' ELSE NULL END
           WHERE kind = 'recovery';",
    )
    .unwrap();
    station.lock();
    station
        .recover("bob", &code, &pw("bob's recovered passphrase"))
        .unwrap();
    Station::open(&fx.root)
        .unwrap()
        .unlock("bob", &pw("bob's recovered passphrase"))
        .unwrap();
}
