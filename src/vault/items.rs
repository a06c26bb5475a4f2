//! The items table. Only active rows are ever listed; pending rows name the work directory
//! of the process importing them, so a crash can be cleaned up.

use rusqlite::{Connection, OptionalExtension, Row, Transaction, params};

use crate::crypto::LevelKey;
use crate::crypto::wrap::{self, Purpose};
use crate::vault::Category;
use crate::{ControlNumber, Error, ItemId, Level, Result, UserId};

/// Lifecycle state of an item.
#[derive(Clone, Copy, Debug, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum ItemStatus {
    /// Being imported; invisible.
    Pending,
    /// In the vault.
    Active,
    /// Crypto-erased.
    Destroyed,
}

impl ItemStatus {
    /// Stable name.
    pub fn as_str(self) -> &'static str {
        match self {
            ItemStatus::Pending => "pending",
            ItemStatus::Active => "active",
            ItemStatus::Destroyed => "destroyed",
        }
    }
}

/// An items row, with metadata still encrypted.
#[derive(Clone, Debug)]
pub struct ItemRow {
    /// Item uuid.
    pub id: ItemId,
    /// Control number.
    pub control: ControlNumber,
    /// Classification level.
    pub level: Level,
    /// Generation of the level key that wraps the DEK and metadata.
    pub key_generation: u32,
    /// DEK wrapped under the level key.
    pub wrapped_dek: Vec<u8>,
    /// Encrypted title.
    pub title: Vec<u8>,
    /// Encrypted original file name.
    pub original_name: Vec<u8>,
    /// Encrypted notes.
    pub notes: Option<Vec<u8>>,
    /// Plaintext size in bytes.
    pub size: u64,
    /// Plaintext SHA-256.
    pub sha256: [u8; 32],
    /// Container chunk size.
    pub chunk_size: u32,
    /// Category.
    pub category: Category,
    /// Importing user.
    pub created_by: UserId,
    /// Current custodian.
    pub custodian: UserId,
    /// Status.
    pub status: ItemStatus,
    /// Import time.
    pub created_at: String,
    /// Last change.
    pub updated_at: String,
    /// Which encryption of the object is current: 0 is `<uuid>.sro`, n is `<uuid>.<n>.sro`
    /// (each raise of the level re-encrypts it under a fresh DEK).
    pub object_version: u32,
}

/// AAD of an item's DEK or metadata column: ids = item uuid (16) ‖ level (1) ‖
/// u32_be(control year) ‖ u32_be(control serial), generation = the level-key generation. The
/// control number is bound so a row whose control number is swapped with another's no longer
/// opens (an export of SR-…-000001 can never yield another item's content).
pub fn item_aad(purpose: Purpose, item: ItemId, level: Level, control: &ControlNumber, generation: u32) -> Vec<u8> {
    let year = u32::try_from(control.year).unwrap_or(0).to_be_bytes();
    wrap::aad(
        purpose,
        &[
            item.as_bytes(),
            &[level.as_byte()],
            &year,
            &control.serial.to_be_bytes(),
        ],
        generation,
    )
}

const COLUMNS: &str =
    "id, control_year, control_serial, level, key_generation, wrapped_dek, title, original_name, notes,
     size, sha256, chunk_size, category, created_by, custodian, status, created_at, updated_at, object_version";

/// Allocate the next control number of `year` (inside the import's transaction).
pub fn next_control_number(tx: &Transaction<'_>, year: i32) -> Result<ControlNumber> {
    let serial: i64 = tx.query_row(
        "INSERT INTO control_counters (year, last_serial) VALUES (?1, 1)
         ON CONFLICT (year) DO UPDATE SET last_serial = last_serial + 1
         RETURNING last_serial",
        params![year],
        |r| r.get(0),
    )?;
    let serial =
        u32::try_from(serial).map_err(|_| Error::InvalidInput(format!("control numbers of {year} are exhausted")))?;
    Ok(ControlNumber { year, serial })
}

