//! What an insider with the station's OS account does to the database: open it with SQLite,
//! drop the append-only triggers, and read or rewrite rows. The one copy of the trigger-
//! dropping SQL; standalone (rusqlite, serde_json and sha2 only) so the GUI's unit tests include
//! this file with `#[path]`.
#![allow(dead_code)]

use std::path::Path;

use serde_json::Value;

/// Open `strongroom.db` in `vault` with every append-only trigger dropped, as an insider
/// would before editing the custody log, checkpoints, epochs or key-change records.
pub fn unguarded(vault: &Path) -> rusqlite::Connection {
    let db = rusqlite::Connection::open(vault.join("strongroom.db")).expect("open db");
    drop_append_only_triggers(&db);
    db
}

/// Drop every `*_are_append_only_*` trigger (the schema's guards on UPDATE and DELETE).
pub fn drop_append_only_triggers(db: &rusqlite::Connection) {
    let names: Vec<String> = db
        .prepare("SELECT name FROM sqlite_master WHERE type = 'trigger' AND name LIKE '%_are_append_only_%'")
        .and_then(|mut stmt| stmt.query_map([], |r| r.get(0))?.collect())
        .expect("list triggers");
    assert!(!names.is_empty(), "the schema has append-only triggers to drop");
    for name in names {
        db.execute_batch(&format!("DROP TRIGGER \"{name}\";"))
            .expect("drop trigger");
    }
}

/// Every stored event's canonical bytes parsed as JSON, oldest first.
pub fn events(db: &rusqlite::Connection) -> Vec<Value> {
    let mut stmt = db
        .prepare("SELECT canonical FROM events ORDER BY seq")
        .expect("prepare");
    let rows = stmt.query_map([], |r| r.get::<_, Vec<u8>>(0)).expect("query");
    rows.map(|r| serde_json::from_slice(&r.expect("row")).expect("event json"))
        .collect()
}

/// Append an event as an insider would: the next seq, the newest time, canonical bytes
/// (sorted keys, no spaces) and their Merkle leaf, and no MAC (only a session can make one).
/// Returns its seq.
pub fn append_event(db: &rusqlite::Connection, actor: &str, action: &str, subject: &str, details: Value) -> i64 {
    use sha2::Digest;
    let (seq, time): (i64, String) = db
        .query_row("SELECT MAX(seq) + 1, MAX(time) FROM events", [], |r| {
            Ok((r.get(0)?, r.get(1)?))
        })
        .expect("last event");
    let event = serde_json::json!({
        "seq": seq, "time": time, "actor": actor, "action": action,
        "subject": subject, "level": null, "details": details,
    });
    let bytes = serde_json::to_vec(&event).expect("json");
    let mut leaf = sha2::Sha256::new();
    leaf.update([0u8]);
    leaf.update(&bytes);
    db.execute(
        "INSERT INTO events (seq, time, actor, action, subject, level, item, canonical, leaf)
         VALUES (?1, ?2, ?3, ?4, ?5, NULL, NULL, ?6, ?7)",
        rusqlite::params![seq, time, actor, action, subject, bytes, leaf.finalize().to_vec()],
    )
    .expect("insert event");
    seq
}

/// Store `event` (any JSON, its bytes as given) at row `row_seq`, whatever seq the bytes
/// name: what an insider does to place a row out of order or below zero.
pub fn insert_event_at(db: &rusqlite::Connection, row_seq: i64, event: &Value) {
    let bytes = serde_json::to_vec(event).expect("json");
    let text = |key: &str| event[key].as_str().unwrap_or("").to_string();
    let level: Option<i64> = event["level"].as_str().and_then(|name| {
        ["unclassified", "internal", "confidential", "secret", "top-secret"]
            .iter()
            .position(|l| *l == name)
            .map(|p| p as i64)
    });
    let item: Option<Vec<u8>> = event["details"]["item"]
        .as_str()
        .and_then(|t| uuid::Uuid::parse_str(t).ok())
        .map(|u| u.as_bytes().to_vec());
    db.execute(
        "INSERT INTO events (seq, time, actor, action, subject, level, item, canonical)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)",
        rusqlite::params![
            row_seq,
            text("time"),
            text("actor"),
            text("action"),
            text("subject"),
            level,
            item,
            bytes
        ],
    )
    .expect("insert event");
}
