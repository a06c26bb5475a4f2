//! An item's custody history as the ledger states it: where decisions and displays take an
//! item's level, importer, custodian, import time and status from, since anyone with the OS
//! account can edit the items table (DESIGN.md §4; issue 23 findings 4 and 5).
//!
//! The item's first `item.import` event gives the level, importer, time, category,
//! custodian, size, SHA-256 and retention date (rows appended later cannot come before it);
//! transfers, raises, reassignments, retention changes and the destruction follow
//! (`history/fold.rs` says when each counts). A lowering counts only if an admin key in
//! force at its seq signed it (`accounts::decision`), so neither SQL nor a user who holds two
//! level keys can move an item down unnoticed. A destruction ends the history. An item row that disagrees was changed outside Strongroom.

use std::collections::HashMap;

use rusqlite::{Connection, params};
use serde_json::Value;

use crate::encoding::hex;
use crate::ledger::StoredEvent;
use crate::vault::items::ItemRow;
use crate::{Error, ItemId, Level, Result, UserId};

mod fold;
use fold::apply;

/// What the ledger says of one item.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct History {
    /// Seq of its import event.
    pub import_seq: u64,
    /// Its level now: the import's, changed by each signed reclassification.
    pub level: Level,
    /// Who imported it.
    pub importer: String,
    /// When the import was recorded.
    pub imported_at: String,
    /// Its custodian.
    pub custodian: String,
    /// Its category.
    pub category: String,
    /// Its control number.
    pub control_number: String,
    /// Plaintext size in bytes.
    pub size: Option<u64>,
    /// Plaintext SHA-256 (hex).
    pub sha256: String,
    /// Whether a destruction was recorded.
    pub destroyed: bool,
    /// Which encryption of its object is current (each recorded raise adds one).
    pub object_version: u32,
    /// The date (YYYY-MM-DD) after which it should be destroyed, if one was set.
    pub retain_until: Option<String>,
    /// A transfer offered and neither accepted, declined nor overtaken (it may have expired:
    /// compare `expires_at` with the time now).
    pub offer: Option<Offer>,
    /// Its destruction, once recorded.
    pub destruction: Option<Destruction>,
}

/// A transfer of custody offered to another user.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize)]
pub struct Offer {
    /// Seq of the `custody.offer` event (what an acceptance names).
    pub seq: u64,
    /// Who offered it (the custodian or an officer).
    pub by: String,
    /// The custodian when it was offered.
    pub from: String,
    /// Who is offered custody.
    pub to: String,
    /// When it was offered.
    pub offered_at: String,
    /// When the offer lapses (RFC 3339, as event times are written).
    pub expires_at: String,
    /// The offerer's note, if any.
    pub note: Option<String>,
}

/// The record of an item's destruction, for its tombstone.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize)]
pub struct Destruction {
    /// Seq of the `item.destroy` event.
    pub seq: u64,
    /// When.
    pub at: String,
    /// Who destroyed it.
    pub by: String,
    /// The witness who signed in beside them, if any.
    pub witness: Option<String>,
    /// The officer who approved the request, if any.
    pub approved_by: Option<String>,
    /// The reason given.
    pub reason: String,
}

/// One way an item row disagrees with its history.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize)]
pub struct Difference {
    /// The column.
    pub field: &'static str,
    /// What the row says.
    pub row: String,
    /// What the history says.
    pub history: String,
}

/// Build the history from the item's events, oldest first. `vouch` says whether a
/// reclassification's signature counts (given its row seq and bytes). `None` without an
/// import event for this item.
pub fn from_events(item: ItemId, events: &[StoredEvent], vouch: &dyn Fn(u64, &[u8]) -> bool) -> Option<History> {
    let id = item.to_string();
    let mut history = None;
    for event in events {
        if let Ok(value) = serde_json::from_slice::<Value>(&event.canonical)
            && value["details"]["item"].as_str() == Some(id.as_str())
        {
            apply(&mut history, event, &value, vouch);
        }
    }
    history
}