/// Insert a pending row owned by the work directory `owner`.
pub fn insert_pending(tx: &Transaction<'_>, row: &ItemRow, owner: &str) -> Result<()> {
    tx.execute(
        &format!("INSERT INTO items ({COLUMNS}, pending_owner) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, 'pending', ?16, ?16, 0, ?17)"),
        params![
            row.id,
            row.control.year,
            row.control.serial,
            i64::from(row.level.as_byte()),
            i64::from(row.key_generation),
            row.wrapped_dek,
            row.title,
            row.original_name,
            row.notes,
            row.size as i64,
            row.sha256.to_vec(),
            i64::from(row.chunk_size),
            row.category.as_str(),
            row.created_by,
            row.custodian,
            row.created_at,
            owner
        ],
    )?;
    Ok(())
}

/// Make a pending row active.
pub fn activate(tx: &Transaction<'_>, id: ItemId) -> Result<()> {
    let changed = tx.execute(
        "UPDATE items SET status = 'active', pending_owner = NULL WHERE id = ?1 AND status = 'pending'",
        params![id],
    )?;
    if changed != 1 {
        return Err(Error::integrity(
            "items",
            format!("item {id} was not pending when its import finished"),
        ));
    }
    Ok(())
}

/// Remove a pending row (its import was abandoned). Returns whether there was one.
pub fn delete_pending(tx: &Transaction<'_>, id: ItemId) -> Result<bool> {
    let removed = tx.execute("DELETE FROM items WHERE id = ?1 AND status = 'pending'", params![id])?;
    Ok(removed == 1)
}

/// Take a pending row off its (dead) owner without removing it: the sweep found it was not
/// an unfinished import, so it stays, unlisted, for an officer to look into.
pub fn disown_pending(tx: &Transaction<'_>, id: ItemId) -> Result<()> {
    tx.execute(
        "UPDATE items SET pending_owner = NULL WHERE id = ?1 AND status = 'pending'",
        params![id],
    )?;
    Ok(())
}

/// Ids and object versions of destroyed items whose key is really erased (an empty wrapped
/// DEK): their ciphertext can no longer be opened by anyone.
pub fn destroyed_ids(conn: &Connection) -> Result<Vec<(ItemId, u32)>> {
    let mut stmt = conn.prepare_cached(
        "SELECT id, object_version FROM items WHERE status = 'destroyed' AND length(wrapped_dek) = 0",
    )?;
    let rows = stmt.query_map([], |r| Ok((r.get::<_, Vec<u8>>(0)?, r.get::<_, u32>(1)?)))?;
    let mut out = Vec::new();
    for row in rows {
        let (id, version) = row?;
        if let Some(id) = ItemId::from_slice(&id) {
            out.push((id, version));
        }
    }
    Ok(out)
}

/// Pending rows of a work directory owner.
pub fn pending_of(conn: &Connection, owner: &str) -> Result<Vec<ItemRow>> {
    let mut stmt = conn.prepare_cached(&format!(
        "SELECT {COLUMNS} FROM items WHERE status = 'pending' AND pending_owner = ?1"
    ))?;
    let rows = stmt.query_map(params![owner], read_row)?;
    collect(rows)
}

/// Owners of pending rows.
pub fn pending_owners(conn: &Connection) -> Result<Vec<String>> {
    let mut stmt = conn.prepare_cached(
        "SELECT DISTINCT pending_owner FROM items WHERE status = 'pending' AND pending_owner IS NOT NULL",
    )?;
    let rows = stmt.query_map([], |r| r.get::<_, String>(0))?;
    Ok(rows.collect::<rusqlite::Result<Vec<_>>>()?)
}

/// Every item that is not a pending import (active or destroyed), in id order (the order of
/// the events index), for checking rows against their history.
pub fn all_settled(conn: &Connection) -> Result<Vec<ItemRow>> {
    let mut stmt = conn.prepare_cached(&format!(
        "SELECT {COLUMNS} FROM items WHERE status != 'pending' ORDER BY id"
    ))?;
    let rows = stmt.query_map([], read_row)?;
    collect(rows)
}

