//! Station signing-key changes (DESIGN.md §4 "Key change"). When the station signing key is
//! replaced, the ledger records a key-change note: a C2SP signed note, signed by the old and
//! by the new key, that names both keys and states where the old key's authority ends — the
//! tree size and root of the epoch's log at the change. Verifiers follow these notes from a
//! key they trust (the directory's current key on the station, the pinned key on an audit
//! machine; see `keys_in_force`) and accept a checkpoint only from the key in force at its size.
//!
//! The text, one item per line (docs/LEDGER.md §3.6):
//!
//! ```text
//! strongroom/key-change/v1
//! <origin of the epoch's log>
//! <old verifier key: name+key id hex+base64 key>
//! <new verifier key>
//! <tree size>
//! <base64 root>
//! ```
//!
//! This module owns the `signing_key_changes` table. It never stores a note that is not
//! signed by both keys, and never records a second successor for a key.

use rusqlite::{Connection, Transaction, params};

use crate::crypto::sign::SignKey;
use crate::encoding::base64;
use crate::encoding::hex;
use crate::ledger::merkle::{self, Hash};
use crate::ledger::note::{self, NoteError, Verifier};
use crate::ledger::{checkpoint, epoch};
use crate::{Error, Result};

/// The first line of every key-change note (the format and its version).
pub const FORMAT: &str = "strongroom/key-change/v1";

/// A key change as its note states it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct KeyChange {
    /// The log the change happened in: `strongroom/<station-id>` or `…/e<N>`.
    pub origin: String,
    /// The epoch of that log (0 for `strongroom/<station-id>`).
    pub epoch: u64,
    /// The key replaced.
    pub old: Verifier,
    /// The key that takes over.
    pub new: Verifier,
    /// Events of the epoch's log the old key's authority covers.
    pub tree_size: u64,
    /// Root of those events.
    pub root: Hash,
}

impl KeyChange {
    /// The signed text: six lines, each ending in `\n`.
    pub fn text(&self) -> String {
        format!(
            "{FORMAT}\n{}\n{}\n{}\n{}\n{}\n",
            self.origin,
            self.old.encode(),
            self.new.encode(),
            self.tree_size,
            base64::encode(&self.root)
        )
    }
}

/// Why a key-change note is refused.
#[derive(Debug, PartialEq, Eq, thiserror::Error)]
pub enum KeyChangeError {
    /// The text is not a key-change note of this format.
    #[error("not a key-change note: {0}")]
    Malformed(&'static str),
    /// The signed-note structure around the text is broken, or a key is malformed.
    #[error("not a key-change note: {0}")]
    Note(#[from] NoteError),
    /// A required signature is missing, misplaced or does not verify.
    #[error(
        "not signed by the {role} key {key_id}: a key-change note needs the old key's signature, then the new key's"
    )]
    Unsigned {
        /// `old` or `new`.
        role: &'static str,
        /// That key's id, hex.
        key_id: String,
    },
    /// The note replaces another key than the one the caller trusts.
    #[error("it replaces key {found}, not the expected key {expected}")]
    OtherKey {
        /// The trusted key's id, hex.
        expected: String,
        /// The id of the key the note replaces.
        found: String,
    },
}

/// The key-change note replacing `old` by `new` when the log of `epoch` held `tree_size`
/// events with root `root`. Both keys sign under the key name `strongroom/<station-id>`.
pub fn sign(
    station_id: &str,
    epoch: u64,
    old: &SignKey,
    new: &SignKey,
    tree_size: u64,
    root: &Hash,
) -> Result<String, KeyChangeError> {
    let name = checkpoint::origin(station_id);
    let change = KeyChange {
        origin: epoch::origin(station_id, epoch),
        epoch,
        old: Verifier::new(&name, old.public())?,
        new: Verifier::new(&name, new.public())?,
        tree_size,
        root: *root,
    };
    if change.old.public == change.new.public {
        return Err(KeyChangeError::Malformed("the new key is the old key"));
    }
    Ok(note::sign_many(&change.text(), &name, &[old, new])?)
}

