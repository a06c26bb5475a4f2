//! Numbered SQL migrations from `schemas/`, embedded in the binary, applied in one
//! transaction and tracked with `user_version`. A newer schema is refused.

use std::path::Path;

use rusqlite::{Connection, TransactionBehavior};

use crate::{Error, Result};

/// Migrations in order; the schema version after applying the first N is N.
const MIGRATIONS: &[(&str, &str)] = &[
    ("0001_vault_core", include_str!("../../schemas/0001_vault_core.sql")),
    ("0002_checkpoints", include_str!("../../schemas/0002_checkpoints.sql")),
    ("0003_accounts", include_str!("../../schemas/0003_accounts.sql")),
    (
        "0004_export_leftovers",
        include_str!("../../schemas/0004_export_leftovers.sql"),
    ),
    (
        "0005_sign_in_failures",
        include_str!("../../schemas/0005_sign_in_failures.sql"),
    ),
    ("0006_event_macs", include_str!("../../schemas/0006_event_macs.sql")),
    (
        "0007_guard_signatures",
        include_str!("../../schemas/0007_guard_signatures.sql"),
    ),
    ("0008_quarantine", include_str!("../../schemas/0008_quarantine.sql")),
    ("0009_custody", include_str!("../../schemas/0009_custody.sql")),
    ("0010_certificates", include_str!("../../schemas/0010_certificates.sql")),
];

/// The schema version this build writes.
pub const SCHEMA_VERSION: i64 = MIGRATIONS.len() as i64;

/// Bring the schema up to [`SCHEMA_VERSION`].
pub fn apply(conn: &mut Connection, path: &Path) -> Result<()> {
    let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
    let found: i64 = tx.query_row("PRAGMA user_version", [], |r| r.get(0))?;
    if found > SCHEMA_VERSION {
        return Err(Error::SchemaTooNew {
            found,
            supported: SCHEMA_VERSION,
        });
    }
    if found < 0 {
        return Err(Error::CorruptDatabase {
            path: path.to_path_buf(),
            detail: format!("negative schema version {found}"),
        });
    }
    for (number, (name, sql)) in MIGRATIONS.iter().enumerate().skip(found as usize) {
        tx.execute_batch(sql).map_err(|e| Error::CorruptDatabase {
            path: path.to_path_buf(),
            detail: format!("migration {name} failed: {e}"),
        })?;
        tx.pragma_update(None, "user_version", number as i64 + 1)?;
    }
    tx.commit()?;
    Ok(())
}
