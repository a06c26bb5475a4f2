//! A stored certificate against the ledger: every event it names must be the destruction it
//! describes (action, control number or medium, size, hash, level, who, the witness or
//! approver, why, and the certificate's number in the event), and its checkpoint must be one the station stored. A row edited with
//! SQL, or one inserted for a destruction that never happened, fails here.

use rusqlite::{Connection, OptionalExtension, params};
use serde_json::Value;

use crate::Result;
use crate::encoding::base64;
use crate::ledger::checkpoint;

use super::Certificate;

/// Whether `event` (an event's canonical JSON) is the destruction `certificate` lists at
/// `seq`: the action, the item or medium, its level, size and hash, the time and the
/// certificate's number all agree. Used on the station and, against a bundle, off it.
pub fn event_matches(certificate: &Certificate, seq: u64, event: &Value) -> bool {
    let details = &event["details"];
    let validator = certificate.validated_by.as_ref().map(|p| p.name.as_str());
    let second = details["witness"].as_str().or(details["approved_by"].as_str());
    if event["seq"] != seq
        || event["time"] != certificate.destroyed_at.as_str()
        || event["actor"] != certificate.performed_by.name.as_str()
        || details["certificate"] != certificate.number.as_str()
        || details["reason"] != certificate.reason.as_str()
        || second != validator
    {
        return false;
    }
    if let Some(item) = certificate.items.iter().find(|i| i.seq == seq) {
        return event["action"] == "item.destroy"
            && event["subject"] == item.control_number.as_str()
            && event["level"] == item.level.name()
            && details["control_number"] == item.control_number.as_str()
            && details["sha256"] == item.sha256.as_str()
            && details["size"] == item.size;
    }
    certificate.medium.as_ref().is_some_and(|medium| {
        medium.seq == seq && event["action"] == "media.destroy" && details["medium"] == medium.medium.as_str()
    })
}

/// The first way `certificate` disagrees with the ledger, or `None` when it agrees.
pub fn disagreement(conn: &Connection, certificate: &Certificate) -> Result<Option<String>> {
    for seq in certificate.seqs() {
        let matches = event_at(conn, seq)?.is_some_and(|event| event_matches(certificate, seq, &event));
        if !matches {
            return Ok(Some(format!(
                "event {seq} is not the destruction the certificate lists there"
            )));
        }
    }
    let ledger = &certificate.ledger;
    let stored: Vec<(String, Vec<u8>)> = {
        let mut stmt = conn.prepare_cached("SELECT note, root FROM checkpoints WHERE tree_size = ?1")?;
        stmt.query_map(
            params![i64::try_from(ledger.checkpoint_size).unwrap_or(i64::MAX)],
            |r| Ok((r.get(0)?, r.get(1)?)),
        )?
        .collect::<rusqlite::Result<_>>()?
    };
    let found = stored.iter().any(|(note, root)| {
        base64::encode(root) == ledger.checkpoint_root
            && crate::ledger::note::parse(note)
                .ok()
                .and_then(|(text, _)| checkpoint::parse_body(text))
                .is_some_and(|(origin, size, _)| origin == ledger.origin && size == ledger.checkpoint_size)
    });
    if !found {
        return Ok(Some(format!(
            "the station stores no checkpoint of size {} with the root the certificate names",
            ledger.checkpoint_size
        )));
    }
    Ok(None)
}

/// The event at `seq` as JSON (its canonical bytes, which `ledger verify` checks).
fn event_at(conn: &Connection, seq: u64) -> Result<Option<Value>> {
    let bytes: Option<Vec<u8>> = conn
        .query_row(
            "SELECT canonical FROM events WHERE seq = ?1",
            params![i64::try_from(seq).unwrap_or(i64::MAX)],
            |r| r.get(0),
        )
        .optional()?;
    Ok(bytes.and_then(|b| serde_json::from_slice(&b).ok()))
}
