//! The rotation rules on a real schema: who is granted a rotated key, what the change signs
//! with, and what it refuses.

use std::collections::BTreeMap;

use rusqlite::Connection;

use super::*;
use crate::accounts::directory::{FORMAT, LevelEntry, RecoveryEntry};
use crate::accounts::{UserRecord, directory};
use crate::db;

const STATION: &str = "0123456789abcdef";
const NOW: &str = "2026-12-06T00:00:00.000Z";

/// A station with alice (officer, SECRET), bob (operator, CONFIDENTIAL) and the recovery
/// identity, every key at generation 1, and the secrets to check what they are granted.
struct Fixture {
    _dir: tempfile::TempDir,
    conn: Connection,
    directory: Directory,
    level_keys: BTreeMap<Level, (u32, Key32)>,
    signing: SignKey,
    admin: SignKey,
    alice: (UserId, IdentityId, SecretKey),
    bob: (UserId, IdentityId, SecretKey),
    recovery: (IdentityId, SecretKey),
}

impl Fixture {
    fn new() -> Fixture {
        let dir = tempfile::tempdir().unwrap();
        let mut conn = db::open(&dir.path().join("strongroom.db"), true).unwrap();
        let person = || {
            (
                UserId::random().unwrap(),
                IdentityId::random().unwrap(),
                SecretKey::random().unwrap(),
            )
        };
        let (alice, bob) = (person(), person());
        let recovery = (IdentityId::random().unwrap(), SecretKey::random().unwrap());
        let (signing, admin) = (SignKey::random().unwrap(), SignKey::random().unwrap());
        let level_keys: BTreeMap<Level, (u32, Key32)> =
            Level::ALL.iter().map(|l| (*l, (1, Key32::random().unwrap()))).collect();
        let entry =
            |(id, identity, secret): &(UserId, IdentityId, SecretKey), name: &str, role, clearance| DirectoryUser {
                id: id.to_string(),
                name: name.into(),
                role,
                clearance,
                status: UserStatus::Active,
                identity: identity.to_string(),
                public_key: hex::encode(&secret.public()),
            };
        let directory = Directory {
            format: FORMAT.into(),
            version: 1,
            station: STATION.into(),
            issued_at: NOW.into(),
            admin_key: hex::encode(&admin.public()),
            signing_key: hex::encode(&signing.public()),
            recovery: RecoveryEntry {
                identity: recovery.0.to_string(),
                public_key: hex::encode(&recovery.1.public()),
            },
            levels: level_keys
                .iter()
                .map(|(level, (generation, key))| LevelEntry {
                    level: *level,
                    generation: *generation,
                    commitment: hex::encode(&commitment::level_key(*level, *generation, key)),
                    sealing_public_key: hex::encode(&SecretKey::random().unwrap().public()),
                })
                .collect(),
            users: vec![
                entry(&alice, "alice", Role::Officer, Level::Secret),
                entry(&bob, "bob", Role::Operator, Level::Confidential),
            ],
            policy: None,
        };
        db::write(&mut conn, |tx| {
            for ((id, identity, secret), name, role, clearance) in [
                (&alice, "alice", Role::Officer, Level::Secret),
                (&bob, "bob", Role::Operator, Level::Confidential),
            ] {
                let record = UserRecord {
                    id: *id,
                    name: name.into(),
                    role,
                    clearance,
                    status: UserStatus::Active,
                    identity: *identity,
                };
                users::insert(tx, &record, &secret.public(), NOW)?;
            }
            users::insert_identity(tx, recovery.0, None, &recovery.1.public(), NOW)?;
            directory::store(tx, &directory.clone().sign(&admin)?, NOW)
        })
        .unwrap();
        Fixture {
            _dir: dir,
            conn,
            directory,
            level_keys,
            signing,
            admin,
            alice,
            bob,
            recovery,
        }
    }

    /// What alice (cleared to SECRET) lends to a change.
    fn lent(&self) -> LentKeys {
        LentKeys {
            officer: "alice".into(),
            levels: self
                .level_keys
                .iter()
                .filter(|(l, _)| **l <= Level::Secret)
                .map(|(l, k)| (*l, k.clone()))
                .collect(),
            signing: (1, self.signing.clone()),
            admin: (1, self.admin.clone()),
        }
    }

    fn bob_target(&self) -> Target {
        Target {
            user: self.bob.0,
            old_identity: self.bob.1,
        }
    }

    fn apply(&mut self, rotation: &Rotation) {
        db::write(&mut self.conn, |tx| rotation.apply(tx, STATION, NOW)).unwrap();
    }

    /// The keys of `kind` granted to `identity` that open with `secret`: (level, generation, key).
    fn granted(&self, identity: IdentityId, secret: &SecretKey, kind: KeyKind) -> Vec<(Level, u32, Key32)> {
        keyring::grants_of(&self.conn, identity)
            .unwrap()
            .into_iter()
            .filter(|row| row.kind == kind)
            .map(|row| {
                let key = keyring::open_grant(identity, secret, &row).unwrap();
                (row.level, row.generation, key)
            })
            .collect()
    }
}

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
