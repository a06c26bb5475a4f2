//! Filtered, paged reads of the events table for the custody timeline, the officers' ledger
//! browser and audit bundles. Every filter is served by an index; pages continue after the
//! last seq seen, so a page costs the same at the start and at the end of a large log.

use rusqlite::{Connection, ToSql};

use crate::ledger::StoredEvent;
use crate::{ItemId, Level, Result};

/// Which events to return; empty fields match everything.
#[derive(Clone, Debug, Default)]
pub struct EventFilter {
    /// About this item.
    pub item: Option<ItemId>,
    /// By this actor.
    pub actor: Option<String>,
    /// Of this action (`item.export`).
    pub action: Option<String>,
    /// At or after this RFC 3339 time.
    pub since: Option<String>,
    /// Before this RFC 3339 time.
    pub until: Option<String>,
    /// Only events with no level or a level at most this (the station sets it for users who
    /// are not officers).
    pub max_level: Option<Level>,
}

impl EventFilter {
    /// Whether any field is set.
    pub fn is_filtered(&self) -> bool {
        self.item.is_some()
            || self.actor.is_some()
            || self.action.is_some()
            || self.since.is_some()
            || self.until.is_some()
    }
}

/// Up to `limit` events matching `filter` with seq greater than `after` (or from the start),
/// oldest first.
pub fn query(conn: &Connection, filter: &EventFilter, after: Option<u64>, limit: u64) -> Result<Vec<StoredEvent>> {
    let mut sql =
        String::from("SELECT seq, time, actor, action, subject, level, canonical FROM events WHERE seq >= LOWER");
    let after = after.map_or(0, |a| a as i64 + 1);
    // One lower bound on seq (SQLite uses a single range constraint on the primary key).
    let mut lower = String::from("?1");
    let item = filter.item;
    let mut args: Vec<&dyn ToSql> = vec![&after];
    if let Some(item) = &item {
        args.push(item);
        sql.push_str(&format!(" AND item = ?{}", args.len()));
    }
    if let Some(actor) = &filter.actor {
        args.push(actor);
        sql.push_str(&format!(" AND actor = ?{}", args.len()));
    }
    if let Some(action) = &filter.action {
        args.push(action);
        sql.push_str(&format!(" AND action = ?{}", args.len()));
    }
    // Event times never decrease with seq (see `events::append`), so a time bound is also a
    // seq bound found through the time index, and the scan in seq order starts there (the
    // unary `+` keeps SQLite from sorting every later event by seq instead).
    if let Some(since) = &filter.since {
        args.push(since);
        let n = args.len();
        sql.push_str(&format!(" AND +time >= ?{n}"));
        lower = format!(
            "MAX(?1, COALESCE((SELECT seq FROM events WHERE time >= ?{n} ORDER BY time, seq LIMIT 1), 9223372036854775807))"
        );
    }
    if let Some(until) = &filter.until {
        args.push(until);
        let n = args.len();
        sql.push_str(&format!(
            " AND +time < ?{n} AND seq < COALESCE((SELECT seq FROM events WHERE time >= ?{n} ORDER BY time, seq LIMIT 1), 9223372036854775807)"
        ));
    }
    let max_level = filter.max_level.map(|l| i64::from(l.as_byte()));
    if let Some(max_level) = &max_level {
        args.push(max_level);
        sql.push_str(&format!(" AND (level IS NULL OR level <= ?{})", args.len()));
    }
    let limit = limit as i64;
    args.push(&limit);
    sql.push_str(&format!(" ORDER BY seq LIMIT ?{}", args.len()));
    let sql = sql.replace("LOWER", &lower);
    let mut stmt = conn.prepare_cached(&sql)?;
    let rows = stmt.query_map(args.as_slice(), super::events::row_to_event)?;
    Ok(rows.collect::<rusqlite::Result<Vec<_>>>()?)
}

#[cfg(test)]
mod tests {
    use serde_json::Map;

    use super::*;
    use crate::ledger::{Action, NewEvent, events};

    #[test]
    fn filters_and_pages() {
        let dir = tempfile::tempdir().unwrap();
        let mut conn = crate::db::open(&dir.path().join("q.db"), true).unwrap();
        let item = ItemId::random().unwrap();
        crate::db::write(&mut conn, |tx| {
            for i in 0..50u32 {
                let event = NewEvent {
                    actor: if i % 2 == 0 { "alice".into() } else { "bob".into() },
                    action: if i % 5 == 0 {
                        Action::ItemExport
                    } else {
                        Action::AuthLogin
                    },
                    subject: "s".into(),
                    level: Some(if i % 3 == 0 { Level::Secret } else { Level::Internal }),
                    item: (i % 10 == 0).then_some(item),
                    details: Map::new(),
                };
                let time = time::OffsetDateTime::from_unix_timestamp(1_800_000_000 + i64::from(i)).unwrap();
                events::append(tx, time, &event, None)?;
            }
            Ok(())
        })
        .unwrap();
        let by = |filter: EventFilter| {
            query(&conn, &filter, None, 100)
                .unwrap()
                .iter()
                .map(|e| e.seq)
                .collect::<Vec<_>>()
        };
        assert_eq!(
            by(EventFilter {
                item: Some(item),
                ..Default::default()
            }),
            vec![0, 10, 20, 30, 40]
        );
        assert_eq!(
            by(EventFilter {
                actor: Some("bob".into()),
                action: Some("item.export".into()),
                ..Default::default()
            }),
            vec![5, 15, 25, 35, 45]
        );
        assert_eq!(
            by(EventFilter {
                max_level: Some(Level::Internal),
                item: Some(item),
                ..Default::default()
            }),
            vec![10, 20, 40]
        );
        let since = crate::time::rfc3339_millis(time::OffsetDateTime::from_unix_timestamp(1_800_000_045).unwrap());
        assert_eq!(
            by(EventFilter {
                since: Some(since),
                ..Default::default()
            }),
            vec![45, 46, 47, 48, 49]
        );
        // Paging continues after the last seq seen.
        let first = query(&conn, &EventFilter::default(), None, 20).unwrap();
        let next = query(&conn, &EventFilter::default(), Some(first.last().unwrap().seq), 20).unwrap();
        assert_eq!(next.first().unwrap().seq, 20);
        assert_eq!(next.len(), 20);
    }
}
