//! What the accounts trust: grants only as the signed directory commits to them, the newest
//! directory only as stored and signed, a newer one only if it leaves the session as it was.

use rusqlite::params;

use super::*;
use crate::accounts::fixture::{Fixture, STATION};
use crate::accounts::rotation::KeyPlan;
use crate::crypto::Key32;

fn bob_keys(fx: &Fixture, directory: &Directory) -> Result<HeldKeys> {
    let (_, identity, secret) = &fx.bob;
    open_grants(
        &fx.conn,
        directory,
        *identity,
        secret.clone(),
        Level::Confidential,
        false,
    )
}

fn bob(fx: &Fixture) -> Holder<'static> {
    Holder {
        id: fx.bob.0,
        name: "bob",
        identity: fx.bob.1,
        role: Role::Operator,
        clearance: Level::Confidential,
    }
}

#[test]
fn grants_open_to_the_keys_the_directory_commits_to() {
    let mut fx = Fixture::new();
    let published = fx.publish(KeyPlan::default(), |_| {});
    let keys = bob_keys(&fx, &published).unwrap();
    assert_eq!(keys.level_keys.len(), 3);
    for (level, held) in &keys.level_keys {
        assert_eq!(held.key.expose(), fx.level_keys[level].key.expose());
        assert_eq!(held.generation, 1);
    }
    assert_eq!(keys.signing.public(), fx.signing.public());
    assert!(keys.admin.is_none(), "an operator holds no admin key");
}

#[test]
fn a_grant_of_a_key_the_directory_does_not_commit_to_is_refused() {
    let mut fx = Fixture::new();
    let published = fx.publish(KeyPlan::default(), |_| {});
    let (_, identity, secret) = &fx.bob;
    // An insider seals a key of their own choosing to bob as his INTERNAL key.
    fx.conn
        .execute(
            "DELETE FROM grants WHERE identity_id = ?1 AND key_kind = 0 AND level = 1",
            params![identity],
        )
        .unwrap();
    let planted = Key32::random().unwrap();
    let tx = fx.conn.transaction().unwrap();
    keyring::insert_grant(
        &tx,
        *identity,
        &secret.public(),
        KeyKind::Level,
        Level::Internal,
        1,
        &planted,
    )
    .unwrap();
    tx.commit().unwrap();
    let refused = bob_keys(&fx, &published).err().unwrap();
    assert!(
        refused.to_string().contains("not the one the directory commits to"),
        "{refused}"
    );
    // Without any grant of a level he is cleared to, nothing opens either.
    fx.conn
        .execute("DELETE FROM grants WHERE key_kind = 0 AND level = 1", [])
        .unwrap();
    let refused = bob_keys(&fx, &published).err().unwrap();
    assert!(
        refused
            .to_string()
            .contains("no valid grant of the current internal key"),
        "{refused}"
    );
}

#[test]
fn an_old_directory_copied_back_is_refused() {
    let mut fx = Fixture::new();
    let published = fx.publish(KeyPlan::default(), |d| d.policy = Some(Default::default()));
    let admin = fx.admin.public();
    assert_eq!(verified_directory_from(&fx.conn, STATION, admin, 2).unwrap(), published);
    // Newer than what the database holds now: a keyslot remembers version 3.
    let rolled_back = verified_directory_from(&fx.conn, STATION, admin, 3).err().unwrap();
    assert!(rolled_back.to_string().contains("rolled back"), "{rolled_back}");
    // Version 1's body stored again under a new version number.
    fx.conn
        .execute(
            "INSERT INTO directories (version, body, signature, created_at)
             SELECT 3, body, signature, created_at FROM directories WHERE version = 1",
            [],
        )
        .unwrap();
    let replayed = verified_directory_from(&fx.conn, STATION, admin, 2).err().unwrap();
    assert!(replayed.to_string().contains("an old directory replayed"), "{replayed}");
    assert!(verified_directory_from(&fx.conn, "fedcba9876543210", admin, 0).is_err());
}

#[test]
fn a_newer_directory_is_adopted_only_if_it_leaves_the_session_as_it_was() {
    let mut fx = Fixture::new();
    let first = fx.directory.clone();
    // A policy change leaves bob as he was.
    let policy = fx.publish(KeyPlan::default(), |d| d.policy = Some(Default::default()));
    assert_eq!(newer_directory(&fx.conn, &first, &bob(&fx)).unwrap(), policy);
    // A lowered clearance means: unlock again.
    fx.directory = policy.clone();
    fx.publish(KeyPlan::default(), |d| d.users[1].clearance = Level::Internal);
    let stale = newer_directory(&fx.conn, &policy, &bob(&fx)).err().unwrap();
    assert!(matches!(stale, Error::SessionOutOfDate { .. }), "{stale}");
}

#[test]
fn a_rotated_key_the_session_holds_makes_it_out_of_date() {
    let mut fx = Fixture::new();
    let first = fx.directory.clone();
    fx.publish(
        KeyPlan {
            levels: vec![Level::Internal],
            ..KeyPlan::default()
        },
        |_| {},
    );
    let stale = newer_directory(&fx.conn, &first, &bob(&fx)).err().unwrap();
    assert!(matches!(stale, Error::SessionOutOfDate { .. }), "{stale}");
    // A level above his clearance rotating does not concern him.
    let mut fx = Fixture::new();
    let first = fx.directory.clone();
    let newer = fx.publish(
        KeyPlan {
            levels: vec![Level::Secret],
            ..KeyPlan::default()
        },
        |_| {},
    );
    assert_eq!(newer_directory(&fx.conn, &first, &bob(&fx)).unwrap(), newer);
}
