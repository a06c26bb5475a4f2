//! Changing one's own password (`passwd`: rewrap one keyslot) and recovery (`recover`: the
//! recovery identity gives a user a new identity, keyslot and grants, published in a new
//! signed directory).

use crate::accounts::keyring;
use crate::accounts::new_identity::NewIdentity;
use crate::accounts::rotation::{KeyPlan, LentKeys, Target};
use crate::accounts::{lockout, password_rules, users};
use crate::crypto::keyslot::{self, SlotContents};
use crate::crypto::{CryptoError, Password, recovery_code};
use crate::encoding::hex;
use crate::ledger::{Action, NewEvent};
use crate::{Error, Level, Result, db, details};

use super::{Access, Station};
use crate::accounts::trust::open_grants;

impl Station {
    /// Change the session user's password. The current password is asked again, so an
    /// unattended unlocked station cannot be taken over.
    pub fn change_password(&mut self, current: &Password, new: &Password) -> Result<()> {
        let session = self.session_for(Access::Keys)?;
        let name = session.user().name.clone();
        let user_id = session.user().id;
        password_rules::check(&name, new)?;
        if new.expose() == current.expose() {
            return Err(Error::Denied {
                rule: "password-policy",
                message: "the new password must differ from the current one".into(),
            });
        }
        let row = users::by_name(&self.conn, &name)?.ok_or_else(|| Error::NotFound(format!("user {name}")))?;
        let identity_id = session.identity_id();
        let policy = session.directory().policy();
        self.begin_attempt(&row, &policy, "password change")?;
        let slot = keyring::keyslot(&self.conn, identity_id)?
            .ok_or_else(|| Error::integrity(format!("account {name}"), "it has no keyslot"))?;
        let contents = keyslot::open(current, identity_id.as_bytes(), &slot).map_err(|e| match e {
            CryptoError::Authentication => Error::AUTHENTICATION_FAILED,
            other => Error::integrity(format!("keyslot of {name}"), other.to_string()),
        });
        let contents = match contents {
            Ok(c) => c,
            Err(Error::AuthenticationFailed { .. }) => {
                let attempts_left = self.attempt_failed(&row, &policy, "wrong current password at password change")?;
                return Err(Error::AuthenticationFailed {
                    attempts_left: Some(attempts_left),
                });
            }
            Err(e) => return Err(e),
        };
        let directory = self.session_for(Access::Keys)?.directory();
        let (version, admin_public) = (directory.version, directory.admin_key_bytes()?);
        let new_slot = keyslot::create(
            new,
            identity_id.as_bytes(),
            slot.generation + 1,
            slot.params,
            &SlotContents {
                identity: contents.identity,
                admin_public,
                directory_version: version.max(contents.directory_version),
            },
        )?;
        let now = self.now();
        self.write(|tx, events| {
            keyring::store_keyslot(tx, identity_id, &new_slot, &now)?;
            users::touch_password(tx, user_id, &now)?;
            lockout::clear(tx, user_id)?;
            events.push(NewEvent {
                actor: name.clone(),
                action: Action::UserPasswordChange,
                subject: name.clone(),
                level: None,
                item: None,
                details: details! { "user": user_id.to_string(), "keyslot_generation": new_slot.generation },
            });
            Ok(())
        })?;
        if let Some(session) = self.session.as_mut() {
            session.clear_password_change();
        }
        // The old keyslot must not linger in the WAL.
        db::checkpoint_truncate(&self.conn)
    }

