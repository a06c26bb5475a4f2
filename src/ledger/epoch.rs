//! Log epochs. After damage is found the station signs nothing more until an officer starts a
//! new epoch: a new log of the events from then on, with its own origin
//! `strongroom/<station-id>/e<N>` and the same signing key, whose first event names the last
//! good checkpoint and the first bad seq. Verifiers accept it only when told to
//! (`audit trust --epoch`).

use rusqlite::{Connection, OptionalExtension, Transaction, params};

use crate::Result;

/// An epoch and the seq of its first event.
#[derive(Clone, Copy, Debug, PartialEq, Eq, serde::Serialize)]
pub struct Epoch {
    /// Epoch number (0 for the first log).
    pub number: u64,
    /// Seq of its first event.
    pub start_seq: u64,
}

/// Every epoch, oldest first (epoch 0 at seq 0 included).
pub fn all(conn: &Connection) -> Result<Vec<Epoch>> {
    let mut out = vec![Epoch {
        number: 0,
        start_seq: 0,
    }];
    let mut stmt = conn.prepare_cached("SELECT epoch, start_seq FROM ledger_epochs ORDER BY epoch")?;
    let rows = stmt.query_map([], |r| {
        Ok(Epoch {
            number: r.get::<_, i64>(0)? as u64,
            start_seq: r.get::<_, i64>(1)? as u64,
        })
    })?;
    for row in rows {
        out.push(row?);
    }
    Ok(out)
}

/// The epoch new events belong to.
pub fn current(conn: &Connection) -> Result<Epoch> {
    let row = conn
        .query_row(
            "SELECT epoch, start_seq FROM ledger_epochs ORDER BY epoch DESC LIMIT 1",
            [],
            |r| {
                Ok(Epoch {
                    number: r.get::<_, i64>(0)? as u64,
                    start_seq: r.get::<_, i64>(1)? as u64,
                })
            },
        )
        .optional()?;
    Ok(row.unwrap_or(Epoch {
        number: 0,
        start_seq: 0,
    }))
}

/// The checkpoint origin of an epoch.
pub fn origin(station_id: &str, epoch: u64) -> String {
    let base = crate::ledger::checkpoint::origin(station_id);
    if epoch == 0 { base } else { format!("{base}/e{epoch}") }
}

/// The first unresolved damage finding (seq), if any.
pub fn unresolved_damage(conn: &Connection) -> Result<Option<u64>> {
    let seq: Option<i64> = conn
        .query_row(
            "SELECT first_bad_seq FROM ledger_damage WHERE resolved_epoch IS NULL ORDER BY id LIMIT 1",
            [],
            |r| r.get(0),
        )
        .optional()?;
    Ok(seq.map(|s| s as u64))
}

/// Record a new epoch starting at `start_seq` and mark every open finding resolved by it.
pub fn start(tx: &Transaction<'_>, number: u64, start_seq: u64, reason: &str, now: &str) -> Result<()> {
    tx.execute(
        "INSERT INTO ledger_epochs (epoch, start_seq, started_at, reason) VALUES (?1, ?2, ?3, ?4)",
        params![number as i64, start_seq as i64, now, reason],
    )?;
    tx.execute(
        "UPDATE ledger_damage SET resolved_epoch = ?1 WHERE resolved_epoch IS NULL",
        params![number as i64],
    )?;
    Ok(())
}
