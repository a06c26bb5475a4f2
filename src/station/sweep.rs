//! Cleaning up after processes that died mid-import or mid-export (DESIGN.md §2): their
//! work directories, the objects and pending rows they left (each with an "import aborted"
//! event) and any export temp or placeholder they recorded (with an "export aborted" event),
//! but only what Strongroom made (anything else is kept and reported); and the ciphertext of
//! items destroyed just before a crash.

use std::collections::BTreeSet;

use crate::ledger::events as ledger_events;
use crate::ledger::{Action, NewEvent};
use crate::vault::export_temps as temps;
use crate::vault::history;
use crate::vault::items;
use crate::vault::layout::sync_dir;
use crate::vault::leftovers::{self as files, Leftover};
use crate::vault::rewrites;
use crate::vault::workdir;
use crate::{Error, ItemId, Result, details};

use super::Station;
use super::import::import_aborted;

impl Station {
    pub(super) fn sweep_dead_processes(&mut self) -> Result<()> {
        let own = self.work.owner().to_string();
        let dead = workdir::dead_owners(&self.paths.tmp, &own)?;
        let mut owners: BTreeSet<String> = dead.iter().map(|d| d.owner.clone()).collect();
        // Owners named in the database whose lock file is gone are dead too (a live process
        // creates its lock before it writes any row).
        for owner in items::pending_owners(&self.conn)?
            .into_iter()
            .chain(temps::owners(&self.conn)?)
            .chain(rewrites::owners(&self.conn)?)
        {
            if owner != own && !self.paths.tmp.join(format!("{owner}.lock")).exists() {
                owners.insert(owner);
            }
        }
        for owner in &owners {
            self.clean_owner(owner)?;
        }
        // A directory that cannot be removed (permissions changed by hand) must not keep the
        // vault from opening; the next open tries again.
        for d in dead {
            let _ = d.remove();
        }
        Ok(())
    }

    /// Remove a dead owner's objects and pending rows (decided inside one write transaction,
    /// so two processes sweeping at once record each removal once), then its recorded export
    /// leftovers. Only what Strongroom made is removed: a pending row whose import the ledger
    /// records, or a recorded path that is no longer the file the export made, was changed
    /// outside Strongroom; it is kept and reported as a `sweep.alert`.
    fn clean_owner(&mut self, owner: &str) -> Result<()> {
        let objects = self.paths.clone();
        // Cleanup records what already happened and trusts no key: it runs even while the
        // station refuses other writes (a rolled-back directory), so open never fails on it.
        self.write_bookkeeping(|tx, events| {
            for row in items::pending_of(tx, owner)? {
                if ledger_events::for_item(tx, row.id)?
                    .iter()
                    .any(|e| e.action == Action::ItemImport.as_str())
                {
                    items::disown_pending(tx, row.id)?;
                    events.push(sweep_alert(
                        row.id,
                        details! {
                            "control_number": row.control.to_string(),
                            "kept": "its row and its object",
                            "reason": "the item is marked pending, but the ledger records its import: the row was changed outside Strongroom",
                        },
                    ));
                    continue;
                }
                remove_if_present(&objects.object(row.id))?;
                if items::delete_pending(tx, row.id)? {
                    events.push(import_aborted("system", &row, "the importing process died"));
                }
            }
            Ok(())
        })?;
        self.settle_rewrites(owner)?;
        // What exports left outside the vault lives on other media, perhaps slow or hung:
        // the file work happens outside any transaction, and each row is then forgotten once
        // (if two processes sweep at once, only one records the outcome). A medium that is
        // not there now (no parent directory) is left for a later open.
        for recorded in temps::of_owner(&self.conn, owner)? {
            if recorded.path.parent().is_some_and(|dir| !dir.is_dir()) {
                continue;
            }
            let outcome = files::remove_leftover(&recorded.path, recorded.placeholder, recorded.identity);
            self.write_bookkeeping(|tx, events| {
                if !temps::forget(tx, &recorded.path)? {
                    return Ok(());
                }
                let item = recorded.item;
                let path = recorded.path.to_string_lossy();
                match outcome {
                    Leftover::Removed | Leftover::Absent => events.push(NewEvent {
                        actor: "system".into(),
                        action: Action::ItemExportAborted,
                        subject: item.to_string(),
                        level: None,
                        item: Some(item),
                        details: details! {
                            "item": item.to_string(),
                            "temp_file": path,
                            "reason": "the exporting process died",
                        },
                    }),
                    Leftover::Kept(why) => events.push(sweep_alert(
                        item,
                        details! {
                            "path": path,
                            "kept": "the file at the recorded path",
                            "reason": format!("an export recorded this path before its process died, but {why}"),
                        },
                    )),
                }
                Ok(())
            })?;
        }
        Ok(())
    }

