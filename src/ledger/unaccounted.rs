//! Events no session wrote. Anyone with the OS account can append a row to the events
//! table, and the next checkpoint signs whatever is there. So at every sign-in, before its
//! checkpoint, the station checks the MAC of each event after the newest checkpoint
//! (`crypto::event_mac`) and records one `ledger.alert` naming those without a valid one
//! (DESIGN.md §4 "Trust model").

use rusqlite::{Connection, params};

use crate::Result;
use crate::crypto::event_mac::EventMacKey;
use crate::ledger::events::{Action, GUARD_EVENT_CONTEXT, WRITTEN_BY_THE_GUARD};
use crate::ledger::{checkpoint, epoch};

/// The actions the station writes with no session, so with no MAC: failed sign-ins and
/// lockouts, the idle lock, the cleanup at open and a directory rebuild. Nothing reads
/// them back as a decision; anyone with the OS account could have written them.
pub const WRITTEN_WITHOUT_A_SESSION: &[Action] = &[
    Action::AuthLoginFailed,
    Action::AuthLockout,
    Action::AuthIdleLock,
    Action::ItemImportAborted,
    Action::ItemExportAborted,
    Action::SweepAlert,
    Action::DirectoryRebuild,
];

/// The `details.finding` of the alert this module raises.
pub const FINDING: &str = "unaccounted_events";

/// At most this many seqs are named in one alert (the count says how many there were).
pub const NAMED_AT_MOST: usize = 100;

/// Unaccounted events found from [`first_unchecked`] on.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Unaccounted {
    /// Their seqs, oldest first, at most [`NAMED_AT_MOST`].
    pub seqs: Vec<u64>,
    /// How many there are.
    pub count: u64,
    /// The last seq checked (the next check starts after it).
    pub through: u64,
}

/// The first seq to check: the first event no checkpoint of the current epoch covers, or
/// the one after the last event an earlier finding already checked, whichever is later.
/// Only a finding this key's MAC vouches for counts, so an inserted finding hides nothing.
pub fn first_unchecked(conn: &Connection, key: &EventMacKey) -> Result<u64> {
    let current = epoch::current(conn)?;
    let covered = checkpoint::latest_in(conn, current.number)?.map_or(0, |c| c.tree_size);
    let mut first = current.start_seq.saturating_add(covered);
    let mut stmt = conn.prepare(
        "SELECT seq, canonical, mac, CAST(json_extract(canonical, '$.details.through') AS INTEGER) FROM events
         WHERE action = 'ledger.alert' AND seq >= ?1 AND json_valid(CAST(canonical AS TEXT))
         AND json_extract(canonical, '$.details.finding') = ?2",
    )?;
    let mut rows = stmt.query(params![first as i64, FINDING])?;
    while let Some(row) = rows.next()? {
        let seq: i64 = row.get(0)?;
        let canonical: Vec<u8> = row.get(1)?;
        let mac: Option<Vec<u8>> = row.get(2)?;
        let through = row.get::<_, Option<i64>>(3)?.and_then(|t| u64::try_from(t).ok());
        if let Some(through) = through
            && sealed_at(seq, &canonical, mac.as_deref(), key)
        {
            first = first.max(through.saturating_add(1));
        }
    }
    Ok(first)
}

/// Whether the event stored at `row_seq` carries a valid MAC and its bytes name that same
/// seq (a sealed row copied elsewhere, MAC and all, is not accounted for there).
fn sealed_at(row_seq: i64, canonical: &[u8], mac: Option<&[u8]>, key: &EventMacKey) -> bool {
    let names_row = serde_json::from_slice::<serde_json::Value>(canonical)
        .ok()
        .and_then(|v| v["seq"].as_i64())
        == Some(row_seq);
    names_row && mac.is_some_and(|mac| key.verifies(canonical, mac))
}

/// Whether the guard event stored at `row_seq` names that seq and carries a signature by
/// the guard key `guard`.
fn signed_by_guard_at(row_seq: i64, canonical: &[u8], signature: Option<&[u8]>, guard: Option<&[u8; 32]>) -> bool {
    let (Some(signature), Some(guard)) = (signature, guard) else {
        return false;
    };
    let names_row = serde_json::from_slice::<serde_json::Value>(canonical)
        .ok()
        .and_then(|v| v["seq"].as_i64())
        == Some(row_seq);
    names_row && crate::crypto::sign::verify(guard, GUARD_EVENT_CONTEXT, canonical, signature).is_ok()
}

/// Events from `from_seq` on whose action needs a session and whose MAC `key` does not
/// verify (or that have none), and guard events whose signature `guard` (the directory's
/// guard key, if a guard is enabled) does not verify. `None` when every one is accounted
/// for.
pub fn find(
    conn: &Connection,
    from_seq: u64,
    key: &EventMacKey,
    guard: Option<&[u8; 32]>,
) -> Result<Option<Unaccounted>> {
    let mut stmt =
        conn.prepare("SELECT seq, action, canonical, mac, guard_signature FROM events WHERE seq >= ?1 ORDER BY seq")?;
    let mut rows = stmt.query(params![from_seq as i64])?;
    let mut found = Unaccounted::default();
    while let Some(row) = rows.next()? {
        let seq = row.get::<_, i64>(0)? as u64;
        found.through = seq;
        let action: String = row.get(1)?;
        if WRITTEN_WITHOUT_A_SESSION.iter().any(|a| a.as_str() == action) {
            continue;
        }
        let canonical: Vec<u8> = row.get(2)?;
        let mac: Option<Vec<u8>> = row.get(3)?;
        if sealed_at(seq as i64, &canonical, mac.as_deref(), key) {
            continue;
        }
        let signature: Option<Vec<u8>> = row.get(4)?;
        if WRITTEN_BY_THE_GUARD.iter().any(|a| a.as_str() == action)
            && signed_by_guard_at(seq as i64, &canonical, signature.as_deref(), guard)
        {
            continue;
        }
        found.count += 1;
        if found.seqs.len() < NAMED_AT_MOST {
            found.seqs.push(seq);
        }
    }
    Ok((found.count > 0).then_some(found))
}
