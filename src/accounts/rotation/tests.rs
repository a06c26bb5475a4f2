//! The rotation rules on a real schema: who is granted a rotated key, what the change signs
//! with, and what it refuses.

use super::*;
use crate::accounts::fixture::{Fixture, NOW, STATION};

fn plan(levels: &[Level], signing: bool, admin: bool) -> KeyPlan {
    KeyPlan {
        levels: levels.to_vec(),
        signing,
        admin,
    }
}

#[test]
fn a_rotated_level_key_goes_to_its_holders_and_the_recovery_identity_only() {
    let mut fx = Fixture::new();
    let next = fx.directory.successor(NOW);
    let rotation = Rotation::prepare(
        &fx.directory,
        next,
        plan(&[Level::Confidential], false, false),
        fx.lent(),
        fx.bob_target(),
    )
    .unwrap();
    assert_eq!(rotation.rotated_levels(), [(Level::Confidential, 2)]);
    let published = rotation.directory().clone();
    let entry = published.level(Level::Confidential).unwrap().clone();
    assert_eq!(entry.generation, 2);
    fx.apply(&rotation);

    let (_, bob_identity, bob_secret) = &fx.bob;
    let (_, alice_identity, alice_secret) = &fx.alice;
    let (recovery_identity, recovery_secret) = &fx.recovery;
    for (identity, secret) in [
        (bob_identity, bob_secret),
        (alice_identity, alice_secret),
        (recovery_identity, recovery_secret),
    ] {
        let confidential: Vec<_> = fx
            .granted(*identity, secret, KeyKind::Level)
            .into_iter()
            .filter(|(l, _, _)| *l == Level::Confidential)
            .collect();
        assert_eq!(confidential.len(), 1, "one grant of the new key, none of the old");
        let (_, generation, key) = &confidential[0];
        assert_eq!(*generation, 2);
        assert_eq!(
            hex::encode(&commitment::level_key(Level::Confidential, 2, key)),
            entry.commitment,
            "the granted key is the one the directory commits to"
        );
    }
    // Bob, the target, was granted anew what his clearance covers, and the signing key.
    let bob_levels: Vec<Level> = fx
        .granted(*bob_identity, bob_secret, KeyKind::Level)
        .iter()
        .map(|(l, _, _)| *l)
        .collect();
    assert_eq!(bob_levels.len(), 3, "{bob_levels:?}");
    assert!(bob_levels.iter().all(|l| *l <= Level::Confidential));
    assert_eq!(fx.granted(*bob_identity, bob_secret, KeyKind::Signing).len(), 1);
    assert!(fx.granted(*bob_identity, bob_secret, KeyKind::Admin).is_empty());
    // The new directory is stored, signed by the admin key in force.
    let (version, body, signature) = directory::load_latest(&fx.conn).unwrap();
    assert_eq!(version, 2);
    assert_eq!(
        directory::verify(&body, &signature, &fx.admin.public()).unwrap(),
        published
    );
}

#[test]
fn a_replaced_admin_key_signs_the_change_and_leaves_a_succession() {
    let mut fx = Fixture::new();
    let next = fx.directory.successor(NOW);
    let rotation = Rotation::prepare(&fx.directory, next, plan(&[], true, true), fx.lent(), fx.bob_target()).unwrap();
    let new_admin = rotation.directory().admin_key_bytes().unwrap();
    assert_ne!(new_admin, fx.admin.public());
    let (old_signing, new_signing) = rotation.signing_change().unwrap();
    assert_eq!(old_signing.public(), fx.signing.public());
    assert_eq!(hex::encode(&new_signing.public()), rotation.directory().signing_key);
    fx.apply(&rotation);
    assert_eq!(
        succession::current_key(&fx.conn, STATION, fx.admin.public()).unwrap(),
        new_admin
    );
    let (_, body, signature) = directory::load_latest(&fx.conn).unwrap();
    assert!(directory::verify(&body, &signature, &fx.admin.public()).is_err());
    directory::verify(&body, &signature, &new_admin).unwrap();
    // Only the officer and the recovery identity hold the new admin key.
    let (_, alice_identity, alice_secret) = &fx.alice;
    let admin = fx.granted(*alice_identity, alice_secret, KeyKind::Admin);
    assert_eq!(admin.len(), 1);
    assert_eq!(SignKey::from_seed(&admin[0].2).public(), new_admin);
    let (_, bob_identity, bob_secret) = &fx.bob;
    assert!(fx.granted(*bob_identity, bob_secret, KeyKind::Admin).is_empty());
}

