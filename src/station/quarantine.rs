//! The quarantine through the station (officers): list what the guard sealed, check an entry
//! (it opens with the level's sealing key and hashes to what was recorded) without writing
//! any plaintext, and destroy one; release is `quarantine_release.rs`.

use std::io::Read;

use crate::accounts::keyring;
use crate::accounts::permissions::Permission;
use crate::crypto::stream::{self, DecryptKey, Header};
use crate::guard::quarantine::entry_path;
use crate::guard::quarantine_table::{self, Entry, Settled};
use crate::ledger::{Action, NewEvent};
use crate::progress::Progress;
use crate::{Error, Result, details};

use super::{Access, Station};

/// An entry and what checking it found.
#[derive(Clone, Debug, serde::Serialize)]
pub struct QuarantineCheck {
    /// The entry as recorded.
    pub entry: Entry,
    /// It opened with the level's sealing key and its content hashes to `entry.sha256`.
    pub intact: bool,
}

impl Station {
    /// Every quarantine entry, newest first (officers).
    pub fn quarantine_list(&self) -> Result<Vec<Entry>> {
        self.session_for(Access::Permitted(Permission::Guard, None))?;
        quarantine_table::list(&self.conn)
    }

    /// Check entry `id` (hex): decrypt it with its level's sealing key into nothing but a
    /// hash, and compare (officers holding the level).
    pub fn quarantine_check(&self, id: &str) -> Result<QuarantineCheck> {
        let session = self.session_for(Access::Permitted(Permission::Guard, None))?;
        let entry = quarantine_table::list(&self.conn)?
            .into_iter()
            .find(|e| e.id == id)
            .ok_or_else(|| Error::InvalidInput(format!("no quarantine entry {id}")))?;
        let bytes = crate::encoding::hex::decode::<16>(&entry.id)
            .ok_or_else(|| Error::integrity("quarantine", "an entry id is not 16 bytes"))?;
        let held = session.level_key(entry.level)?;
        let secret = keyring::sealing_secret(&self.conn, entry.level, entry.generation, &held.key, held.generation)?;
        let path = entry_path(&self.paths.quarantine, &bytes);
        let mut file = std::fs::File::open(&path).map_err(|e| Error::io(&path, e))?;
        let (header, raw) = Header::read(&mut (&mut file).take(4096))
            .map_err(|e| Error::integrity("quarantine entry", e.to_string()))?;
        let digest = stream::decrypt(
            &mut file,
            &header,
            &raw,
            DecryptKey::Sealing(&secret),
            std::io::sink(),
            &Progress::new(),
        );
        let intact = header.item == bytes && digest.is_ok_and(|d| crate::encoding::hex::encode(&d) == entry.sha256);
        Ok(QuarantineCheck { entry, intact })
    }

    /// Destroy entry `id` (hex) for `reason` (officers holding its level; a witness at or
    /// above the two-person level): recorded first, then its header (the sealed content
    /// key) overwritten and the file removed.
    pub fn quarantine_destroy(&mut self, id: &str, reason: &str) -> Result<Entry> {
        self.refresh_session()?;
        let (entry, bytes) = self.held_entry(id)?;
        let reason = reason.trim();
        if reason.is_empty() {
            return Err(Error::InvalidInput("a destruction needs a reason".into()));
        }
        let second = self.witness_for(entry.level, "destroying a quarantine entry")?;
        let names = crate::accounts::users::names(&self.conn)?;
        let actor = self.session_for(Access::Keys)?.user().name.clone();
        let mut details = details! {
            "entry": entry.id.clone(),
            "entry_level": entry.level.name(),
            "size": entry.size,
            "sha256": entry.sha256.clone(),
            "medium": entry.medium.clone(),
            "reason": reason,
        };
        second.describe(&mut details, |id| {
            names
                .iter()
                .find(|(u, _)| *u == id)
                .map(|(_, n)| n.clone())
                .unwrap_or_default()
        });
        self.write(|tx, events| {
            quarantine_table::settle(tx, &bytes, Settled::Destroyed)?;
            second.consume(tx)?;
            events.push(NewEvent {
                actor,
                action: Action::QuarantineDestroy,
                subject: format!("quarantine {}", entry.id),
                level: Some(entry.level),
                item: None,
                details,
            });
            Ok(())
        })?;
        self.spend(&second);
        super::quarantine_release::remove_entry(&entry_path(&self.paths.quarantine, &bytes), &self.paths.quarantine)?;
        Ok(Entry {
            status: Settled::Destroyed.as_str().into(),
            ..entry
        })
    }
}
