//! A reset or a recovery gives a user a new identity; the old one must open nothing from
//! then on. A saved copy of the old keyslot row plus the old password would still open the
//! old identity's grants offline, so every key it held is replaced (issue: key trust
//! survives an insider's rollback, finding 3).

use strongroom::Level;
use strongroom::accounts::keyring::{self, KeyKind};
use strongroom::crypto::wrap;

use crate::support::accounts::{BOB_PW, add_ready_user, fixture, item_dek, steal_keys};
use crate::support::station::{LibVault, pw};

/// What bob took before his identity was replaced: his SECRET key, opened from his own
/// keyslot and grant copies.
fn bobs_old_secret_key(fx: &LibVault) -> strongroom::crypto::Key32 {
    let (identity, secret, grants) = steal_keys(fx, "bob", BOB_PW);
    grants
        .iter()
        .find(|g| g.kind == KeyKind::Level && g.level == Level::Secret)
        .map(|g| keyring::open_grant(identity, &secret, g).unwrap())
        .unwrap()
}

#[test]
fn after_a_reset_the_old_identity_opens_nothing_imported_since() {
    let (fx, mut station) = fixture();
    let before = fx.import(&mut station, "before.txt", Level::Secret);
    let old_key = bobs_old_secret_key(&fx);
    let (aad, wrapped) = item_dek(&fx, &before);
    assert!(wrap::open(&old_key, &aad, &wrapped).is_ok(), "the stolen key is real");

    station
        .reset_password("bob", &pw("a temporary passphrase"), "forgot it")
        .unwrap();
    let after = fx.import(&mut station, "after.txt", Level::Secret);
    for control in [&before, &after] {
        let (aad, wrapped) = item_dek(&fx, control);
        assert!(wrap::open(&old_key, &aad, &wrapped).is_err(), "{control}");
    }
    // The reset is recorded with the key replacement it called for.
    let actions = fx.actions();
    let reset = actions.iter().rposition(|a| a == "user.reset").unwrap();
    assert_eq!(actions[reset + 1], "key.rotate");
}

#[test]
fn after_a_recovery_the_old_identity_opens_nothing_imported_since() {
    let (fx, mut station) = fixture();
    let old_key = bobs_old_secret_key(&fx);
    station.lock();
    station
        .recover("bob", &fx.recovery, &pw("bob's recovered passphrase"))
        .unwrap();
    station.unlock("alice", &pw(crate::support::PASSWORD)).unwrap();
    let after = fx.import(&mut station, "after.txt", Level::Secret);
    let (aad, wrapped) = item_dek(&fx, &after);
    assert!(wrap::open(&old_key, &aad, &wrapped).is_err());
    // Bob signs in with the new password and reads it.
    station.lock();
    station.unlock("bob", &pw("bob's recovered passphrase")).unwrap();
    let out = fx.files.join("after.out");
    station
        .export(
            &after,
            &out,
            false,
            "checked by the test",
            &strongroom::progress::Progress::new(),
        )
        .unwrap();
    let actions = fx.actions();
    let recovered = actions.iter().rposition(|a| a == "user.recover").unwrap();
    assert_eq!(actions[recovered + 1], "key.rotate");
}

#[test]
fn an_officer_not_cleared_to_what_the_user_holds_cannot_reset_them() {
    let (fx, mut station) = fixture();
    // carol (top-secret officer) is reset by an officer cleared only to SECRET: the top-secret
    // key she holds must be replaced, which that officer cannot do.
    add_ready_user(
        &mut station,
        "erin",
        strongroom::accounts::Role::Officer,
        Level::Secret,
        "erin's long passphrase",
    );
    station.lock();
    station.unlock("erin", &pw("erin's long passphrase")).unwrap();
    let refused = station.reset_password("carol", &pw("a temporary passphrase"), "forgot it");
    assert!(
        matches!(refused, Err(strongroom::Error::Denied { rule: "clearance", .. })),
        "{refused:?}"
    );
    drop(fx);
}
