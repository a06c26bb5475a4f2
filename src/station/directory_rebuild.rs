//! Putting back the newest signed directory when its row was deleted outside Strongroom
//! (DESIGN.md §2 "Rollback"). The station refuses every write while the newest stored
//! directory is older than a version the ledger names; an officer, with their password,
//! puts back the copy the publication event carries once the admin key verifies it.

use crate::accounts::directory::{self, SignedDirectory};
use crate::accounts::{Role, UserStatus, directory_copy, keyring, lockout, succession, users};
use crate::crypto::{CryptoError, Password, keyslot};
use crate::encoding::hex;
use crate::ledger::{Action, NewEvent};
use crate::{Error, Result, details};

use super::{Station, directory_floor};

/// What a rebuild put back.
#[derive(Clone, Debug, serde::Serialize)]
pub struct Rebuilt {
    /// The directory version now stored again.
    pub directory_version: u64,
    /// The newest version that was still stored before.
    pub stored_version: u64,
    /// The ledger event whose copy was used.
    pub copied_from: u64,
}

impl Station {
    /// Put back the newest signed directory from the ledger's copy, as officer `user` with
    /// their password (no session can be opened while it is missing). Refused when nothing
    /// is missing, when the ledger carries no copy of the version it names, or when the
    /// admin key the officer's keyslot trusts does not verify the copy.
    pub fn rebuild_directory(&mut self, user: &str, password: &Password) -> Result<Rebuilt> {
        self.lock();
        let named = directory_floor(&self.conn, &self.station_id)?;
        let stored = directory::latest_version(&self.conn)?;
        if stored >= named {
            return Err(Error::InvalidInput(format!(
                "the newest signed directory (version {stored}) is in place; there is nothing to rebuild"
            )));
        }
        let policy = self.policy_before_sign_in();
        let Some(row) = users::by_name(&self.conn, user)? else {
            return Err(self.unknown_name_failed(user, "directory rebuild: unknown user", &policy)?);
        };
        self.begin_attempt(&row, &policy, "directory rebuild")?;
        let slot = keyring::keyslot(&self.conn, row.identity)?
            .ok_or_else(|| Error::integrity(format!("account {user}"), "it has no keyslot"))?;
        let contents = match keyslot::open(password, row.identity.as_bytes(), &slot) {
            Ok(contents) => contents,
            Err(CryptoError::Authentication) => {
                let attempts_left = self.attempt_failed(&row, &policy, "wrong password at directory rebuild")?;
                return Err(Error::AuthenticationFailed {
                    attempts_left: Some(attempts_left),
                });
            }
            Err(other) => return Err(Error::integrity(format!("keyslot of {user}"), other.to_string())),
        };

        // The newest copy an admin key of this station signed, and it must be the key this
        // officer's keyslot leads to now.
        let admin = succession::current_key(&self.conn, &self.station_id, contents.admin_public)?;
        let (copy, verified) = directory_copy::newest_verified(&self.conn, &self.station_id, &|key, _| *key == admin)?
            .ok_or_else(|| {
                Error::integrity(
                    "signed directory",
                    format!("the ledger names version {named} but carries no copy the current admin key signed"),
                )
            })?;
        let copy_of = format!("the directory copy in event {}", copy.seq);
        if verified.version < named.max(contents.directory_version) {
            return Err(Error::integrity(
                copy_of,
                format!(
                    "it is version {}, older than version {} the ledger or your keyslot names",
                    verified.version,
                    named.max(contents.directory_version)
                ),
            ));
        }
        let entry = verified
            .user(user)
            .ok_or_else(|| Error::integrity(copy_of.clone(), format!("it does not list {user}")))?;
        let is_this_account = entry.id == row.id
            && entry.identity == row.identity
            && entry.public_key == hex::encode(&contents.identity.public());
        if !is_this_account {
            return Err(Error::integrity(
                format!("account {user}"),
                "the user row disagrees with the signed directory; the account database was changed outside Strongroom",
            ));
        }
        if entry.role != Role::Officer || entry.status != UserStatus::Active {
            return Err(Error::Denied {
                rule: "role",
                message: "only an active security officer can put back the signed directory".into(),
            });
        }

        let signed = SignedDirectory {
            directory: verified,
            body: copy.body,
            signature: copy.signature,
        };
        let rebuilt = Rebuilt {
            directory_version: signed.directory.version,
            stored_version: stored,
            copied_from: copy.seq,
        };
        let event = NewEvent {
            actor: user.to_string(),
            action: Action::DirectoryRebuild,
            subject: "station".into(),
            level: None,
            item: None,
            details: details! {
                "directory_version": rebuilt.directory_version,
                "copied_from": rebuilt.copied_from,
                "stored_version": rebuilt.stored_version,
            },
        };
        let (now, user_id) = (self.now(), row.id);
        // The one write allowed while the directory is behind: the write that puts it back.
        self.write_bookkeeping(|tx, events| {
            if directory::latest_version(tx)? != stored {
                return Err(Error::SessionOutOfDate {
                    why: "the signed directory changed meanwhile; nothing was written".into(),
                });
            }
            directory::store(tx, &signed, &now)?;
            lockout::clear(tx, user_id)?;
            events.push(event);
            Ok(())
        })?;
        self.directory_floor = self.directory_floor.max(rebuilt.directory_version);
        Ok(rebuilt)
    }
}
