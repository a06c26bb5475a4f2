//! The inventory (`strongroom inventory`, the app's Inventory view): every item row against
//! its object and its history (`custody::inventory`), and with `deep` every object the user
//! is cleared for decrypted and hashed. An officer's inventory is recorded as an
//! `inventory.audit` event with its counts.

use std::collections::{HashMap, HashSet};

use crate::accounts::Role;
use crate::accounts::decision::AdminKeys;
use crate::accounts::directory::UserStatus;
use crate::accounts::permissions::Permission;
use crate::accounts::users;
use crate::custody::inventory::{self, DeepCounts, ObjectFinding, Report};
use crate::ledger::{Action, NewEvent};
use crate::progress::Progress;
use crate::vault::history;
use crate::vault::items::{self, ItemStatus};
use crate::{Error, Result, UserId};

use super::export::{decrypt_object, row_dek};
use super::items::row_key;
use super::{Access, Station};

impl Station {
    /// Check every item row against its object and its history; with `deep`, decrypt and
    /// hash every object at or below this user's clearance. Findings about items above it
    /// are counted in the totals but not named.
    pub fn inventory(&mut self, deep: bool, progress: &Progress) -> Result<Report> {
        self.refresh_session()?;
        let session = self.session_for(Access::Permitted(Permission::View, None))?;
        let user = session.user().clone();
        let disabled: HashSet<String> = session
            .directory()
            .users
            .iter()
            .filter(|u| u.status == UserStatus::Disabled)
            .map(|u| u.name.clone())
            .collect();
        let busy = self.idle.busy();
        let _beating = progress.beating(busy.heartbeat());
        let names: HashMap<UserId, String> = users::names(&self.conn)?.into_iter().collect();
        let rows = items::all_settled(&self.conn)?;
        let mut report = inventory::check_objects(&self.paths, &rows, &names, &disabled, progress)?;
        let keys = AdminKeys::load(&self.conn, &self.station_id)?;
        let (_, findings) = history::check_all(&self.conn, &names, &|seq, event| keys.vouch_for(seq, event))?;
        report.history = findings;
        if deep {
            let bad: HashSet<String> = report
                .missing
                .iter()
                .chain(&report.mismatched)
                .map(|f| f.control_number.clone())
                .collect();
            let mut counts = DeepCounts::default();
            let active: Vec<_> = rows
                .iter()
                .filter(|r| r.status == ItemStatus::Active && !bad.contains(&r.control.to_string()))
                .collect();
            progress.add_total(
                active
                    .iter()
                    .filter(|r| r.level <= user.clearance)
                    .map(|r| r.size)
                    .sum(),
            );
            for row in active {
                if progress.is_cancelled() {
                    return Err(Error::Cancelled);
                }
                if row.level > user.clearance {
                    counts.above_clearance += 1;
                    continue;
                }
                let session = self.session_for(Access::Quietly)?;
                let opened = row_key(session, row)
                    .and_then(|key| row_dek(&key.key, row))
                    .and_then(|dek| {
                        let dest = std::path::Path::new("inventory");
                        decrypt_object(&self.paths, row, &dek, std::io::sink(), dest, progress)
                    });
                match opened {
                    Ok(()) => {
                        counts.checked += 1;
                        counts.bytes += row.size;
                    }
                    Err(Error::Cancelled) => return Err(Error::Cancelled),
                    Err(error) => report.mismatched.push(ObjectFinding {
                        control_number: row.control.to_string(),
                        level: row.level,
                        problem: error.to_string(),
                    }),
                }
            }
            report.deep = Some(counts);
        }
        // Named only within the user's clearance (a row disagreeing with its history counts
        // at the higher of the two levels).
        let levels: HashMap<String, crate::Level> = rows.iter().map(|r| (r.control.to_string(), r.level)).collect();
        report.history.retain(|f| {
            let row = levels
                .get(&f.control_number)
                .copied()
                .unwrap_or(crate::Level::TopSecret);
            let history = f
                .differences
                .iter()
                .find(|d| d.field == "level")
                .and_then(|d| crate::Level::ALL.into_iter().find(|l| l.name() == d.history));
            row.max(history.unwrap_or(row)) <= user.clearance
        });
        report.missing.retain(|f| f.level <= user.clearance);
        report.mismatched.retain(|f| f.level <= user.clearance);
        report.disabled_custodians.retain(|f| f.level <= user.clearance);
        if user.role == Role::Officer {
            let mut details = match report.counts() {
                serde_json::Value::Object(map) => map,
                _ => serde_json::Map::new(),
            };
            details.insert("deep".into(), serde_json::json!(deep));
            if let Some(counts) = &report.deep {
                details.insert("decrypted".into(), serde_json::json!(counts.checked));
            }
            let event = NewEvent {
                actor: user.name.clone(),
                action: Action::InventoryAudit,
                subject: "station".into(),
                level: None,
                item: None,
                details,
            };
            self.write(|_, events| {
                events.push(event);
                Ok(())
            })?;
        }
        Ok(report)
    }
}
