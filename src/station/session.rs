//! An unlocked session: the keys one user holds, each opened from a grant and checked
//! against the signed directory. Dropping the session wipes them.

use std::collections::BTreeMap;

use rusqlite::Connection;

use crate::accounts::directory::{self, key_field};
use crate::accounts::keyring::{self, KeyKind};
use crate::accounts::{Directory, Role, UserStatus, hex, users};
use crate::crypto::keyslot::{self, SlotContents};
use crate::crypto::seal::SecretKey;
use crate::crypto::sign::SignKey;
use crate::crypto::{CryptoError, Key32, Password, commitment};
use crate::ledger::{Action, NewEvent};
use crate::{Error, IdentityId, Level, Result, UserId, details};

use super::Station;

/// Who the session belongs to, as the signed directory states it.
#[derive(Clone, Debug, serde::Serialize)]
pub struct SessionUser {
    /// User uuid.
    #[serde(serialize_with = "crate::station::items::ser_display")]
    pub id: UserId,
    /// Login name.
    pub name: String,
    /// Role.
    pub role: Role,
    /// Clearance.
    pub clearance: Level,
}

/// The keys of one unlocked user.
pub struct Session {
    user: SessionUser,
    identity_id: IdentityId,
    identity: SecretKey,
    level_keys: BTreeMap<Level, (u32, Key32)>,
    signing: SignKey,
    signing_generation: u32,
    admin: Option<SignKey>,
    admin_generation: u32,
    directory: Directory,
}

impl Session {
    /// The user.
    pub fn user(&self) -> &SessionUser {
        &self.user
    }

    /// The verified directory this session trusts.
    pub fn directory(&self) -> &Directory {
        &self.directory
    }

    /// The current key of `level`, if the user is cleared for it.
    pub fn level_key(&self, level: Level) -> Result<(u32, &Key32)> {
        if level > self.user.clearance {
            return Err(Error::Denied {
                rule: "clearance",
                message: format!("{} is cleared to {}, not {level}", self.user.name, self.user.clearance),
            });
        }
        self.level_keys
            .get(&level)
            .map(|(generation, key)| (*generation, key))
            .ok_or_else(|| Error::integrity("session keys", format!("no key for level {level}")))
    }

    /// The station signing key (used by ledger checkpoints).
    pub fn signing_key(&self) -> &SignKey {
        &self.signing
    }

    /// Generations of the signing and admin keys this session holds.
    pub fn key_generations(&self) -> (u32, u32) {
        (self.signing_generation, self.admin_generation)
    }

    /// The admin key, held by officers only.
    pub fn admin_key(&self) -> Option<&SignKey> {
        self.admin.as_ref()
    }

    pub(super) fn identity(&self) -> (IdentityId, &SecretKey) {
        (self.identity_id, &self.identity)
    }
}

/// Keys opened from an identity's grants, checked against the directory.
pub(super) struct OpenedGrants {
    pub level_keys: BTreeMap<Level, (u32, Key32)>,
    pub signing: SignKey,
    pub signing_generation: u32,
    pub admin: Option<SignKey>,
    pub admin_generation: u32,
}