/// Active items at or below `max_level`, by control number.
pub fn list_active(conn: &Connection, max_level: Level) -> Result<Vec<ItemRow>> {
    let mut stmt = conn.prepare_cached(&format!(
        "SELECT {COLUMNS} FROM items WHERE status = 'active' AND level <= ?1 ORDER BY control_year, control_serial"
    ))?;
    let rows = stmt.query_map(params![i64::from(max_level.as_byte())], read_row)?;
    collect(rows)
}

/// Up to `limit` active items at or below `max_level` after the control number `after` (the
/// start when none), in control-number order: one page of the list, found by the control
/// number's index however large the vault.
pub fn list_active_page(
    conn: &Connection,
    max_level: Level,
    after: Option<&ControlNumber>,
    limit: usize,
) -> Result<Vec<ItemRow>> {
    let mut stmt = conn.prepare_cached(&format!(
        "SELECT {COLUMNS} FROM items WHERE status = 'active' AND level <= ?1
         AND (control_year, control_serial) > (?2, ?3)
         ORDER BY control_year, control_serial LIMIT ?4"
    ))?;
    let (year, serial) = after.map_or((-1, -1), |c| (i64::from(c.year), i64::from(c.serial)));
    let limit = i64::try_from(limit).unwrap_or(i64::MAX);
    let rows = stmt.query_map(params![i64::from(max_level.as_byte()), year, serial, limit], read_row)?;
    collect(rows)
}

/// An item by uuid, whatever its status.
pub fn get(conn: &Connection, id: ItemId) -> Result<Option<ItemRow>> {
    let mut stmt = conn.prepare_cached(&format!("SELECT {COLUMNS} FROM items WHERE id = ?1"))?;
    Ok(stmt.query_row(params![id], read_row).optional()?)
}

/// An item by control number.
pub fn by_control(conn: &Connection, control: &ControlNumber) -> Result<Option<ItemRow>> {
    let mut stmt = conn.prepare_cached(&format!(
        "SELECT {COLUMNS} FROM items WHERE control_year = ?1 AND control_serial = ?2"
    ))?;
    Ok(stmt
        .query_row(params![control.year, control.serial], read_row)
        .optional()?)
}

fn collect(rows: impl Iterator<Item = rusqlite::Result<ItemRow>>) -> Result<Vec<ItemRow>> {
    Ok(rows.collect::<rusqlite::Result<Vec<_>>>()?)
}

fn read_row(r: &Row<'_>) -> rusqlite::Result<ItemRow> {
    let bad =
        |i: usize, what: &str| rusqlite::Error::FromSqlConversionFailure(i, rusqlite::types::Type::Blob, what.into());
    let level: i64 = r.get(3)?;
    let sha: Vec<u8> = r.get(10)?;
    let status: String = r.get(15)?;
    Ok(ItemRow {
        id: r.get(0)?,
        control: ControlNumber {
            year: r.get(1)?,
            serial: r.get(2)?,
        },
        level: u8::try_from(level)
            .ok()
            .and_then(Level::from_byte)
            .ok_or_else(|| bad(3, "level"))?,
        key_generation: r.get(4)?,
        wrapped_dek: r.get(5)?,
        title: r.get(6)?,
        original_name: r.get(7)?,
        notes: r.get(8)?,
        size: r.get::<_, i64>(9)? as u64,
        sha256: sha.try_into().map_err(|_| bad(10, "sha256"))?,
        chunk_size: r.get(11)?,
        category: Category::parse(&r.get::<_, String>(12)?),
        created_by: r.get(13)?,
        custodian: r.get(14)?,
        status: match status.as_str() {
            "pending" => ItemStatus::Pending,
            "active" => ItemStatus::Active,
            _ => ItemStatus::Destroyed,
        },
        created_at: r.get(16)?,
        updated_at: r.get(17)?,
        object_version: r.get(18)?,
    })
}

