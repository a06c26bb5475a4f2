//! Failed sign-ins under names with no lockout counter to hold them (unknown users, disabled
//! or locked accounts, the recovery code). Anyone with the OS account can type names, so each
//! name's first failure in a window becomes an event at once and the rest of that window are
//! counted (the `sign_in_failures` table) and recorded as one event when the window closes:
//! the ledger does not grow by an event per try, and no failure goes uncounted.

use rusqlite::{Connection, OptionalExtension, Transaction, params};

use crate::Result;

/// Length of a counting window, in seconds.
pub const WINDOW_SECONDS: i64 = 60;

/// Longest name recorded, in bytes (escaped first: `crate::text::capped`).
pub const MAX_NAME_BYTES: usize = 64;

/// A window that closed with failures after its first, to be recorded as one event.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Closed {
    /// The name, as recorded.
    pub name: String,
    /// The reason of the window's first failure.
    pub reason: String,
    /// Failures after the first (each first one is already an event).
    pub repeated: u64,
    /// When the window opened (unix seconds).
    pub window_start: i64,
}

/// What one failure means for the ledger.
#[derive(Debug, Default)]
pub struct Noted {
    /// A window of this name that closed before this failure.
    pub closed: Option<Closed>,
    /// This failure opens a window: record it as an event now.
    pub first: bool,
    /// Failures of the name in its current window, this one included.
    pub in_window: u64,
}

/// Count a failure of `name` (already escaped and capped) at `now` (unix seconds).
pub fn note(tx: &Transaction<'_>, name: &str, reason: &str, now: i64) -> Result<Noted> {
    let open: Option<(String, i64, i64)> = tx
        .query_row(
            "SELECT reason, window_start, count FROM sign_in_failures WHERE name = ?1",
            params![name],
            |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)),
        )
        .optional()?;
    if let Some((_, start, count)) = &open
        && (0..WINDOW_SECONDS).contains(&(now - start))
    {
        tx.execute(
            "UPDATE sign_in_failures SET count = count + 1 WHERE name = ?1",
            params![name],
        )?;
        return Ok(Noted {
            in_window: u64::try_from(*count).unwrap_or(0).saturating_add(1),
            ..Noted::default()
        });
    }
    let closed = open.and_then(|(first_reason, start, count)| closed(name, first_reason, start, count));
    tx.execute(
        "INSERT INTO sign_in_failures (name, reason, window_start, count) VALUES (?1, ?2, ?3, 1)
         ON CONFLICT (name) DO UPDATE SET reason = ?2, window_start = ?3, count = 1",
        params![name, reason, now],
    )?;
    Ok(Noted {
        closed,
        first: true,
        in_window: 1,
    })
}

/// Whether any window has closed by `now` (a read, so an open need not take the write lock).
pub fn any_expired(conn: &Connection, now: i64) -> Result<bool> {
    let n: i64 = conn.query_row(
        "SELECT COUNT(*) FROM sign_in_failures WHERE window_start <= ?1 OR window_start > ?2",
        params![now - WINDOW_SECONDS, now],
        |r| r.get(0),
    )?;
    Ok(n > 0)
}

/// Close every window over by `now`: remove them, returning those with failures to record.
/// (A window starting in the future — a clock set back — counts as over.)
pub fn close_expired(tx: &Transaction<'_>, now: i64) -> Result<Vec<Closed>> {
    let mut stmt = tx.prepare(
        "SELECT name, reason, window_start, count FROM sign_in_failures
         WHERE window_start <= ?1 OR window_start > ?2 ORDER BY window_start, name",
    )?;
    let rows = stmt.query_map(params![now - WINDOW_SECONDS, now], |r| {
        Ok((
            r.get::<_, String>(0)?,
            r.get::<_, String>(1)?,
            r.get::<_, i64>(2)?,
            r.get::<_, i64>(3)?,
        ))
    })?;
    let over = rows.collect::<rusqlite::Result<Vec<_>>>()?;
    let mut out = Vec::new();
    for (name, reason, start, count) in over {
        tx.execute("DELETE FROM sign_in_failures WHERE name = ?1", params![name])?;
        out.extend(closed(&name, reason, start, count));
    }
    Ok(out)
}

fn closed(name: &str, reason: String, window_start: i64, count: i64) -> Option<Closed> {
    (count > 1).then(|| Closed {
        name: name.to_string(),
        reason,
        repeated: (count - 1) as u64,
        window_start,
    })
}
