//! An unlocked session: who it belongs to, the directory it trusts, and the keys the user
//! holds. The keys sit in a cell shared with the idle timer (`idle.rs`), which empties it
//! after the policy's idle time; dropping them wipes them.

use std::sync::{Arc, Mutex, MutexGuard};

use crate::accounts::trust::{self, HeldKeys, Holder};
use crate::accounts::{Directory, Role};
use crate::crypto::LevelKey;
use crate::crypto::seal::SecretKey;
use crate::crypto::sign::SignKey;
use crate::{Error, IdentityId, Level, Result, UserId};

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

/// The keys, shared with the idle timer; `None` once it dropped them.
pub(super) type KeyCell = Arc<Mutex<Option<HeldKeys>>>;

/// One unlocked user.
pub struct Session {
    user: SessionUser,
    identity_id: IdentityId,
    keys: KeyCell,
    directory: Directory,
    password_change: Option<String>,
}

impl Session {
    pub(super) fn new(
        user: SessionUser,
        identity_id: IdentityId,
        keys: HeldKeys,
        directory: Directory,
        password_change: Option<String>,
    ) -> Session {
        Session {
            user,
            identity_id,
            keys: Arc::new(Mutex::new(Some(keys))),
            directory,
            password_change,
        }
    }

    /// The user.
    pub fn user(&self) -> &SessionUser {
        &self.user
    }

    /// The verified directory this session trusts.
    pub fn directory(&self) -> &Directory {
        &self.directory
    }

    /// Why the user must choose a new password before anything else, if they must.
    pub fn password_change_required(&self) -> Option<&str> {
        self.password_change.as_deref()
    }

    /// Whether the keys are still held (the idle timer has not dropped them).
    pub fn has_keys(&self) -> bool {
        self.cell().is_some()
    }

    /// The current key of `level` and its generation, if the user is cleared for it.
    pub fn level_key(&self, level: Level) -> Result<LevelKey> {
        if level > self.user.clearance {
            return Err(Error::Denied {
                rule: "clearance",
                message: format!("{} is cleared to {}, not {level}", self.user.name, self.user.clearance),
            });
        }
        self.with_keys(|k| {
            k.level_keys
                .get(&level)
                .cloned()
                .ok_or_else(|| Error::integrity("session keys", format!("no key for level {level}")))
        })
    }

    /// The station signing key (ledger checkpoints).
    pub fn signing_key(&self) -> Result<SignKey> {
        self.with_keys(|k| Ok(k.signing.clone()))
    }

    /// Generations of the signing and admin keys this session holds.
    pub fn key_generations(&self) -> Result<(u32, u32)> {
        self.with_keys(|k| Ok((k.signing_generation, k.admin_generation)))
    }

    /// The admin key (officers only).
    pub fn admin_key(&self) -> Result<SignKey> {
        self.with_keys(|k| {
            k.admin
                .clone()
                .ok_or_else(|| Error::integrity("session keys", "an officer session without the admin key"))
        })
    }

    /// The identity this session unlocked, and its private key.
    pub(super) fn identity(&self) -> Result<(IdentityId, SecretKey)> {
        self.with_keys(|k| Ok((self.identity_id, k.identity.clone())))
    }

    /// The identity id (no key needed).
    pub(super) fn identity_id(&self) -> IdentityId {
        self.identity_id
    }

    /// The cell the idle timer shares.
    pub(super) fn key_cell(&self) -> KeyCell {
        self.keys.clone()
    }

    /// Replace the keys (after this session's own officer rotated them).
    pub(super) fn replace_keys(&self, keys: HeldKeys) {
        *self.cell() = Some(keys);
    }

    /// Adopt a directory this session verified or just signed.
    pub(super) fn set_directory(&mut self, directory: Directory) {
        self.directory = directory;
    }

    /// A newer stored directory, if it still vouches for this session as it was unlocked
    /// ([`trust::newer_directory`]).
    pub(super) fn check_newer_directory(&self, conn: &rusqlite::Connection) -> Result<Directory> {
        let holder = Holder {
            id: self.user.id,
            name: &self.user.name,
            identity: self.identity_id,
            role: self.user.role,
            clearance: self.user.clearance,
        };
        trust::newer_directory(conn, &self.directory, &holder)
    }

    /// The user chose a new password.
    pub(super) fn clear_password_change(&mut self) {
        self.password_change = None;
    }

    fn with_keys<T>(&self, f: impl FnOnce(&HeldKeys) -> Result<T>) -> Result<T> {
        match self.cell().as_ref() {
            Some(keys) => f(keys),
            None => Err(Error::NotUnlocked),
        }
    }

    fn cell(&self) -> MutexGuard<'_, Option<HeldKeys>> {
        // A panic while holding the lock cannot leave the keys half-written: take them anyway.
        self.keys.lock().unwrap_or_else(|poisoned| poisoned.into_inner())
    }
}
