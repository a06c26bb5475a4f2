//! The `quarantine` table: one row per copy the guard sealed (schemas/0008_quarantine.sql),
//! written in the same transaction as the `guard.copy.alert` naming it. Only this module
//! writes SQL for it.

use rusqlite::{Connection, Transaction, params};
use serde::Serialize;

use crate::{Level, Result};

/// A sealed copy as recorded.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Row {
    /// The entry's id (`quarantine/<id>.sro`).
    pub id: [u8; 16],
    /// The level whose sealing key sealed it.
    pub level: Level,
    /// That key's generation.
    pub generation: u32,
    /// The copy's size.
    pub size: u64,
    /// The copy's SHA-256.
    pub sha256: [u8; 32],
    /// The medium it came from (label, UUID or mount point).
    pub medium: String,
    /// Where the copy was, in plain.
    pub destination_dir: String,
}

/// Insert `row` as held, inside the caller's transaction.
pub fn insert(tx: &Transaction<'_>, row: &Row, created_at: &str) -> Result<()> {
    tx.execute(
        "INSERT INTO quarantine (id, created_at, level, generation, size, sha256, medium, destination_dir, status)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, 'held')",
        params![
            row.id.to_vec(),
            created_at,
            i64::from(row.level.as_byte()),
            i64::from(row.generation),
            row.size as i64,
            row.sha256.to_vec(),
            row.medium,
            row.destination_dir
        ],
    )?;
    Ok(())
}

/// What became of an entry an officer settled.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Settled {
    /// Released as a vault item.
    Released,
    /// Destroyed.
    Destroyed,
}

impl Settled {
    /// Its stored name.
    pub fn as_str(self) -> &'static str {
        match self {
            Settled::Released => "released",
            Settled::Destroyed => "destroyed",
        }
    }
}

/// Mark entry `id` as `settled`, inside the caller's transaction; refused unless it is held
/// (two officers cannot both release, or release what the other destroyed).
pub fn settle(tx: &Transaction<'_>, id: &[u8; 16], settled: Settled) -> Result<()> {
    let changed = tx.execute(
        "UPDATE quarantine SET status = ?2 WHERE id = ?1 AND status = 'held'",
        params![id.to_vec(), settled.as_str()],
    )?;
    if changed != 1 {
        return Err(crate::Error::InvalidInput(format!(
            "quarantine entry {} is no longer held",
            crate::encoding::hex::encode(id)
        )));
    }
    Ok(())
}

/// A quarantine entry as listed.
#[derive(Clone, Debug, Serialize)]
pub struct Entry {
    /// Its id (hex).
    pub id: String,
    /// When it was sealed.
    pub created_at: String,
    /// The level whose sealing key sealed it.
    pub level: Level,
    /// That key's generation.
    pub generation: u32,
    /// The copy's size.
    pub size: u64,
    /// The copy's SHA-256 (hex).
    pub sha256: String,
    /// The medium it came from.
    pub medium: String,
    /// Where the copy was.
    pub destination_dir: String,
    /// held, released or destroyed.
    pub status: String,
}

/// Every entry, newest first.
pub fn list(conn: &Connection) -> Result<Vec<Entry>> {
    let mut stmt = conn.prepare(
        "SELECT id, created_at, level, generation, size, sha256, medium, destination_dir, status
         FROM quarantine ORDER BY created_at DESC, id",
    )?;
    let rows = stmt.query_map([], |r| {
        let id: Vec<u8> = r.get(0)?;
        let level: i64 = r.get(2)?;
        let sha: Vec<u8> = r.get(5)?;
        Ok(Entry {
            id: crate::encoding::hex::encode(&id),
            created_at: r.get(1)?,
            level: u8::try_from(level)
                .ok()
                .and_then(Level::from_byte)
                .unwrap_or(Level::TopSecret),
            generation: u32::try_from(r.get::<_, i64>(3)?).unwrap_or(0),
            size: u64::try_from(r.get::<_, i64>(4)?).unwrap_or(0),
            sha256: crate::encoding::hex::encode(&sha),
            medium: r.get(6)?,
            destination_dir: r.get(7)?,
            status: r.get(8)?,
        })
    })?;
    Ok(rows.collect::<rusqlite::Result<Vec<_>>>()?)
}
