//! Replacing keys when the accounts change (DESIGN.md §2 "Rotation"): the rules for what a
//! change may do, the new keys it makes, the signed directory that names them, and the
//! grants that follow.
//!
//! A rotated level key gets a new generation and sealing pair; that level's sealing private
//! keys are rewrapped; the remaining holders and the recovery identity are granted the new
//! key and every grant of the old one is removed. A replaced admin key leaves a succession
//! record signed by the old one. Every grant is sealed to a public key taken from the
//! directory being signed, never from the identities table.
//!
//! What lives in other domains is left to the caller, in the same transaction: the items
//! wrapped under a rotated level key ([`Rotation::level_changes`]) and the ledger's
//! key-change note for a replaced signing key ([`Rotation::signing_change`]).

use std::collections::BTreeMap;

use rusqlite::Transaction;

use crate::accounts::directory::{Directory, DirectoryUser, SignedDirectory, key_field};
use crate::accounts::keyring::{self, KeyKind};
use crate::accounts::{Role, UserStatus, directory, requests, succession, users};
use crate::crypto::seal::SecretKey;
use crate::crypto::sign::SignKey;
use crate::crypto::{Key32, LevelKey, commitment};
use crate::encoding::hex;
use crate::{Error, IdentityId, Level, Result, UserId};

/// Which keys a change replaces.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct KeyPlan {
    /// Level keys to rotate.
    pub levels: Vec<Level>,
    /// Replace the station signing key.
    pub signing: bool,
    /// Replace the admin key.
    pub admin: bool,
}

impl KeyPlan {
    /// The keys a change of one account from `before` to `after` calls for: a disabled
    /// account's level keys, the signing key and (for an officer) the admin key; the levels
    /// a lowered clearance loses; the admin key an officer gives up. Accounts that were
    /// disabled hold nothing, so re-enabling or editing them replaces nothing.
    pub fn for_change(before: &DirectoryUser, after: &DirectoryUser) -> KeyPlan {
        if before.status != UserStatus::Active {
            return KeyPlan::default();
        }
        if after.status != UserStatus::Active {
            return KeyPlan {
                levels: before.clearance.at_or_below().collect(),
                signing: true,
                admin: before.role == Role::Officer,
            };
        }
        KeyPlan {
            levels: before
                .clearance
                .at_or_below()
                .filter(|l| *l > after.clearance)
                .collect(),
            signing: false,
            admin: before.role == Role::Officer && after.role != Role::Officer,
        }
    }

    /// The keys a new identity for the account `entry` calls for (an officer's reset, a
    /// recovery): everything the old identity held, since a saved copy of its keyslot and
    /// the old password would still open those keys.
    pub fn for_new_identity(entry: &DirectoryUser) -> KeyPlan {
        let mut gone = entry.clone();
        gone.status = UserStatus::Disabled;
        KeyPlan::for_change(entry, &gone)
    }

    /// Whether the change replaces no key at all.
    pub fn is_empty(&self) -> bool {
        self.levels.is_empty() && !self.signing && !self.admin
    }
}

/// Whom a change is about: a user, whose grants are rebuilt from their new directory entry,
/// or the recovery identity, replaced with every key it held (a new recovery code).
#[derive(Clone, Copy, Debug)]
pub enum Target {
    /// A user account.
    User {
        /// The user.
        user: UserId,
        /// The identity that held their grants until now (replaced by a reset).
        old_identity: IdentityId,
    },
    /// The recovery identity, replaced by the one the new directory names.
    Recovery {
        /// The identity that held its grants until now.
        old_identity: IdentityId,
    },
}

impl Target {
    /// The identity whose grants the change removes first.
    pub fn old_identity(&self) -> IdentityId {
        match self {
            Target::User { old_identity, .. } | Target::Recovery { old_identity } => *old_identity,
        }
    }
}

/// The keys the acting officer holds, lent to the change, each with its generation.
pub struct LentKeys {
    /// The officer's login name (for refusals).
    pub officer: String,
    /// Every level key the officer holds.
    pub levels: BTreeMap<Level, LevelKey>,
    /// The station signing key.
    pub signing: (u32, SignKey),
    /// The admin key.
    pub admin: (u32, SignKey),
}

/// One level key replaced: the key before and after.
pub struct LevelChange<'a> {
    /// The level.
    pub level: Level,
    /// The key that wraps the level's data until now.
    pub old: &'a LevelKey,
    /// Its successor.
    pub new: &'a LevelKey,
}

/// A change to the accounts, checked, with its new keys made and its directory signed, ready
/// to be written in one transaction by [`Rotation::apply`].
pub struct Rotation {
    plan: KeyPlan,
    lent: LentKeys,
    new_levels: BTreeMap<Level, (LevelKey, SecretKey)>,
    new_signing: Option<(u32, SignKey)>,
    new_admin: Option<(u32, SignKey)>,
    signed: SignedDirectory,
    target: Target,
    /// The target user's entry in the new directory (none for the recovery identity).
    target_entry: Option<DirectoryUser>,
    recovery: (IdentityId, [u8; 32]),
}

