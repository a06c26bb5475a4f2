//! Signed checkpoints of the custody log: C2SP tlog-checkpoint bodies
//! (`<origin>\n<tree size>\n<base64 root>\n`) in signed notes by the station signing key,
//! with key name and origin `strongroom/<station-id>`. A new checkpoint extends the previous
//! one's stored frontier, so it never conflicts with an earlier checkpoint, and it refuses to
//! sign over events whose bytes no longer match the leaf recorded when they were appended.

use rusqlite::{Connection, OptionalExtension, Transaction, params};

use crate::crypto::sign::SignKey;
use crate::encoding::base64;
use crate::encoding::hex;
use crate::ledger::merkle::{self, Hash, TreeBuilder};
use crate::ledger::note;
use crate::{Error, Result};

/// Checkpoint origin (and note key name) of a station: `strongroom/<station-id>`.
pub fn origin(station_id: &str) -> String {
    format!("strongroom/{station_id}")
}

/// The checkpoint text that is signed.
pub fn body(origin: &str, size: u64, root: &Hash) -> String {
    format!("{origin}\n{size}\n{}\n", base64::encode(root))
}

/// Parse a checkpoint text into (origin, size, root).
pub fn parse_body(text: &str) -> Option<(String, u64, Hash)> {
    let mut lines = text.split('\n');
    let origin = lines.next()?.to_string();
    let size = lines.next()?;
    if size.is_empty() || (size.len() > 1 && size.starts_with('0')) || !size.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    let root: Hash = base64::decode(lines.next()?)?.try_into().ok()?;
    Some((origin, size.parse().ok()?, root))
}

/// A stored checkpoint.
#[derive(Clone, Debug, serde::Serialize)]
pub struct StoredCheckpoint {
    /// Row id (order of writing).
    pub id: u64,
    /// Log epoch.
    pub epoch: u64,
    /// Events covered.
    pub tree_size: u64,
    /// Root hash.
    #[serde(skip)]
    pub root: Hash,
    /// The signed note.
    pub note: String,
    /// Why it was written: unlock, lock, export, interval.
    pub reason: String,
    /// When.
    pub created_at: String,
    #[serde(skip)]
    frontier: Vec<u8>,
}

/// Every checkpoint, oldest first.
pub fn all(conn: &Connection) -> Result<Vec<StoredCheckpoint>> {
    let mut stmt = conn.prepare_cached(
        "SELECT id, epoch, tree_size, root, note, frontier, reason, created_at FROM checkpoints ORDER BY id",
    )?;
    let rows = stmt.query_map([], read_row)?;
    Ok(rows.collect::<rusqlite::Result<Vec<_>>>()?)
}

/// The newest checkpoint.
pub fn latest(conn: &Connection) -> Result<Option<StoredCheckpoint>> {
    let mut stmt = conn.prepare_cached(
        "SELECT id, epoch, tree_size, root, note, frontier, reason, created_at FROM checkpoints ORDER BY id DESC LIMIT 1",
    )?;
    Ok(stmt.query_row([], read_row).optional()?)
}

fn read_row(r: &rusqlite::Row<'_>) -> rusqlite::Result<StoredCheckpoint> {
    let root: Vec<u8> = r.get(3)?;
    Ok(StoredCheckpoint {
        id: r.get::<_, i64>(0)? as u64,
        epoch: r.get::<_, i64>(1)? as u64,
        tree_size: r.get::<_, i64>(2)? as u64,
        root: root.try_into().unwrap_or([0; 32]),
        note: r.get(4)?,
        frontier: r.get(5)?,
        reason: r.get(6)?,
        created_at: r.get(7)?,
    })
}

/// Record damage found by verification; from then on no checkpoint is written.
pub fn record_damage(tx: &Transaction<'_>, seq: u64, problem: &str, detail: &str, now: &str) -> Result<()> {
    tx.execute(
        "INSERT INTO ledger_damage (found_at, first_bad_seq, problem, detail) VALUES (?1, ?2, ?3, ?4)",
        params![now, seq as i64, problem, detail],
    )?;
    Ok(())
}

/// The newest checkpoint of `epoch`.
pub fn latest_in(conn: &Connection, epoch: u64) -> Result<Option<StoredCheckpoint>> {
    let mut stmt = conn.prepare_cached(
        "SELECT id, epoch, tree_size, root, note, frontier, reason, created_at FROM checkpoints WHERE epoch = ?1 ORDER BY id DESC LIMIT 1",
    )?;
    Ok(stmt.query_row(params![epoch as i64], read_row).optional()?)
}

/// Events of the current epoch not yet covered by one of its checkpoints.
pub fn uncovered(conn: &Connection) -> Result<u64> {
    let epoch = crate::ledger::epoch::current(conn)?;
    let covered = latest_in(conn, epoch.number)?.map_or(0, |c| c.tree_size);
    Ok(crate::ledger::events::count(conn)?.saturating_sub(epoch.start_seq.saturating_add(covered)))
}

