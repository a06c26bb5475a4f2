//! Raising an item's level: a fresh DEK, the object re-encrypted under it beside the old one
//! (`objects/ab/<uuid>.<n>.sro`), the row switched to the new version, level and key in the
//! transaction that records `item.raise`, then the old object removed (its DEK is already
//! gone from the row, so it is crypto-erased before it is unlinked). A crash at any moment
//! leaves the item wholly at one level: the `object_rewrites` row tells the next open which
//! file to remove (`sweep.rs`).

use crate::accounts::permissions::Permission;
use crate::crypto::Key32;
use crate::custody::transfer::{self, Refusal};
use crate::ledger::{Action, NewEvent};
use crate::progress::Progress;
use crate::vault::items;
use crate::vault::layout::sync_dir;
use crate::vault::reencrypt::reencrypt;
use crate::vault::rewrites::{self, Rewrite};
use crate::{Error, Level, Result, db, details};

use super::export::{check_recorded_hash, decrypt_object, row_dek};
use super::items::row_key;
use super::{Access, Station};

impl Station {
    /// Raise an item to `to` for `reason`: its custodian or an officer, holding `to`'s key.
    /// Returns the new object version.
    pub fn raise_item(&mut self, reference: &str, to: Level, reason: &str, progress: &Progress) -> Result<u32> {
        self.refresh_session()?;
        let (row, history) = self.find_item(reference)?;
        if to <= row.level {
            return Err(Error::InvalidInput(format!(
                "{} is {}; a raise needs a higher level than that",
                row.control, row.level
            )));
        }
        if reason.trim().is_empty() {
            return Err(Error::InvalidInput("raising a level needs a reason".into()));
        }
        let session = self.session_for(Access::Permitted(Permission::RaiseLevel, Some(row.level)))?;
        let user = session.user().clone();
        if !transfer::acts_for_custodian(&history, &user.name, user.role) {
            let refusal = Refusal {
                error: Error::Denied {
                    rule: "custodian",
                    message: format!(
                        "only the custodian of {} ({}) or a security officer may raise its level",
                        row.control, history.custodian
                    ),
                },
                record: true,
                attempt: "raise",
            };
            return Err(self.refused(&row, refusal, to.name()));
        }
        let new_key = match session.level_key(to) {
            Ok(key) => key,
            Err(error) => {
                let refusal = Refusal {
                    error,
                    record: true,
                    attempt: "raise",
                };
                return Err(self.refused(&row, refusal, to.name()));
            }
        };
        let old_key = row_key(session, &row)?;
        let old_dek = row_dek(&old_key.key, &row)?;
        check_recorded_hash(&self.conn, &row)?;
        let new_dek = Key32::random()?;
        let raised = row.raised(&old_key, to, &new_key, &new_dek)?;
        let busy = self.idle.busy();
        let _beating = progress.beating(busy.heartbeat());
        progress.add_total(row.size);

        // 1. The new ciphertext, in this process's own work directory.
        let staged = self
            .work
            .path()
            .join(format!("{}.{}.sro", row.id, raised.object_version));
        let quiet = Progress::new();
        let paths = self.paths.clone();
        let digest = reencrypt(&staged, &new_dek, row.id, row.chunk_size, row.size, progress, |pipe| {
            decrypt_object(&paths, &row, &old_dek, pipe, &staged, &quiet)
        })?;
        if digest != row.sha256 {
            let _ = std::fs::remove_file(&staged);
            return Err(Error::integrity(
                format!("item {}", row.control),
                "the re-encrypted content does not match its recorded SHA-256; nothing was changed",
            ));
        }
        // 2. Recorded, then named in `objects/` beside the old object (never over a file).
        let rewrite = Rewrite {
            item: row.id,
            old_version: row.object_version,
            new_version: raised.object_version,
            owner: self.work.owner().to_string(),
        };
        // Only while the row is still as it was read, and only one re-encryption of an item
        // at a time (the record's primary key): a raise that lost a race stops here,
        // before it names anything in `objects/`.
        let control = row.control.to_string();
        let recorded = self.write(|tx, _| {
            let now = items::get(tx, row.id)?;
            let unchanged = now.as_ref().is_some_and(|n| {
                n.level == row.level && n.object_version == row.object_version && n.key_generation == row.key_generation
            });
            if !unchanged {
                return Err(Error::InvalidInput(format!(
                    "{control} changed while it was being re-encrypted (another process acted on it); nothing was changed — look at it again"
                )));
            }
            rewrites::insert(tx, &rewrite).map_err(|_| {
                Error::InvalidInput(format!(
                    "{control} is being re-encrypted by another process; nothing was changed — try again once it is done"
                ))
            })
        });
        if let Err(error) = recorded {
            let _ = std::fs::remove_file(&staged);
            return Err(error);
        }
        let target = self.paths.object_version(row.id, raised.object_version);
        // A link never replaces a file: a name already there is not this process's to remove.
        let linked = std::fs::hard_link(&staged, &target).map_err(|e| Error::io(&target, e));
        let _ = std::fs::remove_file(&staged);
        if let Err(error) = linked {
            let _ = self.write_bookkeeping(|tx, _| rewrites::forget(tx, row.id));
            return Err(error);
        }
        if let Err(error) = sync_dir(&self.paths.object_dir(row.id)) {
            self.undo_rewrite(&rewrite, false);
            return Err(error);
        }
        // 3. The switch and its event, in one transaction.
        let now = self.now();
        let event = NewEvent {
            actor: user.name.clone(),
            action: Action::ItemRaise,
            subject: row.control.to_string(),
            level: Some(to),
            item: Some(row.id),
            details: details! {
                "item": row.id.to_string(),
                "control_number": row.control.to_string(),
                "from": row.level.name(),
                "to": to.name(),
                "reason": reason.trim(),
                "object_version": raised.object_version,
            },
        };
        let switched = self.write_step(
            &row,
            event,
            |tx| items::relabel(tx, &row, &raised, &now),
            |h, _| h.level == to && h.object_version == raised.object_version,
        );
        if let Err(error) = switched {
            self.undo_rewrite(&rewrite, false);
            return Err(error);
        }
        // 4. The old object: its key is gone; now its bytes.
        self.undo_rewrite(&rewrite, true);
        let _ = db::checkpoint_truncate(&self.conn);
        Ok(raised.object_version)
    }

    /// Finish or undo a recorded re-encryption: remove the old object (`committed`) or the
    /// new one, then forget the record. Errors are left for the next open's sweep, which
    /// decides from the ledger alone.
    pub(super) fn undo_rewrite(&mut self, rewrite: &Rewrite, committed: bool) {
        let version = if committed {
            rewrite.old_version
        } else {
            rewrite.new_version
        };
        let path = self.paths.object_version(rewrite.item, version);
        let removed = match std::fs::remove_file(&path) {
            Ok(()) => sync_dir(&self.paths.object_dir(rewrite.item)).is_ok(),
            Err(e) => e.kind() == std::io::ErrorKind::NotFound,
        };
        if removed {
            let _ = self.write_bookkeeping(|tx, _| rewrites::forget(tx, rewrite.item));
        }
    }
}