/// Read a key-change note and check it against itself: the format, and exactly two
/// signature lines, the first by the old key it names and the second by the new one. Who
/// the keys are is for the caller to judge ([`open`] when the old key is trusted).
pub fn parse(note_text: &str) -> Result<KeyChange, KeyChangeError> {
    let (text, signatures) = note::parse(note_text)?;
    let change = parse_text(text)?;
    if signatures.len() > 2 {
        return Err(KeyChangeError::Malformed(
            "a key-change note carries exactly two signature lines",
        ));
    }
    for (index, (role, key)) in [("old", &change.old), ("new", &change.new)].into_iter().enumerate() {
        if !signatures.get(index).is_some_and(|s| s.verifies(text, key)) {
            return Err(KeyChangeError::Unsigned {
                role,
                key_id: hex::encode(&key.id),
            });
        }
    }
    Ok(change)
}

/// [`parse`] a note that must replace `old`: returns the new key, size, root and origin it
/// states, or why it is refused.
pub fn open(note_text: &str, old: &Verifier) -> Result<KeyChange, KeyChangeError> {
    let change = parse(note_text)?;
    if change.old != *old {
        return Err(KeyChangeError::OtherKey {
            expected: hex::encode(&old.id),
            found: hex::encode(&change.old.id),
        });
    }
    Ok(change)
}

fn parse_text(text: &str) -> Result<KeyChange, KeyChangeError> {
    let malformed = KeyChangeError::Malformed;
    let lines: Vec<&str> = text.strip_suffix('\n').unwrap_or(text).split('\n').collect();
    let [format, origin, old, new, size, root] = lines.as_slice() else {
        return Err(malformed("a key-change note has exactly six lines"));
    };
    if *format != FORMAT {
        return Err(malformed("the first line is not strongroom/key-change/v1"));
    }
    let key = |line: &str| -> Result<Verifier, KeyChangeError> {
        let key = Verifier::parse(line)?;
        if key.encode() != line {
            return Err(malformed("a key is not written in its one accepted form"));
        }
        Ok(key)
    };
    let (old, new) = (key(old)?, key(new)?);
    if old.name != new.name {
        return Err(malformed("the old and the new key have different names"));
    }
    if old.public == new.public {
        return Err(malformed("the new key is the old key"));
    }
    let epoch = epoch_of(origin, &old.name).ok_or(malformed(
        "the origin is not the key name's log (`<name>` or `<name>/e<N>`)",
    ))?;
    let tree_size = decimal(size).ok_or(malformed("the tree size is not a decimal number without leading zeros"))?;
    let root = base64::decode(root)
        .and_then(|r| Hash::try_from(r).ok())
        .ok_or(malformed("the root is not the base64 of 32 bytes"))?;
    Ok(KeyChange {
        origin: origin.to_string(),
        epoch,
        old,
        new,
        tree_size,
        root,
    })
}

/// The epoch of `origin` if it is `name` (0) or `name/e<N>` with N ≥ 1.
fn epoch_of(origin: &str, name: &str) -> Option<u64> {
    if origin == name {
        return Some(0);
    }
    let number = decimal(origin.strip_prefix(name)?.strip_prefix("/e")?)?;
    (number >= 1).then_some(number)
}

/// A decimal number without sign or leading zeros.
fn decimal(text: &str) -> Option<u64> {
    if text.is_empty() || (text.len() > 1 && text.starts_with('0')) || !text.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    text.parse().ok()
}

/// A stored key change. Only its note is evidence; `epoch` and `tree_size` are copies for
/// queries, checked against the note by `ledger verify`.
#[derive(Clone, Debug)]
pub struct StoredKeyChange {
    /// Row id (order of writing).
    pub id: u64,
    /// Epoch of the log the change happened in.
    pub epoch: u64,
    /// Tree size the note states.
    pub tree_size: u64,
    /// The signed note.
    pub note: String,
    /// When it was recorded.
    pub created_at: String,
}

/// Every stored key change, oldest first.
pub fn all(conn: &Connection) -> Result<Vec<StoredKeyChange>> {
    let mut stmt =
        conn.prepare_cached("SELECT id, epoch, tree_size, note, created_at FROM signing_key_changes ORDER BY id")?;
    let rows = stmt.query_map([], |r| {
        Ok(StoredKeyChange {
            id: r.get::<_, i64>(0)? as u64,
            epoch: r.get::<_, i64>(1)? as u64,
            tree_size: r.get::<_, i64>(2)? as u64,
            note: r.get(3)?,
            created_at: r.get(4)?,
        })
    })?;
    Ok(rows.collect::<rusqlite::Result<Vec<_>>>()?)
}

