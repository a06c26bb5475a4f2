//! Two-person requests as stored: an action on material at or above the policy's threshold
//! that waits for an officer other than the requester. This module owns the `requests`
//! table; `Station` decides who may create, approve, deny and use them.

use rusqlite::{Connection, OptionalExtension, Row, Transaction, params};

use crate::{Error, ItemId, Level, Result, UserId};

/// What a request asks for.
#[derive(Clone, Copy, Debug, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum RequestKind {
    /// Destroy an item.
    Destroy,
    /// Lower an item's level.
    Downgrade,
    /// Export an item to removable media.
    ExportRemovable,
}

impl RequestKind {
    /// Stable name (stored and in events).
    pub fn as_str(self) -> &'static str {
        match self {
            RequestKind::Destroy => "destroy",
            RequestKind::Downgrade => "downgrade",
            RequestKind::ExportRemovable => "export-removable",
        }
    }

    fn parse(text: &str) -> Option<RequestKind> {
        match text {
            "destroy" => Some(RequestKind::Destroy),
            "downgrade" => Some(RequestKind::Downgrade),
            "export-removable" => Some(RequestKind::ExportRemovable),
            _ => None,
        }
    }
}

/// Where a request stands.
#[derive(Clone, Copy, Debug, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum RequestStatus {
    /// Waiting for an officer.
    Pending,
    /// Approved, not yet used.
    Approved,
    /// Denied.
    Denied,
    /// Approved and carried out.
    Used,
    /// Approved but not used in time, or the admin key that signed it was replaced.
    Expired,
}

impl RequestStatus {
    /// Stable name.
    pub fn as_str(self) -> &'static str {
        match self {
            RequestStatus::Pending => "pending",
            RequestStatus::Approved => "approved",
            RequestStatus::Denied => "denied",
            RequestStatus::Used => "used",
            RequestStatus::Expired => "expired",
        }
    }
}

/// One request row.
#[derive(Clone, Debug, serde::Serialize)]
pub struct Request {
    /// Request number.
    pub id: u64,
    /// What is asked.
    pub kind: RequestKind,
    /// The item.
    #[serde(serialize_with = "ser_display")]
    pub item: ItemId,
    /// The item's level when asked.
    pub level: Level,
    /// For a downgrade: the level asked for.
    pub target_level: Option<Level>,
    /// Who asked.
    #[serde(serialize_with = "ser_display")]
    pub requested_by: UserId,
    /// When.
    pub requested_at: String,
    /// Why.
    pub reason: String,
    /// Where it stands.
    pub status: RequestStatus,
    /// The officer who decided.
    #[serde(serialize_with = "ser_opt_display")]
    pub decided_by: Option<UserId>,
    /// When.
    pub decided_at: Option<String>,
    /// The officer's note.
    pub decision_note: Option<String>,
    /// The admin key's signature over the approval ([`approval_body`]).
    #[serde(skip)]
    pub signature: Option<Vec<u8>>,
}

/// Signing context of approvals.
pub const APPROVAL_CONTEXT: &str = "strongroom/v1/approval";

/// The bytes an approving officer signs with the admin key: RFC 8785 JSON naming the
/// station, the request and everything it permits.
pub fn approval_body(station: &str, request: &Request, approver: UserId, decided_at: &str) -> Result<Vec<u8>> {
    let value = serde_json::json!({
        "format": APPROVAL_CONTEXT,
        "station": station,
        "request": request.id,
        "kind": request.kind.as_str(),
        "item": request.item.to_string(),
        "level": request.level.name(),
        "target_level": request.target_level.map(Level::name),
        "requested_by": request.requested_by.to_string(),
        "approved_by": approver.to_string(),
        "approved_at": decided_at,
    });
    crate::encoding::canonical::to_vec(&value).map_err(|e| Error::InvalidInput(e.to_string()))
}

fn ser_display<S: serde::Serializer>(value: &impl std::fmt::Display, s: S) -> Result<S::Ok, S::Error> {
    s.collect_str(value)
}

fn ser_opt_display<S: serde::Serializer>(value: &Option<UserId>, s: S) -> Result<S::Ok, S::Error> {
    match value {
        Some(v) => s.collect_str(v),
        None => s.serialize_none(),
    }
}

/// A new request to store.
pub struct NewRequest<'a> {
    /// What is asked.
    pub kind: RequestKind,
    /// The item.
    pub item: ItemId,
    /// Its level.
    pub level: Level,
    /// For a downgrade, the level asked for.
    pub target_level: Option<Level>,
    /// Who asks.
    pub requested_by: UserId,
    /// Why.
    pub reason: &'a str,
}

const COLUMNS: &str = "id, kind, item, level, target_level, requested_by, requested_at, reason, status, decided_by, decided_at, decision_note, signature";

/// Store a pending request; returns its number.
pub fn insert(tx: &Transaction<'_>, request: &NewRequest<'_>, now: &str) -> Result<u64> {
    tx.execute(
        "INSERT INTO requests (kind, item, level, target_level, requested_by, requested_at, reason, status)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, 'pending')",
        params![
            request.kind.as_str(),
            request.item,
            i64::from(request.level.as_byte()),
            request.target_level.map(|l| i64::from(l.as_byte())),
            request.requested_by,
            now,
            request.reason
        ],
    )?;
    Ok(tx.last_insert_rowid() as u64)
}

/// One request.
pub fn get(conn: &Connection, id: u64) -> Result<Option<Request>> {
    let mut stmt = conn.prepare_cached(&format!("SELECT {COLUMNS} FROM requests WHERE id = ?1"))?;
    let row = stmt.query_row(params![id as i64], read_row).optional()?;
    row.transpose()
}

