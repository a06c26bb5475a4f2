//! The quarantine through the station (officers): list what the guard sealed, check an entry
//! (it opens with the level's sealing key and hashes to what was recorded) without writing
//! any plaintext, and destroy one; release is `quarantine_release.rs`.

use crate::accounts::keyring;
use crate::accounts::permissions::Permission;
use crate::crypto::stream::{self, DecryptKey};
use crate::guard::quarantine::entry_path;
use crate::guard::quarantine_table::{self, Entry, Settled};
use crate::ledger::{Action, NewEvent};
use crate::progress::Progress;
use crate::{Error, Result, details};

use super::quarantine_entry::{open_entry, remove_entry};
use super::{Access, Station};

/// An entry and what checking it found.
#[derive(Clone, Debug, serde::Serialize)]
pub struct QuarantineCheck {
    /// The entry as recorded.
    pub entry: Entry,
    /// It opened with the level's sealing key and its content hashes to `entry.sha256`.
    pub intact: bool,
}

/// An entry an officer settled, and what its erasure left behind if it failed after the
/// settlement was recorded (the next open erases it).
#[derive(Clone, Debug, serde::Serialize)]
pub struct Settlement {
    /// The entry, now settled.
    pub entry: Entry,
    /// Why its file could not be erased yet.
    pub left_behind: Option<String>,
}

/// Tests only (debug builds): with the variable `name` set, the process dies at once here
/// (between a settlement's commit and the entry's erasure, where no kill can be aimed).
pub(super) fn crash_point(name: &str) {
    #[cfg(debug_assertions)]
    if std::env::var_os(name).is_some() {
        std::process::abort();
    }
    #[cfg(not(debug_assertions))]
    let _ = name;
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
        let (entry, bytes) = self.recorded_entry(id)?;
        let session = self.session_for(Access::Keys)?;
        let held = session.level_key(entry.level)?;
        let secret = keyring::sealing_secret(&self.conn, entry.level, entry.generation, &held.key, held.generation)?;
        let path = entry_path(&self.paths.quarantine, &bytes);
        let intact = match open_entry(&path, &bytes, false) {
            Ok((mut file, header, raw)) => stream::decrypt(
                &mut file,
                &header,
                &raw,
                DecryptKey::Sealing(&secret),
                std::io::sink(),
                &Progress::new(),
            )
            .is_ok_and(|d| crate::encoding::hex::encode(&d) == entry.sha256),
            Err(_) => false,
        };
        Ok(QuarantineCheck { entry, intact })
    }

    /// Destroy entry `id` (hex) for `reason` (officers holding its level; a witness at or
    /// above the two-person level): recorded first, then its header (the sealed content
    /// key) overwritten and the file removed.
    pub fn quarantine_destroy(&mut self, id: &str, reason: &str) -> Result<Settlement> {
        self.refresh_session()?;
        let (entry, bytes) = self.held_entry(id)?;
        let reason = reason.trim();
        if reason.is_empty() {
            return Err(Error::InvalidInput("a destruction needs a reason".into()));
        }
        let second = self.witness_for(entry.level, "destroying a quarantine entry")?;
        // The entry must be there, and be the entry, before its destruction is recorded.
        let path = entry_path(&self.paths.quarantine, &bytes);
        drop(open_entry(&path, &bytes, false)?);
        let actor = self.session_for(Access::Keys)?.user().name.clone();
        let mut details = details! {
            "entry": entry.id.clone(),
            "entry_level": entry.level.name(),
            "size": entry.size,
            "sha256": entry.sha256.clone(),
            "medium": entry.medium.clone(),
            "reason": reason,
        };
        self.describe_second(&second, &mut details)?;
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
        crash_point("STRONGROOM_TEST_CRASH_AFTER_SETTLE");
        // Recorded: what is left is cleanup, which the next open finishes if it fails now.
        let left = remove_entry(&path, &bytes, &self.paths.quarantine).err();
        Ok(Settlement {
            entry: Entry {
                status: Settled::Destroyed.as_str().into(),
                ..entry
            },
            left_behind: left.map(|e| e.to_string()),
        })
    }
}
