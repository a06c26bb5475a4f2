//! What the guard believes about the vault's keys: only what verifies from its root-owned
//! state (DESIGN.md §2). It follows admin key successions from the state's `AK`, verifies
//! the newest stored directory, refuses one older than the state's version (a rollback),
//! and checks that the directory still names this guard's key. It never trusts a row for
//! being in the database.

use rusqlite::Connection;

use crate::Result;
use crate::accounts::Directory;
use crate::accounts::trust::verified_directory_from;
use crate::encoding::hex;
use crate::guard::state::GuardState;

/// The guard's view of the newest stored directory.
#[derive(Debug)]
pub enum Verdict {
    /// It verifies, is at least the state's version and names this guard's key. `newer` is
    /// set when the version is higher than the state's (write it back).
    Trusted {
        /// The directory.
        directory: Box<Directory>,
        /// Whether the state must be written back with it.
        newer: bool,
    },
    /// It verifies but is older than a version this guard verified before: refused.
    RolledBack {
        /// The version stored now.
        stored: u64,
        /// The version the state holds.
        seen: u64,
    },
    /// It verifies but no longer names this guard's key: an officer disabled the guard or
    /// enabled another one.
    Retired,
    /// It does not verify from the state's admin key (forged, damaged, another vault's).
    Refused {
        /// Why, for the alert and the log.
        why: String,
    },
}

/// Judge the newest stored directory from `state`.
pub fn judge(conn: &Connection, state: &GuardState) -> Result<Verdict> {
    let admin = state.admin_key_bytes()?;
    let directory = match verified_directory_from(conn, &state.station, admin, 0) {
        Ok(directory) => directory,
        Err(crate::Error::Database(e)) => return Err(crate::Error::Database(e)),
        Err(e) => return Ok(Verdict::Refused { why: e.to_string() }),
    };
    if directory.version < state.directory_version {
        return Ok(Verdict::RolledBack {
            stored: directory.version,
            seen: state.directory_version,
        });
    }
    let names_us = directory
        .guard
        .as_ref()
        .is_some_and(|g| g.public_key == state.guard_key);
    if !names_us {
        return Ok(Verdict::Retired);
    }
    let newer = directory.version > state.directory_version;
    Ok(Verdict::Trusted {
        directory: Box::new(directory),
        newer,
    })
}

/// The state to write back after trusting `directory`: its version and the admin key that
/// signs it (after any succession).
pub fn advanced(state: &GuardState, directory: &Directory) -> Result<GuardState> {
    let mut next = state.clone();
    next.directory_version = directory.version;
    next.admin_key = hex::encode(&directory.admin_key_bytes()?);
    Ok(next)
}