fn level_named(name: &str) -> Option<Level> {
    Level::ALL.into_iter().find(|l| l.name() == name)
}

/// The history of every item, in one pass over the import, reclassification and
/// destruction events (for lists, which show many items).
pub fn all(conn: &Connection, vouch: &dyn Fn(u64, &[u8]) -> bool) -> Result<HashMap<ItemId, History>> {
    let mut stmt = conn.prepare(
        "SELECT seq, time, actor, action, subject, level, canonical FROM events
         WHERE seq >= 0 AND action IN (
             'item.import', 'item.reclassify', 'item.raise', 'item.destroy', 'custody.offer',
             'custody.accept', 'custody.decline', 'custody.reassign', 'custody.retention'
         ) ORDER BY seq",
    )?;
    let mut rows = stmt.query([])?;
    let mut out: HashMap<ItemId, History> = HashMap::new();
    while let Some(row) = rows.next()? {
        let event = crate::ledger::events::row_to_event(row)?;
        let Ok(value) = serde_json::from_slice::<Value>(&event.canonical) else {
            continue;
        };
        let Some(id) = value["details"]["item"]
            .as_str()
            .and_then(|t| uuid::Uuid::parse_str(t).ok())
        else {
            continue;
        };
        let mut history = out.remove(&ItemId(id));
        apply(&mut history, &event, &value, vouch);
        if let Some(history) = history {
            out.insert(ItemId(id), history);
        }
    }
    Ok(out)
}

/// The history of one item, from its events in the ledger.
pub fn of(conn: &Connection, item: ItemId, vouch: &dyn Fn(u64, &[u8]) -> bool) -> Result<Option<History>> {
    let events = crate::ledger::events::for_item(conn, item)?;
    Ok(from_events(item, &events, vouch))
}

/// The items whose history says their content has `sha256`, destroyed ones too (a copy of
/// destroyed material is still that material), the highest level first and, at one level,
/// those not destroyed first: the guard seals a copy at the first one's level and names it.
/// Found through the import events' bytes, never the items table an insider can edit.
pub fn with_sha256(conn: &Connection, sha256: &[u8; 32], vouch: &dyn Fn(u64, &[u8]) -> bool) -> Result<Vec<History>> {
    let wanted = hex::encode(sha256);
    let mut stmt = conn.prepare_cached(
        "SELECT DISTINCT item FROM events
         WHERE seq >= 0 AND action = 'item.import' AND item IS NOT NULL
           AND json_valid(CAST(canonical AS TEXT))
           AND json_extract(CAST(canonical AS TEXT), '$.details.sha256') = ?1",
    )?;
    let ids = stmt
        .query_map(params![wanted], |r| r.get::<_, ItemId>(0))?
        .collect::<rusqlite::Result<Vec<_>>>()?;
    let mut found = Vec::new();
    for id in ids {
        if let Some(history) = of(conn, id, vouch)?
            && history.sha256 == wanted
        {
            found.push(history);
        }
    }
    found.sort_by_key(|h| (std::cmp::Reverse(h.level), h.destroyed));
    Ok(found)
}

/// How `row` disagrees with `history` (`names`: user id to name).
pub fn differences(row: &ItemRow, history: &History, names: &HashMap<UserId, String>) -> Vec<Difference> {
    let name = |id: &UserId| names.get(id).cloned().unwrap_or_else(|| id.to_string());
    let mut out = Vec::new();
    let mut differ = |field, row: String, history: String| {
        if row != history {
            out.push(Difference { field, row, history });
        }
    };
    differ(
        "control_number",
        row.control.to_string(),
        history.control_number.clone(),
    );
    differ("level", row.level.name().into(), history.level.name().into());
    differ("created_by", name(&row.created_by), history.importer.clone());
    differ("custodian", name(&row.custodian), history.custodian.clone());
    differ("category", row.category.as_str().into(), history.category.clone());
    differ(
        "size",
        row.size.to_string(),
        history.size.map_or_else(|| "none".into(), |s| s.to_string()),
    );
    differ("sha256", hex::encode(&row.sha256), history.sha256.clone());
    differ(
        "object_version",
        row.object_version.to_string(),
        history.object_version.to_string(),
    );
    let status = if history.destroyed { "destroyed" } else { "active" };
    differ("status", row.status.as_str().into(), status.into());
    out
}

