//! Vault material outside the vault (issue 28, item 3): a finished file in a protected
//! destination whose content is a vault item's, from no medium, is reported unless an
//! export of that content recorded the very directory it lies in — the plaintext left the
//! vault by another path (a copy of an export moved on, a decryption outside Strongroom).
//! It waits a few seconds first: an export records its destination only once its file is
//! in place. The import and export events are read as stored: a row an insider adds with
//! SQL could excuse a directory, and is named as unaccounted at the next sign-in.

use std::collections::HashSet;
use std::path::PathBuf;
use std::time::{Duration, Instant};

use super::*;

/// How long found material waits before it is judged against the recorded exports.
const MATERIAL_WAIT: Duration = Duration::from_secs(5);

/// At most this many findings wait; beyond it the oldest is judged at once.
const MAX_MATERIAL_WAITING: usize = 4096;

impl Guard {
    /// Read the vault items' sizes and hashes from the import events when there are new
    /// ones (destroyed items stay: their material found later is still theirs).
    pub(super) fn refresh_vault_content(&mut self) {
        let count: Option<i64> = self
            .conn
            .query_row("SELECT COUNT(*) FROM events WHERE action = 'item.import'", [], |r| {
                r.get(0)
            })
            .ok();
        let count = count.and_then(|c| u64::try_from(c).ok());
        if count.is_none() || count == self.vault_imports {
            return;
        }
        if let Ok(items) = vault_content(&self.conn) {
            self.matcher.set_vault_content(items);
            self.vault_imports = count;
        }
    }

    /// Hold found material until its export, if any, has had time to record itself.
    pub(super) fn material_found(&mut self, material: MaterialFound) {
        if self.material_wait.len() >= MAX_MATERIAL_WAITING {
            let (_, oldest) = self.material_wait.remove(0);
            let exported = exports(&self.conn).unwrap_or_default();
            self.judge_material(oldest, &exported);
        }
        self.material_wait.push((Instant::now(), material));
    }

    /// When the oldest waiting finding is due.
    pub(super) fn material_due(&self) -> Option<Instant> {
        self.material_wait.first().map(|(at, _)| *at + MATERIAL_WAIT)
    }

    /// Judge the findings that have waited long enough.
    pub(super) fn on_material_timer(&mut self, now: Instant) {
        let (due, waiting): (Vec<_>, Vec<_>) = std::mem::take(&mut self.material_wait)
            .into_iter()
            .partition(|(at, _)| now.saturating_duration_since(*at) >= MATERIAL_WAIT);
        self.material_wait = waiting;
        if due.is_empty() {
            return;
        }
        let exported = exports(&self.conn).unwrap_or_default();
        for (_, material) in due {
            self.judge_material(material, &exported);
        }
    }

    /// Report `material` unless an export of that very content recorded the directory it
    /// lies in (that directory itself: moved into a subdirectory, it is no longer where the
    /// export put it; and another item's export there excuses nothing).
    fn judge_material(&mut self, material: MaterialFound, exported: &HashSet<(PathBuf, [u8; 32])>) {
        if let Some(dir) = material.path.parent()
            && exported.contains(&(dir.to_path_buf(), material.sha256))
        {
            return;
        }
        // In a synced or network folder it leaves the machine: the cloud alert says so.
        if let Some(synced) = self.synced_root_of(&material.path) {
            self.cloud_material_found(&material, &synced);
            return;
        }
        // Sealed at the item's level (by its history); a failed lookup seals at the highest.
        let item = self.item_with(&material.sha256).ok().flatten();
        let level = item.as_ref().map_or(Level::TopSecret, |h| h.level);
        let net = self.net.state().clone();
        let mut details = details! {
            "size": material.size,
            "sha256": crate::encoding::hex::encode(&material.sha256),
            "destination_dir": material.path.parent().map(|p| p.to_string_lossy().into_owned()).unwrap_or_default(),
            "sealing_level": level.name(),
            "network": net.as_str(),
        };
        self.insert_sealed_name(&mut details, level, &material.path);
        let subject = match &item {
            Some(history) => {
                details.insert("control_number".into(), json!(history.control_number));
                details.insert("item_level".into(), json!(history.level.name()));
                history.control_number.clone()
            }
            None => "station".to_string(),
        };
        self.push(record::alert(GuardFinding::VaultMaterial, &subject, details));
    }
}

/// Every imported item's size and SHA-256, from the import events' bytes.
fn vault_content(conn: &Connection) -> Result<Vec<(u64, [u8; 32])>> {
    let mut stmt = conn.prepare(
        "SELECT json_extract(CAST(canonical AS TEXT), '$.details.size'),
                json_extract(CAST(canonical AS TEXT), '$.details.sha256')
         FROM events WHERE seq >= 0 AND action = 'item.import' AND json_valid(CAST(canonical AS TEXT))",
    )?;
    let rows = stmt.query_map([], |r| {
        Ok((r.get::<_, Option<i64>>(0)?, r.get::<_, Option<String>>(1)?))
    })?;
    let mut out = Vec::new();
    for row in rows {
        if let (Some(size), Some(sha)) = row?
            && let (Ok(size), Some(sha)) = (u64::try_from(size), crate::encoding::hex::decode::<32>(&sha))
        {
            out.push((size, sha));
        }
    }
    Ok(out)
}

/// What exports recorded: each destination directory with the content exported there,
/// from the export events' bytes.
fn exports(conn: &Connection) -> Result<HashSet<(PathBuf, [u8; 32])>> {
    let mut stmt = conn.prepare(
        "SELECT json_extract(CAST(canonical AS TEXT), '$.details.destination_dir'),
                json_extract(CAST(canonical AS TEXT), '$.details.sha256')
         FROM events WHERE seq >= 0 AND action = 'item.export' AND json_valid(CAST(canonical AS TEXT))",
    )?;
    let rows = stmt.query_map([], |r| {
        Ok((r.get::<_, Option<String>>(0)?, r.get::<_, Option<String>>(1)?))
    })?;
    let mut out = HashSet::new();
    for row in rows {
        if let (Some(dir), Some(sha)) = row?
            && let Some(sha) = crate::encoding::hex::decode::<32>(&sha)
        {
            out.insert((PathBuf::from(dir), sha));
        }
    }
    Ok(out)
}
