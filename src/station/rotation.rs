//! Publishing a change to the accounts (DESIGN.md §2 "Rotation"): a new signed directory,
//! the key replacements the change calls for, and the grants that follow, all in one
//! transaction with its events.
//!
//! A rotated level key gets a new generation and sealing pair; that level's DEKs, metadata
//! and sealing private keys are rewrapped; the remaining holders and the recovery identity
//! are granted the new key and every grant of the old one is removed. A replaced admin key
//! leaves a succession record signed by the old one; a replaced signing key a key-change
//! note signed by both. Every grant is sealed to a public key taken from the directory being
//! signed, never from the identities table.

use std::collections::BTreeMap;

use rusqlite::Transaction;

use crate::accounts::directory::{Directory, DirectoryUser, key_field};
use crate::accounts::keyring::{self, KeyKind};
use crate::accounts::{Role, UserStatus, directory, requests, succession, users};
use crate::crypto::seal::SecretKey;
use crate::crypto::sign::SignKey;
use crate::crypto::{Key32, commitment};
use crate::encoding::hex;
use crate::ledger::{Action, NewEvent, events, key_change};
use crate::vault::items;
use crate::{Error, IdentityId, Level, Result, UserId, db, details};

use super::Station;
use super::grants::open_grants;

/// Which keys a change replaces.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub(super) struct KeyPlan {
    /// Level keys to rotate.
    pub levels: Vec<Level>,
    /// Replace the station signing key.
    pub signing: bool,
    /// Replace the admin key.
    pub admin: bool,
}

impl KeyPlan {
    fn is_empty(&self) -> bool {
        self.levels.is_empty() && !self.signing && !self.admin
    }
}

/// The account a change is about: its grants are rebuilt from the new directory entry.
pub(super) struct Target {
    /// The user.
    pub user: UserId,
    /// The identity that held their grants until now (replaced by a reset).
    pub old_identity: IdentityId,
}

/// Keys the acting officer's session lends to the change.
struct Lent {
    levels: BTreeMap<Level, (u32, Key32)>,
    signing: (u32, SignKey),
    admin: (u32, SignKey),
}

