//! The `object_rewrites` table: a re-encryption of an item's object under way (a raise of
//! its level). The row is written before the new object is renamed into `objects/` and
//! removed once the old object is gone, so the open after a crash knows both versions and
//! keeps only the one the ledger names (`Station::sweep_dead_processes`).

use rusqlite::{Connection, Transaction, params};

use crate::{ItemId, Result};

/// One re-encryption under way.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Rewrite {
    /// The item.
    pub item: ItemId,
    /// The object version before.
    pub old_version: u32,
    /// The object version being written.
    pub new_version: u32,
    /// Work directory of the process doing it.
    pub owner: String,
}

/// Record a re-encryption (refused by the primary key if one is already under way).
pub fn insert(tx: &Transaction<'_>, rewrite: &Rewrite) -> Result<()> {
    tx.execute(
        "INSERT INTO object_rewrites (item, old_version, new_version, owner) VALUES (?1, ?2, ?3, ?4)",
        params![
            rewrite.item,
            i64::from(rewrite.old_version),
            i64::from(rewrite.new_version),
            rewrite.owner
        ],
    )?;
    Ok(())
}

/// Forget a finished (or undone) re-encryption. Whether a row was there.
pub fn forget(tx: &Transaction<'_>, item: ItemId) -> Result<bool> {
    Ok(tx.execute("DELETE FROM object_rewrites WHERE item = ?1", params![item])? > 0)
}

/// The re-encryptions a work directory's owner recorded, and how many of its rows are not
/// a re-encryption Strongroom could have written (an id that is no uuid, a version out of
/// range: put there with SQL), which the caller reports and forgets.
pub fn of_owner(conn: &Connection, owner: &str) -> Result<(Vec<Rewrite>, u64)> {
    let mut stmt =
        conn.prepare_cached("SELECT item, old_version, new_version, owner FROM object_rewrites WHERE owner = ?1")?;
    let rows = stmt.query_map(params![owner], |r| {
        Ok((
            r.get::<_, Vec<u8>>(0)?,
            r.get::<_, i64>(1)?,
            r.get::<_, i64>(2)?,
            r.get::<_, String>(3)?,
        ))
    })?;
    let (mut valid, mut invalid) = (Vec::new(), 0);
    for row in rows {
        let (item, old, new, owner) = row?;
        let parsed = ItemId::from_slice(&item)
            .zip(u32::try_from(old).ok())
            .zip(u32::try_from(new).ok());
        match parsed {
            Some(((item, old_version), new_version)) if new_version > old_version => valid.push(Rewrite {
                item,
                old_version,
                new_version,
                owner,
            }),
            _ => invalid += 1,
        }
    }
    Ok((valid, invalid))
}

/// Forget every re-encryption an owner recorded (after the sweep settled them).
pub fn forget_owner(tx: &Transaction<'_>, owner: &str) -> Result<u64> {
    Ok(tx.execute("DELETE FROM object_rewrites WHERE owner = ?1", params![owner])? as u64)
}

/// Every owner with a re-encryption recorded.
pub fn owners(conn: &Connection) -> Result<Vec<String>> {
    let mut stmt = conn.prepare_cached("SELECT DISTINCT owner FROM object_rewrites")?;
    let rows = stmt.query_map([], |r| r.get(0))?;
    Ok(rows.collect::<rusqlite::Result<Vec<_>>>()?)
}