/// Open every grant of `identity` that the directory vouches for, up to `clearance`.
pub(super) fn open_grants(
    conn: &Connection,
    directory: &Directory,
    identity: IdentityId,
    secret: &SecretKey,
    clearance: Level,
    wants_admin: bool,
) -> Result<OpenedGrants> {
    let mut level_keys = BTreeMap::new();
    let mut signing = None;
    let mut admin = None;
    let (mut signing_generation, mut admin_generation) = (0, 0);
    let refused = |what: String| {
        Error::integrity(
            "key grants",
            format!("{what}; the key store was changed outside Strongroom"),
        )
    };
    for row in keyring::grants_of(conn, identity)? {
        match row.kind {
            KeyKind::Level => {
                let entry = directory.level(row.level)?;
                if row.level > clearance || row.generation != entry.generation {
                    continue;
                }
                let key = keyring::open_grant(identity, secret, &row)
                    .map_err(|e| refused(format!("level key grant for {}: {e}", row.level)))?;
                let expected = hex::decode::<32>(&entry.commitment)
                    .ok_or_else(|| refused("bad commitment in directory".into()))?;
                if commitment::level_key(row.level, row.generation, &key) != expected {
                    return Err(refused(format!(
                        "the level key granted for {} is not the one the directory commits to",
                        row.level
                    )));
                }
                level_keys.insert(row.level, (row.generation, key));
            }
            KeyKind::Signing => {
                let seed = keyring::open_grant(identity, secret, &row)
                    .map_err(|e| refused(format!("signing key grant: {e}")))?;
                let key = SignKey::from_seed(&seed);
                if key.public() != directory.signing_key_bytes()? {
                    return Err(refused("the signing key granted is not the station's".into()));
                }
                signing = Some(key);
                signing_generation = row.generation;
            }
            KeyKind::Admin if wants_admin => {
                let seed = keyring::open_grant(identity, secret, &row)
                    .map_err(|e| refused(format!("admin key grant: {e}")))?;
                let key = SignKey::from_seed(&seed);
                if key.public() != directory.admin_key_bytes()? {
                    return Err(refused(
                        "the admin key granted is not the one that signs the directory".into(),
                    ));
                }
                admin = Some(key);
                admin_generation = row.generation;
            }
            KeyKind::Admin => {}
        }
    }
    for level in clearance.at_or_below() {
        if !level_keys.contains_key(&level) {
            return Err(refused(format!("no valid grant of the {level} key")));
        }
    }
    let signing = signing.ok_or_else(|| refused("no valid grant of the station signing key".into()))?;
    if wants_admin && admin.is_none() {
        return Err(refused("no valid grant of the admin key".into()));
    }
    Ok(OpenedGrants {
        level_keys,
        signing,
        signing_generation,
        admin,
        admin_generation,
    })
}

/// Load and verify the newest directory against the admin key a slot trusts.
pub(super) fn verified_directory(conn: &Connection, station_id: &str, slot: &SlotContents) -> Result<Directory> {
    let (stored_version, body, signature) = directory::load_latest(conn)?;
    let dir = directory::verify(&body, &signature, &slot.admin_public)?;
    if dir.version != stored_version {
        return Err(Error::integrity(
            "signed directory",
            format!(
                "version {} is stored as version {stored_version} (an old directory replayed)",
                dir.version
            ),
        ));
    }
    if dir.version < slot.directory_version {
        return Err(Error::integrity(
            "signed directory",
            format!(
                "version {} is older than version {} this keyslot has seen (rolled back)",
                dir.version, slot.directory_version
            ),
        ));
    }
    if dir.station != station_id {
        return Err(Error::integrity("signed directory", "it belongs to another station"));
    }
    Ok(dir)
}

impl Station {
    /// Unlock a session for `user`. A wrong password or unknown user is recorded and answered
    /// with [`Error::AuthenticationFailed`]; nothing else changes.
    pub fn unlock(&mut self, user: &str, password: &Password) -> Result<()> {
        self.session = None;
        match self.open_session(user, password) {
            Ok(session) => {
                let event = NewEvent {
                    actor: session.user.name.clone(),
                    action: Action::AuthLogin,
                    subject: session.user.name.clone(),
                    level: None,
                    item: None,
                    details: details! { "user": session.user.id.to_string(), "directory_version": session.directory.version },
                };
                self.write(|_, events| {
                    events.push(event);
                    Ok(())
                })?;
                self.session = Some(session);
                self.checkpoint_quietly("unlock");
                Ok(())
            }
            Err(Error::AuthenticationFailed) => {
                self.record_failed_login(user, "wrong password or unknown user")?;
                Err(Error::AuthenticationFailed)
            }
            Err(other) => Err(other),
        }
    }

    pub(super) fn record_failed_login(&mut self, user: &str, reason: &str) -> Result<()> {
        let event = NewEvent {
            actor: user.to_string(),
            action: Action::AuthLoginFailed,
            subject: user.to_string(),
            level: None,
            item: None,
            details: details! { "reason": reason },
        };
        self.write(|_, events| {
            events.push(event);
            Ok(())
        })
    }

