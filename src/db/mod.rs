//! Opening the vault database: pragmas, migrations and the multi-process write rule.
//!
//! Several processes share one vault (GUI, CLI, guard): WAL mode, a 5 s busy timeout, and
//! every write in a `BEGIN IMMEDIATE` transaction (`write`). A file that is not a Strongroom
//! database is reported and never deleted or rewritten.

pub(crate) mod migrations;

use std::path::Path;
use std::time::Duration;

use rusqlite::{Connection, OpenFlags, Transaction, TransactionBehavior};

use crate::{Error, Result};

pub use migrations::SCHEMA_VERSION;

/// Open (or, with `create`, create) the database at `path` and bring its schema up to date.
/// Without `create`, a file with no Strongroom schema is refused before anything is written
/// to it.
pub fn open(path: &Path, create: bool) -> Result<Connection> {
    let mut flags = OpenFlags::SQLITE_OPEN_READ_WRITE | OpenFlags::SQLITE_OPEN_NO_MUTEX;
    if create {
        flags |= OpenFlags::SQLITE_OPEN_CREATE;
    }
    let classify = |e: rusqlite::Error| classify_open_error(path, e);
    let mut conn = Connection::open_with_flags(path, flags).map_err(classify)?;
    conn.busy_timeout(Duration::from_secs(5))?;
    // The first statement that reads the file tells a damaged or foreign file apart.
    let version: i64 = conn
        .query_row("PRAGMA user_version", [], |r| r.get(0))
        .map_err(classify)?;
    if version == 0 && !create {
        return Err(Error::CorruptDatabase {
            path: path.to_path_buf(),
            detail: "it holds no Strongroom schema".into(),
        });
    }
    conn.execute_batch(
        "PRAGMA journal_mode = WAL;
         PRAGMA foreign_keys = ON;
         PRAGMA synchronous = FULL;
         PRAGMA secure_delete = ON;
         PRAGMA temp_store = MEMORY;",
    )
    .map_err(classify)?;
    migrations::apply(&mut conn, path)?;
    Ok(conn)
}

/// A damaged or foreign file is `CorruptDatabase` (exit 6); anything else (permissions, a
/// lock held too long) stays a plain database error.
fn classify_open_error(path: &Path, error: rusqlite::Error) -> Error {
    let damaged = matches!(
        error.sqlite_error_code(),
        Some(rusqlite::ErrorCode::NotADatabase | rusqlite::ErrorCode::DatabaseCorrupt)
    );
    if damaged {
        Error::CorruptDatabase {
            path: path.to_path_buf(),
            detail: error.to_string(),
        }
    } else {
        Error::Database(error)
    }
}

/// Run `f` in a `BEGIN IMMEDIATE` transaction and commit if it succeeds.
pub fn write<T>(conn: &mut Connection, f: impl FnOnce(&Transaction<'_>) -> Result<T>) -> Result<T> {
    let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
    let out = f(&tx)?;
    tx.commit()?;
    Ok(out)
}

/// Fold freed pages out of the WAL so removed key material does not linger there.
pub fn checkpoint_truncate(conn: &Connection) -> Result<()> {
    conn.query_row("PRAGMA wal_checkpoint(TRUNCATE)", [], |_| Ok(()))?;
    Ok(())
}
