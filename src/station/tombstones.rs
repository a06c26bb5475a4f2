//! Tombstones: a destroyed item stays findable. Its title, name, notes and key are gone, so
//! it is named by control number, with what the ledger records of it: level, category,
//! size, SHA-256, dates, its last custodian, and who destroyed and who witnessed it.

use crate::accounts::permissions::Permission;
use crate::vault::history::History;
use crate::vault::items;
use crate::{ControlNumber, Error, ItemId, Level, Result};

use super::{Access, Station};

/// What remains of a destroyed item.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize)]
pub struct Tombstone {
    /// Item uuid.
    pub item: String,
    /// Control number.
    pub control_number: String,
    /// Level when destroyed.
    pub level: Level,
    /// Category.
    pub category: String,
    /// Plaintext size in bytes.
    pub size: Option<u64>,
    /// Plaintext SHA-256 (hex).
    pub sha256: String,
    /// Who imported it.
    pub imported_by: String,
    /// When.
    pub imported_at: String,
    /// Its custodian when destroyed.
    pub custodian: String,
    /// When it was destroyed.
    pub destroyed_at: String,
    /// Who destroyed it.
    pub destroyed_by: String,
    /// The witness, if one signed in.
    pub witness: Option<String>,
    /// The approving officer, if a request was approved.
    pub approved_by: Option<String>,
    /// The reason given.
    pub reason: String,
    /// Seq of the destruction event.
    pub seq: u64,
}

fn tombstone(id: ItemId, history: &History) -> Option<Tombstone> {
    let destruction = history.destruction.as_ref()?;
    Some(Tombstone {
        item: id.to_string(),
        control_number: history.control_number.clone(),
        level: history.level,
        category: history.category.clone(),
        size: history.size,
        sha256: history.sha256.clone(),
        imported_by: history.importer.clone(),
        imported_at: history.imported_at.clone(),
        custodian: history.custodian.clone(),
        destroyed_at: destruction.at.clone(),
        destroyed_by: destruction.by.clone(),
        witness: destruction.witness.clone(),
        approved_by: destruction.approved_by.clone(),
        reason: destruction.reason.clone(),
        seq: destruction.seq,
    })
}

impl Station {
    /// Every destroyed item at or below this user's clearance, by control number: what the
    /// ledger records of each (a row marked destroyed with no recorded destruction is not
    /// one, and a destroyed item's row set back to active still is).
    pub fn tombstones(&self) -> Result<Vec<Tombstone>> {
        let clearance = self
            .session_for(Access::Permitted(Permission::View, None))?
            .user()
            .clearance;
        // From the histories, not the status column an insider can set back to active.
        let mut out: Vec<Tombstone> = self
            .histories()?
            .iter()
            .filter_map(|(id, history)| tombstone(*id, history))
            .filter(|t| t.level <= clearance)
            .collect();
        out.sort_by(|a, b| {
            let key = |t: &Tombstone| ControlNumber::parse(&t.control_number).map(|c| (c.year, c.serial));
            key(a).cmp(&key(b))
        });
        Ok(out)
    }

    /// The tombstone of one destroyed item, by control number or uuid.
    pub fn tombstone(&self, reference: &str) -> Result<Tombstone> {
        let clearance = self
            .session_for(Access::Permitted(Permission::View, None))?
            .user()
            .clearance;
        let row = if let Some(control) = ControlNumber::parse(reference) {
            items::by_control(&self.conn, &control)?
        } else if let Ok(uuid) = uuid::Uuid::parse_str(reference.trim()) {
            items::get(&self.conn, ItemId(uuid))?
        } else {
            None
        };
        let not_found = || Error::NotFound(format!("item {reference}"));
        let row = row.ok_or_else(not_found)?;
        let keys = crate::accounts::decision::AdminKeys::load(&self.conn, &self.station_id)?;
        let history = crate::vault::history::of(&self.conn, row.id, &|seq, event| keys.vouch_for(seq, event))?
            .ok_or_else(not_found)?;
        tombstone(row.id, &history)
            .filter(|t| t.level <= clearance)
            .ok_or_else(not_found)
    }
}