    /// Give `user` a new identity, keyslot (with `new_password`) and grants, opened with the
    /// recovery code. Works while locked; the station stays locked.
    pub fn recover(&mut self, user: &str, code: &Password, new_password: &Password) -> Result<()> {
        self.session = None;
        password_rules::check(user, new_password)?;
        let recovery_id =
            users::recovery_identity(&self.conn)?.ok_or_else(|| Error::integrity("recovery identity", "missing"))?;
        let slot = keyring::keyslot(&self.conn, recovery_id)?
            .ok_or_else(|| Error::integrity("recovery identity", "it has no keyslot"))?;
        let normalized = recovery_code::normalize(code).map_err(|e| Error::InvalidInput(e.to_string()))?;
        let contents = match keyslot::open(&normalized, recovery_id.as_bytes(), &slot) {
            Ok(c) => c,
            Err(CryptoError::Authentication) => {
                // Counted per user the code was tried for (the name is escaped and capped
                // there like any typed name).
                self.record_failed_login(&format!("recovery:{user}"), "wrong recovery code")?;
                return Err(Error::AUTHENTICATION_FAILED);
            }
            Err(other) => return Err(Error::integrity("recovery keyslot", other.to_string())),
        };
        let dir = self.directory_for_slot(&contents)?;
        if hex::decode::<32>(&dir.recovery.public_key) != Some(contents.identity.public())
            || dir.recovery.identity != recovery_id
        {
            return Err(Error::integrity(
                "recovery identity",
                "it does not match the signed directory",
            ));
        }
        let keys = open_grants(
            &self.conn,
            &dir,
            recovery_id,
            contents.identity.clone(),
            Level::TopSecret,
            true,
        )?;
        let admin = keys
            .admin
            .as_ref()
            .ok_or_else(|| Error::integrity("recovery identity", "it holds no admin key"))?;
        let row = users::by_name(&self.conn, user)?.ok_or_else(|| Error::NotFound(format!("user {user}")))?;
        let entry = dir
            .user(user)
            .ok_or_else(|| Error::NotFound(format!("user {user} in the signed directory")))?
            .clone();
        // Act only on what the directory states: a users row pointed at another identity
        // by SQL must not make recovery delete that identity's grants.
        if entry.id != row.id || entry.identity != row.identity {
            return Err(Error::integrity(
                format!("account {user}"),
                "the user row disagrees with the signed directory",
            ));
        }
        if entry.status != crate::accounts::UserStatus::Active {
            return Err(Error::AccountUnavailable {
                user: user.to_string(),
                state: crate::accounts::availability::Unavailable::Disabled,
            });
        }

        let mut next = dir.clone();
        next.version += 1;
        next.issued_at = self.now();
        let new = NewIdentity::create(new_password, slot.params, contents.admin_public, next.version)?;
        let (identity, public, new_slot) = (new.id, new.public, new.slot);
        for u in &mut next.users {
            if u.name == user {
                u.identity = identity;
                u.public_key = hex::encode(&public);
            }
        }
        let now = self.now();
        let event = NewEvent {
            actor: "recovery".into(),
            action: Action::UserRecover,
            subject: user.to_string(),
            level: None,
            item: None,
            details: details! { "user": row.id.to_string(), "directory_version": next.version },
        };
        // The recovery identity holds every key: it lends them, and every key the user's old
        // identity held is replaced (a saved copy of its keyslot and the old password would
        // still open them).
        let lent = LentKeys {
            officer: "the recovery identity".into(),
            levels: keys.level_keys.clone(),
            signing: (keys.signing_generation, keys.signing.clone()),
            admin: (keys.admin_generation, admin.clone()),
        };
        let target = Target::User {
            user: row.id,
            old_identity: row.identity,
        };
        let replace = |tx: &rusqlite::Transaction<'_>| {
            users::replace_identity(tx, row.id, row.identity, identity, &public, &now)?;
            keyring::delete_keyslot(tx, row.identity)?;
            keyring::store_keyslot(tx, identity, &new_slot, &now)?;
            lockout::clear(tx, row.id)?;
            Ok(())
        };
        self.publish_with(
            &dir,
            lent,
            next,
            KeyPlan::for_new_identity(&entry),
            target,
            replace,
            event,
        )?;
        Ok(())
    }
}
