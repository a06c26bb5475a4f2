//! The copies the guard recorded, for officers (the app's Guard screen): read from the
//! `guard.copy` and `guard.copy.alert` events, with the copy's file name unsealed where the
//! officer holds the level it was sealed to.

use crate::accounts::permissions::Permission;
use crate::ledger::{Action, events};
use crate::{Level, Result};

use super::{Access, Station};

/// One copy the guard recorded.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize)]
pub struct CopyRecord {
    /// The event's seq.
    pub seq: u64,
    /// When it was recorded.
    pub time: String,
    /// Whether the station was networked (a `guard.copy.alert`).
    pub alert: bool,
    /// The medium it came from.
    pub medium: String,
    /// The directory it landed in.
    pub destination_dir: String,
    /// Its file name, when the officer holds the level it was sealed to.
    pub name: Option<String>,
    /// The level its name (and any quarantine entry) was sealed to.
    pub sealing_level: Option<Level>,
    /// Its size.
    pub size: u64,
    /// Its SHA-256 (hex).
    pub sha256: String,
    /// The vault item with the same content, by control number.
    pub control_number: Option<String>,
    /// The quarantine entry it was sealed into.
    pub quarantine: Option<String>,
    /// Why it was not contained (networked, but left in place).
    pub not_contained: Option<String>,
}

impl Station {
    /// The newest copies the guard recorded, newest first, one per copy (of the newest
    /// `limit` copy events; officers).
    pub fn guard_copies(&self, limit: u64) -> Result<Vec<CopyRecord>> {
        let session = self.session_for(Access::Permitted(Permission::Guard, None))?;
        let clearance = session.user().clearance;
        let found = events::latest_of(&self.conn, &[Action::GuardCopy, Action::GuardCopyAlert], limit)?;
        Ok(found
            .iter()
            .filter_map(|event| {
                let value = event.json().ok()?;
                let d = &value["details"];
                let alert = event.action == Action::GuardCopyAlert.as_str();
                // While networked the guard writes both; the alert is the one that counts.
                if !alert && d["network"].as_str() != Some("air-gapped") {
                    return None;
                }
                let text = |key: &str| d[key].as_str().map(str::to_string);
                let sealing_level = d["sealing_level"].as_str().and_then(|l| l.parse::<Level>().ok());
                let generation = d["sealing_generation"].as_u64().and_then(|g| u32::try_from(g).ok());
                let name = match (sealing_level, generation, d["destination_name_sealed"].as_str()) {
                    (Some(level), Some(generation), Some(sealed)) if level <= clearance => self
                        .unseal_name(level, generation, sealed)
                        .ok()
                        .map(|n| n.to_string_lossy().into_owned()),
                    _ => None,
                };
                Some(CopyRecord {
                    seq: event.seq,
                    time: event.time.clone(),
                    alert,
                    medium: event.subject.clone(),
                    destination_dir: text("destination_dir").unwrap_or_default(),
                    name,
                    sealing_level,
                    size: d["size"].as_u64().unwrap_or(0),
                    sha256: text("sha256").unwrap_or_default(),
                    control_number: text("control_number"),
                    quarantine: text("quarantine"),
                    not_contained: text("not_contained"),
                })
            })
            .collect())
    }
}