/// The stored changes whose notes are signed by both keys they name, oldest first (the
/// others are `ledger verify` findings and vouch for nothing).
pub(crate) fn signed(conn: &Connection) -> Result<Vec<KeyChange>> {
    Ok(all(conn)?.iter().filter_map(|row| parse(&row.note).ok()).collect())
}

/// Record that the station signing key `old` is replaced by `new`, in the caller's
/// transaction (the one that puts `new` in the signed directory).
///
/// First a checkpoint signed by `old` covers every event so far, and the note states its
/// size and root. If the log is damaged and no checkpoint may be written, the key change is
/// still recorded: the note then states the size and root signed by the newest checkpoint of
/// the current epoch that `old` signed (or, if `old` signed none in this epoch, the point
/// where it took over; else the empty log), so it never vouches for events no checkpoint
/// covered. Refused when `old` already has a successor, or when `new` was used before.
pub fn record(tx: &Transaction<'_>, station_id: &str, old: &SignKey, new: &SignKey, now: &str) -> Result<KeyChange> {
    let name = checkpoint::origin(station_id);
    let verifier = |key: &SignKey| {
        Verifier::new(&name, key.public()).map_err(|e| Error::InvalidInput(format!("station signing key: {e}")))
    };
    let (old_key, new_key) = (verifier(old)?, verifier(new)?);
    if old_key.public == new_key.public {
        return Err(Error::InvalidInput("the new station signing key is the old one".into()));
    }
    for change in signed(tx)? {
        if change.old == old_key {
            return Err(Error::integrity(
                "station signing key",
                format!(
                    "key {} was already replaced by key {} at size {} of {}; a key has one successor",
                    hex::encode(&old_key.id),
                    hex::encode(&change.new.id),
                    change.tree_size,
                    change.origin
                ),
            ));
        }
        if change.old == new_key || change.new == new_key {
            return Err(Error::InvalidInput(format!(
                "key {} signed for this station before; a new signing key must be fresh",
                hex::encode(&new_key.id)
            )));
        }
    }
    let current = epoch::current(tx)?;
    let (tree_size, root) = match checkpoint::write(tx, station_id, old, "key-change", now) {
        Ok(_) => {
            let newest = checkpoint::latest_in(tx, current.number)?
                .ok_or_else(|| Error::integrity("custody ledger", "no checkpoint was found right after writing one"))?;
            (newest.tree_size, newest.root)
        }
        // A damaged log: no checkpoint may be signed, but the key must still change.
        Err(Error::Integrity { .. } | Error::LedgerDamaged { .. }) => {
            last_signed_by(tx, station_id, &old_key, current.number)?
        }
        Err(e) => return Err(e),
    };
    let text = sign(station_id, current.number, old, new, tree_size, &root)
        .map_err(|e| Error::InvalidInput(format!("station signing key: {e}")))?;
    tx.execute(
        "INSERT INTO signing_key_changes (epoch, tree_size, note, created_at) VALUES (?1, ?2, ?3, ?4)",
        params![current.number as i64, tree_size as i64, text, now],
    )?;
    parse(&text).map_err(|e| Error::integrity("key-change note", e.to_string()))
}

/// Size and root of the newest checkpoint of `epoch` that `key` signed, else of the key
/// change in `epoch` that brought `key` in, else of the empty log.
fn last_signed_by(conn: &Connection, station_id: &str, key: &Verifier, epoch: u64) -> Result<(u64, Hash)> {
    let origin = epoch::origin(station_id, epoch);
    for cp in checkpoint::all(conn)?.iter().rev().filter(|c| c.epoch == epoch) {
        if let Some((signed_origin, size, root)) = note::open(&cp.note, key).ok().and_then(checkpoint::parse_body)
            && signed_origin == origin
        {
            return Ok((size, root));
        }
    }
    let took_over = signed(conn)?
        .into_iter()
        .rev()
        .find(|c| c.new == *key && c.epoch == epoch);
    Ok(took_over.map_or((0, merkle::empty_root()), |c| (c.tree_size, c.root)))
}

#[cfg(test)]
mod tests;
