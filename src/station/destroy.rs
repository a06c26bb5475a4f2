//! Destroying an item: crypto-erase (its wrapped DEK and metadata are wiped in the same
//! transaction as the event), then removal of the ciphertext. At or above the policy's
//! two-person level a second person is needed (`approvals.rs`). The certificate of
//! destruction comes with the destruction issue.

use crate::accounts::Role;
use crate::accounts::permissions::Permission;
use crate::accounts::requests::RequestKind;
use crate::ledger::{Action, NewEvent};
use crate::vault::items;
use crate::vault::layout::sync_dir;
use crate::{Error, Level, Result, db, details};

use super::{Access, Station};

/// What was destroyed.
#[derive(Clone, Debug, serde::Serialize)]
pub struct DestroyReport {
    /// Control number.
    pub control_number: String,
    /// Its level.
    pub level: Level,
    /// Plaintext size.
    pub size: u64,
    /// Plaintext SHA-256 (hex), for the record.
    pub sha256: String,
}

impl Station {
    /// Destroy an item for `reason`. Only its custodian (as its custody history states) or a
    /// security officer may; an officer destroying another custodian's item raises an alert.
    /// Needs a witness or an approved request at or above the two-person level
    /// ([`crate::Error::ApprovalRequired`] otherwise, with the request made).
    pub fn destroy_item(&mut self, reference: &str, reason: &str) -> Result<DestroyReport> {
        self.refresh_session()?;
        let (row, history) = self.find_item(reference)?;
        let user = self
            .session_for(Access::Permitted(Permission::RequestDestruction, Some(row.level)))?
            .user()
            .clone();
        let actor = user.name.clone();
        if user.role != Role::Officer && user.name != history.custodian {
            return Err(Error::Denied {
                rule: "custodian",
                message: format!(
                    "only the custodian of {} ({}) or a security officer may destroy it",
                    row.control, history.custodian
                ),
            });
        }
        // Someone else's item: the officers hear of it.
        let custody_alert = (user.name != history.custodian).then(|| NewEvent {
            actor: actor.clone(),
            action: Action::CustodyAlert,
            subject: row.control.to_string(),
            level: Some(row.level),
            item: Some(row.id),
            details: details! {
                "finding": "destroyed_by_another",
                "item": row.id.to_string(),
                "control_number": row.control.to_string(),
                "custodian": history.custodian.clone(),
                "destroyed_by": actor.clone(),
            },
        });
        let second = self.second_person(RequestKind::Destroy, &row, None, reason)?;
        let sha256 = crate::encoding::hex::encode(&row.sha256);
        let mut details = details! {
            "item": row.id.to_string(),
            "control_number": row.control.to_string(),
            "size": row.size,
            "sha256": sha256.clone(),
            "reason": reason,
        };
        self.describe_second(&second, &mut details)?;
        let now = self.now();
        self.write(|tx, events| {
            items::erase(tx, row.id, &now)?;
            second.consume(tx)?;
            events.push(NewEvent {
                actor,
                action: Action::ItemDestroy,
                subject: row.control.to_string(),
                level: Some(row.level),
                item: Some(row.id),
                details,
            });
            events.extend(custody_alert);
            Ok(())
        })?;
        self.spend(&second);
        // The key is gone; now the ciphertext. A failure here leaves an undecryptable file,
        // which the next open could sweep; it is reported, never hidden.
        let object = self.paths.object_version(row.id, row.object_version);
        match std::fs::remove_file(&object) {
            Ok(()) => sync_dir(&self.paths.object_dir(row.id))?,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
            Err(e) => return Err(crate::Error::io(&object, e)),
        }
        db::checkpoint_truncate(&self.conn)?;
        Ok(DestroyReport {
            control_number: row.control.to_string(),
            level: row.level,
            size: row.size,
            sha256,
        })
    }
}
