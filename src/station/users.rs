//! User administration by officers: add, list, disable, enable (and unlock), reset a
//! password, set a clearance or a role. Each change is a new signed directory with the key
//! replacements it calls for (`rotation.rs`) and its event.

use crate::accounts::directory::DirectoryUser;
use crate::accounts::keyring;
use crate::accounts::new_identity::NewIdentity;
use crate::accounts::permissions::Permission;
use crate::accounts::{Role, UserRecord, UserStatus, lockout, password_rules, users};
use crate::crypto::Password;
use crate::encoding::hex;
use crate::ledger::{Action, NewEvent};
use crate::{Error, Level, Result, UserId, details};

use super::init::validate_user_name;
use super::{Access, Station};
use crate::accounts::rotation::{KeyPlan, Target};

/// A user as officers see them: the signed directory's entry and the station's sign-in state.
#[derive(Clone, Debug, serde::Serialize)]
pub struct UserView {
    /// The entry in the verified directory.
    #[serde(flatten)]
    pub entry: DirectoryUser,
    /// Failed sign-ins in a row.
    pub failed_sign_ins: u32,
    /// Locked by failed sign-ins until an officer unlocks it.
    pub locked: bool,
    /// Must choose a new password at next login (a new account, or after a reset).
    pub must_change_password: bool,
}

