//! Replacing the recovery code: a new recovery identity, sealed under a new code, and every
//! key the old one held replaced (each level key, the signing key, the admin key), since a
//! saved copy of the old recovery keyslot and the old code would still open those keys. The
//! change is an alert: another officer sees that the station's master way in was replaced.

use crate::accounts::directory::RecoveryEntry;
use crate::accounts::keyring;
use crate::accounts::permissions::Permission;
use crate::accounts::rotation::{KeyPlan, Target};
use crate::accounts::users;
use crate::crypto::keyslot::{self, SlotContents};
use crate::crypto::seal::SecretKey;
use crate::crypto::{Password, recovery_code};
use crate::encoding::hex;
use crate::ledger::{Action, NewEvent};
use crate::{Error, IdentityId, Level, Result, db, details};

use super::{Access, Station};

impl Station {
    /// Issue a new recovery code (officers cleared to top secret, who hold every key it
    /// replaces). The old code stops working at once. Returns the new code, to be shown once:
    /// it is stored nowhere.
    pub fn reissue_recovery_code(&mut self, reason: &str) -> Result<Password> {
        let session = self.session_for(Access::Permitted(Permission::UserAdmin, None))?;
        if reason.trim().is_empty() {
            return Err(Error::InvalidInput(
                "a new recovery code needs a reason, recorded in the ledger".into(),
            ));
        }
        let before = session.directory().clone();
        let actor = session.user().name.clone();
        let old =
            users::recovery_identity(&self.conn)?.ok_or_else(|| Error::integrity("recovery identity", "missing"))?;
        if old != before.recovery.identity {
            return Err(Error::integrity(
                "recovery identity",
                "the stored one is not the one the signed directory names",
            ));
        }
        let old_slot = keyring::keyslot(&self.conn, old)?
            .ok_or_else(|| Error::integrity("recovery identity", "it has no keyslot"))?;

        let code = recovery_code::generate()?;
        let secret = SecretKey::random()?;
        let identity = IdentityId::random()?;
        let mut next = before.clone();
        next.version += 1;
        next.issued_at = self.now();
        next.recovery = RecoveryEntry {
            identity,
            public_key: hex::encode(&secret.public()),
        };
        // Sealed with the admin key in force now, like a recovery's new slot: the succession
        // record this change writes leads from it to the new one.
        let slot = keyslot::create(
            &recovery_code::normalize(&code)?,
            identity.as_bytes(),
            1,
            old_slot.params,
            &SlotContents {
                identity: SecretKey::from_bytes(*secret.to_bytes()),
                admin_public: before.admin_key_bytes()?,
                directory_version: next.version,
            },
        )?;
        let public = secret.public();
        let event = NewEvent {
            actor,
            action: Action::RecoveryReissue,
            subject: "station".into(),
            level: None,
            item: None,
            details: details! {
                "reason": reason.trim(),
                "recovery_identity": identity.to_string(),
                "directory_version": next.version,
            },
        };
        let plan = KeyPlan {
            levels: Level::ALL.to_vec(),
            signing: true,
            admin: true,
        };
        let now = self.now();
        let replace = |tx: &rusqlite::Transaction<'_>| {
            users::retire_identity(tx, old, &now)?;
            users::insert_identity(tx, identity, None, &public, &now)?;
            keyring::delete_keyslot(tx, old)?;
            keyring::store_keyslot(tx, identity, &slot, &now)
        };
        self.publish(next, plan, Target::Recovery { old_identity: old }, replace, event)?;
        // The old keyslot must not linger in the WAL.
        db::checkpoint_truncate(&self.conn)?;
        Ok(code)
    }
}