impl ItemRow {
    /// This row with its DEK and metadata moved from `old` (the level key that wraps them
    /// now) to `new` at level `to`: the one rewrap of a key rotation
    /// (same level) and of a downgrade (a lower one). The object is not touched: its DEK is
    /// unchanged. A column that does not open under `old` is refused as tampering.
    pub fn rewrapped(&self, old: &LevelKey, to: Level, new: &LevelKey) -> Result<ItemRow> {
        if self.key_generation != old.generation {
            return Err(Error::integrity(
                format!("item {}", self.control),
                "wrapped under a level key generation that is not current",
            ));
        }
        let move_one = |purpose: Purpose, blob: &[u8]| -> Result<Vec<u8>> {
            let before = item_aad(purpose, self.id, self.level, &self.control, old.generation);
            let plain = wrap::open(&old.key, &before, blob).map_err(|_| {
                Error::integrity(
                    format!("item {}", self.control),
                    format!(
                        "its {} does not decrypt; the row was changed outside Strongroom",
                        purpose.label()
                    ),
                )
            })?;
            let after = item_aad(purpose, self.id, to, &self.control, new.generation);
            Ok(wrap::seal(&new.key, &after, &plain)?)
        };
        let mut moved = self.clone();
        moved.level = to;
        moved.key_generation = new.generation;
        moved.wrapped_dek = move_one(Purpose::Dek, &self.wrapped_dek)?;
        moved.title = move_one(Purpose::MetaTitle, &self.title)?;
        moved.original_name = move_one(Purpose::MetaName, &self.original_name)?;
        moved.notes = self
            .notes
            .as_deref()
            .map(|n| move_one(Purpose::MetaNotes, n))
            .transpose()?;
        Ok(moved)
    }
}

impl ItemRow {
    /// This row raised to `to` under a fresh DEK: metadata moved from `old` to `new` (the
    /// higher level's key), `dek` (the new object's key) wrapped under `new`, and the next
    /// object version. The old DEK is not carried over: the old object dies with it.
    pub fn raised(&self, old: &LevelKey, to: Level, new: &LevelKey, dek: &crate::crypto::Key32) -> Result<ItemRow> {
        let mut moved = self.rewrapped(old, to, new)?;
        let aad = item_aad(Purpose::Dek, self.id, to, &self.control, new.generation);
        moved.wrapped_dek = wrap::seal(&new.key, &aad, dek.expose())?;
        moved.object_version = self
            .object_version
            .checked_add(1)
            .ok_or_else(|| Error::InvalidInput(format!("{} cannot be re-encrypted again", self.control)))?;
        Ok(moved)
    }
}

/// Rewrap the DEK and encrypted metadata of every item at `level` from the old level key to
/// its successor (a key rotation; the objects themselves are not re-encrypted). Destroyed
/// items hold no key material and are skipped. Returns how many rows were rewrapped.
pub fn rewrap_level(tx: &Transaction<'_>, level: Level, old: &LevelKey, new: &LevelKey) -> Result<u64> {
    let rows: Vec<ItemRow> = {
        let mut stmt = tx.prepare(&format!(
            "SELECT {COLUMNS} FROM items WHERE level = ?1 AND status != 'destroyed'"
        ))?;
        let rows = stmt.query_map(params![i64::from(level.as_byte())], read_row)?;
        collect(rows)?
    };
    for row in &rows {
        let moved = row.rewrapped(old, level, new)?;
        tx.execute(
            "UPDATE items SET key_generation = ?2, wrapped_dek = ?3, title = ?4, original_name = ?5, notes = ?6 WHERE id = ?1",
            params![
                row.id,
                i64::from(moved.key_generation),
                moved.wrapped_dek,
                moved.title,
                moved.original_name,
                moved.notes
            ],
        )?;
    }
    Ok(rows.len() as u64)
}