/// Check one active item before a command acts on it or shows it: its row must agree with
/// its history. Returns the history for display.
pub fn check(
    conn: &Connection,
    row: &ItemRow,
    names: &HashMap<UserId, String>,
    vouch: &dyn Fn(u64, &[u8]) -> bool,
) -> Result<History> {
    let refused = |detail: String| Error::integrity(format!("item {}", row.control), detail);
    let history = of(conn, row.id, vouch)?.ok_or_else(|| {
        refused("the custody ledger records no import of it; the item row was added outside Strongroom".into())
    })?;
    if let Some(first) = differences(row, &history, names).first() {
        return Err(refused(format!(
            "its row says {} {} but its custody history says {}; the item row was changed outside Strongroom",
            first.field, first.row, first.history
        )));
    }
    Ok(history)
}

/// One item whose row disagrees with its history, as `ledger verify` reports it.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize)]
pub struct ItemFinding {
    /// Control number.
    pub control_number: String,
    /// Seq of its import event (none: no import recorded).
    pub import_seq: Option<u64>,
    /// What differs.
    pub differences: Vec<Difference>,
}

/// Check every active or destroyed item row against its history, in one pass over the
/// items and one over their events (both in item order). Returns how many rows were checked
/// and the findings.
pub fn check_all(
    conn: &Connection,
    names: &HashMap<UserId, String>,
    vouch: &dyn Fn(u64, &[u8]) -> bool,
) -> Result<(u64, Vec<ItemFinding>)> {
    let rows = crate::vault::items::all_settled(conn)?;
    let mut stmt = conn.prepare(
        "SELECT item, seq, time, actor, action, subject, level, canonical FROM events
         WHERE item IS NOT NULL AND seq >= 0 ORDER BY item, seq",
    )?;
    let mut events = stmt.query(params![])?;
    let mut pending: Option<(Vec<u8>, StoredEvent)> = None;
    let mut findings = Vec::new();
    for row in &rows {
        let key = row.id.as_bytes().to_vec();
        let mut own = Vec::new();
        loop {
            if pending.is_none() {
                pending = match events.next()? {
                    Some(r) => Some((r.get(0)?, stored_event(r)?)),
                    None => None,
                };
            }
            match pending.take() {
                Some((item, event)) if item < key => drop(event),
                Some((item, event)) if item == key => own.push(event),
                other => {
                    pending = other;
                    break;
                }
            }
        }
        let finding = match from_events(row.id, &own, vouch) {
            Some(history) => {
                let differences = differences(row, &history, names);
                (!differences.is_empty()).then(|| ItemFinding {
                    control_number: row.control.to_string(),
                    import_seq: Some(history.import_seq),
                    differences,
                })
            }
            None => Some(ItemFinding {
                control_number: row.control.to_string(),
                import_seq: None,
                differences: vec![Difference {
                    field: "import",
                    row: row.status.as_str().into(),
                    history: "no import recorded".into(),
                }],
            }),
        };
        findings.extend(finding);
    }
    Ok((rows.len() as u64, findings))
}

fn stored_event(r: &rusqlite::Row<'_>) -> rusqlite::Result<StoredEvent> {
    let level: Option<i64> = r.get(6)?;
    Ok(StoredEvent {
        seq: r.get::<_, i64>(1)? as u64,
        time: r.get(2)?,
        actor: r.get(3)?,
        action: r.get(4)?,
        subject: r.get(5)?,
        level: level.and_then(|l| u8::try_from(l).ok()).and_then(Level::from_byte),
        canonical: r.get(7)?,
    })
}
