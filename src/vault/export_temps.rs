//! Record, list and forget what exports leave outside the vault until they finish (the
//! `export_temps` table): named temps and placeholders, with their device and inode once made,
//! so the next open can remove them after a crash, and only them (DESIGN.md §3).

use rusqlite::{Connection, Transaction, params};
use std::os::unix::ffi::OsStrExt;
use std::path::{Path, PathBuf};

use crate::vault::export::Recording;
use crate::{ItemId, Result};

/// One recorded leftover.
#[derive(Clone, Debug)]
pub struct Recorded {
    /// Where it is.
    pub path: PathBuf,
    /// The item being exported.
    pub item: ItemId,
    /// A placeholder reserving the final name (otherwise a named temp).
    pub placeholder: bool,
    /// Device and inode, once the file was made.
    pub identity: Option<(u64, u64)>,
}

/// Record what `recording` says, for `item`'s export by work directory `owner`.
pub fn record(tx: &Transaction<'_>, recording: Recording<'_>, item: ItemId, owner: &str, now: &str) -> Result<()> {
    let (path, kind) = match recording {
        Recording::Temp(path) => (path, "temp"),
        Recording::Placeholder(path) => (path, "placeholder"),
        Recording::Created { path, dev, ino } => {
            tx.execute(
                "UPDATE export_temps SET dev = ?2, ino = ?3 WHERE path = ?1",
                params![bytes(path), dev as i64, ino as i64],
            )?;
            return Ok(());
        }
    };
    tx.execute(
        "INSERT INTO export_temps (path, item, owner, created_at, kind) VALUES (?1, ?2, ?3, ?4, ?5)",
        params![bytes(path), item, owner, now, kind],
    )?;
    Ok(())
}

fn bytes(path: &Path) -> Vec<u8> {
    path.as_os_str().as_bytes().to_vec()
}

/// Forget a recorded path. Returns whether it was recorded.
pub fn forget(tx: &Transaction<'_>, path: &Path) -> Result<bool> {
    let removed = tx.execute("DELETE FROM export_temps WHERE path = ?1", params![bytes(path)])?;
    Ok(removed == 1)
}

/// What `owner` recorded.
pub fn of_owner(conn: &Connection, owner: &str) -> Result<Vec<Recorded>> {
    let mut stmt = conn.prepare_cached("SELECT path, item, kind, dev, ino FROM export_temps WHERE owner = ?1")?;
    let rows = stmt.query_map(params![owner], |r| {
        Ok((
            r.get::<_, Vec<u8>>(0)?,
            r.get::<_, Vec<u8>>(1)?,
            r.get::<_, String>(2)?,
            r.get::<_, Option<i64>>(3)?,
            r.get::<_, Option<i64>>(4)?,
        ))
    })?;
    let mut out = Vec::new();
    for row in rows {
        let (path, item, kind, dev, ino) = row?;
        let Some(item) = ItemId::from_slice(&item) else {
            continue;
        };
        out.push(Recorded {
            path: PathBuf::from(std::ffi::OsStr::from_bytes(&path)),
            item,
            placeholder: kind == "placeholder",
            identity: dev.zip(ino).map(|(d, i)| (d as u64, i as u64)),
        });
    }
    Ok(out)
}

/// Owners with recorded leftovers.
pub fn owners(conn: &Connection) -> Result<Vec<String>> {
    let mut stmt = conn.prepare_cached("SELECT DISTINCT owner FROM export_temps")?;
    let rows = stmt.query_map([], |r| r.get::<_, String>(0))?;
    Ok(rows.collect::<rusqlite::Result<Vec<_>>>()?)
}
