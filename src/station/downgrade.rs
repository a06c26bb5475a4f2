//! Lowering an item's level (declassification or downgrade): its DEK and metadata are
//! rewrapped under the lower level's key, in one transaction with the event. The object is
//! not re-encrypted (its DEK is unchanged). At or above the policy's two-person level a second
//! person is needed (`approvals.rs`).

use crate::accounts::decision;
use crate::accounts::permissions::Permission;
use crate::accounts::requests::RequestKind;
use crate::ledger::{Action, NewEvent, events};
use crate::vault::items;
use crate::{Error, Level, Result, details};

use super::items::row_key;
use super::{Access, Station};

impl Station {
    /// Lower an item to `to` for `reason`. Raising a level (which re-encrypts the object)
    /// is a separate operation.
    pub fn downgrade_item(&mut self, reference: &str, to: Level, reason: &str) -> Result<()> {
        self.refresh_session()?;
        let (row, _history) = self.find_item(reference)?;
        if to >= row.level {
            return Err(Error::InvalidInput(format!(
                "{} is {}; a downgrade needs a lower level than that",
                row.control, row.level
            )));
        }
        let session = self.session_for(Access::Permitted(Permission::Reclassify, Some(row.level)))?;
        let actor = session.user().name.clone();
        // An officer's decision that the item's history is read from: signed with the
        // admin key, so neither SQL nor two level keys can move an item unnoticed.
        let admin = session.admin_key()?;
        let old_key = row_key(session, &row)?;
        let new_key = session.level_key(to)?;
        let second = self.second_person(RequestKind::Downgrade, &row, Some(to), reason)?;

        let moved = row.rewrapped(&old_key, to, &new_key)?;

        let mut details = details! {
            "item": row.id.to_string(),
            "control_number": row.control.to_string(),
            "from": row.level.name(),
            "to": to.name(),
            "reason": reason,
        };
        self.describe_second(&second, &mut details)?;
        let now = self.now();
        let event = NewEvent {
            actor,
            action: Action::ItemReclassify,
            subject: row.control.to_string(),
            level: Some(row.level),
            item: Some(row.id),
            details,
        };
        let mac = self.event_mac_key();
        let time = self.clock.now();
        self.write(|tx, _| {
            items::relabel(tx, &row, &moved, &now)?;
            second.consume(tx)?;
            let decide = |body: &[u8]| decision::sign(&admin, body);
            events::append_signed(tx, time, &event, mac.as_ref(), Some(&decide))?;
            Ok(())
        })?;
        self.spend(&second);
        Ok(())
    }
}