impl Rotation {
    /// Check `next` (a successor of `before` with the target's entry already edited) against
    /// the rules, make the keys `plan` replaces, name them in `next` and sign it (with the new
    /// admin key if that is replaced). Refused: leaving no active officer or no holder of a
    /// level, rotating a level key the officer does not hold, and replacing the recovery
    /// identity without replacing every key it held.
    pub fn prepare(
        before: &Directory,
        mut next: Directory,
        plan: KeyPlan,
        lent: LentKeys,
        target: Target,
    ) -> Result<Rotation> {
        check_holders(before, &next)?;
        if let Target::Recovery { old_identity } = target {
            let everything = plan.signing && plan.admin && Level::ALL.iter().all(|l| plan.levels.contains(l));
            if !everything || old_identity != before.recovery.identity || next.recovery.identity == old_identity {
                return Err(Error::InvalidInput(
                    "a new recovery identity replaces the old one and every key it held".into(),
                ));
            }
        }
        for level in &plan.levels {
            if !lent.levels.contains_key(level) {
                return Err(Error::Denied {
                    rule: "clearance",
                    message: format!(
                        "this change rotates the {level} key, which {} does not hold; an officer cleared to {level} must make it",
                        lent.officer
                    ),
                });
            }
        }
        let mut new_levels = BTreeMap::new();
        for level in &plan.levels {
            let generation = lent.levels[level].generation + 1;
            new_levels.insert(
                *level,
                (LevelKey::new(generation, Key32::random()?), SecretKey::random()?),
            );
        }
        let new_signing = if plan.signing {
            Some((lent.signing.0 + 1, SignKey::random()?))
        } else {
            None
        };
        let new_admin = if plan.admin {
            Some((lent.admin.0 + 1, SignKey::random()?))
        } else {
            None
        };
        for entry in &mut next.levels {
            if let Some((new, seal)) = new_levels.get(&entry.level) {
                entry.generation = new.generation;
                entry.commitment = hex::encode(&commitment::level_key(entry.level, new.generation, &new.key));
                entry.sealing_public_key = hex::encode(&seal.public());
            }
        }
        if let Some((_, key)) = &new_signing {
            next.signing_key = hex::encode(&key.public());
        }
        if let Some((_, key)) = &new_admin {
            next.admin_key = hex::encode(&key.public());
        }
        let signer = new_admin.as_ref().map_or(&lent.admin.1, |(_, k)| k);
        let signed = next.sign(signer)?;
        let published = &signed.directory;
        let target_entry = match target {
            Target::User { user, .. } => Some(
                published
                    .users
                    .iter()
                    .find(|u| u.id == user)
                    .cloned()
                    .ok_or_else(|| Error::NotFound(format!("user {user} in the new directory")))?,
            ),
            Target::Recovery { .. } => None,
        };
        let recovery = (
            published.recovery.identity,
            key_field("recovery public_key", &published.recovery.public_key)?,
        );
        Ok(Rotation {
            plan,
            lent,
            new_levels,
            new_signing,
            new_admin,
            signed,
            target,
            target_entry,
            recovery,
        })
    }

    /// The directory this change publishes.
    pub fn directory(&self) -> &Directory {
        &self.signed.directory
    }

    /// The signed directory it publishes (body and signature).
    pub fn signed(&self) -> &SignedDirectory {
        &self.signed
    }

    /// Which keys it replaces.
    pub fn plan(&self) -> &KeyPlan {
        &self.plan
    }

    /// The rotated levels with their new generations, lowest first.
    pub fn rotated_levels(&self) -> Vec<(Level, u32)> {
        self.new_levels
            .iter()
            .map(|(l, (new, _))| (*l, new.generation))
            .collect()
    }

