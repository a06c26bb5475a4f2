//! Adding a user: a new identity, keyslot and grants up to the user's clearance, published
//! in a new signed directory. (The accounts issue adds disable, clearance changes, resets and
//! rotation on the same formats.)

use crate::accounts::directory::{self, DirectoryUser};
use crate::accounts::keyring::{self, KeyKind};
use crate::accounts::permissions::Permission;
use crate::accounts::{Role, UserRecord, UserStatus, hex, password_policy, users};
use crate::crypto::Password;
use crate::crypto::keyslot::{self, SlotContents};
use crate::crypto::seal::SecretKey;
use crate::ledger::{Action, NewEvent};
use crate::{Error, IdentityId, Level, Result, UserId, details};

use super::Station;
use super::init::validate_user_name;

impl Station {
    /// Create a user (officers only). Only levels the officer holds can be granted.
    pub fn add_user(&mut self, name: &str, role: Role, clearance: Level, password: &Password) -> Result<UserId> {
        validate_user_name(name)?;
        password_policy::check(name, password)?;
        let session = self.permitted(Permission::UserAdmin, None)?;
        let admin = session
            .admin_key()
            .ok_or_else(|| Error::integrity("session keys", "an officer session without the admin key"))?;
        if users::by_name(&self.conn, name)?.is_some() || session.directory().user(name).is_some() {
            return Err(Error::InvalidInput(format!("a user named {name} already exists")));
        }
        let (own_identity, _) = session.identity();
        let own_slot = keyring::keyslot(&self.conn, own_identity)?
            .ok_or_else(|| Error::integrity("keyslot", "the officer's keyslot is missing"))?;

        let secret = SecretKey::random()?;
        let public = secret.public();
        let record = UserRecord {
            id: UserId::random()?,
            name: name.to_string(),
            role,
            clearance,
            status: UserStatus::Active,
            identity: IdentityId::random()?,
        };
        let mut next = session.directory().clone();
        next.version += 1;
        next.issued_at = self.now();
        next.users.push(DirectoryUser {
            id: record.id.to_string(),
            name: name.to_string(),
            role,
            clearance,
            status: UserStatus::Active,
            identity: record.identity.to_string(),
            public_key: hex::encode(&public),
        });
        let signed = next.sign(admin)?;
        let slot = keyslot::create(
            password,
            record.identity.as_bytes(),
            1,
            own_slot.params,
            &SlotContents {
                identity: SecretKey::from_bytes(*secret.to_bytes()),
                admin_public: admin.public(),
                directory_version: signed.directory.version,
            },
        )?;
        let mut grants = Vec::new();
        for level in clearance.at_or_below() {
            let (generation, key) = session.level_key(level)?;
            grants.push((KeyKind::Level, level, generation, key.clone()));
        }
        let (signing_generation, admin_generation) = session.key_generations();
        grants.push((
            KeyKind::Signing,
            Level::Unclassified,
            signing_generation,
            session.signing_key().seed(),
        ));
        if role == Role::Officer {
            grants.push((KeyKind::Admin, Level::Unclassified, admin_generation, admin.seed()));
        }
        let actor = session.user().name.clone();
        let now = self.now();
        self.write(|tx, events| {
            users::insert(tx, &record, &public, &now)?;
            for (kind, level, generation, key) in &grants {
                keyring::insert_grant(tx, record.identity, &public, *kind, *level, *generation, key)?;
            }
            keyring::store_keyslot(tx, record.identity, &slot, &now)?;
            directory::store(tx, &signed, &now)?;
            events.push(NewEvent {
                actor,
                action: Action::UserCreate,
                subject: name.to_string(),
                level: Some(clearance),
                item: None,
                details: details! {
                    "user": record.id.to_string(),
                    "role": role.as_str(),
                    "clearance": clearance.name(),
                    "directory_version": signed.directory.version,
                },
            });
            Ok(())
        })?;
        if let Some(session) = self.session.as_mut() {
            session.set_directory(signed.directory);
        }
        Ok(record.id)
    }
}

impl Station {
    /// Every user as the verified signed directory states them (officers only).
    pub fn users(&self) -> Result<Vec<DirectoryUser>> {
        let session = self.permitted(Permission::UserAdmin, None)?;
        Ok(session.directory().users.clone())
    }
}
