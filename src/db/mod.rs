//! Opening the vault database: pragmas, migrations and the multi-process write rule.
//!
//! Several processes share one vault (GUI, CLI, guard): WAL mode, a 5 s busy timeout, and
//! every write in a `BEGIN IMMEDIATE` transaction (`write`). A file that is not a Strongroom
//! database is reported and never deleted or rewritten.

mod migrations;

use std::path::Path;
use std::time::Duration;

use rusqlite::{Connection, OpenFlags, Transaction, TransactionBehavior};

use crate::{Error, Result};

pub use migrations::SCHEMA_VERSION;

/// Open (or, with `create`, create) the database at `path` and bring its schema up to date.
pub fn open(path: &Path, create: bool) -> Result<Connection> {
    let mut flags = OpenFlags::SQLITE_OPEN_READ_WRITE | OpenFlags::SQLITE_OPEN_NO_MUTEX;
    if create {
        flags |= OpenFlags::SQLITE_OPEN_CREATE;
    }
    let corrupt = |e: rusqlite::Error| Error::CorruptDatabase {
        path: path.to_path_buf(),
        detail: e.to_string(),
    };
    let mut conn = Connection::open_with_flags(path, flags).map_err(corrupt)?;
    conn.busy_timeout(Duration::from_secs(5))?;
    // The first statement that reads the file tells a damaged or foreign file apart.
    conn.query_row("PRAGMA schema_version", [], |r| r.get::<_, i64>(0))
        .map_err(corrupt)?;
    conn.execute_batch(
        "PRAGMA journal_mode = WAL;
         PRAGMA foreign_keys = ON;
         PRAGMA synchronous = FULL;
         PRAGMA secure_delete = ON;
         PRAGMA temp_store = MEMORY;",
    )
    .map_err(corrupt)?;
    migrations::apply(&mut conn, path)?;
    Ok(conn)
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
