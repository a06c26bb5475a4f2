//! The ledger's copy of each signed directory. Every event that publishes a directory
//! carries its body and signature (`details.directory`), so a directory row lost to one
//! `DELETE` can be put back from the append-only ledger by an officer
//! (`strongroom directory rebuild`, DESIGN.md §2 "Rollback"). The copy needs no trust in
//! the event: it is accepted only if the admin key verifies it.

use rusqlite::Connection;
use serde_json::Value;

use crate::accounts::directory::{self, Directory, SignedDirectory};
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

/// The newest copy the ledger carries that an admin key of this station signed, with the
/// directory it verifies as. `may_sign` says whether a key may have signed a version (a
/// replaced key only versions before its successor's). Copies in rows appended with SQL
/// are not signed by such a key and are passed over, so a forged version number neither
/// raises the rollback floor nor is put back.
pub fn newest_verified(
    conn: &Connection,
    station: &str,
    may_sign: &dyn Fn(&[u8; 32], u64) -> bool,
) -> Result<Option<(LedgerCopy, Directory)>> {
    let actions: Vec<String> = NAMING_DIRECTORY_VERSION
        .iter()
        .map(|a| format!("'{}'", a.as_str()))
        .collect();
    let sql = format!(
        "SELECT seq, json_extract(canonical, '$.details.directory') FROM events
         WHERE seq >= 0 AND action IN ({}) AND json_valid(CAST(canonical AS TEXT))
         AND json_extract(canonical, '$.details.directory') IS NOT NULL
         ORDER BY CAST(json_extract(canonical, '$.details.directory.body.version') AS INTEGER) DESC, seq",
        actions.join(", ")
    );
    let mut stmt = conn.prepare(&sql)?;
    let mut rows = stmt.query([])?;
    while let Some(row) = rows.next()? {
        let (seq, text): (i64, String) = (row.get(0)?, row.get(1)?);
        let Some(copy) = parse(seq as u64, &text) else {
            continue;
        };
        let Some(key) = hex::decode::<32>(&copy.directory.admin_key) else {
            continue;
        };
        if !may_sign(&key, copy.directory.version) {
            continue;
        }
        if let Ok(verified) = directory::verify(&copy.body, &copy.signature, &key)
            && verified.station == station
        {
            return Ok(Some((copy, verified)));
        }
    }
    Ok(None)
}

/// A copy as an event's `details.directory` holds it; `None` if it is not one.
fn parse(seq: u64, text: &str) -> Option<LedgerCopy> {
    let copy: Value = serde_json::from_str(text).ok()?;
    let body = canonical::to_vec(&copy["body"]).ok()?;
    let signature = copy["signature"].as_str().and_then(hex::decode::<64>)?;
    let directory: Directory = serde_json::from_slice(&body).ok()?;
    Some(LedgerCopy {
        seq,
        directory,
        body,
        signature: signature.to_vec(),
    })
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
