//! Officer decisions the station reads back from the ledger (an alert's acknowledgement, an
//! item's reclassification) carry the admin key's signature over the whole event, so a row
//! appended with SQL decides nothing (DESIGN.md §4 "Trust model").
//!
//! The event's `details.decision` is `{"admin_key": hex, "signature": hex}`: Ed25519 by that
//! key over `"strongroom/v1/decision" ‖ 0x00 ‖` the event's canonical bytes without
//! `details.decision`. A key counts for events before the one that published the first
//! directory its successor signed, so a replaced key decides nothing new.

use rusqlite::{Connection, OptionalExtension};
use serde_json::{Map, Value};

use crate::accounts::succession::{self, ChainedKey};
use crate::crypto::sign::{self, SignKey};
use crate::encoding::{canonical, hex};
use crate::ledger::events::NAMING_DIRECTORY_VERSION;
use crate::{Error, Result};

/// Signing context of a decision.
pub const CONTEXT: &str = "strongroom/v1/decision";

/// The `details.decision` member for an event whose canonical bytes without it are `body`.
pub fn sign(admin: &SignKey, body: &[u8]) -> Value {
    serde_json::json!({
        "admin_key": hex::encode(&admin.public()),
        "signature": hex::encode(&admin.sign(CONTEXT, body)),
    })
}

/// The admin key that signed a stored event's decision, and the event's seq, if the
/// signature verifies.
pub fn signer(canonical_event: &[u8]) -> Option<([u8; 32], u64)> {
    let mut event: Map<String, Value> = serde_json::from_slice(canonical_event).ok()?;
    let seq = event.get("seq")?.as_u64()?;
    let details = event.get_mut("details")?.as_object_mut()?;
    let decision = details.remove("decision")?;
    let key = hex::decode::<32>(decision.get("admin_key")?.as_str()?)?;
    let signature = hex::decode_vec(decision.get("signature")?.as_str()?)?;
    let body = canonical::to_vec(&Value::Object(event)).ok()?;
    sign::verify(&key, CONTEXT, &body, &signature).ok()?;
    Some((key, seq))
}

/// The station's admin keys, oldest first, each with the seq from which it no longer
/// decides anything.
#[derive(Clone, Debug)]
pub struct AdminKeys {
    keys: Vec<(ChainedKey, Option<u64>)>,
}

impl AdminKeys {
    /// Every admin key from the one `station.init` (seq 0) published, its copy verified
    /// under the key it names, following the signed successions. A vault made before events
    /// carried that copy starts from its oldest stored directory instead, which SQL can
    /// replace: docs/THREAT-MODEL.md says so.
    pub fn load(conn: &Connection, station: &str) -> Result<AdminKeys> {
        let first = first_admin_key(conn, station)?;
        let mut keys = Vec::new();
        for key in succession::chain(conn, station, first)? {
            // A replaced key decides nothing from the event that recorded its replacement
            // on (or, for a vault whose events carry no record, from the first event naming
            // the first directory its successor signed; with neither, nothing at all).
            let until = match (key.replaced_at_seq, key.replaced_at_version) {
                (Some(seq), _) => Some(seq),
                (None, Some(version)) => Some(first_naming(conn, version)?.unwrap_or(0)),
                (None, None) => None,
            };
            keys.push((key, until));
        }
        Ok(AdminKeys { keys })
    }

    /// Whether `key` may have signed directory `version`: one of this station's admin
    /// keys, and for a replaced key only a version before the first its successor signed
    /// (a holder who kept a replaced key cannot sign a newer directory that counts).
    pub fn may_sign_directory(&self, key: &[u8; 32], version: u64) -> bool {
        self.keys
            .iter()
            .any(|(k, _)| k.key == *key && k.replaced_at_version.is_none_or(|v| version < v))
    }

    /// The admin key in force now (the newest on the chain).
    pub fn current(&self) -> Option<[u8; 32]> {
        self.keys.last().map(|(key, _)| key.key)
    }

    /// Whether `key` was in force at the event `seq` (not yet replaced then).
    pub fn in_force_at(&self, key: &[u8; 32], seq: u64) -> bool {
        self.keys
            .iter()
            .any(|(k, until)| k.key == *key && until.is_none_or(|until| seq < until))
    }

    /// Every admin key of the station, replaced ones included (records they signed while in
    /// force stay valid; whether such a record still counts is the caller's register).
    pub fn all(&self) -> Vec<[u8; 32]> {
        self.keys.iter().map(|(key, _)| key.key).collect()
    }

    /// Whether the event stored at `row_seq` with these canonical bytes carries a decision
    /// signed by an admin key in force at that seq. The signed bytes must name that same
    /// seq, so a decision copied or backdated to another row counts for nothing.
    pub fn vouch_for(&self, row_seq: u64, canonical_event: &[u8]) -> bool {
        let Some((signer, seq)) = signer(canonical_event) else {
            return false;
        };
        seq == row_seq
            && self
                .keys
                .iter()
                .any(|(key, until)| key.key == signer && until.is_none_or(|until| seq < until))
    }
}