    fn open_session(&self, name: &str, password: &Password) -> Result<Session> {
        let Some(row) = users::by_name(&self.conn, name)? else {
            // Spend the same Argon2id time as a real attempt, so timing does not tell an
            // unknown user from a wrong password.
            if let Some(slot) = keyring::any_keyslot(&self.conn)? {
                let _ = keyslot::open(password, &[0u8; 16], &slot);
            }
            return Err(Error::AuthenticationFailed);
        };
        let slot = keyring::keyslot(&self.conn, row.identity)?
            .ok_or_else(|| Error::integrity(format!("account {name}"), "it has no keyslot"))?;
        let contents = keyslot::open(password, row.identity.as_bytes(), &slot).map_err(|e| match e {
            CryptoError::Authentication => Error::AuthenticationFailed,
            other => Error::integrity(format!("keyslot of {name}"), other.to_string()),
        })?;
        let directory = verified_directory(&self.conn, &self.station_id, &contents)?;
        let entry = directory
            .user(name)
            .ok_or_else(|| Error::integrity("signed directory", format!("it does not list {name}")))?;
        let agrees = entry.id == row.id.to_string()
            && entry.identity == row.identity.to_string()
            && key_field("public_key", &entry.public_key)? == contents.identity.public()
            && entry.role == row.role
            && entry.clearance == row.clearance
            && entry.status == row.status;
        if !agrees {
            return Err(Error::integrity(
                format!("account {name}"),
                "the user row disagrees with the signed directory; the account database was changed outside Strongroom",
            ));
        }
        if entry.status == UserStatus::Disabled {
            return Err(Error::AccountUnavailable {
                user: name.to_string(),
                state: "disabled".into(),
            });
        }
        let grants = open_grants(
            &self.conn,
            &directory,
            row.identity,
            &contents.identity,
            entry.clearance,
            entry.role == Role::Officer,
        )?;
        Ok(Session {
            user: SessionUser {
                id: row.id,
                name: name.to_string(),
                role: entry.role,
                clearance: entry.clearance,
            },
            identity_id: row.identity,
            identity: contents.identity,
            level_keys: grants.level_keys,
            signing: grants.signing,
            signing_generation: grants.signing_generation,
            admin: grants.admin,
            admin_generation: grants.admin_generation,
            directory,
        })
    }
}

impl Session {
    pub(super) fn assemble(
        user: SessionUser,
        identity_id: IdentityId,
        identity: SecretKey,
        grants: OpenedGrants,
        directory: Directory,
    ) -> Session {
        Session {
            user,
            identity_id,
            identity,
            level_keys: grants.level_keys,
            signing: grants.signing,
            signing_generation: grants.signing_generation,
            admin: grants.admin,
            admin_generation: grants.admin_generation,
            directory,
        }
    }
}

impl Session {
    /// Adopt a directory this session just signed and published.
    pub(super) fn set_directory(&mut self, directory: Directory) {
        self.directory = directory;
    }
}

impl Session {
    /// Verify the newest stored directory with the admin key this session trusts, and accept
    /// it only if this user is still active with the same identity, role and clearance, and
    /// every key the session holds is still current. Anything else means: unlock again.
    pub(super) fn check_newer_directory(&self, conn: &Connection) -> Result<Directory> {
        let (stored_version, body, signature) = directory::load_latest(conn)?;
        let admin = self.directory.admin_key_bytes()?;
        let newer = directory::verify(&body, &signature, &admin)?;
        if newer.version != stored_version
            || newer.version < self.directory.version
            || newer.station != self.directory.station
        {
            return Err(Error::integrity(
                "signed directory",
                "the stored directory is not a newer version of this station's",
            ));
        }
        let stale = || Error::AccountUnavailable {
            user: self.user.name.clone(),
            state: "changed since this session was unlocked; unlock again".into(),
        };
        let entry = newer.user(&self.user.name).ok_or_else(stale)?;
        let unchanged = entry.id == self.user.id.to_string()
            && entry.identity == self.identity_id.to_string()
            && entry.role == self.user.role
            && entry.clearance == self.user.clearance
            && entry.status == UserStatus::Active
            && newer.signing_key == self.directory.signing_key;
        if !unchanged {
            return Err(stale());
        }
        for (level, (generation, _)) in &self.level_keys {
            if newer.level(*level)?.generation != *generation {
                return Err(stale());
            }
        }
        Ok(newer)
    }
}
