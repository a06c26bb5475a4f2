//! Releasing a quarantine entry as a vault item (officers holding its level): the sealed
//! entry is decrypted with its level's sealing key straight into a new item's encryption,
//! through a pipe, so its plaintext never touches the disk; the new item is committed like
//! an import, with a `quarantine.release` beside its `item.import` in the same transaction,
//! and only then is the entry removed. At or above the two-person level (the entry's or the
//! item's, whichever is higher) a witness must be signed in.

use std::os::unix::fs::OpenOptionsExt;

use super::quarantine_entry::{open_entry, remove_entry};
use crate::crypto::stream::{self, DecryptKey, EncryptKey, Header, StreamError};
use crate::guard::quarantine::entry_path;
use crate::guard::quarantine_table::{self, Entry, Settled};
use crate::ledger::{Action, NewEvent};
use crate::progress::Progress;
use crate::vault::items::ItemRow;
use crate::{Error, ItemId, Level, Result, details};

use super::import::ImportOptions;
use super::{Access, Station};

/// What an officer asks for when releasing an entry.
#[derive(Clone, Debug)]
pub struct Release {
    /// The new item's level.
    pub level: Level,
    /// Its title; absent: the copy's original file name, unsealed from the alert.
    pub title: Option<String>,
    /// Why (recorded).
    pub reason: String,
}

/// An entry released: the item it became.
#[derive(Clone, Debug, serde::Serialize)]
pub struct Released {
    /// The entry (hex id).
    pub entry: String,
    /// The new item's control number.
    pub control_number: String,
    /// Its id.
    pub item: String,
    /// Its level.
    pub level: Level,
    /// Its size.
    pub size: u64,
    /// Its SHA-256 (hex), the entry's.
    pub sha256: String,
    /// Why the entry's file could not be erased yet (the next open erases it).
    pub left_behind: Option<String>,
}

impl Station {
    /// Release entry `id` as a vault item (see the module documentation).
    pub fn quarantine_release(&mut self, id: &str, release: &Release, progress: &Progress) -> Result<Released> {
        self.refresh_session()?;
        let (entry, bytes) = self.held_entry(id)?;
        let reason = release.reason.trim();
        if reason.is_empty() {
            return Err(Error::InvalidInput("a release needs a reason".into()));
        }
        // Never below the level it was sealed at, nor below any vault item with this content:
        // lowering a level is a downgrade, with its own rules.
        let floor = self.release_floor(&entry)?;
        if release.level < floor {
            return Err(Error::Denied {
                rule: "release-level",
                message: format!(
                    "quarantine entry {id} holds material at {floor}: release it at {floor} or above, then downgrade the item if it must be lower"
                ),
            });
        }
        let second = self.witness_for(release.level, "releasing a quarantine entry")?;
        let name = self.copy_name(&entry);
        let held = self.session_for(Access::Keys)?.level_key(entry.level)?;
        let secret = crate::accounts::keyring::sealing_secret(
            &self.conn,
            entry.level,
            entry.generation,
            &held.key,
            held.generation,
        )?;
        let path = entry_path(&self.paths.quarantine, &bytes);
        let options = ImportOptions {
            title: release.title.clone().filter(|t| !t.trim().is_empty()),
            ..ImportOptions::at(release.level)
        };
        let chunk = options.chunk_size;
        let expected = entry.sha256.clone();
        let mut fill = |key: EncryptKey<'_>, item: ItemId, out: &std::path::Path| {
            reseal(
                &path, &bytes, &secret, key, item, out, chunk, entry.size, &expected, progress,
            )
        };
        let names = crate::accounts::users::names(&self.conn)?;
        let actor = self.session_for(Access::Keys)?.user().name.clone();
        let then = |tx: &rusqlite::Transaction<'_>, row: &ItemRow, events: &mut Vec<NewEvent>| {
            quarantine_table::settle(tx, &bytes, Settled::Released)?;
            second.consume(tx)?;
            let mut details = details! {
                "entry": entry.id.clone(),
                "item": row.id.to_string(),
                "control_number": row.control.to_string(),
                "entry_level": entry.level.name(),
                "size": entry.size,
                "sha256": entry.sha256.clone(),
                "medium": entry.medium.clone(),
                "reason": reason,
            };
            second.describe(&mut details, |id| super::approvals::name_in(&names, id));
            events.push(NewEvent {
                actor: actor.clone(),
                action: Action::QuarantineRelease,
                subject: row.control.to_string(),
                level: Some(row.level),
                item: Some(row.id),
                details,
            });
            Ok(())
        };
        let row = self.import_stream(&name, entry.size, &options, &mut fill, &then)?;
        self.spend(&second);
        super::quarantine::crash_point("STRONGROOM_TEST_CRASH_AFTER_SETTLE");
        // Recorded: the entry's content lives on as the item; what is left is cleanup, which
        // the next open finishes if it fails now.
        let left = remove_entry(&path, &bytes, &self.paths.quarantine).err();
        Ok(Released {
            left_behind: left.map(|e| e.to_string()),
            entry: entry.id,
            control_number: row.control.to_string(),
            item: row.id.to_string(),
            level: row.level,
            size: row.size,
            sha256: crate::encoding::hex::encode(&row.sha256),
        })
    }

    /// The lowest level entry `entry` may be released at: the level it was sealed at, or
    /// that of any vault item with its content (destroyed ones too), by their custody
    /// history.
    fn release_floor(&self, entry: &Entry) -> Result<Level> {
        let sha256 = crate::encoding::hex::decode::<32>(&entry.sha256)
            .ok_or_else(|| Error::integrity("quarantine", "an entry's hash is not 32 bytes"))?;
        let admin_keys = crate::accounts::decision::AdminKeys::load(&self.conn, &self.station_id)?;
        let vouch = |seq: u64, event: &[u8]| admin_keys.vouch_for(seq, event);
        let items = crate::vault::history::with_sha256(&self.conn, &sha256, &vouch)?;
        Ok(items.iter().map(|h| h.level).fold(entry.level, Level::max))
    }

    /// The copy's original file name, unsealed from the alert that named the entry (the
    /// officer holds its level); a made-up name when it cannot be.
    fn copy_name(&self, entry: &Entry) -> Vec<u8> {
        let fallback = format!("quarantine-{}", &entry.id[..8]).into_bytes();
        let Ok(Some(alert)) = crate::ledger::events::quarantine_alert(&self.conn, &entry.id) else {
            return fallback;
        };
        let Ok(value) = alert.json() else {
            return fallback;
        };
        let details = &value["details"];
        let level = details["sealing_level"].as_str().and_then(|l| l.parse::<Level>().ok());
        let generation = details["sealing_generation"]
            .as_u64()
            .and_then(|g| u32::try_from(g).ok());
        match (level, generation, details["destination_name_sealed"].as_str()) {
            (Some(level), Some(generation), Some(sealed)) => self
                .unseal_name(level, generation, sealed)
                .map(|name| name.into_encoded_bytes())
                .ok()
                .filter(|name| !name.is_empty())
                .unwrap_or(fallback),
            _ => fallback,
        }
    }
}