    /// Every level key replaced, for rewrapping what it wraps outside the accounts.
    pub fn level_changes(&self) -> Vec<LevelChange<'_>> {
        self.new_levels
            .iter()
            .map(|(level, (new, _))| LevelChange {
                level: *level,
                old: &self.lent.levels[level],
                new,
            })
            .collect()
    }

    /// The signing key before and after, when the change replaces it.
    pub fn signing_change(&self) -> Option<(&SignKey, &SignKey)> {
        self.new_signing.as_ref().map(|(_, key)| (&self.lent.signing.1, key))
    }

    /// Write the accounts' side inside the caller's transaction: the target's grants rebuilt,
    /// each rotated key's sealing keys and grants, the admin succession, the target's user
    /// row and the signed directory. Returns the succession record when the admin key is
    /// replaced, for the change's event to carry.
    pub fn apply(&self, tx: &Transaction<'_>, station_id: &str, now: &str) -> Result<Option<serde_json::Value>> {
        let published = self.directory();
        // The target's old grants go first; what they still hold is granted anew below.
        keyring::delete_grants(tx, self.target.old_identity())?;
        for change in self.level_changes() {
            let (_, seal) = &self.new_levels[&change.level];
            let (key, generation) = (&change.new.key, change.new.generation);
            keyring::rewrap_sealing_keys(tx, change.level, change.old, change.new)?;
            keyring::insert_sealing_key(tx, change.level, generation, seal, key, generation)?;
            keyring::delete_key_grants(tx, KeyKind::Level, change.level)?;
            for (identity, public) in holders(published, self.recovery, |u| u.clearance >= change.level)? {
                keyring::insert_grant(tx, identity, &public, KeyKind::Level, change.level, generation, key)?;
            }
        }
        if let Some((generation, key)) = &self.new_signing {
            keyring::delete_key_grants(tx, KeyKind::Signing, Level::Unclassified)?;
            for (identity, public) in holders(published, self.recovery, |_| true)? {
                keyring::insert_signing_grant(tx, identity, &public, KeyKind::Signing, *generation, key)?;
            }
        }
        let mut succession_copy = None;
        if let Some((generation, key)) = &self.new_admin {
            succession_copy = Some(succession::record(
                tx,
                station_id,
                &self.lent.admin.1,
                &key.public(),
                published.version,
                now,
            )?);
            // Approvals signed with the replaced key no longer count.
            requests::expire_all_approved(tx)?;
            keyring::delete_key_grants(tx, KeyKind::Admin, Level::Unclassified)?;
            for (identity, public) in holders(published, self.recovery, |u| u.role == Role::Officer)? {
                keyring::insert_signing_grant(tx, identity, &public, KeyKind::Admin, *generation, key)?;
            }
        }
        if let (Target::User { user, .. }, Some(entry)) = (self.target, &self.target_entry) {
            self.grant_target(tx, entry)?;
            users::sync_from_directory(tx, user, entry.role, entry.clearance, entry.status)?;
        }
        directory::store(tx, &self.signed, now)?;
        Ok(succession_copy)
    }

    /// Grant the target what its entry says it holds, for the keys the rotation did not
    /// already grant to every holder.
    fn grant_target(&self, tx: &Transaction<'_>, entry: &DirectoryUser) -> Result<()> {
        if entry.status != UserStatus::Active {
            return Ok(());
        }
        let identity = entry.identity;
        let public = key_field("public_key", &entry.public_key)?;
        for level in entry.clearance.at_or_below() {
            if self.new_levels.contains_key(&level) {
                continue;
            }
            let held = self.lent.levels.get(&level).ok_or_else(|| Error::Denied {
                rule: "clearance",
                message: format!("only an officer who holds the {level} key can grant it"),
            })?;
            keyring::insert_grant(tx, identity, &public, KeyKind::Level, level, held.generation, &held.key)?;
        }
        if !self.plan.signing {
            let (generation, key) = &self.lent.signing;
            keyring::insert_signing_grant(tx, identity, &public, KeyKind::Signing, *generation, key)?;
        }
        if entry.role == Role::Officer && !self.plan.admin {
            let (generation, key) = &self.lent.admin;
            keyring::insert_signing_grant(tx, identity, &public, KeyKind::Admin, *generation, key)?;
        }
        Ok(())
    }
}

/// The identities that should hold a key: every active user `wants` picks, and the recovery
/// identity, with public keys from the directory.
fn holders(
    directory: &Directory,
    recovery: (IdentityId, [u8; 32]),
    wants: impl Fn(&DirectoryUser) -> bool,
) -> Result<Vec<(IdentityId, [u8; 32])>> {
    let mut out = vec![recovery];
    for user in directory
        .users
        .iter()
        .filter(|u| u.status == UserStatus::Active && wants(u))
    {
        out.push((user.identity, key_field("public_key", &user.public_key)?));
    }
    Ok(out)
}

/// The last active officer, and the last active holder of a level, must remain.
fn check_holders(before: &Directory, after: &Directory) -> Result<()> {
    let officers = |d: &Directory| {
        d.users
            .iter()
            .filter(|u| u.status == UserStatus::Active && u.role == Role::Officer)
            .count()
    };
    if officers(after) == 0 {
        return Err(Error::Denied {
            rule: "last-officer",
            message: "this would leave the station without an active security officer".into(),
        });
    }
    for level in Level::ALL {
        let holders = |d: &Directory| {
            d.users
                .iter()
                .filter(|u| u.status == UserStatus::Active && u.clearance >= level)
                .count()
        };
        if holders(before) > 0 && holders(after) == 0 {
            return Err(Error::Denied {
                rule: "last-holder",
                message: format!("this would leave no active user cleared to {level}"),
            });
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests;
