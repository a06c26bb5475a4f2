//! What the guard recorded about a medium mounted now: the station runs as a user who
//! usually cannot read a device's superblock, so it takes the file-system identity from the
//! guard's own `media.mount` of that very mount — signed by the guard key, and not followed
//! by a signed `media.unmount` of it.

use rusqlite::{Connection, params};
use serde_json::Value;

use crate::Result;
use crate::guard::media::Medium;
use crate::guard::superblock::{FsKind, Identity};
use crate::ledger::Action;
use crate::ledger::events::GUARD_EVENT_CONTEXT;

/// How far back the guard's mount records are looked through.
const LOOK_BACK: i64 = 512;

/// The identity the guard recorded for `medium`'s mount (same point, device and source),
/// if its newest signed record of that mount is a `media.mount`.
pub fn identity_seen(conn: &Connection, guard_key: &[u8; 32], medium: &Medium) -> Result<Option<Identity>> {
    let mut stmt = conn.prepare(
        "SELECT seq, action, canonical, guard_signature FROM events
         WHERE action IN (?1, ?2) ORDER BY seq DESC LIMIT ?3",
    )?;
    let mut rows = stmt.query(params![
        Action::MediaMount.as_str(),
        Action::MediaUnmount.as_str(),
        LOOK_BACK
    ])?;
    let device = format!("{}:{}", medium.device.0, medium.device.1);
    while let Some(row) = rows.next()? {
        let seq: i64 = row.get(0)?;
        let action: String = row.get(1)?;
        let canonical: Vec<u8> = row.get(2)?;
        let signature: Option<Vec<u8>> = row.get(3)?;
        let Some(event) = signed_event(seq, &canonical, signature.as_deref(), guard_key) else {
            continue;
        };
        let seen = &event["details"]["medium"];
        let same = seen["mount_point"].as_str() == medium.mount_point.to_str()
            && seen["device"].as_str() == Some(device.as_str())
            && seen["source"].as_str() == Some(medium.source.as_str());
        if !same {
            continue;
        }
        if action != Action::MediaMount.as_str() {
            return Ok(None);
        }
        return Ok(identity_of(seen));
    }
    Ok(None)
}

/// The event, if `guard_key` signed these bytes and they name row `seq`.
fn signed_event(seq: i64, canonical: &[u8], signature: Option<&[u8]>, guard_key: &[u8; 32]) -> Option<Value> {
    crate::crypto::sign::verify(guard_key, GUARD_EVENT_CONTEXT, canonical, signature?).ok()?;
    let event: Value = serde_json::from_slice(canonical).ok()?;
    (event["seq"].as_i64() == Some(seq)).then_some(event)
}

fn identity_of(seen: &Value) -> Option<Identity> {
    let kind = match seen["filesystem"].as_str()? {
        "ext" => FsKind::Ext,
        "fat" => FsKind::Fat,
        "exfat" => FsKind::Exfat,
        _ => return None,
    };
    Some(Identity {
        kind,
        uuid: seen["uuid"].as_str()?.to_string(),
        label: seen["label"].as_str().map(str::to_string),
    })
}