/// Write a checkpoint of the current epoch covering every event so far, unless its newest
/// one already does. Returns the new tree size, or `None` if nothing new needed signing.
/// A key that a key-change note retired signs nothing.
/// The note's key name is always `strongroom/<station-id>`; the body's origin carries the
/// epoch (`…/e<N>` from epoch 1 on).
pub fn write(tx: &Transaction<'_>, station_id: &str, key: &SignKey, reason: &str, now: &str) -> Result<Option<u64>> {
    let damaged = |detail: String| Error::LedgerDamaged {
        detail: format!("{detail}; no checkpoint was written"),
        first_bad: None,
    };
    if let Some(seq) = crate::ledger::epoch::unresolved_damage(tx)? {
        return Err(Error::LedgerDamaged {
            detail: format!(
                "verification found it damaged from seq {seq}; no checkpoint is written until a security officer starts a new epoch"
            ),
            first_bad: Some(seq),
        });
    }
    let verifier =
        note::Verifier::new(&origin(station_id), key.public()).map_err(|e| Error::InvalidInput(e.to_string()))?;
    let changes = crate::ledger::key_change_note::signed(tx)?;
    if let Some(change) = changes.iter().find(|c| c.old == verifier) {
        return Err(Error::integrity(
            "station signing key",
            format!(
                "key {} was replaced by key {} at size {} of {}; a retired key signs no checkpoint — unlock again to take the current key",
                hex::encode(&verifier.id),
                hex::encode(&change.new.id),
                change.tree_size,
                change.origin
            ),
        ));
    }
    let epoch = crate::ledger::epoch::current(tx)?;
    let count = crate::ledger::events::count(tx)?.saturating_sub(epoch.start_seq);
    let last = latest_in(tx, epoch.number)?;
    let mut builder = match &last {
        Some(cp) => {
            // The row's columns are only believed as far as a note signed by this key vouches
            // for them: the checkpoint's own, or (right after a key change, when the newest
            // checkpoint is the old key's) the key-change note that this key signed.
            let log_origin = crate::ledger::epoch::origin(station_id, epoch.number);
            let signed = note::open(&cp.note, &verifier).ok().and_then(parse_body);
            let vouched = signed == Some((log_origin.clone(), cp.tree_size, cp.root))
                || changes.iter().any(|c| {
                    c.new == verifier && c.origin == log_origin && c.tree_size == cp.tree_size && c.root == cp.root
                });
            if !vouched {
                return Err(damaged(
                    "the newest checkpoint row is not what its signed note says".into(),
                ));
            }
            if cp.tree_size == count {
                return Ok(None);
            }
            if cp.tree_size > count {
                return Err(damaged(format!(
                    "the newest checkpoint covers {} events but only {count} remain",
                    cp.tree_size
                )));
            }
            TreeBuilder::from_frontier(cp.tree_size, &cp.frontier)
                .filter(|b| b.root() == cp.root)
                .ok_or_else(|| damaged("the newest checkpoint's stored frontier does not match its root".into()))?
        }
        None => TreeBuilder::new(),
    };
    let mut stmt = tx.prepare_cached("SELECT seq, canonical, leaf FROM events WHERE seq >= ?1 ORDER BY seq")?;
    let mut rows = stmt.query(params![epoch.start_seq.saturating_add(builder.size()) as i64])?;
    while let Some(row) = rows.next()? {
        let seq = row.get::<_, i64>(0)? as u64;
        let bytes: Vec<u8> = row.get(1)?;
        let stored: Option<Vec<u8>> = row.get(2)?;
        if seq != epoch.start_seq.saturating_add(builder.size()) {
            return Err(damaged(format!(
                "event {} is missing",
                epoch.start_seq.saturating_add(builder.size())
            )));
        }
        let leaf = merkle::leaf_hash(&bytes);
        if stored.is_none_or(|s| s != leaf) {
            return Err(damaged(format!(
                "event {seq} no longer matches the leaf recorded when it was appended"
            )));
        }
        builder.push(leaf);
    }
    let size = builder.size();
    let root = builder.root();
    let key_name = origin(station_id);
    let log_origin = crate::ledger::epoch::origin(station_id, epoch.number);
    let signed =
        note::sign(&body(&log_origin, size, &root), &key_name, key).map_err(|e| Error::InvalidInput(e.to_string()))?;
    tx.execute(
        "INSERT INTO checkpoints (epoch, tree_size, root, note, frontier, reason, created_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
        params![epoch.number as i64, size as i64, root.to_vec(), signed, builder.frontier(), reason, now],
    )?;
    Ok(Some(size))
}
