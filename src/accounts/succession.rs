//! Admin key succession (DESIGN.md §2): when an officer is disabled or demoted the admin key
//! is replaced, and a record signed by the old key names the new one. A keyslot remembers
//! the admin key it was made under; a session follows the records from there to the key
//! that signs the newest directory. A key with two successors is tampering.
//!
//! Body: RFC 8785 JSON `{format, station, previous_key, next_key, directory_version,
//! issued_at}`; signature: Ed25519 by the previous key over
//! `"strongroom/v1/admin-succession" ‖ 0x00 ‖ body` (docs/FORMAT.md §9).

use rusqlite::{Connection, Transaction, params};
use serde::{Deserialize, Serialize};

use crate::crypto::sign::{self, SignKey};
use crate::encoding::canonical;
use crate::encoding::hex;
use crate::{Error, Result};

/// Format label and signing context of a succession record.
pub const FORMAT: &str = "strongroom/v1/admin-succession";

/// At most this many successions are followed (a loop in forged records ends here).
const MAX_CHAIN: usize = 10_000;

/// One succession record.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Succession {
    /// Always [`FORMAT`].
    pub format: String,
    /// Station id.
    pub station: String,
    /// The replaced admin public key (hex).
    pub previous_key: String,
    /// Its successor (hex).
    pub next_key: String,
    /// The first directory version the successor signs.
    pub directory_version: u64,
    /// When the key was replaced.
    pub issued_at: String,
}

/// Sign and store a succession from `previous` to `next` inside the caller's transaction.
/// Returns the record as the event of the change carries it (`details.admin_succession`:
/// the body as a JSON object and the signature in hex), so the chain can be followed from
/// the append-only ledger even if the table row is deleted.
pub fn record(
    tx: &Transaction<'_>,
    station: &str,
    previous: &SignKey,
    next: &[u8; 32],
    directory_version: u64,
    now: &str,
) -> Result<serde_json::Value> {
    let record = Succession {
        format: FORMAT.into(),
        station: station.into(),
        previous_key: hex::encode(&previous.public()),
        next_key: hex::encode(next),
        directory_version,
        issued_at: now.into(),
    };
    let body = body_bytes(&record)?;
    let signature = previous.sign(FORMAT, &body);
    tx.execute(
        "INSERT INTO admin_successions (previous_key, next_key, body, signature, created_at) VALUES (?1, ?2, ?3, ?4, ?5)",
        params![previous.public().to_vec(), next.to_vec(), body, signature.to_vec(), now],
    )?;
    let body_value: serde_json::Value =
        serde_json::from_slice(&body).map_err(|e| Error::InvalidInput(e.to_string()))?;
    Ok(serde_json::json!({ "body": body_value, "signature": hex::encode(&signature) }))
}

/// A succession record as stored: the next key, the body and the signature.
type RecordRow = (Vec<u8>, Vec<u8>, Vec<u8>);

/// The actions whose events may carry a succession record (`details.admin_succession`).
const CARRYING: &str =
    "'user.disable', 'user.role', 'user.reset', 'user.recover', 'user.clearance', 'user.enable', 'user.create'";

/// Succession records from `previous` that events carry and that verify (a copy that does
/// not verify is passed over: anyone can append rows). Each is (next key, body, signature).
fn ledger_copies(conn: &Connection, previous: &[u8; 32]) -> Result<Vec<RecordRow>> {
    let sql = format!(
        "SELECT json_extract(canonical, '$.details.admin_succession') FROM events
         WHERE action IN ({CARRYING})
         AND json_extract(canonical, '$.details.admin_succession.body.previous_key') = ?1"
    );
    let mut stmt = conn.prepare_cached(&sql)?;
    let texts: Vec<String> = stmt
        .query_map(params![hex::encode(previous)], |r| r.get(0))?
        .collect::<rusqlite::Result<_>>()?;
    let mut out = Vec::new();
    for text in texts {
        let Ok(copy) = serde_json::from_str::<serde_json::Value>(&text) else {
            continue;
        };
        let (Ok(body), Some(signature)) = (
            canonical::to_vec(&copy["body"]),
            copy["signature"].as_str().and_then(hex::decode_vec),
        ) else {
            continue;
        };
        let Some(next) = copy["body"]["next_key"].as_str().and_then(hex::decode::<32>) else {
            continue;
        };
        if sign::verify(previous, FORMAT, &body, &signature).is_ok() {
            out.push((next.to_vec(), body, signature));
        }
    }
    Ok(out)
}