impl Station {
    /// Create a user (officers only). Only levels the officer holds can be granted. The
    /// officer chooses the first password, so the user must replace it at first sign-in.
    pub fn add_user(&mut self, name: &str, role: Role, clearance: Level, password: &Password) -> Result<UserId> {
        validate_user_name(name)?;
        password_rules::check(name, password)?;
        let session = self.session_for(Access::Permitted(Permission::UserAdmin, None))?;
        if users::by_name(&self.conn, name)?.is_some() || session.directory().user(name).is_some() {
            return Err(Error::InvalidInput(format!("a user named {name} already exists")));
        }
        let admin = session.admin_key()?;
        let own_slot = keyring::keyslot(&self.conn, session.identity_id())?
            .ok_or_else(|| Error::integrity("keyslot", "the officer's keyslot is missing"))?;

        let mut next = session.directory().successor(&self.now());
        let new = NewIdentity::create(password, own_slot.params, admin.public(), next.version)?;
        let (public, slot) = (new.public, new.slot);
        let record = UserRecord {
            id: UserId::random()?,
            name: name.to_string(),
            role,
            clearance,
            status: UserStatus::Active,
            identity: new.id,
        };
        next.users.push(DirectoryUser {
            id: record.id,
            name: name.to_string(),
            role,
            clearance,
            status: UserStatus::Active,
            identity: record.identity,
            public_key: hex::encode(&public),
        });
        let event = NewEvent {
            actor: session.user().name.clone(),
            action: Action::UserCreate,
            subject: name.to_string(),
            level: Some(clearance),
            item: None,
            details: details! {
                "user": record.id.to_string(),
                "role": role.as_str(),
                "clearance": clearance.name(),
                "directory_version": next.version,
            },
        };
        let now = self.now();
        let target = Target::User {
            user: record.id,
            old_identity: record.identity,
        };
        let insert = |tx: &rusqlite::Transaction<'_>| {
            users::insert(tx, &record, &public, &now)?;
            keyring::store_keyslot(tx, record.identity, &slot, &now)?;
            // The officer chose this password, so it is theirs until the user replaces it.
            users::set_must_change_password(tx, record.id, true)
        };
        self.publish(next, KeyPlan::default(), target, insert, event)?;
        Ok(record.id)
    }

    /// Every user as the verified signed directory states them, with their sign-in state
    /// (officers only).
    pub fn users(&self) -> Result<Vec<UserView>> {
        let session = self.session_for(Access::Permitted(Permission::UserAdmin, None))?;
        let mut out = Vec::new();
        for entry in &session.directory().users {
            let id = entry.id;
            let failures = lockout::of(&self.conn, id)?;
            let must_change = users::password_state(&self.conn, id)?.is_some_and(|(_, must)| must);
            out.push(UserView {
                entry: entry.clone(),
                failed_sign_ins: failures.map_or(0, |f| f.count),
                locked: failures.is_some_and(|f| f.locked_at.is_some()),
                must_change_password: must_change,
            });
        }
        Ok(out)
    }

    /// Disable an account: it can no longer sign in, loses every grant, the level keys it
    /// held are rotated, the station signing key is replaced, and for an officer the admin
    /// key too. The last officer and the last holder of a level cannot be disabled.
    ///
    /// Returns the control numbers of the items the user still holds: they stay in their
    /// custody (the ledger says so) until an officer reassigns them
    /// ([`Station::reassign_custody`]); the caller warns and lists them.
    pub fn disable_user(&mut self, name: &str, reason: &str) -> Result<Vec<String>> {
        let (entry, target) = self.administered(name)?;
        if entry.status == UserStatus::Disabled {
            return Err(Error::InvalidInput(format!("{name} is already disabled")));
        }
        self.change_user(name, target, Action::UserDisable, reason, |u| {
            u.status = UserStatus::Disabled;
        })?;
        self.holdings_of(name)
    }

    /// Re-enable a disabled account (granting it the current keys up to its clearance), or
    /// unlock an account locked by failed sign-ins.
    pub fn enable_user(&mut self, name: &str, reason: &str) -> Result<()> {
        let (entry, target) = self.administered(name)?;
        if entry.status == UserStatus::Active {
            return self.unlock_account(name, entry.id, reason);
        }
        let user = entry.id;
        // Its failed sign-ins are forgotten in the same transaction as the enable event.
        self.change_user_and(
            name,
            target,
            Action::UserEnable,
            reason,
            |u| u.status = UserStatus::Active,
            |tx| lockout::clear(tx, user).map(|_| ()),
        )
    }

    /// Set a clearance. Raising grants the level keys (the officer must hold them);
    /// lowering rotates the levels the user loses.
    pub fn set_clearance(&mut self, name: &str, clearance: Level, reason: &str) -> Result<()> {
        let (entry, target) = self.administered(name)?;
        if entry.clearance == clearance {
            return Err(Error::InvalidInput(format!("{name} is already cleared to {clearance}")));
        }
        self.change_user(name, target, Action::UserClearance, reason, |u| {
            u.clearance = clearance;
        })
    }

    /// Set a role. Promotion grants the admin key; demoting an officer replaces it.
    pub fn set_role(&mut self, name: &str, role: Role, reason: &str) -> Result<()> {
        let (entry, target) = self.administered(name)?;
        if entry.role == role {
            return Err(Error::InvalidInput(format!("{name} is already an {}", role.as_str())));
        }
        self.change_user(name, target, Action::UserRole, reason, |u| u.role = role)
    }

    /// Reset a password: the user gets a new identity and keyslot under `temporary` and must
    /// choose their own password at next login; every key the old identity held is replaced
    /// (the officer must hold those levels). Also clears a lockout.
    pub fn reset_password(&mut self, name: &str, temporary: &Password, reason: &str) -> Result<()> {
        password_rules::check(name, temporary)?;
        let (entry, target) = self.administered(name)?;
        let session = self.session_for(Access::Keys)?;
        let admin = session.admin_key()?;
        let own_slot = keyring::keyslot(&self.conn, session.identity_id())?
            .ok_or_else(|| Error::integrity("keyslot", "the officer's keyslot is missing"))?;
        let mut next = session.directory().successor(&self.now());
        let new = NewIdentity::create(temporary, own_slot.params, admin.public(), next.version)?;
        let (identity, public, slot) = (new.id, new.public, new.slot);
        for u in &mut next.users {
            if u.name == name {
                u.identity = identity;
                u.public_key = hex::encode(&public);
            }
        }
        let event = self.user_event(name, &entry, Action::UserReset, reason, next.version)?;
        let now = self.now();
        let (user, old_identity) = (entry.id, target.old_identity());
        let replace = |tx: &rusqlite::Transaction<'_>| {
            users::replace_identity(tx, user, old_identity, identity, &public, &now)?;
            keyring::delete_keyslot(tx, old_identity)?;
            keyring::store_keyslot(tx, identity, &slot, &now)?;
            users::set_must_change_password(tx, user, true)?;
            lockout::clear(tx, user)?;
            Ok(())
        };
        // The old identity's keys go with it: a saved copy of its keyslot and the old
        // password would still open them.
        self.publish(next, KeyPlan::for_new_identity(&entry), target, replace, event)?;
        Ok(())
    }

    /// The verified directory entry and ids of an account an officer may administer now.
    fn administered(&self, name: &str) -> Result<(DirectoryUser, Target)> {
        let session = self.session_for(Access::Permitted(Permission::UserAdmin, None))?;
        if session.user().name == name {
            return Err(Error::Denied {
                rule: "separation-of-duties",
                message: "officers do not administer their own account; ask another officer (or use `passwd`)".into(),
            });
        }
        let entry = session
            .directory()
            .user(name)
            .cloned()
            .ok_or_else(|| Error::NotFound(format!("user {name}")))?;
        let row = users::by_name(&self.conn, name)?.ok_or_else(|| Error::NotFound(format!("user {name}")))?;
        // Act only on what the directory states: a row pointed elsewhere by SQL is refused.
        if entry.id != row.id || entry.identity != row.identity {
            return Err(Error::integrity(
                format!("account {name}"),
                "the user row disagrees with the signed directory; the account database was changed outside Strongroom",
            ));
        }
        Ok((
            entry,
            Target::User {
                user: row.id,
                old_identity: row.identity,
            },
        ))
    }

    /// Edit the target's directory entry and publish it with the key replacements the change
    /// calls for ([`KeyPlan::for_change`]).
    fn change_user(
        &mut self,
        name: &str,
        target: Target,
        action: Action,
        reason: &str,
        edit: impl FnOnce(&mut DirectoryUser),
    ) -> Result<()> {
        self.change_user_and(name, target, action, reason, edit, |_| Ok(()))
    }

    /// [`Station::change_user`], with `also` done in the same transaction.
    #[allow(clippy::too_many_arguments)]
    fn change_user_and(
        &mut self,
        name: &str,
        target: Target,
        action: Action,
        reason: &str,
        edit: impl FnOnce(&mut DirectoryUser),
        also: impl FnOnce(&rusqlite::Transaction<'_>) -> Result<()>,
    ) -> Result<()> {
        let session = self.session_for(Access::Keys)?;
        let mut next = session.directory().successor(&self.now());
        let entry = next
            .users
            .iter_mut()
            .find(|u| u.name == name)
            .ok_or_else(|| Error::NotFound(format!("user {name}")))?;
        let before = entry.clone();
        edit(entry);
        let after = entry.clone();
        if after.status == UserStatus::Active && after.clearance > session.user().clearance {
            return Err(Error::Denied {
                rule: "clearance",
                message: format!(
                    "only an officer who holds the {} key can grant it to {name}",
                    after.clearance
                ),
            });
        }
        let plan = KeyPlan::for_change(&before, &after);
        let mut event = self.user_event(name, &after, action, reason, next.version)?;
        event.details.insert("before".into(), entry_summary(&before));
        event.details.insert("after".into(), entry_summary(&after));
        self.publish(next, plan, target, also, event)?;
        Ok(())
    }

    fn unlock_account(&mut self, name: &str, user: UserId, reason: &str) -> Result<()> {
        let actor = self
            .session_for(Access::Permitted(Permission::UserAdmin, None))?
            .user()
            .name
            .clone();
        let (name, reason) = (name.to_string(), reason.to_string());
        self.write(|tx, events| {
            if !lockout::clear(tx, user)? {
                return Err(Error::InvalidInput(format!("{name} is active and not locked")));
            }
            events.push(NewEvent {
                actor,
                action: Action::UserUnlock,
                subject: name.clone(),
                level: None,
                item: None,
                details: details! { "user": user.to_string(), "reason": reason },
            });
            Ok(())
        })
    }

    fn user_event(
        &self,
        name: &str,
        entry: &DirectoryUser,
        action: Action,
        reason: &str,
        version: u64,
    ) -> Result<NewEvent> {
        Ok(NewEvent {
            actor: self.session_for(Access::Keys)?.user().name.clone(),
            action,
            subject: name.to_string(),
            level: None,
            item: None,
            details: details! {
                "user": entry.id.clone(),
                "reason": reason,
                "directory_version": version,
            },
        })
    }
}

fn entry_summary(entry: &DirectoryUser) -> serde_json::Value {
    serde_json::json!({
        "role": entry.role.as_str(),
        "clearance": entry.clearance.name(),
        "status": entry.status.as_str(),
    })
}