    /// Settle the re-encryptions a dead owner left. Of the two object versions a record
    /// names, the one the item's history names as current is kept and the other removed —
    /// only when the current one's file is there; otherwise both are kept and reported (a
    /// `sweep.alert`), never guessed at. A destroyed item's leftovers are removed (its keys
    /// are gone). Records that are no re-encryption (put there with SQL) are reported and
    /// forgotten.
    fn settle_rewrites(&mut self, owner: &str) -> Result<()> {
        let (recorded, invalid) = rewrites::of_owner(&self.conn, owner)?;
        if recorded.is_empty() && invalid == 0 {
            return Ok(());
        }
        let keys = crate::accounts::decision::AdminKeys::load(&self.conn, &self.station_id)?;
        let mut alerts = Vec::new();
        for rewrite in &recorded {
            let history = history::of(&self.conn, rewrite.item, &|seq, event| keys.vouch_for(seq, event))?;
            let versions = [rewrite.old_version, rewrite.new_version];
            let path = |v: u32| self.paths.object_version(rewrite.item, v);
            let remove: Vec<u32> = match &history {
                Some(h) if h.destroyed => versions.to_vec(),
                Some(h) if versions.contains(&h.object_version) && path(h.object_version).is_file() => {
                    versions.into_iter().filter(|v| *v != h.object_version).collect()
                }
                _ => {
                    alerts.push(sweep_alert(
                        rewrite.item,
                        details! {
                            "kept": format!("object versions {} and {}", rewrite.old_version, rewrite.new_version),
                            "reason": "a re-encryption was recorded by a process that died, but neither version it names is the one the item's history names (with its file present): changed outside Strongroom",
                        },
                    ));
                    Vec::new()
                }
            };
            for version in remove {
                remove_if_present(&path(version))?;
            }
            sync_dir(&self.paths.object_dir(rewrite.item))?;
        }
        if invalid > 0 {
            alerts.push(NewEvent {
                actor: "system".into(),
                action: Action::SweepAlert,
                subject: "station".into(),
                level: None,
                item: None,
                details: details! {
                    "kept": "every object file",
                    "reason": format!("{invalid} re-encryption record(s) of a dead process were not ones Strongroom writes (changed outside Strongroom); forgotten"),
                },
            });
        }
        self.write_bookkeeping(|tx, events| {
            rewrites::forget_owner(tx, owner)?;
            events.extend(alerts);
            Ok(())
        })
    }

    /// Remove the ciphertext of destroyed items that a crash after the destruction committed
    /// left behind (their keys are already gone) — only where the ledger records the
    /// destruction: a row marked destroyed by hand keeps its object.
    pub(super) fn sweep_destroyed_objects(&mut self) -> Result<()> {
        for (id, version) in items::destroyed_ids(&self.conn)? {
            let object = self.paths.object_version(id, version);
            if !object.exists() {
                continue;
            }
            let destroyed = ledger_events::for_item(&self.conn, id)?
                .iter()
                .any(|e| e.action == Action::ItemDestroy.as_str());
            if destroyed {
                crate::vault::layout::overwrite_and_remove(&object)?;
            }
        }
        Ok(())
    }
}

fn sweep_alert(item: ItemId, mut details: serde_json::Map<String, serde_json::Value>) -> NewEvent {
    details.insert("item".into(), serde_json::json!(item.to_string()));
    NewEvent {
        actor: "system".into(),
        action: Action::SweepAlert,
        subject: item.to_string(),
        level: None,
        item: Some(item),
        details,
    }
}

fn remove_if_present(path: &std::path::Path) -> Result<()> {
    match std::fs::remove_file(path) {
        Ok(()) => Ok(()),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(()),
        Err(e) => Err(Error::io(path, e)),
    }
}
