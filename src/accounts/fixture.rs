//! A station's accounts on a real schema for the domain tests of `accounts`: alice
//! (officer, SECRET), bob (operator, CONFIDENTIAL) and the recovery identity, every key at
//! generation 1, with the secrets to check what each is granted. Test-only.

use std::collections::BTreeMap;

use rusqlite::Connection;

use crate::accounts::directory::{self, Directory, DirectoryUser, FORMAT, LevelEntry, RecoveryEntry};
use crate::accounts::keyring::{self, KeyKind};
use crate::accounts::rotation::{KeyPlan, LentKeys, Rotation, Target};
use crate::accounts::{Role, UserRecord, UserStatus, users};
use crate::crypto::seal::SecretKey;
use crate::crypto::sign::SignKey;
use crate::crypto::{Key32, LevelKey, commitment};
use crate::encoding::hex;
use crate::{IdentityId, Level, UserId, db};

/// The station id.
pub const STATION: &str = "0123456789abcdef";
/// The time of every change.
pub const NOW: &str = "2026-12-06T00:00:00.000Z";

/// A station with alice (officer, SECRET), bob (operator, CONFIDENTIAL) and the recovery
/// identity, every key at generation 1, and the secrets to check what they are granted.
pub struct Fixture {
    _dir: tempfile::TempDir,
    pub conn: Connection,
    pub directory: Directory,
    pub level_keys: BTreeMap<Level, LevelKey>,
    pub signing: SignKey,
    pub admin: SignKey,
    pub alice: (UserId, IdentityId, SecretKey),
    pub bob: (UserId, IdentityId, SecretKey),
    pub recovery: (IdentityId, SecretKey),
}

impl Fixture {
    /// The station as described above, its first directory stored.
    pub fn new() -> Fixture {
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
        let level_keys: BTreeMap<Level, LevelKey> = Level::ALL
            .iter()
            .map(|l| (*l, LevelKey::new(1, Key32::random().unwrap())))
            .collect();
        let entry =
            |(id, identity, secret): &(UserId, IdentityId, SecretKey), name: &str, role, clearance| DirectoryUser {
                id: *id,
                name: name.into(),
                role,
                clearance,
                status: UserStatus::Active,
                identity: *identity,
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
                identity: recovery.0,
                public_key: hex::encode(&recovery.1.public()),
            },
            levels: level_keys
                .iter()
                .map(|(level, held)| LevelEntry {
                    level: *level,
                    generation: held.generation,
                    commitment: hex::encode(&commitment::level_key(*level, held.generation, &held.key)),
                    sealing_public_key: hex::encode(&SecretKey::random().unwrap().public()),
                })
                .collect(),
            users: vec![
                entry(&alice, "alice", Role::Officer, Level::Secret),
                entry(&bob, "bob", Role::Operator, Level::Confidential),
            ],
            policy: None,
            guard: None,
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
    pub fn lent(&self) -> LentKeys {
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

    /// Bob as the account a change is about.
    pub fn bob_target(&self) -> Target {
        Target::User {
            user: self.bob.0,
            old_identity: self.bob.1,
        }
    }

    /// Publish the successor of the stored directory changed by `edit`, replacing what
    /// `plan` names, with bob as the target (every grant he and the others hold is then
    /// made); returns the published directory.
    pub fn publish(&mut self, plan: KeyPlan, edit: impl FnOnce(&mut Directory)) -> Directory {
        let mut next = self.directory.successor(NOW);
        edit(&mut next);
        let rotation = Rotation::prepare(&self.directory, next, plan, self.lent(), self.bob_target()).unwrap();
        self.apply(&rotation);
        rotation.directory().clone()
    }

    /// Write `rotation`.
    pub fn apply(&mut self, rotation: &Rotation) {
        db::write(&mut self.conn, |tx| rotation.apply(tx, STATION, NOW)).unwrap();
    }

    /// The keys of `kind` granted to `identity` that open with `secret`: (level, generation, key).
    pub fn granted(&self, identity: IdentityId, secret: &SecretKey, kind: KeyKind) -> Vec<(Level, u32, Key32)> {
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