/// Crypto-erase an item inside the caller's transaction: its wrapped DEK and encrypted
/// metadata are overwritten (SQLite's `secure_delete` zeroes the freed pages) and it is
/// marked destroyed. Without the DEK its object can never be decrypted again.
pub fn erase(tx: &Transaction<'_>, id: ItemId, now: &str) -> Result<()> {
    let changed = tx.execute(
        "UPDATE items SET wrapped_dek = x'', title = x'', original_name = x'', notes = NULL,
                          status = 'destroyed', updated_at = ?2
         WHERE id = ?1 AND status = 'active'",
        params![id, now],
    )?;
    if changed == 0 {
        return Err(Error::NotFound(format!("active item {id}")));
    }
    Ok(())
}

/// Whether the item's row holds no key and no encrypted metadata and is marked destroyed
/// (read back before a destruction commits: what its certificate states).
pub fn is_erased(tx: &Transaction<'_>, id: ItemId) -> Result<bool> {
    let erased: Option<bool> = tx
        .query_row(
            "SELECT length(wrapped_dek) = 0 AND length(title) = 0 AND length(original_name) = 0
                    AND notes IS NULL AND status = 'destroyed' FROM items WHERE id = ?1",
            params![id],
            |r| r.get(0),
        )
        .optional()?;
    Ok(erased == Some(true))
}

/// Move an item to another level inside the caller's transaction: new level, generation,
/// rewrapped DEK and metadata and object version (made by [`ItemRow::rewrapped`] for a
/// lowering, [`ItemRow::raised`] for a raise).
///
/// `from` is the row as the caller read it: if another process changed its level, key
/// generation or object version meanwhile, nothing is written and the caller is told.
pub fn relabel(tx: &Transaction<'_>, from: &ItemRow, row: &ItemRow, now: &str) -> Result<()> {
    let changed = tx.execute(
        "UPDATE items SET level = ?2, key_generation = ?3, wrapped_dek = ?4, title = ?5, original_name = ?6,
                          notes = ?7, updated_at = ?8, object_version = ?9
         WHERE id = ?1 AND status = 'active' AND level = ?10 AND key_generation = ?11 AND object_version = ?12",
        params![
            row.id,
            i64::from(row.level.as_byte()),
            i64::from(row.key_generation),
            row.wrapped_dek,
            row.title,
            row.original_name,
            row.notes,
            now,
            i64::from(row.object_version),
            i64::from(from.level.as_byte()),
            i64::from(from.key_generation),
            i64::from(from.object_version)
        ],
    )?;
    if changed == 0 {
        return Err(Error::InvalidInput(format!(
            "{} changed while this was being done (another process acted on it); nothing was changed — look at it again",
            row.control
        )));
    }
    Ok(())
}

/// Give an item a new custodian inside the caller's transaction (an accepted offer or a
/// reassignment, whose event goes in the same transaction).
pub fn set_custodian(tx: &Transaction<'_>, id: ItemId, custodian: UserId, now: &str) -> Result<()> {
    let changed = tx.execute(
        "UPDATE items SET custodian = ?2, updated_at = ?3 WHERE id = ?1 AND status = 'active'",
        params![id, custodian, now],
    )?;
    if changed == 0 {
        return Err(Error::NotFound(format!("active item {id}")));
    }
    Ok(())
}

