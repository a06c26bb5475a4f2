//! Cleaning up after processes that died mid-import or mid-export (DESIGN.md §2): their
//! work directories, the objects and pending rows they left (each with an "import aborted"
//! event) and any named export temp they recorded (with an "export aborted" event).

use std::collections::BTreeSet;

use crate::ledger::{Action, NewEvent};
use crate::vault::export::temps;
use crate::vault::items;
use crate::vault::workdir;
use crate::{Error, Result, details};

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

    /// Remove a dead owner's objects, pending rows and recorded export temps, all decided
    /// inside one write transaction so two processes sweeping at once record each removal
    /// once.
    fn clean_owner(&mut self, owner: &str) -> Result<()> {
        let objects = self.paths.clone();
        self.write(|tx, events| {
            for row in items::pending_of(tx, owner)? {
                remove_if_present(&objects.object(row.id))?;
                if items::delete_pending(tx, row.id)? {
                    events.push(import_aborted("system", &row, "the importing process died"));
                }
            }
            for (path, item) in temps::of_owner(tx, owner)? {
                remove_if_present(&path)?;
                if temps::forget(tx, &path)? {
                    events.push(NewEvent {
                        actor: "system".into(),
                        action: Action::ItemExportAborted,
                        subject: item.to_string(),
                        level: None,
                        item: Some(item),
                        details: details! {
                            "item": item.to_string(),
                            "temp_file": path.to_string_lossy(),
                            "reason": "the exporting process died",
                        },
                    });
                }
            }
            Ok(())
        })
    }
}

fn remove_if_present(path: &std::path::Path) -> Result<()> {
    match std::fs::remove_file(path) {
        Ok(()) => Ok(()),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(()),
        Err(e) => Err(Error::io(path, e)),
    }
}
