//! The `certificates` table: each certificate's body, and its signed document once an
//! officer signed it. Rows are checked against the ledger before anything trusts them
//! (`ledger_check`); this module only reads and writes them.

use rusqlite::{Connection, OptionalExtension, Transaction, params};

use crate::{Error, Level, Result};

use super::document::SignedCertificate;
use super::{Certificate, Subject};

/// A stored certificate.
#[derive(Clone, Debug)]
pub struct Stored {
    /// Row id (the number's serial).
    pub id: u64,
    /// Its number.
    pub number: String,
    /// The body as stored.
    pub certificate: Certificate,
    /// The signed document, once signed.
    pub signed: Option<SignedCertificate>,
}

/// The serial the next certificate takes: past every stored one and every one the ledger's
/// events name (a row deleted outside Strongroom never frees its number).
pub fn next_serial(tx: &Transaction<'_>) -> Result<u64> {
    let stored: Option<i64> = tx.query_row("SELECT MAX(id) FROM certificates", [], |r| r.get(0))?;
    let named: Option<i64> = tx.query_row(
        "SELECT MAX(CAST(substr(json_extract(canonical, '$.details.certificate'), 9) AS INTEGER)) FROM events
         WHERE seq >= 0 AND action IN ('item.destroy', 'media.destroy') AND json_valid(CAST(canonical AS TEXT))",
        [],
        |r| r.get(0),
    )?;
    let last = stored.unwrap_or(0).max(named.unwrap_or(0));
    Ok(u64::try_from(last).unwrap_or(0).saturating_add(1))
}

/// Certificate numbers the ledger's events name that no stored row has (rows deleted
/// outside Strongroom), with the highest level of their events.
pub fn missing(conn: &Connection) -> Result<Vec<(String, Level)>> {
    let mut stmt = conn.prepare(
        "SELECT json_extract(canonical, '$.details.certificate') AS number, MAX(level) FROM events
         WHERE seq >= 0 AND action IN ('item.destroy', 'media.destroy') AND json_valid(CAST(canonical AS TEXT))
           AND number IS NOT NULL AND number NOT IN (SELECT number FROM certificates)
         GROUP BY number ORDER BY number",
    )?;
    let rows = stmt
        .query_map([], |r| Ok((r.get::<_, String>(0)?, r.get::<_, Option<i64>>(1)?)))?
        .collect::<rusqlite::Result<Vec<_>>>()?;
    Ok(rows
        .into_iter()
        .map(|(number, level)| {
            let level = level
                .and_then(|l| u8::try_from(l).ok())
                .and_then(Level::from_byte)
                .unwrap_or(Level::TopSecret);
            (number, level)
        })
        .collect())
}

/// Store a new certificate (signed or not) inside the destroying transaction.
pub fn insert(
    tx: &Transaction<'_>,
    serial: u64,
    certificate: &Certificate,
    signed: Option<&SignedCertificate>,
    now: &str,
) -> Result<()> {
    let signed = signed.map(super::canonical_of).transpose()?;
    tx.execute(
        "INSERT INTO certificates (id, number, subject, level, body, signed, created_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
        params![
            i64::try_from(serial).map_err(|_| Error::InvalidInput("certificate serial out of range".into()))?,
            certificate.number,
            certificate.subject.as_str(),
            i64::from(certificate.level().as_byte()),
            certificate.canonical()?,
            signed,
            now
        ],
    )?;
    Ok(())
}

/// Record the signed document of a certificate that had none (its body becomes the one
/// signed).
pub fn set_signed(tx: &Transaction<'_>, number: &str, signed: &SignedCertificate) -> Result<()> {
    let changed = tx.execute(
        "UPDATE certificates SET body = ?2, signed = ?3 WHERE number = ?1 AND signed IS NULL",
        params![number, signed.certificate.canonical()?, super::canonical_of(signed)?],
    )?;
    if changed != 1 {
        return Err(Error::NotFound(format!("certificate {number} awaiting a signature")));
    }
    Ok(())
}

/// A row as read: id, number, body, signed document.
type Row = (i64, String, Vec<u8>, Option<Vec<u8>>);

fn read(row: &rusqlite::Row<'_>) -> rusqlite::Result<Row> {
    Ok((row.get(0)?, row.get(1)?, row.get(2)?, row.get(3)?))
}

fn parse((id, number, body, signed): Row) -> Result<Stored> {
    let broken = |why: String| Error::integrity(format!("certificate {number}"), why);
    let certificate: Certificate =
        serde_json::from_slice(&body).map_err(|e| broken(format!("its stored body is not a certificate: {e}")))?;
    let signed = signed
        .map(|bytes| serde_json::from_slice::<SignedCertificate>(&bytes))
        .transpose()
        .map_err(|e| broken(format!("its stored signed document is malformed: {e}")))?;
    if certificate.number != number || signed.as_ref().is_some_and(|s| s.certificate != certificate) {
        return Err(broken("its row, body and signed document disagree".into()));
    }
    Ok(Stored {
        id: u64::try_from(id).unwrap_or(0),
        number,
        certificate,
        signed,
    })
}

/// Every certificate at or below `clearance`, newest first (rows that do not parse are
/// returned as errors beside the others, so one bad row hides nothing else).
pub fn list(conn: &Connection, clearance: Level) -> Result<Vec<Result<Stored>>> {
    let mut stmt =
        conn.prepare("SELECT id, number, body, signed FROM certificates WHERE level <= ?1 ORDER BY id DESC")?;
    let rows = stmt
        .query_map(params![i64::from(clearance.as_byte())], read)?
        .collect::<rusqlite::Result<Vec<_>>>()?;
    Ok(rows.into_iter().map(parse).collect())
}

/// One certificate by number, if stored.
pub fn get(conn: &Connection, number: &str) -> Result<Option<Stored>> {
    let row = conn
        .query_row(
            "SELECT id, number, body, signed FROM certificates WHERE number = ?1",
            params![number],
            read,
        )
        .optional()?;
    row.map(parse).transpose()
}

/// The number of the certificate that lists the event at `seq`, if any.
pub fn covering(conn: &Connection, seq: u64, subject: Subject) -> Result<Option<String>> {
    let key = match subject {
        Subject::Items => "$.items",
        Subject::Medium => "$.medium",
    };
    let sql = format!(
        "SELECT c.number FROM certificates c WHERE json_valid(CAST(c.body AS TEXT)) AND EXISTS (
            SELECT 1 FROM json_tree(CAST(c.body AS TEXT), '{key}') t WHERE t.key = 'seq' AND t.value = ?1)
         ORDER BY c.id LIMIT 1"
    );
    Ok(conn
        .query_row(&sql, params![i64::try_from(seq).unwrap_or(i64::MAX)], |r| r.get(0))
        .optional()?)
}
