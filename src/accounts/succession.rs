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
const CARRYING: &str = "'user.disable', 'user.role', 'user.reset', 'user.recover', 'user.clearance', 'user.enable', 'user.create', 'recovery.reissue'";

/// The succession record from `previous` carried by the earliest event that carries one
/// that verifies, with that event's seq. The ledger only grows at its end and the change's
/// own event carries the true record, so a record appended later (even one signed by a
/// replaced key its holder kept) never displaces it. A copy that does not verify, or whose
/// bytes name another seq than its row, is passed over.
fn earliest_ledger_copy(conn: &Connection, previous: &[u8; 32]) -> Result<Option<(u64, RecordRow)>> {
    let sql = format!(
        "SELECT seq, CAST(json_extract(canonical, '$.seq') AS INTEGER),
                json_extract(canonical, '$.details.admin_succession') FROM events
         WHERE seq >= 0 AND action IN ({CARRYING}) AND json_valid(CAST(canonical AS TEXT))
         AND json_extract(canonical, '$.details.admin_succession.body.previous_key') = ?1
         ORDER BY seq"
    );
    let mut stmt = conn.prepare_cached(&sql)?;
    let mut rows = stmt.query(params![hex::encode(previous)])?;
    while let Some(row) = rows.next()? {
        let (seq, stated, text): (i64, Option<i64>, String) = (row.get(0)?, row.get(1)?, row.get(2)?);
        if stated != Some(seq) {
            continue;
        }
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
            let seq = u64::try_from(seq).unwrap_or(0);
            return Ok(Some((seq, (next.to_vec(), body, signature))));
        }
    }
    Ok(None)
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
    /// The seq of the event that recorded its replacement, when the ledger carries it.
    pub replaced_at_seq: Option<u64>,
}

/// Every admin key from `start` on, oldest first, following the signed successions. The
/// record the ledger carries wins (the earliest event's, [`earliest_ledger_copy`]); a
/// vault whose events carry none follows the table, where a key with two successors is
/// tampering. A record that does not verify is refused.
pub fn chain(conn: &Connection, station: &str, start: [u8; 32]) -> Result<Vec<ChainedKey>> {
    let mut keys = vec![ChainedKey {
        key: start,
        replaced_at_version: None,
        replaced_at_seq: None,
    }];
    let mut stmt =
        conn.prepare_cached("SELECT next_key, body, signature FROM admin_successions WHERE previous_key = ?1")?;
    for _ in 0..MAX_CHAIN {
        let key = keys.last().map_or(start, |k| k.key);
        let table: Vec<RecordRow> = stmt
            .query_map(params![key.to_vec()], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))?
            .collect::<rusqlite::Result<_>>()?;
        let (rows, at_seq): (Vec<RecordRow>, Option<u64>) = match earliest_ledger_copy(conn, &key)? {
            // The table may have lost the row, but may not hold another.
            Some((seq, record)) => match table.as_slice() {
                [] => (vec![record], Some(seq)),
                [one] if one.1 == record.1 => (vec![record], Some(seq)),
                [_] => {
                    return Err(refused(format!(
                        "the succession of admin key {} in the table is not the one the ledger records",
                        hex::encode(&key)
                    )));
                }
                _ => (table, None),
            },
            None => (table, None),
        };
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
            last.replaced_at_seq = at_seq;
        }
        keys.push(ChainedKey {
            key: next,
            replaced_at_version: None,
            replaced_at_seq: None,
        });
    }
    Err(refused("the succession chain does not end".into()))
}

/// The stored succession records along `keys` (oldest first, as [`chain`] returns them), each
/// with its signature: what a verifier pinned to an older key follows to the newest. A pair
/// whose record the table lost is left out (the verifier then cannot follow past it).
pub fn records_along(conn: &Connection, keys: &[[u8; 32]]) -> Result<Vec<(Succession, Vec<u8>)>> {
    let mut stmt =
        conn.prepare_cached("SELECT body, signature FROM admin_successions WHERE previous_key = ?1 AND next_key = ?2")?;
    let mut out = Vec::new();
    for pair in keys.windows(2) {
        let rows: Vec<(Vec<u8>, Vec<u8>)> = stmt
            .query_map(params![pair[0].to_vec(), pair[1].to_vec()], |r| {
                Ok((r.get(0)?, r.get(1)?))
            })?
            .collect::<rusqlite::Result<_>>()?;
        if let Some((body, signature)) = rows
            .into_iter()
            .find(|(body, signature)| sign::verify(&pair[0], FORMAT, body, signature).is_ok())
            && let Ok(record) = serde_json::from_slice::<Succession>(&body)
        {
            out.push((record, signature));
        }
    }
    Ok(out)
}
