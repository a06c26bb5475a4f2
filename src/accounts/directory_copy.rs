//! The ledger's copy of each signed directory. Every event that publishes a directory
//! carries its body and signature (`details.directory`), so a directory row lost to one
//! `DELETE` can be put back from the append-only ledger by an officer
//! (`strongroom directory rebuild`, DESIGN.md §2 "Rollback"). The copy needs no trust in
//! the event: it is accepted only if the admin key verifies it.

use rusqlite::{Connection, OptionalExtension};
use serde_json::Value;

use crate::accounts::directory::{Directory, SignedDirectory};
use crate::encoding::{canonical, hex};
use crate::ledger::events::NAMING_DIRECTORY_VERSION;
use crate::{Error, Result};

/// The `details.directory` member of a publication event: the body as a JSON object (its
/// canonical form is the signed bytes) and the signature in hex.
pub fn details(signed: &SignedDirectory) -> Result<Value> {
    let body: Value = serde_json::from_slice(&signed.body)
        .map_err(|e| Error::integrity("signed directory", format!("body is not JSON: {e}")))?;
    Ok(serde_json::json!({ "body": body, "signature": hex::encode(&signed.signature) }))
}

/// A signed directory as a publication event carries it, not yet verified.
#[derive(Clone, Debug)]
pub struct LedgerCopy {
    /// The event that carries it.
    pub seq: u64,
    /// The directory as parsed from the copy (unverified until [`crate::accounts::directory::verify`]).
    pub directory: Directory,
    /// The canonical body bytes, as signed.
    pub body: Vec<u8>,
    /// The signature bytes.
    pub signature: Vec<u8>,
}

/// The copy of the highest directory version the ledger carries, if any event carries one.
pub fn newest(conn: &Connection) -> Result<Option<LedgerCopy>> {
    let actions: Vec<String> = NAMING_DIRECTORY_VERSION
        .iter()
        .map(|a| format!("'{}'", a.as_str()))
        .collect();
    let sql = format!(
        "SELECT seq, json_extract(canonical, '$.details.directory') FROM events
         WHERE action IN ({}) AND json_extract(canonical, '$.details.directory') IS NOT NULL
         ORDER BY CAST(json_extract(canonical, '$.details.directory.body.version') AS INTEGER) DESC, seq DESC
         LIMIT 1",
        actions.join(", ")
    );
    let row: Option<(i64, String)> = conn
        .prepare(&sql)?
        .query_row([], |r| Ok((r.get(0)?, r.get(1)?)))
        .optional()?;
    let Some((seq, text)) = row else {
        return Ok(None);
    };
    let bad = |why: String| Error::integrity(format!("the directory copy in event {seq}"), why);
    let copy: Value = serde_json::from_str(&text).map_err(|e| bad(e.to_string()))?;
    let body = canonical::to_vec(&copy["body"]).map_err(|e| bad(e.to_string()))?;
    let signature = copy["signature"]
        .as_str()
        .and_then(hex::decode::<64>)
        .ok_or_else(|| bad("its signature is not 64 bytes of hex".into()))?;
    let directory: Directory = serde_json::from_slice(&body).map_err(|e| bad(format!("not a directory: {e}")))?;
    Ok(Some(LedgerCopy {
        seq: seq as u64,
        directory,
        body,
        signature: signature.to_vec(),
    }))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::accounts::fixture::Fixture;

    /// The copy re-serializes to exactly the signed bytes, so the signature still verifies.
    #[test]
    fn a_copy_in_an_event_gives_back_the_signed_bytes() {
        let fx = Fixture::new();
        let signed = fx.directory.clone().sign(&fx.admin).unwrap();
        let value = details(&signed).unwrap();
        let event = serde_json::json!({ "details": { "directory": value } });
        let bytes = canonical::to_vec(&event).unwrap();
        let back: Value = serde_json::from_slice(&bytes).unwrap();
        let body = canonical::to_vec(&back["details"]["directory"]["body"]).unwrap();
        assert_eq!(body, signed.body);
        assert_eq!(
            back["details"]["directory"]["signature"],
            hex::encode(&signed.signature)
        );
    }
}