impl Station {
    /// Sign and store `next` (a successor of the session's directory with the target's
    /// entry already edited), replacing the keys `plan` names, rebuilding the target's grants
    /// (after `first`, which creates or re-points the target's rows) and appending `event` (plus a `key.rotate` event when keys were replaced). The acting
    /// officer's session then holds the new keys.
    pub(super) fn publish(
        &mut self,
        mut next: Directory,
        plan: KeyPlan,
        target: Target,
        first: impl FnOnce(&Transaction<'_>) -> Result<()>,
        event: NewEvent,
    ) -> Result<Directory> {
        let session = self.unlocked()?;
        let officer = session.user().clone();
        check_holders(session.directory(), &next)?;
        let lent = {
            let mut levels = BTreeMap::new();
            for level in officer.clearance.at_or_below() {
                levels.insert(level, session.level_key(level)?);
            }
            for level in &plan.levels {
                if !levels.contains_key(level) {
                    return Err(Error::Denied {
                        rule: "clearance",
                        message: format!(
                            "this change rotates the {level} key, which {} does not hold; an officer cleared to {level} must make it",
                            officer.name
                        ),
                    });
                }
            }
            let (signing_generation, admin_generation) = session.key_generations()?;
            Lent {
                levels,
                signing: (signing_generation, session.signing_key()?),
                admin: (admin_generation, session.admin_key()?),
            }
        };
        let (own_identity, own_secret) = session.identity()?;
        let station_id = self.station_id.clone();
        let now_time = self.clock.now();
        let now = crate::time::rfc3339_millis(now_time);

        // New keys, made before the transaction.
        let mut new_levels: BTreeMap<Level, (u32, Key32, SecretKey)> = BTreeMap::new();
        for level in &plan.levels {
            let (generation, _) = &lent.levels[level];
            new_levels.insert(*level, (generation + 1, Key32::random()?, SecretKey::random()?));
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
            if let Some((generation, key, seal)) = new_levels.get(&entry.level) {
                entry.generation = *generation;
                entry.commitment = hex::encode(&commitment::level_key(entry.level, *generation, key));
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
        let published = signed.directory.clone();

        // The keys in force after the change, for granting.
        let current_level = |level: Level| -> Option<(u32, Key32)> {
            match new_levels.get(&level) {
                Some((generation, key, _)) => Some((*generation, key.clone())),
                None => lent.levels.get(&level).cloned(),
            }
        };
        let signing_now = new_signing
            .as_ref()
            .map_or((lent.signing.0, lent.signing.1.seed()), |(g, k)| (*g, k.seed()));
        let admin_now = new_admin
            .as_ref()
            .map_or((lent.admin.0, lent.admin.1.seed()), |(g, k)| (*g, k.seed()));
        let target_entry = published
            .users
            .iter()
            .find(|u| u.id == target.user.to_string())
            .cloned()
            .ok_or_else(|| Error::NotFound(format!("user {} in the new directory", target.user)))?;
        let recovery = (
            IdentityId::parse(&published.recovery.identity)
                .ok_or_else(|| Error::integrity("signed directory", "the recovery identity id is malformed"))?,
            key_field("recovery public_key", &published.recovery.public_key)?,
        );

        let rotate_event = (!plan.is_empty()).then(|| NewEvent {
            actor: officer.name.clone(),
            action: Action::KeyRotate,
            subject: "station".into(),
            level: None,
            item: None,
            details: details! {
                "reason": event.action.as_str(),
                "levels": new_levels.iter().map(|(l, (g, _, _))| serde_json::json!({"level": l.name(), "generation": g})).collect::<Vec<_>>(),
                "signing_key_replaced": plan.signing,
                "admin_key_replaced": plan.admin,
                "directory_version": published.version,
            },
        });

        self.write(|tx, _| {
            first(tx)?;
            // The target's old grants go first; what they still hold is granted anew below.
            keyring::delete_grants(tx, target.old_identity)?;
            for (level, (generation, key, seal)) in &new_levels {
                let (old_generation, old_key) = &lent.levels[level];
                items::rewrap_level(tx, *level, (old_key, *old_generation), (key, *generation))?;
                keyring::rewrap_sealing_keys(tx, *level, (old_key, *old_generation), (key, *generation))?;
                keyring::insert_sealing_key(tx, *level, *generation, seal, key, *generation)?;
                keyring::delete_key_grants(tx, KeyKind::Level, *level)?;
                for (identity, public) in holders(&published, recovery, |u| u.clearance >= *level)? {
                    keyring::insert_grant(tx, identity, &public, KeyKind::Level, *level, *generation, key)?;
                }
            }
            if let Some((generation, key)) = &new_signing {
                keyring::delete_key_grants(tx, KeyKind::Signing, Level::Unclassified)?;
                for (identity, public) in holders(&published, recovery, |_| true)? {
                    keyring::insert_grant(
                        tx,
                        identity,
                        &public,
                        KeyKind::Signing,
                        Level::Unclassified,
                        *generation,
                        &key.seed(),
                    )?;
                }
            }
            if let Some((generation, key)) = &new_admin {
                succession::record(tx, &station_id, &lent.admin.1, &key.public(), published.version, &now)?;
                // Approvals signed with the replaced key no longer count.
                requests::expire_all_approved(tx)?;
                keyring::delete_key_grants(tx, KeyKind::Admin, Level::Unclassified)?;
                for (identity, public) in holders(&published, recovery, |u| u.role == Role::Officer)? {
                    keyring::insert_grant(
                        tx,
                        identity,
                        &public,
                        KeyKind::Admin,
                        Level::Unclassified,
                        *generation,
                        &key.seed(),
                    )?;
                }
            }
            grant_target(
                tx,
                &target_entry,
                &new_levels,
                &plan,
                &current_level,
                signing_now,
                admin_now,
            )?;
            users::sync_from_directory(
                tx,
                target.user,
                target_entry.role,
                target_entry.clearance,
                target_entry.status,
            )?;
            directory::store(tx, &signed, &now)?;
            events::append(tx, now_time, &event)?;
            if let Some(rotate) = &rotate_event {
                events::append(tx, now_time, rotate)?;
            }
            if let Some((_, key)) = &new_signing {
                key_change::record(tx, &station_id, &lent.signing.1, key, &now)?;
            }
            Ok(())
        })?;
        // Retired key material must not linger in the WAL.
        let _ = db::checkpoint_truncate(&self.conn);

        // The acting officer now holds the new keys.
        let keys = open_grants(
            &self.conn,
            &published,
            own_identity,
            own_secret,
            officer.clearance,
            true,
        )?;
        if let Some(session) = self.session.as_mut()
            && session.has_keys()
        {
            session.replace_keys(keys);
            session.set_directory(published.clone());
        }
        // The write above may have tried an interval checkpoint with the retired key.
        self.checkpoint_quietly("rotation");
        Ok(published)
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
        let identity = IdentityId::parse(&user.identity)
            .ok_or_else(|| Error::integrity("signed directory", format!("{}'s identity id is malformed", user.name)))?;
        out.push((identity, key_field("public_key", &user.public_key)?));
    }
    Ok(out)
}

/// Grant the target what its entry says it holds, for the keys the rotation did not
/// already grant to every holder.
fn grant_target(
    tx: &Transaction<'_>,
    entry: &DirectoryUser,
    rotated: &BTreeMap<Level, (u32, Key32, SecretKey)>,
    plan: &KeyPlan,
    current_level: &dyn Fn(Level) -> Option<(u32, Key32)>,
    signing: (u32, Key32),
    admin: (u32, Key32),
) -> Result<()> {
    if entry.status != UserStatus::Active {
        return Ok(());
    }
    let identity = IdentityId::parse(&entry.identity)
        .ok_or_else(|| Error::integrity("signed directory", format!("{}'s identity id is malformed", entry.name)))?;
    let public = key_field("public_key", &entry.public_key)?;
    for level in entry.clearance.at_or_below() {
        if rotated.contains_key(&level) {
            continue;
        }
        let (generation, key) = current_level(level).ok_or_else(|| Error::Denied {
            rule: "clearance",
            message: format!("only an officer who holds the {level} key can grant it"),
        })?;
        keyring::insert_grant(tx, identity, &public, KeyKind::Level, level, generation, &key)?;
    }
    if !plan.signing {
        keyring::insert_grant(
            tx,
            identity,
            &public,
            KeyKind::Signing,
            Level::Unclassified,
            signing.0,
            &signing.1,
        )?;
    }
    if entry.role == Role::Officer && !plan.admin {
        keyring::insert_grant(
            tx,
            identity,
            &public,
            KeyKind::Admin,
            Level::Unclassified,
            admin.0,
            &admin.1,
        )?;
    }
    Ok(())
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