#[test]
fn a_change_of_an_account_replaces_exactly_what_it_held_and_loses() {
    let fx = Fixture::new();
    let (alice, bob) = (&fx.directory.users[0], &fx.directory.users[1]);
    let changed = |user: &DirectoryUser, edit: fn(&mut DirectoryUser)| {
        let mut after = user.clone();
        edit(&mut after);
        KeyPlan::for_change(user, &after)
    };
    // Disabling: every level key held, the signing key, and an officer's admin key.
    assert_eq!(
        changed(alice, |u| u.status = UserStatus::Disabled),
        plan(
            &[Level::Unclassified, Level::Internal, Level::Confidential, Level::Secret],
            true,
            true
        )
    );
    assert_eq!(
        changed(bob, |u| u.status = UserStatus::Disabled),
        plan(
            &[Level::Unclassified, Level::Internal, Level::Confidential],
            true,
            false
        )
    );
    // Lowering a clearance: the levels lost; raising it: nothing.
    assert_eq!(
        changed(alice, |u| u.clearance = Level::Internal),
        plan(&[Level::Confidential, Level::Secret], false, false)
    );
    assert!(changed(bob, |u| u.clearance = Level::Secret).is_empty());
    // Demoting an officer replaces the admin key; promoting replaces nothing.
    assert_eq!(changed(alice, |u| u.role = Role::Operator), plan(&[], false, true));
    assert!(changed(bob, |u| u.role = Role::Officer).is_empty());
    // A disabled account holds nothing: enabling or editing it replaces nothing.
    let mut disabled = bob.clone();
    disabled.status = UserStatus::Disabled;
    assert!(changed(&disabled, |u| u.status = UserStatus::Active).is_empty());
    assert!(changed(&disabled, |u| u.clearance = Level::Unclassified).is_empty());
    // A new identity (reset, recovery) replaces everything the old one held, as disabling does.
    assert_eq!(
        KeyPlan::for_new_identity(alice),
        changed(alice, |u| u.status = UserStatus::Disabled)
    );
    assert_eq!(
        KeyPlan::for_new_identity(bob),
        changed(bob, |u| u.status = UserStatus::Disabled)
    );
    assert!(KeyPlan::for_new_identity(&disabled).is_empty());
}

#[test]
fn an_officer_cannot_rotate_a_level_key_they_do_not_hold() {
    let fx = Fixture::new();
    let next = fx.directory.successor(NOW);
    let refused = Rotation::prepare(
        &fx.directory,
        next,
        plan(&[Level::TopSecret], false, false),
        fx.lent(),
        fx.bob_target(),
    );
    assert!(matches!(refused, Err(Error::Denied { rule: "clearance", .. })));
}

#[test]
fn the_last_officer_and_the_last_holder_of_a_level_remain() {
    let fx = Fixture::new();
    let mut no_officer = fx.directory.successor(NOW);
    no_officer.users[0].role = Role::Operator;
    let refused = Rotation::prepare(
        &fx.directory,
        no_officer,
        KeyPlan::default(),
        fx.lent(),
        fx.bob_target(),
    );
    assert!(matches!(
        refused,
        Err(Error::Denied {
            rule: "last-officer",
            ..
        })
    ));
    let mut no_secret = fx.directory.successor(NOW);
    no_secret.users[0].clearance = Level::Confidential;
    let refused = Rotation::prepare(&fx.directory, no_secret, KeyPlan::default(), fx.lent(), fx.bob_target());
    assert!(matches!(
        refused,
        Err(Error::Denied {
            rule: "last-holder",
            ..
        })
    ));
    // Disabling the only other holder of CONFIDENTIAL is fine: alice still holds it.
    let mut bob_disabled = fx.directory.successor(NOW);
    bob_disabled.users[1].status = UserStatus::Disabled;
    Rotation::prepare(
        &fx.directory,
        bob_disabled,
        KeyPlan::default(),
        fx.lent(),
        fx.bob_target(),
    )
    .unwrap();
}
