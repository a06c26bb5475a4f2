//! A quarantine entry as the station may trust it. The row is only an index anyone with
//! the OS account can edit: its level, size and hash must agree with the guard's
//! `guard.copy.alert` that recorded the entry (an event an insider cannot rewrite without
//! the ledger and the sign-in's guard-signature check naming it). The entry's file is opened
//! without following links or blocking on a FIFO, must be a regular file with one name,
//! and its header must name the entry, before anything reads or erases it.

use std::fs::{File, OpenOptions};
use std::io::Read;
use std::os::unix::fs::{FileExt, MetadataExt, OpenOptionsExt};
use std::path::Path;

use crate::accounts::permissions::Permission;
use crate::crypto::stream::Header;
use crate::guard::quarantine::entry_path;
use crate::guard::quarantine_table::{self, Entry};
use crate::ledger::{Action, events};
use crate::{Error, Level, Result};

use super::{Access, Station};

/// Longest header read before the content (a sealed header is 113 bytes).
const HEADER_MAX: u64 = 4096;

impl Station {
    /// Entry `id` (hex) as recorded, checked against the alert that recorded it, for an
    /// officer holding its level.
    pub(super) fn recorded_entry(&self, id: &str) -> Result<(Entry, [u8; 16])> {
        self.session_for(Access::Permitted(Permission::Guard, None))?;
        let entry = quarantine_table::list(&self.conn)?
            .into_iter()
            .find(|e| e.id == id)
            .ok_or_else(|| Error::InvalidInput(format!("no quarantine entry {id}")))?;
        let bytes = crate::encoding::hex::decode::<16>(&entry.id)
            .ok_or_else(|| Error::integrity("quarantine", "an entry id is not 16 bytes"))?;
        let changed = |why: &str| {
            Error::integrity(
                format!("quarantine entry {id}"),
                format!("{why}; the quarantine table was changed outside Strongroom"),
            )
        };
        let alert =
            events::quarantine_alert(&self.conn, &entry.id)?.ok_or_else(|| changed("no guard alert records it"))?;
        let value = alert.json()?;
        let d = &value["details"];
        let level = d["sealing_level"].as_str().and_then(|l| l.parse::<Level>().ok());
        let agrees = level == Some(entry.level)
            && d["size"].as_u64() == Some(entry.size)
            && d["sha256"].as_str() == Some(entry.sha256.as_str());
        if !agrees {
            return Err(changed(&format!(
                "its row disagrees with the guard's alert #{} that recorded it",
                alert.seq
            )));
        }
        self.session_for(Access::Permitted(Permission::Guard, Some(entry.level)))?;
        Ok((entry, bytes))
    }

    /// [`Station::recorded_entry`], refused unless it is still held.
    pub(super) fn held_entry(&self, id: &str) -> Result<(Entry, [u8; 16])> {
        let (entry, bytes) = self.recorded_entry(id)?;
        if entry.status != "held" {
            return Err(Error::InvalidInput(format!(
                "quarantine entry {id} was already {}",
                entry.status
            )));
        }
        Ok((entry, bytes))
    }

    /// At open: erase the files of entries an officer settled whose removal a crash cut
    /// short. Only where the ledger records that settlement: a status changed with SQL
    /// erases nothing.
    pub(super) fn sweep_settled_entries(&mut self) -> Result<()> {
        for entry in quarantine_table::list(&self.conn)?
            .into_iter()
            .filter(|e| e.status != "held")
        {
            let Some(bytes) = crate::encoding::hex::decode::<16>(&entry.id) else {
                continue;
            };
            let path = entry_path(&self.paths.quarantine, &bytes);
            if !path.exists() {
                continue;
            }
            let action = if entry.status == "released" {
                Action::QuarantineRelease
            } else {
                Action::QuarantineDestroy
            };
            if events::first_with_detail(&self.conn, action, "entry", &entry.id)?.is_some() {
                // A file that is not the entry is left alone; the next open tries again.
                let _ = remove_entry(&path, &bytes, &self.paths.quarantine);
            }
        }
        Ok(())
    }
}

/// Open entry `id`'s file at `path` for reading (or also writing) without following a link
/// or blocking on a FIFO; it must be a regular file with one name whose header names `id`.
/// Returns the file positioned after the header, the header and its bytes.
pub(super) fn open_entry(path: &Path, id: &[u8; 16], write: bool) -> Result<(File, Header, Vec<u8>)> {
    let damaged = |why: String| Error::integrity(format!("quarantine entry {}", path.display()), why);
    let mut file = OpenOptions::new()
        .read(true)
        .write(write)
        .custom_flags(libc::O_NOFOLLOW | libc::O_NONBLOCK)
        .open(path)
        .map_err(|e| Error::io(path, e))?;
    let meta = file.metadata().map_err(|e| Error::io(path, e))?;
    if !meta.file_type().is_file() || meta.nlink() != 1 {
        return Err(damaged("it is not a regular file with one name".into()));
    }
    let (header, raw) = Header::read(&mut (&mut file).take(HEADER_MAX)).map_err(|e| damaged(e.to_string()))?;
    if header.item != *id {
        return Err(damaged("its header names another entry".into()));
    }
    Ok((file, header, raw))
}

/// Erase a settled entry: its header (which holds the sealed content key) overwritten with
/// zeros and synced, then the file removed and the removal made durable. Only the very
/// entry: a file whose header names another is refused.
pub(super) fn remove_entry(path: &Path, id: &[u8; 16], dir: &Path) -> Result<()> {
    let (file, _, raw) = match open_entry(path, id, true) {
        Ok(opened) => opened,
        Err(Error::Io { source, .. }) if source.kind() == std::io::ErrorKind::NotFound => return Ok(()),
        Err(e) => return Err(e),
    };
    file.write_all_at(&vec![0u8; raw.len()], 0)
        .map_err(|e| Error::io(path, e))?;
    file.sync_data().map_err(|e| Error::io(path, e))?;
    std::fs::remove_file(path).map_err(|e| Error::io(path, e))?;
    crate::vault::layout::sync_dir(dir)
}