/// Active items held by `custodian`.
pub fn held_by(conn: &Connection, custodian: UserId) -> Result<Vec<ItemRow>> {
    let mut stmt = conn.prepare_cached(&format!(
        "SELECT {COLUMNS} FROM items WHERE custodian = ?1 AND status = 'active'
         ORDER BY control_year, control_serial"
    ))?;
    let rows = stmt.query_map(params![custodian], read_row)?;
    collect(rows)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::crypto::Key32;

    fn at(generation: u32, key: &Key32) -> LevelKey {
        LevelKey::new(generation, key.clone())
    }

    fn sealed(key: &Key32, purpose: Purpose, row: &ItemRow, plain: &[u8]) -> Vec<u8> {
        let aad = item_aad(purpose, row.id, row.level, &row.control, row.key_generation);
        wrap::seal(key, &aad, plain).unwrap()
    }

    fn opened(key: &Key32, purpose: Purpose, row: &ItemRow, blob: &[u8]) -> Option<Vec<u8>> {
        let aad = item_aad(purpose, row.id, row.level, &row.control, row.key_generation);
        wrap::open(key, &aad, blob).ok().map(|p| p.to_vec())
    }

    /// A secret row at generation 3 under `key`, with title, name and notes.
    fn row(key: &Key32) -> ItemRow {
        let mut row = ItemRow {
            id: ItemId::random().unwrap(),
            control: ControlNumber { year: 2026, serial: 7 },
            level: Level::Secret,
            key_generation: 3,
            wrapped_dek: Vec::new(),
            title: Vec::new(),
            original_name: Vec::new(),
            notes: None,
            size: 5,
            sha256: [0; 32],
            chunk_size: 65536,
            category: Category::Raster,
            created_by: UserId::random().unwrap(),
            custodian: UserId::random().unwrap(),
            status: ItemStatus::Active,
            created_at: "2026-12-06T00:00:00.000Z".into(),
            updated_at: "2026-12-06T00:00:00.000Z".into(),
            object_version: 0,
        };
        row.wrapped_dek = sealed(key, Purpose::Dek, &row, &[9; 32]);
        row.title = sealed(key, Purpose::MetaTitle, &row, b"harbour");
        row.original_name = sealed(key, Purpose::MetaName, &row, b"harbour.tif");
        row.notes = Some(sealed(key, Purpose::MetaNotes, &row, b"annex"));
        row
    }

    #[test]
    fn a_downgrade_rewrap_opens_only_at_the_new_level_and_generation() {
        let (secret, confidential) = (Key32::random().unwrap(), Key32::random().unwrap());
        let before = row(&secret);
        let after = before
            .rewrapped(&at(3, &secret), Level::Confidential, &at(1, &confidential))
            .unwrap();
        assert_eq!((after.level, after.key_generation), (Level::Confidential, 1));
        assert_eq!(
            opened(&confidential, Purpose::Dek, &after, &after.wrapped_dek).unwrap(),
            [9; 32]
        );
        assert_eq!(
            opened(&confidential, Purpose::MetaTitle, &after, &after.title).unwrap(),
            b"harbour"
        );
        assert_eq!(
            opened(&confidential, Purpose::MetaName, &after, &after.original_name).unwrap(),
            b"harbour.tif"
        );
        assert_eq!(
            opened(&confidential, Purpose::MetaNotes, &after, after.notes.as_ref().unwrap()).unwrap(),
            b"annex"
        );
        // Bound to level and generation: the old label does not open the new blob.
        assert!(opened(&confidential, Purpose::Dek, &before, &after.wrapped_dek).is_none());
        assert!(opened(&secret, Purpose::Dek, &after, &after.wrapped_dek).is_none());
    }

    #[test]
    fn a_rotation_rewrap_keeps_the_level_and_moves_the_generation() {
        let (old, new) = (Key32::random().unwrap(), Key32::random().unwrap());
        let before = row(&old);
        let after = before.rewrapped(&at(3, &old), Level::Secret, &at(4, &new)).unwrap();
        assert_eq!((after.level, after.key_generation), (Level::Secret, 4));
        assert_eq!(
            opened(&new, Purpose::MetaTitle, &after, &after.title).unwrap(),
            b"harbour"
        );
    }

    #[test]
    fn a_tampered_column_or_a_stale_generation_is_refused() {
        let (old, new) = (Key32::random().unwrap(), Key32::random().unwrap());
        let mut swapped = row(&old);
        // The title of another item copied in by SQL does not open under this row's AAD.
        swapped.title = row(&old).title;
        let error = swapped
            .rewrapped(&at(3, &old), Level::Secret, &at(4, &new))
            .unwrap_err();
        assert!(error.to_string().contains("meta/title does not decrypt"), "{error}");
        let stale = row(&old)
            .rewrapped(&at(2, &old), Level::Secret, &at(3, &new))
            .unwrap_err();
        assert!(stale.to_string().contains("not current"), "{stale}");
    }
}