/// Requests, newest first: all of them, or only those with `status`.
pub fn list(conn: &Connection, status: Option<RequestStatus>) -> Result<Vec<Request>> {
    let mut stmt = conn.prepare_cached(&format!(
        "SELECT {COLUMNS} FROM requests WHERE ?1 IS NULL OR status = ?1 ORDER BY id DESC"
    ))?;
    let rows = stmt.query_map(params![status.map(RequestStatus::as_str)], read_row)?;
    let mut out = Vec::new();
    for row in rows {
        out.push(row??);
    }
    Ok(out)
}

/// The open (pending or approved) request of `requester` for this action on this item.
pub fn open_for(
    conn: &Connection,
    kind: RequestKind,
    item: ItemId,
    requester: UserId,
    target_level: Option<Level>,
) -> Result<Option<Request>> {
    let mut stmt = conn.prepare_cached(&format!(
        "SELECT {COLUMNS} FROM requests WHERE kind = ?1 AND item = ?2 AND requested_by = ?3
         AND target_level IS ?4 AND status IN ('pending', 'approved') ORDER BY id DESC LIMIT 1"
    ))?;
    let row = stmt
        .query_row(
            params![
                kind.as_str(),
                item,
                requester,
                target_level.map(|l| i64::from(l.as_byte()))
            ],
            read_row,
        )
        .optional()?;
    row.transpose()
}

/// Record an officer's decision on a pending request (an approval with its signature).
/// Fails if it is no longer pending.
pub fn decide(
    tx: &Transaction<'_>,
    id: u64,
    approval: Option<&[u8]>,
    officer: UserId,
    note: &str,
    now: &str,
) -> Result<()> {
    let changed = tx.execute(
        "UPDATE requests SET status = ?2, decided_by = ?3, decided_at = ?4, decision_note = ?5, signature = ?6
         WHERE id = ?1 AND status = 'pending'",
        params![
            id as i64,
            if approval.is_some() { "approved" } else { "denied" },
            officer,
            now,
            note,
            approval
        ],
    )?;
    if changed == 0 {
        return Err(Error::InvalidInput(format!("request {id} is no longer pending")));
    }
    Ok(())
}

/// Mark an approved request as carried out (it cannot be used twice).
pub fn mark_used(tx: &Transaction<'_>, id: u64) -> Result<()> {
    let changed = tx.execute(
        "UPDATE requests SET status = 'used' WHERE id = ?1 AND status = 'approved'",
        params![id as i64],
    )?;
    if changed == 0 {
        return Err(Error::InvalidInput(format!("request {id} is not approved")));
    }
    Ok(())
}

fn read_row(r: &Row<'_>) -> rusqlite::Result<Result<Request>> {
    let bad = |what: &str| Error::integrity("requests", format!("a row has an invalid {what}"));
    let level = |v: Option<i64>| v.and_then(|v| u8::try_from(v).ok()).and_then(Level::from_byte);
    let kind: String = r.get(1)?;
    let item: Vec<u8> = r.get(2)?;
    let requested_by: Vec<u8> = r.get(5)?;
    let status: String = r.get(8)?;
    let decided_by: Option<Vec<u8>> = r.get(9)?;
    let build = || -> Result<Request> {
        Ok(Request {
            id: r.get::<_, i64>(0)? as u64,
            kind: RequestKind::parse(&kind).ok_or_else(|| bad("kind"))?,
            item: ItemId::from_slice(&item).ok_or_else(|| bad("item"))?,
            level: level(r.get(3)?).ok_or_else(|| bad("level"))?,
            target_level: level(r.get(4)?),
            requested_by: UserId::from_slice(&requested_by).ok_or_else(|| bad("requester"))?,
            requested_at: r.get(6)?,
            reason: r.get(7)?,
            status: match status.as_str() {
                "pending" => RequestStatus::Pending,
                "approved" => RequestStatus::Approved,
                "denied" => RequestStatus::Denied,
                "used" => RequestStatus::Used,
                "expired" => RequestStatus::Expired,
                _ => return Err(bad("status")),
            },
            decided_by: decided_by.as_deref().and_then(UserId::from_slice),
            decided_at: r.get(10)?,
            decision_note: r.get(11)?,
            signature: r.get(12)?,
        })
    };
    Ok(build())
}

/// Expire one approved request (too old, or already used according to the ledger).
pub fn expire(tx: &Transaction<'_>, id: u64) -> Result<()> {
    tx.execute(
        "UPDATE requests SET status = 'expired' WHERE id = ?1 AND status = 'approved'",
        params![id as i64],
    )?;
    Ok(())
}

/// Expire every approved, unused request (the admin key that signed them was replaced).
pub fn expire_all_approved(tx: &Transaction<'_>) -> Result<u64> {
    Ok(tx.execute("UPDATE requests SET status = 'expired' WHERE status = 'approved'", [])? as u64)
}

/// Whether the ledger records request `id` as carried out (an item event names it).
pub fn used_in_ledger(conn: &Connection, id: u64) -> Result<bool> {
    let found: Option<i64> = conn
        .query_row(
            "SELECT seq FROM events WHERE action IN ('item.destroy', 'item.reclassify', 'item.export')
             AND json_extract(canonical, '$.details.request') = ?1 LIMIT 1",
            params![id as i64],
            |r| r.get(0),
        )
        .optional()?;
    Ok(found.is_some())
}