fn body_bytes(record: &Succession) -> Result<Vec<u8>> {
    let value = serde_json::to_value(record).map_err(|e| Error::InvalidInput(e.to_string()))?;
    canonical::to_vec(&value).map_err(|e| Error::InvalidInput(e.to_string()))
}

fn refused(why: String) -> Error {
    Error::integrity(
        "admin key succession",
        format!("{why}; the account database was changed outside Strongroom — ask a security officer"),
    )
}

/// Follow the signed successions from `start` (the admin key a keyslot was made under) and
/// return the newest key, or a refusal if a record does not verify or a key has two
/// successors.
pub fn current_key(conn: &Connection, station: &str, start: [u8; 32]) -> Result<[u8; 32]> {
    let keys = chain(conn, station, start)?;
    Ok(keys.last().map_or(start, |k| k.key))
}

/// One admin key on a succession chain.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ChainedKey {
    /// The public key.
    pub key: [u8; 32],
    /// The first directory version its successor signs (`None` for the newest key).
    pub replaced_at_version: Option<u64>,
}

/// Every admin key from `start` on, oldest first, following the signed successions; a
/// refusal if a record does not verify or a key has two successors.
pub fn chain(conn: &Connection, station: &str, start: [u8; 32]) -> Result<Vec<ChainedKey>> {
    let mut keys = vec![ChainedKey {
        key: start,
        replaced_at_version: None,
    }];
    let mut stmt =
        conn.prepare_cached("SELECT next_key, body, signature FROM admin_successions WHERE previous_key = ?1")?;
    for _ in 0..MAX_CHAIN {
        let key = keys.last().map_or(start, |k| k.key);
        let mut rows: Vec<RecordRow> = stmt
            .query_map(params![key.to_vec()], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))?
            .collect::<rusqlite::Result<_>>()?;
        // The ledger's copies count too (a deleted row is found there); the same record
        // twice is one successor.
        for copy in ledger_copies(conn, &key)? {
            if !rows.iter().any(|r| r.1 == copy.1) {
                rows.push(copy);
            }
        }
        let (next, body, signature) = match rows.as_slice() {
            [] => return Ok(keys),
            [one] => one,
            _ => {
                return Err(refused(format!(
                    "admin key {} has {} successors",
                    hex::encode(&key),
                    rows.len()
                )));
            }
        };
        sign::verify(&key, FORMAT, body, signature)
            .map_err(|_| refused("a succession record is not signed by the key it replaces".into()))?;
        let record: Succession =
            serde_json::from_slice(body).map_err(|_| refused("a succession record is malformed".into()))?;
        let next: [u8; 32] = next
            .as_slice()
            .try_into()
            .map_err(|_| refused("a succession record names a malformed key".into()))?;
        let states = record.format == FORMAT
            && record.station == station
            && body_bytes(&record)? == *body
            && hex::decode::<32>(&record.previous_key) == Some(key)
            && hex::decode::<32>(&record.next_key) == Some(next);
        if !states {
            return Err(refused("a succession record does not say what its row says".into()));
        }
        if let Some(last) = keys.last_mut() {
            last.replaced_at_version = Some(record.directory_version);
        }
        keys.push(ChainedKey {
            key: next,
            replaced_at_version: None,
        });
    }
    Err(refused("the succession chain does not end".into()))
}