/// The admin key of the first directory: from the copy `station.init` carries at seq 0,
/// which must verify under the key it names and belong to this station; or, for a vault
/// made before events carried copies, the oldest stored directory's.
fn first_admin_key(conn: &Connection, station: &str) -> Result<[u8; 32]> {
    let from_event: Option<String> = conn
        .query_row(
            "SELECT json_extract(canonical, '$.details.directory') FROM events
             WHERE seq = 0 AND action = 'station.init' AND json_valid(CAST(canonical AS TEXT))",
            [],
            |r| r.get(0),
        )
        .optional()?
        .flatten();
    if let Some(text) = from_event {
        let refused = |why: &str| Error::integrity("admin keys", format!("the first directory's copy {why}"));
        let copy: Value = serde_json::from_str(&text).map_err(|_| refused("is not JSON"))?;
        let body = canonical::to_vec(&copy["body"]).map_err(|_| refused("is not canonical JSON"))?;
        let signature = copy["signature"]
            .as_str()
            .and_then(hex::decode_vec)
            .ok_or_else(|| refused("has no signature"))?;
        let key = copy["body"]["admin_key"]
            .as_str()
            .and_then(hex::decode::<32>)
            .ok_or_else(|| refused("names no admin key"))?;
        let directory = crate::accounts::directory::verify(&body, &signature, &key)?;
        if directory.station != station || directory.version != 1 {
            return Err(refused("is not this station's first directory"));
        }
        return Ok(key);
    }
    let text = conn
        .query_row(
            "SELECT json_extract(CAST(body AS TEXT), '$.admin_key') FROM directories ORDER BY version LIMIT 1",
            [],
            |r| r.get::<_, Option<String>>(0),
        )
        .optional()?
        .flatten()
        .ok_or_else(|| Error::integrity("admin keys", "no directory names the first admin key"))?;
    hex::decode::<32>(&text).ok_or_else(|| Error::integrity("admin keys", "the first admin key is not 32 bytes of hex"))
}

/// The seq of the first event naming directory `version` (its publication: rows appended
/// later cannot come before it).
fn first_naming(conn: &Connection, version: u64) -> Result<Option<u64>> {
    let actions: Vec<String> = NAMING_DIRECTORY_VERSION
        .iter()
        .map(|a| format!("'{}'", a.as_str()))
        .collect();
    let sql = format!(
        "SELECT MIN(seq) FROM events WHERE seq >= 0 AND action IN ({}) AND json_valid(CAST(canonical AS TEXT))
         AND CAST(json_extract(canonical, '$.details.directory_version') AS INTEGER) = ?1",
        actions.join(", ")
    );
    let seq: Option<i64> = conn.query_row(&sql, [i64::try_from(version).unwrap_or(i64::MAX)], |r| r.get(0))?;
    Ok(seq.and_then(|s| u64::try_from(s).ok()))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::crypto::Key32;

    fn signed_event(admin: &SignKey, seq: u64) -> Vec<u8> {
        let mut event = serde_json::json!({
            "seq": seq, "time": "2026-12-06T00:00:00.000Z", "actor": "alice", "action": "alert.acknowledge",
            "subject": "bob", "level": null, "details": { "alert": 3, "comment": "checked" },
        });
        let body = canonical::to_vec(&event).unwrap();
        event["details"]["decision"] = sign(admin, &body);
        canonical::to_vec(&event).unwrap()
    }

    #[test]
    fn a_decision_verifies_for_its_key_and_not_once_the_event_is_changed() {
        let admin = SignKey::from_seed(&Key32::from_bytes([5; 32]));
        let event = signed_event(&admin, 7);
        assert_eq!(signer(&event), Some((admin.public(), 7)));
        let edited = String::from_utf8(event).unwrap().replace("\"alert\":3", "\"alert\":4");
        assert_eq!(signer(edited.as_bytes()), None);
        let unsigned = br#"{"action":"alert.acknowledge","details":{"alert":3}}"#;
        assert_eq!(signer(unsigned), None);
    }

    #[test]
    fn a_replaced_key_vouches_only_before_its_successor_took_over() {
        let old = SignKey::from_seed(&Key32::from_bytes([5; 32]));
        let new = SignKey::from_seed(&Key32::from_bytes([6; 32]));
        let keys = AdminKeys {
            keys: vec![
                (
                    ChainedKey {
                        key: old.public(),
                        replaced_at_version: Some(4),
                        replaced_at_seq: Some(10),
                    },
                    Some(10),
                ),
                (
                    ChainedKey {
                        key: new.public(),
                        replaced_at_version: None,
                        replaced_at_seq: None,
                    },
                    None,
                ),
            ],
        };
        assert!(keys.vouch_for(9, &signed_event(&old, 9)));
        assert!(
            !keys.vouch_for(10, &signed_event(&old, 10)),
            "the old key after its successor took over"
        );
        assert!(
            !keys.vouch_for(900, &signed_event(&old, 9)),
            "backdated: stored at another seq"
        );
        assert!(keys.vouch_for(1_000, &signed_event(&new, 1_000)));
        let stranger = SignKey::from_seed(&Key32::from_bytes([9; 32]));
        assert!(!keys.vouch_for(7, &signed_event(&stranger, 7)));
        assert!(keys.may_sign_directory(&old.public(), 3));
        assert!(
            !keys.may_sign_directory(&old.public(), 4),
            "a version its successor signs"
        );
        assert!(keys.may_sign_directory(&new.public(), 1_000_000));
        assert!(!keys.may_sign_directory(&stranger.public(), 1));
    }
}