/// Decrypt the entry at `path` (its header must name `id`) with the sealing `secret` into a
/// pipe, and encrypt what comes out of the pipe into `out` (new, 0600, synced) with `key`:
/// the plaintext exists only in the pipe. Both sides must agree on `size` and `sha256`.
#[allow(clippy::too_many_arguments)]
fn reseal(
    path: &std::path::Path,
    id: &[u8; 16],
    secret: &crate::crypto::seal::SecretKey,
    key: EncryptKey<'_>,
    item: ItemId,
    out: &std::path::Path,
    chunk: u32,
    size: u64,
    sha256: &str,
    progress: &Progress,
) -> Result<[u8; 32]> {
    let damaged = |why: String| Error::integrity("quarantine entry", why);
    let (mut file, header, raw) = open_entry(path, id, false)?;
    if header.plaintext_len != size {
        return Err(damaged("its header states another size".into()));
    }
    crate::vault::layout::check_free_space(out, Header::wrapped_object_len(size, chunk))?;
    let output = std::fs::OpenOptions::new()
        .write(true)
        .create_new(true)
        .mode(0o600)
        .open(out)
        .map_err(|e| Error::io(out, e))?;
    progress.add_total(size);
    let (reader, writer) = std::io::pipe().map_err(|e| Error::io("pipe", e))?;
    let (opened, sealed) = std::thread::scope(|scope| {
        let opening = scope.spawn(move || {
            let quiet = Progress::new();
            stream::decrypt(&mut file, &header, &raw, DecryptKey::Sealing(secret), writer, &quiet)
        });
        let sealed = stream::encrypt(reader, &output, key, *item.as_bytes(), chunk, size, progress);
        (opening.join(), sealed)
    });
    let opened = opened.map_err(|_| damaged("decryption stopped".into()))?;
    // When the writing side stops first (a cancel, a full disk), the reading side finds the
    // pipe closed: the entry is not to blame, and the writing side's error is the one.
    let pipe_closed =
        |e: &StreamError| matches!(e, StreamError::Write(io) if io.kind() == std::io::ErrorKind::BrokenPipe);
    let digest = match (opened, sealed) {
        (Err(e), _) if !pipe_closed(&e) => return Err(damaged(e.to_string())),
        (_, Err(StreamError::Cancelled)) => return Err(Error::Cancelled),
        (_, Err(StreamError::Write(e))) => return Err(Error::io(out, e)),
        (_, Err(e)) => return Err(damaged(e.to_string())),
        (Err(e), Ok(_)) => return Err(damaged(e.to_string())),
        (Ok(opened), Ok(sealed)) if opened == sealed => sealed,
        (Ok(_), Ok(_)) => return Err(damaged("what was read differs from what was written".into())),
    };
    if crate::encoding::hex::encode(&digest) != sha256 {
        return Err(damaged("its content does not hash as the guard recorded".into()));
    }
    output.sync_data().map_err(|e| Error::io(out, e))?;
    Ok(digest)
}
